"""The command line as a user meets it first: version, help, a missing display, bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mnist_desktop import __version__


def run_cli(*args: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnist_desktop", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"mnist-desktop {__version__}"


@pytest.mark.parametrize("command", ["train", "evaluate", "predict", "read", "export"])
def test_every_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0 and "usage: mnist-desktop " + command in result.stdout


def test_without_a_display_the_window_prints_a_one_line_hint():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = run_cli(env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["train", "--arch", "nope"], "unknown architecture 'nope'"),
        (["train", "--epochs", "0"], "epochs must be at least 1"),
        (["evaluate", "--data", "/no/such/folder"], "/no/such/folder: no such file or folder"),
        (["evaluate", "--model", "/no/such/model.keras"], "no such model"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expected):
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and lines[0].startswith("mnist-desktop")
