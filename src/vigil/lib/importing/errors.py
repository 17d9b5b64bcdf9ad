"""The only exceptions the importing library raises on bad input.

Input files come from outside (volunteers' spreadsheets, court lists copied from websites, files that may have
been tampered with), so every parser here turns whatever goes wrong inside a reader library into one of
these, with a message a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass


class ImportingError(Exception):
    """Base class: anything the importing library refuses."""


class UnreadableTable(ImportingError):
    """The file is not a table we can read (unknown format, broken archive, undecodable text, too large)."""


class MappingError(ImportingError):
    """A saved column mapping is malformed or names a field Vigil does not know."""


class ValidationError(ImportingError):
    """One value that cannot be read as what its field needs."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, order=True)
class RowError:
    """A problem at one cell: ``row`` as the user sees it in the file (header = row 1), ``column`` the
    header text of the file's column (or the target field when the file has no such column)."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.reason}"


class InvalidRows(ImportingError):
    """Raised by the all-or-nothing helpers when a table has any row error; carries all of them."""

    def __init__(self, errors: list[RowError]) -> None:
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} error(s): {shown}{more}")
        self.errors = list(errors)
