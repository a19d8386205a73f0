"""Tests for symdiff.cli: the ``symdiff`` command.

Most cases run in-process through ``symdiff.cli.main`` (fast); a representative subset runs
``python -m symdiff`` as a real subprocess to check exit codes, stderr and pipes.
Printed derivatives are compared by value (parsed back and evaluated at random points) as
well as by text, so a change of printing style alone does not hide a wrong result.
"""

import errno
import io
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

import mpmath
import pytest

import symdiff
from symdiff import evaluate, parse
from symdiff.cli import main

NO_TRACEBACK = ("Traceback", "BrokenPipeError")


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch):
    monkeypatch.delenv("SYMDIFF_DEBUG", raising=False)


def run(capsys, *argv, stdin=None, monkeypatch=None):
    """main(argv) in-process: (exit status, stdout, stderr)."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def subprocess_run(*argv, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "symdiff", *argv], input=stdin,
                          capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})})


def same_value(printed: str, expected: str, variables=("x", "y"), functions=(), seed=0) -> bool:
    """Both formulas agree at a few random points (positive, to stay in every domain)."""
    rng = random.Random(seed)
    a, b = parse(printed, functions=functions), parse(expected, functions=functions)
    for _ in range(5):
        point = {v: rng.uniform(0.5, 3.0) for v in variables}
        if not math.isclose(evaluate(a, point), evaluate(b, point), rel_tol=1e-9, abs_tol=1e-12):
            return False
    return True


# ------------------------------------------------------------------ results

FORMULA = "log(x)+x*y-sin(y)"

DERIVATIVES = [
    # argv                                    expected (by value)       exact text today
    ((FORMULA, "--wrt", "x"),                 "y + 1/x",                "y + 1/x"),
    ((FORMULA, "--wrt", "y"),                 "x - cos(y)",             "x - cos(y)"),
    (("x^3",),                                "3*x^2",                  "3*x^2"),
    (("sin(x)^2", "--order", "3"),            "-4*sin(2*x)",            None),
    (("x^4", "--order", "2"),                 "12*x^2",                 "12*x^2"),
    (("x^2*y", "--wrt", "x", "--order", "0"), "x^2*y",                  None),
    (("-x^2", "--wrt", "x"),                  "-2*x",                   "-2*x"),
    (("--wrt", "x", "--", "-x^2"),            "-2*x",                   "-2*x"),
    (("-x^2",),                               "-2*x",                   "-2*x"),
    (("--wrt=x", "-sin(x)"),                  "-cos(x)",                "-cos(x)"),
    (("θ^2",),                                "2*theta",                "2*theta"),
    (("exp(2x)", "--no-simplify"),            "2*exp(2*x)",             None),
]


@pytest.mark.parametrize("argv, expected, text", DERIVATIVES, ids=[" ".join(a) for a, _, _ in DERIVATIVES])
def test_derivative(capsys, argv, expected, text):
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    printed = out.rstrip("\n")
    assert "\n" not in printed
    assert same_value(printed, expected, variables=("x", "y", "theta"))
    if text is not None:
        assert printed == text


def test_gradient_at_a_point(capsys):
    status, out, err = run(capsys, FORMULA, "--wrt", "x,y", "--at", "x=2,y=5")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 2
    rows = [line.split(" = ") for line in lines]
    assert [r[0] for r in rows] == ["d/dx", "d/dy"]
    assert same_value(rows[0][1], "y + 1/x") and same_value(rows[1][1], "x - cos(y)")
    assert lines == ["d/dx = y + 1/x = 11/2 = 5.5", "d/dy = x - cos(y) = 2 - cos(5) ≈ 1.7163378145367738"]
    assert math.isclose(float(lines[1].split()[-1]), 2 - math.cos(5), rel_tol=1e-12)   # the float: last


def test_at_accepts_constant_formulas(capsys):
    status, out, _ = run(capsys, "sin(x)", "--at", "x=pi/3")
    assert status == 0
    derivative, exact, value = out.strip().split(" = ")
    assert (derivative, exact, value) == ("cos(x)", "1/2", "0.5")


def test_higher_order_label(capsys):
    status, out, _ = run(capsys, "x^3*y", "--wrt", "x,y", "--order", "2")
    assert status == 0
    labels = [line.split(" = ")[0] for line in out.splitlines()]
    assert labels == ["d^2/dx^2", "d^2/dy^2"]
    assert same_value(out.splitlines()[0].split(" = ")[1], "6*x*y")
    assert out.splitlines()[1].split(" = ")[1] == "0"


def test_no_simplify_differs_in_text_not_in_value(capsys):
    _, simplified, _ = run(capsys, "x*x", "--wrt", "x")
    status, raw, err = run(capsys, "x*x", "--wrt", "x", "--no-simplify")
    assert (status, err) == (0, "")
    assert simplified.strip() == "2*x"
    assert raw.strip() != simplified.strip()
    assert same_value(raw.strip(), simplified.strip(), variables=("x",))


def test_declared_function(capsys):
    status, out, err = run(capsys, "f(x^2)", "--func", "f", "--wrt", "x")
    assert (status, err) == (0, "")
    x = symdiff.Symbol("x")
    assert parse(out.strip(), functions=["f"]) is 2 * x * symdiff.Call("f'", (x ** 2,))


def test_several_declared_functions(capsys):
    status, out, _ = run(capsys, "f(x) g(x)", "--func", "f,g", "--wrt", "x")
    assert status == 0
    x = symdiff.Symbol("x")
    def call(name):
        return symdiff.Call(name, (x,))
    assert parse(out.strip(), functions="f g") is call("f'") * call("g") + call("f") * call("g'")


def test_variable_that_does_not_occur(capsys):
    status, out, err = run(capsys, "x^2", "--wrt", "z")
    assert status == 0
    assert out == "0\n"
    assert "warning" in err and "z does not occur" in err


def test_help(capsys):
    status, out, err = run(capsys, "--help")
    assert status == 0
    assert "usage: symdiff" in out
    assert "examples:" in out and '--wrt x' in out and "--at x=2,y=5" in out


BUILD = "compiled core" if symdiff.compiled_core else "pure Python"


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.strip() == f"symdiff {symdiff.__version__} ({BUILD})"


# ------------------------------------------------------------------ stdin mode

def test_stdin_one_result_per_line(capsys, monkeypatch):
    status, out, err = run(capsys, "-", "--wrt", "x", stdin="x^3\nsin(x)\n\nx*y\n",
                           monkeypatch=monkeypatch)
    assert (status, err) == (0, "")
    assert out.split("\n") == ["3*x^2", "cos(x)", "", "y", ""]


def test_stdin_bad_line_prints_empty_and_reports(capsys, monkeypatch):
    status, out, err = run(capsys, "-", "--wrt", "x", stdin="x^2\nsin(\nlog(x)\n",
                           monkeypatch=monkeypatch)
    assert status == 2
    assert out.split("\n") == ["2*x", "", "1/x", ""]
    assert "stdin line 2" in err and "never closed" in err and "^" in err
    assert "Traceback" not in err


def test_stdin_gradient_is_one_labelled_line(capsys, monkeypatch):
    status, out, _ = run(capsys, "-", "--wrt", "x,y", stdin="x*y\r\n", monkeypatch=monkeypatch)
    assert status == 0
    assert out == "d/dx = y; d/dy = x\n"


def test_stdin_evaluation_error_is_reported_per_line(capsys, monkeypatch):
    status, out, err = run(capsys, "-", "--at", "x=0", stdin="x^2\nlog(x)\n",
                           monkeypatch=monkeypatch)
    assert status == 2
    assert out.split("\n") == ["2*x = 0", "", ""]
    assert "stdin line 2" in err and "log(0) is undefined" in err


# ------------------------------------------------------------------ usage errors

USAGE_ERRORS = [
    # argv                                   stderr contains
    ((FORMULA,),                             "several variables (x, y)"),
    (("x*y*z",),                             "--wrt x or --wrt x,y,z"),
    ((),                                     "no formula given"),
    (("x", "--order", "-1"),                 "--order must be 0 or more"),
    (("x", "--order", "abc"),                "expects a whole number, or a letter such as n"),
    (("x", "--order", "1.5"),                "'1.5' is a number, not a variable name"),
    (("x", "--wrt", "x y"),                  "--wrt expects variable names"),
    (("x", "--bogus"),                       "unknown option --bogus"),
    (("x", "--at", "x"),                     "--at expects name=value pairs"),
    (("x", "--at", "=2"),                    "--at expects name=value pairs"),
    (("x", "--at", "x=1,"),                  "--at expects name=value pairs"),
    (("x", "--at", "2=3"),                   "--at expects name=value pairs"),
    (("x", "--at", "x=y"),                   "must be a number"),
    (("x", "--at", "x=(1"),                  "--at value for x"),
    (("x", "--at", "x=1e999"),               "too large"),
    (("x", "--at", "x=log(-1)"),             "log(-1)"),
]


@pytest.mark.parametrize("argv, message", USAGE_ERRORS, ids=[" ".join(a) or "(none)" for a, _ in USAGE_ERRORS])
def test_usage_error(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith("symdiff: error:")
    assert message in err
    assert "Traceback" not in err


MALFORMED = [
    # formula            column  message
    ("(x+1",             5,      "never closed"),
    ("x+1)",             4,      "unexpected ')'"),
    ("",                 1,      "empty formula"),
    ("x^",               3,      "unexpected end of input"),
    ("sin(x,y)",         1,      "sin takes 1 argument"),
    ("arcsinn(x)",       1,      "did you mean arcsin?"),
    ("__import__('os')", 12,     "strings are not part of formulas"),
    ("x; import os",     2,      "unexpected character ';'"),
    ("1e999",            1,      "too large"),
    ("sin x",            1,      "needs an argument"),
    ("x\u200b",          2,      "U+200B"),
    ("x $ y",            3,      "unexpected character '$'"),
]


@pytest.mark.parametrize("formula, column, message", MALFORMED, ids=[repr(m[0]) for m in MALFORMED])
def test_malformed_formula(capsys, formula, column, message):
    status, out, err = run(capsys, formula, "--wrt", "x")
    assert status == 2
    assert out == ""
    assert err.startswith(f"symdiff: error: line 1, column {column}: ")
    assert message in err
    caret = [line for line in err.splitlines() if line.strip() == "^"]
    assert len(caret) == 1 and caret[0].index("^") == 2 + column - 1
    assert "Traceback" not in err


EVALUATION_ERRORS = [
    # argv                                               stderr contains
    (("log(x)", "--order", "0", "--at", "x=-1"),         "log(-1) is undefined"),
    (("sqrt(x)", "--at", "x=-1"),                        "sqrt(-1) is undefined"),
    (("log(x)", "--at", "x=0"),                          "log(0) is undefined"),
    (("sqrt(x)", "--at", "x=0"),                         "division by zero"),        # in the derivative
    (("exp(x)", "--at", "x=1000"),                       "exp(1000) overflows"),
    (("asin(x)", "--at", "x=2"),                         "asin(2) is undefined"),    # in the formula
    (("asin(x)", "--order", "0", "--at", "x=2"),         "asin(2) is undefined"),
]


@pytest.mark.parametrize("argv, message", EVALUATION_ERRORS, ids=[" ".join(a) for a, _ in EVALUATION_ERRORS])
def test_evaluation_error_at_point(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert message in err
    assert "Traceback" not in err and "internal error" not in err


# ------------------------------------------------------------------ fixed bugs (regression tests)

def test_point_outside_the_formulas_domain_is_an_error(capsys):
    status, out, err = run(capsys, "log(x)", "--wrt", "x", "--at", "x=-1")
    assert status == 2
    assert "log" in err


def test_declaring_a_builtin_is_a_usage_error(capsys):
    status, _, err = run(capsys, "sin(x)", "--func", "sin")
    assert status == 2
    assert "internal error" not in err


def test_declaring_a_bad_name_is_a_usage_error(capsys):
    status, _, err = run(capsys, "f(x)", "--func", "f'")
    assert status == 2
    assert "internal error" not in err


def test_overflowing_sum_at_point_is_an_evaluation_error(capsys):
    status, _, err = run(capsys, "x^2/2 + x*y", "--wrt", "x", "--at", "x=1e308,y=1e308")
    assert status == 2
    assert "internal error" not in err


# ------------------------------------------------------------------ real subprocesses

def test_subprocess_success():
    done = subprocess_run(FORMULA, "--wrt", "x")
    assert (done.returncode, done.stdout, done.stderr) == (0, "y + 1/x\n", "")


def test_subprocess_gradient_at_point():
    done = subprocess_run(FORMULA, "--wrt", "x,y", "--at", "x=2,y=5")
    assert done.returncode == 0
    values = [float(line.split()[-1]) for line in done.stdout.splitlines()]      # the float is last
    assert values[0] == 5.5 and math.isclose(values[1], 2 - math.cos(5), rel_tol=1e-12)


@pytest.mark.parametrize("argv", [
    ("-x^2", "--wrt", "x"),
    ("--wrt", "x", "--", "-x^2"),
])
def test_subprocess_formula_starting_with_minus(argv):
    done = subprocess_run(*argv)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "-2*x", "")


def test_subprocess_help_and_version():
    done = subprocess_run("--help")
    assert done.returncode == 0 and "examples:" in done.stdout
    done = subprocess_run("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"symdiff {symdiff.__version__} ({BUILD})")


def test_subprocess_stdin():
    done = subprocess_run("-", "--wrt", "x", stdin="x^2\n(x\nsin(x)\n")
    assert done.returncode == 2
    assert done.stdout.split("\n") == ["2*x", "", "cos(x)", ""]
    assert "stdin line 2" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("argv, message", [
    ((FORMULA,),                               "several variables (x, y)"),
    (("x", "--at", "x=oops(1)"),               "--at value for x"),
    (("x^2", "--wrt", "z"),                    None),
])
def test_subprocess_usage(argv, message):
    done = subprocess_run(*argv)
    if message is None:
        assert (done.returncode, done.stdout) == (0, "0\n")
        assert "warning" in done.stderr
    else:
        assert (done.returncode, done.stdout) == (2, "")
        assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("formula, message", [
    ("(x+1",             "'(' opened at column 1 is never closed"),
    ("x.__class__",      "attribute access"),
    ("x\x01y",           "U+0001"),
    ("ｘ",               "U+FF58"),
])
def test_subprocess_malformed_formula(formula, message):
    done = subprocess_run(formula, "--wrt", "x")
    assert (done.returncode, done.stdout) == (2, "")
    assert message in done.stderr and "^" in done.stderr
    assert "Traceback" not in done.stderr


def test_subprocess_evaluation_error():
    done = subprocess_run("log(x)", "--order", "0", "--at", "x=-1")
    assert done.returncode == 2
    assert "log(-1)" in done.stderr and "Traceback" not in done.stderr


def test_subprocess_reader_goes_away():
    """`symdiff - | head -1`: the reader closes the pipe early; no traceback, no BrokenPipeError."""
    with tempfile.TemporaryFile() as source:
        source.write(b"x^2\n" * 100_000)
        source.seek(0)
        process = subprocess.Popen([sys.executable, "-m", "symdiff", "-", "--wrt", "x"],
                                   stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read().decode()
        process.stderr.close()
        status = process.wait(timeout=30)
    assert first == b"2*x\n"
    assert not any(word in stderr for word in NO_TRACEBACK), stderr
    assert status == 0


@pytest.mark.parametrize("formula, message", [
    ("θ + $",   "unexpected character '$'"),
    ("ｘ^2",    "U+FF58"),
])
def test_subprocess_ascii_terminal(formula, message):
    done = subprocess_run(formula, "--wrt", "x", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.isascii()
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_subprocess_ascii_terminal_keeps_caret_aligned():
    done = subprocess_run("θ + $", "--wrt", "x", env={"PYTHONIOENCODING": "ascii"})
    lines = done.stderr.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1][lines[caret].index("^")] == "$"


# ---------------------------------------------------------------- --form

@pytest.mark.parametrize("form, expected", [
    ("auto",      "(1 - x^2)/(x^2 + 1)^2"),
    ("together",  "(1 - x^2)/(x^2 + 1)^2"),
    ("expanded",  "1/(x^2 + 1)^2 - x^2/(x^2 + 1)^2"),
    ("factored",  "(1 - x)*(x + 1)/(x^2 + 1)^2"),
    ("raw",       "1/(x^2 + 1) - 2*x*x/(x^2 + 1)^2"),
])
def test_form_prints_the_form_asked_for(capsys, form, expected):
    status, out, err = run(capsys, "x/(x^2+1)", "--form", form)
    assert (status, out.strip(), err) == (0, expected, "")
    assert evaluate(parse(out), x=0.7) == pytest.approx(evaluate("(1 - x^2)/(x^2 + 1)^2", x=0.7))


def test_form_applies_to_every_partial(capsys):
    status, out, _ = run(capsys, "(x + y)^2*exp(x)", "--wrt", "x,y", "--form", "expanded")
    assert status == 0
    assert out.splitlines() == ["d/dx = x^2*exp(x) + 2*x*y*exp(x) + 2*x*exp(x) + y^2*exp(x) + 2*y*exp(x)",
                                "d/dy = 2*x*exp(x) + 2*y*exp(x)"]


def test_an_unknown_form_is_a_usage_error(capsys):
    status, out, err = run(capsys, "x^2", "--form", "pretty")
    assert status == 2 and out == "" and "invalid choice: 'pretty'" in err


# ---------------------------------------------------------------- names in options (issue 15)

# Option names are read as the parser reads a formula: what it takes as a variable is a
# variable (θ is theta); anything else is a usage error with a caret under the culprit.
BAD_NAMES = [
    # argv                           message contains                                      caret under
    (("--wrt", "x,é"),               "'é' is not a variable name: unexpected character U+00E9", "é"),
    (("--wrt", "x, pi"),             "'pi' is a constant, not a variable name",            "p"),
    (("--wrt", "sin"),               "'sin' is a function and needs an argument",          "s"),
    (("--wrt", "x,1x"),              "'1x' is a formula, not a variable name",             "1"),
    (("--wrt", "x,,y"),              "found an empty name",                                ","),
    (("--at", "x=1,é=2"),            "'é' is not a variable name",                          "é"),
    (("--at", "2=3"),                "'2' is a number, not a variable name",               "2"),
]


@pytest.mark.parametrize("argv, message, culprit", BAD_NAMES, ids=[" ".join(a) for a, _, _ in BAD_NAMES])
def test_a_bad_name_in_an_option_is_a_pointed_usage_error(capsys, argv, message, culprit):
    status, out, err = run(capsys, "x^2", *argv)
    assert (status, out) == (2, "")
    assert message in err and "internal error" not in err
    lines = err.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1] == f"  {argv[0]} {argv[1]}"
    assert lines[caret - 1][lines[caret].index("^")] == culprit


def test_greek_names_in_options_are_spelled_out(capsys):
    status, out, err = run(capsys, "θ^2*x", "--wrt", "θ,x", "--at", "θ=2,x=3")
    assert (status, err) == (0, "")
    assert out.splitlines() == ["d/dtheta = 2*theta*x = 12", "d/dx = theta^2 = 4"]


def test_subprocess_non_ascii_name_in_wrt():
    done = subprocess_run("x^2", "--wrt", "x,é")
    assert done.returncode == 2 and done.stdout == ""
    assert "'é' is not a variable name" in done.stderr
    assert not any(word in done.stderr for word in NO_TRACEBACK + ("internal error",))


def test_subprocess_non_ascii_name_on_an_ascii_terminal_keeps_the_caret():
    done = subprocess_run("x^2", "--wrt", "x,é", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 2 and done.stderr.isascii()
    lines = done.stderr.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1][lines[caret].index("^"):].startswith("\\xe9")


def test_thousands_of_variables_are_not_all_listed_in_the_message(capsys):
    status, _, err = run(capsys, "*".join(f"v{i}" for i in range(1000)))
    assert status == 2
    assert "several variables (1,000 of them: v0, v1, v10, " in err and len(err) < 600


# ---------------------------------------------------------------- closed and failing streams

# Exit statuses: 2 for input that cannot be read (as for bad input), 74 (EX_IOERR) for output
# that cannot be written; never 1, which means a bug; never a traceback.
SHELL = shutil.which("bash")
needs_bash = pytest.mark.skipif(SHELL is None, reason="needs bash for fd redirections")
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


def shell_run(redirections: str, *argv, stdin=None):
    """``python -m symdiff ARGV REDIRECTIONS`` in bash (for >&-, <&-, > /dev/full)."""
    return subprocess.run([SHELL, "-c", f'"$@" {redirections}', "bash", sys.executable, "-m",
                           "symdiff", *argv], input=stdin, capture_output=True, text=True,
                          timeout=30)


@needs_bash
@pytest.mark.parametrize("argv", [("x^2",), ("--help",), ("--version",), ("x*y", "--wrt", "x,y")])
def test_closed_stdout_is_an_output_failure(argv):
    done = shell_run(">&-", *argv)
    assert done.returncode == 74
    assert done.stderr == "symdiff: error: cannot write the output: stdout is closed\n"


@needs_bash
def test_closed_stdout_and_stderr_give_the_status_alone():
    done = shell_run(">&- 2>&-", "x^2")
    assert (done.returncode, done.stdout, done.stderr) == (74, "", "")


@needs_bash
def test_closed_stdin_in_stdin_mode_is_bad_input():
    done = shell_run("<&-", "-", "--wrt", "x")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("symdiff: error: cannot read the formulas: stdin is closed "
                           "('-' reads one formula per line from stdin)\n")


@needs_bash
def test_closed_stdin_does_not_matter_for_a_formula_argument():
    done = shell_run("<&-", "x^2")
    assert (done.returncode, done.stdout, done.stderr) == (0, "2*x\n", "")


@needs_bash
@needs_dev_full
@pytest.mark.parametrize("argv, stdin", [
    (("--help",), None),                      # argparse would drop the error: it is reported
    (("--version",), None),
    (("x^2",), None),
    (("-", "--wrt", "x"), "x^2\nsin(x)\n"),
    (("graph", "x*y", "--at", "x=1,y=2"), None),
])
def test_full_disk_is_an_output_failure(argv, stdin):
    done = shell_run("> /dev/full", *argv, stdin=stdin)
    assert done.returncode == 74
    assert done.stderr == "symdiff: error: cannot write the output: No space left on device\n"


@needs_bash
def test_closed_stderr_keeps_warnings_out_of_the_output():
    done = shell_run("2>&-", "x^2", "--wrt", "y")
    assert (done.returncode, done.stdout) == (0, "0\n")


@needs_bash
@needs_dev_full
def test_full_stderr_keeps_the_status_of_bad_input():
    done = shell_run("2> /dev/full", "x^2", "--wrt", "x,é")
    assert (done.returncode, done.stdout) == (2, "")


class _FullDisk(io.StringIO):
    def write(self, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_failed_write_in_process(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", _FullDisk())
    assert main(["x^2"]) == 74
    assert capsys.readouterr().err == f"symdiff: error: cannot write the output: {os.strerror(errno.ENOSPC)}\n"


# ---------------------------------------------------------------- large arguments (issue 15)

MP = {"tanh": mpmath.tanh, "sech": mpmath.sech, "csch": mpmath.csch, "coth": mpmath.coth}


@pytest.mark.parametrize("fn", sorted(MP))
@pytest.mark.parametrize("x", ["1000", "-1000", "710", "1e5"])
def test_hyperbolic_derivatives_at_large_arguments(capsys, fn, x):
    """d/dx tanh(x) at 1000 is sech(1000)^2, about 1e-869: 0.0, not an overflow."""
    status, out, err = run(capsys, f"{fn}(x)", "--at", f"x={x}")
    assert (status, err) == (0, "")
    value = float(out.split()[-1])                    # after the exact value, sech(1000)^2 ≈
    with mpmath.workdps(60):
        exact = float(mpmath.diff(MP[fn], mpmath.mpf(x)))
    assert math.isclose(value, exact, rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.parametrize("formula, x, message", [
    ("exp(x)",  "1000",  "exp(1000) overflows the float range"),
    ("cosh(x)", "-1000", "cosh(-1000) overflows the float range"),
    ("exp(-x)", "-1000", "exp(1000) overflows the float range"),
])
def test_true_overflows_at_large_arguments_stay_errors(capsys, formula, x, message):
    status, out, err = run(capsys, formula, "--at", f"x={x}")
    assert (status, out) == (2, "")
    assert message in err


# ---------------------------------------------------------------- cost of a large gradient

def test_a_gradient_is_walked_once_not_once_per_component(capsys, monkeypatch):
    """The n components of the gradient of a product of n factors share their nodes; sizing
    them for --cse and evaluating them at --at walks each shared node once (it used to walk
    the shared part once per component: 49.5 s for 4,000 factors)."""
    import importlib
    visited = []

    def counting(original):
        def postorder(root, stop=None):
            order = original(root, stop)
            visited.append(len(order))
            return order
        return postorder

    for module in map(importlib.import_module, ("symdiff.pipeline", "symdiff.evaluate")):
        monkeypatch.setattr(module, "postorder", counting(module.postorder))
    costs = {}
    for n in (200, 400):
        visited.clear()
        names = [f"v{i}" for i in range(n)]
        status, out, _ = run(capsys, "*".join(names), "--wrt", ",".join(names),
                             "--at", ",".join(f"{v}=1" for v in names))
        assert status == 0 and len(out.splitlines()) > n
        costs[n] = sum(visited)
    assert costs[400] < 2.5 * costs[200]                   # linear, not quadratic


@pytest.mark.parametrize("argv, unknown, suggestion", [
    (("--frobnicate",),                 "--frobnicate", None),
    (("--wrtt", "x", "x^2"),            "--wrtt",  "--wrt"),
    (("x^2", "--ordr=2"),               "--ordr",  "--order"),
])
def test_an_unknown_option_is_refused_not_differentiated(capsys, argv, unknown, suggestion):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert f"unknown option {unknown};" in err and "symdiff -- '" in err
    assert (f"did you mean {suggestion}?" in err) if suggestion else ("did you mean" not in err)


@pytest.mark.parametrize("argv, expected", [
    (("--x",),                 "1"),             # -(-x): a formula, too short to be an option
    (("--", "--serve"),        "1"),             # after '--', the formula -(-serve)
    (("-sin(x)",),             "-cos(x)"),
])
def test_formulas_that_start_with_dashes_still_work(capsys, argv, expected):
    status, out, err = run(capsys, *argv)
    assert (status, out.strip()) == (0, expected), err


def test_check_says_when_the_complex_step_never_ran(capsys, monkeypatch):
    import symdiff.numeric
    from symdiff.errors import EvaluationError
    real_partial = symdiff.numeric.partial

    def no_complex_step(f, name, point, method="central", *args, **kwargs):
        if method == "complex":
            raise EvaluationError("u has no complex value")
        return real_partial(f, name, point, method, *args, **kwargs)

    monkeypatch.setattr(symdiff.numeric, "partial", no_complex_step)
    status, out, err = run(capsys, "x^3", "--at", "x=1", "--check")
    assert status == 0, err
    assert "no complex step (u has no complex value)" in out
    assert "against the complex step" not in out


@pytest.mark.parametrize(("argv", "message"), [
    (["x^3", "--order", "0", "--check"], "--order 0 takes none"),
    (["polygamma(n, x)", "--wrt", "x", "--check"], "found no point in [-3, 3]"),
])
def test_check_that_cannot_compare_is_a_usage_error_not_a_bug(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2 and message in err and "Traceback" not in err


# ------------------------------------------------------------------ notations and notes (issue 17)

@pytest.mark.parametrize("argv, out, note", [
    (["y = x^3"],              "3*x^2\n",  "line 1, column 3: reading the right-hand side of y = x^3 as the formula"),
    (["sinx^2", "--wrt", "sinx"], "2*sinx\n", "line 1, column 1: sinx is read as a variable; did you mean sin(x)?"),
    (["y = lnx"],              "1\n",      "line 1, column 5: lnx is read as a variable; did you mean ln(x)?"),
])
def test_notes_go_to_stderr_and_the_result_is_computed(capsys, argv, out, note):
    status, printed, err = run(capsys, *argv)
    assert status == 0 and printed == out
    assert f"symdiff: note: {note}\n" in err
    assert "^" in err and "Warning" not in err       # a caret, and no Python warning line


def test_a_power_on_a_function_name_on_the_command_line(capsys):
    status, out, err = run(capsys, "sin^2(x)", "--wrt", "x")
    assert status == 0 and same_value(out.strip(), "2*sin(x)*cos(x)") and err == ""


@pytest.mark.parametrize("argv, fragment", [
    (["sin^-1(x)"],           "did you mean asin(x) (the inverse function) or 1/sin(x) (the reciprocal)?"),
    (["x^2 + y^2 = 1", "--wrt", "x"], "an equation is not differentiated directly"),
    (["x == 1"],              "'==' compares"),
    (["Sin(x)"],              "did you mean sin?"),
    (["sin^2 x"],             "takes its argument in brackets"),
])
def test_refused_notations_exit_2_with_a_positioned_message(capsys, argv, fragment):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("symdiff: error: line 1, column ") and fragment in err
    assert "Traceback" not in err


def test_notes_in_stream_mode_and_steps(capsys, monkeypatch):
    status, out, err = run(capsys, "-", stdin="y = x^2\nsinx\n", monkeypatch=monkeypatch)
    assert status == 0 and out == "2*x\n1\n"
    assert err.count("symdiff: note:") == 2
    status, out, err = run(capsys, "y = x^2", "--steps")
    assert status == 0 and "symdiff: note: line 1, column 3: reading the right-hand side" in err


def test_graph_prints_the_notes(capsys):
    status, out, err = run(capsys, "graph", "lnx*2", "--at", "lnx=3")
    assert status == 0 and "symdiff: note: line 1, column 1: lnx is read as a variable" in err


def test_a_note_as_a_real_process():
    done = subprocess_run("y = x^2")
    assert done.returncode == 0 and done.stdout == "2*x\n"
    assert done.stderr.startswith("symdiff: note: line 1, column 3: reading the right-hand side")
    done = subprocess_run("sin^-1(x)")
    assert done.returncode == 2 and "asin(x)" in done.stderr and "Traceback" not in done.stderr
