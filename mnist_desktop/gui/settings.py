"""The app's name and icon, what it remembers between runs, and the last error shown (for Help >
Report a problem). A leaf module: the start-up code, the main window and the tabs all read it, and it
reads none of them."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon

APP_NAME = "MNIST Desktop"
ORGANIZATION = "mnist-desktop"


def settings() -> QSettings:
    """Remembered between runs. ``MNIST_DESKTOP_SETTINGS`` points elsewhere (tests do that)."""
    path = os.environ.get("MNIST_DESKTOP_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, "mnist-desktop")


def app_icon() -> QIcon:
    """The theme's icon when the desktop has it installed, else the bundled hicolor files."""
    from mnist_desktop.paths import resources_dir

    icon = QIcon()
    root = resources_dir() / "icons" / "hicolor"
    for size in (16, 24, 32, 48, 64, 128, 256):
        file = root / f"{size}x{size}" / "apps" / "mnist-desktop.png"
        if file.is_file():
            icon.addFile(str(file))
    return QIcon.fromTheme("mnist-desktop", icon)


_last_error: list[str] = []


def record_error(text: str) -> None:
    """Kept for Help > Report a problem."""
    _last_error[:] = [text]


def last_error() -> str:
    return _last_error[0] if _last_error else ""
