"""Fuzzing from the grammar: random formula text, written by following the rules of
grammar/symdiff.lark, together with what it means.

The generator walks the grammar's ladder (sum, product with explicit and implicit
multiplication, unary minus, power with ^, ** and superscripts, atom: numbers in every
spelling, names with Greek letters, calls with aliases and log's base, powers on a
function's name as in sin^2(x) and sin²(x), √, brackets) and builds, beside the text, its meaning as a small tree of its own.  The meaning is
evaluated at 50 digits by ``meaning_value`` (the functions of tests/strategies.py), so
the oracle for what a formula means never goes through symdiff's parser.

Properties, each counted (``counted`` in tests/strategies.py):

1. Grammatical text parses (or is refused for a reason the grammar cannot see: a literal
   division by zero, a number beyond the limits); its value is the meaning's value
   wherever the meaning is defined; printing it parses back to the very same node.
2. Its derivative agrees with differences at 50 digits of the meaning.
3. Mutated text (characters deleted, inserted, replaced, swapped) gives an expression or
   a SymdiffError, never another exception, and never takes long; an expression that
   comes back prints text that parses back to it.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mpmath import mp, mpf

from strategies import (ALIASES, DIGITS, MP_FUNCTIONS, SPECIAL_FUNCTIONS, Ambiguous, Undefined, canonical,
                        counted, example, known_bug, log_base, magnitude, mp_values, no_hang,
                        property_settings, real_power, slope, verdict)
from symdiff import Limits, ParseError, SymdiffError, diff, parse, to_text

LIMITS = Limits(max_int_bits=2_000, max_order=20, max_output_nodes=20_000, max_seconds=5.0)
SLOW = 5.0           # seconds: a parse or a derivative taking longer fails as too slow
HANG = 20.0          # seconds: one still running then is stopped, and fails

# ---------------------------------------------------------------- the generator

# Names as typed, and the variable each one is (Greek letters are spelled out; π is pi).
VARIABLE_NAMES = {"x": "x", "y": "y", "t": "t", "θ": "theta", "α": "alpha", "x1": "x1",
                  "y_0": "y_0", "Δx": "Deltax", "theta": "theta"}
CONSTANT_NAMES = {"pi": "pi", "π": "pi", "e": "e"}
# the elementary functions: a call of one argument (the special functions are the grid's)
FUNCTION_NAMES = sorted(set(MP_FUNCTIONS) - SPECIAL_FUNCTIONS) + sorted(ALIASES)
ADD_OPS = {"+": "+", "-": "-", "\u2212": "-"}
MUL_OPS = {"*": "*", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "/": "/", "\u00f7": "/"}
POW_OPS = ["^", "**"]
SUPERSCRIPTS = {"²": 2, "³": 3, "¹": 1, "⁴": 4, "⁰": 0, "¹⁰": 10, "⁵": 5}
SUPERSCRIPT_DIGITS = str.maketrans("¹²³", "123")
INTEGERS = ["0", "1", "2", "3", "4", "5", "7", "10", "12", "007", "100"]
DECIMALS = ["0.5", "2.", ".25", "1.5", "1.5e2", "2E-1", "3e0", "0.1", "2.50"]

# A token: (kind, text).  Kinds: NUMBER, NAME, CALL (the name with its "("), ROOT, SUP and
# punctuation; spaces go between tokens wherever the lexer allows (see ``joined``).
IDENTIFIER = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _identifier_char(c: str) -> bool:
    return c in IDENTIFIER or "\u0391" <= c <= "\u03a9" or "\u03b1" <= c <= "\u03c9"


def needs_space(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Whether the two tokens would run together into other tokens without a space."""
    kind, text = a
    if kind == "NAME":                 # x y would be the name xy; x ( would be the call x(
        return _identifier_char(b[1][0]) or b[1][0] == "("
    if kind == "NUMBER":               # 2 e3 would be 2e3; 2 e+1 would be 2e+1; 0 x1F, 1 _x
        return b[1][0] in "eE_xXbBoO." or b[1][0].isdigit()
    return False


@st.composite
def joined(draw, tokens):
    spaces = st.sampled_from(["", "", "", "", " ", " ", " ", "  ", "\t", "\n"])
    parts = []
    for i, token in enumerate(tokens):
        if i:
            gap = draw(spaces)
            if not gap and needs_space(tokens[i - 1], token):
                gap = " "
            parts.append(gap)
        parts.append(token[1])
    return "".join(parts)


@st.composite
def formulas(draw, max_depth=4):
    """(text, meaning): text by the grammar's rules, its meaning as nested tuples.

    Every choice that recurses is bounded by ``depth``, and the first option of every
    draw (what Hypothesis tries first and shrinks towards) is the one that ends soonest.
    """

    def number():
        text = draw(st.sampled_from(INTEGERS + DECIMALS))
        value = float(text) if any(c in text for c in ".eE") else int(text)
        return [("NUMBER", text)], ("num", value)

    def operand(depth):
        choice = draw(st.integers(0, 9)) if depth > 0 else draw(st.integers(0, 2))
        if choice <= 1:
            name = draw(st.sampled_from(list(VARIABLE_NAMES)))
            return [("NAME", name)], ("var", VARIABLE_NAMES[name])
        if choice == 2:
            name = draw(st.sampled_from(list(CONSTANT_NAMES)))
            return [("NAME", name)], ("const", CONSTANT_NAMES[name])
        if choice <= 5:
            name = draw(st.sampled_from(FUNCTION_NAMES + ["log"]))
            args = [sum_(depth - 1)]
            canonical = ALIASES.get(name, name)
            if name == "log" and draw(st.booleans()):     # ln takes one argument only
                args.append(sum_(depth - 1))
            tokens = [("CALL", name + "(")]
            for i, (arg_tokens, _) in enumerate(args):
                if i:
                    tokens.append((",", ","))
                tokens += arg_tokens
            tokens.append((")", ")"))
            meaning = ("call", canonical, tuple(m for _, m in args))
            if draw(st.integers(0, 3)) == 3:        # a power on the name: sin^2(x), sin²(x)
                if draw(st.booleans()):
                    n = draw(st.sampled_from(["1", "2", "3", "4"]))
                    written = [("POW", draw(st.sampled_from(POW_OPS))), ("NUMBER", n)]
                else:
                    n = draw(st.sampled_from(["¹", "²", "³"]))
                    written = [("SUP", n)]
                tokens = [("FNAME", name)] + written + [("(", "(")] + tokens[1:]
                meaning = ("pow", meaning, ("num", int(n.translate(SUPERSCRIPT_DIGITS))))
            return tokens, meaning
        if choice == 6:
            tokens, meaning = atom(depth - 1)
            return [("ROOT", "\u221a")] + tokens, ("call", "sqrt", (meaning,))
        tokens, meaning = sum_(depth - 1)
        return [("(", "(")] + tokens + [(")", ")")], meaning

    def atom(depth):
        if draw(st.integers(0, 3)) == 0:
            return number()
        return operand(depth)

    def exponent(depth):
        """The right of ^: a unary, kept small so that numbers stay printable."""
        if not draw(st.booleans()):
            tokens, meaning = operand(0) if draw(st.booleans()) else number()
        else:
            tokens, meaning = unary(min(depth, 1))
        if draw(st.integers(0, 3)) == 3:
            sign = draw(st.sampled_from(list(ADD_OPS)))
            return [("ADD", sign)] + tokens, (("neg", meaning) if ADD_OPS[sign] == "-" else meaning)
        return tokens, meaning

    def powered(base_tokens, base, depth):
        """atom, atom ^ unary, or atom SUPERSCRIPT (the same for an implicit operand)."""
        choice = draw(st.integers(0, 5))
        if choice == 4:
            op = draw(st.sampled_from(POW_OPS))
            tokens, meaning = exponent(depth - 1)
            return base_tokens + [("POW", op)] + tokens, ("pow", base, meaning)
        if choice == 5:
            sup = draw(st.sampled_from(list(SUPERSCRIPTS)))
            return base_tokens + [("SUP", sup)], ("pow", base, ("num", SUPERSCRIPTS[sup]))
        return base_tokens, base

    def unary(depth):
        if draw(st.integers(0, 5)) == 5:
            sign = draw(st.sampled_from(list(ADD_OPS)))
            tokens, meaning = unary(depth - 1)
            return [("ADD", sign)] + tokens, (("neg", meaning) if ADD_OPS[sign] == "-" else meaning)
        return powered(*atom(depth), depth)

    def product(depth):
        tokens, meaning = unary(depth)
        for _ in range(draw(st.integers(0, 2)) if depth > 0 else 0):
            if draw(st.booleans()):
                op = draw(st.sampled_from(list(MUL_OPS)))
                more, factor = unary(depth - 1)
                tokens = tokens + [("MUL", op)] + more
                meaning = ("div" if MUL_OPS[op] == "/" else "mul", meaning, factor)
            else:          # implicit: an operand, never a number or a sign, on the right
                more, factor = powered(*operand(depth - 1), depth - 1)
                tokens = tokens + more
                meaning = ("mul", meaning, factor)
        return tokens, meaning

    def sum_(depth):
        tokens, meaning = product(depth)
        for _ in range(draw(st.integers(0, 2)) if depth > 0 else 0):
            sign = draw(st.sampled_from(list(ADD_OPS)))
            more, term = product(depth - 1)
            tokens = tokens + [("ADD", sign)] + more
            meaning = ("add" if ADD_OPS[sign] == "+" else "sub", meaning, term)
        return tokens, meaning

    tokens, meaning = sum_(draw(st.integers(1, max_depth)))
    return draw(joined(tokens)), meaning


# ---------------------------------------------------------------- what a formula means

def meaning_value(meaning, point, sizes: list | None = None, noise=None):
    """The meaning's value at ``point`` (spelled names to numbers), at 50 digits; raises
    Undefined or Ambiguous like ``mp_values``.  ``sizes`` receives every intermediate
    value's magnitude; ``noise`` (a Jitter) moves each decimal by up to 2 ulps."""
    with mp.workdps(DIGITS):
        try:
            return _value(meaning, point, [] if sizes is None else sizes, noise)
        except (OverflowError, MemoryError):
            raise Ambiguous("beyond what mpmath computes") from None


def has_decimals(meaning) -> bool:
    if meaning[0] == "num":
        return isinstance(meaning[1], float)
    if meaning[0] in ("var", "const"):
        return False
    children = meaning[2] if meaning[0] == "call" else meaning[1:]
    return any(has_decimals(c) for c in children)


class Jitter:
    """A relative change of up to 2 ulps for each decimal of a meaning, the same one every
    time that decimal is evaluated (so differences of a jittered meaning stay smooth)."""

    def __init__(self, seed: int):
        self.rng, self.factors = random.Random(seed), {}

    def factor(self, leaf) -> mpf:
        if id(leaf) not in self.factors:
            self.factors[id(leaf)] = 1 + mpf(self.rng.uniform(-1, 1)) * mpf(2) ** -51
        return self.factors[id(leaf)]


def decimal_noise(meaning, compute, trials=3):
    """How far ``compute(noise)`` moves when each decimal of the meaning moves by up to
    2 ulps: the parser folds decimals in floats (sqrt(2.50)^2 is 2.5000000000000004), and
    cosh(...)^100 makes much of that."""
    if not has_decimals(meaning):
        return mpf(0)
    exact = compute(None)
    spread = mpf(0)
    for trial in range(trials):
        try:
            moved = compute(Jitter(trial))
        except (Undefined, Ambiguous):
            return mpf("inf")
        spread = max(spread, abs(moved - exact))
    return spread


def _value(m, point, sizes, noise):
    result = _step(m, point, sizes, noise)
    sizes.append(abs(result))
    return result


def _step(m, point, sizes, noise):
    kind = m[0]
    if kind == "num":
        if noise is not None and isinstance(m[1], float):
            return mpf(m[1]) * noise.factor(m)
        return mpf(m[1])
    if kind == "var":
        return mpf(point[m[1]])
    if kind == "const":
        return +mp.pi if m[1] == "pi" else +mp.e
    if kind == "neg":
        return -_value(m[1], point, sizes, noise)
    if kind == "call":
        args = [_value(a, point, sizes, noise) for a in m[2]]
        if len(args) == 2:
            return log_base(*args)
        return MP_FUNCTIONS[m[1]](args[0])
    a, b = _value(m[1], point, sizes, noise), _value(m[2], point, sizes, noise)
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        return real_power(b, mpf(-1), Fraction(-1)) * a
    exact = m[2][1] if m[2][0] == "num" else None
    return real_power(a, b, Fraction(exact) if isinstance(exact, int) else exact)


def variables_of(meaning) -> set[str]:
    if meaning[0] == "var":
        return {meaning[1]}
    if meaning[0] in ("num", "const"):
        return set()
    children = meaning[2] if meaning[0] == "call" else meaning[1:]
    return set().union(*(variables_of(c) for c in children))


NAMES = sorted(set(VARIABLE_NAMES.values()))
FIXED_POINTS = [dict(zip(NAMES, values)) for values in [
    (0.7, 1.3, -0.4, 2.1, 0.35, 1.9, -1.2, 0.8),
    (-1.6, 0.45, 1.7, -0.9, 2.6, 0.55, 1.1, -2.3),
    (0.3, 0.6, 0.45, 0.8, 0.25, 0.55, 0.7, 0.35),            # all in (0, 1): asin, atanh
    (1.4, 2.2, 1.8, 2.9, 1.2, 3.1, 2.5, 1.6),                # all above 1: acosh, asec
]]
points = st.lists(st.fixed_dictionaries({n: st.floats(-3.5, 3.5, allow_nan=False) for n in NAMES}),
                  min_size=4, max_size=4).map(lambda drawn: drawn + FIXED_POINTS)


def round_trip(expr) -> None:
    """parse(to_text(expr)) is expr; a tree that is not canonical is the known bug of
    test_properties.py::test_known_bug_second_derivatives_print_text_that_reads_back_differently."""
    back = parse(to_text(expr))
    if back is not expr:
        assert not canonical(expr), f"{to_text(expr)!r} reads back as {to_text(back)!r}"
        known_bug()


def timed(run):
    """run(), and the seconds it took; stopped as a hang after HANG seconds."""
    start = time.monotonic()
    with no_hang(HANG):
        result = run()
    return result, time.monotonic() - start


# ---------------------------------------------------------------- 1. parse: value, round trip

REFUSED_FOR_A_REASON = ("division by zero", "too large", "too small", "digits", "limit")


# About 84% of random formulas have a value at one of the points (measured on 1500): the
# rest take asin of something above 1, a negative number to a non-integer power, ...
@counted(at_least=0.7)
@property_settings(300)
@given(formulas(), points)
def test_grammatical_text_parses_to_what_it_means(formula, candidates):
    example()
    text, meaning = formula
    try:
        expr, seconds = timed(lambda: parse(text, limits=LIMITS))
    except SymdiffError as error:
        # Refused for a reason the grammar cannot see: 1/0, x/(2-2), 0^-1, a huge number.
        assert any(reason in str(error) for reason in REFUSED_FOR_A_REASON), (text, str(error))
        return
    assert seconds < SLOW, (text, seconds)
    printed = to_text(expr)
    assert parse(printed) is expr, f"{text!r} parses to {printed!r}, which reads back differently"
    for point in candidates:
        try:
            want = meaning_value(meaning, point)
        except (Undefined, Ambiguous):
            continue
        try:
            values = mp_values(expr, point)
        except Ambiguous:
            continue
        except Undefined as error:
            raise AssertionError(f"{text!r} means {mp.nstr(want, 17)} at {point}, but "
                                 f"parses to {printed!r}, undefined there ({error})") from None
        noise = decimal_noise(meaning, lambda moved: meaning_value(meaning, point, noise=moved))
        if noise == mpf("inf"):
            continue
        with mp.workdps(DIGITS):
            got = values[expr]
            bound = mpf("1e-10") * max(1, abs(want), magnitude(values)) + 64 * noise
            assert abs(got - want) <= bound, (
                f"{text!r} means {mp.nstr(want, 17)} at {point}, but parses to {printed!r}, "
                f"which is {mp.nstr(got, 17)}")
        verdict()
        return


# ---------------------------------------------------------------- 2. derivative by value

@counted(at_least=0.7)
@property_settings(200)
@given(formulas(max_depth=3), points)
def test_derivative_of_grammatical_text_agrees_with_differences(formula, candidates):
    example()
    text, meaning = formula
    names = sorted(variables_of(meaning))
    try:
        expr = parse(text, limits=LIMITS)
    except SymdiffError:
        return                                  # refused: test 1 checks the reason
    wrt = names[0] if names else "x"
    try:
        result, seconds = timed(lambda: diff(expr, wrt, limits=LIMITS))
    except SymdiffError as error:
        assert "limit" in str(error).lower(), (text, str(error))
        return
    assert seconds < SLOW, (text, seconds)
    round_trip(result)
    for point in candidates:
        try:
            sizes = []
            meaning_value(meaning, point, sizes)

            def derivative_of_meaning(moved):
                return slope(lambda v: meaning_value(meaning, {**point, wrt: v}, noise=moved),
                             point[wrt], max(sizes))
            exact = derivative_of_meaning(None)
            noise = decimal_noise(meaning, derivative_of_meaning)
        except (Undefined, Ambiguous):
            continue
        if noise == mpf("inf"):
            continue
        try:
            values = mp_values(result, point)
        except Ambiguous:
            continue
        except Undefined as error:
            raise AssertionError(f"d/d{wrt} {text!r} = {to_text(result)} is undefined at "
                                 f"{point} ({error}); differences give "
                                 f"{mp.nstr(exact, 17)}") from None
        with mp.workdps(DIGITS):
            got = values[result]
            bound = mpf("1e-10") * max(1, abs(exact), magnitude(values)) + 64 * noise
            assert abs(got - exact) <= bound, (
                f"d/d{wrt} {text!r} = {to_text(result)} is {mp.nstr(got, 17)} at {point}; "
                f"differences give {mp.nstr(exact, 17)}")
        verdict()
        return


# ---------------------------------------------------------------- 3. mutated text

GARBAGE = list("()+-*/^,.²√÷×−·x2e ") + ["**", "sin(", "log(", "0", "9" * 40, "θ", "'",
                                          "\n", "\u00a0", "\u200b", "😀", "ｘ", "\ud800",
                                          "1e999"]


@st.composite
def mutated_formulas(draw):
    text = list(draw(formulas(max_depth=3))[0])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "swap", "duplicate"]))
        i = draw(st.integers(0, len(text)))
        if kind == "insert":
            text.insert(i, draw(st.sampled_from(GARBAGE)))
        elif text and kind == "delete":
            del text[min(i, len(text) - 1)]
        elif text and kind == "replace":
            text[min(i, len(text) - 1)] = draw(st.sampled_from(GARBAGE))
        elif len(text) > 1 and kind == "swap":
            j = min(i, len(text) - 2)
            text[j], text[j + 1] = text[j + 1], text[j]
        elif text:
            j = draw(st.integers(0, len(text)))
            text[min(i, j):min(i, j)] = text[min(i, j):max(i, j)]
    return "".join(text)


@counted(at_least=1.0)
@property_settings(300)
@given(mutated_formulas())
def test_mutated_text_gives_an_expression_or_a_symdiff_error(text):
    example()
    try:
        expr, seconds = timed(lambda: parse(text, limits=LIMITS))
    except ParseError as error:
        assert 1 <= error.line and 1 <= error.column, (text, error)
        line = (text.split("\n") + [""])[error.line - 1]
        assert error.column <= len(line) + 1, (text, error.line, error.column)
        verdict()
        return
    except SymdiffError:
        verdict()
        return
    assert seconds < SLOW, (text, seconds)
    assert parse(to_text(expr)) is expr, (text, to_text(expr))
    for wrt in sorted(expr.free)[:1] or ["x"]:
        try:
            result, seconds = timed(lambda: diff(expr, wrt, limits=LIMITS))
        except SymdiffError:
            continue
        assert seconds < SLOW, (text, seconds)
        round_trip(result)
    verdict()


# ---------------------------------------------------------------- bugs found

def test_ln_with_a_base_is_refused_with_a_hint_naming_log():
    # ln is the natural logarithm, one argument; log takes a base as its second
    with pytest.raises(ParseError) as refused:
        parse("ln(x, 2)")
    assert refused.value.column == 1
    assert "ln takes 1 argument, got 2" in str(refused.value)
    assert "log(x, b)" in str(refused.value)
    with pytest.raises(ParseError, match="log takes 1 or 2 arguments, got 3"):
        parse("log(x, 2, 3)")
