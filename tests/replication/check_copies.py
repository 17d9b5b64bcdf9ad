"""Run inside an instance (``vigil shell -c``): for each database copy named in CHECK_COPIES (one path a line),
integrity check, audit chain and counts, as one JSON line each. All copies share this instance's keys."""

from __future__ import annotations

import json
import os

from django.db import connection

from vigil.audit.log import verify
from vigil.records.models import Detention, Report
from vigil.replication.models import SyncChange, SyncPeer

for path in os.environ["CHECK_COPIES"].split("\n"):
    connection.close()
    connection.settings_dict["NAME"] = path
    with connection.cursor() as cur:
        cur.execute("PRAGMA integrity_check")
        integrity = ";".join(str(r[0]) for r in cur.fetchall())
    row = {
        "path": path,
        "integrity": integrity,
        "audit_problems": len(verify()),
        "reports": Report.objects.count(),
        "detentions": Detention.objects.count(),
        "changes": SyncChange.objects.count(),
        "acks": {p.name: p.ack for p in SyncPeer.objects.all()},
    }
    print("COPY " + json.dumps(row, sort_keys=True), flush=True)
