"""An import job: the uploaded file, its validation (preview) and its import, run by the task worker."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .kinds import KIND_CHOICES


class JobStatus(models.TextChoices):
    VALIDATING = "validating", "正在校验"
    READY = "ready", "待确认"
    INVALID = "invalid", "有错误"
    QUEUED = "queued", "等待导入"
    IMPORTING = "importing", "正在导入"
    DONE = "done", "已导入"
    FAILED = "failed", "无法读取"


ACTIVE_STATUSES = (JobStatus.VALIDATING, JobStatus.QUEUED, JobStatus.IMPORTING)


def upload_path(instance, filename):
    stamp = timezone.now()
    return f"imports/{stamp:%Y/%m}/{stamp:%d%H%M%S%f}.xlsx"


class ImportJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("registry.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("导入内容", max_length=20, choices=KIND_CHOICES)
    file = models.FileField("文件", upload_to=upload_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    sheet = models.CharField("工作表", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=JobStatus.choices, default=JobStatus.VALIDATING)
    phase = models.CharField("阶段", max_length=50, blank=True)
    progress_done = models.PositiveIntegerField("已处理行数", default=0)
    progress_total = models.PositiveIntegerField("总行数", default=0)
    message = models.TextField("说明", blank=True)
    result = models.JSONField("校验结果", default=dict, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_job_user_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    def get_absolute_url(self):
        return reverse("spreadsheets:job-detail", args=[self.pk])

    @property
    def active(self):
        return self.status in ACTIVE_STATUSES

    @property
    def percent(self):
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(99, self.progress_done * 100 // self.progress_total)

    @property
    def counts(self):
        return (self.result or {}).get("counts", {})

    @property
    def problems(self):
        return (self.result or {}).get("problems", [])
