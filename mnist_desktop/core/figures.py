"""Report figures, drawn with Matplotlib's object API on the Agg canvas (never pyplot, so nothing
here touches a GUI toolkit) and with OpenCV for the prediction grid the reference projects draw."""

from __future__ import annotations

import io
from typing import Any

import cv2
import numpy as np

from mnist_desktop.core.metrics import Evaluation

GREEN = "#1a9850"
RED = "#d73027"


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png_bytes(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def confusion_figure(evaluation: Evaluation, *, normalised: bool = False):
    matrix = evaluation.confusion.astype(np.float64)
    if normalised:
        matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure = _figure(6.4, 5.6)
    axes = figure.add_subplot()
    # Log-ish colour scale: the diagonal is ~100x the mistakes, which would otherwise vanish.
    shown = np.log1p(matrix * (1000 if normalised else 1))
    image = axes.imshow(shown, cmap="Blues")
    names = evaluation.class_names
    axes.set_xticks(range(10), names, rotation=45 if max(map(len, names)) > 2 else 0)
    axes.set_yticks(range(10), names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title("Confusion matrix" + (" (share of each true class)" if normalised else " (counts)"))
    threshold = shown.max() * 0.6
    for i in range(10):
        for j in range(10):
            value = matrix[i, j]
            if value == 0:
                continue
            text = f"{value:.1%}" if normalised else f"{int(value)}"
            axes.text(j, i, text, ha="center", va="center", fontsize=7,
                      color="white" if shown[i, j] > threshold else "black")
    # The bar is labelled in the matrix's own units (images, or shares), spaced on the log scale.
    stretch = 1000 if normalised else 1
    top = float(matrix.max())
    steps = [0.0, 0.001, 0.01, 0.1, 1.0] if normalised else [0.0] + [10.0 ** k for k in range(0, 6)]
    ticks = [v for v in steps if v <= top] or [0.0]
    bar = figure.colorbar(image, ax=axes, shrink=0.8,
                          label="share of the true class (log scale)" if normalised else "images (log scale)")
    bar.set_ticks([float(np.log1p(v * stretch)) for v in ticks],
                  labels=[(f"{v:.1%}" if 0 < v < 0.01 else f"{v:.0%}") if normalised else f"{int(v):,}" for v in ticks])
    return figure


def per_class_figure(evaluation: Evaluation):
    figure = _figure(7.5, 3.8)
    axes = figure.add_subplot()
    x = np.arange(10)
    for offset, key, colour in ((-0.27, "precision", "#4575b4"), (0, "recall", "#91bfdb"), (0.27, "f1", "#fc8d59")):
        axes.bar(x + offset, evaluation.per_class[key], width=0.26, label=key, color=colour)
    axes.set_ylim(0.0, 1.0)  # bars from zero: a cut axis would exaggerate small differences
    axes.set_xticks(x, evaluation.class_names)
    axes.set_ylabel("score")
    axes.set_title("Per-class precision, recall and F1", pad=24)
    # Above the axes, under the title: never over a bar.
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
    axes.grid(axis="y", alpha=0.3)
    return figure


def image_grid_figure(images: np.ndarray, titles: list[str], colours: list[str], title: str, columns: int = 10):
    count = len(images)
    rows = max(1, int(np.ceil(count / columns)))
    figure = _figure(columns * 1.05, rows * 1.25 + 0.5)
    figure.suptitle(title)
    for k in range(rows * columns):
        axes = figure.add_subplot(rows, columns, k + 1)
        axes.axis("off")
        if k < count:
            axes.imshow(images[k], cmap="gray", vmin=0, vmax=255)
            axes.set_title(titles[k], fontsize=8, color=colours[k])
    return figure


def misclassified_figure(evaluation: Evaluation, images: np.ndarray, limit: int = 40):
    picks = evaluation.misclassified[:limit]
    names = evaluation.class_names
    titles = [f"{names[evaluation.labels[i]]}→{names[evaluation.predictions[i]]} {evaluation.confidence[i]:.0%}"
              for i in picks]
    return image_grid_figure(images[picks], titles, [RED] * len(picks),
                             f"Most confident mistakes ({len(evaluation.misclassified)} in all; true→predicted)")


def sample_indices(evaluation: Evaluation, count: int = 40, seed: int = 0) -> np.ndarray:
    """A fixed random sample with a few mistakes mixed in, so both colours show."""
    rng = np.random.default_rng(seed)
    wrong = evaluation.misclassified[: count // 5]
    rest = np.setdiff1d(np.arange(evaluation.count), wrong)
    picks = np.concatenate([wrong, rng.choice(rest, size=min(count - len(wrong), len(rest)), replace=False)])
    return np.sort(picks)


def predictions_figure(evaluation: Evaluation, images: np.ndarray, picks: np.ndarray):
    names = evaluation.class_names
    right = evaluation.predictions[picks] == evaluation.labels[picks]
    titles = [f"pred {names[evaluation.predictions[i]]} / true {names[evaluation.labels[i]]}" for i in picks]
    return image_grid_figure(images[picks], titles, [GREEN if ok else RED for ok in right],
                             "Sample predictions (green: right, red: wrong)")


def predictions_opencv(evaluation: Evaluation, images: np.ndarray, picks: np.ndarray, columns: int = 10) -> np.ndarray:
    """The same grid drawn with OpenCV (BGR): each digit enlarged, framed green or red, labelled."""
    cell, pad = 84, 22
    rows = max(1, int(np.ceil(len(picks) / columns)))
    canvas = np.full((rows * (cell + pad) + 8, columns * (cell + 8) + 8, 3), 255, np.uint8)
    names = evaluation.class_names
    for k, index in enumerate(picks):
        r, c = divmod(k, columns)
        y, x = 8 + r * (cell + pad), 8 + c * (cell + 8)
        digit = cv2.resize(images[index], (cell, cell), interpolation=cv2.INTER_NEAREST)
        canvas[y:y + cell, x:x + cell] = cv2.cvtColor(digit, cv2.COLOR_GRAY2BGR)
        ok = evaluation.predictions[index] == evaluation.labels[index]
        colour = (80, 152, 26) if ok else (39, 48, 215)
        cv2.rectangle(canvas, (x - 2, y - 2), (x + cell + 1, y + cell + 1), colour, 3)
        label = f"{names[evaluation.predictions[index]][:6]} ({names[evaluation.labels[index]][:6]})"
        cv2.putText(canvas, label, (x, y + cell + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv2.LINE_AA)
    return canvas


def training_curves_figure(history: list[dict[str, Any]]):
    figure = _figure(8, 3.4)
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    epochs = [record["epoch"] + 1 for record in history]
    for axes, key, title in ((loss_axes, "loss", "Loss"), (accuracy_axes, "accuracy", "Accuracy")):
        axes.plot(epochs, [record[key] for record in history], "o-", label="training")
        validation = [record.get(f"val_{key}") for record in history]
        if any(v is not None for v in validation):
            axes.plot(epochs, [np.nan if v is None else v for v in validation], "s-", label="validation")
        axes.set_xlabel("epoch")
        axes.set_title(title)
        axes.grid(alpha=0.3)
        axes.legend()
    return figure
