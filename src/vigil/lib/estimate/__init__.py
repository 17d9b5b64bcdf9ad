"""Multiple systems estimation: how many people were detained, including those no list documented.

A pure library (no Django). Start from :func:`read_table`; estimate with :func:`fit_lcmcr` (Bayesian latent
classes, the default), :func:`model_selection` / :func:`closedp` (log-linear models as in Rcapture) or
:func:`fit_dga` (averaging over decomposable graphical models, as R's dga); split by stratum with
:func:`fit_strata`; check with :func:`sensitivity`; report with :func:`summarise` and
:func:`posterior_histogram`, and put methods side by side with :func:`compare_methods`. Every method first
refuses, with :class:`EstimateRefused` and its reason, a table no estimate should be given for
(:func:`check_estimable`). See docs/estimation.md for the assumptions and how to read the output.
"""

from .dga import DGAEstimate, decomposable_graphs, fit_dga
from .diagnostics import Diagnostics, diagnose
from .lcmcr import LCMCRSettings, PosteriorEstimate, fit_lcmcr
from .loglinear import LoglinearFit, ModelSelection, closedp, fit_model, hierarchical_models, model_selection
from .refusals import MAX_DGA_LISTS, MAX_LOGLINEAR_LISTS, Checked, check_estimable
from .report import compare_methods, posterior_histogram, summarise
from .strata import (
    SensitivityReport,
    StratifiedEstimate,
    fit_strata,
    refusal_reason,
    sensitivity,
    sum_posteriors,
)
from .table import MAX_DOCUMENTED, CaptureTable, EstimateRefused, TableError, read_table

__all__ = [
    "MAX_DGA_LISTS",
    "MAX_DOCUMENTED",
    "MAX_LOGLINEAR_LISTS",
    "CaptureTable",
    "Checked",
    "DGAEstimate",
    "Diagnostics",
    "EstimateRefused",
    "LCMCRSettings",
    "LoglinearFit",
    "ModelSelection",
    "PosteriorEstimate",
    "SensitivityReport",
    "StratifiedEstimate",
    "TableError",
    "check_estimable",
    "closedp",
    "compare_methods",
    "decomposable_graphs",
    "diagnose",
    "fit_dga",
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
