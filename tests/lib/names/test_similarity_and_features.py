"""name_similarity on canonical forms, canonical_* helpers and the features_frame contract."""

from __future__ import annotations

import time

import pytest

from vigil.lib.names import FEATURE_KEYS, canonical_given, canonical_surname, features_frame, name_similarity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Сяргей Ціханоўскі", "Sergei Tikhanovsky"),
        ("Тихановский Сергей Леонидович", "Siarhei Tsikhanouski"),
        ("Maryia Kalesnikava", "Колесникова Мария"),
        ("Ales Bialiatski", "Беляцкий Александр"),
    ],
)
def test_the_same_person_across_scripts_scores_one(a: str, b: str) -> None:
    assert name_similarity(a, b) == pytest.approx(1.0)


def test_similarity_ranks_a_namesake_with_another_given_name_below_the_same_name() -> None:
    same = name_similarity("Иван Иванов", "Ivan Ivanov")
    other_given = name_similarity("Иван Иванов", "Пётр Иванов")
    other_surname = name_similarity("Иван Иванов", "Иван Тихановский")
    assert same > other_given > 0
    assert same > other_surname
    assert other_surname < 0.8


def test_an_initial_agreeing_with_the_given_name_scores_between_match_and_mismatch() -> None:
    full = name_similarity("Иванов Сергей", "Ivanov Sergei")
    initial = name_similarity("Иванов Сергей", "Иванов С.")
    wrong_initial = name_similarity("Иванов Сергей", "Иванов П.")
    assert full > initial > wrong_initial


def test_a_one_letter_spelling_slip_in_the_surname_still_scores_high() -> None:
    # A vowel slip (Тихоновский) does not even change the key; a dropped consonant costs a little.
    assert name_similarity("Тихановский Сергей", "Тихоновский Сергей") == 1.0
    assert 0.85 < name_similarity("Тихановский Сергей", "Тиханоский Сергей") < 1.0


def test_similarity_is_symmetric_and_bounded() -> None:
    pairs = [("Иван Иванов", "Пётр Сидоров"), ("", "Иван"), ("S. Ivanov", "Иванова Ольга Петровна")]
    for a, b in pairs:
        assert name_similarity(a, b) == name_similarity(b, a)
        assert 0.0 <= name_similarity(a, b) <= 1.0
    assert name_similarity("", "") == 0.0


def test_canonical_helpers_take_a_single_word_or_a_whole_cell() -> None:
    assert (
        canonical_surname("Ціханоўская")
        == canonical_surname("Tikhanovsky")
        == canonical_surname("Тихановский")
    )
    assert canonical_surname("Тихановский Сергей") == canonical_surname("Тихановский")
    assert canonical_given("Серёжа") == canonical_given("Siarhei") == "sergei"
    assert canonical_given("Тихановский Сергей") == "sergei"
    assert canonical_given("С.") is None
    assert canonical_given("Арына") == canonical_given("Арина") != canonical_given("Ирина")


def test_features_frame_returns_aligned_lists_with_every_key_and_none_for_blanks() -> None:
    names = ["Иванов Иван", "", "Иванов Иван", "S. Ivanov"]
    frame = features_frame(names)
    assert set(FEATURE_KEYS) <= set(frame)
    assert all(len(column) == len(names) for column in frame.values())
    assert all(frame[key][1] is None for key in FEATURE_KEYS)
    assert [frame[k][0] for k in FEATURE_KEYS] == [frame[k][2] for k in FEATURE_KEYS]
    assert frame["given_id"][3] is None and frame["given_initial"][3] == "s"


def test_the_phonetic_code_is_coarser_than_the_surname_key() -> None:
    frame = features_frame(["Шутов Иван", "Жутов Иван", "Иванов Иван"])
    assert frame["surname_key"][0] != frame["surname_key"][1]
    assert frame["surname_phonetic"][0] == frame["surname_phonetic"][1]
    assert frame["surname_phonetic"][0] != frame["surname_phonetic"][2]


def test_features_frame_computes_each_distinct_name_once() -> None:
    distinct = [f"Иванов{i} Иван" for i in range(200)]
    names = distinct * 500  # 100,000 rows, 200 distinct values
    start = time.perf_counter()
    frame = features_frame(names)
    assert time.perf_counter() - start < 5.0
    assert len(frame["surname_key"]) == 100_000
