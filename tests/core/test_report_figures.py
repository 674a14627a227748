"""The report's figures say what their scales mean: counts on the heat-map bar (not "log scale 0-7"),
per-class bars from zero."""

from __future__ import annotations

import numpy as np

from mnist_desktop.core.figures import confusion_figure, per_class_figure
from mnist_desktop.core.metrics import Evaluation


def _evaluation() -> Evaluation:
    labels = np.repeat(np.arange(10), 120)
    predicted = labels.copy()
    predicted[::97] = (predicted[::97] + 1) % 10  # a few mistakes
    probabilities = np.full((len(labels), 10), 0.01, np.float32)
    probabilities[np.arange(len(labels)), predicted] = 0.91
    return Evaluation(labels, probabilities)


def test_heat_map_scale_is_labelled_in_images():
    figure = confusion_figure(_evaluation())
    bar = figure.axes[-1]
    ticks = [t.get_text() for t in bar.get_yticklabels()]
    assert "images" in bar.get_ylabel()
    assert ticks[:3] == ["0", "1", "10"] and "100" in ticks
    shares = confusion_figure(_evaluation(), normalised=True).axes[-1]
    assert [t.get_text() for t in shares.get_yticklabels()] == ["0%", "0.1%", "1%", "10%"]


def test_per_class_bars_start_at_zero():
    axes = per_class_figure(_evaluation()).axes[0]
    assert axes.get_ylim() == (0.0, 1.0)
