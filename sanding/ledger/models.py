"""The problem ledger (问题台账): issues, their rectification items, progress, closure events."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sanding.accounts.scoping import ScopedModel, ScopedQuerySet
from sanding.core.links import LinkValidator
from sanding.core.models import VersionedModel

from . import deadlines
from .choices import OPEN_STATUSES, Action, Kind, Severity, Source, Status
from .deadlines import today

# The kinds of rectification item and what each takes:
#   期限      a deadline (required), no review interval;
#   立行立改  optionally the date it must be done by (then it counts as overdue after it), no interval;
#   长期坚持  a review interval in days (required), never a deadline, never overdue.
KINDS_WITH_DEADLINE = (Kind.DEADLINE, Kind.IMMEDIATE)


def kind_errors(*, kind, deadline, review_interval_days):
    """{field: message} for a kind / deadline / review-interval combination that breaks the rules above.

    Shared by the form, the services and anything else that writes items, so the messages match.
    """
    errors = {}
    if kind == Kind.DEADLINE and not deadline:
        errors["deadline"] = "“期限”类整改事项必须填写整改时限。"
    if kind == Kind.ONGOING and deadline:
        errors["deadline"] = "“长期坚持”类整改事项不设整改时限（不计逾期），请清空整改时限。"
    if kind == Kind.ONGOING and not review_interval_days:
        errors["review_interval_days"] = "“长期坚持”类整改事项必须填写复查周期。"
    if kind != Kind.ONGOING and review_interval_days is not None:
        label = dict(Kind.choices).get(kind, kind)
        errors["review_interval_days"] = f"“{label}”类整改事项不设复查周期，请清空复查周期。"
    return errors


def _cooperating_q(issue_ref, department_id):
    return Q(
        Exists(IssueCooperation.objects.filter(issue=OuterRef(issue_ref), department=department_id)),
    )


class IssueCategory(models.Model):
    """问题类别: an editable list, seeded with the nine default categories."""

    name = models.CharField("名称", max_length=50, unique=True, error_messages={"unique": "已有同名类别。"})
    seq = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["seq", "pk"]

    def __str__(self):
        return self.name


class LedgerRegionSetting(models.Model):
    """Per-region switches of the ledger workflow."""

    region = models.OneToOneField(
        "registry.Region", verbose_name="区划", on_delete=models.CASCADE, related_name="ledger_setting"
    )
    head_review = models.BooleanField(
        "启用单位负责人审核",
        default=False,
        help_text="启用后，部门申请销号须经单位负责人审核，再由编办核验销号。",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "台账区划设置"
        verbose_name_plural = "台账区划设置"

    def __str__(self):
        return f"{self.region} 台账设置"


class IssueQuerySet(ScopedQuerySet):
    pass


class Issue(ScopedModel, VersionedModel):
    """问题: one problem found, with a readable code per region and year (云州-2025-0007)."""

    scope_region_path = "region"

    code = models.CharField("问题编号", max_length=40, unique=True, editable=False)
    # Indexed by issue_unique_seq_per_region_year (region, year, seq).
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="区划",
        on_delete=models.PROTECT,
        related_name="issues",
        editable=False,
        db_index=False,
    )
    year = models.PositiveIntegerField("年度", editable=False)
    seq = models.PositiveIntegerField("序号", editable=False)
    description = models.TextField("问题描述")
    category = models.ForeignKey(
        IssueCategory, verbose_name="问题类别", on_delete=models.PROTECT, related_name="issues"
    )
    source = models.CharField("问题来源", max_length=20, choices=Source.choices)
    # Indexed by issue_department_idx.
    department = models.ForeignKey(
        "registry.Department", verbose_name="责任单位", on_delete=models.PROTECT, related_name="issues", db_index=False
    )
    cooperating = models.ManyToManyField(
        "registry.Department",
        through="IssueCooperation",
        related_name="cooperating_issues",
        verbose_name="配合单位",
        blank=True,
    )
    found_on = models.DateField("发现日期")
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    source_ref = models.CharField(
        "来源记录",
        max_length=100,
        blank=True,
        help_text="如 assessment.answer:12，指向产生该问题的评估答题或登记记录。",
    )
    # An http(s) URL or a path of this application (an issue raised from an assessment links to it).
    source_url = models.CharField("来源链接", max_length=300, blank=True, validators=[LinkValidator()])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = IssueQuerySet.as_manager()
    # History is read by record (id, date); copies of the keys need no index of their own.
    history = HistoricalRecords(no_db_index=["code", "region", "category", "department", "created_by"])

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["-year", "-seq", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "seq"],
                name="issue_unique_seq_per_region_year",
                violation_error_message="该区划本年度已有相同序号的问题。",
            ),
        ]
        indexes = [
            models.Index(fields=["department"], name="issue_department_idx"),
            # The issue list's default order (newest code first), read backwards.
            models.Index(fields=["year", "seq", "id"], name="issue_code_order_idx"),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("ledger:issue-detail", args=[self.pk])

    @classmethod
    def scope_department_q(cls, department_id):
        return (
            Q(department=department_id)
            | _cooperating_q("pk", department_id)
            | Q(Exists(Rectification.objects.filter(issue=OuterRef("pk"), department=department_id)))
        )


class IssueCooperation(models.Model):
    # Both keys are indexed by the unique constraint (issue, department) and issue_coop_dept_idx.
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="cooperations", db_index=False)
    department = models.ForeignKey(
        "registry.Department", verbose_name="配合单位", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "配合单位"
        verbose_name_plural = "配合单位"
        constraints = [models.UniqueConstraint(fields=["issue", "department"], name="issue_cooperation_unique")]
        indexes = [models.Index(fields=["department", "issue"], name="issue_coop_dept_idx")]

    def __str__(self):
        return f"{self.issue_id}:{self.department_id}"


class RectificationQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status=Status.CLOSED)

    def overdue(self, on=None):
        """逾期 (defined in `deadlines`)."""
        return self.filter(deadlines.overdue_q(on))

    def not_overdue(self, on=None):
        return self.filter(deadlines.not_overdue_q(on))

    def search(self, text):
        text = text.strip().lower()
        return self.filter(search_text__contains=text) if text else self

    def for_list(self):
        return self.select_related("issue", "issue__category", "department", "region")


class Rectification(ScopedModel, VersionedModel):
    """整改事项: one rectification of an issue, followed until 销号."""

    scope_region_path = "region"

    # The keys below are indexed by the composite indexes in Meta (a single-column index on each would be
    # redundant and only slow down writes): issue by rectification_unique_seq, region by
    # rect_region_status_idx, category by rect_category_idx, department by rect_department_status_idx.
    issue = models.ForeignKey(
        Issue, verbose_name="问题", on_delete=models.PROTECT, related_name="rectifications", db_index=False
    )
    seq = models.PositiveIntegerField("序号", editable=False)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    # The issue's category, copied here by the services so the board and the filters need no join.
    category = models.ForeignKey(
        IssueCategory,
        verbose_name="问题类别",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
    )
    measures = models.TextField("整改措施")
    department = models.ForeignKey(
        "registry.Department",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="rectifications",
        db_index=False,
    )
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    kind = models.CharField("整改类型", max_length=10, choices=Kind.choices, default=Kind.DEADLINE)
    deadline = models.DateField("整改时限", null=True, blank=True)
    review_interval_days = models.PositiveIntegerField(
        "复查周期（天）", null=True, blank=True, help_text="长期坚持类事项定期复查的间隔天数。"
    )
    status = models.CharField(
        "整改状态", max_length=20, choices=Status.choices, default=Status.NOT_STARTED, editable=False
    )
    flagged = models.BooleanField("挂牌督办", default=False, editable=False)
    summary = models.TextField("整改情况说明", blank=True, editable=False)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True, editable=False)
    notes = models.CharField("备注", max_length=300, blank=True)
    # Lower-cased code, description, measures and person, kept by the services for the text search
    # (one trigram index on PostgreSQL instead of an OR across a join).
    search_text = models.TextField(editable=False, default="")

    objects = RectificationQuerySet.as_manager()
    # search_text is derived from the other fields: not kept in the history.
    history = HistoricalRecords(
        excluded_fields=["search_text"], no_db_index=["issue", "region", "category", "department"]
    )

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["issue", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "seq"], name="rectification_unique_seq", violation_error_message="序号重复。"
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.DEADLINE) | Q(deadline__isnull=False),
                name="rectification_deadline_kind_has_date",
                violation_error_message="“期限”类整改事项必须填写整改时限。",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.ONGOING) | Q(review_interval_days__gt=0),
                name="rectification_ongoing_has_interval",
                violation_error_message="“长期坚持”类整改事项必须填写复查周期。",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.ONGOING) | Q(deadline__isnull=True),
                name="rectification_ongoing_no_deadline",
                violation_error_message="“长期坚持”类整改事项不设整改时限。",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.ONGOING) | Q(review_interval_days__isnull=True),
                name="rectification_interval_only_ongoing",
                violation_error_message="只有“长期坚持”类整改事项设复查周期。",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.CLOSED, closed_at__isnull=False)
                | (~Q(status=Status.CLOSED) & Q(closed_at__isnull=True)),
                name="rectification_closed_at_iff_closed",
                violation_error_message="销号时间与整改状态不一致。",
            ),
        ]
        indexes = [
            models.Index(fields=["deadline", "id", "region"], name="rect_deadline_idx"),
            models.Index(fields=["region", "status"], name="rect_region_status_idx"),
            models.Index(fields=["region", "deadline"], name="rect_region_deadline_idx"),
            models.Index(fields=["department", "status"], name="rect_department_status_idx"),
            models.Index(fields=["status", "deadline"], name="rect_status_deadline_idx"),
            models.Index(fields=["-updated_at"], name="rect_updated_idx"),
            # Every column the board's aggregates read, so PostgreSQL answers them by index-only scans.
            models.Index(
                fields=[
                    "region",
                    "status",
                    "deadline",
                    "flagged",
                    "category",
                    "department",
                    "created_at",
                    "closed_at",
                    "id",
                ],
                name="rect_board_idx",
            ),
            models.Index(fields=["category", "status", "deadline"], name="rect_category_idx"),
        ]

    def __str__(self):
        return f"{self.issue.code}-{self.seq}"

    def get_absolute_url(self):
        return reverse("ledger:rectification-detail", args=[self.pk])

    def build_search_text(self, issue=None):
        issue = issue or self.issue
        return "\n".join([issue.code, issue.description, self.measures, self.responsible_person]).lower()

    @classmethod
    def scope_department_q(cls, department_id):
        return Q(department=department_id) | Q(issue__department=department_id) | _cooperating_q("issue", department_id)

    # Derived, never stored: overdue, days overdue, the light (defined in `deadlines`).
    def is_overdue(self, on=None):
        return deadlines.is_overdue(self, on)

    def days_overdue(self, on=None):
        return deadlines.days_overdue(self, on)

    def days_left(self, on=None):
        return deadlines.days_left(self, on)

    def light(self, on=None):
        return deadlines.light(self, on)

    def next_review_on(self, on=None):
        """长期坚持: the next date of its review cycle (every `review_interval_days` from its creation)."""
        if self.kind != Kind.ONGOING or not self.review_interval_days:
            return None
        on = on or today()
        start = timezone.localdate(self.created_at) if self.created_at else on
        periods = max(1, -(-(on - start).days // self.review_interval_days))
        return start + datetime.timedelta(days=periods * self.review_interval_days)

    @property
    def deadline_display(self):
        if self.deadline:
            return self.deadline.isoformat()
        return "" if self.kind == Kind.DEADLINE else self.get_kind_display()

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class RectificationEvent(ScopedModel):
    """One row per state change (or flag, edit, progress): who, when, from, to, comment."""

    scope_region_path = "rectification__region"

    rectification = models.ForeignKey(  # indexed by rect_event_idx (rectification, at)
        Rectification, verbose_name="整改事项", on_delete=models.PROTECT, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField("说明", blank=True)
    # A closure application's evidence chosen from the item's earlier files (progress reports, materials,
    # an earlier application); files uploaded with the step itself hang off Attachment.event instead.
    evidence = models.ManyToManyField(
        "Attachment", verbose_name="引用的佐证材料", blank=True, related_name="cited_by_events"
    )

    class Meta:
        verbose_name = "整改事项记录"
        verbose_name_plural = "整改事项记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["rectification", "at"], name="rect_event_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_department_q(cls, department_id):
        return Q(
            Exists(
                Rectification.objects.filter(
                    Rectification.scope_department_q(department_id), pk=OuterRef("rectification")
                )
            )
        )


class ProgressReport(ScopedModel, VersionedModel):
    """整改进展: a dated report with percent complete."""

    scope_region_path = "rectification__region"

    rectification = models.ForeignKey(  # indexed by progress_latest_idx (rectification, -reported_on, -id)
        Rectification,
        verbose_name="整改事项",
        on_delete=models.PROTECT,
        related_name="progress_reports",
        db_index=False,
    )
    reported_on = models.DateField("报送日期")
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度（%）")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    history = HistoricalRecords(no_db_index=["rectification", "author"])

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100),
                name="progress_percent_max_100",
                violation_error_message="完成进度不能超过100%。",
            )
        ]
        indexes = [models.Index(fields=["rectification", "-reported_on", "-id"], name="progress_latest_idx")]

    def __str__(self):
        return f"{self.reported_on} {self.percent}%"

    @classmethod
    def scope_department_q(cls, department_id):
        return RectificationEvent.scope_department_q(department_id)


def attachment_path(instance, filename):
    stamp = timezone.now()
    return f"ledger/{stamp:%Y/%m}/{stamp:%d%H%M%S%f}.bin"


class Attachment(ScopedModel):
    """A file on an issue, a rectification item, a progress report or a closure application.

    Stored under MEDIA_ROOT (never served by a public URL); downloads go through a scoped view.
    """

    scope_region_path = "issue__region"

    issue = models.ForeignKey(Issue, verbose_name="问题", on_delete=models.PROTECT, related_name="attachments")
    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    progress = models.ForeignKey(
        ProgressReport, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    event = models.ForeignKey(
        RectificationEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小")
    content_type = models.CharField("类型", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("ledger:attachment-download", args=[self.pk])

    @classmethod
    def scope_department_q(cls, department_id):
        """A file of an item (its materials, progress reports, closure applications) is seen by that item's
        departments only; a file of the issue itself by every department the issue concerns."""
        of_item = Q(
            Exists(
                Rectification.objects.filter(
                    Rectification.scope_department_q(department_id), pk=OuterRef("rectification")
                )
            )
        )
        of_issue = Q(rectification__isnull=True) & Q(
            Exists(Issue.objects.filter(Issue.scope_department_q(department_id), pk=OuterRef("issue")))
        )
        return of_item | of_issue


class Notification(models.Model):
    """An in-app message (reminder digests); the nav shows the unread count."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="ledger_notifications"
    )
    kind = models.CharField("类型", max_length=20, default="reminder")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    url = models.CharField("链接", max_length=300, blank=True, validators=[LinkValidator()])
    digest_date = models.DateField("提醒日期", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "digest_date"],
                condition=Q(digest_date__isnull=False),
                name="notification_one_digest_per_day",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.title


def deadline_in(days, on=None):
    return (on or today()) + datetime.timedelta(days=days)
