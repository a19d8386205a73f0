"""The argument syntax that ``symdiff`` and ``symdiff graph`` share: a parser whose errors are
usage errors, formulas that start with '-', the point of ``--at``, the variable names of
``--wrt``, the function names of ``--func``, and the resource-limit options (``--max-*``).
"""

from __future__ import annotations

import argparse
import difflib

from .errors import ParseError, UsageError
from .evaluate import evaluate
from .expr import Const, Expr, Num, Sym, spell
from .functions import resolve, unknown_functions
from .limits import OPTIONS, Limits
from .parser import CONSTANTS, parse


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are usage errors (exit status 2), not exits."""

    def error(self, message):
        raise UsageError(message)


def _options_taking_values(parser: argparse.ArgumentParser) -> tuple[set[str], set[str], set[str]]:
    """Every option, those that take a value, and those whose value may be left out
    (``--jacobian`` or ``--jacobian x,y``)."""
    flags, valued, optional = set(), set(), set()
    for action in parser._actions:
        for option in action.option_strings:
            flags.add(option)
            if action.nargs == "?":
                optional.add(option)
            elif action.nargs != 0:
                valued.add(option)
    return flags, valued, optional


def _names_only(arg: str) -> bool:
    """A value of an option whose value may be left out: names and commas (x,y), never a
    formula or an option."""
    return bool(arg.strip()) and all(c.isalnum() or c in "_, " for c in arg) and not arg[0].isdigit()


def _looks_like_an_option(arg: str) -> bool:
    """``--word`` or ``--word=value`` with a word of two or more letters, digits or hyphens: no
    formula is written so (``--x`` is one, -(-x))."""
    name = arg.split("=", 1)[0]
    return name.startswith("--") and len(name) > 3 and name[2].isalpha() \
        and all(c.isalnum() or c == "-" for c in name[2:])


def _unknown_option(arg: str, flags: set[str]) -> UsageError:
    name = arg.split("=", 1)[0]
    close = difflib.get_close_matches(name, sorted(f for f in flags if f.startswith("--")), n=1,
                                      cutoff=0.7)
    hint = f"did you mean {close[0]}? " if close else ""
    return UsageError(f"unknown option {name}; {hint}(a formula that starts with '--' goes "
                      f"after '--', as in: symdiff -- '{arg}')")


def protect_formulas(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Let formulas start with '-': an argument that is not an option goes after '--'.

    >>> from symdiff.cli import build_parser
    >>> protect_formulas(["-x^2", "--wrt", "x"], build_parser())
    ['--wrt', 'x', '--', '-x^2']
    """
    flags, valued, optional = _options_taking_values(parser)
    options, positional = [], []
    expect_value = maybe_value = False
    for i, arg in enumerate(argv):
        if expect_value or maybe_value and _names_only(arg):
            options.append(arg)
            expect_value = maybe_value = False
            continue
        maybe_value = False
        if arg == "--":
            positional.extend(argv[i + 1:])
            break
        elif arg.startswith("-") and arg != "-" and arg.split("=", 1)[0] not in flags:
            if _looks_like_an_option(arg):  # --serve, --wrtt: a mistyped or unknown option
                raise _unknown_option(arg, flags)
            positional.append(arg)           # '-x^2' is a formula, not an option
        elif arg.startswith("-") and arg != "-":
            options.append(arg)
            expect_value = arg in valued and "=" not in arg
            maybe_value = arg in optional and "=" not in arg
        else:
            positional.append(arg)
    return options + (["--", *positional] if positional else [])


def parse_point(text: str, option: str = "--at") -> dict[str, Expr]:
    """``x=2,y=pi/2`` -> ``{"x": 2, "y": pi/2}``, each value a constant formula, kept exact
    (:func:`numbers_of` gives the floats).

    >>> parse_point("x=2, y=-1.5, z=pi/2")
    {'x': 2, 'y': -1.5, 'z': pi/2}
    """
    point: dict[str, Expr] = {}
    for start, item in _items(text):
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"{option} expects name=value pairs separated by commas, "
                             f"as in x=2,y=5; got {item.strip()!r}")
        name = _variable(name, option, text, start, f"{option} expects name=value pairs separated by "
                                                  "commas, as in x=2,y=5")
        if name in point:
            raise UsageError(f"{option} gives {name} twice")
        try:
            constant = parse(value, warn=_unheard)
        except ParseError as error:
            raise UsageError(f"{option} value for {name}: {error}") from None
        if constant.free or unknown_functions(constant):
            raise UsageError(f"{option} value for {name} must be a number, not {value.strip()!r}")
        evaluate(constant)              # a number: sqrt(-1) is refused here
        point[name] = constant
    return point


def numbers_of(point: dict[str, Expr]) -> dict[str, float]:
    """The point's values as floats.

    >>> numbers_of(parse_point("x=1/4"))
    {'x': 0.25}
    """
    return {name: evaluate(value) for name, value in point.items()}


def _unheard(note) -> None:
    """The parser's notes on an option's value: a name or a number is checked as a whole."""


def _items(text: str) -> list[tuple[int, str]]:
    """The comma-separated items of an option's value, each with its index in the value;
    commas inside brackets stay in their item (--wrt "f(x, y),x")."""
    items, start, depth = [], 0, 0
    for i, char in enumerate(text):
        depth += _BRACKET_DEPTH.get(char, 0)
        if char == "," and depth <= 0:
            items.append((start, text[start:i]))
            start = i + 1
    items.append((start, text[start:]))
    return items


_BRACKET_DEPTH = {"(": 1, ")": -1, "[": 1, "]": -1}


def _variable(name: str, option: str, text: str, start: int, expects: str) -> str:
    """``name`` (found at ``start`` in the option's value ``text``) as the parser reads it in
    a formula, which must be a variable; anything else is a usage error that points at it.
    So the command line takes exactly the names a formula can use: θ (spelled theta), not é."""
    typed = f"{option} {text}"
    at = len(option) + 1 + start + len(name) - len(name.lstrip())
    name = name.strip()
    if not name:
        raise UsageError(f"{expects}; found an empty name", (typed, at))
    if name.isascii() and name.isidentifier() and name not in CONSTANTS and resolve(name) is None:
        return name                           # what parse(name) gives, without its cost
    try:
        expr = parse(name, warn=_unheard)
    except ParseError as error:
        raise UsageError(f"{expects}; {name!r} is not a variable name: {error.message}",
                         (typed, at + error.column - 1)) from None
    if type(expr) is not Sym or expr.name != spell(name):           # not 1x, (x) or +x either
        what = ("a constant" if type(expr) is Const else "a number" if type(expr) is Num
                else "a formula")
        raise UsageError(f"{expects}; {name!r} is {what}, not a variable name", (typed, at))
    return expr.name


def variable_names(option: str, text: str) -> list[str]:
    """The names of ``--wrt x,y``, each checked by :func:`_variable`; an application of an
    unknown function (``--wrt "f(x)"``) is kept as written, to be read with the formula's
    declared functions (:func:`symdiff.pipeline.compute` does).

    >>> variable_names("--wrt", "x, f(x, y)")
    ['x', 'f(x, y)']
    """
    return [item.strip() if "(" in item or "[" in item else
            _variable(item, option, text, start, f"{option} expects variable names separated by commas")
            for start, item in _items(text)]


def order_argument(text: str) -> int | str:
    """``--order``: a whole number, or a name (``n``) for the n-th derivative in closed form.

    >>> order_argument("3"), order_argument("n")
    (3, 'n')
    """
    try:
        return int(text)
    except ValueError:
        pass
    expects = "--order expects a whole number, or a letter such as n for the n-th derivative"
    name = _variable(text, "--order", text, 0, expects)
    if len(name) != 1:                      # --order two is a typo of 2, not an order named two
        raise UsageError(f"{expects}; found {text!r}", (f"--order {text}", len("--order ")))
    return name


def function_names(groups: list[str]) -> list[str]:
    """The names of the functions declared by ``--func f,g --func h``."""
    return [spell(n) for group in groups for n in group.replace(",", " ").split()]


# each resource limit's option (limits.OPTIONS names it): its type, metavar and help
LIMIT_HELP = {
    "max_input_length": (int, "N", "longest formula in characters (default {:,})"),
    "max_depth": (int, "N", "deepest bracket nesting (default {:,})"),
    "max_int_bits": (int, "N", "largest integer folded exactly, in bits (default {:,})"),
    "max_order": (int, "N", "highest derivative order (default {:,})"),
    "max_output_nodes": (int, "N", "most distinct nodes in a result (default {:,})"),
    "max_seconds": (float, "S", "longest time one formula may take (default {:g} s)"),
    "max_memory_mb": (int, "MB", "most memory one formula may add (default {:,} MB)"),
    "max_nodes": (int, "N", "most nodes one formula may make (default {:,})"),
}


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """The resource-limit options, ``--max-length`` and the others, each with its default."""
    limits = parser.add_argument_group("resource limits (see docs/reference/limits.md)")
    defaults = Limits()
    for field, (kind, metavar, text) in LIMIT_HELP.items():
        default = getattr(defaults, field)
        limits.add_argument(OPTIONS[field], type=kind, default=default, metavar=metavar,
                            help=text.format(default))


def limits_from(args: argparse.Namespace) -> Limits:
    """The Limits of the options that :func:`add_limit_options` added."""
    try:
        return Limits(**{field: getattr(args, option[2:].replace("-", "_"))
                         for field, option in OPTIONS.items()})
    except ValueError as error:
        message = str(error)
        for field, option in OPTIONS.items():
            message = message.replace(field, option)
        raise UsageError(message) from None
