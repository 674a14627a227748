"""The Evaluation tab: how good the current model is on the current data set's test split, where it
goes wrong (a clickable confusion matrix, the mistakes), how it compares with another model, and a
report to keep. Evaluation runs in a worker and only when asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.core.dataset import NUM_CLASSES
from mnist_desktop.gui import persist, recent, theme, workers
from mnist_desktop.gui.tab_base import Tab
from mnist_desktop.gui.widgets.confusion import ConfusionMatrixView
from mnist_desktop.gui.widgets.gallery import DigitGallery
from mnist_desktop.gui.widgets.lazy_page import LazyPage
from mnist_desktop.gui.widgets.tables import make_table, sort_from_the_keyboard
from mnist_desktop.gui.widgets.plots import BLUE, GREEN, ORANGE, RED, brush, class_ticks, make_plot, pen, set_legend
from mnist_desktop.gui.widgets.progress import ProgressBar


class _NumberItem(QTableWidgetItem):
    """Sorts by value, shows a formatted number."""

    def __init__(self, value: float, text: str) -> None:
        super().__init__(text)
        self.value = value
        self.setTextAlignment(Qt.AlignmentFlag.AlignCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.value < getattr(other, "value", 0)


def _gallery_page(caption: str, name: str, **gallery_options) -> tuple[QLabel, DigitGallery, QWidget]:
    """A caption over a gallery: (label, gallery, page)."""
    label = QLabel(caption)
    label.setWordWrap(True)
    gallery = DigitGallery(**gallery_options)
    gallery.setObjectName(name)
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addWidget(label)
    layout.addWidget(gallery, 1)
    return label, gallery, page


class EvaluationTab(Tab):
    def __init__(self, state, parent=None) -> None:
        super().__init__(state, parent)
        self.evaluation = None
        self.images: np.ndarray | None = None
        self.predictor = None  # the model and data set that ``evaluation`` is of
        self.dataset = None
        self.task = workers.TaskSlot(self, "Evaluation")
        self.compare_task = workers.TaskSlot(self, "Comparison", on_error=self._comparison_failed)
        self.report_task = workers.TaskSlot(self, "Report export")
        self.comparison = None
        self._export_after: Path | None = None
        self._build()
        self.task.busyChanged.connect(self._show_busy)
        self.task.progressChanged.connect(lambda fraction: self.progress.setValue(int(fraction * 100)))
        state.modelChanged.connect(lambda _: self._show_freshness())
        state.datasetChanged.connect(lambda _: self._show_freshness())

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setObjectName("evaluateButton")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.export_button = QPushButton("Export report…")
        self.export_button.setObjectName("exportReportButton")
        self.export_button.clicked.connect(lambda: self.export_report())
        self.progress = ProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.status = QLabel("Evaluate the current model on the test split of the current data set.")
        self.status.setObjectName("evaluationStatus")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.evaluate_button)
        top.addWidget(self.export_button)
        top.addWidget(self.progress)
        top.addWidget(self.status, 1)

        self.pages = QTabWidget()
        self.pages.setObjectName("evaluationPages")
        self.pages.addTab(self._summary_page(), "Summary")
        self.pages.addTab(self._confusion_page(), "Confusion matrix")
        self.pages.addTab(self._mistakes_page(), "Mistakes")
        self.pages.addTab(self._samples_page(), "Sample predictions")
        # Made when first shown or filled: their three charts are not needed for the first paint.
        self.curves_page = LazyPage(self._curves_page)
        self.compare_page = LazyPage(self._compare_page)
        self.pages.addTab(self.curves_page, "Training curves")
        self.pages.addTab(self.compare_page, "Compare models")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    def _summary_page(self) -> QWidget:
        self.headline = QLabel("–")
        self.headline.setObjectName("accuracyHeadline")
        theme.sized(self.headline, 22, QFont.Weight.DemiBold)
        self.subline = QLabel()
        self.subline.setWordWrap(True)
        self.averages_table = make_table(["average", "precision", "recall", "F1"])
        self.averages_table.setMaximumHeight(100)
        self.class_table = make_table(["class", "precision", "recall", "F1", "support", "accuracy"])
        self.class_table.setObjectName("perClassTable")
        sort_from_the_keyboard(self.class_table)
        self.f1_plot = make_plot("Per class", object_name="perClassPlot",
                                 legend=[(BLUE, "precision"), (ORANGE, "recall")])
        left = QVBoxLayout()
        left.addWidget(self.headline)
        left.addWidget(self.subline)
        left.addWidget(self.averages_table)
        left.addWidget(QLabel("Per class (click a header, or use the Menu key, to sort):"))
        left.addWidget(self.class_table, 1)
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addLayout(left, 1)
        layout.addWidget(self.f1_plot, 1)
        return page

    def _confusion_page(self) -> QWidget:
        self.confusion = ConfusionMatrixView()
        self.confusion.setObjectName("confusionMatrix")
        self.confusion.cellClicked.connect(self.show_cell)
        self.normalised_check = QCheckBox("Show shares of each true class (%)")
        self.normalised_check.setObjectName("normalisedCheck")
        self.normalised_check.toggled.connect(self.confusion.set_normalised)
        self.cell_label = QLabel("Click a cell: its images appear here.")
        self.cell_label.setObjectName("cellLabel")
        self.cell_label.setWordWrap(True)
        self.cell_gallery = DigitGallery(show_bars=True)
        self.cell_gallery.setObjectName("cellGallery")
        left = QVBoxLayout()
        left.addWidget(self.confusion, 1)
        left.addWidget(self.normalised_check)
        right = QVBoxLayout()
        right.addWidget(self.cell_label)
        right.addWidget(self.cell_gallery, 1)
        page = QWidget()
        splitter = QSplitter()
        left_widget, right_widget = QWidget(), QWidget()
        left_widget.setLayout(left)
        right_widget.setLayout(right)
        splitter.addWidget(left_widget)
        splitter.addWidget(right_widget)
        splitter.setSizes([560, 520])
        persist.mark(splitter, "evaluation/confusion_splitter")
        QVBoxLayout(page).addWidget(splitter)
        return page

    def _mistakes_page(self) -> QWidget:
        self.mistakes_label, self.mistakes_gallery, page = _gallery_page("", "mistakesGallery", show_bars=True)
        return page

    def _samples_page(self) -> QWidget:
        self.samples_label, self.samples_gallery, page = _gallery_page(
            "A random sample of the test images with the model's reading: green when right, red when wrong "
            "(mistakes are mixed in so that both show).", "samplesGallery", thumb_size=64)
        return page

    def _curves_page(self) -> QWidget:
        self.curves_label = QLabel()
        self.curves_label.setWordWrap(True)
        legend = [(BLUE, "training"), (ORANGE, "validation")]
        self.curve_loss = make_plot("Loss", left="cross-entropy", bottom="epoch", object_name="historyLossPlot",
                                    legend=legend)
        self.curve_accuracy = make_plot("Accuracy", left="accuracy", bottom="epoch", object_name="historyAccuracyPlot",
                                        legend=legend)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.curves_label)
        plots = QHBoxLayout()
        plots.addWidget(self.curve_loss)
        plots.addWidget(self.curve_accuracy)
        layout.addLayout(plots, 1)
        return page

    def _compare_page(self) -> QWidget:
        self.compare_button = QPushButton("Compare with a model file…")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.clicked.connect(self._ask_compare)
        self.compare_shipped_button = QPushButton("Compare with the shipped model")
        self.compare_shipped_button.clicked.connect(lambda: self.compare_with(None))
        self.compare_label = QLabel("Compare the current model (A) with another (B) on the same test images: "
                                    "for instance the MLP baseline against a CNN.")
        self.compare_label.setObjectName("compareLabel")
        self.compare_label.setWordWrap(True)
        self.delta_plot = make_plot("Per-class F1, B minus A", object_name="deltaPlot")
        self.difference = ConfusionMatrixView()
        self.difference.setObjectName("differenceMatrix")
        self.only_a = DigitGallery(show_bars=False)
        self.only_a.setObjectName("onlyAGallery")
        self.only_b = DigitGallery(show_bars=False)
        self.only_b.setObjectName("onlyBGallery")
        self.only_a_label = QLabel("Only A reads right")
        self.only_b_label = QLabel("Only B reads right")
        buttons = QHBoxLayout()
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.compare_shipped_button)
        buttons.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(self.delta_plot, 0, 0)
        grid.addWidget(self.difference, 0, 1)
        grid.addWidget(self.only_a_label, 1, 0)
        grid.addWidget(self.only_b_label, 1, 1)
        grid.addWidget(self.only_a, 2, 0)
        grid.addWidget(self.only_b, 2, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(2, 2)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(buttons)
        layout.addWidget(self.compare_label)
        layout.addLayout(grid, 1)
        return page

    # ------------------------------------------------------------------ evaluating
    def is_stale(self) -> bool:
        """Is the evaluation shown of another model or data set than the current ones?"""
        return self.evaluation is not None and (self.predictor is not self.state.predictor
                                                or self.dataset is not self.state.dataset)

    def _show_freshness(self) -> None:
        if self.evaluation is None:
            return
        if self.is_stale():
            changed = "model" if self.predictor is not self.state.predictor else "data set"
            self.status.setText(f"The {changed} changed since this evaluation: press Evaluate to score the new one.")
            self.evaluate_button.setText("Evaluate again")
        else:
            self.status.setText(f"{self.predictor.describe()} on {self.dataset.name} (test split).")
            self.evaluate_button.setText("Evaluate")

    def _show_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.evaluate_button.setEnabled(not busy)

    def _test_split(self):
        dataset = self.state.dataset
        if dataset is None or self.state.predictor is None:
            return None, "The data set and the model are still loading."
        if len(dataset.x_test) == 0:
            return None, f"{dataset.name} has no test split to evaluate on."
        if not dataset.labeled:
            return None, f"{dataset.name}'s test images have no labels to score against."
        return dataset, ""

    def evaluate(self) -> workers.Task | None:
        """Evaluate the current model on the current test split (an evaluation still running is
        replaced)."""
        from mnist_desktop.ml.evaluate import evaluate_predictor

        dataset, problem = self._test_split()
        if dataset is None:
            self.status.setText(problem)
            return None
        predictor = self.state.predictor
        images, labels = dataset.x_test, dataset.y_test
        self.status.setText(f"Evaluating {predictor.name} on {len(images):,} test images of {dataset.name}…")

        def work(context):
            return evaluate_predictor(predictor, images, labels, class_names=dataset.class_names,
                                      progress=context.progress, should_stop=context.should_stop)

        def done(evaluation) -> None:
            self.show_evaluation(evaluation, images, predictor, dataset)

        return self.task.start(work, on_result=done)

    def show_evaluation(self, evaluation, images: np.ndarray, predictor, dataset) -> None:
        self.evaluation = evaluation
        self.images = images
        self.predictor = predictor
        self.dataset = dataset
        self.comparison = None
        names = evaluation.class_names
        wrong = len(evaluation.misclassified)
        self._show_freshness()
        self.headline.setText(f"{evaluation.accuracy:.2%} accuracy")
        self.subline.setText(f"{wrong:,} of {evaluation.count:,} test images misread. Most confused: "
                             + self._most_confused())
        self._fill_tables()
        self._fill_bars()
        self.confusion.set_matrix(evaluation.confusion, names)
        self.cell_gallery.set_content(images, np.zeros(0, np.int64), lambda i: "")
        self.cell_label.setText("Click a cell: its images appear here, each with the model's ten probabilities.")
        self._fill_mistakes()
        self._fill_samples()
        self._fill_curves(predictor.metadata or {})
        if self._export_after is not None:
            target, self._export_after = self._export_after, None
            self._write_report(target)

    def _most_confused(self) -> str:
        names = self.evaluation.class_names
        parts = [f"{names[i]} read as {names[j]} ({n})" for i, j, n in self.evaluation.most_confused(3)]
        return ", ".join(parts) if parts else "nothing: no mistakes."

    def _fill_tables(self) -> None:
        evaluation = self.evaluation
        self.averages_table.setRowCount(0)
        for name, values in evaluation.averages.items():
            row = self.averages_table.rowCount()
            self.averages_table.insertRow(row)
            self.averages_table.setItem(row, 0, QTableWidgetItem(name))
            for col, key in enumerate(("precision", "recall", "f1"), start=1):
                self.averages_table.setItem(row, col, _NumberItem(values[key], f"{values[key]:.4f}"))
        table = self.class_table
        table.setSortingEnabled(False)
        table.setRowCount(NUM_CLASSES)
        per = evaluation.per_class
        for c, name in enumerate(evaluation.class_names):
            table.setItem(c, 0, _NumberItem(c, name))
            for col, key in enumerate(("precision", "recall", "f1"), start=1):
                table.setItem(c, col, _NumberItem(float(per[key][c]), f"{per[key][c]:.4f}"))
            table.setItem(c, 4, _NumberItem(int(per["support"][c]), f"{int(per['support'][c]):,}"))
            table.setItem(c, 5, _NumberItem(float(per["accuracy"][c]), f"{per['accuracy'][c]:.2%}"))
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # classes 0 -> 9 until a header is clicked

    def _fill_bars(self) -> None:
        per = self.evaluation.per_class
        plot = self.f1_plot
        plot.clear()
        x = np.arange(NUM_CLASSES)
        plot.addItem(pg.BarGraphItem(x=x - 0.2, height=per["precision"], width=0.38, brush=brush(BLUE), name="precision"))
        plot.addItem(pg.BarGraphItem(x=x + 0.2, height=per["recall"], width=0.38, brush=brush(ORANGE), name="recall"))
        # Bars start at zero: a cut axis would make a 0.99 look half the height of a 1.0.
        plot.getPlotItem().setYRange(0.0, 1.0, padding=0.02)
        class_ticks(plot, self.evaluation.class_names)

    def _caption(self, i: int) -> str:
        e = self.evaluation
        names = e.class_names
        return f"{names[e.labels[i]]}→{names[e.predictions[i]]} {e.confidence[i]:.0%}"

    def _fill_mistakes(self) -> None:
        e = self.evaluation
        self.mistakes_gallery.set_content(self.images, e.misclassified, self._caption, lambda i: "#d73027",
                                          probabilities=e.probabilities)
        self.mistakes_label.setText(
            f"All {len(e.misclassified):,} misread test images, the ones the model was surest of first "
            "(caption: true→read, confidence; bars: the ten probabilities).")

    def _fill_samples(self) -> None:
        from mnist_desktop.core.figures import sample_indices

        e = self.evaluation
        picks = sample_indices(e, count=200)
        names = e.class_names
        self.samples_gallery.set_content(
            self.images, picks, lambda i: f"{names[e.predictions[i]]} ({e.confidence[i]:.0%})",
            lambda i: GREEN if e.predictions[i] == e.labels[i] else RED)

    def show_cell(self, true: int, predicted: int) -> np.ndarray:
        """Fill the cell gallery with exactly the images of this cell; returns their indices."""
        e = self.evaluation
        if e is None:
            return np.zeros(0, np.int64)
        members = e.cell(true, predicted)
        names = e.class_names
        colour = GREEN if true == predicted else RED
        self.cell_gallery.set_content(self.images, members, self._caption, lambda i: colour,
                                      probabilities=e.probabilities)
        if true == predicted:
            text = (f"{len(members):,} images of {names[true]} read right, the least confident first: "
                    "these are the ones the model nearly got wrong.")
        else:
            noun = "image" if len(members) == 1 else "images"
            text = f"{len(members):,} {noun} of {names[true]} read as {names[predicted]}, the most confident first."
        self.cell_label.setText(text)
        self.confusion.selected = (true, predicted)
        self.confusion.update()
        return members

    def _fill_curves(self, metadata: dict) -> None:
        self.curves_page.ensure()
        history = metadata.get("history") or []
        for plot in (self.curve_loss, self.curve_accuracy):
            plot.clear()
        if not history:
            self.curves_label.setText("This model carries no training history (a file saved elsewhere).")
            return
        epochs = [r["epoch"] + 1 for r in history]
        validated = any(r.get("val_loss") is not None or r.get("val_accuracy") is not None for r in history)
        legend = [(BLUE, "training")] + [(ORANGE, "validation")] * validated  # only what is drawn
        for plot in (self.curve_loss, self.curve_accuracy):
            set_legend(plot, legend)
        for plot, key in ((self.curve_loss, "loss"), (self.curve_accuracy, "accuracy")):
            plot.plot(epochs, [r[key] for r in history], pen=pen(BLUE), symbol="o", symbolSize=6, symbolBrush=BLUE,
                      name="training")
            val = [r.get(f"val_{key}") for r in history]
            if any(v is not None for v in val):
                points = [(x, v) for x, v in zip(epochs, val, strict=True) if v is not None]
                plot.plot(*zip(*points, strict=True), pen=pen(ORANGE), symbol="s", symbolSize=6, symbolBrush=ORANGE,
                          name="validation")
        from mnist_desktop.core.report import training_summary

        self.curves_label.setText(
            f"How {metadata.get('name', 'this model')} learned ({metadata.get('architecture', '?')}, "
            f"{training_summary(metadata)}), from its metadata.")

    # ------------------------------------------------------------------ comparing
    def _ask_compare(self) -> None:
        from mnist_desktop.gui.dialogs import MODEL_FILTER

        path, _ = QFileDialog.getOpenFileName(self, "Model B", recent.start_folder(), MODEL_FILTER)
        if path:
            self.compare_with(path)

    def compare_with(self, path: str | None) -> workers.Task | None:
        """Evaluate model B (a file, or the shipped model for None) on the same images as A."""
        from mnist_desktop.ml.evaluate import evaluate_predictor
        from mnist_desktop.ml.predictor import load_predictor

        self.compare_page.ensure()
        if self.evaluation is None:
            self.compare_label.setText("Evaluate the current model first: it is model A.")
            return None
        images, labels = self.images, self.evaluation.labels
        names = self.evaluation.class_names

        def work(context):
            context.status("Loading model B…")
            predictor = load_predictor(path)
            return predictor, evaluate_predictor(predictor, images, labels, class_names=names,
                                                 progress=context.progress, should_stop=context.should_stop)

        self.compare_label.setText("Evaluating model B on the same images…")
        return self.compare_task.start(work, on_result=self._show_comparison)

    def _comparison_failed(self, exc: BaseException) -> None:
        workers.show_error(self, "Cannot compare", exc)
        self.compare_page.ensure()
        self.compare_label.setText(str(exc))

    def _show_comparison(self, outcome) -> None:
        from mnist_desktop.core.metrics import compare

        self.compare_page.ensure()
        predictor_b, evaluation_b = outcome
        a = self.evaluation
        diff = compare(a, evaluation_b)
        self.comparison = (predictor_b, evaluation_b, diff)
        names = a.class_names
        self.compare_label.setText(
            f"A: {self.predictor.describe()}: {a.accuracy:.2%}. B: {predictor_b.name}: {evaluation_b.accuracy:.2%} "
            f"({(evaluation_b.accuracy - a.accuracy) * 100:+.2f} points). On the same {a.count:,} images, "
            f"{len(diff['only_a_right'])} are read right only by A, {len(diff['only_b_right'])} only by B, "
            f"{len(diff['both_wrong'])} by neither.")
        plot = self.delta_plot
        plot.clear()
        delta = diff["f1_delta"]
        x = np.arange(NUM_CLASSES)
        plot.addItem(pg.BarGraphItem(x=x, height=delta, width=0.6,
                                     brushes=[brush(BLUE if d >= 0 else RED) for d in delta]))
        class_ticks(plot, names)
        self.difference.set_matrix(diff["confusion_delta"], names, difference=True)
        self.only_a.set_content(self.images, diff["only_a_right"],
                                lambda i: f"A {names[a.predictions[i]]} · B {names[evaluation_b.predictions[i]]}")
        self.only_b.set_content(self.images, diff["only_b_right"],
                                lambda i: f"A {names[a.predictions[i]]} · B {names[evaluation_b.predictions[i]]}")
        self.only_a_label.setText(f"Only A reads right ({len(diff['only_a_right'])}); caption: what each read")
        self.only_b_label.setText(f"Only B reads right ({len(diff['only_b_right'])})")

    # ------------------------------------------------------------------ report
    def export_report(self, folder: str | Path | None = None) -> None:
        if folder is None:
            # A save dialog, not "choose a folder": a new folder's name can simply be typed in.
            name = f"report-{self.predictor.name if self.evaluation is not None else 'model'}"
            folder, _ = QFileDialog.getSaveFileName(
                self, "Export the report as a folder (a new name creates it)", str(Path(recent.start_folder()) / name),
                "Folder (*)", options=QFileDialog.Option.DontConfirmOverwrite)
            if not folder:
                return
            recent.remember_folder(Path(folder).parent)
        target = Path(folder)
        if target.exists() and not target.is_dir():
            QMessageBox.warning(self, "Cannot export the report", f"{target} is a file, not a folder.")
            return
        if self.evaluation is None or self.is_stale():
            self._export_after = target
            if self.evaluate() is None:
                self._export_after = None
            return
        self._write_report(target)

    def _write_report(self, target: Path) -> workers.Task:
        from mnist_desktop.core.report import write_report

        evaluation, images, predictor, dataset = self.evaluation, self.images, self.predictor, self.dataset

        def work(context):
            return write_report(target, evaluation, images=images, model_name=predictor.name,
                                dataset_name=f"{dataset.name} (test)", metadata=predictor.metadata)

        def written(paths) -> None:
            self.status.setText(f"Report written to {target}")
            box = QMessageBox(self)
            box.setWindowTitle("Report exported")
            box.setText(f"The report is in {target}: report.html (one page, figures inside), "
                        f"JSON, CSV and {sum(p.suffix == '.png' for p in paths.values())} PNG figures.")
            open_button = box.addButton("Open report", QMessageBox.ButtonRole.ActionRole)
            box.addButton(QMessageBox.StandardButton.Close)
            open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(target / "report.html"))))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            box.open()

        self.status.setText(f"Writing the report to {target}…")
        return self.report_task.start(work, on_result=written)

    def shutdown(self) -> None:
        self._export_after = None
        for slot in (self.task, self.compare_task):
            slot.cancel()
        # A report being written is left to finish: cut off, it would leave half a folder.
        self.report_task.request_stop()
