"""Functions with cases: piecewise forms, comparisons, |x| bars, min, max, Heaviside.

* Reading: Piecewise((v, c), ...) (any case), if(c, a, b), comparisons (chains are joined
  by and), and / or / not, True / otherwise / False, |x| for abs(x); the printed text reads
  back to the same node (a table, and Hypothesis on random branches).
* Values: every numeric path picks the branch (evaluate, compile_function, the complex
  step, forward and reverse mode, --format python), never computes a branch not taken,
  and agrees with SymPy's Piecewise (lambdify) at points away from the boundaries.
* Derivatives: branch by branch, equal to SymPy's diff of the same Piecewise and to finite
  differences away from the boundaries; at a boundary where the function jumps or kinks
  the derivative's conditions are strict, the point is stated (singular_points, a CLI note)
  and evaluating there is an EvaluationError.
* Surfaces: LaTeX cases (rendered by KaTeX when SYMDIFF_KATEX is set), MathML, Python.
"""

from __future__ import annotations

import io
import math
import random
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import symdiff
from symdiff import (EvaluationError, Num, ParseError, Piecewise, SymdiffError, Symbol, compile_function,
                     diff, evaluate, parse, piecewise, simplify, singular_points, substitute, to_latex,
                     to_text)
from symdiff.autodiff import jvp, vjp
from symdiff.cli import main
from symdiff.expr import ONE, ZERO, call
from symdiff.formats import to_mathml, to_python
from symdiff.functions import all_of, any_of, compare, negation
from symdiff.numeric import complex_evaluate

from strategies import expressions, property_settings

X = sp.Symbol("x", real=True)
# Away from its jump, the derivative of Heaviside is 0
MODULES = [{"DiracDelta": lambda u: 0.0}, "mpmath"]

# ---------------------------------------------------------------- reading and printing

READ = [
    # text                                                  printed
    ("Piecewise((x^2, x < 0), (x, True))",                  "Piecewise((x^2, x < 0), (x, True))"),
    ("piecewise((x^2, x < 0), (x, otherwise))",             "Piecewise((x^2, x < 0), (x, True))"),
    ("PIECEWISE((1, x >= 2), (0, true))",                   "Piecewise((1, x >= 2), (0, True))"),
    ("if(x > 0, x, -x)",                                    "Piecewise((x, x > 0), (-x, True))"),
    ("Piecewise((1, 0 < x <= 1), (0, True))",               "Piecewise((1, 0 < x and x <= 1), (0, True))"),
    ("Piecewise((1, x ≤ 1 and y ≥ 2 or x ≠ y))",            "Piecewise((1, x <= 1 and y >= 2 or x != y))"),
    ("Piecewise((1, x = 2), (0, True))",                    "Piecewise((1, x == 2), (0, True))"),
    ("Piecewise((1, (x < 0 or x > 1) and y < 0))",          "Piecewise((1, (x < 0 or x > 1) and y < 0))"),
    ("Piecewise((1, not (x < 0 and y < 0)))",               "Piecewise((1, not (x < 0 and y < 0)))"),
    ("Piecewise((1, not not x < 0))",                       "Piecewise((1, x < 0))"),
    ("Piecewise((x, 1 < 2), (y, True))",                    "x"),           # a true first branch
    ("Piecewise((x, 2 < 1), (y, True))",                    "y"),           # a false branch goes
    ("Piecewise((x, x < 0), (y, False), (z, True))",        "Piecewise((x, x < 0), (z, True))"),
    ("Piecewise((x, x < 0), (x, True))",                    "x"),           # one value throughout
    ("Piecewise((x, x < 0), (y, True), (z, x > 1))",        "Piecewise((x, x < 0), (y, True))"),
    ("Piecewise((x, x <= x), (y, True))",                   "x"),
    ("|x|",                                                 "abs(x)"),
    ("||x| - 1|",                                           "abs(abs(x) - 1)"),
    ("|x - 1|^2 + |-y|",                                    "abs(-y) + abs(x - 1)^2"),
    ("2*|x|*|y|",                                           "2*abs(x)*abs(y)"),
    ("|x| sin(x)",                                          "abs(x)*sin(x)"),
    ("max(x, x^2) + min(x, 1) + Heaviside(x)",              "Heaviside(x) + max(x, x^2) + min(x, 1)"),
    ("if(x > 0, if(y > 0, 1, 2), 3)",                       "Piecewise((Piecewise((1, y > 0), (2, True)), x > 0), (3, True))"),
    ("y = if(x > 0, x, 0)",                                 "Piecewise((x, x > 0), (0, True))"),
    ("True + otherwise + and*or",                           "True + otherwise + and*or"),  # names, as before
]


@pytest.mark.parametrize("text, printed", READ, ids=[t for t, _ in READ])
def test_reading(text, printed):
    with pytest.warns() if text.startswith("y =") else _nothing():
        e = parse(text)
    assert to_text(e) == printed
    assert parse(printed) is e                      # the printed text reads back


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_the_node():
    x = Symbol("x")
    e = parse("Piecewise((x^2, x < 0), (x, True))")
    assert type(e) is Piecewise and e.branches == ((x**2, call("Lt", x, ZERO)), (x, ONE))
    assert e is piecewise((x**2, compare("<", x, ZERO)), (x, ONE))      # interned
    assert e.free == frozenset({"x"})
    with pytest.raises(EvaluationError, match="defined nowhere"):
        piecewise((x, ZERO))


def test_condition_constructors_fold():
    x, y = Symbol("x"), Symbol("y")
    c = compare("<", x, y)
    assert compare("<", Num(1), Num(2)) is ONE and compare(">=", Num(1), Num(2)) is ZERO
    assert compare("==", x, x) is ONE and compare("!=", x, x) is ZERO
    assert all_of(ONE, c) is c and all_of(c, ZERO) is ZERO and all_of() is ONE
    assert any_of(ZERO, c) is c and any_of(c, ONE) is ONE and any_of() is ZERO
    assert negation(negation(c)) is c and negation(ONE) is ZERO


def test_conditions_that_become_constant_fold():
    e = parse("Piecewise((x, y < 1), (x^2, True))")
    assert substitute(e, {"y": 3}) is parse("x^2")           # the constructors fold
    assert substitute(e, {"y": 0}) is parse("x")
    assert substitute(parse("Piecewise((x, y <= z and z < 1))"), {"y": Symbol("z")}) is \
        parse("Piecewise((x, z < 1))")
    assert simplify(parse("Piecewise((x, y*y >= y^2), (0, True))")) is parse("x")   # y^2 >= y^2
    assert simplify(parse("Piecewise((x + x, x < 0), (3*x - x, True))")) is parse("2*x")


def _conditions(variables=("x", "y")):
    """Random conditions: comparisons of small expressions, joined by and, or, not."""
    sides = expressions(wrt=None, floats=False, max_leaves=3)
    comparison = st.builds(lambda a, op, b: compare(op, a, b), sides,
                           st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), sides)
    return st.recursive(comparison, lambda inner: st.one_of(
        st.builds(all_of, inner, inner), st.builds(any_of, inner, inner), st.builds(negation, inner)),
        max_leaves=4)


@st.composite
def piecewise_forms(draw):
    values = expressions(wrt=None, floats=False, max_leaves=4)
    branches = draw(st.lists(st.tuples(values, _conditions()), min_size=1, max_size=3))
    if draw(st.booleans()):
        branches.append((draw(values), ONE))
    try:
        return piecewise(*branches)
    except EvaluationError:
        return piecewise((draw(values), ONE))


@given(piecewise_forms())
@property_settings(150)
def test_printed_text_reads_back(e):
    assert parse(to_text(e)) is e
    assert parse(to_text(e * Symbol("x") + 1)) is e * Symbol("x") + 1


# ---------------------------------------------------------------- values and derivatives

# text, the same function in SymPy, and its boundaries (points to keep away from)
FUNCTIONS = [
    ("Piecewise((x^2, x < 0), (x, True))",          sp.Piecewise((X**2, X < 0), (X, True)),                  [0]),
    ("if(x > 1, log(x), x - 1)",                    sp.Piecewise((sp.log(X), X > 1), (X - 1, True)),         [1]),
    ("Piecewise((sin(x), x <= pi/2), (1, True))",   sp.Piecewise((sp.sin(X), X <= sp.pi / 2), (1, True)),    [math.pi / 2]),
    ("Piecewise((exp(x), 0 < x <= 1), (e*x, x > 1), (1 + x, otherwise))",
     sp.Piecewise((sp.exp(X), (X > 0) & (X <= 1)), (sp.E * X, X > 1), (1 + X, True)),                          [0, 1]),
    ("Piecewise((x^3, x < -1 or x > 1), (x, True))", sp.Piecewise((X**3, (X < -1) | (X > 1)), (X, True)),    [-1, 1]),
    ("Piecewise((x*|x|, x != 2), (4, True))",       sp.Piecewise((X * sp.Abs(X), sp.Ne(X, 2)), (4, True)),  [0, 2]),
    ("Piecewise((1/x, not x >= 1), (sqrt(x), True))", sp.Piecewise((1 / X, sp.Not(X >= 1)), (sp.sqrt(X), True)), [0, 1]),
    ("|x^2 - 1|",                                   sp.Abs(X**2 - 1),                                        [-1, 1]),
    ("||x| - 1|",                                   sp.Abs(sp.Abs(X) - 1),                                   [-1, 0, 1]),
    ("max(x, x^2)",                                 sp.Max(X, X**2),                                         [0, 1]),
    ("min(sin(x), cos(x))",                         sp.Min(sp.sin(X), sp.cos(X)),                            [-3 * math.pi / 4, math.pi / 4]),
    ("x^2 * Heaviside(x - 1)",                      X**2 * sp.Heaviside(X - 1),                              [1]),
    ("if(x^2 < 2, x^2, 2)",                         sp.Piecewise((X**2, X**2 < 2), (2, True)),               [-math.sqrt(2), math.sqrt(2)]),
]
POINTS = [-2.7, -1.3, -0.6, -0.2, 0.3, 0.9, 1.2, 1.8, 2.9]


def _points(boundaries):
    return [p for p in POINTS if all(abs(p - b) > 0.05 for b in boundaries)]


@pytest.mark.parametrize("text, reference, boundaries", FUNCTIONS, ids=[t for t, _, _ in FUNCTIONS])
def test_values_and_derivatives_agree_with_sympy(text, reference, boundaries):
    e = parse(text)
    d = diff(e, "x")
    value = sp.lambdify(X, reference, MODULES)
    slope = sp.lambdify(X, sp.diff(reference, X), MODULES)
    f, df = compile_function(e, ["x"]), compile_function(d, ["x"])
    for p in _points(boundaries):
        expected, expected_slope = float(value(p)), float(slope(p))
        assert evaluate(e, x=p) == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert f(p) == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert evaluate(d, x=p) == pytest.approx(expected_slope, rel=1e-9, abs=1e-12)
        assert df(p) == pytest.approx(expected_slope, rel=1e-9, abs=1e-12)
        h = 1e-6                                               # and finite differences
        central = (evaluate(e, x=p + h) - evaluate(e, x=p - h)) / (2 * h)
        assert central == pytest.approx(expected_slope, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("text, reference, boundaries", FUNCTIONS, ids=[t for t, _, _ in FUNCTIONS])
def test_every_numeric_path_picks_the_branch(text, reference, boundaries):
    e = parse(text)
    d = diff(e, "x")
    namespace: dict = {}
    exec(compile(to_python(d, ["x"], name="f"), "<test>", "exec"), namespace)
    for p in _points(boundaries):
        slope = evaluate(d, x=p)
        assert jvp(e, {"x": p}, {"x": 1.0})[1] == pytest.approx(slope, rel=1e-9, abs=1e-12)
        assert vjp(e, {"x": p})[1]["x"] == pytest.approx(slope, rel=1e-9, abs=1e-12)
        step = complex_evaluate(e, {"x": complex(p, 1e-20)}).imag / 1e-20
        assert step == pytest.approx(slope, rel=1e-9, abs=1e-12)
        assert namespace["f"](p) == pytest.approx(slope, rel=1e-12, abs=1e-12)


def test_a_branch_not_taken_is_not_computed():
    e = parse("Piecewise((log(x), x > 0), (sqrt(-x), True))")    # each undefined on the other side
    d = diff(e, "x")
    namespace: dict = {}
    exec(compile(to_python(e, ["x"], name="f"), "<test>", "exec"), namespace)
    for p in (-4.0, 4.0):
        expected = math.log(p) if p > 0 else math.sqrt(-p)
        assert evaluate(e, x=p) == compile_function(e)(p) == namespace["f"](p) == pytest.approx(expected)
        assert jvp(e, {"x": p}, {"x": 1.0})[1] == vjp(e, {"x": p})[1]["x"] == pytest.approx(evaluate(d, x=p))
        assert complex_evaluate(e, {"x": complex(p)}).real == pytest.approx(expected)
    shared = parse("Piecewise((log(x)^2 + log(x), x > 0), (0, True))")   # log(x) shared
    exec(compile(to_python(shared, ["x"], name="g"), "<test>", "exec"), namespace)
    assert namespace["g"](-1.0) == 0.0


def test_no_branch_holds():
    e = parse("Piecewise((x, x > 0), (-x, x < -1))")
    for value in (lambda: evaluate(e, x=-0.5), lambda: compile_function(e)(-0.5)):
        with pytest.raises(EvaluationError, match=r"not defined at x = -0.5: no condition holds"):
            value()
    namespace: dict = {}
    exec(compile(to_python(e, ["x"], name="f"), "<test>", "exec"), namespace)
    assert math.isnan(namespace["f"](-0.5))                      # generated code: NaN


def _random_piecewise(rng: random.Random) -> tuple[str, object, list[float]]:
    """A random piecewise function of x with two or three branches and its SymPy twin."""
    pieces = ["x^2", "sin(x)", "exp(x/2)", "x^3 - x", "cos(2*x)", "3", "x", "log(x^2 + 1)"]
    cuts = sorted(rng.sample([-2, -1, 0, 1, 2], rng.choice([1, 2])))
    branches = [(rng.choice(pieces), f"x {rng.choice(['<', '<='])} {c}") for c in cuts]
    last = rng.choice(pieces)
    text = "Piecewise(" + ", ".join(f"({v}, {c})" for v, c in branches) + f", ({last}, True))"
    sympy_text = text.replace("^", "**").replace("True", "True")
    reference = sp.sympify(sympy_text, locals={"Piecewise": sp.Piecewise, "x": X})
    return text, reference, cuts


@pytest.mark.parametrize("seed", range(40))
def test_random_piecewise_functions_agree_with_sympy(seed):
    text, reference, cuts = _random_piecewise(random.Random(seed))
    d = diff(text, "x")
    assert parse(to_text(d)) is d
    slope = sp.lambdify(X, sp.diff(reference, X), MODULES)
    for p in _points(cuts):
        assert evaluate(d, x=p) == pytest.approx(float(slope(p)), rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------- where the derivative fails

SINGULAR = [
    # text                                                 the notes
    ("Piecewise((x^2, x < 0), (x, True))",                 ["the derivative does not exist at x = 0"]),
    ("Piecewise((x^2, x < 0), (x^3, True))",               []),
    ("Piecewise((x^2, x <= 1), (2x - 1, True))",           []),                     # a smooth join
    ("Piecewise((x^2, x <= 1), (2x, True))",               ["the derivative does not exist at x = 1"]),  # a jump
    ("Piecewise((1, 0 < x <= 1), (0, otherwise))",         ["the derivative does not exist at x = 0",
                                                            "the derivative does not exist at x = 1"]),
    ("Piecewise((sin(x), x < pi), (0, True))",             ["the derivative does not exist at x = pi"]),
    ("Piecewise((x^2, 2x < 1), (x - 1/4, True))",          []),                     # at x = 1/2
    ("Piecewise((x, x != 0), (0, True))",                  []),                     # it is x
    ("Piecewise((x, x != 0), (1, True))",                  ["the derivative does not exist at x = 0"]),
    ("Piecewise((x*y, x < 0), (x, True))",                 ["the derivative may not exist at x = 0"]),
    ("Piecewise((x, x < y), (y, True))",                   ["the derivative may not exist at x = y"]),
    ("Piecewise((x, x^2 < 1), (1, True))",                 ["the derivative may not exist where x^2 = 1"]),
    ("|x - 1|",                                            ["the derivative does not exist at x = 1"]),
    ("|2x + 1|",                                           ["the derivative does not exist at x = -1/2"]),
    ("|x^2 - 1|",                                          ["the derivative may not exist where x^2 - 1 = 0"]),
    ("x^2 + |x|",                                          ["the derivative may not exist at x = 0"]),
    ("max(x, 2 - x)",                                      ["the derivative does not exist at x = 1"]),
    ("max(x, x^2)",                                        ["the derivative may not exist where x = x^2"]),
    ("Heaviside(x - 2)",                                   ["the derivative does not exist at x = 2"]),
    ("sign(x)",                                            ["the derivative does not exist at x = 0"]),
    ("floor(x)",                                           ["the derivative does not exist where x is an integer"]),
    ("ceil(x/2)",                                          ["the derivative does not exist where x/2 is an integer"]),
    ("|y| + x",                                            []),
    ("x^2 + sin(x)",                                       []),
]


@pytest.mark.parametrize("text, notes", SINGULAR, ids=[t for t, _ in SINGULAR])
def test_singular_points(text, notes):
    assert [str(s) for s in singular_points(text, "x")] == notes


@pytest.mark.parametrize("text, point", [
    ("Piecewise((x^2, x < 0), (x, True))", 0.0),
    ("Piecewise((x^2, x <= 1), (2x, True))", 1.0),
    ("Piecewise((1, 0 < x <= 1), (0, otherwise))", 1.0),
    ("if(x > 0, x, -x)", 0.0),
    ("Piecewise((x, x != 0), (1, True))", 0.0),
])
def test_the_derivative_is_undefined_where_it_does_not_exist(text, point):
    d = diff(text, "x")
    with pytest.raises(EvaluationError, match="no condition holds"):
        evaluate(d, x=point)
    with pytest.raises(EvaluationError):
        compile_function(d, ["x"])(point)
    for side in (point - 1e-3, point + 1e-3):                   # defined on both sides
        assert math.isfinite(evaluate(d, x=side))


@pytest.mark.parametrize("text, point, expected", [
    ("Piecewise((x^2, x <= 1), (2x - 1, True))", 1.0, 2.0),     # a smooth join: defined there
    ("Piecewise((x, x != 0), (0, True))", 0.0, 1.0),           # a branch for one point alone
    ("Piecewise((x, x < 0), (x, x > 0), (0, True))", 0.0, 1.0),
    ("Piecewise((x^2, x < 0), (x^3, True))", 0.0, 0.0),
])
def test_the_derivative_is_defined_where_it_exists(text, point, expected):
    assert evaluate(diff(text, "x"), x=point) == expected


def test_the_derivatives_printed():
    assert to_text(diff("Piecewise((x^2, x < 0), (x, True))", "x")) == "Piecewise((2*x, x < 0), (1, x != 0))"
    assert to_text(diff("if(x > 0, x, -x)", "x")) == "Piecewise((1, x > 0), (-1, x != 0))"
    assert to_text(diff("Piecewise((x^2, x <= 1), (2x, True))", "x")) == "Piecewise((2*x, x < 1), (2, x != 1))"
    assert to_text(diff("Piecewise((x^2, x < 0), (x^3, True))", "x")) == "Piecewise((2*x, x < 0), (3*x^2, True))"
    assert to_text(diff("|x|", "x")) == "sign(x)"               # as SymPy, and as before
    assert to_text(diff("Piecewise((x*y, x < 0), (y^2, True))", "y")) == "Piecewise((x, x < 0), (2*y, True))"
    assert diff("Piecewise((y, x < 0), (2, True))", "y") == parse("Piecewise((1, x < 0), (0, True))")
    assert diff("Piecewise((1, x < 0), (2, True))", "y") is ZERO


def test_second_derivative():
    d2 = diff("Piecewise((x^3, x < 0), (x^2, True))", "x", 2)
    assert to_text(d2) == "Piecewise((6*x, x < 0), (2, x != 0))"


# ---------------------------------------------------------------- the other surfaces

LATEX = [
    ("Piecewise((x^2, x < 0), (x, True))",
     r"\begin{cases} x^{2} & x < 0 \\ x & \text{otherwise} \end{cases}"),
    ("Piecewise((1, 0 < x <= 1 or not y != 2))",
     r"\begin{cases} 1 & 0 < x \text{ and } x \leq 1 \text{ or } \text{not } y \neq 2 \end{cases}"),
    ("1 + if(x >= 0, |x|, -x)",
     r"\left(\begin{cases} \left|x\right| & x \geq 0 \\ -x & \text{otherwise} \end{cases}\right) + 1"),
]


@pytest.mark.parametrize("text, expected", LATEX, ids=[t for t, _ in LATEX])
def test_latex(text, expected):
    assert to_latex(parse(text)) == expected


def test_latex_renders_in_katex():
    from test_latex import katex_unavailable, render
    reason = katex_unavailable()
    if reason:
        pytest.skip(reason)
    strings = [expected for _, expected in LATEX]
    strings += [to_latex(diff(text, "x")) for text, _, _ in FUNCTIONS]
    strings += [to_latex(parse(text)) for text, _ in READ if not text.startswith("y =")]
    assert render(strings) == [None] * len(strings)


def test_mathml():
    shown = to_mathml(parse("Piecewise((x^2, x <= 0), (x, True))"))
    assert '<mo>{</mo><mtable columnalign="left">' in shown
    assert "<mtd><mrow><mi>x</mi><mo>&#x2264;</mo><mn>0</mn></mrow></mtd>" in shown
    assert "<mtd><mtext>otherwise</mtext></mtd>" in shown


def test_python_code():
    code = to_python(parse("Piecewise((x^2, x < 0 and y > 1), (x, True))"), name="f")
    assert "return (x**2 if ((x < 0) and (y > 1)) else x)" in code


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_command_line():
    status, out, err = _cli("Piecewise((x^2, x < 0), (x, True))", "--wrt", "x")
    assert status == 0 and out == "Piecewise((2*x, x < 0), (1, x != 0))\n"
    assert "note: the derivative does not exist at x = 0" in err
    status, out, err = _cli("|x - 1|", "--at", "x=3")
    assert status == 0 and out == "sign(x - 1) = 1\n" and "does not exist at x = 1" in err
    status, out, err = _cli("if(x > 0, x, -x)", "--at", "x=0")
    assert status == 2 and "no condition holds" in err and "Traceback" not in err
    status, out, err = _cli("Piecewise((x^2, x < 0), (x^3, True))", "--at", "x=0")
    assert status == 0 and out == "Piecewise((2*x, x < 0), (3*x^2, True)) = 0\n" and err == ""
    status, out, err = _cli("Piecewise((x^2, x < 0), (x, True))", "--format", "latex")
    assert status == 0 and r"\begin{cases}" in out
    status, out, err = _cli("Piecewise((x, x < 0), (x^2, True))", "--steps")
    assert status == 0 and "piecewise rule" in out
    status, out, err = _cli("Piecewise((x^3, x < 0), (x^2, True))", "--order", "2")
    assert status == 0 and out == "Piecewise((6*x, x < 0), (2, x != 0))\n"
    assert err == "symdiff: note: the derivative does not exist at x = 0\n"   # f' kinks at 0
    status, out, err = _cli("x*|x|", "--order", "2")              # differentiable once
    assert out == "2*sign(x)\n" and "may not exist at x = 0" in err
    status, out, err = _cli("|x|y|")
    assert status == 2 and "bars are not an implicit factor" in err


def test_errors_point_into_the_text():
    with pytest.raises(ParseError) as caught:
        parse("Piecewise((x < 0, x))")
    assert caught.value.column == 14 and "the value first" in caught.value.hint
    assert isinstance(caught.value, SymdiffError)


def test_exported():
    assert symdiff.Piecewise is Piecewise and symdiff.piecewise is piecewise
    assert "singular_points" in symdiff.__all__
    assert sys.modules["symdiff"].singular_points is singular_points


# ---------------------------------------------------------------- random nested forms

def _random_value(rng: random.Random, depth: int = 0) -> str:
    """Text of a random formula of x and y with bars, min/max, if and Piecewise, nested."""
    r = rng.random()
    if depth > 2 or r < 0.3:
        return rng.choice(["x", "y", "1", "2", "x^2", "sin(x)", "-x", "1/2", "0.5"])
    if r < 0.5:
        return f"({_random_value(rng, depth + 1)} {rng.choice('+-*')} {_random_value(rng, depth + 1)})"
    if r < 0.6:
        return f"|{_random_value(rng, depth + 1)}|"
    if r < 0.7:
        return f"{rng.choice(['max', 'min'])}({_random_value(rng, depth + 1)}, {_random_value(rng, depth + 1)})"
    if r < 0.85:
        return (f"if({_random_condition(rng, depth + 1)}, {_random_value(rng, depth + 1)}, "
                f"{_random_value(rng, depth + 1)})")
    branches = ", ".join(f"({_random_value(rng, depth + 1)}, {_random_condition(rng, depth + 1)})"
                         for _ in range(rng.randint(1, 3)))
    return f"Piecewise({branches}, ({_random_value(rng, depth + 1)}, {rng.choice(['True', 'otherwise'])}))"


def _random_condition(rng: random.Random, depth: int) -> str:
    r = rng.random()
    if depth > 3 or r < 0.6:
        relation = rng.choice(["<", "<=", ">", ">=", "==", "!=", "≤"])
        return f"{_random_value(rng, depth + 1)} {relation} {_random_value(rng, depth + 1)}"
    if r < 0.7:
        return f"{_random_value(rng, depth + 1)} < {_random_value(rng, depth + 1)} <= {_random_value(rng, depth + 1)}"
    if r < 0.8:
        return f"not {_random_condition(rng, depth + 1)}"
    return f"({_random_condition(rng, depth + 1)} {rng.choice(['and', 'or'])} {_random_condition(rng, depth + 1)})"


@pytest.mark.parametrize("seed", range(300))
def test_random_nested_forms(seed):
    """Read, printed back, differentiated: the derivative reads back, and at three points its
    value agrees with central differences, forward mode and compiled code."""
    text = _random_value(random.Random(seed))
    try:
        e = parse(text)
    except SymdiffError:
        return                                    # a form that holds nowhere: refused
    assert parse(to_text(e)) is e
    if "x" not in e.free:
        return
    d = diff(e, "x")
    assert parse(to_text(d)) is d
    f, df = compile_function(e, ["x", "y"]), compile_function(d, ["x", "y"])
    for p in (-1.37, 0.41, 1.73):
        try:
            slope = evaluate(d, x=p, y=0.77)
            central = (evaluate(e, x=p + 1e-6, y=0.77) - evaluate(e, x=p - 1e-6, y=0.77)) / 2e-6
        except EvaluationError:
            continue                              # a point where no branch holds
        assert f(p, 0.77) == evaluate(e, x=p, y=0.77) and df(p, 0.77) == slope
        assert central == pytest.approx(slope, rel=1e-4, abs=1e-4)
        assert jvp(e, {"x": p, "y": 0.77}, {"x": 1.0})[1] == pytest.approx(slope, rel=1e-9, abs=1e-12)
