"""The Camera tab with scripted frame sources and video files: readings shown, stopping, and every
failure (no camera, busy, unplugged, a video that ends, an unreadable file) as a normal case."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from mnist_desktop.core.frames import SourceError, write_video
from benchmarks.synthetic_frames import make_frame
from mnist_desktop.core import capture
from mnist_desktop.gui import workers


class ScriptedSource:
    """Frames from a list; can fail to open, or drop out after some frames (like an unplugged camera)."""

    def __init__(self, frames, *, live=True, open_error=None, drop_after=None, comes_back=True, repeat=True):
        self.frames = frames
        self.live = live
        self.name = "Scripted camera"
        self.open_error = open_error
        self.drop_after = drop_after
        self.comes_back = comes_back
        self.repeat = repeat
        self.opens = self.releases = self.reads = 0
        self.is_open = False

    def open(self):
        if self.open_error or (self.opens >= 1 and not self.comes_back):
            raise SourceError(self.open_error or "still unplugged")
        self.opens += 1
        self.is_open = True

    def read(self):
        assert self.is_open, "read before open"
        self.reads += 1
        if self.drop_after is not None and self.reads == self.drop_after:
            raise SourceError("Scripted camera stopped sending frames (unplugged?)")
        if not self.repeat and self.reads > len(self.frames):
            return None
        return self.frames[(self.reads - 1) % len(self.frames)]

    def release(self):
        assert self.is_open, "released twice"
        self.releases += 1
        self.is_open = False


@pytest.fixture
def number_frames(mnist):
    picks = [int(np.flatnonzero(mnist.y_test == d)[2]) for d in (2, 0, 2, 6)]
    return [make_frame(mnist.x_test[picks], mnist.y_test[picks], np.random.default_rng(k), hard=False).image
            for k in range(3)]


@pytest.fixture
def tab(window):
    window.show_tab("Camera")
    return window.camera_tab


def wait_done(qtbot, worker, timeout=20_000):
    with qtbot.waitSignal(worker.done, timeout=timeout):
        pass


def test_start_shows_readings_then_stop_releases_once(tab, qtbot, number_frames):
    source = ScriptedSource(number_frames)
    worker = tab.start(source)
    qtbot.waitUntil(lambda: tab.reading_label.text() == "2026", timeout=10_000)
    assert tab.packet is not None and tab.view.frame_size == (640, 480)
    assert "frames/s" in tab.fps_label.text() and tab.stop_button.isEnabled()
    assert tab.crops_row.count() >= 4
    tab.stop()
    wait_done(qtbot, worker)
    assert source.opens == 1 and source.releases == 1
    assert not tab.stop_button.isEnabled() and not tab.is_running() and tab.status_label.text() == "Stopped."


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="camera devices are /dev/video* files on Linux")
def test_a_missing_camera_is_a_status_not_a_crash(tab, qtbot, tmp_path):
    from mnist_desktop.core.frames import CameraSource

    missing = next(i for i in range(64, 256) if not Path(f"/dev/video{i}").exists())
    tab.use_file(str(tmp_path / "any.png"), "image")  # something to start again with
    worker = tab.start(CameraSource(missing))
    wait_done(qtbot, worker)
    assert tab.status_label.text().startswith(f"No camera {missing}: this computer has no /dev/video{missing}")
    assert tab.start_button.isEnabled() and not tab.stop_button.isEnabled()


def test_a_busy_camera(tab, qtbot, number_frames):
    source = ScriptedSource(number_frames, open_error="Camera 0 is busy or not accessible")
    worker = tab.start(source)
    wait_done(qtbot, worker)
    assert "busy" in tab.status_label.text() and source.releases == 0
    assert "busy" in tab.view.message


def test_unplugged_mid_stream_reconnects(tab, qtbot, number_frames, monkeypatch):
    monkeypatch.setattr(capture, "RECONNECT_DELAYS", (0.05, 0.05, 0.05))
    source = ScriptedSource(number_frames, drop_after=4)
    statuses = []
    worker = tab.start(source)
    worker.status.connect(statuses.append)
    qtbot.waitUntil(lambda: source.opens == 2 and source.reads > 8, timeout=10_000)
    tab.stop()
    wait_done(qtbot, worker)
    assert any("Reconnecting" in s for s in statuses) and any("is back" in s for s in statuses)
    assert source.releases == source.opens == 2


def test_unplugged_for_good_ends_with_a_message(tab, qtbot, number_frames, monkeypatch):
    monkeypatch.setattr(capture, "RECONNECT_DELAYS", (0.05, 0.05))
    source = ScriptedSource(number_frames, drop_after=3, comes_back=False)
    worker = tab.start(source)
    wait_done(qtbot, worker)
    assert "is gone" in tab.status_label.text() and source.opens == source.releases == 1


def test_a_video_that_ends_and_one_that_loops(tab, qtbot, number_frames, tmp_path):
    video = write_video(tmp_path / "number.avi", number_frames * 2, fps=30)
    tab.use_file(str(video))
    worker = tab.start()
    wait_done(qtbot, worker)
    assert "ended" in tab.status_label.text() and tab.reading_label.text() == "2026"
    tab.loop_check.setChecked(True)
    worker = tab.start()
    qtbot.wait(700)  # six frames at 30 frames/s: it would have ended by now without looping
    assert tab.is_running()
    tab.stop()
    wait_done(qtbot, worker)


def test_an_unreadable_file(tab, qtbot, tmp_path):
    broken = tmp_path / "broken.avi"
    broken.write_bytes(b"\x00" * 64)
    tab.use_file(str(broken), "video")
    worker = tab.start()
    wait_done(qtbot, worker)
    assert "broken.avi" in tab.status_label.text()


def test_a_source_that_fails_clears_the_previous_reading(tab, qtbot, number_frames, tmp_path):
    """Was: after "2026", opening a broken file said so but still showed "2026" and its crops."""
    worker = tab.start(ScriptedSource(number_frames))
    qtbot.waitUntil(lambda: tab.reading_label.text() == "2026", timeout=10_000)
    tab.stop()
    wait_done(qtbot, worker)
    broken = tmp_path / "notimage.png"
    broken.write_text("not a picture")
    tab.use_file(str(broken), "image")
    wait_done(qtbot, tab.start())
    assert "notimage.png" in tab.status_label.text()
    assert tab.reading_label.text() == "–" and tab.frame_label.text() == "" and tab.fps_label.text() == ""
    assert tab.packet is None
    qtbot.waitUntil(lambda: not any(tab.crops_row.itemAt(i).widget() for i in range(tab.crops_row.count())),
                    timeout=2000)


def test_freeze_and_snapshot(tab, qtbot, number_frames, tmp_path):
    worker = tab.start(ScriptedSource(number_frames))
    qtbot.waitUntil(lambda: tab.packet is not None and len(tab.packet.page.readings) == 4, timeout=10_000)
    tab.freeze_button.setChecked(True)
    frozen = tab.packet
    qtbot.wait(300)
    assert tab.packet is frozen, "a frozen view keeps its frame"
    target = tab.save_snapshot(tmp_path)
    names = sorted(p.name for p in target.iterdir())
    assert "frame-annotated.png" in names and "frame.png" in names
    assert sum(name.endswith("-28x28.png") for name in names) == 4
    tab.stop()
    wait_done(qtbot, worker)


def test_region_of_interest_and_tuning_reach_the_loop(tab, qtbot, number_frames):
    worker = tab.start(ScriptedSource(number_frames))
    qtbot.waitUntil(lambda: tab.packet is not None, timeout=10_000)
    right = tab.packet.page.readings[-1].box
    tab.view.set_roi((right[0] - 8, 0, 640 - right[0] + 8, 480))
    assert tab.control.settings.roi == (right[0] - 8, 0, 640 - right[0] + 8, 480)
    qtbot.waitUntil(lambda: tab.reading_label.text() == "6", timeout=10_000)
    tab.threshold_slider.setValue(40)
    tab.mask_check.setChecked(True)
    assert tab.control.settings.threshold == 40
    qtbot.waitUntil(lambda: tab.mask_view.pixmap() is not None and not tab.mask_view.pixmap().isNull(), timeout=5000)
    tab.view.set_roi(None)
    tab.stop()
    wait_done(qtbot, worker)


def test_find_cameras_runs_in_the_background(tab, qtbot, monkeypatch):
    import mnist_desktop.core.frames as frames

    monkeypatch.setattr(frames, "list_cameras", lambda max_index=8: [])
    worker = tab.find_cameras()
    assert not tab.refresh_button.isEnabled()
    wait_done(qtbot, worker)
    assert tab.refresh_button.isEnabled() and "No camera found" in tab.status_label.text()


@pytest.fixture
def other_frames(mnist):
    picks = [int(np.flatnonzero(mnist.y_test == d)[3]) for d in (3, 8, 5)]
    return [make_frame(mnist.x_test[picks], mnist.y_test[picks], np.random.default_rng(10 + k), hard=False).image
            for k in range(3)]


def test_opening_another_source_while_reading_replaces_the_old_one(tab, qtbot, number_frames, other_frames):
    """The old loop is released and silenced: no frame of it reaches the view, the buttons say
    "running", and Stop really stops (no frames keep arriving in the background)."""
    first, second = ScriptedSource(number_frames), ScriptedSource(other_frames)
    tab.start(first)
    qtbot.waitUntil(lambda: tab.reading_label.text() == "2026", timeout=10_000)
    task = tab.start(second)
    qtbot.waitUntil(lambda: tab.reading_label.text() == "385", timeout=10_000)
    assert first.releases == 1 and first.opens == 1
    assert tab.stop_button.isEnabled() and not tab.start_button.isEnabled() and tab.is_running()
    shown = []
    for _ in range(30):
        qtbot.wait(15)
        shown.append(tab.frame_label.text())
    assert all("385" in text for text in shown), set(shown)
    assert tab.status_label.text().startswith("Reading"), tab.status_label.text()
    with qtbot.waitSignal(task.done, timeout=10_000):
        tab.stop()
    assert tab.status_label.text() == "Stopped." and not tab.is_running()
    assert second.releases == 1
    qtbot.waitUntil(lambda: not [w for w in workers.running_workers() if w.name == "Camera"], timeout=2000)
    reads = second.reads
    qtbot.wait(200)
    assert second.reads == reads, "nothing reads in the background after Stop"
