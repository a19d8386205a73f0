"""Fuzzing the front door: random bytes, token soups, mutated formulas and random command
lines.

Every outcome is a result or a SymdiffError (never another exception, never a hang); a
ParseError points inside the text; a result prints text that parses back to it; the
command line exits 0 or 2 with no traceback.  Each test counts the examples that reached
their verdict (``counted`` in tests/strategies.py).  Example counts are bounded for CI; a
maintainer can run longer with
SYMDIFF_FUZZ_EXAMPLES=5000 python3 -m pytest tests/test_fuzz.py tests/test_grammar_fuzz.py
"""

from __future__ import annotations

import contextlib
import io
import os

from hypothesis import given
from hypothesis import strategies as st

import symdiff
from strategies import (canonical, counted, example, known_bug, no_hang, property_settings,
                        verdict)
from symdiff import Limits, ParseError, SymdiffError
from symdiff.cli import run
from test_grammar_fuzz import formulas

EXAMPLES = int(os.environ.get("SYMDIFF_FUZZ_EXAMPLES", "300"))
CLI_EXAMPLES = EXAMPLES
FUZZ = property_settings(EXAMPLES)
CLI_FUZZ = property_settings(CLI_EXAMPLES)
# Small limits keep a random 9^9^9 or a deep derivative cheap; exceeding them is a LimitError.
LIMITS = Limits(max_int_bits=2_000, max_order=20, max_output_nodes=20_000, max_seconds=5.0)
HANG = 20.0          # seconds: an example still running after this is a hang

VOCABULARY = [
    "0", "1", "2", "42", "0.5", "1e3", "1e999", "1e-999", "007", "0x1F", "1_0", ".", "..",
    "x", "y", "z", "theta", "θ", "pi", "e", "inf", "nan", "_", "f", "f'", "__import__",
    "+", "-", "*", "/", "^", "**", "×", "−", "÷", "·", "²", "³", "√", "'", '"', "#", ";",
    ",",
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


def check_outcome(text: str, run_it) -> None:
    """run_it() gives an expression that prints text parsing back to it, or raises a
    SymdiffError (a ParseError pointing into ``text``); anything else fails."""
    try:
        with no_hang(HANG):
            result = run_it()
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
        printed = symdiff.to_text(result)
        if symdiff.parse(printed, limits=LIMITS) is not result:
            assert not canonical(result), (text, printed)
            known_bug()   # test_properties.py::test_known_bug_second_derivatives_print_...


def _parse(text):
    return lambda: symdiff.parse(text, limits=LIMITS)


def _diff(text):
    def run_it():
        expr = symdiff.parse(text, limits=LIMITS)
        wrt = sorted(expr.free)[:1] or ["x"]
        return symdiff.diff(expr, *wrt, limits=LIMITS)
    return run_it


def _check(text):
    example()
    check_outcome(text, _parse(text))
    check_outcome(text, _diff(text))
    verdict()


@counted(at_least=1.0)
@FUZZ
@given(byte_text())
def test_random_bytes(text):
    _check(text)


@counted(at_least=1.0)
@FUZZ
@given(token_soup())
def test_token_soup(text):
    _check(text)


@counted(at_least=1.0)
@FUZZ
@given(mutated())
def test_mutated_formulas(text):
    _check(text)


# ---------------------------------------------------------------- the command line

def option(name, values):
    return st.tuples(st.just(name), st.sampled_from(values)).map(list)


def flag(name):
    return st.just([name])


OPTIONS = st.one_of(
    option("--wrt", ["x", "y", "x,y", "theta", "θ", "t", "", "1x", "x,,y", "z", "x y"]),
    option("--order", ["0", "1", "2", "3", "-1", "abc", "99999", "1.5"]),
    option("--at", ["x=1", "x=0.5,y=2", "x=pi/2", "x=0", "x=", "x=1,x=2", "y=1",
                    "x=-1,y=-1,t=2", "x=1e400", "q", "θ=1", "x=1/0", "x=sin(1)"]),
    flag("--no-simplify"),
    option("--form", ["auto", "expanded", "factored", "together", "raw", "bogus"]),
    option("--format", ["text", "latex", "json", "tree", "python", "mathml", "bogus"]),
    flag("--latex"), flag("--equation"),
    option("--notation", ["auto", "d", "partial"]),
    option("--latex-log", ["ln", "log"]), option("--latex-exp", ["power", "exp"]),
    flag("--steps"),
    option("--method", ["symbolic", "forward", "reverse", "central", "forward-difference",
                        "backward-difference", "richardson", "complex-step", "all", "magic"]),
    flag("--check"), flag("--cse"), flag("--no-cse"),
    option("--func", ["f", "f,g", "sin", "1x", "g"]),
    option("--max-length", ["5", "1000", "1000", "0"]), option("--max-depth", ["3", "50", "0"]),
    option("--max-int-bits", ["64", "2000"]), option("--max-order", ["2", "5", "5", "0"]),
    option("--max-output", ["50", "20000"]), option("--max-nodes", ["1000", "100000"]),
    option("--max-seconds", ["2", "5", "5", "0", "-1"]), option("--max-memory", ["64", "256", "0"]),
    flag("--frobnicate"),
)
FORMULA = st.one_of(formulas(max_depth=3).map(lambda f: f[0]), token_soup(), mutated(),
                    st.sampled_from(SEEDS + ["f(x^2)", "f'(x)", "x^3", "sin(x)^2", "-x^2", "x/y"]))


@st.composite
def command_lines(draw):
    """(argv, stdin): a formula (or '-' and formulas on stdin) and random options, in any
    order; now and then the graph subcommand, --help or --version."""
    kind = draw(st.sampled_from(["formula", "formula", "formula", "stdin", "graph", "info"]))
    options = draw(st.lists(OPTIONS, max_size=5))
    argv = [arg for group in options for arg in group]
    stdin = ""
    position = sum(map(len, options[:draw(st.integers(0, len(options)))]))   # between options
    if kind == "graph":
        at = draw(st.sampled_from(["x=1", "x=2,y=5", "y=1", "x=0", "q"]))
        fmt = draw(st.sampled_from(["table", "dot", "bogus"]))
        return ["graph", draw(FORMULA), "--at", at, "--format", fmt], stdin
    if kind == "info":
        return [draw(st.sampled_from(["--help", "--version"]))] + argv, stdin
    if kind == "stdin":
        stdin = "\n".join(draw(st.lists(FORMULA, min_size=1, max_size=3)))
        formula = "-"
    else:
        formula = draw(FORMULA)
    return argv[:position] + [formula] + argv[position:], stdin


def exit_status(argv, stdin: str) -> tuple[int, str]:
    """The command line run in-process by ``symdiff.cli.run``, with what ``main`` makes of
    an exception it raises: SystemExit (--help) its code, a SymdiffError (usage errors
    included) 2.  Any other exception is a bug and propagates."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            status = run(argv, io.StringIO(stdin), out, err)
        except SystemExit as done:                      # --help, --version
            status = int(done.code or 0)
        except SymdiffError as error:
            print(f"symdiff: error: {error}", file=err)
            status = 2
    return status, err.getvalue()


@counted(at_least=1.0)
@CLI_FUZZ
@given(command_lines())
def test_command_line_exits_0_or_2_without_a_traceback(command):
    example()
    argv, stdin = command
    with no_hang(HANG):
        status, err = exit_status(argv, stdin)
    assert status in (0, 2), (argv, stdin, status, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    verdict()
