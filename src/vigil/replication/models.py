"""What the database keeps for sync between instances (issue 7): the change log, the clock, peers and their
acknowledgements, the global ids of local rows, and the conflicts a coordinator must look at.

The log's ``data`` and a conflict's values name people, so they are sealed columns (encrypted per row on
PostgreSQL; the SQLCipher file is encrypted as a whole).
"""

from __future__ import annotations

from django.db import models

from vigil.protection.sealing import SealedJSONField, SealedModel


class SyncState(models.Model):
    """One row: this instance's name, the last HLC stamp it issued or observed, and its latest link decision."""

    name = models.CharField(max_length=64, default="vigil")
    last_stamp = models.CharField(max_length=100, blank=True)
    latest_link = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"sync state of {self.name}"


class SyncChange(SealedModel):
    """One replicated change held here (our own and every peer's), as ``vigil.lib.sync.state.Change`` JSON."""

    origin = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    stamp = models.CharField(max_length=100)
    op = models.CharField(max_length=8)
    target = models.CharField(max_length=160, db_index=True)
    data = SealedJSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["origin", "seq"], name="sync_change_origin_seq")]
        indexes = [models.Index(fields=["op", "stamp"])]

    def __str__(self) -> str:
        return f"{self.origin}#{self.seq} {self.op} {self.target}"


class SyncPeer(models.Model):
    """A trusted instance: its public identity and its version vector as it last told us (what it holds)."""

    name = models.CharField(max_length=64, unique=True)
    identity = models.TextField()
    instance = models.CharField(max_length=64, unique=True)
    ack = models.JSONField(default=dict)
    added_at = models.DateTimeField(auto_now_add=True)
    last_import_at = models.DateTimeField(null=True, blank=True)
    last_export_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"peer {self.name} ({self.instance})"


class GlobalId(models.Model):
    """The id a local row has on every instance (``kind`` is the change target's type: person, identity...)."""

    kind = models.CharField(max_length=40)
    local_id = models.BigIntegerField()
    gid = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "local_id"], name="global_id_local"),
            models.UniqueConstraint(fields=["kind", "gid"], name="global_id_global"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.gid} = #{self.local_id}"


class SyncConflict(SealedModel):
    """A conflict the replicated state shows (concurrent edits, two bodies under one id, concurrent linkage
    decisions, edits of a deleted record): kept for a coordinator, never resolved silently."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10)
    target = models.CharField(max_length=160)
    field = models.CharField(max_length=64, blank=True)
    stamps = models.JSONField(default=list)
    values = SealedJSONField(default=list)
    winner = models.CharField(max_length=100, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)
    open = models.BooleanField(default=True)

    class Meta:
        ordering = ["-open", "target", "field"]

    def __str__(self) -> str:
        return f"{self.kind} conflict on {self.target} {self.field}".strip()
