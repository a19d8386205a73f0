"""``symdiff graph``: the computational graph of a formula at a point, each node with its
inputs, forward value and adjoint (reverse mode), as a table, Graphviz DOT, or SVG drawn by
Graphviz's ``dot`` program.  :func:`symdiff.cli.run` hands it the arguments after ``graph``.
"""

from __future__ import annotations

import argparse

from .arguments import Parser, function_names, numbers_of, parse_point, protect_formulas, variable_names
from .errors import SymdiffError, UsageError
from .parser import parse
from .streams import Writer


def build_graph_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="symdiff graph",
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


def run_graph(argv: list[str], out: Writer, err: Writer) -> int:
    import shutil
    import subprocess
    from .autodiff import format_table, node_table, to_dot
    parser = build_graph_parser()
    args = parser.parse_args(protect_formulas(argv, parser))
    point = numbers_of(parse_point(args.at))
    functions = function_names(args.func)
    expr = parse(args.formula, functions=functions,
                 warn=lambda note: print(f"symdiff: note: {note}", file=err))
    missing = sorted(expr.free - point.keys())
    if missing:
        raise UsageError(f"--at gives no value for {', '.join(missing)}")
    wanted = variable_names("--wrt", args.wrt) if args.wrt else None
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
