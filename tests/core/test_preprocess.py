"""prepare_digit: any single-digit image -> MNIST-like 28x28, and the stages it shows."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mnist_desktop import prepare_digit
from mnist_desktop.core.preprocess import (
    BOX,
    STROKE_MAX,
    STROKE_MIN,
    prepare_digit_stages,
    stroke_width,
)
from tests.helpers import similarity


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    m = cv2.moments(image.astype(np.float32))
    return m["m01"] / m["m00"], m["m10"] / m["m00"]


def ink_extent(image: np.ndarray) -> tuple[int, int]:
    _, _, w, h = cv2.boundingRect(cv2.findNonZero(image))
    return h, w


def on_canvas(digit: np.ndarray, size: int, top: int, left: int, *, dark_on_light: bool = False) -> np.ndarray:
    canvas = np.zeros((size, size), np.uint8)
    canvas[top:top + digit.shape[0], left:left + digit.shape[1]] = digit
    return 255 - canvas if dark_on_light else canvas


@pytest.mark.parametrize(("top", "left"), [(0, 0), (40, 3), (5, 60), (70, 70)])
def test_shifted_digit_lands_where_mnist_put_it(digits, top, left):
    for digit in digits.values():
        prepared = prepare_digit(on_canvas(digit, 100, top, left))
        # Same place (centre of mass within a pixel of the original's) and the same picture.
        assert np.allclose(centre_of_mass(prepared), centre_of_mass(digit), atol=1.0)
        assert similarity(prepared, digit) > 0.97


@pytest.mark.parametrize("factor", [0.5, 3, 8])
def test_scaled_digit_is_fitted_into_20_pixels(digits, factor):
    for label, digit in digits.items():
        scaled = cv2.resize(digit, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        prepared = prepare_digit(on_canvas(scaled, max(scaled.shape) + 40, 20, 20))
        assert max(ink_extent(prepared)) in (BOX, BOX + 1), label
        assert np.allclose(centre_of_mass(prepared), (14, 14), atol=1.0)
        assert similarity(prepared, digit) > (0.75 if factor < 1 else 0.9), label


def test_rotated_digit_is_centred_and_fitted(digits):
    for digit in digits.values():
        big = cv2.resize(digit, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
        big = on_canvas(big, 200, 44, 44)
        rotation = cv2.getRotationMatrix2D((100, 100), 25, 1.0)
        rotated = cv2.warpAffine(big, rotation, (200, 200))
        prepared = prepare_digit(rotated)
        assert max(ink_extent(prepared)) in (BOX, BOX + 1)
        assert np.allclose(centre_of_mass(prepared), (14, 14), atol=1.0)


def test_dark_ink_on_light_paper_gives_mnist_polarity(digits):
    for digit in digits.values():
        # Grey paper (200) with dark-grey ink: inverted and stretched back to the original.
        paper = on_canvas(digit, 60, 10, 12, dark_on_light=True).astype(np.float32) * (150 / 255) + 50
        stages = prepare_digit_stages(paper.astype(np.uint8))
        assert stages.inverted
        assert similarity(stages.result, digit) > 0.97


def test_noise_specks_and_sensor_noise_are_dropped(digits):
    rng = np.random.default_rng(0)
    for digit in digits.values():
        canvas = on_canvas(cv2.resize(digit, None, fx=3, fy=3), 120, 18, 18)
        noisy = canvas.astype(np.float32) + rng.normal(0, 6, canvas.shape)
        for y, x in rng.integers(0, 120, size=(6, 2)):
            cv2.circle(noisy, (int(x), int(y)), 1, 255, -1)  # dust specks, far smaller than a stroke
        prepared = prepare_digit(np.clip(noisy, 0, 255).astype(np.uint8))
        assert similarity(prepared, digit) > 0.9
        assert np.allclose(centre_of_mass(prepared), (14, 14), atol=1.0)


def _drawn_seven(size: int, pen: int) -> np.ndarray:
    canvas = np.zeros((size, size), np.uint8)
    s = size / 100
    points = np.array([[20, 15], [80, 15], [45, 90]], np.float64) * s
    cv2.polylines(canvas, [points.astype(np.int32)], False, 255, pen, cv2.LINE_AA)
    return canvas


@pytest.mark.parametrize(("size", "pen"), [(400, 2), (400, 60), (280, 20), (120, 40), (60, 1)])
def test_stroke_width_is_brought_into_mnist_range(size, pen):
    stages = prepare_digit_stages(_drawn_seven(size, pen))
    width = stroke_width(stages.result)
    assert STROKE_MIN - 0.3 <= width <= STROKE_MAX + 0.3, (size, pen, width)


def test_tiny_digit_in_a_corner(digits):
    tiny = cv2.resize(digits[3], (6, 6), interpolation=cv2.INTER_AREA)
    prepared = prepare_digit(on_canvas(tiny, 300, 280, 5))
    assert max(ink_extent(prepared)) in (BOX, BOX + 1)
    assert np.allclose(centre_of_mass(prepared), (14, 14), atol=1.0)


def test_a_narrow_one_keeps_its_aspect():
    canvas = np.zeros((300, 300), np.uint8)
    cv2.line(canvas, (150, 40), (158, 260), 255, 14, cv2.LINE_AA)
    prepared = prepare_digit(canvas)
    height, width = ink_extent(prepared)
    assert height in (BOX, BOX + 1) and width <= 6
    assert np.allclose(centre_of_mass(prepared), (14, 14), atol=1.0)


@pytest.mark.parametrize(
    "image",
    [np.zeros((50, 50), np.uint8), np.full((50, 50), 255, np.uint8), np.full((3, 3, 3), 90, np.uint8),
     np.zeros((0, 0), np.uint8), np.full((64, 64), 128, np.uint8)],
    ids=["black", "white", "flat-colour", "zero-size", "grey"],
)
def test_empty_images_give_a_clear_empty_result(image):
    stages = prepare_digit_stages(image)
    assert stages.empty and stages.result.shape == (28, 28) and not stages.result.any()


def test_colour_alpha_and_float_inputs(digits):
    digit = on_canvas(digits[5], 56, 14, 14, dark_on_light=True)
    bgr = cv2.cvtColor(digit, cv2.COLOR_GRAY2BGR)
    bgr[..., 0] = np.maximum(bgr[..., 0], 160)  # blue ink on white paper
    bgra = np.dstack([np.zeros_like(digit)] * 3 + [255 - digit])  # black ink on a transparent sheet
    float_image = digit.astype(np.float64) / 255.0
    for image in (bgr, bgra, float_image):
        assert similarity(prepare_digit(image), digits[5]) > 0.95


def test_stages_are_consistent(digits):
    stages = prepare_digit_stages(on_canvas(digits[2], 80, 30, 10))
    x, y, w, h = stages.box
    assert (x, y) == (10 + ink_extent(digits[2])[1] * 0 + cv2.boundingRect(cv2.findNonZero(digits[2]))[0],
                      30 + cv2.boundingRect(cv2.findNonZero(digits[2]))[1])
    assert max(stages.fitted.shape) == BOX
    assert stages.crop.shape == (h, w)
    assert stages.result.dtype == np.uint8 and stages.result.shape == (28, 28)
    assert not stages.inverted


def test_the_fast_quantile_is_numpys_percentile_bit_for_bit():
    from mnist_desktop.core.preprocess import _quantile

    rng = np.random.default_rng(3)
    for size in (1, 2, 3, 8, 101, 2000):
        for _ in range(50):
            values = (rng.integers(0, 256, size) - rng.uniform(0, 255)).astype(np.float32) * np.float32(rng.uniform(0.3, 3))
            for q in (0.5, 0.95, 0.97, 0.98):
                assert _quantile(values, q) == float(np.percentile(values, 100 * q))
