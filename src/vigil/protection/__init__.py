"""Protection at run time: the unlocked keys, sealed fields, key rotation, backup and the SQLCipher backend.

Nothing here is imported by the pure libraries; the cryptography itself lives in :mod:`vigil.lib.crypto`.
This package must stay importable before Django's apps are ready (settings read the local secret from it).
"""
