"""The counting rules. Each figure is a count over a queryset that the lists and exports reuse, so every
number can be traced to the records behind it. The rules are written out in docs/counting-rules.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from vigil.cases.models import Case, Charge, Decision
from vigil.records.models import Detention, DetentionQuerySet, Event
from vigil.reference import PUNISHED_BY_FINE_OR_ARREST

# Article 23.34 of KoAP-2003 (public gatherings) and its successor 24.23 of KoAP-2021.
GATHERING_ARTICLES = ("23.34", "24.23")

FIGURES = (
    "persons",
    "detentions",
    "unnamed_head_count",
    "charged",
    "decided",
    "awaiting_trial",
    "punished_by_next_day",
)


def scope(event: Event | None) -> DetentionQuerySet:
    qs = Detention.objects.all()
    return qs.for_event(event) if event is not None else qs


def _named(event: Event | None) -> DetentionQuerySet:
    return scope(event).filter(person__isnull=False)


def _cases(event: Event | None) -> QuerySet[Case]:
    return Case.objects.filter(detention__in=_named(event))


def detentions_for(
    event: Event | None, figure: str = "persons", *, city: str | None = None, day: dt.date | None = None
) -> DetentionQuerySet:
    """The detention rows a figure counts (persons are the distinct ``person`` of these rows)."""
    if figure not in FIGURES:
        raise ValueError(f"unknown figure {figure!r}")
    if figure == "unnamed_head_count":
        qs = scope(event).filter(person__isnull=True)
    else:
        qs = _named(event)
    if city:
        qs = qs.filter(city=city)
    if day:
        qs = qs.filter(detained_on=day)
    if figure in {"charged", "decided", "awaiting_trial", "punished_by_next_day"}:
        charged_cases = Case.objects.filter(detention=OuterRef("pk"), charges__isnull=False)
        if figure == "charged":
            qs = qs.filter(Exists(charged_cases))
        elif figure == "decided":
            qs = qs.filter(Exists(Decision.objects.filter(case__detention=OuterRef("pk"))))
        elif figure == "awaiting_trial":
            pending = Case.objects.filter(detention=OuterRef("pk"), charges__isnull=False).exclude(
                Exists(Decision.objects.filter(case=OuterRef("pk")))
            )
            qs = qs.filter(Exists(pending))
        else:
            qs = qs.filter(Exists(_punished_cases(event).filter(detention=OuterRef("pk"))))
    return qs


def _punished_cases(event: Event | None) -> QuerySet[Case]:
    qs = Case.objects.filter(
        Exists(Charge.objects.filter(case=OuterRef("pk"), article__in=GATHERING_ARTICLES)),
    )
    decisions = Decision.objects.filter(case=OuterRef("pk"), outcome__in=PUNISHED_BY_FINE_OR_ARREST)
    if event is not None:
        decisions = decisions.filter(decided_on__lte=event.date + dt.timedelta(days=1))
    return qs.filter(Exists(decisions))


def count_persons(qs: QuerySet[Detention]) -> int:
    return qs.values("person").distinct().count()


def count_episodes(qs: QuerySet[Detention]) -> int:
    """Detention episodes: distinct (person, day). Several reports of one arrest are one episode."""
    return qs.values("person", "detained_on").distinct().count()


def event_figures(event: Event | None) -> dict[str, Any]:
    named = _named(event)
    unnamed = scope(event).filter(person__isnull=True)
    persons_by_city = {
        row["city"]: row
        for row in named.values("city").annotate(persons=Count("person", distinct=True)).order_by("city")
    }
    episodes_by_city: dict[str, int] = {}
    for row in named.values("city", "person", "detained_on").distinct().values_list("city", flat=True):
        episodes_by_city[row] = episodes_by_city.get(row, 0) + 1
    unnamed_by_city = {r["city"]: r["n"] for r in unnamed.values("city").annotate(n=Sum("head_count"))}
    by_city = [
        {
            "city": city,
            "persons": persons_by_city.get(city, {}).get("persons", 0),
            "detentions": episodes_by_city.get(city, 0),
            "unnamed_head_count": unnamed_by_city.get(city, 0),
        }
        for city in sorted(set(persons_by_city) | set(unnamed_by_city), key=lambda c: (-persons_by_city.get(c, {}).get("persons", 0), c))
    ]
    persons_by_day = {
        row["detained_on"]: row["persons"]
        for row in named.values("detained_on").annotate(persons=Count("person", distinct=True))
    }
    unnamed_by_day = {r["detained_on"]: r["n"] for r in unnamed.values("detained_on").annotate(n=Sum("head_count"))}
    by_day = [
        {"day": day.isoformat(), "persons": persons_by_day.get(day, 0), "unnamed_head_count": unnamed_by_day.get(day, 0)}
        for day in sorted(set(persons_by_day) | set(unnamed_by_day))
    ]
    return {
        "event": event.slug if event else None,
        "event_name": event.name if event else None,
        "event_date": event.date.isoformat() if event else None,
        "persons": count_persons(named),
        "unnamed_head_count": unnamed.aggregate(n=Sum("head_count"))["n"] or 0,
        "unnamed_reports": unnamed.count(),
        "detentions": count_episodes(named),
        "reports": named.values("report").distinct().count() + unnamed.count(),
        "by_city": by_city,
        "by_day": by_day,
        "charged": count_persons(detentions_for(event, "charged")),
        "decided": count_persons(detentions_for(event, "decided")),
        "awaiting_trial": count_persons(detentions_for(event, "awaiting_trial")),
        "punished_by_next_day": count_persons(detentions_for(event, "punished_by_next_day")),
        "is_synthetic": scope(event).filter(is_synthetic=True).exists(),
    }


def diff_figures(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed between two sets of figures: scalar figures and per-city persons."""
    changes = []
    for key in ("persons", "detentions", "unnamed_head_count", "charged", "decided", "awaiting_trial", "punished_by_next_day"):
        if old.get(key) != new.get(key):
            changes.append({"figure": key, "before": old.get(key), "after": new.get(key)})
    old_city = {c["city"]: c["persons"] for c in old.get("by_city", [])}
    new_city = {c["city"]: c["persons"] for c in new.get("by_city", [])}
    for city in sorted(set(old_city) | set(new_city)):
        if old_city.get(city, 0) != new_city.get(city, 0):
            changes.append({"figure": f"persons in {city}", "before": old_city.get(city, 0), "after": new_city.get(city, 0)})
    return changes
