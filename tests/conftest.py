"""Defaults for every test run; no Django here, so the pure-library suites can run with -p no:django."""

from __future__ import annotations

import os
import tempfile

# Tests never touch a user's real data directory, and unlock their throw-away keystore non-interactively.
os.environ.setdefault("VIGIL_DATA_DIR", tempfile.mkdtemp(prefix="vigil-test-"))
os.environ.setdefault("VIGIL_PASSPHRASE", "test passphrase: protects only throw-away test data")
