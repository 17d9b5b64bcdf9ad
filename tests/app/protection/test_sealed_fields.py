"""On PostgreSQL, names, contacts and narratives reach the server only encrypted, bound to table, row and field."""

from __future__ import annotations

import pytest
from django.db import connection

from vigil.lib.crypto.errors import DecryptionError
from vigil.records.models import Identity, Source
from vigil.records.operations import SourceInput, get_or_create_source

from ..factories import detain, login

MARKER = "Маркерэвіч Запячатаны"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="sealing applies to PostgreSQL only"
)


def _all_text_in_database() -> str:
    chunks = []
    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cur.fetchall():
            cur.execute(f'SELECT * FROM "{table}"')
            chunks.extend(str(row) for row in cur.fetchall())
    return "\n".join(chunks)


def test_no_name_contact_or_narrative_is_stored_in_the_clear(client, coordinator):
    detain(coordinator, MARKER, injuries=f"{MARKER} was beaten", home_city="Маркергорад")
    get_or_create_source(
        SourceInput(kind="relative", name=f"wife of {MARKER}", contact="+375 29 1112233"), coordinator
    )
    text = _all_text_in_database()
    for secret in ("Маркерэвіч", "Запячатаны", "Маркергорад", "1112233", "markerevich"):
        assert secret not in text, secret
    assert "sealed:" in text


def test_sealed_values_read_back_and_search_still_works(client, coordinator):
    d = detain(coordinator, "Алесь Бяляцкі").detention
    assert Identity.objects.get(pk=d.identity_id).full_name == "Алесь Бяляцкі"
    login(client, coordinator)
    from django.urls import reverse

    page = client.get(reverse("detention_list"), {"q": "Bialiatski"}).context["page"]
    assert [x.identity.full_name for x in page] == ["Алесь Бяляцкі"]


def test_the_same_source_is_found_again_without_reading_sealed_columns(coordinator):
    a = get_or_create_source(
        SourceInput(kind="relative", name="wife", contact="+375 29 1112233"), coordinator
    )
    b = get_or_create_source(
        SourceInput(kind="relative", name="wife", contact="+375 29 1112233"), coordinator
    )
    assert a.pk == b.pk and Source.objects.count() == 1


def test_a_token_moved_to_another_row_does_not_decrypt(coordinator):
    first = detain(coordinator, "Иван Иванов").detention.identity
    second = detain(coordinator, "Пётр Петров").detention.identity
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE records_identity SET full_name = (SELECT full_name FROM records_identity WHERE id = %s) WHERE id = %s",
            [first.pk, second.pk],
        )
    with pytest.raises(DecryptionError):
        Identity.objects.get(pk=second.pk)
