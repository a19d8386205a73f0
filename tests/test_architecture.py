"""The house: modules import each other in one direction, counting imports inside functions.

The import graph is read from the source with ``ast`` (every ``from .module import ...``
anywhere in a module, at the top or inside a function), so an import made late to dodge a
circle still counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "symdiff"


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    for path in PACKAGE.glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
                imported.update(n for n in names if n in modules)
        graph[path.stem] = imported - {path.stem}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The circles of the graph: its strongly connected components of more than one module."""
    order: list[str] = []
    seen: set[str] = set()
    for start in graph:                         # post-order by an explicit stack
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(sorted(graph[start])))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                order.append(node)
                stack.pop()
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(sorted(graph[child]))))
    reverse: dict[str, set[str]] = {m: set() for m in graph}
    for module, imported in graph.items():
        for other in imported:
            reverse[other].add(module)
    found, assigned = [], set()
    for root in reversed(order):
        if root in assigned:
            continue
        component, pending = [], [root]
        assigned.add(root)
        while pending:
            node = pending.pop()
            component.append(node)
            for other in reverse[node] - assigned:
                assigned.add(other)
                pending.append(other)
        if len(component) > 1:
            found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_in_a_circle():
    graph = import_graph()
    assert {"expr", "parser", "printing", "latex", "functions", "limits"} <= set(graph)
    assert cycles(graph) == []


def test_the_core_imports_no_printer_and_no_parser():
    graph = import_graph()
    for module in ("expr", "limits", "errors", "functions", "poly"):
        assert not graph[module] & {"parser", "printing", "latex", "formats", "cli"}, module
