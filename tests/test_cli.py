"""The ``vigil`` command as an operator meets it, run in subprocesses against throw-away data directories:
`vigil init` makes an instance; on a new, unfinished, locked or destroyed one every other command says what
is wrong in one line, exits non-zero and makes nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from vigil.lib.crypto.keys import KEYFILE_NAME, KdfParams, KeyStore

VIGIL = str(Path(sys.executable).with_name("vigil"))
PASSPHRASE = "cli test passphrase: protects only throw-away test data"
# For instances that are not about key derivation: the cheapest Argon2id a keyfile may declare.
FAST_KDF = KdfParams(time_cost=1, memory_cost_kib=KdfParams.MIN_MEMORY_KIB, parallelism=1)
LIST = (
    "record_id,source,full_name,birth_date,birth_year,sex,city,detained_on\n"
    "1,sheet,Сяргей Ціханоўскі,1978-08-18,,m,Мінск,08.11.2020\n"
)


def vigil(
    data_dir: Path, *args: str, passphrase: str | None = PASSPHRASE
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATA_DIR=str(data_dir), VIGIL_DB="sqlite")
    if passphrase is not None:
        env["VIGIL_PASSPHRASE"] = passphrase
    return subprocess.run([VIGIL, *args], env=env, capture_output=True, text=True, timeout=180)


def init(
    data_dir: Path, password_file: Path, passphrase: str = PASSPHRASE
) -> subprocess.CompletedProcess[str]:
    password_file.write_text("a coordinator password for tests\n")
    return vigil(
        data_dir,
        "init",
        "--coordinator",
        "coordinator",
        "--password-file",
        str(password_file),
        passphrase=passphrase,
    )


def one_line_refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal's one line, after checking it is one line, with no traceback, and a failure status."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@dataclass
class Made:
    path: Path
    before: subprocess.CompletedProcess[str]  # `vigil figures` while the init was unfinished
    init: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """An instance whose init stopped after making the keystore (made here with a cheap KDF), then finished by
    running `vigil init` again."""
    root = tmp_path_factory.mktemp("made")
    path = root / "data"
    KeyStore(path / "keys").create(PASSPHRASE, kdf=FAST_KDF)
    (path / ".init-unfinished").write_text("")
    before = vigil(path, "figures")
    return Made(path, before, init(path, root / "password"))


def test_init_makes_an_instance_that_import_and_figures_then_use(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = init(data, tmp_path / "password")
    assert made.returncode == 0, made.stderr
    assert "otpauth://totp/" in made.stdout and "issuer=Vigil" in made.stdout
    assert sum(line.strip()[:2] in ("1:", "2:", "3:") for line in made.stdout.splitlines()) == 3
    assert "Ready" in made.stdout
    (tmp_path / "list.csv").write_text(LIST, encoding="utf-8")
    imported = vigil(data, "import", str(tmp_path / "list.csv"), "--source", "SYNTHETIC sheet")
    assert imported.returncode == 0 and "imported 1 new" in imported.stdout, imported.stderr
    figures = vigil(data, "figures")
    assert figures.returncode == 0 and "persons" in figures.stdout, figures.stderr
    # Once made, init refuses and changes nothing.
    keyfile = (data / "keys" / KEYFILE_NAME).read_bytes()
    again = init(data, tmp_path / "password", passphrase="another passphrase")
    assert "an instance already exists in" in one_line_refusal(again)
    assert (data / "keys" / KEYFILE_NAME).read_bytes() == keyfile


@pytest.mark.parametrize(
    "command",
    [
        ["import", "list.csv", "--source", "sheet"],
        ["figures"],
        ["sync", "identity"],
        ["audit", "verify"],
        ["keys", "status"],
        ["keys", "destroy", "--yes"],
        ["serve"],
        ["migrate"],
    ],
)
def test_on_a_new_directory_a_command_says_to_run_init_and_makes_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    data = tmp_path / "new"
    line = one_line_refusal(vigil(data, *command))
    assert line == (
        f"vigil: no instance in {data}: run `vigil init` first (or `vigil demo` for synthetic data)"
    )
    assert not data.exists()


def test_an_unfinished_init_is_refused_to_other_commands_and_finished_by_running_init_again(
    made: Made,
) -> None:
    assert "is unfinished" in one_line_refusal(made.before)
    assert "run `vigil init` again" in made.before.stderr
    assert made.init.returncode == 0, made.init.stderr
    assert not (made.path / ".init-unfinished").exists()
    assert vigil(made.path, "figures").returncode == 0


def test_a_wrong_or_missing_passphrase_is_one_line(made: Made) -> None:
    wrong = one_line_refusal(vigil(made.path, "figures", passphrase="not the passphrase"))
    assert wrong.startswith("vigil: the passphrase does not unlock the keystore")
    missing = one_line_refusal(vigil(made.path, "figures", passphrase=None))
    assert "locked" in missing


def test_after_the_keys_are_destroyed_commands_say_so_and_no_keystore_is_made(
    made: Made, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(made.path, data)
    destroyed = vigil(data, "keys", "destroy", "--yes", passphrase=None)
    assert destroyed.returncode == 0, destroyed.stderr
    for command in (
        ["keys", "status"],
        ["figures"],
        ["import", "x.csv", "--source", "s"],
        ["demo"],
        ["serve"],
    ):
        line = one_line_refusal(vigil(data, *command))
        assert "were destroyed on" in line and "can no longer be read" in line, command
    assert "were destroyed" in one_line_refusal(init(data, tmp_path / "password"))
    assert not (data / "keys" / KEYFILE_NAME).exists()


@pytest.mark.parametrize("command", [["figures"], ["audit", "verify"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(made: Made, command: list[str]) -> None:
    # `vigil figures | head -1`: the read end is closed before the command writes anything.
    read, write = os.pipe()
    os.close(read)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATA_DIR=str(made.path), VIGIL_DB="sqlite", VIGIL_PASSPHRASE=PASSPHRASE)
    try:
        result = subprocess.run(
            [VIGIL, *command], env=env, stdout=write, stderr=subprocess.PIPE, text=True, timeout=180
        )
    finally:
        os.close(write)
    assert result.stderr == ""
    assert result.returncode == 1


@pytest.mark.parametrize("argv", [[], ["help"], ["--help"], ["-h"]])
def test_help_lists_every_command_with_its_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from vigil.cli import main

    assert main(argv) == 0
    listed = {m[1] for m in re.finditer(r"^  vigil ([a-z]+)", capsys.readouterr().out, re.MULTILINE)}
    src = Path(__file__).parents[1] / "src" / "vigil"
    management = {p.stem for p in src.glob("*/management/commands/*.py") if not p.name.startswith("_")}
    assert listed == management | {"link", "estimate"}
    assert {"init", "serve", "demo", "import", "figures", "keys", "sync", "link", "estimate"} <= listed


def test_help_on_a_file_tool_shows_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    from vigil.cli import main

    try:
        code = main(["help", "estimate"])
    except SystemExit as stop:  # argparse's way of ending --help
        code = int(stop.code or 0)
    assert code == 0
    assert "--method" in capsys.readouterr().out
