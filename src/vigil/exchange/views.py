"""Import a detention list from the browser, and ask for an investigation package: both are long work, so the
page stores what it was given (the upload encrypted, :mod:`vigil.jobs.files`), queues a background job and
answers at once with the job's page, which follows the work and shows its result (``vigil.web.views.jobs``).
The command-line ``vigil import`` and ``vigil package`` still do the work in the foreground."""

from __future__ import annotations

import re

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from vigil.accounts.models import Role
from vigil.records.models import Event, SourceKind
from vigil.web.access import role_required
from vigil.web.forms import EventChoiceField

MAX_BYTES = 50 * 1024 * 1024
# The most allegations one package may name by number (an event's package takes all of its own).
MAX_ALLEGATIONS = 1000


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV, XLSX or ODS)"))
    source = forms.CharField(label=_("Source of the list"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of source"), choices=SourceKind.choices, initial=SourceKind.VOLUNTEER_SHEET
    )
    confirm = forms.BooleanField(label=_("Import now (unticked: only check the file)"), required=False)

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        if f.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return f


def _recent_jobs(request: HttpRequest, kind: str) -> list[object]:
    from vigil.jobs.models import Job

    return list(Job.objects.filter(kind=kind, started_by_id=request.user.pk).order_by("-created_at")[:5])


@role_required(Role.COORDINATOR, Role.ANALYST)
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    """Check or import a list in the background: the file is stored encrypted, then the job's page follows it."""
    from vigil.jobs.models import JobKind
    from vigil.jobs.operations import start_import

    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_import(
            upload,
            filename=upload.name,
            source_name=form.cleaned_data["source"],
            source_kind=form.cleaned_data["kind"],
            dry_run=not form.cleaned_data["confirm"],
            actor=request.user,
        )
        return redirect("job_detail", job.pk)
    return render(
        request,
        "web/import.html",
        {"form": form, "recent": _recent_jobs(request, JobKind.IMPORT)},
        status=400 if request.method == "POST" else 200,
    )


class PackageForm(forms.Form):
    event = EventChoiceField(
        label=_("Event (its allegations and those of its parts)"),
        queryset=Event.objects.order_by("-date", "name"),
        to_field_name="slug",
        required=False,
    )
    allegations = forms.CharField(
        label=_("Allegation numbers, separated by commas or spaces"), max_length=10_000, required=False
    )
    named = forms.BooleanField(
        label=_("Include names (otherwise a pseudonym, unless the person consented to publication)"),
        required=False,
    )
    reference = forms.CharField(label=_("The investigators' case reference"), max_length=200, required=False)

    def clean_allegations(self) -> list[int]:
        text = self.cleaned_data["allegations"]
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        if not all(p.isdigit() and len(p) <= 12 for p in parts):
            raise forms.ValidationError(_("Give allegation numbers only, such as 12, 15."))
        if len(parts) > MAX_ALLEGATIONS:
            raise forms.ValidationError(_("At most 1000 allegation numbers in one package."))
        return sorted({int(p) for p in parts})

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("event") and not data.get("allegations") and not self.errors:
            raise forms.ValidationError(_("Choose an event or give at least one allegation number."))
        return data


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def package_request(request: HttpRequest) -> HttpResponse:
    """Ask for a signed investigation package; it is built in the background, for this user to download."""
    from vigil.jobs.models import JobKind
    from vigil.jobs.operations import start_package

    initial = {"event": request.GET.get("event", "")}
    form = PackageForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        job = start_package(
            actor=request.user,
            event=form.cleaned_data["event"],
            allegation_ids=form.cleaned_data["allegations"],
            named=form.cleaned_data["named"],
            reference=form.cleaned_data["reference"],
        )
        return redirect("job_detail", job.pk)
    return render(
        request,
        "web/package.html",
        {"form": form, "recent": _recent_jobs(request, JobKind.PACKAGE)},
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.COORDINATOR, Role.LAWYER)
@require_http_methods(["GET", "POST"])
def court_matches(request: HttpRequest) -> HttpResponse:
    """Hearings from court lists that could not be matched with confidence: pick the detention, or none."""
    from django.contrib import messages
    from django.core.paginator import Paginator
    from django.shortcuts import get_object_or_404

    from vigil.exchange.court_lists import decide_court_match
    from vigil.exchange.models import CourtListMatch
    from vigil.records.models import Detention

    if request.method == "POST":
        match_id = request.POST.get("match", "")
        if not match_id.isdigit():  # junk from a forged form: not found, not a server error
            raise Http404
        match = get_object_or_404(CourtListMatch, pk=int(match_id))
        chosen = request.POST.get("detention", "")
        detention = None
        if chosen:
            allowed = {c["detention"] for c in match.candidates}
            detention = (
                get_object_or_404(Detention, pk=int(chosen))
                if chosen.isdigit() and int(chosen) in allowed
                else None
            )
            if detention is None:
                messages.error(request, _("Choose one of the candidates."))
                return redirect("court_matches")
        try:
            decide_court_match(match, detention=detention, actor=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect("court_matches")
    pending = (
        CourtListMatch.objects.filter(status=CourtListMatch.Status.PENDING)
        .select_related("report")
        .order_by("pk")
    )
    page = Paginator(pending, 20).get_page(request.GET.get("page"))
    ids = {c["detention"] for m in page for c in m.candidates}
    detentions = {d.pk: d for d in Detention.objects.filter(pk__in=ids).select_related("identity")}
    rows = [
        (
            m,
            [
                (detentions[c["detention"]], c["similarity"])
                for c in m.candidates
                if c["detention"] in detentions
            ],
        )
        for m in page
    ]
    return render(request, "web/court_matches.html", {"page": page, "rows": rows})
