"""The public API reads text; the stages take expressions.

* Every function of :mod:`symdiff.api` gives the same result for a formula as text and as an
  expression, and ``symdiff.<name>`` is that function.
* ``functions=`` and ``limits=`` reach the reading of the text through the API.
* A stage function given text refuses it with a TypeError that names the function that reads it.
"""

from __future__ import annotations

import importlib
import inspect
import warnings

import pytest

import symdiff
from symdiff import Equation, LimitError, Limits, Num, Sym, SymdiffWarning, UnknownFunctionError, api, parse
from symdiff.limits import current_limits


def stage(module: str):
    """A module of symdiff (``symdiff.diff`` and others are the API's functions)."""
    return importlib.import_module(f"symdiff.{module}")

FORMULA = "x^2*sin(x*y) + sin(x*y)/y"          # sin(x*y) is shared, for cse
POINT = {"x": 0.5, "y": 2.0}

# Each function of the API, called on a formula (or a list of two, where it takes a list);
# its result as something == compares (a compiled function by its value at the point).
USES = {
    "diff":             lambda f: api.diff(f, "x", 2),
    "gradient":         lambda f: api.gradient(f),
    "jacobian":         lambda f: api.jacobian([f, f], ["x"]),
    "hessian":          lambda f: api.hessian(f),
    "explain":          lambda f: api.explain(f, "y"),
    "simplify":         lambda f: api.simplify(f),
    "expand":           lambda f: api.expand(f),
    "together":         lambda f: api.together(f),
    "cancel":           lambda f: api.cancel(f),
    "factor":           lambda f: api.factor(f),
    "collect":          lambda f: api.collect(f, "x" if isinstance(f, str) else Sym("x")),
    "evaluate":         lambda f: api.evaluate(f, POINT),
    "compile_function": lambda f: api.compile_function(f, ["x", "y"])(0.5, 2.0),
    "lambdify":         lambda f: api.lambdify(["x", "y"], [[f], [f]], backend="python")(0.5, 2.0),
    "to_code":          lambda f: api.to_code([f, f], backend="numpy"),
    "numeric_gradient": lambda f: api.numeric_gradient(f, POINT),
    "jvp":              lambda f: api.jvp(f, POINT, {"x": 1.0}),
    "vjp":              lambda f: api.vjp(f, POINT),
    "to_latex":         lambda f: api.to_latex(f, ln=False),
    "cse":              lambda f: api.cse([f, f]),
    "singular_points":  lambda f: api.singular_points(f + " + |x - 1|" if isinstance(f, str) else f + abs(Sym("x") - 1), "x"),
    "laplacian":        lambda f: api.laplacian(f),
    "divergence":       lambda f: api.divergence([f, f], ["x", "y"]),
    "curl":             lambda f: api.curl([f, f, f]),
    "directional_derivative": lambda f: api.directional_derivative(f, ["x", "y"], [1, 2]),
    "exact_value":      lambda f: api.exact_value(f, x="1/2", y=2),
    "implicit_diff":    lambda f: api.implicit_diff(f + " = 1" if isinstance(f, str) else Equation(f, Num(1)), "y", "x"),
    "series":           lambda f: api.series(f, "x", "1/2", 2),
    "tangent":          lambda f: api.tangent(f, {"x": 1, "y": 2}),
    "critical_points":  lambda f: api.critical_points("x^3 - 3*x" if isinstance(f, str) else parse("x^3 - 3*x"), "x"),
}


def test_every_function_of_the_api_is_tried():
    public = {name for name, value in vars(api).items()
              if inspect.isfunction(value) and value.__module__ == "symdiff.api" and not name.startswith("_")}
    assert public == set(USES) == set(api.__all__)


@pytest.mark.parametrize("name", USES)
def test_text_and_expressions_give_equal_results(name):
    use = USES[name]
    assert use(FORMULA) == use(parse(FORMULA))


@pytest.mark.parametrize("name", [name for name in USES if name in symdiff.__all__])
def test_the_package_exports_the_api(name):
    assert getattr(symdiff, name) is getattr(api, name)


def test_explain_is_not_exported_as_it_would_hide_its_module():
    assert "explain" not in symdiff.__all__
    api.explain("x", "x")                               # loads the module symdiff.explain
    assert inspect.ismodule(symdiff.explain)            # which stays what the name means


# ---------------------------------------------------------------- functions= and limits=

@pytest.mark.parametrize("read", [
    lambda f, **kw: api.diff(f, "x", **kw),
    lambda f, **kw: api.gradient(f, **kw)[0],
    lambda f, **kw: api.jacobian([f], **kw)[0][0],
    lambda f, **kw: api.hessian(f, **kw)[0][0],
    lambda f, **kw: api.explain(f, "x", **kw)[-1].after,
], ids=["diff", "gradient", "jacobian", "hessian", "explain"])
def test_functions_declare_unknown_functions(read):
    # undeclared, g(...) is read as an unknown function too, with a note (issue 17, item 2);
    # declaring it silences the note
    with pytest.warns(SymdiffWarning, match="g is read as an unknown function"):
        undeclared = read("g(x^2)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        declared = read("g(x^2)", functions=["g"])
    assert declared == undeclared == read(parse("g(x^2)", functions=["g"]))
    with pytest.raises(UnknownFunctionError):
        read("Sin(x^2)")                 # a built-in it probably meant: still an error


def test_limits_bound_reading_the_text():
    with pytest.raises(LimitError) as caught:
        api.diff("x + 1 + 2", "x", limits=Limits(max_input_length=5))
    assert caught.value.limit == "max_input_length"
    assert api.diff("x + 1", "x", limits=Limits(max_input_length=5)) == Num(1)
    assert current_limits() == Limits()                 # the limits end with the call


def test_limits_bound_the_work():
    with pytest.raises(LimitError) as caught:
        api.diff("exp(x)", "x", 4, limits=Limits(max_order=3))
    assert caught.value.limit == "max_order"


def test_explain_summarises_past_max_steps():
    formula = "sin(x)*cos(x)*exp(x)*log(x)*tan(x)*sqrt(x)"
    assert api.explain(formula, "x") == stage("explain").explain(parse(formula), "x")
    assert len(api.explain(formula, "x", max_steps=2)) < len(api.explain(formula, "x"))


# ---------------------------------------------------------------- stages take expressions

# Each stage function, called on text; and the function of symdiff that reads text instead.
STAGES = {
    "diff.diff":                 (lambda f: stage("diff").diff(f, "x"),                    "diff"),
    "diff.gradient":             (lambda f: stage("diff").gradient(f),                     "gradient"),
    "diff.jacobian":             (lambda f: stage("diff").jacobian([f]),                   "jacobian"),
    "diff.hessian":              (lambda f: stage("diff").hessian(f),                      "hessian"),
    "simplify.simplify":         (lambda f: stage("simplify").simplify(f),                 "simplify"),
    "simplify.simplify_all":     (lambda f: stage("simplify").simplify_all([f]),           "simplify"),
    "simplify.expand":           (lambda f: stage("simplify").expand(f),                   "expand"),
    "simplify.together":         (lambda f: stage("simplify").together(f),                 "together"),
    "simplify.cancel":           (lambda f: stage("simplify").cancel(f),                   "cancel"),
    "simplify.factor":           (lambda f: stage("simplify").factor(f),                   "factor"),
    "simplify.collect":          (lambda f: stage("simplify").collect(f, Sym("x")),        "collect"),
    "simplify.collect by text":  (lambda f: stage("simplify").collect(parse(f), "x"),      "collect"),
    "evaluate.evaluate":         (lambda f: stage("evaluate").evaluate(f, POINT),          "evaluate"),
    "evaluate.evaluate_all":     (lambda f: stage("evaluate").evaluate_all([f], POINT),    "evaluate"),
    "evaluate.compile_function": (lambda f: stage("evaluate").compile_function(f),         "compile_function"),
    "numeric.numeric_gradient":  (lambda f: stage("numeric").numeric_gradient(f, POINT),   "numeric_gradient"),
    "numeric.partial":           (lambda f: stage("numeric").partial(f, "x", POINT),       "parse"),
    "autodiff.jvp":              (lambda f: stage("autodiff").jvp(f, POINT, {"x": 1.0}),   "jvp"),
    "autodiff.vjp":              (lambda f: stage("autodiff").vjp(f, POINT),               "vjp"),
    "autodiff.Graph":            (lambda f: stage("autodiff").Graph(f),                    "parse"),
    "autodiff.Traced.from_expr": (lambda f: stage("autodiff").Traced.from_expr(f, POINT),  "parse"),
    "autodiff.node_table":       (lambda f: stage("autodiff").node_table(f, POINT),        "parse"),
    "autodiff.to_dot":           (lambda f: stage("autodiff").to_dot(f, POINT),            "parse"),
    "explain.explain":           (lambda f: stage("explain").explain(f, "x"),              "api.explain"),
    "latex.to_latex":            (lambda f: stage("latex").to_latex(f),                    "to_latex"),
    "latex.equation":            (lambda f: stage("latex").equation(f, f, ["x"]),          "parse"),
    "printing.cse":              (lambda f: stage("printing").cse(f),                      "cse"),
    "printing.cse of a list":    (lambda f: stage("printing").cse([f]),                    "cse"),
    "formats.to_python":         (lambda f: stage("formats").to_python(f),                 "parse"),
    "codegen.lambdify":          (lambda f: stage("codegen").lambdify(["x"], [f]),         "lambdify"),
    "codegen.to_code":           (lambda f: stage("codegen").to_code(f),                   "to_code"),
}


@pytest.mark.parametrize("name", STAGES)
def test_a_stage_given_text_says_what_reads_it(name):
    call, reader = STAGES[name]
    with pytest.raises(TypeError, match=rf"takes an expression \(an Expr\), not str; symdiff.{reader} reads text$"):
        call("x*y")
