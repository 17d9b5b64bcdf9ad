"""API authentication by our own tokens (``vigil.accounts.tokens``): ``Authorization: Token <token>``.

A token is created by its user after the second factor, or by an operator with ``vigil tokens create``; it
works while it is neither expired nor revoked, its user is active and still has the role it was made under.
Every refused token is audited by ``vigil.accounts.operations.authenticate_token``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from vigil.accounts.models import ApiToken, User
from vigil.accounts.operations import TokenRefused, authenticate_token, refuse_token

KEYWORD = "Token"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: the session may still authenticate the request
        try:
            if len(parts) != 2:
                refuse_token("malformed")
            try:
                raw = parts[1].decode("ascii")
            except UnicodeDecodeError:
                refuse_token("malformed")
            token = authenticate_token(raw)
        except TokenRefused as exc:
            raise AuthenticationFailed(str(exc)) from None
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "vigil.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "'Token <token>': create one on the API tokens page after the second factor.",
        }
