"""Writes of the jobs app: queueing long work as a background task, its progress, its outcome.

The work itself is done by the existing operations (``figures.operations.run_estimate``,
``review.operations.link_persons``), which write their own audit entries, as the user who asked for it;
queueing is audited here, so that a run that fails still shows who asked for what.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.jobs.models import Job, JobKind
from vigil.jobs.status import unfinished
from vigil.records.models import Event


def _start(kind: str, event: Event | None, actor: Actor) -> Job:
    from vigil.jobs import tasks

    task = {JobKind.ESTIMATE: tasks.estimate, JobKind.LINKAGE: tasks.link}[JobKind(kind)]
    with transaction.atomic():
        # The same work asked for again while it is queued or running is that job, not a second run (two
        # linkage runs at once would merge the same clusters twice).
        running = unfinished(kind, event)
        if running is not None:
            return running
        job = Job.objects.create(
            kind=kind, event=event, started_by=acting_user(actor), created_at=timezone.now()
        )
        result = task.enqueue(str(job.pk))
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
        audit(actor, "job.queued", job, kind=kind, event=event.slug if event else None)
    return job


def start_estimate(event: Event, *, actor: Actor) -> Job:
    """Queue an estimate of ``event`` (``figures.operations.run_estimate``) to run as ``actor``."""
    return _start(JobKind.ESTIMATE, event, actor)


def start_linkage(*, actor: Actor) -> Job:
    """Queue a linkage run over every identity (``review.operations.link_persons``) to run as ``actor``."""
    return _start(JobKind.LINKAGE, None, actor)


def report_progress(job: Job, phase: str, done: int = 0, total: int = 0) -> None:
    """Say how far the work has got (one small write; the page asking shows it)."""
    Job.objects.filter(pk=job.pk).update(phase=phase, done=done, total=total, updated_at=timezone.now())


def finish_job(job: Job, outcome: dict[str, Any]) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(outcome=outcome, finished_at=now, updated_at=now)


def fail_job(job: Job, message: str) -> None:
    now = timezone.now()
    one_line = " ".join(message.split())[:500]
    Job.objects.filter(pk=job.pk).update(error=one_line, finished_at=now, updated_at=now)
