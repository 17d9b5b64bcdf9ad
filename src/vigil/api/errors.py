"""API errors are always a 4xx with a message that says what is wrong and where, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from vigil.lib.reference import UnknownArticle
from vigil.records.bounds import FieldRefused
from vigil.records.operations import ReportConflictError
from vigil.web.limits import too_large


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ReportConflictError):
        return Response(
            {
                "error": "conflict",
                "detail": "a different report was already stored under this report_uuid; "
                "this one is kept for review",
                "report_uuid": str(exc.uuid),
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, UnknownArticle):
        return Response(
            {"error": "invalid", "detail": {"article": [str(exc)]}}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, FieldRefused):
        return Response(
            {"error": "invalid", "detail": {exc.field: [exc.reason]}}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"error": "too_large", "detail": f"the request body is larger than {limit} bytes"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response({"error": "invalid", "detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response({"error": "invalid", "detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValueError):
        # Domain operations raise ValueError for input that breaks an invariant (e.g. a decision before the
        # detention); that is the client's mistake, not the server's.
        return Response({"error": "invalid", "detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data
        if (
            isinstance(exc, Http404 | PermissionDenied)
            or not isinstance(detail, dict)
            or "detail" not in detail
        ):
            response.data = {"error": _kind(response.status_code), "detail": detail}
        else:
            response.data = {"error": _kind(response.status_code), **detail}
    return response


def _kind(code: int) -> str:
    return {
        400: "invalid",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        415: "unsupported_media_type",
        429: "throttled",
        500: "server_error",
    }.get(code, "error")


# Django's own error views for what never reaches a DRF view (an unknown address, an unhandled exception, a
# refused request body): JSON under /api/, the usual pages elsewhere. urls.py names them as handler404 etc.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": "not_found", "detail": "no such address in the API"}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # The fields of a request with files, over DATA_UPLOAD_MAX_MEMORY_SIZE (files aside).
        return too_large(request, int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    if _is_api(request):
        detail = str(exception) if isinstance(exception, SuspiciousOperation) else "bad request"
        return JsonResponse({"error": "invalid", "detail": detail}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"error": "server_error", "detail": "the server failed to answer; the failure is logged"},
            status=500,
        )
    return defaults.server_error(request)
