"""Each counting rule of docs/counting-rules.md, on small hand-built cases."""

from __future__ import annotations

from decimal import Decimal

from vigil.cases.operations import open_case, record_decision
from vigil.figures.counting import count_persons, detentions_for, event_figures, persons_by_region
from vigil.records.models import Event
from vigil.review.operations import merge_persons

from ..factories import NOV8, NOV9, detain


def test_persons_are_distinct_and_a_person_detained_twice_counts_twice_as_detentions(coordinator, rally):
    first = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    second = detain(coordinator, "Иванов Иван", event="2020-11-08-minsk", day=NOV9)
    merge_persons(first.detention.person, [second.detention.person], actor=coordinator)
    f = event_figures(rally)
    assert f["persons"] == 1
    assert f["detentions"] == 2


def test_two_reports_of_the_same_arrest_are_one_detention(coordinator, rally):
    a = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", kind="hotline")
    b = detain(coordinator, "Ivan Ivanov", event="2020-11-08-minsk", kind="media")
    merge_persons(a.detention.person, [b.detention.person], actor=coordinator)
    f = event_figures(rally)
    assert (f["persons"], f["detentions"], f["reports"]) == (1, 1, 2)


def test_an_event_counts_its_parts_and_a_part_counts_only_itself(coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    detain(coordinator, "Пётр Петров", event="2020-11-08-grodno", city="Grodno")
    detain(coordinator, "Анна Смирнова", event=None)
    assert event_figures(rally)["persons"] == 2
    assert event_figures(Event.objects.get(slug="2020-11-08-grodno"))["persons"] == 1
    assert event_figures(None)["persons"] == 3


def test_unnamed_head_counts_are_shown_separately_and_not_added_to_persons(coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    detain(coordinator, event="2020-11-08-minsk", head_count=15)
    f = event_figures(rally)
    assert f["persons"] == 1 and f["unnamed_head_count"] == 15 and f["unnamed_reports"] == 1


def test_breakdown_by_city_and_by_day(coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    detain(coordinator, "Пётр Петров", event="2020-11-08-minsk", day=NOV9)
    detain(coordinator, "Олег Сидоров", event="2020-11-08-grodno", city="Grodno")
    f = event_figures(rally)
    assert [(c["city"], c["persons"]) for c in f["by_city"]] == [("Minsk", 2), ("Grodno", 1)]
    assert [(d["day"], d["persons"]) for d in f["by_day"]] == [("2020-11-08", 2), ("2020-11-09", 1)]


def test_charged_decided_awaiting_trial_and_punished_by_the_next_day(coordinator, rally):
    fined = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk").detention
    late = detain(coordinator, "Пётр Петров", event="2020-11-08-minsk").detention
    pending = detain(coordinator, "Олег Сидоров", event="2020-11-08-minsk").detention
    detain(coordinator, "Анна Смирнова", event="2020-11-08-minsk")
    case = open_case(fined, kind="admin", article="23.34", actor=coordinator)
    record_decision(case, decided_on=NOV9, outcome="fine", fine_base_units=Decimal(20), actor=coordinator)
    case = open_case(late, kind="admin", article="23.34", actor=coordinator)
    record_decision(
        case,
        decided_on=NOV8.replace(day=20),
        outcome="administrative_arrest",
        arrest_days=15,
        actor=coordinator,
    )
    open_case(pending, kind="admin", article="23.34", actor=coordinator)
    f = event_figures(rally)
    assert (f["charged"], f["decided"], f["awaiting_trial"], f["punished_by_next_day"]) == (3, 2, 1, 1)


def test_every_figure_is_the_count_of_the_records_it_links_to(coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    d = detain(coordinator, "Пётр Петров", event="2020-11-08-grodno", city="Grodno").detention
    open_case(d, kind="admin", article="23.34", actor=coordinator)
    f = event_figures(rally)
    for figure in ("persons", "charged", "awaiting_trial"):
        assert count_persons(detentions_for(rally, figure)) == f[figure]
    assert count_persons(detentions_for(rally, "persons", city="Grodno")) == 1


def test_a_region_counts_each_person_once_over_its_cities_and_minsk_city_is_its_own(coordinator, rally):
    barysaw = detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", city="Barysaw")
    zhodzina = detain(coordinator, "Ivan Ivanov", event="2020-11-08-minsk", city="Zhodzina", day=NOV9)
    merge_persons(barysaw.detention.person, [zhodzina.detention.person], actor=coordinator)
    detain(coordinator, "Пётр Петров", event="2020-11-08-minsk", city="Barysaw")
    detain(coordinator, "Анна Смирнова", event="2020-11-08-minsk", city="Minsk")
    detain(coordinator, "Ольга Орлова", event="2020-11-08-grodno", city="Grodno")
    detain(coordinator, "Мария Маркова", event="2020-11-08-grodno", city="Lida")
    detain(coordinator, "Some One", event="2020-11-08-grodno", city="A village")
    detain(coordinator, head_count=5, event="2020-11-08-minsk", city="Barysaw")  # group report: not persons
    f = persons_by_region(rally)
    assert f == {"regions": {"BY-MI": 2, "BY-HM": 1, "BY-HR": 2}, "unplaced": 1}
    # The same count as the persons figure restricted to the region's cities (as the lists count them).
    minsk_oblast = detentions_for(rally, "persons").filter(city__in=["Barysaw", "Zhodzina"])
    assert count_persons(minsk_oblast) == 2
    # A region of one city agrees with the by-city figure.
    by_city = {c["city"]: c["persons"] for c in event_figures(rally)["by_city"]}
    assert f["regions"]["BY-HM"] == by_city["Minsk"]


def test_an_event_without_records_has_no_region_counted(coordinator, rally):
    assert persons_by_region(rally) == {"regions": {}, "unplaced": 0}
