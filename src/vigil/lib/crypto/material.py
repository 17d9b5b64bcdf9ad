"""How encryption functions receive keys: one versioned key to encrypt, a source of versions to decrypt.

Ciphertexts record the version of the key that made them, so that after a rotation old ciphertexts still
decrypt (until the old version is retired) and a re-encryption pass can find what is left under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from vigil.lib.crypto.errors import KeyRetiredError


@dataclass(frozen=True)
class VersionedKey:
    version: int
    material: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.version <= 0xFFFFFFFF:
            raise ValueError("key version must fit in 32 bits")
        if len(self.material) != 32:
            raise ValueError("keys are 256-bit")

    def __repr__(self) -> str:  # never print key material
        return f"VersionedKey(version={self.version})"


@runtime_checkable
class KeySource(Protocol):
    """Supplies the current key for encryption and any live version for decryption."""

    def current(self) -> VersionedKey: ...

    def get(self, version: int) -> VersionedKey: ...


class StaticKeys:
    """A fixed set of versioned keys; the highest version is current. Useful outside a keyring."""

    def __init__(self, *keys: VersionedKey) -> None:
        if not keys:
            raise ValueError("at least one key")
        self._keys = {k.version: k for k in keys}

    def current(self) -> VersionedKey:
        return self._keys[max(self._keys)]

    def get(self, version: int) -> VersionedKey:
        try:
            return self._keys[version]
        except KeyError:
            raise KeyRetiredError(f"no key with version {version}") from None


def as_source(keys: VersionedKey | KeySource) -> KeySource:
    return StaticKeys(keys) if isinstance(keys, VersionedKey) else keys
