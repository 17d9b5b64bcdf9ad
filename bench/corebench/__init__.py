"""The phases of ``bench/core.py``, one module each; ``bench/core.py`` is the entry point."""
