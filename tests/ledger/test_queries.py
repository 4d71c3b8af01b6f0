"""Query counts of the list, the item page and the board do not grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanding.ledger.models import Attachment, RectificationEvent

from .factories import IssueFactory, ProgressReportFactory, RectificationFactory

pytestmark = pytest.mark.django_db


def _make(n, department, item=None):
    for _ in range(n):
        r = RectificationFactory(issue=IssueFactory(department=department), status="in_progress")
        ProgressReportFactory(rectification=r)
        if item is not None:
            RectificationEvent.objects.create(rectification=item, action="progress", comment="x")
            report = ProgressReportFactory(rectification=item)
            Attachment.objects.create(
                issue=item.issue,
                rectification=item,
                progress=report,
                file="x.pdf",
                name="x.pdf",
                size=1,
                content_type="x",
            )


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"status": "in_progress", "q": "职责"}])
def test_list_queries_flat(login, staff_user, department, params):
    client = login(staff_user)
    url = reverse("ledger:rectification-list")
    _make(5, department)
    small = _count(client, url, **params)
    _make(10, department)
    assert _count(client, url, **params) == small


def test_item_page_queries_flat(login, staff_user, department, item):
    client = login(staff_user)
    _make(3, department, item)
    small = _count(client, item.get_absolute_url())
    _make(6, department, item)
    assert _count(client, item.get_absolute_url()) == small


def test_board_queries_flat(login, staff_user, department):
    client = login(staff_user)
    url = reverse("ledger:board")
    _make(5, department)
    small = _count(client, url)
    _make(10, department)
    assert _count(client, url) == small
