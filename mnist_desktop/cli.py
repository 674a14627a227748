"""`mnist-desktop`: no arguments opens the window; subcommands do the same jobs headless.

Exit status: 0 on success, 2 on bad input (one line on stderr, never a traceback), 1 when something
unexpected broke (set MNIST_DESKTOP_DEBUG=1 to see the traceback), 130 when interrupted.
Heavy modules (Qt, TensorFlow, OpenCV) are imported inside the command that needs them.
Messages about what is going on go through `logging` to stderr (-v for more, -q for less) and to the
log file (`mnist_desktop.logs`); results go to stdout. Progress bars (rich) show on a terminal only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mnist_desktop import __version__

PROG = "mnist-desktop"
logger = logging.getLogger("mnist_desktop.cli")


class UsageError(Exception):
    """Bad input from the command line; exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage dump
        raise UsageError(f"{message} (see {self.prog} --help)")


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {text!r}: expected a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"invalid seed {value}: expected 0 to {2**32 - 1}")
    return value
def _log_file_for_help() -> str:
    from mnist_desktop.logs import log_file

    return str(log_file())


def build_parser() -> argparse.ArgumentParser:
    # One definition each, shared with the window (light modules: no TensorFlow, no OpenCV).
    from mnist_desktop.ml.architectures import ARCHITECTURES
    from mnist_desktop.ml.modelio import EXPORT_FORMATS
    from mnist_desktop.ml.tf_runtime import DEVICES
    from mnist_desktop.ml.training import SCHEDULES

    parser = _Parser(
        prog=PROG,
        description="Handwritten digit recognition: explore MNIST, train a CNN, evaluate it, and read "
        "digits drawn with the mouse or held up to a camera. Without a command, opens the window.",
        epilog="Exit status: 0 done, 1 unexpected failure, 2 bad input, 130 interrupted. A detailed log "
        f"of every run is kept in {_log_file_for_help()}. Run '{PROG} COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="say more (-vv: TensorFlow's own logs too); also after the command")
    parser.add_argument("-q", "--quiet", action="count", default=0,
                        help="say less: warnings and errors only (-qq: errors only)")
    parser.add_argument("--dataset", "--data", dest="dataset", metavar="PATH",
                        help="data set for the window and for every command that takes one "
                             "(default: the bundled MNIST)")
    parser.add_argument("--model", metavar="PATH",
                        help="model for the window and for every command that takes one (default: the shipped one)")
    parser.add_argument("--screenshot", metavar="FILE.png", help="open the window, save a screenshot once ready, exit")
    parser.add_argument("--tab", metavar="NAME", help="tab to show first (Dataset, Training, Evaluation, Draw, Camera)")
    parser.add_argument("--install-desktop", action="store_true",
                        help="add MNIST Desktop to your desktop's application menu (for this user, no root)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    # Given after the command, these count too; given before it, the command must not reset them
    # (argparse's sub-parser defaults would silently overwrite the global value), hence SUPPRESS.
    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("-q", "--quiet", action="count", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    def add_model(command: argparse.ArgumentParser) -> None:
        command.add_argument("--model", metavar="PATH", default=argparse.SUPPRESS,
                             help="NAME.keras, NAME.tflite, NAME.h5 or NAME (default: the shipped model)")

    def add_data(command: argparse.ArgumentParser) -> None:
        command.add_argument("--data", "--dataset", dest="dataset", metavar="PATH", default=argparse.SUPPRESS,
                             help="data set: IDX folder, .npz, CSV or image folder (default: bundled MNIST)")

    train = commands.add_parser("train", parents=[common], help="train a model and save it (.keras + .tflite + .json)",
                                description="Train a model on a data set's training split and save it. "
                                "Ctrl+C stops at the end of the batch and saves the best weights so far.")
    which = train.add_mutually_exclusive_group()
    which.add_argument("--arch", help=f"architecture: {', '.join(ARCHITECTURES)}")
    which.add_argument("--preset", choices=["fast", "default"],
                       help="fast: quickest to 99%%; default: the recipe of the shipped model")
    train.add_argument("--epochs", type=int, help="passes over the training data (default: the recipe's)")
    train.add_argument("--batch-size", type=int, help="images per step on each device")
    train.add_argument("--learning-rate", type=float,
                       help="Adam's learning rate (multiplied by the number of devices when there are several)")
    train.add_argument("--schedule", choices=list(SCHEDULES),
                       help="how the learning rate changes over the run")
    augment = train.add_mutually_exclusive_group()
    augment.add_argument("--augment", action="store_true", default=None, help="random rotation, shift and zoom")
    augment.add_argument("--no-augment", dest="augment", action="store_false", help="no augmentation")
    train.add_argument("--patience", type=int, help="early-stopping patience in epochs (0 = off)")
    train.add_argument("--validation", type=float, metavar="FRACTION", help="validation fraction (default 0.1)")
    train.add_argument("--train-size", type=int, metavar="N", help="train on a stratified subset of N images")
    train.add_argument("--seed", type=_seed, default=0, help="random seed, 0 to 4294967295")
    train.add_argument("--labels", choices=["sparse", "categorical"], help="integer or one-hot labels")
    add_data(train)
    train.add_argument("--stream", action="store_true",
                       help="read a folder of 0/..9/ images from disk batch by batch instead of loading it "
                            "into memory first (for folders larger than memory)")
    train.add_argument("--out", metavar="PATH", help="where to save (NAME or NAME.keras; default: ./ARCH)")
    train.add_argument("--device", choices=list(DEVICES), default="auto",
                       help="auto: every GPU TensorFlow sees (several: MirroredStrategy), else the CPU")
    train.add_argument("--log-dir", metavar="DIR",
                       help="write training.csv and TensorBoard logs here (tensorboard --logdir DIR)")
    train.add_argument("--resume", metavar="DIR",
                       help="back the run up here after every epoch; run the same command again after "
                            "an interruption to continue from the last finished epoch")
    train.add_argument("--checkpoint", metavar="FILE.keras",
                       help="keep the best model so far here during training (rewritten when it improves)")
    train.add_argument("--json", action="store_true", help="one JSON line per epoch, then a summary line")

    evaluate = commands.add_parser("evaluate", parents=[common], help="score a model on a data set's test split",
                                   description="Accuracy, per-class precision/recall/F1, confusion matrix.")
    add_model(evaluate)
    add_data(evaluate)
    evaluate.add_argument("--split", choices=["test", "train"], default="test", help="which split to score")
    evaluate.add_argument("--json", nargs="?", const="app", choices=["app", "sklearn"], metavar="LAYOUT",
                          help="print JSON: 'app' (the default) or 'sklearn', the layout of scikit-learn's "
                               "classification_report(output_dict=True) ('macro avg', 'f1-score', ...)")
    evaluate.add_argument("--report", metavar="DIR", help="write HTML, JSON, CSV and PNG figures here")

    predict = commands.add_parser("predict", parents=[common], help="read single-digit image files",
                                  description="Read one digit per image file, prepared like MNIST.")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    add_model(predict)
    predict.add_argument("--json", action="store_true", help="print a JSON list, one object per file")

    read = commands.add_parser("read", parents=[common], help="find and read all digits in photos or videos",
                               description="Find handwritten digits in images or video frames and read them.")
    read.add_argument("sources", nargs="+", metavar="IMAGE_OR_VIDEO")
    add_model(read)
    read.add_argument("--json", action="store_true", help="one JSON object per image or video frame")
    read.add_argument("--every", type=int, default=1, metavar="N", help="read every Nth video frame")

    export = commands.add_parser("export", parents=[common], help="export a model to another format",
                                 description="Export a model (from its .keras or .h5) as .keras, .h5, SavedModel "
                                 "or .tflite.")
    add_model(export)
    export.add_argument("--format", required=True, choices=list(EXPORT_FORMATS),
                        help="the format to write")
    export.add_argument("--out", metavar="PATH",
                        help="target (default: the model's name with the new suffix, in the current folder)")
    export.add_argument("--force", action="store_true", help="replace an existing target of the same kind")
    return parser


def main(argv: list[str] | None = None) -> int:
    from mnist_desktop.core.errors import MnistDesktopError

    as_program = argv is None
    argv = sys.argv[1:] if argv is None else argv
    _quiet_native_logs()
    try:
        args = build_parser().parse_args(argv)
        _setup_logging(args)
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
        from mnist_desktop.core.files import USER_ERRNOS, describe_os_error

        if isinstance(exc, OSError) and exc.errno in USER_ERRNOS and exc.filename:
            # A file the user named that cannot be read or written (permission, full or read-only disk).
            print(f"{PROG}: error: {describe_os_error(exc, exc.filename)}", file=sys.stderr)
            return 2
        if os.environ.get("MNIST_DESKTOP_DEBUG"):
            raise
        print(f"{PROG}: unexpected error: {type(exc).__name__}: {exc} "
              "(set MNIST_DESKTOP_DEBUG=1 for details)", file=sys.stderr)
        return 1
    finally:
        if as_program:
            # The work is done (or reported): a Ctrl+C now would only interrupt the interpreter's
            # teardown (LiteRT's Interpreter.__del__) and print a traceback-like warning.
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _quiet_native_logs() -> None:
    """OpenCV and FFmpeg print their own warnings on stderr ("[ WARN:0@0.1] global grfmt_png.cpp…",
    "moov atom not found"); the CLI reports each problem in one line of its own instead. Read by
    OpenCV when it loads, so set before it is imported; the pixel limit caps what a decode may
    allocate for formats whose size is not checked from the header first."""
    from mnist_desktop.core.limits import MAX_IMAGE_PIXELS

    os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(MAX_IMAGE_PIXELS))
    if "cv2" in sys.modules:  # already loaded (main() called from Python): set its level directly
        logging = sys.modules["cv2"].utils.logging
        logging.setLogLevel(logging.LOG_LEVEL_SILENT)


# ------------------------------------------------------------------------ window
def _window(args: argparse.Namespace) -> int:
    if args.install_desktop:
        return _install_desktop()
    from mnist_desktop.gui.launch import launch

    return launch(dataset=args.dataset, model=args.model, screenshot=args.screenshot, tab=args.tab)


# ------------------------------------------------------------------------ logging and progress
def _setup_logging(args: argparse.Namespace) -> None:
    from mnist_desktop.logs import setup_logging

    # With --json the results are the output: progress news on stderr only when asked for with -v.
    quiet = args.quiet + (1 if getattr(args, "json", None) else 0)
    setup_logging(args.verbose, quiet, prog=PROG)
    logger.debug("%s %s: %s", PROG, __version__, " ".join(sys.argv[1:]))


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _progress_wanted(args: argparse.Namespace) -> bool:
    """Bars only for a person at a terminal: not with --json, -q, or output piped to a file."""
    return not getattr(args, "json", None) and not args.quiet and _console().is_terminal


def _progress(args: argparse.Namespace, *, metrics: bool = False):
    """A rich progress display on stderr: spinner, what is going on, bar, N/M and time left (only for
    steps that know their total), elapsed time; invisible when not wanted (see `_progress_wanted`)."""
    from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class CountAndTimeLeft(ProgressColumn):
        def render(self, task) -> Text:
            if task.total is None:
                return Text("")
            left = task.time_remaining
            eta = "" if left is None else f", {int(left) // 60}:{int(left) % 60:02d} left"
            return Text(f"{int(task.completed):,}/{int(task.total):,}{eta}", style="progress.remaining")

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), CountAndTimeLeft()]
    if metrics:
        columns.append(TextColumn("{task.fields[metrics]}"))
    columns.append(TimeElapsedColumn())
    return Progress(*columns, console=_console(), transient=True, disable=not _progress_wanted(args))


class _Phases:
    """One progress task at a time in ``progress``: a status (no total) or a bar (an epoch)."""

    def __init__(self, progress) -> None:
        self.progress = progress
        self.task = None

    def start(self, description: str, total: int | None = None) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(description, total=total, metrics="")

    def update(self, **fields) -> None:
        self.progress.update(self.task, **fields)


@contextlib.contextmanager
def _loading_tensorflow(args: argparse.Namespace) -> Iterator[None]:
    """'Loading TensorFlow…' with a spinner for the ~5 s import, when the next step needs it."""
    from mnist_desktop.ml.tf_runtime import import_tensorflow, tensorflow_loaded

    if tensorflow_loaded():
        yield
        return
    if _progress_wanted(args):
        with _console().status("Loading TensorFlow…"):
            import_tensorflow()
    else:
        logger.debug("Loading TensorFlow…")
        import_tensorflow()
    yield


def _stop_requested(stop: threading.Event) -> Callable[[], bool]:
    """``stop.is_set`` for training's should-stop hook, which also says, once, that training stops."""
    announced = False

    def should_stop() -> bool:
        nonlocal announced
        if stop.is_set() and not announced:
            announced = True
            logger.warning("stopping at the end of this batch; the best weights so far will be saved "
                           "(Ctrl+C again to quit without saving)")
        return stop.is_set()

    return should_stop


@contextlib.contextmanager
def _stop_on_ctrl_c(stop: threading.Event) -> Iterator[None]:
    """The first Ctrl+C asks training to stop at the end of the batch (the best weights so far are
    then saved); a second one interrupts at once."""
    def handle(signum, frame) -> None:
        # Nothing is logged here: a handler runs between two bytecodes of whatever the main thread
        # was doing, and if that was writing to the log file, a second write fails ("reentrant
        # call") and prints a traceback. `_stop_requested` says it instead.
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    try:
        previous = signal.signal(signal.SIGINT, handle)
    except ValueError:  # not the main thread (main() called from a worker): keep Python's default
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
def _install_desktop() -> int:
    """Copy the .desktop entry and the hicolor icons into the user's XDG data folder (freedesktop
    menus read ~/.local/share/applications), with Exec pointing at this very installation."""
    import shlex
    import shutil
    import subprocess

    from mnist_desktop.paths import resources_dir

    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    entry = resources_dir() / "mnist-desktop.desktop"
    icons = resources_dir() / "icons" / "hicolor"
    if not entry.is_file() or not icons.is_dir():
        raise UsageError(f"the desktop entry or icons are missing from {resources_dir()}")
    script = shutil.which(PROG)
    command = shlex.quote(script) if script else f"{shlex.quote(sys.executable)} -m mnist_desktop"
    lines = []
    for line in entry.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command}"
        elif line.startswith("TryExec="):
            line = f"TryExec={script or sys.executable}"
        lines.append(line)
    applications = data_home / "applications"
    applications.mkdir(parents=True, exist_ok=True)
    target = applications / entry.name
    temporary = target.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(target)
    for icon in icons.rglob("mnist-desktop.*"):
        destination = data_home / "icons" / "hicolor" / icon.relative_to(icons)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icon, destination)
    # Best effort: menus that cache their entries pick the new one up now instead of at next login.
    for tool, folder in (("update-desktop-database", applications), ("gtk-update-icon-cache", data_home / "icons" / "hicolor")):
        if shutil.which(tool):
            subprocess.run([tool, "-q", str(folder)] if tool == "update-desktop-database" else [tool, "-q", "-t", str(folder)],
                           check=False, capture_output=True, timeout=30)
    print(f"Installed {target} and its icons; MNIST Desktop is now in your application menu.")
    return 0


# ------------------------------------------------------------------------ train
def _train(args: argparse.Namespace) -> int:
    from mnist_desktop.core.importers import load_dataset
    from mnist_desktop.ml.architectures import ARCHITECTURES, DEFAULT_ARCHITECTURE
    from mnist_desktop.ml.trained import finish
    from mnist_desktop.ml.training import TrainingCancelled, TrainingConfig, TrainingHooks, train

    arch = args.arch or {"fast": "fast", "default": DEFAULT_ARCHITECTURE, None: "classic"}[args.preset]
    if arch not in ARCHITECTURES:
        raise UsageError(f"unknown architecture {arch!r}; choose one of {', '.join(ARCHITECTURES)}")
    overrides = {
        key: value
        for key, value in {
            "epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.learning_rate,
            "schedule": args.schedule, "augment": args.augment, "patience": args.patience,
            "validation_fraction": args.validation, "train_size": args.train_size, "seed": args.seed,
            "labels": args.labels, "device": args.device,
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
    out = _model_output(args.out, arch)
    checkpoint = Path(args.checkpoint) if args.checkpoint else None
    if checkpoint is not None and checkpoint.suffix != ".keras":
        raise UsageError(f"{checkpoint}: the checkpoint must be a .keras file")
    if args.stream:
        if args.dataset is None:
            raise UsageError("--stream needs --data FOLDER (a folder of 0/ ... 9/ image subfolders)")
        from mnist_desktop.ml.streaming import open_image_folder

        data = open_image_folder(args.dataset)
    else:
        data = load_dataset(args.dataset)
    stop = threading.Event()

    with _progress(args, metrics=True) as progress:
        phase = _Phases(progress)
        phase.start("Starting…")

        def on_status(text: str) -> None:
            phase.start(text)
            # On a terminal the bar shows it; keep it in the log (and on stderr when piped).
            logger.log(logging.DEBUG if not progress.disable else logging.INFO, text)

        def on_batch(update) -> None:
            if update.batch == 1 or phase.progress.tasks[-1].total != update.batches:
                phase.start(f"epoch {update.epoch + 1}/{update.epochs}", total=update.batches)
            phase.update(completed=update.batch, metrics=f"loss {update.loss:.4f} acc {update.accuracy:.2%} "
                                                         f"{update.samples_per_second:,.0f} img/s")

        def on_epoch(record) -> None:
            if args.json:
                print(json.dumps({"event": "epoch", **record.to_dict()}), flush=True)
            val = (f"  val loss {record.val_loss:.4f}  val acc {record.val_accuracy:.2%}"
                   if record.val_loss is not None else "")
            logger.info(f"epoch {record.epoch + 1}/{config.epochs}  loss {record.loss:.4f}  "
                        f"acc {record.accuracy:.2%}{val}  {record.seconds:.1f}s")

        hooks = TrainingHooks(on_status=on_status, on_batch=on_batch, on_epoch=on_epoch, should_stop=_stop_requested(stop))
        logger.info(f"Training {arch} on {data.name}")
        try:
            with _stop_on_ctrl_c(stop):
                result = train(data, config, hooks, checkpoint=checkpoint,
                               log_dir=Path(args.log_dir) if args.log_dir else None,
                               resume_dir=Path(args.resume) if args.resume else None)
        except TrainingCancelled:
            raise KeyboardInterrupt from None
        trained = finish(result, data, status=on_status)
        paths = trained.save(out)
    summary = {
        "event": "done",
        "architecture": arch,
        "stop_reason": result.stop_reason,
        "best_epoch": result.best_epoch,
        "epochs_run": result.run.get("epochs_run"),
        "device": result.run.get("device"),
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
    if args.log_dir:
        logger.info(f"Training logs in {args.log_dir} (view them with: tensorboard --logdir {args.log_dir})")
    # Interrupted, even if the weights were saved: scripts must be able to tell.
    return 130 if stop.is_set() else 0


def _model_output(out: str | None, arch: str) -> Path:
    """Where `train` saves, checked before training starts (a bad path must not waste the run):
    NAME, NAME.keras, or a folder (``dir/`` or an existing folder) to save ARCH.keras into."""
    from mnist_desktop.core.files import check_output
    from mnist_desktop.ml.modelio import model_paths

    if not out:
        path = Path(arch)
    elif out.endswith(("/", os.sep)) or Path(out).expanduser().is_dir():
        path = Path(out).expanduser() / arch
    else:
        path = Path(out).expanduser()
    for target in model_paths(path):
        check_output(target)
    return path


# ------------------------------------------------------------------------ evaluate
def _evaluate(args: argparse.Namespace) -> int:
    from mnist_desktop.core.importers import load_dataset
    from mnist_desktop.ml.evaluate import evaluate_predictor

    if args.report:
        from mnist_desktop.core.files import check_output

        check_output(args.report, folder=True)
    data = load_dataset(args.dataset)
    predictor = _load_predictor(args)
    images, labels = data.split(args.split)
    if len(images) == 0:
        raise UsageError(f"{data.name} has no {args.split} images")
    if not data.labeled:
        raise UsageError(f"{data.name} has no labels to score against")
    with _progress(args) as progress:
        task = progress.add_task(f"Scoring {predictor.name}", total=len(images))
        evaluation = evaluate_predictor(
            predictor, images, labels, class_names=data.class_names,
            progress=lambda fraction: progress.update(task, completed=round(fraction * len(images))),
        )
    if args.report:
        from mnist_desktop.core.report import write_report

        write_report(Path(args.report), evaluation, images=images, model_name=predictor.name,
                     dataset_name=f"{data.name} ({args.split})", metadata=predictor.metadata)
    if args.json == "sklearn":
        print(json.dumps(_classification_report(evaluation)))
        return 0
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


def _classification_report(evaluation) -> dict[str, Any]:
    """scikit-learn's own report dict, so scripts written for it read this output unchanged."""
    from sklearn.metrics import classification_report

    return classification_report(evaluation.labels, evaluation.predictions, labels=list(range(len(evaluation.class_names))),
                                 target_names=list(evaluation.class_names), output_dict=True, zero_division=0)


def _load_predictor(args: argparse.Namespace):
    """The command's model; a .keras or .h5 without its .tflite is converted, which needs TensorFlow."""
    from mnist_desktop.ml.modelio import model_paths
    from mnist_desktop.ml.predictor import load_predictor

    if args.model is not None:
        path = Path(args.model).expanduser()
        keras_path, tflite_path, _ = model_paths(path)
        needs_conversion = path.suffix.lower() in (".h5", ".hdf5") or (not tflite_path.exists() and keras_path.exists())
        if needs_conversion:
            with _loading_tensorflow(args):
                return load_predictor(path)
    return load_predictor(args.model)


# ------------------------------------------------------------------------ predict
def _predict(args: argparse.Namespace) -> int:
    from mnist_desktop.core.errors import DatasetError
    from mnist_desktop.core.imageio import read_image
    from mnist_desktop.core.reading import read_frame

    predictor = _load_predictor(args)
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
            results.append({"file": name, "error": f"{name}: no digit found"})
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

    if args.every < 1:
        raise UsageError("--every must be at least 1")
    predictor = _load_predictor(args)
    failed = False
    for source in args.sources:
        try:
            with _progress(args) as progress:
                task = progress.add_task(f"Reading {Path(source).name}", total=_frame_count(source))
                for index, frame in iter_source_frames(source, every=args.every):
                    progress.update(task, completed=index or 0)
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


def _frame_count(source: str) -> int | None:
    """Frames in a video (for the bar's length and time left); None for a still image or when the
    container does not say."""
    if Path(source).suffix.lower() not in (".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".wmv", ".m4v"):
        return None
    import cv2

    capture = cv2.VideoCapture(source)
    try:
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
    finally:
        capture.release()
    return count if count > 0 else None


# ------------------------------------------------------------------------ export
def _export(args: argparse.Namespace) -> int:
    from mnist_desktop.ml.modelio import check_export_target, export_model, load_keras_model, model_paths
    from mnist_desktop.paths import default_model

    source = Path(args.model).expanduser() if args.model else default_model()
    if source.suffix.lower() == ".tflite":
        raise UsageError(f"{source}: a LiteRT (.tflite) model cannot be converted back to another format; "
                         f"export from the .keras or .h5 it was made from (e.g. --model {source.with_suffix('.keras')})")
    keras_path = source if source.suffix in (".keras", ".h5") else model_paths(source)[0]
    # Default: the model's name with the new suffix, in the current folder (never beside the source,
    # which for the shipped model is inside the installed package).
    out = Path(args.out) if args.out else Path(keras_path.stem)
    # Before the model is loaded: an unusable or existing target is refused at once.
    check_export_target(out, args.format, overwrite=args.force)
    with _loading_tensorflow(args):
        model = load_keras_model(keras_path)
    with _console().status(f"Exporting as {args.format}…") if _progress_wanted(args) else contextlib.nullcontext():
        target = export_model(model, out, args.format, overwrite=args.force)
    print(f"exported {keras_path} as {args.format}: {target}")
    return 0
