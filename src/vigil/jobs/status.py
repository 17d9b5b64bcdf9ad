"""Where a job stands: read from its django-tasks result and from the job's own outcome or error."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.jobs.models import Job
from vigil.records.models import Event

# An unfinished job that has said nothing for this long no longer counts as under way (its worker may have
# been stopped mid-run): asking for the same work again then starts a new job. The longest silence of a
# sound run is one chain of an estimate's sampler, a few minutes on the largest events.
SILENT_AT_MOST = timedelta(hours=1)


# Errors stored as codes, worded when shown (the worker has no reader's language).
LOCKED = "locked"
INTERNAL = "internal:"
INTERRUPTED = "interrupted"


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


def error_line(job: Job) -> str:
    """The job's failure in one line, in the reader's language where Vigil words it."""
    if job.error == LOCKED:
        return _("Vigil was locked while this ran: unlock it and start the work again.")
    if job.error == INTERRUPTED:
        return _("Vigil was stopped while this ran, so it did not finish: start it again.")
    if job.error.startswith(INTERNAL):
        return _("The work stopped because of an internal error (%(kind)s); the server log has its time.") % {
            "kind": job.error.removeprefix(INTERNAL)
        }
    if job.error:
        return job.error
    return _("The work stopped before it could say why: the worker may have been stopped. Start it again.")


def unfinished(kind: str, event: Event | None) -> Job | None:
    """The job of this kind (for this event) that is queued or running, if there is one."""
    since = timezone.now() - SILENT_AT_MOST
    recent = Q(updated_at__gte=since) | Q(updated_at__isnull=True, created_at__gte=since)
    for job in Job.objects.filter(recent, kind=kind, event=event, finished_at__isnull=True):
        if status_of(job) in (JobStatus.QUEUED, JobStatus.RUNNING):
            return job
    return None
