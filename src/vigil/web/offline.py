"""Offline intake: the service worker, served from the site root so that its scope covers the intake page.

The worker's code is the static file vigil/sw.js; this view prepends what it needs to know (the intake URL, the
assets to keep, a cache name that changes whenever either script changes, so an update replaces the old copies).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

STATIC_DIR = Path(__file__).resolve().parent / "static" / "vigil"
ASSETS = ("vigil/vigil.css", "vigil/menu.js", "vigil/offline.js")


@lru_cache(maxsize=1)
def _scripts() -> tuple[str, str]:
    """The worker's source and a version derived from it and the page script it works with."""
    worker = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256()
    for name in ("sw.js", "offline.js", "menu.js", "vigil.css"):
        digest.update((STATIC_DIR / name).read_bytes())
    return worker, digest.hexdigest()[:16]


def worker_config() -> dict[str, object]:
    """What the service worker keeps (the intake page and the assets it needs, under a versioned cache) and the
    script whose encrypted queue it shares with the page."""
    _, version = _scripts()
    return {
        "cache": f"vigil-offline-{version}",
        "intake": reverse("intake"),
        "assets": [static(name) for name in ASSETS],
        "queue": static("vigil/offline.js"),
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script. Public (it holds no data); the browser checks it for updates on each visit."""
    worker, _ = _scripts()
    body = f"self.VIGIL_OFFLINE = {json.dumps(worker_config())};\n{worker}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("home")
    return response
