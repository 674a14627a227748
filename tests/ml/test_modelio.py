"""Model files: saved as a set, written atomically, loaded safely, exported in four formats."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from mnist_desktop import ModelError, load_predictor
from mnist_desktop.core.errors import OutputError
from mnist_desktop.ml.modelio import (
    export_model,
    load_keras_model,
    read_metadata,
    save_model,
)
from mnist_desktop.ml.tf_runtime import import_tensorflow


def test_saving_writes_keras_tflite_and_metadata(tiny_model_path):
    folder = tiny_model_path.parent
    assert sorted(p.name for p in folder.iterdir()) == ["tiny.json", "tiny.keras", "tiny.tflite"]
    meta = json.loads((folder / "tiny.json").read_text())
    assert meta["name"] == "tiny" and meta["architecture"] == "classic" and meta["params"] == 225_034
    assert set(meta["files"]) == {"keras", "tflite"}
    assert meta["training"]["epochs"] == 1 and len(meta["history"]) == 1


def test_saved_model_loads_back_identically(tiny_run, tiny_model_path):
    trained, data = tiny_run
    model = load_keras_model(tiny_model_path)
    x = data.x_test[:16].astype(np.float32)[..., None] / 255
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(trained.model(x)), atol=1e-6)
    predictor = load_predictor(tiny_model_path)
    np.testing.assert_allclose(predictor.predict(data.x_test[:16]), np.asarray(trained.model(x)), atol=1e-5)
    assert predictor.name == "tiny"


def test_a_failed_save_leaves_the_previous_model_intact(tiny_run, tiny_model_path, tmp_path, monkeypatch):
    trained, _ = tiny_run
    target = tmp_path / "good"
    save_model(trained.model, target, trained.metadata, tflite=trained.tflite)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def disk_full(self, path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"PK\x03\x04 half a model")
        raise OSError(28, "No space left on device")

    _, keras = import_tensorflow()
    monkeypatch.setattr(keras.Model, "save", disk_full)
    with pytest.raises(OutputError, match="good.keras: no space left on the disk holding it"):
        save_model(trained.model, target, trained.metadata, tflite=trained.tflite)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before, "the good model must be untouched and no temporary file left behind"
    monkeypatch.undo()
    load_predictor(target.with_suffix(".tflite"))


def _copy_model(tiny_model_path, folder):
    for path in tiny_model_path.parent.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder / "tiny.keras"


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda p: p.unlink(), "no such model file"),
        (lambda p: p.write_bytes(b""), "the model file is empty"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "not a valid .keras file|truncated|damaged"),
        (lambda p: p.write_bytes(b"\x00garbage" * 100), "not a valid .keras file"),
    ],
    ids=["missing", "empty", "truncated", "corrupt"],
)
def test_bad_keras_files_raise_model_error(tiny_model_path, tmp_path, damage, expected):
    path = _copy_model(tiny_model_path, tmp_path)
    damage(path)
    with pytest.raises(ModelError, match=expected):
        load_keras_model(path)


def test_a_keras_file_that_does_not_match_its_metadata_is_refused(tiny_model_path, tmp_path):
    path = _copy_model(tiny_model_path, tmp_path)
    meta = read_metadata(path)
    meta["files"]["keras"]["sha256"] = "0" * 64
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="does not match its metadata"):
        load_keras_model(path)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda p: p.write_bytes(b""), "the model file is empty"),
        (lambda p: p.write_bytes(b"TFL3" + b"\x01" * 300), "does not match its metadata"),
        (lambda p: (p.with_suffix(".json").unlink(), p.write_bytes(b"\x00" * 64)), "not a usable LiteRT model"),
    ],
    ids=["empty", "mismatch", "corrupt"],
)
def test_bad_tflite_files_raise_model_error(tiny_model_path, tmp_path, damage, expected):
    path = _copy_model(tiny_model_path, tmp_path).with_suffix(".tflite")
    damage(path)
    with pytest.raises(ModelError, match=expected):
        load_predictor(path)


@pytest.mark.slow  # imports TensorFlow (~5 s)
def test_a_lambda_layer_is_refused(tmp_path):
    _, keras = import_tensorflow()
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Lambda(lambda t: t * 2.0)(inputs)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    model.save(tmp_path / "hostile.keras")
    model.save(tmp_path / "hostile.h5")
    for name in ("hostile.keras", "hostile.h5"):
        with pytest.raises(ModelError, match="Lambda layer"):
            load_keras_model(tmp_path / name)
    with pytest.raises(ModelError, match="Lambda"):
        load_predictor(tmp_path / "hostile.keras")


@pytest.mark.slow  # imports TensorFlow (~5 s)
@pytest.mark.parametrize(
    ("shape", "classes", "activation", "expected"),
    [((32, 32, 1), 10, "softmax", r"expects input \(32, 32, 1\)"), ((28, 28, 1), 5, "softmax", r"outputs \(5,\)"),
     ((28, 28, 1), 10, "linear", "not a softmax")],
)
def test_wrongly_shaped_models_are_refused(tmp_path, shape, classes, activation, expected):
    _, keras = import_tensorflow()
    model = keras.Sequential([keras.Input(shape), keras.layers.Flatten(), keras.layers.Dense(classes, activation=activation)])
    model.save(tmp_path / "odd.keras")
    with pytest.raises(ModelError, match=expected):
        load_keras_model(tmp_path / "odd.keras")


@pytest.mark.parametrize("fmt", ["keras", "h5", "savedmodel", "tflite"])
def test_export_formats(tiny_run, tmp_path, fmt):
    trained, data = tiny_run
    target = export_model(trained.model, tmp_path / "exported", fmt)
    reference = trained.predictor.predict(data.x_test[:8])
    if fmt in ("keras", "h5"):
        model = load_keras_model(target)
        got = np.asarray(model(data.x_test[:8].astype(np.float32)[..., None] / 255))
    elif fmt == "tflite":
        got = load_predictor(target).predict(data.x_test[:8])
    else:
        assert (target / "saved_model.pb").is_file()
        tf, _ = import_tensorflow()
        loaded = tf.saved_model.load(str(target))
        got = np.asarray(loaded.serve(data.x_test[:8].astype(np.float32)[..., None] / 255))
    np.testing.assert_allclose(got, reference, atol=1e-5)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert not leftovers


@pytest.mark.slow  # imports TensorFlow (~5 s)
def test_keras_archive_without_config_is_refused(tmp_path):
    path = tmp_path / "empty-archive.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", "{}")
    with pytest.raises(ModelError, match="no config.json"):
        load_keras_model(path)
