"""Pictures of handwriting as people take them (issue 11): each failure it listed, built on purpose
from MNIST *test* digits and the stroke generator, and read through the one reading path."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from benchmarks import realworld as rw
from benchmarks.handwriting import make_drawing, render
from mnist_desktop import load_predictor, read_digits
from mnist_desktop.core.reading import read_frame


@pytest.fixture(scope="module")
def predictor():
    return load_predictor()


def mnist_glyph(image: np.ndarray) -> np.ndarray:
    return rw._pad_square(cv2.resize(image, (112, 112), interpolation=cv2.INTER_CUBIC))


def photo(glyph: np.ndarray, seed: int, *, kind: str = "plain", shadow: bool = True, size=(640, 480),
          tall: int = 120, pen: str = "pen", where: tuple[float, float] = (0.6, 0.55)) -> np.ndarray:
    """A sheet under a lamp (a strong gradient) with one mark on it, maybe a hard shadow across it."""
    rng = np.random.default_rng(seed)
    width, height = size
    sheet = rw.paper(height, width, rng, kind)
    ink = rw._resized_ink(glyph, tall)
    x, y = int(where[0] * width - ink.shape[1] / 2), int(where[1] * height - tall / 2)
    rw.lay_ink(sheet, ink, x, y, rng, pen)
    return rw.light_and_camera(sheet, rng, shadow=shadow)


def drawn(digit: int, seed: int, pen: float = 10.0, size: int = 160) -> np.ndarray:
    drawing = make_drawing(digit, np.random.default_rng(seed), canvas=size, size_range=(0.7, 0.8))
    return rw._pad_square(render([type(drawing)(digit, drawing.strokes, pen, drawing.style)], (size, size)))


def test_photos_on_shaded_paper_are_read(predictor, mnist):
    # Was: the paper's gradient and a shadow became "ink"; the digit shrank into a corner of the crop.
    right = 0
    for d in range(10):
        image = mnist.x_test[np.flatnonzero(mnist.y_test == d)[3]]
        picture = photo(mnist_glyph(image), seed=100 + d, shadow=True, tall=60 + 12 * d, where=(0.3 + 0.04 * d, 0.5))
        right += read_frame(picture, predictor).text == str(d)
    assert right >= 9, f"{right} of 10 shaded-paper photos read right"


def test_pencil_beside_a_hard_shadow_is_read(predictor, mnist):
    # Was: the paper estimate, far wider than a hand's shadow edge, rounded off the shadow's corners;
    # the wedge beside a faint pencil digit became "ink" in its crop and the gate called it "not a
    # digit" (6 of these 80 pictures; the shadow-following estimate leaves 2).
    wrong = []
    for k in range(80):
        digit = k % 10
        image = mnist.x_test[np.flatnonzero(mnist.y_test == digit)[k // 10]]
        placement = np.random.default_rng(700 + k)
        picture = photo(mnist_glyph(image), seed=800 + k, pen="pencil", tall=int(placement.uniform(70, 140)),
                        where=(placement.uniform(0.15, 0.85), placement.uniform(0.2, 0.8)))
        text = read_frame(picture, predictor).text
        if text != str(digit):
            wrong.append(f"{digit}->{text or '-'}")
    assert len(wrong) <= 3, f"{len(wrong)} of 80 pencil digits beside a shadow misread: {wrong}"


@pytest.mark.parametrize("kind", ["ruled", "squared"])
def test_photos_on_ruled_and_squared_paper_are_read(predictor, mnist, kind):
    right = 0
    for d in range(10):
        image = mnist.x_test[np.flatnonzero(mnist.y_test == d)[5]]
        picture = photo(mnist_glyph(image), seed=200 + d, kind=kind, shadow=False, tall=50 + 15 * d)
        right += read_frame(picture, predictor).text == str(d)
    # Two of these (a thin MNIST 4 and 6 whose strokes the printed lines break apart) still read as two marks.
    assert right >= 8, f"{right} of 10 photos on {kind} paper read right"


@pytest.mark.parametrize("kind", ["ruled", "squared"])
def test_pencil_as_faint_as_the_printed_lines_is_read(predictor, mnist, kind):
    # Was (squared: 12 of 20): Otsu counted the grid as ink, the grid's crossings stayed in the
    # digit's crop, or digit and grid became one component dropped as a page mark.
    right = 0
    for d in range(10):
        for k in range(2):
            image = mnist.x_test[np.flatnonzero(mnist.y_test == d)[7 + k]]
            picture = photo(mnist_glyph(image), seed=300 + 10 * k + d, kind=kind, shadow=False, pen="pencil",
                            tall=40 + 4 * d + 20 * k, size=(320, 240) if k else (640, 480))
            right += read_frame(picture, predictor).text == str(d)
    assert right >= 19, f"{right} of 20 pencil digits on {kind} paper read right"


def _digit_by_lines(mnist, digit: int, seed: int, size, draw_lines, *, nth: int, tall: int, at) -> np.ndarray:
    """A plain sheet with lines drawn on it by ``draw_lines`` and one MNIST test digit written at
    ``at``, lit evenly (no shadow) and photographed."""
    rng = np.random.default_rng(seed)
    sheet = rw.paper(size[1], size[0], rng, "plain")
    draw_lines(sheet)
    image = mnist.x_test[np.flatnonzero(mnist.y_test == digit)[nth]]
    rw.lay_ink(sheet, rw._resized_ink(mnist_glyph(image), tall), *at, rng, "pen")
    return rw.light_and_camera(sheet, rng, shadow=False)


def test_pencil_on_squared_paper_in_a_close_up_is_read(predictor, mnist):
    # Was (25 of 30): a grid 7-9 px apart in a 200x200 close-up came out of the denoising blur 3 px
    # thick, too thick for printed lines by the old rule (under 0.3 of their spacing); the grid
    # stayed ink, joined the digit and the picture read as one big mark.
    right = 0
    for k in range(30):
        d = k % 10
        image = mnist.x_test[np.flatnonzero(mnist.y_test == d)[20 + k]]
        picture = photo(mnist_glyph(image), seed=900 + k, kind="squared", shadow=False, size=(200, 200),
                        tall=60 + 3 * k, pen="pencil", where=(0.5, 0.5))
        right += read_frame(picture, predictor).text == str(d)
    assert right >= 28, f"{right} of 30 pencil digits in close-ups of squared paper read right"


def _read_beside_lines(predictor, mnist, lines, *, seed: int, size, nth: int, tall, at) -> int:
    """How many of the ten digits, each written on a sheet with ``lines(sheet, digit)`` drawn on it,
    read as just that digit; ``tall`` and ``at`` give each digit's height and place."""
    right = 0
    for d in range(10):
        picture = _digit_by_lines(mnist, d, seed + d, size, lambda sheet, d=d: lines(sheet, d), nth=nth,
                                  tall=tall(d), at=at(d))
        right += read_frame(picture, predictor).text == str(d)
    return right


def _red_line(sheet, x: int, top: int, bottom: int, thickness: int) -> None:
    cv2.line(sheet, (x, top), (x, bottom), (90, 90, 220), thickness, cv2.LINE_AA)


def test_a_notebook_margin_line_in_a_close_up_is_paper(predictor, mnist):
    # Was: in a close-up (a picture under 400 px, where marks touching the border are read too) the
    # red margin line of ruled paper, edge to edge, was read as a "1" beside the digit.
    right = _read_beside_lines(predictor, mnist, lambda sheet, d: _red_line(sheet, 30 + 4 * d, 0, 240, 2 + d % 3),
                               seed=300, size=(320, 240), nth=7, tall=lambda d: 70 + 8 * d, at=lambda d: (150, 40))
    assert right >= 9, f"{right} of 10 close-ups with a margin line read as just their digit"


def test_a_margin_line_that_fades_before_the_edge_is_paper(predictor, mnist):
    # Was (6 of 10): a margin line whose top end the lamp's fall-off left too pale stopped a few
    # pixels short of the edge, was not taken for a sheet line, and read as a "1" beside the digit.
    right = _read_beside_lines(predictor, mnist,
                               lambda sheet, d: _red_line(sheet, 24 + 3 * d, 4 + d % 4, 200, 1 + d % 2),
                               seed=500, size=(200, 200), nth=11, tall=lambda d: 120, at=lambda d: (70, 40))
    assert right >= 9, f"{right} of 10 close-ups with a fading margin line read as just their digit"


def test_a_digit_written_across_the_margin_line_is_read(predictor, mnist):
    # Was (0 of 10): digit and margin line became one mark touching the edges of the view, dropped
    # as the desk or the sheet's edge: the frame read as nothing.
    right = _read_beside_lines(predictor, mnist, lambda sheet, d: _red_line(sheet, 100 + 4 * d, 0, 480, 2 + d % 2),
                               seed=600, size=(640, 480), nth=13, tall=lambda d: 90, at=lambda d: (70 + 4 * d, 190))
    assert right >= 9, f"{right} of 10 digits written across the margin line read"


def test_pieces_of_a_margin_line_in_a_frame_are_paper(predictor, mnist):
    # Was: in a webcam frame the lamp's fall-off broke the red margin line into pieces, each as
    # straight and thin as a "1", and read as one beside the digit.
    def broken_margin(sheet, d):
        for top in range(0, 480, 60):  # the line as the threshold leaves it: in pieces
            _red_line(sheet, 60 + 6 * d, top, top + 40 + d, 3)

    right = _read_beside_lines(predictor, mnist, broken_margin, seed=400, size=(640, 480), nth=9,
                               tall=lambda d: 110, at=lambda d: (320, 180))
    assert right >= 9, f"{right} of 10 frames with a broken margin line read as just their digit"


def test_a_one_filling_a_tight_crop_is_read(predictor, mnist):
    # Was: a "1" filling most of an MNIST-sized picture was taken for a piece of a printed line (its
    # band across the picture inked most of the way: by itself) and dropped; 113 of 200 read.
    ones = mnist.x_test[np.flatnonzero(mnist.y_test == 1)[:100]]
    right = sum(read_frame(255 - image, predictor).text == "1" for image in ones)
    assert right >= 97, f"{right} of 100 MNIST 1s given as 28x28 pictures read as 1"


def test_a_solid_marker_eight_alone_in_a_frame(predictor):
    # Was dropped as "not digit-shaped": a frame showing only a big 8 read as nothing.
    glyph = np.zeros((200, 130), np.uint8)
    cv2.ellipse(glyph, (65, 52), (38, 40), 0, 0, 360, 255, 30)
    cv2.ellipse(glyph, (65, 140), (48, 50), 0, 0, 360, 255, 34)
    assert np.count_nonzero(glyph) > 0.6 * glyph.size, "loops nearly filled in"
    picture = photo(glyph, seed=7, tall=260, pen="pen", where=(0.5, 0.5))
    page = read_frame(picture, predictor)
    assert page.text == "8" and page.readings[0].sure


def test_digits_at_different_heights_are_read_along_the_line(predictor):
    # Was: "6 7 1" with the 7 lower than the others read "5 1 7".
    rng = np.random.default_rng(3)
    sheet = rw.paper(480, 640, rng, "plain")
    for k, (digit, drop) in enumerate(((6, 0), (7, 70), (1, -10))):
        ink = rw._resized_ink(drawn(digit, seed=30 + k), 130)
        rw.lay_ink(sheet, ink, 120 + 150 * k, 130 + drop, rng, "pen")
    picture = rw.light_and_camera(sheet, rng, shadow=False)
    assert read_frame(picture, predictor).text == "671"


def _written(placements, seed: int) -> np.ndarray:
    """A photographed sheet with drawn digits at (digit, x, y), 110 px tall."""
    rng = np.random.default_rng(seed)
    sheet = rw.paper(480, 640, rng, "plain")
    for k, (digit, x, y) in enumerate(placements):
        rw.lay_ink(sheet, rw._resized_ink(drawn(digit, seed=60 + k), 110), x, y, rng, "pen")
    return rw.light_and_camera(sheet, rng, shadow=False)


def test_a_digit_written_well_below_its_neighbours_stays_on_their_line(predictor):
    # Was: a "0" written four fifths of a digit lower than the "1 3" after it began a line of its own: "130".
    picture = _written(((0, 140, 190), (1, 270, 120), (3, 380, 115)), seed=5)
    assert read_frame(picture, predictor).text == "013"


def test_lines_of_digits_are_read_top_to_bottom(predictor):
    picture = _written(((4, 160, 40), (2, 300, 50), (7, 170, 220), (5, 310, 230)), seed=6)
    assert read_frame(picture, predictor).text == "4275"


def test_a_thin_one_beside_a_wide_digit_is_kept(predictor):
    rng = np.random.default_rng(4)
    sheet = rw.paper(480, 640, rng, "plain")
    rw.lay_ink(sheet, rw._resized_ink(drawn(1, seed=41, pen=6), 150), 200, 160, rng, "marker")
    rw.lay_ink(sheet, rw._resized_ink(drawn(8, seed=42, pen=6), 150), 300, 160, rng, "marker")
    assert read_frame(rw.light_and_camera(sheet, rng, shadow=False), predictor).text == "18"


@pytest.mark.parametrize("lean", [0.25, 0.45])
def test_a_leaning_solid_one_is_not_a_blob(predictor, lean):
    # Was: a "1" is a solid bar, kept only while upright (height 2.5 widths or more); a marker's "1"
    # written leaning was dropped as a blob (a thumb, a dark object) and "8 1 0" read "80".
    rng = np.random.default_rng(8)
    sheet = rw.paper(480, 640, rng, "squared")
    one = np.zeros((130, 90), np.uint8)
    cv2.line(one, (int(45 + 60 * lean), 8), (int(45 - 60 * lean), 122), 255, 14, cv2.LINE_AA)
    for k, glyph in enumerate((drawn(8, seed=71), rw._pad_square(one), drawn(0, seed=72))):
        rw.lay_ink(sheet, rw._resized_ink(glyph, 120), 130 + 140 * k, 170, rng, "marker")
    assert read_frame(rw.light_and_camera(sheet, rng, shadow=False), predictor).text == "810"


def test_touching_digits_are_split(predictor, mnist):
    # Was: a "1" touching a "0" read "0 · 100% sure".
    one = np.zeros((140, 40), np.uint8)
    cv2.line(one, (24, 4), (16, 135), 255, 10, cv2.LINE_AA)  # a 1 leaning a little, as people write it
    zero = rw._resized_ink(drawn(0, seed=52, pen=9), 140)
    c0, c1 = rw._ink_width(one)
    z0, z1 = rw._ink_width(zero)
    for overlap in range(0, 30):  # slide the 0 left until it just touches the 1
        pair = np.zeros((140, (c1 - c0) + (z1 - z0)), np.uint8)
        pair[:, : c1 - c0] = one[:, c0:c1]
        start = c1 - c0 - overlap
        pair[:, start:start + z1 - z0] = np.maximum(pair[:, start:start + z1 - z0], zero[:, z0:z1])
        pair = pair[:, : start + z1 - z0]
        if cv2.connectedComponents((pair > 60).astype(np.uint8))[0] == 2:
            break
    count, _ = cv2.connectedComponents((pair > 60).astype(np.uint8))
    assert count == 2, "the two digits are one blob"
    picture = photo(pair, seed=9, tall=140, shadow=False, where=(0.5, 0.5))
    assert read_frame(picture, predictor).text == "10"


def _touching_frames(predictor, first_seed: int, count: int, *, threes: bool = True, heavy: bool = False):
    """(written, read) for ``count`` tune frames with two neighbours touching: 2 digits, or every
    other frame 3 when ``threes``; in a marker when ``heavy``."""
    for k in range(count):
        rng = np.random.default_rng(first_seed + k)
        text = "".join(str(d) for d in rng.integers(0, 10, 2 + (k % 2 if threes else 0)))
        yield text, read_frame(rw.make_frame(text, rng, "tune", touching=True, heavy=heavy).image, predictor).text


def test_touching_digits_in_frames_are_cut_where_they_meet(predictor):
    # Was: a blob of two touching digits was cut in one place only, the cheapest column; when that
    # guess was wrong (a slanted join, a narrow 1 beside a wide 9) the frame read one digit short.
    right = sum(read == written for written, read in _touching_frames(predictor, 500, 40))
    assert right >= 35, f"{right} of 40 frames with touching digits read exactly (32 cut in one way only)"


def test_a_seven_running_into_its_neighbour_is_cut_in_two(predictor):
    # Was: the cheapest columns to cut a "7x" blob at lie in the 7's own bar (one thin stroke), never
    # where the digits meet; no way of cutting it gave two digits and the frame read one or none.
    right = 0
    for k in range(40):
        text = "7" + str(k % 10)
        frame = rw.make_frame(text, np.random.default_rng(700 + k), "tune", touching=True, uneven=False)
        right += read_frame(frame.image, predictor).text == text
    assert right >= 35, f"{right} of 40 frames of a 7 touching the next digit read exactly (32 before)"


def test_a_stroke_set_apart_from_its_digit_is_not_a_one_of_its_own(predictor):
    # Was "44129": the 4's right stroke, written apart and half as tall, read as a sure "1" beside it.
    frame = rw.frame_set(43, "tune", 11_507)[42]
    assert frame.text == "4429"
    assert read_frame(frame.image, predictor).text == "4429"


def test_a_marker_join_is_not_read_as_a_digit_of_its_own(predictor):
    # Was: of two ways to cut a marker blob that both read surely, the one in more pieces could win:
    # the thick join between two digits, cut out alone, is a perfect "1" ("58" read "518"; 4 of these 100).
    extra = sum(len(read) > len(written) for written, read in _touching_frames(predictor, 1000, 100, heavy=True))
    assert extra <= 1, f"{extra} of 100 marker frames of touching digits read with a digit too many"


def test_two_marker_digits_squeezed_into_one_width_are_read(predictor):
    # Was: a blob no wider than one digit is cut only if both pieces read 0.97 surely (a letter cut
    # in two reads as two fairly sure 1s); two touching marker digits rarely did, and as one mark
    # they are no digit, so the frame read nothing (93 of these 120 read exactly, 101 now).
    right = sum(read == written for written, read in _touching_frames(predictor, 1800, 120, threes=False, heavy=True))
    assert right >= 99, f"{right} of 120 marker frames of two touching digits read exactly"


def test_the_pieces_of_touching_digits_are_digits(predictor):
    # Was (100 of 122): a piece cut out of two touching digits carries a sliver of its neighbour,
    # and the not-a-digit model, which had seen digits only whole, called one in five "not a digit"
    # even where the cut was right; two of its four members now learn such pieces (110 of 122).
    from benchmarks.train_gate import right_cut
    from mnist_desktop.core.reading import NOT_DIGIT_BELOW

    called, pieces = 0, 0
    for k in range(100):
        glyph, text = rw.touching_pair(np.random.default_rng(5000 + k), "tune")
        inputs = right_cut(glyph, text, predictor)
        if inputs is not None:
            called += int(np.count_nonzero(predictor.read_marks(inputs)[1] >= NOT_DIGIT_BELOW))
            pieces += len(inputs)
    assert pieces >= 120, "the segmentation should cut most of these pairs right"
    assert called >= 0.85 * pieces, f"{called} of {pieces} pieces of rightly cut touching digits called digits"


def test_a_scribble_is_not_a_digit(predictor):
    # Was: a random scribble read "8 · 99.9% sure".
    for seed in range(5):
        picture = photo(rw.scribble(np.random.default_rng(seed)), seed=seed, tall=150, shadow=False)
        page = read_frame(picture, predictor)
        assert page.readings and not page.digits and page.text == ""
        assert read_digits(picture, predictor) == []
        assert all(r.to_dict()["not_digit"] for r in page.readings)


def test_a_letter_is_not_cut_into_two_sure_digits(predictor):
    # Was (14 of 20): an "H", an "A" or an "R" cut in two read as two fairly sure digits ("14").
    # A "U" still reads "11" (its halves are 1s beyond doubt): a known limit.
    flagged = 0
    for k, letter in enumerate("HNUMhnuKAR"):
        for font in ("DejaVuSans.ttf", "NimbusSans-Regular.otf"):
            glyph = rw._ttf(letter, font, np.random.default_rng(k))
            if glyph is None:
                pytest.skip(f"{font} is not installed (make test-data installs it)")
            page = read_frame(photo(rw._pad_square(glyph), seed=400 + k, shadow=False, tall=90), predictor)
            flagged += not any(r.sure for r in page.readings)
    assert flagged >= 17, f"{flagged} of 20 letters flagged"


def test_blank_paper_has_no_digits(predictor):
    for seed in range(3):
        rng = np.random.default_rng(12 + seed)
        picture = rw.light_and_camera(rw.paper(480, 640, rng, ("plain", "ruled", "squared")[seed]), rng, shadow=True)
        assert read_digits(picture, predictor) == [] and read_frame(picture, predictor).text == ""


def test_a_small_digit_on_a_large_photo_is_read(predictor, mnist):
    # Was: marks under 3% of the picture's height were dropped as specks; a digit 18-22 px tall on
    # a 1024x768 photo (the "24 px" with its margin) vanished, however clear.
    right = 0
    for d in range(10):
        image = mnist.x_test[np.flatnonzero(mnist.y_test == d)[5]]
        picture = photo(mnist_glyph(image), seed=300 + d, size=(1024, 768), tall=24 + d % 3 * 2, shadow=False,
                        pen="marker", where=(0.2 + 0.06 * d, 0.4))
        right += read_frame(picture, predictor).text == str(d)
    assert right >= 8, f"{right} of 10 small digits read"


def test_a_large_phone_photo_is_read_at_a_bounded_size(predictor, mnist):
    image = mnist.x_test[np.flatnonzero(mnist.y_test == 4)[0]]
    picture = photo(mnist_glyph(image), seed=5, size=(4000, 3000), tall=900, shadow=False)
    page = read_frame(picture, predictor)
    assert page.text == "4"
    x, y, w, h = page.readings[0].box
    assert 1500 < x + w / 2 < 2900 and 600 < h < 800, "the box is in the photo's own pixels"


def test_predict_and_read_agree_on_a_close_up(tmp_path, mnist):
    # Was: on a 200x200 close-up of a 7, `read` said 1 and `predict` said 7.
    files = []
    for k, d in enumerate((7, 4, 2)):
        image = mnist.x_test[np.flatnonzero(mnist.y_test == d)[1]]
        close_up = 255 - cv2.resize(image, (200, 200), interpolation=cv2.INTER_CUBIC)
        path = tmp_path / f"close{d}.png"
        cv2.imwrite(str(path), close_up)
        files.append(str(path))
    run = lambda *args: subprocess.run([sys.executable, "-m", "mnist_desktop", *args, "--json"],  # noqa: E731
                                       capture_output=True, text=True)
    predicted = run("predict", *files)
    read = run("read", *files)
    assert predicted.returncode == 0 and read.returncode == 0, predicted.stderr + read.stderr
    digits = [str(item["digit"]) for item in json.loads(predicted.stdout)]
    texts = [json.loads(line)["text"] for line in read.stdout.splitlines()]
    assert digits == texts == ["7", "4", "2"]


def test_predict_reads_several_digits_and_says_not_a_digit(tmp_path, mnist):
    rng = np.random.default_rng(6)
    sheet = rw.paper(300, 500, rng, "plain")
    for k, d in enumerate((2, 0, 5)):
        image = mnist.x_test[np.flatnonzero(mnist.y_test == d)[2]]
        rw.lay_ink(sheet, rw._resized_ink(mnist_glyph(image), 110), 60 + 130 * k, 90, rng, "pen")
    several = tmp_path / "several.png"
    cv2.imwrite(str(several), rw.light_and_camera(sheet, rng, jpeg=False, shadow=False))
    scribble = tmp_path / "scribble.png"
    cv2.imwrite(str(scribble), photo(rw.scribble(np.random.default_rng(1)), seed=1, tall=150))
    result = subprocess.run([sys.executable, "-m", "mnist_desktop", "predict", str(several), str(scribble), "--json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    first, second = json.loads(result.stdout)
    assert first["text"] == "205" and first["count"] == 3 and first["digit"] is None and not first["not_digit"]
    assert second["not_digit"] is True and second["digit"] is None and second["text"] == ""
    human = subprocess.run([sys.executable, "-m", "mnist_desktop", "predict", str(several), str(scribble)],
                           capture_output=True, text=True)
    assert "205 (3 digits" in human.stdout and "scribble.png: not a digit" in human.stdout
