"""What the tabs share, as data with change signals: the data set, the model in use, the model
trained in this session, and the user's own drawings. Tabs recompute whatever they show from these
signals, never from another widget's text; a tab asks for something of another tab through a
request signal here, which the main window wires up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal


class AppState(QObject):
    datasetChanged = Signal(object)  # Dataset
    modelChanged = Signal(object)  # Predictor
    trainedChanged = Signal(object)  # TrainedModel: the latest run of this session (maybe unsaved), or None
    personalChanged = Signal()  # a drawing was saved (or the drawings otherwise changed)

    # Requests from one tab for another; MainWindow connects them.
    tabRequested = Signal(str)  # a tab title
    evaluationRequested = Signal()  # evaluate the model in use now
    personalBrowseRequested = Signal()  # show the user's drawings on the Dataset tab

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset = None
        self.dataset_path: Path | None = None
        self.predictor = None
        self.model_path: Path | None = None
        self.trained: Any = None
        self._personal = None
        self._personal_paths: list[Path] = []

    def set_dataset(self, dataset, path: str | Path | None) -> None:
        self.dataset = dataset
        self.dataset_path = Path(path) if path else None
        self.datasetChanged.emit(dataset)

    def set_model(self, predictor, path: str | Path | None) -> None:
        self.predictor = predictor
        self.model_path = Path(path) if path else None
        self.modelChanged.emit(predictor)

    def set_trained(self, trained) -> None:
        self.trained = trained
        self.trainedChanged.emit(trained)

    def uses_trained(self) -> bool:
        """Is the model in use the one trained in this session?"""
        return self.trained is not None and self.predictor is self.trained.predictor

    # ------------------------------------------------------------------ the user's drawings
    @property
    def personal(self):
        """The user's saved drawings as a Dataset (read from disk once, again after a change)."""
        if self._personal is None:
            from mnist_desktop.core.personal import load_personal_drawings

            self._personal, self._personal_paths = load_personal_drawings()
        return self._personal

    @property
    def personal_paths(self) -> list[Path]:
        """The file of each drawing in `personal`, row for row (to delete or relabel one)."""
        self.personal  # noqa: B018 - loads both together
        return self._personal_paths

    def personal_saved(self) -> None:
        """A drawing was saved, deleted or relabelled."""
        self._personal = None
        self.personalChanged.emit()

    # ------------------------------------------------------------------ requests
    def request_tab(self, title: str) -> None:
        self.tabRequested.emit(title)

    def request_evaluation(self) -> None:
        self.evaluationRequested.emit()

    def request_personal_browse(self) -> None:
        self.personalBrowseRequested.emit()
