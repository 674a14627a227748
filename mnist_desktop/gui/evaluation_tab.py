"""The Evaluation tab."""

from __future__ import annotations

from mnist_desktop.gui.tab_base import ComingTab


class EvaluationTab(ComingTab):
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, "Evaluate the current model here: accuracy, per-class precision, recall and F1, a clickable confusion matrix and the mistakes.", parent)
