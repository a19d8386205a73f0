"""Derivative tables collected from public sources (tests/tables/derivatives.txt): textbooks'
tables and exercises, DLMF, and other systems' documented examples.

Each row holds a formula, the variables to differentiate by and the answer as the source states
it.  SymPy reads the formula and the answer on its own; symdiff's derivative must agree by value,
at random points of the row's domain, with the source's answer and with SymPy's ``diff``.
"""

from __future__ import annotations

import math
import pathlib
import zlib
import random

import pytest
import sympy as sp
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication, parse_expr,
                                        standard_transformations)

from test_diff import DOMAINS as DIFF_DOMAINS
from test_diff import SYMPY_NAMES, wrt_spec

from symdiff import diff, evaluate, to_text

TABLE = pathlib.Path(__file__).parent / "tables" / "derivatives.txt"
POINTS = 3
REL_TOL, ABS_TOL = 1e-9, 1e-11
DOMAINS = {**DIFF_DOMAINS, "half": (0.05, 0.45)}    # |2x| < 1: asin(2x)

NAMES = {
    **SYMPY_NAMES, **{name: sp.Symbol(name, real=True) for name in "abcnuvwz"},
    "erf": sp.erf, "erfc": sp.erfc, "erfi": sp.erfi, "gamma": sp.gamma, "loggamma": sp.loggamma,
    "digamma": sp.digamma, "polygamma": sp.polygamma, "beta": sp.beta, "LambertW": sp.LambertW,
    "besselj": sp.besselj, "bessely": sp.bessely, "besseli": sp.besseli, "besselk": sp.besselk,
    "Ei": sp.Ei, "Si": sp.Si, "Ci": sp.Ci, "li": sp.li, "sinc": sp.sinc, "Heaviside": sp.Heaviside,
    "floor": sp.floor, "ceil": sp.ceiling, "min": sp.Min, "max": sp.Max, "atan2": sp.atan2,
    "hypot": lambda a, b: sp.sqrt(a**2 + b**2), "acoth": sp.acoth, "asech": sp.asech,
    "acsch": sp.acsch,
    # other systems' spellings, as those systems define them
    "pow": lambda a, b: a**b, "nthRoot": lambda a, n=2: a**(sp.Integer(1) / n),
    "sq": lambda a: a**2, "log1p": lambda a: sp.log(1 + a), "expm1": lambda a: sp.exp(a) - 1,
    "tgamma": sp.gamma, "trigamma": lambda a: sp.polygamma(1, a),
    "psi": lambda n, a: sp.polygamma(n, a), "fabs": sp.Abs,
}


def _sympy(text: str) -> sp.Expr:
    return parse_expr(text, local_dict=dict(NAMES),
                      transformations=(*standard_transformations, implicit_multiplication, convert_xor))


def _rows() -> list[tuple[str, str, str, str, str]]:
    rows, section = [], ""
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].split(":")[0]
        if line.startswith("#") or not line.strip():
            continue
        formula, wrt, answer, domain = (field.strip() for field in line.split("|"))
        rows.append((section, formula, wrt, answer, domain))
    return rows


ROWS = _rows()


def _value(expr: sp.Expr, point: dict[str, float]) -> float:
    value = expr.evalf(30, subs={NAMES[n]: sp.Float(v, 30) for n, v in point.items()})
    return float(sp.re(value))


@pytest.mark.parametrize("section, formula, wrt, answer, domain", ROWS,
                         ids=[f"d[{r[1]}]/d[{r[2]}]" for r in ROWS])
def test_derivative_agrees_with_the_source_and_with_sympy(section, formula, wrt, answer, domain):
    spec = wrt_spec(wrt)
    ours = diff(formula, *spec)
    theirs = sp.diff(_sympy(formula), *[NAMES[v] if isinstance(v, str) else v for v in spec])
    if theirs.has(sp.Derivative):                        # SymPy leaves d/dx floor(x) unevaluated
        theirs = None
    stated = None if answer == "-" else _sympy(answer)
    assert theirs is not None or stated is not None
    names = sorted({s.name for s in _sympy(formula).free_symbols} | {v for v in spec if isinstance(v, str)})
    rng = random.Random(zlib.crc32(f"{formula}|{wrt}".encode()))
    lo, hi = DOMAINS[domain]
    for _ in range(POINTS):
        point = {n: rng.uniform(lo, hi) for n in names}
        got = evaluate(ours, point)
        for oracle, label in ((theirs, "SymPy's diff"), (stated, "the source's answer")):
            if oracle is None:
                continue
            expected = _value(oracle, point)
            assert math.isclose(got, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL), (
                f"at {point}: symdiff {to_text(ours)} = {got!r}, {label} {oracle} = {expected!r}")


def test_the_tables_are_collected_from_several_sources():
    sections = {row[0] for row in ROWS}
    assert len(sections) >= 6 and len(ROWS) >= 150
