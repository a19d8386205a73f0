"""The n-th derivative for a symbolic order n: closed forms of the standard families.

``diff(f, "x", "n")`` with ``n`` a name that does not occur in ``f`` asks for the n-th
derivative, for every integer n >= 1 at once.  Differentiation is linear, so ``f`` may be a
sum of terms, each a factor free of ``x`` times one member of a family, with ``u = a*x + b``
linear in ``x`` (``a`` and ``b`` free of it, ``a`` not zero):

=====================  =====================================  ==================================
family                 n-th derivative                        why
=====================  =====================================  ==================================
``sin(u)``             ``a^n*sin(u + n*pi/2)``                each derivative adds a quarter turn
``cos(u)``             ``a^n*cos(u + n*pi/2)``                likewise
``exp(u)``             ``a^n*exp(u)``                         exp is its own derivative
``c^u`` (c free of x)  ``(a*log(c))^n*c^u``                   c^u = exp(u*log(c))
``u^m`` (m free of x)  ``a^n*ff(m, n)*u^(m - n)``             the falling factorial
                                                              m*(m-1)*...*(m-n+1); it is 0 for
                                                              an integer m >= 0 below n
``u^-1``               ``(-1)^n*n!*a^n*u^(-n - 1)``           ff(-1, n) = (-1)^n*n!
``log(u)``             ``(-1)^(n - 1)*(n - 1)!*a^n*u^-n``     the (n-1)-th derivative of a/u
=====================  =====================================  ==================================

Anything else is a :class:`DiffError` that says which term has no closed form here; never a
silent 0.  The results hold for n >= 1: a term free of ``x`` contributes 0.

>>> from symdiff import parse
>>> nth_derivative(parse("sin(2x)"), "x", Sym("n"))
2^n*sin(2*x + pi*n/2)
>>> nth_derivative(parse("3/x + exp(-x)"), "x", Sym("n"))
(-1)^n*exp(-x) + 3*(-1)^n*factorial(n)/x^(n + 1)
"""

from __future__ import annotations

from .errors import DiffError
from .expr import (HALF, MINUS_ONE, ONE, PI, Add, Call, Expr, Mul, Num, Pow, Sym, add, call,
                   mul, neg, power)


def nth_derivative(expr: Expr, x: str, n: Expr) -> Expr:
    """The ``n``-th derivative of ``expr`` with respect to ``x``, ``n`` a symbolic order (see
    the module docstring for the families; a DiffError names a term outside them)."""
    if n.free & expr.free:
        raise DiffError(f"the order {n} occurs in the formula; name the order "
                        f"with a letter the formula does not use")
    terms = expr.terms if type(expr) is Add else (expr,)
    return add(*[_term(term, x, n) for term in terms])


def _term(term: Expr, x: str, n: Expr) -> Expr:
    """A constant factor times the n-th derivative of the one factor that holds ``x``."""
    if x not in term.free:
        return Num(0)                                  # n >= 1
    factors = term.factors if type(term) is Mul else (term,)
    varying = [f for f in factors if x in f.free]
    if len(varying) != 1:
        raise _no_closed_form(term, x)
    constant = mul(*[f for f in factors if x not in f.free])
    derivative = _family(varying[0], x, n)
    if derivative is None:
        raise _no_closed_form(term, x)
    return mul(constant, derivative)


def _family(f: Expr, x: str, n: Expr) -> Expr | None:
    """The n-th derivative of one member of a family, or None."""
    match f:
        case Sym():                                    # x = x^1: ff(1, n)*x^(1 - n)
            return mul(call("ff", ONE, n), power(f, add(ONE, neg(n)))) if f.name == x else None
        case Call("sin" | "cos" as fn, (u,)):
            a = _slope(u, x)
            quarter_turns = mul(n, PI, HALF)
            return None if a is None else mul(power(a, n), call(fn, add(u, quarter_turns)))
        case Call("exp", (u,)):
            a = _slope(u, x)
            return None if a is None else mul(power(a, n), f)
        case Call("log", (u,)):
            a = _slope(u, x)
            if a is None:
                return None
            below = add(n, MINUS_ONE)
            return mul(power(MINUS_ONE, below), call("factorial", below), power(a, n),
                       power(u, neg(n)))
        case Pow(base, exponent) if x not in exponent.free:
            a = _slope(base, x)
            if a is None:
                return None
            if exponent is MINUS_ONE:                  # ff(-1, n) = (-1)^n*n!
                return mul(power(MINUS_ONE, n), call("factorial", n), power(a, n),
                           power(power(base, add(n, ONE)), MINUS_ONE))    # 1/u^(n + 1)
            return mul(power(a, n), call("ff", exponent, n), power(base, add(exponent, neg(n))))
        case Pow(base, exponent) if x not in base.free:
            a = _slope(exponent, x)
            return None if a is None else mul(power(mul(a, call("log", base)), n), f)
    return None


def _slope(u: Expr, x: str) -> Expr | None:
    """``a`` if ``u`` is ``a*x + b`` with ``a`` and ``b`` free of ``x`` (``a`` not 0), else None."""
    terms = u.terms if type(u) is Add else (u,)
    slope: list[Expr] = []
    for term in terms:
        if x not in term.free:
            continue
        if term is Sym(x):
            slope.append(ONE)
            continue
        if type(term) is not Mul:
            return None
        linear = [f for f in term.factors if x in f.free]
        if len(linear) != 1 or linear[0] is not Sym(x):
            return None
        slope.append(mul(*[f for f in term.factors if f is not linear[0]]))
    a = add(*slope)
    return None if a == Num(0) else a


def _no_closed_form(term: Expr, x: str) -> DiffError:
    return DiffError(f"no closed form for the n-th derivative of {term}: symdiff knows "
                     f"sin, cos, exp and log of a*{x} + b, (a*{x} + b)^m and c^(a*{x} + b), and "
                     f"sums of them times factors free of {x}; give a number as the order")
