"""Thin views: parse with a form, call one operation, render."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vigil.abuse.models import EvidenceFile
from vigil.abuse.operations import open_evidence
from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.cases.models import Case
from vigil.cases.operations import open_case, record_decision, record_hearing
from vigil.figures.counting import FIGURES, detentions_for, diff_figures, event_figures
from vigil.figures.models import Snapshot
from vigil.figures.operations import take_snapshot
from vigil.records.models import Detention, Event, Person
from vigil.records.operations import (
    ReportConflictError,
    get_or_create_source,
    record_detention,
    record_release,
    record_whereabouts,
    search_keys_for,
)
from vigil.review.models import LinkOperation
from vigil.review.operations import LinkError, merge_persons, split_person, undo_operation
from vigil.web.access import ANY_RECORDS, CASEWORK, INTAKE, role_required
from vigil.web.access import FIGURES as FIGURE_ROLES
from vigil.web.forms import (
    AllegationForm,
    CaseForm,
    DecisionForm,
    HearingForm,
    IntakeForm,
    ReleaseForm,
    SearchForm,
    WhereaboutsForm,
)


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    """Enter the passphrase that unlocks the keys. Needs no database: the database is what it unlocks."""
    from vigil.lib.crypto.errors import CryptoError
    from vigil.protection import keys

    error = ""
    if request.method == "POST":
        try:
            keys.unlock(request.POST.get("passphrase", ""))
        except CryptoError as exc:
            error = str(exc)
        else:
            return redirect("home")
    if keys.is_unlocked() and not error:
        return redirect("home")
    return render(request, "web/unlock.html", {"error": error}, status=400 if error else 200)


@role_required(*ANY_RECORDS, Role.AUDITOR)
@require_POST
def lock_now(request: HttpRequest) -> HttpResponse:
    """Panic button: every key leaves memory at once; the next page asks for the passphrase."""
    from vigil.protection import keys

    audit(request.user, "keys.lock", None)
    keys.lock_now()
    return redirect("unlock")


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("public_figures")
    user: Any = request.user
    from vigil.web.twofactor import second_step

    pending = second_step(request, user)
    if pending is not None:
        return pending
    if user.role == Role.AUDITOR:
        return redirect("audit_log")
    recent = Detention.objects.visible_to(user).select_related("identity", "event").order_by("-id")[:20]
    events = Event.objects.filter(parent__isnull=True)[:20]
    return render(request, "web/home.html", {"recent": recent, "events": events})


@role_required(*INTAKE)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = get_or_create_source(form.source_input(), request.user)
            result = record_detention(
                data=form.detention_input(),
                source=source,
                actor=request.user,
                report_uuid=form.cleaned_data["report_uuid"],
                raw_text=form.cleaned_data.get("raw_text") or "",
            )
        except ReportConflictError:
            form.add_error(
                None, _("A different report was already sent with this form; it was kept for review.")
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            # The answer travels in the redirect, not in the session's message store: a client that does
            # not follow redirects (the offline queue, a script, a load generator) would otherwise pile
            # one message per post into its session, and every later request would read and rewrite them.
            again = "" if result.created else "&again=1"
            return redirect(reverse("intake") + "?saved=" + str(result.detention.pk) + again)
    saved = request.GET.get("saved")
    saved = saved if saved and saved.isdigit() else None
    return render(
        request, "web/intake.html", {"form": form, "saved": saved, "again": request.GET.get("again") == "1"}
    )


def _label(detention: Detention, user: Any) -> str:
    if detention.identity_id is None:
        return _("%(n)d unnamed") % {"n": detention.head_count}
    if user.sees_identities:
        return detention.identity.full_name  # type: ignore[union-attr]
    return Person(pk=detention.person_id).pseudonym


def _filtered(request: HttpRequest) -> tuple[QuerySet[Detention], dict[str, Any]]:
    form = SearchForm(request.GET)
    form.is_valid()
    f = form.cleaned_data
    event = Event.objects.filter(slug=f["event"]).first() if f.get("event") else None
    if f.get("event") and event is None:
        raise Http404("no such event")
    figure = f.get("figure") or "persons"
    if figure not in FIGURES:
        raise Http404("no such figure")
    if event is not None or f.get("figure") or f.get("city") or f.get("day"):
        qs = detentions_for(event, figure, city=f.get("city") or None, day=f.get("day"))
    else:
        qs = Detention.objects.all()
    if f.get("q"):
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
        "event": event,
        "figure": figure,
        "filters": {k: v for k, v in request.GET.items() if k != "page"},
    }


@role_required(*ANY_RECORDS)
def detention_list(request: HttpRequest) -> HttpResponse:
    qs, ctx = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(d, _label(d, request.user)) for d in page]
    ctx.update({"page": page, "rows": rows, "query": urlencode(ctx["filters"])})
    return render(request, "web/detention_list.html", ctx)


def _xlsx_response(rows: list[dict[str, Any]]) -> HttpResponse:
    """The export as a workbook, built in memory (nothing written to disk)."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("detentions")
    columns = list(rows[0]) if rows else ["detention_id"]
    if any(r["synthetic"] for r in rows):
        sheet.append(["SYNTHETIC DEMO DATA: invented records describing no real person"])
    sheet.append(columns)
    for r in rows:
        # A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
        sheet.append([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in r.values()])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="detentions.xlsx"'
    return response


@role_required(*ANY_RECORDS)
def detention_export(request: HttpRequest, fmt: str) -> HttpResponse:
    qs, _ctx = _filtered(request)
    user: Any = request.user
    named = request.GET.get("named") == "1"
    if named and not user.is_coordinator:
        raise PermissionDenied
    rows = [
        {
            "detention_id": d.pk,
            "person": (
                d.identity.full_name
                if named and d.identity
                else (Person(pk=d.person_id).pseudonym if d.person_id else "")
            ),
            "head_count": d.head_count,
            "event": d.event.slug if d.event else "",
            "detained_on": d.detained_on.isoformat(),
            "city": d.city,
            "source_kind": d.report.source.kind,
            "report_uuid": str(d.report.uuid),
            "synthetic": d.is_synthetic,
        }
        for d in qs.iterator(chunk_size=2000)
    ]
    audit(
        user,
        "export.detentions",
        None,
        fmt=fmt,
        rows=len(rows),
        named=named,
        filters=dict(request.GET.items()),
    )
    if fmt == "json":
        return JsonResponse({"synthetic": any(r["synthetic"] for r in rows), "rows": rows})
    if fmt == "xlsx":
        return _xlsx_response(rows)
    if fmt != "csv":
        raise Http404("formats: csv, json, xlsx")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="detentions.csv"'
    fields = (
        list(rows[0])
        if rows
        else [
            "detention_id",
            "person",
            "head_count",
            "event",
            "detained_on",
            "city",
            "source_kind",
            "report_uuid",
            "synthetic",
        ]
    )
    writer = csv.DictWriter(response, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return response


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
        "label": _label(detention, user),
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


@role_required(*CASEWORK)
@require_POST
def detention_add_allegation(request: HttpRequest, pk: int) -> HttpResponse:
    from vigil.abuse.operations import attach_evidence, record_allegation

    detention = get_object_or_404(Detention.objects.visible_to(request.user), pk=pk)
    form = AllegationForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        from django.db import transaction

        with transaction.atomic():
            allegation = record_allegation(
                detention,
                violation_type=d["violation_type"],
                actor=request.user,
                occurred_at=d["occurred_at"],
                place=d["place"],
                perpetrator_unit=d["perpetrator_unit"],
                injuries=d["injuries"],
                medical_documentation=d["medical_documentation"],
                narrative=d["narrative"],
            )
            for upload in d["evidence"]:
                attach_evidence(
                    allegation,
                    stream=upload,
                    original_name=upload.name,
                    media_type=upload.content_type or "application/octet-stream",
                    actor=request.user,
                )
        messages.success(request, _("Allegation recorded."))
        return redirect("detention_detail", pk=pk)
    return render(
        request, "web/form_page.html", {"form": form, "title": _("Allegation of ill-treatment")}, status=400
    )


@role_required(*CASEWORK)
@require_POST
def detention_add_case(request: HttpRequest, pk: int) -> HttpResponse:
    detention = get_object_or_404(Detention.objects.visible_to(request.user), pk=pk)
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
    return render(request, "web/form_page.html", {"form": form, "title": _("Add a case")}, status=400)


@role_required(*CASEWORK)
@require_POST
def detention_release(request: HttpRequest, pk: int) -> HttpResponse:
    detention = get_object_or_404(Detention.objects.visible_to(request.user), pk=pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        record_release(detention, released_at=form.cleaned_data["released_at"], actor=request.user)
        return redirect("detention_detail", pk=pk)
    return render(request, "web/form_page.html", {"form": form, "title": _("Release")}, status=400)


@role_required(*CASEWORK)
@require_POST
def detention_whereabouts(request: HttpRequest, pk: int) -> HttpResponse:
    detention = get_object_or_404(Detention.objects.visible_to(request.user), pk=pk)
    form = WhereaboutsForm(request.POST)
    if form.is_valid():
        record_whereabouts(
            detention,
            facility=form.cleaned_data["facility"],
            since=form.cleaned_data["since"],
            actor=request.user,
        )
        return redirect("detention_detail", pk=pk)
    return render(request, "web/form_page.html", {"form": form, "title": _("Where held")}, status=400)


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
            "label": _label(case.detention, request.user),
            "decision_form": decision_form,
            "hearing_form": hearing_form,
        },
        status=status,
    )


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
    for d in detentions:
        timeline.append((d.detained_at or d.detained_on, _("Detained"), f"{d.city} {d.place}".strip()))
        for w in d.whereabouts.all():
            timeline.append((w.since, _("Held at"), w.facility))
        for c in d.cases.all():
            for ch in c.charges.all():
                timeline.append((d.detained_on, _("Charged"), str(ch)))
            for dec in c.decisions.all():
                timeline.append((dec.decided_on, _("Decision"), dec.outcome))
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
    except LinkError as exc:
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
    return redirect(request.POST.get("next") or "home")


@role_required(*ANY_RECORDS)
def event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/event_list.html",
        {"events": Event.objects.filter(parent__isnull=True).prefetch_related("parts")},
    )


def _bars(rows: list[dict[str, Any]], key: str, label_key: str) -> list[dict[str, Any]]:
    top = max((r[key] for r in rows), default=0) or 1
    return [
        {"label": r[label_key], "value": r[key], "width": round(300 * r[key] / top), "y": i * 22}
        for i, r in enumerate(rows)
    ]


def _figure_link(list_url: str, value: int, figure: str, **extra: str) -> str:
    query = urlencode({"figure": figure, **extra})
    return format_html(
        '<a data-figure="{}" href="{}&amp;{}">{}</a>', figure, list_url, query, intcomma(value)
    )


def _headline(event: Event, f: dict[str, Any], list_url: str) -> list[str]:
    """The sentences a coordinator quotes, every number a link to the records it counts."""
    name = event.localized_name(get_language())
    sentences: list[str] = []
    persons = _figure_link(list_url, f["persons"], "persons")
    top = f["by_city"][0] if f["by_city"] else None
    if top and len(f["by_city"]) > 1:
        text = _(
            "At least %(persons)s people were detained in connection with %(event)s, %(city_n)s of them in %(city)s."
        )
        sentences.append(
            format_html(
                text.replace("%(persons)s", "{persons}")
                .replace("%(event)s", "{event}")
                .replace("%(city_n)s", "{city_n}")
                .replace("%(city)s", "{city}"),
                persons=persons,
                event=name,
                city=top["city"],
                city_n=_figure_link(list_url, top["persons"], "persons", city=top["city"]),
            )
        )
    else:
        text = _("At least %(persons)s people were detained in connection with %(event)s.")
        sentences.append(
            format_html(
                text.replace("%(persons)s", "{persons}").replace("%(event)s", "{event}"),
                persons=persons,
                event=name,
            )
        )
    text = _(
        "At least %(punished)s were charged under article 23.34 and fined or sentenced to administrative arrest "
        "by the following day; %(awaiting)s await trial."
    )
    sentences.append(
        format_html(
            text.replace("%(punished)s", "{punished}").replace("%(awaiting)s", "{awaiting}"),
            punished=_figure_link(list_url, f["punished_by_next_day"], "punished_by_next_day"),
            awaiting=_figure_link(list_url, f["awaiting_trial"], "awaiting_trial"),
        )
    )
    if f["unnamed_head_count"]:
        text = _("Group reports without names add about %(n)s more people, counted separately.")
        sentences.append(
            format_html(
                text.replace("%(n)s", "{n}"),
                n=_figure_link(list_url, f["unnamed_head_count"], "unnamed_head_count"),
            )
        )
    return sentences


@role_required(*FIGURE_ROLES)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    figures = event_figures(event)
    snapshots = list(event.snapshots.all()[:10])
    last = snapshots[0] if snapshots else None
    list_url = reverse("detention_list") + "?" + urlencode({"event": event.slug})
    city_bars = _bars(figures["by_city"][:12], "persons", "city")
    day_bars = _bars(figures["by_day"][:31], "persons", "day")
    return render(
        request,
        "web/event_detail.html",
        {
            "event": event,
            "event_name": event.localized_name(get_language()),
            "f": figures,
            "headline": _headline(event, figures, list_url),
            "list_url": list_url,
            "city_bars": city_bars,
            "day_bars": day_bars,
            "city_height": max(22 * len(city_bars), 22),
            "day_height": max(22 * len(day_bars), 22),
            "snapshots": snapshots,
            "changes": diff_figures(last.figures, figures) if last else [],
            "next_day": event.date + dt.timedelta(days=1),
        },
    )


@role_required(*FIGURE_ROLES)
def event_figures_json(request: HttpRequest, slug: str) -> JsonResponse:
    event = get_object_or_404(Event, slug=slug)
    return JsonResponse(event_figures(event))


@role_required(*FIGURE_ROLES)
def event_figures_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    f = event_figures(event)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-figures.csv"'
    writer = csv.writer(response)
    writer.writerow(["figure", "scope", "value", "synthetic"])
    for key in (
        "persons",
        "detentions",
        "unnamed_head_count",
        "charged",
        "decided",
        "awaiting_trial",
        "punished_by_next_day",
    ):
        writer.writerow([key, "event", f[key], f["is_synthetic"]])
    for row in f["by_city"]:
        writer.writerow(["persons", f"city:{row['city']}", row["persons"], f["is_synthetic"]])
    for row in f["by_day"]:
        writer.writerow(["persons", f"day:{row['day']}", row["persons"], f["is_synthetic"]])
    return response


@role_required(Role.COORDINATOR)
@require_POST
def event_snapshot(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event, slug=slug)
    take_snapshot(event, actor=request.user, label=request.POST.get("label", "")[:200])
    messages.success(request, _("Figures frozen."))
    return redirect("event_detail", slug=slug)


@role_required(*FIGURE_ROLES)
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snap = get_object_or_404(Snapshot, pk=pk)
    prev = snap.previous()
    return render(
        request,
        "web/snapshot_detail.html",
        {"snap": snap, "prev": prev, "changes": diff_figures(prev.figures, snap.figures) if prev else []},
    )


def _suppress(value: int) -> str:
    threshold = settings.PUBLIC_MIN_COUNT
    return str(value) if value >= threshold or value == 0 else _("fewer than %(n)d") % {"n": threshold}


def public_figures(request: HttpRequest) -> HttpResponse:
    """Aggregate figures only, for anyone: no names, small counts suppressed."""
    rows = []
    for event in Event.objects.filter(parent__isnull=True)[:50]:
        f = event_figures(event)
        rows.append(
            {
                "name": event.localized_name(get_language()),
                "date": event.date,
                "persons": _suppress(f["persons"]),
                "charged": _suppress(f["charged"]),
                "awaiting_trial": _suppress(f["awaiting_trial"]),
                "cities": [(c["city"], _suppress(c["persons"])) for c in f["by_city"]],
                "is_synthetic": f["is_synthetic"],
            }
        )
    return render(request, "web/public_figures.html", {"rows": rows})


@role_required(Role.AUDITOR, Role.COORDINATOR)
def audit_log(request: HttpRequest) -> HttpResponse:
    from vigil.audit.models import AuditEntry

    page = Paginator(AuditEntry.objects.order_by("-seq"), 100).get_page(request.GET.get("page"))
    return render(request, "web/audit_log.html", {"page": page})


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


@role_required(*FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
def event_estimate(request: HttpRequest, slug: str) -> HttpResponse:
    """Documented floor, estimated total with its interval, the posterior, diagnostics and log-linear models."""
    from vigil.figures.estimation import NotEstimable, capture_rows
    from vigil.figures.models import Estimate
    from vigil.figures.operations import run_estimate

    event = get_object_or_404(Event, slug=slug)
    error = ""
    if request.method == "POST":
        try:
            run_estimate(event, actor=request.user)
            return redirect("event_estimate", slug=slug)
        except NotEstimable as exc:
            error = str(exc)
    estimate = Estimate.objects.filter(event=event).first()
    lists, counts = capture_rows(event)
    ctx: dict[str, Any] = {
        "event": event,
        "event_name": event.localized_name(get_language()),
        "estimate": estimate,
        "error": error,
        "lists": lists,
        "documented": sum(counts.values()),
    }
    if estimate is not None:
        hist = estimate.histogram
        top = max(hist["counts"]) or 1
        lo, hi = hist["edges"][0], hist["edges"][-1]
        span = (hi - lo) or 1
        ctx["bars"] = [
            {
                "x": round(10 + 440 * (a - lo) / span, 1),
                "w": max(round(440 * (b - a) / span - 1, 1), 1),
                "h": round(150 * c / top, 1),
                "y": round(160 - 150 * c / top, 1),
            }
            for a, b, c in zip(hist["edges"][:-1], hist["edges"][1:], hist["counts"])
        ]
        e = estimate.summary["estimate"]
        ctx["marks"] = {
            k: round(10 + 440 * (e[k] - lo) / span, 1)
            for k in ("median", "lower", "upper")
            if e.get(k) is not None
        }
        ctx["axis"] = {"lo": round(lo), "hi": round(hi)}
        ctx["diag"] = estimate.summary["diagnostics"]
        ctx["e"] = e
    return render(request, "web/estimate.html", ctx, status=400 if error else 200)


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
