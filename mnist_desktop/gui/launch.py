"""Start the app: check for a display first (Qt would abort the process without one)."""

from __future__ import annotations

import os
import sys

NO_DISPLAY_HINT = (
    "mnist-desktop: no display found: run it in a desktop session (or with ssh -X), or headless with "
    "QT_QPA_PLATFORM=offscreen (e.g. with --screenshot FILE.png); the CLI commands need no display"
)


def display_available() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def launch(*, dataset: str | None = None, model: str | None = None, screenshot: str | None = None,
           tab: str | None = None) -> int:
    if not display_available():
        if not screenshot:
            print(NO_DISPLAY_HINT, file=sys.stderr)
            return 2
        # A screenshot needs no screen: render offscreen.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from mnist_desktop.gui.app import run

    return run(dataset=dataset, model=model, screenshot=screenshot, tab=tab)
