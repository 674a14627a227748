"""Train the shipped digit/not-digit model (`models/not_digit.*`); no held-out style or seed is used.

    make gate    (or: python -m benchmarks.train_gate [--out models/not_digit] [--epochs 10] [--pictures 4000])

Digits: MNIST *train* and glyphs of the training styles (`realworld.STYLES["train"]`: the tune
styles, more printed faces and handwriting faces); not digits: letters, scribbles, shapes,
Fashion-MNIST *train*, smudges and touching digit pairs; and what the reading pipeline makes of
pictures in the training styles (tune seeds). All
go through `prepare_digit` with pens from a hairline to a fat marker and sizes down to a few pixels,
as the reading pipeline would see them. The held-out styles and seeds are never used here.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks import realworld as rw
from mnist_desktop.core.preprocess import prepare_digit

SEED = 11_000  # tune seeds: 11_000-11_999; the held-out figures use 90_000 and up


def vary(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same mark written with another pen, or seen smaller, blurrier."""
    choice = rng.random()
    size = max(ink.shape)
    if choice < 0.25:  # marker: strokes swell, loops fill in
        radius = max(1, int(size * rng.uniform(0.02, 0.07)))
        ink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2))
    elif choice < 0.4:  # a fine pen
        thinner = cv2.erode(ink, np.ones((3, 3), np.uint8))
        ink = thinner if thinner.any() else ink
    elif choice < 0.6:  # small and far away: a few pixels tall
        tall = int(rng.uniform(8, 24))
        scale = tall / ink.shape[0]
        small = cv2.resize(ink, (max(1, int(ink.shape[1] * scale)), tall), interpolation=cv2.INTER_AREA)
        ink = cv2.resize(small, (ink.shape[1], ink.shape[0]), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.3:
        ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.5, 2.0))
    return prepare_digit(ink, ink="light")


def gate_data(count_digits: int, count_others: int, seed: int, split: str = "train"):
    """(digits, their labels, others) in the styles of ``split`` (`realworld.STYLES`)."""
    rng = np.random.default_rng(seed)
    images, labels = rw._mnist("test" if split == "held_out" else "train")
    chosen = rng.choice(len(images), count_digits // 2, replace=False)
    # MNIST as it is, and as the pipeline sees it written with another pen (a marker, a fine pen, far away).
    mnist = np.stack([image if k % 2 else vary(cv2.resize(image, (112, 112), interpolation=cv2.INTER_CUBIC), rng)
                      for k, image in enumerate(images[chosen])])
    count_glyphs = count_digits - len(mnist)
    glyphs = [vary(rw.digit_glyph(k % 10, rng, split)[0], rng) for k in range(count_glyphs)]
    digits = np.concatenate([mnist, np.stack(glyphs)])
    digit_labels = np.concatenate([labels[chosen], np.arange(count_glyphs) % 10])
    kinds = ("letter", "letter", "scribble", "shape", "clothing", "noise", "pair")
    others = []
    for k in range(count_others):
        kind = kinds[k % len(kinds)]
        glyph = rw.touching_pair(rng, split)[0] if kind == "pair" else rw.non_digit_glyph(kind, rng, split)
        others.append(vary(glyph, rng))
    others = np.stack(others)
    inked = digits.reshape(len(digits), -1).any(1)
    return digits[inked], digit_labels[inked], others[others.reshape(len(others), -1).any(1)]


def pipeline_examples(count: int, seed: int, split: str = "train"):
    """What the reading pipeline itself makes of photos and frames in the styles of ``split`` (tune
    seeds): the 28x28 inputs of marks read as the digits written (digits, with their labels), and of
    every mark on a non-digit photo (others)."""
    from mnist_desktop import load_predictor
    from mnist_desktop.core.reading import read_frame

    predictor = load_predictor()
    predictor.gate = None  # label by what is written, not by an earlier gate's opinion
    digits, digit_labels, others = [], [], []
    from benchmarks.synthetic_frames import frame_set as mnist_frames

    images, labels = rw._mnist("test" if split == "held_out" else "train")
    pictures = [(p.image, p.text) for p in rw.photo_set(count, split, seed) + rw.frame_set(count // 2, split, seed + 1)]
    # MNIST *training* digits on a sheet held to a webcam (the camera section's frames, other digits).
    pictures += [(f.image, f.text) for f in mnist_frames(count // 2, images, labels, seed=seed + 3)]
    for image, text in pictures:
        page = read_frame(image, predictor)
        if "".join(str(r.digit) for r in page.readings) == text:
            digits.extend(stage.result for stage in page.stages)
            digit_labels.extend(int(d) for d in text)
    for photo in rw.non_digit_photo_set(count // 2, split, seed + 2):
        page = read_frame(photo.image, predictor)
        # A lone straight stroke cut from a doodle is a perfect 1: not a fair example of a non-digit.
        others.extend(stage.result for reading, stage in zip(page.readings, page.stages, strict=True)
                      if not (reading.digit == 1 and reading.confidence > 0.9))
    return np.stack(digits), np.array(digit_labels), np.stack(others)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="models/not_digit")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--digits", type=int, default=40_000)
    parser.add_argument("--others", type=int, default=40_000)
    parser.add_argument("--pictures", type=int, default=4000, help="tune photos read by the pipeline")
    args = parser.parse_args(argv)
    from mnist_desktop.ml.not_digit import save_gate, train_gate

    started = time.perf_counter()
    digits, labels, others = gate_data(args.digits, args.others, SEED, "train")
    seen_digits, seen_labels, seen_others = pipeline_examples(args.pictures, SEED + 100)
    # As many again of each: the marks the pipeline really produces matter most.
    digits = np.concatenate([digits, seen_digits, seen_digits])
    labels = np.concatenate([labels, seen_labels, seen_labels])
    others = np.concatenate([others, seen_others, seen_others])
    print(f"data: {len(digits)} digits, {len(others)} others in {time.perf_counter() - started:.0f} s", flush=True)
    model = train_gate(digits, labels, others, epochs=args.epochs, seed=0)
    trained_on = {"digits": len(digits), "others": len(others),
                  "split": "train (tune styles, more printed faces, handwriting faces)", "seed": SEED,
                  "epochs": args.epochs}
    path = save_gate(model, Path(args.out), {"trained_on": trained_on})
    print(f"saved {path} after {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
