"""The estimate plots' words in the user's language, ready for vigil.lib.estimate.plots' ``labels``."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from django.utils import translation

from vigil.lib.estimate.plots import (
    DEFAULT_LABELS,
    grid_posterior_svg,
    overlaps_svg,
    posterior_svg,
    profile_svg,
)
from vigil.lib.estimate.table import read_table
from vigil.web.labels import estimate_plot_labels

from .test_pages_are_translated import untranslated

THREE_LISTS = "hotline,lawyers,court,count\n1,0,0,18\n0,1,0,9\n0,0,1,6\n1,1,0,4\n1,0,1,2\n0,1,1,1\n1,1,1,1\n"


def test_the_plot_labels_name_every_word_the_plots_draw_and_say_it_in_english_alike():
    with translation.override("en"):
        assert estimate_plot_labels() == DEFAULT_LABELS


@pytest.mark.parametrize("language", ["be", "ru"])
def test_plots_drawn_with_the_labels_show_no_english(language):
    table = read_table(io.StringIO(THREE_LISTS))
    table = type(table)(
        lists=("гарачая лінія", "юрысты", "суд"), patterns=table.patterns, counts=table.counts
    )
    with translation.override(language):
        labels = estimate_plot_labels()
    curve = [(41.0 + i, math.exp(-((i - 19) ** 2) / 60)) for i in range(40)]
    draws = np.random.default_rng(1).normal(60, 5, size=400).round()
    svgs = [
        posterior_svg(draws, 41, labels=labels),
        profile_svg(curve, model="[12,3]", estimate=60, lower=52, upper=70, n_observed=41, labels=labels),
        overlaps_svg(table, most=3, labels=labels),
        grid_posterior_svg([55, 60, 65], [0.25, 0.5, 0.25], 41, median=60, lower=55, upper=65, labels=labels),
    ]
    assert [untranslated(svg) for svg in svgs] == [[], [], [], []]
    assert labels["floor"].format(n="41") in svgs[0]
