"""The standard ledger layout (标准台账格式) in one place: headers, one row per rectification item, xlsx.

The Excel import (issue 5) reads the same layout back, so the column list lives here only.
"""

import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from .choices import Kind, Status
from .models import ProgressReport, Rectification, today

# (header, column width)
COLUMNS = [
    ("序号", 6),
    ("问题编号", 16),
    ("问题类别", 18),
    ("问题描述", 40),
    ("问题来源", 10),
    ("责任单位", 22),
    ("配合单位", 22),
    ("责任人", 10),
    ("整改措施", 40),
    ("整改时限", 12),
    ("整改进展", 36),
    ("整改状态", 10),
    ("逾期天数", 8),
    ("是否销号", 8),
    ("销号时间", 12),
    ("备注", 20),
]
HEADERS = [name for name, _ in COLUMNS]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"


def export_queryset(queryset):
    """The rows of `queryset` (already scoped and filtered) with what the layout needs, in one pass."""
    latest = ProgressReport.objects.filter(rectification=OuterRef("pk")).order_by("-reported_on", "-pk")
    return (
        queryset.select_related("issue", "issue__category", "department")
        .prefetch_related("issue__cooperating")
        .annotate(
            progress_text=Subquery(latest.values("text")[:1]),
            progress_percent=Subquery(latest.values("percent")[:1]),
            progress_date=Subquery(latest.values("reported_on")[:1]),
        )
    )


def ledger_rows(queryset, *, on=None):
    """Yield one list of cell values per rectification item, in HEADERS order."""
    on = on or today()
    for n, r in enumerate(export_queryset(queryset).iterator(chunk_size=2000), start=1):
        issue = r.issue
        progress = ""
        if r.progress_text is not None:
            progress = f"{r.progress_date:%Y-%m-%d} 完成{r.progress_percent}%：{r.progress_text}"
        if r.deadline is not None:
            deadline = r.deadline
        else:
            deadline = Kind(r.kind).label if r.kind != Kind.DEADLINE else ""
        closed = r.status == Status.CLOSED
        yield [
            n,
            issue.code,
            issue.category.name,
            issue.description,
            issue.source,
            r.department.name,
            "、".join(d.name for d in issue.cooperating.all()),
            r.responsible_person,
            r.measures,
            deadline,
            progress,
            r.get_status_display(),
            r.days_overdue(on) or None,
            "是" if closed else "否",
            timezone.localtime(r.closed_at).date() if closed else None,
            r.notes,
        ]


def _cell(ws, value, *, style=None):
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        # Stored as text with Excel's quote prefix: shown as typed, never evaluated as a formula.
        cell.data_type = "s"
        cell.quotePrefix = True
    if isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    if style:
        for name, val in style.items():
            setattr(cell, name, val)
    return cell


def write_ledger_xlsx(rows, target, *, title="问题整改台账", subtitle=""):
    """Write rows (from `ledger_rows`) to `target` (a path or a binary file), streaming."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题整改台账")
    for i, (_, width) in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "C3"
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.merged_cells.add(f"A1:{chr(ord('A') + len(COLUMNS) - 1)}1")
    ws.append(
        [
            _cell(
                ws,
                f"{title}{'（' + subtitle + '）' if subtitle else ''}",
                style={"font": Font(bold=True, size=14), "alignment": Alignment(horizontal="center")},
            )
        ]
    )
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_style = {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor="F2F2F2"),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "border": border,
    }
    ws.append([_cell(ws, h, style=header_style) for h in HEADERS])
    body = {"alignment": Alignment(vertical="top", wrap_text=True), "border": border}
    count = 0
    for row in rows:
        ws.append([_cell(ws, value, style=body) for value in row])
        count += 1
    wb.save(target)
    return count


def export_ledger(queryset, target, *, title="问题整改台账", subtitle=""):
    """Export the (scoped, filtered) rectification queryset to xlsx; returns the number of rows."""
    return write_ledger_xlsx(ledger_rows(queryset), target, title=title, subtitle=subtitle)


def command_queryset(*, region=None, status=None):
    """The rows for `manage.py export_ledger`: every item, optionally one region (by name) and status."""
    from django.core.exceptions import ValidationError

    from sanding.registry.models import Region

    qs = Rectification.objects.all()
    if region:
        match = Region.objects.filter(name=region).first() or Region.objects.filter(short_name=region).first()
        if match is None:
            raise ValidationError(f"未找到区划“{region}”。")
        qs = qs.filter(region=match)
    if status:
        values = {s.value: s.value for s in Status} | {s.label: s.value for s in Status}
        if status not in values:
            raise ValidationError(f"未知的整改状态“{status}”，可选：{'、'.join(Status.labels)}。")
        qs = qs.filter(status=values[status])
    return qs.order_by("region__path", "issue__year", "issue__seq", "seq")
