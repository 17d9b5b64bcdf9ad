"""The Splink model Vigil links with: comparisons on normalised columns, blocking rules and training.

Splink on DuckDB does the heavy lifting (blocking, Fellegi-Sunter scoring, EM); this module decides *what*
is compared. The trained model is a plain JSON-able dict (Splink's own settings format), so the app can
store it beside a dataset and reuse it, and the same model runs on Splink's Spark backend when a group
outgrows one machine.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

ExtraKind = Literal["id", "exact", "fuzzy"]
LinkType = Literal["dedupe_only", "link_only", "link_and_dedupe"]

DUCKDB_MEMORY_LIMIT = "2GB"
DEFAULT_SEED = 20200809  # the 2020 election day; any fixed value makes runs repeatable
U_SAMPLE_PAIRS = 1e6
EM_MAX_PAIRS = 2.5e5


@dataclass(frozen=True)
class ModelSpec:
    """What the model compares beyond Vigil's standard columns, and how records are paired up."""

    extra_fields: Mapping[str, ExtraKind] = field(default_factory=dict)
    link_type: LinkType = "dedupe_only"
    # Standard comparisons switched off because the data never fills their columns (an always-missing
    # field teaches EM nothing and only adds warnings); decided from the training data.
    unused: tuple[str, ...] = ()
    # Further blocking rules, each a tuple of columns that must all agree (e.g. ("postcode", "street_number")).
    extra_blocking: tuple[tuple[str, ...], ...] = ()


# Standard comparison -> the prepared column whose absence makes it useless.
STANDARD_COMPARISONS: dict[str, str] = {
    "surname": "surname_key",
    "given_name": "given_initial",
    "patronymic": "patronymic_id",
    "birth": "birth_year",
    "sex": "sex",
    "city": "city_key",
    "detained_on": "detained_on",
    "source": "source_key",
}
# Name and birth comparisons carry the blocking rules and EM; they stay even when sparse.
_ALWAYS_ON = ("surname", "given_name", "birth")


def spec_for(
    prepared: pd.DataFrame,
    extra_fields: Mapping[str, ExtraKind],
    link_type: LinkType,
    extra_blocking: tuple[tuple[str, ...], ...] = (),
) -> ModelSpec:
    unused = tuple(
        name
        for name, col in STANDARD_COMPARISONS.items()
        if name not in _ALWAYS_ON
        and (
            prepared[col].notna().sum() < 2
            # Between data sets the source is the data set itself; one source teaches nothing.
            or (name == "source" and (link_type != "dedupe_only" or prepared[col].nunique() < 2))
        )
    )
    return ModelSpec(
        extra_fields=dict(extra_fields),
        link_type=link_type,
        unused=unused,
        extra_blocking=tuple(extra_blocking),
    )


def _null_either(col: str) -> Any:
    return cll.CustomLevel(f'"{col}_l" IS NULL OR "{col}_r" IS NULL', label_for_charts="missing").configure(
        is_null_level=True
    )


def _surname() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            _null_either("surname_key"),
            cll.ExactMatchLevel("surname_key").configure(
                tf_adjustment_column="surname_key", tf_adjustment_weight=1.0
            ),
            cll.JaroWinklerLevel("surname_key", 0.92),
            cll.ExactMatchLevel("surname_phon"),
            cll.JaroWinklerLevel("surname_key", 0.8),
            cll.ElseLevel(),
        ],
    )


def _given() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_levels=[
            _null_either("given_initial"),
            cll.ExactMatchLevel("given_id").configure(
                tf_adjustment_column="given_id", tf_adjustment_weight=1.0
            ),
            # Names outside the table carry a "_" marker; compare spellings without it (Андрюха ~ Андрюша).
            cll.CustomLevel(
                "jaro_winkler_similarity(ltrim(\"given_id_l\", '_'), ltrim(\"given_id_r\", '_')) >= 0.9",
                label_for_charts="given names alike (Jaro-Winkler >= 0.9)",
            ),
            cll.CustomLevel(
                '"given_initial_l" = "given_initial_r" AND ("given_id_l" IS NULL OR "given_id_r" IS NULL)',
                label_for_charts="initial agrees, full name on one side only",
            ),
            cll.ElseLevel(),
        ],
    )


def _patronymic() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="patronymic",
        comparison_levels=[
            _null_either("patronymic_id"),
            cll.ExactMatchLevel("patronymic_id"),
            cll.ElseLevel(),
        ],
    )


def _birth() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            _null_either("birth_year"),
            cll.CustomLevel('"birth_date_l" = "birth_date_r"', label_for_charts="same birth date"),
            cll.CustomLevel(
                'damerau_levenshtein("birth_date_l", "birth_date_r") <= 1',
                label_for_charts="birth dates one keystroke apart",
            ),
            cll.CustomLevel(
                '"birth_year_l" = "birth_year_r" AND ("birth_date_l" IS NULL OR "birth_date_r" IS NULL)',
                label_for_charts="same birth year, full date on one side only",
            ),
            cll.CustomLevel('"birth_year_l" = "birth_year_r"', label_for_charts="same year, different date"),
            cll.CustomLevel(
                'abs("birth_year_l" - "birth_year_r") <= 1', label_for_charts="birth years 1 apart"
            ),
            cll.ElseLevel(),
        ],
    )


def _exact(col: str, name: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=name,
        comparison_levels=[_null_either(col), cll.ExactMatchLevel(col), cll.ElseLevel()],
    )


def _detained() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="detained_on",
        comparison_levels=[
            _null_either("detained_on"),
            cll.CustomLevel(
                'abs(date_diff(\'day\', "detained_on_l", "detained_on_r")) <= 1',
                label_for_charts="within a day",
            ),
            cll.CustomLevel(
                'abs(date_diff(\'day\', "detained_on_l", "detained_on_r")) <= 31',
                label_for_charts="within a month",
            ),
            cll.ElseLevel(),
        ],
    )


def _extra(col: str, kind: ExtraKind) -> cl.CustomComparison:
    levels: list[Any] = [_null_either(col), cll.ExactMatchLevel(col)]
    if kind == "id":
        levels.append(cll.DamerauLevenshteinLevel(col, 1))
    elif kind == "fuzzy":
        levels += [cll.JaroWinklerLevel(col, 0.92), cll.JaroWinklerLevel(col, 0.8)]
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(output_column_name=col, comparison_levels=levels)


def blocking_rules(spec: ModelSpec) -> list[Any]:
    """Pairs worth scoring: any two records sharing a strong name key or a birth date and one more field.

    Each rule alone misses some true pairs (a typo in the surname, a missing birth date); together they
    catch a pair when any one of its fields survived intact, while keeping the pair count near-linear.
    """
    rules: list[Any] = [
        # Surname and the initial rather than the full given name: court lists write "Иванов Н.П.", hotlines
        # "Николай Иванов". Capped (see prepare.NAME_BLOCK_CAP); common names pair up through the rules below.
        block_on("name_block"),
        block_on("phon_block"),
        block_on("name_week_block"),
        block_on("prefix_week_block"),
        block_on("suffix_week_block"),
        block_on("surname_key", "given_initial", "birth_year"),
        block_on("surname_key", "given_id", "patronymic_id"),
        block_on("given_id", "birth_date"),
        block_on("surname_phon", "birth_date"),
    ]
    if "city" not in spec.unused:
        rules.append(block_on("birth_date", "city_key"))
    rules += [block_on(col) for col, kind in spec.extra_fields.items() if kind == "id"]
    rules += [block_on(*cols) for cols in spec.extra_blocking]
    return rules


def build_settings(spec: ModelSpec) -> SettingsCreator:
    standard: dict[str, Any] = {
        "surname": _surname(),
        "given_name": _given(),
        "patronymic": _patronymic(),
        "birth": _birth(),
        "sex": _exact("sex", "sex"),
        "city": _exact("city_key", "city"),
        "detained_on": _detained(),
        # One source rarely reports the same person twice (a court list names a defendant once), so two
        # reports from the same source are weak evidence of two people; EM learns how weak.
        "source": _exact("source_key", "source"),
    }
    comparisons: list[Any] = [c for name, c in standard.items() if name not in spec.unused]
    comparisons += [_extra(col, kind) for col, kind in spec.extra_fields.items()]
    return SettingsCreator(
        link_type=spec.link_type,
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules(spec),
        retain_matching_columns=True,  # gamma_* columns (for explanations) come only with these
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=[],
        probability_two_random_records_match=1e-4,
        max_iterations=20,
        em_convergence=1e-4,
    )


@dataclass
class LinkModel:
    """A trained model: Splink's settings dict with learned m/u probabilities, plus how it was trained."""

    settings: dict[str, Any]
    spec: ModelSpec
    training_notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {
                "splink_settings": self.settings,
                "extra_fields": dict(self.spec.extra_fields),
                "link_type": self.spec.link_type,
                "unused": list(self.spec.unused),
                "extra_blocking": [list(cols) for cols in self.spec.extra_blocking],
                "training_notes": self.training_notes,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> LinkModel:
        data = json.loads(text)
        spec = ModelSpec(
            extra_fields=dict(data.get("extra_fields", {})),
            link_type=data.get("link_type", "dedupe_only"),
            unused=tuple(data.get("unused", ())),
            extra_blocking=tuple(tuple(cols) for cols in data.get("extra_blocking", ())),
        )
        settings = data["splink_settings"]
        weigh_contradictions(settings)  # a model saved before the ceilings existed gets them too
        return cls(settings=settings, spec=spec, training_notes=list(data.get("training_notes", [])))

    def parameters(self) -> list[dict[str, Any]]:
        """Each comparison level's learned m and u, Bayes factor and weight (log2 Bayes factor)."""
        import math

        rows = []
        for comparison in self.settings["comparisons"]:
            for level in comparison["comparison_levels"]:
                if level.get("is_null_level"):
                    continue
                m, u = level.get("m_probability"), level.get("u_probability")
                bf = (m / u) if (m and u) else None
                rows.append(
                    {
                        "comparison": comparison["output_column_name"],
                        "level": level.get("label_for_charts", level["sql_condition"]),
                        "m_probability": m,
                        "u_probability": u,
                        "bayes_factor": bf,
                        "match_weight": math.log2(bf) if bf else None,
                    }
                )
        return rows


def quiet_splink() -> None:
    """Splink logs every SQL step at INFO; analysts running ``vigil link`` should see only real problems."""
    logging.getLogger("splink").setLevel(logging.ERROR)


def register_inputs(db_api: DuckDBAPI, prepared: pd.DataFrame, link_type: LinkType) -> list[Any]:
    """One table for deduplication; one per source for linking (Splink links between its input tables)."""
    if link_type == "dedupe_only":
        return [db_api.register(prepared, table_name="records")]
    tables = []
    for i, (source, part) in enumerate(
        sorted(prepared.groupby("source_dataset", sort=True), key=lambda t: t[0])
    ):
        tables.append(
            db_api.register(
                part.reset_index(drop=True), table_name=f"records_{i}", dataset_display_name=str(source)
            )
        )
    if len(tables) < 2:
        raise ValueError(f"{link_type} needs records from at least two sources")
    return tables


def make_linker(
    prepared: pd.DataFrame,
    settings: SettingsCreator | dict[str, Any],
    link_type: LinkType,
    *,
    validate: bool = True,
) -> Linker:
    """A Splink linker over the prepared records. ``validate=False`` skips Splink's settings validation
    (about a second): for a model that was validated when it was trained, scoring a few records."""
    quiet_splink()
    db_api = DuckDBAPI()
    # Pair tables need no row order (results are sorted when read back); dropping it saves memory.
    db_api.duckdb_con.execute("SET preserve_insertion_order = false")
    # DuckDB would otherwise take up to 80% of RAM for scoring a million reports' pairs; above this it
    # spills to a temporary directory instead, which keeps `vigil link` inside a 4 GB machine.
    db_api.duckdb_con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    inputs = register_inputs(db_api, prepared, link_type)
    return Linker(
        inputs if len(inputs) > 1 else inputs[0],
        copy.deepcopy(settings),
        log_level=None,
        validate_settings=validate,
    )


def _labels_table(labels: pd.DataFrame, prepared: pd.DataFrame, link_type: LinkType) -> pd.DataFrame:
    """Reviewers' "same person" pairs in Splink's pairwise-labels layout."""
    same = labels[labels["same"].astype(bool)]
    source_of = dict(zip(prepared["unique_id"], prepared["source_dataset"], strict=True))

    def src(uid: str) -> str:
        return "records" if link_type == "dedupe_only" else str(source_of[uid])

    rows = [
        {
            "source_dataset_l": src(a),
            "unique_id_l": a,
            "source_dataset_r": src(b),
            "unique_id_r": b,
            "clerical_match_score": 1.0,
        }
        for a, b in zip(same["record_id_l"].astype(str), same["record_id_r"].astype(str), strict=True)
        if a in source_of and b in source_of
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "source_dataset_l",
            "unique_id_l",
            "source_dataset_r",
            "unique_id_r",
            "clerical_match_score",
        ],
    )


MIN_LABELS_FOR_M = 20
# EM drives the m of a level it never saw among likely matches to 0 (or leaves it unset, which Splink scores
# as weight 0: a disagreeing surname would then count for nothing), and random sampling leaves u unset for
# levels too rare to be drawn. Floors keep every weight finite and bounded: one field that disagrees (a
# typo'd city, a mis-keyed birth date) costs at most log2(M_FLOOR) ~ -10 bits instead of vetoing the pair.
M_FLOOR = 1e-3
U_FLOOR = 1e-4


def _floored(values: list[float | None], floor: float) -> tuple[list[float], int]:
    raised = sum(1 for v in values if not isinstance(v, float | int) or v < floor)
    clean = [max(float(v), floor) if isinstance(v, float | int) else floor for v in values]
    total = sum(clean)
    return [v / total for v in clean], raised


def _below(value: Any, floor: float) -> bool:
    return not isinstance(value, float | int) or value < floor


def regularise(settings: dict[str, Any]) -> int:
    """Floor and renormalise each comparison's m and u probabilities in place; returns how many changed.

    A level that neither EM nor random sampling ever saw (say "detained a month apart" in a list of one
    weekend) has no evidence either way: its u is floored at the m floor, so it weighs about 0 bits instead
    of the +3.3 bits that the two different floors alone would give it.
    """
    changed = 0
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        unseen = [
            _below(lv.get("m_probability"), M_FLOOR) and _below(lv.get("u_probability"), U_FLOOR)
            for lv in levels
        ]
        values, raised = _floored([lv.get("m_probability") for lv in levels], M_FLOOR)
        changed += raised
        for level, value in zip(levels, values, strict=True):
            level["m_probability"] = value
        u_raw = [
            M_FLOOR if blank else lv.get("u_probability") for lv, blank in zip(levels, unseen, strict=True)
        ]
        values, raised = _floored(u_raw, U_FLOOR)
        changed += raised + sum(unseen)
        for level, value in zip(levels, values, strict=True):
            level["u_probability"] = value
    return changed


# Evidence against a match that no training sample may soften: the highest match weight (bits) a level may
# carry, whatever EM learned. Two namesakes with full birth dates 14 years apart were merged when EM on a
# 30-row file learned only -2 bits for "birth years further apart"; a small sample says little about how
# rarely one person's birth year is misreported by years. A level above its ceiling has its m lowered to
# u * 2**ceiling and the other levels' m raised in proportion, so they still sum to one.
CONTRADICTIONS: dict[tuple[str, str], float] = {
    ("birth", "same year, different date"): -6.0,  # two full dates, neither a keystroke from the other
    ("birth", "All other comparisons"): -10.0,  # birth years two or more apart
    # Two different patronymics: two fathers. On 20,000 persons of one march EM learned only -3 bits for it
    # (namesakes with different patronymics, paired by surname and initial, pulled m up), so patronymic
    # stopped being a contradiction (link.CONFLICT_WEIGHT) and namesakes merged: 5.4% below the truth.
    ("patronymic", "All other comparisons"): -8.0,
}


def weigh_contradictions(settings: dict[str, Any]) -> int:
    """Lower, in place, every level of ``CONTRADICTIONS`` whose weight is above its ceiling; returns how many."""
    changed: set[tuple[str, str]] = set()
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for _ in range(
            len(levels)
        ):  # raising the others can lift a capped level's neighbour over its own cap
            lowered = False
            for level in levels:
                ceiling = CONTRADICTIONS.get((name, str(level.get("label_for_charts", ""))))
                if ceiling is None:
                    continue
                highest = float(level["u_probability"]) * 2.0**ceiling
                if float(level["m_probability"]) <= highest * (1 + 1e-9):
                    continue
                freed = float(level["m_probability"]) - highest
                level["m_probability"] = highest
                others = [lv for lv in levels if lv is not level]
                total = sum(float(lv["m_probability"]) for lv in others)
                for other in others:
                    other["m_probability"] = (
                        float(other["m_probability"]) + freed * float(other["m_probability"]) / total
                    )
                lowered = True
                changed.add((name, str(level.get("label_for_charts", ""))))
            if not lowered:
                break
    return len(changed)


# The prior (probability that two random records are the same person) is the count of near-certain pairs
# divided by how many of the true pairs such a rule can find. A rule needing the full birth date finds only
# pairs where both reports carry one, and most hotline reports do not: the recall assumed is therefore the
# share of pairs with a birth date on both sides (times 0.9 for typos in names and dates), not a constant.
# Without birth dates a names-only rule is used; namesakes make it overestimate the prior (noted).
PRIOR_RULE_RECALL = 0.9
PRIOR_MIN, PRIOR_MAX = 1e-9, 0.5
MIN_BIRTH_DATE_SHARE = 0.05


def prior_rule(prepared: pd.DataFrame) -> tuple[str, float, str]:
    share = float(prepared["birth_date"].notna().mean()) if len(prepared) else 0.0
    if share >= MIN_BIRTH_DATE_SHARE:
        # The rule can only find pairs where both records carry all three fields: a court list's
        # "Иванов И.И., 12.03.1990" has a birth date but no full given name.
        complete = (
            prepared["birth_date"].notna() & prepared["given_id"].notna() & prepared["surname_key"].notna()
        )
        full = float(complete.mean())
        return (
            "l.surname_key = r.surname_key AND l.given_id = r.given_id AND l.birth_date = r.birth_date",
            max(PRIOR_RULE_RECALL * full * full, 1e-3),
            f"surname, given name and birth date ({full:.0%} of records have all three)",
        )
    return (
        "l.surname_key = r.surname_key AND l.given_id = r.given_id",
        0.8,
        "surname and given name only (too few birth dates; namesakes inflate the prior)",
    )


def train(
    prepared: pd.DataFrame,
    spec: ModelSpec,
    *,
    seed: int = DEFAULT_SEED,
    labels: pd.DataFrame | None = None,
) -> tuple[LinkModel, Linker]:
    """Estimate the model on the records themselves: u by random sampling, m by EM, prior from sure pairs.

    Reviewers' "same" labels, when there are enough of them to say anything (``MIN_LABELS_FOR_M``), add one
    more m estimate per level; Splink keeps the median over the EM sessions and the labels, so a handful of
    odd labels cannot drag a level's weight far.
    """
    notes: list[str] = []
    linker = make_linker(prepared, build_settings(spec), spec.link_type)
    rule, recall, why = prior_rule(prepared)
    try:
        linker.training.estimate_probability_two_random_records_match([rule], recall=recall)
    except ValueError:
        # Tiny lists: more sure pairs than the assumed recall allows (e.g. two reports, both the same man).
        linker.training.estimate_probability_two_random_records_match([rule], recall=1.0)
    # A short list may hold no near-certain pair (prior 0: every weight becomes -inf) or only such pairs.
    settings_obj = linker._settings_obj
    estimated = float(settings_obj._probability_two_random_records_match)
    settings_obj._probability_two_random_records_match = min(max(estimated, PRIOR_MIN), PRIOR_MAX)
    notes.append(f"prior from pairs agreeing on {why} (assumed recall {recall:.3f})")
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=seed)
    # Two EM passes, each blocked on fields the other estimates, so every comparison gets an m estimate.
    # A small data set (a new instance, a test, a short list) may give a blocking no pairs at all: that pass
    # is skipped and the levels it would have estimated keep their starting m values.
    from splink.internals.exceptions import EMTrainingException

    # On a few hundred records EM can also drive a level's m below what a float holds (Splink then raises
    # ValueError mid-pass, e.g. on link_rows(300, seed=3)): that pass is dropped too. A failed pass has
    # already changed the linker's settings in place (comparisons left out, m values half updated), so they
    # are put back as they were before it.
    for blocking in (block_on("surname_key", "given_initial"), block_on("birth_date")):
        before = linker._settings_obj.core_model_settings.copy()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                blocking, max_pairs=EM_MAX_PAIRS, estimate_without_term_frequencies=True
            )
        except (EMTrainingException, ValueError) as exc:
            linker._settings_obj.core_model_settings = before
            notes.append(f"an EM pass was skipped: {str(exc).splitlines()[0]}")
    notes.append(f"u from {U_SAMPLE_PAIRS:.0e} random pairs (seed {seed}); m by EM on two blockings")
    if labels is not None and len(labels):
        table = _labels_table(labels, prepared, spec.link_type)
        if len(table) >= MIN_LABELS_FOR_M:
            linker.table_management.register_table(table, "__vigil_labels", overwrite=True)
            linker.training.estimate_m_from_pairwise_labels("__vigil_labels")
            notes.append(f"m also estimated from {len(table)} reviewer-confirmed pairs")
        else:
            notes.append(
                f"{len(table)} confirmed pairs: too few to estimate m; used as clustering constraints only"
            )
    settings = linker.misc.save_model_to_json()
    settings.pop("linker_uid", None)  # a random name per run; the model itself is what is saved
    floored = regularise(settings)
    if floored:
        notes.append(f"{floored} m/u probabilities raised to the floor (m {M_FLOOR:g}, u {U_FLOOR:g})")
    capped = weigh_contradictions(settings)
    if capped:
        notes.append(
            f"{capped} contradicting levels lowered to their ceiling (birth years or dates that differ)"
        )
    return LinkModel(settings=settings, spec=spec, training_notes=notes), linker
