"""Errors of the replication library. Every refusal leaves the replica exactly as it was."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error raised by ``vigil.lib.sync``."""


class ClockSkewError(SyncError):
    """A peer's stamp is implausibly far ahead of this machine's clock."""


class RecordDeleted(SyncError):
    """A local edit of a record that has been deleted (tombstoned)."""


class SequenceReused(SyncError):
    """An instance issued two different changes under one sequence number (e.g. restored from an old backup)."""


class BundleError(SyncError):
    """A bundle was refused; nothing from it was applied."""


class BundleTruncated(BundleError):
    """The bundle ends before its declared parts do (cut short in transit or on a storage medium)."""


class BundleTampered(BundleError):
    """The bundle's signature, encryption tag, payload hash or structure does not check out."""


class BundleNotForUs(BundleError):
    """The bundle is encrypted to another instance."""


class BundleUnknownSender(BundleError):
    """The bundle claims to come from an instance that is not among our peers."""


class EvidenceMismatch(BundleError):
    """An evidence file in the bundle is missing or its bytes do not match the SHA-256 its record names."""
