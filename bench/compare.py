"""Benchmark symdiff against SymPy and SymEngine on the same derivatives, in the same run.

Run:  pip install '.[bench]'  &&  python bench/compare.py  [--quick] [--out bench/results.md]

For every case the input is built once per system from ONE Python description (a family
function called with that system's namespace: its symbols, its sin/exp/..., Python operators),
outside the timing.  Then, interleaved, for each repetition: symdiff, SymPy, SymEngine in turn.
Timed is what each system does by default to differentiate and simplify:

    symdiff    symdiff.diff(f, x) / symdiff.gradient(f, xs) / symdiff.diff(f, x, k)
    SymPy      sympy.diff(f, x)   / [sympy.diff(f, v) for v in xs] / sympy.diff(f, x, k)
    SymEngine  the same with symengine.diff

Each timing is taken timeit-style: after one gc.collect(), the call is repeated back to back
(at least once, until 50 ms of calls), each call timed alone, and the median per call kept;
the reported time is the median of these over the interleaved repetitions.  Between calls,
outside the timing, SymPy's global cache is cleared (otherwise every call after the first
would be a cache hit) and symdiff's previous result is dropped (so its nodes are built anew).
(A gc.collect() right before every call, as an earlier version did, adds a cold-cache penalty
of about 0.1-0.2 ms to every call of every system, which swamps the sub-millisecond cases.)

Output sizes are measured on each system's PRINTED result by one neutral parser: Python's `ast`
on the text with `^` turned into `**`.  Tree size = every node `ast.walk` yields; distinct
subexpressions = distinct subtrees (what `ast.dump` would tell apart, computed by hash-consing in
linear time).  Python's parser refuses more than 200 nested parentheses; deeper texts are parsed
by `mirror_parse` below, a small iterative parser that builds the very same `ast` nodes (checked
against `ast.parse` on every shallow result).  symdiff prints with `symdiff.to_text`; when the
written-out tree would be too large to print, only symdiff's own dag_size is reported.

Every result is checked numerically at a random point with 30-digit mpmath arithmetic: each
system's derivative is evaluated by one shared evaluator and compared with symdiff's value and
with mpmath.diff (a high-precision central difference) applied to the same family description
evaluated directly in mpmath.
"""

from __future__ import annotations

import argparse
import ast
import gc
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import tempfile
import sys
import time
import zlib
from dataclasses import dataclass, field

# Deep expressions recurse deeply in SymPy (and in ast).  The main thread's stack is fixed at
# exec time, so raise the limit and re-exec once.
_STACK = 1 << 30
if os.environ.get("SYMDIFF_BENCH_EXECED") != "1":
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    want = _STACK if hard == resource.RLIM_INFINITY else min(_STACK, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_STACK, (want, hard))
            os.environ["SYMDIFF_BENCH_EXECED"] = "1"
            os.execv(sys.executable, [sys.executable] + sys.argv)
        except (ValueError, OSError):
            pass
sys.setrecursionlimit(200_000)

import mpmath  # noqa: E402
import symengine  # noqa: E402
import sympy  # noqa: E402
from sympy.core.cache import clear_cache  # noqa: E402

import symdiff  # noqa: E402
from families import logsumexp, rosenbrock, seed, tanh_net  # noqa: E402  (bench/ is on the path)
from symdiff.expr import Add, Call, Const, Mul, Num, Pow, Sym  # noqa: E402

mpmath.mp.dps = 30
SYSTEMS = ("symdiff", "sympy", "symengine")

REPS = 5                 # repetitions per case (medians reported)
CASE_BUDGET = 20.0       # seconds per system and case; fewer repetitions once exceeded
SLOW_RUN = 10.0          # a run slower than this: larger n of the family are skipped
HARD_TIMEOUT = 60.0      # a single run is interrupted after this (SIGALRM; pure-Python only)
PRINT_CAP = 3_000_000    # tree nodes above which a result is not printed


# ------------------------------------------------------------------ namespaces (one per system)

class NS:
    """What a family description may use: sym, num, and the elementary functions."""

    def __init__(self, name, sym, num, **functions):
        self.name, self.sym, self.num = name, sym, num
        for k, v in functions.items():
            setattr(self, k, v)


def _fraction(p, q=1):
    from fractions import Fraction
    return Fraction(p, q)


NAMESPACES = {
    "symdiff": NS("symdiff", symdiff.Symbol, lambda p, q=1: symdiff.Num(_fraction(p, q)),
                  sin=symdiff.sin, cos=symdiff.cos, exp=symdiff.exp, log=symdiff.log,
                  tanh=symdiff.tanh),
    "sympy": NS("sympy", sympy.Symbol, lambda p, q=1: sympy.Rational(p, q),
                sin=sympy.sin, cos=sympy.cos, exp=sympy.exp, log=sympy.log, tanh=sympy.tanh),
    "symengine": NS("symengine", symengine.Symbol, lambda p, q=1: symengine.Rational(p, q),
                    sin=symengine.sin, cos=symengine.cos, exp=symengine.exp, log=symengine.log,
                    tanh=symengine.tanh),
}


def mp_namespace(point):
    """The same descriptions evaluated directly in mpmath: the numeric oracle."""
    return NS("mpmath", lambda name: point[name], lambda p, q=1: mpmath.mpf(p) / q,
              sin=mpmath.sin, cos=mpmath.cos, exp=mpmath.exp, log=mpmath.log, tanh=mpmath.tanh)


# ------------------------------------------------------------------ families

def nested_sin(ns, n):
    e = ns.sym("x")
    for _ in range(n):
        e = ns.sin(e)
    return e


def product(ns, n):
    x = ns.sym("x")
    e = x + ns.num(1)
    for i in range(2, n + 1):
        e = e * (x + ns.num(i))
    return e


def power_tower(ns, n):
    x = ns.sym("x")
    e = x
    for _ in range(n - 1):
        e = x ** e
    return e


def logistic(ns, n):
    e, r = ns.sym("x"), ns.num(37, 10)
    for _ in range(n):
        e = r * e * (ns.num(1) - e)
    return e





def continued_fraction(ns, n):
    e = ns.sym("x")
    for _ in range(n):
        e = ns.num(1) / (ns.num(1) + e)
    return e


def _coefficient(i, j, k):
    return (7 * i + 11 * j + 13 * k + 3 * i * j * k) % 19 - 9 or 1


def dense_poly(ns, n):
    """sum over i+j+k <= n of c_ijk x^i y^j z^k (fixed small integer coefficients)."""
    x, y, z = ns.sym("x"), ns.sym("y"), ns.sym("z")
    e = ns.num(0)
    for i in range(n + 1):
        for j in range(n + 1 - i):
            for k in range(n + 1 - i - j):
                e = e + ns.num(_coefficient(i, j, k)) * x ** ns.num(i) * y ** ns.num(j) * z ** ns.num(k)
    return e


def rational(ns, n):
    """(1 + sum x_i^2) / (1 + sum x_i x_{i+1}); n = 2 is (x^2+y^2+1)/(x*y+1)."""
    xs = [ns.sym(f"x{i}") for i in range(n)]
    num, den = ns.num(1), ns.num(1)
    for i in range(n):
        num = num + xs[i] ** ns.num(2)
    for i in range(n - 1):
        den = den + xs[i] * xs[i + 1]
    return num / den



def _vars(prefix_counts):
    return lambda n: [f"{p}{i}" for i in range(n) for p in prefix_counts]


@dataclass
class Family:
    name: str
    build: object
    ns_full: list            # n values (full run)
    ns_quick: list           # n values (--quick)
    kind: str = "diff"       # diff | gradient | hessian
    order: int = 1
    variables: object = None     # n -> list of names (gradient / hessian)
    domain: tuple = (0.2, 0.8)   # random point range
    dps: int = 30                # mpmath digits for the numeric check


FAMILIES = [
    Family("nested sin, d/dx", nested_sin, [10, 50, 100, 200, 400, 800], [10, 100]),
    Family("nested sin, d^5/dx^5", nested_sin, [1, 2, 4, 8, 16, 32], [1, 4], order=5),
    Family("product (x+1)...(x+n)", product, [5, 10, 20, 40, 80, 120], [5, 20],
           domain=(-0.5, 0.5)),
    Family("power tower x^x^...^x", power_tower, [2, 4, 8, 16, 32, 64], [2, 8],
           domain=(1.05, 1.3)),
    Family("logistic map, r = 3.7", logistic, [2, 4, 8, 16, 32, 64, 128], [2, 8], dps=80),
    Family("Rosenbrock gradient", rosenbrock, [10, 25, 50, 100, 200, 400], [10, 50],
           kind="gradient", variables=lambda n: [f"x{i}" for i in range(n)], domain=(-1.5, 1.5)),
    Family("log-sum-exp gradient", logsumexp, [10, 25, 50, 100, 200, 400], [10, 50],
           kind="gradient", variables=lambda n: [f"x{i}" for i in range(n)], domain=(-1, 1)),
    Family("tanh network gradient (w, b)", tanh_net, [2, 4, 8, 16, 32, 64], [2, 8],
           kind="gradient", variables=lambda n: [f"{p}{k}" for k in range(n) for p in "wb"],
           domain=(-1, 1)),
    Family("continued fraction", continued_fraction, [5, 10, 20, 40, 80, 160], [5, 20],
           domain=(0.2, 2)),
    Family("dense polynomial gradient (x,y,z)", dense_poly, [2, 4, 6, 8, 12, 16], [2, 6],
           kind="gradient", variables=lambda n: ["x", "y", "z"], domain=(-1, 1)),
    Family("rational Hessian", rational, [2, 3, 4, 6, 8, 12], [2, 4],
           kind="hessian", variables=lambda n: [f"x{i}" for i in range(n)], domain=(-0.5, 0.5)),
    Family("seed log(x)+x*y-sin(y) gradient", seed, [1], [1],
           kind="gradient", variables=lambda n: ["x", "y"], domain=(0.5, 2)),
]


FAMILY_KIND = {fam.name: fam.kind for fam in FAMILIES}


# ------------------------------------------------------------------ what is timed

def make_runner(system, fam, f, n):
    names = fam.variables(n) if fam.variables else ["x"]
    if system == "symdiff":
        if fam.kind == "diff":
            return lambda: symdiff.diff(f, "x", fam.order) if fam.order > 1 else symdiff.diff(f, "x")
        if fam.kind == "gradient":
            return lambda: symdiff.gradient(f, names)
        return lambda: symdiff.hessian(f, names)
    lib = sympy if system == "sympy" else symengine
    xs = [lib.Symbol(v) for v in names]
    if fam.kind == "diff":
        return lambda: lib.diff(f, xs[0], fam.order) if fam.order > 1 else lib.diff(f, xs[0])
    if fam.kind == "gradient":
        return lambda: [lib.diff(f, v) for v in xs]

    def hessian():                       # the same algorithm as symdiff.hessian
        first = [lib.diff(f, v) for v in xs]
        rows = [[0] * len(xs) for _ in xs]
        for i, g in enumerate(first):
            for j in range(i, len(xs)):
                rows[i][j] = rows[j][i] = lib.diff(g, xs[j])
        return rows
    return hessian


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


BATCH = 0.05            # seconds: a fast case is called back to back for this long (timeit-style)
MAX_CALLS = 200          # at most this many calls in one batch


def timed(fn, before_each=lambda: None):
    """Time fn timeit-style: after one gc.collect(), call it back to back (at least once,
    until BATCH seconds of calls), timing each call alone; return (median seconds per call,
    last result), or (seconds, Timeout).  Between calls, outside the timing, the previous
    result is dropped and ``before_each`` runs (SymPy: clear its cache), so every call does
    the whole work again."""
    gc.collect()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, HARD_TIMEOUT)
    times, result = [], None
    try:
        while True:
            result = None                       # symdiff: the previous result's nodes die
            before_each()
            t = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t)
            if sum(times) >= BATCH or len(times) >= MAX_CALLS:
                break
    except Timeout:
        return time.perf_counter() - t, Timeout
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return statistics.median(times), result


# ------------------------------------------------------------------ the neutral size measure

def flatten(result):
    """A result as a flat list of expressions (gradient: list; Hessian: upper triangle + mirror)."""
    if isinstance(result, (list, tuple)):
        return [e for item in result for e in flatten(item)]
    return [result]


def fold(root, children, combine, memo):
    """combine(node, values of its children), bottom-up over a DAG, each node once (memo),
    without recursion."""
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if node in memo:
            continue
        kids = children(node)
        if done:
            memo[node] = combine(node, [memo[k] for k in kids])
        else:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if k not in memo)
    return memo[root]


def generic_tree_size(roots, children):
    """Written-out tree size of expressions kept as DAGs (memoised, no printing)."""
    memo = {}
    return sum(fold(root, children, lambda node, sizes: 1 + sum(sizes), memo) for root in roots)


def distinct_nodes(roots, children):
    """Distinct subexpressions of SymPy / SymEngine results, by their own structural equality."""
    seen, stack = set(), list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(children(node))
    return len(seen)


def sym_children(e):
    return e.args


def symdiff_children(e):
    return e.children


def symdiff_dag(roots):
    seen, stack = set(), list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(node.children)
    return len(seen)


def printed(system, result):
    exprs = flatten(result)
    if system == "symdiff":
        texts = [symdiff.to_text(e).replace("^", "**") for e in exprs]
    else:
        texts = [str(e) for e in exprs]
    return texts[0] if not isinstance(result, (list, tuple)) else "[" + ", ".join(texts) + "]"


# Python's tokenizer allows at most 200 nested parentheses.  mirror_parse builds the same ast
# nodes as ast.parse(text, mode="eval").body for the arithmetic the three printers produce.
_BINOPS = {"+": (ast.Add, 10), "-": (ast.Sub, 10), "*": (ast.Mult, 20), "/": (ast.Div, 20),
           "**": (ast.Pow, 40)}


_NUMBER = re.compile(r"\d*\.?\d+(?:[eE][+-]?\d+)?|\d+\.")


def _tokens(text):
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c.isdigit() or c == ".":
            m = _NUMBER.match(text, i)
            yield ("num", m.group())
            i = m.end()
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            yield ("name", text[i:j])
            i = j
        elif text.startswith("**", i):
            yield ("op", "**")
            i += 2
        else:
            yield ("op", c)
            i += 1


def mirror_parse(text):
    """Iterative operator-precedence parser producing Python ast nodes (no recursion)."""
    toks = list(_tokens(text)) + [("end", "")]
    operands, operators = [], []     # operators: ("bin", sym) | ("neg",) | ("(",) | ("call", name, nargs) | ("[", nargs)
    expect_operand = True

    def reduce_top():
        op = operators.pop()
        if op[0] == "neg":
            operands.append(ast.UnaryOp(op=ast.USub(), operand=operands.pop()))
        else:
            right, left = operands.pop(), operands.pop()
            operands.append(ast.BinOp(left=left, op=_BINOPS[op[1]][0](), right=right))

    def prec(op):
        return 30 if op[0] == "neg" else _BINOPS[op[1]][1] if op[0] == "bin" else -1

    def reduce_while(p, right_assoc=False):
        while operators and operators[-1][0] in ("bin", "neg"):
            top = prec(operators[-1])
            if top > p or (top == p and not right_assoc):
                reduce_top()
            else:
                break

    for i, (kind, tok) in enumerate(toks):
        if expect_operand:
            if kind == "num":
                value = float(tok) if any(c in tok for c in ".eE") else int(tok)
                operands.append(ast.Constant(value=value))
                expect_operand = False
            elif kind == "name" and toks[i + 1][1] == "(":
                operators.append(("call", tok, 0))
            elif kind == "name":
                operands.append(ast.Name(id=tok, ctx=ast.Load()))
                expect_operand = False
            elif tok == "-":
                operators.append(("neg",))
            elif tok == "(":
                if operators and operators[-1][0] == "call" and operators[-1][2] == 0 \
                        and len(operators[-1]) == 3:
                    operators[-1] = ("call", operators[-1][1], 0, len(operands))
                else:
                    operators.append(("(",))
            elif tok == "[":
                operators.append(("[", len(operands)))
            else:
                raise SyntaxError(f"unexpected {tok!r}")
        else:
            if kind == "op" and tok in _BINOPS:
                p = _BINOPS[tok][1]
                reduce_while(p, right_assoc=(tok == "**"))
                if tok == "**":
                    # unary minus binds looser than ** on its left: -x**2 is -(x**2)
                    pass
                operators.append(("bin", tok))
                expect_operand = True
            elif tok in (")", ",", "]", ""):
                reduce_while(-1)
                if tok == ",":
                    continue_operand = True
                    expect_operand = continue_operand
                    continue
                if tok == ")":
                    op = operators.pop()
                    if op[0] == "call":
                        args = operands[op[3]:]
                        del operands[op[3]:]
                        operands.append(ast.Call(func=ast.Name(id=op[1], ctx=ast.Load()),
                                                 args=args, keywords=[]))
                    elif op[0] != "(":
                        raise SyntaxError("unbalanced")
                elif tok == "]":
                    op = operators.pop()
                    elts = operands[op[1]:]
                    del operands[op[1]:]
                    operands.append(ast.List(elts=elts, ctx=ast.Load()))
                else:
                    break
            else:
                raise SyntaxError(f"unexpected {tok!r}")
    if len(operands) != 1 or operators:
        raise SyntaxError("incomplete")
    return operands[0]


_checked_mirror = [0]


def parse_neutral(text):
    try:
        tree = ast.parse(text, mode="eval").body
        if _checked_mirror[0] < 400 and len(text) < 20_000:      # keep the mirror honest
            _checked_mirror[0] += 1
            assert ast.dump(mirror_parse(text)) == ast.dump(tree), text[:200]
        return tree, "ast"
    except (SyntaxError, RecursionError, MemoryError):
        return mirror_parse(text), "mirror"


def ast_sizes(text):
    """(tree nodes, distinct subtrees) of the text, as Python's ast sees it."""
    root, how = parse_neutral(text)
    nodes = list(ast.walk(root))                     # breadth-first, iterative
    ids, table = {}, {}
    for node in reversed(nodes):                     # children before parents
        key = [type(node).__name__]
        for _name, value in ast.iter_fields(node):
            if isinstance(value, ast.AST):
                key.append(ids[id(value)])
            elif isinstance(value, list):
                key.append(tuple(ids[id(v)] if isinstance(v, ast.AST) else v for v in value))
            else:
                key.append(repr(value))
        ids[id(node)] = table.setdefault(tuple(key), len(table))
    return len(nodes), len(table), how


# ------------------------------------------------------------------ numeric check

_MP_FUNCS = {"sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan, "exp": mpmath.exp,
             "log": mpmath.log, "tanh": mpmath.tanh, "sinh": mpmath.sinh, "cosh": mpmath.cosh,
             "sech": mpmath.sech, "csch": mpmath.csch, "coth": mpmath.coth, "sec": mpmath.sec,
             "csc": mpmath.csc, "cot": mpmath.cot, "sqrt": mpmath.sqrt}


def _mp_number(text):
    if "/" in text:
        p, q = text.split("/")
        return mpmath.mpf(int(p)) / int(q)
    return mpmath.mpf(text)


def mp_eval(system, roots, point):
    """Evaluate each system's expressions in 30-digit mpmath, memoised over the DAG."""
    memo = {}

    def leaf_or_op(node, vals):
        if system == "symdiff":
            match node:
                case Num(value):
                    return _mp_number(str(value))
                case Const(name):
                    return mpmath.pi if name == "pi" else mpmath.e
                case Sym(name):
                    return point[name]
                case Add():
                    return mpmath.fsum(vals)
                case Mul():
                    return mpmath.fprod(vals)
                case Pow():
                    return vals[0] ** vals[1]
                case Call(fn):
                    return _MP_FUNCS[fn](*vals)
            raise TypeError(type(node))
        if node.is_Symbol:
            return point[str(node)]
        if node.is_Number:
            return _mp_number(str(node))
        if node.is_Add:
            return mpmath.fsum(vals)
        if node.is_Mul:
            return mpmath.fprod(vals)
        if node.is_Pow:
            return vals[0] ** vals[1]
        name = type(node).__name__.lower()
        if name in ("exp1", "exp1_class"):
            return mpmath.e
        if name in ("pi", "pi_class"):
            return mpmath.pi
        if name == "exp" and system == "sympy":
            return mpmath.exp(vals[0])
        return _MP_FUNCS[name](*vals)

    children = symdiff_children if system == "symdiff" else sym_children
    out = []
    for root in roots:
        if not hasattr(root, "args") and not hasattr(root, "children") or isinstance(root, int):
            out.append(mpmath.mpf(root))
            continue
        out.append(fold(root, children, leaf_or_op, memo))
    return out


def close(a, b, tol=1e-12):
    a, b = complex(a), complex(b)
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-30) or abs(a - b) < 1e-25


def oracle(fam, n, point, names, limit=4):
    """mpmath.diff of the family description itself, for a few (sampled) entries."""
    def f_of(name, order):
        def f(t):
            p = dict(point)
            p[name] = t
            return fam.build(mp_namespace(p), n)
        return mpmath.diff(f, point[name], order)

    if fam.kind == "diff":
        return {0: f_of("x", fam.order)}
    rng = random.Random(n)
    if fam.kind == "gradient":
        picks = sorted(rng.sample(range(len(names)), min(limit, len(names))))
        return {i: f_of(names[i], 1) for i in picks}
    m = len(names)
    pairs = sorted(rng.sample([(i, j) for i in range(m) for j in range(m)], min(limit, m * m)))
    out = {}
    for i, j in pairs:
        def fx(t, i=i, j=j):
            p = dict(point)
            p[names[j]] = t
            def g(s):
                q = dict(p)
                q[names[i]] = s
                return fam.build(mp_namespace(q), n)
            return mpmath.diff(g, p[names[i]])
        out[i * m + j] = mpmath.diff(fx, point[names[j]]) if i != j else f_of(names[i], 2)
    return out


# ------------------------------------------------------------------ one case

@dataclass
class Row:
    family: str
    n: int
    times: dict = field(default_factory=dict)      # system -> median seconds | None
    runs: dict = field(default_factory=dict)       # system -> number of runs
    status: dict = field(default_factory=dict)     # system -> "" | "timeout" | "skipped" | error
    tree: dict = field(default_factory=dict)       # system -> ast tree nodes | None
    distinct: dict = field(default_factory=dict)   # system -> ast distinct subtrees | None
    dag: int | None = None                         # symdiff's own dag_size of its result
    input_dag: int | None = None                   # symdiff's dag_size of the input
    own: dict = field(default_factory=dict)        # system -> distinct nodes of its own result
    written: dict = field(default_factory=dict)    # system -> written tree size (no printing)
    check: dict = field(default_factory=dict)      # system -> "✓" | "✗" | "–"
    note: str = ""


def run_case(fam, n, skip, log):
    row = Row(fam.name, n)
    inputs, results = {}, {}
    for s in SYSTEMS:
        if s not in skip:
            inputs[s] = fam.build(NAMESPACES[s], n)
    samples = {s: [] for s in SYSTEMS}
    for _rep in range(REPS):
        for s in SYSTEMS:
            if s in skip or s not in inputs:
                continue
            if samples[s] and (sum(samples[s]) > CASE_BUDGET or samples[s][-1] > SLOW_RUN):
                continue
            results.pop(s, None)
            try:
                t, r = timed(make_runner(s, fam, inputs[s], n),
                             clear_cache if s == "sympy" else (lambda: None))
            except Exception as error:          # a system refusing the case is a result too
                row.status[s] = f"error: {type(error).__name__}"
                inputs.pop(s)
                log(f"    {s}: {type(error).__name__}: {str(error)[:100]}")
                continue
            if r is Timeout:
                row.status[s] = "timeout"
                inputs.pop(s)
                continue
            samples[s].append(t)
            results[s] = r
    for s in SYSTEMS:
        if s in skip:
            row.status[s] = "skipped"
        if samples[s] and s not in row.status:
            row.times[s] = statistics.median(samples[s])
            row.runs[s] = len(samples[s])
        else:
            row.times[s] = None

    # sizes
    if "symdiff" in inputs:
        row.input_dag = symdiff_dag([inputs["symdiff"]])
    for s, r in results.items():
        exprs = flatten(r)
        if s == "symdiff":
            row.dag = row.own[s] = symdiff_dag(exprs)
            row.written[s] = generic_tree_size(exprs, symdiff_children)
        else:
            exprs = [e for e in exprs if not isinstance(e, int)]
            row.own[s] = distinct_nodes(exprs, sym_children)
            row.written[s] = generic_tree_size(exprs, sym_children)
        if row.written[s] > PRINT_CAP:
            row.tree[s] = row.distinct[s] = None
            continue
        text = printed(s, r)
        row.tree[s], row.distinct[s], how = ast_sizes(text)
        if how == "mirror" and "mirror" not in row.note:
            row.note += "deep: mirror parser; "

    with mpmath.workdps(fam.dps):     # chaotic families need more digits
        numeric_check(row, fam, n, inputs, results)
    return row


def numeric_check(row, fam, n, inputs, results):
    """Every result's value at a random point against the mpmath oracle and symdiff's value."""
    names = fam.variables(n) if fam.variables else ["x"]
    rng = random.Random(zlib.crc32(f"{fam.name}/{n}".encode()))
    lo, hi = fam.domain
    point = {v: mpmath.mpf(round(rng.uniform(lo, hi), 6)) for v in names}
    if fam.kind == "diff":
        point = {"x": point["x"]}
    free = set()
    for s in ("symdiff",):
        if s in inputs:
            free = inputs[s].free
    for v in free:
        point.setdefault(v, mpmath.mpf(round(rng.uniform(lo, hi), 6)))
    try:
        want = oracle(fam, n, point, names)
    except Exception as error:
        want = {}
        row.note += f"oracle failed ({type(error).__name__}); "
    values = {}
    for s, r in results.items():
        try:
            values[s] = mp_eval(s, flatten(r), point)
        except Exception as error:
            values[s] = None
            row.note += f"{s} eval failed ({type(error).__name__}: {error}); "
    ref = values.get("symdiff")
    for s in SYSTEMS:
        v = values.get(s)
        if v is None:
            row.check[s] = "–"
            continue
        ok = all(close(v[i], w, 1e-15) for i, w in want.items())
        if ref is not None and s != "symdiff":
            ok = ok and all(close(a, b) for a, b in zip(v, ref))
        row.check[s] = "✓" if ok else "✗"


# ------------------------------------------------------------------ formatting

def fmt_t(t):
    if t is None:
        return "–"
    if t < 1e-3:
        return f"{t * 1e6:.0f} µs"
    if t < 1:
        return f"{t * 1e3:.1f} ms"
    return f"{t:.2f} s"


def fmt_n(v):
    return "–" if v is None else f"{v:,}"


def fmt_ratio(a, b):
    if a is None or b is None:
        return "–"
    r = a / b
    return f"{r:.3g}×"


def cell_time(row, s):
    if row.times.get(s) is None:
        return row.status.get(s, "–") or "–"
    return fmt_t(row.times[s]) + (f" ({row.runs[s]})" if row.runs[s] != REPS else "")


def size_cell(row, s):
    if row.tree.get(s) is not None:
        return f"{fmt_n(row.tree[s])} / {fmt_n(row.distinct[s])}"
    if row.written.get(s) is not None:
        return f"({fmt_n(row.written[s])} / –)"
    return "–"


def table(rows):
    out = ["| case | n | symdiff | SymPy | SymEngine | SymPy/symdiff | SymEngine/symdiff "
           "| symdiff tree / distinct | SymPy tree / distinct | SymEngine tree / distinct "
           "| DAG: input → symdiff | SymEngine own | check sd/sp/se | notes |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---|"]
    for r in rows:
        out.append(
            f"| {r.family} | {r.n} | {cell_time(r, 'symdiff')} | {cell_time(r, 'sympy')} "
            f"| {cell_time(r, 'symengine')} | {fmt_ratio(r.times.get('sympy'), r.times.get('symdiff'))} "
            f"| {fmt_ratio(r.times.get('symengine'), r.times.get('symdiff'))} "
            f"| {size_cell(r, 'symdiff')} | {size_cell(r, 'sympy')} | {size_cell(r, 'symengine')} "
            f"| {fmt_n(r.input_dag)} → {fmt_n(r.dag)} | {fmt_n(r.own.get('symengine'))} "
            f"| {r.check.get('symdiff', '–')}{r.check.get('sympy', '–')}"
            f"{r.check.get('symengine', '–')} | {r.note.strip('; ')} |")
    return "\n".join(out)


def slope(points):
    pts = [(math.log(n), math.log(v)) for n, v in points if v and v > 0]
    if len(pts) < 2 or len({p[0] for p in pts}) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def growth(rows):
    out = ["| family | n range | time: symdiff | SymPy | SymEngine "
           "| size (ast tree): symdiff | SymPy | SymEngine | symdiff DAG | distinct: symdiff | SymPy | SymEngine |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    fams = []
    for r in rows:
        if r.family not in fams:
            fams.append(r.family)
    result = {}
    for f in fams:
        rs = [r for r in rows if r.family == f]
        if len(rs) < 2:
            continue

        def k(get):
            v = slope([(r.n, get(r)) for r in rs])
            return "–" if v is None else f"{v:.2f}"
        cells = [k(lambda r, s=s: r.times.get(s)) for s in SYSTEMS]
        cells += [k(lambda r, s=s: r.tree.get(s) or r.written.get(s)) for s in SYSTEMS]
        cells += [k(lambda r: r.dag)]
        cells += [k(lambda r, s=s: r.distinct.get(s)) for s in SYSTEMS]
        result[f] = cells
        out.append(f"| {f} | {rs[0].n}–{rs[-1].n} | " + " | ".join(cells) + " |")
    return "\n".join(out)


# ------------------------------------------------------------------ the targets (issues 3 and 20)

def mark(ok):
    return "met" if ok else "**not met**"


def _ratios(rows, peer):
    """(peer time / symdiff time, row) for every row both timed, lowest first."""
    return sorted(((r.times[peer] / r.times["symdiff"], r) for r in rows
                   if r.times.get(peer) and r.times.get("symdiff")), key=lambda item: item[0])


def _case(r):
    return f"{r.family}, n = {r.n}"


def families(rows):
    """Per family, over every size: SymEngine's time over symdiff's (median, lowest, highest,
    and at the largest size both ran), and the cases where symdiff's DAG is larger than
    SymEngine's own expression, so that wins and losses are read off every family alike."""
    out = ["| family | cases | SymEngine/symdiff median | lowest | highest | at the largest n both ran "
           "| symdiff DAG larger than SymEngine's own |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    names = list(dict.fromkeys(r.family for r in rows))
    for name in names:
        rs = [r for r in rows if r.family == name]
        ratios = [(x, r) for x, r in _ratios(rs, "symengine")]
        if not ratios:
            continue
        values = [x for x, _ in ratios]
        last = max(ratios, key=lambda item: item[1].n)
        larger = [r for r in rs if r.dag and r.own.get("symengine") and r.dag > r.own["symengine"]]
        dags = sum(1 for r in rs if r.dag and r.own.get("symengine"))
        out.append(f"| {name} | {len(ratios)} | {statistics.median(values):.3g}× | {values[0]:.3g}× "
                   f"| {values[-1]:.3g}× | {last[0]:.3g}× (n = {last[1].n}) | {len(larger)} of {dags} |")
    return "\n".join(out)


def targets(rows):
    """One line per target, with the figures that decide it: issue 20's (time against SymPy and
    SymEngine over every case, output DAGs against SymEngine's own), and issue 3's gradient bound."""
    lines = []
    sympy_ratios = _ratios(rows, "sympy")
    if sympy_ratios:
        median = statistics.median(x for x, _ in sympy_ratios)
        low, low_row = sympy_ratios[0]
        slower = [r for x, r in sympy_ratios if x < 1]
        lines.append(f"- SymPy/symdiff time: median {median:.3g}× over {len(sympy_ratios)} cases (issue 20's "
                     f"target ≥ 500×: {mark(median >= 500)}); lowest {low:.3g}× ({_case(low_row)}); "
                     f"slower than SymPy on {len(slower)} cases")
    engine_ratios = _ratios(rows, "symengine")
    if engine_ratios:
        median = statistics.median(x for x, _ in engine_ratios)
        low, low_row = engine_ratios[0]
        faster = sum(1 for x, _ in engine_ratios if x >= 1)
        below = [r for x, r in engine_ratios if x < 0.25]
        lines.append(f"- SymEngine/symdiff time: median {median:.3g}× over {len(engine_ratios)} cases, every "
                     f"family (target ≥ 1: {mark(median >= 1)}); symdiff faster on {faster} of them; lowest "
                     f"{low:.3g}× ({_case(low_row)}); below 0.25× on {len(below)} cases (target 0: "
                     f"{mark(not below)})")
    gradient_rows = [r for r in rows if FAMILY_KIND.get(r.family) == "gradient" and r.dag and r.input_dag]
    if gradient_rows:
        worst = max(gradient_rows, key=lambda r: r.dag / r.input_dag)
        lines.append(f"- gradient DAG / input DAG: at most {worst.dag / worst.input_dag:.2f} "
                     f"({_case(worst)}) over {len(gradient_rows)} gradient cases "
                     f"(issue 3's target ≤ 5: {mark(worst.dag <= 5 * worst.input_dag)})")
    own = [r for r in rows if r.dag and r.own.get("symengine")]
    larger = [r for r in own if r.dag > r.own["symengine"]]
    lines.append(f"- output DAG (symdiff's distinct nodes against SymEngine's own count of its result's "
                 f"distinct nodes): symdiff's larger on {len(larger)} of {len(own)} cases"
                 + (": " + "; ".join(f"{_case(r)} ({r.dag:,} vs {r.own['symengine']:,})" for r in larger)
                    if larger else ""))
    printed = [r for r in rows if r.distinct.get("symdiff") is not None and r.distinct.get("symengine") is not None]
    larger_printed = [r for r in printed if r.distinct["symdiff"] > r.distinct["symengine"]]
    lines.append(f"- distinct subtrees of the printed text (a different measure: it sees what printing "
                 f"shares, not the DAG): symdiff's more on {len(larger_printed)} of {len(printed)} cases")
    return "\n".join(lines)


# ------------------------------------------------------------------ extras

def _commit():
    """The commit measured (with a mark if the tree has changes), so that figures name their source."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "symdiff"], cwd=here,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes in symdiff/" if dirty else "")


def _console_script():
    """The symdiff script of this interpreter's environment (beside it), else the one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "symdiff")
    return beside if os.path.exists(beside) else shutil.which("symdiff")


def extras(log):
    lines = []
    x3 = symdiff.parse("x^3")
    ts = []
    for _ in range(5):
        t, r = timed(lambda: symdiff.diff(x3, "x", 10 ** 8))
        ts.append(t)
    lines.append(f"- `symdiff.diff('x^3', 'x', 10**8)` returns `{r}`: median {fmt_t(statistics.median(ts))} "
                 f"(5 runs).")
    for label, cmd in [("python -m symdiff", [sys.executable, "-m", "symdiff"]),
                       ("symdiff (console script)", [_console_script()])]:
        if cmd[0] is None:
            lines.append(f"- `{label}`: not on PATH")
            continue
        if ".pyenv/shims" in cmd[0]:
            lines.append(f"- `{label}`: `{cmd[0]}` is a pyenv shim (its own start-up dominates); not timed")
            continue
        ts = []
        elsewhere = tempfile.mkdtemp()        # not the checkout: `python -m` would import its source
        for _ in range(10):
            t = time.perf_counter()
            p = subprocess.run(cmd + ["log(x)+x*y-sin(y)", "--wrt", "x"], capture_output=True, text=True,
                               cwd=elsewhere)
            ts.append(time.perf_counter() - t)
        lines.append(f"- cold start `{label} \"log(x)+x*y-sin(y)\" --wrt x` → `{p.stdout.strip()}`: "
                     f"median {fmt_t(statistics.median(ts))} (10 runs, min {fmt_t(min(ts))})")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"])
    lines.append(f"- for scale: bare `python -c pass` {fmt_t(time.perf_counter() - t)}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two small n per family, 2 repetitions")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.md"))
    ap.add_argument("--only", default="", help="run only families whose name contains this")
    args = ap.parse_args()
    global REPS
    if args.quick:
        REPS = 2

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    rows = []
    for fam in FAMILIES:
        if args.only and args.only not in fam.name:
            continue
        skip = set()
        for n in (fam.ns_quick if args.quick else fam.ns_full):
            row = run_case(fam, n, skip, log)
            rows.append(row)
            log(f"{fam.name:38} n={n:<4} " + "  ".join(
                f"{s}={cell_time(row, s)}" for s in SYSTEMS) + f"  check={''.join(row.check.get(s, '–') for s in SYSTEMS)}"
                f"  sizes={[size_cell(row, s) for s in SYSTEMS]} dag={row.dag}")
            for s in SYSTEMS:
                t = row.times.get(s)
                if row.status.get(s) in ("timeout",) or (t is not None and t > SLOW_RUN):
                    skip.add(s)
    ratios_sp = [r.times["sympy"] / r.times["symdiff"] for r in rows
                 if r.times.get("sympy") and r.times.get("symdiff")]
    ratios_se = [r.times["symengine"] / r.times["symdiff"] for r in rows
                 if r.times.get("symengine") and r.times.get("symdiff")]
    extra = extras(log)
    elapsed = time.perf_counter() - start
    doc = "\n\n".join([
        "# symdiff vs SymPy vs SymEngine",
        f"Python {platform.python_version()}, sympy {sympy.__version__}, symengine {symengine.__version__}, "
        f"symdiff {symdiff.__version__} ({'compiled core' if symdiff.compiled_core else 'pure Python'}) "
        f"at commit {_commit()}; {platform.machine()}, {os.cpu_count()} CPUs; "
        f"whole run {elapsed:.0f} s.  Times are medians of up to {REPS} interleaved runs "
        "(a number in brackets: fewer runs, because the case was slow).  Sizes are "
        "`ast tree nodes / distinct subtrees` of the printed result; in brackets: the written-out "
        "tree size computed without printing (too large to print).  Check: ✓ = agrees with the "
        "30-digit mpmath difference quotient of the input and with symdiff's value; order symdiff/SymPy/SymEngine.",
        table(rows),
        "## Growth exponents (slope of log(·) against log(n))",
        growth(rows),
        "## Per family (SymEngine's time over symdiff's: above 1 symdiff is faster)",
        families(rows),
        "## Targets",
        targets(rows),
        "## Summary",
        f"- median time ratio SymPy/symdiff: {statistics.median(ratios_sp):.3g}× over {len(ratios_sp)} cases "
        f"(min {min(ratios_sp):.3g}×, max {max(ratios_sp):.3g}×)" if ratios_sp else "- no SymPy ratios",
        f"- median time ratio SymEngine/symdiff: {statistics.median(ratios_se):.3g}× over {len(ratios_se)} cases "
        f"(min {min(ratios_se):.3g}×, max {max(ratios_se):.3g}×)" if ratios_se else "- no SymEngine ratios",
        "## Extremes and start-up",
        extra,
    ]) + "\n"
    print(doc)
    with open(args.out, "w") as fh:
        fh.write(doc)


if __name__ == "__main__":
    main()
