"""`pip install .` (not only editable installs) gives a working app: the wheel carries the bundled
MNIST, its notice and the default model inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (path,) = out.glob("mnist_desktop-*.whl")
    return path


def test_wheel_carries_data_and_model(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mnist_desktop/resources/mnist.npz" in names
    assert "mnist_desktop/resources/MNIST-NOTICE.md" in names
    for suffix in ("keras", "tflite", "json"):
        assert f"mnist_desktop/models/mnist_cnn.{suffix}" in names
    assert not any("screenshots" in name for name in names), "README pictures stay out of the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    declared = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "mnist-desktop = mnist_desktop.cli:main" in declared
    assert "[gui_scripts]" in declared  # no console window on Windows
    # The desktop entry and its icons: inside the package (for --install-desktop) and as share/ data.
    assert "mnist_desktop/resources/mnist-desktop.desktop" in names
    assert "mnist_desktop/resources/icons/hicolor/48x48/apps/mnist-desktop.png" in names
    assert any(n.endswith(".data/data/share/applications/mnist-desktop.desktop") for n in names)
    assert any(n.endswith(".data/data/share/icons/hicolor/scalable/apps/mnist-desktop.svg") for n in names)


def test_installed_wheel_finds_its_bundled_files(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    code = (
        "import mnist_desktop.paths as p, mnist_desktop\n"
        "from mnist_desktop import load_dataset\n"
        "d = load_dataset()\n"
        "print(p.bundled_mnist().is_relative_to(p.resources_dir().parent), p.resources_dir().parent.name,"
        " len(d.x_train), p.default_model().exists() and p.default_model().parent.parent.name)\n"
    )
    # The installed copy first, the venv's libraries after it; not the checkout.
    env = dict(os.environ, PYTHONPATH=str(target))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    inside, package, count, models = result.stdout.split()
    assert (inside, package, count, models) == ("True", "mnist_desktop", "60000", "mnist_desktop")
    located = subprocess.run([sys.executable, "-c", "import mnist_desktop; print(mnist_desktop.__file__)"],
                             capture_output=True, text=True, cwd=tmp_path, env=env).stdout
    assert located.startswith(str(target))
