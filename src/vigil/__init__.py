"""Vigil: documenting mass detentions of peaceful protesters."""

__version__ = "0.1.0"
