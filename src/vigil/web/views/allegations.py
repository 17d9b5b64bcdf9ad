"""Allegations of ill-treatment and the evidence attached to them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.abuse.models import EvidenceFile
from vigil.abuse.operations import Upload, open_evidence, record_allegation_with_evidence
from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.records.models import Detention
from vigil.web.access import ANY_RECORDS, CASEWORK, role_required
from vigil.web.forms import AllegationForm


@role_required(*CASEWORK)
@require_POST
def detention_add_allegation(request: HttpRequest, pk: int) -> HttpResponse:
    detention = get_object_or_404(Detention.objects.visible_to(request.user), pk=pk)
    form = AllegationForm(request.POST, request.FILES)
    from vigil.web.views.detentions import save_from_detention_page

    def write(d: dict[str, Any]) -> None:
        _record(request, detention, d)

    return save_from_detention_page(
        request, detention, form, "allegation_form", write, _("Allegation recorded.")
    )


def _record(request: HttpRequest, detention: Detention, d: dict[str, Any]) -> None:
    record_allegation_with_evidence(
        detention,
        violation_type=d["violation_type"],
        actor=request.user,
        occurred_at=d["occurred_at"],
        place=d["place"],
        perpetrator_unit=d["perpetrator_unit"],
        injuries=d["injuries"],
        medical_documentation=d["medical_documentation"],
        narrative=d["narrative"],
        evidence=[Upload(f, f.name or "", f.content_type or "") for f in d["evidence"]],
    )


@role_required(*ANY_RECORDS)
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    if not Detention.objects.visible_to(request.user).filter(pk=evidence.allegation.detention_id).exists():
        raise Http404
    if request.user.role == Role.ANALYST:  # type: ignore[union-attr]
        raise PermissionDenied
    audit(request.user, "evidence.view", evidence)
    with open_evidence(evidence) as fh:
        data = fh.read()
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="evidence-{evidence.pk}"'
    response["X-Content-SHA256"] = evidence.sha256
    return response
