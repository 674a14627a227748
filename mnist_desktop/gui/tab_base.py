"""What the main window expects of every tab."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mnist_desktop.gui.state import AppState


class Tab(QWidget):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state

    def confirm_close(self) -> bool:
        """Asked before the window closes; False keeps it open (e.g. the user wants training to go on)."""
        return True

    def shutdown(self) -> None:
        """Stop this tab's background work; the window joins all workers right after."""

