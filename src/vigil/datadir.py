"""Where an instance keeps its data: ``VIGIL_DATA_DIR``, else ``~/.local/share/vigil``.

Its own module, free of Django, because the ``vigil`` command needs it before Django's settings are loaded
(to start unlocking the keystore while Django starts, see :func:`vigil.protection.keys.unlock_ahead`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("VIGIL_DATA_DIR", Path.home() / ".local" / "share" / "vigil")).expanduser()
