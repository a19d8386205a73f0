"""SymPy interop: symdiff's expressions to SymPy's and back (symdiff.interop).

* Every row of the function table has a SymPy counterpart, and each row's formula of the grid
  (tests/test_function_grid.py) goes to SymPy and back as the very same node, with the value
  SymPy computes equal to symdiff's (SymPy's evalf at 30 digits is the oracle).
* A table of other nodes (numbers, constants, unknown functions and their derivatives,
  piecewise forms, d/dx(...)) does the same; where SymPy rewrites the form, the value agrees.
* SymPy's own spellings read back (Rational, exp, x**-1, Subs, Min of three, polygamma(0, u)).
* Random expressions (tests/strategies.py) come back with their value, and SymPy's form is a
  fixpoint of the round trip.
* sympy.sympify and SymPy's functions take symdiff's expressions (Expr._sympy_).
* What has no counterpart is refused with an error that names it; deep inputs do not recurse.
"""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy
from sympy.codegen import cfunctions
from hypothesis import given
from strategies import FALLBACK_POINTS, counted, example, expressions, property_settings, verdict
from test_function_grid import ROWS, Y, formula, point_for

import symdiff
from symdiff import (FUNCTIONS, CodegenError, EvaluationError, Num, Sym, evaluate, parse, sin)
from symdiff.expr import E, I, PI, Derivative, call
from symdiff.interop import SYMPY_FORMULAS, SYMPY_FUNCTIONS, from_sympy, to_sympy

X, YS = sympy.symbols("x y")


def sympy_value(expr, point: dict) -> float:
    """The value of a SymPy expression at a point, by SymPy (30 digits); a complex value
    with a negligible imaginary part (rounding in evalf) counts as real."""
    value = complex(expr.evalf(30, subs={sympy.Symbol(k): sympy.Float(v, 30) for k, v in point.items()}))
    assert abs(value.imag) <= 1e-12 * max(1.0, abs(value.real)), value
    return value.real


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# ---------------------------------------------------------------- every row of the table

def test_every_row_has_a_sympy_counterpart():
    """A new row of FUNCTIONS fails here until interop.py gives its SymPy counterpart."""
    mapped = set(SYMPY_FUNCTIONS) | set(SYMPY_FORMULAS)
    assert set(FUNCTIONS) - mapped == set()
    assert mapped - set(FUNCTIONS) == set(), "a row for a function the table does not have"
    assert not set(SYMPY_FUNCTIONS) & set(SYMPY_FORMULAS)


@pytest.mark.parametrize("fn", ROWS)
def test_every_row_to_sympy_and_back(fn):
    expr = parse(formula(fn))
    theirs = to_sympy(expr)
    assert from_sympy(theirs) is expr, (fn, theirs)
    x = point_for(fn)
    point = {"x": x, "y": Y}
    assert close(sympy_value(theirs, point), evaluate(expr, point)), (fn, theirs)


@pytest.mark.parametrize("fn", sorted(set(FUNCTIONS) - {"sqrt"}))
def test_every_row_is_sympys_function(fn):
    """No row hides behind an unknown function of the same name: SymPy knows each one
    (it differentiates it, for one)."""
    theirs = to_sympy(parse(formula(fn)))
    assert not theirs.atoms(sympy.core.function.AppliedUndef), theirs


def test_a_row_without_a_counterpart_is_refused(monkeypatch):
    monkeypatch.delitem(SYMPY_FUNCTIONS, "sinc")
    with pytest.raises(CodegenError, match="sinc has no SymPy counterpart"):
        to_sympy(parse("sinc(x) + 1"))


# ---------------------------------------------------------------- other nodes, both ways

# symdiff's formula (unknown functions f, g), and SymPy's expression it is.
SAME = [
    ("2/3*x - 1.5",                      sympy.Rational(2, 3) * X - sympy.Float(1.5)),
    ("x^(1/3) + 1/x",                    X ** sympy.Rational(1, 3) + 1 / X),
    ("pi*x + e + I*y",                   sympy.pi * X + sympy.E + sympy.I * YS),
    ("exp(x^2)",                         sympy.exp(X**2)),
    ("sqrt(x^2 + y^2)",                  sympy.sqrt(X**2 + YS**2)),
    ("cbrt(x)",                          sympy.real_root(X, 3)),
    ("log(x, 3)",                        sympy.log(X, 3)),
    ("log10(x) + log2(y)",               sympy.log(X, 10) + sympy.log(YS, 2)),
    ("Heaviside(x)",                     sympy.Heaviside(X)),
    ("min(1, x, y)",                     sympy.Min(X, YS, 1)),
    ("f(x) + g(x, y)",                   sympy.Function("f")(X) + sympy.Function("g")(X, YS)),
    ("f'(x)",                            sympy.Derivative(sympy.Function("f")(X), X)),
    ("f''(y)",                           sympy.Derivative(sympy.Function("f")(YS), (YS, 2))),
    ("D[1,2](g)(x, y)",                  sympy.Derivative(sympy.Function("g")(X, YS), X, YS)),
    ("D[2,2](g)(x, y)",                  sympy.Derivative(sympy.Function("g")(X, YS), (YS, 2))),
    ("Piecewise((x, x < 0), (x^2, True))", sympy.Piecewise((X, X < 0), (X**2, True))),
    ("Piecewise((1, x == y), (2, x != 1), (3, True))",
     sympy.Piecewise((1, sympy.Eq(X, YS)), (2, sympy.Ne(X, 1)), (3, True))),
]


@pytest.mark.parametrize(("text", "theirs"), SAME, ids=[t for t, _ in SAME])
def test_the_same_expression_both_ways(text, theirs):
    expr = parse(text, functions="f g")
    assert to_sympy(expr) == theirs
    assert from_sympy(theirs) is expr


def test_unknown_derivatives_at_other_arguments_are_subs():
    """f'(x^2) is f' at x^2: SymPy's Subs, as sympy.diff writes it."""
    f, g = sympy.Function("f"), sympy.Function("g")
    expr = parse("f'(x^2) + D[1](g)(x, x)", functions="f g")
    theirs = to_sympy(expr)
    assert theirs.atoms(sympy.Subs) and from_sympy(theirs) is expr
    assert from_sympy(sympy.diff(f(X**2), X)) is parse("2*x*f'(x^2)", functions="f")
    assert from_sympy(sympy.diff(g(X, X**2), X)) is parse(
        "D[1](g)(x, x^2) + 2*x*D[2](g)(x, x^2)", functions="g")


def test_derivative_nodes():
    """symdiff's d/dx(u), not worked out: SymPy's Derivative; a derivative of an expression
    reads back as that node, once per variable and order."""
    x = Sym("x")
    node = Derivative(x**2 * sin(x), "x")
    assert to_sympy(node) == sympy.Derivative(X**2 * sympy.sin(X), X)
    assert from_sympy(to_sympy(node)) is node
    assert from_sympy(sympy.Derivative(sympy.sin(X), (X, 2))) is Derivative(Derivative(sin(x), "x"), "x")


# SymPy rewrites these as it builds them, so they come back in another form, of the same
# value (symdiff's form, SymPy's, symdiff's form read back).
REWRITTEN = [
    ("2*(x + 1)",          "2*x + 2"),                     # SymPy distributes a number
    ("x*x",                "x^2"),                         # and collects like factors
    ("log(x, y)",          "log(x)/log(y)"),               # no logarithm to a symbolic base
    ("log(x, 2)",          "log2(x)"),                     # log(u)/log(2) reads as log2
    ("polygamma(0, x)",    "digamma(x)"),                  # SymPy's digamma is polygamma(0, .)
    ("min(y, x)",          "min(x, y)"),                   # SymPy orders the arguments
    ("ff(x, 2)",           "x*(x - 1)"),                   # and multiplies out ff to an integer
    ("Piecewise((x, y > 0 and x > 0), (1, True))", "Piecewise((x, x > 0 and y > 0), (1, True))"),
    ("Piecewise((x, not x < 1), (1, True))", "Piecewise((x, x >= 1), (1, True))"),
    ("gamma(5) + sin(pi/6)", "49/2"),                      # SymPy's exact values
]


@pytest.mark.parametrize(("text", "back"), REWRITTEN, ids=[t for t, _ in REWRITTEN])
def test_rewritten_by_sympy_same_value(text, back):
    expr = parse(text)
    again = from_sympy(to_sympy(expr))
    assert again is parse(back)
    for point in FALLBACK_POINTS:
        try:
            want = evaluate(expr, point)
        except EvaluationError:
            continue
        assert close(evaluate(again, point), want)


# ---------------------------------------------------------------- SymPy's own spellings

READ = [
    (sympy.Integer(-7),                         "-7"),
    (sympy.Rational(-3, 4) * X,                 "-3/4*x"),
    (sympy.Float("0.25") + X,                   "x + 0.25"),
    (sympy.E ** X,                              "exp(x)"),
    (X ** -2 * YS,                              "y/x^2"),
    (sympy.Abs(X - 1),                          "abs(x - 1)"),
    (sympy.conjugate(X) + sympy.re(X),          "conj(x) + re(x)"),
    (sympy.ceiling(X),                          "ceil(x)"),
    (sympy.digamma(X),                          "digamma(x)"),
    (sympy.ff(X, YS),                           "ff(x, y)"),
    (sympy.Max(X, YS, 2),                       "max(max(2, x), y)"),
    (sympy.LambertW(X, 0),                      "LambertW(x)"),
    (cfunctions.log2(X),          "log2(x)"),
    (sympy.cbrt(X),                             "x^(1/3)"),     # SymPy's principal root
    (sympy.true,                                "1"),
    (sympy.Symbol("theta", positive=True),      "theta"),       # assumptions are dropped
    (sympy.Symbol("θ"),                         "theta"),
    (sympy.Function("f")(),                     "f()"),
]


@pytest.mark.parametrize(("theirs", "text"), READ, ids=[str(t) for t, _ in READ])
def test_sympys_spellings(theirs, text):
    assert from_sympy(theirs) is parse(text, functions="f")


# ---------------------------------------------------------------- random expressions

@counted(at_least=0.5)
@property_settings(150)
@given(expressions(wrt=None))
def test_random_expressions_round_trip_by_value(expr):
    example()
    theirs = to_sympy(expr)
    if theirs.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return                                       # SymPy finds it undefined: log(x, x/x)
    back = from_sympy(theirs)
    assert to_sympy(back) == theirs                  # SymPy's form is a fixpoint
    checked = 0
    for point in FALLBACK_POINTS:
        try:
            want = evaluate(expr, point)
        except EvaluationError:
            continue
        if not math.isfinite(want) or abs(want) > 1e12:
            continue
        assert math.isclose(evaluate(back, point), want, rel_tol=1e-7, abs_tol=1e-9), (expr, back, point)
        assert math.isclose(sympy_value(theirs, point), want, rel_tol=1e-7, abs_tol=1e-9), (expr, theirs, point)
        checked += 1
    if checked:
        verdict(checked)


# ---------------------------------------------------------------- sympify

def test_sympify_and_sympys_functions_take_expressions():
    assert sympy.sympify(parse("x*sin(x)")) == X * sympy.sin(X)
    assert sympy.diff(parse("x^2"), "x") == 2 * X
    assert sympy.integrate(parse("2*x"), X) == X**2
    assert parse("x")._sympy_() == X
    assert X + parse("y") == X + YS                  # a SymPy operand: SymPy's result
    assert parse("y") + X == X + YS


def test_import_symdiff_loads_neither_sympy_nor_interop():
    code = ("import sys, symdiff; symdiff.parse('x')._sympy_ ; "
            "print('sympy' in sys.modules, 'symdiff.interop' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_the_package_exports_both():
    assert symdiff.to_sympy is to_sympy and symdiff.from_sympy is from_sympy
    assert {"to_sympy", "from_sympy"} <= set(symdiff.__all__)


# ---------------------------------------------------------------- what is refused

UNSUPPORTED = [
    (sympy.Integral(X, X),                   "Integral"),
    (sympy.Sum(X, (X, 1, 3)),                "Sum"),
    (sympy.Matrix([[X]]),                    "Matrix"),
    (sympy.ImmutableMatrix([[X]]),           "ImmutableDenseMatrix"),
    (sympy.oo,                               "Infinity"),
    (X + sympy.zoo,                          "ComplexInfinity"),
    (sympy.nan,                              "NaN"),
    (sympy.EulerGamma * X,                   "EulerGamma"),
    (sympy.zeta(X),                          "zeta"),
    (sympy.Heaviside(X, 1),                  "H\\(0\\) = 1"),
    (sympy.LambertW(X, -1),                  "principal"),
    (sympy.Dummy("d") + 1,                   "Dummy"),
    (sympy.Derivative(sympy.sin(X), sympy.Function("f")(X)), "derivatives by anything but symbols"),
    (sympy.Subs(X * sympy.sin(X), X, 2),   "Subs has no symdiff counterpart other than the derivative"),
    (sympy.Symbol("e") + 1,                  "'e' cannot be a symdiff variable"),
    (sympy.Symbol("x'"),                     "cannot be a symdiff variable"),
    (sympy.Function("sin")(X),               "has the name of symdiff's built-in sin"),
    (sympy.Function("ln")(X),                "has the name of symdiff's built-in ln"),
    (sympy.Function("f'")(X),               "must be an ASCII identifier"),
]


@pytest.mark.parametrize(("theirs", "named"), UNSUPPORTED, ids=[n for _, n in UNSUPPORTED])
def test_what_has_no_counterpart_is_named(theirs, named):
    with pytest.raises(CodegenError, match=named):
        from_sympy(theirs)


def test_not_an_expression():
    with pytest.raises(TypeError, match="from_sympy takes a SymPy expression, not str"):
        from_sympy("x + 1")
    with pytest.raises(TypeError, match="to_sympy takes an expression"):
        to_sympy("x + 1")


def test_the_errors_are_symdiffs_and_value_errors():
    with pytest.raises(ValueError):
        from_sympy(sympy.oo)


# ---------------------------------------------------------------- deep inputs

DEPTH = 20 * sys.getrecursionlimit()


def test_deep_expressions_do_not_recurse():
    x = Sym("x")
    nested = x
    for _ in range(DEPTH):
        nested = call("f", nested)
    theirs = to_sympy(nested)                         # SymPy's == recurses: compare ours
    assert from_sympy(theirs) is nested


def test_deep_piecewise_forms():
    """Piecewise forms and unknown functions nested deep.  (SymPy's own Add, Pow and Subs
    recurse as they are built, so SymPy cannot nest those this deep.)"""
    x = Sym("x")
    nested = x
    for k in range(DEPTH // 2):
        nested = call("g", nested, x) if k % 2 else call("Piecewise", nested, call("Lt", x, Num(k)), x, Num(1))
    assert from_sympy(to_sympy(nested)) is nested


def test_numbers_are_exact_and_floats_keep_their_bits():
    for value in (10**40 + 1, Fraction(-7, 3), 0.1, 1e-300, 2.0):
        assert from_sympy(to_sympy(Num(value))) is Num(value)
    assert to_sympy(Num(Fraction(1, 3))) == sympy.Rational(1, 3)
    assert from_sympy(to_sympy(PI + E + I)) is PI + E + I
