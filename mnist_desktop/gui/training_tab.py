"""The Training tab."""

from __future__ import annotations

from mnist_desktop.gui.tab_base import ComingTab


class TrainingTab(ComingTab):
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, "Train a CNN here and watch loss and accuracy live: choose an architecture, augmentation, epochs and early stopping.", parent)
