"""The ledger export re-imports unchanged: every rectification kind, every region, the printed layout."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from sanding.ledger.choices import Kind, Status
from sanding.ledger.models import Issue, IssueCooperation, Rectification, RectificationEvent
from sanding.spreadsheets import cells
from sanding.spreadsheets.engine import run_import
from sanding.spreadsheets.exports import export_table
from sanding.spreadsheets.importers.ledger import LedgerImporter
from tests.ledger.factories import IssueFactory, RectificationFactory

from .test_ledger_import import HEADER, row

pytestmark = pytest.mark.django_db
DEADLINE_COLUMN = HEADER.index("整改时限") + 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("立行立改", ("立行立改", None, None)),
        ("立行立改（2025年6月30日前）", ("立行立改", datetime.date(2025, 6, 30), None)),
        ("立行立改 2025-06-30", ("立行立改", datetime.date(2025, 6, 30), None)),
        ("立行立改(2025.6.30)", ("立行立改", datetime.date(2025, 6, 30), None)),
        ("立行立改，边查边改", ("立行立改", None, None)),
        ("长期坚持", ("长期坚持", None, None)),
        ("长期坚持（每90天复查）", ("长期坚持", None, 90)),
        ("长期坚持 (每 30 天)", ("长期坚持", None, 30)),
        ("长期坚持（复查周期60天）", ("长期坚持", None, 60)),
        ("2025年6月30日", ("期限", datetime.date(2025, 6, 30), None)),
        (datetime.datetime(2025, 6, 30), ("期限", datetime.date(2025, 6, 30), None)),
        (None, ("", None, None)),
    ],
)
def test_term_reads_every_written_form(raw, expected):
    assert cells.term(raw) == expected
    assert cells.deadline(raw) == expected[:2]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "立行立改（2025年13月1日前）",
            "“立行立改”后的“2025年13月1日前”不是可识别的日期（可写作 立行立改（2025年6月30日前）或 立行立改 2025-06-30）",  # noqa: E501
        ),
        (
            "长期坚持（2025年6月30日前）",
            "“长期坚持”不设整改时限；括号中只能写复查周期，如 长期坚持（每90天复查），而不是“2025年6月30日前”",
        ),
        ("长期坚持（每0天复查）", "复查周期应为正整数天数"),
    ],
)
def test_term_rejects_what_it_cannot_keep(raw, message):
    with pytest.raises(cells.CellError) as error:
        cells.term(raw)
    assert str(error.value) == message


@pytest.fixture
def every_kind(city, department, other_department):
    """A ledger holding every kind of item: 期限, 立行立改 with and without a date, 长期坚持 with an interval."""
    first = IssueFactory(department=department, description="职责交叉，多头执法")
    IssueCooperation.objects.create(issue=first, department=other_department)
    items = [
        RectificationFactory(issue=first, seq=1, kind=Kind.DEADLINE, deadline=datetime.date(2025, 6, 30)),
        RectificationFactory(
            issue=first, seq=2, kind=Kind.IMMEDIATE, deadline=datetime.date(2025, 9, 30), status=Status.IN_PROGRESS
        ),
        RectificationFactory(issue=first, seq=3, kind=Kind.IMMEDIATE, deadline=None, status=Status.CLOSED),
    ]
    second = IssueFactory(department=other_department, description="统计口径不一")
    items += [
        RectificationFactory(issue=second, seq=1, kind=Kind.ONGOING, deadline=None, review_interval_days=30),
        RectificationFactory(issue=second, seq=2, kind=Kind.ONGOING, deadline=None, review_interval_days=90),
    ]
    return items


def test_every_kind_is_written_readably_and_round_trips_unchanged(every_kind, city, admin_user, tmp_path):
    target = tmp_path / "ledger.xlsx"
    assert export_table(slug="ledger", region=city, target=target) == 5
    sheet = load_workbook(target).worksheets[0]
    written = [sheet.cell(row=r, column=DEADLINE_COLUMN) for r in range(4, 9)]
    assert [(c.value, c.data_type) for c in written] == [
        (datetime.datetime(2025, 6, 30), "d"),
        ("立行立改（2025年9月30日前）", "s"),
        ("立行立改", "s"),
        ("长期坚持（每30天复查）", "s"),
        ("长期坚持（每90天复查）", "s"),
    ]
    history = (Rectification.history.count(), Issue.history.count(), RectificationEvent.objects.count())
    result = run_import(LedgerImporter(region=city, actor=admin_user), target, commit=True)
    assert result.problems == []
    assert result.counts == {"问题": {"unchanged": 2}, "整改事项": {"unchanged": 5}}
    assert result.preview["rows"] == []  # the preview lists only rows that change
    assert (Rectification.history.count(), Issue.history.count(), RectificationEvent.objects.count()) == history
    assert [
        (r.kind, r.deadline, r.review_interval_days) for r in Rectification.objects.order_by("issue__seq", "seq")
    ] == [
        (Kind.DEADLINE, datetime.date(2025, 6, 30), None),
        (Kind.IMMEDIATE, datetime.date(2025, 9, 30), None),
        (Kind.IMMEDIATE, None, None),
        (Kind.ONGOING, None, 30),
        (Kind.ONGOING, None, 90),
    ]


def test_kind_changes_update_cleanly(every_kind, city, admin_user, tmp_path):
    target = tmp_path / "ledger.xlsx"
    export_table(slug="ledger", region=city, target=target)
    workbook = load_workbook(target)
    sheet = workbook.worksheets[0]
    sheet.cell(row=4, column=DEADLINE_COLUMN).value = "长期坚持"  # 期限 → 长期坚持: the deadline goes
    sheet.cell(row=5, column=DEADLINE_COLUMN).value = "立行立改"  # the 立行立改 date is dropped
    sheet.cell(row=7, column=DEADLINE_COLUMN).value = "2025年12月31日"  # 长期坚持 → 期限: the interval goes
    sheet.cell(row=8, column=DEADLINE_COLUMN).value = "长期坚持（每60天复查）"  # a new interval
    workbook.save(target)
    result = run_import(LedgerImporter(region=city, actor=admin_user), target, commit=True)
    assert result.problems == []
    assert result.counts == {"问题": {"unchanged": 2}, "整改事项": {"update": 4, "unchanged": 1}}
    assert [
        (r.kind, r.deadline, r.review_interval_days, r.version)
        for r in Rectification.objects.order_by("issue__seq", "seq")
    ] == [
        (Kind.ONGOING, None, 90, 2),
        (Kind.IMMEDIATE, None, None, 2),
        (Kind.IMMEDIATE, None, None, 1),
        (Kind.DEADLINE, datetime.date(2025, 12, 31), None, 2),
        (Kind.ONGOING, None, 60, 2),
    ]
    again = run_import(LedgerImporter(region=city, actor=admin_user), target, commit=True)
    assert again.counts == {"问题": {"unchanged": 2}, "整改事项": {"unchanged": 5}}


def test_kind_change_without_what_the_kind_needs_is_a_row_problem(every_kind, city, admin_user, tmp_path):
    target = tmp_path / "ledger.xlsx"
    export_table(slug="ledger", region=city, target=target)
    workbook = load_workbook(target)
    sheet = workbook.worksheets[0]
    sheet.cell(row=7, column=DEADLINE_COLUMN).value = "长期坚持（2025年6月30日前）"
    sheet.cell(row=4, column=DEADLINE_COLUMN).value = None
    workbook.save(target)
    result = run_import(LedgerImporter(region=city, actor=admin_user), target, commit=True)
    assert result.problems == [
        {"row": 4, "column": "整改时限", "message": "不能为空"},
        {
            "row": 7,
            "column": "整改时限",
            "message": "“长期坚持”不设整改时限；括号中只能写复查周期，如 长期坚持（每90天复查），而不是“2025年6月30日前”",  # noqa: E501
        },
    ]
    assert result.committed is False
    assert list(Rectification.objects.order_by("pk").values_list("version", flat=True)) == [1] * 5


def test_export_is_laid_out_for_printing_with_a_subtitle_row(every_kind, city, tmp_path):
    target = tmp_path / "ledger.xlsx"
    export_table(slug="ledger", region=city, target=target)
    sheet = load_workbook(target).worksheets[0]
    assert [sheet.cell(row=r, column=1).value for r in (1, 2)] == [
        "云州市问题整改台账",
        f"云州市  导出时间：{timezone.localdate():%Y年%m月%d日}",
    ]
    assert [c.value for c in sheet[3]] == HEADER
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["A1:P1", "A2:P2"]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.freeze_panes == "C4"


def test_command_round_trip_across_city_and_counties(every_kind, city, county, department, county_department, tmp_path):
    county_issue = IssueFactory(department=county_department, description="区级执法职责交叉")
    RectificationFactory(issue=county_issue, kind=Kind.IMMEDIATE, deadline=datetime.date(2025, 8, 31))
    target = tmp_path / "全部.xlsx"
    call_command("export_ledger", str(target), stdout=io.StringIO())  # no --region: every region
    assert load_workbook(target).worksheets[0].cell(row=9, column=6).value == "云城区市场监督管理局"
    out = io.StringIO()
    call_command("import_ledger", str(target), stdout=out)
    assert out.getvalue().splitlines() == [
        "工作表“问题整改台账”，表头在第3行，数据 6 行。",
        "导入完成：",
        "  问题：新增 0，更新 0，不变 3",
        "  整改事项：新增 0，更新 0，不变 6",
    ]
    assert Rectification.history.count() == 6


def test_city_import_puts_a_county_units_issue_in_the_county(make_xlsx, city, county, department, county_department):
    path = make_xlsx(
        [
            HEADER,
            row(1, "市级问题", "市市场监管局", "2025年6月30日"),
            row(2, "区级问题", "云城区市场监督管理局", "立行立改（2025年7月31日前）", coop="云州市市场监督管理局"),
        ]
    )
    result = run_import(LedgerImporter(region=city), path, commit=True)
    assert result.problems == []
    year = timezone.localdate().year
    assert sorted(Issue.objects.values_list("code", "region__name", "department__name")) == [
        (f"云城-{year}-0001", "云州市云城区", "云城区市场监督管理局"),
        (f"云州-{year}-0001", "云州市", "云州市市场监督管理局"),
    ]
    county_item = Rectification.objects.get(region=county)
    assert (county_item.kind, county_item.deadline) == (Kind.IMMEDIATE, datetime.date(2025, 7, 31))
    assert list(IssueCooperation.objects.values_list("department__name", flat=True)) == ["云州市市场监督管理局"]


def test_a_city_units_short_name_wins_over_a_county_alias(make_xlsx, city, county, department, county_department):
    county_department.short_name = "市市场监管局"  # the same short name in the county: the city's own unit wins
    county_department.save()
    path = make_xlsx([HEADER, row(1, "市级问题", "市市场监管局", "2025年6月30日")])
    assert run_import(LedgerImporter(region=city), path, commit=True).problems == []
    assert Issue.objects.get().department == department


def test_county_import_does_not_see_city_units(make_xlsx, city, county, department, county_department):
    path = make_xlsx([HEADER, row(1, "问题", "云州市市场监督管理局", "2025年6月30日")])
    result = run_import(LedgerImporter(region=county), path, commit=True)
    assert result.problems == [
        {
            "row": 2,
            "column": "责任单位",
            "message": "未找到单位“云州市市场监督管理局”，是否为：云城区市场监督管理局？",
        }
    ]


def test_an_issue_cannot_move_to_another_region_by_import(every_kind, city, county, county_department, tmp_path):
    target = tmp_path / "ledger.xlsx"
    export_table(slug="ledger", region=city, target=target)
    workbook = load_workbook(target)
    workbook.worksheets[0].cell(row=4, column=HEADER.index("责任单位") + 1).value = "云城区市场监督管理局"
    workbook.save(target)
    result = run_import(LedgerImporter(region=city), target, commit=True)
    code = every_kind[0].issue.code
    assert result.problems == [
        {
            "row": 4,
            "column": "责任单位",
            "message": "责任单位“云城区市场监督管理局”属于云州市云城区，而该问题属于云州市；跨区划调整请在问题台账中操作",  # noqa: E501
        }
    ]
    assert result.committed is False
    assert Issue.objects.get(code=code).department.name == "云州市市场监督管理局"
