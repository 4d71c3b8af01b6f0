"""Fixture workbooks are built in the tests with openpyxl, shaped like real government sheets."""

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font


@pytest.fixture
def make_xlsx(tmp_path):
    """make_xlsx(rows, title=..., merges=[...], extra_sheets={...}) -> path of a new .xlsx file.

    `rows` are written from row 1; None leaves a cell empty. `styled_empty_rows=n` appends n empty rows
    that carry only a style (the "million empty styled rows" shape, small).
    """
    counter = {"n": 0}

    def _make(rows, *, sheet="Sheet1", merges=(), extra_sheets=None, first_sheets=None, styled_empty_rows=0):
        counter["n"] += 1
        workbook = Workbook()
        workbook.remove(workbook.active)
        for name, content in (first_sheets or {}).items():
            extra = workbook.create_sheet(name)
            for row in content:
                extra.append(row)
        ws = workbook.create_sheet(sheet)
        for row in rows:
            ws.append(list(row))
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula, as a user typed it
        for cell_range in merges:
            ws.merge_cells(cell_range)
        if styled_empty_rows:
            bold = Font(bold=True)
            start = ws.max_row + 1
            for r in range(start, start + styled_empty_rows):
                ws.cell(row=r, column=1).font = bold
        for name, content in (extra_sheets or {}).items():
            extra = workbook.create_sheet(name)
            for row in content:
                extra.append(row)
        path = tmp_path / f"book{counter['n']}.xlsx"
        workbook.save(path)
        return path

    return _make
