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

import cmath
import itertools
import json
import keyword
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

from .errors import CodegenError, UsageError
from .evaluate import Algebra, Overflows, branch_only, interpret
from .expr import (ONE, Add, Call, Const, Derivative, Expr, I, Mul, Num, Piecewise, Pow, Sym, expression,
                   has_imaginary, postorder, spell)
from .functions import CONDITIONS, lookup, partial_slots
from .printing import (Derivatives, Prec, Printer, coefficient_parts, derivative_label,
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


def to_json(formula: str, expr: Expr, results: Sequence[tuple[str, int | str, Expr]],
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
#
# Names in the generated code (the hygiene rules):
#
# * The code refers to outside names only from CODE_NAMES: the modules ``math`` and
#   ``mpmath`` (imported only when a special function needs it) and the builtins ``abs``,
#   ``float``, ``min`` and ``max``.  They are never rebound: a variable, the function's
#   name or a temporary can never be one of them.
# * A variable keeps its own name as the parameter name unless that name, stripped of
#   trailing underscores, is a Python keyword or a code name; then one underscore is
#   appended (``python_name``).  ``lambda`` becomes ``lambda_``, and ``lambda_`` becomes
#   ``lambda__``, so no two variables share a parameter (the map is injective), and no
#   parameter is a keyword or a code name.  Soft keywords (``match``, ``case``, ``type``,
#   ``_``) and other builtins are legal parameter names that the code never reads, so they
#   stay as they are.
# * Temporaries, for shared subexpressions and to keep nesting within what Python's
#   compiler takes, are ``t1``, ``t2``, ... in order, skipping any name a parameter has
#   (as ``printing.cse`` skips the formula's variables).
# * ``name=`` must be an identifier as Python keeps it (NFKC), not a keyword, not a code
#   name and not a dunder such as ``__builtins__``; ``variables=`` entries must be
#   strings naming variables (what ``Sym`` accepts; Greek letters are spelled, θ is
#   theta) with no name twice.  Anything else raises CodegenError before any source is
#   written.

CODE_NAMES = frozenset({"math", "cmath", "mpmath", "abs", "float", "min", "max"})   # every outside name the code reads
RESERVED = frozenset(keyword.kwlist) | CODE_NAMES


def python_name(name: str) -> str:
    """The parameter name a variable gets in generated Python: its own, or with one ``_``
    appended when the name without its trailing underscores is reserved.  Injective.

    >>> python_name("x"), python_name("lambda"), python_name("lambda_"), python_name("math")
    ('x', 'lambda_', 'lambda__', 'math_')
    """
    return name + "_" if name.rstrip("_") in RESERVED else name


def _shown(value: object) -> str:
    """``repr`` for a message, cut short: a hostile argument may be a megabyte long."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _function_name(name: object) -> str:
    if not isinstance(name, str):
        raise CodegenError(f"the function name must be a string, not {type(name).__name__}")
    if not name.isidentifier():
        raise CodegenError(f"the function name must be a Python identifier, not {_shown(name)}")
    if unicodedata.normalize("NFKC", name) != name:
        raise CodegenError(f"the function name {_shown(name)} is not one Python keeps as "
                           f"written (it reads it as {_shown(unicodedata.normalize('NFKC', name))})")
    if keyword.iskeyword(name):
        raise CodegenError(f"the function name cannot be the Python keyword {name!r}")
    if name in CODE_NAMES:
        raise CodegenError(f"the function name cannot be {name!r}: the generated code uses "
                           f"{', '.join(sorted(CODE_NAMES))}")
    if len(name) > 4 and name.startswith("__") and name.endswith("__"):
        raise CodegenError(f"the function name cannot be {_shown(name)}: names like __x__ "
                           f"belong to Python (__builtins__, __name__, ...)")
    return name


def _variable_names(expr: Expr, variables: object) -> list[str]:
    if variables is None:
        return sorted(expr.free)
    if isinstance(variables, (str, bytes)) or not isinstance(variables, Iterable):
        raise CodegenError(f"variables must be a list of names, not {type(variables).__name__} "
                           f"{_shown(variables)}")
    names: dict[str, None] = {}
    for given in variables:
        if not isinstance(given, str):
            raise CodegenError(f"variables must be strings naming variables; got "
                               f"{type(given).__name__} {_shown(given)}")
        name = spell(given)
        if not name.isidentifier() or not name.isascii():
            raise CodegenError(f"{_shown(given)} in variables is not a variable name "
                               f"(an identifier)")
        if name in names:
            raise CodegenError(f"{name} is named twice in variables")
        names[name] = None
    missing = expr.free - names.keys()
    if missing:
        raise CodegenError(f"no argument for {', '.join(sorted(missing))}")
    return list(names)


def to_python(expr: Expr, variables: Sequence[str] | None = None,
              name: str = "derivative") -> str:
    """Source of an importable Python function computing ``expr``; every shared
    subexpression is one local variable.  The arguments are ``variables`` (default: the
    free variables, sorted), named as ``python_name`` says.

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
    >>> print(to_python(parse("t1*sin(x)^2 - lambda/sin(x)"), name="f").split("\\n", 3)[3])
    def f(lambda_, t1, x):
        \"\"\"t1*sin(x)^2 - lambda/sin(x)\"\"\"
        t2 = math.sin(x)
        return t1 * t2**2 - lambda_ / t2
    <BLANKLINE>
    """
    expr = expression(expr, "to_python", "parse")
    name = _function_name(name)
    names = _variable_names(expr, variables)
    writer = _PythonWriter(expr, {n: python_name(n) for n in names})
    result = writer.write()
    doc = to_text(expr).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return (f"{writer.imports}\n\n"
            f"def {name}({', '.join(writer.arguments[n] for n in names)}):\n"
            f'    """{doc}"""\n'
            + "".join(line + "\n" for line in writer.lines)
            + f"    return {result}\n")


SUM, PRODUCT, POWER, ATOM = 1, 2, 3, 4      # Python's own precedence, loosest first
# (a leading minus counts as PRODUCT: -a*b is (-a)*b, the same number as -(a*b))

# How deep a line may nest (operators, calls, parentheses) before a part of it is bound to
# a temporary: CPython refuses more than 200 nested parentheses, and its compiler recurses
# once per operator of a long sum.
DEPTH_LIMIT = 100

# The code for each function is its row's ``python`` column (symdiff.functions): a template
# in which {a}, {b} are the arguments where any expression fits and {p} the first one as an
# operand of / (parenthesized unless it binds as tightly as **).  A template that reads its
# argument twice gets it as a name (see _PythonWriter.uses).
_BINDS = {"atom": ATOM, "product": PRODUCT}


def _python_code(node: Call) -> str | None:
    function = lookup(node.fn, len(node.args))
    return None if function is None else function.python


class _Code(NamedTuple):
    """Python text for a node: its precedence level, how deeply it nests, and, when it
    starts with a minus, the text without it (so a sum can write ``a - b``)."""

    text: str
    level: int
    depth: int = 0
    negated: _Code | None = None


class _PythonWriter:
    """One post-order walk writing each node once; shared nodes become temporaries."""

    def __init__(self, expr: Expr, arguments: dict[str, str]) -> None:
        self.expr = expr
        self.arguments = arguments
        self.lines: list[str] = []
        taken = set(arguments.values())
        self._temporaries = (t for t in (f"t{i}" for i in itertools.count(1)) if t not in taken)
        self.order = postorder(expr)
        self.uses: dict[Expr, int] = {}
        for node in self.order:
            for child in node.children:
                self.uses[child] = self.uses.get(child, 0) + 1
            if type(node) is Call and (_python_code(node) or "").count("{") > len(node.args):
                self.uses[node.args[0]] = self.uses.get(node.args[0], 0) + 1
        self.complex = has_imaginary(expr)      # complex arithmetic: cmath's functions
        self.imports = "import math\n"
        self.code: Mapping[Expr, _Code] = {}
        self.bound: set[Expr] = set()
        self.in_branches = branch_only(self.order)

    def write(self) -> str:
        """Fill ``lines`` with the temporaries; return the text of the result."""
        # the source-code algebra of evaluate.interpret: a node's value is its code; writing
        # code raises nothing, so no error is "undefined" and no real part is asked for
        self.code = interpret(self.order, Algebra(self.step, (), float, False), self.arguments, Overflows())
        result = self.code[self.expr].text
        # the modules the code uses: special functions math lacks (Bessel, digamma, ...) are
        # mpmath's, and complex values take cmath's functions
        written = "\n".join([*self.lines, result])
        self.imports = "".join(f"import {module}\n" for module in ("cmath", "math", "mpmath")
                               if module == "math" or re.search(rf"(?<![\w.]){module}\.", written))
        return result

    def step(self, node: Expr, code: Mapping[Expr, _Code], arguments: Mapping[str, str]) -> _Code:
        """The code of ``node``, given its children's; a shared or deeply nested node is
        bound to a temporary."""
        self.code = code
        written = self.node(node)
        # a node that only branches of a piecewise node need stays in its branch, written
        # out, so that a branch not taken is not computed
        if node.children and node not in self.in_branches and (
                self.uses.get(node, 0) > 1 or written.depth >= DEPTH_LIMIT):
            written = self.bind(written)
            self.bound.add(node)
        return written

    def bind(self, code: _Code) -> _Code:
        local = next(self._temporaries)
        self.lines.append(f"    {local} = {code.text}")
        return _Code(local, ATOM)

    @staticmethod
    def at(code: _Code, level: int) -> _Code:
        """The code, in parentheses if it binds more loosely than ``level``."""
        return code if code.level >= level else _Code(f"({code.text})", ATOM, code.depth + 1)

    def chain(self, operands: list[_Code], operators: str | list[str], level: int) -> _Code:
        """``a op b op c ...`` left to right (``operators``: one for all, or one per join);
        a chain too deep for Python's compiler is cut, its head bound to a temporary."""
        if isinstance(operators, str):
            operators = [operators] * (len(operands) - 1)
        text, depth = operands[0].text, operands[0].depth
        for operator, operand in zip(operators, operands[1:]):
            if depth >= DEPTH_LIMIT:
                text, depth = self.bind(_Code(text, level)).text, 0
            text, depth = f"{text}{operator}{operand.text}", max(depth, operand.depth) + 1
        return _Code(text, level, depth)

    def node(self, node: Expr) -> _Code:
        match node:
            case Num(v):
                return self.number(v)
            case Const(name):
                return _Code("1j" if node is I else f"math.{name}", ATOM)
            case Sym(name) if name in self.arguments:
                return _Code(self.arguments[name], ATOM)
            case Sym(name):
                raise CodegenError(f"no argument for {name}")
            case Add(terms):
                return self.sum(terms)
            case Mul(factors):
                return self.product(factors)
            case Pow(base, Num(v)) if v < 0:
                return self.chain([_Code("1", ATOM), self.at(self.power(base, -v), POWER)],
                                  " / ", PRODUCT)
            case Pow(base, Num(v)):
                return self.power(base, v)
            case Pow(base, exp):
                return self.chain([self.at(self.code[base], ATOM), self.at(self.code[exp], ATOM)],
                                  "**", POWER)
            case Piecewise():
                return self.piecewise(node)
            case Call(fn, args):
                return self.call(fn, args)
        raise TypeError(node)

    def piecewise(self, node: Piecewise) -> _Code:
        """``(a if c else b if d else math.nan)``: Python's conditional expression, which
        computes only the branch taken; NaN where no condition holds."""
        parts, depth = [], 0
        for value, condition in node.branches:
            code = self.code[value]
            depth = max(depth, code.depth)
            if condition is ONE:
                parts.append(code.text)
                break
            parts.append(f"{code.text} if {self.code[condition].text} else ")
            depth = max(depth, self.code[condition].depth)
        else:
            parts.append("math.nan")
        return _Code("(" + "".join(parts) + ")", ATOM, depth + len(parts))

    @staticmethod
    def number(v) -> _Code:
        if isinstance(v, Fraction):
            text, level = f"{v.numerator}/{v.denominator}", PRODUCT
        else:
            text = repr(float(v)) if isinstance(v, float) else repr(v)
            level = ATOM
        if text.startswith("-"):
            return _Code(text, PRODUCT, 1, _PythonWriter.number(-v))
        return _Code(text, level, 1 if level == PRODUCT else 0)

    def power(self, base: Expr, v) -> _Code:
        """``base`` to the positive number ``v``; a half-integer power through math.sqrt,
        which stays real: a negative base raises ValueError where x**(3/2) would give a
        complex number."""
        if v == 1 and type(v) is int:
            return self.code[base]
        if type(v) is Fraction and v.denominator == 2:
            root = self.call_text("math.sqrt", [self.code[base]])
            return root if v.numerator == 1 else \
                self.chain([root, _Code(str(v.numerator), ATOM)], "**", POWER)
        return self.chain([self.at(self.code[base], ATOM), self.at(self.number(v), ATOM)],
                          "**", POWER)

    def sum(self, terms: tuple[Expr, ...]) -> _Code:
        codes = [self.code[t] for t in terms]
        first = next((i for i, c in enumerate(codes) if c.negated is None), 0)
        codes.insert(0, codes.pop(first))              # y - x, not -x + y
        parts = [self.at(codes[0], PRODUCT)]
        operators = []
        for c in codes[1:]:
            operators.append(" + " if c.negated is None else " - ")
            parts.append(self.at(c if c.negated is None else c.negated, PRODUCT))
        return self.chain(parts, operators, SUM)

    def product(self, factors: tuple[Expr, ...]) -> _Code:
        """``[-]a * b / c`` or ``a * b / (c * d)``: negative powers below the line."""
        negative, top, bottom = coefficient_parts(factors)
        above: list[_Code] = []
        below: list[_Code] = [self.number(bottom)] if bottom != 1 else []
        for f in factors:
            if type(f) is Num:
                continue
            if type(f) is Pow and type(f.exp) is Num and f.exp.value < 0 and f not in self.bound:
                below.append(self.power(f.base, -f.exp.value))
            else:
                above.append(self.code[f])
        if isinstance(top, float) or top != 1 or not above:
            above.insert(0, self.number(top))
        if len(above) == 1 and not below:
            positive = self.at(above[0], POWER)
        else:
            positive = self.chain([self.at(a, POWER) for a in above], " * ", PRODUCT)
            if below:
                under = (self.at(below[0], POWER) if len(below) == 1 else
                         self.at(self.chain([self.at(b, POWER) for b in below], " * ", PRODUCT), ATOM))
                positive = self.chain([positive, under], " / ", PRODUCT)
        if not negative:
            return positive
        return _Code("-" + positive.text, PRODUCT, positive.depth + 1, positive)

    def in_complex(self, text: str) -> str:
        """``text`` with math's functions made cmath's where the formula is complex."""
        if not self.complex:
            return text
        return re.sub(r"(?<![\w.])math\.(\w+)",
                      lambda m: f"cmath.{m[1]}" if hasattr(cmath, m[1]) else m[0], text)

    def call_text(self, function: str, args: list[_Code]) -> _Code:
        function = self.in_complex(function)
        return _Code(f"{function}({', '.join(a.text for a in args)})", ATOM,
                     max(a.depth for a in args) + 1)

    def call(self, fn: str, args: tuple[Expr, ...]) -> _Code:
        function = lookup(fn, len(args))
        if function is None or function.python is None:
            raise CodegenError(f"{fn} has no numeric value to write as Python"
                               if function is None else f"{fn} has no Python code in the "
                               f"function table")
        codes = [self.code[a] for a in args]
        operand = self.at(codes[0], POWER)
        text = self.in_complex(function.python).format(p=operand.text, **dict(zip("ab", (c.text for c in codes))))
        return _Code(text, _BINDS[function.python_binds], max(c.depth for c in codes) + 3)


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
                   outcome.warnings, outcome.values)
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


def render_python(outcome: Derivatives, one_line: bool = False) -> str:
    """A Python module of :func:`to_python`: one function, or one for each derivative
    (``d_dx``, ``d2_dx2``, ...) of all the formula's variables."""
    if one_line:
        raise UsageError("--format python writes a module; it does not combine with stdin mode")
    variables = sorted(outcome.expr.free)
    if len(outcome.names) == 1:
        return to_python(outcome.results[0], variables).rstrip("\n")
    modules = [to_python(r, variables, name=f"d_d{n}" if outcome.order == 1 else f"d{outcome.order}_d{n}{outcome.order}")
               .split("\n\n\n", 1) for n, r in zip(outcome.names, outcome.results)]
    imports = max((header for header, _ in modules), key=len)    # with mpmath if any uses it
    return imports + "\n\n\n" + "\n\n\n".join(f.rstrip("\n") for _, f in modules)


def render_mathml(outcome: Derivatives, one_line: bool = False) -> str:
    """A ``<math>`` element for each derivative (``display="block"`` unless ``one_line``)."""
    return ("" if one_line else "\n").join(to_mathml(r, display=not one_line) for r in outcome.results)
