"""SymPy interop: symdiff expressions to SymPy's and back.

:func:`to_sympy` writes a symdiff expression as SymPy's, :func:`from_sympy` reads one of
SymPy's back; ``sympy.sympify(expr)`` calls :func:`to_sympy` (through ``Expr._sympy_``).  Both
take expressions, never text.  SymPy is an optional dependency: it is imported inside the
functions, when first used, so ``import symdiff`` never loads it.

Both walks are loops over an explicit stack, so depth is no limit; both build through the
constructors of the other side, so every result is in that side's canonical form:

    symdiff      SymPy
    -------      -----
    Num          Integer, Rational (exact), Float (a decimal, the same binary value)
    Const        pi, E, I
    Sym          Symbol (no assumptions; symdiff's variables are real)
    Add/Mul/Pow  Add/Mul/Pow
    Call         the function of :data:`SYMPY_FUNCTIONS` (or the formula of
                 :data:`SYMPY_FORMULAS`); an unknown f(x) is ``Function("f")(x)``
    f'(x), D[1,2](f)(x, y)   Derivative(f(x), x), Derivative(f(x, y), x, y); at arguments
                             that are not distinct variables, Subs(Derivative(...), xi, u)
    Derivative   Derivative (symdiff's d/dx(u), not worked out yet)
    Piecewise    Piecewise, its conditions as relationals and And, Or, Not

SymPy evaluates as it builds (``2*(x + 1)`` is ``2*x + 2`` there, ``x*x`` is ``x**2``), so a
round trip gives back the very node only where SymPy keeps the form; it always gives an
expression of the same value.

>>> from symdiff import parse
>>> to_sympy(parse("x*sin(x) + 1/2"))
x*sin(x) + 1/2
>>> from_sympy(to_sympy(parse("x*sin(x) + 1/2"))) is parse("x*sin(x) + 1/2")
True
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from .errors import CodegenError
from .expr import (E, ONE, PI, ZERO, Add, Bound, Call, Const, Derivative, Expr, I, Mul, Num, Piecewise,
                   Pow, Sym, add, call, is_reserved, mul, piecewise, postorder, power)
from .functions import (CONDITIONS, FUNCTIONS, LOG_BASE, is_derivative_name, lookup, partial_name,
                        partial_slots)
from .limits import bounded, checked

# ---------------------------------------------------------------- the function tables

# symdiff's function -> SymPy's function of the same arguments in the same order, by its
# path in the sympy package: the ``sympy`` column of the function table.  Every row of
# functions.FUNCTIONS has it or a row in SYMPY_FORMULAS (tests/test_interop.py checks); a
# function with neither has no SymPy counterpart, and to_sympy says so.
SYMPY_FUNCTIONS: dict[str, str] = {name: f.sympy for name, f in FUNCTIONS.items() if f.sympy}

# symdiff's functions that SymPy writes as a formula of its own: f(sympy, *arguments).
SYMPY_FORMULAS: dict[str, Callable[..., Any]] = {
    "log2": lambda sp, u: sp.log(u, 2),                 # SymPy writes log(u)/log(2)
    "log10": lambda sp, u: sp.log(u, 10),
    "sqrt": lambda sp, u: sp.sqrt(u),                   # never met: sqrt(u) is the power u^(1/2)
    # symdiff's cube root is real for a negative argument (cbrt(-8) = -2); SymPy's cbrt is the
    # principal root (complex there), and its real_root(u, 3) is the real one
    "cbrt": lambda sp, u: sp.real_root(u, 3),
    # symdiff's H(0) is 1/2, said explicitly (it is also SymPy's default)
    "Heaviside": lambda sp, u: sp.Heaviside(u, sp.S.Half),
}

# The conditions of piecewise forms, by SymPy's name.
SYMPY_CONDITIONS: dict[str, str] = {name: f.sympy for name, f in CONDITIONS.items()}

# SymPy's functions that read as one of symdiff's though symdiff writes that one otherwise.
_ALSO_READ = {"codegen.cfunctions.log2": "log2", "codegen.cfunctions.log10": "log10"}


def _sympy_attribute(path: str):
    """``sin`` -> sympy.sin; ``codegen.cfunctions.hypot`` -> sympy.codegen.cfunctions.hypot."""
    module, _, name = f"sympy.{path}".rpartition(".")
    return getattr(importlib.import_module(module), name)


def _sympy():
    try:
        import sympy
    except ImportError:                          # pragma: no cover - SymPy is installed for the tests
        raise ImportError("symdiff's SymPy interop needs SymPy: pip install sympy") from None
    return sympy


# ---------------------------------------------------------------- symdiff -> SymPy

@bounded
def to_sympy(expr: Expr):
    """The SymPy expression equal to ``expr``.

    Numbers stay exact (a ``Fraction`` is a ``Rational``; a decimal is a ``Float`` of the
    same binary value), variables become plain ``Symbol``\\ s, an unknown function ``f`` is
    ``sympy.Function("f")``.  A function without a SymPy counterpart raises
    :class:`~symdiff.errors.CodegenError`.

    >>> from symdiff import parse
    >>> to_sympy(parse("cbrt(x) + log2(x)"))
    Piecewise((Abs(x)**(1/3)*sign(x), Eq(im(x), 0)), (x**(1/3), True)) + log(x)/log(2)
    >>> to_sympy(parse("f'(x^2)", functions="f"))
    Subs(Derivative(f(_xi), _xi), _xi, x**2)
    """
    if not isinstance(expr, Expr):
        raise TypeError(f"to_sympy takes an expression (an Expr), not {type(expr).__name__}; "
                        f"parse text with symdiff.parse first")
    sp = _sympy()
    done: dict[Expr, Any] = {}
    for node in checked(postorder(expr)):
        write = _WRITERS.get(type(node))
        if write is None:
            raise CodegenError(f"{type(node).__name__} nodes have no SymPy counterpart")
        done[node] = write(sp, node, [done[c] for c in node.children])
    return done[expr]


def _write_number(sp, node: Num, _):
    value = node.value
    if type(value) is float:
        return sp.Float(value)
    if type(value) is Fraction:
        return sp.Rational(value.numerator, value.denominator)
    return sp.Integer(value)


_CONSTANTS = {"pi": "pi", "e": "E", "I": "I"}


def _write_call(sp, node: Call, args: list):
    fn = node.fn
    if fn in CONDITIONS:
        if fn not in SYMPY_CONDITIONS:
            raise CodegenError(f"the condition {fn} has no SymPy counterpart")
        return _sympy_attribute(SYMPY_CONDITIONS[fn])(*args)
    if fn == LOG_BASE.name and len(args) == 2:
        return sp.log(*args)                             # log(u, b): SymPy writes log(u)/log(b)
    if fn in SYMPY_FORMULAS:
        return SYMPY_FORMULAS[fn](sp, *args)
    if fn in SYMPY_FUNCTIONS:
        return _sympy_attribute(SYMPY_FUNCTIONS[fn])(*args)
    if fn in FUNCTIONS:
        raise CodegenError(f"{fn} has no SymPy counterpart: symdiff.interop.SYMPY_FUNCTIONS "
                           f"has no row for it")
    return _write_unknown(sp, fn, args)


def _write_unknown(sp, fn: str, args: list):
    """f(u) -> Function("f")(u); its derivatives f'(x) -> Derivative(f(x), x), and at
    arguments that are not distinct variables a Subs of that at the arguments."""
    if not is_derivative_name(fn):
        return sp.Function(fn)(*args)
    base = fn.rstrip("'")
    primes = len(fn) - len(base)
    name, slots = partial_slots(base)
    if not slots:
        slots = (1,) * primes                            # f'': the first slot, twice
    counts = {slot: slots.count(slot) for slot in sorted(set(slots))}
    applied = sp.Function(name)
    if all(a.is_Symbol for a in args) and len(set(args)) == len(args):
        return sp.Derivative(applied(*args), *[(args[s - 1], n) for s, n in counts.items()])
    stand_ins = [sp.Dummy("xi") for _ in args]
    derivative = sp.Derivative(applied(*stand_ins), *[(stand_ins[s - 1], n) for s, n in counts.items()])
    return sp.Subs(derivative, stand_ins, args)


def _write_piecewise(sp, node: Piecewise, args: list):
    conditions = [sp.true if c is ONE else w for c, w in zip(node.args[1::2], args[1::2])]
    return sp.Piecewise(*zip(args[::2], conditions))


def _write_derivative(sp, node: Derivative, args: list):
    return sp.Derivative(args[0], sp.Symbol(node.wrt))


# One writer per node type: writer(sympy, node, the children written).
_WRITERS: dict[type, Callable[[Any, Any, list], Any]] = {
    Num: _write_number,
    Const: lambda sp, node, _: getattr(sp, _CONSTANTS[node.name]),
    Sym: lambda sp, node, _: sp.Symbol(node.name),
    Bound: lambda sp, node, _: sp.Symbol(node.name),     # a name of cse's output
    Add: lambda sp, node, terms: sp.Add(*terms),
    Mul: lambda sp, node, factors: sp.Mul(*factors),
    Pow: lambda sp, node, operands: sp.Pow(*operands),
    Call: _write_call,
    Piecewise: _write_piecewise,
    Derivative: _write_derivative,
}


# ---------------------------------------------------------------- SymPy -> symdiff

@bounded
def from_sympy(sympy_expr) -> Expr:
    """The symdiff expression equal to a SymPy expression, built by symdiff's constructors.

    It reads what :func:`to_sympy` writes, and SymPy's own spellings of it (``Rational``,
    ``exp``, ``x**(-1)``, ``Function("f")(x)``, ``Derivative(f(x), x)``, ``Piecewise``, ...).
    Anything else (``Integral``, ``Sum``, a matrix, ``oo``, ``nan``, a function symdiff does not
    know, a symbol whose name is no symdiff variable's) raises
    :class:`~symdiff.errors.CodegenError` naming it.

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> from_sympy(sympy.exp(-x) / x + sympy.Rational(2, 3))
    exp(-x)/x + 2/3
    >>> from_sympy(sympy.Integral(x, x))
    Traceback (most recent call last):
        ...
    symdiff.errors.CodegenError: SymPy's Integral has no symdiff counterpart: Integral(x, x)
    """
    sp = _sympy()
    if isinstance(sympy_expr, sp.MatrixBase):
        raise _unsupported(sympy_expr)
    if not isinstance(sympy_expr, sp.Basic):
        raise TypeError(f"from_sympy takes a SymPy expression, not {type(sympy_expr).__name__}")
    reader = _reader(sp)
    done: dict[Any, Expr] = {}
    # (node, None): not looked at yet; (node, (parts, build)): its parts are done, build it
    stack: list[tuple[Any, Any]] = [(sympy_expr, None)]
    while stack:
        node, plan = stack.pop()
        if plan is None:
            if node in done:
                continue
            plan = reader.plan(node)
            stack.append((node, plan))
            stack.extend((part, None) for part in reversed(plan[0]) if part not in done)
        else:
            parts, build = plan
            done[node] = build([done[p] for p in parts])
    return done[sympy_expr]


def _unsupported(node, why: str = "") -> CodegenError:
    name = type(node).__name__
    return CodegenError(f"SymPy's {name} has no symdiff counterpart{why}: {_short(node)}")


def _short(node) -> str:
    text = str(node)
    return text if len(text) <= 80 else text[:77] + "..."


@functools.cache
def _reader(sp) -> _Reader:
    """The reader of SymPy's nodes, made once (its tables look SymPy's classes up)."""
    return _Reader(sp)


class _Reader:
    """How each kind of SymPy node reads: ``plan(node)`` gives the subexpressions to read
    first and a function that builds the node from them."""

    def __init__(self, sp) -> None:
        self.sp = sp
        self.functions = {_sympy_attribute(path): name for name, path in SYMPY_FUNCTIONS.items()}
        self.functions.update({_sympy_attribute(path): name for path, name in _ALSO_READ.items()})
        self.conditions = {_sympy_attribute(name): fn for fn, name in SYMPY_CONDITIONS.items()}
        self.constants = {sp.pi: PI, sp.E: E, sp.I: I, sp.true: ONE, sp.false: ZERO}
        # SymPy's functions whose reading is more than symdiff's function of the same arguments
        self.special: dict[Any, Callable] = {
            sp.polygamma: self.polygamma, sp.Heaviside: self.heaviside, sp.LambertW: self.lambert,
            sp.Min: self.associative, sp.Max: self.associative,
        }

    def plan(self, node) -> tuple[list, Callable[[list], Expr]]:
        sp = self.sp
        if node in self.constants:
            constant = self.constants[node]
            return [], lambda _: constant
        if node.is_Symbol:
            return [], lambda _: _variable(sp, node)
        if node.is_Number:
            return [], lambda _: _number(node)
        if node.is_Add:
            return list(node.args), lambda terms: add(*terms)
        if node.is_Mul:
            return self.product(node)
        if node.is_Pow:
            return list(node.args), lambda operands: power(*operands)
        if isinstance(node, sp.Piecewise):
            return self.piecewise(node)
        if isinstance(node, sp.Derivative):
            return self.derivative(node)
        if isinstance(node, sp.Subs):
            return self.subs(node)
        if isinstance(node, sp.core.function.AppliedUndef):
            name = _unknown_name(node)
            return list(node.args), lambda args: call(name, *args)
        func = node.func
        if func in self.conditions:
            name = self.conditions[func]
            return list(node.args), lambda args: call(name, *args)
        if func in self.special:
            return self.special[func](node)
        if func in self.functions and isinstance(node, sp.Function):
            return list(node.args), self.function(self.functions[func], node)
        raise _unsupported(node)

    @staticmethod
    def function(name: str, node) -> Callable[[list], Expr]:
        row = FUNCTIONS[name]
        if len(node.args) != row.arity:
            raise _unsupported(node, f" with {len(node.args)} arguments ({name} takes {row.arity})")
        return lambda args: call(name, *args)

    def product(self, node):
        """A product; log(u)/log(b), as SymPy writes log(u, b), reads as log2(u), log10(u) or
        log(u, b) for a number b > 0 other than 1 (log(u)^2/log(2)^2 as log2(u)^2)."""
        sp = self.sp
        kept, numerators, denominators = [], [], {}
        for f in node.args:
            log, n = (f, 1) if isinstance(f, sp.log) else \
                     (f.base, int(f.exp)) if f.is_Pow and isinstance(f.base, sp.log) and f.exp.is_Integer \
                     else (None, 0)
            if log is not None and n < 0 and _is_base(log.args[0]):
                denominators[log.args[0]] = -n
            elif log is not None and n > 0:
                numerators.append([log.args[0], n])
            else:
                kept.append(f)
        if not denominators or not numerators:
            return list(node.args), lambda parts: mul(*parts)
        fused = []                    # (u, b, n): log(u)^n/log(b)^n, read as a logarithm's power
        for exact in (True, False):   # log(u)^n over log(b)^n first, then whatever is left
            for b, k in denominators.items():
                for numerator in numerators:
                    u, n = numerator
                    taken = min(k, n)
                    if taken and (taken == n == k or not exact):
                        fused.append((u, b, taken))
                        numerator[1] -= taken
                        k -= taken
                denominators[b] = k
        kept += [sp.Pow(sp.log(b), -k) for b, k in denominators.items() if k]
        kept += [sp.Pow(sp.log(u), n) for u, n in numerators if n]

        def build(parts: list) -> Expr:
            logs = [power(_logarithm(u, b), Num(n)) for u, (_, b, n) in zip(parts[len(kept):], fused)]
            return mul(*parts[:len(kept)], *logs)
        return kept + [u for u, _, _ in fused], build

    def piecewise(self, node):
        """A piecewise form; SymPy's real cube root real_root(u, 3) reads as cbrt(u)."""
        sp = self.sp
        last = node.args[-1].expr
        if len(node.args) == 2 and last.is_Pow and last.exp == sp.Rational(1, 3) \
                and node == sp.real_root(last.base, 3):
            return [last.base], lambda parts: call("cbrt", parts[0])
        pairs = [part for pair in node.args for part in pair.args]
        return pairs, lambda parts: piecewise(*zip(parts[::2], parts[1::2]))

    def derivative(self, node):
        """The derivative of an unknown function at distinct variables, f'(x) or D[1,2](f)(x, y);
        any other is symdiff's d/dx(...) node, once for each variable and order."""
        sp = self.sp
        variables = [v for v, n in node.variable_count for _ in range(int(n))]
        if any(not v.is_Symbol for v in variables):
            raise _unsupported(node, " (derivatives by anything but symbols)")
        name = self.partial(node.expr, variables)
        if name is not None:
            return list(node.expr.args), lambda args: call(name, *args)
        wrts = [_variable(sp, v).name for v in variables]

        def build(parts: list) -> Expr:
            result = parts[0]
            for wrt in wrts:
                result = Derivative(result, wrt)
            return result
        return [node.expr], build

    def partial(self, applied, variables: list) -> str | None:
        """The name of the derivative of ``applied`` = f(u1, ..., un) by ``variables``, each
        of which is one argument ui and occurs in no other, or None if it is no such derivative."""
        args = applied.args
        if not isinstance(applied, self.sp.core.function.AppliedUndef):
            return None
        for v in set(variables):
            if args.count(v) != 1 or any(v in a.free_symbols for a in args if a != v):
                return None
        name = _unknown_name(applied)
        if len(args) == 1:
            return name + "'" * len(variables)
        return partial_name(name, [args.index(v) + 1 for v in variables])

    def subs(self, node):
        """Subs(Derivative(f(xi), xi), xi, u), as SymPy writes f'(u): the derivative of an
        unknown function at arguments that are not variables."""
        derivative = node.expr
        if isinstance(derivative, self.sp.Derivative):
            variables = [v for v, n in derivative.variable_count for _ in range(int(n))]
            name = self.partial(derivative.expr, variables)
            if name is not None:
                at = dict(zip(node.variables, node.point))
                args = [a.xreplace(at) for a in derivative.expr.args]
                return args, lambda parts: call(name, *parts)
        raise _unsupported(node, " other than the derivative of an undefined function at a point")

    def polygamma(self, node):
        """polygamma(0, u), as SymPy writes digamma(u), reads as digamma(u)."""
        n, u = node.args
        if n == 0:
            return [u], lambda parts: call("digamma", parts[0])
        return [n, u], lambda parts: call("polygamma", *parts)

    def heaviside(self, node):
        u, *at_zero = node.args
        if at_zero and at_zero[0] != self.sp.S.Half:
            raise _unsupported(node, f" with H(0) = {at_zero[0]} (symdiff's H(0) is 1/2)")
        return [u], lambda parts: call("Heaviside", parts[0])

    def lambert(self, node):
        if len(node.args) > 1 and node.args[1] != 0:
            raise _unsupported(node, " on a branch other than the principal one")
        return [node.args[0]], lambda parts: call("LambertW", parts[0])

    def associative(self, node):
        """Min and Max of several arguments: min(min(a, b), c), as symdiff reads min(a, b, c)."""
        name = "min" if node.func is self.sp.Min else "max"

        def build(parts: list) -> Expr:
            result = parts[0]
            for p in parts[1:]:
                result = call(name, result, p)
            return result
        return list(node.args), build


def _is_base(b) -> bool:
    """A number that log(u)/log(b) reads as a logarithm to the base b."""
    return bool(b.is_Rational and b.is_positive and b != 1)


def _logarithm(u: Expr, base) -> Expr:
    if base == 2:
        return call("log2", u)
    if base == 10:
        return call("log10", u)
    return call("log", u, _number(base))


def _number(node) -> Num:
    if node.is_Integer:
        return Num(int(node))
    if node.is_Rational:
        return Num(Fraction(int(node.p), int(node.q)))
    if node.is_Float:
        return Num(float(node))
    raise _unsupported(node)


def _variable(sp, node) -> Sym:
    if type(node) is not sp.Symbol:
        raise _unsupported(node, f" ({type(node).__name__} symbols are SymPy's own)")
    try:
        return Sym(node.name)
    except ValueError as error:
        raise CodegenError(f"SymPy's symbol {node.name!r} cannot be a symdiff variable: {error}") from None


def _unknown_name(node) -> str:
    """The name of an undefined function, which symdiff's unknown function takes."""
    name = node.func.__name__
    if not (name.isidentifier() and name.isascii()):
        raise CodegenError(f"SymPy's undefined function {name!r} cannot be a symdiff function: "
                           f"its name must be an ASCII identifier")
    if is_reserved(name) or lookup(name, len(node.args)) is not None:
        raise CodegenError(f"SymPy's undefined function {name!r} has the name of symdiff's "
                           f"built-in {name}; rename it")
    return name


__all__ = ["to_sympy", "from_sympy", "SYMPY_FUNCTIONS", "SYMPY_FORMULAS", "SYMPY_CONDITIONS"]
