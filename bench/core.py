"""Issue 20's per-node targets, measured against SymEngine in one run: warm diff of small inputs,
node construction, parsing, memory per live node and resident memory over a million
expressions built and dropped.  Writes bench/core-results.md.

    python bench/core.py            # about 2 minutes; --quick about 20 s

What is timed, for symdiff and SymEngine alike, each the median of single calls, back to back
(bench/compare.py's ``timed``: the previous result dropped before the next call, so that
symdiff's interned nodes die and are built anew):

    diff           the derivative of a formula of at most 20 nodes, parsed before timing
                   (symdiff.diff; symengine's Basic.diff, order n by n calls)
    construction   x*y + k for fresh k, from symbols made before timing, per expression
    parse          a 40-character formula (symdiff.parse; symengine.sympify, its C++ parser)

Memory, each tool in a fresh process: the growth of resident memory while 200,000 distinct
expressions ``x^k*sin(y + k) + k`` are built and kept, divided by the distinct nodes they hold
(the tool's own count: symdiff's DAG, SymEngine's structural equality).  Then symdiff alone
builds and drops --million distinct expressions and its resident memory is read along the way.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import symengine  # noqa: E402

import symdiff  # noqa: E402
from compare import _commit, symdiff_dag, timed  # noqa: E402

# (formula, variable, order): inputs of at most 20 nodes, the issue's examples first
DIFF_CASES = [
    ("sin(sin(sin(sin(sin(sin(sin(sin(x))))))))", "x", 1),
    ("log(x)+x*y-sin(y)", "x", 1),
    ("exp(-x^2)", "x", 5),
    ("x^3*sin(x)", "x", 1),
    ("tanh(x*y)+cos(x)/x", "x", 1),
    ("atan(x^2)*cosh(x)", "x", 2),
    ("sqrt(1+x^2)/(1-x)", "x", 1),
    ("x^x", "x", 3),
]
PARSE_CASES = ["log(x)+x*y-sin(y)+exp(x*y)/(1+x^2)-sqrt(x)",
               "x^3*sin(x)-cos(x*y)^2+tanh(2*x)/(x+y)+7*x"]


def ratio_row(label, ours, theirs, target):
    r = theirs / ours
    return f"| {label} | {fmt(ours)} | {fmt(theirs)} | {r:.3g} | {target} |", r


def fmt(seconds):
    return f"{seconds * 1e6:.3g} µs" if seconds < 1e-3 else f"{seconds * 1e3:.3g} ms"


def diff_rows():
    rows, ratios = [], []
    for text, var, order in DIFF_CASES:
        ours_f, theirs_f = symdiff.parse(text), symengine.sympify(text)
        ours_x, theirs_x = var, symengine.Symbol(var)

        def theirs(f=theirs_f, x=theirs_x, n=order):
            for _ in range(n):
                f = f.diff(x)
            return f
        ours_t, _ = timed(lambda f=ours_f, x=ours_x, n=order: symdiff.diff(f, x, n))
        theirs_t, _ = timed(theirs)
        nodes = symdiff_dag([ours_f])
        label = f"d{'^' + str(order) if order > 1 else ''}/d{var} `{text}` ({nodes} nodes)"
        row, r = ratio_row(label, ours_t, theirs_t, "≥ 0.67")
        rows.append(row)
        ratios.append(r)
    return rows, ratios


def construction_row(count):
    x, y = symdiff.Symbol("x"), symdiff.Symbol("y")
    sx, sy = symengine.Symbol("x"), symengine.Symbol("y")

    def build(a, b, number):
        def run():
            return [a * b + number(k) for k in range(count)]
        return run
    ours, _ = timed(build(x, y, lambda k: k + 1_000_000))
    theirs, _ = timed(build(sx, sy, lambda k: symengine.Integer(k + 1_000_000)))
    return ratio_row(f"`x*y + k`, per expression ({count:,} fresh k per call)", ours / count, theirs / count,
                     "≥ 0.5")


def parse_rows():
    rows, ratios = [], []
    for text in PARSE_CASES:
        ours, _ = timed(lambda: symdiff.parse(text))
        theirs, _ = timed(lambda: symengine.sympify(text))
        row, r = ratio_row(f"parse `{text}` ({len(text)} characters)", ours, theirs, "≥ 0.2")
        rows.append(row)
        ratios.append(r)
    return rows, ratios


MEMORY_PROBE = textwrap.dedent("""
    import gc, os, sys
    sys.path.insert(0, {bench!r})
    from compare import distinct_nodes, sym_children, symdiff_dag
    def resident():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    if {tool!r} == "symdiff":
        import symdiff
        x, y, sin, num, nodes = symdiff.Symbol("x"), symdiff.Symbol("y"), symdiff.sin, symdiff.Num, symdiff_dag
    else:
        import symengine
        x, y, sin, num = symengine.Symbol("x"), symengine.Symbol("y"), symengine.sin, symengine.Integer
        nodes = lambda roots: distinct_nodes(roots, sym_children)
    gc.collect()
    before = resident()
    kept = [x ** num(k) * sin(y + num(k)) + num(k) for k in range(2, {count} + 2)]
    gc.collect()
    after = resident()
    print(after - before, nodes(kept))
""")


def memory_rows(count):
    here = os.path.dirname(os.path.abspath(__file__))
    per = {}
    for tool in ("symdiff", "symengine"):
        out = subprocess.run([sys.executable, "-c", MEMORY_PROBE.format(bench=here, tool=tool, count=count)],
                             capture_output=True, text=True, check=True).stdout.split()
        grown, nodes = int(out[0]), int(out[1])
        per[tool] = (grown / nodes, nodes, grown)
    r = per["symengine"][0] / per["symdiff"][0]
    row = (f"| memory per live node ({count:,} expressions kept; symdiff {per['symdiff'][1]:,} nodes, "
           f"{per['symdiff'][2] >> 20} MB; SymEngine {per['symengine'][1]:,} nodes, {per['symengine'][2] >> 20} MB) "
           f"| {per['symdiff'][0]:.0f} B | {per['symengine'][0]:.0f} B | {r:.3g} | ≥ 0.5 |")
    return row, r


FLAT_PROBE = textwrap.dedent("""
    import gc, os, time
    import symdiff
    def resident():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    x, y = symdiff.Symbol("x"), symdiff.Symbol("y")
    for k in range(1, {total} + 1):
        e = x ** symdiff.Num(k) * symdiff.sin(y + symdiff.Num(k)) + symdiff.Num(k)
        if k % {every} == 0:
            gc.collect()
            print(k, resident(), flush=True)
""")


def flat_rows(total):
    every = total // 10
    out = subprocess.run([sys.executable, "-c", FLAT_PROBE.format(total=total, every=every)],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    readings = [tuple(map(int, line.split())) for line in out if line.strip()]
    first, last = readings[0], readings[-1]
    grown = (last[1] - first[1]) / first[1]
    text = (f"Resident memory while {total:,} distinct expressions `x^k*sin(y + k) + k` are built and "
            f"dropped one by one: {first[1] >> 20} MB after {first[0]:,}, {last[1] >> 20} MB after "
            f"{last[0]:,} ({grown:+.1%}; target: flat).")
    return text, grown


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer expressions for the memory figures")
    ap.add_argument("--million", type=int, default=1_000_000, help="expressions built and dropped")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "core-results.md"))
    args = ap.parse_args()
    start = time.perf_counter()
    kept = 20_000 if args.quick else 200_000
    total = 100_000 if args.quick else args.million
    diffs, diff_ratios = diff_rows()
    construction, construction_ratio = construction_row(1000)
    parses, parse_ratios = parse_rows()
    memory, memory_ratio = memory_rows(kept)
    flat, grown = flat_rows(total)
    mark = {True: "met", False: "**not met**"}
    lines = [
        "# Issue 20's per-node targets: symdiff against SymEngine",
        "",
        f"Written by `bench/core.py` in {time.perf_counter() - start:.0f} s"
        + (" (--quick)" if args.quick else "") + ". How each figure is measured: the script's docstring.",
        "",
        f"- symdiff {symdiff.__version__} at commit {_commit()}, "
        f"{'compiled core' if symdiff.compiled_core else 'pure-Python core'}; symengine {symengine.__version__}; "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs",
        "",
        "| measure | symdiff | SymEngine | SymEngine / symdiff (> 1: symdiff faster or smaller) | target |",
        "|---|---:|---:|---:|---:|",
        *diffs, construction, *parses, memory,
        "",
        "## Targets",
        "",
        f"- warm diff of inputs of at most 20 nodes within 1.5× of SymEngine's time (ratio ≥ 0.67): "
        f"{mark[min(diff_ratios) >= 1 / 1.5]}; ratios {min(diff_ratios):.3g} to {max(diff_ratios):.3g}, "
        f"median {statistics.median(diff_ratios):.3g}",
        f"- node construction within 2× of SymEngine's (ratio ≥ 0.5): {mark[construction_ratio >= 0.5]}; "
        f"{construction_ratio:.3g}",
        f"- parse of a 40-character formula within 5× of SymEngine's parser (ratio ≥ 0.2): "
        f"{mark[min(parse_ratios) >= 0.2]}; {', '.join(f'{r:.3g}' for r in parse_ratios)}",
        f"- memory per live node at most twice SymEngine's (ratio ≥ 0.5): {mark[memory_ratio >= 0.5]}; "
        f"{memory_ratio:.3g}",
        f"- {flat} {mark[abs(grown) < 0.05]} (within 5%)",
        "",
    ]
    text = "\n".join(lines)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(text)


if __name__ == "__main__":
    main()
