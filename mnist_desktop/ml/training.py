"""Training as a plain function with hooks: it knows nothing of Qt or terminals.

`train(dataset, config, hooks)` reports every batch and epoch as plain floats, checks
``hooks.should_stop`` after every batch (so a stop takes effect within one batch), and always
returns the best weights it has seen (by validation loss), also when stopped mid-epoch.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.core.dataset import NUM_CLASSES, Dataset
from mnist_desktop.core.errors import TrainingError
from mnist_desktop.core.splits import stratified_split
from mnist_desktop.ml.architectures import get_architecture
from mnist_desktop.ml.tf_runtime import DEVICES

# Learning-rate schedules: name -> what the GUI calls it.
SCHEDULES = {"cosine": "Cosine decay", "onecycle": "One-cycle", "plateau": "Halve on plateau",
             "constant": "Constant"}
TENSORBOARD_HINT = "pip install tensorboard"

logger = logging.getLogger(__name__)


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
    # "auto": every GPU TensorFlow sees (several train with MirroredStrategy), else the CPU.
    device: str = "auto"

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
        if self.device not in DEVICES:
            problems.append(f"the device must be one of {', '.join(DEVICES)}")
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
    # How the run actually went: devices, the effective batch and learning rate, epochs run, resume.
    run: dict[str, Any] = field(default_factory=dict)


def select_training_data(
    dataset: Dataset, config: TrainingConfig, extra: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray] | None, dict[str, int]]:
    """(train x/y, validation x/y or None, counts): a stratified subset and split, as configured."""
    if not dataset.labeled or len(dataset.x_train) == 0:
        raise TrainingError(f"{dataset.name} has no labeled training images to learn from")
    x, y = dataset.x_train, dataset.y_train
    if extra is not None and len(extra[0]) and x.dtype.kind == "U":
        raise TrainingError("your own drawings cannot be added to a data set streamed from disk")
    try:
        if config.train_size is not None and config.train_size < len(x):
            keep, _ = stratified_split(y, 1 - config.train_size / len(x), seed=config.seed)
            x, y = x[keep], y[keep]
        validation = None
        if config.validation_fraction > 0:
            train_idx, val_idx = stratified_split(y, config.validation_fraction, seed=config.seed)
            validation = (x[val_idx], y[val_idx])
            x, y = x[train_idx], y[train_idx]
    except ValueError as exc:
        # Too small a set to split: say so (and how many are needed), not "unexpected error".
        raise TrainingError(f"{dataset.name}: {exc}") from None
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
    checkpoint: Path | str | None = None,
    initial_weights_from: Any | None = None,
    log_dir: Path | str | None = None,
    resume_dir: Path | str | None = None,
) -> TrainingResult:
    """Train ``config.architecture`` on ``dataset``'s training split; see the module docstring.

    ``extra`` adds images (e.g. the user's own drawings) to the training data; ``checkpoint`` is a
    ``.keras`` path rewritten atomically after every improved epoch (the best model so far stays on
    disk); ``initial_weights_from`` is a Keras model of the same architecture to fine-tune from.
    ``log_dir`` receives a CSV log of the epochs (``training.csv``) and, when the ``tensorboard``
    package is installed, TensorBoard event files. ``resume_dir`` keeps a backup of the run after
    every epoch: run again with the same folder after a crash or a kill and training continues from
    the last finished epoch (the folder is emptied when the run completes).
    """
    config.validate()
    hooks = hooks or TrainingHooks()
    status = hooks.on_status or (lambda text: None)
    should_stop = hooks.should_stop or (lambda: False)
    started = time.perf_counter()

    (x_train, y_train), validation, counts = select_training_data(dataset, config, extra)
    status("Loading TensorFlow…")
    from mnist_desktop.ml.architectures import build_model
    from mnist_desktop.ml.tf_runtime import import_tensorflow, plan_devices

    tf, keras = import_tensorflow()
    if should_stop():
        raise TrainingCancelled()
    devices = plan_devices(config.device)
    # Each device takes a share of the global batch; the learning rate grows with it (linear scaling).
    batch_size = config.batch_size * devices.replicas
    scaled = replace(config, batch_size=batch_size, learning_rate=config.learning_rate * devices.replicas)
    logger.info("training %s on %s (%d replica%s, global batch %d)", config.architecture, devices.description,
                devices.replicas, "" if devices.replicas == 1 else "s", batch_size)
    status(f"Training on: {devices.description}")
    val_text = f", validating on {counts['validation']:,}" if counts["validation"] else ""
    extra_text = f" (with {counts['extra']:,} of your own, repeated)" if counts["extra"] else ""
    status(f"{counts['train']:,} training images{extra_text}{val_text}")
    status("Building the model…")
    keras.utils.set_random_seed(config.seed)
    steps_per_epoch = max(1, math.ceil(len(x_train) / batch_size))
    categorical = config.labels == "categorical"
    with devices.strategy.scope():
        model = build_model(config.architecture)
        if initial_weights_from is not None:
            model.set_weights(initial_weights_from.get_weights())
            # Fine-tuning: batch norm keeps the statistics it learnt on all of MNIST (a few thousand
            # images would shift them and cost MNIST accuracy); the other weights learn, slowly.
            for layer in model.layers:
                if isinstance(layer, keras.layers.BatchNormalization):
                    layer.trainable = False
        _settle_batch_norm_within_an_epoch(keras, model, steps_per_epoch)
        learning_rate = _learning_rate(keras, scaled, steps_per_epoch)
        trainer = _with_augmentation(keras, model, config) if config.augment else model
        trainer.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss="categorical_crossentropy" if categorical else "sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )

    def encode(y: np.ndarray) -> np.ndarray:
        return keras.utils.to_categorical(y, NUM_CLASSES) if categorical else y.astype(np.int32)

    def batches(x: np.ndarray, y: np.ndarray, shuffle: bool):
        if x.dtype.kind == "U":  # file paths: a folder streamed from disk (ml/streaming.py)
            from mnist_desktop.ml.streaming import image_batches

            return image_batches(tf, x, y, batch_size=batch_size, shuffle=shuffle, seed=config.seed,
                                 encode_labels=encode)
        labels = encode(y)
        data = tf.data.Dataset.from_tensor_slices((x, labels))
        if shuffle:
            data = data.shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
        data = data.batch(batch_size)
        data = data.map(lambda images, targets: (tf.cast(images, tf.float32)[..., None] / 255.0, targets))
        return data.prefetch(tf.data.AUTOTUNE)

    monitor = _Monitor(keras, model, config, hooks, steps_per_epoch, validation is not None, checkpoint,
                       batch_size)
    callbacks: list[Any] = []
    if resume_dir is not None:
        # Before the monitor: an epoch is backed up before it is reported, so a kill right after the
        # report never loses it.
        # double_checkpoint: a kill while the backup is being written falls back on the one before.
        callbacks.append(keras.callbacks.BackupAndRestore(str(resume_dir), double_checkpoint=True))
    callbacks.append(monitor)
    if log_dir is not None:
        callbacks.extend(_log_callbacks(keras, Path(log_dir), append=resume_dir is not None))
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
    if devices.replicas > 1:
        # A model built under MirroredStrategy holds mirrored variables; save and convert a plain one.
        plain = build_model(config.architecture)
        plain.set_weights(model.get_weights())
        model = plain
    if monitor.user_stopped:
        reason = "stopped by user"
    elif monitor.last_epoch is None or monitor.last_epoch + 1 < config.epochs:
        reason = "early stopping"
    else:
        reason = "completed"
    logger.info("training ended (%s) after %d epochs", reason, monitor.epochs_done)

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
        run={
            "device": devices.description,
            "replicas": devices.replicas,
            "global_batch_size": batch_size,
            "effective_learning_rate": scaled.learning_rate,
            "steps_per_epoch": steps_per_epoch,
            "streamed_from_disk": x_train.dtype.kind == "U",
            # Whole epochs the weights went through, before an interruption too when resumed.
            "epochs_run": monitor.last_epoch + 1 if monitor.last_epoch is not None else 0,
            "epochs_run_here": monitor.epochs_done,
            "resumed_from_epoch": monitor.first_epoch if monitor.first_epoch else None,
            "last_epoch": monitor.last_epoch,
            "log_dir": str(log_dir) if log_dir is not None else None,
            "checkpoint": str(checkpoint) if checkpoint is not None else None,
        },
    )
    return result


def tensorboard_available() -> bool:
    return importlib.util.find_spec("tensorboard") is not None


def _log_callbacks(keras, log_dir: Path, *, append: bool) -> list[Any]:
    """A CSV of every epoch, and TensorBoard event files when TensorBoard is installed."""
    log_dir.mkdir(parents=True, exist_ok=True)
    callbacks: list[Any] = [keras.callbacks.CSVLogger(str(log_dir / "training.csv"), append=append)]
    if tensorboard_available():
        callbacks.append(keras.callbacks.TensorBoard(str(log_dir), profile_batch=0))
    else:
        logger.warning("TensorBoard logs need the tensorboard package (%s); wrote only %s",
                       TENSORBOARD_HINT, log_dir / "training.csv")
    return callbacks


class TrainingCancelled(Exception):
    """Stopped before the first batch: there is no model to keep."""


def predict_in_batches(model: Any, images: np.ndarray, batch: int = 2048) -> np.ndarray:
    # A direct call per large batch: `model.predict` adds ~70 ms of set-up for nothing here.
    out = []
    for start in range(0, len(images), batch):
        chunk = images[start:start + batch].astype(np.float32)[..., None] / 255.0
        out.append(np.asarray(model(chunk, training=False)))
    return np.concatenate(out) if out else np.zeros((0, NUM_CLASSES), np.float32)


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

    def __new__(cls, keras, model, config, hooks, steps_per_epoch, has_validation, checkpoint, batch_size):
        base = keras.callbacks.Callback

        class Monitor(base):
            def __init__(self) -> None:
                super().__init__()
                self.history: list[EpochRecord] = []
                self.best_weights = None
                self.best_epoch: int | None = None
                self.best_loss = math.inf
                self.user_stopped = False
                self.epochs_done = 0  # whole epochs run by this call (a resumed run starts later)
                self.first_epoch: int | None = None
                self.last_epoch: int | None = None  # the last whole epoch, counted from the run's start
                self._rate = 0.0
                self._learning_rate = math.nan

            def on_epoch_begin(self, epoch, logs=None):
                self._epoch_start = self._last = time.perf_counter()
                self._epoch = epoch
                if self.first_epoch is None:
                    self.first_epoch = epoch

            def on_train_batch_end(self, batch, logs=None):
                logs = logs or {}
                loss = float(logs.get("loss", math.nan))
                if not math.isfinite(loss):
                    raise TrainingError(
                        f"the loss became {loss} in epoch {self._epoch + 1}, batch {batch + 1}: "
                        "training diverged; lower the learning rate"
                    )
                now = time.perf_counter()
                rate = batch_size / max(now - self._last, 1e-6)
                self._last = now
                # Smoothed: single batch timings jump with whatever else the CPU is doing.
                self._rate = rate if self._rate == 0 else 0.9 * self._rate + 0.1 * rate
                done = self._epoch * steps_per_epoch + batch + 1
                left = (config.epochs * steps_per_epoch - done) * batch_size / max(self._rate, 1e-6)
                if batch % 20 == 0:
                    # Evaluating a schedule is a TensorFlow op: not worth it on every batch.
                    self._learning_rate = _current_learning_rate(self.model.optimizer)
                if hooks.on_batch:
                    hooks.on_batch(BatchProgress(
                        epoch=self._epoch, epochs=config.epochs, batch=batch + 1, batches=steps_per_epoch,
                        loss=loss, accuracy=float(logs.get("accuracy", math.nan)),
                        samples_per_second=self._rate, seconds_left=left, learning_rate=self._learning_rate,
                    ))
                if hooks.should_stop:
                    asked = time.perf_counter()
                    stop = hooks.should_stop()
                    # should_stop blocks while the user has paused: that time is not training time.
                    waited = time.perf_counter() - asked
                    self._epoch_start += waited
                    self._last += waited
                    if stop:
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
                    self.last_epoch = epoch
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
