"""PySide6 only: the app bootstrap, a thin main window, one module per tab, shared widgets and the
one worker mechanism (`workers.py`). Importing this package imports Qt, so the CLI does it lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from mnist_desktop.gui.main_window import MainWindow


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from mnist_desktop.gui.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)
