"""The command line: ``symdiff FORMULA --wrt x``.

Exit codes: 0 success (also when the reader of a pipe goes away, as with ``| head``),
1 an internal error (a bug in symdiff, and nothing else), 2 bad input or usage (a closed
or unreadable stdin included), 74 the output could not be written (stdout closed, disk
full: ``EX_IOERR`` of sysexits.h, an I/O error that is neither the input's fault nor a
bug), 130 interrupted.  Errors go to stderr as one message, never a traceback (set
SYMDIFF_DEBUG=1 to see one for internal errors); with stderr closed they are dropped and
the status alone tells.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from . import __version__, compiled_core
from .diff import diff, gradient
from .errors import EvaluationError, ParseError, SymdiffError
from .evaluate import evaluate, evaluate_all
from .expr import Const, Expr, Num, Sym, postorder, spell
from .functions import resolve
from .limits import OPTIONS, Limits, checked, use_limits, work_budget
from .parser import CONSTANTS, parse
from .printing import cse, to_text
from .simplify import cancel, expand, factor

EXAMPLES = """\
examples:
  symdiff "log(x)+x*y-sin(y)" --wrt x           y + 1/x
  symdiff "log(x)+x*y-sin(y)" --wrt x,y --at x=2,y=5
  symdiff "sin(x)^2" --order 3                  (the only variable is used)
  symdiff "-x^2" --wrt x                        formulas may start with '-'
  symdiff "f(x^2)" --func f --wrt x             2*x*f'(x^2)
  echo "x^3" | symdiff - --wrt x                one result per input line
  symdiff "log(x)+x*y-sin(y)" --wrt x,y --at x=2,y=5 --method all
  symdiff "x^x" --check                         compare with numerical derivatives
  symdiff graph "log(x)+x*y-sin(y)" --at x=2,y=5   the computational graph
  symdiff "sin(x)/x" --wrt x --steps            the derivation, step by step

exit status: 0 ok, 1 internal error (a bug), 2 bad input or usage, 74 output not written,
130 interrupted.
documentation: docs/reference/cli.md
"""


CSE_THRESHOLD = 5_000     # written-out nodes above which shared subexpressions are named
SHOWN_NAMES = 20          # variables a message lists before it says "..."

# --method: the label of each way to compute a derivative's value
METHOD_NAMES = {
    "symbolic": "symbolic", "forward": "forward-mode AD", "reverse": "reverse-mode AD",
    "central": "central difference", "forward-difference": "forward difference",
    "backward-difference": "backward difference", "richardson": "Richardson extrapolation",
    "complex-step": "complex step",
}


# --form: each normal form on request (auto is simplify's own choice, raw no simplification)
FORMS = {"expanded": expand, "factored": factor, "together": cancel}


# Exit statuses (see the module docstring).
OK, BUG, BAD_INPUT, OUTPUT_FAILED, INTERRUPTED = 0, 1, 2, 74, 130


class UsageError(SymdiffError):
    """A problem with the command line itself; ``where`` = (the option as typed, index)
    puts a caret under the offending character."""

    def __init__(self, message: str, where: tuple[str, int] | None = None):
        self.message, self.where = message, where
        super().__init__(self.render())

    def render(self, ascii_only: bool = False) -> str:
        if self.where is None:
            return self.message
        line, index = self.where
        show = (lambda s: s.encode("ascii", "backslashreplace").decode()) if ascii_only else str
        return f"{self.message}\n  {show(line)}\n  {' ' * len(show(line[:index]))}^"


class OutputFailed(Exception):
    """The output could not be written (stdout closed, disk full, ...): exit status 74."""


class _Stdout:
    """stdout as the commands write to it: a failed write raises :class:`OutputFailed` with
    the reason (a closed pipe stays a BrokenPipeError, which ends the run quietly)."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        return self._do("write", text)

    def flush(self) -> None:
        self._do("flush")

    def _do(self, method: str, *args):
        if self.stream is None:
            raise OutputFailed("stdout is closed")
        try:
            return getattr(self.stream, method)(*args)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputFailed(error.strerror or str(error)) from None


class _Stderr:
    """stderr for messages: best effort, so a closed or full stderr never hides the status."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        return self._do("write", text)

    def flush(self) -> None:
        self._do("flush")

    def _do(self, method: str, *args):
        try:
            if self.stream is not None:
                getattr(self.stream, method)(*args)
        except (OSError, ValueError):
            _discard(self.stream)            # give up on it (and on Python's flush at exit)
            self.stream = None
        return len(args[0]) if args else None


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symdiff",
        description="Differentiate a formula symbolically and print the derivative.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("formula", nargs="?",
                        help="the formula, e.g. \"log(x)+x*y-sin(y)\"; '-' reads one formula per line from stdin")
    parser.add_argument("--wrt", metavar="VARS",
                        help="variable(s) to differentiate with respect to, comma-separated; "
                             "several print the gradient, one labelled line each "
                             "(default: the formula's only variable)")
    parser.add_argument("--order", type=int, default=1, metavar="N",
                        help="order of the derivative (default 1)")
    parser.add_argument("--at", metavar="POINT",
                        help="also print the value at a point, e.g. x=2,y=5 (values may be "
                             "constant formulas such as pi/2)")
    parser.add_argument("--no-simplify", action="store_true",
                        help="print the raw derivative as the rules produce it")
    parser.add_argument("--form", choices=["auto", *FORMS, "raw"], default="auto",
                        help="the form of the result: auto (default: the smallest of the "
                             "simplified result and its forms), expanded, factored, together "
                             "(one fraction, common factors cancelled), raw (as --no-simplify)")
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=["text", "latex", "json", "tree", "python", "mathml"],
                        default="text", help="how to print the result (default text; see "
                                             "docs/reference/formats.md)")
    output.add_argument("--latex", dest="format", action="store_const", const="latex",
                        help="same as --format latex")
    output.add_argument("--equation", action="store_true",
                        help="LaTeX: print d/dx(formula) = derivative")
    output.add_argument("--notation", choices=["auto", "d", "partial"], default="auto",
                        help="LaTeX: d or \\partial in derivative operators (auto: d for a formula "
                             "of one variable)")
    output.add_argument("--latex-log", choices=["ln", "log"], default="ln",
                        help="LaTeX: write the natural log as \\ln (default) or \\log")
    output.add_argument("--latex-exp", choices=["power", "exp"], default="power",
                        help="LaTeX: write exp(x) as e^{x} (default) or \\exp(x)")
    parser.add_argument("--steps", action="store_true",
                        help="show the derivation step by step (text, --latex or --format json)")
    methods = parser.add_argument_group("other methods (see docs/howto/three-methods.md)")
    methods.add_argument("--method", choices=list(METHOD_NAMES) + ["all"], default="symbolic",
                         help="compute the derivative's value at --at by another method; 'all' "
                              "prints a table comparing every method with the symbolic value")
    methods.add_argument("--check", action="store_true",
                         help="check the symbolic result against central differences and the "
                              "complex step at random points in the domain (exit 1 on a mismatch)")
    sharing = parser.add_mutually_exclusive_group()
    sharing.add_argument("--cse", action="store_true", default=None,
                         help="print each shared subexpression once, as u1 = ..., before the result "
                              f"(automatic when the written-out result exceeds {CSE_THRESHOLD:,} nodes)")
    sharing.add_argument("--no-cse", dest="cse", action="store_false",
                         help="always print the result written out in full")
    parser.add_argument("--func", action="append", default=[], metavar="NAMES",
                        help="declare unknown functions (comma-separated), differentiated by "
                             "the chain rule: f(u)' = f'(u)*u'")
    limits = parser.add_argument_group("resource limits (see docs/reference/limits.md)")
    defaults = Limits()
    limits.add_argument("--max-length", type=int, default=defaults.max_input_length, metavar="N",
                        help=f"longest formula in characters (default {defaults.max_input_length:,})")
    limits.add_argument("--max-depth", type=int, default=defaults.max_depth, metavar="N",
                        help=f"deepest bracket nesting (default {defaults.max_depth:,})")
    limits.add_argument("--max-int-bits", type=int, default=defaults.max_int_bits, metavar="N",
                        help=f"largest integer folded exactly, in bits (default {defaults.max_int_bits:,})")
    limits.add_argument("--max-order", type=int, default=defaults.max_order, metavar="N",
                        help=f"highest derivative order (default {defaults.max_order:,})")
    limits.add_argument("--max-output", type=int, default=defaults.max_output_nodes, metavar="N",
                        help=f"most distinct nodes in a result (default {defaults.max_output_nodes:,})")
    limits.add_argument("--max-seconds", type=float, default=defaults.max_seconds, metavar="S",
                        help=f"longest time one formula may take (default {defaults.max_seconds:g} s)")
    limits.add_argument("--max-memory", type=int, default=defaults.max_memory_mb, metavar="MB",
                        help=f"most memory one formula may add (default {defaults.max_memory_mb:,} MB)")
    limits.add_argument("--max-nodes", type=int, default=defaults.max_nodes, metavar="N",
                        help=f"most nodes one formula may make (default {defaults.max_nodes:,})")
    build = "compiled core" if compiled_core else "pure Python"
    parser.add_argument("--version", action="version", version=f"symdiff {__version__} ({build})")
    return parser


def _options_taking_values(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    flags, valued = set(), set()
    for action in parser._actions:
        for option in action.option_strings:
            flags.add(option)
            if action.nargs != 0:
                valued.add(option)
    return flags, valued


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

    >>> protect_formulas(["-x^2", "--wrt", "x"], build_parser())
    ['--wrt', 'x', '--', '-x^2']
    """
    flags, valued = _options_taking_values(parser)
    options, positional = [], []
    expect_value = False
    for i, arg in enumerate(argv):
        if expect_value:
            options.append(arg)
            expect_value = False
        elif arg == "--":
            positional.extend(argv[i + 1:])
            break
        elif arg.startswith("-") and arg != "-" and arg.split("=", 1)[0] not in flags:
            if _looks_like_an_option(arg):  # --serve, --wrtt: a mistyped or unknown option
                raise _unknown_option(arg, flags)
            positional.append(arg)           # '-x^2' is a formula, not an option
        elif arg.startswith("-") and arg != "-":
            options.append(arg)
            expect_value = arg in valued and "=" not in arg
        else:
            positional.append(arg)
    return options + (["--", *positional] if positional else [])


def parse_point(text: str) -> dict[str, float]:
    """``x=2,y=pi/2`` -> ``{"x": 2.0, "y": 1.5707963267948966}``.

    >>> parse_point("x=2, y=-1.5")
    {'x': 2.0, 'y': -1.5}
    """
    point: dict[str, float] = {}
    for start, item in _items(text):
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--at expects name=value pairs separated by commas, "
                             f"as in x=2,y=5; got {item.strip()!r}")
        name = _variable(name, "--at", text, start, "--at expects name=value pairs separated by "
                                                    "commas, as in x=2,y=5")
        if name in point:
            raise UsageError(f"--at gives {name} twice")
        try:
            constant = parse(value)
        except ParseError as error:
            raise UsageError(f"--at value for {name}: {error}") from None
        if constant.free:
            raise UsageError(f"--at value for {name} must be a number, not {value.strip()!r}")
        point[name] = evaluate(constant)
    return point


def _items(text: str) -> list[tuple[int, str]]:
    """The comma-separated items of an option's value, each with its index in the value."""
    items, start = [], 0
    for item in text.split(","):
        items.append((start, item))
        start += len(item) + 1
    return items


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
        expr = parse(name)
    except ParseError as error:
        raise UsageError(f"{expects}; {name!r} is not a variable name: {error.message}",
                         (typed, at + error.column - 1)) from None
    if type(expr) is not Sym or expr.name != spell(name):           # not 1x, (x) or +x either
        what = ("a constant" if type(expr) is Const else "a number" if type(expr) is Num
                else "a formula")
        raise UsageError(f"{expects}; {name!r} is {what}, not a variable name", (typed, at))
    return expr.name


def _variables(option: str, text: str) -> list[str]:
    """The names of ``--wrt x,y``, each checked by :func:`_variable`."""
    return [_variable(item, option, text, start, "--wrt expects variable names separated by commas")
            for start, item in _items(text)]


def _label(name: str, order: int) -> str:
    return f"d/d{name}" if order == 1 else f"d^{order}/d{name}^{order}"


class Run:
    """One invocation: the options, and where output and messages go."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO):
        self.args = args
        self.out, self.err = out, err
        self.warnings: list[str] = []
        self.functions = [spell(n) for group in args.func for n in group.replace(",", " ").split()]
        for name in self.functions:
            if not (name.isidentifier() and name.isascii()) or resolve(name) is not None:
                raise UsageError(f"--func takes names of new functions; {name!r} is "
                                 + ("built in" if resolve(name) is not None else "not a name"))
        self.wrt = _variables("--wrt", args.wrt) if args.wrt is not None else None
        self.point = parse_point(args.at) if args.at is not None else None
        if args.order < 0:
            raise UsageError(f"--order must be 0 or more, not {args.order}")
        if args.equation and args.format != "latex":
            raise UsageError("--equation writes LaTeX; add --latex (or --format latex)")
        if args.steps:
            if args.format not in ("text", "latex", "json"):
                raise UsageError("--steps prints text, LaTeX (--latex) or JSON (--format json)")
            if args.order != 1 or args.method != "symbolic" or args.formula == "-":
                raise UsageError("--steps explains one first derivative at a time: drop --order, "
                                 "--method and stdin mode")
        if args.method != "symbolic":
            if self.point is None:
                raise UsageError(f"--method {args.method} computes values: give the point with --at")
            if args.order != 1:
                raise UsageError("--method compares first derivatives; use --order 1")

    def warn(self, message: str, kind: str = "warning") -> None:
        self.warnings.append(message)
        print(f"symdiff: {kind}: {message}", file=self.err)

    def variables(self, expr: Expr) -> list[str]:
        if self.wrt is not None:
            free = expr.free
            for name in self.wrt:
                if name not in free:
                    self.warn(f"{name} does not occur in the formula; its derivative is 0")
            return self.wrt
        names = sorted(expr.free)
        if len(names) > 1:
            if len(names) <= SHOWN_NAMES:
                listed, all_of_them = ", ".join(names), ",".join(names)
            else:                                # not thousands of names in one message
                listed = f"{len(names):,} of them: {', '.join(names[:SHOWN_NAMES])}, ..."
                all_of_them = f"{','.join(names[:3])},... (all {len(names):,} for the gradient)"
            raise UsageError(f"the formula has several variables ({listed}); "
                             f"choose with --wrt, e.g. --wrt {names[0]} or --wrt {all_of_them}")
        return names or ["x"]

    def compute(self, formula: str) -> Outcome:
        """Parse, check the point, differentiate, and decide on shared subexpressions."""
        self.warnings = []
        expr = parse(formula, functions=self.functions)
        if self.point is not None:
            missing = sorted(expr.free - self.point.keys())
            if missing:
                raise UsageError(f"--at gives no value for {', '.join(missing)}")
            try:
                evaluate(expr, self.point)      # the point must lie in the formula's own domain
            except EvaluationError as error:
                raise EvaluationError(f"the formula is undefined at the point: {error}") from None
        names = self.variables(expr)
        simplified = not (self.args.no_simplify or self.args.form == "raw")
        if self.args.order == 1 and len(names) > 1:       # one reverse pass for the gradient
            results = gradient(expr, names, simplify=simplified)
        else:
            results = [diff(expr, name, self.args.order, simplify=simplified,
                            functions=self.functions) for name in names]
        if self.args.form in FORMS:
            results = [FORMS[self.args.form](r) for r in results]
        # one walk over all results: the components of a gradient share most of their nodes
        values = evaluate_all(results, self.point) if self.point is not None else None
        shared = cse(results) if self.share(results) else None
        return Outcome(formula, expr, names, self.args.order, results, values, shared,
                       list(self.warnings))

    def share(self, results: list[Expr]) -> bool:
        """Name shared subexpressions when asked, or when writing them out would be large."""
        if self.args.cse is not None:
            return self.args.cse
        if self.args.format in ("json", "tree"):
            return False                         # data formats show the DAG itself
        written, distinct = _sizes(results)
        if written > CSE_THRESHOLD and written > 2 * distinct:
            self.warn(f"the result has {written:,} nodes written out; printing each shared "
                      f"subexpression once (--no-cse prints it whole)", kind="note")
            return True
        return False

    def render(self, outcome: Outcome, one_line: bool = False) -> str:
        return RENDERERS[self.args.format](self, outcome, one_line)

    def one(self, formula: str) -> int:
        with work_budget():                   # one formula, one budget: parse to print
            return self._one(formula)

    def _one(self, formula: str) -> int:
        if self.args.steps:
            return self.explain(formula)
        outcome = self.compute(formula)
        if self.args.method != "symbolic":
            print(compare_methods(outcome, self.point, self.args.method), file=self.out)
        else:
            print(self.render(outcome), file=self.out)
        if self.args.check:
            report, ok = check_derivatives(outcome)
            print(report, file=self.out)
            return 0 if ok else 1
        return 0

    def explain(self, formula: str) -> int:
        from .explain import explain, steps_json, steps_latex, steps_text
        expr = parse(formula, functions=self.functions)
        show = {"text": steps_text, "latex": steps_latex, "json": steps_json}[self.args.format]
        parts = []
        for name in self.variables(expr):
            steps = explain(expr, name, functions=self.functions)
            if self.args.no_simplify or self.args.form == "raw":
                # the steps up to the raw derivative (the last one, if nothing was simplified)
                simplified = any(s.kind == "simplify" for s in steps)
                steps = [s for s in steps if s.kind in ("differentiate", "substitute")
                         or s.kind == "result" and not simplified]
            parts.append(show(steps))
        print("\n\n".join(parts), file=self.out)
        return 0

    def stream(self, stdin: TextIO | None) -> int:
        """One result line per input line; a failed line prints empty and reports on stderr."""
        status = 0
        for number, formula in enumerate(_read_lines(stdin), 1):
            formula = formula.rstrip("\r\n")
            if not formula.strip():
                print(file=self.out)
                continue
            try:
                with work_budget():
                    line = self.render(self.compute(formula), one_line=True)
            except (SymdiffError, ArithmeticError) as error:
                print(f"symdiff: error: stdin line {number}: {_message(error, self.err)}", file=self.err)
                print(file=self.out)
                status = 2
                continue
            print(line, file=self.out, flush=True)
        return status


def _sizes(results: list[Expr]) -> tuple[int, int]:
    """The nodes of all results written out in full, and their distinct nodes (with one for
    the list).  One walk over the results together: walking each result on its own would
    cost the number of results times the shared part (quadratic for a gradient)."""
    size: dict[int, int] = {}

    def known(node):
        return id(node) in size
    for result in results:
        for node in checked(postorder(result, stop=known)):
            if id(node) not in size:
                size[id(node)] = 1 + sum(size[id(c)] for c in node.children)
    return sum(size[id(r)] for r in results), len(size) + 1


def _read_lines(stdin: TextIO | None):
    """The lines of stdin; a stdin that is closed or cannot be read is bad input (exit 2)."""
    if stdin is None:
        raise SymdiffError("cannot read the formulas: stdin is closed ('-' reads one formula "
                           "per line from stdin)")
    while True:
        try:
            line = stdin.readline()
        except OSError as error:
            raise SymdiffError(f"cannot read stdin: {error.strerror or error}") from None
        if not line:
            return
        yield line


@dataclass
class Outcome:
    """Everything one formula produced, for the renderers."""

    formula: str
    expr: Expr
    names: list[str]
    order: int
    results: list[Expr]
    values: list[float] | None
    shared: tuple | None             # (bindings, results written with the bindings' names)
    warnings: list[str]


def render_text(run: Run, outcome: Outcome, one_line: bool) -> str:
    bindings, written = outcome.shared or ([], outcome.results)
    lines = [f"{symbol.name} = {to_text(body)}" for symbol, body in bindings]
    rows = []
    for i, (name, shown) in enumerate(zip(outcome.names, written)):
        line = to_text(shown)
        if outcome.values is not None:
            line += f" = {_number(outcome.values[i])}"
        rows.append(line if len(written) == 1 else f"{_label(name, outcome.order)} = {line}")
    return ("; " if one_line else "\n").join(lines + rows)


def render_latex(run: Run, outcome: Outcome, one_line: bool) -> str:
    from .latex import aligned_cse, derivative_operator, to_latex
    options = dict(ln=run.args.latex_log == "ln", exp_power=run.args.latex_exp == "power")
    single = len(outcome.expr.free) <= 1
    partial = {"auto": None, "d": False, "partial": True}[run.args.notation]
    bindings, written = outcome.shared or ([], outcome.results)
    labelled = run.args.equation or len(written) > 1 or bindings
    rows = []
    for i, (name, shown) in enumerate(zip(outcome.names, written)):
        if run.args.equation:
            operator = derivative_operator([name] * outcome.order, single, partial)
            left = operator + r"\!\left(" + to_latex(outcome.expr, **options) + r"\right)"
        else:
            left = derivative_operator([name] * outcome.order, single, partial, of="f")
        right = to_latex(shown, **options)
        if outcome.values is not None:
            right += f" = {_number(outcome.values[i])}"
        rows.append((left, right))
    if bindings:
        return aligned_cse(bindings, [(left, value) for (left, _), value in zip(rows, written)],
                           **options)
    lines = [f"{left} = {right}" if labelled else right for left, right in rows]
    return (r" \quad " if one_line else "\n").join(lines)


def render_json(run: Run, outcome: Outcome, one_line: bool) -> str:
    from .formats import to_json
    text = to_json(outcome.formula, outcome.expr,
                   [(n, outcome.order, r) for n, r in zip(outcome.names, outcome.results)],
                   outcome.warnings, outcome.values)
    return json.dumps(json.loads(text), ensure_ascii=False) if one_line else text


def render_tree(run: Run, outcome: Outcome, one_line: bool) -> str:
    from .formats import to_tree
    if one_line:
        raise UsageError("--format tree draws several lines; it does not combine with stdin mode")
    parts = []
    for name, result in zip(outcome.names, outcome.results):
        drawing = to_tree(result)
        parts.append(drawing if len(outcome.names) == 1 else f"{_label(name, outcome.order)}:\n{drawing}")
    return "\n".join(parts)


def render_python(run: Run, outcome: Outcome, one_line: bool) -> str:
    from .formats import to_python
    if one_line:
        raise UsageError("--format python writes a module; it does not combine with stdin mode")
    variables = sorted(outcome.expr.free)
    if len(outcome.names) == 1:
        return to_python(outcome.results[0], variables).rstrip("\n")
    functions = [to_python(r, variables, name=f"d_d{n}" if outcome.order == 1 else f"d{outcome.order}_d{n}{outcome.order}")
                 .split("\n", 3)[3] for n, r in zip(outcome.names, outcome.results)]
    return "import math\n\n\n" + "\n\n\n".join(f.rstrip("\n") for f in functions)


def render_mathml(run: Run, outcome: Outcome, one_line: bool) -> str:
    from .formats import to_mathml
    return ("" if one_line else "\n").join(to_mathml(r, display=not one_line) for r in outcome.results)


RENDERERS = {"text": render_text, "latex": render_latex, "json": render_json, "tree": render_tree,
             "python": render_python, "mathml": render_mathml}


def _number(value: float) -> str:
    return repr(value)


def _limits(args) -> Limits:
    try:
        return Limits(max_input_length=args.max_length, max_depth=args.max_depth,
                      max_int_bits=args.max_int_bits, max_order=args.max_order,
                      max_output_nodes=args.max_output, max_seconds=args.max_seconds,
                      max_memory_mb=args.max_memory, max_nodes=args.max_nodes)
    except ValueError as error:
        message = str(error)
        for field, option in OPTIONS.items():
            message = message.replace(field, option)
        raise UsageError(message) from None


def run(argv: Sequence[str], stdin: TextIO | None, out: TextIO, err: TextIO) -> int:
    if argv and argv[0] == "graph":
        with work_budget():
            return run_graph(list(argv[1:]), out, err)
    parser = build_parser()
    args = parser.parse_args(protect_formulas(list(argv), parser))
    if args.formula is None:
        raise UsageError("no formula given; try: symdiff \"x^2\" --wrt x   (or --help)")
    with use_limits(_limits(args)):
        session = Run(args, out, err)
        if args.formula == "-":
            return session.stream(stdin)
        return session.one(args.formula)


# ---------------------------------------------------------------- the three methods

def method_values(outcome: Outcome, point: dict[str, float], method: str) -> list[float]:
    """d/dv at the point for each variable v, by one method."""
    from .autodiff import jvp, vjp
    from .numeric import partial as numerical_partial
    expr, names = outcome.expr, outcome.names
    if method == "symbolic":
        return list(outcome.values)
    if method == "forward":
        return [jvp(expr, point, {name: 1.0})[1] for name in names]
    if method == "reverse":
        gradient = vjp(expr, point, names)[1]
        return [gradient[name] for name in names]
    numeric = {"central": "central", "forward-difference": "forward",
               "backward-difference": "backward", "richardson": "richardson",
               "complex-step": "complex"}[method]
    return [numerical_partial(expr, name, point, numeric).value for name in names]


def compare_methods(outcome: Outcome, point: dict[str, float], method: str) -> str:
    """One method's values, or (``all``) a table of every method against the symbolic value."""
    if method != "all":
        values = method_values(outcome, point, method)
        if len(values) == 1:
            return _number(values[0])
        return "\n".join(f"{_label(n, 1)} = {_number(v)}" for n, v in zip(outcome.names, values))
    header = ["method"]
    for name in outcome.names:
        header += [_label(name, 1), "error"]
    rows = [header]
    exact = outcome.values
    for key, label in METHOD_NAMES.items():
        try:
            values = method_values(outcome, point, key)
            row = [label]
            for v, e in zip(values, exact):
                row += [_number(v), f"{abs(v - e):.1e}" if key != "symbolic" else "0"]
        except (SymdiffError, ArithmeticError, ValueError) as error:
            row = [label] + [f"({error})", ""] * len(exact)
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def check_derivatives(outcome: Outcome, points: int = 20, seed: int = 0) -> tuple[str, bool]:
    """Compare the symbolic derivative with central differences and the complex step of the
    (order - 1)th derivative at random points where both are defined."""
    import random
    from .numeric import partial as numerical_partial
    rng = random.Random(seed)
    names = sorted(outcome.expr.free) or ["x"]
    worst = {"central difference": 0.0, "complex step": 0.0}
    checked, stepped, tries, failures = 0, 0, 0, []
    why_not_stepped = ""
    lower = [diff(outcome.expr, n, outcome.order - 1) for n in outcome.names]
    while checked < points and tries < 50 * points:
        tries += 1
        point = {n: rng.uniform(-3, 3) for n in names}
        try:
            exact = evaluate_all(outcome.results, point)
            central = [numerical_partial(f, n, point, "central") for f, n in zip(lower, outcome.names)]
        except (SymdiffError, ArithmeticError, ValueError):
            continue                      # outside the domain: try another point
        try:
            step = [numerical_partial(f, n, point, "complex").value for f, n in zip(lower, outcome.names)]
        except (SymdiffError, ArithmeticError, ValueError, ZeroDivisionError) as error:
            step = [None] * len(exact)
            why_not_stepped = why_not_stepped or str(error).split("\n")[0]
        checked += 1
        stepped += step[0] is not None
        for e, c, z in zip(exact, central, step):
            scale = max(1.0, abs(e))
            error = abs(e - c.value) / scale
            worst["central difference"] = max(worst["central difference"], error)
            if error > 1e-5 + 10 * c.error / scale:
                failures.append((point, e, c.value, "central difference"))
            if z is not None:
                error = abs(e - z) / scale
                worst["complex step"] = max(worst["complex step"], error)
                if error > 1e-8:
                    failures.append((point, e, z, "complex step"))
    if checked == 0:
        return "check: found no point in [-3, 3] where the formula and its derivative are defined", False
    if stepped:
        against_step = (f"{worst['complex step']:.1e} against the complex step"
                        + (f" (at {stepped} of them)" if stepped < checked else ""))
    else:                                 # never ran: say so rather than report an error of 0
        against_step = f"no complex step ({why_not_stepped or 'it does not apply here'})"
    report = (f"check: {checked} random points; largest relative error "
              f"{worst['central difference']:.1e} against central differences, {against_step}")
    if failures:
        point, e, other, how = failures[0]
        where = ", ".join(f"{k}={v:.6g}" for k, v in point.items())
        return report + f"\ncheck: MISMATCH at {where}: symbolic {e!r}, {how} {other!r}", False
    return report + ": ok", True


# ---------------------------------------------------------------- symdiff graph

def build_graph_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symdiff graph",
                     description="Show the computational graph of a formula at a point: each node "
                                 "with its inputs, forward value and adjoint (reverse mode).",
                     epilog='example:\n  symdiff graph "log(x)+x*y-sin(y)" --at x=2,y=5\n'
                            '  symdiff graph "log(x)+x*y-sin(y)" --at x=2,y=5 --format svg > graph.svg',
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("formula")
    parser.add_argument("--at", required=True, metavar="POINT", help="the point, e.g. x=2,y=5")
    parser.add_argument("--wrt", metavar="VARS",
                        help="variables that require a gradient (default: all)")
    parser.add_argument("--format", choices=["table", "dot", "svg"], default="table",
                        help="table (default), Graphviz DOT, or SVG drawn by Graphviz's dot")
    parser.add_argument("--func", action="append", default=[], metavar="NAMES",
                        help="declare unknown functions (they have no numeric value)")
    return parser


def run_graph(argv: list[str], out: TextIO, err: TextIO) -> int:
    import shutil
    import subprocess
    from .autodiff import format_table, node_table, to_dot
    parser = build_graph_parser()
    args = parser.parse_args(protect_formulas(argv, parser))
    point = parse_point(args.at)
    functions = [spell(n) for group in args.func for n in group.replace(",", " ").split()]
    expr = parse(args.formula, functions=functions)
    missing = sorted(expr.free - point.keys())
    if missing:
        raise UsageError(f"--at gives no value for {', '.join(missing)}")
    wanted = _variables("--wrt", args.wrt) if args.wrt else None
    for name in wanted or ():
        if name not in expr.free:
            print(f"symdiff: warning: {name} does not occur in the formula", file=err)
    if args.format == "table":
        print(format_table(node_table(expr, point, wanted)), file=out)
        return 0
    dot = to_dot(expr, point, wanted)
    if args.format == "dot":
        print(dot, file=out)
        return 0
    program = shutil.which("dot")
    if program is None:
        raise UsageError("--format svg needs Graphviz's dot program, which is not installed; "
                         "install Graphviz (Debian/Ubuntu: apt-get install graphviz, macOS: brew "
                         "install graphviz) or use --format dot and render it elsewhere")
    try:
        drawn = subprocess.run([program, "-Tsvg"], input=dot, capture_output=True, text=True,
                               timeout=60)
    except subprocess.TimeoutExpired:
        raise SymdiffError("Graphviz's dot took more than 60 s; try --format dot") from None
    except OSError as error:
        raise SymdiffError(f"cannot run Graphviz's dot ({program}): "
                           f"{error.strerror or error}") from None
    if drawn.returncode != 0:
        raise SymdiffError(f"Graphviz failed: {drawn.stderr.strip()}")
    out.write(drawn.stdout)
    return 0


def _message(error: Exception, stream: TextIO) -> str:
    """The error text; on a terminal that cannot show the user's characters, escape
    them and keep the caret under the right one."""
    text = str(error)
    try:
        text.encode(stream.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        if isinstance(error, (ParseError, UsageError)):
            return error.render(ascii_only=True)
    return text


def _interrupted(signum, frame) -> None:
    """Ctrl-C: leave at once with status 130.  Raising KeyboardInterrupt is not enough,
    because it can land in a weakref callback of the node table, where Python ignores it."""
    with contextlib.suppress(OSError):                 # stderr may be closed
        os.write(2, b"symdiff: interrupted\n")
    os._exit(INTERRUPTED)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:                        # the real command, not a test calling main()
        signal.signal(signal.SIGINT, _interrupted)
    for stream, errors in ((sys.stdout, "backslashreplace"), (sys.stderr, "backslashreplace"),
                           (sys.stdin, "surrogateescape")):   # bytes that are not text reach
        with contextlib.suppress(AttributeError, ValueError):    # the parser, which names them
            stream.reconfigure(errors=errors)
    argv = sys.argv[1:] if argv is None else argv
    out, err = _Stdout(sys.stdout), _Stderr(sys.stderr)
    try:
        with contextlib.redirect_stdout(out):           # --help and --version write there too
            try:
                status = run(argv, sys.stdin, out, err)
            except SystemExit as done:                  # --help, --version
                status = int(done.code or 0)
            out.flush()
        return status
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python's own flush at exit quiet too.
        _discard(sys.stdout)
        return OK
    except OutputFailed as error:
        # Not the input's fault and not a bug: an I/O error, EX_IOERR.  The unwritten rest is
        # dropped, so that Python's flush at exit does not fail again (and exit 120).
        _discard(sys.stdout)
        print(f"symdiff: error: cannot write the output: {error}", file=err)
        return OUTPUT_FAILED
    except KeyboardInterrupt:
        print("symdiff: interrupted", file=err)
        return INTERRUPTED
    except UsageError as error:
        command = "symdiff graph" if list(argv[:1]) == ["graph"] else "symdiff"
        print(f"symdiff: error: {_message(error, err)}\n(see {command} --help)", file=err)
        return BAD_INPUT
    except (SymdiffError, EvaluationError) as error:
        print(f"symdiff: error: {_message(error, err)}", file=err)
        return BAD_INPUT
    except RecursionError:
        print("symdiff: error: the formula is nested too deeply", file=err)
        return BAD_INPUT
    except MemoryError:
        print("symdiff: error: out of memory; the result is too large", file=err)
        return BAD_INPUT
    except Exception as error:  # an internal bug: say so, briefly
        if os.environ.get("SYMDIFF_DEBUG"):
            raise
        print(f"symdiff: internal error: {type(error).__name__}: {error}\n"
              f"This is a bug in symdiff; please report it with the command you ran "
              f"(set SYMDIFF_DEBUG=1 for a traceback).", file=err)
        return BUG
    finally:
        err.flush()


def _discard(stream: TextIO | None) -> None:
    """Point the stream's file descriptor at /dev/null, so that what is still buffered for it
    goes nowhere instead of failing again when Python flushes it at exit."""
    if stream is None:
        return
    with contextlib.suppress(AttributeError, OSError, ValueError):
        target = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, target)
        finally:
            os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
