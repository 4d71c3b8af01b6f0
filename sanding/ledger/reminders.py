"""Reminder digests: each responsible clerk gets the items due within N days and the overdue ones."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse

from sanding.accounts.choices import Role

from .deadlines import days_left, days_overdue, due_within_q, is_overdue, overdue_q, today
from .models import Notification, Rectification

KIND = "reminder"


@dataclass
class ReminderResult:
    clerks: int = 0
    emails: int = 0
    notifications: int = 0
    skipped: int = 0
    # Clerks reminded in the app only: they have no email address (their display names).
    no_email: list = field(default_factory=list)


def site_url():
    """The absolute address links in emails start with (settings.SITE_URL, no trailing slash)."""
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def due_items(*, days, on):
    """Open items due within `days` days from `on` (inclusive) or already overdue."""
    return (
        Rectification.objects.filter(overdue_q(on) | due_within_q(days, on))
        .select_related("issue", "department")
        .order_by("deadline", "pk")
    )


def digest_text(items, *, on, base_url=""):
    overdue = [r for r in items if is_overdue(r, on)]
    soon = [r for r in items if not is_overdue(r, on)]
    lines = []
    if overdue:
        lines.append(f"一、已逾期（{len(overdue)} 项）")
        lines += [
            f"  {r}（时限 {r.deadline:%Y-%m-%d}，逾期 {days_overdue(r, on)} 天）：{r.measures[:60]}"
            f"  {base_url}{r.get_absolute_url()}"
            for r in overdue
        ]
    if soon:
        lines.append(f"{'二' if overdue else '一'}、即将到期（{len(soon)} 项）")
        lines += [
            f"  {r}（时限 {r.deadline:%Y-%m-%d}，还有 {days_left(r, on)} 天）：{r.measures[:60]}"
            f"  {base_url}{r.get_absolute_url()}"
            for r in soon
        ]
    return "\n".join(lines)


def send_reminders(*, days=7, on=None, base_url=None):
    """Email and notify every active clerk of each department with due or overdue items, once a day.

    A clerk who already has today's digest notification is skipped, so a second run sends nothing.
    The email's links are absolute (`base_url`, default settings.SITE_URL); the in-app notification
    links relative to the site. Clerks without an email address get the notification only and are
    listed in the result's `no_email`.
    """
    on = on or today()
    base_url = site_url() if base_url is None else base_url.rstrip("/")
    by_department = defaultdict(list)
    for item in due_items(days=days, on=on):
        by_department[item.department_id].append(item)
    result = ReminderResult()
    if not by_department:
        return result
    clerks = (
        get_user_model()
        .objects.filter(groups__name=Role.CLERK.label, department_id__in=by_department, is_active=True)
        .order_by("pk")
        .distinct()
    )
    messages = []
    for clerk in clerks:
        items = by_department[clerk.department_id]
        overdue = sum(1 for r in items if is_overdue(r, on))
        title = f"整改事项提醒（{on:%Y-%m-%d}）：逾期 {overdue} 项，{days} 天内到期 {len(items) - overdue} 项"
        try:
            with transaction.atomic():
                Notification.objects.create(
                    recipient=clerk,
                    kind=KIND,
                    title=title,
                    body=digest_text(items, on=on),
                    url=f"{reverse('ledger:rectification-list')}?department={clerk.department_id}",
                    digest_date=on,
                )
        except IntegrityError:  # already reminded today
            result.skipped += 1
            continue
        result.clerks += 1
        result.notifications += 1
        if clerk.email:
            greeting = f"{clerk}：\n\n您单位有以下整改事项需要关注：\n\n"
            body = digest_text(items, on=on, base_url=base_url)
            list_url = f"{base_url}{reverse('ledger:rectification-list')}?department={clerk.department_id}"
            everything = f"\n\n全部事项：{list_url}"
            messages.append(
                EmailMessage(subject=f"[三定跟踪] {title}", body=greeting + body + everything, to=[clerk.email])
            )
        else:
            result.no_email.append(f"{clerk.username}（{clerk}）")
    if messages:
        result.emails = get_connection().send_messages(messages) or 0
    return result
