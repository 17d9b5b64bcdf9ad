"""A stand-in for ``vigil.names.features_frame`` used only while that module is not in the checkout."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import jellyfish
from unidecode import unidecode

_GIVEN = {
    "sergei": "sergei", "sergey": "sergei", "siarhei": "sergei", "siargei": "sergei", "seriozha": "sergei",
    "serhii": "sergei", "ivan": "ivan", "aleksandr": "aleksandr", "dmitrii": "dmitrii", "maksim": "maksim",
    "andrei": "andrei", "aleksei": "aleksei", "artiom": "artiom", "ilia": "ilia", "kirill": "kirill",
    "mikhail": "mikhail", "nikita": "nikita", "roman": "roman", "egor": "egor", "denis": "denis",
    "evgenii": "evgenii", "daniil": "daniil", "pavel": "pavel", "oleg": "oleg", "igor": "igor",
}  # fmt: skip


def _key(token: str) -> str:
    s = re.sub(r"[^a-z]", "", unidecode(token).lower())
    s = re.sub(r"(ii|ij|iy|y|i|aia|a)$", "", s)
    for a, b in (("ts", "t"), ("kh", "h"), ("ou", "o"), ("ov", "o"), ("ia", "e"), ("ie", "e"), ("io", "e")):
        s = s.replace(a, b)
    return s


def fake_features(names: Sequence[str]) -> dict[str, list[Any]]:
    keys = ("surname_key", "surname_phonetic", "given_id", "given_initial", "patronymic_id")
    out: dict[str, list[Any]] = {k: [] for k in (*keys, "birth_date_in_text", "sex_hint")}
    for name in names:
        m = re.search(r"(\d{2})\.(\d{2})\.(\d{4})", name)
        out["birth_date_in_text"].append(f"{m.group(3)}-{m.group(2)}-{m.group(1)}" if m else None)
        tokens = [t for t in re.split(r"[\s,]+", re.sub(r"\d{2}\.\d{2}\.\d{4}", "", name)) if t]
        latin = [re.sub(r"[^a-z]", "", unidecode(t).lower()) for t in tokens]
        g = next((i for i, t in enumerate(latin) if t in _GIVEN), None)
        given = _GIVEN[latin[g]] if g is not None else None
        rest = [t for i, t in enumerate(latin) if i != g]
        surname = _key(rest[0]) if rest else None
        out["surname_key"].append(surname)
        out["surname_phonetic"].append(jellyfish.metaphone(surname) if surname else None)
        out["given_id"].append(given)
        out["given_initial"].append(given[0] if given else None)
        out["patronymic_id"].append(_key(rest[1]) if len(rest) > 1 else None)
        out["sex_hint"].append(None)
    return out
