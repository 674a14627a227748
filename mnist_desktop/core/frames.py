"""Where frames come from: a camera, a video file or a still image, behind one small interface, so
the Camera tab and the CLI work the same with each (and tests use scripted sources). No Qt here.

A missing camera, a busy one, a video that ends or a file that cannot be decoded are ordinary
outcomes with clear messages (`SourceError`), never a crash or a hang.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from mnist_desktop.core.errors import DatasetError, MnistDesktopError
from mnist_desktop.core.quiet import quiet_native_stderr

VIDEO_SUFFIXES = {".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v", ".wmv", ".ogv"}


class SourceError(MnistDesktopError, RuntimeError):
    """A frame source that cannot be opened or stopped delivering."""


class FrameSource(Protocol):
    name: str
    live: bool  # a camera (may be unplugged and come back) rather than a file

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None:
        """The next BGR frame; None at the end of a file. Raises SourceError when a live source
        stops delivering (unplugged)."""
        ...

    def release(self) -> None: ...


def _camera_device(index: int) -> Path:
    return Path(f"/dev/video{index}")


def camera_candidates(max_index: int = 8) -> list[int]:
    """Camera indices that may exist, without opening any (instant, for the window's start-up):
    the /dev/videoN nodes on Linux; index 0 elsewhere."""
    if not sys.platform.startswith("linux"):
        return [0]
    return [i for i in range(max_index) if _camera_device(i).exists()]


def list_cameras(max_index: int = 8) -> list[int]:
    """Indices of the cameras that open now (probed only where a device node exists on Linux,
    so a machine without cameras answers at once)."""
    found = []
    for index in range(max_index):
        if sys.platform.startswith("linux") and not _camera_device(index).exists():
            continue
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened() and capture.read()[0]:
                found.append(index)
        finally:
            capture.release()
    return found


class CameraSource:
    live = True

    def __init__(self, index: int = 0) -> None:
        self.index = index
        self.name = f"Camera {index}"
        self._capture: cv2.VideoCapture | None = None

    def open(self) -> None:
        if sys.platform.startswith("linux") and not _camera_device(self.index).exists():
            raise SourceError(f"No camera {self.index}: this computer has no /dev/video{self.index}. "
                              "Plug one in, or open a video file instead.")
        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"Camera {self.index} is busy or not accessible (another program may be using it, "
                              "or this user may not be allowed to open it).")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, 640)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, 480)
        self._capture = capture

    def read(self) -> np.ndarray | None:
        if self._capture is None:
            raise SourceError(f"{self.name} is not open")
        ok, frame = self._capture.read()
        if not ok or frame is None:
            raise SourceError(f"{self.name} stopped sending frames (unplugged?)")
        return frame

    def release(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class VideoFileSource:
    live = False

    def __init__(self, path: str | Path, loop: bool = False) -> None:
        self.path = Path(path)
        self.loop = loop
        self.name = self.path.name
        self.fps: float = 0.0
        self._capture: cv2.VideoCapture | None = None
        self._frames_read = 0

    def open(self) -> None:
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such file")
        if self.path.stat().st_size == 0:
            raise SourceError(f"{self.path}: the file is empty")
        with quiet_native_stderr():  # OpenCV's AVI parser prints its complaints itself
            capture = cv2.VideoCapture(str(self.path))
            opened = capture.isOpened()
            ok, first = capture.read() if opened else (False, None)
        if not opened:
            capture.release()
            raise SourceError(f"{self.path}: not a video OpenCV can decode")
        if not ok:
            capture.release()
            raise SourceError(f"{self.path}: holds no readable frames (damaged or an unsupported codec)")
        capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        self.fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self._capture = capture
        self._frames_read = 0

    def read(self) -> np.ndarray | None:
        if self._capture is None:
            raise SourceError(f"{self.name} is not open")
        ok, frame = self._capture.read()
        if ok:
            self._frames_read += 1
            return frame
        if self.loop and self._frames_read > 0:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self._frames_read = 0
            ok, frame = self._capture.read()
            if ok:
                self._frames_read = 1
                return frame
        return None

    def release(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageSource:
    """A still photo, delivered as a frame again and again (so the overlays and controls work on it)."""

    live = False

    def __init__(self, path: str | Path, repeat: bool = True) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.repeat = repeat
        self._image: np.ndarray | None = None
        self._sent = False

    def open(self) -> None:
        from mnist_desktop.core.imageio import read_image

        try:
            image = read_image(self.path)
        except DatasetError as exc:
            raise SourceError(str(exc)) from None
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        self._image = image
        self._sent = False

    def read(self) -> np.ndarray | None:
        if self._image is None or (self._sent and not self.repeat):
            return None
        self._sent = True
        return self._image.copy()

    def release(self) -> None:
        self._image = None


def source_for(path: str | Path, loop: bool = False) -> FrameSource:
    """A video or an image source, by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return VideoFileSource(path, loop=loop)
    return ImageSource(path)


def iter_source_frames(path: str | Path, every: int = 1) -> Iterator[tuple[int | None, np.ndarray]]:
    """(frame index, frame) of a video, or (None, image) for a still image: for the CLI."""
    source = source_for(path)
    try:
        source.open()
    except SourceError as exc:
        raise DatasetError(str(exc)) from None
    try:
        if isinstance(source, ImageSource):
            frame = source.read()
            if frame is not None:
                yield None, frame
            return
        index = 0
        while True:
            frame = source.read()
            if frame is None:
                if index == 0:
                    # OpenCV opened it but gives nothing (an image renamed .avi, say): not silence.
                    raise DatasetError(f"{path}: holds no readable video frames (its content may not match its name)")
                return
            if index % every == 0:
                yield index, frame
            index += 1
    finally:
        source.release()


def write_video(path: str | Path, frames: list[np.ndarray], fps: float = 10.0) -> Path:
    """MJPG .avi (what OpenCV can always write and read back): for tests and demos."""
    path = Path(path)
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"{path}: OpenCV cannot write an MJPG video here")
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()
    return path

