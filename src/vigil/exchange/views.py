"""Import a detention list from the browser: choose the file and its source, check it (dry run), import it."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from vigil.accounts.models import Role
from vigil.records.models import SourceKind
from vigil.web.access import role_required

MAX_BYTES = 50 * 1024 * 1024


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


@role_required(Role.COORDINATOR, Role.ANALYST)
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    from vigil.exchange.operations import ImportRefused, import_detentions

    form = ImportForm(request.POST or None, request.FILES or None)
    ctx: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_detentions(
                upload.read(),
                filename=upload.name,
                source_name=form.cleaned_data["source"],
                actor=request.user,
                source_kind=form.cleaned_data["kind"],
                dry_run=not form.cleaned_data["confirm"],
            )
        except ImportRefused as exc:
            ctx.update({"refused": exc})
            return render(request, "web/import.html", ctx, status=400)
        ctx["summary"] = summary
    return render(
        request,
        "web/import.html",
        ctx,
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@role_required(Role.COORDINATOR, Role.LAWYER)
@require_http_methods(["GET", "POST"])
def court_matches(request: HttpRequest) -> HttpResponse:
    """Hearings from court lists that could not be matched with confidence: pick the detention, or none."""
    from django.contrib import messages
    from django.core.paginator import Paginator
    from django.shortcuts import get_object_or_404, redirect

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
