"""Behind a reverse proxy on the same machine: take the client's address and scheme from the proxy, and from
nobody else.

``VIGIL_TRUSTED_PROXY`` names the addresses of the proxies (``127.0.0.1`` for nginx on the same machine, as
in ``deploy/``). A request whose connection comes from one of them carries the client's address in
``X-Forwarded-For`` (nginx *sets* it to ``$remote_addr``, so the last entry is the one the proxy wrote) and
the scheme in ``X-Forwarded-Proto``: the address becomes ``REMOTE_ADDR``, which the login and unlock
throttles key on (``vigil.accounts.throttle``; never stored), and the scheme makes ``request.is_secure()``
true behind TLS (``SECURE_PROXY_SSL_HEADER``). From any other peer these headers are removed before anything
reads them, so a client cannot pick its own throttle key or claim HTTPS. Without the setting nothing here
runs and every header is ignored, as before.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_FORWARDED",
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_trusted(value: str) -> frozenset[Address]:
    """The addresses in a comma-separated ``VIGIL_TRUSTED_PROXY``; ValueError names the first that is not one."""
    addresses: set[Address] = set()
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            addresses.add(ipaddress.ip_address(part))
        except ValueError:
            raise ValueError(f"VIGIL_TRUSTED_PROXY: {part!r} is not an IP address") from None
    return frozenset(addresses)


def _address(text: str | None) -> Address | None:
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def forwarded_client(forwarded_for: str) -> str | None:
    """The client address a trusted proxy put last in ``X-Forwarded-For``, or None when it is not an address."""
    address = _address(forwarded_for.rsplit(",", 1)[-1])
    return str(address) if address is not None else None


class TrustedProxyMiddleware:
    """First in the chain: everything after it sees the client's address and scheme, or no forwarded header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted: frozenset[Address] = getattr(settings, "VIGIL_TRUSTED_PROXIES", frozenset())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted:
            meta = request.META
            if _address(meta.get("REMOTE_ADDR")) in self.trusted:
                client = forwarded_client(meta.get("HTTP_X_FORWARDED_FOR", ""))
                if client is not None:
                    meta["REMOTE_ADDR"] = client
            else:
                for name in FORWARDED_HEADERS:
                    meta.pop(name, None)
        return self.get_response(request)
