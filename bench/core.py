"""Benchmarks of the core against the targets of issues 3 and 6: printed, never asserted.

    .venv/bin/python bench/core.py                    # everything, 100,000 detentions, PostgreSQL included
    .venv/bin/python bench/core.py --quick            # smoke run: 5,000 detentions, 5 s of load
    .venv/bin/python bench/core.py --sizes 20000,100000 --skip-postgres --skip-intake

1. ``vigil demo --no-serve`` wall time in a fresh data directory, SQLCipher and plain SQLite.
2. One event with N detentions, built from the demo generator scaled up (see ``--build``), then the event
   page (Django test client, logged in as a coordinator, median of 5 after a warm-up) and
   ``vigil figures EVENT --json`` (subprocess wall time, median of 3 after a warm-up) on SQLCipher, plain
   SQLite and PostgreSQL (database ``vigil_bench``, dropped and created afresh).
3. Intake under load: ``vigil serve`` (waitress) with a fresh data directory, concurrent logged-in clients
   (``bench/_load.py``) posting distinct forms at a fixed rate, then flat out; afterwards the database is
   checked against what the clients were told: every saved report stored exactly once, nothing else stored.

Every measurement runs in its own process with its own fresh ``VIGIL_DATA_DIR`` (settings are read from the
environment at start-up), which the script deletes afterwards; servers are stopped on exit.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

VENV_BIN = Path(sys.executable).parent
VIGIL = str(VENV_BIN / "vigil") if (VENV_BIN / "vigil").exists() else "vigil"
PASSPHRASE = "benchmark passphrase: protects only synthetic benchmark data"
PG_NAME = "vigil_bench"
EVENT = "2020-11-08-march"  # the generator's parent event; its parts are the city marches
UUID_NAMESPACE = "6b0f5a2e-4f1c-4c53-9d0e-2a7f1b9c3d10"

TARGETS = {
    "demo": 60.0,  # s
    "page": 1.0,  # s
    "figures": 1.0,  # s
    "intake_rate": 50.0,  # posts/s
    "intake_p95": 0.300,  # s
    "encryption_cost": 0.50,  # at most +50 %
}


# ----------------------------------------------------------------------------------------- environment
# Experiments with database settings the application does not expose (``--conn-max-age``, ``--db-init``):
# applied through a settings module written into the run's data directory, never by editing src/.
OVERRIDES: dict[str, str] = {}


def _settings_shim(data_dir: Path) -> str:
    lines = ["from vigil.settings import *  # noqa: F403", "", "_db = DATABASES['default']  # noqa: F405"]
    if "conn_max_age" in OVERRIDES:
        lines.append(f"_db['CONN_MAX_AGE'] = {int(OVERRIDES['conn_max_age'])}")
    if "db_init" in OVERRIDES:
        lines += [
            "if _db['ENGINE'] != 'django.db.backends.postgresql':",
            "    _options = _db.setdefault('OPTIONS', {})",
            f"    _options['init_command'] = (_options.get('init_command', '') + ' ' + {OVERRIDES['db_init']!r}).strip()",
        ]
    (data_dir / "vigil_bench_settings.py").write_text("\n".join(lines) + "\n")
    return "vigil_bench_settings"


def config_env(config: str, data_dir: Path) -> dict[str, str]:
    """The environment of one configuration: 'sqlcipher', 'sqlite' (VIGIL_ENCRYPT=0) or 'postgres'."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("VIGIL_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        VIGIL_DATA_DIR=str(data_dir),
        VIGIL_PASSPHRASE=PASSPHRASE,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])),
        PYTHONUNBUFFERED="1",
    )
    if config == "sqlite":
        env["VIGIL_ENCRYPT"] = "0"
    elif config == "postgres":
        env.update(VIGIL_DB="postgres", VIGIL_PG_NAME=PG_NAME)
    elif config != "sqlcipher":
        raise ValueError(f"unknown configuration {config!r}")
    if OVERRIDES:
        env["DJANGO_SETTINGS_MODULE"] = _settings_shim(data_dir)
        env["PYTHONPATH"] = os.pathsep.join([str(data_dir), env["PYTHONPATH"]])
    return env


@contextmanager
def fresh_data_dir(label: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"vigil-bench-{label}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def fresh_postgres() -> None:
    for sql in (f"DROP DATABASE IF EXISTS {PG_NAME}", f"CREATE DATABASE {PG_NAME}"):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
            check=True,
            capture_output=True,
        )


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
    except OSError:
        return False
    return shutil.which("psql") is not None


def run_worker(mode: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run ``core.py --worker MODE`` in a child process with ``env``; its last stdout line is JSON."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", mode, *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-6000:])
        raise RuntimeError(f"worker {mode} failed with exit code {proc.returncode}")
    for line in proc.stderr.splitlines():
        if line.startswith("[worker]"):
            print("   " + line)
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, proc


def note(text: str) -> None:
    print(text, flush=True)


# ------------------------------------------------------------------------------------------ 1. the demo
def bench_demo(config: str) -> dict[str, Any]:
    with fresh_data_dir(f"demo-{config}") as data_dir:
        env = config_env(config, data_dir)
        seconds, proc = timed([VIGIL, "demo", "--no-serve"], env)
        if proc.returncode != 0:
            raise RuntimeError(f"vigil demo failed: {proc.stderr[-2000:]}")
        built = next(
            (ln for ln in proc.stdout.splitlines() if ln.startswith("SYNTHETIC demo data built")), ""
        )
        return {"seconds": seconds, "summary": built}


# --------------------------------------------------------------------------------- 2. a big event
def bench_event(config: str, size: int, build: str, check_size: int) -> dict[str, Any]:
    with fresh_data_dir(f"event-{config}") as data_dir:
        if config == "postgres":
            fresh_postgres()
        env = config_env(config, data_dir)
        result = run_worker(
            "event", env, "--size", str(size), "--build", build, "--check-size", str(check_size)
        )
        # `vigil figures` as a user runs it: a fresh process (start-up, unlock, connect, count, print).
        cmd = [VIGIL, "figures", EVENT, "--json"]
        walls = []
        for i in range(4):
            seconds, proc = timed(cmd, env)
            if proc.returncode != 0:
                raise RuntimeError(f"vigil figures failed: {proc.stderr[-2000:]}")
            if i == 0:
                printed = json.loads(proc.stdout)
                if printed["persons"] != result["figures"]["persons"]:
                    raise RuntimeError("vigil figures disagrees with the in-process figures")
            else:
                walls.append(seconds)
        # The same command on an unknown event: start-up, unlock and one tiny query, without the counting.
        startups = [timed([VIGIL, "figures", "no-such-event"], env)[0] for _ in range(2)]
        result["figures_cli"] = statistics.median(walls)
        result["figures_cli_runs"] = walls
        result["cli_startup"] = min(startups)
        # The same command while `vigil serve` runs on this data directory: it answers over its Unix socket.
        server = Server(env, data_dir / "serve.log")
        try:
            server.wait_ready()
            served = []
            for i in range(4):
                seconds, proc = timed(cmd, env)
                if proc.returncode != 0:
                    raise RuntimeError(f"vigil figures (server running) failed: {proc.stderr[-2000:]}")
                if json.loads(proc.stdout) != printed:
                    raise RuntimeError("vigil figures from the server disagrees with the command's own count")
                if i:
                    served.append(seconds)
        finally:
            server.stop()
        result["figures_cli_served"] = statistics.median(served)
        result["figures_cli_served_runs"] = served
        return result


# ------------------------------------------------------------------------------------------ 3. intake
class Server:
    """``vigil serve`` in its own process group, stopped on exit whatever happens."""

    def __init__(self, env: dict[str, str], log: Path, *serve_args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [VIGIL, "serve", "--port", str(self.port), *serve_args],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        atexit.register(self.stop)

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vigil serve exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/login/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("vigil serve did not answer in time")

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process so far (from /proc; 0 where unavailable)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        if not self.log.closed:
            self.log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def intake_names(count: int) -> list[str]:
    """Realistic names, as callers give them, from the demo generator."""
    from vigil.lib.synthetic.generator import generate_world

    names: list[str] = []
    seed = 1
    while len(names) < count:
        world = generate_world(max(200, count // 2), seed=seed)
        names.extend(r.full_name for r in world.reports if r.full_name)
        seed += 1
    return names[:count]


def bench_intake(
    config: str, clients: int, rate: float, seconds: float, flat_seconds: float
) -> dict[str, Any]:

    import _load

    names = intake_names(int(rate * seconds) + 4000)
    with fresh_data_dir(f"intake-{config}") as data_dir:
        env = config_env(config, data_dir)
        prepared = run_worker("intake-prepare", env, "--clients", str(clients))
        note(f"   database settings: {prepared['db']}")
        server = Server(env, data_dir / "serve.log")
        try:
            server.wait_ready()
            users = [(u, p) for u, p in prepared["logins"]]
            sessions = _load.log_in_all(server.url, users)
            counter = {"n": 0}

            def make_form(_: int) -> dict[str, str]:
                i = counter["n"]
                counter["n"] += 1
                return _load.intake_form(i, event=prepared["event"], names=names, caller="bench")

            warm = _load.paced(sessions, make_form, rate=10, seconds=1)
            cpu0, server_cpu0 = _load.cpu_seconds(), server.cpu_seconds()
            paced = _load.paced(sessions, make_form, rate=rate, seconds=seconds)
            cpu1, server_cpu1 = _load.cpu_seconds(), server.cpu_seconds()
            sample = [o.form for o in paced.saved[:: max(1, len(paced.saved) // 25)]][:25]
            resent = _load.resubmit_twice(sessions, sample)
            flat = _load.flat_out(sessions, make_form, seconds=flat_seconds)
            server_cpu2 = server.cpu_seconds()
        finally:
            server.stop()
        everything = warm.outcomes + paced.outcomes + flat.outcomes
        expect = {
            "saved": sorted({o.form["report_uuid"] for o in everything if o.saved}),
            "attempted": sorted({o.form["report_uuid"] for o in everything}),
            "resent": sorted({f["report_uuid"] for f in sample}),
        }
        expect_file = data_dir / "expect.json"
        expect_file.write_text(json.dumps(expect))
        checked = run_worker("intake-verify", env, "--expect", str(expect_file))
        errors: dict[str, int] = {}
        for o in everything + resent:
            if not o.saved:
                key = f"HTTP {o.status}" + (f" {o.error[:60]}" if o.error else "")
                errors[key] = errors.get(key, 0) + 1
        return {
            "clients": clients,
            "offered_rate": rate,
            "paced_posts": len(paced.outcomes),
            "paced_saved": len(paced.saved),
            "paced_rate": paced.rate(),
            "p50": paced.latency(50),
            "p95": paced.latency(95),
            "p99": paced.latency(99),
            "max": paced.latency(100),
            "late_p95": paced.lateness(95),
            "generator_cpu_share": (cpu1 - cpu0) / paced.seconds if paced.seconds else 0.0,
            "server_cpu_share": (server_cpu1 - server_cpu0) / paced.seconds if paced.seconds else 0.0,
            "resent": len(resent),
            "resent_saved": sum(o.saved for o in resent),
            "flat_rate": flat.rate(),
            "flat_p95": flat.latency(95),
            "flat_server_cpu_share": (server_cpu2 - server_cpu1) / flat.seconds if flat.seconds else 0.0,
            "errors": errors,
            "db": checked,
        }


# ------------------------------------------------------------------------- building a big event (worker)
# Everything below runs inside a worker process, after django.setup().
PENDING = {"pending", "held_until_trial", "released_pending_trial", "unknown", ""}
CHUNK = 2000  # reports per transaction


class Copy:
    """Where one copy of a generated world goes: its event slugs, source names and report UUIDs.

    The main build keeps the generator's slugs, names and UUIDs; the bulk-path check loads the same small
    world twice, once per path, under prefixed slugs and source names and derived UUIDs, into one database.
    """

    def __init__(self, prefix: str = "") -> None:
        import uuid

        self.prefix = prefix
        self._ns = uuid.UUID(UUID_NAMESPACE)

    def slug(self, slug: str) -> str:
        return self.prefix + slug

    def source_name(self, name: str) -> str:
        return self.prefix + name

    def uuid(self, record_id: str) -> Any:
        import uuid

        return uuid.UUID(record_id) if not self.prefix else uuid.uuid5(self._ns, self.prefix + record_id)


def world_for(size: int) -> tuple[Any, list[Any]]:
    """The generator's world scaled so that the parent event gets ``size`` detention reports; the reports
    in generator order up to that many in the event (reports outside any event come along)."""
    from vigil.lib.synthetic.generator import generate_world

    n = max(50, int(size / 2.45) + 50)
    while True:
        world = generate_world(n, seed=20201108)
        picked, in_event = [], 0
        for rep in world.reports:
            if in_event == size:
                break
            picked.append(rep)
            in_event += rep.event_slug is not None
        if in_event == size:
            return world, picked
        n = int(n * 1.1) + 10


def _people() -> tuple[Any, Any]:
    from vigil.accounts.models import Role, User
    from vigil.demo.load import ensure_demo_users

    ensure_demo_users()
    return User.objects.get(username=f"demo-{Role.COORDINATOR}"), User.objects.get(
        username=f"demo-{Role.LAWYER}"
    )


def _events(world: Any, copy: Copy, actor: Any) -> dict[str, Any]:
    from vigil.records.operations import create_event

    events: dict[str, Any] = {}
    for ev in sorted(world.events, key=lambda e: e.parent is not None):
        events[ev.slug] = create_event(
            slug=copy.slug(ev.slug),
            name=ev.name_en,
            name_ru=ev.name_ru,
            name_be=ev.name_be,
            date=ev.date,
            city=ev.city,
            parent=events.get(ev.parent) if ev.parent else None,
            actor=actor,
            is_synthetic=True,
        )
    return events


def _detention_input(rep: Any, events: dict[str, Any]) -> Any:
    """Exactly what ``vigil.demo.load.load_demo`` passes to record_detention for a generated report."""
    from vigil.demo.load import MINSK
    from vigil.records.operations import DetentionInput

    detained_at = rep.detained_at
    if detained_at and detained_at.tzinfo is None:
        detained_at = detained_at.replace(tzinfo=MINSK)
    return DetentionInput(
        detained_on=rep.detained_on,
        city=rep.city_canonical,
        full_name=rep.full_name,
        head_count=1 if rep.person_id else rep.head_count,
        birth_date=rep.birth_date,
        birth_year=rep.birth_year if not rep.birth_date else rep.birth_date.year,
        sex=rep.sex,
        event=events.get(rep.event_slug) if rep.event_slug else None,
        detained_at=detained_at,
        place=rep.place,
        unit=rep.unit,
        held_at=rep.held_at,
        injuries=rep.injuries,
    )


def _sources(reports: list[Any], actor: Any, copy: Copy) -> dict[tuple[str, str], Any]:
    from vigil.records.models import SourceKind
    from vigil.records.operations import SourceInput, get_or_create_source

    sources: dict[tuple[str, str], Any] = {}
    for rep in reports:
        key = (rep.source, rep.source_name)
        if key not in sources:
            kind = rep.source if rep.source in SourceKind.values else SourceKind.OTHER
            sources[key] = get_or_create_source(
                SourceInput(kind=kind, name=copy.source_name(rep.source_name), reliability="C"),
                actor,
                is_synthetic=True,
            )
    return sources


def _first(detentions: list[Any]) -> Any:
    return min(detentions, key=lambda d: (d.detained_on, d.pk)) if detentions else None


def load_by_operations(world: Any, reports: list[Any], copy: Copy) -> dict[str, int]:
    """The reference path: record_detention and the case operations, as ``load_demo`` calls them, with one
    transaction per CHUNK reports (allegations and evidence files are left out: no figure reads them)."""
    from collections import defaultdict
    from decimal import Decimal

    from django.db import transaction

    from vigil.cases.operations import open_case, record_decision, record_hearing
    from vigil.records.operations import record_detention

    actor, lawyer = _people()
    events = _events(world, copy, actor)
    detentions_of: dict[str, list[Any]] = defaultdict(list)
    sources: dict[tuple[str, str], Any] = {}
    for start in range(0, len(reports), CHUNK):
        with transaction.atomic():
            chunk = reports[start : start + CHUNK]
            sources.update(
                _sources([r for r in chunk if (r.source, r.source_name) not in sources], actor, copy)
            )
            for rep in chunk:
                result = record_detention(
                    data=_detention_input(rep, events),
                    source=sources[(rep.source, rep.source_name)],
                    actor=actor,
                    report_uuid=copy.uuid(rep.record_id),
                    raw_text=rep.raw_text,
                    is_synthetic=True,
                )
                if rep.person_id:
                    detentions_of[rep.person_id].append(result.detention)
    case_of: dict[str, Any] = {}
    decisions = 0
    for start in range(0, len(world.decisions), CHUNK):
        with transaction.atomic():
            for dec in world.decisions[start : start + CHUNK]:
                detention = _first(detentions_of.get(dec.person_id, []))
                if detention is None:
                    continue
                case = case_of.get(dec.person_id)
                if case is None:
                    case = case_of[dec.person_id] = open_case(
                        detention,
                        kind="admin",
                        article=dec.article,
                        court=dec.court,
                        judge=dec.judge,
                        actor=lawyer,
                        lawyer=lawyer,
                    )
                    record_hearing(
                        case, held_on=dec.hearing_on, court=dec.court, judge=dec.judge, actor=lawyer
                    )
                if dec.outcome in PENDING:
                    continue
                record_decision(
                    case,
                    decided_on=dec.hearing_on,
                    outcome=dec.outcome,
                    actor=lawyer,
                    fine_base_units=Decimal(dec.fine_base_units) if dec.fine_base_units else None,
                    arrest_days=dec.arrest_days,
                )
                decisions += 1
    return {"reports": len(reports), "cases": len(case_of), "decisions": decisions}


def _case_plan(
    world: Any, detentions_of: dict[str, list[Any]]
) -> tuple[dict[str, tuple[Any, Any]], list[tuple[str, Any]]]:
    """What ``load_demo`` makes of the generator's decisions: per person with a detention, a case on the
    first one, opened with the first decision's article, court and judge (and a hearing on its day); the
    decisions in order, less the pending ones."""
    opened: dict[str, tuple[Any, Any]] = {}
    decided: list[tuple[str, Any]] = []
    for dec in world.decisions:
        detention = _first(detentions_of.get(dec.person_id, []))
        if detention is None:
            continue
        opened.setdefault(dec.person_id, (detention, dec))
        if dec.outcome not in PENDING:
            decided.append((dec.person_id, dec))
    return opened, decided


def load_by_bulk_operations(world: Any, reports: list[Any], copy: Copy) -> dict[str, int]:
    """The same world through the product's bulk write operations: ``record_detentions`` for the reports,
    then ``open_cases``, ``record_hearings`` and ``record_decisions``, a transaction per CHUNK reports or
    cases. They write what the one-by-one operations write: rows, audit chain, replication change log and
    global ids."""
    from collections import defaultdict
    from decimal import Decimal

    from django.db import transaction

    from vigil.cases.operations import (
        CaseEntry,
        DecisionEntry,
        HearingEntry,
        open_cases,
        record_decisions,
        record_hearings,
    )
    from vigil.records.operations import DetentionEntry, record_detentions

    actor, lawyer = _people()
    events = _events(world, copy, actor)
    sources = _sources(reports, actor, copy)
    detentions_of: dict[str, list[Any]] = defaultdict(list)
    for start in range(0, len(reports), CHUNK):
        chunk = reports[start : start + CHUNK]
        entries = [
            DetentionEntry(
                data=_detention_input(rep, events),
                source=sources[(rep.source, rep.source_name)],
                report_uuid=copy.uuid(rep.record_id),
                raw_text=rep.raw_text,
                is_synthetic=True,
            )
            for rep in chunk
        ]
        for rep, result in zip(chunk, record_detentions(entries, actor=actor), strict=True):
            if isinstance(result, Exception):
                raise result
            if rep.person_id:
                detentions_of[rep.person_id].append(result.detention)
    opened, decided = _case_plan(world, detentions_of)
    persons = list(opened)
    n_decisions = 0
    for start in range(0, len(persons), CHUNK):
        chunk_persons = persons[start : start + CHUNK]
        with transaction.atomic():
            firsts = [opened[p][1] for p in chunk_persons]
            cases = open_cases(
                [
                    CaseEntry(
                        opened[p][0],
                        kind="admin",
                        article=dec.article,
                        court=dec.court,
                        judge=dec.judge,
                        lawyer=lawyer,
                    )
                    for p, dec in zip(chunk_persons, firsts, strict=True)
                ],
                actor=lawyer,
            )
            case_of = dict(zip(chunk_persons, cases, strict=True))
            record_hearings(
                [
                    HearingEntry(case, held_on=dec.hearing_on, court=dec.court, judge=dec.judge)
                    for case, dec in zip(cases, firsts, strict=True)
                ],
                actor=lawyer,
            )
            made = record_decisions(
                [
                    DecisionEntry(
                        case_of[p],
                        decided_on=dec.hearing_on,
                        outcome=dec.outcome,
                        fine_base_units=Decimal(dec.fine_base_units) if dec.fine_base_units else None,
                        arrest_days=dec.arrest_days,
                    )
                    for p, dec in decided
                    if p in case_of
                ],
                actor=lawyer,
            )
            n_decisions += len(made)
    return {"reports": len(reports), "cases": len(persons), "decisions": n_decisions}


def _projection(copy: Copy, uuids: dict[Any, str]) -> dict[str, Any]:
    """What a copy holds, without ids, UUIDs, timestamps or slugs: comparable between the two copies."""
    from vigil.cases.models import Case
    from vigil.records.models import Detention

    def unslug(value: Any) -> Any:
        return (
            value[len(copy.prefix) :] if isinstance(value, str) and value.startswith(copy.prefix) else value
        )

    detentions = []
    qs = Detention.objects.filter(report__uuid__in=list(uuids)).select_related(
        "report__source", "identity", "event"
    )
    for d in qs.prefetch_related("whereabouts"):
        payload = dict(d.report.payload, event=unslug(d.report.payload.get("event")))
        ident = d.identity
        detentions.append(
            json.dumps(
                [
                    uuids[d.report.uuid],
                    d.report.kind,
                    payload,
                    d.report.raw_text,
                    d.report.submitted_by_id,
                    d.report.source.kind,
                    d.report.source.name[len(copy.prefix) :],
                    d.report.is_synthetic,
                    d.head_count,
                    unslug(d.event.slug) if d.event else None,
                    d.detained_at,
                    d.detained_on,
                    d.city,
                    d.place,
                    d.unit,
                    d.injuries,
                    d.is_synthetic,
                    d.person_id is not None,
                    [
                        ident.full_name,
                        ident.birth_date,
                        ident.birth_year,
                        ident.sex,
                        ident.home_city,
                        ident.search_keys,
                    ]
                    if ident
                    else None,
                    [
                        [
                            w.facility,
                            w.since == d.detained_at if d.detained_at else None,
                            w.report_id == d.report_id,
                        ]
                        for w in d.whereabouts.all()
                    ],
                ],
                default=str,
                sort_keys=True,
            )
        )
    cases = []
    for c in Case.objects.filter(detention__report__uuid__in=list(uuids)).select_related("detention__report"):
        cases.append(
            json.dumps(
                [
                    uuids[c.detention.report.uuid],
                    c.kind,
                    c.number,
                    c.court,
                    c.judge,
                    c.lawyer_id,
                    sorted([ch.code, ch.article, ch.part, ch.report.kind] for ch in c.charges.all()),
                    sorted([h.held_on, h.court, h.judge, h.report.payload] for h in c.hearings.all()),
                    sorted(
                        [
                            x.sequence,
                            x.decided_on,
                            x.outcome,
                            x.fine_base_units,
                            x.fine_byn,
                            x.arrest_days,
                            x.report.payload,
                        ]
                        for x in c.decisions.all()
                    ),
                    sorted(
                        [r.kind, r.content_hash == "", r.is_synthetic, r.source_id] for r in c.reports.all()
                    ),
                ],
                default=str,
                sort_keys=True,
            ).replace(f'"case": {c.pk}', '"case": CASE')
        )
    return {"detentions": sorted(detentions), "cases": sorted(cases)}


def _table_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        m._meta.db_table: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }


def check_bulk_path(persons: int) -> dict[str, Any]:
    """Load one small world through the one-by-one write operations (as ``load_demo`` calls them) and through
    the bulk operations (as the big build calls them) into this database and compare: rows added to every
    table (the replication change log and global ids included), the rows themselves (less ids, UUIDs and
    timestamps), the figures, the audit actions, an intact audit chain, and that resubmitting bulk-written
    reports through record_detention stores nothing. The tests of the operations compare them on their own
    inputs; this checks the benchmark's use of them on the generator's world."""
    from collections import Counter

    from vigil.audit.log import verify
    from vigil.audit.models import AuditEntry
    from vigil.figures.counting import event_figures
    from vigil.lib.synthetic.generator import generate_world
    from vigil.records.models import Event
    from vigil.records.operations import ReportConflictError, actor_source, record_detention
    from vigil.replication.log import sync_state

    world = generate_world(persons, seed=7)
    reports = world.reports
    _actor, lawyer = _people()
    # Made by whichever path writes first, shared by both copies: made before counting.
    actor_source(lawyer, is_synthetic=True)  # the lawyer's own source
    sync_state()  # this instance's one row of replication state
    counts = [Counter(AuditEntry.objects.values_list("action", flat=True))]
    tables = [_table_counts()]
    by_ops, in_bulk = Copy("opscheck-"), Copy("bulkcheck-")
    load_by_operations(world, reports, by_ops)
    counts.append(Counter(AuditEntry.objects.values_list("action", flat=True)))
    tables.append(_table_counts())
    load_by_bulk_operations(world, reports, in_bulk)
    counts.append(Counter(AuditEntry.objects.values_list("action", flat=True)))
    tables.append(_table_counts())
    differences: list[str] = []
    for table in sorted(tables[0]):
        by_op_rows, bulk_rows = tables[1][table] - tables[0][table], tables[2][table] - tables[1][table]
        if by_op_rows != bulk_rows:
            differences.append(f"{table} +{by_op_rows} by the operations, +{bulk_rows} in bulk")
    ops_actions = {a: counts[1][a] - counts[0][a] for a in counts[1]}
    bulk_actions = {a: counts[2][a] - counts[1][a] for a in counts[2]}
    if ops_actions != bulk_actions:
        differences.append(f"audit actions {ops_actions} vs {bulk_actions}")
    a = _projection(by_ops, {by_ops.uuid(r.record_id): r.record_id for r in reports})
    b = _projection(in_bulk, {in_bulk.uuid(r.record_id): r.record_id for r in reports})
    for part in ("detentions", "cases"):
        if a[part] != b[part]:
            diff = (
                next((x, y) for x, y in zip(a[part], b[part]) if x != y)
                if len(a[part]) == len(b[part])
                else None
            )
            differences.append(f"{part}: {len(a[part])} vs {len(b[part])} rows; first difference {diff}")
    fa = event_figures(Event.objects.get(slug=by_ops.slug(EVENT)))
    fb = event_figures(Event.objects.get(slug=in_bulk.slug(EVENT)))
    for key in ("event", "event_name"):
        fa.pop(key), fb.pop(key)
    if fa != fb:
        differences.append(f"figures {fa} vs {fb}")
    problems = verify()
    if problems:
        differences.append(f"audit chain: {problems[:3]}")
    events = {e.slug[len(in_bulk.prefix) :]: e for e in Event.objects.filter(slug__startswith=in_bulk.prefix)}
    stored_again = 0
    for rep in reports[:: max(1, len(reports) // 20)]:
        try:
            result = record_detention(
                data=_detention_input(rep, events),
                source=_sources([rep], None, in_bulk)[(rep.source, rep.source_name)],
                actor=None,
                report_uuid=in_bulk.uuid(rep.record_id),
                raw_text=rep.raw_text,
                is_synthetic=True,
            )
        except ReportConflictError:
            stored_again += 1
        else:
            stored_again += result.created
    if stored_again:
        differences.append(f"{stored_again} bulk reports were stored again when resubmitted")
    return {
        "reports": len(reports),
        "same": not differences,
        "differences": differences,
        "not_mirrored": [],  # kept for readers of --json-out: the bulk path now leaves no table out
        "tables": sum(1 for t in tables[0] if tables[1][t] != tables[0][t]),
    }


def build_event(size: int, build: str) -> dict[str, Any]:
    from vigil.records.models import Detention, Event, Person, Report

    started = time.perf_counter()
    world, reports = world_for(size)
    generated = time.perf_counter() - started
    loader = load_by_bulk_operations if build == "bulk" else load_by_operations
    counts = loader(world, reports, Copy())
    event = Event.objects.get(slug=EVENT)
    in_event = Detention.objects.for_event(event).count()
    print(
        f"[worker] generated {len(reports):,} reports in {generated:.1f} s, loaded {counts}", file=sys.stderr
    )
    return {
        "path": f"bulk write operations (record_detentions, open_cases, ...; a transaction per {CHUNK})"
        if build == "bulk"
        else f"write operations (record_detention, open_case, ...; one transaction per {CHUNK} reports)",
        "generate_seconds": generated,
        "event_detentions": in_event,
        "reports": Report.objects.filter(kind="detention").count(),
        "persons": Person.objects.filter(detentions__event__in=event.with_parts_ids()).distinct().count(),
        **{k: v for k, v in counts.items() if k != "reports"},
    }


def time_event(slug: str) -> dict[str, Any]:
    """The event page through the Django test client (median of 5 after a warm-up), the queries of one
    more request, and event_figures() in process (median of 5)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vigil.accounts.models import Role, User
    from vigil.figures.counting import event_figures
    from vigil.records.models import Event

    # A coordinator who has passed two-factor sign-in (a confirmed TOTP device in the session).
    coordinator = User.objects.get(username=f"demo-{Role.COORDINATOR}")
    device = TOTPDevice.objects.create(user=coordinator, name="bench", confirmed=True)
    client = Client()
    client.force_login(coordinator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = reverse("event_detail", args=[slug])
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"event page answered {response.status_code} {response.get('Location', '')}")
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(url)
        runs.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries: list[dict[str, Any]] = sorted(
        ({"seconds": float(q["time"]), "sql": q["sql"]} for q in captured.captured_queries),
        key=lambda q: -q["seconds"],
    )
    explain: list[str] = []
    if queries:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        try:
            with connection.cursor() as cur:
                cur.execute(prefix + queries[0]["sql"])
                explain = [" ".join(str(c) for c in row) for row in cur.fetchall()]
        except Exception as exc:  # noqa: BLE001 - a plan is a diagnostic, never a failure
            explain = [f"(no plan: {exc})"]
    event = Event.objects.get(slug=slug)
    figure_runs = []
    for _ in range(5):
        started = time.perf_counter()
        figures = event_figures(event)
        figure_runs.append(time.perf_counter() - started)
    return {
        "page": statistics.median(runs),
        "page_runs": runs,
        "page_queries": len(queries),
        "page_query_seconds": sum(q["seconds"] for q in queries),
        "slowest_queries": queries[:5],
        "explain": explain,
        "figures": {
            "seconds": statistics.median(figure_runs),
            "persons": figures["persons"],
            "detentions": figures["detentions"],
            "unnamed_head_count": figures["unnamed_head_count"],
        },
    }


# ---------------------------------------------------------------------------------- worker processes
def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()


def worker_event(size: int, build: str, check_size: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate = time.perf_counter() - started
    check: dict[str, Any] = {}
    if check_size:
        started = time.perf_counter()
        check = check_bulk_path(check_size)
        check["seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    built = build_event(size, build)
    build_seconds = time.perf_counter() - started
    timing = time_event(EVENT)
    print(f"[worker] database settings: {_db_settings()}", file=sys.stderr)
    return {"migrate": migrate, "check": check, "build": built, "build_seconds": build_seconds, **timing}


def _db_settings() -> dict[str, Any]:
    from django.conf import settings

    db: dict[str, Any] = dict(settings.DATABASES["default"])
    return {
        "engine": db["ENGINE"],
        "conn_max_age": db.get("CONN_MAX_AGE", 0),
        "init_command": db.get("OPTIONS", {}).get("init_command", ""),
    }


def worker_intake_prepare(clients: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from vigil.accounts.models import Role, User
    from vigil.records.operations import create_event

    call_command("migrate", interactive=False, verbosity=0)
    logins = []
    for i in range(clients):
        password = secrets.token_urlsafe(12)
        user = User(username=f"bench-volunteer-{i}", role=Role.VOLUNTEER)
        user.set_password(password)
        user.save()
        logins.append((user.username, password))
    import datetime as dt

    coordinator = User.objects.create(username="bench-coordinator", role=Role.COORDINATOR)
    event = create_event(
        slug="bench-intake",
        name="SYNTHETIC intake benchmark",
        date=dt.date(2020, 11, 8),
        actor=coordinator,
        is_synthetic=True,
    )
    return {"logins": logins, "event": event.pk, "db": _db_settings()}


def worker_intake_verify(expect_path: str) -> dict[str, Any]:
    _django()
    from django.db.models import Count

    from vigil.audit.log import verify
    from vigil.records.models import Detention, Report, ReportConflict

    expect = json.loads(Path(expect_path).read_text())
    saved, attempted, resent = set(expect["saved"]), set(expect["attempted"]), set(expect["resent"])
    reports = Report.objects.filter(kind="detention")
    stored = {str(u) for u in reports.values_list("uuid", flat=True)}
    duplicates = reports.values("uuid").annotate(n=Count("id")).filter(n__gt=1).count()
    per_resent = dict(
        Report.objects.filter(uuid__in=list(resent))
        .values_list("uuid")
        .annotate(n=Count("id"))
        .values_list("uuid", "n")
    )
    return {
        "reports": reports.count(),
        "distinct_uuids": len(stored),
        "duplicate_uuids": duplicates,
        "detentions": Detention.objects.filter(report__kind="detention").count(),
        "saved_but_missing": len(saved - stored),
        "stored_but_not_saved": len(stored - saved),
        "stored_but_never_sent": len(stored - attempted),
        "resent_stored_more_than_once": sum(1 for n in per_resent.values() if n != 1),
        "conflicts": ReportConflict.objects.count(),
        "audit_problems": len(verify()),
    }


# ---------------------------------------------------------------------------------------------- report
def fmt_s(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def summarise(results: dict[str, Any]) -> None:
    rows: list[tuple[str, str, str, str]] = [("measure", "value", "target", "")]
    for config, r in results.get("demo", {}).items():
        rows.append(
            (f"vigil demo --no-serve [{config}]", fmt_s(r["seconds"]), "< 60 s", verdict(r["seconds"] < 60))
        )
    for key, r in results.get("event", {}).items():
        rows.append((f"event page, {key}", fmt_s(r["page"]), "< 1 s", verdict(r["page"] < 1)))
        rows.append(
            (f"vigil figures --json, {key}", fmt_s(r["figures_cli"]), "< 1 s", verdict(r["figures_cli"] < 1))
        )
        rows.append((f"  of which start-up+unlock, {key}", fmt_s(r["cli_startup"]), "", ""))
        rows.append(
            (
                f"vigil figures --json, vigil serve running, {key}",
                fmt_s(r["figures_cli_served"]),
                "< 1 s",
                verdict(r["figures_cli_served"] < 1),
            )
        )
        rows.append((f"  event_figures() in process, {key}", fmt_s(r["figures"]["seconds"]), "", ""))
    for config, r in results.get("intake", {}).items():
        rows.append(
            (
                f"intake achieved rate [{config}]",
                f"{r['paced_rate']:.1f}/s",
                ">= 50/s",
                verdict(r["paced_rate"] >= 0.98 * TARGETS["intake_rate"]),
            )
        )
        rows.append(
            (
                f"intake p50/p95/p99 [{config}]",
                f"{fmt_s(r['p50'])} / {fmt_s(r['p95'])} / {fmt_s(r['p99'])}",
                "p95 < 300 ms",
                verdict(r["p95"] < 0.3),
            )
        )
        db = r["db"]
        intact = (
            db["saved_but_missing"] == 0
            and db["duplicate_uuids"] == 0
            and db["stored_but_never_sent"] == 0
            and db["resent_stored_more_than_once"] == 0
            and db["detentions"] == db["reports"]
        )
        rows.append(
            (
                f"intake none lost / stored twice [{config}]",
                f"{db['reports']} stored, {db['saved_but_missing']} lost, {db['duplicate_uuids']} dup",
                "0 lost, 0 twice",
                verdict(intact),
            )
        )
        rows.append(
            (
                f"intake flat-out throughput [{config}]",
                f"{r['flat_rate']:.1f}/s ({r['clients']} clients)",
                "",
                "",
            )
        )
    enc, plain = results.get("intake", {}).get("sqlcipher"), results.get("intake", {}).get("sqlite")
    if enc and plain and plain["flat_rate"]:
        cost = plain["flat_rate"] / enc["flat_rate"] - 1 if enc["flat_rate"] else float("inf")
        rows.append(
            ("encryption cost: intake throughput", f"{cost * 100:+.0f} %", "<= +50 %", verdict(cost <= 0.5))
        )
        cost = enc["p95"] / plain["p95"] - 1
        rows.append(("encryption cost: intake p95 at 50/s", f"{cost * 100:+.0f} %", "", ""))
    for size in sorted({int(k.split()[0]) for k in results.get("event", {})}):
        enc, plain = results["event"].get(f"{size} [sqlcipher]"), results["event"].get(f"{size} [sqlite]")
        if enc and plain:
            cost = enc["figures_cli"] / plain["figures_cli"] - 1
            rows.append(
                (
                    f"encryption cost: vigil figures, {size}",
                    f"{cost * 100:+.0f} %",
                    "<= +50 %",
                    verdict(cost <= 0.5),
                )
            )
            cost = enc["figures"]["seconds"] / plain["figures"]["seconds"] - 1
            rows.append((f"encryption cost: event_figures(), {size}", f"{cost * 100:+.0f} %", "", ""))
    demo = results.get("demo", {})
    if "sqlcipher" in demo and "sqlite" in demo:
        cost = demo["sqlcipher"]["seconds"] / demo["sqlite"]["seconds"] - 1
        rows.append(("encryption cost: vigil demo", f"{cost * 100:+.0f} %", "", ""))
    print()
    print_table(rows)


def print_event_details(key: str, r: dict[str, Any]) -> None:
    b = r["build"]
    note(
        f"   built {b['event_detentions']:,} detentions of event {EVENT} ({b['reports']:,} reports, {b['persons']:,} "
        f"persons, {b['cases']:,} cases, {b['decisions']:,} decisions) by the {b['path']} path in {r['build_seconds']:.1f} s"
    )
    check = r.get("check") or {}
    if check:
        note(
            f"   bulk path check ({check['reports']} reports, {check['seconds']:.1f} s): "
            + (
                f"same rows added to each of the {check['tables']} tables, same figures and audit actions as the "
                "one-by-one write operations"
                if check["same"]
                else "DIFFERS: " + "; ".join(check["differences"])
            )
        )
        if check.get("not_mirrored"):
            note(
                "   not written by the bulk path (no page or figure reads them): "
                + "; ".join(check["not_mirrored"])
            )
    page = ", ".join(fmt_s(s) for s in r["page_runs"])
    note(
        f"   page {fmt_s(r['page'])} (runs {page}; {r['page_queries']} queries, {fmt_s(r['page_query_seconds'])} in SQL)"
    )
    note(
        f"   vigil figures wall {fmt_s(r['figures_cli'])} (runs {', '.join(fmt_s(s) for s in r['figures_cli_runs'])}); "
        f"start-up alone {fmt_s(r['cli_startup'])}; event_figures() {fmt_s(r['figures']['seconds'])}; "
        f"with vigil serve running {fmt_s(r['figures_cli_served'])} "
        f"(runs {', '.join(fmt_s(s) for s in r['figures_cli_served_runs'])})"
    )
    note("   slowest queries of the page:")
    for q in r["slowest_queries"]:
        note(f"     {fmt_s(q['seconds']):>8}  {q['sql'][:220]}")
    if r.get("explain"):
        note("   plan of the slowest: " + " | ".join(r["explain"])[:900])


def print_intake_details(config: str, r: dict[str, Any]) -> None:
    note(
        f"   paced: {r['paced_saved']}/{r['paced_posts']} saved at {r['paced_rate']:.1f}/s offered {r['offered_rate']:.0f}/s, "
        f"p50 {fmt_s(r['p50'])} p95 {fmt_s(r['p95'])} p99 {fmt_s(r['p99'])} max {fmt_s(r['max'])}, sends late p95 "
        f"{fmt_s(r['late_p95'])}; load generator CPU {r['generator_cpu_share'] * 100:.0f} % of a core, server "
        f"{r['server_cpu_share'] * 100:.0f} %"
    )
    note(f"   resent {r['resent']} posts (25 forms twice at once): {r['resent_saved']} answered saved")
    note(
        f"   flat out: {r['flat_rate']:.1f}/s, p95 {fmt_s(r['flat_p95'])}, server CPU {r['flat_server_cpu_share'] * 100:.0f} %"
    )
    if r["errors"]:
        note(f"   not saved: {r['errors']}")
    note(f"   database: {r['db']}")


# ------------------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 5,000 detentions, 5 s of paced load")
    parser.add_argument("--sizes", help="comma-separated event sizes in detentions (default 100000)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-event", action="store_true")
    parser.add_argument("--skip-intake", action="store_true")
    parser.add_argument(
        "--build",
        choices=("bulk", "operations"),
        default="bulk",
        help="bulk: the bulk write operations (record_detentions, open_cases, record_hearings, record_decisions; "
        "checked against the one-by-one operations first); operations: record_detention and the case "
        "operations one by one, a transaction per 2,000 reports",
    )
    parser.add_argument(
        "--check-size", type=int, default=150, help="persons in the bulk-path check (0: skip)"
    )
    parser.add_argument("--clients", type=int, default=10, help="concurrent intake clients")
    parser.add_argument("--rate", type=float, default=50.0, help="offered intake posts per second")
    parser.add_argument("--seconds", type=float, help="paced intake duration (default 20, quick 5)")
    parser.add_argument("--flat-seconds", type=float, help="flat-out intake duration (default 8, quick 3)")
    parser.add_argument("--json-out", help="also write every figure to this JSON file")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="experiment: CONN_MAX_AGE for the database (the app's own setting otherwise)",
    )
    parser.add_argument(
        "--db-init",
        help="experiment: SQL appended to the SQLite/SQLCipher init_command, e.g. 'PRAGMA cache_size=-65536'",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--expect", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        workers: dict[str, Callable[[], dict[str, Any]]] = {
            "event": lambda: worker_event(args.size, args.build, args.check_size),
            "intake-prepare": lambda: worker_intake_prepare(args.clients),
            "intake-verify": lambda: worker_intake_verify(args.expect),
        }
        print(json.dumps(workers[args.worker](), default=str))
        return 0

    if args.conn_max_age is not None:
        OVERRIDES["conn_max_age"] = str(args.conn_max_age)
    if args.db_init:
        OVERRIDES["db_init"] = args.db_init
    if OVERRIDES:
        note(f"Experiment: database settings changed for every run: {OVERRIDES}")
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([5000] if args.quick else [100_000])
    seconds = args.seconds or (5.0 if args.quick else 20.0)
    flat_seconds = args.flat_seconds or (3.0 if args.quick else 8.0)
    configs = ["sqlcipher", "sqlite"]
    event_configs = configs + ([] if args.skip_postgres or not postgres_available() else ["postgres"])
    if not args.skip_postgres and "postgres" not in event_configs:
        note("PostgreSQL is not reachable on 127.0.0.1:5432: skipped")
    note(f"Vigil core benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; sizes {sizes}")
    results: dict[str, Any] = {"demo": {}, "event": {}, "intake": {}}
    if not args.skip_demo:
        for config in configs:
            note(f"1. vigil demo --no-serve [{config}] ...")
            results["demo"][config] = r = bench_demo(config)
            note(f"   {fmt_s(r['seconds'])}: {r['summary']}")
    if not args.skip_event:
        for size in sizes:
            for config in event_configs:
                note(f"2. event with {size:,} detentions [{config}], {args.build} build ...")
                key = f"{size} [{config}]"
                results["event"][key] = r = bench_event(config, size, args.build, args.check_size)
                print_event_details(key, r)
    if not args.skip_intake:
        for config in configs:
            note(
                f"3. intake: {args.clients} clients at {args.rate:.0f}/s for {seconds:.0f} s, then flat out "
                f"{flat_seconds:.0f} s [{config}] ..."
            )
            results["intake"][config] = r = bench_intake(
                config, args.clients, args.rate, seconds, flat_seconds
            )
            print_intake_details(config, r)
    summarise(results)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
