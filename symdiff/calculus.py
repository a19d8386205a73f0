"""Calculus around the derivative: exact values at a point, and the operators of vector
calculus (Laplacian, divergence, curl, directional derivative) built on the partials.

A value at a point is exact when the point is (whole numbers, fractions, multiples of pi,
roots): the point is substituted and the simplifier folds what it knows, so
``cos(pi/3)`` is ``1/2`` and ``sqrt(8)`` is ``2*sqrt(2)``.  A float anywhere gives a float.

>>> from symdiff import parse
>>> exact_value(parse("3*x^2"), {"x": parse("1/3")})
1/3
>>> exact_value(parse("sin(x) + sqrt(x/pi)"), {"x": parse("pi/8")})
sqrt(2)/4 + sin(pi/8)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import NamedTuple, Protocol

from .diff import diff
from .errors import DiffError, EvaluationError, UsageError
from .evaluate import evaluate
from .expr import HALF, Call, Expr, Mul, Num, Pow, Sym, add, as_expr, call, mul, postorder, power, substitute
from .simplify import simplify


class Equation(Protocol):
    """An equation's two sides (:class:`symdiff.parser.Equation` is one)."""

    @property
    def lhs(self) -> Expr: ...
    @property
    def rhs(self) -> Expr: ...

EXACT_SHOWN = 40          # the most nodes of an exact value printed beside the float


def exact_value(expr: Expr, point: Mapping[str, object]) -> Expr:
    """``expr`` at ``point`` ({name: number or constant expression}), exactly: the values
    substituted and the result simplified.  Names the point does not give stay."""
    return simplify(substitute(expr, {name: as_expr(value) for name, value in point.items()}))


def is_exact(value: Expr) -> bool:
    """A constant with no float in it: 1/3, 2*sqrt(2), pi/4 + 1, cos(1)."""
    return not value.free and not any(type(n) is Num and isinstance(n.value, float)
                                      for n in postorder(value))


def shown_exactly(value: Expr, approximate: float | complex) -> Expr | None:
    """The exact value worth printing beside ``approximate``: exact, small
    (:data:`EXACT_SHOWN` nodes), and in agreement with the float (a check on the
    simplifier); None otherwise."""
    nodes = postorder(value)
    if not is_exact(value) or len(nodes) > EXACT_SHOWN or isinstance(approximate, complex):
        return None
    try:
        again = evaluate(value)
    except EvaluationError:
        return None
    if not math.isclose(again, approximate, rel_tol=1e-9, abs_tol=1e-12):   # sin(pi): 0 and 1.2e-16
        return None
    return value


# ---------------------------------------------------------------- vector calculus

def laplacian(f: Expr, variables: list[str]) -> Expr:
    """The sum of the unmixed second partials, d^2f/dx^2 + d^2f/dy^2 + ...

    >>> from symdiff import parse
    >>> laplacian(parse("x^2*y + y^3"), ["x", "y"])
    8*y
    """
    return simplify(add(*(diff(f, name, 2) for name in variables)))


def divergence(field: list[Expr], variables: list[str]) -> Expr:
    """dF1/dx1 + dF2/dx2 + ..., one component per variable.

    >>> from symdiff import parse
    >>> divergence([parse("x*y"), parse("y*z"), parse("z*x")], ["x", "y", "z"])
    x + y + z
    """
    _one_component_each(field, variables, "divergence")
    return simplify(add(*(diff(component, name) for component, name in zip(field, variables))))


def curl(field: list[Expr], variables: list[str]) -> list[Expr]:
    """The curl of a field of three components in three variables (x, y, z):
    (dFz/dy - dFy/dz, dFx/dz - dFz/dx, dFy/dx - dFx/dy).

    >>> from symdiff import parse
    >>> curl([parse("-y"), parse("x"), parse("0")], ["x", "y", "z"])
    [0, 0, 2]
    """
    _one_component_each(field, variables, "curl")
    if len(field) != 3:
        raise UsageError(f"curl takes a field of three components in three variables, "
                         f"not {len(field)}")
    (fx, fy, fz), (x, y, z) = field, variables

    def minus(a: Expr, b: Expr) -> Expr:
        return simplify(add(a, mul(Num(-1), b)))
    return [minus(diff(fz, y), diff(fy, z)), minus(diff(fx, z), diff(fz, x)), minus(diff(fy, x), diff(fx, y))]


def directional_derivative(f: Expr, variables: list[str], direction: list[Expr]) -> Expr:
    """The rate of change of ``f`` along ``direction``, made a unit vector: grad f . u/|u|
    (as Wolfram|Alpha and the textbooks define it).

    >>> from symdiff import parse
    >>> directional_derivative(parse("x^2 + y^2"), ["x", "y"], [parse("3"), parse("4")])
    6*x/5 + 8*y/5
    """
    _one_component_each(direction, variables, "directional_derivative's direction")
    length = power(add(*(power(c, Num(2)) for c in direction)), HALF)
    if simplify(length) == Num(0):
        raise UsageError("directional_derivative needs a direction other than the zero vector")
    along = add(*(mul(diff(f, name), c) for name, c in zip(variables, direction)))
    return simplify(mul(along, power(length, Num(-1))))


def _one_component_each(field: list[Expr], variables: list[str], what: str) -> None:
    if len(field) != len(variables):
        raise UsageError(f"{what} needs one component for each variable: {len(field)} "
                         f"components, {len(variables)} variables")


# ---------------------------------------------------------------- implicit differentiation

def implicit_diff(equation: Equation, y: str, x: str, order: int = 1) -> Expr:
    """dy/dx (or the ``order``-th derivative) of y defined by ``equation`` as a function of
    x: with F = lhs - rhs, y' = -F_x/F_y, and each further derivative the total derivative
    d/dx g(x, y) = g_x + g_y * y', in x and y.

    >>> from symdiff import parse_equation
    >>> implicit_diff(parse_equation("x^2 + y^2 = 1"), "y", "x")
    -x/y
    """
    if order < 1:
        raise UsageError(f"implicit differentiation takes an order of 1 or more, not {order}")
    f = add(equation.lhs, mul(Num(-1), equation.rhs))
    if y not in f.free:
        raise UsageError(f"the equation does not contain {y}, so it does not define {y} "
                         f"as a function of {x}")
    slope = simplify(mul(Num(-1), diff(f, x), power(diff(f, y), Num(-1))))
    derivative = slope
    for _ in range(order - 1):
        derivative = simplify(add(diff(derivative, x), mul(diff(derivative, y), slope)))
    return derivative


# ---------------------------------------------------------------- Taylor series, tangents

def taylor_coefficients(f: Expr, x: str, a: Expr, order: int) -> list[Expr]:
    """f^(k)(a)/k! for k = 0..order, exact where ``a`` is; an error where f or a derivative
    is undefined at a (no Taylor series there)."""
    coefficients, derivative = [], f
    # the other variables at a generic point: a derivative undefined at a for them too has no series
    others = {name: 0.5772156649 + 0.1 * k for k, name in enumerate(sorted(f.free - {x}))}
    for k in range(order + 1):
        try:
            evaluate(derivative, {**others, x: evaluate(a)})
        except EvaluationError as error:
            what = "the function" if k == 0 else f"its {_ordinal(k)} derivative"
            raise EvaluationError(f"no Taylor series at {x} = {a}: {what} is undefined there "
                                  f"({error})") from None
        coefficients.append(simplify(mul(exact_value(derivative, {x: a}), Num(Fraction(1, math.factorial(k))))))
        derivative = diff(derivative, x)
    return coefficients


class Series(NamedTuple):
    """A Taylor polynomial about x = a: its terms c_k*(x - a)^k in ascending order (zero
    terms left out), printed in that order with the remainder O((x - a)^(order + 1)).
    ``polynomial`` is the sum, an expression to compute with."""

    terms: tuple[Expr, ...]
    x: str
    a: Expr
    order: int

    @property
    def polynomial(self) -> Expr:
        return add(*self.terms)

    @property
    def remainder(self) -> Expr:
        """(x - a)^(order + 1), of which the remainder is O(...)."""
        return power(_shift(self.x, self.a), Num(self.order + 1))

    def __str__(self) -> str:
        from .printing import to_text
        return _joined([to_text(t) for t in self.terms] + [f"O({to_text(self.remainder)})"])

    def latex(self, **options) -> str:
        from .latex import to_latex
        return _joined([to_latex(t, **options) for t in self.terms]
                       + [rf"O\!\left({to_latex(self.remainder, **options)}\right)"])

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def _joined(texts: list[str]) -> str:
    """Terms joined by + and -, in the order given: x - x^3/6 + O(x^5)."""
    out = texts[0]
    for text in texts[1:]:
        out += f" - {text[1:]}" if text.startswith("-") else f" + {text}"
    return out


def _shift(x: str, a: Expr) -> Expr:
    return add(Sym(x), mul(Num(-1), a))


def series(f: Expr, x: str, a: Expr | float = 0, order: int = 5) -> Series:
    """The Taylor polynomial of ``f`` about x = ``a`` up to (x - a)^order, exact where ``a``
    is; the remainder is O((x - a)^(order + 1)).

    >>> from symdiff import parse
    >>> print(series(parse("exp(x)"), "x", 0, 3))
    1 + x + x^2/2 + x^3/6 + O(x^4)
    >>> print(series(parse("log(x)"), "x", 1, 3))
    x - 1 - (x - 1)^2/2 + (x - 1)^3/3 + O((x - 1)^4)
    >>> series(parse("sin(x)"), "x", 0, 5).polynomial
    x^5/120 - x^3/6 + x
    """
    if order < 0:
        raise UsageError(f"a series takes an order of 0 or more, not {order}")
    a = as_expr(a)
    coefficients = taylor_coefficients(f, x, a, order)
    terms = tuple(mul(c, power(_shift(x, a), Num(k))) for k, c in enumerate(coefficients) if c is not Num(0))
    return Series(terms or (Num(0),), x, a, order)


def tangent(f: Expr, point: Mapping[str, object]) -> Expr:
    """The tangent line (one variable) or plane (several) of z = f at ``point``:
    f(a) + sum of f_xi(a)*(xi - ai), exact where the point is.

    >>> from symdiff import parse
    >>> tangent(parse("x^2"), {"x": 3})
    6*x - 9
    """
    values = {name: as_expr(v) for name, v in point.items()}
    missing = sorted(f.free - values.keys())
    if missing:
        raise UsageError(f"the tangent needs a value for {', '.join(missing)}")
    terms = [exact_value(f, values)]
    for name, a in values.items():
        terms.append(mul(exact_value(diff(f, name), values), add(Sym(name), mul(Num(-1), a))))
    return simplify(add(*terms))


def _ordinal(k: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(k, f"{k}th")


# ---------------------------------------------------------------- critical points

class CriticalPoint(NamedTuple):
    """Where f' = 0: the point, the value there, and its kind by the second derivative
    (local minimum, local maximum, or stationary: f'' = 0 there, the test says nothing)."""

    where: Expr
    value: Expr
    kind: str


def critical_points(f: Expr, x: str) -> list[CriticalPoint]:
    """The real points where f'(x) = 0, exactly: the numerator of f' as a polynomial in x (or
    in log(x) or exp(x) alone), its rational roots and the roots of its quadratic factors.
    Refused (an error saying "no closed form") where f' is none of these or keeps a factor of
    degree 3 or more.

    >>> from symdiff import parse
    >>> [(str(p.where), p.kind) for p in critical_points(parse("x^3 - 3*x"), "x")]
    [('-1', 'local maximum'), ('1', 'local minimum')]
    >>> [(str(p.where), str(p.value)) for p in critical_points(parse("log(x)/x"), "x")]
    [('exp(1)', 'exp(-1)')]
    """
    from .forms import NoRationalForm, rational
    from .poly import factor
    derivative = diff(f, x)
    if x not in derivative.free:
        if derivative is Num(0):
            raise DiffError("the derivative is 0: every point is critical")
        return []
    try:
        numerator, _, gens = rational(_vanishing_part(derivative))
    except NoRationalForm:
        gens = []
    # a polynomial in x, or in log(x) or exp(x) alone: x from each root u of the polynomial
    back = {Sym(x): lambda u: u, call("log", Sym(x)): lambda u: call("exp", u),
            call("exp", Sym(x)): lambda u: call("log", u)}.get(gens[0]) if len(gens) == 1 else None
    if back is None:
        raise DiffError(f"no closed form: the critical points solve {derivative} = 0, which is "
                        f"not a polynomial equation in {x}, log({x}) or exp({x})")
    _, factors = factor(numerator)
    roots: list[Expr] = []
    for piece, _ in factors:
        coefficients = [Fraction(piece.terms.get((k,), 0)) for k in range(piece.degree(0) + 1)]
        if len(coefficients) == 2:
            roots.append(Num(-coefficients[0] / coefficients[1]))
        elif len(coefficients) == 3:
            c, b, a = coefficients
            disc = b * b - 4 * a * c
            if disc >= 0:
                root = power(Num(disc), HALF)
                for sign in (-1, 1):
                    roots.append(simplify(mul(add(Num(-b), mul(Num(sign), root)),
                                              Num(1 / (2 * a)))))
        else:
            raise DiffError(f"no closed form: the critical points solve {derivative} = 0, and "
                            f"{piece.format([str(gens[0])])} = 0 has degree {len(coefficients) - 1}")
    second = diff(derivative, x)
    found = []
    for root in (simplify(back(u)) for u in roots):
        try:
            value = exact_value(f, {x: root})
            evaluate(value)
            curvature = evaluate(exact_value(second, {x: root}))
        except EvaluationError:
            continue                                    # f' = 0 where f is undefined: not a point
        kind = "local minimum" if curvature > 0 else "local maximum" if curvature < 0 else "stationary"
        found.append(CriticalPoint(root, value, kind))
    return sorted(found, key=lambda p: evaluate(p.where))


def _vanishing_part(e: Expr) -> Expr:
    """The factors of a product that can be zero: numbers, exp(u) and cosh(u) never are, and
    a negative power is undefined at its zeros, not zero (-2*x*exp(-x^2) -> x)."""
    if type(e) is not Mul:
        return e
    kept = [f for f in e.factors if not (type(f) is Num or type(f) is Call and f.fn in ("exp", "cosh")
                                         or type(f) is Pow and type(f.exp) is Num and f.exp.value < 0)]
    return mul(*kept)
