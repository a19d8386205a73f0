"""The function table: each function's derivative, numeric value and LaTeX name, stated once.

Adding a function is one row of ``FUNCTIONS``.  A row gives, for each argument
``u``, the partial derivative as an expression in the arguments (the chain rule
is written once, in :mod:`symdiff.diff`), the real-valued implementation with
its domain, the LaTeX command, and exact values the simplifier may use.

>>> FUNCTIONS["sin"].derivatives[0](Symbol("u"))
cos(u)
>>> resolve("arcsin").name
'asin'
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .errors import EvaluationError
from .expr import (E, PI, as_expr, fold_power, MINUS_ONE, ONE, TWO, ZERO, Expr, Num, Symbol, add, call, mul,
                   neg, power, reserve_names)


@dataclass(frozen=True)
class Function:
    """Every fact about one function, in one row; each surface reads its column."""

    name: str
    derivatives: tuple[Callable[..., Expr], ...]   # one partial derivative per argument
    numeric: Callable[..., float]                  # real-valued; raises EvaluationError off-domain
    latex: str                                     # LaTeX command, or a template: {} is the argument
    special: dict = field(default_factory=dict)    # exact values: {argument: result}
    aliases: tuple[str, ...] = ()
    exact: Callable | None = None                  # exact value at an exact number, or None
    complex: Callable[..., complex] | None = None  # its analytic continuation (the complex step)
    python: str | None = None                      # Python code: {a}, {b} the arguments, {p} the
                                                   # first one as an operand of / (see formats)
    python_binds: str = "atom"                     # how tightly that code binds: atom or product
    power_on_name: bool = False                    # integer powers on the name: \sin^{2}(x)
    mathml: str = ""                               # MathML name, or a template; default the name
    rule: str = ""                                 # the rule's name in steps; default "<name> rule"

    @property
    def arity(self) -> int:
        return len(self.derivatives)

    @property
    def rule_name(self) -> str:
        return self.rule or f"{self.name} rule"


# ----- builders, so the derivative column reads like the math -----
def _builder(name: str, arities: tuple[int, ...] = (1,)) -> Callable[..., Expr]:
    """``sin(x)`` for building expressions in Python: numbers become ``Num``, arity is checked."""
    takes = " or ".join(map(str, arities)) + (" arguments" if arities[-1] > 1 else " argument")

    def build(*args) -> Expr:
        if len(args) not in arities:
            raise TypeError(f"{name} takes {takes}, got {len(args)}")
        for a in args:
            if not isinstance(a, Expr):      # an autodiff Variable builds its own kind of result
                apply = getattr(a, "__symdiff_apply__", None)
                if apply is not None:
                    return apply(name, args)
                return call(name, *map(as_expr, args))
        return call(name, *args)             # the derivative rules' case: expressions already
    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"The expression {name}(...)."
    return build


sin, cos, tan, cot, sec, csc = map(_builder, ("sin", "cos", "tan", "cot", "sec", "csc"))
sinh, cosh, tanh, coth, sech, csch = map(_builder, ("sinh", "cosh", "tanh", "coth", "sech", "csch"))
asin, acos, atan, acot, asec, acsc = map(_builder, ("asin", "acos", "atan", "acot", "asec", "acsc"))
asinh, acosh, atanh = map(_builder, ("asinh", "acosh", "atanh"))
exp, log2, log10, sqrt, cbrt = map(_builder, ("exp", "log2", "log10", "sqrt", "cbrt"))
log = _builder("log", arities=(1, 2))                # log(x), or log(x, base)
Abs, sign = _builder("abs"), _builder("sign")


def square(u: Expr) -> Expr:
    return power(u, TWO)


def recip(u: Expr) -> Expr:
    return power(u, MINUS_ONE)


def over(numerator: Expr, denominator: Expr) -> Expr:
    return mul(numerator, recip(denominator))


# ----- real-valued implementations with their domains -----
def _sech(x: float) -> float:
    """1/cosh(x), as 2 e^-|x| / (1 + e^-2|x|), which stays exact where cosh overflows."""
    t = math.exp(-abs(x))
    return 2 * t / (1 + t * t)


def _csch(x: float) -> float:
    """1/sinh(x), as 2 e^-|x| / (1 - e^-2|x|) with x's sign, exact where sinh overflows."""
    if abs(x) < 1:
        return 1 / math.sinh(x)                     # 1 - e^-2|x| would lose digits near 0
    t = math.exp(-abs(x))
    return math.copysign(2 * t / (1 - t * t), x)


class FunctionOverflow(EvaluationError):
    """A function of the table overflowed the float range at a finite argument (cosh(1000));
    the numeric walks then ask for its value at infinity (see evaluate.beyond_range)."""


def _real(fn: Callable[[float], float], name: str, ok: Callable[[float], bool] | None = None,
          domain: str = "") -> Callable[[float], float]:
    def value(x: float) -> float:
        if x != x:
            return x                                     # NaN propagates
        if ok is not None and not ok(x):
            raise EvaluationError(f"{name}({_show(x)}) is undefined: {name} needs {domain}")
        try:
            result = fn(x)
        except OverflowError:
            raise FunctionOverflow(f"{name}({_show(x)}) overflows the float range") from None
        except (ValueError, ZeroDivisionError):
            raise EvaluationError(f"{name}({_show(x)}) is undefined") from None
        if math.isinf(result) and math.isfinite(x):
            raise FunctionOverflow(f"{name}({_show(x)}) overflows the float range")
        return float(result)
    value.__name__ = name
    value.domain = domain or "all reals"  # type: ignore[attr-defined]  # a function's own attribute, for the table in the grammar reference
    return value


def _show(x: float) -> str:
    return repr(x) if not float(x).is_integer() else str(int(x)) if abs(x) < 1e16 else repr(x)


def _nonzero(name, fn):
    return _real(fn, name, lambda x: x != 0, "a non-zero argument")


def _log_base(x: float, b: float) -> float:
    if x != x or b != b:
        return math.nan
    if x <= 0 or b <= 0 or b == 1:
        raise EvaluationError(f"log({_show(x)}, {_show(b)}) is undefined: log needs a positive "
                              f"argument and a positive base other than 1")
    return math.log(x) / math.log(b)


def _exact_root(q: int):
    """The exact real q-th root of a rational number, when there is one."""
    def root(v):
        if v < 0:
            if q % 2 == 0:
                return None
            r = fold_power(-v, Fraction(1, q))
            return None if r is None else -r
        return fold_power(v, Fraction(1, q))
    return root


def _acot(x: float) -> float:
    """Principal value in (-pi/2, pi/2], with acot(0) = pi/2 (continuous from the right)."""
    return math.pi / 2 if x == 0 else math.atan(1 / x)


def _sign(x: float) -> float:
    return (x > 0) - (x < 0)


# ----- exact values at multiples of pi -----
def _sine_at(q: Fraction) -> tuple[Fraction, int] | None:
    """sin(q*pi) = a*sqrt(r) as (a, r), for q a multiple of 1/4 or 1/6; else None."""
    q %= 2
    sign = 1
    if q >= 1:                                   # sin(t + pi) = -sin(t)
        q, sign = q - 1, -1
    if q > Fraction(1, 2):                       # sin(pi - t) = sin(t)
        q = 1 - q
    value = {Fraction(0): (Fraction(0), 1), Fraction(1, 6): (Fraction(1, 2), 1),
             Fraction(1, 4): (Fraction(1, 2), 2), Fraction(1, 3): (Fraction(1, 2), 3),
             Fraction(1, 2): (Fraction(1), 1)}.get(q)
    return None if value is None else (sign * value[0], value[1])


def _quotient_at(numerator, denominator) -> tuple[Fraction, int] | None:
    """(a1*sqrt(r1))/(a2*sqrt(r2)) = a1/(a2*r2) * sqrt(r1*r2); None at a pole."""
    if numerator is None or denominator is None or denominator[0] == 0:
        return None
    (a1, r1), (a2, r2) = numerator, denominator
    return a1 / (a2 * r2), r1 * r2


_ONE_AT = (Fraction(1), 1)
_TRIG_AT = {
    "sin": lambda q: _sine_at(q),
    "cos": lambda q: _sine_at(q + Fraction(1, 2)),
    "tan": lambda q: _quotient_at(_sine_at(q), _sine_at(q + Fraction(1, 2))),
    "cot": lambda q: _quotient_at(_sine_at(q + Fraction(1, 2)), _sine_at(q)),
    "sec": lambda q: _quotient_at(_ONE_AT, _sine_at(q + Fraction(1, 2))),
    "csc": lambda q: _quotient_at(_ONE_AT, _sine_at(q)),
}


def _at_multiples_of_pi(name: str) -> dict:
    """Exact values of a trigonometric function at q*pi for q = k/12 in (-2, 2] with q a
    multiple of 1/4 or 1/6: sin(pi/6) = 1/2, cos(pi) = -1, tan(pi/3) = sqrt(3), ...
    (poles left out)."""
    special = {}
    for k in range(-23, 25):
        q = Fraction(k, 12)
        if q.denominator in (1, 2, 3, 4, 6):
            value = _TRIG_AT[name](q)
            if value is not None:                # a*sqrt(r); sqrt(4) and sqrt(9) fold
                coefficient, radicand = value
                special[mul(Num(q), PI)] = mul(Num(coefficient),
                                               power(Num(radicand), Num(Fraction(1, 2))))
    return special


def _cbrt(z: complex) -> complex:
    """The real cube root, continued analytically off the real axis."""
    return z ** (1 / 3) if z.real >= 0 else -((-z) ** (1 / 3))


# Complex values (the complex column) are analytic continuations of the real functions
# near the real axis; abs and sign continue the branch of the real point.
def _complex_acot(z: complex) -> complex:
    return math.pi / 2 + 0j if z == 0 else cmath.atan(1 / z)


def _complex_abs(z: complex) -> complex:
    return z if z.real >= 0 else -z


def _complex_sign(z: complex) -> complex:
    return complex(_sign(z.real))


_unit: dict[str, Any] = dict(ok=lambda x: -1 <= x <= 1, domain="an argument in [-1, 1]")
_outside_unit: dict[str, Any] = dict(ok=lambda x: abs(x) >= 1, domain="|argument| >= 1")

FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    #        name     partial derivative(s)                          numeric                                  LaTeX      exact values
    Function("sin",   (lambda u: cos(u),),                           _real(math.sin, "sin"),                  r"\sin",   _at_multiples_of_pi("sin"),
             complex=cmath.sin, python="math.sin({a})", rule="sine rule", power_on_name=True),
    Function("cos",   (lambda u: neg(sin(u)),),                      _real(math.cos, "cos"),                  r"\cos",   _at_multiples_of_pi("cos"),
             complex=cmath.cos, python="math.cos({a})", rule="cosine rule", power_on_name=True),
    Function("tan",   (lambda u: square(sec(u)),),                   _real(math.tan, "tan"),                  r"\tan",   _at_multiples_of_pi("tan"),
             complex=cmath.tan, python="math.tan({a})", rule="tangent rule", power_on_name=True, aliases=("tg",)),
    Function("cot",   (lambda u: neg(square(csc(u))),),              _nonzero("cot", lambda x: 1 / math.tan(x)), r"\cot", _at_multiples_of_pi("cot"),
             complex=lambda z: 1 / cmath.tan(z), python="1 / math.tan({a})", python_binds="product", power_on_name=True, aliases=("ctg", "cotg")),
    Function("sec",   (lambda u: mul(sec(u), tan(u)),),              _real(lambda x: 1 / math.cos(x), "sec"), r"\sec",   _at_multiples_of_pi("sec"),
             complex=lambda z: 1 / cmath.cos(z), python="1 / math.cos({a})", python_binds="product", power_on_name=True),
    Function("csc",   (lambda u: neg(mul(csc(u), cot(u))),),         _nonzero("csc", lambda x: 1 / math.sin(x)), r"\csc", _at_multiples_of_pi("csc"),
             complex=lambda z: 1 / cmath.sin(z), python="1 / math.sin({a})", python_binds="product", power_on_name=True, aliases=("cosec",)),
    Function("asin",  (lambda u: recip(sqrt(add(ONE, neg(square(u))))),), _real(math.asin, "asin", **_unit), r"\arcsin", {ZERO: ZERO}, ("arcsin",),
             complex=cmath.asin, python="math.asin({a})"),
    Function("acos",  (lambda u: neg(recip(sqrt(add(ONE, neg(square(u)))))),), _real(math.acos, "acos", **_unit), r"\arccos", {ONE: ZERO}, ("arccos",),
             complex=cmath.acos, python="math.acos({a})"),
    Function("atan",  (lambda u: recip(add(ONE, square(u))),),      _real(math.atan, "atan"),                r"\arctan", {ZERO: ZERO}, ("arctan", "arctg"),
             complex=cmath.atan, python="math.atan({a})"),
    Function("acot",  (lambda u: neg(recip(add(ONE, square(u)))),), _real(_acot, "acot"), r"\operatorname{arccot}", {}, ("arccot", "arcctg"),
             complex=_complex_acot, python="(math.pi / 2 if {a} == 0 else math.atan(1 / {p}))"),
    Function("asec",  (lambda u: recip(mul(Abs(u), sqrt(add(square(u), MINUS_ONE)))),), _real(lambda x: math.acos(1 / x), "asec", **_outside_unit), r"\operatorname{arcsec}", {ONE: ZERO}, ("arcsec",),
             complex=lambda z: cmath.acos(1 / z), python="math.acos(1 / {p})"),
    Function("acsc",  (lambda u: neg(recip(mul(Abs(u), sqrt(add(square(u), MINUS_ONE))))),), _real(lambda x: math.asin(1 / x), "acsc", **_outside_unit), r"\operatorname{arccsc}", {}, ("arccsc", "arccosec"),
             complex=lambda z: cmath.asin(1 / z), python="math.asin(1 / {p})"),
    Function("sinh",  (lambda u: cosh(u),),                          _real(math.sinh, "sinh"),                r"\sinh",  {ZERO: ZERO},
             complex=cmath.sinh, python="math.sinh({a})", power_on_name=True),
    Function("cosh",  (lambda u: sinh(u),),                          _real(math.cosh, "cosh"),                r"\cosh",  {ZERO: ONE},
             complex=cmath.cosh, python="math.cosh({a})", power_on_name=True),
    Function("tanh",  (lambda u: square(sech(u)),),                  _real(math.tanh, "tanh"),                r"\tanh",  {ZERO: ZERO},
             complex=cmath.tanh, python="math.tanh({a})", power_on_name=True),
    Function("coth",  (lambda u: neg(square(csch(u))),),             _nonzero("coth", lambda x: 1 / math.tanh(x)), r"\coth",
             complex=lambda z: 1 / cmath.tanh(z), python="1 / math.tanh({a})", python_binds="product", power_on_name=True),
    Function("sech",  (lambda u: neg(mul(sech(u), tanh(u))),),       _real(_sech, "sech"), r"\operatorname{sech}", {ZERO: ONE},
             complex=lambda z: 1 / cmath.cosh(z), python="1 / math.cosh({a})", python_binds="product", power_on_name=True),
    Function("csch",  (lambda u: neg(mul(csch(u), coth(u))),),       _nonzero("csch", _csch), r"\operatorname{csch}",
             complex=lambda z: 1 / cmath.sinh(z), python="1 / math.sinh({a})", python_binds="product", power_on_name=True),
    Function("asinh", (lambda u: recip(sqrt(add(square(u), ONE))),), _real(math.asinh, "asinh"),              r"\operatorname{arsinh}", {ZERO: ZERO}, ("arcsinh", "arsinh"),
             complex=cmath.asinh, python="math.asinh({a})"),
    Function("acosh", (lambda u: recip(sqrt(add(square(u), MINUS_ONE))),), _real(math.acosh, "acosh", lambda x: x >= 1, "an argument >= 1"), r"\operatorname{arcosh}", {ONE: ZERO}, ("arccosh", "arcosh"),
             complex=cmath.acosh, python="math.acosh({a})"),
    Function("atanh", (lambda u: recip(add(ONE, neg(square(u)))),), _real(math.atanh, "atanh", lambda x: -1 < x < 1, "an argument in (-1, 1)"), r"\operatorname{artanh}", {ZERO: ZERO}, ("arctanh", "artanh"),
             complex=cmath.atanh, python="math.atanh({a})"),
    Function("exp",   (lambda u: exp(u),),                           _real(math.exp, "exp"),                  r"\exp",   {ZERO: ONE},
             complex=cmath.exp, python="math.exp({a})", mathml="<msup><mi>e</mi><mrow>{}</mrow></msup>",
             rule="exponential rule"),
    Function("log",   (lambda u: recip(u),),                         _real(math.log, "log", lambda x: x > 0, "a positive argument"), r"\ln", {ONE: ZERO, E: ONE}, ("ln",),
             complex=cmath.log, python="math.log({a})", mathml="ln", rule="logarithm rule", power_on_name=True),
    Function("log2",  (lambda u: recip(mul(u, log(TWO))),),          _real(math.log2, "log2", lambda x: x > 0, "a positive argument"), r"\log_{2}", {ONE: ZERO},
             complex=lambda z: cmath.log(z) / math.log(2), python="math.log2({a})", power_on_name=True),
    Function("log10", (lambda u: recip(mul(u, log(Num(10)))),),      _real(math.log10, "log10", lambda x: x > 0, "a positive argument"), r"\log_{10}", {ONE: ZERO},
             complex=cmath.log10, python="math.log10({a})", power_on_name=True),
    # sqrt is built as the power u^(1/2) (expr.call), so no Call("sqrt") node exists: this row
    # names it for the parser and states its derivative and domain for the reference table;
    # the power rule, fold_power, real_root and the printers of Pow do the work.
    Function("sqrt",  (lambda u: recip(mul(TWO, sqrt(u))),),         _real(math.sqrt, "sqrt", lambda x: x >= 0, "a non-negative argument"), r"\sqrt",
             complex=cmath.sqrt, python="math.sqrt({a})"),
    Function("cbrt",  (lambda u: recip(mul(Num(3), square(cbrt(u)))),), _real(math.cbrt, "cbrt"),          r"\sqrt[3]{{}}", {}, (), _exact_root(3),
             complex=_cbrt, python="math.cbrt({a})", mathml="<mroot><mrow>{}</mrow><mn>3</mn></mroot>"),
    Function("abs",   (lambda u: sign(u),),                          _real(abs, "abs"),                       r"\left|{}\right|", {}, (), abs,
             complex=_complex_abs, python="abs({a})", mathml="<mrow><mo>|</mo>{}<mo>|</mo></mrow>",
             rule="absolute-value rule"),
    Function("sign",  (lambda u: ZERO,),                             _real(_sign, "sign"),                    r"\operatorname{sign}", {}, ("sgn",), _sign,
             complex=_complex_sign, python="float(({a} > 0) - ({a} < 0))"),
)}

# log(u, b) = ln u / ln b shares its name with ln; lookup() tells them apart by arity.  Its
# base prints as a subscript (\log_{b}), which the printers write from the two arguments.
LOG_BASE = Function("log", (lambda u, b: recip(mul(u, log(b))),
                            lambda u, b: neg(over(log(u), mul(b, square(log(b)))))),
                    _log_base, r"\log", complex=lambda z, b: cmath.log(z) / cmath.log(b),
                    python="math.log({a}, {b})", rule="logarithm rule (base b)")

_ALIASES = {alias: f.name for f in FUNCTIONS.values() for alias in f.aliases}
reserve_names([*FUNCTIONS, *_ALIASES])


def resolve(name: str) -> Function | None:
    """The table row for a function name or one of its aliases."""
    return FUNCTIONS.get(_ALIASES.get(name, name))


def lookup(name: str, arity: int) -> Function | None:
    """The table row for ``name`` called with ``arity`` arguments (log takes 1 or 2)."""
    if name == "log" and arity == 2:
        return LOG_BASE
    return resolve(name)


def known_names() -> list[str]:
    return sorted([*FUNCTIONS, *_ALIASES])


def is_derivative_name(fn: str) -> bool:
    """``f'``, ``f''``: derivatives of declared unknown functions."""
    return fn.endswith("'")


__all__ = ["Function", "FUNCTIONS", "resolve", "lookup", "known_names", "Symbol"]
