"""The background tasks (django-tasks): each runs one job through the existing operation, as its user.

A task's arguments are the job's id only, so the task table holds no names. A failure the user can act on
(an event that cannot be estimated, a locked instance) becomes the job's one-line error; any other failure a
line saying that it failed, and the server log gets the exception's type, not its message (logs carry no
names). The task is then marked failed with :class:`JobFailed`, whose stored traceback is this module's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django_tasks import task

from vigil.jobs import operations
from vigil.jobs.models import Job
from vigil.jobs.status import INTERNAL, LOCKED

logger = logging.getLogger("vigil.jobs")


class JobFailed(Exception):
    """The job failed; its one-line error is on the job."""


def _user_message(exc: Exception) -> str:
    """The job's error: the operation's own one line when the user can act on it, else a code the page words
    in the reader's language (:func:`vigil.jobs.status.error_line`)."""
    from vigil.figures.estimation import NotEstimable
    from vigil.protection.keys import Locked
    from vigil.review.operations import LinkError

    if isinstance(exc, NotEstimable | LinkError):
        return str(exc)
    if isinstance(exc, Locked):
        return LOCKED
    return f"{INTERNAL}{type(exc).__name__}"


def _run(job_id: str, work: Callable[[Job], dict[str, Any]]) -> dict[str, Any]:
    job = Job.objects.select_related("started_by", "event").get(pk=job_id)
    try:
        outcome = work(job)
    except Exception as exc:
        logger.warning("job %s (%s) failed: %s", job.pk, job.kind, type(exc).__name__)
        operations.fail_job(job, _user_message(exc))
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


@task()
def estimate(job_id: str) -> dict[str, Any]:
    """Run the estimate a job asks for (``figures.operations.run_estimate``)."""
    return _run(job_id, _estimate)


@task()
def link(job_id: str) -> dict[str, Any]:
    """Run the linkage a job asks for (``review.operations.link_persons``)."""
    return _run(job_id, _link)
