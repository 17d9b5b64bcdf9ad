"""Each pytest-xdist worker gets a data directory of its own.

Loaded by ``scripts/test`` with ``-p tests.parallel`` so that it runs before pytest-django imports Vigil's
settings (which read ``VIGIL_DATA_DIR`` once, at import): the workers would otherwise share one keystore, one
evidence store and one figures socket. A run without xdist is unaffected.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _base = Path(os.environ.get("VIGIL_DATA_DIR") or tempfile.mkdtemp(prefix="vigil-test-"))
    _own = _base / _worker
    _own.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ["VIGIL_DATA_DIR"] = str(_own)
