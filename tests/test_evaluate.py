"""Tests for symdiff.evaluate: numeric values over the reals, checked against Python's math.

Every formula is evaluated at several points with ``evaluate`` and with ``compile_function``
and compared with the same formula written directly with ``math``.  Domain errors must be
an EvaluationError naming the operation.
"""

import math
import re

import mpmath
import pytest

from symdiff import EvaluationError, Sym, SymdiffError, compile_function, diff, evaluate, parse
from symdiff.evaluate import evaluate_all

VALUES = [
    # formula                         oracle                                               points (x, y)
    ("x^2 + y",                        lambda x, y: x**2 + y,                               [(3, 1), (-2, 0.5)]),
    ("log(x) + x*y - sin(y)",          lambda x, y: math.log(x) + x*y - math.sin(y),         [(2, 5), (0.1, -3)]),
    ("x/y",                            lambda x, y: x / y,                                  [(1, 3), (-7, 2)]),
    ("x - y - 1",                      lambda x, y: x - y - 1,                              [(1, 3), (10, -2)]),
    ("2^x^y",                          lambda x, y: 2 ** (x ** y),                          [(2, 3), (1.5, 2)]),
    ("x^-2",                           lambda x, y: x ** -2,                                [(2, 0), (-0.5, 0)]),
    ("-x^2",                           lambda x, y: -(x ** 2),                              [(3, 0), (-3, 0)]),
    ("(-x)^3",                         lambda x, y: (-x) ** 3,                              [(2, 0), (-1.5, 0)]),
    ("x^3",                            lambda x, y: x ** 3,                                 [(-2, 0), (0, 0)]),
    ("x^y",                            lambda x, y: x ** y,                                 [(2.5, 1.7), (-2, 3)]),
    ("sqrt(x)",                        lambda x, y: math.sqrt(x),                           [(2, 0), (0, 0)]),
    ("1/sqrt(x)",                      lambda x, y: 1 / math.sqrt(x),                       [(2, 0), (0.25, 0)]),
    ("x^(3/2)",                        lambda x, y: math.sqrt(x) ** 3,                      [(2, 0), (0, 0)]),
    ("x^(-3/2)",                       lambda x, y: math.sqrt(x) ** -3,                     [(2, 0), (1e-8, 0)]),
    ("x^0.5",                          lambda x, y: x ** 0.5,                               [(2, 0), (0, 0)]),
    ("cbrt(x)",                        lambda x, y: math.cbrt(x),                           [(27, 0), (-8, 0)]),
    ("x^(1/3)",                        lambda x, y: x ** (1 / 3),                           [(27, 0), (2, 0)]),
    ("exp(x)",                         lambda x, y: math.exp(x),                            [(1, 0), (-700, 0)]),
    ("e^x",                            lambda x, y: math.exp(x),                            [(2, 0), (0, 0)]),
    ("log(x)",                         lambda x, y: math.log(x),                            [(math.e, 0), (1e-300, 0)]),
    ("log(x, y)",                      lambda x, y: math.log(x) / math.log(y),              [(8, 2), (0.5, 10)]),
    ("log2(x)",                        lambda x, y: math.log2(x),                           [(8, 0), (0.3, 0)]),
    ("log10(x)",                       lambda x, y: math.log10(x),                          [(1000, 0), (0.3, 0)]),
    ("sin(x)",                         lambda x, y: math.sin(x),                            [(1, 0), (-2, 0)]),
    ("cos(x)",                         lambda x, y: math.cos(x),                            [(1, 0), (-2, 0)]),
    ("tan(x)",                         lambda x, y: math.tan(x),                            [(1, 0), (-2, 0)]),
    ("cot(x)",                         lambda x, y: 1 / math.tan(x),                        [(1, 0), (-2, 0)]),
    ("sec(x)",                         lambda x, y: 1 / math.cos(x),                        [(1, 0), (-2, 0)]),
    ("csc(x)",                         lambda x, y: 1 / math.sin(x),                        [(1, 0), (-2, 0)]),
    ("asin(x)",                        lambda x, y: math.asin(x),                           [(0.5, 0), (-1, 0)]),
    ("acos(x)",                        lambda x, y: math.acos(x),                           [(0.5, 0), (1, 0)]),
    ("atan(x)",                        lambda x, y: math.atan(x),                           [(0.5, 0), (-30, 0)]),
    ("acot(x)",                        lambda x, y: math.atan(1 / x),                       [(0.5, 0), (-3, 0)]),
    ("asec(x)",                        lambda x, y: math.acos(1 / x),                       [(2, 0), (-1, 0)]),
    ("acsc(x)",                        lambda x, y: math.asin(1 / x),                       [(2, 0), (-1, 0)]),
    ("sinh(x)",                        lambda x, y: math.sinh(x),                           [(1, 0), (-2, 0)]),
    ("cosh(x)",                        lambda x, y: math.cosh(x),                           [(1, 0), (-2, 0)]),
    ("tanh(x)",                        lambda x, y: math.tanh(x),                           [(1, 0), (-2, 0)]),
    ("coth(x)",                        lambda x, y: 1 / math.tanh(x),                       [(1, 0), (-2, 0)]),
    ("sech(x)",                        lambda x, y: 1 / math.cosh(x),                       [(1, 0), (-2, 0)]),
    ("csch(x)",                        lambda x, y: 1 / math.sinh(x),                       [(1, 0), (-2, 0)]),
    ("asinh(x)",                       lambda x, y: math.asinh(x),                          [(1, 0), (-2, 0)]),
    ("acosh(x)",                       lambda x, y: math.acosh(x),                          [(1, 0), (5, 0)]),
    ("atanh(x)",                       lambda x, y: math.atanh(x),                          [(0.5, 0), (-0.9, 0)]),
    ("abs(x)",                         lambda x, y: abs(x),                                 [(-3, 0), (2, 0)]),
    ("sign(x)",                        lambda x, y: (x > 0) - (x < 0),                      [(-3, 0), (0, 0)]),
    ("pi*x",                           lambda x, y: math.pi * x,                            [(2, 0), (-1, 0)]),
    ("θ + x",                          lambda x, y: x + 0.25,                               [(2, 0)]),
    ("x sin(x)^2 + sin(x)",            lambda x, y: x * math.sin(x)**2 + math.sin(x),        [(1, 0), (4, 0)]),
    ("1/3 + x",                        lambda x, y: 1 / 3 + x,                              [(0, 0)]),
    ("0^0",                            lambda x, y: 1.0,                                    [(0, 0)]),
    ("x^0",                            lambda x, y: 1.0,                                    [(0, 0), (5, 0)]),
    ("x^y",                            lambda x, y: 1.0,                                    [(0, 0)]),
    ("x^y",                            lambda x, y: 0.0,                                    [(0, 2)]),
    ("exp(x)",                         lambda x, y: 0.0,                                    [(-1000, 0)]),
]

CASES = [(formula, oracle, point) for formula, oracle, points in VALUES for point in points]


def _point(formula, x, y):
    """The values of the variables that occur (θ is fixed at 0.25)."""
    free = parse(formula).free
    values = {"x": x, "y": y, "theta": 0.25}
    return {name: values[name] for name in free}


@pytest.mark.parametrize("formula, oracle, point", CASES,
                         ids=[f"{f} at {p}" for f, _, p in CASES])
def test_evaluate_agrees_with_math(formula, oracle, point):
    x, y = point
    result = evaluate(formula, _point(formula, x, y))
    assert math.isclose(result, oracle(x, y), rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.parametrize("formula, oracle, point", CASES,
                         ids=[f"{f} at {p}" for f, _, p in CASES])
def test_compile_function_agrees_with_evaluate(formula, oracle, point):
    x, y = point
    values = _point(formula, x, y)
    names = sorted(values)
    compiled = compile_function(formula, names)
    result = compiled(*(values[n] for n in names))
    assert type(result) is float
    assert math.isclose(result, evaluate(formula, values), rel_tol=1e-14, abs_tol=1e-300)
    assert math.isclose(result, oracle(x, y), rel_tol=1e-12, abs_tol=1e-300)


def test_point_as_dict_keywords_or_both():
    assert evaluate("x^2 + y", {"x": 3, "y": 1}) == 10.0
    assert evaluate("x^2 + y", x=3, y=1) == 10.0
    assert evaluate("x^2 + y", {"x": 3}, y=1) == 10.0
    assert evaluate("x", {"x": 1}, x=2) == 2.0                 # keywords win
    assert evaluate("x", {"x": 1, "unused": 5}) == 1.0         # extra names are ignored


def test_evaluate_takes_expressions_and_constants():
    assert evaluate(parse("x*y"), x=2, y=3) == 6.0
    assert evaluate("pi") == math.pi
    assert evaluate("e") == math.e
    assert evaluate("1/3") == 1 / 3
    assert type(evaluate("2")) is float


def test_missing_variable():
    with pytest.raises(EvaluationError, match="no value given for y"):
        evaluate("x + y", x=1)


def test_declared_function_has_no_value():
    with pytest.raises(EvaluationError, match="f is an unknown function without a numeric value"):
        evaluate(parse("f(x)", functions=["f"]), x=1)


DOMAIN_ERRORS = [
    # formula          point               message contains
    ("log(0)",         {},                 "log(0) is undefined"),
    ("log(x)",         {"x": 0},           "log(0) is undefined"),
    ("log(-1)",        {},                 "log(-1) is undefined"),
    ("log(x)",         {"x": -1},          "log(-1) is undefined"),
    ("log(x, b)",      {"x": 2, "b": 1},   "log(2, 1) is undefined"),
    ("log2(x)",        {"x": 0},           "log2(0) is undefined"),
    ("log10(x)",       {"x": -1},          "log10(-1) is undefined"),
    ("sqrt(-1)",       {},                 "sqrt(-1) is undefined"),
    ("sqrt(x)",        {"x": -1},          "sqrt(-1) is undefined"),
    # a root is the power u^(1/2), and its errors still speak of sqrt
    ("x^(1/2)",        {"x": -1},          "sqrt(-1) is undefined: sqrt needs a non-negative argument"),
    ("sqrt(x)",        {"x": -2.5},        "sqrt(-2.5) is undefined: sqrt needs a non-negative argument"),
    ("sqrt(x - 5)",    {"x": 1},           "sqrt(-4) is undefined"),
    ("1/sqrt(x)",      {"x": -4},          "sqrt(-4) is undefined: sqrt needs a non-negative argument"),
    ("1/sqrt(x)",      {"x": 0},           "division by zero: 1/sqrt(0)"),
    ("x^(3/2)",        {"x": -1},          "(-1)^1.5 is not a real number"),
    ("x^0.5",          {"x": -1},          "(-1)^0.5 is not a real number"),     # a decimal power
    ("asin(2)",        {},                 "asin(2) is undefined"),
    ("acos(x)",        {"x": -1.5},        "acos(-1.5) is undefined"),
    ("acosh(0.5)",     {},                 "acosh(0.5) is undefined"),
    ("atanh(1)",       {},                 "atanh(1) is undefined"),
    ("atanh(x)",       {"x": -1},          "atanh(-1) is undefined"),
    ("asec(x)",        {"x": 0.5},         "asec(0.5) is undefined"),
    ("cot(x)",         {"x": 0},           "cot(0) is undefined"),
    ("csc(x)",         {"x": 0},           "csc(0) is undefined"),
    ("coth(x)",        {"x": 0},           "coth(0) is undefined"),
    ("1/x",            {"x": 0},           "division by zero: 0^-1"),
    ("x/y",            {"x": 0, "y": 0},   "division by zero"),
    ("x^y",            {"x": 0, "y": -2},  "division by zero: 0^-2"),
    ("(-8)^(1/3)",     {},                 "is not a real number"),
    ("x^(1/3)",        {"x": -8},          "(-8)^0.333"),
    ("x^y",            {"x": -2, "y": 0.5}, "(-2)^0.5 is not a real number"),
    ("exp(1000)",      {},                 "exp(1000) overflows the float range"),
    ("exp(x)",         {"x": 1000},        "exp(1000) overflows"),
    ("cosh(x)",        {"x": 1000},        "cosh(1000) overflows"),
    ("x^2",            {"x": 1e200},       "overflows the float range"),
    ("2^x",            {"x": 2000},        "2^2000 overflows"),
    ("10^400",         {},                 "beyond the float range"),
    ("x*y",            {"x": 1e200, "y": 1e200}, "product overflows"),
]


@pytest.mark.parametrize("formula, point, message", DOMAIN_ERRORS,
                         ids=[f"{f} at {p}" for f, p, _ in DOMAIN_ERRORS])
def test_domain_error(formula, point, message):
    with pytest.raises(EvaluationError) as caught:
        evaluate(formula, point)
    assert message in str(caught.value)


COMPILED_DOMAIN_ERRORS = [row for row in DOMAIN_ERRORS if row[0] != "x*y"]


@pytest.mark.parametrize("formula, point, message", COMPILED_DOMAIN_ERRORS,
                         ids=[f"{f} at {p}" for f, p, _ in COMPILED_DOMAIN_ERRORS])
def test_compiled_domain_error(formula, point, message):
    names = sorted(point)
    with pytest.raises(EvaluationError) as caught:     # when compiling (10^400) or when called
        compile_function(formula, names)(*(point[n] for n in names))
    assert message in str(caught.value)


def test_zero_to_the_zero_is_one():
    assert evaluate("0^0") == 1.0
    assert evaluate("x^y", x=0, y=0) == 1.0
    assert compile_function("x^y")(0.0, 0.0) == 1.0


def test_evaluation_error_is_an_arithmetic_error():
    assert issubclass(EvaluationError, ArithmeticError)
    assert issubclass(EvaluationError, SymdiffError)
    with pytest.raises(ArithmeticError):
        evaluate("log(x)", x=0)


def test_nan_propagates_through_arithmetic():
    assert math.isnan(evaluate("x^2 + sin(x)", x=math.nan))
    assert math.isnan(compile_function("x^2 + sin(x)")(math.nan))


def test_compile_function_arguments():
    f = compile_function("x - y", ["y", "x"])
    assert f(1, 5) == 4.0                                  # in the order given
    g = compile_function("x - y")
    assert g(1, 5) == -4.0                                 # default: sorted free variables
    h = compile_function("x", ["x", "unused"])
    assert h(2, 99) == 2.0
    assert "x - y" in g.__doc__


def test_compile_function_refuses_an_argument_named_twice():
    # f(x, x) would leave one of the two values unused, silently
    with pytest.raises(EvaluationError, match="x is named twice"):
        compile_function("x*y", ["x", "x", "y"])


def test_compile_function_missing_variable():
    with pytest.raises(EvaluationError, match="no argument for y"):
        compile_function("x + y", ["x"])


def test_compile_function_never_runs_user_text():
    # The formula is parsed first; text that is not a formula never reaches exec.
    with pytest.raises(SymdiffError):
        compile_function("__import__('os').system('false')")


# ------------------------------------------------------------------ fixed bugs (regression tests)

def test_overflowing_sum_is_an_evaluation_error():
    with pytest.raises(EvaluationError):
        evaluate("x + y", x=1e308, y=1e308)


def test_compiled_overflowing_product_is_an_evaluation_error():
    with pytest.raises(EvaluationError):
        compile_function("x*y")(1e200, 1e200)


def test_compiled_overflowing_sum_is_an_evaluation_error():
    with pytest.raises(EvaluationError):
        compile_function("x + y")(1e308, 1e308)


def test_evaluate_always_returns_a_float():
    assert type(evaluate("sign(x)", x=-3)) is float


def test_nan_propagates_through_functions():
    assert math.isnan(evaluate("log(x)", x=math.nan))
    assert math.isnan(evaluate("sqrt(x)", x=math.nan))


# ------------------------------------------------------------------ large arguments (issue 15)

# Overflow is judged by the result: where only an intermediate overflows, the value is the
# limit (0 or +-1) within the float range; where the result itself is beyond it, an error.
MP = {
    "tanh(x)":      lambda x: mpmath.tanh(x),
    "sech(x)":      lambda x: mpmath.sech(x),
    "csch(x)":      lambda x: mpmath.csch(x),
    "coth(x)":      lambda x: mpmath.coth(x),
    "1/cosh(x)":    lambda x: 1 / mpmath.cosh(x),
    "cosh(x)^-2":   lambda x: mpmath.cosh(x) ** -2,
    "exp(-x^2)":    lambda x: mpmath.exp(-x**2),
    "x*sech(x)^2":  lambda x: x * mpmath.sech(x) ** 2,
}
LARGE = ["1000", "-1000", "710", "1e5"]


def _close(value: float, exact) -> bool:
    return math.isclose(value, float(exact), rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.parametrize("formula", sorted(MP))
@pytest.mark.parametrize("x", LARGE)
def test_limits_at_large_arguments(formula, x):
    with mpmath.workdps(60):
        exact = MP[formula](mpmath.mpf(x))
        slope = mpmath.diff(MP[formula], mpmath.mpf(x))
    derivative = diff(formula, "x")
    for expr, oracle in ((formula, exact), (derivative, slope)):
        assert _close(evaluate(expr, x=float(x)), oracle), (expr, x)
        assert _close(compile_function(expr, ["x"])(float(x)), oracle), (expr, x)


@pytest.mark.parametrize("formula, x, message", [
    ("exp(x)",          1000,    "exp(1000) overflows the float range"),
    ("cosh(x)",         1000,    "cosh(1000) overflows the float range"),
    ("sinh(x)",         -1000,   "sinh(-1000) overflows the float range"),
    ("x*cosh(x)",       1000,    "cosh(1000) overflows the float range"),
    ("sin(cosh(x))",    1000,    "cosh(1000) overflows the float range"),  # not "sin(inf)"
    ("tanh(x)*cosh(x)", 1000,    "cosh(1000) overflows the float range"),
    ("x^3",             1e200,   "1e+200^3 overflows the float range"),
    ("(-x)^3",          1e200,   "overflows the float range"),
])
def test_a_result_beyond_the_float_range_is_still_an_error(formula, x, message):
    with pytest.raises(EvaluationError, match=re.escape(message)) as caught:
        evaluate(formula, x=x)
    assert type(caught.value) is EvaluationError
    with pytest.raises(EvaluationError, match=re.escape(message)):
        compile_function(formula, ["x"])(x)


@pytest.mark.parametrize("formula, point, expected", [
    ("x^-2",         {"x": math.inf},            0.0),       # as given, not an overflow
    ("1/(x*y)",      {"x": 1e200, "y": 1e200},   0.0),       # the product overflows; 1/it is 0
    ("(x*y)^-2",     {"x": 1e200, "y": -1e200},  0.0),
    ("1/(x + y)",    {"x": 1e308, "y": 1e308},   0.0),
    ("exp(-exp(x))", {"x": 1000},                0.0),
    ("2^(-x^2)",     {"x": 1e200},               0.0),
])
def test_a_reciprocal_of_an_overflow_underflows_to_zero(formula, point, expected):
    assert evaluate(formula, point) == expected
    names = sorted(point)
    assert compile_function(formula, names)(*(point[n] for n in names)) == expected


def test_evaluate_all_walks_the_shared_nodes_once():
    exprs = [parse("x*y*z"), parse("x*y"), parse("sin(x*y) + z")]
    point = {"x": 2.0, "y": 3.0, "z": 0.5}
    assert evaluate_all(exprs, point) == [evaluate(e, point) for e in exprs]
    x = Sym("x")
    assert evaluate_all([x, 2*x], x=4) == [4.0, 8.0]
    with pytest.raises(EvaluationError, match="log"):
        evaluate_all([x, parse("log(x - 5)")], x=4)


@pytest.mark.parametrize("formula, point, expected", [
    ("atan(x*y)",        {"x": 1e200, "y": 1e200},  math.pi / 2),   # saturated: exact in floats
    ("acot(x*y)",        {"x": 1e200, "y": 1e200},  0.0),
    ("tanh(x + y)",      {"x": 1e308, "y": 1e308},  1.0),
    ("sign(x*y)",        {"x": -1e200, "y": 1e200}, -1.0),
    ("abs(x*y)^-1",      {"x": -1e200, "y": 1e200}, 0.0),           # still beyond, then 1/it
    ("exp(-(x + y))",    {"x": 1e308, "y": 1e308},  0.0),
    # a running sum or product that leaves the range on the way to a total in it is no overflow
    ("x*y*z",            {"x": 1e200, "y": 1e200, "z": 1e-300}, 1e100),
    ("1/(x*y*z)",        {"x": 1e200, "y": 1e200, "z": 1e-300}, 1e-100),   # 1e-200*1e-200*1e300
    ("1/(x + y + z)",    {"x": 1e308, "y": 1e308, "z": -1e308}, 1e-308),
])
def test_a_step_on_an_overflow_that_is_right_for_every_value_beyond_the_range(formula, point, expected):
    names = sorted(point)
    assert evaluate(formula, point) == pytest.approx(expected, rel=1e-15, abs=0)
    assert compile_function(formula, names)(*(point[n] for n in names)) == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize("formula, point, message", [
    # the true value is an ordinary number that the infinity has lost: an error, not 0
    ("1/log(cosh(x))",   {"x": 1000},               "cosh(1000) overflows the float range"),
    ("1/sqrt(cosh(x))",  {"x": 1000},               "cosh(1000) overflows the float range"),
    ("1/cbrt(x*y)",      {"x": 1e200, "y": 1e200},  "a product overflows the float range"),
    ("1/(cosh(x) - y)",  {"x": 1000, "y": 1e300},   "cosh(1000) overflows the float range"),
    ("atan(log(x*y))",   {"x": 1e200, "y": 1e200},  "a product overflows the float range"),
])
def test_a_step_on_an_overflow_that_depends_on_its_size_is_an_error(formula, point, message):
    names = sorted(point)
    with pytest.raises(EvaluationError, match=re.escape(message)):
        evaluate(formula, point)
    with pytest.raises(EvaluationError, match=re.escape(message)):
        compile_function(formula, names)(*(point[n] for n in names))
