import zipfile

import pytest

from sanding.spreadsheets.importers.ledger import LEDGER_LAYOUT
from sanding.spreadsheets.reading import SheetReader
from sanding.spreadsheets.safety import SpreadsheetError, check_xlsx

HEADER = ["序号", "问题类别", "问题描述", "责任单位", "整改措施", "整改时限"]


def refused(path):
    with pytest.raises(SpreadsheetError) as error:
        check_xlsx(path)
    return str(error.value)


def test_not_a_zip(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"<html>not a workbook</html>")
    assert refused(path) == "文件不是 Excel 工作簿（.xlsx）。请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后再上传。"


def test_old_xls_or_encrypted(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert refused(path) == "这是旧版 Excel（.xls）或加密文件，请在 Excel 中另存为 .xlsx 后再上传。"


def test_zip_without_workbook_parts(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(path) == "文件不是 Excel 工作簿（.xlsx）：缺少工作簿结构。可能是其他格式改了扩展名。"


def test_truncated_zip(tmp_path, make_xlsx):
    good = make_xlsx([HEADER])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:300])
    assert refused(path) == "文件已损坏，无法作为 Excel 工作簿（.xlsx）打开。"


def test_zip_bomb_by_ratio(tmp_path, make_xlsx):
    good = make_xlsx([HEADER])
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    assert refused(path) == (
        "文件中的“xl/media/padding.bin”压缩比异常（1028 倍），疑似压缩炸弹或含有大量空白格式行，已拒绝。"
        "请删除多余的空行后另存再上传。"
    )


def test_zip_bomb_by_total_size(tmp_path, make_xlsx, settings):
    settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 1024
    assert refused(make_xlsx([HEADER])).startswith("文件解压后达 0 MB，超过上限 0 MB，疑似压缩炸弹或异常文件，已拒绝。")


def test_many_empty_styled_rows_are_refused_by_dimension(make_xlsx, settings):
    settings.SPREADSHEET_MAX_ROWS = 1000
    path = make_xlsx([HEADER, [1, "编制人员管理", "问题", "市统计局", "措施", "2025年底"]], styled_empty_rows=5000)
    assert refused(path) == (
        "工作表的范围达到 5002 行，超过上限 1000 行。若表格下方有大量空白但带格式的行，请在 Excel 中选中这些行删除后另存再上传。"  # noqa: E501
    )


def test_long_run_of_blank_rows_ends_the_table(make_xlsx, settings):
    settings.SPREADSHEET_MAX_EMPTY_RUN = 20
    rows = [HEADER, [1, "编制人员管理", "问题", "市统计局", "措施", "2025年底"]]
    rows += [[" ", "　"]] * 50 + [[2, "编制人员管理", "远处的行", "市统计局", "措施", "2025年底"]]
    reader = SheetReader(make_xlsx(rows), LEDGER_LAYOUT)
    assert [r.number for r in reader.rows()] == [2]


def test_header_found_on_the_data_sheet_among_extra_sheets(make_xlsx):
    path = make_xlsx(
        [["标题"], ["填报单位：某局"], HEADER],
        sheet="台账",
        first_sheets={"填表说明": [["说明"], ["问题描述：写清楚"]], "汇总": [["合计", 3]]},
    )
    reader = SheetReader(path, LEDGER_LAYOUT)
    assert (reader.header.sheet, reader.header.row_index) == ("台账", 2)


def test_missing_required_column_is_named(make_xlsx):
    with pytest.raises(SpreadsheetError) as error:
        SheetReader(make_xlsx([["序号", "问题描述", "责任单位", "整改措施"]]), LEDGER_LAYOUT)
    assert str(error.value) == "工作表“Sheet1”第1行的表头缺少必需的列：整改时限。"


def test_no_header_at_all(make_xlsx):
    with pytest.raises(SpreadsheetError) as error:
        SheetReader(make_xlsx([["随便"], ["什么"]]), LEDGER_LAYOUT)
    assert str(error.value) == (
        "没有找到问题整改台账的表头：应有“问题描述”“责任单位”“整改措施”“整改时限”等列。若数据在其他工作表，请指定工作表名称。"
    )


def test_unknown_sheet_name(make_xlsx):
    with pytest.raises(SpreadsheetError) as error:
        SheetReader(make_xlsx([HEADER]), LEDGER_LAYOUT, sheet="台账2")
    assert str(error.value) == "工作簿中没有名为“台账2”的工作表（现有：Sheet1）。"


def test_rows_skip_sections_totals_and_notes(make_xlsx):
    rows = [
        HEADER,
        ["一、部门间职责边界不清（2项）"],
        [1, None, "问题甲", "市统计局", "措施", "2025年底"],
        [None],
        ["（二）编制人员管理"],
        [2, None, "问题乙", "市统计局", "措施", "2025年底"],
        [None, "合计", None, None, None, "2项"],
        ["注：本表由各部门填报。"],
        [3, None, "注释后的内容", "市统计局", "措施", "2025年底"],
    ]
    reader = SheetReader(make_xlsx(rows), LEDGER_LAYOUT)
    assert [(r.number, r.section, r.values["description"]) for r in reader.rows()] == [
        (3, "部门间职责边界不清", "问题甲"),
        (6, "编制人员管理", "问题乙"),
    ]


def test_broken_sheet_xml_gets_a_chinese_message_only(tmp_path, make_xlsx):
    good = make_xlsx([HEADER, [1, "编制人员管理", "借用人员", "市统计局", "清退", "2025.6.30"]])
    path = tmp_path / "badxml.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"<row r=")
            archive.writestr(info, data)
    with pytest.raises(SpreadsheetError) as error:
        list(SheetReader(path, LEDGER_LAYOUT).rows())
    assert str(error.value) == (
        "无法读取工作表“Sheet1”：文件内容已损坏或不是 Excel 保存的标准格式，请用 Excel 打开后另存为 .xlsx 再上传。"
    )
