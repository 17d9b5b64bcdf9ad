"""``generate_world``: a synthetic march with its persons, detentions, reports, decisions and allegations,
and the truth behind every report.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Sequence

from vigil.lib.synthetic.decisions import _allegations, _decisions
from vigil.lib.synthetic.places import (
    _INJURIES,
    _MINSK_PLACES,
    _OTHER_PLACES,
    _cities,
    _city_as_written,
    _held_at,
    _unit,
)
from vigil.lib.synthetic.population import _Detention, _draw_birth_date, _Identity, _Sampler
from vigil.lib.synthetic.records import (
    MARCH_DATE,
    MINSK_TZ,
    NEXT_DAY,
    PARENT_EVENT,
    SYNTHETIC_MARK,
    SyntheticEvent,
    SyntheticReport,
    TruePerson,
    World,
)
from vigil.lib.synthetic.sources import (
    _N_SOURCE_NAMES,
    _SEX_KNOWN,
    _birth_fields,
    _capture,
    _render_name,
    _visibility,
)


def _city_slug(city: str) -> str:
    return city.lower().replace(" ", "-")


def _uuid(seed: int, index: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"vigil-synthetic:{seed}:{index}"))


def _events(cities: Sequence[str]) -> list[SyntheticEvent]:
    cat = _cities()
    events = [
        SyntheticEvent(
            PARENT_EVENT,
            "March of 8 November 2020 (synthetic demo)",
            "Марш 8 ноября 2020",
            "Марш 8 лістапада 2020",
            MARCH_DATE,
            "",
            None,
        )
    ]
    for city in cities:
        c = cat[city]
        events.append(
            SyntheticEvent(
                f"{PARENT_EVENT}-{_city_slug(city)}",
                f"March of 8 November 2020 in {c.en}",
                f"Марш 8 ноября 2020, {c.ru}",
                f"Марш 8 лістапада 2020, {c.be}",
                MARCH_DATE,
                c.en,
                PARENT_EVENT,
            )
        )
    return events


def generate_world(n_detained: int = 1060, *, seed: int = 20201108) -> World:
    """A synthetic rally with ``n_detained`` distinct reported detainees and the truth behind every report."""
    if n_detained < 1:
        raise ValueError("n_detained must be positive")
    rng = random.Random(seed)
    sampler = _Sampler(rng)
    city_names = sampler.city_names
    cat = _cities()

    # identities: independent draws, plus families (spouses, siblings) and deliberate namesakes
    idents: list[_Identity] = []
    home: list[str] = []
    while len(idents) < n_detained:
        r = rng.random()
        city = sampler.city()
        base = sampler.identity()
        idents.append(base)
        home.append(city)
        if r < 0.03:  # spouse: same surname, other sex
            idents.append(sampler.identity(sex="f" if base.sex == "m" else "m", surname=base.surname))
            home.append(city)
        elif r < 0.05:  # sibling: same surname and patronymic
            idents.append(sampler.identity(surname=base.surname, father=base.father))
            home.append(city)
        elif r < 0.07:  # namesake: same given name and surname, a different person (often the same city)
            idents.append(sampler.identity(sex=base.sex, surname=base.surname, given=base.given))
            home.append(city if rng.random() < 0.7 else city_names[0])
    del idents[n_detained:], home[n_detained:]
    protected: set[int] = set()
    if n_detained >= 50:
        # the classic trap, always present: two different Иван Иванов detained in Minsk (distinct birth dates)
        ivanov = next(s for s in sampler.surnames if s.ru_m == "Иванов")
        ivan = next(g for g in sampler.givens["m"][0] if g.ru == "Иван")
        for slot in (n_detained // 3, 2 * n_detained // 3):
            idents[slot] = sampler.identity(sex="m", surname=ivanov, given=ivan)
            home[slot] = "Minsk"
            protected.add(slot)

    # charges: ~15% decided by 9-10 Nov, ~12% pending
    order = list(range(n_detained))
    rng.shuffle(order)
    n_decided = round(0.15 * n_detained)
    n_pending = round(0.12 * n_detained)
    charged = [""] * n_detained
    for i in order[:n_decided]:
        charged[i] = "decided"
    for i in order[n_decided : n_decided + n_pending]:
        charged[i] = "pending"

    persons: list[TruePerson] = []
    detentions: list[list[_Detention]] = []
    captures: list[list[list[str]]] = []
    n_unobserved = 0
    idx = 0
    while idx < n_detained:
        ident, city = idents[idx], home[idx]
        vis = _visibility(rng)
        n_det = 2 if rng.random() < 0.03 else 1
        dets: list[_Detention] = []
        caps: list[list[str]] = []
        for k in range(n_det):
            second = k == 1
            date = NEXT_DAY if second and rng.random() < 0.7 else MARCH_DATE
            det_city = city if rng.random() < 0.95 else "Minsk"
            event = None if date != MARCH_DATE else f"{PARENT_EVENT}-{_city_slug(det_city)}"
            hour = rng.uniform(13.0, 20.0) if date == MARCH_DATE else rng.uniform(8.0, 22.0)
            at = datetime.datetime.combine(date, datetime.time(int(hour), int((hour % 1) * 60)), MINSK_TZ)
            place = rng.choice(_MINSK_PLACES if det_city == "Minsk" else _OTHER_PLACES)
            dets.append(
                _Detention(
                    idx,
                    det_city,
                    date,
                    event,
                    at,
                    place,
                    _unit(rng),
                    _held_at(rng, det_city),
                    rng.choice(_INJURIES) if rng.random() < 0.08 else "",
                )
            )
            caps.append(_capture(rng, vis, charged[idx] if k == 0 else ""))
        if not any(caps):
            # nobody reported this detention: the person stays in the truth only as a count, and we draw a new
            # person in this slot (so the world has exactly n_detained reported persons)
            n_unobserved += 1
            if idx not in protected:
                idents[idx] = sampler.identity()
            continue
        person_id = f"P{idx + 1:06d}"
        persons.append(
            TruePerson(
                person_id,
                ident.surname_ru,
                ident.surname_be,
                ident.given.ru,
                ident.given_be,
                ident.patronymic_ru,
                ident.sex,
                _draw_birth_date(rng) if rng.random() < 0.995 else None,
                cat[city].en,
            )
        )
        detentions.append(dets)
        captures.append(caps)
        idx += 1

    source_counter: dict[str, int] = {}
    forms: dict[str, str] = {}
    pending_reports: list[tuple[int, _Detention, str]] = []
    for pi, (dets, caps) in enumerate(zip(detentions, captures)):
        for det, cap in zip(dets, caps):
            for source in cap:
                pending_reports.append((pi, det, source))
    rng.shuffle(pending_reports)

    reports: list[SyntheticReport] = []
    for ri, (pi, det, source) in enumerate(pending_reports):
        person = persons[pi]
        ident = idents[pi]
        record_id = _uuid(seed, ri)
        source_no = rng.randrange(_N_SOURCE_NAMES[source]) + 1
        source_counter[source] = source_counter.get(source, 0) + 1
        name, form = _render_name(rng, ident, source)
        bdate, byear = _birth_fields(rng, source, person.birth_date)
        if source == "court_list" and person.birth_date and rng.random() < 0.3:
            name += f", {person.birth_date:%d.%m.%Y}"  # court lists often glue the birth date to the name
            form += "+date_in_text"
            if rng.random() < 0.5:
                bdate, byear = None, None
        elif source == "hotline" and person.birth_date and rng.random() < 0.05:
            name += f", {person.birth_date.year} г.р."
            form += "+year_in_text"
        sex = person.sex if rng.random() < _SEX_KNOWN[source] else ""
        city_obj = cat[det.city]
        detained_on = det.date
        if source == "volunteer_sheet" and rng.random() < 0.02:
            detained_on = det.date + datetime.timedelta(days=rng.choice((-1, 1)))  # a slip on the sheet
        knows_details = source in ("relative", "lawyer", "detainee", "court_list") or rng.random() < 0.5
        raw = (
            f"[{SYNTHETIC_MARK}] {source}: задержан(а) {name}, {det.date:%d.%m.%Y}"
            f"{f' около {det.at:%H:%M}' if knows_details else ''}, {city_obj.ru}, {det.place}."
            f"{f' Травмы: {det.injuries}.' if det.injuries and knows_details else ''}"
        )
        reports.append(
            SyntheticReport(
                record_id=record_id,
                source=source,
                source_name=f"{SYNTHETIC_MARK} {source.replace('_', ' ')} {source_no}",
                person_id=person.person_id,
                full_name=name,
                birth_date=bdate,
                birth_year=byear,
                sex=sex,
                city=_city_as_written(rng, city_obj),
                city_canonical=city_obj.en,
                event_slug=det.event_slug,
                detained_on=detained_on,
                detained_at=det.at if knows_details else None,
                place=det.place if knows_details else "",
                unit=det.unit if knows_details else "",
                held_at=det.held_at if knows_details or source == "official" else "",
                head_count=1,
                injuries=det.injuries if knows_details else "",
                raw_text=raw,
            )
        )
        forms[record_id] = form

    # unnamed head-count reports ("about 15 people at Pushkinskaya")
    n_heads = max(1, round(15 * n_detained / 1060))
    for _ in range(n_heads):
        ri = len(reports)
        source = rng.choice(("hotline", "media", "volunteer_sheet", "official"))
        city = "Minsk" if rng.random() < 0.8 else rng.choice(city_names[1:])
        city_obj = cat[city]
        place = rng.choice(_MINSK_PLACES if city == "Minsk" else _OTHER_PLACES)
        count = rng.randint(3, 40)
        hour = rng.uniform(13.0, 20.0)
        at = datetime.datetime.combine(MARCH_DATE, datetime.time(int(hour), int((hour % 1) * 60)), MINSK_TZ)
        reports.append(
            SyntheticReport(
                record_id=_uuid(seed, ri),
                source=source,
                source_name=f"{SYNTHETIC_MARK} {source.replace('_', ' ')} {rng.randrange(_N_SOURCE_NAMES[source]) + 1}",
                person_id=None,
                full_name="",
                birth_date=None,
                birth_year=None,
                sex="",
                city=_city_as_written(rng, city_obj),
                city_canonical=city_obj.en,
                event_slug=f"{PARENT_EVENT}-{_city_slug(city)}",
                detained_on=MARCH_DATE,
                detained_at=at,
                place=place,
                unit=_unit(rng),
                held_at="",
                head_count=count,
                injuries="",
                raw_text=f"[{SYNTHETIC_MARK}] {source}: около {count} человек задержаны, {city_obj.ru}, {place}, "
                f"{at:%H:%M}.",
            )
        )
        forms[reports[-1].record_id] = "head_count"

    used_cities = sorted(
        {d.city for dets in detentions for d in dets if d.event_slug}
        | {r.city_canonical for r in reports if r.person_id is None}
    )
    events = _events(used_cities)
    decisions = _decisions(rng, sampler, persons, detentions, charged)
    allegations = _allegations(rng, persons, detentions)
    return World(seed, persons, events, reports, decisions, allegations, forms, n_unobserved)
