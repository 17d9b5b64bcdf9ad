"""Romanisation of Belarusian and Russian Cyrillic by the systems in the shipped transliteration tables."""

from __future__ import annotations

from functools import cache

from vigil.lib.reference.tables import domain_table

# Public system names -> column of ``translit_letter_table``.
SYSTEMS: dict[str, str] = {
    "be_national_2007": "be_national_2007",
    "be_lacinka": "be_lacinka",
    "be_bgnpcgn_1979": "be_bgnpcgn_1979",
    "be_passport": "be_passport_mvd_icao",
    "be_passport_mvd_icao": "be_passport_mvd_icao",
    "ru_icao": "ru_icao_9303_passport_since_2013",
    "ru_icao_9303": "ru_icao_9303_passport_since_2013",
    "ru_mvd_310": "ru_mvd_310_passport_1997_2010",
    "ru_gost_2006": "ru_gost_r_52535_1_2006_passport_2010_2013",
    "ru_bgnpcgn": "ru_bgnpcgn",
    "ru_iso9": "ru_iso9_gost_7_79_2000",
}
# Systems with their own shipped table (which must agree with the letter table; see tests).
_OWN_TABLES: dict[str, tuple[str, str]] = {
    "be_national_2007": ("translit_be_national_2007", "latin"),
    "be_passport_mvd_icao": ("translit_be_passport_mvd_icao", "latin"),
    "ru_icao_9303_passport_since_2013": ("translit_ru_icao_9303", "latin_lower"),
}
_IOTATED = "еёюя"
_VOWELS_CYR = "аеёіиоуыэюяў"  # ў counts: "je" after ў in the national system
_SOFTENABLE = {"з": "ź", "л": "ĺ", "н": "ń", "с": "ś", "ц": "ć"}
_SOFT_FRONT = "еёіюяь"
# Letters a system lacks, borrowed from the other language's nearest letter.
_BORROW = {"и": "і", "і": "и", "щ": "шч", "ъ": "'", "ў": "у", "ґ": "г"}


@cache
def _letter_map(column: str) -> dict[str, str]:
    """Lower-case Cyrillic letter (or apostrophe) -> lower-case Latin value for one system."""
    mapping: dict[str, str] = {}
    for row in domain_table("translit_letter_table"):
        value = row[column].strip()
        if not value:
            continue
        mapping[row["letter"][-1].lower()] = "" if value == "(omitted)" else value.lower()
    if column in _OWN_TABLES:
        table, field = _OWN_TABLES[column]
        for row in domain_table(table):
            value = row[field].strip()
            key = row["letter"][-1].lower()
            mapping[key] = "" if value.startswith("(omitted)") else value.lower()
    return mapping


def systems() -> tuple[str, ...]:
    return tuple(SYSTEMS)


def _pick(value: str, prev: str, column: str) -> str:
    """Resolve 'je/ie' style cells: j-form at word start, after vowels, ў, ь and apostrophe."""
    if "/" not in value:
        return value
    j_form, i_form = (v.strip() for v in value.split("/", 1))
    if column == "be_lacinka" and j_form in ("ł", "l"):
        return j_form
    if not prev or prev in _VOWELS_CYR or prev in "ь'’ʼ" or not prev.isalpha():
        return j_form
    return i_form


def _romanise_letter(low: str, prev: str, nxt: str, column: str, mapping: dict[str, str]) -> str:
    if low in ("'", "’", "ʼ"):
        return mapping.get("'", "")
    if low not in mapping:
        borrowed = _BORROW.get(low)
        if borrowed is None:
            return low
        return "".join(mapping.get(ch, ch) for ch in borrowed)
    if column in ("be_national_2007", "be_lacinka"):
        if low == "ь":
            return ""
        if low in _SOFTENABLE and nxt == "ь":
            if low == "л" and column == "be_lacinka":
                return "l"
            return _SOFTENABLE[low]
        if low == "л" and column == "be_lacinka":
            return "l" if nxt in _SOFT_FRONT else "ł"
        if low in _IOTATED and column == "be_lacinka" and prev == "л":
            return mapping[low].split("/")[-1].strip()[1:]
        if low == "з" and prev == "д" and nxt == "ь":
            return "ź"
    return _pick(mapping[low], prev, column)


def romanise(text: str, system: str = "be_national_2007") -> str:
    """Romanise Cyrillic ``text`` by ``system`` (see :data:`SYSTEMS`); other characters pass through.

    Case follows the source: a capital becomes a capitalised value ("Ш" -> "Sh"), an all-capitals word
    stays in capitals ("ШУТАЎ" -> "SHUTAU" in the passport system).
    """
    if system not in SYSTEMS:
        raise ValueError(f"unknown romanisation system {system!r}; known: {', '.join(SYSTEMS)}")
    column = SYSTEMS[system]
    mapping = _letter_map(column)
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        low = ch.lower()
        prev = text[i - 1].lower() if i > 0 else ""
        nxt = text[i + 1].lower() if i + 1 < n else ""
        value = _romanise_letter(low, prev, nxt, column, mapping)
        if ch != low and value:
            neighbour_upper = (i + 1 < n and text[i + 1].isupper()) or (i > 0 and text[i - 1].isupper())
            value = value.upper() if neighbour_upper else value[0].upper() + value[1:]
        out.append(value)
    return "".join(out)
