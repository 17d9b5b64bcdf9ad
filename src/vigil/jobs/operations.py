"""Writes of the jobs app: queueing long work as a background task, its progress, its outcome.

The work itself is done by the existing operations (``figures.operations.run_estimate``,
``review.operations.link_persons``, ``exchange.operations.import_detentions``,
``exchange.packaging.build_investigation_package``), which write their own audit entries, as the user who
asked for it; queueing is audited here, so that a run that fails still shows who asked for what, and so is
each download of a package.
"""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.jobs import files
from vigil.jobs.models import Job, JobKind
from vigil.jobs.status import JobStatus, status_of, unfinished
from vigil.records.models import Event


def _start(
    kind: str,
    event: Event | None,
    actor: Actor,
    *,
    params: dict[str, Any] | None = None,
    file: str = "",
) -> Job:
    """Queue the work; ``params`` (work asked for by one user, seen by that user only) and its ``file``."""
    from vigil.jobs import tasks

    task = {
        JobKind.ESTIMATE: tasks.estimate,
        JobKind.LINKAGE: tasks.link,
        JobKind.IMPORT: tasks.import_file,
        JobKind.PACKAGE: tasks.package,
    }[JobKind(kind)]
    user = acting_user(actor)
    with transaction.atomic():
        # The same work asked for again while it is queued or running is that job, not a second run (two
        # linkage runs at once would merge the same clusters twice; a file sent twice is imported once).
        running = unfinished(kind, event, started_by=user, params=params)
        if running is not None:
            files.remove(file)
            return running
        job = Job.objects.create(
            kind=kind,
            event=event,
            started_by=user,
            created_at=timezone.now(),
            params=params or {},
            file=file,
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


def start_import(
    upload: IO[bytes],
    *,
    filename: str,
    source_name: str,
    source_kind: str,
    dry_run: bool,
    actor: Actor,
) -> Job:
    """Store the upload encrypted, then queue its import (``exchange.operations.import_detentions``, a check
    only with ``dry_run``) to run as ``actor``. The same file sent again while its job is queued or running is
    that job; once it has run, sending it again stores nothing new (rows have deterministic ids)."""
    stored = files.store(upload)
    params = {
        "filename": filename,
        "source": source_name,
        "source_kind": source_kind,
        "dry_run": dry_run,
        "sha256": stored.sha256,
        "size": stored.size,
    }
    try:
        return _start(JobKind.IMPORT, None, actor, params=params, file=stored.name)
    except BaseException:
        files.remove(stored.name)
        raise


def start_package(
    *,
    actor: Actor,
    event: Event | None = None,
    allegation_ids: list[int] | None = None,
    named: bool = False,
    reference: str = "",
) -> Job:
    """Queue an investigation package (``exchange.packaging.build_investigation_package``) to be built as
    ``actor`` into an encrypted job file that only ``actor`` may download."""
    if event is None and not allegation_ids:
        raise ValueError("a package needs an event or at least one allegation")
    params = {
        "allegations": sorted(set(allegation_ids or [])),
        "named": named,
        "reference": reference,
    }
    return _start(JobKind.PACKAGE, event, actor, params=params)


def open_package(job: Job, *, actor: Actor) -> bytes:
    """The package a job built, decrypted in memory and checked against the SHA-256 taken while it was written;
    audited as ``package.download``. Only the user who asked for it may have it."""
    if job.kind != JobKind.PACKAGE or not job.file or status_of(job) != JobStatus.DONE:
        raise PermissionError("this job has no package to download")
    if job.started_by_id is None or job.started_by_id != getattr(acting_user(actor), "pk", None):
        raise PermissionError("only the user who asked for a package may download it")
    data = files.read(job.file, sha256=job.outcome.get("sha256"))
    audit(actor, "package.download", job, sha256=job.outcome.get("sha256"), size=len(data))
    return data


def report_progress(job: Job, phase: str, done: int = 0, total: int = 0) -> None:
    """Say how far the work has got (one small write; the page asking shows it)."""
    Job.objects.filter(pk=job.pk).update(phase=phase, done=done, total=total, updated_at=timezone.now())


def finish_job(job: Job, outcome: dict[str, Any]) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(outcome=outcome, finished_at=now, updated_at=now)


def keep_file(job: Job, name: str) -> None:
    """The job's file is now ``name`` (a package just written), or none."""
    Job.objects.filter(pk=job.pk).update(file=name)
    job.file = name


def fail_job(job: Job, code: str, detail: str = "", outcome: dict[str, Any] | None = None) -> None:
    """The work failed: ``code`` is worded for the reader by the job's page (vigil.jobs.status), ``detail`` is
    the technical line shown to coordinators only. An upload that was to be imported is deleted."""
    now = timezone.now()
    one_line = " ".join(detail.split())[:500]
    if job.kind == JobKind.IMPORT and job.file:
        files.remove(job.file)
        job.file = ""
    Job.objects.filter(pk=job.pk).update(
        error=code[:500],
        error_detail=one_line,
        outcome=outcome or {},
        file=job.file,
        finished_at=now,
        updated_at=now,
    )
