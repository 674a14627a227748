"""Errors the app reports to people. Their messages are meant to be shown as they are."""


class MnistDesktopError(Exception):
    """Base class: a problem with the user's input, not a bug in the app."""


class DatasetError(MnistDesktopError, ValueError):
    """A data file or folder that cannot be loaded; the message names the file and the place."""


class ModelError(MnistDesktopError, ValueError):
    """A model file that is missing, corrupt, unsafe or not a 28x28 -> 10-class digit model."""


class TrainingError(MnistDesktopError, RuntimeError):
    """Training could not go on (the loss diverged, memory ran out, the data cannot be trained on)."""


class OutputError(MnistDesktopError, ValueError):
    """A place to write to that cannot be used (a file where a folder belongs, an existing target
    without permission to replace it, a full or read-only disk); the message names the path."""
