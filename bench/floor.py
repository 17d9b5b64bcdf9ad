"""Does "at least N persons" stay a floor? The persons count against the truth of the synthetic world.

    .venv/bin/python bench/floor.py                                   # 1060, 2000, 20000 persons, 2 seeds each
    .venv/bin/python bench/floor.py --worlds 2000:5,20000:77          # size:seed pairs

For each world (``vigil.lib.synthetic.generate_world``: every named report of the demo, with its true person)
it links the named reports with ``vigil.lib.linkage.link`` by the app's counting policy (join at
``JOIN_THRESHOLD``, contradicting fields kept apart: what ``review.operations.link_persons`` does) and, as the
baseline printed beside it, by the rule the app used before (merge at 0.7). A count above the truth is an
overstated floor; the policy's target is at most the truth and within 5% below it.
"""

from __future__ import annotations

import argparse
import time

from vigil.lib.linkage import JOIN_THRESHOLD, LINK_COLUMNS, link
from vigil.lib.synthetic import generate_world
from vigil.lib.synthetic.tables import report_rows

BASELINE_THRESHOLD = 0.7
DEFAULT_WORLDS = "1060:20201108,1060:41,2000:5,2000:57,20000:31,20000:77"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", default=DEFAULT_WORLDS, help="comma-separated size:seed pairs")
    args = parser.parse_args()
    print(
        f"{'persons':>8} {'seed':>9} {'reports':>8} | {'baseline 0.7':>14} | {'floor':>14} {'floor s':>8} ok"
    )
    for spec in args.worlds.split(","):
        size, seed = (int(part) for part in spec.split(":"))
        rows = report_rows(generate_world(size, seed=seed))
        truth = rows["true_person_id"].nunique()
        records = rows[list(LINK_COLUMNS)]
        baseline = link(records, threshold=BASELINE_THRESHOLD).persons["person_id"].nunique()
        started = time.perf_counter()
        floor = link(records, threshold=JOIN_THRESHOLD, background=True).persons["person_id"].nunique()
        seconds = time.perf_counter() - started
        ok = floor <= truth and floor >= 0.95 * truth
        print(
            f"{truth:>8} {seed:>9} {len(rows):>8} | {baseline:>6} {(baseline - truth) / truth:+7.2%} | "
            f"{floor:>6} {(floor - truth) / truth:+7.2%} {seconds:>8.1f} {'yes' if ok else 'NO'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
