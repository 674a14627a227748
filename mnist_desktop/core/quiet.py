"""Silencing native libraries that write straight to the process's stdout/stderr (file descriptors 1
and 2), below Python's logging: TensorFlow's start-up, the LiteRT converter, LiteRT's XNNPACK notice.

Plain OS calls, so in core: `tf_runtime` and `modelio` (which each need it) import it without importing
each other, and `core.frames` mutes OpenCV's AVI parser with it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

_redirect_lock = threading.RLock()  # re-entrant: a quiet block may call another


@contextlib.contextmanager
def quiet_output() -> Iterator[None]:
    """Silence stdout and stderr, Python's and the C level's: the converter and SavedModel export
    print pass logs and signatures there, which would garble the CLI's output (and its --json)."""
    with _redirect_lock:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, ValueError):
                pass
        saved = [os.dup(1), os.dup(2)]
        try:
            with open(os.devnull, "wb") as devnull, open(os.devnull, "w") as sink, \
                    contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                os.dup2(devnull.fileno(), 1)
                os.dup2(devnull.fileno(), 2)
                yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence only the C level's stderr (fd 2) for a short call on any thread; Python's
    ``sys.stderr`` object is left alone. Never waits: while another thread has the output silenced
    (an import or a conversion, seconds long) fd 2 already goes nowhere, so the call runs as is."""
    if not _redirect_lock.acquire(blocking=False):
        yield
        return
    try:
        try:
            sys.stderr.flush()
        except (AttributeError, ValueError):
            pass
        saved = os.dup(2)
        try:
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 2)
                yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    finally:
        _redirect_lock.release()
