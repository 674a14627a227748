"""The app's name and what it remembers between runs. A leaf module: the start-up code, the main
window and the tabs all read it, and it reads none of them."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

APP_NAME = "MNIST Desktop"
ORGANIZATION = "mnist-desktop"


def settings() -> QSettings:
    """Remembered between runs. ``MNIST_DESKTOP_SETTINGS`` points elsewhere (tests do that)."""
    path = os.environ.get("MNIST_DESKTOP_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, "mnist-desktop")
