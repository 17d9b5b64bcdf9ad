"""``vigil link REPORTS.csv -o PERSONS.csv [--threshold P]``: group reports into persons.

Input: a UTF-8 CSV with the header record_id, source, full_name, birth_date, birth_year, sex, city,
detained_on (all eight columns present; every value but record_id and full_name may be empty; other
columns are ignored). Output: record_id, person_id, match_probability, one row per input record in input
order; match_probability is the probability of the strongest link joining the record to another record
of its person, and is left EMPTY for a record that is a person on its own.

A malformed file is reported on stderr by row (header = row 1) and field, with exit status 2; the output
file is then not written (nor left half-written: the result goes to a temporary file that is renamed
into place only when complete).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from vigil.lib.linkage.link import DEFAULT_THRESHOLD, link_prepared
from vigil.lib.linkage.prepare import NameFeaturiser, prepare_records
from vigil.lib.linkage.records import LINK_COLUMNS, RecordError, read_link_csv

OUTPUT_COLUMNS: tuple[str, ...] = ("record_id", "person_id", "match_probability")
EXIT_OK = 0
EXIT_BAD_INPUT = 2


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


def write_persons(persons: pd.DataFrame, output: Path) -> None:
    """Write the persons table atomically: a temporary file in the same directory, renamed when complete."""
    out = persons[list(OUTPUT_COLUMNS)].copy()
    prob = out["match_probability"].astype(float)
    out["match_probability"] = [("" if pd.isna(p) else f"{p:.6f}") for p in prob]
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            out.to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(
    reports: Path,
    output: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    name_featuriser: NameFeaturiser | None = None,
) -> pd.DataFrame:
    """Read, check, link and write; raises :class:`RecordError` for a malformed input file."""
    _utf8_check(reports)
    _check_all_columns(reports)
    prepared = prepare_records(read_link_csv(reports).frame, name_featuriser=name_featuriser)
    # The raw table is gone by now: at a million reports it is worth several hundred MB during linkage.
    result = link_prepared(prepared, threshold=threshold, keep_prepared=False)
    del prepared
    write_persons(result.persons, output)
    return result.persons


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    reports: Path = args.reports
    if not reports.is_file():
        print(f"vigil link: {reports}: no such file", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        run(reports, args.output, threshold=args.threshold)
    except RecordError as exc:
        print(f"vigil link: {reports}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
