"""Sparse multivariate polynomials over the rationals: arithmetic, gcd, cancel, square-free
decomposition and a partial factorisation.

A polynomial in ``n`` generators g0 .. g(n-1) is a dict from exponent tuples (length n) to
non-zero coefficients, each an ``int`` or a ``Fraction`` that is not an integer::

    3*g0^2*g1 - 1/2    <->    Poly({(2, 1): 3, (0, 0): Fraction(-1, 2)}, 2)

The generators are indices and nothing more: what they stand for (variables, opaque
subterms) is the business of the module that converts expressions to and from polynomials.
Integer coefficients stay ``int``, so the common case (a few terms, small degrees, integer
coefficients) never pays for ``Fraction`` arithmetic.

Normal forms.  The *primitive part* of a non-zero polynomial is the associate with integer,
coprime coefficients and a positive leading coefficient, "leading" meaning the largest
exponent tuple in lexicographic order.  Every gcd and every factor returned is primitive, so
results are unique and compare with ``==``.

Algorithms, all exact and all bounded (t = number of terms, d = degree):

- arithmetic: schoolbook on dicts, O(t1 * t2) for a product; powers by repeated squaring.
- exact division: division in lex order, abandoned as soon as a quotient term leaves the
  box of degrees a true quotient must lie in; O(t_quotient * (t_divisor + t_remainder)).
- gcd: split off the monomial content; a generator in one argument only cannot occur in
  the gcd, which is then the gcd of the other argument and the coefficients in that
  generator.  What is left is proved quickly in the common case: the degrees of the gcd are
  bounded by specialising all generators but one, and a common divisor meeting the bounds
  is the gcd (1 when all bounds are 0; else one argument, or the heuristic GCDHEU of Char,
  Geddes and Gonnet, checked by division).  Otherwise, a recursive primitive PRS (Collins,
  Brown) in one generator over the polynomials in the others, with a dense univariate PRS at
  the bottom.  Every recursive call has fewer generators and every PRS step lowers the
  degree, so it terminates; a few dozen microseconds for small inputs, but exponential in
  the number of generators and prone to coefficient growth in the worst case.
- square-free: Yun's algorithm in one generator; the content in that generator (a polynomial
  in the others) is decomposed recursively.
- factor: numeric content, monomial content, square-free decomposition, splitting by the
  content in each generator, and linear factors by the rational root theorem of factors in
  one generator or homogeneous in two.  It is not a complete factorisation: ``x^4 + 4`` and
  ``(x + y + 1)*(x - y)`` come back whole.

>>> x, y = Poly.generator(0, 2), Poly.generator(1, 2)
>>> print(gcd(x**2 - y**2, x**2 + 2*x*y + y**2))
g0 + g1
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from operator import add, sub

Number = int | Fraction

# Rational roots are searched for only when the leading and the constant coefficient are at
# most this large (their divisors are found by trial division, about sqrt(10^12) = 10^6 steps
# at worst) and when there are at most MAX_ROOT_CANDIDATES pairs of divisors to try.
ROOT_SEARCH_LIMIT = 10**12
MAX_ROOT_CANDIDATES = 10_000


# ---------------------------------------------------------------- numbers

def _normalise(c):
    """A Fraction that is an integer becomes that int."""
    if type(c) is Fraction and c.denominator == 1:
        return c.numerator
    return c


def _number(c) -> Number:
    """An int or Fraction coefficient from outside (bools and int subclasses become int)."""
    if type(c) is int:
        return c
    if isinstance(c, int):
        return int(c)
    if isinstance(c, Fraction):
        return _normalise(Fraction(c))
    raise TypeError(f"polynomial coefficients are int or Fraction, not {type(c).__name__}")


def _quotient(a, b):
    """a / b exactly, an int when it is one."""
    if type(a) is int and type(b) is int:
        q, r = divmod(a, b)
        return q if r == 0 else Fraction(a, b)
    return _normalise(Fraction(a, b))


# ---------------------------------------------------------------- term dicts
# The algorithms below work on bare term dicts (the ``terms`` of a Poly); a Poly is built only
# for the caller.  None of them mutates its arguments.

def _add_terms(a: dict, b: dict) -> dict:
    if len(a) < len(b):
        a, b = b, a
    out = dict(a)
    for e, c in b.items():
        v = out.get(e, 0) + c
        if v:
            out[e] = _normalise(v)
        else:
            del out[e]                  # v == 0 only where a had the opposite term
    return out


def _sub_terms(a: dict, b: dict) -> dict:
    out = dict(a)
    for e, c in b.items():
        v = out.get(e, 0) - c
        if v:
            out[e] = _normalise(v)
        else:
            del out[e]
    return out


def _neg_terms(a: dict) -> dict:
    return {e: -c for e, c in a.items()}


def _scale_terms(a: dict, c) -> dict:
    if not c:
        return {}
    if c == 1:
        return a
    return {e: _normalise(v * c) for e, v in a.items()}


def _mul_terms(a: dict, b: dict) -> dict:
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 1:                     # a monomial times b: no two products collide
        for ea, ca in a.items():
            return {tuple(map(add, ea, eb)): _normalise(ca * cb) for eb, cb in b.items()}
        return {}
    out: dict = {}
    for ea, ca in a.items():
        for eb, cb in b.items():
            e = tuple(map(add, ea, eb))
            out[e] = out.get(e, 0) + ca * cb
    return {e: _normalise(c) for e, c in out.items() if c}


def _pow_terms(a: dict, n: int, nvars: int) -> dict:
    if n == 0:
        return {(0,) * nvars: 1}
    if len(a) == 1:
        for e, c in a.items():
            return {tuple(k * n for k in e): c ** n}
    result = None
    base = a
    while True:                         # repeated squaring: n halves each round
        if n & 1:
            result = base if result is None else _mul_terms(result, base)
        n >>= 1
        if not n:
            return result  # type: ignore[return-value]  # n >= 1: a round has set it
        base = _mul_terms(base, base)


def _degrees(a: dict) -> list:
    """The degree in each generator (a must not be empty)."""
    return [max(column) for column in zip(*a)]


def _min_exponents(a: dict) -> tuple:
    """The exponents of the largest monomial dividing every term (a must not be empty)."""
    return tuple([min(column) for column in zip(*a)])


def _total_degree(a: dict) -> int:
    return max([sum(e) for e in a]) if a else -1


def _is_constant(a: dict) -> bool:
    if not a:
        return True
    if len(a) > 1:
        return False
    for e in a:
        return not any(e)
    return True


def _derivative_terms(a: dict, k: int) -> dict:
    out = {}
    for e, c in a.items():
        d = e[k]
        if d:
            out[e[:k] + (d - 1,) + e[k + 1:]] = c * d
    return out


def _shift_down(a: dict, m: tuple) -> dict:
    """a / g^m for a monomial g^m that divides every term."""
    return {tuple(map(sub, e, m)): c for e, c in a.items()}


def _shift_up(a: dict, m: tuple) -> dict:
    """a * g^m."""
    return {tuple(map(add, e, m)): c for e, c in a.items()}


def _coefficients_in(a: dict, k: int) -> dict:
    """a as a polynomial in g_k: {degree: coefficient}, each coefficient free of g_k."""
    parts: dict = {}
    for e, c in a.items():
        d = e[k]
        rest = e[:k] + (0,) + e[k + 1:] if d else e
        part = parts.get(d)
        if part is None:
            parts[d] = {rest: c}
        else:
            part[rest] = c
    return parts


def _join(parts: dict, k: int) -> dict:
    """The inverse of _coefficients_in."""
    out = {}
    for d, part in parts.items():
        for e, c in part.items():
            out[e[:k] + (d,) + e[k + 1:] if d else e] = c
    return out


def _primitive_terms(a: dict) -> tuple:
    """(c, a/c) with a/c integer, coprime and positive-leading (lex); (0, {}) for zero."""
    if not a:
        return 0, a
    coefficients = list(a.values())
    if all([type(c) is int for c in coefficients]):
        content = math.gcd(*coefficients)
    else:
        content = _normalise(Fraction(math.gcd(*[Fraction(c).numerator for c in coefficients]),
                                      math.lcm(*[Fraction(c).denominator for c in coefficients])))
    if a[max(a)] < 0:
        content = -content
    if content == 1:
        return 1, a
    if type(content) is int:
        return content, {e: c // content for e, c in a.items()}
    return content, {e: _normalise(c / content) for e, c in a.items()}


def _divide_terms(a: dict, b: dict):
    """The exact quotient a / b over Q, or None if b does not divide a.

    Division in lex order: the leading term of the remainder must be the leading term of b
    times a new quotient term.  Over an integral domain deg(a/b) = deg(a) - deg(b) in every
    generator, so a quotient term outside those bounds proves b does not divide a.  The
    quotient terms are distinct and lie in that finite box, so this ends.
    """
    if not b:
        raise ZeroDivisionError("polynomial division by zero")
    if not a:
        return {}
    if len(b) == 1:
        for eb, cb in b.items():
            out = {}
            for e, c in a.items():
                d = tuple(map(sub, e, eb))
                if d and min(d) < 0:
                    return None
                out[d] = _quotient(c, cb)
            return out
    bounds = [da - db for da, db in zip(map(max, zip(*a)), map(max, zip(*b)))]
    if min(bounds) < 0:
        return None
    lead = max(b)
    lead_coefficient = b[lead]
    rest = [(e, c) for e, c in b.items() if e != lead]
    remainder = dict(a)
    quotient = {}
    while remainder:
        top = max(remainder)
        step = tuple(map(sub, top, lead))
        for s, m in zip(step, bounds):
            if s < 0 or s > m:
                return None
        coefficient = _quotient(remainder.pop(top), lead_coefficient)
        quotient[step] = coefficient
        for e, c in rest:
            e = tuple(map(add, e, step))
            v = remainder.get(e, 0) - coefficient * c
            if v:
                remainder[e] = _normalise(v)
            else:
                del remainder[e]
    return quotient


def _exact(a: dict, b: dict) -> dict:
    """a / b where b is known to divide a."""
    q = _divide_terms(a, b)
    if q is None:                                   # pragma: no cover - a bug, not an input
        raise ArithmeticError("internal error: a divisor that should be exact is not")
    return q


# ---------------------------------------------------------------- the Poly class

class Poly:
    """A sparse polynomial with rational coefficients in ``nvars`` generators g0, g1, ...

    ``terms`` maps exponent tuples to non-zero int or Fraction coefficients (a Fraction never
    has denominator 1).  The constructor trusts its input; :meth:`from_terms` normalises.
    Polynomials are immutable by convention: never change ``terms``.

    >>> x, y = Poly.generator(0, 2), Poly.generator(1, 2)
    >>> p = (x + 2*y)**2 - Fraction(1, 2)
    >>> print(p)
    g0^2 + 4*g0*g1 + 4*g1^2 - 1/2
    >>> p.degree(1), p.total_degree(), p.leading_term()
    (2, 2, ((2, 0), 1))
    >>> print(p.derivative(1))
    4*g0 + 8*g1
    >>> p.evaluate((1, 1))
    Fraction(17, 2)
    """

    __slots__ = ("terms", "nvars")

    def __init__(self, terms: dict, nvars: int):
        self.terms = terms
        self.nvars = nvars

    # ----- constructors -----
    @classmethod
    def from_terms(cls, terms: dict, nvars: int) -> Poly:
        """A polynomial from any dict of exponent tuples to numbers: zeros are dropped, integral
        Fractions become ints, repeated exponents are impossible (it is a dict).

        >>> Poly.from_terms({(1,): Fraction(4, 2), (0,): 0}, 1).terms
        {(1,): 2}
        """
        out = {}
        for e, c in terms.items():
            e = tuple([int(k) for k in e])
            if len(e) != nvars or (e and min(e) < 0):
                raise ValueError(f"exponent {e} is not a tuple of {nvars} non-negative ints")
            c = _number(c)
            if c:
                out[e] = c
        return cls(out, nvars)

    @classmethod
    def constant(cls, c: Number, nvars: int) -> Poly:
        """The constant polynomial c."""
        c = _number(c)
        return cls({(0,) * nvars: c} if c else {}, nvars)

    @classmethod
    def generator(cls, i: int, nvars: int) -> Poly:
        """The polynomial g_i.

        >>> Poly.generator(1, 3).terms
        {(0, 1, 0): 1}
        """
        if not 0 <= i < nvars:
            raise ValueError(f"generator {i} out of range for {nvars} generators")
        return cls({(0,) * i + (1,) + (0,) * (nvars - i - 1): 1}, nvars)

    @classmethod
    def zero(cls, nvars: int) -> Poly:
        return cls({}, nvars)

    # ----- inspection -----
    @property
    def is_zero(self) -> bool:
        return not self.terms

    @property
    def is_constant(self) -> bool:
        """True for constants, zero included."""
        return _is_constant(self.terms)

    def constant_value(self) -> Number:
        """The constant term (0 if there is none)."""
        return self.terms.get((0,) * self.nvars, 0)

    def degree(self, i: int) -> int:
        """The degree in generator i; -1 for the zero polynomial."""
        return max([e[i] for e in self.terms]) if self.terms else -1

    def total_degree(self) -> int:
        """The largest sum of exponents of a term; -1 for the zero polynomial."""
        return _total_degree(self.terms)

    def leading_term(self) -> tuple:
        """(exponents, coefficient) of the lexicographically largest term; ValueError for zero."""
        if not self.terms:
            raise ValueError("the zero polynomial has no leading term")
        e = max(self.terms)
        return e, self.terms[e]

    def content(self) -> Number:
        """The positive rational c for which p/c has coprime integer coefficients (0 for zero).

        >>> (Fraction(-3, 2) * Poly.generator(0, 1) + 6).content()
        Fraction(3, 2)
        """
        return abs(_primitive_terms(self.terms)[0])

    def primitive(self) -> tuple:
        """(c, q) with p == c*q, q the primitive part: coprime integer coefficients and a positive
        leading coefficient (lex).  (0, zero) for zero.

        >>> c, q = (-2 * Poly.generator(0, 1) + 4).primitive()
        >>> c, str(q)
        (-2, 'g0 - 2')
        """
        c, terms = _primitive_terms(self.terms)
        return c, Poly(terms, self.nvars)

    def derivative(self, i: int) -> Poly:
        """The partial derivative with respect to generator i."""
        return Poly(_derivative_terms(self.terms, i), self.nvars)

    def divide_exact(self, q) -> Poly | None:
        """The quotient p/q over the rationals if q divides p, else None.  ZeroDivisionError
        for q = 0.

        >>> x, y = Poly.generator(0, 2), Poly.generator(1, 2)
        >>> print((x**2 - y**2).divide_exact(x + y))
        g0 - g1
        >>> print((x**2 + y**2).divide_exact(x + y))
        None
        """
        divisor = self._coerce(q)
        if divisor is NotImplemented:
            raise TypeError(f"cannot divide a polynomial by {type(q).__name__}")
        quotient = _divide_terms(self.terms, divisor.terms)
        return None if quotient is None else Poly(quotient, self.nvars)

    def evaluate(self, point: tuple):
        """The value at a point (one number per generator); exact for ints and Fractions.

        >>> (Poly.generator(0, 2) * Poly.generator(1, 2) + 1).evaluate((2, Fraction(1, 3)))
        Fraction(5, 3)
        """
        if len(point) != self.nvars:
            raise ValueError(f"a point needs {self.nvars} coordinates, not {len(point)}")
        total = 0
        for e, c in self.terms.items():
            for v, k in zip(point, e):
                if k:
                    c = c * v ** k
            total = total + c
        return _normalise(total)

    def format(self, names=None) -> str:
        """The polynomial as text, terms in descending lex order, generators named ``names``
        (default g0, g1, ...).

        >>> (Poly.generator(0, 2) ** 2 - 3 * Poly.generator(1, 2)).format(["x", "y"])
        'x^2 - 3*y'
        """
        if names is None:
            names = [f"g{i}" for i in range(self.nvars)]
        if not self.terms:
            return "0"
        text = ""
        for e in sorted(self.terms, reverse=True):
            c = self.terms[e]
            factors = "*".join([name if k == 1 else f"{name}^{k}"
                                for name, k in zip(names, e) if k])
            magnitude = abs(c)
            if not factors:
                body = str(magnitude)
            elif magnitude == 1:
                body = factors
            else:
                body = f"{magnitude}*{factors}"
            if not text:
                text = "-" + body if c < 0 else body
            else:
                text += (" - " if c < 0 else " + ") + body
        return text

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"Poly({self.format()}, nvars={self.nvars})"

    # ----- equality -----
    def __eq__(self, other):
        if type(other) is Poly:
            return self.nvars == other.nvars and self.terms == other.terms
        return NotImplemented

    def __hash__(self):
        return hash((self.nvars, frozenset(self.terms.items())))

    def __bool__(self):
        return bool(self.terms)

    # ----- arithmetic -----
    def _coerce(self, other):
        """other as a Poly in the same generators, or NotImplemented."""
        if type(other) is Poly:
            if other.nvars != self.nvars:
                raise ValueError(f"polynomials in {self.nvars} and {other.nvars} generators "
                                 f"do not mix")
            return other
        if isinstance(other, (int, Fraction)):
            return Poly.constant(other, self.nvars)
        return NotImplemented

    def _combined(self, other, combine: Callable[[dict, dict], dict]):
        """Poly(combine(self's terms, other's terms)), or NotImplemented for an operand
        that is neither a polynomial nor a number."""
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        return Poly(combine(self.terms, other.terms), self.nvars)

    def __add__(self, other):
        return self._combined(other, _add_terms)

    __radd__ = __add__

    def __sub__(self, other):
        return self._combined(other, _sub_terms)

    def __rsub__(self, other):
        return self._combined(other, lambda mine, theirs: _sub_terms(theirs, mine))

    def __neg__(self):
        return Poly(_neg_terms(self.terms), self.nvars)

    def __pos__(self):
        return self

    def __mul__(self, other):
        if type(other) is not Poly and isinstance(other, (int, Fraction)):
            return Poly(_scale_terms(self.terms, _number(other)), self.nvars)
        return self._combined(other, _mul_terms)

    __rmul__ = __mul__

    def __truediv__(self, other):
        """Division by a non-zero number only (for polynomials see :meth:`divide_exact`)."""
        if type(other) is Poly or not isinstance(other, (int, Fraction)):
            return NotImplemented
        if not other:
            raise ZeroDivisionError("polynomial division by zero")
        return Poly(_scale_terms(self.terms, Fraction(1, 1) / _number(other)), self.nvars)

    def __pow__(self, n):
        if not isinstance(n, int) or isinstance(n, bool):
            return NotImplemented
        if n < 0:
            raise ValueError("polynomials have non-negative integer powers only")
        return Poly(_pow_terms(self.terms, n, self.nvars), self.nvars)


def _same_generators(p: Poly, q: Poly) -> int:
    if p.nvars != q.nvars:
        raise ValueError(f"polynomials in {p.nvars} and {q.nvars} generators do not mix")
    return p.nvars


# ---------------------------------------------------------------- gcd

def gcd(p: Poly, q: Poly) -> Poly:
    """The greatest common divisor, primitive with a positive leading coefficient (lex).

    gcd(0, q) is the primitive part of q, and gcd(0, 0) is zero.

    >>> x, y = Poly.generator(0, 2), Poly.generator(1, 2)
    >>> print(gcd(6*x**2*y + 6*x*y**2, 4*x*y**2 + 4*y**3))
    g0*g1 + g1^2
    >>> print(gcd(x + 1, y - 1))
    1
    """
    return Poly(_gcd_terms(p.terms, q.terms), _same_generators(p, q))


def _is_one(a: dict) -> bool:
    """True for the constant 1 (a primitive constant is always 1)."""
    if len(a) != 1:
        return False
    for e, c in a.items():
        return c == 1 and not any(e)
    return False


def _gcd_terms(a: dict, b: dict) -> dict:
    """The gcd of two term dicts, normalised as :func:`gcd` says."""
    if not a:
        return _primitive_terms(b)[1]
    if not b:
        return _primitive_terms(a)[1]
    a = _primitive_terms(a)[1]
    b = _primitive_terms(b)[1]
    if a == b:
        return a
    # g^m divides both exactly when m is at most the monomial content of each
    ma, mb = _min_exponents(a), _min_exponents(b)
    m = tuple(map(min, ma, mb))
    if len(a) == 1 or len(b) == 1:               # a monomial's divisors are monomials
        return {m: 1}
    if any(ma):
        a = _shift_down(a, ma)
    if any(mb):
        b = _shift_down(b, mb)
    g = _gcd_stripped(a, b)
    return _shift_up(g, m) if any(m) else g


def _gcd_of(polys: list) -> dict:
    """The gcd of several non-zero polynomials, smallest first, stopping at 1."""
    polys = sorted(polys, key=len)
    g = _primitive_terms(polys[0])[1]
    for p in polys[1:]:
        if _is_one(g):
            break
        g = _gcd_terms(g, p)
    return g


def _content_in(a: dict, k: int) -> dict:
    """The content of a as a polynomial in g_k: the gcd of its coefficients, free of g_k."""
    return _gcd_of(list(_coefficients_in(a, k).values()))


def _gcd_stripped(a: dict, b: dict) -> dict:
    """gcd of primitive polynomials of two or more terms each, without monomial content."""
    da, db = _degrees(a), _degrees(b)
    for k in range(len(da)):
        # a generator in one argument only is absent from the gcd:
        # gcd(a, b) = gcd(b, the coefficients of a in that generator)
        if da[k] and not db[k]:
            return _gcd_of([b] + list(_coefficients_in(a, k).values()))
        if db[k] and not da[k]:
            return _gcd_of([a] + list(_coefficients_in(b, k).values()))
    shared = [k for k in range(len(da)) if da[k]]
    if len(shared) == 1:
        return _gcd_univariate(a, b, shared[0])
    g = _gcd_certified(a, b, shared)
    if g is not None:
        return g
    main = shared[0]                             # the generator of least degree leads the PRS
    for k in shared:
        if min(da[k], db[k]) < min(da[main], db[main]):
            main = k
    return _gcd_recursive(a, b, main)


def _gcd_recursive(a: dict, b: dict, k: int) -> dict:
    """gcd = gcd(contents in g_k) * gcd(primitive parts in g_k), the latter by primitive PRS."""
    ca, cb = _content_in(a, k), _content_in(b, k)
    if not _is_one(ca):
        a = _exact(a, ca)
    if not _is_one(cb):
        b = _exact(b, cb)
    content = _gcd_terms(ca, cb)
    g = _prs_gcd(a, b, k)
    return g if _is_one(content) else _mul_terms(content, g)


# Points at which generators are specialised to bound the degrees of a gcd: any will do (an
# unlucky one only costs another try, or leaves the work to the PRS); fixed ones keep results
# and timings reproducible.  Point j gives generator i the value SPECIALISATION_VALUES[i + j].
SPECIALISATION_VALUES = (3, -2, 5, -7, 11, 2, -3, 13, -5, 7, 17, -11)
SPECIALISATION_ATTEMPTS = 4
HEURISTIC_ATTEMPTS = 6


def _gcd_certified(a: dict, b: dict, shared: list):
    """gcd of primitive a and b in the generators ``shared`` when a quick proof is at hand,
    else None.

    The proof.  Specialise every generator but g_k to numbers where neither leading coefficient
    in g_k vanishes: the gcd G specialises to a common divisor of the same degree, so
    deg_k(G) <= d_k, the degree of the univariate gcd there.  A common divisor D of a and b
    with deg_k(D) = d_k for every k is then G: D divides G, and G/D has degree 0 in every
    generator.  Candidates for D: 1 (when every d_k is 0), b or a itself, then the heuristic
    gcd (GCDHEU).  About n univariate gcds and two trial divisions for n generators; an
    unlucky point (a bound above the truth) costs a few more points.
    """
    bounds = _degree_bounds(a, b, shared, 0)
    if bounds is None:
        return None
    if not any(bounds):
        return {(0,) * len(next(iter(a))): 1}
    for divisor, other in ((b, a), (a, b)):
        degrees = _degrees(divisor)
        if all([degrees[k] == d for k, d in zip(shared, bounds)]) \
                and _divide_terms(other, divisor) is not None:
            return divisor
    candidate = _heuristic_gcd(a, b)
    if candidate is None:
        return None
    candidate = _primitive_terms(candidate)[1]
    degrees = [_degrees(candidate)[k] for k in shared]
    for attempt in range(1, SPECIALISATION_ATTEMPTS):
        if degrees == bounds:
            return candidate
        more = _degree_bounds(a, b, shared, 3 * attempt)    # every bound holds: keep the least
        if more is not None:
            bounds = [min(d, e) for d, e in zip(bounds, more)]
    return candidate if degrees == bounds else None


def _degree_bounds(a: dict, b: dict, shared: list, first: int):
    """[deg_k gcd(a, b) specialised, for k in shared], each at the first of the points
    first, first + 1, first + 2 where neither leading coefficient in g_k vanishes; None if
    there is none."""
    n = len(next(iter(a)))
    da, db = _degrees(a), _degrees(b)
    bounds = []
    for k in shared:
        for j in range(first, first + 3):
            values = [SPECIALISATION_VALUES[(i + j) % len(SPECIALISATION_VALUES)] for i in range(n)]
            fa, fb = _specialise(a, k, values), _specialise(b, k, values)
            if len(fa) == da[k] + 1 and len(fb) == db[k] + 1:
                bounds.append(len(_dense_gcd(fa, fb)) - 1)
                break
        else:
            return None
    return bounds


def _specialise(a: dict, k: int, values: list) -> list:
    """a with every generator but g_k replaced by values[i]: dense in g_k, trailing zeros cut."""
    out = [0] * (max([e[k] for e in a]) + 1)
    for e, c in a.items():
        for i, m in enumerate(e):
            if m and i != k:
                c *= values[i] ** m
        out[e[k]] += c
    while out and not out[-1]:
        out.pop()
    return out


def _heuristic_gcd(a: dict, b: dict):
    """A common divisor of the non-zero integer polynomials a and b, integer content included,
    found by GCDHEU (Char, Geddes, Gonnet 1989) and checked by trial division; None if the
    heuristic fails.

    Substitute a large integer xi for one generator, take the gcd of the images (the same way,
    one generator fewer; exactly, by the PRS, once one generator is left), and read it back as
    a polynomial through its balanced base-xi digits.  Usually that is the gcd; the caller
    proves it.  At most HEURISTIC_ATTEMPTS values of xi per level: HEURISTIC_ATTEMPTS^(n-1)
    univariate gcds at worst for n generators, one for each level when all goes well.
    """
    content = math.gcd(math.gcd(*a.values()), math.gcd(*b.values()))
    occurring = [i for i, (da, db) in enumerate(zip(_degrees(a), _degrees(b))) if da or db]
    if len(occurring) <= 1:
        return _scale_terms(_gcd_terms(a, b), content)
    k = occurring[-1]
    # xi above twice the coefficients, so above every root's magnitude (Cauchy)
    xi = 2 * min(max([abs(c) for c in a.values()]), max([abs(c) for c in b.values()])) + 29
    for _attempt in range(HEURISTIC_ATTEMPTS):
        image_a, image_b = _evaluate_in(a, k, xi), _evaluate_in(b, k, xi)
        if image_a and image_b:
            h = _heuristic_gcd(image_a, image_b)
            if h is not None:
                candidate = _primitive_terms(_lift(h, k, xi))[1]
                if _divide_terms(a, candidate) is not None \
                        and _divide_terms(b, candidate) is not None:
                    return _scale_terms(candidate, content)
        xi = xi * 73794 // 27011                         # the next xi: larger, and not a multiple
    return None


def _evaluate_in(a: dict, k: int, value: int) -> dict:
    """a with g_k replaced by value."""
    out: dict = {}
    for e, c in a.items():
        m = e[k]
        if m:
            e = e[:k] + (0,) + e[k + 1:]
            c *= value ** m
        out[e] = out.get(e, 0) + c
    return {e: c for e, c in out.items() if c}


def _lift(h: dict, k: int, xi: int) -> dict:
    """The polynomial whose coefficients of g_k^i are the balanced base-xi digits of h's
    coefficients: the inverse of substituting xi for g_k, for coefficients below xi/2.
    Every round divides the magnitudes by about xi, so it ends."""
    out = {}
    half = xi // 2
    i = 0
    while h:
        rest = {}
        for e, c in h.items():
            digit = c % xi
            if digit > half:
                digit -= xi
            if digit:
                out[e[:k] + (i,) + e[k + 1:]] = digit
            carry = (c - digit) // xi
            if carry:
                rest[e] = carry
        h = rest
        i += 1
    return out


def _prs_gcd(a: dict, b: dict, k: int) -> dict:
    """The primitive PRS in g_k of a and b, both primitive in g_k: pp(a), pp(b), pp(prem(a, b)), ...

    The last non-zero member is the gcd; a member free of g_k means the gcd is 1.  Each
    pseudo-remainder has lower degree in g_k than the divisor, so there are at most deg_k(b)
    steps.
    """
    A, B = _coefficients_in(a, k), _coefficients_in(b, k)
    if max(A) < max(B):
        A, B = B, A
    while True:
        R = _pseudo_remainder(A, B)
        if not R:
            return _primitive_terms(_join(B, k))[1]
        if max(R) == 0:
            return {(0,) * len(next(iter(a))): 1}
        r = _primitive_terms(_join(R, k))[1]
        content = _content_in(r, k)
        if not _is_one(content):
            r = _exact(r, content)
        A, B = B, _coefficients_in(r, k)


def _pseudo_remainder(A: dict, B: dict) -> dict:
    """A remainder of lc(B)^j * A modulo B, both given as {degree: coefficient polynomial}.

    Each step cancels the leading term with R <- lc(B)*R - lc(R)*x^(dR-dB)*B; the power of
    lc(B) is whatever the steps need (it is a unit for the primitive part taken afterwards).
    """
    dB = max(B)
    lcB = B[dB]
    lcB_is_one = _is_one(lcB)
    R = A
    while R:
        dR = max(R)
        if dR < dB:
            break
        R = dict(R)
        lcR = R.pop(dR)
        shift = dR - dB
        if lcB_is_one:
            scaled = R
        else:
            scaled = {d: _mul_terms(lcB, part) for d, part in R.items()}
        for d, part in B.items():
            if d == dB:
                continue
            term = _mul_terms(lcR, part)
            target = d + shift
            current = scaled.get(target)
            difference = _neg_terms(term) if current is None else _sub_terms(current, term)
            if difference:
                scaled[target] = difference
            elif current is not None:
                del scaled[target]
        R = scaled
    return R


def _gcd_univariate(a: dict, b: dict, k: int) -> dict:
    """gcd of two primitive polynomials in g_k alone, by the dense primitive PRS."""
    g = _dense_gcd(_dense(a, k), _dense(b, k))
    zero = (0,) * len(next(iter(a)))
    return {zero[:k] + (i,) + zero[k + 1:]: c for i, c in enumerate(g) if c}


def _dense(a: dict, k: int) -> list:
    """The coefficients of a polynomial in g_k alone, lowest degree first."""
    out = [0] * (max([e[k] for e in a]) + 1)
    for e, c in a.items():
        out[e[k]] = c
    return out


def _dense_primitive(a: list) -> list:
    g = math.gcd(*a)
    if a[-1] < 0:
        g = -g
    return a if g == 1 else [c // g for c in a]


def _dense_pseudo_remainder(a: list, b: list) -> list:
    """A remainder of c*a modulo b for an integer c, with integer coefficients (b[-1] != 0)."""
    r = list(a)
    n = len(b)
    lb = b[-1]
    while len(r) >= n:
        lr = r[-1]
        g = math.gcd(lr, lb)
        mr, mb = lb // g, lr // g               # mr*lr == mb*lb: the leading terms cancel
        shift = len(r) - n
        if mr != 1:
            r = [c * mr for c in r]
        for i in range(n - 1):
            r[shift + i] -= mb * b[i]
        r.pop()
        while r and r[-1] == 0:
            r.pop()
    return r


def _dense_gcd(a: list, b: list) -> list:
    """gcd of non-zero integer polynomials (lists, lowest degree first), primitive and positive."""
    if len(a) < len(b):
        a, b = b, a
    while len(b) > 1:
        r = _dense_pseudo_remainder(a, b)
        if not r:
            return _dense_primitive(b)
        a, b = b, _dense_primitive(r)
    return [1]                                   # a non-zero constant remainder: coprime


# ---------------------------------------------------------------- cancel

def cancel(p: Poly, q: Poly) -> tuple:
    """(c, p2, q2) with p/q == c * p2/q2: p2 and q2 primitive and coprime, q2's leading
    coefficient positive.  ZeroDivisionError if q is zero; p = 0 gives (0, 0, 1).

    >>> x, y = Poly.generator(0, 2), Poly.generator(1, 2)
    >>> c, p2, q2 = cancel(3*x**2 - 3*y**2, 6*x + 6*y)
    >>> c, str(p2), str(q2)
    (Fraction(1, 2), 'g0 - g1', '1')
    """
    n = _same_generators(p, q)
    if not q.terms:
        raise ZeroDivisionError("cancel: the denominator is zero")
    one = {(0,) * n: 1}
    if not p.terms:
        return 0, p, Poly(one, n)
    cp, a = _primitive_terms(p.terms)
    cq, b = _primitive_terms(q.terms)
    c = _quotient(cp, cq)
    if not _is_constant(b):
        g = _gcd_terms(a, b)
        if not _is_one(g):
            a, b = _exact(a, g), _exact(b, g)
    return c, Poly(a, n), Poly(b, n)


# ---------------------------------------------------------------- square-free decomposition

def squarefree(p: Poly) -> tuple:
    """(c, [(f1, 1), (f2, 2), ...]): p == c * f1 * f2^2 * ..., each f_i primitive, non-constant,
    square-free and coprime to the others; one factor per multiplicity, in increasing order.

    >>> x, y = Poly.generator(0, 2), Poly.generator(1, 2)
    >>> c, factors = squarefree(2 * (x + 1) * (x - y)**2 * y**2)
    >>> c, [(str(f), m) for f, m in factors]
    (2, [('g0 + 1', 1), ('g0*g1 - g1^2', 2)])
    """
    n = p.nvars
    c, f = _primitive_terms(p.terms)
    by_multiplicity: dict = {}
    if not _is_constant(f):
        for part, m in _squarefree_parts(f):
            previous = by_multiplicity.get(m)
            by_multiplicity[m] = part if previous is None else _mul_terms(previous, part)
    return c, [(Poly(by_multiplicity[m], n), m) for m in sorted(by_multiplicity)]


def _squarefree_parts(f: dict) -> list:
    """Square-free parts of a primitive non-constant f: [(part, multiplicity)], parts primitive,
    non-constant, square-free, pairwise coprime, and f == prod(part^multiplicity) exactly.
    A multiplicity may appear more than once (the parts are not merged)."""
    n = len(next(iter(f)))
    parts = []
    m = _min_exponents(f)
    for i in range(n):
        if m[i]:
            parts.append(({(0,) * i + (1,) + (0,) * (n - i - 1): 1}, m[i]))
    if any(m):
        f = _shift_down(f, m)
    if _is_constant(f):
        return parts
    degrees = _degrees(f)
    k = min([i for i in range(n) if degrees[i]], key=lambda i: degrees[i])
    content = _content_in(f, k)                 # free of g_k: decomposed recursively
    if not _is_one(content):
        parts.extend(_squarefree_parts(content))
        f = _exact(f, content)
    parts.extend(_yun(f, k, degrees[k]))
    return parts


def _yun(f: dict, k: int, degree: int) -> list:
    """Yun's algorithm in g_k for f primitive in g_k (so every factor of f involves g_k).

    With f = prod a_i^i:  b1 = f/gcd(f, f'),  d_i = c_i - b_i',  a_i = gcd(b_i, d_i),
    b_(i+1) = b_i/a_i,  c_(i+1) = d_i/a_i.  b_i is the product of the factors of multiplicity
    at least i, so after at most deg_k(f) rounds it is 1.
    """
    df = _derivative_terms(f, k)
    a0 = _gcd_terms(f, df)
    b, c = _exact(f, a0), _exact(df, a0)
    d = _sub_terms(c, _derivative_terms(b, k))
    parts = []
    for i in range(1, degree + 1):
        if _is_constant(b):
            break
        a = _gcd_terms(b, d)
        if not _is_one(a):
            parts.append((a, i))
            b, d = _exact(b, a), _exact(d, a)
        d = _sub_terms(d, _derivative_terms(b, k))
    return parts


# ---------------------------------------------------------------- factor

def factor(p: Poly) -> tuple:
    """(c, [(f, multiplicity), ...]) with p == c * prod(f^multiplicity), every f primitive and
    non-constant, distinct factors coprime.

    Found: the numeric content, the monomial content (g_i as factors), the square-free
    decomposition, factors free of one generator (by the content in each generator), and
    linear factors from rational roots, of factors in one generator or homogeneous in two
    (skipped when the leading or constant coefficient exceeds ROOT_SEARCH_LIMIT).  Other
    factors may remain composite.  Factors come sorted by total degree, then by their terms
    in descending lex order, exponents compared negated (so g0 + 1 before g1), then
    coefficients ascending (g0 - 1 before g0 + 1).

    >>> x, y = Poly.generator(0, 2), Poly.generator(1, 2)
    >>> c, factors = factor(-2*x**3*y + 2*x*y)
    >>> c, [(str(f), m) for f, m in factors]
    (-2, [('g0', 1), ('g0 - 1', 1), ('g0 + 1', 1), ('g1', 1)])
    """
    n = p.nvars
    c, f = _primitive_terms(p.terms)
    found: dict = {}
    if not _is_constant(f):
        for part, m in _squarefree_parts(f):
            for piece in _split_by_contents(part):
                for irreducible_or_not in _split_rational_roots(piece):
                    key = Poly(irreducible_or_not, n)
                    found[key] = found.get(key, 0) + m
    return c, sorted(found.items(), key=lambda item: _factor_order(item[0].terms))


def _factor_order(a: dict) -> tuple:
    """Sort key: total degree, then the terms in descending lex order with exponents negated,
    so that among factors of one degree those in earlier generators come first."""
    return (_total_degree(a),
            [(tuple([-k for k in e]), a[e]) for e in sorted(a, reverse=True)])


def _split_by_contents(f: dict) -> list:
    """Split a primitive f by its content in each generator: factors free of some generator.
    Both pieces of a split have lower total degree, so the recursion is bounded."""
    degrees = _degrees(f)
    occurring = [k for k in range(len(degrees)) if degrees[k]]
    if len(occurring) > 1:
        for k in occurring:
            content = _content_in(f, k)
            if not _is_constant(content):
                return _split_by_contents(content) + _split_by_contents(_exact(f, content))
    return [f]


def _split_rational_roots(f: dict) -> list:
    """Linear factors of a square-free, primitive f by the rational root theorem, and the rest.

    Two shapes qualify: f in one generator g_k, where a root p/q gives the factor q*g_k - p;
    and f homogeneous in two generators g_k, g_j (x^2 - y^2), where a root p/q of f(g_k, 1)
    gives q*g_k - p*g_j.  Anything else, and f of degree 1, comes back unchanged.
    """
    degrees = _degrees(f)
    occurring = [k for k in range(len(degrees)) if degrees[k]]
    total = _total_degree(f)
    if total < 2 or len(occurring) > 2:
        return [f]
    k = occurring[0]
    j = occurring[-1]                            # == k for a single generator
    if j != k and any([sum(e) != total for e in f]):
        return [f]                               # two generators, not homogeneous
    roots, rest = _rational_roots(_dense(f, k))  # homogeneous: g_j's exponent is total - i
    if not roots:
        return [f]
    pieces = [{_monomial(len(degrees), k, 1, j, 0): q, _monomial(len(degrees), k, 0, j, 1): -p}
              for p, q in roots]
    if len(rest) > 1:
        last = len(rest) - 1
        pieces.append({_monomial(len(degrees), k, i, j, last - i): c
                       for i, c in enumerate(rest) if c})
    return pieces


def _monomial(n: int, k: int, i: int, j: int, m: int) -> tuple:
    """The exponents of g_k^i * g_j^m among n generators, or of g_k^i alone when j == k."""
    exponents = [0] * n
    if j != k:
        exponents[j] = m
    exponents[k] = i
    return tuple(exponents)


def _rational_roots(a: list) -> tuple:
    """The rational roots p/q (as (p, q), q > 0) of a square-free primitive integer polynomial
    (lowest degree first, a[0] != 0), and the quotient left after dividing out each q*x - p.

    By the rational root theorem p divides a[0] and q divides a[-1].  Cheap necessary
    conditions prune candidates first: |p/q| below Cauchy's bound, and (q - p) | f(1),
    (q + p) | f(-1), since f = (q*x - p)*h with h integral.
    """
    roots: list = []
    if not a[0] or abs(a[0]) > ROOT_SEARCH_LIMIT or abs(a[-1]) > ROOT_SEARCH_LIMIT:
        return roots, a
    numerators, denominators = _divisors(abs(a[0])), _divisors(abs(a[-1]))
    if len(numerators) * len(denominators) > MAX_ROOT_CANDIDATES:
        return roots, a
    # Each candidate is tried once: a root of a quotient is a root of f, and f is square-free.
    lead, largest = abs(a[-1]), max([abs(c) for c in a[:-1]])
    at_one, at_minus_one = sum(a), sum(a[0::2]) - sum(a[1::2])
    for q in denominators:
        for magnitude in numerators:
            if math.gcd(magnitude, q) != 1 or magnitude * lead > (lead + largest) * q:
                continue                         # not in lowest terms, or beyond Cauchy's bound
            for p in (magnitude, -magnitude):
                if at_one and q != p and at_one % (q - p):
                    continue
                if at_minus_one and q != -p and at_minus_one % (q + p):
                    continue
                if _is_root(a, p, q):
                    roots.append((p, q))
                    a = _divide_linear(a, p, q)
                    if len(a) <= 2:              # what is left is linear: it is its own factor
                        return roots, a
                    lead, largest = abs(a[-1]), max([abs(c) for c in a[:-1]])
                    at_one, at_minus_one = sum(a), sum(a[0::2]) - sum(a[1::2])
    return roots, a


def _is_root(a: list, p: int, q: int) -> bool:
    """Whether f(p/q) == 0, in integers: q^n f(p/q) = sum a_i p^i q^(n-i), by Horner."""
    value = a[-1]
    power = 1
    for c in reversed(a[:-1]):
        power *= q
        value = value * p + c * power
    return value == 0


def _divide_linear(a: list, p: int, q: int) -> list:
    """a / (q*x - p) for a root p/q of a: a_i = q*b_(i-1) - p*b_i, solved from the top."""
    n = len(a) - 1
    b = [0] * n
    b[n - 1] = a[n] // q
    for i in range(n - 1, 0, -1):
        b[i - 1] = (a[i] + p * b[i]) // q
    return b


def _divisors(n: int) -> list:
    """The positive divisors of n >= 1 in increasing order, by trial division."""
    divisors = [1]
    d = 2
    while d * d <= n:
        if n % d == 0:
            e = 0
            while n % d == 0:
                n //= d
                e += 1
            divisors = [x * d ** j for x in divisors for j in range(e + 1)]
        d += 1 if d == 2 else 2
    if n > 1:
        divisors = divisors + [x * n for x in divisors]
    return sorted(divisors)
