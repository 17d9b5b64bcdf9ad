"""The layer rule: every module under ``vigil.lib`` imports neither Django nor any Vigil app.

Each module is imported in a fresh interpreter whose import system refuses ``django``, ``rest_framework``
and every ``vigil.*`` module outside ``vigil.lib``, so a violation fails here with the module that
broke the rule and the import it tried, whatever order the modules happen to be imported in.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
LIB = SRC / "vigil" / "lib"

# Run in the child: install the guard, then import the modules named on the command line one by one.
CHILD = r"""
import importlib, json, sys

FORBIDDEN = ("django", "rest_framework", "drf_spectacular", "axes", "django_otp", "waitress", "whitenoise")


class Guard:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in FORBIDDEN:
            raise ImportError(f"pure library imports {name}")
        if name.startswith("vigil.") and not (name == "vigil.lib" or name.startswith("vigil.lib.")):
            raise ImportError(f"pure library imports the app module {name}")
        return None


sys.meta_path.insert(0, Guard())
failures = {}
for module in sys.argv[1:]:
    try:
        importlib.import_module(module)
    except ImportError as exc:
        failures[module] = str(exc)
print(json.dumps(failures))
"""


def pure_modules() -> list[str]:
    """Every module and package under src/vigil/lib, by dotted name."""
    names = ["vigil.lib"]
    for info in pkgutil.walk_packages([str(LIB)], prefix="vigil.lib."):
        names.append(info.name)
    return sorted(names)


def test_the_contract_covers_every_pure_library() -> None:
    modules = set(pure_modules())
    for package in ("names", "linkage", "estimate", "crypto", "sync", "importing", "package", "reference"):
        assert f"vigil.lib.{package}" in modules
    assert "vigil.lib.synthetic.world" in modules


def test_no_pure_library_imports_django_or_an_app() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *pure_modules()],
        capture_output=True,
        text=True,
        cwd=SRC,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    failures = json.loads(result.stdout.strip().splitlines()[-1])
    assert failures == {}, "\n".join(f"{module}: {why}" for module, why in sorted(failures.items()))


@pytest.mark.parametrize("forbidden", ["import django", "from vigil.records import models"])
def test_the_guard_catches_a_forbidden_import(tmp_path: Path, forbidden: str) -> None:
    package = tmp_path / "vigil" / "lib"
    package.mkdir(parents=True)
    (tmp_path / "vigil" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "bad.py").write_text(forbidden + "\n")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "vigil.lib.bad"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    failures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(failures) == {"vigil.lib.bad"}
