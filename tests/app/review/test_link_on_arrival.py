"""A new report is linked to the persons already recorded as soon as it is stored (issue 14, item 1)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from vigil.figures.counting import detentions_for
from vigil.records.operations import DetentionEntry, DetentionInput, record_detentions
from vigil.review.models import CandidatePair

from ..factories import NOV8, detain, source

pytestmark = pytest.mark.slow


def _persons() -> int:
    return detentions_for(None).values("person_id").distinct().count()


def test_reports_of_one_person_from_four_callers_count_one_person(
    coordinator, django_capture_on_commit_callbacks
):
    detain(coordinator, "Иван Петрович Сидоренко", kind="hotline", birth_year=1990)
    assert _persons() == 1
    for kind, name in [
        ("relative", "Сидоренко Иван Петрович"),
        ("lawyer", "Сідарэнка Іван Пятровіч"),
        ("media", "Ivan Sidorenko"),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            detain(coordinator, name, kind=kind, birth_year=1990)
        assert _persons() == 1, name


def test_a_bulk_write_is_linked_too(coordinator, django_capture_on_commit_callbacks):
    # Imports and sync bundles store through record_detentions.
    detain(coordinator, "Ольга Наумик", kind="hotline", birth_year=1975)
    entries = [
        DetentionEntry(
            data=DetentionInput(detained_on=NOV8, city="Minsk", full_name=name, birth_year=1975),
            source=source(coordinator, "court_list", "court_list"),
            report_uuid=uuid.uuid4(),
        )
        for name in ["Наумик Ольга", "Naumik Olga"]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        record_detentions(entries, actor=coordinator)
    assert _persons() == 1


def test_namesakes_born_far_apart_stay_two_persons(coordinator, django_capture_on_commit_callbacks):
    detain(coordinator, "Иван Петров", kind="hotline", birth_date=None, birth_year=1985)
    with django_capture_on_commit_callbacks(execute=True):
        detain(coordinator, "Петров Иван", kind="court_list", birth_year=1971)
    assert _persons() == 2


def test_a_doubtful_join_waits_for_a_reviewer(coordinator, django_capture_on_commit_callbacks):
    detain(coordinator, "Сяргей Ціханоўскі", kind="relative")
    with django_capture_on_commit_callbacks(execute=True):
        detain(
            coordinator, "Siarhei Tsikhanouski", kind="media", city="Brest", day=NOV8 + dt.timedelta(days=1)
        )
    pairs = CandidatePair.objects.filter(verdict="")
    # One name in two scripts, detained a day apart in two cities: joined (counted once), but not sure
    # enough to leave unreviewed.
    assert _persons() == 1
    assert [(p.probability >= 0.05, p.probability < 0.9) for p in pairs] == [(True, True)]


SPELLINGS = [
    "Иван Петрович Сидоренко",
    "Сидоренко Иван Петрович",
    "Ivan Sidorenko",
    "Сідарэнка Іван Пятровіч",
]


def _much_reported_person(coordinator, count: int, versions: list[dict]) -> int:
    """One person of ``count`` reports (merged by a reviewer, as linkage would): the i-th report is the i-th
    of ``versions`` (name and birth) in turn. Returns the person's id."""
    from vigil.records.models import Identity, Person
    from vigil.review.operations import merge_persons

    entries = [
        DetentionEntry(
            data=DetentionInput(
                detained_on=NOV8 - dt.timedelta(days=i), city="Minsk", **versions[i % len(versions)]
            ),
            source=source(coordinator, "hotline", "hotline"),
            report_uuid=uuid.uuid4(),
        )
        for i in range(count)
    ]
    record_detentions(entries, actor=coordinator, link=False)
    persons = sorted(set(Identity.objects.values_list("person_id", flat=True)))
    merge_persons(
        Person.objects.get(pk=persons[0]), list(Person.objects.filter(pk__in=persons[1:])), actor=coordinator
    )
    return persons[0]


def _arrival(coordinator, name: str, **fields) -> int:
    entry = DetentionEntry(
        data=DetentionInput(detained_on=NOV8, city="Minsk", full_name=name, **fields),
        source=source(coordinator, "relative", "relative"),
        report_uuid=uuid.uuid4(),
    )
    (result,) = record_detentions([entry], actor=coordinator, link=False)
    return result.detention.identity_id


def test_a_much_reported_person_is_scored_through_a_bounded_choice_of_reports_and_still_joined(coordinator):
    from vigil.records.models import Identity
    from vigil.review.operations import ARRIVAL_REPORTS_PER_PERSON, link_arrivals

    count = 3 * ARRIVAL_REPORTS_PER_PERSON
    person = _much_reported_person(
        coordinator, count, [{"full_name": n, "birth_year": 1990} for n in SPELLINGS]
    )
    new = _arrival(coordinator, "Sidorenko Ivan Petrovich", birth_year=1990)
    summary = link_arrivals([new], actor=coordinator)
    # The arrival and at most the bound of the person's 60 reports were read and scored.
    assert 2 <= summary.identities <= ARRIVAL_REPORTS_PER_PERSON + 1
    assert Identity.objects.get(pk=new).person_id == person
    assert Identity.objects.filter(person_id=person).count() == count + 1


def test_a_contradiction_with_a_report_beyond_the_bound_still_keeps_the_arrival_apart(coordinator):
    from vigil.records.models import Identity
    from vigil.review.operations import ARRIVAL_REPORTS_PER_PERSON, link_arrivals

    # The person's last report, far past the bound, gives another birth year: a version of the person that
    # the arrival contradicts. The reports past the bound are not read, each version is.
    count = 3 * ARRIVAL_REPORTS_PER_PERSON
    versions = [{"full_name": SPELLINGS[0], "birth_year": 1990}] * (count - 1)
    person = _much_reported_person(
        coordinator, count, [*versions, {"full_name": SPELLINGS[0], "birth_year": 1971}]
    )
    new = _arrival(coordinator, "Сидоренко Иван Петрович", birth_year=1990)
    summary = link_arrivals([new], actor=coordinator)
    assert summary.identities == 3  # the arrival and the first report of each version
    assert Identity.objects.get(pk=new).person_id != person


def test_past_the_bound_of_versions_the_arrivals_own_spelling_comes_first(coordinator, monkeypatch):
    from vigil.records.models import Identity
    from vigil.review import operations

    monkeypatch.setattr(operations, "ARRIVAL_REPORTS_PER_PERSON", 2)
    # Five versions (name keys and birth year, none contradicting another); the arrival's spelling is the
    # fourth and sixth: read first although later.
    years = [1990, 1991, None, 1991, 1990, None]
    names = [SPELLINGS[0], SPELLINGS[1], SPELLINGS[0], SPELLINGS[2], SPELLINGS[3], SPELLINGS[2]]
    person = _much_reported_person(
        coordinator, 12, [{"full_name": n, "birth_year": y} for n, y in zip(names, years, strict=True)]
    )
    new = _arrival(coordinator, SPELLINGS[2], birth_year=1990)
    identity = Identity.objects.get(pk=new)
    chosen = Identity.objects.filter(operations._arrival_members(operations._candidates(identity), [new]))
    versions = set(Identity.objects.filter(person_id=person).values_list("search_keys", "birth_year"))
    assert len(versions) == 5
    # Two reports read, both of the arrival's own spelling, each the earliest report of its version.
    assert len(chosen) == 2 and {i.search_keys for i in chosen} == {identity.search_keys}
    for i in chosen:
        same = Identity.objects.filter(person_id=person, search_keys=i.search_keys, birth_year=i.birth_year)
        assert i.pk == same.order_by("pk")[0].pk
    assert operations.link_arrivals([new], actor=coordinator).identities == 3
    assert Identity.objects.get(pk=new).person_id == person


def test_a_report_whose_surname_has_a_slip_joins_its_person(coordinator, django_capture_on_commit_callbacks):
    # "Шшук" shares no surname key with "Шишук", only a sound key: before sound keys were stored the second
    # report was never compared with the first and counted as a second person.
    detain(coordinator, "Шишук Николай Петрович", kind="relative", birth_year=1995)
    with django_capture_on_commit_callbacks(execute=True):
        detain(coordinator, "Николай Шшук", kind="hotline", birth_year=1995)
    assert _persons() == 1


def test_a_sound_key_alone_does_not_join_people_of_different_given_names(
    coordinator, django_capture_on_commit_callbacks
):
    detain(coordinator, "Шишук Николай", kind="relative", birth_year=1995)
    with django_capture_on_commit_callbacks(execute=True):
        detain(coordinator, "Шук Ольга", kind="hotline", birth_year=1970)
    assert _persons() == 2
