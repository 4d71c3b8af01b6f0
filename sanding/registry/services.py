"""Writes to the registry. Every change goes through `save_versioned`, so it is versioned and in history."""

from django.db import transaction

from sanding.core.services import save_versioned

from .choices import AssignmentRole
from .models import DutyAssignment, Regulation


def record_save(*, actor, record, expected_version=None):
    """Create or update a department, unit, quota, leader post or plaque."""
    return save_versioned(actor=actor, instance=record, expected_version=expected_version)


@transaction.atomic
def regulation_save(*, actor, regulation, expected_version=None):
    """Save a 三定; making it current turns the department's previous current one into history."""
    if regulation.is_current:
        others = Regulation.objects.filter(department=regulation.department, is_current=True)
        if regulation.pk:
            others = others.exclude(pk=regulation.pk)
        for previous in others:
            previous.is_current = False
            save_versioned(actor=actor, instance=previous, reason="被新的现行“三定”规定取代")
    return save_versioned(actor=actor, instance=regulation, expected_version=expected_version)


@transaction.atomic
def duty_save(*, actor, duty, lead_unit=None, assist_units=(), expected_version=None):
    """Save a duty and set which units carry it (one lead, any number assisting)."""
    save_versioned(actor=actor, instance=duty, expected_version=expected_version)
    wanted = {}
    if lead_unit is not None:
        wanted[lead_unit.pk] = AssignmentRole.LEAD
    for unit in assist_units:
        wanted.setdefault(unit.pk, AssignmentRole.ASSIST)
    existing = {a.unit_id: a for a in duty.assignments.all()}
    for unit_id, assignment in existing.items():
        if unit_id not in wanted:
            assignment._history_user = actor
            assignment.delete()
    # Demote a changed lead before promoting another, so the one-lead constraint always holds.
    for unit_id, assignment in existing.items():
        if unit_id in wanted and assignment.role != wanted[unit_id] and wanted[unit_id] == AssignmentRole.ASSIST:
            assignment.role = AssignmentRole.ASSIST
            assignment._history_user = actor
            assignment.save()
    for unit_id, role in wanted.items():
        assignment = existing.get(unit_id)
        if assignment is None:
            assignment = DutyAssignment(duty=duty, unit_id=unit_id, role=role)
        elif assignment.role == role:
            continue
        assignment.role = role
        assignment._history_user = actor
        assignment.save()
    return duty


def record_set_archived(*, actor, record, archived=True):
    """Archive (or restore) a unit, duty or plaque: business records are never hard-deleted."""
    record.archived = archived
    return save_versioned(actor=actor, instance=record)
