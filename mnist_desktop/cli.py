"""`mnist-desktop`: no arguments opens the window; subcommands do the same jobs headless.

Exit status: 0 on success, 2 on bad input (one line on stderr, never a traceback), 1 when something
unexpected broke (set MNIST_DESKTOP_DEBUG=1 to see the traceback), 130 when interrupted.
Heavy modules (Qt, TensorFlow, OpenCV) are imported inside the command that needs them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from mnist_desktop import __version__

PROG = "mnist-desktop"


class UsageError(Exception):
    """Bad input from the command line; exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage dump
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Handwritten digit recognition: explore MNIST, train a CNN, evaluate it, and read "
        "digits drawn with the mouse or held up to a camera. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--dataset", metavar="PATH", help="open this data set instead of the bundled MNIST")
    parser.add_argument("--model", metavar="PATH", help="open this model instead of the shipped one")
    parser.add_argument("--screenshot", metavar="FILE.png", help="open the window, save a screenshot once ready, exit")
    parser.add_argument("--tab", metavar="NAME", help="tab to show first (Dataset, Training, Evaluation, Draw, Camera)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = commands.add_parser("train", help="train a model and save it (.keras + .tflite + .json)",
                                description="Train a model on a data set's training split and save it.")
    which = train.add_mutually_exclusive_group()
    which.add_argument("--arch", help="architecture: classic, bn-cnn, mlp, resnet, fast")
    which.add_argument("--preset", choices=["fast", "default"],
                       help="fast: quickest to 99%%; default: the recipe of the shipped model")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--schedule", choices=["constant", "cosine", "onecycle", "plateau"])
    augment = train.add_mutually_exclusive_group()
    augment.add_argument("--augment", action="store_true", default=None, help="random rotation, shift and zoom")
    augment.add_argument("--no-augment", dest="augment", action="store_false")
    train.add_argument("--patience", type=int, help="early-stopping patience in epochs (0 = off)")
    train.add_argument("--validation", type=float, metavar="FRACTION", help="validation fraction (default 0.1)")
    train.add_argument("--train-size", type=int, metavar="N", help="train on a stratified subset of N images")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--labels", choices=["sparse", "categorical"], help="integer or one-hot labels")
    train.add_argument("--data", metavar="PATH", help="data set (default: bundled MNIST)")
    train.add_argument("--out", metavar="PATH", help="where to save (NAME or NAME.keras; default: ./ARCH)")
    train.add_argument("--json", action="store_true", help="one JSON line per epoch, then a summary line")

    evaluate = commands.add_parser("evaluate", help="score a model on a data set's test split",
                                   description="Accuracy, per-class precision/recall/F1, confusion matrix.")
    evaluate.add_argument("--model", metavar="PATH", help="model (default: the shipped one)")
    evaluate.add_argument("--data", metavar="PATH", help="data set (default: bundled MNIST)")
    evaluate.add_argument("--split", choices=["test", "train"], default="test")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--report", metavar="DIR", help="write HTML, JSON, CSV and PNG figures here")

    predict = commands.add_parser("predict", help="read single-digit image files",
                                  description="Read one digit per image file, prepared like MNIST.")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument("--model", metavar="PATH")
    predict.add_argument("--json", action="store_true")

    read = commands.add_parser("read", help="find and read all digits in photos or videos",
                               description="Find handwritten digits in images or video frames and read them.")
    read.add_argument("sources", nargs="+", metavar="IMAGE_OR_VIDEO")
    read.add_argument("--model", metavar="PATH")
    read.add_argument("--json", action="store_true", help="one JSON object per image or video frame")
    read.add_argument("--every", type=int, default=1, metavar="N", help="read every Nth video frame")

    export = commands.add_parser("export", help="export a model to another format",
                                 description="Export a model as .keras, .h5, SavedModel or .tflite.")
    export.add_argument("--model", metavar="PATH", help="model (default: the shipped one)")
    export.add_argument("--format", required=True, choices=["keras", "h5", "savedmodel", "tflite"])
    export.add_argument("--out", metavar="PATH", help="target (default: the model's name with the new suffix)")
    return parser


def main(argv: list[str] | None = None) -> int:
    from mnist_desktop.core.errors import MnistDesktopError

    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser().parse_args(argv)
        handler = {
            None: _window, "train": _train, "evaluate": _evaluate, "predict": _predict,
            "read": _read, "export": _export,
        }[args.command]
        return handler(args)
    except (UsageError, MnistDesktopError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("MNIST_DESKTOP_DEBUG"):
            raise
        print(f"{PROG}: unexpected error: {type(exc).__name__}: {exc} "
              "(set MNIST_DESKTOP_DEBUG=1 for details)", file=sys.stderr)
        return 1


# ------------------------------------------------------------------------ window
def _window(args: argparse.Namespace) -> int:
    from mnist_desktop.gui.launch import launch

    return launch(dataset=args.dataset, model=args.model, screenshot=args.screenshot, tab=args.tab)


# ------------------------------------------------------------------------ train
def _train(args: argparse.Namespace) -> int:
    from mnist_desktop.core.dataset import load_dataset
    from mnist_desktop.ml.architectures import ARCHITECTURES, DEFAULT_ARCHITECTURE
    from mnist_desktop.ml.training import TrainingConfig, TrainingHooks, train
    from mnist_desktop.ml.trained import finish

    arch = args.arch or {"fast": "fast", "default": DEFAULT_ARCHITECTURE, None: "classic"}[args.preset]
    if arch not in ARCHITECTURES:
        raise UsageError(f"unknown architecture {arch!r}; choose one of {', '.join(ARCHITECTURES)}")
    overrides = {
        key: value
        for key, value in {
            "epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.learning_rate,
            "schedule": args.schedule, "augment": args.augment, "patience": args.patience,
            "validation_fraction": args.validation, "train_size": args.train_size, "seed": args.seed,
            "labels": args.labels,
        }.items()
        if value is not None
    }
    if args.preset == "default":
        # The shipped model's recipe: a fixed schedule, so it learns from all 60,000 images.
        overrides.setdefault("validation_fraction", 0.0)
    config = TrainingConfig.for_architecture(arch, **overrides)
    try:
        config.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    out = Path(args.out) if args.out else Path(arch)
    data = load_dataset(args.data)
    bar = _ProgressBar(enabled=not args.json and sys.stderr.isatty())

    def on_epoch(record) -> None:
        bar.clear()
        if args.json:
            print(json.dumps({"event": "epoch", **record.to_dict()}), flush=True)
        else:
            val = (f"  val loss {record.val_loss:.4f}  val acc {record.val_accuracy:.2%}"
                   if record.val_loss is not None else "")
            print(f"epoch {record.epoch + 1}/{config.epochs}  loss {record.loss:.4f}  acc {record.accuracy:.2%}"
                  f"{val}  {record.seconds:.1f}s", file=sys.stderr, flush=True)

    hooks = TrainingHooks(
        on_status=lambda text: None if args.json else print(text, file=sys.stderr, flush=True),
        on_batch=bar.update,
        on_epoch=on_epoch,
    )
    if not args.json:
        print(f"Training {arch} on {data.summary()}", file=sys.stderr)
    result = train(data, config, hooks)
    bar.clear()
    trained = finish(result, data, status=hooks.on_status)
    paths = trained.save(out)
    summary = {
        "event": "done",
        "architecture": arch,
        "stop_reason": result.stop_reason,
        "best_epoch": result.best_epoch,
        "training_seconds": round(result.seconds, 2),
        "test_accuracy": trained.evaluation.accuracy if trained.evaluation else None,
        "files": [str(p) for p in paths],
    }
    if args.json:
        print(json.dumps(summary), flush=True)
    else:
        accuracy = f"{summary['test_accuracy']:.2%}" if summary["test_accuracy"] is not None else "n/a"
        print(f"Test accuracy {accuracy} ({result.stop_reason}, {result.seconds:.0f} s). Saved "
              + ", ".join(str(p) for p in paths))
    return 0


class _ProgressBar:
    """One self-rewriting line on a terminal: epoch, bar, loss, accuracy, speed, time left."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = 0.0
        self._shown = False

    def update(self, progress) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and progress.batch != progress.batches):
            return
        self._last = now
        width = 24
        filled = int(width * progress.batch / progress.batches)
        left = int(progress.seconds_left)
        line = (f"\repoch {progress.epoch + 1}/{progress.epochs} [{'#' * filled}{'.' * (width - filled)}] "
                f"loss {progress.loss:.4f} acc {progress.accuracy:.2%} "
                f"{progress.samples_per_second:,.0f} img/s, {left // 60}:{left % 60:02d} left ")
        sys.stderr.write(line)
        sys.stderr.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self._shown = False


# ------------------------------------------------------------------------ evaluate
def _evaluate(args: argparse.Namespace) -> int:
    from mnist_desktop.core.dataset import load_dataset
    from mnist_desktop.ml.evaluate import evaluate_predictor
    from mnist_desktop.ml.predictor import load_predictor

    data = load_dataset(args.data)
    predictor = load_predictor(args.model)
    images, labels = data.split(args.split)
    if len(images) == 0:
        raise UsageError(f"{data.name} has no {args.split} images")
    if not data.labeled:
        raise UsageError(f"{data.name} has no labels to score against")
    evaluation = evaluate_predictor(predictor, images, labels, class_names=data.class_names)
    if args.report:
        from mnist_desktop.core.report import write_report

        write_report(Path(args.report), evaluation, images=images, model_name=predictor.name,
                     dataset_name=f"{data.name} ({args.split})", metadata=predictor.metadata)
    if args.json:
        payload = evaluation.to_dict()
        payload.update(model=predictor.name, dataset=data.name, split=args.split)
        print(json.dumps(payload))
        return 0
    per_class = evaluation.per_class
    print(f"{predictor.name} on {data.name} ({args.split}, {evaluation.count:,} images)")
    print(f"accuracy {evaluation.accuracy:.2%}   macro F1 {evaluation.averages['macro']['f1']:.4f}   "
          f"weighted F1 {evaluation.averages['weighted']['f1']:.4f}")
    print(f"{'class':>12} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
    for c, name in enumerate(data.class_names):
        print(f"{name:>12} {per_class['precision'][c]:9.4f} {per_class['recall'][c]:7.4f} "
              f"{per_class['f1'][c]:7.4f} {per_class['support'][c]:8d}")
    print("confusion matrix (rows: true, columns: predicted)")
    for row in evaluation.confusion:
        print(" ".join(f"{v:5d}" for v in row))
    if args.report:
        print(f"report written to {Path(args.report) / 'report.html'}")
    return 0


# ------------------------------------------------------------------------ predict
def _predict(args: argparse.Namespace) -> int:
    from mnist_desktop.core.errors import DatasetError
    from mnist_desktop.core.imageio import read_image
    from mnist_desktop.core.reading import read_frame
    from mnist_desktop.ml.predictor import load_predictor

    predictor = load_predictor(args.model)
    results: list[dict[str, Any]] = []
    failed = False
    for name in args.images:
        try:
            page = read_frame(read_image(name), predictor)  # the one reading path, as `read` uses
        except DatasetError as exc:
            failed = True
            results.append({"file": name, "error": str(exc)})
            continue
        if not page.readings:
            failed = True
            results.append({"file": name, "error": f"{name}: no digit found (the image is blank)"})
            continue
        digits = page.digits
        # One digit is the answer; only marks that are not digits say so; several digits are all
        # given (`read` lists each with its box).
        reading = digits[0] if len(digits) == 1 else page.readings[0] if not digits else None
        item: dict[str, Any] = {"file": name, "digit": None if reading is None or reading.not_digit else reading.digit,
                                "not_digit": not digits, "text": page.text, "count": len(digits)}
        if reading is not None:
            item.update(confidence=reading.confidence, sure=reading.sure, digit_score=round(reading.digit_score, 6),
                        probabilities=[round(float(p), 6) for p in reading.probabilities])
        results.append(item)
    if args.json:
        print(json.dumps(results))
    for item in results:
        if "error" in item:
            print(f"{PROG}: error: {item['error']}", file=sys.stderr)
        elif args.json:
            continue
        elif item["not_digit"]:
            print(f"{item['file']}: not a digit")
        elif item["count"] > 1:
            print(f"{item['file']}: {item['text']} ({item['count']} digits; `{PROG} read` lists each)")
        else:
            print(f"{item['file']}: {item['digit']} ({item['confidence']:.1%}{'' if item['sure'] else ', not sure'})")
    return 2 if failed else 0


# ------------------------------------------------------------------------ read
def _read(args: argparse.Namespace) -> int:
    from mnist_desktop.core.errors import DatasetError
    from mnist_desktop.core.frames import iter_source_frames
    from mnist_desktop.core.reading import read_frame
    from mnist_desktop.ml.predictor import load_predictor

    if args.every < 1:
        raise UsageError("--every must be at least 1")
    predictor = load_predictor(args.model)
    failed = False
    for source in args.sources:
        try:
            for index, frame in iter_source_frames(source, every=args.every):
                page = read_frame(frame, predictor)
                if args.json:
                    print(json.dumps({"source": source, "frame": index, "text": page.text,
                                      "readings": [r.to_dict() for r in page.readings]}), flush=True)
                else:
                    others = len(page.readings) - len(page.digits)
                    text = (page.text or "(no digits)") + (f" (+{others} not a digit)" if others else "")
                    where = f"{source}" if index is None else f"{source} frame {index}"
                    print(f"{where}: {text}", flush=True)
        except DatasetError as exc:
            failed = True
            print(f"{PROG}: error: {exc}", file=sys.stderr)
    return 2 if failed else 0


# ------------------------------------------------------------------------ export
def _export(args: argparse.Namespace) -> int:
    from mnist_desktop.ml.modelio import export_model, load_keras_model, model_paths
    from mnist_desktop.paths import default_model

    source = Path(args.model) if args.model else default_model()
    keras_path = source if source.suffix in (".keras", ".h5") else model_paths(source)[0]
    model = load_keras_model(keras_path)
    out = Path(args.out) if args.out else keras_path.with_suffix("").with_name(keras_path.stem + "_export")
    target = export_model(model, out, args.format)
    print(f"exported {keras_path} as {args.format}: {target}")
    return 0
