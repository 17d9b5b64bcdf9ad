"""The ``vigil`` console command.

Analyst tools that work on files (``vigil link``, ``vigil estimate``) need no database and no login, so they
are dispatched before Django is set up; everything else is a Django management command. Before Django
starts, a command that needs an instance is refused with one line when the data directory holds none (or
an unfinished or destroyed one, see :mod:`vigil.protection.instance`), and a locked keystore or a wrong
passphrase is reported in one line too: a user's mistake never ends in a traceback.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

# Sub-commands that run without Django: name -> "module:function" taking argv and returning an exit code.
STANDALONE: dict[str, str] = {
    "link": "vigil.lib.linkage.cli:main",
    "estimate": "vigil.lib.estimate.cli:main",
}

# Commands that need no instance in the data directory: they make one, or do not read one.
NO_INSTANCE = frozenset(
    {"help", "version", "check", "diffsettings", "makemigrations", "makemessages", "compilemessages"}
)

# The first commands of `vigil help`, in the order a new organisation meets them; the others follow by name.
FIRST = ("init", "serve", "demo")

HELP_FLAGS = ("-h", "--help")


def _standalone(spec: str) -> Callable[[list[str]], int]:
    module, func = spec.split(":")
    return getattr(import_module(module), func)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`vigil figures | head -1`). As Python's documentation says: point stdout at
        # devnull so that the flush at exit cannot fail again, and stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def _run(args: list[str]) -> int:
    if not args or args[0] in ("help", *HELP_FLAGS):
        return _help(args[1:])
    if args[0] in STANDALONE:
        return _standalone(STANDALONE[args[0]])(args[1:])
    ours = os.environ.get("DJANGO_SETTINGS_MODULE", "vigil.settings") == "vigil.settings"
    if ours and args:
        # Settings of our own only: another settings module may keep its data elsewhere.
        refused = _refusal(args)
        if refused:
            print(f"vigil: {refused}", file=sys.stderr)
            return 2
    if args[0] == "figures":
        # Asked of a running `vigil serve` first: it holds the keys, so no key derivation and no Django here.
        from vigil.figures.socket_service import run_client

        code = run_client(args[1:])
        if code is not None:
            return code
    from vigil.datadir import data_dir
    from vigil.lib.crypto.errors import KeyfileError, PassphraseError, WrongPassphraseError
    from vigil.protection.keys import Locked, unlock_ahead

    if ours:
        # Argon2id runs on the other core while Django starts.
        unlock_ahead(data_dir() / "keys")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["vigil", *args])
    except ImproperlyConfigured as exc:
        # A setting from the environment is missing or wrong (settings.py says which): one line, not a traceback.
        print(f"vigil: {exc}", file=sys.stderr)
        return 2
    except Locked as exc:
        # No passphrase in the environment and none typed: say so, without a traceback.
        print(f"vigil: {exc}", file=sys.stderr)
        return 2
    except WrongPassphraseError:
        print(
            f"vigil: the passphrase does not unlock the keystore in {data_dir() / 'keys'}: "
            "check VIGIL_PASSPHRASE or VIGIL_PASSPHRASE_FILE",
            file=sys.stderr,
        )
        return 2
    except (PassphraseError, KeyfileError) as exc:
        print(f"vigil: {exc}", file=sys.stderr)
        return 2
    return 0


def _refusal(args: list[str]) -> str:
    """Why this command cannot run on the data directory as it is (empty when it can). Looks at files only."""
    from vigil.datadir import data_dir
    from vigil.protection import instance

    command = args[0]
    if command.startswith("-") or command in NO_INSTANCE or any(a in HELP_FLAGS for a in args):
        return ""
    if command == "backup" and "--restore" in args:
        return ""  # restores into another, empty directory
    directory = data_dir()
    state = instance.state_of(directory, embedded_database=instance.embedded_database())
    if command == "init":
        return instance.init_refusal(directory, state)
    if state == instance.State.READY or (command == "demo" and state == instance.State.MISSING):
        return ""
    return instance.problem(directory, state)


def _help(args: list[str]) -> int:
    """`vigil help`: every Vigil command with its summary; `vigil help COMMAND` for one command's options."""
    if args and args[0] in STANDALONE:
        return _standalone(STANDALONE[args[0]])(["--help"])
    if args:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
        from django.core.management import execute_from_command_line

        # `vigil help --django` is Django's own list of every management command.
        execute_from_command_line(["vigil", "help", *[a for a in args if a != "--django"]])
        return 0
    print("Usage: vigil COMMAND [OPTIONS]   (`vigil help COMMAND` or `vigil COMMAND --help` explains one)")
    print()
    print("Commands:")
    for line in commands().values():
        print(f"  {line}")
    print()
    print(
        "Django's own management commands work too (`vigil migrate`, ...): `vigil help --django` lists them."
    )
    return 0


def commands() -> dict[str, str]:
    """Each Vigil command's name -> the first paragraph of its module's docstring (its usage and summary),
    read from the source files so that listing them starts neither Django nor the libraries."""
    root = Path(__file__).parent
    paths = {p.stem: p for p in root.glob("*/management/commands/*.py") if not p.name.startswith("_")}
    for name, spec in STANDALONE.items():
        paths[name] = root.parent.joinpath(*spec.split(":")[0].split(".")).with_suffix(".py")
    order = [*(n for n in FIRST if n in paths), *sorted(n for n in paths if n not in FIRST)]
    return {name: _summary(paths[name], name) for name in order}


def _summary(path: Path, name: str) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or f"vigil {name}"
    return " ".join(doc.split("\n\n")[0].split()).replace("``", "")


if __name__ == "__main__":
    raise SystemExit(main())
