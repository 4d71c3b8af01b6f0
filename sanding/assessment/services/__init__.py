"""Writes of the assessment app: one function per state change, each in a transaction with its event.

A package since it outgrew one module; everything public is re-exported here, so callers keep writing
`from sanding.assessment import services` and `services.assessment_submit(...)`.
"""

from django.utils import timezone

from .. import scoring, selectors
from .checklists import (
    DUPLICATE_CODE,
    bands_save,
    checklist_copy,
    checklist_create,
    checklist_publish,
    checklist_update,
    item_save,
    next_code,
    part_archive,
    part_move,
    section_save,
)
from .evidence import ALLOWED_LABEL, KINDS, check_upload, evidence_upload, evidence_withdraw
from .forms import (
    AnswerErrors,
    AnswerInput,
    DraftSaved,
    ReviewInput,
    assessment_approve,
    assessment_carry_over,
    assessment_return,
    assessment_review_save,
    assessment_save_draft,
    assessment_submit,
    match_previous,
    missing_requirements,
    validate_answers,
)
from .rounds import (
    ROUND_TRANSITIONS,
    round_add_departments,
    round_assign,
    round_compute_results,
    round_create,
    round_publish,
    round_transition,
    round_update,
    round_withdraw_department,
)

__all__ = [
    "ALLOWED_LABEL",
    "DUPLICATE_CODE",
    "KINDS",
    "ROUND_TRANSITIONS",
    "AnswerErrors",
    "AnswerInput",
    "DraftSaved",
    "ReviewInput",
    "assessment_approve",
    "assessment_carry_over",
    "assessment_return",
    "assessment_review_save",
    "assessment_save_draft",
    "assessment_submit",
    "bands_save",
    "check_upload",
    "checklist_copy",
    "checklist_create",
    "checklist_publish",
    "checklist_update",
    "evidence_upload",
    "evidence_withdraw",
    "item_save",
    "match_previous",
    "missing_requirements",
    "next_code",
    "part_archive",
    "part_move",
    "round_add_departments",
    "round_assign",
    "round_compute_results",
    "round_create",
    "round_publish",
    "round_transition",
    "round_update",
    "round_withdraw_department",
    "scoring",
    "section_save",
    "selectors",
    "timezone",
    "validate_answers",
]
