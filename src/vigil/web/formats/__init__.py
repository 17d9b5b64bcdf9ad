"""Locale formats Django does not ship (FORMAT_MODULE_PATH): Belarusian, which would otherwise fall back to the
American month/day/year for dates typed and shown."""
