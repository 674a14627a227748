"""What a finished training run becomes: a LiteRT predictor ready to use at once (the Draw and Camera
tabs swap to it without a save), its evaluation on the test split, and the metadata to save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnist_desktop.core.dataset import Dataset
from mnist_desktop.core.metrics import Evaluation
from mnist_desktop.ml.predictor import Predictor
from mnist_desktop.ml.training import TrainingResult


@dataclass
class TrainedModel:
    result: TrainingResult
    tflite: bytes
    predictor: Predictor
    evaluation: Evaluation | None
    metadata: dict[str, Any]
    fine_tune: Any = None  # `ml.finetune.FineTuneCheck` when the run fine-tuned the current model

    @property
    def model(self):
        return self.result.model

    def save(self, path: Path | str) -> tuple[Path, Path, Path]:
        from mnist_desktop.ml.modelio import save_model

        paths = save_model(self.model, path, self.metadata, tflite=self.tflite)
        self.predictor.path = paths[1]
        self.predictor.metadata = dict(self.metadata, name=paths[0].stem)
        return paths


def finish(result: TrainingResult, dataset: Dataset, status: Callable[[str], None] | None = None) -> TrainedModel:
    """Convert to LiteRT and score the converted model (what the app will run) on the test split."""
    from mnist_desktop.ml.evaluate import evaluate_predictor
    from mnist_desktop.ml.modelio import build_metadata, to_tflite

    report = status or (lambda text: None)
    report("Converting to LiteRT…")
    tflite = to_tflite(result.model)
    predictor = Predictor(tflite)
    from mnist_desktop.ml.predictor import load_gate

    predictor.gate = load_gate()  # the same "not a digit" check as the shipped model's
    evaluation = None
    test_metrics: dict[str, Any] = {}
    if len(dataset.x_test) and dataset.labeled:
        report("Evaluating on the test split…")
        if getattr(dataset, "streaming", False):
            evaluation = _evaluate_streamed(predictor, dataset)
        else:
            evaluation = evaluate_predictor(predictor, dataset.x_test, dataset.y_test,
                                            class_names=dataset.class_names)
        summary = evaluation.to_dict()
        summary.pop("misclassified")
        result.test_accuracy, result.test_loss = evaluation.accuracy, evaluation.log_loss
        test_metrics = {"dataset": dataset.name, "loss": evaluation.log_loss, **summary}
    metadata = build_metadata(result, test_metrics=test_metrics)
    # The whole configuration as run (the device and the scaled batch and learning rate too) and the
    # epochs actually run, so a saved model says exactly how it came about.
    metadata["training"] = {**result.config.to_dict(), **result.run}
    metadata["epochs_run"] = result.run.get("epochs_run", len([r for r in result.history if not r.partial]))
    metadata["name"] = f"{result.config.architecture} (unsaved)"
    predictor.metadata = metadata
    return TrainedModel(result, tflite, predictor, evaluation, metadata)


def _evaluate_streamed(predictor: Predictor, dataset) -> Evaluation:
    """The test split of a folder streamed from disk, read a chunk at a time (only the (N, 10)
    probabilities are kept)."""
    import numpy as np

    probabilities, labels = [], []
    for images, chunk_labels in dataset.iter_test_images():
        probabilities.append(predictor.predict(images) if len(images) else np.zeros((0, 10), np.float32))
        labels.append(chunk_labels)
    return Evaluation(np.concatenate(labels).astype(np.uint8), np.concatenate(probabilities), dataset.class_names)
