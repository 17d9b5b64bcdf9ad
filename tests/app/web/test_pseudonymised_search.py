"""Roles that see pseudonyms cannot search by name: intersecting name searches would tie names to pseudonyms."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vigil.records.models import Person

from ..factories import detain, login, make_user


@pytest.fixture
def named(coordinator):
    ivan = detain(coordinator, "Иван Иванов").detention
    petr = detain(coordinator, "Пётр Петров").detention
    return {"ivan": ivan, "petr": petr}


def _list(client: Client, q: str) -> str:
    response = client.get(reverse("detention_list"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_an_analyst_searching_by_name_finds_nothing_and_is_told_why(named):
    client = Client()
    login(client, make_user("analyst"))
    for q in ["Иванов", "Ivanov", "Иван Иванов"]:
        page = _list(client, q)
        assert Person(pk=named["ivan"].person_id).pseudonym not in page, q
        assert '<span id="total">0</span>' in page, q
        assert "search by pseudonym" in page, q


def test_an_analysts_export_cannot_be_filtered_by_name_either(named):
    client = Client()
    login(client, make_user("analyst"))
    response = client.get(reverse("detention_export", args=["csv"]), {"q": "Иванов"})
    assert Person(pk=named["ivan"].person_id).pseudonym not in response.content.decode()


def test_an_analyst_finds_records_by_pseudonym(named):
    client = Client()
    login(client, make_user("analyst"))
    pseudonym = Person(pk=named["ivan"].person_id).pseudonym
    page = _list(client, pseudonym.lower())
    assert pseudonym in page and '<span id="total">1</span>' in page
    assert Person(pk=named["petr"].person_id).pseudonym not in page


@pytest.mark.parametrize("role", ["coordinator", "lawyer", "volunteer"])
def test_roles_that_see_names_still_search_by_name(named, role, coordinator):
    client = Client()
    user = coordinator if role == "coordinator" else make_user(role)
    login(client, user)
    page = _list(client, "Ivanov")
    if role == "coordinator":
        assert "Иван Иванов" in page and "Пётр Петров" not in page
    else:  # they see only their own records, none of these
        assert '<span id="total">0</span>' in page and "search by pseudonym" not in page
