"""Training as a plain function with hooks: it knows nothing of Qt or terminals.

`train(dataset, config, hooks)` reports every batch and epoch as plain floats, checks
``hooks.should_stop`` after every batch (so a stop takes effect within one batch), and always
returns the best weights it has seen (by validation loss), also when stopped mid-epoch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.core.dataset import Dataset
from mnist_desktop.core.errors import TrainingError
from mnist_desktop.core.splits import stratified_split
from mnist_desktop.ml.architectures import get_architecture

SCHEDULES = ("constant", "cosine", "onecycle", "plateau")


@dataclass(frozen=True)
class TrainingConfig:
    architecture: str = "classic"
    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    schedule: str = "constant"
    augment: bool = False
    patience: int = 3  # early stopping on validation loss; 0 = off
    validation_fraction: float = 0.1
    train_size: int | None = None  # a stratified subset of the training split, for quick runs
    seed: int = 0
    labels: str = "sparse"  # "sparse" (integer labels) or "categorical" (one-hot)
    # Personal drawings are few next to 60,000 MNIST images: repeat them so they count.
    extra_repeat: int = 20

    @classmethod
    def for_architecture(cls, name: str, **overrides: Any) -> TrainingConfig:
        """The settings an architecture was tuned with, with ``overrides`` on top."""
        recipe = get_architecture(name).recipe
        base = cls(
            architecture=name,
            epochs=recipe.epochs,
            batch_size=recipe.batch_size,
            learning_rate=recipe.learning_rate,
            schedule=recipe.schedule,
            augment=recipe.augment,
            patience=recipe.patience,
            validation_fraction=recipe.validation_fraction,
        )
        return replace(base, **overrides)

    def validate(self) -> None:
        get_architecture(self.architecture)
        problems = []
        if self.epochs < 1:
            problems.append("epochs must be at least 1")
        if self.batch_size < 1:
            problems.append("the batch size must be at least 1")
        if not (0 < self.learning_rate < 10):
            problems.append("the learning rate must be between 0 and 10")
        if self.schedule not in SCHEDULES:
            problems.append(f"the schedule must be one of {', '.join(SCHEDULES)}")
        if not (0 <= self.validation_fraction < 0.9):
            problems.append("the validation fraction must be between 0 and 0.9")
        if self.schedule == "plateau" and self.validation_fraction == 0:
            problems.append("the 'plateau' schedule needs a validation split")
        if self.labels not in ("sparse", "categorical"):
            problems.append("labels must be 'sparse' or 'categorical'")
        if self.train_size is not None and self.train_size < 100:
            problems.append("train on at least 100 images")
        if problems:
            raise ValueError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BatchProgress:
    epoch: int  # 0-based
    epochs: int
    batch: int  # 1-based count of batches done in this epoch
    batches: int
    loss: float  # running mean over the epoch so far
    accuracy: float
    samples_per_second: float
    seconds_left: float
    learning_rate: float

    @property
    def fraction(self) -> float:
        return (self.epoch + self.batch / max(self.batches, 1)) / max(self.epochs, 1)


@dataclass(frozen=True)
class EpochRecord:
    epoch: int  # 0-based
    loss: float
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    seconds: float
    learning_rate: float
    partial: bool = False  # stopped by the user before the epoch's end

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainingHooks:
    on_status: Callable[[str], None] | None = None
    on_batch: Callable[[BatchProgress], None] | None = None
    on_epoch: Callable[[EpochRecord], None] | None = None
    should_stop: Callable[[], bool] | None = None


@dataclass
class TrainingResult:
    model: Any  # keras.Model holding the best weights
    config: TrainingConfig
    history: list[EpochRecord]
    best_epoch: int | None
    stop_reason: str  # "completed", "early stopping" or "stopped by user"
    seconds: float
    dataset_name: str
    dataset_checksum: str
    counts: dict[str, int] = field(default_factory=dict)  # train / validation / extra images
    test_accuracy: float | None = None
    test_loss: float | None = None


def select_training_data(
    dataset: Dataset, config: TrainingConfig, extra: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray] | None, dict[str, int]]:
    """(train x/y, validation x/y or None, counts): a stratified subset and split, as configured."""
    if not dataset.labeled or len(dataset.x_train) == 0:
        raise TrainingError(f"{dataset.name} has no labeled training images to learn from")
    x, y = dataset.x_train, dataset.y_train
    if config.train_size is not None and config.train_size < len(x):
        keep, _ = stratified_split(y, 1 - config.train_size / len(x), seed=config.seed)
        x, y = x[keep], y[keep]
    validation = None
    if config.validation_fraction > 0:
        train_idx, val_idx = stratified_split(y, config.validation_fraction, seed=config.seed)
        validation = (x[val_idx], y[val_idx])
        x, y = x[train_idx], y[train_idx]
    counts = {"train": int(len(x)), "validation": int(len(validation[0])) if validation else 0, "extra": 0}
    if extra is not None and len(extra[0]):
        ex, ey = extra
        x = np.concatenate([x, *([ex] * config.extra_repeat)])
        y = np.concatenate([y, *([ey] * config.extra_repeat)])
        counts["extra"] = int(len(ex))
    return (x, y), validation, counts


def train(
    dataset: Dataset,
    config: TrainingConfig,
    hooks: TrainingHooks | None = None,
    *,
    extra: tuple[np.ndarray, np.ndarray] | None = None,
    checkpoint: Path | None = None,
    initial_weights_from: Any | None = None,
) -> TrainingResult:
    """Train ``config.architecture`` on ``dataset``'s training split; see the module docstring.

    ``extra`` adds images (e.g. the user's own drawings) to the training data; ``checkpoint`` is a
    ``.keras`` path rewritten atomically after every improved epoch; ``initial_weights_from`` is a
    Keras model of the same architecture to fine-tune from.
    """
    config.validate()
    hooks = hooks or TrainingHooks()
    status = hooks.on_status or (lambda text: None)
    should_stop = hooks.should_stop or (lambda: False)
    started = time.perf_counter()

    (x_train, y_train), validation, counts = select_training_data(dataset, config, extra)
    status("Loading TensorFlow…")
    from mnist_desktop.ml.architectures import build_model
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    tf, keras = import_tensorflow()
    if should_stop():
        raise TrainingCancelled()
    status("Building the model…")
    keras.utils.set_random_seed(config.seed)
    model = build_model(config.architecture)
    if initial_weights_from is not None:
        model.set_weights(initial_weights_from.get_weights())
        # Fine-tuning: batch norm keeps the statistics it learnt on all of MNIST (a few thousand
        # images would shift them and cost MNIST accuracy); the other weights learn, slowly.
        for layer in model.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False

    steps_per_epoch = max(1, math.ceil(len(x_train) / config.batch_size))
    _settle_batch_norm_within_an_epoch(keras, model, steps_per_epoch)
    learning_rate = _learning_rate(keras, config, steps_per_epoch)
    trainer = _with_augmentation(keras, model, config) if config.augment else model
    categorical = config.labels == "categorical"
    trainer.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="categorical_crossentropy" if categorical else "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )

    def batches(x: np.ndarray, y: np.ndarray, shuffle: bool):
        labels = keras.utils.to_categorical(y, 10) if categorical else y.astype(np.int32)
        data = tf.data.Dataset.from_tensor_slices((x, labels))
        if shuffle:
            data = data.shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
        data = data.batch(config.batch_size)
        data = data.map(lambda images, targets: (tf.cast(images, tf.float32)[..., None] / 255.0, targets))
        return data.prefetch(tf.data.AUTOTUNE)

    monitor = _Monitor(keras, model, config, hooks, steps_per_epoch, validation is not None, checkpoint)
    callbacks: list[Any] = [monitor]
    if validation is not None and config.patience > 0:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience))
    if validation is not None and config.schedule == "plateau":
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1))

    status("Training…")
    try:
        trainer.fit(
            batches(x_train, y_train, shuffle=True),
            validation_data=batches(*validation, shuffle=False) if validation else None,
            epochs=config.epochs,
            shuffle=False,  # the tf.data pipeline shuffles, reproducibly from the seed
            verbose=0,
            callbacks=callbacks,
        )
    except tf.errors.ResourceExhaustedError:
        raise TrainingError(
            "out of memory while training: use a smaller batch size or fewer training images"
        ) from None

    if monitor.best_weights is not None:
        model.set_weights(monitor.best_weights)
    if monitor.user_stopped:
        reason = "stopped by user"
    elif monitor.epochs_done < config.epochs:
        reason = "early stopping"
    else:
        reason = "completed"

    result = TrainingResult(
        model=model,
        config=config,
        history=monitor.history,
        best_epoch=monitor.best_epoch,
        stop_reason=reason,
        seconds=time.perf_counter() - started,
        dataset_name=dataset.name,
        dataset_checksum=dataset.checksum,
        counts=counts,
    )
    return result


class TrainingCancelled(Exception):
    """Stopped before the first batch: there is no model to keep."""


def predict_in_batches(model: Any, images: np.ndarray, batch: int = 2048) -> np.ndarray:
    # A direct call per large batch: `model.predict` adds ~70 ms of set-up for nothing here.
    out = []
    for start in range(0, len(images), batch):
        chunk = images[start:start + batch].astype(np.float32)[..., None] / 255.0
        out.append(np.asarray(model(chunk, training=False)))
    return np.concatenate(out) if out else np.zeros((0, 10), np.float32)


def _learning_rate(keras, config: TrainingConfig, steps_per_epoch: int):
    total = steps_per_epoch * config.epochs
    if config.schedule == "cosine":
        warmup = min(steps_per_epoch // 2, total // 4)
        return keras.optimizers.schedules.CosineDecay(
            config.learning_rate / 10, decay_steps=max(1, total - warmup),
            warmup_target=config.learning_rate, warmup_steps=warmup,
        )
    if config.schedule == "onecycle":
        # Linear warm-up over the first quarter, then cosine down to zero: a one-cycle policy.
        warmup = max(1, total // 4)
        return keras.optimizers.schedules.CosineDecay(
            config.learning_rate / 20, decay_steps=max(1, total - warmup),
            warmup_target=config.learning_rate, warmup_steps=warmup,
        )
    return config.learning_rate


def _settle_batch_norm_within_an_epoch(keras, model, steps_per_epoch: int) -> None:
    """Batch norm's running statistics start at mean 0, variance 1 and move by (1 - momentum) a step.
    With Keras' 0.99 that takes hundreds of steps, so a quick run on a few thousand images would
    validate at chance level. Choose the momentum so they settle within one epoch."""
    momentum = float(min(0.99, max(0.5, 1.0 - 8.0 / steps_per_epoch)))
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = momentum


def _with_augmentation(keras, model, config: TrainingConfig):
    """Random rotation, shift and zoom in front of the model for training only; the saved model
    stays the bare one (the layers do nothing at inference anyway)."""
    layers = keras.layers
    seed = config.seed
    augment = keras.Sequential(
        [
            layers.RandomRotation(10 / 360, fill_mode="constant", seed=seed),
            layers.RandomZoom(0.1, fill_mode="constant", seed=seed + 1),
            layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed + 2),
        ],
        name="augmentation",
    )
    inputs = keras.Input((28, 28, 1))
    return keras.Model(inputs, model(augment(inputs)), name=f"{model.name}_augmented")


def _current_learning_rate(optimizer) -> float:
    try:
        return float(np.asarray(optimizer.learning_rate))
    except (TypeError, ValueError):  # pragma: no cover - an unusual optimizer
        return float("nan")


class _Monitor:
    """Keras callback (built on first use, so this module imports without Keras): reports progress,
    honours stop requests, fails fast on a diverging loss, and keeps the best weights."""

    def __new__(cls, keras, model, config, hooks, steps_per_epoch, has_validation, checkpoint):
        base = keras.callbacks.Callback

        class Monitor(base):
            def __init__(self) -> None:
                super().__init__()
                self.history: list[EpochRecord] = []
                self.best_weights = None
                self.best_epoch: int | None = None
                self.best_loss = math.inf
                self.user_stopped = False
                self.epochs_done = 0
                self._rate = 0.0
                self._learning_rate = math.nan

            def on_epoch_begin(self, epoch, logs=None):
                self._epoch_start = self._last = time.perf_counter()
                self._epoch = epoch

            def on_train_batch_end(self, batch, logs=None):
                logs = logs or {}
                loss = float(logs.get("loss", math.nan))
                if not math.isfinite(loss):
                    raise TrainingError(
                        f"the loss became {loss} in epoch {self._epoch + 1}, batch {batch + 1}: "
                        "training diverged; lower the learning rate"
                    )
                now = time.perf_counter()
                rate = config.batch_size / max(now - self._last, 1e-6)
                self._last = now
                # Smoothed: single batch timings jump with whatever else the CPU is doing.
                self._rate = rate if self._rate == 0 else 0.9 * self._rate + 0.1 * rate
                done = self._epoch * steps_per_epoch + batch + 1
                left = (config.epochs * steps_per_epoch - done) * config.batch_size / max(self._rate, 1e-6)
                if batch % 20 == 0:
                    # Evaluating a schedule is a TensorFlow op: not worth it on every batch.
                    self._learning_rate = _current_learning_rate(self.model.optimizer)
                if hooks.on_batch:
                    hooks.on_batch(BatchProgress(
                        epoch=self._epoch, epochs=config.epochs, batch=batch + 1, batches=steps_per_epoch,
                        loss=loss, accuracy=float(logs.get("accuracy", math.nan)),
                        samples_per_second=self._rate, seconds_left=left, learning_rate=self._learning_rate,
                    ))
                if hooks.should_stop and hooks.should_stop():
                    self.user_stopped = True
                    self.model.stop_training = True

            def on_epoch_end(self, epoch, logs=None):
                logs = logs or {}
                partial = self.user_stopped
                val_loss = float(logs["val_loss"]) if "val_loss" in logs else None
                record = EpochRecord(
                    epoch=epoch,
                    loss=float(logs.get("loss", math.nan)),
                    accuracy=float(logs.get("accuracy", math.nan)),
                    val_loss=val_loss,
                    val_accuracy=float(logs["val_accuracy"]) if "val_accuracy" in logs else None,
                    seconds=time.perf_counter() - self._epoch_start,
                    learning_rate=_current_learning_rate(self.model.optimizer),
                    partial=partial,
                )
                self.history.append(record)
                if not partial:
                    self.epochs_done += 1
                improved = has_validation and val_loss is not None and val_loss < self.best_loss
                if improved or not has_validation:
                    # Without validation data the latest weights are the best we can tell.
                    self.best_loss = val_loss if val_loss is not None else self.best_loss
                    self.best_weights = model.get_weights()
                    self.best_epoch = epoch
                    if checkpoint is not None and not partial:
                        from mnist_desktop.ml.modelio import save_keras_atomically

                        save_keras_atomically(model, checkpoint)
                if hooks.on_epoch:
                    hooks.on_epoch(record)

        return Monitor()
