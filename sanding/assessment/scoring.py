"""Every score the assessment computes, in one place, with Decimal only.

Pure functions over small value objects: no database access, so the rules are unit-tested directly and
the same code serves the department form, review, approval, the round page and the benchmark.

- item scores: yes/no (full or zero), scale (0..max in steps), deduction (max − per × findings, floored
  at zero);
- totals: Σ score over applicable items; percentage = Σ score / Σ max of applicable items × 100;
- section subtotals the same way per section;
- grade: vetoes first (the lowest band), else the highest band whose threshold the percentage reaches;
- rank: competition ranking by percentage within a group, ties share (1, 2, 2, 4).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .choices import ScoringRule

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

DEFAULT_BANDS = [
    # (minimum percentage, label, stars)
    (Decimal("90"), "★★★★★", 5),
    (Decimal("80"), "★★★★", 4),
    (Decimal("70"), "★★★", 3),
    (Decimal("60"), "★★", 2),
    (Decimal("0"), "★", 1),
]


class ScoreError(ValueError):
    """An input that the item's scoring rule does not allow; the message is shown to the user."""


def to_decimal(value):
    """Parse user input ("8", "7.5", Decimal) into a Decimal; None for blank; ScoreError otherwise."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("scores are never floats")
    text = str(value).strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ScoreError(f"“{text}”不是有效的数字。") from None
    if not number.is_finite():
        raise ScoreError(f"“{text}”不是有效的数字。")
    return number


@dataclass(frozen=True)
class Rule:
    """How one item is scored, with its maximum for the department's category."""

    kind: str
    max_points: Decimal
    step: Decimal | None = None
    deduction: Decimal | None = None


def deduction_score(max_points, per_finding, findings):
    """扣分制: max − per × findings, never below zero."""
    if findings < 0:
        raise ScoreError("问题处数不能为负数。")
    return max(max_points - per_finding * findings, ZERO)


def item_score(rule, value):
    """The score an input earns under `rule`.

    `value` is, by rule: yes/no → a truthy/falsy flag ("1"/"0", True/False); scale → the score itself;
    deduction → the number of findings (an integer). Raises ScoreError with a Chinese message.
    """
    if rule.kind == ScoringRule.YES_NO:
        if value in (True, 1, "1", "yes", "是"):
            return rule.max_points
        if value in (False, 0, "0", "no", "否"):
            return ZERO
        raise ScoreError("请选择“是”或“否”。")
    if rule.kind == ScoringRule.SCALE:
        score = to_decimal(value)
        if score is None:
            raise ScoreError("请填写得分。")
        if score < 0 or score > rule.max_points:
            raise ScoreError(f"得分须在 0 至 {_fmt(rule.max_points)} 分之间。")
        step = rule.step or Decimal("1")
        if score % step != 0:
            raise ScoreError(f"得分须为 {_fmt(step)} 分的整数倍。")
        return score
    if rule.kind == ScoringRule.DEDUCTION:
        findings = to_decimal(value)
        if findings is None:
            raise ScoreError("请填写发现问题的处数（没有问题填 0）。")
        if findings != findings.to_integral_value():
            raise ScoreError("问题处数须为整数。")
        return deduction_score(rule.max_points, rule.deduction or ZERO, int(findings))
    raise ScoreError("未知的评分方式。")


def percentage(score, max_points):
    """Σ score / Σ max × 100, to two places (half up); None when nothing applies."""
    if not max_points:
        return None
    return (score / max_points * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemLine:
    """One item as it applies to one department: `max_points` None means 不适用 for its category."""

    item_id: int
    section_id: int
    max_points: Decimal | None
    is_veto: bool = False
    text: str = ""


@dataclass(frozen=True)
class AnswerLine:
    item_id: int
    not_applicable: bool = False
    score: Decimal | None = None


@dataclass(frozen=True)
class Band:
    min_percent: Decimal
    label: str
    stars: int = 0


@dataclass
class Subtotal:
    score: Decimal = ZERO
    max_points: Decimal = ZERO

    @property
    def percentage(self):
        return percentage(self.score, self.max_points)


@dataclass
class Result:
    total: Decimal
    max_points: Decimal
    percentage: Decimal | None
    sections: dict = field(default_factory=dict)  # section id -> Subtotal
    band: Band | None = None
    vetoes: list = field(default_factory=list)  # texts of the veto items triggered
    missing: list = field(default_factory=list)  # item ids applicable but unscored

    @property
    def veto_reason(self):
        return "；".join(f"一票否决：{text}" for text in self.vetoes)


def grade(pct, bands, *, vetoed=False):
    """The band for a percentage: vetoes first (the lowest band), else the highest band reached."""
    ordered = sorted(bands, key=lambda b: b.min_percent, reverse=True)
    if not ordered:
        return None
    if vetoed:
        return ordered[-1]
    if pct is None:
        return None
    for band in ordered:
        if pct >= band.min_percent:
            return band
    return ordered[-1]


def compute(items: Iterable[ItemLine], answers: Mapping[int, AnswerLine], bands: Iterable[Band]):
    """Total, percentage, section subtotals, vetoes and grade of one form.

    An item is left out of the maximum when it does not apply to the department's category
    (`max_points` None) or the answer is 不适用. A veto item is triggered when it applies and scores below
    its maximum.
    """
    total = ZERO
    max_total = ZERO
    sections = {}
    vetoes = []
    missing = []
    for item in items:
        subtotal = sections.setdefault(item.section_id, Subtotal())
        if item.max_points is None:
            continue
        answer = answers.get(item.item_id)
        if answer is not None and answer.not_applicable:
            continue
        subtotal.max_points += item.max_points
        max_total += item.max_points
        if answer is None or answer.score is None:
            missing.append(item.item_id)
            continue
        subtotal.score += answer.score
        total += answer.score
        if item.is_veto and answer.score < item.max_points:
            vetoes.append(item.text)
    pct = percentage(total, max_total)
    return Result(
        total=total,
        max_points=max_total,
        percentage=pct,
        sections=sections,
        band=grade(pct, list(bands), vetoed=bool(vetoes)),
        vetoes=vetoes,
        missing=missing,
    )


def rank(values: Mapping):
    """Competition ranking, highest first; equal values share a rank (1, 2, 2, 4). None is unranked."""
    ordered = sorted(((v, k) for k, v in values.items() if v is not None), key=lambda p: p[0], reverse=True)
    ranks = {}
    previous = None
    current_rank = 0
    for position, (value, key) in enumerate(ordered, start=1):
        if value != previous:
            current_rank = position
            previous = value
        ranks[key] = current_rank
    return ranks


def average(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return (sum(values, ZERO) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def _fmt(number):
    """7.50 -> "7.5", 10.00 -> "10" for messages."""
    text = format(number.normalize(), "f")
    return text
