"""The standard ledger layout (标准台账格式) in one place: headers, one row per rectification item, xlsx.

The Excel import (issue 5) reads the same layout back, so the column list lives here only.
"""

import datetime
import itertools

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from sanding.core.xlsx import FORMULA_START, is_formula_text, safe_cell
from sanding.registry.models import Department, Region

from .choices import Kind, Status
from .deadlines import days_overdue, today
from .models import IssueCooperation, ProgressReport, Rectification

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


# What `ledger_rows` reads of each item: plain values, streamed (no model instances, no per-row query);
# named rows, so `deadlines` reads a row's deadline and status as it reads an item's.
_FIELDS = (
    "pk",
    "issue_id",
    "issue__code",
    "issue__category__name",
    "issue__description",
    "issue__source",
    "department__name",
    "responsible_person",
    "measures",
    "kind",
    "deadline",
    "review_interval_days",
    "status",
    "closed_at",
    "notes",
)
CHUNK = 2000


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _latest_progress(ids, using):
    """{item pk: (reported_on, percent, text)} of each item's latest progress report, one query."""
    reports = (
        ProgressReport.objects.using(using)
        .filter(rectification_id__in=ids)
        .order_by("rectification_id", "-reported_on", "-pk")
        .values_list("rectification_id", "reported_on", "percent", "text")
    )
    if connections[using].vendor == "postgresql":
        reports = reports.distinct("rectification_id")
    latest = {}
    for rectification_id, *report in reports:
        latest.setdefault(rectification_id, report)
    return latest


def _cooperating(issue_ids, using):
    """{issue pk: "name、name"} of the issues' cooperating units, in the units' own order, one query."""
    order = [
        f"-department__{name[1:]}" if name.startswith("-") else f"department__{name}"
        for name in Department._meta.ordering
    ]
    names = {}
    for issue_id, name in (
        IssueCooperation.objects.using(using)
        .filter(issue_id__in=issue_ids)
        .order_by("issue_id", *order)
        .values_list("issue_id", "department__name")
    ):
        names.setdefault(issue_id, []).append(name)
    return {issue_id: "、".join(units) for issue_id, units in names.items()}


def term_text(kind, deadline, review_interval_days=None):
    """The 整改时限 cell of an item: a date (期限), or its kind in words with what it carries.

    期限 → the date (a real Excel date); 立行立改 → “立行立改”, with a date “立行立改（2025年6月30日前）”;
    长期坚持 → “长期坚持（每90天复查）”. The import (`sanding.spreadsheets.cells.term`) reads each back.
    """
    if kind == Kind.IMMEDIATE:
        return f"立行立改（{deadline.year}年{deadline.month}月{deadline.day}日前）" if deadline else "立行立改"
    if kind == Kind.ONGOING:
        return f"长期坚持（每{review_interval_days}天复查）" if review_interval_days else "长期坚持"
    return deadline


def ledger_rows(queryset, *, on=None):
    """Yield one list of cell values per rectification item, in HEADERS order.

    The items stream as plain values in chunks; each chunk's latest progress reports and cooperating
    units come with one query each.
    """
    on = on or today()
    using = queryset.db
    status_labels = dict(Status.choices)
    closed_status = Status.CLOSED.value
    deadline_kind = Kind.DEADLINE.value
    localtime = timezone.localtime
    n = 0
    rows = queryset.values_list(*_FIELDS, named=True).iterator(chunk_size=CHUNK)
    for chunk in _chunks(rows, CHUNK):
        progress = _latest_progress([r[0] for r in chunk], using)
        cooperating = _cooperating({r[1] for r in chunk}, using)
        for row in chunk:
            (
                pk,
                issue_id,
                code,
                category,
                description,
                source,
                department,
                person,
                measures,
                kind,
                deadline,
                interval,
                status,
                closed_at,
                notes,
            ) = row
            n += 1
            report = progress.get(pk)
            text = f"{report[0]:%Y-%m-%d} 完成{report[1]}%：{report[2]}" if report else ""
            closed = status == closed_status
            yield [
                n,
                code,
                category,
                description,
                source,
                department,
                cooperating.get(issue_id, ""),
                person,
                measures,
                deadline if kind == deadline_kind else term_text(kind, deadline, interval),
                text,
                status_labels.get(status, status),
                days_overdue(row, on) or None,
                "是" if closed else "否",
                localtime(closed_at).date() if closed else None,
                notes,
            ]


def _styles():
    """The layout's cell styles (attribute -> value), built once per file."""
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = {"alignment": Alignment(vertical="top", wrap_text=True), "border": border}
    return {
        "title": {"font": Font(bold=True, size=14), "alignment": Alignment(horizontal="center")},
        "subtitle": {"alignment": Alignment(horizontal="right")},
        "header": {
            "font": Font(bold=True),
            "fill": PatternFill("solid", fgColor="F2F2F2"),
            "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "border": border,
        },
        "body": body,
        "date": body | {"number_format": DATE_FORMAT},
    }


def export_stamp(subtitle=""):
    """The subtitle row under the title: who/what was exported (e.g. the region) and when."""
    if "导出时间" in subtitle:
        return subtitle
    stamp = f"导出时间：{timezone.localtime():%Y年%m月%d日 %H:%M}"
    return f"{subtitle}  {stamp}" if subtitle else stamp


HEADER_ROW = 3  # title, subtitle (region and export time), header


def write_ledger_xlsx(rows, target, *, title="问题整改台账", subtitle=""):
    """Write rows (from `ledger_rows`) to `target` (a path or a binary file), streaming.

    Row 1 is the title, row 2 the subtitle (`subtitle`, with the export time added unless it names one),
    row 3 the header; the three repeat on every printed page (landscape A4, all columns on one page wide).
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题整改台账")
    for i, (_, width) in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # without it Excel ignores fitToWidth
    last = chr(ord("A") + len(COLUMNS) - 1)
    ws.merged_cells.add(f"A1:{last}1")
    ws.merged_cells.add(f"A2:{last}2")
    styles = _styles()
    ws.append([_styled(ws, title, styles["title"])])
    ws.append([_styled(ws, export_stamp(subtitle), styles["subtitle"])])
    ws.append([_styled(ws, h, styles["header"]) for h in HEADERS])
    # Assigning font / border / alignment to a cell makes openpyxl hash each style object to find its
    # index in the workbook's style tables (most of the old export's time). Each body style is
    # registered once; data cells then just point at the ready style array (a few ints).
    body, date = (_styled(ws, None, styles[name])._style for name in ("body", "date"))
    text = _styled(ws, FORMULA_START[0], styles["body"])._style  # what `safe_cell` gives formula-like text
    ids = {name: wb._cell_styles.add(array) for name, array in (("body", body), ("date", date), ("text", text))}
    body_id, date_id, text_id = ids["body"], ids["date"], ids["text"]
    # One cell per column, reused for every row: the write-only sheet serialises a row as soon as it
    # is appended, and its own conversion of appended values would build two cells per value (and
    # raise and catch a ValueError for each ready-made cell). The replacement only numbers the row.
    cells = []

    def numbered(row, row_idx):
        for cell in row:
            cell.row = row_idx
            yield cell

    ws._values_to_row = numbered
    count = 0
    for row in rows:
        while len(cells) < len(row):
            cells.append(_RowCell(ws, row=1, column=len(cells) + 1))
        for cell, value in zip(cells, row, strict=False):
            if is_formula_text(value):
                # Stored as text with Excel's quote prefix: shown as typed, never run as a formula.
                cell._style, cell.style_id = text, text_id
                cell.value = value
                cell.data_type = "s"
            elif isinstance(value, datetime.date):
                cell._style, cell.style_id = date, date_id
                cell.value = value
            else:
                cell._style, cell.style_id = body, body_id
                cell.value = value
                if cell.data_type == "e":  # text such as “#N/A” stays text (as `safe_cell` writes it)
                    cell.data_type = "s"
        ws.append(cells if len(cells) == len(row) else cells[: len(row)])
        count += 1
    wb.save(target)
    return count


class _RowCell(Cell):
    """A reused data cell that carries its style's index (openpyxl would hash the style per cell)."""

    __slots__ = ("style_id",)


def _styled(ws, value, style):
    return safe_cell(ws, value, **style)


def export_ledger(queryset, target, *, title="问题整改台账", subtitle=""):
    """Export the (scoped, filtered) rectification queryset to xlsx; returns the number of rows."""
    return write_ledger_xlsx(ledger_rows(queryset), target, title=title, subtitle=subtitle)


def command_queryset(*, region=None, status=None):
    """The rows for `manage.py export_ledger`: every item, optionally one region (by name) and status."""
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
