"""The Evaluation tab: scikit-learn's numbers, a clicked cell shows exactly its images, comparison,
report export, and re-evaluation only on request."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from mnist_desktop.core.dataset import Dataset
from tests.helpers import send_mouse


@pytest.fixture
def evaluated(window, qtbot, tiny_run, mnist):
    """The tiny model evaluated on a 600-image slice of the test split."""
    trained, _ = tiny_run
    small = Dataset("slice", mnist.x_train[:100].copy(), mnist.y_train[:100].copy(),
                    mnist.x_test[:600].copy(), mnist.y_test[:600].copy())
    window.state.set_dataset(small, None)
    window.state.set_model(trained.predictor, None, trained=trained)
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


def test_a_model_change_asks_before_re_evaluating(evaluated, window, qtbot):
    tab, trained, _ = evaluated
    before = tab.evaluation
    window.state.set_model(trained.predictor, None)
    qtbot.wait(200)
    assert tab.evaluation is before, "never re-evaluated behind the user's back"
    assert "press Evaluate" in tab.status.text() and tab.evaluate_button.text() == "Evaluate again"


def test_unlabeled_test_split_is_explained(window, mnist):
    unlabeled = Dataset("kaggle test", mnist.x_train[:0], mnist.y_train[:0], mnist.x_test[:50].copy(),
                        np.full(50, 255, np.uint8))
    window.state.set_dataset(unlabeled, None)
    assert window.evaluation_tab.evaluate() is None
    assert "no labels" in window.evaluation_tab.status.text()
