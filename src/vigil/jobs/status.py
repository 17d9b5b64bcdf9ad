"""Where a job stands: read from its django-tasks result and from the job's own outcome or error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from vigil.jobs.models import Job
from vigil.records.models import Event

# An unfinished job that has said nothing for this long no longer counts as under way (its worker may have
# been stopped mid-run): asking for the same work again then starts a new job. The longest silence of a
# sound run is one chain of an estimate's sampler, a few minutes on the largest events.
SILENT_AT_MOST = timedelta(hours=1)


# Errors stored as codes, worded when shown (the worker has no reader's language); the technical detail (an
# exception's type, a refusal's English line) is kept beside the code, for coordinators.
LOCKED = "locked"
INTERNAL = "internal"  # once "internal:<exception type>"
INTERRUPTED = "interrupted"
NOT_ESTIMABLE = "not_estimable:"  # followed by the refusal's reason (vigil.lib.estimate.refusals)
LINK_REFUSED = "link_refused"
IMPORT_REFUSED = "import_refused"  # the file's errors are in the job's outcome
NOTHING_TO_PACKAGE = "nothing_to_package"
PACKAGE_REFUSED = "package_refused"


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def status_of(job: Job) -> JobStatus:
    from django_tasks_db.models import DBTaskResult

    if job.error:
        return JobStatus.FAILED
    if job.finished_at is not None:
        return JobStatus.DONE
    if not job.task_id:
        return JobStatus.QUEUED
    task_status = DBTaskResult.objects.filter(pk=job.task_id).values_list("status", flat=True).first()
    if task_status == "RUNNING":
        return JobStatus.RUNNING
    if task_status == "READY":
        return JobStatus.QUEUED
    if task_status == "SUCCESSFUL":
        return JobStatus.DONE
    # Failed before the job's own code ran (or its task is gone): the page says so in one line.
    return JobStatus.FAILED


def unfinished(
    kind: str, event: Event | None, *, started_by: Any = None, params: dict[str, Any] | None = None
) -> Job | None:
    """The job of this kind (for this event; with ``params``, asked for by ``started_by`` with the same
    parameters) that is queued or running, if there is one."""
    since = timezone.now() - SILENT_AT_MOST
    recent = Q(updated_at__gte=since) | Q(updated_at__isnull=True, created_at__gte=since)
    jobs = Job.objects.filter(recent, kind=kind, event=event, finished_at__isnull=True)
    if params is not None:
        jobs = jobs.filter(started_by=started_by)
    for job in jobs:
        if params is not None and job.params != params:
            continue
        if status_of(job) in (JobStatus.QUEUED, JobStatus.RUNNING):
            return job
    return None
