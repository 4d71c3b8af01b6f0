"""Writes of the assessment app: one function per state change, each in a transaction with its event."""

import hashlib
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sanding.accounts.scoping import scope_for
from sanding.core.services import StaleEditError

from . import scoring, selectors
from .choices import EDITABLE_STATES, AssessmentState, ChecklistStatus, RoundState, ScoringRule
from .models import (
    Answer,
    Assessment,
    AssessmentEvent,
    Checklist,
    Evidence,
    GradeBand,
    Item,
    ItemCategoryRule,
    Round,
    RoundEvent,
    Section,
    SectionResult,
)

# --- helpers -----------------------------------------------------------------------------------------


def _require_office(actor):
    if not scope_for(actor).is_office:
        raise PermissionDenied("只有编办工作人员可以执行此操作。")


def _lock(instance, expected_version):
    """Lock the row and refuse a stale form (optimistic locking); returns the locked current row."""
    current = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError(current)
    return current


def _bump(instance, *fields):
    instance.version += 1
    instance.save(update_fields=[*fields, "version", "updated_at"])


# --- checklists --------------------------------------------------------------------------------------


def _require_draft(checklist):
    if checklist.status != ChecklistStatus.DRAFT:
        raise ValidationError("已发布的评分表不能修改，请“复制为新版本”后编辑。")


@transaction.atomic
def checklist_create(*, actor, checklist):
    """A new draft checklist with the default star bands."""
    _require_office(actor)
    checklist.status = ChecklistStatus.DRAFT
    checklist.full_clean()
    checklist.save()
    GradeBand.objects.bulk_create(
        GradeBand(checklist=checklist, min_percent=p, label=label, stars=stars)
        for p, label, stars in scoring.DEFAULT_BANDS
    )
    return checklist


@transaction.atomic
def checklist_update(*, actor, checklist, expected_version=None):
    _require_office(actor)
    current = _lock(checklist, expected_version)
    _require_draft(current)
    checklist.version = current.version + 1
    checklist.full_clean()
    checklist.save()
    return checklist


def _touch(checklist):
    """Any change to a draft's structure bumps the checklist version (so stale editors are told)."""
    Checklist.objects.filter(pk=checklist.pk).update(version=checklist.version + 1, updated_at=timezone.now())
    checklist.version += 1


@transaction.atomic
def section_save(*, actor, section):
    _require_office(actor)
    _require_draft(section.checklist)
    if section.pk is None:
        last = Section.objects.filter(checklist=section.checklist).aggregate(m=Max("seq"))["m"]
        section.seq = (last or 0) + 1
    section.full_clean()
    section.save()
    _touch(section.checklist)
    return section


@transaction.atomic
def item_save(*, actor, item, category_rules=None):
    """Save an item of a draft checklist; `category_rules` maps category -> (max_points | None, excluded)."""
    _require_office(actor)
    checklist = item.section.checklist
    _require_draft(checklist)
    if item.rule != ScoringRule.SCALE:
        item.step = None
    if item.rule != ScoringRule.DEDUCTION:
        item.deduction = None
    if item.pk is None:
        last = Item.objects.filter(section=item.section).aggregate(m=Max("seq"))["m"]
        item.seq = (last or 0) + 1
    if not item.code:
        n = Item.objects.filter(section=item.section).exclude(pk=item.pk).count() + 1
        item.code = f"{item.section.seq}.{n}"
    item.full_clean()
    item.save()
    if category_rules is not None:
        existing = {r.category: r for r in item.category_rules.all()}
        for category, (max_points, excluded) in category_rules.items():
            rule = existing.pop(category, None)
            if max_points is None and not excluded:
                if rule is not None:
                    rule.delete()  # a draft's configuration, not a business record
                continue
            rule = rule or ItemCategoryRule(item=item, category=category)
            rule.max_points, rule.excluded = max_points, excluded
            rule.save()
        for rule in existing.values():
            rule.delete()
    _touch(checklist)
    return item


@transaction.atomic
def part_move(*, actor, obj, direction):
    """Move a section or an item one place up (-1) or down (+1) among its siblings."""
    _require_office(actor)
    checklist = obj.checklist if isinstance(obj, Section) else obj.section.checklist
    _require_draft(checklist)
    siblings = (
        list(Section.objects.filter(checklist=checklist, archived=False).order_by("seq", "pk"))
        if isinstance(obj, Section)
        else list(Item.objects.filter(section=obj.section, archived=False).order_by("seq", "pk"))
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == obj.pk)
    target = index + direction
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    for seq, sibling in enumerate(siblings, start=1):
        if sibling.seq != seq:
            sibling.seq = seq
            sibling.save(update_fields=["seq"])
    _touch(checklist)


@transaction.atomic
def part_archive(*, actor, obj):
    """Remove a section or item from a draft (kept in the database, marked removed)."""
    _require_office(actor)
    checklist = obj.checklist if isinstance(obj, Section) else obj.section.checklist
    _require_draft(checklist)
    obj.archived = True
    obj.save(update_fields=["archived"])
    _touch(checklist)


@transaction.atomic
def bands_save(*, actor, checklist, bands, expected_version=None):
    """Replace a draft's grade bands with `bands` [(min_percent, label, stars)]."""
    _require_office(actor)
    current = _lock(checklist, expected_version)
    _require_draft(current)
    if not bands:
        raise ValidationError("至少需要一个等级。")
    thresholds = [b[0] for b in bands]
    if len(set(thresholds)) != len(thresholds):
        raise ValidationError("各等级的得分率下限不能相同。")
    if min(thresholds) != 0:
        raise ValidationError("最低一档的得分率下限须为 0。")
    GradeBand.objects.filter(checklist=checklist).delete()  # a draft's configuration
    GradeBand.objects.bulk_create(
        GradeBand(checklist=checklist, min_percent=p, label=label, stars=stars) for p, label, stars in bands
    )
    _touch(current)
    checklist.version = current.version


@transaction.atomic
def checklist_publish(*, actor, checklist, expected_version=None):
    """Freeze a draft: it can then be used by rounds; later changes need a new version."""
    _require_office(actor)
    current = _lock(checklist, expected_version)
    _require_draft(current)
    sections = selectors.checklist_structure(current)
    items = [i for s in sections for i in s.items.all()]
    if not items:
        raise ValidationError("评分表至少需要一个评分项目和一条评分细则才能发布。")
    empty = [s.title for s in sections if not s.items.all()]
    if empty:
        raise ValidationError(f"以下评分项目没有评分细则：{'、'.join(empty)}。")
    if not GradeBand.objects.filter(checklist=current).exists():
        raise ValidationError("请先设置等级。")
    current.status = ChecklistStatus.PUBLISHED
    current.published_at = timezone.now()
    _bump(current, "status", "published_at")
    return current


@transaction.atomic
def checklist_copy(*, actor, checklist):
    """Copy a checklist (sections, items, category rules, bands) as the next draft edition."""
    _require_office(actor)
    last = Checklist.objects.filter(region=checklist.region, name=checklist.name).aggregate(m=Max("edition"))["m"]
    copy = Checklist.objects.create(
        region=checklist.region,
        name=checklist.name,
        edition=(last or 0) + 1,
        copied_from=checklist,
        status=ChecklistStatus.DRAFT,
        description=checklist.description,
        categories=list(checklist.categories),
    )
    for section in selectors.checklist_structure(checklist):
        new_section = Section.objects.create(
            checklist=copy, seq=section.seq, title=section.title, description=section.description
        )
        for item in section.items.all():
            rules = list(item.category_rules.all())
            item.pk = None
            item.section = new_section
            item.save()
            ItemCategoryRule.objects.bulk_create(
                ItemCategoryRule(item=item, category=r.category, max_points=r.max_points, excluded=r.excluded)
                for r in rules
            )
    GradeBand.objects.bulk_create(
        GradeBand(checklist=copy, min_percent=b.min_percent, label=b.label, stars=b.stars)
        for b in GradeBand.objects.filter(checklist=checklist)
    )
    return copy


# --- rounds ------------------------------------------------------------------------------------------

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


@transaction.atomic
def round_create(*, actor, round_, departments):
    """Create a draft round with a form (and its empty answers) for each department in scope."""
    _require_office(actor)
    if round_.checklist.status != ChecklistStatus.PUBLISHED:
        raise ValidationError("只能使用已发布的评分表。")
    round_.state = RoundState.DRAFT
    round_.created_by = actor
    round_.full_clean()
    round_.save()
    _round_event(round_, actor, "", RoundState.DRAFT, "创建轮次")
    round_add_departments(actor=actor, round_=round_, departments=departments)
    return round_


@transaction.atomic
def round_update(*, actor, round_, expected_version=None):
    _require_office(actor)
    current = _lock(round_, expected_version)
    if current.state == RoundState.CLOSED:
        raise ValidationError("已结束的轮次不能修改。")
    if round_.checklist_id != current.checklist_id and current.state != RoundState.DRAFT:
        raise ValidationError("轮次开始后不能更换评分表。")
    round_.version = current.version + 1
    round_.full_clean()
    round_.save()
    return round_


@transaction.atomic
def round_add_departments(*, actor, round_, departments):
    """Bring departments into the round (or back in, if they had been removed). Returns how many."""
    _require_office(actor)
    if round_.state in (RoundState.REVIEWING, RoundState.CLOSED):
        raise ValidationError("审核开始后不能再增加部门。")
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
            _bump(current, "withdrawn")
            restored += 1
    created = Assessment.objects.bulk_create(new)
    if created:
        created = list(Assessment.objects.filter(round=round_, department__in=[a.department_id for a in new]))
        Answer.objects.bulk_create([row for a in created for row in _answer_rows(a, sections)])
        AssessmentEvent.objects.bulk_create(
            AssessmentEvent(assessment=a, actor=actor, to_state=AssessmentState.NOT_STARTED, comment="纳入评估范围")
            for a in created
        )
    return len(new) + restored


@transaction.atomic
def round_withdraw_department(*, actor, assessment):
    """Take a department out of a round that has not started (the form is kept, marked removed)."""
    _require_office(actor)
    if assessment.round.state != RoundState.DRAFT:
        raise ValidationError("轮次开始后不能移出部门。")
    assessment.withdrawn = True
    _bump(assessment, "withdrawn")


@transaction.atomic
def round_assign(*, actor, round_, assessments, method=None, reviewers=None):
    """Set the method (实地回访 / 单位自评) and the reviewers of some of a round's forms."""
    _require_office(actor)
    if round_.state == RoundState.CLOSED:
        raise ValidationError("已结束的轮次不能修改。")
    for assessment in assessments:
        if assessment.round_id != round_.pk:
            raise ValidationError("所选部门不在本轮范围内。")
        if method:
            assessment.method = method
            _bump(assessment, "method")
        if reviewers is not None:
            assessment.reviewers.set(reviewers)


@transaction.atomic
def round_transition(*, actor, round_, to_state, comment=""):
    """The round's state machine: draft → open → reviewing → closed (reviewing may reopen filling)."""
    _require_office(actor)
    current = _lock(round_, None)
    if to_state not in ROUND_TRANSITIONS[current.state]:
        raise ValidationError(
            f"轮次当前为“{RoundState(current.state).label}”，不能变更为“{RoundState(to_state).label}”。"
        )
    if to_state == RoundState.OPEN and not current.assessments.filter(withdrawn=False).exists():
        raise ValidationError("请先选择参加评估的部门。")
    from_state = current.state
    current.state = to_state
    _bump(current, "state")
    _round_event(current, actor, from_state, to_state, comment)
    if to_state == RoundState.CLOSED:
        round_compute_results(round_=current)
    round_.state, round_.version = current.state, current.version
    return current


@transaction.atomic
def round_publish(*, actor, round_):
    """Release the results to every department at once (closed rounds only)."""
    _require_office(actor)
    current = _lock(round_, None)
    if current.state != RoundState.CLOSED:
        raise ValidationError("轮次结束后才能发布结果。")
    if current.published_at:
        raise ValidationError("本轮结果已经发布。")
    current.published_at = timezone.now()
    _bump(current, "published_at")
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


def _rerank(round_, categories=None):
    """Rank approved forms by percentage within each department category (ties share a rank)."""
    qs = Assessment.objects.filter(round=round_, withdrawn=False, state=AssessmentState.APPROVED)
    if categories is not None:
        qs = qs.filter(category__in=categories)
    groups = defaultdict(dict)
    rows = list(qs.only("pk", "category", "percentage", "rank"))
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
    Assessment.objects.bulk_update(changed, ["rank"], batch_size=500)


@transaction.atomic
def round_compute_results(*, round_):
    """Compute and store totals, section subtotals, grades and ranks of every approved form.

    Used when a round closes and by the benchmark; a fixed number of queries plus batched writes.
    """
    sections = selectors.checklist_structure(round_.checklist)
    bands = selectors.checklist_bands(round_.checklist)
    approved = list(
        Assessment.objects.filter(round=round_, withdrawn=False, state=AssessmentState.APPROVED).order_by("pk")
    )
    answers = defaultdict(dict)
    for assessment_id, item_id, na, reviewed, own in Answer.objects.filter(assessment__in=approved).values_list(
        "assessment_id", "item_id", "not_applicable", "reviewed_score", "self_score"
    ):
        answers[assessment_id][item_id] = scoring.AnswerLine(item_id, na, reviewed if reviewed is not None else own)
    lines_by_category = {}
    section_rows = []
    for assessment in approved:
        lines = lines_by_category.get(assessment.category)
        if lines is None:
            lines = lines_by_category[assessment.category] = selectors.item_lines(sections, assessment.category)
        result = scoring.compute(lines, answers[assessment.pk], bands)
        _store_result(assessment, result)
        section_rows.extend(_section_rows(assessment, result))
    Assessment.objects.bulk_update(
        approved,
        ["total_score", "max_score", "percentage", "grade_label", "grade_stars", "veto_reason"],
        batch_size=500,
    )
    _save_section_rows(section_rows)
    _rerank(round_)
    return len(approved)


# --- the department's form ---------------------------------------------------------------------------


@dataclass
class AnswerInput:
    """What the form posts for one item."""

    value: str = ""
    not_applicable: bool = False
    na_reason: str = ""
    explanation: str = ""


@dataclass
class ReviewInput:
    value: str = ""
    comment: str = ""


def _require_clerk_of(actor, assessment):
    scope = scope_for(actor)
    if not (scope.is_clerk and scope.department_id == assessment.department_id):
        raise PermissionDenied("只有本部门填报员可以填报。")


def _require_fillable(assessment):
    if assessment.round.state not in (RoundState.OPEN, RoundState.REVIEWING):
        raise ValidationError("本轮评估当前不接受填报。")
    if assessment.state not in EDITABLE_STATES:
        raise ValidationError(f"评估表当前为“{AssessmentState(assessment.state).label}”，不能再修改。")


def _require_reviewer(actor, assessment):
    _require_office(actor)
    if not selectors.can_review(actor, assessment):
        raise PermissionDenied("您不是该部门的审核人。")


def _event(assessment, actor, from_state, to_state, comment=""):
    AssessmentEvent.objects.create(
        assessment=assessment, actor=actor, from_state=from_state, to_state=to_state, comment=comment
    )


def _set_state(assessment, actor, to_state, comment="", extra_fields=()):
    from_state = assessment.state
    assessment.state = to_state
    _bump(assessment, "state", *extra_fields)
    _event(assessment, actor, from_state, to_state, comment)


def _answers_with_items(assessment):
    return {
        a.item_id: a
        for a in Answer.objects.filter(assessment=assessment)
        .select_related("item")
        .prefetch_related("item__category_rules")
    }


def validate_answers(assessment, answers, inputs):
    """Check posted inputs against each item's rule; returns ({item_id: message}, {item_id: score})."""
    errors, scores = {}, {}
    for item_id, data in inputs.items():
        answer = answers.get(item_id)
        if answer is None:
            continue
        item = answer.item
        if data.not_applicable:
            if not item.na_allowed:
                errors[item_id] = "该项不允许选择“不适用”。"
            elif not data.na_reason.strip():
                errors[item_id] = "选择“不适用”时请填写理由。"
            scores[item_id] = None
            continue
        if not data.value.strip():
            scores[item_id] = None
            continue
        try:
            scores[item_id] = scoring.item_score(selectors.scoring_rule(item, assessment.category), data.value.strip())
        except scoring.ScoreError as error:
            errors[item_id] = str(error)
    return errors, scores


class AnswerErrors(ValidationError):
    """Per-item validation errors of a posted form ({item_id: message}); nothing was saved."""

    def __init__(self, errors):
        super().__init__("部分内容填写有误，未保存，请按提示修改。", code="invalid")
        self.item_errors = errors


@transaction.atomic
def assessment_save_draft(*, actor, assessment, inputs, files=None, expected_version=None):
    """Save the department's answers (and new evidence) as a draft; all-or-nothing on any error."""
    _require_clerk_of(actor, assessment)
    current = _lock(assessment, expected_version)
    current.round = assessment.round
    _require_fillable(current)
    answers = _answers_with_items(current)
    errors, scores = validate_answers(current, answers, inputs)
    checked_files = {}
    for item_id, uploaded in (files or {}).items():
        if item_id not in answers:
            continue
        try:
            checked_files[item_id] = check_upload(uploaded)
        except ValidationError as error:
            errors[item_id] = error.messages[0]
    if errors:
        raise AnswerErrors(errors)
    changed = []
    for item_id, data in inputs.items():
        answer = answers.get(item_id)
        if answer is None:
            continue
        new = {
            "not_applicable": data.not_applicable,
            "na_reason": data.na_reason.strip() if data.not_applicable else "",
            "self_value": "" if data.not_applicable else data.value.strip(),
            "self_score": scores.get(item_id),
            "explanation": data.explanation.strip(),
        }
        if any(getattr(answer, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(answer, k, v)
            changed.append(answer)
    Answer.objects.bulk_update(
        changed, ["not_applicable", "na_reason", "self_value", "self_score", "explanation", "updated_at"]
    )
    for item_id, (content, name, kind) in checked_files.items():
        _store_evidence(actor=actor, answer=answers[item_id], content=content, name=name, kind=kind)
    if current.state == AssessmentState.NOT_STARTED:
        _set_state(current, actor, AssessmentState.IN_PROGRESS, "开始填报")
    else:
        _bump(current)
    assessment.state, assessment.version = current.state, current.version
    return len(changed)


def missing_requirements(assessment):
    """What still blocks submission: [(item, reason)]."""
    answers = _answers_with_items(assessment)
    with_evidence = set(
        Evidence.objects.filter(answer__assessment=assessment, withdrawn=False).values_list("answer_id", flat=True)
    )
    missing = []
    for answer in sorted(answers.values(), key=lambda a: (a.item.section_id, a.item.seq)):
        item = answer.item
        if answer.not_applicable:
            continue
        if answer.self_score is None:
            missing.append((item, "未评分"))
        elif item.evidence_required and answer.pk not in with_evidence:
            missing.append((item, "未上传佐证材料"))
    return missing


@transaction.atomic
def assessment_submit(*, actor, assessment, expected_version=None):
    """Submit the form for review once every applicable item is scored and required evidence is there."""
    _require_clerk_of(actor, assessment)
    current = _lock(assessment, expected_version)
    current.round = assessment.round
    _require_fillable(current)
    missing = missing_requirements(current)
    if missing:
        listed = "；".join(f"{item.code} {reason}" for item, reason in missing[:10])
        more = f" 等 {len(missing)} 项" if len(missing) > 10 else ""
        raise ValidationError(f"还有必填内容未完成，不能提交：{listed}{more}。")
    current.submitted_at = timezone.now()
    _set_state(current, actor, AssessmentState.SUBMITTED, "提交审核", ("submitted_at",))
    assessment.state, assessment.version = current.state, current.version
    return current


@transaction.atomic
def assessment_review_save(*, actor, assessment, inputs, expected_version=None):
    """Save reviewed scores (核定分) and comments; a stale form is refused (optimistic locking)."""
    _require_reviewer(actor, assessment)
    current = _lock(assessment, expected_version)
    if current.state != AssessmentState.SUBMITTED:
        raise ValidationError("只有已提交的评估表可以审核。")
    answers = _answers_with_items(current)
    errors, scores = {}, {}
    for item_id, data in inputs.items():
        answer = answers.get(item_id)
        if answer is None or answer.not_applicable or not data.value.strip():
            scores[item_id] = None
            continue
        try:
            rule = selectors.scoring_rule(answer.item, current.category)
            scores[item_id] = scoring.item_score(rule, data.value.strip())
        except scoring.ScoreError as error:
            errors[item_id] = str(error)
    if errors:
        raise AnswerErrors(errors)
    changed = []
    for item_id, data in inputs.items():
        answer = answers.get(item_id)
        if answer is None:
            continue
        new = {
            "reviewed_value": "" if answer.not_applicable else data.value.strip(),
            "reviewed_score": scores.get(item_id),
            "review_comment": data.comment.strip(),
        }
        if any(getattr(answer, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(answer, k, v)
            changed.append(answer)
    Answer.objects.bulk_update(changed, ["reviewed_value", "reviewed_score", "review_comment", "updated_at"])
    _bump(current)
    assessment.version = current.version
    return len(changed)


@transaction.atomic
def assessment_return(*, actor, assessment, reason, expected_version=None):
    """退回修改: back to the department with a reason; every answer stays as it was."""
    _require_reviewer(actor, assessment)
    current = _lock(assessment, expected_version)
    if current.state != AssessmentState.SUBMITTED:
        raise ValidationError("只有已提交的评估表可以退回。")
    if not reason.strip():
        raise ValidationError("请填写退回原因。")
    _set_state(current, actor, AssessmentState.RETURNED, reason.strip())
    assessment.state, assessment.version = current.state, current.version
    return current


@transaction.atomic
def assessment_approve(*, actor, assessment, expected_version=None):
    """审定: fix the result (total, subtotals, grade) and re-rank the category in the round."""
    _require_reviewer(actor, assessment)
    current = _lock(assessment, expected_version)
    if current.state != AssessmentState.SUBMITTED:
        raise ValidationError("只有已提交的评估表可以审定。")
    round_ = Round.objects.select_related("checklist").get(pk=current.round_id)
    if round_.state == RoundState.CLOSED:
        raise ValidationError("本轮评估已结束。")
    answers = list(Answer.objects.filter(assessment=current))
    unreviewed = [a for a in answers if a.reviewed_score is None and a.self_score is not None]
    for a in unreviewed:  # not changed by the reviewer: the self score is confirmed
        a.reviewed_score, a.reviewed_value = a.self_score, a.self_value
    Answer.objects.bulk_update(unreviewed, ["reviewed_score", "reviewed_value"])
    sections = selectors.checklist_structure(round_.checklist)
    bands = selectors.checklist_bands(round_.checklist)
    lines = {a.item_id: scoring.AnswerLine(a.item_id, a.not_applicable, a.final_score) for a in answers}
    result = _result_for(current, sections, bands, lines)
    _store_result(current, result)
    current.approved_at = timezone.now()
    _set_state(
        current,
        actor,
        AssessmentState.APPROVED,
        "审定通过",
        ("approved_at", "total_score", "max_score", "percentage", "grade_label", "grade_stars", "veto_reason"),
    )
    _save_section_rows(_section_rows(current, result))
    _rerank(round_, categories=[current.category])
    current.refresh_from_db()
    return current


@transaction.atomic
def assessment_carry_over(*, actor, assessment):
    """Start the form from the department's previous round: explanations, 不适用 and evidence are copied,
    the previous score is shown for the clerk to confirm (the score itself must be entered again).

    Items are matched by their code across checklist versions. Returns the number of answers filled.
    """
    _require_clerk_of(actor, assessment)
    current = _lock(assessment, None)
    current.round = assessment.round
    _require_fillable(current)
    previous = (
        Assessment.objects.filter(department=current.department_id, withdrawn=False)
        .exclude(round=current.round_id)
        .filter(round__created_at__lt=current.round.created_at)
        .order_by("-round__created_at")
        .first()
    )
    if previous is None:
        raise ValidationError("没有找到本部门上一轮的评估表。")
    old = {a.item.code: a for a in Answer.objects.filter(assessment=previous).select_related("item")}
    old_evidence = defaultdict(list)
    for ev in Evidence.objects.filter(answer__assessment=previous, withdrawn=False):
        old_evidence[ev.answer_id].append(ev)
    filled = 0
    for answer in Answer.objects.filter(assessment=current).select_related("item"):
        source = old.get(answer.item.code)
        if source is None:
            continue
        answer.explanation = answer.explanation or source.explanation
        if answer.item.na_allowed and source.not_applicable and not answer.self_value:
            answer.not_applicable, answer.na_reason = True, source.na_reason
        answer.carried_score = source.final_score
        answer.save()
        have = set(Evidence.objects.filter(answer=answer, withdrawn=False).values_list("sha256", flat=True))
        for ev in old_evidence[source.pk]:
            if ev.sha256 in have:
                continue
            Evidence.objects.create(
                answer=answer,
                file=ev.file.name,
                original_name=ev.original_name,
                sha256=ev.sha256,
                size=ev.size,
                kind=ev.kind,
                uploaded_by=ev.uploaded_by,
                carried_from=ev,
            )
        filled += 1
    if current.state == AssessmentState.NOT_STARTED:
        _set_state(current, actor, AssessmentState.IN_PROGRESS, f"从“{previous.round.name}”带入")
    else:
        _bump(current)
    return filled


# --- evidence ----------------------------------------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
KINDS = {
    # extension: (kind, check of the first bytes / the zip members)
    "pdf": "pdf",
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "doc": "word",
    "docx": "word",
    "xls": "excel",
    "xlsx": "excel",
}
ALLOWED_LABEL = "PDF、图片（JPG/PNG）、Word（DOC/DOCX）、Excel（XLS/XLSX）"


def _looks_like(ext, head, content):
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("doc", "xls"):
        return head.startswith(OLE)
    if ext in ("docx", "xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(content) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        prefix = "word/" if ext == "docx" else "xl/"
        return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)
    return False


def check_upload(uploaded):
    """Check an uploaded file by size, extension and content; returns (bytes, safe name, kind)."""
    limit = settings.ASSESSMENT_EVIDENCE_MAX_BYTES
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if uploaded.size > limit:
        raise ValidationError(f"文件“{name}”超过 {limit // (1024 * 1024) or 1} MB 的大小限制。")
    if uploaded.size == 0:
        raise ValidationError(f"文件“{name}”是空文件。")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in KINDS:
        raise ValidationError(f"不支持文件“{name}”的类型，只能上传{ALLOWED_LABEL}。")
    uploaded.seek(0)
    data = uploaded.read()
    if not _looks_like(ext, data[:16], io.BytesIO(data)):
        raise ValidationError(f"文件“{name}”的内容与扩展名不符或已损坏，只能上传{ALLOWED_LABEL}。")
    safe = "".join(ch for ch in name if ch not in '<>:"|?*\x00') or f"file.{ext}"
    if len(safe) > 100:
        safe = safe[:90] + "." + ext
    return data, safe, KINDS[ext]


def _store_evidence(*, actor, answer, content, name, kind):
    digest = hashlib.sha256(content).hexdigest()
    evidence = Evidence(
        answer=answer, original_name=name, sha256=digest, size=len(content), kind=kind, uploaded_by=actor
    )
    same = Evidence.objects.filter(sha256=digest, original_name=name).first()
    if same is not None:  # identical bytes already stored: point at them, never write again
        evidence.file = same.file.name
        evidence.save()
    else:
        evidence.file.save(name, ContentFile(content), save=True)
    return evidence


@transaction.atomic
def evidence_upload(*, actor, answer, uploaded):
    """Attach a new file to an answer (a new version; earlier uploads stay)."""
    assessment = answer.assessment
    _require_clerk_of(actor, assessment)
    _require_fillable(assessment)
    content, name, kind = check_upload(uploaded)
    return _store_evidence(actor=actor, answer=answer, content=content, name=name, kind=kind)


@transaction.atomic
def evidence_withdraw(*, actor, evidence):
    """Take a file off the form (the file and its row are kept)."""
    assessment = evidence.answer.assessment
    _require_clerk_of(actor, assessment)
    _require_fillable(assessment)
    evidence.withdrawn = True
    evidence.save(update_fields=["withdrawn"])
