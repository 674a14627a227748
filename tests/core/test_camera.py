"""The camera pipeline on frames built here (MNIST test digits on paper, degraded as a webcam would),
frame sources on video files written here, and the steady-reading vote."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mnist_desktop import load_predictor, read_digits
from mnist_desktop.core.camera_ink import InkSettings, find_ink
from mnist_desktop.core.frames import CameraSource, ImageSource, SourceError, VideoFileSource, write_video
from mnist_desktop.core.reading import read_frame
from benchmarks.synthetic_frames import frame_set, make_frame
from mnist_desktop.core.voting import StableReading


@pytest.fixture(scope="module")
def predictor():
    return load_predictor()


@pytest.fixture(scope="module")
def frames(mnist):
    return frame_set(80, mnist.x_test, mnist.y_test, seed=42)


def test_whole_frames_are_read_exactly(frames, predictor):
    exact = sum(read_frame(f.image, predictor).text == f.text for f in frames)
    # Was 0.93 before the "not a digit" check (issue 11): it drops a few thin MNIST 1s and 0s in
    # these frames as not digits. A known cost, reported; the bench's frames section measures it.
    assert exact / len(frames) >= 0.84, f"{exact} of {len(frames)} frames read exactly"


def test_the_sheets_edge_is_not_read_as_a_one(mnist, predictor):
    # Was: where the sheet meets a darker desk, the paper estimate left a thin line of "ink" that
    # the lamp's fall-off broke into pieces, each read as a perfect 1 beside the digits.
    strays = 0
    for frame in frame_set(60, mnist.x_test, mnist.y_test, seed=7):
        for reading in read_frame(frame.image, predictor).digits:
            x, y, w, h = reading.box
            centre = (x + w / 2, y + h / 2)
            strays += not any(bx - 10 <= centre[0] <= bx + bw + 10 and by - 10 <= centre[1] <= by + bh + 10
                              for bx, by, bw, bh in frame.boxes)
    assert strays <= 1, f"{strays} readings away from every written digit"


def test_one_batched_predictor_call_per_frame(frames, predictor):
    calls = []

    class Counting:
        def predict(self, images):
            calls.append(len(images))
            return predictor.predict(images)

    for frame in frames[:10]:
        calls.clear()
        readings = read_digits(frame.image, Counting())
        # A second, small call only for blobs too narrow to be two digits that are not one digit either.
        assert 1 <= len(calls) <= 2 and calls[0] >= len(readings)


def test_a_blob_is_cut_only_when_its_reading_needs_the_pieces(frames, predictor, monkeypatch):
    # Was: every mark wider than half its height had its ways into touching digits worked out
    # (a third of the segmentation's time), though a mark as narrow as one digit that reads as a
    # digit is never cut. Now the cuts are made when the reading asks for them.
    from mnist_desktop.core import segment

    made = []
    real = segment._split_touching
    monkeypatch.setattr(segment, "_split_touching", lambda box, *rest: made.append(box) or real(box, *rest))
    narrow = 0
    for frame in frames[:20]:
        page = read_frame(frame.image, predictor)
        narrow += sum(r.box[2] <= 1.25 * r.box[3] for r in page.regions)
    wide_or_no_digit = len(made)
    assert narrow >= 20 and wide_or_no_digit <= 0.25 * narrow, (narrow, wide_or_no_digit)
    # And a region still offers its ways when asked, the same as before.
    region = next(r for f in frames for r in find_ink(f.image).regions if r.box[2] > 1.3 * r.box[3])
    assert len(region.cuts) >= 1 and all(len(cut) >= 2 for cut in region.cuts)
    assert region.pieces == region.cuts[0]


def test_readings_run_left_to_right_with_boxes(frames, predictor):
    frame = next(f for f in frames if len(f.text) >= 3)
    readings = read_digits(frame.image, predictor)
    xs = [r.box[0] for r in readings]
    assert xs == sorted(xs) and all(0 < r.confidence <= 1 for r in readings)
    height, width = frame.image.shape[:2]
    assert all(0 <= x and 0 <= y and x + w <= width and y + h <= height for x, y, w, h in (r.box for r in readings))


def test_default_predictor_is_the_shipped_model(frames, predictor):
    for frame in frames[:5]:
        assert read_digits(frame.image) == read_digits(frame.image, predictor)


def test_light_ink_on_a_dark_board(mnist, predictor):
    rng = np.random.default_rng(3)
    picks = np.array([0, 1, 2])
    frame = make_frame(mnist.x_test[picks], mnist.y_test[picks], rng, hard=False)
    board = 255 - frame.image  # chalk on a blackboard
    found = find_ink(board)
    assert found.polarity == "light"
    assert read_frame(board, predictor).text == frame.text


def test_blank_paper_and_a_thumb_give_no_digits(predictor):
    paper = np.full((480, 640, 3), 225, np.uint8)
    paper = cv2.GaussianBlur((paper + np.random.default_rng(0).normal(0, 4, paper.shape)).clip(0, 255).astype(np.uint8),
                             (3, 3), 0)
    assert read_digits(paper, predictor) == []
    thumb = paper.copy()
    cv2.ellipse(thumb, (320, 470), (70, 140), 0, 0, 360, (90, 110, 150), -1)  # a thumb at the edge
    cv2.circle(thumb, (200, 200), 45, (60, 60, 60), -1)  # a solid dark object
    assert read_digits(thumb, predictor) == []


def test_region_of_interest(frames, predictor):
    frame = next(f for f in frames if len(f.text) == 4)
    everything = read_frame(frame.image, predictor)
    right = everything.readings[-1].box
    roi = (right[0] - 10, 0, frame.image.shape[1] - right[0] + 10, frame.image.shape[0])
    page = read_frame(frame.image, predictor, InkSettings(roi=roi))
    assert page.text == frame.text[-1]
    assert page.readings[0].box[0] >= roi[0]


def test_stable_reading_votes_over_frames():
    vote = StableReading(window=5)
    for text in ("2026", "2026", "2028", "2026", "202"):
        steady = vote.update(text)
    assert steady == "2026"
    vote.clear()
    assert vote.update("17") == "17"
    for text in ("4", "99", "123"):
        steady = vote.update(text)
    assert steady is None  # no agreement: say nothing rather than flicker
    vote.clear()
    assert vote.update("") == ""


# ------------------------------------------------------------------ sources
@pytest.fixture(scope="module")
def video(tmp_path_factory, frames):
    path = tmp_path_factory.mktemp("video") / "number.avi"
    return write_video(path, [f.image for f in frames[:6]], fps=12)


def test_video_file_source_reads_every_frame_then_ends(video):
    source = VideoFileSource(video)
    source.open()
    count = 0
    while source.read() is not None:
        count += 1
    assert count == 6 and source.fps == pytest.approx(12, abs=0.5)
    source.release()
    looping = VideoFileSource(video, loop=True)
    looping.open()
    assert all(looping.read() is not None for _ in range(15))
    looping.release()


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "no such file"), (b"", "the file is empty"), (b"RIFF\x00\x00\x00\x00AVI garbage", "not a video|no readable frames")],
)
def test_unreadable_video_files(tmp_path, content, expected):
    path = tmp_path / "clip.avi"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=expected):
        VideoFileSource(path).open()


def test_a_missing_camera_is_a_clear_message():
    with pytest.raises(SourceError, match="No camera 7|busy or not accessible"):
        CameraSource(7).open()


def test_image_source(tmp_path, frames):
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), frames[0].image)
    source = ImageSource(path)
    source.open()
    assert source.read().shape == frames[0].image.shape and source.read() is not None
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png")
    with pytest.raises(SourceError, match="not a readable image"):
        ImageSource(bad).open()


# ------------------------------------------------------------------ CLI
@pytest.mark.slow
def test_cli_reads_a_video_frame_by_frame(video, frames, predictor):
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "read", str(video), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["frame"] for line in lines] == list(range(6))
    assert all({"digit", "confidence", "box"} <= set(r) for line in lines for r in line["readings"])
    source = VideoFileSource(video)
    source.open()
    decoded = [source.read() for _ in range(6)]
    source.release()
    assert [line["text"] for line in lines] == [read_frame(f, predictor).text for f in decoded]
    exact = sum(line["text"] == f.text for line, f in zip(lines, frames[:6], strict=True))
    assert exact >= 3  # the MJPG re-encoding adds its own artefacts to the JPEG ones (was 4 before issue 11)


@pytest.mark.slow
def test_cli_reads_an_image_and_refuses_a_bad_file(tmp_path, frames):
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), frames[1].image)
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "read", str(photo)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == f"{photo}: {frames[1].text}"
    bad = tmp_path / "bad.avi"
    bad.write_bytes(b"\x00" * 100)
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "read", str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "bad.avi" in result.stderr and "Traceback" not in result.stderr
