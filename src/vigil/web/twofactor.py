"""Sign-in with a password and, for every role but volunteers, a TOTP code from an authenticator app."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.accounts.security import is_verified, login_wait, requires_two_factor
from vigil.audit.log import record as audit


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return resolve_url("home")


def second_step(request: HttpRequest, user: Any) -> HttpResponse | None:
    """Where a signed-in user must go before anything else, if anywhere."""
    if not requires_two_factor(user) or is_verified(user):
        return None
    name = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
    return redirect(f"{resolve_url(name)}?next={request.get_full_path()}")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """A client held by the login throttle gets HTTP 429 and the time to wait; its guess is not checked."""
        username = str(request.POST.get("username", ""))[:150]
        wait, scope = login_wait(request, username)
        if not wait:
            return super().post(request, *args, **kwargs)
        audit(None, "auth.login_throttled", None, username=username, scope=scope)
        seconds = max(1, math.ceil(wait))
        if scope == "account":
            message = _(
                "Too many failed sign-ins for this account from your address: try again in %(s)d seconds."
            )
        else:
            message = _("Too many failed sign-ins from your address: try again in %(s)d seconds.")
        form = self.get_form_class()(request, initial={"username": username})
        response = self.render_to_response(
            self.get_context_data(form=form, throttled=message % {"s": seconds}), status=429
        )
        response["Retry-After"] = str(seconds)
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if requires_two_factor(user):
            name = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
            return redirect(f"{resolve_url(name)}?next={self.get_success_url()}")
        return response


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"].strip()):
                otp_login(request, device)
                audit(user, "auth.2fa_verified", None)
                return redirect(_next(request))
        audit(user, "auth.2fa_failed", None)
        form.add_error("token", _("This code is not valid. Codes change every 30 seconds."))
    return render(request, "web/two_factor.html", {"form": form, "next": _next(request), "setup": False})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app. Only without a confirmed device: someone holding only the password must not
    be able to add a second one."""
    user: Any = request.user
    if user_has_device(user):
        return redirect(f"{resolve_url('two_factor_verify')}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            audit(user, "auth.2fa_enrolled", None)
            return redirect(_next(request))
        form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
    import base64

    import qrcode
    import qrcode.image.svg

    svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string(
        encoding="unicode"
    )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "web/two_factor.html",
        {
            "form": form,
            "next": _next(request),
            "setup": True,
            "qr": mark_safe(svg),  # noqa: S308 (generated SVG)
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )
