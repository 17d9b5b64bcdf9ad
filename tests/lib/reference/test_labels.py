"""Reference values shown in the reader's language, from the shipped tables; unknown free text as written."""

from __future__ import annotations

import pytest

from vigil.lib.reference import facilities, outcomes, units, violation_types
from vigil.lib.reference.labels import (
    article_title,
    charge_label,
    city_label,
    facility_label,
    outcome_label,
    unit_label,
    violation_label,
)
from vigil.lib.reference.tables import domain_table


def _cyrillic(text: str) -> bool:
    """No Latin letter (the table's own abbreviations such as ГУБАЗіК are Cyrillic)."""
    return not any("a" <= c.lower() <= "z" for c in text)


def test_a_city_stored_by_its_conventional_name_reads_in_each_language():
    assert city_label("Minsk", "be") == "Мінск"
    assert city_label("Minsk", "ru") == "Минск"
    assert city_label("Minsk", "en") == "Minsk"


def test_a_city_written_with_its_two_latin_forms_is_still_found():
    assert city_label("Zhodzina (Zhodino)", "be") == "Жодзіна"
    assert city_label("Zhodzina (Zhodino)", "ru") == "Жодино"


def test_free_text_no_table_knows_is_shown_as_written():
    assert city_label("Хутар Навасады", "ru") == "Хутар Навасады"
    assert facility_label("двор РУУС", "ru") == "двор РУУС"
    assert unit_label("людзі ў масках", "be") == "людзі ў масках"


@pytest.mark.parametrize("language", ["be", "ru"])
def test_every_facility_unit_outcome_and_violation_type_has_a_cyrillic_label(language):
    labels = (
        [facility_label(k, language) for k in facilities()]
        + [unit_label(k, language) for k in units()]
        + [outcome_label(k, language) for k in outcomes()]
        + [violation_label(v, language) for v in violation_types()]
    )
    assert [text for text in labels if not text or not _cyrillic(text)] == []


def test_english_labels_come_from_the_tables_english_columns():
    assert unit_label("omon", "en") == "Special Purpose Police Unit (OMON)"
    assert unit_label("omon", "be") == "АМАП" and unit_label("omon", "ru") == "ОМОН"
    assert outcome_label("fine", "be") == "Штраф" and outcome_label("administrative_arrest", "en").startswith(
        "Admin"
    )
    assert violation_label("Beating", "en") == "Beating"


def test_every_belarusian_article_has_a_belarusian_title():
    by = {
        (r["article"].strip(), r["part"].strip())
        for r in domain_table("legal_articles")
        if r["jurisdiction"] == "BY"
    }
    missing = [key for key in by if not _cyrillic(article_title(*key, "be")) or not article_title(*key, "be")]
    assert missing == []


def test_a_charge_reads_as_a_lawyer_writes_it_in_each_language():
    assert charge_label("KoAP-2021", "24.23", "1", "ru") == "ст. 24.23 ч. 1 КоАП-2021"
    assert charge_label("KoAP-2021", "24.23", "1", "be") == "арт. 24.23 ч. 1 КаАП-2021"
    assert charge_label("UK", "342", "", "en") == "art. 342 Criminal Code"


def test_every_own_translation_says_it_is_not_from_a_cited_source():
    rows = domain_table("vigil_translations")
    assert rows and all(r["source"].startswith("Vigil translation") for r in rows)
