"""What other code calls: search keys, linkage features, canonical forms and a similarity score."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import JaroWinkler

from vigil.lib.names.given import light_key, lookup_given, lookup_given_loose, lookup_patronymic
from vigil.lib.names.parse import ParsedName, parse_name, surname_keys_all, surname_token_key
from vigil.lib.names.skeleton import phonetic_code

_KEY_OK = re.compile(r"^[a-z0-9_:.\-]+$")


def _clean(keys: set[str]) -> set[str]:
    """Well-formed keys only; a key with an empty value would match every other empty one."""
    return {k for k in keys if _KEY_OK.match(k) and k.split(":", 1)[1].strip("_-.")}


@lru_cache(maxsize=65_536)
def _search_keys(text: str) -> frozenset[str]:
    parsed = parse_name(text)
    keys: set[str] = set()
    surname_keys = ((parsed.surname_key,) if parsed.surname_key else ()) + parsed.surname_keys_alt
    keys.update(f"s:{k}" for k in surname_keys)
    keys.update(f"g:{g}" for g in parsed.given_ids)
    if parsed.patronymic_id:
        keys.add(f"p:{parsed.patronymic_id}")
    # A lone word may be either a surname or a given name: key it both ways.
    words = [w for w in (parsed.surname, parsed.given, parsed.patronymic) if w]
    if len(words) == 1:
        word = words[0]
        keys.update(f"s:{k}" for k in surname_keys_all(word, parsed.declined))
        ids = lookup_given_loose(word) or lookup_given(word)[0]
        keys.update(f"g:{g}" for g in ids)
        if not ids and lookup_patronymic(word) is None:
            keys.add(f"g:_{light_key(word)}")
    # When the order was a guess, each unplaced word also keys as a surname and as a given name.
    if not parsed.order_certain:
        for extra in [parsed.given, *parsed.other_words]:
            if extra:
                keys.update(f"s:{k}" for k in surname_keys_all(extra))
        if parsed.surname:
            keys.add(f"g:_{light_key(parsed.surname)}")
    # A bracketed word is usually another surname of the same person (maiden name, other spelling).
    for word in parsed.alt_surnames:
        keys.update(f"s:{k}" for k in surname_keys_all(word))
    return frozenset(_clean(keys))


def search_keys(text: str) -> set[str]:
    """Keys for finding a name whatever the script, romanisation, gender form or word order.

    Stored as `` k1 k2 ... `` and matched with OR over ``contains f" {key} "``. Keys are lower-case ASCII
    without spaces: ``s:<surname skeleton>`` (gender-neutral, so Тихановская finds Тихановский),
    ``g:<given cluster id>`` (diminutives resolved; ``g:_<spelling key>`` for names outside the table),
    ``p:<father's cluster id>`` for a patronymic. A single word is keyed both as surname and given name.
    """
    if not isinstance(text, str) or not text.strip():
        return set()
    return set(_search_keys(text))


def sound_keys(text: str) -> set[str]:
    """``f:<phonetic code>`` of each surname key of :func:`search_keys`: keys under which a surname with a
    dropped, doubled or swapped letter (Шишук ~ Шшук, Тумашина ~ Тмашина) is still found.

    Stored beside the search keys for linking a new report on arrival (a report whose surname has a typo
    would otherwise never be compared with the reports of its person), not used to answer a search: a
    phonetic code is coarse (Шишук, Сак and Сук share one), so a candidate found by it is scored, not shown.
    """
    codes = {phonetic_code(linkage_surname_key(k[2:]) or "") for k in search_keys(text) if k.startswith("s:")}
    return _clean({f"f:{code}" for code in codes if code})


FEATURE_KEYS = (
    "surname_key",
    "surname_phonetic",
    "given_id",
    "given_initial",
    "patronymic_id",
    "birth_date_in_text",
    "birth_year_in_text",
    "sex_hint",
)


def linkage_surname_key(key: str | None) -> str | None:
    """The surname key linkage compares: Belarusian ШЧ (šč) folded into Щ (Шчарбскі = Щербский).

    Search keys keep the plain key, because records store them and a changed key would stop old records
    from being found.
    """
    return key.replace("shch", "sh") if key else key


@lru_cache(maxsize=65_536)
def _features_one(text: str) -> tuple[Any, ...]:
    p = parse_name(text)
    surname_key = linkage_surname_key(p.surname_key)
    return (
        surname_key,
        phonetic_code(surname_key) if surname_key else None,
        p.given_id,
        p.given_initial,
        p.patronymic_id,
        p.birth_date,
        p.birth_year,
        p.sex_hint,
    )


def features_frame(full_names: Sequence[str]) -> dict[str, list[Any]]:
    """Linkage features of each name cell, as lists aligned with the input (computed once per distinct value).

    ``surname_key`` script-neutral gender-neutral skeleton (ШЧ folded into Щ); ``surname_phonetic`` a
    coarser consonant code;
    ``given_id`` given-name cluster (None for an initial alone); ``given_initial``; ``patronymic_id``;
    ``birth_date_in_text`` "YYYY-MM-DD"; ``birth_year_in_text`` (also from "1990 г.р."); ``sex_hint``.
    """
    distinct: dict[str, tuple[Any, ...]] = {}
    rows: list[tuple[Any, ...]] = []
    empty = (None,) * len(FEATURE_KEYS)
    for value in full_names:
        if not isinstance(value, str) or not value.strip():
            rows.append(empty)
            continue
        row = distinct.get(value)
        if row is None:
            row = distinct[value] = _features_one(value)
        rows.append(row)
    return {key: [row[i] for row in rows] for i, key in enumerate(FEATURE_KEYS)}


def canonical_given(name: str) -> str | None:
    """Given-name cluster id of a given name ('Серёжа', 'Siarhei' -> 'sergei'); '_'+spelling key if unlisted."""
    words = name.split()
    if len(words) == 1:
        ids = lookup_given_loose(words[0])
        if ids:
            return ids[0]
        if parse_name(name).initials:
            return None
        key = light_key(words[0])
        return "_" + key if key else None
    return parse_name(name).given_id


def canonical_surname(name: str) -> str | None:
    """Gender-neutral script-neutral surname key of a surname ('Ціханоўская', 'Tikhanovsky' -> same)."""
    words = name.split()
    if len(words) == 1:
        return surname_token_key(words[0].strip(",."))
    return parse_name(name).surname_key


def _spelling_sim(a: str, b: str) -> float:
    """Jaro-Winkler rescaled so that unrelated skeletons (JW below 0.75, common for short keys) score 0."""
    if a == b:
        return 1.0
    return max(0.0, (float(JaroWinkler.similarity(a, b)) - 0.75) / 0.25)


def _sim(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    return _spelling_sim(a, b)


def _given_sim(a: ParsedName, b: ParsedName) -> float | None:
    if a.given_id and b.given_id:
        if set(a.given_ids) & set(b.given_ids):
            return 1.0
        if a.given_id.startswith("_") or b.given_id.startswith("_"):
            return 0.9 * _spelling_sim(a.given_id.lstrip("_"), b.given_id.lstrip("_"))
        return 0.0
    if a.given_initial and b.given_initial:
        return 0.8 if a.given_initial == b.given_initial else 0.0
    return None


def name_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two name cells on their canonical forms (surname key, given cluster, patronymic).

    Equal canonical forms give 1.0 whatever the script; a missing part on either side is left out of the
    weighting; an initial that agrees with a full given name counts 0.8.
    """
    pa, pb = parse_name(a or ""), parse_name(b or "")
    parts = [
        (0.55, _sim(pa.surname_key, pb.surname_key)),
        (0.35, _given_sim(pa, pb)),
        (0.10, _sim(pa.patronymic_id, pb.patronymic_id)),
    ]
    present = [(w, s) for w, s in parts if s is not None]
    if not present:
        return 0.0
    total = sum(w for w, _ in present)
    score = sum(w * s for w, s in present) / total
    return max(0.0, min(1.0, score))
