"""逾期 and the lights, derived at the boundaries (never stored)."""

import datetime

import pytest

from sanding.ledger.choices import Light
from sanding.ledger.deadlines import light_q
from sanding.ledger.models import Rectification

from .factories import RectificationFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def _at(days, **kwargs):
    return RectificationFactory(deadline=TODAY + datetime.timedelta(days=days), **kwargs)


@pytest.mark.parametrize(
    ("days", "overdue", "days_overdue", "light"),
    [
        (-10, True, 10, Light.RED),
        (-1, True, 1, Light.RED),
        (0, False, 0, Light.YELLOW),  # deadline today is not overdue
        (3, False, 0, Light.YELLOW),
        (4, False, 0, Light.GREEN),
    ],
)
def test_overdue_and_light_at_boundaries(days, overdue, days_overdue, light):
    item = _at(days)
    assert (item.is_overdue(TODAY), item.days_overdue(TODAY), item.light(TODAY)) == (overdue, days_overdue, light)
    assert list(Rectification.objects.overdue(TODAY)) == ([item] if overdue else [])


def test_closed_item_is_never_overdue():
    item = _at(-30, status="closed")
    assert (item.is_overdue(TODAY), item.light(TODAY), Rectification.objects.overdue(TODAY).count()) == (
        False,
        Light.DONE,
        0,
    )


def test_item_without_deadline_is_green():
    item = RectificationFactory(kind="长期坚持", deadline=None, review_interval_days=90)
    assert (item.is_overdue(TODAY), item.light(TODAY)) == (False, Light.GREEN)


def test_warning_window_is_configurable(settings):
    settings.LEDGER_WARNING_DAYS = 7
    assert (_at(7).light(TODAY), _at(8).light(TODAY)) == (Light.YELLOW, Light.GREEN)


def test_light_filter_matches_python_light():
    items = {d: _at(d) for d in (-2, 0, 3, 4)}
    closed = _at(-5, status="closed")
    got = {
        light: sorted(Rectification.objects.filter(light_q(light, TODAY)).values_list("pk", flat=True))
        for light in Light.values
    }
    assert got == {
        "red": [items[-2].pk],
        "yellow": sorted([items[0].pk, items[3].pk]),
        "green": [items[4].pk],
        "done": [closed.pk],
    }
