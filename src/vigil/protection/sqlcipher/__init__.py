"""SQLCipher for Vigil: a Django database backend (``ENGINE: "vigil.protection.sqlcipher"``) and the keying it uses.

The backend lives in :mod:`vigil.protection.sqlcipher.base` (imported by Django from the ENGINE path); the keying in
:mod:`vigil.protection.sqlcipher.keying` does not import Django, so scripts and tests can open a Vigil database directly.
"""

from vigil.protection.sqlcipher.keying import WRONG_KEY_MESSAGE, WrongKeyError, connect, rekey

__all__ = ["WRONG_KEY_MESSAGE", "WrongKeyError", "connect", "rekey"]
