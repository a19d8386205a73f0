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
            imported.update(n for n in named_modules(node) if n in modules)
        graph[path.stem] = imported - {path.stem}
    return graph


def named_modules(node: ast.AST) -> list[str]:
    """The names of the package's modules an import may name: ``from .m import``,
    ``from . import m``, and spelt in full, ``from symdiff.m import``, ``from symdiff import m``
    and ``import symdiff.m``."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[1] for alias in node.names if alias.name.startswith("symdiff.")]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level == 1:
        path = node.module
    elif node.level == 0 and node.module and f"{node.module}.".startswith("symdiff."):
        path = node.module.removeprefix("symdiff").lstrip(".")
    else:
        return []
    return [path.split(".")[0]] if path else [alias.name for alias in node.names]


def test_imports_spelt_in_full_count_too():
    found = [named_modules(ast.parse(line).body[0])
             for line in ("from .parser import parse", "from . import diff as d", "import symdiff.parser",
                          "from symdiff.parser import parse", "from symdiff import parser", "import os")]
    assert found == [["parser"], ["diff"], ["parser"], ["parser"], ["parser"], []]


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


# Modules that are a public surface for text: the API, the command line's request -> result
# library (pipeline) and its calculus questions (answers), the graph subcommand, the command
# line and its arguments; and the parser itself.  Every other module takes expressions.
READS_TEXT = {"api", "pipeline", "answers", "graph", "arguments", "cli", "__init__", "__main__", "parser"}


def test_only_the_public_surfaces_read_text():
    graph = import_graph()
    assert READS_TEXT <= set(graph)
    readers = {module for module, imported in graph.items() if "parser" in imported}
    assert readers <= READS_TEXT, f"stage modules that import the parser: {sorted(readers - READS_TEXT)}"
