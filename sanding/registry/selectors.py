"""Reads of the registry, always through the user's scope."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, F, Prefetch, Q, Sum, When
from django.utils.module_loading import import_string

from .models import (
    Department,
    Duty,
    DutyAssignment,
    InternalUnit,
    LeaderPost,
    Plaque,
    Region,
    Regulation,
    StaffingQuota,
)


def department_list(*, user):
    return Department.objects.visible_to(user).with_figures().select_related("region", "parent")


@dataclass
class RegionRow:
    region: Region
    departments: int = 0
    staffing_overrun: int = 0
    leader_overrun: int = 0
    approved: int = 0
    actual: int = 0
    vacancy: int = 0  # 空编: summed per quota, so one department's 超编 does not hide another's vacancy
    overrun: int = 0


@dataclass
class Figures:
    rows: list = field(default_factory=list)

    def total(self, name):
        return sum(getattr(row, name) for row in self.rows)

    @property
    def totals(self):
        keys = ["departments", "staffing_overrun", "leader_overrun", "approved", "actual", "vacancy", "overrun"]
        return {key: self.total(key) for key in keys}


def region_figures(*, user):
    """Key figures per visible region for active departments: three aggregate queries in all."""
    regions = {r.pk: RegionRow(region=r) for r in Region.objects.visible_to(user)}
    departments = Department.objects.visible_to(user).active().with_figures()
    for row in (
        departments.order_by()
        .values("region")
        .annotate(
            n=Count("pk"),
            overrun=Count("pk", filter=Q(has_staffing_overrun=True)),
            leader_overrun=Count("pk", filter=Q(has_leader_overrun=True)),
        )
    ):
        target = regions.get(row["region"])
        if target:
            target.departments, target.staffing_overrun = row["n"], row["overrun"]
            target.leader_overrun = row["leader_overrun"]
    quotas = StaffingQuota.objects.visible_to(user).filter(department__status="active")
    gap = F("approved") - F("actual")
    for row in (
        quotas.order_by()
        .values("department__region")
        .annotate(
            a=Sum("approved"),
            b=Sum("actual"),
            vacancy=Sum(Case(When(approved__gt=F("actual"), then=gap), default=0)),
            overrun=Sum(Case(When(actual__gt=F("approved"), then=-gap), default=0)),
        )
    ):
        target = regions.get(row["department__region"])
        if target:
            target.approved, target.actual = row["a"] or 0, row["b"] or 0
            target.vacancy, target.overrun = row["vacancy"] or 0, row["overrun"] or 0
    return Figures(rows=[row for row in regions.values() if row.departments or row.approved])


def department_dossier(department):
    """Everything the 一部门一档 page shows, in a fixed number of queries."""
    units = list(InternalUnit.objects.filter(department=department, archived=False))
    regulations = list(Regulation.objects.filter(department=department))
    current = next((r for r in regulations if r.is_current), None)
    duties = []
    if current:
        assignments = DutyAssignment.objects.select_related("unit").order_by("role", "unit__seq")
        duties = list(
            Duty.objects.filter(regulation=current, archived=False).prefetch_related(
                Prefetch("assignments", queryset=assignments)
            )
        )
    quotas = list(StaffingQuota.objects.filter(department=department))
    archived = [("内设机构", "unit", u) for u in InternalUnit.objects.filter(department=department, archived=True)]
    if current:
        archived += [("职责", "duty", d) for d in Duty.objects.filter(regulation=current, archived=True)]
    archived += [("机构挂牌", "plaque", p) for p in Plaque.objects.filter(department=department, archived=True)]
    leader_posts = list(LeaderPost.objects.filter(department=department))
    return {
        "regulations": regulations,
        "current_regulation": current,
        "past_regulations": [r for r in regulations if not r.is_current],
        "duties": duties,
        "unassigned_duties": sum(1 for d in duties if not d.assignments.all()),
        "units": units,
        "units_approved": sum(1 for u in units if u.in_regulation),
        "units_set": sum(1 for u in units if u.actually_set),
        "quotas": quotas,
        "quota_totals": _count_totals(quotas),
        "leader_posts": leader_posts,
        "leader_totals": _count_totals(leader_posts),
        "plaques": list(Plaque.objects.filter(department=department, archived=False)),
        "managed": list(department.managed.all()),
        "archived": archived,
    }


def dossier_extra_sections(*, department, user):
    """Sections other apps contribute to the department page (settings.DOSSIER_SECTIONS)."""
    sections = []
    for path in settings.DOSSIER_SECTIONS:
        section = import_string(path)(department=department, user=user)
        if section is not None:
            sections.append(section)
    return sections


def _count_totals(rows):
    approved = sum(r.approved for r in rows)
    actual = sum(r.actual for r in rows)
    return {
        "approved": approved,
        "actual": actual,
        "vacancy": sum(r.vacancy for r in rows),
        "overrun": sum(r.overrun for r in rows),
    }


# --- change history -------------------------------------------------------------------------------

HISTORY_SOURCES = [
    # (model, lookup from the historical row to the department id)
    (Department, "id"),
    (Regulation, "department_id"),
    (InternalUnit, "department_id"),
    (Duty, "regulation__department_id"),
    (DutyAssignment, "duty__regulation__department_id"),
    (StaffingQuota, "department_id"),
    (LeaderPost, "department_id"),
    (Plaque, "department_id"),
]
HIDDEN_FIELDS = {"version", "created_at", "updated_at", "path"}
HISTORY_TYPES = {"+": "新增", "~": "修改", "-": "删除"}


@dataclass
class HistoryEntry:
    when: object
    who: object
    kind: str
    model_label: str
    object_label: str
    changes: list
    reason: str


def department_history(department, limit=100):
    """The department's change history across every registry model.

    One query per model, plus one per kind of related object named in the changes. Each row lists the
    fields that changed against the previous version of the same record.
    """
    entries = []
    for model, lookup in HISTORY_SOURCES:
        rows = list(
            model.history.filter(**{lookup: department.pk})
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
        fields = [f for f in model._meta.fields if f.name not in HIDDEN_FIELDS]
        previous_of = {}
        for row in reversed(rows):  # oldest first, so each row can be compared with the one before
            prev = previous_of.get(row.id)
            previous_of[row.id] = row
            changes = []
            if prev is not None and row.history_type == "~":
                changes = [
                    (f, getattr(prev, f.attname), getattr(row, f.attname))
                    for f in fields
                    if getattr(prev, f.attname) != getattr(row, f.attname)
                ]
                if not changes:
                    continue
            entry = HistoryEntry(
                when=row.history_date,
                who=row.history_user,
                kind=HISTORY_TYPES.get(row.history_type, row.history_type),
                model_label=model._meta.verbose_name,
                object_label=_history_label(model, row),
                changes=changes,
                reason=row.history_change_reason or "",
            )
            entries.append(entry)
    entries.sort(key=lambda e: e.when, reverse=True)
    entries = entries[:limit]
    _resolve_change_values(entries)
    return entries


def _resolve_change_values(entries):
    """Turn raw changed values into what a user reads: choice labels, 是/否, names of related rows."""
    wanted = {}
    for entry in entries:
        for f, old, new in entry.changes:
            if f.is_relation:
                wanted.setdefault(f.related_model, set()).update(v for v in (old, new) if v is not None)
    names = {model: model._base_manager.in_bulk(ids) for model, ids in wanted.items()}
    for entry in entries:
        entry.changes = [
            (f.verbose_name, _display(f, old, names), _display(f, new, names)) for f, old, new in entry.changes
        ]


def _display(field, value, names):
    if value is None:
        return ""
    if field.is_relation:
        return str(names[field.related_model].get(value, value))
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _history_label(model, row):
    for name in ("name", "doc_no", "type", "level"):
        if hasattr(row, name):
            return str(getattr(row, name))
    if model is Duty:
        return f"第{row.seq}项职责"
    if model is DutyAssignment:
        return f"职责分工（{dict(row._meta.get_field('role').flatchoices).get(row.role, row.role)}）"
    return str(row.id)
