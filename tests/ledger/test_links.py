"""Links stored or followed: http(s) URLs and the application's own paths only, never `javascript:`
(issue 9, item 10)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sanding.core.links import is_safe_link
from sanding.ledger.models import Notification

from .factories import IssueFactory, RectificationFactory

pytestmark = pytest.mark.django_db

UNSAFE = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "/\\evil.example/",
    "ftp://files.example/",
    "evil.example/page",
]
SAFE = ["https://www.example.gov.cn/notice/12.html", "http://intranet/x?y=1", "/assessment/12/"]


def test_only_http_links_and_own_paths_are_safe():
    assert [v for v in UNSAFE if is_safe_link(v)] == []
    assert [v for v in SAFE if not is_safe_link(v)] == []


@pytest.mark.parametrize("value", UNSAFE)
def test_the_model_refuses_an_unsafe_source_link(issue, value):
    issue.source_url = value
    with pytest.raises(ValidationError) as error:
        issue.full_clean(exclude=["created_by"])
    assert "source_url" in error.value.message_dict


def test_the_model_accepts_http_links_and_own_paths(issue):
    for value in SAFE:
        issue.source_url = value
        issue.full_clean(exclude=["created_by"])


def test_notification_links_are_checked_too():
    Notification(title="t", body="b", url="/ledger/").clean_fields(exclude=["recipient"])
    with pytest.raises(ValidationError):
        Notification(title="t", body="b", url="javascript:alert(1)").clean_fields(exclude=["recipient"])


def test_the_issue_form_refuses_a_javascript_link(login, staff_user, issue):
    """The form's hidden 来源链接 accepted `javascript:`, shown as the link to the issue's source record."""
    data = {
        "description": issue.description,
        "category": issue.category_id,
        "source": issue.source,
        "department": issue.department_id,
        "found_on": issue.found_on.isoformat(),
        "severity": issue.severity,
        "source_ref": "督查通报第3期",
        "source_url": "javascript:alert(document.cookie)",
        "expected_version": issue.version,
    }
    response = login(staff_user).post(reverse("ledger:issue-edit", args=[issue.pk]), data)
    assert response.status_code == 200
    assert "链接须以 http:// 或 https:// 开头" in response.content.decode()
    issue.refresh_from_db()
    assert issue.source_url == ""


def test_a_stored_javascript_link_is_not_rendered_as_a_link(login, staff_user, department):
    """Rows stored before the validator (or written around it) show the label without a link."""
    issue = IssueFactory(department=department, source_ref="督查通报第3期", source_url="javascript:alert(1)")
    content = login(staff_user).get(issue.get_absolute_url()).content.decode()
    assert "来源记录：督查通报第3期" in content
    assert "javascript:" not in content


def test_a_notification_link_is_rendered_only_when_safe(login, staff_user):
    Notification.objects.create(recipient=staff_user, title="安全", body="b", url="/ledger/")
    Notification.objects.create(recipient=staff_user, title="危险", body="b", url="javascript:alert(1)")
    content = login(staff_user).get(reverse("ledger:notification-list")).content.decode()
    assert 'href="/ledger/"' in content
    assert "javascript:" not in content


def test_an_issue_raised_from_an_assessment_keeps_its_in_app_link(issue):
    """The ledger fills source_url with the assessment's own path (ledger.views._assessment_initial)."""
    issue.source_url = "/assessment/12/"
    issue.full_clean(exclude=["created_by"])


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example/"])
def test_bulk_actions_go_back_to_the_application_only(login, staff_user, department, target):
    item = RectificationFactory(issue=IssueFactory(department=department))
    response = login(staff_user).post(reverse("ledger:bulk"), {"ids": [item.pk], "action": "flag", "next": target})
    assert response.status_code == 302
    assert response.url == reverse("ledger:rectification-list")
