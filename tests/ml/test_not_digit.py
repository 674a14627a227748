"""The digit/not-digit model: trained as eleven classes, loaded on LiteRT, folded into readings."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_desktop import load_predictor
from mnist_desktop.ml import predictor as predictor_module
from mnist_desktop.ml.predictor import load_gate


def _scribbles(count: int, seed: int) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)
    out = np.zeros((count, 28, 28), np.uint8)
    for image in out:
        points = rng.integers(4, 24, (8, 2)).astype(np.int32)
        cv2.polylines(image, [points], False, 255, 2, cv2.LINE_AA)
    return out


@pytest.mark.slow  # imports TensorFlow and trains for a few seconds
def test_a_trained_gate_loads_and_tells_digits_from_scribbles(tmp_path, mnist):
    from mnist_desktop.ml.not_digit import save_gate, train_gate

    digits, labels = mnist.x_train[:1500], mnist.y_train[:1500]
    model = train_gate(digits, labels, _scribbles(1500, 0), epochs=2, verbose=False)
    path = save_gate(model, tmp_path / "gate", {"trained_on": "a slice"})
    gate = load_gate(path)
    scores, which = gate.scores_and_digits(np.concatenate([mnist.x_test[:100], _scribbles(100, 1)]))
    assert scores.shape == (200,) and which.shape == (200, 10)
    assert np.allclose(which.sum(axis=1), 1.0, atol=1e-4)
    assert scores[:100].mean() > scores[100:].mean() + 0.3
    np.testing.assert_allclose(gate.digit_scores(mnist.x_test[:5]), scores[:5], atol=1e-6)


def test_the_shipped_gate_has_eleven_outputs_and_reads_marks(mnist, monkeypatch):
    predictor = load_predictor()
    assert predictor.gate is not None
    images = mnist.x_test[:64]
    probabilities, scores = predictor.read_marks(images)
    assert probabilities.shape == (64, 10) and scores.shape == (64,)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    # The second opinion only nudges: on MNIST it agrees with the digit model nearly always.
    assert (probabilities.argmax(1) == mnist.y_test[:64]).mean() >= 0.98
    # Without it, reading marks is the digit model's own reading.
    monkeypatch.setattr(predictor_module, "SECOND_OPINION", 0.0)
    np.testing.assert_allclose(predictor.read_marks(images)[0], predictor.predict(images), atol=1e-5)


@pytest.mark.slow  # imports TensorFlow and trains two small models
def test_an_ensemble_gate_is_the_mean_of_its_members_in_one_file(tmp_path, mnist):
    from mnist_desktop.ml.not_digit import ensemble, save_gate, train_gate

    digits, labels = mnist.x_train[:800], mnist.y_train[:800]
    members = [train_gate(digits, labels, _scribbles(800, seed), epochs=1, seed=seed, verbose=False)
               for seed in (0, 1)]
    probe = np.concatenate([mnist.x_test[:20], _scribbles(20, 5)]).astype(np.float32)[..., None] / 255.0
    expected = np.mean([member.predict(probe, verbose=0) for member in members], axis=0)
    gate = load_gate(save_gate(ensemble(members), tmp_path / "gate", {"trained_on": "a slice"}))
    scores, _ = gate.scores_and_digits((probe[..., 0] * 255).round().astype(np.uint8))
    np.testing.assert_allclose(scores, 1.0 - expected[:, -1], atol=1e-3)
