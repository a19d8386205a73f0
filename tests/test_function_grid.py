"""The grid: every function of the table through every surface.

Each row of ``symdiff.functions.FUNCTIONS`` (and log to a base) is applied in ``y*f(x)`` and
taken through parsing and printing (text, LaTeX, MathML), differentiation, the steps,
evaluation, the compiled function, the complex step, forward and reverse AD, the graph,
generated Python, and the command line's methods and formats.  Values are checked against
mpmath (the function's value, and its derivative by mpmath's own numerical differentiation
at 30 digits), never against symdiff itself.  So adding a row without, say, its complex value
or its Python code fails here, naming the surface.
"""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ElementTree

import mpmath
import pytest
from strategies import MP_FUNCTIONS, TWO_ARGUMENTS

from symdiff import FUNCTIONS, Sym, compile_function, diff, evaluate, parse, to_text
from symdiff.autodiff import Variable, jvp, to_dot, vjp
from symdiff.cli import run
from symdiff.explain import explain
from symdiff.formats import to_mathml, to_python
from symdiff.functions import LOG_BASE
from symdiff.latex import to_latex
from symdiff.numeric import partial

# Candidate points for x, tried in turn: the first inside the function's domain, away from
# its poles and kinks, is used.
CANDIDATES = [0.3, 1.7, 0.6, -0.45, 2.5]
Y = 1.3
ROWS = [*sorted(FUNCTIONS), "log/2"]


# Rows of two arguments: an order held constant (Bessel, polygamma: d/dnu has no closed
# form), or a second argument 1 - x, so that both partial derivatives are exercised.
ORDERS = {"besselj": 2, "bessely": 1, "besseli": 2, "besselk": 1, "polygamma": 2}


def formula(fn: str) -> str:
    if fn == "log/2":
        return "y*log(x, 3)"
    if fn in ORDERS:
        return f"y*{fn}({ORDERS[fn]}, x)"
    if fn in TWO_ARGUMENTS:
        return f"y*{fn}(x, 1 - x)"
    return f"y*{fn}(x)"


def reference(fn: str):
    """f as an mpmath function of x (at 30 digits)."""
    if fn == "log/2":
        return lambda x: mpmath.log(x, 3)
    if fn in ORDERS:
        return lambda x: MP_FUNCTIONS[fn](ORDERS[fn], x)
    if fn in TWO_ARGUMENTS:
        return lambda x: MP_FUNCTIONS[fn](x, 1 - x)
    return MP_FUNCTIONS[fn]


def point_for(fn: str) -> float:
    f = reference(fn)
    with mpmath.workdps(30):
        for x in CANDIDATES:
            try:
                value, slope = f(mpmath.mpf(x)), mpmath.diff(f, mpmath.mpf(x))
            except Exception:                  # noqa: BLE001 - outside the domain: next point
                continue
            if mpmath.isfinite(value) and mpmath.isfinite(slope) and abs(slope) < 1e6:
                return x
    raise AssertionError(f"no candidate point inside the domain of {fn}")


def expected(fn: str, x: float) -> tuple[float, float]:
    """(value of y*f(x), its derivative in x) by mpmath."""
    f = reference(fn)
    with mpmath.workdps(30):
        return float(Y * f(mpmath.mpf(x))), float(Y * mpmath.diff(f, mpmath.mpf(x)))


def close(got: float, want: float, tolerance: float = 1e-9) -> bool:
    return math.isclose(got, want, rel_tol=tolerance, abs_tol=tolerance)


def test_the_grid_covers_every_row():
    assert set(ROWS) - {"log/2"} == set(FUNCTIONS) and len(ROWS) == len(FUNCTIONS) + 1


@pytest.mark.parametrize("fn", ROWS)
def test_every_row_has_every_column(fn):
    row = LOG_BASE if fn == "log/2" else FUNCTIONS[fn]
    assert row.complex is not None, "no complex value: the complex step cannot run through it"
    assert row.python is not None, "no Python code: --format python cannot write it"
    assert row.latex and row.rule_name and row.numeric is not None


@pytest.mark.parametrize("fn", ROWS)
def test_every_function_on_every_surface(fn):
    text = formula(fn)
    expr = parse(text)
    x = point_for(fn)
    point = {"x": x, "y": Y}
    value, slope = expected(fn, x)

    # text, LaTeX and MathML
    assert parse(to_text(expr)) is expr
    row = LOG_BASE if fn == "log/2" else FUNCTIONS[fn]
    latex = to_latex(expr, exp_power=False)     # as its row says: \exp, not e^{...}
    assert row.latex.split("{}")[0] in latex or fn == "sqrt", latex       # sqrt is u^(1/2)
    ElementTree.fromstring(to_mathml(expr))                       # well-formed
    # values
    assert close(evaluate(expr, point), value), "evaluate"
    assert close(compile_function(expr, ["x", "y"])(x, Y), value), "compile_function"
    # the derivative, symbolic and by each method
    derivative = diff(expr, "x")
    assert close(evaluate(derivative, point), slope), f"diff: {derivative}"
    steps = explain(expr, "x")
    assert close(evaluate(steps[-1].after, point), slope), "steps"
    assert close(partial(expr, "x", point, "complex").value, slope, 1e-7), "complex step"
    assert close(jvp(expr, point, {"x": 1.0})[1], slope), "forward mode"
    assert close(vjp(expr, point)[1]["x"], slope), "reverse mode"
    variable_x, variable_y = Variable(x, name="x"), Variable(Y, name="y", requires_grad=False)
    _traced(fn, variable_x, variable_y).backward()
    assert close(variable_x.grad, slope), "Variable.backward"
    assert f"{fn.split('/')[0]}" in to_dot(expr, point), "graph"
    # generated code
    namespace: dict = {}
    exec(compile(to_python(derivative, ["x", "y"]), "<generated>", "exec"), namespace)  # noqa: S102
    assert close(namespace["derivative"](x, Y), slope), "to_python"


def _traced(fn: str, x: Variable, y: Variable):
    """y*f(x) built from Variables with the public builders (sqrt, log, ...)."""
    import symdiff
    if fn == "log/2":
        return y * symdiff.log(x, 3)
    builder = getattr(symdiff, fn, None) or getattr(symdiff.functions, _BUILDERS.get(fn, fn), None)
    args = (ORDERS[fn], x) if fn in ORDERS else (x, 1 - x) if fn in TWO_ARGUMENTS else (x,)
    if builder is None:                        # a row without a builder (optional): the
        return y * x.__symdiff_apply__(fn, args)  # protocol the builders call
    return y * builder(*args)


_BUILDERS = {"abs": "Abs", "min": "Min", "max": "Max"}     # builders not named as the row


@pytest.mark.parametrize("fn", ROWS)
def test_every_function_through_the_command_line(fn):
    x = point_for(fn)
    _, slope = expected(fn, x)
    at = f"x={x!r},y={Y!r}"
    for argv in (["--at", at, "--method", "all"], ["--format", "python"], ["--latex"],
                 ["--format", "mathml"], ["--steps"], ["--at", at, "--check"]):
        out, err = io.StringIO(), io.StringIO()
        status = run([formula(fn), "--wrt", "x", *argv], None, out, err)
        assert status == 0, (argv, err.getvalue())
        assert "no complex step" not in out.getvalue(), (argv, out.getvalue())
    out, err = io.StringIO(), io.StringIO()
    assert run([formula(fn), "--wrt", "x", "--at", at], None, out, err) == 0
    assert close(float(out.getvalue().rsplit("=", 1)[1]), slope), out.getvalue()


def test_every_function_has_a_public_builder():
    """symdiff.erf(x) and the like: each row of the table is built by a name exported from symdiff."""
    import symdiff
    for name in symdiff.FUNCTIONS:
        public = _BUILDERS.get(name, name)
        assert public in symdiff.__all__, name
        two = FUNCTIONS[name].arity == 2
        built = getattr(symdiff, public)(Sym("x"), *([Sym("y")] if two else []))
        assert built is parse(f"{name}(x, y)" if two else f"{name}(x)"), name
