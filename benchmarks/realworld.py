"""Pictures of handwriting as people really take them, for the bench and the tests (never shipped).

Glyphs come from many writing styles: the stroke generator (`benchmarks.handwriting`), OpenCV's
Hershey fonts (plain and script), TrueType/OpenType fonts from Debian packages rendered with PIL,
and MNIST digits. Styles and seeds are split in two: TUNE (used while building the pipeline and
to train and calibrate the not-a-digit model) and HELD_OUT (never looked at while tuning; used only
for the final figures).

Pictures: single-digit photos (plain, ruled, squared or coloured paper; a lamp's gradient, a hard
shadow, vignetting; pencil or marker; near or far; JPEG), camera frames of 1-4 digits (heavy
marker, touching digits, different heights), and things that are not digits (letters, scribbles,
doodles, shapes, clothing from Fashion-MNIST, noise, blank paper).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

FONT_DIRS = (Path("/usr/share/fonts/opentype/urw-base35"), Path("/usr/share/fonts/truetype/dejavu"))
FASHION = Path("/usr/share/datasets/fashion-mnist")

# Which styles each split may use. Held-out styles are never used to tune or train anything.
STYLES = {
    "tune": {
        "hershey": [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX],
        "fonts": ["DejaVuSans.ttf", "URWGothic-Book.otf", "NimbusSans-Regular.otf", "NimbusSansNarrow-Oblique.otf"],
        "mnist": "train",
        "strokes": True,
    },
    "held_out": {
        "hershey": [cv2.FONT_HERSHEY_SCRIPT_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL],
        "fonts": ["Z003-MediumItalic.otf", "C059-Italic.otf", "URWBookman-LightItalic.otf", "P052-Roman.otf"],
        "mnist": "test",
        "strokes": False,
    },
}
# Handwriting faces from Debian's font packages (`make handwriting-fonts`; a missing face falls back
# to a Hershey one): some teach the not-a-digit model (a fifth of its glyphs, letters too), the others
# make the "check" split, which no model or threshold is fitted on: it only tells whether a change
# made on the tune split holds for hands nothing here saw. Outline faces (femkeklaver) and faces
# whose digits people would misread (Kristi's 4 is a 1) are left out.
HANDWRITING = {
    "train": ["BecauseWeBuild-Regular.otf", "BecauseWeConnect-Regular.otf", "BecauseWeLearn-Regular.otf",
              "BecauseWeOrganize-Regular.otf", "KaushanScript-Regular.otf", "lobster.otf", "LobsterTwo-Italic.otf",
              "Andika-Italic.ttf", "Ecolier-court.ttf", "Humor-Sans.ttf", "LeckerliOne-Regular.ttf"],
    "check": ["BecauseWeCreate-Regular.otf", "BecauseWeMentor-Regular.otf", "ComicNeue-Regular.otf",
              "DancingScript-Regular.otf", "Breip.ttf", "dkg.ttf", "KleeOne-Regular.ttf", "YuseiMagic-Regular.ttf"],
}
# What the not-a-digit model learns from (`benchmarks.train_gate`): the tune styles, more printed
# faces (serif, typewriter, slanted) and handwriting faces, none of a held-out family, so that it
# knows digits are written in more ways than the tune split shows. Not used to measure anything.
STYLES["train"] = dict(
    STYLES["tune"],
    hershey=STYLES["tune"]["hershey"] + [cv2.FONT_HERSHEY_PLAIN],
    fonts=STYLES["tune"]["fonts"] + ["NimbusRoman-Regular.otf", "NimbusRoman-Italic.otf", "NimbusMonoPS-Regular.otf",
                                     "NimbusMonoPS-Italic.otf", "DejaVuSans-Oblique.ttf", "DejaVuSans-Bold.ttf",
                                     "NimbusSans-Italic.otf", "URWGothic-BookOblique.otf"],
    handwriting=HANDWRITING["train"],
)
STYLES["check"] = {
    "hershey": [cv2.FONT_HERSHEY_SIMPLEX | cv2.FONT_ITALIC, cv2.FONT_HERSHEY_PLAIN | cv2.FONT_ITALIC],
    "fonts": HANDWRITING["check"],
    "mnist": "train",
    "strokes": False,
}
# Letters that people write like digits (O/0, l/1, S/5, Z/2, B/8, g/9...) are not fair negatives.
LETTERS = "ACEFHKMNPRUVWXYacdefhkmnprtuvwxy"


@lru_cache(maxsize=64)
def _font_path(name: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    found = sorted(Path("/usr/share/fonts").rglob(name))  # the handwriting packages each have their own folder
    return found[0] if found else None


def _pad_square(ink: np.ndarray, margin: float = 0.15) -> np.ndarray:
    points = cv2.findNonZero((ink > 40).astype(np.uint8))
    if points is None:
        return ink
    x, y, w, h = cv2.boundingRect(points)
    ink = ink[y:y + h, x:x + w]
    side = int(max(w, h) * (1 + 2 * margin)) + 2
    out = np.zeros((side, side), np.uint8)
    oy, ox = (side - h) // 2, (side - w) // 2
    out[oy:oy + h, ox:ox + w] = ink
    return out


def _hershey(text: str, font: int, rng: np.random.Generator, size: int = 96) -> np.ndarray:
    scale = size / 22.0 * (0.5 if font == cv2.FONT_HERSHEY_COMPLEX_SMALL else 1.0) * (
        1.4 if font == cv2.FONT_HERSHEY_COMPLEX_SMALL else 1.0)
    thickness = int(rng.integers(2, max(3, size // 10)))
    face = font | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
    (w, h), base = cv2.getTextSize(text, face, scale, thickness)
    canvas = np.zeros((h + base + 2 * size // 3, w + size), np.uint8)
    cv2.putText(canvas, text, (size // 2, h + size // 3), face, scale, 255, thickness, cv2.LINE_AA)
    return canvas


def _ttf(text: str, name: str, rng: np.random.Generator, size: int = 96) -> np.ndarray | None:
    path = _font_path(name)
    if path is None:
        return None
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(path), size)
    image = Image.new("L", (size * (len(text) + 1), size * 2), 0)
    ImageDraw.Draw(image).text((size // 2, size // 3), text, fill=255, font=font,
                               stroke_width=int(rng.integers(0, max(1, size // 24))), stroke_fill=255)
    return np.asarray(image)


def _distort(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hand is not a font: slant, rotation and squeeze."""
    h, w = ink.shape
    slant = rng.uniform(-0.3, 0.3)
    angle = np.radians(rng.uniform(-10, 10))
    squeeze = rng.uniform(0.8, 1.15)
    a = np.array([[squeeze * np.cos(angle), -np.sin(angle) + slant], [np.sin(angle) * squeeze, np.cos(angle)]])
    pad = int(0.4 * max(h, w))
    big = cv2.copyMakeBorder(ink, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    centre = np.array([w / 2 + pad, h / 2 + pad])
    matrix = np.hstack([a, (centre - a @ centre)[:, None]])
    return cv2.warpAffine(big, matrix, (big.shape[1], big.shape[0]), flags=cv2.INTER_LINEAR)


@lru_cache(maxsize=2)
def _mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    from mnist_desktop import load_dataset

    data = load_dataset()
    return (data.x_train, data.y_train) if split == "train" else (data.x_test, data.y_test)


@lru_cache(maxsize=2)
def fashion(split: str) -> np.ndarray:
    """Fashion-MNIST images (light object on black, like MNIST), or an empty array if not installed."""
    name = "train-images-idx3-ubyte.gz" if split == "train" else "t10k-images-idx3-ubyte.gz"
    path = FASHION / name
    if not path.exists():
        return np.zeros((0, 28, 28), np.uint8)
    raw = gzip.decompress(path.read_bytes())
    return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)


def digit_glyph(digit: int, rng: np.random.Generator, split: str = "tune") -> tuple[np.ndarray, str]:
    """(light ink on black, style name) of one handwritten-looking digit in a style of ``split``."""
    styles = STYLES[split]
    choices = ["mnist", "hershey", "font"] + (["strokes"] if styles["strokes"] else []) + (
        ["handwriting"] if styles.get("handwriting") else [])
    kind = choices[int(rng.integers(len(choices)))]
    if kind == "mnist":
        images, labels = _mnist(styles["mnist"])
        pool = np.flatnonzero(labels == digit)
        image = images[int(rng.choice(pool))]
        return _pad_square(cv2.resize(image, (112, 112), interpolation=cv2.INTER_CUBIC)), "mnist-" + styles["mnist"]
    if kind == "strokes":
        from benchmarks.handwriting import make_drawing, render

        drawing = make_drawing(digit, rng, canvas=160, size_range=(0.6, 0.8))
        pen = float(np.clip(drawing.pen, 4, 16))
        return _pad_square(render([type(drawing)(drawing.digit, drawing.strokes, pen, drawing.style)], (160, 160))), "strokes"
    if kind in ("font", "handwriting"):
        faces = styles["fonts" if kind == "font" else "handwriting"]
        name = faces[int(rng.integers(len(faces)))]
        ink = _ttf(str(digit), name, rng)
        if ink is not None:
            return _pad_square(_distort(ink, rng)), "font-" + name.split(".")[0]
    font = styles["hershey"][int(rng.integers(len(styles["hershey"])))]
    return _pad_square(_distort(_hershey(str(digit), font, rng), rng)), f"hershey-{font}"


# ------------------------------------------------------------------------------- not digits
def letter_glyph(rng: np.random.Generator, split: str = "tune") -> np.ndarray:
    styles = STYLES[split]
    letter = LETTERS[int(rng.integers(len(LETTERS)))]
    if rng.random() < 0.5:
        faces = styles["fonts"] + styles.get("handwriting", [])
        name = faces[int(rng.integers(len(faces)))]
        ink = _ttf(letter, name, rng)
        if ink is not None:
            return _pad_square(_distort(ink, rng))
    font = styles["hershey"][int(rng.integers(len(styles["hershey"])))]
    return _pad_square(_distort(_hershey(letter, font, rng), rng))


def _smooth_path(points: np.ndarray, n: int = 200) -> np.ndarray:
    t = np.linspace(0, 1, len(points))
    s = np.linspace(0, 1, n)
    return np.column_stack([np.interp(s, t, points[:, 0]), np.interp(s, t, points[:, 1])])


def _draw(paths: list[np.ndarray], rng: np.random.Generator, size: int = 160) -> np.ndarray:
    canvas = np.zeros((size, size), np.uint8)
    pen = int(rng.integers(3, 14))
    for path in paths:
        points = np.round(np.clip(path, 0.05, 0.95) * size * 16).astype(np.int32)
        cv2.polylines(canvas, [points], False, 255, pen, cv2.LINE_AA, shift=4)
    return canvas


def scribble(rng: np.random.Generator, split: str = "tune") -> np.ndarray:
    """A random scribble (tune: a wandering, back-and-forth line; held out: zigzags and spirals)."""
    if split != "held_out":
        count = int(rng.integers(6, 16))
        points = np.cumsum(rng.normal(0, 0.18, (count, 2)), axis=0)
        points = (points - points.min(0)) / max(1e-6, np.ptp(points, axis=0).max()) * 0.8 + 0.1
        return _pad_square(_draw([_smooth_path(points)], rng))
    if rng.random() < 0.5:
        turns = int(rng.integers(4, 9))
        xs = np.linspace(0.1, 0.9, turns)
        ys = np.where(np.arange(turns) % 2 == 0, 0.2, 0.8) + rng.normal(0, 0.05, turns)
        return _pad_square(_draw([np.column_stack([xs, ys])], rng))
    t = np.linspace(0, rng.uniform(3, 6) * np.pi, 300)
    r = 0.05 + 0.4 * t / t.max()
    return _pad_square(_draw([np.column_stack([0.5 + r * np.cos(t), 0.5 + r * np.sin(t)])], rng))


# Tune doodles: the four first kinds, then more figures and random pile-ups of strokes, so the
# not-a-digit model learns "a drawing of something" rather than four outlines. Held-out kinds are
# never drawn here.
_OUTLINES = ("square", "triangle", "star", "cross")
# Pile-ups are listed twice: drawn twice as often as each figure.
_MORE_DOODLES = ("diamond", "polygon", "circled", "wave", "check", "hash", "asterisk", "pile", "pile")
TUNE_SHAPES = _OUTLINES + _MORE_DOODLES
HELD_OUT_SHAPES = ("heart", "arrow", "house", "smiley")


def _pile(rng: np.random.Generator) -> list[np.ndarray]:
    """Three or four strokes, arcs and small outlines dropped anywhere on the page, overlapping or not
    (two arcs alone are too often a 3 or a 5)."""
    paths = []
    for _ in range(int(rng.integers(3, 5))):
        centre, size = rng.uniform(0.3, 0.7, 2), rng.uniform(0.15, 0.45)
        pick = rng.random()
        if pick < 0.35:  # a straight stroke
            angle = rng.uniform(0, np.pi)
            step = size * np.array([np.cos(angle), np.sin(angle)])
            paths.append(np.array([centre - step, centre + step]))
        elif pick < 0.7:  # an arc
            start = rng.uniform(0, 2 * np.pi)
            t = np.linspace(start, start + rng.uniform(0.5, 1.5) * np.pi, 40)
            paths.append(np.column_stack([centre[0] + size * np.cos(t), centre[1] + size * np.sin(t)]))
        else:  # a small closed outline of three to six corners
            corners = int(rng.integers(3, 7))
            t = np.sort(rng.uniform(0, 2 * np.pi, corners))
            ring = np.column_stack([centre[0] + size * np.cos(t), centre[1] + size * np.sin(t)])
            paths.append(np.vstack([ring, ring[:1]]))
    return paths


def shape(rng: np.random.Generator, split: str = "tune") -> np.ndarray:
    """A doodled shape (tune: `TUNE_SHAPES`; held out: hearts, arrows, houses, smileys)."""
    kinds = HELD_OUT_SHAPES if split == "held_out" else TUNE_SHAPES
    kind = kinds[int(rng.integers(len(kinds)))]
    jitter = lambda p: p + rng.normal(0, 0.02, p.shape)  # noqa: E731
    if kind == "pile":
        paths = _pile(rng)
    elif kind == "diamond":
        paths = [np.array([[0.5, 0.1], [0.85, 0.5], [0.5, 0.9], [0.15, 0.5], [0.5, 0.1]])]
    elif kind == "polygon":  # a pentagon to an octagon
        corners = int(rng.integers(5, 9))
        t = np.radians(np.arange(corners + 1) * 360 / corners + rng.uniform(0, 360))
        paths = [np.column_stack([0.5 + 0.4 * np.cos(t), 0.5 + 0.4 * np.sin(t)])]
    elif kind == "circled":  # a circle with a cross through it, sticking out (a crossed-out 0 is still a 0)
        t = np.linspace(0, 2 * np.pi, 100)
        paths = [np.column_stack([0.5 + 0.3 * np.cos(t), 0.5 + 0.3 * np.sin(t)]),
                 np.array([[0.08, 0.5], [0.92, 0.5]]), np.array([[0.5, 0.08], [0.5, 0.92]])]
    elif kind == "wave":
        x = np.linspace(0.1, 0.9, 80)
        paths = [np.column_stack([x, 0.5 + 0.15 * np.sin(x * rng.uniform(2, 4) * 2 * np.pi)])]
    elif kind == "check":
        paths = [np.array([[0.15, 0.55], [0.4, 0.85], [0.88, 0.15]])]
    elif kind == "hash":
        paths = [np.array([[0.35, 0.1], [0.3, 0.9]]), np.array([[0.7, 0.1], [0.65, 0.9]]),
                 np.array([[0.1, 0.35], [0.9, 0.35]]), np.array([[0.1, 0.65], [0.9, 0.65]])]
    elif kind == "asterisk":
        angles = np.radians(np.arange(3) * 60 + rng.uniform(0, 60))
        arms = [0.4 * np.array([np.cos(a), np.sin(a)]) for a in angles]
        paths = [np.array([0.5 - arm, 0.5 + arm]) for arm in arms]
    elif kind == "square":
        paths = [np.array([[0.15, 0.15], [0.85, 0.15], [0.85, 0.85], [0.15, 0.85], [0.15, 0.15]])]
    elif kind == "triangle":
        paths = [np.array([[0.5, 0.1], [0.9, 0.85], [0.1, 0.85], [0.5, 0.1]])]
    elif kind == "star":
        angles = np.radians(np.arange(6) * 144 - 90)
        paths = [np.column_stack([0.5 + 0.42 * np.cos(angles), 0.5 + 0.42 * np.sin(angles)])]
    elif kind == "cross":
        paths = [np.array([[0.15, 0.15], [0.85, 0.85]]), np.array([[0.85, 0.15], [0.15, 0.85]])]
    elif kind == "heart":
        t = np.linspace(0, 2 * np.pi, 120)
        x = 16 * np.sin(t) ** 3
        y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        paths = [np.column_stack([0.5 + x / 40, 0.5 + y / 40])]
    elif kind == "arrow":
        paths = [np.array([[0.1, 0.5], [0.9, 0.5]]), np.array([[0.65, 0.25], [0.9, 0.5], [0.65, 0.75]])]
    elif kind == "house":
        paths = [np.array([[0.2, 0.9], [0.2, 0.45], [0.5, 0.12], [0.8, 0.45], [0.8, 0.9], [0.2, 0.9]]),
                 np.array([[0.42, 0.9], [0.42, 0.65], [0.58, 0.65], [0.58, 0.9]])]
    else:
        t = np.linspace(0, 2 * np.pi, 100)
        mouth = np.linspace(np.radians(20), np.radians(160), 40)
        paths = [np.column_stack([0.5 + 0.4 * np.cos(t), 0.5 + 0.4 * np.sin(t)]),
                 np.column_stack([0.5 + 0.22 * np.cos(mouth), 0.52 + 0.2 * np.sin(mouth)]),
                 np.array([[0.37, 0.35], [0.38, 0.4]]), np.array([[0.63, 0.35], [0.62, 0.4]])]
    if kind in _MORE_DOODLES:  # long curves get a hand's wobble, not a jitter at every point
        paths = [jitter(p) if len(p) <= 12 else p + rng.normal(0, 0.015, 2) for p in paths]
        return _pad_square(_distort(_draw([_smooth_path(p, 120) for p in paths], rng), rng))
    return _pad_square(_distort(_draw([_smooth_path(jitter(p), 120) for p in paths], rng), rng))


def noise_patch(rng: np.random.Generator) -> np.ndarray:
    """Blotches and speckle: a smudge, not writing."""
    field = rng.normal(0, 1, (8, 8))
    field = cv2.resize(field, (96, 96), interpolation=cv2.INTER_CUBIC)
    return ((field > rng.uniform(0.6, 1.4)) * 255).astype(np.uint8)


def clothing(rng: np.random.Generator, split: str = "tune") -> np.ndarray | None:
    images = fashion("test" if split == "held_out" else "train")
    if len(images) == 0:
        return None
    return _pad_square(cv2.resize(images[int(rng.integers(len(images)))], (112, 112), interpolation=cv2.INTER_CUBIC))


def touching_pair(rng: np.random.Generator, split: str = "tune") -> tuple[np.ndarray, str]:
    """Two digits written so close that they touch (a "10"): one blob, two digits."""
    a, b = int(rng.integers(10)), int(rng.integers(10))
    left, _ = digit_glyph(a, rng, split)
    right, _ = digit_glyph(b, rng, split)
    h = 96
    left = cv2.resize(left, (h, h))
    right = cv2.resize(right, (h, h))
    lw = _ink_width(left)
    overlap = int(rng.uniform(0.0, 0.08) * h)
    canvas = np.zeros((h, 2 * h), np.uint8)
    l0, l1 = lw
    canvas[:, :l1 - l0] = left[:, l0:l1]
    r0, r1 = _ink_width(right)
    start = max(0, l1 - l0 - overlap)
    piece = right[:, r0:r1][:, : 2 * h - start]
    canvas[:, start:start + piece.shape[1]] = np.maximum(canvas[:, start:start + piece.shape[1]], piece)
    return _pad_square(canvas, 0.05), f"{a}{b}"


def _ink_width(ink: np.ndarray) -> tuple[int, int]:
    cols = np.flatnonzero((ink > 40).any(axis=0))
    return (int(cols[0]), int(cols[-1]) + 1) if cols.size else (0, ink.shape[1])


NON_DIGIT_KINDS = ("letter", "scribble", "shape", "clothing", "noise")


def non_digit_glyph(kind: str, rng: np.random.Generator, split: str = "tune") -> np.ndarray:
    if kind == "letter":
        return letter_glyph(rng, split)
    if kind == "scribble":
        return scribble(rng, split)
    if kind == "shape":
        return shape(rng, split)
    if kind == "clothing":
        image = clothing(rng, split)
        return image if image is not None else shape(rng, split)
    return noise_patch(rng)


# ------------------------------------------------------------------------------- paper and light
@dataclass(frozen=True)
class Photo:
    image: np.ndarray  # BGR uint8
    text: str  # the digits in it ("" for a non-digit)
    description: str


def paper(height: int, width: int, rng: np.random.Generator, kind: str | None = None) -> np.ndarray:
    """A sheet (float BGR): white, cream, pastel; plain, ruled or squared."""
    kind = kind or ("plain", "ruled", "squared")[int(rng.integers(3))]
    tint = np.array([rng.uniform(200, 250), rng.uniform(205, 252), rng.uniform(205, 252)])
    if rng.random() < 0.25:  # coloured paper: yellow, pink, blue, green
        tint = np.array([[150, 230, 245], [215, 200, 250], [245, 220, 190], [200, 240, 205]][int(rng.integers(4))],
                        float) + rng.uniform(-10, 5, 3)
    sheet = np.empty((height, width, 3), np.float32)
    sheet[:] = tint
    grain = cv2.resize(rng.normal(0, 2.5, (height // 3 + 1, width // 3 + 1)).astype(np.float32), (width, height))
    sheet += grain[..., None]
    if kind != "plain":
        spacing = rng.uniform(0.035, 0.09) * max(height, width)
        line_colour = np.array([rng.uniform(170, 230), rng.uniform(140, 200), rng.uniform(110, 190)], np.float32)
        thickness = max(1, int(round(spacing / 30)))
        offset = rng.uniform(0, spacing)
        for y in np.arange(offset, height, spacing):
            cv2.line(sheet, (0, int(y)), (width, int(y)), line_colour.tolist(), thickness, cv2.LINE_AA)
        if kind == "squared":
            for x in np.arange(rng.uniform(0, spacing), width, spacing):
                cv2.line(sheet, (int(x), 0), (int(x), height), line_colour.tolist(), thickness, cv2.LINE_AA)
        elif rng.random() < 0.4:  # the red margin line of a notebook
            x = int(rng.uniform(0.05, 0.15) * width)
            cv2.line(sheet, (x, 0), (x, height), (90, 90, 220), thickness + 1, cv2.LINE_AA)
    return sheet


def fatten(ink: np.ndarray, rng: np.random.Generator, widest: tuple[float, float]) -> np.ndarray:
    """``ink`` written with a marker: strokes swell by a radius drawn from ``widest`` (shares of the
    mark's longer side), loops fill in."""
    radius = max(1, int(max(ink.shape) * rng.uniform(*widest)))
    return cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2))


def lay_ink(sheet: np.ndarray, ink: np.ndarray, x: int, y: int, rng: np.random.Generator, pen: str) -> None:
    """Write ``ink`` (light on black, already at its final size) onto the sheet at (x, y)."""
    h, w = ink.shape
    alpha = ink.astype(np.float32) / 255.0
    if pen == "pencil":
        colour = np.full(3, rng.uniform(90, 150), np.float32)
        strength = rng.uniform(0.55, 0.9)
        texture = np.clip(rng.normal(1.0, 0.12, alpha.shape), 0.6, 1.0).astype(np.float32)
        alpha = alpha * strength * texture
    else:
        colour = np.array([[30, 30, 35], [150, 60, 25], [40, 40, 150], [60, 60, 60]][int(rng.integers(4))], np.float32)
        if pen == "marker":
            alpha = fatten(alpha, rng, (0.02, 0.06))
        alpha = np.clip((alpha - 0.1) * 1.5, 0, 1)
    region = sheet[y:y + h, x:x + w]
    a = alpha[: region.shape[0], : region.shape[1], None]
    region[:] = region * (1 - a) + colour * a


def light_and_camera(image: np.ndarray, rng: np.random.Generator, jpeg: bool = True,
                     shadow: bool | None = None) -> np.ndarray:
    """A lamp's gradient, maybe a hard shadow (``shadow`` forces it either way) and vignetting, blur,
    noise, JPEG."""
    h, w = image.shape[:2]
    gx, gy = np.meshgrid(np.linspace(-1, 1, w, dtype=np.float32), np.linspace(-1, 1, h, dtype=np.float32))
    direction = rng.uniform(0, 2 * np.pi)
    light = 1.0 - rng.uniform(0.1, 0.5) * (0.5 + 0.5 * (np.cos(direction) * gx + np.sin(direction) * gy))
    if rng.random() < 0.5:  # vignetting
        light *= 1.0 - rng.uniform(0.1, 0.35) * np.clip(gx ** 2 + gy ** 2, 0, 2) / 2
    if (rng.random() < 0.4) if shadow is None else shadow:  # the shadow of a hand or a phone, soft-edged
        mask = np.zeros((h, w), np.float32)
        corner = rng.integers(4)
        pts = np.array([[0, 0], [w * rng.uniform(0.3, 0.8), 0], [w * rng.uniform(0.1, 0.5), h * rng.uniform(0.3, 0.8)],
                        [0, h * rng.uniform(0.4, 0.9)]], np.float32)
        if corner & 1:
            pts[:, 0] = w - pts[:, 0]
        if corner & 2:
            pts[:, 1] = h - pts[:, 1]
        cv2.fillPoly(mask, [pts.astype(np.int32)], 1.0)
        mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, rng.uniform(0.005, 0.03) * max(h, w)))
        light *= 1.0 - rng.uniform(0.2, 0.45) * mask
    out = image * light[..., None]
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 1.2))
    out = out + rng.normal(0, rng.uniform(1.5, 5), out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if jpeg:
        _, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.uniform(40, 90))])
        out = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return out


def _resized_ink(ink: np.ndarray, height: int) -> np.ndarray:
    scale = height / ink.shape[0]
    size = (max(1, int(round(ink.shape[1] * scale))), max(1, height))
    return cv2.resize(ink, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def make_photo(glyph: np.ndarray, rng: np.random.Generator, text: str = "", size: tuple[int, int] | None = None,
               pen: str | None = None, paper_kind: str | None = None) -> Photo:
    """A photo of one handwritten thing on a sheet, anywhere in the picture, 24-220 px tall."""
    if size is None:
        size = [(200, 200), (320, 240), (480, 360), (640, 480), (800, 600), (1024, 768)][int(rng.integers(6))]
    width, height = size
    pen = pen or ("pen", "pencil", "marker")[int(rng.integers(3))]
    sheet = paper(height, width, rng, paper_kind)
    tall = int(np.clip(rng.uniform(24, 220), 24, 0.85 * min(width, height)))
    ink = _resized_ink(glyph, tall)
    ink = ink[:, : int(0.9 * width)]
    x = int(rng.uniform(0.05 * width, max(0.05 * width + 1, width - ink.shape[1] - 0.05 * width)))
    y = int(rng.uniform(0.05 * height, max(0.05 * height + 1, height - tall - 0.05 * height)))
    lay_ink(sheet, ink, x, y, rng, pen)
    return Photo(light_and_camera(sheet, rng), text, f"{pen}, {width}x{height}, {tall} px")


def photo_set(count: int, split: str, seed: int) -> list[Photo]:
    rng = np.random.default_rng(seed)
    photos = []
    for k in range(count):
        glyph, style = digit_glyph(k % 10, rng, split)
        photo = make_photo(glyph, rng, str(k % 10))
        photos.append(Photo(photo.image, photo.text, f"{style}, {photo.description}"))
    return photos


def non_digit_photo_set(count: int, split: str, seed: int) -> list[Photo]:
    rng = np.random.default_rng(seed)
    photos = []
    for k in range(count):
        kind = NON_DIGIT_KINDS[k % len(NON_DIGIT_KINDS)]
        photo = make_photo(non_digit_glyph(kind, rng, split), rng, "")
        photos.append(Photo(photo.image, "", f"{kind}, {photo.description}"))
    return photos


# ------------------------------------------------------------------------------- camera frames
def make_frame(digits: str, rng: np.random.Generator, split: str = "tune", size=(640, 480),
               touching: bool = False, heavy: bool = False, uneven: bool = True) -> Photo:
    """A webcam frame of a sheet with ``digits`` written in a row (maybe at different heights)."""
    width, height = size
    sheet = paper(height, width, rng)
    pen = "marker" if heavy else ("pen", "pen", "pencil")[int(rng.integers(3))]
    tall = int(rng.uniform(0.18, 0.4) * height)
    glyphs = [_resized_ink(digit_glyph(int(d), rng, split)[0], tall) for d in digits]
    trimmed = []
    for g in glyphs:
        c0, c1 = _ink_width(g)
        trimmed.append(g[:, c0:c1])
    gaps = [int(tall * rng.uniform(0.15, 0.4)) for _ in trimmed[1:]]
    pair = int(rng.integers(len(gaps))) if touching and gaps else -1
    if pair >= 0:  # two neighbours written so close that their strokes run into each other
        gaps[pair] = -int(tall * rng.uniform(0.02, 0.06))
    total = sum(g.shape[1] for g in trimmed) + sum(gaps)
    if total > 0.86 * width:
        scale = 0.86 * width / total
        trimmed = [cv2.resize(g, (max(1, int(g.shape[1] * scale)), max(1, int(g.shape[0] * scale)))) for g in trimmed]
        tall, gaps = int(tall * scale), [int(g * scale) for g in gaps]
        total = sum(g.shape[1] for g in trimmed) + sum(gaps)
    x = int((width - total) / 2 + rng.uniform(-0.05, 0.05) * width)
    baseline = height / 2 + rng.uniform(-0.1, 0.1) * height
    slope = rng.uniform(-0.12, 0.12)  # a line of writing is seldom level
    shift = 0.0
    for k, g in enumerate(trimmed):
        # Digits sit higher or lower on the line; two that touch were written in one go.
        shift = shift if k - 1 == pair else (rng.uniform(-0.25, 0.25) * tall if uneven else 0.0)
        y = int(np.clip(baseline + slope * (x - width / 2) + shift - g.shape[0] / 2, 2, height - g.shape[0] - 2))
        lay_ink(sheet, g, int(np.clip(x, 2, width - g.shape[1] - 2)), y, rng, pen)
        x += g.shape[1] + (gaps[k] if k < len(gaps) else 0)
    return Photo(light_and_camera(sheet, rng), digits, f"{pen}{', touching' if touching else ''}")


def frame_set(count: int, split: str, seed: int) -> list[Photo]:
    """1-4 digits a frame; a fifth of the frames in heavy marker, a sixth with two neighbours touching."""
    rng = np.random.default_rng(seed)
    frames = []
    for _ in range(count):
        n = int(rng.integers(1, 5))
        digits = "".join(str(int(d)) for d in rng.integers(0, 10, n))
        touching = n >= 2 and rng.random() < 1 / 6
        frames.append(make_frame(digits, rng, split, touching=touching, heavy=rng.random() < 0.2))
    return frames
