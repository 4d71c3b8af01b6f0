"""Checklists (评分表): drafts edited in place, published editions frozen, copies as the next edition.

Every write records the actor as the history user, so the checklist page can say who changed what.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from sanding.accounts.scoping import scope_for

from .. import scoring, selectors
from ..choices import ChecklistStatus, ScoringRule
from ..models import Checklist, GradeBand, Item, ItemCategoryRule, Section
from ._common import _bump, _lock, _require_office, _save

DUPLICATE_CODE = "编号“{code}”在本评分表中已被“{other}”使用，同一评分表内编号不能重复。"


def _require_draft(checklist):
    if checklist.status != ChecklistStatus.DRAFT:
        raise ValidationError("已发布的评分表不能修改，请“复制为新版本”后编辑。")


def _delete(instance, actor):
    """Remove a row of a draft's configuration; history keeps it (who removed it, when)."""
    instance._history_user = actor
    instance.delete()


def _create_bands(checklist, bands, actor):
    bulk_create_with_history(
        [GradeBand(checklist=checklist, min_percent=p, label=label, stars=stars) for p, label, stars in bands],
        GradeBand,
        default_user=actor,
    )


@transaction.atomic
def checklist_create(*, actor, checklist):
    """A new draft checklist with the default star bands."""
    _require_office(actor)
    checklist.status = ChecklistStatus.DRAFT
    checklist.full_clean()
    _save(checklist, actor)
    _create_bands(checklist, scoring.DEFAULT_BANDS, actor)
    return checklist


@transaction.atomic
def checklist_update(*, actor, checklist, expected_version=None):
    _require_office(actor)
    current = _lock(checklist, expected_version)
    _require_draft(current)
    checklist.version = current.version + 1
    checklist.full_clean()
    _save(checklist, actor)
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
    _save(section, actor)
    _touch(section.checklist)
    return section


def next_code(section, *, exclude_pk=None):
    """The first free automatic code "<section seq>.<n>" in the section's checklist (never a used one)."""
    used = set(
        Item.objects.filter(checklist=section.checklist_id, archived=False)
        .exclude(pk=exclude_pk)
        .values_list("code", flat=True)
    )
    n = Item.objects.filter(section=section, archived=False).exclude(pk=exclude_pk).count() + 1
    while f"{section.seq}.{n}" in used:
        n += 1
    return f"{section.seq}.{n}"


def _check_code_free(item):
    other = Item.objects.filter(checklist=item.checklist_id, code=item.code, archived=False).exclude(pk=item.pk).first()
    if other is not None:
        raise ValidationError({"code": DUPLICATE_CODE.format(code=item.code, other=other.text[:20])})


@transaction.atomic
def item_save(*, actor, item, category_rules=None):
    """Save an item of a draft checklist; `category_rules` maps category -> (max_points | None, excluded).

    Codes are unique within a checklist (checked here with a message, and by a database constraint);
    a blank code gets the first free "<section>.<n>".
    """
    _require_office(actor)
    checklist = item.section.checklist
    _require_draft(checklist)
    item.checklist = checklist
    if item.rule != ScoringRule.SCALE:
        item.step = None
    if item.rule != ScoringRule.DEDUCTION:
        item.deduction = None
    if item.pk is None:
        last = Item.objects.filter(section=item.section).aggregate(m=Max("seq"))["m"]
        item.seq = (last or 0) + 1
    item.code = (item.code or "").strip()
    if not item.code:
        item.code = next_code(item.section, exclude_pk=item.pk)
    _check_code_free(item)
    item.full_clean()
    _save(item, actor)
    if category_rules is not None:
        existing = {r.category: r for r in item.category_rules.all()}
        for category, (max_points, excluded) in category_rules.items():
            rule = existing.pop(category, None)
            if max_points is None and not excluded:
                if rule is not None:
                    _delete(rule, actor)  # a draft's configuration, not a business record
                continue
            rule = rule or ItemCategoryRule(item=item, category=category)
            rule.max_points, rule.excluded = max_points, excluded
            _save(rule, actor)
        for rule in existing.values():
            _delete(rule, actor)
    _touch(checklist)
    return item


@transaction.atomic
def part_move(*, actor, obj, direction):
    """Move a section or an item one place up (-1) or down (+1) among its siblings.

    Only the order changes: item codes are identifiers that stay the same (carry-over from earlier
    rounds matches by them), so a moved section's items keep their codes.
    """
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
            _save(sibling, actor, update_fields=["seq"])
    _touch(checklist)


@transaction.atomic
def part_archive(*, actor, obj):
    """Remove a section or item from a draft (kept in the database, marked removed)."""
    _require_office(actor)
    checklist = obj.checklist if isinstance(obj, Section) else obj.section.checklist
    _require_draft(checklist)
    obj.archived = True
    _save(obj, actor, update_fields=["archived"])
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
    for band in GradeBand.objects.filter(checklist=checklist):  # a draft's configuration
        _delete(band, actor)
    _create_bands(checklist, bands, actor)
    _touch(current)
    checklist.version = current.version


@transaction.atomic
def checklist_publish(*, actor, checklist, expected_version=None):
    """Freeze a draft: it can then be used by rounds (also of the regions below); changes need a copy."""
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
    codes = [i.code for i in items]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise ValidationError(f"以下编号重复，请先修改：{'、'.join(duplicated)}。")
    if not GradeBand.objects.filter(checklist=current).exists():
        raise ValidationError("请先设置等级。")
    current.status = ChecklistStatus.PUBLISHED
    current.published_at = timezone.now()
    _bump(current, "status", "published_at", actor=actor)
    checklist.status, checklist.published_at, checklist.version = current.status, current.published_at, current.version
    return current


@transaction.atomic
def checklist_copy(*, actor, checklist):
    """Copy a checklist (sections, items, category rules, bands) as the next draft edition.

    The copy belongs to the actor's region when the checklist is a parent region's published one (a
    county adapting the city's checklist), else to the checklist's own region.
    """
    _require_office(actor)
    scope = scope_for(actor)
    region_id = checklist.region_id
    if scope.region_ids is not None and region_id not in scope.region_ids:
        region_id = actor.region_id
    last = Checklist.objects.filter(region=region_id, name=checklist.name).aggregate(m=Max("edition"))["m"]
    copy = Checklist(
        region_id=region_id,
        name=checklist.name,
        edition=(last or 0) + 1,
        copied_from=checklist,
        status=ChecklistStatus.DRAFT,
        description=checklist.description,
        categories=list(checklist.categories),
    )
    _save(copy, actor)
    rules = []
    for section in selectors.checklist_structure(checklist):
        new_section = Section(checklist=copy, seq=section.seq, title=section.title, description=section.description)
        _save(new_section, actor)
        for item in section.items.all():
            item_rules = list(item.category_rules.all())
            item.pk = None
            item.section, item.checklist = new_section, copy
            _save(item, actor)
            rules.extend(
                ItemCategoryRule(item=item, category=r.category, max_points=r.max_points, excluded=r.excluded)
                for r in item_rules
            )
    bulk_create_with_history(rules, ItemCategoryRule, default_user=actor)
    _create_bands(
        copy, [(b.min_percent, b.label, b.stars) for b in GradeBand.objects.filter(checklist=checklist)], actor
    )
    return copy
