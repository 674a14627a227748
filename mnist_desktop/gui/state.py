"""What every tab shares: the current data set and the current model, with change signals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal


class AppState(QObject):
    """The current data set and model. Tabs listen to the signals instead of to each other."""

    datasetChanged = Signal(object)  # Dataset
    modelChanged = Signal(object)  # Predictor
    trainedModelChanged = Signal(object)  # TrainedModel (a finished run, maybe unsaved) or None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset = None
        self.dataset_path: Path | None = None
        self.predictor = None
        self.model_path: Path | None = None
        # The model as trained in this session (Keras weights, metadata), for saving and exporting.
        self.trained: Any = None

    def set_dataset(self, dataset, path: str | Path | None) -> None:
        self.dataset = dataset
        self.dataset_path = Path(path) if path else None
        self.datasetChanged.emit(dataset)

    def set_model(self, predictor, path: str | Path | None, trained: Any = None) -> None:
        self.predictor = predictor
        self.model_path = Path(path) if path else None
        self.trained = trained
        self.modelChanged.emit(predictor)
        self.trainedModelChanged.emit(trained)
