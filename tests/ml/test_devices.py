"""Devices: MirroredStrategy on a CPU split into two logical devices trains like one device and
saves the same kind of model; importing TensorFlow changes no global log level of the caller."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Imports TensorFlow and trains, in processes of their own.
pytestmark = pytest.mark.slow

# Trains the same small run, on one CPU or on the CPU split in two logical devices, and reports.
TRAIN = """
import json, sys
logical = int(sys.argv[1])
import tensorflow as tf
if logical > 1:
    (cpu,) = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * logical)
from mnist_desktop import load_dataset, load_predictor
from mnist_desktop.ml.trained import finish
from mnist_desktop.ml.training import TrainingConfig, train
data = load_dataset()
config = TrainingConfig.for_architecture("mlp", epochs=2, train_size=3000, batch_size=64, seed=3)
trained = finish(train(data, config), data)
keras_path, tflite_path, _ = trained.save(sys.argv[2])
predictor = load_predictor(tflite_path)
print(json.dumps({
    "run": trained.result.run, "val_accuracy": trained.result.history[-1].val_accuracy,
    "test_accuracy": trained.evaluation.accuracy, "model_class": type(trained.model).__name__,
    "layers": [type(layer).__name__ for layer in trained.model.layers],
    "variables": [type(v).__name__ for v in trained.model.weights][:1],
    "reloaded": float(predictor.predict(data.x_test[:5]).sum()),
}))
"""


def _run(logical: int, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1")
    return subprocess.Popen([sys.executable, "-c", TRAIN, str(logical), str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_mirrored_strategy_on_two_logical_cpus_matches_one_device(tmp_path):
    runs = {logical: _run(logical, tmp_path / f"m{logical}") for logical in (1, 2)}
    reports = {}
    for logical, process in runs.items():
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
        reports[logical] = json.loads(stdout.strip().splitlines()[-1])
    one, two = reports[1], reports[2]
    assert one["run"]["replicas"] == 1 and one["run"]["device"].startswith("CPU")
    assert two["run"]["replicas"] == 2 and two["run"]["device"] == "2 logical CPUs"
    # The batch is split across the devices: each takes 64, the global batch is 128, lr doubled.
    assert two["run"]["global_batch_size"] == 128 and two["run"]["effective_learning_rate"] == 2 * 1e-3
    assert two["val_accuracy"] > 0.8 and abs(two["val_accuracy"] - one["val_accuracy"]) < 0.05
    assert abs(two["test_accuracy"] - one["test_accuracy"]) < 0.05
    for key in ("model_class", "layers", "variables"):
        assert two[key] == one[key]
    assert abs(two["reloaded"] - 5) < 1e-3
    for logical in (1, 2):
        metadata = json.loads((tmp_path / f"m{logical}.json").read_text())
        assert metadata["training"]["replicas"] == logical and metadata["epochs_run"] == 2


def test_importing_tensorflow_leaves_the_callers_log_levels_alone():
    code = """
import logging, os
from absl import logging as absl_logging
logging.getLogger("tensorflow").setLevel(logging.DEBUG)
absl_logging.set_verbosity(absl_logging.INFO)
from mnist_desktop.ml.tf_runtime import import_tensorflow
tf, keras = import_tensorflow()
print(tf.get_logger().level, absl_logging.get_verbosity(), os.environ.get("CUDA_VISIBLE_DEVICES"))
"""
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [str(10), str(0), "None"], "a library call changed global logging or hid GPUs"


def test_asking_for_a_gpu_without_one_is_a_clear_error(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), CUDA_VISIBLE_DEVICES="-1")
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "train", "--device", "gpu", "--arch", "mlp",
                             "--train-size", "500", "--out", str(tmp_path / "m")],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "no GPU visible to TensorFlow" in last and "--device cpu" in last and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def test_a_multi_machine_tf_config_is_refused_with_a_clear_error(tmp_path):
    tf_config = json.dumps({"cluster": {"worker": ["localhost:1", "localhost:2"]},
                            "task": {"type": "worker", "index": 0}})
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CONFIG=tf_config)
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "train", "--arch", "mlp", "--epochs", "1",
                             "--train-size", "500", "--out", str(tmp_path / "m")],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert "TF_CONFIG" in line and "keras-team/keras#20585" in line and not list(tmp_path.iterdir())
