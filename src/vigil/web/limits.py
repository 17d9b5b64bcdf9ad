"""Requests over their size limit are refused with 413 before their body is read (settings: "Bounds on what a
request may carry"); under /api/ and /sync/ the answer is a JSON error."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


def body_limit(request: HttpRequest) -> int:
    """The most bytes a body may hold: a sync bundle, a request with files, or any other request."""
    if request.path.startswith("/sync/"):
        return int(settings.VIGIL_SYNC_MAX_BYTES)
    if request.content_type == "multipart/form-data":
        return int(settings.VIGIL_UPLOAD_MAX_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = f"the request body is larger than {limit} bytes"
    if request.path.startswith(("/api/", "/sync/")):
        return JsonResponse({"error": "too_large", "detail": message}, status=413)
    return HttpResponse(f"Refused: {message}.", status=413, content_type="text/plain; charset=utf-8")


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then
        limit = body_limit(request)
        if length > limit:
            return too_large(request, limit)
        return self.get_response(request)
