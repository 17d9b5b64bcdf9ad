"""Time to export and import one sync bundle of many reports, printed; exits non-zero over the limit.

    .venv/bin/python bench/sync.py [--reports 10000] [--limit 30]

Builds ``--reports`` synthetic reports (shaped like hotline reports of detentions, all fictitious) on one
instance, exports them in one bundle encrypted and signed to a second instance, and imports it there. Prints
the export and import times, the bundle size, and checks that the second instance then holds every report and
that importing the same bundle again changes nothing. The claim is export + import under ``--limit`` seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vigil.lib.sync.bundle import Keys, Peer, export_bundle, import_bundle  # noqa: E402
from vigil.lib.sync.replica import Replica  # noqa: E402

CITIES = ["Minsk", "Brest", "Hrodna", "Homel", "Mahilioŭ", "Viciebsk", "Baranavichy", "Pinsk"]
SURNAMES = ["Ivanoŭ", "Kavaliova", "Novik", "Shymanskaja", "Sidarenka", "Zhuk", "Lis", "Karpovich"]
GIVEN = ["Aliaksandr", "Volha", "Siarhei", "Maryna", "Dzmitry", "Nasta", "Andrei", "Iryna"]


def synthetic_report(rng: random.Random) -> dict[str, object]:
    return {
        "kind": "detention",
        "received_at": f"2020-11-{rng.randint(8, 30):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
        "source": {"kind": "hotline", "name": "synthetic"},
        "raw_text": (
            f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}, born {rng.randint(1950, 2004)}, detained on 8 November "
            f"in {rng.choice(CITIES)} near the metro; taken to the district police department."
        ),
        "payload": {"city": rng.choice(CITIES), "detained_on": "2020-11-08", "head_count": 1},
        "is_synthetic": True,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=30.0, help="seconds allowed for export + import")
    args = parser.parse_args(argv)

    rng = random.Random(20201108)
    a_keys, b_keys = Keys.generate("bench-a"), Keys.generate("bench-b")
    a, b = Replica(a_keys.instance), Replica(b_keys.instance)
    for _ in range(args.reports):
        a.submit(f"report/{uuid.UUID(int=rng.getrandbits(128), version=4)}", synthetic_report(rng))
    peer_b, peer_a = Peer(b_keys.identity), Peer(a_keys.identity)

    start = time.perf_counter()
    bundle = export_bundle(a, me=a_keys, peer=peer_b)
    exported = time.perf_counter()
    result = import_bundle(b, bundle, me=b_keys, peers={peer_a.instance: peer_a})
    imported = time.perf_counter()

    export_s, import_s = exported - start, imported - exported
    print(f"reports: {args.reports}")
    print(f"bundle: {len(bundle) / 1e6:.2f} MB")
    print(f"export: {export_s:.2f} s")
    print(f"import: {import_s:.2f} s")
    print(f"export + import: {export_s + import_s:.2f} s (limit {args.limit:.0f} s)")

    before = b.state.snapshot()
    again = import_bundle(b, bundle, me=b_keys, peers={peer_a.instance: peer_a})
    ok = (
        len(result.new_changes) == args.reports
        and len(b.state.item_targets()) == args.reports
        and not again.new_changes
        and b.state.snapshot() == before
    )
    print(f"all reports arrived, replay changed nothing: {ok}")
    return 0 if ok and export_s + import_s < args.limit else 1


if __name__ == "__main__":
    raise SystemExit(main())
