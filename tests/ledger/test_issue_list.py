"""问题列表: every issue (also those without rectification items), and where the list is announced."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanding.ledger.models import IssueCooperation
from sanding.ledger.selectors import board

from .factories import IssueFactory, RectificationFactory, category

pytestmark = pytest.mark.django_db
URL = reverse("ledger:issue-list")


@pytest.fixture
def issues(department, other_department, county_department):
    bare = IssueFactory(department=department, seq=3, description="尚未分解的问题", category=category("编制人员管理"))
    mixed = IssueFactory(department=department, seq=2, description="部分销号的问题", source="督查")
    RectificationFactory(issue=mixed, seq=1, status="closed")
    RectificationFactory(issue=mixed, seq=2, status="in_progress")
    done = IssueFactory(department=other_department, seq=1, description="全部销号的问题")
    RectificationFactory(issue=done, seq=1, status="closed")
    county = IssueFactory(department=county_department, seq=1, description="区里的问题")
    return bare, mixed, done, county


def _rows(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [(i.code, i.item_count, i.open_count) for i in response.context["page"]]


def test_issue_list_shows_issues_without_items(login, staff_user, issues):
    bare, mixed, done, county = issues
    client = login(staff_user)
    assert _rows(client) == [
        (bare.code, 0, 0),
        (mixed.code, 2, 1),
        (county.code, 0, 0),
        (done.code, 1, 0),
    ]
    body = client.get(URL).content.decode()
    assert body.count('<span class="badge text-bg-warning">无整改事项</span>') == 2
    assert f'href="{reverse("ledger:rectification-create", args=[bare.pk])}"' in body


def test_issue_list_filters(login, staff_user, issues, department, county):
    bare, mixed, done, county_issue = issues
    client = login(staff_user)
    assert [c for c, *_ in _rows(client, items="0")] == [bare.code, county_issue.code]
    assert [c for c, *_ in _rows(client, items="1")] == [mixed.code, done.code]
    assert [c for c, *_ in _rows(client, items="open")] == [mixed.code]
    assert [c for c, *_ in _rows(client, q="尚未分解")] == [bare.code]
    assert [c for c, *_ in _rows(client, q=done.code)] == [done.code]
    assert [c for c, *_ in _rows(client, category=category("编制人员管理").pk)] == [bare.code]
    assert [c for c, *_ in _rows(client, source="督查")] == [mixed.code]
    assert [c for c, *_ in _rows(client, department=department.pk)] == [bare.code, mixed.code]
    assert [c for c, *_ in _rows(client, region=county.pk)] == [county_issue.code]


def test_issue_list_is_scoped(login, clerk, county_staff, issues, client):
    bare, mixed, done, county_issue = issues
    cooperating = IssueFactory(department=done.department, seq=9, description="本部门配合的问题")
    IssueCooperation.objects.create(issue=cooperating, department=clerk.department)
    assert sorted(c for c, *_ in _rows(login(clerk))) == sorted([bare.code, mixed.code, cooperating.code])
    assert "全部销号的问题" not in login(clerk).get(URL).content.decode()
    assert [c for c, *_ in _rows(login(county_staff))] == [county_issue.code]
    client.logout()
    response = client.get(URL)
    assert (response.status_code, response.url.split("?")[0]) == (302, "/login/")


def _count(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"items": "0", "q": "问题"}])
def test_issue_list_queries_flat(login, staff_user, department, params):
    client = login(staff_user)

    def make(n):
        for _ in range(n):
            issue = IssueFactory(department=department, description="问题")
            RectificationFactory(issue=issue)
            IssueFactory(department=department, description="问题")

    make(3)
    small = _count(client, **params)
    make(8)
    assert _count(client, **params) == small


def test_ledger_list_announces_issues_without_items_to_staff(login, staff_user, clerk, issues, city):
    client = login(staff_user)
    page = client.get(reverse("ledger:rectification-list")).content.decode()
    notice_url = reverse("ledger:issue-without-items-notice")
    assert f'hx-get="{notice_url}" hx-trigger="load"' in page
    assert f'href="{URL}"' in page  # the 问题列表 tab
    notice = client.get(notice_url).content.decode()
    assert "<strong>2 个问题尚无整改事项</strong>" in notice
    assert f'href="{URL}?items=0"' in notice
    clerk_client = login(clerk)
    assert notice_url not in clerk_client.get(reverse("ledger:rectification-list")).content.decode()
    assert clerk_client.get(notice_url).content.decode().strip() == ""


def test_board_counts_issues_without_items(login, staff_user, issues, city):
    assert board(user=staff_user, region=city)["issues_without_items"] == 1
    body = login(staff_user).get(reverse("ledger:board"), {"region": city.pk}).content.decode()
    assert f'href="{URL}?region={city.pk}&amp;items=0"' in body or f'href="{URL}?region={city.pk}&items=0"' in body
    assert "1 个问题尚无整改事项（未计入本图）" in body
