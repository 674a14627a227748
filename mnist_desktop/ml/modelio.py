"""Model files: save (``NAME.keras`` + LiteRT ``NAME.tflite`` + ``NAME.json`` metadata), load safely,
export (.keras, .h5, SavedModel, .tflite).

Every write goes to a temporary file in the target folder and is then renamed over the old file, so
a crash or a full disk never leaves a half-written model where a good one was. Loading always uses
Keras safe mode and checks the model is a 28x28x1 -> 10-class softmax digit model.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mnist_desktop.core.errors import ModelError
from mnist_desktop.ml.quiet import quiet_output

METADATA_VERSION = 1
EXPORT_FORMATS = ("keras", "h5", "savedmodel", "tflite")


# ---------------------------------------------------------------- atomic writes
@contextlib.contextmanager
def atomic_path(target: Path, *, directory: bool = False) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = "" if directory else target.suffix
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{suffix}", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    if directory:
        temporary.unlink()
    try:
        yield temporary
        if not directory:
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            # mkstemp makes private files; a model is an ordinary document.
            os.chmod(temporary, 0o666 & ~_umask())
        if directory and target.exists():
            # Directories cannot be renamed over; move the old one aside first, then drop it.
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(temporary, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, target)
    except BaseException:
        if temporary.is_dir():
            shutil.rmtree(temporary, ignore_errors=True)
        else:
            temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomically(target: Path, data: bytes) -> None:
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)


def save_keras_atomically(model: Any, target: Path) -> None:
    with atomic_path(Path(target)) as temporary:
        model.save(temporary)


# ---------------------------------------------------------------- conversion
def to_tflite(model: Any) -> bytes:
    """LiteRT flatbuffer of a Keras model (float32, built-in ops only)."""
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    tf, _ = import_tensorflow()
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    with quiet_output():
        return converter.convert()


# ---------------------------------------------------------------- saving
def model_paths(path: Path | str) -> tuple[Path, Path, Path]:
    """(NAME.keras, NAME.tflite, NAME.json) for NAME, NAME.keras, NAME.tflite or NAME.json."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".keras", ".tflite", ".json", ".h5") else path
    return stem.with_suffix(".keras"), stem.with_suffix(".tflite"), stem.with_suffix(".json")


def library_versions() -> dict[str, str]:
    import numpy

    from mnist_desktop import __version__
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    tf, keras = import_tensorflow()
    return {
        "mnist_desktop": __version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def build_metadata(result: Any, *, test_metrics: dict[str, Any] | None = None) -> dict[str, Any]:
    """Metadata for a `TrainingResult`: what was trained, on what, how, and how well."""
    from mnist_desktop.ml.architectures import get_architecture

    arch = get_architecture(result.config.architecture)
    return {
        "format_version": METADATA_VERSION,
        "architecture": arch.name,
        "title": arch.title,
        "params": int(result.model.count_params()),
        "training": result.config.to_dict(),
        "seed": result.config.seed,
        "dataset": {
            "name": result.dataset_name,
            "sha256": result.dataset_checksum,
            **{f"{k}_images": v for k, v in result.counts.items()},
        },
        "history": [record.to_dict() for record in result.history],
        "best_epoch": result.best_epoch,
        "stop_reason": result.stop_reason,
        "training_seconds": round(result.seconds, 2),
        "test": test_metrics
        or ({"accuracy": result.test_accuracy, "loss": result.test_loss} if result.test_accuracy is not None else {}),
        "versions": library_versions(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def save_model(
    model: Any, path: Path | str, metadata: dict[str, Any], *, tflite: bytes | None = None
) -> tuple[Path, Path, Path]:
    """Write NAME.keras, NAME.tflite and NAME.json; returns their paths.

    All three are produced in temporary files first; the renames happen only once all exist, the
    metadata last, with the checksums of the other two so a mismatched set is detected on load.
    """
    validate_model(model)
    keras_path, tflite_path, json_path = model_paths(path)
    tflite_bytes = tflite if tflite is not None else to_tflite(model)
    with atomic_path(keras_path) as keras_tmp, atomic_path(tflite_path) as tflite_tmp:
        model.save(keras_tmp)
        tflite_tmp.write_bytes(tflite_bytes)
        metadata = dict(metadata)
        metadata["name"] = keras_path.stem
        metadata["files"] = {
            "keras": {"name": keras_path.name, "sha256": _sha256(keras_tmp)},
            "tflite": {"name": tflite_path.name, "sha256": hashlib.sha256(tflite_bytes).hexdigest()},
        }
        text = json.dumps(metadata, indent=2, default=_json_default)
    write_bytes_atomically(json_path, text.encode("utf-8"))
    return keras_path, tflite_path, json_path


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_metadata(path: Path | str) -> dict[str, Any] | None:
    """The metadata beside a model, or None when there is none (a bare .keras or .h5)."""
    json_path = model_paths(path)[2]
    if not json_path.is_file():
        return None
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{json_path}: the metadata is unreadable ({exc})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{json_path}: the metadata is not a JSON object")
    return data


def check_file_matches(path: Path, kind: str, metadata: dict[str, Any] | None) -> None:
    """Refuse a model file that is not the one its metadata describes (an interrupted save)."""
    expected = ((metadata or {}).get("files") or {}).get(kind, {}).get("sha256")
    if expected and _sha256(path) != expected:
        raise ModelError(
            f"{path}: does not match its metadata ({model_paths(path)[2].name}); "
            "the files come from different saves. Save or export the model again."
        )


# ---------------------------------------------------------------- loading
def load_keras_model(path: Path | str) -> Any:
    """A Keras model from .keras or .h5, in safe mode, checked to be a digit classifier."""
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix not in (".keras", ".h5", ".hdf5"):
        raise ModelError(f"{path}: not a Keras model file (expected .keras or .h5)")
    if suffix == ".keras":
        if not zipfile.is_zipfile(path):
            raise ModelError(f"{path}: not a valid .keras file (it is not a zip archive; truncated or corrupt)")
        _refuse_unsafe_config(path, _keras_config_text(path))
        check_file_matches(path, "keras", read_metadata(path))
    else:
        _refuse_unsafe_config(path, _h5_config_text(path))

    from mnist_desktop.ml.tf_runtime import import_tensorflow

    _, keras = import_tensorflow()
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - Keras raises many types for bad files
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "safe_mode" in str(exc) or "Lambda" in str(exc):
            raise ModelError(f"{path}: refused: it contains code (a Lambda layer) that could run on load") from None
        raise ModelError(f"{path}: cannot be loaded as a Keras model ({message[:200]})") from None
    validate_model(model, path)
    return model


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ModelError(f"{path}: no such model file")
    if path.is_dir():
        raise ModelError(f"{path}: a folder, expected a model file")
    if path.stat().st_size == 0:
        raise ModelError(f"{path}: the model file is empty")


def _keras_config_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.read("config.json").decode("utf-8", errors="replace")
    except KeyError:
        raise ModelError(f"{path}: not a Keras model archive (no config.json inside)") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelError(f"{path}: the archive is damaged or truncated ({exc})") from None


def _h5_config_text(path: Path) -> str:
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            config = handle.attrs.get("model_config")
    except OSError as exc:
        raise ModelError(f"{path}: not a readable HDF5 model ({exc})") from None
    if config is None:
        raise ModelError(f"{path}: an HDF5 file without a model inside (weights only?)")
    return config.decode("utf-8", errors="replace") if isinstance(config, bytes) else str(config)


def _refuse_unsafe_config(path: Path, config_text: str) -> None:
    # Keras safe mode refuses Lambda layers too; checking first gives a clearer message and does
    # not depend on every loader path honouring safe_mode.
    try:
        config = json.loads(config_text)
    except json.JSONDecodeError:
        raise ModelError(f"{path}: the model configuration is not valid JSON (corrupt file)") from None
    for node in _walk(config):
        if isinstance(node, dict) and node.get("class_name") in ("Lambda", "TFOpLambda", "function"):
            raise ModelError(f"{path}: refused: it contains a {node['class_name']} layer, code that could run on load")


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def validate_model(model: Any, path: Path | str | None = None) -> None:
    """A digit model takes 28x28x1 images and ends in a 10-way softmax."""
    where = f"{path}: " if path else ""
    try:
        input_shape = tuple(model.inputs[0].shape)
        output_shape = tuple(model.outputs[0].shape)
    except (AttributeError, IndexError, TypeError):
        raise ModelError(f"{where}the model has no defined input and output") from None
    if len(model.inputs) != 1 or input_shape[1:] != (28, 28, 1):
        raise ModelError(f"{where}expects input {input_shape[1:]}, not a 28x28x1 image")
    if len(model.outputs) != 1 or output_shape[1:] != (10,):
        raise ModelError(f"{where}outputs {output_shape[1:]}, not 10 class probabilities")
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", None)
    if activation != "softmax" and type(last).__name__ != "Softmax":
        raise ModelError(f"{where}the last layer is not a softmax (it gives {activation or type(last).__name__})")


# ---------------------------------------------------------------- export
def export_model(model: Any, target: Path | str, fmt: str) -> Path:
    """Write ``model`` in format ``fmt`` (keras, h5, savedmodel, tflite) to ``target``, atomically."""
    target = Path(target)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    suffix = {"keras": ".keras", "h5": ".h5", "tflite": ".tflite", "savedmodel": ""}[fmt]
    if suffix and target.suffix != suffix:
        target = target.with_suffix(suffix)
    validate_model(model)
    if fmt == "tflite":
        write_bytes_atomically(target, to_tflite(model))
    elif fmt == "savedmodel":
        with atomic_path(target, directory=True) as temporary, quiet_output():
            model.export(str(temporary), format="tf_saved_model", verbose=False)
    else:
        with atomic_path(target) as temporary:
            model.save(temporary)
    return target
