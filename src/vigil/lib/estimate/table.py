"""Capture-history tables: reading, validating and reshaping the input of every estimator.

A table is held as its distinct observed capture patterns with a count each, because every estimator here
works on patterns: their number is bounded by 2^J - 1 however many people were documented.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

MIN_LISTS = 3
COUNT_COLUMN = "count"
# The most people a table may document. Far above any documentation project (the largest published multiple
# systems estimates count hundreds of thousands of victims), so a table above it is almost surely not a count
# of people (a wrong column, an ID read as a count); it also keeps the cap on N (100 x documented) and every
# sum of counts far inside exact integer and float64 arithmetic.
MAX_DOCUMENTED = 10_000_000


class TableError(ValueError):
    """A capture-history table that cannot be estimated from, with the row and column at fault."""


class EstimateRefused(TableError):
    """A table no estimator here should answer for: ``reason`` is a stable code (``no_overlap``,
    ``empty_list``, ...; see :mod:`vigil.lib.estimate.refusals`), ``detail`` the one-line explanation."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class CaptureTable:
    """Distinct capture patterns (rows of 0/1, one column per list) and how many people have each.

    ``patterns`` never contains the all-zero row: nobody can be documented without appearing on a list.
    Patterns with a count of zero may be present (a table may list them explicitly); they carry information
    for the log-linear models and are harmless to the sampler.
    """

    lists: tuple[str, ...]
    patterns: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        if self.patterns.ndim != 2 or self.patterns.shape[1] != len(self.lists):
            raise TableError("patterns must have one column per list")
        if self.patterns.shape[0] != self.counts.shape[0]:
            raise TableError("patterns and counts differ in length")

    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def n_observed(self) -> int:
        return int(self.counts.sum())

    def list_totals(self) -> dict[str, int]:
        """People documented by each list."""
        totals = (self.patterns * self.counts[:, None]).sum(axis=0)
        return {name: int(v) for name, v in zip(self.lists, totals)}

    def lists_with_records(self) -> tuple[str, ...]:
        return tuple(name for name, v in self.list_totals().items() if v > 0)

    def nonzero(self) -> CaptureTable:
        """The same table without patterns that nobody has."""
        keep = self.counts > 0
        return CaptureTable(self.lists, self.patterns[keep], self.counts[keep])

    def drop_list(self, name: str) -> CaptureTable:
        """The table as it would be had list ``name`` never existed (people only on it disappear)."""
        if name not in self.lists:
            raise KeyError(name)
        keep_cols = [i for i, n in enumerate(self.lists) if n != name]
        return CaptureTable.from_patterns(
            [self.lists[i] for i in keep_cols], self.patterns[:, keep_cols], self.counts
        )

    def full_counts(self) -> npt.NDArray[np.int64]:
        """Counts for all 2^J - 1 observable patterns, indexed by the pattern read as a binary number
        (first list = most significant bit) minus one."""
        j = self.n_lists
        weights = 1 << np.arange(j - 1, -1, -1, dtype=np.int64)
        index = self.patterns @ weights
        out = np.zeros(2**j, dtype=np.int64)
        np.add.at(out, index, self.counts)
        return out[1:]

    def to_rows(self) -> list[dict[str, int]]:
        return [
            {**{n: int(v) for n, v in zip(self.lists, row)}, COUNT_COLUMN: int(c)}
            for row, c in zip(self.patterns, self.counts)
        ]

    @classmethod
    def from_patterns(
        cls,
        lists: Sequence[str],
        patterns: npt.ArrayLike,
        counts: npt.ArrayLike,
    ) -> CaptureTable:
        """Aggregate possibly repeated patterns, dropping people who (after a list was removed) are on no
        list."""
        cnt = _integer_counts(counts)
        pat = np.asarray(patterns, dtype=np.int64).reshape(cnt.shape[0], len(lists))
        if pat.size and not np.isin(pat, (0, 1)).all():
            raise TableError("patterns must contain only 0 and 1")
        if (cnt < 0).any():
            raise EstimateRefused("negative_count", "counts must not be negative")
        seen = pat.any(axis=1)
        pat, cnt = pat[seen], cnt[seen]
        if pat.shape[0] == 0:
            return cls(tuple(lists), np.zeros((0, len(lists)), dtype=np.int64), np.zeros(0, dtype=np.int64))
        uniq, inverse = np.unique(pat, axis=0, return_inverse=True)
        summed = np.zeros(uniq.shape[0], dtype=np.int64)
        np.add.at(summed, inverse.ravel(), cnt)
        # Most-captured patterns first, matching the order in which tables are usually printed.
        order = np.lexsort(uniq.T[::-1])[::-1]
        return cls(tuple(lists), uniq[order], summed[order])

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Mapping[str, object]],
        lists: Sequence[str] | None = None,
        *,
        count_column: str | None = COUNT_COLUMN,
        first_row_number: int = 2,
    ) -> CaptureTable:
        """Build from dictionaries; a row without ``count_column`` stands for one person."""
        rows = list(rows)
        if lists is None:
            if not rows:
                raise TableError("the table has no rows")
            lists = [k for k in rows[0] if k != count_column]
        lists = list(lists)
        _check_list_names(lists)
        pats = np.zeros((len(rows), len(lists)), dtype=np.int64)
        cnts = np.ones(len(rows), dtype=np.int64)
        for i, row in enumerate(rows):
            line = first_row_number + i
            for j, name in enumerate(lists):
                pats[i, j] = _binary(row.get(name), line, name)
            if count_column is not None and count_column in row:
                cnts[i] = _count(row.get(count_column), line, count_column)
                if cnts[i] > 0 and not pats[i].any():
                    raise TableError(
                        f"row {line}: the all-zero pattern has count {cnts[i]}; people on no list cannot "
                        "have been documented (the unobserved count is what is being estimated)"
                    )
            elif not pats[i].any():
                raise TableError(f"row {line}: the person is on no list (every list column is 0)")
        table = cls.from_patterns(lists, pats, cnts)
        if table.n_observed == 0:
            raise TableError("the table documents nobody (all counts are zero)")
        return table


def _integer_counts(counts: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Counts as int64, refusing fractions (never truncated) and numbers too large to be people."""
    raw = np.asarray(counts).reshape(-1)
    if raw.size and raw.dtype.kind not in "iub":
        try:
            as_float = raw.astype(np.float64)
        except (TypeError, ValueError):
            raise EstimateRefused("non_integer_count", "counts must be whole numbers") from None
        if not np.isfinite(as_float).all() or (as_float != np.round(as_float)).any():
            raise EstimateRefused("non_integer_count", "counts must be whole numbers")
        raw = as_float
    if raw.size and float(np.abs(raw.astype(np.float64)).max()) > MAX_DOCUMENTED:
        raise EstimateRefused("too_many_people", _too_many(float(np.abs(raw.astype(np.float64)).max())))
    return raw.astype(np.int64)


def _too_many(count: float) -> str:
    shown = f"{count:,.0f}" if count < 1e15 else f"{count:.3g}"
    return (
        f"a count of {shown} is above the {MAX_DOCUMENTED:,} people these estimators accept; a table "
        "this large is almost surely not a count of people (check the count column)"
    )


def _check_list_names(lists: Sequence[str]) -> None:
    if len(lists) < MIN_LISTS:
        raise TableError(
            f"a capture-history table needs at least {MIN_LISTS} list columns, found {len(lists)}"
            + (f" ({', '.join(lists)})" if lists else "")
        )
    dupes = sorted({n for n in lists if list(lists).count(n) > 1})
    if dupes:
        raise TableError(f"duplicate column name(s): {', '.join(dupes)}")
    blank = [i + 1 for i, n in enumerate(lists) if not str(n).strip()]
    if blank:
        raise TableError(f"column {blank[0]} has an empty name")


def _binary(value: object, line: int, column: str) -> int:
    text = "" if value is None else str(value).strip()
    if text in ("0", "1"):
        return int(text)
    shown = "an empty cell" if text == "" else f"{text!r}"
    raise TableError(f"row {line}, column {column!r}: {shown} is not 0 or 1")


def _count(value: object, line: int, column: str) -> int:
    text = "" if value is None else str(value).strip()
    try:
        number = float(text)
    except ValueError:
        shown = "an empty cell" if text == "" else f"{text!r}"
        raise TableError(f"row {line}, column {column!r}: {shown} is not a whole number") from None
    if not number.is_integer():
        raise EstimateRefused(
            "non_integer_count", f"row {line}, column {column!r}: {text!r} is not a whole number"
        )
    if number < 0:
        raise EstimateRefused("negative_count", f"row {line}, column {column!r}: negative count {text}")
    if number > MAX_DOCUMENTED:
        raise EstimateRefused("too_many_people", f"row {line}, column {column!r}: {_too_many(number)}")
    return int(number)


def read_table(
    source: str | Path | io.TextIOBase,
    *,
    stratum_column: str | None = None,
) -> CaptureTable | dict[str, CaptureTable]:
    """Read a CSV capture-history table (0/1 list columns plus ``count``) or one row per person.

    With ``stratum_column`` the rows are split by that column's value and a table per stratum is returned.
    """
    if isinstance(source, str | Path):
        with Path(source).open(encoding="utf-8-sig", newline="") as fh:
            return read_table(fh, stratum_column=stratum_column)
    reader = csv.reader(source)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise TableError("the file is empty: expected a header row of list names") from None
    rows: list[dict[str, str]] = []
    for offset, raw in enumerate(reader):
        if not any(cell.strip() for cell in raw):
            continue
        line = offset + 2
        if len(raw) != len(header):
            raise TableError(f"row {line}: {len(raw)} cells but the header has {len(header)} columns")
        rows.append(dict(zip(header, raw)) | {"__line__": str(line)})
    if stratum_column is not None and stratum_column not in header:
        raise TableError(f"no column named {stratum_column!r} to stratify by")
    lists = [h for h in header if h not in (COUNT_COLUMN, stratum_column)]
    _check_list_names(lists)
    if not rows:
        raise TableError("the table has a header but no rows")
    if stratum_column is None:
        return _from_csv_rows(rows, lists)
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row[stratum_column].strip(), []).append(row)
    return {name: _from_csv_rows(group, lists, allow_empty=True) for name, group in sorted(groups.items())}


def _from_csv_rows(rows: list[dict[str, str]], lists: list[str], allow_empty: bool = False) -> CaptureTable:
    pats = np.zeros((len(rows), len(lists)), dtype=np.int64)
    cnts = np.ones(len(rows), dtype=np.int64)
    has_count = COUNT_COLUMN in rows[0]
    for i, row in enumerate(rows):
        line = int(row["__line__"])
        for j, name in enumerate(lists):
            pats[i, j] = _binary(row[name], line, name)
        if has_count:
            cnts[i] = _count(row[COUNT_COLUMN], line, COUNT_COLUMN)
            if cnts[i] > 0 and not pats[i].any():
                raise TableError(
                    f"row {line}: the all-zero pattern has count {cnts[i]}; people on no list cannot have "
                    "been documented (the unobserved count is what is being estimated)"
                )
        elif not pats[i].any():
            raise TableError(
                f"row {line}: every list column is 0 and there is no {COUNT_COLUMN!r} column; a table of "
                f"one row per person cannot hold someone on no list (for a capture-history table add a "
                f"{COUNT_COLUMN!r} column)"
            )
    table = CaptureTable.from_patterns(lists, pats, cnts)
    if table.n_observed == 0 and not allow_empty:
        raise TableError("the table documents nobody (all counts are zero)")
    return table
