"""A lawyer's cases: the detentions they work on, the new ones they may take, and a court case's page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vigil.cases.models import Case
from vigil.cases.operations import add_charge, detentions_awaiting_lawyer, record_decision, record_hearing
from vigil.records.bounds import FieldRefused
from vigil.records.models import Detention
from vigil.web.access import CASEWORK, role_required
from vigil.web.forms import ChargeForm, DecisionForm, HearingForm, mark_first_error, show_refusal
from vigil.web.labels import charge_label, decision_label, facility_label
from vigil.web.views.detentions import detention_label

NEW_SHOWN = 100


def initials(full_name: str) -> str:
    """ "Сяргей Ціханоўскі" as "С. Ц.": enough to recognise a caller's relative, not to read a list of names."""
    return " ".join(f"{word[0]}." for word in full_name.split() if word[:1].isalpha())


@role_required(*CASEWORK)
def lawyer_cases(request: HttpRequest) -> HttpResponse:
    """A lawyer's detentions, and the new detentions without a lawyer, which a lawyer may take.

    The new ones show what a lawyer needs to recognise a case (day, time, place, where held, initials), not
    the names: a name is shown once the detention is the lawyer's."""
    user: Any = request.user
    mine = (
        Detention.objects.visible_to(user).select_related("identity", "event").order_by("-detained_on", "-id")
        if not user.is_coordinator
        else Detention.objects.none()
    )
    new = list(
        detentions_awaiting_lawyer()
        .select_related("identity", "event")
        .prefetch_related("whereabouts")[:NEW_SHOWN]
    )
    audit_view = [d.pk for d in new]
    if audit_view:
        from vigil.audit.log import record as audit

        audit(user, "view.new_detentions", None, detentions=audit_view)
    return render(
        request,
        "web/lawyer_cases.html",
        {
            "mine": [(d, detention_label(d, user)) for d in mine[:200]],
            "new": [
                (
                    d,
                    initials(d.identity.full_name) if d.identity else "",
                    ", ".join(facility_label(w.facility) for w in d.whereabouts.all()),
                )
                for d in new
            ],
            "can_take": user.role == "lawyer",
            "new_days": settings.VIGIL_NEW_DETENTION_DAYS,
        },
    )


def _case_for(request: HttpRequest, pk: int) -> Case:
    """The case, if this user works on it: a coordinator any, a lawyer those of their detentions."""
    user: Any = request.user
    qs = Case.objects.select_related("detention__identity", "detention__event")
    if not user.is_coordinator:
        qs = qs.filter(Q(lawyer=user) | Q(detention__assignment__lawyer=user))
    return get_object_or_404(qs, pk=pk)


@role_required(*CASEWORK)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    posted = request.POST.get("form") if request.method == "POST" else None
    detained_on = case.detention.detained_on
    forms: dict[str, Form] = {
        "charge": ChargeForm(
            request.POST if posted == "charge" else None, detained_on=detained_on, kind=case.kind
        ),
        "hearing": HearingForm(request.POST if posted == "hearing" else None),
        "decision": DecisionForm(request.POST if posted == "decision" else None),
    }
    form = forms.get(posted or "")
    if form is not None and form.is_valid():
        try:
            if posted == "charge":
                add_charge(case, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Charge added."))
            elif posted == "hearing":
                record_hearing(case, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Hearing saved."))
            else:
                record_decision(case, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Decision saved."))
        except FieldRefused as refused:
            show_refusal(form, refused)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("case_detail", pk=pk)
    if form is not None:
        mark_first_error(form)
    return render(
        request,
        "web/case_detail.html",
        {
            "case": case,
            "label": detention_label(case.detention, request.user),
            "charges": [charge_label(ch) for ch in case.charges.all()],
            "hearings": list(case.hearings.all()),
            "decisions": [(dec, decision_label(dec)) for dec in case.decisions.all()],
            "whereabouts": [(w, facility_label(w.facility)) for w in case.detention.whereabouts.all()],
            "charge_form": forms["charge"],
            "hearing_form": forms["hearing"],
            "decision_form": forms["decision"],
            "form": form,  # the refused form, if any
        },
        status=400 if request.method == "POST" else 200,
    )
