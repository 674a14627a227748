"""The headless CLI, tried as a user would: train, evaluate, predict, export."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest


def cli(*args: str, cwd=None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mnist_desktop", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


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
