"""Issue 17 item 4: complex numbers (the unit I, exact folding, re/im/conj/arg/abs, complex values)."""

import cmath
import random

import mpmath
import pytest
import sympy as sp

from symdiff import diff, evaluate, parse, simplify, expand
from symdiff.errors import EvaluationError, ParseError
from symdiff.expr import I, Sym, has_imaginary
from symdiff.formats import to_mathml, to_python
from symdiff.latex import to_latex
from symdiff.printing import to_text

X = sp.Symbol("x", real=True)
SYMPY_NAMES = {"x": X, "I": sp.I, "i": sp.I, "re": sp.re, "im": sp.im, "conj": sp.conjugate, "arg": sp.arg,
               "abs": sp.Abs, "exp": sp.exp, "sin": sp.sin, "cos": sp.cos, "log": sp.log,
               "sqrt": sp.sqrt, "pi": sp.pi}


def sympy_of(text: str):
    return sp.sympify(text.replace("^", "**"), locals=SYMPY_NAMES)


def close(a: complex, b: complex) -> bool:
    return abs(complex(a) - complex(b)) <= 1e-9 * max(1.0, abs(complex(b)))


@pytest.mark.parametrize("text, expected", [
    ("I*I",            "-1"),
    ("i^2",            "-1"),
    ("I^3",            "-I"),
    ("I^-1",           "-I"),
    ("(2+3*I)*(1-I)",  "5 + I"),
    ("1/(1+I)",        "1/2 - I/2"),
    ("(1+I)^2",        "2*I"),
    ("exp(I*pi)",      "-1"),
    ("exp(I*pi/2)",    "I"),
    ("re(3+4*I)",       "3"),
    ("im(3+4*I)",       "4"),
    ("conj(2+I)",      "2 - I"),
    ("abs(3+4*I)",      "5"),
    ("arg(I)",         "pi/2"),
    ("re(x)",          "x"),
    ("im(x)",          "0"),
    ("conj(x)",        "x"),
    ("re(exp(I*x))",   "cos(x)"),
])
def test_exact_folding(text, expected):
    assert simplify(parse(text)) is parse(expected)
    point = {"x": 0.7}
    ours = complex(evaluate(parse(text), point))
    theirs = complex(sp.N(sympy_of(text).subs(X, 0.7)))
    assert close(ours, theirs)


def test_expand_gives_the_canonical_form():
    assert expand(parse("(2+3I)*(1-I)")) is parse("5 + I")


@pytest.mark.parametrize("text", [
    "exp(I*x)", "x^2*I + sin(x)", "abs(x + I*x^2)", "re(x*exp(I*x))", "im(x*exp(I*x))",
    "conj(x + I*x^3)", "arg(x + I*x^2)", "abs(x^2 + 1)", "(x + I)^3", "log(x + I)",
    "sqrt(x + I)", "abs(exp(I*x) + x)",
])
def test_derivatives_agree_with_sympy_on_real_variables(text):
    ours = diff(text, "x")
    theirs = sp.diff(sympy_of(text), X)
    for x in (0.3, 0.9, 1.7, 2.4):
        want = complex(sp.N(theirs.subs(X, x)))
        got = complex(evaluate(ours, x=x))
        assert close(got, want), (text, x, got, want)


def test_abs_of_a_real_argument_keeps_sign():
    assert "sign(" in to_text(diff("abs(sin(x))", "x"))


@pytest.mark.parametrize("text, value", [
    ("exp(I*x)",        lambda x: cmath.exp(1j * x)),
    ("abs(x + 2*I)",    lambda x: abs(x + 2j)),
    ("arg(x - I)",      lambda x: cmath.phase(x - 1j)),
    ("conj(x + 2*I)",   lambda x: x - 2j),
    ("sign(x + I)",     lambda x: (x + 1j) / abs(x + 1j)),
    ("floor(x + 2.5*I)", lambda x: complex(mpmath.floor(x), 2)),
    ("log(-x)",         None),
    ("sqrt(x - 4) * I", lambda x: cmath.sqrt(x - 4) * 1j),
    ("sin(x + I)",      lambda x: complex(mpmath.sin(mpmath.mpc(x, 1)))),
])
def test_complex_evaluation_agrees_with_cmath(text, value):
    if value is None:
        with pytest.raises(EvaluationError):
            evaluate(text, x=1.3)
        return
    assert close(evaluate(text, x=1.3), value(1.3))


def test_a_real_value_stays_a_float():
    assert type(evaluate("exp(I*x)*exp(-I*x) + re(I*x)", x=0.5)) is float
    assert type(evaluate("x^2", x=0.5)) is float


def test_functions_of_real_arguments_only_refuse_complex_ones():
    with pytest.raises(EvaluationError, match="real arguments only"):
        evaluate("Heaviside(x*I)", x=1)


@pytest.mark.parametrize("text", ["2 + 3*I", "x*I + 1", "I*exp(I*x)", "re(x*I) + conj(x)", "arg(I + x)"])
def test_printed_text_parses_back(text):
    e = parse(text)
    assert parse(to_text(e)) is e


def test_printers():
    e = parse("2 + 3i")
    assert to_text(e) == "2 + 3*I"
    assert r"\mathrm{i}" in to_latex(e)
    assert to_latex(parse("conj(x)")) == r"\overline{x}"
    assert "<mi>i</mi>" in to_mathml(e)
    namespace: dict = {}
    exec(to_python(parse("exp(I*x) + sqrt(x)")), namespace)
    assert close(namespace["derivative"](2.0), cmath.exp(2j) + cmath.sqrt(2))


def test_i_is_a_variable_when_asked():
    assert parse("i*x", imaginary="I").free == {"i", "x"}
    assert parse("i*I", imaginary="I") == Sym("i") * I
    assert parse("j + i", imaginary="j") == I + Sym("i")
    assert diff("i^2*x", "i") == parse("2*i*x", imaginary="I")
    with pytest.raises(ValueError, match="imaginary"):
        parse("x", imaginary="bogus")


@pytest.mark.parametrize("text", ["I(x)", "i(x)"])
def test_the_unit_is_not_a_function(text):
    with pytest.raises(ParseError):
        parse(text)


def test_real_formulas_do_not_carry_the_imaginary_bit():
    assert not has_imaginary(parse("sin(x)^2 + x*y"))
    assert has_imaginary(parse("x + i"))


def test_random_formulas_with_i_against_mpmath():
    rng = random.Random(4)
    pieces = ["x", "I", "2", "x^2", "sin(x)", "exp(I*x)", "(x + I)", "re(x + I*x)", "abs(x + I)"]
    for _ in range(60):
        text = rng.choice(pieces)
        for _ in range(3):
            text = f"({text}){rng.choice('+-*')}({rng.choice(pieces)})"
        e = parse(text)
        d = diff(e, "x")
        x, h = 0.8, 1e-6
        numeric = (complex(evaluate(e, x=x + h)) - complex(evaluate(e, x=x - h))) / (2 * h)
        assert abs(complex(evaluate(d, x=x)) - numeric) < 1e-5 * max(1, abs(numeric)), text
