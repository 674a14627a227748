"""Hostile and careless inputs, each small by construction (a header that announces 10^9 items over a
1 KB file, a zip directory that claims gigabytes), and the API call each one is fed to.

`API_CASES` maps a case name to (build, call, expected): ``build(folder)`` writes the input and
returns what ``call`` takes; ``expected`` is None when the call must succeed, else (exception type
name, regex the message must match). `run_cases` runs them in this process and reports the time and
the peak memory after each, so tests/test_hostile_inputs.py can run them in a subprocess.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import resource
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np

from tests.helpers import idx_bytes

REPOSITORY = Path(__file__).resolve().parent.parent
SHIPPED = REPOSITORY / "models" / "mnist_cnn"


# ---------------------------------------------------------------- crafted files
def png_header_only(path: Path, width: int, height: int) -> Path:
    """A valid PNG signature and header announcing width x height, with almost no pixel data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


def gzip_of_zeros(path: Path, prefix: bytes, zeros: int) -> Path:
    """``prefix`` and then ``zeros`` zero bytes, gzipped without ever holding them in memory."""
    block = bytes(1 << 20)
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(prefix)
        for _ in range(zeros // len(block)):
            handle.write(block)
    return path


def npy_header(shape: tuple[int, ...], descr: str = "|u1") -> bytes:
    text = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode("latin1")
    text += b" " * (63 - (len(text) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text


def npz_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(f"{name}.npy", data)
    return path


def npz_arrays(path: Path, **arrays: np.ndarray) -> Path:
    members = {}
    for name, array in arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=True)
        members[name] = buffer.getvalue()
    return npz_with(path, members)


def claim_size_in_zip(path: Path, member: str, claimed: int) -> Path:
    """Rewrite a stored zip member's uncompressed size, in its local header and the directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at: start + name_at + len(name)] == name:
                data[start + size_at: start + size_at + 4] = struct.pack("<I", claimed)
            start += 4
    path.write_bytes(bytes(data))
    return path


def keras_archive(path: Path, config: object | str, extra: dict[str, bytes] | None = None) -> Path:
    text = config if isinstance(config, str) else json.dumps(config)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.14.0"}))
        archive.writestr("config.json", text)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def dense_config(units: int) -> dict:
    return {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 28, 28, 1], "name": "in"}},
        {"class_name": "Flatten", "config": {"name": "f", "trainable": True}},
        {"class_name": "Dense", "config": {"name": "d", "units": units, "trainable": True, "activation": "softmax"}},
    ]}}


def resized_tflite(path: Path, shape: tuple[int, int, int]) -> Path:
    """The shipped model with its input tensor's declared shape rewritten (a wrong-size model)."""
    content = SHIPPED.with_suffix(".tflite").read_bytes()
    for batch in (1, -1):
        content = content.replace(struct.pack("<4i", batch, 28, 28, 1), struct.pack("<4i", batch, *shape))
    path.write_bytes(content)
    return path


def copy_model(folder: Path, name: str = "m") -> Path:
    for suffix in (".keras", ".tflite", ".json"):
        (folder / f"{name}{suffix}").write_bytes(SHIPPED.with_suffix(suffix).read_bytes())
    return folder / name


def with_metadata(folder: Path, **changes: object) -> Path:
    model = copy_model(folder)
    metadata = json.loads(model.with_suffix(".json").read_text())
    metadata.update(changes)
    model.with_suffix(".json").write_text(json.dumps(metadata))
    return model


def h5_file(path: Path, build) -> Path:
    import h5py

    with h5py.File(path, "w") as handle:
        handle.attrs["model_config"] = json.dumps(dense_config(10))
        build(handle)
    return path


# ---------------------------------------------------------------- the API calls
def _load_dataset(path):
    from mnist_desktop import load_dataset

    return load_dataset(path)


def _load_predictor(path):
    from mnist_desktop import load_predictor

    return load_predictor(path)


def _load_keras(path):
    from mnist_desktop.ml.modelio import load_keras_model

    return load_keras_model(path)


def _prepare(image):
    from mnist_desktop import prepare_digit

    return prepare_digit(image)


def _read_digits(frame):
    from mnist_desktop.core.reading import read_digits
    from mnist_desktop.ml.predictor import load_predictor

    return read_digits(frame, load_predictor())


def _predict(images):
    from mnist_desktop.ml.predictor import load_predictor

    return load_predictor().predict(images)


def _read_image(path):
    from mnist_desktop.core.imageio import read_image

    return read_image(path)


def _idx_folder(folder: Path, images: bytes, labels: bytes) -> Path:
    (folder / "train-images-idx3-ubyte").write_bytes(images)
    (folder / "train-labels-idx1-ubyte").write_bytes(labels)
    return folder


def _mkfifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _symlink(path: Path, to: str) -> Path:
    path.symlink_to(to)
    return path


def _dir(path: Path) -> Path:
    path.mkdir()
    return path


def _csv_rows(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def _row(label: object, fill: object = 0) -> str:
    return ",".join([str(label)] + [str(fill)] * 784)


def _pil_image():
    from PIL import Image

    return Image.fromarray(np.full((60, 60, 3), 255, np.uint8))


DATASET, MODEL, VALUE = "DatasetError", "ModelError", "ValueError"

API_CASES: dict[str, tuple] = {
    # ---- data sets: bombs and lies, refused from the header before anything is allocated
    "idx-gzip-bomb": (lambda d: _idx_folder(d, b"", b"") and gzip_of_zeros(
        d / "train-images-idx3-ubyte", idx_bytes(np.zeros((10, 28, 28))), 200 << 20) and d,
        _load_dataset, (DATASET, r"train-images-idx3-ubyte: unexpected bytes after offset 7856")),
    "idx-announces-1e9-items": (lambda d: _idx_folder(
        d, struct.pack(">IIII", 0x803, 10**9, 28, 28) + bytes(1024), idx_bytes(np.zeros(10))),
        _load_dataset, (DATASET, r"train-images-idx3-ubyte: the header announces 1,000,000,000 items .* the limit")),
    "idx-dimensions-overflow": (lambda d: _idx_folder(
        d, struct.pack(">IIII", 0x803, 2**21, 2**21, 2**21), idx_bytes(np.zeros(10))),
        _load_dataset, (DATASET, r"train-images-idx3-ubyte: the header announces 2,097,152 items .* the limit")),
    "npz-announces-1e9-images": (lambda d: npz_with(d / "big.npz", {
        "x_train": npy_header((10**9, 28, 28)) + bytes(1024), "y_train": npy_header((10,)) + bytes(10)}),
        _load_dataset, (DATASET, r"big.npz, x_train: the header announces 1000000000x28x28 uint8")),
    "npz-directory-claims-4gb": (lambda d: claim_size_in_zip(npz_arrays(
        d / "claims.npz", x_train=np.zeros((10, 28, 28), np.uint8), y_train=np.zeros(10, np.uint8)),
        "x_train.npy", 0xFFFFFF00),
        _load_dataset, (DATASET, r"claims.npz, x_train: the arrays unpack to more than 512 MB, the limit")),
    "npz-truncated-member": (lambda d: npz_with(d / "cut.npz", {
        "x_train": npy_header((10, 28, 28)) + bytes(100), "y_train": npy_header((10,)) + bytes(10)}),
        _load_dataset, (DATASET, r"cut.npz, x_train: the header announces 10x28x28 uint8 \(7,840 bytes\) but the archive holds 100")),
    "npz-pickled-objects": (lambda d: npz_arrays(d / "pickle.npz", x_train=np.array([object()] * 3, dtype=object),
                                                 y_train=np.zeros(3, np.uint8)),
        _load_dataset, (DATASET, r"pickle.npz, x_train: holds pickled Python objects, which are refused")),
    "npz-float-images-with-nan": (lambda d: npz_arrays(
        d / "nan.npz", x_train=np.where(np.arange(20 * 784).reshape(20, 28, 28) == 800, np.nan, 0.5),
        y_train=np.arange(20, dtype=np.uint8) % 10),
        _load_dataset, (DATASET, r"nan.npz, x_train, image 1: pixel values are not finite")),
    "csv-named-pipe": (lambda d: _mkfifo(d / "pipe.csv"),
        _load_dataset, (DATASET, r"pipe.csv: not a regular file")),
    "csv-linked-to-dev-zero": (lambda d: _symlink(d / "zero.csv", "/dev/zero"),
        _load_dataset, (DATASET, r"zero.csv: not a regular file")),
    "csv-comment-keeps-line-numbers": (lambda d: _csv_rows(d / "c.csv", [
        "label," + ",".join(f"pixel{i}" for i in range(784)), "# a comment", _row(1), _row(2, "x")]),
        _load_dataset, (DATASET, r"c.csv, line 4, column 2 \(pixel0\): 'x' is not a number")),
    "csv-nan-in-first-row": (lambda d: _csv_rows(d / "n.csv", [_row(7, "nan")]),
        _load_dataset, (DATASET, r"n.csv, line 1, column 2 \(pixel0\): nan is not a whole number")),
    "image-folder-7100x7100-png": (lambda d: (_dir(d / "0"), png_header_only(d / "0" / "big.png", 7100, 7100))
                                   and d,
        _load_dataset, (DATASET, r"big.png: the image is 7100x7100, more than 50 megapixels, the limit")),
    "image-folder-20000x20000-png": (lambda d: (_dir(d / "0"), png_header_only(d / "0" / "huge.png", 20000, 20000))
                                     and d,
        _load_dataset, (DATASET, r"huge.png: the image has 400,000,000 pixels, more than 50 megapixels, the limit")),
    "image-file-float-tiff": (lambda d: _float_tiff(d / "f.tiff"), _read_image, None),
    # ---- models
    "keras-zip-bomb": (lambda d: claim_size_in_zip(keras_archive(
        d / "bomb.keras", dense_config(10), {"model.weights.h5": bytes(1000)}), "model.weights.h5", 0xFFFFFF00),
        _load_keras, (MODEL, r"bomb.keras: unpacks to 409\d MB, more than 512 MB, the limit")),
    "keras-config-nested-deeply": (lambda d: keras_archive(d / "deep.keras", "[" * 100000 + "]" * 100000),
        _load_keras, (MODEL, r"deep.keras: the model configuration is nested too deeply")),
    "keras-config-nested-100-levels": (lambda d: keras_archive(d / "deep.keras", "[" * 100 + "]" * 100),
        _load_keras, (MODEL, r"deep.keras: the model configuration is nested deeper than 64 levels, the limit")),
    "keras-dense-of-1e9-units": (lambda d: keras_archive(d / "huge.keras", dense_config(10**9)),
        _load_keras, (MODEL, r"huge.keras: a layer asks for units=1000000000, more than 65536, the limit")),
    "h5-dataset-of-1e12-values": (lambda d: h5_file(d / "big.h5", lambda h: h.create_dataset(
        "w", shape=(10**6, 10**6), dtype="f4", chunks=(16, 16))),
        _load_keras, (MODEL, r"big.h5: its arrays hold more than 512 MB, the limit")),
    "h5-external-link": (lambda d: h5_file(d / "link.h5", lambda h: h.__setitem__(
        "w", __import__("h5py").ExternalLink("/dev/zero", "/x"))),
        _load_keras, (MODEL, r"link.h5: refused: w links to another file \(/dev/zero\)")),
    "tflite-32x32x1-input": (lambda d: resized_tflite(d / "m32.tflite", (32, 32, 1)),
        _load_predictor, (MODEL, r"m32.tflite: expects input \(32, 32, 1\) float32, not float32 28x28x1")),
    "tflite-64x64x1-input": (lambda d: resized_tflite(d / "m64.tflite", (64, 64, 1)),
        _load_predictor, (MODEL, r"m64.tflite: expects input \(64, 64, 1\)")),
    "tflite-32x32x3-input": (lambda d: resized_tflite(d / "rgb.tflite", (32, 32, 3)),
        _load_predictor, (MODEL, r"rgb.tflite: expects input \(32, 32, 3\)")),
    "tflite-is-a-folder": (lambda d: _dir(d / "dir.tflite"),
        _load_predictor, (MODEL, r"dir.tflite: a folder, expected a file")),
    "tflite-named-pipe": (lambda d: _mkfifo(d / "pipe.tflite"),
        _load_predictor, (MODEL, r"pipe.tflite: not a regular file")),
    "metadata-files-not-an-object": (lambda d: with_metadata(d, files="nope"),
        _load_predictor, (MODEL, r"m.json: malformed metadata: 'files' must be")),
    "metadata-history-not-records": (lambda d: with_metadata(d, history=[1, "two"]),
        _load_predictor, (MODEL, r"m.json: malformed metadata: 'history' must be")),
    "predict-nan-images": (lambda d: np.full((2, 28, 28), np.nan, np.float32),
        _predict, (VALUE, r"image 0 has NaN or infinite pixel values")),
    # ---- images through the API: accepted when they are pictures, one ValueError otherwise
    "prepare-1x10000": (lambda d: np.random.default_rng(0).integers(0, 256, (1, 10000)).astype(np.uint8),
                        _prepare, None),
    "prepare-10000x1": (lambda d: np.random.default_rng(0).integers(0, 256, (10000, 1)).astype(np.uint8),
                        _prepare, None),
    "prepare-thin-line-3000px": (lambda d: _thin_line(3000), _prepare, None),
    "prepare-empty-float": (lambda d: np.zeros((0, 0), np.float32), _prepare, None),
    "prepare-nan": (lambda d: np.full((20, 20), np.nan), _prepare, (VALUE, r"NaN or infinite")),
    "read-bgra": (lambda d: np.full((60, 80, 4), 255, np.uint8), _read_digits, None),
    "read-float-0-1": (lambda d: np.random.default_rng(0).random((60, 80, 3)), _read_digits, None),
    "read-float-0-255": (lambda d: np.full((60, 80), 200.0), _read_digits, None),
    "read-bool": (lambda d: np.zeros((60, 80), bool), _read_digits, None),
    "read-h-w-1": (lambda d: np.zeros((60, 80, 1), np.uint8), _read_digits, None),
    "read-empty": (lambda d: np.zeros((0, 0, 3), np.uint8), _read_digits, None),
    "read-pil-image": (lambda d: _pil_image(), _read_digits, None),
    "read-1d": (lambda d: np.zeros(10, np.uint8), _read_digits, (VALUE, r"shape \(10,\); expected an image")),
    "read-4d": (lambda d: np.zeros((1, 5, 5, 3), np.uint8), _read_digits, (VALUE, r"shape \(1, 5, 5, 3\); expected")),
    "read-nan": (lambda d: np.full((20, 20, 3), np.nan), _read_digits, (VALUE, r"NaN or infinite")),
    "read-list": (lambda d: [[1, 2], [3]], _read_digits, (VALUE, r"not a rectangular array of numbers; expected")),
    "read-none": (lambda d: None, _read_digits, (VALUE, r"got None; expected an image")),
    "read-over-50-megapixels": (lambda d: np.broadcast_to(np.uint8(0), (8000, 8000)), _read_digits,
                                (VALUE, r"8000x8000, more than 50 megapixels, the limit")),
}


def _float_tiff(path: Path) -> Path:
    import cv2

    cv2.imwrite(str(path), np.random.default_rng(0).random((40, 40, 3)).astype(np.float32))
    return path


def _thin_line(side: int) -> np.ndarray:
    import cv2

    image = np.zeros((side, side), np.uint8)
    cv2.line(image, (side // 2, 10), (side // 2 + 40, side - 10), 255, 1)
    return image


def peak_rss_bytes() -> int:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: Linux carries
    ru_maxrss over from the parent across fork and exec (a pytest run that loaded TensorFlow would
    count), while VmHWM belongs to the memory the process has had since its exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_cases(names: list[str], folder: Path) -> None:
    """Run the named cases in order; print one JSON line per case (flushed, so a hang shows which)."""
    for name in names:
        build, call, _ = API_CASES[name]
        case_folder = folder / name
        case_folder.mkdir()
        print(json.dumps({"case": name, "event": "start"}), flush=True)
        argument = build(case_folder)
        started = time.monotonic()
        outcome: dict[str, object] = {"case": name, "event": "done"}
        try:
            call(argument)
            outcome["error"] = None
        except Exception as exc:  # noqa: BLE001 - reported to the test, which judges it
            outcome["error"] = [type(exc).__name__, str(exc)]
        outcome["seconds"] = time.monotonic() - started
        outcome["peak_rss"] = peak_rss_bytes()
        print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    run_cases(sys.argv[2:], Path(sys.argv[1]))
