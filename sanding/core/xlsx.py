"""Cells that are never formulas: the one cell writer of every xlsx the project writes.

The spreadsheets app's sheets (`sanding.spreadsheets.writing`), the ledger export (`sanding.ledger.export`)
and the round results (`sanding.assessment.exports`) build their cells with `safe_cell` or decide with
`is_formula_text`, so text is always written as text: a value beginning with = + - @, a tab or a carriage
return is stored as a string with the quote prefix (Excel shows it literally and never evaluates it), and
text such as “#N/A” stays text rather than becoming an error value. Nothing the project writes is a formula.

It lives in core so that the apps below the spreadsheets app can use it without an upward import.
"""

from openpyxl.cell import WriteOnlyCell

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
