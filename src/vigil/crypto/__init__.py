"""Pure cryptography for Vigil: keys, field and file encryption, recovery shares, signing and the audit chain.

Nothing here imports Django; the web layer wires these pieces into SQLCipher, model fields and views.
"""

from vigil.crypto.errors import (
    CryptoError,
    DecryptionError,
    KeyfileError,
    KeyRetiredError,
    KeyringLockedError,
    KeystoreDestroyedError,
    PassphraseError,
    ShareError,
    WrongPassphraseError,
)

__all__ = [
    "CryptoError",
    "DecryptionError",
    "KeyRetiredError",
    "KeyfileError",
    "KeyringLockedError",
    "KeystoreDestroyedError",
    "PassphraseError",
    "ShareError",
    "WrongPassphraseError",
]
