"""API errors are always a 4xx with a message that says what is wrong and where, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from vigil.lib.reference import UnknownArticle
from vigil.records.operations import ReportConflictError


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
        415: "unsupported_media_type",
        429: "throttled",
    }.get(code, "error")
