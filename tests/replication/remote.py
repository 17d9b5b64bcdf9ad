"""Another instance, simulated in the test process with the pure ``vigil.lib.sync`` library: its own keys and
replica, exchanging real bundles with the Django instance under test."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from vigil.lib.sync.bundle import ImportResult, Keys, Peer, export_bundle, import_bundle
from vigil.lib.sync.changes import Change
from vigil.lib.sync.replica import Replica
from vigil.records.operations import DetentionInput
from vigil.replication.exchange import add_peer
from vigil.replication.log import derived_gid, instance_keys


class Remote:
    def __init__(self, name: str = "remote") -> None:
        self.keys = Keys.generate(name)
        self.replica = Replica(self.keys.instance)
        self.peer = Peer(instance_keys().identity)
        self.files: dict[str, bytes] = {}
        self.name = name
        add_peer(name, str(self.keys.identity))

    def bundle(self) -> bytes:
        return export_bundle(self.replica, me=self.keys, peer=self.peer, files=self.files)

    def receive(self, data: bytes) -> ImportResult:
        return import_bundle(
            self.replica, data, me=self.keys, peers={self.peer.instance: self.peer}, files=self.files
        )

    def detention(self, full_name: str, *, day: dt.date = dt.date(2020, 11, 8), city: str = "Minsk") -> str:
        """Report a named detention as the remote's volunteers would; returns the report UUID."""
        report_uuid = str(uuid.uuid4())
        body: dict[str, Any] = {
            "source": {"kind": "hotline", "name": f"hotline {self.name}", "reliability": "D", "contact": ""},
            "received_at": dt.datetime(2020, 11, 8, 20, 0, tzinfo=dt.UTC).isoformat(),
            "kind": "detention",
            "raw_text": "",
            "payload": DetentionInput(detained_on=day, city=city, full_name=full_name).payload(),
            "is_synthetic": False,
        }
        self.replica.submit(f"report/{report_uuid}", body)
        self.replica.link(
            "attach", identity=derived_gid(report_uuid, "identity"), person=derived_gid(report_uuid, "person")
        )
        return report_uuid

    def edit(self, target: str, fields: dict[str, Any]) -> Change:
        return self.replica.edit(target, fields)

    def link(self, action: str, **data: Any) -> Change:
        return self.replica.link(action, **data)
