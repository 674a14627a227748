"""PySide6 6.12.0 on Python 3.11 kills the interpreter ("Fatal Python error: none_dealloc") after a
few hundred thousand calls of void methods: a reference-count bug on None. pyproject.toml pins
PySide6-Essentials<6.12; this guards against a release that brings it back."""

from __future__ import annotations

import subprocess
import sys

CODE = """
from PySide6.QtGui import QPen
pen = QPen()
for i in range(300_000):
    pen.setWidth(i % 7 + 1)
print("survived", pen.width())
"""


def test_many_void_calls_do_not_kill_the_interpreter():
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("survived")
