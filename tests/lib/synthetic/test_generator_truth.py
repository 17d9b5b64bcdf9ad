"""The world knows the truth behind every report, and the facts agree with each other and the domain tables."""

from __future__ import annotations

import datetime
from collections import defaultdict

from vigil.lib.reference.tables import domain_table
from vigil.lib.synthetic import PARENT_EVENT, SOURCE_KINDS, World


def test_every_named_report_belongs_to_an_existing_person(world: World) -> None:
    ids = {p.person_id for p in world.persons}
    assert all(r.person_id in ids for r in world.reports if r.person_id is not None)


def test_every_person_has_at_least_one_report(world: World) -> None:
    reported = {r.person_id for r in world.reports}
    assert all(p.person_id in reported for p in world.persons)


def test_head_count_reports_name_nobody_and_named_reports_count_one(world: World) -> None:
    for r in world.reports:
        if r.person_id is None:
            assert r.full_name == "" and r.head_count > 1
        else:
            assert r.full_name and r.head_count == 1


def test_record_ids_are_unique(world: World) -> None:
    assert len({r.record_id for r in world.reports}) == len(world.reports)


def test_source_kinds_come_from_the_documented_set(world: World) -> None:
    assert {r.source for r in world.reports} <= set(SOURCE_KINDS)
    assert {r.source for r in world.reports} == set(SOURCE_KINDS)


def test_reported_birth_dates_mostly_match_the_truth(world: World) -> None:
    truth = {p.person_id: p.birth_date for p in world.persons}
    dated = [r for r in world.reports if r.birth_date is not None]
    agree = sum(r.birth_date == truth[r.person_id] for r in dated)
    assert 0.93 <= agree / len(dated) < 1.0  # a few swapped days/months and wrong years, on purpose
    assert all(r.birth_year == r.birth_date.year for r in dated if r.birth_date)


def test_reported_sex_when_given_is_the_true_sex(world: World) -> None:
    sex = {p.person_id: p.sex for p in world.persons}
    for r in world.reports:
        if r.person_id and r.sex:
            assert r.sex == sex[r.person_id]


def test_events_form_the_rally_with_parts_per_city_and_reports_point_to_them(world: World) -> None:
    slugs = {e.slug: e for e in world.events}
    assert slugs[PARENT_EVENT].parent is None
    parts = [e for e in world.events if e.parent == PARENT_EVENT]
    assert f"{PARENT_EVENT}-minsk" in {e.slug for e in parts}
    assert all(e.date == datetime.date(2020, 11, 8) for e in world.events)
    for r in world.reports:
        if r.event_slug is not None:
            assert slugs[r.event_slug].city == r.city_canonical


def test_units_and_facilities_are_codes_from_the_domain_tables(world: World) -> None:
    units = {row["code"] for row in domain_table("perpetrator_units_by")}
    facilities = {row["facility_id"]: row for row in domain_table("detention_facilities_by")}
    for r in world.reports:
        assert r.unit == "" or r.unit in units
        assert r.held_at == "" or r.held_at in facilities
        if r.held_at:
            assert not facilities[r.held_at]["verified_in_research"].lower().startswith("no")


def test_decisions_concern_persons_that_exist_and_follow_the_outcome_table(world: World) -> None:
    ids = {p.person_id for p in world.persons}
    outcomes = {row["code"] for row in domain_table("outcome_types")}
    articles = {row["article"] for row in domain_table("legal_articles")}
    for d in world.decisions:
        assert d.person_id in ids
        assert d.outcome in outcomes
        assert d.article in articles
        if d.outcome == "fine":
            assert d.fine_base_units is not None and 10 <= d.fine_base_units <= 30 and d.arrest_days is None
        elif d.outcome == "administrative_arrest":
            assert d.arrest_days is not None and 10 <= d.arrest_days <= 15 and d.fine_base_units is None
        else:
            assert d.fine_base_units is None and d.arrest_days is None


def test_court_lists_only_name_charged_persons(world: World) -> None:
    charged = {d.person_id for d in world.decisions}
    on_court_lists = {r.person_id for r in world.reports if r.source == "court_list"}
    assert on_court_lists and on_court_lists <= charged


def test_carousel_arrests_are_separate_consecutive_decisions(world: World) -> None:
    arrests: dict[str, list] = defaultdict(list)
    for d in world.decisions:
        if d.outcome == "administrative_arrest":
            arrests[d.person_id].append(d)
    carousels = [ds for ds in arrests.values() if len(ds) > 1]
    assert carousels
    for ds in carousels:
        for first, then in zip(ds, ds[1:]):
            assert then.hearing_on == first.hearing_on + datetime.timedelta(days=first.arrest_days)


def test_allegations_concern_reported_persons_and_use_the_violation_types_table(world: World) -> None:
    ids = {p.person_id for p in world.persons}
    types = {row["violation_type"] for row in domain_table("violation_types_belarus_accountability_map")}
    for a in world.allegations:
        assert a.person_id in ids
        assert a.violation_type in types


def test_evidence_files_include_a_valid_png_and_a_text_note(world: World) -> None:
    import zlib

    files = [f for a in world.allegations for f in a.evidence]
    pngs = [content for name, content in files if name.endswith(".png")]
    notes = [content for name, content in files if name.endswith(".txt")]
    assert pngs and notes
    png = pngs[0]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # walk the chunks, checking each CRC
    pos = 8
    kinds = []
    while pos < len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        crc = int.from_bytes(png[pos + 8 + length : pos + 12 + length], "big")
        assert zlib.crc32(kind + data) & 0xFFFFFFFF == crc
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
