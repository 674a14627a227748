"""Model files: save (``NAME.keras`` + LiteRT ``NAME.tflite`` + ``NAME.json`` metadata), load safely,
export (.keras, .h5, SavedModel, .tflite).

A save of the three files is one commit: the new set is written whole into a hidden folder beside
the model (``.NAME.XXXX.tmp-save``), which is renamed to ``.NAME.save-commit`` once complete; that
rename is the commit. The files are then moved into place, the metadata last. A save killed before
the commit leaves the old set as it was; one killed after it is finished by the next load or save
(and a loader that cannot write reads the rest of the new set from the commit folder). So the old or
the new model always loads, never a mix. Leftovers of killed saves are removed by the next save.

Loading always uses Keras safe mode, refuses archives and configurations beyond fixed limits before
Keras sees them, runs under a time budget, and checks the model is a 28x28x1 -> 10-class softmax
digit model.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mnist_desktop.core import files
from mnist_desktop.core.errors import ModelError, OutputError
from mnist_desktop.core.quiet import quiet_output

METADATA_VERSION = 1
EXPORT_FORMATS = ("keras", "h5", "savedmodel", "tflite")

# Limits on what a model file may ask for before anything is decompressed or built. A digit model
# is a few MB (the shipped one 1.5 MB); these leave room for models 100 times larger.
MAX_MODEL_BYTES = 512 * 1024 * 1024  # a .keras archive's members, uncompressed, all together
MAX_ARCHIVE_MEMBERS = 1000
MAX_CONFIG_BYTES = 16 * 1024 * 1024
MAX_CONFIG_DEPTH = 64
MAX_LAYERS = 1000
# Any single size in a layer's configuration (units, filters, kernel size, shape): a Dense layer of
# 10^9 units would otherwise be built (allocated and initialised) before its weights are read.
MAX_LAYER_SIZE = 65536
MAX_METADATA_BYTES = 4 * 1024 * 1024
# Seconds a model may take to load; a legitimate digit model takes well under 5.
LOAD_SECONDS = float(os.environ.get("MNIST_DESKTOP_MODEL_LOAD_SECONDS", "60"))


# ---------------------------------------------------------------- atomic writes
def write_bytes_atomically(target: Path, data: bytes) -> None:
    files.write_bytes_atomically(target, data)


def save_keras_atomically(model: Any, target: Path) -> None:
    with files.atomic_path(Path(target)) as temporary, files.output_errors(target):
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


# A test hook: called with the name of each file operation of a save just before it runs (tests kill
# the process there to check that the old or the new model always loads).
_on_save_step: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if _on_save_step is not None:
        _on_save_step(name)


def save_model(
    model: Any, path: Path | str, metadata: dict[str, Any], *, tflite: bytes | None = None
) -> tuple[Path, Path, Path]:
    """Write NAME.keras, NAME.tflite and NAME.json as one commit; returns their paths.

    `OutputError` (naming the model) for a full or read-only disk or an unusable path; the old
    model, if any, is then untouched.
    """
    validate_model(model)
    keras_path = model_paths(path)[0]
    files.check_output(keras_path)
    tflite_bytes = tflite if tflite is not None else to_tflite(model)
    return save_model_files(path, model.save, tflite_bytes, metadata)


def save_model_files(
    path: Path | str, write_keras: Callable[[Path], Any], tflite: bytes, metadata: dict[str, Any]
) -> tuple[Path, Path, Path]:
    """The file work of `save_model`: ``write_keras(path)`` writes the .keras file (see the module
    docstring for how the three files become one commit)."""
    paths = keras_path, tflite_path, json_path = model_paths(path)
    folder = keras_path.parent
    with files.output_errors(keras_path):
        folder.mkdir(parents=True, exist_ok=True)
        for target in paths:
            if target.is_dir():
                raise OutputError(f"{target}: is a folder; cannot save a model file there")
        _finish_interrupted_save(paths)
        files.remove_leftovers(keras_path)
        _step("make the staging folder")
        stage = Path(tempfile.mkdtemp(prefix=files.temporary_prefix(keras_path), suffix=".tmp-save", dir=folder))
    try:
        with files.output_errors(keras_path):
            _step("write the staged .keras")
            write_keras(stage / keras_path.name)
            _step("write the staged .tflite")
            (stage / tflite_path.name).write_bytes(tflite)
            metadata = dict(metadata)
            metadata["name"] = keras_path.stem
            metadata["files"] = {
                "keras": {"name": keras_path.name, "sha256": _sha256(stage / keras_path.name)},
                "tflite": {"name": tflite_path.name, "sha256": hashlib.sha256(tflite).hexdigest()},
            }
            _step("write the staged .json")
            (stage / json_path.name).write_text(json.dumps(metadata, indent=2, default=_json_default),
                                                encoding="utf-8")
            for staged in stage.iterdir():
                # mkdtemp makes a private folder; a model is an ordinary document.
                os.chmod(staged, 0o666 & ~files.current_umask())
            files.fsync_tree(stage)
            _step("commit")
            os.replace(stage, _commit_folder(keras_path))
            files.fsync_dir(folder)
    except BaseException:
        files.remove_quietly(stage)
        raise
    with files.output_errors(keras_path):
        _move_committed(paths)
    return paths


def _commit_folder(keras_path: Path) -> Path:
    return keras_path.with_name(f".{keras_path.stem}.save-commit")


def _move_committed(paths: tuple[Path, Path, Path]) -> None:
    """Move a committed set into place (the .json last: it names the checksums), then drop its folder."""
    committed = _commit_folder(paths[0])
    for target in paths:
        staged = committed / target.name
        if staged.exists():
            _step(f"move {target.suffix} into place")
            os.replace(staged, target)
    files.fsync_dir(paths[0].parent)
    _step("remove the commit folder")
    shutil.rmtree(committed)


def _finish_interrupted_save(paths: tuple[Path, Path, Path]) -> None:
    if _commit_folder(paths[0]).is_dir():
        _move_committed(paths)


def current_model_files(path: Path | str) -> tuple[Path, Path, Path]:
    """(keras, tflite, json) of the model's last committed save.

    Finishes a save that was killed after its commit; where that is impossible (a read-only
    folder), the files still waiting in the commit folder are read from there.
    """
    paths = model_paths(path)
    committed = _commit_folder(paths[0])
    if not committed.is_dir():
        return paths
    try:
        _move_committed(paths)
        return paths
    except OSError:
        waiting = tuple(committed / p.name for p in paths)
        return tuple(w if w.is_file() else p for w, p in zip(waiting, paths))  # type: ignore[return-value]


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
    json_path = current_model_files(path)[2]
    if not json_path.exists():
        return None
    problem = files.regular_file_problem(json_path)
    if problem:
        raise ModelError(f"{json_path}: {problem}")
    if json_path.stat().st_size > MAX_METADATA_BYTES:
        raise ModelError(f"{json_path}: the metadata is larger than {MAX_METADATA_BYTES // 1024} KB, the limit")
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ModelError(f"{json_path}: the metadata is unreadable ({reason})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{json_path}: the metadata is not a JSON object")
    _check_metadata(json_path, data)
    return data


_HISTORY_NUMBERS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "learning_rate")


def _check_metadata(json_path: Path, data: dict[str, Any]) -> None:
    """The parts of the metadata the app relies on must have the right shape."""
    def bad(key: str, expected: str) -> ModelError:
        return ModelError(f"{json_path}: malformed metadata: {key!r} must be {expected}")

    listed = data.get("files")
    if listed is not None:
        if not isinstance(listed, dict) or not all(
            isinstance(entry, dict) and isinstance(entry.get("sha256", ""), str) for entry in listed.values()
        ):
            raise bad("files", "an object of {\"name\": ..., \"sha256\": ...} entries")
    history = data.get("history")
    if history is not None and not (
        isinstance(history, list) and all(isinstance(record, dict) for record in history)
        and all(record.get(key) is None or (isinstance(record[key], (int, float)) and not isinstance(record[key], bool))
                for record in history for key in _HISTORY_NUMBERS)
    ):
        raise bad("history", "a list of objects of numbers (one per epoch)")
    for key in ("test", "training", "dataset", "versions"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise bad(key, "an object")
    for key in ("name", "architecture", "title"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise bad(key, "a string")
    accuracy = (data.get("test") or {}).get("accuracy")
    if accuracy is not None and (isinstance(accuracy, bool) or not isinstance(accuracy, (int, float))):
        raise bad("test.accuracy", "a number")


def check_file_matches(path: Path, kind: str, metadata: dict[str, Any] | None) -> None:
    """Refuse a model file that is not the one its metadata describes (files mixed by hand)."""
    expected = ((metadata or {}).get("files") or {}).get(kind, {}).get("sha256")
    if expected and _sha256(path) != expected:
        raise ModelError(
            f"{path}: does not match its metadata ({model_paths(path)[2].name}); "
            "the files come from different saves. Save or export the model again."
        )


# ---------------------------------------------------------------- loading
def load_keras_model(path: Path | str) -> Any:
    """A Keras model from .keras or .h5, in safe mode, checked to be a digit classifier."""
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix == ".keras":
        path = current_model_files(path)[0]
    check_model_file(path)
    if suffix not in (".keras", ".h5", ".hdf5"):
        raise ModelError(f"{path}: not a Keras model file (expected .keras or .h5)")

    def load() -> Any:
        if suffix == ".keras":
            _refuse_unsafe_config(path, _keras_config_text(path))
            check_file_matches(path, "keras", read_metadata(path))
        else:
            _refuse_unsafe_config(path, _h5_config_text(path))
        from mnist_desktop.ml.tf_runtime import import_tensorflow

        _, keras = import_tensorflow()
        try:
            return keras.saving.load_model(path, compile=False, safe_mode=True)
        except ModelError:
            raise
        except RecursionError:
            raise ModelError(f"{path}: the model configuration is nested too deeply") from None
        except Exception as exc:  # noqa: BLE001 - Keras raises many types for bad files
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "safe_mode" in str(exc) or "Lambda" in str(exc):
                raise ModelError(f"{path}: refused: it contains code (a Lambda layer) that could run on load") from None
            raise ModelError(f"{path}: cannot be loaded as a Keras model ({message[:200]})") from None

    model = within_time_budget(path, load)
    validate_model(model, path)
    return model


def within_time_budget(path: Path, work: Callable[[], Any], seconds: float | None = None) -> Any:
    """``work()`` or, if it runs past the budget, a `ModelError`: a crafted file must not hang the
    app. The work goes on in a daemon thread (it cannot be killed), which the process abandons."""
    budget = LOAD_SECONDS if seconds is None else seconds
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name=f"loading {path.name}", daemon=True)
    thread.start()
    thread.join(budget)
    if thread.is_alive():
        raise ModelError(f"{path}: took longer than {budget:g} s to load, the limit; refused")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def check_model_file(path: Path) -> None:
    """`ModelError` unless ``path`` is a regular, readable, non-empty model file within the size limit."""
    problem = files.regular_file_problem(path)
    if problem == "no such file":
        raise ModelError(f"{path}: no such model file")
    if problem:
        raise ModelError(f"{path}: {problem}")
    if path.stat().st_size == 0:
        raise ModelError(f"{path}: the model file is empty")
    if path.stat().st_size > MAX_MODEL_BYTES:
        raise ModelError(f"{path}: larger than {MAX_MODEL_BYTES >> 20} MB, the limit for a model file")


def _keras_config_text(path: Path) -> str:
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path}: not a valid .keras file (it is not a zip archive; truncated or corrupt)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise ModelError(f"{path}: holds {len(members)} files, more than {MAX_ARCHIVE_MEMBERS}, the limit")
            unpacked = sum(member.file_size for member in members)
            if unpacked > MAX_MODEL_BYTES:
                raise ModelError(f"{path}: unpacks to {unpacked >> 20} MB, more than {MAX_MODEL_BYTES >> 20} MB, "
                                 "the limit (a zip bomb?)")
            config = archive.getinfo("config.json")
            if config.file_size > MAX_CONFIG_BYTES:
                raise ModelError(f"{path}: its config.json is larger than {MAX_CONFIG_BYTES >> 20} MB, the limit")
            return archive.read(config).decode("utf-8", errors="replace")
    except KeyError:
        raise ModelError(f"{path}: not a Keras model archive (no config.json inside)") from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise ModelError(f"{path}: the archive is damaged or truncated ({exc})") from None


def _h5_config_text(path: Path) -> str:
    import h5py

    # h5py's visit callbacks stop the walk by returning a value (an exception raised inside them
    # is mangled into a SystemError): each returns the problem it found.
    def check(name: str, link: Any) -> str | None:
        if isinstance(link, h5py.ExternalLink):
            return f"{path}: refused: {name} links to another file ({link.filename})"
        return None

    sizes = {"bytes": 0, "objects": 0}

    def measure(name: str, item: Any) -> str | None:
        sizes["objects"] += 1
        if sizes["objects"] > 100 * MAX_LAYERS:
            return f"{path}: holds more than {100 * MAX_LAYERS} objects, the limit"
        if isinstance(item, h5py.Dataset):
            if item.is_virtual or item.id.get_create_plist().get_external_count():
                return f"{path}: refused: {name} keeps its data in other files"
            sizes["bytes"] += int(item.size) * item.dtype.itemsize
            if sizes["bytes"] > MAX_MODEL_BYTES:
                return f"{path}: its arrays hold more than {MAX_MODEL_BYTES >> 20} MB, the limit"
        return None

    try:
        with h5py.File(path, "r") as handle:
            problem = handle.visititems_links(check) or handle.visititems(measure)
            if problem:
                raise ModelError(problem)
            if "model_config" not in handle.attrs:
                raise ModelError(f"{path}: an HDF5 file without a model inside (weights only?)")
            if handle.attrs.get_id("model_config").get_storage_size() > MAX_CONFIG_BYTES:
                raise ModelError(f"{path}: its model configuration is larger than {MAX_CONFIG_BYTES >> 20} MB, the limit")
            config = handle.attrs.get("model_config")
    except ModelError:
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
        raise ModelError(f"{path}: not a readable HDF5 model ({str(exc).splitlines()[0][:200]})") from None
    if config is None:
        raise ModelError(f"{path}: an HDF5 file without a model inside (weights only?)")
    return config.decode("utf-8", errors="replace") if isinstance(config, bytes) else str(config)


# Layer settings that size what Keras allocates when it builds the model.
_SIZE_KEYS = frozenset({
    "units", "filters", "kernel_size", "pool_size", "strides", "dilation_rate", "output_dim", "input_dim",
    "depth_multiplier", "batch_shape", "batch_input_shape", "shape", "target_shape", "size", "n", "axis",
})


def _refuse_unsafe_config(path: Path, config_text: str) -> None:
    # Keras safe mode refuses Lambda layers too; checking first gives a clearer message and does
    # not depend on every loader path honouring safe_mode. The size checks come before Keras builds
    # anything: a config can ask for layers far too big to allocate.
    if len(config_text) > MAX_CONFIG_BYTES:
        raise ModelError(f"{path}: the model configuration is larger than {MAX_CONFIG_BYTES >> 20} MB, the limit")
    try:
        config = json.loads(config_text)
    except json.JSONDecodeError:
        raise ModelError(f"{path}: the model configuration is not valid JSON (corrupt file)") from None
    except RecursionError:
        raise ModelError(f"{path}: the model configuration is nested too deeply") from None
    layers = 0
    for node in _walk(config, path):
        if not isinstance(node, dict):
            continue
        if node.get("class_name") in ("Lambda", "TFOpLambda", "function"):
            raise ModelError(f"{path}: refused: it contains a {node['class_name']} layer, code that could run on load")
        if "class_name" in node and isinstance(node.get("config"), dict) and "trainable" in node["config"]:
            layers += 1
            if layers > MAX_LAYERS:
                raise ModelError(f"{path}: more than {MAX_LAYERS} layers, the limit")
        for key in _SIZE_KEYS & node.keys():
            values = node[key] if isinstance(node[key], list) else [node[key]]
            for value in values:
                if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_LAYER_SIZE:
                    raise ModelError(f"{path}: a layer asks for {key}={value}, more than {MAX_LAYER_SIZE}, "
                                     "the limit for a digit model")


def _walk(node: Any, path: Path, depth: int = 0) -> Iterator[Any]:
    if depth > MAX_CONFIG_DEPTH:
        raise ModelError(f"{path}: the model configuration is nested deeper than {MAX_CONFIG_DEPTH} levels, the limit")
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value, path, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, path, depth + 1)


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
def export_target(target: Path | str, fmt: str) -> Path:
    """Where `export_model` writes: ``target`` with the format's suffix (a SavedModel is a folder)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    target = Path(target).expanduser()
    suffix = {"keras": ".keras", "h5": ".h5", "tflite": ".tflite", "savedmodel": ""}[fmt]
    if suffix and target.suffix != suffix and target.name not in ("", ".", ".."):
        target = target.with_suffix(suffix)
    return target


def check_export_target(target: Path | str, fmt: str, *, overwrite: bool = False) -> Path:
    """Refuse, before any work, a target the export could not write or must not replace.

    An existing target is replaced only with ``overwrite``, and only by one of its own kind: a file
    by a file, a SavedModel folder by a SavedModel. A folder holding anything else is never
    replaced (its contents are not the export's to delete), nor is a file turned into a folder.
    """
    target = export_target(target, fmt)
    folder = fmt == "savedmodel"
    files.check_output(target, folder=folder, overwrite=overwrite)
    if folder and target.is_dir() and any(target.iterdir()):
        if not (target / "saved_model.pb").is_file():
            raise OutputError(f"{target}: a folder that is not a SavedModel; it is not replaced (choose a new name)")
        others = sorted(entry.name for entry in target.iterdir() if entry.name not in _SAVEDMODEL_PARTS)
        if others:
            raise OutputError(f"{target}: holds files that are not part of a SavedModel ({', '.join(others[:3])}); "
                              "it is not replaced (choose a new name)")
    return target


# What `model.export(..., format="tf_saved_model")` writes: a folder of only these may be replaced.
_SAVEDMODEL_PARTS = frozenset({"saved_model.pb", "saved_model.pbtxt", "variables", "assets", "fingerprint.pb",
                               "keras_metadata.pb"})


def export_model(model: Any, target: Path | str, fmt: str, *, overwrite: bool = False) -> Path:
    """Write ``model`` in format ``fmt`` (keras, h5, savedmodel, tflite) to ``target``, atomically.

    See `check_export_target` for what may be replaced; `OutputError` otherwise.
    """
    target = check_export_target(target, fmt, overwrite=overwrite)
    validate_model(model)
    if fmt == "tflite":
        files.write_bytes_atomically(target, to_tflite(model))
    elif fmt == "savedmodel":
        with files.atomic_path(target, directory=True) as temporary, files.output_errors(target), quiet_output():
            model.export(str(temporary), format="tf_saved_model", verbose=False)
    else:
        with files.atomic_path(target) as temporary, files.output_errors(target):
            model.save(temporary)
    return target
