"""search_keys on arbitrary text: never raises, deterministic, and keys fit the ' k1 k2 ' storage format."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.lib.names import features_frame, parse_name, search_keys

KEY = re.compile(r"^[a-z0-9_:.\-]+$")
NAME_ALPHABET = st.sampled_from(
    list("АаБбВвГгДдЕеЁёЖжЗзІіИиЙйКкЛлМмНнОоПпРрСсТтУуЎўФфХхЦцЧчШшЩщЪъЫыЬьЭэЮюЯя")
    + list("AaBbCcDdEeHhIiJjKkLlSsTtUuYyZzŁłŭŠšŽžČčĆćŃńŚśŹźĹĺ")
    + list(" .,-'’()0123456789")
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_search_keys_never_raises_and_is_deterministic_for_any_unicode(text: str) -> None:
    first = search_keys(text)
    second = search_keys(text)
    assert first == second
    assert all(KEY.match(k) for k in first)
    frame = features_frame([text])
    assert frame["birth_date_in_text"][0] is None or re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", frame["birth_date_in_text"][0]
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=NAME_ALPHABET, max_size=40))
def test_name_like_text_gives_well_formed_keys_and_features(text: str) -> None:
    keys = search_keys(text)
    assert all(KEY.match(k) and " " not in k for k in keys)
    frame = features_frame([text, text])
    assert all(len(column) == 2 and column[0] == column[1] for column in frame.values())
    parsed = parse_name(text)
    assert parsed.sex_hint in (None, "m", "f")
    assert parsed.given_initial is None or re.fullmatch(r"[a-z]", parsed.given_initial)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=30))
def test_a_cell_in_capitals_keys_like_the_same_cell_in_lower_case(text: str) -> None:
    assert search_keys(text.upper()) == search_keys(text.lower())


def test_blank_and_non_name_input_gives_no_keys() -> None:
    assert search_keys("") == set()
    assert search_keys("   ") == set()
    assert search_keys("12.03.1990") == set()
    assert search_keys("!!!") == set()


def test_no_key_has_an_empty_value_that_would_match_every_other_empty_one() -> None:
    for text in ("ß", "ᚠᚢ Иванов", "'", "-", "Иванов -", "Ь Ъ"):
        assert all(k.split(":", 1)[1].strip("_-.") for k in search_keys(text)), text
