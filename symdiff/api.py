"""The public API: where text becomes expressions.

Each function here takes a formula as text or as an expression (``str | Expr``; a list of
them where the work takes a list), reads text with :func:`symdiff.parse` (declaring the
``functions=`` it offers, and within the ``limits=`` it offers, so that reading is bounded
as the work is), and hands the expression to the module that does the work:
:mod:`symdiff.diff`, :mod:`symdiff.simplify`, :mod:`symdiff.evaluate`,
:mod:`symdiff.printing`, and (loaded on first use) :mod:`symdiff.latex`,
:mod:`symdiff.numeric`, :mod:`symdiff.autodiff` and :mod:`symdiff.explain`.  Those modules
take expressions only; given text, they name the function here that reads it.
``symdiff.diff`` and the other names the package exports are these functions.

>>> from symdiff import api, parse
>>> api.diff("x*sin(x)", "x") is api.diff(parse("x*sin(x)"), "x")
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from . import calculus, diff as differentiation, evaluate as evaluation, printing, simplify as simplification
from .errors import DiffError
from .expr import Expr, Sym
from .limits import Limits, bounded
from .matrix import Matrix
from .parser import Equation, parse, parse_equation

if TYPE_CHECKING:                       # loaded on first use, below
    from .explain import DerivationStep
    from .numeric import Estimate

__all__ = ["diff", "gradient", "jacobian", "hessian", "explain", "simplify", "expand", "together",
           "cancel", "factor", "collect", "evaluate", "compile_function", "numeric_gradient", "jvp",
           "vjp", "to_latex", "cse", "singular_points", "lambdify", "to_code", "laplacian", "divergence", "curl",
           "directional_derivative", "exact_value", "implicit_diff", "series", "tangent",
           "critical_points"]

Formula = str | Expr
"""A formula as text, or an expression already built."""


def _read_each(formulas: Iterable[Formula], functions=()) -> list[Expr]:
    return [parse(formula, functions=functions) for formula in formulas]


# ---------------------------------------------------------------- derivatives

@bounded
def diff(expr: Formula, *wrt, simplify: bool = True, functions=(),
         limits: Limits | None = None) -> Expr:
    """Partial derivative of any order: ``diff(f, "x")``, ``diff(f, "x", 3)``,
    ``diff(f, "x", "y")``.  Accepts a string or an expression; ``functions`` declares the
    unknown functions the string may use.  With one variable in ``f``, the variable may be
    left out.  Each order is simplified before the next one is taken, unless
    ``simplify=False``.  ``limits`` overrides the resource limits in force
    (:class:`symdiff.Limits`), for reading the string too.

    >>> diff("log(x) + x*y - sin(y)", "x")
    y + 1/x
    >>> diff("x^4", "x", 3), diff("x^2 y^3", "x", "y"), diff("sin(x)", "x", 0)
    (24*x, 6*x*y^2, sin(x))
    >>> diff("f(x)^2", "x", functions=["f"])
    2*f'(x)*f(x)

    An application of an unknown function, such as ``"f(x)"``, may be differentiated by:
    it stands for an independent variable (as in SymPy), so anything else is constant.

    >>> diff("x*f(x)^2", "f(x)", functions=["f"]), diff("sin(x)", "f(x)", functions=["f"])
    (2*x*f(x), 0)

    ``I`` and ``i`` are the imaginary unit, but differentiating with respect to ``i`` reads
    ``i`` as a variable (variables are real):

    >>> diff("exp(i*x)", "x"), diff("i^2*x", "i")
    (I*exp(I*x), 2*i*x)
    """
    imaginary = _imaginary_for(wrt)
    read = parse(expr, functions=functions, limits=limits, imaginary=imaginary)
    return differentiation.diff(read, *[_target(item, functions, imaginary) for item in wrt],
                                simplify=simplify, limits=limits)


def _imaginary_for(wrt: Iterable) -> str:
    """The reading of ``i`` (see :func:`symdiff.parse`) when differentiating with respect to
    ``wrt``: a variable if it is one of them, else the imaginary unit."""
    return "I" if "i" in [w for w in wrt if isinstance(w, str)] else "i"


def _target(item, functions, imaginary="i"):
    """What a derivative is taken with respect to: a variable's name, an order, or the text
    of an application of an unknown function ("f(x)"), parsed."""
    if isinstance(item, str) and "(" in item:
        return parse(item, functions=functions, imaginary=imaginary)
    return item


@bounded
def singular_points(expr: Formula, wrt: str, *, functions=()) -> list:
    """Where the derivative of ``expr`` by ``wrt`` does not exist, or may not: the boundaries
    of its piecewise parts and the kinks and jumps of abs, min, max, sign, Heaviside, floor
    and ceil (:func:`symdiff.diff.singular_points`).  Each is a
    :class:`symdiff.cases.Singularity` with ``at`` (the point, or None), ``where`` (as
    text) and ``certain``.

    >>> [str(s) for s in singular_points("Piecewise((x^2, x < 1), (2x - 1, True))", "x")]
    []
    >>> [str(s) for s in singular_points("Piecewise((x^2, x < 1), (x, True))", "x")]
    ['the derivative does not exist at x = 1']
    >>> singular_points("|2x - 1|", "x")[0].at
    1/2
    """
    return differentiation.singular_points(parse(expr, functions=functions), wrt)


@bounded
def gradient(expr: Formula, variables: Sequence | None = None, *, simplify: bool = True,
             functions=()) -> list[Expr]:
    """The partial derivatives with respect to ``variables`` (default: all, sorted).

    >>> gradient("log(x) + x*y - sin(y)")
    [y + 1/x, x - cos(y)]
    """
    return differentiation.gradient(parse(expr, functions=functions), variables, simplify=simplify)


@bounded
def jacobian(exprs: Sequence[Formula], variables: Sequence | None = None, *,
             simplify: bool = True, functions=()) -> Matrix:
    """The matrix of first partials, one row per expression (a :class:`Matrix`, which
    indexes and compares like nested lists).

    >>> jacobian(["x*y", "x + y"], ["x", "y"])
    Matrix([[y, x], [1, 1]])
    >>> print(jacobian(["x*y", "sin(x)"], ["x", "y"]))
    [     y  x]
    [cos(x)  0]
    """
    return Matrix(differentiation.jacobian(_read_each(exprs, functions), variables, simplify=simplify))


@bounded
def hessian(expr: Formula, variables: Sequence | None = None, *, simplify: bool = True,
            functions=()) -> Matrix:
    """The matrix of second partials (a :class:`Matrix`); mixed partials are computed once
    and mirrored.

    >>> hessian("x^2 y", ["x", "y"])
    Matrix([[2*y, 2*x], [2*x, 0]])
    >>> hessian("x^2 y", ["x", "y"]) == [[parse("2*y"), parse("2*x")], [parse("2*x"), 0]]
    True
    """
    return Matrix(differentiation.hessian(parse(expr, functions=functions), variables, simplify=simplify))


def _variables_of(exprs: Sequence[Expr], variables: Sequence[str] | None) -> list[str]:
    """The variables given, or all the expressions' variables, sorted."""
    return list(variables) if variables is not None else sorted(set().union(*(e.free for e in exprs)))


@bounded
def laplacian(expr: Formula, variables: Sequence[str] | None = None, *, functions=()) -> Expr:
    """The Laplacian, the sum of the unmixed second partials (variables default: all).

    >>> laplacian("x^2*y + y^3")
    8*y
    >>> laplacian("1/sqrt(x^2 + y^2 + z^2)")
    0
    """
    f = parse(expr, functions=functions)
    return calculus.laplacian(f, _variables_of([f], variables))


@bounded
def divergence(field: Sequence[Formula], variables: Sequence[str] | None = None, *,
               functions=()) -> Expr:
    """The divergence of a vector field, one component per variable (default: all, sorted).

    >>> divergence(["x*y", "y*z", "z*x"], ["x", "y", "z"])
    x + y + z
    """
    components = _read_each(field, functions)
    return calculus.divergence(components, _variables_of(components, variables))


@bounded
def curl(field: Sequence[Formula], variables: Sequence[str] = ("x", "y", "z"), *,
         functions=()) -> list[Expr]:
    """The curl of a field of three components in three variables (default x, y, z).

    >>> curl(["-y", "x", "0"])
    [0, 0, 2]
    """
    return calculus.curl(_read_each(field, functions), list(variables))


@bounded
def directional_derivative(expr: Formula, variables: Sequence[str], direction: Sequence[Formula], *,
                           functions=()) -> Expr:
    """The derivative along ``direction`` made a unit vector: grad f . u/|u|.

    >>> directional_derivative("x^2 + y^2", ["x", "y"], [3, 4])
    6*x/5 + 8*y/5
    """
    return calculus.directional_derivative(parse(expr, functions=functions), list(variables),
                                           _read_each([str(c) if not isinstance(c, Expr) else c
                                                       for c in direction]))


@bounded
def exact_value(expr: Formula, values: Mapping[str, Formula | float] | None = None, /,
                **kwargs: Formula | float) -> Expr:
    """The value at a point, exactly, where the point is exact (values given as text are
    read as formulas); ``evaluate`` gives the float.

    >>> exact_value("x^3 + cos(x)", x="pi/3")
    pi^3/27 + 1/2
    >>> exact_value("1/sqrt(1 - x^2)", x="1/2")
    2*sqrt(3)/3
    """
    point = {name: parse(value) if isinstance(value, str) else value
             for name, value in {**(values or {}), **kwargs}.items()}
    return calculus.exact_value(parse(expr), point)


@bounded
def implicit_diff(equation: str | Equation, y: str, x: str, order: int = 1, *, functions=()) -> Expr:
    """dy/dx (or the ``order``-th derivative) of ``y`` defined by an equation, in x and y.

    >>> implicit_diff("x^2 + y^2 = 1", "y", "x")
    -x/y
    >>> implicit_diff("x^2 + y^2 = 1", "y", "x", order=2)
    -1/y - x^2/y^3
    """
    sides = parse_equation(equation, functions=functions) if isinstance(equation, str) else equation
    return calculus.implicit_diff(sides, y, x, order)


@bounded
def series(expr: Formula, x: str = "x", a: Formula | float = 0, order: int = 5, *,
           functions=()) -> calculus.Series:
    """The Taylor polynomial about x = ``a`` up to (x - a)^order, with exact coefficients where
    ``a`` is exact; it prints with its remainder, and ``.polynomial`` is the expression.

    >>> print(series("exp(x)", "x", 0, 4))
    1 + x + x^2/2 + x^3/6 + x^4/24 + O(x^5)
    >>> series("sin(x)", "x", "pi/2", 2).polynomial
    1 - (x - pi/2)^2/2
    """
    centre = parse(a) if isinstance(a, str) else a
    return calculus.series(parse(expr, functions=functions), x, centre, order)


@bounded
def tangent(expr: Formula, point: Mapping[str, Formula | float], *, functions=()) -> Expr:
    """The tangent line (one variable) or plane (several) at ``point``: f(a) + f'(a)(x - a).

    >>> tangent("x^3", {"x": 1})
    3*x - 2
    >>> tangent("x^2 + y^2", {"x": 1, "y": "1/2"})
    2*x + y - 5/4
    """
    return calculus.tangent(parse(expr, functions=functions),
                            {name: parse(v) if isinstance(v, str) else v for name, v in point.items()})


@bounded
def critical_points(expr: Formula, x: str | None = None, *, functions=()) -> list[calculus.CriticalPoint]:
    """The real points where f'(x) = 0, exactly, each with its value and kind (local
    minimum, local maximum, or stationary); an error saying "no closed form" where they have
    none that symdiff finds (f' not a polynomial equation, or one of degree 3 or more left).

    >>> [(str(p.where), str(p.value), p.kind) for p in critical_points("x^4 - 2*x^2")]
    [('-1', '-1', 'local minimum'), ('0', '0', 'local maximum'), ('1', '-1', 'local minimum')]
    """
    f = parse(expr, functions=functions)
    if x is None:
        names = sorted(f.free) or ["x"]
        if len(names) != 1:
            raise DiffError(f"critical_points takes a function of one variable; "
                              f"name it: x=... (the formula has {', '.join(names)})")
        x = names[0]
    return calculus.critical_points(f, x)


@bounded
def explain(expr: Formula, wrt: str, *, max_steps: int | None = None,
            functions=()) -> list[DerivationStep]:
    """The derivation of d(expr)/d(wrt), step by step, as data (:mod:`symdiff.explain`);
    at most ``max_steps`` sub-derivatives are worked out (by default
    ``symdiff.explain.MAX_STEPS``), the rest summarised in one step.

    >>> for step in explain("x*sin(x)", "x"):
    ...     print(step.number, step.rule, "|", step.before, "=", step.after)
    1 product rule | d/dx(x*sin(x)) = d/dx(x)*sin(x) + x*d/dx(sin(x))
    2 variable rule | d/dx(x) = 1
    3 sine rule: d/du sin(u) = cos(u) | d/dx(sin(x)) = cos(x)*d/dx(x)
    4 substitute the sub-derivatives | d/dx(x*sin(x)) = x*cos(x) + sin(x)
    """
    from . import explain as explanation
    steps = explanation.MAX_STEPS if max_steps is None else max_steps
    return explanation.explain(parse(expr, functions=functions), wrt, max_steps=steps)


# ---------------------------------------------------------------- simplification and forms

@bounded
def simplify(expr: Formula, *, trace: list[simplification.Step] | None = None,
             rules: tuple[simplification.Rule, ...] = simplification.RULES,
             forms: bool = True) -> Expr:
    """Simplify by the named rules, then choose the best form (unless ``forms=False``).
    Pass a list as ``trace`` to receive every rule firing, and the form chosen.

    >>> simplify("2x + 3x - x*x/x")
    4*x
    >>> simplify("1/(x + 1) - x/(x + 1)^2")
    1/(x + 1)^2
    """
    return simplification.simplify(parse(expr), trace=trace, rules=rules, forms=forms)


@bounded
def expand(expr: Formula) -> Expr:
    """Products and integer powers of sums multiplied out; each term keeps its denominator.

    >>> expand("(x + 1)^2/x")
    x + 1/x + 2
    """
    return simplification.expand(parse(expr))


@bounded
def together(expr: Formula) -> Expr:
    """One fraction over the least common multiple of the denominators.

    >>> together("1/x + 1/y")
    (x + y)/(x*y)
    """
    return simplification.together(parse(expr))


@bounded
def cancel(expr: Formula) -> Expr:
    """One fraction with the common factors of numerator and denominator divided out.

    >>> cancel("(x^2 - 1)/(x + 1)")
    x - 1
    """
    return simplification.cancel(parse(expr))


@bounded
def factor(expr: Formula) -> Expr:
    """Cancelled, with numerator and denominator factored over the rationals.

    >>> factor("x^3 - x")
    x*(x - 1)*(x + 1)
    """
    return simplification.factor(parse(expr))


@bounded
def collect(expr: Formula, x: Formula) -> Expr:
    """Expanded and grouped by powers of the variable ``x``.

    >>> collect("x*y + x*z + y", "x")
    y + x*(y + z)
    """
    return simplification.collect(parse(expr), parse(x))


# ---------------------------------------------------------------- numbers

@bounded
def evaluate(expr: Formula, values: Mapping[str, float] | None = None, /, **kwargs: float) -> float:
    """The value of ``expr`` at the given point, as a float.

    >>> evaluate("x^2 + y", {"x": 3}, y=1)
    10.0
    >>> evaluate("log(x) + x*y - sin(y)", x=2, y=5)  # doctest: +ELLIPSIS
    11.652...

    Where the point is exact (whole numbers and fractions, or no point for a constant), the
    value is that of the exact value (:func:`exact_value`), correctly rounded where it is a
    fraction, so ``cos(pi/3)`` is 0.5, not 0.5000000000000001:

    >>> evaluate("cos(pi/3)"), evaluate("sqrt(x)^2", x=2), evaluate("cos(x)", x=1.0471975511965976)
    (0.5, 2.0, 0.5000000000000001)

    Given arrays (or lists), it evaluates at every point with :func:`lambdify`'s NumPy
    backend, broadcasting them, and gives nan or inf outside the domain, as NumPy does.
    """
    f = parse(expr)
    point = {**(values or {}), **kwargs}
    if any(_is_array(v) for v in point.values()):
        names = sorted(point)
        values_everywhere: Any = lambdify(names, f, backend="numpy")(*(point[n] for n in names))
        return values_everywhere
    value = evaluation.evaluate(f, point)                # the float, and the domain checked
    if all(type(v) in (int, Fraction) for v in point.values()) and not isinstance(value, complex) \
            and not differentiation.is_large(f):
        exact = calculus.exact_value(f, point)
        if calculus.shown_exactly(exact, value) is not None:
            return evaluation.evaluate(exact)
    return value


def _is_array(value: object) -> bool:
    """A NumPy array (or anything with a shape of one or more axes), a list or a tuple."""
    return isinstance(value, (list, tuple)) or bool(getattr(value, "shape", ()))


def compile_function(expr: Formula, variables: Sequence[str] | None = None) -> Callable[..., float]:
    """A fast Python function of ``variables`` (default: sorted free variables), generated
    from the expression (never from the text), each shared subexpression computed once.

    >>> f = compile_function("x*sin(x) + sin(x)^2", ["x"])
    >>> round(f(1.0), 6)
    1.549544
    """
    compiled = evaluation.compile_function(parse(expr), variables)

    def function(*arguments: float) -> float:
        try:
            return compiled(*arguments)
        except (TypeError, ValueError):
            if any(map(_is_array, arguments)):
                raise TypeError("a compiled function takes numbers; for arrays, "
                                "lambdify(variables, expr) gives a NumPy function") from None
            raise
    function.__doc__ = compiled.__doc__
    return function


def _read_outputs(exprs: object, functions=()) -> Expr | list:
    """A formula, or a (nested) list of them, read as expressions in the same shape."""
    if isinstance(exprs, (list, tuple)):
        return [_read_outputs(item, functions) for item in exprs]
    return parse(exprs, functions=functions)


@bounded
def lambdify(variables: Sequence[str] | str | None, exprs: Formula | Sequence,
             backend: str | None = None, *, functions=()) -> Callable[..., object]:
    """One fast function of ``variables`` for a formula, a list of them (a gradient) or a
    matrix (a Jacobian, a Hessian), each shared subexpression computed once for all of
    them: ``backend`` ``numpy`` (the default when NumPy is installed), ``jax``, ``torch``,
    ``c`` (compiled) or ``python`` (see :func:`symdiff.codegen.lambdify`).  ``variables``
    may be one string of names separated by commas or spaces.

    >>> f = lambdify("x, y", gradient("log(x) + x*y - sin(y)"), backend="python")
    >>> f(2.0, 0.0)
    [0.5, 1.0]
    """
    from . import codegen
    if isinstance(variables, str):
        variables = variables.replace(",", " ").split()
    return codegen.lambdify(variables, _read_outputs(exprs, functions), backend)


@bounded
def to_code(exprs: Formula | Sequence, variables: Sequence[str] | None = None, backend: str = "python",
            name: str = "derivative", *, functions=()) -> str:
    """Source of one function computing a formula, a list or a matrix of them, in
    ``backend``: ``python``, ``numpy``, ``jax``, ``torch`` or ``c`` (see
    :func:`symdiff.codegen.to_code`).

    >>> print(to_code("x*exp(-x^2)", backend="numpy").splitlines()[-2])
            np.multiply(x, np.exp(-x**2), out=out[...])
    """
    from . import codegen
    return codegen.to_code(_read_outputs(exprs, functions), variables, backend, name)


def numeric_gradient(expr: Formula, point: Mapping[str, float],
                     variables: Sequence[str] | None = None,
                     method: str = "central") -> dict[str, Estimate]:
    """Every partial derivative at ``point`` by one numerical method
    (:data:`symdiff.numeric.METHODS`), each an estimate with its error.

    >>> g = numeric_gradient("x*y", {"x": 2.0, "y": 3.0})
    >>> round(g["x"].value, 8), round(g["y"].value, 8)
    (3.0, 2.0)
    """
    from . import numeric
    return numeric.numeric_gradient(parse(expr), point, variables, method)


def jvp(expr: Formula, point: Mapping[str, float],
        direction: Mapping[str, float]) -> tuple[float, float]:
    """Forward mode: the value and the directional derivative along ``direction``.

    >>> jvp("x*y", {"x": 2, "y": 3}, {"x": 1})
    (6.0, 3.0)
    """
    from . import autodiff
    return autodiff.jvp(parse(expr), point, direction)


def vjp(expr: Formula, point: Mapping[str, float], requires_grad: Iterable[str] | None = None,
        seed: float = 1.0) -> tuple[float, dict[str, float]]:
    """Reverse mode: the value and the gradient with respect to every variable that
    requires one (default: all), in one backward pass.

    >>> vjp("log(x) + x*y - sin(y)", {"x": 2, "y": 5}, requires_grad=["x"])  # doctest: +ELLIPSIS
    (11.652..., {'x': 5.5})
    """
    from . import autodiff
    return autodiff.vjp(parse(expr), point, requires_grad, seed)


# ---------------------------------------------------------------- printing

def to_latex(expr: Formula | Matrix, *, ln: bool = True, exp_power: bool = True) -> str:
    r"""LaTeX for a formula, or a matrix as ``pmatrix``; ``ln=False`` writes ``\log``,
    ``exp_power=False`` writes ``\exp(u)`` for ``e^u``.

    >>> to_latex("log(x) + exp(x)", ln=False, exp_power=False)
    '\\exp\\!\\left(x\\right) + \\log\\!\\left(x\\right)'
    >>> to_latex(jacobian(["x*y", "x + y"], ["x", "y"]))
    '\\begin{pmatrix} y & x \\\\ 1 & 1 \\end{pmatrix}'
    """
    from . import latex
    if isinstance(expr, Matrix):
        return latex.matrix_latex(expr, ln=ln, exp_power=exp_power)
    return latex.to_latex(parse(expr), ln=ln, exp_power=exp_power)


def cse(expr: Formula | Sequence[Formula], prefix: str = "u") -> tuple[list[tuple[Sym, Expr]], Expr]:
    """Name every compound subexpression used more than once, innermost first: the
    bindings, and the result written with the names.  Given a list of formulas, the
    bindings are shared by all of them and the results come as a list.

    >>> bindings, result = cse("sin(x+1)^2 + cos(sin(x+1))")
    >>> [(str(name), str(body)) for name, body in bindings], result
    ([('u1', 'sin(x + 1)')], u1^2 + cos(u1))
    """
    read = _read_each(expr) if isinstance(expr, (list, tuple)) else parse(expr)
    return printing.cse(read, prefix)
