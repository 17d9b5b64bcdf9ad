"""Speed of the LCMCR sampler on the four reference tables, beside the R reference figures.

Run: .venv/bin/python bench/estimate.py [--quick] [--with-gibbs] [--no-r | --only-r]

For each table, with the default settings (HMC sampler), prints iterations per second (one chain on one
core, and all chains together), effective samples per second (ArviZ bulk ESS of N divided by the wall time
of the whole fit, burn-in included), R-hat, the posterior median and 95% interval, next to REFERENCE.md's
figures for R's LCMCR 0.4.14. ``--with-gibbs`` adds a line per table for the Gibbs sampler (the R package's
algorithm) at 50,000 burn-in plus 1,000 draws thinned by 200, whose iterations are comparable with R's.
Wall time includes thread start-up but not Numba compilation (done before timing).

Then, where ``Rscript`` with the R packages LCMCR and coda is installed (CI has no R: the section then says so
and the rest runs as before), Kosovo at K = 10 is run by both in the same run: Vigil's default settings and R's
LCMCR (its Gibbs sampler; 4 chains of 100,000 burn-in plus 10,000 draws thinned by 100, REFERENCE.md's long
run; a quarter of the draws with ``--quick``), each timed in CPU seconds of the whole fit, burn-in included
(Vigil: every thread of the process; R: ``proc.time()`` around its fits, R's start-up excluded). The
effective draws of N are counted both ways on both sides, ArviZ's bulk ESS and coda's ``effectiveSize`` (the
sum over chains), and the ratio is effective draws per CPU-second, Vigil's over R's. ``--no-r`` skips it.

``--many-lists`` instead times a sparse simulated 20-list table (3,000 people in two latent classes, capture
probabilities 0.10-0.30 and 0.01-0.06 per list; about 1,750 documented in about 700 distinct patterns): the
log-linear refusal (time and peak memory; it must come before the 2^20 cells are built) and LCMCR with the
default settings (wall and CPU seconds, peak resident memory, median, interval, R-hat).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vigil.lib.estimate import EstimateRefused, LCMCRSettings, closedp, fit_lcmcr, read_table  # noqa: E402
from vigil.lib.estimate._lcmcr_hmc import run_chain_hmc  # noqa: E402
from vigil.lib.estimate._lcmcr_kernel import run_chain  # noqa: E402
from vigil.lib.estimate.diagnostics import diagnose  # noqa: E402
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


# R's LCMCR on one table, chain by chain: prints its CPU seconds (proc.time around the fits), coda's ESS of N and
# the package version, and writes the draws (one column per chain) for ArviZ. Arguments: table.csv K burn-in
# draws thin chains seed draws.csv.
R_LCMCR = """
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({library(LCMCR); library(coda)})
m <- as.matrix(read.csv(args[1]))
n <- as.integer(args[2:7])
draws <- matrix(NA_real_, nrow = n[3], ncol = n[5])
cpu <- 0
for (i in seq_len(n[5])) {
  t0 <- proc.time()
  s <- lcmCR(m, tabular = TRUE, in_list_label = "1", not_in_list_label = "0", K = n[1], a_alpha = 0.25,
             b_alpha = 0.25, seed = n[6] + i, buffer_size = n[3], thinning = n[4], verbose = FALSE)
  draws[, i] <- lcmCR_PostSampl(s, burnin = n[2], samples = n[3], thinning = n[4], output = FALSE)
  t <- proc.time() - t0
  cpu <- cpu + t[["user.self"]] + t[["sys.self"]]
}
write.csv(draws, args[8], row.names = FALSE)
ess <- effectiveSize(mcmc.list(lapply(seq_len(n[5]), function(i) mcmc(draws[, i]))))
cat(sprintf("cpu %.3f\\ness %.1f\\nversion %s\\n", cpu, ess, as.character(packageVersion("LCMCR"))))
"""
# coda's ESS of draws made elsewhere (one column per chain), so that Vigil's are counted as R's are.
R_CODA_ESS = """
suppressPackageStartupMessages(library(coda))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
cat(sprintf("%.1f\\n", effectiveSize(mcmc.list(lapply(seq_len(ncol(d)), function(i) mcmc(d[, i]))))))
"""
R_RUN = {"burnin": 100_000, "samples": 10_000, "thin": 100, "chains": 4}


def _rscript(code: str, *args: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as f:
        f.write(code)
    try:
        done = subprocess.run(["Rscript", f.name, *args], capture_output=True, text=True, check=False)
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "Rscript failed")
    return done.stdout


def r_available() -> str | None:
    """None if Rscript with LCMCR and coda can be run, else why not."""
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    try:
        _rscript("suppressPackageStartupMessages({library(LCMCR); library(coda)})")
    except RuntimeError as exc:
        return f"R's LCMCR or coda is not installed ({exc})"
    return None


def coda_ess(draws: np.ndarray) -> float:
    """coda::effectiveSize of N summed over chains; ``draws`` is (chains, draws)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "draws.csv"
        np.savetxt(
            path, draws.T, delimiter=",", header=",".join(f"c{i}" for i in range(draws.shape[0])), comments=""
        )
        return float(_rscript(R_CODA_ESS, str(path)))


def versus_r(path: Path, settings: LCMCRSettings, quick: bool) -> None:
    """Kosovo at K = 10 by Vigil and by R's LCMCR in the same run: effective draws of N per CPU-second."""
    why = r_available()
    if why is not None:
        print(f"\nR's LCMCR not measured: {why}; R's figures above are REFERENCE.md's")
        return
    run = {**R_RUN, "samples": R_RUN["samples"] // 4} if quick else R_RUN
    table = read_table(path)
    assert isinstance(table, CaptureTable)
    print(
        f"\n{path.stem}, K = {settings.n_classes}, both in this run; load average before {os.getloadavg()[0]:.1f}"
    )
    fit_lcmcr(table, settings, burnin=10, samples=4, thin=1)  # compile and warm the threads
    cpu0, wall0 = time.process_time(), time.perf_counter()
    ours = fit_lcmcr(table, settings)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    ours_bulk = diagnose(ours.draws).ess_bulk
    ours_coda = coda_ess(ours.draws.astype(float))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r_draws.csv"
        wall0 = time.perf_counter()
        lines = _rscript(
            R_LCMCR, str(path), str(settings.n_classes), *(str(run[k]) for k in ("burnin", "samples", "thin")),
            str(run["chains"]), "20201108", str(out),
        )  # fmt: skip
        r_wall = time.perf_counter() - wall0
        r_draws = np.loadtxt(out, delimiter=",", skiprows=1, ndmin=2).T
    figures = dict(line.split(" ", 1) for line in lines.strip().splitlines())
    r_cpu, r_coda = float(figures["cpu"]), float(figures["ess"])
    r_bulk = diagnose(r_draws).ess_bulk
    r_q = np.quantile(r_draws.ravel(), [0.025, 0.5, 0.975])
    print(
        f"  Vigil LCMCR ({settings.sampler}, default settings: {settings.chains} chains x "
        f"{ours.iterations_per_chain:,} iterations): CPU {cpu:.1f} s (wall {wall:.1f} s); ESS of N: ArviZ bulk "
        f"{ours_bulk:,.0f} = {ours_bulk / cpu:,.0f}/CPU-s, coda {ours_coda:,.0f} = {ours_coda / cpu:,.0f}/CPU-s; "
        f"median {ours.median:,.0f} (95% {ours.lower:,.0f}-{ours.upper:,.0f})"
    )
    print(
        f"  R LCMCR {figures['version']} (Gibbs, {run['chains']} chains x ({run['burnin']:,} burn-in + "
        f"{run['samples']:,} draws x thin {run['thin']})): CPU {r_cpu:.1f} s (wall {r_wall:.1f} s with R's start-up); "
        f"ESS of N: ArviZ bulk {r_bulk:,.0f} = {r_bulk / r_cpu:,.0f}/CPU-s, coda {r_coda:,.0f} = "
        f"{r_coda / r_cpu:,.0f}/CPU-s; median {r_q[1]:,.0f} (95% {r_q[0]:,.0f}-{r_q[2]:,.0f})"
    )
    print(
        f"  Vigil / R, effective draws of N per CPU-second: {(ours_bulk / cpu) / (r_bulk / r_cpu):.1f}x by ArviZ "
        f"bulk, {(ours_coda / cpu) / (r_coda / r_cpu):.1f}x by coda; load average after {os.getloadavg()[0]:.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs (a quarter of the defaults)")
    parser.add_argument("--with-gibbs", action="store_true", help="also time the Gibbs sampler")
    parser.add_argument(
        "--many-lists", action="store_true", help="only the sparse 20-list table (log-linear refusal, LCMCR)"
    )
    parser.add_argument("--no-r", action="store_true", help="do not run R's LCMCR even where it is installed")
    parser.add_argument("--only-r", action="store_true", help="only the Kosovo comparison with R's LCMCR")
    args = parser.parse_args()
    settings = LCMCRSettings(seed=20201108)
    if args.quick:
        settings = LCMCRSettings(seed=20201108, burnin=2_500, samples=1_000, thin=20)
    if args.many_lists:
        print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
        many_lists(settings)
        return 0
    if args.only_r:
        versus_r(DATA / "kosovo.csv", settings, args.quick)
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
    kosovo = DATA / "kosovo.csv"
    if not args.no_r and kosovo.exists():
        versus_r(kosovo, settings, args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
