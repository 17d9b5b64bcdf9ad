"""Coverage-guided fuzzing of the importers with atheris, for runs longer than the Hypothesis tests in CI.

    .venv/bin/python bench/import_fuzz.py -atheris_runs=200000          # a bounded run
    .venv/bin/python bench/import_fuzz.py -max_total_time=3600 CORPUS/  # an hour, keeping a corpus

Each input goes through ``read_table`` (as CSV, XLSX or ODS by its first byte), then ``guess_mapping``,
``validate`` and ``parse_court_list``, and its text through ``parse_date`` and ``Mapping.from_json``.
Anything raised that is not one of the library's declared errors (``ImportingError`` and subclasses) is a
crash that atheris reports with the input that caused it. Seeds (a CSV in three encodings, an XLSX and an
ODS) are written to a temporary directory and given to libFuzzer when no corpus directory is passed.
Without atheris installed (``pip install atheris``) the script says so and exits 0.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

try:
    import atheris
except ImportError:  # pragma: no cover - depends on the machine
    atheris = None

SAMPLE = (
    "ФИО;Дата рождения;Пол;Город;Дата задержания;Статья;Решение;Дата суда\n"
    "Іваноў Іван;17.05.1990;м;Мінск;8 лістапада 2020;23.34 ч.1;штраф 30 б.в.;10.11.2020\n"
    "Петрова Анна;1985;ж;Гомель;08/11/2020;ст. 23.34;15 суток;2020-11-10\n"
)
PREFIXES = {0: "x.csv", 1: "x.xlsx", 2: "x.ods"}


def seeds() -> list[bytes]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.lib.importing.sheets import HEADERS, ROWS, ods_bytes, xlsx_bytes

    return [
        b"\x00" + SAMPLE.encode("utf-8"),
        b"\x00" + SAMPLE.encode("cp1251"),
        b"\x00" + SAMPLE.encode("utf-16"),
        b"\x01" + xlsx_bytes(HEADERS, ROWS),
        b"\x02" + ods_bytes(HEADERS, ROWS),
    ]


def main() -> int:
    if atheris is None:
        print("import_fuzz: atheris is not installed (pip install atheris); nothing to do")
        return 0
    with atheris.instrument_imports(include=["vigil.lib.importing"]):
        import datetime as dt

        from vigil.lib.importing import (
            ImportingError,
            Mapping,
            guess_mapping,
            parse_court_list,
            parse_date,
            read_table,
            validate,
        )

    today = dt.date(2024, 1, 1)

    def one_input(data: bytes) -> None:
        if not data:
            return
        filename = PREFIXES.get(data[0] % 3, "x.csv")
        body = data[1:]
        text = body[:200].decode("utf-8", errors="replace")
        for call in (lambda: parse_date(text), lambda: Mapping.from_json(body[:4000])):
            try:
                call()
            except ImportingError:
                pass
        try:
            table = read_table(body, filename=filename)
        except ImportingError:
            return
        mapping = guess_mapping(table.headers)
        plan = validate(table, mapping, source_name="fuzz", today=today)
        assert all(e.row >= 1 and e.column for e in plan.errors)
        try:
            parse_court_list(table, mapping, today=today)
        except ImportingError:
            pass

    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):
        seed_dir = Path(tempfile.mkdtemp(prefix="vigil-import-fuzz-"))
        for i, seed in enumerate(seeds()):
            (seed_dir / f"seed-{i}").write_bytes(seed)
        args.append(str(seed_dir))
        print(f"import_fuzz: seeds in {seed_dir}")
    atheris.Setup(args, one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
