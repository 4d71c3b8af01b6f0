"""The one display format of scores in the assessment pages: `{{ value|score }}` → 89.5, 85, 0.5."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def score_text(value):
    """A Decimal (or number text) without trailing zeros: 89.50 → "89.5", 85.00 → "85", None → ""."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def score(value, default=""):
    """`{{ a.total_score|score }}`; `{{ x|score:"—" }}` shows the default for a missing value."""
    text = score_text(value)
    return text if text != "" else default
