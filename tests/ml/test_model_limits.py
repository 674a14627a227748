"""Model loading runs under a time budget: a file that makes a loader spin is refused, not waited on."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mnist_desktop.core.errors import ModelError
from mnist_desktop.ml.modelio import within_time_budget

REPOSITORY = Path(__file__).resolve().parents[2]


def test_a_load_past_its_time_budget_is_refused_and_abandoned(tmp_path):
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"slow.h5: took longer than 0.3 s to load, the limit; refused"):
        within_time_budget(tmp_path / "slow.h5", lambda: release.wait(30), seconds=0.3)
    assert time.monotonic() - started < 5
    release.set()


def test_a_load_within_its_budget_returns_its_result_or_its_error(tmp_path):
    assert within_time_budget(tmp_path / "m.keras", lambda: 42, seconds=5) == 42
    with pytest.raises(ModelError, match="bad"):
        within_time_budget(tmp_path / "m.keras", lambda: (_ for _ in ()).throw(ModelError("bad")), seconds=5)


def test_after_the_work_a_ctrl_c_cannot_interrupt_the_teardown():
    # Once a command has finished, SIGINT is ignored: LiteRT's Interpreter.__del__ at exit would
    # otherwise print "Exception ignored in ... KeyboardInterrupt" after a successful save.
    code = ("import signal, sys; from mnist_desktop.cli import main; sys.argv = ['mnist-desktop', 'read', "
            "'/no/such.png']; main(); print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPOSITORY, timeout=60)
    assert result.stdout.strip() == "True", result.stderr


def _savedmodel(folder: Path) -> Path:
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"graph")
    return folder


@pytest.mark.parametrize(
    ("make", "fmt", "overwrite", "expected"),
    [
        (lambda d: d / "new", "savedmodel", False, None),
        (lambda d: _savedmodel(d / "old"), "savedmodel", False, "already exists; use --force"),
        (lambda d: _savedmodel(d / "old"), "savedmodel", True, None),
        (lambda d: (d / "empty").mkdir() or d / "empty", "savedmodel", True, None),
        (lambda d: _savedmodel(d / "p") and (d / "p" / "thesis.txt").write_text("x") and d / "p", "savedmodel", True,
         r"p: holds files that are not part of a SavedModel \(thesis.txt\); it is not replaced"),
        (lambda d: (d / "p").mkdir() or (d / "p" / "thesis.txt").write_text("x") and d / "p", "savedmodel", True,
         "a folder that is not a SavedModel; it is not replaced"),
        (lambda d: (d / "m.keras").mkdir() or d / "m", "keras", True, r"m.keras: is a folder; expected a file here"),
        (lambda d: d / "notes.txt", "tflite", False, None),
    ],
    ids=["new-folder", "savedmodel-exists", "savedmodel-forced", "empty-folder-forced", "savedmodel-with-extra-file",
         "other-folder-forced", "folder-where-a-file-goes", "suffix-replaced"],
)
def test_export_targets_are_checked_before_any_work(tmp_path, make, fmt, overwrite, expected):
    from mnist_desktop.core.errors import OutputError
    from mnist_desktop.ml.modelio import check_export_target

    target = make(tmp_path)
    if expected is None:
        checked = check_export_target(target, fmt, overwrite=overwrite)
        assert checked.suffix == {"savedmodel": target.suffix, "keras": ".keras", "tflite": ".tflite"}[fmt]
    else:
        with pytest.raises(OutputError, match=expected):
            check_export_target(target, fmt, overwrite=overwrite)


def test_a_data_set_too_small_to_split_says_how_many_images_it_needs(tmp_path):
    from mnist_desktop import load_dataset
    from mnist_desktop.core.errors import TrainingError
    from mnist_desktop.ml.training import TrainingConfig, select_training_data

    one_row = tmp_path / "one.csv"
    one_row.write_text("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n7," + ",".join(["0"] * 784) + "\n")
    data = load_dataset(one_row)
    config = TrainingConfig.for_architecture("classic", validation_fraction=0.1)
    with pytest.raises(TrainingError, match=r"one: 1 images are too few to hold out a stratified 10%: it needs at "
                                            r"least 2 images, with at least 2 of every class"):
        select_training_data(data, config)
