"""Flat pandas tables: capture histories for multiple-systems estimation, a world's named reports, and
``link_rows``, a fast table of up to millions of named reports for linkage benchmarks. Their columns are
:data:`vigil.lib.linkage.LINK_COLUMNS` (plus ``true_person_id``).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

from vigil.lib.synthetic.detention_calendar import _Days, calendar_years
from vigil.lib.synthetic.places import _cities, _city_as_written
from vigil.lib.synthetic.population import _draw_birth_date, _Identity, _Sampler
from vigil.lib.synthetic.records import World
from vigil.lib.synthetic.sources import (
    _SEX_KNOWN,
    SOURCE_KINDS,
    _birth_fields,
    _capture,
    _render_name,
    _visibility,
)

if TYPE_CHECKING:  # pandas is imported lazily: generate_world does not need it
    import pandas


def capture_histories(world: World) -> pandas.DataFrame:
    """One row per reported true person (``person_id``), one 0/1 column per source kind."""
    import pandas as pd

    seen: dict[str, set[str]] = {p.person_id: set() for p in world.persons}
    for r in world.reports:
        if r.person_id is not None:
            seen[r.person_id].add(r.source)
    data: dict[str, list[str] | list[int]] = {"person_id": list(seen)}
    for source in SOURCE_KINDS:
        data[source] = [int(source in s) for s in seen.values()]
    return pd.DataFrame(data)


def report_rows(world: World) -> pandas.DataFrame:
    """The world's named reports in the :func:`link_rows` format (LINK_COLUMNS + ``true_person_id``)."""
    import pandas as pd

    # Imported here like pandas: vigil.lib.linkage loads Splink and DuckDB, which generate_world does not need.
    from vigil.lib.linkage.records import LINK_COLUMNS

    named = [r for r in world.reports if r.person_id is not None]
    return pd.DataFrame(
        {
            "record_id": [r.record_id for r in named],
            "source": [r.source for r in named],
            "full_name": [r.full_name for r in named],
            "birth_date": [r.birth_date.isoformat() if r.birth_date else "" for r in named],
            "birth_year": [str(r.birth_year) if r.birth_year else "" for r in named],
            "sex": [r.sex for r in named],
            "city": [r.city for r in named],
            "detained_on": [r.detained_on.isoformat() for r in named],
            "true_person_id": [r.person_id or "" for r in named],
        },
        columns=[*LINK_COLUMNS, "true_person_id"],
        dtype=object,
    )


def link_rows(
    n_records: int, *, seed: int = 1, hard_cases: bool = False, years: int | None = None
) -> pandas.DataFrame:
    """``n_records`` named reports as a flat table for linkage (LINK_COLUMNS + ``true_person_id``).

    All columns are strings; dates are YYYY-MM-DD, unknown values are "". Rows are shuffled. Uses the same
    name rendering, source styles and hard cases as :func:`generate_world`, without building dataclasses.
    Detention days follow 2020's calendar over ``years`` years (default :func:`calendar_years`: one per
    100,000 reports); ``years=1`` packs any number of reports into 2020. ``hard_cases=True`` adds what a
    real source would not give, for breaking linkage errors down: ``form``
    (how the name was written, e.g. "ru_dim+typo"), ``relation`` (how the person was drawn: "" independent,
    "spouse", "sibling" or "namesake" of the person drawn before) and ``identity`` (the true Russian
    masculine surname, given name and patronymic). The other columns are the same either way.
    """
    import pandas as pd

    if n_records < 0:
        raise ValueError("n_records must be non-negative")
    rng = random.Random(seed)
    sampler = _Sampler(rng)
    cat = _cities()
    calendar = _Days(rng, calendar_years(n_records) if years is None else years)

    record_ids: list[str] = []
    sources: list[str] = []
    names: list[str] = []
    bdates: list[str] = []
    byears: list[str] = []
    sexes: list[str] = []
    cities: list[str] = []
    dets: list[str] = []
    truth: list[str] = []
    forms: list[str] = []
    relations: list[str] = []
    identities: list[str] = []
    # record ids: random version-4 UUIDs from a seeded generator, formatted in bulk
    raw_ids = np.random.default_rng(seed).integers(0, 256, size=(max(n_records, 1), 16), dtype=np.uint8)
    raw_ids[:, 6] = (raw_ids[:, 6] & 0x0F) | 0x40
    raw_ids[:, 8] = (raw_ids[:, 8] & 0x3F) | 0x80
    hexes = raw_ids.tobytes().hex()

    person_no = 0
    prev: _Identity | None = None
    while len(names) < n_records:
        r = rng.random()
        relation = ""
        if prev is not None and r < 0.02:
            ident = sampler.identity(sex="f" if prev.sex == "m" else "m", surname=prev.surname)
            relation = "spouse"
        elif prev is not None and r < 0.04:
            ident = sampler.identity(surname=prev.surname, father=prev.father)
            relation = "sibling"
        elif prev is not None and r < 0.06:
            ident = sampler.identity(sex=prev.sex, surname=prev.surname, given=prev.given)
            relation = "namesake"
        else:
            ident = sampler.identity()
        prev = ident
        c = rng.random()
        status = "" if c > 0.27 else ("decided" if c < 0.15 else "pending")
        caps = _capture(rng, _visibility(rng), status)
        second: list[str] = _capture(rng, 1.0, "") if rng.random() < 0.03 else []
        if not caps and not second:
            continue
        person_no += 1
        pid = f"S{seed}-{person_no:07d}"
        city = cat[sampler.city()]
        birth = _draw_birth_date(rng)
        first_day = calendar.first()
        second_day = calendar.later(first_day) if second else first_day
        for k, source in enumerate(caps + second):
            if len(names) >= n_records:
                break
            day = calendar.as_reported(first_day if k < len(caps) else second_day)
            name, form = _render_name(rng, ident, source)
            bd, by = _birth_fields(rng, source, birth)
            if source == "court_list" and rng.random() < 0.3:
                name += f", {birth:%d.%m.%Y}"
                form += "+date_in_text"
                if rng.random() < 0.5:
                    bd, by = None, None
            i = len(names)
            h = hexes[32 * i : 32 * i + 32]
            record_ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
            sources.append(source)
            names.append(name)
            bdates.append(bd.isoformat() if bd else "")
            byears.append(str(by) if by else "")
            sexes.append(ident.sex if rng.random() < _SEX_KNOWN[source] else "")
            cities.append(_city_as_written(rng, city))
            dets.append(day)
            truth.append(pid)
            if hard_cases:
                forms.append(form)
                relations.append(relation)
                identities.append(f"{ident.surname.ru_m} {ident.given.ru} {ident.father.ru}")

    frame = pd.DataFrame(
        {
            "record_id": record_ids,
            "source": sources,
            "full_name": names,
            "birth_date": bdates,
            "birth_year": byears,
            "sex": sexes,
            "city": cities,
            "detained_on": dets,
            "true_person_id": truth,
        },
        dtype=object,
    )
    if hard_cases:
        frame["form"], frame["relation"], frame["identity"] = forms, relations, identities
    perm = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[perm].reset_index(drop=True)
