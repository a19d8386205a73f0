"""Automatic differentiation on the expression DAG: forward mode, reverse mode, Variables.

The computational graph *is* the expression DAG: its nodes are variables and
operations, its edges the data flow from children to parents.  Both modes use
the same local partial derivatives, taken from the one function table.

Both modes are walks of :func:`symdiff.evaluate.interpret`, the one interpreter of the
DAG.  Forward mode runs it with :class:`Dual` numbers, a (value, tangent) pair per node:
one walk per direction (:func:`jvp`).  Reverse mode runs it over the floats: the values
it returns, in the order of the walk, are the tape; the backward pass then visits the
nodes in *reverse* order and adds each node's adjoint, times the local partial, into
its children's adjoints.  A node used k times therefore receives k contributions, all
before it is itself visited; a recursive backward that re-walks each path would repeat
work and, if it stopped at visited nodes, lose contributions (:func:`vjp`).  Gradients
live in dictionaries beside the graph, never in the nodes, which are immutable.

Overflow is treated as in :mod:`symdiff.evaluate`: a node or a local partial that
overflows goes on with its infinity, the forward pass keeps only steps on it that are
right for every value beyond the range, and a value or derivative that comes out not
finite is an error.  A contribution of zero times such an infinity is zero: the zero
is the underflow of a reciprocal power of the overflowed value (d/dx 1/cosh(x) at
1000 is -cosh(x)^-2 * sinh(x) = -0.0 * inf, and its value 0.0).

The chapter's example, f(x, y) = log(x) + x*y - sin(y) at (2, 5):

>>> x = Variable(2.0, name="x")
>>> y = Variable(5.0, requires_grad=False, name="y")
>>> f = log(x) + x*y - sin(y)
>>> f.backward()
>>> x.grad, y.grad
(5.5, None)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from .errors import DiffError, EvaluationError
from .evaluate import (REAL, Algebra, FloatOverflow, Overflows, compile_overflowing, evaluate,
                       interpret, real_power, real_root)
from .expr import (HALF, Add, Bound, Call, Expr, Mul, Piecewise, Pow, Sym, as_expr, call, expression,
                   postorder, rebuild)
from .functions import cos, exp, log, lookup, sin, sqrt  # sin etc. re-exported for Variables

__all__ = ["Graph", "jvp", "vjp", "Variable", "Traced", "sin", "cos", "log", "exp", "sqrt"]


# ---------------------------------------------------------------- local derivatives

@cache
def _function_partials(fn: str, arity: int) -> tuple[Callable[..., float], ...]:
    """The table's partial derivatives of ``fn``, compiled once to float functions."""
    function = lookup(fn, arity)
    if function is None:
        raise EvaluationError(f"{fn} is an unknown function without a numeric value")
    names = [f"a{i}" for i in range(arity)]
    args = [Sym(n) for n in names]
    return tuple(_compiled_partial(partial, args, names) for partial in function.derivatives)


def _compiled_partial(partial: Callable[..., Expr], args: Sequence[Expr],
                      names: list[str]) -> Callable[..., float]:
    """One partial derivative as a float function; one without a closed form (a Bessel
    function's order) raises its DiffError when it is needed, not before."""
    try:
        derivative = partial(*args)
    except DiffError as error:
        def missing(*values: float, error: DiffError = error) -> float:
            raise error
        return missing
    return compile_overflowing(derivative, names, FloatOverflow)


def local_partials(node: Expr, value: Mapping[Expr, float], needed: Sequence[bool],
                   overflows: Overflows | None = None) -> list[float]:
    """∂node/∂child for each child whose ``needed`` flag is set (others are 0.0).

    These are the edge labels of the computational graph: the same numbers drive
    the forward (tangent) and the backward (adjoint) pass.  A partial that overflows
    is its infinity, noted in ``overflows`` when given.
    """
    overflows = Overflows() if overflows is None else overflows
    children = node.children
    partials = [0.0] * len(children)
    match node:
        case Add():
            return [1.0] * len(children)
        case Mul():
            # product of the other factors, via prefix and suffix products (safe at zeros)
            n = len(children)
            prefix, suffix = [1.0] * (n + 1), [1.0] * (n + 1)
            for i, c in enumerate(children):
                prefix[i + 1] = prefix[i] * value[c]
            for i in range(n - 1, -1, -1):
                suffix[i] = value[children[i]] * suffix[i + 1]
            return [prefix[i] * suffix[i + 1] for i in range(n)]
        case Pow(base, exponent):
            b, e = value[base], value[exponent]
            if needed[0]:                                        # d(b^e)/db = e b^(e-1)
                try:
                    power = real_root(b, -0.5) if exponent is HALF else real_power(b, e - 1)
                except FloatOverflow as error:
                    power = overflows.note(error)
                partials[0] = _times(e, power)
            if needed[1] and b == 0 and e > 0:
                partials[1] = 0.0                                 # 0^e = 0 for every e > 0
            elif needed[1]:
                if b <= 0:
                    raise EvaluationError(f"d({b}^e)/de needs log({b}): the base must be positive")
                partials[1] = value[node] * math.log(b)           # d(b^e)/de = b^e ln b
            return partials
        case Piecewise():
            # 1 by the branch taken (the first whose condition, computed, holds), else 0
            for i in range(0, len(children), 2):
                condition = children[i + 1]
                if condition in value and value[condition] > 0:
                    partials[i] = 1.0
                    break
            return partials
        case Call(fn, args):
            functions = _function_partials(fn, len(args))
            arguments = [value[a] for a in args]
            for i in range(len(args)):
                if needed[i]:
                    try:
                        partials[i] = functions[i](*arguments)
                    except FloatOverflow as error:
                        partials[i] = overflows.note(error)
            return partials
    return partials


def _times(a: float, b: float) -> float:
    """a*b, except that zero times an infinity is zero (see the module docstring)."""
    product = a * b
    if product != product and (a == 0 or b == 0) and (math.isinf(a) or math.isinf(b)):
        return 0.0
    return product


def _settled(overflows: Overflows, value: float, finite_inputs: bool) -> float:
    """A derivative that came out of a pass: itself if finite; else the overflow that caused
    it, or (with finite inputs and no overflow noted) an overflow of its own."""
    overflows.check(value)
    if not math.isfinite(value) and finite_inputs:
        raise EvaluationError("a derivative overflows the float range")
    return value


# ---------------------------------------------------------------- the graph

@dataclass
class Graph:
    """The computational graph of an expression: its distinct nodes in topological order.

    >>> from symdiff import parse
    >>> g = Graph(parse("log(x) + x*y - sin(y)"))
    >>> values = g.forward({"x": 2, "y": 5})
    >>> adjoints = g.backward(values)
    >>> adjoints[Sym("x")], round(adjoints[Sym("y")], 12)
    (5.5, 1.716337814537)
    """

    output: Expr

    def __post_init__(self):
        self.output = expression(self.output, "Graph", "parse")
        self.nodes: list[Expr] = postorder(self.output)
        self.parents: dict[Expr, int] = {}
        for node in self.nodes:
            for child in node.children:
                self.parents[child] = self.parents.get(child, 0) + 1

    def forward(self, point: Mapping[str, float]) -> dict[Expr, float]:
        """The forward pass: every node's value, children first (the tape that
        :meth:`backward` reads in reverse)."""
        overflows = Overflows()
        values = interpret(self.nodes, REAL, point, overflows)
        overflows.check(values[self.output])
        return values

    def active(self, requires_grad: Iterable[str] | None) -> set[Expr]:
        """Nodes that depend on a variable requiring a gradient (the only ones the
        backward pass has to visit)."""
        wanted = None if requires_grad is None else set(requires_grad)
        return {n for n in self.nodes if n.free and (wanted is None or n.free & wanted)}

    def backward(self, values: Mapping[Expr, float], requires_grad: Iterable[str] | None = None,
                 seed: float = 1.0, on_contribution: Callable | None = None) -> dict[Expr, float]:
        """The backward pass: adjoints (∂output/∂node) in reverse topological order."""
        active = self.active(requires_grad)
        adjoint: dict[Expr, float] = {self.output: seed}
        overflows = Overflows()
        for node in reversed(self.nodes):
            if node not in active or not node.children or node not in values:
                continue                    # (a node of a branch not taken has no value)
            bar = adjoint.get(node, 0.0)
            needed = [c in active for c in node.children]
            locals_ = local_partials(node, values, needed, overflows)
            for child, local, need in zip(node.children, locals_, needed):
                if need:
                    contribution = _times(bar, local)
                    adjoint[child] = adjoint.get(child, 0.0) + contribution
                    if on_contribution is not None:
                        on_contribution(child, node, contribution)
        leaves = [n for n in active if type(n) is Sym]
        finite = all(math.isfinite(values[n]) for n in leaves)
        for leaf in leaves:
            _settled(overflows, adjoint.get(leaf, 0.0), finite)
        return adjoint


class Dual(NamedTuple):
    """A number of forward mode: a value and its derivative along one direction."""

    value: float
    tangent: float


def dual_algebra(direction: Mapping[str, float], overflows: Overflows,
                 partial_overflows: Overflows) -> Algebra:
    """Forward mode as an algebra of :func:`symdiff.evaluate.interpret`: each node's
    :class:`Dual` from its children's, the tangent by the chain rule through the node's
    local partials.  A value that overflows is noted in ``overflows`` (the walk's), a
    partial in ``partial_overflows``, and each goes on with its infinity.

    >>> x, y = Sym("x"), Sym("y")
    >>> walk = Overflows()
    >>> interpret(postorder(x * y), dual_algebra({"x": 1.0}, walk, Overflows()), {"x": 2, "y": 3}, walk)[x * y]
    Dual(value=6.0, tangent=3.0)
    """
    def node_dual(node: Expr, dual: Mapping[Expr, Dual], point: Mapping[str, float]) -> Dual:
        value = {child: dual[child].value for child in node.children}
        try:
            own = REAL.node_value(node, value, point)
        except FloatOverflow as error:
            own = overflows.note(error)
        if type(node) is Sym:
            return Dual(own, float(direction.get(node.name, 0.0)))
        tangents = [dual[child].tangent for child in node.children]
        if not any(tangents):
            return Dual(own, 0.0)
        value[node] = own
        needed = [t != 0.0 for t in tangents]
        partials = local_partials(node, value, needed, partial_overflows)
        return Dual(own, sum(_times(p, t) for p, t, n in zip(partials, tangents, needed) if n))

    return Algebra(node_dual, REAL.undefined, lambda d: d.value)


def jvp(expr: Expr, point: Mapping[str, float], direction: Mapping[str, float]) -> tuple[float, float]:
    """Forward mode: the value and the directional derivative along ``direction``.

    >>> x, y = Sym("x"), Sym("y")
    >>> jvp(x*y, {"x": 2, "y": 3}, {"x": 1})
    (6.0, 3.0)
    """
    graph = Graph(expression(expr, "jvp"))
    overflows, partial_overflows = Overflows(), Overflows()
    algebra = dual_algebra(direction, overflows, partial_overflows)
    dual = interpret(graph.nodes, algebra, point, overflows)
    value, tangent = dual[graph.output]
    overflows.check(value)
    inputs = [v.value for n, v in dual.items() if type(n) is Sym] + list(direction.values())
    return value, _settled(partial_overflows, tangent, all(map(math.isfinite, inputs)))


def vjp(expr: Expr, point: Mapping[str, float], requires_grad: Iterable[str] | None = None,
        seed: float = 1.0) -> tuple[float, dict[str, float]]:
    """Reverse mode: the value and the gradient with respect to every variable that
    requires one (default: all), in one backward pass.

    >>> x, y = Sym("x"), Sym("y")
    >>> vjp(log(x) + x*y - sin(y), {"x": 2, "y": 5}, requires_grad=["x"])
    (11.652..., {'x': 5.5})
    """
    graph = Graph(expression(expr, "vjp"))
    values = graph.forward(point)
    wanted = sorted(graph.output.free if requires_grad is None else requires_grad)
    adjoint = graph.backward(values, wanted, seed)
    return values[graph.output], {n: adjoint.get(Sym(n), 0.0) for n in wanted}


# ---------------------------------------------------------------- the chapter's Variable API

_names = (f"v{i}" for i in itertools.count(1))


class Traced:
    """A value computed from Variables: a symbolic expression plus the Variables it reads."""

    __slots__ = ("expr", "variables")

    def __init__(self, expr: Expr, variables: Mapping[str, Variable]):
        self.expr = expr
        self.variables = dict(variables)

    # -- building, with Python operators and the function builders
    @staticmethod
    def _lift(value) -> Traced:
        if isinstance(value, Traced):
            return value
        return Traced(as_expr(value), {})

    @staticmethod
    def _merge(parts: Sequence[Traced]) -> dict[str, Variable]:
        merged: dict[str, Variable] = {}
        for part in parts:
            for name, var in part.variables.items():
                if merged.setdefault(name, var) is not var:
                    raise DiffError(f"two different Variables are named {name}")
        return merged

    def _combine(self, build, *others) -> Traced:
        parts = [self, *map(Traced._lift, others)]
        return Traced(build(*(p.expr for p in parts)), Traced._merge(parts))

    def __symdiff_apply__(self, fn: str, args) -> Traced:
        parts = [Traced._lift(a) for a in args]
        return Traced(call(fn, *(p.expr for p in parts)), Traced._merge(parts))

    def __add__(self, o): return self._combine(lambda a, b: a + b, o)
    def __radd__(self, o): return self._combine(lambda a, b: b + a, o)
    def __sub__(self, o): return self._combine(lambda a, b: a - b, o)
    def __rsub__(self, o): return self._combine(lambda a, b: b - a, o)
    def __mul__(self, o): return self._combine(lambda a, b: a * b, o)
    def __rmul__(self, o): return self._combine(lambda a, b: b * a, o)
    def __truediv__(self, o): return self._combine(lambda a, b: a / b, o)
    def __rtruediv__(self, o): return self._combine(lambda a, b: b / a, o)
    def __pow__(self, o): return self._combine(lambda a, b: a ** b, o)
    def __rpow__(self, o): return self._combine(lambda a, b: b ** a, o)
    def __neg__(self): return Traced(-self.expr, self.variables)

    # -- values and gradients
    @property
    def point(self) -> dict[str, float]:
        return {name: var.value for name, var in self.variables.items()}

    @property
    def value(self) -> float:
        return evaluate(self.expr, self.point)

    def backward(self, seed: float = 1.0) -> None:
        """Reverse mode: add ∂self/∂v to ``v.grad`` for every Variable v that requires it."""
        wanted = [n for n, v in self.variables.items() if v.requires_grad]
        graph = Graph(self.expr)
        adjoint = graph.backward(graph.forward(self.point), wanted, seed)
        for name in wanted:
            var = self.variables[name]
            var.grad = (var.grad or 0.0) + adjoint.get(Sym(name), 0.0)

    def to_expr(self) -> Expr:
        """The symbolic expression (differentiate it with symdiff.diff)."""
        return self.expr

    @classmethod
    def from_expr(cls, expr: Expr, values: Mapping[str, float], requires_grad=True) -> Traced:
        """Back from a symbolic expression: one Variable per free variable."""
        expr = expression(expr, "Traced.from_expr", "parse")
        variables = {n: Variable(values[n], requires_grad=requires_grad, name=n) for n in expr.free}
        return cls(expr, variables)

    def __repr__(self) -> str:
        return f"Traced({self.expr}, value={self.value!r})"


class Variable(Traced):
    """A leaf of the graph with a value, an optional name and ``requires_grad``.

    >>> a = Variable(3.0)
    >>> b = a * a + a
    >>> b.backward()
    >>> a.grad
    7.0
    """

    __slots__ = ("_value", "requires_grad", "grad", "name")

    def __init__(self, value: float, requires_grad: bool = True, name: str | None = None):
        self.name = name or next(_names)
        self._value = float(value)
        self.requires_grad = requires_grad
        self.grad: float | None = None
        super().__init__(Sym(self.name), {self.name: self})

    @property
    def value(self) -> float:
        return self._value

    @value.setter
    def value(self, new: float) -> None:
        self._value = float(new)

    def zero_grad(self) -> None:
        self.grad = None

    def __repr__(self) -> str:
        return f"Variable({self._value!r}, name={self.name!r}, requires_grad={self.requires_grad})"


# ---------------------------------------------------------------- the graph, for people

@dataclass
class NodeRow:
    number: int
    kind: str            # "variable", "operation" or "output"
    formula: str         # the operation on earlier nodes' names, e.g. "log(v1)"
    inputs: list[int]
    value: float
    adjoint: float | None


def node_table(expr: Expr, point: Mapping[str, float], requires_grad=None) -> list[NodeRow]:
    """The chapter's table: variables first, then operations in topological order,
    each with its inputs, forward value and adjoint; numbers appear inline.

    >>> from symdiff import parse
    >>> for row in node_table(parse("log(x) + x*y - sin(y)"), {"x": 2, "y": 5}):
    ...     print(row.number, row.kind, row.formula, row.inputs)
    1 variable x []
    2 variable y []
    3 operation v1*v2 [1, 2]
    4 operation log(v1) [1]
    5 operation sin(v2) [2]
    6 operation -v5 [5]
    7 output v3 + v4 + v6 [3, 4, 6]
    """
    graph = Graph(expression(expr, "node_table", "parse"))
    values = graph.forward(point)
    adjoint = graph.backward(values, requires_grad)
    shown, number = _numbering(graph, values)
    rows = []
    inputs: list[int]
    for node in shown:
        if type(node) is Sym:
            kind, formula, inputs = "variable", node.name, []
        elif not node.children:
            from .printing import to_text
            kind, formula, inputs = "output", to_text(node), []
        else:
            kind = "output" if node is graph.output else "operation"
            named = [Bound(f"v{number[c]}") if c in number else c for c in node.children]
            from .printing import to_text
            formula = to_text(rebuild(node, named))
            inputs = sorted({number[c] for c in node.children if c in number})
        rows.append(NodeRow(number[node], kind, formula, inputs, values[node],
                            adjoint.get(node) if node.free else None))
    return rows


def _numbering(graph: Graph, values: Mapping[Expr, float]) -> tuple[list[Expr], dict[Expr, int]]:
    """Variables first (by name), then operations in topological order; numbers are
    not nodes of their own but appear inline in the operations.  The nodes of a branch not
    taken (which have no value) are not shown."""
    variables = sorted((n for n in graph.nodes if type(n) is Sym and n in values), key=lambda s: s.name)
    shown: list[Expr] = list(variables)
    shown += [n for n in graph.nodes if n.children and n in values]
    if graph.output not in shown:                 # a constant formula: one node, the output
        shown.append(graph.output)
    return shown, {node: i + 1 for i, node in enumerate(shown)}


def format_table(rows: list[NodeRow]) -> str:
    """The node table as aligned text."""
    header = ("node", "kind", "operation", "inputs", "value", "adjoint")
    body = [(f"v{r.number}", r.kind, r.formula, ", ".join(f"v{i}" for i in r.inputs),
             repr(r.value), "" if r.adjoint is None else repr(r.adjoint)) for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths)).rstrip() for b in body]
    return "\n".join(lines)


def to_dot(expr: Expr, point: Mapping[str, float], requires_grad=None) -> str:
    """Graphviz DOT of the DAG: shared nodes drawn once, nodes labelled with value and
    adjoint, edges with the local derivative ∂parent/∂child at the point."""
    graph = Graph(expression(expr, "to_dot", "parse"))
    values = graph.forward(point)
    rows = node_table(graph.output, point, requires_grad)
    shown, number = _numbering(graph, values)
    lines = ["digraph symdiff {", "  rankdir=BT;", '  node [shape=box, fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    styles = {"variable": ", style=rounded", "output": ", peripheries=2", "operation": ""}
    for row in rows:
        adjoint = "" if row.adjoint is None else f"\\nadjoint {row.adjoint:.6g}"
        label = _dot_escape(f"v{row.number} = {row.formula}")
        lines.append(f'  v{row.number} [label="{label}\\nvalue {row.value:.6g}{adjoint}"'
                     f"{styles[row.kind]}];")
    for node in shown:
        if not node.children:
            continue
        needed = [c in number for c in node.children]
        partials = local_partials(node, values, needed)
        for child, local, need in zip(node.children, partials, needed):
            if need:
                lines.append(f'  v{number[child]} -> v{number[node]} [label="{local:.6g}"];')
    lines.append("}")
    return "\n".join(lines)


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
