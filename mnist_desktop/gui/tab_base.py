"""What the main window expects of every tab."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mnist_desktop.gui.state import AppState


class Tab(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state

    def shutdown(self) -> None:
        """The window is closing: stop this tab's background work (the window closes once every
        task has ended)."""

