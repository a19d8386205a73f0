"""Random expressions for the property tests, the independent oracles they are checked
against, and the tally that makes each property say how many examples it really checked.

Strategies
    ``expressions(wrt)`` builds trees with symdiff's constructors (never from text), with
    leaves weighted towards the variable ``wrt`` and filtered so that ``wrt`` occurs: a
    derivative test never compares 0 with 0.  Every node kind (Num as int, Fraction and
    float, Const, Sym, Add, Mul, Pow with numeric and symbolic exponents, Call) and every
    row of the function table is drawn (``test_strategies_cover_every_node_and_function``).

Oracles, none of which calls symdiff to reach its verdict
    ``mp_value``      the real value at 50 digits by mpmath, with symdiff's documented real
                      conventions (0^0 = 1, a negative base needs an integer exponent,
                      acot(0) = pi/2, sign(0) = 0), written here from the node classes.
                      A value within 1e-20 of a domain boundary or a pole raises
                      ``Ambiguous``: rounding decides such points, so they give no verdict.
    ``slope``         a derivative by central differences at 50 digits (h = 1e-15), with
                      the one-sided differences and a halved step as witnesses that the
                      function is smooth there (a kink, a jump or a pole within reach
                      raises ``Ambiguous``).
    ``to_sympy``      the same tree rebuilt in SymPy, for symbolic derivatives and for
                      reading printed text back with a second parser.
    ``float_noise``   how far rounding can move a float evaluation: the expression evaluated
                      at 50 digits with every operation perturbed by up to 2 ulps, a few
                      times; comparisons of float results allow a multiple of that spread.

Tally
    ``counted(at_least=...)`` wraps a Hypothesis test; the test calls ``example()`` first
    and ``verdict()`` where an example reaches its assert.  After the run the wrapper
    prints the tally and asserts that at least the given fraction of the examples
    Hypothesis ran got a verdict.  ``known_bug()`` counts examples showing a bug that an
    xfail test documents.

Also here: ``property_settings`` (deterministic counts for CI, scaled up for a hunt by
SYMDIFF_EXAMPLES_SCALE and SYMDIFF_RANDOM), ``no_hang`` (a call still running after a
time limit fails instead of stalling CI) and ``canonical`` (only a tree the constructors
would build can come back from text).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import os
import random
import signal
import threading
from fractions import Fraction

import mpmath
import sympy
from sympy.calculus.accumulationbounds import AccumBounds
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from mpmath import mp, mpf

from symdiff import FUNCTIONS, simplify
from symdiff.expr import (E, PI, Add, Call, Const, Mul, Num, Pow, Sym, add, call, mul, neg,
                          power, rebuild)

X, Y = Sym("x"), Sym("y")
VARIABLES = ("x", "y")
# The special functions (issue 17) are left out of the random expressions: the rows of two
# arguments do not fit a one-argument call, floor, ceil and Heaviside jump (a finite
# difference across a jump is no derivative), and the mpmath-valued rows have poles and
# cuts the walks below do not judge; each is checked on the grid (test_function_grid.py)
# and against SymPy and mpmath in test_special_functions.py.
SPECIAL_FUNCTIONS = frozenset({
    "acoth", "asech", "acsch", "atan2", "hypot", "erf", "erfc", "erfi", "gamma", "loggamma",
    "digamma", "polygamma", "beta", "LambertW", "besselj", "bessely", "besseli", "besselk",
    "Ei", "Si", "Ci", "li", "sinc", "Heaviside", "floor", "ceil", "min", "max", "factorial", "ff",
    "im", "arg"})   # derivative 0 on the reals, as Heaviside and floor: not in random formulas
UNARY_FUNCTIONS = sorted(set(FUNCTIONS) - SPECIAL_FUNCTIONS)   # sqrt among them: it builds u^(1/2)

# ---------------------------------------------------------------- strategies

small_ints = st.integers(min_value=-3, max_value=5).map(Num)
small_fractions = st.sampled_from([Fraction(1, 2), Fraction(-1, 2), Fraction(1, 3),
                                   Fraction(2, 3), Fraction(-3, 2), Fraction(5, 4)]).map(Num)
small_floats = st.sampled_from([0.5, -0.5, 1.5, 2.5, -0.25, 0.1, 3.0]).map(Num)
constants = st.sampled_from([PI, E])
numeric_exponents = st.sampled_from([-3, -2, -1, 2, 3, 4, Fraction(1, 2), Fraction(-1, 2),
                                     Fraction(1, 3), Fraction(3, 2), Fraction(-2, 3),
                                     0.5, 2.5, -1.5, 2.0]).map(Num)


def numbers(floats: bool = True):
    choices = [small_ints, small_fractions, constants]
    if floats:
        choices.append(small_floats)
    return st.one_of(*choices)


def _sub(a, b):
    return add(a, neg(b))


def _defined_somewhere(b):
    """``b``, or ``b + 1`` where ``b`` is 0 everywhere (``x - x``): divided by, or raised to
    a negative power, it would leave an expression with no value anywhere, which checks
    nothing (and SymPy's ``zoo`` inside a function breaks SymPy's own derivative)."""
    zero = isinstance(value := simplify(b), Num) and value.value == 0
    return add(b, Num(1)) if zero else b


def _div(a, b):
    return mul(a, power(_defined_somewhere(b), Num(-1)))


def _power(base, exponent):
    negative = isinstance(exponent, Num) and exponent.value < 0
    return power(_defined_somewhere(base) if negative else base, exponent)


# How a node is made, with its weight: sums and products, negation, powers with a numeric
# or a symbolic exponent, and functions, mostly of subexpressions that hold a variable
# (acos(5/4) or log(-3, x) have no value anywhere and would check nothing).
SHAPES = (["add", "sub", "add3", "mul", "div", "mul3", "neg"]
          + ["power", "power of a constant", "power by a variable"]
          + ["function"] * 4 + ["function of a constant", "log to a base"])
LOG_BASES = [Num(2), Num(10), Num(Fraction(1, 2)), Num(3.0), E, PI]


@st.composite
def _trees(draw, wrt, floats, max_leaves):
    """A tree of about ``size`` leaves (drawn, at most ``max_leaves``), built by the
    constructors.  Each operation splits the budget among its operands; a unary one (a
    function, a power, a negation) uses up one.

    ``needs`` names a variable that must occur: it is passed down to one operand and ends
    as a leaf.  (The constructors can still fold it away: 0*x is 0.)
    """
    main = Sym(wrt or "x")
    other = Y if main is X else X
    leaf_numbers = numbers(floats)
    shapes = st.sampled_from(SHAPES)
    functions = st.sampled_from(UNARY_FUNCTIONS)

    def leaf(needs):
        if needs is not None:
            return needs
        choice = draw(st.integers(0, 6))           # wrt 4 : other 1 : number 2
        return main if choice < 4 else other if choice == 4 else draw(leaf_numbers)

    def split(budget, parts):
        """``budget`` leaves shared among ``parts`` operands, each at least one."""
        if budget <= parts:
            return [1] * parts
        cuts = sorted(draw(st.integers(1, budget - 1)) for _ in range(parts - 1))
        edges = [0, *cuts, budget]
        return [max(1, b - a) for a, b in zip(edges, edges[1:])]

    def operands(budget, parts, needs):
        sizes = split(budget, parts)
        chosen = draw(st.integers(0, parts - 1))
        return [build(size, needs if i == chosen else None) for i, size in enumerate(sizes)]

    def build(budget, needs=None):
        if budget <= 1:
            return leaf(needs)
        shape = draw(shapes)
        variable = needs or draw(st.sampled_from([main, main, main, other]))
        if shape in ("add", "sub", "mul", "div"):
            a, b = operands(budget, 2, needs)
            return {"add": add, "sub": _sub, "mul": mul, "div": _div}[shape](a, b)
        if shape in ("add3", "mul3"):
            return (add if shape == "add3" else mul)(*operands(budget, 3, needs))
        if shape == "neg":
            return neg(build(budget - 1, needs))
        if shape == "power":
            return _power(build(budget - 1, variable), draw(numeric_exponents))
        if shape == "power of a constant":
            return _power(build(budget - 1, needs), draw(numeric_exponents))
        if shape == "power by a variable":
            base, exponent = split(budget, 2)
            if draw(st.booleans()):
                return power(build(base, needs), build(exponent, variable))
            return power(build(base, variable), build(exponent, variable))
        if shape == "function":
            return call(draw(functions), build(budget - 1, variable))
        if shape == "function of a constant":
            return call(draw(functions), build(budget - 1, needs))
        u, b = split(budget, 2)                    # log to a base
        base = draw(st.sampled_from(LOG_BASES)) if draw(st.booleans()) else build(b, main)
        return call("log", build(u, variable), base)

    size = draw(st.integers(1, max_leaves))
    return build(size, main if wrt else None)


@functools.cache
def expressions(wrt: str | None = "x", floats: bool = True, max_leaves: int = 8):
    """Random expression trees over x and y in which ``wrt`` occurs (None: any tree,
    constant ones included), with at most ``max_leaves`` leaves.

    Leaves are the variable ``wrt`` four times as often as the other variable and twice as
    often as a number.  Exponents are small numbers or subexpressions holding a variable
    (a constant subexpression could fold to a number too large to print).  Cached, so
    Hypothesis validates each strategy once.
    """
    trees = _trees(wrt, floats, max_leaves)
    return trees.filter(lambda e: wrt in e.free) if wrt else trees


@st.composite
def _with_function(draw, fn, wrt):
    inner = draw(expressions(wrt, max_leaves=4))
    if fn == "log/2":
        base = draw(st.one_of(st.sampled_from(LOG_BASES), expressions(wrt, max_leaves=3)))
        core = call("log", inner, base)
    else:
        core = call(fn, inner)
    other = draw(expressions(None, max_leaves=3))
    shape = draw(st.sampled_from(["alone", "alone", "add", "mul", "div", "power", "function"]))
    if shape == "add":
        return add(core, other)
    if shape == "mul":
        return mul(core, other)
    if shape == "div":
        return _div(other, core)
    if shape == "power":
        return _power(core, draw(numeric_exponents))
    if shape == "function":
        return call(draw(st.sampled_from(UNARY_FUNCTIONS)), core)
    return core


@functools.cache
def expressions_with(fn: str, wrt: str = "x"):
    """Random expressions that apply the function ``fn`` (a row of the table, or "log/2"
    for the logarithm to a base) to a subexpression holding ``wrt``, alone or inside a
    sum, a product, a quotient, a power or another function: every row gets examples."""
    return _with_function(fn, wrt).filter(lambda e: wrt in e.free)


def expressions_and_variable(floats: bool = True, max_leaves: int = 8):
    """(expression, variable) with the variable, x or y, occurring in the expression."""
    return st.one_of(*(st.tuples(expressions(w, floats, max_leaves), st.just(w))
                       for w in VARIABLES))


SPECIAL = [0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, math.pi / 2]
coordinates = st.one_of(st.floats(min_value=-4.0, max_value=4.0, allow_nan=False),
                        st.sampled_from(SPECIAL))
# A few candidate points per example: a point outside the domain is replaced by the next
# one instead of costing the example its verdict.  Some have y = x or y = -x, where a
# wrong cancellation of x - y or x + y would show.
_pair = st.tuples(coordinates, coordinates)
point = st.one_of(_pair, _pair, _pair, coordinates.map(lambda v: (v, v)),
                  coordinates.map(lambda v: (v, -v))).map(lambda p: {"x": p[0], "y": p[1]})
# After the drawn points, fixed ones in every quadrant: Hypothesis likes to draw 0.0
# everywhere, where 1/x has no value.
FALLBACK_POINTS = [{"x": 0.7, "y": 1.3}, {"x": -1.6, "y": 0.45}, {"x": 2.3, "y": -1.7},
                   {"x": -2.9, "y": -0.6}, {"x": 0.35, "y": 3.1}, {"x": 1.15, "y": 0.8}]
candidate_points = st.lists(point, min_size=6, max_size=6).map(
    lambda drawn: drawn + FALLBACK_POINTS)


def kinds(expr) -> set[str]:
    """The node kinds and function names in ``expr`` (for the coverage test)."""
    found = set()
    for node in nodes(expr):
        match node:
            case Num(v):
                found.add("Num:" + type(v).__name__)
            case Pow(_, Num(v)) if v in (Fraction(1, 2), Fraction(-1, 2)):
                found.update(["Pow:numeric", "Call:sqrt/1"])     # sqrt(u) is u^(1/2)
            case Pow(_, Num()):
                found.add("Pow:numeric")
            case Pow():
                found.add("Pow:symbolic")
            case Call(fn, args):
                found.add(f"Call:{fn}/{len(args)}")
            case _:
                found.add(type(node).__name__)
    return found


def nodes(expr) -> set:
    """The distinct nodes of ``expr``."""
    stack, seen = [expr], set()
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node.children)
    return seen


def canonical(expr) -> bool:
    """Every node is what the constructors make of its operands (outside
    ``preserving_structure``): only such a tree can come back from text."""
    return all(rebuild(node, list(node.children)) is node for node in nodes(expr))


# ---------------------------------------------------------------- settings

# The example counts in the tests are for CI: the same examples every run (derandomized,
# no database), all four property files in well under a minute.  For a longer hunt,
# SYMDIFF_EXAMPLES_SCALE=20 runs twenty times as many and SYMDIFF_RANDOM=1 draws fresh
# ones each run.
SCALE = float(os.environ.get("SYMDIFF_EXAMPLES_SCALE", "1"))
RANDOM = os.environ.get("SYMDIFF_RANDOM", "") not in ("", "0")


def property_settings(max_examples: int) -> settings:
    return settings(max_examples=max(1, round(max_examples * SCALE)), deadline=None,
                    derandomize=not RANDOM, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# ---------------------------------------------------------------- the tally of verdicts

class Tally:
    """How many examples one property test ran, and how many reached its verdict."""

    def __init__(self, name: str):
        self.name, self.examples, self.checked, self.points, self.known = name, 0, 0, 0, 0

    def __str__(self):
        known = f", {self.known} showing a known bug" if self.known else ""
        return (f"{self.name}: {self.checked} of {self.examples} examples checked "
                f"({self.points} points{known})")


_tally: contextvars.ContextVar[Tally | None] = contextvars.ContextVar("tally", default=None)
TALLIES: dict[str, Tally] = {}


def example() -> None:
    """An example has started (called by the wrapped test itself, see ``counted``)."""
    tally = _tally.get()
    if tally is not None:
        tally.examples += 1


def verdict(points: int = 1) -> None:
    """This example reaches its assert (at ``points`` points)."""
    tally = _tally.get()
    if tally is not None:
        tally.checked += 1
        tally.points += points


def known_bug() -> None:
    """This example shows a bug documented by an xfail test (it is checked another way)."""
    tally = _tally.get()
    if tally is not None:
        tally.known += 1


def counted(at_least: float):
    """Run a Hypothesis test and assert that at least ``at_least`` of the examples it ran
    reached a verdict.  Put it above ``@settings`` and ``@given``; the test body calls
    ``example()`` first and ``verdict()`` where it asserts."""
    def decorate(test):
        def run():
            tally = Tally(run.__name__)
            token = _tally.set(tally)
            try:
                test()
            finally:
                _tally.reset(token)
            TALLIES[run.__name__] = tally
            print(tally)
            assert tally.examples > 0
            assert tally.checked >= at_least * tally.examples, (
                f"{tally}: fewer than {at_least:.0%} reached a verdict")
        run.__name__ = run.__qualname__ = test.__name__
        run.__doc__ = test.__doc__
        run.__module__ = test.__module__
        return run
    return decorate


class Hang(Exception):
    """A call ran past its time limit (``no_hang``)."""


@contextlib.contextmanager
def no_hang(seconds: float):
    """Raise Hang inside the block if it runs longer than ``seconds`` (wall clock, by
    SIGALRM, so a loop that never returns fails the test instead of stalling CI).
    Where there is no SIGALRM (Windows) or off the main thread, the block just runs."""
    on_main_thread = threading.current_thread() is threading.main_thread()
    if not hasattr(signal, "setitimer") or not on_main_thread:
        yield
        return

    def expire(signum, frame):
        raise Hang(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)   # again each second, should the
    # first land where Python ignores exceptions (a weak-reference callback)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- oracle: mpmath values

DIGITS = 50
TINY = mpf("1e-20")      # this close to a boundary or a pole, rounding decides: no verdict


# Inside ``slope`` a value exactly on the edge of a domain (asin(1), sqrt(0), acosh(1)) is
# Ambiguous too: the function may be defined there, but its derivative is not.
_strict: contextvars.ContextVar[bool] = contextvars.ContextVar("strict", default=False)


def _on_the_edge(u):
    if _strict.get():
        raise Ambiguous("on the edge of the domain")
    return u


class Undefined(Exception):
    """The expression has no real value here."""


class Ambiguous(Exception):
    """Too close to a domain boundary, a pole or a jump to give a verdict."""


def _nonzero(u):
    if u == 0:
        raise Undefined("division by zero")
    if abs(u) < TINY:
        raise Ambiguous("near a pole")
    return u


def _positive(u):
    if u == 0 or u < -TINY:
        raise Undefined("needs a positive argument")
    if u < TINY:
        raise Ambiguous("near 0")
    return u


def _within(u, low, high, closed=True):
    """u in [low, high] (closed) or (low, high); near an end is ambiguous unless exactly on it."""
    for end in (low, high):
        if u == end:
            if closed:
                return _on_the_edge(u)
            raise Undefined("at the end of the domain")
        if abs(u - end) < TINY:
            raise Ambiguous("near the end of the domain")
    if not low < u < high:
        raise Undefined("outside the domain")
    return u


def _outside_unit(u):
    if abs(u) == 1:
        return _on_the_edge(u)
    if abs(abs(u) - 1) < TINY:
        raise Ambiguous("near |u| = 1")
    if abs(u) < 1:
        raise Undefined("needs |u| >= 1")
    return u


def _at_least_one(u):
    if u == 1:
        return _on_the_edge(u)
    if abs(u - 1) < TINY:
        raise Ambiguous("near 1")
    if u < 1:
        raise Undefined("needs u >= 1")
    return u


def _outside_unit_open(u):
    if abs(abs(u) - 1) < TINY:
        raise Undefined("needs |u| > 1") if abs(u) == 1 else Ambiguous("near |u| = 1")
    if abs(u) < 1:
        raise Undefined("needs |u| > 1")
    return u


def _no_gamma_pole(u):
    """gamma's poles: 0, -1, -2, ..."""
    if u <= 0 and abs(u - mpmath.nint(u)) < TINY:
        raise Undefined("a pole of gamma") if u == mpmath.nint(u) else Ambiguous("near a pole")
    return u


def _at_least_minus_one_over_e(u):
    """Lambert W's principal branch is real from -1/e on."""
    edge = -1 / mpmath.e
    if abs(u - edge) < TINY:
        raise Ambiguous("near -1/e")
    if u < edge:
        raise Undefined("needs u >= -1/e")
    return u


def _no_pole(value_at_pole_zero):
    """A function with poles where ``value_at_pole_zero(u)`` vanishes (cos for tan)."""
    def check(u):
        if abs(value_at_pole_zero(u)) < TINY:
            raise Ambiguous("near a pole")
        return u
    return check


def _acot(u):
    if u == 0:
        return mp.pi / 2
    if abs(u) < TINY:
        raise Ambiguous("near the jump of acot")
    return mpmath.atan(1 / u)


def _sign(u):
    if u != 0 and abs(u) < TINY:
        raise Ambiguous("near the jump of sign")
    return mpf((u > 0) - (u < 0))


def _cbrt(u):
    return mpmath.sign(u) * mpmath.cbrt(abs(u))


def log_base(u, b):
    """log(u, b) = ln u / ln b, for u > 0, b > 0, b != 1."""
    _positive(u)
    _positive(b)
    if b == 1:
        raise Undefined("log to base 1")
    if abs(b - 1) < TINY:
        raise Ambiguous("near base 1")
    return mpmath.log(u) / mpmath.log(b)


def _checked(fn, check):
    return lambda u: fn(check(u))


# The real functions of symdiff's table, written again from their definitions.
MP_FUNCTIONS = {
    "sin": mpmath.sin, "cos": mpmath.cos,
    "tan": _checked(mpmath.tan, _no_pole(mpmath.cos)),
    "cot": _checked(mpmath.cot, lambda u: _no_pole(mpmath.sin)(_nonzero(u))),
    "sec": _checked(mpmath.sec, _no_pole(mpmath.cos)),
    "csc": _checked(mpmath.csc, lambda u: _no_pole(mpmath.sin)(_nonzero(u))),
    "asin": _checked(mpmath.asin, lambda u: _within(u, -1, 1)),
    "acos": _checked(mpmath.acos, lambda u: _within(u, -1, 1)),
    "atan": mpmath.atan, "acot": _acot,
    "asec": _checked(lambda u: mpmath.acos(1 / u), _outside_unit),
    "acsc": _checked(lambda u: mpmath.asin(1 / u), _outside_unit),
    "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh,
    "coth": _checked(mpmath.coth, _nonzero), "sech": mpmath.sech,
    "csch": _checked(mpmath.csch, _nonzero),
    "asinh": mpmath.asinh, "acosh": _checked(mpmath.acosh, _at_least_one),
    "atanh": _checked(mpmath.atanh, lambda u: _within(u, -1, 1, closed=False)),
    "exp": mpmath.exp, "log": _checked(mpmath.log, _positive),
    "log2": _checked(lambda u: mpmath.log(u, 2), _positive),
    "log10": _checked(mpmath.log10, _positive),
    "sqrt": lambda u: mpmath.sqrt(_nonnegative(u)),
    "cbrt": _cbrt, "abs": abs, "sign": _sign,
    # parts of a complex number, at real arguments (issue 17 item 4: variables are real)
    "re": mpmath.re, "im": lambda u: mpmath.mpf(0), "conj": mpmath.conj, "arg": mpmath.arg,
    # the special functions, from their definitions in mpmath (DLMF's notation)
    "acoth": _checked(lambda u: mpmath.atanh(1 / u), _outside_unit_open),
    "asech": _checked(lambda u: mpmath.acosh(1 / u), lambda u: _within(_positive(u), 0, 1)),
    "acsch": _checked(lambda u: mpmath.asinh(1 / u), _nonzero),
    "erf": mpmath.erf, "erfc": mpmath.erfc, "erfi": mpmath.erfi,
    "gamma": _checked(mpmath.gamma, _no_gamma_pole),
    "factorial": _checked(lambda u: mpmath.gamma(u + 1), lambda u: _no_gamma_pole(u + 1) - 1),
    "loggamma": _checked(mpmath.loggamma, _positive),
    "digamma": _checked(mpmath.digamma, _no_gamma_pole),
    "LambertW": _checked(lambda u: mpmath.re(mpmath.lambertw(u)), _at_least_minus_one_over_e),
    "Ei": _checked(mpmath.ei, _nonzero), "Si": mpmath.si,
    "Ci": _checked(mpmath.ci, _positive),
    "li": _checked(mpmath.li, lambda u: _nonzero(_nonnegative(u) - 1) + 1),    # u >= 0, u != 1
    "sinc": lambda u: mpf(1) if u == 0 else mpmath.sin(u) / u,      # unnormalised
    "Heaviside": lambda u: mpf(1) if u > 0 else mpf(0) if u < 0 else mpf(1) / 2,
    "floor": mpmath.floor, "ceil": mpmath.ceil,
    # two arguments
    "atan2": mpmath.atan2, "hypot": mpmath.hypot,
    "polygamma": lambda n, u: mpmath.polygamma(n, _no_gamma_pole(u)),
    "beta": mpmath.beta,
    "besselj": mpmath.besselj, "besseli": mpmath.besseli,
    "bessely": lambda n, u: mpmath.bessely(n, _positive(u)),
    "besselk": lambda n, u: mpmath.besselk(n, _positive(u)),
    "min": min, "max": max,
    "ff": mpmath.ff,                                            # gamma(a + 1)/gamma(a - b + 1)
}
TWO_ARGUMENTS = frozenset({"atan2", "hypot", "polygamma", "beta", "besselj", "bessely", "besseli",
                           "besselk", "min", "max", "ff"})
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arccot": "acot",
           "arcsec": "asec", "arccsc": "acsc", "arcsinh": "asinh", "arsinh": "asinh",
           "arccosh": "acosh", "arcosh": "acosh", "arctanh": "atanh", "artanh": "atanh",
           "ln": "log", "tg": "tan", "ctg": "cot", "cotg": "cot", "cosec": "csc",
           "arctg": "atan", "arcctg": "acot", "arccosec": "acsc", "sgn": "sign",
           "conjugate": "conj"}


def _nonnegative(u):
    if u == 0:
        return _on_the_edge(u)
    if u < -TINY:
        raise Undefined("needs a non-negative argument")
    if u < TINY:
        raise Ambiguous("near 0")
    return u


HUGE_EXPONENT = mpf("1e12")


def real_power(b, e, exact=None):
    """b^e over the reals; ``exact`` is the exponent as an exact number when it is one."""
    if abs(e) > HUGE_EXPONENT:
        raise Ambiguous("an exponent beyond any float result")   # and slow at 50 digits
    if exact is not None:
        integral = (exact.denominator == 1 if isinstance(exact, Fraction)
                    else float(exact).is_integer())
    else:
        nearest = mpmath.nint(e)
        if e == nearest:
            integral = True
        elif abs(e - nearest) < TINY * max(1, abs(e)):
            if b < 0:
                raise Ambiguous("a negative base to a nearly integer power")
            integral = False
        else:
            integral = False
    if b == 0:
        if e > 0:
            if not integral:
                _on_the_edge(b)                  # x^(1/2) at 0: its derivative has no value
            return mpf(0)
        if e == 0:
            if exact is None:
                _on_the_edge(b)                  # u^v at 0^0: v*u^(v-1) has no value
            return mpf(1)
        raise Undefined("division by zero")
    if abs(b) < TINY and (e < 0 or (b < 0 and not integral)):
        raise Ambiguous("a base near 0")
    if b < 0:
        if not integral:
            raise Undefined("a negative base to a non-integer power")
        if exact is None:
            _on_the_edge(b)      # (-2)^v at v = 2: no partial derivative in v (log(-2))
        return b ** int(mpmath.nint(e))
    return mpmath.power(b, e)


def _number(value):
    if isinstance(value, Fraction):
        return mpf(value.numerator) / value.denominator
    return mpf(value)


def mp_values(expr, point, noise: random.Random | None = None) -> dict:
    """The value of every node of ``expr`` at ``point`` (names to floats), at 50 digits.

    Raises Undefined or Ambiguous.  With ``noise``, every computed value is perturbed by a
    relative error of up to 2**-51, as float rounding would.
    """
    values: dict = {}

    def perturb(v):
        return v * (1 + mpf(noise.uniform(-1, 1)) * mpf(2) ** -51) if noise else v

    def walk(node):
        if node in values:
            return values[node]
        match node:
            case Num(v):
                result = _number(v)
            case Const(name):
                result = +mp.pi if name == "pi" else +mp.e
            case Sym(name):
                result = mpf(point[name])
            case Add(terms):
                result = perturb(mpmath.fsum(walk(t) for t in terms))
            case Mul(factors):
                result = mpf(1)
                for f in factors:
                    result *= walk(f)
                result = perturb(result)
            case Pow(base, exponent):
                b, e = walk(base), walk(exponent)
                exact = exponent.value if type(exponent) is Num else None
                if noise and exact is None and abs(e - mpmath.nint(e)) < 1e-9:
                    exact = Fraction(int(mpmath.nint(e)))
                result = perturb(real_power(b, e, exact))
            case Call(fn, args):
                if len(args) == 2 and fn == "log":
                    result = log_base(walk(args[0]), walk(args[1]))
                elif fn in MP_FUNCTIONS and len(args) == 1:
                    result = MP_FUNCTIONS[fn](walk(args[0]))
                else:
                    raise Undefined(f"{fn} has no value")
                result = perturb(result)
            case _:
                raise TypeError(f"unknown node {node!r}")
        values[node] = result
        return result

    with mp.workdps(DIGITS):
        try:
            walk(expr)
        except (OverflowError, MemoryError):     # exp(exp(100)) has too many digits
            raise Ambiguous("beyond what mpmath computes") from None
    return values


def mp_value(expr, point, noise=None):
    """The value of ``expr`` at ``point`` at 50 digits (see ``mp_values``)."""
    return mp_values(expr, point, noise)[expr]


def magnitude(values: dict):
    """The largest |value| among the nodes: the scale of cancellation."""
    return max([mpf(1), *(abs(v) for v in values.values())])


def float_noise(exprs, point, trials: int = 3):
    """How far float rounding may move the values of ``exprs`` at ``point``: the largest
    deviation of ``trials`` perturbed evaluations (see ``mp_values``)."""
    spread = mpf(0)
    for trial in range(trials):
        rng = random.Random(trial)
        for expr in exprs:
            exact = mp_value(expr, point)
            try:
                spread = max(spread, abs(mp_value(expr, point, noise=rng) - exact))
            except (Undefined, Ambiguous):
                return mpf("inf")          # rounding alone can leave the domain: no verdict
    return spread


# ---------------------------------------------------------------- oracle: derivatives

def slope(f, x0, scale=1):
    """f'(x0) by differences at 50 digits, or Ambiguous where f is not smooth within reach
    (one-sided differences disagree, or halving the step changes the result), where
    a function's argument sits exactly on the edge of its domain (asin(1), sqrt(0)), or
    where values as large as ``scale`` (the largest intermediate of f) leave the
    difference to rounding.

    ``f`` maps an mpf to an mpf and raises Undefined or Ambiguous off its domain; an
    Undefined at a neighbour becomes Ambiguous (x0 is on the edge of the domain).
    """
    token = _strict.set(True)
    try:
        return _slope(f, x0, scale)
    finally:
        _strict.reset(token)


def _slope(f, x0, scale):
    with mp.workdps(DIGITS):
        x0 = mpf(x0)
        h = mpf("1e-15") * max(1, abs(x0))

        def at(x):
            try:
                return f(x)
            except Undefined:
                raise Ambiguous("a neighbour is outside the domain") from None

        f0 = f(x0)
        fp, fm, fp2, fm2 = at(x0 + h), at(x0 - h), at(x0 + h / 2), at(x0 - h / 2)
        wide = (fp - fm) / (2 * h)
        narrow = (fp2 - fm2) / h
        size = max(mpf(1), abs(f0), abs(wide), mpf(scale))
        # Rounding at 50 digits of values as large as ``size``, divided by the step: beside
        # pi^(pi^12) a term 16*theta leaves no trace in the difference.
        if size * mpf(10) ** (2 - DIGITS) / h > mpf("1e-15") * max(1, abs(wide)):
            raise Ambiguous("rounding at 50 digits swamps the difference")
        if abs((fp - f0) / h - (f0 - fm) / h) > mpf("1e-8") * size:
            raise Ambiguous("one-sided differences disagree: a kink, a jump or a pole")
        if abs(wide - narrow) > mpf("1e-20") * size:
            raise Ambiguous("halving the step changes the difference")
        return (4 * narrow - wide) / 3


def expression_slope(expr, point, wrt):
    """d expr / d wrt at ``point`` by ``slope``, from the mpmath values of ``expr``."""
    def f(t):
        return mp_value(expr, {**point, wrt: t})
    scale = magnitude(mp_values(expr, point))
    return slope(f, point[wrt], scale)


# ---------------------------------------------------------------- oracle: SymPy

SYMPY_SYMBOLS = {name: sympy.Symbol(name, real=True) for name in VARIABLES}


# SymPy's Abs and sign differentiate through re() and im() unless it can prove the argument
# real (log(x) is not, for a real x), and cbrt is the principal complex root: for real
# arguments, which are the only ones the tests evaluate at, these three are stated here.
class RealAbs(sympy.Function):
    def fdiff(self, argindex=1):
        return RealSign(self.args[0])


class RealSign(sympy.Function):
    def fdiff(self, argindex=1):
        return sympy.S.Zero


class RealCbrt(sympy.Function):
    def fdiff(self, argindex=1):
        return 1 / (3 * RealCbrt(self.args[0]) ** 2)


def _real_part(u):
    """A real value from SymPy's mpmath code, which may pass through complex numbers."""
    if isinstance(u, mpmath.mpc):
        if abs(u.imag) > TINY * max(1, abs(u.real)):
            raise Undefined("SymPy's value is not real here")
        return u.real
    return u


MPMATH_FOR_SYMPY = {
    "RealAbs": lambda u: abs(_real_part(u)),
    "RealSign": lambda u: _sign(_real_part(u)),
    "RealCbrt": lambda u: _cbrt(_real_part(u)),
    "DiracDelta": lambda *args: mpf(0),
}

SYMPY_FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec,
    "csc": sympy.csc, "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "acot": sympy.acot, "asec": sympy.asec, "acsc": sympy.acsc, "sinh": sympy.sinh,
    "cosh": sympy.cosh, "tanh": sympy.tanh, "coth": sympy.coth, "sech": sympy.sech,
    "csch": sympy.csch, "asinh": sympy.asinh, "acosh": sympy.acosh, "atanh": sympy.atanh,
    "exp": sympy.exp, "log": sympy.log, "log2": lambda u: sympy.log(u) / sympy.log(2),
    "log10": lambda u: sympy.log(u) / sympy.log(10), "sqrt": sympy.sqrt,
    "cbrt": RealCbrt, "abs": RealAbs, "sign": RealSign,
    "re": sympy.re, "im": sympy.im, "conj": sympy.conjugate, "arg": sympy.arg,
}


def to_sympy(expr, memo=None):
    """The tree rebuilt in SymPy (real symbols; cbrt as the real cube root)."""
    memo = {} if memo is None else memo
    if expr in memo:
        return memo[expr]
    match expr:
        case Num(v):
            result = (sympy.Float(v, 30) if isinstance(v, float) else sympy.Rational(v))
        case Const(name):
            result = sympy.pi if name == "pi" else sympy.E
        case Sym(name):
            result = SYMPY_SYMBOLS.get(name) or sympy.Symbol(name, real=True)
        case Add(terms):
            result = sympy.Add(*(to_sympy(t, memo) for t in terms))
        case Mul(factors):
            result = sympy.Mul(*(to_sympy(f, memo) for f in factors))
        case Pow(base, exponent):
            result = sympy.Pow(to_sympy(base, memo), to_sympy(exponent, memo))
        case Call("log", (u, b)):
            result = sympy.log(to_sympy(u, memo)) / sympy.log(to_sympy(b, memo))
        case Call(fn, (u,)):
            result = SYMPY_FUNCTIONS[fn](to_sympy(u, memo))
        case _:
            raise TypeError(f"no SymPy form for {expr!r}")
    memo[expr] = result
    return result


def sympy_function(sympy_expr):
    """A function of (x, y) evaluating ``sympy_expr`` with mpmath at 50 digits; a value that
    is not real, or complex infinity, raises Undefined; nan or an infinity, Ambiguous."""
    def nowhere(point):
        raise Undefined("SymPy's form holds complex infinity or an interval")
    if sympy_expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or sympy_expr.atoms(AccumBounds):
        return nowhere                  # log(0) read by SymPy, 1/(x - x), ...
    free = [SYMPY_SYMBOLS["x"], SYMPY_SYMBOLS["y"]]
    try:
        compiled = sympy.lambdify(free, sympy_expr, modules=[MPMATH_FOR_SYMPY, "mpmath"])
    except PrintMethodNotImplementedError:
        return nowhere

    def value(point):
        with mp.workdps(DIGITS):
            result = mpf(_real_part(compiled(mpf(point["x"]), mpf(point["y"]))))
        if not mpmath.isfinite(result):
            # SymPy's code for y**y is exp(y*log(y)): nan at 0, where 0^0 = 1
            raise Ambiguous("SymPy's code has no value here")
        return result
    return value
