"""Issue 9, item 9 for self-assessments: create forms run once per token, review actions need the version,
and the loser of two simultaneous review actions is told who did what, keeping the typed reason."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sanding.accounts.choices import Role
from sanding.assessment import services
from sanding.assessment.choices import AssessmentState
from sanding.assessment.models import AssessmentEvent, Checklist, Round
from sanding.core.submissions import REPEATED
from tests.assessment.conftest import build_checklist, fill_and_submit
from tests.factories import UserFactory
from tests.posting import hidden_fields

pytestmark = pytest.mark.django_db
MISSING_VERSION = "缺少版本号，请刷新页面后重新提交。"


def _messages(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def two_staff(city):
    return (
        UserFactory(username="zhangsan", first_name="张三", role=Role.STAFF, region=city),
        UserFactory(username="lisi", first_name="李四", role=Role.STAFF, region=city),
    )


def test_round_create_posted_twice_creates_one_round(login, staff_user, checklist, department):
    client = login(staff_user)
    url = reverse("assessment:round-create")
    data = {
        **hidden_fields(client, url),
        "name": "2026年第一季度",
        "region": checklist.region_id,
        "checklist": checklist.pk,
        "scope_departments": [department.pk],
    }
    first = client.post(url, data)
    second = client.post(url, data)
    round_ = Round.objects.get(name="2026年第一季度")
    assert (first.url, second.url) == (round_.get_absolute_url(), round_.get_absolute_url())
    assert REPEATED in _messages(client.get(second.url))
    assert round_.assessments.count() == 1


def test_checklist_copy_confirmed_twice_makes_one_copy(login, staff_user, checklist):
    client = login(staff_user)
    url = reverse("assessment:checklist-copy", args=[checklist.pk])
    token = hidden_fields(client, url)
    first = client.post(url, token)
    second = client.post(url, token)
    assert Checklist.objects.filter(copied_from=checklist).count() == 1
    assert second.url == first.url
    assert client.post(url).status_code == 200  # no token: refused, nothing copied
    assert Checklist.objects.filter(copied_from=checklist).count() == 1


def test_return_and_approve_without_version_are_refused(login, staff_user, clerk, assessment, checklist):
    fill_and_submit(assessment, clerk, checklist)
    client = login(staff_user)
    response = client.post(reverse("assessment:assessment-return", args=[assessment.pk]), {"reason": "请补充材料"})
    assert response.status_code == 200
    assert MISSING_VERSION in response.content.decode()
    assert "请补充材料" in response.content.decode()
    response = client.post(reverse("assessment:assessment-approve", args=[assessment.pk]), follow=True)
    assert MISSING_VERSION in _messages(response)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED
    assert not AssessmentEvent.objects.filter(to_state__in=["returned", "approved"]).exists()


def test_publish_without_version_is_refused(login, staff_user, city):
    draft = build_checklist(city, name="草稿评分表", publish=False)
    client = login(staff_user)
    response = client.post(reverse("assessment:checklist-publish", args=[draft.pk]), follow=True)
    assert MISSING_VERSION in _messages(response)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_loser_of_approve_and_return_is_told_who_approved_and_keeps_the_reason(two_staff, clerk, assessment, checklist):
    winner, loser = two_staff
    fill_and_submit(assessment, clerk, checklist)
    approve = reverse("assessment:assessment-approve", args=[assessment.pk])
    back = reverse("assessment:assessment-return", args=[assessment.pk])
    winner_client, loser_client = Client(), Client()
    winner_client.force_login(winner)
    loser_client.force_login(loser)
    loaded = hidden_fields(loser_client, back)  # both pages open at once
    assert winner_client.post(approve, hidden_fields(winner_client, approve)).status_code == 302
    response = loser_client.post(back, {**loaded, "reason": "职责清单佐证不足，请补充"})
    assert response.status_code == 200
    body = response.content.decode()
    approved = AssessmentEvent.objects.get(to_state=AssessmentState.APPROVED)
    when = timezone.localtime(approved.created_at)
    assert f"该评估表已由 张三 于 {when:%m-%d %H:%M} 处理为“已审定”，您的操作未执行。" in body
    assert "职责清单佐证不足，请补充</textarea>" in body
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.APPROVED
    assert not AssessmentEvent.objects.filter(to_state=AssessmentState.RETURNED).exists()


def test_loser_of_return_and_approve_is_told_who_returned_it(two_staff, clerk, assessment, checklist):
    winner, loser = two_staff
    fill_and_submit(assessment, clerk, checklist)
    services.assessment_review_save(actor=winner, assessment=assessment, inputs={})  # seen by the loser
    assessment.refresh_from_db()
    approve = reverse("assessment:assessment-approve", args=[assessment.pk])
    client = Client()
    client.force_login(loser)
    loaded = hidden_fields(client, approve)
    services.assessment_return(actor=winner, assessment=assessment, reason="退回补充")
    response = client.post(approve, loaded, follow=True)
    returned = AssessmentEvent.objects.get(to_state=AssessmentState.RETURNED)
    when = timezone.localtime(returned.created_at)
    assert f"该评估表已由 张三 于 {when:%m-%d %H:%M} 处理为“退回”，您的操作未执行。" in _messages(response)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.RETURNED
