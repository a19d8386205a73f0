"""Expressions as code for other programs, and functions made from that code.

One post-order walk writes every backend (the code algebra of :func:`evaluate.interpret`):
Python with ``math`` (:func:`to_python`), NumPy, JAX and PyTorch (array code, one function
for a whole gradient, Jacobian or Hessian, each shared subexpression computed once for all
outputs), and C99.  :func:`lambdify` runs that code: vectorised over arrays with
broadcasting, or compiled with the machine's C compiler.

>>> from symdiff import parse
>>> print(to_code([parse("y + 1/x"), parse("x - cos(y)")], backend="numpy", name="gradient"))
import numpy as np
<BLANKLINE>
<BLANKLINE>
def gradient(x, y, out=None):
    \"\"\"[y + 1/x, x - cos(y)]\"\"\"
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if out is None:                         # else: the values go into out
        out = np.empty((2,) + np.broadcast_shapes(x.shape, y.shape))
    with np.errstate(all="ignore"):          # outside the domain: nan or inf, as NumPy does
        np.add(y, 1 / x, out=out[0, ...])
        np.subtract(x, np.cos(y), out=out[1, ...])
    return out
<BLANKLINE>
"""

from __future__ import annotations

import cmath
import ctypes
import hashlib
import itertools
import keyword
import math
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

from .errors import CodegenError, EvaluationError, SymdiffWarning
from .evaluate import Algebra, Overflows, branch_only, compile_overflowing, interpret
from .expr import (ONE, ZERO, Add, Call, Const, Expr, I, Mul, Num, Piecewise, Pow, Sym, expression,
                   has_imaginary, postorder_of, spell)
from .functions import lookup
from .printing import coefficient_parts, to_text


# ---------------------------------------------------------------- names
#
# Names in the generated code (the hygiene rules):
#
# * The code refers to outside names only from CODE_NAMES: the modules ``math``, ``cmath``
#   and ``mpmath`` (imported only when used), the array modules' names (``np``, ``jnp``,
#   ``jax``, ``torch``, ``scipy``), the builtins ``abs``, ``float``, ``min`` and ``max``,
#   and the array functions' own locals ``out`` and ``shape``.  They are never rebound: a
#   variable, the function's name or a temporary can never be one of them.
# * A variable keeps its own name as the parameter name unless that name, stripped of
#   trailing underscores, is a Python keyword or a code name; then one underscore is
#   appended (``python_name``).  ``lambda`` becomes ``lambda_``, and ``lambda_`` becomes
#   ``lambda__``, so no two variables share a parameter (the map is injective), and no
#   parameter is a keyword or a code name.  Soft keywords (``match``, ``case``, ``type``,
#   ``_``) and other builtins are legal parameter names that the code never reads, so they
#   stay as they are.  C code follows the same rule with C's keywords and math.h's names
#   (``c_name``).
# * Temporaries, for shared subexpressions and to keep nesting within what Python's
#   compiler takes, are ``t1``, ``t2``, ... in order, skipping any name a parameter has
#   (as ``printing.cse`` skips the formula's variables).
# * ``name=`` must be an identifier as Python keeps it (NFKC), not a keyword, not a code
#   name and not a dunder such as ``__builtins__``; ``variables=`` entries must be
#   strings naming variables (what ``Sym`` accepts; Greek letters are spelled, θ is
#   theta) with no name twice.  Anything else raises CodegenError before any source is
#   written.

CODE_NAMES = frozenset({"math", "cmath", "mpmath", "abs", "float", "min", "max",      # every outside
                        "np", "jnp", "jax", "torch", "scipy", "out", "shape"})       # name the code reads
RESERVED = frozenset(keyword.kwlist) | CODE_NAMES

# C's keywords, math.h's functions that a formula's variable could shadow, and the locals of
# the compiled path's loop.
C_RESERVED = frozenset("""auto break case char const continue default do double else enum extern
    float for goto if inline int long register restrict return short signed sizeof static struct
    switch typedef union unsigned void volatile while _Bool _Complex _Imaginary NAN INFINITY
    sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp log log2 log10 sqrt cbrt
    atan2 hypot erf erfc lgamma tgamma floor ceil fabs fmin fmax pow j0 j1 jn y0 y1 yn
    out values n i in row main block point points result malloc free j columns written""".split())


def python_name(name: str) -> str:
    """The parameter name a variable gets in generated Python: its own, or with one ``_``
    appended when the name without its trailing underscores is reserved.  Injective.

    >>> python_name("x"), python_name("lambda"), python_name("lambda_"), python_name("math")
    ('x', 'lambda_', 'lambda__', 'math_')
    """
    return name + "_" if name.rstrip("_") in RESERVED else name


def c_name(name: str) -> str:
    """The parameter name a variable gets in generated C, by the rule of :func:`python_name`.

    >>> c_name("x"), c_name("double"), c_name("y0"), c_name("y0_")
    ('x', 'double_', 'y0_', 'y0__')
    """
    return name + "_" if name.rstrip("_") in C_RESERVED else name


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


def _variable_names(roots: Sequence[Expr], variables: object) -> list[str]:
    free = frozenset().union(*(r.free for r in roots))
    if variables is None:
        return sorted(free)
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
    missing = free - names.keys()
    if missing:
        raise CodegenError(f"no argument for {', '.join(sorted(missing))}")
    return list(names)


# ---------------------------------------------------------------- outputs

class Outputs(NamedTuple):
    """What a function computes: its expressions, flat, and the shape they are laid out in
    (``()`` for one expression, ``(n,)`` for a list such as a gradient, ``(m, n)`` for a
    matrix such as a Jacobian or a Hessian)."""

    exprs: list[Expr]
    shape: tuple[int, ...]

    @staticmethod
    def of(given: object, where: str = "to_code") -> Outputs:
        """The outputs of ``given``: an expression, or a (nested, rectangular) list of them.

        >>> x = Sym("x")
        >>> Outputs.of([[x, x**2], [x + 1, x]]).shape
        (2, 2)
        """
        if isinstance(given, Expr) or not isinstance(given, (list, tuple)):
            return Outputs([expression(given, where)], ())
        if not given:
            raise CodegenError(f"{where} needs at least one expression")
        rows = [Outputs.of(item, where) for item in given]
        if any(row.shape != rows[0].shape for row in rows):
            raise CodegenError(f"{where}: the rows of a matrix must have one length")
        return Outputs([e for row in rows for e in row.exprs], (len(rows), *rows[0].shape))

    def nested(self, values: Sequence[Any]) -> Any:
        """``values`` (one per expression, flat) in this shape, as nested lists."""
        if not self.shape:
            return values[0]
        items = list(values)
        for size in reversed(self.shape[1:]):
            items = [items[i:i + size] for i in range(0, len(items), size)]
        return items


# ---------------------------------------------------------------- backends

class Backend(NamedTuple):
    """One target of the array and C writers: the names it calls the function table's
    ``xp.`` (array API) and ``special.`` (SciPy's special functions) by, and what it lacks."""

    name: str
    imports: tuple[str, ...]         # the import lines of its code
    xp: str                          # the array API namespace as the code names it
    special: str                     # the special functions' namespace
    special_import: str              # imported when a special function is used
    special_names: frozenset[str]    # the special functions it has
    lacks: frozenset[str] = frozenset()   # array API functions it lacks
    complex: bool = False            # whether it computes with complex numbers here
    tensor: str = ""                 # a number as an array, where its functions take no numbers
    integer_arguments: frozenset[str] = frozenset()   # functions whose first argument stays a number


_SCIPY = frozenset("erf erfc erfi gamma gammaln digamma polygamma beta lambertw jv yv iv kv expi sici "
                   "poch".split())
ARRAY_BACKENDS = {
    "numpy": Backend("numpy", ("import numpy as np",), "np", "scipy.special", "import scipy.special",
                     _SCIPY, complex=True),
    "jax": Backend("jax", ("import jax.numpy as jnp",), "jnp", "jax.scipy.special",
                   "import jax.scipy.special",
                   frozenset("erf erfc gamma gammaln digamma polygamma beta expi sici poch".split())),
    "torch": Backend("torch", ("import torch",), "torch", "torch.special", "",
                     # its real, imag and conj are for complex tensors only
                     frozenset("erf erfc gammaln digamma polygamma".split()),
                     frozenset({"cbrt", "real", "imag", "conj"}),
                     tensor="torch.as_tensor({}, dtype=torch.float64)",
                     integer_arguments=frozenset({"polygamma"})),
}
BACKENDS = ("python", "numpy", "jax", "torch", "c")


SUM, PRODUCT, POWER, ATOM = 1, 2, 3, 4      # Python's own precedence, loosest first
# (a leading minus counts as PRODUCT: -a*b is (-a)*b, the same number as -(a*b))

# How deep a line may nest (operators, calls, parentheses) before a part of it is bound to
# a temporary: CPython refuses more than 200 nested parentheses, and its compiler recurses
# once per operator of a long sum.
DEPTH_LIMIT = 100

# The code for each function is a column of its row in symdiff.functions (``python``,
# ``array_code``, ``c_code``): a template in which {a}, {b} are the arguments where any
# expression fits and {p} the first one as an operand of / (parenthesized unless it binds as
# tightly as **).  A template that reads its argument twice gets it as a name (see
# _PythonWriter.uses).
_BINDS = {"atom": ATOM, "product": PRODUCT}


class _Code(NamedTuple):
    """Code for a node: its precedence level, how deeply it nests, and, when it starts with
    a minus, the text without it (so a sum can write ``a - b``)."""

    text: str
    level: int
    depth: int = 0
    negated: _Code | None = None
    last: tuple[str, str, str] | None = None     # a chain's last step: (head, operator, operand)


class _PythonWriter:
    """One post-order walk over all the outputs, writing each node once; shared nodes become
    temporaries.  Python with ``math``; the array and C writers change what differs."""

    sqrt = "math.sqrt"
    language = "Python"

    def __init__(self, roots: Sequence[Expr], arguments: dict[str, str]) -> None:
        self.roots = list(roots)
        self.arguments = arguments
        self.lines: list[str] = []
        taken = set(arguments.values())
        self._temporaries = (t for t in (f"t{i}" for i in itertools.count(1)) if t not in taken)
        self.order = postorder_of(self.roots)
        self.complex = any(map(has_imaginary, self.roots))   # complex arithmetic: cmath's functions
        self.uses: dict[Expr, int] = {}
        for node in self.order:
            for child in node.children:
                self.uses[child] = self.uses.get(child, 0) + 1
            if type(node) is Call and (self.template(node, quiet=True) or "").count("{") > len(node.args):
                self.uses[node.args[0]] = self.uses.get(node.args[0], 0) + 1
        for root, outputs in Counter(self.roots).items():   # an output that is also another
            if root.children:                                # output, or a part of one, is shared
                self.uses[root] = self.uses.get(root, 0) + outputs
        self.imports = "import math\n"
        self.code: Mapping[Expr, _Code] = {}
        self.bound: set[Expr] = set()
        self.in_branches = branch_only(self.order)

    def template(self, node: Call, quiet: bool = False) -> str | None:
        """The code template of a call (the ``python`` column); None, or with ``quiet`` false
        a CodegenError, where the function has none."""
        function = lookup(node.fn, len(node.args))
        if function is None or function.python is None:
            if quiet:
                return None
            raise CodegenError(f"{node.fn} has no numeric value to write as {self.language}"
                               if function is None else f"{node.fn} has no Python code in the "
                               f"function table")
        return self.in_complex(function.python)

    def write(self) -> list[str]:
        """Fill ``lines`` with the temporaries; return the text of each output."""
        # the source-code algebra of evaluate.interpret: a node's value is its code; writing
        # code raises nothing, so no error is "undefined" and no real part is asked for
        self.code = interpret(self.order, Algebra(self.step, (), float, False), self.arguments, Overflows())
        results = [self.code[r].text for r in self.roots]
        self.imports = self.modules("\n".join([*self.lines, *results]))
        return results

    def modules(self, written: str) -> str:
        """The import lines of the code: special functions math lacks (Bessel, digamma, ...)
        are mpmath's, and complex values take cmath's functions."""
        return "".join(f"import {module}\n" for module in ("cmath", "math", "mpmath")
                       if module == "math" or re.search(rf"(?<![\w.]){module}\.", written))

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
        self.lines.append(self.assignment(local, code.text))
        return _Code(local, ATOM)

    def assignment(self, local: str, text: str) -> str:
        return f"    {local} = {text}"

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
        last = None
        for operator, operand in zip(operators, operands[1:]):
            if depth >= DEPTH_LIMIT:
                text, depth = self.bind(_Code(text, level)).text, 0
            last = (text, operator.strip(), operand.text)
            text, depth = f"{text}{operator}{operand.text}", max(depth, operand.depth) + 1
        return _Code(text, level, depth, last=last)

    def node(self, node: Expr) -> _Code:
        match node:
            case Num(v):
                return self.number(v)
            case Const(name):
                return self.constant(node)
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
                return self.general_power(base, exp)
            case Piecewise():
                return self.piecewise(node)
            case Call():
                return self.call(node)
        raise TypeError(node)

    def constant(self, node: Const) -> _Code:
        return _Code("1j" if node is I else f"math.{node.name}", ATOM)

    def general_power(self, base: Expr, exp: Expr) -> _Code:
        return self.chain([self.at(self.code[base], ATOM), self.at(self.code[exp], ATOM)], "**", POWER)

    # a piecewise node as the language's conditional expression, which computes only the
    # branch taken; NaN where no condition holds
    branch, no_branch = "{value} if {condition} else ", "math.nan"

    def piecewise(self, node: Piecewise) -> _Code:
        """``(a if c else b if d else math.nan)`` (in C, ``(c ? a : d ? b : NAN)``)."""
        parts, depth = [], 0
        for value, condition in node.branches:
            code = self.code[value]
            depth = max(depth, code.depth)
            if condition is ONE:
                parts.append(code.text)
                break
            parts.append(self.branch.format(value=code.text, condition=self.code[condition].text))
            depth = max(depth, self.code[condition].depth)
        else:
            parts.append(self.no_branch)
        return _Code("(" + "".join(parts) + ")", ATOM, depth + len(parts))

    def number(self, v) -> _Code:
        if isinstance(v, Fraction):
            text, level = f"{v.numerator}/{v.denominator}", PRODUCT
        else:
            text = repr(float(v)) if isinstance(v, float) else repr(v)
            level = ATOM
        if text.startswith("-"):
            return _Code(text, PRODUCT, 1, self.number(-v))
        return _Code(text, level, 1 if level == PRODUCT else 0)

    def power(self, base: Expr, v) -> _Code:
        """``base`` to the positive number ``v``; a half-integer power through sqrt, which
        stays real: a negative base raises ValueError where x**(3/2) would give a complex
        number."""
        if v == 1 and type(v) is int:
            return self.code[base]
        if type(v) is Fraction and v.denominator == 2:
            root = self.call_text(self.sqrt_of(base), [self.code[base]])
            return root if v.numerator == 1 else self.integer_power(root, v.numerator)
        return self.chain([self.at(self.code[base], ATOM), self.at(self.number(v), ATOM)],
                          "**", POWER)

    def sqrt_of(self, base: Expr) -> str:
        return self.sqrt

    def integer_power(self, code: _Code, n: int) -> _Code:
        return self.chain([code, _Code(str(n), ATOM)], "**", POWER)

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

    def call(self, node: Call) -> _Code:
        template = self.template(node)
        assert template is not None
        function = lookup(node.fn, len(node.args))
        codes = [self.code[a] for a in node.args]
        operand = self.at(codes[0], POWER)
        text = template.format(p=operand.text, **dict(zip("ab", (c.text for c in codes))))
        binds = _BINDS[function.python_binds] if function is not None else ATOM
        return _Code(text, binds, max(c.depth for c in codes) + 3)


class _ArrayWriter(_PythonWriter):
    """Python over arrays: the function table's array column, with ``xp.`` and ``special.``
    named as ``backend`` names them, and ``where`` for piecewise functions (both branches
    are computed, elementwise).  A part of the formula with no variable in it is a number,
    written as Python's ``math`` writes it."""

    def __init__(self, roots: Sequence[Expr], arguments: dict[str, str], backend: Backend) -> None:
        self.backend = backend
        self.language = {"numpy": "NumPy", "jax": "JAX", "torch": "PyTorch"}[backend.name]
        super().__init__(roots, arguments)
        self.in_branches = frozenset()          # where() computes every branch

    def template(self, node: Call, quiet: bool = False) -> str | None:
        if not node.free:                       # a number: math's code
            return super().template(node, quiet)
        function = lookup(node.fn, len(node.args))
        code = None if function is None else function.array_code
        missing = None if code is None else (
            [n for n in re.findall(r"\bspecial\.(\w+)", code) if n not in self.backend.special_names]
            + [n for n in re.findall(r"\bxp\.(\w+)", code) if n in self.backend.lacks])
        if code is None or missing:
            if quiet:
                return None
            why = "it is not in the function table" if function is None else \
                f"{self.backend.name} lacks {', '.join(missing)}" if missing else "the function table has no array code"
            raise CodegenError(f"{node.fn} has no {self.language} code ({why}); "
                               f"backend='python' computes it point by point")
        return code.replace("xp.", self.backend.xp + ".").replace("special.", self.backend.special + ".")

    def sqrt_of(self, base: Expr) -> str:
        return f"{self.backend.xp}.sqrt" if base.free else "math.sqrt"

    def call(self, node: Call) -> _Code:
        """As Python's, with a number among array arguments made an array where the
        backend's functions take arrays only (torch.log(3) is refused)."""
        tensor = self.backend.tensor
        if not tensor or not node.free or all(a.free for a in node.args):
            return super().call(node)
        saved = self.code
        first = 1 if node.fn in self.backend.integer_arguments else 0
        self.code = {**saved, **{a: _Code(tensor.format(saved[a].text), ATOM, saved[a].depth + 1)
                                 for a in node.args[first:] if not a.free}}
        try:
            return super().call(node)
        finally:
            self.code = saved

    def piecewise(self, node: Piecewise) -> _Code:
        """``xp.where(c, a, xp.where(d, b, nan))``; NaN where no condition holds."""
        if not node.free:
            return super().piecewise(node)
        text, depth = "math.nan", 0
        for value, condition in reversed(node.branches):
            code = self.code[value]
            if condition is ONE:
                text, depth = code.text, code.depth
                continue
            text = f"{self.backend.xp}.where({self.code[condition].text}, {code.text}, {text})"
            depth = max(depth, code.depth, self.code[condition].depth) + 1
        return _Code(text, ATOM, depth)

    # NumPy's functions of one array that write into ``out=`` (ufuncs), and its operators'
    _UFUNCS = frozenset("exp expm1 log log1p log2 log10 sqrt cbrt sin cos tan arcsin arccos arctan "
                        "sinh cosh tanh arcsinh arccosh arctanh abs".split())
    _OPERATORS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}

    def into(self, root: Expr, target: str) -> str:
        """The statement that puts ``root``'s value into the array ``target``: its last
        operation written with ``out=target`` where that is a NumPy operator or function,
        which saves an array and a pass over memory (``out[0] = a + b`` makes ``a + b``,
        then copies it).

        >>> from symdiff import parse
        >>> writer = _ArrayWriter([parse("y + 1/x")], {"x": "x", "y": "y"}, ARRAY_BACKENDS["numpy"])
        >>> writer.into(writer.roots[0], "out[0]") if writer.write() else None
        'np.add(y, 1 / x, out=out[0])'
        """
        code = self.code[root]
        call = re.fullmatch(r"np\.(\w+)\((.*)\)", code.text)
        if not root.free or root in self.bound:           # a number, or a temporary's name
            return f"{target} = {code.text}"
        if code.last and code.last[1] in self._OPERATORS:
            head, operator, operand = code.last
            return f"np.{self._OPERATORS[operator]}({head}, {operand}, out={target})"
        negated = code.negated
        if negated is not None and negated.last and negated.last[1] in "*/":
            # -a * b is read as (-a) * b: the minus stays on the first factor
            head, operator, operand = negated.last
            return f"np.{self._OPERATORS[operator]}(-{head}, {operand}, out={target})"
        if negated is not None:
            return f"np.negative({negated.text}, out={target})"
        if call and call[1] in self._UFUNCS and _one_argument(call[2]):
            return f"np.{call[1]}({call[2]}, out={target})"
        return f"{target} = {code.text}"

    def modules(self, written: str) -> str:
        lines = list(self.backend.imports)
        if re.search(r"(?<![\w.])math\.", written):
            lines.insert(0, "import math")
        if self.backend.special_import and f"{self.backend.special}." in written:
            lines.append(self.backend.special_import)
        return "".join(line + "\n" for line in lines)


def _one_argument(text: str) -> bool:
    """Whether ``text`` is one argument of a call: its parentheses balance, never closing
    below the start, and no comma stands outside them."""
    depth = 0
    for character in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(character, 0)
        if depth < 0 or (character == "," and depth == 0):
            return False
    return depth == 0


class _CWriter(_PythonWriter):
    """C99: math.h's functions, ``pow`` for powers (small integer powers as products), the
    conditional operator for piecewise functions, constants as double literals."""

    sqrt = "sqrt"
    language = "C"
    branch, no_branch = "{condition} ? {value} : ", "NAN"

    def template(self, node: Call, quiet: bool = False) -> str | None:
        function = lookup(node.fn, len(node.args))
        code = None if function is None else function.c_code
        if code is None and not quiet:
            raise CodegenError(f"{node.fn} has no C code (C99's math.h lacks it); "
                               f"backend='numpy' or 'python' computes it")
        return code

    def assignment(self, local: str, text: str) -> str:
        return f"    const double {local} = {text};"

    def constant(self, node: Const) -> _Code:
        if node is I:
            raise CodegenError("C code is real: the formula has the imaginary unit I")
        return _Code(repr(Const.VALUES[node.name]), ATOM)

    def number(self, v) -> _Code:
        if isinstance(v, Fraction):
            text, level = f"{v.numerator}.0 / {v.denominator}", PRODUCT
        elif isinstance(v, float) or abs(v) >= 2 ** 31:
            text, level = repr(float(v)), ATOM
        else:
            text, level = str(v), ATOM
        if text.startswith("-"):
            return _Code(text, PRODUCT, 1, self.number(-v))
        return _Code(text, level, 1 if level == PRODUCT else 0)

    def power(self, base: Expr, v) -> _Code:
        if type(v) is int and 2 <= v <= 4 and self.code[base].level == ATOM:
            return self.integer_power(self.code[base], v)
        if (v == 1 and type(v) is int) or (type(v) is Fraction and v.denominator == 2):
            return super().power(base, v)
        return self.call_text("pow", [self.code[base], self.number(v)])

    def integer_power(self, code: _Code, n: int) -> _Code:
        if code.level == ATOM and n <= 4:
            return self.chain([code] * n, " * ", PRODUCT)
        return self.call_text("pow", [code, _Code(str(n), ATOM)])

    def general_power(self, base: Expr, exp: Expr) -> _Code:
        return self.call_text("pow", [self.code[base], self.code[exp]])

    def modules(self, written: str) -> str:
        return "#include <math.h>\n"


# ---------------------------------------------------------------- source text

def _prepared(exprs: object, variables: object, where: str) -> tuple[Outputs, list[str]]:
    outputs = Outputs.of(exprs, where)
    return outputs, _variable_names(outputs.exprs, variables)


def _listed(outputs: Outputs, texts: list[str], indent: str = "") -> str:
    """``texts`` (one per output) as a nested list literal, ``[a, b]``; one text as it is.
    With ``indent``, the outermost list has one item per line."""
    def shown(item: Any) -> str:
        return item if isinstance(item, str) else "[" + ", ".join(map(shown, item)) + "]"
    nested = outputs.nested(texts)
    if not indent or isinstance(nested, str):
        return shown(nested)
    return "[\n" + "".join(f"{indent}    {shown(item)},\n" for item in nested) + f"{indent}]"


DOCSTRING_LENGTH = 500        # a longer list of outputs is cut short in the docstring


def _docstring(outputs: Outputs) -> str:
    text = _listed(outputs, [to_text(e) for e in outputs.exprs])
    if len(text) > DOCSTRING_LENGTH:
        text = text[:DOCSTRING_LENGTH - 3] + "... (" + " x ".join(map(str, outputs.shape or (1,))) + " outputs)"
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


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
    return to_code(expression(expr, "to_python", "parse"), variables, "python", name)


def to_code(exprs: Expr | Sequence, variables: Sequence[str] | None = None, backend: str = "python",
            name: str = "derivative") -> str:
    """Source of one function computing ``exprs`` (an expression, a list such as a gradient,
    or a matrix such as a Hessian) in ``backend``: ``python`` (``math``, numbers in,
    numbers out), ``numpy``, ``jax`` or ``torch`` (arrays in, broadcast, an array out
    shaped ``outputs + inputs``), or ``c`` (a C99 function; several outputs are written to
    ``out``).  A subexpression that the outputs share is computed once.

    >>> from symdiff import parse
    >>> print(to_code(parse("x*exp(-x^2)"), backend="c"))
    #include <math.h>
    <BLANKLINE>
    /* x*exp(-x^2) */
    double derivative(double x)
    {
        return x * exp(-(x * x));
    }
    <BLANKLINE>
    """
    if backend not in BACKENDS:
        raise CodegenError(f"unknown backend {_shown(backend)}; choose one of {', '.join(BACKENDS)}")
    name = _function_name(name)
    outputs, names = _prepared(exprs, variables, "to_code")
    if backend == "c":
        return _c_source(outputs, names, name)
    if backend == "python":
        return _python_source(outputs, names, name)
    return _array_source(outputs, names, name, ARRAY_BACKENDS[backend])


def _python_source(outputs: Outputs, names: list[str], name: str) -> str:
    writer = _PythonWriter(outputs.exprs, {n: python_name(n) for n in names})
    results = writer.write()
    result = _listed(outputs, results, indent="    ")
    return (f"{writer.imports}\n\n"
            f"def {name}({', '.join(writer.arguments[n] for n in names)}):\n"
            f'    """{_docstring(outputs)}"""\n'
            + "".join(line + "\n" for line in writer.lines)
            + f"    return {result}\n")


def _array_source(outputs: Outputs, names: list[str], name: str, backend: Backend) -> str:
    complex_ = any(map(has_imaginary, outputs.exprs))
    if complex_ and not backend.complex:
        raise CodegenError(f"the formula is complex (it has I); the {backend.name} backend is "
                           f"written for real numbers: use backend='numpy' or 'python'")
    writer = _ArrayWriter(outputs.exprs, {n: python_name(n) for n in names}, backend)
    results = writer.write()
    params = [writer.arguments[n] for n in names]
    xp = backend.xp
    shapes = ", ".join(f"{p}.shape" for p in params)
    signature = ", ".join([*params, "out=None"] if backend.name == "numpy" else params)
    head = [f"def {name}({signature}):", f'    """{_docstring(outputs)}"""']
    if backend.name == "torch":
        head += [f"    {p} = torch.as_tensor({p}, dtype=torch.float64)" for p in params]
    else:
        head += [f"    {p} = {xp}.asarray({p}, dtype={'complex' if complex_ else 'float'})" for p in params]
    if backend.name == "numpy":
        # one array for all outputs, filled row by row
        dtype = ", dtype=complex" if complex_ else ""
        size = f"{outputs.shape!r} + " if outputs.shape else ""
        head += ["    if out is None:                         # else: the values go into out",
                 f"        out = np.empty({size}np.broadcast_shapes({shapes}){dtype})"]
        body = [*writer.lines]
        for index, expr in zip(itertools.product(*map(range, outputs.shape)), outputs.exprs):
            at = ", ".join([*map(str, index), "..."])     # a view even when it is one value
            body.append("    " + writer.into(expr, f"out[{at}]"))
        lines = [*head, '    with np.errstate(all="ignore"):          # outside the domain: nan or inf, '
                        'as NumPy does',
                 *("    " + line for line in body),
                 "    return out" if outputs.shape else "    return out[()]             # a number for numbers"]
    else:
        head.append(f"    shape = {xp}.broadcast_shapes({shapes})")
        full = []
        for expr, result in zip(outputs.exprs, results):
            if not expr.free and backend.name == "torch":
                result = f"torch.as_tensor({result}, dtype=torch.float64)"
            full.append(f"{xp}.broadcast_to({result}, shape)")
        if not outputs.shape:
            returned = full[0]
        else:
            returned = f"{xp}.stack(" + _listed(Outputs(outputs.exprs, (len(full),)), full, "    ") + ")"
            if len(outputs.shape) > 1:
                returned += f".reshape({outputs.shape!r} + tuple(shape))"
        lines = [*head, *writer.lines, f"    return {returned}"]
    return f"{writer.imports}\n\n" + "\n".join(lines) + "\n"


def _c_source(outputs: Outputs, names: list[str], name: str, loop: bool = False) -> str:
    """C99 source of ``name``; with ``loop``, instead, the compiled path's source (see
    :func:`_c_loop`)."""
    if any(map(has_imaginary, outputs.exprs)):
        raise CodegenError("C code is real: the formula has the imaginary unit I")
    if name in C_RESERVED:
        raise CodegenError(f"the function name cannot be {name!r}: C or math.h has it")
    writer = _CWriter(outputs.exprs, {n: c_name(n) for n in names})
    results = writer.write()
    comment = _docstring(outputs).replace("*/", "* /")
    if loop:
        return f"{writer.imports}\n/* {comment} */\n" + _c_loop(writer, names, results, name)
    params = [f"double {writer.arguments[n]}" for n in names]
    if not outputs.shape:
        lines = [f"double {name}({', '.join(params) or 'void'})", "{", *writer.lines,
                 f"    return {results[0]};", "}"]
    else:
        lines = [f"void {name}({', '.join([*params, 'double *out'])})", "{", *writer.lines,
                 *(f"    out[{i}] = {r};" for i, r in enumerate(results)), "}"]
    return f"{writer.imports}\n/* {comment} */\n" + "\n".join(lines) + "\n"


def _c_loop(writer: _CWriter, names: list[str], results: list[str], name: str) -> str:
    """The compiled path: ``name_at_rows(n, in, out)`` computes n points, point i's arguments
    at ``in[i*k]`` onwards and its outputs at ``out[i*count]`` onwards, and
    ``name_at_points(n, x, y, ..., out)`` the same from one array per variable; both return
    0, or 1 where there was no memory for their work space.  Outputs that are 0 are not
    written: ``out`` then comes zeroed (a sparse Hessian is mostly zeros, and a new large
    array is zeroed memory from the system anyway).

    Where the formula calls a function glibc has in vector form (exp, sin, tanh, ...) and the
    build declares those (``SYMDIFF_SIMD_MATH``, see ``C_BUILDS``), the points go a block at a
    time through one loop the compiler vectorises (:func:`_c_blocks`); otherwise one point at a
    time (:func:`_c_points`), which is faster where the work is arithmetic and memory."""
    params = [writer.arguments[n] for n in names]
    written = [(k, r) for k, (e, r) in enumerate(zip(writer.roots, results)) if e is not ZERO]
    arrays = "".join(f", const double *restrict {p}" for p in params)
    heads = {"at_rows": f"int {name}_at_rows(long n, const double *restrict in, double *restrict out)",
             "at_points": f"int {name}_at_points(long n{arrays}, double *restrict out)"}
    points = _c_points(writer, params, written, len(results), name, heads)
    used = set(re.findall(rf"\b({'|'.join(SIMD_FUNCTIONS)})\(", "\n".join([*writer.lines, *results])))
    if not used:
        return points
    return (f"#if {SIMD_BUILD}\n#include <stdlib.h>\n{simd_declarations([f for f in SIMD_FUNCTIONS if f in used])}\n"
            f"{_c_blocks(writer, params, written, len(results), name, heads)}#else\n\n{points}#endif\n")


def _c_points(writer: _CWriter, params: list[str], written: list[tuple[int, str]], count: int, name: str,
              heads: dict[str, str]) -> str:
    """One point at a time: each point's arguments read and outputs written together.  The
    arguments are read through one restrict pointer, which lets the compiler keep them in
    registers rather than copy each into a parameter."""
    loads = [f"    const double {p} = in[{j}];" for j, p in enumerate(params)]
    stores = [f"    out[{k}] = {r};" for k, r in written]
    gather = "".join(f"        row[{j}] = {p}[i];\n" for j, p in enumerate(params))
    return (f"static inline void {name}(const double *restrict in, double *restrict out)\n{{\n"
            + "\n".join([*loads, *writer.lines, *stores]) + "\n}\n"
            f"\n{heads['at_rows']}\n{{\n"
            f"    for (long i = 0; i < n; i++)\n"
            f"        {name}(in + i * {len(params)}, out + i * {count});\n    return 0;\n}}\n"
            f"\n{heads['at_points']}\n{{\n"
            f"    double row[{max(len(params), 1)}];\n"
            f"    for (long i = 0; i < n; i++) {{\n{gather}"
            f"        {name}(row, out + i * {count});\n    }}\n    return 0;\n}}\n")


def _c_blocks(writer: _CWriter, params: list[str], written: list[tuple[int, str]], count: int, name: str,
              heads: dict[str, str]) -> str:
    """A block of points at a time: the entry points copy the block's arguments into a local
    array, one column per variable; the kernel, ``name``, runs one loop over the block's
    points reading and writing local columns in steps of one, a loop the compiler turns into
    vector instructions (several points at once, calling glibc's vector functions); then the
    results are copied out, point by point.  The block's columns stay in the L1 cache, and
    memory outside is read and written in order.  (A compiler cannot vectorise the one point
    at a time loop: GCC 12 gives up on strides that are not powers of two.)"""
    block = _block_size(len(params) + len(written))

    def column(j: int) -> str:
        return f"{j * block} + i" if j else "i"
    loads = [f"        const double {p} = in[{column(j)}];" for j, p in enumerate(params)]
    body = [f"    {line}" for line in writer.lines]
    stores = [f"        out[{column(j)}] = {r};" for j, (k, r) in enumerate(written)]
    copy_in = {"at_rows": f"block[j * {block} + i] = in[(point + i) * {len(params)} + j]",
               "at_points": f"block[j * {block} + i] = columns[j][point + i]"}
    entries = []
    for entry, head in heads.items():
        columns = (f"    const double *const columns[] = {{{', '.join(params)}}};\n"
                   if entry == "at_points" and params else "")
        entries.append(
            f"\n{head}\n{{\n{columns}"
            f"    double *block = malloc({max(len(params), 1) * block} * sizeof(double));\n"
            f"    double *result = malloc({max(len(written), 1) * block} * sizeof(double));\n"
            f"    if (!block || !result) {{\n        free(block);\n        free(result);\n        return 1;\n    }}\n"
            f"    for (long point = 0; point < n; point += {block}) {{\n"
            f"        const long points = n - point < {block} ? n - point : {block};\n"
            + (f"        for (long j = 0; j < {len(params)}; j++)\n"
               f"            for (long i = 0; i < points; i++)\n"
               f"                {copy_in[entry]};\n" if params else "") +
            f"        {name}(points, block, result);\n"
            f"        for (long i = 0; i < points; i++)\n"
            f"            for (long j = 0; j < {len(written)}; j++)\n"
            f"                out[(point + i) * {count} + written[j]] = result[j * {block} + i];\n"
            f"    }}\n"
            f"    free(block);\n    free(result);\n    return 0;\n}}\n")
    outputs = ", ".join(str(k) for k, r in written) or "0"
    return (f"/* points i < n <= {block}: argument j at in[j*{block} + i], output k at out[k*{block} + i] */\n"
            f"static void {name}(long n, const double *restrict in, double *restrict out)\n{{\n"
            f"#pragma GCC ivdep\n"      # i < n <= block: no two columns overlap
            f"    for (long i = 0; i < n; i++) {{\n"
            + "\n".join([*loads, *body, *stores]) + "\n    }\n}\n"
            f"\n/* output j of the kernel is output written[j] of the function */\n"
            f"static const long written[] = {{{outputs}}};\n" + "".join(entries) + "\n")


def _block_size(columns: int) -> int:
    """Points per block of the compiled path: its columns (arguments and outputs) fill at
    most BLOCK_BYTES, and a block is a multiple of 4 points, 4 to 64 (a vector instruction
    takes 4 or 8)."""
    return max(4, min(64, BLOCK_BYTES // (8 * max(columns, 1))) // 4 * 4)


# Measured on the bench/numbers_out.py cases (AMD EPYC, AVX-512): blocks of 4 and 8 KB were
# within 10% of the best on every case, 2 and 16 KB up to 50% slower on some.
BLOCK_BYTES = 8192


# glibc's vector maths library, libmvec, has a vector version of these (glibc 2.35 on); GCC
# calls it from a vectorised loop where the function is declared ``simd``.  Its results are
# within a few units in the last place (glibc's libm-test-ulps lists each), where the scalar
# function's are within one: the compiled path agrees with ``evaluate`` to about 1e-15, not
# always to the last bit.  A build without libmvec (another C library, clang, an old glibc)
# leaves it out.
SIMD_FUNCTIONS = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
                  "acosh", "atanh", "exp", "log", "log2", "log10", "log1p", "expm1", "pow",
                  "atan2", "hypot", "cbrt", "erf", "erfc", "exp2")


def simd_declarations(functions: Sequence[str]) -> str:
    """The ``simd`` declarations of the vector functions the code calls (SIMD_FUNCTIONS)."""
    two = ("pow", "atan2", "hypot")
    return "".join(f'__attribute__((simd("notinbranch"))) double {f}(double{", double" if f in two else ""});\n'
                   for f in functions)


# The condition under which the compiled path's source uses them: the build asks for them
# (C_BUILDS) and the compiler is GCC, whose ``simd`` attribute names libmvec's functions.
SIMD_BUILD = "defined SYMDIFF_SIMD_MATH && defined __GNUC__ && !defined __clang__"


# ---------------------------------------------------------------- functions from the code

def lambdify(variables: Sequence[str] | None, exprs: Expr | Sequence, backend: str | None = None
             ) -> Callable[..., Any]:
    """One function of ``variables`` computing ``exprs`` (an expression, a list such as a
    gradient, or a matrix such as a Hessian), every subexpression they share computed once.

    ``backend``: ``numpy`` (the default when NumPy is installed), ``jax`` (jit-compatible
    and differentiable by JAX), ``torch``, ``c`` (compiled with the machine's C compiler,
    arrays in and out; NumPy where there is none) or ``python`` (``math``, numbers in and
    out).  Array backends broadcast their arguments and return an array shaped
    ``outputs + inputs``; outside a function's domain they give nan or inf, as their own
    functions do, while ``python`` raises :class:`EvaluationError`.

    >>> from symdiff import parse
    >>> f = lambdify(["x", "y"], [parse("y + 1/x"), parse("x - cos(y)")], backend="python")
    >>> f(2.0, 0.0)
    [0.5, 1.0]
    """
    backend = backend if backend is not None else "numpy" if _installed("numpy") else "python"
    if backend not in BACKENDS:
        raise CodegenError(f"unknown backend {_shown(backend)}; choose one of {', '.join(BACKENDS)}")
    outputs, names = _prepared(exprs, variables, "lambdify")
    if backend == "python":
        return _python_function(outputs, names)
    if backend == "c":
        compiler = c_compiler()
        if compiler is not None and _installed("numpy"):
            return _c_function(outputs, names, compiler)
        fallback = "numpy" if _installed("numpy") else "python"
        warnings.warn(f"lambdify: {'no C compiler found (set CC to one)' if compiler is None else 'the C backend needs NumPy'}"
                      f"; using backend={fallback!r} instead", SymdiffWarning, stacklevel=2)
        return lambdify(names, exprs, fallback)
    if not _installed(backend):                    # the module has the backend's name
        raise CodegenError(f"backend={backend!r} needs {backend}, which is not installed "
                           f"(pip install {backend})")
    source = _array_source(outputs, names, "lambdified", ARRAY_BACKENDS[backend])
    function = _defined(source, "lambdified", outputs)
    if backend != "numpy":
        return function
    arrays = len(re.findall(r"^ +t\d+ = ", source, re.M)) + len(outputs.exprs)
    return _in_blocks(function, outputs, names, block_size(arrays))


# Points per block of the NumPy backend: a block's arrays (its temporaries and outputs, of
# this many floats each) stay in the processor's cache, which halves the time of a large
# gradient (bench/numbers_out.py): blocks of BLOCK points, fewer for a function of many arrays, so
# that a block holds at most about CACHE_FLOATS floats, but not fewer than MIN_BLOCK points.
BLOCK, MIN_BLOCK, CACHE_FLOATS = 16384, 4096, 2 ** 20


def block_size(arrays: int) -> int:
    """Points per block for a function of that many arrays: a power of two.

    >>> block_size(3), block_size(200)
    (16384, 4096)
    """
    size = BLOCK
    while size > MIN_BLOCK and size * arrays > CACHE_FLOATS:
        size //= 2
    return size


def _in_blocks(kernel: Callable[..., Any], outputs: Outputs, names: list[str], block: int) -> Callable[..., Any]:
    """The NumPy function ``kernel`` run block by block over many points, each block's
    values written into one output array (the ``out`` argument of the generated code)."""
    import numpy as np
    dtype = complex if any(map(has_imaginary, outputs.exprs)) else float

    def lambdified(*arguments: Any) -> Any:
        if len(arguments) != len(names):
            raise TypeError(f"the function takes {len(names)} arguments ({', '.join(names)}), "
                            f"got {len(arguments)}")
        arrays = [np.asarray(a, dtype=dtype) for a in arguments]
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        size = math.prod(shape)
        if size <= 2 * block:
            return kernel(*arrays)
        flat = [a if a.ndim == 0 else np.broadcast_to(a, shape).reshape(-1) for a in arrays]
        out = np.empty(outputs.shape + (size,), dtype=dtype)
        for start in range(0, size, block):
            kernel(*(a if a.ndim == 0 else a[start:start + block] for a in flat),
                   out=out[..., start:start + block])
        return out.reshape(outputs.shape + shape)
    def at_points(points: Any) -> Any:
        """The values at points given as rows, an array of shape (..., variables)."""
        table = np.asarray(points, dtype=dtype)
        if table.ndim == 0 or table.shape[-1] != len(names):
            raise ValueError(f"at_points takes an array of shape (..., {len(names)}): one row of "
                             f"({', '.join(names)}) per point; got shape {table.shape}")
        return lambdified(*np.moveaxis(table, -1, 0))

    lambdified.at_points = at_points           # type: ignore[attr-defined]
    lambdified.source = kernel.source          # type: ignore[attr-defined]
    lambdified.__doc__ = kernel.__doc__
    return lambdified


def _installed(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


def _defined(source: str, name: str, outputs: Outputs) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"__name__": "symdiff.generated"}
    exec(compile(source, "<symdiff>", "exec"), namespace)     # our own generated code only
    function = namespace[name]
    function.source = source
    return function


def _python_function(outputs: Outputs, names: list[str]) -> Callable[..., Any]:
    """``math`` code with evaluate's rules (its errors and overflow handling), all outputs
    in one function."""
    # one expression: its value; several: the list of their values, nested in their shape
    compiled = compile_overflowing(outputs.exprs if outputs.shape else outputs.exprs[0], names,
                                   EvaluationError)

    def function(*arguments: float) -> Any:
        values = compiled(*map(_number, arguments))
        return outputs.nested(values) if outputs.shape else values
    function.__doc__ = f"{_listed(outputs, [to_text(e) for e in outputs.exprs])} as a function of ({', '.join(names)})"
    return function


def _number(value: Any) -> float | complex:
    """An argument of the ``python`` backend as Python's own number (a NumPy scalar's
    arithmetic differs: its booleans do not subtract)."""
    return value if isinstance(value, complex) else float(value)


def c_compiler() -> str | None:
    """The C compiler the compiled path uses: ``$CC`` if set (None if it is not found), else
    the first of cc, gcc and clang on the PATH."""
    given = os.environ.get("CC")
    if given:
        return shutil.which(given)
    return next(filter(None, map(shutil.which, ("cc", "gcc", "clang"))), None)


_LIBRARIES: dict[str, tuple[Any, str]] = {}
# How the library is built, the first that works: for this machine (-march=native) with
# glibc's vector maths (libmvec, SIMD_BUILD; -z defs makes a missing vector function fail here,
# not when the library loads); for this machine without it; plainly.  errno is not read, so
# sqrt inlines.  No -ffast-math: the arithmetic stays IEEE's.
C_BUILDS = (("-O3", "-march=native", "-DSYMDIFF_SIMD_MATH", "-Wl,-z,defs"), ("-lmvec",)), \
           (("-O3", "-march=native"), ()), \
           (("-O2",), ())
C_FLAGS = ("-std=c99", "-fno-math-errno", "-shared", "-fPIC")
# A compiler's optimiser takes time that grows faster than a function's length: a function of
# more lines than this (a Hessian of 10,000 entries) is optimised less, -O1, and one of more than
# four times this not at all, so that making it takes seconds, not minutes.
OPTIMISED_LINES = 2_000


def _optimisation(source: str) -> tuple[str, ...]:
    lines = source.count("\n")
    return () if lines <= OPTIMISED_LINES else ("-O1",) if lines <= 4 * OPTIMISED_LINES else ("-O0",)
COMPILE_SECONDS = 120


def _library(source: str, compiler: str) -> tuple[Any, str]:
    """The shared library of ``source``, compiled once per process, and the compiler's
    options that made it."""
    key = hashlib.sha256(f"{compiler}\n{source}".encode()).hexdigest()
    if key not in _LIBRARIES:
        with tempfile.TemporaryDirectory(prefix="symdiff-c-") as directory:
            c_file, library = os.path.join(directory, "f.c"), os.path.join(directory, "f.so")
            with open(c_file, "w", encoding="utf-8") as handle:
                handle.write(source)
            try:
                for flags, linked in C_BUILDS:
                    options, libraries = [*flags, *C_FLAGS, *_optimisation(source)], [*linked, "-lm"]
                    done = subprocess.run([compiler, *options, c_file, "-o", library, *libraries],
                                          capture_output=True, text=True, timeout=COMPILE_SECONDS)
                    if done.returncode == 0:
                        break
            except subprocess.TimeoutExpired:
                raise CodegenError(f"the C compiler took more than {COMPILE_SECONDS} s") from None
            if done.returncode != 0:
                raise CodegenError(f"the C compiler {compiler} failed: {done.stderr.strip()[-600:]}")
            _LIBRARIES[key] = ctypes.CDLL(library), " ".join([*options, *libraries])   # loaded: the file may go
    return _LIBRARIES[key]


def _c_function(outputs: Outputs, names: list[str], compiler: str) -> Callable[..., Any]:
    import numpy as np
    source = _c_source(outputs, names, "lambdified", loop=True)
    library, flags = _library(source, compiler)
    entry = library.lambdified_at_points
    pointer = ctypes.POINTER(ctypes.c_double)
    entry.argtypes = [ctypes.c_long, *[pointer] * (len(names) + 1)]
    entry.restype = ctypes.c_int
    new = np.zeros if ZERO in outputs.exprs else np.empty     # zero outputs are not written

    def compiled(*arguments: Any) -> Any:
        if len(arguments) != len(names):
            raise TypeError(f"the function takes {len(names)} arguments ({', '.join(names)}), "
                            f"got {len(arguments)}")
        arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in arguments))
        shape = arrays[0].shape if arrays else ()
        columns = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
        out = new(shape + outputs.shape)          # point by point; shown outputs first
        _ran(entry(math.prod(shape), *(c.ctypes.data_as(pointer) for c in columns), out.ctypes.data_as(pointer)))
        return _outputs_first(out, shape, outputs)
    rows = library.lambdified_at_rows
    rows.argtypes = [ctypes.c_long, pointer, pointer]
    rows.restype = ctypes.c_int

    def at_points(points: Any) -> Any:
        """The values at points given as rows, an array of shape (..., variables) (as
        SymEngine's Lambdify takes them): each point's arguments read together."""
        table = np.ascontiguousarray(points, dtype=float)
        if table.ndim == 0 or table.shape[-1] != len(names):
            raise ValueError(f"at_points takes an array of shape (..., {len(names)}): one row of "
                             f"({', '.join(names)}) per point; got shape {table.shape}")
        shape = table.shape[:-1]
        out = new(shape + outputs.shape)
        _ran(rows(math.prod(shape), table.ctypes.data_as(pointer), out.ctypes.data_as(pointer)))
        return _outputs_first(out, shape, outputs)

    compiled.at_points = at_points      # type: ignore[attr-defined]
    compiled.source = source            # type: ignore[attr-defined]
    compiled.flags = flags              # type: ignore[attr-defined]
    compiled.__doc__ = f"{_docstring(outputs)} as a function of ({', '.join(names)}), compiled C"
    return compiled


def _ran(status: int) -> None:
    """A compiled entry point's status: 1 is no memory for its block of points."""
    if status:
        raise MemoryError("no memory for the compiled function's block of points")


def _outputs_first(out: Any, shape: tuple[int, ...], outputs: Outputs) -> Any:
    """``out``, computed point by point (shape + outputs), seen with the outputs' axes first."""
    import numpy as np
    if not out.ndim:
        return out[()]
    return np.moveaxis(out, range(len(shape), out.ndim), range(len(outputs.shape)))
