"""Turn checked link records into the normalised columns the Splink model compares.

Names go through :mod:`vigil.lib.names` (one canonical key per surname across Belarusian, Russian and Latin
spellings, one id per given name with diminutives resolved). Everything else is cheap column work done on
distinct values only, because a million reports hold only a few thousand distinct cities or dates and the
normalisation must not cost more than the linkage itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import jellyfish
import numpy as np
import pandas as pd
from unidecode import unidecode

from vigil.lib.reference.tables import domain_table

# Columns of the prepared frame, in the order Splink sees them.
NAME_COLUMNS: tuple[str, ...] = (
    "surname_key",
    "surname_phon",
    "given_id",
    "given_initial",
    "patronymic_id",
)
PREPARED_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "source_dataset",
    *NAME_COLUMNS,
    "birth_date",
    "birth_year",
    "sex",
    "city_key",
    "detained_on",
    "source_key",
)

_NON_LETTERS = re.compile(r"[^a-z]+")


def latin_skeleton(text: str) -> str:
    """Lower-case ASCII letters only: the weakest normalisation that still makes 'Mínsk' equal 'minsk'."""
    return _NON_LETTERS.sub("", unidecode(unicodedata.normalize("NFC", text)).lower())


@cache
def _city_lookup() -> dict[str, str]:
    """Every spelling in the shipped city table -> the conventional English name's skeleton."""
    lookup: dict[str, str] = {}
    for row in domain_table("cities_by"):
        canonical = latin_skeleton(row["name_en_conventional"])
        for column, value in row.items():
            if column == "oblast" or not value:
                continue
            lookup[latin_skeleton(value)] = canonical
            lookup[value.strip().lower()] = canonical
    return lookup


def city_key(raw: str) -> str | None:
    """Canonical key of a city name in any of its Belarusian, Russian or Latin spellings."""
    text = raw.strip()
    if not text:
        return None
    # Strip the "г." / "г " (горад/город) prefix that Russian-language lists put before city names.
    text = re.sub(r"^(г\.?|гор\.|горад|город)\s+", "", text.lower())
    lookup = _city_lookup()
    if text in lookup:
        return lookup[text]
    skeleton = latin_skeleton(text)
    return lookup.get(skeleton, skeleton or None)


def _map_distinct(values: pd.Series, func: Callable[[str], Any]) -> pd.Series:
    """Apply ``func`` once per distinct value: reports repeat the same cities, dates and names endlessly."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([func(v) for v in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _blank_to_none(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


NameFeaturiser = Callable[[Sequence[str]], Mapping[str, Sequence[Any]]]


def _vigil_names_featuriser() -> NameFeaturiser:
    from vigil.lib.names import features_frame

    return features_frame


def split_name_features(given: Sequence[str], surname: Sequence[str]) -> dict[str, Sequence[Any]]:
    """Features for names that arrive already split into given name and surname (e.g. FEBRL, Latin only)."""

    def sur(v: str) -> tuple[str | None, str | None]:
        key = latin_skeleton(v)
        return (key or None, (jellyfish.metaphone(key) or key) if key else None)

    def giv(v: str) -> str | None:
        # Marked like vigil.lib.names marks a name outside its table: the spelling, not a known name, so two
        # different spellings may still be one name with a typo (clustering does not treat them as a conflict).
        key = latin_skeleton(v)
        return "_" + key if key else None

    s = _map_distinct(pd.Series(list(surname), dtype=object).fillna(""), sur)
    g = _map_distinct(pd.Series(list(given), dtype=object).fillna(""), giv)
    return {
        "surname_key": [t[0] for t in s],
        "surname_phon": [t[1] for t in s],
        "given_id": list(g),
        "given_initial": [x[1] if x else None for x in g],
        "patronymic_id": [None] * len(g),
    }


def _featurise_distinct(featuriser: NameFeaturiser, names: pd.Series) -> dict[str, list[Any]]:
    """Run the name featuriser once per distinct name cell and spread the results back to every row."""
    codes, uniques = pd.factorize(names)
    feats = featuriser(list(uniques))
    return {key: np.asarray(list(values), dtype=object)[codes].tolist() for key, values in feats.items()}


def _birth(
    frame: pd.DataFrame, text_dates: Sequence[Any] | None, text_years: Sequence[Any] | None = None
) -> tuple[pd.Series, pd.Series]:
    empty = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    date = frame["birth_date"].map(_blank_to_none).astype(object) if "birth_date" in frame else empty
    if text_dates is not None:
        # A date written inside the name cell ("Иванов И.И., 12.03.1990") fills an empty birth_date column.
        from_text = pd.Series(list(text_dates), index=frame.index, dtype=object).map(_blank_to_none)
        date = date.where(date.notna(), from_text)
    raw_year = frame["birth_year"].map(_blank_to_none) if "birth_year" in frame else empty
    year = pd.to_numeric(raw_year, errors="coerce").astype("Int64")
    date_year = pd.to_numeric(date.str[:4], errors="coerce").astype("Int64")
    year = year.where(year.notna(), date_year)
    if text_years is not None:
        # "Иванов И.И., 1990 г.р.": a year written inside the name cell fills an empty birth_year.
        from_text = pd.to_numeric(
            pd.Series(list(text_years), index=frame.index, dtype=object), errors="coerce"
        )
        year = year.where(year.notna(), from_text.astype("Int64"))
    return date.astype(object), year


def prepare_records(
    records: pd.DataFrame,
    *,
    extra_columns: Sequence[str] = (),
    name_featuriser: NameFeaturiser | None = None,
) -> pd.DataFrame:
    """The frame Splink links: one row per record, normalised comparison columns, nulls where unknown.

    ``records`` has the link columns (see :mod:`vigil.lib.linkage.records`). If it also has ``given_name`` and
    ``surname`` columns, those are used instead of parsing ``full_name`` (data that arrives pre-split).
    ``extra_columns`` are copied through unchanged for extra comparisons.
    """
    n = len(records)
    out: dict[str, Any] = {"unique_id": records["record_id"].astype(str).to_numpy()}
    if "source" in records:
        out["source_dataset"] = (
            records["source"].map(lambda s: _blank_to_none(s) or "").astype(str).to_numpy()
        )
    else:
        out["source_dataset"] = np.full(n, "", dtype=object)
    text_dates: Sequence[Any] | None = None
    text_years: Sequence[Any] | None = None
    names: dict[str, Sequence[Any]]
    if "given_name" in records and "surname" in records:
        names = split_name_features(
            records["given_name"].fillna("").astype(str).tolist(),
            records["surname"].fillna("").astype(str).tolist(),
        )
    else:
        featuriser = name_featuriser or _vigil_names_featuriser()
        feats = _featurise_distinct(featuriser, records["full_name"].fillna("").astype(str))
        names = {
            "surname_key": feats["surname_key"],
            "surname_phon": feats.get("surname_phonetic", feats["surname_key"]),
            "given_id": feats["given_id"],
            "given_initial": feats["given_initial"],
            "patronymic_id": feats.get("patronymic_id", [None] * n),
        }
        text_dates = feats.get("birth_date_in_text")
        text_years = feats.get("birth_year_in_text")
        if "sex_hint" in feats and "sex" in records:
            hint = pd.Series(list(feats["sex_hint"]), index=records.index, dtype=object)
            given_sex = records["sex"].map(_blank_to_none)
            # The sex written by the reporter wins; the name's grammatical gender fills gaps.
            out["sex"] = given_sex.where(given_sex.notna(), hint.map(_blank_to_none)).to_numpy()
        elif "sex_hint" in feats:
            out["sex"] = np.array([_blank_to_none(v) for v in feats["sex_hint"]], dtype=object)
    for column in NAME_COLUMNS:
        out[column] = np.array([_blank_to_none(v) for v in names[column]], dtype=object)
    date, year = _birth(records, text_dates, text_years)
    out["birth_date"] = date.to_numpy()
    out["birth_year"] = year.to_numpy()
    if "sex" not in out:
        out["sex"] = (
            records["sex"].map(_blank_to_none).to_numpy()
            if "sex" in records
            else np.full(n, None, dtype=object)
        )
    out["city_key"] = (
        _map_distinct(records["city"].fillna("").astype(str), city_key).to_numpy()
        if "city" in records
        else np.full(n, None, dtype=object)
    )
    detained = (
        records["detained_on"].map(_blank_to_none) if "detained_on" in records else pd.Series([None] * n)
    )
    out["detained_on"] = pd.to_datetime(detained, format="%Y-%m-%d", errors="raise").to_numpy()
    out["source_key"] = np.array([s or None for s in out["source_dataset"]], dtype=object)
    for column in extra_columns:
        out[column] = records[column].map(_blank_to_none).to_numpy()
    return add_block_keys(pd.DataFrame(out))


# Name-only blocks larger than this are not paired wholesale: a pair that shares nothing but a common name
# ("Иванов А.") cannot reach a linking probability anyway, and such blocks grow quadratically with the
# data (a million reports hold thousands of "Иванов А."). Their records are still paired through rules
# that add a birth year, a birth date or a patronymic.
NAME_BLOCK_CAP = 60
# A name capped above can still be paired within the week of its detention: reports of one detention give
# its day or the day next to it, and a common name has few bearers detained in any one week.
BLOCK_KEYS: dict[str, tuple[str, ...]] = {
    "name_block": ("surname_key", "given_initial"),
    "phon_block": ("surname_phon", "given_initial"),
    "name_week_block": ("surname_key", "given_initial", "detained_week"),
    # A typo in the surname changes its key and its sound ("Буриа" for "Бурина", "Корнсий" for "Корнский");
    # the week's reports that share the surname's first or last three letters and the initial are paired
    # anyway, so that a misspelt report is not counted as a new person.
    "prefix_week_block": ("surname_prefix", "given_initial", "detained_week"),
    "suffix_week_block": ("surname_suffix", "given_initial", "detained_week"),
}
# Surname keys shorter than this give no prefix or suffix key (three letters of "Ли" say nothing).
AFFIX_MIN_LENGTH = 4


def _detained_week(prepared: pd.DataFrame) -> pd.Series:
    """Seven-day periods since 1970-01-01 (Thursday to Wednesday), as text; missing where the day is."""
    if "detained_on" not in prepared:
        return pd.Series([None] * len(prepared), index=prepared.index, dtype=object)
    days = pd.to_datetime(prepared["detained_on"])
    weeks = (days - pd.Timestamp("1970-01-01")).dt.days // 7
    return weeks.astype("Int64").astype(str).where(days.notna()).astype(object)


def add_block_keys(prepared: pd.DataFrame, cap: int = NAME_BLOCK_CAP) -> pd.DataFrame:
    """Add capped blocking keys (see ``NAME_BLOCK_CAP``) to the prepared frame, in place; returns it."""
    week = _detained_week(prepared)
    surname = prepared["surname_key"].astype(object)
    long_enough = surname.map(lambda v: isinstance(v, str) and len(v) >= AFFIX_MIN_LENGTH)
    prepared["surname_prefix"] = surname.where(long_enough).map(
        lambda v: v[:3] if isinstance(v, str) else None
    )
    prepared["surname_suffix"] = surname.where(long_enough).map(
        lambda v: v[-3:] if isinstance(v, str) else None
    )
    for name, columns in BLOCK_KEYS.items():
        parts = [week if column == "detained_week" else prepared[column] for column in columns]
        key = parts[0].astype(str)
        present = parts[0].notna()
        for part in parts[1:]:
            key = key + "|" + part.astype(str)
            present &= part.notna()
        key = key.where(present)
        counts = key.map(key.value_counts())
        prepared[name] = key.where(counts <= cap).astype(object)
    return prepared
