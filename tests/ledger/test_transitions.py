"""Every transition by every role, with and without the 单位负责人审核 step."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sanding.core.services import StaleEditError
from sanding.ledger.choices import Action, Status
from sanding.ledger.models import Attachment, LedgerRegionSetting, Rectification, RectificationEvent
from sanding.ledger.services import rectification_transition

from .conftest import pdf

ROLES = ["staff", "clerk", "head", "other_clerk", "leader", "county_staff"]
STATUSES = [s.value for s in Status]
ACTIONS = [
    a.value
    for a in (
        Action.START,
        Action.APPLY,
        Action.HEAD_CONFIRM,
        Action.HEAD_REJECT,
        Action.CLOSE,
        Action.REJECT,
        Action.REOPEN,
    )
]
TARGET = {
    "start": "in_progress",
    "apply": "applied",
    "head_confirm": "head_confirmed",
    "head_reject": "in_progress",
    "close": "closed",
    "reject": "in_progress",
    "reopen": "in_progress",
}
ALLOWED_WITHOUT_HEAD_REVIEW = {
    ("staff", "not_started", "start"),
    ("clerk", "not_started", "start"),
    ("head", "not_started", "start"),
    ("staff", "in_progress", "apply"),
    ("clerk", "in_progress", "apply"),
    ("head", "in_progress", "apply"),
    ("staff", "applied", "close"),
    ("staff", "applied", "reject"),
    ("staff", "closed", "reopen"),
    # an item the head confirmed before the region switched the step off is still closed or rejected
    ("staff", "head_confirmed", "close"),
    ("staff", "head_confirmed", "reject"),
}
ALLOWED_WITH_HEAD_REVIEW = {
    ("staff", "not_started", "start"),
    ("clerk", "not_started", "start"),
    ("head", "not_started", "start"),
    ("staff", "in_progress", "apply"),
    ("clerk", "in_progress", "apply"),
    ("head", "in_progress", "apply"),
    ("head", "applied", "head_confirm"),
    ("head", "applied", "head_reject"),
    ("staff", "applied", "reject"),
    ("staff", "head_confirmed", "close"),
    ("staff", "head_confirmed", "reject"),
    ("staff", "closed", "reopen"),
}
CASES = list(itertools.product([False, True], ROLES, STATUSES, ACTIONS))


def _actor(request, role):
    return request.getfixturevalue("staff_user" if role == "staff" else role)


@pytest.mark.parametrize(("head_review", "role", "status", "action"), CASES)
def test_transition_by_role(request, item, head_review, role, status, action):
    LedgerRegionSetting.objects.create(region=item.region, head_review=head_review)
    Rectification.objects.filter(pk=item.pk).update(
        status=status, closed_at=timezone.now() if status == "closed" else None
    )
    item.refresh_from_db()
    actor = _actor(request, role)
    allowed = (role, status, action) in (ALLOWED_WITH_HEAD_REVIEW if head_review else ALLOWED_WITHOUT_HEAD_REVIEW)
    before = (item.version, RectificationEvent.objects.count(), Attachment.objects.count())

    if allowed:
        rectification_transition(actor=actor, rectification=item, action=action, comment="说明", files=[pdf()])
        item.refresh_from_db()
        assert item.status == TARGET[action]
        assert (item.closed_at is not None) == (TARGET[action] == "closed")
        event = RectificationEvent.objects.get(rectification=item)
        assert (event.actor, event.action, event.from_status, event.to_status, event.comment) == (
            actor,
            action,
            status,
            TARGET[action],
            "说明",
        )
        assert item.version == before[0] + 1
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            rectification_transition(actor=actor, rectification=item, action=action, comment="说明", files=[pdf()])
        item.refresh_from_db()
        assert item.status == status
        assert (item.version, RectificationEvent.objects.count(), Attachment.objects.count()) == before


def test_apply_needs_summary_and_evidence(clerk, item):
    Rectification.objects.filter(pk=item.pk).update(status="in_progress")
    with pytest.raises(ValidationError) as no_summary:
        rectification_transition(actor=clerk, rectification=item, action="apply", comment=" ", files=[pdf()])
    assert no_summary.value.messages == ["申请销号须填写整改情况说明。"]
    with pytest.raises(ValidationError) as no_files:
        rectification_transition(actor=clerk, rectification=item, action="apply", comment="已整改")
    assert no_files.value.messages == ["申请销号须上传佐证材料，或从已有材料中选择。"]
    item.refresh_from_db()
    assert (item.status, item.summary, RectificationEvent.objects.count()) == ("in_progress", "", 0)


def test_apply_stores_summary_and_evidence_on_the_event(clerk, item):
    Rectification.objects.filter(pk=item.pk).update(status="in_progress")
    rectification_transition(
        actor=clerk, rectification=item, action="apply", comment="制度已印发", files=[pdf("a.pdf")]
    )
    item.refresh_from_db()
    event = item.events.get()
    assert (item.status, item.summary) == ("applied", "制度已印发")
    assert [(a.name, a.event_id, a.rectification_id, a.uploaded_by) for a in Attachment.objects.all()] == [
        ("a.pdf", event.pk, item.pk, clerk)
    ]


def test_reject_and_reopen_need_a_reason(staff_user, item):
    Rectification.objects.filter(pk=item.pk).update(status="applied")
    with pytest.raises(ValidationError) as error:
        rectification_transition(actor=staff_user, rectification=item, action="reject", comment="")
    assert error.value.messages == ["退回须填写理由。"]
    Rectification.objects.filter(pk=item.pk).update(status="closed", closed_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        rectification_transition(actor=staff_user, rectification=item, action="reopen", comment="")
    assert error.value.messages == ["重新打开须填写理由。"]


def test_full_loop_with_one_rejection(clerk, staff_user, item):
    rectification_transition(actor=clerk, rectification=item, action="start")
    rectification_transition(actor=clerk, rectification=item, action="apply", comment="第一次", files=[pdf()])
    rectification_transition(actor=staff_user, rectification=item, action="reject", comment="材料不全")
    rectification_transition(actor=clerk, rectification=item, action="apply", comment="已补充", files=[pdf("补充.pdf")])
    rectification_transition(actor=staff_user, rectification=item, action="close")
    rectification_transition(actor=staff_user, rectification=item, action="reopen", comment="回头看发现反弹")
    item.refresh_from_db()
    assert list(item.events.values_list("action", "from_status", "to_status", "comment")) == [
        ("start", "not_started", "in_progress", ""),
        ("apply", "in_progress", "applied", "第一次"),
        ("reject", "applied", "in_progress", "材料不全"),
        ("apply", "in_progress", "applied", "已补充"),
        ("close", "applied", "closed", ""),
        ("reopen", "closed", "in_progress", "回头看发现反弹"),
    ]
    assert (item.status, item.closed_at, item.history.count()) == ("in_progress", None, 7)


def test_stale_version_is_refused(clerk, item):
    with pytest.raises(StaleEditError):
        rectification_transition(
            actor=clerk, rectification=item, action="start", expected_version=item.version - 1 or 99
        )
    item.refresh_from_db()
    assert item.status == "not_started"
