import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sanding.ledger.models import Rectification

from .factories import IssueFactory, RectificationFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(department, other_department, county_department):
    today = timezone.localdate()
    a = RectificationFactory(
        issue=IssueFactory(
            department=department, category=category("编制人员管理"), source="督查", description="超编问题"
        ),
        deadline=today - datetime.timedelta(days=5),
        status="in_progress",
        flagged=True,
        measures="清理超配人员",
    )
    b = RectificationFactory(
        issue=IssueFactory(department=other_department, source="自查", description="流程过长"),
        deadline=today + datetime.timedelta(days=40),
        status="closed",
    )
    c = RectificationFactory(
        issue=IssueFactory(department=county_department, source="回头看", description="乡镇承接不畅"),
        deadline=today + datetime.timedelta(days=2),
        status="not_started",
    )
    return a, b, c


def _pks(client, **params):
    response = client.get(reverse("ledger:rectification-list"), params)
    assert response.status_code == 200
    return [r.pk for r in response.context["page"]]


def test_filters(login, staff_user, rows, department, county):
    a, b, c = rows
    client = login(staff_user)
    assert _pks(client) == [a.pk, c.pk, b.pk]  # by deadline
    assert _pks(client, status="closed") == [b.pk]
    assert _pks(client, overdue="1") == [a.pk]
    assert _pks(client, overdue="0") == [c.pk, b.pk]
    assert _pks(client, light="yellow") == [c.pk]
    assert _pks(client, category=category("编制人员管理").pk) == [a.pk]
    assert _pks(client, source="回头看") == [c.pk]
    assert _pks(client, department=department.pk) == [a.pk]
    assert _pks(client, region=county.pk) == [c.pk]
    assert _pks(client, flagged="1") == [a.pk]
    assert _pks(client, flagged="0") == [c.pk, b.pk]
    today = timezone.localdate()
    assert _pks(
        client, deadline_from=today.isoformat(), deadline_to=(today + datetime.timedelta(days=3)).isoformat()
    ) == [c.pk]
    assert _pks(client, q="超编") == [a.pk]
    assert _pks(client, q="清理超配") == [a.pk]
    assert _pks(client, q=a.issue.code) == [a.pk]
    assert _pks(client, ordering="-deadline") == [b.pk, c.pk, a.pk]


def test_htmx_request_gets_the_table_only(login, staff_user, rows):
    response = login(staff_user).get(reverse("ledger:rectification-list"), {"status": "closed"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][:2] == [
        "ledger/_rectification_results.html",
        "ledger/_rectification_table.html",
    ]
    assert "<h1" not in response.content.decode()


def test_capped_count(settings, login, staff_user, rows):
    settings.LEDGER_COUNT_CAP = 2
    response = login(staff_user).get(reverse("ledger:rectification-list"))
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.capped) == (3, True)
    assert "超过 2 条" in response.content.decode()
    assert Rectification.objects.count() == 3
