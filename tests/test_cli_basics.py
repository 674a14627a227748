"""The command line as a user meets it first: version, help, a missing display, bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mnist_desktop import __version__
from mnist_desktop.cli import PROG


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
        (["train", "--stream"], "--stream needs --data FOLDER"),
        (["train", "--checkpoint", "best.h5"], "the checkpoint must be a .keras file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expected):
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and lines[0].startswith("mnist-desktop")


@pytest.mark.parametrize(
    ("argv", "model", "dataset"),
    [
        (["--model", "a.keras", "evaluate"], "a.keras", None),
        (["--model", "a.keras", "evaluate", "--model", "b.keras"], "b.keras", None),
        (["--dataset", "d.npz", "evaluate"], None, "d.npz"),
        (["--data", "d.npz", "train"], None, "d.npz"),
        (["--dataset", "d.npz", "train", "--data", "e.npz"], None, "e.npz"),
        (["--model", "a.keras", "predict", "x.png"], "a.keras", None),
        (["--model", "a.keras", "read", "x.png"], "a.keras", None),
        (["--model", "a.keras", "export", "--format", "h5"], "a.keras", None),
    ],
)
def test_global_model_and_dataset_reach_the_command(argv, model, dataset):
    from mnist_desktop.cli import build_parser

    args = build_parser().parse_args(argv)
    assert args.model == model and args.dataset == dataset


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--model", "/no/such/model.keras", "evaluate"], "no such model"),
        (["--dataset", "/no/such/folder", "evaluate"], "/no/such/folder: no such file or folder"),
        (["--model", "/no/such/model.keras", "predict", "x.png"], "no such model"),
        (["export", "--model", "/some/where/x.tflite", "--format", "h5"], "cannot be converted back"),
    ],
)
def test_global_options_and_tflite_export_fail_clearly(args, expected):
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_a_prediction_keeps_stderr_empty_and_logs_to_the_log_file(tmp_path, digits):
    import cv2

    image = tmp_path / "seven.png"
    cv2.imwrite(str(image), 255 - cv2.resize(digits[7], (112, 112)))
    env = dict(os.environ, MNIST_DESKTOP_LOG_DIR=str(tmp_path / "logs"))
    result = run_cli("predict", str(image), env=env)
    assert result.returncode == 0 and result.stdout.startswith(f"{image}: 7")
    assert result.stderr == "", "LiteRT's XNNPACK notice (or anything else) leaked onto stderr"
    log = (tmp_path / "logs" / "mnist-desktop.log").read_text()
    assert "predict" in log and "DEBUG" in log


def test_verbose_shows_library_details_and_quiet_hides_news(tmp_path, digits):
    import cv2

    image = tmp_path / "one.png"
    cv2.imwrite(str(image), 255 - cv2.resize(digits[1], (112, 112)))
    env = dict(os.environ, MNIST_DESKTOP_LOG_DIR=str(tmp_path / "logs"))
    verbose = run_cli("-v", "predict", str(image), env=env)
    assert verbose.returncode == 0 and "debug:" in verbose.stderr
    quiet = run_cli("predict", "-q", str(image), "/no/such.png", env=env)
    assert quiet.returncode == 2 and quiet.stderr.strip().splitlines() == [
        "mnist-desktop: error: /no/such.png: no such file"]


def _documented_options() -> dict[str, list[str]]:
    """{command: its long options}, from the parser itself."""
    import argparse

    from mnist_desktop.cli import build_parser

    parser = build_parser()
    found = {"": [o for a in parser._actions for o in a.option_strings if o.startswith("--")]}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = [o for a in sub._actions if a.help != argparse.SUPPRESS
                               for o in a.option_strings if o.startswith("--")]
    return found


def test_help_and_readme_document_every_option():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = []
    for command, options in _documented_options().items():
        help_text = run_cli(*([command] if command else []), "--help").stdout
        for option in options:
            if option not in help_text:
                missing.append(f"--help of {command or PROG}: {option}")
            if option not in readme and option not in ("--help",):
                missing.append(f"README: {command} {option}")
    assert not missing, "\n".join(missing)


def test_ctrl_c_during_a_log_write_prints_no_logging_error():
    """Ctrl+C arriving while the main thread is inside a log write (a race seen in the Ctrl+C
    training test: "--- Logging error --- ... reentrant call"): the signal handler must not write a
    log record itself; the stop is still announced, once, by the training's should-stop hook."""
    import logging
    import signal
    import threading

    from mnist_desktop import cli

    stop = threading.Event()
    writes: list[str] = []
    reentered: list[str] = []

    class InterruptedWhileWriting(logging.Handler):
        writing = False

        def emit(self, record: logging.LogRecord) -> None:
            if self.writing:
                reentered.append(record.getMessage())
                return
            self.writing = True
            try:
                if not writes:
                    signal.raise_signal(signal.SIGINT)  # Python runs the handler right here
                writes.append(record.getMessage())
            finally:
                self.writing = False

    logger = logging.getLogger(cli.__name__)
    handler = InterruptedWhileWriting(level=logging.DEBUG)
    logger.addHandler(handler)
    try:
        with cli._stop_on_ctrl_c(stop):
            logger.warning("epoch 1/200 …")
            should_stop = cli._stop_requested(stop)
            assert should_stop() and should_stop()
    finally:
        logger.removeHandler(handler)
    assert stop.is_set()
    assert reentered == []
    assert [w for w in writes if w.startswith("stopping at the end of this batch")] == [writes[1]]
