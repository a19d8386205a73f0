"""Hostile input: never run it, never hang on it, never crash on it, always point at the problem.

The table HOSTILE lists text that a careless or malicious user might type, with
what symdiff must make of it: either the formula it reads (printed) or the error
class, the column it points at and a fragment of the message.  The same table
(a subset) goes through the real command line in a subprocess.  Then: resource
limits, deep and long input (in subprocesses with a generous timeout that only
guards against a hang), Unicode, CLI behaviour and the numeric conventions.

Heavy cases (the 1 MB sum and product) run only with SYMDIFF_HEAVY=1; a 100 KB
version always runs.  Measurements live in bench/hostile.py, not here.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from typing import NamedTuple

import pytest

import symdiff
from symdiff import (DiffError, EvaluationError, LimitError, Limits, Num, ParseError, Symbol,
                     SymdiffError, UnknownFunctionError, diff, evaluate, parse, simplify,
                     substitute, to_text, use_limits)

HANG_GUARD = 120          # seconds; a hang guard only, never a timing assertion
HEAVY = os.environ.get("SYMDIFF_HEAVY") == "1"


class Err(NamedTuple):
    kind: type
    column: int
    fragment: str
    line: int = 1


# ------------------------------------------------------------------ the table

HOSTILE = [
    # text                                    expected: printed result, or Err(class, column, fragment)
    # --- code injection: nothing is ever evaluated, the first foreign character is named
    ("__import__('os').system('echo hi')",    Err(ParseError, 12, "unexpected character \"'\"")),
    ("x.__class__",                           Err(ParseError, 2, "unexpected character '.'")),
    ("eval('1')",                             Err(ParseError, 6, "unexpected character")),
    ("exec('x')",                             Err(ParseError, 6, "unexpected character")),
    ("(lambda: 1)()",                         Err(ParseError, 8, "unexpected character ':'")),
    ("lambda x: x",                           Err(ParseError, 9, "unexpected character ':'")),
    ("open('f').read()",                      Err(ParseError, 6, "unexpected character")),
    ("x; import os",                          Err(ParseError, 2, "unexpected character ';'")),
    ("'x'",                                   Err(ParseError, 1, "unexpected character")),
    ('"x"',                                   Err(ParseError, 1, "unexpected character")),
    ('f"x"',                                  Err(ParseError, 2, "unexpected character")),
    ("b'x'",                                  Err(ParseError, 2, "unexpected character")),
    ("x # y",                                 Err(ParseError, 3, "unexpected character '#'")),
    ("os.system",                             Err(ParseError, 3, "unexpected character '.'")),
    ("sys.exit(1)",                           Err(ParseError, 4, "unexpected character '.'")),
    ("getattr(x, 'y')",                       Err(ParseError, 12, "unexpected character")),
    # an undeclared name called is an unknown function, with a note (issue 17, item 2): a
    # name, never looked up in Python
    ("globals()",                             "globals()"),
    ("locals()",                              "locals()"),
    ("print(x)",                              "print(x)"),
    ("__import__(x)",                         "__import__(x)"),
    ("D[1](__import__)(x, x)",                "D[1](__import__)(x, x)"),
    ("__builtins__",                          "__builtins__"),          # just a variable name
    ("__import__",                            "__import__"),
    ("x[0]",                                  Err(ParseError, 2, "unexpected character '['")),
    ("[x]",                                   Err(ParseError, 1, "unexpected character '['")),
    ("{x}",                                   Err(ParseError, 1, "unexpected character '{'")),
    ("x@y",                                   Err(ParseError, 2, "unexpected character '@'")),
    ("`x`",                                   Err(ParseError, 1, "unexpected character '`'")),
    ("$x",                                    Err(ParseError, 1, "unexpected character '$'")),
    ("\\x",                                   Err(ParseError, 1, "unexpected character '\\'")),
    ("x:y",                                   Err(ParseError, 2, "unexpected character ':'")),
    # --- Python operators that are not formula operators
    ("x == y",                                Err(ParseError, 3, "'==' compares")),
    ("x = 1",                                 "1"),                     # y = ... is its right-hand side
    ("x = x",                                 Err(ParseError, 3, "x occurs on both sides")),
    ("x < y",                                 Err(ParseError, 3, "'<' makes an inequality")),
    ("x != y",                                Err(ParseError, 3, "'!=' makes an inequality")),
    ("x := 1",                                Err(ParseError, 3, "':=' assigns")),
    ("x % y",                                 Err(ParseError, 3, "unexpected character '%'")),
    ("x // y",                                Err(ParseError, 4, "unexpected '/'")),
    ("~x",                                    Err(ParseError, 1, "unexpected character '~'")),
    ("x & y",                                 Err(ParseError, 3, "unexpected character '&'")),
    ("x | y",                                 Err(ParseError, 3, "unexpected '|'")),
    ("x << 2",                                Err(ParseError, 3, "'<' makes an inequality")),
    ("x!",                                    Err(ParseError, 2, "unexpected character '!'")),
    ("x?",                                    Err(ParseError, 2, "unexpected character '?'")),
    ("x,y",                                   Err(ParseError, 2, "unexpected ','")),
    ("(x,y)",                                 Err(ParseError, 3, "unexpected ','")),
    ("x***2",                                 Err(ParseError, 4, "unexpected '*'")),
    ("***x",                                  Err(ParseError, 1, "unexpected '**'")),
    ("x^^2",                                  Err(ParseError, 3, "unexpected '^'")),
    # --- numbers spelled like a programming language
    ("0x1F",                                  Err(ParseError, 1, "'0x1F' is not a number here")),
    ("0b101",                                 Err(ParseError, 1, "is not a number here")),
    ("0o17",                                  Err(ParseError, 1, "is not a number here")),
    ("1_000",                                 Err(ParseError, 1, "is not a number here")),
    ("1.2.3",                                 Err(ParseError, 4, "unexpected '.3'")),
    ("12 345",                                Err(ParseError, 4, "unexpected '345'")),
    ("x 2",                                   Err(ParseError, 3, "unexpected '2'")),
    (".",                                     Err(ParseError, 1, "unexpected character '.'")),
    ("1e+",                                   Err(ParseError, 4, "unexpected end of input")),
    ("1e999999",                              Err(ParseError, 1, "too large for a float")),
    ("1e-999999",                             Err(ParseError, 1, "too small for a float")),
    ("1e308*10",                              Err(ParseError, 6, "overflows the float range")),
    ("1e308+1e308",                           Err(ParseError, 6, "overflows the float range")),
    # a float meeting an integer beyond the float range (float(2^5000) raises OverflowError)
    ("x + 0.5 + 2^5000",                      Err(ParseError, 3, "a sum overflows the float range")),
    ("(2^5000/3)*0.5*x",                      Err(ParseError, 11, "a product overflows the float range")),
    ("sin(2^5000*1.0)*x",                     Err(ParseError, 11, "a product overflows the float range")),
    ("1" * 5000 + "*x",                       Err(ParseError, 1, "the integer has 5,000 digits")),
    # --- names that are not numbers: inf and nan are variables, never floats
    ("inf",                                   "inf"),
    ("nan",                                   "nan"),
    ("infinity",                              "infinity"),
    # --- structure
    ("",                                      Err(ParseError, 1, "empty formula")),
    ("   ",                                   Err(ParseError, 1, "empty formula")),
    ("\n",                                    Err(ParseError, 1, "empty formula")),
    ("(",                                     Err(ParseError, 2, "'(' opened at column 1 is never closed")),
    ("(x",                                    Err(ParseError, 3, "'(' opened at column 1 is never closed")),
    ("sin(x",                                 Err(ParseError, 6, "'(' opened at column 4 is never closed")),
    (")",                                     Err(ParseError, 1, "unexpected ')'")),
    ("x)",                                    Err(ParseError, 2, "unexpected ')'")),
    (")(",                                    Err(ParseError, 1, "unexpected ')'")),
    ("()",                                    Err(ParseError, 2, "unexpected ')'")),
    ("(()",                                   Err(ParseError, 3, "unexpected ')'")),
    ("x^",                                    Err(ParseError, 3, "unexpected end of input")),
    ("^x",                                    Err(ParseError, 1, "unexpected '^'")),
    ("x+",                                    Err(ParseError, 3, "unexpected end of input")),
    ("*x",                                    Err(ParseError, 1, "unexpected '*'")),
    ("/x",                                    Err(ParseError, 1, "unexpected '/'")),
    ("x/",                                    Err(ParseError, 3, "unexpected end of input")),
    ("x\n+\n",                                Err(ParseError, 2, "unexpected end of input", line=2)),
    ("x +\n)",                                Err(ParseError, 1, "unexpected ')'", line=2)),
    ("sin",                                   Err(ParseError, 1, "'sin' is a function and needs an argument")),
    ("sin x",                                 Err(ParseError, 1, "'sin' is a function and needs an argument")),
    ("sin()",                                 Err(ParseError, 1, "sin takes 1 argument, got 0")),
    ("sin(x,y)",                              Err(ParseError, 1, "sin takes 1 argument, got 2")),
    ("log(x,y,z)",                            Err(ParseError, 1, "log takes 1 or 2 arguments, got 3")),
    ("sinx(x)",                               Err(UnknownFunctionError, 1, "unknown function 'sinx'")),
    ("f'(x)",                                 "f'(x)"),
    # --- unknown functions of several arguments and their partial derivatives D[i,...](f)
    ("f()",                                   "f()"),
    ("D[0](f)(x,y)",                          Err(ParseError, 1, "argument numbers go from 1 to 2")),
    ("D[3](f)(x,y)",                          Err(ParseError, 1, "argument numbers go from 1 to 2")),
    ("D[1](2)(x)",                            Err(ParseError, 1, "needs the name of an unknown function")),
    ("D[1](sin)(x,y)",                        Err(ParseError, 1, "'sin' is built in")),
    ("D[](f)(x,y)",                           Err(ParseError, 1, "needs argument numbers")),
    ("D[1,-2](f)(x,y)",                       Err(ParseError, 1, "needs argument numbers")),
    ("D[1](f)(x)",                            Err(ParseError, 1, "is for functions of several arguments")),
    ("D[1](f)",                               Err(ParseError, 2, "unexpected character '['")),
    ("f(x) + f(x,y)",                         Err(ParseError, 8, "f takes 1 argument, as first used at column 1")),
    ("f(x,y) + D[1](f)(x,y,x)",               Err(ParseError, 10, "f takes 2 arguments")),
    ("f(,)",                                  Err(ParseError, 3, "unexpected ','")),
    ("f'(x,y)",                               Err(ParseError, 1, "primes are for functions of one argument")),
    ("x(x+1)",                                Err(ParseError, 1, "x is used both as a variable and as a function")),
    ("sin'(x)",                               Err(ParseError, 1, "primes are for declared functions")),
    ("x'",                                    Err(ParseError, 2, "unexpected character")),
    # --- division by zero written in the text
    ("x/0",                                   Err(ParseError, 2, "division by zero")),
    ("0/0",                                   Err(ParseError, 2, "division by zero")),
    ("1/0",                                   Err(ParseError, 2, "division by zero")),
    ("x/(1-1)",                               Err(ParseError, 2, "division by zero")),
    ("0*(1/0)",                               Err(ParseError, 5, "division by zero")),
    ("x÷0",                                   Err(ParseError, 2, "division by zero")),
    ("0^-1",                                  Err(ParseError, 2, "division by zero: 0 to a negative power")),
    # --- signs and numbers that stay small or symbolic
    ("x++y",                                  "x + y"),
    ("x--y",                                  "x + y"),
    ("--x",                                   "x"),
    ("-" * 1001 + "x",                        "-x"),
    ("2 -3",                                  "-1"),
    ("-2^2",                                  "-4"),
    ("2^3^2",                                 "512"),
    ("0^0",                                   "1"),
    ("10^10^10",                              "10^10000000000"),
    ("9^9^9^9",                               "9^9^387420489"),
    ("2^(2^64)*x",                            "2^18446744073709551616*x"),
    ("(x+1)^1000000",                         "(x + 1)^1000000"),
    ("2^-100000",                             "1/2^100000"),
    # --- characters: control, invisible, bidi, surrogates, look-alikes
    ("x\x00",                                 Err(ParseError, 2, "U+0000")),
    ("\x00",                                  Err(ParseError, 1, "U+0000")),
    ("x\u200by",                              Err(ParseError, 2, "U+200B (ZERO WIDTH SPACE)")),
    ("x\u202ey",                              Err(ParseError, 2, "U+202E (RIGHT-TO-LEFT OVERRIDE)")),
    ("\ufeffx",                               Err(ParseError, 1, "U+FEFF")),
    ("\ud800",                                Err(ParseError, 1, "U+D800 (a lone surrogate)")),
    ("x+\udcff",                              Err(ParseError, 3, "U+DCFF (a lone surrogate)")),
    ("😀",                                    Err(ParseError, 1, "U+1F600 (GRINNING FACE)")),
    ("x😀",                                   Err(ParseError, 2, "U+1F600")),
    ("ｘ",                                    Err(ParseError, 1, "U+FF58 (FULLWIDTH LATIN SMALL LETTER X)")),
    ("ｘ+1",                                  Err(ParseError, 1, "U+FF58")),
    ("𝑥",                                     Err(ParseError, 1, "U+1D465")),
    ("x\u00a0y",                              Err(ParseError, 2, "U+00A0 (NO-BREAK SPACE)")),
    ("x\u3000y",                              Err(ParseError, 2, "U+3000")),
    ("x\u0301",                               Err(ParseError, 2, "U+0301 (COMBINING ACUTE ACCENT)")),
    ("café",                                  Err(ParseError, 4, "U+00E9")),
    ("x\x1b[31m",                             Err(ParseError, 2, "U+001B")),
    ("x\x7f",                                 Err(ParseError, 2, "U+007F")),
    ("µ",                                     Err(ParseError, 1, "U+00B5 (MICRO SIGN)")),
    ("ℯ",                                     Err(ParseError, 1, "U+212F")),
    ("∞",                                     Err(ParseError, 1, "U+221E (INFINITY)")),
    ("½",                                     Err(ParseError, 1, "U+00BD")),
    ("²",                                     Err(ParseError, 1, "unexpected '²'")),
    ("√",                                     Err(ParseError, 2, "unexpected end of input")),
    ("x××y",                                  Err(ParseError, 3, "unexpected '×'")),
    # --- documented readings of mathematical characters
    ("x−y",                                   "x - y"),          # U+2212 MINUS SIGN
    ("−x",                                    "-x"),
    ("x×y",                                   "x*y"),            # U+00D7
    ("x·y",                                   "x*y"),            # U+00B7
    ("x⋅y",                                   "x*y"),            # U+22C5
    ("x÷y",                                   "x/y"),            # U+00F7
    ("x²",                                    "x^2"),
    ("x³⁴",                                   "x^34"),
    ("√x",                                    "sqrt(x)"),
    # --- the imaginary unit (issue 17 item 4): a constant, never a function
    ("I(x)",                                  Err(ParseError, 1, "I is the imaginary unit, not a function")),
    ("i(x)",                                  Err(ParseError, 1, "i is the imaginary unit, not a function")),
    ("2i3",                                   "2*i3"),
    ("2i + x",                                "2*I + x"),
    ("3 + 4i",                                "3 + 4*I"),
    # --- notations from textbooks and calculators
    ("sin^2(x)",                              "sin(x)^2"),
    ("sin²(x)",                               "sin(x)^2"),
    ("sin^-1(x)",                             Err(ParseError, 5, "is not read")),
    ("sin⁻¹(x)",                              Err(ParseError, 4, "is not read")),
    ("sin^x(x)",                              Err(ParseError, 5, "only a power of 1, 2, 3")),
    ("y = x^2",                               "x^2"),
    ("x^2 + y^2 = 1",                         Err(ParseError, 11, "not differentiated directly")),
    ("y = 1 = 2",                             Err(ParseError, 7, "a second '='")),
    ("Sin(x)",                                Err(UnknownFunctionError, 1, "unknown function 'Sin'")),
    ("tg(x)",                                 "tan(x)"),
    ("x⁻¹",                                   "1/x"),
    ("√(x+1)",                                "sqrt(x + 1)"),
    ("θ^2",                                   "theta^2"),
    ("π",                                     "pi"),
    # --- functions with cases: bars, piecewise forms, conditions (tests/test_piecewise.py)
    ("|x",                                    Err(ParseError, 3, "'|' at column 1 is never closed")),
    ("|x|y|",                                 Err(ParseError, 5, "unexpected '|'")),
    ("2|x|",                                  Err(ParseError, 2, "unexpected '|'")),
    ("|x||y|",                                Err(ParseError, 4, "unexpected '|'")),
    ("||",                                    Err(ParseError, 3, "unexpected end of input")),
    ("||x| - 1|",                             "abs(abs(x) - 1)"),
    ("Piecewise(())",                         Err(ParseError, 12, "unexpected ')'")),
    ("Piecewise()",                           Err(ParseError, 11, "unexpected ')'")),
    ("Piecewise((x, x < 0)",                  Err(ParseError, 21, "'(' opened at column 10 is never closed")),
    ("Piecewise((x < 0, x))",                 Err(ParseError, 14, "unexpected '<'")),
    ("Piecewise((x, y))",                     Err(ParseError, 16, "unexpected ')'")),
    ("Piecewise((1, 2 < 1))",                 Err(ParseError, 1, "defined nowhere")),
    ("Piecewise((1, x := 2))",                Err(ParseError, 17, "':=' does not compare")),
    ("Piecewise((1, and x < 0))",             Err(ParseError, 15, "'and' stands where a value belongs")),
    ("Piecewise((1, x < 0 and))",             Err(ParseError, 24, "unexpected ')'")),
    ("Piecewise((1, x < 0 or or y > 1))",     Err(ParseError, 24, "'or' stands where a value belongs")),
    ("Piecewise((1, not))",                   Err(ParseError, 18, "unexpected ')'")),
    ("if(x, 1)",                              Err(ParseError, 5, "unexpected ','")),
    ("if(x > 0, 1)",                          Err(ParseError, 12, "unexpected ')'")),
    ("if(x > 0, x < 1, 2)",                   Err(ParseError, 13, "unexpected '<'")),
    ("if(x > 0, 1, 2, 3)",                    Err(ParseError, 15, "unexpected ','")),
    ("Lt(x, 1)",                              Err(ParseError, 1, "conditions are written with <")),
    ("x < y < z",                             Err(ParseError, 3, "'<' makes an inequality")),
    ("x and y",                               Err(ParseError, 3, "unexpected 'and'")),
    ("x < 1 or x > 2",                        Err(ParseError, 3, "'<' makes an inequality")),
    ("Piecewise((1, x < y < z))",             "Piecewise((1, x < y and y < z))"),
    ("if(x ≥ 0, x, -x)",                      "Piecewise((x, x >= 0), (-x, True))"),
    ("Piecewise((__import__, x < 0))",        "Piecewise((__import__, x < 0))"),
]


def _check(text: str, expected) -> None:
    if isinstance(expected, Err):
        with pytest.raises(expected.kind) as caught:
            parse(text)
        error = caught.value
        assert expected.fragment in error.message, error.message
        assert (error.line, error.column) == (expected.line, expected.column), str(error)
        assert isinstance(error, SymdiffError)
        assert "^" in str(error).splitlines()[2]              # the caret line
    else:
        assert to_text(parse(text)) == expected


def test_the_table_is_large():
    assert len(HOSTILE) >= 100
    assert len({text for text, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("text, expected", HOSTILE, ids=[repr(t)[:40] for t, _ in HOSTILE])
def test_hostile_input_through_the_api(text, expected):
    _check(text, expected)


@pytest.mark.parametrize("text, expected", HOSTILE, ids=[repr(t)[:40] for t, _ in HOSTILE])
def test_hostile_input_differentiates_or_fails_the_same_way(text, expected):
    """diff() fails exactly as parse() does, and differentiates whatever parses."""
    if isinstance(expected, Err):
        with pytest.raises(expected.kind) as caught:
            diff(text, "x")
        assert (caught.value.line, caught.value.column) == (expected.line, expected.column)
    else:
        assert isinstance(diff(text, "x"), symdiff.Expr)


# ------------------------------------------------------------------ no side effects

INJECTIONS = [
    "__import__('os').system('touch {marker}')",
    "__import__(\"os\").system(\"touch {marker}\")",
    "open('{marker}','w').write('x')",
    "exec(\"open('{marker}','w')\")",
    "x; __import__('os').system('touch {marker}')",
    "eval('__import__(\"pathlib\").Path(\"{marker}\").touch()')",
]


@pytest.mark.parametrize("template", INJECTIONS)
def test_injection_has_no_side_effect_in_the_api(template, tmp_path):
    marker = tmp_path / "marker"
    text = template.format(marker=marker)
    for attempt in (lambda: parse(text), lambda: diff(text, "x"), lambda: evaluate(text)):
        with pytest.raises(ParseError) as caught:
            attempt()
        assert caught.value.line == 1 and caught.value.column >= 1
    assert not marker.exists()


@pytest.mark.parametrize("template", INJECTIONS)
def test_injection_has_no_side_effect_on_the_command_line(template, tmp_path):
    marker = tmp_path / "marker"
    text = template.format(marker=marker)
    for argv in ([text, "--wrt", "x"], ["x", "--at", "x=" + text.replace(",", " ")]):
        done = _symdiff(*argv)
        assert done.returncode == 2, done.stderr
    done = _symdiff("-", "--wrt", "x", stdin=text + "\n")
    assert done.returncode == 2
    assert not marker.exists()


# ------------------------------------------------------------------ the CLI, in a subprocess

def _symdiff(*argv, stdin=None, env=None, timeout=HANG_GUARD):
    return subprocess.run([sys.executable, "-m", "symdiff", *argv], input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, encoding="utf-8", errors="replace")


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "internal error" not in stderr


CLI_SUBSET = [(t, e) for t, e in HOSTILE if isinstance(e, Err) and "\x00" not in t][::5]


def test_the_cli_subset_is_representative():
    assert len(CLI_SUBSET) >= 20


@pytest.mark.parametrize("text, expected", CLI_SUBSET, ids=[repr(t)[:40] for t, _ in CLI_SUBSET])
def test_hostile_input_on_the_command_line(text, expected):
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text) or "\n" in text or not text.strip():
        # through stdin: lone surrogates cannot be argv, a newline would split the formula
        data = text.replace("\n", " ").encode("utf-8", "surrogatepass") + b"\n"
        raw = subprocess.run([sys.executable, "-m", "symdiff", "-", "--wrt", "x"], input=data,
                             capture_output=True, timeout=HANG_GUARD)
        done = subprocess.CompletedProcess(raw.args, raw.returncode, raw.stdout.decode(),
                                           raw.stderr.decode("utf-8", "replace"))
        if not text.strip():                   # a blank stdin line prints an empty result
            assert done.returncode == 0 and done.stdout == "\n"
            return
    else:
        done = _symdiff("--wrt", "x", "--", text)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "symdiff: error:" in done.stderr
    assert "^" in done.stderr
    _no_traceback(done.stderr)


def test_nul_in_the_stdin_stream_is_pointed_at():
    done = _symdiff("-", "--wrt", "x", stdin="x\x00+1\nx^2\n")
    assert done.returncode == 2
    assert "stdin line 1" in done.stderr and "U+0000" in done.stderr and "^" in done.stderr
    assert done.stdout.splitlines() == ["", "2*x"]
    _no_traceback(done.stderr)


# ------------------------------------------------------------------ resource limits

def test_limits_defaults_are_positive_and_documented_options_exist():
    defaults = Limits()
    for name in ("max_input_length", "max_depth", "max_int_bits", "max_order", "max_output_nodes"):
        assert getattr(defaults, name) >= 1
    help_text = _symdiff("--help").stdout
    for option in ("--max-length", "--max-depth", "--max-int-bits", "--max-order", "--max-output"):
        assert option in help_text


@pytest.mark.parametrize("call, fragment", [
    (lambda: parse("x+" * 10 + "x", limits=Limits(max_input_length=5)), "more than the limit of 5"),
    (lambda: diff("x+" * 10 + "x", "x", limits=Limits(max_input_length=5)), "more than the limit of 5"),
    (lambda: parse("((((x))))", limits=Limits(max_depth=3)), "nests brackets 4 deep"),
    (lambda: diff("sin(x)", "x", 5, limits=Limits(max_order=4)), "beyond order 4"),
    (lambda: diff("sin(x)^30", "x", 3, limits=Limits(max_output_nodes=10)), "distinct nodes"),
], ids=["length-parse", "length-diff", "depth", "order", "output"])
def test_exceeding_a_limit_is_a_limit_error(call, fragment):
    with pytest.raises(LimitError, match=fragment):
        call()


def test_integer_limit_is_a_positioned_parse_error():
    with pytest.raises(ParseError, match="digits, more than the limit of 100 bits") as caught:
        parse("x + " + "9" * 40, limits=Limits(max_int_bits=100))
    assert caught.value.column == 5


def test_use_limits_applies_to_parse_and_diff():
    with use_limits(Limits(max_order=2)):
        assert to_text(diff("x^5", "x", 2)) == "20*x^3"
        with pytest.raises(LimitError):
            diff("x^5", "x", 3)
    assert to_text(diff("x^5", "x", 3)) == "60*x^2"


def test_limit_order_is_checked_lazily():
    assert diff("x^3", "x", 10 ** 8) == Num(0)


def test_huge_powers_stay_symbolic():
    assert to_text(diff("10^10^10*x", "x")) == "10^10000000000"
    assert to_text(diff("2^(2^64)*x", "x")) == "2^18446744073709551616"
    assert to_text(diff("(x+1)^1000000", "x")) == "1000000*(x + 1)^999999"
    assert to_text(parse("2^100", limits=Limits(max_int_bits=10))) == "2^100"


def test_a_float_power_with_a_huge_integer_exponent_stays_symbolic():
    assert str(diff("(-2.0)^(2^5000) * x", "x")).startswith("(-2.0)^14124670321394260368")
    with pytest.raises(EvaluationError, match="a product overflows the float range"):
        diff("x^(2^5000) * 0.5", "x")


def test_huge_power_is_an_error_when_evaluated_not_an_inf():
    with pytest.raises(EvaluationError, match="overflows"):
        evaluate("10^10^10")
    with pytest.raises(EvaluationError, match="overflows"):
        evaluate("2^(2^64)*x", x=1)


@pytest.mark.parametrize("argv, fragment", [
    (["x+x+x", "--max-length", "3"], "more than the limit of 3"),
    (["((x))", "--max-depth", "1"], "more than the limit of 1"),
    (["123456789012345678901234567890*x", "--max-int-bits", "10"], "more than the limit of 10 bits"),
    (["sin(x)", "--order", "20000"], "beyond order 10,000"),
    (["sin(x)", "--order", "5", "--max-order", "4"], "beyond order 4"),
    (["sin(x)^20", "--order", "5", "--max-output", "10"], "more than the limit of 10"),
    (["1e999999"], "too large for a float"),
    (["x^(2^5000) * 0.5"], "a product overflows the float range"),
], ids=["length", "depth", "int-bits", "order-default", "order", "output", "1e999999",
        "float-overflow-in-diff"])
def test_limits_on_the_command_line_exit_2(argv, fragment):
    done = _symdiff(*argv)
    assert done.returncode == 2
    assert fragment in done.stderr
    _no_traceback(done.stderr)


@pytest.mark.parametrize("option", ["--max-length", "--max-depth", "--max-int-bits", "--max-order",
                                    "--max-output"])
def test_non_positive_limit_option_is_a_usage_error(option):
    done = _symdiff("x", option, "0")
    assert done.returncode == 2 and "must be positive" in done.stderr
    _no_traceback(done.stderr)


def test_too_large_int_bits_option_is_a_usage_error():
    done = _symdiff("x", "--max-int-bits", "20000")
    assert done.returncode == 2 and "at most 14,000" in done.stderr
    with pytest.raises(ValueError, match="at most 14,000"):
        Limits(max_int_bits=20_000)


# ------------------------------------------------------------------ deep and long input

def _run_python(code: str, timeout=HANG_GUARD) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter: a crash (RecursionError, segfault) cannot take pytest down."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout)


DEEP = {
    # name:            (expression building the text,                                   the derivative)
    "parens-100000":   ("'(' * 100_000 + 'x' + ')' * 100_000",                          "1"),
    "minus-100000":    ("'-' * 100_000 + 'x'",                                          "1"),
    "minus-100001":    ("'-' * 100_001 + 'x'",                                          "-1"),
    "tower-2000":      ("'^'.join(['x'] * 2_000)",                                      None),
    "sin-10000":       ("'sin(' * 10_000 + 'x' + ')' * 10_000",                         None),
    "sum-100KB":       ("'+'.join(f'x^{i % 97}*{i}' for i in range(1, 9_000))",        None),
    "product-100KB":   ("'*'.join(f'(x+{i})' for i in range(1, 13_000))",              None),
}
HEAVY_CASES = {
    "sum-1MB":         ("'+'.join(f'x^{i % 97}*{i}' for i in range(1, 93_000))",       None),
    "product-1MB":     ("'*'.join(f'(x+{i})' for i in range(1, 130_000))",             None),
}


def _deep_case(build: str, derivative: str | None, timeout=HANG_GUARD):
    # Printing goes through the CLI's own path: shared subexpressions are named once
    # (written out, the derivative of a 10 000-sin chain has 50 million nodes).
    done = _run_python(f"""
        import sys, io
        from symdiff import parse, diff, to_text, dag_size
        from symdiff.printing import cse
        text = {build}
        expr = parse(text)
        d = diff(expr, "x")
        bindings, result = cse(d)
        printed = to_text(result)
        for name, body in bindings:
            to_text(body)
        print(len(text), dag_size(d), len(bindings))
        print(printed if len(printed) < 200 else "long")
    """, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "RecursionError" not in done.stderr
    size, nodes, bound = done.stdout.split("\n")[0].split()
    if derivative is not None:
        assert done.stdout.split("\n")[1] == derivative
    return int(size), int(nodes)


@pytest.mark.parametrize("name", DEEP)
def test_deep_and_long_input(name):
    size, nodes = _deep_case(*DEEP[name])
    assert size >= 3_999 and nodes >= 1


def test_tower_of_10000_parses_differentiates_and_prints_its_parts():
    """Full size; printing with named subexpressions is tested below within a gigabyte."""
    done = _run_python("""
        from symdiff import parse, diff, to_text, dag_size
        expr = parse("^".join(["x"] * 10_000))
        d = diff(expr, "x")
        print(len(to_text(expr)), dag_size(d))
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["19999", "49997"]


@pytest.mark.skipif(not HEAVY, reason="1 MB inputs: set SYMDIFF_HEAVY=1")
@pytest.mark.parametrize("name", HEAVY_CASES)
def test_megabyte_input(name):
    size, nodes = _deep_case(*HEAVY_CASES[name], timeout=5 * HANG_GUARD)   # about 2 minutes
    assert size >= 1_000_000


def test_deep_input_through_the_cli_on_stdin():
    text = "(" * 100_000 + "sin(x)" + ")" * 100_000
    done = _symdiff("-", "--wrt", "x", stdin=text + "\n" + "-" * 100_000 + "x^2\n")
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.splitlines() == ["cos(x)", "2*x"]


def test_sin_chain_prints_with_named_subexpressions_on_the_cli():
    text = "sin(" * 2_000 + "x" + ")" * 2_000
    done = _symdiff("-", "--wrt", "x", stdin=text + "\n")
    assert done.returncode == 0, done.stderr[-500:]
    assert "u1 = " in done.stdout
    _no_traceback(done.stderr)


def test_depth_beyond_the_limit_is_refused_quickly_not_parsed():
    text = "(" * 300_000 + "x" + ")" * 300_000
    with pytest.raises(LimitError, match="300,000 deep"):
        parse(text)


def test_length_beyond_the_limit_is_refused():
    with pytest.raises(LimitError, match="more than the limit of 2,000,000"):
        parse("x" * 2_000_001)


def test_tower_prints_on_the_cli_within_a_gigabyte():
    code = """
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        sys.argv = ["symdiff", "-", "--wrt", "x"]
        from symdiff.cli import main
        sys.exit(main())
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                          input="^".join(["x"] * 10_000) + "\n", capture_output=True, text=True,
                          timeout=HANG_GUARD)
    assert done.returncode == 0, done.stderr[-500:]


# ------------------------------------------------------------------ characters

@pytest.mark.parametrize("text, same_as", [
    ("x−y",   "x-y"),
    ("x×y",   "x*y"),
    ("x÷y",   "x/y"),
    ("x²",    "x^2"),
    ("x²+y³", "x^2+y^3"),
    ("√x",    "sqrt(x)"),
    ("2√x",   "2*sqrt(x)"),
    ("θ",     "theta"),
])
def test_documented_unicode_readings(text, same_as):
    assert parse(text) is parse(same_as)


@pytest.mark.parametrize("char", ["\x00", "\u200b", "\u200d", "\u202e", "\u2066", "\ud800",
                                  "\udfff", "😀", "ｘ", "\u00a0", "\ufeff", "\u2028", "\u0085"])
def test_rejected_characters_name_their_code_point(char):
    text = "x + " + char + "y"
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert f"U+{ord(char):04X}" in caught.value.message
    assert caught.value.column == 5


def test_fullwidth_letter_is_never_silently_a_different_symbol():
    with pytest.raises(ParseError, match=r"U\+FF58"):
        diff("ｘ^2", "x")


def test_ascii_terminal_gets_escapes_not_a_crash():
    done = _symdiff("θ^2 + ｘ", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 2
    assert "\\uff58" in done.stderr and "U+FF58" in done.stderr
    _no_traceback(done.stderr)
    # the caret stays under the escaped character
    lines = done.stderr.splitlines()
    quoted = next(line for line in lines if "\\uff58" in line)
    caret = lines[lines.index(quoted) + 1]
    assert caret.index("^") == quoted.index("\\uff58")


def test_ascii_terminal_prints_results():
    done = _symdiff("θ^2", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0 and done.stdout.strip() == "2*theta"


# ------------------------------------------------------------------ the command line

def test_formula_with_a_leading_minus():
    assert _symdiff("-x^2", "--wrt", "x").stdout.strip() == "-2*x"
    assert _symdiff("--wrt", "x", "-sin(x)").stdout.strip() == "-cos(x)"
    assert _symdiff("--", "-x^3").stdout.strip() == "-3*x^2"


def test_pipe_closed_early_is_quiet():
    code = """
        import subprocess, sys
        p = subprocess.Popen([sys.executable, "-m", "symdiff", "-", "--wrt", "x"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(b"sin(x)^3\\n"); p.stdin.flush()
        p.stdout.readline(); p.stdout.close()          # like `| head -1`
        try:
            p.stdin.write(b"sin(x)^3\\n" * 20_000); p.stdin.close()
        except BrokenPipeError:
            pass
        sys.stderr.write(p.stderr.read().decode()); sys.exit(p.wait())
    """
    done = _run_python(code)
    assert done.returncode == 0
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_head_in_a_real_shell_pipeline():
    done = subprocess.run(f"yes 'x^2' | head -3000 | {sys.executable} -m symdiff - --wrt x | head -1",
                          shell=True, capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.stdout == "2*x\n"
    assert "Traceback" not in done.stderr


def _interrupt(argv, stdin=None, wait=3.0):
    # As from a terminal: SIGINT at its default, even if this test runner ignores it.
    p = subprocess.Popen([sys.executable, "-m", "symdiff", *argv], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    if stdin is not None:
        p.stdin.write(stdin)
        p.stdin.flush()
        assert p.stdout.readline()          # the first result: the process is up and running
    time.sleep(wait)
    assert p.poll() is None, "the command finished before it could be interrupted"
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=HANG_GUARD)
    finally:
        p.kill()
    return p.returncode, err


def test_ctrl_c_during_a_long_computation_exits_130():
    status, err = _interrupt(["x^x", "--order", "10000", "--max-order", "10000", "--no-cse"])
    assert status == 130
    assert "interrupted" in err and "Traceback" not in err


def test_ctrl_c_while_reading_a_stream_exits_130():
    status, err = _interrupt(["-", "--wrt", "x"], stdin="x^2\n", wait=0.5)
    assert status == 130
    assert "interrupted" in err and "Traceback" not in err


@pytest.mark.parametrize("at, fragment", [
    ("x",              "--at expects name=value pairs"),
    ("=2",             "--at expects name=value pairs"),
    ("x=",             "empty formula"),
    ("x=2,x=3",        "--at gives x twice"),
    ("x=abc",          "must be a number"),
    ("x=nan",          "must be a number"),
    ("x=1/0",          "division by zero"),
    ("x=1e999",        "too large for a float"),
    ("x=__import__(1)", "must be a number"),
    ("x=2;y=3",        "unexpected character ';'"),
])
def test_malformed_at_values(at, fragment):
    done = _symdiff("sin(x)", "--at", at)
    assert done.returncode == 2
    assert fragment in done.stderr
    _no_traceback(done.stderr)


def test_at_a_point_outside_the_domain():
    done = _symdiff("log(x)", "--at", "x=-1")
    assert done.returncode == 2 and "log(-1) is undefined" in done.stderr


def test_unknown_wrt_prints_zero_and_warns():
    done = _symdiff("sin(x)", "--wrt", "q")
    assert done.returncode == 0
    assert done.stdout.strip() == "0"
    assert "warning: q does not occur in the formula" in done.stderr


@pytest.mark.parametrize("wrt", ["", "x y", "1x", "x.y", "x;y"])
def test_malformed_wrt(wrt):
    done = _symdiff("sin(x)", "--wrt", wrt)
    assert done.returncode == 2 and "--wrt expects variable names" in done.stderr


def test_conflicting_options():
    done = _symdiff("sin(x)", "--cse", "--no-cse")
    assert done.returncode == 2 and "not allowed with" in done.stderr
    _no_traceback(done.stderr)


def test_missing_wrt_with_several_variables_lists_them():
    done = _symdiff("x*y + z")
    assert done.returncode == 2
    assert "several variables (x, y, z)" in done.stderr


@pytest.mark.parametrize("argv, fragment", [
    (["sin(x)", "--order", "-1"],   "--order must be 0 or more"),
    (["sin(x)", "--order", "abc"],  "expects a whole number, or a letter such as n"),
    (["sin(x)", "--frobnicate"],    "unknown option --frobnicate"),
    ([],                            "no formula given"),
    (["f(x)", "--func", "sin"],     "built in"),
    (["f(x)", "--func", "f;g"],     "not a name"),
])
def test_usage_errors(argv, fragment):
    done = _symdiff(*argv)
    assert done.returncode == 2 and fragment in done.stderr
    _no_traceback(done.stderr)


# ------------------------------------------------------------------ math edge cases

x, y = Symbol("x"), Symbol("y")


def test_built_division_by_zero_stays_unsimplified_and_fails_to_evaluate():
    e = substitute(parse("x/y"), {y: Num(0)})
    assert to_text(e) == "x/0"
    assert simplify(e) is e
    assert to_text(simplify(e * 0)) != "0"          # 0 * (x/0) is not 0
    with pytest.raises(EvaluationError, match="division by zero"):
        evaluate(e, x=1)


def test_zero_over_zero_never_folds():
    e = substitute(parse("x/y"), {x: Num(0), y: Num(0)})
    assert to_text(e) == "0/0" and to_text(simplify(e)) == "0/0"
    with pytest.raises(EvaluationError, match="division by zero"):
        evaluate(e)


@pytest.mark.parametrize("text, simplified", [
    ("x/x",           "1"),
    ("x - x",         "0"),
    ("sin(x)/sin(x)", "1"),
    ("0^0",           "1"),
    ("x^0",           "1"),
])
def test_simplifier_conventions(text, simplified):
    assert to_text(simplify(parse(text))) == simplified


@pytest.mark.parametrize("text, point, expected", [
    ("0^0",        {},              1.0),
    ("x^y",        {"x": 0, "y": 0}, 1.0),
    ("acot(0)",    {},              math.pi / 2),
    ("acot(x)",    {"x": 0},        math.pi / 2),
    ("sign(x)",    {"x": 0},        0.0),
    ("abs(x)",     {"x": 0},        0.0),
    ("sign(x)",    {"x": -2},       -1.0),
    ("exp(x)",     {"x": -math.inf}, 0.0),
    ("x + 1",      {"x": math.inf}, math.inf),
    ("atan(x)",    {"x": math.inf}, math.pi / 2),
    ("log(x)",     {"x": math.inf}, math.inf),
])
def test_evaluation_conventions(text, point, expected):
    assert evaluate(text, point) == expected


@pytest.mark.parametrize("text, point, fragment", [
    ("log(x)",     {"x": 0},     "log(0) is undefined"),
    ("log(x)",     {"x": -1},    "log(-1) is undefined"),
    ("log(x, 2)",  {"x": 0},     "log(0, 2) is undefined"),
    ("log(2, x)",  {"x": 1},     "log(2, 1) is undefined"),
    ("log2(x)",    {"x": -1},    "log2(-1) is undefined"),
    ("sqrt(x)",    {"x": -1},    "sqrt(-1) is undefined"),
    ("asin(x)",    {"x": 2},     "asin(2) is undefined"),
    ("acos(x)",    {"x": -1.5},  "acos(-1.5) is undefined"),
    ("atanh(x)",   {"x": 1},     "atanh(1) is undefined"),
    ("x^y",        {"x": -8, "y": 1 / 3}, "is not a real number"),
    ("1/x",        {"x": 0},     "division by zero"),
    ("x^(-2)",     {"x": 0.0},   "division by zero"),
    ("cot(x)",     {"x": 0},     "cot(0) is undefined"),
    ("exp(x)",     {"x": 1000},  "exp(1000) overflows"),
    ("x*x",        {"x": 1e200}, "overflows the float range"),
    ("x + x",      {"x": 1e308}, "overflows the float range"),
    ("sin(x)",     {"x": math.inf}, "sin(inf) is undefined"),
])
def test_evaluation_errors_name_the_operation(text, point, fragment):
    with pytest.raises(EvaluationError, match=fragment.replace("(", r"\(").replace(")", r"\)")
                       .replace("^", r"\^").replace("+", r"\+").replace("*", r"\*")):
        evaluate(text, point)


def test_one_over_zero_is_never_a_zero_division_error():
    for attempt in (lambda: parse("1/0"), lambda: evaluate("1/x", x=0), lambda: evaluate("x^-1", x=0.0),
                    lambda: symdiff.compile_function("1/x")(0.0)):
        with pytest.raises(SymdiffError):
            attempt()


@pytest.mark.parametrize("text", ["x + 1", "sin(x)", "log(x)", "sqrt(x)", "x^2", "exp(x)",
                                  "asin(x)", "abs(x)", "log(x, 2)", "x*y"])
def test_nan_propagates(text):
    assert math.isnan(evaluate(text, x=math.nan, y=1.0))


def test_nan_to_the_zero_is_one():
    """IEEE 754 pow(NaN, 0) = 1, the same convention as 0^0 = 1."""
    assert evaluate("x^y", x=math.nan, y=0) == 1.0


def test_nan_and_infinity_are_not_numbers_in_formulas():
    with pytest.raises(EvaluationError, match="not a finite number"):
        Num(math.nan)
    with pytest.raises(EvaluationError, match="not a finite number"):
        Num(math.inf)
    assert parse("nan").free == {"nan"}            # a variable, not a float


def test_abs_derivative_is_sign_with_sign_0_equal_0():
    assert to_text(diff("abs(x)", "x")) == "sign(x)"
    assert to_text(diff("sign(x)", "x")) == "0"
    assert evaluate(diff("abs(x)", "x"), x=0) == 0.0
    assert evaluate(diff("abs(x)", "x"), x=-3) == -1.0


def test_derivative_of_log_at_zero_is_an_error_not_inf():
    with pytest.raises(EvaluationError):
        evaluate(diff("log(x)", "x"), x=0)
    with pytest.raises(EvaluationError):
        evaluate(diff("sqrt(x)", "x"), x=0)


def test_underflow_in_the_text():
    with pytest.raises(ParseError, match="too small"):
        parse("1e-400")
    assert evaluate("1e-300 * 1e-300") == 0.0        # underflow of a computed value rounds to 0


def test_order_zero_and_bad_variables():
    assert to_text(diff("sin(x)", "x", 0)) == "sin(x)"
    with pytest.raises(DiffError):
        diff("sin(x)", "x", -1)
    with pytest.raises(DiffError):
        diff("sin(x)", "1x")
    with pytest.raises(DiffError, match="several variables"):
        diff("x*y")


@pytest.mark.parametrize("char", ["\u00a0", "\u3000", "\u2028"])
def test_unicode_space_alone_names_its_code_point(char):
    with pytest.raises(ParseError, match=f"U\\+{ord(char):04X}"):
        parse(char)
