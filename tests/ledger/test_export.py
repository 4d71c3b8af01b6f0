import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from sanding.ledger.export import HEADERS
from sanding.ledger.models import IssueCooperation

from .factories import IssueFactory, ProgressReportFactory, RectificationFactory

pytestmark = pytest.mark.django_db

EXPECTED_HEADERS = [
    "序号", "问题编号", "问题类别", "问题描述", "问题来源", "责任单位", "配合单位", "责任人",
    "整改措施", "整改时限", "整改进展", "整改状态", "逾期天数", "是否销号", "销号时间", "备注",
]  # fmt: skip


def _rows(content):
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows(min_row=3)], ws


def test_headers_are_the_standard_layout():
    assert HEADERS == EXPECTED_HEADERS


def test_export_holds_exactly_the_filtered_rows(login, staff_user, department, other_department):
    issue = IssueFactory(department=department, description='=HYPERLINK("http://x")', seq=3)
    IssueCooperation.objects.create(issue=issue, department=other_department)
    one = RectificationFactory(issue=issue, seq=1, measures="+cmd|' /C calc'!A0", status="in_progress")
    RectificationFactory(issue=issue, seq=2, measures="@SUM(1)", status="closed")
    RectificationFactory(issue=IssueFactory(department=other_department), seq=1, measures="-2+3", status="in_progress")
    ProgressReportFactory(rectification=one, percent=40, text="已起草")
    response = login(staff_user).get(reverse("ledger:export"), {"department": department.pk, "status": "in_progress"})
    assert response.status_code == 200
    rows, ws = _rows(response.content)
    assert rows[0] == EXPECTED_HEADERS
    assert len(rows) == 2
    data = rows[1]
    assert data[:9] == [
        1,
        issue.code,
        "部门职能不理顺",
        '=HYPERLINK("http://x")',
        "自查",
        department.name,
        other_department.name,
        "张伟",
        "+cmd|' /C calc'!A0",
    ]
    assert data[10].endswith("完成40%：已起草")
    assert data[11:15] == ["整改中", None, "否", None]
    # formula-looking text is stored as text, never as a formula
    assert ws.cell(row=4, column=4).data_type == "s"
    assert ws.cell(row=4, column=9).data_type == "s"
    assert ws.cell(row=4, column=4).quotePrefix is True


def test_clerk_export_is_scoped(login, clerk, item, foreign_item):
    rows, _ = _rows(login(clerk).get(reverse("ledger:export")).content)
    assert [r[1] for r in rows[1:]] == [item.issue.code]


def test_export_command(tmp_path, city, county, department, county_department):
    RectificationFactory(issue=IssueFactory(department=department), status="closed", measures="=1+1")
    RectificationFactory(issue=IssueFactory(department=department), status="in_progress")
    RectificationFactory(issue=IssueFactory(department=county_department), status="closed")
    target = tmp_path / "台账.xlsx"
    out = io.StringIO()
    call_command("export_ledger", str(target), "--region", "云州市", "--status", "已销号", stdout=out)
    assert out.getvalue().strip() == f"已导出 1 行到 {target}。"
    ws = load_workbook(target).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert rows[0] == EXPECTED_HEADERS
    assert [(r[5], r[8], r[11], r[13]) for r in rows[1:]] == [(department.name, "=1+1", "已销号", "是")]
    assert ws.cell(row=4, column=9).data_type == "s"
    call_command("export_ledger", str(target), stdout=out)
    assert load_workbook(target).active.max_row == 6


def test_export_command_rejects_unknown_region(tmp_path, city):
    with pytest.raises(CommandError, match="未找到区划“火星”。"):
        call_command("export_ledger", str(tmp_path / "x.xlsx"), "--region", "火星")
