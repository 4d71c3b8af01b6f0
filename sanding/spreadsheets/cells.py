"""Cell values as real government sheets hold them: text normalisation, numbers, dates, yes/no flags.

Every parser takes the raw value the reader gives (str, float, int, bool, date, datetime or None) and
returns a clean Python value or raises `CellError` with a Chinese reason.
"""

import calendar
import datetime
import re
import unicodedata
from functools import lru_cache

EXCEL_EPOCH = datetime.date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user beside the cell."""


# Full-width digits, Latin letters and the ideographic space become half-width; Chinese punctuation
# inside free text (，；（）) is kept, so text survives an export → import round trip unchanged.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
_HALF_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})
_HALF_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
_HALF_WIDTH.update({0x3000: 0x20, 0xA0: 0x20})
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_ALL_SPACE = re.compile(r"\s+")


_NEEDS_WORK = re.compile(r"[\uff10-\uff5a\u3000\u00a0\r\n\t]|  |^ | $")


def text(value):
    """Free text: half-width digits and letters, no stray spaces, lines kept."""
    if value is None:
        return ""
    if type(value) is str:
        return value if _NEEDS_WORK.search(value) is None else _clean(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _clean(str(value))


def _clean(value):
    value = value.translate(_HALF_WIDTH).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in value.split("\n"))
    return "\n".join(line for line in lines if line)


def key(value):
    """A comparison key for names and labels: NFKC (all full-width → half-width), no whitespace at all."""
    if type(value) is str:
        return _key_str(value)
    return _key_str(text(value))


@lru_cache(maxsize=50_000)
def _key_str(value):
    return _ALL_SPACE.sub("", unicodedata.normalize("NFKC", value)).lower()


BLANK = " \t\r\n\u3000\u00a0"


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip(BLANK))


def filled(values):
    """The values of a row that are not empty (`is_empty` inlined: called for every cell of a file)."""
    return [v for v in values if (v.strip(BLANK) if type(v) is str else v is not None)]


def cached(parser):
    """The parser, remembering its answer (or its CellError) per raw value: a file repeats its units,
    deadlines and dates thousands of times. Types are kept apart (1, 1.0 and True are different cells).
    """
    results = {}

    def parse(value):
        try:
            entry = results[type(value), value]
        except KeyError:
            try:
                entry = (parser(value), None)
            except CellError as error:
                entry = (None, str(error))
            if len(results) < 50_000:
                results[type(value), value] = entry
        except TypeError:  # unhashable: not remembered
            return parser(value)
        if entry[1] is not None:
            raise CellError(entry[1])
        return entry[0]

    parse.__doc__, parse.__name__, parse.uncached = parser.__doc__, parser.__name__, parser
    return parse


def integer(value):
    """A non-negative whole number: 12, 12.0, "12", "１２", "12人"; empty is 0."""
    if is_empty(value):
        return 0
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, (int, float)):
        number = value
    else:
        raw = key(value).removesuffix("人").removesuffix("名").removesuffix("个").replace(",", "")
        try:
            number = float(raw)
        except ValueError:
            raise CellError(f"“{text(value)}”不是数字") from None
    if number != int(number):
        raise CellError(f"“{text(value)}”应为整数")
    if number < 0:
        raise CellError("数量不能为负数")
    return int(number)


YES = {"是", "√", "✓", "✔", "y", "yes", "已销号", "已销", "销号", "1", "true", "有", "已设", "已设置", "已挂"}
NO = {"否", "×", "✗", "n", "no", "未销号", "未销", "0", "false", "无", "未设", "未设置", "未挂", ""}


def flag(value):
    """是/否, √/×, 已销号/未销号; empty is False."""
    if isinstance(value, bool):
        return value
    word = key(value)
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(f"“{text(value)}”应为“是”或“否”")


KIND_DEADLINE, KIND_IMMEDIATE, KIND_ONGOING = "期限", "立行立改", "长期坚持"
_KIND_WORDS = {
    "立行立改": KIND_IMMEDIATE,
    "立即整改": KIND_IMMEDIATE,
    "长期坚持": KIND_ONGOING,
    "长期": KIND_ONGOING,
    "持续推进": KIND_ONGOING,
    "常态化": KIND_ONGOING,
}
_YMD = re.compile(r"^(\d{4})[年./\-](\d{1,2})[月./\-](\d{1,2})[日号]?(?:前|之前)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YM_END = re.compile(r"^(\d{4})[年./\-](\d{1,2})月?(?:底|末|份|月底)?(?:前|之前)?$")
_Y_END = re.compile(r"^(\d{4})年?(?:底|末|年底|年末)(?:前|之前)?$")
_Y_HALF = re.compile(r"^(\d{4})年?(上半年|下半年)(?:前|之前)?$")


def _year(value):
    year = int(value)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise CellError(f"{value}年不是有效年份")
    return year


def _make_date(year, month, day):
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise CellError(f"{year}年{month}月{day}日不是有效日期") from None


def _month_end(year, month):
    year, month = _year(year), int(month)
    if not 1 <= month <= 12:
        raise CellError(f"{month}月不是有效月份")
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def date(value):
    """A date from an Excel date, an Excel serial number or text; empty is None.

    Text forms: 2025年6月30日, 2025.6.30, 2025/6/30, 2025-6-30, 20250630, 2025年6月底 (month end),
    2025年底 (31 December), 2025年上半年 (30 June).
    """
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError("不是日期")
    if isinstance(value, (int, float)):
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(f"“{value}”不是有效的 Excel 日期")
    raw = key(value)
    if match := _YMD.match(raw) or _YMD_COMPACT.match(raw):
        return _make_date(*match.groups())
    if match := _YM_END.match(raw):
        return _month_end(*match.groups())
    if match := _Y_END.match(raw):
        return datetime.date(_year(match.group(1)), 12, 31)
    if match := _Y_HALF.match(raw):
        year = _year(match.group(1))
        return datetime.date(year, 6, 30) if match.group(2) == "上半年" else datetime.date(year, 12, 31)
    if re.match(r"^\d{1,2}月(底|末)?$", raw):
        raise CellError(f"“{text(value)}”缺少年份，请写成如 2025年6月30日")
    raise CellError(f"“{text(value)}”不是可识别的日期（可写作 2025年6月30日、2025.6.30、2025/6/30、2025年底）")


def deadline(value):
    """(kind, date) for a 整改时限 cell: 立行立改 and 长期坚持 are kinds, anything else a dated deadline.

    立行立改 may carry the date it must be done by (“立行立改（2025年6月30日前）”, “立行立改 2025-06-30”).
    """
    kind, when, _ = term(value)
    return kind, when


_BRACKETS = str.maketrans("", "", "()[]【】〔〕,，:：;；")
_INTERVAL = re.compile(r"^(?:每|复查周期|周期)?(\d+)(?:天|日)(?:复查|一查|检查|一次)?$")


def term(value):
    """(kind, date, review interval in days) for a 整改时限 cell, as the ledger export writes it.

    - an Excel date or a date in text → (期限, date, None);
    - 立行立改 → (立行立改, None, None); 立行立改（2025年6月30日前）or 立行立改 2025-06-30 → (立行立改, date, None);
    - 长期坚持 → (长期坚持, None, None); 长期坚持（每90天复查）→ (长期坚持, None, 90);
    - empty → ("", None, None).

    Text after the word that holds no digit (“立行立改，边查边改”) is a remark and ignored; text with digits
    must be a date (立行立改) or an interval (长期坚持), so a mistyped date is never dropped silently.
    """
    word = key(value)
    for prefix, kind in _KIND_WORDS.items():
        if word.startswith(prefix):
            rest = word[len(prefix) :].translate(_BRACKETS)
            if not re.search(r"\d", rest):
                return kind, None, None
            if kind == KIND_IMMEDIATE:
                return kind, _immediate_date(rest), None
            return kind, None, _interval(rest)
    when = date(value)
    return (KIND_DEADLINE, when, None) if when else ("", None, None)


def _immediate_date(rest):
    rest = rest.removeprefix("须").removeprefix("于").removeprefix("在")
    try:
        return date(rest)
    except CellError:
        raise CellError(
            f"“立行立改”后的“{rest}”不是可识别的日期（可写作 立行立改（2025年6月30日前）或 立行立改 2025-06-30）"
        ) from None


def _interval(rest):
    match = _INTERVAL.match(rest)
    if match is None:
        raise CellError(f"“长期坚持”不设整改时限；括号中只能写复查周期，如 长期坚持（每90天复查），而不是“{rest}”")
    days = int(match.group(1))
    if days <= 0:
        raise CellError("复查周期应为正整数天数")
    return days


def excel_serial(when):
    return (when - EXCEL_EPOCH).days


# Deadlines and dates repeat across a file's rows: parse each distinct cell once.
date = cached(date)
term = cached(term)
