"""Upload safety: size, real xlsx by content, zip-bomb and huge-sheet guards, all before any parsing."""

import re
import zipfile

from django.conf import settings

MB = 1024 * 1024


class SpreadsheetError(Exception):
    """A file that cannot be imported at all; the message (Chinese) is shown as is."""


def limit(name):
    defaults = {
        "SPREADSHEET_MAX_UPLOAD_BYTES": 20 * MB,
        "SPREADSHEET_MAX_UNCOMPRESSED_BYTES": 600 * MB,
        "SPREADSHEET_MAX_RATIO": 200,
        "SPREADSHEET_MAX_ROWS": 200_000,
        "SPREADSHEET_MAX_COLUMNS": 200,
        "SPREADSHEET_MAX_EMPTY_RUN": 1000,
    }
    return getattr(settings, name, defaults[name])


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters):
    number = 0
    for code in letters or b"A":
        number = number * 26 + code - 64
    return number


def check_size(size):
    maximum = limit("SPREADSHEET_MAX_UPLOAD_BYTES")
    if size > maximum:
        raise SpreadsheetError(f"文件大小 {size / MB:.1f} MB，超过上限 {maximum / MB:.0f} MB。")
    if size == 0:
        raise SpreadsheetError("文件是空的。")


def check_xlsx(path):
    """Raise SpreadsheetError unless `path` is a well-formed, reasonably sized .xlsx workbook.

    Reads only the zip directory and the first bytes of each worksheet, never the whole file.
    """
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        check_size(handle.tell())
        handle.seek(0)
        magic = handle.read(4)
    if magic != b"PK\x03\x04":
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise SpreadsheetError("这是旧版 Excel（.xls）或加密文件，请在 Excel 中另存为 .xlsx 后再上传。")
        raise SpreadsheetError("文件不是 Excel 工作簿（.xlsx）。请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后再上传。")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。") from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise SpreadsheetError("文件不是 Excel 工作簿（.xlsx）：缺少工作簿结构。可能是其他格式改了扩展名。")
        if not any(name.startswith("xl/worksheets/") for name in names):
            raise SpreadsheetError("工作簿中没有工作表。")
        total = sum(info.file_size for info in infos)
        maximum = limit("SPREADSHEET_MAX_UNCOMPRESSED_BYTES")
        if total > maximum:
            raise SpreadsheetError(
                f"文件解压后达 {total / MB:.0f} MB，超过上限 {maximum / MB:.0f} MB，疑似压缩炸弹或异常文件，已拒绝。"
            )
        ratio = limit("SPREADSHEET_MAX_RATIO")
        for info in infos:
            if info.file_size > MB and info.file_size > ratio * max(info.compress_size, 1):
                raise SpreadsheetError(
                    f"文件中的“{info.filename}”压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），"
                    "疑似压缩炸弹或含有大量空白格式行，已拒绝。请删除多余的空行后另存再上传。"
                )
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _check_dimension(archive, info)


def _check_dimension(archive, info):
    try:
        with archive.open(info) as member:
            head = member.read(4096)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        raise SpreadsheetError("文件已损坏，无法读取工作表。") from None
    match = _DIMENSION.search(head)
    if not match or not match.group(4):
        return
    rows = int(match.group(4))
    columns = _column_number(match.group(3))
    if rows > limit("SPREADSHEET_MAX_ROWS") + 100:
        raise SpreadsheetError(
            f"工作表的范围达到 {rows} 行，超过上限 {limit('SPREADSHEET_MAX_ROWS')} 行。"
            "若表格下方有大量空白但带格式的行，请在 Excel 中选中这些行删除后另存再上传。"
        )
    if columns > limit("SPREADSHEET_MAX_COLUMNS"):
        raise SpreadsheetError(f"工作表的范围达到 {columns} 列，超过上限 {limit('SPREADSHEET_MAX_COLUMNS')} 列。")
