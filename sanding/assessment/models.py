"""Self-assessment: checklists (versioned templates), rounds, department forms, answers and evidence."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from sanding.accounts.scoping import ScopedModel
from sanding.core.models import VersionedModel
from sanding.registry.choices import DepartmentCategory
from sanding.registry.models import Region

from .choices import AssessmentState, ChecklistStatus, Method, RoundState, ScoringRule

SCORE = {"max_digits": 7, "decimal_places": 2}
NOTHING = Q(pk__in=[])


class Checklist(ScopedModel, VersionedModel):
    """评分表: a versioned template. A published edition is frozen; "copy as new version" starts the next."""

    scope_region_path = "region"

    region = models.ForeignKey(
        "registry.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="checklists"
    )
    name = models.CharField("名称", max_length=100)
    edition = models.PositiveIntegerField("版本号", default=1)
    copied_from = models.ForeignKey(
        "self", verbose_name="复制自", on_delete=models.PROTECT, null=True, blank=True, related_name="copies"
    )
    status = models.CharField("状态", max_length=10, choices=ChecklistStatus.choices, default=ChecklistStatus.DRAFT)
    description = models.TextField("说明", blank=True)
    categories = models.JSONField("适用部门类别", default=list, blank=True, help_text="不选表示适用于全部类别。")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评分表"
        verbose_name_plural = "评分表"
        ordering = ["name", "-edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name", "edition"],
                name="checklist_unique_edition",
                violation_error_message="本区划已有同名同版本的评分表。",
            )
        ]

    def __str__(self):
        return f"{self.name}（第{self.edition}版）"

    def get_absolute_url(self):
        return reverse("assessment:checklist-detail", args=[self.pk])

    @classmethod
    def scope_department_q(cls, department_id):
        return NOTHING  # departments see items only through their own assessments

    @classmethod
    def scope_q(cls, scope):
        """A region's own checklists (drafts included), plus the published ones of the regions above it:
        a county runs its rounds with the city's published checklist, read-only."""
        q = super().scope_q(scope)
        if scope.is_clerk or scope.region_ids is None:
            return q

        above = Region.objects.filter(pk__in=scope.region_ids, path__startswith=OuterRef("region__path"))
        return q | (Q(status=ChecklistStatus.PUBLISHED) & Exists(above))

    @property
    def is_draft(self):
        return self.status == ChecklistStatus.DRAFT

    @property
    def category_labels(self):
        return "、".join(self.categories) if self.categories else "全部类别"


class ChecklistPart(ScopedModel):
    """Rows that hang off a checklist and share its scope (including a published parent-region one)."""

    scope_region_path = "checklist__region"
    scope_checklist_path = "checklist"

    class Meta:
        abstract = True

    @classmethod
    def scope_department_q(cls, department_id):
        return NOTHING

    @classmethod
    def scope_q(cls, scope):
        if scope.is_clerk:
            return NOTHING
        if scope.region_ids is None:
            return Q()
        return Q(**{f"{cls.scope_checklist_path}__in": Checklist.objects.filter(Checklist.scope_q(scope))})


class Section(ChecklistPart):
    checklist = models.ForeignKey(Checklist, verbose_name="评分表", on_delete=models.PROTECT, related_name="sections")
    seq = models.PositiveIntegerField("排序", default=0)
    title = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    archived = models.BooleanField("已移除", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评分项目"
        verbose_name_plural = "评分项目"
        ordering = ["checklist", "seq", "pk"]

    def __str__(self):
        return self.title


class Item(ChecklistPart):
    """评分细则: one scored line of a checklist."""

    scope_region_path = "checklist__region"

    # Denormalised from the section (set on save; sections never move between checklists), so that the
    # database can keep item codes unique within a checklist.
    checklist = models.ForeignKey(
        Checklist, verbose_name="评分表", on_delete=models.PROTECT, related_name="items", editable=False
    )
    section = models.ForeignKey(Section, verbose_name="评分项目", on_delete=models.PROTECT, related_name="items")
    seq = models.PositiveIntegerField("排序", default=0)
    code = models.CharField(
        "编号",
        max_length=20,
        blank=True,
        help_text="同一评分表内不能重复；跨版本保持不变，用于从上一轮带入答案；留空则自动编号。",
    )
    text = models.TextField("评估内容")
    guidance = models.TextField("评分标准", blank=True)
    rule = models.CharField("评分方式", max_length=10, choices=ScoringRule.choices, default=ScoringRule.YES_NO)
    max_points = models.DecimalField("分值", **SCORE, validators=[MinValueValidator(Decimal("0"))])
    step = models.DecimalField(
        "打分步长",
        **SCORE,
        null=True,
        blank=True,
        help_text="分档打分时使用，如 0.5。",
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    deduction = models.DecimalField(
        "每处扣分",
        **SCORE,
        null=True,
        blank=True,
        help_text="扣分制时使用。",
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    evidence_required = models.BooleanField("须上传佐证材料", default=False)
    na_allowed = models.BooleanField("允许“不适用”", default=False)
    is_veto = models.BooleanField("一票否决项", default=False, help_text="未得满分时，等级直接定为最低档。")
    archived = models.BooleanField("已移除", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评分细则"
        verbose_name_plural = "评分细则"
        ordering = ["section__seq", "section_id", "seq", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "code"],
                condition=Q(archived=False) & ~Q(code=""),
                name="item_code_unique_per_checklist",
                violation_error_message="本评分表中已有相同编号的评分细则，请换一个编号。",
            ),
            models.CheckConstraint(
                condition=~Q(rule=ScoringRule.SCALE) | Q(step__isnull=False),
                name="item_scale_needs_step",
                violation_error_message="分档打分须设置打分步长。",
            ),
            models.CheckConstraint(
                condition=~Q(rule=ScoringRule.DEDUCTION) | Q(deduction__isnull=False),
                name="item_deduction_needs_amount",
                violation_error_message="扣分制须设置每处扣分。",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:30]}"

    def save(self, *args, **kwargs):
        if self.section_id is not None and self.checklist_id is None:
            self.checklist_id = Section.objects.values_list("checklist_id", flat=True).get(pk=self.section_id)
        super().save(*args, **kwargs)


class ItemCategoryRule(ChecklistPart):
    """An item's different maximum for one department category, or that it does not apply to it."""

    scope_region_path = "item__checklist__region"
    scope_checklist_path = "item__checklist"

    item = models.ForeignKey(Item, verbose_name="评分细则", on_delete=models.CASCADE, related_name="category_rules")
    category = models.CharField("部门类别", max_length=20, choices=DepartmentCategory.choices)
    max_points = models.DecimalField("分值", **SCORE, null=True, blank=True)
    excluded = models.BooleanField("不适用于该类别", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "分类别分值"
        verbose_name_plural = "分类别分值"
        constraints = [models.UniqueConstraint(fields=["item", "category"], name="item_category_rule_unique")]

    def __str__(self):
        return f"{self.category}: {'不适用' if self.excluded else self.max_points}"


class GradeBand(ChecklistPart):
    """等级: percentage threshold and label, e.g. ≥90% ★★★★★ or ≥85% 优秀."""

    checklist = models.ForeignKey(Checklist, verbose_name="评分表", on_delete=models.CASCADE, related_name="bands")
    min_percent = models.DecimalField("得分率不低于（%）", max_digits=5, decimal_places=2)
    label = models.CharField("等级名称", max_length=20)
    stars = models.PositiveSmallIntegerField("星级", default=0, help_text="以星级表示时填 1–5，命名等级填 0。")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "等级"
        verbose_name_plural = "等级"
        ordering = ["checklist", "-min_percent"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "min_percent"], name="band_unique_threshold"),
        ]

    def __str__(self):
        return self.label


class Round(ScopedModel, VersionedModel):
    """评估轮次: one checklist version applied to a set of departments."""

    scope_region_path = "region"

    region = models.ForeignKey(
        "registry.Region", verbose_name="组织区划", on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField("名称", max_length=120)
    checklist = models.ForeignKey(Checklist, verbose_name="评分表", on_delete=models.PROTECT, related_name="rounds")
    state = models.CharField("状态", max_length=10, choices=RoundState.choices, default=RoundState.DRAFT)
    fill_deadline = models.DateField("填报截止日期", null=True, blank=True)
    review_deadline = models.DateField("审核截止日期", null=True, blank=True)
    published_at = models.DateTimeField("结果发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评估轮次"
        verbose_name_plural = "评估轮次"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessment:round-detail", args=[self.pk])

    @classmethod
    def scope_department_q(cls, department_id):
        return Q(pk__in=Assessment.objects.filter(department=department_id, withdrawn=False).values("round"))

    @classmethod
    def scope_q(cls, scope):
        """The rounds of the user's regions, plus rounds run above them that include their departments
        (county staff follow their county's forms in a city-run round; only the organiser manages it)."""
        q = super().scope_q(scope)
        if scope.is_clerk or scope.region_ids is None:
            return q
        inside = Assessment.objects.filter(department__region__in=scope.region_ids, withdrawn=False)
        return q | Q(pk__in=inside.values("round"))

    def is_managed_by(self, scope):
        """Whether a user with `scope` organises this round (may edit it and change its state)."""
        return scope.is_office and (scope.region_ids is None or self.region_id in scope.region_ids)

    @property
    def is_published(self):
        return self.published_at is not None


class RoundEvent(ScopedModel):
    """Every state change of a round: who, when, from, to, comment."""

    scope_region_path = "round__region"

    round = models.ForeignKey(Round, verbose_name="轮次", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "轮次记录"
        verbose_name_plural = "轮次记录"
        ordering = ["-created_at", "-pk"]

    @classmethod
    def scope_department_q(cls, department_id):
        return NOTHING

    def __str__(self):
        return f"{self.from_state} → {self.to_state}"

    @property
    def from_label(self):
        return RoundState(self.from_state).label if self.from_state else ""

    @property
    def to_label(self):
        return RoundState(self.to_state).label


class Assessment(ScopedModel, VersionedModel):
    """One department in one round: its form, its review and, once approved, its fixed result."""

    round = models.ForeignKey(Round, verbose_name="轮次", on_delete=models.PROTECT, related_name="assessments")
    department = models.ForeignKey(
        "registry.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="assessments"
    )
    category = models.CharField("部门类别", max_length=20, choices=DepartmentCategory.choices)
    state = models.CharField(
        "状态", max_length=12, choices=AssessmentState.choices, default=AssessmentState.NOT_STARTED
    )
    method = models.CharField("评估方式", max_length=10, choices=Method.choices, default=Method.SELF)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="审核人", blank=True, related_name="assessments_to_review"
    )
    withdrawn = models.BooleanField("已移出本轮", default=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    # The result, fixed on approval.
    total_score = models.DecimalField("总分", **SCORE, null=True, blank=True)
    max_score = models.DecimalField("适用满分", **SCORE, null=True, blank=True)
    percentage = models.DecimalField("得分率（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    grade_label = models.CharField("等级", max_length=20, blank=True)
    grade_stars = models.PositiveSmallIntegerField("星级", null=True, blank=True)
    veto_reason = models.TextField("否决原因", blank=True)
    rank = models.PositiveIntegerField("类别内排名", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "部门自查评估"
        verbose_name_plural = "部门自查评估"
        ordering = ["round", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "department"],
                name="assessment_one_per_round",
                violation_error_message="该部门已在本轮评估范围内。",
            )
        ]
        indexes = [models.Index(fields=["round", "state"])]

    def __str__(self):
        return f"{self.department} · {self.round}"

    def get_absolute_url(self):
        return reverse("assessment:assessment-detail", args=[self.pk])


class AssessmentEvent(ScopedModel):
    """Every state change of a department's form: who, when, from, to, comment (e.g. the return reason)."""

    scope_region_path = "assessment__department__region"
    scope_department_path = "assessment__department"

    assessment = models.ForeignKey(Assessment, verbose_name="评估", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "评估记录"
        verbose_name_plural = "评估记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.from_state} → {self.to_state}"

    @property
    def from_label(self):
        return AssessmentState(self.from_state).label if self.from_state else ""

    @property
    def to_label(self):
        return AssessmentState(self.to_state).label


class Answer(ScopedModel):
    """A department's answer to one item, and the reviewer's verdict on it."""

    scope_region_path = "assessment__department__region"
    scope_department_path = "assessment__department"

    assessment = models.ForeignKey(Assessment, verbose_name="评估", on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(Item, verbose_name="评分细则", on_delete=models.PROTECT, related_name="answers")
    not_applicable = models.BooleanField("不适用", default=False)
    na_reason = models.CharField("不适用理由", max_length=300, blank=True)
    na_rejected = models.BooleanField(
        "不认可不适用", default=False, help_text="审核人不认可部门的“不适用”，按核定分计分（须填写审核意见）。"
    )
    self_value = models.CharField("自评输入", max_length=20, blank=True, help_text="是否 1/0、得分或问题处数。")
    self_score = models.DecimalField("自评分", **SCORE, null=True, blank=True)
    explanation = models.TextField("自评说明", blank=True)
    carried_score = models.DecimalField("上轮自评分", **SCORE, null=True, blank=True)
    reviewed_value = models.CharField("核定输入", max_length=20, blank=True)
    reviewed_score = models.DecimalField("核定分", **SCORE, null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评估答案"
        verbose_name_plural = "评估答案"
        ordering = ["assessment", "item__section__seq", "item__seq"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="answer_one_per_item")]

    def __str__(self):
        return f"{self.assessment_id}/{self.item_id}"

    @property
    def final_score(self):
        return self.reviewed_score if self.reviewed_score is not None else self.self_score

    @property
    def counts_as_not_applicable(self):
        """不适用 as finally accepted: the department's choice, unless the reviewer rejected it."""
        return self.not_applicable and not self.na_rejected


def evidence_path(instance, filename):
    # Content-addressed: the same bytes always land on the same path, so nothing is ever overwritten.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}/{instance.original_name}"


class Evidence(ScopedModel):
    """佐证材料: an uploaded file, stored under its SHA-256; a new upload is a new row (a new version)."""

    scope_region_path = "answer__assessment__department__region"
    scope_department_path = "answer__assessment__department"

    answer = models.ForeignKey(Answer, verbose_name="答案", on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=255)
    original_name = models.CharField("文件名", max_length=150)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    kind = models.CharField("类型", max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, null=True
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    carried_from = models.ForeignKey(
        "self", verbose_name="带入自", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn = models.BooleanField("已撤回", default=False)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["answer", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("assessment:evidence-download", args=[self.pk])


class SectionResult(ScopedModel):
    """A section subtotal of an approved assessment (fixed on approval)."""

    scope_region_path = "assessment__department__region"
    scope_department_path = "assessment__department"

    assessment = models.ForeignKey(
        Assessment, verbose_name="评估", on_delete=models.CASCADE, related_name="section_results"
    )
    section = models.ForeignKey(Section, verbose_name="评分项目", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", **SCORE)
    max_score = models.DecimalField("适用满分", **SCORE)

    class Meta:
        verbose_name = "分项得分"
        verbose_name_plural = "分项得分"
        constraints = [models.UniqueConstraint(fields=["assessment", "section"], name="section_result_unique")]

    def __str__(self):
        return f"{self.section}: {self.score}"
