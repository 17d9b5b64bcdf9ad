"""Reference values as a reader sees them, in Belarusian, Russian or English.

Records store reference values by a stable key: a city by its English conventional name, a facility, a unit
or an outcome by its code, an allegation by its violation type as the Belarus Accountability Map writes it,
a charge by its code and article. Each function here turns such a key into the label of one language
(``"be"``, ``"ru"``, anything else meaning English). The names come from the shipped tables, which cite
their sources; where a table has no name in a language, ``vigil_translations.csv`` gives Vigil's own
translation and says so in its ``source`` column. A value no table knows (free text typed by a volunteer)
is returned as it was written: it is the reporter's wording, not ours to translate.
"""

from __future__ import annotations

from functools import cache

from vigil.lib.reference import articles, cities, facilities, outcomes, regions, units
from vigil.lib.reference.tables import domain_table

LANGUAGES = ("be", "ru", "en")


def _lang(language: str | None) -> str:
    code = (language or "en").split("-")[0].lower()
    return code if code in LANGUAGES else "en"


@cache
def _vigil(table: str) -> dict[str, dict[str, str]]:
    return {r["key"]: r for r in domain_table("vigil_translations") if r["table"] == table}


def _pick(language: str | None, be: str, ru: str, en: str) -> str:
    lang = _lang(language)
    if lang == "be":
        return be or ru or en
    if lang == "ru":
        return ru or en
    return en or ru


@cache
def _city_rows() -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for row in cities():
        for key, value in row.items():
            if key != "oblast" and value:
                index.setdefault(value.strip().casefold(), row)
    return index


def city_label(name: str, language: str | None) -> str:
    """A city in one language, from any of its Belarusian, Russian or Latin forms ("Zhodzina (Zhodino)" too)."""
    text = name.strip()
    rows = _city_rows()
    row = rows.get(text.casefold())
    if row is None and "(" in text:
        head, _, rest = text.partition("(")
        row = rows.get(head.strip().casefold()) or rows.get(rest.rstrip(")").strip().casefold())
    if row is None:
        return text
    return _pick(language, row["name_be"], row["name_ru"], row["name_en_conventional"])


def region_label(iso: str, language: str | None) -> str:
    """A region (or Minsk city) by its ISO 3166-2 code; an unknown code as written."""
    row = regions().get(iso.strip())
    if row is None:
        return iso
    return _pick(language, row["name_be"], row["name_ru"], row["name_en"])


def facility_label(value: str, language: str | None) -> str:
    """A place of detention by its facility id; free text as written."""
    row = facilities().get(value.strip())
    if row is None:
        return value
    own = _vigil("detention_facilities_by").get(row["facility_id"], {})
    return _pick(language, row["name_be"] or own.get("name_be", ""), row["name_ru"], row["name_en"])


def unit_label(code: str, language: str | None) -> str:
    """A police or security unit by its code; free text as written."""
    row = units().get(code.strip())
    if row is None:
        return code
    return _pick(language, row["name_be"], row["name_ru"], row["name_en"])


def outcome_label(code: str, language: str | None) -> str:
    """A decision's outcome by its code; an unknown code as written."""
    row = outcomes().get(code.strip())
    if row is None:
        return code
    return _pick(language, row["label_be"], row["label_ru"], row["label_en"])


def violation_label(violation_type: str, language: str | None) -> str:
    """A type of ill-treatment, stored in the Belarus Accountability Map's English wording."""
    row = _vigil("violation_types_belarus_accountability_map").get(violation_type.strip())
    if row is None:
        return violation_type
    return _pick(language, row["name_be"], row["name_ru"], violation_type)


# The codes' names as lawyers abbreviate them in each language.
_CODES: dict[str, tuple[str, str, str]] = {
    "KoAP-2003": ("КаАП-2003", "КоАП-2003", "Administrative Code 2003"),
    "KoAP-2021": ("КаАП-2021", "КоАП-2021", "Administrative Code 2021"),
    "UK": ("КК", "УК", "Criminal Code"),
    "CC": ("КК", "УК", "Criminal Code"),
    "KoAP RF": ("КаАП РФ", "КоАП РФ", "Administrative Code (Russia)"),
    "UK RF": ("КК РФ", "УК РФ", "Criminal Code (Russia)"),
}


def code_label(code: str, language: str | None) -> str:
    names = _CODES.get(code.strip())
    return _pick(language, *names) if names else code


def article_title(article: str, part: str, language: str | None, jurisdiction: str = "BY") -> str:
    """The title of an article (of the given part when the table has one for it), or "" when unknown."""
    found = [a for a in articles() if a.article == article.strip() and a.jurisdiction == jurisdiction]
    if not found:
        return ""
    exact = [a for a in found if a.part == part.strip()]
    a = (exact or found)[0]
    own = _vigil("legal_articles").get(f"{a.article}|{a.part}", {})
    return _pick(language, own.get("name_be", ""), a.title_ru, a.title_en)


def charge_label(code: str, article: str, part: str, language: str | None) -> str:
    """A charge as a lawyer writes it: "ст. 24.23 ч. 1 КоАП-2021" in Russian, "art. 24.23 part 1 ..." in English."""
    lang = _lang(language)
    art, prt = {"be": ("арт.", "ч."), "ru": ("ст.", "ч.")}.get(lang, ("art.", "part"))
    text = f"{art} {article}" + (f" {prt} {part}" if part else "")
    return f"{text} {code_label(code, language)}" if code else text


def article_choice_label(article: str, language: str | None) -> str:
    """An article as the case form offers it: its code, number and title in one language."""
    found = [a for a in articles() if a.article == article and a.jurisdiction == "BY"]
    if not found:
        return article
    a = found[0]
    return f"{code_label(a.code, language)} {a.article} — {article_title(a.article, a.part, language)}"
