"""The problem ledger (问题台账) import: the standard layout of `sanding.ledger.export`, read back.

The headers and widths come from the ledger's export (one definition of the layout); this module adds
the synonyms real sheets use and the rules to read each cell. Rows of one issue share its 问题编号 (or,
without one, its responsible unit and description); an issue's rows are its rectification items, matched
to existing items by position. New rows are written in batches with raw inserts (`..bulk`: COPY on
PostgreSQL, executemany on SQLite), their simple-history rows included; changed rows through versioned
saves; every status change and every new item gets a RectificationEvent, as in the ledger's own services.
"""

import datetime
import difflib
import re

from django.conf import settings
from django.db import router
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from sanding.core.services import save_versioned
from sanding.ledger import export as ledger_export
from sanding.ledger.choices import Action, Kind, Source, Status
from sanding.ledger.models import (
    Issue,
    IssueCategory,
    IssueCooperation,
    ProgressReport,
    Rectification,
    RectificationEvent,
    kind_errors,
)
from sanding.ledger.services import issue_code
from sanding.registry.models import Region

from .. import bulk, cells
from ..engine import CREATE, UNCHANGED, UPDATE, Importer
from ..reading import Column, Layout
from ..units import ScopedUnitResolver

# Header of the ledger's export → (field name, synonyms, required, wrap, help)
SYNONYMS = {
    "序号": ("seq", (), False, False, "可留空，导入时不读取。"),
    "问题编号": ("code", ("编号", "问题序号编号"), False, False, "已有问题按编号匹配；新问题可留空，系统自动编号。"),
    "问题类别": (
        "category",
        ("问题类型", "类别", "问题分类"),
        False,
        False,
        "须为系统中的问题类别；留空时取所在分组标题（如“一、部门间职责边界不清（3项）”）。",
    ),
    "问题描述": ("description", ("存在问题", "问题表现", "问题内容", "具体问题", "主要问题"), True, True, ""),
    "问题来源": (
        "source",
        ("来源", "发现途径"),
        False,
        False,
        "自查、督查、回头看、12345热线、巡察审计、自动核查、其他；留空为“其他”。",
    ),
    "责任单位": (
        "department",
        ("牵头单位", "责任部门", "牵头部门", "责任主体", "主责单位"),
        True,
        False,
        "可写全称、简称或别名；多个单位用“、”分隔时，第一个为责任单位，其余为配合单位。",
    ),
    "配合单位": ("cooperating", ("协办单位", "配合部门", "协同单位"), False, False, "多个单位用“、”分隔。"),
    "责任人": ("person", ("具体责任人", "责任领导", "联系人"), False, False, ""),
    "整改措施": ("measures", ("整改举措", "整改方案", "整改要求", "措施"), True, True, ""),
    "整改时限": (
        "deadline",
        ("完成时限", "整改期限", "时限要求", "完成时间", "整改时间"),
        True,
        False,
        "日期（2025年6月30日、2025.6.30、2025年底、2025年6月底等），或“立行立改”“长期坚持”。",
    ),
    "整改进展": (
        "progress",
        ("进展情况", "推进情况", "整改落实情况", "工作进展"),
        False,
        True,
        "与最新一次进展不同时，导入为一条新的整改进展。",
    ),
    "整改状态": (
        "status",
        ("完成情况", "状态", "整改完成情况"),
        False,
        False,
        "已完成、整改中、未开始（或未开始、整改中、申请销号、已销号）。",
    ),
    "逾期天数": ("overdue", (), False, False, "由系统计算，导入时不读取。"),
    "是否销号": ("closed", ("销号情况", "销号"), False, False, "是、否、√、已销号或留空。"),
    "销号时间": ("closed_on", ("销号日期",), False, False, "已销号的事项填写；留空取导入当天。"),
    "备注": ("notes", ("说明",), False, True, ""),
}


def _layout():
    columns = []
    for header, width in ledger_export.COLUMNS:
        name, synonyms, required, wrap, note = SYNONYMS[header]
        columns.append(Column(name, header, synonyms, required=required, width=width, wrap=wrap, help=note))
    return Layout(
        kind="ledger",
        title="问题整改台账",
        sheet_name="问题整改台账",
        columns=columns,
        instructions=[
            "每行一个整改事项；同一问题的多个整改事项各占一行，问题编号（或责任单位与问题描述）相同。",
            "表头上方可有标题行；可有两级表头（如“整改情况”下分“整改进展”“完成情况”）；分组标题行、空行、合计行和表下“注：”说明不会导入。",
            "状态：是否销号为“是”时导入为已销号（销号时间取“销号时间”列）；已完成但未销号为申请销号；整改中为整改中；未开始或留空为未开始。",
            "导入先预览，全部行无误并确认后才写入；同一文件重复导入不会产生重复数据。",
        ],
    )


LEDGER_LAYOUT = _layout()
_PROGRESS = re.compile(r"^(\d{4}-\d{2}-\d{2}) 完成(\d{1,3})%：(.*)$", re.S)
_STATUS_WORDS = {
    "已完成": "done",
    "完成": "done",
    "已整改": "done",
    "整改完成": "done",
    "基本完成": "done",
    "申请销号": Status.APPLIED,
    "负责人已审核": Status.HEAD_CONFIRMED,
    "已销号": Status.CLOSED,
    "整改中": Status.IN_PROGRESS,
    "正在整改": Status.IN_PROGRESS,
    "推进中": Status.IN_PROGRESS,
    "持续整改": Status.IN_PROGRESS,
    "未开始": Status.NOT_STARTED,
    "未启动": Status.NOT_STARTED,
    "": Status.NOT_STARTED,
}
SOURCES = {cells.key(label): value for value, label in Source.choices}
BATCH = 2000
IMPORT_REASON = "Excel 导入"
# A load at least this large, and larger than the ledger already is, builds the trigram search indexes
# once at the end instead of updating them row by row (see `bulk.suspend_indexes`).
LARGE_LOAD = 20_000


def review_interval_default():
    return getattr(settings, "LEDGER_IMPORT_REVIEW_INTERVAL_DAYS", 90)


def _status_word(raw):
    word = cells.key(raw)
    if word in _STATUS_WORDS:
        return _STATUS_WORDS[word]
    raise cells.CellError(f"“{cells.text(raw)}”不是可识别的整改状态（已完成、整改中、未开始、申请销号、已销号）")


def _source(raw):
    word = cells.key(raw)
    if not word:
        return Source.OTHER
    if word in SOURCES:
        return SOURCES[word]
    for k, value in SOURCES.items():
        if word.startswith(k) or k.startswith(word):
            return value
    raise cells.CellError(f"“{cells.text(raw)}”不是有效的问题来源（可选：{'、'.join(Source.labels)}）")


def final_status(word, closed):
    """是否销号 and 完成情况 → the item's status, as the issue describes."""
    if closed or word == Status.CLOSED:
        return Status.CLOSED
    if word == "done":
        return Status.APPLIED
    return word


class LedgerImporter(Importer):
    layout = LEDGER_LAYOUT
    entities = ("问题", "整改事项")

    def begin(self, *, commit, expected_rows=0):
        region = self.region
        self.commit = commit
        self.today = timezone.localdate()
        # The import covers the region and the regions below it: a city's file (e.g. `export_ledger`
        # without --region) may name county units; the responsible unit's region is the issue's region.
        self.region_ids = Region.objects.subtree_ids(region.pk)
        self.regions = {r.pk: r for r in Region.objects.filter(pk__in=self.region_ids)}
        self.resolver = ScopedUnitResolver(region, self.region_ids)
        self.categories = {cells.key(c.name): c.pk for c in IssueCategory.objects.all()}
        self.category_names = {c.pk: c.name for c in IssueCategory.objects.all()}
        if commit:
            # serialises issue numbering
            list(Region.objects.select_for_update().filter(pk__in=self.region_ids).order_by("pk").values("pk"))
        issues = Issue.objects.filter(region__in=self.region_ids).values_list(
            "pk", "code", "department_id", "description", "category_id", "source", "year", "seq", "region_id"
        )
        self.issues = {}  # pk -> [code, department_id, description, category_id, source]
        self.issue_regions = {}  # pk -> region pk
        self.by_code, self.by_text = {}, {}
        self.next_seq = {}  # (region pk, year) -> last seq
        for pk, code, department_id, description, category_id, source, year, seq, region_id in issues:
            self.issues[pk] = (code, department_id, description, category_id, source)
            self.issue_regions[pk] = region_id
            self.by_code[cells.key(code)] = pk
            self.by_text[(department_id, cells.key(description))] = pk
            self.next_seq[region_id, year] = max(self.next_seq.get((region_id, year), 0), seq)
        self.cooperating = {}
        for issue_id, department_id in IssueCooperation.objects.filter(issue__region__in=self.region_ids).values_list(
            "issue_id", "department_id"
        ):
            self.cooperating.setdefault(issue_id, set()).add(department_id)
        latest = ProgressReport.objects.filter(rectification=OuterRef("pk")).order_by("-reported_on", "-pk")
        self.rects = {}  # issue pk -> [rectification tuple, ...] in seq order
        for row in (
            Rectification.objects.filter(region__in=self.region_ids)
            .annotate(progress=Subquery(latest.values("text")[:1]))
            .order_by("issue_id", "seq")
            .values_list(
                "pk",
                "issue_id",
                "seq",
                "department_id",
                "responsible_person",
                "measures",
                "kind",
                "deadline",
                "status",
                "closed_at",
                "notes",
                "progress",
                "review_interval_days",
            )
            .iterator(chunk_size=5000)
        ):
            self.rects.setdefault(row[1], []).append(row)
        self.file_issues = {}  # issue key in this file -> {"pk", "row", "n", "new"}
        self.pending_issues = []
        self.pending_rects = []
        self.updates = []
        self.writer, self.suspended, self.staged = None, None, 0
        self.expected_rows = expected_rows
        self.using = router.db_for_write(Rectification)
        if commit:
            # From its first batch until flush() has waited for it, the writer's thread owns the connection.
            self.writer = bulk.Writer(self.using, expected_rows=expected_rows)

    def end(self, *, failed=False):
        if self.writer is not None:
            self.writer.close(failed=failed)

    def _suspend_search_indexes(self):
        """At the first write, once: a load that will add at least LARGE_LOAD items, more than the ledger
        holds, builds the trigram indexes once at the end. The share of new items among the rows seen so
        far (all valid) predicts the file's; the tables are locked only from here on (`bulk.suspend_indexes`).
        """
        new_items = self.expected_rows * len(self.pending_rects) / max(self.staged, 1)
        self.suspended = []
        if new_items >= LARGE_LOAD and new_items > Rectification.objects.using(self.using).count():
            self.suspended = bulk.suspend_indexes([Rectification, Issue], using=self.using)

    # --- parse: every cell, independently ---------------------------------------------------------
    def parse(self, ctx):
        responsible, coop = ctx.get("department", self.resolver.resolve, required=True, default=(None, ()))
        cooperating = ctx.get("cooperating", self.resolver.resolve_many, default=())
        description = ctx.get("description", required=True)
        category = self._category(ctx)
        kind, deadline, interval = ctx.get("deadline", cells.term, required=True, default=("", None, None))
        word = ctx.get("status", _status_word, default=Status.NOT_STARTED)
        closed = ctx.get("closed", cells.flag, default=False)
        closed_on = ctx.get("closed_on", cells.date)
        status = final_status(word, closed)
        if closed_on and status != Status.CLOSED:
            ctx.error("closed_on", "填写了销号时间，但“是否销号”不是“是”")
        if closed_on and closed_on > self.today:
            ctx.error("closed_on", "销号时间不能晚于今天")
        others = [d for d in [*coop, *cooperating] if d != responsible]
        return {
            "code": cells.key(ctx.raw("code")),
            "description": description,
            "category": category,
            "source": ctx.get("source", _source, default=Source.OTHER),
            "department": responsible,
            "cooperating": list(dict.fromkeys(others)),
            "person": ctx.get("person")[:50],
            "measures": ctx.get("measures", required=True),
            "kind": kind,
            "deadline": deadline,
            "interval": interval,
            "progress": ctx.get("progress"),
            "status": status,
            "closed_on": closed_on if status == Status.CLOSED else None,
            "notes": ctx.get("notes")[:300],
            "row": ctx.number,
        }

    def _category(self, ctx):
        raw = ctx.raw("category")
        name = cells.text(raw) if not cells.is_empty(raw) else ctx.row.section
        if not name:
            ctx.error("category", "不能为空")
            return None
        pk = self.categories.get(cells.key(name))
        if pk is None:
            close = difflib.get_close_matches(name, list(self.category_names.values()), n=2, cutoff=0.4)
            hint = (
                f"，是否为：{'、'.join(close)}？" if close else f"（可选：{'、'.join(self.category_names.values())}）"
            )
            ctx.error("category" if not cells.is_empty(raw) else "", f"未知的问题类别“{name}”{hint}")
        return pk

    # --- plan: match to what exists and to earlier rows of the file ---------------------------------
    def plan(self, ctx, p):
        department = p["department"]
        description_key = cells.key(p["description"])
        file_key = p["code"] or ("text", department.pk, description_key)
        entry = self.file_issues.get(file_key)
        if entry is None:
            pk = self.by_code.get(p["code"]) if p["code"] else None
            if pk is None:
                pk = self.by_text.get((department.pk, description_key))
            region_id = self.issue_regions[pk] if pk is not None else department.region_id
            if region_id != department.region_id:
                ctx.error(
                    "department",
                    f"责任单位“{department.name}”属于{self.regions[department.region_id].name}，"
                    f"而该问题属于{self.regions[region_id].name}；跨区划调整请在问题台账中操作",
                )
                return None
            entry = {"pk": pk, "row": ctx.number, "n": 0, "new": pk is None, "code": p["code"], "region_id": region_id}
            entry["description_key"] = description_key
            self.file_issues[file_key] = entry
            if pk is None:
                self.count("问题", CREATE)
                p["issue_action"] = CREATE
            else:
                changed = self._issue_changes(pk, p)
                p["issue_action"] = UPDATE if changed else UNCHANGED
                self.count("问题", p["issue_action"])
        else:
            p["issue_action"] = None  # later rows of the same issue
            if entry["description_key"] != description_key:
                ctx.error("description", f"与第{entry['row']}行问题编号相同，但问题描述不同")
                return None
        entry["n"] += 1
        p["entry"] = entry
        p["position"] = entry["n"]
        existing = self.rects.get(entry["pk"], []) if entry["pk"] else []
        current = existing[entry["n"] - 1] if entry["n"] <= len(existing) else None
        p["current"] = current
        if p["kind"] == Kind.ONGOING:  # the file's interval, else the item's own, else the default
            kept = current[12] if current is not None and current[6] == Kind.ONGOING else None
            p["interval"] = p["interval"] or kept or review_interval_default()
        else:
            p["interval"] = None
        for message in kind_errors(kind=p["kind"], deadline=p["deadline"], review_interval_days=p["interval"]).values():
            ctx.error("deadline", message)  # the database constraints, as a row problem (never an IntegrityError)
        if not ctx.ok:
            return None
        if current is None:
            action = CREATE
        else:
            if current[8] == Status.CLOSED and self._rect_changes(current, p):
                ctx.error("", "该整改事项在系统中已销号，导入不能修改；如需重新打开，请在问题台账中操作")
                return None
            action = UPDATE if self._rect_changes(current, p) else UNCHANGED
        p["action"] = action
        self.count("整改事项", action)
        if action == UNCHANGED and p["issue_action"] in (None, UNCHANGED):
            return UNCHANGED
        return UPDATE if CREATE not in (action, p["issue_action"]) else CREATE

    def _issue_changes(self, pk, p):
        _, department_id, description, category_id, source = self.issues[pk]
        return (
            department_id != p["department"].pk
            or cells.key(description) != cells.key(p["description"])
            or category_id != p["category"]
            or source != p["source"]
            or self.cooperating.get(pk, set()) != {d.pk for d in p["cooperating"]}
        )

    def _rect_changes(self, current, p):
        _, _, _, department_id, person, measures, kind, deadline, status, closed_at, notes, progress, _ = current
        closed_on = timezone.localtime(closed_at).date() if closed_at else None
        file_kind = p["kind"]
        return (
            department_id != p["department"].pk
            or cells.text(person) != p["person"]
            or cells.key(measures) != cells.key(p["measures"])
            or kind != file_kind
            or deadline != p["deadline"]
            or current[12] != p["interval"]
            or status != p["status"]
            or (p["status"] == Status.CLOSED and p["closed_on"] and closed_on != p["closed_on"])
            or cells.text(notes) != p["notes"]
            or (p["progress"] and self._progress_text(p["progress"]) != cells.key(progress or ""))
        )

    @staticmethod
    def _progress_parts(value):
        match = _PROGRESS.match(value)
        if match:
            when, percent, body = match.groups()
            return datetime.date.fromisoformat(when), min(int(percent), 100), body.strip()
        return None, None, value

    def _progress_text(self, value):
        return cells.key(self._progress_parts(value)[2])

    # --- write ---------------------------------------------------------------------------------------
    def stage(self, p):
        self.staged += 1
        if p["issue_action"] == UPDATE or (p["action"] == UPDATE):
            self.updates.append(p)
        if p["entry"]["new"] and p["issue_action"] == CREATE:
            self.pending_issues.append(p)
        if p["action"] == CREATE:
            self.pending_rects.append(p)
        if len(self.pending_rects) >= BATCH:
            self.flush_batch()

    def flush(self):
        self.flush_batch()
        self.writer.wait()
        bulk.restore_indexes(self.suspended or [], using=self.using)
        for p in self.updates:
            self._update(p)

    def _new_code(self, p):
        year = self.today.year
        code = p["code"]
        match = re.match(r"^(.+)-(\d{4})-(\d+)$", code) if code else None
        region = self.regions[p["entry"]["region_id"]]
        if match and cells.key(match.group(1)) == cells.key(region.short_name or region.code):
            year, seq = int(match.group(2)), int(match.group(3))
            if cells.key(issue_code(region, year, seq)) not in self.by_code:
                self.next_seq[region.pk, year] = max(self.next_seq.get((region.pk, year), 0), seq)
                return year, seq
        seq = self.next_seq.get((region.pk, year), 0) + 1
        self.next_seq[region.pk, year] = seq
        return year, seq

    def flush_batch(self):
        """Write the queued new issues and items with raw batched inserts (see `..bulk`), history included."""
        if not self.pending_issues and not self.pending_rects:
            return
        if self.suspended is None:
            self._suspend_search_indexes()
        actor, now = self.actor, timezone.now()
        actor_id = actor.pk if actor is not None else None
        tables = self._tables()
        issues = []
        for p in self.pending_issues:
            year, seq = self._new_code(p)
            region_id = p["entry"]["region_id"]
            code = issue_code(self.regions[region_id], year, seq)
            issues.append(
                {
                    "code": code,
                    "region_id": region_id,
                    "year": year,
                    "seq": seq,
                    "description": p["description"],
                    "category_id": p["category"],
                    "source": p["source"],
                    "department_id": p["department"].pk,
                    "found_on": self.today,
                    "created_by_id": actor_id,
                }
            )
            self.by_code[cells.key(code)] = None
        if issues:
            tables["issue"].insert(issues, actor=actor, reason=IMPORT_REASON, now=now)
            coops = []
            for p, issue in zip(self.pending_issues, issues, strict=True):
                # keep only what later rows of the issue need
                p["entry"]["pk"] = issue["id"]
                p["entry"]["issue"] = (issue["code"], issue["description"], issue["category_id"])
                self.by_code[cells.key(issue["code"])] = issue["id"]
                coops += [{"issue_id": issue["id"], "department_id": d.pk} for d in p["cooperating"]]
            tables["cooperation"].insert(coops, now=now, keys=False)
        rects = []
        for p in self.pending_rects:
            entry = p["entry"]
            existing = self.rects.get(entry["pk"], []) if not entry["new"] else []
            last_seq = existing[-1][2] if existing else 0
            code, description, category_id = entry.get("issue") or (
                self.issues[entry["pk"]][0],
                self.issues[entry["pk"]][2],
                self.issues[entry["pk"]][3],
            )
            closed = p["status"] == Status.CLOSED
            rects.append(
                {
                    "issue_id": entry["pk"],
                    "category_id": category_id,
                    "seq": last_seq + p["position"] - len(existing),
                    "region_id": entry["region_id"],
                    "measures": p["measures"],
                    "department_id": p["department"].pk,
                    "responsible_person": p["person"],
                    "kind": p["kind"],
                    "deadline": p["deadline"],
                    "review_interval_days": p["interval"],
                    "status": p["status"],
                    "closed_at": self._closed_at(p) if closed else None,
                    "notes": p["notes"],
                    "search_text": "\n".join([code, description, p["measures"], p["person"]]).lower(),
                }
            )
        if rects:
            ids = tables["rectification"].insert(rects, actor=actor, reason=IMPORT_REASON, now=now)
            tables["event"].insert_select(
                tables["rectification"].rows,
                ids,
                {
                    "rectification_id": bulk.From("id"),
                    "actor_id": actor_id,
                    "at": now,
                    "action": Action.CREATE.value,
                    "to_status": bulk.From("status"),
                    "comment": IMPORT_REASON,
                },
                now=now,
            )
            reports = [
                self._report_row(p, r["id"], actor_id)
                for p, r in zip(self.pending_rects, rects, strict=True)
                if p["progress"]
            ]
            tables["progress"].insert(reports, actor=actor, reason=IMPORT_REASON, now=now)
        self.pending_issues, self.pending_rects = [], []

    def _tables(self):
        if not hasattr(self, "_bulk_tables"):
            writer = self.writer
            self._bulk_tables = {
                "issue": bulk.HistoryTable(Issue, writer=writer),
                "cooperation": bulk.Table(IssueCooperation, writer=writer),
                "rectification": bulk.HistoryTable(Rectification, writer=writer),
                "event": bulk.Table(RectificationEvent, writer=writer),
                "progress": bulk.HistoryTable(ProgressReport, writer=writer),
            }
        return self._bulk_tables

    def _report_row(self, p, rectification_id, actor_id):
        when, percent, body = self._progress_parts(p["progress"])
        if percent is None:
            percent = 100 if p["status"] in (Status.APPLIED, Status.HEAD_CONFIRMED, Status.CLOSED) else 0
        return {
            "rectification_id": rectification_id,
            "reported_on": min(when or self.today, self.today),
            "text": body,
            "percent": percent,
            "author_id": actor_id,
        }

    def _closed_at(self, p):
        when = p["closed_on"] or self.today
        return timezone.make_aware(datetime.datetime.combine(when, datetime.time(12, 0)))

    def _report(self, p, rectification_id):
        return ProgressReport(**self._report_row(p, rectification_id, self.actor.pk if self.actor else None))

    def _update(self, p):
        actor = self.actor
        entry = p["entry"]
        if p["issue_action"] == UPDATE:
            issue = Issue.objects.get(pk=entry["pk"])
            issue.department = p["department"]
            issue.description = p["description"]
            issue.category_id = p["category"]
            issue.source = p["source"]
            save_versioned(actor=actor, instance=issue, reason=IMPORT_REASON)
            wanted = {d.pk for d in p["cooperating"]}
            have = self.cooperating.get(issue.pk, set())
            IssueCooperation.objects.filter(issue=issue, department_id__in=have - wanted).delete()
            IssueCooperation.objects.bulk_create(
                [IssueCooperation(issue=issue, department_id=pk) for pk in sorted(wanted - have)]
            )
            for r in issue.rectifications.all():  # keep the copies the ledger's services keep
                text = r.build_search_text(issue)
                if text != r.search_text or r.category_id != issue.category_id:
                    Rectification.objects.filter(pk=r.pk).update(search_text=text, category=issue.category_id)
        if p["action"] != UPDATE:
            return
        r = Rectification.objects.select_related("issue").get(pk=p["current"][0])
        before = r.status
        r.category_id = r.issue.category_id
        r.department = p["department"]
        r.responsible_person = p["person"]
        r.measures = p["measures"]
        r.kind = p["kind"]
        r.deadline = p["deadline"]  # None for 长期坚持 (the parser never gives it a date)
        r.review_interval_days = p["interval"]  # None unless 长期坚持: a kind change clears it
        r.notes = p["notes"]
        r.status = p["status"]
        if r.status == Status.CLOSED:
            if p["closed_on"] or r.closed_at is None:
                r.closed_at = self._closed_at(p)
        else:
            r.closed_at = None
        r.search_text = r.build_search_text()
        save_versioned(actor=actor, instance=r, reason=IMPORT_REASON)
        status_note = f"；状态：{Status(before).label} → {Status(r.status).label}" if before != r.status else ""
        RectificationEvent.objects.create(
            rectification=r,
            actor=actor,
            action=Action.EDIT,
            from_status=before if status_note else "",
            to_status=r.status if status_note else "",
            comment=f"Excel 导入（第{p['row']}行）{status_note}",
        )
        if p["progress"] and self._progress_text(p["progress"]) != cells.key(p["current"][11] or ""):
            report = self._report(p, r.pk)
            save_versioned(actor=actor, instance=report, reason=IMPORT_REASON)
