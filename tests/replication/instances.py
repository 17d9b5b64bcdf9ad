"""Separate Vigil instances for tests: each its own VIGIL_DATA_DIR, SQLCipher database and keystore, driven
only through the ``vigil`` command in subprocesses, as an operator would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VIGIL = str(Path(sys.executable).with_name("vigil"))
SEED = Path(__file__).with_name("seed_instance.py")


@dataclass
class Instance:
    name: str
    path: Path
    passphrase: str

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
        env.update(
            VIGIL_DATA_DIR=str(self.path),
            VIGIL_DB="sqlite",
            VIGIL_PASSPHRASE=self.passphrase,
            TMPDIR=str(self.path / "tmp"),
            **extra,
        )
        (self.path / "tmp").mkdir(parents=True, exist_ok=True)
        return env

    def start(self, *args: str, **extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [VIGIL, *args], env=self.env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def init(self) -> subprocess.Popen[str]:
        """Start `vigil init`, as an office sets up its instance (its coordinator's password in a file)."""
        password = self.path / "tmp" / "coordinator-password"
        self.env()  # makes the tmp directory
        password.write_text(f"{self.name} coordinator password for tests")
        return self.start(
            "init", "--coordinator", f"{self.name}-coordinator", "--password-file", str(password)
        )

    def run(
        self, *args: str, check: bool = True, timeout: float = 600, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [VIGIL, *args], env=self.env(**extra), capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"vigil {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}"
            )
        return result

    def seed(self, prefix: str, count: int = 5, extras: bool = False, bulk: bool = False) -> None:
        self.run(
            "shell",
            "-c",
            f"exec(open({str(SEED)!r}).read())",
            SEED_PREFIX=prefix,
            SEED_COUNT=str(count),
            SEED_EXTRAS="1" if extras else "0",
            SEED_BULK="1" if bulk else "0",
            timeout=max(600.0, count * 0.5),
        )

    def check(self) -> dict[str, Any]:
        result = self.run("sync", "check")
        return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    def copy(self, path: Path, name: str | None = None) -> Instance:
        shutil.copytree(self.path, path)
        return Instance(name or self.name, path, self.passphrase)


def together(*procs: subprocess.Popen[str]) -> list[str]:
    """Wait for commands started side by side; their standard outputs, or an AssertionError."""
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise AssertionError(f"{proc.args} failed ({proc.returncode}): {err[-2000:]}")
        outs.append(out)
    return outs


def pair(root: Path) -> tuple[Instance, Instance]:
    """Two new instances, minsk and vilnius, that trust each other."""
    a = Instance("minsk", root / "minsk", "minsk office passphrase for tests")
    b = Instance("vilnius", root / "vilnius", "vilnius office passphrase for tests")
    together(a.init(), b.init())
    ida, idb = (
        out.strip()
        for out in together(
            a.start("sync", "identity", "--name", "minsk"), b.start("sync", "identity", "--name", "vilnius")
        )
    )
    together(a.start("sync", "add-peer", "vilnius", idb), b.start("sync", "add-peer", "minsk", ida))
    return a, b


def without_acks(check: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in check.items() if k not in ("acks", "audit_entries")}
