"""Mappings: guessed from headers, saved per source as JSON, and refused when malformed."""

from __future__ import annotations

import pytest

from vigil.lib.importing import (
    FIELDS,
    LINK_FIELDS,
    Mapping,
    MappingError,
    guess_mapping,
    read_table,
    validate,
)


def test_a_file_with_exactly_the_vigil_link_columns_needs_no_mapping() -> None:
    mapping = guess_mapping(list(LINK_FIELDS))
    assert mapping.columns == {name: name for name in LINK_FIELDS}
    table = read_table(
        (",".join(LINK_FIELDS) + "\nr1,hotline,Иванов Иван,1990-01-02,1990,m,Минск,2020-11-08\n").encode(),
        filename="link.csv",
    )
    plan = validate(table, mapping)
    assert plan.ok
    assert plan.rows[0].link_row() == {
        "record_id": "r1",
        "source": "hotline",
        "full_name": "Иванов Иван",
        "birth_date": "1990-01-02",
        "birth_year": "1990",
        "sex": "m",
        "city": "Минск",
        "detained_on": "2020-11-08",
    }


def test_every_target_field_maps_to_a_header_of_its_own_name() -> None:
    assert guess_mapping(list(FIELDS)).columns == {name: name for name in FIELDS}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("ФИО", "full_name"),
        ("Ф.И.О.", "full_name"),
        ("Имя", "full_name"),
        ("Прозвішча, імя", "full_name"),
        ("Дата задержания", "detained_on"),
        ("Дата затрымання", "detained_on"),
        ("Город", "city"),
        ("Горад", "city"),
        ("Дата рождения", "birth_date"),
        ("Дата рождения (дд.мм.гггг)", "birth_date"),
        ("Дата нараджэння", "birth_date"),
        ("Год рождения", "birth_year"),
        ("Пол", "sex"),
        ("Статья", "article"),
        ("Суд", "court"),
        ("Судья", "judge"),
        ("Суддзя", "judge"),
        ("Решение", "decision"),
        ("Дата суда", "decided_on"),
        ("Штраф, б.в.", "fine_base_units"),
        ("Сутки", "arrest_days"),
        ("Место задержания", "place"),
        ("Травмы", "injuries"),
        ("№", "record_id"),
    ],
)
def test_common_russian_and_belarusian_headers_are_guessed(header: str, field: str) -> None:
    assert guess_mapping(["Что-то ещё", header]).columns == {field: header}


def test_an_exact_target_name_wins_over_an_alias_of_the_same_field() -> None:
    mapping = guess_mapping(["Дата", "detained_on"])
    assert mapping.columns["detained_on"] == "detained_on"


def test_the_first_of_two_headers_for_one_field_wins_and_unknown_headers_stay_unmapped() -> None:
    mapping = guess_mapping(["ФИО", "Имя", "Любимый цвет"])
    assert mapping.columns == {"full_name": "ФИО"}


def test_a_mapping_survives_its_json_form() -> None:
    mapping = Mapping(columns={"full_name": "ФИО", "detained_on": "Дата"}, defaults={"source": "viasna"})
    text = mapping.to_json()
    assert "ФИО" in text  # saved readable, not escaped
    assert Mapping.from_json(text) == mapping
    assert Mapping.from_json(text.encode()) == mapping


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"columns": {}}',
        '{"format": "vigil-import-mapping", "version": 2, "columns": {}}',
        '{"format": "vigil-import-mapping", "version": 1, "columns": {"shoe_size": "x"}}',
        '{"format": "vigil-import-mapping", "version": 1, "columns": {"full_name": 3}}',
        '{"format": "vigil-import-mapping", "version": 1, "columns": {"full_name": "A", "city": "A"}}',
        '{"format": "vigil-import-mapping", "version": 1, "columns": [], "defaults": {}}',
        '{"format": "vigil-import-mapping", "version": 1, "extra": 1}',
    ],
)
def test_a_malformed_saved_mapping_raises_mapping_error(text: str) -> None:
    with pytest.raises(MappingError):
        Mapping.from_json(text)


def test_defaults_fill_fields_the_file_lacks_and_cells_left_empty() -> None:
    table = read_table("ФИО,Дата\nИванов,\nПетров,09.11.2020\n".encode(), filename="x.csv")
    mapping = Mapping(
        columns={"full_name": "ФИО", "detained_on": "Дата"},
        defaults={"detained_on": "08.11.2020", "city": "Минск"},
    )
    plan = validate(table, mapping)
    assert plan.ok
    assert [(r.detained_on.isoformat(), r.city) for r in plan.rows] == [
        ("2020-11-08", "Минск"),
        ("2020-11-09", "Минск"),
    ]
