"""Fuzzing the front door: random bytes, token soups and mutated formulas.

Every outcome is a result or a SymdiffError; a ParseError points inside the text.
Example counts are bounded for CI; a maintainer can run longer with
SYMDIFF_FUZZ_EXAMPLES=5000 python3 -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symdiff
from symdiff import Limits, ParseError, SymdiffError
from symdiff.cli import main

EXAMPLES = int(os.environ.get("SYMDIFF_FUZZ_EXAMPLES", "300"))
CLI_EXAMPLES = max(1, EXAMPLES * 2 // 15)          # 40 by default
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
CLI_FUZZ = settings(FUZZ, max_examples=CLI_EXAMPLES)
# Small limits keep a random 9^9^9 or a deep derivative cheap; exceeding them is a LimitError.
LIMITS = Limits(max_int_bits=2_000, max_order=20, max_output_nodes=20_000)

VOCABULARY = [
    "0", "1", "2", "42", "0.5", "1e3", "1e999", "1e-999", "007", "0x1F", "1_0", ".", "..",
    "x", "y", "z", "theta", "θ", "pi", "e", "inf", "nan", "_", "f", "f'", "__import__",
    "+", "-", "*", "/", "^", "**", "×", "−", "÷", "·", "²", "³", "√", "'", '"', "#", ";", ",",
    "(", ")", "((", "))", "[", "]", "{", "}", "sin(", "cos(", "log(", "exp(", "sqrt(", "abs(",
    "sign(", "acot(", "log(x,", "atan(", "f(", " ", "\t", "\n",
    "\x00", "\u200b", "\u202e", "\ud800", "\udcff", "😀", "ｘ", "\ufeff", "\u0301", "\u00a0",
]
SEEDS = ["log(x)+x*y-sin(y)", "x^2 sin(x)", "(x+1)^10/(x-1)", "exp(-x^2/2)", "sqrt(1-x^2)",
         "atan(y/x)", "2x(x+1)(x-1)", "x^x", "log(x, 2)", "√x + x²", "sin(cos(tan(x)))",
         "abs(x)*sign(x)", "-x^-2", "θ^2 − 1", "acot(x)/x"]


def byte_text():
    return st.binary(max_size=60).flatmap(
        lambda data: st.sampled_from([data.decode("utf-8", "surrogateescape"),
                                      data.decode("utf-8", "replace"),
                                      data.decode("latin-1")]))


def token_soup():
    return st.lists(st.sampled_from(VOCABULARY), max_size=25).map("".join)


@st.composite
def mutated(draw):
    text = list(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "swap", "replace"]))
        i = draw(st.integers(0, len(text)))
        char = draw(st.sampled_from(VOCABULARY + list("()+-*/^ x2.,")))
        if kind == "insert":
            text.insert(i, char)
        elif text and kind == "delete":
            del text[min(i, len(text) - 1)]
        elif len(text) > 1 and kind == "swap":
            j = min(i, len(text) - 2)
            text[j], text[j + 1] = text[j + 1], text[j]
        elif text:
            text[min(i, len(text) - 1)] = char
    return "".join(text)


def _check_outcome(text: str, run) -> None:
    try:
        result = run()
    except ParseError as error:
        assert error.line >= 1 and error.column >= 1
        lines = text.splitlines() or [""]
        assert error.line <= max(len(lines), text.count("\n") + 1), (text, error)
        # the column points into its line, or just past its end (unexpected end of input)
        line = (text.split("\n") + [""])[error.line - 1]
        assert error.column <= len(line) + 1, (text, error)
        str(error)
        error.render(ascii_only=True)
    except SymdiffError:
        pass
    else:
        assert isinstance(result, symdiff.Expr)
        symdiff.to_text(result)


def _parse(text):
    return lambda: symdiff.parse(text, limits=LIMITS)


def _diff(text):
    def run():
        expr = symdiff.parse(text, limits=LIMITS)
        wrt = sorted(expr.free)[:1] or ["x"]
        return symdiff.diff(expr, *wrt, limits=LIMITS)
    return run


@FUZZ
@given(byte_text())
def test_random_bytes(text):
    _check_outcome(text, _parse(text))
    _check_outcome(text, _diff(text))


@FUZZ
@given(token_soup())
def test_token_soup(text):
    _check_outcome(text, _parse(text))
    _check_outcome(text, _diff(text))


@FUZZ
@given(mutated())
def test_mutated_formulas(text):
    _check_outcome(text, _parse(text))
    _check_outcome(text, _diff(text))


@settings(CLI_FUZZ, suppress_health_check=[HealthCheck.too_slow,
                                          HealthCheck.function_scoped_fixture])
@given(text=st.one_of(token_soup(), mutated(), byte_text()))
def test_cli_in_process(text, capsys):
    capsys.readouterr()
    status = main(["--max-int-bits", "2000", "--max-output", "20000", "--wrt", "x", "--", text])
    err = capsys.readouterr().err
    assert status in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if status == 2:
        assert err.startswith("symdiff: error:")
