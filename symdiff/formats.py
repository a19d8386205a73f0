"""Results as data for other programs: an indented tree, JSON, Python source, MathML.

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
from fractions import Fraction
from typing import Sequence

from .expr import Add, Call, Const, Expr, Mul, Num, Pow, Sym, postorder
from .printing import Prec, Printer, split_fraction, to_text

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
    nodes = []
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


def to_json(formula: str, expr: Expr, results: Sequence[tuple[str, int, Expr]],
            warnings: Sequence[str] = (), values: Sequence[float | None] | None = None) -> str:
    """The documented JSON document (docs/reference/json.md) for one run."""
    from .latex import to_latex
    document = {
        "schema": JSON_SCHEMA_VERSION,
        "input": formula,
        "expression": {"text": to_text(expr), "latex": to_latex(expr), "tree": tree_data(expr)},
        "derivatives": [
            {"wrt": name, "order": order, "text": to_text(result), "latex": to_latex(result),
             "tree": tree_data(result),
             **({"value": values[i]} if values is not None else {})}
            for i, (name, order, result) in enumerate(results)],
        "warnings": list(warnings),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- Python source

_PYTHON_FUNCTIONS = {
    "sin": "math.sin", "cos": "math.cos", "tan": "math.tan", "asin": "math.asin",
    "acos": "math.acos", "atan": "math.atan", "sinh": "math.sinh", "cosh": "math.cosh",
    "tanh": "math.tanh", "asinh": "math.asinh", "acosh": "math.acosh", "atanh": "math.atanh",
    "exp": "math.exp", "log": "math.log", "log2": "math.log2", "log10": "math.log10",
    "cbrt": "math.cbrt", "abs": "abs",
}
_PYTHON_HELPERS = {
    "cot": "1 / math.tan({})", "sec": "1 / math.cos({})", "csc": "1 / math.sin({})",
    "coth": "1 / math.tanh({})", "sech": "1 / math.cosh({})", "csch": "1 / math.sinh({})",
    "acot": "(math.pi / 2 if {0} == 0 else math.atan(1 / {0}))",
    "asec": "math.acos(1 / {})", "acsc": "math.asin(1 / {})",
    "sign": "float(({0} > 0) - ({0} < 0))",
}


def to_python(expr: Expr, variables: Sequence[str] | None = None, name: str = "derivative") -> str:
    """Source of an importable Python function computing ``expr``; every shared
    subexpression is one local variable.

    >>> from symdiff import parse
    >>> print(to_python(parse("sin(x)^2 + sin(x)")))
    import math
    <BLANKLINE>
    <BLANKLINE>
    def derivative(x):
        \"\"\"sin(x)^2 + sin(x)\"\"\"
        t1 = math.sin(x)
        return t1**2 + t1
    <BLANKLINE>
    """
    names = sorted(expr.free) if variables is None else list(variables)
    missing = expr.free - set(names)
    if missing:
        raise ValueError(f"no argument for {', '.join(sorted(missing))}")
    arguments = {n: (n if n.isidentifier() and not _keyword(n) else f"{n}_") for n in names}
    uses: dict[Expr, int] = {}
    order = postorder(expr)
    for node in order:
        for child in node.children:
            uses[child] = uses.get(child, 0) + 1
    code: dict[Expr, tuple[str, int]] = {}
    body: list[str] = []
    for node in order:
        text, level = _python(node, code, arguments)
        if uses.get(node, 0) > 1 and node.children:
            local = f"t{len(body) + 1}"
            body.append(f"    {local} = {text}")
            text, level = local, ATOM
        code[node] = (text, level)
    signature = ", ".join(arguments[n] for n in names)
    doc = to_text(expr).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return ("import math\n\n\n"
            f"def {name}({signature}):\n"
            f'    """{doc}"""\n'
            + "".join(line + "\n" for line in body)
            + f"    return {code[expr][0]}\n")


def _keyword(name: str) -> bool:
    import keyword
    return keyword.iskeyword(name) or name in {"math"}


SUM, PRODUCT, POWER, ATOM = 1, 2, 3, 4      # Python's own precedence, loosest first


def _python(node: Expr, code: dict, arguments: dict) -> tuple[str, int]:
    """Python text for one node and its precedence level."""
    def at(child: Expr, level: int) -> str:
        text, own = code[child]
        return text if own >= level else f"({text})"

    match node:
        case Num(v):
            if isinstance(v, Fraction):
                return f"{v.numerator}/{v.denominator}", PRODUCT
            return (repr(float(v)) if isinstance(v, float) else repr(v)), ATOM if v >= 0 else PRODUCT
        case Const(name):
            return f"math.{name}", ATOM
        case Sym(name):
            return arguments[name], ATOM
        case Add(terms):
            return " + ".join(at(t, SUM) for t in terms), SUM
        case Mul(factors):
            return " * ".join(at(f, POWER) for f in factors), PRODUCT
        case Pow(base, Num(v)) if type(v) is Fraction and v.denominator == 2:
            # a square root and its powers through math.sqrt, which stays real: a negative
            # base raises ValueError where x**(3/2) would give a complex number
            root, n = f"math.sqrt({at(base, SUM)})", v.numerator
            if n == 1:
                return root, ATOM
            return (f"{root}**{n}" if n > 0 else f"{root}**({n})"), POWER
        case Pow(base, exp):
            return f"{at(base, ATOM)}**{at(exp, ATOM)}", POWER
        case Call(fn, args):
            inner = [at(a, SUM) for a in args]
            if fn == "log" and len(args) == 2:
                return f"math.log({inner[0]}, {inner[1]})", ATOM
            if fn in _PYTHON_FUNCTIONS:
                return f"{_PYTHON_FUNCTIONS[fn]}({', '.join(inner)})", ATOM
            if fn in _PYTHON_HELPERS:
                return "(" + _PYTHON_HELPERS[fn].format(at(args[0], ATOM)) + ")", ATOM
            raise ValueError(f"{fn} has no numeric value to write as Python")
    raise TypeError(node)


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
        return Prec.ATOM, ["<mi>&#x3C0;</mi>" if e.name == "pi" else "<mi>e</mi>"]

    def _print_Sym(self, e: Sym):
        base, _, sub = e.name.partition("_")
        from .expr import GREEK
        greek = {v: k for k, v in GREEK.items() if k != "ς"}
        base = greek.get(base, base)
        if sub:
            return Prec.ATOM, [f"<msub><mi>{base}</mi><mi>{sub}</mi></msub>"]
        return Prec.ATOM, [f"<mi>{base}</mi>"]

    def _print_Call(self, e: Call):
        if e.fn == "cbrt":
            return Prec.ATOM, ["<mroot><mrow>", (e.args[0], Prec.SUM), "</mrow><mn>3</mn></mroot>"]
        if e.fn == "abs":
            return Prec.ATOM, ["<mrow><mo>|</mo>", (e.args[0], Prec.SUM), "<mo>|</mo></mrow>"]
        if e.fn == "exp":
            return Prec.POWER, ["<msup><mi>e</mi><mrow>", (e.args[0], Prec.SUM), "</mrow></msup>"]
        name = "ln" if e.fn == "log" and len(e.args) == 1 else e.fn
        head = f"<mi>{name}</mi>"
        if e.fn == "log" and len(e.args) == 2:
            head = ["<msub><mi>log</mi><mrow>", (e.args[1], Prec.SUM), "</mrow></msub>"]
            args = e.args[:1]
        else:
            head, args = [head], e.args
        return Prec.ATOM, ["<mrow>", *head, "<mo>&#x2061;</mo><mo>(</mo>", *self.arguments(args),
                           "<mo>)</mo></mrow>"]

    def _print_Pow(self, e: Pow):
        if type(e.exp) is Num and e.exp.value < 0:
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
