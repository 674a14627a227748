"""Evaluation numbers, checked against hand counts on a case small enough to reason about."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_desktop.core.metrics import Evaluation, compare


def one_hot(predicted, confidence):
    probabilities = np.full((len(predicted), 10), 0.0, np.float32)
    for row, (p, c) in enumerate(zip(predicted, confidence, strict=True)):
        probabilities[row] = (1 - c) / 9
        probabilities[row, p] = c
    return probabilities


@pytest.fixture
def case():
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3], np.uint8)
    predicted = [0, 0, 1, 1, 2, 2, 2, 0, 2, 3]
    confidence = [0.9, 0.6, 0.8, 0.99, 0.7, 0.55, 0.95, 0.65, 0.8, 0.5]
    return Evaluation(labels, one_hot(predicted, confidence))


def test_counts_by_hand(case):
    assert case.accuracy == pytest.approx(7 / 10)
    assert case.confusion[0].tolist()[:3] == [2, 1, 0]  # rows are the true class
    assert case.confusion[2].tolist()[:3] == [1, 0, 3]
    assert case.per_class["precision"][0] == pytest.approx(2 / 3)  # predicted 0: two right of three
    assert case.per_class["recall"][2] == pytest.approx(3 / 4)
    assert case.per_class["support"].tolist()[:4] == [3, 2, 4, 1]
    np.testing.assert_allclose(case.per_class["accuracy"][:4], [2 / 3, 1 / 2, 3 / 4, 1])
    f1 = 2 * (2 / 3) * (2 / 3) / (4 / 3)
    assert case.per_class["f1"][0] == pytest.approx(f1)


def test_mistakes_most_confident_first(case):
    assert case.misclassified.tolist() == [2, 4, 7]  # confidences 0.8, 0.7, 0.65


def test_cells_off_and_on_the_diagonal(case):
    assert case.cell(2, 0).tolist() == [7]
    assert case.cell(2, 2).tolist() == [5, 8, 6]  # correct: least confident first
    assert case.cell(5, 5).tolist() == []


def test_to_dict_is_plain_json(case):
    import json

    data = json.loads(json.dumps(case.to_dict()))
    assert data["accuracy"] == pytest.approx(0.7) and len(data["confusion_matrix"]) == 10
    assert [m["index"] for m in data["misclassified"]] == [2, 4, 7]


def test_compare_two_models(case):
    labels = case.labels
    better = Evaluation(labels, one_hot(labels.tolist(), [0.9] * 10))
    diff = compare(case, better)
    assert diff["accuracy"] == (pytest.approx(0.7), 1.0)
    assert diff["only_b_right"].tolist() == [2, 4, 7] and diff["only_a_right"].tolist() == []
    assert diff["confusion_delta"][2, 0] == -1 and diff["confusion_delta"][2, 2] == 1
    with pytest.raises(ValueError):
        compare(case, Evaluation(labels[:5], better.probabilities[:5]))
