"""Unlocking the keys with the passphrase, and locking them again at once."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from vigil.accounts.models import Role
from vigil.audit.log import record as audit
from vigil.web.access import ANY_RECORDS, role_required


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
