import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sanding.accounts.choices import Role
from sanding.ledger.models import Notification
from tests.factories import UserFactory

from .factories import IssueFactory, RectificationFactory

pytestmark = pytest.mark.django_db


def test_reminders_go_to_the_right_clerks_once(clerk, other_clerk, department, other_department, staff_user):
    today = timezone.localdate()
    d = datetime.timedelta
    clerk.email = "clerk@example.cn"
    clerk.save()
    UserFactory(
        username="d-YZ030-2", role=Role.CLERK, region=department.region, department=department, email="b@example.cn"
    )
    issue = IssueFactory(department=department)
    late = RectificationFactory(issue=issue, seq=1, deadline=today - d(days=4))
    soon = RectificationFactory(issue=issue, seq=2, deadline=today + d(days=7))
    RectificationFactory(issue=issue, seq=3, deadline=today + d(days=8))  # outside the window
    RectificationFactory(issue=issue, seq=4, deadline=today - d(days=4), status="closed")
    RectificationFactory(issue=IssueFactory(department=other_department), deadline=today + d(days=30))

    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "已提醒 2 名填报员：站内通知 2 条，邮件 2 封；今日已提醒而跳过 0 名。"
    assert sorted(m.to[0] for m in mail.outbox) == ["b@example.cn", "clerk@example.cn"]
    body = mail.outbox[0].body
    assert f"{late}（时限 {late.deadline:%Y-%m-%d}，逾期 4 天）" in body
    assert f"{soon}（时限 {soon.deadline:%Y-%m-%d}，还有 7 天）" in body
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["d-YZ030", "d-YZ030-2"]
    assert (
        Notification.objects.filter(recipient=clerk).get().title
        == f"整改事项提醒（{today:%Y-%m-%d}）：逾期 1 项，7 天内到期 1 项"
    )

    call_command("send_reminders", stdout=out)  # same day again: nothing new
    assert (len(mail.outbox), Notification.objects.count()) == (2, 2)
    assert other_clerk.ledger_notifications.count() == 0


def test_reminders_days_option(clerk, department):
    today = timezone.localdate()
    RectificationFactory(issue=IssueFactory(department=department), deadline=today + datetime.timedelta(days=20))
    call_command("send_reminders", "--days", "7", stdout=io.StringIO())
    assert Notification.objects.count() == 0
    call_command("send_reminders", "--days", "30", stdout=io.StringIO())
    assert Notification.objects.count() == 1


def test_reminders_report_clerks_without_email_and_link_absolutely(settings, clerk, other_clerk, department):
    settings.SITE_URL = "https://sanding.example.gov.cn/"
    today = timezone.localdate()
    clerk.email = "clerk@example.cn"
    clerk.save()
    other_clerk.department = department
    other_clerk.email = ""
    other_clerk.save()
    late = RectificationFactory(issue=IssueFactory(department=department), deadline=today - datetime.timedelta(days=1))
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        "已提醒 2 名填报员：站内通知 2 条，邮件 1 封；今日已提醒而跳过 0 名。",
        f"跳过 1 名无邮箱的填报员（未发邮件，仅站内通知）：d-YZ031（{other_clerk}）。",
    ]
    (email,) = mail.outbox
    assert f"https://sanding.example.gov.cn/ledger/items/{late.pk}/" in email.body
    assert f"全部事项：https://sanding.example.gov.cn/ledger/?department={department.pk}" in email.body
    note = Notification.objects.get(recipient=clerk)
    assert f"  /ledger/items/{late.pk}/" in note.body and "https://" not in note.body
    assert note.url == f"/ledger/?department={department.pk}"
