"""Writes to the ledger. One function, `rectification_transition`, owns the rectification state machine."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sanding.accounts.scoping import scope_for
from sanding.core.services import StaleEditError, save_versioned
from sanding.registry.models import Region

from .choices import HEAD_GROUP, Action, Status
from .models import (
    KINDS_WITH_DEADLINE,
    Attachment,
    Issue,
    IssueCooperation,
    LedgerRegionSetting,
    ProgressReport,
    Rectification,
    RectificationEvent,
    kind_errors,
)
from .uploads import validate_upload

# Who may act: "office" = 编办 staff/admin of the item's region; "clerk" = the clerk of the item's
# responsible unit; "head" = a member of the 单位负责人 group who is a clerk of the responsible unit.
OFFICE, CLERK, HEAD = "office", "clerk", "head"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple
    target: str
    actors: frozenset
    needs_comment: bool = False
    head_review: bool | None = None  # None: always; True/False: only with/without the head-review step


TRANSITIONS = {
    Action.START: Transition(Action.START, (Status.NOT_STARTED,), Status.IN_PROGRESS, frozenset({OFFICE, CLERK})),
    Action.APPLY: Transition(
        Action.APPLY, (Status.IN_PROGRESS,), Status.APPLIED, frozenset({OFFICE, CLERK}), needs_comment=True
    ),
    Action.HEAD_CONFIRM: Transition(
        Action.HEAD_CONFIRM, (Status.APPLIED,), Status.HEAD_CONFIRMED, frozenset({HEAD}), head_review=True
    ),
    Action.HEAD_REJECT: Transition(
        Action.HEAD_REJECT,
        (Status.APPLIED,),
        Status.IN_PROGRESS,
        frozenset({HEAD}),
        needs_comment=True,
        head_review=True,
    ),
    Action.CLOSE: Transition(Action.CLOSE, (Status.APPLIED,), Status.CLOSED, frozenset({OFFICE}), head_review=False),
    Action.REJECT: Transition(
        Action.REJECT, (Status.APPLIED, Status.HEAD_CONFIRMED), Status.IN_PROGRESS, frozenset({OFFICE}), True
    ),
    Action.REOPEN: Transition(Action.REOPEN, (Status.CLOSED,), Status.IN_PROGRESS, frozenset({OFFICE}), True),
}
# 编办 closes what the head confirmed (also after the region switched the step off again).
CLOSE_AFTER_HEAD = Transition(Action.CLOSE, (Status.HEAD_CONFIRMED,), Status.CLOSED, frozenset({OFFICE}))
COMMENT_REQUIRED = {
    Action.APPLY: "申请销号须填写整改情况说明。",
    Action.HEAD_REJECT: "退回须填写理由。",
    Action.REJECT: "退回须填写理由。",
    Action.REOPEN: "重新打开须填写理由。",
}


def head_review_enabled(region_id):
    return LedgerRegionSetting.objects.filter(region_id=region_id, head_review=True).exists()


def actor_roles(user, rectification):
    """The roles `user` holds for this item (a user out of scope holds none)."""
    scope = scope_for(user)
    roles = set()
    if scope.is_office and Rectification.objects.visible_to(user).filter(pk=rectification.pk).exists():
        roles.add(OFFICE)
    if scope.is_clerk and scope.department_id == rectification.department_id:
        roles.add(CLERK)
        if user.groups.filter(name=HEAD_GROUP).exists():
            roles.add(HEAD)
    return roles


def _transition_for(action, rectification):
    if action == Action.CLOSE and rectification.status == Status.HEAD_CONFIRMED:
        return CLOSE_AFTER_HEAD
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise ValidationError("未知的操作。", code="unknown") from None


def allowed_actions(*, user, rectification):
    """Actions this user may take on the item now (for the buttons; the service checks again)."""
    roles = actor_roles(user, rectification)
    head = head_review_enabled(rectification.region_id)
    actions = []
    for action in TRANSITIONS:
        t = _transition_for(action, rectification)
        if rectification.status in t.sources and roles & t.actors and t.head_review in (None, head):
            actions.append(action)
    return actions


class ItemChangedError(StaleEditError):
    """Somebody acted on the item after this page was loaded: says who did what, and when.

    "该事项已由 张三 于 12-02 10:31 处理为“已销号”，您的操作未执行。" (from the item's latest event).
    """

    def __init__(self, current):
        event = current.events.select_related("actor").order_by("-at", "-pk").first()
        if event is None:
            super().__init__(current)
            return
        who = event.actor or "系统"
        when = f"{timezone.localtime(event.at):%m-%d %H:%M}"
        if event.to_status:
            done = f"处理为“{Status(event.to_status).label}”"
        else:
            done = f"{Action(event.action).label}（当前状态“{current.get_status_display()}”）"
        ValidationError.__init__(self, f"该事项已由 {who} 于 {when} {done}，您的操作未执行。", code="stale")
        self.current = current


def _check_version(rectification, expected_version):
    """Refuse an action posted from an outdated page before anything else is checked."""
    if expected_version is not None and rectification.version != expected_version:
        raise ItemChangedError(rectification)


def _record_event(*, rectification, actor, action, from_status="", to_status="", comment=""):
    return RectificationEvent.objects.create(
        rectification=rectification,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


@transaction.atomic
def rectification_transition(*, actor, rectification, action, comment="", files=(), expected_version=None, evidence=()):
    """Move a rectification item through its workflow; the only place its status changes.

    Checks the allowed-transition table, the actor's role for this item and the region's head-review
    switch; saves (versioned, with history); appends an event with the comment and any evidence files.

    申请销号 needs evidence on the application itself, every time (also after a rejection or a
    reopening): files uploaded with it (`files`), or files of this item chosen explicitly from its
    earlier attachments (`evidence`: Attachment rows or their pks, linked to the event).
    """
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    _check_version(rectification, expected_version)
    transition = _transition_for(action, rectification)
    roles = actor_roles(actor, rectification)
    if not roles & transition.actors:
        if transition.actors == {OFFICE}:
            raise PermissionDenied("只有编办工作人员可以执行此操作。")
        if transition.actors == {HEAD}:
            raise PermissionDenied("只有责任单位负责人可以执行此操作。")
        raise PermissionDenied("只有责任单位填报员或编办工作人员可以执行此操作。")
    if rectification.status not in transition.sources:
        raise ValidationError(
            "当前状态为“%(status)s”，不能执行“%(action)s”。",
            code="state",
            params={"status": rectification.get_status_display(), "action": Action(action).label},
        )
    head = head_review_enabled(rectification.region_id)
    if transition.head_review is not None and transition.head_review != head:
        if head:
            raise ValidationError("本区划已启用单位负责人审核，须经单位负责人审核后再核验销号。", code="head_review")
        raise ValidationError("本区划未启用单位负责人审核。", code="head_review")
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise ValidationError(COMMENT_REQUIRED[action], code="comment")
    cited = []
    if action == Action.APPLY:
        pks = {getattr(a, "pk", a) for a in evidence}
        cited = list(Attachment.objects.filter(rectification=rectification, pk__in=pks).order_by("pk"))
        if len(cited) != len(pks):
            raise ValidationError("所选佐证材料不属于该整改事项。", code="evidence")
        if not files and not cited:
            raise ValidationError("申请销号须上传佐证材料，或从已有材料中选择。", code="evidence")
    elif evidence:
        raise ValidationError("只有申请销号可以引用已有材料。", code="evidence")
    for f in files:
        validate_upload(f)

    source = rectification.status
    rectification.status = transition.target
    if action == Action.APPLY:
        rectification.summary = comment
    if transition.target == Status.CLOSED:
        rectification.closed_at = timezone.now()
    elif source == Status.CLOSED:
        rectification.closed_at = None
    save_versioned(
        actor=actor,
        instance=rectification,
        expected_version=expected_version,
        reason=f"{Action(action).label}：{comment}" if comment else Action(action).label,
    )
    event = _record_event(
        rectification=rectification,
        actor=actor,
        action=action,
        from_status=source,
        to_status=transition.target,
        comment=comment,
    )
    for f in files:
        _store(actor=actor, upload=f, issue_id=rectification.issue_id, rectification=rectification, event=event)
    if cited:
        event.evidence.set(cited)
    return rectification


def _store(*, actor, upload, issue_id, rectification=None, progress=None, event=None):
    return Attachment.objects.create(
        issue_id=issue_id,
        rectification=rectification,
        progress=progress,
        event=event,
        file=upload,
        name=upload.name[:200],
        size=upload.size,
        content_type=(getattr(upload, "content_type", "") or "application/octet-stream")[:100],
        uploaded_by=actor,
    )


def _require_office_for(actor, *, region_id):
    scope = scope_for(actor)
    if not scope.is_office or (scope.region_ids is not None and region_id not in scope.region_ids):
        raise PermissionDenied("只有编办工作人员可以执行此操作。")


@transaction.atomic
def issue_save(*, actor, issue, cooperating=None, files=(), expected_version=None):
    """Create or edit an issue (编办 only). A new issue gets the next code of its region and year."""
    department = issue.department
    _require_office_for(actor, region_id=department.region_id)
    if cooperating is not None and department in cooperating:
        raise ValidationError({"cooperating": "配合单位不能包含责任单位。"})
    for f in files:
        validate_upload(f)
    if issue.pk is None:
        region = Region.objects.select_for_update().get(pk=department.region_id)  # serialises numbering
        issue.region = region
        issue.year = issue.found_on.year
        last = Issue.objects.filter(region=region, year=issue.year).aggregate(m=Max("seq"))["m"] or 0
        issue.seq = last + 1
        issue.code = issue_code(region, issue.year, issue.seq)
        issue.created_by = actor
    elif issue.department.region_id != issue.region_id:
        raise ValidationError({"department": "责任单位必须属于问题所在区划。"})
    save_versioned(actor=actor, instance=issue, expected_version=expected_version)
    for rectification in issue.rectifications.all():
        text = rectification.build_search_text(issue)
        if text != rectification.search_text or rectification.category_id != issue.category_id:
            Rectification.objects.filter(pk=rectification.pk).update(search_text=text, category=issue.category_id)
    if cooperating is not None:
        wanted = {d.pk for d in cooperating}
        existing = set(issue.cooperations.values_list("department_id", flat=True))
        IssueCooperation.objects.filter(issue=issue, department_id__in=existing - wanted).delete()
        IssueCooperation.objects.bulk_create(
            [IssueCooperation(issue=issue, department_id=pk) for pk in sorted(wanted - existing)]
        )
    for f in files:
        _store(actor=actor, upload=f, issue_id=issue.pk)
    return issue


def issue_code(region, year, seq):
    return f"{region.short_name or region.code}-{year}-{seq:04d}"


@transaction.atomic
def rectification_save(*, actor, rectification, expected_version=None):
    """Create or edit a rectification item's measures, unit, person, kind and deadline (编办 only)."""
    issue = rectification.issue
    _require_office_for(actor, region_id=issue.region_id)
    created = rectification.pk is None
    if created:
        Issue.objects.select_for_update().filter(pk=issue.pk).first()
        last = issue.rectifications.aggregate(m=Max("seq"))["m"] or 0
        rectification.seq = last + 1
        rectification.region_id = issue.region_id
    rectification.category_id = issue.category_id
    errors = kind_errors(
        kind=rectification.kind,
        deadline=rectification.deadline,
        review_interval_days=rectification.review_interval_days,
    )
    if errors:
        raise ValidationError(errors)
    rectification.search_text = rectification.build_search_text(issue)
    save_versioned(actor=actor, instance=rectification, expected_version=expected_version)
    _record_event(
        rectification=rectification,
        actor=actor,
        action=Action.CREATE if created else Action.EDIT,
        to_status=rectification.status if created else "",
    )
    return rectification


@transaction.atomic
def rectification_set_flag(*, actor, rectification, flagged, comment="", expected_version=None):
    """挂牌督办 on or off (编办 only)."""
    _require_office_for(actor, region_id=rectification.region_id)
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    _check_version(rectification, expected_version)
    if rectification.flagged == flagged:
        return rectification
    rectification.flagged = flagged
    save_versioned(actor=actor, instance=rectification, reason="挂牌督办" if flagged else "取消挂牌督办")
    _record_event(
        rectification=rectification, actor=actor, action=Action.FLAG if flagged else Action.UNFLAG, comment=comment
    )
    return rectification


@dataclass
class BulkResult:
    """What a bulk action did: the items changed, and the items skipped with the reason for each."""

    changed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (item, reason)

    def skipped_by_reason(self):
        """{reason: [item, …]} in the order the reasons first occur."""
        out = {}
        for item, reason in self.skipped:
            out.setdefault(reason, []).append(item)
        return out


SKIP_CLOSED = "已销号"
SKIP_ONGOING = "长期坚持类不设整改时限"
SKIP_SAME = "整改时限未变"
SKIP_FLAG_SAME = "挂牌督办状态未变"


@transaction.atomic
def rectification_bulk_update(*, actor, rectifications, deadline=None, flagged=None):
    """Bulk actions of the ledger list: assign a deadline and/or set the flag on each item (编办 only).

    A new deadline goes to open 期限 and 立行立改 items only: an item's kind never changes here, so
    长期坚持 items (which have no deadline) and closed items are skipped, with the reason. Every item is
    checked for the actor's region first, so a refused item changes nothing.
    """
    rectifications = list(rectifications)
    for rectification in rectifications:
        _require_office_for(actor, region_id=rectification.region_id)
    result = BulkResult()
    for rectification in rectifications:
        touched, reason = False, None
        if deadline is not None:
            if rectification.status == Status.CLOSED:
                reason = SKIP_CLOSED
            elif rectification.kind not in KINDS_WITH_DEADLINE:
                reason = SKIP_ONGOING
            elif rectification.deadline == deadline:
                reason = SKIP_SAME
            else:
                old = rectification.deadline
                rectification.deadline = deadline
                save_versioned(actor=actor, instance=rectification, reason="批量设置整改时限")
                _record_event(
                    rectification=rectification,
                    actor=actor,
                    action=Action.EDIT,
                    comment=f"整改时限：{old or '无'} → {deadline}",
                )
                touched = True
        if flagged is not None:
            if rectification.flagged != flagged:
                rectification_set_flag(actor=actor, rectification=rectification, flagged=flagged, comment="批量操作")
                touched = True
            else:
                reason = SKIP_FLAG_SAME
        if touched:
            result.changed.append(rectification)
        else:
            result.skipped.append((rectification, reason))
    return result


@transaction.atomic
def progress_report(*, actor, rectification, reported_on, text, percent, files=()):
    """整改进展: by the responsible unit's clerk or 编办 staff. Starts a 未开始 item."""
    roles = actor_roles(actor, rectification)
    if not roles & {OFFICE, CLERK}:
        raise PermissionDenied("只有责任单位填报员或编办工作人员可以报送整改进展。")
    if rectification.status == Status.CLOSED:
        raise ValidationError("已销号的整改事项不能再报送进展。", code="closed")
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": "完成进度应在0到100之间。"})
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": "报送日期不能晚于今天。"})
    for f in files:
        validate_upload(f)
    report = ProgressReport(
        rectification=rectification, reported_on=reported_on, text=text.strip(), percent=percent, author=actor
    )
    save_versioned(actor=actor, instance=report)
    for f in files:
        _store(actor=actor, upload=f, issue_id=rectification.issue_id, rectification=rectification, progress=report)
    if rectification.status == Status.NOT_STARTED:
        rectification_transition(actor=actor, rectification=rectification, action=Action.START, comment="报送整改进展")
    _record_event(rectification=rectification, actor=actor, action=Action.PROGRESS, comment=f"{percent}%：{text[:100]}")
    return report


@transaction.atomic
def attachment_add(*, actor, rectification, files):
    roles = actor_roles(actor, rectification)
    if not roles & {OFFICE, CLERK}:
        raise PermissionDenied("只有责任单位填报员或编办工作人员可以上传材料。")
    for f in files:
        validate_upload(f)
    return [_store(actor=actor, upload=f, issue_id=rectification.issue_id, rectification=rectification) for f in files]


def region_setting_save(*, actor, region, head_review):
    _require_office_for(actor, region_id=region.pk)
    setting, _ = LedgerRegionSetting.objects.get_or_create(region=region)
    if setting.head_review != head_review:
        setting.head_review = head_review
        setting._history_user = actor
        setting.save()
    return setting


def default_deadline(days=30):
    return timezone.localdate() + datetime.timedelta(days=days)


def max_upload_bytes():
    return getattr(settings, "LEDGER_MAX_UPLOAD_MB", 20) * 1024 * 1024
