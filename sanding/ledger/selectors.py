"""Reads of the ledger: scoped querysets, the item page, the 挂图作战 board (SQL aggregates only)."""

import datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from sanding.accounts.scoping import get_visible_or_404, scope_for
from sanding.core.cleaning import parse_id
from sanding.registry.models import Department, Region

from . import sources
from .choices import Action, Status
from .deadlines import due_soon_q, overdue_q, today
from .models import (
    Attachment,
    Issue,
    Notification,
    ProgressReport,
    Rectification,
    RectificationEvent,
)

CLOSED = Q(status=Status.CLOSED)
# The ledger list's default order: nearest deadline first, undated items (长期坚持, 立行立改 without a
# date) last on every database (PostgreSQL sorts NULLs last ascending anyway; SQLite would put them first).
DEADLINE_ORDER = (F("deadline").asc(nulls_last=True), F("id").asc())


def rectification_list(*, user):
    """The ledger list: one row per rectification item, with its issue and latest progress."""
    latest = ProgressReport.objects.filter(rectification=OuterRef("pk")).order_by("-reported_on", "-pk")
    return (
        Rectification.objects.visible_to(user)
        .for_list()
        .annotate(latest_percent=Subquery(latest.values("percent")[:1]))
        .order_by(*DEADLINE_ORDER)
    )


def _has_items():
    return Exists(Rectification.objects.filter(issue=OuterRef("pk")))


def issue_list(*, user):
    """The issue list (问题列表): one row per issue, including issues without rectification items.

    The item counts are subqueries, evaluated only for the rows of the page shown (see paginate_capped).
    """
    items = Rectification.objects.filter(issue=OuterRef("pk")).order_by().values("issue")
    count = items.annotate(n=Count("pk")).values("n")
    open_count = items.exclude(CLOSED).annotate(n=Count("pk")).values("n")
    zero = Value(0, output_field=IntegerField())
    return (
        Issue.objects.visible_to(user)
        .select_related("category", "department", "region")
        .annotate(
            item_count=Coalesce(Subquery(count, output_field=IntegerField()), zero),
            open_count=Coalesce(Subquery(open_count, output_field=IntegerField()), zero),
        )
        .order_by("-year", "-seq", "-id")
    )


def issues_without_items(*, user, region=None):
    """Issues in the user's scope (optionally one region) that have no rectification item yet."""
    qs = Issue.objects.visible_to(user).filter(~_has_items())
    return qs.filter(region=region) if region is not None else qs


def issues_without_items_count(*, user, region=None):
    return issues_without_items(user=user, region=region).count()


def rectification_for_page(*, user, pk):
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
        .prefetch_related("attachments", "evidence")
        .order_by("at", "pk")
    )


def latest_application(timeline):
    """The last 申请销号 event of a timeline (from rectification_timeline), with its evidence: the files
    uploaded with it and those chosen from earlier materials."""
    event = next((e for e in reversed(timeline) if e.action == Action.APPLY), None)
    if event is None:
        return None
    files = sorted([*event.attachments.all(), *event.evidence.all()], key=lambda a: a.pk)
    return {"event": event, "files": files}


def rectification_attachments(rectification):
    """Every file of the item (its own materials, progress files, application evidence), oldest first."""
    return list(Attachment.objects.filter(rectification=rectification).select_related("uploaded_by").order_by("pk"))


def rectification_progress(rectification):
    return list(
        rectification.progress_reports.select_related("author")
        .prefetch_related("attachments")
        .order_by("-reported_on", "-pk")
    )


def issue_for_page(*, user, pk):
    return get_visible_or_404(
        Issue.objects.select_related("category", "department", "region", "created_by").prefetch_related("cooperating"),
        user,
        pk=pk,
    )


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
    overdue = overdue_q(on)

    status_counts = {s: Count("pk", filter=Q(status=s)) for s in Status.values}
    totals = qs.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue),
        due_soon=Count("pk", filter=due_soon_q(on)),
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
        "issues_without_items": issues_without_items_count(user=user, region=region),
    }


def _per_month(qs, field, since):
    """{first day of month (aware datetime): count} of the rows whose `field` falls on or after `since`."""
    return dict(
        qs.filter(**{f"{field}__gte": since})
        .annotate(m=TruncMonth(field))
        .values_list("m")
        .annotate(n=Count("pk"))
        .order_by()
    )


def burndown(qs, *, on, months=12):
    """Open items at the end of each of the last `months` months: opened minus closed, by month.

    Uses each item's creation time and current closing time (a reopened item counts as open again).
    """
    start = add_months(month_start(on), -(months - 1))
    start_dt = datetime.datetime.combine(start, datetime.time.min, tzinfo=_tz())
    base = qs.filter(created_at__lt=start_dt).exclude(closed_at__lt=start_dt).count()
    created = _per_month(qs, "created_at", start_dt)
    closed = _per_month(qs, "closed_at", start_dt)
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
    """一部门一档: the rectification items whose 责任单位 (responsible unit) is the department.

    The same set as the ledger list filtered by 责任单位 = the department (the section's links), so an
    item the department only cooperates on, or whose issue names it but not the item, is not counted.
    """
    scope = scope_for(user)
    if scope.sees_nothing:
        return None
    qs = Rectification.objects.visible_to(user).filter(department=department)
    on = today()
    figures = qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~CLOSED),
        overdue=Count("pk", filter=overdue_q(on)),
    )
    items = list(qs.exclude(CLOSED).for_list().order_by(*DEADLINE_ORDER)[:20])
    return "ledger/_dossier_section.html", {
        "department": department,
        "figures": figures,
        "items": items,
        "today": on,
    }


# --- where an issue came from -------------------------------------------------------------------------


def issues_from_source(*, user, source_ref):
    """Issues already raised from the same record (e.g. `assessment.answer:12`), oldest first."""
    if not source_ref:
        return []
    return list(Issue.objects.visible_to(user).filter(source_ref=source_ref).order_by("pk"))


def issue_source(*, issue, user):
    """{"label", "url"} describing the record an issue came from, readable (never the raw reference).

    A record of another app (settings.LEDGER_ISSUE_SOURCES, see sources.py) is described by that app: a
    self-assessment answer the user can see reads “来自自查评估：<round> · <department>”; one they cannot
    see is named without details or a link.
    """
    ref = issue.source_ref
    if not ref:
        return None
    source, pk = sources.split_ref(ref)
    if source is not None:
        return source.describe(pk=parse_id(pk), user=user, url=issue.source_url)
    return {"label": f"来源记录：{ref}", "url": issue.source_url}


# --- the item's change record -------------------------------------------------------------------------

# Fields the 变更记录 compares between consecutive history rows (workflow steps included: the state,
# the application's summary, the closing time), in display order.
CHANGE_FIELDS = [
    "status",
    "summary",
    "closed_at",
    "flagged",
    "measures",
    "department",
    "responsible_person",
    "kind",
    "deadline",
    "review_interval_days",
    "notes",
]


def rectification_changes(rectification, limit=30):
    """[(history row, [(label, old, new)])], newest first: each row against the one before it."""
    rows = list(
        rectification.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    fields = {name: Rectification._meta.get_field(name) for name in CHANGE_FIELDS}
    department_ids = {row.department_id for row in rows}
    names = {d.pk: d.short_name or d.name for d in Department.objects.filter(pk__in=department_ids)}

    def shown(row, name):
        field = fields[name]
        if name == "department":
            return names.get(row.department_id, row.department_id)
        value = getattr(row, field.attname)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, datetime.datetime):
            return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m-%d}"
        return value

    out = []
    for row, previous in zip(rows, [*rows[1:], None][: len(rows)], strict=True):
        changes = []
        if previous is not None:
            for name, field in fields.items():
                if getattr(row, field.attname) != getattr(previous, field.attname):
                    changes.append((field.verbose_name, shown(previous, name), shown(row, name)))
        out.append((row, changes))
    return out[:limit]
