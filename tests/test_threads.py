"""Thread safety: nodes built by many threads at once are still interned once.

A tiny switch interval makes the interpreter change threads every few bytecodes, so two
threads often build the same node at the same moment; each must get the one node, and a
node that dies must take only its own entry with it.
"""

from __future__ import annotations

import sys
import threading
from fractions import Fraction

import pytest

from symdiff import Num, Symbol, diff, parse, simplify, to_text
from symdiff.expr import _INTERNED, _VARIABLE_NAMES, variable_bits

THREADS = 8


@pytest.fixture
def switching_often():
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@pytest.fixture
def unraisable():
    """Exceptions raised where nobody can catch them (in weak-reference callbacks)."""
    caught = []
    before = sys.unraisablehook
    sys.unraisablehook = caught.append
    try:
        yield caught
    finally:
        sys.unraisablehook = before


def _in_threads(work, count=THREADS) -> list:
    results: list = [None] * count
    start = threading.Barrier(count)

    def run(i):
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _build(round_: int):
    """1,500 nodes no other test makes: variables, powers with a fractional exponent, sums."""
    def work(_):
        nodes = []
        for i in range(500):
            v = Symbol(f"thread{round_}_{i}")
            p = v ** Num(Fraction(1, 7))
            nodes += [v, p, p + v * 3]
        return nodes
    return work


def test_threads_building_the_same_nodes_get_the_same_objects(switching_often, unraisable):
    for round_ in range(3):
        built = _in_threads(_build(round_))
        first = built[0]
        for other in built[1:]:
            duplicates = sum(a is not b for a, b in zip(first, other))
            assert duplicates == 0, f"{duplicates} of {len(first)} nodes were made twice"
        del built, first, other
    assert not unraisable, [str(u.exc_value) for u in unraisable]


def test_equal_expressions_from_different_threads_cancel(switching_often):
    results = _in_threads(lambda i: parse(f"x^(1/7) + sin(x)^(2/{i % 3 + 3})"))
    for i, built in enumerate(results):       # threads i and i % 3 built the same formula
        assert built is results[i % 3]
        assert simplify(built - results[i % 3]) is Num(0)
    assert to_text(simplify(results[0] - results[3])) == "0"


def test_nodes_dying_in_many_threads_leave_a_consistent_table(switching_often, unraisable):
    def churn(i):
        for k in range(300):
            e = Symbol(f"churn{k % 50}") * Symbol(f"churn{(k + i) % 50}") + k
            diff(e, f"churn{k % 50}")
        return True

    assert all(_in_threads(churn))
    assert not unraisable, [str(u.exc_value) for u in unraisable]
    for ident, entry in list(_INTERNED.items()):
        node = entry()
        if node is not None:
            assert entry.ident == ident
    # every live variable owns its own bit, and its bit names it
    for name, bit in [(n, variable_bits([n])) for n in {v for v in _VARIABLE_NAMES if v}]:
        assert bit and bit & (bit - 1) == 0
        assert _VARIABLE_NAMES[bit.bit_length() - 1] == name


def test_derivatives_in_threads_agree_with_one_thread(switching_often):
    formulas = ["x^x", "sin(x)*exp(-x^2)", "log(1 + x^2)/x", "atan(y/x)", "sqrt(x^2 + y^2)"]
    alone = [diff(f, "x") for f in formulas]
    together = _in_threads(lambda i: [diff(f, "x") for f in formulas], count=4)
    for result in together:
        assert all(a is b for a, b in zip(alone, result))
