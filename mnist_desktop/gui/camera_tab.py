"""The Camera tab."""

from __future__ import annotations

from mnist_desktop.gui.tab_base import ComingTab


class CameraTab(ComingTab):
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, "Hold handwritten digits up to a webcam (or open a video) and read them here.", parent)
