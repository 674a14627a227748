"""Every importer on small files written here, and every kind of bad input the issue lists."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from mnist_desktop import DatasetError, load_dataset
from mnist_desktop.core.dataset import FASHION_CLASSES, UNLABELED
from tests.helpers import idx_bytes, similarity, small_split, write_csv, write_idx_folder, write_image_folder


@pytest.fixture(scope="module")
def sample(mnist):
    x_train, y_train = small_split(mnist, per_class=6, split="train")
    x_test, y_test = small_split(mnist, per_class=3, split="test")
    return x_train, y_train, x_test, y_test


# ------------------------------------------------------------------ bundled
def test_bundled_mnist_is_complete(mnist):
    assert mnist.x_train.shape == (60_000, 28, 28) and mnist.x_test.shape == (10_000, 28, 28)
    assert mnist.x_train.dtype == np.uint8 and mnist.y_train.dtype == np.uint8
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(mnist.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert mnist.labeled and mnist.name == "MNIST"
    assert not mnist.x_train.flags.writeable, "shared arrays must be read-only"


def test_bundled_file_has_no_pickle():
    from mnist_desktop.paths import bundled_mnist

    with zipfile.ZipFile(bundled_mnist()) as archive:
        for name in archive.namelist():
            header = archive.open(name).read(128)
            assert b"'descr': '|O'" not in header and b"'descr': 'O'" not in header


def test_progress_is_reported(tmp_path, sample):
    seen = []
    load_dataset(write_idx_folder(tmp_path / "idx", *sample), progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


# ------------------------------------------------------------------ IDX
@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_round_trip(tmp_path, sample, gz):
    data = load_dataset(write_idx_folder(tmp_path / "idx", *sample, gz=gz))
    for got, want in zip((data.x_train, data.y_train, data.x_test, data.y_test), sample, strict=True):
        np.testing.assert_array_equal(got, want)


def test_idx_kaggle_style_names_and_single_file_path(tmp_path, sample):
    folder = tmp_path / "kaggle"
    folder.mkdir()
    (folder / "train-images.idx3-ubyte").write_bytes(idx_bytes(sample[0]))
    (folder / "train-labels.idx1-ubyte").write_bytes(idx_bytes(sample[1]))
    data = load_dataset(folder / "train-images.idx3-ubyte")
    # Only a training part: a stratified test split is held out, and nothing is lost.
    assert len(data.x_train) + len(data.x_test) == len(sample[0])
    assert set(np.unique(data.y_test)) == set(range(10))
    assert "held out" in data.notes


def test_fashion_mnist_loads_unchanged():
    folder = Path("/usr/share/datasets/fashion-mnist")
    if not (folder / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    data = load_dataset(folder)
    assert data.name == "Fashion-MNIST" and data.class_names == FASHION_CLASSES
    assert data.x_train.shape == (60_000, 28, 28) and data.x_test.shape == (10_000, 28, 28)
    raw = gzip.decompress((folder / "t10k-labels-idx1-ubyte.gz").read_bytes())
    np.testing.assert_array_equal(data.y_test, np.frombuffer(raw, np.uint8, offset=8))


def _idx_case(tmp_path, sample, name: str, data: bytes) -> Path:
    folder = write_idx_folder(tmp_path / "bad", *sample, gz=False)
    (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("train-images-idx3-ubyte", lambda x, y: idx_bytes(x, magic=0x00000801), r"wrong magic number 0x00000801 at offset 0"),
        ("train-images-idx3-ubyte", lambda x, y: idx_bytes(x)[:-100], r"truncated at offset \d+"),
        ("train-images-idx3-ubyte", lambda x, y: idx_bytes(x)[:10], r"truncated at offset 10: the header"),
        ("train-images-idx3-ubyte", lambda x, y: idx_bytes(x) + b"\0\0\0", r"3 unexpected bytes after offset"),
        ("train-labels-idx1-ubyte", lambda x, y: idx_bytes(y[:-1]), r"holds 60 images but .* 59 labels"),
        ("train-labels-idx1-ubyte", lambda x, y: idx_bytes(np.r_[y[:7], 12, y[8:]]), r"label 12 at offset 15 \(item 7\)"),
        ("train-labels-idx1-ubyte", lambda x, y: b"", r"the file is empty"),
        ("train-images-idx3-ubyte", lambda x, y: idx_bytes(x.reshape(-1, 56, 14)), r"14, expected 28x28|56x14"),
    ],
    ids=["magic", "truncated-data", "truncated-header", "trailing", "count-mismatch", "label-range", "empty", "size"],
)
def test_idx_bad_input(tmp_path, sample, name, make, expected):
    folder = _idx_case(tmp_path, sample, name, make(sample[0], sample[1]))
    with pytest.raises(DatasetError, match=expected) as info:
        load_dataset(folder)
    assert name in str(info.value)


def test_idx_corrupt_gzip(tmp_path, sample):
    folder = write_idx_folder(tmp_path / "gz", *sample, gz=True)
    target = folder / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:200])
    with pytest.raises(DatasetError, match=r"t10k-images-idx3-ubyte.gz: the gzip stream is damaged"):
        load_dataset(folder)


def test_idx_missing_partner_file(tmp_path, sample):
    folder = write_idx_folder(tmp_path / "lonely", *sample, gz=False)
    (folder / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetError, match="labels file is missing"):
        load_dataset(folder)


# ------------------------------------------------------------------ npz
def test_npz_keras_layout(tmp_path, sample):
    path = tmp_path / "digits.npz"
    np.savez_compressed(path, x_train=sample[0], y_train=sample[1], x_test=sample[2], y_test=sample[3])
    data = load_dataset(path)
    np.testing.assert_array_equal(data.x_test, sample[2])
    assert data.name == "digits"


def test_npz_accepts_normalised_floats_and_flat_rows(tmp_path, sample):
    path = tmp_path / "floats.npz"
    np.savez(path, x_train=sample[0].reshape(-1, 784) / 255.0, y_train=sample[1].astype(np.int64),
             x_test=sample[2][..., None], y_test=sample[3])
    data = load_dataset(path)
    np.testing.assert_array_equal(data.x_train, sample[0])
    np.testing.assert_array_equal(data.x_test, sample[2])


@pytest.mark.parametrize(
    ("arrays", "expected"),
    [
        (lambda s: {"x_train": s[0]}, r"missing y_train"),
        (lambda s: {"x_train": s[0], "y_train": np.r_[s[1][:3], 10, s[1][4:]]}, r"y_train, index 3: label 10 is outside 0-9"),
        (lambda s: {"x_train": s[0].astype(np.int16) * 2, "y_train": s[1]}, r"x_train, image \d+: pixel value \d+ is outside 0-255"),
        (lambda s: {"x_train": s[0][:, :20], "y_train": s[1]}, r"images must be N x 28 x 28"),
        (lambda s: {"x_train": s[0], "y_train": s[1][:-2]}, r"holds 60 images but y_train holds 58 labels"),
    ],
    ids=["missing-key", "label-range", "pixel-range", "shape", "count-mismatch"],
)
def test_npz_bad_input(tmp_path, sample, arrays, expected):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays(sample))
    with pytest.raises(DatasetError, match=expected) as info:
        load_dataset(path)
    assert "bad.npz" in str(info.value)


def test_npz_with_pickled_objects_is_refused(tmp_path, sample):
    path = tmp_path / "objects.npz"
    np.savez(path, x_train=np.array([object(), object()], dtype=object), y_train=sample[1])
    with pytest.raises(DatasetError, match="pickled Python objects"):
        load_dataset(path)


@pytest.mark.parametrize(("content", "expected"), [(b"", "the file is empty"), (b"PK\x03\x04 not really", "not a readable .npz")])
def test_npz_empty_or_corrupt(tmp_path, content, expected):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=expected):
        load_dataset(path)


# ------------------------------------------------------------------ CSV
@pytest.mark.parametrize("header", [True, False])
def test_kaggle_csv_labeled(tmp_path, sample, header):
    x = np.concatenate([sample[0], sample[2]])
    y = np.concatenate([sample[1], sample[3]])
    data = load_dataset(write_csv(tmp_path / "train.csv", x, y, header=header))
    assert data.size == len(x) and data.labeled
    # The held-out test part is stratified and every image lands in exactly one split.
    assert set(np.unique(data.y_test)) == set(range(10))
    joined = np.concatenate([data.x_train, data.x_test]).reshape(len(x), -1)
    assert sorted(map(bytes, joined)) == sorted(map(bytes, x.reshape(len(x), -1)))


def test_kaggle_csv_without_labels_loads_for_prediction(tmp_path, sample):
    data = load_dataset(write_csv(tmp_path / "test.csv", sample[2]))
    assert not data.labeled and len(data.x_train) == 0
    np.testing.assert_array_equal(data.x_test, sample[2])
    assert np.all(data.y_test == UNLABELED)


def test_kaggle_folder_train_and_unlabeled_test(tmp_path, sample):
    folder = tmp_path / "kaggle"
    folder.mkdir()
    write_csv(folder / "train.csv", sample[0], sample[1])
    write_csv(folder / "test.csv", sample[2])
    data = load_dataset(folder)
    np.testing.assert_array_equal(data.x_train, sample[0])
    np.testing.assert_array_equal(data.x_test, sample[2])
    assert not data.labeled and "no labels" in data.notes


def _csv_with(tmp_path, sample, edit) -> Path:
    path = write_csv(tmp_path / "bad.csv", sample[0][:5], sample[1][:5])
    lines = path.read_text().splitlines()
    edit(lines)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda lines: lines.__setitem__(3, lines[3] + ",0"), r"bad.csv, line 4: 786 columns, expected 785"),
        (lambda lines: lines.__setitem__(0, lines[0] + ",extra"), r"bad.csv, line 1: 786 columns"),
        (lambda lines: lines.__setitem__(2, lines[2].replace(",0,", ",abc,", 1)), r"line 3, column \d+ \(pixel\d+\): 'abc' is not a number"),
        (lambda lines: lines.__setitem__(5, lines[5].replace(",0,", ",300,", 1)), r"line 6, column \d+ \(pixel\d+\): 300 is not a whole number 0-255"),
        (lambda lines: lines.__setitem__(4, lines[4].replace(",0,", ",-1,", 1)), r"line 5, .*-1 is not a whole number 0-255"),
        (lambda lines: lines.__setitem__(2, "11" + lines[2][1:]), r"line 3: label 11 is outside 0-9"),
        (lambda lines: lines.__setitem__(0, "digit" + lines[0][5:]), r"line 1: the first column is 'digit', expected 'label'"),
        (lambda lines: lines.__delitem__(slice(1, None)), r"has a header but no rows"),
    ],
    ids=["row-columns", "header-columns", "non-numeric", "too-big", "negative", "label-range", "header-name", "header-only"],
)
def test_csv_bad_input(tmp_path, sample, edit, expected):
    with pytest.raises(DatasetError, match=expected):
        load_dataset(_csv_with(tmp_path, sample, edit))


def test_csv_empty_and_binary(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    with pytest.raises(DatasetError, match="empty.csv: the file is empty"):
        load_dataset(empty)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DatasetError, match="not a text CSV"):
        load_dataset(binary)


# ------------------------------------------------------------------ image folders
def test_image_folder_any_size_and_polarity(tmp_path, sample):
    x, y = sample[0][:30], sample[1][:30]
    folder = write_image_folder(tmp_path / "photos", x, y, invert=True, scale=3)
    data = load_dataset(folder)
    assert data.size == 30 and data.labeled
    # Dark-on-light, 84x84 images come back as MNIST-like 28x28 digits close to the originals.
    back = np.concatenate([data.x_train, data.x_test])
    for image in back:
        assert max(similarity(image, original) for original in x) > 0.9


def test_image_folder_with_train_and_test(tmp_path, sample):
    write_image_folder(tmp_path / "set" / "train", sample[0], sample[1])
    write_image_folder(tmp_path / "set" / "test", sample[2], sample[3])
    data = load_dataset(tmp_path / "set")
    assert len(data.x_train) == len(sample[0]) and len(data.x_test) == len(sample[2])
    assert sorted(data.y_test.tolist()) == sorted(sample[3].tolist())


def test_image_folder_unreadable_image(tmp_path, sample):
    folder = write_image_folder(tmp_path / "broken", sample[0][:12], sample[1][:12])
    bad = folder / "1" / "zz-broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    with pytest.raises(DatasetError, match=r"zz-broken.png: not a readable image"):
        load_dataset(folder)


def test_image_folder_blank_image_and_no_images(tmp_path, sample):
    folder = write_image_folder(tmp_path / "blank", sample[0][:12], sample[1][:12])
    cv2.imwrite(str(folder / "1" / "zz-blank.png"), np.full((40, 40), 255, np.uint8))
    with pytest.raises(DatasetError, match="zz-blank.png: the image is blank"):
        load_dataset(folder)
    empty = tmp_path / "nothing"
    (empty / "0").mkdir(parents=True)
    (empty / "0" / "notes.txt").write_text("not an image")
    with pytest.raises(DatasetError, match="hold no images"):
        load_dataset(empty)


# ------------------------------------------------------------------ dispatch
def test_unknown_inputs(tmp_path):
    with pytest.raises(DatasetError, match="no such file or folder"):
        load_dataset(tmp_path / "missing.npz")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DatasetError, match="unknown data format"):
        load_dataset(tmp_path / "notes.txt")
    (tmp_path / "empty-folder").mkdir()
    with pytest.raises(DatasetError, match="no data set found in this folder"):
        load_dataset(tmp_path / "empty-folder")
