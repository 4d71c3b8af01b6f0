"""Writing government sheets: title row, header, real dates, widths and wrapping for print, no formulas.

openpyxl in write-only mode streams rows to disk (constant memory). Every xlsx the project writes (these
templates and table exports, the ledger export in `sanding.ledger.export`, the round results in
`sanding.assessment.exports`) builds its cells with `safe_cell` or decides with `is_formula_text`, so
text is always written as text: a value beginning with = + - @, a tab or a carriage return is stored as
a string with the quote prefix (Excel shows it literally and never evaluates it), and text such as
“#N/A” stays text rather than becoming an error value. Nothing the project writes is a formula.

This module imports nothing from the project: the ledger and assessment exports import it.
"""

import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_text(value):
    """True for text a spreadsheet (or a CSV reader) could take for a formula: it starts with
    = + - @, a tab or a carriage return."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def make_literal(cell):
    """Make `cell` (its value set) show its text exactly as typed; returns the cell.

    Text is a string cell, never a formula (openpyxl makes “=…” one) nor an error value (“#N/A”);
    formula-like text also gets Excel's quote prefix, so editing the cell in Excel keeps it text.
    Set the cell's named style first: assigning a named style afterwards would drop the prefix.
    """
    value = cell.value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def safe_cell(sheet, value, style=None, **attributes):
    """A cell of `sheet` holding `value` as `make_literal` writes it, for `sheet.append([...])`.

    `style` is a named style's name; `attributes` are cell style attributes (font=…, alignment=…).
    Works for write-only and ordinary worksheets alike.
    """
    cell = WriteOnlyCell(sheet, value=value)
    if style:
        cell.style = style
    for name, attribute in attributes.items():
        setattr(cell, name, attribute)
    return make_literal(cell)


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _styles(workbook):
    styles = {
        "title": NamedStyle("sd_title", font=Font(bold=True, size=16), alignment=Alignment(horizontal="center")),
        "header": NamedStyle(
            "sd_header",
            font=Font(bold=True),
            border=_BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        "cell": NamedStyle("sd_cell", border=_BORDER, alignment=Alignment(vertical="top")),
        "wrap": NamedStyle("sd_wrap", border=_BORDER, alignment=Alignment(vertical="top", wrap_text=True)),
        "date": NamedStyle("sd_date", border=_BORDER, alignment=Alignment(vertical="top"), number_format="yyyy-mm-dd"),
        "quoted": NamedStyle("sd_quoted", border=_BORDER, alignment=Alignment(vertical="top", wrap_text=True)),
    }
    for style in styles.values():
        workbook.add_named_style(style)
    return {name: style.name for name, style in styles.items()}


class SheetWriter:
    """Streams one sheet in the layout's column order; `write(values)` takes a list per row."""

    def __init__(self, workbook, layout, *, title=None, subtitle=None, sheet_name=None, styles=None):
        self.layout = layout
        self.sheet = workbook.create_sheet(sheet_name or layout.sheet_name)
        self.styles = styles
        columns = layout.columns
        self.wrap = [c.wrap for c in columns]
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.freeze_panes = "A4" if subtitle is not None else "A3"
        self.sheet.print_title_rows = "1:3" if subtitle is not None else "1:2"
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        last = get_column_letter(len(columns))
        self.sheet.merged_cells.ranges.add(f"A1:{last}1")
        self.sheet.append([self._cell(title or layout.title, "title")])
        if subtitle is not None:
            self.sheet.merged_cells.ranges.add(f"A2:{last}2")
            self.sheet.append([self._cell(subtitle, None)])
        self.sheet.append([self._cell(c.label, "header") for c in columns])

    def _cell(self, value, style):
        if is_formula_text(value):
            style = "quoted"
        return safe_cell(self.sheet, value, self.styles[style] if style else None)

    def write(self, values):
        row = []
        for value, wrap in zip(values, self.wrap, strict=False):
            if isinstance(value, (datetime.date, datetime.datetime)):
                row.append(self._cell(value, "date"))
            else:
                row.append(self._cell(value, "wrap" if wrap else "cell"))
        self.sheet.append(row)


def new_workbook():
    workbook = Workbook(write_only=True)
    return workbook, _styles(workbook)


def add_instructions(workbook, layout, styles):
    """A 填表说明 sheet: what each column means and how to fill it."""
    sheet = workbook.create_sheet("填表说明")
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 90
    sheet.append([safe_cell(sheet, f"{layout.title} 填表说明", styles["title"])])
    for line in layout.instructions:
        sheet.append(["", safe_cell(sheet, line)])
    sheet.append([])
    sheet.append([safe_cell(sheet, "列名", styles["header"]), safe_cell(sheet, "填写要求", styles["header"])])
    for column in layout.columns:
        note = getattr(column, "help", "") or ""
        required = "必填。" if column.required else ""
        synonyms = f"也可写作：{'、'.join(column.synonyms)}。" if column.synonyms else ""
        sheet.append([safe_cell(sheet, column.label), safe_cell(sheet, f"{required}{note}{synonyms}")])


def blank_template(layout, path):
    """The blank import template: title row, header row, and the 填表说明 sheet."""
    workbook, styles = new_workbook()
    SheetWriter(workbook, layout, styles=styles)
    add_instructions(workbook, layout, styles)
    workbook.save(path)
