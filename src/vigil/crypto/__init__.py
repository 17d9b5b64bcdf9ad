"""Pure cryptography for Vigil: keys, field and file encryption, recovery shares, signing and the audit chain.

Modules: :mod:`~vigil.crypto.keys` (keystore and keyring), :mod:`~vigil.crypto.fields` (field encryption,
blind index, re-encryption), :mod:`~vigil.crypto.files` (streamed file encryption), :mod:`~vigil.crypto.shares`
(Shamir recovery shares), :mod:`~vigil.crypto.signing` (Ed25519) and :mod:`~vigil.crypto.chain` (hash chain
with signed checkpoints). Nothing here imports Django; the web layer wires these pieces into SQLCipher
(:mod:`vigil.sqlcipher`), model fields and views.
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
