"""The capture loop takes whatever a camera delivers: BGRA, grey or 16-bit frames are read like BGR."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_desktop.core.capture import LoopControl, capture_loop
from mnist_desktop.core.frames import SourceError
from tests.helpers import small_split


class _Source:
    live = False
    name = "test camera"
    fps = 0.0

    def __init__(self, frames):
        self.frames = list(frames)
        self.released = 0

    def open(self):
        pass

    def read(self):
        return self.frames.pop(0) if self.frames else None

    def release(self):
        self.released += 1


class _Context:
    def __init__(self, control):
        self.control = control
        self.packets = []

    def should_stop(self):
        return False

    def status(self, text):
        pass

    def emit(self, packet):
        self.packets.append(packet)
        self.control.consumed.set()


def _page_with_digits(mnist) -> np.ndarray:
    images, _ = small_split(mnist, per_class=1, split="test")
    page = np.full((120, 360), 255, np.uint8)
    for i, digit in enumerate(images[:3]):
        page[30:86, 40 + i * 100: 96 + i * 100] = 255 - np.kron(digit, np.ones((2, 2), np.uint8))
    return page


@pytest.mark.parametrize("kind", ["bgra", "grey", "grey-h-w-1", "uint16-bgr", "float-0-1"])
def test_frames_of_any_picture_type_are_read(mnist, kind):
    from mnist_desktop.ml.predictor import load_predictor

    grey = _page_with_digits(mnist)
    frame = {
        "bgra": np.dstack([grey, grey, grey, np.full_like(grey, 255)]),
        "grey": grey,
        "grey-h-w-1": grey[..., None],
        "uint16-bgr": np.dstack([grey, grey, grey]).astype(np.uint16) * 257,
        "float-0-1": np.dstack([grey, grey, grey]) / 255.0,
    }[kind]
    control = LoopControl(predictor=load_predictor())
    context = _Context(control)
    source = _Source([frame, frame])
    assert capture_loop(context, source, control, sleep=lambda s: None) == "ended"
    assert len(context.packets) == 2 and source.released == 1
    for packet in context.packets:
        assert packet.frame.shape == (*grey.shape, 3) and packet.frame.dtype == np.uint8
        assert len(packet.page.readings) == 3


def test_a_frame_that_is_not_an_image_ends_the_loop_with_a_clear_message():
    control = LoopControl()
    source = _Source([np.zeros(10, np.uint8)])
    with pytest.raises(SourceError, match="test camera delivers frames that are not images: got an array of shape"):
        capture_loop(_Context(control), source, control, sleep=lambda s: None)
    assert source.released == 1
