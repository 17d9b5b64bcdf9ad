"""The page of a background job (an estimate, a linkage run): where it stands, how far it has got, and its
result or its one-line error. It reloads itself every few seconds until the work is over.

Only the roles allowed to do the work see its page: estimates for coordinators and analysts, linkage runs
for coordinators.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigil.accounts.models import Role
from vigil.jobs.models import Job, JobKind
from vigil.jobs.status import JobStatus, error_line, status_of
from vigil.web.access import FIGURES, role_required

# Who may start, and so see, each kind of work (as the views that start it allow).
ALLOWED: dict[str, tuple[str, ...]] = {JobKind.ESTIMATE: FIGURES, JobKind.LINKAGE: (Role.COORDINATOR,)}
# Seconds between reloads of the page while the work is queued or running.
REFRESH_SECONDS = 2
# A job still queued after this many seconds: no worker may be running; the page says what runs one.
QUEUED_LONG = 30


def _progress(job: Job) -> str:
    """How far the work has got, in words."""
    phase, done, total = job.phase, job.done, job.total
    if job.kind == JobKind.ESTIMATE:
        if phase == "sampling":
            return _(
                "Sampling the model: part %(done)d of at most %(total)d done (it stops early once the draws agree)."
            ) % {
                "done": done,
                "total": total,
            }
        return {
            "lists": _("Reading who is on which list."),
            "loglinear": _("Fitting the classical log-linear models."),
            "dga": _("Averaging over graphical models of how the lists depend on each other."),
            "saving": _("Saving the estimate."),
        }.get(phase, _("Starting."))
    if phase == "linking":
        return _("Comparing %(total)d recorded identities with each other.") % {"total": total}
    return {
        "reading": _("Reading the recorded identities."),
        "merging": _("Joining persons and queueing uncertain pairs for review."),
    }.get(phase, _("Starting."))


@role_required(*sorted({r for roles in ALLOWED.values() for r in roles}))
def job_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    job = get_object_or_404(Job.objects.select_related("event"), pk=pk)
    if not request.user.has_role(*ALLOWED[job.kind]):  # type: ignore[union-attr]
        raise PermissionDenied
    status = status_of(job)
    waited = int((timezone.now() - job.created_at).total_seconds())
    ctx: dict[str, Any] = {
        "job": job,
        "status": status,
        "under_way": status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "refresh": REFRESH_SECONDS,
        "waited": waited,
        "queued_long": status == JobStatus.QUEUED and waited > QUEUED_LONG,
        "progress": _progress(job) if status == JobStatus.RUNNING else "",
        "error": error_line(job) if status == JobStatus.FAILED else "",
        "event_name": job.event.localized_name(get_language()) if job.event else "",
        "outcome": job.outcome,
    }
    return render(request, "web/job.html", ctx)
