"""How long one intake takes with linkage on arrival, beside the same write without it.

    VIGIL_DATA_DIR=/tmp/vigil-arrival .venv/bin/python -m vigil.cli demo --no-serve    # once
    VIGIL_DATA_DIR=/tmp/vigil-arrival .venv/bin/python bench/arrival.py [--reports 20]

Each report is a new name written as a hotline would ("Карнскі Сяргей"), recorded through
``records.operations.record_detention`` by the demo coordinator, half of them sharing a surname with a
person already recorded. Printed: seconds per report (median, p95, max) with linkage on arrival (what the
intake form does) and, as the baseline, the same writes with ``link=False`` (what it did before issue 14),
plus the persons figure before and after. The model is trained once per process first and timed apart.
Data written is marked synthetic; run it on a demo data directory only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
import uuid

SURNAMES = ["Карнскі", "Лис", "Мацович", "Бурина", "Остапская", "Новик", "Зубрская", "Борич", "Сидоренко"]
GIVENS = ["Сяргей", "Артём", "Андрей", "Ольга", "Людмила", "Иван", "Валентина", "Михаил", "Павел"]


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ordered):.3f} s, p95 {p95:.3f} s, max {ordered[-1]:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    from vigil.accounts.models import User
    from vigil.figures.counting import detentions_for
    from vigil.records.operations import (
        DetentionEntry,
        DetentionInput,
        SourceInput,
        get_or_create_source,
        record_detention,
        record_detentions,
    )
    from vigil.review.linking import arrival_model

    actor = User.objects.get(username="demo-coordinator")
    source = get_or_create_source(
        SourceInput(kind="hotline", name="SYNTHETIC arrival benchmark", reliability="C"),
        actor,
        is_synthetic=True,
    )
    started = time.perf_counter()
    arrival_model()
    print(f"model for arrivals trained in {time.perf_counter() - started:.2f} s (once per process)")
    run = uuid.uuid4().hex[:6]

    def data(i: int) -> DetentionInput:
        name = f"{SURNAMES[i % len(SURNAMES)]} {GIVENS[(i * 5) % len(GIVENS)]}"
        return DetentionInput(detained_on=dt.date(2020, 11, 8), city="Minsk", full_name=name)

    def text(i: int, tag: str) -> str:  # unique, so that a second run is not taken for a resubmission
        return f"SYNTHETIC arrival benchmark {run} {tag}{i}"

    persons = detentions_for(None).values("person_id").distinct().count()
    baseline: list[float] = []
    for i in range(args.reports):
        t = time.perf_counter()
        entry = DetentionEntry(
            data=data(i), source=source, report_uuid=uuid.uuid4(), raw_text=text(i, "b"), is_synthetic=True
        )
        record_detentions([entry], actor=actor, link=False)
        baseline.append(time.perf_counter() - t)
    linked: list[float] = []
    for i in range(args.reports):
        t = time.perf_counter()
        record_detention(data=data(i), source=source, actor=actor, raw_text=text(i, "l"), is_synthetic=True)
        linked.append(time.perf_counter() - t)
    after = detentions_for(None).values("person_id").distinct().count()
    print(f"baseline, no linkage ({args.reports} reports): {_summary(baseline)}")
    print(f"linkage on arrival   ({args.reports} reports): {_summary(linked)}")
    print(f"persons figure: {persons} before, {after} after {2 * args.reports} new reports")


if __name__ == "__main__":
    main()
