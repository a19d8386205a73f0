"""Measure hostile and deep input: wall time and peak memory of parse, diff and print.

Each case runs in a fresh subprocess (so peak RSS belongs to that case alone) and is
printed as one row of a markdown table.  Printing uses the command line's path:
shared subexpressions are named once (symdiff.printing.cse) when the written-out
result would be large.  Run:  python3 bench/hostile.py  [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

CASES = [
    # name                          text (a Python expression)                              order  limits
    ("100 000 nested parentheses",  "'(' * 100_000 + 'x' + ')' * 100_000",                   1,     {}),
    ("100 000 unary minuses",       "'-' * 100_000 + 'x'",                                  1,     {}),
    ("x^x^...^x, 10 000 high",      "'^'.join(['x'] * 10_000)",                             1,     {}),
    ("10 000 nested sin",           "'sin(' * 10_000 + 'x' + ')' * 10_000",                 1,     {}),
    ("1 MB sum",                    "'+'.join(f'x^{i % 97}*{i}' for i in range(1, 93_000))", 1,     {}),
    ("1 MB product",                "'*'.join(f'(x+{i})' for i in range(1, 130_000))",      1,     {}),
    ("10^10^10*x",                  "'10^10^10*x'",                                         1,     {}),
    ("9^9^9^9*x",                   "'9^9^9^9*x'",                                          1,     {}),
    ("2^(2^64)*x",                  "'2^(2^64)*x'",                                         1,     {}),
    ("(x+1)^1000000",               "'(x+1)^1000000'",                                      1,     {}),
    ("1e999999",                    "'1e999999'",                                           1,     {}),
    ("x^3 to order 10^8",           "'x^3'",                                                10**8, {}),
    ("sin(x) to order 20 000",      "'sin(x)'",                                             20_000, {}),
]

RUNNER = """
import json, resource, time, sys
from symdiff import parse, diff, to_text, dag_size, SymdiffError
from symdiff.printing import cse
from symdiff.expr import tree_size
text = {text}
out = {{"chars": len(text)}}
def step(name, fn):
    t = time.perf_counter()
    value = fn()
    out[name] = time.perf_counter() - t
    return value
try:
    expr = step("parse", lambda: parse(text))
    d = step("diff", lambda: diff(expr, "x", {order}))
    def show():
        if tree_size(d) > 5_000:
            bindings, result = cse(d)
            return sum(len(to_text(b)) for _, b in bindings) + len(to_text(result))
        return len(to_text(d))
    out["printed"] = step("print", show)
    out["nodes"] = dag_size(d)
    out["outcome"] = "ok"
except SymdiffError as error:
    out["outcome"] = type(error).__name__ + ": " + str(error).splitlines()[0][:70]
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def run(text: str, order: int, timeout: float) -> dict:
    code = textwrap.dedent(RUNNER.format(text=text, order=order))
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"outcome": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"outcome": "crash: " + (done.stderr.strip().splitlines() or ["?"])[-1][:70]}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    print("| case | chars | parse s | diff s | print s | peak RSS MB | result nodes | outcome |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, text, order, _ in CASES:
        r = run(text, order, args.timeout)

        def cell(key, fmt="{:.2f}"):
            return fmt.format(r[key]) if key in r else "–"
        print(f"| {name} | {cell('chars', '{:,}')} | {cell('parse')} | {cell('diff')} | "
              f"{cell('print')} | {cell('peak_mb', '{:,.0f}')} | {cell('nodes', '{:,}')} | "
              f"{r['outcome'].replace('|', '/')} |", flush=True)


if __name__ == "__main__":
    main()
