"""Figures: counts per event, each traceable to its records. This module imports nothing from Django, so
that ``vigil figures`` can format an answer from a running server without starting Django."""

# The scalar figures of an event, in the order they are printed and compared.
FIGURES = (
    "persons",
    "detentions",
    "unnamed_head_count",
    "charged",
    "decided",
    "awaiting_trial",
    "punished_by_next_day",
)
