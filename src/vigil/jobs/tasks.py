"""The background tasks (django-tasks): each runs one job through the existing operation, as its user.

A task's arguments are the job's id only, so the task table holds no names. A failure becomes a code on the
job that its page words in the reader's language (an event that cannot be estimated, a file with bad rows, a
locked instance, or an internal error), with the technical detail beside it for coordinators; the server log
gets the exception's type, not its message (logs carry no names). The task is then marked failed with
:class:`JobFailed`, whose stored traceback is this module's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django_tasks import task

from vigil.jobs import files, operations
from vigil.jobs.models import Job
from vigil.jobs.status import (
    IMPORT_REFUSED,
    INTERNAL,
    LINK_REFUSED,
    LOCKED,
    NOT_ESTIMABLE,
    NOTHING_TO_PACKAGE,
    PACKAGE_REFUSED,
)

logger = logging.getLogger("vigil.jobs")


class JobFailed(Exception):
    """The job failed; its one-line error is on the job."""


# The most errors of a refused file kept on its job (the first ones, by row); the page says how many more.
ERRORS_KEPT = 1000


def _failure(exc: Exception) -> tuple[str, str, dict[str, Any]]:
    """The job's error code (:mod:`vigil.jobs.status`), its technical detail and what the page shows of it."""
    from vigil.exchange.operations import ImportRefused
    from vigil.exchange.packaging import NothingToPackage
    from vigil.figures.estimation import NotEstimable
    from vigil.lib.package import PackageError
    from vigil.protection.keys import Locked
    from vigil.review.operations import LinkError

    if isinstance(exc, NotEstimable):
        return f"{NOT_ESTIMABLE}{exc.reason}", str(exc), {}
    if isinstance(exc, LinkError):
        return LINK_REFUSED, str(exc), {}
    if isinstance(exc, ImportRefused):
        errors = [{"row": e.row, "column": e.column, "reason": e.reason} for e in exc.errors[:ERRORS_KEPT]]
        outcome = {"filename": exc.filename, "errors": errors, "error_count": len(exc.errors)}
        return IMPORT_REFUSED, exc.message, outcome
    if isinstance(exc, NothingToPackage):
        return NOTHING_TO_PACKAGE, str(exc), {}
    if isinstance(exc, PackageError):
        return PACKAGE_REFUSED, str(exc), {}
    if isinstance(exc, Locked):
        return LOCKED, "", {}
    return INTERNAL, type(exc).__name__, {}


def _run(job_id: str, work: Callable[[Job], dict[str, Any]]) -> dict[str, Any]:
    job = Job.objects.select_related("started_by", "event").get(pk=job_id)
    try:
        outcome = work(job)
    except Exception as exc:
        logger.warning("job %s (%s) failed: %s", job.pk, job.kind, type(exc).__name__)
        code, detail, shown = _failure(exc)
        operations.fail_job(job, code, detail, shown)
        raise JobFailed(str(job.pk)) from None
    operations.finish_job(job, outcome)
    return outcome


def _estimate(job: Job) -> dict[str, Any]:
    from vigil.figures.operations import run_estimate

    if job.event is None:
        raise ValueError("an estimate job names no event")
    estimate = run_estimate(
        job.event,
        actor=job.started_by,
        progress=lambda phase, done, total: operations.report_progress(job, phase, done, total),
    )
    e = estimate.summary["estimate"]
    return {
        "estimate": estimate.pk,
        "documented": estimate.summary["n_observed"],
        "median": float(e["median"]),
        "lower": float(e["lower"]),
        "upper": float(e["upper"]),
    }


def _link(job: Job) -> dict[str, Any]:
    from vigil.review.operations import link_persons

    summary = link_persons(
        actor=job.started_by,
        progress=lambda phase, done, total: operations.report_progress(job, phase, done, total),
    )
    return {
        "identities": summary.identities,
        "persons": summary.clusters,
        "merges": summary.merges,
        "queued": summary.queued_pairs,
    }


def _import(job: Job) -> dict[str, Any]:
    from vigil.exchange.operations import import_detentions

    p = job.params
    try:
        data = files.read(job.file, sha256=p["sha256"])
        summary = import_detentions(
            data,
            filename=p["filename"],
            source_name=p["source"],
            actor=job.started_by,
            source_kind=p["source_kind"],
            dry_run=p["dry_run"],
            progress=lambda phase, done, total: operations.report_progress(job, phase, done, total),
        )
    finally:
        # Imported or refused, the upload has served: a file to import again is sent again.
        files.remove(job.file)
        operations.keep_file(job, "")
    # No file name: the outcome is also the task's return value, and the task table holds no names.
    return {
        "rows": summary.rows,
        "new": summary.new,
        "already_stored": summary.already_stored,
        "dry_run": summary.dry_run,
    }


def _package(job: Job) -> dict[str, Any]:
    from vigil.exchange.packaging import build_investigation_package

    p = job.params
    with files.writing() as (name, writer):
        result = build_investigation_package(
            writer,
            actor=job.started_by,
            event=job.event,
            allegation_ids=p["allegations"],
            named=p["named"],
            reference=p["reference"],
            progress=lambda phase, done, total: operations.report_progress(job, phase, done, total),
        )
    info = writer.info
    assert info is not None
    operations.keep_file(job, name)
    return {
        "allegations": result["allegations"],
        "files": result["files"],
        "size": info.plaintext_size,
        "sha256": info.plaintext_sha256,
        "fingerprint": result["manifest"].fingerprint,
    }


@task()
def estimate(job_id: str) -> dict[str, Any]:
    """Run the estimate a job asks for (``figures.operations.run_estimate``)."""
    return _run(job_id, _estimate)


@task()
def link(job_id: str) -> dict[str, Any]:
    """Run the linkage a job asks for (``review.operations.link_persons``)."""
    return _run(job_id, _link)


@task()
def import_file(job_id: str) -> dict[str, Any]:
    """Run the import (or the check) of an uploaded list a job asks for (``exchange.operations``)."""
    return _run(job_id, _import)


@task()
def package(job_id: str) -> dict[str, Any]:
    """Build the investigation package a job asks for (``exchange.packaging``) into an encrypted job file."""
    return _run(job_id, _package)
