"""The Dataset tab."""

from __future__ import annotations

from mnist_desktop.gui.tab_base import ComingTab


class DatasetTab(ComingTab):
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, "Browse the current data set here: a gallery by label and split, statistics, "
                         "and each image's pixel values.", parent)
