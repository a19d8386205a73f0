"""Exact values at a point (symdiff.calculus), checked against SymPy.

* Roots of numbers come out in SymPy's form (sqrt(8) = 2*sqrt(2), 1/sqrt(2) = sqrt(2)/2), on a
  table of whole numbers, fractions and powers: the very expression SymPy builds, and the value.
* The special values of the trigonometric functions and their inverses at every multiple of
  pi/12 that has one: equal to SymPy's exact value, with no function left where SymPy has none.
* Derivatives of random expressions at random rational points: the exact value agrees with the
  float evaluation of the same derivative.
* The command line prints the exact value beside the float, in text, LaTeX and JSON.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import pickle
from fractions import Fraction

import pytest
import sympy
from hypothesis import assume, given, strategies as st
from strategies import expressions, property_settings

import symdiff
from symdiff import EvaluationError, LimitError, Num, diff, evaluate, parse, simplify, substitute
from symdiff.calculus import exact_value, is_exact, shown_exactly
from symdiff.cli import main
from symdiff.interop import to_sympy


def sympy_form(text: str):
    """What SymPy builds from the same text (its own automatic simplification)."""
    return sympy.sympify(text.replace("^", "**"))


ROOTS = [f"sqrt({n})" for n in range(0, 60)] + [
    "sqrt(1/8)", "sqrt(9/8)", "sqrt(50/3)", "1/sqrt(2)", "3/sqrt(12)", "2^(3/2)", "12^(3/2)",
    "2^(-3/2)", "(1/2)^(5/2)", "8^(1/3)", "16^(1/3)", "54^(1/3)", "(3/4)^(1/3)", "2^(5/6)",
    "sqrt(2)*sqrt(6)", "sqrt(6)/sqrt(2)", "sqrt(2)*sqrt(3)", "sqrt(8) + sqrt(2)",
    "sqrt(10)/sqrt(15)", "2*sqrt(2)*sqrt(2)", "sqrt(1000000)", "sqrt(2^40*3)", "7^(7/2)"]


@pytest.mark.parametrize("text", ROOTS)
def test_roots_of_numbers_come_out_as_sympy_writes_them(text):
    ours = simplify(parse(text))
    theirs = sympy_form(text)
    assert sympy.sympify(str(ours).replace("^", "**")) == theirs, (str(ours), theirs)
    assert math.isclose(evaluate(ours), float(theirs), rel_tol=1e-14)


def test_a_root_too_long_to_factor_is_left_as_written():
    big = 2 ** 4001 + 1
    assert simplify(parse(f"sqrt({big})")) is parse(f"sqrt({big})")


def _angles():
    for k in range(-24, 25):
        for q in (Fraction(k, 12),):
            yield f"({q.numerator}*pi/{q.denominator})"


TRIG = ["sin", "cos", "tan", "cot", "sec", "csc"]
ARGUMENTS_OF_INVERSES = ["0", "1", "-1", "1/2", "-1/2", "sqrt(2)/2", "-sqrt(2)/2", "sqrt(3)/2",
                         "-sqrt(3)/2", "sqrt(3)", "-sqrt(3)", "1/sqrt(3)", "-1/sqrt(3)", "2",
                         "-2", "2/sqrt(3)", "-2/sqrt(3)", "sqrt(2)", "-sqrt(2)", "1/3"]
INVERSES = ["asin", "acos", "atan", "acot", "asec", "acsc"]


def _special_cases():
    for fn in TRIG:
        for angle in _angles():
            yield f"{fn}{angle}"
    for fn in INVERSES:
        for u in ARGUMENTS_OF_INVERSES:
            yield f"{fn}({u})"


def _sympy_value(text):
    value = sympy_form(text)
    if value.has(sympy.zoo, sympy.nan) or value.is_real is False:
        return None
    return value


@pytest.mark.parametrize("text", list(_special_cases()))
def test_special_values_equal_sympys(text):
    theirs = _sympy_value(text)
    ours = simplify(parse(text))
    try:
        numeric = evaluate(parse(text))
    except EvaluationError:
        numeric = None                                            # a pole, or off the domain
    if theirs is None or numeric is None:      # a pole (math.tan(pi/2) is finite), or off the domain
        assert any(type(n).__name__ == "Call" for n in _nodes(ours)), text      # left as it is
        return
    assert sympy.simplify(to_sympy(ours) - theirs) == 0, (text, str(ours), theirs)
    assert math.isclose(evaluate(ours), numeric, rel_tol=1e-12, abs_tol=1e-12)
    if not theirs.atoms(sympy.Function):                   # SymPy has a closed form: so do we
        assert is_exact(ours) and not any(type(n).__name__ == "Call" for n in _nodes(ours)), \
            (text, str(ours), theirs)


def _nodes(e):
    from symdiff.expr import postorder
    return postorder(e)


fractions = st.builds(Fraction, st.integers(-9, 9), st.integers(1, 7))


@given(expressions(floats=False, max_leaves=6), fractions)
@property_settings(max_examples=120)
def test_exact_values_of_random_derivatives_agree_with_floats(expr, q):
    assume(not any(type(n) is Num and isinstance(n.value, float) for n in _nodes(expr)))
    try:
        derivative = diff(expr, "x")
        number = evaluate(derivative, {"x": float(q)})
    except (EvaluationError, LimitError):
        assume(False)
        return
    assume(math.isfinite(number) and abs(number) < 1e12)
    try:
        value = exact_value(derivative, {"x": Num(q)})
    except LimitError:
        assume(False)
        return
    assert is_exact(value), str(value)
    again = evaluate(value)
    assert math.isclose(again, number, rel_tol=1e-9, abs_tol=1e-9), (str(derivative), q, str(value))


def test_a_float_in_the_point_gives_no_exact_value():
    value = exact_value(parse("x^2"), {"x": 0.5})
    assert not is_exact(value) and shown_exactly(value, 0.25) is None


def test_an_exact_value_that_disagrees_with_the_float_is_not_shown():
    assert shown_exactly(parse("1/3"), 0.3333333333333333) is parse("1/3")
    assert shown_exactly(parse("1/3"), 0.5) is None


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.strip(), captured.err


@pytest.mark.parametrize("argv, expected", [
    (["x^3", "--at", "x=1/3"], "3*x^2 = 1/3 ≈ 0.3333333333333333"),
    (["sin(x)", "--at", "x=pi/3"], "cos(x) = 1/2 = 0.5"),
    (["asin(x)", "--at", "x=1/2"], "1/sqrt(1 - x^2) = 2*sqrt(3)/3 ≈ 1.1547005383792515"),
    (["x^2", "--at", "x=3"], "2*x = 6"),
    (["x^3", "--at", "x=0.5"], "3*x^2 = 0.75"),                # a float point: floats only
    (["sin(x)", "--at", "x=1"], "cos(x) = cos(1) ≈ 0.5403023058681398"),
])
def test_the_command_line_prints_the_exact_value_beside_the_float(capsys, argv, expected):
    assert run(capsys, *argv)[:2] == (0, expected)


def test_exact_values_in_latex_and_json(capsys):
    code, out, _ = run(capsys, "sqrt(x)", "--at", "x=8", "--latex")
    assert code == 0 and out.endswith(r"= \frac{\sqrt{2}}{8} \approx 0.1767766952966369")
    code, out, _ = run(capsys, "atan(x)", "--wrt", "x", "--at", "x=1", "--format", "json")
    derivative = json.loads(out)["derivatives"][0]
    assert derivative["value"] == 0.5 and derivative["exact"] == {"text": "1/2", "latex": r"\frac{1}{2}"}
    code, out, _ = run(capsys, "atan(x)", "--at", "x=1.5", "--format", "json")
    assert "exact" not in json.loads(out)["derivatives"][0]


# ---------------------------------------------------------------- vector calculus and the matrix

FIELDS = ["x^2*y + y^3", "1/sqrt(x^2 + y^2 + z^2)", "exp(x)*sin(y)*z", "log(x^2 + y^2)",
          "x*y*z + atan(y/x)", "sinh(x)*cos(y) + z^4", "x^y"]


def sym(expr):
    return to_sympy(expr)


@pytest.mark.parametrize("text", FIELDS)
def test_laplacian_hessian_and_gradient_agree_with_sympy(text):
    f = parse(text)
    names = sorted(f.free)
    xs = [sympy.Symbol(n) for n in names]
    theirs = sympy_form(text)
    assert sympy.simplify(sym(symdiff.laplacian(f, names)) - sum(sympy.diff(theirs, v, 2) for v in xs)) == 0
    ours = symdiff.hessian(f, names)
    expected = sympy.hessian(theirs, xs)
    assert ours.shape == expected.shape
    assert all(sympy.simplify(sym(ours[i][j]) - expected[i, j]) == 0
               for i in range(len(xs)) for j in range(len(xs)))


VECTOR_FIELDS = [["x*y", "y*z", "z*x"], ["-y", "x", "0"], ["sin(y*z)", "x^2*exp(z)", "log(1 + x^2)*y"],
                 ["y/(x^2 + y^2)", "-x/(x^2 + y^2)", "z"]]


@pytest.mark.parametrize("field", VECTOR_FIELDS)
def test_divergence_and_curl_agree_with_sympy(field):
    from sympy.vector import CoordSys3D, curl as sympy_curl, divergence as sympy_divergence
    frame = CoordSys3D("N")
    at = {sympy.Symbol("x"): frame.x, sympy.Symbol("y"): frame.y, sympy.Symbol("z"): frame.z}
    vector = sum((sympy_form(c).subs(at) * unit for c, unit in zip(field, (frame.i, frame.j, frame.k))),
                 sympy.vector.Vector.zero)
    back = {v: k for k, v in at.items()}
    div = symdiff.divergence(field, ["x", "y", "z"])
    assert sympy.simplify(sym(div) - sympy_divergence(vector).subs(back)) == 0
    rotation = sympy_curl(vector)
    for ours, unit in zip(symdiff.curl(field), (frame.i, frame.j, frame.k)):
        assert sympy.simplify(sym(ours) - rotation.dot(unit).subs(back)) == 0


def test_directional_derivative_is_the_gradient_along_a_unit_vector():
    ours = symdiff.directional_derivative("x^2*y", ["x", "y"], ["1", "2"])
    x, y = sympy.symbols("x y")
    expected = (2 * x * y * 1 + x ** 2 * 2) / sympy.sqrt(5)
    assert sympy.simplify(sym(ours) - expected) == 0


@pytest.mark.parametrize("call, message", [
    (lambda: symdiff.curl(["x", "y"], ["x", "y"]), "three components"),
    (lambda: symdiff.divergence(["x", "y"], ["x", "y", "z"]), "one component for each variable"),
    (lambda: symdiff.directional_derivative("x*y", ["x", "y"], ["0", "0"]), "zero vector"),
])
def test_vector_calculus_refuses_mismatched_shapes_by_name(call, message):
    with pytest.raises(symdiff.SymdiffError, match=message):
        call()


def test_the_matrix_indexes_prints_and_compares_like_nested_lists():
    m = symdiff.jacobian(["x*y", "sin(x)"], ["x", "y"])
    assert m == [[parse("y"), parse("x")], [parse("cos(x)"), 0]] and m != [[parse("y")]]
    assert m[1][0] is parse("cos(x)") and m.shape == (2, 2) and m.T[0][1] is parse("cos(x)")
    assert str(m) == "[     y  x]\n[cos(x)  0]"
    assert symdiff.to_latex(m) == r"\begin{pmatrix} y & x \\ \cos\!\left(x\right) & 0 \end{pmatrix}"
    assert m._repr_latex_() == "$\\displaystyle " + symdiff.to_latex(m) + "$"
    assert pickle.loads(pickle.dumps(m)) == m and isinstance(pickle.loads(pickle.dumps(m)), symdiff.Matrix)
    with pytest.raises(AttributeError):
        m.rows = 3                                              # immutable
    with pytest.raises(ValueError, match="one length"):
        symdiff.Matrix([[1, 2], [3]])


def test_matrices_and_exact_values_render_in_katex():
    from test_latex import katex_unavailable, render
    reason = katex_unavailable()
    if reason:
        pytest.skip(reason)
    strings = [symdiff.to_latex(symdiff.hessian("x^2*y + sin(x*y)")),
               symdiff.to_latex(symdiff.jacobian(["x*y", "sin(x)", "exp(x/y)"], ["x", "y"])),
               r"\frac{\sqrt{2}}{8} \approx 0.1767766952966369"]
    for argv in (["log(x)", "--series", "x=1", "--order", "3"], ["x^3 - 3*x", "--critical"],
                 ["x^2", "--tangent", "x=3"], ["x^2*y^3", "--mixed", "x,y"],
                 ["x^2 + y^2 = 1", "--implicit", "y", "--order", "2"],
                 ["sin(x)", "--at", "x=1", "--digits", "20"], ["x*y = 1", "--implicit", "y", "--steps"]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main([*argv, "--latex"]) == 0
        assert out.getvalue().strip(), argv                      # something was printed to render
        strings.append(out.getvalue().strip())
    assert render(strings) == [None] * len(strings), strings


# ---------------------------------------------------------------- implicit, series, tangent, critical

EQUATIONS = ["x^2 + y^2 = 1", "x^3 + y^3 = 6*x*y", "exp(x*y) = x + y", "sin(x + y) = y*cos(x)",
             "x^2*y^2 + x*y = 2", "log(y) + x = y^2", "y^5 + x*y = x^3"]


@pytest.mark.parametrize("text", EQUATIONS)
@pytest.mark.parametrize("order", [1, 2, 3])
def test_implicit_derivatives_agree_with_sympys_idiff(text, order):
    ours = symdiff.implicit_diff(text, "y", "x", order)
    left, right = text.split("=")
    x, y = sympy.symbols("x y")
    theirs = sympy.idiff(sympy_form(left) - sympy_form(right), y, x, order)
    for at in ({x: 0.3, y: 0.7}, {x: -1.1, y: 0.4}, {x: 0.8, y: 1.9}):   # by value: both are
        expected = complex(theirs.evalf(30, subs=at))               # rational in x, y, F's partials
        got = evaluate(ours, {str(k): v for k, v in at.items()})
        assert math.isclose(got, expected.real, rel_tol=1e-9, abs_tol=1e-9), (str(ours), at)


SERIES = [("exp(x)", "0", 6), ("sin(x)", "0", 7), ("log(x)", "1", 5), ("1/(1 - x)", "0", 5),
          ("sqrt(x)", "4", 3), ("cos(x)", "pi/3", 4), ("atan(x)", "1", 3), ("x^x", "1", 3),
          ("exp(sin(x))", "0", 5), ("tan(x)", "0", 7), ("log(1 + x)*exp(x)", "0", 4),
          ("asin(x)", "1/2", 3), ("x^3 - 2*x + 1", "2", 5), ("cosh(x)", "log(2)", 3)]


@pytest.mark.parametrize("text, centre, order", SERIES)
def test_taylor_series_agree_with_sympy_and_are_exact(text, centre, order):
    result = symdiff.series(text, "x", centre, order)
    x = sympy.Symbol("x")
    a = sympy_form(centre)
    theirs = sympy.series(sympy_form(text), x, a, order + 1).removeO()
    assert sympy.simplify(sympy.expand(sym(result.polynomial) - theirs)) == 0, str(result)
    assert all(is_exact(substitute(t, {"x": 0})) for t in result.terms)
    assert str(result).endswith(f"+ O({symdiff.to_text(result.remainder)})")


def test_a_series_where_the_function_is_undefined_is_refused():
    with pytest.raises(EvaluationError, match="no Taylor series at x = 0: its 1st derivative"):
        symdiff.series("sqrt(x)", "x", 0, 2)


TANGENTS = [("x^2", {"x": "3"}), ("sin(x)", {"x": "pi/6"}), ("x^2*y + y^3", {"x": "1", "y": "2"}),
            ("exp(x*y)", {"x": "0", "y": "1/2"}), ("sqrt(x^2 + y^2)", {"x": "3", "y": "4"})]


@pytest.mark.parametrize("text, point", TANGENTS)
def test_tangents_are_value_plus_gradient_times_step(text, point):
    ours = symdiff.tangent(text, point)
    f = sympy_form(text)
    at = {sympy.Symbol(n): sympy_form(v) for n, v in point.items()}
    expected = f.subs(at) + sum(sympy.diff(f, v).subs(at) * (v - a) for v, a in at.items())
    assert sympy.simplify(sym(ours) - expected) == 0 and is_exact(substitute(ours, {n: 0 for n in point}))


CRITICAL = ["x^3 - 3*x", "x^4 - 2*x^2", "x/(x^2 + 1)", "x^2 - 2*x + 5", "x^3 - 2*x^2 - x",
            "exp(-x^2)", "x^2*exp(-x)", "(x^2 - 1)/(x^2 + 1)", "x^3 + x", "x^4/4 - x^3/3 - x^2",
            "1/x + x", "(x - 1)^2*(x + 2)", "log(x)/x", "x*log(x)", "exp(x) - 2*x", "x - log(x)",
            "log(x)^2 - 2*log(x)", "exp(x) + x"]


@pytest.mark.parametrize("text", CRITICAL)
def test_critical_points_are_sympys_real_roots_of_the_derivative(text):
    ours = symdiff.critical_points(text)
    x = sympy.Symbol("x", real=True)
    f = sympy_form(text).subs(sympy.Symbol("x"), x)
    theirs = sorted(r for r in sympy.solve(sympy.diff(f, x), x) if r.is_real)
    assert len(ours) == len(theirs), (ours, theirs)
    for point, root in zip(ours, theirs):
        assert sympy.simplify(sym(point.where) - root) == 0
        assert sympy.simplify(sym(point.value) - f.subs(x, root)) == 0
        curvature = sympy.diff(f, x, 2).subs(x, root)
        assert point.kind == ("local minimum" if curvature > 0 else "local maximum" if curvature < 0
                              else "stationary")


@pytest.mark.parametrize("text, message", [("sin(x)", "not a polynomial equation"),
                                           ("x^5 - x", "has degree 4"), ("x*y", "one variable")])
def test_critical_points_without_a_closed_form_say_so(text, message):
    with pytest.raises(symdiff.SymdiffError, match=message):
        symdiff.critical_points(text)


CLI = [
    (["x^2 + y^2 = 1", "--implicit", "y", "--wrt", "x"], "dy/dx = -x/y"),
    (["x^2 + y^2 = 1", "--implicit", "y", "--order", "2"], "d^2y/dx^2 = -1/y - x^2/y^3"),
    (["x^3 + y^3 = 6*x*y", "--implicit", "y", "--at", "x=3,y=3"], "dy/dx = -1"),
    (["[x*y, sin(x)]", "--jacobian", "x,y"], "Jacobian by (x, y):\n[     y  x]\n[cos(x)  0]"),
    (["[x*y, sin(x)]", "--jacobian"], "Jacobian by (x, y):\n[     y  x]\n[cos(x)  0]"),
    (["x^2*y", "--hessian", "--at", "x=1,y=2"], "Hessian by (x, y):\n[4  2]\n[2  0]"),
    (["x^2*y^3", "--mixed", "x,y"], "d^2/dydx = 6*x*y^2"),
    (["x^2*y^3", "--wrt", "x", "--wrt", "y"], "d^2/dydx = 6*x*y^2"),
    (["log(x)", "--series", "x=1", "--order", "3"], "log(x) = x - 1 - (x - 1)^2/2 + (x - 1)^3/3 + O((x - 1)^4)"),
    (["exp(x)", "--series", "x=0"], "exp(x) = 1 + x + x^2/2 + x^3/6 + x^4/24 + x^5/120 + O(x^6)"),
    (["x^2", "--tangent", "x=3"], "tangent line at x = 3: y = 6*x - 9"),
    (["x^2*y", "--tangent", "x=1,y=2"], "tangent plane at x = 1, y = 2: z = 4*x + y - 4"),
    (["x^3 - 3*x", "--critical"], "critical points of x^3 - 3*x:\n  x = -1: local maximum, value 2\n"
                                  "  x = 1: local minimum, value -2"),
    (["[x*y, sin(x)]", "--jacobian", "--latex"], r"J = \begin{pmatrix} y & x \\ \cos\!\left(x\right) & 0 \end{pmatrix}"),
    (["x^2 + y^2 = 1", "--implicit", "y", "--latex"], r"\frac{dy}{dx} = -\frac{x}{y}"),
]


@pytest.mark.parametrize("argv, expected", CLI)
def test_the_command_line_asks_calculus_questions(capsys, argv, expected):
    assert run(capsys, *argv)[:2] == (0, expected)


def test_calculus_answers_as_json(capsys):
    code, out, _ = run(capsys, "log(x)", "--series", "x=1", "--order", "2", "--format", "json")
    answer, = json.loads(out)["answers"]
    assert answer["polynomial"] == "x - (x - 1)^2/2 - 1" and answer["remainder"] == "O((x - 1)^3)"
    code, out, _ = run(capsys, "[x*y, sin(x)]", "--jacobian", "--format", "json")
    answer, = json.loads(out)["answers"]
    assert answer["matrix"][1][0] == {"text": "cos(x)", "latex": r"\cos\!\left(x\right)"}


@pytest.mark.parametrize("argv, message", [
    (["x^2 + y^2", "--implicit", "y"], "column 10: an equation needs '='"),
    (["x^2 = 1", "--wrt", "x"], "--implicit y"),
    (["x^2+y^2+z^2 = 1", "--implicit", "z"], "say which variable z is a function of"),
    (["[x, y", "--jacobian"], "column 6: a list of formulas ends with ']'"),
    (["[x, , y]", "--jacobian"], "column 4: an empty item in the list"),
    (["log(x)", "--series", "x=0"], "no Taylor series at x = 0"),
    (["x*y", "--tangent", "x=1"], "the tangent needs a value for y"),
    (["sin(x)", "--critical"], "no closed form"),
    (["x^2", "--critical", "--hessian"], "ask one at a time"),
    (["x^2", "--jacobian", "--order", "2"], "--jacobian takes no --order"),
    (["x^2", "--series", "x=0", "--order", "-1"], "0 or more"),
    (["x^2", "--tangent", "x=0", "--format", "c"], "prints text, LaTeX"),
    (["x^2", "--series", "x=pi/0"], "--series value for x"),
    (["x^2 + y^2 = 1", "--implicit", "x,y"], "the one variable the equation defines"),
    (["x^2", "--mixed", "x", "--steps"], "--steps explains derivatives and implicit derivatives, not --mixed"),
    (["x^2", "--critical", "--check"], "--critical does not go with --check"),
])
def test_bad_calculus_requests_exit_2_with_a_message(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err, err


# ---------------------------------------------------------------- steps of higher orders and implicit derivatives

@pytest.mark.parametrize("text, order", [("x^3", 2), ("sin(x)*exp(x)", 3), ("log(x)/x", 2), ("x^x", 2)])
def test_steps_of_a_higher_order_end_in_diffs_result(text, order):
    from symdiff.explain import explain_order
    steps = explain_order(parse(text), "x", order)
    assert steps[-1].kind == "result" and steps[-1].after is diff(text, "x", order)
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    assert all(0 < r < s.number for s in steps for r in s.refers_to)   # references point back


@pytest.mark.parametrize("text", EQUATIONS)
def test_implicit_steps_work_out_both_partials_and_end_in_implicit_diffs_result(text):
    from symdiff.explain import explain_implicit
    equation = symdiff.parse_equation(text)
    results = [symdiff.implicit_diff(equation, "y", "x", k) for k in (1, 2)]
    result = results[-1]
    steps = explain_implicit(equation.lhs, equation.rhs, "y", "x", results)
    difference = equation.lhs - equation.rhs
    shown = [s.after for s in steps]
    assert steps[0].after is difference and steps[-1].after is result
    assert diff(difference, "x") in shown and diff(difference, "y") in shown      # F_x and F_y
    assert all(0 < r < s.number for s in steps for r in s.refers_to)


def test_steps_on_the_command_line(capsys):
    code, out, _ = run(capsys, "x^2 + y^2 = 1", "--implicit", "y", "--steps")
    assert code == 0 and out.startswith("Put together:\n    1. F = x^2 + y^2 - 1")
    assert out.endswith("d/dx(y) = -x/y\n       implicit differentiation: dy/dx = -F_x/F_y")
    code, out, _ = run(capsys, "x^3", "--order", "2", "--steps")
    assert code == 0 and out.endswith("7. d/dx(3*x^2) = 6*x\n       substitute the sub-derivatives")
    code, out, _ = run(capsys, "x^2 + y^2 = 1", "--implicit", "y", "--order", "2", "--steps")
    assert code == 0 and out.endswith("d/dx(d/dx(y)) = -1/y - x^2/y^3\n       simplify")
    assert "total derivative: d/dx g(x, y) = g_x + g_y*dy/dx" in out


# ---------------------------------------------------------------- --digits (mpmath)

PRECISE = ["cos(1)", "2 - cos(5)", "sqrt(2)/2 + pi", "log2(3)", "LambertW(1)", "gamma(1/3)", "Ei(1)",
           "exp(1000)", "atan(1/7)*4", "besselj(0, 1)", "erf(1/2)", "abs(-1/3)", "asinh(2)", "log(10, 2)"]


@pytest.mark.parametrize("text", PRECISE)
@pytest.mark.parametrize("digits", [15, 60])
def test_values_to_many_digits_agree_with_sympys_evalf(text, digits):
    from symdiff.evaluate import precise_value
    ours = precise_value(parse(text), digits)
    theirs = sympy_form(text.replace("log2(3)", "log(3, 2)")).evalf(digits + 10)
    assert len(ours.lstrip("-").replace(".", "").split("e")[0].lstrip("0")) >= digits - 1
    assert abs(sympy.Float(ours, digits + 10) - theirs) <= abs(theirs) * sympy.Float(10) ** (1 - digits)


def test_digits_on_the_command_line(capsys):
    code, out, _ = run(capsys, "sin(x)", "--at", "x=1", "--digits", "50")
    assert (code, out) == (0, "cos(x) = cos(1) ≈ 0.54030230586813971740093660744297660373231042061792")
    code, out, _ = run(capsys, "1/x", "--at", "x=3", "--digits", "20", "--format", "json")
    assert json.loads(out)["derivatives"][0]["digits"] == "-0.11111111111111111111"
    code, _, err = run(capsys, "sin(x)", "--digits", "5")
    assert code == 2 and "give the point with --at" in err
    code, _, err = run(capsys, "sin(x)", "--at", "x=1", "--digits", "100000")
    assert code == 2 and "1 to 10,000 digits" in err


@given(expressions(floats=False, max_leaves=5), st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(3, 2)]))
@property_settings(max_examples=40)
def test_taylor_coefficients_of_random_expressions_agree_with_mpmaths_taylor(expr, a):
    import mpmath
    assume(not any(type(n) is Num and isinstance(n.value, float) for n in _nodes(expr)))
    try:
        result = symdiff.series(expr, "x", Num(a), 3)
        ours = [evaluate(substitute(symdiff.diff(result.polynomial, "x", k), {"x": Num(a)})) / math.factorial(k)
                for k in range(4)]
    except (EvaluationError, LimitError):
        assume(False)
        return
    f = sympy.lambdify(sympy.Symbol("x"), to_sympy(expr), "mpmath")
    with mpmath.workdps(40):
        try:
            theirs = [float(c.real) if isinstance(c, mpmath.mpc) else float(c)
                      for c in mpmath.taylor(f, mpmath.mpf(a.numerator) / a.denominator, 3)]
        except (ValueError, ZeroDivisionError):
            assume(False)
            return
    assume(all(math.isfinite(t) and abs(t) < 1e8 for t in theirs))
    for k, (got, expected) in enumerate(zip(ours, theirs)):
        assert math.isclose(got, expected, rel_tol=1e-7, abs_tol=1e-7), (str(expr), a, k, got, expected)


def test_an_implicit_slope_at_a_point_off_the_curve_comes_with_a_note(capsys):
    code, out, err = run(capsys, "x^2 + y^2 = 1", "--implicit", "y", "--at", "x=1,y=1")
    assert (code, out) == (0, "dy/dx = -1") and "the point is not on the curve: lhs - rhs = 1" in err
    code, out, err = run(capsys, "x^2 + y^2 = 1", "--implicit", "y", "--at", "x=sqrt(2)/2,y=sqrt(2)/2")
    assert (code, out, err) == (0, "dy/dx = -1", "")


@pytest.mark.parametrize("text, point, expected", [
    ("cos(pi/3)", {}, 0.5), ("sin(pi)", {}, 0.0), ("sqrt(x)^2", {"x": 2}, 2.0),
    ("tan(x)", {"x": Fraction(1, 4)}, math.tan(0.25)),             # no closed form: the float
    ("x/3", {"x": 1}, 1 / 3),
])
def test_evaluate_at_an_exact_point_gives_the_exact_values_float(text, point, expected):
    assert symdiff.evaluate(text, point) == expected


def test_evaluate_at_a_float_point_stays_the_float_computation():
    assert symdiff.evaluate("cos(x)", x=1.0471975511965976) == math.cos(1.0471975511965976)
