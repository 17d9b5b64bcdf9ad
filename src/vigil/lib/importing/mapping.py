"""Which column of a source's file holds which Vigil field, saved per source as JSON.

The target fields are the ``vigil link`` input columns (record_id, source, full_name, birth_date,
birth_year, sex, city, detained_on) and the optional detention and court fields after them. A file whose
headers already are these names needs no mapping: :func:`guess_mapping` finds them, and also the usual
Russian and Belarusian headers (ФИО, Дата задержания, Горад, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vigil.lib.importing.errors import MappingError

__all__ = [
    "COURT_REQUIRED",
    "DETENTION_REQUIRED",
    "FIELDS",
    "LINK_FIELDS",
    "OPTIONAL_FIELDS",
    "Mapping",
    "guess_mapping",
    "normalise_header",
]

# The columns of the ``vigil link`` table, in order: also vigil.lib.linkage.LINK_COLUMNS, which the synthetic
# link tables use. Defined here, once, because this module loads nothing but the standard library.
LINK_FIELDS: tuple[str, ...] = (
    "record_id",
    "source",
    "full_name",
    "birth_date",
    "birth_year",
    "sex",
    "city",
    "detained_on",
)
OPTIONAL_FIELDS: tuple[str, ...] = (
    "event",
    "place",
    "unit",
    "held_at",
    "injuries",
    "raw_text",
    "head_count",
    "article",
    "court",
    "judge",
    "decision",
    "decided_on",
    "fine_base_units",
    "arrest_days",
)
FIELDS: tuple[str, ...] = LINK_FIELDS + OPTIONAL_FIELDS
DETENTION_REQUIRED: tuple[str, ...] = ("detained_on",)
COURT_REQUIRED: tuple[str, ...] = ("full_name", "decided_on")

_FORMAT = "vigil-import-mapping"

# Header spellings seen in volunteers' sheets and court lists, after normalise_header().
_ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": ("record id", "id", "номер", "нумар", "№", "№ п п", "n", "no", "ид"),
    "source": ("источник", "крыніца", "source name"),
    "full_name": (
        "фио",
        "ф и о",
        "фамилия имя отчество",
        "фамилия имя",
        "имя",
        "имя фамилия",
        "прозвішча імя імя па бацьку",
        "прозвішча імя",
        "прозвішча",
        "імя",
        "піб",
        "name",
        "full name",
        "задержанный",
        "затрыманы",
        "фамилия",
    ),
    "birth_date": ("дата рождения", "дата нараджэння", "date of birth", "dob", "д р", "дата рожд"),
    "birth_year": ("год рождения", "год нараджэння", "г р", "year of birth", "birth year", "гр"),
    "sex": ("пол", "пол м ж", "gender", "стать", "sex m f"),
    "city": (
        "город",
        "горад",
        "населенный пункт",
        "населены пункт",
        "город задержания",
        "горад затрымання",
        "town",
    ),
    "detained_on": (
        "дата задержания",
        "дата затрымання",
        "date of detention",
        "detention date",
        "detained",
        "задержан",
        "дата",
        "date",
    ),
    "event": ("событие", "акция", "падзея", "акцыя"),
    "place": ("место задержания", "месца затрымання", "место", "адрес", "address", "location"),
    "unit": ("подразделение", "кто задержал", "падраздзяленне", "хто затрымаў"),
    "held_at": (
        "место содержания",
        "где содержится",
        "месца ўтрымання",
        "дзе ўтрымліваецца",
        "held in",
        "изолятор",
    ),
    "injuries": ("травмы", "траўмы", "телесные повреждения", "побои"),
    "raw_text": ("текст", "комментарий", "примечание", "заўвага", "каментар", "notes", "comment", "text"),
    "head_count": ("количество", "колькасць", "число задержанных", "count", "people", "человек"),
    "article": ("статья", "артыкул", "ст", "статья коап", "артыкул какап", "article koap"),
    "court": ("суд", "court name"),
    "judge": ("судья", "суддзя"),
    "decision": (
        "решение",
        "рашэнне",
        "наказание",
        "пакаранне",
        "outcome",
        "приговор",
        "постановление",
        "penalty",
    ),
    "decided_on": (
        "дата суда",
        "дата решения",
        "дата рашэння",
        "дата суду",
        "date of decision",
        "decision date",
        "hearing date",
    ),
    "fine_base_units": (
        "штраф бв",
        "штраф б в",
        "штраф базовых величин",
        "штраф",
        "fine",
        "fine bu",
        "штраф бв",
    ),
    "arrest_days": (
        "сутки",
        "арест сутки",
        "арест сут",
        "суткі",
        "арышт",
        "арест",
        "arrest",
        "days of arrest",
        "арышт суткі",
    ),
}


def normalise_header(text: str) -> str:
    """Lower case, ё as е, punctuation and underscores as single spaces: "Ф.И.О.:" -> "ф и о"."""
    text = text.replace("\ufeff", "").strip().lower().replace("ё", "е")
    if text in ("№", "№ п/п", "#"):
        return "№"
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name in FIELDS:
        index[normalise_header(name)] = name
    for name, aliases in _ALIASES.items():
        for alias in aliases:
            index.setdefault(normalise_header(alias), name)
    return index


_ALIAS_INDEX = _alias_index()


def _check_str_dict(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingError(f"{what} must be an object of field names to strings")
    out: dict[str, str] = {}
    for key, item in value.items():
        if key not in FIELDS:
            raise MappingError(f"{what}: {key!r} is not a Vigil field (fields: {', '.join(FIELDS)})")
        if not isinstance(item, str):
            raise MappingError(f"{what}: the value for {key!r} must be a string")
        out[key] = item
    return out


@dataclass(frozen=True)
class Mapping:
    """``columns``: target field -> header text in the file. ``defaults``: target field -> value used when
    the field has no column or its cell is empty (say the source, or the date of a one-day list)."""

    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", _check_str_dict(self.columns, "columns"))
        object.__setattr__(self, "defaults", _check_str_dict(self.defaults, "defaults"))
        seen: dict[str, str] = {}
        for name, header in self.columns.items():
            if not header.strip():
                raise MappingError(f"columns: {name!r} is mapped to an empty header")
            if header in seen:
                raise MappingError(f"column {header!r} is mapped to both {seen[header]!r} and {name!r}")
            seen[header] = name

    def provides(self, name: str) -> bool:
        """True when the field gets a value from a column or a default."""
        return name in self.columns or name in self.defaults

    def to_json(self) -> str:
        body = {"format": _FORMAT, "version": 1, "columns": self.columns, "defaults": self.defaults}
        return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Mapping:
        """Read a mapping saved by :meth:`to_json`; raise :class:`MappingError` for anything else."""
        try:
            body = json.loads(text)
        except (ValueError, TypeError, RecursionError) as exc:
            raise MappingError(f"not a JSON mapping: {exc}") from None
        if not isinstance(body, dict) or body.get("format") != _FORMAT:
            raise MappingError(f"not a saved Vigil import mapping (format must be {_FORMAT!r})")
        if body.get("version") != 1:
            raise MappingError(f"unknown mapping version {body.get('version')!r}")
        unknown = set(body) - {"format", "version", "columns", "defaults"}
        if unknown:
            raise MappingError(f"unknown keys in mapping: {', '.join(sorted(map(str, unknown)))}")
        return cls(columns=body.get("columns", {}), defaults=body.get("defaults", {}))


def guess_mapping(headers: Iterable[str]) -> Mapping:
    """Map each header that names a Vigil field (exactly, or in a usual Russian, Belarusian or English
    wording) to it. The first header wins a field; a header naming a field already taken is left unmapped.
    """
    columns: dict[str, str] = {}
    headers = list(headers)
    exact = [h for h in headers if h.strip() in FIELDS]
    for header in exact:  # exact target names beat aliases ("date" must not take detained_on first)
        columns.setdefault(header.strip(), header)
    for header in headers:
        if header in exact:
            continue
        name = _ALIAS_INDEX.get(normalise_header(header))
        if name is None:
            key = normalise_header(header)
            # "Дата рождения (дд.мм.гггг)": the longest multi-word alias the header starts with
            candidates = [a for a in _ALIAS_INDEX if " " in a and key.startswith(a + " ")]
            if candidates:
                name = _ALIAS_INDEX[max(candidates, key=len)]
        if name is not None and name not in columns:
            columns[name] = header
    return Mapping(columns=columns)
