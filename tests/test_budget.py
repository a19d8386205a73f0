"""The work budget: time, memory and nodes made are checked while a call works, and a
limit that fires names itself and the option that raises it.  Linear work where the math
is linear: the product rule on n factors makes O(n) nodes and O(n) words of variable sets.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from symdiff import (LimitError, Limits, cos, diff, expand, gradient, parse, simplify, sin,
                     to_latex, to_text, use_limits)
from symdiff.pipeline import sizes
from symdiff.evaluate import evaluate_all
from symdiff.formats import to_mathml
from symdiff.expr import OVERFLOW, dependence, nodes_made, postorder, tree_size
from symdiff.limits import OPTIONS, check_work, work_budget

HANG_GUARD = 120          # seconds; a guard against a hang, never a timing assertion


def test_nodes_made_is_checked_while_differentiating():
    with pytest.raises(LimitError, match=r"more than 2,000 nodes \(Limits.max_nodes\); raise it with --max-nodes"):
        diff("exp(x^2)", "x", 60, limits=Limits(max_nodes=2000))


def test_time_is_checked_while_differentiating():
    with pytest.raises(LimitError, match=r"took more than 0.2 s \(Limits.max_seconds\); raise it with --max-seconds"):
        diff("exp(x^2)", "x", 2000, limits=Limits(max_seconds=0.2))


def test_memory_is_checked_while_differentiating():
    with pytest.raises(LimitError, match=r"more than 1 MB of memory \(Limits.max_memory_mb\); raise it with --max-memory"):
        diff("exp(x^2)", "x", 2000, limits=Limits(max_memory_mb=1))


def test_a_raised_limit_is_still_checked():
    with pytest.raises(LimitError, match="max_seconds"):
        diff("exp(x^2)", "x", 2000, limits=Limits(max_nodes=10**12, max_memory_mb=10**6,
                                                 max_seconds=0.3))


def test_work_within_the_budget_is_untouched():
    assert str(diff("exp(x^2)", "x", 3, limits=Limits(max_nodes=5000))) == "4*x*exp(x^2)*(2*x^2 + 3)"


def test_a_budget_counts_the_whole_call_not_each_step():
    """Calls within a budget spend the outer budget: a command line run is one call."""
    limits = Limits(max_nodes=3000)
    diff("exp(q^2)", "q", 8, limits=limits)                 # one alone is well within
    with use_limits(limits), work_budget(), pytest.raises(LimitError, match="max_nodes"):
        for i in range(200):
            diff(f"exp(x{i}^2)", f"x{i}", 8)


def _sine_tower(levels: int):
    """sin(u) + cos(u), again and again: a DAG of 4 nodes a level, 2^levels written out."""
    e = parse("x")
    for _ in range(levels):
        e = sin(e) + cos(e)
    return e


@pytest.mark.parametrize("printer", [to_text, to_latex, to_mathml])
def test_printing_counts_what_it_writes_out(printer):
    tower = _sine_tower(30)                           # a billion nodes written out in full
    with use_limits(Limits(max_output_nodes=20_000)):
        with pytest.raises(LimitError, match=r"more than 20,000 nodes \(Limits.max_output_nodes\).*--cse.*--max-output"):
            printer(tower)
    assert "sin" in printer(_sine_tower(3))


def test_printing_within_a_budget_is_checked_for_time():
    with use_limits(Limits(max_seconds=0.2)), work_budget():
        with pytest.raises(LimitError, match="max_seconds"):
            to_text(_sine_tower(40))


@pytest.mark.parametrize("entry", [
    lambda: parse("+".join(f"x{i}*y{i}" for i in range(20_000))),
    lambda: simplify("+".join(f"x{i}*x{i}" for i in range(20_000))),
    lambda: expand("+".join(f"(x{i} + 1)*(y{i} - 1)" for i in range(20_000))),
], ids=["parse", "simplify", "expand"])
def test_every_entry_point_has_its_own_budget(entry):
    """Each makes about 40,000 nodes, reading its text included; the nodes are counted every
    4096, so a limit of 5,000 fires by the third check whatever the count was at the start."""
    with use_limits(Limits(max_nodes=5000)), pytest.raises(LimitError, match="max_nodes"):
        entry()


def test_outside_a_budget_checking_does_nothing():
    check_work(10**12)


def test_every_limit_has_an_option():
    fields = [f for f in Limits.__dataclass_fields__]
    assert sorted(OPTIONS) == sorted(fields)


@pytest.mark.parametrize("argv, fragment", [
    (["exp(x^2)", "--order", "3000", "--max-seconds", "0.5"], "--max-seconds"),
    (["exp(x^2)", "--order", "3000", "--max-nodes", "5000"], "--max-nodes"),
    (["exp(x^2)", "--order", "3000", "--max-memory", "1"], "--max-memory"),
])
def test_limits_fire_on_the_command_line_with_exit_2(argv, fragment):
    done = subprocess.run([sys.executable, "-m", "symdiff", *argv], capture_output=True,
                          text=True, timeout=HANG_GUARD)
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("option", ["--max-seconds", "--max-memory", "--max-nodes"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_non_positive_budget_options_are_usage_errors(option, value):
    done = subprocess.run([sys.executable, "-m", "symdiff", "x^2", option, value],
                          capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.returncode == 2 and f"{option} must be positive" in done.stderr


# ---------------------------------------------------------------- linear work

def _product(n: int):
    return parse("*".join(f"v{i}" for i in range(n)))


@pytest.mark.parametrize("n", [1000, 4000])
def test_the_product_rule_on_n_factors_makes_linear_nodes(n):
    expr = _product(n)
    before = nodes_made()
    d = diff(expr, "v0")
    assert nodes_made() - before < 10 * n
    assert d is _product(n) / parse("v0") or str(d).startswith("v1*")


def test_a_gradient_of_n_factors_makes_linear_nodes_and_bits():
    n = 3000
    expr = _product(n)
    before = nodes_made()
    partials = gradient(expr)
    assert nodes_made() - before < 20 * n
    assert len(partials) == n
    # the variables of every node are one word, never a set of up to n names (n^2 entries
    # in all took 9.6 GB for n = 10,000)
    assert all(node.mask < 2 * OVERFLOW for p in partials[:3] for node in postorder(p))
    names = sorted(f"v{i}" for i in range(n))                 # the gradient's order
    assert sorted(partials[names.index("v5")].free) == sorted(set(names) - {"v5"})


def test_the_product_of_ten_thousand_variables_in_a_subprocess():
    """The issue's case: 9.6 GB and 40 s before.  Here bounded by the default budget."""
    code = ("import symdiff; e = symdiff.parse('*'.join(f'v{i}' for i in range(10000)));"
            "d = symdiff.diff(e, 'v0'); print(len(symdiff.to_text(d)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=HANG_GUARD)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 50_000


def test_dependence_is_exact_past_the_variables_with_bits_of_their_own():
    """Beyond EXACT_BITS live variables, variables share one bit; dependence stays exact."""
    names = [f"w{i}" for i in range(300)]
    terms = [parse(f"sin({a})*{b}") for a, b in zip(names[::2], names[1::2])]
    expr = parse(" + ".join(f"sin({a})*{b}" for a, b in zip(names[::2], names[1::2])))
    for name in (names[0], names[151], names[299], "absent"):
        depends = dependence(expr, [name])
        assert [depends(t) for t in terms] == [name in t.free for t in terms]
        assert depends(expr) == (name != "absent")
    assert sorted(expr.free) == sorted(names)
    d = diff(expr, names[299])                        # sin(w298), the term's other factor
    assert str(d) == "sin(w298)"
    assert [str(g) for g in gradient(expr, names[-2:])] == ["w299*cos(w298)", "sin(w298)"]


def test_a_million_character_sum_of_distinct_variables_stays_small():
    """Each variable costs a word, whatever the number of variables alive."""
    code = ("import resource, symdiff; e = symdiff.parse('+'.join(f'x{i}' for i in range(140000)));"
            "print(symdiff.diff(e, 'x7'), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=HANG_GUARD)
    assert done.returncode == 0, done.stderr
    result, peak_kb = done.stdout.split()
    assert result == "1" and int(peak_kb) < 1 << 20


@pytest.mark.parametrize("text", ["(597*x + 51)/(x^7 + sqrt(x))", "(a*x + b)/(x^9 + x^(1/3))"])
def test_a_form_past_the_polynomial_bounds_is_skipped_not_an_internal_error(text):
    """Found by bench/throughput.py: multiplying out the denominator passed the degree bound,
    and the bound's exception escaped the form chooser."""
    from symdiff import evaluate
    d = diff(text, "x")
    point = {"x": 1.3, "a": 2.0, "b": 0.5}
    h = 1e-6
    numeric = (evaluate(text, {**point, "x": 1.3 + h}) - evaluate(text, {**point, "x": 1.3 - h})) / (2 * h)
    assert evaluate(d, point) == pytest.approx(numeric, rel=1e-6)


def test_walks_that_make_no_nodes_are_checked_too():
    """Simplifying what is already simple, counting a result's written size or evaluating it
    makes no node, so the node maker never checks; the walks check every 4096 nodes."""
    simple = parse("+".join(f"x{i}*y{i}" for i in range(20_000)))
    point = dict.fromkeys(simple.free, 1.0)
    for walk in (lambda: simplify(simple), lambda: tree_size(simple),
                 lambda: sizes([simple, simple]), lambda: evaluate_all([simple], point)):
        made = nodes_made()
        with use_limits(Limits(max_seconds=0.01)), work_budget():
            time.sleep(0.02)                   # the budget is spent before the walk starts
            with pytest.raises(LimitError, match="max_seconds"):
                walk()
        assert nodes_made() == made            # ... and the walk made no node to check it
