"""Export and import of a sync bundle of N reports (default 10,000) between two Vigil instances.

Two data dirs, two SQLCipher databases; A records N named detentions through the ordinary write operations
(not timed), then ``vigil sync export --to B`` and ``vigil sync import`` on B are timed as wall time of the
commands (process start and keystore unlock included; the start-up alone is timed too, for reference).

    .venv/bin/python bench/sync_app.py [--reports 10000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.replication.instances import pair  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--keep", help="keep the two data dirs here")
    args = parser.parse_args(argv)
    root = Path(args.keep or tempfile.mkdtemp(prefix="vigil-sync-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        a, b = pair(root)
        t0 = time.perf_counter()
        a.seed("bench", count=args.reports, bulk=True)
        seeded = time.perf_counter() - t0
        t0 = time.perf_counter()
        a.run("sync", "status")
        startup = time.perf_counter() - t0
        bundle = root / "a-to-b.bundle"
        t0 = time.perf_counter()
        a.run("sync", "export", "--to", "vilnius", "-o", str(bundle))
        export = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = b.run("sync", "import", str(bundle)).stdout
        imported = time.perf_counter() - t0
        check = b.check()
        result = {
            "reports": args.reports,
            "bundle_bytes": bundle.stat().st_size,
            "seed_s": round(seeded, 2),
            "command_startup_s": round(startup, 2),
            "export_s": round(export, 2),
            "import_s": round(imported, 2),
            "export_plus_import_s": round(export + imported, 2),
            "reports_on_b": check["reports"],
            "integrity": check["integrity"],
        }
        print(out.strip().splitlines()[-1])
        print(json.dumps(result, indent=1))
        ok = check["reports"] == args.reports + 1 and check["integrity"] == "ok"
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
