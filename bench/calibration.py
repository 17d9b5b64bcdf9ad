"""Calibration against known truth: do the 95% intervals contain the true number as often as they claim?

Simulates populations of known size N documented by lists under the scenarios of
``vigil.lib.estimate.simulate.SCENARIOS`` (independent lists, two latent classes with heterogeneous capture,
positive and negative dependence between two lists, ten sparse lists), runs each method on every simulated
table and prints, per scenario and method: how many replicates were refused, the coverage of the 95% interval
(with its Monte Carlo standard error sqrt(p(1-p)/R)), the median relative error (estimate - N) / N of the point
estimate, the median interval width relative to N and the seconds per fit.

Methods:

* ``lcmcr``: ``fit_lcmcr`` with short chains (``--chains``, ``--burn-in``, ``--samples``, ``--thin``); point
  estimate the posterior median, interval the 2.5% and 97.5% points of the pooled draws;
* ``loglinear``: what ``vigil estimate --method loglinear --maxorder 2`` does: up to 9 lists the best
  hierarchical model by BIC with all pairwise interactions allowed (``model_selection(maxorder=2)``), for 10
  to 12 lists the best of M0, Mt and the Mh models by BIC (``closedp``); point estimate the model's, interval
  its profile-likelihood interval;
* ``dga``: ``fit_dga`` (averaging over decomposable graphical models) with its default prior, as
  ``vigil estimate --method dga``; it refuses more than 5 lists. Offered when ``vigil.lib.estimate`` has it.

Every replicate's outcome is appended to ``--results`` (JSON lines) as it finishes, and a rerun with the same
file and seed skips what is there, so a long run can be stopped and resumed; ``--summarise-only`` prints the
table from the file. Replicate r of a scenario is the same table for every method and every run with the same
``--seed``.

    .venv/bin/python bench/calibration.py --quick
    .venv/bin/python bench/calibration.py --replicates 30 --jobs 2 --results calibration.jsonl
    .venv/bin/python bench/calibration.py --scenarios two_classes,sparse_10_lists --methods lcmcr
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

from vigil.lib import estimate
from vigil.lib.estimate import CaptureTable, EstimateRefused, closedp, fit_lcmcr, model_selection
from vigil.lib.estimate.loglinear import MAX_ENUMERATED_LISTS
from vigil.lib.estimate.simulate import SCENARIOS, Calibration, Outcome, calibrate, simulate_table

Fit = Callable[[CaptureTable, argparse.Namespace, int], tuple[Outcome, dict[str, Any]]]


def fit_lcmcr_outcome(
    table: CaptureTable, args: argparse.Namespace, seed: int
) -> tuple[Outcome, dict[str, Any]]:
    result = fit_lcmcr(
        table,
        seed=seed,
        chains=args.chains,
        burnin=args.burn_in,
        samples=args.samples,
        thin=args.thin,
        workers=1,
    )
    rhat = result.diagnostics.rhat if result.diagnostics is not None else math.nan
    return Outcome(result.median, result.lower, result.upper), {"rhat": rhat, "warned": bool(result.warnings)}


def fit_loglinear_outcome(
    table: CaptureTable, args: argparse.Namespace, seed: int
) -> tuple[Outcome, dict[str, Any]]:
    if table.n_lists <= MAX_ENUMERATED_LISTS:
        best = model_selection(table, maxorder=args.maxorder, criterion="bic", intervals=1).best
    else:
        heterogeneity = ("M0", "Mt", "Mh Chao", "Mh Poisson2", "Mh Darroch", "Mh Gamma3.5")
        fits = sorted(closedp(table, only=heterogeneity), key=lambda f: f.bic)
        best = closedp(table, interval=True, only=(fits[0].name,))[0]
    if not math.isfinite(best.estimate):
        return Outcome(refused=True), {"model": best.name, "reason": "no finite estimate"}
    return Outcome(best.estimate, best.lower, best.upper), {"model": best.name}


def fit_dga_outcome(
    table: CaptureTable, args: argparse.Namespace, seed: int
) -> tuple[Outcome, dict[str, Any]]:
    result = estimate.fit_dga(table)  # type: ignore[attr-defined]
    return Outcome(result.median, result.lower, result.upper), {}


METHODS: dict[str, Fit] = {"lcmcr": fit_lcmcr_outcome, "loglinear": fit_loglinear_outcome}
if hasattr(estimate, "fit_dga"):
    METHODS["dga"] = fit_dga_outcome


def replicate_rng(seed: int, scenario: str, replicate: int) -> np.random.Generator:
    index = list(SCENARIOS).index(scenario)
    return np.random.default_rng(np.random.SeedSequence([seed, index, replicate]))


def run_one(scenario: str, replicate: int, method: str, args: argparse.Namespace) -> dict[str, Any]:
    """Simulate replicate ``replicate`` of ``scenario`` and estimate it with ``method``."""
    table = simulate_table(SCENARIOS[scenario], replicate_rng(args.seed, scenario, replicate))
    start = time.process_time()
    try:
        outcome, extra = METHODS[method](table, args, args.seed * 100_003 + replicate)
    except EstimateRefused as exc:
        outcome, extra = Outcome(refused=True), {"reason": exc.reason}
    return {
        "seed": args.seed,
        "scenario": scenario,
        "replicate": replicate,
        "method": method,
        "documented": table.n_observed,
        "estimate": outcome.estimate,
        "lower": outcome.lower,
        "upper": outcome.upper,
        "refused": outcome.refused,
        "cpu_seconds": time.process_time() - start,
        **extra,
    }


def load(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _pct(x: float, spec: str) -> str:
    return "-" if math.isnan(x) else format(x, spec)


def summarise(rows: list[dict[str, Any]], scenarios: list[str], methods: list[str], seed: int) -> str:
    out = [
        f"{'scenario':<20} {'method':<10} {'R':>3} {'refused':>7} {'covered':>8} {'coverage':>15} "
        f"{'median rel. error':>17} {'median width/N':>14} {'mean documented':>15} {'CPU s/fit':>9}  notes"
    ]
    for name in scenarios:
        truth = SCENARIOS[name].n
        for method in methods:
            mine = [r for r in rows if r["scenario"] == name and r["method"] == method and r["seed"] == seed]
            if not mine:
                continue
            outcomes = [Outcome(r["estimate"], r["lower"], r["upper"], r["refused"]) for r in mine]
            c: Calibration = calibrate(truth, outcomes)
            notes = ""
            if method == "lcmcr":
                worst = max((r["rhat"] for r in mine if not r["refused"]), default=math.nan)
                warned = sum(bool(r.get("warned")) for r in mine)
                notes = f"max R-hat {worst:.3f}, {warned} with warnings"
            elif method == "dga" and c.refused:
                notes = f"refused: {', '.join(sorted({str(r.get('reason')) for r in mine if r['refused']}))}"
            elif method == "loglinear":
                models: dict[str, int] = {}
                for r in mine:
                    models[r.get("model", "-")] = models.get(r.get("model", "-"), 0) + 1
                top = sorted(models.items(), key=lambda kv: -kv[1])[:2]
                notes = "models: " + ", ".join(f"{m} x{k}" for m, k in top)
            out.append(
                f"{name:<20} {method:<10} {c.runs:>3} {c.refused:>7} {c.covered:>4}/{c.estimated:<3} "
                f"{_pct(c.coverage, '.0%'):>8} ± {_pct(c.coverage_mcse, '.0%'):>4} "
                f"{_pct(c.median_relative_error, '+.1%'):>17} {_pct(c.median_interval_width, '.0%'):>14} "
                f"{np.mean([r['documented'] for r in mine]):>15,.0f} "
                f"{np.mean([r['cpu_seconds'] for r in mine]):>9.1f}  {notes}"
            )
    return "\n".join(out)


def markdown(rows: list[dict[str, Any]], scenarios: list[str], methods: list[str], seed: int) -> str:
    """The same figures as a Markdown table, for docs/estimation.md."""
    out = [
        "| lists | method | refused | interval contained N | coverage ± MC s.e. | median error | median width |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in scenarios:
        for method in methods:
            mine = [r for r in rows if r["scenario"] == name and r["method"] == method and r["seed"] == seed]
            if not mine:
                continue
            outcomes = [Outcome(r["estimate"], r["lower"], r["upper"], r["refused"]) for r in mine]
            c = calibrate(SCENARIOS[name].n, outcomes)
            out.append(
                f"| `{name}` | {method} | {c.refused} of {c.runs} | {c.covered} of {c.estimated} | "
                f"{_pct(c.coverage, '.0%')} ± {_pct(c.coverage_mcse, '.0%')} | "
                f"{_pct(c.median_relative_error, '+.1%')} | {_pct(c.median_interval_width, '.0%')} |"
            )
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--replicates", type=int, default=None, help="simulated tables per scenario (default 30)")
    p.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of: {', '.join(SCENARIOS)}"
    )
    p.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated, of: {', '.join(METHODS)}")
    p.add_argument("--seed", type=int, default=2016)
    p.add_argument(
        "--quick",
        action="store_true",
        help="3 replicates per scenario (unless --replicates) and shorter chains",
    )
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--burn-in", type=int, default=2_000)
    p.add_argument("--samples", type=int, default=500, help="draws kept per chain")
    p.add_argument("--thin", type=int, default=8)
    p.add_argument("--maxorder", type=int, default=2, help="highest log-linear interaction order")
    p.add_argument("--results", type=Path, default=None, help="JSON lines file to append to and resume from")
    p.add_argument("--summarise-only", action="store_true", help="print the table from --results and stop")
    p.add_argument("--markdown", action="store_true", help="also print the table in Markdown")
    args = p.parse_args()
    scenarios = [s for s in args.scenarios.split(",") if s]
    methods = [m for m in args.methods.split(",") if m]
    for name in scenarios:
        if name not in SCENARIOS:
            print(f"calibration: unknown scenario {name!r}; known: {', '.join(SCENARIOS)}", file=sys.stderr)
            return 2
    for name in methods:
        if name not in METHODS:
            print(f"calibration: unknown method {name!r}; available: {', '.join(METHODS)}", file=sys.stderr)
            return 2
    given_replicates = args.replicates
    if args.quick:
        args.burn_in, args.samples, args.thin = 1_000, 250, 4
    if args.replicates is None:
        args.replicates = 3 if args.quick else 30

    rows = load(args.results) if args.results else []
    if args.summarise_only and given_replicates is not None:  # the first R replicates only, e.g. after a stop
        rows = [r for r in rows if r["replicate"] < given_replicates]
    if not args.summarise_only:
        for name in scenarios:
            s = SCENARIOS[name]
            print(f"{name}: N = {s.n:,}; {s.description}")
            print(f"  expected share on each list: {', '.join(f'{p:.3f}' for p in s.list_capture())}")
        print(
            f"seed {args.seed}, {args.replicates} replicates, jobs {args.jobs}; LCMCR {args.chains} chains x "
            f"({args.burn_in:,} burn-in + {args.samples:,} x thin {args.thin}); log-linear maxorder {args.maxorder}"
        )
        done = {(r["scenario"], r["replicate"], r["method"]) for r in rows if r["seed"] == args.seed}
        tasks = [
            (name, rep, method)
            for rep in range(args.replicates)  # replicate-major: every scenario advances together
            for name in scenarios
            for method in methods
            if (name, rep, method) not in done
        ]
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            pending: set[Future[dict[str, Any]]] = set()
            queue = iter(tasks)
            for task in queue:
                pending.add(pool.submit(run_one, *task, args))
                if len(pending) >= 2 * args.jobs:
                    break
            finished = 0
            while pending:
                complete, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in complete:
                    row = fut.result()
                    rows.append(row)
                    finished += 1
                    if args.results:
                        with args.results.open("a", encoding="utf-8") as f:
                            f.write(json.dumps(row) + "\n")
                    print(
                        f"  [{finished}/{len(tasks)} {time.perf_counter() - start:,.0f}s] {row['scenario']} "
                        f"#{row['replicate']} {row['method']}: {row['estimate']:,.0f} "
                        f"({row['lower']:,.0f}-{row['upper']:,.0f}){' refused' if row['refused'] else ''}",
                        flush=True,
                    )
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.add(pool.submit(run_one, *nxt, args))
        print(f"wall time {time.perf_counter() - start:,.0f} s")
    print()
    print(summarise(rows, scenarios, methods, args.seed))
    if args.markdown:
        print()
        print(markdown(rows, scenarios, methods, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
