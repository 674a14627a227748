"""Suite-wide settings: headless Qt and Matplotlib, and nothing written to the user's real folders."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_SANDBOX = Path(tempfile.mkdtemp(prefix="mnist-desktop-tests-"))
os.environ["MNIST_DESKTOP_DATA_DIR"] = str(_SANDBOX / "user-data")
os.environ["MNIST_DESKTOP_SETTINGS"] = str(_SANDBOX / "settings.ini")
os.environ["MNIST_DESKTOP_LOG_DIR"] = str(_SANDBOX / "logs")


# A test using one of these trains a model (once per session, but minutes on two cores): slow.
TRAINING_FIXTURES = {"tiny_run", "tiny_model_path"}


def pytest_collection_modifyitems(config, items):
    """``pytest -m "not slow"`` (``make test-fast``) leaves out whatever trains or starts processes."""
    for item in items:
        if TRAINING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session, exitstatus):
    """The sandbox (the drawings, models and settings the tests wrote) goes with the run."""
    shutil.rmtree(_SANDBOX, ignore_errors=True)


@pytest.fixture(scope="session")
def mnist():
    from mnist_desktop import load_dataset

    return load_dataset()


@pytest.fixture(scope="session")
def digits(mnist):
    """One clean test image of each digit 0-9 (the first of each class)."""
    return {d: mnist.x_test[int(np.flatnonzero(mnist.y_test == d)[0])] for d in range(10)}


@pytest.fixture(scope="session")
def tiny_run(mnist):
    """(TrainedModel, Dataset): the classic CNN after one epoch on 2,000 images."""
    from mnist_desktop.ml.trained import finish
    from mnist_desktop.ml.training import TrainingConfig, train

    config = TrainingConfig.for_architecture("classic", epochs=1, train_size=2000, seed=1)
    result = train(mnist, config)
    return finish(result, mnist), mnist


@pytest.fixture(scope="session")
def tiny_model_path(tiny_run, tmp_path_factory):
    trained, _ = tiny_run
    folder = tmp_path_factory.mktemp("tiny-model")
    keras_path, _, _ = trained.save(folder / "tiny")
    return keras_path
