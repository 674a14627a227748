"""Reading image files for the app (OpenCV, unicode paths, clear errors)."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from mnist_desktop.core.errors import DatasetError
from mnist_desktop.core.files import regular_file_problem
from mnist_desktop.core.image_input import MAX_PIXELS, as_image

# The largest image file read (a 50-megapixel PNG is rarely over 100 MB).
MAX_FILE_BYTES = 256 * 1024 * 1024

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm"}


def read_image(path: str | Path) -> np.ndarray:
    """Decode an image file as uint8 grey, BGR or BGRA; `DatasetError` naming the file if it can't.

    The image's size is read from its header before it is decoded: more than `MAX_PIXELS` (50
    megapixels) is refused, as is a file over `MAX_FILE_BYTES`, so a small file cannot decode
    into gigabytes. 16-bit and float images are brought to 0-255.
    """
    path = Path(path)
    problem = regular_file_problem(path)
    if problem:
        raise DatasetError(f"{path}: {problem}")
    size = path.stat().st_size
    if size == 0:
        raise DatasetError(f"{path}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise DatasetError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MB, the limit for an image file")
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    width, height = _header_size(path)
    if (width * height if width else height) > MAX_PIXELS:
        size = f"is {width}x{height}" if width else f"has {height:,} pixels"
        raise DatasetError(f"{path}: the image {size}, more than {MAX_PIXELS // 1_000_000} megapixels, the limit")
    try:
        image = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        # OpenCV's own checks (its pixel limit, OPENCV_IO_MAX_IMAGE_PIXELS) raise rather than fail.
        image = None
    if image is None:
        raise DatasetError(f"{path}: not a readable image (damaged, or a format OpenCV cannot decode)")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    try:
        return as_image(image)
    except ValueError as exc:
        raise DatasetError(f"{path}: {exc}") from None


def _header_size(path: Path) -> tuple[int, int]:
    """(width, height) from the file's header (Pillow reads only the header); (0, 0) when Pillow
    does not know the format, which OpenCV then decodes under its own pixel limit; (0, pixels)
    when only the pixel count is known."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as header:
                return header.size
    except Image.DecompressionBombError as exc:
        # Pillow's own, larger limit stops it before it says the size; its message has the count.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        return (0, int(found.group(1)) if found else MAX_PIXELS + 1)
    except Exception:  # noqa: BLE001 - any format Pillow cannot identify or parse
        return (0, 0)


def write_image(path: str | Path, image: np.ndarray) -> None:
    """Encode by the file's suffix (unicode paths too)."""
    path = Path(path)
    ok, encoded = cv2.imencode(path.suffix or ".png", image)
    if not ok:
        raise OSError(f"{path}: OpenCV cannot write this image format")
    encoded.tofile(path)
