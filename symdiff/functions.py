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
import functools
import math
import re as regex          # "re" is the builder of the real part, below
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeGuard

from .errors import DiffError, EvaluationError
from .expr import (E, HALF, PI, I, as_expr, fold_power, MINUS_ONE, ONE, TWO, ZERO, Call, Expr, Num, Symbol,
                   add, call, mul, neg, postorder, power, reserve_names, construct_with)


@dataclass(frozen=True)
class Function:
    """Every fact about one function, in one row; each surface reads its column."""

    name: str
    derivatives: tuple[Callable[..., Expr], ...]   # one partial derivative per argument
    numeric: Callable[..., float]                  # real-valued; raises EvaluationError off-domain
    latex: str                                     # LaTeX command, or a template: {} is the argument
    special: Mapping = field(default_factory=dict)  # exact values: {argument: result}
    aliases: tuple[str, ...] = ()
    exact: Callable | None = None                  # exact value at an exact number, or None
    complex: Callable[..., complex] | None = None  # its analytic continuation (the complex step)
    complex_value: Callable[..., Any] | None = None  # the true value at complex arguments,
                                                   # where it is not the continuation (abs, re)
    chain: Callable[[Expr, Expr], Expr] | None = None  # f(u)' from u and u' for a complex u, where f
                                                   # is not complex-differentiable (re, conj, abs)
    python: str | None = None                      # Python code: {a}, {b} the arguments, {p} the
                                                   # first one as an operand of / (see formats)
    python_binds: str = "atom"                     # how tightly that code binds: atom or product
    array: str | None = None                       # array code (NumPy, JAX, PyTorch): ``xp.`` the
                                                   # array-API namespace, ``special.`` SciPy's special-
                                                   # function names; default: derived from ``python``
    c: str | None = None                           # C99 code (math.h); default: derived from ``python``
    sympy: str = ""                                # SymPy's function of the same arguments, by its
                                                   # path in the sympy package ("" : see interop)
    power_on_name: bool = False                    # integer powers on the name: \sin^{2}(x)
    mathml: str = ""                               # MathML name, or a template; default the name
    rule: str = ""                                 # the rule's name in steps; default "<name> rule"
    associative: bool = False                      # f(a, b, c) is f(f(a, b), c): min, max
    mpmath: str | Callable[..., Any] = ""          # its value at any precision: mpmath's function
                                                   # by name, or a function of (mpmath, *args);
                                                   # default: mpmath's of the same name, then exact

    @property
    def arity(self) -> int:
        return len(self.derivatives)

    @property
    def value_at_complex(self) -> Callable[..., Any] | None:
        """The function of complex arguments that complex evaluation uses: the true value
        (``complex_value``) where it differs from the continuation of the complex step."""
        return self.complex_value or self.complex

    @property
    def rule_name(self) -> str:
        return self.rule or f"{self.name} rule"

    @property
    def array_code(self) -> str | None:
        """The array column, or the Python code made array code where it calls only functions
        that math and the array API share (``math.sin({a})`` is ``xp.sin({a})``); None: the
        function has no array code."""
        return self.array or _translated(self.python, "xp.", SHARED_NAMES)

    @property
    def c_code(self) -> str | None:
        """The C column, or the Python code made C where it calls only functions of math.h
        (``math.erf({a})`` is ``erf({a})``); None: the function has no C code."""
        return self.c or _translated(self.python, "", SHARED_NAMES | C99_NAMES)


# The functions that Python's math, the array API standard (which NumPy 2, JAX and PyTorch
# follow) and C99's math.h all have under one name; and those only math and math.h share.
SHARED_NAMES = frozenset("sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp log log2 "
                         "log10 sqrt atan2 hypot".split())
C99_NAMES = frozenset({"cbrt", "erf", "erfc", "lgamma", "floor", "ceil"})


def _translated(python: str | None, prefix: str, names: frozenset[str]) -> str | None:
    """``python`` with ``math.`` made ``prefix``, where it is arithmetic and calls of ``names``.

    >>> _translated("1 / math.tan({a})", "xp.", SHARED_NAMES), _translated("math.gamma({a})", "", C99_NAMES)
    ('1 / xp.tan({a})', None)
    """
    if python is None or not regex.fullmatch(r"[\w.(){}, /+*-]*", python) or ")." in python:
        return None
    called = regex.findall(r"(?<![\w.])([\w.]+)\(", python)
    if not called or not all(c.startswith("math.") and c[5:] in names for c in called):
        return None
    return python.replace("math.", prefix)


# ----- builders, so the derivative column reads like the math -----
def _builder(name: str, arities: tuple[int, ...] = (1,)) -> Callable[..., Expr]:
    """``sin(x)`` for building expressions in Python: numbers become ``Num``, arity is checked."""
    takes = " or ".join(map(str, arities)) + (" arguments" if arities[-1] > 1 else " argument")

    def build(*args) -> Expr:
        if len(args) not in arities:
            raise TypeError(f"{name} takes {takes}, got {len(args)}")
        for a in args:                       # an autodiff Variable builds its own kind of
            if not isinstance(a, Expr):      # result, wherever it stands: besselj(2, v)
                apply = getattr(a, "__symdiff_apply__", None)
                if apply is not None:
                    return apply(name, args)
        return call(name, *map(as_expr, args))   # expressions, or numbers made Num
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
re, im, conj, arg = map(_builder, ("re", "im", "conj", "arg"))
acoth, asech, acsch = map(_builder, ("acoth", "asech", "acsch"))
erf, erfc, erfi, gamma, loggamma, digamma = map(_builder, ("erf", "erfc", "erfi", "gamma", "loggamma",
                                                           "digamma"))
LambertW, Ei, Si, Ci, li, sinc = map(_builder, ("LambertW", "Ei", "Si", "Ci", "li", "sinc"))
Heaviside, floor, ceil = map(_builder, ("Heaviside", "floor", "ceil"))
atan2, hypot, polygamma, beta, Min, Max = (_builder(name, arities=(2,)) for name in
                                           ("atan2", "hypot", "polygamma", "beta", "min", "max"))
factorial, ff = _builder("factorial"), _builder("ff", arities=(2,))   # the n-th derivative's
besselj, bessely, besseli, besselk = (_builder(name, arities=(2,)) for name in
                                      ("besselj", "bessely", "besseli", "besselk"))


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


def _real2(fn: Callable[[float, float], float], name: str) -> Callable[[float, float], float]:
    """A function of two reals defined everywhere (hypot, min, max); NaN propagates."""
    def value(a: float, b: float) -> float:
        return math.nan if a != a or b != b else float(fn(a, b))
    value.__name__ = name
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
# The values at multiples of pi/12 lie in Q(sqrt(2), sqrt(3)): each is written as
# {r: a} for the sum of a*sqrt(r) over r in 1, 2, 3, 6.
Surd = dict[int, Fraction]
_SQUARE_FREE = {1: (1, 1), 2: (1, 2), 3: (1, 3), 4: (2, 1), 6: (1, 6), 9: (3, 1),
                12: (2, 3), 18: (3, 2), 36: (6, 1)}            # r = s^2 * m: (s, m)


def _times(a: Surd, b: Surd) -> Surd:
    """(sum a_r sqrt(r)) * (sum b_s sqrt(s)), with sqrt(r*s) = s'*sqrt(m)."""
    product: Surd = {}
    for r, x in a.items():
        for t, y in b.items():
            whole, m = _SQUARE_FREE[r * t]
            product[m] = product.get(m, Fraction(0)) + x * y * whole
    return {r: c for r, c in product.items() if c}


def _conjugate(a: Surd, p: int) -> Surd:
    """sqrt(p) -> -sqrt(p) (p = 2 or 3): the field's automorphism."""
    return {r: -c if r % p == 0 else c for r, c in a.items()}


def _over(a: Surd | None, b: Surd | None) -> Surd | None:
    """a/b, the denominator made rational by its conjugates; None at a pole (b = 0)."""
    if a is None or b is None or not b:
        return None
    for p in (3, 2):
        a, b = _times(a, _conjugate(b, p)), _times(b, _conjugate(b, p))
    return {r: c / b[1] for r, c in a.items()}


_QUARTER = Fraction(1, 4)
_SINE_AT = {Fraction(0): {}, Fraction(1, 12): {6: _QUARTER, 2: -_QUARTER},     # (sqrt(6) - sqrt(2))/4
            Fraction(1, 6): {1: Fraction(1, 2)}, Fraction(1, 4): {2: Fraction(1, 2)},
            Fraction(1, 3): {3: Fraction(1, 2)}, Fraction(5, 12): {6: _QUARTER, 2: _QUARTER},
            Fraction(1, 2): {1: Fraction(1)}}                                   # sin(q*pi), 0 <= q <= 1/2


def _sine_at(q: Fraction) -> Surd | None:
    """sin(q*pi) for q a multiple of 1/12; else None."""
    q %= 2
    sign = 1
    if q >= 1:                                   # sin(t + pi) = -sin(t)
        q, sign = q - 1, -1
    if q > Fraction(1, 2):                       # sin(pi - t) = sin(t)
        q = 1 - q
    value = _SINE_AT.get(q)
    return None if value is None else {r: sign * c for r, c in value.items()}


_ONE_AT: Surd = {1: Fraction(1)}
_TRIG_AT = {
    "sin": lambda q: _sine_at(q),
    "cos": lambda q: _sine_at(q + Fraction(1, 2)),
    "tan": lambda q: _over(_sine_at(q), _sine_at(q + Fraction(1, 2))),
    "cot": lambda q: _over(_sine_at(q + Fraction(1, 2)), _sine_at(q)),
    "sec": lambda q: _over(_ONE_AT, _sine_at(q + Fraction(1, 2))),
    "csc": lambda q: _over(_ONE_AT, _sine_at(q)),
}


def _surd_expr(value: Surd) -> Expr:
    return add(*(mul(Num(c), power(Num(r), HALF)) for r, c in sorted(value.items())))


@functools.cache
def _values_at_multiples_of_pi(name: str) -> list[tuple[Fraction, Expr]]:
    """The exact values of a trigonometric function at q*pi for q = k/12 in (-2, 2], as
    (q, value): sin(pi/6) = 1/2, cos(pi) = -1, tan(pi/3) = sqrt(3), tan(pi/12) = 2 - sqrt(3),
    ... (poles left out)."""
    values = []
    for k in range(-23, 25):
        q = Fraction(k, 12)
        value = _TRIG_AT[name](q)
        if value is not None:
            values.append((q, _surd_expr(value)))
    return values


class _OnFirstUse(Mapping):
    """A table of special values made when it is first looked in: the trigonometric ones take
    a few milliseconds each to build, which a start that never needs them should not pay."""

    def __init__(self, make: Callable[[], dict]) -> None:
        self._make: Callable[[], dict] = make
        self._table: dict | None = None

    @property
    def table(self) -> dict:
        if self._table is None:
            self._table = self._make()
        return self._table

    def __getitem__(self, key):
        return self.table[key]

    def __contains__(self, key) -> bool:
        return key in self.table

    def __iter__(self):
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


def _at_multiples_of_pi(name: str) -> Mapping:
    """The special values of a trigonometric function: {q*pi: value}."""
    return _OnFirstUse(lambda: {mul(Num(q), PI): value for q, value in _values_at_multiples_of_pi(name)})


HALF_TURN = Fraction(1, 2)     # the ends of the principal branches, as multiples of pi


def _inverse_at(name: str, low: Fraction, high: Fraction) -> Mapping:
    """The special values of an inverse trigonometric function, read backwards from those of
    ``name`` on its principal branch q*pi, low <= q <= high: asin(1/2) = pi/6,
    atan(sqrt(3)) = pi/3, acos(-sqrt(2)/2) = 3*pi/4."""
    return _OnFirstUse(lambda: {value: mul(Num(q), PI) for q, value in _values_at_multiples_of_pi(name)
                                if low <= q <= high})


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


# ----- true values at complex arguments, where the complex step's continuation differs -----
def _true_sign(z: complex) -> complex:
    """sign(z) = z/|z| (as SymPy), 0 at 0."""
    return z / abs(z) if z else 0j


def _real_only(name: str, fn: Callable[..., float]) -> Callable[..., complex]:
    """A function defined on the reals only (Heaviside, min, atan2): its value where every
    argument is real, else an EvaluationError."""
    def value(*args: complex) -> complex:
        if any(complex(a).imag != 0 for a in args):
            raise EvaluationError(f"{name} is defined for real arguments only, not "
                                  f"{', '.join(show_complex(a) for a in args)}")
        return complex(fn(*(complex(a).real for a in args)))
    return value


def show_complex(z: complex) -> str:
    """``2``, ``1.5*I`` or ``1 - 2*I``: a complex number as a formula writes it.

    >>> show_complex(1 - 2j), show_complex(1.5j), show_complex(-1j), show_complex(2 + 0j)
    ('1 - 2*I', '1.5*I', '-I', '2')
    """
    z = complex(z)
    if z.imag == 0:
        return _show(z.real)
    imaginary = f"{_show(abs(z.imag))}*I" if abs(z.imag) != 1 else "I"
    if z.real == 0:
        return ("-" if z.imag < 0 else "") + imaginary
    return f"{_show(z.real)} {'-' if z.imag < 0 else '+'} {imaginary}"


def _componentwise(fn: Callable[[float], float]) -> Callable[[complex], complex]:
    """floor and ceil of a complex number, part by part (as SymPy and Mathematica)."""
    return lambda z: complex(fn(z.real), fn(z.imag))


def _real_arg(x: float) -> float:
    """arg of a real number: 0 for x >= 0 (cmath.phase(0) = 0), pi for x < 0."""
    return math.pi if x < 0 else 0.0


def _abs_chain(u: Expr, du: Expr) -> Expr:
    """|u|' = re(conj(u) u')/|u| for complex u (for real u, the column's sign(u) u')."""
    return over(re(mul(conj(u), du)), Abs(u))


def _arg_chain(u: Expr, du: Expr) -> Expr:
    """arg(u)' = im(conj(u) u')/|u|^2 for complex u (0 for real u: arg is 0 or pi there)."""
    return over(im(mul(conj(u), du)), square(Abs(u)))


# exp(I*k*pi/2) = I^k, Euler's identity and its quarter turns: exp(I*pi) = -1, exp(I*pi/2) = I
_EXP_OF_I_PI = {ZERO: ONE, **{mul(Num(Fraction(k, 2)), I, PI): power(I, Num(k)) for k in range(-4, 5) if k}}


def _same(v):
    """The identity: re(x) = conj(x) = x for a real number."""
    return v


# ----- special functions: values from mpmath, imported on first use -----
# mpmath is imported inside the functions that need it, so that the command line's start
# (and every formula without a special function) never loads it.
def _mp(name: str, mp_name: str, ok: Callable[..., bool] | None = None,
        domain: str = "") -> Callable[..., float]:
    """The real value of mpmath's ``mp_name``: undefined where mpmath finds a pole or a
    complex value, or where ``ok`` says no."""
    def value(*args: float) -> float:
        if any(a != a for a in args):
            return math.nan                              # NaN propagates
        shown = f"{name}({', '.join(map(_show, args))})"
        if ok is not None and not ok(*args):
            raise EvaluationError(f"{shown} is undefined: {name} needs {domain}")
        import mpmath
        try:
            result = getattr(mpmath, mp_name)(*args)
        except (ValueError, ZeroDivisionError):
            raise EvaluationError(f"{shown} is undefined") from None
        if isinstance(result, mpmath.mpc):
            if result.imag != 0:
                raise EvaluationError(f"{shown} is undefined: its value is not real")
            result = result.real
        if not mpmath.isfinite(result):
            raise EvaluationError(f"{shown} is undefined" if mpmath.isnan(result) or
                                  not all(map(math.isfinite, args)) or mp_name not in _OVERFLOWING
                                  else f"{shown} overflows the float range")
        number = float(result)
        if math.isinf(number):
            raise EvaluationError(f"{shown} overflows the float range")
        return number
    value.__name__ = name
    value.domain = domain or "all reals"  # type: ignore[attr-defined]  # as _real's
    return value


_OVERFLOWING = frozenset({"ei", "erfi", "besseli"})   # grow past any float, with no pole


def _mp_complex(mp_name: str | Callable[..., Any]) -> Callable[..., complex]:
    """mpmath's ``mp_name`` (or ``mp_name(mpmath, *args)``) on complex numbers: the analytic
    continuation of the real function, for the complex step."""
    def value(*args: complex) -> complex:
        import mpmath
        if not isinstance(mp_name, str):
            with mpmath.workprec(64 + _extra_bits(args)):
                return complex(mp_name(mpmath, *args))
        # the complex step's imaginary part is tiny (1e-20): carried with enough bits more
        # than a float's that the part of the value it makes is exact to a float's digits
        with mpmath.workprec(64 + _extra_bits(args)):
            return complex(getattr(mpmath, mp_name)(*args))
    return value


def _extra_bits(args) -> int:
    """The complex step's imaginary part is tiny (1e-20): mpmath carries enough bits more
    than a float's that the part of the value it makes is exact to a float's digits."""
    extra = max((math.log2(abs(z) / abs(complex(z).imag)) for z in args
                 if complex(z).imag != 0), default=0.0)
    return int(min(extra, 2000))


def _ei_continued(mpmath, z):
    """Ei continued from the real line: for x < 0 the real Ei(x) is -E1(-x), and -E1(-z) is
    analytic there (mpmath's complex Ei jumps by 2 pi i across the negative axis)."""
    return -mpmath.e1(-z) if mpmath.re(z) < 0 else mpmath.ei(z)


def _li_continued(mpmath, z):
    """li(z) = Ei(log z), continued as Ei is (mpmath's complex li jumps across (0, 1))."""
    return _ei_continued(mpmath, mpmath.log(z))


def _polygamma_continued(mpmath, n, z):
    """polygamma of a real integer order n."""
    if n.imag != 0 or not float(n.real).is_integer() or n.real < 0:
        raise ValueError("polygamma needs an order n = 0, 1, 2, ...")
    return mpmath.polygamma(int(n.real), z)


def _is_integer(x: float) -> bool:
    return float(x).is_integer()


def _gamma_exact(v):
    """gamma(n) = (n-1)! for a positive integer n up to 30, and at a half-integer (DLMF 5.4.6)
    gamma(n + 1/2) = (2n)!/(4^n n!) sqrt(pi), gamma(1/2 - n) = (-4)^n n!/(2n)! sqrt(pi), n <= 30.

    >>> _gamma_exact(5), _gamma_exact(Fraction(1, 2)), _gamma_exact(Fraction(-3, 2))
    (24, sqrt(pi), 4*sqrt(pi)/3)
    """
    if type(v) is int and 0 < v <= 30:
        return math.factorial(v - 1)
    if type(v) is Fraction and v.denominator == 2 and abs(v) <= 30:
        n = int(abs(v - HALF.value))
        ratio = Fraction(math.factorial(2 * n), 4**n * math.factorial(n))
        coefficient = ratio if v > 0 else 1 / (ratio * (-1) ** n)
        return mul(Num(coefficient), power(PI, HALF))
    return None


def _factorial_exact(v):
    """n! for a whole n from 0 to 30."""
    if type(v) is int and 0 <= v <= 30:
        return math.factorial(v)
    return None


def _ff_exact(a, b):
    """The falling factorial a*(a-1)*...*(a-b+1) for a whole b from 0 to 30."""
    if type(b) is not int or not 0 <= b <= 30 or isinstance(a, float):
        return None
    product = 1
    for k in range(b):
        product *= a - k
    return product


def _no_closed_form(function: str, argument: str) -> Callable[..., Expr]:
    """The partial derivative with respect to an order argument, which has no closed form."""
    def partial(*args: Expr) -> Expr:
        raise DiffError(f"the derivative of {function} with respect to its {argument} has no "
                        f"closed form; symdiff differentiates {function} only in its other argument")
    return partial


def _heaviside(x: float) -> float:
    """H(x): 0 left of 0, 1 right of it, and 1/2 at 0 (as SymPy's Heaviside)."""
    return 1.0 if x > 0 else 0.0 if x < 0 else 0.5


def _heaviside_exact(v):
    return 1 if v > 0 else 0 if v < 0 else Fraction(1, 2)


def _atan2(y: float, x: float) -> float:
    if y != y or x != x:
        return math.nan
    if y == 0 and x == 0:
        raise EvaluationError("atan2(0, 0) is undefined: atan2 needs a point other than the origin")
    return math.atan2(y, x)


def _complex_atan2(y: complex, x: complex) -> complex:
    """atan2 continued off the real plane, on the branch of the real point (y.real, x.real)."""
    if x.real != 0:
        return cmath.atan(y / x) + (math.atan2(y.real, x.real) - math.atan(y.real / x.real))
    return math.copysign(math.pi / 2, y.real) - cmath.atan(x / y)


def _complex_real_branch(fn: Callable[[float], float]) -> Callable[[complex], complex]:
    """A function that is not analytic (floor, Heaviside) on the branch of the real point,
    as abs and sign: constant near it, so its complex step is 0."""
    def value(z: complex) -> complex:
        return complex(fn(z.real))
    return value


def _sinc(x: float) -> float:
    return 1.0 if x == 0 else math.sin(x) / x


def _complex_sinc(z: complex) -> complex:
    return 1 + 0j if z == 0 else cmath.sin(z) / z


def _complex_min(a: complex, b: complex) -> complex:
    return a if a.real <= b.real else b


def _complex_max(a: complex, b: complex) -> complex:
    return a if a.real >= b.real else b


def _order_ok(n: float, x: float) -> bool:
    return n >= 0 and _is_integer(n)


_unit: dict[str, Any] = dict(ok=lambda x: -1 <= x <= 1, domain="an argument in [-1, 1]")
_outside_unit: dict[str, Any] = dict(ok=lambda x: abs(x) >= 1, domain="|argument| >= 1")
_outside_unit_open: dict[str, Any] = dict(ok=lambda x: abs(x) > 1, domain="|argument| > 1")
_INV_SQRT_PI = power(PI, Num(Fraction(-1, 2)))

FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    #        name     partial derivative(s)                          numeric                                  LaTeX      exact values
    Function("sin",   (lambda u: cos(u),),                           _real(math.sin, "sin"),                  r"\sin",   _at_multiples_of_pi("sin"),
             complex=cmath.sin, python="math.sin({a})", sympy="sin", rule="sine rule", power_on_name=True),
    Function("cos",   (lambda u: neg(sin(u)),),                      _real(math.cos, "cos"),                  r"\cos",   _at_multiples_of_pi("cos"),
             complex=cmath.cos, python="math.cos({a})", sympy="cos", rule="cosine rule", power_on_name=True),
    Function("tan",   (lambda u: square(sec(u)),),                   _real(math.tan, "tan"),                  r"\tan",   _at_multiples_of_pi("tan"),
             complex=cmath.tan, python="math.tan({a})", sympy="tan", rule="tangent rule", power_on_name=True, aliases=("tg",)),
    Function("cot",   (lambda u: neg(square(csc(u))),),              _nonzero("cot", lambda x: 1 / math.tan(x)), r"\cot", _at_multiples_of_pi("cot"),
             complex=lambda z: 1 / cmath.tan(z), python="1 / math.tan({a})", sympy="cot", python_binds="product", power_on_name=True, aliases=("ctg", "cotg")),
    Function("sec",   (lambda u: mul(sec(u), tan(u)),),              _real(lambda x: 1 / math.cos(x), "sec"), r"\sec",   _at_multiples_of_pi("sec"),
             complex=lambda z: 1 / cmath.cos(z), python="1 / math.cos({a})", sympy="sec", python_binds="product", power_on_name=True),
    Function("csc",   (lambda u: neg(mul(csc(u), cot(u))),),         _nonzero("csc", lambda x: 1 / math.sin(x)), r"\csc", _at_multiples_of_pi("csc"),
             complex=lambda z: 1 / cmath.sin(z), python="1 / math.sin({a})", sympy="csc", python_binds="product", power_on_name=True, aliases=("cosec",)),
    Function("asin",  (lambda u: recip(sqrt(add(ONE, neg(square(u))))),), _real(math.asin, "asin", **_unit), r"\arcsin", _inverse_at("sin", -HALF_TURN, HALF_TURN), ("arcsin",),
             complex=cmath.asin, python="math.asin({a})", sympy="asin"),
    Function("acos",  (lambda u: neg(recip(sqrt(add(ONE, neg(square(u)))))),), _real(math.acos, "acos", **_unit), r"\arccos", _inverse_at("cos", Fraction(0), Fraction(1)), ("arccos",),
             complex=cmath.acos, python="math.acos({a})", sympy="acos"),
    Function("atan",  (lambda u: recip(add(ONE, square(u))),),      _real(math.atan, "atan"),                r"\arctan", _inverse_at("tan", -HALF_TURN, HALF_TURN), ("arctan", "arctg"),
             complex=cmath.atan, python="math.atan({a})", sympy="atan"),
    Function("acot",  (lambda u: neg(recip(add(ONE, square(u)))),), _real(_acot, "acot"), r"\operatorname{arccot}", _inverse_at("cot", -HALF_TURN, HALF_TURN), ("arccot", "arcctg"),
             complex=_complex_acot, python="(math.pi / 2 if {a} == 0 else math.atan(1 / {p}))", sympy="acot", array="xp.where({a} == 0, xp.pi / 2, xp.atan(1 / {p}))", c="({a} == 0 ? 1.5707963267948966 : atan(1 / {p}))"),
    Function("asec",  (lambda u: recip(mul(Abs(u), sqrt(add(square(u), MINUS_ONE)))),), _real(lambda x: math.acos(1 / x), "asec", **_outside_unit), r"\operatorname{arcsec}", _inverse_at("sec", Fraction(0), Fraction(1)), ("arcsec",),
             complex=lambda z: cmath.acos(1 / z), python="math.acos(1 / {p})", sympy="asec"),
    Function("acsc",  (lambda u: neg(recip(mul(Abs(u), sqrt(add(square(u), MINUS_ONE))))),), _real(lambda x: math.asin(1 / x), "acsc", **_outside_unit), r"\operatorname{arccsc}", _inverse_at("csc", -HALF_TURN, HALF_TURN), ("arccsc", "arccosec"),
             complex=lambda z: cmath.asin(1 / z), python="math.asin(1 / {p})", sympy="acsc"),
    Function("sinh",  (lambda u: cosh(u),),                          _real(math.sinh, "sinh"),                r"\sinh",  {ZERO: ZERO},
             complex=cmath.sinh, python="math.sinh({a})", sympy="sinh", power_on_name=True),
    Function("cosh",  (lambda u: sinh(u),),                          _real(math.cosh, "cosh"),                r"\cosh",  {ZERO: ONE},
             complex=cmath.cosh, python="math.cosh({a})", sympy="cosh", power_on_name=True),
    Function("tanh",  (lambda u: square(sech(u)),),                  _real(math.tanh, "tanh"),                r"\tanh",  {ZERO: ZERO},
             complex=cmath.tanh, python="math.tanh({a})", sympy="tanh", power_on_name=True),
    Function("coth",  (lambda u: neg(square(csch(u))),),             _nonzero("coth", lambda x: 1 / math.tanh(x)), r"\coth",
             complex=lambda z: 1 / cmath.tanh(z), python="1 / math.tanh({a})", sympy="coth", python_binds="product", power_on_name=True),
    Function("sech",  (lambda u: neg(mul(sech(u), tanh(u))),),       _real(_sech, "sech"), r"\operatorname{sech}", {ZERO: ONE},
             complex=lambda z: 1 / cmath.cosh(z), python="1 / math.cosh({a})", sympy="sech", python_binds="product", power_on_name=True),
    Function("csch",  (lambda u: neg(mul(csch(u), coth(u))),),       _nonzero("csch", _csch), r"\operatorname{csch}",
             complex=lambda z: 1 / cmath.sinh(z), python="1 / math.sinh({a})", sympy="csch", python_binds="product", power_on_name=True),
    Function("asinh", (lambda u: recip(sqrt(add(square(u), ONE))),), _real(math.asinh, "asinh"),              r"\operatorname{arsinh}", {ZERO: ZERO}, ("arcsinh", "arsinh"),
             complex=cmath.asinh, python="math.asinh({a})", sympy="asinh"),
    Function("acosh", (lambda u: recip(sqrt(add(square(u), MINUS_ONE))),), _real(math.acosh, "acosh", lambda x: x >= 1, "an argument >= 1"), r"\operatorname{arcosh}", {ONE: ZERO}, ("arccosh", "arcosh"),
             complex=cmath.acosh, python="math.acosh({a})", sympy="acosh"),
    Function("atanh", (lambda u: recip(add(ONE, neg(square(u)))),), _real(math.atanh, "atanh", lambda x: -1 < x < 1, "an argument in (-1, 1)"), r"\operatorname{artanh}", {ZERO: ZERO}, ("arctanh", "artanh"),
             complex=cmath.atanh, python="math.atanh({a})", sympy="atanh"),
    Function("exp",   (lambda u: exp(u),),                           _real(math.exp, "exp"),                  r"\exp",   _EXP_OF_I_PI,
             complex=cmath.exp, python="math.exp({a})", sympy="exp", mathml="<msup><mi>e</mi><mrow>{}</mrow></msup>",
             rule="exponential rule"),
    Function("log",   (lambda u: recip(u),),                         _real(math.log, "log", lambda x: x > 0, "a positive argument"), r"\ln", {ONE: ZERO, E: ONE}, ("ln",),
             complex=cmath.log, python="math.log({a})", sympy="log", mathml="ln", rule="logarithm rule", power_on_name=True),
    Function("log2",  (lambda u: recip(mul(u, log(TWO))),),          _real(math.log2, "log2", lambda x: x > 0, "a positive argument"), r"\log_{2}", {ONE: ZERO},
             complex=lambda z: cmath.log(z) / math.log(2), python="math.log2({a})", power_on_name=True,
             mpmath=lambda mpmath, x: mpmath.log(x, 2)),
    Function("log10", (lambda u: recip(mul(u, log(Num(10)))),),      _real(math.log10, "log10", lambda x: x > 0, "a positive argument"), r"\log_{10}", {ONE: ZERO},
             complex=cmath.log10, python="math.log10({a})", power_on_name=True),
    # sqrt is built as the power u^(1/2) (expr.call), so no Call("sqrt") node exists: this row
    # names it for the parser and states its derivative and domain for the reference table;
    # the power rule, fold_power, real_root and the printers of Pow do the work.
    Function("sqrt",  (lambda u: recip(mul(TWO, sqrt(u))),),         _real(math.sqrt, "sqrt", lambda x: x >= 0, "a non-negative argument"), r"\sqrt",
             complex=cmath.sqrt, python="math.sqrt({a})"),
    Function("cbrt",  (lambda u: recip(mul(Num(3), square(cbrt(u)))),), _real(math.cbrt, "cbrt"),          r"\sqrt[3]{{}}", {}, (), _exact_root(3),
             complex=_cbrt, python="math.cbrt({a})", array="xp.cbrt({a})", mathml="<mroot><mrow>{}</mrow><mn>3</mn></mroot>"),
    Function("abs",   (lambda u: sign(u),),                          _real(abs, "abs"),                       r"\left|{}\right|", {}, ("fabs",), abs,
             complex=_complex_abs, complex_value=lambda z: complex(abs(z)), chain=_abs_chain,
             mpmath="fabs", python="abs({a})", sympy="Abs", array="xp.abs({a})", c="fabs({a})", mathml="<mrow><mo>|</mo>{}<mo>|</mo></mrow>", rule="absolute-value rule"),
    Function("sign",  (lambda u: ZERO,),                             _real(_sign, "sign"),                    r"\operatorname{sign}", {}, ("sgn", "signum"), _sign,
             complex=_complex_sign, complex_value=_true_sign, python="float(({a} > 0) - ({a} < 0))", sympy="sign", array="xp.sign({a})", c="(double)(({a} > 0) - ({a} < 0))"),
    # ----- parts of a complex number; variables are real, so re(x) = x, im(x) = 0, conj(x) = x,
    # and f(u)' = f(u'): the derivative of a function that is not complex-differentiable -----
    Function("re",    (lambda u: ONE,),                              _real(_same, "re"),                      r"\operatorname{Re}", {}, (), _same,
             complex=_same, complex_value=lambda z: complex(z.real), chain=lambda u, du: re(du),
             python="({a}).real", sympy="re", array="xp.real({a})", mathml="Re", rule="real-part rule"),
    Function("im",    (lambda u: ZERO,),                             _real(lambda x: 0.0, "im"),              r"\operatorname{Im}", {}, (), lambda v: 0,
             complex=lambda z: 0j, complex_value=lambda z: complex(z.imag), chain=lambda u, du: im(du),
             python="({a}).imag", sympy="im", array="xp.imag({a})", mathml="Im", rule="imaginary-part rule"),
    Function("conj",  (lambda u: ONE,),                              _real(_same, "conj"),                    r"\overline{{}}", {}, ("conjugate",), _same,
             complex=_same, complex_value=lambda z: complex(z).conjugate(), chain=lambda u, du: conj(du),
             python="({a}).conjugate()", sympy="conjugate", array="xp.conj({a})", mathml="<mover><mrow>{}</mrow><mo>&#xAF;</mo></mover>",
             rule="conjugate rule"),
    Function("arg",   (lambda u: ZERO,),                             _real(_real_arg, "arg"),                 r"\arg", {}, (), None,
             complex=_complex_real_branch(_real_arg), complex_value=lambda z: complex(cmath.phase(z)),
             chain=_arg_chain, python="math.atan2(({a}).imag, ({a}).real)", sympy="arg", array="xp.atan2(xp.imag({a}), xp.real({a}))", rule="argument rule"),
    # ----- inverse hyperbolic functions of the reciprocal, as SymPy defines them -----
    Function("acoth", (lambda u: recip(add(ONE, neg(square(u)))),), _real(lambda x: math.atanh(1 / x), "acoth", **_outside_unit_open), r"\operatorname{arcoth}", {}, ("arccoth", "arcoth"),
             complex=lambda z: cmath.atanh(1 / z), python="math.atanh(1 / {p})", sympy="acoth"),
    Function("asech", (lambda u: neg(recip(mul(u, sqrt(add(ONE, neg(square(u))))))),), _real(lambda x: math.acosh(1 / x), "asech", lambda x: 0 < x <= 1, "an argument in (0, 1]"), r"\operatorname{arsech}", {ONE: ZERO}, ("arcsech", "arsech"),
             complex=lambda z: cmath.acosh(1 / z), python="math.acosh(1 / {p})", sympy="asech"),
    Function("acsch", (lambda u: neg(recip(mul(Abs(u), sqrt(add(square(u), ONE))))),), _nonzero("acsch", lambda x: math.asinh(1 / x)), r"\operatorname{arcsch}", {}, ("arccsch", "arcsch"),
             complex=lambda z: cmath.asinh(1 / z), python="math.asinh(1 / {p})", sympy="acsch"),
    # ----- two-argument elementary functions -----
    Function("atan2", (lambda y, x: over(x, add(square(x), square(y))),            # atan2(y, x)
                       lambda y, x: neg(over(y, add(square(x), square(y))))), _atan2, r"\operatorname{atan2}",
             complex=_complex_atan2, complex_value=_real_only("atan2", _atan2), python="math.atan2({a}, {b})", sympy="atan2", rule="atan2 rule"),
    Function("hypot", (lambda x, y: over(x, hypot(x, y)), lambda x, y: over(y, hypot(x, y))),
             _real2(math.hypot, "hypot"), r"\operatorname{hypot}",
             complex=lambda x, y: cmath.sqrt(x * x + y * y), python="math.hypot({a}, {b})", sympy="codegen.cfunctions.hypot", rule="hypot rule"),
    # ----- error functions (DLMF 7.2, 7.10) -----
    Function("erf",   (lambda u: mul(TWO, _INV_SQRT_PI, exp(neg(square(u)))),), _real(math.erf, "erf"), r"\operatorname{erf}", {ZERO: ZERO},
             complex=_mp_complex("erf"), python="math.erf({a})", sympy="erf", array="special.erf({a})"),
    Function("erfc",  (lambda u: mul(Num(-2), _INV_SQRT_PI, exp(neg(square(u)))),), _real(math.erfc, "erfc"), r"\operatorname{erfc}", {ZERO: ONE},
             complex=_mp_complex("erfc"), python="math.erfc({a})", sympy="erfc", array="special.erfc({a})"),
    Function("erfi",  (lambda u: mul(TWO, _INV_SQRT_PI, exp(square(u))),), _mp("erfi", "erfi"), r"\operatorname{erfi}", {ZERO: ZERO},
             complex=_mp_complex("erfi"), python="float(mpmath.erfi({a}))", sympy="erfi", array="special.erfi({a})"),
    # ----- gamma and its relatives (DLMF 5.2, 5.15, 5.12) -----
    Function("gamma", (lambda u: mul(gamma(u), digamma(u)),),       _real(math.gamma, "gamma", lambda x: x > 0 or not _is_integer(x), "an argument that is not 0 or a negative integer"), r"\Gamma",
             {}, ("Gamma", "tgamma"), _gamma_exact, complex=_mp_complex("gamma"), python="math.gamma({a})", sympy="gamma", array="special.gamma({a})", c="tgamma({a})", mathml="&#x393;"),
    Function("loggamma", (lambda u: digamma(u),),                   _real(math.lgamma, "loggamma", lambda x: x > 0, "a positive argument"), r"\ln\Gamma", {ONE: ZERO, TWO: ZERO}, ("lgamma", "ln_gamma", "log_gamma"),
             complex=_mp_complex("loggamma"), python="math.lgamma({a})", sympy="loggamma", array="special.gammaln({a})", mathml="ln&#x393;"),
    Function("digamma", (lambda u: polygamma(ONE, u),),             _mp("digamma", "digamma", lambda x: x > 0 or not _is_integer(x), "an argument that is not 0 or a negative integer"), r"\psi", {}, ("psi",),
             complex=_mp_complex("digamma"), python="float(mpmath.digamma({a}))", sympy="digamma", array="special.digamma({a})", mathml="&#x3C8;"),
    Function("polygamma", (_no_closed_form("polygamma", "order n"), lambda n, u: polygamma(add(n, ONE), u)),
             _mp("polygamma", "polygamma", lambda n, x: _order_ok(n, x) and (x > 0 or not _is_integer(x)), "an order n = 0, 1, 2, ... and an argument that is not 0 or a negative integer"), r"\psi",
             complex=_mp_complex(_polygamma_continued), python="float(mpmath.polygamma({a}, {b}))", sympy="polygamma", array="special.polygamma({a}, {b})"),
    Function("beta",  (lambda a, b: mul(beta(a, b), add(digamma(a), neg(digamma(add(a, b))))),
                       lambda a, b: mul(beta(a, b), add(digamma(b), neg(digamma(add(a, b)))))),
             _mp("beta", "beta"), r"\mathrm{B}", complex=_mp_complex("beta"), python="float(mpmath.beta({a}, {b}))", sympy="beta", array="special.beta({a}, {b})", mathml="B"),
    # ----- Lambert W, principal branch (DLMF 4.13): W' = W/(u (1 + W)) = e^-W/(1 + W) -----
    Function("LambertW", (lambda u: over(exp(neg(LambertW(u))), add(ONE, LambertW(u))),), _mp("LambertW", "lambertw", lambda x: x >= -math.exp(-1), "an argument >= -1/e"), r"W_{0}", {ZERO: ZERO}, ("lambertw", "lambert_w", "ProductLog"),
             complex=_mp_complex("lambertw"), python="float(mpmath.lambertw({a}).real)", mpmath=lambda mpmath, x: mpmath.lambertw(x).real, sympy="LambertW", array="special.lambertw({a}).real", mathml="<msub><mi>W</mi><mn>0</mn></msub><mo>&#x2061;</mo><mrow><mo>(</mo>{}<mo>)</mo></mrow>", rule="Lambert W rule"),
    # ----- Bessel functions of order nu (DLMF 10.6.1, 10.29.1) -----
    Function("besselj", (_no_closed_form("besselj", "order nu"),
                         lambda nu, u: mul(HALF, add(besselj(add(nu, MINUS_ONE), u), neg(besselj(add(nu, ONE), u))))),
             _mp("besselj", "besselj"), "J", {(ZERO, ZERO): ONE}, complex=_mp_complex("besselj"),
             python="float(mpmath.besselj({a}, {b}))", sympy="besselj", array="special.jv({a}, {b})", mathml="J", rule="Bessel J rule", aliases=("bessel_j", "BesselJ")),
    Function("bessely", (_no_closed_form("bessely", "order nu"),
                         lambda nu, u: mul(HALF, add(bessely(add(nu, MINUS_ONE), u), neg(bessely(add(nu, ONE), u))))),
             _mp("bessely", "bessely", lambda n, x: x > 0, "a positive argument"), "Y", complex=_mp_complex("bessely"),
             python="float(mpmath.bessely({a}, {b}))", sympy="bessely", array="special.yv({a}, {b})", mathml="Y", rule="Bessel Y rule", aliases=("bessel_y", "BesselY")),
    Function("besseli", (_no_closed_form("besseli", "order nu"),
                         lambda nu, u: mul(HALF, add(besseli(add(nu, MINUS_ONE), u), besseli(add(nu, ONE), u)))),
             _mp("besseli", "besseli"), "I", {(ZERO, ZERO): ONE}, complex=_mp_complex("besseli"),
             python="float(mpmath.besseli({a}, {b}))", sympy="besseli", array="special.iv({a}, {b})", mathml="I", rule="Bessel I rule", aliases=("bessel_i", "BesselI")),
    Function("besselk", (_no_closed_form("besselk", "order nu"),
                         lambda nu, u: mul(Num(Fraction(-1, 2)), add(besselk(add(nu, MINUS_ONE), u), besselk(add(nu, ONE), u)))),
             _mp("besselk", "besselk", lambda n, x: x > 0, "a positive argument"), "K", complex=_mp_complex("besselk"),
             python="float(mpmath.besselk({a}, {b}))", sympy="besselk", array="special.kv({a}, {b})", mathml="K", rule="Bessel K rule", aliases=("bessel_k", "BesselK")),
    # ----- exponential, sine, cosine and logarithmic integrals (DLMF 6.2, 6.6) -----
    Function("Ei",    (lambda u: over(exp(u), u),),                 _mp("Ei", "ei", lambda x: x != 0, "a non-zero argument"), r"\operatorname{Ei}",
             complex=_mp_complex(_ei_continued), python="float(mpmath.ei({a}))", mpmath="ei", sympy="Ei", array="special.expi({a})", aliases=("expintegral_ei", "ExpIntegralEi")),
    Function("Si",    (lambda u: sinc(u),),                         _mp("Si", "si"), r"\operatorname{Si}", {ZERO: ZERO},
             complex=_mp_complex("si"), python="float(mpmath.si({a}))", mpmath="si", sympy="Si", array="special.sici({a})[0]", aliases=("expintegral_si", "SinIntegral")),
    Function("Ci",    (lambda u: over(cos(u), u),),                 _mp("Ci", "ci", lambda x: x > 0, "a positive argument"), r"\operatorname{Ci}",
             complex=_mp_complex("ci"), python="float(mpmath.ci({a}))", mpmath="ci", sympy="Ci", array="special.sici({a})[1]", aliases=("expintegral_ci", "CosIntegral")),
    Function("li",    (lambda u: recip(log(u)),),                   _mp("li", "li", lambda x: x >= 0 and x != 1, "a non-negative argument other than 1"), r"\operatorname{li}", {ZERO: ZERO},
             complex=_mp_complex(_li_continued), python="float(mpmath.li({a}))", sympy="li", array="special.expi(xp.log({a}))"),
    # sinc(u) = sin(u)/u, unnormalised (as SymPy's), with sinc(0) = 1
    Function("sinc",  (lambda u: add(over(cos(u), u), neg(over(sin(u), square(u)))),), _real(_sinc, "sinc"), r"\operatorname{sinc}", {ZERO: ONE},
             complex=_complex_sinc, python="(math.sin({a}) / {p} if {a} != 0 else 1.0)", sympy="sinc", array="xp.where({a} == 0, 1.0, xp.sin({a}) / {p})", c="({a} == 0 ? 1.0 : sin({a}) / {p})", python_binds="atom"),
    # ----- steps and kinks: the derivative is 0 away from the jumps (and at them, undefined) -----
    Function("Heaviside", (lambda u: ZERO,),                        _real(_heaviside, "Heaviside"), r"\theta", {}, ("heaviside",), _heaviside_exact,
             complex=_complex_real_branch(_heaviside), complex_value=_real_only("Heaviside", _heaviside), python="(1.0 if {a} > 0 else 0.0 if {a} < 0 else 0.5)", array="xp.where({a} > 0, 1.0, xp.where({a} < 0, 0.0, 0.5))", c="({a} > 0 ? 1.0 : {a} < 0 ? 0.0 : 0.5)", mathml="&#x3B8;"),
    Function("floor", (lambda u: ZERO,),                            _real(math.floor, "floor"), r"\left\lfloor {}\right\rfloor", {}, (), math.floor,
             complex=_complex_real_branch(math.floor), complex_value=_componentwise(math.floor), python="float(math.floor({a}))", sympy="floor", array="xp.floor({a})", c="floor({a})", mathml="<mrow><mo>&#x230A;</mo>{}<mo>&#x230B;</mo></mrow>"),
    Function("ceil",  (lambda u: ZERO,),                            _real(math.ceil, "ceil"), r"\left\lceil {}\right\rceil", {}, ("ceiling",), math.ceil,
             complex=_complex_real_branch(math.ceil), complex_value=_componentwise(math.ceil), python="float(math.ceil({a}))", sympy="ceiling", array="xp.ceil({a})", c="ceil({a})", mathml="<mrow><mo>&#x2308;</mo>{}<mo>&#x2309;</mo></mrow>"),
    # min and max of two arguments; at a tie each partial is H(0) = 1/2, so that
    # d/dx min(x, x) = 1
    Function("min",   (lambda a, b: Heaviside(add(b, neg(a))), lambda a, b: Heaviside(add(a, neg(b)))),
             _real2(min, "min"), r"\min", {}, ("fmin", "Min"), min, complex=_complex_min, complex_value=_real_only("min", min), python="min({a}, {b})", sympy="Min", array="xp.minimum({a}, {b})", c="fmin({a}, {b})", associative=True),
    Function("max",   (lambda a, b: Heaviside(add(a, neg(b))), lambda a, b: Heaviside(add(b, neg(a)))),
             _real2(max, "max"), r"\max", {}, ("fmax", "Max"), max, complex=_complex_max, complex_value=_real_only("max", max), python="max({a}, {b})", sympy="Max", array="xp.maximum({a}, {b})", c="fmax({a}, {b})", associative=True),
    # ----- n! = gamma(n + 1) and the falling factorial ff(a, b) = a!/(a - b)!, which the n-th
    # derivative writes (symdiff.nth); (a)_b' by a and b through digamma, as gamma's -----
    Function("factorial", (lambda u: mul(factorial(u), digamma(add(u, ONE))),),
             _real(lambda x: math.gamma(x + 1), "factorial", lambda x: x > -1 or not _is_integer(x), "an argument that is not a negative integer"),
             "{}!", {}, (), _factorial_exact, complex=_mp_complex("factorial"),
             python="math.gamma({a} + 1)", sympy="factorial", array="special.gamma({a} + 1)", c="tgamma({a} + 1)"),
    Function("ff",    (lambda a, b: mul(ff(a, b), add(digamma(add(a, ONE)), neg(digamma(add(a, neg(b), ONE))))),
                       lambda a, b: mul(ff(a, b), digamma(add(a, neg(b), ONE)))),
             _mp("ff", "ff"), r"\underline", {}, (), _ff_exact, complex=_mp_complex("ff"),
             python="float(mpmath.ff({a}, {b}))", sympy="FallingFactorial", array="special.poch({a} - ({b}) + 1, {b})", rule="falling factorial rule"),
)}

# ----- conditions: the comparisons and connectives of a piecewise form's conditions -----
# A condition is 1 (true) or 0 (false); a number with a complex step or a tangent compares
# by its real part (the branch of the real point).  Conditions have no derivative (0 by
# every argument): a piecewise function is differentiated branch by branch
# (symdiff.diff, symdiff.cases).  They live apart from FUNCTIONS, so that their names (SymPy's: Lt,
# And, ...) are neither reserved nor read as calls: conditions are written with <, and, ...
def _condition(name: str, test: Callable[..., bool], arity: int, python: str, latex: str,
               mathml: str, array: str | None = None, c: str | None = None) -> Function:
    def numeric(*args: float) -> float:
        return math.nan if any(a != a for a in args) else float(test(*args))
    numeric.__name__ = name

    def exact(*args):
        return int(test(*args))

    def complex_value(*args: complex) -> complex:
        return complex(test(*(complex(a).real for a in args)))
    return Function(name, (lambda *args: ZERO,) * arity, numeric, latex, exact=exact,
                    complex=complex_value, python=python, mathml=mathml, rule=f"{name} rule",
                    array=array or python, c=c or python, sympy=name)


CONDITIONS: dict[str, Function] = {f.name: f for f in (
    #          name   test                                 arity  Python                 LaTeX      MathML
    _condition("Lt",  lambda a, b: a < b,                   2, "({a} < {b})",          "<",       "&lt;"),
    _condition("Le",  lambda a, b: a <= b,                  2, "({a} <= {b})",         r"\leq",  "&#x2264;"),
    _condition("Gt",  lambda a, b: a > b,                   2, "({a} > {b})",          ">",       "&gt;"),
    _condition("Ge",  lambda a, b: a >= b,                  2, "({a} >= {b})",         r"\geq",  "&#x2265;"),
    _condition("Eq",  lambda a, b: a == b,                  2, "({a} == {b})",         "=",       "="),
    _condition("Ne",  lambda a, b: a != b,                  2, "({a} != {b})",         r"\neq",  "&#x2260;"),
    _condition("And", lambda a, b: bool(a) and bool(b),     2, "({a} and {b})",        r"\text{ and }", "<mtext>&#xA0;and&#xA0;</mtext>",
               array="({a} & {b})", c="({a} && {b})"),
    _condition("Or",  lambda a, b: bool(a) or bool(b),      2, "({a} or {b})",         r"\text{ or }",  "<mtext>&#xA0;or&#xA0;</mtext>",
               array="({a} | {b})", c="({a} || {b})"),
    _condition("Not", lambda a: not a,                      1, "(not {a})",            r"\text{not }",  "<mtext>not&#xA0;</mtext>",
               array="(~{a})", c="(!{a})"),
)}

# The comparisons as written, and the condition each makes.
RELATIONS = {"<": "Lt", "<=": "Le", "\u2264": "Le", ">": "Gt", ">=": "Ge", "\u2265": "Ge",
             "==": "Eq", "=": "Eq", "!=": "Ne", "\u2260": "Ne"}
SPELLING = {"Lt": "<", "Le": "<=", "Gt": ">", "Ge": ">=", "Eq": "==", "Ne": "!="}   # as printed
_REFLEXIVE = frozenset({"Le", "Ge", "Eq"})          # true when both sides are one expression


def compare(relation: str, a: Expr, b: Expr) -> Expr:
    """The condition ``a < b`` (``relation`` one of :data:`RELATIONS`), folded to 1 or 0
    when both sides are numbers or one expression.

    >>> x = Symbol("x")
    >>> compare("<=", x, ONE), compare("<", TWO, ONE), compare("==", x, x)
    (x <= 1, 0, 1)
    """
    name = RELATIONS[relation]
    if type(a) is Num and type(b) is Num:
        return ONE if CONDITIONS[name].numeric(a.value, b.value) else ZERO
    if a is b:
        return ONE if name in _REFLEXIVE else ZERO
    return Call(name, (a, b))


def all_of(*conditions: Expr) -> Expr:
    """``c1 and c2 and ...``, folded: true conditions dropped, a false one makes it false."""
    return _joined("And", ZERO, conditions)


def any_of(*conditions: Expr) -> Expr:
    """``c1 or c2 or ...``, folded: false conditions dropped, a true one makes it true."""
    return _joined("Or", ONE, conditions)


def _joined(connective: str, absorbing: Expr, conditions: tuple[Expr, ...]) -> Expr:
    """Conditions joined by ``connective`` (And, Or), nested to the right; ``absorbing`` (0
    for and, 1 for or) decides the whole, its opposite drops out, repeats are kept once."""
    neutral = ONE if absorbing is ZERO else ZERO
    if any(c is absorbing for c in conditions):
        return absorbing
    kept = list(dict.fromkeys(c for c in conditions if c is not neutral))
    if not kept:
        return neutral
    result = kept[-1]
    for c in reversed(kept[:-1]):
        result = Call(connective, (c, result))
    return result


def negation(condition: Expr) -> Expr:
    """``not c``, folded on 1 and 0 and on a negation."""
    if condition is ONE or condition is ZERO:
        return ONE if condition is ZERO else ZERO
    if type(condition) is Call and condition.fn == "Not":
        return condition.args[0]
    return Call("Not", (condition,))


# Conditions are built through these constructors wherever they are rebuilt (substitute,
# simplify): x < 1 at x = 2 is 0 at once.
for _name, _relation in SPELLING.items():
    construct_with(_name, lambda a, b, relation=_relation: compare(relation, a, b))
construct_with("And", all_of)
construct_with("Or", any_of)
construct_with("Not", negation)


def is_condition(e: Expr) -> bool:
    """Whether ``e`` is a condition node (a comparison or a connective)."""
    return type(e) is Call and e.fn in CONDITIONS


# log(u, b) = ln u / ln b shares its name with ln; lookup() tells them apart by arity.  Its
# base prints as a subscript (\log_{b}), which the printers write from the two arguments.
LOG_BASE = Function("log", (lambda u, b: recip(mul(u, log(b))),
                            lambda u, b: neg(over(log(u), mul(b, square(log(b)))))),
                    _log_base, r"\log", complex=lambda z, b: cmath.log(z) / cmath.log(b),
                    python="math.log({a}, {b})", rule="logarithm rule (base b)",
                    array="(xp.log({a}) / xp.log({b}))", c="(log({a}) / log({b}))")

_ALIASES = {alias: f.name for f in FUNCTIONS.values() for alias in f.aliases}

# Greek letters that are also functions: gamma(x) is the gamma function and gamma*x a
# variable gamma times x (a name directly followed by "(" is a call), so these names stay
# free for variables.
ALSO_VARIABLES = frozenset({"gamma", "Gamma", "beta", "psi"})
reserve_names([name for name in (*FUNCTIONS, *_ALIASES) if name not in ALSO_VARIABLES])

# Other systems' names for formulas of the table's functions (C's pow, log1p and expm1,
# mathjs's nthRoot, SymPy's trigamma, GiNaC's psi(n, x)), read as the formula when called:
# pow(x, 2) is x^2, and prints so.  Found by name (case aside) and number of arguments; as
# names they stay free for variables (step, sq, root).
def _root(u: Expr, n: Expr) -> Expr:
    """The n-th root u^(1/n)."""
    if n is ZERO:
        raise EvaluationError("a 0th root is undefined (1/0 as its exponent)")
    return power(u, recip(n))


NOTATIONS: dict[tuple[str, int], Callable[..., Expr]] = {
    ("pow", 2): power,
    ("sq", 1): square,
    ("root", 2): _root,
    ("nthroot", 1): lambda u: power(u, HALF),
    ("nthroot", 2): _root,
    ("log1p", 1): lambda u: log(add(ONE, u)),
    ("expm1", 1): lambda u: add(exp(u), MINUS_ONE),
    ("trigamma", 1): lambda u: polygamma(ONE, u),
    ("psi", 2): polygamma,                   # psi(x) alone is digamma, an alias
    ("step", 1): Heaviside,
    ("unit_step", 1): Heaviside,
}


def notation(name: str, arity: int) -> Callable[..., Expr] | None:
    """The builder of another system's name for a formula, called with ``arity`` arguments.

    >>> notation("nthRoot", 2)(Symbol("x"), Num(3)), notation("log1p", 1)(Symbol("x"))
    (x^(1/3), log(x + 1))
    """
    return NOTATIONS.get((name.lower(), arity))


def notation_arities(name: str) -> list[int]:
    """The numbers of arguments another system's name for a formula takes (none: not one)."""
    return sorted(arity for known, arity in NOTATIONS if known == name.lower())


def resolve(name: str) -> Function | None:
    """The table row for a function name or one of its aliases."""
    return FUNCTIONS.get(_ALIASES.get(name, name))


def lookup(name: str, arity: int) -> Function | None:
    """The table row for ``name`` called with ``arity`` arguments (log takes 1 or 2)."""
    if name == "log" and arity == 2:
        return LOG_BASE
    return resolve(name) or CONDITIONS.get(name)


def known_names() -> list[str]:
    return sorted([*FUNCTIONS, *_ALIASES])


def is_derivative_name(fn: str) -> bool:
    """``f'``, ``f''``, ``D[1,2](f)``: derivatives of unknown functions."""
    return fn.endswith("'") or fn.startswith("D[")


def unknown_functions(expr: Expr) -> list[str]:
    """The unknown functions applied in ``expr`` (f for f(x), f'(x) and D[1](f)(x, y)),
    sorted: the functions without a numeric value.

    >>> x = Symbol("x")
    >>> unknown_functions(Call("D[1](g)", (x, x)) + Call("f'", (x,)) + call("sin", x))
    ['f', 'g']
    """
    return sorted({partial_slots(node.fn.rstrip("'"))[0] for node in postorder(expr)
                   if is_unknown_call(node)})


def is_unknown_call(e: Expr) -> TypeGuard[Call]:
    """Whether ``e`` applies an unknown function or one of its derivatives."""
    return type(e) is Call and (is_derivative_name(e.fn) or lookup(e.fn, len(e.args)) is None)


# D[1,2](f): the partial derivative of an unknown function f of several arguments, once in
# its first argument slot and once in its second (slots 1-based and sorted, as Mathematica's
# Derivative and SymPy's D notation count them).
PARTIAL_NAME = regex.compile(r"D\[(\d+(?:,\d+)*)\]\((\w+)\)")


def partial_slots(fn: str) -> tuple[str, tuple[int, ...]]:
    """The unknown function and the (1-based, sorted) slots of a partial derivative's name;
    ``(fn, ())`` for a name that is no partial derivative.

    >>> partial_slots("D[1,2](f)"), partial_slots("f")
    (('f', (1, 2)), ('f', ()))
    """
    found = PARTIAL_NAME.fullmatch(fn)
    if found is None:
        return fn, ()
    return found.group(2), tuple(int(slot) for slot in found.group(1).split(","))


def partial_name(fn: str, slots: Iterable[int]) -> str:
    """The name of the partial derivative of the unknown function ``fn`` in ``slots``.

    >>> partial_name("f", [2, 1, 1])
    'D[1,1,2](f)'
    """
    return f"D[{','.join(map(str, sorted(slots)))}]({fn})"


def unknown_partial(fn: str, slot: int, arity: int) -> str:
    """The name of the derivative of the unknown function ``fn`` (or of one of its
    derivatives) in argument ``slot`` (0-based): ``f'`` for one argument, and
    ``D[...](f)`` with ``slot + 1`` added to the slots for several (D[1](D[2](f)) is
    D[1,2](f): the partials of a smooth function commute).

    >>> unknown_partial("f", 0, 1), unknown_partial("f", 1, 2), unknown_partial("D[1](f)", 0, 2)
    ("f'", 'D[2](f)', 'D[1,1](f)')
    """
    if arity == 1:
        return fn + "'"
    base, slots = partial_slots(fn)
    return partial_name(base, (*slots, slot + 1))


__all__ = ["Function", "FUNCTIONS", "CONDITIONS", "resolve", "lookup", "known_names", "Symbol"]
