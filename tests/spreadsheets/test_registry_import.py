from openpyxl import load_workbook

from sanding.registry.models import Department, InternalUnit, LeaderPost, StaffingQuota
from sanding.spreadsheets.engine import run_import
from sanding.spreadsheets.exports import export_table
from sanding.spreadsheets.importers.ledger import LedgerImporter
from sanding.spreadsheets.importers.registry import DepartmentImporter, QuotaImporter, UnitImporter
from tests.factories import InternalUnitFactory, StaffingQuotaFactory

DEPT_HEADER = ["序号", "部门代码", "部门名称", "简称", "别名", "机构类别", "规格", "主管部门", "状态", "备注"]


def test_departments_create_update_and_idempotent(make_xlsx, city, department, admin_user):
    rows = [
        ["云州市部门名录"],
        DEPT_HEADER,
        [
            1,
            "YZ030",
            "云州市市场监督管理局",
            "市市场监管局",
            "市场监管局、市食安办",
            "政府工作部门",
            "正处级",
            None,
            None,
            None,
        ],
        [2, None, "云州市医疗保障局", "市医保局", None, "政府工作部门", "正处级", None, "正常", "新组建"],
        [3, None, "云州市药品监督管理局", "市药监局", None, "部门管理机构", "副处级", "市市场监管局", None, None],
    ]
    path = make_xlsx(rows)
    result = run_import(DepartmentImporter(region=city, actor=admin_user), path, commit=True)
    assert result.problems == []
    assert result.counts == {"部门": {"update": 1, "create": 2}}
    department.refresh_from_db()
    assert (department.aliases, department.version) == ("市场监管局、市食安办", 2)
    drug = Department.objects.get(short_name="市药监局")
    assert (drug.parent, drug.code, drug.category) == (department, "YZ003", "部门管理机构")
    assert department.history.first().history_user == admin_user
    again = run_import(DepartmentImporter(region=city, actor=admin_user), path, commit=True)
    assert again.counts == {"部门": {"unchanged": 3}}
    assert Department.objects.count() == 3


def test_departments_bad_choice_named(make_xlsx, city):
    rows = [DEPT_HEADER, [1, None, "云州市新局", None, None, "政府部门", "处级", None, None, None]]
    result = run_import(DepartmentImporter(region=city), make_xlsx(rows), commit=True)
    assert result.problems == [
        {
            "row": 2,
            "column": "机构类别",
            "message": "“政府部门”不是有效的部门类别（可选：党委工作机关、政府工作部门、部门管理机构、直属事业单位、群团机关、其他）",  # noqa: E501
        },
        {
            "row": 2,
            "column": "规格",
            "message": "“处级”不是有效的机构规格（可选：正厅级、副厅级、正处级、副处级、正科级、副科级、其他）",
        },
    ]
    assert Department.objects.count() == 0


def test_quotas_two_level_header_and_round_trip(make_xlsx, city, department, other_department, admin_user, tmp_path):
    StaffingQuotaFactory(department=department, type="行政编制", approved=30, actual=25)
    top = ["序号", "单位", "行政编制", None, "事业编制", None, "部门正职", None, "内设机构数", None]
    sub = [None, None, "核定", "实有", "核定", "实有", "核定", "实配", "核定", "实设"]
    rows = [
        ["机构编制情况统计表"],
        top,
        sub,
        [1, "市市场监管局", 32, 25, None, None, 1, 1, 9, 8],
        [2, "云州市统计局（市普查中心）", 12, "13", 5, 5, 1, 1, None, None],
        ["合计", None, 44, 38],
    ]
    merges = ["A1:J1", "A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:H2", "I2:J2"]
    result = run_import(QuotaImporter(region=city, actor=admin_user), make_xlsx(rows, merges=merges), commit=True)
    assert result.problems == []
    # every sub-column of a two-level header is shown with its group (the preview's column heads)
    assert [label for _, label in result.preview["columns"]] == [
        "单位",
        "行政编制·核定",
        "行政编制·实有",
        "事业编制·核定",
        "事业编制·实有",
        "部门正职·核定",
        "部门正职·实配",
        "内设机构数·核定",
        "内设机构数·实设",
    ]
    assert result.counts == {"编制": {"update": 1, "create": 2}, "领导职数": {"create": 2}}
    assert sorted(StaffingQuota.objects.values_list("department__short_name", "type", "approved", "actual")) == [
        ("市市场监管局", "行政编制", 32, 25),
        ("市统计局", "事业编制", 5, 5),
        ("市统计局", "行政编制", 12, 13),
    ]
    assert LeaderPost.objects.filter(level="部门正职").count() == 2
    target = tmp_path / "quotas.xlsx"
    assert export_table(slug="quotas", region=city, target=target) == 2
    again = run_import(QuotaImporter(region=city, actor=admin_user), target, commit=True)
    assert again.problems == []
    assert again.counts == {"编制": {"unchanged": 3}, "领导职数": {"unchanged": 2}}


def test_units_import_and_round_trip(make_xlsx, city, department, admin_user, tmp_path):
    InternalUnitFactory(department=department, name="办公室", seq=1)
    rows = [
        ["内设机构名录"],
        ["部门", "科室名称", "排序", "是否三定核定", "实际设置"],
        ["市市场监管局", "办公室", 1, "是", "是"],
        ["市市场监管局", "食品安全协调科", 2, "否", "√"],
        ["市场监管局", "食品安全协调科", 3, "否", "是"],
    ]
    department.aliases = "市场监管局"
    department.save()
    bad = run_import(UnitImporter(region=city, actor=admin_user), make_xlsx(rows), commit=True)
    assert bad.problems == [{"row": 5, "column": "科室名称", "message": "与第4行重复"}]
    assert InternalUnit.objects.count() == 1
    del rows[4]
    result = run_import(UnitImporter(region=city, actor=admin_user), make_xlsx(rows), commit=True)
    assert result.counts == {"内设机构": {"unchanged": 1, "create": 1}}
    unit = InternalUnit.objects.get(name="食品安全协调科")
    assert (unit.in_regulation, unit.actually_set, unit.unapproved) == (False, True, True)
    target = tmp_path / "units.xlsx"
    assert export_table(slug="units", region=city, target=target) == 2
    again = run_import(UnitImporter(region=city, actor=admin_user), target, commit=True)
    assert again.counts == {"内设机构": {"unchanged": 2}}


def test_department_export_round_trip_and_formula_safety(make_xlsx, city, department, tmp_path, admin_user):
    department.notes = "=cmd|' /C calc'!A0"
    department.save()
    target = tmp_path / "departments.xlsx"
    export_table(slug="departments", region=city, target=target)
    sheet = load_workbook(target).worksheets[0]
    cell = sheet.cell(row=4, column=9)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=cmd|' /C calc'!A0", "s", True)
    assert sheet.cell(row=1, column=1).value == "云州市部门（单位）名录"
    again = run_import(DepartmentImporter(region=city, actor=admin_user), target, commit=True)
    assert again.problems == []
    assert again.counts == {"部门": {"unchanged": 1}}


def test_ledger_export_never_writes_formulas(make_xlsx, city, department, tmp_path, admin_user):

    header = ["问题类别", "问题描述", "责任单位", "整改措施", "整改时限", "备注"]
    rows = [header, ["编制人员管理", "=1+1", "市市场监管局", "@SUM(A1)", "2025年底", "-2"]]
    assert run_import(LedgerImporter(region=city, actor=admin_user), make_xlsx(rows), commit=True).problems == []
    target = tmp_path / "ledger.xlsx"
    export_table(slug="ledger", region=city, target=target)
    sheet = load_workbook(target).worksheets[0]
    cells = [sheet.cell(row=4, column=c) for c in (4, 9, 16)]
    assert [(c.value, c.data_type) for c in cells] == [("=1+1", "s"), ("@SUM(A1)", "s"), ("-2", "s")]
