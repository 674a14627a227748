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

# Builds and installs a wheel in subprocesses.
pytestmark = pytest.mark.slow


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


def _declared() -> dict[str, "Requirement"]:
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    requirements = [Requirement(r) for r in project["dependencies"] + extras]
    return {_normal(r.name): r for r in requirements}


def _normal(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_library_the_package_imports_is_declared():
    import ast
    from importlib.metadata import packages_distributions

    declared = _declared()
    owners = packages_distributions()
    undeclared = set()
    for path in (ROOT / "mnist_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
            for name in names:
                top = name.split(".")[0]
                if top == "mnist_desktop" or top in sys.stdlib_module_names:
                    continue
                distributions = {_normal(d) for d in owners.get(top, [top])}
                if not distributions & set(declared):
                    undeclared.add(f"{path.relative_to(ROOT)}: {name} ({', '.join(sorted(distributions))})")
    assert not undeclared, "\n".join(sorted(undeclared))


def test_constraints_pin_every_declared_dependency_within_its_range():
    from packaging.requirements import Requirement

    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{line}: constraints are exact versions"
            pins[_normal(requirement.name)] = spec.version
    for name, requirement in _declared().items():
        assert name in pins, f"{name} is declared but not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"constraints.txt pins {name}=={pins[name]}, outside pyproject's {requirement.specifier}"
    build = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    (hatchling,) = [Requirement(r) for r in build]
    assert not hatchling.specifier.contains("1.25.0") and hatchling.specifier.contains(pins["hatchling"])
