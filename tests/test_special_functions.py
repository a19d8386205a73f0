"""The special functions of issue 17, against SymPy and mpmath.

The derivative table is collected from public sources: DLMF (erf 7.10.1, gamma 5.2.1 and
5.15.1, polygamma 5.15, beta 5.12.1, Lambert W 4.13, Bessel 10.6.1 and 10.29.1, Ei/Si/Ci
6.2 and 6.6, li 6.2.8) and SymPy's documented derivatives of the same functions.  Each case
is checked by value: symdiff's derivative against SymPy's ``diff`` and against mpmath's own
numerical differentiation (``mpmath.diff``, 30 digits) of SymPy's function in mpmath's
terms (``lambdify``), never against symdiff itself.
"""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from symdiff import DiffError, ParseError, Sym, diff, evaluate, parse, simplify
from symdiff.autodiff import jvp, vjp
from symdiff.explain import explain
from symdiff.numeric import partial

X = sympy.Symbol("x", real=True)
SYMPY_NAMES = {
    "x": X, "erf": sympy.erf, "erfc": sympy.erfc, "erfi": sympy.erfi, "gamma": sympy.gamma,
    "loggamma": sympy.loggamma, "digamma": sympy.digamma, "polygamma": sympy.polygamma,
    "beta": sympy.beta, "LambertW": sympy.LambertW, "besselj": sympy.besselj,
    "bessely": sympy.bessely, "besseli": sympy.besseli, "besselk": sympy.besselk,
    "Ei": sympy.Ei, "Si": sympy.Si, "Ci": sympy.Ci, "li": sympy.li, "sinc": sympy.sinc,
    "Heaviside": sympy.Heaviside, "floor": sympy.floor, "ceil": sympy.ceiling,
    "min": sympy.Min, "max": sympy.Max, "atan2": sympy.atan2,
    "hypot": lambda a, b: sympy.sqrt(a**2 + b**2), "acoth": sympy.acoth,
    "asech": sympy.asech, "acsch": sympy.acsch, "sqrt": sympy.sqrt, "exp": sympy.exp,
    "sin": sympy.sin, "cos": sympy.cos,
}

# (formula, x): the point is away from poles, cuts and jumps
TABLE = [
    # error functions (DLMF 7.10.1: erf' = 2/sqrt(pi) e^(-x^2))
    ("erf(x^2)", 0.7), ("erfc(3*x)", 0.4), ("erfi(sin(x))", 0.5), ("exp(-x)*erf(x)", 0.6),
    # gamma and relatives (DLMF 5.2.1, 5.15.1)
    ("gamma(2*x + 1)", 0.8), ("gamma(x)^2", 1.3), ("gamma(x)", -0.5), ("loggamma(x^2 + 1)", 0.9),
    ("digamma(x)", 2.5), ("digamma(exp(x))", 0.3), ("polygamma(1, x)", 1.5),
    ("polygamma(2, x^2)", 1.2), ("polygamma(0, x)", 0.7),
    # beta (DLMF 5.12.1 and its partials through digamma)
    ("beta(x, 2)", 1.5), ("beta(2, x)", 0.7), ("beta(x, x^2)", 1.1),
    # Lambert W, principal branch (DLMF 4.13.4)
    ("LambertW(x)", 1.0), ("LambertW(x^2)", 0.6), ("x*LambertW(exp(x))", 0.2), ("LambertW(x)", -0.3),
    # Bessel functions (DLMF 10.6.1, 10.29.1)
    ("besselj(0, x)", 1.3), ("besselj(2, x^2)", 0.9), ("x*besselj(1, 2*x)", 1.1),
    ("besselj(1/2, x)", 0.8), ("bessely(0, x)", 2.0), ("bessely(1, sqrt(x))", 1.5),
    ("besseli(0, x)", 0.8), ("besseli(3, x^2)", 1.0), ("besselk(0, x)", 1.2),
    ("besselk(2, 3*x)", 0.5), ("gamma(x)*besselj(1, x)", 1.7),
    # exponential, sine, cosine and logarithmic integrals (DLMF 6.2, 6.6)
    ("Ei(x)", 1.5), ("Ei(-x^2)", 0.7), ("Ei(x)", -0.4), ("Si(x)", 2.0), ("Si(x^2)", 1.1),
    ("Ci(x)", 0.9), ("Ci(2*x)", 1.4), ("li(x)", 3.0), ("li(x^2 + 2)", 0.5), ("li(x)", 0.4),
    # sinc, unnormalised as SymPy's
    ("sinc(x)", 0.7), ("sinc(2*x)", 1.9),
    # atan2, hypot
    ("atan2(x, 2)", 0.4), ("atan2(1, x)", 0.6), ("atan2(x^2, x)", 0.8), ("atan2(x, -1)", 0.5),
    ("hypot(x, 3)", 1.2), ("hypot(x, x^2)", 0.7),
    # inverse hyperbolic functions of the reciprocal
    ("acoth(x)", 2.0), ("acoth(x^2 + 1)", 0.8), ("asech(x)", 0.4), ("asech(x/2)", 1.0),
    ("acsch(x)", 0.9), ("acsch(x)", -0.9),
    # steps and kinks, away from the jumps
    ("max(x, x^2)", 0.5), ("max(x, x^2)", 1.5), ("min(x, x^2)", 0.5), ("min(x, x^2)", 2.0),
    ("max(sin(x), cos(x))", 0.3), ("Heaviside(x)*x^2", 0.7), ("Heaviside(x - 1)*x^2", 0.7),
    ("floor(x)*x", 2.5), ("ceil(x^2) + x", 1.2),
]


def _sympy(text: str):
    return parse_expr(text, local_dict=SYMPY_NAMES,
                      transformations=(*standard_transformations, convert_xor))


def _real(value) -> float:
    return float(sympy.re(value)) if isinstance(value, sympy.Expr) else float(mpmath.re(value))


@pytest.mark.parametrize("text, x", TABLE)
def test_derivative_against_sympy_and_mpmath(text, x):
    got = evaluate(diff(parse(text), "x"), x=x)
    f = _sympy(text)
    function = sympy.lambdify(X, f, "mpmath")         # SymPy's function, in mpmath's
    with mpmath.workdps(30):
        want = float(mpmath.re(mpmath.diff(function, mpmath.mpf(x))))
    assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-11), (text, got, want)
    derivative = sympy.diff(f, X)
    if not derivative.has(sympy.Derivative):        # SymPy leaves floor' and ceiling' unevaluated
        assert math.isclose(got, _real(derivative.subs(X, x).evalf(30)), rel_tol=1e-9,
                            abs_tol=1e-11), (text, derivative)


@pytest.mark.parametrize("text, x", TABLE[::4])
def test_every_method_agrees(text, x):
    expr = parse(text)
    want = evaluate(diff(expr, "x"), x=x)
    assert math.isclose(jvp(expr, {"x": x}, {"x": 1.0})[1], want, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(vjp(expr, {"x": x})[1]["x"], want, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(partial(expr, "x", {"x": x}, "complex").value, want, rel_tol=1e-7,
                        abs_tol=1e-10)
    assert math.isclose(evaluate(explain(expr, "x")[-1].after, x=x), want, rel_tol=1e-9,
                        abs_tol=1e-12)


# ---------------------------------------------------------------- values

@pytest.mark.parametrize("text, x", [
    ("erf(x)", 0.3), ("gamma(x)", 4.5), ("loggamma(x)", 7.0), ("digamma(x)", 0.2),
    ("polygamma(3, x)", 1.1), ("beta(x, 0.5)", 2.0), ("LambertW(x)", -0.2), ("besselj(3, x)", 7.0),
    ("bessely(2, x)", 0.5), ("besseli(1, x)", 4.0), ("besselk(1/2, x)", 3.0), ("Ei(x)", 2.0),
    ("Si(x)", 10.0), ("Ci(x)", 0.01), ("li(x)", 10.0), ("sinc(x)", 0.0), ("atan2(x, -1)", -0.5),
    ("hypot(x, 4)", 3.0), ("acoth(x)", -3.0), ("asech(x)", 1.0), ("acsch(x)", 0.1),
    ("floor(x)", -2.5), ("ceil(x)", -2.5), ("Heaviside(x)", 0.0), ("min(x, 2)", 3.0),
])
def test_values_against_sympy(text, x):
    want = _real(_sympy(text).subs(X, sympy.Rational(str(x))).evalf(30))
    assert math.isclose(evaluate(parse(text), x=x), want, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("text, value", [
    ("erf(0)", "0"), ("erfc(0)", "1"), ("gamma(5)", "24"), ("gamma(1)", "1"), ("loggamma(1)", "0"),
    ("LambertW(0)", "0"), ("Si(0)", "0"), ("sinc(0)", "1"), ("besselj(0, 0)", "1"),
    ("besseli(0, 0)", "1"), ("Heaviside(3)", "1"), ("Heaviside(-1/2)", "0"), ("Heaviside(0)", "1/2"),
    ("floor(7/2)", "3"), ("ceil(-7/2)", "-3"), ("min(3, 2)", "2"), ("max(1/2, 1/3)", "1/2"),
    ("asech(1)", "0"), ("li(0)", "0"),
])
def test_exact_special_values(text, value):
    assert simplify(parse(text)) is parse(value)


# Calls outside the domain, each with the reason the message gives after "is undefined"
UNDEFINED = """
gamma(-2)
loggamma(-0.5)      : loggamma needs a positive argument
digamma(0)
LambertW(-1)        : LambertW needs an argument >= -1/e
bessely(0, -1)      : bessely needs a positive argument
besselj(0.5, -1)    : its value is not real
besselk(1, 0)       : besselk needs a positive argument
Ci(-1)
li(1)
Ei(0)
acoth(0.5)
asech(2)
atan2(0, 0)
polygamma(0.5, 1)
"""


@pytest.mark.parametrize("line", UNDEFINED.strip().splitlines())
def test_outside_the_domain(line):
    from symdiff import EvaluationError
    text, _, reason = (part.strip() for part in line.partition(":"))
    with pytest.raises(EvaluationError) as caught:
        evaluate(parse(text))
    assert f"{text} is undefined" + (f": {reason}" if reason else "") in str(caught.value)


# ---------------------------------------------------------------- orders without a derivative

@pytest.mark.parametrize("text, function, argument", [
    ("besselj(x, 2)", "besselj", "order nu"), ("bessely(x, 2)", "bessely", "order nu"),
    ("besseli(x^2, 1)", "besseli", "order nu"), ("besselk(x, x)", "besselk", "order nu"),
    ("polygamma(x, 2)", "polygamma", "order n"),
])
def test_an_order_has_no_derivative(text, function, argument):
    with pytest.raises(DiffError, match=f"derivative of {function} with respect to its {argument}"):
        diff(parse(text), "x")
    assert diff(parse(text), "y") == parse("0")       # free of y: no partial is asked for


def test_an_order_held_constant_differentiates_in_autodiff():
    assert math.isclose(jvp(parse("besselj(y, x)"), {"x": 1.0, "y": 2.0}, {"x": 1.0})[1],
                        float(mpmath.diff(lambda t: mpmath.besselj(2, t), 1.0)), rel_tol=1e-12)


# ---------------------------------------------------------------- names

def test_gamma_and_beta_are_functions_when_called_and_variables_otherwise():
    assert parse("gamma(x)").fn == "gamma" and parse("Γ(x)") is parse("gamma(x)")
    assert parse("gamma*x").free == {"gamma", "x"}
    assert diff(parse("gamma*gamma(x)"), "gamma") is parse("gamma(x)")
    assert parse("beta(x, 2) + beta").free == {"x", "beta"}
    assert parse("psi(x)") is parse("digamma(x)") and parse("psi").free == {"psi"}
    assert evaluate(parse("gamma*x"), gamma=2.0, x=3.0) == 6.0
    assert parse("lambertw(x)") is parse("LambertW(x)")
    assert parse("ceiling(x)") is parse("ceil(x)")
    assert parse("lgamma(x)") is parse("loggamma(x)")
    assert Sym("gamma").free == {"gamma"}


@pytest.mark.parametrize("text, fragment", [
    ("besselj(x)", "besselj takes 2 arguments, got 1"),
    ("erf(x, y)", "erf takes 1 argument, got 2"),
    ("min(x)", "min takes 2 arguments or more, got 1"),
    ("erf + 1", "'erf' is a function and needs an argument"),
    ("Heaviside", "'Heaviside' is a function and needs an argument"),
])
def test_bad_input_keeps_its_contract(text, fragment):
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert fragment in str(caught.value) and "^" in str(caught.value)


# ---------------------------------------------------------------- 0^u (issue 17, item 7)

@pytest.mark.parametrize("text", ["0^x", "0^(x^2 + 1)", "0^sin(x)", "0^(x*y)", "0^exp(x)"])
def test_zero_to_a_power_has_derivative_zero(text):
    expr = parse(text)
    assert diff(expr, "x") is parse("0")
    assert "log(0)" not in str(explain(expr, "x")[-1].after)
    assert jvp(expr, {"x": 0.5, "y": 1.0}, {"x": 1.0})[1] == 0.0
    assert vjp(expr, {"x": 0.5, "y": 1.0})[1]["x"] == 0.0
    assert partial(expr, "x", {"x": 0.5, "y": 1.0}, "complex").value == 0.0


@pytest.mark.parametrize("text, x, want", [
    ("x^2*0^x", 0.5, 0.0),             # (x^2)' 0^x + x^2 (0^x)' = 2x*0 + 0
    ("0^x*sin(x) + x", 0.5, 1.0),
    ("2^x + 0^x", 1.0, 2 * math.log(2)),
])
def test_zero_to_a_power_in_products_and_sums(text, x, want):
    derivative = diff(parse(text), "x")
    assert "log(0)" not in str(derivative)
    assert math.isclose(evaluate(derivative, x=x), want, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("n", [-29, -7, -3, -1, 1, 3, 5, 9, 21, 59])
def test_gamma_of_a_half_integer_is_exact(n):
    """gamma(n/2) folds to a rational multiple of sqrt(pi) (DLMF 5.4.6), equal to mpmath's value."""
    value = simplify(f"gamma({n}/2)")
    assert "gamma" not in str(value) and "pi" in str(value)
    assert math.isclose(evaluate(value, {}), float(mpmath.gamma(mpmath.mpf(n) / 2)), rel_tol=1e-13)
