"""Write operations on cases: who works on a detention (``take_case``, ``assign_case``), open a case with its
charge, hearings, decisions; one at a time (a lawyer's form) or many at once (``open_cases``,
``record_hearings``, ``record_decisions``: importers, the benchmark), with the same rows, audit entries and
replicated changes either way.

:mod:`.assignments` says who works on a detention; :mod:`.casework` writes one case, charge, hearing or
decision at a time; :mod:`.bulk` writes many at once.
"""

from vigil.cases.operations.assignments import (
    AssignmentRefused,
    assign_case,
    detentions_awaiting_lawyer,
    take_case,
)
from vigil.cases.operations.bulk import (
    CaseEntry,
    DecisionEntry,
    HearingEntry,
    open_cases,
    record_decisions,
    record_hearings,
)
from vigil.cases.operations.casework import add_charge, open_case, record_decision, record_hearing

__all__ = [
    "add_charge",
    "assign_case",
    "AssignmentRefused",
    "CaseEntry",
    "DecisionEntry",
    "detentions_awaiting_lawyer",
    "HearingEntry",
    "open_case",
    "open_cases",
    "record_decision",
    "record_decisions",
    "record_hearing",
    "record_hearings",
    "take_case",
]
