"""Logging for the applications (the CLI and the window); the library only ever calls
``logging.getLogger(__name__)`` and leaves configuration to whoever runs it.

`setup_logging` sends the app's own messages to stderr at the chosen verbosity and everything, in
detail, to a rotating log file in the platform's user log folder (the file to attach to a bug
report). It is also where the app, as the owner of its process, decides how loud TensorFlow and absl
may be: a library call never changes those behind its caller's back.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

APP_LOGGER = "mnist_desktop"
_CLI_LOGGER = "mnist_desktop.cli"
LOG_FILE_NAME = "mnist-desktop.log"
_MAX_BYTES = 1_000_000
_BACKUPS = 3


def log_dir() -> Path:
    """The user log folder (``MNIST_DESKTOP_LOG_DIR`` overrides it; tests and portable installs)."""
    override = os.environ.get("MNIST_DESKTOP_LOG_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_log_dir("mnist-desktop", appauthor=False))


def log_file() -> Path:
    """The current log file (what Help → Report a problem and the crash dialog point to)."""
    return log_dir() / LOG_FILE_NAME


class _ConsoleFormatter(logging.Formatter):
    """``mnist-desktop: warning: ...`` for problems, the bare message for progress news."""

    def __init__(self, prog: str) -> None:
        super().__init__()
        self.prog = prog

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{self.prog}: {record.levelname.lower()}: {message}"
        if record.levelno <= logging.DEBUG:
            return f"{self.prog}: debug: {record.name}: {message}"
        return message


def console_level(verbose: int = 0, quiet: int = 0) -> int:
    """INFO by default (what the command is doing), DEBUG with -v, WARNING with -q, ERROR with -qq."""
    steps = [logging.ERROR, logging.WARNING, logging.INFO, logging.DEBUG]
    return steps[max(0, min(len(steps) - 1, 2 + verbose - quiet))]


def setup_logging(verbose: int = 0, quiet: int = 0, *, prog: str = "mnist-desktop",
                  to_file: bool = True) -> Path | None:
    """Configure the app's loggers once per process; returns the log file (None if it cannot be
    written: a read-only home must not stop the app)."""
    app = logging.getLogger(APP_LOGGER)
    # Library warnings (Keras' UserWarnings...) go to the log file; to the terminal only with -v.
    warnings_logger = logging.getLogger("py.warnings")
    for logger in (app, warnings_logger):
        for handler in list(logger.handlers):
            if getattr(handler, "_mnist_desktop", False):
                logger.removeHandler(handler)
                handler.close()
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    level = console_level(verbose, quiet)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level)
    console.setFormatter(_ConsoleFormatter(prog))
    if verbose == 0:
        # By default the terminal gets the command's own news and everybody's problems; the
        # library's INFO details go to the log file (and to the terminal with -v).
        console.addFilter(lambda record: record.levelno >= logging.WARNING or record.name.startswith(_CLI_LOGGER))
    console._mnist_desktop = True  # type: ignore[attr-defined]
    app.addHandler(console)
    if verbose > 0:
        warnings_logger.addHandler(console)
    logging.captureWarnings(True)
    path = None
    if to_file:
        try:
            path = log_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS,
                                                           encoding="utf-8", delay=True)
        except OSError:
            path = None
        else:
            handler.setLevel(logging.DEBUG)
            handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
            handler._mnist_desktop = True  # type: ignore[attr-defined]
            app.addHandler(handler)
            warnings_logger.addHandler(handler)
    _third_party_levels(verbose)
    return path


def _third_party_levels(verbose: int) -> None:
    """TensorFlow's native and Python logs stay at errors unless asked for with -vv; set before
    TensorFlow loads (the native level is read once, at import)."""
    chatty = verbose >= 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if chatty else "2")
    level = logging.INFO if chatty else logging.ERROR
    logging.getLogger("tensorflow").setLevel(level)
    logging.getLogger("absl").setLevel(level)
