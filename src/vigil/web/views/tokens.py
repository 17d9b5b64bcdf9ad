"""A user's own API tokens: create (shown once), list, revoke. Only after the second factor, for every role.

A token reaches what its user's role reaches, so creating one must need no less than signing in: the page
asks every role, volunteers included, for a TOTP code first (a volunteer without an authenticator sets one
up). The form lives here, beside the only view that uses it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device

from vigil.accounts import tokens
from vigil.accounts.models import ApiToken
from vigil.accounts.operations import AccountError, create_token, revoke_token
from vigil.accounts.security import is_verified


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("To recognise it later, e.g. the laptop or script that uses it."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=tokens.DEFAULT_DAYS,
    )


def _second_factor_first(request: HttpRequest) -> HttpResponse | None:
    if not settings.VIGIL_REQUIRE_2FA or is_verified(request.user):
        return None
    name = "two_factor_verify" if user_has_device(request.user) else "two_factor_setup"
    return redirect(f"{resolve_url(name)}?next={resolve_url('api_tokens')}")


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    pending = _second_factor_first(request)
    if pending is not None:
        return pending
    user: Any = request.user
    form = TokenCreateForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = create_token(
                user, actor=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenCreateForm()
    # The new token is only in this response (never in the session or a message), which is not cached.
    return render(
        request,
        "web/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": ApiToken.objects.filter(user=user),
            "now": timezone.now(),
        },
        status=400 if request.method == "POST" and issued is None else 200,
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    pending = _second_factor_first(request)
    if pending is not None:
        return pending
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    from django.contrib import messages

    if revoke_token(token, actor=request.user):
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("api_tokens")
