"""The audit log: append-only, hash-chained, written by every important operation.

Entries carry ids and kinds, never names or contacts, so the log itself can be shown to an auditor.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models

GENESIS = "0" * 64


def entry_digest(
    prev_hash: str, seq: int, at: str, actor_id: int | None, action: str, target: str, detail: Any
) -> str:
    payload = json.dumps(
        {"seq": seq, "at": at, "actor": actor_id, "action": action, "target": target, "detail": detail},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256((prev_hash + payload).encode("ascii")).hexdigest()


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

    def compute_hash(self) -> str:
        return entry_digest(
            self.prev_hash,
            self.seq,
            self.at.isoformat(),
            self.actor_id,
            self.action,
            self.target,
            self.detail,
        )
