"""Parsing one name cell: birth date, initials, patronymic, given name, surname, order and case endings."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from vigil.lib.names.given import (
    cluster_sex,
    form_key,
    light_key,
    lookup_given,
    lookup_given_loose,
    lookup_given_typo,
    lookup_patronymic,
    patronymic_sex,
)
from vigil.lib.names.skeleton import CYRILLIC_RE, LATIN_RE, is_cyrillic, latin_ch_ambiguous, surname_skeleton

# Birth years accepted inside a name cell; a later year is rather the date of the detention or the trial.
_MIN_YEAR, _MAX_YEAR = 1900, 2015

_DATE_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4}|\d{2})(?!\d)")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20(?:0\d|1[0-5]))(?!\d)")
# Words that say "born" / "year of birth" / "aged" in the name cell, and other non-name words.
_BIRTH_MARKERS = re.compile(
    r"(?<![^\W\d_])(г\.?\s*р\.?|г\.?\s*н\.?|(?-i:гг\.?|г\.|b\.)|года\s+рождения|год\s+рождения|гады\s+нараджэння"
    r"|года\s+нараджэння|р\.\s*н\.|д\.?\s*р\.|born|dob|d\.o\.b\.|yob|лет|гадоў|years?\s+old|y\.o\.)(?![^\W\d_])",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    """
    задержан задержана задержаны задержано задержали задержать задержанный задержанная задержанного
    арестован арестована арестованы осужден осуждена осуждён осуждена гражданин гражданка граждане гр
    затрыманы затрымана затрыманая затрымалі арыштаваны арыштавана асуджаны асуджана грамадзянін
    грамадзянка житель жительница жыхар жыхарка из з с со в у на по от и і или або а также
    лет год года рождения гадоў гады нараджэння born aged years old
    detained arrested citizen mr mrs ms miss dr and or of from in the
    """.split()
)
_BRACKETS = re.compile(r"[(\[{]([^)\]}]*)[)\]}]")
_COMMA_SPLIT = re.compile(r"(,)")
_DIGITS = re.compile(r"\d+")
_TOKEN_SPLIT = re.compile(r"[\s,;:/|]+")
_TRIM = re.compile(r"^[^\w'’ʼ.-]+|[^\w'’ʼ.]+$")
_INITIAL_PIECE = re.compile(r"[^\W\d_]{1,4}")
_LATIN_INITIAL_DIGRAPHS = frozenset("yu ya ye yo iu ia io ju ja je jo zh sh ch ts kh dz ".split())

# Latin look-alikes inside Cyrillic words and the reverse (data typed on mixed keyboards).
_TO_CYR = str.maketrans("aeopcxykmthbiAEOPCXYKMTHBI", "аеорсхукмтнвіАЕОРСХУКМТНВІ")
_TO_LAT = str.maketrans("аеорсхукмтнвіАЕОРСХУКМТНВІ", "aeopcxykmthbiAEOPCXYKMTHBI")

# Cyrillic -> first letter of its ICAO 9303 romanisation (given_initial is the canonical Latin initial).
_CYR_INITIAL = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e", "ж": "z",
    "з": "z", "і": "i", "и": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "k", "ц": "t", "ч": "c",
    "ш": "s", "щ": "s", "ы": "y", "э": "e", "ю": "i", "я": "i",
}  # fmt: skip
_LAT_INITIAL = {"y": "i", "j": "i", "h": "g", "w": "v", "x": "k", "q": "k"}

_SURNAME_F_CYR = re.compile(r"(ова|ева|ёва|ина|ына|ава|ая|яя)$")
_SURNAME_M_CYR = re.compile(r"(ов|ев|ёв|ин|ын|ский|цкий|скі|цкі|ой|ый|ий|оў|еў|аў|ёў)$")
_SURNAME_F_LAT = re.compile(r"(ova|eva|ina|yna|ava|aya|aia|aja|ska)$")
_SURNAME_M_LAT = re.compile(r"(ov|ev|in|yn|sky|ski|skii|skiy|skij|skyi|au|eu|ou|aŭ|eŭ|oŭ|iy|ij|yi|yy|ii)$")
# Endings typical of East Slavic surnames (and rare in given names), used only to guess the word order.
_SURNAME_SUFFIX = re.compile(
    r"(ов|ев|ёв|ин|ын|ова|ева|ина|ына|ский|ская|цкий|цкая|скі|цкі|ая|оў|еў|аў|ава|енко|энка|енка|ук|юк|ич|іч"
    r"|ец|ёнак|ёнок|ко|ка|ov|ev|in|yn|ova|eva|ina|yna|sky|ski|skii|skiy|skaya|skaia|au|eu|ou|ava|enko|enka"
    r"|uk|ich|ic|ets|onak|onok|ko|ka)$"
)
# Russian/Belarusian oblique case endings of surnames that a final-vowel strip does not remove.
_SURNAME_OBLIQUE = re.compile(r"(?<=[сц]к)(ого|ому|ими|ым|им|их)$|(?<=[оеё]в|[иы]н)(ым|ыми|ых)$")
_SURNAME_INSTRUMENTAL = re.compile(r"(?<=[^аеёиоуыэюяіў])(ом|ем|ём)$")


@dataclass(frozen=True)
class ParsedName:
    """One name cell taken apart. Keys are script-neutral (see :mod:`vigil.lib.names.skeleton`)."""

    surname: str | None
    given: str | None
    patronymic: str | None
    initials: tuple[str, ...]
    birth_date: str | None
    sex_hint: str | None
    script: str
    birth_year: int | None = None
    surname_key: str | None = None
    surname_keys_alt: tuple[str, ...] = ()
    given_id: str | None = None
    given_ids: tuple[str, ...] = ()
    given_initial: str | None = None
    patronymic_id: str | None = None
    declined: bool = False
    order_certain: bool = True
    other_words: tuple[str, ...] = field(default=())
    alt_surnames: tuple[str, ...] = field(default=())


def _valid_date(y: int, m: int, d: int) -> str | None:
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def extract_birth(text: str) -> tuple[str, str | None, int | None]:
    """Remove a birth date / year (and 'г.р.'-style markers) from a name cell; return (rest, date, year)."""
    date: str | None = None
    year: int | None = None
    m = _DATE_ISO.search(text)
    if m:
        date = _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        text = text[: m.start()] + " " + text[m.end() :]
    if date is None:
        m = _DATE_DMY.search(text)
        if m:
            y = int(m.group(3))
            if y < 100:
                y += 1900 if y >= 20 else 2000
            date = _valid_date(y, int(m.group(2)), int(m.group(1)))
            text = text[: m.start()] + " " + text[m.end() :]
    if date is not None:
        year = int(date[:4])
    else:
        m = _YEAR.search(text)
        if m:
            year = int(m.group(1))
            text = text[: m.start()] + " " + text[m.end() :]
    if year is not None or date is not None:
        text = _BIRTH_MARKERS.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    return text, date, year


def _fix_homoglyphs(token: str) -> str:
    if "-" in token:
        return "-".join(_fix_homoglyphs(part) for part in token.split("-"))
    cyr = len(CYRILLIC_RE.findall(token))
    lat = len(LATIN_RE.findall(token))
    if cyr and lat:
        return token.translate(_TO_CYR) if cyr >= lat else token.translate(_TO_LAT)
    return token


def _initials(token: str) -> list[str] | None:
    """'С.А.' -> ['С', 'А']; 'S.' -> ['S']; 'Yu.' -> ['Yu']; a lone letter -> [it]; otherwise None."""
    if len(token) == 1 and token.isalpha():
        return [token]
    if "." not in token:
        return None
    pieces = [p for p in token.split(".") if p]
    if not pieces or not all(_INITIAL_PIECE.fullmatch(p) for p in pieces):
        return None
    if len(pieces) > 1 and any(len(p) > 2 for p in pieces):
        return None
    if len(pieces) == 1 and token.endswith(".") and 2 <= len(pieces[0]) <= 4 and pieces[0].istitle():
        return pieces  # an abbreviated given name or patronymic: "Ив.", "Серг.", "Yu."
    for p in pieces:
        if len(p) == 2 and (p.lower() not in _LATIN_INITIAL_DIGRAPHS or not p[0].isupper()):
            return None
    return pieces


def initial_letter(text: str) -> str | None:
    """Canonical Latin initial (first letter of the ICAO romanisation) of a name or an initial."""
    for ch in unicodedata.normalize("NFC", text).lower():
        if ch in _CYR_INITIAL:
            return _CYR_INITIAL[ch]
        if ch.isalpha():
            base = form_key(ch)[:1]
            if "a" <= base <= "z":
                if text.lower().startswith(("ts", "c")) and not text.lower().startswith(("ch", "cz")):
                    return "t"
                return _LAT_INITIAL.get(base, base)
            return None
    return None


def _surname_sex(token: str) -> str | None:
    low = form_key(token)
    if is_cyrillic(low):
        if _SURNAME_F_CYR.search(low):
            return "f"
        if _SURNAME_M_CYR.search(low):
            return "m"
        return None
    if _SURNAME_F_LAT.search(low):
        return "f"
    if _SURNAME_M_LAT.search(low):
        return "m"
    return None


def _detect_script(tokens: list[str]) -> str:
    text = " ".join(tokens)
    cyr = CYRILLIC_RE.search(text) is not None
    lat = LATIN_RE.search(text) is not None
    if cyr and lat:
        return "mixed"
    if lat:
        return "latin"
    if not cyr:
        return "unknown"
    low = text.lower()
    be = any(ch in low for ch in "іўʼ'")
    ru = any(ch in low for ch in "ищъ")
    if be and not ru:
        return "be"
    if ru and not be:
        return "ru"
    return "cyrillic"


def surname_token_key(token: str, declined: bool = False) -> str | None:
    """Gender-neutral script-neutral key of a surname word (oblique case endings removed)."""
    low = unicodedata.normalize("NFC", token).strip().lower()
    if is_cyrillic(low):
        low = _SURNAME_OBLIQUE.sub("", low)
        if declined:
            low = _SURNAME_INSTRUMENTAL.sub("", low)
    return surname_skeleton(low) or None


def surname_keys_all(token: str, declined: bool = False) -> tuple[str, ...]:
    """The primary key plus the key under the other reading of Latin "ch" (х vs ч), if it differs."""
    primary = surname_token_key(token, declined)
    keys = [primary] if primary else []
    if latin_ch_ambiguous(token):
        alt = surname_skeleton(unicodedata.normalize("NFC", token).lower(), True)
        if alt and alt not in keys:
            keys.append(alt)
    return tuple(keys)


@dataclass
class _Word:
    text: str
    pos: int
    upper: bool
    comma_after: bool


@lru_cache(maxsize=131_072)
def _piece(piece: str) -> tuple[str, tuple[str, ...] | None] | None:
    """One whitespace-separated piece -> (cleaned word, its initials if it is one) or None if no letters."""
    trimmed = _TRIM.sub("", piece)
    pieces = _initials(trimmed)
    if pieces is None:
        trimmed = trimmed.strip(".-")
    if not trimmed or not any(ch.isalpha() for ch in trimmed):
        return None
    fixed = _fix_homoglyphs(trimmed)
    return fixed, (tuple(pieces) if pieces is not None else None)


def _groups(text: str) -> list[tuple[list[_Word], list[str]]]:
    """Runs of name words (with their initials), split where running text has a lower-case word."""
    raw: list[tuple[str, tuple[str, ...] | None, bool]] = []
    for chunk in _COMMA_SPLIT.split(text):
        if chunk == ",":
            if raw:
                raw[-1] = (raw[-1][0], raw[-1][1], True)
            continue
        for piece in _TOKEN_SPLIT.split(chunk):
            info = _piece(piece) if piece else None
            if info is not None:
                raw.append((info[0], info[1], False))
    letters = "".join(t for t, _, _ in raw if len(t) > 1)
    has_case = letters != letters.lower() and letters != letters.upper()
    groups: list[tuple[list[_Word], list[str]]] = [([], [])]
    for tok, pieces, comma in raw:
        words, initials = groups[-1]
        stop = tok.lower().strip(".") in _STOPWORDS
        if (
            pieces is not None
            and (tok[0].isupper() if has_case else "." in tok)
            and not (stop and len(tok) > 2)
        ):
            initials.extend(pieces)
            continue
        if stop or (has_case and not tok[0].isupper()):
            if has_case and (words or initials):
                groups.append(([], []))
            continue
        upper = has_case and tok.isupper() and len(tok) > 1
        words.append(_Word(tok, len(words), upper, comma))
    return [g for g in groups if g[0] or g[1]]


def _evidence(group: tuple[list[_Word], list[str]]) -> float:
    words, initials = group
    score = sum(1.0 for w in words if patronymic_sex(w.text) or lookup_given(w.text)[0])
    return score + (0.5 if initials else 0.0) + (0.25 if words else 0.0)


def _tokens(text: str) -> tuple[list[_Word], list[str]]:
    """The run of words in a cell that most looks like a name (the first one if none stands out)."""
    groups = _groups(text)
    if not groups:
        return [], []
    if len(groups) == 1:
        return groups[0]
    return max(groups, key=_evidence)


def _choose_given(
    words: list[_Word], hits: dict[int, tuple[tuple[str, ...], bool]], script_cyr: bool
) -> int | None:
    candidates = [i for i in hits if not words[i].upper]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    # Two listed given names (Раман Максім): the one right before a patronymic, else by script convention.
    for i in candidates:
        if i + 1 < len(words) and patronymic_sex(words[i + 1].text):
            return i
    return candidates[-1] if script_cyr and len(words) == 2 else candidates[0]


@lru_cache(maxsize=32_768)
def parse_name(text: str) -> ParsedName:
    """Take a name cell apart: surname, given name, patronymic, initials, birth date, sex hint, script.

    Handles surname-first and given-first order (decided by looking words up in the given-name table),
    initials ("Иванов С.А.", "S. Ivanov"), UPPER CASE, Russian case endings in running text
    ("задержали Иванову Ольгу"), and a birth date or year inside the cell ("12.03.1990", "1990 г.р.").
    """
    text = unicodedata.normalize("NFC", text or "")
    brackets = _BRACKETS.findall(text)
    body = _BRACKETS.sub(" ", text)
    body, date, year = extract_birth(body)
    for inner in brackets:
        if date is None and year is None:
            _, date, year = extract_birth(inner)
    words, initials = _tokens(body)
    extra_words: list[str] = []
    for inner in brackets:
        inner_parsed = parse_name(inner.replace("(", " ").replace(")", " "))
        if inner_parsed.surname:
            extra_words.append(inner_parsed.surname)
    script = _detect_script([w.text for w in words] + initials)
    script_cyr = script in ("be", "ru", "cyrillic")

    hits: dict[int, tuple[tuple[str, ...], bool]] = {}
    pats: dict[int, tuple[str, str, int]] = {}
    for w in words:
        pat = lookup_patronymic(w.text)
        if pat is not None:
            pats[w.pos] = pat
            continue
        ids, declined = lookup_given(w.text)
        if ids:
            hits[w.pos] = (ids, declined)

    if not hits and len(words) >= 2:
        # No listed given name: one word may be a misspelt one (Влаимир Гурик). Used only when exactly
        # one word is a single slip away from exactly one cluster, so a surname is not taken for a name.
        typos = {w.pos: lookup_given_typo(w.text) for w in words if not w.upper and w.pos not in pats}
        found = [(pos, ids) for pos, ids in typos.items() if ids]
        if len(found) == 1:
            hits[found[0][0]] = (found[0][1], False)
    given_pos = _choose_given(words, hits, script_cyr)
    given_sex: str | None = None
    if given_pos is not None:
        sexes = {cluster_sex(c) for c in hits[given_pos][0]}
        given_sex = sexes.pop() if len(sexes) == 1 else None

    # Patronymic: right after the given name, or a listed form elsewhere; never the only other word unless
    # listed, and never of the other sex than the given name (Katsiaryna Barysevich: surname, not patronymic).
    pat_pos: int | None = None
    others = [w.pos for w in words if w.pos != given_pos]
    for p in sorted(pats, key=lambda q: (-(given_pos is not None and q == given_pos + 1), -pats[q][2], q)):
        cid, psex, strength = pats[p]
        if given_sex is not None and psex != given_sex:
            continue
        rest = [q for q in others if q != p]
        after_given = given_pos is not None and p == given_pos + 1
        if len(words) == 1 or (not rest and strength < 2):
            continue  # a lone word is a surname (Иванович, Стэфановіч), not a patronymic
        if strength == 0 and not after_given and not (len(words) >= 3 and p == len(words) - 1):
            continue
        pat_pos = p
        break

    remaining = [w for w in words if w.pos not in (given_pos, pat_pos)]
    surname_word: _Word | None = None
    order_certain = True
    if given_pos is None and remaining:
        if pat_pos is not None and any(w.pos == pat_pos - 1 for w in remaining) and len(remaining) >= 2:
            given_pos = pat_pos - 1
        elif len(remaining) >= 2:
            uppers = [w for w in remaining if w.upper]
            suffixed = [w for w in remaining if _SURNAME_SUFFIX.search(form_key(w.text))]
            if len(uppers) == 1:
                surname_word = uppers[0]
            elif remaining[0].comma_after:
                surname_word = remaining[0]
            elif len(suffixed) == 1:
                surname_word = suffixed[0]  # Марфа Рабкова: only one word has a surname ending
            elif script_cyr:
                surname_word = remaining[0]
            else:
                surname_word = remaining[-1]
            leftover = [w for w in remaining if w is not surname_word]
            given_pos = leftover[0].pos
            order_certain = bool(uppers) or remaining[0].comma_after
        remaining = [w for w in words if w.pos not in (given_pos, pat_pos)]
    if surname_word is None and remaining:
        uppers = [w for w in remaining if w.upper]
        surname_word = uppers[0] if uppers else remaining[0]

    given_word = words[given_pos].text if given_pos is not None else None
    patronymic_word = words[pat_pos].text if pat_pos is not None else None
    declined = given_pos is not None and given_pos in hits and hits[given_pos][1]

    # Sex: patronymic, then an unambiguous given name, then the surname's ending (unless declined).
    sex: str | None = None
    if pat_pos is not None:
        sex = pats[pat_pos][1]
    elif given_sex is not None:
        sex = given_sex
    elif surname_word is not None and not declined:
        sex = _surname_sex(surname_word.text)

    given_ids: tuple[str, ...] = ()
    if given_pos is not None:
        given_ids = hits[given_pos][0] if given_pos in hits else lookup_given_loose(words[given_pos].text)
    given_id: str | None = None
    if given_ids:
        given_id = given_ids[0]
        if len(given_ids) > 1 and sex is not None:
            given_id = next((c for c in given_ids if cluster_sex(c) == sex), given_ids[0])
    elif given_word is not None and light_key(given_word):
        given_id = "_" + light_key(given_word)
    if given_id is not None and sex is None and len(given_ids) == 1:
        sex = cluster_sex(given_id)

    initial: str | None = None
    if given_id is not None and not given_id.startswith("_"):
        initial = given_id[0]
    elif given_word is not None:
        initial = initial_letter(given_word)
    elif initials:
        initial = initial_letter(initials[0])

    surname_keys = surname_keys_all(surname_word.text, declined) if surname_word is not None else ()
    other = [w.text for w in words if w is not surname_word and w.pos not in (given_pos, pat_pos)]
    return ParsedName(
        surname=surname_word.text if surname_word is not None else None,
        given=given_word,
        patronymic=patronymic_word,
        initials=tuple(initials),
        birth_date=date,
        sex_hint=sex,
        script=script,
        birth_year=year,
        surname_key=surname_keys[0] if surname_keys else None,
        surname_keys_alt=surname_keys[1:],
        given_id=given_id,
        given_ids=tuple(dict.fromkeys(given_ids)) if given_ids else ((given_id,) if given_id else ()),
        given_initial=initial,
        patronymic_id=pats[pat_pos][0] if pat_pos is not None else None,
        declined=declined,
        order_certain=order_certain,
        other_words=tuple(other),
        alt_surnames=tuple(extra_words),
    )
