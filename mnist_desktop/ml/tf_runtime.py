"""The one place TensorFlow and Keras are imported (~5 s), quietly and only when needed."""

from __future__ import annotations

import os
from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=1)
def import_tensorflow() -> tuple[ModuleType, ModuleType]:
    """(tensorflow, keras). Silences TensorFlow's start-up chatter (CUDA probes, CPU flags)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    # This app trains on the CPU; probing for CUDA only prints errors on machines without it.
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    from mnist_desktop.ml.modelio import quiet_output

    with quiet_output():  # start-up chatter goes to the C-level stderr before logging is set up
        import tensorflow as tf  # noqa: PLC0415 - deliberately lazy
        import keras  # noqa: PLC0415

        tf.config.list_physical_devices()  # device discovery (and its CUDA probe) happens here

    tf.get_logger().setLevel("ERROR")
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # pragma: no cover - absl ships with TensorFlow
        pass
    return tf, keras
