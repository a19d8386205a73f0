"""Tests for symdiff.autodiff: the graph, forward and reverse mode, Variables, `symdiff graph`.

The oracle is the symbolic derivative (symdiff.diff) and, for the chapter's example,
the numbers worked out by hand: ∂f/∂x = 1/x + y = 5.5, ∂f/∂y = x − cos y = 2 − cos 5.
"""

import math
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

import mpmath
import pytest

import symdiff
from symdiff import EvaluationError, diff, evaluate, jvp, log, parse, sin, vjp  # jvp, vjp read text
from symdiff.autodiff import Graph, Traced, Variable, format_table, local_partials, node_table, to_dot
from symdiff.cli import main
from symdiff.expr import Mul, Sym
from symdiff.numeric import partial

CHAPTER = "log(x) + x*y - sin(y)"
AT = {"x": 2.0, "y": 5.0}
DY = 2 - math.cos(5)
X, Y = Sym("x"), Sym("y")


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# ---------------------------------------------------------------- the chapter's example

def test_forward_pass_values():
    graph = Graph(parse(CHAPTER))
    values = graph.forward(AT)
    assert values[graph.output] == pytest.approx(math.log(2) + 10 - math.sin(5), rel=1e-15)
    assert values[parse("x*y")] == 10.0
    assert values[parse("sin(y)")] == math.sin(5)


def test_backward_pass_adjoints():
    graph = Graph(parse(CHAPTER))
    adjoint = graph.backward(graph.forward(AT))
    assert adjoint[X] == 5.5
    assert adjoint[Y] == pytest.approx(DY, rel=1e-15)
    assert adjoint[graph.output] == 1.0
    assert adjoint[parse("sin(y)")] == -1.0


def test_reverse_and_forward_mode_on_the_chapter_example():
    value, gradient = vjp(CHAPTER, AT)
    assert value == pytest.approx(11.652071455223084, rel=1e-15)
    assert gradient == {"x": 5.5, "y": pytest.approx(DY, rel=1e-15)}
    assert vjp(CHAPTER, AT, ["x"])[1] == {"x": 5.5}
    assert jvp(CHAPTER, AT, {"x": 1.0}) == (value, 5.5)
    assert jvp(CHAPTER, AT, {"y": 1.0})[1] == pytest.approx(DY, rel=1e-15)
    assert jvp(CHAPTER, AT, {"x": 1.0, "y": 2.0})[1] == pytest.approx(5.5 + 2 * DY, rel=1e-15)
    assert vjp(CHAPTER, AT, seed=2.0)[1]["x"] == 11.0


def test_variable_api():
    x = Variable(2.0)
    y = Variable(5.0, requires_grad=False)
    g = log(x) + x * y - sin(y)
    assert isinstance(g, Traced)
    g.backward()
    assert x.grad == 5.5
    assert y.grad is None
    assert g.value == pytest.approx(11.652071455223084, rel=1e-15)


def test_variable_with_gradient_for_y():
    x, y = Variable(2.0, name="x"), Variable(5.0, name="y")
    (log(x) + x * y - sin(y)).backward()
    assert x.grad == 5.5
    assert y.grad == pytest.approx(DY, rel=1e-15)


def test_gradients_accumulate_until_zero_grad():
    x = Variable(3.0)
    f = x * x + x
    f.backward()
    f.backward()
    assert x.grad == 14.0
    x.zero_grad()
    assert x.grad is None
    x.value = 1.0
    f.backward()
    assert x.grad == 3.0


def test_variables_to_an_expression_and_back():
    x, y = Variable(2.0, name="x"), Variable(5.0, requires_grad=False, name="y")
    g = log(x) + x * y - sin(y)
    expr = g.to_expr()
    assert expr == parse(CHAPTER)
    assert diff(expr, "x") == parse("y + 1/x")
    assert evaluate(diff(expr, "x"), g.point) == 5.5
    back = Traced.from_expr(expr, {"x": 2.0, "y": 5.0})
    assert back.expr is expr and back.value == g.value
    back.backward()
    assert back.variables["x"].grad == 5.5
    assert back.variables["y"].grad == pytest.approx(DY, rel=1e-15)


def test_variables_mix_with_numbers_and_operators():
    a = Variable(3.0, name="a")
    f = 2 / a + a ** 2 - 1 * a + (-a) + 2 ** a
    f.backward()
    assert a.grad == pytest.approx(-2 / 9 + 6 - 2 + 8 * math.log(2), rel=1e-14)


def test_two_variables_with_one_name_are_an_error():
    with pytest.raises(symdiff.DiffError, match="two different Variables are named"):
        Variable(1.0, name="t") + Variable(2.0, name="t")


# ---------------------------------------------------------------- k uses, k contributions

def contributions(expr, point):
    graph = Graph(expr)
    seen = []
    adjoint = graph.backward(graph.forward(point),
                             on_contribution=lambda child, parent, amount: seen.append((child, parent, amount)))
    return graph, adjoint, seen


def test_a_factor_used_three_times_receives_three_contributions():
    cube = Mul((X, X, X))                                  # x*x*x, one node used thrice
    assert cube.children == (X, X, X)
    _, adjoint, seen = contributions(cube, {"x": 2.0})
    to_x = [amount for child, _, amount in seen if child is X]
    assert to_x == [4.0, 4.0, 4.0]                         # ∂(x·x·x)/∂(each x) = x² = 4
    assert adjoint[X] == sum(to_x) == 12.0 == evaluate(diff("x^3", "x"), x=2)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_a_shared_subexpression_used_k_times(k):
    parents = ["y*sin(x)", "exp(sin(x))", "cos(sin(x))", "sin(x)^2", "log(sin(x) + 3)"][:k]
    expr = parse(" + ".join(parents))
    u = parse("sin(x)")
    graph, adjoint, seen = contributions(expr, {"x": 0.7, "y": 1.3})
    counts = Counter(child for child, _, _ in seen)
    assert counts[u] == k == graph.parents[u]
    assert len({parent for child, parent, _ in seen if child is u}) == k
    assert adjoint[u] == pytest.approx(math.fsum(a for c, _, a in seen if c is u), rel=1e-15)
    assert counts[X] == 1                                  # x is used once: by sin(x)
    exact = evaluate(diff(expr, "x"), {"x": 0.7, "y": 1.3})
    assert adjoint[X] == pytest.approx(exact, rel=1e-13)


def test_every_contribution_arrives_before_the_node_is_visited():
    """Reverse topological order: a node passes its adjoint on only once it is complete."""
    expr = parse("sin(x)*y + exp(sin(x)) + cos(sin(x))")
    graph = Graph(expr)
    order, finished = [], set()

    def record(child, parent, amount):
        assert child not in finished, f"{child} received a contribution after it was used"
        finished.add(parent)
        order.append(parent)
    graph.backward(graph.forward({"x": 1.0, "y": 2.0}), on_contribution=record)
    position = {node: i for i, node in enumerate(graph.nodes)}
    visits = list(dict.fromkeys(order))
    assert visits == sorted(visits, key=position.get, reverse=True)


def test_requires_grad_limits_the_backward_pass():
    graph = Graph(parse(CHAPTER))
    seen = []
    graph.backward(graph.forward(AT), ["x"], on_contribution=lambda c, p, a: seen.append(c))
    assert Y not in seen and parse("sin(y)") not in seen


# ---------------------------------------------------------------- local partials

@pytest.mark.parametrize("formula, point, expected", [
    ("x*y",      {"x": 2.0, "y": 5.0},  [5.0, 2.0]),
    ("x*y*0.5",  {"x": 0.0, "y": 5.0},  None),            # a zero factor: products of the others
    ("x^y",      {"x": 2.0, "y": 3.0},  [12.0, 8 * math.log(2)]),
    ("log(x, y)", {"x": 8.0, "y": 2.0}, [1 / (8 * math.log(2)), -math.log(8) / (2 * math.log(2) ** 2)]),
    ("sin(x)",   {"x": 1.0},            [math.cos(1.0)]),
])
def test_local_partials(formula, point, expected):
    node = parse(formula)
    values = Graph(node).forward(point)
    partials = local_partials(node, values, [True] * len(node.children))
    if expected is None:
        children = [values[c] for c in node.children]
        expected = [math.prod(children[:i] + children[i + 1:]) for i in range(len(children))]
    assert partials == pytest.approx(expected, rel=1e-15)


# ---------------------------------------------------------------- conventions

def symbolic(formula, x):
    return evaluate(diff(formula, "x"), x=x)


def forward_ad(formula, x):
    return jvp(formula, {"x": x}, {"x": 1.0})[1]


def reverse_ad(formula, x):
    return vjp(formula, {"x": x}, ["x"])[1]["x"]


def central(formula, x):
    return partial(parse(formula), "x", {"x": x}, "central").value


EXACT_METHODS = [symbolic, forward_ad, reverse_ad]


@pytest.mark.parametrize("method", [*EXACT_METHODS, central])
def test_abs_has_derivative_zero_at_zero(method):
    assert method("abs(x)", 0.0) == 0.0


def test_sign_of_zero_is_zero():
    assert diff("abs(x)", "x") == parse("sign(x)")
    assert evaluate("sign(x)", x=0.0) == 0


@pytest.mark.parametrize("method", EXACT_METHODS)
def test_sqrt_has_no_derivative_at_zero(method):
    with pytest.raises(EvaluationError, match=re.escape("division by zero: 1/sqrt(0)")):
        method("sqrt(x)", 0.0)


@pytest.mark.parametrize("method", [*EXACT_METHODS, central])
def test_log_at_zero_names_log(method):
    with pytest.raises(EvaluationError, match=re.escape("log(0) is undefined") if method is not symbolic
                       else "division by zero|log"):
        method("log(x)", 0.0)
    with pytest.raises(EvaluationError, match=re.escape("log(0) is undefined")):
        evaluate("log(x)", x=0.0)


@pytest.mark.parametrize("formula", ["0^0", "x^0", "x^y"])
def test_zero_to_the_zero_is_one(formula):
    assert evaluate(formula, x=0.0, y=0.0) == 1.0
    assert vjp(formula, {"x": 0.0, "y": 0.0}, [])[0] == 1.0
    assert Graph(parse(formula)).forward({"x": 0.0, "y": 0.0})[parse(formula)] == 1.0


@pytest.mark.parametrize("formula, point, message", [
    ("log(x)",   {"x": -1.0}, "log(-1) is undefined: log needs a positive argument"),
    ("sqrt(x)",  {"x": -4.0}, "sqrt(-4) is undefined: sqrt needs a non-negative argument"),
    ("asin(x)",  {"x": 2.0},  "asin(2) is undefined: asin needs an argument in [-1, 1]"),
    ("1/x",      {"x": 0.0},  "division by zero: 0^-1"),
    ("x^0.5",    {"x": -2.0}, "(-2)^0.5 is not a real number"),
    ("exp(x)",   {"x": 1e3},  "exp(1000) overflows the float range"),
])
def test_out_of_domain_names_the_operation_and_the_value(formula, point, message):
    for compute in (lambda: evaluate(formula, point), lambda: vjp(formula, point),
                    lambda: jvp(formula, point, {"x": 1.0})):
        with pytest.raises(EvaluationError, match=re.escape(message)):
            compute()


# ---------------------------------------------------------------- square roots (the node u^(1/2))

@pytest.mark.parametrize("formula, point, gradient", [
    ("sqrt(x)",           {"x": 2.25},            {"x": 1 / 3}),
    ("1/sqrt(x)",         {"x": 4.0},             {"x": -1 / 16}),
    ("x^(3/2)",           {"x": 4.0},             {"x": 3.0}),
    ("sqrt(x^2 + y^2)",   {"x": 3.0, "y": 4.0},   {"x": 0.6, "y": 0.8}),
    ("x*sqrt(x)",         {"x": 4.0},             {"x": 3.0}),
])
def test_square_roots_by_forward_and_reverse_mode(formula, point, gradient):
    value, got = vjp(formula, point)
    assert value == evaluate(formula, point)
    assert got == pytest.approx(gradient, rel=1e-15)
    for name, expected in gradient.items():
        assert jvp(formula, point, {name: 1.0})[1] == pytest.approx(expected, rel=1e-15)
        assert evaluate(diff(formula, name), point) == pytest.approx(expected, rel=1e-15)


def test_sqrt_of_a_variable():
    a = Variable(4.0, name="a")
    root = symdiff.sqrt(a) * a
    assert root.to_expr() is parse("a*sqrt(a)")
    assert root.value == 8.0
    root.backward()
    assert a.grad == 3.0
    with pytest.raises(EvaluationError, match=re.escape("sqrt(-4) is undefined")):
        symdiff.sqrt(Variable(-4.0)).value  # noqa: B018 (the access raises)


def test_graph_of_a_square_root():
    rows = node_table(parse("sqrt(x^2 + 1)"), {"x": 0.0})
    assert [r.formula for r in rows] == ["x", "v1^2", "v2 + 1", "sqrt(v3)"]
    assert rows[-1].value == 1.0


def test_exponent_derivative_needs_a_positive_base():
    with pytest.raises(EvaluationError, match="the base must be positive"):
        vjp("x^y", {"x": -2.0, "y": 2.0})
    assert vjp("x^y", {"x": -2.0, "y": 2.0}, ["x"])[1] == {"x": -4.0}


# ---------------------------------------------------------------- node table and DOT

def test_node_table_rows():
    rows = node_table(parse(CHAPTER), AT)
    assert [(r.number, r.kind, r.formula, r.inputs) for r in rows] == [
        (1, "variable", "x", []), (2, "variable", "y", []),
        (3, "operation", "v1*v2", [1, 2]), (4, "operation", "log(v1)", [1]),
        (5, "operation", "sin(v2)", [2]), (6, "operation", "-v5", [5]),
        (7, "output", "v3 + v4 + v6", [3, 4, 6])]
    assert [r.adjoint for r in rows] == [5.5, pytest.approx(DY, rel=1e-15), 1.0, 1.0, -1.0, 1.0, 1.0]
    assert [r.adjoint for r in node_table(parse(CHAPTER), AT, ["x"])] == [5.5, None, 1.0, 1.0, None, None, 1.0]


def test_graph_of_a_constant(capsys):
    status, out, err = run(capsys, "graph", "2", "--at", "x=1")
    assert status in (0, 2) and "internal error" not in err


def parse_graph_table(text):
    lines = text.splitlines()
    assert lines[0].split() == ["node", "kind", "operation", "inputs", "value", "adjoint"]
    starts = [lines[0].index(h) for h in ("node", "kind", "operation", "inputs", "value", "adjoint")]
    rows = []
    for line in lines[2:]:
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
        rows.append(cells)
    return rows


def test_cli_graph_table(capsys):
    status, out, err = run(capsys, "graph", "log(x)+x*y-sin(y)", "--at", "x=2,y=5")
    assert status == 0 and err == ""
    rows = parse_graph_table(out)
    assert [r[0] for r in rows] == [f"v{i}" for i in range(1, 8)]
    assert [r[1] for r in rows] == ["variable"] * 2 + ["operation"] * 4 + ["output"]
    assert rows[0][2:] == ["x", "", "2.0", "5.5"]
    assert rows[1][2] == "y" and float(rows[1][5]) == pytest.approx(DY, rel=1e-15)
    assert rows[6][2:4] == ["v3 + v4 + v6", "v3, v4, v6"]
    assert float(rows[6][4]) == pytest.approx(math.log(2) + 10 - math.sin(5), rel=1e-15)


def test_cli_graph_wrt_leaves_other_adjoints_empty(capsys):
    status, out, _ = run(capsys, "graph", "log(x)+x*y-sin(y)", "--at", "x=2,y=5", "--wrt", "x")
    assert status == 0
    rows = {r[2]: r[5] for r in parse_graph_table(out)}
    assert rows["x"] == "5.5" and rows["y"] == "" and rows["sin(v2)"] == "" and rows["-v5"] == ""


def test_cli_graph_dot(capsys):
    status, out, _ = run(capsys, "graph", "sin(x)*y + exp(sin(x)) + cos(sin(x))", "--at", "x=1,y=2",
                         "--format", "dot")
    assert status == 0
    assert out.startswith("digraph symdiff {\n") and out.endswith("}\n")
    assert out.count("{") == out.count("}") == 1
    nodes = re.findall(r"^  (v\d+) \[label=\"([^\"]*)\"", out, re.M)
    edges = re.findall(r"^  (v\d+) -> (v\d+) \[label=\"([^\"]*)\"\];$", out, re.M)
    labels = dict(nodes)
    assert len(nodes) == len(labels) == 7                       # sin(x) drawn once
    assert sum("sin(v1)" in label for label in labels.values()) == 1
    shared = next(n for n, label in labels.items() if label.startswith(f"{n} = sin(v1)"))
    assert sum(child == shared for child, _, _ in edges) == 3   # ... with three parents
    for child, parent, _label in edges:
        assert child in labels and parent in labels
    # edge labels are the local derivatives at the point
    local = {(labels[c].split(" = ")[1].split("\\n")[0], labels[p].split(" = ")[1].split("\\n")[0]): float(d)
             for c, p, d in edges}
    assert local[("x", "sin(v1)")] == pytest.approx(math.cos(1), rel=1e-5)
    assert local[("sin(v1)", "exp(v3)")] == pytest.approx(math.exp(math.sin(1)), rel=1e-5)
    assert local[("sin(v1)", "cos(v3)")] == pytest.approx(-math.sin(math.sin(1)), rel=1e-5)
    assert local[("y", "v2*v3")] == pytest.approx(math.sin(1), rel=1e-5)


def test_chapter_dot_matches_the_table(capsys):
    out = to_dot(parse(CHAPTER), AT)
    assert 'v1 [label="v1 = x\\nvalue 2\\nadjoint 5.5", style=rounded];' in out
    assert 'v7 [label="v7 = v3 + v4 + v6\\nvalue 11.6521\\nadjoint 1", peripheries=2];' in out
    assert '  v2 -> v5 [label="0.283662"];' in out                  # cos 5
    assert '  v1 -> v3 [label="5"];' in out and '  v2 -> v3 [label="2"];' in out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graph_dot_is_valid_graphviz():
    done = subprocess.run(["dot", "-Tcanon"], input=to_dot(parse(CHAPTER), AT), capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def graph_svg(path):
    return subprocess.run([sys.executable, "-m", "symdiff", "graph", "log(x)+x*y-sin(y)",
                           "--at", "x=2,y=5", "--format", "svg"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PATH": path})


def test_graph_svg_without_graphviz(tmp_path):
    done = graph_svg(str(tmp_path))                          # an empty directory: no dot
    assert done.returncode == 2 and done.stdout == ""
    assert "needs Graphviz's dot program" in done.stderr and "apt-get install graphviz" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graph_svg_with_graphviz(tmp_path):
    (tmp_path / "dot").symlink_to(shutil.which("dot"))
    done = graph_svg(str(tmp_path))                          # only dot on the PATH
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout and done.stdout.rstrip().endswith("</svg>")
    assert "adjoint 5.5" in done.stdout


def test_format_table_aligns_columns():
    text = format_table(node_table(X * Y, {"x": 1.0, "y": 2.0}))
    assert text.splitlines() == [
        "node  kind      operation  inputs  value  adjoint",
        "----  --------  ---------  ------  -----  -------",
        "v1    variable  x                  1.0    2.0",
        "v2    variable  y                  2.0    1.0",
        "v3    output    v1*v2      v1, v2  2.0    1.0",
    ]


# ---------------------------------------------------------------- large arguments (issue 15)

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
def test_forward_and_reverse_mode_at_large_arguments(formula, x):
    """Values and derivatives are the limits (0 or +-1) within the float range, not errors."""
    with mpmath.workdps(60):
        value, slope = (float(mpmath.diff(MP[formula], mpmath.mpf(x), n)) for n in (0, 1))
    point = {"x": float(x)}
    forward = jvp(formula, point, {"x": 1.0})
    reverse = vjp(formula, point, ["x"])
    for got, exact in ((forward[0], value), (forward[1], slope),
                       (reverse[0], value), (reverse[1]["x"], slope)):
        assert math.isclose(got, exact, rel_tol=1e-12, abs_tol=1e-300), (formula, x)


def test_zero_times_an_overflow_is_zero_in_both_modes():
    """d/dx 1/cosh(x) at 1000: the adjoint of cosh(x) is -cosh(x)^-2 = -0.0 and its local
    partial sinh(1000) overflows; the contribution is 0, not nan."""
    graph = Graph(parse("1/cosh(x)"))
    values = graph.forward({"x": 1000.0})
    assert values[graph.output] == 0.0 and values[parse("cosh(x)")] == math.inf
    assert graph.backward(values)[X] == 0.0
    assert jvp("1/cosh(x)", {"x": 1000.0}, {"x": 1.0}) == (0.0, 0.0)


@pytest.mark.parametrize("formula, message", [
    ("cosh(x)",      "cosh(1000) overflows the float range"),
    ("x*exp(x)",     "exp(1000) overflows the float range"),
    ("tanh(x)*exp(x)", "exp(1000) overflows the float range"),
])
def test_true_overflows_stay_errors_in_both_modes(formula, message):
    with pytest.raises(EvaluationError, match=re.escape(message)):
        jvp(formula, {"x": 1000.0}, {"x": 1.0})
    with pytest.raises(EvaluationError, match=re.escape(message)):
        vjp(formula, {"x": 1000.0})


def test_an_overflowing_derivative_of_a_finite_value_is_an_error():
    """log(x) at 5e-324 is -744.4, but its slope 1/x there is beyond the float range."""
    with pytest.raises(EvaluationError, match="overflows the float range"):
        vjp("log(x)", {"x": 5e-324})
    with pytest.raises(EvaluationError, match="overflows the float range"):
        jvp("log(x)", {"x": 5e-324}, {"x": 1.0})
