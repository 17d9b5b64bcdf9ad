"""The environment of every measurement: configurations, data directories, worker processes, servers."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# ----------------------------------------------------------------------------------------- environment
ROOT = Path(__file__).resolve().parents[2]


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
    cmd = [sys.executable, str(ROOT / "bench" / "core.py"), "--worker", mode, *args]
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
