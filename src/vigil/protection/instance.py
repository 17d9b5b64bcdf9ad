"""Whether a data directory holds a usable Vigil instance, and what to tell someone when it does not.

The ``vigil`` command asks this before Django starts, so it looks at files only and creates nothing: a
command run on a new, unfinished or destroyed data directory stops with one line saying what is wrong and
what to do, instead of making a keystore or a database by side effect. Only ``vigil init`` (a real
instance) and ``vigil demo`` (a synthetic one) make an instance.

Two markers record what the files alone cannot tell:

* ``.init-unfinished`` in the data directory, written by ``vigil init`` before anything else and removed as
  its last step: an init that stopped half way is finished by running ``vigil init`` again;
* ``keys/DESTROYED``, written by ``vigil keys destroy`` after the keyfile is gone: the data is unreadable
  for good, and no command may start a new keystore over it.

A data directory with a keyfile and neither marker is an instance (made by ``vigil init``, ``vigil demo``, a
restored backup, or a version of Vigil older than ``vigil init``).
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from vigil.lib.crypto.errors import PassphraseError
from vigil.lib.crypto.keys import KEYFILE_NAME, passphrase_from_env

KEYS_DIR = "keys"
DATABASE_FILE = "vigil.sqlite3"  # the embedded database's file, as settings.py names it
UNFINISHED_MARKER = ".init-unfinished"
DESTROYED_MARKER = "DESTROYED"


class State(StrEnum):
    MISSING = "missing"  # nothing here yet
    UNFINISHED = "unfinished"  # `vigil init` stopped half way
    DESTROYED = "destroyed"  # `vigil keys destroy` ran
    KEYLESS = "keyless"  # a database without its keyfile, and no record of a destruction
    READY = "ready"


def state_of(data_dir: Path, *, embedded_database: bool = True) -> State:
    """What ``data_dir`` holds. ``embedded_database``: the database is the SQLite file in the directory
    (``VIGIL_DB=sqlite``), so a database without a keyfile can be seen."""
    keys = data_dir / KEYS_DIR
    if (keys / KEYFILE_NAME).exists():
        return State.UNFINISHED if (data_dir / UNFINISHED_MARKER).exists() else State.READY
    if (keys / DESTROYED_MARKER).exists():
        return State.DESTROYED
    if (data_dir / UNFINISHED_MARKER).exists():
        return State.UNFINISHED
    if embedded_database and (data_dir / DATABASE_FILE).exists():
        return State.KEYLESS
    return State.MISSING


def destroyed_on(data_dir: Path) -> str:
    try:
        return (data_dir / KEYS_DIR / DESTROYED_MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def problem(data_dir: Path, state: State) -> str:
    """One line for someone who ran a command on ``data_dir``: what is wrong there and what to do."""
    if state == State.MISSING:
        return f"no instance in {data_dir}: run `vigil init` first (or `vigil demo` for synthetic data)"
    if state == State.UNFINISHED:
        return f"the instance in {data_dir} is unfinished (`vigil init` stopped half way): run `vigil init` again"
    if state == State.DESTROYED:
        when = destroyed_on(data_dir)
        return (
            f"the keys of the instance in {data_dir} were destroyed{f' on {when}' if when else ''}: its data "
            "can no longer be read here; start a new instance in another VIGIL_DATA_DIR with `vigil init`, "
            "or restore a backup there with the recovery shares (`vigil backup --restore FILE --into DIR`)"
        )
    if state == State.KEYLESS:
        return (
            f"the instance in {data_dir} has a database but no keyfile ({KEYS_DIR}/{KEYFILE_NAME}), so its data "
            "cannot be read: restore a backup (`vigil backup --restore FILE --into DIR`) or use another "
            "VIGIL_DATA_DIR"
        )
    return ""


def init_refusal(data_dir: Path, state: State) -> str:
    """Why ``vigil init`` will not run on ``data_dir`` (empty when it will: nothing there, or unfinished)."""
    if state == State.READY:
        return (
            f"an instance already exists in {data_dir}: nothing changed "
            "(to make another, set VIGIL_DATA_DIR to a new directory)"
        )
    if state in (State.DESTROYED, State.KEYLESS):
        return problem(data_dir, state)
    return ""


def mark_unfinished(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    (data_dir / UNFINISHED_MARKER).write_text("vigil init has not finished here; run it again\n")


def mark_finished(data_dir: Path) -> None:
    (data_dir / UNFINISHED_MARKER).unlink(missing_ok=True)


def mark_destroyed(data_dir: Path) -> None:
    """Record that the keys are gone, so that no later command takes the directory for a new one."""
    keys = data_dir / KEYS_DIR
    keys.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    (keys / DESTROYED_MARKER).write_text(f"{stamp}\n", encoding="utf-8")


def new_passphrase(*, prompt: bool | None = None) -> str:
    """The passphrase for a new keystore: VIGIL_PASSPHRASE or VIGIL_PASSPHRASE_FILE, else typed twice on a
    terminal. Raises PassphraseError when there is neither, or the two typed differ."""
    passphrase = passphrase_from_env()
    if passphrase:
        return passphrase
    if not (sys.stdin.isatty() if prompt is None else prompt):
        raise PassphraseError(
            "no passphrase: set VIGIL_PASSPHRASE or VIGIL_PASSPHRASE_FILE, or run this on a terminal to type it"
        )
    first = getpass.getpass("New passphrase for this instance's keys: ")
    if not first:
        raise PassphraseError("the passphrase is empty")
    if first != getpass.getpass("The same passphrase again: "):
        raise PassphraseError("the two passphrases differ; nothing was created")
    return first


def embedded_database(environ: Mapping[str, str] | None = None) -> bool:
    """True when the database is the SQLite file in the data directory (``VIGIL_DB=sqlite``, the default)."""
    env = os.environ if environ is None else environ
    return env.get("VIGIL_DB", "sqlite") == "sqlite"
