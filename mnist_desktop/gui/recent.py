"""Recently opened files (File -> Open Recent) and the folder the last file dialog was in."""

from __future__ import annotations

from pathlib import Path

from mnist_desktop.gui.settings import settings

KINDS = ("dataset", "model", "image")
LIMIT = 8


def paths(kind: str) -> list[str]:
    value = settings().value(f"recent/{kind}", [])
    if isinstance(value, str):  # QSettings gives a lone string for a one-item list
        value = [value]
    return [str(p) for p in value or [] if p]


def add(kind: str, path: str | Path) -> None:
    text = str(Path(path).expanduser().absolute())
    store = settings()
    store.setValue(f"recent/{kind}", ([text] + [p for p in paths(kind) if p != text])[:LIMIT])
    remember_folder(text)


def remove(kind: str, path: str) -> None:
    settings().setValue(f"recent/{kind}", [p for p in paths(kind) if p != path])


def clear() -> None:
    store = settings()
    for kind in KINDS:
        store.remove(f"recent/{kind}")


def remember_folder(path: str | Path) -> None:
    """Note where a file dialog left off (a file's folder, or a chosen folder itself)."""
    target = Path(path)
    folder = target if target.is_dir() else target.parent
    settings().setValue("files/last_folder", str(folder))


def start_folder() -> str:
    """Where the next file dialog opens: the last folder used, while it still exists."""
    folder = str(settings().value("files/last_folder", "") or "")
    return folder if folder and Path(folder).is_dir() else str(Path.home())
