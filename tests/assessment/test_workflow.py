from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanding.assessment import services
from sanding.assessment.choices import AssessmentState, ChecklistStatus, RoundState
from sanding.assessment.models import (
    Answer,
    Assessment,
    AssessmentEvent,
    Checklist,
    Evidence,
    Item,
    Round,
    RoundEvent,
    SectionResult,
)
from sanding.core.services import StaleEditError
from tests.assessment.conftest import build_checklist, deadlines, fill_and_submit, full_inputs, items, pdf
from tests.factories import DepartmentFactory, UserFactory

D = Decimal


def events(assessment):
    return list(
        AssessmentEvent.objects.filter(assessment=assessment).order_by("pk").values_list("from_state", "to_state")
    )


def test_round_create_makes_a_form_with_answers_per_department(open_round, checklist):
    assert sorted(open_round.assessments.values_list("department__code", flat=True)) == ["YZ030", "YZ031"]
    assert Answer.objects.filter(assessment__round=open_round).count() == 10
    assert list(RoundEvent.objects.filter(round=open_round).order_by("pk").values_list("from_state", "to_state")) == [
        ("", "draft"),
        ("draft", "open"),
    ]


def test_category_exclusion_leaves_the_item_out_of_the_form(checklist, staff_user, city):
    item = Item.objects.get(section__checklist=checklist, code="2.2")
    item.category_rules.create(category="党委工作机关", excluded=True)
    party = DepartmentFactory(region=city, category="党委工作机关")
    round_ = Round(region=city, name="R", checklist=checklist)
    services.round_create(actor=staff_user, round_=round_, departments=[party])
    assert Answer.objects.filter(assessment__round=round_).count() == 4


def test_save_draft_keeps_input_and_starts_the_form(assessment, clerk, checklist):
    inputs = full_inputs(checklist, **{"1_2": "7.5", "1_3": "1"})
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=inputs)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.IN_PROGRESS
    scores = dict(Answer.objects.filter(assessment=assessment).values_list("item__code", "self_score"))
    assert scores == {"1.1": D("10"), "1.2": D("7.5"), "1.3": D("4"), "2.1": D("4"), "2.2": D("10")}
    assert events(assessment)[-1] == ("not_started", "in_progress")


def test_invalid_score_saves_nothing(assessment, clerk, checklist):
    inputs = full_inputs(checklist, **{"1_2": "11"})
    with pytest.raises(services.AnswerErrors) as error:
        services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=inputs)
    assert list(error.value.item_errors.values()) == ["得分须在 0 至 10 分之间。"]
    assert Answer.objects.filter(assessment=assessment, self_score__isnull=False).count() == 0


def test_not_applicable_needs_permission_and_reason(assessment, clerk, checklist):
    by_code = items(checklist)
    inputs = {
        by_code["1.1"].pk: services.AnswerInput(not_applicable=True, na_reason="不涉及"),
        by_code["2.2"].pk: services.AnswerInput(not_applicable=True, na_reason=""),
    }
    with pytest.raises(services.AnswerErrors) as error:
        services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=inputs)
    assert error.value.item_errors == {
        by_code["1.1"].pk: "该项不允许选择“不适用”。",
        by_code["2.2"].pk: "选择“不适用”时请填写理由。",
    }


def test_submit_requires_every_item_and_required_evidence(assessment, clerk, checklist):
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist))
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=clerk, assessment=assessment)
    assert error.value.messages == ["还有必填内容未完成，不能提交：1.1 未上传佐证材料。"]
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.IN_PROGRESS


def test_submit_then_no_more_edits(assessment, clerk, checklist):
    fill_and_submit(assessment, clerk, checklist)
    assert assessment.state == AssessmentState.SUBMITTED
    with pytest.raises(ValidationError) as error:
        services.assessment_save_draft(
            actor=clerk, assessment=assessment, inputs=full_inputs(checklist, **{"1_2": "0"})
        )
    assert error.value.messages == ["评估表当前为“已提交”，不能再修改。"]
    assert Answer.objects.get(assessment=assessment, item__code="1.2").self_score == D("10")
    with pytest.raises(ValidationError):
        services.evidence_upload(
            actor=clerk, answer=Answer.objects.get(assessment=assessment, item__code="1.1"), uploaded=pdf()
        )


def test_no_approval_of_an_unsubmitted_form(assessment, staff_user, clerk, checklist):
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist))
    with pytest.raises(ValidationError) as error:
        services.assessment_approve(actor=staff_user, assessment=assessment)
    assert error.value.messages == ["只有已提交的评估表可以审定。"]
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.IN_PROGRESS
    assert assessment.total_score is None


def test_return_keeps_input_and_allows_resubmission(assessment, clerk, staff_user, checklist):
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "8"})
    services.assessment_return(actor=staff_user, assessment=assessment, reason="请补充说明")
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.RETURNED
    answer = Answer.objects.get(assessment=assessment, item__code="1.2")
    assert (answer.self_score, answer.explanation) == (D("8"), "说明1.2")
    assert Evidence.objects.filter(answer__assessment=assessment).count() == 1
    assert AssessmentEvent.objects.filter(assessment=assessment).first().comment == "请补充说明"
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist, **{"1_2": "9"}))
    services.assessment_submit(actor=clerk, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED
    assert events(assessment) == [
        ("", "not_started"),
        ("not_started", "in_progress"),
        ("in_progress", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
    ]


def test_return_needs_a_reason(assessment, clerk, staff_user, checklist):
    fill_and_submit(assessment, clerk, checklist)
    with pytest.raises(ValidationError) as error:
        services.assessment_return(actor=staff_user, assessment=assessment, reason="  ")
    assert error.value.messages == ["请填写退回原因。"]


def test_approve_fixes_results_and_ranks_with_ties(
    open_round, assessment, other_assessment, clerk, other_clerk, staff_user, checklist
):
    by_code = items(checklist)
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "6"})
    fill_and_submit(other_assessment, other_clerk, checklist)
    services.assessment_review_save(
        actor=staff_user,
        assessment=other_assessment,
        inputs={by_code["1.2"].pk: services.ReviewInput(value="6", comment="材料不足")},
    )
    services.assessment_approve(actor=staff_user, assessment=assessment)
    services.assessment_approve(actor=staff_user, assessment=other_assessment)
    rows = list(
        Assessment.objects.filter(round=open_round)
        .order_by("department__code")
        .values_list("state", "total_score", "max_score", "percentage", "grade_label", "grade_stars", "rank")
    )
    assert rows == [
        ("approved", D("36"), D("40"), D("90.00"), "★★★★★", 5, 1),
        ("approved", D("36"), D("40"), D("90.00"), "★★★★★", 5, 1),
    ]
    sections = dict(SectionResult.objects.filter(assessment=assessment).values_list("section__title", "score"))
    assert sections == {"职能配置": D("22"), "机构编制": D("14")}
    answer = Answer.objects.get(assessment=other_assessment, item__code="1.2")
    assert (answer.self_score, answer.reviewed_score, answer.review_comment) == (D("10"), D("6"), "材料不足")


def test_veto_result_and_not_applicable_rescaling(assessment, clerk, staff_user, checklist):
    by_code = items(checklist)
    inputs = full_inputs(checklist, **{"2_1": "0"})
    inputs[by_code["2.2"].pk] = services.AnswerInput(not_applicable=True, na_reason="未牵头议事协调机构")
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=inputs, files={by_code["1.1"].pk: pdf()})
    services.assessment_submit(actor=clerk, assessment=assessment)
    result = services.assessment_approve(actor=staff_user, assessment=assessment)
    assert (result.total_score, result.max_score, result.percentage) == (D("26"), D("30"), D("86.67"))
    assert (result.grade_label, result.veto_reason) == ("★", "一票否决：未擅自增设机构")


def test_optimistic_locking_refuses_the_second_reviewer(assessment, clerk, staff_user, city, checklist):
    fill_and_submit(assessment, clerk, checklist)
    other = UserFactory(username="staff2", role="staff", region=city)
    loaded = assessment.version
    by_code = items(checklist)
    services.assessment_review_save(
        actor=staff_user,
        assessment=assessment,
        inputs={by_code["1.2"].pk: services.ReviewInput("8", "A")},
        expected_version=loaded,
    )
    with pytest.raises(StaleEditError) as error:
        services.assessment_review_save(
            actor=other,
            assessment=assessment,
            inputs={by_code["1.2"].pk: services.ReviewInput("5", "B")},
            expected_version=loaded,
        )
    assert error.value.current.version == loaded + 1
    answer = Answer.objects.get(assessment=assessment, item__code="1.2")
    assert (answer.reviewed_score, answer.review_comment) == (D("8"), "A")


def test_only_assigned_reviewers_review(assessment, clerk, staff_user, city, checklist):
    other = UserFactory(username="staff2", role="staff", region=city)
    services.round_assign(actor=staff_user, round_=assessment.round, assessments=[assessment], reviewers=[staff_user])
    fill_and_submit(assessment, clerk, checklist)
    with pytest.raises(PermissionDenied):
        services.assessment_approve(actor=other, assessment=assessment)
    services.assessment_approve(actor=staff_user, assessment=assessment)


def test_clerk_of_another_department_cannot_fill(assessment, other_clerk, checklist):
    with pytest.raises(PermissionDenied):
        services.assessment_save_draft(actor=other_clerk, assessment=assessment, inputs=full_inputs(checklist))
    assert Answer.objects.filter(assessment=assessment, self_score__isnull=False).count() == 0


def test_round_state_machine(checklist, staff_user, department):
    round_ = Round(region=checklist.region, name="R", checklist=checklist, **deadlines())
    services.round_create(actor=staff_user, round_=round_, departments=[department])
    with pytest.raises(ValidationError) as error:
        services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.CLOSED)
    assert error.value.messages == ["轮次当前为“筹备中”，不能变更为“已结束”。"]
    with pytest.raises(ValidationError):
        services.round_publish(actor=staff_user, round_=round_)
    for state in (RoundState.OPEN, RoundState.REVIEWING, RoundState.CLOSED):
        services.round_transition(actor=staff_user, round_=round_, to_state=state)
    services.round_publish(actor=staff_user, round_=round_)
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
    assert round_.published_at is not None
    assert RoundEvent.objects.filter(round=round_).count() == 5


def test_filling_refused_when_round_not_open(checklist, staff_user, department, clerk):
    round_ = Round(region=checklist.region, name="R", checklist=checklist, **deadlines())
    services.round_create(actor=staff_user, round_=round_, departments=[department])
    assessment = Assessment.objects.select_related("round").get(round=round_)
    with pytest.raises(ValidationError) as error:
        services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist))
    assert error.value.messages == ["本轮评估当前不接受填报。"]


def test_draft_checklist_cannot_be_used_and_published_one_is_frozen(city, staff_user, department):
    draft = build_checklist(city, name="草稿表", publish=False)
    with pytest.raises(ValidationError):
        services.round_create(
            actor=staff_user, round_=Round(region=city, name="R", checklist=draft), departments=[department]
        )
    services.checklist_publish(actor=staff_user, checklist=draft)
    draft.refresh_from_db()
    item = Item.objects.filter(section__checklist=draft).first()
    item.text = "改动"
    with pytest.raises(ValidationError):
        services.item_save(actor=staff_user, item=item)


def test_copy_as_new_version(checklist, staff_user):
    item = Item.objects.get(section__checklist=checklist, code="2.2")
    item.category_rules.create(category="党委工作机关", max_points=D("5"))
    copy = services.checklist_copy(actor=staff_user, checklist=checklist)
    assert (copy.edition, copy.status, copy.copied_from_id) == (2, ChecklistStatus.DRAFT, checklist.pk)
    assert Item.objects.filter(section__checklist=copy).count() == 5
    assert list(copy.bands.values_list("label", flat=True)) == ["★★★★★", "★★★★", "★★★", "★★", "★"]
    copied = Item.objects.get(section__checklist=copy, code="2.2")
    assert list(copied.category_rules.values_list("category", "max_points")) == [("党委工作机关", D("5.00"))]
    assert Checklist.objects.get(pk=checklist.pk).status == ChecklistStatus.PUBLISHED


def test_item_save_and_move_in_a_draft(city, staff_user):
    draft = build_checklist(city, name="草稿表", publish=False)
    section = draft.sections.get(seq=1)
    new = Item(section=section, text="新增细则", rule="scale", max_points=D("5"), step=D("0.5"))
    services.item_save(
        actor=staff_user, item=new, category_rules={"直属事业单位": (None, True), "党委工作机关": (D("3"), False)}
    )
    assert new.code == "1.4"
    assert sorted(new.category_rules.values_list("category", "excluded")) == [
        ("党委工作机关", False),
        ("直属事业单位", True),
    ]
    services.part_move(actor=staff_user, obj=new, direction=-1)
    assert list(Item.objects.filter(section=section).order_by("seq").values_list("code", flat=True)) == [
        "1.1",
        "1.2",
        "1.4",
        "1.3",
    ]


def test_bands_replace_and_validate(city, staff_user):
    draft = build_checklist(city, name="草稿表", publish=False)
    with pytest.raises(ValidationError) as error:
        services.bands_save(actor=staff_user, checklist=draft, bands=[(D("85"), "优秀", 0)])
    assert error.value.messages == ["最低一档的得分率下限须为 0。"]
    services.bands_save(actor=staff_user, checklist=draft, bands=[(D("85"), "优秀", 0), (D("0"), "合格", 0)])
    assert list(draft.bands.values_list("label", flat=True)) == ["优秀", "合格"]


def test_carry_over_copies_explanations_and_evidence_but_not_scores(
    assessment, clerk, staff_user, checklist, department
):
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "7"})
    services.assessment_approve(actor=staff_user, assessment=assessment)
    nxt = Round(region=checklist.region, name="下一轮", checklist=checklist, **deadlines())
    services.round_create(actor=staff_user, round_=nxt, departments=[department])
    services.round_transition(actor=staff_user, round_=nxt, to_state=RoundState.OPEN)
    new = Assessment.objects.select_related("round").get(round=nxt)
    assert services.assessment_carry_over(actor=clerk, assessment=new) == 5
    answer = Answer.objects.get(assessment=new, item__code="1.2")
    assert (answer.explanation, answer.carried_score, answer.self_score) == ("说明1.2", D("7"), None)
    old_ev = Evidence.objects.get(answer__assessment=assessment)
    new_ev = Evidence.objects.get(answer__assessment=new)
    assert (new_ev.sha256, new_ev.file.name, new_ev.carried_from_id) == (old_ev.sha256, old_ev.file.name, old_ev.pk)
