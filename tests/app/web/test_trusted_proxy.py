"""Behind nginx (VIGIL_TRUSTED_PROXY): the client's address and HTTPS come from the proxy and from nobody
else, so the login throttles hold each client apart and a client cannot choose its own throttle key."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from vigil.accounts import security
from vigil.web.proxy import TrustedProxyMiddleware, forwarded_client, parse_trusted

from ..factories import PASSWORD, make_user

PROXY = "127.0.0.1"
OUTSIDER = "203.0.113.7"
OFFICE = "198.51.100.20"


@pytest.fixture
def behind_nginx(settings: Any) -> None:
    settings.VIGIL_TRUSTED_PROXIES = parse_trusted(PROXY)
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _seen(request: HttpRequest) -> dict[str, object]:
    """What a view after the middleware sees of the request."""
    seen: dict[str, object] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen.update(
            address=request.META.get("REMOTE_ADDR"),
            secure=request.is_secure(),
            forwarded=request.META.get("HTTP_X_FORWARDED_FOR"),
        )
        return HttpResponse()

    TrustedProxyMiddleware(view)(request)
    return seen


def _request(peer: str, **headers: str) -> HttpRequest:
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


def test_the_proxys_forwarded_address_and_https_are_taken(behind_nginx):
    seen = _seen(_request(PROXY, HTTP_X_FORWARDED_FOR=OUTSIDER, HTTP_X_FORWARDED_PROTO="https"))
    assert seen["address"] == OUTSIDER and seen["secure"] is True


def test_only_the_last_forwarded_address_counts_as_the_client(behind_nginx):
    # A client's own X-Forwarded-For would come first; nginx's $remote_addr is what the proxy knows.
    seen = _seen(_request(PROXY, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {OFFICE}"))
    assert seen["address"] == OFFICE


def test_forwarded_headers_from_any_other_peer_are_removed(behind_nginx):
    seen = _seen(_request(OUTSIDER, HTTP_X_FORWARDED_FOR=OFFICE, HTTP_X_FORWARDED_PROTO="https"))
    assert seen == {"address": OUTSIDER, "secure": False, "forwarded": None}


def test_a_forwarded_value_that_is_not_an_address_leaves_the_peer(behind_nginx):
    assert _seen(_request(PROXY, HTTP_X_FORWARDED_FOR="unknown"))["address"] == PROXY
    assert forwarded_client("") is None and forwarded_client(" ::1 ") == "::1"


def test_without_a_trusted_proxy_forwarded_headers_are_never_read(settings):
    settings.VIGIL_TRUSTED_PROXIES = frozenset()
    seen = _seen(_request(PROXY, HTTP_X_FORWARDED_FOR=OUTSIDER, HTTP_X_FORWARDED_PROTO="https"))
    assert seen["address"] == PROXY and seen["secure"] is False


def test_the_setting_takes_addresses_and_names_a_wrong_one():
    assert parse_trusted("127.0.0.1, ::1,") == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    with pytest.raises(ValueError, match="'nginx' is not an IP address"):
        parse_trusted("127.0.0.1,nginx")


# --- the login throttles, through the whole middleware chain -------------------------------------------------


@pytest.fixture
def fresh_throttles(settings: Any) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for throttle in (security.LOGIN_PER_ACCOUNT, security.LOGIN_PER_CLIENT):
        throttle.clear()
    yield
    for throttle in (security.LOGIN_PER_ACCOUNT, security.LOGIN_PER_CLIENT):
        throttle.clear()


def _sign_in_through(peer: str, client_address: str, username: str, password: str) -> Any:
    # A new Client per request: each loads the middleware with the settings in force.
    return Client().post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=client_address,
        HTTP_X_FORWARDED_PROTO="https",
        secure=True,
    )


def test_behind_the_proxy_an_outsider_cannot_lock_out_staff_who_share_the_proxy(
    db, behind_nginx, fresh_throttles
):
    make_user("coordinator", username="coordinator")
    for _ in range(security.LOGIN_PER_ACCOUNT.free + 1):
        _sign_in_through(PROXY, OUTSIDER, "coordinator", "wrong")
    assert _sign_in_through(PROXY, OUTSIDER, "coordinator", "wrong").status_code == 429
    answer = _sign_in_through(PROXY, OFFICE, "coordinator", PASSWORD)
    assert answer.status_code == 302 and "/login/" not in answer["Location"]


def test_a_client_cannot_escape_its_throttle_by_forging_the_forwarded_address(
    db, behind_nginx, fresh_throttles
):
    make_user("coordinator", username="coordinator")
    for i in range(security.LOGIN_PER_ACCOUNT.free + 1):
        _sign_in_through(OUTSIDER, f"192.0.2.{i}", "coordinator", "wrong")
    assert _sign_in_through(OUTSIDER, "192.0.2.200", "coordinator", "wrong").status_code == 429
