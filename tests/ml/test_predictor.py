"""The LiteRT predictor: right numbers, any batch size, several threads at once."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from mnist_desktop.ml.predictor import Predictor


def test_probabilities_match_keras(tiny_run):
    trained, data = tiny_run
    for count in (1, 3, 6, 7, 17, 300):  # sizes of their own (up to 6), padded ones beyond
        images = data.x_test[:count]
        expected = np.asarray(trained.model(images.astype(np.float32)[..., None] / 255))
        got = trained.predictor.predict(images)
        assert got.shape == (count, 10) and got.dtype == np.float32
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_single_image_and_channel_axis(tiny_run):
    trained, data = tiny_run
    single = trained.predictor.predict(data.x_test[0])
    assert single.shape == (1, 10)
    np.testing.assert_allclose(trained.predictor.predict(data.x_test[:1, ..., None]), single)
    with pytest.raises(ValueError, match="28 x 28"):
        trained.predictor.predict(np.zeros((2, 32, 32), np.uint8))


def test_safe_from_several_threads_at_once(tiny_run):
    trained, data = tiny_run
    images = data.x_test[:64]
    expected = trained.predictor.predict(images)
    failures: list[str] = []

    def hammer(offset: int) -> None:
        for k in range(150):
            i = (offset + k) % 64
            n = 1 + (k % 4)
            got = trained.predictor.predict(images[i:i + n])
            if not np.allclose(got, expected[i:i + n], atol=1e-5):
                failures.append(f"thread {offset} call {k}")

    threads = [threading.Thread(target=hammer, args=(t * 7,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


@pytest.mark.slow  # imports TensorFlow (~5 s)
def test_a_model_without_softmax_is_refused():
    from mnist_desktop import ModelError
    from mnist_desktop.ml.modelio import to_tflite
    from mnist_desktop.ml.tf_runtime import import_tensorflow

    _, keras = import_tensorflow()
    logits = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    logits.layers[-1].set_weights([np.full((784, 10), 0.01, np.float32), np.arange(10, dtype=np.float32)])
    with pytest.raises(ModelError, match="not probabilities"):
        Predictor(to_tflite(logits))
