"""Script-neutral skeletons of name words.

Every spelling of a name word (Belarusian or Russian Cyrillic, any common romanisation) is brought to one
small internal alphabet, and then the differences that Belarusian/Russian correspondence and romanisation
systems introduce are folded away:

* г/ґ/х and Latin g/h/kh -> ``h`` (Belarusian Г is /ɣ/, romanised H; Russian Г is G);
* ц and ts/tc/c -> ``t`` (tsekanne: Ціханоўскі ~ Тихановский); дз/dz -> ``d`` (dzekanne: Дзмітрый ~ Дмитрий);
* ў and Latin ``u`` after a vowel -> ``v`` (-оў/-ou ~ -ов/-ov), w -> v;
* щ -> ш; soft sign, hard sign and apostrophes dropped; doubled consonants written once (Таццяна ~ Татьяна);
* every run of vowels (including й/j and glide y) becomes ``a``, or ``u`` if the run holds a u-sound
  (akanne о ~ а, я ~ е, э ~ е, ё ~ е, ы ~ и: Калеснікаў ~ Колесников, Бяляцкі ~ Беляцкий).

``word_skeleton`` keeps the final vowel (given names: Яна is not Ян); ``surname_skeleton`` drops it, which
makes the key gender-neutral (-ов/-ова, -скі/-ская/-ский, -ая/-ый) and tolerant of Russian case endings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

# Cyrillic letter -> internal alphabet (a-z plus š ž č; ``c`` is ц, ``w`` is ў).
_CYR: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "h",
    "д": "d",
    "е": "e",
    "ё": "e",
    "є": "ie",
    "ж": "ž",
    "з": "z",
    "і": "i",
    "ї": "i",
    "и": "i",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ў": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "ш": "š",
    "щ": "š",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}

# Latin letters with diacritics used by Belarusian/Russian romanisations -> internal alphabet.
_LATIN_SPECIAL: dict[str, str] = {
    "ł": "l",
    "ŭ": "u",
    "ĺ": "l",
    "ń": "n",
    "ś": "s",
    "ź": "z",
    "ć": "c",
    "ë": "e",
    "ŝ": "š",
    "â": "ia",
    "û": "iu",
    "è": "e",
    "ě": "ie",
    "ĭ": "j",
    "ç": "c",
}
# Letters that only the Belarusian national system / Łacinka / ISO 9 use: if present, "ch" is х, not ч.
_NATIONAL_MARKERS = frozenset("šžčŭćźśńĺłŝ")
_APOSTROPHES = "'’‘ʼʹʺ”“\"`´"
_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_VOWELS = frozenset("aeiouy")
_VOWEL_RUN = re.compile(r"[aeiouy]+")
_NOT_INTERNAL = re.compile(r"[^a-zšžč]")
_DOUBLE = re.compile(r"([b-df-hj-np-tv-zšžč])\1+")
_GLIDE_Y = re.compile(r"y(?=[aeiou])")
_NONSYLLABIC_U = re.compile(r"(?<=[aeoy])u")
_HYPHENS = re.compile(r"[-‐‑–—]+")
_PHON_DROP = re.compile(r"[aeiou\-]")
_ANY_DOUBLE = re.compile(r"(.)\1+")
_TO_ASCII = str.maketrans({"š": "sh", "ž": "zh", "č": "ch"})

# Latin digraphs (English/passport style) -> internal alphabet, longest first.
_LATIN_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("shch", "š"),
    ("sch", "š"),
    ("tsch", "č"),
    ("tch", "č"),
    ("ch", "č"),
    ("sh", "š"),
    ("zh", "ž"),
    ("kh", "h"),
    ("sz", "š"),
    ("rz", "ž"),
    ("cz", "č"),
    ("ts", "c"),
    ("tc", "c"),
    ("tz", "c"),
    ("ph", "f"),
    ("th", "t"),
    ("x", "ks"),
    ("q", "k"),
)
_LATIN_DIGRAPH_RE = re.compile("|".join(re.escape(a) for a, _ in _LATIN_DIGRAPHS))
_LATIN_DIGRAPH_MAP = dict(_LATIN_DIGRAPHS)

CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")


def is_cyrillic(text: str) -> bool:
    return CYRILLIC_RE.search(text) is not None


def _cyrillic_internal(word: str) -> str:
    return "".join(_CYR.get(ch, ch) for ch in word)


def _latin_internal(word: str, ch_as_kh: bool | None = None) -> str:
    """Latin word (lower case) -> internal alphabet. ``ch_as_kh`` forces the reading of "ch"."""
    national = any(ch in _NATIONAL_MARKERS for ch in word) if ch_as_kh is None else ch_as_kh
    out = "".join(_LATIN_SPECIAL.get(ch, ch) for ch in word)
    if national:
        out = out.replace("ch", "h")
    # English "ck" only at the end of a word (Nick); Polish/national "cki", "cka" is цк (Navicki, Bialacki).
    if out.endswith("ck"):
        out = out[:-2] + "k"
    out = _LATIN_DIGRAPH_RE.sub(lambda m: _LATIN_DIGRAPH_MAP[m.group(0)], out)
    # Remaining accented Latin letters (é, ö, ...) lose their marks; keep our own š ž č.
    if not out.isascii():
        out = "".join(ch if ch in "šžč" or ch.isascii() else unidecode(ch) for ch in out)
    return out.lower()


def to_internal(word: str, ch_as_kh: bool | None = None) -> str:
    """One word in any script -> lower-case internal alphabet (a-z, š ž č), apostrophes removed."""
    text = _APOSTROPHE_RE.sub("", unicodedata.normalize("NFC", word).lower())
    if is_cyrillic(text):
        # A Cyrillic word may still carry Latin homoglyphs; those are handled by the caller (tokens).
        out = _cyrillic_internal(text)
        if not out.isascii():
            out = "".join(ch if ch in "šžč" or ch.isascii() else unidecode(ch) for ch in out)
        return _NOT_INTERNAL.sub("", out.lower())
    return _NOT_INTERNAL.sub("", _latin_internal(text, ch_as_kh))


def _collapse_vowels(match: re.Match[str]) -> str:
    return "u" if "u" in match.group(0) else "a"


def reduce_internal(s: str) -> str:
    """Fold Belarusian/Russian and romanisation differences (see module docstring)."""
    if not s:
        return s
    s = s.replace("g", "h")
    s = s.replace("dz", "d").replace("c", "t")
    # Glide y/j before a vowel is an i (Yury, Jury, Andreyeu); j elsewhere is й (a vowel-like i).
    s = s.replace("j", "i")
    s = _GLIDE_Y.sub("i", s)
    # u right after a, e, o, y is ў (non-syllabic): Tsikhanouski, Kalesnikau, Iauhen.
    s = _NONSYLLABIC_U.sub("v", s)
    s = s.replace("w", "v")
    s = _DOUBLE.sub(r"\1", s)
    s = _VOWEL_RUN.sub(_collapse_vowels, s)
    return s


def to_ascii_key(s: str) -> str:
    return s.translate(_TO_ASCII)


@lru_cache(maxsize=262_144)
def word_skeleton(word: str, ch_as_kh: bool | None = None) -> str:
    """Skeleton of one word keeping its final vowel (used for given names and patronymics)."""
    return to_ascii_key(reduce_internal(to_internal(word, ch_as_kh)))


def strip_final_vowel(skel: str) -> str:
    stripped = skel.rstrip("au")
    return stripped or skel


@lru_cache(maxsize=262_144)
def surname_skeleton(word: str, ch_as_kh: bool | None = None) -> str:
    """Gender-neutral skeleton of one surname word (hyphenated parts joined with '-')."""
    parts = [p for p in _HYPHENS.split(word) if p]
    keys = []
    for part in parts:
        skel = strip_final_vowel(reduce_internal(to_internal(part, ch_as_kh)))
        if skel:
            keys.append(to_ascii_key(skel))
    return "-".join(keys)


def latin_ch_ambiguous(word: str) -> bool:
    """True if a Latin word has "ch" that could be х (national/Łacinka) or ч (English/passport)."""
    low = word.lower()
    return not is_cyrillic(low) and "ch" in low and not any(ch in _NATIONAL_MARKERS for ch in low)


# Phonetic code: consonant classes only, voicing merged, first sound kept.
_PHON_CLASSES = str.maketrans(
    {
        "b": "p",
        "d": "t",
        "z": "s",
        "v": "f",
        "w": "f",
        "g": "k",
        "h": "k",
        "q": "k",
        "x": "k",
        "c": "t",
        "j": "",
        "y": "",
    }
)


@lru_cache(maxsize=131_072)
def phonetic_code(skel: str) -> str | None:
    """A coarse code of a surname skeleton: consonant classes with voicing merged, vowels dropped.

    The hacek letters are read as if their marks were lost, as they are when a national-system or Łacinka
    spelling is typed without diacritics (Šynkievič -> Synkievic, Ryhorčyk -> Ryhorcyk): ``zh``/``sh``
    become ``s`` (ж ~ ш ~ з ~ с) and ``ch`` becomes ``t`` like ц (ч ~ ц ~ т). Returns None for an empty
    skeleton.
    """
    if not skel:
        return None
    first = skel[0]
    body = skel.replace("zh", "s").replace("sh", "s").replace("ch", "t")
    body = body.translate(_PHON_CLASSES)
    body = _PHON_DROP.sub("", body)
    body = _ANY_DOUBLE.sub(r"\1", body)
    if first in "au":
        body = "a" + body
    return body or skel
