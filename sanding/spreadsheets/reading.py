"""Reading government sheets: find the data sheet and its header, map columns, stream the data rows.

The knowledge of messy sheets lives here and in `layouts.py`, shared by every import:
title rows above the header, two-level merged headers (整改情况 over 整改进展 / 完成情况), header
synonyms, the 序号 column, section heading rows (一、…（3项）), blank rows, 合计 rows and 注： notes.

The reader is python-calamine (a Rust parser, about 12× faster than openpyxl's read-only mode); rows
are converted to Python one at a time, so the sheet's Python objects are never all held at once.
"""

import logging
import re
from dataclasses import dataclass, field

from python_calamine import CalamineError, CalamineWorkbook

from .cells import filled, is_empty, key, text
from .safety import SpreadsheetError, check_xlsx, limit

HEADER_SCAN_ROWS = 15
_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[部类项])"
)
_SECTION_COUNT = re.compile(r"[（(]\s*\d+\s*(?:项|个|条)\s*[）)]\s*$")
_TOTAL = re.compile(r"^(?:合计|总计|小计|共计)")
_NOTE = re.compile(
    r"^(?:注|备注|说明|填报说明|填表说明)\s*[:：]|^(?:填表人|填报人|审核人|负责人|联系人|联系电话)\s*[:：]"
)
IGNORED_HEADERS = {key(word) for word in ("序号", "编号序号", "顺序号", "行号")}

logger = logging.getLogger(__name__)


@dataclass
class Column:
    """One column an import understands: canonical header, synonyms, whether it must be present."""

    name: str
    label: str
    synonyms: tuple = ()
    required: bool = False
    width: int = 14
    wrap: bool = False
    help: str = ""

    @property
    def keys(self):
        return {key(self.label), *(key(s) for s in self.synonyms)}


@dataclass
class Layout:
    """The columns of one import and export, and how its title reads."""

    kind: str
    title: str
    sheet_name: str
    columns: list
    instructions: list = field(default_factory=list)

    def column(self, name):
        return next(c for c in self.columns if c.name == name)

    def lookup(self):
        table = {}
        for column in self.columns:
            for k in column.keys:
                table[k] = column
        return table


@dataclass
class Header:
    sheet: str
    row_index: int  # zero-based index of the last header row
    mapping: dict  # column index in the row list -> Column
    labels: dict  # Column.name -> header text as written in the file
    score: int
    missing: list


@dataclass
class DataRow:
    number: int  # the row number Excel shows
    values: dict  # Column.name -> raw value
    section: str = ""  # the section heading above the row (一、部门间职责边界不清（3项）→ 部门间职责边界不清)


class Problems:
    """Every problem as `第N行 [列名] reason`; the first `limit` kept in order, all counted."""

    def __init__(self, keep=2000):
        self.items = []
        self.count = 0
        self.keep = keep

    def add(self, row, column, message):
        self.count += 1
        if len(self.items) < self.keep:
            self.items.append({"row": row, "column": column or "", "message": message})

    def __bool__(self):
        return self.count > 0

    def lines(self):
        return [format_problem(p) for p in self.items]


def format_problem(problem):
    where = f"第{problem['row']}行 " if problem["row"] else ""
    column = f"[{problem['column']}] " if problem["column"] else ""
    return f"{where}{column}{problem['message']}"


def _row_texts(row):
    return [key(v) if not is_empty(v) else "" for v in row]


def match_header(rows, layout):
    """Best header in the first rows: (row index, mapping, score); two-level headers are combined.

    A column's label is taken from the lower of two header rows when it is a known name there, else
    from the upper row — so a group title merged over sub-columns (整改情况 over 整改进展, 完成情况)
    and a label merged down across both rows (序号, 问题描述) both resolve, without merge information.
    """
    table = layout.lookup()
    best = None
    texts = [_row_texts(row) for row in rows[:HEADER_SCAN_ROWS]]
    for index, upper in enumerate(texts):
        for depth in (1, 2):
            if index + depth > len(texts):
                continue
            lower = texts[index + 1] if depth == 2 else []
            width = max(len(upper), len(lower))
            upper = upper + [""] * (width - len(upper))
            lower = lower + [""] * (width - len(lower))
            raw_upper = list(rows[index]) + [""] * width
            raw_lower = list(rows[index + 1]) + [""] * width if depth == 2 else [""] * width
            filled, shown_upper, carry, carry_shown = [], [], "", ""
            for j in range(width):  # a group title merged over sub-columns is only in its first cell
                if upper[j]:
                    carry, carry_shown = upper[j], text(raw_upper[j])
                elif not lower[j]:
                    carry, carry_shown = "", ""
                filled.append(carry)
                shown_upper.append(carry_shown)
            mapping, labels = {}, {}
            for j in range(width):
                candidates = (
                    # a sub-column is shown with its group: 行政编制·核定, 行政编制·实有
                    (filled[j] + lower[j], f"{shown_upper[j]}·{text(raw_lower[j])}" if lower[j] else shown_upper[j]),
                    (lower[j], text(raw_lower[j])),
                    (upper[j], text(raw_upper[j])),
                )
                for candidate, shown in candidates:
                    column = table.get(candidate) if candidate else None
                    if column and column.name not in labels:
                        mapping[j] = column
                        labels[column.name] = shown
                        break
            score = len(mapping)
            if best is None or score > best[2]:
                best = (index + depth - 1, mapping, score, labels)
    return best


def _open(path):
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise SpreadsheetError(f"无法读取该 Excel 文件：{error}") from None


def _load_sheet(workbook, name):
    try:
        return workbook.get_sheet_by_name(name)
    except Exception as error:  # calamine raises several error types for corrupt sheets
        # The parser's own (English) detail goes to the log, not to the user.
        logger.warning("cannot read sheet %r: %s", name, error)
        raise SpreadsheetError(
            f"无法读取工作表“{name}”：文件内容已损坏或不是 Excel 保存的标准格式，请用 Excel 打开后另存为 .xlsx 再上传。"
        ) from None


def _head_rows(sheet, count=HEADER_SCAN_ROWS):
    rows = []
    offset = sheet.start[1] if sheet.start else 0
    for row in sheet.iter_rows():
        rows.append([""] * offset + list(row))
        if len(rows) >= count:
            break
    return rows


class SheetReader:
    """Opens a checked workbook, finds the data sheet and its header, and streams DataRows."""

    def __init__(self, path, layout, sheet=None, check=True):
        if check:
            check_xlsx(path)
        self.layout = layout
        self.workbook = _open(path)
        self.header = self._find(sheet)
        self.total = max(self.sheet_heights.get(self.header.sheet, 0) - self.header.row_index - 1, 0)

    def _find(self, wanted):
        names = self.workbook.sheet_names
        if wanted:
            if wanted not in names:
                raise SpreadsheetError(f"工作簿中没有名为“{wanted}”的工作表（现有：{'、'.join(names)}）。")
            names = [wanted]
        best = None
        self.sheet_heights = {}
        self._loaded = {}
        for name in names:
            sheet = _load_sheet(self.workbook, name)
            self._loaded[name] = sheet
            self.sheet_heights[name] = (sheet.start[0] if sheet.start else 0) + sheet.height
            if sheet.height == 0:
                continue
            found = match_header(_head_rows(sheet), self.layout)
            if found and (best is None or found[2] > best.score):
                index, mapping, score, labels = found
                missing = [c.label for c in self.layout.columns if c.required and c.name not in labels]
                best = Header(name, index, mapping, labels, score, missing)
        required = [c.label for c in self.layout.columns if c.required]
        if best is None or best.score == 0:
            raise SpreadsheetError(
                f"没有找到{self.layout.title}的表头：应有“{'”“'.join(required)}”等列。"
                + ("" if wanted else "若数据在其他工作表，请指定工作表名称。")
            )
        if best.missing:
            raise SpreadsheetError(
                f"工作表“{best.sheet}”第{best.row_index + 1}行的表头缺少必需的列：{'、'.join(best.missing)}。"
            )
        self._loaded = {best.sheet: self._loaded[best.sheet]}  # keep only the data sheet
        return best

    def label(self, name):
        """The header as written in the file (for messages), or the canonical label."""
        return self.header.labels.get(name) or self.layout.column(name).label

    def rows(self, problems=None):
        """Data rows below the header; skips blanks, section headings, 合计 and stops at 注： notes."""
        sheet = self._loaded.pop(self.header.sheet, None) or _load_sheet(self.workbook, self.header.sheet)
        offset = sheet.start[1] if sheet.start else 0
        mapping = [(j - offset, column.name) for j, column in self.header.mapping.items()]
        max_rows = limit("SPREADSHEET_MAX_ROWS")
        max_empty = limit("SPREADSHEET_MAX_EMPTY_RUN")
        empty_run = 0
        seen = 0
        merged_rows = _wide_merges(sheet)
        section = ""
        for index, row in enumerate(sheet.iter_rows()):
            if index <= self.header.row_index:
                continue
            nonempty = filled(row)
            if not nonempty:
                empty_run += 1
                if empty_run >= max_empty:
                    return
                continue
            empty_run = 0
            first = key(nonempty[0])
            if type(nonempty[0]) is str and _NOTE.match(text(nonempty[0])):
                return
            if _TOTAL.match(first) or (len(nonempty) >= 2 and _TOTAL.match(key(nonempty[1])) and _is_seq(nonempty[0])):
                continue
            if len(nonempty) == 1 and _is_section(text(nonempty[0]), index in merged_rows):
                section = section_name(text(nonempty[0]))
                continue
            seen += 1
            if seen > max_rows:
                raise SpreadsheetError(f"数据超过上限 {max_rows} 行，请分成多个文件导入。")
            width = len(row)
            values = {name: (row[j] if 0 <= j < width else None) for j, name in mapping}
            if not filled(values.values()):
                continue  # only unmapped columns (e.g. 序号) filled
            yield DataRow(number=index + 1, values=values, section=section)


def _is_seq(value):
    return isinstance(value, (int, float)) or key(value).isdigit()


def section_name(value):
    """一、部门间职责边界不清（3项） → 部门间职责边界不清."""
    return _SECTION_COUNT.sub("", _SECTION.sub("", value)).strip()


def _is_section(value, merged):
    """A heading inside the data: 一、… / （一）… / …（3项）, or any lone text merged across the row."""
    if _SECTION.match(value) or _SECTION_COUNT.search(value):
        return True
    return merged and not _is_seq(value)


def _wide_merges(sheet):
    """Zero-based row indexes holding a merge across three or more columns (section headings)."""
    rows = set()
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or ():
        if right - left >= 2:
            rows.update(range(top, bottom + 1))
    return rows
