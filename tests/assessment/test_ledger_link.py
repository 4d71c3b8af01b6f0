"""“登记问题台账” from a reviewed answer: the ledger's new-issue form is pre-filled from the answer."""

from django.urls import reverse

from sanding.assessment import services
from sanding.assessment.models import Answer
from sanding.ledger.models import Issue

from .conftest import fill_and_submit, items


def below_full_answer(assessment, clerk, checklist):
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "7"})
    return Answer.objects.get(assessment=assessment, item=items(checklist)["1.2"])


def review(assessment, staff_user, checklist, **values):
    """Save reviewed scores equal to the self scores, with the given overrides by item code."""
    inputs = {}
    for answer in Answer.objects.filter(assessment=assessment).select_related("item"):
        value = values.get(answer.item.code, answer.self_value)
        inputs[answer.item_id] = services.ReviewInput(value=value)
    services.assessment_review_save(actor=staff_user, assessment=assessment, inputs=inputs)


def test_raise_issue_prefills_department_category_source_and_link(login, staff_user, clerk, assessment, checklist):
    answer = below_full_answer(assessment, clerk, checklist)
    client = login(staff_user)
    url = reverse("ledger:issue-create") + f"?assessment_answer={answer.pk}"
    form = client.get(url).context["form"]
    assert (form.initial["department"], form.initial["source"], form["category"].value()) == (
        assessment.department_id,
        "自查",
        form.fields["category"].queryset.get(name="部门职能不理顺").pk,
    )
    assert form.initial["description"] == "2025年第二季度自查评估：职能配置 — 职责清单；得分 7.00 / 10.00"
    assert form.initial["source_ref"] == f"assessment.answer:{answer.pk}"

    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"found_on": "2025-07-01", "severity": form["severity"].value(), "cooperating": []})
    response = client.post(url, data)
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert (issue.department_id, issue.source, issue.source_ref, issue.source_url) == (
        assessment.department_id,
        "自查",
        f"assessment.answer:{answer.pk}",
        assessment.get_absolute_url(),
    )


def test_review_page_offers_the_link_only_for_answers_below_full(login, staff_user, clerk, assessment, checklist):
    below = below_full_answer(assessment, clerk, checklist)
    assessment.reviewers.add(staff_user)
    review(assessment, staff_user, checklist)
    full = Answer.objects.get(assessment=assessment, item=items(checklist)["1.1"])
    content = login(staff_user).get(assessment.get_absolute_url()).content.decode()
    assert f"?assessment_answer={below.pk}" in content
    assert f"?assessment_answer={full.pk}" not in content


def test_clerk_cannot_raise_an_issue_and_outsiders_get_404(login, clerk, county_staff, assessment, checklist):
    answer = below_full_answer(assessment, clerk, checklist)
    url = reverse("ledger:issue-create") + f"?assessment_answer={answer.pk}"
    assert login(clerk).get(url).status_code == 403
    assert login(county_staff).get(url).status_code == 404
    assert Issue.objects.count() == 0
