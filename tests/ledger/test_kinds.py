"""Kinds of rectification item: 期限 / 立行立改 take a deadline, 长期坚持 a review interval and is never 逾期."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sanding.ledger.choices import Light
from sanding.ledger.models import Rectification, RectificationEvent
from sanding.ledger.selectors import board, dossier_section
from sanding.ledger.services import rectification_save
from tests.posting import post_form

from .factories import RectificationFactory

pytestmark = pytest.mark.django_db
D = datetime.timedelta


def _errors(response):
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    ("kind", "deadline", "interval"),
    [
        ("长期坚持", datetime.date(2026, 11, 1), 30),  # an ongoing item has no deadline
        ("期限", datetime.date(2026, 11, 1), 30),  # only ongoing items have an interval
        ("立行立改", None, 30),
    ],
)
def test_database_refuses_fields_the_kind_does_not_take(issue, kind, deadline, interval):
    with pytest.raises(IntegrityError), transaction.atomic():
        RectificationFactory(issue=issue, kind=kind, deadline=deadline, review_interval_days=interval)
    assert Rectification.objects.count() == 0


def test_service_refuses_ongoing_item_with_deadline(staff_user, issue, department):
    item = Rectification(
        issue=issue,
        measures="长期坚持",
        department=department,
        kind="长期坚持",
        deadline=timezone.localdate(),
        review_interval_days=30,
    )
    with pytest.raises(ValidationError) as error:
        rectification_save(actor=staff_user, rectification=item)
    assert error.value.message_dict == {"deadline": ["“长期坚持”类整改事项不设整改时限（不计逾期），请清空整改时限。"]}
    assert (Rectification.objects.count(), RectificationEvent.objects.count()) == (0, 0)


def _post(client, issue, **data):
    return post_form(client, reverse("ledger:rectification-create", args=[issue.pk]), {"measures": "x", **data})


def test_form_rules_per_kind(login, staff_user, issue, department):
    client = login(staff_user)
    tomorrow = (timezone.localdate() + D(days=1)).isoformat()
    yesterday = (timezone.localdate() - D(days=1)).isoformat()
    unit = department.pk
    cases = [
        (
            {"kind": "长期坚持", "deadline": tomorrow, "review_interval_days": "30"},
            {"deadline": ["“长期坚持”类整改事项不设整改时限（不计逾期），请清空整改时限。"]},
        ),
        (
            {"kind": "立行立改", "review_interval_days": "30"},
            {"review_interval_days": ["“立行立改”类整改事项不设复查周期，请清空复查周期。"]},
        ),
        ({"kind": "长期坚持", "review_interval_days": "-5"}, {"review_interval_days": ["复查周期须为正整数天数。"]}),
        ({"kind": "长期坚持", "review_interval_days": "0"}, {"review_interval_days": ["复查周期须为正整数天数。"]}),
        ({"kind": "期限", "deadline": yesterday}, {"deadline": ["整改时限不能早于今天。"]}),
        ({"kind": "立行立改", "deadline": yesterday}, {"deadline": ["整改时限不能早于今天。"]}),
    ]
    for data, expected in cases:
        assert _errors(_post(client, issue, department=unit, **data)) == expected, data
    assert Rectification.objects.count() == 0


def test_immediate_item_may_have_a_date_and_ongoing_item_an_interval(login, staff_user, issue, department):
    client = login(staff_user)
    today = timezone.localdate()
    _post(client, issue, department=department.pk, kind="立行立改")
    _post(client, issue, department=department.pk, kind="立行立改", deadline=today.isoformat())
    _post(client, issue, department=department.pk, kind="长期坚持", review_interval_days="90")
    assert list(Rectification.objects.order_by("seq").values_list("kind", "deadline", "review_interval_days")) == [
        ("立行立改", None, None),
        ("立行立改", today, None),
        ("长期坚持", None, 90),
    ]


def test_existing_item_keeps_a_past_deadline_when_edited(login, staff_user, item, department):
    past = timezone.localdate() - D(days=10)
    Rectification.objects.filter(pk=item.pk).update(deadline=past)
    response = post_form(
        login(staff_user),
        reverse("ledger:rectification-edit", args=[item.pk]),
        {"measures": "改了措施", "department": department.pk, "kind": "期限", "deadline": past.isoformat()},
    )
    item.refresh_from_db()
    assert (response.status_code, item.measures, item.deadline) == (302, "改了措施", past)


def test_new_item_form_defaults_to_the_issues_unit(login, staff_user, issue):
    response = login(staff_user).get(reverse("ledger:rectification-create", args=[issue.pk]))
    assert response.context["form"]["department"].value() == issue.department_id
    assert f'<option value="{issue.department_id}" selected>' in response.content.decode()


def test_ongoing_item_is_never_overdue_and_shows_its_next_review(login, staff_user, department, issue, city):
    today = timezone.localdate()
    ongoing = RectificationFactory(issue=issue, kind="长期坚持", deadline=None, review_interval_days=30)
    Rectification.objects.filter(pk=ongoing.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(today - D(days=45), datetime.time(10)))
    )
    ongoing.refresh_from_db()
    late = RectificationFactory(issue=issue, kind="立行立改", deadline=today - D(days=2))
    assert (ongoing.is_overdue(), ongoing.light(), ongoing.next_review_on(today)) == (
        False,
        Light.GREEN,
        today + D(days=15),
    )
    assert list(Rectification.objects.overdue()) == [late]
    assert board(user=staff_user, region=city)["totals"]["overdue"] == 1
    assert dossier_section(department=department, user=staff_user)[1]["figures"]["overdue"] == 1
    client = login(staff_user)
    assert [r.pk for r in client.get(reverse("ledger:rectification-list"), {"overdue": "1"}).context["page"]] == [
        late.pk
    ]
    assert [r.pk for r in client.get(reverse("ledger:rectification-list"), {"light": "red"}).context["page"]] == [
        late.pk
    ]
    body = client.get(ongoing.get_absolute_url()).content.decode()
    assert f'下次复查</dt><dd class="col-sm-9">{today + D(days=15):%Y-%m-%d}' in body
    assert ("light-red" in body, "text-overrun" in body, "light-green" in body) == (False, False, True)
    table = client.get(reverse("ledger:rectification-list")).content.decode()
    assert f'长期坚持<div class="small text-muted">下次复查 {today + D(days=15):%Y-%m-%d}</div>' in table
