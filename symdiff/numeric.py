"""Numerical differentiation: finite differences, Richardson extrapolation, complex step.

Every method returns an :class:`Estimate`: the value, an estimate of its error,
the step used and the method's name.  Steps are chosen to balance truncation
against rounding error: about sqrt(eps)*max(1, |x|) for one-sided differences
and cbrt(eps)*max(1, |x|) for central ones; pass ``h`` to override.

>>> import math
>>> d = central_difference(math.sin, 1.0)
>>> abs(d.value - math.cos(1.0)) < 1e-9, d.error < 1e-8
(True, True)
>>> from symdiff import parse
>>> round(partial(parse("log(x) + x*y - sin(y)"), "x", {"x": 2, "y": 5}).value, 8)
5.5
"""

from __future__ import annotations

import cmath
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from .errors import EvaluationError
from .evaluate import (ROOT_EXPONENTS, Algebra, FloatOverflow, Overflows, compile_function, evaluate,
                       interpret)
from .expr import Add, Call, Const, Expr, Mul, Num, Pow, Sym, expression, postorder
from .functions import lookup

EPS = sys.float_info.epsilon


class Estimate(NamedTuple):
    """A numerical derivative with an estimate of its absolute error."""

    value: float
    error: float
    step: float
    method: str


def one_sided_step(x: float) -> float:
    """sqrt(eps)*max(1, |x|): balances O(h) truncation against O(eps/h) rounding."""
    return math.sqrt(EPS) * max(1.0, abs(x))


def central_step(x: float) -> float:
    """cbrt(eps)*max(1, |x|): balances O(h^2) truncation against O(eps/h) rounding."""
    return EPS ** (1 / 3) * max(1.0, abs(x))


def _rounding(f0: float, h: float, x: float = 0.0, slope: float = 0.0) -> float:
    """Rounding error of a difference quotient: the function values (a few eps each, and
    x + h itself rounded) divided by the step."""
    return 4 * EPS * (max(1.0, abs(f0)) + abs(x * slope)) / h


def _step(h: float | None, default: float) -> float:
    if h is None:
        return default
    if not h > 0:
        raise ValueError(f"the step h must be positive, not {h!r}")
    return float(h)


# The truncation error is estimated from the same formula with step 2h; the estimate is
# doubled so that it bounds the true error, not just matches its leading term.
SAFETY = 2.0


def forward_difference(f: Callable[[float], float], x: float, h: float | None = None) -> Estimate:
    """(f(x+h) - f(x)) / h; error estimated from the same formula with step 2h."""
    h = _step(h, one_sided_step(x))
    f0 = f(x)
    d1 = (f(x + h) - f0) / h
    d2 = (f(x + 2 * h) - f0) / (2 * h)
    return Estimate(d1, SAFETY * abs(d2 - d1) + _rounding(f0, h, x, d1), h, "forward difference")


def backward_difference(f: Callable[[float], float], x: float, h: float | None = None) -> Estimate:
    """(f(x) - f(x-h)) / h."""
    h = _step(h, one_sided_step(x))
    f0 = f(x)
    d1 = (f0 - f(x - h)) / h
    d2 = (f0 - f(x - 2 * h)) / (2 * h)
    return Estimate(d1, SAFETY * abs(d2 - d1) + _rounding(f0, h, x, d1), h, "backward difference")


def central_difference(f: Callable[[float], float], x: float, h: float | None = None) -> Estimate:
    """(f(x+h) - f(x-h)) / 2h; the truncation error is about a third of D(2h) - D(h)."""
    h = _step(h, central_step(x))
    d1 = (f(x + h) - f(x - h)) / (2 * h)
    d2 = (f(x + 2 * h) - f(x - 2 * h)) / (4 * h)
    return Estimate(d1, SAFETY * abs(d2 - d1) / 3 + _rounding(f(x), h, x, d1), h,
                    "central difference")


def richardson(f: Callable[[float], float], x: float, h: float | None = None,
               levels: int = 4) -> Estimate:
    """Central differences at h, h/2, h/4, ... combined to cancel h^2, h^4, ... terms."""
    h = _step(h, 0.1 * max(1.0, abs(x)))
    table: list[list[float]] = []
    for k in range(levels):
        step = h / 2 ** k
        row = [(f(x + step) - f(x - step)) / (2 * step)]
        for j in range(1, k + 1):
            factor = 4 ** j
            row.append(row[j - 1] + (row[j - 1] - table[k - 1][j - 1]) / (factor - 1))
        table.append(row)
    best, previous = table[-1][-1], table[-2][-2] if levels > 1 else table[-1][-1]
    return Estimate(best, SAFETY * abs(best - previous) + _rounding(f(x), h / 2 ** (levels - 1)), h,
                    "Richardson extrapolation")


def complex_step(f: Callable[[complex], complex], x: float, h: float = 1e-20) -> Estimate:
    """Im f(x + ih) / h: no subtraction, so no cancellation; exact to rounding for
    functions analytic near x."""
    value = f(complex(x, h)).imag / h
    return Estimate(value, 4 * EPS * max(1.0, abs(value)), h, "complex step")


METHODS: dict[str, Callable[..., Estimate]] = {
    "forward": forward_difference, "backward": backward_difference, "central": central_difference,
    "richardson": richardson, "complex": complex_step,
}


# ---------------------------------------------------------------- on expressions

def complex_evaluate(expr: Expr, point: Mapping[str, complex]) -> complex:
    """The expression evaluated in complex arithmetic (for the complex-step method).

    Overflow follows the real paths (see :mod:`symdiff.evaluate`), judged by real parts:
    a function that overflows goes on with its value at the infinity on its argument's
    side, a later step on that infinity must be :func:`~symdiff.evaluate.trusted`, and a
    result that is not finite is an error.

    >>> from symdiff import parse
    >>> complex_evaluate(parse("x/cosh(x)"), {"x": 1000 + 1e-20j})
    0j
    """
    overflows = Overflows()
    value = interpret(postorder(expr), COMPLEX, point, overflows)
    result = overflows.check(value[expr])
    if not cmath.isfinite(result) and all(cmath.isfinite(v) for v in point.values()):
        raise EvaluationError("the result overflows the float range")
    return result


def _complex_node(node: Expr, value: Mapping[Expr, complex], point: Mapping[str, complex]) -> complex:
    """One node's complex value from its children's."""
    match node:
        case Num(v):
            return complex(float(v))
        case Const(name) if name in Const.VALUES:
            return complex(Const.VALUES[name])
        case Const():
            raise EvaluationError("the complex step cannot run through the imaginary unit I: "
                                  "its imaginary part would mix with the step's; use another "
                                  "method (central, richardson)")
        case Sym(name):
            return complex(point[name])
        case Add(terms):
            result = sum(value[t] for t in terms)
        case Mul(factors):
            result = complex(1.0)
            for f in factors:
                result *= value[f]
        case Pow(base, exp):
            b, e = value[base], value[exp]
            if not cmath.isfinite(b) and e.imag == 0 and e.real < 0:
                return 0j                         # a negative power of an overflowed value
            try:
                if exp in ROOT_EXPONENTS:
                    # sqrt(u) and 1/sqrt(u): the principal branch, as exact as cmath makes it
                    return cmath.sqrt(b) if e.real > 0 else 1 / cmath.sqrt(b)
                if b == 0 and e.real > 0:
                    return 0j                     # 0^u = 0 for u > 0: constant, so its step is 0
                if e.imag == 0 and float(e.real).is_integer():
                    # An integer power stays exact (and defined) for negative real bases.
                    return _integer_power(b, int(e.real))
                return b ** e
            except OverflowError:
                raise FloatOverflow(f"({_show(b.real)})^{_show(e.real)} overflows the float range",
                                    complex(math.inf)) from None  # type: ignore[arg-type]  # a complex walk goes on with a complex infinity
        case Call(fn, args):
            function = lookup(fn, len(args))
            if function is None:
                raise EvaluationError(f"{fn} is an unknown function without a numeric value")
            if function.complex is None:
                raise EvaluationError(f"{fn} has no complex value in the function table, so the "
                                      f"complex step cannot run through it")
            if len(args) != 1:
                return function.complex(*(value[a] for a in args))
            z = value[args[0]]
            try:
                return function.complex(z)
            except OverflowError:
                pass
            # as beyond_range does for the real values: the value at the infinity on z's side
            message = f"{fn}({_show(z.real)}) overflows the float range"
            try:
                limit = function.complex(complex(math.copysign(math.inf, z.real), 0.0))
            except (ArithmeticError, ValueError):
                raise EvaluationError(message) from None
            if cmath.isfinite(limit):
                return limit
            raise FloatOverflow(message, limit)  # type: ignore[arg-type]  # a complex infinity, as above
        case _:
            raise TypeError(node)
    operands = [value[c] for c in node.children]             # a sum or a product
    if not cmath.isfinite(result) and all(map(cmath.isfinite, operands)):
        return _without_running_overflow(type(node), operands)
    return result


# EvaluationError is an ArithmeticError; cmath's errors count too (sin(inf) after cosh).
COMPLEX = Algebra(_complex_node, (ArithmeticError, ValueError), lambda z: complex(z).real)


def _without_running_overflow(kind: type, operands: list[complex]) -> complex:
    """A complex sum or product of finite operands that overflowed in running order,
    computed again with operands scaled by powers of two (as the real paths do): its
    value, or a FloatOverflow if that is beyond the float range too."""
    def scaled(z: complex, k: int) -> complex:
        return complex(math.ldexp(z.real, k), math.ldexp(z.imag, k))

    def exponent(z: complex) -> int:
        return math.frexp(max(abs(z.real), abs(z.imag)))[1]

    if kind is Add:
        scale = len(operands).bit_length() + 1
        total = sum(scaled(z, -scale) for z in operands)
    else:
        total, scale = complex(1.0), 0
        for z in operands:
            k = exponent(z)
            total *= scaled(z, -k)
            carry = exponent(total)
            total, scale = scaled(total, -carry), scale + k + carry
    try:
        return scaled(total, scale)
    except OverflowError:
        what = "a sum" if kind is Add else "a product"
        raise FloatOverflow(f"{what} overflows the float range",
                            complex(math.copysign(math.inf, total.real))) from None  # type: ignore[arg-type]  # as above


def _integer_power(b: complex, n: int) -> complex:
    """b^n; a negative power whose b^|n| is beyond the float range as (1/b)^|n|, which
    underflows to its true size instead (cosh(710)^-2 is 0, not nan)."""
    if n < 0:
        try:
            result = b ** n
        except OverflowError:
            result = complex(math.nan)
        return result if cmath.isfinite(result) else (1 / b) ** -n
    return b ** n


def _show(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(x)


def partial(expr: Expr, wrt: str, point: Mapping[str, float], method: str = "central",
            h: float | None = None) -> Estimate:
    """∂expr/∂wrt at ``point`` by a numerical method (see ``METHODS``).

    >>> partial(Sym("x")**3, "x", {"x": 2.0}, "complex").value
    12.0
    """
    expr = expression(expr, "partial", "parse")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    point = {k: float(v) for k, v in point.items()}
    evaluate(expr, point)                           # the point must be in the domain
    x0 = point[wrt] if wrt in point else 0.0
    if method == "complex":
        def at_complex(z: complex) -> complex:
            return complex_evaluate(expr, {**point, wrt: z})
        return complex_step(at_complex, x0) if h is None else complex_step(at_complex, x0, h)
    names = sorted(expr.free | {wrt})
    compiled = compile_function(expr, names)
    position = names.index(wrt)
    base = [point.get(n, 0.0) for n in names]

    def at(x: float) -> float:
        args = list(base)
        args[position] = x
        return compiled(*args)
    return METHODS[method](at, x0, h)


def numeric_gradient(expr: Expr, point: Mapping[str, float], variables: Sequence[str] | None = None,
                     method: str = "central") -> dict[str, Estimate]:
    """Every partial derivative by one numerical method.

    >>> x, y = Sym("x"), Sym("y")
    >>> g = numeric_gradient(x*y, {"x": 2.0, "y": 3.0})
    >>> round(g["x"].value, 8), round(g["y"].value, 8)
    (3.0, 2.0)
    """
    expr = expression(expr, "numeric_gradient")
    names = sorted(expr.free) if variables is None else list(variables)
    return {name: partial(expr, name, point, method) for name in names}
