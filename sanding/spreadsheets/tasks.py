"""Background tasks (django-tasks, database backend): validate an upload, then import it."""

from django_tasks import task

from . import services


@task()
def validate_job(job_id):
    services.job_run(job_id=job_id, commit=False)


@task()
def import_job(job_id):
    services.job_run(job_id=job_id, commit=True)
