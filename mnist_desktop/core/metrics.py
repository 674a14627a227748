"""Evaluation numbers from labels and predicted probabilities (scikit-learn does the arithmetic)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class Evaluation:
    labels: np.ndarray  # (N,) true labels
    probabilities: np.ndarray  # (N, 10)
    class_names: tuple[str, ...] = tuple(str(d) for d in range(10))

    @cached_property
    def predictions(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1).astype(np.uint8)

    @cached_property
    def confidence(self) -> np.ndarray:
        """Probability the model gave to its own answer."""
        return self.probabilities.max(axis=1)

    @property
    def count(self) -> int:
        return int(len(self.labels))

    @cached_property
    def accuracy(self) -> float:
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(self.labels, self.predictions)) if self.count else float("nan")

    @cached_property
    def log_loss(self) -> float:
        """Mean cross-entropy of the true class (what training minimises)."""
        picked = self.probabilities[np.arange(self.count), self.labels]
        return float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0)))) if self.count else float("nan")

    @cached_property
    def confusion(self) -> np.ndarray:
        """(10, 10) counts: row = true class, column = predicted class."""
        from sklearn.metrics import confusion_matrix

        return confusion_matrix(self.labels, self.predictions, labels=list(range(10)))

    @cached_property
    def per_class(self) -> dict[str, np.ndarray]:
        """precision, recall, f1, support and accuracy (= recall: correct / images of the class)."""
        from sklearn.metrics import precision_recall_fscore_support

        precision, recall, f1, support = precision_recall_fscore_support(
            self.labels, self.predictions, labels=list(range(10)), zero_division=0
        )
        return {"precision": precision, "recall": recall, "f1": f1, "support": support, "accuracy": recall}

    @cached_property
    def averages(self) -> dict[str, dict[str, float]]:
        from sklearn.metrics import precision_recall_fscore_support

        out = {}
        for average in ("macro", "weighted"):
            p, r, f, _ = precision_recall_fscore_support(
                self.labels, self.predictions, labels=list(range(10)), average=average, zero_division=0
            )
            out[average] = {"precision": float(p), "recall": float(r), "f1": float(f)}
        return out

    @cached_property
    def misclassified(self) -> np.ndarray:
        """Indices of the wrong answers, the most confident mistakes first."""
        wrong = np.flatnonzero(self.predictions != self.labels)
        return wrong[np.argsort(-self.confidence[wrong], kind="stable")]

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the images of class ``true`` read as ``predicted``.

        Off the diagonal (mistakes) the most confident come first; on the diagonal (correct answers)
        the least confident come first, since those are the interesting ones.
        """
        members = np.flatnonzero((self.labels == true) & (self.predictions == predicted))
        order = self.confidence[members]
        return members[np.argsort(order if true == predicted else -order, kind="stable")]

    def most_confused(self, count: int = 3) -> list[tuple[int, int, int]]:
        """The ``count`` most frequent mistakes as (true class, read as, how many), most first;
        only pairs that happened at all."""
        matrix = self.confusion.copy()
        np.fill_diagonal(matrix, 0)
        order = np.argsort(-matrix, axis=None, kind="stable")[:count]
        pairs = [np.unravel_index(k, matrix.shape) for k in order]
        return [(int(i), int(j), int(matrix[i, j])) for i, j in pairs if matrix[i, j] > 0]

    def to_dict(self) -> dict[str, Any]:
        per_class = self.per_class
        return {
            "count": self.count,
            "accuracy": self.accuracy,
            "macro": self.averages["macro"],
            "weighted": self.averages["weighted"],
            "class_names": list(self.class_names),
            "precision": per_class["precision"].tolist(),
            "recall": per_class["recall"].tolist(),
            "f1": per_class["f1"].tolist(),
            "support": per_class["support"].tolist(),
            "per_class_accuracy": per_class["accuracy"].tolist(),
            "confusion_matrix": self.confusion.tolist(),
            "misclassified": [
                {
                    "index": int(i),
                    "label": int(self.labels[i]),
                    "predicted": int(self.predictions[i]),
                    "confidence": float(self.confidence[i]),
                    "probabilities": [round(float(p), 6) for p in self.probabilities[i]],
                }
                for i in self.misclassified
            ],
        }


def compare(a: Evaluation, b: Evaluation) -> dict[str, Any]:
    """Two models on the same images: per-class deltas (b - a) and who gets what right."""
    if a.count != b.count or not np.array_equal(a.labels, b.labels):
        raise ValueError("the two evaluations are not on the same images")
    a_right = a.predictions == a.labels
    b_right = b.predictions == b.labels
    return {
        "accuracy": (a.accuracy, b.accuracy),
        "f1_delta": b.per_class["f1"] - a.per_class["f1"],
        "recall_delta": b.per_class["recall"] - a.per_class["recall"],
        "confusion_delta": b.confusion.astype(int) - a.confusion.astype(int),
        "only_a_right": np.flatnonzero(a_right & ~b_right),
        "only_b_right": np.flatnonzero(b_right & ~a_right),
        "both_wrong": np.flatnonzero(~a_right & ~b_right),
    }
