"""Does "at least N persons" stay a floor? The persons count against the truth of the synthetic world.

    .venv/bin/python bench/floor.py                                   # 1060, 2000, 20000 persons, 2 seeds each
    .venv/bin/python bench/floor.py --worlds 2000:5,20000:77          # size:seed pairs
    .venv/bin/python bench/floor.py --paths arrival --worlds 2000:5   # one linkage path only

For each world (``vigil.lib.synthetic.generate_world``: every named report of the demo, with its true person)
it counts the persons the app's two linkage paths leave under the counting policy (join at
``JOIN_THRESHOLD``, contradicting fields kept apart):

* ``batch``: all reports linked at once with ``vigil.lib.linkage.link`` (what ``vigil link`` and
  ``review.operations.link_persons`` do), printed beside the rule the app used before (merge at 0.7);
* ``arrival``: the reports recorded one at a time in the world's order, each linked on arrival as
  ``review.operations.link_arrivals`` links it: its candidates are the reports recorded before that share a
  surname search key, and those that share only a sound key of it (``vigil.lib.names.sound_keys``), at most
  ``ARRIVAL_CANDIDATES`` of each, narrowed by given-name key when there are more; their persons come whole, and ``vigil.lib.linkage.arrivals.link_arrivals`` scores it against them with the arrival
  model (trained on the synthetic background). This path runs the same library functions in memory instead
  of through the database; ``tests/app/review/test_floor_on_arrival.py`` runs the app's own
  ``link_arrivals`` on a smaller world.

A count above the truth is an overstated floor; the policy's target is at most the truth and within 5% below.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from vigil.lib.linkage import JOIN_THRESHOLD, LINK_COLUMNS, link
from vigil.lib.synthetic import generate_world
from vigil.lib.synthetic.tables import report_rows

BASELINE_THRESHOLD = 0.7
DEFAULT_WORLDS = "1060:20201108,1060:41,2000:5,2000:57,20000:31,20000:77"
# As review.operations.ARRIVAL_CANDIDATES (bench/ does not import the Django apps).
ARRIVAL_CANDIDATES = 200


def arrival_persons(records: pd.DataFrame) -> list[int]:
    """The person of each of ``records`` when they arrive one at a time, in their order, each linked on
    arrival (a person is numbered by its first report)."""
    from vigil.lib.linkage.arrivals import link_arrivals
    from vigil.lib.linkage.link import background_frame, train_model
    from vigil.lib.linkage.score import Scorer, TermFrequencies, prepare_rows
    from vigil.lib.names import search_keys, sound_keys

    model = train_model(background_frame())
    scorer = Scorer(model)
    background = TermFrequencies.counting(
        prepare_rows(background_frame().astype(str).to_dict("records")), scorer.tf_columns
    )
    raw = records[list(LINK_COLUMNS)].astype(str).to_dict("records")
    rows = prepare_rows(raw)
    person = list(range(len(rows)))  # each report starts as a person of its own
    members: dict[int, list[int]] = {}
    by_key: dict[str, list[int]] = {}  # surname and sound keys -> reports stored with them, in order
    keys_of: list[set[str]] = []
    for i, record in enumerate(raw):
        keys = search_keys(record["full_name"])
        surnames = {k for k in keys if k.startswith("s:")}
        givens = {k for k in keys if k.startswith("g:")}
        sounds = sound_keys(record["full_name"])
        keys_of.append(keys | sounds)
        found: list[int] = []
        if surnames:
            # As review.operations._candidates: stored identities with one of its surname keys...
            found = sorted({j for key in surnames for j in by_key.get(key, ())})
            if len(found) > ARRIVAL_CANDIDATES and givens:
                found = [j for j in found if keys_of[j] & givens][:ARRIVAL_CANDIDATES]
            else:
                found = found[: ARRIVAL_CANDIDATES + 1]
            # ...and those with one of its sound keys but none of its surname keys, narrowed the same way.
            alike = sorted({j for key in sounds for j in by_key.get(key, ())})
            alike = [j for j in alike if not keys_of[j] & surnames]
            if len(alike) > ARRIVAL_CANDIDATES and givens:
                found += [j for j in alike if keys_of[j] & givens][:ARRIVAL_CANDIDATES]
            else:
                found += alike[: ARRIVAL_CANDIDATES + 1]
        for key in surnames | sounds:
            by_key.setdefault(key, []).append(i)
        members[i] = [i]
        if not found:
            continue
        ids = sorted({j for p in {person[j] for j in found} for j in members[p]}) + [i]
        chosen = [rows[j] for j in ids]
        arrivals = link_arrivals(
            scorer,
            model,
            chosen,
            [person[j] for j in ids],
            [j == i for j in ids],
            threshold=JOIN_THRESHOLD,
            frequencies=background.plus(chosen),
        )
        joined = {person[ids[k]] for k, c in enumerate(arrivals.cluster) if c == arrivals.cluster[-1]}
        target = min(joined)
        for p in joined - {target}:
            for j in members.pop(p):
                person[j] = target
                members[target].append(j)
    return person


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", default=DEFAULT_WORLDS, help="comma-separated size:seed pairs")
    parser.add_argument("--paths", default="batch,arrival", help="batch, arrival or both (comma-separated)")
    args = parser.parse_args()
    paths = args.paths.split(",")
    if unknown := set(paths) - {"batch", "arrival"}:
        parser.error(f"unknown paths: {', '.join(sorted(unknown))}")
    print(
        f"{'persons':>8} {'seed':>9} {'reports':>8} {'path':>8} | {'baseline 0.7':>14} | "
        f"{'counted':>14} {'seconds':>8} ok"
    )
    for spec in args.worlds.split(","):
        size, seed = (int(part) for part in spec.split(":"))
        rows = report_rows(generate_world(size, seed=seed))
        truth = rows["true_person_id"].nunique()
        records = rows[list(LINK_COLUMNS)]
        for path in paths:
            baseline = ""
            started = time.perf_counter()
            if path == "batch":
                counted = (
                    link(records, threshold=JOIN_THRESHOLD, background=True).persons["person_id"].nunique()
                )
                seconds = time.perf_counter() - started
                old = link(records, threshold=BASELINE_THRESHOLD).persons["person_id"].nunique()
                baseline = f"{old:>6} {(old - truth) / truth:+7.2%}"
            else:
                counted = len(set(arrival_persons(records)))
                seconds = time.perf_counter() - started
            ok = truth >= counted >= 0.95 * truth
            print(
                f"{truth:>8} {seed:>9} {len(rows):>8} {path:>8} | {baseline:>14} | "
                f"{counted:>6} {(counted - truth) / truth:+7.2%} {seconds:>8.1f} {'yes' if ok else 'NO'}",
                flush=True,
            )


if __name__ == "__main__":
    main()
