"""Reports and other writes: switched in once complete, never over unrelated files, and a full or
read-only disk is one clear message with the old files untouched."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from mnist_desktop.core import files
from mnist_desktop.core.errors import OutputError
from mnist_desktop.core.metrics import Evaluation
from mnist_desktop.core.report import write_report


def _evaluation(wrong: int) -> tuple[Evaluation, np.ndarray]:
    labels = np.arange(40, dtype=np.uint8) % 10
    predicted = labels.copy()
    predicted[:wrong] = (predicted[:wrong] + 1) % 10
    probabilities = np.full((40, 10), 0.01, np.float32)
    probabilities[np.arange(40), predicted] = 0.91
    images = np.random.default_rng(0).integers(0, 256, (40, 28, 28)).astype(np.uint8)
    return Evaluation(labels, probabilities), images


def _write(folder: Path, wrong: int = 3, model: str = "first") -> dict[str, Path]:
    evaluation, images = _evaluation(wrong)
    return write_report(folder, evaluation, images=images, model_name=model, dataset_name="test")


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_full_disk_leaves_the_old_report_whole(tmp_path, monkeypatch):
    report = tmp_path / "report"
    _write(report)
    before = _contents(report)
    real_write = Path.write_bytes
    written = []

    def disk_fills_up(self, data):
        written.append(self.name)
        if len(written) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_fills_up)
    with pytest.raises(OutputError, match=r"report: no space left on the disk holding it$"):
        _write(report, model="second")
    monkeypatch.undo()
    assert _contents(report) == before, "no part of the old report may be replaced by a part of the new"
    assert not [p for p in report.parent.rglob(".*")], "no temporary files left behind"


def test_a_new_report_replaces_an_old_one_whole_and_keeps_other_files(tmp_path):
    report = tmp_path / "report"
    _write(report, wrong=3)
    (report / "my notes.txt").write_text("keep me")
    assert (report / "misclassified.png").is_file()
    _write(report, wrong=0, model="second")
    assert (report / "my notes.txt").read_text() == "keep me"
    assert not (report / "misclassified.png").exists(), "a stale part of the older report must go"
    assert '"model": "second"' in (report / "report.json").read_text()
    assert not [p for p in tmp_path.rglob(".*")]


def test_a_report_onto_a_file_is_refused_before_any_work(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    with pytest.raises(OutputError, match=r"notes.txt: is a file; expected a folder here"):
        _write(target)
    assert target.read_text() == "mine"


@pytest.mark.parametrize(
    ("code", "expected"),
    [(errno.ENOSPC, "no space left on the disk holding it"), (errno.EROFS, "the disk holding it is read-only"),
     (errno.EACCES, "permission denied"), (errno.EDQUOT, "no space left on the disk holding it")],
)
def test_os_errors_become_one_line_naming_the_target(tmp_path, code, expected):
    target = tmp_path / "model.tflite"
    with pytest.raises(OutputError, match=f"^{target}: {expected}$"):
        with files.output_errors(target):
            raise OSError(code, os.strerror(code), str(tmp_path / ".model.x1y2.tmp.tflite"))


def _file(path: Path) -> Path:
    path.write_text("x")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("make", "folder", "overwrite", "expected"),
    [
        (lambda d: Path("."), False, True, r"names a folder, not a file"),
        (lambda d: Path("/"), False, True, r"names a folder, not a file"),
        (lambda d: _file(d / "f") / "model.keras", False, True, r"f: is a file, so .* cannot be created"),
        (lambda d: _folder(d / "m.keras"), False, True, r"m.keras: is a folder; expected a file here"),
        (lambda d: _file(d / "m.keras"), False, False, r"m.keras: already exists; use --force"),
        (lambda d: _file(d / "r"), True, True, r"r: is a file; expected a folder here"),
    ],
    ids=["dot", "root", "parent-is-a-file", "folder-for-a-file", "exists", "file-for-a-folder"],
)
def test_unusable_outputs_are_refused_up_front(tmp_path, make, folder, overwrite, expected):
    with pytest.raises(OutputError, match=expected):
        files.check_output(make(tmp_path), folder=folder, overwrite=overwrite)


def test_atomic_path_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "kept.bin"
    target.write_bytes(b"old")
    with pytest.raises(OutputError, match="kept.bin: no space left"):
        with files.atomic_path(target) as temporary, files.output_errors(target):
            temporary.write_bytes(b"ne")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["kept.bin"]
    files.write_bytes_atomically(target, b"new")
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["kept.bin"]
