"""``vigil sync``: identity, add-peer, export, import, push, pull, conflicts, status, check.

Exit status is non-zero, with a message on stderr, whenever a bundle is refused; nothing changes then.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from vigil.lib.sync.bundle import read_header
from vigil.lib.sync.errors import SyncError
from vigil.replication.exchange import (
    add_peer,
    export_for,
    have,
    import_bundle_data,
    instance_keys,
    load_replica,
    refresh_conflicts,
)
from vigil.replication.log import sync_state
from vigil.replication.models import SyncChange, SyncConflict, SyncPeer
from vigil.replication.network import exchange


class Command(BaseCommand):
    help = "Sync with other Vigil instances through signed, encrypted bundles (files or HTTP)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ident = sub.add_parser("identity", help="print this instance's public identity (one line)")
        ident.add_argument("--name", help="set this instance's name first (letters, digits, '.', '_', '-')")
        add = sub.add_parser("add-peer", help="trust another instance")
        add.add_argument("name")
        add.add_argument("identity")
        export = sub.add_parser("export", help="write what a peer has not acknowledged to a bundle file")
        export.add_argument("--to", required=True, dest="peer")
        export.add_argument("-o", "--output", required=True)
        imp = sub.add_parser("import", help="verify, decrypt and merge a bundle file")
        imp.add_argument("file")
        for name in ("push", "pull"):
            net = sub.add_parser(name, help=f"{name} over HTTP(S) with POST URL/sync/exchange")
            net.add_argument("--peer", required=True)
            net.add_argument("--url", required=True)
            net.add_argument("--chunk", type=int, default=5000, help="changes per request (push)")
        sub.add_parser("conflicts", help="list concurrent edits a coordinator must look at")
        sub.add_parser("status", help="peers, acknowledgements and this instance's version vector")
        sub.add_parser("check", help="database integrity, audit chain and counts, as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, "do_" + action.replace("-", "_"))(options)
        except SyncError as exc:
            raise CommandError(f"{type(exc).__name__}: {exc}") from None

    def do_identity(self, options: dict[str, Any]) -> None:
        if options.get("name"):
            from vigil.lib.sync.bundle import Keys

            Keys.from_seeds(options["name"], bytes(32), bytes(32))  # validates the name
            state = sync_state()
            state.name = options["name"]
            state.save(update_fields=["name"])
        self.stdout.write(str(instance_keys().identity))

    def do_add_peer(self, options: dict[str, Any]) -> None:
        peer = add_peer(options["name"], options["identity"])
        self.stdout.write(f"peer {peer.name} added: instance {peer.instance}")

    def do_export(self, options: dict[str, Any]) -> None:
        data, count = export_for(options["peer"])
        target = Path(options["output"])
        # Written to a temporary file and renamed: a bundle on disk is always whole.
        fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".vigil-bundle-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        self.stdout.write(f"{count} change(s) for {options['peer']} written to {target} ({len(data)} bytes)")

    def do_import(self, options: dict[str, Any]) -> None:
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
        try:
            header = read_header(data)
        except SyncError as exc:
            raise CommandError(f"{type(exc).__name__}: {exc}") from None
        self.stdout.write(f"bundle from {header['from']}: {header.get('count')} change(s); importing")
        self.stdout.flush()
        summary = import_bundle_data(data)
        self.stdout.write(
            f"imported from {summary.sender}: {summary.new_changes} new of {summary.changes} change(s), "
            f"{summary.reports} new report(s), {summary.new_files} evidence file(s), {summary.conflicts} open conflict(s)"
        )
        for line in summary.skipped:
            self.stderr.write(f"not applied: {line}")

    def _net(self, options: dict[str, Any], push: bool) -> None:
        result = exchange(options["peer"], options["url"], push=push, chunk=options["chunk"])
        received = result.received
        self.stdout.write(
            f"{'pushed' if push else 'pulled'} with {options['peer']}: sent {result.sent} change(s) in "
            f"{result.rounds} round(s); received {received.new_changes if received else 0} new change(s)"
        )

    def do_push(self, options: dict[str, Any]) -> None:
        self._net(options, True)

    def do_pull(self, options: dict[str, Any]) -> None:
        self._net(options, False)

    def do_conflicts(self, options: dict[str, Any]) -> None:
        with transaction.atomic():
            refresh_conflicts(load_replica(instance_keys()))
        rows = list(SyncConflict.objects.filter(open=True).order_by("target", "field"))
        for c in rows:
            values = "; ".join(json.dumps(v, ensure_ascii=False, sort_keys=True) for v in c.values)
            self.stdout.write(
                f"{c.kind}\t{c.target}\t{c.field or '-'}\tshown: {c.winner or '-'}\tvalues: {values}"
            )
        self.stdout.write(f"{len(rows)} open conflict(s)")

    def do_status(self, options: dict[str, Any]) -> None:
        me = instance_keys()
        self.stdout.write(f"this instance: {me.identity.name} ({me.instance})")
        self.stdout.write(f"holds: {json.dumps(have(), sort_keys=True)}")
        for peer in SyncPeer.objects.order_by("name"):
            self.stdout.write(
                f"peer {peer.name} ({peer.instance}) acknowledges {json.dumps(peer.ack, sort_keys=True)}"
            )

    def do_check(self, options: dict[str, Any]) -> None:
        from vigil.abuse.models import EvidenceFile
        from vigil.abuse.operations import verify_evidence
        from vigil.audit.log import verify
        from vigil.audit.models import AuditEntry
        from vigil.records.models import Detention, Identity, Person, Report

        integrity = "n/a"
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA integrity_check")
                integrity = ";".join(str(r[0]) for r in cur.fetchall())
        problems = verify()
        result = {
            "integrity": integrity,
            "audit_problems": [f"{p.seq}: {p.reason}" for p in problems],
            "reports": Report.objects.count(),
            "detentions": Detention.objects.count(),
            "identities": Identity.objects.count(),
            "persons": Person.objects.filter(identities__isnull=False).distinct().count(),
            "changes": SyncChange.objects.count(),
            "audit_entries": AuditEntry.objects.count(),
            "evidence": sorted(e.sha256 for e in EvidenceFile.objects.all() if verify_evidence(e)),
            "evidence_unverified": sorted(
                e.sha256 for e in EvidenceFile.objects.all() if not verify_evidence(e)
            ),
            "have": have(),
            "acks": {p.name: p.ack for p in SyncPeer.objects.order_by("name")},
        }
        self.stdout.write(json.dumps(result, sort_keys=True))
        if integrity not in ("ok", "n/a") or problems or result["evidence_unverified"]:
            sys.stdout.flush()
            raise CommandError("integrity check FAILED")
