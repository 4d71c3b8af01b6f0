"""Writing government sheets: title row, header, real dates, widths and wrapping for print, no formulas.

openpyxl in write-only mode streams rows to disk (constant memory). Every cell is built with
`sanding.core.xlsx.safe_cell` (the cell writer the ledger and assessment exports share), so text is always
written as text and nothing written here is a formula.
"""

import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from sanding.core.xlsx import is_formula_text, safe_cell

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
