"""The page of a background job (an estimate, a linkage run, an import, an investigation package): where it
stands, how far it has got, and its result or a plain line saying why it failed. It reloads itself every few
seconds until the work is over.

Only the roles allowed to do the work see its page: estimates and imports for coordinators and analysts,
linkage runs and packages for coordinators. An import or a package is seen only by the user who asked for it
(its page names the file, its package holds evidence), and only that user may download the package.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vigil.accounts.models import Role
from vigil.jobs import status as codes
from vigil.jobs.models import Job, JobKind
from vigil.jobs.status import JobStatus, status_of
from vigil.web.access import FIGURES, role_required
from vigil.web.views.estimate import refusal_message

# Who may start, and so see, each kind of work (as the views that start it allow).
ALLOWED: dict[str, tuple[str, ...]] = {
    JobKind.ESTIMATE: FIGURES,
    JobKind.LINKAGE: (Role.COORDINATOR,),
    JobKind.IMPORT: FIGURES,
    JobKind.PACKAGE: (Role.COORDINATOR,),
}
# Work whose page only the user who asked for it sees.
OWN_ONLY = (JobKind.IMPORT, JobKind.PACKAGE)
# Seconds between reloads of the page while the work is queued or running.
REFRESH_SECONDS = 2
# A job still queued after this many seconds: no worker may be running; the page says what runs one.
QUEUED_LONG = 30


def _estimate_progress(phase: str, done: int, total: int) -> str:
    if phase == "sampling":
        return _(
            "Sampling the model: part %(done)d of at most %(total)d done (it stops early once the draws agree)."
        ) % {"done": done, "total": total}
    return {
        "lists": _("Reading who is on which list."),
        "loglinear": _("Fitting the classical log-linear models."),
        "dga": _("Averaging over graphical models of how the lists depend on each other."),
        "saving": _("Saving the estimate."),
    }.get(phase, _("Starting."))


def _linkage_progress(phase: str, done: int, total: int) -> str:
    if phase == "linking":
        return _("Comparing %(total)d recorded identities with each other.") % {"total": total}
    return {
        "reading": _("Reading the recorded identities."),
        "merging": _("Joining persons and queueing uncertain pairs for review."),
    }.get(phase, _("Starting."))


def _import_progress(phase: str, done: int, total: int) -> str:
    if phase == "validating":
        return _("Checking the rows: %(done)d of %(total)d checked.") % {"done": done, "total": total}
    if phase == "storing":
        return _("Storing %(total)d rows, all at once: the file is imported whole or not at all.") % {
            "total": total
        }
    return {"reading": _("Reading the file.")}.get(phase, _("Starting."))


def _package_progress(phase: str, done: int, total: int) -> str:
    if phase == "evidence":
        return _("Adding the evidence files: %(done)d of %(total)d added.") % {"done": done, "total": total}
    return {
        "collecting": _("Gathering the allegations and their records."),
        "writing": _("Writing and signing the package."),
    }.get(phase, _("Starting."))


def _progress(job: Job) -> str:
    """How far the work has got, in words."""
    words = {
        JobKind.ESTIMATE: _estimate_progress,
        JobKind.LINKAGE: _linkage_progress,
        JobKind.IMPORT: _import_progress,
        JobKind.PACKAGE: _package_progress,
    }[JobKind(job.kind)]
    return words(job.phase, job.done, job.total)


def _has_bar(job: Job) -> bool:
    """Whether the phase counts towards a known end, shown as a progress bar."""
    counted = {
        JobKind.ESTIMATE: "sampling",
        JobKind.IMPORT: "validating",
        JobKind.PACKAGE: "evidence",
    }.get(JobKind(job.kind))
    return bool(counted and job.phase == counted and job.total)


def error_line(job: Job) -> str:
    """Why the work failed, in one plain line in the reader's language (no exception, no traceback)."""
    code = job.error
    if code == codes.LOCKED:
        return _("Vigil was locked while this ran: unlock it and start the work again.")
    if code == codes.INTERRUPTED:
        return _("Vigil was stopped while this ran, so it did not finish: start it again.")
    if code.startswith(codes.NOT_ESTIMABLE):
        return refusal_message(code.removeprefix(codes.NOT_ESTIMABLE), job.error_detail)
    if code == codes.LINK_REFUSED:
        return _("The linkage run was refused: start it again later, or ask a coordinator.")
    if code == codes.IMPORT_REFUSED:
        return _("The file was not imported. Fix these and send it again:")
    if code == codes.NOTHING_TO_PACKAGE:
        return _("No allegation matches what was asked for, so there is nothing to package.")
    if code == codes.PACKAGE_REFUSED:
        return _("The package could not be built from these records; a coordinator can see why below.")
    if code == codes.INTERNAL or code.startswith(codes.INTERNAL + ":"):
        return _(
            "The work stopped because of an internal error; the server log has its time. Start it again."
        )
    if code:
        return _("The work could not be done. Start it again; if it fails again, tell a coordinator.")
    return _("The work stopped before it could say why: the worker may have been stopped. Start it again.")


def error_detail(job: Job) -> str:
    """The technical side of the failure (an exception's type, a refusal's English line), for coordinators."""
    if job.error_detail:
        return job.error_detail
    if job.error.startswith(codes.INTERNAL + ":"):
        return job.error.removeprefix(codes.INTERNAL + ":")
    known = (codes.LOCKED, codes.INTERRUPTED, codes.LINK_REFUSED, codes.IMPORT_REFUSED, codes.INTERNAL)
    if job.error in known or job.error.startswith(codes.NOT_ESTIMABLE):
        return ""
    return job.error  # stored before errors were codes: its own line


def visible_job(request: HttpRequest, pk: UUID) -> Job:
    """The job, if this user may see it: 403 for a role that may not do such work, 404 for another user's
    import or package (whose existence is not confirmed)."""
    job = get_object_or_404(Job.objects.select_related("event"), pk=pk)
    if not request.user.has_role(*ALLOWED[job.kind]):  # type: ignore[union-attr]
        raise PermissionDenied
    if job.kind in OWN_ONLY and job.started_by_id != request.user.pk:
        raise Http404
    return job


@role_required(*sorted({r for roles in ALLOWED.values() for r in roles}))
@require_GET
def job_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    job = visible_job(request, pk)
    status = status_of(job)
    waited = int((timezone.now() - job.created_at).total_seconds())
    failed = status == JobStatus.FAILED
    coordinator = request.user.has_role(Role.COORDINATOR)  # type: ignore[union-attr]
    outcome = job.outcome
    ctx: dict[str, Any] = {
        "job": job,
        "status": status,
        "under_way": status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "refresh": REFRESH_SECONDS,
        "waited": waited,
        "queued_long": status == JobStatus.QUEUED and waited > QUEUED_LONG,
        "progress": _progress(job) if status == JobStatus.RUNNING else "",
        "bar": status == JobStatus.RUNNING and _has_bar(job),
        "error": error_line(job) if failed else "",
        "error_detail": error_detail(job) if failed and coordinator else "",
        "event_name": job.event.localized_name(get_language()) if job.event else "",
        "outcome": outcome,
        "params": job.params,
        "row_errors": outcome.get("errors", []) if failed else [],
        # A file refused whole (unreadable, no such column): the importer's own line, as the import page said.
        "refusal": job.error_detail if failed and job.error == codes.IMPORT_REFUSED else "",
        "more_errors": max(0, int(outcome.get("error_count", 0)) - len(outcome.get("errors", []))),
        "downloadable": job.kind == JobKind.PACKAGE and status == JobStatus.DONE and bool(job.file),
    }
    return render(request, "web/job.html", ctx)


@role_required(Role.COORDINATOR)
@require_GET
def job_package(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The package a job built, for the user who asked for it only; each download is audited."""
    from vigil.jobs.operations import open_package

    job = visible_job(request, pk)
    try:
        data = open_package(job, actor=request.user)
    except PermissionError:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/zip")
    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="vigil-package-{stamp}-{str(job.pk)[:8]}.zip"'
    response["X-Content-SHA256"] = job.outcome.get("sha256", "")
    response["Cache-Control"] = "no-store"
    return response
