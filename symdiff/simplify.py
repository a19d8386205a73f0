"""The simplifier: small named rules, run bottom-up over the DAG by one generic strategy.

The canonical constructors (:mod:`symdiff.expr`) already fold numbers and drop
identities (``x+0``, ``1*x``, ``0*x``, ``x^1``, ``x^0``, ``--x``).  The rules
here do what needs a look at several operands at once.  Each rule maps a node to
a new node, or to ``None`` when it does not apply, and each one either removes
nodes or replaces a node by one in canonical form, so rewriting terminates.
Order of ``RULES`` matters only for which name a trace shows first.

Conventions: ``x/x = 1`` and ``x - x = 0`` for every ``x`` (like every computer
algebra system; the point x = 0 of x/x is lost), but ``0/0`` is never folded.  A
denominator that simplifies to the number 0 is kept as written (``y/(x - x)`` stays):
the parser refuses a literal division by zero, so ``y/0`` could not be read back, and
evaluating the kept denominator fails with the same division by zero (see
:func:`kept_denominator`).

>>> from symdiff import parse
>>> simplify(parse("2x + 3x - x*x/x"))
4*x
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import NamedTuple, TypeGuard

from . import forms
from .expr import (HALF, MINUS_ONE, ONE, TWO, ZERO, Add, Bound, Call, Const, Expr, I, Mul, Num, Piecewise, Pow,
                   Sym, add, as_expr, call, dag_larger_than, expression, flatten_limit, has_imaginary,
                   is_integer, is_singular, mul, postorder, power, rebuild, substitute)
from .expr import _integer_root
from .functions import CONDITIONS, FUNCTIONS
from .errors import EvaluationError
from .limits import bounded, checked

Rule = Callable[[Expr], Expr | None]


def split_coefficient(term: Expr) -> tuple:
    """``3*x*y`` -> ``(3, (x, y))``; ``x`` -> ``(1, (x,))``: the coefficient, and the factors
    of the rest, so that the rest needs no node of its own (``3*(x*y)``, kept whole when
    structure is preserved, has the same rest as ``x*y``).

    >>> from symdiff import parse
    >>> split_coefficient(parse("3*x*y")), split_coefficient(parse("x*y"))
    ((3, (x, y)), (1, (x, y)))
    """
    if type(term) is Mul:
        factors = term.factors
        if type(factors[0]) is not Num:
            return 1, factors
        rest = factors[1:]
        if len(rest) == 1 and type(rest[0]) is Mul:
            return factors[0].value, rest[0].factors
        return factors[0].value, rest
    return 1, (term,)


def split_power(factor: Expr) -> tuple[Expr, Expr]:
    """``x^3`` -> ``(x, 3)``; ``x`` -> ``(x, 1)``."""
    if type(factor) is Pow:
        return factor.base, factor.exp
    return factor, ONE


# ---------------------------------------------------------------- rules

def _all_but(operands: Sequence[Expr], i: int, j: int) -> list[Expr]:
    """The operands other than the i-th and the j-th (two that a rule makes one)."""
    return [u for k, u in enumerate(operands) if k != i and k != j]


def rewrites(kind: type, needs: frozenset = frozenset()):
    """Declare the node type a rule rewrites, so the strategy offers it only such nodes, and
    the functions (``needs``) one of which must be among the node's operands (as ``f(u)`` or
    ``f(u)^n``) for the rule to apply, so the strategy skips it cheaply where none is."""
    def declare(rule: Rule) -> Rule:
        rule.rewrites = kind  # type: ignore[attr-defined]  # a function's own attributes
        rule.needs = needs  # type: ignore[attr-defined]  # a function's own attributes
        return rule
    return declare


def real_only(rule: Rule) -> Rule:
    """A rule that holds for real values only (sqrt(u^2) = abs(u), log(exp(u)) = u): it does
    not match where the imaginary unit occurs."""
    def guarded(e: Expr) -> Expr | None:
        return None if has_imaginary(e) else rule(e)
    guarded.__name__, guarded.__qualname__, guarded.__doc__ = rule.__name__, rule.__qualname__, rule.__doc__
    return guarded


def functions_among(e: Expr) -> set[str]:
    """The functions applied to the operands of ``e``, directly or under a power, and for a
    sum also to the factors of its terms (where the sum's rules look).  (A call's rules are
    chosen by its name, see :func:`_rules_for_call`.)

    >>> from symdiff import parse
    >>> sorted(functions_among(parse("x*sin(x)*cos(x)^2"))), sorted(functions_among(parse("2*tan(x)^2 + 1")))
    (['cos', 'sin'], ['tan'])
    """
    names = set()
    operands: Sequence[Expr] = e.children
    if type(e) is Add:
        operands = [f for t in operands for f in (t.factors if type(t) is Mul else (t,))]
    for c in operands:
        if type(c) is Pow:
            c = c.base
        if type(c) is Call:
            names.add(c.fn)
    return names


@rewrites(Add)
def collect_like_terms(e: Expr) -> Expr | None:
    """a*t + b*t -> (a+b)*t, so 2x + 3x -> 5x and x - x -> 0."""
    if type(e) is not Add:
        return None
    groups: dict[tuple, list] = {}
    for term in e.terms:
        coefficient, rest = split_coefficient(term)
        groups.setdefault(rest, []).append(coefficient)
    if len(groups) == len(e.terms):
        return None
    return add(*[mul(Num(sum(cs)), rest[0] if len(rest) == 1 else Mul(rest))
                 for rest, cs in groups.items()])


@rewrites(Mul)
def collect_like_factors(e: Expr) -> Expr | None:
    """b^p * b^q -> b^(p+q), so x*x^2 -> x^3 and x/x -> 1."""
    if type(e) is not Mul:
        return None
    bases = [f.base if type(f) is Pow else f for f in e.factors]
    if len(set(bases)) == len(bases):
        return None                                  # no base occurs twice
    groups: dict[Expr, list[Expr]] = {}
    kept: list[Expr] = []
    for factor in e.factors:
        if type(factor) is Num or is_singular(factor):
            kept.append(factor)
            continue
        base, exponent = split_power(factor)
        groups.setdefault(base, []).append(exponent)
    if len(groups) + len(kept) == len(e.factors):
        return None
    return mul(*kept, *(power(base, add(*exps)) for base, exps in groups.items()))


@rewrites(Call)
def evaluate_special_values(e: Expr) -> Expr | None:
    """sin(0) -> 0, log(1) -> 0, cbrt(8) -> 2, abs(-3) -> 3, min(2, 3) -> 2; floats fold to
    floats."""
    if type(e) is not Call:
        return None
    function, args = FUNCTIONS.get(e.fn) or CONDITIONS.get(e.fn), e.args   # x < 1 at x = 2: 0
    if function is None:
        return None
    if len(args) != function.arity:
        return None                               # log(x, b): a row of its own
    key = args[0] if len(args) == 1 else args     # a two-argument row's values: {(a, b): ...}
    if key in function.special:
        return function.special[key]
    if all(type(u) is Num for u in args):
        values = [u.value for u in args]          # type: ignore[attr-defined]  # Nums, checked above
        if any(isinstance(v, float) for v in values):
            try:
                return Num(function.numeric(*map(float, values)))
            except EvaluationError:
                return None
        if function.exact is not None:
            value = function.exact(*values)           # a number, or an expression: gamma(1/2)
            return None if value is None else as_expr(value)
    return None


# ---------------------------------------------------------------- complex numbers
# Variables are real, so an expression without I is real, and one that is a sum of real
# terms and real multiples of I splits into its real and imaginary parts.

def complex_parts(u: Expr) -> tuple[Expr, Expr] | None:
    """(re u, im u) when they can be read off ``u`` (variables are real), else None.

    >>> from symdiff import parse
    >>> complex_parts(parse("x + 2*I*y + 3")), complex_parts(parse("exp(I*x)"))
    ((x + 3, 2*y), (cos(x), sin(x)))
    """
    if not has_imaginary(u):
        return u, ZERO
    if u is I:
        return ZERO, ONE
    if type(u) is Mul:
        real = [f for f in u.factors if not has_imaginary(f)]
        result: tuple[Expr, Expr] = (mul(*real), ZERO)
        for f in u.factors:
            if has_imaginary(f):                          # (a + ib)(c + id) = ac - bd + i(ad + bc)
                parts = complex_parts(f)
                if parts is None:
                    return None
                (a, b), (c, d) = result, parts
                result = (add(mul(a, c), mul(MINUS_ONE, b, d)), add(mul(a, d), mul(b, c)))
        return result
    if type(u) is Add:
        split = [complex_parts(t) for t in u.terms]
        known = [p for p in split if p is not None]
        if len(known) < len(split):
            return None
        return add(*[p[0] for p in known]), add(*[p[1] for p in known])
    if type(u) is Call and u.fn == "exp":
        parts = complex_parts(u.args[0])                  # e^(a + ib) = e^a (cos b + i sin b)
        if parts is None:
            return None
        a, b = parts
        scale = ONE if a is ZERO else call("exp", a)
        return mul(scale, call("cos", b)), mul(scale, call("sin", b))
    return None


PART_FUNCTIONS = frozenset({"re", "im", "conj", "abs", "arg"})


@rewrites(Call, needs=PART_FUNCTIONS)
def parts_of_complex(e: Expr) -> Expr | None:
    """re(3 + 4I) -> 3, im(x + I*y) -> y, conj(2 + I) -> 2 - I, abs(3 + 4I) -> 5,
    arg(x + I*y) -> atan2(y, x); re(x) -> x, im(x) -> 0, conj(x) -> x for real x."""
    if type(e) is not Call or e.fn not in PART_FUNCTIONS or len(e.args) != 1:
        return None
    parts = complex_parts(e.args[0])
    if parts is None:
        return None
    a, b = parts
    if e.fn == "re":
        return a
    if e.fn == "im":
        return b
    if e.fn == "conj":
        return add(a, mul(MINUS_ONE, b, I))
    if b is ZERO:                                         # abs(x) and arg(x) of a real x stay
        if e.fn == "arg" and type(a) is Num and a.value != 0:
            return ZERO if a.value > 0 else Const("pi")
        return None
    if e.fn == "abs":
        return power(add(power(a, TWO), power(b, TWO)), HALF)
    if a is ZERO and type(b) is Num:                      # arg(I*b) = +-pi/2
        return mul(Num(Fraction(1, 2) if b.value > 0 else Fraction(-1, 2)), Const("pi"))
    return call("atan2", b, a)


def gaussian(u: Expr) -> tuple[Fraction, Fraction] | None:
    """An exact complex number a + b*I as (a, b), else None."""
    if type(u) is Num:
        return None if isinstance(u.value, float) else (Fraction(u.value), Fraction(0))
    parts = complex_parts(u) if has_imaginary(u) else None
    if parts is None or type(parts[0]) is not Num and parts[0] is not ZERO or type(parts[1]) is not Num:
        return None
    a, b = parts[0].value, parts[1].value
    if isinstance(a, float) or isinstance(b, float):
        return None
    return Fraction(a), Fraction(b)


def _gaussian_expr(a: Fraction, b: Fraction) -> Expr:
    return add(Num(a), mul(Num(b), I))


def _gaussian_product(x: tuple[Fraction, Fraction], y: tuple[Fraction, Fraction]) -> tuple[Fraction, Fraction]:
    return x[0] * y[0] - x[1] * y[1], x[0] * y[1] + x[1] * y[0]


MAX_COMPLEX_EXPONENT = 64        # (1 + I)^n folds up to this |n|; beyond, the power stays


@rewrites(Pow)
def power_of_complex_number(e: Expr) -> Expr | None:
    """(1 + I)^2 -> 2*I and 1/(1 + I) -> 1/2 - I/2: an integer power of an exact complex
    number, the denominator made real."""
    if type(e) is not Pow or not is_integer(e.exp) or not has_imaginary(e.base) \
            or type(e.base) is not Add or abs(int(e.exp.value)) > MAX_COMPLEX_EXPONENT:
        return None
    z = gaussian(e.base)
    if z is None or z == (0, 0):
        return None
    n = int(e.exp.value)
    if n < 0:                                             # 1/(a + bi) = (a - bi)/(a^2 + b^2)
        size = z[0] ** 2 + z[1] ** 2
        z, n = (z[0] / size, -z[1] / size), -n
    result = (Fraction(1), Fraction(0))
    for _ in range(n):
        result = _gaussian_product(result, z)
    return _gaussian_expr(*result)


@rewrites(Mul)
def product_of_complex_numbers(e: Expr) -> Expr | None:
    """(2 + 3I)*(1 - I) -> 5 + I and I*(1 + I) -> I - 1: exact complex factors multiplied."""
    if type(e) is not Mul or not has_imaginary(e):
        return None
    numbers: list[tuple[Fraction, Fraction]] = []
    others: list[Expr] = []
    for f in e.factors:
        z = gaussian(f) if type(f) is Add or f is I or type(f) is Num else None
        if z is None:
            others.append(f)
        else:
            numbers.append(z)
    if len(numbers) < 2 or not any(type(f) is Add for f in e.factors if f not in others):
        return None
    result = (Fraction(1), Fraction(0))
    for z in numbers:
        result = _gaussian_product(result, z)
    return mul(_gaussian_expr(*result), *others)


@rewrites(Mul)
def distribute_number(e: Expr) -> Expr | None:
    """c*(a + b) -> c*a + c*b for a number c, so (x+y) - (x+y) collects to 0."""
    if type(e) is Mul and len(e.factors) == 2 and type(e.factors[0]) is Num \
            and type(e.factors[1]) is Add and len(e.factors[1].terms) <= flatten_limit():
        c = e.factors[0]
        return add(*[mul(c, t) for t in e.factors[1].terms])
    return None


@rewrites(Call, needs=frozenset({"log"}))
@real_only
def log_of_exp(e: Expr) -> Expr | None:
    """log(exp(u)) -> u (u real)."""
    if type(e) is Call and e.fn == "log" and len(e.args) == 1:
        (u,) = e.args
        if type(u) is Call and u.fn == "exp":
            return u.args[0]
    return None


@rewrites(Pow, needs=frozenset({"exp"}))
def power_of_exp(e: Expr) -> Expr | None:
    """exp(u)^v -> exp(u*v)."""
    if type(e) is Pow and type(e.base) is Call and e.base.fn == "exp" \
            and (is_integer(e.exp) or not has_imaginary(e)):     # (e^z)^v is e^(zv) only for integer v
        return Call("exp", (mul(e.base.args[0], e.exp),))
    return None


@rewrites(Call, needs=frozenset({"exp"}))
def exp_of_log(e: Expr) -> Expr | None:
    """exp(log(u)) -> u and exp(c*log(u)) -> u^c for a number c (u > 0, where log is real)."""
    if type(e) is Call and e.fn == "exp":
        (v,) = e.args
        if type(v) is Call and v.fn == "log" and len(v.args) == 1:
            return v.args[0]
        if type(v) is Mul and len(v.factors) == 2 and type(v.factors[0]) is Num \
                and _is_log(v.factors[1]):
            return power(v.factors[1].args[0], v.factors[0])
    return None


@rewrites(Call, needs=frozenset({"exp"}))
def exp_of_sum_with_log(e: Expr) -> Expr | None:
    """exp(a + c*log(u)) -> u^c*exp(a) for a number c (u > 0)."""
    if type(e) is Call and e.fn == "exp" and type(e.args[0]) is Add:
        logs = [t for t in e.args[0].terms if _is_log(t) or type(t) is Mul
                and len(t.factors) == 2 and type(t.factors[0]) is Num and _is_log(t.factors[1])]
        if logs:
            rest = [t for t in e.args[0].terms if t not in logs]
            return mul(call("exp", add(*rest)), *[exp_of_log(call("exp", t)) for t in logs])
    return None


@rewrites(Pow)
def power_of_reciprocal(e: Expr) -> Expr | None:
    """(1/u)^r -> u^(-r) for a non-integer r (both are undefined for u < 0 over the reals)."""
    if type(e) is Pow and type(e.base) is Pow and e.base.exp is MINUS_ONE and type(e.exp) is Num:
        return power(e.base.base, Num(-e.exp.value))
    return None


@rewrites(Pow)
def root_of_even_power(e: Expr) -> Expr | None:
    """(u^(2k))^(p/2) -> abs(u)^(k*p) for odd p: sqrt(x^2) = abs(x), 1/sqrt(x^2) = 1/abs(x)."""
    if type(e) is Pow and type(e.exp) is Num and type(e.exp.value) is Fraction \
            and e.exp.value.denominator == 2 and type(e.base) is Pow and is_integer(e.base.exp) \
            and e.base.exp.value % 2 == 0 and not has_imaginary(e.base):   # u real
        return power(call("abs", e.base.base),
                     Num(e.base.exp.value // 2 * e.exp.value.numerator))
    return None


POSITIVE_FUNCTIONS = frozenset({"exp", "cosh", "sech"})     # positive on the whole real line


EVEN_FUNCTIONS = frozenset({"cos", "sec", "cosh", "sech", "abs"})
ODD_FUNCTIONS = frozenset({"sin", "tan", "cot", "csc", "sinh", "tanh", "coth", "csch", "asin",
                           "atan", "acot", "acsc", "asinh", "atanh", "cbrt", "sign"})


@rewrites(Call, needs=EVEN_FUNCTIONS | ODD_FUNCTIONS)
def sign_out_of_argument(e: Expr) -> Expr | None:
    """cos(-u) -> cos(u) and sin(-u) -> -sin(u): an argument with a negative coefficient
    loses its sign (even and odd functions)."""
    if type(e) is Call and len(e.args) == 1:
        (u,) = e.args
        if type(u) is Mul and type(u.factors[0]) is Num and u.factors[0].value < 0 \
                or type(u) is Num and u.value < 0:
            positive = mul(MINUS_ONE, u)
            if e.fn in EVEN_FUNCTIONS:
                return call(e.fn, positive)
            return mul(MINUS_ONE, call(e.fn, positive))
    return None


@rewrites(Call, needs=frozenset({"abs"}))
@real_only
def abs_of_positive(e: Expr) -> Expr | None:
    """abs(exp(u)) -> exp(u), abs(cosh(u)) -> cosh(u), abs(u^2) -> u^2, abs(x^2 + 1) -> x^2 + 1:
    nothing to take off what is never negative."""
    if type(e) is Call and e.fn == "abs" and _never_negative(e.args[0]):
        return e.args[0]
    return None


def _never_negative(u: Expr) -> bool:
    """A positive function, an even power, or a sum or product of such with positive numbers."""
    kind = type(u)
    if kind is Num:
        return u.value >= 0  # type: ignore[attr-defined]  # kind is type(...)
    if kind is Call:
        return u.fn in POSITIVE_FUNCTIONS or u.fn == "abs"  # type: ignore[attr-defined]  # kind is type(...)
    if kind is Pow:
        return is_integer(u.exp) and u.exp.value % 2 == 0 or _never_negative(u.base)  # type: ignore[attr-defined]  # kind is type(...)
    if kind is Add or kind is Mul:
        return all(map(_never_negative, u.children))
    return False


@rewrites(Pow)
def power_of_log_ratio(e: Expr) -> Expr | None:
    """b^(log(u)/log(b)) -> u (b, u > 0): the change of base undone."""
    if type(e) is Pow and type(e.exp) is Mul and len(e.exp.factors) == 2:
        u_log, b_log = _log_and_reciprocal_log(e.exp.factors)
        if u_log is not None and b_log.args[0] is e.base:
            return u_log.args[0]
    return None


def _is_log(e: Expr) -> TypeGuard[Call]:
    return type(e) is Call and e.fn == "log" and len(e.args) == 1


def _log_and_reciprocal_log(factors: tuple) -> tuple:
    """(log(u), log(b)) for factors log(u), log(b)^-1 in either order; else (None, None)."""
    for a, b in (factors, factors[::-1]):
        if _is_log(a) and type(b) is Pow and b.exp is MINUS_ONE and _is_log(b.base):
            return a, b.base
    return None, None


@rewrites(Mul, needs=frozenset({"exp"}))
def merge_exponentials(e: Expr) -> Expr | None:
    """exp(a)*exp(b) -> exp(a + b), so exp(x)*exp(-x) -> 1."""
    if type(e) is not Mul:
        return None
    exponents = [f.args[0] for f in e.factors if type(f) is Call and f.fn == "exp"]
    if len(exponents) < 2:
        return None
    others = [f for f in e.factors if not (type(f) is Call and f.fn == "exp")]
    return mul(*others, call("exp", add(*exponents)))


@rewrites(Mul, needs=frozenset({"sign"}))
@real_only
def sign_times_abs(e: Expr) -> Expr | None:
    """sign(u)/abs(u) -> 1/u and sign(u)*abs(u) -> u (u real; u != 0 where divided by)."""
    if type(e) is not Mul:
        return None
    factors = list(e.factors)
    for i, f in enumerate(factors):
        if type(f) is Call and f.fn == "sign":
            (u,) = f.args
            for j, g in enumerate(factors):
                base, exponent = split_power(g)
                if type(base) is Call and base.fn == "abs" and base.args[0] is u \
                        and exponent in (ONE, MINUS_ONE):
                    rest = _all_but(factors, i, j)
                    return mul(*rest, power(u, exponent))
    return None


@rewrites(Mul, needs=frozenset({"abs"}))
def sign_from_abs(e: Expr) -> Expr | None:
    """u/abs(u) -> sign(u) and abs(u)/u -> sign(u) (u real, u != 0)."""
    if type(e) is not Mul:
        return None
    for i, f in enumerate(e.factors):
        base, exponent = split_power(f)
        if _is_abs(base) and exponent in (ONE, MINUS_ONE):
            u = base.args[0]
            partner = power(u, Num(-exponent.value))
            if partner in e.factors:
                rest = [g for k, g in enumerate(e.factors) if k != i and g is not partner]
                return mul(*rest, call("sign", u))
    return None


@rewrites(Mul, needs=frozenset({"abs"}))
@real_only
def even_power_beside_abs(e: Expr) -> Expr | None:
    """u^(2k)*abs(u)^m -> abs(u)^(2k + m): a square is the square of the absolute value."""
    if type(e) is not Mul:
        return None
    magnitudes = {}
    for j, f in enumerate(e.factors):
        base, exponent = split_power(f)
        if _is_abs(base):
            magnitudes[base.args[0]] = j, base, exponent
    for i, f in enumerate(e.factors):
        if type(f) is Pow and f.base in magnitudes and is_integer(f.exp) and f.exp.value % 2 == 0:
            j, magnitude, exponent = magnitudes[f.base]
            rest = _all_but(e.factors, i, j)
            return mul(*rest, power(magnitude, add(f.exp, exponent)))
    return None


def _is_abs(e: Expr) -> TypeGuard[Call]:
    return type(e) is Call and e.fn == "abs"


@rewrites(Pow, needs=frozenset({"abs"}))
@real_only
def even_power_of_abs(e: Expr) -> Expr | None:
    """abs(u)^(2k) -> u^(2k) for a non-zero integer k (u real)."""
    if type(e) is Pow and type(e.base) is Call and e.base.fn == "abs" and is_integer(e.exp) \
            and e.exp.value % 2 == 0:
        return power(e.base.args[0], e.exp)
    return None


def _root(u: Expr) -> Expr:
    return power(u, HALF)


def _one_minus_square(u: Expr) -> Expr:
    return add(ONE, mul(MINUS_ONE, power(u, TWO)))


def _one_plus_square(u: Expr) -> Expr:
    return add(power(u, TWO), ONE)


# A trigonometric or hyperbolic function of an inverse one, written algebraically: f(g(u)) for
# real u in g's domain (the principal branches make cos(asin(u)) >= 0, so it is the positive
# root).  g(f(u)) is not here: asin(sin(u)) = u only on one branch.
INVERSE_COMPOSITIONS: dict[tuple[str, str], Callable[[Expr], Expr]] = {
    ("sin", "asin"):   lambda u: u,
    ("cos", "acos"):   lambda u: u,
    ("tan", "atan"):   lambda u: u,
    ("sinh", "asinh"): lambda u: u,
    ("cosh", "acosh"): lambda u: u,
    ("tanh", "atanh"): lambda u: u,
    ("cos", "asin"):   lambda u: _root(_one_minus_square(u)),
    ("sin", "acos"):   lambda u: _root(_one_minus_square(u)),
    ("tan", "asin"):   lambda u: mul(u, power(_one_minus_square(u), Num(Fraction(-1, 2)))),
    ("tan", "acos"):   lambda u: mul(_root(_one_minus_square(u)), power(u, MINUS_ONE)),
    ("sec", "asin"):   lambda u: power(_one_minus_square(u), Num(Fraction(-1, 2))),
    ("sec", "acos"):   lambda u: power(u, MINUS_ONE),
    ("csc", "asin"):   lambda u: power(u, MINUS_ONE),
    ("sin", "atan"):   lambda u: mul(u, power(_one_plus_square(u), Num(Fraction(-1, 2)))),
    ("cos", "atan"):   lambda u: power(_one_plus_square(u), Num(Fraction(-1, 2))),
    ("sec", "atan"):   lambda u: _root(_one_plus_square(u)),
    ("cosh", "asinh"): lambda u: _root(_one_plus_square(u)),
    ("sech", "asinh"): lambda u: power(_one_plus_square(u), Num(Fraction(-1, 2))),
    ("tanh", "asinh"): lambda u: mul(u, power(_one_plus_square(u), Num(Fraction(-1, 2)))),
    ("sinh", "acosh"): lambda u: _root(add(power(u, TWO), MINUS_ONE)),
    ("cosh", "atanh"): lambda u: power(_one_minus_square(u), Num(Fraction(-1, 2))),
    ("sech", "atanh"): lambda u: _root(_one_minus_square(u)),
    ("sinh", "atanh"): lambda u: mul(u, power(_one_minus_square(u), Num(Fraction(-1, 2)))),
}


@rewrites(Call, needs=frozenset(outer for outer, _ in INVERSE_COMPOSITIONS))
def function_of_inverse(e: Expr) -> Expr | None:
    """tanh(atanh(u)) -> u, cos(asin(u)) -> sqrt(1 - u^2), sech(atanh(u)) -> sqrt(1 - u^2), ..."""
    if type(e) is Call and len(e.args) == 1 and type(e.args[0]) is Call \
            and len(e.args[0].args) == 1:
        written = INVERSE_COMPOSITIONS.get((e.fn, e.args[0].fn))
        if written is not None:
            return written(e.args[0].args[0])
    return None


# Each trigonometric function as powers of sine and cosine (tan = sin/cos, sec = 1/cos, ...),
# and the same for the hyperbolic ones: the coordinates trig_ratios works in.
TRIG_FAMILIES = (
    ("sin", "cos", "tan", "cot", {"sin": (1, 0), "cos": (0, 1), "tan": (1, -1),
                                  "cot": (-1, 1), "sec": (0, -1), "csc": (-1, 0)}),
    ("sinh", "cosh", "tanh", "coth", {"sinh": (1, 0), "cosh": (0, 1), "tanh": (1, -1),
                                      "coth": (-1, 1), "sech": (0, -1), "csch": (-1, 0)}),
)
_TRIG_FAMILY = {name: family for family in TRIG_FAMILIES for name in family[4]}


@rewrites(Mul, needs=frozenset(_TRIG_FAMILY))
def trig_ratios(e: Expr) -> Expr | None:
    """Several trigonometric factors of one argument as sin^s*cos^c, written with the fewest
    functions and the smallest powers: sin/cos -> tan, cos/sin -> cot, sec*cos -> 1,
    tan*cos -> sin, cos^2*tan -> sin*cos, sinh/cosh -> tanh, sin^2/cos^3 -> tan^2/cos."""
    if type(e) is not Mul:
        return None
    groups: dict[tuple, list[int]] = {}
    for i, f in enumerate(e.factors):
        base, exponent = split_power(f)
        if type(base) is Call and base.fn in _TRIG_FAMILY and is_integer(exponent):
            groups.setdefault((_TRIG_FAMILY[base.fn][0], base.args[0]), []).append(i)
    for (family, u), members in groups.items():
        if len(members) < 2:
            continue
        sin_name, cos_name, tan_name, cot_name, coordinates = _TRIG_FAMILY[family]
        s = c = weight = 0
        for i in members:
            base, exponent = split_power(e.factors[i])
            ds, dc = coordinates[base.fn]  # type: ignore[attr-defined]  # grouped above: trig calls
            s, c = s + ds * exponent.value, c + dc * exponent.value  # type: ignore[attr-defined]  # a number power, grouped above
            weight += 1 + abs(exponent.value)  # type: ignore[attr-defined]  # a number power, grouped above
        ratio = min(abs(s), abs(c)) if s * c < 0 else 0
        s_rest, c_rest = (s - ratio, c + ratio) if s > 0 else (s + ratio, c - ratio)
        # weigh the new form before building it: most groups (sin(u)*cos(u)) stay as they are
        if sum(1 + abs(k) for k in (ratio, s_rest, c_rest) if k) >= weight:
            continue
        written = [power(call(tan_name if s > 0 else cot_name, u), Num(ratio)),
                   power(call(sin_name, u), Num(s_rest)), power(call(cos_name, u), Num(c_rest))]
        rest = [f for i, f in enumerate(e.factors) if i not in members]
        return mul(*rest, *written)
    return None


# Pythagorean identities, each a linear relation a*s + b*t + c*r = 0 among squares of functions
# of one argument and 1 (None): sin^2 + cos^2 - 1 = 0, tan^2 + 1 - sec^2 = 0, ...
PYTHAGOREAN = (
    ((1, "sin"), (1, "cos"), (-1, None)),
    ((1, "tan"), (1, None), (-1, "sec")),
    ((1, "cot"), (1, None), (-1, "csc")),
    ((1, "cosh"), (-1, "sinh"), (-1, None)),
    ((1, "tanh"), (1, "sech"), (-1, None)),
    ((1, "coth"), (-1, "csch"), (-1, None)),
)
_SQUARED = {name for relation in PYTHAGOREAN for _, name in relation if name is not None}


@rewrites(Add, needs=frozenset(_SQUARED))
def pythagorean(e: Expr) -> Expr | None:
    """Two terms of a Pythagorean identity replaced by the third: c*sin(u)^2 + c*cos(u)^2 -> c,
    1 + tan(u)^2 -> sec(u)^2, cosh(u)^2 - 1 -> sinh(u)^2, 1 - tanh(u)^2 -> sech(u)^2, ..."""
    if type(e) is not Add or len(e.terms) > flatten_limit():
        return None
    terms = e.terms
    parts, index = _indexed_terms(terms)
    squares = []                 # (term, factor, name, argument) of each f(u)^n, n >= 2
    for i, (_, factors) in enumerate(parts):
        for j, f in enumerate(factors):
            base, exponent = split_power(f)
            if type(base) is Call and base.fn in _SQUARED and is_integer(exponent) \
                    and exponent.value >= 2:
                squares.append((i, j, base.fn, base.args[0]))
    if not squares:
        return None
    squared = {(name, u) for _, _, name, u in squares}
    for i, j, name, u in squares:
        coefficient, factors = parts[i]
        base, exponent = split_power(factors[j])
        rest = None
        for relation in PYTHAGOREAN:
            if not any(slot == name for _, slot in relation):
                continue
            # a partner f(u)^2 must be there, or the partner is the rest alone
            if not any(slot is None or slot != name and (slot, u) in squared
                       for _, slot in relation):
                continue
            if rest is None:
                rest = mul(*factors[:j], *factors[j + 1:], power(base, Num(exponent.value - 2)))  # type: ignore[attr-defined]  # an integer, checked above
            found = _complete(relation, name, u, rest, coefficient, index, terms, i, squared)
            if found is not None:
                return found
    return None


def _term_parts(term: Expr) -> tuple:
    """:func:`split_coefficient`, with a number as itself times the empty product."""
    return (term.value, ()) if type(term) is Num else split_coefficient(term)


def _indexed_terms(terms: tuple) -> tuple[list, dict]:
    """Each term's (coefficient, factors), and the position of each tuple of factors: the
    look-up table the rules that pair terms (c*t with d*t') use."""
    parts = [_term_parts(t) for t in terms]
    return parts, {factors: i for i, (_, factors) in enumerate(parts)}


def _complete(relation, name, u, rest, coefficient, index, terms, i, squared):
    """If ``coefficient*rest*name(u)^2`` and another term are two members of ``relation`` with
    proportional coefficients, the sum with those two terms replaced by the third member."""
    slots = {slot: a for a, slot in relation}
    if name not in slots:
        return None
    # exact numbers stay exact and a decimal stays a decimal
    scale = (coefficient if isinstance(coefficient, float) else Fraction(coefficient)) / slots[name]
    for a, slot in relation:
        if slot == name or slot is not None and (slot, u) not in squared:
            continue
        partner = mul(rest, power(call(slot, u), TWO)) if slot is not None else rest
        j = index.get(_term_parts(partner)[1])
        if j is None or j == i or _term_parts(terms[j])[0] != scale * a:
            continue
        (b, third), = [(b, s) for b, s in relation if s != name and s != slot]
        replaced = mul(Num(-scale * b), rest,
                       power(call(third, u), TWO) if third is not None else ONE)
        return add(*_all_but(terms, i, j), replaced)
    return None


@rewrites(Add, needs=frozenset({"exp"}))
def exp_to_hyperbolic(e: Expr) -> Expr | None:
    """c*exp(u) + c*exp(-u) -> 2c*cosh(u) and c*exp(u) - c*exp(-u) -> 2c*sinh(u)."""
    if type(e) is not Add:
        return None
    exponentials = {factors[0].args[0]: (i, coefficient)        # u: (where, c) for each c*exp(u)
                    for i, (coefficient, factors) in enumerate(map(_term_parts, e.terms))
                    if len(factors) == 1 and type(factors[0]) is Call and factors[0].fn == "exp"}
    for u, (i, c) in exponentials.items():
        opposite = exponentials.get(mul(MINUS_ONE, u))
        if opposite is None or u.key > mul(MINUS_ONE, u).key:
            continue
        j, d = opposite
        if d == c or d == -c:
            # e^u + e^-u = 2 cosh u; e^u - e^-u = 2 sinh u (with u the one that sorts first)
            hyperbolic = call("cosh", u) if d == c else call("sinh", u)
            rest = _all_but(e.terms, i, j)
            return add(*rest, mul(Num(2 * c), hyperbolic))
    return None


@rewrites(Add, needs=frozenset({"sin", "cos"}))
def angle_sum(e: Expr) -> Expr | None:
    """Two terms of an addition formula made one: c*cos(a)*cos(b) - c*sin(a)*sin(b) ->
    c*cos(a + b), cos(a)*cos(b) + sin(a)*sin(b) -> cos(a - b), sin(a)*cos(b) + cos(a)*sin(b)
    -> sin(a + b), sin(a)*cos(b) - cos(a)*sin(b) -> sin(a - b) (with any common factor)."""
    if type(e) is not Add or len(e.terms) > flatten_limit():
        return None
    parts, index = _indexed_terms(e.terms)
    present = {f for _, factors in parts for f in factors
               if type(f) is Call and (f.fn == "sin" or f.fn == "cos")}
    if len(present) < 4:
        return None                   # two terms with two of sin(a), cos(a), sin(b), cos(b)
    for i, (c, factors) in enumerate(parts):
        trig = [k for k, f in enumerate(factors) if f in present]
        for m, k in enumerate(trig):
            for k2 in trig[m + 1:]:
                p, q = factors[k], factors[k2]
                a, b = p.args[0], q.args[0]
                if a is b or p.fn == "sin" and q.fn == "sin":
                    continue
                if p.fn == "sin":                    # order: the cosine first when mixed
                    p, q, a, b = q, p, b, a
                if q.fn == "cos":                    # cos(a)cos(b) with sin(a)sin(b)
                    partner = (call("sin", a), call("sin", b))
                    made = {-c: call("cos", add(a, b)), c: call("cos", add(a, mul(MINUS_ONE, b)))}
                else:                                # cos(a)sin(b) with sin(a)cos(b)
                    partner = (call("sin", a), call("cos", b))
                    made = {c: call("sin", add(a, b)), -c: call("sin", add(b, mul(MINUS_ONE, a)))}
                if partner[0] not in present or partner[1] not in present:
                    continue
                rest = [f for n, f in enumerate(factors) if n != k and n != k2]
                j = index.get(_term_parts(mul(*rest, *partner))[1])
                if j is None or j == i or parts[j][0] not in made:
                    continue
                others = [t for n, t in enumerate(e.terms) if n != i and n != j]
                coefficient, written = c, made[parts[j][0]]
                if written.fn == "sin" and c < 0 and parts[j][0] == -c:  # type: ignore[attr-defined]  # made holds calls
                    # c*sin(b - a) = -c*sin(a - b): the positive coefficient reads better
                    coefficient, written = -c, call("sin", add(a, mul(MINUS_ONE, b)))
                return add(*others, mul(Num(coefficient), *rest, written))
    return None


@rewrites(Add, needs=frozenset({"cos", "sin", "cosh", "sinh"}))
def double_angle_cosine(e: Expr) -> Expr | None:
    """c*cos(u)^2 - c*sin(u)^2 -> c*cos(2u) and c*cosh(u)^2 + c*sinh(u)^2 -> c*cosh(2u).
    (2*sin(u)*cos(u) is left alone: sin(2u) beside sin(u) reads worse.)"""
    if type(e) is not Add:
        return None
    parts, index = _indexed_terms(e.terms)
    for i, (c, factors) in enumerate(parts):
        for k, f in enumerate(factors):
            base, exponent = split_power(f)
            if exponent is not TWO or type(base) is not Call or base.fn not in ("cos", "cosh"):
                continue
            sine, sign = ("sin", -1) if base.fn == "cos" else ("sinh", 1)
            rest = factors[:k] + factors[k + 1:]
            partner = _term_parts(mul(*rest, power(call(sine, base.args[0]), TWO)))[1]
            j = index.get(partner)
            if j is not None and parts[j][0] == sign * c:
                others = [t for n, t in enumerate(e.terms) if n != i and n != j]
                return add(*others, mul(Num(c), *rest, call(base.fn, mul(TWO, base.args[0]))))
    return None


@rewrites(Pow)
def root_of_product(e: Expr) -> Expr | None:
    """(c*u^(2k)*v)^(p/2) -> c^(p/2)*abs(u)^(k*p)*v^(p/2): even powers, and numbers whose root
    is exact, come out of a square root (sqrt(4*x^2*v) = 2*abs(x)*sqrt(v))."""
    if not (type(e) is Pow and type(e.base) is Mul and type(e.exp) is Num
            and type(e.exp.value) is Fraction and e.exp.value.denominator == 2) \
            or has_imaginary(e.base):                    # the factors must be real
        return None
    p = e.exp.value.numerator
    out: list[Expr] = []
    kept: list[Expr] = []
    for f in e.base.factors:
        if type(f) is Num and f.value > 0 and type(f.value) is not float:
            root = power(f, e.exp)
            (out if type(root) is Num else kept).append(root if type(root) is Num else f)
        elif type(f) is Pow and is_integer(f.exp) and f.exp.value % 2 == 0:
            out.append(power(call("abs", f.base), Num(f.exp.value // 2 * p)))
        else:
            kept.append(f)
    if not out:
        return None
    return mul(*out, power(mul(*kept), e.exp))


# ---------------------------------------------------------------- roots of numbers
# A root of a positive rational is written c * m^(1/q), with c rational and m a whole number
# free of q-th powers (of primes up to SMALL_PRIMES' last): sqrt(8) = 2*sqrt(2),
# sqrt(1/8) = sqrt(2)/4, 1/sqrt(2) = sqrt(2)/2, sqrt(2)*sqrt(6) = 2*sqrt(3), as SymPy writes them.

SMALL_PRIMES = tuple(n for n in range(2, 1000) if all(n % d for d in range(2, int(n ** 0.5) + 1)))
ROOT_BITS = 2000      # radicands longer than this are left as written (factoring is not free)


def _without_powers(m: int, q: int) -> tuple[int, int]:
    """m = a^q * rest, with rest free of the q-th powers of small primes: (a, rest)."""
    a = 1
    for prime in SMALL_PRIMES:
        if prime ** q > m:
            break
        exponent = 0
        while m % prime == 0:
            m //= prime
            exponent += 1
        a *= prime ** (exponent // q)
        m *= prime ** (exponent % q)
    whole = _integer_root(m, q)
    return (a * whole, 1) if whole is not None else (a, m)


def _surd(value: Fraction, exponent: Fraction) -> tuple[Fraction, int] | None:
    """value^exponent = c * m^(1/q) (q the exponent's denominator), as (c, m); None when the
    numbers are too long to factor.  With exponent = k + r/q and value = N/D,
    value^(r/q) = (N^r * D^(q-r))^(1/q) / D: the denominator leaves the root."""
    q = exponent.denominator
    k, r = divmod(exponent.numerator, q)
    radicand = value.numerator ** r * value.denominator ** (q - r) if r else 1
    if radicand.bit_length() > ROOT_BITS or abs(k) * max(value.numerator.bit_length(),
                                                         value.denominator.bit_length()) > ROOT_BITS:
        return None
    a, m = _without_powers(radicand, q)
    return value ** k * Fraction(a, value.denominator if r else 1), m


def _root_of_number(e: Expr) -> tuple[Fraction, Fraction] | None:
    """(n, p/q) for a positive rational n to a non-integer rational power: 2^(1/2), (1/3)^(-3/2)."""
    if type(e) is Pow and type(e.base) is Num and type(e.exp) is Num:
        base, exponent = e.base.value, e.exp.value
        if type(base) is not float and base > 0 and type(exponent) is Fraction:
            return Fraction(base), exponent
    return None


def _roots_written(coefficient: Fraction, roots: dict[int, Fraction]) -> Expr:
    """coefficient * the product of value^(1/q) over roots {q: value}, each root in its form."""
    factors: list[Expr] = []
    for q, value in sorted(roots.items()):
        parts = _surd(value, Fraction(1, q))
        if parts is None:
            factors.append(power(Num(value), Num(Fraction(1, q))))
            continue
        c, m = parts
        coefficient *= c
        if m != 1:
            factors.append(power(Num(m), Num(Fraction(1, q))))
    return mul(Num(coefficient), *factors)


@rewrites(Pow)
def root_of_number(e: Expr) -> Expr | None:
    """n^(p/q) -> c*m^(1/q) when some of it leaves the root: sqrt(8) -> 2*sqrt(2),
    2^(-1/2) -> sqrt(2)/2, 12^(3/2) -> 24*sqrt(3)."""
    root = _root_of_number(e)
    parts = None if root is None else _surd(*root)
    if root is None or parts is None or parts[0] == 1:
        return None                      # nothing leaves the root: 2^(5/6) stays, not 32^(1/6)
    c, m = parts
    return mul(Num(c), power(Num(m), Num(Fraction(1, root[1].denominator))))


@rewrites(Mul)
def product_of_roots(e: Expr) -> Expr | None:
    """Roots of numbers with one index multiply under one root, and the number in front joins
    what leaves it: sqrt(2)*sqrt(6) -> 2*sqrt(3), sqrt(6)/sqrt(2) -> sqrt(3)."""
    if type(e) is not Mul:
        return None
    roots = [parts for parts in map(_root_of_number, e.factors) if parts is not None]
    indices = [exponent.denominator for _, exponent in roots]
    if len(set(indices)) == len(indices):            # no two roots of one index
        return None
    first = e.factors[0]
    number = type(first) is Num and type(first.value) is not float
    coefficient = Fraction(first.value) if number else Fraction(1)   # type: ignore[attr-defined]
    under: dict[int, Fraction] = {}
    for base, exponent in roots:
        q = exponent.denominator
        under[q] = under.get(q, Fraction(1)) * base ** exponent.numerator
    if any(max(v.numerator.bit_length(), v.denominator.bit_length()) > ROOT_BITS for v in under.values()):
        return None
    rest = [f for i, f in enumerate(e.factors) if _root_of_number(f) is None and not (i == 0 and number)]
    return mul(_roots_written(coefficient, under), *rest)


RULES: tuple[Rule, ...] = (
    evaluate_special_values,
    parts_of_complex,
    power_of_complex_number,
    product_of_complex_numbers,
    function_of_inverse,
    log_of_exp,
    exp_of_log,
    exp_of_sum_with_log,
    sign_out_of_argument,
    abs_of_positive,
    power_of_exp,
    power_of_log_ratio,
    power_of_reciprocal,
    root_of_even_power,
    root_of_product,
    root_of_number,
    product_of_roots,
    even_power_of_abs,
    distribute_number,
    collect_like_terms,
    pythagorean,
    exp_to_hyperbolic,
    angle_sum,
    double_angle_cosine,
    collect_like_factors,
    merge_exponentials,
    sign_times_abs,
    sign_from_abs,
    even_power_beside_abs,
    trig_ratios,
)


# ---------------------------------------------------------------- strategy

class Step(NamedTuple):
    """One rule firing: the trace that step-by-step explanations are made of."""

    rule: str
    before: Expr
    after: Expr


MAX_REWRITES_PER_NODE = 50     # a safety net; every accepted rewrite shrinks or canonicalises


@bounded
def simplify(expr: Expr, *, trace: list[Step] | None = None, rules: tuple[Rule, ...] = RULES,
             forms: bool = True) -> Expr:
    """Simplify bottom-up, each distinct node once, then choose the best form.

    A rewrite is kept only if it does not make its node larger written out
    (:func:`written_size`, numbers counting as annotations), so ``x*x -> x^2``
    and ``x + x -> 2*x`` are kept while no rule can swell a result.  Then, unless
    ``forms=False``, :func:`best_form` compares the result with its rational normal
    forms and keeps the smallest.  Pass a list as ``trace`` to receive every rule
    firing, and the form chosen, as a :class:`Step`.

    >>> from symdiff import parse
    >>> simplify(parse("x*x^2 + x^3"))
    2*x^3
    >>> simplify(parse("1/(x + 1) - x/(x + 1)^2"))
    1/(x + 1)^2
    """
    result = _Simplifier(rules, trace).run(expression(expr, "simplify"))
    return best_form(result, trace=trace, memo=FormMemo(rules)) if forms else result


@bounded
def simplify_all(exprs: Sequence[Expr], *, trace: list[Step] | None = None) -> list[Expr]:
    """Simplify several expressions with one memo, so structure they share stays shared.

    >>> from symdiff import parse
    >>> simplify_all([parse("x + x"), parse("2*x + 0")])
    [2*x, 2*x]
    """
    simplify_more = simplifier(trace=trace)
    return [simplify_more(expression(expr, "simplify_all", "simplify")) for expr in exprs]


def simplifier(*, trace: list[Step] | None = None) -> Callable[[Expr], Expr]:
    """A simplify function with one memo for all its calls: a node it has simplified once,
    or produced, is not visited again.  Repeated derivatives use one, so each order skips
    the subexpressions it shares with the order before.

    >>> from symdiff import parse
    >>> simplify_more = simplifier()
    >>> simplify_more(parse("x*x")), simplify_more(parse("3*x^2 + x*x"))
    (x^2, 4*x^2)
    """
    return _Simplifier(RULES, trace).run


def unchanged(node: Expr, children: tuple[Expr, ...]) -> bool:
    """Whether rebuilding ``node`` from ``children`` would give ``node`` back: the children
    are its own and none could be flattened into it (as after preserving structure).

    >>> from symdiff import parse
    >>> x, y = parse("x"), parse("y")
    >>> unchanged(parse("x*y"), (x, y)), unchanged(parse("x*y"), (y, x))
    (True, False)
    """
    if children != node.children:               # element by element, by identity: interned
        return False
    kind = type(node)
    if kind is Add or kind is Mul:
        return flatten_limit() == 0 or kind not in map(type, children)
    if kind is Pow:
        return type(node.base) is not Mul  # type: ignore[attr-defined]  # kind is type(...)
    return True


@functools.lru_cache(maxsize=16)
def rules_by_type(rules: tuple[Rule, ...]) -> dict[type, tuple[tuple[Rule, frozenset], ...]]:
    """The rules for each node type, in their given order, each with the functions it needs
    (a rule that declares no type with :func:`rewrites` is offered every node)."""
    return {kind: tuple((r, getattr(r, "needs", frozenset())) for r in rules
                        if getattr(r, "rewrites", kind) is kind)
            for kind in (Num, Const, Sym, Bound, Add, Mul, Pow, Call, Piecewise)}


@functools.lru_cache(maxsize=512)
def _rules_for_call(rules: tuple[Rule, ...], fn: str) -> tuple[tuple[Rule, frozenset], ...]:
    """The rules a call of ``fn`` is offered: those that need no function, or need ``fn``
    (the needs then met, so left empty)."""
    return tuple((rule, frozenset()) for rule, needs in rules_by_type(rules)[Call]
                 if not needs or fn in needs)


def _value_of_call(e: Expr, after: Expr) -> bool:
    """Whether ``after`` is the exact value of the call ``e`` at numbers, with no call left
    (gamma(1/2) -> sqrt(pi)): kept although it is written larger.

    >>> from symdiff import parse
    >>> _value_of_call(parse("gamma(1/2)"), parse("sqrt(pi)")), _value_of_call(parse("gamma(x)"), parse("x"))
    (True, False)
    """
    return type(e) is Call and not e.free and all(type(node) is not Call for node in postorder(after))


class _Simplifier:
    """One simplification: the memo of finished nodes and of written sizes."""

    def __init__(self, rules, trace):
        self.rules, self.trace = rules, trace
        self.rules_for = rules_by_type(rules)
        self.done: dict[Expr, Expr] = {}
        self.sizes: dict[Expr, int] = {}

    def run(self, root: Expr) -> Expr:
        done = self.done
        if root in done:
            return done[root]
        for node in checked(_pending(root, done)):
            if node not in done:
                self.finish(node)
        return done[root]

    def finish(self, node: Expr) -> None:
        """Simplify ``node``, whose children are simplified already, and remember the result."""
        done = self.done
        children = node.children
        if children:
            simplified = tuple(map(done.__getitem__, children))
            if type(node) is Pow:
                simplified = kept_denominator(node, simplified)
            rebuilt = node if unchanged(node, simplified) else rebuild(node, simplified)
        else:
            rebuilt = node
        if rebuilt in done:
            final = done[rebuilt]
        elif rebuilt is not node and any(c not in done for c in rebuilt.children):
            # the constructor built new subexpressions ((2u)^-1 -> u^-1/2): simplify them too
            final = self.run(rebuilt)
        else:
            final = self.at_root(rebuilt)
        done[node] = done[rebuilt] = final
        if final not in done:
            done[final] = final              # a result is simplified: never visit it again

    def at_root(self, e: Expr) -> Expr:
        """Apply the first rule whose (re-simplified) result is no larger, until none is."""
        for _ in range(MAX_REWRITES_PER_NODE):
            present = None
            kind = type(e)
            if kind is Call:                    # a call's rules, chosen by its name once
                entries = _rules_for_call(self.rules, e.fn)  # type: ignore[attr-defined]  # kind is type(...)
            else:
                entries = self.rules_for[kind]
            for rule, needs in entries:
                if needs:
                    if present is None:
                        present = functions_among(e)
                    if needs.isdisjoint(present):
                        continue
                after = rule(e)
                if after is None or after is e:
                    continue
                after = self.done[after] if after in self.done else self.run(after)
                if self.written(after) > self.written(e) and not _value_of_call(e, after):
                    continue
                if self.trace is not None:
                    self.trace.append(Step(rule.__name__, e, after))
                e = after
                break
            else:
                return e
        return e

    def written(self, root: Expr) -> int:
        """Memoised :func:`written_size`."""
        sizes = self.sizes
        if root in sizes:
            return sizes[root]
        for node in _pending(root, sizes):
            if node not in sizes:
                own = 0 if _annotation(node) else 1
                sizes[node] = own + sum(map(sizes.__getitem__, node.children))
        return sizes[root]


def kept_denominator(node: Pow, simplified: tuple[Expr, ...]) -> tuple[Expr, ...]:
    """The operands to rebuild the power ``node`` from: its simplified base and exponent,
    except that a base which simplified to the number 0 under a negative number is put back
    as written.  The strategy never makes a literal division by zero (``0^-n``) that was not
    there: its text (``y/0``) is one the parser refuses, while ``y/(x - x)`` reads back, and
    evaluating it fails with the same division by zero.  A ``0^-n`` already there stays.

    >>> from symdiff import parse
    >>> x_minus_x = parse("x - x")
    >>> kept_denominator(parse("(x - x)^-1"), (Num(0), Num(-1))) == (x_minus_x, Num(-1))
    True
    >>> simplify(parse("y/(x - x)")), simplify(parse("(x - x)^2"))
    (y/(x - x), 0)
    """
    base, exponent = simplified
    if (type(base) is Num and base.value == 0 and type(exponent) is Num and exponent.value < 0
            and not is_singular(node)):
        return node.base, exponent
    return simplified


def _pending(root: Expr, memo: dict) -> list[Expr]:
    """The nodes of ``root`` not in ``memo``, children first (and maybe some that are).  When
    only the root is new, as with most results of a rule, that is ``[root]``, with no walk."""
    contains = memo.__contains__
    if all(map(contains, root.children)):
        return [root]
    return postorder(root, stop=contains)


def written_size(expr: Expr) -> int:
    """Nodes written out as a tree, not counting numbers, numeric coefficients (``3*t``)
    or numeric exponents (``t^3``): the measure no accepted rewrite increases.

    >>> from symdiff import parse
    >>> written_size(parse("x*x")), written_size(parse("x^2"))
    (3, 1)
    """
    return _Simplifier((), None).written(expr)


def size(expr: Expr) -> int:
    """Distinct nodes of the DAG, numbers and numeric annotations not counted.

    Numbers, a numeric coefficient (``3*t``) and a numeric exponent (``t^3``)
    are annotations of the node they decorate and do not count.

    >>> from symdiff import parse
    >>> size(parse("3*x^2 + x")), size(parse("x*x + x"))
    (2, 3)
    """
    return sum(1 for node in postorder(expr) if not _annotation(node))


def _annotation(node: Expr) -> bool:
    match node:
        case Num():
            return True
        case Mul(factors):
            return len(factors) == 2 and type(factors[0]) is Num
        case Pow(_, exp):
            return is_integer(exp)          # a root, u^(1/2), counts like the function it is
    return False


# ---------------------------------------------------------------- choosing among forms

# Expressions of more distinct nodes than this keep the rule pass's result: the candidate
# forms below cost polynomial arithmetic, the rule pass only linear time.  Results people
# read are smaller (every one of bench/readable.py's 394 is within 25 nodes).
FORM_BUDGET = 40


class FormMemo:
    """What :func:`best_form` remembers between calls (the orders of a derivative, the
    partials of a gradient): each region's best form, a rule pass with its memo, and the
    printed sizes of the nodes it has measured."""

    def __init__(self, rules: tuple[Rule, ...] = RULES):
        self.best: dict[Expr, Expr] = {}
        self.rules = _Simplifier(rules, None)
        self.sizes: dict[Expr, int] = {}


def best_form(e: Expr, *, trace: list[Step] | None = None, memo: FormMemo | None = None) -> Expr:
    """The smallest of ``e`` and its candidate forms by :func:`printed_size`, ties going to
    the earlier candidate: ``e`` as it is; one fraction with common factors cancelled and
    numerator and denominator factored (``combine_and_factor``); the same fraction with
    the numerator expanded (``combine_and_expand``).  Arguments of functions and
    non-numeric powers get their best form first.  Never larger than ``e``; ``e`` itself
    when it has more than FORM_BUDGET distinct nodes or structure is being preserved.  ``memo`` (a :class:`FormMemo`) may be
    shared between calls.

    >>> from symdiff import parse
    >>> best_form(parse("-1/(x + 1) - (1 - x)/(x + 1)^2"))
    -2/(x + 1)^2
    >>> best_form(parse("sin(1/x - 1/(x + 1))"))
    sin(1/(x*(x + 1)))
    """
    if flatten_limit() == 0 or dag_larger_than([e], FORM_BUDGET) \
            or not any(map(_could_shrink, postorder(e))):
        return e              # preserving structure, too large, or (most often) nothing to gain
    return _best_of(e, FormMemo() if memo is None else memo, trace)


def _best_of(top: Expr, memo: FormMemo, trace: list[Step] | None) -> Expr:
    """The best form of ``top`` read as one rational function: the arguments of its
    generators get theirs first (each a rational function of its own), then the candidates
    for the whole are compared.  Memoised in ``memo``."""
    if top in memo.best:
        return memo.best[top]
    rebuilt: dict[Expr, Expr] = {}
    for node in postorder(top, stop=_past_region):
        children = node.children
        if not children:
            rebuilt[node] = node
            continue
        if forms.is_operation(node) and not _is_root(node):
            new = [rebuilt[c] for c in children]
        else:                                    # a generator, sin(u), u^v, or a root u^(1/2)
            new = [_best_of(c, memo, trace) for c in children]
        if type(node) is Pow:                    # 1/sqrt((x - x)/x) keeps its radicand
            new = list(kept_denominator(node, tuple(new)))
        rebuilt[node] = node if all(map(operator.is_, new, children)) else rebuild(node, new)
    e = rebuilt[top]
    if e is not top:
        e = memo.rules.run(e)
    best = e
    for _ in range(2):                 # a second round where the rules found more to cancel
        if not _worth_a_form(best):
            break
        start = best
        best_size = printed_size(best, memo.sizes)
        for name, candidate in _candidates(start):
            candidate = memo.rules.run(candidate)
            size = printed_size(candidate, memo.sizes)
            if size < best_size:
                best, best_size, chosen = candidate, size, name
        if best is start:
            break
        if trace is not None:
            trace.append(Step(chosen, start, best))
    memo.best[top] = best
    return best


def _past_region(node: Expr) -> bool:
    """Where a walk over one rational function stops: a generator or a number."""
    return not forms.is_operation(node)


def _is_root(e: Expr) -> bool:
    """u^(p/q) with q > 1: its radicand is a rational function of its own."""
    return type(e) is Pow and type(e.exp) is Num and type(e.exp.value) is Fraction


def _candidates(e: Expr):
    """(name, form) pairs: the fraction with common factors cancelled, factored, then with
    the numerator expanded (people write 2*x*(x^2 - 3), not 2*(x^3 - 3*x), at equal size).
    A form whose polynomials would pass the bounds of :mod:`symdiff.forms` is not offered."""
    try:
        numerator, denominator, gens = forms.rational(e)
        numerator, denominator = forms.cancel_bases(numerator, denominator)
    except forms.NoRationalForm:
        return
    ways = [("combine_and_factor", {"factored": True})]
    if len(numerator.terms) > 1 and any(min(e[i] for e in numerator.terms)
                                        for i in range(numerator.nvars)):
        # what divides every term pulled out, the rest expanded: x*exp(x)*(x + 2)
        ways.append(("combine_and_factor", {"common_apart": True}))
    ways.append(("combine_and_expand", {}))
    if len(denominator) > 1:
        ways.append(("combine_and_expand", {"one_denominator": True}))
    yield from _written(numerator, denominator, gens, ways)
    # tan, sec, ... in sines and cosines, for a quotient of sums only: elsewhere it mixes the
    # two spellings (the 6th derivative of tan(x) stays in powers of sec(x) and tan(x))
    written = in_sines_and_cosines(e, gens) if _has_sum_denominator(e) else None
    if written is not None:
        try:
            numerator, denominator, gens = forms.rational(written)
            numerator, denominator = forms.cancel_bases(numerator, denominator)
        except forms.NoRationalForm:
            return
        yield from _written(numerator, denominator, gens,
                            [("in_sines_and_cosines", {"factored": True}), ("in_sines_and_cosines", {})])


def _written(numerator, denominator, gens, ways):
    """(name, form) for each way of writing the fraction that stays within the bounds
    (multiplying out a denominator of several bases can pass the degree bound)."""
    for name, how in ways:
        try:
            yield name, forms.write(numerator, denominator, gens, **how)
        except forms.NoRationalForm:
            continue


def _has_sum_denominator(e: Expr) -> bool:
    return any(_is_denominator(n) and type(n.base) is Add
               for n in postorder(e, stop=_past_region))


def in_sines_and_cosines(e: Expr, gens: list[Expr]) -> Expr | None:
    """``e`` with tan, cot, sec, csc (and their hyperbolic kin) among its generators written
    as powers of sine and cosine, so that a common denominator sees what they share; None
    when there are none.  The rule pass writes tan back where that is shorter.

    >>> from symdiff import parse
    >>> in_sines_and_cosines(parse("tan(x) + sec(x)"), [parse("sec(x)"), parse("tan(x)")])
    1/cos(x) + sin(x)/cos(x)
    """
    mapping: dict[Expr, Expr] = {}
    for g in gens:
        if type(g) is Call and g.fn in _TRIG_FAMILY and len(g.args) == 1:
            sin_name, cos_name, _, _, coordinates = _TRIG_FAMILY[g.fn]
            s, c = coordinates[g.fn]
            if s < 0 or c < 0:
                u = g.args[0]
                mapping[g] = mul(power(call(sin_name, u), Num(s)), power(call(cos_name, u), Num(c)))
    return substitute(e, mapping) if mapping else None


# ---------------------------------------------------------------- normal forms on request

def _normal_form(e: Expr, make: Callable[[Expr], Expr | None]) -> Expr:
    """The form ``make`` builds from the expression after the rule pass (the expression
    itself where it has none), through the rule pass again."""
    e = _rules_only(e)
    return _rules_only(make(e) or e)


def _rules_only(e: Expr) -> Expr:
    return _Simplifier(RULES, None).run(e)


@bounded
def expand(expr: Expr) -> Expr:
    """Products and integer powers of sums multiplied out; each term keeps its denominator.

    >>> from symdiff import parse
    >>> expand(parse("(x + 1)^2/x"))
    x + 1/x + 2
    """
    return _normal_form(expression(expr, "expand"), forms.expand)


@bounded
def together(expr: Expr) -> Expr:
    """One fraction over the least common multiple of the denominators.

    >>> x, y = Sym("x"), Sym("y")
    >>> together(1/x + 1/y)
    (x + y)/(x*y)
    """
    return _normal_form(expression(expr, "together"), forms.together)


@bounded
def cancel(expr: Expr) -> Expr:
    """One fraction with the common factors of numerator and denominator divided out.

    >>> x = Sym("x")
    >>> cancel((x**2 - 1)/(x + 1))
    x - 1
    """
    return _normal_form(expression(expr, "cancel"), functools.partial(forms.together, cancelled=True))


@bounded
def factor(expr: Expr) -> Expr:
    """Cancelled, with numerator and denominator factored over the rationals: content,
    powers of variables, square-free parts and linear factors.

    >>> x = Sym("x")
    >>> factor(x**3 - x)
    x*(x - 1)*(x + 1)
    """
    return _normal_form(expression(expr, "factor"), functools.partial(forms.together, factored=True))


@bounded
def collect(expr: Expr, x: Expr) -> Expr:
    """Expanded and grouped by powers of the variable ``x``.

    >>> x, y, z = Sym("x"), Sym("y"), Sym("z")
    >>> collect(x*y + x*z + y, x)
    y + x*(y + z)
    """
    x = expression(x, "collect")
    return _rules_only(forms.collect(expand(expression(expr, "collect")), x))


def _worth_a_form(e: Expr) -> bool:
    """Whether a rational form could be smaller: a sum with two terms over denominators, or
    one over a sum (1 - x^2/(x^2 + 1)), or with a product holding a sum (an expansion may
    cancel), or whose terms share a function (x^2*exp(x) + 2*x*exp(x)); a product of a sum
    and a denominator (a factor may cancel); a denominator holding a fraction.  Most results
    (3*x^2 + 2*x, y + 1/x, x*cos(x) + sin(x)) have none of these and skip the work.  Sums of
    powers of variables sharing a variable (2*x*cos(x) - x^2*sin(x)) are left expanded, as
    people write polynomials and product-rule results."""
    return any(map(_could_shrink, postorder(e, stop=_past_region)))


def _could_shrink(node: Expr) -> bool:
    """The test of :func:`_worth_a_form` at one node."""
    kind = type(node)
    if kind is Add:
        fractions = 0
        shared = None
        for t in node.terms:  # type: ignore[attr-defined]  # kind is type(...)
            factors = t.factors if type(t) is Mul else (t,)
            over = [f for f in factors if _is_denominator(f)]
            if over:
                fractions += 1
                if any(type(f.base) is Add for f in over):
                    fractions += 1                  # one fraction over a sum is enough
            if fractions >= 2 or any(map(_is_sum_power, factors)) and type(t) is Mul:
                return True
            bases = {split_power(f)[0] for f in factors if type(f) is not Num}
            shared = bases if shared is None else shared & bases
        return shared is not None and any(type(b) is Call for b in shared)
    if kind is Mul:
        if any(type(f) is Add and any(_is_denominator(g) for t in f.terms
                                      for g in (t.factors if type(t) is Mul else (t,)))
               for f in node.factors):  # type: ignore[attr-defined]  # kind is type(...)
            return True                             # x*(1/x + 1): a fraction inside may cancel
        return any(map(_is_denominator, node.factors)) and any(  # type: ignore[attr-defined]  # kind is type(...)
            type(f) is Add or type(f) is Pow and type(f.base) is Add and not _is_denominator(f)
            for f in node.factors)  # type: ignore[attr-defined]  # kind is type(...); a sum above a denominator: it may cancel
    # a denominator holding a fraction, or tan, sec, ... (in sines and cosines it may cancel)
    return _is_denominator(node) and type(node.base) is Add and any(
        _is_denominator(f) or _is_ratio_function(split_power(f)[0])
        for t in node.base.terms for f in (t.factors if type(t) is Mul else (t,)))


_RATIO_FUNCTIONS = frozenset(name for name, family in _TRIG_FAMILY.items()
                             if min(family[4][name]) < 0)       # tan, cot, sec, csc and kin


def _is_ratio_function(e: Expr) -> bool:
    return type(e) is Call and e.fn in _RATIO_FUNCTIONS


def _is_sum_power(f: Expr) -> bool:
    """A sum, or a power of one (in a numerator or a denominator)."""
    return type(f) is Add or type(f) is Pow and type(f.base) is Add


def _is_denominator(f: Expr) -> TypeGuard[Pow]:
    return type(f) is Pow and type(f.exp) is Num and f.exp.value < 0 and bool(f.base.free)


def printed_size(e: Expr, sizes: dict | None = None) -> int:
    """Nodes of the printed form, counted as Python's ``ast`` has them for the text: each
    number, name, operation, unary minus and call (its name not counted again), so ``-x``
    is 2, ``1/x`` is 3, ``sqrt(u)`` a call, ``3/2`` a division of two numbers; a number of
    more than four digits counts once per four (``1874161`` is 2): the measure
    :func:`best_form` compares candidates by (bench/readable.py compares systems by the
    same count, without the digits).

    >>> from symdiff import parse
    >>> printed_size(parse("-2/(x + 1)^2")), printed_size(parse("sqrt(x)"))
    (8, 2)
    """
    sizes = {} if sizes is None else sizes        # a memo of measured nodes, if given
    if e not in sizes:
        for node in _pending(e, sizes):
            if node not in sizes:
                sizes[node] = _printed_node_size(node, sizes)
    return sizes[e]


def _printed_node_size(node: Expr, sizes: dict) -> int:
    kind = type(node)
    if kind is Num:
        v = node.value  # type: ignore[attr-defined]  # kind is type(...)
        if type(v) is Fraction:
            return _digits_size(v.numerator) + _digits_size(v.denominator) + 1 + (v < 0)
        return (1 if type(v) is float else _digits_size(v)) + (v < 0)
    if kind is Add:
        return len(node.terms) - 1 + sum(_unsigned_size(t, sizes) for t in node.terms)  # type: ignore[attr-defined, misc]  # kind is type(...); misc: mypy takes sum's bool overload
    if kind is Call:
        return 1 + sum(sizes[a] for a in node.args)  # type: ignore[attr-defined]  # kind is type(...)
    if kind is Mul or kind is Pow and type(node.exp) is Num and node.exp.value < 0:  # type: ignore[attr-defined]  # kind is type(...)
        return _unsigned_size(node, sizes) + _is_negative_term(node)
    if kind is Pow:
        if node.exp is HALF:  # type: ignore[attr-defined]  # kind is type(...)
            return 1 + sizes[node.base]  # type: ignore[attr-defined]  # kind is type(...); sqrt(u)
        return 1 + sizes[node.base] + sizes[node.exp]  # type: ignore[attr-defined]  # kind is type(...)
    return 1


def _is_negative_term(t: Expr) -> bool:
    return type(t) is Mul and type(t.factors[0]) is Num and t.factors[0].value < 0 \
        or type(t) is Num and t.value < 0


def _digits_size(n: int) -> int:
    """A number counts once per four digits: 1874161/10000 is no single glance."""
    return 1 + max(abs(n).bit_length() * 3 // 10 - 1, 0) // 4


def _unsigned_size(t: Expr, sizes: dict) -> int:
    """Size of a term printed without its sign (after ``+`` or ``-`` in a sum)."""
    if type(t) is Num:
        return sizes[t] - (t.value < 0)
    if type(t) is not Mul and not (type(t) is Pow and type(t.exp) is Num and t.exp.value < 0):
        return sizes[t]
    factors = t.factors if type(t) is Mul else (t,)
    above = below = 0
    size = 0
    for f in factors:
        if type(f) is Num:
            v = abs(f.value)
            if type(v) is Fraction:
                above += v.numerator != 1
                below += 1
                size += (_digits_size(v.numerator) if v.numerator != 1 else 0) + \
                    _digits_size(v.denominator)
            elif v != 1:
                above += 1
                size += 1 if type(v) is float else _digits_size(v)  # type: ignore[arg-type]  # an int here: not a Fraction, not a float
        elif type(f) is Pow and type(f.exp) is Num and f.exp.value < 0:
            below += 1
            flipped = -f.exp.value
            # b, sqrt(b) or b^k in the denominator
            size += sizes[f.base] + (0 if flipped == 1 else 1 if flipped == HALF.value
                                     else 4 if type(flipped) is Fraction else 2)
        else:
            above += 1
            size += sizes[f]
    # the operators: one between neighbours above and below, one division, a 1 if none above
    return size + max(above - 1, 0) + max(below - 1, 0) + (1 if below else 0) + \
        (1 if below and not above else 0)
