"""A person's timeline, and merging or splitting the records linked to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.records.bounds import FieldRefused
from vigil.records.models import Detention, Person
from vigil.review.models import LinkOperation
from vigil.review.operations import LinkError, merge_persons, split_person, undo_operation
from vigil.web.access import role_required
from vigil.web.labels import charge_label, city_label, decision_label, facility_label, violation_label


@dataclass(frozen=True)
class Entry:
    """One line of a person's timeline: when (a day, and a time when known), what, and its details."""

    day: dt.date
    at: dt.datetime | None
    kind: str
    what: str
    detail: str

    def sort_key(self) -> tuple[dt.date, int, dt.time]:
        at = timezone.localtime(self.at).time() if self.at else dt.time.min
        return (self.day, _ORDER.index(self.kind), at)


_ORDER = ["detained", "held", "charged", "allegation", "hearing", "decision", "released"]


def _day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def person_timeline(detentions: Iterable[Detention]) -> list[Entry]:
    """Each detention with every place held, its charges, hearings, decisions (with what they impose),
    allegations and release, in order, labelled in the user's language."""
    out: list[Entry] = []
    for d in detentions:
        where = ", ".join(p for p in (city_label(d.city) if d.city else "", d.place) if p)
        if d.event_id:
            where += f" ({d.event.localized_name(get_language())})"  # type: ignore[union-attr]
        out.append(Entry(d.detained_on, d.detained_at, "detained", _("Detained"), where))
        for w in d.whereabouts.all():
            out.append(Entry(_day(w.since), w.since, "held", _("Held at"), facility_label(w.facility)))
        for c in d.cases.all():
            for ch in c.charges.all():
                out.append(
                    Entry(d.detained_on, None, "charged", pgettext("timeline", "Charged"), charge_label(ch))
                )
            for h in c.hearings.all():
                court = " · ".join(p for p in (h.court, h.judge) if p)
                out.append(Entry(h.held_on, None, "hearing", _("Hearing"), court))
            for dec in c.decisions.all():
                out.append(Entry(dec.decided_on, None, "decision", _("Decision"), decision_label(dec)))
        for a in d.allegations.all():
            day = _day(a.occurred_at) if a.occurred_at else d.detained_on
            detail = violation_label(a.violation_type) + (f" ({a.place})" if a.place else "")
            out.append(Entry(day, a.occurred_at, "allegation", _("Allegation of ill-treatment"), detail))
        if d.released_at:
            out.append(Entry(_day(d.released_at), d.released_at, "released", _("Released"), ""))
    return sorted(out, key=Entry.sort_key)


@role_required(Role.COORDINATOR, Role.ANALYST, Role.LAWYER)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's page. A lawyer sees it for the people of their detentions, and only those detentions: the
    others on record are counted, not shown (docs/protection.md, "A lawyer's detentions")."""
    person = get_object_or_404(Person, pk=pk)
    user: Any = request.user
    every = person.detentions.all()
    is_lawyer = user.role == Role.LAWYER and not user.is_superuser
    shown = every.visible_to(user) if is_lawyer else every
    if is_lawyer and not shown.exists():
        raise Http404("no such person among your detentions")
    detentions = (
        shown.select_related("event")
        .prefetch_related(
            "whereabouts", "allegations", "cases__decisions", "cases__charges", "cases__hearings"
        )
        .order_by("detained_on", "detained_at")
    )
    identities = None
    if user.sees_identities:
        identities = person.identities.select_related("report__source")
        if is_lawyer:
            identities = identities.filter(detentions__in=shown).distinct()
        audit(user, "view.identity", person)
    return render(
        request,
        "web/person_detail.html",
        {
            "person": person,
            "identities": identities,
            "timeline": person_timeline(detentions),
            "others": every.count() - shown.count() if is_lawyer else 0,
            "operations": None if is_lawyer else _operations_for(person),
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
