"""Sync over HTTP(S): the same bundles, exchanged with ``POST /sync/exchange``.

The request body is a bundle to the server (it may hold no changes: its version vector alone asks for what
the client lacks); the response body is a bundle back, encrypted to the client. Both ends authenticate each
other by the instance keys (signature and encryption), not by a login, so the endpoint needs no session.
``push`` sends what the server has not acknowledged, in chunks, each committed on its own: an interrupted
push or pull resumes from the last committed chunk.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from vigil.lib.sync.errors import SyncError
from vigil.replication.exchange import ImportSummary, export_for, import_bundle_data

CONTENT_TYPE = "application/vnd.vigil.lib.sync-bundle"
Transport = Callable[[str, bytes], bytes]


class NetworkError(SyncError):
    """The other instance could not be reached or refused the exchange."""


def http_transport(url: str, body: bytes, *, timeout: float = 300.0) -> bytes:
    request = urllib.request.Request(
        url.rstrip("/") + "/sync/exchange", data=body, method="POST", headers={"Content-Type": CONTENT_TYPE}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (operator-given URL)
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise NetworkError(f"{url} refused the exchange ({exc.code}): {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise NetworkError(f"cannot reach {url}: {exc}") from None


@dataclass
class ExchangeResult:
    sent: int
    rounds: int
    received: ImportSummary | None


def exchange(
    peer: str, url: str, *, push: bool, chunk: int = 5000, transport: Transport | None = None
) -> ExchangeResult:
    """Push (send what the peer lacks, then take its answer) or pull (only take) with peer ``peer`` at ``url``."""
    send = transport or http_transport
    sent = rounds = 0
    received: ImportSummary | None = None
    while True:
        data, count = export_for(peer, limit=chunk if push else 0)
        answer = send(url, data)
        received = import_bundle_data(answer)
        sent += count
        rounds += 1
        if not push or count < chunk or rounds > 10_000:
            return ExchangeResult(sent, rounds, received)
