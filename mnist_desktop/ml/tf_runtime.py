"""The one place TensorFlow and Keras are imported (~5 s), only when needed; and which devices train.

Importing is quiet (TensorFlow's native start-up chatter never reaches the terminal) but changes no
global log level: how loud TensorFlow and absl are is the application's choice (`mnist_desktop.logs`
makes it for the CLI and the window), not a library's.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

from mnist_desktop.core.errors import TrainingError
from mnist_desktop.core.quiet import quiet_output

logger = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "gpu")


def tensorflow_loaded() -> bool:
    """Whether the ~5 s import already happened (the CLI then skips its "Loading TensorFlow…")."""
    return "tensorflow" in sys.modules


@lru_cache(maxsize=1)
def import_tensorflow() -> tuple[ModuleType, ModuleType]:
    """(tensorflow, keras), with Keras on its TensorFlow backend."""
    _insist_on_the_tensorflow_backend()
    with quiet_output():  # CUDA probes and CPU-flag notices go to the C-level stderr
        import tensorflow as tf  # noqa: PLC0415 - deliberately lazy
        import keras  # noqa: PLC0415

        tf.config.list_physical_devices()  # device discovery (and its CUDA probe) happens here
    return tf, keras


def _insist_on_the_tensorflow_backend() -> None:
    """Models here are TensorFlow models (LiteRT conversion, SavedModel export): a KERAS_BACKEND
    the user set for other work must not break this process, so it is overridden, with a word."""
    asked = os.environ.get("KERAS_BACKEND")
    if asked and asked != "tensorflow":
        if "keras" in sys.modules:
            import keras  # noqa: PLC0415 - already imported, free

            if keras.backend.backend() != "tensorflow":
                raise TrainingError(f"Keras was already loaded with the {keras.backend.backend()!r} backend; "
                                    "MNIST Desktop needs the TensorFlow backend (unset KERAS_BACKEND)")
        logger.warning("KERAS_BACKEND=%s ignored: MNIST Desktop trains with TensorFlow", asked)
    os.environ["KERAS_BACKEND"] = "tensorflow"


@dataclass(frozen=True)
class DevicePlan:
    """Where training runs: a description for people, and the distribution strategy to build in."""

    description: str  # "NVIDIA H100 80GB HBM3", "2 x NVIDIA A100", "CPU, 2 cores", "2 logical CPUs"
    kind: str  # "gpu" or "cpu"
    replicas: int  # devices taking part in each step
    strategy: Any  # a tf.distribute.Strategy; the default one for a single device


def cluster_machines() -> int:
    """How many machines TF_CONFIG (the variable tf.distribute reads) puts in the cluster; 1 without it."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return 1
    try:
        cluster = json.loads(raw)["cluster"]
        return len(cluster.get("worker", [])) + len(cluster.get("chief", []))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise TrainingError('TF_CONFIG is not JSON of the form {"cluster": {"worker": ["host:port", ...]}, '
                            '"task": {"type": "worker", "index": 0}}') from None


def plan_devices(choice: str = "auto") -> DevicePlan:
    """The devices to train on: ``auto`` takes every GPU TensorFlow sees, else the CPU; ``gpu``
    fails clearly without one; ``cpu`` hides the GPUs from this process (call before any op runs).

    Several devices (GPUs, or CPUs split into logical devices) train with ``MirroredStrategy``:
    every device holds a copy of the model and takes its share of each batch."""
    if choice not in DEVICES:
        raise TrainingError(f"unknown device {choice!r}; choose one of {', '.join(DEVICES)}")
    if cluster_machines() > 1:
        # Tried: Keras 3's fit fails under MultiWorkerMirroredStrategy (first reducing a whole batch,
        # then its metrics), upstream keras-team/keras#20585. Say so rather than fail mid-run.
        raise TrainingError("TF_CONFIG describes several machines, but training across machines "
                            "(MultiWorkerMirroredStrategy) does not work with Keras 3 yet "
                            "(keras-team/keras#20585): unset TF_CONFIG and train on one machine with all its GPUs")
    tf, _ = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    if choice == "gpu" and not gpus:
        raise TrainingError("no GPU visible to TensorFlow: install a CUDA-enabled TensorFlow "
                            "(pip install 'tensorflow[and-cuda]') or use --device cpu")
    if choice == "cpu" and gpus:
        try:
            tf.config.set_visible_devices([], "GPU")
        except RuntimeError:  # the runtime has started: GPUs can no longer be hidden
            logger.warning("the GPU is already in use by this process; training may use it")
        gpus = []
    if gpus:
        for gpu in gpus:
            try:
                # A desktop app shares the GPU with the screen and other programs: take memory as
                # needed rather than all of it up front.
                tf.config.experimental.set_memory_growth(gpu, True)
            except (RuntimeError, ValueError):  # already initialised by this process: leave it
                pass
        names = [_gpu_name(tf, gpu) for gpu in gpus]
        logical = tf.config.list_logical_devices("GPU")
        if len(logical) > 1:
            description = f"{len(logical)} x {names[0]}" if len(set(names)) == 1 else ", ".join(names)
            strategy = tf.distribute.MirroredStrategy([device.name for device in logical])
            return DevicePlan(description, "gpu", len(logical), strategy)
        return DevicePlan(names[0], "gpu", 1, tf.distribute.get_strategy())
    logical = tf.config.list_logical_devices("CPU")
    if len(logical) > 1:
        strategy = tf.distribute.MirroredStrategy([device.name for device in logical])
        return DevicePlan(f"{len(logical)} logical CPUs", "cpu", len(logical), strategy)
    cores = os.cpu_count() or 1
    return DevicePlan(f"CPU, {cores} core{'s' if cores != 1 else ''}", "cpu", 1, tf.distribute.get_strategy())


def _gpu_name(tf, gpu) -> str:
    try:
        return tf.config.experimental.get_device_details(gpu).get("device_name") or gpu.name
    except (RuntimeError, ValueError):  # pragma: no cover - a driver that reports nothing
        return gpu.name
