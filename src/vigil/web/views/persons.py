"""A person's timeline, and merging or splitting the records linked to them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.lib.reference import labels
from vigil.records.bounds import FieldRefused
from vigil.records.models import Person
from vigil.review.models import LinkOperation
from vigil.review.operations import LinkError, merge_persons, split_person, undo_operation
from vigil.web.access import role_required


@role_required(Role.COORDINATOR, Role.ANALYST)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    user: Any = request.user
    detentions = (
        person.detentions.select_related("event", "report__source")
        .prefetch_related("whereabouts", "cases__decisions", "cases__charges")
        .order_by("detained_on", "detained_at")
    )
    timeline: list[tuple[Any, str, str]] = []
    lang = get_language()
    for d in detentions:
        timeline.append(
            (
                d.detained_at or d.detained_on,
                _("Detained"),
                f"{labels.city_label(d.city, lang)} {d.place}".strip(),
            )
        )
        for w in d.whereabouts.all():
            timeline.append((w.since, _("Held at"), labels.facility_label(w.facility, lang)))
        for c in d.cases.all():
            for ch in c.charges.all():
                timeline.append(
                    (
                        d.detained_on,
                        pgettext("timeline", "Charged"),
                        labels.charge_label(ch.code, ch.article, ch.part, lang),
                    )
                )
            for dec in c.decisions.all():
                timeline.append((dec.decided_on, _("Decision"), labels.outcome_label(dec.outcome, lang)))
        if d.released_at:
            timeline.append((d.released_at, _("Released"), ""))
    timeline.sort(key=lambda t: t[0].isoformat() if hasattr(t[0], "isoformat") else str(t[0]))
    if user.sees_identities:
        audit(user, "view.identity", person)
    return render(
        request,
        "web/person_detail.html",
        {
            "person": person,
            "identities": person.identities.select_related("report__source")
            if user.sees_identities
            else None,
            "timeline": timeline,
            "operations": _operations_for(person),
            "can_link": user.is_coordinator,
        },
    )


def _operations_for(person: Person) -> list[LinkOperation]:
    ops = LinkOperation.objects.order_by("-made_at")[:200]
    return [op for op in ops if any(person.pk in (m["from"], m["to"]) for m in op.moves)]


@role_required(Role.COORDINATOR)
@require_POST
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    try:
        other = Person.objects.get(pk=int(request.POST.get("other", "0")))
        merge_persons(person, [other], actor=request.user, reason=request.POST.get("reason", ""))
    except (Person.DoesNotExist, ValueError, LinkError) as exc:
        messages.error(request, str(exc) or _("No such person."))
    return redirect("person_detail", pk=pk)


@role_required(Role.COORDINATOR)
@require_POST
def person_split(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    ids = [int(i) for i in request.POST.getlist("identity") if i.isdigit()]
    try:
        split_person(
            person,
            list(person.identities.filter(pk__in=ids)),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except (LinkError, FieldRefused) as exc:
        messages.error(request, str(exc))
    return redirect("person_detail", pk=pk)


@role_required(Role.COORDINATOR)
@require_POST
def operation_undo(request: HttpRequest, pk: int) -> HttpResponse:
    op = get_object_or_404(LinkOperation, pk=pk)
    try:
        undo_operation(op, actor=request.user)
    except LinkError as exc:
        messages.error(request, str(exc))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")  # never off-site: "next" comes from the form, and a form can be forged
    return redirect(target)
