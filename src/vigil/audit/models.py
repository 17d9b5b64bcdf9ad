"""The audit log: append-only, hash-chained, written by every important operation.

Entries carry ids and kinds, never names or contacts, so the log itself can be shown to an auditor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from vigil.lib.crypto import chain


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=128, blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["action"]), models.Index(fields=["target"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def body(self) -> dict[str, Any]:
        """What the chain hashes besides ``seq`` (see :mod:`vigil.lib.crypto.chain`): these five keys, with
        the time in ISO 8601. Stored hashes depend on every byte of it."""
        return {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
        }

    def chain_entry(self) -> chain.Entry:
        return chain.Entry(self.seq, self.body(), self.prev_hash, self.hash)

    def compute_hash(self) -> str:
        return chain.entry_hash(self.prev_hash, self.seq, self.body())
