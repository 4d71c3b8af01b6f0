"""Change history: every service records its actor as the history user; the assessment and checklist
pages show who changed what, in a constant number of queries."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanding.assessment import services
from sanding.assessment.choices import RoundState, ScoringRule
from sanding.assessment.models import Answer, Assessment, Checklist, GradeBand, Item, Round, Section
from tests.assessment.conftest import build_checklist, fill_and_submit, full_inputs, items

D = Decimal


def test_answer_history_records_clerk_and_reviewer(assessment, clerk, staff_user, checklist):
    by_code = items(checklist)
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist, **{"1_2": "7.5"}))
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "8"})
    services.assessment_review_save(
        actor=staff_user,
        assessment=assessment,
        inputs={by_code["1.2"].pk: services.ReviewInput(value="6", comment="依据不足")},
    )
    answer = Answer.objects.get(assessment=assessment, item=by_code["1.2"])
    rows = list(answer.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.history_user_id, r.self_score, r.reviewed_score) for r in rows] == [
        ("+", staff_user.pk, None, None),  # created with the round
        ("~", clerk.pk, D("7.5"), None),
        ("~", clerk.pk, D("8"), None),
        ("~", staff_user.pk, D("8"), D("6")),
    ]


def test_round_and_assessment_history_name_the_actor(open_round, staff_user, assessment):
    assert list(open_round.history.values_list("history_type", "history_user", "state").order_by("history_id")) == [
        ("+", staff_user.pk, "draft"),
        ("~", staff_user.pk, "open"),
    ]
    assert list(assessment.history.values_list("history_type", "history_user")) == [("+", staff_user.pk)]


def test_closing_records_the_results_with_the_closing_user(assessment, clerk, staff_user, checklist, admin_user):
    fill_and_submit(assessment, clerk, checklist)
    services.assessment_approve(actor=staff_user, assessment=assessment)
    round_ = assessment.round
    services.round_transition(actor=admin_user, round_=round_, to_state=RoundState.REVIEWING)
    services.round_transition(actor=admin_user, round_=round_, to_state=RoundState.CLOSED)
    latest = Assessment.history.filter(id=assessment.pk).order_by("-history_date", "-history_id").first()
    assert (latest.history_user_id, latest.total_score, latest.rank) == (admin_user.pk, D("40"), 1)


def test_assessment_page_shows_who_changed_which_item(login, assessment, clerk, staff_user, checklist):
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist, **{"1_2": "7.5"}))
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist, **{"1_2": "9"}))
    page = login(staff_user).get(reverse("assessment:assessment-detail", args=[assessment.pk])).content.decode()
    assert 'id="changes"' in page
    assert "<td>1.2 职责清单</td>" in page
    assert '<span class="text-muted">自评分</span> 7.5 → <strong>9</strong>' in page
    assert '<span class="text-muted">自评分</span> — → <strong>7.5</strong>' in page


def test_clerk_history_hides_review_before_publication(login, assessment, clerk, staff_user, checklist):
    by_code = items(checklist)
    fill_and_submit(assessment, clerk, checklist)
    services.assessment_review_save(
        actor=staff_user,
        assessment=assessment,
        inputs={by_code["1.2"].pk: services.ReviewInput(value="6", comment="依据不足")},
    )
    page = login(clerk).get(reverse("assessment:assessment-detail", args=[assessment.pk])).content.decode()
    assert "核定分" not in page
    assert "依据不足" not in page


def test_assessment_page_history_costs_the_same_queries_however_many_changes(
    login, assessment, clerk, staff_user, checklist
):
    client = login(staff_user)
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=full_inputs(checklist))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for value in ("1", "2", "3", "4.5", "6", "7"):
        services.assessment_save_draft(
            actor=clerk, assessment=assessment, inputs=full_inputs(checklist, **{"1_2": value, "2_2": "3"})
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_checklist_page_shows_edits_with_their_author(login, staff_user, city):
    draft = build_checklist(city, name="草稿表", publish=False)
    item = Item.objects.get(checklist=draft, code="1.2")
    item.max_points = D("12")
    item.step = D("0.5")
    services.item_save(actor=staff_user, item=item)
    services.bands_save(
        actor=staff_user, checklist=draft, bands=[(D("85"), "优秀", 0), (D("60"), "合格", 0), (D("0"), "不合格", 0)]
    )
    page = login(staff_user).get(reverse("assessment:checklist-detail", args=[draft.pk])).content.decode()
    assert "评分细则 1.2 职责清单" in page
    assert '<span class="text-muted">分值</span> 10 → <strong>12</strong>' in page
    assert "等级 3 条" in page  # the three new bands, created together, read as one line
    assert "等级 ★★★★★（≥90%）" in page  # a removed band
    row = Item.history.filter(id=item.pk).order_by("-history_id").first()
    assert (row.history_user_id, row.max_points) == (staff_user.pk, D("12"))
    assert GradeBand.history.filter(checklist_id=draft.pk, history_type="-").count() == 5
    removed_by = GradeBand.history.filter(checklist_id=draft.pk, history_type="-").values_list(
        "history_user", flat=True
    )
    assert set(removed_by) == {staff_user.pk}


def test_checklist_page_queries_do_not_grow_with_history(login, staff_user, city):
    draft = build_checklist(city, name="草稿表", publish=False)
    client = login(staff_user)
    url = reverse("assessment:checklist-detail", args=[draft.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    section = Section.objects.get(checklist=draft, seq=1)
    for n in range(6):
        services.item_save(
            actor=staff_user,
            item=Item(section=section, text=f"新增{n}", rule=ScoringRule.YES_NO, max_points=D("1")),
        )
    draft = Checklist.objects.get(pk=draft.pk)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_round_create_writes_history_for_every_form_and_answer(checklist, staff_user, department, other_department):
    round_ = Round(region=checklist.region, name="R", checklist=checklist)
    services.round_create(actor=staff_user, round_=round_, departments=[department, other_department])
    assert Assessment.history.filter(round_id=round_.pk, history_user=staff_user).count() == 2
    answers = Answer.objects.filter(assessment__round=round_).values_list("pk", flat=True)
    assert Answer.history.filter(id__in=list(answers), history_user=staff_user).count() == 10
