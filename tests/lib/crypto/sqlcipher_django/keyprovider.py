"""The key provider named in settings: reads the key from the environment, as a keyring accessor would."""

from __future__ import annotations

import os


def key() -> str:
    return os.environ["VIGIL_TEST_KEY"]
