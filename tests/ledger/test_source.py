"""Issues raised from a self-assessment answer: a readable source link, and no silent duplicates."""

import pytest
from django.urls import reverse

from sanding.ledger.models import Issue
from tests.assessment.conftest import assessment, checklist, fill_and_submit, items, open_round  # noqa: F401
from tests.assessment.test_ledger_link import below_full_answer

from .factories import IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(assessment, clerk, checklist):  # noqa: F811
    return below_full_answer(assessment, clerk, checklist)


def test_issue_page_shows_the_source_readably(login, staff_user, answer, assessment):  # noqa: F811
    issue = IssueFactory(
        department=assessment.department,
        source_ref=f"assessment.answer:{answer.pk}",
        source_url=assessment.get_absolute_url(),
    )
    body = login(staff_user).get(issue.get_absolute_url()).content.decode()
    label = f"来自自查评估：{assessment.round} · {assessment.department}"
    assert f'<a href="{assessment.get_absolute_url()}">{label}</a>' in body
    assert "assessment.answer:" not in body


def test_second_raise_from_the_same_answer_warns_and_links(login, staff_user, answer, assessment):  # noqa: F811
    existing = IssueFactory(department=assessment.department, source_ref=f"assessment.answer:{answer.pk}")
    client = login(staff_user)
    url = reverse("ledger:issue-create") + f"?assessment_answer={answer.pk}"
    response = client.get(url)
    body = response.content.decode()
    assert next(t.name for t in response.templates) == "ledger/issue_duplicate.html"
    assert f'href="{existing.get_absolute_url()}"' in body
    assert f'href="{url}&amp;duplicate=1"' in body
    form = client.get(f"{url}&duplicate=1").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"found_on": "2025-07-01", "severity": "一般", "cooperating": []})
    refused = client.post(url, data)
    assert refused.context["form"].non_field_errors() == [
        f"该来源记录已登记为问题 {existing.code}；如确需另行登记，请从“仍要登记”进入。"
    ]
    assert Issue.objects.count() == 1
    accepted = client.post(f"{url}&duplicate=1", {**data, "duplicate": "1"})
    assert (accepted.status_code, Issue.objects.filter(source_ref=f"assessment.answer:{answer.pk}").count()) == (302, 2)
