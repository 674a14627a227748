"""`make screenshots`: drive the real window through its screens and save each as PNG (the README's
pictures). Runs headless (QT_QPA_PLATFORM=offscreen) in a few minutes: it trains two small models."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.screenshots [FOLDER] [--reading]``: all pictures, or with --reading only
    the two of reading the real world (no training: seconds, not minutes)."""
    argv = sys.argv[1:] if argv is None else argv
    reading_only = "--reading" in argv
    argv = [a for a in argv if a != "--reading"]
    out = Path(argv[0] if argv else "resources/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="mnist-desktop-shots-"))
    # A clean profile: no remembered data set, model or drawings from the person running this.
    os.environ["MNIST_DESKTOP_SETTINGS"] = str(scratch / "settings.ini")
    os.environ["MNIST_DESKTOP_DATA_DIR"] = str(scratch / "data")

    from PySide6.QtCore import QEventLoop, QTimer

    from mnist_desktop.gui.app import create_application
    from mnist_desktop.gui.main_window import MainWindow

    from mnist_desktop.gui import theme

    app = create_application()  # noqa: F841 - the application must outlive this function's work
    theme.choose("light")  # whatever the desktop of the person running this prefers
    window = MainWindow(restore=False)
    window.resize(1400, 860)
    window.show()

    def wait(ms: int = 300) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def until(condition, timeout_s: float = 300.0) -> None:
        waited = 0.0
        while not condition():
            wait(100)
            waited += 0.1
            if waited > timeout_s:
                raise TimeoutError("the window did not get there in time")

    def shot(name: str) -> None:
        wait(500)
        path = out / f"{name}.png"
        window.grab().save(str(path))
        print(f"saved {path}")

    until(window.is_ready)
    from mnist_desktop.gui import workers

    until(lambda: not workers.running_workers())
    if reading_only:
        shoot_reading(window, shot, wait, until, scratch)
        window.close()
        return 0

    # Dataset
    window.show_tab("Dataset")
    shot("dataset")
    tab = window.dataset_tab
    tab.label_buttons.button(8).click()
    tab.split_combo.setCurrentText("Test")
    tab.gallery.select_row(3)
    tab.show_image_tab()
    shot("dataset-pixels")
    tab.label_buttons.button(10).click()
    tab.split_combo.setCurrentText("All")

    # Training: a quick classic CNN run, caught mid-way and at the end
    window.show_tab("Training")
    training = window.training_tab
    training.arch_combo.setCurrentIndex(training.arch_combo.findData("classic"))
    training.epochs_spin.setValue(4)
    training.size_slider.setValue(12_000)
    worker = training.start_training()
    until(lambda: training.table.rowCount() >= 2)
    shot("training-running")
    until(lambda: not training.busy)
    shot("training-finished")
    del worker

    # A baseline to compare with: the MLP, trained on everything for two epochs, saved.
    training.arch_combo.setCurrentIndex(training.arch_combo.findData("mlp"))
    training.epochs_spin.setValue(2)
    training.size_slider.setValue(training.size_slider.maximum())
    training.start_training()
    until(lambda: not training.busy)
    mlp_path = scratch / "mlp.keras"
    training.save_to(mlp_path)
    until(lambda: window.state.model_path == mlp_path)
    window.open_model(None)  # back to the shipped model for the rest
    until(lambda: window.state.model_path is None and window.state.predictor.name == "mnist_cnn")

    # Evaluation
    window.show_tab("Evaluation")
    evaluation = window.evaluation_tab
    evaluation.evaluate()
    until(lambda: not evaluation.task.busy and evaluation.evaluation is not None)
    shot("evaluation")
    evaluation.pages.setCurrentIndex(1)
    matrix = evaluation.evaluation.confusion.copy()
    np.fill_diagonal(matrix, 0)
    true, predicted = np.unravel_index(int(np.argmax(matrix)), matrix.shape)
    evaluation.show_cell(int(true), int(predicted))
    shot("evaluation-confusion")
    evaluation.pages.setCurrentIndex(2)
    shot("evaluation-mistakes")
    evaluation.compare_with(str(mlp_path))
    until(lambda: evaluation.comparison is not None)
    evaluation.pages.setCurrentIndex(5)
    shot("evaluation-compare")

    # Draw
    from benchmarks.handwriting import make_drawing, number_drawing
    from benchmarks.replay import draw

    window.show_tab("Draw")
    drawing_tab = window.draw_tab
    wait(300)
    canvas = drawing_tab.canvas
    canvas.clear()
    draw(canvas, make_drawing(5, np.random.default_rng(12), style=1, size_range=(0.55, 0.6)))
    shot("draw-digit")
    canvas.clear()
    side = canvas.width()
    draw(canvas, number_drawing("2026", np.random.default_rng(3), canvas=(side, side), pen=side / 45),
         design_size=side)
    shot("draw-number")
    canvas.clear()
    drawing_tab.saliency_check.setChecked(True)
    draw(canvas, make_drawing(4, np.random.default_rng(7), style=0, size_range=(0.6, 0.65)))
    shot("draw-saliency")
    drawing_tab.saliency_check.setChecked(False)

    # Camera: a video of a number on paper
    from mnist_desktop.core.frames import write_video
    from benchmarks.synthetic_frames import make_frame

    data = window.state.dataset
    picks = [int(np.flatnonzero(data.y_test == d)[5]) for d in (1, 9, 8, 4)]
    frames = [make_frame(data.x_test[picks], data.y_test[picks], np.random.default_rng(40 + k // 8)).image
              for k in range(48)]
    video = write_video(scratch / "number.avi", frames, fps=12)
    camera = _read_video(window, video, until)
    shot("camera")

    # The same screens in the dark scheme, each tab as it was left.
    evaluation.pages.setCurrentIndex(1)
    theme.choose("dark")
    for title in ("Dataset", "Training", "Evaluation", "Draw", "Camera"):
        window.show_tab(title)
        shot(f"dark-{title.lower()}")
    # The smallest window it is made for (a 1024x768 laptop screen minus panels), both schemes.
    window.resize(1024, 640)
    window.show_tab("Draw")
    wait(300)
    canvas.clear()  # drawn again at the canvas's new size
    side = canvas.width()
    draw(canvas, number_drawing("42", np.random.default_rng(8), canvas=(side, side), pen=side / 40), design_size=side)
    for scheme in ("dark", "light"):
        theme.choose(scheme)
        for title in ("Training", "Draw", "Camera"):
            window.show_tab(title)
            shot(f"small-{title.lower()}-{scheme}")
    camera.stop()
    until(lambda: not camera.is_running())
    shoot_reading(window, shot, wait, until, scratch)
    window.close()
    return 0


def shoot_reading(window, shot, wait, until, scratch: Path) -> None:
    """The Draw tab saying "not a digit" for a scribble; the Camera tab reading notebook paper."""
    from benchmarks import realworld as rw
    from benchmarks.handwriting import Drawing
    from benchmarks.replay import draw
    from mnist_desktop.core.frames import write_video

    window.show_tab("Draw")
    canvas = window.draw_tab.canvas
    wait(300)
    canvas.clear()
    rng = np.random.default_rng(17)
    points = np.cumsum(rng.normal(0, 0.18, (12, 2)), axis=0)
    points = (points - points.min(0)) / np.ptp(points, axis=0).max() * 0.6 + 0.2
    path = np.column_stack([np.interp(np.linspace(0, 11, 240), np.arange(12), points[:, k]) for k in range(2)])
    draw(canvas, Drawing(-1, [path * 280 * min(1.0, canvas.height() / canvas.width())], 12.0, 0))
    shot("draw-not-a-digit")
    canvas.clear()

    # Ruled notebook paper under a lamp, a shadow across it; one number written with a pen.
    rng = np.random.default_rng(4)
    sheet = rw.paper(480, 640, rng, "ruled")
    digits = "4071"
    for k, digit in enumerate(digits):
        glyph = rw.digit_glyph(int(digit), rng, "held_out")[0]
        rw.lay_ink(sheet, rw._resized_ink(glyph, 120), 110 + 110 * k, 170 + int(rng.integers(-20, 20)), rng, "pen")
    frames = [rw.light_and_camera(sheet.copy(), np.random.default_rng(k // 6), shadow=True) for k in range(36)]
    video = write_video(scratch / "notebook.avi", frames, fps=12)
    camera = _read_video(window, video, until)
    shot("camera-notebook")
    camera.stop()
    until(lambda: not camera.is_running())


def _read_video(window, video: Path, until):
    """The Camera tab reading ``video`` in a loop with its ink mask shown, once it has settled."""
    window.show_tab("Camera")
    camera = window.camera_tab
    camera.use_file(str(video))
    camera.loop_check.setChecked(True)
    camera.mask_check.setChecked(True)
    camera.start()
    until(lambda: camera.packet is not None and camera.packet.index > 14)
    return camera


if __name__ == "__main__":
    raise SystemExit(main())
