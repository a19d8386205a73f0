"""Tests for symdiff.numeric and the CLI's --method and --check.

The oracle is the exact derivative (written by hand, or symdiff's symbolic one);
each numerical method must come within its own error estimate.
"""

import cmath
import dataclasses
import math
import random
import re

import mpmath
import pytest

from symdiff import EvaluationError, autodiff, diff, evaluate, functions, parse
from symdiff.cli import main
from symdiff.numeric import (EPS, METHODS, Estimate, backward_difference, central_difference,
                             central_step, complex_evaluate, complex_step, forward_difference,
                             numeric_gradient, one_sided_step, partial, richardson)

CHAPTER = parse("log(x) + x*y - sin(y)")
AT = {"x": 2.0, "y": 5.0}
DY = 2 - math.cos(5)

REAL_METHODS = ["forward", "backward", "central", "richardson"]
ALL_METHODS = [*REAL_METHODS, "complex"]


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# ---------------------------------------------------------------- the chapter's example

@pytest.mark.parametrize("method", ALL_METHODS)
def test_chapter_example_by_every_numerical_method(method):
    dx = partial(CHAPTER, "x", AT, method)
    dy = partial(CHAPTER, "y", AT, method)
    assert isinstance(dx, Estimate) and dx.method == METHODS[method](cmath.sin, 1.0).method
    assert abs(dx.value - 5.5) <= dx.error
    assert abs(dy.value - DY) <= dy.error


def test_chapter_example_symbolic_and_ad():
    assert evaluate(diff(CHAPTER, "x"), AT) == 5.5
    assert evaluate(diff(CHAPTER, "y"), AT) == pytest.approx(DY, rel=1e-15)
    assert autodiff.jvp(CHAPTER, AT, {"x": 1})[1] == 5.5
    assert autodiff.vjp(CHAPTER, AT)[1] == {"x": 5.5, "y": pytest.approx(DY, rel=1e-15)}


def test_numeric_gradient_of_the_chapter_example():
    gradient = numeric_gradient(CHAPTER, AT)
    assert sorted(gradient) == ["x", "y"]
    assert gradient["x"].value == pytest.approx(5.5, rel=1e-9)
    assert gradient["y"].value == pytest.approx(DY, rel=1e-9)
    assert numeric_gradient(CHAPTER, AT, ["y"], "complex")["y"].value == pytest.approx(DY, rel=1e-15)


# ---------------------------------------------------------------- error estimates

# name       f(x)                               f(z) for the complex step       f'(x)                                  points
TABLE = [
    ("sin",      math.sin,                         cmath.sin,                        math.cos,                              [0.0, 1.0, 2.5, -3.0, 100.0]),
    ("exp",      math.exp,                         cmath.exp,                        math.exp,                              [0.0, 1.0, -2.0, 5.0, 20.0]),
    ("log",      math.log,                         cmath.log,                        lambda x: 1 / x,                       [0.5, 1.0, 3.0, 1000.0]),
    ("sqrt",     math.sqrt,                        cmath.sqrt,                       lambda x: 0.5 / math.sqrt(x),          [0.5, 2.0, 1e4]),
    ("cube",     lambda x: x ** 3,                 lambda z: z ** 3,                 lambda x: 3 * x * x,                   [0.0, 1.0, -2.0, 1e3]),
    ("atan",     math.atan,                        cmath.atan,                       lambda x: 1 / (1 + x * x),             [0.0, 0.5, 10.0]),
    ("1/x",      lambda x: 1 / x,                  lambda z: 1 / z,                  lambda x: -1 / (x * x),                [0.5, 2.0, -3.0]),
    ("tanh",     math.tanh,                        cmath.tanh,                       lambda x: 1 - math.tanh(x) ** 2,       [0.0, 1.0, -2.0]),
    ("exp(sin)", lambda x: math.exp(math.sin(x)),  lambda z: cmath.exp(cmath.sin(z)), lambda x: math.cos(x) * math.exp(math.sin(x)), [0.3, 50.0]),
]
ROWS = [(name, f, fz, d, x) for name, f, fz, d, xs in TABLE for x in xs]
IDS = [f"{name}@{x}" for name, *_, x in ROWS]


@pytest.mark.parametrize("method", REAL_METHODS)
@pytest.mark.parametrize("name, f, fz, d, x", ROWS, ids=IDS)
def test_error_estimate_bounds_the_true_error(name, f, fz, d, x, method):
    estimate = METHODS[method](f, x)
    assert abs(estimate.value - d(x)) <= estimate.error, estimate
    if method != "richardson":           # its first step, 0.1*max(1, |x|), is long at x = 100
        assert estimate.error < 1e-5 * max(1.0, abs(d(x)))      # and it is a useful bound


@pytest.mark.parametrize("name, f, fz, d, x", ROWS, ids=IDS)
def test_complex_step_is_exact_to_rounding(name, f, fz, d, x):
    estimate = complex_step(fz, x)
    assert estimate.step == 1e-20
    assert abs(estimate.value - d(x)) <= estimate.error <= 8 * EPS * max(1.0, abs(d(x)))


@pytest.mark.parametrize("method", ["forward", "backward", "central"])
def test_error_estimate_bounds_the_true_error_at_random_points(method):
    rng = random.Random(1)

    def f(x):
        return math.exp(math.sin(x))

    def d(x):
        return math.cos(x) * math.exp(math.sin(x))

    misses = [x for x in (rng.uniform(-5, 5) for _ in range(300))
              if abs(METHODS[method](f, x).value - d(x)) > METHODS[method](f, x).error]
    assert misses == []


def test_richardson_is_more_accurate_than_central_differences():
    for x in (0.3, 1.0, 2.0):
        c, r = central_difference(math.exp, x), richardson(math.exp, x)
        assert abs(r.value - math.exp(x)) < abs(c.value - math.exp(x))
    assert richardson(math.exp, 1.0).step == 0.1 and richardson(math.exp, -30.0).step == 3.0


def test_backward_difference_estimate_bounds_the_error_with_a_given_step():
    estimate = partial(parse("x^3"), "x", {"x": 2.0}, "backward", h=1e-3)
    assert abs(estimate.value - 12.0) <= estimate.error


# ---------------------------------------------------------------- steps

@pytest.mark.parametrize("x", [0.0, 0.5, -1.0, 3.0, -250.0, 1e6])
def test_automatic_steps(x):
    assert one_sided_step(x) == math.sqrt(EPS) * max(1.0, abs(x))
    assert central_step(x) == pytest.approx(EPS ** (1 / 3) * max(1.0, abs(x)), rel=1e-15)
    assert forward_difference(math.sin, x).step == one_sided_step(x)
    assert backward_difference(math.sin, x).step == one_sided_step(x)
    assert central_difference(math.sin, x).step == central_step(x)
    assert one_sided_step(x) == pytest.approx(1.49e-8 * max(1.0, abs(x)), rel=1e-3)
    assert central_step(x) == pytest.approx(6.06e-6 * max(1.0, abs(x)), rel=1e-3)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_h_overrides_the_step(method):
    estimate = partial(parse("x^3"), "x", {"x": 2.0}, method, h=1e-3)
    assert estimate.step == 1e-3
    # the leading truncation terms: f''h/2 = 6e-3 (one-sided), f'''h^2/6 = 1e-6 (central,
    # complex step); Richardson cancels them (what is left is rounding)
    truncation = {"forward": 6.002e-3, "backward": 6e-3, "central": 1.01e-6,
                  "richardson": 1e-10, "complex": 1.01e-6}[method]
    assert abs(estimate.value - 12.0) <= truncation
    if method in ("forward", "central", "richardson"):
        assert abs(estimate.value - 12.0) <= estimate.error


def test_a_larger_step_has_a_larger_truncation_error():
    small, large = forward_difference(math.exp, 1.0), forward_difference(math.exp, 1.0, h=1e-3)
    assert abs(large.value - math.e) > abs(small.value - math.e)
    assert large.error > small.error
    assert abs(large.value - math.e) <= large.error


def test_the_step_rule_balances_truncation_and_rounding():
    """Smaller and larger steps than the automatic one are both worse (on average)."""
    def mean_error(scale):
        xs = [0.1 * k for k in range(1, 40)]
        return sum(abs(forward_difference(math.sin, x, one_sided_step(x) * scale).value - math.cos(x))
                   for x in xs) / len(xs)
    assert mean_error(1) < mean_error(1e-3)
    assert mean_error(1) < mean_error(1e3)


# ---------------------------------------------------------------- on expressions

def test_partial_checks_the_point_and_the_method():
    with pytest.raises(EvaluationError, match="log"):
        partial(parse("log(x)"), "x", {"x": -1.0})
    with pytest.raises(ValueError, match="unknown method 'secant'"):
        partial(parse("x^2"), "x", {"x": 1.0}, "secant")


def test_partial_of_a_variable_not_in_the_formula_is_zero():
    assert partial(parse("x^2"), "y", {"x": 1.0, "y": 2.0}).value == 0.0


@pytest.mark.parametrize("formula, point, expected", [
    ("x^3",              {"x": 2.0},            8.0),
    ("(-2)^x",           {"x": 3.0},            -8.0),
    ("cbrt(x)",          {"x": -8.0},           -2.0),
    ("log(x, 2)",        {"x": 8.0},            3.0),
    ("abs(x)",           {"x": -3.0},           3.0),
    ("sqrt(x)",          {"x": 2.25},           1.5),
    ("1/sqrt(x)",        {"x": 4.0},            0.5),
    ("x^(3/2)",          {"x": 2.0},            evaluate("x^(3/2)", x=2.0)),
    (CHAPTER,            AT,                    evaluate(CHAPTER, AT)),
])
def test_complex_evaluate_agrees_with_evaluate_on_the_real_axis(formula, point, expected):
    value = complex_evaluate(parse(formula), point)
    assert value.imag == 0
    assert value.real == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("formula, derivative, points", [
    ("sqrt(x)",          lambda x: 0.5 / math.sqrt(x),             [1e-6, 0.5, 2.0, 1e4]),
    ("1/sqrt(x)",        lambda x: -0.5 / math.sqrt(x) ** 3,       [0.5, 2.0, 1e4]),
    ("x^(3/2)",          lambda x: 1.5 * math.sqrt(x),             [0.5, 2.0, 1e4]),
    ("sqrt(x^2 + 1)",    lambda x: x / math.sqrt(x * x + 1),       [-2.0, 0.0, 3.0]),
    ("sqrt(x)*x",        lambda x: 1.5 * math.sqrt(x),             [0.5, 9.0]),
])
def test_complex_step_of_square_roots_is_exact_to_rounding(formula, derivative, points):
    for x in points:
        estimate = partial(parse(formula), "x", {"x": x}, "complex")
        assert abs(estimate.value - derivative(x)) <= estimate.error <= 8 * EPS * max(1.0, abs(derivative(x)))


def test_complex_square_root_is_the_principal_branch():
    root = parse("sqrt(x)")
    for z in (complex(-4.0, 1e-20), complex(-4.0, -1e-20), complex(2.0, 1e-20), 1j):
        assert complex_evaluate(root, {"x": z}) == cmath.sqrt(z)
    assert complex_evaluate(root, {"x": complex(-4.0, 1e-20)}).imag > 0      # above the cut: +2i


def test_forward_difference_of_abs_at_zero_is_one():
    """The documented one-sided convention: a forward difference sees the right branch."""
    assert partial(parse("abs(x)"), "x", {"x": 0.0}, "forward").value == 1.0
    assert partial(parse("abs(x)"), "x", {"x": 0.0}, "backward").value == -1.0
    assert partial(parse("abs(x)"), "x", {"x": 0.0}, "central").value == 0.0


# ---------------------------------------------------------------- CLI: --method

def parse_table(text):
    """``--method all`` output: {method: [(value, error), ...]} (one pair per variable)."""
    lines = text.splitlines()
    header = lines[0].split()
    assert header[0] == "method" and header[2::2] == ["error"] * ((len(header) - 1) // 2)
    table = {}
    for line in lines[1:]:
        label, rest = line[:26].strip(), line[26:].split()
        table[label] = [(float(rest[i]), float(rest[i + 1])) for i in range(0, len(rest), 2)]
    return header, table


def test_cli_method_all_table(capsys):
    status, out, err = run(capsys, "log(x)+x*y-sin(y)", "--wrt", "x,y", "--at", "x=2,y=5",
                           "--method", "all")
    assert status == 0 and err == ""
    header, table = parse_table(out)
    assert header == ["method", "d/dx", "error", "d/dy", "error"]
    assert list(table) == ["symbolic", "forward-mode AD", "reverse-mode AD", "central difference",
                           "forward difference", "backward difference",
                           "Richardson extrapolation", "complex step"]
    for label, ((dx, ex), (dy, ey)) in table.items():
        assert ex == pytest.approx(abs(dx - 5.5), rel=0.06, abs=1e-16), label
        assert ey == pytest.approx(abs(dy - DY), rel=0.06, abs=1e-15), label
        assert abs(dx - 5.5) < 1e-7 and abs(dy - DY) < 1e-7, label
    for exact in ("symbolic", "forward-mode AD", "reverse-mode AD", "complex step"):
        assert table[exact][0] == (5.5, 0.0)
        assert table[exact][1][0] == pytest.approx(DY, rel=1e-15)


@pytest.mark.parametrize("method, label", [
    ("forward", "forward-mode AD"), ("reverse", "reverse-mode AD"), ("central", "central difference"),
    ("forward-difference", "forward difference"), ("backward-difference", "backward difference"),
    ("richardson", "Richardson extrapolation"), ("complex-step", "complex step"),
])
def test_cli_one_method(capsys, method, label):
    status, out, err = run(capsys, "log(x)+x*y-sin(y)", "--wrt", "x,y", "--at", "x=2,y=5",
                           "--method", method)
    assert status == 0 and err == ""
    dx, dy = out.splitlines()
    assert dx.startswith("d/dx = ") and dy.startswith("d/dy = ")
    assert float(dx[7:]) == pytest.approx(5.5, rel=1e-7)
    assert float(dy[7:]) == pytest.approx(DY, rel=1e-7)
    status, out, _ = run(capsys, "log(x)+x*y-sin(y)", "--wrt", "x", "--at", "x=2,y=5", "--method", method)
    assert float(out) == pytest.approx(5.5, rel=1e-7)


def test_cli_reverse_method_is_exact(capsys):
    assert run(capsys, "log(x)+x*y-sin(y)", "--wrt", "x,y", "--at", "x=2,y=5", "--method",
               "reverse")[1] == "d/dx = 5.5\nd/dy = 1.7163378145367738\n"


@pytest.mark.parametrize("argv, message", [
    (("x^2", "--method", "reverse"), "--method reverse computes values: give the point with --at"),
    (("x^2", "--at", "x=1", "--method", "all", "--order", "2"), "--method compares first derivatives"),
    (("x^2", "--at", "x=1", "--method", "secant"), "invalid choice: 'secant'"),
])
def test_cli_method_usage_errors(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == "" and message in err


def test_cli_method_all_shows_a_method_that_fails(capsys):
    """Richardson's first step, 0.1, leaves the domain of log at x = 0.05: that row says so."""
    status, out, _ = run(capsys, "log(x)", "--at", "x=0.05", "--method", "all")
    assert status == 0
    row = next(line for line in out.splitlines() if line.startswith("Richardson"))
    assert "log(-0.05) is undefined" in row


# ---------------------------------------------------------------- CLI: --check

@pytest.mark.parametrize("argv", [("sin(x)",), ("x^x",), ("log(x)+x*y-sin(y)", "--wrt", "x,y"),
                                  ("sin(x)^2", "--order", "3"), ("atan(x)/x",)])
def test_check_passes_for_correct_derivatives(capsys, argv):
    status, out, err = run(capsys, *argv, "--check")
    assert status == 0, out + err
    report = out.splitlines()[-1]
    assert report.startswith("check: 20 random points; largest relative error ")
    assert report.endswith(": ok")


@pytest.fixture
def wrong_sin():
    """sin' = -cos(u) in the function table, for the length of one test."""
    original = functions.FUNCTIONS["sin"]
    functions.FUNCTIONS["sin"] = dataclasses.replace(
        original, derivatives=(lambda u: functions.neg(functions.cos(u)),))
    autodiff._function_partials.cache_clear()
    try:
        yield
    finally:
        functions.FUNCTIONS["sin"] = original
        autodiff._function_partials.cache_clear()


def test_check_fails_when_the_derivative_is_wrong(capsys, wrong_sin):
    status, out, err = run(capsys, "sin(x)", "--check")
    assert status == 1
    first, report, mismatch = out.splitlines()
    assert first == "-cos(x)"                        # the wrong rule really was used
    assert "largest relative error 2.0e+00 against central differences" in report
    assert mismatch.startswith("check: MISMATCH at x=")
    assert "symbolic" in mismatch and "central difference" in mismatch


def test_check_after_the_table_is_restored(capsys):
    """The fixture above restores the table (this runs after it in file order)."""
    assert run(capsys, "sin(x)", "--check")[0] == 0
    assert diff("sin(x)", "x") == parse("cos(x)")


def test_check_with_no_point_in_the_domain(capsys):
    status, out, _ = run(capsys, "sqrt(-x^2-1)", "--check")
    assert status != 0


# ---------------------------------------------------------------- large arguments (issue 15)

# Where only an intermediate overflows, every method gives the limit (0 or +-1) within the
# float range; a result beyond it is an EvaluationError, never Python's OverflowError.
MP = {
    "tanh(x)":    mpmath.tanh,
    "sech(x)":    mpmath.sech,
    "csch(x)":    mpmath.csch,
    "coth(x)":    mpmath.coth,
    "1/cosh(x)":  lambda x: 1 / mpmath.cosh(x),
    "cosh(x)^-2": lambda x: mpmath.cosh(x) ** -2,
}


@pytest.mark.parametrize("formula", sorted(MP))
@pytest.mark.parametrize("x", ["1000", "-1000", "710", "1e5"])
@pytest.mark.parametrize("method", ALL_METHODS)
def test_numerical_derivatives_at_large_arguments(formula, x, method):
    with mpmath.workdps(60):
        first, second = (float(mpmath.diff(MP[formula], mpmath.mpf(x), n)) for n in (1, 2))
    for expr, exact in ((formula, first), (diff(formula, "x"), second)):   # and of its derivative
        estimate = partial(parse(expr), "x", {"x": float(x)}, method)
        # Richardson's first step is 0.1*|x|: at 710 it samples sech near 639, where its value
        # is about 1e-277, so its error there is at that scale
        tolerance = 1e-270 if method == "richardson" else 1e-300
        assert math.isclose(estimate.value, exact, rel_tol=1e-6, abs_tol=tolerance), (expr, x)


@pytest.mark.parametrize("formula, x, message", [
    ("exp(x)",        1000.0,  "exp(1000) overflows the float range"),
    ("cosh(x)",       -1000.0, "cosh(-1000) overflows the float range"),
    ("x*cosh(x)^2",   1000.0,  "cosh(1000) overflows the float range"),
])
@pytest.mark.parametrize("method", ALL_METHODS)
def test_true_overflows_are_evaluation_errors_by_every_method(formula, x, message, method):
    with pytest.raises(EvaluationError, match=re.escape(message)):
        partial(parse(formula), "x", {"x": x}, method)


def test_complex_evaluate_of_an_overflow():
    assert complex_evaluate(parse("1/cosh(x)"), {"x": complex(1000, 1e-20)}) == 0
    assert complex_evaluate(parse("tanh(x)"), {"x": complex(-1000, 1e-20)}) == -1
    with pytest.raises(EvaluationError, match=re.escape("cosh(1000) overflows the float range")):
        complex_evaluate(parse("cosh(x)"), {"x": complex(1000, 1e-20)})


@pytest.mark.parametrize("method", ["forward", "reverse", "complex-step", "central"])
def test_cli_methods_at_a_large_argument(capsys, method):
    status, out, err = run(capsys, "sech(x)", "--at", "x=1000", "--method", method)
    assert (status, err) == (0, "")
    assert float(out) == 0.0
