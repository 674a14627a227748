"""The layer rules: core imports neither Qt nor TensorFlow; ml never imports Qt; the package and
the CLI start without either."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mnist_desktop"
QT = ("PySide6", "shiboken6", "pyqtgraph")
TENSORFLOW = ("tensorflow", "keras", "tf_keras")
FORBIDDEN = {
    "core": QT + TENSORFLOW + ("ai_edge_litert", "mnist_desktop.ml", "mnist_desktop.gui"),
    "ml": QT + ("mnist_desktop.gui",),
}


def imported_names(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_import_points_up_or_sideways(layer):
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in imported_names(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not offenders, "\n".join(offenders)


def _modules_after(code: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                            capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_core_modules_load_without_qt_or_tensorflow():
    modules = sorted(p.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")
                     for p in (PACKAGE / "core").rglob("*.py") if p.name != "__init__.py")
    loaded = _modules_after("\n".join(f"import {m}" for m in modules))
    assert not loaded & set(QT + TENSORFLOW)


def test_ml_modules_load_without_qt_or_tensorflow():
    modules = sorted(p.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")
                     for p in (PACKAGE / "ml").rglob("*.py") if p.name != "__init__.py")
    loaded = _modules_after("\n".join(f"import {m}" for m in modules))
    assert not loaded & set(QT), "ml must never import Qt"
    assert not loaded & set(TENSORFLOW), "TensorFlow is imported inside functions only"


def test_importing_the_package_is_cheap():
    loaded = _modules_after("import mnist_desktop, mnist_desktop.cli")
    assert not loaded & set(QT + TENSORFLOW + ("cv2", "sklearn", "matplotlib"))


def test_the_shipped_package_holds_no_bench_or_generator_code():
    """Bench, screenshot tooling and synthetic data live in benchmarks/, which the wheel leaves out."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in imported_names(path):
            if name == "benchmarks" or name.startswith("benchmarks."):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    leftovers = [p.name for p in PACKAGE.rglob("*.py")
                 if p.stem in {"bench", "bench_reading", "handwriting", "synthetic_frames", "replay", "screenshots"}]
    assert not offenders and not leftovers, "\n".join(offenders + leftovers)


def import_graph() -> dict[str, set[str]]:
    """module -> the package's modules it imports (anywhere in the file, so lazy imports count too).
    An import of a parent package is left out: Python imports a module's parents before it anyway."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                for alias in node.names:
                    child = f"{base}.{alias.name}"
                    targets.add(child if child in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name and not name.startswith(t + ".")}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycles():
    graph = import_graph()
    assert "mnist_desktop.core.dataset" in graph and graph["mnist_desktop.gui.main_window"]
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(cycle) for cycle in cycles)
