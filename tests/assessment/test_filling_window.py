"""QA 4: the department fills only while the round is open and before the 填报截止日期 (a returned form
stays open to it); opening needs both deadlines; the form shows the deadline and the days left."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sanding.assessment import services
from sanding.assessment.choices import AssessmentState, RoundState
from sanding.assessment.models import Answer, Round, RoundEvent
from tests.assessment.conftest import deadlines, fill_and_submit, full_inputs


def set_round(round_, **fields):
    Round.objects.filter(pk=round_.pk).update(**fields)
    round_.refresh_from_db()


def self_scores(assessment):
    return list(Answer.objects.filter(assessment=assessment, self_score__isnull=False))


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (RoundState.REVIEWING, "本轮评估已进入审核阶段，不能再保存或提交。"),
        (RoundState.CLOSED, "本轮评估已结束，不能再保存或提交。"),
    ],
)
def test_no_saving_once_the_round_is_reviewing_or_closed(assessment, clerk, checklist, state, message):
    set_round(assessment.round, state=state)
    with pytest.raises(ValidationError) as error:
        services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist))
    assert error.value.messages == [message]
    with pytest.raises(ValidationError):
        services.assessment_submit(actor=clerk, assessment=assessment)
    assert self_scores(assessment) == []
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.NOT_STARTED


def test_no_saving_after_the_fill_deadline_until_staff_extend_it(assessment, clerk, checklist, staff_user):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    set_round(assessment.round, fill_deadline=yesterday)
    with pytest.raises(ValidationError) as error:
        services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist))
    assert error.value.messages == [
        f"填报已于 {yesterday:%Y-%m-%d} 截止，不能再保存或提交；如需补报，请联系编办延长填报截止日期。"
    ]
    assert self_scores(assessment) == []
    round_ = assessment.round
    round_.fill_deadline = timezone.localdate() + datetime.timedelta(days=3)
    services.round_update(actor=staff_user, round_=round_)
    assessment.round.refresh_from_db()
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist))
    assert len(self_scores(assessment)) == 5


def test_a_returned_form_stays_open_after_the_deadline_and_during_review(assessment, clerk, checklist, staff_user):
    fill_and_submit(assessment, clerk, checklist)
    services.assessment_return(actor=staff_user, assessment=assessment, reason="请补充")
    set_round(
        assessment.round, state=RoundState.REVIEWING, fill_deadline=timezone.localdate() - datetime.timedelta(days=5)
    )
    assessment.refresh_from_db()
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist, **{"1_2": "9"}))
    services.assessment_submit(actor=clerk, assessment=assessment)
    assert assessment.state == AssessmentState.SUBMITTED
    assert Answer.objects.get(assessment=assessment, item__code="1.2").self_score == 9


def test_opening_needs_both_deadlines(checklist, staff_user, department):
    round_ = Round(region=checklist.region, name="R", checklist=checklist, fill_deadline=timezone.localdate())
    services.round_create(actor=staff_user, round_=round_, departments=[department])
    with pytest.raises(ValidationError) as error:
        services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.OPEN)
    assert error.value.messages == ["开始填报前请设置填报截止日期和审核截止日期。"]
    round_.refresh_from_db()
    assert round_.state == RoundState.DRAFT
    assert list(RoundEvent.objects.filter(round=round_).values_list("to_state", flat=True)) == ["draft"]


def test_opening_after_the_fill_deadline_is_refused(checklist, staff_user, department):
    round_ = Round(region=checklist.region, name="R", checklist=checklist, **deadlines(-1, 10))
    services.round_create(actor=staff_user, round_=round_, departments=[department])
    with pytest.raises(ValidationError) as error:
        services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.OPEN)
    assert error.value.messages == [
        f"填报截止日期（{round_.fill_deadline:%Y-%m-%d}）已过，请先编辑轮次、延长填报截止日期。"
    ]
    round_.refresh_from_db()
    assert round_.state == RoundState.DRAFT


def test_an_open_round_keeps_its_deadlines(open_round, staff_user):
    open_round.review_deadline = None
    with pytest.raises(ValidationError) as error:
        services.round_update(actor=staff_user, round_=open_round)
    assert error.value.messages == ["开始填报前请设置填报截止日期和审核截止日期。"]
    open_round.refresh_from_db()
    assert open_round.review_deadline is not None


def test_the_form_shows_the_deadline_and_days_left(login, clerk, assessment):
    page = login(clerk).get(reverse("assessment:assessment-detail", args=[assessment.pk])).content.decode()
    deadline = assessment.round.fill_deadline
    assert f'<span id="fill-deadline">{deadline:%Y-%m-%d}（还剩 14 天）</span>' in page
    assert 'name="v-' in page


def test_after_the_deadline_the_form_is_read_only_with_the_reason(login, clerk, assessment, checklist):
    set_round(assessment.round, fill_deadline=timezone.localdate() - datetime.timedelta(days=2))
    client = login(clerk)
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    page = client.get(url).content.decode()
    assert "（已截止）" in page
    assert 'name="v-' not in page
    assert "不能再保存或提交；如需补报，请联系编办延长填报截止日期。" in page
    response = client.post(url, {"action": "save", f"v-{checklist.sections.first().items.first().pk}": "1"})
    assert response.status_code == 200
    assert self_scores(assessment) == []
