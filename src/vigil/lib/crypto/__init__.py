"""Pure cryptography for Vigil: keys, field and file encryption, recovery shares, signing and the audit chain.

Modules: :mod:`~vigil.lib.crypto.keys` (keystore and keyring), :mod:`~vigil.lib.crypto.passphrase`
(passphrase to key-encryption key), :mod:`~vigil.lib.crypto.master` (the master key's wrap and the keyfile's
MAC), :mod:`~vigil.lib.crypto.fields` (field encryption, blind index, re-encryption),
:mod:`~vigil.lib.crypto.files` (streamed file encryption), :mod:`~vigil.lib.crypto.shares` (Shamir recovery
shares), :mod:`~vigil.lib.crypto.signing` (Ed25519) and :mod:`~vigil.lib.crypto.chain` (hash chain with signed
checkpoints). Nothing here imports Django; the web layer wires these pieces into SQLCipher
(:mod:`vigil.protection.sqlcipher`), model fields and views.
"""

from vigil.lib.crypto.errors import (
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
