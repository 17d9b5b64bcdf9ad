"""The record-linkage review queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.review.operations import LinkError
from vigil.web.access import role_required


@role_required(Role.COORDINATOR, Role.ANALYST)
def review_queue(request: HttpRequest) -> HttpResponse:
    """Uncertain pairs from record linkage, side by side with why the model scored them as it did."""
    from vigil.review.models import CandidatePair

    pairs = CandidatePair.objects.filter(verdict="").select_related(
        "left__report__source", "right__report__source"
    )
    page = Paginator(pairs.order_by("-probability", "pk"), 20).get_page(request.GET.get("page"))
    user: Any = request.user
    if user.sees_identities and page.object_list:
        audit(user, "view.identity", None, review_pairs=[p.pk for p in page])
    return render(request, "web/review_queue.html", {"page": page, "names": user.sees_identities})


@role_required(Role.COORDINATOR, Role.ANALYST)
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    from vigil.review.models import CandidatePair
    from vigil.review.operations import decide_pair

    pair = get_object_or_404(CandidatePair, pk=pk)
    try:
        decide_pair(pair, verdict=request.POST.get("verdict", ""), actor=request.user)
    except LinkError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("review_queue") + "?" + urlencode({"page": request.POST.get("page", "1")}))


@role_required(Role.COORDINATOR)
@require_POST
def review_run_linkage(request: HttpRequest) -> HttpResponse:
    from vigil.review.operations import link_persons

    summary = link_persons(actor=request.user)
    messages.success(
        request,
        _("Linkage: %(merges)d merges, %(queued)d pairs queued for review.")
        % {"merges": summary.merges, "queued": summary.queued_pairs},
    )
    return redirect("review_queue")
