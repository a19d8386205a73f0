"""Benchmark families that more than one script measures, each a function of a namespace
(its symbols, numbers and functions, and Python's operators) and a size, so that every tool
differentiates the same formula: bench/compare.py (symbolic derivatives) and
bench/numbers_out.py (their values at many points) share these four."""


def rosenbrock(ns, n):
    xs = [ns.sym(f"x{i}") for i in range(n)]
    e = ns.num(0)
    for i in range(n - 1):
        e = e + ns.num(100) * (xs[i + 1] - xs[i] ** 2) ** 2 + (ns.num(1) - xs[i]) ** 2
    return e


def logsumexp(ns, n):
    e = ns.num(0)
    for i in range(n):
        e = e + ns.exp(ns.sym(f"x{i}"))
    return ns.log(e)


def tanh_net(ns, n):
    h = ns.sym("x")
    for k in range(n):
        h = ns.tanh(ns.sym(f"w{k}") * h + ns.sym(f"b{k}"))
    return h


def seed(ns, n):
    x, y = ns.sym("x"), ns.sym("y")
    return ns.log(x) + x * y - ns.sin(y)
