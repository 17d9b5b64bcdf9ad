"""A court case: its decisions and hearings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from vigil.cases.models import Case
from vigil.cases.operations import record_decision, record_hearing
from vigil.records.bounds import FieldRefused
from vigil.web.access import CASEWORK, role_required
from vigil.web.forms import DecisionForm, HearingForm, show_refusal
from vigil.web.views.detentions import detention_label


def _case_for(request: HttpRequest, pk: int) -> Case:
    user: Any = request.user
    qs = Case.objects.select_related("detention__identity")
    if not user.is_coordinator:
        qs = qs.filter(lawyer=user)
    return get_object_or_404(qs, pk=pk)


@role_required(*CASEWORK)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    decision_form = DecisionForm(request.POST if request.POST.get("form") == "decision" else None)
    hearing_form = HearingForm(request.POST if request.POST.get("form") == "hearing" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "decision" and decision_form.is_valid():
                record_decision(case, actor=request.user, **decision_form.cleaned_data)
                return redirect("case_detail", pk=pk)
            if request.POST.get("form") == "hearing" and hearing_form.is_valid():
                record_hearing(case, actor=request.user, **hearing_form.cleaned_data)
                return redirect("case_detail", pk=pk)
        except FieldRefused as refused:
            show_refusal(decision_form if request.POST.get("form") == "decision" else hearing_form, refused)
        except ValueError as exc:
            (decision_form if request.POST.get("form") == "decision" else hearing_form).add_error(
                None, str(exc)
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "web/case_detail.html",
        {
            "case": case,
            "label": detention_label(case.detention, request.user),
            "decision_form": decision_form,
            "hearing_form": hearing_form,
        },
        status=status,
    )
