"""Hypothesis strategies for random expressions over the variables x and y.

Expressions are built with the canonical constructors (never from text), so a
property about parsing or printing is tested against trees that did not come
out of the parser.  Depth is bounded through ``max_leaves``; exponents are kept
small or symbolic so that folded numbers stay printable and evaluable.
"""

from fractions import Fraction

from hypothesis import strategies as st

from symdiff import FUNCTIONS
from symdiff.expr import E, PI, Num, Sym, add, call, mul, neg, power

X, Y = Sym("x"), Sym("y")
VARIABLES = st.sampled_from([X, Y])
UNARY_FUNCTIONS = sorted(FUNCTIONS)

small_ints = st.integers(min_value=-3, max_value=4).map(Num)
small_fractions = st.sampled_from([Fraction(1, 2), Fraction(-1, 2), Fraction(1, 3),
                                   Fraction(2, 3), Fraction(-3, 2), Fraction(5, 4)]).map(Num)
small_floats = st.sampled_from([0.5, -0.5, 1.5, 2.5, -0.25, 0.1, 3.0]).map(Num)
constants = st.sampled_from([PI, E])


def numbers(floats: bool = True):
    choices = [small_ints, small_fractions, constants]
    if floats:
        choices.append(small_floats)
    return st.one_of(*choices)


def _sub(a, b):
    return add(a, neg(b))


def _div(a, b):
    return mul(a, power(b, Num(-1)))


def _extend(children, exponents):
    return st.one_of(
        st.builds(add, children, children),
        st.builds(_sub, children, children),
        st.builds(mul, children, children),
        st.builds(_div, children, children),
        st.builds(power, children, exponents),
        st.builds(lambda fn, u: call(fn, u), st.sampled_from(UNARY_FUNCTIONS), children),
        st.builds(lambda u, b: call("log", u, b), children, children),
    )


def expressions(floats: bool = True, max_leaves: int = 8):
    """Random expression trees over x and y with numeric leaves.

    Exponents are small numbers or subexpressions that contain a variable (a
    constant subexpression could fold to a number too large to print).
    """
    leaves = st.one_of(VARIABLES, numbers(floats))

    def extend(children):
        exponents = st.one_of(numbers(floats), children.filter(lambda e: bool(e.free)))
        return _extend(children, exponents)

    return st.recursive(leaves, extend, max_leaves=max_leaves)


points = st.floats(min_value=-4.0, max_value=4.0, allow_nan=False, allow_infinity=False)
