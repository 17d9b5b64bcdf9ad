"""``vigil link REPORTS.csv -o PERSONS.csv [--threshold P] [--explain PAIRS.csv] [--no-background]``.

Groups reports into persons.

Input: a UTF-8 CSV with the header record_id, source, full_name, birth_date, birth_year, sex, city,
detained_on (all eight columns present; every value but record_id and full_name may be empty; other
columns are ignored). Output: record_id, person_id, match_probability, one row per input record in input
order; match_probability is the probability of the strongest link joining the record to another record
of its person, and is left EMPTY for a record that is a person on its own.

A malformed file is reported on stderr by row (header = row 1) and field, with exit status 2; the output
file is then not written (nor left half-written: the result goes to a temporary file that is renamed
into place only when complete).

``--explain PAIRS.csv`` also writes every scored pair (at or above ``--explain-min``) with each
comparison's level and weight in bits (columns: :func:`vigil.lib.linkage.link.explain_columns`). A file
of fewer than ``SMALL_INPUT`` rows is trained together with a fixed synthetic background unless
``--no-background`` (a note on stderr says so). An output that cannot be written is a one-line error
(exit status 2) before any linking is done.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from vigil.lib.linkage.link import (
    BACKGROUND_ROWS,
    DEFAULT_THRESHOLD,
    PAIR_FLOOR,
    SMALL_INPUT,
    LinkResult,
    link_prepared,
    small_input_model,
)
from vigil.lib.linkage.prepare import NameFeaturiser, prepare_records
from vigil.lib.linkage.records import LINK_COLUMNS, RecordError, read_link_csv

OUTPUT_COLUMNS: tuple[str, ...] = ("record_id", "person_id", "match_probability")
EXIT_OK = 0
EXIT_BAD_INPUT = 2


class OutputError(Exception):
    """An output file that cannot be written (a missing or read-only directory, a directory in its place)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"vigil link: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a probability strictly between 0 and 1")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a probability between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vigil link",
        description="Group detention reports that describe the same person (probabilistic record linkage).",
    )
    parser.add_argument("reports", type=Path, help="input CSV: " + ", ".join(LINK_COLUMNS))
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="output CSV: " + ", ".join(OUTPUT_COLUMNS)
    )
    parser.add_argument(
        "--threshold",
        type=_probability,
        default=DEFAULT_THRESHOLD,
        metavar="P",
        help=f"link two reports when their match probability is at least P (default {DEFAULT_THRESHOLD})",
    )
    parser.add_argument(
        "--explain",
        type=Path,
        metavar="PAIRS.csv",
        help="also write the scored pairs with each field's level and weight in bits",
    )
    parser.add_argument(
        "--explain-min",
        type=_share,
        default=None,
        metavar="P",
        help=f"write only pairs whose match probability is at least P to --explain (default {PAIR_FLOOR}; "
        "0 writes every pair the blocking rules produced)",
    )
    parser.add_argument(
        "--no-background",
        dest="background",
        action="store_false",
        help=f"learn the weights from the file alone, even when it has fewer than {SMALL_INPUT} rows "
        f"(by default such a file is trained together with {BACKGROUND_ROWS} synthetic reports)",
    )
    return parser


def _check_all_columns(path: Path) -> None:
    """The file format is stable: every link column must be in the header, even if its values are empty.

    A misspelt header ("gender" for "sex") would otherwise silently drop a whole field from the linkage.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), None)
    if header is None:
        raise RecordError("the file is empty")
    present = {h.strip() for h in header}
    missing = [c for c in LINK_COLUMNS if c not in present]
    if missing:
        raise RecordError(f"missing column(s): {', '.join(missing)}", row=1)


def _utf8_check(path: Path) -> None:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise RecordError(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8 CSV",
            row=row,
        ) from None


def check_writable(path: Path) -> None:
    """Refuse, before any work, an output path that cannot be written: raises :class:`OutputError`."""
    if path.is_dir():
        raise OutputError(f"{path}: is a directory")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write in {parent}")


def _temporary_csv(frame: pd.DataFrame, output: Path, *, float_format: str | None = None) -> Path:
    """Write ``frame`` to a temporary file beside ``output``; the caller renames it into place."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    except OSError as exc:
        raise OutputError(f"{output}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False, lineterminator="\n", float_format=float_format)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{output}: {exc.strerror or exc}") from None
        raise
    return Path(tmp)


def _temporary_explain_csv(table: pd.DataFrame, output: Path) -> Path:
    """The explain table, written by DuckDB beside ``output``: pandas took 7-9 times the CPU time.

    On 205,668 pairs, 0.8 s against 5.6-7.0 s. Numbers to 6 decimals; quoting as pandas writes it (a field with a comma or a quote is quoted).
    """
    import duckdb

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"{output}: {exc.strerror or exc}") from None
    tmp = Path(name)
    columns = ", ".join(
        f'CAST("{c}" AS DECIMAL(18, 6)) AS "{c}"' if pd.api.types.is_float_dtype(table[c]) else f'"{c}"'
        for c in (str(c).replace('"', '""') for c in table.columns)
    )
    target = str(tmp).replace("'", "''")
    con = duckdb.connect()
    try:
        con.register("explained_pairs", table)
        con.execute(f"COPY (SELECT {columns} FROM explained_pairs) TO '{target}' (HEADER, DELIMITER ',')")
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, duckdb.Error | OSError):
            raise OutputError(f"{output}: {str(exc).splitlines()[0]}") from None
        raise
    finally:
        con.close()
    return tmp


def _commit(files: list[tuple[Path, Path]]) -> None:
    """Rename each finished temporary file onto its output; on failure remove what is left."""
    try:
        for tmp, output in files:
            try:
                os.replace(tmp, output)
            except OSError as exc:
                raise OutputError(f"{output}: {exc.strerror or exc}") from None
    finally:
        for tmp, _ in files:
            tmp.unlink(missing_ok=True)


def _persons_frame(persons: pd.DataFrame) -> pd.DataFrame:
    out = persons[list(OUTPUT_COLUMNS)].copy()
    prob = out["match_probability"].astype(float)
    out["match_probability"] = [("" if pd.isna(p) else f"{p:.6f}") for p in prob]
    return out


def write_persons(persons: pd.DataFrame, output: Path) -> None:
    """Write the persons table atomically: a temporary file in the same directory, renamed when complete."""
    _commit([(_temporary_csv(_persons_frame(persons), output), output)])


def write_outputs(
    result: LinkResult, output: Path, explain: Path | None = None, explain_min: float = PAIR_FLOOR
) -> None:
    """The persons table and, if asked, the explained pairs; both are renamed into place only once both
    are written, so a failure leaves the earlier files as they were."""
    files = []
    try:
        if explain is not None:
            # Weights in bits and probabilities to 6 decimals: a row's weights add up to its match_weight
            # within a few millionths.
            table = result.explain_table(min_probability=explain_min)
            files.append((_temporary_explain_csv(table, explain), explain))
            del table
        files.append((_temporary_csv(_persons_frame(result.persons), output), output))
    except BaseException:
        for tmp, _ in files:
            tmp.unlink(missing_ok=True)
        raise
    _commit(files)


def background_note(rows: int) -> str:
    return (
        f"only {rows} records: weights learned from them together with {BACKGROUND_ROWS} "
        "synthetic background reports (--no-background to learn from the file alone)"
    )


def link_file(
    reports: Path,
    output: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    name_featuriser: NameFeaturiser | None = None,
    explain: Path | None = None,
    explain_min: float = PAIR_FLOOR,
    background: bool = True,
) -> LinkResult:
    """Read, check, link and write; raises :class:`RecordError` for a malformed input file and
    :class:`OutputError` for an output that cannot be written.

    With ``background`` (the default), a file of fewer than ``SMALL_INPUT`` rows is trained together
    with the synthetic background (``vigil.lib.linkage.link.small_input_model``); the result's first
    note is then :func:`background_note`.
    """
    for path in (output, *([explain] if explain is not None else [])):
        check_writable(path)
    _utf8_check(reports)
    _check_all_columns(reports)
    frame = read_link_csv(reports).frame
    model = None
    note = None
    if background and name_featuriser is None and len(frame) < SMALL_INPUT:
        model = small_input_model(frame)
        note = background_note(len(frame))
    prepared = prepare_records(frame, name_featuriser=name_featuriser)
    del frame
    # The raw table is gone by now: at a million reports it is worth several hundred MB during linkage.
    result = link_prepared(
        prepared,
        threshold=threshold,
        model=model,
        keep_prepared=False,
        pair_floor=min(explain_min, PAIR_FLOOR) if explain is not None else PAIR_FLOOR,
    )
    del prepared
    if note is not None:
        result.notes.insert(0, note)
    write_outputs(result, output, explain, explain_min)
    return result


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    reports: Path = args.reports
    output: Path = args.output
    explain: Path | None = args.explain
    if explain is None and args.explain_min is not None:
        print("vigil link: --explain-min needs --explain PAIRS.csv", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not reports.is_file():
        print(f"vigil link: {reports}: no such file", file=sys.stderr)
        return EXIT_BAD_INPUT
    for path, what in ((output, "-o"), *([(explain, "--explain")] if explain is not None else [])):
        if _same_file(path, reports):
            print(f"vigil link: {what} {path} is the input file; choose another name", file=sys.stderr)
            return EXIT_BAD_INPUT
    if explain is not None and _same_file(explain, output):
        print(f"vigil link: --explain {explain} is also the -o file; choose another name", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = link_file(
            reports,
            output,
            threshold=args.threshold,
            explain=explain,
            explain_min=PAIR_FLOOR if args.explain_min is None else args.explain_min,
            background=args.background,
        )
    except RecordError as exc:
        print(f"vigil link: {reports}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as exc:
        print(f"vigil link: cannot write {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if result.notes and result.notes[0] == background_note(len(result.persons)):
        print(f"vigil link: note: {result.notes[0]}", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
