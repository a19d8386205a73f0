"""Sparse polynomials (symdiff.poly): tables of small cases, then properties against SymPy.

Polynomials in the tables are written as text in x, y, z (generators 0, 1, 2) and read by
SymPy, so every expected value is plain algebra.  The properties draw random polynomials in
one to three generators with small integer or rational coefficients and check each result
against SymPy (``sympy.gcd``, ``div``, ``sqf_list``, ``factor_list``) as the independent oracle.
"""

from fractions import Fraction

import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from symdiff.poly import ROOT_SEARCH_LIMIT, Poly, cancel, factor, gcd, squarefree

GENERATORS = sympy.symbols("x y z")


def poly(text: str, nvars: int = 2) -> Poly:
    """The polynomial written in x, y, z, read by SymPy."""
    return from_sympy_poly(sympy.Poly(sympy.sympify(text), *GENERATORS[:nvars], domain="QQ"), nvars)


def sympy_poly(p: Poly) -> sympy.Poly:
    """The same polynomial as a sympy.Poly over QQ (built from the dict: quicker than text)."""
    return sympy.Poly.from_dict({e: sympy.QQ(c.numerator, c.denominator) for e, c in p.terms.items()},
                                *GENERATORS[:p.nvars], domain="QQ")


def from_sympy_poly(p: sympy.Poly, nvars: int) -> Poly:
    return Poly.from_terms({e: Fraction(int(c.numerator), int(c.denominator))
                            for e, c in p.terms()}, nvars)


def one(nvars: int) -> Poly:
    return Poly.constant(1, nvars)


def product(c, factors, nvars: int) -> Poly:
    result = Poly.constant(c, nvars)
    for f, m in factors:
        result = result * f ** m
    return result


def is_primitive(p: Poly) -> bool:
    return p.primitive() == (1, p)


# ---------------------------------------------------------------- representation

def test_generators_constants_and_normalised_coefficients():
    x, y = Poly.generator(0, 2), Poly.generator(1, 2)
    assert x.terms == {(1, 0): 1} and y.terms == {(0, 1): 1}
    assert Poly.constant(0, 2) == Poly.zero(2) and Poly.zero(2).terms == {}
    p = (x + Fraction(1, 2)) * 2
    assert p.terms == {(1, 0): 2, (0, 0): 1}
    assert all(type(c) is int for c in p.terms.values())           # 2 * 1/2 is the int 1
    assert (x - x).terms == {}                                      # zeros are never stored
    assert Poly.from_terms({(1, 0): Fraction(6, 3), (0, 0): 0}, 2).terms == {(1, 0): 2}


def test_equality_and_hash_are_structural():
    a = poly("x**2 + 2*x*y")
    b = Poly.generator(0, 2) * (Poly.generator(0, 2) + 2 * Poly.generator(1, 2))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != poly("x**2 + 2*x*y", 3)                             # other generators
    assert Poly.constant(3, 1) != 3                                  # a Poly is not a number
    assert not Poly.zero(1) and Poly.constant(1, 1)


@pytest.mark.parametrize("expression, expected", [
    ("(x + 1)*(x - 1)",        "x**2 - 1"),
    ("(x + y)**3",             "x**3 + 3*x**2*y + 3*x*y**2 + y**3"),
    ("(x - y)**0",             "1"),
    ("x - x",                  "0"),
    ("-(x - y)",               "y - x"),
    ("2 - x",                  "2 - x"),
    ("3*(x*y)**2*0",           "0"),
    ("F(1, 3)*x + F(2, 3)*x",  "x"),
    ("(x + 1)/2",              "x/2 + 1/2"),
    ("(x + F(1, 2))**2",       "x**2 + x + 1/4"),
    ("(x*y + 1)*(x*y - 1)",    "x**2*y**2 - 1"),
])
def test_arithmetic(expression, expected):
    namespace = {"x": Poly.generator(0, 2), "y": Poly.generator(1, 2), "F": Fraction}
    assert eval(expression, namespace) == poly(expected)


@pytest.mark.parametrize("bad", [
    lambda: Poly.generator(0, 1) + Poly.generator(0, 2),             # different generators
    lambda: Poly.generator(0, 1) ** -1,
    lambda: Poly.constant(0.5, 1),                                   # floats are not rationals
    lambda: Poly.generator(2, 2),
])
def test_misuse_is_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        bad()


# ---------------------------------------------------------------- inspection

@pytest.mark.parametrize("text,                degree_x, degree_y, total, leading", [
    ("x**2*y + y**3 - 1",                      2,        3,        3,     ((2, 1), 1)),
    ("-3*y + 2",                               0,        1,        1,     ((0, 1), -3)),
    ("x/2",                                    1,        0,        1,     ((1, 0), Fraction(1, 2))),
    ("7",                                      0,        0,        0,     ((0, 0), 7)),
    ("0",                                      -1,       -1,       -1,    None),
])
def test_degrees_and_leading_term(text, degree_x, degree_y, total, leading):
    p = poly(text)
    assert (p.degree(0), p.degree(1), p.total_degree()) == (degree_x, degree_y, total)
    if leading is None:
        with pytest.raises(ValueError):
            p.leading_term()
    else:
        assert p.leading_term() == leading


@pytest.mark.parametrize("text,            is_zero, is_constant, constant_value", [
    ("0",                                  True,    True,        0),
    ("5/2",                                False,   True,        Fraction(5, 2)),
    ("x + 4",                              False,   False,       4),
    ("x*y",                                False,   False,       0),
])
def test_constants(text, is_zero, is_constant, constant_value):
    p = poly(text)
    assert (p.is_zero, p.is_constant, p.constant_value()) == (is_zero, is_constant, constant_value)


@pytest.mark.parametrize("text,              wrt, expected", [
    ("x**3*y + 2*x*y**2",                    0,   "3*x**2*y + 2*y**2"),
    ("x**3*y + 2*x*y**2",                    1,   "x**3 + 4*x*y"),
    ("y/3 + 1",                              0,   "0"),
    ("x**2/4",                               0,   "x/2"),
])
def test_derivative(text, wrt, expected):
    assert poly(text).derivative(wrt) == poly(expected)


@pytest.mark.parametrize("text,              point,                expected", [
    ("x**2*y - 3*y + 1",                     (2, 5),               6),
    ("x/2 + y",                              (1, Fraction(1, 3)),  Fraction(5, 6)),
    ("x*y",                                  (Fraction(1, 2), 2),  1),
    ("0",                                    (1, 1),               0),
])
def test_evaluate_is_exact(text, point, expected):
    value = poly(text).evaluate(point)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text,              content,         signed,          primitive", [
    ("6*x + 4",                              2,               2,               "3*x + 2"),
    ("-6*x + 4",                             2,               -2,              "3*x - 2"),
    ("x/2 + y/3",                            Fraction(1, 6),  Fraction(1, 6),  "3*x + 2*y"),
    ("-3*x*y/4 - 9/2",                       Fraction(3, 4),  Fraction(-3, 4), "x*y + 6"),
    ("5",                                    5,               5,               "1"),
    ("0",                                    0,               0,               "0"),
])
def test_content_and_primitive_part(text, content, signed, primitive):
    p = poly(text)
    assert p.content() == content
    assert p.primitive() == (signed, poly(primitive))


@pytest.mark.parametrize("p,                          q,              quotient", [
    ("x**2 - y**2",                           "x + y",        "x - y"),
    ("x**3 - 1",                              "x - 1",        "x**2 + x + 1"),
    ("x**2*y + x*y**2",                       "x*y",          "x + y"),
    ("3*x + 6",                               "2*x + 4",      "3/2"),
    ("x**2/2 - 1/2",                          "x + 1",        "x/2 - 1/2"),
    ("0",                                     "x + y",        "0"),
    ("x**2 + y**2",                           "x + y",        None),
    ("x + 1",                                 "x**2 + 1",     None),
    ("x*y + 1",                               "x",            None),
    ("x",                                     "x - y",        None),
    ("x**5 + y",                              "x**2 + y",     None),
])
def test_divide_exact(p, q, quotient):
    result = poly(p).divide_exact(poly(q))
    assert result == (None if quotient is None else poly(quotient))


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError):
        poly("x").divide_exact(Poly.zero(2))
    with pytest.raises(ZeroDivisionError):
        cancel(poly("x"), Poly.zero(2))


def test_text():
    p = poly("-x**2*y + 3*x*y**2/2 - 1")
    assert str(p) == "-g0^2*g1 + 3/2*g0*g1^2 - 1"
    assert p.format(["a", "b"]) == "-a^2*b + 3/2*a*b^2 - 1"
    assert str(Poly.zero(2)) == "0"


# ---------------------------------------------------------------- gcd, cancel

@pytest.mark.parametrize("p,                                   q,                          expected", [
    ("x**2 - 1",                                       "x**2 - 2*x + 1",           "x - 1"),
    ("6*x**2 - 6",                                     "4*x + 4",                  "x + 1"),
    ("x**2 - y**2",                                    "x**2 + 2*x*y + y**2",      "x + y"),
    ("x**3*y**2",                                      "x*y**5 + x**2*y**3",       "x*y**2"),
    ("x + 1",                                          "y + 1",                    "1"),
    ("(x + 1)*(y + 1)",                                "(x + 1)*(y - 1)",          "x + 1"),
    ("(x*y - 1)**2*(x + y)",                           "(x*y - 1)*(x - y)",        "x*y - 1"),
    ("(y + 1)*x**2 + (y + 1)",                         "(y + 1)**2",               "y + 1"),
    ("-(x - y)**2",                                    "(x - y)*(x + 2)",          "x - y"),
    ("x/2 - 1/2",                                      "x**2/3 - 1/3",             "x - 1"),
    ("0",                                              "-2*x - 4",                 "x + 2"),
    ("0",                                              "0",                        "0"),
    ("5",                                              "x + 1",                    "1"),
    ("(x + y + z)*(x - z)",                            "(x + y + z)*(y*z + 1)",    "x + y + z"),
])
def test_gcd(p, q, expected):
    assert gcd(poly(p, 3), poly(q, 3)) == poly(expected, 3)
    assert gcd(poly(q, 3), poly(p, 3)) == poly(expected, 3)


@pytest.mark.parametrize("p,                        q,                        c,                p2,            q2", [
    ("3*x**2 - 3*y**2",                   "6*x + 6*y",              Fraction(1, 2),   "x - y",       "1"),
    ("x**2 - 1",                          "-x - 1",                 -1,               "x - 1",       "1"),
    ("x + 1",                             "x**2 + 2*x + 1",         1,                "1",           "x + 1"),
    ("2*x*y",                             "4*x**2",                 Fraction(1, 2),   "y",           "x"),
    ("x/2",                               "y/3",                    Fraction(3, 2),   "x",           "y"),
    ("-x + y",                            "x + y",                  -1,               "x - y",       "x + y"),
    ("x",                                 "-y",                     -1,               "x",           "y"),
    ("0",                                 "x + 1",                  0,                "0",           "1"),
])
def test_cancel(p, q, c, p2, q2):
    assert cancel(poly(p), poly(q)) == (c, poly(p2), poly(q2))


def test_cancel_of_a_quotient_rule_numerator():
    # d/dx (x - y)/(x + y)^2 = (x + y)^-3 * (3y - x), once the common factor x + y is cancelled
    f, g = poly("x - y"), poly("(x + y)**2")
    numerator = f.derivative(0) * g - f * g.derivative(0)
    assert cancel(numerator, g * g) == (-1, poly("x - 3*y"), poly("(x + y)**3"))


# ---------------------------------------------------------------- square-free, factor

@pytest.mark.parametrize("text,                            content, factors", [
    ("2*(x + 1)*(x - y)**2*y**2",                  2,       [("x + 1", 1), ("x*y - y**2", 2)]),
    ("x**2 - 2*x + 1",                             1,       [("x - 1", 2)]),
    ("-(x + 1)**3*(x + 2)**3",                     -1,      [("(x + 1)*(x + 2)", 3)]),
    ("x**3*y",                                     1,       [("y", 1), ("x", 3)]),
    ("(y + 1)**2*(x**2 + 1)",                      1,       [("x**2 + 1", 1), ("y + 1", 2)]),
    ("x**2/4 - x*y/2 + y**2/4",                    Fraction(1, 4), [("x - y", 2)]),
    ("7",                                          7,       []),
])
def test_squarefree(text, content, factors):
    c, found = squarefree(poly(text))
    assert c == content
    assert found == [(poly(f), m) for f, m in factors]


@pytest.mark.parametrize("text,                            content, factors", [
    # the docstring's example: content, monomial content, rational roots
    ("-2*x**3*y + 2*x*y",                          -2,      [("x", 1), ("x - 1", 1), ("x + 1", 1), ("y", 1)]),
    ("x**2 - 1/4",                                 Fraction(1, 4), [("2*x - 1", 1), ("2*x + 1", 1)]),
    ("6*x**3 - 11*x**2 + 6*x - 1",                 1,       [("x - 1", 1), ("2*x - 1", 1), ("3*x - 1", 1)]),
    ("(x**2 + 1)**2*(x - 3)",                      1,       [("x - 3", 1), ("x**2 + 1", 2)]),
    # factors free of one generator split off by contents
    ("x*y + x + y + 1",                            1,       [("x + 1", 1), ("y + 1", 1)]),
    ("(x - 1)*(x + y)*(x - 2)**2",                 1,       [("x + y", 1), ("x - 2", 2), ("x - 1", 1)]),
    ("(x**2 - 2)*(y**2 - 4)",                      1,       [("y - 2", 1), ("y + 2", 1), ("x**2 - 2", 1)]),
    # homogeneous in two generators: roots of f(x, 1)
    ("x**2 - y**2",                                1,       [("x - y", 1), ("x + y", 1)]),
    ("2*x**2 + 3*x*y - 2*y**2",                    1,       [("x + 2*y", 1), ("2*x - y", 1)]),
    ("x**3 - y**3",                                1,       [("x - y", 1), ("x**2 + x*y + y**2", 1)]),
    # irreducible, or beyond what factor promises: left whole
    ("x**2 + y**2 - 1",                            1,       [("x**2 + y**2 - 1", 1)]),
    ("x**4 + 4",                                   1,       [("x**4 + 4", 1)]),
    ("(x + y + 1)*(x - y)",                        1,       [("x**2 + x - y**2 - y", 1)]),
    ("3",                                          3,       []),
])
def test_factor(text, content, factors):
    c, found = factor(poly(text))
    assert c == content
    assert found == [(poly(f), m) for f, m in factors]


def test_factor_order_is_by_total_degree_then_terms():
    _, found = factor(poly("(y + 3)*(x**2 + 1)*(x*y + 1)*x*(x + 5)"))
    assert [str(f) for f, _ in found] == ["g0", "g0 + 5", "g1 + 3", "g0^2 + 1", "g0*g1 + 1"]


def test_root_search_is_skipped_for_huge_coefficients():
    big = ROOT_SEARCH_LIMIT * 7 + 1
    p = poly(f"(x - 1)*(x**2 + x + {big})", 1) * poly(f"{big}*x - 1", 1)
    c, found = factor(p)
    assert product(c, found, 1) == p
    assert all(f.total_degree() >= 1 for f, _ in found)


# ---------------------------------------------------------------- properties against SymPy

INTEGERS = [-4, -3, -2, -1, 1, 2, 3, 4]
RATIONALS = INTEGERS + [Fraction(1, 2), Fraction(-1, 2), Fraction(2, 3), Fraction(-1, 3),
                        Fraction(3, 2), Fraction(-5, 4)]


def polynomials(nvars: int, max_terms: int = 4, max_degree: int = 2, rational: bool = True):
    """Random non-zero polynomials of 1 to max_terms terms (sampled_from keeps drawing cheap)."""
    exponents = st.tuples(*[st.integers(min_value=0, max_value=max_degree)] * nvars)
    term = st.tuples(exponents, st.sampled_from(RATIONALS if rational else INTEGERS))
    return st.lists(term, min_size=1, max_size=max_terms).map(
        lambda terms: Poly.from_terms(dict(terms), nvars))


@st.composite
def with_common_factor(draw, max_vars: int = 3):
    """(p, q) = (a*g, b*g): pairs that usually share a factor, in 1 to max_vars generators;
    now and then p is zero."""
    n = draw(st.integers(min_value=1, max_value=max_vars))
    g = draw(polynomials(n, 3))
    if draw(st.booleans()):
        g = g * draw(polynomials(n, 2, 1))
    a = Poly.zero(n) if draw(st.sampled_from(range(12))) == 11 else draw(polynomials(n))
    return a * g, draw(polynomials(n)) * g


@st.composite
def products(draw, max_vars: int = 3):
    """A product of small factors, some repeated, in 1 to max_vars generators."""
    n = draw(st.integers(min_value=1, max_value=max_vars))
    p = draw(polynomials(n, 3, 2))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        p = p * draw(polynomials(n, 2, 1)) ** draw(st.integers(min_value=1, max_value=2))
    return p


@given(with_common_factor())
def test_arithmetic_agrees_with_sympy(pair):
    p, q = pair
    n, sp, sq = p.nvars, sympy_poly(p), sympy_poly(q)
    assert p + q == from_sympy_poly(sp + sq, n)
    assert p - q == from_sympy_poly(sp - sq, n)
    assert p * q == from_sympy_poly(sp * sq, n)
    assert p ** 2 == from_sympy_poly(sp ** 2, n)


@given(with_common_factor())
def test_gcd_agrees_with_sympy(pair):
    p, q = pair
    expected = from_sympy_poly(sympy_poly(p).gcd(sympy_poly(q)), p.nvars).primitive()[1]
    assert gcd(p, q) == expected


@given(with_common_factor())
def test_divide_exact_agrees_with_sympy(pair):
    p, q = pair
    assume(not q.is_zero)
    assert (p * q).divide_exact(q) == p
    _, remainder = sympy.div(sympy_poly(p), sympy_poly(q))
    quotient = p.divide_exact(q)
    if remainder.is_zero:                          # one divisor is a Groebner basis: exact test
        assert quotient is not None and quotient * q == p
    else:
        assert quotient is None


@given(with_common_factor())
def test_cancel_keeps_the_value_and_leaves_coprime_primitive_parts(pair):
    p, q = pair
    assume(not q.is_zero)
    c, p2, q2 = cancel(p, q)
    n = p.nvars
    assert p * q2 == c * p2 * q                              # p/q == c * p2/q2
    assert gcd(p2, q2) == one(n)
    assert is_primitive(q2) and (p.is_zero or is_primitive(p2))
    _, _, reduced_denominator = sympy_poly(p).cancel(sympy_poly(q))
    assert q2.total_degree() == reduced_denominator.total_degree()


@given(products())
def test_squarefree_agrees_with_sympy(p):
    assume(not p.is_zero)
    n = p.nvars
    c, found = squarefree(p)
    assert product(c, found, n) == p
    for f, m in found:
        assert is_primitive(f) and not f.is_constant and m >= 1
    # merged by multiplicity, the square-free decomposition is unique up to constants
    _, expected = sympy_poly(p).sqf_list()
    merged: dict = {}
    for f, m in expected:
        merged[m] = merged.get(m, one(n)) * from_sympy_poly(f, n)
    assert {m: f for f, m in found} == {m: f.primitive()[1] for m, f in merged.items()}


@given(products())
def test_factor_refines_towards_sympys_irreducible_factors(p):
    assume(not p.is_zero)
    n = p.nvars
    c, found = factor(p)
    assert product(c, found, n) == p
    assert len({f for f, _ in found}) == len(found)
    irreducible: dict = {}                             # sympy's irreducible factors of ours
    for f, m in found:
        assert is_primitive(f) and not f.is_constant
        _, pieces = sympy_poly(f).factor_list()
        assert all(k == 1 for _, k in pieces)           # each factor is square-free
        for piece, _ in pieces:
            key = from_sympy_poly(piece, n).primitive()[1]
            irreducible[key] = irreducible.get(key, 0) + m
    _, expected = sympy_poly(p).factor_list()
    expected = {from_sympy_poly(f, n).primitive()[1]: m for f, m in expected}
    assert irreducible == expected
    # every linear factor in a single generator is found on its own
    for f in expected:
        if f.total_degree() == 1 and sum(1 for k in range(n) if f.degree(k) > 0) == 1:
            assert f in {g for g, _ in found}, f"{f} not split off"


@given(polynomials(1, 5, 4), st.lists(st.sampled_from(RATIONALS + [0]), max_size=3))
def test_factor_finds_every_rational_root(p, roots):
    x = Poly.generator(0, 1)
    for r in roots:
        p = p * (x - r)
    assume(not p.is_zero)
    _, found = factor(p)
    linear = {f for f, _ in found if f.total_degree() == 1}
    for r in sympy.roots(sympy_poly(p), filter="Q"):
        assert (x - Fraction(int(r.p), int(r.q))).primitive()[1] in linear


linear_forms = st.tuples(st.sampled_from(INTEGERS + [0]), st.sampled_from(INTEGERS)).map(
    lambda ab: ab[0] * Poly.generator(0, 2) + ab[1] * Poly.generator(1, 2))


@given(st.lists(linear_forms, min_size=1, max_size=4), polynomials(2, 3, 2))
def test_factor_finds_every_linear_form_of_a_homogeneous_polynomial(forms, rest):
    p = Poly.constant(1, 2)
    for form in forms:
        p = p * form
    if all(sum(e) == 2 for e in rest.terms):    # a homogeneous cofactor keeps p homogeneous
        p = p * rest
    c, found = factor(p)
    assert product(c, found, 2) == p
    for form in forms:
        assert form.primitive()[1] in {f for f, _ in found}, f"{form} not split off"
