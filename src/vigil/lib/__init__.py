"""Pure libraries: no Django, no Vigil app. Usable from a notebook, benchmarked alone, tested fast.

The rule is enforced by ``tests/lib/test_import_contract.py``, which imports every module here in a fresh
interpreter where importing Django or any Vigil app fails.
"""
