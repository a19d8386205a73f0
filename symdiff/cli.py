"""The command line: ``symdiff FORMULA --wrt x``.

Exit codes: 0 success, 1 an internal error (a bug in symdiff) or a failure to
write the output, 2 bad input or usage, 130 interrupted.  Errors go to stderr as a message, never a traceback
(set SYMDIFF_DEBUG=1 to see one for internal errors).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence, TextIO

from . import __version__
from .diff import diff
from .errors import EvaluationError, ParseError, SymdiffError
from .evaluate import evaluate
from .expr import Call, Expr, dag_size, spell, tree_size
from .functions import resolve
from .limits import Limits, use_limits
from .parser import parse
from .printing import cse, to_text

EXAMPLES = """\
examples:
  symdiff "log(x)+x*y-sin(y)" --wrt x           y + 1/x
  symdiff "log(x)+x*y-sin(y)" --wrt x,y --at x=2,y=5
  symdiff "sin(x)^2" --order 3                  (the only variable is used)
  symdiff "-x^2" --wrt x                        formulas may start with '-'
  symdiff "f(x^2)" --func f --wrt x             2*x*f'(x^2)
  echo "x^3" | symdiff - --wrt x                one result per input line

exit status: 0 ok, 2 bad input or usage, 1 internal error or output failure, 130 interrupted.
documentation: docs/reference/cli.md
"""


CSE_THRESHOLD = 5_000     # written-out nodes above which shared subexpressions are named


class UsageError(SymdiffError):
    """A problem with the command line itself."""


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
    parser.add_argument("--version", action="version", version=f"symdiff {__version__}")
    return parser


def _options_taking_values(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    flags, valued = set(), set()
    for action in parser._actions:
        for option in action.option_strings:
            flags.add(option)
            if action.nargs != 0:
                valued.add(option)
    return flags, valued


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
    for item in text.split(","):
        name, equals, value = item.partition("=")
        name = spell(name.strip())
        if not equals or not name.isidentifier():
            raise UsageError(f"--at expects name=value pairs separated by commas, "
                             f"as in x=2,y=5; got {item.strip()!r}")
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


def _label(name: str, order: int) -> str:
    return f"d/d{name}" if order == 1 else f"d^{order}/d{name}^{order}"


class Run:
    """One invocation: the options, and where output and messages go."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO):
        self.args = args
        self.out, self.err = out, err
        self.functions = [spell(n) for group in args.func for n in group.replace(",", " ").split()]
        for name in self.functions:
            if not (name.isidentifier() and name.isascii()) or resolve(name) is not None:
                raise UsageError(f"--func takes names of new functions; {name!r} is "
                                 + ("built in" if resolve(name) is not None else "not a name"))
        self.wrt = [spell(n.strip()) for n in args.wrt.split(",")] if args.wrt is not None else None
        self.point = parse_point(args.at) if args.at is not None else None
        if self.wrt is not None:
            for name in self.wrt:
                if not name.isidentifier():
                    raise UsageError(f"--wrt expects variable names separated by commas; got {name!r}")
        if args.order < 0:
            raise UsageError(f"--order must be 0 or more, not {args.order}")

    def warn(self, message: str, kind: str = "warning") -> None:
        print(f"symdiff: {kind}: {message}", file=self.err)

    def variables(self, expr: Expr) -> list[str]:
        if self.wrt is not None:
            for name in self.wrt:
                if name not in expr.free:
                    self.warn(f"{name} does not occur in the formula; its derivative is 0")
            return self.wrt
        names = sorted(expr.free)
        if len(names) > 1:
            raise UsageError(f"the formula has several variables ({', '.join(names)}); "
                             f"choose with --wrt, e.g. --wrt {names[0]} or --wrt {','.join(names)}")
        return names or ["x"]

    def results(self, formula: str) -> tuple[list[str], list[tuple[str, str]]]:
        """Binding lines (shared subexpressions), then (label, line) for each variable."""
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
        results = [diff(expr, name, self.args.order, simplify=not self.args.no_simplify,
                        functions=self.functions) for name in names]
        bindings, written = [], results
        if self.share(results):
            bound, written = cse(results)
            bindings = [f"{symbol.name} = {to_text(body)}" for symbol, body in bound]
        rows = []
        for name, result, shown in zip(names, results, written):
            line = to_text(shown)
            if self.point is not None:
                line += f" = {_number(evaluate(result, self.point))}"
            rows.append((_label(name, self.args.order), line))
        return bindings, rows

    def share(self, results: list[Expr]) -> bool:
        """Name shared subexpressions when asked, or when writing them out would be large."""
        if self.args.cse is not None:
            return self.args.cse
        written = sum(tree_size(r) for r in results)
        if written > CSE_THRESHOLD and written > 2 * dag_size(Call("(results)", tuple(results))):
            self.warn(f"the result has {written:,} nodes written out; printing each shared "
                      f"subexpression once (--no-cse prints it whole)", kind="note")
            return True
        return False

    def one(self, formula: str) -> None:
        bindings, rows = self.results(formula)
        for line in bindings:
            print(line, file=self.out)
        if len(rows) == 1:
            print(rows[0][1], file=self.out)
        else:
            for label, line in rows:
                print(f"{label} = {line}", file=self.out)

    def stream(self, lines) -> int:
        """One result line per input line; a failed line prints empty and reports on stderr."""
        status = 0
        for number, formula in enumerate(lines, 1):
            formula = formula.rstrip("\r\n")
            if not formula.strip():
                print(file=self.out)
                continue
            try:
                bindings, rows = self.results(formula)
            except (SymdiffError, ArithmeticError) as error:
                print(f"symdiff: error: stdin line {number}: {_message(error, self.err)}", file=self.err)
                print(file=self.out)
                status = 2
                continue
            line = rows[0][1] if len(rows) == 1 else "; ".join(f"{l} = {r}" for l, r in rows)
            line = "; ".join([*bindings, line])
            print(line, file=self.out, flush=True)
        return status


def _number(value: float) -> str:
    return repr(value)


def _limits(args) -> Limits:
    try:
        return Limits(max_input_length=args.max_length, max_depth=args.max_depth,
                      max_int_bits=args.max_int_bits, max_order=args.max_order,
                      max_output_nodes=args.max_output)
    except ValueError as error:
        raise UsageError(str(error).replace("max_", "--max-").replace("_", "-")) from None


def run(argv: Sequence[str], stdin: TextIO, out: TextIO, err: TextIO) -> int:
    parser = build_parser()
    args = parser.parse_args(protect_formulas(list(argv), parser))
    if args.formula is None:
        raise UsageError("no formula given; try: symdiff \"x^2\" --wrt x   (or --help)")
    with use_limits(_limits(args)):
        session = Run(args, out, err)
        if args.formula == "-":
            return session.stream(stdin)
        session.one(args.formula)
    return 0


def _message(error: Exception, stream: TextIO) -> str:
    """The error text; on a terminal that cannot show the user's characters, escape
    them and keep the caret under the right one."""
    text = str(error)
    try:
        text.encode(stream.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        if isinstance(error, ParseError):
            return error.render(ascii_only=True)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass
    argv = sys.argv[1:] if argv is None else argv
    try:
        status = run(argv, sys.stdin, sys.stdout, sys.stderr)
        sys.stdout.flush()
        return status
    except SystemExit as done:              # --help, --version
        return int(done.code or 0)
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python's own flush at exit quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("symdiff: interrupted", file=sys.stderr)
        return 130
    except UsageError as error:
        print(f"symdiff: error: {error}\n(see symdiff --help)", file=sys.stderr)
        return 2
    except (SymdiffError, EvaluationError) as error:
        print(f"symdiff: error: {_message(error, sys.stderr)}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"symdiff: error: cannot write the output: {error.strerror or error}", file=sys.stderr)
        return 1
    except RecursionError:
        print("symdiff: error: the formula is nested too deeply", file=sys.stderr)
        return 2
    except MemoryError:
        print("symdiff: error: out of memory; the result is too large", file=sys.stderr)
        return 2
    except Exception as error:  # an internal bug: say so, briefly
        if os.environ.get("SYMDIFF_DEBUG"):
            raise
        print(f"symdiff: internal error: {type(error).__name__}: {error}\n"
              f"This is a bug in symdiff; please report it with the command you ran "
              f"(set SYMDIFF_DEBUG=1 for a traceback).", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
