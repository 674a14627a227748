"""A page of a QTabWidget whose widgets are made when it is first shown or needed, not before the
window's first paint (each pyqtgraph chart costs several milliseconds to make)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build: Callable[[], QWidget] | None = build
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def is_built(self) -> bool:
        return self._build is None

    def ensure(self) -> None:
        """Make the page now (what fills it calls this first)."""
        if self._build is None:
            return
        build, self._build = self._build, None
        content = build()
        self._layout.addWidget(content)
        content.show()  # at once when the page is on screen, else with it

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.ensure()
        super().showEvent(event)
