import datetime

import pytest

from sanding.spreadsheets import cells
from sanding.spreadsheets.cells import date
from sanding.spreadsheets.importers.registry import split_aliases
from sanding.spreadsheets.units import UnitResolver, split_units
from tests.factories import DepartmentFactory


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime.datetime(2025, 6, 30), datetime.date(2025, 6, 30)),
        (datetime.date(2025, 6, 30), datetime.date(2025, 6, 30)),
        (45838.0, datetime.date(2025, 6, 30)),
        (45838, datetime.date(2025, 6, 30)),
        ("2025年6月30日", datetime.date(2025, 6, 30)),
        ("２０２５年６月３０日", datetime.date(2025, 6, 30)),
        ("2025.6.30", datetime.date(2025, 6, 30)),
        ("2025/6/30", datetime.date(2025, 6, 30)),
        ("2025-6-30", datetime.date(2025, 6, 30)),
        (" 2025 年 6 月 30 日前 ", datetime.date(2025, 6, 30)),
        ("20250630", datetime.date(2025, 6, 30)),
        ("2025年底", datetime.date(2025, 12, 31)),
        ("2025年6月底", datetime.date(2025, 6, 30)),
        ("2024年2月底", datetime.date(2024, 2, 29)),
        ("2025年上半年", datetime.date(2025, 6, 30)),
        ("", None),
        (None, None),
    ],
)
def test_date_every_form(raw, expected):
    assert cells.date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("6月底", "“6月底”缺少年份，请写成如 2025年6月30日"),
        ("2025年2月30日", "2025年2月30日不是有效日期"),
        ("尽快", "“尽快”不是可识别的日期（可写作 2025年6月30日、2025.6.30、2025/6/30、2025年底）"),
        ("0000年底", "0000年不是有效年份"),
        ("0000年6月底", "0000年不是有效年份"),
        ("0000上半年", "0000年不是有效年份"),
    ],
)
def test_date_bad_text_explains(raw, message):
    with pytest.raises(cells.CellError) as error:
        cells.date(raw)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("立行立改", ("立行立改", None)),
        ("长期坚持", ("长期坚持", None)),
        (" 长期坚持 ", ("长期坚持", None)),
        ("2025年底", ("期限", datetime.date(2025, 12, 31))),
        (45838.0, ("期限", datetime.date(2025, 6, 30))),
        (None, ("", None)),
    ],
)
def test_deadline_kinds_and_dates(raw, expected):
    assert cells.deadline(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("√", True), ("已销号", True), ("否", False), ("", False), (None, False), ("未销号", False)],
)
def test_flag_forms(raw, expected):
    assert cells.flag(raw) == expected


def test_flag_unknown_word_is_an_error():
    with pytest.raises(cells.CellError) as error:
        cells.flag("差不多")
    assert str(error.value) == "“差不多”应为“是”或“否”"


def test_text_half_width_and_stray_spaces_keep_chinese_punctuation():
    assert cells.text("  ＡＢＣ１２３　问题，描述  \n 第二行 ") == "ABC123 问题，描述\n第二行"
    assert cells.text(12.0) == "12"


def test_integer_forms():
    assert [cells.integer(v) for v in (12, 12.0, "１２", "12人", None, "")] == [12, 12, 12, 12, 0, 0]
    with pytest.raises(cells.CellError) as error:
        cells.integer("-3")
    assert str(error.value) == "数量不能为负数"


def test_split_units_keeps_remarks_whole():
    assert split_units("市市场监管局（市食安办、市药监）、市统计局，市应急局；市公安局, 市财政局") == [
        "市市场监管局（市食安办、市药监）",
        "市统计局",
        "市应急局",
        "市公安局",
        "市财政局",
    ]


@pytest.fixture
def resolver(department, other_department):
    department.aliases = "市场监管局、市食药监局"
    department.save()
    return UnitResolver.for_region(department.region)


def test_resolver_full_short_alias_remark_and_spaces(resolver, department, other_department):
    assert resolver.resolve_one("云州市市场监督管理局") == department
    assert resolver.resolve_one("市市场监管局") == department
    assert resolver.resolve_one("市食药监局") == department
    assert resolver.resolve_one("云州市市场监督管理局（市食安办）") == department
    assert resolver.resolve_one(" 云州市 市场监督管理局 ") == department
    assert resolver.resolve_one("市场监督管理局") == department  # full name without the region prefix
    assert resolver.resolve("市市场监管局、市统计局") == (department, (other_department,))


def test_resolver_unknown_unit_suggests_nearest(resolver):
    with pytest.raises(cells.CellError) as error:
        resolver.resolve_one("云州市市场监督管局")
    assert str(error.value) == "未找到单位“云州市市场监督管局”，是否为：云州市市场监督管理局？"


def test_resolver_shared_alias_is_ambiguous(city, department, other_department):
    department.aliases = "统计监管"
    department.save()
    other_department.aliases = "统计监管"
    other_department.save()
    DepartmentFactory(region=city, name="云州市别的局")
    resolver = UnitResolver.for_region(city)
    with pytest.raises(cells.CellError) as error:
        resolver.resolve_one("统计监管")
    assert str(error.value) == "“统计监管”可能是多个单位（云州市市场监督管理局、云州市统计局），请写全称"


def test_date_written_with_hao_is_a_date():

    assert date("2026年12月31号") == datetime.date(2026, 12, 31)


def test_aliases_split_on_every_separator_a_sheet_uses():
    assert split_aliases("数据局；市政务数据办、 大数据中心,|") == ["数据局", "市政务数据办", "大数据中心"]


def test_cached_parser_keeps_types_apart_and_repeats_its_error():
    calls = []

    def parse(value):
        calls.append(value)
        if value == "坏":
            raise cells.CellError("坏值")
        return type(value).__name__

    cached = cells.cached(parse)
    assert [cached(1), cached(1.0), cached(True), cached(1)] == ["int", "float", "bool", "int"]
    for _ in range(2):
        with pytest.raises(cells.CellError, match="坏值"):
            cached("坏")
    assert cached(["unhashable"]) == "list"
    assert calls == [1, 1.0, True, "坏", ["unhashable"]]
