"""The app shows up in the desktop's menus: a valid .desktop entry, hicolor icons, and
`mnist-desktop --install-desktop` for one user without root."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mnist_desktop.paths import resources_dir

ENTRY = resources_dir() / "mnist-desktop.desktop"
VALIDATOR = shutil.which("desktop-file-validate")
needs_validator = pytest.mark.skipif(
    VALIDATOR is None, reason="desktop-file-validate is not installed (Debian package desktop-file-utils; "
                              "`make test` installs it when it can)")


@needs_validator
def test_the_desktop_entry_validates():
    result = subprocess.run([VALIDATOR, str(ENTRY)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "error" not in result.stdout.lower(), result.stdout + result.stderr


def test_icons_in_every_usual_size():
    root = resources_dir() / "icons" / "hicolor"
    for size in (16, 32, 48, 64, 128, 256):
        icon = root / f"{size}x{size}" / "apps" / "mnist-desktop.png"
        assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (root / "scalable" / "apps" / "mnist-desktop.svg").read_text().lstrip().startswith("<?xml")


def test_install_desktop_for_this_user(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "--install-desktop"], capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    installed = tmp_path / "applications" / "mnist-desktop.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(installed)
    command = entry["Desktop Entry"]["Exec"]
    assert "mnist" in command and entry["Desktop Entry"]["Icon"] == "mnist-desktop"
    assert (tmp_path / "icons" / "hicolor" / "48x48" / "apps" / "mnist-desktop.png").is_file()
    if VALIDATOR:
        check = subprocess.run([VALIDATOR, str(installed)], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stdout

