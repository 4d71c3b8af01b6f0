"""Writes of the spreadsheets app: upload an import job, run it in the background, confirm it."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sanding.accounts.scoping import require_admin

from .engine import run_import
from .kinds import KINDS
from .models import ImportJob, JobStatus
from .safety import SpreadsheetError, check_size, check_xlsx

logger = logging.getLogger(__name__)


@transaction.atomic
def job_create(*, actor, kind, region, upload, sheet=""):
    """Store the upload (checked: size, real xlsx, no zip bomb) and queue its validation."""
    from .tasks import validate_job

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
    from .tasks import import_job

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


def _update(job, **fields):
    fields["updated_at"] = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def job_run(*, job_id, commit):
    """Validate (commit=False) or import (commit=True) a job; always ends in a final status.

    The import validates the whole file again first (the data may have changed since the preview),
    showing progress, then writes everything in one transaction — or nothing.
    """
    job = ImportJob.objects.select_related("region", "user").get(pk=job_id)
    expected = JobStatus.QUEUED if commit else JobStatus.VALIDATING
    if job.status != expected:
        return job
    _update(job, status=JobStatus.IMPORTING if commit else JobStatus.VALIDATING, phase="正在校验", progress_done=0)

    def progress(done, total):
        _update(job, progress_done=done, progress_total=max(total, done))

    def run(**options):
        importer = KINDS[job.kind].importer_class(region=job.region, actor=job.user)
        return run_import(importer, job.file.path, sheet=job.sheet or None, **options)

    try:
        result = run(commit=False, progress=progress)
        if commit and result.ok:
            _update(job, phase="正在写入数据库")
            result = run(commit=True, check=False)
    except SpreadsheetError as error:
        _update(job, status=JobStatus.FAILED, phase="", message=str(error), finished_at=timezone.now())
        return job
    except Exception as error:  # never leave a job stuck in a running state
        logger.exception("import job %s failed", job.pk)
        message = f"处理文件时发生内部错误（{type(error).__name__}），未写入任何数据。请联系系统管理员。"
        _update(job, status=JobStatus.FAILED, phase="", message=message, finished_at=timezone.now())
        return job
    data = result.as_dict() | {"preview": result.preview}
    if result.committed:
        status = JobStatus.DONE
    elif result.ok:
        status = JobStatus.READY
    else:
        status = JobStatus.INVALID
    _update(
        job,
        status=status,
        phase="",
        result=data,
        progress_done=result.rows,
        progress_total=result.rows,
        finished_at=timezone.now() if status != JobStatus.READY else None,
    )
    return job
