"""Multiple systems estimation: how many people were detained, including those no list documented.

A pure library (no Django). Start from :func:`read_table`; estimate with :func:`fit_lcmcr` (Bayesian latent
classes, the default) or :func:`model_selection` / :func:`closedp` (log-linear models as in Rcapture); split
by stratum with :func:`fit_strata`; check with :func:`sensitivity`; report with :func:`summarise` and
:func:`posterior_histogram`. See docs/estimation.md for the assumptions and how to read the output.
"""

from .diagnostics import Diagnostics, diagnose
from .lcmcr import LCMCRSettings, PosteriorEstimate, fit_lcmcr
from .loglinear import LoglinearFit, ModelSelection, closedp, fit_model, hierarchical_models, model_selection
from .report import posterior_histogram, summarise
from .strata import (
    SensitivityReport,
    StratifiedEstimate,
    fit_strata,
    refusal_reason,
    sensitivity,
    sum_posteriors,
)
from .table import CaptureTable, TableError, read_table

__all__ = [
    "CaptureTable",
    "Diagnostics",
    "LCMCRSettings",
    "LoglinearFit",
    "ModelSelection",
    "PosteriorEstimate",
    "SensitivityReport",
    "StratifiedEstimate",
    "TableError",
    "closedp",
    "diagnose",
    "fit_lcmcr",
    "fit_model",
    "fit_strata",
    "hierarchical_models",
    "model_selection",
    "posterior_histogram",
    "read_table",
    "refusal_reason",
    "sensitivity",
    "sum_posteriors",
    "summarise",
]
