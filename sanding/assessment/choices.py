from django.db import models


class ChecklistStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class ScoringRule(models.TextChoices):
    YES_NO = "yes_no", "是否制（满分或零分）"
    SCALE = "scale", "分档打分（0 至满分）"
    DEDUCTION = "deduction", "扣分制（每处扣分，扣完为止）"


class RoundState(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "填报中"
    REVIEWING = "reviewing", "审核中"
    CLOSED = "closed", "已结束"


class AssessmentState(models.TextChoices):
    NOT_STARTED = "not_started", "未填报"
    IN_PROGRESS = "in_progress", "填报中"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回"
    APPROVED = "approved", "已审定"


class Method(models.TextChoices):
    ON_SITE = "on_site", "实地回访"
    SELF = "self", "单位自评"


# States in which the department may still change its answers.
EDITABLE_STATES = frozenset({AssessmentState.NOT_STARTED, AssessmentState.IN_PROGRESS, AssessmentState.RETURNED})
