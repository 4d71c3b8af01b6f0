import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sanding.ledger.selectors import board

from .factories import IssueFactory, RectificationFactory, category

pytestmark = pytest.mark.django_db


def test_board_figures_equal_hand_counts(
    login, staff_user, city, county, department, other_department, county_department
):
    today = timezone.localdate()
    d = datetime.timedelta
    a = IssueFactory(department=department, category=category("编制人员管理"))
    b = IssueFactory(department=other_department, category=category("部门职能不理顺"))
    RectificationFactory(issue=a, deadline=today - d(days=10), status="in_progress")  # overdue 10
    RectificationFactory(issue=a, deadline=today - d(days=2), status="applied", flagged=True)  # overdue 2
    RectificationFactory(issue=a, deadline=today - d(days=40), status="closed")
    RectificationFactory(issue=b, deadline=today + d(days=1), status="not_started")  # due soon
    RectificationFactory(issue=b, deadline=today + d(days=20), status="closed")
    RectificationFactory(issue=IssueFactory(department=county_department), status="in_progress")  # other region

    f = board(user=staff_user, region=city, on=today)
    assert (f["total"], f["closed"], f["open"], f["rate"]) == (5, 2, 3, 40.0)
    assert (f["totals"]["overdue"], f["totals"]["due_soon"], f["totals"]["flagged"]) == (2, 1, 1)
    assert {s["status"]: s["n"] for s in f["by_status"]} == {
        "not_started": 1,
        "in_progress": 1,
        "applied": 1,
        "head_confirmed": 0,
        "closed": 2,
    }
    assert [(c["name"], c["total"], c["closed"], c["overdue"]) for c in f["categories"]] == [
        ("部门职能不理顺", 2, 1, 0),
        ("编制人员管理", 3, 1, 2),
    ]
    assert [(r["name"], r["total"], r["closed"], r["overdue"], r["rate"]) for r in f["departments"]] == [
        (department.name, 3, 1, 2, 33.3),
        (other_department.name, 2, 1, 0, 50.0),
    ]
    assert [r.days_overdue(today) for r in f["overdue_items"]] == [10, 2]
    assert sum(m["n"] for m in f["timeline"]) == 3
    assert [m["highlight"] for m in f["timeline"]].count(True) == 2
    assert f["burndown"][-1]["open"] == 3

    response = login(staff_user).get(reverse("ledger:board"), {"region": city.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"?region={city.pk}&department={department.pk}" in body
    assert 'id="board-data"' in body and "<script>" not in body.replace("<script src", "")


def test_board_of_other_region_not_visible_to_county_staff(login, county_staff, city, county):
    response = login(county_staff).get(reverse("ledger:board"), {"region": city.pk})
    assert response.context["region"] == county
