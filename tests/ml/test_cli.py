"""The headless CLI, tried as a user would: train, evaluate, predict, export."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest


ROOT = Path(__file__).resolve().parents[2]


def child_env(**extra: str) -> dict[str, str]:
    """This checkout first on the path: a child run in another folder must test this code."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path, **extra)


def cli(*args: str, cwd=None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnist_desktop", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=child_env())


@pytest.mark.slow
def test_train_json_lines_then_files(tmp_path):
    result = cli("train", "--arch", "mlp", "--epochs", "2", "--train-size", "1000", "--json",
                 "--out", str(tmp_path / "m"))
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["event"] for line in lines] == ["epoch", "epoch", "done"]
    assert lines[1]["epoch"] == 1 and 0 < lines[1]["val_accuracy"] <= 1
    assert lines[-1]["test_accuracy"] > 0.6 and len(lines[-1]["files"]) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.keras", "m.tflite"]


def test_evaluate_json_and_report(tiny_model_path, tmp_path):
    result = cli("evaluate", "--model", str(tiny_model_path), "--json", "--report", str(tmp_path / "report"))
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout)
    assert 0 < data["accuracy"] <= 1 and len(data["confusion_matrix"]) == 10
    assert all(len(data[key]) == 10 for key in ("precision", "recall", "f1"))
    assert sum(map(sum, data["confusion_matrix"])) == 10_000
    assert (tmp_path / "report" / "report.html").is_file()


def test_evaluate_prints_a_readable_table(tiny_model_path):
    result = cli("evaluate", "--model", str(tiny_model_path))
    assert result.returncode == 0
    assert "accuracy" in result.stdout and "confusion matrix" in result.stdout and "precision" in result.stdout


def test_predict_image_files(tiny_model_path, tmp_path, digits):
    files = []
    for d in (0, 1, 7):
        picture = 255 - cv2.resize(digits[d], (140, 140), interpolation=cv2.INTER_CUBIC)  # dark on white
        path = tmp_path / f"digit{d}.png"
        cv2.imwrite(str(path), picture)
        files.append(str(path))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((50, 50), 255, np.uint8))
    result = cli("predict", *files, "--model", str(tiny_model_path), "--json")
    assert result.returncode == 0, result.stderr
    readings = json.loads(result.stdout)
    assert [r["file"] for r in readings] == files
    assert all(abs(sum(r["probabilities"]) - 1) < 1e-3 and 0 <= r["digit"] <= 9 for r in readings)
    bad = cli("predict", str(blank), str(tmp_path / "missing.png"), "--model", str(tiny_model_path))
    assert bad.returncode == 2
    assert "blank" in bad.stderr and "missing.png: no such file" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("fmt", ["h5", "tflite"])
def test_export(tiny_model_path, tmp_path, fmt):
    result = cli("export", "--model", str(tiny_model_path), "--format", fmt, "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / f"out.{fmt}").stat().st_size > 10_000


def test_export_refuses_an_existing_target_unless_forced(tiny_model_path, tmp_path):
    target = tmp_path / "out.tflite"
    target.write_bytes(b"an older export")
    refused = cli("export", "--model", str(tiny_model_path), "--format", "tflite", "--out", str(target))
    assert refused.returncode == 2 and refused.stderr.strip().endswith("out.tflite: already exists; use --force to replace it")
    assert target.read_bytes() == b"an older export"
    forced = cli("export", "--model", str(tiny_model_path), "--format", "tflite", "--out", str(target), "--force")
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert target.stat().st_size > 10_000 and [p.name for p in tmp_path.iterdir()] == ["out.tflite"]


@pytest.mark.parametrize(
    ("out", "expected"),
    [(None, "classic"), ("m", "m"), ("m.keras", "m.keras"), ("sub/", "sub/classic"), (".", "classic"),
     ("existing", "existing/classic")],
)
def test_train_output_is_resolved_and_checked_before_training(tmp_path, monkeypatch, out, expected):
    from mnist_desktop.cli import _model_output

    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    assert _model_output(out, "classic") == Path(expected)


@pytest.mark.slow
def test_a_full_disk_while_writing_a_report_is_one_line_and_keeps_the_old_report(tmp_path, monkeypatch, capsys):
    from mnist_desktop.cli import main

    report = tmp_path / "report"
    assert main(["evaluate", "--report", str(report)]) == 0
    before = {p.name: p.read_bytes() for p in report.iterdir()}
    capsys.readouterr()

    def disk_full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    assert main(["evaluate", "--report", str(report)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"mnist-desktop: error: {report}: no space left on the disk holding it"]
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in report.iterdir()} == before


@pytest.mark.slow
def test_train_on_a_subset_with_another_keras_backend_logs_and_full_metadata(tmp_path):
    env = child_env(KERAS_BACKEND="jax", MNIST_DESKTOP_LOG_DIR=str(tmp_path / "app-logs"))
    result = subprocess.run(
        [sys.executable, "-m", "mnist_desktop", "train", "--arch", "mlp", "--epochs", "2", "--train-size", "2000",
         "--device", "cpu", "--log-dir", str(tmp_path / "runs"), "--out", str(tmp_path / "m")],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == ["mnist-desktop: warning: KERAS_BACKEND=jax ignored: MNIST Desktop trains with TensorFlow"]
    assert "1,800 training images, validating on 200" in result.stderr
    assert "60,000" not in result.stderr
    assert "Training on: CPU" in result.stderr

    metadata = json.loads((tmp_path / "m.json").read_text())
    assert metadata["epochs_run"] == 2
    assert metadata["training"]["train_size"] == 2000 and metadata["training"]["device"].startswith("CPU")
    assert metadata["training"]["global_batch_size"] == metadata["training"]["batch_size"]

    rows = (tmp_path / "runs" / "training.csv").read_text().splitlines()
    assert rows[0].startswith("epoch,") and "val_loss" in rows[0] and len(rows) == 3
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path / "runs" / "validation"))
    events.Reload()
    tags = events.Tags()["tensors"] + events.Tags()["scalars"]
    assert "epoch_loss" in tags and "epoch_accuracy" in tags
    losses = events.Tensors("epoch_loss") if "epoch_loss" in events.Tags()["tensors"] else events.Scalars("epoch_loss")
    assert [event.step for event in losses] == [0, 1]
    assert "training ended (completed)" in (tmp_path / "app-logs" / "mnist-desktop.log").read_text()


def test_without_tensorboard_the_csv_is_written_and_the_install_is_named(tmp_path, monkeypatch, mnist):
    import logging

    from mnist_desktop.ml import training

    monkeypatch.setattr(training, "tensorboard_available", lambda: False)
    config = training.TrainingConfig.for_architecture("mlp", epochs=1, train_size=500)
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("mnist_desktop.ml.training").addHandler(handler)
    try:
        training.train(mnist, config, log_dir=tmp_path / "runs")
    finally:
        logging.getLogger("mnist_desktop.ml.training").removeHandler(handler)
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["training.csv"]
    assert any("pip install tensorboard" in r.getMessage() for r in records if r.levelno == logging.WARNING)


def _first_epoch_then(process: subprocess.Popen, send) -> list[dict]:
    """Read JSON lines until the first epoch is reported, then ``send`` (a signal) and read the rest."""
    lines = []
    for line in process.stdout:
        lines.append(json.loads(line))
        if lines[-1]["event"] == "epoch":
            send()
            break
    lines.extend(json.loads(line) for line in process.stdout)
    process.wait(timeout=120)
    return lines


@pytest.mark.slow
def test_ctrl_c_saves_the_best_so_far_and_exits_130(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "mnist_desktop", "train", "--arch", "mlp", "--epochs", "200", "--patience", "0",
         "--train-size", "2000", "--json", "--out", str(tmp_path / "m"), "--checkpoint", str(tmp_path / "best.keras")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
    lines = _first_epoch_then(process, lambda: process.send_signal(signal.SIGINT))
    stderr = process.stderr.read()
    assert process.returncode == 130, stderr[-2000:]
    assert lines[-1]["event"] == "done" and lines[-1]["stop_reason"] == "stopped by user", lines
    assert len(lines) - 1 < 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras", "m.json", "m.keras", "m.tflite"]
    assert "Traceback" not in stderr
    from mnist_desktop.ml.modelio import load_keras_model

    assert load_keras_model(tmp_path / "best.keras").output_shape == (None, 10)


@pytest.mark.slow
def test_resume_after_kill_9_continues_from_the_last_epoch(tmp_path):
    command = [sys.executable, "-m", "mnist_desktop", "train", "--arch", "mlp", "--epochs", "25", "--patience", "0",
               "--train-size", "1000", "--json", "--resume", str(tmp_path / "backup"), "--out", str(tmp_path / "m")]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env())
    seen = _first_epoch_then(first, first.kill)
    assert first.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not (tmp_path / "m.keras").exists() and any((tmp_path / "backup").iterdir())
    killed_after = max(line["epoch"] for line in seen if line["event"] == "epoch")

    second = subprocess.run(command, capture_output=True, text=True, timeout=300, env=child_env())
    assert second.returncode == 0, second.stderr[-2000:]
    epochs = [json.loads(line)["epoch"] for line in second.stdout.splitlines()[:-1]]
    assert epochs[0] >= killed_after + 1 and epochs == list(range(epochs[0], 25)), epochs
    metadata = json.loads((tmp_path / "m.json").read_text())
    assert metadata["training"]["resumed_from_epoch"] == epochs[0]
    assert metadata["epochs_run"] == 25 and metadata["training"]["epochs_run_here"] == 25 - epochs[0]
    assert not (tmp_path / "backup").exists() or not any((tmp_path / "backup").iterdir())


def test_evaluate_json_in_scikit_learn_layout(tiny_model_path):
    result = cli("evaluate", "--model", str(tiny_model_path), "--json", "sklearn")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert set(report) == {*map(str, range(10)), "accuracy", "macro avg", "weighted avg"}
    assert set(report["macro avg"]) == {"precision", "recall", "f1-score", "support"}
    assert report["macro avg"]["support"] == 10_000 and 0 < report["7"]["f1-score"] <= 1
    app = json.loads(cli("evaluate", "--model", str(tiny_model_path), "--json").stdout)
    assert report["accuracy"] == pytest.approx(app["accuracy"])


def test_export_defaults_to_the_current_folder(tiny_model_path, tmp_path):
    before = sorted(tiny_model_path.parent.iterdir())
    result = cli("--model", str(tiny_model_path), "export", "--format", "h5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / f"{tiny_model_path.stem}.h5").stat().st_size > 10_000
    assert sorted(tiny_model_path.parent.iterdir()) == before, "nothing is written beside the source model"
