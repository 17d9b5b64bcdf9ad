"""Score one record against a few candidates in plain Python, with a trained model's own numbers.

Splink scores pairs in SQL: worth it for a million reports, far too slow for one new report and its few
dozen candidates (a DuckDB connection, table registration and a dozen SQL steps cost seconds). The
Fellegi-Sunter arithmetic itself is small: per comparison, find the first level whose condition holds,
add its weight log2(m/u), add the term-frequency adjustment on a level that has one, add the prior weight.
:class:`Scorer` does exactly that with the m/u probabilities and prior of a :class:`LinkModel`, reading
each level's condition from the model's settings, so it computes what Splink computes for the same pair
(tests/lib/linkage/test_fast_scorer.py checks the two against each other). A condition it does not know
is refused when the scorer is built, never guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from vigil.lib.linkage.link import FieldEvidence, PairExplanation
from vigil.lib.linkage.model import LinkModel
from vigil.lib.linkage.prepare import city_key

# A prepared value: text, a whole number (birth year, a day number for dates) or None when unknown.
Value = str | int | float | None
Row = Mapping[str, Value]
_Test = Callable[[Value, Value], bool]
# Names whose parsed features :func:`prepare_rows` keeps (a few hundred bytes each).
NAME_CACHE = 100_000


def _col(name: str) -> str:
    return rf'"(?P<{name}>[A-Za-z0-9_]+)_l"'


# Each level condition model.py writes, as a pattern over its SQL and the test it stands for. In SQL a
# comparison with NULL is not true, so every test is False when a value it compares is missing.
_NULL = re.compile(rf'^{_col("a")} IS NULL OR "(?P=a)_r" IS NULL$')
_EXACT = re.compile(rf'^{_col("a")} = "(?P=a)_r"$')
_JW = re.compile(rf'^jaro_winkler_similarity\({_col("a")}, "(?P=a)_r"\) >= (?P<t>[0-9.]+)$')
_JW_LTRIM = re.compile(
    rf"^jaro_winkler_similarity\(ltrim\({_col('a')}, '(?P<c>.)'\), ltrim\(\"(?P=a)_r\", '(?P=c)'\)\) "
    r">= (?P<t>[0-9.]+)$"
)
_EXACT_ONE_MISSING = re.compile(
    rf'^{_col("a")} = "(?P=a)_r" AND \({_col("b")} IS NULL OR "(?P=b)_r" IS NULL\)$'
)
_DL = re.compile(rf'^damerau_levenshtein\({_col("a")}, "(?P=a)_r"\) <= (?P<k>[0-9]+)$')
_ABS = re.compile(rf'^abs\({_col("a")} - "(?P=a)_r"\) <= (?P<k>[0-9]+)$')
_DAYS = re.compile(rf"^abs\(date_diff\('day', {_col('a')}, \"(?P=a)_r\"\)\) <= (?P<k>[0-9]+)$")


def _level_test(sql: str) -> tuple[_Test, tuple[str, ...]]:
    """The test a level's SQL condition stands for, and the prepared columns it reads."""
    if sql == "ELSE":
        return (lambda a, b: True), ()
    if m := _NULL.match(sql):
        return (lambda a, b: a is None or b is None), (m["a"],)
    if m := _EXACT.match(sql):
        return (lambda a, b: a is not None and b is not None and a == b), (m["a"],)
    if m := _JW.match(sql):
        t = float(m["t"])
        return (
            lambda a, b: a is not None and b is not None and JaroWinkler.similarity(str(a), str(b)) >= t
        ), (m["a"],)
    if m := _JW_LTRIM.match(sql):
        t, c = float(m["t"]), m["c"]
        return (
            lambda a, b: (
                a is not None
                and b is not None
                and JaroWinkler.similarity(str(a).lstrip(c), str(b).lstrip(c)) >= t
            )
        ), (m["a"],)
    if m := _EXACT_ONE_MISSING.match(sql):
        # Two columns: the test gets (a_l, a_r) and reads b from the pair through the columns given.
        return (lambda a, b: True), (m["a"], m["b"])
    if m := _DL.match(sql):
        k = int(m["k"])
        return (
            lambda a, b: a is not None and b is not None and DamerauLevenshtein.distance(str(a), str(b)) <= k
        ), (m["a"],)
    if m := _ABS.match(sql):
        k = int(m["k"])
        return (lambda a, b: a is not None and b is not None and abs(float(a) - float(b)) <= k), (m["a"],)
    if m := _DAYS.match(sql):
        k = int(m["k"])
        return (lambda a, b: a is not None and b is not None and abs(int(a) - int(b)) <= k), (m["a"],)
    raise ValueError(f"the fast scorer does not know the comparison level {sql!r}")


@dataclass(frozen=True)
class _Level:
    label: str
    weight: float  # log2(m/u)
    test: _Test
    columns: tuple[str, ...]
    tf_column: str | None = None
    tf_weight: float = 0.0
    tf_log2_u: float = 0.0  # log2 of the u of the exact level the adjustment is measured from
    tf_min_u: float = 0.0

    def holds(self, left: Row, right: Row) -> bool:
        if len(self.columns) == 2:  # "a agrees and b is missing on one side"
            a, b = self.columns
            return (
                left.get(a) is not None
                and right.get(a) is not None
                and left.get(a) == right.get(a)
                and (left.get(b) is None or right.get(b) is None)
            )
        if not self.columns:
            return True
        col = self.columns[0]
        return self.test(left.get(col), right.get(col))


@dataclass(frozen=True)
class _Comparison:
    name: str
    null: _Level
    levels: tuple[_Level, ...]  # strongest first, as Splink lists them; the last is the else level

    @functools.cached_property
    def columns(self) -> tuple[str, ...]:
        """Every column the comparison reads: its outcome for a pair depends on nothing else."""
        found = [*self.null.columns, *(c for lv in self.levels for c in lv.columns)]
        found += [lv.tf_column for lv in self.levels if lv.tf_column]
        return tuple(dict.fromkeys(found))


class TermFrequencies:
    """How common each value of the term-frequency columns is among a population of prepared records.

    Splink measures it on the table it links; to score like Splink would on (background + local records),
    give the background's counts once (:meth:`counting`) and add the few local records per call
    (:meth:`plus`), which costs a Counter over them rather than a pass over the background.
    """

    def __init__(self, counts: Mapping[str, Mapping[Value, int]]) -> None:
        self._counts = {col: dict(c) for col, c in counts.items()}
        self._totals = {col: sum(c.values()) for col, c in self._counts.items()}

    @classmethod
    def counting(cls, rows: Iterable[Row], columns: Sequence[str]) -> TermFrequencies:
        counts: dict[str, Counter[Value]] = {col: Counter() for col in columns}
        for row in rows:
            for col in columns:
                v = row.get(col)
                if v is not None:
                    counts[col][v] += 1
        return cls(counts)

    def plus(self, rows: Iterable[Row]) -> TermFrequencies:
        """These frequencies over the population together with ``rows``."""
        more = TermFrequencies.counting(rows, list(self._counts))
        merged = {
            col: Counter(self._counts[col]) + Counter(more._counts.get(col, {})) for col in self._counts
        }
        return TermFrequencies(merged)

    def get(self, column: str, value: Value) -> float | None:
        if value is None or column not in self._counts:
            return None
        count = self._counts[column].get(value)
        total = self._totals[column]
        return count / total if count and total else None


@dataclass(frozen=True)
class Scores:
    """The scores of one record against each candidate, in the candidates' order."""

    match_weight: npt.NDArray[np.float64]
    match_probability: npt.NDArray[np.float64]
    prior_weight: float
    comparisons: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]  # per candidate, per comparison: the level reached
    weights: npt.NDArray[np.float64]  # candidates x comparisons, in bits (term-frequency adjustment included)

    def explanation(self, i: int, left: str, right: str) -> PairExplanation:
        fields = tuple(
            FieldEvidence(
                name, self.labels[i][j], 2.0 ** float(self.weights[i, j]), float(self.weights[i, j])
            )
            for j, name in enumerate(self.comparisons)
        )
        return PairExplanation(
            record_id_l=left,
            record_id_r=right,
            match_probability=float(self.match_probability[i]),
            match_weight=float(self.match_weight[i]),
            prior_weight=self.prior_weight,
            fields=fields,
        )


def _probability(weight: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """2^w / (1 + 2^w), computed the way that neither overflows nor loses small probabilities."""
    out = np.empty_like(weight)
    pos = weight >= 0
    out[pos] = 1.0 / (1.0 + np.power(2.0, -weight[pos]))
    e = np.power(2.0, weight[~pos])
    out[~pos] = e / (1.0 + e)
    return out


class Scorer:
    """A trained :class:`LinkModel`'s Fellegi-Sunter scoring, pair by pair in Python.

    Built once per model (it reads the levels and their m/u from the settings); :meth:`score` then costs
    a few microseconds per candidate.
    """

    def __init__(self, model: LinkModel) -> None:
        settings = model.settings
        prior = float(settings["probability_two_random_records_match"])
        self.prior_weight = math.log2(prior / (1 - prior))
        comparisons = []
        for comparison in settings["comparisons"]:
            raw = comparison["comparison_levels"]
            exact_u: dict[str, float] = {}
            for level in raw:
                if (m := _EXACT.match(level["sql_condition"])) and level.get("u_probability"):
                    exact_u.setdefault(m["a"], float(level["u_probability"]))
            null: _Level | None = None
            levels = []
            for level in raw:
                test, columns = _level_test(level["sql_condition"])
                label = str(level.get("label_for_charts") or level["sql_condition"])
                if level.get("is_null_level"):
                    null = _Level(label, 0.0, test, columns)
                    continue
                m_prob, u_prob = level.get("m_probability"), level.get("u_probability")
                if not m_prob or not u_prob:
                    raise ValueError(f"level {label!r} of {comparison['output_column_name']} has no m or u")
                tf_column = level.get("tf_adjustment_column")
                tf_weight = float(level.get("tf_adjustment_weight", 1.0)) if tf_column else 0.0
                levels.append(
                    _Level(
                        label,
                        math.log2(float(m_prob) / float(u_prob)),
                        test,
                        columns,
                        tf_column=tf_column if tf_weight else None,
                        tf_weight=tf_weight,
                        tf_log2_u=math.log2(exact_u.get(str(tf_column), float(u_prob))),
                        tf_min_u=float(level.get("tf_minimum_u_value", 0.0)),
                    )
                )
            if null is None or not levels or levels[-1].columns:
                raise ValueError(
                    f"comparison {comparison['output_column_name']} needs a null and an else level"
                )
            comparisons.append(_Comparison(comparison["output_column_name"], null, tuple(levels)))
        self.comparisons: tuple[_Comparison, ...] = tuple(comparisons)
        self.tf_columns: tuple[str, ...] = tuple(
            sorted({lv.tf_column for c in self.comparisons for lv in c.levels if lv.tf_column})
        )

    @staticmethod
    def _compare(
        comparison: _Comparison, record: Row, other: Row, frequencies: TermFrequencies | None
    ) -> tuple[float, str]:
        """(weight in bits, level label) of one comparison of a pair."""
        if comparison.null.holds(record, other):
            return 0.0, "missing on one side"
        for level in comparison.levels:
            if level.holds(record, other):
                break
        weight, label = level.weight, level.label
        if level.tf_column is not None and frequencies is not None:
            found = [
                f
                for f in (
                    frequencies.get(level.tf_column, record.get(level.tf_column)),
                    frequencies.get(level.tf_column, other.get(level.tf_column)),
                )
                if f is not None
            ]
            if found:
                adj = level.tf_weight * (level.tf_log2_u - math.log2(max(*found, level.tf_min_u)))
                if adj != 0.0:
                    weight += adj
                    label += f" ({adj:+.2f} for how common the value is)"
        return weight, label

    def score(
        self, record: Row, candidates: Sequence[Row], frequencies: TermFrequencies | None = None
    ) -> Scores:
        """Match weight and probability of ``record`` against each of ``candidates`` (prepared rows, see
        :func:`prepared_rows`). ``frequencies`` gives the term-frequency adjustment; without it there is
        none (as in :func:`vigil.lib.linkage.explain_pair`)."""
        n, k = len(candidates), len(self.comparisons)
        weights = np.zeros((n, k))
        labels: list[list[str]] = [[] for _ in range(n)]
        for j, comparison in enumerate(self.comparisons):
            # Candidates repeat values (a city, a day, a source): each distinct one is compared once.
            seen: dict[tuple[Value, ...], tuple[float, str]] = {}
            columns = comparison.columns
            for i, other in enumerate(candidates):
                key = tuple(other.get(c) for c in columns)
                outcome = seen.get(key)
                if outcome is None:
                    outcome = seen[key] = self._compare(comparison, record, other, frequencies)
                weights[i, j] = outcome[0]
                labels[i].append(outcome[1])
        total = self.prior_weight + weights.sum(axis=1)
        return Scores(
            match_weight=total,
            match_probability=_probability(total),
            prior_weight=self.prior_weight,
            comparisons=tuple(c.name for c in self.comparisons),
            labels=tuple(tuple(row) for row in labels),
            weights=weights,
        )


_EPOCH = dt.date(1970, 1, 1)


def _plain(value: Any) -> Value:
    """A prepared frame's cell as the scorer compares it: None for any missing value, dates as day numbers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        return int(value.astype("datetime64[D]").astype(np.int64))
    if isinstance(value, pd.Timestamp | dt.datetime):
        return (value.date() - _EPOCH).days
    if isinstance(value, dt.date):
        return (value - _EPOCH).days
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return value
    return str(value)


def prepared_rows(prepared: pd.DataFrame) -> list[dict[str, Value]]:
    """The rows of a :func:`vigil.lib.linkage.prepare.prepare_records` frame as the scorer reads them."""
    columns = list(prepared.columns)
    arrays: list[list[Value]] = []
    for col in columns:
        series = prepared[col]
        if col == "detained_on" or pd.api.types.is_datetime64_any_dtype(series):
            days = pd.to_datetime(series)
            values = ((days - pd.Timestamp("1970-01-01")).dt.days).astype("Int64")
            arrays.append([None if v is pd.NA else int(v) for v in values])
        else:
            arrays.append([_plain(v) for v in series.to_numpy(dtype=object)])
    return [dict(zip(columns, values, strict=True)) for values in zip(*arrays, strict=True)]


@functools.lru_cache(maxsize=NAME_CACHE)
def _name_features(name: str) -> tuple[Any, ...]:
    from vigil.lib.names.features import FEATURE_KEYS, features_frame

    features = features_frame([name])
    return tuple(features[key][0] for key in FEATURE_KEYS)


_city_key = functools.lru_cache(maxsize=4096)(city_key)


def _blank(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _whole(value: Any) -> int | None:
    """A year as pandas.to_numeric(errors="coerce") would read it, whole numbers only."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def prepare_rows(records: Sequence[Mapping[str, str]]) -> list[dict[str, Value]]:
    """:func:`prepare_records` followed by :func:`prepared_rows`, for a few records in plain Python (no
    frame, no blocking keys: the scorer needs neither), with each name's features remembered for the
    process (names are parsed once, not on every arrival that lists them as candidates).

    ``records`` hold the link columns as text ("" when unknown), as ``vigil link`` reads them; the name is
    parsed by :mod:`vigil.lib.names`. tests/lib/linkage/test_fast_scorer.py checks it against
    :func:`prepare_records`."""
    from vigil.lib.names.features import FEATURE_KEYS

    keys = {key: i for i, key in enumerate(FEATURE_KEYS)}
    out = []
    for record in records:
        name = record.get("full_name") or ""
        features = _name_features(name) if name.strip() else (None,) * len(FEATURE_KEYS)

        def feature(key: str, features: tuple[Any, ...] = features) -> Any:
            return _blank(features[keys[key]])

        source = record.get("source") or ""
        source = source if _blank(source) is not None else ""
        birth_date = _blank(record.get("birth_date")) or feature("birth_date_in_text")
        year = _whole(_blank(record.get("birth_year")))
        if year is None and isinstance(birth_date, str):
            year = _whole(birth_date[:4])
        if year is None:
            year = _whole(feature("birth_year_in_text"))
        day = _blank(record.get("detained_on"))
        out.append(
            {
                "unique_id": str(record["record_id"]),
                "source_dataset": source,
                "surname_key": feature("surname_key"),
                "surname_phon": feature("surname_phonetic"),
                "given_id": feature("given_id"),
                "given_initial": feature("given_initial"),
                "patronymic_id": feature("patronymic_id"),
                "birth_date": birth_date,
                "birth_year": year,
                "sex": _blank(record.get("sex")) or feature("sex_hint"),
                "city_key": _city_key(record.get("city") or ""),
                "detained_on": (dt.date.fromisoformat(day) - _EPOCH).days if day else None,
                "source_key": source or None,
            }
        )
    return out


__all__ = ["Scorer", "Scores", "TermFrequencies", "prepare_rows", "prepared_rows"]
