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


def _key_rows() -> dict[int, list[str]]:
    from vigil.records.models import IdentitySearchKey

    rows: dict[int, list[str]] = {}
    for identity, key in IdentitySearchKey.objects.order_by("identity", "key").values_list("identity", "key"):
        rows.setdefault(identity, []).append(key)
    return rows


def test_each_recorded_name_has_an_indexed_row_per_search_key(coordinator):
    from vigil.records.models import Identity

    detain(coordinator, "Сяргей Ціханоўскі")
    detain(coordinator, "Ivan Petrov")
    expected = {i.pk: sorted(i.search_keys.split()) for i in Identity.objects.all()}
    assert len(expected) == 2 and all(expected.values())
    assert _key_rows() == expected


def test_the_migration_fills_the_key_rows_of_names_recorded_before_it(coordinator):
    import importlib

    from django.apps import apps

    from vigil.records.models import IdentitySearchKey

    detain(coordinator, "Сяргей Ціханоўскі")
    detain(coordinator, "Ivan Petrov")
    stored = _key_rows()
    IdentitySearchKey.objects.all().delete()  # as before the migration: only the search_keys column
    importlib.import_module("vigil.records.migrations.0004_identity_search_key").fill(apps, None)
    assert _key_rows() == stored
