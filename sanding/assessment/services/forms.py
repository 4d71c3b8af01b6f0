"""The department's form: fill, submit, review, return, approve, carry over."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .. import scoring, selectors
from ..choices import AssessmentState, RoundState
from ..models import Answer, Assessment, AssessmentEvent, Evidence, Round
from ._common import _bump, _lock, _require_clerk_of, _require_fillable, _require_reviewer, _save
from .evidence import _store_evidence, check_upload
from .rounds import _rerank, _result_for, _save_section_rows, _section_rows, _store_result


@dataclass
class AnswerInput:
    """What the form posts for one item."""

    value: str = ""
    not_applicable: bool = False
    na_reason: str = ""
    explanation: str = ""


@dataclass
class ReviewInput:
    """What the reviewer posts for one item; `reject_na` is “不认可不适用” on an item marked 不适用."""

    value: str = ""
    comment: str = ""
    reject_na: bool = False


@dataclass
class DraftSaved:
    """What a draft save did: answers changed, files stored, and files that were already there."""

    changed: int = 0
    stored: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)


def _event(assessment, actor, from_state, to_state, comment=""):
    AssessmentEvent.objects.create(
        assessment=assessment, actor=actor, from_state=from_state, to_state=to_state, comment=comment
    )


def _set_state(assessment, actor, to_state, comment="", extra_fields=()):
    from_state = assessment.state
    assessment.state = to_state
    _bump(assessment, "state", *extra_fields, actor=actor)
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
    """Per-item validation errors of a posted form ({item_id: message}); nothing was saved.

    `lines` name each item in form order ("1.2 职责清单：得分须为 0.5 分的整数倍。") for the page banner.
    """

    def __init__(self, errors, answers=None):
        super().__init__("部分内容填写有误，未保存，请按提示修改。", code="invalid")
        self.item_errors = errors
        answers = answers or {}
        order = sorted(
            errors,
            key=lambda i: (answers[i].item.section_id, answers[i].item.seq, i) if i in answers else (0, 0, i),
        )
        self.lines = [f"{_item_label(answers[i].item)}：{errors[i]}" if i in answers else errors[i] for i in order]


def _item_label(item):
    text = item.text if len(item.text) <= 20 else item.text[:20] + "…"
    return f"{item.code} {text}"


def _save_answers(answers, fields, actor):
    now = timezone.now()
    for answer in answers:
        answer.updated_at = now
    bulk_update_with_history(answers, Answer, [*fields, "updated_at"], batch_size=500, default_user=actor)


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
        raise AnswerErrors(errors, answers)
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
    _save_answers(changed, ["not_applicable", "na_reason", "self_value", "self_score", "explanation"], actor)
    saved = DraftSaved(changed=len(changed))
    for item_id, (content, name, kind) in checked_files.items():
        evidence, created = _store_evidence(actor=actor, answer=answers[item_id], content=content, name=name, kind=kind)
        (saved.stored if created else saved.duplicates).append(evidence)
    if current.state == AssessmentState.NOT_STARTED:
        _set_state(current, actor, AssessmentState.IN_PROGRESS, "开始填报")
    else:
        _bump(current, actor=actor)
    assessment.state, assessment.version = current.state, current.version
    return saved


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


def _review_score(answer, data, category):
    """The reviewed score of one posted item, or None (unchanged: the self score stands)."""
    value = data.value.strip()
    if answer.not_applicable:
        if not data.reject_na:
            return None
        if not value:
            raise scoring.ScoreError("不认可“不适用”时请填写核定分。")
        if not data.comment.strip():
            raise scoring.ScoreError("不认可“不适用”时请在审核意见中说明理由。")
    if not value:
        return None
    return scoring.item_score(selectors.scoring_rule(answer.item, category), value)


@transaction.atomic
def assessment_review_save(*, actor, assessment, inputs, expected_version=None):
    """Save reviewed scores (核定分) and comments; a stale form is refused (optimistic locking).

    On an item the department marked 不适用 the reviewer may tick “不认可不适用”: the item then counts,
    with the reviewed score, and the comment gives the reason (both required).
    """
    _require_reviewer(actor, assessment)
    current = _lock(assessment, expected_version)
    if current.state != AssessmentState.SUBMITTED:
        raise ValidationError("只有已提交的评估表可以审核。")
    answers = _answers_with_items(current)
    errors, scores = {}, {}
    for item_id, data in inputs.items():
        answer = answers.get(item_id)
        if answer is None:
            continue
        try:
            scores[item_id] = _review_score(answer, data, current.category)
        except scoring.ScoreError as error:
            errors[item_id] = str(error)
    if errors:
        raise AnswerErrors(errors, answers)
    changed = []
    for item_id, data in inputs.items():
        answer = answers.get(item_id)
        if answer is None:
            continue
        rejected = answer.not_applicable and data.reject_na
        counted = not answer.not_applicable or rejected
        new = {
            "na_rejected": rejected,
            "reviewed_value": data.value.strip() if counted and scores[item_id] is not None else "",
            "reviewed_score": scores[item_id] if counted else None,
            "review_comment": data.comment.strip(),
        }
        if any(getattr(answer, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(answer, k, v)
            changed.append(answer)
    _save_answers(changed, ["na_rejected", "reviewed_value", "reviewed_score", "review_comment"], actor)
    _bump(current, actor=actor)
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
    sections = selectors.checklist_structure(round_.checklist)
    unreviewed = [a for a in answers if a.reviewed_score is None and a.self_score is not None]
    for a in unreviewed:  # not changed by the reviewer: the self score is confirmed
        a.reviewed_score, a.reviewed_value = a.self_score, a.self_value
    _save_answers(unreviewed, ["reviewed_score", "reviewed_value"], actor)
    bands = selectors.checklist_bands(round_.checklist)
    lines = {a.item_id: scoring.AnswerLine(a.item_id, a.counts_as_not_applicable, a.final_score) for a in answers}
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
    _rerank(round_, categories=[current.category], actor=actor)
    current.refresh_from_db()
    return current


def match_previous(answers, old_answers):
    """Pair each answer with its counterpart in the previous form ({answer pk: old answer}).

    The same item (a round on the same checklist edition) first; else the item with the same 编号, but
    only when that code names exactly one item on each side; else the item with the same 评估内容, again
    only when unambiguous. An answer without a sure counterpart is left alone, never guessed.
    """

    def unique(rows, key):
        counts = defaultdict(int)
        for row in rows:
            counts[key(row)] += 1
        return {key(row): row for row in rows if counts[key(row)] == 1 and key(row)}

    def code(a):
        return a.item.code.strip()

    def text(a):
        return " ".join(a.item.text.split())

    by_item = {a.item_id: a for a in old_answers}
    old_by_code, old_by_text = unique(old_answers, code), unique(old_answers, text)
    new_codes, new_texts = unique(answers, code), unique(answers, text)
    pairs = {}
    for answer in answers:
        source = by_item.get(answer.item_id)
        if source is None and code(answer) in new_codes:
            source = old_by_code.get(code(answer))
        if source is None and text(answer) in new_texts:
            source = old_by_text.get(text(answer))
        if source is not None:
            pairs[answer.pk] = source
    return pairs


@transaction.atomic
def assessment_carry_over(*, actor, assessment):
    """Start the form from the department's previous round: explanations, 不适用 and evidence are copied,
    the previous score is shown for the clerk to confirm (the score itself must be entered again).

    Items are matched by `match_previous`. Returns the number of answers filled.
    """
    _require_clerk_of(actor, assessment)
    current = _lock(assessment, None)
    current.round = assessment.round
    _require_fillable(current)
    previous = (
        Assessment.objects.filter(department=current.department_id, withdrawn=False)
        .exclude(round=current.round_id)
        .filter(round__created_at__lt=current.round.created_at)
        .select_related("round")
        .order_by("-round__created_at")
        .first()
    )
    if previous is None:
        raise ValidationError("没有找到本部门上一轮的评估表。")
    old = list(Answer.objects.filter(assessment=previous).select_related("item"))
    answers = list(Answer.objects.filter(assessment=current).select_related("item"))
    pairs = match_previous(answers, old)
    old_evidence = defaultdict(list)
    for ev in Evidence.objects.filter(answer__assessment=previous, withdrawn=False):
        old_evidence[ev.answer_id].append(ev)
    have = defaultdict(set)
    for answer_id, digest in Evidence.objects.filter(answer__assessment=current, withdrawn=False).values_list(
        "answer_id", "sha256"
    ):
        have[answer_id].add(digest)
    filled = 0
    for answer in answers:
        source = pairs.get(answer.pk)
        if source is None:
            continue
        answer.explanation = answer.explanation or source.explanation
        if answer.item.na_allowed and source.counts_as_not_applicable and not answer.self_value:
            answer.not_applicable, answer.na_reason = True, source.na_reason
        answer.carried_score = None if source.counts_as_not_applicable else source.final_score
        answer._change_reason = f"从“{previous.round.name}”带入"
        _save(answer, actor)
        for ev in old_evidence[source.pk]:
            if ev.sha256 in have[answer.pk]:
                continue
            have[answer.pk].add(ev.sha256)
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
        _bump(current, actor=actor)
    return filled
