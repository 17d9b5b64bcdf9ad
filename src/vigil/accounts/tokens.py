"""API tokens: how they are made, stored (a digest, never the token) and judged; the writes are in operations.

A token is ``vigil_`` and 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits). So much randomness
needs no slow password hash: SHA-256 of it is stored, and looked up directly by that digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from vigil.accounts.models import ApiToken

PREFIX = "vigil_"
# What a token's list entry shows of it: the fixed prefix and four random characters.
SHOWN = len(PREFIX) + 4
DEFAULT_DAYS = 30
MAX_DAYS = 365
# Longer than any token we issue; anything longer is refused before it is hashed.
MAX_LENGTH = 128


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def find(raw: str) -> ApiToken | None:
    if not raw.startswith(PREFIX) or len(raw) > MAX_LENGTH:
        return None
    return ApiToken.objects.select_related("user").filter(digest=digest(raw)).first()


def refusal(token: ApiToken, now: dt.datetime) -> str | None:
    """Why a stored token may not be used now, or None when it may."""
    state = token.state(now)
    if state != "active":
        return state
    if not token.user.is_active:
        return "user_disabled"
    if token.user.role != token.role:
        return "role_changed"
    return None


def check_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token lasts from 1 to {MAX_DAYS} days, not {days}")
    return days
