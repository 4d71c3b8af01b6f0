"""Function views: fetch through the user's scope, validate, call a service, redirect with a message.

A package since it outgrew one module; `urls.py` keeps using `views.<name>`.
"""

from .checklists import (
    checklist_bands,
    checklist_copy,
    checklist_detail,
    checklist_form,
    checklist_list,
    checklist_publish,
    item_form,
    part_archive,
    part_move,
    require_office_or_leader,
    section_form,
)
from .evidence import evidence_download, evidence_withdraw
from .forms import assessment_approve, assessment_detail, assessment_list, assessment_return
from .rounds import round_action, round_detail, round_export, round_form, round_forms, round_list, round_withdraw

__all__ = [
    "assessment_approve",
    "assessment_detail",
    "assessment_list",
    "assessment_return",
    "checklist_bands",
    "checklist_copy",
    "checklist_detail",
    "checklist_form",
    "checklist_list",
    "checklist_publish",
    "evidence_download",
    "evidence_withdraw",
    "item_form",
    "part_archive",
    "part_move",
    "require_office_or_leader",
    "round_action",
    "round_detail",
    "round_export",
    "round_form",
    "round_forms",
    "round_list",
    "round_withdraw",
    "section_form",
]
