"""The Draw tab."""

from __future__ import annotations

from mnist_desktop.gui.tab_base import ComingTab


class DrawTab(ComingTab):
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, "Draw digits with the mouse here and see the prediction and all ten probabilities live.", parent)
