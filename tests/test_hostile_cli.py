"""The hostile-input suite on the command line: every input finishes with an answer (exit 0)
or a clear refusal (exit 2), never an internal error (exit 1) or a traceback.

Two parts:
* every text of the table in tests/test_hostile.py (HOSTILE), run in-process through
  ``symdiff.cli.main`` as ``symdiff --wrt x -- TEXT``: refusals point into the text;
* the heavy and awkward runs a probe of the command line found (issue 15), each in its own
  process, whose peak memory is read from the operating system and must stay below 1 GB.
  Their time is bounded by the default work budget (10 s); the test only guards against a
  hang and measures nothing (bench/hostile.py reports the times).
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys

import pytest

from symdiff import cli
from test_hostile import HOSTILE, Err

HANG_GUARD = 120                       # seconds: a guard against a hang, not a timing test
GIGABYTE_KB = 1 << 20                  # ru_maxrss is in kilobytes on Linux


def _main(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """Run the command in-process, as the console script does."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        status = cli.main(argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return status, out.getvalue(), err.getvalue()


def _clean(stderr: str) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr


@pytest.mark.parametrize("text, expected", HOSTILE, ids=[repr(t)[:40] for t, _ in HOSTILE])
def test_every_hostile_text_on_the_command_line(text, expected):
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):      # cannot be argv: through stdin
        status, out, err = _main(["-", "--wrt", "x"], stdin=text + "\n")
    else:
        status, out, err = _main(["--wrt", "x", "--", text])
    _clean(err)
    if isinstance(expected, Err):
        assert status == 2, (out, err)
        assert "symdiff: error:" in err and "^" in err
        assert f"column {expected.column}" in err
    else:
        assert status == 0, err


# ------------------------------------------------------------------ heavy runs, one process each

def _product(n: int) -> str:
    return "*".join(f"v{i}" for i in range(n))


HEAVY_RUNS = {
    # name:                 (argv, stdin, exit statuses allowed)
    "product-10000-wrt-v0":  ([_product(10_000), "--wrt", "v0"], None, {0}),
    "gradient-product-4000": ([_product(4_000), "--wrt", ",".join(f"v{i}" for i in range(4_000))],
                              None, {0}),
    "exp-order-1000":        (["exp(x^2)", "--order", "1000"], None, {0, 2}),
    "exp-order-10000":       (["exp(x^2)", "--order", "10000"], None, {2}),
    "x^x-order-100":         (["x^x", "--order", "100"], None, {0, 2}),
    "tanh-at-1000":          (["tanh(x)", "--at", "x=1000"], None, {0}),
    "wrt-non-ascii":         (["x^2", "--wrt", "x,é"], None, {0, 2}),
    "sum-1MB-stdin":         (["-", "--wrt", "x7"], "+".join(f"x{i}" for i in range(140_000)) + "\n", {0}),
    "brackets-100000":       (["-", "--wrt", "x"], "(" * 100_000 + "x" + ")" * 100_000 + "\n", {0}),
    "power-chain-10000":     (["-", "--wrt", "x"], "^".join(["x"] * 10_000) + "\n", {0, 2}),
    "sin-chain-10000":       (["-", "--wrt", "x"], "sin(" * 10_000 + "x" + ")" * 10_000 + "\n", {0}),
    "huge-order-vanishes":   (["x^2", "--order", "99999999999999999999"], None, {0}),
    "huge-order":            (["sin(x)", "--order", "99999999999999999999"], None, {2}),
    "order-not-a-number":    (["x^2", "--order", "1e9"], None, {2}),
    "huge-point":            (["exp(x)", "--at", "x=1e400"], None, {2}),
    "point-overflow":        (["exp(x)", "--at", "x=1000"], None, {2}),
    "check-x^x":             (["x^x", "--check"], None, {0}),
    "many-variables-sum":    (["-"], "+".join(f"sin(a{i})*b{i}" for i in range(20_000)) + "\n", {2}),
    "tower-of-powers":       (["9^9^9^9^9"], None, {0}),
    "deep-minus":            (["-", "--wrt", "x"], "-" * 100_000 + "x\n", {0}),
    "steps-of-a-big-sum":    (["+".join(f"x^{i}" for i in range(3000)), "--wrt", "x", "--steps"], None, {0}),
    "latex-of-a-big-result": (["-", "--wrt", "x", "--latex"], "*".join(f"(x+{i})" for i in range(2000)) + "\n", {0}),
    "python-of-a-big-result": (["*".join(f"sin(x+{i})" for i in range(500)), "--wrt", "x",
                                "--format", "python"], None, {0}),
}


def _run(argv, stdin) -> tuple[int, str]:
    """Run symdiff in a child process: (exit status, stderr)."""
    done = subprocess.run([sys.executable, "-m", "symdiff", *argv], input=(stdin or "").encode(),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=HANG_GUARD)
    return done.returncode, done.stderr.decode("utf-8", "replace")


@pytest.mark.parametrize("name", HEAVY_RUNS)
def test_heavy_runs_answer_or_refuse_within_a_gigabyte(name):
    argv, stdin, allowed = HEAVY_RUNS[name]
    before = _children_peak()
    status, stderr = _run(argv, stdin)
    _clean(stderr)
    assert status in allowed, (status, stderr[-1000:])
    if status == 2:
        assert "symdiff: error:" in stderr
    peak = _children_peak()
    # ru_maxrss of children is the largest of any child so far: it bounds this one's peak
    assert peak < GIGABYTE_KB or before >= GIGABYTE_KB, f"{peak / 1024:.0f} MB"


def _children_peak() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def test_the_suite_has_at_least_150_inputs():
    assert len(HOSTILE) + len(HEAVY_RUNS) >= 150
