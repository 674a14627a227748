"""Training with hooks on small slices: progress, stopping, early stopping, seeds, failures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mnist_desktop.core.dataset import Dataset
from mnist_desktop.core.errors import TrainingError
from mnist_desktop.ml.modelio import load_keras_model
from mnist_desktop.ml.training import (
    BatchProgress,
    EpochRecord,
    TrainingConfig,
    TrainingHooks,
    predict_in_batches,
    select_training_data,
    train,
)


def validation_loss(model, dataset, config) -> float:
    _, (x, y), _ = select_training_data(dataset, config)
    probabilities = predict_in_batches(model, x)
    return float(-np.mean(np.log(np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1))))


@pytest.mark.slow
def test_hooks_report_plain_floats_every_batch_and_epoch(mnist):
    batches: list[BatchProgress] = []
    epochs: list[EpochRecord] = []
    statuses: list[str] = []
    config = TrainingConfig.for_architecture("mlp", epochs=2, train_size=1500, batch_size=100)
    result = train(mnist, config, TrainingHooks(on_status=statuses.append, on_batch=batches.append,
                                               on_epoch=epochs.append))
    steps = math.ceil(1350 / 100)
    assert len(batches) == 2 * steps and len(epochs) == 2
    assert all(type(b.loss) is float and type(b.accuracy) is float for b in batches)
    assert [b.batch for b in batches[:steps]] == list(range(1, steps + 1))
    fractions = [b.fraction for b in batches]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert all(b.samples_per_second > 0 and b.seconds_left >= 0 for b in batches)
    assert epochs[-1].val_accuracy is not None and epochs[-1].accuracy > 0.5
    assert "Loading TensorFlow…" in statuses
    assert result.stop_reason == "completed" and result.counts == {"train": 1350, "validation": 150, "extra": 0}


@pytest.mark.slow
def test_stop_mid_epoch_keeps_the_best_weights_so_far(mnist):
    seen: list[BatchProgress] = []
    steps = math.ceil(2700 / 64)

    def should_stop() -> bool:
        return len(seen) >= steps + 5  # five batches into the second epoch

    config = TrainingConfig.for_architecture("mlp", epochs=5, train_size=3000, batch_size=64, patience=0)
    result = train(mnist, config, TrainingHooks(on_batch=seen.append, should_stop=should_stop))
    assert result.stop_reason == "stopped by user"
    assert len(seen) == steps + 5, "the stop must take effect within one batch"
    assert len(result.history) == 2 and result.history[-1].partial and not result.history[0].partial
    best = min(r.val_loss for r in result.history)
    assert result.history[result.best_epoch].val_loss == best
    assert validation_loss(result.model, mnist, config) == pytest.approx(best, rel=1e-4)


@pytest.mark.slow
def test_early_stopping_restores_the_best_epoch(mnist):
    # Random labels: the validation loss cannot improve for long while the model memorises noise.
    rng = np.random.default_rng(0)
    noisy = Dataset("noise", mnist.x_train[:1200].copy(), rng.integers(0, 10, 1200).astype(np.uint8),
                    mnist.x_test[:100].copy(), mnist.y_test[:100].copy())
    config = TrainingConfig.for_architecture("mlp", epochs=15, patience=2, learning_rate=3e-3, validation_fraction=0.25)
    result = train(noisy, config)
    assert result.stop_reason == "early stopping" and len(result.history) < 15
    losses = [r.val_loss for r in result.history]
    assert result.best_epoch == int(np.argmin(losses)) and result.best_epoch <= len(losses) - 3
    assert validation_loss(result.model, noisy, config) == pytest.approx(min(losses), rel=1e-4)


@pytest.mark.slow
def test_same_seed_same_run(mnist):
    config = TrainingConfig.for_architecture("classic", epochs=1, train_size=1000, seed=7, augment=True)
    first, second = train(mnist, config), train(mnist, config)
    assert first.history[0].loss == second.history[0].loss
    for a, b in zip(first.model.get_weights(), second.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    other = train(mnist, TrainingConfig.for_architecture("classic", epochs=1, train_size=1000, seed=8, augment=True))
    assert other.history[0].loss != first.history[0].loss


@pytest.mark.slow
def test_augmentation_is_not_part_of_the_saved_model(mnist, tmp_path):
    config = TrainingConfig.for_architecture("bn-cnn", epochs=1, train_size=1000, augment=True)
    result = train(mnist, config, checkpoint=tmp_path / "checkpoint.keras")
    names = [type(layer).__name__ for layer in result.model.layers]
    assert not any(name.startswith("Random") for name in names)
    # The checkpoint was written (atomically: no temporary files left) and loads.
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.keras"]
    load_keras_model(tmp_path / "checkpoint.keras")


@pytest.mark.slow
def test_one_hot_labels_and_a_learning_rate_schedule(mnist):
    for schedule in ("cosine", "onecycle"):
        config = TrainingConfig.for_architecture("mlp", epochs=2, train_size=1000, labels="categorical",
                                                 schedule=schedule, learning_rate=2e-3)
        result = train(mnist, config)
        assert result.history[-1].accuracy > 0.6, schedule
        assert result.history[-1].learning_rate < 2e-3


@pytest.mark.slow
def test_the_plateau_schedule_halves_the_rate_when_validation_stops_improving(mnist):
    """Random labels: whatever the model learns makes the validation loss worse, so the rate halves."""
    rng = np.random.default_rng(0)
    noise = Dataset("noise", mnist.x_train[:1000].copy(), rng.integers(0, 10, 1000).astype(np.uint8),
                    mnist.x_test[:0], mnist.y_test[:0])
    config = TrainingConfig.for_architecture("mlp", epochs=5, labels="categorical", schedule="plateau",
                                             learning_rate=2e-3, validation_fraction=0.2, patience=0, augment=False)
    result = train(noise, config)
    rates = [record.learning_rate for record in result.history]
    assert rates[0] == pytest.approx(2e-3)
    assert rates[-1] <= 1e-3 + 1e-9, rates
    assert all(later <= earlier + 1e-12 for earlier, later in zip(rates, rates[1:])), rates


@pytest.mark.slow
def test_a_diverging_loss_is_a_clear_error(mnist, monkeypatch):
    import mnist_desktop.ml.training as training

    original = training._current_learning_rate

    def poisoned(optimizer):  # the loss turns NaN on the third batch
        poisoned.calls += 1
        return original(optimizer)

    poisoned.calls = 0
    hooks = TrainingHooks(on_batch=lambda b: None)
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    _, keras = import_tensorflow()

    class NanLoss(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return keras.ops.mean(y_pred) * float("nan")

    monkeypatch.setattr(training, "_current_learning_rate", poisoned)
    real_compile = keras.Model.compile

    def compile_with_nan(self, **kwargs):
        kwargs["loss"] = NanLoss()
        return real_compile(self, **kwargs)

    monkeypatch.setattr(keras.Model, "compile", compile_with_nan)
    with pytest.raises(TrainingError, match="the loss became nan in epoch 1, batch 1"):
        train(mnist, TrainingConfig.for_architecture("mlp", epochs=1, train_size=500), hooks)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"epochs": 0}, "epochs"), ({"learning_rate": 0}, "learning rate"), ({"validation_fraction": 0.95}, "validation"),
     ({"schedule": "plateau", "validation_fraction": 0}, "plateau"), ({"train_size": 5}, "at least 100")],
)
def test_bad_settings_are_refused_before_any_work(overrides, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig.for_architecture("mlp", **overrides).validate()


def test_unlabeled_data_cannot_be_trained_on(mnist):
    unlabeled = Dataset("u", mnist.x_test[:0], mnist.y_test[:0], mnist.x_test[:10], np.full(10, 255, np.uint8))
    with pytest.raises(TrainingError, match="no labeled training images"):
        train(unlabeled, TrainingConfig())


def test_finished_run_has_a_predictor_evaluation_and_metadata(tiny_run):
    trained, data = tiny_run
    assert trained.predictor.predict(data.x_test[:3]).shape == (3, 10)
    assert trained.evaluation.count == 10_000 and 0.5 < trained.evaluation.accuracy <= 1
    meta = trained.metadata
    for key in ("architecture", "params", "training", "seed", "dataset", "history", "test", "versions", "created"):
        assert key in meta, key
    assert meta["dataset"]["sha256"] == data.checksum and meta["seed"] == 1
    assert meta["test"]["accuracy"] == pytest.approx(trained.evaluation.accuracy)
    assert len(meta["test"]["confusion_matrix"]) == 10
    assert {"tensorflow", "keras", "numpy", "python", "mnist_desktop"} <= set(meta["versions"])
