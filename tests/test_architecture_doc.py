"""docs/architecture.md and the tree agree: the packages it draws exist, and every package is drawn.

No Django here: the page is read as text and the source as files and syntax trees.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "vigil"
DOC = ROOT / "docs" / "architecture.md"


def _tree_block() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The tree", 1)[1]
    return section.split("```", 2)[1].splitlines()


def _drawn(indent: int) -> set[str]:
    """Folder names drawn at one indentation inside the src/vigil/ part of the tree."""
    names: set[str] = set()
    inside = False
    for line in _tree_block():
        if line.startswith("src/vigil/"):
            inside = True
            continue
        if inside and line and not line.startswith(" "):
            break
        match = re.match(rf"^ {{{indent}}}([a-z_]+)/", line)
        if inside and match:
            names.add(match.group(1))
    return names


def _packages(folder: Path) -> set[str]:
    return {
        p.name
        for p in folder.iterdir()
        if p.is_dir() and p.name != "__pycache__" and ((p / "__init__.py").exists() or p.name == "locale")
    }


def test_every_app_and_library_is_drawn_and_nothing_else() -> None:
    assert _drawn(2) == _packages(SRC)


def test_every_pure_library_is_drawn_under_lib() -> None:
    assert _drawn(4) == _packages(SRC / "lib")


def _module(app: str, name: str) -> Path:
    """``app/name.py``, or the package ``app/name/`` when the module has been split into one."""
    package = SRC / app / name
    return package if package.is_dir() else SRC / app / f"{name}.py"


def _defines(module: Path, name: str) -> bool:
    files = sorted(module.glob("*.py")) if module.is_dir() else [module]
    return any(
        isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name
        for path in files
        for node in ast.parse(path.read_text(encoding="utf-8")).body
    )


def test_every_operation_the_page_names_exists_where_it_says() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Where a write goes", 1)[1].split("##", 1)[0]
    checked = 0
    for row in table.splitlines()[3:]:
        module = None
        for ref in re.findall(r"`([a-z_.]+)`", row):
            parts = ref.split(".")
            if len(parts) == 3:
                module, name = _module(parts[0], parts[1]), parts[2]
            elif module is not None and len(parts) == 1:
                name = parts[0]
            else:
                continue
            assert module.exists(), f"{ref}: no module {module.relative_to(ROOT)}"
            assert _defines(module, name), f"{name} is not defined in {module.relative_to(ROOT)}"
            checked += 1
    assert checked >= 15
