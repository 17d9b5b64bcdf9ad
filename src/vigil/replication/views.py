"""The sync endpoint and the coordinator's conflict page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vigil.accounts.models import Role
from vigil.lib.sync.errors import BundleNotForUs, BundleUnknownSender, SyncError
from vigil.replication.exchange import export_for, import_bundle_data
from vigil.replication.models import SyncConflict, SyncPeer
from vigil.replication.network import CONTENT_TYPE
from vigil.web.access import role_required

log = logging.getLogger("vigil.sync")


@csrf_exempt  # authenticated by the bundle's signature, not by a session
@require_POST
def exchange(request: HttpRequest) -> HttpResponse:
    # Anyone who reaches the address can post here: read at most the limit (and one byte to tell), never the
    # whole of whatever is sent, before the bundle's signature is checked.
    limit = int(settings.VIGIL_SYNC_MAX_BYTES)
    body = request.read(limit + 1)
    if len(body) > limit:
        log.warning("sync exchange refused: body over %d bytes", limit)
        return JsonResponse(
            {"error": "too_large", "detail": f"the request body is larger than {limit} bytes"}, status=413
        )
    try:
        summary = import_bundle_data(body)
        peer = SyncPeer.objects.get(instance=summary.sender)
        answer, _ = export_for(peer.name)
    except (BundleUnknownSender, BundleNotForUs) as exc:
        return HttpResponse(str(exc), status=403, content_type="text/plain")
    except SyncError as exc:
        log.warning("sync exchange refused: %s", type(exc).__name__)
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    return HttpResponse(answer, content_type=CONTENT_TYPE)


@role_required(Role.COORDINATOR)
def conflicts(request: HttpRequest) -> HttpResponse:
    rows = SyncConflict.objects.filter(open=True).order_by("target", "field")
    return render(
        request, "replication/conflicts.html", {"conflicts": rows, "peers": SyncPeer.objects.order_by("name")}
    )
