"""While the keys are locked, every page but the unlock page answers 503 without touching the database."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from vigil.protection import keys


class LockedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        unlock_path = reverse("unlock")
        if request.path == unlock_path or request.path.startswith("/static/") or keys.is_unlocked():
            return self.get_response(request)
        if request.method == "GET":
            return HttpResponseRedirect(unlock_path)
        return HttpResponse(
            "Vigil is locked: unlock it with the passphrase first.", status=503, content_type="text/plain"
        )
