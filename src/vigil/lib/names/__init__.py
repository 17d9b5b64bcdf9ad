"""Person names in Belarusian Cyrillic, Russian Cyrillic or any common Latin romanisation, normalised.

Pure library (no Django). See docs/names.md for what is normalised and the trade-offs.
"""

from __future__ import annotations

from vigil.lib.names.features import (
    FEATURE_KEYS,
    canonical_given,
    canonical_surname,
    features_frame,
    name_similarity,
    search_keys,
    sound_keys,
)
from vigil.lib.names.parse import ParsedName, parse_name
from vigil.lib.names.romanise import SYSTEMS, romanise

__all__ = [
    "FEATURE_KEYS",
    "SYSTEMS",
    "ParsedName",
    "canonical_given",
    "canonical_surname",
    "features_frame",
    "name_similarity",
    "parse_name",
    "romanise",
    "search_keys",
    "sound_keys",
]
