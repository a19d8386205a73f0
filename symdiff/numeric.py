"""Numerical differentiation: finite differences, Richardson extrapolation, complex step.

Every method returns an :class:`Estimate`: the value, an estimate of its error,
the step used and the method's name.  Steps are chosen to balance truncation
against rounding error: about sqrt(eps)*max(1, |x|) for one-sided differences
and cbrt(eps)*max(1, |x|) for central ones; pass ``h`` to override.

>>> import math
>>> d = central_difference(math.sin, 1.0)
>>> abs(d.value - math.cos(1.0)) < 1e-9, d.error < 1e-8
(True, True)
>>> round(partial("log(x) + x*y - sin(y)", "x", {"x": 2, "y": 5}).value, 8)
5.5
"""

from __future__ import annotations

import cmath
import math
import sys
from typing import Callable, Mapping, NamedTuple, Sequence

from .errors import EvaluationError
from .evaluate import ROOT_EXPONENTS, compile_function, evaluate
from .expr import Add, Call, Const, Expr, Mul, Num, Pow, Sym, postorder
from .functions import COMPLEX, LOG_BASE_COMPLEX
from .parser import parse

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


METHODS = {
    "forward": forward_difference, "backward": backward_difference, "central": central_difference,
    "richardson": richardson, "complex": complex_step,
}


# ---------------------------------------------------------------- on expressions

def complex_evaluate(expr: Expr, point: Mapping[str, complex]) -> complex:
    """The expression evaluated in complex arithmetic (for the complex-step method)."""
    value: dict[Expr, complex] = {}
    for node in postorder(expr):
        match node:
            case Num(v):
                result = complex(float(v))
            case Const(name):
                result = complex(Const.VALUES[name])
            case Sym(name):
                result = complex(point[name])
            case Add(terms):
                result = sum(value[t] for t in terms)
            case Mul(factors):
                result = complex(1.0)
                for f in factors:
                    result *= value[f]
            case Pow(base, exp):
                b, e = value[base], value[exp]
                if exp in ROOT_EXPONENTS:
                    # sqrt(u) and 1/sqrt(u): the principal branch, as exact as cmath makes it
                    result = cmath.sqrt(b) if e.real > 0 else 1 / cmath.sqrt(b)
                elif e.imag == 0 and float(e.real).is_integer():
                    # An integer power stays exact (and defined) for negative real bases.
                    result = b ** int(e.real)
                else:
                    result = b ** e
            case Call(fn, args):
                if fn == "log" and len(args) == 2:
                    result = LOG_BASE_COMPLEX(value[args[0]], value[args[1]])
                elif fn in COMPLEX:
                    result = COMPLEX[fn](value[args[0]])
                else:
                    raise EvaluationError(f"{fn} is a declared function without a numeric value")
        value[node] = result
    return value[expr]


def partial(expr, wrt: str, point: Mapping[str, float], method: str = "central",
            h: float | None = None) -> Estimate:
    """∂expr/∂wrt at ``point`` by a numerical method (see ``METHODS``).

    >>> partial("x^3", "x", {"x": 2.0}, "complex").value
    12.0
    """
    expr = parse(expr)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    point = {k: float(v) for k, v in point.items()}
    evaluate(expr, point)                           # the point must be in the domain
    x0 = point[wrt] if wrt in point else 0.0
    if method == "complex":
        def f(z: complex) -> complex:
            return complex_evaluate(expr, {**point, wrt: z})
        return complex_step(f, x0) if h is None else complex_step(f, x0, h)
    names = sorted(expr.free | {wrt})
    compiled = compile_function(expr, names)
    position = names.index(wrt)
    base = [point.get(n, 0.0) for n in names]

    def f(x: float) -> float:
        args = list(base)
        args[position] = x
        return compiled(*args)
    return METHODS[method](f, x0, h)


def numeric_gradient(expr, point: Mapping[str, float], variables: Sequence[str] | None = None,
                     method: str = "central") -> dict[str, Estimate]:
    """Every partial derivative by one numerical method.

    >>> g = numeric_gradient("x*y", {"x": 2.0, "y": 3.0})
    >>> round(g["x"].value, 8), round(g["y"].value, 8)
    (3.0, 2.0)
    """
    expr = parse(expr)
    names = sorted(expr.free) if variables is None else list(variables)
    return {name: partial(expr, name, point, method) for name in names}
