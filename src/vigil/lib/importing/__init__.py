"""Reading detention lists and court lists from CSV, XLSX and ODS files, without Django.

``read_table`` turns a file into strings, ``guess_mapping``/``Mapping`` say which column is which field,
``validate`` types every row or names every bad cell by row and column, and ``row_uuid`` gives each row a
report id that is the same whenever the same file is imported again. See docs/importing.md.
"""

from vigil.lib.importing.court import CourtListPlan, Hearing, parse_court_list, validate_court_list
from vigil.lib.importing.dates import parse_date
from vigil.lib.importing.errors import (
    ImportingError,
    InvalidRows,
    MappingError,
    RowError,
    UnreadableTable,
    ValidationError,
)
from vigil.lib.importing.mapping import FIELDS, LINK_FIELDS, OPTIONAL_FIELDS, Mapping, guess_mapping
from vigil.lib.importing.tables import RawTable, read_table
from vigil.lib.importing.validate import ImportPlan, ImportRow, row_uuid, validate

__all__ = [
    "FIELDS",
    "LINK_FIELDS",
    "OPTIONAL_FIELDS",
    "CourtListPlan",
    "Hearing",
    "ImportPlan",
    "ImportRow",
    "ImportingError",
    "InvalidRows",
    "Mapping",
    "MappingError",
    "RawTable",
    "RowError",
    "UnreadableTable",
    "ValidationError",
    "guess_mapping",
    "parse_court_list",
    "parse_date",
    "read_table",
    "row_uuid",
    "validate",
    "validate_court_list",
]
