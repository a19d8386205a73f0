"""The simplifier: small named rules, run bottom-up over the DAG by one generic strategy.

The canonical constructors (:mod:`symdiff.expr`) already fold numbers and drop
identities (``x+0``, ``1*x``, ``0*x``, ``x^1``, ``x^0``, ``--x``).  The rules
here do what needs a look at several operands at once.  Each rule maps a node to
a new node, or to ``None`` when it does not apply, and each one either removes
nodes or replaces a node by one in canonical form, so rewriting terminates.
Order of ``RULES`` matters only for which name a trace shows first.

Conventions: ``x/x = 1`` and ``x - x = 0`` for every ``x`` (like every computer
algebra system; the point x = 0 of x/x is lost), but ``0/0`` is never folded.

>>> simplify(parse("2x + 3x - x*x/x"))
4*x
"""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

from .expr import (ONE, Add, Bound, Call, Const, Expr, Mul, Num, Pow, Sym, add, flatten_limit,
                   is_singular, mul, postorder, power, rebuild)
from .functions import FUNCTIONS
from .errors import EvaluationError
from .parser import parse

Rule = Callable[[Expr], Expr | None]


def split_coefficient(term: Expr) -> tuple:
    """``3*x*y`` -> ``(3, (x, y))``; ``x`` -> ``(1, (x,))``: the coefficient, and the factors
    of the rest, so that the rest needs no node of its own (``3*(x*y)``, kept whole when
    structure is preserved, has the same rest as ``x*y``).

    >>> split_coefficient(parse("3*x*y")), split_coefficient(parse("x*y"))
    ((3, (x, y)), (1, (x, y)))
    """
    if type(term) is Mul:
        factors = term.factors
        if type(factors[0]) is not Num:
            return 1, factors
        rest = factors[1:]
        if len(rest) == 1 and type(rest[0]) is Mul:
            return factors[0].value, rest[0].factors
        return factors[0].value, rest
    return 1, (term,)


def split_power(factor: Expr) -> tuple[Expr, Expr]:
    """``x^3`` -> ``(x, 3)``; ``x`` -> ``(x, 1)``."""
    if type(factor) is Pow:
        return factor.base, factor.exp
    return factor, ONE


# ---------------------------------------------------------------- rules

def rewrites(kind: type):
    """Declare the node type a rule rewrites, so the strategy offers it only such nodes."""
    def declare(rule: Rule) -> Rule:
        rule.rewrites = kind
        return rule
    return declare


@rewrites(Add)
def collect_like_terms(e: Expr) -> Expr | None:
    """a*t + b*t -> (a+b)*t, so 2x + 3x -> 5x and x - x -> 0."""
    if type(e) is not Add:
        return None
    groups: dict[tuple, list] = {}
    for term in e.terms:
        coefficient, rest = split_coefficient(term)
        groups.setdefault(rest, []).append(coefficient)
    if len(groups) == len(e.terms):
        return None
    return add(*[mul(Num(sum(cs)), rest[0] if len(rest) == 1 else Mul(rest))
                 for rest, cs in groups.items()])


@rewrites(Mul)
def collect_like_factors(e: Expr) -> Expr | None:
    """b^p * b^q -> b^(p+q), so x*x^2 -> x^3 and x/x -> 1."""
    if type(e) is not Mul:
        return None
    bases = [f.base if type(f) is Pow else f for f in e.factors]
    if len(set(bases)) == len(bases):
        return None                                  # no base occurs twice
    groups: dict[Expr, list[Expr]] = {}
    kept: list[Expr] = []
    for factor in e.factors:
        if type(factor) is Num or is_singular(factor):
            kept.append(factor)
            continue
        base, exponent = split_power(factor)
        groups.setdefault(base, []).append(exponent)
    if len(groups) + len(kept) == len(e.factors):
        return None
    return mul(*kept, *(power(base, add(*exps)) for base, exps in groups.items()))


@rewrites(Call)
def evaluate_special_values(e: Expr) -> Expr | None:
    """sin(0) -> 0, log(1) -> 0, sqrt(4) -> 2, abs(-3) -> 3; floats fold to floats."""
    if type(e) is not Call or e.fn not in FUNCTIONS or len(e.args) != 1:
        return None
    function, (u,) = FUNCTIONS[e.fn], e.args
    if u in function.special:
        return function.special[u]
    if type(u) is Num:
        if isinstance(u.value, float):
            try:
                return Num(function.numeric(u.value))
            except EvaluationError:
                return None
        if function.exact is not None:
            value = function.exact(u.value)
            return None if value is None else Num(value)
    return None


@rewrites(Mul)
def distribute_number(e: Expr) -> Expr | None:
    """c*(a + b) -> c*a + c*b for a number c, so (x+y) - (x+y) collects to 0."""
    if type(e) is Mul and len(e.factors) == 2 and type(e.factors[0]) is Num \
            and type(e.factors[1]) is Add and len(e.factors[1].terms) <= flatten_limit():
        c = e.factors[0]
        return add(*[mul(c, t) for t in e.factors[1].terms])
    return None


@rewrites(Call)
def log_of_exp(e: Expr) -> Expr | None:
    """log(exp(u)) -> u (u real)."""
    if type(e) is Call and e.fn == "log" and len(e.args) == 1:
        (u,) = e.args
        if type(u) is Call and u.fn == "exp":
            return u.args[0]
    return None


@rewrites(Pow)
def power_of_exp(e: Expr) -> Expr | None:
    """exp(u)^v -> exp(u*v)."""
    if type(e) is Pow and type(e.base) is Call and e.base.fn == "exp":
        return Call("exp", (mul(e.base.args[0], e.exp),))
    return None


RULES: tuple[Rule, ...] = (
    evaluate_special_values,
    log_of_exp,
    power_of_exp,
    distribute_number,
    collect_like_terms,
    collect_like_factors,
)


# ---------------------------------------------------------------- strategy

class Step(NamedTuple):
    """One rule firing: the trace that step-by-step explanations are made of."""

    rule: str
    before: Expr
    after: Expr


MAX_REWRITES_PER_NODE = 50     # a safety net; every accepted rewrite shrinks or canonicalises


def simplify(expr, *, trace: list[Step] | None = None, rules: tuple[Rule, ...] = RULES) -> Expr:
    """Simplify bottom-up, each distinct node once.

    A rewrite is kept only if it does not make its node larger written out
    (:func:`written_size`, numbers counting as annotations), so ``x*x -> x^2``
    and ``x + x -> 2*x`` are kept while no rule can swell a result.
    Pass a list as ``trace`` to receive every rule firing as a :class:`Step`.

    >>> simplify(parse("x*x^2 + x^3"))
    2*x^3
    """
    return _Simplifier(rules, trace).run(parse(expr))


def simplify_all(exprs, *, trace: list[Step] | None = None) -> list[Expr]:
    """Simplify several expressions with one memo, so structure they share stays shared.

    >>> simplify_all([parse("x + x"), parse("2*x + 0")])
    [2*x, 2*x]
    """
    simplify_more = simplifier(trace=trace)
    return [simplify_more(expr) for expr in map(parse, exprs)]


def simplifier(*, trace: list[Step] | None = None) -> Callable[[Expr], Expr]:
    """A simplify function with one memo for all its calls: a node it has simplified once,
    or produced, is not visited again.  Repeated derivatives use one, so each order skips
    the subexpressions it shares with the order before.

    >>> simplify_more = simplifier()
    >>> simplify_more(parse("x*x")), simplify_more(parse("3*x^2 + x*x"))
    (x^2, 4*x^2)
    """
    return _Simplifier(RULES, trace).run


def unchanged(node: Expr, children: tuple[Expr, ...]) -> bool:
    """Whether rebuilding ``node`` from ``children`` would give ``node`` back: the children
    are its own and none could be flattened into it (as after preserving structure).

    >>> x, y = parse("x"), parse("y")
    >>> unchanged(parse("x*y"), (x, y)), unchanged(parse("x*y"), (y, x))
    (True, False)
    """
    if children != node.children:               # element by element, by identity: interned
        return False
    kind = type(node)
    if kind is Add or kind is Mul:
        return flatten_limit() == 0 or kind not in map(type, children)
    if kind is Pow:
        return type(node.base) is not Mul
    return True


@functools.lru_cache(maxsize=16)
def rules_by_type(rules: tuple[Rule, ...]) -> dict[type, tuple[Rule, ...]]:
    """The rules for each node type, in their given order (a rule that declares no type
    with :func:`rewrites` is offered every node)."""
    return {kind: tuple(r for r in rules if getattr(r, "rewrites", kind) is kind)
            for kind in (Num, Const, Sym, Bound, Add, Mul, Pow, Call)}


class _Simplifier:
    """One simplification: the memo of finished nodes and of written sizes."""

    def __init__(self, rules, trace):
        self.rules, self.trace = rules, trace
        self.rules_for = rules_by_type(rules)
        self.done: dict[Expr, Expr] = {}
        self.sizes: dict[Expr, int] = {}

    def run(self, root: Expr) -> Expr:
        done = self.done
        if root in done:
            return done[root]
        for node in _pending(root, done):
            if node not in done:
                self.finish(node)
        return done[root]

    def finish(self, node: Expr) -> None:
        """Simplify ``node``, whose children are simplified already, and remember the result."""
        done = self.done
        children = node.children
        if children:
            simplified = tuple(map(done.__getitem__, children))
            rebuilt = node if unchanged(node, simplified) else rebuild(node, simplified)
        else:
            rebuilt = node
        if rebuilt in done:
            final = done[rebuilt]
        elif rebuilt is not node and any(c not in done for c in rebuilt.children):
            # the constructor built new subexpressions ((2u)^-1 -> u^-1/2): simplify them too
            final = self.run(rebuilt)
        else:
            final = self.at_root(rebuilt)
        done[node] = done[rebuilt] = final
        if final not in done:
            done[final] = final              # a result is simplified: never visit it again

    def at_root(self, e: Expr) -> Expr:
        """Apply the first rule whose (re-simplified) result is no larger, until none is."""
        for _ in range(MAX_REWRITES_PER_NODE):
            for rule in self.rules_for[type(e)]:
                after = rule(e)
                if after is None or after is e:
                    continue
                after = self.done[after] if after in self.done else self.run(after)
                if self.written(after) > self.written(e):
                    continue
                if self.trace is not None:
                    self.trace.append(Step(rule.__name__, e, after))
                e = after
                break
            else:
                return e
        return e

    def written(self, root: Expr) -> int:
        """Memoised :func:`written_size`."""
        sizes = self.sizes
        if root in sizes:
            return sizes[root]
        for node in _pending(root, sizes):
            if node not in sizes:
                own = 0 if _annotation(node) else 1
                sizes[node] = own + sum(map(sizes.__getitem__, node.children))
        return sizes[root]


def _pending(root: Expr, memo: dict) -> list[Expr]:
    """The nodes of ``root`` not in ``memo``, children first (and maybe some that are).  When
    only the root is new, as with most results of a rule, that is ``[root]``, with no walk."""
    contains = memo.__contains__
    if all(map(contains, root.children)):
        return [root]
    return postorder(root, stop=contains)


def written_size(expr: Expr) -> int:
    """Nodes written out as a tree, not counting numbers, numeric coefficients (``3*t``)
    or numeric exponents (``t^3``): the measure no accepted rewrite increases.

    >>> written_size(parse("x*x")), written_size(parse("x^2"))
    (3, 1)
    """
    return _Simplifier((), None).written(expr)


def size(expr: Expr) -> int:
    """Distinct nodes of the DAG, numbers and numeric annotations not counted.

    Numbers, a numeric coefficient (``3*t``) and a numeric exponent (``t^3``)
    are annotations of the node they decorate and do not count.

    >>> size(parse("3*x^2 + x")), size(parse("x*x + x"))
    (2, 3)
    """
    return sum(1 for node in postorder(expr) if not _annotation(node))


def _annotation(node: Expr) -> bool:
    match node:
        case Num():
            return True
        case Mul(factors):
            return len(factors) == 2 and type(factors[0]) is Num
        case Pow(_, exp):
            return type(exp) is Num
    return False
