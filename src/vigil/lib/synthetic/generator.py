"""Transitional: the generator now lives in the modules of :mod:`vigil.lib.synthetic`; import from there."""

from vigil.lib.synthetic import *  # noqa: F403
from vigil.lib.synthetic import __all__ as _public
from vigil.lib.synthetic.detention_calendar import _SUNDAY_WEIGHT

__all__ = [*_public, "_SUNDAY_WEIGHT"]
