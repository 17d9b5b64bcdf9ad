"""The ``vigil`` console command.

Analyst tools that work on files (``vigil link``, ``vigil estimate``) need no database and no login, so they
are dispatched before Django is set up; everything else is a Django management command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from importlib import import_module

# Sub-commands that run without Django: name -> "module:function" taking argv and returning an exit code.
STANDALONE: dict[str, str] = {
    "link": "vigil.lib.linkage.cli:main",
    "estimate": "vigil.lib.estimate.cli:main",
}


def _standalone(spec: str) -> Callable[[list[str]], int]:
    module, func = spec.split(":")
    return getattr(import_module(module), func)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in STANDALONE:
        return _standalone(STANDALONE[args[0]])(args[1:])
    if args and args[0] == "figures":
        # Asked of a running `vigil serve` first: it holds the keys, so no key derivation and no Django here.
        from vigil.figures.socket_service import run_client

        code = run_client(args[1:])
        if code is not None:
            return code
    from vigil.datadir import data_dir
    from vigil.protection.keys import Locked, unlock_ahead

    if os.environ.get("DJANGO_SETTINGS_MODULE", "vigil.settings") == "vigil.settings":
        # Argon2id runs on the other core while Django starts (settings of our own only: another settings
        # module may keep its data elsewhere, and then the keys are unlocked when first needed).
        unlock_ahead(data_dir() / "keys")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["vigil", *args])
    except Locked as exc:
        # No passphrase in the environment and none typed: say so, without a traceback.
        print(f"vigil: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
