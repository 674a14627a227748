"""One small model trained once for the whole ML test session (a few seconds on 2 cores)."""

from __future__ import annotations

import pytest


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
