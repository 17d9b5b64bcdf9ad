"""Replicated changes: their four kinds, their format and its validation (see :mod:`vigil.lib.sync.state`)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from vigil.lib.crypto._encoding import canonical_json
from vigil.lib.sync.errors import SyncError
from vigil.lib.sync.hlc import Stamp, check_instance_id

Json = Any
OPS = ("item", "edit", "delete", "link")
ITEM_TYPES = ("report", "evidence")
LINK_ACTIONS = ("attach", "merge", "split", "undo")
_TARGET = re.compile(r"^([a-z][a-z0-9_]{0,39})/([A-Za-z0-9_.:-]{1,100})$")
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class InvalidChange(SyncError):
    """A change that does not follow the format; refused before anything is applied."""


def content_hash(body: Json) -> str:
    return hashlib.sha256(canonical_json(body)).hexdigest()


@dataclass(frozen=True, slots=True)
class Change:
    """One replicated change: issued once by ``origin`` as its ``seq``-th change, at ``stamp``."""

    origin: str
    seq: int
    stamp: Stamp
    op: str
    target: str
    data: dict[str, Json]

    @property
    def key(self) -> tuple[str, int]:
        return (self.origin, self.seq)

    def to_json(self) -> dict[str, Json]:
        return {
            "o": self.origin,
            "n": self.seq,
            "t": str(self.stamp),
            "op": self.op,
            "x": self.target,
            "d": self.data,
        }

    @classmethod
    def from_json(cls, obj: Json) -> Change:
        if not isinstance(obj, dict) or set(obj) != {"o", "n", "t", "op", "x", "d"}:
            raise InvalidChange("a change is an object with exactly the keys o, n, t, op, x, d")
        if not isinstance(obj["n"], int) or isinstance(obj["n"], bool):
            raise InvalidChange("a change's sequence number is an integer")
        if not isinstance(obj["o"], str) or not isinstance(obj["op"], str) or not isinstance(obj["x"], str):
            raise InvalidChange("a change's origin, op and target are strings")
        try:
            stamp = Stamp.parse(obj["t"])
        except SyncError as exc:
            raise InvalidChange(str(exc)) from None
        change = cls(obj["o"], obj["n"], stamp, obj["op"], obj["x"], obj["d"])
        validate(change)
        return change


def _stamp_or_none(value: Json, what: str) -> Stamp | None:
    if value is None:
        return None
    try:
        return Stamp.parse(value)
    except SyncError:
        raise InvalidChange(f"{what} is a version stamp or null, not {value!r}") from None


def _ids(value: Json, what: str) -> list[str]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and _ID.match(v) for v in value)
    ):
        raise InvalidChange(f"{what} is a non-empty list of ids")
    return value


def _id(value: Json, what: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidChange(f"{what} is an id (letters, digits, '_.:-'), not {value!r}")
    return value


def validate(change: Change) -> None:
    """Raise ``InvalidChange`` unless the change is well formed; checks only the change itself."""
    try:
        check_instance_id(change.origin)
    except SyncError as exc:
        raise InvalidChange(str(exc)) from None
    if change.seq < 1:
        raise InvalidChange("sequence numbers start at 1")
    if change.stamp.instance != change.origin:
        raise InvalidChange(f"change {change.origin}#{change.seq} carries a stamp of another instance")
    if change.op not in OPS:
        raise InvalidChange(f"unknown change kind {change.op!r}")
    data = change.data
    if not isinstance(data, dict):
        raise InvalidChange("a change's data is an object")
    try:
        canonical_json(data)
    except (TypeError, ValueError):
        raise InvalidChange("a change's data is plain JSON (no NaN or infinity)") from None
    if change.op == "link":
        if change.target != "link":
            raise InvalidChange("a link decision targets 'link'")
        _validate_link(data)
        return
    match = _TARGET.match(change.target)
    if not match:
        raise InvalidChange(f"a target is '<type>/<id>', not {change.target!r}")
    kind = match.group(1)
    if change.op == "item":
        if kind not in ITEM_TYPES:
            raise InvalidChange(f"only {', '.join(ITEM_TYPES)} are immutable items, not {kind!r}")
        if set(data) != {"body"}:
            raise InvalidChange("an item change carries exactly a body")
        if kind == "evidence":
            body = data["body"]
            if not isinstance(body, dict) or not isinstance(body.get("sha256"), str):
                raise InvalidChange("an evidence item names its file's sha256")
            if not _SHA256.match(body["sha256"]):
                raise InvalidChange("an evidence sha256 is 64 lower-case hex digits")
        return
    if kind in ITEM_TYPES:
        raise InvalidChange(f"{kind} items are immutable: they cannot be edited or deleted")
    if change.op == "edit":
        if set(data) != {"fields", "base"} or not isinstance(data["fields"], dict) or not data["fields"]:
            raise InvalidChange("an edit carries a non-empty 'fields' object and a 'base' object")
        if not isinstance(data["base"], dict) or set(data["base"]) != set(data["fields"]):
            raise InvalidChange("an edit names a base stamp (or null) for each field it writes")
        for name in data["fields"]:
            if not _FIELD.match(name):
                raise InvalidChange(f"not a field name: {name!r}")
            _stamp_or_none(data["base"][name], f"the base of field {name!r}")
    else:
        if set(data) != {"seen"}:
            raise InvalidChange("a delete carries exactly 'seen'")
        _stamp_or_none(data["seen"], "a delete's 'seen'")


def _validate_link(data: dict[str, Json]) -> None:
    action = data.get("action")
    expected = {
        "attach": {"identity", "person"},
        "merge": {"into", "persons"},
        "split": {"person", "identities", "new_person"},
        "undo": {"op"},
    }
    if action not in expected:
        raise InvalidChange(f"unknown link action {action!r}")
    if set(data) != expected[action] | {"action", "seen"}:
        raise InvalidChange(f"a {action} carries exactly {sorted(expected[action] | {'seen'})}")
    _stamp_or_none(data["seen"], "a link decision's 'seen'")
    if action == "attach":
        _id(data["identity"], "identity")
        _id(data["person"], "person")
    elif action == "merge":
        _id(data["into"], "into")
        _ids(data["persons"], "persons")
    elif action == "split":
        _id(data["person"], "person")
        _id(data["new_person"], "new_person")
        _ids(data["identities"], "identities")
    elif _stamp_or_none(data["op"], "an undo's 'op'") is None:
        raise InvalidChange("an undo names the stamp of the link decision it undoes")
