from __future__ import annotations

from django.urls import reverse

from ..factories import detain, login


def _found(client, query: str) -> set[str]:
    page = client.get(reverse("detention_list"), {"q": query}).context["page"]
    return {d.identity.full_name for d in page}


def test_a_latin_spelling_finds_belarusian_and_russian_cyrillic(client, coordinator):
    detain(coordinator, "Алесь Бяляцкі")
    detain(coordinator, "Алесь Беляцкий")
    detain(coordinator, "Иван Иванов")
    login(client, coordinator)
    assert _found(client, "Bialiatski") == {"Алесь Бяляцкі", "Алесь Беляцкий"}


def test_cyrillic_finds_romanised_names_and_diminutives_find_full_names(client, coordinator):
    detain(coordinator, "Siarhei Tsikhanouski")
    detain(coordinator, "Тихановский Сергей Леонидович")
    detain(coordinator, "Пётр Петров")
    login(client, coordinator)
    assert _found(client, "Ціханоўскі") == {"Siarhei Tsikhanouski", "Тихановский Сергей Леонидович"}
    assert "Тихановский Сергей Леонидович" in _found(client, "Серёжа Тихановский")


def test_a_search_with_no_match_finds_nothing(client, coordinator):
    detain(coordinator, "Иван Иванов")
    login(client, coordinator)
    assert _found(client, "Zzyzx") == set()
