"""Evaluation reports: JSON, CSV, PNG figures and one self-contained HTML page (figures embedded).

The same writer serves `mnist-desktop evaluate --report DIR` and the Evaluation tab's export.
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import html
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from mnist_desktop.core import figures, files
from mnist_desktop.core.metrics import Evaluation


def write_report(
    folder: Path,
    evaluation: Evaluation,
    *,
    images: np.ndarray,
    model_name: str,
    dataset_name: str,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write every part of the report into ``folder``; returns {part: path}.

    The whole report is written first into a hidden folder, then switched in: a new ``folder`` is
    that folder renamed; into an existing one the parts are moved (renames, which need no space),
    and parts of an older report that this one lacks are removed. Other files in ``folder`` are
    left alone. A full or read-only disk (`OutputError`) leaves an older report as it was.
    """
    folder = files.check_output(folder, folder=True)
    metadata = metadata or {}
    written: dict[str, Path] = {}
    parts: dict[str, bytes] = {}

    def save(name: str, data: bytes) -> Path:
        parts[name] = data
        written[name] = folder / name
        return folder / name

    pngs: dict[str, bytes] = {
        "confusion_matrix.png": figures.png_bytes(figures.confusion_figure(evaluation)),
        "confusion_matrix_normalised.png": figures.png_bytes(figures.confusion_figure(evaluation, normalised=True)),
        "per_class.png": figures.png_bytes(figures.per_class_figure(evaluation)),
    }
    if len(evaluation.misclassified):
        pngs["misclassified.png"] = figures.png_bytes(figures.misclassified_figure(evaluation, images))
    picks = figures.sample_indices(evaluation)
    pngs["predictions_matplotlib.png"] = figures.png_bytes(figures.predictions_figure(evaluation, images, picks))
    ok, encoded = cv2.imencode(".png", figures.predictions_opencv(evaluation, images, picks))
    if ok:
        pngs["predictions_opencv.png"] = encoded.tobytes()
    history = metadata.get("history") or []
    if history:
        pngs["training_curves.png"] = figures.png_bytes(figures.training_curves_figure(history))
    for name, data in pngs.items():
        save(name, data)

    summary = evaluation.to_dict()
    summary.update(
        model=model_name,
        dataset=dataset_name,
        created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        model_metadata={k: metadata[k] for k in ("architecture", "params", "training", "best_epoch",
                                                 "stop_reason", "versions", "created") if k in metadata},
    )
    save("report.json", json.dumps(summary, indent=2).encode("utf-8"))
    save("per_class.csv", _csv(
        ["class", "precision", "recall", "f1", "support", "accuracy"],
        [[evaluation.class_names[c], *(f"{evaluation.per_class[k][c]:.6f}" for k in ("precision", "recall", "f1")),
          int(evaluation.per_class["support"][c]), f"{evaluation.per_class['accuracy'][c]:.6f}"] for c in range(10)],
    ))
    save("confusion_matrix.csv", _csv(["true \\ predicted", *evaluation.class_names],
                                      [[evaluation.class_names[i], *map(int, row)]
                                       for i, row in enumerate(evaluation.confusion)]))
    save("misclassified.csv", _csv(
        ["index", "true", "predicted", "confidence", *[f"p{c}" for c in range(10)]],
        [[int(i), int(evaluation.labels[i]), int(evaluation.predictions[i]), f"{evaluation.confidence[i]:.6f}",
          *(f"{p:.6f}" for p in evaluation.probabilities[i])] for i in evaluation.misclassified],
    ))
    save("report.html", _html(evaluation, model_name, dataset_name, metadata, pngs).encode("utf-8"))
    _switch_in(folder, parts)
    return {name: path for name, path in written.items()}


# Every file a report may hold: an older report's parts that the new one lacks are removed.
REPORT_PARTS = frozenset({
    "confusion_matrix.png", "confusion_matrix_normalised.png", "per_class.png", "misclassified.png",
    "predictions_matplotlib.png", "predictions_opencv.png", "training_curves.png", "report.json",
    "per_class.csv", "confusion_matrix.csv", "misclassified.csv", "report.html",
})


def _switch_in(folder: Path, parts: dict[str, bytes]) -> None:
    existing = folder.is_dir()
    # Staged inside the folder when it exists (the same disk, so the moves are renames).
    home = folder if existing else folder.parent
    with files.output_errors(folder):
        home.mkdir(parents=True, exist_ok=True)
        # Leftovers of a killed write are named after the target: removed here, before the next.
        key = folder / ".report" if existing else folder
        files.remove_leftovers(key)
        stage = Path(tempfile.mkdtemp(prefix=files.temporary_prefix(key), suffix=".tmp", dir=home))
    try:
        with files.output_errors(folder):
            for name, data in parts.items():
                (stage / name).write_bytes(data)
                os.chmod(stage / name, 0o666 & ~files.current_umask())
            files.fsync_tree(stage)
            if not existing:
                os.chmod(stage, 0o777 & ~files.current_umask())
                os.replace(stage, folder)
                files.fsync_dir(folder.parent)
                return
            for name in parts:
                os.replace(stage / name, folder / name)
            for stale in REPORT_PARTS - parts.keys():
                (folder / stale).unlink(missing_ok=True)
            files.fsync_dir(folder)
    finally:
        if stage.exists():
            files.remove_quietly(stage)


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _html(evaluation: Evaluation, model_name: str, dataset_name: str, metadata: dict[str, Any],
          pngs: dict[str, bytes]) -> str:
    e = html.escape

    def image(name: str, alt: str) -> str:
        if name not in pngs:
            return ""
        data = base64.b64encode(pngs[name]).decode("ascii")
        return f'<figure><img alt="{e(alt)}" src="data:image/png;base64,{data}"><figcaption>{e(alt)}</figcaption></figure>'

    per_class = evaluation.per_class
    rows = "".join(
        f"<tr><td>{e(evaluation.class_names[c])}</td><td>{per_class['precision'][c]:.4f}</td>"
        f"<td>{per_class['recall'][c]:.4f}</td><td>{per_class['f1'][c]:.4f}</td>"
        f"<td>{int(per_class['support'][c])}</td></tr>"
        for c in range(10)
    )
    averages = "".join(
        f"<tr><th>{name}</th><td>{values['precision']:.4f}</td><td>{values['recall']:.4f}</td>"
        f"<td>{values['f1']:.4f}</td><td>{evaluation.count}</td></tr>"
        for name, values in evaluation.averages.items()
    )
    training = metadata.get("training") or {}
    facts = [
        ("Model", model_name),
        ("Architecture", f"{metadata.get('architecture', 'unknown')} ({metadata.get('params', '?'):,} parameters)"
         if isinstance(metadata.get("params"), int) else metadata.get("architecture", "unknown")),
        ("Data", f"{dataset_name}: {evaluation.count:,} images"),
        ("Trained", training_summary(metadata) or "not recorded"),
        ("Report written", _dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]
    fact_rows = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in facts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MNIST Desktop report: {e(model_name)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }}
h1 {{ font-size: 1.6em; }} .big {{ font-size: 2.4em; font-weight: 600; }}
table {{ border-collapse: collapse; margin: 1em 0; }} td, th {{ padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }} figure {{ margin: 1.5em 0; }} img {{ max-width: 100%; }}
figcaption {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>Evaluation report</h1>
<p class="big">{evaluation.accuracy:.2%} accuracy</p>
<p>{len(evaluation.misclassified)} of {evaluation.count:,} images misread.</p>
<table>{fact_rows}</table>
<h2>Per class</h2>
<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}{averages}</table>
{image("per_class.png", "Precision, recall and F1 of each class")}
<h2>Confusion matrix</h2>
{image("confusion_matrix.png", "Rows: the true class; columns: what the model read. Off the diagonal: the mistakes.")}
{image("confusion_matrix_normalised.png", "The same, as a share of each true class.")}
<h2>Mistakes and samples</h2>
{image("misclassified.png", "The mistakes the model was most sure of (true→predicted, confidence).")}
{image("predictions_matplotlib.png", "Sample predictions drawn with Matplotlib: green right, red wrong.")}
{image("predictions_opencv.png", "The same sample drawn with OpenCV: predicted (true).")}
{image("training_curves.png", "Training curves from the model's metadata.")}
<p style="color:#777">Made by MNIST Desktop. MNIST: LeCun, Cortes &amp; Burges, CC BY-SA 3.0.</p>
</body></html>
"""


def training_summary(metadata: dict) -> str:
    """How a model was trained, from its metadata: the epochs it actually ran (a run stopped at
    epoch 2 of 10 says so), batch size, learning rate, augmentation and seed; "" when not recorded."""
    training = metadata.get("training") or {}
    history = metadata.get("history") or []
    parts = []
    if history:
        ran = len(history)
        planned = training.get("epochs")
        stopped = metadata.get("stop_reason")
        if planned and planned != ran:
            parts.append(f"{ran} of {planned} epochs" + (f" ({stopped})" if stopped else ""))
        else:
            parts.append(f"{ran} epoch{'s' if ran != 1 else ''}")
    elif "epochs" in training:
        parts.append(f"epochs {training['epochs']}")
    parts += [f"{key.replace('_', ' ')} {training[key]}" for key in ("batch_size", "learning_rate", "augment", "seed")
              if key in training]
    return ", ".join(parts)
