"""Text to expression: the Lark grammar, driven without building a parse tree.

The grammar lives in ``grammar/symdiff.lark``; Lark turns it into LALR(1) tables.  A
short loop of our own runs those tables (:class:`_Machine`) and calls :class:`Build` as
it reduces, so nodes come out of the canonical constructors directly, deep input never
recurses, and long input is read about three times faster than by Lark's own parser.
Whenever the loop meets something it is not sure of (a character no terminal matches, a
token the table does not expect), Lark itself parses the text and explains the error, so
the two agree by construction.  Nothing in the text is ever evaluated: names are looked up
in the function table or become variables, and every failure is a :class:`ParseError`
that points into the text.

>>> parse("2x sin(x)")
2*x*sin(x)
>>> parse("θ^2") is parse("theta**2")
True
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import json
import os
import re
import stat
import sys
import unicodedata
import warnings
import zlib
from functools import lru_cache
from importlib.util import find_spec
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeGuard

from .errors import EvaluationError, LimitError, ParseError, SymdiffWarning, UnknownFunctionError
from .expr import (E, MINUS_ONE, ONE, PI, ZERO, Call, Expr, I, Num, Sym, add, call, mul, neg, piecewise, postorder, power,
                   spell)
from .functions import (ALSO_VARIABLES, CONDITIONS, FUNCTIONS, RELATIONS, all_of, any_of, compare,
                        known_names, lookup, negation, notation, notation_arities,
                        partial_name, resolve)
from .limits import WORK, Limits, bounded, current_limits, use_limits

if TYPE_CHECKING:                       # Lark is imported only when the tables are built or
    from collections.abc import Callable
    from types import FrameType
    from lark import Lark               # an error is explained: it costs ~20 ms of a start

CONSTANTS = {"pi": PI, "e": E, "I": I}

# The names read as the imaginary unit, by the choice ``parse(..., imaginary=...)``: "i" (the
# default, as Wolfram|Alpha reads) makes i the unit too, "I" keeps i a variable (as SymPy), "j"
# makes j the unit as engineers write it (and i a variable).  I is the unit in every choice.
IMAGINARY_UNITS = {"i": frozenset({"I", "i"}), "I": frozenset({"I"}), "j": frozenset({"I", "j"})}


def imaginary_units(imaginary: str) -> frozenset[str]:
    """The names that mean the imaginary unit under the choice ``imaginary``.

    >>> sorted(imaginary_units("i")), sorted(imaginary_units("I"))
    (['I', 'i'], ['I'])
    """
    if imaginary not in IMAGINARY_UNITS:
        raise ValueError(f"imaginary must be 'i' (I and i are the unit), 'I' (only I: i is a "
                         f"variable) or 'j' (I and j), not {imaginary!r}")
    return IMAGINARY_UNITS[imaginary]
SUPERSCRIPT_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
DIVIDE = {"/", "÷"}

# How the parser's terminal names read in an error message.
TERMINALS = {
    "NUMBER": "a number", "NAME": "a name", "CALLNAME": "a function call",
    "PARTIALNAME": "a function call", "LPAR": "'('",
    "RPAR": "')'", "COMMA": "','", "ADD_OP": "'+' or '-'", "MUL_OP": "'*' or '/'",
    "POW_OP": "'^'", "SUPERSCRIPT": "a superscript", "ROOT": "'√'", "$END": "the end of input",
    "RELATION": "a comparison (<, <=, >, >=, ==, !=)", "BAR": "'|'", "AND": "'and'", "OR": "'or'",
}


def grammar_text() -> str:
    """The grammar, from the installed package (the wheel puts it in symdiff/grammar/)
    or, in a checkout or an editable install, from the top-level grammar/."""
    here = Path(__file__).resolve().parent
    for path in (here / "grammar" / "symdiff.lark", here.parent / "grammar" / "symdiff.lark"):
        if path.is_file():
            return _with_function_names(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("symdiff's grammar file symdiff.lark is missing from the installation")


def _with_function_names(grammar: str) -> str:
    """The grammar with the table's function names (and aliases) in POWERED_NAME, longest
    first: the tables, and the key of their cache, follow the function table."""
    names = sorted(known_names(), key=lambda name: (-len(name), name))
    return grammar.replace("%(functions)s", "|".join(map(re.escape, names)))


class Equation(NamedTuple):
    """An equation as written, ``lhs = rhs`` (:func:`parse_equation`).

    >>> parse_equation("x^2 + y^2 = 1")
    Equation(lhs=x^2 + y^2, rhs=1)
    """

    lhs: Expr
    rhs: Expr


class _Written(NamedTuple):
    """What the parser built from an equation: the equation and its '=' (for messages)."""

    equation: Equation
    equals: object


class _Source:
    """What one parse call knows: the text (for positions) and the declared functions."""

    def __init__(self, text: str, functions: frozenset[str], units: frozenset[str] = IMAGINARY_UNITS["i"]):
        self.text = text
        self.functions = functions
        self.units = units                              # the names that mean I
        self.leaves: dict[tuple[str, str], Expr] = {}    # (rule, token text) -> node made
        self.notes: dict[str, SymdiffWarning] = {}      # what may not be read as meant
        self.arities: dict[str, tuple[int, object]] = {}  # unknown function -> (arity, first use)
        self.undeclared_calls: dict[str, object] = {}   # undeclared function -> first use
        self.variables: set[str] = set()                # the names read as variables

    def position(self, token) -> tuple[int, int]:
        """Line and column of a token, worked out only when an error needs them."""
        return _position(self.text, token.start_pos)

    def error(self, message: str, token, **extra) -> ParseError:
        line, column = self.position(token)
        return ParseError(message, text=self.text, line=line, column=column, **extra)

    def unknown(self, name: str, base: str, arguments: list[Expr], token) -> Expr:
        """``f(args)``, ``f'(u)`` or ``D[1](f)(args)``: an application of the unknown function
        ``base``, which takes the number of arguments of its first use in the formula."""
        first = self.arities.setdefault(base, (len(arguments), token))
        if first[0] != len(arguments):
            line, column = self.position(first[1])
            where = f"column {column}" if line == self.position(token)[0] else \
                f"line {line}, column {column}"
            raise self.error(f"{base} takes {_count(first[0])}, as first used at {where}; "
                             f"here it has {len(arguments)}", token,
                             hint="an unknown function takes the same number of arguments "
                                  "at every use; rename one of them")
        if name.endswith("'") and len(arguments) != 1:
            raise self.error(f"primes are for functions of one argument; {base} has "
                             f"{len(arguments)}", token,
                             hint=f"write D[1]({base})(...) for the partial derivative in "
                                  f"the first argument")
        return call(name, *arguments)

    def undeclared(self, name: str, token) -> None:
        """Note that an undeclared name followed by '(' is read as an unknown function."""
        self.note(f"{name}(", f"{name} is read as an unknown function; declare it with "
                  f"--func {name} (functions=['{name}']) to silence this, or write {name}*(...) "
                  f"for a product", token)
        self.undeclared_calls.setdefault(name, token)

    def note(self, key: str, message: str, token, **extra) -> None:
        """Keep a note (a :class:`SymdiffWarning`) for the end of the parse, once per key."""
        if key not in self.notes:
            line, column = self.position(token)
            self.notes[key] = SymdiffWarning(message, text=self.text, line=line, column=column,
                                             **extra)


_source: contextvars.ContextVar[_Source] = contextvars.ContextVar("symdiff_source")


class Build:
    """One method per grammar rule, each building a node with the canonical constructors.

    Lark calls it as its transformer, and so does our own loop; the tokens it is given
    have a ``type``, a ``value`` and a ``start_pos`` (Lark's tokens have more)."""

    def number(self, children):
        return _leaf(self._number, "number", children[0])

    def _number(self, token):
        text = token.value
        if text.isdigit():                      # no '.', 'e' or 'E': an exact integer
            digits = len(text.lstrip("0")) or 1
            limit = current_limits().max_int_bits
            # Converting is quadratic in the digits: refuse by the digit count first (an
            # integer of d digits has at least (d - 1)*log2(10) bits), then by its real size.
            if (digits - 1) * 3.32 > limit or int(text).bit_length() > limit:
                raise _source.get().error(f"the integer has {digits:,} digits, more than the "
                                          f"limit of {limit:,} bits allows", token,
                                          hint="raise Limits.max_int_bits (--max-int-bits) "
                                               "if you mean it")
            return Num(int(text))
        value = float(text)
        if value == float("inf"):
            raise _source.get().error(f"the number {_short(text)} is too large for a float",
                                      token, hint="write it exactly (without a decimal point "
                                      "or exponent) or use a smaller number")
        if value == 0 and any(c in "123456789" for c in text.split("e")[0].split("E")[0]):
            raise _source.get().error(f"the number {_short(text)} is too small for a float", token)
        return Num(value)

    def bad_number(self, children):
        token = children[0]
        raise _source.get().error(f"'{_short(token.value)}' is not a number here", token,
                                  hint="write numbers in decimal without separators, "
                                       "as in 4096 or 1000")

    def name(self, children):
        return _leaf(self._name, "name", children[0])

    def _name(self, token):
        name = spell(token.value)
        source = _source.get()
        if name in source.units:
            return I
        if name in CONSTANTS:
            return CONSTANTS[name]
        if (resolve(name) is not None and name not in ALSO_VARIABLES) or name in source.functions:
            if name in source.functions and _POWER_AFTER.match(source.text, _end(token)):
                raise source.error(f"a power written on the name of the declared function "
                                   f"{name} is not read", token,
                                   hint=f"write {name}(x)^2 for the square of {name}(x), or "
                                        f"{name}({name}(x)) for the composition")
            raise source.error(f"'{name}' is a function and needs an argument", token,
                               hint=f"write {name}(...)")
        meant = _meant_call(token.value)
        if meant is not None:
            source.note(name, f"{token.value} is read as a variable; did you mean {meant}?",
                        token)
        source.variables.add(name)
        return Sym(name)

    def call(self, children):
        token, arguments = children
        arguments = arguments or []
        source = _source.get()
        if token.type == "PARTIALNAME":
            return self._partial(token, arguments, source)
        name = spell(token.value)
        base = name.rstrip("'")
        if base in source.functions:
            return source.unknown(name, base, arguments, token)
        if base in source.units:
            raise source.error(f"{base} is the imaginary unit, not a function", token,
                               hint=f"write {base}*(...) for a product")
        other_systems = notation(name, len(arguments))
        if other_systems is not None:                   # pow(x, 2), log1p(x): their formulas
            try:
                return other_systems(*arguments)
            except (EvaluationError, LimitError) as error:      # root(x, 0), pow(2, 10^9)
                raise _folding_error(error, token) from None
        function = lookup(name, len(arguments))
        arities = notation_arities(name) if function is None else []
        if arities:
            takes = " or ".join(map(str, arities))
            raise source.error(f"{name} takes {takes} argument{'s' if takes != '1' else ''}, "
                               f"got {len(arguments)}", token)
        if function is not None and function.associative and len(arguments) > 2:
            return functools.reduce(lambda a, b: call(function.name, a, b), arguments)
        if function is not None and function.name in CONDITIONS:
            raise source.error(f"{name}(...) is not read: conditions are written with <, <=, "
                               f"==, and, or, not, inside a piecewise form", token,
                               hint="write Piecewise((value, x < 1), (other, True)) or "
                                    "if(x < 1, value, other)")
        if function is not None:
            if len(arguments) != function.arity:
                # log takes a base as its second argument; its alias ln does not
                expected = "1 or 2 arguments" if name == "log" else _count(function.arity) \
                    + (" or more" if function.associative else "")
                hint = "for a logarithm to the base b write log(x, b)" \
                    if function.name == "log" and name != "log" and len(arguments) == 2 else ""
                raise source.error(f"{name} takes {expected}, got {len(arguments)}", token,
                                   hint=hint)
            return call(function.name, *arguments)
        if base != name and resolve(base) is not None:
            raise source.error(f"primes are for declared functions; '{base}' is built in", token,
                               hint=f"differentiate {base}(...) instead")
        suggestion = _suggestion(spell(base), source.functions)
        if suggestion is not None or base in CONSTANTS:
            line, column = source.position(token)
            raise UnknownFunctionError(base, suggestion=suggestion, text=source.text, line=line,
                                       column=column)
        source.undeclared(base, token)
        return source.unknown(name, base, arguments, token)

    def _partial(self, token, arguments: list[Expr], source: _Source) -> Expr:
        """``D[1,2](f)(x, y)``: a partial derivative of the unknown function f."""
        found = _PARTIAL_PARTS.fullmatch(token.value)
        assert found is not None                # the grammar's PARTIALNAME has this shape
        written, base = found.group(1), spell(found.group(2).strip())
        example = "as in D[1](f)(x, y) or D[1,2](f)(x, y)"
        if not base.isidentifier() or base in CONSTANTS:
            raise source.error(f"D[...]({found.group(2)}) needs the name of an unknown function "
                               f"in its brackets", token, hint=f"write the function's name, {example}")
        if resolve(base) is not None:
            raise source.error(f"D[...] is for unknown functions; '{base}' is built in", token,
                               hint=f"differentiate {base}(...) instead")
        if not _SLOTS.fullmatch(written):
            raise source.error(f"D[{written}] needs argument numbers 1, 2, ... separated by commas",
                               token, hint=f"write {example}")
        slots = [int(slot) for slot in written.split(",")]
        if len(arguments) < 2:
            raise source.error(f"D[...]({base}) is for functions of several arguments; "
                               f"{base} has {len(arguments)} here", token,
                               hint=f"for a function of one argument write {base}'(x)")
        if not all(1 <= slot <= len(arguments) for slot in slots):
            raise source.error(f"D[{written}]({base}): argument numbers go from 1 to "
                               f"{len(arguments)}, the arguments of {base}", token,
                               hint=example)
        if base not in source.functions:
            source.undeclared(base, token)
        return source.unknown(partial_name(base, slots), base, arguments, token)

    def function_power(self, children):
        """``sin^2(x)`` is ``sin(x)^2``; ``sin^-1(x)`` and other exponents are refused."""
        token, (exponent, at, shown), arguments = children
        base = self.call([token, arguments])    # the name and arguments, checked as a call
        if type(exponent) is Num and type(exponent.value) is int and exponent.value >= 1:
            try:
                return power(base, exponent)
            except (EvaluationError, LimitError) as error:
                raise _folding_error(error, at) from None
        name = token.value
        inside = ", ".join(map(str, arguments or ()))
        if exponent is MINUS_ONE:
            function = resolve(name)
            inverse = _inverse(function.name) if function is not None else None
            hint = f"did you mean {inverse}({inside}) (the inverse function) or " if inverse \
                else "did you mean "
            raise _source.get().error(f"{name}^-1({inside}) is not read: it is written both for "
                                      f"the inverse function and for the reciprocal", at,
                                      hint=hint + f"1/{name}({inside}) (the reciprocal)?")
        bracketed = shown if exponent is None or _plain(exponent) else f"({shown})"
        raise _source.get().error(f"only a power of 1, 2, 3, ... can be written on a function's "
                                  f"name, not {shown}", at,
                                  hint=f"write {name}({inside})^{bracketed}")

    def power_on_name(self, children):
        """The power of ``sin^2(x)``: (the exponent or None, a token where it starts, its text)."""
        if len(children) == 1:                  # a superscript: sin²(x)
            token = children[0]
            return Num(int(token.value.translate(SUPERSCRIPT_DIGITS))), token, token.value
        operator, *rest = children
        source = _source.get()
        start = _end(operator)
        start += len(source.text[start:]) - len(source.text[start:].lstrip(" \t\r\n"))
        at = _Token("EXPONENT", "", start)
        if isinstance(rest[0], Expr):
            return rest[0], at, str(rest[0])
        name = "".join(t.value for t in rest).rstrip("'")  # sin^n(x): the name n, maybe signed
        return None, at, name

    def equation(self, children):
        """``lhs = rhs``: the equation with its '=' (comparisons and chains are refused)."""
        source = _source.get()
        for relation in children[1::2]:
            if relation.value != "=":
                message, hint = _RELATIONS.get(relation.value, _INEQUALITY)
                raise source.error(message.format(relation.value), relation, hint=hint)
        if len(children) > 3:
            raise source.error("a second '=': one equation at a time", children[3],
                               hint="write a single equation, as in y = x^2")
        return _Written(Equation(children[0], children[2]), children[1])

    def arguments(self, children):
        return children

    def bars(self, children):
        return call("abs", children[1])         # |u| is abs(u)

    def piecewise(self, children):
        """``Piecewise((v1, c1), (v2, c2), ...)``: the first branch whose condition holds."""
        token, *branches = children
        try:
            return piecewise(*branches)
        except EvaluationError as error:
            raise _folding_error(error, token) from None

    def branch(self, children):
        return tuple(children)

    def if_then_else(self, children):
        """``if(c, a, b)``: a where c holds, else b."""
        token, condition, then, otherwise = children
        return self.piecewise([token, (then, condition), (otherwise, ONE)])

    def comparison(self, children):
        """``a < b``, or a chain ``a < b <= c``: each neighbouring pair, joined by and."""
        source = _source.get()
        pairs = []
        for left, relation, right in zip(children[::2], children[1::2], children[2::2]):
            if relation.value not in RELATIONS:
                raise source.error(f"'{relation.value}' does not compare", relation,
                                   hint="compare with <, <=, >, >=, == or !=")
            for word in sorted((left.free | right.free) & _CONDITION_WORDS.keys()):
                # a word of conditions where a value stands (Lark reads it there as a name):
                # the nearest one before the comparison, or after it
                at = [m.start() for m in re.finditer(rf"\b{word}\b", source.text)]
                before = [i for i in at if i < relation.start_pos and word in left.free]
                after = [i for i in at if i > relation.start_pos]
                where = before[-1] if before else after[0] if after else relation.start_pos
                token = _Token("NAME", word, where)
                raise source.error(f"'{word}' stands where a value belongs", token,
                                   hint=_CONDITION_WORDS[word])
            pairs.append(compare(relation.value, left, right))
        return all_of(*pairs)

    def always(self, children):
        return ONE                              # True, otherwise: the default branch

    def never(self, children):
        return ZERO                             # False: a branch never taken

    def negation(self, children):
        return negation(children[1])

    def all_of(self, children):
        return all_of(*children[::2])

    def any_of(self, children):
        return any_of(*children[::2])

    def signed(self, children):
        sign, operand = children
        return operand if sign.value == "+" else neg(operand)

    def power(self, children):
        base, operator, exponent = children
        if type(base) is Num and base.value == 0 and type(exponent) is Num and exponent.value < 0:
            raise _source.get().error("division by zero: 0 to a negative power", operator)
        try:
            return power(base, exponent)
        except (EvaluationError, LimitError) as error:
            raise _folding_error(error, operator) from None

    def superscript(self, children):
        base, token = children
        exponent = Num(int(token.value.translate(SUPERSCRIPT_DIGITS)))
        if type(base) is Num and base.value == 0 and exponent.value < 0:
            raise _source.get().error("division by zero: 0 to a negative power", token)
        return power(base, exponent)

    def root(self, children):
        return call("sqrt", children[1])         # √u is sqrt(u): the power u^(1/2), as written out

    def product(self, children):
        factors = [children[0]]
        divide = False
        first = operator = None
        for child in children[1:]:
            if not isinstance(child, Expr):     # an operator token: * or /
                divide, operator = child.value in DIVIDE, child
                first = first or child
                continue
            if divide and type(child) is Num and child.value == 0:
                raise _source.get().error("division by zero", operator,
                                          hint="a formula cannot divide by the number 0")
            factors.append(power(child, MINUS_ONE) if divide else child)
            divide = False
        try:
            return mul(*factors)
        except (EvaluationError, LimitError) as error:
            raise _folding_error(error, first) from None

    def sum(self, children):
        terms = [children[0]]
        for sign, term in zip(children[1::2], children[2::2]):
            terms.append(term if sign.value == "+" else neg(term))
        try:
            return add(*terms)
        except (EvaluationError, LimitError) as error:
            raise _folding_error(error, children[1]) from None


_BUILD = Build()

# D[1,2](f) as the grammar's PARTIALNAME reads it (loosely), and the slots as they must be.
_PARTIAL_PARTS = re.compile(r"D\[([^\]]*)\]\(([^()]*)\)")
_SLOTS = re.compile(r"[ \t]*\d+[ \t]*(,[ \t]*\d+[ \t]*)*")

# What the words of conditions do, for a message about one out of place.  (Where a value
# is expected they are names, as any Python keyword may be: Lark's lexer reads them so.)
_PIECEWISE_HINT = "conditions stand in Piecewise((value, condition), ...) or if(condition, a, b)"
_CONDITION_WORDS = {
    "and": "and joins two conditions, as in 0 < x and x < 1: " + _PIECEWISE_HINT,
    "or": "or joins two conditions, as in x < 0 or x > 1: " + _PIECEWISE_HINT,
    "not": "not negates a condition, as in not x < 0: " + _PIECEWISE_HINT,
}

_POWER_AFTER = re.compile(r"[ \t\r\n]*(\^|\*\*|[⁻⁰¹²³⁴⁵⁶⁷⁸⁹])")

# '==', ':=' and the inequalities: what each is, and what to write instead.
_RELATIONS = {
    "==": ("'{}' compares; a formula is not a comparison",
           "an equation takes a single '=', as in y = x^2; or write the formula alone"),
    ":=": ("'{}' assigns; a formula is not an assignment",
           "write y = x^2, or the formula alone"),
}
_RELATION = re.compile(r"==|:=|!=|<=|>=|[=<>\u2260\u2264\u2265]")   # as the grammar's RELATION
_LAST_RELATION = re.compile(f"(?:{_RELATION.pattern})$")
_INEQUALITY = ("'{}' makes an inequality; symdiff reads formulas and equations only",
               "write the formula alone, as in x^2 - 1")

# Names typed for functions of the table that are not accepted as aliases (short names that
# are also likely variable names, or names that mean different functions in different books):
# suggested when called, as in sh(x) -> "did you mean sinh?".
SUGGESTED = {"sh": "sinh", "ch": "cosh", "th": "tanh", "cth": "coth", "arsh": "asinh",
             "arch": "acosh", "arth": "atanh", "lg": "log10", "sen": "sin", "arcsen": "asin",
             "tgh": "tanh", "ctgh": "coth"}

# Variable names shaped like a function's name and its argument (cost: cos(t)) that are more
# likely words: no note for them.
WORDS = frozenset({"cost", "sine", "expr", "logs", "secs", "signs"})


def _end(token) -> int:
    return token.start_pos + len(token.value)


def _plain(exponent: Expr) -> bool:
    """Whether an exponent reads without brackets after '^': a whole number or a name."""
    return (type(exponent) is Num and type(exponent.value) is int and exponent.value >= 0) \
        or type(exponent) is Sym


def _inverse(name: str) -> str | None:
    """The inverse function in the table by its name (sin and asin, cosh and acosh), or None."""
    for candidate in ("a" + name, name[1:] if name.startswith("a") else ""):
        if candidate in FUNCTIONS:
            return candidate
    return None


@lru_cache(maxsize=1)
def _call_shape() -> re.Pattern:
    """A function's name (any case) and a short argument: one letter with digits around it
    (sinx, lnx, sin2x, cosθ, log2x), or nothing (Sin, COS)."""
    names = sorted(known_names(), key=lambda name: (-len(name), name))
    letter = "A-Za-z\u0391-\u03A9\u03B1-\u03C9"
    return re.compile(f"({'|'.join(map(re.escape, names))})([0-9]*[{letter}][0-9]*)?",
                      re.IGNORECASE)


def _meant_call(name: str) -> str | None:
    """What a variable named like a call may have meant: sinx -> 'sin(x)', Sin -> sin.

    >>> _meant_call("sinx"), _meant_call("log2x"), _meant_call("COS"), _meant_call("cost")
    ('sin(x)', 'log2(x)', 'the function cos', None)
    """
    if name.lower() in WORDS or name in ALSO_VARIABLES:      # gamma, beta, psi: Greek letters
        return None
    found = _call_shape().fullmatch(name)
    if found is None:
        return None
    spelled = {known.lower(): known for known in known_names()}[found.group(1).lower()]
    function, argument = resolve(spelled), found.group(2)
    if function is None or function.arity != 1:                # besselj, beta: no one-letter call
        return None
    return f"{spelled}({argument})" if argument else f"the function {spelled}"


def _suggestion(name: str, declared: frozenset[str]) -> str | None:
    """The function an unknown name probably meant: the same name in another case (Sin),
    a name of :data:`SUGGESTED` (sh), or a close spelling (sine)."""
    candidates = {n.lower(): n for n in [*known_names(), *sorted(declared)]}
    lower = name.lower()
    if lower in candidates:
        return candidates[lower]
    if lower in SUGGESTED:
        return SUGGESTED[lower]
    close = difflib.get_close_matches(lower, list(candidates), n=1, cutoff=0.8)    # not foo -> floor
    return candidates[close[0]] if close else None


def _leaf(make, rule: str, token) -> Expr:
    """A number or a name, made once per parse however often the text repeats it
    (x in a sum of 100 000 terms)."""
    leaves = _source.get().leaves
    key = (rule, token.value)
    node = leaves.get(key)
    if node is None:
        node = leaves[key] = make(token)
    return node


def _folding_error(error: Exception, token) -> Exception:
    """Folding numbers can overflow (1e308*10): report it at the operator.  The work budget
    is no fault of that operator: its error goes on as it is."""
    if isinstance(error, LimitError) and error.limit in WORK:
        return error
    source = _source.get()
    if token is None:
        return ParseError(str(error), text=source.text)
    return source.error(str(error), token)


def _count(n: int) -> str:
    return f"{n} argument" + ("s" if n != 1 else "")


def _short(text: str, most: int = 30) -> str:
    return text if len(text) <= most else text[:most - 3] + "..."


# ---------------------------------------------------------------- the tables and the loop

class _Token:
    """A token of our loop: its terminal, its text and the index where it starts."""

    __slots__ = ("type", "value", "start_pos")

    def __init__(self, type: str, value: str, start_pos: int):
        self.type = type
        self.value = value
        self.start_pos = start_pos


class _Unsupported(Exception):
    """The grammar uses a feature of Lark's tree building that our loop does not copy."""


def _tables_from_lark(parser: Lark) -> dict:
    """Lark's LALR tables, and what it does on each reduction, as plain data.

    ``terminals`` are Lark's own, in the order its lexer tries them; ``table[state]`` maps
    a terminal to a shift (a state, >= 0) or a reduction (``~rule``, < 0), and a rule name
    to the state after it (the goto).  A rule is ``[size, name, kind, method, steps,
    trailing]``, copying Lark's tree building for this grammar:

    * ``same``: a ``?rule`` with one child keeps its child's value (only the state changes);
    * ``pick``: a ``?rule`` whose one child is not first, as in ``"(" sum ")"``;
    * ``list``: a ``_rule`` Lark made for ``+``, ``*`` (its children go into its parent);
    * ``call``: the :class:`Build` method ``method`` takes the children.

    ``steps`` lists the children kept, as ``[index, spliced, placeholders before]``
    (anonymous tokens such as ``(`` are dropped, ``_rule`` children are spliced in, an
    absent ``[optional]`` is a ``None``), and ``trailing`` the placeholders at the end.
    """
    from lark.parsers.lalr_analysis import Shift

    frontend = parser.parser
    conf = parser.lexer_conf
    lexer = getattr(frontend.lexer, "root_lexer", frontend.lexer)
    options = parser.options
    if (conf.re_module is not re or conf.use_bytes or conf.postlex is not None or conf.callbacks
            or options.keep_all_tokens or not options.maybe_placeholders):
        raise _Unsupported("a lexer or tree option beyond plain LALR")
    terminals = [[t.name, t.pattern.to_regexp()] for t in lexer.terminals]
    if any(hasattr(Build, name) for name, _ in terminals):
        raise _Unsupported("a terminal callback")

    rules: list[list] = []
    numbers: dict = {}
    for rule in parser.rules:
        numbers[rule] = len(rules)
        rules.append(_rule_plan(rule))

    table = frontend.parser.parser.parse_table
    order = {state: i for i, state in enumerate(sorted(table.states))}
    rows = []
    for state in sorted(table.states):
        row = {}
        for symbol, (action, arg) in table.states[state].items():
            row[symbol] = order[arg] if action is Shift else ~numbers[arg]
        rows.append(row)
    start, = table.start_states.values()
    end, = table.end_states.values()
    kept = sorted({s.name for r in parser.rules for s in r.expansion
                   if s.is_term and not s.filter_out})  # type: ignore[attr-defined]  # a Terminal: is_term
    return {"terminals": terminals, "flags": conf.g_regex_flags, "ignore": sorted(conf.ignore),
            "tokens": kept, "start": order[start], "end": order[end], "table": rows,
            "rules": rules}


def _rule_plan(rule) -> list:
    """One rule as ``[size, name, kind, method, steps, trailing]`` (see _tables_from_lark)."""
    expansion, options = rule.expansion, rule.options
    if options.template_source is not None or options.keep_all_tokens:
        raise _Unsupported(f"rule {rule}")
    empty = options.empty_indices or (False,) * len(expansion)
    # Placeholders before each symbol and at the end, as Lark counts them.
    runs = [len(ones) for ones in "".join("1" if e else "0" for e in empty).split("0")]
    steps, waiting = [], 0
    for i, symbol in enumerate(expansion):
        waiting += runs[i]
        if not (symbol.is_term and symbol.filter_out):
            steps.append([i, not symbol.is_term and symbol.name.startswith("_"), waiting])
            waiting = 0
    trailing = waiting + runs[len(expansion)]
    name, size = rule.origin.name, len(expansion)
    if name.startswith("_"):
        if options.expand1:
            raise _Unsupported(f"rule {rule}")
        return [size, name, "list", None, steps, trailing]
    if options.expand1 and not rule.alias:
        if len(steps) != 1 or steps[0][1] or steps[0][2] or trailing:
            raise _Unsupported(f"rule {rule}")   # Lark would make a Tree
        kind = "same" if size == 1 else "pick"
        return [size, name, kind, None, steps, 0]
    method = rule.alias or name
    if method not in _METHODS:
        raise _Unsupported(f"rule {rule}")       # Lark would make a Tree
    return [size, name, "call", method, steps, trailing]


_METHODS = frozenset(name for name in vars(Build) if not name.startswith("_"))


class _Machine:
    """Lark's LALR(1) tables, run by a loop of our own.

    Why: on ``x+x+...+x`` with 500 000 terms (1 MB), Lark's generic parser spends about
    5 µs a token (a Token object with line counting, a chain of wrappers around every
    reduction), this loop under 2 µs with Build's work included: 5.4 s became 1.8 s.
    Runs of one-child reductions (``?atom`` to ``?power`` to ``?unary``...) are looked up
    where they lead, once, and then taken in one step.

    It lexes as Lark's basic lexer does (the same terminals, tried in the same order):
    while every token it reads is one the table expects, Lark's contextual lexer would have
    read the very same token, so the two parse alike; at the first token it is not sure of,
    it returns None and Lark decides.  Positions are token indices: line and column are
    worked out only for an error.

    Made only from checked data: an action is a state or a rule of these tables, a method a
    rule method of :class:`Build`; anything else raises ValueError (and the caller
    rebuilds the tables from the grammar).
    """

    def __init__(self, tables: dict):
        terminals = tables["terminals"]
        names = {name for name, _ in terminals}
        if not all(isinstance(n, str) and n.isidentifier() and isinstance(r, str)
                   for n, r in terminals) or len(names) != len(terminals):
            raise ValueError("bad terminals")
        self.pattern = re.compile("|".join(f"(?P<{name}>{regexp})" for name, regexp in terminals),
                                  _integer(tables["flags"], 0, 1 << 16))
        self.ignore = frozenset(tables["ignore"]) & names
        self.tokens = frozenset(tables["tokens"]) & names
        rows, rules = tables["table"], tables["rules"]
        states, nrules = len(rows), len(rules)
        self.start = _integer(tables["start"], 0, states)
        self.end = _integer(tables["end"], 0, states)
        self.table = []
        for row in rows:
            if not isinstance(row, dict) or not all(isinstance(s, str) for s in row):
                raise ValueError("bad table row")
            self.table.append({s: _integer(a, -nrules, states) for s, a in row.items()})
        self.rules = [self._reduction(*rule) for rule in rules]
        self.units: dict[tuple[int, int, str], tuple[int, int | None]] = {}

    @staticmethod
    def _reduction(size, name, kind, method, steps, trailing):
        """A rule as ``(size, name, how)``: ``how`` makes the value from the popped values;
        None keeps the one value as it is."""
        size = _integer(size, 0, 64)
        if not isinstance(name, str) or not isinstance(steps, list):
            raise ValueError("bad rule")
        steps = [(_integer(i, 0, size), bool(spliced), _integer(nones, 0, 64))
                 for i, spliced, nones in steps]
        trailing = _integer(trailing, 0, 64)
        if kind == "same" and size == 1 and steps == [(0, False, 0)]:
            return size, name, None
        if kind == "pick" and len(steps) == 1 and steps[0][1:] == (False, 0):
            index = steps[0][0]
            return size, name, lambda values: values[index]
        if kind == "list":
            return size, name, _children(steps, trailing, size)
        if kind == "call" and method in _METHODS:
            children = _children(steps, trailing, size)
            method = getattr(_BUILD, method)
            if children is list:
                return size, name, method
            return size, name, lambda values: method(children(values))
        raise ValueError("bad rule")

    def parse(self, text: str) -> Expr | None:
        """The expression, or None where Lark must decide (and explain the error)."""
        table, rules, ignore, tokens, units = self.table, self.rules, self.ignore, self.tokens, self.units
        states: list[int] = [self.start]
        values: list = []
        found = None
        for found in iter(self.pattern.scanner(text).match, None):  # type: ignore[attr-defined]  # re's scanner: token after token
            kind = found.lastgroup
            if kind in ignore:
                continue
            token = _Token(kind, found.group(), found.start()) if kind in tokens else None
            top = states[-1]
            action = table[top].get(kind)
            while action is not None and action < 0:
                size, name, how = rules[~action]
                if how is None:                 # ?rules with one child: only the state changes
                    key = (states[-2], top, kind)
                    hop = units.get(key)
                    if hop is None:
                        hop = units[key] = self._units(*key)
                    top, action = hop
                    states[-1] = top
                    continue
                if size:
                    popped = values[-size:]
                    del values[-size:], states[-size:]
                else:
                    popped = []
                values.append(how(popped))
                top = table[states[-1]][name]
                states.append(top)
                action = table[top].get(kind)
            if action is None:
                return None
            states.append(action)
            values.append(token)
        if found is None or found.end() != len(text):
            return None                         # a character no terminal matches
        return self._end(states, values)

    def _units(self, below: int, top: int, kind: str) -> tuple[int, int | None]:
        """Where a run of one-child reductions leads, with ``below`` under ``top`` and
        ``kind`` next: the state, and its action on ``kind`` (learnt once, then looked up)."""
        while True:
            action = self.table[top].get(kind)
            if action is None or action >= 0 or self.rules[~action][2] is not None:
                return top, action
            top = self.table[below][self.rules[~action][1]]

    def _end(self, states: list, values: list) -> Expr | None:
        """The reductions at the end of the text, as Lark makes them."""
        table, rules = self.table, self.rules
        while True:
            action = table[states[-1]].get("$END")
            if action is None or action >= 0:
                return None
            size, name, how = rules[~action]
            if how is None:
                states[-1] = table[states[-2]][name]
            else:
                popped = values[-size:] if size else []
                if size:
                    del values[-size:], states[-size:]
                values.append(how(popped))
                states.append(table[states[-1]][name])
            if states[-1] == self.end:
                return values[-1]


def _integer(value, low: int, high: int) -> int:
    """A table entry, checked: an int with low <= value < high."""
    if type(value) is not int or not low <= value < high:
        raise ValueError(f"bad table entry {value!r}")
    return value


def _children(steps, trailing: int, size: int):
    """How a reduction gathers its children from the popped values (``list`` when they
    are all kept as they are)."""
    if not trailing and [s[1:] for s in steps] == [(False, 0)] * size \
            and [s[0] for s in steps] == list(range(size)):
        return list
    if not trailing and steps[0] == (0, True, 0) and \
            [tuple(s) for s in steps[1:]] == [(i, False, 0) for i in range(1, size)]:
        def grow(values):                       # a left-recursive _rule: the list grows in place
            out = values[0]
            out += values[1:]
            return out
        return grow

    def gather(values):
        out = None
        for index, spliced, nones in steps:
            if nones:
                out = (out or []) + [None] * nones
            value = values[index]
            if spliced:
                if out is None:
                    out = value                 # a left-recursive _rule grows in place
                else:
                    out += value
            elif out is None:
                out = [value]
            else:
                out.append(value)
        if trailing:
            out = (out or []) + [None] * trailing
        return [] if out is None else out
    return gather


# ---------------------------------------------------------------- the tables on disk

CACHE_FORMAT = 1                  # raise it whenever the tables' layout or meaning changes
_CACHE_LIMIT = 1 << 20            # bytes; the file is about 10 KB
_LARK_OPTIONS = {"parser": "lalr", "maybe_placeholders": True}


@lru_cache(maxsize=1)
def _machine() -> _Machine | None:
    """The loop and its tables, made once per process (None: Lark parses everything).

    The tables are kept between runs in a file of ``$XDG_CACHE_HOME/symdiff`` (else
    ``~/.cache/symdiff``): JSON, pure data, read with :mod:`json` and checked entry by
    entry (:class:`_Machine`), so a planted file can at worst make this user's parser
    wrong, never run code.  (Lark's own cache, which this replaces, is a pickle that Lark
    unpickles before it checks its hash: a planted file ran code at the next start.)

    Why keep a file at all, measured on the development machine: a start that builds the
    tables imports Lark and runs its LALR analysis; one that reads this file spends about
    2 ms on it and never imports Lark (Lark is then imported only to explain a syntax
    error).  ``symdiff 'x^2*sin(x)' --wrt x`` takes about 117 ms with the file and 155 ms
    without it (140 ms with Lark's own pickled cache).  See :func:`_cache_directory` for
    where the file may live; ``SYMDIFF_NO_CACHE=1`` turns it off.
    """
    grammar = grammar_text()
    key = _cache_key(grammar)
    directory = _cache_directory()
    try:
        if directory is not None:
            tables = _read_tables(directory, key)
            if tables is not None:
                try:
                    return _Machine(tables)
                except (ValueError, TypeError, KeyError, re.error, RecursionError):
                    pass                        # not tables we wrote: make them anew
        try:
            tables = _tables_from_lark(_build_lark(grammar))
        except (_Unsupported, AttributeError):  # another Lark, built otherwise: Lark parses
            return None
        machine = _Machine(tables)
        if directory is not None:
            _write_tables(directory, key, tables)
        return machine
    finally:
        if directory is not None:
            os.close(directory)


def _cache_key(grammar: str) -> dict:
    """What the tables depend on, compared in full when the file is read: the layout, the
    options given to Lark, Lark's version and the grammar itself."""
    return {"format": CACHE_FORMAT, "options": _LARK_OPTIONS, "lark": _lark_version(),
            "grammar": grammar}


def _lark_version() -> str:
    """Lark's version, read from its ``__init__.py`` without importing it (the whole file
    if it has no version line)."""
    spec = find_spec("lark")
    if spec is None or not spec.origin:
        return ""
    text = Path(spec.origin).read_text(encoding="utf-8", errors="replace")
    found = re.search(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", text, re.M)
    return found.group(1) if found else text


def _cache_directory() -> int | None:
    """An open descriptor of the cache directory, or None (no cache).

    The directory is ``symdiff`` under ``$XDG_CACHE_HOME`` if that is an absolute path
    (the XDG spec says to ignore a relative one), else under ``~/.cache``.  Only that last
    ``symdiff`` is made (mode 0700), and ``~/.cache`` itself where the home directory exists
    but it does not (the XDG default, which the spec says to create, 0700; a new machine or
    container often lacks it, and without a cache every start builds the tables with Lark,
    about 100 ms).  A ``$XDG_CACHE_HOME`` that does not exist means no cache, and no home
    directory, nor any parent of one, is ever created.  The directory is opened without
    following a symbolic link and used only if it belongs to this user and no one else can
    write in it; the files in it are then reached through the descriptor, so a directory
    swapped in after the check is never used.
    """
    if os.environ.get("SYMDIFF_NO_CACHE"):
        return None
    if not (hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY")
            and {os.open, os.mkdir, os.rename, os.unlink} <= os.supports_dir_fd):  # (and replace)
        return None                             # no safe way to do it here (Windows)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home) or not os.path.isdir(home):
            return None
        base = os.path.join(home, ".cache")
        try:                                    # the XDG default, made as the spec says (0700)
            os.mkdir(base, 0o700)
        except OSError:
            pass
    try:
        parent = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        try:
            os.mkdir("symdiff", 0o700, dir_fd=parent)
        except FileExistsError:
            pass
        directory = os.open("symdiff", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    except OSError:
        return None
    finally:
        os.close(parent)
    info = os.fstat(directory)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        os.close(directory)
        return None
    return directory


def _cache_name() -> str:
    return f"parse-tables-{CACHE_FORMAT}.json"


def _read_tables(directory: int, key: dict) -> dict | None:
    """The tables kept for ``key``, or None if the file is missing or not what we wrote.

    The file is a header line, ``{"key": ..., "crc32": ...}``, and then the tables as JSON;
    the checksum is of the tables' text, and catches a file damaged on disk.  A symbolic
    link, a FIFO or a file larger than a megabyte is not read.
    """
    try:
        fd = os.open(_cache_name(), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > _CACHE_LIMIT:
                return None
            raw = file.read(_CACHE_LIMIT + 1)
        head, _, body = raw.partition(b"\n")
        header = json.loads(head)
        if (not isinstance(header, dict) or header.get("key") != key
                or header.get("crc32") != zlib.crc32(body)):
            return None
        tables = json.loads(body)
    except (OSError, ValueError, RecursionError):
        return None
    return tables if isinstance(tables, dict) else None


def _write_tables(directory: int, key: dict, tables: dict) -> None:
    """Keep the tables: written to a new file of our own (O_EXCL, no link followed), then
    renamed over the old one, so a reader never sees half a file and a symbolic link put
    there is replaced, not followed.  Any failure just leaves the cache as it was."""
    body = json.dumps(tables, separators=(",", ":")).encode()
    header = json.dumps({"key": key, "crc32": zlib.crc32(body)}).encode()
    temporary = f".{_cache_name()}.{os.getpid()}.{os.urandom(4).hex()}"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                     dir_fd=directory)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(header + b"\n" + body)
        os.replace(temporary, _cache_name(), src_dir_fd=directory, dst_dir_fd=directory)
    except OSError:
        try:
            os.unlink(temporary, dir_fd=directory)
        except OSError:
            pass


def _build_lark(grammar: str) -> Lark:
    """Lark's parser for the grammar, with :class:`Build` as its transformer."""
    from lark import Lark

    return Lark(grammar, transformer=_BUILD, **_LARK_OPTIONS)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """Lark's own parser: it reads what our loop is not sure of, and explains errors."""
    return _build_lark(grammar_text())


# ---------------------------------------------------------------- parse

@bounded
def parse(text: str | Expr, *, functions=(), limits: Limits | None = None,
          warn: Callable[[SymdiffWarning], None] | None = None, imaginary: str = "i") -> Expr:
    """Read a formula.  ``functions`` names the unknown functions the formula may use.

    ``I`` is the imaginary unit, and so is ``i`` unless ``imaginary="I"`` keeps ``i`` a
    variable (``imaginary="j"`` reads ``j`` as the unit instead of ``i``).

    What may not be read as meant is told to ``warn`` as a :class:`SymdiffWarning` (by
    default :func:`warnings.warn`): a variable named like a call (``sinx``), and an
    equation ``y = ...``, which is read as its right-hand side.  Any other equation is an
    error (see :func:`parse_equation`).

    >>> parse("f(x^2)", functions=["f"])
    f(x^2)
    >>> parse("sin^2(x) + cos²(x)")
    cos(x)^2 + sin(x)^2
    >>> parse("y = x^2", warn=print)
    line 1, column 3: reading the right-hand side of y = x^2 as the formula
      y = x^2
        ^
    x^2
    >>> parse("(2 + 3i)*x"), parse("i*x", imaginary="I")
    (x*(2 + 3*I), i*x)
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
    result, source = _read(text, functions, limits, imaginary)
    if isinstance(result, _Written):
        result = _right_hand_side(result, source)
    _note_differential(result, source)
    _tell(source, warn)
    return result


def _note_differential(expr: Expr, source: _Source) -> None:
    """A note for ``x^2 dx``: the d of an integral's notation, read as a variable dx."""
    found = _DIFFERENTIAL.search(source.text)
    if found is not None and {found.group(1), found.group(2)} <= expr.free:
        source.note(found.group(1), f"{found.group(1)} is read as a variable; symdiff needs no "
                    f"d{found.group(2)} (choose the variable with --wrt {found.group(2)})",
                    _At(found.start(1)))


class _At(NamedTuple):
    """A place in the text, for a note that no token carries."""
    start_pos: int


@bounded
def parse_equation(text: str, *, functions=(), limits: Limits | None = None,
                   warn: Callable[[SymdiffWarning], None] | None = None,
                   imaginary: str = "i") -> Equation:
    """Read an equation, ``lhs = rhs``, as written (both sides parsed as formulas).

    >>> parse_equation("x^2 + y^2 = 1").lhs
    x^2 + y^2
    """
    result, source = _read(text, functions, limits, imaginary)
    if not isinstance(result, _Written):
        line, column = _position(text, len(text.rstrip()))
        raise ParseError("an equation needs '='", text=text, line=line, column=column,
                         hint="write two sides joined by '=', as in x^2 + y^2 = 1")
    _tell(source, warn)
    return result.equation


def parse_list(text: str, *, functions=(), limits: Limits | None = None,
               warn: Callable[[SymdiffWarning], None] | None = None,
               imaginary: str = "i") -> list[Expr]:
    """Read a list of formulas in brackets, ``[f1, f2, ...]``; text without the brackets is
    one formula, a list of one.  An error in an item points into the whole text.

    >>> parse_list("[x*y, sin(x)]")
    [x*y, sin(x)]
    >>> parse_list("[x, 2*)]")
    Traceback (most recent call last):
        ...
    symdiff.errors.ParseError: line 1, column 7: unexpected ')'
      [x, 2*)]
            ^
    expected an operand (a number, a name or '(')
    this ')' has no '(' to close
    """
    begin = len(text) - len(text.lstrip())
    if not text[begin:begin + 1] == "[":
        return [parse(text, functions=functions, limits=limits, warn=warn, imaginary=imaginary)]
    end = len(text.rstrip())
    if text[end - 1:end] != "]" or end - 1 == begin:
        line, column = _position(text, end)
        raise ParseError("a list of formulas ends with ']'", text=text, line=line, column=column,
                         hint="write the formulas between brackets, separated by commas: [x*y, sin(x)]")
    items, depth, start = [], 0, begin + 1
    for index in range(begin + 1, end):
        char = text[index]
        depth += char in "([" and 1 or char in ")]" and -1 or 0
        if (char == "," and depth == 0) or index == end - 1:
            items.append((start, text[start:index]))
            start = index + 1
    exprs = []
    for offset, item in items:
        if not item.strip():
            line, column = _position(text, offset)
            raise ParseError("an empty item in the list", text=text, line=line, column=column,
                             hint="each item between commas is a formula")
        try:
            exprs.append(parse(item, functions=functions, limits=limits, warn=warn, imaginary=imaginary))
        except ParseError as error:
            inner = sum(len(part) + 1 for part in item.split("\n")[:error.line - 1]) + error.column - 1
            line, column = _position(text, offset + inner)
            raise ParseError(error.message, text=text, line=line, column=column,
                             expected=error.expected, hint=error.hint) from None
    return exprs


def _read(text: str, functions, limits: Limits | None,
          imaginary: str = "i") -> tuple[Expr | _Written, _Source]:
    """The formula or equation in ``text``, and what was learnt reading it."""
    if not isinstance(text, str):
        raise TypeError(f"parse takes a string, not {type(text).__name__}")
    if limits is not None:
        with use_limits(limits):
            return _read(text, functions, None, imaginary)
    _check_size(text, current_limits())
    if not text.strip(" \t\r\n"):          # other (Unicode) spaces are refused by name below
        raise ParseError("empty formula", text=text, line=1, column=1,
                         expected=("a number", "a name", "'('"))
    leibniz = _LEIBNIZ.match(text)
    if leibniz is not None:
        line, column = _position(text, leibniz.start(1))
        raise ParseError(f"{leibniz.group(1)} is not read: symdiff differentiates the whole "
                         f"formula", text=text, line=line, column=column,
                         hint=f"write the formula alone and choose the variable with --wrt "
                              f"{leibniz.group(2)} (diff(f, \"{leibniz.group(2)}\") in Python)")
    units = imaginary_units(imaginary)
    source = _Source(text, frozenset(_declared(functions)), units)
    token = _source.set(source)
    try:
        machine = _machine()
        result = machine.parse(text) if machine is not None else None
        result = result if result is not None else _parse_with_lark(text)
        _check_names(source)
        return result, source
    except RecursionError:
        raise LimitError("the formula is nested too deeply to parse") from None
    finally:
        _source.reset(token)


def _check_names(source: _Source) -> None:
    """An undeclared name is a function or a variable in one formula, not both: x(x + 1)
    is a product written without its '*'."""
    for name, token in source.undeclared_calls.items():
        if name in source.variables:
            raise source.error(f"{name} is used both as a variable and as a function", token,
                               hint=f"write {name}*(...) for a product, or declare the "
                                    f"function with --func {name} and rename the variable")


def _right_hand_side(written: _Written, source: _Source) -> Expr:
    """``y = rhs`` where a formula is expected: rhs, with a note; other equations are errors."""
    (lhs, rhs), equals = written
    line, column = source.position(equals)
    shown = _short(" ".join(source.text.split()), 40)
    if type(lhs) is Sym and lhs.name not in rhs.free:
        source.note("=", f"reading the right-hand side of {shown} as the formula", equals)
        return rhs
    if _defines_function(lhs, rhs):             # f(x) = x^2 + 1: the definition of f
        source.notes.pop(f"{lhs.fn}(", None)    # not an unknown function after all
        source.undeclared_calls.pop(lhs.fn, None)
        source.note("=", f"reading the right-hand side of {shown} as the formula "
                         f"(the definition of {lhs.fn})", equals)
        return rhs
    both = f"{lhs} occurs on both sides; " if type(lhs) is Sym else ""
    raise ParseError(f"{both}an equation is not differentiated directly", text=source.text,
                     line=line, column=column,
                     hint="differentiate it implicitly with --implicit y (implicit_diff in "
                          "Python), or solve it for one variable and write y = ...")


def _defines_function(lhs: Expr, rhs: Expr) -> TypeGuard[Call]:
    """Whether ``lhs = rhs`` reads as a function's definition: f(x, y) of distinct variables
    on the left, and f not used on the right."""
    return type(lhs) is Call and lhs.fn.isidentifier() and lookup(lhs.fn, len(lhs.args)) is None \
        and all(type(a) is Sym for a in lhs.args) and len(set(lhs.args)) == len(lhs.args) \
        and all(not (type(node) is Call and node.fn.rstrip("'") == lhs.fn) for node in postorder(rhs))


# The differential written after a formula, as under an integral: x^2 dx.
_DIFFERENTIAL = re.compile(r"(?<![\w.])(d([A-Za-z]))[ \t\r\n]*$")

# Leibniz's operator written before a formula, d/dx x^2: symdiff reads the formula alone.
_LEIBNIZ = re.compile(r"[ \t]*(d[ \t]*/[ \t]*d[ \t]*([A-Za-z_]\w*))")


def _tell(source: _Source, warn: Callable[[SymdiffWarning], None] | None) -> None:
    for note in source.notes.values():
        if warn is not None:
            warn(note)
        else:
            _warn(note)


_PACKAGE = str(Path(__file__).resolve().parent) + os.sep


def _warn(note: SymdiffWarning) -> None:
    """warnings.warn, pointing at the first caller outside symdiff (the user's line)."""
    frame: FrameType | None = sys._getframe()
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(note, stacklevel=level)


def _parse_with_lark(text: str) -> Expr:
    from lark.exceptions import UnexpectedInput

    try:
        return _parser().parse(text)  # type: ignore[return-value]  # the transformer builds an Expr
    except UnexpectedInput as error:
        raise _explain(text, error) from None


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


_NOT_BRACKETS = re.compile(r"[^()]+")
_BRACKET_STEP = {"(": 1, ")": -1}


def _check_size(text: str, limits: Limits) -> None:
    if len(text) > limits.max_input_length:
        raise LimitError(f"the formula has {len(text):,} characters, more than the limit of "
                         f"{limits.max_input_length:,}; raise it with --max-length if you mean it",
                         limit="max_input_length")
    if text.count("(") <= limits.max_depth:
        return                              # cannot nest deeper than it has brackets
    brackets = _NOT_BRACKETS.sub("", text)
    deepest = max(0, max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0))
    if deepest > limits.max_depth:
        raise LimitError(f"the formula nests brackets {deepest:,} deep, more than the limit of "
                         f"{limits.max_depth:,}; raise it with --max-depth if you mean it",
                         limit="max_depth")


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


def _hint_for(expected: tuple[str, ...]) -> str:
    """A hint from what was expected: only '(' is expected after a power on a function's name."""
    if expected == ("'('",):
        return "a power written on a function's name takes its argument in brackets, as in sin^2(x)"
    return ""


_FORM_OPENER = re.compile(r"(?:(?i:piecewise)|\bif)[ \t\r\n]*$")
_PIECEWISE_FORMS = ("a piecewise form takes (value, condition) pairs, the value first, as in "
                    "Piecewise((x^2, x < 0), (x, True)); if takes a condition and two values, as "
                    "in if(x > 0, x, -x)")


def _in_piecewise_form(text: str, position: int) -> bool:
    """Whether ``position`` lies inside the brackets of a ``Piecewise(...)`` or ``if(...)``."""
    forms: list[bool] = []
    for i, char in enumerate(text[:position]):
        if char == "(":
            forms.append(bool(_FORM_OPENER.search(text, 0, i)))
        elif char == ")" and forms:
            forms.pop()
    return any(forms)


def _possible(text: str, token, names) -> list[str]:
    """The terminals Lark expected that can follow here: the tables share states between a
    condition and a formula, so the words and comparisons of conditions are dropped outside
    piecewise forms, and '|' where no bar is open."""
    position = len(text) if token is None or token.type == "$END" else token.start_pos
    names = list(names)
    if not _in_piecewise_form(text, position):
        names = [n for n in names if n not in ("AND", "OR", "RELATION")]
    if text[:position].count("|") % 2 == 0:
        names = [n for n in names if n != "BAR"]
    return names


def _unclosed_bar(text: str) -> int | None:
    """Index of the last '|' when the bars do not pair up (an odd count)."""
    bars = [i for i, char in enumerate(text) if char == "|"]
    return bars[-1] if len(bars) % 2 else None


def _unclosed(text: str) -> int | None:
    """Index of the first '(' that is never closed."""
    opened: list[int] = []
    for i, char in enumerate(text):
        if char == "(":
            opened.append(i)
        elif char == ")" and opened:
            opened.pop()
    return opened[0] if opened else None


def _explain(text: str, error) -> ParseError:
    """A Lark failure (``lark.exceptions.UnexpectedInput``) as a message about the user's
    own text."""
    from lark.exceptions import UnexpectedCharacters

    if isinstance(error, UnexpectedCharacters):
        position: int = error.pos_in_stream  # type: ignore[assignment]  # set for UnexpectedCharacters
        char = text[position]
        before = text[position - 1] if position else ""
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
    expected = _expected(_possible(text, token, getattr(error, "expected", None) or ()))
    if token is None or token.type == "$END":
        line, column = _position(text, len(text.rstrip()))
        opened = _unclosed(text)
        if opened is not None:
            at_line, at_column = _position(text, opened)
            where = f"column {at_column}" if at_line == line else f"line {at_line}, column {at_column}"
            return ParseError(f"unexpected end of input: '(' opened at {where} is never closed",
                              text=text, line=line, column=column, expected=("')'",))
        bar = _unclosed_bar(text)
        if bar is not None:
            at_line, at_column = _position(text, bar)
            where = f"column {at_column}" if at_line == line else f"line {at_line}, column {at_column}"
            return ParseError(f"unexpected end of input: '|' at {where} is never closed",
                              text=text, line=line, column=column, expected=("'|'",),
                              hint="|x| is abs(x): bars come in pairs")
        hint = _hint_for(expected)
        last = _LAST_RELATION.search(text.rstrip())
        if last is not None:                    # y = (the right-hand side is missing)
            hint = "'=' needs a right-hand side, as in y = x^2" if last.group() == "=" else \
                _RELATIONS.get(last.group(), _INEQUALITY)[1]
        return ParseError("unexpected end of input", text=text, line=line, column=column,
                          expected=expected, hint=hint)
    in_form = _in_piecewise_form(text, token.start_pos)
    if in_form:                                 # Piecewise((x < 0, x)), if(x, 1), Piecewise(())
        hint = _PIECEWISE_FORMS
        if "RELATION" in (getattr(error, "expected", None) or ()):
            hint = "a condition compares, as in x < 1 (True or otherwise for the default " \
                   "branch); " + _PIECEWISE_FORMS
        shown = "')'" if token.type == "RPAR" else repr(token.value)
        return ParseError(f"unexpected {shown}", text=text, line=token.line, column=token.column,
                          expected=expected, hint=hint)
    if token.type in ("RELATION", "AND", "OR", "NOT"):   # x << 2, x < y < z, x < 1 or x > 2:
        # the first comparison is the fault
        first = next((m for m in _RELATION.finditer(text)          # (conditions of piecewise
                      if not _in_piecewise_form(text, m.start())), None)   # forms are fine)
        if first is not None and first.start() < token.start_pos and first.group() != "=":
            message, hint = _RELATIONS.get(first.group(), _INEQUALITY)
            line, column = _position(text, first.start())
            return ParseError(message.format(first.group()), text=text, line=line,
                              column=column, hint=hint)
    shown = "')'" if token.type == "RPAR" else repr(token.value)
    hint = ""
    if token.type == "NUMBER":
        hint = ("a number has at most one decimal point" if token.value.startswith(".")
                and token.start_pos and text[token.start_pos - 1].isdigit() else
                "write * to multiply by a number; implicit multiplication never takes a number on its right")
    if token.type == "RPAR" and text[:token.start_pos].count("(") <= text[:token.start_pos].count(")"):
        hint = "this ')' has no '(' to close"
    if token.type == "RELATION":
        hint = _RELATIONS.get(token.value, ("", "'=' joins the two sides of an equation, outside "
                                                "any brackets, as in y = x^2"))[1]
    if token.type in ("AND", "OR", "NOT"):
        hint = _CONDITION_WORDS[token.value]
    if token.type == "BAR":
        hint = ("|x| is abs(x); bars are not an implicit factor (|a|b|c| could pair either "
                "way): write 2*|x| or |x|*|y|, or abs(...)")
    hint = hint or _hint_for(expected)
    return ParseError(f"unexpected {shown}", text=text, line=token.line, column=token.column,
                      expected=expected, hint=hint)
