"""Fast inference on LiteRT: ~50 us a digit on 2 cores, no TensorFlow import (~0.1 s to load).

`Predictor` is safe to call from several threads at once (the Draw tab on the GUI thread, the
camera on its own): each thread gets its own interpreters, since a LiteRT interpreter is not
re-entrant. Small batches (up to `_EXACT_BATCH`, what reading one picture makes) get an interpreter
of their own size; larger ones are padded to a power of two, so a handful of interpreter shapes
serve every batch size without re-allocating tensors on each call.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.core.dataset import NUM_CLASSES
from mnist_desktop.core.errors import ModelError

_MAX_BATCH = 256
# Reading a picture runs 1-4 marks at a time in 92% of its batches (319 batches of 300 tune
# pictures), and a batch of 3 padded to 4 costs the not-a-digit ensemble half as much again: up to
# here, each size gets its own interpreter. Each interpreter holds its own packed weights and
# buffers (about 2 MiB here): own sizes up to 16 would cost 60 MiB more per reading thread.
_EXACT_BATCH = 6
# How much the gate's opinion of which digit a mark is counts against the digit model's when marks
# in pictures are read (`Predictor.read_marks`); calibrated on the bench's TUNE split.
SECOND_OPINION = 0.5
_xnnpack_notice_pending = True  # LiteRT's one-time notice is still to come (see Predictor._interpreter)


class Predictor:
    """Class probabilities for uint8 N x 28 x 28 images in MNIST polarity."""

    outputs = NUM_CLASSES  # values per image
    # The digit/not-digit model (`ml.not_digit`) if one is attached: readings then say "not a digit".
    gate = None

    def __init__(self, model_content: bytes, *, path: Path | None = None,
                 metadata: dict[str, Any] | None = None, threads: int = 2) -> None:
        self.path = path
        self.metadata = metadata or {}
        self._content = model_content
        self._threads = threads
        self._local = threading.local()
        # Fail now, with a clear message, rather than on the first drawing. The model's own input
        # signature is checked before any tensor is resized (a resize would make any shape fit).
        self._check_signature()

    # ------------------------------------------------------------ what the GUI shows
    @property
    def name(self) -> str:
        return self.metadata.get("name") or (self.path.stem if self.path else "model")

    @property
    def architecture(self) -> str | None:
        return self.metadata.get("architecture")

    @property
    def test_accuracy(self) -> float | None:
        value = (self.metadata.get("test") or {}).get("accuracy")
        return float(value) if value is not None else None

    def describe(self) -> str:
        accuracy = self.test_accuracy
        return f"{self.name} ({accuracy:.2%} on MNIST test)" if accuracy is not None else self.name

    # ------------------------------------------------------------ inference
    def read_marks(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(N x 10 probabilities, N digit scores or None without a gate) for marks found in pictures.

        With a gate, its own opinion on which digit a mark is (it has seen other hands than MNIST's:
        fonts, strokes, markers) is folded in as a weighted geometric mean; `predict` and everything
        measured on MNIST stay this model's alone."""
        probabilities = self.predict(images)
        if self.gate is None:
            return probabilities, None
        scores, second_opinion = self.gate.scores_and_digits(images)
        combined = np.exp((1 - SECOND_OPINION) * np.log(np.maximum(probabilities, 1e-9))
                          + SECOND_OPINION * np.log(np.maximum(second_opinion, 1e-9)))
        return (combined / combined.sum(axis=1, keepdims=True)).astype(np.float32), scores

    def predict(self, images: np.ndarray) -> np.ndarray:
        """(N, 10) float32 probabilities; a single 28x28 image gives (1, 10).

        uint8 images are 0-255, other numbers are taken as 0-1. Images with NaN or infinite pixels
        are refused with a `ValueError` (they would give NaN probabilities, not a reading).
        """
        images = np.asarray(images)
        if images.dtype.kind not in "uifb":
            raise ValueError(f"expected numeric N x 28 x 28 images, got {images.dtype}")
        if images.ndim == 2:
            images = images[None]
        if images.ndim == 4 and images.shape[-1] == 1:
            images = images[..., 0]
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(f"expected N x 28 x 28 images, got shape {images.shape}")
        if images.dtype.kind == "f" and not np.isfinite(images).all():
            bad = int(np.flatnonzero((~np.isfinite(images)).any(axis=(1, 2)))[0])
            raise ValueError(f"image {bad} has NaN or infinite pixel values; expected numbers 0-1 (or uint8 0-255)")
        scale = 1.0 / 255.0 if images.dtype == np.uint8 else 1.0
        count = len(images)
        out = np.empty((count, self.outputs), np.float32)
        for start in range(0, count, _MAX_BATCH):
            chunk = images[start:start + _MAX_BATCH]
            out[start:start + len(chunk)] = self._run(chunk, scale)
        return out

    def _run(self, chunk: np.ndarray, scale: float) -> np.ndarray:
        size = len(chunk) if len(chunk) <= _EXACT_BATCH else 1 << (len(chunk) - 1).bit_length()
        interpreter, input_index, output_index = self._interpreter(size)
        batch = np.zeros((size, 28, 28, 1), np.float32)
        np.multiply(chunk, np.float32(scale), out=batch[: len(chunk), ..., 0], casting="unsafe")
        interpreter.set_tensor(input_index, batch)
        interpreter.invoke()
        return interpreter.get_tensor(output_index)[: len(chunk)]

    def _interpreter(self, size: int):
        """(interpreter, input index, output index) for this thread and batch size."""
        global _xnnpack_notice_pending
        cache = getattr(self._local, "interpreters", None)
        if cache is None:
            cache = self._local.interpreters = {}
        entry = cache.get(size)
        if entry is None:
            from ai_edge_litert.interpreter import Interpreter

            from mnist_desktop.core.quiet import quiet_native_stderr

            try:
                # LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." straight to
                # the C-level stderr, ignoring every log setting, once per process, when the first
                # interpreter is made; it would break one-line-on-stderr.
                with quiet_native_stderr() if _xnnpack_notice_pending else contextlib.nullcontext():
                    interpreter = Interpreter(model_content=self._content, num_threads=self._threads)
                    details = interpreter.get_input_details()[0]
                    if tuple(details["shape"]) != (size, 28, 28, 1):
                        interpreter.resize_tensor_input(details["index"], [size, 28, 28, 1])
                    interpreter.allocate_tensors()
                entry = (interpreter, details["index"], interpreter.get_output_details()[0]["index"])
                _xnnpack_notice_pending = False
            except (ValueError, RuntimeError, IndexError) as exc:
                where = f"{self.path}: " if self.path else ""
                raise ModelError(f"{where}not a usable LiteRT model ({str(exc).splitlines()[0][:200]})") from None
            cache[size] = entry
        return entry

    def _check_signature(self) -> None:
        from ai_edge_litert.interpreter import Interpreter

        where = f"{self.path}: " if self.path else ""
        try:
            interpreter = Interpreter(model_content=self._content, num_threads=self._threads)
            inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
        except (ValueError, RuntimeError, IndexError) as exc:
            raise ModelError(f"{where}not a usable LiteRT model ({str(exc).splitlines()[0][:200]})") from None
        self._check_shapes(inputs, outputs, where)
        try:
            probe = self._run(np.zeros((1, 28, 28), np.uint8), 1.0)
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{where}not a usable LiteRT model ({str(exc).splitlines()[0][:200]})") from None
        self._check_probe(probe, where)

    def _check_shapes(self, inputs: list[dict], outputs: list[dict], where: str) -> None:
        if len(inputs) != 1 or tuple(inputs[0]["shape"][1:]) != (28, 28, 1) or inputs[0]["dtype"] != np.float32:
            shape = tuple(int(v) for v in inputs[0]["shape"][1:]) if inputs else ()
            kind = np.dtype(inputs[0]["dtype"]).name if inputs else "nothing"
            raise ModelError(f"{where}expects input {shape} {kind}, not float32 28x28x1 images")
        if len(outputs) != 1 or tuple(outputs[0]["shape"][1:]) != (NUM_CLASSES,):
            shape = tuple(int(v) for v in outputs[0]["shape"][1:]) if outputs else ()
            raise ModelError(f"{where}outputs {shape}, not {NUM_CLASSES} class probabilities")

    def _check_probe(self, probe: np.ndarray, where: str) -> None:
        if not np.all(np.isfinite(probe)) or abs(float(probe.sum()) - 1.0) > 1e-3 or probe.min() < 0:
            raise ModelError(f"{where}its outputs are not probabilities (no softmax at the end)")


def load_predictor(path: str | Path | None = None, *, threads: int = 2) -> Predictor:
    """The LiteRT predictor for a model: ``None`` = the shipped default model.

    ``path`` may name NAME.tflite, NAME.keras, NAME.json or NAME. A .keras or .h5 without a
    .tflite beside it is converted (this loads TensorFlow, a few seconds).
    """
    from mnist_desktop.ml.modelio import check_file_matches, check_model_file, current_model_files, read_metadata
    from mnist_desktop.paths import default_model

    path = Path(path).expanduser() if path is not None else default_model()
    if path.suffix.lower() in (".h5", ".hdf5"):
        return _with_gate(_converted(path, threads), threads)
    keras_path, tflite_path, _ = current_model_files(path)
    if not tflite_path.exists() and not tflite_path.is_symlink():
        if keras_path.exists():
            return _with_gate(_converted(keras_path, threads), threads)
        raise ModelError(f"{path}: no such model (looked for {tflite_path.name} and {keras_path.name})")
    check_model_file(tflite_path)
    metadata = read_metadata(tflite_path)
    check_file_matches(tflite_path, "tflite", metadata)
    try:
        content = tflite_path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{tflite_path}: cannot be read ({exc.strerror or exc})") from None
    return _with_gate(Predictor(content, path=tflite_path, metadata=metadata, threads=threads), threads)


def _with_gate(predictor: Predictor, threads: int) -> Predictor:
    """Any digit model gets the shipped digit/not-digit check: it looks at the input, not the model."""
    predictor.gate = load_gate(threads=threads)
    return predictor


def _converted(path: Path, threads: int) -> Predictor:
    from mnist_desktop.ml.modelio import load_keras_model, read_metadata, to_tflite

    model = load_keras_model(path)
    metadata = read_metadata(path) if path.suffix == ".keras" else None
    metadata = dict(metadata or {}, name=(metadata or {}).get("name", path.stem))
    return Predictor(to_tflite(model), path=path, metadata=metadata, threads=threads)


# ------------------------------------------------------------------------------ digit or not
GATE_NAME = "not_digit"


def gate_path() -> Path:
    from mnist_desktop.paths import models_dir

    return models_dir() / f"{GATE_NAME}.tflite"


class DigitGate(Predictor):
    """LiteRT runner for the digit/not-digit model (`ml.not_digit`): eleven probabilities per input,
    the ten digits and "not a digit"."""

    outputs = NUM_CLASSES + 1

    def digit_scores(self, images: np.ndarray) -> np.ndarray:
        """How likely each input is a digit at all, 0..1."""
        return self.scores_and_digits(images)[0]

    def scores_and_digits(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(digit scores, N x 10 probabilities of each digit given that it is one), in one run."""
        out = self.predict(images)
        digits = out[:, :NUM_CLASSES]
        return 1.0 - out[:, NUM_CLASSES], digits / np.maximum(digits.sum(axis=1, keepdims=True), 1e-12)

    def _check_shapes(self, inputs: list[dict], outputs: list[dict], where: str) -> None:
        if len(inputs) != 1 or tuple(inputs[0]["shape"][1:]) != (28, 28, 1):
            raise ModelError(f"{where}not a digit/not-digit model (it does not take 28x28x1 images)")
        if len(outputs) != 1 or tuple(outputs[0]["shape"][1:]) != (self.outputs,):
            raise ModelError(f"{where}not a digit/not-digit model (it does not give {self.outputs} probabilities)")

    def _check_probe(self, probe: np.ndarray, where: str) -> None:
        if not np.all(np.isfinite(probe)) or probe.min() < 0 or probe.max() > 1:
            raise ModelError(f"{where}its output is not a probability")


def load_gate(path: Path | None = None, threads: int = 2) -> DigitGate | None:
    """The shipped digit/not-digit model, or None if it is not there (readings then skip the check)."""
    from mnist_desktop.ml.modelio import check_file_matches, read_metadata

    path = path or gate_path()
    if not path.is_file():
        return None
    metadata = read_metadata(path)
    check_file_matches(path, "tflite", metadata)
    return DigitGate(path.read_bytes(), path=path, metadata=metadata, threads=threads)
