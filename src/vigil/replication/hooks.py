"""The calls the write operations make, in their own transactions, so that every replicated write is logged.

Each hook is a no-op while a bundle is being applied (the replayed operation then only maps global ids).
"""

from __future__ import annotations

import uuid as uuid_mod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from vigil.records.models import Report
from vigil.replication.log import (
    derived_gid,
    edit,
    gid_of,
    gids_of,
    iso,
    issue,
    issue_many,
    local_of,
    set_gid,
    set_gids,
    set_gids_of_kinds,
)
from vigil.replication.models import GlobalId
from vigil.replication.rows import SPECS, to_json


def report_body(report: Any) -> dict[str, Any]:
    """A report as received, as plain JSON: what travels as the item ``report/<uuid>``."""
    source = report.source
    return {
        "source": {
            "kind": source.kind,
            "name": source.name,
            "reliability": source.reliability,
            "contact": source.contact,
        },
        "received_at": report.received_at.isoformat(),
        "kind": report.kind,
        "raw_text": report.raw_text,
        "payload": report.payload,
        "is_synthetic": report.is_synthetic,
    }


def on_report(report: Any) -> None:
    issue("item", f"report/{report.uuid}", {"body": report_body(report)})


def on_detention(detention: Any) -> None:
    """A detention recorded from a report: its identity, person and detention get ids derived from the
    report's UUID (the same on every instance that replays the report), and the identity is attached."""
    report_uuid = detention.report.uuid
    set_gid("detention", detention.pk, derived_gid(report_uuid, "detention"))
    for place in detention.whereabouts.all():
        set_gid("whereabouts", place.pk, derived_gid(report_uuid, "whereabouts"))
    if detention.identity_id is None:
        return
    identity, person = derived_gid(report_uuid, "identity"), derived_gid(report_uuid, "person")
    set_gid("identity", detention.identity_id, identity)
    set_gid("person", detention.person_id, person)
    issue("link", "link", {"action": "attach", "identity": identity, "person": person})


def on_detentions(recorded: list[tuple[Any, Any]]) -> None:
    """``on_report`` then ``on_detention`` for each (report, detention) recorded in bulk, with the same changes
    in the same order; the detentions' whereabouts must be the ones created with them (at most one each)."""
    gids: dict[str, list[tuple[int, str]]] = {
        "detention": [],
        "whereabouts": [],
        "identity": [],
        "person": [],
    }
    ops: list[tuple[str, str, dict[str, Any]]] = []
    for report, detention in recorded:
        ops.append(("item", f"report/{report.uuid}", {"body": report_body(report)}))
        gids["detention"].append((detention.pk, derived_gid(report.uuid, "detention")))
        for place in getattr(detention, "new_whereabouts", ()):
            gids["whereabouts"].append((place.pk, derived_gid(report.uuid, "whereabouts")))
        if detention.identity_id is None:
            continue
        identity, person = derived_gid(report.uuid, "identity"), derived_gid(report.uuid, "person")
        gids["identity"].append((detention.identity_id, identity))
        gids["person"].append((detention.person_id, person))
        ops.append(("link", "link", {"action": "attach", "identity": identity, "person": person}))
    set_gids_of_kinds(gids)
    issue_many(ops)


def on_row(kind: str, obj: models.Model) -> None:
    """A new row of a replicated kind (whereabouts, allegation, case, charge, hearing, decision)."""
    edit(f"{kind}/{gid_of(kind, obj.pk)}", to_json(kind, obj))


def on_fields(kind: str, obj: models.Model, names: list[str]) -> None:
    """Some fields of a replicated row changed (a release, consent): one last-writer-wins write each."""
    edit(f"{kind}/{gid_of(kind, obj.pk)}", to_json(kind, obj, names))


@dataclass(frozen=True)
class Write:
    """One replicated write of a bulk operation: a new report (``kind="report"``), a new row of a replicated
    kind (``names=None``, as ``on_row``) or some changed fields of one (as ``on_fields``). ``reports``: the
    UUIDs of the row's reports at the time of this write, for a kind that carries them (a case)."""

    kind: str
    obj: Any
    names: list[str] | None = None
    reports: Sequence[Any] | None = None


def on_writes(writes: Sequence[Write]) -> None:
    """``on_report``, ``on_row`` and ``on_fields`` for each write in turn, with the same changes in the same
    order as one by one, and the same global ids (found or given) for the rows, in a few statements."""
    if not writes:
        return
    wanted: dict[str, set[int]] = {}
    report_ids: set[int] = set()
    for w in writes:
        if w.kind == "report":
            continue
        spec = SPECS[w.kind]
        wanted.setdefault(w.kind, set()).add(w.obj.pk)
        for name in w.names or list(spec.fields):
            how = spec.fields.get(name)
            if how == "report":
                report_ids.add(getattr(w.obj, f"{name}_id"))
            elif how not in (None, "plain", "date", "datetime", "decimal"):
                local = getattr(w.obj, f"{name}_id")
                if local is not None:
                    wanted.setdefault(how, set()).add(local)
    gids = gids_of(wanted)
    uuids = {r.pk: str(r.uuid) for w in writes if w.kind == "report" for r in [w.obj]}
    missing = sorted(report_ids - set(uuids))
    for start in range(0, len(missing), 900):
        uuids.update(
            (pk, str(u))
            for pk, u in Report.objects.filter(pk__in=missing[start : start + 900]).values_list("pk", "uuid")
        )
    ops: list[tuple[str, str, dict[str, Any]]] = []
    for w in writes:
        if w.kind == "report":
            ops.append(("item", f"report/{w.obj.uuid}", {"body": report_body(w.obj)}))
            continue
        fields = to_json(
            w.kind,
            w.obj,
            w.names,
            gid=lambda kind, pk: gids[(kind, pk)],
            report_uuid=uuids.__getitem__,
            many=w.reports,
        )
        ops.append(("edit", f"{w.kind}/{gids[(w.kind, w.obj.pk)]}", {"fields": fields}))
    issue_many(ops)


def on_event(event: Any) -> None:
    edit(
        f"event/{event.slug}",
        {
            "name": event.name,
            "name_ru": event.name_ru,
            "name_be": event.name_be,
            "kind": event.kind,
            "date": iso(event.date),
            "city": event.city,
            "place": event.place,
            "parent": event.parent.slug if event.parent_id else None,
            "is_synthetic": event.is_synthetic,
        },
    )


def on_evidence(evidence: Any) -> None:
    gid = gid_of("evidence", evidence.pk)
    body = {
        "sha256": evidence.sha256,
        "size": evidence.size,
        "media_type": evidence.media_type,
        "original_name": evidence.original_name,
        "report": str(evidence.report.uuid),
        "allegation": gid_of("allegation", evidence.allegation_id),
    }
    issue("item", f"evidence/{gid}", {"body": body})


def on_merge(operation: Any, target: Any, others: Iterable[Any]) -> None:
    change = issue(
        "link",
        "link",
        {
            "action": "merge",
            "into": gid_of("person", target.pk),
            "persons": sorted(gid_of("person", p.pk) for p in others),
        },
    )
    if change is not None:
        set_gid("linkop", operation.pk, str(change.stamp))


def on_merges(merges: Sequence[tuple[Any, int, Iterable[int]]]) -> None:
    """``on_merge`` for each (operation, target person id, other person ids) in turn: the same changes in the
    same order, with one look-up of the persons' global ids and one insert."""
    wanted = {"person": [pk for _op, target, others in merges for pk in (target, *others)]}
    gids = gids_of(wanted)
    changes = issue_many(
        [
            (
                "link",
                "link",
                {
                    "action": "merge",
                    "into": gids[("person", target)],
                    "persons": sorted(gids[("person", pk)] for pk in others),
                },
            )
            for _op, target, others in merges
        ]
    )
    if changes:
        set_gids("linkop", [(op.pk, str(c.stamp)) for (op, _t, _o), c in zip(merges, changes, strict=True)])


def on_split(operation: Any, person: Any, new_person: Any, identity_ids: Iterable[int]) -> None:
    set_gid("person", new_person.pk, str(uuid_mod.uuid4()))
    change = issue(
        "link",
        "link",
        {
            "action": "split",
            "person": gid_of("person", person.pk),
            "identities": sorted(gid_of("identity", i) for i in identity_ids),
            "new_person": gid_of("person", new_person.pk),
        },
    )
    if change is not None:
        set_gid("linkop", operation.pk, str(change.stamp))


def on_undo(operation: Any) -> None:
    stamp = (
        GlobalId.objects.filter(kind="linkop", local_id=operation.pk).values_list("gid", flat=True).first()
    )
    if stamp is not None:
        issue("link", "link", {"action": "undo", "op": stamp})


def linkop_of(stamp: str) -> int | None:
    return local_of("linkop", stamp)
