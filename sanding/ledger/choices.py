from django.db import models

# HEAD_GROUP: the group whose members (department clerks) confirm their unit's applications when a region
# switches on the 单位负责人审核 step; defined with the roles, whose groups the admin protects.
from sanding.accounts.choices import HEAD_GROUP as HEAD_GROUP


class Source(models.TextChoices):
    SELF_CHECK = "自查", "自查"
    INSPECTION = "督查", "督查"
    LOOK_BACK = "回头看", "回头看"
    HOTLINE = "12345热线", "12345热线"
    AUDIT = "巡察审计", "巡察审计"
    AUTO_CHECK = "自动核查", "自动核查"
    OTHER = "其他", "其他"


class Severity(models.TextChoices):
    NORMAL = "一般", "一般"
    SERIOUS = "较重", "较重"
    GRAVE = "严重", "严重"


class Kind(models.TextChoices):
    DEADLINE = "期限", "期限"
    IMMEDIATE = "立行立改", "立行立改"
    ONGOING = "长期坚持", "长期坚持"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "整改中"
    APPLIED = "applied", "申请销号"
    HEAD_CONFIRMED = "head_confirmed", "负责人已审核"
    CLOSED = "closed", "已销号"


OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.APPLIED, Status.HEAD_CONFIRMED)


class Action(models.TextChoices):
    """What happened to a rectification item; the timeline shows these."""

    CREATE = "create", "登记整改事项"
    START = "start", "开始整改"
    APPLY = "apply", "申请销号"
    HEAD_CONFIRM = "head_confirm", "单位负责人审核通过"
    HEAD_REJECT = "head_reject", "单位负责人退回"
    CLOSE = "close", "核验销号"
    REJECT = "reject", "编办退回"
    REOPEN = "reopen", "重新打开"
    EDIT = "edit", "修改整改事项"
    FLAG = "flag", "挂牌督办"
    UNFLAG = "unflag", "取消挂牌督办"
    PROGRESS = "progress", "报送整改进展"


class Light(models.TextChoices):
    GREEN = "green", "正常推进"
    YELLOW = "yellow", "临近时限"
    RED = "red", "已逾期"
    DONE = "done", "已销号"


DEFAULT_CATEGORIES = [
    "部门职能不理顺",
    "工作职责未明确",
    "部门间职责边界不清",
    "部门内部职责不理顺",
    "工作流程有待进一步优化",
    "议事协调机构协调配合不畅",
    "基层管理体制机制不理顺",
    "编制人员管理",
    "机构编制违规违纪",
]
