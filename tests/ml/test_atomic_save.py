"""A model save is one commit: killed at any point, the old or the new model loads, never neither.

The file work of a save (`save_model_files`) needs no TensorFlow, so each kill runs in a small
subprocess: a test hook calls ``os._exit`` just before the k-th file operation, for every k.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mnist_desktop import load_predictor
from mnist_desktop.core.errors import OutputError
from mnist_desktop.ml import modelio

REPOSITORY = Path(__file__).resolve().parents[2]
SHIPPED = REPOSITORY / "models" / "mnist_cnn"

CHILD = """
import json, os, sys
from pathlib import Path
from mnist_desktop.ml import modelio

target, source, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
steps = []

def kill_before(step):
    if len(steps) == kill_at:
        os._exit(9)
    steps.append(step)

modelio._on_save_step = kill_before
keras = (source / "new.keras").read_bytes()
modelio.save_model_files(target, lambda path: path.write_bytes(keras), (source / "new.tflite").read_bytes(),
                         {"generation": "new"})
print(json.dumps(steps))
"""


@pytest.fixture
def generations(tmp_path):
    """Old and new model contents: the shipped model, and a byte-different but valid copy."""
    source = tmp_path / "source"
    source.mkdir()
    keras, tflite = SHIPPED.with_suffix(".keras").read_bytes(), SHIPPED.with_suffix(".tflite").read_bytes()
    (source / "new.keras").write_bytes(keras + b"\0" * 16)
    (source / "new.tflite").write_bytes(tflite + b"\0" * 64)
    contents = {"old": (keras, tflite), "new": ((source / "new.keras").read_bytes(), (source / "new.tflite").read_bytes())}
    return source, contents


def save(target: Path, contents: dict, generation: str) -> None:
    keras, tflite = contents[generation]
    modelio.save_model_files(target, lambda path: path.write_bytes(keras), tflite, {"generation": generation})


def loaded_generation(target: Path, contents: dict) -> str:
    """Which complete save loads: its metadata, .tflite and .keras must all be of one generation."""
    predictor = load_predictor(target)
    generation = predictor.metadata["generation"]
    keras_path, tflite_path, _ = modelio.current_model_files(target)
    modelio.check_file_matches(keras_path, "keras", modelio.read_metadata(target))
    assert (keras_path.read_bytes(), tflite_path.read_bytes()) == contents[generation]
    return generation


def test_killed_at_every_step_the_old_or_the_new_model_loads(tmp_path, generations):
    source, contents = generations
    seen = []
    for kill_at in range(50):
        folder = tmp_path / f"kill-{kill_at}"
        folder.mkdir()
        target = folder / "m"
        save(target, contents, "old")
        result = subprocess.run([sys.executable, "-c", CHILD, str(target), str(source), str(kill_at)],
                                capture_output=True, text=True, cwd=REPOSITORY, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
        finished = result.returncode == 0
        assert finished or result.returncode == 9, result.stderr
        generation = loaded_generation(target, contents)
        seen.append(generation)
        if finished:
            steps = json.loads(result.stdout)
            assert generation == "new"
            break
        # The next save cleans up whatever the killed one left and works as usual.
        save(target, contents, "old")
        assert loaded_generation(target, contents) == "old"
        assert sorted(p.name for p in folder.iterdir()) == ["m.json", "m.keras", "m.tflite"]
    else:
        pytest.fail("the save never finished")
    assert len(steps) >= 8 and seen.count("old") >= 5 and seen.count("new") >= 3, (steps, seen)


def test_a_committed_save_is_read_from_its_folder_when_it_cannot_be_finished(tmp_path, generations, monkeypatch):
    source, contents = generations
    target = tmp_path / "m"
    save(target, contents, "old")

    class Killed(BaseException):
        pass

    def kill_after_first_move(step):
        if step == "move .tflite into place":
            raise Killed

    monkeypatch.setattr(modelio, "_on_save_step", kill_after_first_move)
    with pytest.raises(Killed):
        save(target, contents, "new")
    monkeypatch.setattr(modelio, "_on_save_step", None)

    # A read-only folder: the loader cannot move the rest into place, so it reads it where it is.
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", read_only)
    assert loaded_generation(target, contents) == "new"
    monkeypatch.undo()
    assert loaded_generation(target, contents) == "new"  # and once it can, it finishes the save
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "source") == ["m.json", "m.keras", "m.tflite"]


@pytest.mark.parametrize(("code", "message"), [(errno.ENOSPC, "no space left on the disk holding it"),
                                              (errno.EROFS, "the disk holding it is read-only"),
                                              (errno.EACCES, "permission denied")])
def test_a_failed_save_says_why_in_one_line_and_keeps_the_old_model(tmp_path, generations, code, message):
    _, contents = generations
    target = tmp_path / "m"
    save(target, contents, "old")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}

    def fail(path):
        path.write_bytes(b"half a model")
        raise OSError(code, os.strerror(code))

    with pytest.raises(OutputError, match=f"m.keras: {message}$"):
        modelio.save_model_files(target, fail, contents["new"][1], {"generation": "new"})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert loaded_generation(target, contents) == "old"


def test_leftovers_of_killed_saves_are_removed_by_the_next(tmp_path, generations):
    _, contents = generations
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / ".m.abc123.tmp.keras").write_bytes(b"leftover")
    (folder / ".m.xyz.tmp-save").mkdir()
    (folder / ".other.abc.tmp.keras").write_bytes(b"someone else's")
    save(folder / "m", contents, "new")
    assert sorted(p.name for p in folder.iterdir()) == [".other.abc.tmp.keras", "m.json", "m.keras", "m.tflite"]
