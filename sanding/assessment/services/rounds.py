"""Rounds (评估轮次): scope, assignment, the round state machine, and the stored results."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from sanding.accounts.choices import OFFICE_ROLES
from sanding.registry.models import Department, Region

from .. import scoring, selectors
from ..choices import AssessmentState, ChecklistStatus, RoundState
from ..models import Answer, Assessment, AssessmentEvent, RoundEvent, SectionResult
from ._common import _bump, _lock, _require_round_manager, _save

ROUND_TRANSITIONS = {
    RoundState.DRAFT: {RoundState.OPEN},
    RoundState.OPEN: {RoundState.REVIEWING},
    RoundState.REVIEWING: {RoundState.OPEN, RoundState.CLOSED},
    RoundState.CLOSED: set(),
}


def _round_event(round_, actor, from_state, to_state, comment=""):
    RoundEvent.objects.create(round=round_, actor=actor, from_state=from_state, to_state=to_state, comment=comment)


def _answer_rows(assessment, sections):
    return [
        Answer(assessment=assessment, item=item)
        for section in sections
        for item in section.items.all()
        if selectors.effective_max(item, assessment.category) is not None
    ]


def _check_checklist(round_):
    checklist = round_.checklist
    if checklist.status != ChecklistStatus.PUBLISHED:
        raise ValidationError("只能使用已发布的评分表。")
    if not round_.region.path.startswith(checklist.region.path):
        raise ValidationError("只能使用本区划或上级区划发布的评分表。")


def _check_deadlines(round_):
    """An open round needs both deadlines; a draft may still lack them."""
    if round_.fill_deadline is None or round_.review_deadline is None:
        raise ValidationError("开始填报前请设置填报截止日期和审核截止日期。")
    if round_.review_deadline < round_.fill_deadline:
        raise ValidationError("审核截止日期不能早于填报截止日期。")


@transaction.atomic
def round_create(*, actor, round_, departments):
    """Create a draft round with a form (and its empty answers) for each department in scope."""
    _require_round_manager(actor, round_)
    _check_checklist(round_)
    round_.state = RoundState.DRAFT
    round_.created_by = actor
    round_.full_clean()
    _save(round_, actor)
    _round_event(round_, actor, "", RoundState.DRAFT, "创建轮次")
    round_add_departments(actor=actor, round_=round_, departments=departments)
    return round_


@transaction.atomic
def round_update(*, actor, round_, expected_version=None):
    """Edit a round; staff extend filling by moving the 填报截止日期 (an open round keeps both dates)."""
    _require_round_manager(actor, round_)
    current = _lock(round_, expected_version)
    if current.state == RoundState.CLOSED:
        raise ValidationError("已结束的轮次不能修改。")
    if round_.checklist_id != current.checklist_id:
        if current.state != RoundState.DRAFT:
            raise ValidationError("轮次开始后不能更换评分表。")
        _check_checklist(round_)
    if current.state != RoundState.DRAFT:
        _check_deadlines(round_)
    round_.version = current.version + 1
    round_.full_clean()
    _save(round_, actor)
    return round_


@transaction.atomic
def round_add_departments(*, actor, round_, departments):
    """Bring departments into the round (or back in, if they had been removed). Returns how many.

    Only departments of the round's region and the regions below it may take part.
    """
    _require_round_manager(actor, round_)
    if round_.state in (RoundState.REVIEWING, RoundState.CLOSED):
        raise ValidationError("审核开始后不能再增加部门。")
    inside = Region.objects.subtree_ids(round_.region_id)
    outside = [d.name for d in departments if d.region_id not in inside]
    if outside:
        raise ValidationError(
            f"以下部门不在本轮的组织区划内：{'、'.join(outside[:5])}{' 等' if len(outside) > 5 else ''}。"
        )
    sections = selectors.checklist_structure(round_.checklist)
    existing = {a.department_id: a for a in Assessment.objects.filter(round=round_)}
    new = []
    restored = 0
    for department in departments:
        current = existing.get(department.pk)
        if current is None:
            new.append(Assessment(round=round_, department=department, category=department.category))
        elif current.withdrawn:
            current.withdrawn = False
            _bump(current, "withdrawn", actor=actor, reason="重新纳入评估范围")
            restored += 1
    if new:
        bulk_create_with_history(new, Assessment, batch_size=500, default_user=actor)
        created = list(Assessment.objects.filter(round=round_, department__in=[a.department_id for a in new]))
        answers = [row for a in created for row in _answer_rows(a, sections)]
        bulk_create_with_history(answers, Answer, batch_size=1000, default_user=actor)
        AssessmentEvent.objects.bulk_create(
            AssessmentEvent(assessment=a, actor=actor, to_state=AssessmentState.NOT_STARTED, comment="纳入评估范围")
            for a in created
        )
    return len(new) + restored


@transaction.atomic
def round_withdraw_department(*, actor, assessment):
    """Take a department out of a round that has not started (the form is kept, marked removed)."""
    _require_round_manager(actor, assessment.round)
    if assessment.round.state != RoundState.DRAFT:
        raise ValidationError("轮次开始后不能移出部门。")
    assessment.withdrawn = True
    _bump(assessment, "withdrawn", actor=actor, reason="移出本轮")


def _check_reviewers(assessments, reviewers):
    """Every reviewer must be 编办 staff whose region covers the department (else nobody could review)."""
    not_office = [str(u) for u in reviewers if u.role not in OFFICE_ROLES]
    if not_office:
        raise ValidationError(f"审核人须为编办工作人员或编办管理员：{'、'.join(not_office)}。")
    regions = {u.region_id for u in reviewers if u.region_id is not None}
    paths = dict(Region.objects.filter(pk__in=regions).values_list("pk", "path"))
    departments = Department.objects.filter(pk__in=[a.department_id for a in assessments]).select_related("region")
    for department in departments:
        for user in reviewers:
            if user.region_id is None:
                if user.is_superuser:
                    continue
                raise ValidationError(f"审核人“{user}”未设置所属区划，不能审核。")
            if not department.region.path.startswith(paths[user.region_id]):
                raise ValidationError(
                    f"审核人“{user}”的管辖范围不包括“{department.name}”（{department.region}），"
                    "请选择本级或上级编办的工作人员。"
                )


@transaction.atomic
def round_assign(*, actor, round_, assessments, method=None, reviewers=None):
    """Set the method (实地回访 / 单位自评) and the reviewers of some of a round's forms."""
    _require_round_manager(actor, round_)
    if round_.state == RoundState.CLOSED:
        raise ValidationError("已结束的轮次不能修改。")
    if any(a.round_id != round_.pk for a in assessments):
        raise ValidationError("所选部门不在本轮范围内。")
    if reviewers:
        _check_reviewers(assessments, reviewers)
    names = "、".join(str(u) for u in reviewers or []) or "未指定"
    for assessment in assessments:
        fields, reasons = [], []
        if method and assessment.method != method:
            assessment.method = method
            fields.append("method")
        if reviewers is not None:
            before = set(assessment.reviewers.values_list("pk", flat=True))
            if before != {u.pk for u in reviewers}:
                assessment.reviewers.set(reviewers)
                reasons.append(f"审核人：{names}")
        if fields or reasons:
            _bump(assessment, *fields, actor=actor, reason="；".join(reasons))


@transaction.atomic
def round_transition(*, actor, round_, to_state, comment=""):
    """The round's state machine: draft → open → reviewing → closed (reviewing may reopen filling).

    Opening needs both deadlines, and a 填报截止日期 not yet passed (reopening after it: extend first).
    """
    _require_round_manager(actor, round_)
    current = _lock(round_, None)
    if to_state not in ROUND_TRANSITIONS[current.state]:
        raise ValidationError(
            f"轮次当前为“{RoundState(current.state).label}”，不能变更为“{RoundState(to_state).label}”。"
        )
    if to_state == RoundState.OPEN:
        if not current.assessments.filter(withdrawn=False).exists():
            raise ValidationError("请先选择参加评估的部门。")
        _check_deadlines(current)
        if current.fill_deadline < timezone.localdate():
            raise ValidationError(
                f"填报截止日期（{current.fill_deadline:%Y-%m-%d}）已过，请先编辑轮次、延长填报截止日期。"
            )
    from_state = current.state
    current.state = to_state
    _bump(current, "state", actor=actor)
    _round_event(current, actor, from_state, to_state, comment)
    if to_state == RoundState.CLOSED:
        round_compute_results(round_=current, actor=actor)
    round_.state, round_.version = current.state, current.version
    return current


@transaction.atomic
def round_publish(*, actor, round_):
    """Release the results to every department at once (closed rounds only)."""
    _require_round_manager(actor, round_)
    current = _lock(round_, None)
    if current.state != RoundState.CLOSED:
        raise ValidationError("轮次结束后才能发布结果。")
    if current.published_at:
        raise ValidationError("本轮结果已经发布。")
    current.published_at = timezone.now()
    _bump(current, "published_at", actor=actor)
    _round_event(current, actor, current.state, current.state, "发布评估结果")
    round_.published_at, round_.version = current.published_at, current.version
    return current


# --- results -----------------------------------------------------------------------------------------


def _result_for(assessment, sections, bands, answers):
    lines = selectors.item_lines(sections, assessment.category)
    return scoring.compute(lines, answers, bands)


def _store_result(assessment, result):
    assessment.total_score = result.total
    assessment.max_score = result.max_points
    assessment.percentage = result.percentage
    assessment.grade_label = result.band.label if result.band else ""
    assessment.grade_stars = result.band.stars if result.band and result.band.stars else None
    assessment.veto_reason = result.veto_reason


def _section_rows(assessment, result):
    return [
        SectionResult(assessment=assessment, section_id=sid, score=sub.score, max_score=sub.max_points)
        for sid, sub in result.sections.items()
        if sub.max_points
    ]


def _save_section_rows(rows):
    SectionResult.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["assessment", "section"],
        update_fields=["score", "max_score"],
    )


def _rerank(round_, categories=None, *, actor=None):
    """Rank approved forms by percentage within each department category (ties share a rank)."""
    qs = Assessment.objects.filter(round=round_, withdrawn=False, state=AssessmentState.APPROVED)
    if categories is not None:
        qs = qs.filter(category__in=categories)
    groups = defaultdict(dict)
    rows = list(qs)
    for a in rows:
        groups[a.category][a.pk] = a.percentage
    ranks = {}
    for values in groups.values():
        ranks.update(scoring.rank(values))
    changed = []
    for a in rows:
        if a.rank != ranks.get(a.pk):
            a.rank = ranks.get(a.pk)
            changed.append(a)
    bulk_update_with_history(changed, Assessment, ["rank"], batch_size=500, default_user=actor)


@transaction.atomic
def round_compute_results(*, round_, actor=None):
    """Compute and store totals, section subtotals, grades and ranks of every approved form.

    Used when a round closes and by the benchmark; a fixed number of queries plus batched writes.
    """
    sections = selectors.checklist_structure(round_.checklist)
    bands = selectors.checklist_bands(round_.checklist)
    approved = list(
        Assessment.objects.filter(round=round_, withdrawn=False, state=AssessmentState.APPROVED).order_by("pk")
    )
    answers = defaultdict(dict)
    rows = Answer.objects.filter(assessment__in=approved).values_list(
        "assessment_id", "item_id", "not_applicable", "na_rejected", "reviewed_score", "self_score"
    )
    for assessment_id, item_id, na, na_rejected, reviewed, own in rows:
        answers[assessment_id][item_id] = scoring.AnswerLine(
            item_id, na and not na_rejected, reviewed if reviewed is not None else own
        )
    lines_by_category = {}
    section_rows = []
    for assessment in approved:
        lines = lines_by_category.get(assessment.category)
        if lines is None:
            lines = lines_by_category[assessment.category] = selectors.item_lines(sections, assessment.category)
        result = scoring.compute(lines, answers[assessment.pk], bands)
        _store_result(assessment, result)
        section_rows.extend(_section_rows(assessment, result))
    bulk_update_with_history(
        approved,
        Assessment,
        ["total_score", "max_score", "percentage", "grade_label", "grade_stars", "veto_reason"],
        batch_size=500,
        default_user=actor,
    )
    _save_section_rows(section_rows)
    _rerank(round_, actor=actor)
    return len(approved)
