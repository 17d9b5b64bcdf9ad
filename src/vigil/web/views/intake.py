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
from vigil.web.forms import IntakeForm, show_refusal


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
        except FieldRefused as refused:
            show_refusal(form, refused)
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
