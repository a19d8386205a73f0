"""Where a function with cases has no derivative: the boundaries of piecewise forms, and the
kinks and jumps of abs, sign, min, max, Heaviside, floor and ceil.

A piecewise function is differentiated branch by branch (:mod:`symdiff.diff`); at a boundary
point ``x = a`` of a condition (``x < a``, ``x <= a``, ... with ``x`` linear) the derivative
exists only if the function is continuous there and the one-sided derivatives agree.  Both
are checked here with exact numbers where the branches allow it (values and derivatives at
``a``, simplified); where they do not, the point is one where the derivative *may* not exist.

>>> from symdiff import parse
>>> from symdiff.diff import singular_points
>>> [str(s) for s in singular_points(parse("Piecewise((x^2, x < 0), (x, True))"), "x")]
['the derivative does not exist at x = 0']
>>> singular_points(parse("Piecewise((x^2, x < 0), (x^3, True))"), "x")
[]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal, NamedTuple

from .errors import EvaluationError, LimitError
from .evaluate import evaluate
from .expr import (ONE, ZERO, Add, Call, Expr, Mul, Num, Piecewise, Sym, add, call, mul, neg, postorder,
                   rebuild, substitute)
from .forms import expand
from .functions import CONDITIONS, SPELLING, all_of, compare
from .simplify import simplify

COMPARISONS = frozenset(SPELLING)
# A comparison made strict at a point where the derivative does not exist: x <= a -> x < a;
# x == a holds only there, so it becomes false.
_STRICT = {"Le": "Lt", "Ge": "Gt"}


class Singularity(NamedTuple):
    """A place where the derivative by ``wrt`` does not exist (``certain``) or may not exist:
    the point ``at`` (a number, or an expression free of ``wrt``), or, when it is not one
    point, the equation ``where`` that holds there (``x^2 = 1``, ``x is an integer``).

    >>> from symdiff import parse
    >>> str(Singularity("x", parse("1/2"), "x = 1/2", True))
    'the derivative does not exist at x = 1/2'
    """

    wrt: str
    at: Expr | None
    where: str
    certain: bool

    def __str__(self) -> str:
        exists = "does not exist" if self.certain else "may not exist"
        place = f"at {self.where}" if self.at is not None else f"where {self.where}"
        return f"the derivative {exists} {place}"


def comparisons(condition: Expr) -> Iterator[Call]:
    """The comparisons a condition is made of, left to right."""
    stack = [condition]
    while stack:
        c = stack.pop()
        if type(c) is Call and c.fn in COMPARISONS:
            yield c
        elif type(c) is Call and c.fn in CONDITIONS:
            stack.extend(reversed(c.args))


def root_of(u: Expr, wrt: str) -> Expr | None | Literal[False]:
    """The one point where ``u`` (linear in ``wrt``, with a slope free of it) is 0; None if
    ``u`` does not depend on ``wrt``; False if it is not linear so (x^2 - 1, x*y - y when
    the slope could be 0).

    >>> from symdiff import parse
    >>> root_of(parse("2x - 1"), "x"), root_of(parse("x - y"), "x"), root_of(parse("x^2"), "x")
    (1/2, y, False)
    """
    if wrt not in u.free:
        return None
    x = Sym(wrt)
    expanded = expand(u)
    terms = (expanded if expanded is not None else u)
    slope: list[Expr] = []
    rest: list[Expr] = []
    for t in (terms.terms if type(terms) is Add else (terms,)):
        if wrt not in t.free:
            rest.append(t)
        elif t is x:
            slope.append(ONE)
        elif type(t) is Mul and t.factors.count(x) == 1 and \
                all(f is x or wrt not in f.free for f in t.factors):
            slope.append(mul(*(f for f in t.factors if f is not x)))
        else:
            return False
    a = simplify(add(*slope))
    if type(a) is not Num and a.free:
        return False                                # the slope may be 0 somewhere
    if a is ZERO:
        return None
    return simplify(mul(neg(add(*rest)), a ** -1))


def _number(e: Expr) -> float | None:
    """The value of an expression free of variables, or None."""
    if e.free:
        return None
    try:
        return evaluate(e)
    except (EvaluationError, LimitError):
        return None


def _at(e: Expr, wrt: str, point: Expr) -> Expr | None:
    """``e`` at ``wrt = point``, simplified; None where that fails (an undefined value)."""
    try:
        value = simplify(substitute(e, {wrt: point}))
    except (EvaluationError, LimitError, ZeroDivisionError):
        return None
    if not value.free and _number(value) is None:
        return None
    return value


def _same(a: Expr | None, b: Expr | None) -> bool | None:
    """Whether two values are equal: True or False when that is sure, else None."""
    if a is None or b is None:
        return None
    if a is b:
        return True
    left, right = _number(a), _number(b)
    if left is None or right is None:
        return None                           # symbolic and different-looking: cannot tell
    if abs(left - right) > 1e-9 * (1 + abs(left)):
        return False
    return (a.value == b.value) if type(a) is Num and type(b) is Num else None


def _holds(condition: Expr, wrt: str, point: Expr) -> bool | None:
    """Whether the condition holds at the point: True, False, or None (cannot tell).  Each
    comparison is decided exactly (sides that simplify to one expression, or to numbers), or
    by the sides' values when they are clearly apart."""
    done: dict[Expr, bool | None] = {}
    for c in postorder(condition, stop=lambda n: not (type(n) is Call and n.fn in CONDITIONS)):
        if type(c) is Call and c.fn in COMPARISONS:
            left, right = (_at(side, wrt, point) for side in c.args)
            done[c] = None if left is None or right is None else _decided(c.fn, left, right)
        elif type(c) is Call and c.fn in CONDITIONS:
            args = [done[a] for a in c.args]
            if c.fn == "Not":
                done[c] = None if args[0] is None else not args[0]
            elif c.fn == "And":
                done[c] = False if False in args else None if None in args else True
            else:
                done[c] = True if True in args else None if None in args else False
        else:
            done[c] = True if c is ONE else False if c is ZERO else None
    return done[condition]


def _decided(fn: str, left: Expr, right: Expr) -> bool | None:
    """The comparison of two values free of the variable: exact, else by clearly apart values."""
    exact = compare(SPELLING[fn], left, right)
    if exact is ONE or exact is ZERO:
        return exact is ONE
    same = _same(left, right)
    if same is None:
        return None
    a, b = _number(left), _number(right)
    return bool(CONDITIONS[fn].numeric(a, a if same else b))


def _branch_near(node: Piecewise, wrt: str, x: float) -> int | None:
    """The index of the branch taken at the number ``x`` (conditions in ``wrt`` only)."""
    for i, (_, condition) in enumerate(node.branches):
        try:
            holds = evaluate(condition, {wrt: x})
        except (EvaluationError, LimitError):
            return None
        if holds > 0:
            return i
    return None


def piecewise_singularities(node: Piecewise, wrt: str,
                            derivative: Callable[[Expr], Expr]) -> list[Singularity]:
    """Where the derivative of the piecewise ``node`` by ``wrt`` does not (or may not) exist:
    at each boundary of its conditions, unless the function is continuous there with equal
    one-sided derivatives (``derivative`` gives a branch's).  Boundaries that are not one
    point (a condition not linear in ``wrt``) are listed as equations."""
    return boundaries(node, wrt, derivative)[0]


def boundaries(node: Piecewise, wrt: str, derivative: Callable[[Expr], Expr]
               ) -> tuple[list[Singularity], list[tuple[Expr, Expr]]]:
    """:func:`piecewise_singularities`, and the boundary points where the derivative exists
    but the branch taken there has another one (a branch for the point alone, as in
    Piecewise((x, x != 0), (0, True))), each with the derivative's value there."""
    points: dict[Expr, None] = {}
    found: list[Singularity] = []
    fixes: list[tuple[Expr, Expr]] = []
    for _, condition in node.branches:
        for c in comparisons(condition):
            difference = add(c.args[0], neg(c.args[1]))
            root = root_of(difference, wrt)
            if root is False:
                equation = f"{c.args[0]} = {c.args[1]}"
                if all(s.where != equation for s in found):
                    found.append(Singularity(wrt, None, equation, False))
            elif root is not None:
                points[root] = None
    numbers = {p: _number(p) for p in points}
    # sampling the branches near a point needs conditions in wrt alone, each linear in it
    decidable = not found and all(c.free <= {wrt} for _, c in node.branches)
    for point, where in numbers.items():
        certain, fix = _check(node, wrt, point, where, numbers, derivative) if (
            where is not None and decidable) else (None, None)
        if certain is not False:
            found.append(Singularity(wrt, point, f"{wrt} = {point}", certain is True))
        elif fix is not None:
            fixes.append((point, fix))
    return found, fixes


def _check(node: Piecewise, wrt: str, point: Expr, where: float, numbers: dict,
           derivative: Callable[[Expr], Expr]) -> tuple[bool | None, Expr | None]:
    """Whether the derivative surely fails to exist at the boundary ``point`` (True), surely
    exists (False), or cannot be told (None); and, where it exists but the branch taken at
    the point is neither side's, its value there."""
    others = [abs(q - where) for q in numbers.values() if q is not None and q != where]
    step = min([*others, 2.0]) / 2
    left, right = _branch_near(node, wrt, where - step), _branch_near(node, wrt, where + step)
    own = next((i for i, (_, c) in enumerate(node.branches) if _holds(c, wrt, point)), None)
    if left is None or right is None:
        return None, None
    values = [v for v, _ in node.branches]
    if own is not None and any(_holds(c, wrt, point) is None for _, c in node.branches[:own]):
        own = None                            # an earlier condition might hold there
    at_left, at_right = _at(values[left], wrt, point), _at(values[right], wrt, point)
    slope = _at(derivative(values[left]), wrt, point)
    facts = [_same(at_left, at_right)]
    if own is None:
        facts.append(None)
    elif own != left:
        facts.append(_same(_at(values[own], wrt, point), at_left))
    if left != right:
        facts.append(_same(slope, _at(derivative(values[right]), wrt, point)))
    if False in facts:
        return True, None
    if not all(facts):
        return None, None
    return False, (slope if own not in (left, right) else None)


def strict_derivative(node: Piecewise, derivatives: list[Expr], wrt: str, points: list[Expr],
                      fixes: list[tuple[Expr, Expr]]) -> list[tuple[Expr, Expr]]:
    """The branches of the derivative, (derivative, condition), with the conditions strict
    at ``points``: there the derivative does not exist, so no branch may take them.  Each
    of ``fixes`` (a point and the derivative there) comes first, as a branch of its own."""
    branches = [(value, compare("==", Sym(wrt), point)) for point, value in fixes]
    if not points:
        return branches + [(d, c) for d, (_, c) in zip(derivatives, node.branches)]
    for d, (_, condition) in zip(derivatives, node.branches):
        strict = _made_strict(condition, wrt, points)
        excluded = [compare("!=", Sym(wrt), p) for p in points if _holds(strict, wrt, p) is not False]
        branches.append((d, all_of(strict, *excluded)))
    return branches


def _made_strict(condition: Expr, wrt: str, points: list[Expr]) -> Expr:
    """The condition with each comparison whose boundary is one of ``points`` made strict
    (rebuilt through the constructors, so what becomes constant folds)."""
    done: dict[Expr, Expr] = {}
    for c in postorder(condition, stop=lambda n: not _is_connective(n)):
        if _is_connective(c):
            done[c] = rebuild(c, [done[a] for a in c.args])  # type: ignore[attr-defined]  # a Call
        elif type(c) is Call and c.fn in COMPARISONS and \
                root_of(add(c.args[0], neg(c.args[1])), wrt) in points:
            done[c] = call(_STRICT[c.fn], *c.args) if c.fn in _STRICT else ZERO if c.fn == "Eq" else c
        else:
            done[c] = c
    return done[condition]


def _is_connective(e: Expr) -> bool:
    return type(e) is Call and e.fn in ("And", "Or", "Not")


# ----- kinks and jumps of the functions of the table -----
# What makes each one's derivative fail: the expression that is 0 there (abs, sign,
# Heaviside: the argument; min, max: the difference of the arguments); floor and ceil jump
# where their argument is an integer.
_ZERO_OF: dict[str, Callable[..., Expr]] = {
    "abs": lambda u: u, "sign": lambda u: u, "Heaviside": lambda u: u,
    "min": lambda a, b: add(a, neg(b)), "max": lambda a, b: add(a, neg(b)),
}
_JUMPS_AT_INTEGERS = frozenset({"floor", "ceil"})


def kink_singularities(node: Call, wrt: str, whole: bool) -> list[Singularity]:
    """Where the derivative of a kink or jump (``abs(u)``, ``max(u, v)``, ``floor(u)``, ...)
    does not exist; ``whole``: the node is the whole formula (inside one, another term may
    make up for it, so the derivative only *may* not exist)."""
    if node.fn in _JUMPS_AT_INTEGERS:
        return [Singularity(wrt, None, f"{node.args[0]} is an integer", whole)]
    zero = _ZERO_OF[node.fn](*node.args)
    root = root_of(zero, wrt)
    if root is None:
        return []
    if root is False:
        left, right = (node.args[0], ZERO) if len(node.args) == 1 else node.args
        return [Singularity(wrt, None, f"{left} = {right}", False)]
    shown = f"{wrt} = {root}"
    return [Singularity(wrt, root, shown, whole)]


def is_kink(node: Expr) -> bool:
    return type(node) is Call and (node.fn in _ZERO_OF or node.fn in _JUMPS_AT_INTEGERS)


def has_cases(expr: Expr) -> bool:
    """Whether the expression has a piecewise part, a kink or a jump anywhere (one walk)."""
    return any(type(n) is Piecewise or is_kink(n) for n in postorder(expr))
