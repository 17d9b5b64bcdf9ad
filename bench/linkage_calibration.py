"""Is Vigil's match probability calibrated? Pairs binned by probability against the generator's truth.

    .venv/bin/python bench/linkage_calibration.py                      # 10,000 reports, seed 1
    .venv/bin/python bench/linkage_calibration.py --size 100000 --seed 2 --thresholds 0.5,0.7,0.9

Links ``vigil.lib.synthetic.link_rows(SIZE, seed=SEED)`` with ``vigil.lib.linkage.link`` at each threshold and
prints pairwise precision, recall and F1; then, for the scored pairs of the last run, how many fall in each
probability band and what share of them are truly one person. Feeds docs/linkage.md ("Why 0.7").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage import pair_scores  # noqa: E402  (bench/linkage.py: the same pair counting)

BANDS = ((0.01, 0.4), (0.4, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.0000001))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--thresholds", default="0.7,0.9", help="comma-separated")
    args = parser.parse_args(argv)

    from vigil.lib.linkage import LINK_COLUMNS, link
    from vigil.lib.synthetic import link_rows

    rows = link_rows(args.size, seed=args.seed)
    records = rows[list(LINK_COLUMNS)]
    truth = dict(zip(rows["record_id"], rows["true_person_id"], strict=True))
    print(f"link_rows({args.size:,}, seed={args.seed}): {rows['true_person_id'].nunique():,} persons")
    result = None
    for threshold in (float(t) for t in args.thresholds.split(",") if t):
        result = link(records, threshold=threshold)
        person = result.persons.set_index("record_id")["person_id"].loc[rows["record_id"]].to_numpy()
        s = pair_scores(person, rows["true_person_id"].to_numpy())
        print(
            f"threshold {threshold}: precision {s['precision']:.4f}, recall {s['recall']:.4f}, F1 {s['f1']:.4f}"
        )
    if result is None:
        return 0
    pairs = result.pairs
    same = np.fromiter(
        (truth[a] == truth[b] for a, b in zip(pairs["record_id_l"], pairs["record_id_r"], strict=True)),
        dtype=bool,
        count=len(pairs),
    )
    probability = pairs["match_probability"].to_numpy()
    print("scored pairs by match probability (of the last run): pairs, share truly one person")
    for low, high in BANDS:
        band = (probability >= low) & (probability < high)
        share = f"{same[band].mean():.3f}" if band.any() else "-"
        print(f"  [{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}  {int(band.sum()):>8,}  {share}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
