"""The detention list and page, and the forms posted from that page."""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.cases.operations import open_case
from vigil.figures.counting import FIGURES, detentions_for, narrowed
from vigil.records.bounds import FieldRefused
from vigil.records.models import Detention, Event, Person
from vigil.records.operations import record_release, record_whereabouts, search_keys_for
from vigil.web.access import ANY_RECORDS, CASEWORK, role_required
from vigil.web.forms import (
    AllegationForm,
    CaseForm,
    ReleaseForm,
    SearchForm,
    WhereaboutsForm,
    show_refusal,
)


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
        qs = Detention.objects.all()
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
            from django.db.models import Q

            cond = Q()
            for key in keys:
                cond |= Q(identity__search_keys__contains=f" {key} ")
            qs = qs.filter(cond)
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
    detention = get_object_or_404(
        Detention.objects.visible_to(request.user).select_related("identity", "event", "report__source"),
        pk=pk,
    )
    user: Any = request.user
    if detention.identity_id and user.sees_identities:
        audit(user, "view.identity", detention)
    ctx: dict[str, Any] = {
        "d": detention,
        "label": detention_label(detention, user),
        "cases": detention.cases.prefetch_related("charges", "decisions", "hearings"),
        "allegations": detention.allegations.prefetch_related("evidence"),
        "whereabouts": detention.whereabouts.all(),
        "can_edit": user.has_role(*CASEWORK),
        "sources": _corroborating_sources(detention),
        "allegation_form": AllegationForm(),
        "case_form": CaseForm(detained_on=detention.detained_on),
        "release_form": ReleaseForm(),
        "whereabouts_form": WhereaboutsForm(),
    }
    return render(request, "web/detention_detail.html", ctx)


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
    return get_object_or_404(Detention.objects.visible_to(request.user), pk=pk)


def _rejected(request: HttpRequest, form: Form, title: str) -> HttpResponse:
    """A form posted from the detention page that did not validate: shown alone with its errors."""
    return render(request, "web/form_page.html", {"form": form, "title": title}, status=400)


@role_required(*CASEWORK)
@require_POST
def detention_add_case(request: HttpRequest, pk: int) -> HttpResponse:
    detention = _visible_detention(request, pk)
    form = CaseForm(request.POST, detained_on=detention.detained_on)
    if form.is_valid():
        d = form.cleaned_data
        lawyer = request.user if request.user.role == Role.LAWYER else None  # type: ignore[union-attr]
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
        return redirect("case_detail", pk=case.pk)
    return _rejected(request, form, _("Add a case"))


@role_required(*CASEWORK)
@require_POST
def detention_release(request: HttpRequest, pk: int) -> HttpResponse:
    detention = _visible_detention(request, pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            record_release(detention, released_at=form.cleaned_data["released_at"], actor=request.user)
        except FieldRefused as refused:
            show_refusal(form, refused)
        else:
            return redirect("detention_detail", pk=pk)
    return _rejected(request, form, _("Release"))


@role_required(*CASEWORK)
@require_POST
def detention_whereabouts(request: HttpRequest, pk: int) -> HttpResponse:
    detention = _visible_detention(request, pk)
    form = WhereaboutsForm(request.POST)
    if form.is_valid():
        try:
            record_whereabouts(
                detention,
                facility=form.cleaned_data["facility"],
                since=form.cleaned_data["since"],
                actor=request.user,
            )
        except FieldRefused as refused:
            show_refusal(form, refused)
        else:
            return redirect("detention_detail", pk=pk)
    return _rejected(request, form, _("Where held"))
