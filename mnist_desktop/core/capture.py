"""The camera loop that runs in a worker thread: read a frame, find and read its digits, draw the
overlays, hand the result to the GUI; reconnect when a camera drops out; release the source exactly
once, whatever happens. Plain Python and OpenCV: no widget is touched here."""

from __future__ import annotations

import datetime as _dt
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from mnist_desktop.core.camera_ink import InkSettings
from mnist_desktop.core.frames import FrameSource, SourceError
from mnist_desktop.core.image_input import as_bgr
from mnist_desktop.core.reading import PageReading, read_frame_and_ink

RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds between tries after a camera drops out


@dataclass
class FramePacket:
    frame: np.ndarray  # the raw BGR frame
    annotated: np.ndarray  # with boxes, digits and confidences drawn
    mask: np.ndarray  # what counted as ink (in the searched area), for the live mask view
    page: PageReading
    fps: float
    index: int
    work_ms: float = 0.0  # time spent finding and reading the digits in this frame


@dataclass
class LoopControl:
    """Shared between the GUI thread and the loop; each field is replaced whole, never mutated."""

    settings: InkSettings = field(default_factory=InkSettings)
    predictor: object = None
    max_fps: float = 30.0
    consumed: threading.Event = field(default_factory=threading.Event)


def annotate(frame: np.ndarray, page: PageReading, roi=None) -> np.ndarray:
    out = frame.copy()
    if roi is not None:
        x, y, w, h = roi
        cv2.rectangle(out, (x, y), (x + w, y + h), (0, 200, 255), 1, cv2.LINE_AA)
    for reading in page.readings:
        x, y, w, h = reading.box
        colour = (60, 200, 60) if reading.sure else (0, 165, 255)
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, 2, cv2.LINE_AA)
        label = f"{reading.digit} {reading.confidence:.0%}"
        scale = max(0.45, min(0.9, h / 160))
        (tw, th), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        top = max(th + 6, y)
        cv2.rectangle(out, (x, top - th - 6), (x + tw + 6, top), colour, -1)
        cv2.putText(out, label, (x + 3, top - 4), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 2, cv2.LINE_AA)
    return out


def process(frame: np.ndarray, predictor, settings: InkSettings) -> tuple[PageReading, np.ndarray]:
    page, ink = read_frame_and_ink(frame, predictor, settings)
    return page, ink.mask


def capture_loop(context, source: FrameSource, control: LoopControl, sleep=time.sleep) -> str:
    """Runs until stopped, the file ends, or the source fails for good. Returns why it ended.

    Every successful open of the source is matched by exactly one release.
    """
    source.open()
    state = {"open": True}
    try:
        index = 0
        rate = 0.0
        last = time.perf_counter()
        video_fps = getattr(source, "fps", 0.0) or 0.0
        while not context.should_stop():
            try:
                frame = source.read()
            except SourceError as exc:
                if not source.live:
                    raise
                if not _reconnect(context, source, str(exc), sleep, state):
                    if context.should_stop():
                        break
                    raise SourceError(f"{source.name} is gone: {exc}. Check the cable and start again.") from None
                continue
            if frame is None:
                context.status(f"{source.name} ended.")
                return "ended"
            # Some cameras deliver BGRA, grey or 16-bit frames: the rest of the loop expects BGR.
            try:
                frame = as_bgr(frame)
            except ValueError as exc:
                raise SourceError(f"{source.name} delivers frames that are not images: {exc}") from None
            predictor = control.predictor
            settings = control.settings
            started = time.perf_counter()
            page, mask = process(frame, predictor, settings) if predictor is not None else (PageReading([], [], []), None)
            now = time.perf_counter()
            work_ms = (now - started) * 1000
            rate = 1.0 / max(now - last, 1e-6) if rate == 0 else 0.9 * rate + 0.1 / max(now - last, 1e-6)
            last = now
            # Back-pressure: a new frame goes to the GUI only once it has taken the previous one.
            if control.consumed.is_set() or index == 0:
                control.consumed.clear()
                context.emit(FramePacket(frame, annotate(frame, page, settings.roi),
                                         mask if mask is not None else np.zeros(frame.shape[:2], np.uint8),
                                         page, rate, index, work_ms))
            index += 1
            pace = video_fps if (video_fps and not source.live) else control.max_fps
            spare = 1.0 / max(pace, 1.0) - (time.perf_counter() - now)
            if spare > 0:
                sleep(spare)
        return "stopped"
    finally:
        if state["open"]:
            source.release()


def _reconnect(context, source: FrameSource, reason: str, sleep, state: dict) -> bool:
    source.release()
    state["open"] = False
    for attempt, delay in enumerate(RECONNECT_DELAYS, start=1):
        context.status(f"{reason}. Reconnecting in {delay:g} s (try {attempt} of {len(RECONNECT_DELAYS)})…")
        waited = 0.0
        while waited < delay:
            if context.should_stop():
                return False
            sleep(0.05)
            waited += 0.05
        try:
            source.open()
        except SourceError:
            continue
        state["open"] = True
        context.status(f"{source.name} is back.")
        return True
    return False


def write_snapshot(packet: FramePacket, folder: Path) -> Path:
    """Save a frame as a new folder inside ``folder``: the frame with its overlays, the raw frame, and
    every digit found (its crop and the 28x28 input the model read). Returns the new folder."""
    from mnist_desktop.core.imageio import write_image

    target = Path(folder) / _dt.datetime.now().strftime("snapshot-%Y%m%d-%H%M%S-%f")
    target.mkdir(parents=True, exist_ok=False)
    write_image(target / "frame-annotated.png", packet.annotated)
    write_image(target / "frame.png", packet.frame)
    for k, (reading, stages, region) in enumerate(zip(packet.page.readings, packet.page.stages,
                                                       packet.page.regions, strict=True), start=1):
        x, y, w, h = region.box
        write_image(target / f"digit{k}-{reading.digit}-crop.png", packet.frame[y:y + h, x:x + w])
        write_image(target / f"digit{k}-{reading.digit}-28x28.png", stages.result)
    return target
