"""Counts and proportions look like the 8 November 2020 rally (synthetic), within stated ranges."""

from __future__ import annotations

from collections import Counter

from vigil.lib.synthetic import (
    MARCH_DATE,
    NEXT_DAY,
    SOURCE_KINDS,
    World,
    capture_histories,
    generate_world,
)


def test_the_default_world_has_about_a_thousand_and_sixty_distinct_detained_persons(world: World) -> None:
    assert len(world.persons) == 1060
    assert len({p.person_id for p in world.persons}) == 1060


def test_the_requested_number_of_persons_is_honoured() -> None:
    assert len(generate_world(200, seed=3).persons) == 200


def test_most_detentions_are_in_minsk_and_the_rest_in_regional_cities(world: World) -> None:
    named = [r for r in world.reports if r.person_id]
    city_of_person = {r.person_id: r.city_canonical for r in named}
    share = Counter(city_of_person.values())["Minsk"] / len(city_of_person)
    assert 0.80 <= share <= 0.93
    others = set(city_of_person.values()) - {"Minsk"}
    assert {"Grodno", "Brest", "Gomel"} & others
    assert len(others) >= 5


def test_some_persons_are_detained_twice_the_second_time_possibly_the_next_day(world: World) -> None:
    dates_by_person: dict[str, set] = {}
    for r in world.reports:
        if r.person_id:
            dates_by_person.setdefault(r.person_id, set()).add((r.detained_on, r.event_slug))
    twice = [p for p, d in dates_by_person.items() if len(d) > 1]
    assert 5 <= len(twice) <= 80
    assert any(r.detained_on == NEXT_DAY and r.event_slug is None for r in world.reports)


def test_reports_mostly_concern_detentions_on_8_november(world: World) -> None:
    on_march = sum(r.detained_on == MARCH_DATE for r in world.reports)
    assert on_march / len(world.reports) > 0.9


def test_sources_overlap_with_heterogeneous_capture_rates(world: World) -> None:
    hist = capture_histories(world)
    rate = {s: hist[s].mean() for s in SOURCE_KINDS}
    assert rate["hotline"] > rate["lawyer"] > rate["media"]
    assert rate["hotline"] > 0.5
    assert 0.02 < rate["media"] < 0.2
    # overlap: many persons are on two or more lists, and some on only one
    lists_per_person = hist[list(SOURCE_KINDS)].sum(axis=1)
    assert (lists_per_person >= 2).mean() > 0.3
    assert (lists_per_person == 1).mean() > 0.1


def test_capture_histories_has_one_row_per_person_and_a_zero_one_column_per_source_kind(world: World) -> None:
    hist = capture_histories(world)
    assert list(hist.columns) == ["person_id", *SOURCE_KINDS]
    assert sorted(hist["person_id"]) == sorted(p.person_id for p in world.persons)
    values = hist[list(SOURCE_KINDS)]
    assert set(values.stack().unique()) <= {0, 1}
    assert (values.sum(axis=1) >= 1).all()


def test_some_detained_persons_are_reported_by_nobody_so_there_is_something_to_estimate(world: World) -> None:
    assert world.n_unobserved > 0
    assert world.true_total == len(world.persons) + world.n_unobserved
    assert world.true_total < 1.5 * len(world.persons)


def test_about_fifteen_unnamed_head_count_reports(world: World) -> None:
    heads = [r for r in world.reports if r.person_id is None]
    assert 10 <= len(heads) <= 20
    assert all(r.head_count > 1 and r.full_name == "" for r in heads)


def test_about_one_hundred_sixty_charged_persons_are_decided_by_10_november_and_others_pending(
    world: World,
) -> None:
    decided = {d.person_id for d in world.decisions if d.outcome in ("fine", "administrative_arrest")}
    pending = {d.person_id for d in world.decisions if d.outcome == "released_pending_trial"}
    assert 130 <= len(decided) <= 190
    assert len(pending) > 50
    assert not decided & pending
    first_hearing: dict[str, object] = {}
    for d in world.decisions:
        if d.person_id in decided:
            first_hearing.setdefault(d.person_id, d.hearing_on)
    assert all(NEXT_DAY <= day <= NEXT_DAY.replace(day=10) for day in first_hearing.values())


def test_a_handful_of_allegations_each_with_one_or_two_small_evidence_files(world: World) -> None:
    assert 5 <= len(world.allegations) <= 12
    for a in world.allegations:
        assert 1 <= len(a.evidence) <= 2
        assert all(len(content) < 10_000 for _, content in a.evidence)
