"""Freezing published figures as dated snapshots."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from vigil.audit.actors import Actor, acting_user
from vigil.audit.log import record as audit
from vigil.figures.counting import event_figures
from vigil.figures.models import Snapshot
from vigil.records.models import Event


def take_snapshot(event: Event | None, *, actor: Actor, label: str = "") -> Snapshot:
    with transaction.atomic():
        snap = Snapshot.objects.create(
            event=event,
            taken_at=timezone.now(),
            label=label,
            figures=event_figures(event),
            taken_by=acting_user(actor),
        )
        audit(actor, "figures.snapshot", snap, event=event.pk if event else None)
        return snap
