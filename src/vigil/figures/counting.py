"""The counting rules. Each figure is a count over a queryset that the lists and exports reuse, so every
number can be traced to the records behind it. The rules are written out in docs/counting-rules.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, Exists, Max, Min, OuterRef, QuerySet, Sum, Value, When

from vigil.cases.models import Case, Charge, Decision
from vigil.figures import FIGURES
from vigil.lib.reference import PUNISHED_BY_FINE_OR_ARREST, region_of_city
from vigil.records.models import Detention, DetentionQuerySet, Event, Whereabouts

# Article 23.34 of KoAP-2003 (public gatherings) and its successor 24.23 of KoAP-2021.
GATHERING_ARTICLES = ("23.34", "24.23")


def scope(event: Event | None) -> DetentionQuerySet:
    qs = Detention.objects.current()  # a corrected report counts once, as corrected
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
    if figure in CASE_STATUSES:
        qs = with_status(qs, figure)
    elif figure == "punished_by_next_day":
        qs = qs.filter(Exists(_punished_cases(event).filter(detention=OuterRef("pk"))))
    return qs


# Where a detention's case stands, as the figures of the same names count it; and whether the person is out.
CASE_STATUSES = ("charged", "awaiting_trial", "decided")
STATUSES = (*CASE_STATUSES, "held", "released")


def with_status(qs: DetentionQuerySet, status: str) -> DetentionQuerySet:
    """The detentions of ``qs`` in this status: ``charged`` (a case with a charge), ``awaiting_trial`` (a
    charged case without a decision), ``decided`` (a decision), ``released`` (a release recorded) or
    ``held`` (no release recorded)."""
    if status == "charged":
        return qs.filter(Exists(Case.objects.filter(detention=OuterRef("pk"), charges__isnull=False)))
    if status == "decided":
        return qs.filter(Exists(Decision.objects.filter(case__detention=OuterRef("pk"))))
    if status == "awaiting_trial":
        pending = Case.objects.filter(detention=OuterRef("pk"), charges__isnull=False).exclude(
            Exists(Decision.objects.filter(case=OuterRef("pk")))
        )
        return qs.filter(Exists(pending))
    if status == "released":
        return qs.filter(released_at__isnull=False)
    if status == "held":
        return qs.filter(released_at__isnull=True)
    raise ValueError(f"unknown status {status!r}")


def narrowed(
    qs: DetentionQuerySet,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    unit: str = "",
    facility: str = "",
    article: str = "",
    outcome: str = "",
    status: str = "",
) -> DetentionQuerySet:
    """``qs`` narrowed by the list filters: detained from ``since`` to ``until`` (inclusive), by ``unit``,
    ever held at ``facility``, charged under ``article``, with a decision of ``outcome``, in ``status``."""
    if since:
        qs = qs.filter(detained_on__gte=since)
    if until:
        qs = qs.filter(detained_on__lte=until)
    if unit:
        qs = qs.filter(unit=unit)
    if facility:
        qs = qs.filter(Exists(Whereabouts.objects.filter(detention=OuterRef("pk"), facility=facility)))
    if article:
        qs = qs.filter(Exists(Charge.objects.filter(case__detention=OuterRef("pk"), article=article)))
    if outcome:
        qs = qs.filter(Exists(Decision.objects.filter(case__detention=OuterRef("pk"), outcome=outcome)))
    if status:
        qs = with_status(qs, status)
    return qs


# What one row of a figure's list is: a person, a detention episode (a person on a day), or a group report.
PERSON_FIGURES = frozenset({"persons", "charged", "decided", "awaiting_trial", "punished_by_next_day"})


def figure_unit(figure: str) -> str:
    if figure == "detentions":
        return "episode"
    if figure == "unnamed_head_count":
        return "group"
    return "person"


def figure_rows(qs: QuerySet[Detention], figure: str) -> QuerySet[Detention, dict[str, Any]]:
    """The rows of ``detentions_for(..., figure)`` grouped into what the figure counts, one row per unit,
    each with ``person_id``, ``day`` (an episode's day, else None), ``reports`` (detention rows behind it),
    ``heads``, ``first_day``, ``last_day`` and ``first_pk`` (its first detention row, for a label).

    A person figure is the number of rows; ``detentions`` too; ``unnamed_head_count`` is the sum of
    ``heads`` over its rows (one row per group report)."""
    unit = figure_unit(figure)
    keys = {"person": ("person_id",), "episode": ("person_id", "detained_on"), "group": ("pk",)}[unit]
    rows = (
        qs.order_by()
        .values(*keys)
        .annotate(
            reports=Count("pk"),
            heads=Sum("head_count"),
            first_day=Min("detained_on"),
            last_day=Max("detained_on"),
            first_pk=Min("pk"),
        )
    )
    if unit == "person":
        return rows.order_by("person_id")
    return rows.order_by("-first_day", "first_pk")


def figure_total(qs: QuerySet[Detention], figure: str) -> int:
    """The figure over these rows, computed from its list: the list's length, or its heads for groups."""
    rows = figure_rows(qs, figure)
    if figure_unit(figure) == "group":
        return int(sum(r["heads"] for r in rows))
    return rows.count()


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
    """Every figure of an event, counted by the database in a few grouped scans of its detention rows (an
    index covers them) and three reads of its cases, charges and decisions.

    The rules are those of :func:`detentions_for` (which the linked lists use); ``tests/app`` checks that each
    figure equals the count of the list it links to, and an independent recount on the demo data.
    """
    named = _named(event).order_by()
    unnamed = scope(event).filter(person__isnull=True).order_by()
    totals = named.aggregate(
        persons=Count("person_id", distinct=True), reports=Count("report_id", distinct=True)
    )
    # An episode is a distinct (person, day). Counted over SELECT DISTINCT of the column pairs, not as
    # COUNT(DISTINCT person || ':' || day): building 100,000 strings made that one query cost half the page.
    episodes = named.values("person_id", "detained_on").distinct().count()
    city_persons, city_episodes = _by_city(named)
    day_persons = dict(
        named.values("detained_on")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("detained_on", "n")
    )
    unnamed_by_city: dict[str, int] = {}
    unnamed_by_day: dict[dt.date, int] = {}
    unnamed_head_count = unnamed_reports = 0
    for city, day, heads, rows in (
        unnamed.values("city", "detained_on")
        .annotate(heads=Sum("head_count"), rows=Count("pk"))
        .values_list("city", "detained_on", "heads", "rows")
    ):
        unnamed_by_city[city] = unnamed_by_city.get(city, 0) + heads
        unnamed_by_day[day] = unnamed_by_day.get(day, 0) + heads
        unnamed_head_count += heads
        unnamed_reports += rows
    cities = sorted(set(city_persons) | set(unnamed_by_city), key=lambda c: (-city_persons.get(c, 0), c))
    by_city = [
        {
            "city": city,
            "persons": city_persons.get(city, 0),
            "detentions": city_episodes.get(city, 0),
            "unnamed_head_count": unnamed_by_city.get(city, 0),
        }
        for city in cities
    ]
    by_day = [
        {
            "day": day.isoformat(),
            "persons": day_persons.get(day, 0),
            "unnamed_head_count": unnamed_by_day.get(day, 0),
        }
        for day in sorted(set(day_persons) | set(unnamed_by_day))
    ]
    return {
        "event": event.slug if event else None,
        "event_name": event.name if event else None,
        "event_date": event.date.isoformat() if event else None,
        "persons": totals["persons"],
        "unnamed_head_count": unnamed_head_count,
        "unnamed_reports": unnamed_reports,
        "detentions": episodes,
        "reports": totals["reports"] + unnamed_reports,
        "by_city": by_city,
        "by_day": by_day,
        **_case_figures(event),
        "is_synthetic": scope(event).filter(is_synthetic=True).exists(),
    }


def _by_city(named: QuerySet[Detention]) -> tuple[dict[str, int], dict[str, int]]:
    """Persons and episodes per city, both from one DISTINCT (city, person, day) of the named rows: one sort
    instead of two, the costlier part of the page on SQLCipher."""
    sql, params = named.values("city", "person_id", "detained_on").distinct().query.sql_with_params()
    persons: dict[str, int] = {}
    episodes: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT city, COUNT(DISTINCT person_id), COUNT(*) FROM ({sql}) AS episodes GROUP BY city", params
        )
        for city, n_persons, n_episodes in cursor.fetchall():
            persons[city] = n_persons
            episodes[city] = n_episodes
    return persons, episodes


def persons_by_region(event: Event | None) -> dict[str, Any]:
    """Distinct persons detained in each region (Minsk city being one of its own), by the rule of the
    persons figure and over the same rows as ``by_city``: a person detained in two cities of one region
    counts once there. Rows whose city the cities table does not know (or without a city) are counted
    together as ``unplaced``, so that nothing drops off the map silently.

    ``{"regions": {"BY-HM": persons, ...}, "unplaced": persons}``, regions without records left out.
    One grouped scan of the event's detention rows, after a look-up of the cities they name.
    """
    named = _named(event).order_by()
    by_region: dict[str, list[str]] = {}
    for city in named.values_list("city", flat=True).distinct():
        by_region.setdefault(region_of_city(city) or "", []).append(city)
    placed = [When(city__in=cities, then=Value(iso)) for iso, cities in sorted(by_region.items()) if iso]
    region = SqlCase(*placed, default=Value(""), output_field=CharField()) if placed else Value("")
    counts = dict(
        named.annotate(region=region)
        .values("region")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("region", "n")
    )
    unplaced = counts.pop("", 0)
    return {"regions": counts, "unplaced": unplaced}


def _case_figures(event: Event | None) -> dict[str, int]:
    """charged, decided, awaiting_trial and punished_by_next_day over the event's named detentions."""
    # Joins from the (few) cases to their detentions, not IN (subquery) over every detention of the event.
    where: dict[str, Any] = {"detention__person__isnull": False}
    if event is not None:
        where["detention__event__in"] = event.with_parts_ids()
    person_of = dict(Case.objects.filter(**where).values_list("pk", "detention__person_id"))
    case_where = {f"case__{k}": v for k, v in where.items()}
    charged_cases: set[int] = set()
    gathering_cases: set[int] = set()
    for case, article in Charge.objects.filter(**case_where).values_list("case_id", "article"):
        charged_cases.add(case)
        if article in GATHERING_ARTICLES:
            gathering_cases.add(case)
    decided_cases: set[int] = set()
    punished_cases: set[int] = set()
    limit = event.date + dt.timedelta(days=1) if event is not None else None
    for case, outcome, decided_on in Decision.objects.filter(**case_where).values_list(
        "case_id", "outcome", "decided_on"
    ):
        decided_cases.add(case)
        if outcome in PUNISHED_BY_FINE_OR_ARREST and (limit is None or decided_on <= limit):
            punished_cases.add(case)

    def persons(case_ids: set[int]) -> int:
        return len({person_of[c] for c in case_ids if c in person_of})

    return {
        "charged": persons(charged_cases),
        "decided": persons(decided_cases),
        "awaiting_trial": persons(charged_cases - decided_cases),
        "punished_by_next_day": persons(punished_cases & gathering_cases),
    }


def diff_figures(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed between two sets of figures: scalar figures and per-city persons."""
    changes = []
    for key in FIGURES:
        if old.get(key) != new.get(key):
            changes.append({"figure": key, "before": old.get(key), "after": new.get(key)})
    old_city = {c["city"]: c["persons"] for c in old.get("by_city", [])}
    new_city = {c["city"]: c["persons"] for c in new.get("by_city", [])}
    for city in sorted(set(old_city) | set(new_city)):
        if old_city.get(city, 0) != new_city.get(city, 0):
            changes.append(
                {
                    "figure": f"persons in {city}",
                    "city": city,
                    "before": old_city.get(city, 0),
                    "after": new_city.get(city, 0),
                }
            )
    return changes
