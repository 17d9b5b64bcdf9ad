"""Limit and offset of the API's lists, checked: anything but a whole number in range is a 400 naming it."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Far beyond any list Vigil holds, and far below what a database integer can take.
MAX_OFFSET = 10**9


def _whole(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12) or not low <= int(text) <= high:
        raise ValidationError({name: [f"must be a whole number from {low} to {high}"]})
    return int(text)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit/offset paging, refusing out-of-range or non-numeric values instead of guessing. A limit
    above the maximum is lowered to it (as before); a negative, zero or non-numeric one is refused."""

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int:
        limit = _whole(request.query_params, self.limit_query_param, DEFAULT_LIMIT, 1, 10**12)
        return min(limit, MAX_LIMIT)

    def get_offset(self, request: Request) -> int:
        return _whole(request.query_params, self.offset_query_param, 0, 0, MAX_OFFSET)
