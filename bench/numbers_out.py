"""Numbers out: derivatives evaluated at many points, symdiff against SymEngine, CasADi and SymPy.

Run:  pip install -e '.[bench]'  &&  python bench/numbers_out.py  [--quick] [--large] [--out FILE] [--only TEXT]

About 10 minutes on 2 cores; --quick (smallest sizes, N = 10,000, prints only) under a minute;
--large adds the slowest cases (log-sum-exp Hessian and Jacobian at n = 100, the tanh network's
Hessian at depth 16, the 2-layer net at width 16), about 25 minutes more.

The targets of issue 18, measured in one run.  For every case (a family, a size, a kind of
derivative: gradient, Jacobian or Hessian) each tool starts from the same formula, built from
ONE Python description per family (a function of a namespace: its symbols, its exp/log/tanh,
Python's operators), differentiates it with its own engine and makes one callable:

    symdiff numpy     symdiff.gradient / jacobian / hessian, then symdiff.lambdify(..., backend="numpy")
    symdiff C         the same, then backend="c" (C99 compiled by cc into a shared library called
                      through ctypes; the options are in the report's header, see
                      symdiff.codegen.C_BUILDS)
    SymEngine         symengine.diff per entry (a Hessian: the upper triangle, mirrored), then
                      symengine.Lambdify with backend "lambda" and "llvm" (the default is "llvm" in a
                      build that has it, as this one does), each with cse=False (the default) and True
    CasADi            SX symbols; casadi.gradient / jacobian / hessian; a Function of the stacked
                      variables (output densified); evaluated through f.map(N) ("serial") and
                      f.map(N, "thread", 2)
    SymPy             sympy.diff per entry (a Hessian as above), then sympy.lambdify(..., "numpy")

Preparation (derivative + callable, including C compilation, LLVM code generation and
CasADi's map) and evaluation are timed separately.  The N points are random in the family's
domain (fixed seed) and every tool gets them in the layout it prefers, built before timing:

    symdiff NumPy     f(*columns): one contiguous float64 array of N values per variable;
                      out shape outputs + (N,)
    symdiff C         f.at_points(X), X of shape (N, nvars), C order, as SymEngine; out shape
                      outputs + (N,) (a view of the point-by-point array)
    SymEngine         f(X), X of shape (N, nvars), C order; out shape (N,) + outputs
    CasADi            F(X), X a casadi.DM of shape (nvars, N) (converted before timing); the
                      timed call includes .full() (a dense NumPy array, as the others return):
                      (m, N) for a vector, (m, p*N) for a matrix (N blocks side by side)
    SymPy             f(*columns), as symdiff; out: nested lists of arrays (a constant entry is
                      a bare number, not broadcast; the timing does not pay for assembling them)

Evaluation time is the median of several calls at N points (one call first, untimed: LLVM and
CasADi do work on the first call).  Each tool runs, preparation and evaluation, in a child
process forked for it, under a time limit; a tool that runs out of it is reported "timeout" and
not run again at larger sizes of the family.  A call estimated (from a small first call) to
take more than EVAL_CAP seconds at N points is timed on fewer points and scaled to N; the
table marks such times with "≈".  Outputs are dense: a matrix of n*n entries at N points is n*n*N
doubles, so where that would exceed MAX_VALUES, N is lowered for the case (the table says so).

Every tool's values at the first points are checked against symdiff.evaluate applied to
symdiff's own derivative, point by point (|got - ref| <= RTOL * max(|ref|, FLOOR * the largest
|ref| at that point)); symdiff's NumPy and C outputs are also compared with each other on up to
1,000 points.  A disagreement is reported in the results; if symdiff's own backends disagree,
the script exits with status 1 (after writing the results).
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))

import argparse  # noqa: E402
import gc  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from fractions import Fraction  # noqa: E402
from importlib import metadata  # noqa: E402

import casadi  # noqa: E402
import numpy as np  # noqa: E402
import symengine  # noqa: E402
import sympy  # noqa: E402

import symdiff  # noqa: E402
import symdiff.codegen  # noqa: E402
from families import logsumexp, rosenbrock, seed, tanh_net  # noqa: E402  (bench/ is on the path)

N_POINTS = 100_000
MAX_VALUES = 50_000_000          # output doubles per call (400 MB); above this N is lowered
EVAL_CAP = 1.0                   # seconds: a longer call is timed on fewer points, scaled to N
REPEATS = 5                      # timed calls per tool and case at least (3 when a call takes > 0.5 s),
BATCH = 0.25                     # and more, up to MAX_CALLS, until this many seconds of calls: a
MAX_CALLS = 100                  # sub-millisecond call timed 5 times in a new process was noisy
TOOL_LIMIT = 40.0                # seconds per tool and case, preparation and evaluation together
CHECK_POINTS = 50                # points checked against symdiff.evaluate (fewer for large outputs)
CHECK_EVALS = 25_000             # at most this many symdiff.evaluate calls per case
CROSS_POINTS = 1_000             # points on which symdiff's NumPy and C outputs are compared
RTOL, FLOOR = 1e-12, 1e-3
SEED = 20240518


# ------------------------------------------------------------------ namespaces (one per tool)

class NS:
    """What a family description may use: sym(name), num(p, q), exp, log, sin, cos, tanh."""

    def __init__(self, sym, num, **functions):
        self.sym, self.num = sym, num
        for k, v in functions.items():
            setattr(self, k, v)


def symdiff_ns():
    return NS(symdiff.Symbol, lambda p, q=1: symdiff.Num(Fraction(p, q)),
              exp=symdiff.exp, log=symdiff.log, sin=symdiff.sin, cos=symdiff.cos, tanh=symdiff.tanh)


def symengine_ns():
    return NS(symengine.Symbol, lambda p, q=1: symengine.Rational(p, q),
              exp=symengine.exp, log=symengine.log, sin=symengine.sin, cos=symengine.cos, tanh=symengine.tanh)


def sympy_ns():
    return NS(sympy.Symbol, lambda p, q=1: sympy.Rational(p, q),
              exp=sympy.exp, log=sympy.log, sin=sympy.sin, cos=sympy.cos, tanh=sympy.tanh)


def casadi_ns(names):
    symbols = {name: casadi.SX.sym(name) for name in names}
    ns = NS(symbols.__getitem__, lambda p, q=1: p / q,
            exp=casadi.exp, log=casadi.log, sin=casadi.sin, cos=casadi.cos, tanh=casadi.tanh)
    ns.symbols = [symbols[name] for name in names]
    return ns


# ------------------------------------------------------------------ families
#
# rosenbrock, logsumexp, tanh_net and seed are bench/compare.py's families too (bench/families.py).


def rosenbrock_residuals(ns, n):
    """The least-squares form of Rosenbrock: sum of r_k^2 is rosenbrock(n); 2(n-1) outputs."""
    xs = [ns.sym(f"x{i}") for i in range(n)]
    out = []
    for i in range(n - 1):
        out += [ns.num(10) * (xs[i + 1] - xs[i] ** 2), ns.num(1) - xs[i]]
    return out



def softmax(ns, n):
    """exp(x_i) / sum_j exp(x_j): the vector function whose Jacobian is log-sum-exp's Hessian."""
    exps = [ns.exp(ns.sym(f"x{i}")) for i in range(n)]
    total = ns.num(0)
    for e in exps:
        total = total + e
    return [e / total for e in exps]



def _weight(i, j, layer):
    """Fixed small rational weights, never 0."""
    return Fraction((7 * i + 11 * j + 5 * layer) % 9 - 4 or 1, 4)


def tanh_layers(ns, m):
    """A two-layer tanh network of width m with fixed weights: y = tanh(B tanh(A x + a) + b)."""
    xs = [ns.sym(f"x{j}") for j in range(m)]

    def layer(inputs, number):
        outs = []
        for i in range(m):
            s = ns.num(_weight(i, m, number).numerator, 8)
            for j, v in enumerate(inputs):
                w = _weight(i, j, number)
                s = s + ns.num(w.numerator, w.denominator) * v
            outs.append(ns.tanh(s))
        return outs
    return layer(layer(xs, 1), 2)



def seed_gradient(ns, n):
    """The seed's gradient written out, (y + 1/x, x - cos(y)): a vector function whose
    Jacobian is the seed's Hessian."""
    x, y = ns.sym("x"), ns.sym("y")
    return [y + ns.num(1) / x, x - ns.cos(y)]


@dataclass
class Case:
    family: str
    size: int
    kind: str                # gradient | Jacobian | Hessian
    build: object            # ns -> expression (gradient, Hessian) or list (Jacobian)
    inputs: list             # the callable's arguments, in order
    wrt: list                # the variables differentiated by
    domain: tuple
    what: str                # what is differentiated, for the table

    @property
    def title(self):
        return f"{self.family} n={self.size}, {self.kind}"


def cases(quick, large=False):
    out = []

    def xs(n):
        return [f"x{i}" for i in range(n)]

    out += [Case("seed log(x)+x*y-sin(y)", 2, "gradient", lambda ns: seed(ns, 1), ["x", "y"], ["x", "y"],
                 (0.5, 2.0), "f"),
            Case("seed log(x)+x*y-sin(y)", 2, "Hessian", lambda ns: seed(ns, 1), ["x", "y"], ["x", "y"],
                 (0.5, 2.0), "f"),
            Case("seed log(x)+x*y-sin(y)", 2, "Jacobian", lambda ns: seed_gradient(ns, 1), ["x", "y"],
                 ["x", "y"], (0.5, 2.0), "its gradient written out, (y + 1/x, x - cos(y))")]
    for n in ([10] if quick else [10, 100]):
        out += [Case("Rosenbrock", n, "gradient", lambda ns, n=n: rosenbrock(ns, n), xs(n), xs(n),
                     (-1.5, 1.5), "f"),
                Case("Rosenbrock", n, "Hessian", lambda ns, n=n: rosenbrock(ns, n), xs(n), xs(n),
                     (-1.5, 1.5), "f"),
                Case("Rosenbrock", n, "Jacobian", lambda ns, n=n: rosenbrock_residuals(ns, n), xs(n),
                     xs(n), (-1.5, 1.5), f"residuals r (sum r_k^2 = f), {2 * (n - 1)} outputs")]
    for n in ([10] if quick else [10, 100]):
        out.append(Case("log-sum-exp", n, "gradient", lambda ns, n=n: logsumexp(ns, n), xs(n), xs(n),
                        (-1.0, 1.0), "f"))
    for n in ([10] if quick else [10, 30, 100] if large else [10, 30]):
        out += [Case("log-sum-exp", n, "Hessian", lambda ns, n=n: logsumexp(ns, n), xs(n), xs(n),
                     (-1.0, 1.0), "f"),
                Case("log-sum-exp", n, "Jacobian", lambda ns, n=n: softmax(ns, n), xs(n), xs(n),
                     (-1.0, 1.0), "softmax, n outputs")]
    for n in ([2] if quick else [2, 8, 16]):
        wb = [f"{p}{k}" for k in range(n) for p in "wb"]
        out.append(Case("tanh network", n, "gradient", lambda ns, n=n: tanh_net(ns, n), ["x", *wb], wb,
                        (-1.0, 1.0), f"depth {n}, by the {2 * n} weights (x an input)"))
    for n in ([2] if quick else [2, 8, 16] if large else [2, 8]):
        wb = [f"{p}{k}" for k in range(n) for p in "wb"]
        out.append(Case("tanh network", n, "Hessian", lambda ns, n=n: tanh_net(ns, n), ["x", *wb], wb,
                        (-1.0, 1.0), f"depth {n}, by the {2 * n} weights (x an input)"))
    for m in ([4] if quick else [4, 8, 16] if large else [4, 8]):
        out.append(Case("tanh 2-layer net", m, "Jacobian", lambda ns, m=m: tanh_layers(ns, m), xs(m),
                        xs(m), (-1.0, 1.0), f"width {m}: outputs by inputs, fixed weights"))
    return out


def output_shape(case):
    k = len(case.wrt)
    if case.kind == "gradient":
        return (k,)
    if case.kind == "Hessian":
        return (k, k)
    return (len(case.build(symengine_ns())), k)


# ------------------------------------------------------------------ the tools
#
# Each tool is a function (case, X) -> prepare: ``prepare(lap)`` differentiates, calls lap()
# (the derivative's time), makes the callable (all of it timed as preparation) and returns
# ``at(n)``, which returns a pair
# (call, canonical): ``call()`` evaluates at the first n points (the timed call; its inputs
# are built by at(n), before timing) and ``canonical(result, k)`` is its value at the first k
# points as an array of shape outputs + (k,).

def entries(diff, f, wrt, kind):
    """A gradient, Jacobian or Hessian as nested lists, one diff call per entry (a Hessian:
    the upper triangle, mirrored, the algorithm of symdiff.hessian and of bench/compare.py)."""
    if kind == "gradient":
        return [diff(f, v) for v in wrt]
    if kind == "Jacobian":
        return [[diff(fi, v) for v in wrt] for fi in f]
    first = [diff(f, v) for v in wrt]
    rows = [[0] * len(wrt) for _ in wrt]
    for i, g in enumerate(first):
        for j in range(i, len(wrt)):
            rows[i][j] = rows[j][i] = diff(g, wrt[j])
    return rows


def symdiff_derivative(case, f):
    if case.kind == "gradient":
        return symdiff.gradient(f, case.wrt)
    if case.kind == "Jacobian":
        return symdiff.jacobian(f, case.wrt)
    return symdiff.hessian(f, case.wrt)


def columns_at(X, n):
    return [np.ascontiguousarray(X[i, :n]) for i in range(X.shape[0])]


def tool_symdiff(backend):
    """symdiff's lambdify: NumPy given columns (one array per variable), C given rows as
    SymEngine is (fn.at_points, one row of arguments per point: the layout it reads fastest)."""
    def tool(case, X):
        f = case.build(symdiff_ns())
        rows = np.ascontiguousarray(X.T) if backend == "c" else None     # (N, nvars), C order

        def prepare(lap):
            d = symdiff_derivative(case, f)
            lap()
            fn = symdiff.lambdify(case.inputs, d, backend=backend)

            def at(n):
                if rows is not None:
                    batch = rows[:n]
                    return (lambda: fn.at_points(batch)), (lambda r, k: np.array(r[..., :k]))
                cols = columns_at(X, n)
                return (lambda: fn(*cols)), (lambda r, k: np.array(r[..., :k]))
            return at
        return prepare
    return tool


def tool_symengine(backend, cse):
    def tool(case, X):
        f = case.build(symengine_ns())
        wrt = [symengine.Symbol(v) for v in case.wrt]
        inputs = [symengine.Symbol(v) for v in case.inputs]
        rows = np.ascontiguousarray(X.T)              # (N, nvars), C order

        def prepare(lap):
            d = entries(symengine.diff, f, wrt, case.kind)
            lap()
            fn = symengine.Lambdify(inputs, d, backend=backend, cse=cse)

            def at(n):
                batch = rows[:n]                      # contiguous: the first n rows
                return (lambda: fn(batch)), (lambda r, k: np.moveaxis(np.asarray(r)[:k], 0, -1).copy())
            return at
        return prepare
    return tool


def tool_casadi(parallel):
    def tool(case, X):
        ns = casadi_ns(case.inputs)
        f = case.build(ns)
        x = casadi.vertcat(*ns.symbols)
        w = casadi.vertcat(*[ns.sym(v) for v in case.wrt])
        N = X.shape[1]

        def mapped(fn, n):
            return fn.map(n, "thread", 2) if parallel else fn.map(n, "serial")

        def prepare(lap):
            if case.kind == "gradient":
                d = casadi.gradient(f, w)
            elif case.kind == "Jacobian":
                d = casadi.jacobian(casadi.vertcat(*f), w)
            else:
                d = casadi.hessian(f, w)[0]
            lap()
            fn = casadi.Function("f", [x], [casadi.densify(d)])
            full = mapped(fn, N)
            rows, cols = d.shape

            def at(n):
                many = full if n == N else mapped(fn, n)
                dm = casadi.DM(np.ascontiguousarray(X[:, :n]))

                def canonical(r, k):
                    if case.kind == "gradient":
                        return np.array(r[:, :k])
                    return np.array(r.reshape(rows, n, cols)[:, :k, :].transpose(0, 2, 1))
                return (lambda: many(dm).full()), canonical
            return at
        return prepare
    return tool


def tool_sympy(case, X):
    f = case.build(sympy_ns())
    wrt = [sympy.Symbol(v) for v in case.wrt]
    inputs = [sympy.Symbol(v) for v in case.inputs]
    shape = output_shape(case)

    def prepare(lap):
        d = entries(sympy.diff, f, wrt, case.kind)
        lap()
        fn = sympy.lambdify(inputs, d, "numpy")

        def at(n):
            cols = columns_at(X, n)

            def dense():
                """SymPy's nested lists (a constant entry a bare number) as one array, as the
                other tools return: part of the timed call."""
                out = np.empty(shape + (n,))
                flat = out.reshape(-1, n)
                for j, item in enumerate(flattened(fn(*cols))):
                    flat[j] = item
                return out
            return dense, (lambda r, k: np.array(r[..., :k]))
        return at
    return prepare


def flattened(nested):
    if isinstance(nested, (list, tuple)):
        return [e for item in nested for e in flattened(item)]
    return [nested]


TOOLS = {
    "symdiff numpy": tool_symdiff("numpy"),
    "symdiff C": tool_symdiff("c"),
    "SymEngine lambda": tool_symengine("lambda", False),
    "SymEngine lambda cse": tool_symengine("lambda", True),
    "SymEngine llvm": tool_symengine("llvm", False),
    "SymEngine llvm cse": tool_symengine("llvm", True),
    "CasADi serial": tool_casadi(False),
    "CasADi thread": tool_casadi(True),
    "SymPy": tool_sympy,
}
SYMENGINE = [t for t in TOOLS if t.startswith("SymEngine")]
CASADI = ["CasADi serial", "CasADi thread"]


def symengine_default():
    """The backend symengine.Lambdify uses when none is given, in this build."""
    x = symengine.Symbol("x")
    return "llvm" if "LLVM" in type(symengine.Lambdify([x], [x])).__name__ else "lambda"


# ------------------------------------------------------------------ one tool, in a child process

def measure(at, N, keep, repeats):
    """Time calls at N points (or fewer, scaled to N, if a call would take > EVAL_CAP);
    return (seconds per call at N, points actually used, value at the first ``keep`` points)."""
    n0 = min(N, max(10, N // 1000))
    while True:                                     # a first estimate, on few points
        call, _ = at(n0)
        t = time.perf_counter()
        call()
        t = time.perf_counter() - t
        if t >= 0.05 or n0 * 10 > N:
            break
        n0 *= 10
    est = t * N / n0
    n = N if est <= EVAL_CAP else min(N, max(keep, n0, int(N * EVAL_CAP / est)))
    call, canonical = at(n)
    result = call()                                 # untimed first call at this size
    kept = canonical(result, min(keep, n))
    del result
    reps = repeats if est * n / N <= 0.5 else 3
    times = []
    gc.collect()
    while len(times) < reps or (sum(times) < BATCH and len(times) < MAX_CALLS):
        t = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t)
        del result
    return statistics.median(times) * N / n, n, kept


def child(conn, name, case, X, keep, repeats, cap):
    global EVAL_CAP
    EVAL_CAP = cap
    try:
        prepare = TOOLS[name](case, X)
        gc.collect()
        t = time.perf_counter()
        laps = []
        at = prepare(lambda: laps.append(time.perf_counter() - t))
        conn.send(("prep", time.perf_counter() - t, laps[0]))
        conn.send(("eval", *measure(at, X.shape[1], keep, repeats)))
    except BaseException as e:                       # reported, never raised in the child
        conn.send(("error", f"{type(e).__name__}: {str(e)[:200]}", traceback.format_exc()[-2000:]))
    finally:
        conn.close()


@dataclass
class Run:
    status: str = "ok"          # ok | timeout | error | skipped
    prep: float | None = None
    deriv: float | None = None  # the part of prep that is the derivative
    eval: float | None = None
    points: int = 0             # points the evaluation was timed on (scaled to N when fewer)
    values: object = None       # outputs + (k,) at the first k points
    note: str = ""
    err: float | None = None    # largest scaled difference from symdiff.evaluate
    bad: int = 0                # values outside the tolerance
    checked: int = 0


def run_tool(name, case, X, keep, limit, repeats, cap):
    ctx = multiprocessing.get_context("fork")
    parent, kid = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=child, args=(kid, name, case, X, keep, repeats, cap), daemon=True)
    proc.start()
    kid.close()
    run, deadline = Run(), time.monotonic() + limit
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not parent.poll(left):
                run.status = "timeout"
                run.note = f"over {limit:.0f} s " + ("evaluating" if run.prep is not None else "preparing")
                break
            message = parent.recv()
            if message[0] == "prep":
                run.prep, run.deriv = message[1:]
            elif message[0] == "eval":
                run.eval, run.points, run.values = message[1:]
                break
            else:
                run.status, run.note = "error", message[1]
                print(message[2], file=sys.stderr)
                break
    except EOFError:
        run.status, run.note = "error", "the child process died (out of memory?)"
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    return run


# ------------------------------------------------------------------ checks

def reference(case, X, k):
    """symdiff.evaluate on symdiff's own derivative at the first k points: outputs + (k,)."""
    d = symdiff_derivative(case, case.build(symdiff_ns()))
    flat = np.asarray(d, dtype=object).reshape(-1)
    ref = np.empty((flat.size, k))
    for p in range(k):
        point = {v: float(X[i, p]) for i, v in enumerate(case.inputs)}
        memo = {}
        for j, e in enumerate(flat):
            if id(e) not in memo:
                memo[id(e)] = float(e.value) if isinstance(e, symdiff.Num) else symdiff.evaluate(e, point)
            ref[j, p] = memo[id(e)]
    return ref.reshape(output_shape(case) + (k,))


def distinct_outputs(case):
    d = symdiff_derivative(case, case.build(symdiff_ns()))
    flat = np.asarray(d, dtype=object).reshape(-1)
    return len({id(e) for e in flat if not isinstance(e, symdiff.Num)})


def difference(got, ref):
    """(largest scaled difference, how many values are outside the tolerance)."""
    k = ref.shape[-1]
    got = np.asarray(got, dtype=float).reshape(-1, got.shape[-1])[:, :k]
    ref = ref.reshape(-1, k)
    if got.shape != ref.shape:
        return math.inf, ref.size
    scale = np.nanmax(np.abs(ref), axis=0)                       # per point
    denom = np.maximum(np.maximum(np.abs(ref), FLOOR * scale), 1e-300)
    with np.errstate(invalid="ignore"):
        err = np.abs(got - ref) / denom
    err = np.where(np.isnan(ref) & np.isnan(got), 0.0, err)
    err = np.where(np.isnan(err), np.inf, err)
    return float(err.max()), int((err > RTOL).sum())


# ------------------------------------------------------------------ one case

@dataclass
class Row:
    case: Case
    N: int
    outputs: int
    nominal: int                     # N before lowering for a large output
    runs: dict = field(default_factory=dict)
    cross: tuple | None = None       # symdiff NumPy vs C: (largest difference, bad, points)


def run_case(case, quick, skip, log):
    shape = output_shape(case)
    outputs = math.prod(shape)
    nominal = N = N_POINTS // 10 if quick else N_POINTS
    if outputs * N > MAX_VALUES:
        N = int(float(f"{MAX_VALUES / outputs:.2g}"))
    rng = np.random.default_rng(SEED)
    X = rng.uniform(*case.domain, size=(len(case.inputs), N))
    distinct = max(1, distinct_outputs(case))
    k_check = max(3, min(CHECK_POINTS, CHECK_EVALS // distinct))
    keep = min(N, max(k_check, min(CROSS_POINTS, 2_000_000 // outputs)))
    t = time.perf_counter()
    ref = reference(case, X, k_check)
    log(f"  reference: symdiff.evaluate at {k_check} points, {time.perf_counter() - t:.1f} s")
    row = Row(case, N, outputs, nominal)
    limit = TOOL_LIMIT / 4 if quick else TOOL_LIMIT
    for name in TOOLS:
        key = (case.family, case.kind, name)
        if key in skip:
            row.runs[name] = Run("skipped", note=f"timed out at n={skip[key]}")
            continue
        run = run_tool(name, case, X, keep if name.startswith("symdiff") else k_check, limit,
                       3 if quick else REPEATS, EVAL_CAP / 4 if quick else EVAL_CAP)
        if run.status == "timeout":
            skip[key] = case.size
        if run.values is not None:
            run.checked = min(k_check, run.values.shape[-1])
            run.err, run.bad = difference(run.values[..., :run.checked], ref[..., :run.checked])
        row.runs[name] = run
        log(f"  {name:22} {run.status:8} prep {fmt_s(run.prep):>9}  eval {fmt_s(run.eval):>9}"
            f"{'' if run.points in (0, N) else f' (scaled from {run.points:,} points)'}"
            f"  err {'-' if run.err is None else f'{run.err:.1e}'} {run.note}")
    a, b = row.runs["symdiff numpy"].values, row.runs["symdiff C"].values
    if a is not None and b is not None:
        k = min(a.shape[-1], b.shape[-1])
        row.cross = (*difference(b[..., :k], a[..., :k]), k)
    for run in row.runs.values():
        run.values = None
    return row


# ------------------------------------------------------------------ the report

def fmt_s(t):
    if t is None:
        return "-"
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.3g} ms"
    return f"{t * 1e6:.3g} µs"


def fmt_r(r):
    return "-" if r is None else f"{r:.3g}"


def ratio(row, peer, base):
    a, b = row.runs.get(peer), row.runs.get(base)
    if not a or not b or a.eval is None or b.eval is None:
        return None
    return a.eval / b.eval


def best_of(row, names):
    """(the fastest of ``names`` on this row, its time)."""
    done = [(row.runs[n].eval, n) for n in names if row.runs.get(n) and row.runs[n].eval is not None]
    return min(done)[::-1] if done else (None, None)


def ratio_best(row, names, base):
    name, t = best_of(row, names)
    b = row.runs[base].eval
    return None if t is None or b is None else t / b


def check_cell(run):
    if run.err is None:
        return "-"
    mark = "✓" if run.bad == 0 else f"✗ {run.bad} off"
    return f"{mark} ({run.err:.0e}, {run.checked} pts)"


def case_table(row):
    case = row.case
    lines = [f"### {case.title}",
             f"{case.what}; {len(case.inputs)} inputs, derivative by {len(case.wrt)} variables, "
             f"{row.outputs:,} outputs, N = {row.N:,} points in {case.domain}"
             + ("" if row.N == row.nominal else f" (N lowered: {row.outputs:,} x N doubles at most "
                                              f"{MAX_VALUES:,})") + ".",
             "",
             "| tool | prep | of which derivative | eval at N | / symdiff numpy | / symdiff C | check | note |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for name, run in row.runs.items():
        scaled = run.eval is not None and run.points not in (0, row.N)
        note = run.note if run.status != "ok" else (f"timed on {run.points:,} points" if scaled else "")
        if run.status != "ok":
            note = f"**{run.status}**: {note}"
        lines.append(f"| {name} | {fmt_s(run.prep)} | {fmt_s(run.deriv)} | {'≈ ' if scaled else ''}{fmt_s(run.eval)} "
                     f"| {fmt_r(ratio(row, name, 'symdiff numpy'))} | {fmt_r(ratio(row, name, 'symdiff C'))} "
                     f"| {check_cell(run)} | {note} |")
    if row.cross:
        err, bad, k = row.cross
        lines.append("")
        lines.append(f"symdiff NumPy vs C on the first {k:,} points: largest scaled difference {err:.1e}"
                     + ("" if bad == 0 else f", **{bad} values outside {RTOL:g}**") + ".")
    return "\n".join(lines)


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-", "-", "-", 0
    return (f"{statistics.median(values):.3g}", f"{min(values):.3g}", f"{max(values):.3g}", len(values))


def comparisons():
    """(label, ratio of a row) for the summary: > 1 means symdiff faster."""
    default = f"SymEngine {symengine_default()}"
    return [
        (f"SymEngine Lambdify default ({symengine_default()}) / symdiff numpy",
         lambda r: ratio(r, default, "symdiff numpy")),
        ("SymEngine Lambdify, best of 4 configurations / symdiff numpy",
         lambda r: ratio_best(r, SYMENGINE, "symdiff numpy")),
        ("CasADi map serial / symdiff numpy", lambda r: ratio(r, "CasADi serial", "symdiff numpy")),
        ("CasADi best of serial, thread (2 threads) / symdiff numpy",
         lambda r: ratio_best(r, CASADI, "symdiff numpy")),
        ("SymPy lambdify / symdiff numpy", lambda r: ratio(r, "SymPy", "symdiff numpy")),
        (f"SymEngine Lambdify default ({symengine_default()}) / symdiff C",
         lambda r: ratio(r, default, "symdiff C")),
        ("SymEngine Lambdify, best of 4 configurations / symdiff C",
         lambda r: ratio_best(r, SYMENGINE, "symdiff C")),
        ("CasADi map serial / symdiff C", lambda r: ratio(r, "CasADi serial", "symdiff C")),
        ("CasADi best of serial, thread / symdiff C", lambda r: ratio_best(r, CASADI, "symdiff C")),
        ("symdiff C / symdiff numpy", lambda r: ratio(r, "symdiff C", "symdiff numpy")),
    ]


def summary(rows):
    lines = ["| eval time ratio (> 1: symdiff faster) | median | min | max | cases |",
             "|---|---:|---:|---:|---:|"]
    for label, fn in comparisons():
        lines.append("| {} | {} | {} | {} | {} |".format(label, *spread([fn(r) for r in rows])))
    lines += ["", "| prep time ratio (> 1: symdiff faster) | median | min | max | cases |",
              "|---|---:|---:|---:|---:|"]
    for peer in TOOLS:
        if peer.startswith("symdiff"):
            continue
        for base in ("symdiff numpy", "symdiff C"):
            values = [r.runs[peer].prep / r.runs[base].prep for r in rows
                      if r.runs[peer].prep is not None and r.runs[base].prep]
            lines.append("| {} / {} | {} | {} | {} | {} |".format(peer, base, *spread(values)))
    return "\n".join(lines)


def per_family(rows):
    """C vs SymEngine on every family: the smallest ratio over its cases."""
    default = f"SymEngine {symengine_default()}"
    lines = ["| family | cases | min SymEngine default / C | min SymEngine best / C "
             "| min CasADi serial / C | median numpy vs SymEngine default | median numpy vs CasADi serial |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    families = list(dict.fromkeys(r.case.family for r in rows))
    for fam in families:
        rs = [r for r in rows if r.case.family == fam]

        def lo(values):
            values = [v for v in values if v is not None]
            return fmt_r(min(values)) if values else "-"

        def med(values):
            values = [v for v in values if v is not None]
            return fmt_r(statistics.median(values)) if values else "-"
        lines.append(f"| {fam} | {len(rs)} | {lo([ratio(r, default, 'symdiff C') for r in rs])} "
                     f"| {lo([ratio_best(r, SYMENGINE, 'symdiff C') for r in rs])} "
                     f"| {lo([ratio(r, 'CasADi serial', 'symdiff C') for r in rs])} "
                     f"| {med([ratio(r, default, 'symdiff numpy') for r in rs])} "
                     f"| {med([ratio(r, 'CasADi serial', 'symdiff numpy') for r in rs])} |")
    return "\n".join(lines)


def targets(rows):
    default = f"SymEngine {symengine_default()}"

    def verdict(ok):
        return "**met**" if ok else "**missed**"

    def losses(fn):
        return [f"{r.case.title} ({fn(r):.3g})" for r in rows if fn(r) is not None and fn(r) < 1]

    def unfinished(name):
        return [f"{r.case.title} ({r.runs[name].status})" for r in rows if r.runs[name].eval is None]

    out = []
    for label, fn in [(f"SymEngine Lambdify default ({default.split()[1]})",
                       lambda r: ratio(r, default, "symdiff C")),
                      ("SymEngine Lambdify, its fastest configuration on the case",
                       lambda r: ratio_best(r, SYMENGINE, "symdiff C"))]:
        lost = losses(fn)
        out.append(f"- symdiff C at least as fast as {label} on every case: {verdict(not lost)}"
                   + (f"; slower on {len(lost)} of {len(rows)}: " + "; ".join(lost) if lost else
                      f" ({len(rows)} of {len(rows)})"))
    for label, fn in [
            (f"SymEngine Lambdify default ({default.split()[1]})",
             lambda r: ratio(r, default, "symdiff numpy")),
            ("SymEngine Lambdify, its fastest configuration", lambda r: ratio_best(r, SYMENGINE, "symdiff numpy")),
            ("CasADi (map, serial)", lambda r: ratio(r, "CasADi serial", "symdiff numpy")),
            ("CasADi (faster of serial and 2-thread map)", lambda r: ratio_best(r, CASADI, "symdiff numpy"))]:
        values = [fn(r) for r in rows if fn(r) is not None]
        med = statistics.median(values) if values else None
        lost = losses(fn)
        out.append(f"- symdiff numpy no slower than {label} on the median case: "
                   f"{verdict(med is not None and med >= 1)} (median ratio {fmt_r(med)} over "
                   f"{len(values)} cases; numpy slower on {len(lost)}"
                   + (": " + "; ".join(lost) if lost else "") + ")")
    values = [ratio(r, "SymPy", "symdiff numpy") for r in rows]
    values = [v for v in values if v is not None]
    med = statistics.median(values) if values else None
    gone = unfinished("SymPy")
    out.append(f"- symdiff numpy much faster than SymPy's lambdify (read here as a median ratio of at "
               f"least 2): {verdict(med is not None and med >= 2)} (median {fmt_r(med)} over "
               f"{len(values)} cases SymPy finished, min {fmt_r(min(values) if values else None)}"
               + (f"; SymPy did not finish {len(gone)}: " + "; ".join(gone) if gone else "") + ")")
    return "\n".join(out)


def disagreements(rows):
    out = []
    for r in rows:
        for name, run in r.runs.items():
            if run.bad:
                out.append(f"- {r.case.title}: {name} differs from symdiff.evaluate on {run.bad} values "
                           f"of {run.checked} points (largest scaled difference {run.err:.1e})")
            if run.status == "error":
                out.append(f"- {r.case.title}: {name} failed: {run.note}")
        if r.cross and r.cross[1]:
            out.append(f"- {r.case.title}: symdiff NumPy and C differ on {r.cross[1]} values "
                       f"(largest {r.cross[0]:.1e})")
    return "\n".join(out) if out else "None: every value checked agrees within the tolerance."


def installed(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    here = _HERE

    def run(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=here).stdout.strip()
        except OSError:
            return "?"
    commit = run("git", "rev-parse", "HEAD")
    dirty = run("git", "status", "--porcelain", "--", os.path.join(here, "..", "symdiff"))
    compiler = symdiff.codegen.c_compiler()
    cc = run(compiler, "--version").splitlines()[0] if compiler else "none"
    flags = symdiff.lambdify(["x"], symdiff.parse("exp(x)"), backend="c").flags if compiler else "-"
    return (f"- machine: {platform.machine()}, {model or platform.processor()}, {os.cpu_count()} CPUs "
            f"(usable: {len(os.sched_getaffinity(0))}), {platform.system()} {platform.release()}\n"
            f"- Python {platform.python_version()}; numpy {np.__version__}, scipy {installed('scipy')}, "
            f"sympy {sympy.__version__}, symengine {symengine.__version__} (Lambdify default backend: "
            f"{symengine_default()}), casadi {casadi.__version__}\n"
            f"- symdiff {symdiff.__version__} at commit {commit}"
            + (" (with uncommitted changes in symdiff/)" if dirty else "")
            + f", {'compiled core' if symdiff.compiled_core else 'pure-Python core'}; C compiler: {cc}, "
              f"options {flags}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="the smallest sizes, N = 10,000, shorter limits; prints only unless --out")
    ap.add_argument("--out", default=None, help="results file (default bench/numbers-results.md; "
                                                "with --quick: none)")
    ap.add_argument("--large", action="store_true",
                    help="add log-sum-exp Hessian and Jacobian n=100, tanh network Hessian depth 16 and "
                         "the 2-layer net width 16 (about 25 minutes more)")
    ap.add_argument("--only", default="", help="run only cases whose title contains this")
    args = ap.parse_args()
    out = args.out or (None if args.quick else
                       os.path.join(_HERE, "numbers-results.md"))

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    rows, skip = [], {}
    for case in cases(args.quick, args.large):
        if args.only and args.only not in case.title:
            continue
        log(f"{case.title}")
        t = time.perf_counter()
        rows.append(run_case(case, args.quick, skip, log))
        log(f"  ({time.perf_counter() - t:.0f} s, {time.perf_counter() - start:.0f} s so far)")
    elapsed = time.perf_counter() - start
    default = symengine_default()
    doc = "\n\n".join([
        "# Numbers out: symdiff's lambdify against SymEngine, CasADi and SymPy",
        "Written by `bench/numbers_out.py`" + (" --quick" if args.quick else "") + (" --large" if args.large else "") +
        f" in {elapsed:.0f} s.  What each tool is given, how it is timed and checked: the script's "
        "docstring.  Ratios are peer time / symdiff time: **> 1 means symdiff is faster**, < 1 that "
        "the peer is.",
        machine(),
        "Layouts: symdiff's NumPy function and SymPy are called as f(*columns), one contiguous "
        "float64 array of N values per input (symdiff returns outputs + (N,)); symdiff's C "
        "function as f.at_points(X) with X as SymEngine's (returns outputs + (N,)); SymEngine as f(X) with X of shape "
        "(N, inputs) in C order (returns (N,) + outputs); CasADi as F(X) with X a casadi.DM of shape "
        "(inputs, N) built before timing, F = f.map(N) (serial) or f.map(N, 'thread', 2), the timed "
        "call ending with .full() (dense NumPy).  SymEngine is run with each backend, lambda and "
        f"llvm (the default here is {default}), with cse False (its default) and True.  Preparation = "
        "the tool's derivative + making its callable (C compilation, LLVM code generation, CasADi's "
        "Function and map); building the input formula is not timed.  Evaluation = median of "
        f"at least {REPEATS} calls at N points (3 when a call takes over 0.5 s) and more, up to "
        f"{MAX_CALLS}, until {BATCH:g} s of calls, after one untimed call; "
        f"'≈': timed on fewer points and scaled to N (a call would take over "
        f"{EVAL_CAP / (4 if args.quick else 1):g} s).  Each "
        f"tool runs in a forked child process with {TOOL_LIMIT / (4 if args.quick else 1):.0f} s for "
        "preparation and evaluation; after a timeout it is not run at larger sizes of that "
        "family and kind.  Check: the largest of |got − ref| / max(|ref|, "
        f"{FLOOR:g} × the largest |ref| at that point) over the first points, ref = symdiff.evaluate on "
        f"symdiff's derivative; ✓ when all are ≤ {RTOL:g}.",
        "## Summary",
        summary(rows),
        "### Per family",
        per_family(rows),
        "## Targets (issue 18)",
        targets(rows),
        "## Disagreements",
        disagreements(rows),
        "## Cases",
        *[case_table(r) for r in rows],
    ]) + "\n"
    print(doc)
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(doc)
    own = [r for r in rows for n in ("symdiff numpy", "symdiff C")
           if r.runs[n].bad or r.runs[n].status != "ok"] + [r for r in rows if r.cross and r.cross[1]]
    if own:
        log(f"FAIL: symdiff's own backends disagree with symdiff.evaluate or failed on {len(own)} case(s)")
        sys.exit(1)


if __name__ == "__main__":
    main()
