"""Timing of features_frame and search_keys on synthetic name cells built from the shipped tables.

Run: ``python -m vigil.lib.names.bench [N]`` (default 100,000 cells, all distinct). Prints seconds per stage.
"""

from __future__ import annotations

import random
import sys
import time

from vigil.lib.names import features_frame, search_keys
from vigil.lib.reference.tables import domain_table


def synthetic_cells(n: int, seed: int = 1) -> list[str]:
    """``n`` distinct name cells: surname (any script/gender form), given name, patronymic, birth date."""
    rng = random.Random(seed)
    surnames = [
        row[c]
        for row in domain_table("surnames_be_ru_examples")
        for c in ("surname_be_m", "surname_be_f", "surname_ru_m", "surname_ru_f", "be_m_latn_passport")
    ]
    given = [
        row[c] for row in domain_table("given_names_be_ru") for c in ("name_be", "name_ru", "diminutives_ru")
    ]
    given = [g.split(";")[0] for g in given if g]
    patronymics = [r["patronymic_ru_m"] for r in domain_table("given_names_be_ru") if r["patronymic_ru_m"]]
    cells: set[str] = set()
    while len(cells) < n:
        cells.add(
            f"{rng.choice(surnames)} {rng.choice(given)} {rng.choice(patronymics)}, "
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1940, 2005)}"
        )
    return sorted(cells)


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 100_000
    cells = synthetic_cells(n)
    start = time.perf_counter()
    features_frame(cells)
    first = time.perf_counter() - start
    start = time.perf_counter()
    features_frame(cells * 2)
    repeat = time.perf_counter() - start
    start = time.perf_counter()
    for cell in cells[: min(n, 20_000)]:
        search_keys(cell)
    keys = time.perf_counter() - start
    print(f"features_frame, {n} distinct cells: {first:.2f} s ({first / n * 1e6:.0f} µs per cell)")
    print(f"features_frame, the same {2 * n} cells again: {repeat:.2f} s")
    print(f"search_keys, {min(n, 20_000)} cells (parsed already): {keys:.2f} s")


if __name__ == "__main__":
    main(sys.argv)
