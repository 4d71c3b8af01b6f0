"""Registry tables through the shared machinery: departments, staffing quotas (机构编制统计表), units.

These tables are small (hundreds of rows), so every write goes through the registry's own service
(`record_save`): versioned, validated, and recorded in history like an edit in the browser.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from sanding.registry.choices import DepartmentCategory, DepartmentRank, DepartmentStatus, LeaderLevel, StaffingType
from sanding.registry.models import Department, InternalUnit, LeaderPost, StaffingQuota
from sanding.registry.services import record_save

from .. import cells
from ..engine import CREATE, UNCHANGED, UPDATE, Importer, RowWriteError
from ..reading import Column, Layout
from ..units import UnitResolver

# Aliases may be separated as unit cells are (、，,；;) or by "|"; they are stored separated by 、.
ALIAS_SEPARATORS = re.compile(r"[、，,；;|]+")


def split_aliases(value):
    return [alias.strip() for alias in ALIAS_SEPARATORS.split(value) if alias.strip()]


def save_row(parsed, record, actor):
    """Save through the registry service; a model validation error names the file row."""
    try:
        record_save(actor=actor, record=record)
    except ValidationError as error:
        raise RowWriteError(parsed["row"], "；".join(error.messages)) from None


def _choice(choices, label):
    by_label = {cells.key(lbl): value for value, lbl in choices.choices}
    by_label.update({cells.key(value): value for value, _ in choices.choices})

    def parse(raw):
        word = cells.key(raw)
        if not word:
            return ""
        if word in by_label:
            return by_label[word]
        raise cells.CellError(f"“{cells.text(raw)}”不是有效的{label}（可选：{'、'.join(choices.labels)}）")

    return parse


DEPARTMENT_LAYOUT = Layout(
    kind="departments",
    title="部门（单位）名录",
    sheet_name="部门名录",
    columns=[
        Column("code", "部门代码", ("单位代码", "机构代码", "代码"), width=12, help="新增部门可留空，系统自动编号。"),
        Column(
            "name",
            "部门全称",
            ("部门名称", "单位名称", "机构名称", "部门(单位)名称", "单位全称", "机构全称"),
            required=True,
            width=34,
        ),
        Column("short_name", "简称", ("部门简称", "单位简称"), width=16),
        Column("aliases", "别名", ("其他名称", "曾用名", "加挂牌子名称"), width=30, help="多个别名用“、”分隔。"),
        Column("category", "部门类别", ("机构类别", "类别", "机构类型"), required=True, width=14),
        Column("rank", "机构规格", ("规格", "级别", "机构级别"), required=True, width=10),
        Column("parent", "主管部门", ("上级部门", "主管单位"), width=24, help="部门管理机构、代管事业单位填写。"),
        Column("status", "状态", ("机构状态",), width=8, help="正常、已合并或已撤销；留空为正常。"),
        Column("notes", "备注", ("说明",), width=30, wrap=True),
    ],
    instructions=[
        "每行一个部门（单位）。按“部门代码”匹配已有部门；未填代码时按全称、简称或别名匹配。",
        "同一文件可重复导入：内容未变化的行不会被修改。",
    ],
)


class DepartmentImporter(Importer):
    layout = DEPARTMENT_LAYOUT
    entities = ("部门",)
    fields = ("name", "short_name", "aliases", "category", "rank", "status", "notes")

    def begin(self, *, commit, expected_rows=0):
        departments = list(Department.objects.filter(region=self.region).select_related("region", "parent"))
        self.by_code = {d.code: d for d in departments}
        self.all_codes = set(Department.objects.values_list("code", flat=True))
        self.resolver = UnitResolver(departments)
        self.seen = {}
        self.new_names = set()
        self.staged = []

    def parse(self, ctx):
        status = _choice(DepartmentStatus, "状态")
        return {
            "code": cells.key(ctx.raw("code")).upper(),
            "name": ctx.get("name", required=True),
            "short_name": ctx.get("short_name"),
            "aliases": "、".join(
                a.strip() for a in ALIAS_SEPARATORS.split(cells.text(ctx.raw("aliases"))) if a.strip()
            ),
            "category": ctx.get("category", _choice(DepartmentCategory, "部门类别"), required=True),
            "rank": ctx.get("rank", _choice(DepartmentRank, "机构规格"), required=True),
            "status": ctx.get("status", status) or DepartmentStatus.ACTIVE,
            "notes": ctx.get("notes"),
            "parent_name": cells.text(ctx.raw("parent")),
            "row": ctx.number,
        }

    def plan(self, ctx, parsed):
        existing = self.by_code.get(parsed["code"]) if parsed["code"] else None
        if existing is None and not parsed["code"]:
            try:
                existing = self.resolver.resolve_one(parsed["name"])
            except cells.CellError:
                existing = None
        elif existing is None and parsed["code"] in self.all_codes:
            ctx.error("code", f"部门代码“{parsed['code']}”已被其他区划的部门使用")
            return None
        parent = None
        if parsed["parent_name"]:
            try:
                parent = self.resolver.resolve_one(parsed["parent_name"])
            except cells.CellError as error:
                if cells.key(parsed["parent_name"]) not in self.new_names:  # a parent listed above is fine
                    ctx.error("parent", str(error))
                    return None
        parsed["parent"] = parent
        key = existing.pk if existing else cells.key(parsed["name"])
        if key in self.seen:
            ctx.error("name", f"与第{self.seen[key]}行是同一个部门")
            return None
        self.seen[key] = ctx.number
        if existing is None:
            self.new_names.add(cells.key(parsed["name"]))
        parsed["existing"] = existing
        if existing is None:
            action = CREATE
        else:
            changed = any(getattr(existing, f) != parsed[f] for f in self.fields)
            changed = changed or (parsed["parent_name"] and existing.parent_id != (parent.pk if parent else None))
            action = UPDATE if changed else UNCHANGED
        parsed["action"] = action
        self.count("部门", action)
        return action

    def stage(self, parsed):
        if parsed["action"] != UNCHANGED:
            self.staged.append(parsed)

    def flush(self):
        created = {}
        next_number = Department.objects.filter(region=self.region).count() + 1
        for parsed in self.staged:
            department = parsed["existing"] or Department(region=self.region)
            code = parsed["code"]
            if not department.pk and not code:
                while f"{self.region.code}{next_number:03d}" in self.all_codes:
                    next_number += 1
                code = f"{self.region.code}{next_number:03d}"
                self.all_codes.add(code)
            if code:
                department.code = code
            for name in self.fields:
                setattr(department, name, parsed[name])
            parent = parsed["parent"] or created.get(parsed["parent_name"])
            if parsed["parent_name"]:
                department.parent = parent
            save_row(parsed, department, self.actor)
            created[parsed["name"]] = department


def department_rows(queryset):
    for d in queryset.select_related("parent"):
        yield [
            d.code,
            d.name,
            d.short_name,
            d.aliases,
            d.get_category_display(),
            d.get_rank_display(),
            d.parent.name if d.parent_id else "",
            d.get_status_display(),
            d.notes,
        ]


# --- 机构编制统计表: one row per department -------------------------------------------------------------

LEADER_LEVELS = [LeaderLevel.HEAD, LeaderLevel.DEPUTY, LeaderLevel.UNIT_HEAD, LeaderLevel.UNIT_DEPUTY]


def _quota_columns():
    columns = [Column("department", "部门", ("单位", "部门名称", "单位名称", "部门(单位)"), required=True, width=30)]
    for staffing in StaffingType:
        short = staffing.label.removesuffix("编制")
        columns.append(
            Column(
                f"q:{staffing.value}:approved",
                f"{staffing.label}核定数",
                (f"{staffing.label}核定", f"{staffing.label}核定编制", f"{short}核定", f"{staffing.label}编制数"),
                width=9,
            )
        )
        columns.append(
            Column(
                f"q:{staffing.value}:actual",
                f"{staffing.label}实有数",
                (f"{staffing.label}实有", f"{staffing.label}实有人数", f"{short}实有", f"{staffing.label}在编"),
                width=9,
            )
        )
    for level in LEADER_LEVELS:
        columns.append(Column(f"l:{level.value}:approved", f"{level.label}核定数", (f"{level.label}核定",), width=9))
        columns.append(
            Column(
                f"l:{level.value}:actual", f"{level.label}实配数", (f"{level.label}实配", f"{level.label}实有"), width=9
            )
        )
    columns.append(Column("units_approved", "内设机构核定数", ("内设机构数核定", "内设机构核定"), width=9))
    columns.append(
        Column("units_actual", "内设机构实设数", ("内设机构数实设", "内设机构实设", "内设机构实有"), width=9)
    )
    return columns


QUOTA_LAYOUT = Layout(
    kind="quotas",
    title="机构编制情况统计表",
    sheet_name="机构编制统计",
    columns=_quota_columns(),
    instructions=[
        "每行一个部门；部门可写全称、简称或别名。",
        "各类编制填写核定数和实有数，领导职数填写核定数和实配数；某类两列都留空表示不修改该类。",
        "“内设机构核定数/实设数”由内设机构名录计算，仅供核对，导入时不修改（请用内设机构导入）。",
        "两级表头（如“行政编制”下分“核定数”“实有数”）也可识别。",
    ],
)


class QuotaImporter(Importer):
    layout = QUOTA_LAYOUT
    entities = ("编制", "领导职数")

    def begin(self, *, commit, expected_rows=0):
        self.resolver = UnitResolver.for_region(self.region)
        self.quotas = {
            (q.department_id, q.type): q for q in StaffingQuota.objects.filter(department__region=self.region)
        }
        self.posts = {(p.department_id, p.level): p for p in LeaderPost.objects.filter(department__region=self.region)}
        self.seen = {}
        self.staged = []

    def parse(self, ctx):
        department = ctx.get("department", self.resolver.resolve_one, required=True)
        pairs = {}
        for prefix, choices in (("q", StaffingType), ("l", LEADER_LEVELS)):
            for choice in choices:
                names = (f"{prefix}:{choice.value}:approved", f"{prefix}:{choice.value}:actual")
                if all(cells.is_empty(ctx.raw(n)) for n in names):
                    continue
                pairs[(prefix, choice.value)] = tuple(ctx.get(n, cells.integer, default=0) for n in names)
        for name in ("units_approved", "units_actual"):
            ctx.get(name, cells.integer)
        return {"department": department, "pairs": pairs, "row": ctx.number}

    def plan(self, ctx, parsed):
        department = parsed["department"]
        if department.pk in self.seen:
            ctx.error("department", f"与第{self.seen[department.pk]}行是同一个部门")
            return None
        self.seen[department.pk] = ctx.number
        actions = []
        for (prefix, value), (approved, actual) in parsed["pairs"].items():
            table, entity = (self.quotas, "编制") if prefix == "q" else (self.posts, "领导职数")
            record = table.get((department.pk, value))
            if record is None:
                action = CREATE
            elif (record.approved, record.actual) != (approved, actual):
                action = UPDATE
            else:
                action = UNCHANGED
            self.count(entity, action)
            actions.append((prefix, value, approved, actual, record, action))
        parsed["actions"] = actions
        changed = [a[-1] for a in actions if a[-1] != UNCHANGED]
        return (CREATE if CREATE in changed else UPDATE) if changed else UNCHANGED

    def stage(self, parsed):
        self.staged.append(parsed)

    def flush(self):
        for parsed in self.staged:
            department = parsed["department"]
            for prefix, value, approved, actual, record, action in parsed["actions"]:
                if action == UNCHANGED:
                    continue
                if record is None:
                    record = (
                        StaffingQuota(department=department, type=value)
                        if prefix == "q"
                        else LeaderPost(department=department, level=value)
                    )
                record.approved, record.actual = approved, actual
                save_row(parsed, record, self.actor)


def quota_rows(queryset):
    departments = list(
        queryset.annotate(
            units_approved=Count("units", filter=Q(units__archived=False, units__in_regulation=True)),
            units_actual=Count("units", filter=Q(units__archived=False, units__actually_set=True)),
        )
    )
    ids = [d.pk for d in departments]
    quotas = {(q.department_id, q.type): q for q in StaffingQuota.objects.filter(department__in=ids)}
    posts = {(p.department_id, p.level): p for p in LeaderPost.objects.filter(department__in=ids)}
    for d in departments:
        row = [d.name]
        for staffing in StaffingType:
            q = quotas.get((d.pk, staffing.value))
            row += [q.approved, q.actual] if q else [None, None]
        for level in LEADER_LEVELS:
            p = posts.get((d.pk, level.value))
            row += [p.approved, p.actual] if p else [None, None]
        row += [d.units_approved, d.units_actual]
        yield row


# --- 内设机构 ---------------------------------------------------------------------------------------------

UNIT_LAYOUT = Layout(
    kind="units",
    title="内设机构名录",
    sheet_name="内设机构",
    columns=[
        Column("department", "部门", ("单位", "部门名称", "所属部门", "单位名称"), required=True, width=30),
        Column(
            "name", "内设机构名称", ("内设机构", "科室名称", "科室", "处室名称", "机构名称"), required=True, width=26
        ),
        Column("seq", "排序", ("顺序", "排列顺序"), width=6, help="数字，越小越靠前；留空按文件中的顺序。"),
        Column("in_regulation", "三定核定", ("“三定”核定", "是否三定核定", "三定规定设置", "核定"), width=10),
        Column("actually_set", "实际设置", ("是否实际设置", "实设"), width=10),
    ],
    instructions=[
        "每行一个内设机构；按“部门 + 内设机构名称”匹配已有记录。",
        "“三定核定”“实际设置”填“是”或“否”，留空为“是”。",
    ],
)


def _flag_default_yes(raw):
    return True if cells.is_empty(raw) else cells.flag(raw)


class UnitImporter(Importer):
    layout = UNIT_LAYOUT
    entities = ("内设机构",)

    def begin(self, *, commit, expected_rows=0):
        self.resolver = UnitResolver.for_region(self.region)
        units = InternalUnit.objects.filter(department__region=self.region, archived=False)
        self.units = {(u.department_id, cells.key(u.name)): u for u in units}
        self.seen = {}
        self.order = {}
        self.staged = []

    def parse(self, ctx):
        department = ctx.get("department", self.resolver.resolve_one, required=True)
        seq = ctx.get("seq", cells.integer) if not cells.is_empty(ctx.raw("seq")) else None
        return {
            "department": department,
            "name": ctx.get("name", required=True),
            "seq": seq,
            "in_regulation": ctx.get("in_regulation", _flag_default_yes),
            "actually_set": ctx.get("actually_set", _flag_default_yes),
            "row": ctx.number,
        }

    def plan(self, ctx, parsed):
        department = parsed["department"]
        k = (department.pk, cells.key(parsed["name"]))
        if k in self.seen:
            ctx.error("name", f"与第{self.seen[k]}行重复")
            return None
        self.seen[k] = ctx.number
        position = self.order[department.pk] = self.order.get(department.pk, 0) + 1
        if parsed["seq"] is None:
            parsed["seq"] = position
        existing = self.units.get(k)
        parsed["existing"] = existing
        if existing is None:
            action = CREATE
        else:
            fields = ("seq", "in_regulation", "actually_set")
            action = UPDATE if any(getattr(existing, f) != parsed[f] for f in fields) else UNCHANGED
        parsed["action"] = action
        self.count("内设机构", action)
        return action

    def stage(self, parsed):
        if parsed["action"] != UNCHANGED:
            self.staged.append(parsed)

    def flush(self):
        for parsed in self.staged:
            unit = parsed["existing"] or InternalUnit(department=parsed["department"], name=parsed["name"])
            unit.seq, unit.in_regulation, unit.actually_set = (
                parsed["seq"],
                parsed["in_regulation"],
                parsed["actually_set"],
            )
            save_row(parsed, unit, self.actor)


def unit_rows(queryset):
    units = InternalUnit.objects.filter(department__in=queryset, archived=False).select_related("department")
    for u in units.order_by("department__code", "seq", "pk"):
        yield [u.department.name, u.name, u.seq, "是" if u.in_regulation else "否", "是" if u.actually_set else "否"]
