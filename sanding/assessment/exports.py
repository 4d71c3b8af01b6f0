"""The round results as an xlsx workbook (one row per department), shared by the view and the command.

Every cell is built by `safe_cell`: a round name, section title, department name or veto reason beginning
with = + - @ (or a tab or carriage return) is written as text, never as a formula.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sanding.core.xlsx import safe_cell

from .choices import AssessmentState
from .models import Assessment, Section, SectionResult

HEADERS_BEFORE = ["部门", "部门类别"]
HEADERS_AFTER = ["总分", "得分率 (%)", "等级", "排名"]


def round_result_rows(*, round_, user=None):
    """(headers, rows) of a round's approved results, ordered by category and rank; three queries."""
    sections = list(Section.objects.filter(checklist=round_.checklist_id, archived=False).order_by("seq", "pk"))
    qs = Assessment.objects.filter(round=round_, withdrawn=False, state=AssessmentState.APPROVED)
    if user is not None:
        qs = qs.visible_to(user)
    assessments = list(qs.select_related("department").order_by("category", "rank", "department__code"))
    subtotals = {}
    for r in SectionResult.objects.filter(assessment__in=[a.pk for a in assessments]):
        subtotals[(r.assessment_id, r.section_id)] = r.score
    headers = HEADERS_BEFORE + [s.title for s in sections] + HEADERS_AFTER
    rows = []
    for a in assessments:
        rows.append(
            [a.department.name, a.category]
            + [subtotals.get((a.pk, s.pk)) for s in sections]
            + [a.total_score, a.percentage, a.grade_label + (f"（{a.veto_reason}）" if a.veto_reason else ""), a.rank]
        )
    return headers, rows


def round_results_xlsx(*, round_, user=None):
    """The workbook's bytes."""
    headers, rows = round_result_rows(round_=round_, user=user)
    wb = Workbook()
    ws = wb.active
    ws.title = "评估结果"
    ws.append([safe_cell(ws, round_.name)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([safe_cell(ws, header) for header in headers])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append([safe_cell(ws, value) for value in row])
    for column in range(3, len(headers) - 1):
        for (cell,) in ws.iter_rows(min_row=3, min_col=column, max_col=column):
            cell.number_format = "0.00"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 30 if i == 1 else max(10, len(header) * 2 + 2)
    ws.freeze_panes = "B3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
