"""The n-th derivative for a symbolic order: each closed form, with n = 1, ..., 6 put in,
agrees by value with SymPy's derivative of that order; outside the families, a DiffError.
"""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given, settings, strategies as st

from symdiff import DiffError, diff, evaluate, parse, substitute
from symdiff.cli import main

X = sympy.Symbol("x")
POINT = 0.7


def sympy_nth(formula: str, order: int) -> float:
    written = str(parse(formula)).replace("^", "**")        # explicit * and **, which SymPy reads
    expr = sympy.sympify(written, locals={"x": X})
    return float(sympy.diff(expr, X, order).subs(X, POINT).evalf(30))


def assert_closed_form(formula: str, orders=range(1, 7)):
    closed = diff(formula, "x", "n")
    for k in orders:
        value = evaluate(substitute(closed, {"n": k}), x=POINT)
        assert math.isclose(value, sympy_nth(formula, k), rel_tol=1e-9, abs_tol=1e-12), (formula, k, closed)


@pytest.mark.parametrize("formula", [
    "sin(x)", "cos(x)", "sin(2x + 1)", "cos(3 - x/2)", "exp(x)", "exp(-3x + 2)",
    "2^x", "3^(2x - 1)", "x^3", "x^5", "x^(1/2)", "(2x + 1)^(3/2)", "(1 - x)^(-2)", "1/x",
    "1/(2x + 3)", "log(x)", "log(3x + 1)", "log(2 - x)", "x", "7x",
    "3/x + exp(-x) - 2", "sin(x) + cos(2x) + x^4", "5*exp(2x)*4",
])
def test_table_against_sympy(formula):
    assert_closed_form(formula)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["sin", "cos", "exp", "log", "pow", "base"]),
       st.integers(-3, 3).filter(bool), st.integers(-2, 2), st.fractions(-3, 3, max_denominator=3))
def test_families_with_random_parameters(family, a, b, m):
    u = f"({a}*x + {b})"
    formula = {"sin": f"sin{u}", "cos": f"cos{u}", "exp": f"exp{u}", "log": f"log({a * a}*x + 1)",
               "pow": f"{u}^({m})" if m else f"{u}^2", "base": f"2^{u}"}[family]
    if family == "pow" and a * POINT + b <= 0 and m.denominator != 1:
        formula = f"({a * a}*x + 1)^({m})"           # inside the real domain at the point
    assert_closed_form(formula, orders=range(1, 5))


@pytest.mark.parametrize("formula", ["x*sin(x)", "exp(x^2)", "sin(x)^2", "log(log(x))", "x^x"])
def test_outside_the_families_is_an_error_never_zero(formula):
    with pytest.raises(DiffError, match="no closed form for the n-th derivative"):
        diff(formula, "x", "n")


def test_a_variable_of_the_formula_is_not_an_order():
    assert diff("x*y", "x", "y") == parse("1")          # the mixed partial, as before
    assert str(diff("sin(x)", "x", "n")) == "sin(x + pi*n/2)"


@pytest.mark.parametrize(("formula", "wrt"), [
    ("x^2", ("x", "y")), ("x^2*y", ("x", "z")), ("x^2", ("x", "t")), ("f(x)", ("x", "y")),
])
def test_an_absent_variable_after_the_first_is_a_mixed_partial(formula, wrt):
    # SymPy's (x**2).diff(x, y) == 0: only n, m and k read as orders
    assert diff(formula, *wrt, functions=["f"]) == parse("0")


def test_a_pair_names_any_order():
    closed = diff("x^3", ("x", "j"))
    assert [evaluate(substitute(closed, {"j": parse(str(j))}), x=1.5) for j in (1, 2, 3, 4)] \
        == [6.75, 9.0, 6.0, 0.0]
    assert diff("x^3*y", ("x", 2), "y") == parse("6x")
    with pytest.raises(DiffError, match="variable of the formula"):
        diff("x^j", ("x", "j"))
    with pytest.raises(DiffError, match="stands alone"):
        diff("x^2", ("x", "n"), "y")


def test_the_command_line(capsys):
    def cli(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, err = cli("log(1 + x)", "--order", "n")
    assert code == 0 and out.strip() == "(-1)^(n - 1)*factorial(n - 1)/(x + 1)^n"
    assert "for every whole n >= 1" in err
    code, out, err = cli("x^n", "--wrt", "x", "--order", "n")
    assert code == 2 and "is a variable of the formula" in err
    code, out, err = cli("x*sin(x)", "--order", "n")
    assert code == 2 and "no closed form" in err
    code, out, err = cli("exp(2x)", "--order", "k", "--latex")
    assert code == 0 and out.strip() == r"2^{k} e^{2 x}"


def test_numbers_need_a_whole_order(capsys):
    assert main(["sin(x)", "--order", "n", "--check"]) == 2
    assert "give a whole number as the order" in capsys.readouterr().err
