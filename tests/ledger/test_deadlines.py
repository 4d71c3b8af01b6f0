"""逾期, 临期 and 亮灯: the SQL expressions and their Python twins agree on a grid of cases.

Each case builds one row per (deadline, kind, status) the database constraints allow, on one date and one
warning window, then asks the database once per expression and compares with the Python twin per row.
"""

import datetime

import pytest
from django.db.models import Count

from sanding.ledger import deadlines
from sanding.ledger.choices import Kind, Light, Status
from sanding.ledger.models import Rectification
from sanding.ledger.reminders import due_items

from .factories import IssueFactory, RectificationFactory

pytestmark = pytest.mark.django_db

# Today's dates: an ordinary day, a year's end, a leap February, a month's first day.
DATES = [
    datetime.date(2026, 11, 23),
    datetime.date(2026, 12, 31),
    datetime.date(2024, 2, 28),
    datetime.date(2026, 3, 1),
]
WARNING_DAYS = [0, 3, 7]
# Deadlines in days from today (None: no deadline): long past, yesterday, today, and each side of every
# warning window above and of the reminders' 7 days.
OFFSETS = [None, -365, -1, 0, 1, 2, 3, 4, 7, 8, 60]
REMINDER_DAYS = 7


def _grid(on):
    """Every (kind, deadline, status) the constraints allow: 期限 has a deadline, 长期坚持 never."""
    for kind in Kind.values:
        for offset in OFFSETS:
            if (kind == Kind.DEADLINE and offset is None) or (kind == Kind.ONGOING and offset is not None):
                continue
            deadline = None if offset is None else on + datetime.timedelta(days=offset)
            for status in Status.values:
                yield kind, deadline, status


def _rows(on):
    issue = IssueFactory()
    rows = [
        RectificationFactory.build(
            issue=issue,
            seq=i,
            kind=kind,
            deadline=deadline,
            review_interval_days=90 if kind == Kind.ONGOING else None,
            status=status,
        )
        for i, (kind, deadline, status) in enumerate(_grid(on), start=1)
    ]
    Rectification.objects.bulk_create(rows)
    return list(Rectification.objects.filter(issue=issue).order_by("pk"))


def _pks(queryset):
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("warning", WARNING_DAYS)
@pytest.mark.parametrize("on", DATES, ids=str)
def test_sql_and_python_agree(settings, on, warning):
    settings.LEDGER_WARNING_DAYS = warning
    items = _rows(on)
    every = Rectification.objects.filter(pk__in=[r.pk for r in items])
    # name: (the rows SQL selects, the Python twin)
    predicates = {
        "overdue": (deadlines.overdue_q(on), lambda r: deadlines.is_overdue(r, on)),
        "not_overdue": (deadlines.not_overdue_q(on), lambda r: not deadlines.is_overdue(r, on)),
        "due_soon": (deadlines.due_soon_q(on), lambda r: deadlines.is_due_soon(r, on)),
        "due_within": (
            deadlines.due_within_q(REMINDER_DAYS, on),
            lambda r: deadlines.is_due_within(r, REMINDER_DAYS, on),
        ),
        **{
            f"light_{light}": (deadlines.light_q(light, on), lambda r, light=light: deadlines.light(r, on) == light)
            for light in Light.values
        },
    }
    for name, (q, twin) in predicates.items():
        expected = {r.pk for r in items if twin(r)}
        assert (name, _pks(every.filter(q))) == (name, expected)
        assert 0 < len(expected) < len(items), name  # the grid has rows on both sides of every rule

    # The same Q objects in counts (one aggregate), and the light as an annotation.
    counts = every.aggregate(**{name: Count("pk", filter=q) for name, (q, _) in predicates.items()})
    assert counts == {name: sum(1 for r in items if twin(r)) for name, (_, twin) in predicates.items()}
    lights = dict(every.annotate(light=deadlines.light_case(on)).values_list("pk", "light"))
    assert lights == {r.pk: deadlines.light(r, on) for r in items}

    # Their users: the queryset methods behind the 逾期 filter, the reminders' selection, the model.
    assert _pks(every.overdue(on)) == {r.pk for r in items if deadlines.is_overdue(r, on)}
    assert _pks(every.not_overdue(on)) == {r.pk for r in items if not deadlines.is_overdue(r, on)}
    assert _pks(due_items(days=REMINDER_DAYS, on=on)) == {
        r.pk for r in items if deadlines.is_overdue(r, on) or deadlines.is_due_within(r, REMINDER_DAYS, on)
    }
    assert [(r.is_overdue(on), r.days_overdue(on), r.days_left(on), r.light(on)) for r in items] == [
        (
            deadlines.is_overdue(r, on),
            deadlines.days_overdue(r, on),
            deadlines.days_left(r, on),
            deadlines.light(r, on),
        )
        for r in items
    ]


@pytest.mark.parametrize("on", DATES, ids=str)
def test_light_case_orders(on):
    items = _rows(on)
    ordered = list(
        Rectification.objects.filter(pk__in=[r.pk for r in items])
        .annotate(light=deadlines.light_case(on))
        .order_by("light", "pk")
        .values_list("light", flat=True)
    )
    assert ordered == sorted((deadlines.light(r, on) for r in items), key=str)
    assert set(ordered) == set(Light.values)


def test_the_rules_in_words(settings):
    """The docstring's rules on one date: a deadline of today is 临期, not 逾期; yesterday is 1 day late;
    awaiting review still counts; no deadline is green; closed is done."""
    settings.LEDGER_WARNING_DAYS = 3
    on = datetime.date(2026, 11, 23)

    def item(days, status=Status.IN_PROGRESS):
        return Rectification(deadline=None if days is None else on + datetime.timedelta(days=days), status=status)

    assert [
        (deadlines.is_overdue(r, on), deadlines.days_overdue(r, on), deadlines.light(r, on))
        for r in (
            item(0),
            item(-1),
            item(-1, Status.APPLIED),
            item(-1, Status.HEAD_CONFIRMED),
            item(3),
            item(4),
            item(None),
            item(-9, Status.CLOSED),
        )
    ] == [
        (False, 0, Light.YELLOW),
        (True, 1, Light.RED),
        (True, 1, Light.RED),
        (True, 1, Light.RED),
        (False, 0, Light.YELLOW),
        (False, 0, Light.GREEN),
        (False, 0, Light.GREEN),
        (False, 0, Light.DONE),
    ]
