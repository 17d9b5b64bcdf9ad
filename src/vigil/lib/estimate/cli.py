"""``vigil estimate TABLE.csv``: multiple systems estimation from a file, without Django.

TABLE holds one 0/1 column per list plus ``count`` (a capture-history table), or one row per person
without ``count``. Exit status: 0 on success, 2 for a malformed table, bad arguments or a table no estimate
should be given for (see :mod:`vigil.lib.estimate.refusals`): then one line ``vigil estimate: ...`` on
standard error and, with ``--json``, ``{"error": ..., "reason": ...}`` on standard output.

``--method all`` runs LCMCR, the log-linear models and graphical-model averaging (dga, 3 to 5 lists) on the
same table. Its JSON is the LCMCR summary (the same keys as ``--method lcmcr``) plus ``methods`` (every
method's summary by name), ``refused_methods`` (method: why it was not run on this table), ``comparison``
(the methods side by side, see :func:`~vigil.lib.estimate.report.compare_methods`) and ``note``: a
plain-language warning when the methods disagree, else ``null``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .dga import fit_dga
from .lcmcr import LCMCRSettings, fit_lcmcr
from .loglinear import MAX_ENUMERATED_LISTS, closedp, model_selection
from .refusals import Checked, check_estimable
from .report import Result, compare_methods, summarise
from .strata import fit_strata, sensitivity
from .table import CaptureTable, EstimateRefused, TableError, read_table

DEFAULTS = LCMCRSettings()
# --method all ranks every hierarchical log-linear model up to this many lists (6,893 models on 5 lists take
# about 20 s; on 6 lists several minutes); beyond it, like --method loglinear beyond 9, it compares the best
# of M0, Mt and the Mh models.
MAX_ALL_ENUMERATED_LISTS = 5


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not (value > 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vigil estimate", description="Estimate how many people were never documented.")
    p.add_argument("table", help="CSV: one 0/1 column per list plus 'count', or one row per person")
    p.add_argument(
        "--method",
        choices=("lcmcr", "loglinear", "dga", "all"),
        default="lcmcr",
        help="lcmcr (default), loglinear, dga (graphical-model averaging, 3-5 lists) or all, side by side",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (the seed used is always reported)")
    p.add_argument("--chains", type=_positive, default=DEFAULTS.chains)
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.add_argument(
        "--iterations",
        type=_positive,
        default=DEFAULTS.samples * DEFAULTS.thin,
        help="iterations per chain after burn-in (draws kept = iterations / thin)",
    )
    p.add_argument("--burn-in", type=_non_negative, default=DEFAULTS.burnin)
    p.add_argument(
        "--min-ess",
        type=_non_negative,
        default=DEFAULTS.min_ess or 0,
        help="stop once R-hat, the mode checks and this many effective draws pass (0: run every iteration)",
    )
    p.add_argument("--thin", type=_positive, default=DEFAULTS.thin)
    p.add_argument("--K", type=_positive, default=DEFAULTS.n_classes, help="maximum number of latent classes")
    p.add_argument(
        "--sampler",
        choices=("hmc", "gibbs"),
        default=DEFAULTS.sampler,
        help="LCMCR sampler: hmc (default, mixes far faster) or gibbs (the R package's Gibbs sampler)",
    )
    p.add_argument("--strata", metavar="COLUMN", default=None, help="estimate per value of COLUMN and sum")
    p.add_argument("--sensitivity", action="store_true", help="add leave-one-list-out and prior variants")
    p.add_argument("--criterion", choices=("bic", "aic"), default="bic", help="log-linear model ranking")
    p.add_argument(
        "--dga-delta",
        type=_positive_float,
        default=None,
        metavar="DELTA",
        help="dga's hyper-Dirichlet prior weight per cell (default 2^-lists, e.g. 0.0625 for 4 lists); "
        "larger values pull the estimate toward the documented count",
    )
    p.add_argument("--maxorder", type=_positive, default=None, help="highest log-linear interaction order")
    p.add_argument(
        "--exclude-empty-lists",
        action="store_true",
        help="leave out lists that hold no records (noted in the output) instead of refusing the table",
    )
    p.add_argument(
        "--plots",
        metavar="DIR",
        default=None,
        help="also write SVG plots to DIR: posterior.svg (with the documented floor; for dga the "
        "probability of each total on its grid), profile.svg "
        "(log-linear), overlaps.svg (how the lists overlap)",
    )
    return p


def main(argv: list[str], stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        print(f"vigil estimate: {exc}", file=err)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    path = Path(args.table)
    try:
        loaded = read_table(path, stratum_column=args.strata)
    except FileNotFoundError:
        print(f"vigil estimate: {path}: no such file", file=err)
        return 2
    except EstimateRefused as exc:
        return _refuse(path, exc, args.json, out, err)
    except (TableError, UnicodeDecodeError) as exc:
        print(f"vigil estimate: {path}: {exc}", file=err)
        return 2
    samples = max(args.iterations // args.thin, 1)
    settings = LCMCRSettings(
        n_classes=args.K,
        burnin=args.burn_in,
        samples=samples,
        thin=args.thin,
        chains=args.chains,
        seed=args.seed,
        sampler=args.sampler,
        min_ess=args.min_ess or None,
    )
    notes: list[str] = []
    try:
        result: Result | None = None
        if args.method == "all":
            summary = _run_all(args, loaded, settings, notes)
        else:
            result = _run(args, loaded, settings, notes)
            summary = summarise(result)
    except EstimateRefused as exc:
        return _refuse(path, exc, args.json, out, err)
    except TableError as exc:
        print(f"vigil estimate: {path}: {exc}", file=err)
        return 2
    except (ArithmeticError, np.linalg.LinAlgError) as exc:  # a numerical failure the checks did not foresee
        failed = EstimateRefused("fit_failed", f"the model could not be fitted to this table ({exc})")
        return _refuse(path, failed, args.json, out, err)
    if args.plots:
        try:
            notes.extend(_write_plots(Path(args.plots), loaded, result))
        except OSError as exc:
            print(f"vigil estimate: cannot write plots to {args.plots}: {exc.strerror}", file=err)
            return 2
    if notes:
        summary["diagnostics"].setdefault("notes", []).extend(notes)
    if args.json:
        json.dump(summary, out, indent=2, allow_nan=False)
        out.write("\n")
    else:
        out.write(render_text(summary))
        if "comparison" in summary:
            out.write(render_comparison(summary))
    return 0


def _write_plots(
    directory: Path, loaded: CaptureTable | dict[str, CaptureTable], result: Result | None
) -> list[str]:
    """Write the plots that fit ``result`` into ``directory`` (made if missing); the notes of those that
    could not be drawn, and one naming what was written."""
    from .plots import plots_for

    table = loaded if isinstance(loaded, CaptureTable) else None
    plots, notes = plots_for(table, result)
    if result is None:
        notes.append("posterior.svg, profile.svg: drawn with one --method at a time, not with all")
    directory.mkdir(parents=True, exist_ok=True)
    for name, svg in plots.items():
        (directory / name).write_text(svg, encoding="utf-8")
    return [*notes, f"plots written to {directory}: {', '.join(sorted(plots))}"]


def _refuse(path: Path, exc: EstimateRefused, as_json: bool, out: TextIO, err: TextIO) -> int:
    """One line on standard error; with --json also {"error", "reason"} on standard output. Exit status 2."""
    print(f"vigil estimate: {path}: cannot estimate: {exc.detail}", file=err)
    if as_json:
        json.dump({"error": exc.detail, "reason": exc.reason}, out)
        out.write("\n")
    return 2


def _run(
    args: argparse.Namespace,
    loaded: CaptureTable | dict[str, CaptureTable],
    settings: LCMCRSettings,
    notes: list[str],
) -> Result:
    if isinstance(loaded, dict):
        if args.method != "lcmcr":
            raise TableError("--strata is supported with --method lcmcr (totals are sums of posterior draws)")
        return fit_strata(loaded, settings)
    checked: Checked = check_estimable(loaded, method=args.method, exclude_empty=args.exclude_empty_lists)
    notes.extend(checked.notes)
    table = checked.table
    if args.method == "loglinear":
        return _loglinear(table, args)
    if args.method == "dga":
        return fit_dga(table, delta=args.dga_delta)
    if args.sensitivity:
        return sensitivity(table, settings)
    return fit_lcmcr(table, settings)


def _loglinear(table: CaptureTable, args: argparse.Namespace) -> Result:
    if table.n_lists <= MAX_ENUMERATED_LISTS:
        return model_selection(table, maxorder=args.maxorder, criterion=args.criterion, intervals=10)
    return _best_closedp(table, args.criterion)


def _run_all(
    args: argparse.Namespace,
    loaded: CaptureTable | dict[str, CaptureTable],
    settings: LCMCRSettings,
    notes: list[str],
) -> dict[str, Any]:
    """Every method that applies to the table, LCMCR first; a method refused for this table (log-linear on
    more than 12 lists, dga outside 3 to 5) or failing numerically is named with the reason, not fatal.
    Log-linear models are all ranked up to :data:`MAX_ALL_ENUMERATED_LISTS` lists; beyond, the best of the
    classical ones is compared."""
    if isinstance(loaded, dict):
        raise TableError("--strata is supported with --method lcmcr (totals are sums of posterior draws)")
    checked = check_estimable(loaded, exclude_empty=args.exclude_empty_lists)
    notes.extend(checked.notes)
    table = checked.table
    primary = summarise(sensitivity(table, settings) if args.sensitivity else fit_lcmcr(table, settings))
    summaries: dict[str, dict[str, Any]] = {"lcmcr": primary}
    refused: dict[str, str] = {}
    for method in ("loglinear", "dga"):
        try:
            check_estimable(table, method=method)
            if method == "dga":
                result: Result = fit_dga(table, delta=args.dga_delta)
            elif table.n_lists <= MAX_ALL_ENUMERATED_LISTS:
                result = _loglinear(table, args)
            else:
                result = _best_closedp(table, args.criterion)
            summaries[method] = summarise(result)
        except EstimateRefused as exc:
            refused[method] = exc.detail
        except (ArithmeticError, np.linalg.LinAlgError) as exc:
            refused[method] = f"the model could not be fitted to this table ({exc})"
    comparison = compare_methods(summaries)
    out = dict(primary)
    out["methods"] = summaries
    out["refused_methods"] = refused
    out["comparison"] = comparison
    out["note"] = comparison["note"]
    return out


def _best_closedp(table: CaptureTable, criterion: str) -> Result:
    """The best of M0, Mt and the Mh models by ``criterion``, with its profile-likelihood interval."""
    fits = [f for f in closedp(table, interval=False) if f.name in ("M0", "Mt") or f.name.startswith("Mh")]
    fits.sort(key=lambda f: getattr(f, criterion))
    return closedp(table, interval=True, only=(fits[0].name,))[0]


def render_comparison(summary: dict[str, Any]) -> str:
    """The methods of ``--method all`` side by side, then the note if they disagree."""

    def fmt(x: object) -> str:
        return "n/a" if x is None else f"{float(x):,.0f}"  # type: ignore[arg-type]

    lines = ["", f"{'method':<44} {'mean':>9} {'median':>9}  95% interval"]
    for row in summary["comparison"]["rows"]:
        lines.append(
            f"{row['label']:<44} {fmt(row['mean']):>9} {fmt(row['median']):>9}  "
            f"{fmt(row['lower'])} to {fmt(row['upper'])}"
        )
    for method, reason in summary["refused_methods"].items():
        lines.append(f"{method:<44} not run: {reason}")
    if summary["note"]:
        lines.append(f"note: {summary['note']}")
    return "\n".join(lines) + "\n"


def render_text(summary: dict[str, Any]) -> str:
    e = summary["estimate"]
    d = summary["diagnostics"]

    def fmt(x: object) -> str:
        return "n/a" if x is None else f"{float(x):,.0f}"  # type: ignore[arg-type]

    lines = [
        f"method: {summary['method']}"
        + (f" (model {d['model']})" if "model" in d else "")
        + (f" (prior delta {d['delta']:g}, {d['models_averaged']} graphs)" if "delta" in d else ""),
        f"documented (n): {summary['n_observed']:,}",
        f"estimated total N: mean {fmt(e['mean'])}, median {fmt(e['median'])}, "
        f"95% interval {fmt(e['lower'])} to {fmt(e['upper'])}",
    ]
    if "rhat" in d:
        lines.append(
            f"convergence: R-hat {d['rhat']:.3f}, ESS bulk {d['ess_bulk']:.0f}, tail {d['ess_tail']:.0f}; "
            f"seed {d['settings']['seed']}"
        )
    for m in d.get("best_models", [])[:5] if "models_averaged" in d else []:
        lines.append(
            f"  graph {m['model']:<20} posterior probability {m['weight']:.3f}  mean {fmt(m['mean'])}  "
            f"95% {fmt(m['lower'])} to {fmt(m['upper'])}"
        )
    for row in d.get("sensitivity", []):
        lines.append(
            f"  {row['label']:<28} median {fmt(row['median'])}  95% {fmt(row['lower'])} to {fmt(row['upper'])}"
        )
    for label, reason in d.get("sensitivity_skipped", {}).items():
        lines.append(f"  {label:<28} not estimated: {reason}")
    for name, reason in d.get("refused_strata", {}).items():
        lines.append(f"  stratum {name!r} not estimated: {reason}")
    for note in d.get("notes", []):
        lines.append(f"note: {note}")
    for w in d.get("warnings", []):
        lines.append(f"warning: {w}")
    return "\n".join(lines) + "\n"
