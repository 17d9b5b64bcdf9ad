"""A CLEARLY SYNTHETIC data set modelled on the 8 November 2020 march in Belarus, with its truth.

Nothing here describes a real person. Names are drawn from common Belarusian/Russian given names and surnames,
every ``raw_text`` and ``source_name`` carries :data:`SYNTHETIC_MARK`, evidence files say they are synthetic.

The generator is deliberately independent of :mod:`vigil.lib.names`: romanisations are produced here from the shipped
transliteration tables so that this package can serve as an independent source of truth when testing that one.

Public API
----------
* :func:`generate_world` -- persons, events, reports (with the person behind each), decisions, allegations.
* :func:`link_rows` -- a fast, flat table of named reports for linkage benchmarks (up to millions of rows).
* :func:`capture_histories` -- which source kinds captured each person (for multiple-systems estimation).
* :func:`report_rows` -- a world's named reports in the link_rows format.
* :func:`romanise` -- table-driven romanisation of Belarusian/Russian Cyrillic in one named scheme.

The package re-exports every public name of its modules; callers import from here. The modules:

* ``records`` -- the public record types (``World``, ``TruePerson``, ``SyntheticReport``, ...),
  :data:`SYNTHETIC_MARK` and the march's date, time zone and event slug.
* ``romanisation`` -- :func:`romanise` and the informal romanisations.
* ``name_pools`` -- surnames, given names and patronymics with their sampling weights.
* ``places`` -- cities and their weights, places of detention, facilities, units, injuries.
* ``population`` -- identities, the sampler of identities and cities, birth dates, one true detention.
* ``sources`` -- the source kinds: which detentions each reports and how it writes names and birth dates.
* ``detention_calendar`` -- 2020's detentions by day, over which :func:`link_rows` spreads its reports.
* ``world`` -- :func:`generate_world`.
* ``decisions`` -- the court decisions and allegations of a world.
* ``tables`` -- :func:`capture_histories`, :func:`report_rows` and :func:`link_rows`.

The model, in short
-------------------
* Persons: ~72% men; ~87.5% detained in Minsk, the rest in regional cities (weights in
  ``places._OTHER_CITY_WEIGHTS``); ages 18-75 (gamma-shaped, mean ~33). Surnames: ~70 common ones with
  Zipf-like weights (8% of persons together, Иванов ~0.7%), the 28 tabled examples, and ~1,100 rarer composed
  ones sharing the rest; given names and patronymics from given_names_be_ru.csv. About 3% of
  draws add a spouse (same surname, other sex), 2% a sibling (same surname and patronymic), 2% a namesake (same
  surname and given name, different person); the default world always has two different Иван Иванов in Minsk.
* Detentions: 3% of persons are detained twice (the second mostly on 9 November, not tied to the march).
  :func:`link_rows` models more than one march (see :func:`detention_calendar_2020`): each person's
  detention falls on a day of 2020 weighted by the day's share of that year's detentions (with one such year
  per 100,000 reports, going back from 2020), a second one on a later day; 8% of reports give the day before or after (a detention around midnight, a report that gives
  the day of the hearing).
* Capture: each person has a catchability ``v = exp(N(0, 0.7))``; source kind ``s`` reports a detention with
  probability ``1 - (1 - base_s) ** v`` (hotline 0.62, volunteer sheet 0.33, relative 0.28, lawyer 0.18 or 0.45
  for the charged, detainee 0.14, media 0.07, official 0.03); court lists report 85% of decided and 45% of
  pending cases and nobody else. Hotline, volunteer sheets and relatives sometimes report a person twice.
  Persons no source reports are counted in ``World.n_unobserved`` (so the estimation target is known).
* Writing: each source kind has its own mix of forms (``sources._STYLES``): Russian or Belarusian Cyrillic,
  given-first or surname-first, full name with patronymic, court-list capitals or initials, diminutives, any
  tabled romanisation or informal ones; plus Ё written Е, lower case, typos (dropped/swapped/doubled letter),
  birth dates glued to the name; birth dates mostly missing from hotlines and present on court lists.
* Cases: 15% decided by 9-10 November under 23.34 (fine 10-30 base units or arrest 10-15 days, some "carousel"
  follow-up arrests), 12% pending (``released_pending_trial`` with a later hearing date).
"""

from vigil.lib.synthetic.detention_calendar import REPORTS_PER_YEAR, calendar_years, detention_calendar_2020
from vigil.lib.synthetic.places import MINSK_SHARE
from vigil.lib.synthetic.records import (
    MARCH_DATE,
    MINSK_TZ,
    NEXT_DAY,
    PARENT_EVENT,
    SYNTHETIC_MARK,
    SyntheticAllegation,
    SyntheticDecision,
    SyntheticEvent,
    SyntheticReport,
    TruePerson,
    World,
)
from vigil.lib.synthetic.romanisation import BE_SCHEMES, RU_SCHEMES, romanise
from vigil.lib.synthetic.sources import SOURCE_KINDS
from vigil.lib.synthetic.tables import capture_histories, link_rows, report_rows
from vigil.lib.synthetic.world import generate_world

__all__ = [
    "BE_SCHEMES",
    "MARCH_DATE",
    "MINSK_SHARE",
    "MINSK_TZ",
    "NEXT_DAY",
    "PARENT_EVENT",
    "REPORTS_PER_YEAR",
    "RU_SCHEMES",
    "SOURCE_KINDS",
    "SYNTHETIC_MARK",
    "SyntheticAllegation",
    "SyntheticDecision",
    "SyntheticEvent",
    "SyntheticReport",
    "TruePerson",
    "World",
    "calendar_years",
    "capture_histories",
    "detention_calendar_2020",
    "generate_world",
    "link_rows",
    "report_rows",
    "romanise",
]
