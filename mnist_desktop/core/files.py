"""Writing files so that nothing is lost, and reading only what is safe to read.

One helper for every write in the app (models, exports, reports, saved drawings): the data goes to a
temporary file beside the target, is flushed to disk, and only then renamed over the target, so a
crash or a full disk never leaves a half-written file where a good one was. Temporary names start
with ``.NAME.`` and contain ``.tmp``, so the next save can find and remove the leftovers of a killed
one. Operating-system errors become one-line `OutputError` messages that name the user's path, not
the temporary one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mnist_desktop.core.errors import OutputError


# ---------------------------------------------------------------- messages
# Errors that come from the user's files and disks, not from a bug: said in words, exit status 2.
USER_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT,
                         errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EFBIG, errno.ELOOP})


def describe_os_error(exc: OSError, path: Path | str) -> str:
    """One line saying what went wrong with ``path``, in words (the errno's text as a fallback)."""
    path = Path(path)
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return f"{path}: no space left on the disk holding it"
    if code == errno.EROFS:
        return f"{path}: the disk holding it is read-only"
    if code in (errno.EACCES, errno.EPERM):
        return f"{path}: permission denied"
    if code == errno.ENOENT:
        return f"{path}: no such file or folder"
    if code == errno.EISDIR:
        return f"{path}: is a folder, expected a file"
    if code == errno.ENOTDIR:
        return f"{path}: a part of this path is a file, not a folder"
    if code == errno.ENAMETOOLONG:
        return f"{path}: the name is too long"
    if code == errno.EFBIG:
        return f"{path}: the file would be larger than the disk allows"
    return f"{path}: {exc.strerror or exc}"


@contextlib.contextmanager
def output_errors(path: Path | str) -> Iterator[None]:
    """Turn an `OSError` raised while writing ``path`` into an `OutputError` naming ``path``."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path)) from None


# ---------------------------------------------------------------- checks before work
def check_output(path: Path | str, *, folder: bool = False, overwrite: bool = True) -> Path:
    """Refuse, before any work starts, an output path that the write at the end could not use.

    ``folder``: the output is a folder (a report, a SavedModel) rather than a file. ``overwrite``:
    an existing target may be replaced. Returns the path. Checks: the name is not empty (``.``,
    ``/``), no part of the parent path is a file, the nearest existing folder is writable, and an
    existing target is of the right kind.
    """
    path = Path(path).expanduser()
    if path.name in ("", ".", ".."):
        if not folder:
            raise OutputError(f"{path}: names a folder, not a file to write; add a name (for example "
                              f"{path / 'model'})")
        path = path.resolve()
    if path.exists() or path.is_symlink():
        if not (path.is_dir() if folder else path.is_file()):
            what = "a file" if path.is_file() else ("a folder" if path.is_dir() else "not a regular file")
            raise OutputError(f"{path}: is {what}; expected {'a folder' if folder else 'a file'} here")
        if not overwrite:
            raise OutputError(f"{path}: already exists; use --force to replace it")
    parent = path.parent
    while not parent.exists():
        if parent.is_symlink():
            raise OutputError(f"{parent}: a broken link")
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{parent}: is a file, so {path} cannot be created inside it")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{parent}: permission denied (cannot write there)")
    return path


def regular_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a data or model file, or None when it can be.

    Only regular files are read: a named pipe or a device (``/dev/zero``) would hang or never end.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return "no such file"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISDIR(info.st_mode):
        return "a folder, expected a file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device), refused"
    if not os.access(path, os.R_OK):
        return "permission denied"
    return None


# ---------------------------------------------------------------- atomic writes
def temporary_prefix(target: Path) -> str:
    """The start of every temporary name made for ``target`` (to find leftovers of killed writes)."""
    return f".{Path(target).stem}."


@contextlib.contextmanager
def atomic_path(target: Path | str, *, directory: bool = False) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed onto ``target`` only if the block succeeds.

    For a file the block writes the temporary file; it is flushed to disk before the rename. For
    a ``directory`` the block creates the temporary folder; an existing folder at ``target`` is
    moved aside, the new one renamed in, and the old one removed (the caller decides whether the
    old folder may go). `OSError`s become `OutputError`s naming ``target``.
    """
    target = Path(target)
    with output_errors(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        suffix = "" if directory else target.suffix
        fd, name = tempfile.mkstemp(prefix=temporary_prefix(target), suffix=f".tmp{suffix}", dir=target.parent)
        os.close(fd)
    temporary = Path(name)
    if directory:
        temporary.unlink()
    try:
        yield temporary
        with output_errors(target):
            if directory:
                fsync_tree(temporary)
            else:
                fsync_file(temporary)
                # mkstemp makes private files; what the app writes are ordinary documents.
                os.chmod(temporary, 0o666 & ~current_umask())
            if directory and target.exists():
                # Folders cannot be renamed over; move the old one aside first, then drop it.
                old = Path(tempfile.mkdtemp(prefix=temporary_prefix(target), suffix=".tmp-old", dir=target.parent))
                old.rmdir()
                os.replace(target, old)
                os.replace(temporary, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(temporary, target)
            fsync_dir(target.parent)
    except BaseException:
        remove_quietly(temporary)
        raise


def write_bytes_atomically(target: Path | str, data: bytes) -> Path:
    target = Path(target)
    with atomic_path(target) as temporary, output_errors(target):
        temporary.write_bytes(data)
    return target


def remove_leftovers(target: Path | str) -> None:
    """Remove the temporary files and folders that killed writes of ``target`` left beside it."""
    target = Path(target)
    prefix = temporary_prefix(target)
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefix) and ".tmp" in entry.name[len(prefix):]:
            remove_quietly(entry)


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    for root, _, names in os.walk(folder):
        for name in names:
            fsync_file(Path(root) / name)
        fsync_dir(Path(root))


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
