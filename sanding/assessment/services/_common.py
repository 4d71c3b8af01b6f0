"""Helpers shared by the assessment services: access checks, optimistic locking, history user."""

from django.core.exceptions import PermissionDenied, ValidationError

from sanding.accounts.scoping import scope_for
from sanding.core.services import StaleEditError

from .. import selectors


def _require_office(actor):
    if not scope_for(actor).is_office:
        raise PermissionDenied("只有编办工作人员可以执行此操作。")


def _require_round_manager(actor, round_):
    """Only the office that organises a round edits it (county staff may follow a city-run round)."""
    _require_office(actor)
    if not round_.is_managed_by(scope_for(actor)):
        raise PermissionDenied("只有组织本轮评估的编办可以修改本轮。")


def _lock(instance, expected_version):
    """Lock the row and refuse a stale form (optimistic locking); returns the locked current row."""
    current = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError(current)
    return current


def _save(instance, actor, **kwargs):
    """Save with `actor` as the history user (django-simple-history records who, when and what)."""
    instance._history_user = actor
    instance.save(**kwargs)


def _bump(instance, *fields, actor, reason=""):
    instance.version += 1
    if reason:
        instance._change_reason = reason
    _save(instance, actor, update_fields=[*fields, "version", "updated_at"])


def _require_clerk_of(actor, assessment):
    scope = scope_for(actor)
    if not (scope.is_clerk and scope.department_id == assessment.department_id):
        raise PermissionDenied("只有本部门填报员可以填报。")


def _require_fillable(assessment):
    reason = selectors.fill_closed_reason(assessment)
    if reason:
        raise ValidationError(reason)


def _require_reviewer(actor, assessment):
    _require_office(actor)
    if not selectors.can_review(actor, assessment):
        raise PermissionDenied("您不是该部门的审核人。")
