"""The command line: ``symdiff FORMULA --wrt x``.

Exit codes: 0 success (also when the reader of a pipe goes away, as with ``| head``),
1 an internal error (a bug in symdiff, and nothing else), 2 bad input or usage (a closed
or unreadable stdin included), 74 the output could not be written (stdout closed, disk
full: ``EX_IOERR`` of sysexits.h, an I/O error that is neither the input's fault nor a
bug), 130 interrupted.  Errors go to stderr as one message, never a traceback (set
SYMDIFF_DEBUG=1 to see one for internal errors); with stderr closed they are dropped and
the status alone tells.

This module reads the options, checks that they go together, and turns what happens into
output and an exit status; :mod:`symdiff.pipeline` computes, the printers' ``render_*`` print,
see docs/design.md ("CLI") for the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TextIO

from . import __version__, compiled_core
from .arguments import (Parser, add_limit_options, function_names, limits_from, order_argument,
                        numbers_of, parse_point, protect_formulas, variable_names)
from .checks import METHOD_NAMES, check_derivatives, compare_methods
from .errors import EvaluationError, SymdiffError, UsageError
from .functions import resolve, unknown_functions
from .limits import use_limits, work_budget
from .answers import OPERATIONS, Calculation, calculate, implicit_steps, render_answers
from .pipeline import CSE_THRESHOLD, FORMS, Outcome, Request, compute, renderer, steps
from .streams import OutputFailed, Stderr, Stdout, Writer, discard, message, read_lines

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
  symdiff "sin(x)" --at x=pi/3                  cos(x) = 1/2 = 0.5 (exact values)
  symdiff "x^2 + y^2 = 1" --implicit y          dy/dx = -x/y
  symdiff "exp(x)" --series x=0 --order 3       1 + x + x^2/2 + x^3/6 + O(x^4)
  symdiff "[x*y, sin(x)]" --jacobian x,y        the Jacobian matrix

exit status: 0 ok, 1 internal error (a bug), 2 bad input or usage, 74 output not written,
130 interrupted.
documentation: docs/reference/cli.md
"""


MAX_DIGITS = 10_000       # --digits: more would take long in mpmath, and nobody reads them

# Exit statuses (see the module docstring).
OK, BUG, BAD_INPUT, OUTPUT_FAILED, INTERRUPTED = 0, 1, 2, 74, 130

# --notation: derivative_operator's partial
NOTATIONS = {"auto": None, "d": False, "partial": True}


# The formats that write the DAG (a tree, JSON) or code with its shared subexpressions as
# temporaries.
DAG_FORMATS = ("json", "tree", "python", "numpy", "jax", "torch", "c")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="symdiff",
        description="Differentiate a formula symbolically and print the derivative.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("formula", nargs="?",
                        help="the formula, e.g. \"log(x)+x*y-sin(y)\"; '-' reads one formula per line from stdin")
    parser.add_argument("--wrt", metavar="VARS", action="append",
                        help="variable(s) to differentiate with respect to, comma-separated; "
                             "several print the gradient, one labelled line each "
                             "(default: the formula's only variable); --wrt x --wrt y: the "
                             "mixed partial, as --mixed x,y")
    parser.add_argument("--order", type=order_argument, default=None, metavar="N",
                        help="order of the derivative (default 1; of a --series, 5); a letter "
                             "such as n asks for the n-th derivative in closed form")
    parser.add_argument("--at", metavar="POINT",
                        help="also print the value at a point, e.g. x=2,y=5 (values may be "
                             "constant formulas such as pi/2)")
    parser.add_argument("--digits", type=int, metavar="N",
                        help=f"print the values at --at to N significant digits (mpmath; at most "
                             f"{MAX_DIGITS:,})")
    parser.add_argument("--no-simplify", action="store_true",
                        help="print the raw derivative as the rules produce it")
    parser.add_argument("--form", choices=["auto", *FORMS, "raw"], default="auto",
                        help="the form of the result: auto (default: the smallest of the "
                             "simplified result and its forms), expanded, factored, together "
                             "(one fraction, common factors cancelled), raw (as --no-simplify)")
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=["text", "latex", "json", "tree", "python", "numpy", "jax",
                                             "torch", "c", "mathml"],
                        default="text", help="how to print the result (default text): also code "
                                             "for Python, NumPy, JAX, PyTorch or C, one function "
                                             "for all derivatives (see docs/reference/formats.md)")
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
    around = parser.add_argument_group("calculus around the derivative (see docs/howto/calculus.md)")
    around.add_argument("--implicit", metavar="Y",
                        help="the derivative of Y defined by an equation, as a function of --wrt: "
                             "symdiff \"x^2 + y^2 = 1\" --implicit y --wrt x")
    around.add_argument("--mixed", metavar="VARS",
                        help="the mixed partial derivative by VARS in turn, e.g. --mixed x,y")
    around.add_argument("--jacobian", metavar="VARS", nargs="?", const="",
                        help="the Jacobian of a list of formulas, \"[x*y, sin(x)]\", by VARS "
                             "(default: all variables)")
    around.add_argument("--hessian", metavar="VARS", nargs="?", const="",
                        help="the Hessian matrix by VARS (default: all variables)")
    around.add_argument("--series", metavar="POINT",
                        help="the Taylor series about a point, e.g. x=0, up to the power --order "
                             "(default 5), with exact coefficients")
    around.add_argument("--tangent", metavar="POINT",
                        help="the tangent line (or plane) at a point, e.g. x=1 or x=1,y=2")
    around.add_argument("--critical", action="store_true",
                        help="the critical points (f' = 0) where they have a closed form")
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
    parser.add_argument("--imaginary", choices=("i", "I", "j"), default="i",
                        help="which names are the imaginary unit: i (I and i, the default), I (only "
                             "I; i is a variable) or j (I and j); --wrt i reads i as a variable")
    add_limit_options(parser)
    build = "compiled core" if compiled_core else "pure Python"
    parser.add_argument("--version", action="version", version=f"symdiff {__version__} ({build})")
    return parser


class Run:
    """One invocation: the options, and where output and messages go."""

    def __init__(self, args: argparse.Namespace, out: Writer, err: Writer):
        self.args = args
        self.out, self.err = out, err
        functions = function_names(args.func)
        for name in functions:
            if not (name.isidentifier() and name.isascii()) or resolve(name) is not None:
                raise UsageError(f"--func takes names of new functions; {name!r} is "
                                 + ("built in" if resolve(name) is not None else "not a name"))
        self.calculation = calculation_of(args, functions)
        wrt = tuple(variable_names("--wrt", args.wrt[0])) if args.wrt is not None else None
        self.point = parse_point(args.at) if args.at is not None else None
        if isinstance(args.order, int) and args.order < 0:
            raise UsageError(f"--order must be 0 or more, not {args.order}")
        if args.order == 0 and args.check:
            raise UsageError("--check compares derivatives with numerical ones, and --order 0 "
                             "takes none: give an order of 1 or more")
        if isinstance(args.order, str) and (args.check or args.method != "symbolic"):
            raise UsageError(f"--check and --method compute numbers: give a whole number as the "
                             f"order, not {args.order}")
        if args.equation and args.format != "latex":
            raise UsageError("--equation writes LaTeX; add --latex (or --format latex)")
        if args.steps:
            if args.format not in ("text", "latex", "json"):
                raise UsageError("--steps prints text, LaTeX (--latex) or JSON (--format json)")
            if args.method != "symbolic" or args.formula == "-":
                raise UsageError("--steps explains one formula's derivatives: drop --method and "
                                 "stdin mode")
        if args.method != "symbolic":
            if self.point is None:
                raise UsageError(f"--method {args.method} computes values: give the point with --at")
            if args.order != 1:
                raise UsageError("--method compares first derivatives; use --order 1")
        # the data formats show the DAG itself, and code names shared subexpressions as its
        # temporaries: they print u1 = ... only if asked
        cse = args.cse if args.cse is not None or args.format not in DAG_FORMATS else False
        imaginary = "I" if args.imaginary == "i" and wrt is not None and "i" in wrt else args.imaginary
        if args.digits is not None and (args.at is None or not 1 <= args.digits <= MAX_DIGITS):
            raise UsageError(f"--digits gives the values at --at to 1 to {MAX_DIGITS:,} digits"
                             + ("; give the point with --at" if args.at is None else f", not {args.digits}"))
        self.request = Request("", wrt, args.order, not args.no_simplify, args.form, self.point,
                               tuple(functions), cse, imaginary, args.digits)
        self.options = dict(equation=args.equation, partial=NOTATIONS[args.notation],
                            ln=args.latex_log == "ln", exp_power=args.latex_exp == "power") \
            if args.format == "latex" else {}

    def warn(self, message: str, kind: str) -> None:
        print(f"symdiff: {kind}: {message}", file=self.err)

    def compute(self, formula: str) -> Outcome:
        return compute(replace(self.request, formula=formula), self.warn)

    def render(self, outcome: Outcome, one_line: bool = False) -> str:
        return renderer(self.args.format)(outcome, one_line, **self.options)

    def one(self, formula: str) -> int:
        with work_budget():                   # one formula, one budget: parse to print
            return self._one(formula)

    def _one(self, formula: str) -> int:
        if self.calculation is not None and self.args.steps:
            from .explain import steps_json, steps_latex, steps_text
            show = {"text": steps_text, "latex": steps_latex, "json": steps_json}[self.args.format]
            print(show(implicit_steps(replace(self.calculation, formula=formula))), file=self.out)
            return 0
        if self.calculation is not None:
            answers = calculate(replace(self.calculation, formula=formula))
            for answer in answers:
                for note in answer.notes:
                    if not isinstance(answer.value, list):
                        self.warn(note, "note")
            print(render_answers(answers, self.args.format, **self.options), file=self.out)
            return 0
        if self.args.steps:
            from .explain import steps_json, steps_latex, steps_text
            show = {"text": steps_text, "latex": steps_latex, "json": steps_json}[self.args.format]
            derivations = steps(replace(self.request, formula=formula), self.warn)
            print("\n\n".join(show(found) for found in derivations), file=self.out)
            return 0
        outcome = self.compute(formula)
        unknown = unknown_functions(outcome.expr)
        if self.args.check and unknown:
            raise UsageError(f"--check compares with numerical derivatives, and {unknown[0]} is an "
                             f"unknown function without a numeric value; drop --check")
        if self.args.method != "symbolic":
            assert self.point is not None             # --method needs --at (see __init__)
            print(compare_methods(outcome, numbers_of(self.point), self.args.method), file=self.out)
        else:
            print(self.render(outcome), file=self.out)
        if self.args.check:
            report, ok = check_derivatives(outcome)
            print(report, file=self.out)
            return 0 if ok else 1
        return 0

    def stream(self, stdin: TextIO | None) -> int:
        """One result line per input line; a failed line prints empty and reports on stderr."""
        status = 0
        for number, formula in enumerate(read_lines(stdin), 1):
            formula = formula.rstrip("\r\n")
            if not formula.strip():
                print(file=self.out)
                continue
            try:
                with work_budget():
                    line = self.render(self.compute(formula), one_line=True)
            except (SymdiffError, ArithmeticError) as error:
                print(f"symdiff: error: stdin line {number}: {message(error, self.err)}", file=self.err)
                print(file=self.out)
                status = 2
                continue
            print(line, file=self.out, flush=True)
        return status


def calculation_of(args: argparse.Namespace, functions: list[str]) -> Calculation | None:
    """The calculus option asked for (--implicit, --mixed, --jacobian, --hessian, --series,
    --tangent, --critical, or --wrt given more than once), checked against the others; None
    for a plain derivative.  Sets ``args.order`` to its default."""
    asked = [name for name in OPERATIONS if getattr(args, name) not in (None, False)]
    if args.wrt is not None and len(args.wrt) > 1:
        if "mixed" in asked:
            raise UsageError("give the mixed partial once: --mixed x,y or --wrt x --wrt y")
        args.mixed = ",".join(args.wrt)
        asked.insert(0, "mixed")
    order_given = args.order is not None
    if not order_given:
        args.order = 5 if "series" in asked else 1
    if not asked:
        return None
    if len(asked) > 1:
        raise UsageError(f"--{asked[0]} and --{asked[1]} are two different questions: ask one at a time")
    operation = asked[0]
    if args.steps and operation != "implicit":
        raise UsageError(f"--steps explains derivatives and implicit derivatives, not --{operation}")
    for option, taken in (("--check", args.check),
                          ("--method", args.method != "symbolic"), ("--no-simplify", args.no_simplify),
                          ("--form", args.form != "auto"), ("--equation", args.equation),
                          ("stdin mode", args.formula == "-")):
        if taken:
            raise UsageError(f"--{operation} does not go with {option}")
    if args.format not in ("text", "latex", "json"):
        raise UsageError(f"--{operation} prints text, LaTeX (--latex) or JSON (--format json)")
    if not isinstance(args.order, int) or args.order < (0 if operation == "series" else 1):
        least = 0 if operation == "series" else 1
        raise UsageError(f"--order with --{operation} is a whole number of {least} or more")
    if order_given and operation not in ("implicit", "series"):
        raise UsageError(f"--{operation} takes no --order")
    wrt = tuple(variable_names("--wrt", args.wrt[0])) if args.wrt is not None and operation != "mixed" else None
    point = None
    if operation in ("series", "tangent"):
        point = parse_point(getattr(args, operation), f"--{operation}")
        if args.at is not None:
            raise UsageError(f"--{operation} takes its point itself; drop --at")
    elif args.at is not None:
        if operation in ("series", "critical"):
            raise UsageError(f"--{operation} takes no --at")
        point = parse_point(args.at)
    if operation == "mixed":
        wrt = tuple(variable_names("--mixed", args.mixed))
    elif operation in ("jacobian", "hessian") and getattr(args, operation):
        wrt = tuple(variable_names(f"--{operation}", getattr(args, operation)))
    implicit = ""
    if operation == "implicit":
        names = variable_names("--implicit", args.implicit)
        if len(names) != 1:
            raise UsageError(f"--implicit takes the one variable the equation defines, not {args.implicit}")
        implicit = names[0]
    return Calculation("", operation, wrt, args.order, point, implicit, tuple(functions))


def run(argv: Sequence[str], stdin: TextIO | None, out: Writer, err: Writer) -> int:
    if argv and argv[0] == "graph":
        from .graph import run_graph
        with work_budget():
            return run_graph(list(argv[1:]), out, err)
    parser = build_parser()
    args = parser.parse_args(protect_formulas(list(argv), parser))
    if args.formula is None:
        raise UsageError("no formula given; try: symdiff \"x^2\" --wrt x   (or --help)")
    with use_limits(limits_from(args)):
        session = Run(args, out, err)
        if args.formula == "-":
            return session.stream(stdin)
        return session.one(args.formula)


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
            stream.reconfigure(errors=errors)  # type: ignore[union-attr]  # sys.stdout is a TextIOWrapper
    argv = sys.argv[1:] if argv is None else argv
    out, err = Stdout(sys.stdout), Stderr(sys.stderr)
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
        discard(sys.stdout)
        return OK
    except OutputFailed as error:
        # Not the input's fault and not a bug: an I/O error, EX_IOERR.  The unwritten rest is
        # dropped, so that Python's flush at exit does not fail again (and exit 120).
        discard(sys.stdout)
        print(f"symdiff: error: cannot write the output: {error}", file=err)
        return OUTPUT_FAILED
    except KeyboardInterrupt:
        print("symdiff: interrupted", file=err)
        return INTERRUPTED
    except UsageError as error:
        command = "symdiff graph" if list(argv[:1]) == ["graph"] else "symdiff"
        print(f"symdiff: error: {message(error, err)}\n(see {command} --help)", file=err)
        return BAD_INPUT
    except (SymdiffError, EvaluationError) as error:
        print(f"symdiff: error: {message(error, err)}", file=err)
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


if __name__ == "__main__":
    sys.exit(main())
