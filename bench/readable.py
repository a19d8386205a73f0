"""How readable are symdiff's derivatives?  Printed size against SymPy's best, on ~350 derivatives.

Run:  pip install -e '.[bench]'  &&  python bench/readable.py  [--quick] [--out bench/readable-results.md]

Every case is a formula in symdiff's grammar, a variable and an order, grouped in seven
categories (textbook tables, quotients, roots, exp/log, inverse trig and hyperbolic
compositions, multivariable partials, second derivatives).  The list is fixed: written out
by hand, with a few families generated from templates (f(g(x)) compositions, quotient
families); --quick keeps every fifth case.

    symdiff    symdiff.diff(formula, var, order), printed with symdiff.to_text
    SymPy      the same string through sympy.parse_expr (^ -> **, every name a real Symbol,
               abs -> Abs, cbrt(u) -> u**(1/3), log2/log10(u) -> log(u, 2/10), e -> E);
               d = sympy.diff(e, var, order), s = sympy.simplify(d) under a SIGALRM timeout
               (SIMPLIFY_TIMEOUT s; on timeout s is not used); SymPy's best = the smaller
               of the two printed forms (str, which writes **)

Size is measured on the PRINTED text, by one neutral parser for both systems: Python's
`ast` on the text with `^` turned into `**`.  Counted are the expression nodes: every
number (`Constant`), every variable or constant name (`Name`), every binary operation
(`BinOp`), every unary minus (`UnaryOp`) and every function application (`Call`, which
stands for its function name: the `Name` in `Call.func` is not counted again); SymPy's
rare `Piecewise` also counts its tuples and comparisons.  Not counted: operator tokens
(`ast.Add`, `ast.USub`, ...) and contexts (`ast.Load`).  So `x^2` is 3, `-2/(x + 1)^2` is
8, `sin(x)` is 2, `3*sqrt(x)/2` is 6.  (bench/compare.py counts every node `ast.walk`
yields, operators and contexts too; it is not imported here because importing it re-execs
the interpreter and needs SymEngine.)  A case passes when symdiff's size <= SymPy's best;
ratio = symdiff size / SymPy best size.

Every result is checked by value: symdiff's printed derivative, SymPy's d and SymPy's best
are evaluated by one small `ast` evaluator in 30-digit mpmath, and mpmath.diff of the input
(SymPy's parse of it, evaluated the same way) is a third, independent oracle.  Points are
random (seeded by the case), drawn from a few real ranges; a point where any of them is
undefined, complex or not finite is skipped, until POINTS points agree or ATTEMPTS are used.
symdiff disagreeing with SymPy's d is reported as a MISMATCH (a bug in one of them; the
oracle says which).
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import random
import re
import signal
import statistics
import sys
import time
import zlib
from dataclasses import dataclass, field

import mpmath
import sympy
from sympy.parsing.sympy_parser import (implicit_multiplication, parse_expr,
                                        standard_transformations)

import symdiff

mpmath.mp.dps = 30

SIMPLIFY_TIMEOUT = 10.0     # seconds for sympy.diff + sympy.simplify of one case (and for each
                            # symdiff call, so that a run ends even if a change makes symdiff loop)
POINTS = 3                  # points at which every case is checked by value
ATTEMPTS = 30               # random points tried to find them
TOLERANCE = 1e-8            # relative (absolute below magnitude 1)
RANGES = [(0.1, 0.9), (1.2, 3.0), (-0.9, -0.1), (-3.0, -1.2)]   # point ranges, in turn
WORST = 25                  # rows in the table of worst cases


# ------------------------------------------------------------------ the cases

CATEGORIES = [
    "textbook tables",
    "quotients",
    "roots",
    "exp/log",
    "inverse trig & hyperbolic compositions",
    "multivariable partials",
    "second derivatives",
]


@dataclass(frozen=True)
class Case:
    category: str
    formula: str            # symdiff's grammar
    var: str = "x"
    order: int = 1

    def label(self):
        d = "d/d" + self.var if self.order == 1 else f"d^{self.order}/d{self.var}^{self.order}"
        return f"{self.formula}  {d}"


# The issue's table: formula, variable, the form a person would write.
ISSUE_TABLE = [
    ("(1-x)/(1+x)", "x", "-2/(x + 1)^2"),
    ("(x^2-1)/(x^2+1)", "x", "4*x/(x^2 + 1)^2"),
    ("x/sqrt(x^2+1)", "x", "1/(x^2 + 1)^(3/2)"),
    ("atan(y/x)", "x", "-y/(x^2 + y^2)"),
    ("(x^3 - 8)/(x - 2)", "x", "2*x + 2"),
    ("3*(x^2-2)*cos(x) + x*(x^2-6)*sin(x)", "x", "x^3*cos(x)"),
    ("log(exp(x))", "x", "1"),
    ("exp(x)/exp(x)", "x", "0"),
    ("log(abs(x))", "x", "1/x"),
    ("sqrt(x)*x", "x", "3*sqrt(x)/2"),
    ("1/sqrt(x)", "x", "-1/(2*x^(3/2))"),
    ("log(cosh(x))", "x", "tanh(x)"),
]

TEXTBOOK = [
    # polynomials and powers
    "x^2", "x^3", "3*x^4 - 2*x^2 + 7", "x^3 - 6*x^2 + 11*x - 6", "(2*x - 3)^5", "(x^2 + 1)^3",
    "x^(-1)", "1/x", "x^(3/2)", "x^(2/3)", "x^pi", "x^2*(x - 1)^3", "(x + 1)*(x + 2)*(x + 3)",
    # trig
    "sin(x)", "cos(x)", "tan(x)", "cot(x)", "sec(x)", "csc(x)", "sin(x)^2", "cos(x)^2",
    "sin(x)*cos(x)", "cos(x)^2 - sin(x)^2",
    # inverse trig
    "asin(x)", "acos(x)", "atan(x)", "acot(x)", "asec(x)", "acsc(x)",
    # hyperbolic
    "sinh(x)", "cosh(x)", "tanh(x)", "coth(x)", "sech(x)", "csch(x)", "asinh(x)", "acosh(x)",
    "atanh(x)", "sinh(x)^2",
    # exp / log
    "exp(x)", "e^x", "log(x)", "log2(x)", "log10(x)", "log(x, 3)",
    # products
    "x*sin(x)", "x^2*cos(x)", "x*log(x)", "exp(x)*sin(x)", "x^2*exp(x)", "x*atan(x)",
    "x*asin(x) + sqrt(1 - x^2)", "3*(x^2-2)*cos(x) + x*(x^2-6)*sin(x)",
]

# f(g(x)): the chain rule tables of a first course
OUTER = ["sin", "cos", "tan", "exp", "log", "sqrt", "atan", "sinh", "cosh", "tanh"]
INNER = ["x^2", "2*x + 1", "1/x"]

QUOTIENTS = [
    "(1-x)/(1+x)", "(x^2-1)/(x^2+1)", "(x^3-8)/(x-2)", "x/(x^2+1)", "(x+1)/(x-1)", "(2*x+1)/(x+3)",
    "(3*x-2)/(2*x+5)", "x/(x+1)", "1/(1+x)", "1/(1-x)^2", "x^2/(1-x)", "(x+1)/(x-1)^2",
    "1/(x*(x+1))", "(3*x^2+2*x-1)/(x^2+x)", "(x^3+1)/(x+1)", "(x^2-9)/(x+3)", "(x^2+3*x+2)/(x+1)",
    "(2*x+3)/(x^2+3*x+2)", "(x^2+1)/x", "(x^2 - x + 1)/(x^2 + x + 1)", "x^3/(x^2 - 1)",
    "(x - 1)/(x^2 - 1)", "(x^4 - 1)/(x^2 + 1)", "(1 + x^2)/(1 - x^2)", "x/(1 - x)^2",
    "(x^2 + 2*x)/(x + 2)^2", "1/(x^2 - 4)", "(5*x - 2)/(x^2 + 1)",
    # trig and other transcendental quotients
    "sin(x)/x", "sin(x)/cos(x)", "cos(x)/sin(x)", "(1-cos(x))/sin(x)", "sin(x)/(1+cos(x))",
    "cos(x)/(1-sin(x))", "(1+sin(x))/(1-sin(x))", "tan(x)/x", "x/sin(x)", "1/(1+cos(x))",
    "sin(x)/(sin(x)+cos(x))", "(1 - tan(x))/(1 + tan(x))", "exp(x)/(1+exp(x))", "1/(1+exp(-x))",
    "log(x)/x", "x/log(x)", "(exp(x)-exp(-x))/(exp(x)+exp(-x))", "sinh(x)/cosh(x)",
    "exp(x)/x^2", "log(x)/(1 + x)",
]
# families: (x^n - 1)/(x - 1), (x^2 + p)/(x^2 + q), x/(x^2 + k), 1/(x^2 + k), x^2/(x^2 + k)
QUOTIENT_FAMILIES = (
    [f"(x^{n} - 1)/(x - 1)" for n in (2, 3, 4, 5)]
    + ["(x^2 - 2)/(x^2 + 2)", "(x^2 + 1)/(x^2 - 1)", "(x^2 + 2)/(x^2 + 1)", "(x^2 - 4)/(x^2 + 4)",
       "(x^2 + 3)/(x^2 - 3)"]
    + [f"x/(x^2 + {k})" for k in (2, 4, 9)]
    + [f"1/(x^2 + {k})" for k in (1, 4)]
    + [f"x^2/(x^2 + {k})" for k in (1, 3)]
)

ROOTS = [
    "sqrt(x)", "x/sqrt(x^2+1)", "sqrt(x)*x", "1/sqrt(x)", "sqrt((1+x)/(1-x))", "x^(1/3)",
    "cbrt(x)", "cbrt(x^2 + 1)", "x^(1/3)*(x - 1)", "sqrt(1 - x^2)", "sqrt(x^2 + 1)", "sqrt(x^2 - 1)",
    "1/sqrt(1 - x^2)", "1/sqrt(x^2 + 1)", "x*sqrt(1 - x^2)", "x*sqrt(x^2 + 1)", "sqrt(x)/(1 + x)",
    "sqrt(x + sqrt(x))", "(x^2 + 1)^(3/2)", "x^2*sqrt(x)", "sqrt(x) + 1/sqrt(x)", "sqrt(sin(x))",
    "sqrt(1 + x)/sqrt(1 - x)", "sqrt(1 + x)*sqrt(1 - x)", "x^(5/2)", "x^(2/3)*(x - 5)", "sqrt(x^3)",
    "sqrt(4*x + 1)", "(1 + sqrt(x))^2", "1/(1 + sqrt(x))", "sqrt(x)/sqrt(x + 1)", "sqrt(x*(x + 1))",
    "sqrt(exp(x))", "sqrt(x^2 + 2*x + 1)", "(x^2 - 1)^(1/3)", "sqrt(a^2 - x^2)", "1/sqrt(x^2 + a^2)",
    "x/sqrt(a^2 - x^2)", "sqrt(x)*(x + 1)", "x/sqrt(x)", "sqrt(x^2)", "(1 - x)/sqrt(x)",
    "sqrt((x - 1)/(x + 1))", "1/(x*sqrt(x))", "x^2/sqrt(1 - x^2)", "sqrt(1 + cos(x))",
]

EXPLOG = [
    "log(exp(x))", "exp(x)/exp(x)", "log(abs(x))", "log(cosh(x))", "x*exp(-x^2)",
    "log((x+1)/(x-1))", "2^x", "x^x", "exp(log(x))", "log(x^2)", "log(sqrt(x))", "log(x*exp(x))",
    "exp(2*log(x))", "log(1 + exp(x))", "exp(-x)*cos(x)", "exp(x)/x", "exp(sin(x))",
    "log(log(x))", "x^2*log(x)", "log(x)^2", "10^x", "2^(x^2)", "x^sin(x)", "x^(1/x)",
    "log(sin(x))", "log(cos(x))", "log(tan(x))", "log(sec(x) + tan(x))", "log(x + sqrt(x^2 + 1))",
    "log(x + sqrt(x^2 - 1))", "exp(x)*(x - 1)", "(x^2 - 2*x + 2)*exp(x)", "log10(x^2 + 1)",
    "log(x, 2)", "exp(x)*exp(-x)", "log(x^3) - 3*log(x)", "log(1 - x) - log(1 + x)",
    "exp(-x^2/2)", "x*exp(-x)", "log(exp(x) + exp(-x))", "exp(x + log(x))", "log(abs(sin(x)))",
    "log(sinh(x))", "exp(1/x)", "log((1 + x)/(1 - x))/2", "exp(x)*log(x)",
    "x^log(x)", "log(x^2 + 1)",
]

INVERSE = [
    ("atan(y/x)", "x"), ("atan(y/x)", "y"), ("asin(x/a)", "x"), ("acos(x/a)", "x"), ("atan(x/a)", "x"),
    ("atanh(2*x/(1+x^2))", "x"), ("atan(2*x/(1-x^2))", "x"), ("asin(sqrt(x))", "x"),
    ("atan(sqrt(x))", "x"), ("atan(exp(x))", "x"), ("asinh(x/a)", "x"), ("atanh(x/a)", "x"),
    ("asin(sin(x))", "x"), ("atan(tan(x))", "x"), ("atan(1/x)", "x"), ("atan((1+x)/(1-x))", "x"),
    ("asin((x^2-1)/(x^2+1))", "x"), ("atan(sinh(x))", "x"), ("asin(tanh(x))", "x"),
    ("atanh(sin(x))", "x"), ("atanh(tanh(x))", "x"), ("sinh(asinh(x))", "x"), ("tanh(atanh(x))", "x"),
    ("tanh(log(x))", "x"), ("cosh(log(x))", "x"), ("sinh(log(x))", "x"), ("asinh(tan(x))", "x"),
    ("acos((1-x^2)/(1+x^2))", "x"), ("atan(x) + atan(1/x)", "x"), ("asin(x) + acos(x)", "x"),
    ("atan(x/sqrt(1-x^2))", "x"), ("atanh((x-1)/(x+1))", "x"), ("cosh(x)^2 - sinh(x)^2", "x"),
    ("sin(x)^2 + cos(x)^2", "x"), ("sech(x)^2 + tanh(x)^2", "x"), ("asinh(sqrt(x))", "x"),
    ("acosh(sqrt(x))", "x"), ("acosh(x/a)", "x"), ("atan(x^2)", "x"), ("acot(1/x)", "x"),
    ("asin(2*x - 1)", "x"), ("atan((x - 1)/(x + 1))", "x"), ("cos(asin(x))", "x"), ("tan(acos(x))", "x"),
    ("sin(atan(x))", "x"), ("cos(atan(x))", "x"), ("asin(x/sqrt(1 + x^2))", "x"),
    ("atan(tanh(x/2))", "x"),
]

MULTI = [
    "x^2*y + sin(x*y)", "x/(x^2 + y^2)", "y/(x^2 + y^2)", "exp(x*y)/(x + y)", "sqrt(x^2 + y^2)",
    "log(x^2 + y^2)", "x*y/(x + y)", "(x - y)/(x + y)", "x^y", "exp(-(x^2 + y^2))",
    "(x^2 + y^2)^2", "sin(x + y)*cos(x - y)", "x^3*y^2 - 2*x*y^4", "x*sqrt(y) + y*sqrt(x)",
    "(x + y)/(x*y)", "atan(x/y)", "x^2 y^3", "log(x/y)", "(x*y - 1)/(x*y + 1)",
    "(x^2 - y^2)/(x^2 + y^2)",
]
MULTI_3 = [
    ("1/sqrt(x^2 + y^2 + z^2)", "x"), ("x*y*z", "y"), ("x*y + y*z + z*x", "z"),
    ("exp(x*y*z)", "z"), ("sqrt(x^2 + y^2 + z^2)", "z"),
    # physics and engineering formulas, wrt the quantity one varies
    ("r*cos(t)", "t"), ("r*sin(t)", "r"), ("m*v^2/2", "v"), ("G*m*M/r^2", "r"), ("k*x^2/2", "x"),
    ("a*x^2 + b*x + c", "x"), ("a*x^2 + b*x + c", "a"), ("A*exp(-t/T)", "t"), ("A*exp(-t/T)", "T"),
    ("A*sin(w*t + p)", "t"), ("A*sin(w*t + p)", "w"), ("V/(R + r)", "R"), ("P*(1 + r/n)^(n*t)", "r"),
    ("1/(1 + exp(-k*(x - m)))", "x"), ("x^n", "x"), ("x^n", "n"), ("exp(-(x - m)^2/(2*s^2))", "x"),
    ("exp(-(x - m)^2/(2*s^2))", "s"), ("log(1 + r*t)", "t"), ("q1*q2/(4*pi*e0*r^2)", "r"),
    ("L*C*w^2 - 1", "w"), ("R*T/V - a/V^2", "V"), ("v0*t - g*t^2/2", "t"),
]

SECOND = [
    "sin(x)", "x^3", "exp(x^2)", "log(x)", "tan(x)", "atan(x)", "x/(x^2+1)", "(1-x)/(1+x)",
    "sqrt(x^2+1)", "x*exp(-x^2)", "1/sqrt(x)", "x^x", "log(cosh(x))", "exp(x)*sin(x)",
    "x^2*log(x)", "sqrt(1-x^2)", "asin(x)", "tanh(x)", "x/sqrt(x^2+1)", "log(x^2+1)",
    "1/(1+exp(-x))", "sec(x)", "x*sin(x)", "(x^2-1)/(x^2+1)", "sqrt(x)*x", "log(abs(x))",
    "sin(x^2)", "atanh(x)", "asinh(x)", "exp(-x)*cos(x)", "log(x)/x", "1/(1+x^2)", "sin(x)/x",
    "cbrt(x)",
]
SECOND_MULTI = [
    ("atan(y/x)", "x"), ("atan(y/x)", "y"), ("x^2*y + sin(x*y)", "x"), ("x^2*y + sin(x*y)", "y"),
    ("sqrt(x^2 + y^2)", "x"), ("log(x^2 + y^2)", "x"), ("x/(x^2 + y^2)", "y"), ("exp(x*y)/(x + y)", "x"),
]


def all_cases():
    cases = []

    def add(category, formula, var="x", order=1):
        cases.append(Case(category, formula, var, order))

    for f in TEXTBOOK:
        add("textbook tables", f)
    for g in INNER:
        for f in OUTER:
            add("textbook tables", f"{f}({g})")
    for f in QUOTIENTS + QUOTIENT_FAMILIES:
        add("quotients", f)
    for f in ROOTS:
        add("roots", f)
    for f in EXPLOG:
        add("exp/log", f)
    for f, v in INVERSE:
        add("inverse trig & hyperbolic compositions", f, v)
    for f in MULTI:
        for v in ("x", "y"):
            add("multivariable partials", f, v)
    for f, v in MULTI_3:
        add("multivariable partials", f, v)
    for f in SECOND:
        add("second derivatives", f, "x", 2)
    for f, v in SECOND_MULTI:
        add("second derivatives", f, v, 2)
    seen, unique = set(), []
    for c in cases:
        if (c.formula, c.var, c.order) not in seen:
            seen.add((c.formula, c.var, c.order))
            unique.append(c)
    return unique


# ------------------------------------------------------------------ SymPy's reading of a formula

FUNCTION_NAMES = set(symdiff.FUNCTIONS) | {"Abs"}
CONSTANTS = {"pi", "e"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_TRANSFORMS = standard_transformations + (implicit_multiplication,)
_SYMPY_FUNCTIONS = {
    "abs": sympy.Abs, "sign": sympy.sign, "cbrt": lambda u: u ** sympy.Rational(1, 3),
    "log2": lambda u: sympy.log(u, 2), "log10": lambda u: sympy.log(u, 10),
    "log": lambda u, b=None: sympy.log(u) if b is None else sympy.log(u, b),
}


def variables_of(formula):
    return sorted({n for n in _NAME.findall(formula) if n not in FUNCTION_NAMES | CONSTANTS})


def to_sympy(formula):
    """The formula as SymPy reads it: every variable a real Symbol (symdiff works over the
    reals), symdiff's function names mapped where SymPy's differ."""
    local = {name: sympy.Symbol(name, real=True) for name in variables_of(formula)}
    local.update(_SYMPY_FUNCTIONS, e=sympy.E, pi=sympy.pi)
    return parse_expr(formula.replace("^", "**"), local_dict=local, transformations=_TRANSFORMS)


# ------------------------------------------------------------------ the neutral size measure

def parse_text(text):
    return ast.parse(text.replace("^", "**"), mode="eval").body


def size(text):
    """Expression nodes of the printed text (see the module docstring for what counts)."""
    root = parse_text(text)
    heads = {id(n.func) for n in ast.walk(root) if isinstance(n, ast.Call)}
    return sum(1 for n in ast.walk(root) if isinstance(n, ast.expr) and id(n) not in heads)


# ------------------------------------------------------------------ one evaluator for every text

class Undefined(Exception):
    """The text has no real, finite value at this point."""


def _real(v):
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > 1e-25 * max(1, abs(v.real)):
            raise Undefined
        v = v.real
    if isinstance(v, (int, bool)):
        v = mpmath.mpf(v)
    if not mpmath.isfinite(v):
        raise Undefined
    return v


def _cbrt(u):
    return mpmath.sign(u) * abs(u) ** (mpmath.mpf(1) / 3)


def _log(u, b=None):
    return mpmath.log(u) if b is None else mpmath.log(u) / mpmath.log(b)


def _piecewise(*pairs):
    for value, condition in pairs:
        if condition:
            return value
    raise Undefined


def _delta(u):
    if u == 0:
        raise Undefined
    return mpmath.mpf(0)


MP = {
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan, "cot": mpmath.cot, "sec": mpmath.sec,
    "csc": mpmath.csc, "asin": mpmath.asin, "acos": mpmath.acos, "atan": mpmath.atan,
    "acot": mpmath.acot, "asec": mpmath.asec, "acsc": mpmath.acsc, "sinh": mpmath.sinh,
    "cosh": mpmath.cosh, "tanh": mpmath.tanh, "coth": mpmath.coth, "sech": mpmath.sech,
    "csch": mpmath.csch, "asinh": mpmath.asinh, "acosh": mpmath.acosh, "atanh": mpmath.atanh,
    "acoth": mpmath.acoth, "asech": mpmath.asech, "acsch": mpmath.acsch, "exp": mpmath.exp,
    "log": _log, "log2": lambda u: _log(u, 2), "log10": lambda u: _log(u, 10), "sqrt": mpmath.sqrt,
    "cbrt": _cbrt, "abs": abs, "Abs": abs, "sign": mpmath.sign, "atan2": mpmath.atan2,
    "Piecewise": _piecewise, "DiracDelta": _delta, "Heaviside": lambda u: mpmath.mpf(u > 0),
    "Eq": lambda a, b: a == b, "Ne": lambda a, b: a != b, "And": lambda *a: all(a),
    "Or": lambda *a: any(a), "Gt": lambda a, b: a > b, "Lt": lambda a, b: a < b,
    "Ge": lambda a, b: a >= b, "Le": lambda a, b: a <= b,
}
_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


def value(text, point):
    """The printed text's value at the point (a dict of mpf), in mpmath; Undefined where it
    has no real finite value.  Every intermediate value must be real."""
    def ev(node):
        match node:
            case ast.Constant(value=v):
                return v if isinstance(v, bool) else mpmath.mpf(v)
            case ast.Name(id=name):
                if name in point:
                    return point[name]
                if name in ("e", "E"):
                    return +mpmath.e
                if name == "pi":
                    return +mpmath.pi
                if name in ("zoo", "nan", "oo", "I"):
                    raise Undefined
                raise KeyError(f"unknown name {name!r}")
            case ast.UnaryOp(op=ast.USub(), operand=u):
                return -ev(u)
            case ast.BinOp(left=a, op=op, right=b):
                return _real(_OPS[type(op)](ev(a), ev(b)))
            case ast.Tuple(elts=items):
                return tuple(ev(i) for i in items)
            case ast.Call(func=ast.Name(id=name), args=args):
                if name not in MP:
                    raise KeyError(f"unknown function {name!r}")
                out = MP[name](*(ev(a) for a in args))
                return out if isinstance(out, bool) else _real(out)
        raise KeyError(f"cannot evaluate {ast.dump(node)[:60]}")

    try:
        return _real(ev(parse_text(text)))
    except (ZeroDivisionError, ValueError, OverflowError):
        raise Undefined from None


def close(a, b):
    return abs(a - b) <= TOLERANCE * max(1, abs(a), abs(b))


# ------------------------------------------------------------------ one case

class Timeout(BaseException):
    """Raised by SIGALRM; not an Exception, so no `except Exception` inside SymPy or symdiff
    swallows it."""


def _alarm(signum, frame):
    raise Timeout


@dataclass
class Row:
    case: Case
    sd_text: str = ""
    sd_size: int | None = None
    sd_time: float | None = None
    d_text: str = ""
    d_size: int | None = None
    s_text: str = ""
    s_size: int | None = None
    sp_time: float | None = None
    timeout: bool = False
    error: str = ""
    checked: int = 0                                  # points where every value was defined
    mismatch: list = field(default_factory=list)      # human-readable disagreements
    notes: list = field(default_factory=list)

    @property
    def simplify_won(self):
        return self.s_size is not None and self.s_size < self.d_size

    @property
    def best_text(self):
        return self.s_text if self.simplify_won else self.d_text

    @property
    def best_size(self):
        return self.s_size if self.simplify_won else self.d_size

    @property
    def ratio(self):
        if self.sd_size is None or self.d_size is None:
            return None
        return self.sd_size / max(self.best_size, 1)

    @property
    def ok(self):
        return self.ratio is not None and self.sd_size <= self.best_size


def symdiff_text(formula, var, order, times=None):
    """symdiff's printed derivative; each call under the same timeout as SymPy's (symdiff
    should never need it, but a run must end even if a change makes it loop).  With
    ``times``, up to three calls are timed (one if it is slow) and their times appended."""
    signal.signal(signal.SIGALRM, _alarm)
    try:
        for _ in range(3 if times is not None else 1):
            signal.setitimer(signal.ITIMER_REAL, SIMPLIFY_TIMEOUT)
            t = time.perf_counter()
            result = symdiff.diff(formula, var, order)
            if times is not None:
                times.append(time.perf_counter() - t)
                if times[-1] > 0.1:
                    break
        signal.setitimer(signal.ITIMER_REAL, SIMPLIFY_TIMEOUT)
        return symdiff.to_text(result)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def run_symdiff(row):
    c = row.case
    times = []
    try:
        row.sd_text = symdiff_text(c.formula, c.var, c.order, times)
        row.sd_size = size(row.sd_text)
        row.sd_time = statistics.median(times)
    except Exception as error:              # a refusal is a result too (the code is being edited)
        row.error = f"symdiff: {type(error).__name__}: {error}"
    except Timeout:
        row.error = f"symdiff: no result within {SIMPLIFY_TIMEOUT:g} s"


def run_sympy(row, expr):
    c = row.case
    var = sympy.Symbol(c.var, real=True)
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SIMPLIFY_TIMEOUT)
    t = time.perf_counter()
    try:
        d = sympy.diff(expr, var, c.order)
        row.d_text = str(d)
        s = sympy.simplify(d)
        row.s_text = str(s)
    except Timeout:
        row.timeout = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        row.sp_time = time.perf_counter() - t
    if not row.d_text:
        row.error += " SymPy: diff timed out"
        return
    row.d_size = size(row.d_text)
    if row.s_text:
        row.s_size = size(row.s_text)


def oracle(expr_text, var, order, point):
    """mpmath.diff of the input itself (SymPy's reading of it, evaluated by `value`)."""
    def f(t):
        return value(expr_text, {**point, var: t})
    return _real(mpmath.diff(f, point[var], order))


def check(row, expr_text):
    c = row.case
    names = variables_of(c.formula)
    rng = random.Random(zlib.crc32(f"{c.formula}/{c.var}/{c.order}".encode()))
    texts = {"symdiff": row.sd_text, "SymPy d": row.d_text}
    if row.best_text != row.d_text:
        texts["SymPy best"] = row.best_text
    unknown = set()
    for attempt in range(ATTEMPTS):
        lo, hi = RANGES[attempt % len(RANGES)]
        point = {v: mpmath.mpf(round(rng.uniform(lo, hi), 6)) for v in names}
        values = {}
        try:
            for who, text in texts.items():
                values[who] = value(text, point)
            values["oracle"] = oracle(expr_text, c.var, c.order, point)
        except Undefined:
            continue
        except KeyError as error:
            unknown.add(str(error))
            continue
        row.checked += 1
        at = ", ".join(f"{k}={mpmath.nstr(v, 8)}" for k, v in point.items())
        sd, d, want = values["symdiff"], values["SymPy d"], values["oracle"]
        if not close(sd, d):
            who = "symdiff" if close(d, want) else "SymPy" if close(sd, want) else "both?"
            row.mismatch.append(f"at {at}: symdiff {mpmath.nstr(sd, 12)}, SymPy {mpmath.nstr(d, 12)}, "
                                f"mpmath.diff {mpmath.nstr(want, 12)} (wrong: {who})")
        elif not close(sd, want):
            row.notes.append(f"symdiff and SymPy agree but mpmath.diff of the input says "
                             f"{mpmath.nstr(want, 12)} at {at}")
        if "SymPy best" in values and not close(values["SymPy best"], d):
            row.notes.append(f"SymPy's simplify changed the value at {at}")
        if row.checked >= POINTS:
            break
    if unknown:
        row.notes.append("not evaluable: " + "; ".join(sorted(unknown)))


def run_case(case):
    row = Row(case)
    run_symdiff(row)
    try:
        expr = to_sympy(case.formula)
    except Exception as error:
        row.error += f" SymPy parse: {type(error).__name__}: {error}"
        return row
    run_sympy(row, expr)
    if row.sd_size is not None and row.d_text:
        check(row, str(expr))
    return row


# ------------------------------------------------------------------ the issue's table

@dataclass
class IssueRow:
    formula: str
    var: str
    expected: str
    got: str = ""
    got_size: int | None = None
    expected_size: int = 0
    equal: str = "–"
    error: str = ""

    @property
    def no_larger(self):
        return self.got_size is not None and self.got_size <= self.expected_size


def issue_table():
    rows = []
    for formula, var, expected in ISSUE_TABLE:
        r = IssueRow(formula, var, expected, expected_size=size(expected))
        try:
            r.got = symdiff_text(formula, var, 1)
            r.got_size = size(r.got)
        except (Exception, Timeout) as error:
            r.error = f"{type(error).__name__}: {error}"
            rows.append(r)
            continue
        rng = random.Random(zlib.crc32(formula.encode()))
        agree = tried = 0
        for attempt in range(ATTEMPTS):
            lo, hi = RANGES[attempt % len(RANGES)]
            point = {v: mpmath.mpf(round(rng.uniform(lo, hi), 6)) for v in variables_of(formula)}
            try:
                a, b = value(r.got, point), value(expected, point)
            except Undefined:
                continue
            tried += 1
            agree += close(a, b)
            if tried >= POINTS:
                break
        r.equal = ("–" if not tried else "yes" if agree == tried
                   else f"**no** ({tried - agree}/{tried} points)")
        rows.append(r)
    return rows


# ------------------------------------------------------------------ report

def code(text, limit=90):
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def share(rows):
    return sum(r.ok for r in rows) / len(rows) if rows else 0.0


def fmt_t(t):
    if t is None:
        return "–"
    return f"{t * 1e6:.0f} µs" if t < 1e-3 else f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def report(rows, issues, elapsed, quick):
    measured = [r for r in rows if r.ratio is not None]
    errors = [r for r in rows if r.ratio is None]
    overall = share(rows)
    worst = max(measured, key=lambda r: r.ratio) if measured else None
    max_ratio = worst.ratio if worst else float("inf")
    mismatches = [r for r in rows if r.mismatch]
    unchecked = [r for r in rows if r.sd_size is not None and r.d_text and not r.checked]
    issue_ok = sum(r.no_larger and r.equal == "yes" for r in issues)

    def mark(ok):
        return "met" if ok else "NOT MET"

    targets = (f"Targets: symdiff no larger than SymPy's best on {overall:.1%} of {len(rows)} cases "
               f"(target >= 90%: {mark(overall >= 0.9)}); max ratio {max_ratio:.2f}x "
               f"(target <= 2x: {mark(max_ratio <= 2 and not errors)}); value mismatches "
               f"{len(mismatches)} (target 0: {mark(not mismatches)}); issue's table "
               f"{issue_ok}/12 no larger and equal by value")

    out = ["# symdiff vs SymPy: how readable are the derivatives?",
           f"Python {platform.python_version()}, sympy {sympy.__version__}, mpmath {mpmath.__version__}, "
           f"symdiff {symdiff.__version__}; {len(rows)} cases{' (--quick: every 5th)' if quick else ''}; "
           f"whole run {elapsed:.0f} s.  Produced by `python bench/readable.py`; the measure and the "
           "check are described in its docstring.",
           "Size = expression nodes of the printed text as Python's `ast` parses it (`^` read as `**`): "
           "numbers, names, binary operations, unary minus and function applications (a call counts "
           "once, its name not again); operators and contexts are not counted.  `x^2` = 3, "
           "`-2/(x + 1)^2` = 8, `3*sqrt(x)/2` = 6.  SymPy's best = the smaller of `sympy.diff` and "
           f"`sympy.simplify` of it (simplify stopped after {SIMPLIFY_TIMEOUT:g} s; variables are "
           "real Symbols).  Ratio = symdiff / SymPy's best.",
           "## Targets", targets]
    if errors:
        out.append(f"- {len(errors)} cases gave no symdiff result (counted as larger): "
                   + "; ".join(f"{code(r.case.label())}: {r.error[:120]}" for r in errors[:10]))

    out += ["## By category",
            "| category | cases | no larger | share | median ratio | max ratio "
            "| mean size symdiff / SymPy best |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for cat in CATEGORIES + ["all"]:
        rs = rows if cat == "all" else [r for r in rows if r.case.category == cat]
        ms = [r for r in rs if r.ratio is not None]
        if not rs:
            continue
        name = "**all**" if cat == "all" else cat
        out.append(f"| {name} | {len(rs)} | {sum(r.ok for r in rs)} | {share(rs):.1%} "
                   f"| {statistics.median(r.ratio for r in ms):.2f} | {max(r.ratio for r in ms):.2f} "
                   f"| {statistics.mean(r.sd_size for r in ms):.1f} "
                   f"/ {statistics.mean(r.best_size for r in ms):.1f} |"
                   if ms else f"| {name} | {len(rs)} | 0 | 0% | – | – | – |")

    out += ["## The issue's table",
            "symdiff's output now against the form a person would write (all d/dx); *no larger* "
            "by the same size measure; *equal* by value at "
            f"{POINTS} random points.",
            "| formula | symdiff now | size | expected | size | no larger | equal |",
            "|---|---|---:|---|---:|:---:|:---:|"]
    for r in issues:
        got = code(r.got) if not r.error else f"error: {r.error[:80]}"
        out.append(f"| {code(r.formula)} | {got} | {r.got_size if r.got_size is not None else '–'} "
                   f"| {code(r.expected)} | {r.expected_size} | {'yes' if r.no_larger else '**no**'} "
                   f"| {r.equal} |")
    out.append(f"{issue_ok} of 12 rows are no larger than the expected form and equal to it by value.")

    out += [f"## The {WORST} worst cases",
            "| case | category | symdiff | SymPy's best | sizes | ratio |", "|---|---|---|---|---:|---:|"]
    for r in sorted(measured, key=lambda r: (-r.ratio, -r.sd_size))[:WORST]:
        which = "simplify" if r.simplify_won else "diff"
        out.append(f"| {code(r.case.label())} | {r.case.category} | {code(r.sd_text, 120)} "
                   f"| {code(r.best_text, 120)} ({which}) | {r.sd_size} / {r.best_size} | {r.ratio:.2f} |")

    out += ["## Value check",
            f"Every case at up to {POINTS} random points: symdiff's printed result against SymPy's "
            "`diff`, with mpmath.diff of the input as the referee."]
    if mismatches:
        out.append(f"**{len(mismatches)} VALUE MISMATCHES:**")
        for r in mismatches:
            out.append(f"- {code(r.case.label())}: symdiff {code(r.sd_text)}, SymPy {code(r.d_text)}; "
                       + "; ".join(r.mismatch[:2]))
    else:
        out.append(f"No mismatch: symdiff agrees with SymPy on every checked case "
                   f"({sum(r.checked > 0 for r in rows)} cases, {sum(r.checked for r in rows)} points).")
    if unchecked:
        out.append("Not checked (no point where every value is real and finite): "
                   + ", ".join(code(r.case.label()) for r in unchecked))
    notes = [r for r in rows if r.notes]
    if notes:
        out.append("Notes: " + "; ".join(f"{code(r.case.label())}: {'; '.join(r.notes)}" for r in notes))

    sd_times = [r.sd_time for r in rows if r.sd_time is not None]
    sp_times = [r.sp_time for r in rows if r.sp_time is not None]
    timeouts = [r for r in rows if r.timeout]
    out += ["## Time (informational)",
            f"- median per case: symdiff `diff` {fmt_t(statistics.median(sd_times))} (median of 3 calls), "
            f"SymPy `diff` + `simplify` {fmt_t(statistics.median(sp_times))} (one call; SymPy's cache "
            f"is not cleared)" if sd_times and sp_times else "- no times",
            f"- SymPy timeouts ({SIMPLIFY_TIMEOUT:g} s, then only `diff` counts): {len(timeouts)}"
            + (": " + ", ".join(code(r.case.label()) for r in timeouts) if timeouts else "")]

    larger = sorted((r for r in rows if not r.ok), key=lambda r: (CATEGORIES.index(r.case.category),
                                                                  -(r.ratio or 99)))
    out += [f"## Every case where symdiff is larger ({len(larger)})",
            "<details><summary>show</summary>\n",
            "| case | category | symdiff | SymPy's best | sizes | ratio |", "|---|---|---|---|---:|---:|"]
    for r in larger:
        out.append(f"| {code(r.case.label())} | {r.case.category} | {code(r.sd_text or r.error, 120)} "
                   f"| {code(r.best_text, 120)} | {r.sd_size if r.sd_size is not None else '–'} / "
                   f"{r.best_size} | {f'{r.ratio:.2f}' if r.ratio is not None else '–'} |")
    out.append("\n</details>")
    return markdown(out) + "\n", targets


def markdown(lines):
    """Paragraphs apart, the rows of a table or a list together."""
    text = lines[0]
    for previous, line in zip(lines, lines[1:]):
        together = previous[:2] == line[:2] and line[:2] in ("| ", "|-", "- ") or \
            previous.startswith("|") and line.startswith("|")
        text += ("\n" if together else "\n\n") + line
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="every 5th case")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "readable-results.md"))
    args = ap.parse_args()
    cases = all_cases()
    if args.quick:
        cases = cases[::5]
    start = time.perf_counter()
    rows = []
    for i, case in enumerate(cases, 1):
        row = run_case(case)
        rows.append(row)
        flag = "MISMATCH " if row.mismatch else "timeout " if row.timeout else ""
        print(f"[{i:3}/{len(cases)}] {flag}{case.label():48} "
              f"{row.sd_size if row.sd_size is not None else 'err':>4} vs {str(row.best_size):>4}  "
              f"{row.sd_text[:60]}", file=sys.stderr, flush=True)
        if row.mismatch:
            print(f"    VALUE MISMATCH: {row.mismatch[0]}", file=sys.stderr, flush=True)
    issues = issue_table()
    doc, targets = report(rows, issues, time.perf_counter() - start, args.quick)
    print(doc)
    print(targets)
    with open(args.out, "w") as fh:
        fh.write(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
