"""Thin views: parse with a form, call one operation, render.

One module an area; the URLconf imports each view from its module."""
