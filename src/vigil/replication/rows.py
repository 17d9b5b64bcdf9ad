"""How replicated rows become plain JSON field values and back: foreign keys travel as global ids (reports as
their UUID), dates and datetimes as ISO 8601, decimals as strings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models

from vigil.abuse.models import Allegation
from vigil.cases.models import Case, Charge, Decision, Hearing
from vigil.records.models import Detention, Person, Report, Whereabouts
from vigil.replication.log import gid_of, local_of


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    fields: dict[
        str, str
    ]  # name -> "plain" | "date" | "datetime" | "decimal" | "report" | a kind of global id
    creatable: bool = True
    many: str = ""  # a many-to-many to reports, carried as a sorted list of report UUIDs


# In dependency order: a row's foreign keys point only to kinds listed before it (or to reports).
SPECS: dict[str, Spec] = {
    "person": Spec(Person, {"consent_to_publish": "plain", "is_synthetic": "plain"}),
    "detention": Spec(Detention, {"released_at": "datetime"}, creatable=False),
    "whereabouts": Spec(
        Whereabouts, {"detention": "detention", "facility": "plain", "since": "datetime", "report": "report"}
    ),
    "allegation": Spec(
        Allegation,
        {
            "detention": "detention",
            "violation_type": "plain",
            "occurred_at": "datetime",
            "place": "plain",
            "perpetrator_unit": "plain",
            "injuries": "plain",
            "medical_documentation": "plain",
            "narrative": "plain",
        },
        many="reports",
    ),
    "case": Spec(
        Case,
        {"detention": "detention", "kind": "plain", "number": "plain", "court": "plain", "judge": "plain"},
        many="reports",
    ),
    "charge": Spec(
        Charge, {"case": "case", "code": "plain", "article": "plain", "part": "plain", "report": "report"}
    ),
    "hearing": Spec(
        Hearing, {"case": "case", "held_on": "date", "court": "plain", "judge": "plain", "report": "report"}
    ),
    "decision": Spec(
        Decision,
        {
            "case": "case",
            "sequence": "plain",
            "decided_on": "date",
            "outcome": "plain",
            "fine_base_units": "decimal",
            "fine_byn": "decimal",
            "arrest_days": "plain",
            "community_service_hours": "plain",
            "prison_months": "plain",
            "report": "report",
        },
    ),
}


class Missing(LookupError):
    """A row names a record that is not here (yet)."""


def to_json(
    kind: str,
    obj: models.Model,
    names: list[str] | None = None,
    *,
    gid: Callable[[str, int], str] = gid_of,
    report_uuid: Callable[[int], str] | None = None,
    many: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A replicated row's fields (``names``, or all of them) as plain JSON. A bulk write passes what it already
    knows instead of the look-ups: ``gid`` (a row's global id), ``report_uuid`` (a report's UUID by id) and
    ``many`` (the UUIDs of the row's reports at the time of the write)."""
    spec = SPECS[kind]

    def many_uuids() -> list[str]:
        if many is not None:
            return sorted(str(u) for u in many)
        return sorted(str(u) for u in getattr(obj, spec.many).values_list("uuid", flat=True))

    out: dict[str, Any] = {}
    for name in names or list(spec.fields):
        if name == spec.many:
            out[name] = many_uuids()
            continue
        how = spec.fields[name]
        if how == "report":
            report_id = getattr(obj, f"{name}_id")
            out[name] = (
                report_uuid(report_id)
                if report_uuid is not None
                else str(Report.objects.filter(pk=report_id).values_list("uuid", flat=True).get())
            )
        elif how in ("plain", "date", "datetime", "decimal"):
            value = getattr(obj, name)
            if how in ("date", "datetime") and value is not None:
                value = value.isoformat()
            elif how == "decimal" and value is not None:
                value = str(value)
            out[name] = value
        else:
            local = getattr(obj, f"{name}_id")
            out[name] = gid(how, local) if local is not None else None
    if spec.many and not names:
        out[spec.many] = many_uuids()
    return out


def from_json(kind: str, values: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """Model field values for a record's JSON fields, and the local ids of its many-to-many reports.
    Raises ``Missing`` if a foreign key names a record that is not here."""
    spec = SPECS[kind]
    out: dict[str, Any] = {}
    for name, how in spec.fields.items():
        if name not in values:
            continue
        value = values[name]
        if value is None:
            out[f"{name}_id" if how not in ("plain", "date", "datetime", "decimal") else name] = None
        elif how == "plain":
            out[name] = value
        elif how == "date":
            out[name] = dt.date.fromisoformat(value)
        elif how == "datetime":
            out[name] = dt.datetime.fromisoformat(value)
        elif how == "decimal":
            out[name] = Decimal(value)
        elif how == "report":
            pk = Report.objects.filter(uuid=value).values_list("pk", flat=True).first()
            if pk is None:
                raise Missing(f"report/{value}")
            out[f"{name}_id"] = pk
        else:
            local = local_of(how, value)
            if local is None:
                raise Missing(f"{how}/{value}")
            out[f"{name}_id"] = local
    many: list[int] = []
    if spec.many and spec.many in values:
        many = list(Report.objects.filter(uuid__in=values[spec.many]).values_list("pk", flat=True))
    return out, many
