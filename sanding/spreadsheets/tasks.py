"""Background tasks (django-tasks, database backend): validate an upload, then import it.

The worker's side of an import job: `services` queues the tasks, which run `job_run`.
"""

import logging

from django.utils import timezone
from django_tasks import task

from .engine import run_import
from .kinds import KINDS
from .models import ImportJob, JobStatus
from .safety import SpreadsheetError

logger = logging.getLogger(__name__)


@task()
def validate_job(job_id):
    job_run(job_id=job_id, commit=False)


@task()
def import_job(job_id):
    job_run(job_id=job_id, commit=True)


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
