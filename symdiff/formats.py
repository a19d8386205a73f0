"""Results as data for other programs: an indented tree, JSON, code (Python, NumPy, JAX,
PyTorch, C: written by :mod:`symdiff.codegen`), MathML.

>>> from symdiff import parse
>>> print(to_tree(parse("sin(x)*sin(x) + x")))
Add
├── Sym x
└── Mul
    ├── Call sin  [shared #1]
    │   └── Sym x
    └── Call sin  (#1, see above)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from .codegen import CODE_NAMES, RESERVED, python_name, to_code, to_python  # noqa: F401 (re-exported)
from .errors import CodegenError, UsageError  # noqa: F401 (re-exported)
from .expr import Call, Const, Derivative, Expr, Mul, Num, Piecewise, Pow, Sym, postorder
from .functions import CONDITIONS, lookup, partial_slots
from .printing import (Derivatives, Prec, Printer, derivative_label,
                       reads_as_reciprocal, split_fraction, to_text)

JSON_SCHEMA_VERSION = 1


# ---------------------------------------------------------------- tree

def _label(node: Expr) -> str:
    match node:
        case Num(v):
            return f"Num {to_text(node)}" + (" (decimal)" if isinstance(v, float) else "")
        case Const(name) | Sym(name):
            return f"{type(node).__name__} {name}"
        case Call(fn):
            return f"Call {fn}"
    return type(node).__name__


def to_tree(expr: Expr) -> str:
    """An indented drawing of the DAG; a node used more than once is drawn in full the
    first time, marked ``[shared #k]``, and referred to as ``(#k, see above)`` after."""
    uses: dict[Expr, int] = {}
    for node in postorder(expr):
        for child in node.children:
            uses[child] = uses.get(child, 0) + 1
    numbers: dict[Expr, int] = {}
    lines: list[str] = []
    stack: list[tuple[Expr, str, str]] = [(expr, "", "")]
    while stack:
        node, lead, indent = stack.pop()
        if node in numbers:
            lines.append(f"{lead}{_label(node)}  (#{numbers[node]}, see above)")
            continue
        text = _label(node)
        if uses.get(node, 0) > 1 and node.children:
            numbers[node] = len(numbers) + 1
            text += f"  [shared #{numbers[node]}]"
        lines.append(lead + text)
        children = node.children
        for i in range(len(children) - 1, -1, -1):
            last = i == len(children) - 1
            stack.append((children[i], indent + ("└── " if last else "├── "),
                          indent + ("    " if last else "│   ")))
    return "\n".join(lines)


# ---------------------------------------------------------------- JSON

def tree_data(expr: Expr) -> dict:
    """The DAG as JSON-ready data: a list of nodes, children by index, root last.

    >>> from symdiff import parse
    >>> tree_data(parse("2*x"))["nodes"]
    [{'type': 'Num', 'value': '2'}, {'type': 'Sym', 'name': 'x'}, {'type': 'Mul', 'args': [0, 1]}]
    """
    index: dict[Expr, int] = {}
    nodes: list[dict[str, object]] = []
    item: dict[str, object]
    for node in postorder(expr):
        match node:
            case Num(v):
                item = {"type": "Num", "value": str(v) if not isinstance(v, float) else repr(v)}
            case Const(name) | Sym(name):
                item = {"type": type(node).__name__, "name": name}
            case Call(fn, args):
                item = {"type": "Call", "fn": fn, "args": [index[a] for a in args]}
            case _:
                item = {"type": type(node).__name__, "args": [index[c] for c in node.children]}
        index[node] = len(nodes)
        nodes.append(item)
    return {"nodes": nodes, "root": index[expr]}


def _exact_of(value: Expr | None) -> dict:
    """The ``exact`` member of a derivative in JSON, where it has an exact value."""
    from .latex import to_latex
    return {} if value is None else {"exact": {"text": to_text(value), "latex": to_latex(value)}}


def to_json(formula: str, expr: Expr, results: Sequence[tuple[str, int | str, Expr]],
            warnings: Sequence[str] = (), values: Sequence[float | None] | None = None,
            exact: Sequence[Expr | None] | None = None, precise: Sequence[str] | None = None) -> str:
    """The documented JSON document (docs/reference/json.md) for one run."""
    from .latex import to_latex
    document = {
        "schema": JSON_SCHEMA_VERSION,
        "input": formula,
        "expression": {"text": to_text(expr), "latex": to_latex(expr), "tree": tree_data(expr)},
        "derivatives": [
            {"wrt": name, "order": order, "text": to_text(result), "latex": to_latex(result),
             "tree": tree_data(result),
             **({"value": values[i]} if values is not None else {}),
             **_exact_of(exact[i] if exact is not None else None),
             **({"digits": precise[i]} if precise is not None else {})}
            for i, (name, order, result) in enumerate(results)],
        "warnings": list(warnings),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- MathML

class MathMLPrinter(Printer):
    """Presentation MathML, for web pages."""

    open_paren, close_paren = "<mo>(</mo>", "<mo>)</mo>"
    plus, minus, comma = "<mo>+</mo>", "<mo>-</mo>", "<mo>,</mo>"

    def _print_Num(self, e: Num):
        v = e.value
        if isinstance(v, Fraction):
            sign = "<mo>-</mo>" if v < 0 else ""
            return Prec.PRODUCT, [f"{sign}<mfrac><mn>{abs(v.numerator)}</mn><mn>{v.denominator}</mn></mfrac>"]
        text = repr(v) if isinstance(v, float) else str(abs(v))
        if v < 0:
            return Prec.PRODUCT, [f"<mo>-</mo><mn>{text.lstrip('-')}</mn>"]
        return Prec.ATOM, [f"<mn>{text}</mn>"]

    def _print_Const(self, e: Const):
        return Prec.ATOM, [{"pi": "<mi>&#x3C0;</mi>", "e": "<mi>e</mi>", "I": "<mi>i</mi>"}[e.name]]

    def _print_Sym(self, e: Sym):
        base, _, sub = e.name.partition("_")
        from .expr import GREEK
        greek = {v: k for k, v in GREEK.items() if k != "ς"}
        base = greek.get(base, base)
        if sub:
            return Prec.ATOM, [f"<msub><mi>{base}</mi><mi>{sub}</mi></msub>"]
        return Prec.ATOM, [f"<mi>{base}</mi>"]

    def _print_Derivative(self, e: Derivative):
        """A derivative not yet worked out (the steps): d/dx as a fraction, then (u)."""
        return Prec.ATOM, [f"<mrow><mfrac><mi>d</mi><mrow><mi>d</mi><mi>{e.wrt}</mi></mrow></mfrac>"
                           "<mo>(</mo>", (e.of, Prec.SUM), "<mo>)</mo></mrow>"]

    def _print_Call(self, e: Call):
        function = lookup(e.fn, len(e.args))
        base, slots = partial_slots(e.fn)
        if function is None and slots:           # D[1,1,2](f): ∂₁² ∂₂ f
            return self.applied([*(f"<msub><mo>&#x2202;</mo><mn>{slot}</mn></msub>" if n == 1 else
                                   f"<msubsup><mo>&#x2202;</mo><mn>{slot}</mn><mn>{n}</mn></msubsup>"
                                   for slot, n in sorted(Counter(slots).items())),
                                 f"<mi>{base}</mi>"], e.args)
        shown = (function.mathml if function is not None else "") or e.fn
        if "{}" in shown:                        # a template: e^u, |u|, the cube root
            before, after = shown.split("{}", 1)
            level = Prec.POWER if before.startswith("<msup>") else Prec.ATOM
            return level, [before, (e.args[0], Prec.SUM), after]
        return self.applied([f"<mi>{shown}</mi>"], e.args)

    always = "<mtext>otherwise</mtext>"

    def condition_symbol(self, fn: str) -> str:
        symbol = CONDITIONS[fn].mathml
        return symbol if symbol.startswith("<") else f"<mo>{symbol}</mo>"

    def _print_Piecewise(self, e: Piecewise):
        """A brace and a table of the branches: value, then condition, in each row."""
        parts: list = ['<mrow><mo>{</mo><mtable columnalign="left">']
        for value, condition in e.branches:
            parts += ["<mtr><mtd>", (value, Prec.SUM), "</mtd><mtd>", *self.condition(condition),
                      "</mtd></mtr>"]
        return Prec.SUM, [*parts, "</mtable></mrow>"]

    def _print_call_log(self, e: Call):
        if len(e.args) != 2:
            return self._print_Call(e)
        value, base = e.args                           # log(u, b): the base as a subscript
        return self.applied(["<msub><mi>log</mi><mrow>", (base, Prec.SUM), "</mrow></msub>"], (value,))

    def _print_order_subscript(self, e: Call):
        """A Bessel function with its order as a subscript: J_n(x)."""
        order, argument = e.args
        shown = lookup(e.fn, 2).mathml  # type: ignore[union-attr]  # a row of the table
        return self.applied([f"<msub><mi>{shown}</mi><mrow>", (order, Prec.SUM), "</mrow></msub>"],
                            (argument,))

    _print_call_besselj = _print_call_bessely = _print_order_subscript
    _print_call_besseli = _print_call_besselk = _print_order_subscript

    def _print_call_factorial(self, e: Call):
        """n!."""
        return Prec.POWER, ["<mrow>", (e.args[0], Prec.ATOM), "<mo>!</mo></mrow>"]

    def _print_call_polygamma(self, e: Call):
        """psi^(n)(x)."""
        order, argument = e.args
        return self.applied(["<msup><mi>&#x3C8;</mi><mrow><mo>(</mo>", (order, Prec.SUM),
                             "<mo>)</mo></mrow></msup>"], (argument,))

    def applied(self, head: list, args: tuple[Expr, ...]):
        """The function ``head`` applied to ``args``: head, function application, (args)."""
        return Prec.ATOM, ["<mrow>", *head, "<mo>&#x2061;</mo><mo>(</mo>", *self.arguments(args),
                           "<mo>)</mo></mrow>"]

    def _print_Pow(self, e: Pow):
        if reads_as_reciprocal(e):
            return self._quotient((e,))
        if type(e.exp) is Num and e.exp.value == Fraction(1, 2):     # as in LaTeX
            return Prec.ATOM, ["<msqrt>", (e.base, Prec.SUM), "</msqrt>"]
        return Prec.POWER, ["<msup><mrow>", (e.base, Prec.POWER + 1), "</mrow><mrow>",
                            (e.exp, Prec.SUM), "</mrow></msup>"]

    def _print_Mul(self, e: Mul):
        return self._quotient(e.factors)

    def _row(self, factors: list[Expr]) -> list:
        parts: list = ["<mrow>"]
        for i, f in enumerate(factors):
            if i:
                parts.append("<mo>&#x2062;</mo>")          # invisible times
            parts.append((f, Prec.POWER))
        return parts + ["</mrow>"]

    def _quotient(self, factors):
        negative, above, below = split_fraction(factors)
        sign = ["<mo>-</mo>"] if negative else []
        if not below:
            return (Prec.PRODUCT if len(above) > 1 or negative else Prec.POWER), \
                   ["<mrow>", *sign, *self._row(above), "</mrow>"]
        return (Prec.PRODUCT if negative else Prec.ATOM), \
               ["<mrow>", *sign, "<mfrac>", *self._row(above), *self._row(below), "</mfrac></mrow>"]

    def group(self, parts: list) -> list:
        return ["<mrow>", *parts, "</mrow>"]


def to_mathml(expr: Expr, display: bool = False) -> str:
    """Presentation MathML in a ``<math>`` element.

    >>> from symdiff import parse
    >>> to_mathml(parse("x^2"))
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><msup><mrow><mi>x</mi></mrow><mrow><mn>2</mn></mrow></msup></math>'
    """
    mode = ' display="block"' if display else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}>' + MathMLPrinter().doprint(expr) + "</math>"


# ---------------------------------------------------------------- results for the command line

def render_json(outcome: Derivatives, one_line: bool = False) -> str:
    """The JSON document of :func:`to_json` for a computed result; ``one_line`` writes it on
    one line."""
    text = to_json(outcome.formula, outcome.expr,
                   [(n, outcome.order, r) for n, r in zip(outcome.names, outcome.results)],
                   outcome.warnings, outcome.values, getattr(outcome, "exact", None),
                   getattr(outcome, "precise", None))
    return json.dumps(json.loads(text), ensure_ascii=False) if one_line else text


def render_tree(outcome: Derivatives, one_line: bool = False) -> str:
    """The drawing of :func:`to_tree` for each derivative, labelled when there are several."""
    if one_line:
        raise UsageError("--format tree draws several lines; it does not combine with stdin mode")
    parts = []
    for name, result in zip(outcome.names, outcome.results):
        drawing = to_tree(result)
        parts.append(drawing if len(outcome.names) == 1 else f"{derivative_label(name, outcome.order)}:\n{drawing}")
    return "\n".join(parts)


def render_code(outcome: Derivatives, backend: str, one_line: bool = False) -> str:
    """One function of :func:`to_code` in ``backend``: ``derivative`` for one derivative,
    ``gradient`` (or ``derivatives`` for higher orders) for several, sharing their work."""
    if one_line:
        raise UsageError(f"--format {backend} writes a module; it does not combine with stdin mode")
    variables = sorted(outcome.expr.free)
    if len(outcome.names) == 1:
        return to_code(outcome.results[0], variables, backend).rstrip("\n")
    name = "gradient" if outcome.order == 1 else "derivatives"
    return to_code(list(outcome.results), variables, backend, name).rstrip("\n")


def render_numpy(outcome: Derivatives, one_line: bool = False) -> str:
    """:func:`render_code` for NumPy."""
    return render_code(outcome, "numpy", one_line)


def render_jax(outcome: Derivatives, one_line: bool = False) -> str:
    """:func:`render_code` for JAX."""
    return render_code(outcome, "jax", one_line)


def render_torch(outcome: Derivatives, one_line: bool = False) -> str:
    """:func:`render_code` for PyTorch."""
    return render_code(outcome, "torch", one_line)


def render_c(outcome: Derivatives, one_line: bool = False) -> str:
    """:func:`render_code` for C99."""
    return render_code(outcome, "c", one_line)


def render_python(outcome: Derivatives, one_line: bool = False) -> str:
    """:func:`render_code` for Python with ``math``."""
    return render_code(outcome, "python", one_line)


def render_mathml(outcome: Derivatives, one_line: bool = False) -> str:
    """A ``<math>`` element for each derivative (``display="block"`` unless ``one_line``)."""
    return ("" if one_line else "\n").join(to_mathml(r, display=not one_line) for r in outcome.results)
