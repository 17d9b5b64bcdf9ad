"""Offline work and sync between Vigil instances: pure, Django-free replication core (see docs/sync.md)."""
