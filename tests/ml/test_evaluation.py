"""Evaluating a model gives scikit-learn's numbers, and the report has every part."""

from __future__ import annotations

import json

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from mnist_desktop.core.report import write_report
from mnist_desktop.ml.evaluate import evaluate_predictor


def test_numbers_equal_scikit_learn(tiny_run):
    trained, data = tiny_run
    images, labels = data.x_test[:1500], data.y_test[:1500]
    evaluation = evaluate_predictor(trained.predictor, images, labels)
    predicted = np.asarray(trained.model(images.astype(np.float32)[..., None] / 255)).argmax(axis=1)
    assert evaluation.accuracy == accuracy_score(labels, predicted)
    np.testing.assert_array_equal(evaluation.confusion, confusion_matrix(labels, predicted, labels=range(10)))
    p, r, f, s = precision_recall_fscore_support(labels, predicted, labels=range(10), zero_division=0)
    np.testing.assert_allclose(evaluation.per_class["precision"], p)
    np.testing.assert_allclose(evaluation.per_class["f1"], f)
    np.testing.assert_array_equal(evaluation.per_class["support"], s)
    macro = precision_recall_fscore_support(labels, predicted, average="macro", zero_division=0)
    assert evaluation.averages["macro"]["f1"] == macro[2]


def test_report_has_json_csv_png_and_one_html_page(tiny_run, tmp_path):
    trained, data = tiny_run
    evaluation = evaluate_predictor(trained.predictor, data.x_test[:800], data.y_test[:800])
    written = write_report(tmp_path, evaluation, images=data.x_test[:800], model_name="tiny",
                           dataset_name="MNIST (test)", metadata=trained.metadata)
    expected = {"report.json", "report.html", "per_class.csv", "confusion_matrix.csv", "misclassified.csv",
                "confusion_matrix.png", "confusion_matrix_normalised.png", "per_class.png", "misclassified.png",
                "predictions_matplotlib.png", "predictions_opencv.png", "training_curves.png"}
    assert set(written) == expected == {p.name for p in tmp_path.iterdir()}
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["accuracy"] == evaluation.accuracy and report["model"] == "tiny"
    csv_rows = (tmp_path / "per_class.csv").read_text().splitlines()
    assert csv_rows[0] == "class,precision,recall,f1,support,accuracy" and len(csv_rows) == 11
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 7 and "src=\"http" not in page  # self-contained
    assert f"{evaluation.accuracy:.2%} accuracy" in page
    for name in expected:
        if name.endswith(".png"):
            assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
