"""Tests for symdiff.parser: text -> expression, and the errors for text that is not a formula.

Valid input is compared by *identity* with an expression built another way (with the
constructors and Python operators): nodes are hash-consed, so equal means the same object.
Malformed input must raise a ParseError that points, by line and column, at the problem.
"""

import json
import random
import re
from fractions import Fraction

import lark
import pytest

import symdiff.parser as parser_module
from symdiff import (Add, Call, Const, Expr, LimitError, Limits, Num, ParseError, Sym, SymdiffError,
                     UnknownFunctionError, parse, symbols)
from symdiff.expr import add, mul, neg, power
from symdiff import (acos, acosh, acot, acsc, asec, asin, asinh, atan, atanh, cbrt, cos, cosh,
                     cot, coth, csc, csch, exp, log, log2, log10, sec, sech, sign, sin, sinh, sqrt,
                     tan, tanh)

x, y, b = symbols("x y b")
PI, E = Const("pi"), Const("e")


def f_(name, *args):
    """A call of a declared (unknown) function, built without the parser."""
    return Call(name, tuple(args))


# ------------------------------------------------------------------ valid input

VALID = [
    # text               expected (built another way)
    # --- numbers
    ("42",               Num(42)),
    ("007",              Num(7)),
    ("2.5",              Num(2.5)),
    (".5",               Num(0.5)),
    ("5.",               Num(5.0)),
    ("1.5e-3",           Num(0.0015)),
    ("2E3",              Num(2000.0)),
    ("1e+2",             Num(100.0)),
    ("1/3",              Num(Fraction(1, 3))),
    ("x/3",              x * Fraction(1, 3)),
    ("2 -3",             Num(-1)),                     # a sign after a space is a difference
    # --- names and constants
    ("x1",               Sym("x1")),
    ("x_1",              Sym("x_1")),
    ("theta",            Sym("theta")),
    ("dt",               Sym("dt")),                   # one name, not d*t
    ("sinx",             Sym("sinx")),                 # one name, not sin(x)
    ("θ",                Sym("theta")),
    ("θ1",               Sym("theta1")),
    ("Ω",                Sym("Omega")),
    ("pi",               PI),
    ("π",                PI),
    ("e",                E),
    # --- operators
    ("x + y",            x + y),
    ("x - y",            x - y),
    ("x*y",              x * y),
    ("x/y",              x * y ** -1),
    ("x^2",              x ** 2),
    ("x**2",             x ** 2),
    ("2^3^2",            Num(512)),                    # right-associative: 2^(3^2)
    ("(2^3)^2",          Num(64)),
    ("x^y^2",            x ** (y ** 2)),
    ("-x^2",             -(x ** 2)),                   # minus binds looser than ^
    ("-2^2",             Num(-4)),
    ("(-x)^3",           (-x) ** 3),
    ("x^-2",             x ** -2),
    ("2^-1",             Num(Fraction(1, 2))),
    ("--x",              x),
    ("x--y",             x + y),
    ("+x",               x),
    ("x - y - 1",        x - y - 1),                   # left-associative
    ("x / y / 2",        (x / y) / 2),
    ("((x))",            x),
    ("(x + y)*(x - y)",  (x + y) * (x - y)),
    # --- implicit multiplication
    ("2x",               2 * x),
    ("2 x",              2 * x),
    ("x y",              x * y),
    ("2(x+1)",           2 * (x + 1)),
    ("(x+1)(x-1)",       (x + 1) * (x - 1)),
    ("2 sin(x)",         2 * sin(x)),
    ("x sin(x)",         x * sin(x)),
    ("sin(x)cos(x)",     sin(x) * cos(x)),
    ("2x^2",             2 * x ** 2),                  # the power binds first
    ("1/2x",             x / 2),                       # 1 / 2 * x, left to right
    ("x -y",             x - y),
    # --- built-in functions and their aliases
    ("sin(x)",           sin(x)),
    ("cos(x)",           cos(x)),
    ("tan(x)",           tan(x)),
    ("cot(x)",           cot(x)),
    ("sec(x)",           sec(x)),
    ("csc(x)",           csc(x)),
    ("asin(x)",          asin(x)),
    ("arcsin(x)",        asin(x)),
    ("acos(x)",          acos(x)),
    ("arccos(x)",        acos(x)),
    ("atan(x)",          atan(x)),
    ("arctan(x)",        atan(x)),
    ("acot(x)",          acot(x)),
    ("arccot(x)",        acot(x)),
    ("asec(x)",          asec(x)),
    ("arcsec(x)",        asec(x)),
    ("acsc(x)",          acsc(x)),
    ("arccsc(x)",        acsc(x)),
    ("sinh(x)",          sinh(x)),
    ("cosh(x)",          cosh(x)),
    ("tanh(x)",          tanh(x)),
    ("coth(x)",          coth(x)),
    ("sech(x)",          sech(x)),
    ("csch(x)",          csch(x)),
    ("asinh(x)",         asinh(x)),
    ("arcsinh(x)",       asinh(x)),
    ("arsinh(x)",        asinh(x)),
    ("acosh(x)",         acosh(x)),
    ("arccosh(x)",       acosh(x)),
    ("arcosh(x)",        acosh(x)),
    ("atanh(x)",         atanh(x)),
    ("arctanh(x)",       atanh(x)),
    ("artanh(x)",        atanh(x)),
    ("exp(x)",           exp(x)),
    ("e^x",              exp(x)),
    ("log(x)",           log(x)),
    ("ln(x)",            log(x)),
    ("log(x, b)",        log(x, b)),
    ("log2(x)",          log2(x)),
    ("log10(x)",         log10(x)),
    ("sqrt(x)",          sqrt(x)),
    ("cbrt(x)",          cbrt(x)),
    ("abs(x)",           abs(x)),
    ("sign(x)",          sign(x)),
    ("sin(x)^2",         sin(x) ** 2),
    ("sin(cos(x^2))",    sin(cos(x ** 2))),
    # --- Unicode readings
    ("x − y",            x - y),                       # U+2212 MINUS SIGN
    ("−x",               -x),
    ("2×x",              2 * x),
    ("x·y",              x * y),
    ("x⋅y",              x * y),
    ("x÷y",              x / y),
    ("x²",               x ** 2),
    ("x³",               x ** 3),
    ("x¹⁰",              x ** 10),
    ("√x",               sqrt(x)),
    ("√(x+1)",           sqrt(x + 1)),
    ("2√x",              2 * sqrt(x)),
    ("θ²",               Sym("theta") ** 2),
    ("2π",               2 * PI),
    # --- layout
    ("  x  ",            x),
    ("x +\n y",          x + y),
    ("x\r\n+ y",         x + y),
    ("\tx\t*\ty",        x * y),
    ("(x\n+\ny)\n*2\n",  2 * (x + y)),
]


@pytest.mark.parametrize("text, expected", VALID, ids=[repr(t) for t, _ in VALID])
def test_valid_input_means(text, expected):
    result = parse(text)
    assert result is expected, f"{text!r} parsed as {result}, expected {expected}"


IDENTICAL = [
    # one spelling           another
    ("2x",                   "2*x"),
    ("x^2",                  "x**2"),
    ("θ^2",                  "theta**2"),
    ("π/2",                  "pi/2"),
    ("ln(x)",                "log(x)"),
    ("x y z",                "z*y*x"),
    ("x + y",                "y + x"),
    ("√x",                   "sqrt(x)"),
    ("x²",                   "x^2"),
    ("x − 1",                "x - 1"),
]


@pytest.mark.parametrize("one, other", IDENTICAL)
def test_spellings_give_the_same_node(one, other):
    a, b_ = parse(one), parse(other)
    assert a is b_


def test_exact_fraction_is_kept():
    node = parse("x/3")
    coefficient = node.factors[0].value
    assert type(coefficient) is Fraction and coefficient == Fraction(1, 3)


def test_integer_and_decimal_are_different_numbers():
    assert type(parse("2").value) is int
    assert type(parse("2.0").value) is float
    assert parse("2") is not parse("2.0")
    assert type(parse("1e5").value) is float


def test_declared_function():
    assert parse("f(x)", functions=["f"]) is f_("f", x)
    assert parse("f(x^2) + g(y)", functions="f, g") is f_("f", x ** 2) + f_("g", y)
    assert parse("f'(x)", functions=["f"]) is f_("f'", x)
    assert parse("f''(x)", functions=["f"]) is f_("f''", x)


@pytest.mark.parametrize("functions, exception", [
    (["sin"],  ValueError),          # a built-in cannot be declared
    (["f(x)"], ValueError),          # not an identifier
    (["f'"],   ValueError),
])
def test_bad_function_declarations(functions, exception):
    with pytest.raises(exception):
        parse("x", functions=functions)


def test_parse_passes_expressions_through_and_refuses_other_types():
    e = x + 1
    assert parse(e) is e
    with pytest.raises(TypeError):
        parse(42)
    with pytest.raises(TypeError):
        parse(None)


def test_long_flat_sum_is_one_add():
    n = 10_000
    result = parse(" + ".join(f"x{i}" for i in range(n)))
    assert type(result) is Add
    assert len(result.terms) == n
    assert all(type(t) is Sym for t in result.terms)          # flat, not a deep tree
    assert {t.name for t in result.terms} == {f"x{i}" for i in range(n)}


def test_long_flat_product_is_one_mul():
    n = 2_000
    result = parse("*".join(f"x{i}" for i in range(n)))
    assert len(result.factors) == n and all(type(f) is Sym for f in result.factors)


def test_deep_brackets_do_not_recurse():
    depth = 5_000
    assert parse("(" * depth + "x" + ")" * depth) is x


# ------------------------------------------------------------------ malformed input

def _visible_caret(err: ParseError) -> None:
    """str(err) is 'line L, column C: message', the source line, then a caret under column C."""
    rendered = str(err).splitlines()
    assert rendered[0] == f"line {err.line}, column {err.column}: {err.message}"
    source = (err.text.splitlines() or [""])[err.line - 1]
    assert len(source) < 60, "test inputs are short: no windowing"
    caret = next(i for i, row in enumerate(rendered) if row.strip() == "^")
    assert caret == 2, "the caret line follows the source line"
    assert len(rendered[1]) == 2 + len(source)
    assert rendered[1].startswith("  ")
    assert rendered[caret].index("^") == 2 + err.column - 1


MALFORMED = [
    # text                line col  under  message contains                                      hint contains
    # --- numbers misread as products
    ("2 3",               1,  3,   "3",   "unexpected '3'",                                      "write *"),
    ("12 345",            1,  4,   "3",   "unexpected '345'",                                    "write *"),
    ("0x1F",              1,  1,   "0",   "'0x1F' is not a number",                              "decimal"),
    ("1_000",             1,  1,   "1",   "'1_000' is not a number",                             "decimal"),
    # --- brackets
    ("(x+1",              1,  5,   "",    "'(' opened at column 1 is never closed",             ""),
    ("x+1)",              1,  4,   ")",   "unexpected ')'",                                      "no '(' to close"),
    ("((x)",              1,  5,   "",    "'(' opened at column 1 is never closed",             ""),
    ("sin(x",             1,  6,   "",    "'(' opened at column 4 is never closed",             ""),
    ("x + (y",            1,  7,   "",    "'(' opened at column 5 is never closed",             ""),
    ("x+\n(y",            2,  3,   "",    "'(' opened at column 1 is never closed",             ""),
    ("(x+\ny",            2,  2,   "",    "'(' opened at line 1, column 1 is never closed",     ""),
    ("x+\ny)",            2,  2,   ")",   "unexpected ')'",                                      "no '(' to close"),
    ("x y )",             1,  5,   ")",   "unexpected ')'",                                      "no '(' to close"),
    ("()",                1,  2,   ")",   "unexpected ')'",                                      ""),
    ("[x]",               1,  1,   "[",   "unexpected character '['",                            "round brackets"),
    # --- empty input and lone operators
    ("",                  1,  1,   "",    "empty formula",                                       ""),
    ("   \n\t",           1,  1,   " ",   "empty formula",                                       ""),
    ("+",                 1,  2,   "",    "unexpected end of input",                             ""),
    ("-",                 1,  2,   "",    "unexpected end of input",                             ""),
    ("*",                 1,  1,   "*",   "unexpected '*'",                                      ""),
    ("x++",               1,  4,   "",    "unexpected end of input",                             ""),
    ("2**",               1,  4,   "",    "unexpected end of input",                             ""),
    ("x^",                1,  3,   "",    "unexpected end of input",                             ""),
    ("x +",               1,  4,   "",    "unexpected end of input",                             ""),
    ("x+*y",              1,  3,   "*",   "unexpected '*'",                                      ""),
    ("x^^2",              1,  3,   "^",   "unexpected '^'",                                      ""),
    ("x,y",               1,  2,   ",",   "unexpected ','",                                      ""),
    # --- calls
    ("log()",             1,  1,   "l",   "log takes 1 or 2 arguments, got 0",                   ""),
    ("log(x,y,z)",        1,  1,   "l",   "log takes 1 or 2 arguments, got 3",                   ""),
    ("sin()",             1,  1,   "s",   "sin takes 1 argument, got 0",                         ""),
    ("sin(x,y)",          1,  1,   "s",   "sin takes 1 argument, got 2",                         ""),
    ("2+cos(x,y)",        1,  3,   "c",   "cos takes 1 argument, got 2",                         ""),
    ("sin(x,)",           1,  7,   ")",   "unexpected ')'",                                      ""),
    ("sin(,x)",           1,  5,   ",",   "unexpected ','",                                      ""),
    ("sin x",             1,  1,   "s",   "'sin' is a function and needs an argument",           "write sin(...)"),
    ("sqrt",              1,  1,   "s",   "'sqrt' is a function and needs an argument",          "write sqrt(...)"),
    ("sin^-1(x)",         1,  5,   "-",   "sin^-1(x) is not read",                               "did you mean asin(x) (the inverse function) or 1/sin(x) (the reciprocal)?"),
    ("sin'(x)",           1,  1,   "s",   "primes are for declared functions; 'sin' is built in", ""),
    ("arcsinn(x)",        1,  1,   "a",   "unknown function 'arcsinn'",                          "did you mean arcsin?"),
    ("e(x)",              1,  1,   "e",   "unknown function 'e'",                                "e*(...)"),
    ("x(x+1)",            1,  1,   "x",   "x is used both as a variable and as a function",     "x*(...)"),
    ("2 + y(x*y)",        1,  5,   "y",   "y is used both as a variable and as a function",     "y*(...)"),
    ("f(x) + f(x, y)",    1,  8,   "f",   "f takes 1 argument, as first used at column 1",       "same number of arguments"),
    # --- Python, not formulas
    ("__import__('os')",  1,  12,  "'",   "unexpected character \"'\"",                          "strings are not part of formulas"),
    ("x.__class__",       1,  2,   ".",   "unexpected character '.'",                            "attribute access"),
    ("eval('1')",         1,  6,   "'",   "unexpected character",                                "strings"),
    ("(lambda: 1)()",     1,  8,   ":",   "unexpected character ':'",                            ""),
    ("x; import os",      1,  2,   ";",   "unexpected character ';'",                            "single expression"),
    ("'x'",               1,  1,   "'",   "unexpected character",                                "strings"),
    ("x # y",             1,  3,   "#",   "unexpected character '#'",                            "no statements or comments"),
    ("x == 1",            1,  3,   "=",   "'==' compares; a formula is not a comparison",        "a single '='"),
    ("x%2",               1,  2,   "%",   "unexpected character '%'",                            ""),
    ("x!",                1,  2,   "!",   "unexpected character '!'",                            ""),
    # --- numbers out of range
    ("1e999",             1,  1,   "1",   "too large for a float",                               ""),
    ("2 + 1e-999",        1,  5,   "1",   "too small for a float",                               ""),
    # --- characters that are not part of the language
    ("$",                 1,  1,   "$",   "unexpected character '$'",                            ""),
    ("x@y",               1,  2,   "@",   "unexpected character '@'",                            ""),
    ("x\x00",             1,  2,   "\x00", "U+0000",                                             ""),
    ("x\u200by",          1,  2,   "\u200b", "U+200B",                                           ""),
    ("x😀",               1,  2,   "😀",  "U+1F600",                                             ""),
    ("ｘ",                1,  1,   "ｘ",  "U+FF58",                                              ""),
    ("x⁻",                1,  2,   "⁻",   "U+207B",                                              ""),
    ("θ + $",             1,  5,   "$",   "unexpected character '$'",                            ""),
    ("x\\y",              1,  2,   "\\",  "unexpected character",                                ""),
]


@pytest.mark.parametrize("text, line, column, under, message, hint", MALFORMED,
                         ids=[repr(row[0]) for row in MALFORMED])
def test_malformed_input(text, line, column, under, message, hint):
    with pytest.raises(ParseError) as caught:
        parse(text)
    err = caught.value
    assert (err.line, err.column) == (line, column)
    source = text.splitlines()[line - 1] if text.splitlines() else ""
    assert source[column - 1:column] == under, "the column points at the offending character"
    assert message in err.message
    assert hint in err.hint
    assert err.text == text
    _visible_caret(err)


def test_malformed_input_covers_enough_cases():
    assert len(MALFORMED) >= 30


def test_zero_width_space_names_its_code_point():
    with pytest.raises(ParseError) as caught:
        parse("x\u200b + 1")
    assert "U+200B" in str(caught.value)
    assert "ZERO WIDTH SPACE" in str(caught.value)
    caret_source = str(caught.value).splitlines()[1]
    assert "\u200b" not in caret_source            # replaced, so the caret stays aligned


UNKNOWN = [
    # text          name        suggestion
    ("arcsinn(x)",  "arcsinn",  "arcsin"),
    ("sinn(x)",     "sinn",     "sin"),
    ("sqr(x)",      "sqr",      "sqrt"),
    ("expp(x)",     "expp",     "exp"),
    ("e(x)",        "e",        None),        # a constant's name; foo(x) is an unknown function
]


@pytest.mark.parametrize("text, name, suggestion", UNKNOWN)
def test_unknown_function(text, name, suggestion):
    with pytest.raises(UnknownFunctionError) as caught:
        parse(text)
    err = caught.value
    assert isinstance(err, ParseError)
    assert err.name == name
    assert err.suggestion == suggestion
    if suggestion:
        assert f"did you mean {suggestion}?" in str(err)
    else:
        assert "did you mean" not in str(err)
        assert f"{name}*(...)" in str(err)             # the product it may have meant


def test_declared_function_with_another_arity():
    # a declared function takes the number of arguments of its first use (issue 17, item 2)
    with pytest.raises(ParseError, match="f takes 2 arguments, as first used at column 1; "
                                         "here it has 1") as caught:
        parse("f(x, y) + f(x)", functions=["f"])
    assert (caught.value.line, caught.value.column) == (1, 11)


def test_declared_functions_can_be_suggested():
    with pytest.raises(UnknownFunctionError) as caught:
        parse("phii(x)", functions=["phi"])
    assert caught.value.suggestion == "phi"


def test_error_hierarchy():
    assert issubclass(ParseError, ValueError)
    assert issubclass(ParseError, SymdiffError)
    assert issubclass(UnknownFunctionError, ParseError)
    with pytest.raises(ValueError):
        parse("(x")


FUZZ_PIECES = ["x", "y", "2", "3.5", "1e3", "1e999", "(", ")", "(", ")", "+", "-", "*", "/", "^",
               "**", "sin", "log", "f", ",", "θ", "√", "²", " ", "\n", "'", "$", ".", "e", "−",
               "\u200b", "[", "0", "#"]


def test_no_lark_exception_escapes():
    rng = random.Random(20240229)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(3000):
        text = "".join(rng.choice(FUZZ_PIECES) for _ in range(rng.randint(1, 12)))
        try:
            result = parse(text)
        except SymdiffError as err:
            assert not isinstance(err, lark.exceptions.LarkError), repr(text)
            assert not isinstance(err.__cause__, lark.exceptions.LarkError), repr(text)
            if isinstance(err, ParseError):
                assert 1 <= err.line <= text.count("\n") + 1, repr(text)
                assert err.column >= 1, repr(text)
            outcomes["error"] += 1
        except lark.exceptions.LarkError as err:  # pragma: no cover - the failure we look for
            pytest.fail(f"{type(err).__name__} escaped parse({text!r})")
        else:
            assert isinstance(result, Expr)
            outcomes["ok"] += 1
    assert outcomes["ok"] > 100 and outcomes["error"] > 100      # both paths were exercised


def test_errors_do_not_chain_lark_exceptions():
    with pytest.raises(ParseError) as caught:
        parse("x+")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


# ------------------------------------------------------------------ fixed bugs (regression tests)

def test_number_with_two_decimal_points_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse("2.5.3")
    assert caught.value.column == 4


def test_undeclared_primed_function_note_names_the_base_function():
    notes: list = []
    assert parse("f'(x)", warn=notes.append) is parse("f'(x)", functions=["f"])
    assert "functions=['f']" in str(notes[0])
    assert "--func f " in str(notes[0])


def test_constant_overflow_is_a_parse_error_with_position():
    with pytest.raises(ParseError) as caught:
        parse("1e308 * 10")
    assert caught.value.line == 1


# ------------------------------------------------------------------ our loop over Lark's tables

# Texts where the loop and Lark's contextual lexer could part ways, and Build errors away
# from line 1 (their positions come from the token's index, not from Lark's line counter).
DIVERGENT = ["x²**2", "x² ** 2", "x^2**3", "2**-x", "x**2**3", "x ** * 2", "2 ³", "x²³", "√√x",
             "√-x", "f'(x)", "f''(x, y)", "x +\n  sin(x, y)", "x\n+ 1/0", "1 +\n\n 0x1F",
             "a\n*\nb\n/\n0", "1e308 * 10", "(1e308)^2", "2^-1^2", "log(x,)", "log(,)",
             "sin(x)(y)", "(x)(y)z", "x y z 2", "x  \t\r\n y", "−x − −y", "x×y÷z·w⋅v"]


def _outcome(text, **options):
    """What parse makes of a text: the node, or the error with all it says."""
    try:
        return parse(text, **options)
    except SymdiffError as error:
        return (type(error), str(error), getattr(error, "expected", None),
                getattr(error, "hint", None))


def _corpus():
    rng = random.Random(20251204)
    texts = [t for t, _ in VALID] + [row[0] for row in MALFORMED] + [t for t, _, _ in UNKNOWN]
    texts += DIVERGENT
    texts += ["".join(rng.choice(FUZZ_PIECES) for _ in range(rng.randint(1, 14)))
              for _ in range(3000)]
    return texts


def test_the_loop_and_lark_agree_on_every_outcome(monkeypatch):
    """The loop decides what it is sure of and hands the rest to Lark: whichever way a
    text goes, parse gives the same node, or the same error, as Lark alone does."""
    texts = _corpus()
    handed_over = []
    with_lark = parser_module._parse_with_lark
    monkeypatch.setattr(parser_module, "_parse_with_lark",
                        lambda text: handed_over.append(text) or with_lark(text))
    ours = [_outcome(t) for t in texts] + [_outcome("f'(x) + g(x, y)", functions="f g"),
                                           _outcome("f(x, y)", functions=["f"])]
    handed = len(handed_over)
    monkeypatch.setattr(parser_module, "_machine", lambda: None)
    larks = [_outcome(t) for t in texts] + [_outcome("f'(x) + g(x, y)", functions="f g"),
                                            _outcome("f(x, y)", functions=["f"])]
    for text, mine, lark_alone in zip(texts, ours, larks):
        assert mine == lark_alone, repr(text)
    assert handed > 1000 and len(texts) - handed > 400        # both ways were taken often


def test_the_loop_reads_every_valid_formula_without_lark(monkeypatch):
    def refuse(text):
        raise AssertionError(f"Lark was asked to read {text!r}")
    monkeypatch.setattr(parser_module, "_parse_with_lark", refuse)
    for text, expected in VALID:
        assert parse(text) is expected, repr(text)


def test_the_loop_is_in_use_with_the_installed_lark():
    assert parser_module._machine() is not None


def test_the_tables_are_plain_data_that_survive_json():
    tables = parser_module._tables_from_lark(parser_module._parser())
    assert json.loads(json.dumps(tables)) == tables
    machine = parser_module._Machine(json.loads(json.dumps(tables)))
    token = parser_module._source.set(parser_module._Source("2x sin(x)", frozenset()))
    try:
        assert machine.parse("2x sin(x)") is 2 * x * sin(x)
    finally:
        parser_module._source.reset(token)


def _call_rule(tables):
    """The first rule that calls a method of Build."""
    return next(rule for rule in tables["rules"] if rule[2] == "call")


def _spoiled(change):
    tables = json.loads(json.dumps(parser_module._tables_from_lark(parser_module._parser())))
    change(tables)
    return tables


@pytest.mark.parametrize("change", [
    lambda t: _call_rule(t).__setitem__(3, "__init__"),             # not a rule method of Build
    lambda t: _call_rule(t).__setitem__(3, "_number"),
    lambda t: _call_rule(t).__setitem__(2, "exec"),                 # no such kind of reduction
    lambda t: _call_rule(t)[4].__setitem__(0, [9, False, 0]),       # a child beyond the rule
    lambda t: _call_rule(t).__setitem__(0, -1),
    lambda t: t["table"][0].__setitem__("NAME", 10_000),            # no such state
    lambda t: t["table"][0].__setitem__("NAME", -10_000),           # no such rule
    lambda t: t["table"][0].__setitem__("NAME", True),              # not an int
    lambda t: t.__setitem__("start", "0"),
    lambda t: t["terminals"].append(["BAD NAME", "x"]),
    lambda t: t["terminals"].append(["NAME", "y"]),                 # twice
    lambda t: t["terminals"].append(["OPEN", "("]),                 # not a regular expression
    lambda t: t.pop("rules"),
    lambda t: t.__setitem__("table", [[]]),
])
def test_tables_that_we_did_not_write_are_refused(change):
    with pytest.raises((ValueError, TypeError, KeyError, re.error)):
        parser_module._Machine(_spoiled(change))


# ------------------------------------------------------------------ large input (no clocks here:
# bench/hostile.py measures time; these check the result, built another way)

def test_a_long_sum_of_products_is_one_add_of_the_terms():
    n = 20_000
    text = "+".join(f"x^{i % 97}*{i}" for i in range(1, n))
    assert parse(text) is add(*(mul(power(x, Num(i % 97)), Num(i)) for i in range(1, n)))


def test_a_long_difference_and_a_long_sum_of_one_name():
    assert parse("-".join(["x"] * 50_001)) is add(x, *[neg(x)] * 50_000)
    assert parse("+".join(["x"] * 50_000)) is add(*[x] * 50_000)


def test_a_long_product_of_sums_is_one_mul_of_the_factors():
    n = 5_000
    text = "*".join(f"(x+{i})" for i in range(1, n))
    assert parse(text) is mul(*(add(x, Num(i)) for i in range(1, n)))


def test_a_hundred_thousand_nested_brackets_and_minuses():
    assert parse("(" * 100_000 + "x" + ")" * 100_000) is x
    assert parse("-" * 100_001 + "x") is -x
    assert parse("sin(" * 2_000 + "x" + ")" * 2_000).fn == "sin"


def test_a_tower_of_powers_is_right_associative():
    expected = x
    for _ in range(2_999):
        expected = x ** expected
    assert parse("^".join(["x"] * 3_000)) is expected


def _deepest(text):
    """The nesting depth of round brackets, counted the plain way (an oracle)."""
    depth = deepest = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    return deepest


def test_the_depth_check_counts_the_deepest_nesting_however_unbalanced():
    rng = random.Random(7)
    for _ in range(500):
        text = "".join(rng.choice("(()x+") for _ in range(rng.randint(0, 30)))
        limit = rng.randint(1, 6)
        try:
            parser_module._check_size(text, Limits(max_depth=limit))
        except LimitError as error:
            assert _deepest(text) > limit and f"{_deepest(text):,} deep" in str(error), text
        else:
            assert _deepest(text) <= limit, text


# ------------------------------------------------------------------ notations and hints (issue 17)

from hypothesis import given, strategies as st                      # noqa: E402

import warnings                                                      # noqa: E402

from symdiff import Equation, SymdiffWarning, parse_equation      # noqa: E402
from symdiff.functions import known_names, resolve             # noqa: E402

u = Sym("u")
theta = Sym("theta")

FUNCTION_POWERS = [
    # text                    expected (built without the parser)
    ("sin^2(x)",              power(sin(x), Num(2))),
    ("sin**3(x)",             power(sin(x), Num(3))),
    ("sin²(x)",               power(sin(x), Num(2))),
    ("sin^(2)(x)",            power(sin(x), Num(2))),
    ("sin^+2(x)",             power(sin(x), Num(2))),
    ("cos ^ 2 (x)",           power(cos(x), Num(2))),
    ("sin^1(x)",              sin(x)),
    ("ln^2(x)",               power(log(x), Num(2))),
    ("log^2(x, 2)",           power(log(x, Num(2)), Num(2))),
    ("arctg^2(x)",            power(atan(x), Num(2))),
    ("tg³(x)",                power(tan(x), Num(3))),
    ("sqrt^2(x)",             x),
    ("abs^3(x)",              power(Call("abs", (x,)), Num(3))),
    ("2sin^2(x)cos(x)",       mul(Num(2), power(sin(x), Num(2)), cos(x))),
    ("sin^2(x)^3",            power(sin(x), Num(6))),          # (sin(x)^2)^3, as sin(x)^2^3 is not
    ("sin^2(x) + cos^2(x)",   add(power(sin(x), Num(2)), power(cos(x), Num(2)))),
    ("sinh^2(θ)",             power(sinh(theta), Num(2))),
    ("y^2(x+1)",              mul(power(y, Num(2)), add(x, Num(1)))),   # y is no function
    ("x⁻¹",                   power(x, Num(-1))),
    ("x⁻²",                   power(x, Num(-2))),
    ("2⁻¹",                   Num(Fraction(1, 2))),
]


@pytest.mark.parametrize("text, expected", FUNCTION_POWERS, ids=[r[0] for r in FUNCTION_POWERS])
def test_a_power_on_a_function_name_is_the_power_of_the_call(text, expected):
    assert parse(text) is expected


@given(st.sampled_from(sorted(n for n in known_names() if resolve(n).arity == 1)),
       st.integers(1, 5), st.sampled_from(["^", "**", " ^ "]))
def test_every_name_of_the_table_takes_a_power(name, n, operator):
    assert parse(f"{name}{operator}{n}(x + 1)") is parse(f"{name}(x + 1)^{n}")


REFUSED_NOTATIONS = [
    # text           column  message                                  hint
    ("sin^-1(x)",     5,  "sin^-1(x) is not read",                  "did you mean asin(x) (the inverse function) or 1/sin(x) (the reciprocal)?"),
    ("sin^(-1)(x)",   5,  "sin^-1(x) is not read",                  "asin(x) (the inverse function)"),
    ("sin⁻¹(x)",      4,  "sin^-1(x) is not read",                  "asin(x) (the inverse function)"),
    ("2 + cosh^-1(2x)", 10, "cosh^-1(2*x) is not read",              "did you mean acosh(2*x) (the inverse function) or 1/cosh(2*x)"),
    ("arctan^-1(x)",  8,  "arctan^-1(x) is not read",               "did you mean tan(x) (the inverse function)"),
    ("exp^-1(x)",     5,  "exp^-1(x) is not read",                  "did you mean 1/exp(x) (the reciprocal)?"),
    ("log^-1(x)",     5,  "log^-1(x) is not read",                  "did you mean 1/log(x) (the reciprocal)?"),
    ("sin^x(x)",      5,  "only a power of 1, 2, 3, ... can be written on a function's name, not x", "write sin(x)^x"),
    ("sin^n (x)",     5,  "not n",                                  "write sin(x)^n"),
    ("sin^-n(x)",     5,  "not -n",                                 "write sin(x)^-n"),
    ("sin^0.5(x)",    5,  "not 0.5",                                "write sin(x)^(0.5)"),
    ("sin^(1/2)(x)",  5,  "not 1/2",                                "write sin(x)^(1/2)"),
    ("sin^-2(x)",     5,  "not -2",                                 "write sin(x)^(-2)"),
    ("sin^0(x)",      5,  "not 0",                                  "write sin(x)^0"),
    ("sin^2 x",       7,  "unexpected 'x'",                         "takes its argument in brackets, as in sin^2(x)"),
    ("sin^2",         6,  "unexpected end of input",                "takes its argument in brackets"),
    ("sin^2(x, y)",   1,  "sin takes 1 argument, got 2",            ""),
]


def test_a_power_on_a_declared_function_name_is_refused_with_both_readings():
    with pytest.raises(ParseError) as caught:
        parse("1 + f^2(x)", functions=["f"])
    assert caught.value.column == 5
    assert "f(x)^2" in caught.value.hint and "f(f(x))" in caught.value.hint


def _notes(text, **options):
    """The notes parse gives ``text``, each a SymdiffWarning, and the expression."""
    notes = []
    result = parse(text, warn=notes.append, **options)
    assert all(type(n) is SymdiffWarning for n in notes)
    return result, notes


def test_an_equation_y_equals_is_read_as_its_right_hand_side():
    result, notes = _notes("y = x^2 + 1")
    assert result is add(power(x, Num(2)), Num(1))
    note, = notes
    assert (note.line, note.column) == (1, 3)
    assert "right-hand side of y = x^2 + 1" in note.message
    assert str(note).splitlines()[2] == "    ^"


@pytest.mark.parametrize(("text", "expected"), [
    ("f(x) = 5x + x + 2", "5x + x + 2"), ("f(x, y) = x*y", "x*y"), ("g(t) = sin(t)", "sin(t)"),
])
def test_a_function_definition_is_read_as_its_right_hand_side(text, expected):
    result, notes = _notes(text)
    assert result is parse(expected)
    note, = notes                       # only this one: f is no unknown function after all
    assert "the definition of" in note.message and (note.line, note.column) == (1, text.index("=") + 1)


@pytest.mark.parametrize("text", ["f(x) = f(x)^2", "f(x, x) = x", "f(2) = 4"])
def test_a_definition_that_uses_itself_or_no_variables_is_an_equation(text):
    with pytest.raises(ParseError, match="not differentiated directly"):
        parse(text)


@pytest.mark.parametrize(("text", "column"), [("d/dx x^2", 1), ("  d / dt (sin(t))", 3)])
def test_leibniz_operator_before_the_formula_is_refused_with_the_variable(text, column):
    with pytest.raises(ParseError, match="is not read: symdiff differentiates") as caught:
        parse(text)
    assert caught.value.column == column and "--wrt" in str(caught.value)


def test_a_trailing_differential_is_a_variable_with_a_note():
    result, notes = _notes("x^2 dx")
    assert result.free == {"x", "dx"}
    note, = notes
    assert note.column == 5 and "dx is read as a variable" in note.message
    assert _notes("x*dx + y")[1] == []          # only at the end, after its variable


def test_the_note_reaches_warnings_and_points_at_the_callers_line():
    with pytest.warns(SymdiffWarning, match="right-hand side") as caught:
        assert symdiff_api_diff("y = x^3", "x") is mul(Num(3), power(x, Num(2)))
    assert caught[0].filename == __file__


def symdiff_api_diff(*args):
    from symdiff import diff
    return diff(*args)


def test_parse_equation_gives_both_sides():
    assert parse_equation("x^2 + y^2 = 1") == Equation(add(power(x, Num(2)), power(y, Num(2))), Num(1))
    assert parse_equation("y = y^2").rhs is power(y, Num(2))
    assert parse_equation("f(x) = x", functions=["f"]).lhs is f_("f", x)
    with pytest.raises(ParseError, match="an equation needs '='") as caught:
        parse_equation("x^2 + 1")
    assert caught.value.column == 8


REFUSED_NOTATIONS += [
    # equations, comparisons
    ("x^2 + y^2 = 1", 11, "an equation is not differentiated directly", "solve it for one variable"),
    ("y = y^2",       3,  "y occurs on both sides; an equation is not differentiated directly", "write y = ..."),
    ("2 = x",         3,  "an equation is not differentiated directly", "--implicit y"),
    ("y = x = 2",     7,  "a second '=': one equation at a time",  "a single equation"),
    ("x == 1",        3,  "'==' compares; a formula is not a comparison", "a single '='"),
    ("y := x^2",      3,  "':=' assigns; a formula is not an assignment", "or the formula alone"),
    ("x <= 1",        3,  "'<=' makes an inequality",               "the formula alone"),
    ("x ≥ 1",         3,  "'≥' makes an inequality",                "the formula alone"),
    ("0 < x < 1",     3,  "'<' makes an inequality",                "the formula alone"),
    ("x << 2",        3,  "'<' makes an inequality",                "the formula alone"),
    ("(y = x)",       4,  "unexpected '='",                         "outside any brackets"),
    ("= x",           1,  "unexpected '='",                         "outside any brackets"),
    ("y =",           4,  "unexpected end of input",                "'=' needs a right-hand side"),
    ("x ==",          5,  "unexpected end of input",                "a single '='"),
]


@pytest.mark.parametrize("text, column, message, hint", REFUSED_NOTATIONS, ids=[r[0] for r in REFUSED_NOTATIONS])
def test_notations_that_are_refused(text, column, message, hint):
    with pytest.raises(ParseError) as caught:
        parse(text)
    err = caught.value
    assert (err.line, err.column) == (1, column), str(err)
    assert message in err.message
    assert hint in err.hint
    _visible_caret(err)


def test_an_equation_the_formula_cannot_be_hints_at_solving_and_implicit_differentiation():
    with pytest.raises(ParseError) as caught:
        parse("x^2 + y^2 = 1")
    assert "solve it for one variable" in caught.value.hint
    assert "differentiate it implicitly with --implicit y" in caught.value.hint


NAMED_LIKE_CALLS = {          # the name: the call its note suggests
    "sinx": "sin(x)", "lnx": "ln(x)", "cosx": "cos(x)", "sqrtx": "sqrt(x)", "expx": "exp(x)",
    "sin2x": "sin(2x)", "log2x": "log2(x)", "tanθ": "tan(θ)", "arcsinx1": "arcsin(x1)",
    "tgx": "tg(x)", "Sin": "the function sin", "COS": "the function cos", "Sinx": "sin(x)",
}


@pytest.mark.parametrize("text, meant", NAMED_LIKE_CALLS.items())
def test_a_variable_named_like_a_call_gets_a_note(text, meant):
    result, notes = _notes(f"2 + {text}")
    assert type(result) is Add                       # still read as a variable
    note, = notes
    assert note.message == f"{text} is read as a variable; did you mean {meant}?"
    assert (note.line, note.column) == (1, 5)


@pytest.mark.parametrize("text", ["cost", "sine", "expr", "logs", "x", "theta", "xsin", "sin_x",
                                  "expected", "cosine", "sinxy", "lnxy", "dt", "Deltax"])
def test_ordinary_names_get_no_note(text):
    assert _notes(text)[1] == []


def test_one_note_per_name_however_often_it_occurs():
    assert len(_notes("sinx + sinx^2 + lnx")[1]) == 2


CASES_AND_ALIASES = [
    # text          suggestion
    ("Sin(x)",      "sin"),
    ("COS(x)",      "cos"),
    ("Log(x)",      "log"),
    ("LN(x)",       "ln"),
    ("ArcTg(x)",    "arctg"),
    ("sh(x)",       "sinh"),
    ("ch(x)",       "cosh"),
    ("th(x)",       "tanh"),
    ("lg(x)",       "log10"),
    ("Phi(x)",      "phi"),                       # declared below
]


@pytest.mark.parametrize("text, suggestion", CASES_AND_ALIASES)
def test_did_you_mean_ignores_case_and_knows_other_names(text, suggestion):
    with pytest.raises(UnknownFunctionError) as caught:
        parse(text, functions=["phi"])
    assert caught.value.suggestion == suggestion
    assert f"did you mean {suggestion}?" in str(caught.value)


@pytest.mark.parametrize("alias, function", [
    ("tg", tan), ("ctg", cot), ("cotg", cot), ("arctg", atan), ("arcctg", acot), ("cosec", csc),
    ("arccosec", acsc), ("sgn", sign), ("arcsin", asin)])
def test_aliases_from_other_traditions(alias, function):
    assert parse(f"{alias}(x^2)") is function(power(x, Num(2)))


@pytest.mark.parametrize(("written", "meant"), [
    # other systems' names for functions of the table (GiNaC, Maxima, C, Mathematica, SymPy)
    ("tgamma(x)", "gamma(x)"), ("log_gamma(x)", "loggamma(x)"), ("signum(x)", "sign(x)"),
    ("fabs(x)", "abs(x)"), ("fmin(x, 1)", "min(x, 1)"), ("fmax(x, y)", "max(x, y)"),
    ("Max(x, 1)", "max(x, 1)"), ("lambert_w(x)", "LambertW(x)"), ("ProductLog(x)", "LambertW(x)"),
    ("bessel_j(0, x)", "besselj(0, x)"), ("BesselK(1, x)", "besselk(1, x)"),
    ("expintegral_ei(x)", "Ei(x)"), ("SinIntegral(x)", "Si(x)"), ("CosIntegral(x)", "Ci(x)"),
    # and their names for formulas
    ("pow(x, 3)", "x^3"), ("Pow(x, y)", "x^y"), ("sq(sin(x))", "sin(x)^2"),
    ("root(x, 3)", "x^(1/3)"), ("nthRoot(6x)", "sqrt(6x)"), ("nthRoot(6x, 3)", "(6x)^(1/3)"),
    ("log1p(x)", "log(1 + x)"), ("expm1(2x)", "exp(2x) - 1"), ("trigamma(x)", "polygamma(1, x)"),
    ("psi(1, x)", "polygamma(1, x)"), ("psi(x)", "digamma(x)"), ("step(x - 1)", "Heaviside(x - 1)"),
    ("unit_step(x)", "Heaviside(x)"),
    # min and max of several arguments
    ("max(x, 1, y)", "max(max(x, 1), y)"), ("Min(x, 2, y, z)", "min(min(min(x, 2), y), z)"),
])
def test_other_systems_names(written, meant):
    assert parse(written) is parse(meant)


@pytest.mark.parametrize(("text", "message"), [
    ("pow(x)", "pow takes 2 arguments, got 1"), ("nthroot(x, 2, 3)", "takes 1 or 2 arguments"),
    ("max(x)", "max takes 2 arguments or more, got 1"), ("root(x, 0)", "a 0th root is undefined"),
])
def test_other_systems_names_check_their_arguments(text, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        parse(text)


def test_names_for_formulas_stay_free_for_variables():
    assert parse("step*x + sq + root").free == {"step", "x", "sq", "root"}


@pytest.mark.parametrize("text, expected", [
    ("x²",        power(x, Num(2))),
    ("√x",        power(x, Num(Fraction(1, 2)))),
    ("π x",       mul(PI, x)),
    ("x·y",       mul(x, y)),
    ("x×y",       mul(x, y)),
    ("x − y",     add(x, neg(y))),
    ("θ²",        power(theta, Num(2))),
])
def test_unicode_notations_keep_working_without_notes(text, expected):
    result, notes = _notes(text)
    assert result is expected and notes == []


def test_no_warning_escapes_for_plain_formulas():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse("x^2 + sin(x)^2 + y")


@pytest.mark.parametrize("name", ["gamma", "Gamma", "beta", "psi", "betax", "besseljx"])
def test_greek_letters_and_functions_of_two_arguments_get_no_note(name):
    """gamma, beta, psi are Greek letters as well as functions; beta(x) is no call of one
    argument, so betax is not a misspelt call."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse(f"{name}*x").free == {name, "x"}
