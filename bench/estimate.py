"""Speed of the LCMCR sampler on the four reference tables, beside the R reference figures.

Run: .venv/bin/python bench/estimate.py [--quick]

Prints iterations per second (all chains together, and one chain on one core) and effective samples per
second (ArviZ bulk ESS of N divided by wall time) next to REFERENCE.md's figures for R's LCMCR 0.4.14.
Wall time includes thread start-up but not Numba compilation (done before timing).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vigil.estimate import LCMCRSettings, fit_lcmcr, read_table  # noqa: E402
from vigil.estimate._lcmcr_kernel import run_chain  # noqa: E402
from vigil.estimate.table import CaptureTable  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mse"

# REFERENCE.md: iterations/s = iterations per chain / wall (one core); ESS/s only known for Kosovo
# (4 chains x 1.1e6 iterations in 47.5 s, coda ESS 6,361 of 40,000 draws).
REFERENCE = {
    "kosovo": {"it_per_s": 71_000, "ess_per_s": 6_361 / 47.5, "median": 10_457},
    "hiv_rome": {"it_per_s": 1_100_000 / 13.6, "ess_per_s": None, "median": 10_922},
    "lesbian_allegheny": {"it_per_s": 1_100_000 / 18.0, "ess_per_s": None, "median": 5_434},
    "diabetes": {"it_per_s": 1_100_000 / 14.9, "ess_per_s": None, "median": 2_398},
}


def single_chain_rate(table: CaptureTable, k: int, iterations: int) -> float:
    observed = table.nonzero()
    rng = np.random.default_rng(1)
    run_chain(observed.patterns, observed.counts, k, 0.25, 0.25, 10**9, 10, 1, 1, rng)
    start = time.perf_counter()
    run_chain(observed.patterns, observed.counts, k, 0.25, 0.25, 10**9, iterations, 1, 1, rng)
    return iterations / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs (a quarter of the defaults)")
    args = parser.parse_args()
    settings = LCMCRSettings(seed=20201108)
    if args.quick:
        settings = LCMCRSettings(seed=20201108, burnin=12_500, samples=500, thin=100)
    print(
        f"cores: {os.cpu_count()}, chains: {settings.chains}, K: {settings.n_classes}, "
        f"iterations/chain: {settings.iterations_per_chain:,}"
    )
    header = (
        f"{'table':<18} {'1-chain it/s':>13} {'R it/s':>8} {'all it/s':>10} {'wall s':>7} "
        f"{'ESS bulk':>9} {'ESS/s':>7} {'R ESS/s':>8} {'ratio':>6} {'R-hat':>6} {'median':>8} {'R median':>8}"
    )
    print(header)
    for name, ref in REFERENCE.items():
        path = DATA / f"{name}.csv"
        if not path.exists():
            print(f"{name:<18} (absent: {path})")
            continue
        table = read_table(path)
        assert isinstance(table, CaptureTable)
        one = single_chain_rate(table, settings.n_classes, 200_000)
        fit_lcmcr(table, settings, burnin=10, samples=4, thin=1)  # warm the compiled kernel and thread pool
        start = time.perf_counter()
        result = fit_lcmcr(table, settings)
        wall = time.perf_counter() - start
        d = result.diagnostics
        assert d is not None
        total_it = settings.iterations_per_chain * settings.chains
        ess_s = d.ess_bulk / wall
        ref_ess = ref["ess_per_s"]
        ratio = f"{ess_s / ref_ess:6.1f}" if ref_ess else f"{'-':>6}"
        print(
            f"{name:<18} {one:>13,.0f} {ref['it_per_s']:>8,.0f} {total_it / wall:>10,.0f} {wall:>7.1f} "
            f"{d.ess_bulk:>9,.0f} {ess_s:>7,.0f} {ref_ess or float('nan'):>8,.0f} {ratio} {d.rhat:>6.3f} "
            f"{result.median:>8,.0f} {ref['median']:>8,}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
