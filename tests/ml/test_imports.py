"""The ml modules import each other in one direction only (no cycles, even through imports inside
functions): a cycle makes import order matter and hides which module owns what."""

from __future__ import annotations

import ast
from pathlib import Path

ML = Path(__file__).resolve().parents[2] / "mnist_desktop" / "ml"


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in ML.glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mnist_desktop.ml."):
                imported.add(node.module.rsplit(".", 1)[1])
            elif isinstance(node, ast.Import):
                imported.update(a.name.rsplit(".", 1)[1] for a in node.names if a.name.startswith("mnist_desktop.ml."))
        graph[path.stem] = imported - {path.stem}
    return graph


def test_ml_modules_have_no_import_cycle():
    graph = _graph()
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in trail:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif len(trail) < len(graph):
                visit(target, trail + [target])

    for module in sorted(graph):
        visit(module, [module])
    assert not cycles, "\n".join(sorted(set(cycles)))
