"""逾期, 临期 and 亮灯 of a rectification item (整改事项): the one definition.

In words, for an item on a date `on` (default: today, the local date of settings.TIME_ZONE):

- **整改时限** is the item's `deadline`. 期限 items always have one, 立行立改 items may (the date it must
  be done by), 长期坚持 items never (database constraints). The rules below read only the deadline and
  the status, never the kind: an item without a deadline — every 长期坚持 item, an undated 立行立改
  item — is never 逾期 nor 临期, and its light is green until it is closed.
- **逾期** (overdue): the deadline is before `on` and the item is not closed (已销号). A deadline of `on`
  itself is not overdue. Only 销号 stops the clock: an item awaiting review (申请销号, 负责人已审核)
  still counts. **逾期天数** = `on` − deadline (1 the day after the deadline), 0 when not overdue.
- **临期** (due soon): not closed, and the deadline falls from `on` to `on` + `LEDGER_WARNING_DAYS` days,
  both ends included (a deadline of today is 临期; default 3 days, settings.LEDGER_WARNING_DAYS).
  The reminders use the same rule with their own window (`send_reminders --days`): `due_within`.
- **亮灯** (light), exactly one per item: closed → done (grey); else overdue → red; else 临期 → yellow;
  else green (no deadline, or a deadline more than LEDGER_WARNING_DAYS days away).

Each rule is written twice here, side by side, and `tests/ledger/test_deadlines.py` checks over a grid
of deadlines, kinds, statuses, dates and warning windows that the two agree:

- in SQL: Q objects for `filter()`, `exclude()` and `Count(filter=...)`, and `light_case()`, an
  expression for `annotate()` and `order_by()`;
- in Python: functions of an item and a date (an item is anything with `deadline` and `status`: a
  Rectification, or a row of `values_list(..., named=True)`).

Lists, the board, the department page, the export, the reminders, the filters and the template tags all
read these; templates get the values from the tags, never compare dates themselves.
"""

import datetime

from django.conf import settings
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from .choices import Light, Status

CLOSED = Q(status=Status.CLOSED)


def today() -> datetime.date:
    """The date 逾期 and the lights are computed on unless a caller names one."""
    return timezone.localdate()


def warning_days() -> int:
    """How many days before its deadline an item is 临期 and turns yellow (settings.LEDGER_WARNING_DAYS)."""
    return getattr(settings, "LEDGER_WARNING_DAYS", 3)


# --- in SQL ------------------------------------------------------------------------------------------------


def overdue_q(on: datetime.date | None = None) -> Q:
    """逾期: a deadline before `on` and not closed (a NULL deadline never matches)."""
    return Q(deadline__lt=on or today()) & ~CLOSED


def not_overdue_q(on: datetime.date | None = None) -> Q:
    """Not 逾期: no deadline, a deadline on or after `on`, or closed (the complement of overdue_q)."""
    return Q(deadline__isnull=True) | Q(deadline__gte=on or today()) | CLOSED


def due_within_q(days: int, on: datetime.date | None = None) -> Q:
    """Not closed and due from `on` to `on` + `days` days, both included (not yet overdue)."""
    on = on or today()
    return Q(deadline__gte=on, deadline__lte=on + datetime.timedelta(days=days)) & ~CLOSED


def due_soon_q(on: datetime.date | None = None) -> Q:
    """临期: due within LEDGER_WARNING_DAYS days (the yellow light)."""
    return due_within_q(warning_days(), on)


def light_q(light: str, on: datetime.date | None = None) -> Q:
    """The items of one light colour."""
    on = on or today()
    if light == Light.DONE:
        return CLOSED
    if light == Light.RED:
        return overdue_q(on)
    if light == Light.YELLOW:
        return due_soon_q(on)
    if light == Light.GREEN:
        soon = on + datetime.timedelta(days=warning_days())
        return (Q(deadline__isnull=True) | Q(deadline__gt=soon)) & ~CLOSED
    raise ValueError(f"unknown light {light!r}")


def light_case(on: datetime.date | None = None) -> Case:
    """The light as an expression (its Light value), for annotate() and order_by()."""
    on = on or today()
    return Case(
        When(CLOSED, then=Value(Light.DONE.value)),
        When(overdue_q(on), then=Value(Light.RED.value)),
        When(due_soon_q(on), then=Value(Light.YELLOW.value)),
        default=Value(Light.GREEN.value),
        output_field=CharField(),
    )


# --- in Python: the twins of the above ---------------------------------------------------------------------


def days_left(item, on: datetime.date | None = None) -> int | None:
    """Days from `on` to the deadline (negative once past, whatever the status); None without one."""
    if item.deadline is None:
        return None
    return (item.deadline - (on or today())).days


def is_overdue(item, on: datetime.date | None = None) -> bool:
    """The twin of overdue_q."""
    return item.deadline is not None and item.status != Status.CLOSED and item.deadline < (on or today())


def days_overdue(item, on: datetime.date | None = None) -> int:
    """逾期天数: `on` − deadline when overdue, else 0."""
    on = on or today()
    return (on - item.deadline).days if is_overdue(item, on) else 0


def is_due_within(item, days: int, on: datetime.date | None = None) -> bool:
    """The twin of due_within_q."""
    left = days_left(item, on)
    return item.status != Status.CLOSED and left is not None and 0 <= left <= days


def is_due_soon(item, on: datetime.date | None = None) -> bool:
    """临期: the twin of due_soon_q."""
    return is_due_within(item, warning_days(), on)


def light(item, on: datetime.date | None = None) -> Light:
    """The twin of light_case / light_q."""
    on = on or today()
    if item.status == Status.CLOSED:
        return Light.DONE
    if is_overdue(item, on):
        return Light.RED
    if is_due_soon(item, on):
        return Light.YELLOW
    return Light.GREEN
