"""Reference tables shipped with Vigil (copied from the project's shared domain data, each row cites its source)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DOMAIN_DIR = Path(__file__).resolve().parent / "domain"


@cache
def domain_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``data/domain/<name>.csv`` as dictionaries (read once, cached)."""
    path = DOMAIN_DIR / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))
