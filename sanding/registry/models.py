"""The 三定 registry: regions, departments and what their 三定 determines."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from sanding.accounts.scoping import ScopedModel, ScopedQuerySet
from sanding.core.models import VersionedModel

from .choices import (
    AssignmentRole,
    DepartmentCategory,
    DepartmentRank,
    DepartmentStatus,
    DutyChangeType,
    LeaderLevel,
    RegionLevel,
    StaffingType,
)

NON_NEGATIVE = "数量不能为负数。"


class RegionQuerySet(ScopedQuerySet):
    def subtree_ids(self, region_id):
        """Ids of a region and every region below it (materialised path lookup, one query)."""
        path = self.filter(pk=region_id).values("path")
        return frozenset(self.filter(path__startswith=Subquery(path)).values_list("pk", flat=True))


class Region(ScopedModel):
    """行政区划: the city and its counties, as a tree kept in a materialised `path`."""

    scope_region_path = "pk"

    code = models.CharField("区划代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    short_name = models.CharField("简称", max_length=20, help_text="用于问题编号，如“云州”。")
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)

    objects = RegionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_department_q(cls, department_id):
        return Q(departments=department_id)

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        super().save(*args, **kwargs)


class DepartmentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=DepartmentStatus.ACTIVE)

    def with_figures(self):
        """Annotate staffing totals and the 超编 / 超职数 flags with subqueries (no joins fan out)."""
        quotas = StaffingQuota.objects.filter(department=OuterRef("pk"))
        totals = quotas.order_by().values("department").annotate(approved=Sum("approved"), actual=Sum("actual"))
        return self.annotate(
            staffing_approved=Coalesce(Subquery(totals.values("approved")), 0),
            staffing_actual=Coalesce(Subquery(totals.values("actual")), 0),
            has_staffing_overrun=Exists(quotas.filter(actual__gt=F("approved"))),
            has_leader_overrun=Exists(LeaderPost.objects.filter(department=OuterRef("pk"), actual__gt=F("approved"))),
        )


class Department(ScopedModel, VersionedModel):
    """部门 / 机构."""

    scope_region_path = "region"
    scope_department_path = "pk"

    code = models.CharField("部门代码", max_length=20, unique=True, error_messages={"unique": "部门代码已存在。"})
    name = models.CharField("部门全称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    aliases = models.CharField(
        "别名", max_length=255, blank=True, help_text="多个别名用“、”分隔，用于搜索和导入时识别单位。"
    )
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments")
    category = models.CharField("部门类别", max_length=20, choices=DepartmentCategory.choices)
    rank = models.CharField("机构规格", max_length=10, choices=DepartmentRank.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="主管部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed",
        help_text="部门管理机构或代管事业单位的主管部门。",
    )
    status = models.CharField("状态", max_length=10, choices=DepartmentStatus.choices, default=DepartmentStatus.ACTIVE)
    notes = models.TextField("备注", blank=True)

    objects = DepartmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__path", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="department_unique_name_in_region",
                violation_error_message="本区划已有同名部门。",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:department-detail", args=[self.pk])

    @property
    def alias_list(self):
        return [a.strip() for a in self.aliases.replace("|", "、").split("、") if a.strip()]


class Regulation(ScopedModel, VersionedModel):
    """The department's "三定"规定. A department keeps its history; exactly one is current."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="regulations"
    )
    doc_no = models.CharField("文号", max_length=50, help_text="如：云编发〔2019〕12号")
    title = models.CharField("标题", max_length=200, blank=True)
    issued_on = models.DateField("印发日期")
    is_current = models.BooleanField("现行", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "“三定”规定"
        verbose_name_plural = "“三定”规定"
        ordering = ["department", "-is_current", "-issued_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(is_current=True),
                name="regulation_one_current_per_department",
                violation_error_message="每个部门只能有一个现行“三定”规定。",
            ),
        ]

    def __str__(self):
        return self.doc_no


class InternalUnit(ScopedModel, VersionedModel):
    """内设机构: approved in the 三定 and/or actually set up."""

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="units")
    name = models.CharField("名称", max_length=100)
    seq = models.PositiveIntegerField("排序", default=0)
    in_regulation = models.BooleanField("“三定”核定", default=True)
    actually_set = models.BooleanField("实际设置", default=True)
    archived = models.BooleanField("已归档", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "内设机构"
        verbose_name_plural = "内设机构"
        ordering = ["department", "seq", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"],
                condition=Q(archived=False),
                name="unit_unique_name_in_department",
                violation_error_message="本部门已有同名内设机构。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def unapproved(self):
        return self.actually_set and not self.in_regulation


class Duty(ScopedModel, VersionedModel):
    """One numbered duty of a 三定, assigned to internal units as 主办 or 协办."""

    scope_region_path = "regulation__department__region"
    scope_department_path = "regulation__department"

    regulation = models.ForeignKey(
        Regulation, verbose_name="“三定”规定", on_delete=models.PROTECT, related_name="duties"
    )
    seq = models.PositiveIntegerField("序号")
    text = models.TextField("职责内容")
    change_type = models.CharField(
        "变化类型", max_length=10, choices=DutyChangeType.choices, default=DutyChangeType.MAIN
    )
    units = models.ManyToManyField(
        InternalUnit, through="DutyAssignment", related_name="duties", verbose_name="承担科室"
    )
    archived = models.BooleanField("已归档", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "职责"
        verbose_name_plural = "职责"
        ordering = ["regulation", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "seq"],
                condition=Q(archived=False),
                name="duty_unique_seq",
                violation_error_message="该序号已被使用。",
            ),
        ]

    def __str__(self):
        return f"{self.seq}. {self.text[:30]}"


class DutyAssignment(ScopedModel):
    """A duty assigned to a unit, as lead (主办) or assist (协办)."""

    scope_region_path = "duty__regulation__department__region"
    scope_department_path = "duty__regulation__department"

    duty = models.ForeignKey(Duty, verbose_name="职责", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        InternalUnit, verbose_name="内设机构", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField("承担方式", max_length=10, choices=AssignmentRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "职责分工"
        verbose_name_plural = "职责分工"
        ordering = ["duty", "role", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "unit"], name="assignment_unique_unit"),
            models.UniqueConstraint(
                fields=["duty"],
                condition=Q(role=AssignmentRole.LEAD),
                name="assignment_one_lead",
                violation_error_message="每项职责只能有一个主办科室。",
            ),
        ]

    def __str__(self):
        return f"{self.unit}（{self.get_role_display()}）"


class CountedModel(ScopedModel, VersionedModel):
    """Approved (核定) against actual (实有 / 实配) counts."""

    approved = models.PositiveIntegerField("核定数", default=0)
    actual = models.PositiveIntegerField("实有数", default=0)

    class Meta:
        abstract = True

    @property
    def vacancy(self):
        """空编 / 空缺: approved places not filled."""
        return max(self.approved - self.actual, 0)

    @property
    def overrun(self):
        """超编 / 超职数: actual above approved."""
        return max(self.actual - self.approved, 0)


class StaffingQuota(CountedModel):
    """编制: one row per department and staffing type."""

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="quotas")
    type = models.CharField("编制类型", max_length=20, choices=StaffingType.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "编制"
        verbose_name_plural = "编制"
        ordering = ["department", "type"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "type"],
                name="quota_one_per_type",
                violation_error_message="该部门已有此类型的编制记录。",
            ),
            models.CheckConstraint(
                condition=Q(approved__gte=0) & Q(actual__gte=0),
                name="quota_non_negative",
                violation_error_message=NON_NEGATIVE,
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.type}"


class LeaderPost(CountedModel):
    """领导职数: one row per department and level; `actual` is 实配."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="leader_posts"
    )
    level = models.CharField("职务层级", max_length=20, choices=LeaderLevel.choices)
    actual = models.PositiveIntegerField("实配数", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "领导职数"
        verbose_name_plural = "领导职数"
        ordering = ["department", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "level"],
                name="leader_post_one_per_level",
                violation_error_message="该部门已有此层级的领导职数记录。",
            ),
            models.CheckConstraint(
                condition=Q(approved__gte=0) & Q(actual__gte=0),
                name="leader_post_non_negative",
                violation_error_message=NON_NEGATIVE,
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.level}"


class Plaque(ScopedModel, VersionedModel):
    """机构挂牌: an extra nameplate, authorised or not, hung or not."""

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="plaques")
    name = models.CharField("牌子名称", max_length=100)
    authorised = models.BooleanField("经批准", default=True)
    hung = models.BooleanField("实际挂牌", default=True)
    archived = models.BooleanField("已归档", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "机构挂牌"
        verbose_name_plural = "机构挂牌"
        ordering = ["department", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"],
                condition=Q(archived=False),
                name="plaque_unique_name_in_department",
                violation_error_message="本部门已有同名牌子。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def unauthorised(self):
        return self.hung and not self.authorised
