"""On arrival a stored person is never split: namesakes joined by vague reports must not be counted thrice."""

from __future__ import annotations

import pytest

from vigil.lib.linkage import JOIN_THRESHOLD, LINK_COLUMNS
from vigil.lib.linkage.arrivals import link_arrivals
from vigil.lib.linkage.link import background_frame, train_model
from vigil.lib.linkage.score import Scorer, TermFrequencies, prepare_rows

# Two namesakes, A (born 12.02.1980, patronymic Александрович) and B (born 10.09.1991, patronymic
# Русланович), in the order their reports arrive: the first reports of each say too little to tell them apart
# and are joined into one person.
ROGOVS = [
    ("A", {"full_name": "Александр Рогов"}),
    ("A", {"full_name": "Aleksandr Rogov", "birth_date": "1980-02-12", "birth_year": "1980", "sex": "m"}),
    ("B", {"full_name": "Рогов Александр Русланович", "sex": "m"}),
    ("B", {"full_name": "Рогов А.Р.", "birth_date": "1991-09-10", "birth_year": "1991", "sex": "m"}),
    (
        "A",
        {
            "full_name": "Рогов Александр Александрович",
            "birth_date": "1980-02-12",
            "birth_year": "1980",
            "sex": "m",
        },
    ),
]


@pytest.fixture(scope="module")
def arrival_model():
    background = background_frame()
    model = train_model(background)
    scorer = Scorer(model)
    counts = TermFrequencies.counting(
        prepare_rows(background.astype(str).to_dict("records")), scorer.tf_columns
    )
    return model, scorer, counts


def _persons_on_arrival(arrival_model, reports: list[dict[str, str]], **options) -> list[int]:
    """Each report linked on arrival against all reports before it; the person of each at the end."""
    model, scorer, counts = arrival_model
    raw = [
        {c: str(report.get(c, "")) for c in LINK_COLUMNS} | {"record_id": str(k)}
        for k, report in enumerate(reports)
    ]
    rows = prepare_rows(raw)
    person: list[int] = []
    for i in range(len(rows)):
        chosen = rows[: i + 1]
        labels = [*person, i]
        arrivals = link_arrivals(
            scorer,
            model,
            chosen,
            labels,
            [k == i for k in range(i + 1)],
            threshold=JOIN_THRESHOLD,
            frequencies=counts.plus(chosen),
            **options,
        )
        cluster = arrivals.cluster.tolist()
        joined = {labels[k] for k in range(i) if cluster[k] == cluster[i]}
        person.append(min(joined) if joined else i)
        if len(joined) > 1:  # the arrival joined two persons: they are one now
            person = [min(joined) if p in joined else p for p in person]
    return person


def test_namesakes_joined_by_vague_reports_are_not_counted_as_more_persons_than_they_are(arrival_model):
    person = _persons_on_arrival(arrival_model, [report for _, report in ROGOVS])
    assert len(set(person)) <= len({who for who, _ in ROGOVS})


def test_namesakes_born_on_different_dates_stay_two_persons_when_nothing_joined_them(arrival_model):
    person = _persons_on_arrival(arrival_model, [ROGOVS[1][1], ROGOVS[3][1]])
    assert len(set(person)) == 2


def test_were_every_link_in_the_person_confident_the_contradictions_would_count_three(arrival_model):
    # Nothing in a person is doubtful when every link counts as confident: each later report contradicting
    # the other namesake's report stays apart, and the two namesakes are counted as three persons (what
    # happened before a doubtfully joined person took such reports in).
    person = _persons_on_arrival(arrival_model, [report for _, report in ROGOVS], confident=0.0)
    assert len(set(person)) == 3
