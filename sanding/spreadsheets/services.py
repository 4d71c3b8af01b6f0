"""Writes of the spreadsheets app: upload an import job and confirm it; the worker runs it (tasks.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sanding.accounts.scoping import require_admin

from .models import ImportJob, JobStatus
from .safety import SpreadsheetError, check_size, check_xlsx
from .tasks import import_job, validate_job


@transaction.atomic
def job_create(*, actor, kind, region, upload, sheet=""):
    """Store the upload (checked: size, real xlsx, no zip bomb) and queue its validation."""
    require_admin(actor)
    try:
        check_size(upload.size)
    except SpreadsheetError as error:
        raise ValidationError(str(error)) from None
    job = ImportJob(user=actor, region=region, kind=kind, original_name=upload.name[:200], sheet=sheet.strip())
    job.file.save("upload.xlsx", upload, save=False)
    try:
        check_xlsx(job.file.path)
    except SpreadsheetError as error:
        job.file.delete(save=False)
        raise ValidationError(str(error)) from None
    job.phase = "排队等待校验"
    job.save()
    validate_job.enqueue(job.pk)
    return job


@transaction.atomic
def job_confirm(*, actor, job):
    """The user confirms a valid preview: the import is queued for the worker."""
    require_admin(actor)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.user_id != actor.pk:
        raise ValidationError("只能确认自己上传的导入任务。")
    if job.status != JobStatus.READY:
        raise ValidationError(f"当前状态为“{job.get_status_display()}”，不能确认导入。")
    job.status = JobStatus.QUEUED
    job.phase = "排队等待导入"
    job.confirmed_at = timezone.now()
    job.progress_done = 0
    job.save()
    import_job.enqueue(job.pk)
    return job
