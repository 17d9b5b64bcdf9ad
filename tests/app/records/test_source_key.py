"""A source is identified by one key string, the same for what a form submits and what is stored."""

from __future__ import annotations

from typing import Any

from vigil.records.operations import SourceInput, get_or_create_source, source_key, source_lookup


def test_a_source_is_found_again_by_its_key(coordinator: Any) -> None:
    data = SourceInput(kind="relative", name="Жонка Івана", contact="+375 29 000")
    # Stored in every Source.lookup and Report.content_hash: this string must never change.
    assert source_key(data) == "relative|Жонка Івана|+375 29 000"
    source = get_or_create_source(data, coordinator)
    source.refresh_from_db()
    assert source_key(source) == source_key(data)
    assert source.lookup == source_lookup(source) == source_lookup(data)
    assert get_or_create_source(data, coordinator) == source
