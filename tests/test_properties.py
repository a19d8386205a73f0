"""Properties of random expressions, each checked against an oracle outside symdiff.

1. ``diff`` and ``derivative`` agree with SymPy's derivative (first and second order),
   evaluated at 50 digits, at points where differences at 50 digits show the function
   is smooth; the two oracles must also agree with each other.
2. Printing and parsing back gives the very same node, and SymPy, reading the printed
   text with its own parser, finds the value of the tree.
3. ``simplify`` keeps the value wherever the expression is defined: a rewrite that
   changes a value, or leaves the domain where the original is defined, fails.  Only
   the documented extensions of the domain are allowed (``x/x = 1``, ``x - x = 0``,
   ``exp(log(u)) = u``: the result may be defined where the original is not).
4. ``evaluate`` and ``compile_function`` agree with the value at 50 digits, within what
   float rounding explains (``float_noise``).

Each property counts the examples that reached their assert (``counted``); points
outside the domain are replaced by the next candidate instead of passing silently.
Random expressions, oracles and the tally come from ``tests/strategies.py``.
"""

import math
from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from mpmath import mp, mpf
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from strategies import (DIGITS, SYMPY_FUNCTIONS, SYMPY_SYMBOLS, UNARY_FUNCTIONS, Ambiguous, Undefined,
                        candidate_points, canonical, counted, example, expression_slope,
                        expressions, expressions_and_variable, expressions_with, float_noise,
                        known_bug, kinds, magnitude, mp_value, mp_values, nodes,
                        property_settings, slope, sympy_function, to_sympy, verdict)
from symdiff import (EvaluationError, Limits, Num, ParseError, Sym, compile_function,
                     derivative, diff, evaluate, parse, simplify, substitute, to_text,
                     use_limits)
from symdiff.expr import is_singular, power
from symdiff.simplify import written_size

POINTS_PER_EXAMPLE = 2       # points checked per example, once found


def defined_points(expr, candidates):
    """The candidates where ``expr`` has a clear real value, with the node values there."""
    for point in candidates:
        try:
            yield point, mp_values(expr, point)
        except (Undefined, Ambiguous):
            continue


def has_floats(*exprs) -> bool:
    return any(type(n) is Num and isinstance(n.value, float) for e in exprs for n in nodes(e))


def agree(value, exact, scale, floats: bool) -> bool:
    """Equal at 50 digits, up to the cancellation of terms of size ``scale``; a decimal the
    user wrote is a float, and folding floats rounds (0.1*3 = 0.30000000000000004)."""
    relative = mpf("1e-10") if floats else mpf("1e-30")
    return abs(value - exact) <= relative * max(1, abs(exact), scale)


# ---------------------------------------------------------------- 0. the strategies

def test_strategies_cover_every_node_and_function():
    seen = set()

    @property_settings(400)
    @given(expressions(None, max_leaves=12))
    def collect(expr):
        seen.update(kinds(expr))
    collect()
    wanted = {"Num:int", "Num:Fraction", "Num:float", "Const", "Sym", "Add", "Mul",
              "Pow:numeric", "Pow:symbolic", "Call:log/2"}
    wanted |= {f"Call:{fn}/1" for fn in UNARY_FUNCTIONS}
    assert wanted <= seen, sorted(wanted - seen)


def test_strategies_give_the_variable():
    counts = {"with": 0, "without": 0}

    @property_settings(200)
    @given(expressions_and_variable())
    def collect(pair):
        expr, wrt = pair
        counts["with" if wrt in expr.free else "without"] += 1
    collect()
    assert counts["without"] == 0 and counts["with"] > 0


# ---------------------------------------------------------------- 1. derivatives against SymPy

def check_derivative(expr, wrt, order, candidates) -> int:
    """Compare diff (and, for a first derivative, the raw ``derivative``) with SymPy's
    derivative at up to POINTS_PER_EXAMPLE candidates where the function is smooth;
    returns the number of points compared."""
    results = [diff(expr, wrt, order)]
    if order == 1:
        results.append(derivative(expr, wrt))
    var = SYMPY_SYMBOLS[wrt]
    oracle_first = sympy.diff(to_sympy(expr), var)
    first = sympy_function(oracle_first)
    oracle = sympy_function(oracle_first if order == 1 else sympy.diff(oracle_first, var))
    checked = 0
    for point, values in defined_points(expr, candidates):
        try:
            # Smooth here (differences at 50 digits agree from both sides, and with half
            # the step)?  For a second derivative, the first must be smooth too.
            numeric = expression_slope(expr, point, wrt)
            symbolic = first(point)
            if order == 2:
                slope(lambda t: first({**point, wrt: t}), point[wrt])
            exact = oracle(point)
        except (Ambiguous, Undefined, ZeroDivisionError):
            continue              # not smooth here, or SymPy's form is 0/0 here: next point
        try:
            got = [mp_value(r, point) for r in results]
        except Undefined as error:
            raise AssertionError(f"d^{order}/d{wrt}^{order} {to_text(expr)} = "
                                 f"{'; '.join(map(to_text, results))} is undefined at {point} "
                                 f"({error}); SymPy says {mp.nstr(exact, 17)}") from None
        except Ambiguous:
            continue
        with mp.workdps(DIGITS):
            # The two oracles agree with each other (else the test, not symdiff, is wrong).
            assert abs(numeric - symbolic) <= mpf("1e-15") * max(1, magnitude(values),
                                                                 abs(numeric)), \
                (to_text(expr), point, numeric, symbolic)
            scale = max(magnitude(values), *(magnitude(mp_values(r, point)) for r in results))
            for result, value in zip(results, got):
                assert agree(value, exact, scale, has_floats(expr)), (
                    f"d^{order}/d{wrt}^{order} {to_text(expr)} = {to_text(result)} is "
                    f"{mp.nstr(value, 17)} at {point}, SymPy says {mp.nstr(exact, 17)}")
        checked += 1
        if checked == POINTS_PER_EXAMPLE:
            break
    return checked


@counted(at_least=0.85)
@property_settings(120)
@given(expressions_and_variable(), st.sampled_from([1, 1, 1, 2]), candidate_points)
def test_derivative_agrees_with_sympy(pair, order, candidates):
    example()
    expr, wrt = pair
    checked = check_derivative(expr, wrt, order, candidates)
    if checked:
        verdict(checked)


# the special functions are compared with SymPy in test_special_functions.py
@pytest.mark.parametrize("fn", [*UNARY_FUNCTIONS, "log/2"])
def test_every_function_differentiates_like_sympy(fn):
    @counted(at_least=0.6)      # asin, acosh, ... of a random argument: often nowhere defined
    @property_settings(10)
    @given(expressions_with(fn), st.sampled_from([1, 1, 2]), candidate_points)
    def check(expr, order, candidates):
        example()
        checked = check_derivative(expr, "x", order, candidates)
        if checked:
            verdict(checked)
    check.__name__ = f"test_every_function_differentiates_like_sympy[{fn}]"
    check()


# ---------------------------------------------------------------- 2. print, then parse

SYMPY_LOCALS = {**SYMPY_FUNCTIONS, **SYMPY_SYMBOLS, "pi": sympy.pi, "e": sympy.E}


def sympy_reads(text: str):
    """SymPy's own parser reading symdiff's text (^ as power)."""
    return parse_expr(text, local_dict=dict(SYMPY_LOCALS),
                      transformations=standard_transformations + (convert_xor,))


def check_round_trip(expr, candidates) -> None:
    """parse(to_text(expr)) is expr, and SymPy reads the text as a formula with the same
    value as the tree at the first candidate where the tree is defined.  Records the
    verdict (with the number of points where the value was compared).

    A tree that is not canonical (a product kept inside a product by a derivative that
    preserved structure) cannot come back from text: a known bug
    (test_known_bug_second_derivatives_print_text_that_reads_back_differently); its text
    must still read back to the same value.
    """
    text = to_text(expr)
    back = parse(text)
    known = back is not expr and not canonical(expr)
    if known:
        known_bug()
    else:
        assert back is expr, f"{text!r} reads back as {to_text(back)!r}"
    value = sympy_function(sympy_reads(text))
    for point, values in defined_points(expr, candidates):
        try:
            read = value(point)
            again = mp_value(back, point) if known else values[expr]
        except (Undefined, Ambiguous, ZeroDivisionError):
            continue
        with mp.workdps(DIGITS):
            scale = magnitude(values)
            assert agree(read, values[expr], scale, True), \
                f"SymPy reads {text!r} as {mp.nstr(read, 17)} at {point}, not {values[expr]}"
            assert agree(again, values[expr], scale, True), \
                f"{text!r} reads back as {to_text(back)!r}, {again} at {point}, not {values[expr]}"
        verdict(1)
        return
    if not known:
        verdict(0)            # the round trip itself was the verdict; no value compared


def literal_division_by_zero(expr) -> bool:
    """A literal 0^-n, whose text the parser refuses by design
    (test_division_by_zero_prints_as_text_the_parser_refuses)."""
    return any(is_singular(node) for node in nodes(expr))


@counted(at_least=0.95)
@property_settings(200)
@given(expressions(None, max_leaves=12), candidate_points)
def test_text_parses_back_to_the_same_node(expr, candidates):
    example()
    if literal_division_by_zero(expr):
        return
    check_round_trip(expr, candidates)


@counted(at_least=0.95)
@property_settings(120)
@given(expressions_and_variable(), st.sampled_from(["diff", "diff2", "simplify"]),
       candidate_points)
def test_derivatives_and_simplified_forms_parse_back_to_the_same_node(pair, kind, candidates):
    example()
    expr, wrt = pair
    result = {"diff": lambda: diff(expr, wrt), "diff2": lambda: diff(expr, wrt, 2),
              "simplify": lambda: simplify(expr)}[kind]()
    if literal_division_by_zero(result):
        return
    check_round_trip(result, candidates)


def test_float_minus_one_coefficient_round_trips():
    expr = parse("-1.0*x")
    assert parse(to_text(expr)) is expr


HALF = Num(Fraction(1, 2))
X, Y = Sym("x"), Sym("y")


@pytest.mark.parametrize("built, text", [
    (power(X + 1, HALF),                        "sqrt(x + 1)"),
    (power(X + 1, Num(Fraction(-1, 2))),        "1/sqrt(x + 1)"),
    (power(X, Num(Fraction(3, 2))),             "x^(3/2)"),
    (power(X, Num(Fraction(-3, 2))),            "1/x^(3/2)"),
    (power(Num(2), HALF),                       "sqrt(2)"),
    (Num(3) * power(X, HALF) / 2,               "3*sqrt(x)/2"),
    (Y / power(X, HALF),                        "y/sqrt(x)"),
    (-power(X, HALF) / (2 * Y),                 "-sqrt(x)/(2*y)"),
    (power(power(X, HALF), Y),                  "sqrt(x)^y"),
    (power(power(X, HALF), HALF),               "sqrt(sqrt(x))"),
    (power(-X, HALF),                           "sqrt(-x)"),
    (power(X, Num(0.5)),                        "x^0.5"),          # a decimal: not the root node
], ids=lambda v: v if isinstance(v, str) else "")
def test_square_roots_print_as_sqrt_and_parse_back(built, text):
    assert to_text(built) == text
    assert parse(text) is built


ZERO = Num(0)


@pytest.mark.parametrize("expr", [
    substitute(parse("x/y"), {Sym("y"): ZERO}),                  # x/0
    substitute(parse("x/y"), {Sym("x"): ZERO, Sym("y"): ZERO}),  # 0/0
    substitute(parse("1/(2y)"), {Sym("y"): ZERO}),               # 1/(2*0)
    power(ZERO, Num(-2)),                                        # 1/0^2
    power(ZERO, Num(Fraction(-1, 2))),                           # 1/0^(1/2)
], ids=["x/0", "0/0", "(1/0)/2", "0^-2", "0^(-1/2)"])
def test_division_by_zero_prints_as_text_the_parser_refuses(expr):
    # Documented convention: a literal division by zero in the text is a ParseError,
    # so an expression holding one (built by substitute or the constructors) prints
    # faithfully, but its text is refused rather than read back.
    text = to_text(expr)
    assert "0" in text.split("/", 1)[1]
    with pytest.raises(ParseError, match="division by zero"):
        parse(text)


def test_int_bits_limit_stays_below_pythons_int_text_limit():
    # Python converts ints to text only up to 4300 digits; a larger limit would let
    # numbers fold that could then not be printed.
    with pytest.raises(ValueError, match="at most 14,000"):
        Limits(max_int_bits=20_000)
    with use_limits(Limits(max_int_bits=14_000)):
        expr = parse("5^4000")            # 9 288 bits (estimated 12 000): folds
        assert type(expr) is Num
        assert parse(to_text(expr)) is expr


# ---------------------------------------------------------------- 3. simplify

@counted(at_least=0.85)
@property_settings(200)
@given(expressions("x", max_leaves=12), candidate_points)
def test_simplify_keeps_the_value_wherever_the_expression_is_defined(expr, candidates):
    example()
    simplified = simplify(expr)
    floats = has_floats(expr, simplified)
    checked = 0
    for point, values in defined_points(expr, candidates):
        try:
            after = mp_values(simplified, point)
        except Undefined as error:
            raise AssertionError(f"simplify({to_text(expr)}) = {to_text(simplified)} is "
                                 f"undefined at {point} ({error}), where the original is "
                                 f"{values[expr]}") from None
        except Ambiguous:
            continue              # near an edge of the simplified form: rounding decides
        with mp.workdps(DIGITS):
            assert agree(after[simplified], values[expr], max(magnitude(values), magnitude(after)),
                         floats), (f"simplify({to_text(expr)}) = {to_text(simplified)}: "
                                   f"{after[simplified]} at {point}, not {values[expr]}")
        checked += 1
    if checked:
        verdict(checked)
    # and, with no oracle needed: never larger, and done in one pass
    assert written_size(simplified) <= written_size(expr)
    assert simplify(simplified) is simplified


# ---------------------------------------------------------------- 4. evaluate, compiled

HUGE = mpf("1e300")


@counted(at_least=0.8)
@property_settings(200)
@given(expressions(None, max_leaves=12), candidate_points)
def test_evaluate_and_compiled_function_agree_with_mpmath(expr, candidates):
    example()
    compiled = compile_function(expr, ["x", "y"])
    for point, values in defined_points(expr, candidates):
        if magnitude(values) > HUGE or any(0 < abs(v) < 1e-8 for v in point.values()):
            continue             # beyond the float range, or where x*x underflows to 0
        noise = float_noise([expr], point)
        exact = values[expr]
        for method, run in (("evaluate", lambda: evaluate(expr, point)),
                            ("compile_function", lambda: compiled(point["x"], point["y"]))):
            try:
                got = run()
            except EvaluationError as error:
                if noise == math.inf:
                    continue                           # rounding can leave the domain here
                raise AssertionError(f"{method}({to_text(expr)}) at {point}: {error}, but "
                                     f"its value is {mp.nstr(exact, 17)}") from None
            bound = mpf("1e-12") * max(1, abs(exact)) + 64 * noise
            with mp.workdps(DIGITS):
                assert abs(got - exact) <= bound, (
                    f"{method}({to_text(expr)}) at {point} is {got!r}, not {mp.nstr(exact, 17)}")
        verdict()
        return


@pytest.mark.parametrize("formula, x0, y0", [
    ("x*y",          1e200,   1e200),
    ("x + y",        1e308,   1e308),
    ("x - y",        1e308,  -1e308),
    ("exp(x) y",     700.0,   1e300),
])
def test_overflow_is_an_error_for_evaluate_and_compiled_function(formula, x0, y0):
    with pytest.raises(EvaluationError):
        evaluate(formula, x=x0, y=y0)
    with pytest.raises(EvaluationError):
        compile_function(formula, ["x", "y"])(x0, y0)


@pytest.mark.parametrize("formula, x0, y0, limit", [
    ("atan(x*y)",     1e200,   1e200,   math.pi / 2),
    ("exp(-x*y)",     1e200,   1e200,   0.0),
    ("tanh(x + y)",   1e308,   1e308,   1.0),
])
def test_overflow_inside_gives_the_limit_for_evaluate_and_compiled_function(formula, x0, y0,
                                                                           limit):
    # Overflow is judged by the result (symdiff/evaluate.py): where only an intermediate
    # overflows, a function with a limit at infinity gives that limit.
    assert evaluate(formula, x=x0, y=y0) == limit
    assert compile_function(formula, ["x", "y"])(x0, y0) == limit
