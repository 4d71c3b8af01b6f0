from decimal import Decimal

import pytest

from sanding.assessment import scoring
from sanding.assessment.choices import ScoringRule

D = Decimal


def rule(kind, max_points, **kw):
    return scoring.Rule(kind=kind, max_points=D(max_points), **{k: D(v) for k, v in kw.items()})


def test_yes_no_gives_full_or_zero():
    r = rule(ScoringRule.YES_NO, "5")
    assert scoring.item_score(r, "1") == D("5")
    assert scoring.item_score(r, "0") == D("0")
    with pytest.raises(scoring.ScoreError, match="请选择"):
        scoring.item_score(r, "2")


def test_scale_accepts_steps_within_range():
    r = rule(ScoringRule.SCALE, "8", step="0.5")
    assert scoring.item_score(r, "7.5") == D("7.5")
    assert scoring.item_score(r, "0") == D("0")
    assert scoring.item_score(r, "8") == D("8")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8.5", "得分须在 0 至 8 分之间。"),
        ("-0.5", "得分须在 0 至 8 分之间。"),
        ("7.3", "得分须为 0.5 分的整数倍。"),
        ("abc", "“abc”不是有效的数字。"),
    ],
)
def test_scale_rejects_bad_input(value, message):
    with pytest.raises(scoring.ScoreError) as error:
        scoring.item_score(rule(ScoringRule.SCALE, "8", step="0.5"), value)
    assert str(error.value) == message


def test_deduction_subtracts_per_finding_and_floors_at_zero():
    r = rule(ScoringRule.DEDUCTION, "6", deduction="2")
    assert scoring.item_score(r, "0") == D("6")
    assert scoring.item_score(r, "2") == D("2")
    assert scoring.item_score(r, "3") == D("0")
    assert scoring.item_score(r, "10") == D("0")
    assert scoring.deduction_score(D("4"), D("0.5"), 3) == D("2.5")


def test_deduction_needs_a_whole_non_negative_count():
    r = rule(ScoringRule.DEDUCTION, "6", deduction="2")
    with pytest.raises(scoring.ScoreError, match="整数"):
        scoring.item_score(r, "1.5")
    with pytest.raises(scoring.ScoreError, match="负数"):
        scoring.item_score(r, "-1")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        scoring.to_decimal(1.5)


ITEMS = [
    scoring.ItemLine(1, 10, D("10")),
    scoring.ItemLine(2, 10, D("10")),
    scoring.ItemLine(3, 20, D("20")),
    scoring.ItemLine(4, 20, None),  # does not apply to the category
]


def test_totals_and_section_subtotals():
    answers = {
        1: scoring.AnswerLine(1, score=D("10")),
        2: scoring.AnswerLine(2, score=D("5")),
        3: scoring.AnswerLine(3, score=D("15")),
    }
    result = scoring.compute(ITEMS, answers, [])
    assert result.total == D("30")
    assert result.max_points == D("40")
    assert result.percentage == D("75.00")
    assert (result.sections[10].score, result.sections[10].max_points) == (D("15"), D("20"))
    assert (result.sections[20].score, result.sections[20].max_points) == (D("15"), D("20"))
    assert result.missing == []


def test_not_applicable_rescales_over_applicable_points():
    answers = {
        1: scoring.AnswerLine(1, score=D("10")),
        2: scoring.AnswerLine(2, score=D("5")),
        3: scoring.AnswerLine(3, not_applicable=True),
    }
    result = scoring.compute(ITEMS, answers, [])
    assert result.total == D("15")
    assert result.max_points == D("20")
    assert result.percentage == D("75.00")
    assert result.sections[20].max_points == D("0")
    assert result.sections[20].percentage is None


def test_everything_not_applicable_has_no_percentage():
    answers = {i: scoring.AnswerLine(i, not_applicable=True) for i in (1, 2, 3)}
    result = scoring.compute(ITEMS, answers, scoring_bands())
    assert result.percentage is None
    assert result.band is None


def test_percentage_rounds_half_up_to_two_places():
    assert scoring.percentage(D("2"), D("3")) == D("66.67")
    assert scoring.percentage(D("1"), D("8")) == D("12.50")
    assert scoring.percentage(D("0.00045"), D("1")) == D("0.05")


def scoring_bands():
    return [scoring.Band(p, label, stars) for p, label, stars in scoring.DEFAULT_BANDS]


@pytest.mark.parametrize(
    ("pct", "stars"),
    [
        ("100", 5),
        ("90.00", 5),
        ("89.99", 4),
        ("80", 4),
        ("79.99", 3),
        ("70", 3),
        ("69.99", 2),
        ("60", 2),
        ("59.99", 1),
        ("0", 1),
    ],
)
def test_default_star_thresholds_at_the_boundaries(pct, stars):
    assert scoring.grade(D(pct), scoring_bands()).stars == stars


def test_named_bands():
    bands = [
        scoring.Band(D("85"), "优秀"),
        scoring.Band(D("70"), "良好"),
        scoring.Band(D("60"), "一般"),
        scoring.Band(D("0"), "较差"),
    ]
    assert [scoring.grade(D(p), bands).label for p in ("85", "84.99", "70", "60", "59.99")] == [
        "优秀",
        "良好",
        "良好",
        "一般",
        "较差",
    ]


def test_veto_gives_the_lowest_band_whatever_the_score():
    items = [scoring.ItemLine(1, 1, D("96")), scoring.ItemLine(2, 1, D("4"), is_veto=True, text="未擅自增设内设机构")]
    answers = {1: scoring.AnswerLine(1, score=D("96")), 2: scoring.AnswerLine(2, score=D("0"))}
    result = scoring.compute(items, answers, scoring_bands())
    assert result.percentage == D("96.00")
    assert result.band.label == "★"
    assert result.veto_reason == "一票否决：未擅自增设内设机构"


def test_veto_item_at_full_marks_does_not_trigger():
    items = [scoring.ItemLine(1, 1, D("96")), scoring.ItemLine(2, 1, D("4"), is_veto=True, text="x")]
    answers = {1: scoring.AnswerLine(1, score=D("96")), 2: scoring.AnswerLine(2, score=D("4"))}
    result = scoring.compute(items, answers, scoring_bands())
    assert result.band.stars == 5
    assert result.vetoes == []


def test_unanswered_items_count_in_the_maximum_and_are_reported():
    result = scoring.compute(ITEMS, {1: scoring.AnswerLine(1, score=D("10"))}, [])
    assert result.total == D("10")
    assert result.max_points == D("40")
    assert result.missing == [2, 3]


def test_ties_share_a_rank():
    values = {"a": D("95"), "b": D("90"), "c": D("90"), "d": D("85"), "e": None}
    assert scoring.rank(values) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_rank_all_tied():
    assert scoring.rank({"a": D("80"), "b": D("80"), "c": D("80")}) == {"a": 1, "b": 1, "c": 1}
