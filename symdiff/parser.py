"""Text to expression: the Lark grammar, driven without building a parse tree.

The LALR parser calls :class:`Build` as it reduces, so nodes come out of the
canonical constructors directly and deep input never recurses.  Nothing in the
text is ever evaluated: names are looked up in the function table or become
variables, and every failure is a :class:`ParseError` that points into the text.

>>> parse("2x sin(x)")
2*x*sin(x)
>>> parse("θ^2") is parse("theta**2")
True
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import os
import unicodedata
from functools import lru_cache
from pathlib import Path

import lark
from lark import Lark, Token

from .errors import EvaluationError, LimitError, ParseError, UnknownFunctionError
from .expr import (E, MINUS_ONE, PI, ZERO, Expr, Num, Sym, add, call, mul, neg, power, spell)
from .functions import known_names, lookup, resolve
from .limits import Limits, current_limits, use_limits

CONSTANTS = {"pi": PI, "e": E}
SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
DIVIDE = {"/", "÷"}

# How the parser's terminal names read in an error message.
TERMINALS = {
    "NUMBER": "a number", "NAME": "a name", "CALLNAME": "a function call", "LPAR": "'('",
    "RPAR": "')'", "COMMA": "','", "ADD_OP": "'+' or '-'", "MUL_OP": "'*' or '/'",
    "POW_OP": "'^'", "SUPERSCRIPT": "a superscript", "ROOT": "'√'", "$END": "the end of input",
}


def grammar_text() -> str:
    """The grammar, from the installed package (the wheel puts it in symdiff/grammar/)
    or, in a checkout or an editable install, from the top-level grammar/."""
    here = Path(__file__).resolve().parent
    for path in (here / "grammar" / "symdiff.lark", here.parent / "grammar" / "symdiff.lark"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("symdiff's grammar file symdiff.lark is missing from the installation")


class _Source:
    """What one parse call knows: the text (for positions) and the declared functions."""

    def __init__(self, text: str, functions: frozenset[str]):
        self.text = text
        self.functions = functions

    def error(self, message: str, token: Token, **extra) -> ParseError:
        return ParseError(message, text=self.text, line=token.line, column=token.column, **extra)


_source: contextvars.ContextVar[_Source] = contextvars.ContextVar("symdiff_source")


class Build(lark.Transformer):
    """One method per grammar rule, each building a node with the canonical constructors."""

    def number(self, children):
        token = children[0]
        text = token.value
        if any(c in text for c in ".eE"):
            value = float(text)
            if value == float("inf"):
                raise _source.get().error(f"the number {_short(text)} is too large for a float",
                                          token, hint="write it exactly (without a decimal point "
                                          "or exponent) or use a smaller number")
            if value == 0 and any(c in "123456789" for c in text.split("e")[0].split("E")[0]):
                raise _source.get().error(f"the number {_short(text)} is too small for a float", token)
            return Num(value)
        digits = len(text.lstrip("0")) or 1
        limit = current_limits().max_int_bits
        if digits * 3.33 > limit:
            raise _source.get().error(f"the integer has {digits:,} digits, more than the "
                                      f"limit of {limit:,} bits allows", token,
                                      hint="raise Limits.max_int_bits (--max-int-bits) if you mean it")
        return Num(int(text))

    def bad_number(self, children):
        token = children[0]
        raise _source.get().error(f"'{_short(token.value)}' is not a number here", token,
                                  hint="write numbers in decimal without separators, "
                                       "as in 4096 or 1000")

    def name(self, children):
        token = children[0]
        name = spell(token.value)
        if name in CONSTANTS:
            return CONSTANTS[name]
        source = _source.get()
        if resolve(name) is not None or name in source.functions:
            raise source.error(f"'{name}' is a function and needs an argument", token,
                               hint=f"write {name}(...)")
        return Sym(name)

    def call(self, children):
        token, arguments = children
        arguments = arguments or []
        source = _source.get()
        name = spell(token.value)
        base = name.rstrip("'")
        if base in source.functions:
            if len(arguments) != 1:
                raise source.error(f"the declared function {base} takes 1 argument, "
                                   f"got {len(arguments)}", token)
            return call(name, *arguments)
        function = lookup(name, len(arguments))
        if function is not None:
            if len(arguments) != function.arity:
                expected = "1 or 2 arguments" if function.name == "log" else _count(function.arity)
                raise source.error(f"{name} takes {expected}, got {len(arguments)}", token)
            return call(function.name, *arguments)
        if base != name and resolve(base) is not None:
            raise source.error(f"primes are for declared functions; '{base}' is built in", token,
                               hint=f"differentiate {base}(...) instead")
        candidates = known_names() + sorted(source.functions)
        close = difflib.get_close_matches(spell(base), candidates, n=1, cutoff=0.75)
        raise UnknownFunctionError(base, suggestion=close[0] if close else None,
                                   text=source.text, line=token.line, column=token.column)

    def arguments(self, children):
        return children

    def signed(self, children):
        sign, operand = children
        return operand if sign.value == "+" else neg(operand)

    def power(self, children):
        base, operator, exponent = children
        if base is ZERO and type(exponent) is Num and exponent.value < 0:
            raise _source.get().error("division by zero: 0 to a negative power", operator)
        with _at(operator):
            return power(base, exponent)

    def superscript(self, children):
        base, token = children
        return power(base, Num(int(token.value.translate(SUPERSCRIPT_DIGITS))))

    def root(self, children):
        return call("sqrt", children[1])         # √u is sqrt(u): the power u^(1/2), as written out

    def product(self, children):
        factors = [children[0]]
        divide = False
        operators = [c for c in children if isinstance(c, Token)]
        for child in children[1:]:
            if isinstance(child, Token):
                divide, operator = child.value in DIVIDE, child
                continue
            if divide and type(child) is Num and child.value == 0:
                raise _source.get().error("division by zero", operator,
                                          hint="a formula cannot divide by the number 0")
            factors.append(power(child, MINUS_ONE) if divide else child)
            divide = False
        with _at(operators[0] if operators else None):
            return mul(*factors)

    def sum(self, children):
        terms = [children[0]]
        for sign, term in zip(children[1::2], children[2::2]):
            terms.append(term if sign.value == "+" else neg(term))
        with _at(children[1]):
            return add(*terms)


@contextlib.contextmanager
def _at(token: Token | None):
    """Folding numbers can overflow (1e308*10): report it at the operator."""
    try:
        yield
    except (EvaluationError, LimitError) as error:
        source = _source.get()
        if token is None:
            raise ParseError(str(error), text=source.text) from None
        raise source.error(str(error), token) from None


def _count(n: int) -> str:
    return f"{n} argument" + ("s" if n != 1 else "")


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:27] + "..."


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """Built once per process; its LALR tables are kept between runs in the user's cache
    directory, which saves about 30 ms of every start."""
    return Lark(grammar_text(), parser="lalr", transformer=Build(), maybe_placeholders=True,
                cache=_table_cache())


def _table_cache() -> str | bool:
    """Where Lark keeps the parse tables: ``$XDG_CACHE_HOME/symdiff`` (else ``~/.cache/symdiff``),
    a directory of the user's own, like ``__pycache__``; False (no cache) if it cannot be
    made, or if ``SYMDIFF_NO_CACHE`` is set.  Lark checks a hash of the grammar and of its
    options before it uses a cached table, and rebuilds a missing or unreadable one."""
    if os.environ.get("SYMDIFF_NO_CACHE"):
        return False
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "symdiff")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return False
    if not os.access(directory, os.W_OK):
        return False
    return os.path.join(directory, f"grammar-lark{lark.__version__}.cache")


def parse(text: str | Expr, *, functions=(), limits: Limits | None = None) -> Expr:
    """Read a formula.  ``functions`` names the unknown functions the formula may use.

    >>> parse("f(x^2)", functions=["f"])
    f(x^2)
    >>> parse("sin(x")
    Traceback (most recent call last):
        ...
    symdiff.errors.ParseError: line 1, column 6: unexpected end of input: '(' opened at column 4 is never closed
      sin(x
           ^
    expected ')'
    """
    if isinstance(text, Expr):
        return text
    if not isinstance(text, str):
        raise TypeError(f"parse takes a string, not {type(text).__name__}")
    if limits is not None:
        with use_limits(limits):
            return parse(text, functions=functions)
    _check_size(text, current_limits())
    if not text.strip(" \t\r\n"):          # other (Unicode) spaces are refused by name below
        raise ParseError("empty formula", text=text, line=1, column=1,
                         expected=("a number", "a name", "'('"))
    declared = frozenset(_declared(functions))
    token = _source.set(_Source(text, declared))
    try:
        return _parser().parse(text)
    except lark.exceptions.UnexpectedInput as error:
        raise _explain(text, error) from None
    except RecursionError:
        raise LimitError("the formula is nested too deeply to parse") from None
    finally:
        _source.reset(token)


def _declared(functions) -> list[str]:
    if isinstance(functions, str):
        functions = functions.replace(",", " ").split()
    names = []
    for name in map(spell, functions):
        if not name.isidentifier() or not name.isascii():
            raise ValueError(f"a function name must be an identifier, not {name!r}")
        if resolve(name) is not None:
            raise ValueError(f"'{name}' is a built-in function and cannot be declared")
        names.append(name)
    return names


def _check_size(text: str, limits: Limits) -> None:
    if len(text) > limits.max_input_length:
        raise LimitError(f"the formula has {len(text):,} characters, more than the limit of "
                         f"{limits.max_input_length:,}; raise it with --max-length if you mean it")
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    if deepest > limits.max_depth:
        raise LimitError(f"the formula nests brackets {deepest:,} deep, more than the limit of "
                         f"{limits.max_depth:,}; raise it with --max-depth if you mean it")


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _describe_char(char: str) -> str:
    code = f"U+{ord(char):04X}"
    try:
        name = unicodedata.name(char)
    except ValueError:
        name = "a lone surrogate" if 0xD800 <= ord(char) <= 0xDFFF else "a control character"
    if char.isprintable() and char.isascii():
        return f'"{char}"' if char == "'" else f"'{char}'"
    return f"{code} ({name})"


def _expected(names) -> tuple[str, ...]:
    wanted = sorted({TERMINALS.get(n, n) for n in names if n in TERMINALS})
    operand = {"a number", "a name", "'('"}
    if operand <= set(wanted):
        wanted = [w for w in wanted if w not in operand | {"a function call", "'√'", "'+' or '-'"}]
        wanted.insert(0, "an operand (a number, a name or '(')")
    return tuple(wanted)


def _unclosed(text: str) -> int | None:
    """Index of the first '(' that is never closed."""
    opened: list[int] = []
    for i, char in enumerate(text):
        if char == "(":
            opened.append(i)
        elif char == ")" and opened:
            opened.pop()
    return opened[0] if opened else None


def _explain(text: str, error: lark.exceptions.UnexpectedInput) -> ParseError:
    """A Lark failure as a message about the user's own text."""
    if isinstance(error, lark.exceptions.UnexpectedCharacters):
        char = text[error.pos_in_stream]
        before = text[error.pos_in_stream - 1] if error.pos_in_stream else ""
        hint = ""
        if char == "'" and before and (before.isalnum() or before in "_)"):
            hint = "primes mark derivatives of declared functions only, as in f'(x) with --func f"
        elif char in "'\"":
            hint = "strings are not part of formulas"
        elif char in "#;":
            hint = "a formula is a single expression: no statements or comments"
        elif char == ".":
            hint = "attribute access is not part of formulas"
        elif char in "[]{}":
            hint = "use round brackets ( ) for grouping"
        return ParseError(f"unexpected character {_describe_char(char)}", text=text,
                          line=error.line, column=error.column, hint=hint)
    token = getattr(error, "token", None)
    expected = _expected(getattr(error, "expected", None) or ())
    if token is None or token.type == "$END":
        line, column = _position(text, len(text.rstrip()))
        opened = _unclosed(text)
        if opened is not None:
            at_line, at_column = _position(text, opened)
            where = f"column {at_column}" if at_line == line else f"line {at_line}, column {at_column}"
            return ParseError(f"unexpected end of input: '(' opened at {where} is never closed",
                              text=text, line=line, column=column, expected=("')'",))
        return ParseError("unexpected end of input", text=text, line=line, column=column,
                          expected=expected)
    shown = "')'" if token.type == "RPAR" else repr(token.value)
    hint = ""
    if token.type == "NUMBER":
        hint = ("a number has at most one decimal point" if token.value.startswith(".")
                and token.start_pos and text[token.start_pos - 1].isdigit() else
                "write * to multiply by a number; implicit multiplication never takes a number on its right")
    if token.type == "RPAR" and text[:token.start_pos].count("(") <= text[:token.start_pos].count(")"):
        hint = "this ')' has no '(' to close"
    return ParseError(f"unexpected {shown}", text=text, line=token.line, column=token.column,
                      expected=expected, hint=hint)
