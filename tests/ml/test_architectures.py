"""Every architecture builds, takes 28x28x1, ends in a 10-way softmax, and has the parameter count
the Training tab shows without TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_desktop.ml.architectures import ARCHITECTURES, build_model, get_architecture
from mnist_desktop.ml.modelio import validate_model


@pytest.mark.slow  # imports TensorFlow (~5 s)
@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_architecture_builds_with_the_advertised_parameter_count(name):
    model = build_model(name)
    validate_model(model)
    assert model.count_params() == get_architecture(name).params
    out = np.asarray(model(np.zeros((2, 28, 28, 1), np.float32)))
    assert out.shape == (2, 10) and np.allclose(out.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.slow  # imports TensorFlow (~5 s)
def test_classic_is_the_reference_cnn():
    layers = [type(layer).__name__ for layer in build_model("classic").layers]
    assert layers == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dense"]


def test_catalogue_describes_each_architecture():
    for arch in ARCHITECTURES.values():
        assert arch.title and len(arch.description) > 40 and arch.recipe.epochs >= 1
    with pytest.raises(ValueError, match="unknown architecture 'vgg'"):
        get_architecture("vgg")
