import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from sanding.ledger.choices import Kind, Status
from sanding.ledger.models import Issue, IssueCooperation, ProgressReport, Rectification, RectificationEvent
from sanding.spreadsheets.engine import run_import
from sanding.spreadsheets.exports import export_table
from sanding.spreadsheets.importers.ledger import LedgerImporter
from tests.factories import DepartmentFactory

TITLE = "云州市部门“三定”规定落实情况自查评估问题整改台账"
HEADER = [
    "序号",
    "问题编号",
    "问题类别",
    "问题描述",
    "问题来源",
    "责任单位",
    "配合单位",
    "责任人",
    "整改措施",
    "整改时限",
    "整改进展",
    "整改状态",
    "逾期天数",
    "是否销号",
    "销号时间",
    "备注",
]


@pytest.fixture
def units(city, department, other_department):
    department.aliases = "市场监管局"
    department.save()
    return DepartmentFactory(region=city, code="YZ027", name="云州市应急管理局", short_name="市应急局")


def row(
    n,
    description,
    unit,
    deadline,
    *,
    code=None,
    category="部门间职责边界不清",
    coop=None,
    status=None,
    closed=None,
    closed_on=None,
    progress=None,
    measures="制定职责清单",
):
    return [
        n,
        code,
        category,
        description,
        "自查",
        unit,
        coop,
        "张三",
        measures,
        deadline,
        progress,
        status,
        None,
        closed,
        closed_on,
        None,
    ]


def counts(result):
    return result.counts


def importer(region, actor=None):
    return LedgerImporter(region=region, actor=actor)


def test_messy_sheet_imports_everything(make_xlsx, city, units, department, other_department, admin_user):
    rows = [
        [TITLE],
        ["填报单位：云州市委编办      填报时间：2025年7月1日"],
        HEADER,
        ["一、部门间职责边界不清（3项）"],
        row(1, "食品安全监管职责交叉", "云州市市场监督管理局（市食安办）", "2025年6月30日", coop="市统计局、市应急局"),
        row(2, "统计数据共享不畅", "市统计局，市场监管局", datetime.date(2025, 6, 30), status="已完成"),
        [None],
        row(3, "应急联动机制不健全", " 市应急局 ", "立行立改", closed="√", closed_on="2025.5.20", status="已完成"),
        ["二、工作职责未明确（1项）"],
        row(
            4,
            "职责清单未公开",
            "ＹＺ市场监管局".replace("ＹＺ", "市"),
            "长期坚持",
            category=None,
            status="整改中",
            progress="已起草清单",
        ),
        ["合计", None, None, "4项"],
        ["注：1.整改时限可写日期或“立行立改”“长期坚持”。"],
        ["2.本表一式两份。"],
    ]
    path = make_xlsx(rows, merges=["A1:P1", "A2:P2", "A4:P4", "A9:P9"], extra_sheets={"填表说明": [["说明"]]})
    result = run_import(importer(city, admin_user), path, commit=True)
    assert result.problems == []
    assert result.counts == {"问题": {"create": 4}, "整改事项": {"create": 4}}
    assert result.header_row == 3
    items = {r.issue.description: r for r in Rectification.objects.select_related("issue", "issue__category")}
    first = items["食品安全监管职责交叉"]
    assert (first.department, first.kind, first.deadline, first.status) == (
        department,
        Kind.DEADLINE,
        datetime.date(2025, 6, 30),
        Status.NOT_STARTED,
    )
    assert set(IssueCooperation.objects.filter(issue=first.issue).values_list("department__short_name", flat=True)) == {
        "市统计局",
        "市应急局",
    }
    second = items["统计数据共享不畅"]
    assert (second.department, second.status) == (other_department, Status.APPLIED)
    assert list(second.issue.cooperating.all()) == [department]
    third = items["应急联动机制不健全"]
    assert (third.kind, third.deadline, third.status) == (Kind.IMMEDIATE, None, Status.CLOSED)
    assert timezone.localtime(third.closed_at).date() == datetime.date(2025, 5, 20)
    fourth = items["职责清单未公开"]
    assert (fourth.kind, fourth.status, fourth.issue.category.name) == (
        Kind.ONGOING,
        Status.IN_PROGRESS,
        "工作职责未明确",
    )
    assert list(ProgressReport.objects.values_list("text", "percent")) == [("已起草清单", 0)]
    assert RectificationEvent.objects.filter(action="create").count() == 4
    assert Issue.history.count() == 4
    assert Rectification.history.count() == 4
    assert sorted(Issue.objects.values_list("code", flat=True)) == [
        f"云州-{timezone.localdate().year}-000{n}" for n in range(1, 5)
    ]


def test_two_level_merged_header(make_xlsx, city, units, department):
    top = ["序号", "问题描述", "责任单位", "整改措施", "整改时限", "整改情况", None, "备注"]
    sub = [None, None, None, None, None, "整改进展", "完成情况", None]
    rows = [
        ["问题整改台账"],
        top,
        sub,
        [1, "职责交叉", "市市场监管局", "建立会商机制", "2025/6/30", "已召开会议", "整改中", None],
    ]
    merges = ["A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:G2", "H2:H3"]
    path = make_xlsx(rows, merges=merges, first_sheets={"填表说明": [["填表说明"], ["按要求填写"]]})
    result = run_import(importer(city), path, commit=True)
    assert result.problems == [
        {"row": 4, "column": "问题类别", "message": "不能为空"},
    ]
    rows[3].insert(1, None)
    top.insert(1, "问题类别")
    sub.insert(1, None)
    rows[3][1] = "部门间职责边界不清"
    path = make_xlsx(rows, merges=["A1:I1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:H2", "I2:I3"])
    result = run_import(importer(city), path, commit=True)
    assert result.problems == []
    r = Rectification.objects.get()
    assert (r.status, r.deadline, r.measures) == (Status.IN_PROGRESS, datetime.date(2025, 6, 30), "建立会商机制")
    assert ProgressReport.objects.get().text == "已召开会议"


def test_header_synonyms(make_xlsx, city, units, department):
    header = ["序号", "问题类型", "存在问题", "牵头单位", "整改举措", "完成时限", "销号情况"]
    path = make_xlsx([header, [1, "编制人员管理", "超编进人", "市市场监管局", "清理超编", "2025年底", "已销号"]])
    result = run_import(importer(city), path, commit=True)
    assert result.problems == []
    r = Rectification.objects.get()
    assert (r.status, r.deadline) == (Status.CLOSED, datetime.date(2025, 12, 31))
    assert timezone.localtime(r.closed_at).date() == timezone.localdate()


def test_one_bad_row_writes_nothing_and_names_every_problem(make_xlsx, city, units):
    rows = [
        [TITLE],
        HEADER,
        row(1, "问题一", "市市场监管局", "2025年6月30日"),
        row(2, "问题二", "市场监督管局", "下个月"),
        row(3, "问题三", "市统计局", "2025年13月1日", category="不存在的类别"),
    ]
    path = make_xlsx(rows)
    result = run_import(importer(city), path, commit=True)
    assert [p for p in result.problems] == [
        {"row": 4, "column": "责任单位", "message": "未找到单位“市场监督管局”，是否为：云州市市场监督管理局？"},
        {
            "row": 4,
            "column": "整改时限",
            "message": "“下个月”不是可识别的日期（可写作 2025年6月30日、2025.6.30、2025/6/30、2025年底）",
        },
        {
            "row": 5,
            "column": "问题类别",
            "message": "未知的问题类别“不存在的类别”（可选：部门职能不理顺、工作职责未明确、部门间职责边界不清、部门内部职责不理顺、工作流程有待进一步优化、议事协调机构协调配合不畅、基层管理体制机制不理顺、编制人员管理、机构编制违规违纪）",  # noqa: E501
        },
        {"row": 5, "column": "整改时限", "message": "2025年13月1日不是有效日期"},
    ]
    assert result.committed is False
    assert Issue.objects.count() == 0
    assert Rectification.objects.count() == 0


def test_reimport_same_file_changes_nothing_and_edit_updates(make_xlsx, city, units, department, admin_user):
    rows = [
        HEADER,
        row(1, "问题一", "市市场监管局", "2025年6月30日"),
        row(2, "问题一", "市市场监管局", "2025年9月30日", measures="第二项措施"),
        row(3, "问题二", "市统计局", "2025年底"),
    ]
    path = make_xlsx(rows)
    assert run_import(importer(city, admin_user), path, commit=True).counts == {
        "问题": {"create": 2},
        "整改事项": {"create": 3},
    }
    history = (Issue.history.count(), Rectification.history.count(), RectificationEvent.objects.count())
    again = run_import(importer(city, admin_user), path, commit=True)
    assert again.counts == {"问题": {"unchanged": 2}, "整改事项": {"unchanged": 3}}
    assert (Issue.history.count(), Rectification.history.count(), RectificationEvent.objects.count()) == history
    rows[2][9] = "2025年10月31日"
    rows[3][11] = "整改中"
    edited = run_import(importer(city, admin_user), make_xlsx(rows), commit=True)
    assert edited.counts == {"问题": {"unchanged": 2}, "整改事项": {"unchanged": 1, "update": 2}}
    assert Rectification.objects.count() == 3
    second = Rectification.objects.get(measures="第二项措施")
    assert (second.deadline, second.seq, second.version) == (datetime.date(2025, 10, 31), 2, 2)
    third = Rectification.objects.get(issue__description="问题二")
    assert third.status == Status.IN_PROGRESS
    event = third.events.get(action="edit")
    assert (event.actor, event.from_status, event.to_status) == (admin_user, Status.NOT_STARTED, Status.IN_PROGRESS)


def test_export_then_import_round_trip_unchanged(make_xlsx, city, units, tmp_path, admin_user):
    rows = [
        HEADER,
        row(1, '=HYPERLINK("http://x")', "市市场监管局", "2025年6月30日", coop="市统计局", progress="进行中"),
        row(2, "问题二", "市统计局", "立行立改", closed="是", closed_on="2025-05-01", status="已完成"),
        row(3, "问题三", "市应急局", "长期坚持", status="已完成"),
        row(4, "+问题四", "市应急局", "2025.12.31", status="整改中", measures="-措施"),
    ]
    assert run_import(importer(city, admin_user), make_xlsx(rows), commit=True).problems == []
    target = tmp_path / "export.xlsx"
    assert export_table(slug="ledger", region=city, target=target) == 4
    history = Rectification.history.count()
    result = run_import(importer(city, admin_user), target, commit=True)
    assert result.problems == []
    assert result.counts == {"问题": {"unchanged": 4}, "整改事项": {"unchanged": 4}}
    assert Rectification.history.count() == history


def test_import_ledger_command_dry_run_then_import(make_xlsx, city, units):
    path = make_xlsx([HEADER, row(1, "问题一", "市市场监管局", "2025年6月30日")])
    out = io.StringIO()
    call_command("import_ledger", str(path), "--dry-run", "--region", "云州市", stdout=out)
    assert out.getvalue().splitlines() == [
        "工作表“Sheet1”，表头在第1行，数据 1 行。",
        "校验通过（试运行，未写入）：",
        "  问题：新增 1，更新 0，不变 0",
        "  整改事项：新增 1，更新 0，不变 0",
    ]
    assert Issue.objects.count() == 0
    call_command("import_ledger", str(path), stdout=io.StringIO())
    assert Issue.objects.count() == 1


def test_import_ledger_command_exits_1_with_problems(make_xlsx, city, units, capsys):
    path = make_xlsx([["标题"], HEADER, row(1, "问题一", "火星局", "2025年6月30日")], sheet="台账")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_ledger", str(path), "--sheet", "台账")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "第3行 [责任单位] 未找到单位“火星局”，请先在部门台账中登记该单位或为其添加别名",
        "共 1 个问题，未写入任何数据。",
    ]
    assert Issue.objects.count() == 0
