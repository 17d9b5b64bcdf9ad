"""The detention list and page, and the forms posted from that page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.accounts.models import Role
from vigil.audit.actors import acting_user
from vigil.audit.log import record as audit
from vigil.cases.operations import (
    AssignmentRefused,
    assign_case,
    detentions_awaiting_lawyer,
    open_case,
    take_case,
)
from vigil.figures.counting import FIGURES, detentions_for, narrowed
from vigil.records.bounds import FieldRefused
from vigil.records.models import Detention, Event, Person
from vigil.records.operations import record_release, record_whereabouts, search_key_match, search_keys_for
from vigil.web.access import ANY_RECORDS, CASEWORK, role_required
from vigil.web.forms import (
    AllegationForm,
    CaseForm,
    ReleaseForm,
    WhereaboutsForm,
    mark_first_error,
    show_refusal,
)
from vigil.web.search import SearchForm


def detention_label(detention: Detention, user: Any) -> str:
    if detention.identity_id is None:
        return _("%(n)d unnamed") % {"n": detention.head_count}
    if user.sees_identities:
        return detention.identity.full_name  # type: ignore[union-attr]
    return Person(pk=detention.person_id).pseudonym


_PSEUDONYM = re.compile(r"p-?0*(\d{1,12})", re.IGNORECASE)


def pseudonym_ids(text: str) -> list[int]:
    """The person ids of a search made only of pseudonyms ("P-000123 P-000124"); [] if any word is not one."""
    words = text.replace(",", " ").split()
    matches = [_PSEUDONYM.fullmatch(word) for word in words]
    return [int(m.group(1)) for m in matches if m] if words and all(matches) else []


def search_scope(request: HttpRequest) -> tuple[SearchForm, dict[str, Any], Event | None, str]:
    """The search form of a list page, cleaned, with the event and figure it names (404 if unknown)."""
    form = SearchForm(request.GET)
    form.is_valid()
    f = form.cleaned_data
    event = Event.objects.filter(slug=f["event"]).first() if f.get("event") else None
    if f.get("event") and event is None:
        raise Http404("no such event")
    figure = f.get("figure") or "persons"
    if figure not in FIGURES:
        raise Http404("no such figure")
    return form, f, event, figure


def filtered_detentions(request: HttpRequest) -> tuple[QuerySet[Detention], dict[str, Any]]:
    form, f, event, figure = search_scope(request)
    if event is not None or f.get("figure") or f.get("city") or f.get("day"):
        qs = detentions_for(event, figure, city=f.get("city") or None, day=f.get("day"))
    else:
        qs = Detention.objects.current()  # as the figures: a corrected report is listed once, as corrected
    if f.get("person"):
        qs = qs.filter(person_id=f["person"])
    qs = narrowed(qs, **form.narrowing)
    refused = ""
    if f.get("q") and not getattr(request.user, "sees_identities", False):
        # Names are hidden from this role, so a name must not select records either: intersecting name
        # searches would tie each name to its pseudonym. Only pseudonyms are searched.
        persons = pseudonym_ids(f["q"])
        if persons:
            qs = qs.filter(person_id__in=persons)
        else:
            qs = qs.none()
            refused = _("You see pseudonymised records: search by pseudonym (P-000123), not by name.")
    elif f.get("q"):
        keys = search_keys_for(f["q"]).split()
        if keys:
            qs = qs.filter(search_key_match(keys, "identity"))  # any key, looked up in the key rows' index
        else:
            qs = qs.none()
    qs = (
        qs.visible_to(request.user)
        .select_related("identity", "event", "report__source")
        .order_by("-detained_on", "-id")
    )
    return qs, {
        "form": form,
        "search_refused": refused,
        "event": event,
        "figure": figure,
        "filters": {k: v for k, v in request.GET.items() if k != "page"},
    }


@role_required(*ANY_RECORDS)
def detention_list(request: HttpRequest) -> HttpResponse:
    qs, ctx = filtered_detentions(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(d, detention_label(d, request.user)) for d in page]
    ctx.update({"page": page, "rows": rows, "query": urlencode(ctx["filters"])})
    return render(request, "web/detention_list.html", ctx)


@role_required(*ANY_RECORDS)
def detention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detention = _visible_detention(request, pk)
    user: Any = request.user
    if detention.identity_id and user.sees_identities:
        audit(user, "view.identity", detention)
    return render_detention(request, detention)


def save_from_detention_page(
    request: HttpRequest,
    detention: Detention,
    form: Form,
    name: str,
    write: Callable[[dict[str, Any]], object],
    saved: str,
) -> HttpResponse:
    """A form posted from the detention page: when it is valid, ``write`` its cleaned data and go back to the
    page saying ``saved``; a refusal of the operation is shown on the form's field, and an invalid or
    refused form comes back on the page as ``name`` (:func:`render_detention`)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except FieldRefused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, saved)
            return redirect("detention_detail", pk=detention.pk)
    return render_detention(request, detention, **{name: form})


def render_detention(request: HttpRequest, detention: Detention, **bound: Form) -> HttpResponse:
    """The detention page; a form posted from it that was refused comes back in ``bound``, with what was typed
    and its errors by its fields, and the page answers 400."""
    from vigil.accounts.models import User
    from vigil.web.labels import charge_label, decision_label, facility_label

    user: Any = request.user
    forms: dict[str, Form] = {
        "allegation_form": AllegationForm(),
        "case_form": CaseForm(detained_on=detention.detained_on),
        "release_form": ReleaseForm(),
        "whereabouts_form": WhereaboutsForm(),
        **bound,
    }
    for form in bound.values():
        mark_first_error(form)
    assignment = getattr(detention, "assignment", None)  # None when the detention has no lawyer
    ctx: dict[str, Any] = {
        "d": detention,
        "label": detention_label(detention, user),
        "cases": [
            (
                c,
                [charge_label(ch) for ch in c.charges.all()],
                [(dec, decision_label(dec)) for dec in c.decisions.all()],
            )
            for c in detention.cases.prefetch_related("charges", "decisions")
        ],
        "allegations": detention.allegations.prefetch_related("evidence"),
        "whereabouts": [(w, facility_label(w.facility)) for w in detention.whereabouts.all()],
        "can_edit": user.has_role(*CASEWORK),
        "sources": _corroborating_sources(detention),
        "assignment": assignment,
        "lawyers": User.objects.filter(role=Role.LAWYER, is_active=True).order_by("username")
        if user.is_coordinator
        else None,
        "form": next(iter(bound.values()), None),  # the refused form, if any
        **forms,
    }
    return render(request, "web/detention_detail.html", ctx, status=400 if bound else 200)


def _corroborating_sources(detention: Detention) -> list[str]:
    """The distinct sources reporting this person's detention that day: two or more corroborate it."""
    if detention.person_id is None:
        return [detention.report.source.get_kind_display()]
    kinds = (
        Detention.objects.filter(person_id=detention.person_id, detained_on=detention.detained_on)
        .values_list("report__source_id", "report__source__kind")
        .distinct()
    )
    from vigil.records.models import SourceKind

    return sorted({f"{SourceKind(kind).label} #{sid}" for sid, kind in kinds})


def _visible_detention(request: HttpRequest, pk: int) -> Detention:
    """The detention a form on its page is posted to, if this user may see it; 404 otherwise."""
    return get_object_or_404(
        Detention.objects.visible_to(request.user).select_related("identity", "event", "report__source"),
        pk=pk,
    )


@role_required(*CASEWORK)
@require_POST
def detention_add_case(request: HttpRequest, pk: int) -> HttpResponse:
    detention = _visible_detention(request, pk)
    form = CaseForm(request.POST, detained_on=detention.detained_on)
    if form.is_valid():
        d = form.cleaned_data
        user = acting_user(request.user)
        lawyer = user if user is not None and user.role == Role.LAWYER else None
        try:
            case = open_case(
                detention,
                kind=d["kind"],
                article=d["article"],
                part=d["part"],
                number=d["number"],
                court=d["court"],
                judge=d["judge"],
                lawyer=lawyer,
                actor=request.user,
            )
        except FieldRefused as refused:
            show_refusal(form, refused)
        except ValueError as exc:  # an article the legal table refuses for this day or kind
            form.add_error("article", str(exc))
        else:
            messages.success(request, _("Case opened with its charge."))
            return redirect("case_detail", pk=case.pk)
    return render_detention(request, detention, case_form=form)


@role_required(*CASEWORK)
@require_POST
def detention_release(request: HttpRequest, pk: int) -> HttpResponse:
    detention = _visible_detention(request, pk)

    def write(d: dict[str, Any]) -> None:
        record_release(detention, released_at=d["released_at"], actor=request.user)

    return save_from_detention_page(
        request, detention, ReleaseForm(request.POST), "release_form", write, _("Release saved.")
    )


@role_required(*CASEWORK)
@require_POST
def detention_whereabouts(request: HttpRequest, pk: int) -> HttpResponse:
    detention = _visible_detention(request, pk)

    def write(d: dict[str, Any]) -> None:
        record_whereabouts(detention, facility=d["facility"], since=d["since"], actor=request.user)

    return save_from_detention_page(
        request,
        detention,
        WhereaboutsForm(request.POST),
        "whereabouts_form",
        write,
        _("Place of detention saved."),
    )


@role_required(Role.LAWYER)
@require_POST
def detention_take(request: HttpRequest, pk: int) -> HttpResponse:
    """A lawyer takes a new detention without a lawyer: from now on it is theirs (docs/protection.md)."""
    detention = get_object_or_404(detentions_awaiting_lawyer(), pk=pk)
    try:
        take_case(detention, actor=request.user)
    except AssignmentRefused:
        messages.error(request, _("Another lawyer has just taken this detention."))
        return redirect("lawyer_cases")
    messages.success(request, _("The detention is yours: add the charge when you know it."))
    return redirect("detention_detail", pk=pk)


@role_required(Role.COORDINATOR)
@require_POST
def detention_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator gives a detention to a lawyer, or moves it to another."""
    from vigil.accounts.models import User

    detention = _visible_detention(request, pk)
    chosen = str(request.POST.get("lawyer", ""))
    lawyer = (
        User.objects.filter(pk=int(chosen), role=Role.LAWYER, is_active=True).first()
        if chosen.isdigit() and len(chosen) < 19
        else None
    )
    if lawyer is None:
        messages.error(request, _("Choose a lawyer."))
        return redirect("detention_detail", pk=pk)
    assign_case(detention, lawyer=lawyer, actor=request.user)
    messages.success(request, _("Assigned to %(lawyer)s.") % {"lawyer": lawyer.get_username()})
    return redirect("detention_detail", pk=pk)
