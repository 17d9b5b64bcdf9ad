"""Synthetic data that knows its own truth (clearly marked SYNTHETIC, never real people)."""
