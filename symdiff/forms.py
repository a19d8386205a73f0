"""Normal forms through polynomials: expand, together, cancel, factor, collect.

An expression is read as a rational function ``N / D`` over *generators*: the variables,
the constants and every subterm that is not a polynomial operation (``sin(x)``,
``exp(x)``, ``x^y``, and the root ``u^(1/q)`` behind each power ``u^(p/q)``).  The
numerator is a :class:`~symdiff.poly.Poly`; the denominator is kept as a product of
primitive polynomial *bases* with multiplicities, as they were written (``(x + 1)^2``
stays a square, never ``x^2 + 2*x + 1``).  A power ``u^(p/q)`` is read as ``u^k * r^s``
with ``r = u^(1/q)``, ``p = k*q + s`` and ``0 <= s < q``, so roots always sit in the
numerator and ``1/sqrt(u) - x^2/u^(3/2)`` combines over ``u^2``.

All the arithmetic is done by :mod:`symdiff.poly`; this module only translates.  Every
polynomial is bounded by :data:`MAX_TERMS`; an expression whose forms would be larger,
or that holds a decimal number, has no rational form here (:class:`NoRationalForm`).

>>> from symdiff import parse
>>> together(parse("-1/(x + 1) - (1 - x)/(x + 1)^2"), cancelled=True)
-2/(x + 1)^2
>>> together(parse("1/x + 1/y"))
(x + y)/(x*y)
>>> together(parse("x^3 - x"), factored=True)
x*(x - 1)*(x + 1)
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

from .expr import HALF, Add, Expr, Mul, Num, Pow, add, mul, postorder, power
from .expr import Sym  # noqa: F401 (the docstring examples use it)
from .poly import Poly, factor as factor_poly, gcd

# Polynomials of more terms than this are not formed: the expression has no rational form
# here and is left as it is (expanding (x + y + z)^30 would print worse and take long; a
# result of more terms than this is no longer read, and the candidate forms would cost time).
MAX_TERMS = 60
MAX_DEGREE = 24             # nor of higher total degree (a monomial x^50 is fine),
MAX_COEFFICIENT_BITS = 40   # nor with a coefficient beyond 12 digits (nobody reads those)


class NoRationalForm(Exception):
    """The expression has no rational form within the bounds (a decimal, or too many terms)."""


Denominator = dict          # {primitive non-constant Poly: multiplicity}


# ---------------------------------------------------------------- expression -> polynomials

def root_parts(e: Pow) -> tuple[Expr, int, int] | None:
    """For ``u^(p/q)`` with a non-integer rational exponent: ``(r, k, s)`` where ``r = u^(1/q)``
    and ``u^(p/q) = u^k * r^s`` with ``0 <= s < q``; else None.

    >>> root_parts(Pow(Sym("x"), Num(Fraction(-3, 2))))
    (sqrt(x), -2, 1)
    """
    exponent = e.exp
    if type(exponent) is not Num or type(exponent.value) is not Fraction:
        return None
    p, q = exponent.value.numerator, exponent.value.denominator
    k, s = divmod(p, q)
    return power(e.base, Num(Fraction(1, q))), k, s


def generators(root: Expr) -> list[Expr]:
    """The generators of ``root``, in canonical order (``x`` before ``y``, as expressions sort).

    >>> from symdiff import parse
    >>> generators(parse("sin(x)*x + x^(3/2) + y"))
    [x, sqrt(x), y, sin(x)]
    """
    found: set[Expr] = set()
    for node in postorder(root, stop=lambda n: not is_operation(n)):
        if type(node) is Num:
            continue
        if type(node) is Pow and is_operation(node):
            parts = root_parts(node)
            if parts is not None:
                found.add(parts[0])
            continue
        if not is_operation(node):
            found.add(node)
    return sorted(found, key=lambda g: g.key)


def is_operation(e: Expr) -> bool:
    """Whether ``e`` is a polynomial operation read through (a sum, a product, a rational
    power); anything else is a generator or a number."""
    if type(e) is Add or type(e) is Mul:
        return True
    return type(e) is Pow and type(e.exp) is Num and type(e.exp.value) is not float


class Reader:
    """Reads expressions as rational functions ``(N, D)`` over fixed generators."""

    def __init__(self, gens: list[Expr]):
        self.gens = gens
        self.index = {g: i for i, g in enumerate(gens)}
        self.n = len(gens)
        self.memo: dict[Expr, tuple[Poly, Denominator]] = {}

    def read(self, root: Expr) -> tuple[Poly, Denominator]:
        """``root`` as a numerator polynomial and a denominator of bases."""
        memo = self.memo
        for node in postorder(root, stop=lambda n: n in memo or not is_operation(n)):
            if node not in memo:
                memo[node] = self._read_node(node)
        return memo[root]

    def _read_node(self, e: Expr) -> tuple[Poly, Denominator]:
        n = self.n
        if type(e) is Num:
            if isinstance(e.value, float):
                raise NoRationalForm("a decimal number")
            return Poly.constant(e.value, n), {}
        if e in self.index:
            return Poly.generator(self.index[e], n), {}
        if type(e) is Add:
            return self._sum([self.memo[t] for t in e.terms])
        if type(e) is Mul:
            numerator, denominator = Poly.constant(1, n), dict[Expr, int]()
            for f in e.factors:
                fn, fd = self.memo[f]
                numerator = _bounded(numerator * fn)
                for base, m in fd.items():
                    denominator[base] = denominator.get(base, 0) + m
            return numerator, denominator
        if type(e) is Pow:
            parts = root_parts(e)
            if parts is None:                                    # an integer power
                return self._power(self.memo[e.base], e.exp.value)  # type: ignore[attr-defined]  # an integer power: a Num exponent
            r, k, s = parts
            rn, rd = self._power(self.memo[e.base], k)
            return _bounded(rn * Poly.generator(self.index[r], n) ** s), rd
        raise NoRationalForm(f"no generator for {e}")            # not reached

    def _sum(self, parts: list[tuple[Poly, Denominator]]) -> tuple[Poly, Denominator]:
        """N1/D1 + N2/D2 + ... over the least common multiple of the bases."""
        common: Denominator = {}
        for _, d in parts:
            for base, m in d.items():
                if common.get(base, 0) < m:
                    common[base] = m
        total = Poly.zero(self.n)
        for numerator, d in parts:
            for base, m in common.items():
                missing = m - d.get(base, 0)
                if missing:
                    numerator = _bounded(numerator * _power_bounded(base, missing))
            total = _bounded(total + numerator)
        return total, common

    def _power(self, part: tuple[Poly, Denominator], exponent: int) -> tuple[Poly, Denominator]:
        numerator, denominator = part
        if exponent >= 0:
            return (_power_bounded(numerator, exponent),
                    {base: m * exponent for base, m in denominator.items()})
        if numerator.is_zero:
            raise NoRationalForm("a division by zero")
        flipped = Poly.constant(1, self.n)
        for base, m in denominator.items():
            flipped = _bounded(flipped * _power_bounded(base, m * -exponent))
        coefficient, bases = as_denominator(numerator)
        return (flipped * (Fraction(1) / coefficient ** -exponent),
                {base: m * -exponent for base, m in bases.items()})


def as_denominator(p: Poly) -> tuple[Fraction, Denominator]:
    """``p`` as ``c * (bases)``: its signed content, and its generators dividing every term
    and its primitive rest as bases.

    >>> x, y = Poly.generator(0, 2), Poly.generator(1, 2)
    >>> c, bases = as_denominator(-2*x*x*y - 4*x*y)
    >>> c, sorted((b.format(["x", "y"]), m) for b, m in bases.items())
    (-2, [('x', 1), ('x + 2', 1), ('y', 1)])
    """
    coefficient, rest = p.primitive()
    bases: Denominator = {}
    lowest = [min(e[i] for e in rest.terms) for i in range(rest.nvars)]
    if any(lowest):
        monomial = Poly({tuple(lowest): 1}, rest.nvars)
        rest = rest.divide_exact(monomial)
        for i, m in enumerate(lowest):
            if m:
                bases[Poly.generator(i, rest.nvars)] = m
    if not rest.is_constant:
        bases[rest] = bases.get(rest, 0) + 1
    return coefficient, bases


def _bounded(p: Poly) -> Poly:
    if len(p.terms) > MAX_TERMS:
        raise NoRationalForm(f"a polynomial of more than {MAX_TERMS} terms")
    if len(p.terms) > 1 and p.total_degree() > MAX_DEGREE:
        raise NoRationalForm(f"a polynomial of degree more than {MAX_DEGREE}")
    for c in p.terms.values():
        if type(c) is int and c.bit_length() > MAX_COEFFICIENT_BITS or type(c) is Fraction and \
                max(c.numerator.bit_length(), c.denominator.bit_length()) > MAX_COEFFICIENT_BITS:
            raise NoRationalForm("a coefficient too long to read")
    return p


def _power_bounded(p: Poly, exponent: int) -> Poly:
    """``p ** exponent``, refused before it is formed when it would have too many terms."""
    terms = len(p.terms)
    if terms > 1 and exponent > 1 and math.comb(exponent + terms - 1, terms - 1) > MAX_TERMS \
            and _dense_enough(p, exponent):
        raise NoRationalForm(f"a power of more than {MAX_TERMS} terms")
    return _bounded(p ** exponent)


def _dense_enough(p: Poly, exponent: int) -> bool:
    """Whether ``p ** exponent`` certainly has more than MAX_TERMS terms: a univariate-like
    bound, degree*exponent + 1, when p has one generator; the multinomial count otherwise."""
    used = sum(1 for i in range(p.nvars) if any(e[i] for e in p.terms))
    if used == 1:
        return p.total_degree() * exponent + 1 > MAX_TERMS
    return True


# ---------------------------------------------------------------- cancellation

def cancel_bases(numerator: Poly, denominator: Denominator) -> tuple[Poly, Denominator]:
    """Divide out what the numerator and the denominator's bases have in common: whole bases
    first (exact division), then greatest common divisors (splitting a base).

    >>> x = Poly.generator(0, 1)
    >>> n, d = cancel_bases(x * x - 1, {x + 1: 2})
    >>> n == x - 1, d == {x + 1: 1}
    (True, True)
    """
    denominator = dict(denominator)
    changed = True
    while changed and not numerator.is_zero:
        changed = False
        for base in list(denominator):
            quotient = numerator.divide_exact(base)
            if quotient is not None:
                numerator = quotient
                _take(denominator, base)
                changed = True
                break
            if base.total_degree() == 1:
                continue                       # irreducible: only a whole base divides
            common = gcd(numerator, base)
            if not common.is_constant:           # a gcd divides both exactly
                numerator = numerator.divide_exact(common)  # type: ignore[assignment]
                rest = base.divide_exact(common)
                _take(denominator, base)
                coefficient, rest_bases = as_denominator(rest)
                numerator = numerator * (Fraction(1) / coefficient)
                for b, m in rest_bases.items():
                    denominator[b] = denominator.get(b, 0) + m
                changed = True
                break
    if numerator.is_zero:
        return numerator, {}
    return numerator, denominator


def _take(denominator: Denominator, base: Poly) -> None:
    if denominator[base] == 1:
        del denominator[base]
    else:
        denominator[base] -= 1


# ---------------------------------------------------------------- polynomials -> expressions

def poly_expr(p: Poly, gens: list[Expr]) -> Expr:
    """The polynomial written out as a sum of terms.

    >>> poly_expr(Poly.generator(0, 1) * 2 + 1, [Sym("x")])
    2*x + 1
    """
    return add(*[mul(Num(c), *[power(gens[i], Num(k)) for i, k in enumerate(e) if k])
                 for e, c in p.terms.items()])


@functools.lru_cache(maxsize=1024)
def _factor(p: Poly) -> tuple:
    """:func:`symdiff.poly.factor`, remembered: the same bases recur in every partial of a
    gradient and every entry of a Hessian."""
    content, factors = factor_poly(p)
    return content, tuple(factors)


def factored_expr(p: Poly, gens: list[Expr]) -> Expr:
    """The polynomial as its content times its factors (see :func:`symdiff.poly.factor`)."""
    content, factors = _factor(p)
    return mul(Num(content), *[power(poly_expr(f, gens), Num(m)) for f, m in factors])


def write(numerator: Poly, denominator: Denominator, gens: list[Expr], *,
          factored: bool = False, one_denominator: bool = False,
          common_apart: bool = False) -> Expr:
    """``N / D`` as one fraction: the numerator expanded, or factored, or (``common_apart``)
    expanded after what divides every term; the denominator's bases as they are, or factored,
    or (``one_denominator``) multiplied out into one polynomial.

    Signs go where they read best: into a sum that then begins with a positive term
    (``(1 - x)/x^2``, ``1/(1 - x^2)``, never ``-(x - 1)/x^2``), and a base that is the negative
    of a root's radicand takes the radicand's sign, so that the two merge
    (``sqrt(1 - x^2)/(1 - x^2)`` is ``1/sqrt(1 - x^2)``).
    """
    if numerator.is_zero:
        return Num(0)
    coefficient, top = numerator.primitive()
    if one_denominator and len(denominator) > 1:
        product = Poly.constant(1, numerator.nvars)
        for base, m in denominator.items():
            product = _bounded(product * _power_bounded(base, m))
        denominator = {product: 1}
    radicands = {g.base for g in gens if type(g) is Pow}
    bases = []
    for base, m in denominator.items():
        if radicands and poly_expr(-base, gens) in radicands:
            base, coefficient = -base, coefficient * (-1) ** m
        bases.append((base, m))
    # roots dividing every term stand apart, so that they can meet their radicands below:
    # (sqrt(u) - 2*x^2*sqrt(u))/u is (1 - 2*x^2)*sqrt(u)/u = (1 - 2*x^2)/sqrt(u)
    # (with common_apart, every generator dividing every term: 2*sin*cos*(cos^2 - sin^2))
    roots = [i for i, g in enumerate(gens) if common_apart or type(g) is Pow]
    apart = []
    if roots and len(top.terms) > 1:
        lowest = {i: min(e[i] for e in top.terms) for i in roots}
        if any(lowest.values()):
            shift = tuple(lowest.get(i, 0) for i in range(top.nvars))
            top = top.divide_exact(Poly({shift: 1}, top.nvars))
            apart = [power(gens[i], Num(k)) for i, k in lowest.items() if k]
    show = factored_expr if factored else poly_expr
    written_top = None
    if coefficient < 0 and factored:
        # the sign into a factor of mixed signs: -x*(x - 1) is x*(1 - x)
        content, factors = _factor(top)
        flip = next((k for k, (f, m) in enumerate(factors) if m % 2 and _mixed_signs(f)), None)
        if flip is not None:
            coefficient = -coefficient * content
            written_top = mul(*[power(poly_expr(-f if k == flip else f, gens), Num(m))
                                for k, (f, m) in enumerate(factors)])
    if coefficient < 0 and written_top is None:
        if not factored and _mixed_signs(top):
            coefficient, top = -coefficient, -top
        elif len(bases) == 1 and bases[0][1] % 2 and _mixed_signs(bases[0][0]) \
                and poly_expr(bases[0][0], gens) not in radicands:
            coefficient, bases = -coefficient, [(-bases[0][0], bases[0][1])]
    # a base that is a radicand stays whole, to merge with its root
    return mul(Num(coefficient), show(top, gens) if written_top is None else written_top, *apart,
               *[power(poly_expr(base, gens) if poly_expr(base, gens) in radicands
                       else show(base, gens), Num(-m)) for base, m in bases])


def _mixed_signs(p: Poly) -> bool:
    """Whether the polynomial has terms of both signs (its negative has a positive term)."""
    return len(p.terms) > 1 and any(c < 0 for c in p.terms.values())


# ---------------------------------------------------------------- the normal forms
# Each is built by the canonical constructors only; symdiff.simplify runs the rule pass over
# it (x^2/x -> x) and offers it in the public API.  None when e has no rational form.

def rational(e: Expr) -> tuple[Poly, Denominator, list[Expr]]:
    """``e`` read as ``(N, D, generators)``, with square roots taken out of the denominator
    (see :func:`rationalize`); raises :class:`NoRationalForm`."""
    gens = generators(e)
    reader = Reader(gens)
    numerator, denominator = reader.read(e)
    return (*rationalize(numerator, denominator, gens, reader), gens)


def rationalize(numerator: Poly, denominator: Denominator, gens: list[Expr],
                reader: Reader) -> tuple[Poly, Denominator]:
    """Square roots r = sqrt(u) of polynomials u made to obey r^2 = u, and each base linear
    in a root, a + b*r, multiplied away by its conjugate: (a + b*r)(a - b*r) = a^2 - b^2*u.
    So 1/(x + sqrt(x^2 + 1)) is sqrt(x^2 + 1) - x, and cancellations through r^2 = u are seen.

    >>> from symdiff import parse
    >>> x, r = Poly.generator(0, 2), Poly.generator(1, 2)
    >>> gens = [Sym("x"), power(parse("x^2 + 1"), Num(Fraction(1, 2)))]
    >>> n, d = rationalize(Poly.constant(1, 2), {x + r: 1}, gens, Reader(gens))
    >>> n == r - x, d
    (True, {})
    """
    squares = {}                                   # generator index -> its radicand, r^2 = u
    for index, g in enumerate(gens):
        if type(g) is Pow and g.exp is HALF:
            u, below = reader.read(g.base)
            if not below:
                squares[index] = u
    if not squares:
        return numerator, denominator
    numerator = _reduce_roots(numerator, squares)
    rational_part: Denominator = {}
    for base, m in denominator.items():
        i = next((i for i in squares if base.degree(i) == 1), None)
        if i is None:
            rational_part[base] = rational_part.get(base, 0) + m
            continue
        linear = {e: c for e, c in base.terms.items() if e[i]}
        b = Poly({e[:i] + (0,) + e[i + 1:]: c for e, c in linear.items()}, base.nvars)
        a = base - Poly(linear, base.nvars)
        conjugate = a - b * Poly.generator(i, base.nvars)
        norm = _reduce_roots(_bounded(base * conjugate), squares)
        if norm.is_zero:
            rational_part[base] = rational_part.get(base, 0) + m
            continue
        numerator = _reduce_roots(_bounded(numerator * _power_bounded(conjugate, m)), squares)
        coefficient, bases = as_denominator(norm)
        numerator = numerator * (Fraction(1) / coefficient ** m)
        for b_, k in bases.items():
            rational_part[b_] = rational_part.get(b_, 0) + k * m
    return numerator, rational_part


def _reduce_roots(p: Poly, squares: dict) -> Poly:
    """p with every r^k (k >= 2) of a square root r = sqrt(u) written r^(k mod 2) * u^(k div 2)."""
    if not any(e[i] >= 2 for e in p.terms for i in squares):
        return p
    result = Poly.zero(p.nvars)
    for e, c in p.terms.items():
        term = Poly({tuple(k % 2 if i in squares else k for i, k in enumerate(e)): c}, p.nvars)
        for i, u in squares.items():
            if e[i] >= 2:
                term = term * _power_bounded(u, e[i] // 2)
        result = _bounded(result + term)
    return result


def together(e: Expr, *, cancelled: bool = False, factored: bool = False,
             one_denominator: bool = False) -> Expr | None:
    """One fraction over the least common multiple of the denominators (numerator expanded);
    with ``cancelled``, common factors divided out; with ``factored``, numerator and
    denominator factored too.

    >>> from symdiff import parse
    >>> together(parse("1/(x + 1) + 1/(x - 1)"))
    2*x/((x - 1)*(x + 1))
    >>> together(parse("(x^2 - 1)/(x + 1)"), cancelled=True)
    x - 1
    """
    try:
        numerator, denominator, gens = rational(e)
        if cancelled or factored:
            numerator, denominator = cancel_bases(numerator, denominator)
        return write(numerator, denominator, gens, factored=factored,
                     one_denominator=one_denominator)
    except NoRationalForm:
        return None


def expand(e: Expr) -> Expr | None:
    """Products and integer powers of sums multiplied out, term by term; each term keeps its
    own denominator (expanded too), as SymPy's ``expand`` does.

    >>> from symdiff import parse
    >>> expand(parse("(x + 1)^2 - 1"))
    x^2 + 2*x
    """
    terms = e.terms if type(e) is Add else (e,)
    try:
        gens = generators(e)
        reader = Reader(gens)
        expanded = []
        for term in terms:
            numerator, denominator = reader.read(term)
            below = [power(poly_expr(base, gens), Num(-m)) for base, m in denominator.items()]
            expanded += [mul(poly_expr(Poly({exponents: c}, numerator.nvars), gens), *below)
                         for exponents, c in numerator.terms.items()]
    except NoRationalForm:
        return None
    return add(*expanded)


def collect(expanded: Expr, x: Expr) -> Expr:
    """An expanded sum grouped by powers of ``x``: ``sum of x^k * (coefficient)``.

    >>> from symdiff import parse
    >>> collect(parse("x*y + x*z + y"), Sym("x"))
    y + x*(y + z)
    """
    groups: dict[Expr, list[Expr]] = {}
    for term in (expanded.terms if type(expanded) is Add else (expanded,)):
        factors = term.factors if type(term) is Mul else (term,)
        degree = [f for f in factors if f is x or (type(f) is Pow and f.base is x)]
        rest = [f for f in factors if f not in degree]
        groups.setdefault(mul(*degree), []).append(mul(*rest))
    return add(*[mul(key, add(*parts)) for key, parts in groups.items()])
