"""Step-by-step derivations (symdiff.explain): every step an equality, the last one diff's answer.

* A table of hand-checked derivations: the rules a teacher names, in order, and the
  result compared by value with a derivative worked out by hand.
* 240 random expressions (tests/strategies.py): each differentiation step ``d/dx(u) = ...``
  holds once every placeholder ``d/dx(v)`` is replaced by the real derivative of v, each
  simplification step holds as it stands, both checked by value at random points; the
  last step *is* ``diff(expr, "x")`` (hash-consed nodes: identity is equality).
* Long derivations are cut at ``max_steps`` with one summarising step, and still end
  in diff's result.
* The command line: ``--steps`` as text, ``--latex`` (an ``align*`` block) and JSON.
* KaTeX renders every step of 50 random derivations (one node process; see
  tests/test_latex.py for SYMDIFF_KATEX).
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from symdiff import (EvaluationError, SymdiffError, derivative, diff, evaluate, parse,
                     substitute, to_text)
from symdiff.api import explain                 # the derivation of a formula, as text or Expr
from symdiff.cli import main, run
from symdiff.latex import to_latex
from symdiff.explain import (MAX_STEPS, DerivationStep, placeholder, steps_json, steps_latex,
                             steps_text)
from symdiff.expr import Derivative, Num, add, mul, neg, postorder, power

from strategies import expressions

RENDERER = Path(__file__).with_name("katex_render.js")
KINDS = ("differentiate", "substitute", "simplify", "result")


# ---------------------------------------------------------------- helpers

def placeholders(e) -> list:
    """The subexpressions u of every placeholder d/dx(u) in e."""
    return [n.of for n in postorder(e) if type(n) is Derivative]


def worked_out(e, wrt: str = "x"):
    """e with every placeholder d/dx(u) replaced by the real derivative of u."""
    mapping = {n: derivative(n.of, n.wrt) for n in postorder(e) if type(n) is Derivative}
    return substitute(e, mapping) if mapping else e


def value(e, point):
    try:
        v = evaluate(e, point)
    except (EvaluationError, OverflowError):
        return None
    return v if math.isfinite(v) else None


def disagreement(a, b, points) -> tuple[int, str | None]:
    """(points where both sides have a value, the first point where they differ)."""
    compared = 0
    for point in points:
        va, vb = value(a, point), value(b, point)
        if va is None or vb is None:
            continue
        compared += 1
        if not math.isclose(va, vb, rel_tol=1e-7, abs_tol=1e-9):
            return compared, f"at {point}: {va!r} != {vb!r}"
    return compared, None


def random_points(rng: random.Random, count: int = 6) -> list[dict[str, float]]:
    return [{"x": rng.uniform(-3, 3), "y": rng.uniform(-3, 3)} for _ in range(count)]


def differentiate_steps(steps):
    return [s for s in steps if s.kind == "differentiate"]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), io.StringIO(), out, err)
    return status, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- the table, checked by hand
# formula, variable, the differentiate steps' rules (compared by prefix, in order), and the
# derivative worked out by hand (compared by value with the last step).

CLASSICS = [
    # product: (uv)' = u'v + uv'
    ("x*sin(x)",           "x", ["product rule", "variable rule", "sine rule"],
     "sin(x) + x*cos(x)"),
    # quotient: (u/v)' = (u'v - uv')/v^2
    ("sin(x)/x",           "x", ["quotient rule", "sine rule", "variable rule"],
     "(x*cos(x) - sin(x))/x^2"),
    ("(x^2+1)/(x-1)",      "x", ["quotient rule", "sum", "power rule", "variable rule", "sum"],
     "(2*x*(x - 1) - (x^2 + 1))/(x - 1)^2"),
    # chain of three functions: sin(cos(exp(x)))' = cos(cos(e^x)) * (-sin(e^x)) * e^x
    ("sin(cos(exp(x)))",   "x", ["sine rule", "cosine rule", "exponential rule", "variable rule"],
     "-cos(cos(exp(x)))*sin(exp(x))*exp(x)"),
    # x^x = e^(x log x): (x^x)' = x^x (log x + 1)
    ("x^x",                "x", ["logarithmic differentiation", "variable rule"],
     "x^x*(log(x) + 1)"),
    ("log(log(x))",        "x", ["logarithm rule", "logarithm rule", "variable rule"],
     "1/(x*log(x))"),
    # implicit multiplication: a number times a function of x
    ("3x^2",               "x", ["constant multiple rule", "power rule", "variable rule"],
     "6*x"),
    ("3*sin(x)",           "x", ["constant multiple rule", "sine rule", "variable rule"],
     "3*cos(x)"),
    ("2 sin(x)",           "x", ["constant multiple rule", "sine rule", "variable rule"],
     "2*cos(x)"),
    # sum and difference; y is a constant here
    ("log(x)+x*y-sin(y)",  "x", ["sum and difference rule", "constant multiple rule",
                                 "variable rule", "logarithm rule"],
     "1/x + y"),
    ("log(x)+x*y-sin(y)",  "y", ["sum and difference rule", "constant multiple rule",
                                 "variable rule", "constant multiple rule", "sine rule"],
     "x - cos(y)"),
    # a shared sub-derivative: d/dx(sin(x)) appears twice, is explained once
    ("sin(x)^2 + sin(x)",  "x", ["sum rule", "power rule", "sine rule", "variable rule"],
     "2*sin(x)*cos(x) + cos(x)"),
    ("sqrt(x^2+1)",        "x", ["power rule: d/du u^n = n*u^(n - 1), with the chain rule", "sum",
                                 "power rule", "variable rule"],
     "x/sqrt(x^2 + 1)"),
    # a root is the power u^(1/2): the power rule, whichever way it is written
    ("sqrt(x)",            "x", ["power rule: d/du u^n = n*u^(n - 1)", "variable rule"],
     "1/(2*sqrt(x))"),
    ("1/sqrt(x)",          "x", ["power rule: d/du u^n = n*u^(n - 1)", "variable rule"],
     "-1/(2*x^(3/2))"),
    ("2^x",                "x", ["exponential rule: d/du a^u", "variable rule"],
     "2^x*log(2)"),
    ("7",                  "x", ["constant rule"],
     "0"),
]

CLASSIC_POINTS = [{"x": 0.7, "y": -1.3}, {"x": 2.9, "y": 0.4}, {"x": 5.5, "y": 2.2}]


@pytest.mark.parametrize(("formula", "wrt", "rules", "by_hand"), CLASSICS,
                         ids=[f"{f} d{w}" for f, w, _, _ in CLASSICS])
def test_classic_derivations(formula, wrt, rules, by_hand):
    steps = explain(formula, wrt)
    shown = [s.rule for s in differentiate_steps(steps)]
    assert len(shown) == len(rules), shown
    for got, expected in zip(shown, rules):
        assert got.startswith(expected), f"{got!r} does not start with {expected!r}"
    assert steps[-1].kind == "result" and steps[-1].after is diff(formula, wrt)
    assert steps[-1].before is placeholder(parse(formula), wrt)
    compared, wrong = disagreement(steps[-1].after, parse(by_hand), CLASSIC_POINTS)
    assert wrong is None and compared == len(CLASSIC_POINTS), wrong


def test_the_steps_of_the_product_rule_read_as_written_by_hand():
    lines = [f"{to_text(s.before)} = {to_text(s.after)}" for s in explain("x*sin(x)", "x")]
    assert lines == [
        "d/dx(x*sin(x)) = d/dx(x)*sin(x) + x*d/dx(sin(x))",
        "d/dx(x) = 1",
        "d/dx(sin(x)) = cos(x)*d/dx(x)",
        "d/dx(x*sin(x)) = x*cos(x) + sin(x)",       # put together: the result, shown once
    ]


def test_quotient_rule_is_shown_as_a_teacher_writes_it():
    """(N/D)' = (N'D - ND')/D^2, though the engine differentiates N*D^-1 as a product."""
    steps = explain("(x^2+1)/(x-1)", "x")
    n, d = parse("x^2+1"), parse("x-1")
    first = steps[0]
    assert first.rule == "quotient rule"
    assert set(placeholders(first.after)) == {n, d}
    # the step is (N'D - ND')/D^2, built here with the canonical constructors
    written = mul(add(mul(placeholder(n, "x"), d), neg(mul(n, placeholder(d, "x")))),
                  power(d, Num(-2)))
    assert first.after is written
    assert to_text(first.after) == "(d/dx(x^2 + 1)*(x - 1) - d/dx(x - 1)*(x^2 + 1))/(x - 1)^2"
    # the engine's own result is the product rule on (x^2+1)*(x-1)^-1, simplified
    assert steps[-1].after is diff("(x^2+1)*(x-1)^(-1)", "x")


@pytest.mark.parametrize("formula", ["x^(-2)", "3/x", "1/sin(x)", "y/x", "x/y", "x/2"])
def test_no_quotient_rule_without_a_varying_numerator_and_denominator(formula):
    """1/x, 3/x and x/y are a power or a constant multiple, not a quotient of two functions."""
    assert all(s.rule != "quotient rule" for s in explain(formula, "x"))


def test_chain_rule_is_named_for_composed_functions_only():
    steps = differentiate_steps(explain("sin(cos(exp(x)))", "x"))
    assert "chain rule (inner function u = cos(exp(x)))" in steps[0].rule
    assert "chain rule (inner function u = exp(x))" in steps[1].rule
    assert "chain rule" not in steps[2].rule          # exp(x): the inner function is x itself
    assert "chain rule (inner function u = log(x))" in differentiate_steps(
        explain("log(log(x))", "x"))[0].rule


def test_shared_sub_derivative_is_explained_once_and_referred_to():
    steps = explain("sin(x)^2 + sin(x)", "x")
    sin_x = parse("sin(x)")
    explaining = [s for s in differentiate_steps(steps) if s.before is placeholder(sin_x, "x")]
    assert len(explaining) == 1                      # needed by steps 1 and 2, explained once
    number = explaining[0].number
    users = [s for s in differentiate_steps(steps) if sin_x in placeholders(s.after)]
    assert len(users) == 2
    put_together = [s for s in steps if s.kind == "substitute"]
    assert len(put_together) == 1 and number in put_together[0].refers_to
    # a later step that needs it again refers back to it instead of repeating it
    steps = explain("sin(x)^3 + sin(x)^2", "x")
    explaining = [s for s in steps if s.before is placeholder(sin_x, "x")]
    assert len(explaining) == 1
    later = [s for s in differentiate_steps(steps)
             if s.number > explaining[0].number and sin_x in placeholders(s.after)]
    assert later and all(explaining[0].number in s.refers_to for s in later)
    assert f"(by step {explaining[0].number})" in steps_text(steps)


def test_steps_are_numbered_and_the_kinds_come_in_order():
    steps = explain("x^x + sin(x)/x", "x")
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    kinds = [KINDS.index(s.kind) for s in steps]
    assert kinds == sorted(kinds) and steps[-1].kind == "result"
    assert all(isinstance(s, DerivationStep) for s in steps)


def test_simplify_steps_are_the_simplifier_trace():
    steps = explain("x^x", "x")
    simplified = [s for s in steps if s.kind == "simplify"]
    assert [(s.rule, to_text(s.before), to_text(s.after)) for s in simplified] == \
        [("collect like factors", "x/x", "1")]


# ---------------------------------------------------------------- random expressions

def random_expressions(count: int = 240) -> list:
    """Distinct random expressions in x (and y), drawn reproducibly."""
    found: dict = {}

    @settings(max_examples=count * 4, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(expressions())
    def collect(e):
        if len(found) < count and "x" in e.free:
            found[e] = None

    collect()
    return list(found)


@pytest.fixture(scope="module")
def random_derivations():
    """(expression, steps) for the random expressions whose derivative can be taken."""
    rows = []
    for e in random_expressions():
        try:
            expected = diff(e, "x")
        except (SymdiffError, ArithmeticError):
            with pytest.raises((SymdiffError, ArithmeticError)):
                explain(e, "x")
            continue
        rows.append((e, explain(e, "x"), expected))
    return rows


def test_random_derivations_end_in_diffs_result(random_derivations):
    assert len(random_derivations) >= 200
    for e, steps, expected in random_derivations:
        assert steps[-1].after is expected, f"{e}: {steps[-1].after} is not {expected}"
        assert steps[-1].kind == "result" and steps[-1].before is placeholder(e, "x")
        assert [s.number for s in steps] == list(range(1, len(steps) + 1)), e
        kinds = [KINDS.index(s.kind) for s in steps]
        assert kinds == sorted(kinds), f"{e}: kinds out of order"
        together = [s for s in steps if s.kind == "substitute"]
        if together:
            assert together[0].after is derivative(e, "x"), e


def test_random_derivations_explain_each_sub_derivative_once(random_derivations):
    for e, steps, _ in random_derivations:
        explained = {}
        for s in differentiate_steps(steps):
            (u,) = s.before.args
            assert s.before is placeholder(u, "x") and u not in explained, f"{e}: {u} twice"
            needed = placeholders(s.after)
            earlier = {explained[v] for v in needed if v in explained}
            assert set(s.refers_to) == earlier, f"{e}, step {s.number}: refers to {s.refers_to}"
            explained[u] = s.number
        assert e in explained or "x" not in e.free, e
        for s in differentiate_steps(steps):          # nothing left unexplained
            missing = [v for v in placeholders(s.after) if v not in explained]
            assert not missing, f"{e}, step {s.number}: {missing} never explained"


def test_random_derivation_steps_are_equalities(random_derivations):
    rng = random.Random(20240601)
    failures, checked, total = [], 0, 0
    for e, steps, _ in random_derivations:
        points = random_points(rng)
        for s in steps:
            if s.kind in ("differentiate", "substitute", "result"):
                before, after = worked_out(s.before), worked_out(s.after)
            else:                                     # a local rewrite of a subexpression
                before, after = s.before, s.after
            total += 1
            compared, wrong = disagreement(before, after, points)
            checked += compared > 0
            if wrong:
                failures.append(f"{e}, step {s.number} ({s.rule}): {to_text(s.before)} = "
                                f"{to_text(s.after)} fails {wrong}")
    assert not failures, f"{len(failures)} failing steps:\n" + "\n".join(failures[:10])
    assert checked > 0.8 * total, f"only {checked} of {total} steps had a point to compare at"


def test_placeholders_are_replaced_by_real_derivatives():
    """The check above is only as good as worked_out(): it must not leave placeholders."""
    step = explain("sin(x)^2 + sin(x)", "x")[0]
    assert placeholders(step.after) and not placeholders(worked_out(step.after))
    assert worked_out(step.before) is derivative(parse("sin(x)^2 + sin(x)"), "x")


# ---------------------------------------------------------------- long derivations

LONG = "sin(x)*cos(x)*exp(x)*log(x)*tan(x)*sqrt(x)"


def test_long_derivations_are_summarised():
    steps = explain(LONG, "x", max_steps=5)
    assert len(differentiate_steps(steps)) == 5
    summary = [s for s in steps if s.kind == "substitute"]
    assert len(summary) == 1
    assert "further sub-derivatives" in summary[0].rule and "limited to 5" in summary[0].rule
    assert summary[0].after is derivative(parse(LONG), "x")
    assert steps[-1].after is diff(LONG, "x")
    full = explain(LONG, "x")
    assert len(differentiate_steps(full)) > 5
    assert "further" not in steps_text(full)


def test_max_steps_default_is_200():
    assert MAX_STEPS == 200
    formula = " + ".join(f"sin({k}*x)" for k in range(1, 120))       # 2 sub-derivatives each
    steps = explain(formula, "x")
    assert len(differentiate_steps(steps)) == MAX_STEPS
    assert "limited to 200" in [s for s in steps if s.kind in ("substitute", "result")][0].rule
    assert steps[-1].after is diff(formula, "x")


# ---------------------------------------------------------------- formats and the command line

CLI_FORMULAS = ["x*sin(x)", "sin(x)/x", "(x^2+1)/(x-1)", "sin(cos(exp(x)))", "x^x", "log(log(x))",
                "3x^2", "2 sin(x)", "log(x)+x*y-sin(y)", "sin(x)^2 + sin(x)", "x^2*exp(-x^2/2)"]


@pytest.mark.parametrize("formula", CLI_FORMULAS)
def test_cli_steps_end_in_the_plain_answer(formula):
    status, out, err = cli(formula, "--wrt", "x", "--steps")
    assert status == 0 and err == ""
    plain_status, plain, _ = cli(formula, "--wrt", "x")
    assert plain_status == 0
    lines = out.rstrip("\n").splitlines()
    assert lines[-3] == "Result:"
    # "result" after simplification; else putting together was the last step, shown once
    assert lines[-1].strip() == ("result" if "Simplify:" in lines else "substitute the sub-derivatives")
    assert "Put together:" not in lines or "Simplify:" in lines
    head = f"{len(explain(formula, 'x'))}. {to_text(placeholder(parse(formula), 'x'))} = "
    assert lines[-2].strip().startswith(head), lines[-2]
    assert lines[-2].strip()[len(head):] == plain.rstrip("\n")
    assert out.rstrip("\n") == steps_text(explain(formula, "x"))


@pytest.mark.parametrize("formula", ["sin(x)/x", "x^x"])
def test_cli_steps_latex_is_an_align_block(formula):
    status, out, err = cli(formula, "--wrt", "x", "--steps", "--latex")
    assert status == 0 and err == ""
    lines = out.rstrip("\n").splitlines()
    assert lines[0] == r"\begin{align*}" and lines[-1] == r"\end{align*}"
    steps = explain(formula, "x")
    assert len(lines) == len(steps) + 2
    assert all("&=" in line and r"\text{(" in line for line in lines[1:-1])
    assert out.rstrip("\n") == steps_latex(steps)


def test_cli_steps_json():
    status, out, err = cli("sin(x)/x", "--wrt", "x", "--steps", "--format", "json")
    assert status == 0 and err == ""
    data = json.loads(out)
    assert isinstance(data, list)
    assert all(set(row) == {"number", "kind", "rule", "before", "after", "latex", "refers_to"}
               for row in data)
    assert [row["number"] for row in data] == list(range(1, len(data) + 1))
    assert {row["kind"] for row in data} <= set(KINDS) and data[-1]["kind"] == "result"
    assert data[0]["rule"] == "quotient rule" and data[0]["before"] == "d/dx(sin(x)/x)"
    assert data[-1]["after"] == cli("sin(x)/x", "--wrt", "x")[1].rstrip("\n")
    assert all(isinstance(row["refers_to"], list) for row in data)
    assert data == json.loads(steps_json(explain("sin(x)/x", "x")))


def test_cli_steps_with_tree_is_a_usage_error(capsys):
    status = main(["sin(x)/x", "--wrt", "x", "--steps", "--format", "tree"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("symdiff: error: --steps") and "Traceback" not in err


def test_cli_steps_for_two_variables():
    status, out, _ = cli("x*y", "--wrt", "x,y", "--steps")
    assert status == 0
    first, second = out.rstrip("\n").split("\n\n")
    assert first == steps_text(explain("x*y", "x")) and second == steps_text(explain("x*y", "y"))


# ---------------------------------------------------------------- KaTeX

def katex_unavailable() -> str | None:
    path = os.environ.get("SYMDIFF_KATEX")
    if not path:
        return "SYMDIFF_KATEX is not set (e.g. /tmp/katex/node_modules/katex)"
    if not Path(path, "package.json").exists():
        return f"SYMDIFF_KATEX={path} is not a katex package directory"
    if shutil.which("node") is None:
        return "node is not installed; KaTeX needs it"
    return None


def render(strings: list[str]) -> dict[str, str | None]:
    """KaTeX's error for each string (None: rendered), in one node process; skips without KaTeX."""
    reason = katex_unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"KaTeX is required under CI: {reason}")
        pytest.skip(reason)
    strings = list(dict.fromkeys(strings))
    done = subprocess.run(["node", str(RENDERER), os.environ["SYMDIFF_KATEX"]],
                          input=json.dumps(strings), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return dict(zip(strings, json.loads(done.stdout)))


@pytest.fixture(scope="module")
def sample(random_derivations):
    """50 random derivations, the CLI examples and a summarised one."""
    derivations = [steps for _, steps, _ in random_derivations[:50]]
    derivations += [explain(f, "x") for f in CLI_FORMULAS]
    derivations.append(explain(LONG, "x", max_steps=5))
    return derivations


def test_every_step_renders_in_katex(sample):
    """Each step's formula, ``before = after``, as the JSON field ``latex`` gives it."""
    strings = [row["latex"] for steps in sample for row in json.loads(steps_json(steps))]
    verdicts = render(strings)
    failures = [(s, error) for s, error in verdicts.items() if error]
    assert not failures, f"{len(failures)} of {len(verdicts)} fail, e.g. {failures[0]}"


@pytest.mark.parametrize("formula", ["sin(x)/x", "sin(cos(exp(x)))", "x*sin(x)"])
def test_align_blocks_of_the_docs_render_in_katex(formula):
    """The examples pictured in docs/howto/steps.md (their rule names need no escaping)."""
    block = steps_latex(explain(formula, "x"))
    assert render([block]) == {block: None}


def test_every_align_block_renders_in_katex(sample):
    """The whole ``--steps --latex`` output, rule names included."""
    strings = [steps_latex(steps) for steps in sample] + [steps_latex(explain("x^2", "x"))]
    verdicts = render(strings)
    failures = [(s, error) for s, error in verdicts.items() if error]
    assert not failures, f"{len(failures)} of {len(verdicts)} fail, e.g. {failures[0]}"


def test_a_derivative_not_worked_out_is_a_node_of_its_own():
    first = explain("x*sin(x)", "x")[0]
    pending = [n for n in postorder(first.after) if isinstance(n, Derivative)]
    assert {(str(n.of), n.wrt) for n in pending} == {("x", "x"), ("sin(x)", "x")}
    assert type(first.before) is Derivative and first.before.of is parse("x*sin(x)")
    assert str(first.before) == "d/dx(x*sin(x))"
    assert to_latex(first.before) == r"\frac{d}{dx}\!\left(x \sin\!\left(x\right)\right)"
    with pytest.raises(EvaluationError):
        evaluate(first.before, {"x": 1.0})
