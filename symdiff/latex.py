"""LaTeX that reads as if a person typeset it.

Same driver and precedence ladder as the text printer (:mod:`symdiff.printing`);
only the spelling differs: ``\\frac`` for quotients, braces around every
exponent and subscript, ``\\left( \\right)`` only where precedence needs them,
products by juxtaposition with ``\\cdot`` only where that would mislead.

>>> from symdiff import parse
>>> to_latex(parse("x^2*sin(x)/(1+y)"))
'\\\\frac{x^{2} \\\\sin\\\\!\\\\left(x\\\\right)}{y + 1}'
>>> to_latex(parse("theta_1 - e^(-x^2)"))
'\\\\theta_{1} - e^{-x^{2}}'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from .expr import GREEK, Call, Const, Derivative, Expr, Mul, Num, Piecewise, Pow, Sym, expression, postorder
from .functions import CONDITIONS, lookup, partial_slots
from .printing import Derivatives, Prec, Printer, exact_at, precise_at, reads_as_reciprocal, split_fraction, value_text

GREEK_NAMES = set(GREEK.values()) - {"omicron", "Alpha", "Beta", "Epsilon", "Zeta", "Eta", "Iota",
                                     "Kappa", "Mu", "Nu", "Omicron", "Rho", "Tau", "Chi"}
# Greek capitals LaTeX has no command for look like Latin letters.
LATIN_LOOKING = {"omicron": "o", "Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H",
                 "Iota": "I", "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P",
                 "Tau": "T", "Chi": "X"}
_NAME = re.compile(r"^([A-Za-z]+?)_?(\d+)$")


def _power_on_name(call: Call) -> bool:
    """Whether an integer power of the call is written on its name: \\sin^{2}(x)."""
    function = lookup(call.fn, len(call.args))
    return function is not None and function.power_on_name and len(call.args) == 1


def latex_name(name: str) -> str:
    """``theta`` -> ``\\theta``, ``x_1`` and ``x1`` -> ``x_{1}``, ``rate`` -> ``\\mathit{rate}``.

    >>> latex_name("theta_0"), latex_name("x1"), latex_name("dt"), latex_name("a_b")
    ('\\\\theta_{0}', 'x_{1}', '\\\\mathit{dt}', 'a_{b}')
    """
    base, underscore, subscript = name.partition("_")
    if underscore and not subscript:
        return r"\mathit{" + name.replace("_", r"\_") + "}"      # x_ is not x
    if not subscript:
        match = _NAME.match(name)
        if match:
            base, subscript = match.groups()
    if base in GREEK_NAMES:
        base = "\\" + base
    elif base in LATIN_LOOKING:
        base = LATIN_LOOKING[base]
    elif len(base) > 1:
        base = r"\mathit{" + base.replace("_", r"\_") + "}"
    if subscript:
        return f"{base}_{{{latex_name(subscript) if not subscript.isdigit() else subscript}}}"
    return base


def _braced(index: int) -> str:
    """A subscript or superscript: 1 alone, {12} in braces."""
    return str(index) if index < 10 else f"{{{index}}}"


def _number(value) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


class LatexPrinter(Printer):
    r"""Options: ``ln=False`` writes ``\log`` for the natural log; ``exp_power=False``
    writes ``\exp\left(x\right)`` instead of ``e^{x}``."""

    open_paren, close_paren = r"\left(", r"\right)"

    def __init__(self, ln: bool = True, exp_power: bool = True):
        self.exp_power = exp_power
        self.renamed = {} if ln else {"log": r"\log"}     # names that differ from the table's

    def _print_Num(self, e: Num):
        v = e.value
        if isinstance(v, Fraction):
            sign = "-" if v < 0 else ""
            return Prec.PRODUCT, [rf"{sign}\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"]
        if v < 0:
            return Prec.PRODUCT, [_number(v)]
        # 1 \times 10^{20} needs brackets as a base, not as a factor
        return (Prec.POWER if "e" in repr(v) else Prec.ATOM), [_number(v)]

    def _print_Const(self, e: Const):
        return Prec.ATOM, [{"pi": r"\pi", "e": "e", "I": r"\mathrm{i}"}[e.name]]

    def _print_Sym(self, e: Sym):
        return Prec.ATOM, [latex_name(e.name)]

    always = r"\text{otherwise}"

    def condition_symbol(self, fn: str) -> str:
        symbol = CONDITIONS[fn].latex
        return symbol + " " if fn == "Not" else f" {symbol} "

    def _print_Piecewise(self, e: Piecewise):
        r"""``\begin{cases} x^{2} & x < 0 \\ x & \text{otherwise} \end{cases}``; bracketed as
        an operand of a sum or product, where its end would be hard to see."""
        parts: list = [r"\begin{cases} "]
        for i, (value, condition) in enumerate(e.branches):
            parts += [r" \\ " if i else "", (value, Prec.SUM), " & ", *self.condition(condition)]
        return Prec.SUM, [*parts, r" \end{cases}"]

    def _arguments(self, e: Call) -> list:
        # \! cancels the thin space TeX puts between an operator name and \left(
        return [r"\!\left(", *self.arguments(e.args), r"\right)"]

    def function_name(self, fn: str, args) -> str:
        function = lookup(fn, len(args))
        if function is not None:
            return self.renamed.get(fn, function.latex)
        base, slots = partial_slots(fn)
        if slots:                       # D[1,1,2](f): \partial_1^2 \partial_2 f
            return " ".join([*(rf"\partial_{_braced(slot)}" + (f"^{{{n}}}" if n > 1 else "")
                               for slot, n in sorted(Counter(slots).items())),
                             self.function_name(base, args)])
        base = fn.rstrip("'")
        primes = "'" * (len(fn) - len(base))
        name = base if len(base) == 1 else rf"\operatorname{{{base}}}"
        return name + primes

    def _print_Call(self, e: Call):
        fn, args = e.fn, e.args
        function = lookup(fn, len(args))
        if function is not None and "{}" in function.latex:     # a template: |u|, the cube root
            before, after = function.latex.split("{}", 1)
            return Prec.ATOM, [before, (args[0], Prec.SUM), after]
        return Prec.ATOM, [self.function_name(fn, args), *self._arguments(e)]

    def _print_call_exp(self, e: Call):
        if not self.exp_power or len(e.args) != 1:
            return self._print_Call(e)
        return Prec.POWER, ["e^{", (e.args[0], Prec.SUM), "}"]

    def _print_call_log(self, e: Call):
        if len(e.args) != 2:
            return self._print_Call(e)
        value, base = e.args                               # log(u, b): the base as a subscript
        return Prec.ATOM, [r"\log_{", (base, Prec.SUM), "}", r"\!\left(", (value, Prec.SUM), r"\right)"]

    def _print_order_subscript(self, e: Call):
        """A Bessel function with its order as a subscript: J_{n}\\!\\left(x\\right)."""
        order, argument = e.args
        return Prec.ATOM, [self.function_name(e.fn, e.args), "_{", (order, Prec.SUM), "}",
                           r"\!\left(", (argument, Prec.SUM), r"\right)"]

    _print_call_besselj = _print_call_bessely = _print_order_subscript
    _print_call_besseli = _print_call_besselk = _print_order_subscript

    def _print_call_factorial(self, e: Call):
        """n! and \\left(n - 1\\right)!."""
        return Prec.POWER, [(e.args[0], Prec.ATOM), "!"]

    def _print_call_ff(self, e: Call):
        """The falling factorial as Knuth writes it: a^{\\underline{b}}."""
        a, b = e.args
        return Prec.POWER, [(a, Prec.POWER + 1), r"^{\underline{", (b, Prec.SUM), "}}"]

    def _print_call_polygamma(self, e: Call):
        """\\psi^{(n)}\\!\\left(x\\right): the order as a bracketed superscript."""
        order, argument = e.args
        return Prec.ATOM, [r"\psi^{\left(", (order, Prec.SUM), r"\right)}\!\left(", (argument, Prec.SUM),
                           r"\right)"]

    def _print_Derivative(self, e: Derivative):
        """A derivative not yet worked out (the steps): \\frac{d}{dx}\\!\\left(u\\right)."""
        return Prec.ATOM, [rf"\frac{{d}}{{d{latex_name(e.wrt)}}}\!\left(", (e.of, Prec.SUM), r"\right)"]

    def _print_Pow(self, e: Pow):
        base, exp = e.base, e.exp
        if reads_as_reciprocal(e):
            return self._quotient((e,))
        if type(exp) is Num:
            v = exp.value
            if v == Fraction(1, 2):             # sqrt(u); a decimal u^0.5 typesets alike
                return Prec.ATOM, [r"\sqrt{", (base, Prec.SUM), "}"]
            if type(v) is int and type(base) is Call and _power_on_name(base):
                return Prec.ATOM, [self.function_name(base.fn, base.args), f"^{{{v}}}",
                                   *self._arguments(base)]
        return Prec.POWER, [(base, Prec.POWER + 1), "^{", (exp, Prec.SUM), "}"]

    def _print_Mul(self, e: Mul):
        return self._quotient(e.factors)

    def _juxtapose(self, factors: list[Expr]) -> list:
        """Factors side by side; \\cdot where a number would run into the previous factor."""
        parts: list = []
        for i, f in enumerate(factors):
            if i:
                parts.append(r" \cdot " if _starts_with_digit(f) else " ")
            parts.append((f, Prec.POWER))
        return parts

    def _quotient(self, factors):
        negative, above, below = split_fraction(factors)
        sign = ["-"] if negative else []
        if not below:
            level = Prec.PRODUCT if (len(above) > 1 or negative) else Prec.POWER
            return level, sign + self._juxtapose(above)
        frac = [r"\frac{", *self._juxtapose_loose(above), "}{", *self._juxtapose_loose(below), "}"]
        return (Prec.PRODUCT if negative else Prec.ATOM), sign + frac

    def _juxtapose_loose(self, factors: list[Expr]) -> list:
        if len(factors) == 1:
            return [(factors[0], Prec.SUM)]        # alone in a \frac slot: no brackets needed
        return self._juxtapose(factors)


def _starts_with_digit(e: Expr) -> bool:
    """Would this factor, written next to another, begin with a digit?"""
    while True:
        match e:
            case Num():
                return True
            case Pow(base, Num(value)) if value == Fraction(1, 2):
                return False                    # \sqrt{...}
            case Pow(base, _):
                e = base
            case Mul(factors):
                e = factors[0]
            case _:
                return False


def to_latex(expr: Expr, *, ln: bool = True, exp_power: bool = True) -> str:
    r"""LaTeX for an expression.

    >>> from symdiff import parse
    >>> to_latex(parse("log(x) + exp(x)"), ln=False, exp_power=False)
    '\\exp\\!\\left(x\\right) + \\log\\!\\left(x\\right)'
    """
    return LatexPrinter(ln, exp_power).doprint(expression(expr, "to_latex"))


def matrix_latex(rows: Sequence[Sequence[Expr]], *, ln: bool = True, exp_power: bool = True) -> str:
    r"""A matrix (:class:`symdiff.matrix.Matrix`, or nested lists) as ``pmatrix``.

    >>> from symdiff import hessian
    >>> matrix_latex(hessian("x^2*y"))
    '\\begin{pmatrix} 2 y & 2 x \\\\ 2 x & 0 \\end{pmatrix}'
    """
    printer = LatexPrinter(ln, exp_power)
    body = r" \\ ".join(" & ".join(printer.doprint(expression(e, "to_latex")) for e in row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def derivative_operator(wrt: list[str], single_variable: bool, partial: bool | None = None,
                        of: str = "", order: str = "", applied: dict[str, str] | None = None) -> str:
    r"""``\frac{d}{dx}``, ``\frac{\partial^{2}}{\partial x\,\partial y}`` and so on; with a
    symbolic ``order`` (a name), that order of the one variable: ``\frac{d^{n}}{dx^{n}}``.

    >>> derivative_operator(["x", "x"], True)
    '\\frac{d^{2}}{dx^{2}}'
    >>> derivative_operator(["x", "y"], False)
    '\\frac{\\partial^{2}}{\\partial x\\,\\partial y}'
    >>> derivative_operator(["y"], False, of="f")
    '\\frac{\\partial f}{\\partial y}'
    >>> derivative_operator(["x"], True, order="n")
    '\\frac{d^{n}}{dx^{n}}'
    """
    d = r"\partial" if (partial if partial is not None else not single_variable) else "d"
    if order:
        shown = latex_name(order)
        wrt = [f"{wrt[0]}^{{{shown}}}"]
    else:
        shown = str(len(wrt)) if len(wrt) > 1 else ""
    top = f"{d}^{{{shown}}}" if shown else d
    if of:
        top += (" " if d == r"\partial" else "") + of
    runs: list[tuple[str, int]] = []
    for name in wrt:
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + 1)
        else:
            runs.append((name, 1))
    space = " " if d == r"\partial" else ""
    # an application of an unknown function (--wrt "f(x)") shows as its LaTeX, from ``applied``
    written = {n: n if order else (applied or {}).get(n) or latex_name(n) for n, _ in runs}
    pieces = [f"{d}{space}{written[n]}" + (f"^{{{k}}}" if k > 1 else "") for n, k in runs]
    thin_space = r"\,"
    return rf"\frac{{{top}}}{{{thin_space.join(pieces)}}}"


def equation(expr: Expr, result: Expr, wrt: list[str], *, partial: bool | None = None, **options) -> str:
    r"""``\frac{d}{dx}\!\left(f\right) = f'``: the derivative written as an equation.

    ``partial`` chooses ``\partial`` (True) or ``d`` (False); by default ``d``
    when the formula has one variable.

    >>> from symdiff import parse, diff
    >>> f = parse("x^2")
    >>> equation(f, diff(f, "x"), ["x"])
    '\\frac{d}{dx}\\!\\left(x^{2}\\right) = 2 x'
    """
    expr, result = expression(expr, "equation", "parse"), expression(result, "equation", "parse")
    operator = derivative_operator(wrt, len(expr.free) <= 1, partial)
    return (operator + r"\!\left(" + to_latex(expr, **options) + r"\right) = "
            + to_latex(result, **options))


def aligned_cse(bindings, rows: list[tuple[str, Expr]], **options) -> str:
    r"""Shared subexpressions and results as an ``aligned`` block.

    >>> from symdiff.printing import cse
    >>> from symdiff import parse
    >>> bindings, result = cse(parse("sin(x)^2 + sin(x)"))
    >>> print(aligned_cse(bindings, [("f", result)]))
    \begin{aligned}
    u_{1} &= \sin\!\left(x\right) \\
    f &= u_{1}^{2} + u_{1}
    \end{aligned}
    """
    lines = [f"{latex_name(name.name)} &= {to_latex(body, **options)}" for name, body in bindings]
    lines += [f"{label} &= {to_latex(value, **options)}" for label, value in rows]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def render_latex(outcome: Derivatives, one_line: bool = False, *, equation: bool = False,
                 partial: bool | None = None, ln: bool = True, exp_power: bool = True) -> str:
    r"""The derivatives as LaTeX, one line each: the derivative alone, or ``\frac{d f}{dx} = ...``
    when there are several (``equation``: ``\frac{d}{dx}\!\left(formula\right) = ...``), with
    the value at the point; named shared subexpressions make an ``aligned`` block.
    ``one_line`` joins the lines with ``\quad``; ``partial``, ``ln`` and ``exp_power`` are as
    for :func:`derivative_operator` and :func:`to_latex`."""
    options = dict(ln=ln, exp_power=exp_power)
    single = len(outcome.expr.free) <= 1
    bindings, written = outcome.shared or ([], outcome.results)
    labelled = equation or len(written) > 1 or bindings
    applied = {str(node): to_latex(node, **options) for node in postorder(outcome.expr)
               if type(node) is Call and str(node) in outcome.names} \
        if any("(" in name for name in outcome.names) else {}
    rows = []
    symbolic = outcome.order if isinstance(outcome.order, str) else ""     # d^n/dx^n
    for i, (name, shown) in enumerate(zip(outcome.names, written)):
        wrt = [name] if symbolic else [name] * int(outcome.order)
        if equation:
            operator = derivative_operator(wrt, single, partial, order=symbolic, applied=applied)
            left = operator + r"\!\left(" + to_latex(outcome.expr, **options) + r"\right)"
        else:
            left = derivative_operator(wrt, single, partial, of="f", order=symbolic, applied=applied)
        right = to_latex(shown, **options)
        if outcome.values is not None:
            right += " = " + value_text(exact_at(outcome, i), outcome.values[i],
                                        lambda e: to_latex(e, **options), r"\approx",
                                        precise_at(outcome, i))
        rows.append((left, right))
    if bindings:
        return aligned_cse(bindings, [(left, value) for (left, _), value in zip(rows, written)],
                           **options)
    lines = [f"{left} = {right}" if labelled else right for left, right in rows]
    return (r" \quad " if one_line else "\n").join(lines)
