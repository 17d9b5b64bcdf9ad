"""What follows the detentions of a synthetic world: court decisions under article 23.34 (fines, arrests
and "carousel" re-arrests, pending cases) and allegations of abuse with synthetic evidence files.
"""

from __future__ import annotations

import datetime
import random
import struct
import zlib

from vigil.lib.reference.tables import domain_table
from vigil.lib.synthetic.places import _INJURIES, _cities
from vigil.lib.synthetic.population import _Detention, _Sampler
from vigil.lib.synthetic.records import (
    NEXT_DAY,
    SYNTHETIC_MARK,
    SyntheticAllegation,
    SyntheticDecision,
    TruePerson,
)

_MINSK_DISTRICTS = (
    "Заводского",
    "Ленинского",
    "Московского",
    "Октябрьского",
    "Партизанского",
    "Первомайского",
    "Советского",
    "Фрунзенского",
    "Центрального",
)


def _decisions(
    rng: random.Random,
    sampler: _Sampler,
    persons: list[TruePerson],
    detentions: list[list[_Detention]],
    charged: list[str],
) -> list[SyntheticDecision]:
    outcomes = {row["code"] for row in domain_table("outcome_types")}
    for needed in ("fine", "administrative_arrest", "released_pending_trial"):
        if needed not in outcomes:
            raise RuntimeError(f"outcome_types.csv lacks {needed!r}")
    article = "23.34"
    assert any(r["article"] == article for r in domain_table("legal_articles"))
    judges = []
    for _ in range(12):
        ident = sampler.identity()
        judges.append(f"{ident.surname_ru} {ident.given.ru[0]}.{ident.patronymic_ru[0]}.")
    cat = _cities()
    out: list[SyntheticDecision] = []
    for pi, person in enumerate(persons):
        status = charged[pi]
        if not status:
            continue
        det = detentions[pi][0]
        court = (
            f"Суд {rng.choice(_MINSK_DISTRICTS)} района г. Минска"
            if det.city == "Minsk"
            else f"Суд Центрального района г. {cat[det.city].ru}"
        )
        judge = rng.choice(judges)
        if status == "pending":
            out.append(
                SyntheticDecision(
                    person.person_id,
                    article,
                    court,
                    judge,
                    NEXT_DAY + datetime.timedelta(days=rng.randint(3, 30)),
                    "released_pending_trial",
                    None,
                    None,
                )
            )
            continue
        hearing = NEXT_DAY if rng.random() < 0.6 else NEXT_DAY + datetime.timedelta(days=1)
        if rng.random() < 0.45:
            out.append(
                SyntheticDecision(
                    person.person_id,
                    article,
                    court,
                    judge,
                    hearing,
                    "fine",
                    rng.choice((10, 15, 20, 25, 30)),
                    None,
                )
            )
        else:
            days = rng.choice((10, 12, 13, 14, 15))
            out.append(
                SyntheticDecision(
                    person.person_id, article, court, judge, hearing, "administrative_arrest", None, days
                )
            )
            n_more = 1 if rng.random() < 0.08 else 0  # "carousel": a new arrest as the first one ends
            while n_more:
                hearing = hearing + datetime.timedelta(days=days)
                days = 15
                out.append(
                    SyntheticDecision(
                        person.person_id,
                        article,
                        court,
                        rng.choice(judges),
                        hearing,
                        "administrative_arrest",
                        None,
                        days,
                    )
                )
                n_more = 1 if rng.random() < 0.3 else 0
    return out


def _tiny_png(rng: random.Random, width: int = 8, height: int = 8) -> bytes:
    """A valid little PNG of random grey noise (synthetic 'photo')."""
    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(width)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    text = chunk(b"tEXt", b"Comment\x00" + SYNTHETIC_MARK.encode() + b" image, not real evidence")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + text
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _allegations(
    rng: random.Random, persons: list[TruePerson], detentions: list[list[_Detention]]
) -> list[SyntheticAllegation]:
    types = [row["violation_type"] for row in domain_table("violation_types_belarus_accountability_map")]
    preferred = [
        t
        for t in types
        if t
        in (
            "Beating",
            "Use of excessive force",
            "Denial of appropriate conditions of detention",
            "Cruel, inhuman or degrading treatment or punishment",
        )
    ]
    n = max(1, round(8 * len(persons) / 1060))
    candidates = [i for i, dets in enumerate(detentions) if dets[0].city == "Minsk"] or list(
        range(len(persons))
    )
    chosen = rng.sample(candidates, min(n, len(candidates)))
    out: list[SyntheticAllegation] = []
    for k, pi in enumerate(chosen):
        det = detentions[pi][0]
        vt = rng.choice(preferred or types)
        note = (
            f"{SYNTHETIC_MARK} MEDICAL NOTE (not a real document)\nPatient: {persons[pi].person_id}\n"
            f"Date: {det.date + datetime.timedelta(days=rng.randint(1, 4)):%Y-%m-%d}\n"
            f"Findings: {rng.choice(_INJURIES)}.\n"
        ).encode()
        evidence: list[tuple[str, bytes]] = [(f"synthetic-medical-note-{k + 1}.txt", note)]
        if rng.random() < 0.6:
            evidence.append((f"synthetic-photo-{k + 1}.png", _tiny_png(rng)))
        where = det.held_at or det.place
        out.append(
            SyntheticAllegation(
                person_id=persons[pi].person_id,
                violation_type=vt,
                occurred_on=det.date,
                place=where,
                unit=det.unit,
                narrative=f"[{SYNTHETIC_MARK}] Со слов задержанного: при задержании ({det.place}) и в месте "
                f"содержания ({where}) — {vt.lower()}. Текст вымышлен для демонстрации.",
                evidence=tuple(evidence),
            )
        )
    return out
