"""Link reports about the same person: the library entry point behind ``vigil link``."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from vigil.lib.linkage.cluster import cluster_pairs, conflicting_pairs
from vigil.lib.linkage.explain import (
    EXPLAIN_COLUMNS,
    FieldEvidence,
    PairExplanation,
    _explanation_from_row,
    _plain,
    _score_two,
    explain_columns,
    explain_frame,
    explain_gammas,
    explain_pair,
)
from vigil.lib.linkage.labels import LabelledPairs, _decided_pairs, normalise_labels
from vigil.lib.linkage.model import (
    DEFAULT_SEED,
    ExtraKind,
    LinkModel,
    LinkType,
    make_linker,
    spec_for,
    train,
)
from vigil.lib.linkage.prepare import NameFeaturiser, prepare_records
from vigil.lib.linkage.records import LINK_COLUMNS, check_frame

# Records whose pairs score at least this form one person. The model is calibrated (of pairs scored 0.7-0.8
# on the synthetic reports, 77% are one person; 0.8-0.9, 84%), so at 0.9 a fifth of the true pairs, mostly
# two reports giving the same full name and nothing else, stay apart; 0.7 links them and the clustering keeps
# namesakes whose own fields disagree apart. The app merges at the same 0.7 and queues 0.4-0.7 for review.
DEFAULT_THRESHOLD = 0.7
# The counting policy of an "at least N" figure (docs/counting-rules.md): a report joins a person when the
# pair is at least this likely one person and nothing either report says contradicts it, so a doubtful
# report is counted as someone already counted, never as a new person. Measured on the synthetic world
# (bench/floor.py), 0.1 still counted 2,005 persons for 2,000 on one seed; 0.05 stayed below the truth on
# every seed and size tried, by 1-4%. Joins below CONFIDENT_THRESHOLD wait for a reviewer, who can split them.
JOIN_THRESHOLD = 0.05
CONFIDENT_THRESHOLD = 0.9
# Pairs below this are dropped straight out of Splink: they would never link and nobody reviews them.
PAIR_FLOOR = 0.01
# Comparisons whose exact levels are adjusted for how common the value is (see model.py).
_TF_COLUMNS = {"surname": "surname_key", "given_name": "given_id"}


def _term_frequencies(prepared: pd.DataFrame) -> dict[str, dict[Any, float]]:
    return {
        col: prepared[col].dropna().value_counts(normalize=True).to_dict()
        for col in _TF_COLUMNS.values()
        if col in prepared
    }


@dataclass
class LinkResult:
    """Persons found, the strongest link of each record, and every scored pair with its evidence.

    ``persons``: record_id, person_id (the smallest record_id of the person's records), match_probability
    (the strongest link joining the record to another record of its person; NaN for a person with one
    record; 1.0 where a reviewer confirmed the link). ``pairs``: every pair the blocking rules produced
    that scored at least ``PAIR_FLOOR`` (record_id_l, record_id_r, match_probability, match_weight,
    gamma_<comparison> levels and mw_tf_adj_<comparison> term-frequency adjustments in bits).
    """

    persons: pd.DataFrame
    pairs: pd.DataFrame
    model: LinkModel
    threshold: float
    notes: list[str] = field(default_factory=list)
    prepared: pd.DataFrame | None = field(default=None, repr=False)
    _positions: tuple[pd.DataFrame, dict[tuple[str, str], int]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _pair_positions(self) -> dict[tuple[str, str], int]:
        """(smaller id, larger id) -> the position of the pair's first row in ``pairs``, made once: a batch
        run explains every pair it queues for review, and a scan of all pairs for each grows as their square."""
        if self._positions is None or self._positions[0] is not self.pairs:
            left = self.pairs["record_id_l"].astype(str).to_numpy()
            right = self.pairs["record_id_r"].astype(str).to_numpy()
            positions: dict[tuple[str, str], int] = {}
            for i, (a, b) in enumerate(zip(left, right, strict=True)):
                positions.setdefault((a, b) if a <= b else (b, a), i)
            self._positions = (self.pairs, positions)
        return self._positions[1]

    @property
    def clusters(self) -> dict[str, str]:
        return dict(zip(self.persons["record_id"], self.persons["person_id"], strict=True))

    def person_of(self, record_id: str) -> str:
        hit = self.persons.loc[self.persons["record_id"] == str(record_id), "person_id"]
        if hit.empty:
            raise KeyError(record_id)
        return str(hit.iloc[0])

    def explain_table(self, min_probability: float = PAIR_FLOOR) -> pd.DataFrame:
        """Every scored pair at or above ``min_probability`` with each comparison's level and weight in bits.

        Columns: :func:`explain_columns`. ``linked`` says whether the pair's two records ended up in one
        person (through this pair or a chain of others). Pairs below ``PAIR_FLOOR`` were not kept unless
        the result was made with a lower ``pair_floor``.
        """
        pairs = self.pairs
        if min_probability > 0:
            pairs = pairs[pairs["match_probability"].to_numpy() >= min_probability]
        persons = pd.Series(self.persons["person_id"].to_numpy(), index=self.persons["record_id"].to_numpy())
        return explain_frame(self.model, pairs, persons)

    def explain(self, pair: tuple[str, str] | str, other: str | None = None) -> PairExplanation:
        """Per-comparison level and weight for a pair of record ids: ``explain((a, b))`` or ``explain(a, b)``.

        A pair the blocking rules produced is explained from its stored comparison vector; any other pair
        (never compared, or below ``PAIR_FLOOR``) is scored now under the same model.
        """
        if other is None:
            if isinstance(pair, str) or len(pair) != 2:
                raise TypeError("explain takes a pair of record ids: explain((a, b)) or explain(a, b)")
            a, b = str(pair[0]), str(pair[1])
        else:
            a, b = str(pair), str(other)
        position = self._pair_positions().get((a, b) if a <= b else (b, a))
        if position is not None:
            row = self.pairs.iloc[position]
            return _explanation_from_row(
                self.model,
                dict(row),
                str(row["record_id_l"]),
                str(row["record_id_r"]),
                scored_by_blocking=True,
            )
        if self.prepared is None:
            raise KeyError(f"pair {a!r}, {b!r} was not scored and the prepared records were not kept")
        rows = self.prepared.set_index("unique_id", drop=False)
        for rid in (a, b):
            if rid not in rows.index:
                raise KeyError(rid)
        tf = _term_frequencies(self.prepared)
        records = []
        for rid in (a, b):
            rec = {k: _plain(v) for k, v in rows.loc[rid].to_dict().items()}
            for col, freq in tf.items():
                rec[f"tf_{col}"] = freq.get(rec[col]) if rec[col] is not None else None
            records.append(rec)
        row = _score_two(self.model, records[0], records[1])
        return _explanation_from_row(self.model, row, a, b, scored_by_blocking=False)


def _validate(records: pd.DataFrame, extra_fields: Mapping[str, ExtraKind] | None) -> None:
    skip = {"given_name", "surname", *(extra_fields or {})}
    check_frame(records[[c for c in records.columns if c not in skip]])


def train_model(
    records: pd.DataFrame,
    *,
    labelled_pairs: LabelledPairs | None = None,
    extra_fields: Mapping[str, ExtraKind] | None = None,
    link_type: LinkType = "dedupe_only",
    extra_blocking: Sequence[Sequence[str]] = (),
    seed: int = DEFAULT_SEED,
    name_featuriser: NameFeaturiser | None = None,
    validate: bool = True,
) -> LinkModel:
    """Train a model on ``records`` (unsupervised EM, improved by reviewers' labels) without linking."""
    labels = normalise_labels(labelled_pairs)
    if validate:
        _validate(records, extra_fields)
    prepared = prepare_records(
        records, extra_columns=list(extra_fields or {}), name_featuriser=name_featuriser
    )
    spec = spec_for(prepared, extra_fields or {}, link_type, tuple(tuple(c) for c in extra_blocking))
    model, linker = train(prepared, spec, seed=seed, labels=labels)
    linker._db_api.delete_tables_created_by_splink_from_db()
    return model


def _strongest_link(
    n: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    prob: npt.NDArray[np.float64],
    person: npt.NDArray[np.int64],
    threshold: float,
    same: Sequence[tuple[int, int]],
) -> npt.NDArray[np.float64]:
    """Per record, the strongest link to another record of its own person (NaN when it has none)."""
    strongest = np.full(n, -1.0)
    inside = (prob >= threshold) & (person[left] == person[right])
    np.maximum.at(strongest, left[inside], prob[inside])
    np.maximum.at(strongest, right[inside], prob[inside])
    for a, b in same:
        if person[a] == person[b]:
            strongest[a] = strongest[b] = 1.0
    strongest[strongest < 0] = np.nan
    return strongest


# A field keeps two records of one cluster apart only if the trained model counts its disagreement as strong
# evidence of two people: at most this many bits (1/64). On hotline reports a different birth date weighs
# about -9 bits; in FEBRL, whose birth dates are often corrupted beyond a typo, far less.
CONFLICT_WEIGHT = -6.0


def conflict_fields(model: LinkModel) -> set[str]:
    """Comparisons whose disagreeing ("else") level weighs at most ``CONFLICT_WEIGHT``."""
    fields = set()
    for comparison in model.settings["comparisons"]:
        name = comparison["output_column_name"]
        if name not in ("sex", "birth", "patronymic", "given_name"):
            continue
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        m, u = levels[-1].get("m_probability"), levels[-1].get("u_probability")
        if m and u and math.log2(m / u) <= CONFLICT_WEIGHT:
            fields.add(name)
    return fields


_conflict_fields = conflict_fields  # the name tests and older callers use


def _smallest_member(ids: npt.NDArray[np.object_], cluster: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    """Per record, the smallest record id of its cluster (vectorised: a groupby-min on strings is slow)."""
    order = np.argsort(ids.astype(str), kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    best = np.full(int(cluster.max()) + 1 if len(cluster) else 0, len(ids), dtype=np.int64)
    np.minimum.at(best, cluster, rank)
    return ids[order[best[cluster]]]


# Fewer records than this say too little to learn weights from (a 30-row file learned +10 bits of prior and
# -1 bit for an agreeing surname): the model is then trained on them together with a fixed background of
# synthetic reports (vigil.lib.synthetic), whose names, spellings and birth data give sensible weights.
# Together they stay under the 1e6 pairs from which u is estimated exactly rather than sampled, so that a
# short list links the same way on every run and in any row order.
SMALL_INPUT = 400
BACKGROUND_ROWS = 1000
BACKGROUND_SEED = 20200809
BACKGROUND_PREFIX = "background-"


@functools.cache
def background_frame() -> pd.DataFrame:
    """The fixed synthetic reports a short list is trained with (see SMALL_INPUT)."""
    from vigil.lib.synthetic.tables import link_rows

    rows = link_rows(BACKGROUND_ROWS, seed=BACKGROUND_SEED, years=1)[list(LINK_COLUMNS)]
    rows["record_id"] = BACKGROUND_PREFIX + rows["record_id"].astype(str)
    return rows


def small_input_model(
    records: pd.DataFrame, *, seed: int = DEFAULT_SEED, labelled_pairs: LabelledPairs | None = None
) -> LinkModel:
    """A model for a short list: trained on the records plus the synthetic background (see SMALL_INPUT)."""
    columns = [c for c in LINK_COLUMNS if c in records.columns]
    own = records[columns].astype(object).sort_values("record_id", kind="stable")
    combined = pd.concat([background_frame()[columns], own], ignore_index=True)
    return train_model(combined, seed=seed, labelled_pairs=labelled_pairs)


def link(
    records: pd.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    labelled_pairs: LabelledPairs | None = None,
    model: LinkModel | None = None,
    extra_fields: Mapping[str, ExtraKind] | None = None,
    link_type: LinkType = "dedupe_only",
    extra_blocking: Sequence[Sequence[str]] = (),
    seed: int = DEFAULT_SEED,
    name_featuriser: NameFeaturiser | None = None,
    validate: bool = True,
    keep_prepared: bool = True,
    background: bool = False,
) -> LinkResult:
    """Find which records describe the same person.

    ``records`` has the link columns (record_id, full_name; optionally source, birth_date, birth_year, sex,
    city, detained_on). ``labelled_pairs`` holds reviewers' decisions (see :data:`LabelledPairs`): "same"
    pairs are always joined, "different" pairs never end up in one person, and enough "same" pairs also
    give the model one more estimate of each m probability. ``model`` reuses a trained model (from
    :func:`train_model` or ``LinkModel.from_json``); without one the model is trained on ``records``
    first (u by random sampling, m by EM), deterministically for ``seed``. ``extra_fields`` adds
    comparisons on further columns (kind "id" also blocks on the column); ``extra_blocking`` adds blocking
    rules, each a sequence of columns that must agree. Records whose strongest path
    of links all score at least ``threshold`` form one person. ``background=True`` trains a list shorter
    than ``SMALL_INPUT`` together with the synthetic background (see there); the app's counts do so.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be a probability strictly between 0 and 1")
    labels = normalise_labels(labelled_pairs)
    if validate:
        _validate(records, extra_fields)
    small = (
        background
        and model is None
        and not extra_fields
        and name_featuriser is None
        and len(records) < SMALL_INPUT
    )
    if small:
        model = small_input_model(records, seed=seed, labelled_pairs=labelled_pairs)
    extras = list(model.spec.extra_fields if model is not None else (extra_fields or {}))
    prepared = prepare_records(records, extra_columns=extras, name_featuriser=name_featuriser)
    result = link_prepared(
        prepared,
        threshold=threshold,
        labels=labels,
        model=model,
        extra_fields=extra_fields,
        link_type=link_type,
        extra_blocking=extra_blocking,
        seed=seed,
        keep_prepared=keep_prepared,
    )
    if small:
        result.notes.insert(
            0,
            f"only {len(records)} records: weights learned from them together with {BACKGROUND_ROWS} "
            "synthetic background reports",
        )
    return result


def link_prepared(
    prepared: pd.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    labels: pd.DataFrame | None = None,
    model: LinkModel | None = None,
    extra_fields: Mapping[str, ExtraKind] | None = None,
    link_type: LinkType = "dedupe_only",
    extra_blocking: Sequence[Sequence[str]] = (),
    seed: int = DEFAULT_SEED,
    keep_prepared: bool = True,
    pair_floor: float = PAIR_FLOOR,
) -> LinkResult:
    """:func:`link` on records already through :func:`prepare_records` (lets a caller free the raw table).

    ``pair_floor``: pairs scoring below it (and below ``threshold``) are not kept in ``pairs``; 0 keeps
    every pair the blocking rules produced.
    """
    blocking = tuple(tuple(c) for c in extra_blocking)
    spec = model.spec if model is not None else spec_for(prepared, extra_fields or {}, link_type, blocking)
    notes: list[str] = []
    trained_here = model is None
    if model is None:
        model, trainer = train(prepared, spec, seed=seed, labels=labels)
        trainer._db_api.delete_tables_created_by_splink_from_db()
    linker = make_linker(prepared, model.settings, spec.link_type, validate=trained_here)
    notes += model.training_notes
    try:
        predictions = linker.inference.predict(
            threshold_match_probability=min(pair_floor, threshold) or None, warning_mode="never"
        )
        names = [c.unquote().name for c in predictions.columns]
        cols = [c for c in names if c.startswith("gamma_") or c.startswith("mw_tf_adj_")]
        select = ", ".join(
            [
                "unique_id_l AS record_id_l",
                "unique_id_r AS record_id_r",
                "match_probability",
                "match_weight",
                *cols,
            ]
        )
        con = linker._db_api.duckdb_con
        # Sorted so that the pair table (and anything derived from it) is identical run to run.
        pairs = con.sql(
            f"SELECT {select} FROM {predictions.physical_name} ORDER BY record_id_l, record_id_r"
        ).df()
    finally:
        linker._db_api.delete_tables_created_by_splink_from_db()
    ids = prepared["unique_id"].to_numpy(dtype=object)
    index_of = pd.Index(ids)
    left = index_of.get_indexer(pairs["record_id_l"]).astype(np.int64)
    right = index_of.get_indexer(pairs["record_id_r"]).astype(np.int64)
    prob = pairs["match_probability"].to_numpy(dtype=np.float64)
    same, different = _decided_pairs(labels, {k: i for i, k in enumerate(ids)})
    if labels is not None:
        notes.append(
            f"{len(same)} 'same' and {len(different)} 'different' reviewer decisions applied in clustering"
        )
    cluster = cluster_pairs(len(ids), left, right, prob, threshold, must_link=same, cannot_link=different)
    # Chains through vague reports ("Ольга Наумик", nothing else) can join namesakes whose own fields
    # disagree; such pairs are kept apart like a reviewer's "different" (a reviewer's "same" wins).
    checked = conflict_fields(model)
    conflicts = conflicting_pairs(
        cluster,
        sex=prepared["sex"].to_numpy() if "sex" in checked else None,
        birth_year=prepared["birth_year"].to_numpy() if "birth" in checked else None,
        birth_date=prepared["birth_date"].to_numpy() if "birth" in checked else None,
        patronymic=prepared["patronymic_id"].to_numpy() if "patronymic" in checked else None,
        given=prepared["given_id"].to_numpy() if "given_name" in checked else None,
    )
    if conflicts:
        confirmed = {tuple(sorted(p)) for p in same}
        apart = different + [p for p in conflicts if tuple(sorted(p)) not in confirmed]
        cluster = cluster_pairs(len(ids), left, right, prob, threshold, must_link=same, cannot_link=apart)
        notes.append(
            f"{len(conflicts)} pairs of records inside chained clusters conflict and were kept apart"
        )
    person = _smallest_member(ids, cluster)
    strongest = _strongest_link(len(ids), left, right, prob, cluster, threshold, same)
    persons = pd.DataFrame({"record_id": ids, "person_id": person, "match_probability": strongest})
    return LinkResult(
        persons=persons,
        pairs=pairs,
        model=model,
        threshold=threshold,
        notes=notes,
        prepared=prepared if keep_prepared else None,
    )


__all__: Sequence[str] = (
    "DEFAULT_THRESHOLD",
    "FieldEvidence",
    "LabelledPairs",
    "LinkResult",
    "PairExplanation",
    "EXPLAIN_COLUMNS",
    "explain_columns",
    "explain_frame",
    "explain_gammas",
    "explain_pair",
    "link",
    "link_prepared",
    "normalise_labels",
    "train_model",
)
