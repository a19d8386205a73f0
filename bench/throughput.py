"""Throughput under load: formulas per second through the batch command line and the API,
with one and with two processes, and memory over a million distinct formulas.

* CLI: ``symdiff - --wrt x`` reading N formulas from stdin (one process), and two such
  processes at once on N/2 formulas each; formulas per second counts every formula answered.
* API: ``diff(text, "x")`` in a loop over the same N formulas in one process, and in two
  processes at once (multiprocessing), each on its half.
* Memory: one process differentiates --million distinct formulas (default 10^6) through the
  API, reading its resident memory every 50,000; flat means the last reading is close to the
  reading after the first 100,000 (nodes die with the formulas that made them).

Every formula is distinct (random coefficients, exponents and functions, fixed seed), so no
run is helped by a result already interned.  Run:

    python bench/throughput.py                       # about 6 minutes, writes bench/throughput-results.md
    python bench/throughput.py --quick               # about 30 s, prints only
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import subprocess
import sys
import time

FUNCTIONS = ["sin", "cos", "exp", "log", "sqrt", "tanh", "atan", "cosh"]


def formula(rng: random.Random) -> str:
    """A small everyday formula in x (and sometimes y), like the ones people type."""
    f, g = rng.sample(FUNCTIONS, 2)
    a, b, c = rng.randint(2, 999), rng.randint(2, 99), rng.randint(2, 9)
    shape = rng.randrange(5)
    if shape == 0:
        return f"{a}*x^{c} + {f}({b}*x)"
    if shape == 1:
        return f"{f}(x^{c} + {a})*{g}(x/{b})"
    if shape == 2:
        return f"({a}*x + {b})/(x^{c} + {f}(x))"
    if shape == 3:
        return f"{f}({g}(x) + {a})^{c} + y*x^{b}"
    return f"x^{c}*{f}(x)*{g}(x + {a}) - {b}*y*x"


def formulas(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [formula(rng) for _ in range(n)]


def _api_worker(texts: list[str]) -> float:
    from symdiff import diff
    start = time.perf_counter()
    for text in texts:
        diff(text, "x")
    return time.perf_counter() - start


def api_rate(texts: list[str], processes: int) -> float:
    """Formulas per second with ``processes`` workers, each on its share, started together."""
    shares = [texts[i::processes] for i in range(processes)]
    if processes == 1:
        return len(texts) / _api_worker(texts)
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pool.map(_api_worker, [["x"]] * processes)              # warm the workers' imports
        start = time.perf_counter()
        pool.map(_api_worker, shares)
        return len(texts) / (time.perf_counter() - start)


def cli_rate(texts: list[str], processes: int) -> float:
    shares = ["\n".join(texts[i::processes]) + "\n" for i in range(processes)]
    start = time.perf_counter()
    children = [subprocess.Popen([sys.executable, "-m", "symdiff", "-", "--wrt", "x"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in shares]
    answered = 0
    # feed each child from a thread of its own so that both work at once
    import threading
    results = [None] * len(children)

    def feed(i):
        results[i] = children[i].communicate(shares[i])

    threads = [threading.Thread(target=feed, args=(i,)) for i in range(len(children))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    for child, (out, err) in zip(children, results):
        if child.returncode != 0:
            raise SystemExit(f"symdiff - exited {child.returncode}: {err[-500:]}")
        answered += len(out.splitlines())
    if answered != len(texts):
        raise SystemExit(f"{answered} answers for {len(texts)} formulas")
    return len(texts) / elapsed


MEMORY_PROBE = """
import random, sys, time
sys.path.insert(0, {bench!r})
from throughput import formula
from symdiff import diff
from symdiff.limits import resident_memory
from symdiff.expr import live_nodes
rng = random.Random(7)
total, every = {total}, {every}
start = time.perf_counter()
for i in range(1, total + 1):
    diff(formula(rng), "x")
    if i % every == 0:
        print(i, resident_memory() >> 20, live_nodes(), round(time.perf_counter() - start, 1), flush=True)
"""


def memory_run(total: int, every: int) -> list[tuple[int, int, int, float]]:
    code = MEMORY_PROBE.format(bench=os.path.dirname(os.path.abspath(__file__)), total=total,
                               every=every)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [tuple(float(v) if "." in v else int(v) for v in line.split())
            for line in done.stdout.splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formulas", type=int, default=40_000)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="4,000 formulas, 100,000 for memory")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "throughput-results.md"))
    args = parser.parse_args()
    if args.quick:
        args.formulas, args.million = 4_000, 100_000
    texts = formulas(args.formulas, seed=1)
    import symdiff
    lines = ["# Throughput under load", "",
             f"symdiff {symdiff.__version__} ({'compiled core' if symdiff.compiled_core else 'pure Python'}), "
             f"Python {platform.python_version()}, {os.cpu_count()} cores; "
             f"{len(texts):,} distinct formulas (`python bench/throughput.py`).", "",
             "| path | processes | formulas per second |", "|---|---:|---:|"]
    for name, rate in (("API `diff(text, \"x\")`", api_rate), ("CLI `symdiff - --wrt x`", cli_rate)):
        for processes in (1, 2):
            value = rate(texts, processes)
            lines.append(f"| {name} | {processes} | {value:,.0f} |")
            print(lines[-1], flush=True)
    every = max(args.million // 20, 1)
    readings = memory_run(args.million, every)
    lines += ["", f"Memory over {args.million:,} distinct formulas in one process (API):", "",
              "| formulas | resident MB | live nodes | seconds |", "|---:|---:|---:|---:|"]
    lines += [f"| {n:,} | {mb:,} | {nodes:,} | {s} |" for n, mb, nodes, s in readings]
    first, last = readings[min(1, len(readings) - 1)], readings[-1]
    verdict = "flat" if last[1] <= first[1] * 1.1 + 5 else "growing"
    lines += ["", f"Resident memory after {first[0]:,} formulas: {first[1]} MB; after {last[0]:,}: "
              f"{last[1]} MB ({verdict})."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text)


if __name__ == "__main__":
    main()
