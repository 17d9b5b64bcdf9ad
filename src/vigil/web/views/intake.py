"""The hotline intake form."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vigil.records.bounds import FieldRefused
from vigil.records.operations import ReportConflictError, get_or_create_source, record_detention
from vigil.web.access import INTAKE, role_required
from vigil.web.forms import IntakeForm, mark_first_error, show_refusal

# The session key of what the next report starts from (date, city, event, caller): one small dict, replaced by
# each save, so that a caller reporting several detainees is not asked the shared details again.
CARRIED = "vigil.intake.carried"


@role_required(*INTAKE)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.GET.get("new") == "1":
        request.session.pop(CARRIED, None)  # a new call: start from today and nothing else
        return redirect("intake")
    saved = request.GET.get("saved")
    saved = saved if saved and saved.isdigit() else None
    carried = dict(request.session.get(CARRIED) or {})
    if saved is None:
        # The caller's name and contact only on the page right after a save (the same call going on), which the
        # offline service worker never keeps: the plain intake page it keeps in clear must hold no personal data.
        for name in IntakeForm.CALLER:
            carried.pop(name, None)
    form = IntakeForm(request.POST or None, carried=carried)
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
        except FieldRefused as refused:
            show_refusal(form, refused)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            carried = form.carried_over()
            if request.session.get(CARRIED) != carried:  # written only when it changes
                request.session[CARRIED] = carried
            # The answer travels in the redirect, not in the session's message store: a client that does
            # not follow redirects (the offline queue, a script, a load generator) would otherwise pile
            # one message per post into its session, and every later request would read and rewrite them.
            again = "" if result.created else "&again=1"
            return redirect(reverse("intake") + "?saved=" + str(result.detention.pk) + again)
    mark_first_error(form)
    context = {
        "form": form,
        "saved": saved,
        "again": request.GET.get("again") == "1",
        "carried": bool(request.session.get(CARRIED)),
    }
    return render(request, "web/intake.html", context)
