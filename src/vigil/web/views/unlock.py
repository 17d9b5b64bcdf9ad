"""Unlocking the keys with the passphrase (or, when it is lost, with the recovery shares and a new passphrase),
and locking them again at once."""

from __future__ import annotations

import math
import threading

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vigil.accounts.models import Role
from vigil.accounts.throttle import Backoff, Window, client_key
from vigil.audit.log import record as audit
from vigil.web.access import ANY_RECORDS, role_required

# Each try runs Argon2id (seconds of CPU, 256 MiB) on a page anyone can reach, so: no derivation at all once
# unlocked; one at a time; a few a minute from all addresses together; and from one address, a wait that
# doubles after the third wrong passphrase (2 s, 4 s, ... up to 15 minutes). Memory only (see throttle).
# A try with the recovery shares goes through the same gates and counts the same way when refused: it runs
# Argon2id too (to wrap the keys under the new passphrase), and it is a guess at the keys like any other.
PER_CLIENT = Backoff(free=3, base=2.0, ceiling=900.0)
GLOBAL = Window(limit=5, period=60.0)
DERIVING = threading.Lock()


def _refused(request: HttpRequest, message: str, where: str, status: int = 400) -> HttpResponse:
    """The page again with ``message`` on the form that was sent (``error``: passphrase; ``shares_error``)."""
    return render(request, "web/unlock.html", {where: message}, status=status)


def _too_many(request: HttpRequest, message: str, wait: float, where: str = "error") -> HttpResponse:
    response = _refused(request, message, where, status=429)
    response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    """Enter the passphrase that unlocks the keys, or the recovery shares and a new passphrase. Needs no
    database to unlock with the passphrase: the database is what it unlocks (recovery writes its audit entry
    once the keys are there)."""
    from vigil.lib.crypto.errors import CryptoError
    from vigil.protection import keys, recovery

    if keys.is_unlocked():
        if request.method == "POST":
            messages.info(request, _("Vigil is already unlocked."))
        return redirect("home")
    if request.method != "POST":
        return render(request, "web/unlock.html", {"error": ""})
    with_shares = request.POST.get("method") == "shares"
    page = "shares_error" if with_shares else "error"
    client = client_key(request.META.get("REMOTE_ADDR"))
    wait = PER_CLIENT.wait(client)
    if wait:
        return _too_many(
            request,
            _("Too many wrong passphrases from this address: try again in %(s)d seconds.")
            % {"s": _seconds(wait)},
            wait,
            page,
        )
    new_passphrase = ""
    if with_shares:
        # The new passphrase is not a guess: a mistake here is answered without counting as one.
        new_passphrase = request.POST.get("new_passphrase", "")
        if not new_passphrase:
            return _refused(request, _("Choose a new passphrase."), page)
        if new_passphrase != request.POST.get("new_passphrase_again", ""):
            return _refused(request, _("The two new passphrases differ."), page)
    if not DERIVING.acquire(blocking=False):
        return _too_many(
            request, _("Another unlock attempt is being checked: try again in a few seconds."), 3, page
        )
    try:
        wait = GLOBAL.take()
        if wait:
            return _too_many(
                request,
                _("Too many unlock attempts: try again in %(s)d seconds.") % {"s": _seconds(wait)},
                wait,
                page,
            )
        if keys.is_unlocked():  # unlocked by the attempt that just finished
            return redirect("home")
        try:
            if with_shares:
                recovery.recover(
                    [request.POST.get("shares", "")[: recovery.MAX_TEXT + 1]],
                    new_passphrase,
                    via="unlock page",
                )
            else:
                keys.unlock(request.POST.get("passphrase", ""))
        except (CryptoError, recovery.RecoveryRefused) as exc:
            PER_CLIENT.failed(client)
            return _refused(request, str(exc), page)
    finally:
        DERIVING.release()
    PER_CLIENT.succeeded(client)
    if with_shares:
        messages.success(request, _("Unlocked with the recovery shares; the new passphrase is set."))
    return redirect("home")


@role_required(*ANY_RECORDS, Role.AUDITOR)
@require_POST
def lock_now(request: HttpRequest) -> HttpResponse:
    """Panic button: every key leaves memory at once; the next page asks for the passphrase."""
    from vigil.protection import keys

    audit(request.user, "keys.lock", None)
    keys.lock_now()
    return redirect("unlock")
