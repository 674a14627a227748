"""File dialogs shared by the menus and the tabs."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from mnist_desktop.core.frames import VIDEO_SUFFIXES
from mnist_desktop.core.imageio import IMAGE_SUFFIXES

# The one place each file-dialog filter is written; the suffixes come from the code that reads them.
DATASET_FILTER = "Data sets (*.npz *.csv *.gz *ubyte);;All files (*)"
MODEL_FILTER = "Models (*.tflite *.keras *.h5);;All files (*)"
KERAS_FILTER = "Keras model (*.keras)"


def _patterns(suffixes) -> str:
    return " ".join(f"*{suffix}" for suffix in sorted(suffixes))


IMAGE_FILTER = f"Images ({_patterns(IMAGE_SUFFIXES)});;All files (*)"
VIDEO_FILTER = f"Videos ({_patterns(VIDEO_SUFFIXES)});;All files (*)"


def ask_dataset_path(parent: QWidget) -> str | None:
    """A file (npz, csv, IDX) or a folder (IDX files, train.csv, digit subfolders)."""
    box = QMessageBox(parent)
    box.setWindowTitle("Open data set")
    box.setText("Open a data set file (.npz, Kaggle .csv, an IDX file) or a folder (IDX files, "
                "train.csv/test.csv, or images in subfolders 0 … 9)?")
    file_button = box.addButton("File…", QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton("Folder…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    from mnist_desktop.gui.recent import start_folder

    start = start_folder()
    if box.clickedButton() is file_button:
        path, _ = QFileDialog.getOpenFileName(parent, "Open data set file", start, DATASET_FILTER)
        return path or None
    if box.clickedButton() is folder_button:
        return QFileDialog.getExistingDirectory(parent, "Open data set folder", start) or None
    return None
