"""Speed of the LCMCR sampler on the four reference tables, beside the R reference figures.

Run: .venv/bin/python bench/estimate.py [--quick] [--with-gibbs]

For each table, with the default settings (HMC sampler), prints iterations per second (one chain on one
core, and all chains together), effective samples per second (ArviZ bulk ESS of N divided by the wall time
of the whole fit, burn-in included), R-hat, the posterior median and 95% interval, next to REFERENCE.md's
figures for R's LCMCR 0.4.14. ``--with-gibbs`` adds a line per table for the Gibbs sampler (the R package's
algorithm) at 50,000 burn-in plus 1,000 draws thinned by 200, whose iterations are comparable with R's.
Wall time includes thread start-up but not Numba compilation (done before timing).

``--many-lists`` instead times a sparse simulated 20-list table (3,000 people in two latent classes, capture
probabilities 0.10-0.30 and 0.01-0.06 per list; about 1,750 documented in about 700 distinct patterns): the
log-linear refusal (time and peak memory; it must come before the 2^20 cells are built) and LCMCR with the
default settings (wall and CPU seconds, peak resident memory, median, interval, R-hat).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vigil.lib.estimate import EstimateRefused, LCMCRSettings, closedp, fit_lcmcr, read_table  # noqa: E402
from vigil.lib.estimate._lcmcr_hmc import run_chain_hmc  # noqa: E402
from vigil.lib.estimate._lcmcr_kernel import run_chain  # noqa: E402
from vigil.lib.estimate.table import CaptureTable  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mse"

# REFERENCE.md: iterations/s = iterations per chain / wall (one core); ESS/s only known for Kosovo
# (4 chains x 1.1e6 iterations in 47.5 s, coda ESS 6,361 of 40,000 draws). Median and interval: the long
# runs (Kosovo: 4 chains pooled; the others: burn-in 1e5, 10,000 draws x thin 100).
REFERENCE = {
    "kosovo": {"it_per_s": 71_000, "ess_per_s": 6_361 / 47.5, "median": 10_457, "interval": (9_125, 13_980)},
    "hiv_rome": {
        "it_per_s": 1_100_000 / 13.6,
        "ess_per_s": None,
        "median": 10_922,
        "interval": (9_380, 13_089),
    },
    "lesbian_allegheny": {
        "it_per_s": 1_100_000 / 18.0,
        "ess_per_s": None,
        "median": 5_434,
        "interval": (4_357, 7_181),
    },
    "diabetes": {
        "it_per_s": 1_100_000 / 14.9,
        "ess_per_s": None,
        "median": 2_398,
        "interval": (2_258, 3_121),
    },
}
# bench/estimate.py --many-lists before the changes of issue 17 (docs/estimation.md, "Speed"): no early stop,
# HMC alone, the pattern loop not vectorised.
PREVIOUS_MANY_LISTS = (
    "4 chains x 85,000 iterations: wall 859 s, CPU 806 s, peak RSS 332 MB; median 2,866 (95% 2,672-3,113), "
    "R-hat 1.001"
)
GIBBS = {"sampler": "gibbs", "burnin": 50_000, "samples": 1_000, "thin": 200}


def single_chain_rate(table: CaptureTable, settings: LCMCRSettings, iterations: int) -> float:
    """Iterations per second of one chain on one core (after burn-in: the HMC step size is then fixed)."""
    observed = table.nonzero()
    p, c, k = observed.patterns, observed.counts, settings.n_classes
    rng = np.random.default_rng(1)
    if settings.sampler == "hmc":
        steps, every = settings.leapfrog_steps, settings.gibbs_every
        u = np.zeros(observed.n_lists * k + k)
        eps = run_chain_hmc(
            p, c, k, 0.25, 0.25, 10**9, 10, 1, 1, rng, steps, u, 0.05, observed.n_observed, every, 0
        )[5]
        start = time.perf_counter()
        run_chain_hmc(p, c, k, 0.25, 0.25, 10**9, 0, 1, iterations, rng, steps, u, eps, 0, every, 11)
    else:
        run_chain(p, c, k, 0.25, 0.25, 10**9, 10, 1, 1, rng, 0)
        start = time.perf_counter()
        run_chain(p, c, k, 0.25, 0.25, 10**9, iterations, 1, 1, rng, 0)
    return iterations / (time.perf_counter() - start)


def row(name: str, label: str, table: CaptureTable, settings: LCMCRSettings, ref: dict) -> str:
    one = single_chain_rate(table, settings, 200_000 if settings.sampler == "gibbs" else 20_000)
    fit_lcmcr(table, settings, burnin=10, samples=4, thin=1)  # warm the compiled kernel and thread pool
    start = time.perf_counter()
    result = fit_lcmcr(table, settings)
    wall = time.perf_counter() - start
    d = result.diagnostics
    assert d is not None
    total_it = result.iterations_per_chain * settings.chains
    ess_s = d.ess_bulk / wall
    ref_ess = ref["ess_per_s"]
    ratio = f"{ess_s / ref_ess:6.1f}" if ref_ess else f"{'-':>6}"
    lo, hi = ref["interval"]
    return (
        f"{name:<18} {label:<6} {one:>9,.0f} {ref['it_per_s']:>7,.0f} {total_it / wall:>9,.0f} {wall:>6.1f} "
        f"{d.ess_bulk:>8,.0f} {ess_s:>7,.0f} {ref_ess or float('nan'):>7,.0f} {ratio} {d.rhat:>6.3f} "
        f"{result.median:>7,.0f} {ref['median']:>7,} {result.lower:>7,.0f}-{result.upper:<7,.0f} {lo:>7,}-{hi:<7,}"
    )


def sparse_lists(lists: int = 20, people: int = 3_000, seed: int = 20) -> CaptureTable:
    """Many sparse lists: a fifth of the people are on each list with probability 0.10-0.30, the rest with
    0.01-0.06 (probabilities drawn per list)."""
    rng = np.random.default_rng(seed)
    high = rng.random(people) < 0.2
    probs = np.where(high[:, None], rng.uniform(0.1, 0.3, lists), rng.uniform(0.01, 0.06, lists))
    captured = (rng.random((people, lists)) < probs).astype(np.int64)
    seen = captured.any(axis=1)
    names = [f"list{j + 1:02d}" for j in range(lists)]
    return CaptureTable.from_patterns(names, captured[seen], np.ones(int(seen.sum()), dtype=np.int64))


def many_lists(settings: LCMCRSettings) -> None:
    table = sparse_lists()
    print(
        f"sparse {table.n_lists}-list table: {table.n_observed:,} documented of 3,000, "
        f"{table.patterns.shape[0]:,} distinct patterns"
    )
    tracemalloc.start()
    start = time.perf_counter()
    try:
        closedp(table, interval=True)
        outcome = "fitted (the refusal is missing!)"
    except EstimateRefused as exc:
        outcome = f"refused ({exc.reason})"
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"log-linear: {outcome} in {wall * 1000:.1f} ms, peak Python allocation {peak / 1e6:.2f} MB")
    fit_lcmcr(table, settings, burnin=10, samples=4, thin=1)  # compile and warm the threads
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = fit_lcmcr(table, settings)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    d = result.diagnostics
    rhat, ess = (d.rhat, min(d.ess_bulk, d.ess_tail)) if d else (float("nan"), float("nan"))
    print(
        f"LCMCR ({settings.sampler}, Gibbs sweep every {settings.gibbs_every} HMC moves, {settings.chains} chains x "
        f"{result.iterations_per_chain:,} iterations of at most {settings.iterations_per_chain:,}, "
        f"K={settings.n_classes}): wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {rss:.0f} MB; median "
        f"{result.median:,.0f} (95% {result.lower:,.0f}-{result.upper:,.0f}), R-hat {rhat:.3f}, ESS {ess:,.0f}"
    )
    print(f"  before (issue 17, HMC alone, every iteration run): {PREVIOUS_MANY_LISTS}")
    for w in result.warnings:
        print(f"  warning: {w}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs (a quarter of the defaults)")
    parser.add_argument("--with-gibbs", action="store_true", help="also time the Gibbs sampler")
    parser.add_argument(
        "--many-lists", action="store_true", help="only the sparse 20-list table (log-linear refusal, LCMCR)"
    )
    args = parser.parse_args()
    settings = LCMCRSettings(seed=20201108)
    if args.quick:
        settings = LCMCRSettings(seed=20201108, burnin=2_500, samples=1_000, thin=20)
    if args.many_lists:
        print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
        many_lists(settings)
        return 0
    print(
        f"cores: {os.cpu_count()}, chains: {settings.chains}, K: {settings.n_classes}, sampler: {settings.sampler} "
        f"({settings.leapfrog_steps} leapfrog steps), iterations/chain: {settings.iterations_per_chain:,} "
        f"(burn-in {settings.burnin:,}, {settings.samples:,} draws x thin {settings.thin})"
    )
    print(
        "it/s: one chain on one core, and all chains together; ESS/s: bulk ESS of N / wall time of the fit; "
        "R = R's LCMCR 0.4.14 (REFERENCE.md); ratio = our ESS/s / R's"
    )
    header = (
        f"{'table':<18} {'':<6} {'1ch it/s':>9} {'R it/s':>7} {'all it/s':>9} {'wall s':>6} {'ESS bulk':>8} "
        f"{'ESS/s':>7} {'R ESS/s':>7} {'ratio':>6} {'R-hat':>6} {'median':>7} {'R med':>7} "
        f"{'95% interval':<15} {'R 95% interval':<15}"
    )
    print(header)
    for name, ref in REFERENCE.items():
        path = DATA / f"{name}.csv"
        if not path.exists():
            print(f"{name:<18} (absent: {path})")
            continue
        table = read_table(path)
        assert isinstance(table, CaptureTable)
        print(row(name, "hmc", table, settings, ref), flush=True)
        if args.with_gibbs:
            gibbs = LCMCRSettings(seed=20201108, **GIBBS)  # type: ignore[arg-type]
            print(row(name, "gibbs", table, gibbs, ref), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
