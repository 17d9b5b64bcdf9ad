from __future__ import annotations

import json
import re
from decimal import Decimal

from django.urls import reverse

from vigil.cases.operations import open_case, record_decision
from vigil.figures.counting import event_figures, persons_by_region
from vigil.figures.models import Snapshot
from vigil.review.operations import merge_persons

from ..factories import NOV9, detain, login, make_user


def test_the_event_page_states_the_figures_each_linked_to_its_records(client, coordinator, rally):
    for name in ("Иван Иванов", "Пётр Петров", "Олег Сидоров"):
        detain(coordinator, name, event="2020-11-08-minsk")
    d = detain(coordinator, "Анна Смирнова", event="2020-11-08-grodno", city="Grodno").detention
    case = open_case(d, kind="admin", article="23.34", actor=coordinator)
    record_decision(case, decided_on=NOV9, outcome="fine", fine_base_units=Decimal(10), actor=coordinator)
    login(client, coordinator)
    body = client.get(reverse("event_detail", args=[rally.slug])).content.decode()
    assert "At least" in body and "4</a> people were detained" in body and "3</a> of them in Minsk" in body
    assert 'data-figure="punished_by_next_day"' in body
    listing = client.get(reverse("detention_list"), {"event": rally.slug, "figure": "punished_by_next_day"})
    assert listing.context["page"].paginator.count == 1


def test_figures_are_available_as_json_and_csv(client, coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    login(client, coordinator)
    data = json.loads(client.get(reverse("event_figures_json", args=[rally.slug])).content)
    assert data["persons"] == 1 and data["by_city"][0]["city"] == "Minsk"
    csv_body = client.get(reverse("event_figures_csv", args=[rally.slug])).content.decode()
    assert "persons,event,1," in csv_body


def test_a_snapshot_freezes_figures_and_the_next_one_shows_what_changed(client, coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    login(client, coordinator)
    client.post(reverse("event_snapshot", args=[rally.slug]), {"label": "first"})
    detain(coordinator, "Пётр Петров", event="2020-11-08-minsk")
    client.post(reverse("event_snapshot", args=[rally.slug]), {"label": "second"})
    latest = Snapshot.objects.order_by("-taken_at", "-id").first()
    body = client.get(reverse("snapshot_detail", args=[latest.pk])).content.decode()
    assert latest.figures["persons"] == 2
    assert "Persons detained: 1 → 2" in body


def test_the_public_page_shows_no_names_and_suppresses_small_counts(client, coordinator, rally):
    for i in range(3):
        detain(coordinator, f"Тайный Человек{i}", event="2020-11-08-minsk")
    body = client.get(reverse("public_figures")).content.decode()
    assert "Тайный" not in body
    assert "fewer than 5" in body


def test_an_analyst_sees_pseudonyms_not_names(client, coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk")
    login(client, make_user("analyst"))
    body = client.get(reverse("detention_list")).content.decode()
    assert "Иван Иванов" not in body and "P-" in body


def test_a_volunteer_cannot_read_event_figures(client, coordinator, rally):
    login(client, make_user("volunteer"))
    assert client.get(reverse("event_detail", args=[rally.slug])).status_code == 403


def test_the_city_chart_draws_the_largest_cities_and_one_bar_for_the_rest(client, coordinator, rally):
    from vigil.web.views.events import CHART_CITIES

    for i in range(CHART_CITIES):
        for j in range(2):
            detain(coordinator, f"Person {i}-{j}", event=rally.slug, city=f"City {i:02d}")
    detain(coordinator, "Small One", event=rally.slug, city="Zzz A")
    detain(coordinator, "Small Two", event=rally.slug, city="Zzz B")
    login(client, coordinator)
    response = client.get(reverse("event_detail", args=[rally.slug]))
    bars = response.context["city_bars"]
    assert len(bars) == CHART_CITIES + 1
    assert (bars[-1]["other"], bars[-1]["value"]) == (2, 2)
    assert "2 more cities" in response.content.decode()


def _map_counts(body: str) -> dict[str, int]:
    return {iso: int(n) for iso, n in re.findall(r'data-region="(BY-[A-Z]{2})" data-count="(\d+)"', body)}


def _table_counts(body: str) -> dict[str, int]:
    return {
        iso: int(n)
        for iso, n in re.findall(r'<tr data-region="(BY-[A-Z]{2})"><td>[^<]*</td><td>(\d+)</td>', body)
    }


def test_the_event_page_maps_persons_per_region_as_the_figures_count_them(client, coordinator, rally):
    for name in ("Иван Иванов", "Пётр Петров"):
        detain(coordinator, name, event="2020-11-08-minsk")
    first = detain(coordinator, "Анна Смирнова", event="2020-11-08-minsk", city="Barysaw")
    again = detain(coordinator, "Anna Smirnova", event="2020-11-08-minsk", city="Zhodzina", day=NOV9)
    merge_persons(first.detention.person, [again.detention.person], actor=coordinator)
    detain(coordinator, "Ольга Орлова", event="2020-11-08-grodno", city="Grodno")
    detain(coordinator, "Some One", event="2020-11-08-grodno", city="A village")
    login(client, coordinator)
    body = client.get(reverse("event_detail", args=[rally.slug])).content.decode()

    counted = persons_by_region(rally)
    expected = {
        iso: counted["regions"].get(iso, 0)
        for iso in ("BY-BR", "BY-HM", "BY-HO", "BY-HR", "BY-MA", "BY-MI", "BY-VI")
    }
    assert expected["BY-HM"] == 2 and expected["BY-MI"] == 1 and expected["BY-HR"] == 1
    assert _map_counts(body) == expected
    assert _table_counts(body) == expected
    by_city = {c["city"]: c["persons"] for c in event_figures(rally)["by_city"]}
    assert expected["BY-HM"] == by_city["Minsk"] and expected["BY-HR"] == by_city["Grodno"]
    # The person detained in Barysaw and in Zhodzina is one person in Minsk region.
    assert by_city["Barysaw"] + by_city["Zhodzina"] == 2
    assert '<tr data-region=""><td>Place not in the reference table</td><td>1</td>' in body
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="choropleth" role="img"' in body
    assert '<title id="region-map-title">Persons detained per region</title>' in body


def test_the_map_names_the_regions_in_the_pages_language(client, coordinator, rally):
    detain(coordinator, "Иван Иванов", event="2020-11-08-minsk", city="Barysaw")
    login(client, coordinator)
    client.cookies["django_language"] = "be"
    body = client.get(reverse("event_detail", args=[rally.slug])).content.decode()
    assert '<tr data-region="BY-MI"><td>Мінская вобласць</td><td>1</td>' in body
    assert "<title>Мінская вобласць: 1</title>" in body
