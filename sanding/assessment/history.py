"""Reads of the change history (django-simple-history) shown on the assessment and checklist pages.

Every service saves with the actor as history user, so each historical row says who, when and what.
These selectors turn the rows into compact lines ("1.2 职责清单 · 自评分 7 → 7.5") in a fixed number of
queries: the historical rows of one form or one checklist are read at once and compared in Python.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from .choices import ChecklistStatus, ScoringRule
from .models import Answer, Checklist, GradeBand, Item, ItemCategoryRule, Section
from .templatetags.assessment_tags import score_text

KINDS = {"+": "新增", "~": "修改", "-": "删除"}

# (field, label); the department's side, then the reviewer's side.
ANSWER_SELF_FIELDS = [
    ("not_applicable", "不适用"),
    ("na_reason", "不适用理由"),
    ("self_score", "自评分"),
    ("explanation", "自评说明"),
    ("carried_score", "上轮自评分"),
]
ANSWER_REVIEW_FIELDS = [
    ("na_rejected", "不认可不适用"),
    ("reviewed_score", "核定分"),
    ("review_comment", "审核意见"),
]
CHECKLIST_FIELDS = [("name", "名称"), ("description", "说明"), ("categories", "适用部门类别"), ("status", "状态")]
LABELS = {"status": dict(ChecklistStatus.choices), "rule": dict(ScoringRule.choices)}
SECTION_FIELDS = [("title", "名称"), ("description", "说明"), ("seq", "排序"), ("archived", "已移除")]
ITEM_FIELDS = [
    ("code", "编号"),
    ("text", "评估内容"),
    ("guidance", "评分标准"),
    ("rule", "评分方式"),
    ("max_points", "分值"),
    ("step", "打分步长"),
    ("deduction", "每处扣分"),
    ("evidence_required", "须上传佐证材料"),
    ("na_allowed", "允许“不适用”"),
    ("is_veto", "一票否决项"),
    ("seq", "排序"),
    ("section_id", "所属评分项目"),
    ("archived", "已移除"),
]
RULE_FIELDS = [("max_points", "分值"), ("excluded", "不适用于该类别")]
BAND_FIELDS = [("min_percent", "得分率下限"), ("label", "等级名称"), ("stars", "星级")]


@dataclass
class Change:
    when: object
    who: object
    subject: str
    kind: str
    changes: list = field(default_factory=list)  # [(label, old, new)]
    reason: str = ""


def _text(value, limit=40):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return score_text(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "全部"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(name, value):
    return LABELS[name].get(value, value) if name in LABELS else _text(value)


def _collapse_creations(changes):
    """Rows created together (same kind of row, same person, same minute: a new edition, the demo) read
    as one line, e.g. “新增 评分细则 25 条”."""
    out, groups = [], {}
    for change in changes:
        if change.kind != KINDS["+"]:
            out.append(change)
            continue
        kind_of_row = change.subject.split(" ", 1)[0].split("“", 1)[0]
        key = (kind_of_row, change.who.pk if change.who else None, change.when.replace(second=0, microsecond=0))
        group = groups.get(key)
        if group is None:
            groups[key] = [change]
            out.append(change)
        else:
            group.append(change)
    for (kind_of_row, _, _), group in groups.items():
        if len(group) > 1:
            first = group[0]
            first.subject = f"{kind_of_row} {len(group)} 条"
            first.when = max(c.when for c in group)
    return out


def _changes(rows, fields, subject_of, *, creations=True):
    """Lines for the historical rows of many objects: each row against the previous row of its object."""
    previous = {}
    out = []
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(row.id)
        previous[row.id] = row
        if row.history_type == "~" and before is not None:
            changes = [
                (label, _shown(name, getattr(before, name)), _shown(name, getattr(row, name)))
                for name, label in fields
                if getattr(before, name) != getattr(row, name)
            ]
            if not changes:
                continue
        elif row.history_type == "+":
            if not creations:
                continue
            changes = []
        elif row.history_type == "-":
            changes = []
        else:
            continue  # the first row we hold is a change: nothing to compare it with
        out.append(
            Change(
                when=row.history_date,
                who=row.history_user,
                subject=subject_of(row),
                kind=KINDS.get(row.history_type, row.history_type),
                changes=changes,
                reason=row.history_change_reason or "",
            )
        )
    return out


def _item_label(code, text):
    text = " ".join(text.split())
    return f"{code} {text[:16]}{'…' if len(text) > 16 else ''}"


def assessment_changes(assessment, items, *, include_review, limit=30):
    """Who changed which item's score or comment, and when (newest first); one query.

    `items` maps item id -> item (the sheet already holds them). Clerks before publication get the
    department's own fields only (`include_review` False).
    """
    fields = ANSWER_SELF_FIELDS + (ANSWER_REVIEW_FIELDS if include_review else [])
    rows = list(Answer.history.filter(assessment_id=assessment.pk).select_related("history_user"))

    def subject(row):
        item = items.get(row.item_id)
        return _item_label(item.code, item.text) if item else f"#{row.item_id}"

    changes = _changes(rows, fields, subject, creations=False)
    return sorted(changes, key=lambda c: c.when, reverse=True)[:limit]


def checklist_changes(checklist, *, limit=40):
    """The checklist's own edits and those of its sections, items, category rules and bands; five
    queries whatever the size."""
    checklist_rows = list(Checklist.history.filter(id=checklist.pk).select_related("history_user"))
    section_rows = list(Section.history.filter(checklist_id=checklist.pk).select_related("history_user"))
    item_rows = list(Item.history.filter(checklist_id=checklist.pk).select_related("history_user"))
    rule_rows = list(
        ItemCategoryRule.history.filter(item_id__in={r.id for r in item_rows}).select_related("history_user")
    )
    band_rows = list(GradeBand.history.filter(checklist_id=checklist.pk).select_related("history_user"))
    latest_item = {}
    for row in sorted(item_rows, key=lambda r: (r.history_date, r.history_id)):
        latest_item[row.id] = row
    section_titles = {}
    for row in sorted(section_rows, key=lambda r: (r.history_date, r.history_id)):
        section_titles[row.id] = row.title

    def item_subject(row):
        return f"评分细则 {_item_label(row.code, row.text)}"

    def rule_subject(row):
        item = latest_item.get(row.item_id)
        return f"分类别分值 {item.code if item else row.item_id} · {row.category}"

    item_fields = [(n, label) for n, label in ITEM_FIELDS if n != "section_id"]
    changes = (
        _changes(checklist_rows, CHECKLIST_FIELDS, lambda r: "评分表基本信息")
        + _changes(section_rows, SECTION_FIELDS, lambda r: f"评分项目“{r.title}”")
        + _changes(item_rows, item_fields, item_subject)
        + _changes(rule_rows, RULE_FIELDS, rule_subject)
        + _changes(band_rows, BAND_FIELDS, lambda r: f"等级 {r.label}（≥{score_text(r.min_percent)}%）")
    )
    changes = _collapse_creations(sorted(changes, key=lambda c: c.when))
    return sorted(changes, key=lambda c: c.when, reverse=True)[:limit]
