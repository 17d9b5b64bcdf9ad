"""Exceptions raised by :mod:`vigil.lib.crypto`.

They carry no secret material in their messages, because error messages end up in logs.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class for every failure in this package."""


class DecryptionError(CryptoError):
    """A ciphertext failed authentication: wrong key, wrong context, truncation or tampering."""


class KeyRetiredError(DecryptionError):
    """The ciphertext names a key version that has been retired (or never existed) in this keyring."""


class KeyringLockedError(CryptoError):
    """The keyring was locked (its key material wiped); unlock the keystore again."""


class KeyfileError(CryptoError):
    """The keyfile is missing, malformed or fails its integrity check."""


class KeystoreDestroyedError(KeyfileError):
    """The keystore has been destroyed; the data it protected can no longer be decrypted."""


class WrongPassphraseError(CryptoError):
    """The passphrase (or recovered master key) does not unwrap the master key."""


class PassphraseError(CryptoError):
    """No usable passphrase could be obtained (empty, ambiguous or unreadable source)."""


class ShareError(CryptoError):
    """A recovery share is malformed, has a checksum error, or the shares do not belong together."""
