"""The Evaluation tab: scikit-learn's numbers, a clicked cell shows exactly its images, comparison,
report export, and re-evaluation only on request."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from mnist_desktop.core.dataset import Dataset
from mnist_desktop.gui import workers
from tests.helpers import send_mouse, use_trained_on_a_slice


@pytest.fixture
def evaluated(window, qtbot, tiny_run, mnist):
    """The tiny model evaluated on a 600-image slice of the test split."""
    trained, _ = tiny_run
    small = use_trained_on_a_slice(window, trained, mnist, train=100, test=600)
    tab = window.evaluation_tab
    worker = tab.evaluate()
    with qtbot.waitSignal(worker.done, timeout=20_000):
        pass
    return tab, trained, small


def test_numbers_are_scikit_learns(evaluated):
    tab, trained, small = evaluated
    predicted = trained.predictor.predict(small.x_test).argmax(axis=1)
    truth = small.y_test
    assert tab.headline.text() == f"{accuracy_score(truth, predicted):.2%} accuracy"
    np.testing.assert_array_equal(tab.evaluation.confusion, confusion_matrix(truth, predicted, labels=range(10)))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=range(10), zero_division=0)
    table = tab.class_table
    rows = {table.item(r, 0).text(): r for r in range(10)}
    for c in range(10):
        r = rows[str(c)]
        assert table.item(r, 1).text() == f"{precision[c]:.4f}" and table.item(r, 3).text() == f"{f1[c]:.4f}"
        assert table.item(r, 4).text() == f"{support[c]:,}"
    mistakes = confusion_matrix(truth, predicted, labels=range(10))
    np.fill_diagonal(mistakes, 0)
    true, read = np.unravel_index(int(np.argmax(mistakes)), mistakes.shape)
    assert f"Most confused: {true} read as {read} ({mistakes[true, read]})" in tab.subline.text()
    # Sorting by F1 puts the weakest class first.
    table.sortItems(3)
    assert table.item(0, 0).text() == str(int(np.argmin(f1)))


def test_clicking_a_cell_shows_exactly_its_images(evaluated, qtbot):
    tab, trained, small = evaluated
    tab.pages.setCurrentIndex(1)
    view = tab.confusion
    view.resize(520, 520)
    matrix = tab.evaluation.confusion.copy()
    np.fill_diagonal(matrix, 0)
    true, predicted = np.unravel_index(int(np.argmax(matrix)), matrix.shape)
    centre = view.cell_rect(int(true), int(predicted)).center()
    with qtbot.waitSignal(view.cellClicked, timeout=2000) as clicked:
        send_mouse(view, "press", centre.x(), centre.y())
    assert clicked.args == [true, predicted]
    shown = tab.cell_gallery.gallery_model.order
    probabilities = trained.predictor.predict(small.x_test)
    expected = np.flatnonzero((small.y_test == true) & (probabilities.argmax(1) == predicted))
    assert sorted(shown.tolist()) == expected.tolist() and len(shown) == matrix[true, predicted]
    confidence = probabilities.max(axis=1)[shown]
    assert np.all(np.diff(confidence) <= 1e-6), "mistakes: most confident first"
    diagonal = tab.show_cell(2, 2)
    assert np.all(np.diff(probabilities.max(axis=1)[diagonal]) >= -1e-6), "correct: least confident first"
    assert len(diagonal) == tab.evaluation.confusion[2, 2]


def test_normalised_view_and_mistakes(evaluated):
    tab, _, _ = evaluated
    tab.normalised_check.setChecked(True)
    shares = tab.confusion._shown()
    np.testing.assert_allclose(shares.sum(axis=1)[tab.evaluation.confusion.sum(axis=1) > 0], 1.0)
    order = tab.mistakes_gallery.gallery_model.order
    assert order.tolist() == tab.evaluation.misclassified.tolist()


def test_compare_two_models(evaluated, qtbot, tiny_model_path):
    tab, trained, small = evaluated
    worker = tab.compare_with(None)  # B: the shipped model
    with qtbot.waitSignal(worker.done, timeout=20_000):
        pass
    _, evaluation_b, diff = tab.comparison
    a_right = tab.evaluation.predictions == small.y_test
    b_right = evaluation_b.predictions == small.y_test
    assert tab.only_b.count() == int(np.sum(b_right & ~a_right))
    assert tab.only_a.count() == int(np.sum(a_right & ~b_right))
    np.testing.assert_array_equal(tab.difference.matrix, evaluation_b.confusion.astype(int) - tab.evaluation.confusion)
    assert f"B: mnist_cnn: {evaluation_b.accuracy:.2%}" in tab.compare_label.text()


def test_export_report(evaluated, qtbot, tmp_path):
    tab, _, _ = evaluated
    tab.export_report(tmp_path)
    qtbot.waitUntil(lambda: (tmp_path / "report.html").exists(), timeout=30_000)
    qtbot.waitUntil(lambda: "Report written" in tab.status.text(), timeout=10_000)
    assert {"report.json", "per_class.csv", "confusion_matrix.png", "predictions_opencv.png"} <= {
        p.name for p in tmp_path.iterdir()}


class Renamed:
    """Another model object with the same weights (what opening the same file again gives)."""

    def __init__(self, predictor, **metadata):
        self._predictor = predictor
        self.name = "renamed"
        self.metadata = dict(predictor.metadata or {}, **metadata)

    def predict(self, images):
        return self._predictor.predict(images)

    def describe(self):
        return "renamed"


def test_a_model_change_asks_before_re_evaluating(evaluated, window, qtbot):
    tab, trained, _ = evaluated
    before = tab.evaluation
    window.state.set_model(Renamed(trained.predictor), None)
    qtbot.wait(200)
    assert tab.evaluation is before, "never re-evaluated behind the user's back"
    assert "press Evaluate" in tab.status.text() and tab.evaluate_button.text() == "Evaluate again"
    # Back to the model evaluated: the evaluation is current again, and says so.
    window.state.set_model(trained.predictor, None)
    assert "press Evaluate" not in tab.status.text() and tab.evaluate_button.text() == "Evaluate"


def test_a_stopped_run_says_how_many_epochs_it_ran(evaluated, window, qtbot, tmp_path):
    """A run stopped in epoch 2 of 10 must not be reported as "epochs 10"."""
    tab, trained, _ = evaluated
    history = [dict(trained.metadata["history"][0], epoch=k) for k in range(2)]
    stopped = Renamed(trained.predictor, history=history, stop_reason="stopped by user",
                      training=dict(trained.metadata["training"], epochs=10))
    window.state.set_model(stopped, None)
    with qtbot.waitSignal(tab.task.finished, timeout=20_000):
        tab.evaluate()
    assert "2 of 10 epochs (stopped by user)" in tab.curves_label.text()
    assert "epochs 10" not in tab.curves_label.text()
    tab.export_report(tmp_path)
    qtbot.waitUntil(lambda: "Report written" in tab.status.text(), timeout=30_000)
    html = (tmp_path / "report.html").read_text()
    assert "2 of 10 epochs (stopped by user)" in html and "epochs 10" not in html


def test_a_late_result_of_a_replaced_evaluation_is_dropped(evaluated, window, qtbot, mnist):
    """Evaluate, then evaluate another data set before the first ends: only the second is shown."""
    tab, trained, small = evaluated
    first = tab.evaluate()
    other = Dataset("other slice", mnist.x_train[:100].copy(), mnist.y_train[:100].copy(),
                    mnist.x_test[600:900].copy(), mnist.y_test[600:900].copy())
    window.state.set_dataset(other, None)
    results = []
    first.result.connect(results.append)
    with qtbot.waitSignal(tab.task.finished, timeout=20_000):
        tab.evaluate()
    qtbot.waitUntil(lambda: not [w for w in workers.running_workers() if w.name == "Evaluation"], timeout=5000)
    qtbot.wait(50)
    assert results == [], "the replaced evaluation delivered nothing"
    assert tab.evaluation.count == 300 and tab.dataset is other and not tab.is_stale()


def test_unlabeled_test_split_is_explained(window, mnist):
    unlabeled = Dataset("kaggle test", mnist.x_train[:0], mnist.y_train[:0], mnist.x_test[:50].copy(),
                        np.full(50, 255, np.uint8))
    window.state.set_dataset(unlabeled, None)
    assert window.evaluation_tab.evaluate() is None
    assert "no labels" in window.evaluation_tab.status.text()


def test_the_curves_legend_names_only_what_is_drawn(evaluated):
    """Was: "validation" in the legend of a model whose history has no validation (the shipped one)."""
    tab, _, _ = evaluated
    history = [{"epoch": k, "loss": 1.0 / (k + 1), "accuracy": 0.9, "val_loss": None, "val_accuracy": None}
               for k in range(3)]
    tab._fill_curves({"name": "m", "architecture": "classic", "history": history})
    assert [name for _, name in tab.curve_loss.chart_legend] == ["training"]
    history[0].update(val_loss=0.5, val_accuracy=0.95)
    tab._fill_curves({"name": "m", "architecture": "classic", "history": history})
    assert [name for _, name in tab.curve_accuracy.chart_legend] == ["training", "validation"]


def test_the_chart_pages_are_made_when_first_shown(window, qtbot):
    # Not before the first paint (start-up time); at once when a page is shown.
    tab = window.evaluation_tab
    assert not tab.curves_page.is_built() and not tab.compare_page.is_built()
    window.show_tab("Evaluation")
    tab.pages.setCurrentWidget(tab.compare_page)
    assert tab.compare_page.is_built() and tab.delta_plot.isVisible() and tab.compare_button.isVisible()
    assert not tab.curves_page.is_built()
    # Filled while hidden (an evaluation shows the model's training curves): made then, and shown
    # later with what was filled in.
    with qtbot.waitSignal(tab.evaluate().done, timeout=60_000):
        pass
    assert tab.curves_page.is_built() and "How mnist_cnn learned" in tab.curves_label.text()
    tab.pages.setCurrentWidget(tab.curves_page)
    assert tab.curve_loss.isVisible() and tab.curves_label.isVisible()
    assert tab.curve_loss.getPlotItem().listDataItems()
