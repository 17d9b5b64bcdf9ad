"""Table-driven romanisation of Belarusian and Russian Cyrillic, from translit_letter_table.csv.

Deliberately independent of :mod:`vigil.lib.names`, so that the generator can serve as a source of truth
when testing that one: :func:`romanise` applies one scheme (a column of the table) with its context rules;
the informal English-press spelling and the stripping of diacritics give the forms no table holds.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

from vigil.lib.reference.tables import domain_table

BE_SCHEMES: tuple[str, ...] = ("be_national_2007", "be_lacinka", "be_bgnpcgn_1979", "be_passport_mvd_icao")
RU_SCHEMES: tuple[str, ...] = (
    "ru_icao_9303_passport_since_2013",
    "ru_mvd_310_passport_1997_2010",
    "ru_gost_r_52535_1_2006_passport_2010_2013",
    "ru_bgnpcgn",
    "ru_iso9_gost_7_79_2000",
)
_VOWELS = set("аеёіиоуыэюя")
_IOTATED = set("еёюя")
_ACUTE = {"z": "ź", "l": "ĺ", "n": "ń", "s": "ś", "c": "ć"}
_APOSTROPHES = "'’ʼ"


@cache
def _scheme_map(scheme: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in domain_table("translit_letter_table"):
        value = row.get(scheme)
        if value is None:
            raise KeyError(f"unknown transliteration scheme {scheme!r}")
        if value == "":
            continue  # letter not in this alphabet
        letter = row["letter"]
        key = letter[-1] if len(letter) == 2 else letter
        mapping[key] = "" if value.startswith("(omitted") else value
    return mapping


@lru_cache(maxsize=65536)
def romanise(text: str, scheme: str) -> str:
    """Romanise Cyrillic ``text`` with one scheme (a column of translit_letter_table.csv).

    Context rules implemented: iotated vowels ``je/ie`` forms (national, Łacinka), soft sign as an acute
    accent (national: ź ĺ ń ś ć; Łacinka the same except ль -> l), Łacinka ł/l and ля -> la. Characters the scheme
    does not know (spaces, hyphens, Latin, letters of the other alphabet) pass through unchanged.
    """
    table = _scheme_map(scheme)
    lower = text.lower()
    out: list[str] = []
    n = len(lower)
    for i, ch in enumerate(lower):
        orig = text[i]
        prev = lower[i - 1] if i > 0 else ""
        nxt = lower[i + 1] if i + 1 < n else ""
        if ch in _APOSTROPHES:
            ch = "'"
        if scheme == "be_lacinka" and ch == "л":
            # soft before е ё і ю я ь, and the first of a soft geminate (Наталля -> Natalla)
            soft = nxt in "еёіюяь" or (nxt == "л" and lower[i + 2 : i + 3] in tuple("еёіюяь"))
            val = "l" if soft else "ł"
        elif ch == "ь" and scheme in ("be_national_2007", "be_lacinka"):
            last = out[-1][-1:] if out else ""
            if last in _ACUTE and not (scheme == "be_lacinka" and prev == "л"):
                out[-1] = out[-1][:-1] + _ACUTE[last]
            continue
        else:
            mapped = table.get(ch)
            if mapped is None:
                out.append(orig)
                continue
            val = mapped
            if ch in _IOTATED and "/" in val:
                j_form, i_form = (part.strip() for part in val.split("/", 1))
                word_start = prev == "" or not (prev.isalpha() or prev == "'")
                val = j_form if word_start or prev in _VOWELS or prev in "ьў'" else i_form
                if scheme == "be_lacinka" and prev == "л":
                    val = val[1:]
            elif scheme == "ru_bgnpcgn" and ch in "её":
                # BGN/PCGN: ye / yë at word start, after vowels and after ъ ь (Yelena, Andreyev)
                word_start = prev == "" or not prev.isalpha()
                if word_start or prev in _VOWELS or prev in "ъь":
                    val = "y" + val
        if orig.isupper() and val:
            neighbour_upper = (i + 1 < n and text[i + 1].isupper()) or (i > 0 and text[i - 1].isupper())
            val = val.upper() if neighbour_upper else val[:1].upper() + val[1:]
        out.append(val)
    return "".join(out)


def _strip_diacritics(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _informal_latin(text_ru: str) -> str:
    """English-press style: BGN/PCGN without apostrophes, -iy -> -y, ë -> e (Novitsky, Kovalev)."""
    s = romanise(text_ru, "ru_bgnpcgn")
    for mark in ("’", "”", "'"):
        s = s.replace(mark, "")
    s = s.replace("ë", "e").replace("Ë", "E")
    if s.endswith("iy") or s.endswith("yy"):
        s = s[:-2] + "y"
    return s
