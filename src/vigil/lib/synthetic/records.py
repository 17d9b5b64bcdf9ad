"""The public record types of a synthetic world, the mark its texts carry, and the march it models.

A :class:`World` holds the true persons (:class:`TruePerson`), the events, the reports the sources made
(:class:`SyntheticReport`, each knowing the person behind it), court decisions, allegations of abuse and the
number of detained persons no source reported. Every ``raw_text`` and ``source_name`` carries
:data:`SYNTHETIC_MARK`; ``MARCH_DATE``, ``NEXT_DAY``, ``MINSK_TZ`` and ``PARENT_EVENT`` fix the 8 November 2020
march that :func:`vigil.lib.synthetic.world.generate_world` models.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

SYNTHETIC_MARK = "SYNTHETIC"

# The march generate_world models: its day, the day after, Minsk's time zone, the parent event's slug.
MARCH_DATE = datetime.date(2020, 11, 8)
NEXT_DAY = datetime.date(2020, 11, 9)
MINSK_TZ = datetime.timezone(datetime.timedelta(hours=3), "Europe/Minsk")
PARENT_EVENT = "2020-11-08-march"


@dataclass(frozen=True)
class TruePerson:
    person_id: str
    surname_ru: str
    surname_be: str
    given_ru: str
    given_be: str
    patronymic_ru: str
    sex: str  # "m" / "f"
    birth_date: datetime.date | None
    home_city: str


@dataclass(frozen=True)
class SyntheticEvent:
    slug: str
    name_en: str
    name_ru: str
    name_be: str
    date: datetime.date
    city: str
    parent: str | None


@dataclass(frozen=True)
class SyntheticReport:
    record_id: str
    source: str
    source_name: str
    person_id: str | None
    full_name: str
    birth_date: datetime.date | None
    birth_year: int | None
    sex: str
    city: str
    city_canonical: str
    event_slug: str | None
    detained_on: datetime.date
    detained_at: datetime.datetime | None
    place: str
    unit: str
    held_at: str
    head_count: int
    injuries: str
    raw_text: str


@dataclass(frozen=True)
class SyntheticDecision:
    person_id: str
    article: str
    court: str
    judge: str
    hearing_on: datetime.date
    outcome: str
    fine_base_units: int | None
    arrest_days: int | None


@dataclass(frozen=True)
class SyntheticAllegation:
    person_id: str
    violation_type: str
    occurred_on: datetime.date
    place: str
    unit: str
    narrative: str
    evidence: tuple[tuple[str, bytes], ...]


@dataclass
class World:
    seed: int
    persons: list[TruePerson]
    events: list[SyntheticEvent]
    reports: list[SyntheticReport]
    decisions: list[SyntheticDecision]
    allegations: list[SyntheticAllegation]
    # How each named report's full_name was produced (record_id -> e.g. "ru_dim+typo"); lets tests and
    # benchmarks break results down by hard case. Not part of what a real source would give us.
    forms: dict[str, str] = field(default_factory=dict)
    # Detained persons whom no source reported (simulated, then invisible): the truth for estimation is
    # len(persons) + n_unobserved.
    n_unobserved: int = 0

    @property
    def true_total(self) -> int:
        """Number of persons truly detained, reported or not."""
        return len(self.persons) + self.n_unobserved
