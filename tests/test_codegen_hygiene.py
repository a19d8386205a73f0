"""Hygiene of the Python source that ``to_python`` writes: names that cannot clash.

Every test runs the generated code in a fresh namespace and checks its value against
``symdiff.evaluate`` of the same expression, and reads the code with ``ast`` to check the
naming rules of symdiff/formats.py directly:

* the names the function reads are its parameters, its temporaries, and the code names
  ``math``, ``abs`` and ``float`` -- nothing else, and none of those three is ever bound;
* every temporary is assigned once and is never a parameter;
* the parameters are ``python_name`` of the variables, in order (injective, documented).

The hostile names: every keyword, the soft keywords, builtins, the names of the
temporaries, names that an escape produces (``lambda`` and ``lambda_``), dunders, names of
symdiff's own functions and constants used as variables, Greek letters.  Bad ``name=`` and
``variables=`` are refused with a CodegenError before any source exists.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import math
import random
from fractions import Fraction

import pytest
from hypothesis import assume, given, strategies as st

from symdiff import FUNCTIONS, EvaluationError, SymdiffError, diff, evaluate, parse
from symdiff.cli import main, run
from symdiff.expr import E, PI, Num, Sym, add, call, is_reserved, mul, power
from symdiff.formats import CODE_NAMES, RESERVED, CodegenError, python_name, to_python

KEYWORDS = keyword.kwlist
SOFT_KEYWORDS = sorted({*keyword.softkwlist, "match", "case", "type", "_"})
BUILTIN_NAMES = ["float", "int", "math", "abs", "min", "max", "pow", "print", "sum", "len",
                 "exec", "eval", "object", "__import__", "__builtins__", "__name__", "__doc__"]
TEMPORARY_NAMES = ["t1", "t2", "t3", "t10", "t_1", "_t1"]
ESCAPED_NAMES = ["lambda_", "lambda__", "math_", "float_", "abs_", "None_", "if_", "t1_"]
OWN_NAMES = ["derivative", "x", "sin_", "pi_", "e_"]      # symdiff's, as variables
# The names of the constants and functions (sin, e, abs) cannot be variables at all: Sym
# refuses them (tests/test_roundtrip.py), so only the others are tried here.
HOSTILE = sorted(name for name in {*KEYWORDS, *SOFT_KEYWORDS, *BUILTIN_NAMES, *TEMPORARY_NAMES,
                                   *ESCAPED_NAMES, *OWN_NAMES} if not is_reserved(name))
POINTS = [0.7, -1.3, 0.45, 1.9, -0.6, 0.3, 1.2, -2.1]


# ---------------------------------------------------------------- helpers

def function_of(source: str, name: str = "derivative"):
    namespace: dict = {"__name__": "generated"}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace[name]


def check_names(source: str, variables: list[str], name: str = "derivative") -> None:
    """The naming rules, read off the code itself."""
    module = ast.parse(source)
    imports = [n for n in module.body if isinstance(n, ast.Import)]
    reads_mpmath = any(isinstance(n, ast.Name) and n.id == "mpmath" for n in ast.walk(module))
    # mpmath is imported exactly when a special function (Bessel, digamma, ...) needs it
    assert [alias.name for i in imports for alias in i.names] == ["math", "mpmath"][:1 + reads_mpmath]
    assert all(alias.asname is None for i in imports for alias in i.names)
    (function,) = [n for n in module.body if isinstance(n, ast.FunctionDef)]
    assert function.name == name
    parameters = [a.arg for a in function.args.args]
    assert parameters == [python_name(v) for v in variables]
    assert len(set(parameters)) == len(parameters)
    stored = [n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    assert len(set(stored)) == len(stored), f"a temporary is assigned twice: {stored}"
    assert not set(stored) & set(parameters), "a temporary overwrites a parameter"
    bound = set(parameters) | set(stored)
    assert not bound & CODE_NAMES, f"{bound & CODE_NAMES} rebound"
    assert not {n for n in bound if keyword.iskeyword(n)}
    read = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assert read <= bound | CODE_NAMES, f"reads {read - bound - CODE_NAMES}"
    assert set(stored) <= read, f"temporaries never read: {set(stored) - read}"


def value_or_none(expr, point: dict) -> float | None:
    try:
        value = evaluate(expr, point)
    except (EvaluationError, ArithmeticError, ValueError):
        return None
    return value if math.isfinite(value) else None


def agrees(expr, variables: list[str], point: dict, name: str = "derivative") -> bool:
    """Generate, check the names, run at the point; False when the point is off the domain."""
    source = to_python(expr, variables, name=name)
    check_names(source, variables, name)
    expected = value_or_none(expr, point)
    if expected is None:
        return False
    got = function_of(source, name)(*[point[v] for v in variables])
    assert isinstance(got, (int, float)), f"{expr}: {got!r}"
    assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9), \
        f"{expr} at {point}: python {got!r}, evaluate {expected!r}\n{source}"
    return True


def busy(a, b, c):
    """An expression over three variables using every code name and sharing subexpressions."""
    s = call("sin", mul(a, b))
    return add(mul(c, power(s, Num(3))), s, mul(a, call("abs", add(b, mul(Num(-1), c)))),
               call("sign", add(a, Num(1))), call("acot", mul(b, c)),
               mul(call("exp", mul(Num(-1), c)), power(add(Num(1), power(b, Num(2))), Num(-1))),
               power(add(power(a, Num(2)), Num(1)), Num(Fraction(1, 2))), mul(Num(Fraction(-3, 2)), a, E),
               mul(PI, power(c, Num(-2))), call("cot", add(b, Num(3))))


# ---------------------------------------------------------------- the probe of issue 15

def test_a_temporary_no_longer_takes_the_place_of_a_variable_named_t1():
    e = parse("t1*sin(x)^3 + sin(x)")
    d = diff(e, "x")
    point = {"t1": 2.0, "x": 0.5}
    for target in (e, d, parse("t1 + sin(x)^2 + sin(x)")):
        assert agrees(target, ["t1", "x"], point)
    assert math.isclose(function_of(to_python(d, ["t1", "x"]))(2.0, 0.5), 2.0879, rel_tol=1e-4)


@pytest.mark.parametrize("names, parameters", [
    (["lambda", "lambda_"],           "lambda_, lambda__"),
    (["math", "math_", "math__"],     "math_, math__, math___"),
    (["float", "abs_", "x"],          "float_, abs__, x"),
    (["None", "True", "False"],       "None_, True_, False_"),
    (["match", "case", "type", "_"],  "match, case, type, _"),
    (["t1", "t2", "int", "print"],    "t1, t2, int, print"),
])
def test_parameters_are_escaped_injectively(names, parameters):
    e = add(*(mul(Num(i + 1), Sym(n)) for i, n in enumerate(names)))
    source = to_python(e, names)
    assert f"def derivative({parameters}):" in source
    assert agrees(e, names, dict(zip(names, POINTS)))


def test_normal_names_are_left_alone():
    source = to_python(parse("x*y + sin(x)^2 + sin(x)"), ["x", "y"])
    assert "def derivative(x, y):" in source
    assert "    t1 = math.sin(x)\n" in source


# ---------------------------------------------------------------- every hostile name

@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_name_beside_a_temporary_name(hostile):
    others = [n for n in ("t1", "x") if n != hostile][:2]
    if len(others) < 2:
        others.append("y")
    variables = [hostile, *others]
    e = busy(*map(Sym, variables))
    checked = 0
    for shift in range(len(POINTS)):
        point = {v: POINTS[(i + shift) % len(POINTS)] for i, v in enumerate(variables)}
        checked += agrees(e, variables, point)
        for v in variables:
            checked += agrees(diff(e, v), variables, point)
    assert checked >= 8


@pytest.mark.parametrize("group", [
    ["lambda", "lambda_", "lambda__"], ["math", "math_", "float"], ["t1", "t2", "t3"],
    ["abs_", "abs__", "t1_"], ["None", "None_", "__builtins__"], ["if", "else", "return"],
    ["_", "match", "case"], ["sin_", "e_", "pi_"], ["derivative", "__import__", "print"],
], ids=",".join)
def test_groups_of_hostile_names(group):
    e = busy(*map(Sym, group))
    point = dict(zip(group, (0.7, 1.3, 0.45)))
    assert agrees(e, group, point)
    for order, variables in enumerate([group, group[::-1], [*group, "t4", "lambda_" + "_" * 3]]):
        assert agrees(diff(e, group[order]), variables, {**point, "t4": 9.0, "lambda____": 9.0})


def test_greek_letters_are_spelled_and_lambda_is_escaped():
    e = parse("λ*sin(θ)^2 + sin(θ) + Λ/θ")
    assert e.free == {"lambda", "theta", "Lambda"}
    for variables in (["λ", "θ", "Λ"], ["lambda", "theta", "Lambda"]):
        source = to_python(e, variables)
        assert "def derivative(lambda_, theta, Lambda):" in source
        assert function_of(source)(0.5, 1.2, 2.0) == pytest.approx(
            evaluate(e, {"lambda": 0.5, "theta": 1.2, "Lambda": 2.0}), rel=1e-12)


@pytest.mark.parametrize("name", ["derivative", "match", "_", "t1", "x", "lambda_", "print", "int",
                                  "θ", "f_x", "sin"])
def test_any_valid_function_name(name):
    assert agrees(busy(Sym("x"), Sym("t1"), Sym("y")), ["x", "t1", "y"],
                  {"x": 0.7, "t1": 1.3, "y": 0.45}, name=name)


@pytest.mark.parametrize("fn", sorted(FUNCTIONS))
def test_every_function_with_hostile_names(fn):
    """The grid: every function of the table, its argument shared, over hostile names."""
    variables = ["abs_", "float", "math", "t1", "mpmath"]
    checked = 0
    for offset in (0, Fraction(3, 2)):          # inside (-1, 1) for asin, beyond 1 for acosh
        u = add(mul(Num(Fraction(1, 3)), Sym("float")), mul(Num(Fraction(1, 5)), Sym("t1")),
                Num(offset))
        inner = call(fn, u) if FUNCTIONS[fn].arity == 1 else call(fn, Num(2), u)   # besselj(2, u)
        e = add(mul(Sym("math"), inner), power(inner, Num(2)), mul(Sym("abs_"), u), mul(Sym("mpmath"), u))
        if fn == "log":
            e = add(e, call("log", add(Sym("t1"), Num(4)), add(Sym("float"), Num(5))))
        for shift in range(len(POINTS)):
            point = {v: POINTS[(i + shift) % len(POINTS)] for i, v in enumerate(variables)}
            checked += agrees(e, variables, point)
            checked += agrees(diff(e, "float"), variables, point)
    assert checked


# ---------------------------------------------------------------- the command line

def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), io.StringIO(), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("formula, wrt", [
    ("t1*sin(x)^3 + sin(x)", "x"),
    ("t1*sin(x)^2 + lambda*sin(x) + lambda_*float + math*cos(math_)", "x,lambda,t1,math"),
    ("None*True + False^2 + sin(if*else)^2 + sin(if*else)", "None,if"),
    ("λ*θ^2 + cos(θ)^2 + cos(θ)", "θ,λ"),
])
def test_the_command_line_writes_hygienic_modules(formula, wrt):
    status, source, err = cli(formula, "--wrt", wrt, "--format", "python")
    assert status == 0, err
    e = parse(formula)
    variables = sorted(e.free)
    namespace: dict = {}
    exec(compile(source, "<cli>", "exec"), namespace)
    rng = random.Random(formula)
    names = [parse(n).free for n in wrt.split(",")]
    for k, (n,) in enumerate(names):
        def function(*point, k=k):                 # one function for all the derivatives
            return namespace["derivative"](*point) if len(names) == 1 else namespace["gradient"](*point)[k]
        d = diff(e, n)
        checked = 0
        for _ in range(10):
            point = {v: rng.uniform(0.2, 2) for v in variables}
            expected = value_or_none(d, point)
            if expected is not None:
                assert math.isclose(function(*[point[v] for v in variables]), expected,
                                    rel_tol=1e-9, abs_tol=1e-9)
                checked += 1
        assert checked


def test_a_function_with_no_numeric_value_is_a_clear_error(capsys):
    with pytest.raises(CodegenError, match="no numeric value"):
        to_python(parse("f(x)", functions=["f"]))
    assert main(["f(x)", "--func", "f", "--format", "python"]) == 2    # was an internal error
    out, err = capsys.readouterr()
    assert out == "" and "internal error" not in err and "no numeric value" in err


# ---------------------------------------------------------------- refused before writing

PAYLOAD = "__import__('builtins').SYMDIFF_INJECTED = True"
BAD_NAMES = [
    "", "1f", "f g", "f-g", "f\n", " f", "f()", f"f(): {PAYLOAD}\n#", f"f():\n    {PAYLOAD}\ndef g",
    "lambda", "None", "class", "True", "math", "abs", "float", "__builtins__", "__import__",
    "ﬁ", "x" * 10_000 + "!", 3, None, b"f", Sym("f"), ["f"],
]
BAD_VARIABLES = [
    "xy", b"x", 3, ["x", 1], ["x", None], [Sym("x")], [f"x={PAYLOAD}"], ["x, y"], ["x y"], ["x)"],
    ["x", "x"], ["θ", "theta", "x"], [""], ["1x"], ["x\n"], ["ℌ"], ["x", f"y):\n    {PAYLOAD}\n#"],
    ["y"], [],
]


def _no_execution(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("to_python must not run code")
    for function in ("exec", "eval", "compile"):
        monkeypatch.setattr(builtins, function, refuse)


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_a_bad_function_name_is_refused(name, monkeypatch):
    e = parse("x^2")
    with monkeypatch.context() as patched:
        _no_execution(patched)
        with pytest.raises(CodegenError) as raised:
            to_python(e, ["x"], name=name)
    assert isinstance(raised.value, SymdiffError) and isinstance(raised.value, ValueError)
    assert "function name" in str(raised.value)
    assert len(str(raised.value)) < 300
    assert not hasattr(builtins, "SYMDIFF_INJECTED")


@pytest.mark.parametrize("variables", BAD_VARIABLES, ids=repr)
def test_bad_variables_are_refused(variables, monkeypatch):
    e = parse("x^2")
    with monkeypatch.context() as patched:
        _no_execution(patched)
        with pytest.raises(CodegenError) as raised:
            to_python(e, variables)
    assert isinstance(raised.value, SymdiffError) and isinstance(raised.value, ValueError)
    assert "variable" in str(raised.value) or "argument" in str(raised.value)
    assert not hasattr(builtins, "SYMDIFF_INJECTED")


def test_messages_say_what_is_wrong():
    e = parse("x")
    for kwargs, message in [
        ({"name": "lambda"}, "the function name cannot be the Python keyword 'lambda'"),
        ({"name": "math"}, "the function name cannot be 'math': the generated code uses abs, cmath, float, jax, jnp, math, max, min, mpmath, np, out, scipy, shape, torch"),
        ({"name": "f(x)"}, "the function name must be a Python identifier, not 'f(x)'"),
        ({"name": 3}, "the function name must be a string, not int"),
        ({"variables": "xy"}, "variables must be a list of names, not str 'xy'"),
        ({"variables": ["x", 2]}, "variables must be strings naming variables; got int 2"),
        ({"variables": ["x=1"]}, "'x=1' in variables is not a variable name (an identifier)"),
        ({"variables": ["x", "x"]}, "x is named twice in variables"),
        ({"variables": ["y"]}, "no argument for x"),
    ]:
        with pytest.raises(CodegenError) as raised:
            to_python(e, **kwargs)
        assert str(raised.value) == message


# ---------------------------------------------------------------- nesting Python can compile

def test_a_long_sum_is_cut_into_temporaries():
    x = Sym("x")
    e = add(*(call("sin", add(x, Num(i))) for i in range(3000)))
    source = to_python(e)
    check_names(source, ["x"])
    assert math.isclose(function_of(source)(0.3), evaluate(e, x=0.3), rel_tol=1e-9)


def test_deep_nesting_is_cut_into_temporaries():
    e = Sym("t1")
    for i in range(400):
        e = call("sin" if i % 2 else "cos", add(e, Num(1)))
    source = to_python(e)
    check_names(source, ["t1"])
    assert math.isclose(function_of(source)(0.3), evaluate(e, t1=0.3), rel_tol=1e-9)


def test_a_long_product_is_cut_into_temporaries():
    x = Sym("x")
    e = mul(*(add(Num(1), mul(Num(Fraction(1, i)), x)) for i in range(1, 600)),
            *(power(add(Num(2), mul(Num(Fraction(1, i)), x)), Num(-1)) for i in range(1, 600)))
    source = to_python(e)
    check_names(source, ["x"])
    assert math.isclose(function_of(source)(0.01), evaluate(e, x=0.01), rel_tol=1e-9)


# ---------------------------------------------------------------- properties

names_for_python = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(lambda stem, tail: stem + "_" * tail, st.sampled_from([*RESERVED, "t1", "x"]),
              st.integers(0, 3)),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
)


@given(st.lists(names_for_python, min_size=1, max_size=12, unique=True))
def test_python_name_is_injective_and_keeps_normal_names(names):
    mapped = [python_name(n) for n in names]
    assert len(set(mapped)) == len(names)
    for n, m in zip(names, mapped):
        assert m.isidentifier() and not keyword.iskeyword(m) and m not in CODE_NAMES
        assert m == (n + "_" if n.rstrip("_") in RESERVED else n)


def _safely(build, first, *rest):
    try:
        return build(first, *rest)
    except (SymdiffError, ArithmeticError, ValueError):
        return first


UNARY = ["sin", "cos", "exp", "log", "sqrt", "abs", "sign", "acot", "cot", "atan", "cbrt", "tanh",
         "asinh", "sech"]
EXPONENTS = [Num(v) for v in (-2, -1, 2, 3, Fraction(1, 2), Fraction(-1, 2), Fraction(3, 2), 0.5)]


@st.composite
def hostile_formulas(draw):
    """Random expressions over 1-4 hostile names, with shared subexpressions."""
    names = draw(st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4, unique=True))
    leaves = st.one_of(st.sampled_from(names).map(Sym), st.sampled_from(names).map(Sym),
                       st.sampled_from([Num(2), Num(-1), Num(Fraction(1, 3)), Num(1.5), PI, E]))

    def extend(children):
        return st.one_of(
            st.builds(lambda a, b: _safely(add, a, b), children, children),
            st.builds(lambda a, b: _safely(mul, a, b), children, children),
            st.builds(lambda a, k: _safely(power, a, k), children, st.sampled_from(EXPONENTS)),
            st.builds(lambda f, a: _safely(lambda u, g: call(g, u), a, f),
                      st.sampled_from(UNARY), children),
            st.builds(lambda a, f: _safely(lambda u, g: add(mul(u, call(g, u)), call(g, u)), a, f),
                      children, st.sampled_from(UNARY)),            # a shared subexpression
        )

    e = draw(st.recursive(leaves, extend, max_leaves=10))
    variables = draw(st.permutations(names))
    point = {n: draw(st.sampled_from(POINTS)) for n in names}
    name = draw(st.sampled_from(["derivative", "match", "_", "t1", "print", "lambda_", names[0]]))
    if keyword.iskeyword(name) or name in CODE_NAMES or name.startswith("__"):
        name = "f"
    return e, list(variables), point, name


@given(hostile_formulas())
def test_random_expressions_over_hostile_names(case):
    e, variables, point, name = case
    assume(agrees(e, variables, point, name=name))


@given(hostile_formulas(), st.data())
def test_random_derivatives_over_hostile_names(case, data):
    e, variables, point, name = case
    wrt = data.draw(st.sampled_from(variables))
    try:
        d = diff(e, wrt)
    except (SymdiffError, ArithmeticError):
        assume(False)
    assume(agrees(d, variables, point, name=name))
