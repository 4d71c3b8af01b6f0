"""Reads of the ledger: scoped querysets, the item page, the 挂图作战 board (SQL aggregates only)."""

import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth

from sanding.accounts.scoping import scope_for
from sanding.registry.models import Region

from .choices import Light, Status
from .models import Issue, Notification, ProgressReport, Rectification, RectificationEvent, today, warning_days

CLOSED = Q(status=Status.CLOSED)


def rectification_list(*, user):
    """The ledger list: one row per rectification item, with its issue and latest progress."""
    latest = ProgressReport.objects.filter(rectification=OuterRef("pk")).order_by("-reported_on", "-pk")
    return (
        Rectification.objects.visible_to(user)
        .for_list()
        .annotate(latest_percent=Subquery(latest.values("percent")[:1]))
        .order_by("deadline", "id")
    )


def rectification_for_page(*, user, pk):
    from sanding.accounts.scoping import get_visible_or_404

    return get_visible_or_404(
        Rectification.objects.select_related(
            "issue", "issue__category", "issue__department", "issue__region", "department", "region"
        ),
        user,
        pk=pk,
    )


def rectification_timeline(rectification):
    return list(
        RectificationEvent.objects.filter(rectification=rectification)
        .select_related("actor")
        .prefetch_related("attachments")
        .order_by("at", "pk")
    )


def rectification_progress(rectification):
    return list(
        rectification.progress_reports.select_related("author")
        .prefetch_related("attachments")
        .order_by("-reported_on", "-pk")
    )


def issue_for_page(*, user, pk):
    from sanding.accounts.scoping import get_visible_or_404

    return get_visible_or_404(
        Issue.objects.select_related("category", "department", "region", "created_by").prefetch_related("cooperating"),
        user,
        pk=pk,
    )


def light_q(light, on=None):
    """A Q for one light colour (so lists can filter by it in SQL)."""
    on = on or today()
    soon = on + datetime.timedelta(days=warning_days())
    if light == Light.DONE:
        return CLOSED
    if light == Light.RED:
        return Q(deadline__lt=on) & ~CLOSED
    if light == Light.YELLOW:
        return Q(deadline__gte=on, deadline__lte=soon) & ~CLOSED
    return (Q(deadline__isnull=True) | Q(deadline__gt=soon)) & ~CLOSED


def month_start(day):
    return day.replace(day=1)


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def board_regions(user):
    return Region.objects.visible_to(user).order_by("path")


def board(*, user, region, on=None):
    """Every figure of the 挂图作战 board for one region's own items, each from one SQL aggregate."""
    on = on or today()
    qs = Rectification.objects.visible_to(user).filter(region=region)
    overdue = Q(deadline__lt=on) & ~CLOSED
    soon = on + datetime.timedelta(days=warning_days())

    status_counts = {s: Count("pk", filter=Q(status=s)) for s in Status.values}
    totals = qs.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue),
        due_soon=Count("pk", filter=Q(deadline__gte=on, deadline__lte=soon) & ~CLOSED),
        flagged=Count("pk", filter=Q(flagged=True) & ~CLOSED),
        **status_counts,
    )
    total = totals["total"]
    closed = totals[Status.CLOSED]
    by_status = [{"status": s.value, "label": s.label, "n": totals[s.value]} for s in Status]
    categories = list(
        qs.values(name=F("category__name"), category_seq=F("category__seq"))
        .annotate(total=Count("pk"), closed=Count("pk", filter=CLOSED), overdue=Count("pk", filter=overdue))
        .order_by("category_seq", "name")
    )
    departments = list(
        qs.values("department", name=F("department__name"))
        .annotate(total=Count("pk"), closed=Count("pk", filter=CLOSED), overdue=Count("pk", filter=overdue))
        .order_by("-overdue", "-total", "name")
    )
    for row in departments + categories:
        row["rate"] = _rate(row["closed"], row["total"])
    overdue_items = list(qs.filter(overdue).for_list().order_by("deadline", "pk")[:20])

    this_month = month_start(on)
    first = add_months(this_month, -3)
    last = add_months(this_month, 7)
    per_month = dict(
        qs.exclude(CLOSED)
        .filter(deadline__gte=first, deadline__lt=last)
        .annotate(m=TruncMonth("deadline"))
        .values_list("m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    timeline = []
    for i in range(10):
        m = add_months(first, i)
        timeline.append(
            {"month": f"{m:%Y-%m}", "n": per_month.get(m, 0), "highlight": m in (this_month, add_months(this_month, 1))}
        )
    upcoming = list(
        qs.exclude(CLOSED)
        .filter(deadline__gte=this_month, deadline__lt=add_months(this_month, 2))
        .for_list()
        .order_by("deadline", "pk")[:30]
    )
    return {
        "region": region,
        "on": on,
        "totals": totals,
        "total": total,
        "closed": closed,
        "open": total - closed,
        "rate": _rate(closed, total),
        "by_status": by_status,
        "categories": categories,
        "departments": departments,
        "overdue_items": overdue_items,
        "timeline": timeline,
        "upcoming": upcoming,
        "burndown": burndown(qs, on=on),
    }


def burndown(qs, *, on, months=12):
    """Open items at the end of each of the last `months` months: opened minus closed, by month.

    Uses each item's creation time and current closing time (a reopened item counts as open again).
    """
    start = add_months(month_start(on), -(months - 1))
    start_dt = datetime.datetime.combine(start, datetime.time.min, tzinfo=_tz())
    base = qs.filter(created_at__lt=start_dt).exclude(closed_at__lt=start_dt).count()
    created = dict(
        qs.filter(created_at__gte=start_dt)
        .annotate(m=TruncMonth("created_at"))
        .values_list("m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closed = dict(
        qs.filter(closed_at__gte=start_dt)
        .annotate(m=TruncMonth("closed_at"))
        .values_list("m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    created = {_as_date(k): v for k, v in created.items()}
    closed = {_as_date(k): v for k, v in closed.items()}
    series, open_count = [], base
    for i in range(months):
        m = add_months(start, i)
        open_count += created.get(m, 0) - closed.get(m, 0)
        series.append(
            {"month": f"{m:%Y-%m}", "open": open_count, "opened": created.get(m, 0), "closed": closed.get(m, 0)}
        )
    return series


def _tz():
    from django.utils import timezone

    return timezone.get_current_timezone()


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def _rate(closed, total):
    return round(closed * 100 / total, 1) if total else 0


def unread_count(user):
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def dossier_section(*, department, user):
    """一部门一档: the department's open rectification items (settings.DOSSIER_SECTIONS)."""
    scope = scope_for(user)
    if scope.sees_nothing:
        return None
    qs = Rectification.objects.visible_to(user).filter(Q(department=department) | Q(issue__department=department))
    on = today()
    figures = qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~CLOSED),
        overdue=Count("pk", filter=Q(deadline__lt=on) & ~CLOSED),
    )
    items = list(qs.exclude(CLOSED).for_list().order_by("deadline", "pk")[:20])
    return "ledger/_dossier_section.html", {"department": department, "figures": figures, "items": items}
