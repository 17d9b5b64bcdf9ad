"""An import killed with SIGKILL at 50 random points leaves a sound database that lost nothing committed:
each bundle is applied in one transaction together with the acknowledgement, so a copy shows the bundle
either wholly or not at all, and a later import completes it."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from .instances import Instance, pair

pytestmark = pytest.mark.slow
REPORTS = 600
KILLS = 50
CHECKER = Path(__file__).with_name("check_copies.py")


def _import_killed(b: Instance, bundle: Path, delay: float) -> tuple[int | None, float]:
    """Start an import, wait until it has read the bundle, kill it ``delay`` seconds later."""
    proc = b.start("sync", "import", str(bundle))
    assert proc.stdout is not None
    proc.stdout.readline()  # "bundle from ...; importing": the transaction is about to start
    started = time.perf_counter()
    while proc.poll() is None and time.perf_counter() - started < delay:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=120)
    return proc.returncode, elapsed


def test_an_import_killed_anywhere_leaves_a_consistent_database_and_loses_nothing(tmp_path: Path) -> None:
    a, b = pair(tmp_path / "base")
    a.seed("big", count=REPORTS)
    b.seed("own", count=3)
    bundle = tmp_path / "big.bundle"
    a.run("sync", "export", "--to", "vilnius", "-o", str(bundle))
    before = b.check()
    full = b.copy(tmp_path / "full")
    code, duration = _import_killed(full, bundle, 600)
    assert code == 0
    after = full.check()
    assert after["reports"] == before["reports"] + REPORTS + 1

    rng = random.Random(20201108)
    copies: list[Path] = []
    outcomes = []
    for i in range(KILLS):
        copy = b.copy(tmp_path / f"kill-{i}")
        code, _ = _import_killed(copy, bundle, rng.uniform(0, duration * 1.1))
        outcomes.append(code)
        copies.append(copy.path / "vigil.sqlite3")
    assert outcomes.count(-signal.SIGKILL) >= KILLS // 2  # most kills landed inside the import

    checked = b.run(
        "shell", "-c", f"exec(open({str(CHECKER)!r}).read())", CHECK_COPIES="\n".join(map(str, copies))
    )
    rows = [json.loads(line[5:]) for line in checked.stdout.splitlines() if line.startswith("COPY ")]
    assert len(rows) == KILLS
    whole = partial = 0
    for row in rows:
        assert row["integrity"] == "ok" and row["audit_problems"] == 0, row
        state = (row["reports"], row["detentions"], row["changes"], row["acks"])
        if state == (before["reports"], before["detentions"], before["changes"], before["acks"]):
            partial += 1
        else:
            assert state == (after["reports"], after["detentions"], after["changes"], after["acks"]), row
            whole += 1
    assert partial > 0  # some kills did interrupt the transaction

    # A killed copy finishes the import later and ends exactly like the uninterrupted one.
    interrupted = next(
        Instance("vilnius", p.parent, b.passphrase)
        for p, r in zip(copies, rows)
        if r["reports"] == before["reports"]
    )
    interrupted.run("sync", "import", str(bundle))
    finished = interrupted.check()
    assert {k: finished[k] for k in ("reports", "detentions", "changes", "have", "acks", "evidence")} == {
        k: after[k] for k in ("reports", "detentions", "changes", "have", "acks", "evidence")
    }
    assert "audit log intact" in interrupted.run("audit", "verify").stdout
