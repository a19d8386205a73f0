"""Printers: one method per node type, one precedence ladder, one parenthesis rule.

A printer method returns the node's precedence level and a list of *parts*:
strings, or ``(child, min_level)`` pairs that the driver prints in turn, adding
parentheses when the child's level is below ``min_level``.  The driver runs on
an explicit stack, so a formula nested 100 000 deep prints without recursion.

>>> from symdiff import parse
>>> to_text(parse("-x^2 + y/(2*z) - (a-b)"))
'y/(2*z) - x^2 - (a - b)'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from enum import IntEnum
from fractions import Fraction
from typing import Protocol

from .errors import LimitError
from .expr import (FLATTEN_LIMIT, HALF, MINUS_ONE, ONE, Add, Bound, Call, Const, Expr, I, Mul, Num,
                   Piecewise, Pow, Sym, expression, power, postorder_of, preserving_structure, rebuild)
from .limits import check_work, current_limits


class Prec(IntEnum):
    """Binding strength, loosest first (the ladder of the grammar)."""

    SUM = 1       # a + b, a - b
    PRODUCT = 2   # a*b, a/b, and anything with a leading minus: -a*b
    POWER = 3     # a^b; right-associative, so the base must bind tighter than POWER
    ATOM = 4      # numbers, names, calls, anything in parentheses


def is_negative(e: Expr) -> bool:
    """A term that prints with a leading minus (a negative number or coefficient)."""
    if type(e) is Num:
        return e.value < 0
    return type(e) is Mul and type(e.factors[0]) is Num and e.factors[0].value < 0


def negated(term: Expr) -> Expr:
    """The term with its sign flipped, for printing ``a - b``; unlike ``-term`` it keeps a
    decimal coefficient (``-1.0*x`` prints as ``- 1.0*x``, not ``- x``).

    >>> from symdiff import parse
    >>> negated(parse("-1.0*x")), negated(parse("-2*x")), negated(parse("-3"))
    (1.0*x, 2*x, 3)
    """
    if type(term) is Num:
        return Num(-term.value)
    coefficient, rest = -term.factors[0].value, term.factors[1:]  # type: ignore[attr-defined]  # a negative term: a Mul
    if coefficient == 1 and type(coefficient) is int:
        return rest[0] if len(rest) == 1 else Mul(rest)
    return Mul((Num(coefficient), *rest))


def coefficient_parts(factors: tuple[Expr, ...]) -> tuple[bool, int | float, int]:
    """A product's coefficient as (negative?, numerator, denominator); a float is its own
    numerator over 1.

    >>> from symdiff import parse
    >>> coefficient_parts(parse("-2*x/3").factors), coefficient_parts(parse("x*y").factors)
    ((True, 2, 3), (False, 1, 1))
    """
    coefficient = factors[0].value if type(factors[0]) is Num else 1
    negative = coefficient < 0
    coefficient = -coefficient if negative else coefficient
    if isinstance(coefficient, float):
        return negative, coefficient, 1
    return negative, Fraction(coefficient).numerator, Fraction(coefficient).denominator


def split_fraction(factors: tuple[Expr, ...]) -> tuple[bool, list[Expr], list[Expr]]:
    """Factors of a product as (negative?, numerator factors, denominator factors), with the
    coefficient's numerator and denominator among them and negative powers flipped.

    >>> from symdiff import parse
    >>> split_fraction(parse("-2*x/(3*y^2)").factors)
    (True, [2, x], [3, y^2])
    """
    negative, top, bottom = coefficient_parts(factors)
    numerator, denominator = [], []
    for f in factors:
        if type(f) is Num:
            continue
        if type(f) is Pow and type(f.exp) is Num and f.exp.value < 0:
            flipped = -f.exp.value       # built raw: 0^-2 must print 1/0^2, not fold to 1/0
            denominator.append(f.base if flipped == 1 and type(flipped) is int
                               else Pow(f.base, Num(flipped)))
        elif type(f) is Pow and _symbolic_reciprocal(f):
            denominator.append(Pow(f.base, negated(f.exp)))               # x^(-n) is 1/x^n
        else:
            numerator.append(f)
    shown = isinstance(top, float) or top != 1 or not numerator    # 1.0*x keeps its 1.0
    return (negative, ([Num(top)] if shown else []) + numerator,
            ([Num(bottom)] if bottom != 1 else []) + denominator)


def reads_as_reciprocal(f: Pow) -> bool:
    """Whether a power is written as a fraction: a negative number as its exponent, or a
    product with a negative number first (:func:`_symbolic_reciprocal`)."""
    return (type(f.exp) is Num and f.exp.value < 0) or _symbolic_reciprocal(f)


def _symbolic_reciprocal(f: Pow) -> bool:
    """Whether the power ``u^(-c*n)`` (a product with a negative number first) is written
    ``1/u^(c*n)``: where that text reads back as the same node, so never for ``u^(-n - 1)``,
    a sum.

    >>> from symdiff import parse
    >>> _symbolic_reciprocal(parse("x^(-n)")), _symbolic_reciprocal(parse("x^(n)"))
    (True, False)
    """
    exponent = f.exp
    if type(exponent) is not Mul or type(exponent.factors[0]) is not Num or exponent.factors[0].value >= 0:
        return False
    return power(power(f.base, negated(exponent)), MINUS_ONE) is f


def kept_whole(factors: int) -> bool:
    """Whether a product of this many factors, read in brackets, stays one operand of the
    product around it (:func:`symdiff.expr.mul` flattens up to ``FLATTEN_LIMIT`` factors):
    ``x/(y1*...*y17)`` reads as ``x`` times the power of one long product, so a flat
    product of that many divisors is written ``x/y1/.../y17``.  A divisor that is such a
    long product gets its own ``/`` too: in ``x/(y*(-2*y1*...*y17))`` the product around it
    would take its coefficient out (``x/y/(-2*y1*...*y17)`` keeps it).

    >>> from symdiff import parse
    >>> to_text(parse("/".join(f"y{i}" for i in range(18))))
    'y0/y1/y10/y11/y12/y13/y14/y15/y16/y17/y2/y3/y4/y5/y6/y7/y8/y9'
    """
    return factors > FLATTEN_LIMIT


def negation_reads_back(term: Mul) -> bool:
    """Whether ``a - t``, with ``t`` the negated ``term``, reads back to ``term``.  The parser
    negates ``t`` as ``-1*t``, and a ``t`` of more than ``FLATTEN_LIMIT`` factors stays one
    operand there: ``a - 2*y1*...*y16`` reads as ``a - 2*(y1*...*y16)``.  Such a term is
    written with its own sign, ``a + (-2*y1*...*y16)``, which reads back flat.
    """
    rest = len(term.factors) - 1
    if rest < 2:
        return True                      # -c*u, or -c*(long product) kept whole: reads back
    unit = term.factors[0].value == -1 and type(term.factors[0].value) is int  # type: ignore[attr-defined]  # a Mul, as above
    return not kept_whole(rest if unit else rest + 1)


def is_imaginary_number(e: Expr) -> bool:
    """``I`` or ``b*I`` for a number b."""
    return e is I or (type(e) is Mul and len(e.factors) == 2 and type(e.factors[0]) is Num
                      and e.factors[1] is I)


def positive_first(e: Add) -> list[Expr]:
    """The terms, starting with a positive one when there is one: y - x, not -x + y; a
    complex number reads a + b*I, its real part first: 2 - 3*I."""
    terms = list(e.terms)
    if len(terms) == 2 and type(terms[1]) is Num and is_imaginary_number(terms[0]):
        return terms[::-1]
    for i, t in enumerate(terms):
        if not is_negative(t):
            terms.insert(0, terms.pop(i))
            break
    return terms


Number = int | Fraction | float


def too_long(written: int, most: int) -> None:
    """Raise a LimitError once more than ``most`` nodes have been written out; check the
    work budget of the call on the way (printing makes no nodes, so no one else would)."""
    if written > most:
        raise LimitError(f"written out in full, the expression has more than {most:,} nodes "
                         f"(Limits.max_output_nodes): print it with shared subexpressions named "
                         f"once (cse, --cse), or raise the limit with --max-output", limit="max_output_nodes")
    check_work()


class Printer:
    """Base printer: the driver and the dispatch by node type."""

    open_paren, close_paren = "(", ")"
    plus, minus = " + ", " - "

    def doprint(self, root: Expr) -> str:
        out: list[str] = []
        stack: list = [(root, 0)]
        # A shared subexpression is written out each time it occurs, so a small DAG can
        # stand for an astronomically long text: count the nodes written as we go.
        most = current_limits().max_output_nodes
        written = 0
        while stack:
            item = stack.pop()
            if type(item) is str:
                out.append(item)
                continue
            written += 1
            if not written & 0xFFF:
                too_long(written, most)
            node, min_level = item
            level, parts = self.print_node(node)
            if level < min_level:
                out.append(self.open_paren)
                stack.append(self.close_paren)
            stack.extend(reversed(parts))
        return "".join(out)

    comma = ", "

    def arguments(self, args: tuple[Expr, ...]) -> list:
        """Call arguments, separated by ``comma``, each at the loosest level."""
        parts: list = []
        for i, a in enumerate(args):
            if i:
                parts.append(self.comma)
            parts.append((a, Prec.SUM))
        return parts

    def group(self, parts: list) -> list:
        """Wrap the parts of a compound node (MathML puts them in an <mrow>)."""
        return parts

    def _print_Add(self, e: Add):
        terms = positive_first(e)
        parts: list = [(terms[0], Prec.PRODUCT)]      # a large nested sum keeps its brackets
        for t in terms[1:]:
            parts.extend(self.subtracted(t) if is_negative(t) else [self.plus, (t, Prec.PRODUCT)])
        return Prec.SUM, self.group(parts)

    def subtracted(self, term: Expr) -> list:
        """A negative term after the first one: ``- 2*x`` for the term ``-2*x``."""
        return [self.minus, (negated(term), Prec.PRODUCT)]

    # ----- conditions and piecewise forms -----
    def condition_symbol(self, fn: str) -> str:
        """How the printer writes a comparison or connective (``fn`` a row of CONDITIONS)."""
        raise NotImplementedError

    def _print_condition(self, e: Call):
        """``a < b``, ``c and d``, ``not c``: a condition of a piecewise form."""
        level = CONDITION_LEVELS[e.fn]
        symbol = self.condition_symbol(e.fn)
        if e.fn == "Not":
            return level, self.group([symbol, (e.args[0], level)])
        left, right = e.args
        if e.fn in ("And", "Or"):              # right-nested: a and (b and c) is a and b and c
            return level, self.group([(left, level + 1), symbol, (right, level)])
        return level, self.group([(left, Prec.SUM), symbol, (right, Prec.SUM)])

    _print_call_Lt = _print_call_Le = _print_call_Gt = _print_call_Ge = _print_condition
    _print_call_Eq = _print_call_Ne = _print_call_And = _print_call_Or = _print_condition
    _print_call_Not = _print_condition

    def condition(self, condition: Expr) -> list:
        """A branch's condition as parts: 1 is the default branch."""
        return [self.always] if condition is ONE else [(condition, CONDITION_LEVELS["Or"])]

    always = "True"

    def print_node(self, node: Expr) -> tuple[int, list]:
        if type(node) is Call:                          # a function's own printer: _print_call_log
            own = getattr(self, "_print_call_" + node.fn, None)
            if own is not None:
                return own(node)
        for cls in type(node).__mro__:                  # a Bound name prints like a Sym
            method = getattr(self, "_print_" + cls.__name__, None)
            if method is not None:
                return method(node)
        raise TypeError(f"no printer for {type(node).__name__}")


# The conditions' own ladder, below every level of arithmetic (loosest first): or, and,
# not, a comparison.  Its sides are sums, so a < b + 1 needs no brackets.
CONDITION_LEVELS = {"Or": -3, "And": -2, "Not": -1, "Lt": 0, "Le": 0, "Gt": 0, "Ge": 0, "Eq": 0,
                    "Ne": 0}


class TextPrinter(Printer):
    """Plain text that reads like math and parses back to an equal expression."""

    _SYMBOLS = {"Lt": " < ", "Le": " <= ", "Gt": " > ", "Ge": " >= ", "Eq": " == ", "Ne": " != ",
                "And": " and ", "Or": " or ", "Not": "not "}

    def condition_symbol(self, fn: str) -> str:
        return self._SYMBOLS[fn]

    def _print_Piecewise(self, e: Piecewise):
        parts: list = ["Piecewise("]
        for i, (value, condition) in enumerate(e.branches):
            parts += [", " if i else "", "(", (value, Prec.SUM), ", ", *self.condition(condition), ")"]
        return Prec.ATOM, [*parts, ")"]

    def subtracted(self, term: Expr) -> list:
        if type(term) is Mul and not negation_reads_back(term):
            return [self.plus, (term, Prec.ATOM)]          # a + (-2*y1*...*y16)
        return super().subtracted(term)

    def _print_Num(self, e: Num):
        v = e.value
        if isinstance(v, Fraction):
            return Prec.PRODUCT, [f"{v.numerator}/{v.denominator}"]
        text = repr(v) if isinstance(v, float) else str(v)
        return (Prec.PRODUCT if v < 0 else Prec.ATOM), [text]

    def _print_Const(self, e: Const):
        return Prec.ATOM, [e.name]

    def _print_Sym(self, e: Sym):
        return Prec.ATOM, [e.name]

    def _print_Call(self, e: Call):
        return Prec.ATOM, [e.fn, "(", *self.arguments(e.args), ")"]

    def _print_Pow(self, e: Pow):
        if reads_as_reciprocal(e):
            return self._quotient((e,))          # u^(-1/2): 1/ and the flipped u^(1/2)
        if e.exp is HALF:                        # a square root, exactly what parses back to it
            return Prec.ATOM, ["sqrt(", (e.base, Prec.SUM), ")"]
        return Prec.POWER, [(e.base, Prec.POWER + 1), "^", (e.exp, Prec.POWER)]

    def _print_Mul(self, e: Mul):
        return self._quotient(e.factors)

    def _quotient(self, factors: tuple[Expr, ...]):
        negative, above, below = split_fraction(factors)
        parts: list = ["-"] if negative else []
        parts += self._product(above)
        if below:
            parts.append("/")
            if len(below) == 1:
                parts.append((below[0], Prec.POWER))
            elif kept_whole(len(below)) or any(type(f) is Mul for f in below):
                # x/y1/.../y17, and x/y/(-2*y1*...*y17): one division per factor
                for i, f in enumerate(below):
                    parts += ["/", (f, Prec.POWER)] if i else [(f, Prec.POWER)]
            else:
                parts += ["(", *self._product(below), ")"]
        level = Prec.PRODUCT if (len(above) > 1 or below or negative) else Prec.POWER
        return level, parts

    def _product(self, factors: list[Expr]) -> list:
        parts: list = []
        for i, f in enumerate(factors):
            if i:
                parts.append("*")
            parts.append((f, Prec.POWER))
        return parts


_TEXT = TextPrinter()


def to_text(expr: Expr) -> str:
    """The expression as plain text that :func:`symdiff.parse` reads back.

    >>> from symdiff import parse
    >>> to_text(parse("log(x) + x*y - sin(y)"))
    'x*y + log(x) - sin(y)'
    >>> to_text(parse("x^(1/2) + 1/sqrt(y) + z^(-3/2) + 3*sqrt(2)/4"))
    '3*sqrt(2)/4 + sqrt(x) + 1/sqrt(y) + 1/z^(3/2)'
    """
    return _TEXT.doprint(expr)


# ---------------------------------------------------------------- shared subexpressions

def cse(expr: Expr | Sequence[Expr], prefix: str = "u") -> tuple[list[tuple[Sym, Expr]], Expr]:
    """Name every compound subexpression used more than once, innermost first.

    Returns the bindings and the result written with the names; substituting the
    bindings back in order gives ``expr`` again.  Given a list of expressions,
    the bindings are shared by all of them and the results come as a list.

    >>> from symdiff import parse
    >>> bindings, result = cse(parse("sin(x+1)^2 + cos(sin(x+1))"))
    >>> [(str(name), str(body)) for name, body in bindings]
    [('u1', 'sin(x + 1)')]
    >>> result
    u1^2 + cos(u1)
    """
    if isinstance(expr, (list, tuple)):
        return _shared([expression(e, "cse") for e in expr], prefix)  # type: ignore[return-value]  # a list of results for a list
    bindings, (result,) = _shared([expression(expr, "cse")], prefix)
    return bindings, result


def _shared(roots: list[Expr], prefix: str) -> tuple[list[tuple[Sym, Expr]], list[Expr]]:
    """:func:`cse` of several results at once: a subexpression they share is named once.
    Each result counts as a use of its root, so a result that another one contains, or that
    comes twice, is named too."""
    order = postorder_of(roots)
    uses: dict[Expr, int] = {}
    for used in [*roots, *(child for parent in order for child in parent.children)]:
        uses[used] = uses.get(used, 0) + 1
    taken = frozenset().union(*(root.free for root in roots))
    names = (f"{prefix}{i}" for i in range(1, len(order) + 2))
    bindings: list[tuple[Sym, Expr]] = []
    written: dict[Expr, Expr] = {}
    for node in order:
        children = node.children
        with preserving_structure():        # the bindings show the structure as it is
            body = rebuild(node, [written[c] for c in children]) if children else node
        if uses[node] > 1 and children:
            name = next(n for n in names if n not in taken)
            symbol = Bound(name)
            bindings.append((symbol, body))
            body = symbol
        written[node] = body
    return bindings, [written[root] for root in roots]


def to_text_cse(expr: Expr, separator: str = "\n") -> str:
    """Bindings, one per line, then the result: each shared subexpression printed once.

    >>> from symdiff import parse
    >>> print(to_text_cse(parse("exp(x^2) * (1 + exp(x^2))")))
    u1 = exp(x^2)
    u1*(u1 + 1)
    """
    bindings, result = cse(expr)
    lines = [f"{name.name} = {to_text(body)}" for name, body in bindings]
    return separator.join([*lines, to_text(result)])


# ---------------------------------------------------------------- results for the command line

class Derivatives(Protocol):
    """What the renderers (``render_text`` here, ``render_latex``, ``render_json`` and the
    others) read of a computed result; :class:`symdiff.pipeline.Outcome` is one."""

    @property
    def formula(self) -> str: ...
    @property
    def expr(self) -> Expr: ...
    @property
    def names(self) -> Sequence[str]: ...          # one derivative for each
    @property
    def order(self) -> int | str: ...           # a name for a symbolic order
    @property
    def results(self) -> Sequence[Expr]: ...
    @property
    def values(self) -> Sequence[float] | None: ...  # the results' values at the point
    @property
    def shared(self) -> tuple[list[tuple[Sym, Expr]], list[Expr]] | None: ...  # cse(results)
    @property
    def warnings(self) -> Sequence[str]: ...
    @property
    def exact(self) -> Sequence[Expr | None] | None: ...  # the values exactly, where shown


def value_text(exact: Expr | None, value: float | complex, show: Callable[[Expr], str] | None = None,
               approximately: str = "≈", digits: str | None = None) -> str:
    """A value at a point as printed after ``=``: the exact value and the float beside it
    (``1/3 ≈ 0.3333333333333333``, ``11/2 = 5.5``), or the float alone; ``digits``, the value
    to more digits (``--digits``), in place of the float.

    >>> from symdiff.expr import Num, HALF
    >>> value_text(HALF, 0.5), value_text(None, 0.25), value_text(Num(3), 3.0)
    ('1/2 = 0.5', '0.25', '3')
    """
    shown = number(value) if digits is None else digits
    if exact is None:
        return shown
    written = (show or to_text)(exact)
    if type(exact) is Num and isinstance(exact.value, int):
        return written
    joined = "=" if equals_exactly(exact, value) else approximately     # type: ignore[arg-type]
    return f"{written} {joined} {shown}"


def derivative_label(name: str, order: int | str) -> str:
    """``d/dx``, or ``d^2/dx^2`` for a higher order: the label of one derivative of several."""
    return f"d/d{name}" if order == 1 else f"d^{order}/d{name}^{order}"


def number(value: float | complex) -> str:
    """A value as the command line prints it: every digit Python's ``repr`` gives; a complex
    value as a formula writes it, ``a + b*I``.

    >>> number(0.5), number(complex(0.5, -2.25))
    ('0.5', '0.5 - 2.25*I')
    """
    if isinstance(value, complex):
        real = "" if value.real == 0 else repr(value.real) + (" - " if value.imag < 0 else " + ")
        imaginary = repr(abs(value.imag) if real else value.imag) + "*I"
        return real + imaginary
    return repr(value)


def equals_exactly(value: Expr, approximate: float) -> bool:
    """Whether the float *is* the exact value (11/2 and 5.5), so that ``=`` and not ``≈``
    joins them."""
    return type(value) is Num and not isinstance(value.value, float) \
        and math.isfinite(approximate) and Fraction(approximate) == value.value


def precise_at(outcome: Derivatives, i: int) -> str | None:
    """The i-th result's value to more digits, if asked for (``--digits``)."""
    precise = getattr(outcome, "precise", None)
    return None if precise is None else precise[i]


def exact_at(outcome: Derivatives, i: int) -> Expr | None:
    """The i-th result's exact value, if the outcome has one to show."""
    exact = getattr(outcome, "exact", None)
    return None if exact is None else exact[i]


def render_text(outcome: Derivatives, one_line: bool = False) -> str:
    """The derivatives as text: the shared subexpressions (``u1 = ...``) first, if named, then
    one line each (labelled ``d/dx = ...`` when there are several), with the value at the
    point; ``one_line`` joins the lines with ``; ``."""
    bindings, written = outcome.shared or ([], outcome.results)
    lines = [f"{symbol.name} = {to_text(body)}" for symbol, body in bindings]
    rows = []
    for i, (name, shown) in enumerate(zip(outcome.names, written)):
        line = to_text(shown)
        if outcome.values is not None:
            line += f" = {value_text(exact_at(outcome, i), outcome.values[i], digits=precise_at(outcome, i))}"
        rows.append(line if len(written) == 1 else f"{derivative_label(name, outcome.order)} = {line}")
    return ("; " if one_line else "\n").join(lines + rows)
