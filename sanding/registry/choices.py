from django.db import models


class RegionLevel(models.TextChoices):
    CITY = "city", "市"
    COUNTY = "county", "县（市、区）"


class DepartmentCategory(models.TextChoices):
    PARTY_ORGAN = "党委工作机关", "党委工作机关"
    GOVERNMENT = "政府工作部门", "政府工作部门"
    MANAGED = "部门管理机构", "部门管理机构"
    INSTITUTION = "直属事业单位", "直属事业单位"
    MASS_ORG = "群团机关", "群团机关"
    OTHER = "其他", "其他"


class DepartmentRank(models.TextChoices):
    BUREAU_FULL = "正厅级", "正厅级"
    BUREAU_DEPUTY = "副厅级", "副厅级"
    DIVISION_FULL = "正处级", "正处级"
    DIVISION_DEPUTY = "副处级", "副处级"
    SECTION_FULL = "正科级", "正科级"
    SECTION_DEPUTY = "副科级", "副科级"
    OTHER = "其他", "其他"


class DepartmentStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    MERGED = "merged", "已合并"
    ABOLISHED = "abolished", "已撤销"


class DutyChangeType(models.TextChoices):
    MAIN = "主要职责", "主要职责"
    NEW = "新增", "新增"
    STRENGTHENED = "加强", "加强"
    TRANSFERRED_IN = "划入", "划入"
    TRANSFERRED_OUT = "划出", "划出"
    CANCELLED = "取消", "取消"
    DELEGATED = "下放", "下放"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"


class StaffingType(models.TextChoices):
    ADMINISTRATIVE = "行政编制", "行政编制"
    LEGAL_SPECIAL = "政法专项编制", "政法专项编制"
    CIVIL_SERVICE_INSTITUTION = "参公事业编制", "参公事业编制"
    INSTITUTION = "事业编制", "事业编制"
    SUPPORT = "工勤编制", "工勤编制"


class LeaderLevel(models.TextChoices):
    HEAD = "部门正职", "部门正职"
    DEPUTY = "部门副职", "部门副职"
    UNIT_HEAD = "内设机构正职", "内设机构正职"
    UNIT_DEPUTY = "内设机构副职", "内设机构副职"
    OTHER = "其他", "其他"
