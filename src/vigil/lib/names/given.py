"""Given names and patronymics: clusters built from ``given_names_be_ru``.

A cluster is one Russian full name (the table's ``name_ru``) with everything that denotes it: the
Belarusian full and folk forms (Аляксандр, Алесь), every romanisation listed, and the diminutives
(Саша, Шура). Its id is the ICAO 9303 romanisation of the Russian form, lower case ("aleksandr").

Traps the table's notes call out, and how they are kept apart:

* Belarusian Алена = Russian Елена (same cluster "elena"), but Russian Алёна is a different name: "Алёна"
  gets its own cluster "aliona" and is never folded to "Алена".
* Алеся (= Russian Олеся, cluster "olesia") is not the female of Алесь (cluster "aleksandr").
* Diminutives shared by a man's and a woman's name (Саша, Женя, Валя) resolve by the sex the rest of the
  name shows, else to the first row (the table lists men first).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from unidecode import unidecode

from vigil.lib.names.romanise import romanise
from vigil.lib.names.skeleton import is_cyrillic, to_ascii_key, to_internal, word_skeleton
from vigil.lib.reference.tables import domain_table

_APOS = re.compile(r"['’‘ʼʹʺ”“\"`´]")
_LATIN_COLUMNS = (
    "be_latn_passport_mvd_icao",
    "be_latn_national_2007",
    "be_latn_lacinka",
    "be_latn_bgnpcgn_1979",
    "ru_latn_icao_9303",
    "ru_latn_mvd_310_1997",
    "ru_latn_bgnpcgn",
    "ru_latn_wikipedia",
)
_PATRONYMIC_COLUMNS = {
    "patronymic_be_m": "m",
    "patronymic_be_f": "f",
    "patronymic_ru_m": "m",
    "patronymic_ru_f": "f",
}
_BE_SYSTEMS = ("be_passport", "be_national_2007", "be_bgnpcgn_1979")
_RU_SYSTEMS = ("ru_icao", "ru_mvd_310", "ru_bgnpcgn", "ru_gost_2006")
_PATRONYMIC_ROMANISATIONS = ("be_passport", "be_national_2007", "ru_icao", "ru_mvd_310", "ru_bgnpcgn")

# Names that the table does not list but that must stay apart from a listed one (see module docstring).
_EXTRA_CLUSTERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (("aliona", "f", ("Алёна", "Aliona")),)


@dataclass
class GivenCluster:
    id: str
    sex: str
    name_ru: str
    forms: set[str] = field(default_factory=set)


def form_key(text: str) -> str:
    """Exact-lookup key of a name form: NFC lower case, apostrophes dropped; Latin loses diacritics."""
    low = _APOS.sub("", unicodedata.normalize("NFC", text).strip().lower())
    if is_cyrillic(low):
        return low
    return unidecode(low)


_LIGHT_U = re.compile(r"(?<=[aeo])u")
_LIGHT_DOUBLE = re.compile(r"([b-df-hj-np-tv-zšžč])\1+")


@lru_cache(maxsize=131_072)
def light_key(text: str) -> str:
    """A spelling-tolerant key that keeps vowel identity (Арина != Ирина), for names outside the table.

    Folds г/g/h, ы/y/i, й/j, ў/w/v, double letters and romanisation digraphs; Арына = Арина = Arina.
    """
    s = to_internal(text)
    s = s.replace("g", "h").replace("j", "i").replace("y", "i").replace("w", "v")
    s = _LIGHT_U.sub("v", s)
    s = _LIGHT_DOUBLE.sub(r"\1", s)
    return to_ascii_key(s)


def _id_of(name_ru: str) -> str:
    return re.sub(r"[^a-z]", "", romanise(name_ru, "ru_icao").lower())


@dataclass
class GivenIndex:
    clusters: dict[str, GivenCluster]
    exact: dict[str, list[str]]
    light: dict[str, set[str]]
    patronymic_exact: dict[str, tuple[str, str]]
    patronymic_skeleton: dict[str, set[tuple[str, str]]]


def _add(index: dict[str, list[str]], key: str, cid: str) -> None:
    if not key:
        return
    ids = index.setdefault(key, [])
    if cid not in ids:
        ids.append(cid)


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(";") if v.strip()]


@cache
def given_index() -> GivenIndex:
    clusters: dict[str, GivenCluster] = {}
    exact: dict[str, list[str]] = {}
    pat_exact: dict[str, tuple[str, str]] = {}
    pat_skel: dict[str, set[tuple[str, str]]] = {}
    rows = domain_table("given_names_be_ru")
    # Full forms first, diminutives after: a full name never loses its key to someone else's diminutive.
    for row in rows:
        cid = _id_of(row["name_ru"])
        cluster = clusters.setdefault(cid, GivenCluster(cid, row["gender"], row["name_ru"]))
        full = [row["name_be"], row["name_be_alt"], row["name_ru"]]
        full += [row[c] for c in _LATIN_COLUMNS] + _split(row["all_latin_variants"])
        for form in full:
            if form.strip():
                cluster.forms.add(form.strip())
                _add(exact, form_key(form), cid)
    for row in rows:
        cid = _id_of(row["name_ru"])
        for form in _split(row["diminutives_ru"]) + _split(row["diminutives_be"]):
            clusters[cid].forms.add(form)
            _add(exact, form_key(form), cid)
        for column, sex in _PATRONYMIC_COLUMNS.items():
            form = row[column].strip()
            if not form:
                continue
            pat_exact.setdefault(form_key(form), (cid, sex))
            for system in _PATRONYMIC_ROMANISATIONS:
                pat_exact.setdefault(form_key(romanise(form, system)), (cid, sex))
            pat_skel.setdefault(word_skeleton(form), set()).add((cid, sex))
    # Romanisations of the Cyrillic forms (Sasha, Seryozha, Siarozha), unless that spelling is listed already.
    listed = set(exact)
    for row in rows:
        cid = _id_of(row["name_ru"])
        be_forms = [row["name_be"], row["name_be_alt"], *_split(row["diminutives_be"])]
        ru_forms = [row["name_ru"], *_split(row["diminutives_ru"])]
        # Ё is also commonly romanised "yo"/"io" (Seryozha, Artyom) although passports write "e".
        ru_forms += [f.replace("ё", "йо") for f in ru_forms if "ё" in f]
        for forms, systems in ((be_forms, _BE_SYSTEMS), (ru_forms, _RU_SYSTEMS)):
            for form in forms:
                for system in systems if form.strip() else ():
                    latin = romanise(form.strip(), system)
                    key = form_key(latin)
                    if key not in listed:
                        clusters[cid].forms.add(latin)
                        _add(exact, key, cid)
    for cid, sex, extra_forms in _EXTRA_CLUSTERS:
        clusters[cid] = GivenCluster(cid, sex, extra_forms[0], set(extra_forms))
        for form in extra_forms:
            exact[form_key(form)] = [cid]
    # Ё written as Е (Петр, Артем, Сережа) unless that spelling is itself a different listed name.
    for key, ids in list(exact.items()):
        folded = key.replace("ё", "е")
        if folded != key and folded not in exact:
            exact[folded] = list(ids)
    light: dict[str, set[str]] = {}
    for cluster in clusters.values():
        for form in cluster.forms:
            light.setdefault(light_key(form), set()).add(cluster.id)
    return GivenIndex(clusters, exact, light, pat_exact, pat_skel)


def cluster_sex(cid: str) -> str | None:
    cluster = given_index().clusters.get(cid)
    return cluster.sex if cluster else None


# Russian/Belarusian case endings of given names in running text -> nominative endings to try.
_DECLENSION: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ьей", ("ья",)),
    ("ьею", ("ья",)),
    ("ою", ("а",)),
    ("ею", ("я",)),
    ("ой", ("а",)),
    ("ей", ("я", "ь")),
    ("ом", ("",)),
    ("ем", ("й", "ь")),
    ("ём", ("ь",)),
    ("ам", ("а",)),
    ("у", ("а", "")),
    ("ю", ("я", "й", "ь")),
    ("ы", ("а",)),
    ("и", ("а", "я", "ь")),
    ("е", ("а", "я", "", "й", "ь")),
    ("а", ("", "ь")),
    ("я", ("й", "ь")),
)
# Fleeting vowels: Павла -> Павел, Льва -> Лев.
_FLEETING = {"павл": "павел", "льв": "лев", "пятр": "пётр", "петр": "пётр"}


@lru_cache(maxsize=131_072)
def lookup_given(token: str) -> tuple[tuple[str, ...], bool]:
    """Clusters a given-name token denotes, strictly (table forms only), and whether it was declined.

    Returns ``((), False)`` for a word that is not a listed given name in any case form.
    """
    index = given_index()
    key = form_key(token)
    if not key:
        return (), False
    ids = index.exact.get(key)
    if ids:
        return tuple(ids), False
    if "ё" in key:
        ids = index.exact.get(key.replace("ё", "е"))
        if ids:
            return tuple(ids), False
    if is_cyrillic(key) and len(key) >= 3:
        for ending, replacements in _DECLENSION:
            if key.endswith(ending) and len(key) > len(ending) + 1:
                stem = key[: -len(ending)]
                candidates = [stem + repl for repl in replacements]
                if stem in _FLEETING:
                    candidates.insert(0, _FLEETING[stem])
                for candidate in candidates:
                    ids = index.exact.get(candidate) or index.exact.get(candidate.replace("ё", "е"))
                    if ids:
                        return tuple(ids), True
    return (), False


def lookup_given_loose(token: str) -> tuple[str, ...]:
    """Strict lookup, then a spelling-tolerant one that is used only when it points at one cluster."""
    ids, _ = lookup_given(token)
    if ids:
        return ids
    found = given_index().light.get(light_key(token))
    if found and len(found) == 1:
        return tuple(found)
    return ()


# Shortest listed form a misspelling is matched against: one letter off a three-letter name (Ян, Лев, Ира)
# is too often another name or a surname.
_TYPO_MIN_LENGTH = 4


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


@cache
def _typo_index() -> dict[str, frozenset[str]]:
    """Every listed form (length >= 4) and each of its one-letter deletions -> the clusters it comes from."""
    out: dict[str, set[str]] = {}
    for key, ids in given_index().exact.items():
        if len(key) < _TYPO_MIN_LENGTH:
            continue
        for variant in _deletions(key) | {key}:
            out.setdefault(variant, set()).update(ids)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=65_536)
def lookup_given_typo(token: str) -> tuple[str, ...]:
    """The one cluster a word is a single slip away from (a dropped, doubled, swapped or changed letter).

    Влаимир, Ваадим, Иавн, Кюсша -> Владимир, Вадим, Иван, Ксюша. Returns () for a listed form (use
    :func:`lookup_given`), for a word shorter than four letters, and when the slip could come from more
    than one cluster.
    """
    key = form_key(token)
    if len(key) < _TYPO_MIN_LENGTH or not key.isalpha() or lookup_given(token)[0]:
        return ()
    index = _typo_index()
    found: set[str] = set()
    for variant in _deletions(key) | {key}:
        found |= index.get(variant, frozenset())
    return tuple(found) if len(found) == 1 else ()


_PAT_M = re.compile(r"(вич|віч|ич|іч|vich|vič|vych|ich|ič)$")
_PAT_F = re.compile(r"(вна|ўна|чна|vna|[aeiou]una|chna|čna|ŭna)$")
_PAT_SUFFIX = re.compile(
    r"(['ь]?[оеёаэі]?віч|['ь]?[оеёаэ]?вич|ич|іч|ична|ічна|инична|['ь]?[оеёаэ]?вна|['ь]?[аеэ]?ўна"
    r"|[oeya]?vi[cč]h?|[ei]?yevich|ich|ič|[oeya]?vna|[aei]?una|ichna|ična|inichna)$"
)


_PAT_DECLINED_M = re.compile(r"(?<=[вч])(ича|ичу|ичем|иче|ічa|іча|ічу|ічам|ічы|іча)$")
_PAT_DECLINED_F = re.compile(r"(?<=[вўч]н)(ы|е|у|ой|ою|ай|аю|і)$")


def patronymic_nominative(key: str) -> str:
    """Russian/Belarusian oblique cases of a patronymic back to the nominative (Леонидовичем -> Леонидович)."""
    if not is_cyrillic(key):
        return key
    m = _PAT_DECLINED_M.search(key)
    if m:
        return key[: m.start()] + ("іч" if m.group(0).startswith("і") else "ич")
    m = _PAT_DECLINED_F.search(key)
    if m:
        return key[: m.start()] + "а"
    return key


def patronymic_sex(token: str) -> str | None:
    """'m'/'f' if the word has a patronymic suffix (-ович/-віч/-ич, -овна/-аўна/-ична), else None."""
    low = patronymic_nominative(form_key(token))
    if len(low) < 5:
        return None
    if _PAT_F.search(low):
        return "f"
    if _PAT_M.search(low):
        return "m"
    return None


@lru_cache(maxsize=131_072)
def lookup_patronymic(token: str) -> tuple[str, str, int] | None:
    """(father's cluster id or '_'+skeleton, sex, strength) for a patronymic-looking word, else None.

    strength 2: a form listed in the table (or its romanisation); 1: same skeleton as a listed form, or its
    stem is a listed given name; 0: only the suffix says patronymic.
    """
    sex = patronymic_sex(token)
    if sex is None:
        return None
    index = given_index()
    key = patronymic_nominative(form_key(token))
    token = key if key != form_key(token) else token
    hit = index.patronymic_exact.get(key) or index.patronymic_exact.get(key.replace("ё", "е"))
    if hit:
        return hit[0], hit[1], 2
    skel_hits = index.patronymic_skeleton.get(word_skeleton(token))
    if skel_hits and len({cid for cid, _ in skel_hits}) == 1:
        cid, _ = next(iter(skel_hits))
        return cid, sex, 1
    stem = _PAT_SUFFIX.sub("", key)
    if len(stem) >= 2:
        for repl in ("", "й", "ь", "ий", "а", "i", "y", "ii", "iy", "a"):
            ids, _ = lookup_given(stem + repl)
            ids = tuple(i for i in ids if cluster_sex(i) == "m")
            if ids:
                return ids[0], sex, 1
    return "_" + (word_skeleton(stem) or word_skeleton(token)), sex, 0
