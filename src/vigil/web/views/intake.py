"""The hotline intake form: one call, one or more detainees; the echo of what was stored; its correction."""

from __future__ import annotations

import uuid

from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vigil.records.bounds import FieldRefused
from vigil.records.models import Detention, Source
from vigil.records.operations import (
    CORRECTION_WINDOW,
    CorrectionRefused,
    DetentionEntry,
    DetentionInput,
    ReportConflictError,
    correct_detention,
    correction_refusal,
    get_or_create_source,
    record_call,
)
from vigil.web.access import INTAKE, role_required
from vigil.web.forms import (
    DETAINEES_PREFIX,
    BaseDetaineeFormSet,
    CorrectionForm,
    IntakeForm,
    detainee_formset,
    mark_first_error,
    show_refusal,
)

# The session key of what the next report starts from (date, city, event, caller): one small dict, replaced by
# each save, so that a caller reporting several detainees is not asked the shared details again.
CARRIED = "vigil.intake.carried"
# How many saved detentions ?saved= may name (one call's blocks).
ECHO_MAX = 50


def _conflict_message() -> str:
    return _("A different report was already sent with this form; it was kept for review.")


def _saved_ids(raw: str | None) -> list[int]:
    """The detention ids of ``?saved=12`` or ``?saved=12,13,14``; none if anything in it is not an id."""
    parts = (raw or "").split(",")
    if not raw or len(parts) > ECHO_MAX or not all(p.isdigit() and len(p) < 19 for p in parts):
        return []
    return [int(p) for p in parts]


def _with_management(request: HttpRequest) -> QueryDict:
    """The post, with no more detainees when it has no formset at all (a client that knows only the single-
    detainee form: a script, the load test, a report queued before the form had blocks)."""
    data = request.POST.copy()
    data.setdefault(f"{DETAINEES_PREFIX}-TOTAL_FORMS", "0")
    data.setdefault(f"{DETAINEES_PREFIX}-INITIAL_FORMS", "0")
    return data


def _with_one_more_block(request: HttpRequest) -> tuple[IntakeForm, BaseDetaineeFormSet]:
    """ "Add another detainee" without scripts: the page again, as typed, with one more empty block and no
    errors shown (nothing was submitted yet)."""
    data = _with_management(request)
    total = f"{DETAINEES_PREFIX}-TOTAL_FORMS"
    try:
        n = max(0, int(data.get(total, "0")))
    except ValueError:
        n = 0
    n = min(n, 49)
    data[total] = str(n + 1)
    data.setdefault(f"{DETAINEES_PREFIX}-INITIAL_FORMS", "0")
    data[f"{DETAINEES_PREFIX}-{n}-uuid"] = str(uuid.uuid4())
    form = IntakeForm(data)
    setattr(form, "_errors", ErrorDict())  # noqa: B010 (shown as typed, not judged; not in Django's stubs)
    form.cleaned_data = {}
    detainees = detainee_formset(data)
    detainees.show_as_typed()
    new_name = detainees.forms[-1].fields["full_name"]
    new_name.widget.attrs["autofocus"] = True
    return form, detainees


def _entries(form: IntakeForm, detainees: BaseDetaineeFormSet, source: Source) -> list[DetentionEntry]:
    """One report per detainee: the intake form's own person first, then each block, with its own UUID."""
    call: DetentionInput = form.detention_input()
    raw_text = form.cleaned_data.get("raw_text") or ""
    entries = [
        DetentionEntry(
            data=call, source=source, report_uuid=form.cleaned_data["report_uuid"], raw_text=raw_text
        )
    ]
    for block in detainees.blocks():
        try:
            data = block.detention_input(call)
        except FieldRefused as refused:
            show_refusal(block, refused)
            continue
        entries.append(
            DetentionEntry(
                data=data, source=source, report_uuid=block.cleaned_data["uuid"], raw_text=raw_text
            )
        )
    return entries


@role_required(*INTAKE)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.GET.get("new") == "1":
        request.session.pop(CARRIED, None)  # a new call: start from today and nothing else
        return redirect("intake")
    saved = _saved_ids(request.GET.get("saved"))
    carried = dict(request.session.get(CARRIED) or {})
    if not saved:
        # The caller's name and contact only on the page right after a save (the same call going on), which the
        # offline service worker never keeps: the plain intake page it keeps in clear must hold no personal data.
        for name in IntakeForm.CALLER:
            carried.pop(name, None)
    if request.method == "POST" and "add_detainee" in request.POST:
        form, detainees = _with_one_more_block(request)
    elif request.method == "POST":
        form = IntakeForm(request.POST)
        detainees = detainee_formset(_with_management(request))
    else:
        form = IntakeForm(carried=carried)
        detainees = detainee_formset()
    if request.method == "POST" and "add_detainee" not in request.POST:
        response = _save(request, form, detainees)
        if response is not None:
            return response
    if mark_first_error(form) is None:
        for block in detainees.forms:
            if mark_first_error(block):
                break
    echo = (
        Detention.objects.filter(pk__in=saved, report__submitted_by=request.user.pk)
        .select_related("identity", "event", "report")
        .order_by("pk")
        if saved
        else Detention.objects.none()
    )
    now = timezone.now()
    context = {
        "form": form,
        "detainees": detainees,
        "saved": ",".join(map(str, saved)),
        "echo": [(d, correction_refusal(d, request.user, now=now) is None) for d in echo],
        "correction_minutes": int(CORRECTION_WINDOW.total_seconds() // 60),
        "again": request.GET.get("again") == "1",
        "corrected": request.GET.get("corrected") == "1",
        "carried": bool(request.session.get(CARRIED)),
        "conflict_message": _conflict_message(),
    }
    return render(request, "web/intake.html", context)


def _save(request: HttpRequest, form: IntakeForm, detainees: BaseDetaineeFormSet) -> HttpResponse | None:
    """Store a valid call and redirect to its echo; None (with the errors on the forms) otherwise."""
    if not (form.is_valid() & detainees.is_valid()):
        return None
    try:
        source = get_or_create_source(form.source_input(), request.user)
        entries = _entries(form, detainees, source)
        if not detainees.is_valid():
            return None
        result = record_call(entries, actor=request.user)
    except FieldRefused as refused:
        show_refusal(form, refused)
        return None
    except ValueError as exc:
        form.add_error(None, str(exc))
        return None
    if result.conflicts:
        form.add_error(None, _conflict_message())
        return None
    carried = form.carried_over()
    if request.session.get(CARRIED) != carried:  # written only when it changes
        request.session[CARRIED] = carried
    # The answer travels in the redirect, not in the session's message store: a client that does not follow
    # redirects (the offline queue, a script, a load generator) would otherwise pile one message per post into
    # its session, and every later request would read and rewrite them.
    again = "" if result.created else "&again=1"
    ids = ",".join(str(r.detention.pk) for r in result.results)
    return redirect(reverse("intake") + "?saved=" + ids + again)


@role_required(*INTAKE)
@require_http_methods(["GET", "POST"])
def intake_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The author corrects a report within CORRECTION_WINDOW: a correcting report supersedes it. Another
    user's report is not found here (404), as on the volunteer's other pages."""
    detention = get_object_or_404(
        Detention.objects.select_related("identity", "event", "report__source"),
        pk=pk,
        report__submitted_by=request.user.pk,
    )
    refusal = correction_refusal(detention, request.user)
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if not form.is_valid():
            if refusal is not None:
                return _refused(request, detention)
        else:
            try:
                result = correct_detention(
                    detention,
                    data=form.detention_input(),
                    actor=request.user,
                    report_uuid=form.cleaned_data["report_uuid"],
                    raw_text=form.cleaned_data.get("raw_text") or "",
                )
            except CorrectionRefused:
                return _refused(request, detention)
            except ReportConflictError:
                form.add_error(None, _conflict_message())
            except FieldRefused as refused:
                show_refusal(form, refused)
            else:
                again = "" if result.created else "&again=1"
                return redirect(reverse("intake") + f"?saved={result.detention.pk}&corrected=1" + again)
    elif refusal is not None:
        return _refused(request, detention)
    else:
        form = CorrectionForm(initial=_as_stored(detention))
    mark_first_error(form)
    return render(request, "web/intake_correct.html", {"detention": detention, "form": form})


def _refused(request: HttpRequest, detention: Detention) -> HttpResponse:
    """The page of a report that may no longer be corrected (too late, or corrected already): 403."""
    if detention.superseded_by_id is not None:
        text = _("This report was already corrected.")
    else:
        text = _("A report can be corrected only within %(n)s minutes of saving it; ask a coordinator.") % {
            "n": int(CORRECTION_WINDOW.total_seconds() // 60)
        }
    context = {"detention": detention, "form": None, "refusal": text}
    return render(request, "web/intake_correct.html", context, status=403)


def _as_stored(detention: Detention) -> dict[str, object]:
    """The correction form's starting values: what the report said."""
    payload = detention.report.payload
    identity = detention.identity
    return {
        "detained_on": detention.detained_on,
        "detained_time": timezone.localtime(detention.detained_at).time() if detention.detained_at else None,
        "city": detention.city,
        "event": detention.event_id,
        "full_name": identity.full_name if identity else "",
        "head_count": None if identity else detention.head_count,
        "place": detention.place,
        "unit": detention.unit,
        "held_at": payload.get("held_at", ""),
        "injuries": detention.injuries,
        "birth_date": identity.birth_date if identity else None,
        "birth_year": payload.get("birth_year"),
        "sex": identity.sex if identity else "",
        "home_city": identity.home_city if identity else "",
        "raw_text": detention.report.raw_text,
    }
