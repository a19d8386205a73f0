"""Differentiation: one rule per node type, the chain rule written once.

Each function's own derivative lives in the function table
(:mod:`symdiff.functions`); here the chain rule multiplies it by the inner
derivative.  The walk is iterative and memoised over the DAG, so every distinct
subexpression is differentiated once per variable, however often it is shared.

Text is read at the public API (:func:`symdiff.diff`); here expressions go in:

>>> from symdiff import parse
>>> diff(parse("log(x) + x*y - sin(y)"), "x")
y + 1/x
>>> diff(parse("x^4"), "x", 3)
24*x
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence

from .errors import DiffError, LimitError
from .expr import (FLATTEN_LIMIT, MINUS_ONE, ONE, ZERO, Add, Call, Const, Expr, Mul, Num, Piecewise, Pow, Sym,
                   add, call, has_imaginary, piecewise,
                   dag_larger_than, dag_size, flatten_limit, is_reserved, live_nodes, mul, postorder, power,
                   expression, flattened, preserving_structure, shares_subexpressions, spell,
                   dependence, substitute)
from .functions import is_derivative_name, log, lookup, partial_slots, unknown_partial
from .limits import Limits, bounded, current_limits, use_limits


def derivative(expr: Expr, wrt: str) -> Expr:
    """The first derivative with respect to the variable ``wrt``, unsimplified.

    >>> from symdiff import parse
    >>> derivative(parse("x*sin(x)"), "x")
    x*cos(x) + sin(x)
    """
    d: dict[Expr, Expr] = {}
    depends = dependence(expr, (wrt,))

    def constant(node):
        return not depends(node)
    for node in postorder(expr, stop=constant):
        d[node] = ZERO if constant(node) else differentiate_node(node, d, wrt)
    return d[expr]


def differentiate_node(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    """d(e)/d(wrt), given the derivatives ``d`` of e's children."""
    return rule_for(e, d)(e, d, wrt)


Rule = Callable[[Expr, dict, str], Expr]


def rule_for(e: Expr, d: dict[Expr, Expr]) -> Rule:
    """The rule that differentiates ``e``, given its children's derivatives ``d``: the one
    place that chooses, for :func:`differentiate_node` and for the steps (explain.py)."""
    match e:                           # the commonest kinds first: each case is a type test
        case Mul():
            return product_rule_of
        case Piecewise():
            return piecewise_rule
        case Call():
            return chain_rule_of
        case Add():
            return sum_rule
        case Pow(_, v) if d[v] is ZERO:
            return power_rule
        case Pow(u, _) if d[u] is ZERO:
            return exponential_rule
        case Pow():
            return logarithmic_differentiation
        case Sym():
            return variable_rule
        case Num() | Const():
            return constant_rule
    raise DiffError(f"cannot differentiate {type(e).__name__}")


# Each rule's name, as the steps show it: a text, or a function of the node and the variable
# for the rules whose name depends on them (a product with one varying factor is the
# constant multiple rule; a function's rule is named in its row of the table).
RULE_NAMES: dict[Rule, str | Callable[[Expr, str], str]] = {}


def named(name: str | Callable[[Expr, str], str]) -> Callable[[Rule], Rule]:
    def register(rule: Rule) -> Rule:
        RULE_NAMES[rule] = name
        return rule
    return register


def rule_name(rule: Rule, e: Expr, wrt: str) -> str:
    """What the steps call ``rule`` applied to ``e``.

    >>> from symdiff import parse
    >>> e = parse("3*x^2")
    >>> rule_name(rule_for(e, {c: ONE for c in e.children}), e, "x")
    'constant multiple rule'
    """
    name = RULE_NAMES[rule]
    return name if isinstance(name, str) else name(e, wrt)


def _is_subtracted(term: Expr) -> bool:
    return (type(term) is Num and term.value < 0) or (
        type(term) is Mul and type(term.factors[0]) is Num and term.factors[0].value < 0)


@named(lambda e, wrt: "sum and difference rule" if any(map(_is_subtracted, e.children))
       else "sum rule")
def sum_rule(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    """(f + g)' = f' + g'"""
    return add(*[d[t] for t in e.children])


@named(lambda e, wrt: "constant multiple rule"
       if sum(wrt in f.free for f in e.children) == 1 else "product rule")
def product_rule_of(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    """(f g h)' = f' g h + f g' h + f g h', and (c f)' = c f'"""
    return product_rule(e.children, d)


def _with_chain(inner: Expr) -> str:
    return "" if type(inner) is Sym else f", with the chain rule (inner function u = {inner})"


@named(lambda e, wrt: "power rule: d/du u^n = n*u^(n - 1)" + _with_chain(e.children[0]))
def power_rule(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    """(u^n)' = n u^(n-1) u', for an exponent free of the variable"""
    u, n = e.children
    return mul(n, power(u, add(n, MINUS_ONE)), d[u])


@named(lambda e, wrt: "zero to a power: d/du 0^u = 0 (where 0^u is defined, u > 0)"
       if e.children[0] is ZERO else
       "exponential rule: d/du a^u = a^u*log(a)" + _with_chain(e.children[1]))
def exponential_rule(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    """(a^u)' = a^u log(a) u', for a base free of the variable; (0^u)' = 0, not a log(0)"""
    a, u = e.children
    return ZERO if a is ZERO else mul(e, log(a), d[u])


@named("logarithmic differentiation")
def logarithmic_differentiation(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    """(u^v)' = u^v (v' ln u + v u'/u)"""
    u, v = e.children
    return mul(e, add(mul(d[v], log(u)), mul(v, d[u], power(u, MINUS_ONE))))


@named("variable rule")
def variable_rule(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    return ONE if e.name == wrt else ZERO  # type: ignore[attr-defined]  # a Sym, by rule_for


@named("constant rule")
def constant_rule(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    return ZERO


def _chain_rule_name(e: Expr, wrt: str) -> str:
    fn, args = e.fn, e.args  # type: ignore[attr-defined]  # a Call, by rule_for
    function = None if is_derivative_name(fn) else lookup(fn, len(args))
    if function is None:
        base = partial_slots(fn.rstrip("'"))[0]
        return f"chain rule for the unknown function {fn}" if base == fn else \
            f"chain rule for {fn}, a derivative of the unknown function {base}"
    if len(args) != 1:
        return function.rule_name
    u = Sym("u")
    return f"{function.rule_name}: d/du {fn}(u) = {function.derivatives[0](u)}{_with_chain(args[0])}"


@named(_chain_rule_name)
def chain_rule_of(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    """f(u)' = f'(u) u'"""
    return chain_rule(e.fn, e.args, d)  # type: ignore[attr-defined]  # a Call, by rule_for


@named("piecewise rule: differentiate each branch")
def piecewise_rule(e: Expr, d: dict[Expr, Expr], wrt: str) -> Expr:
    """Piecewise((u, c), (v, True))' = Piecewise((u', c), (v', True)), with the conditions
    strict where the derivative surely does not exist (a jump, or a kink: one-sided
    derivatives that differ), so that no branch takes those points."""
    from .cases import boundaries, strict_derivative
    node: Piecewise = e  # type: ignore[assignment]  # a Piecewise, by rule_for
    if wrt not in node.free:
        return ZERO
    singular, fixes = boundaries(node, wrt, d.__getitem__)
    points = [s.at for s in singular if s.certain and s.at is not None]
    derivatives = [d[value] for value, _ in node.branches]
    return piecewise(*strict_derivative(node, derivatives, wrt, points, fixes))


def singular_points(expr: Expr, wrt: str) -> list:
    """Where the derivative of ``expr`` by ``wrt`` does not exist, or may not: the
    boundaries of its piecewise parts and the kinks and jumps of abs, sign, min, max,
    Heaviside, floor and ceil, as :class:`symdiff.cases.Singularity` notes.  Where the
    part is the whole formula the answer is sure (``certain``); inside a larger formula the
    rest may make up for it.

    >>> from symdiff import parse
    >>> [str(s) for s in singular_points(parse("|x - 1|"), "x")]
    ['the derivative does not exist at x = 1']
    >>> [str(s) for s in singular_points(parse("Piecewise((x, x < 0), (x^2, x >= 0)) + y"), "x")]
    ['the derivative may not exist at x = 0']
    """
    from .cases import Singularity, is_kink, kink_singularities, piecewise_singularities
    expr = expression(expr, "singular_points")
    found: list[Singularity] = []
    for node in postorder(expr):
        if wrt not in node.free:
            continue
        whole = node is expr
        if type(node) is Piecewise:
            notes = piecewise_singularities(node, wrt, lambda v: diff(v, wrt))
        elif is_kink(node):
            notes = kink_singularities(node, wrt, whole)  # type: ignore[arg-type]  # a Call
        else:
            continue
        for note in notes:
            if not whole:
                note = note._replace(certain=False)
            if all(note.where != seen.where for seen in found):
                found.append(note)
    return found


def product_rule(factors: tuple[Expr, ...], d: dict[Expr, Expr]) -> Expr:
    """(f g h)' = f' g h + f g' h + f g h'; constant factors contribute no term.

    Up to FLATTEN_LIMIT factors each term is one flat product, also when preserving
    structure (one node per term).  Beyond, the products of the other factors come from
    :func:`products_of_others`, so a product of n factors has a derivative of size O(n).
    Preserving structure, a numeric coefficient is taken out first: (c f g)' = c (f g)'.
    """
    if type(factors[0]) is Num and len(factors) > 2 and flatten_limit() == 0:
        # constant multiple rule, (c f g)' = c (f g)': preserving structure, c*f*g and -c*f*g
        # then share the derivative of f*g
        rest = Mul(factors[1:])
        if rest not in d:
            d[rest] = product_rule(factors[1:], d)
        return mul(factors[0], d[rest])
    if len(factors) <= FLATTEN_LIMIT:
        # each term one flat node, f' g h rather than f' (g h), also when preserving structure
        return add(*[mul(d[f], *all_but(factors, i))
                     for i, f in enumerate(factors) if d[f] is not ZERO])
    others = products_of_others(factors)
    return add(*[mul(d[f], others[i]) for i, f in enumerate(factors) if d[f] is not ZERO])


def all_but(factors: Sequence[Expr], i: int) -> tuple[Expr, ...]:
    """The factors without the i-th: the other factors of a product-rule term."""
    return (*factors[:i], *factors[i + 1:])


def products_of_others(factors: Sequence[Expr]) -> list[Expr]:
    """For each factor, the product of all the others.  Up to FLATTEN_LIMIT factors they
    are written out (n nodes); beyond, they are built from shared prefix and suffix products,
    so that n factors cost O(n) nodes and edges, not O(n^2) edges.

    >>> products_of_others([Sym("a"), Sym("b"), Sym("c")])
    [b*c, a*c, a*b]
    """
    n = len(factors)
    if n <= FLATTEN_LIMIT:
        # n products of n - 1 factors: fewer nodes than 3n prefix, suffix and joined products
        return [mul(*all_but(factors, i)) for i in range(n)]
    prefix: list[Expr] = [ONE] * (n + 1)
    suffix: list[Expr] = [ONE] * (n + 1)
    for i, f in enumerate(factors):
        prefix[i + 1] = mul(prefix[i], f)
    for i in range(n - 1, -1, -1):
        suffix[i] = mul(factors[i], suffix[i + 1])
    return [mul(prefix[i], suffix[i + 1]) for i in range(n)]


def chain_rule(fn: str, args: tuple[Expr, ...], d: dict[Expr, Expr]) -> Expr:
    """f(u, ...)' = sum of (df/du_i)(u, ...) * u_i'."""
    function = None if is_derivative_name(fn) else lookup(fn, len(args))
    if function is None:                                 # an unknown function: its partials too
        return add(*[mul(call(unknown_partial(fn, i, len(args)), *args), d[u])
                     for i, u in enumerate(args) if d[u] is not ZERO])
    outer: Sequence[Callable[..., Expr]] = function.derivatives
    if len(args) == 1:                                   # the usual case: f(u)' = f'(u) u'
        inner = d[args[0]]
        if inner is ZERO:
            return ZERO
        if function.chain is not None and has_imaginary(args[0]):
            return function.chain(args[0], inner)        # re(u)' = re(u'): not f'(u) u'
        # (for a real u, the derivatives column holds: re' = 1, abs' = sign, arg' = 0)
        return mul(outer[0](*args), inner)
    return add(*[mul(partial(*args), d[u]) for partial, u in zip(outer, args) if d[u] is not ZERO])


# ---------------------------------------------------------------- public API

def _variables(wrt: Iterable) -> list[tuple[str, int]]:
    """Parse ``("x", 2, "y")`` (or ``(("x", 2), "y")``, as SymPy writes it) into
    ``[("x", 2), ("y", 1)]``."""
    spec: list[tuple[str, int]] = []
    for item in wrt:
        if isinstance(item, tuple):
            if len(item) != 2 or not isinstance(item[1], int) or isinstance(item[1], bool):
                raise DiffError(f"a pair is a variable and its order, as in ('x', 2); a symbolic "
                                f"order stands alone, as in diff(f, ('x', 'n')): got {item!r}")
            spec.extend(_variables(item))
            continue
        if isinstance(item, bool):
            raise DiffError(f"not a variable or an order: {item!r}")
        if isinstance(item, int):
            if not spec:
                raise DiffError("an order must follow a variable, as in diff(f, 'x', 2)")
            if item < 0:
                raise DiffError(f"the order of a derivative cannot be negative ({item})")
            spec[-1] = (spec[-1][0], spec[-1][1] - 1 + item)
            continue
        name = item.name if isinstance(item, Sym) else item
        if isinstance(name, str):
            name = spell(name.strip())                  # "θ" is the variable theta
        if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
            raise DiffError(f"not a variable name: {item!r}")
        if is_reserved(name):
            raise DiffError(f"{name} is a constant or a function, not a variable")
        spec.append((name, 1))
    return spec


# The letters that name a whole number by convention (the n-th, m-th, k-th derivative).  After
# a variable, and absent from the formula, such a letter is a symbolic order; any other absent
# name is a variable, so diff(x^2, x, y) is the mixed partial 0, as in SymPy and Mathematica.
ORDER_LETTERS = frozenset({"n", "m", "k"})


def _symbolic_order(wrt: tuple, free: frozenset[str]) -> tuple[str, Sym] | None:
    """``(x, n)`` for ``diff(f, ("x", "n"))`` with any name n, and for ``diff(f, "x", "n")``
    with n one of :data:`ORDER_LETTERS` that ``f`` does not have: the n-th derivative."""
    if len(wrt) == 1 and isinstance(wrt[0], tuple) and len(wrt[0]) == 2 \
            and not isinstance(wrt[0][1], int):
        (name, _), (order, _) = _variables(wrt[0])
        if order in free:
            raise DiffError(f"the order {order} is a variable of the formula; name the order "
                            f"with a letter the formula does not use")
        return name, Sym(order)
    if len(wrt) != 2 or isinstance(wrt[1], int) or isinstance(wrt[0], tuple):
        return None
    (name, _), (order, _) = _variables(wrt)
    return (name, Sym(order)) if order in ORDER_LETTERS and order not in free else None


@bounded
def diff(expr: Expr, *wrt, simplify: bool = True, limits: Limits | None = None) -> Expr:
    """Partial derivative of any order: ``diff(f, "x")``, ``diff(f, "x", 3)``,
    ``diff(f, "x", "y")``.  With one variable in ``f``, the variable may be left out.
    Each order is simplified before the next one is taken, unless ``simplify=False``.
    ``limits`` overrides the resource limits in force (:class:`symdiff.Limits`).

    >>> from symdiff import parse
    >>> diff(parse("x^2 y^3"), "x", "y")
    6*x*y^2
    >>> diff(parse("sin(x)"), "x", 0)
    sin(x)

    The letter n, m or k after a variable, when ``f`` does not have it, is a symbolic order,
    and so is any name in a pair ``(variable, name)`` (see :mod:`symdiff.nth` for the
    families that have a closed form); any other name is a variable:

    >>> diff(parse("exp(2x)"), "x", "n"), diff(parse("x^3"), ("x", "j"))
    (2^n*exp(2*x), x^(3 - j)*ff(3, j))
    >>> diff(parse("x^2"), "x", "y")
    0
    """
    if limits is not None:
        with use_limits(limits):
            return diff(expr, *wrt, simplify=simplify)
    expr = expression(expr, "diff")
    if any(isinstance(item, Call) for item in wrt):
        return _diff_by_applications(expr, wrt, simplify)
    symbolic = _symbolic_order(wrt, expr.free)
    if symbolic is not None:
        from .nth import nth_derivative             # its forms are written to be read: kept
        return nth_derivative(expr, *symbolic)
    spec = _variables(wrt)
    if not spec:
        names = sorted(expr.free)
        if len(names) > 1:
            raise DiffError(f"the formula has several variables ({', '.join(names)}); "
                            f"say which to differentiate with respect to")
        spec = [(names[0] if names else "x", 1)]
    orders = sum(order for _, order in spec)
    if not simplify or orders < 2 or is_large(expr):
        preserve = preserves_structure(expr, orders)
        with regime(preserve):
            result = repeated_derivative(expr, spec, simplify=simplify)
        assert result is not None                        # no give_up_above: never None
        if not preserve:
            return result
        return with_forms(settle([result]))[0] if simplify else flattened([result])[0]
    # A small expression, differentiated repeatedly: expanded orders read best, but may swell
    # (sin(sin(sin(x))) to order 5).  Expand while the result stays within a budget linear in
    # the input and the order; past it, start again preserving structure, which is linear.
    budget = max(SMALL_RESULT, EXPANSION_BUDGET * dag_size(expr) * orders)
    expanded = repeated_derivative(expr, spec, give_up_above=budget)
    if expanded is not None:
        return expanded
    with preserving_structure():
        result = repeated_derivative(expr, spec)
    assert result is not None                            # no give_up_above: never None
    return with_forms(settle([result]))[0]


def _diff_by_applications(expr: Expr, wrt: tuple, simplify: bool) -> Expr:
    """``diff(f(x)^2, f(x))``: the derivative with respect to an application of an unknown
    function, which stands for an independent variable, as in SymPy: it is replaced by a
    fresh variable, the derivative taken, and the application put back.  Each variable or
    application of ``wrt`` (with its order) is taken in turn, so ``diff(f(x)^2, f(x), x)``
    is ``2*f'(x)``.

    >>> from symdiff import parse
    >>> f = parse("f(x)", functions=["f"])
    >>> diff(parse("x*f(x)^2", functions=["f"]), f), diff(parse("f(x)^2", functions=["f"]), f, "x")
    (2*x*f(x), 2*f'(x))
    """
    result = expr
    for target, *order in _by_target(wrt):
        if not isinstance(target, Call):
            result = diff(result, target, *order, simplify=simplify)
            continue
        if not is_derivative_name(target.fn) and lookup(target.fn, len(target.args)) is not None:
            raise DiffError(f"{target} is a built-in function; a derivative is taken with "
                            f"respect to a variable or an application of an unknown function, "
                            f"such as f(x)")
        stand_in = _fresh_variable(result)
        replaced = substitute(result, {target: stand_in})
        result = substitute(diff(replaced, stand_in, *order, simplify=simplify),
                            {stand_in: target})
    return result


def _by_target(wrt: tuple) -> list[list]:
    """``(f(x), 2, "y")`` as ``[[f(x), 2], ["y"]]``: each variable or application with the
    orders written after it."""
    groups: list[list] = []
    for item in wrt:
        if isinstance(item, int) and not isinstance(item, bool) and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _fresh_variable(expr: Expr) -> Sym:
    """A variable that does not occur in ``expr``."""
    taken, i = expr.free, 0
    while f"_wrt{i}" in taken:
        i += 1
    return Sym(f"_wrt{i}")


def repeated_derivative(expr: Expr, spec: list[tuple[str, int]], *, simplify: bool = True,
                        give_up_above: int | None = None) -> Expr | None:
    """Differentiate order after order, as ``spec`` says (``[("x", 2), ("y", 1)]``), each order
    simplified before the next.  With ``give_up_above``, None as soon as an order's DAG has
    more nodes than that, or the next order's will have if it grows by the same factor again.

    >>> from symdiff import parse
    >>> repeated_derivative(parse("x^3 y"), [("x", 2), ("y", 1)])
    6*x
    """
    from .simplify import FormMemo, best_form, simplifier

    simplify_expr = simplifier()         # one memo: each order skips what it shares with the last
    forms_memo = FormMemo()              # and one for the best forms
    limits = current_limits()
    result, taken = expr, 0
    remaining = sum(order for _, order in spec)
    size = dag_size(expr) if give_up_above is not None else 0     # only the budget needs it
    for name, order in spec:
        for _ in range(order):
            if result is ZERO:
                return ZERO                          # every further derivative is 0 too
            taken += 1
            if taken > limits.max_order:             # checked lazily: x^3 to order 10^8 is just 0
                raise LimitError(f"derivatives beyond order {limits.max_order:,} do not "
                                 f"vanish here; raise Limits.max_order (--max-order) if "
                                 f"you mean it", limit="max_order")
            result = derivative(result, name)
            remaining -= 1
            if simplify:
                result = simplify_expr(result)
                if not remaining:            # the best form is for reading: the last order's
                    result = best_form(result, memo=forms_memo)
            if give_up_above is not None:
                previous, size = size, dag_size(result)
                if size > give_up_above or (remaining and size * size > give_up_above * previous):
                    return None
            _check_output(result, limits)
    return result


@bounded
def gradient(expr: Expr, variables: Sequence | None = None, *, simplify: bool = True) -> list[Expr]:
    """The partial derivatives with respect to ``variables`` (default: all, sorted).

    >>> from symdiff import parse
    >>> gradient(parse("log(x) + x*y - sin(y)"))
    [y + 1/x, x - cos(y)]
    """
    expr = expression(expr, "gradient")
    return simplified_gradient(expr, _names(expr, variables), simplify, {})


def simplified_gradient(expr: Expr, names: list[str], simplify: bool,
                        simplifiers: dict, forms: bool = True) -> list[Expr]:
    """:func:`gradient` of a parsed expression.  ``simplifiers`` keeps one simplifier per
    regime, so calls that share it (the rows of a Hessian) skip what earlier calls simplified.
    ``forms=False`` leaves the partials as the rule pass has them (see :func:`with_forms`)."""
    from .simplify import simplifier

    preserve = is_large(expr)
    with regime(preserve):
        adjoints = reverse_gradient(expr, names)
        if not simplify:
            return adjoints
        simplify_more = simplifiers.setdefault(preserve, simplifier())
        partials = [simplify_more(a) for a in adjoints]
    if preserve:
        partials = settle(partials)
    return with_forms(partials) if forms else partials


def with_forms(results: list[Expr], trace: list | None = None) -> list[Expr]:
    """Each result in its best form (:func:`symdiff.simplify.best_form`), if all of them
    together are small: results that share much (the entries of a Hessian) would each write
    out their own numerator in one fraction, and lose the sharing."""
    from .simplify import FORM_BUDGET, FormMemo, best_form

    if dag_larger_than(results, FORM_BUDGET):
        return results
    memo = FormMemo()
    return [best_form(r, trace=trace, memo=memo) for r in results]


# Expressions of more than this many distinct nodes are differentiated and simplified
# preserving structure (see symdiff.expr.preserving_structure): a shared subexpression's
# derivative stays one shared node, so sizes follow the DAG, order after order.  Smaller
# ones are flattened as usual, which collects them into the familiar expanded form.
PRESERVE_ABOVE = 16

# A repeated derivative of a small expression is expanded order by order while its DAG stays
# within this many nodes per input node and order (see diff).
EXPANSION_BUDGET = 5

# Results of at most this many distinct nodes (all together) are flattened and simplified
# once more at the end, into the familiar canonical form.
SMALL_RESULT = 60


def is_large(expr: Expr) -> bool:
    """Whether ``expr`` is large: more than PRESERVE_ABOVE distinct nodes.

    >>> from symdiff import parse
    >>> is_large(parse("sin(x)")), is_large(parse("+".join(f"x{i}^2" for i in range(9))))
    (False, True)
    """
    return dag_larger_than([expr], PRESERVE_ABOVE)


def preserves_structure(expr: Expr, orders: int = 1) -> bool:
    """Whether ``diff`` takes ``orders`` derivatives of ``expr`` preserving structure: if it
    is large, and differentiated more than once or sharing a subexpression.  (One order of a
    tree-shaped expression has no shared node to copy; a shared node's derivative is shared
    too, so it is kept whole.)

    >>> from symdiff import parse
    >>> preserves_structure(parse("sin(" * 20 + "x" + ")" * 20))
    False
    >>> preserves_structure(parse("sin(" * 20 + "x" + ")" * 20), orders=2)
    True
    """
    return is_large(expr) and (orders > 1 or shares_subexpressions(expr))


def regime(preserve: bool):
    """The flattening regime: preserving structure, or the usual flattening."""
    return preserving_structure() if preserve else contextlib.nullcontext()


def settle(results: list[Expr], trace: list | None = None) -> list[Expr]:
    """Results computed preserving structure, simplified once more with flattening if
    together they are small, and else rebuilt with flattening (:func:`flattened`): either
    way canonical, so that their text reads back to them.

    >>> from symdiff.expr import Add, Sym, Num
    >>> settle([Add((Sym("x"), Add((Sym("x"), Num(1)))))])
    [2*x + 1]
    """
    from .simplify import simplify_all

    if dag_larger_than(results, SMALL_RESULT):
        return flattened(results)
    return simplify_all(results, trace=trace)


def _check_output(result: Expr, limits: Limits) -> None:
    if live_nodes() <= limits.max_output_nodes:
        return                              # no DAG can be larger than all nodes alive
    nodes = dag_size(result)
    if nodes > limits.max_output_nodes:
        raise LimitError(f"the derivative has {nodes:,} distinct nodes, more than the limit "
                         f"of {limits.max_output_nodes:,}; raise Limits.max_output_nodes "
                         f"(--max-output) if you mean it", limit="max_output_nodes")


def local_derivatives(e: Expr, needed: Sequence[bool]) -> list[Expr]:
    """∂e/∂child for each child whose ``needed`` flag is set: the symbolic edge labels of
    the computational graph (the numeric ones are in :mod:`symdiff.autodiff`)."""
    children = e.children
    match e:
        case Add():
            return [ONE] * len(children)
        case Mul(factors) if len(factors) <= FLATTEN_LIMIT:
            # the product of the other factors, written out only where it is needed
            return [mul(*all_but(factors, i)) if need else ZERO
                    for i, need in enumerate(needed)]
        case Mul(factors):
            return [other if need else ZERO
                    for other, need in zip(products_of_others(factors), needed)]
        case Pow(u, v):
            return [mul(v, power(u, add(v, MINUS_ONE))) if needed[0] else ZERO,   # power rule
                    mul(e, log(u)) if needed[1] and u is not ZERO else ZERO]      # exponential rule
        case Call(fn, args):
            if is_derivative_name(fn) or lookup(fn, len(args)) is None:
                return [call(unknown_partial(fn, i, len(args)), *args) if need else ZERO
                        for i, need in enumerate(needed)]
            function = lookup(fn, len(args))
            if function.chain is not None and has_imaginary(args[0]):  # type: ignore[union-attr]  # not None, checked above
                raise DiffError(f"{fn} of a complex argument is not complex-differentiable, so it has "
                                f"no local derivative to multiply by; differentiate it forward (diff)")
            partials = function.derivatives  # type: ignore[union-attr]  # not None, checked above
            return [p(*args) if need else ZERO for p, need in zip(partials, needed)]
    return [ZERO] * len(children)


def reverse_gradient(expr: Expr, names: Sequence[str]) -> list[Expr]:
    """All partial derivatives in one reverse pass over the DAG (symbolic reverse mode).

    Each node's adjoint (∂expr/∂node) is the sum of its parents' adjoints times the
    local derivatives; nodes are visited in reverse topological order, so every
    parent has contributed before a node passes its adjoint on.  The result shares
    structure across all partials, so its DAG is a small constant times the input's
    (the cheap gradient principle) whatever the number of variables.

    >>> from symdiff import parse
    >>> reverse_gradient(parse("x*y + sin(x)"), ["x", "y"])
    [y + cos(x), x]
    """
    depends = dependence(expr, names)

    def unwanted(node):                                 # node depends on no wanted name
        return not depends(node)
    order = postorder(expr, stop=unwanted)
    contributions: dict[Expr, list[Expr]] = {expr: [ONE]}
    adjoint: dict[Expr, Expr] = {}
    piecewise: list[tuple[Piecewise, Expr]] = []      # differentiated forward, branch by branch
    for node in reversed(order):
        if unwanted(node) or node not in contributions:
            continue                                  # (only a piecewise node's branches use it)
        parts = contributions.pop(node)
        adjoint[node] = bar = parts[0] if len(parts) == 1 else add(*parts)
        children = node.children
        if not children or bar is ZERO:
            continue
        if type(node) is Piecewise:
            piecewise.append((node, bar))             # its branches are not one function's arguments
            continue
        needed = [not unwanted(c) for c in children]
        for child, local, need in zip(children, local_derivatives(node, needed), needed):
            if need:
                # bar * local, with the common factors 1 (a sum's children, the root) skipped
                term = local if bar is ONE else bar if local is ONE else mul(bar, local)
                contributions.setdefault(child, []).append(term)
    return [add(adjoint.get(Sym(name), ZERO), *(mul(bar, derivative(node, name)) for node, bar in piecewise))
            for name in names]


@bounded
def jacobian(exprs: Sequence[Expr], variables: Sequence | None = None, *,
             simplify: bool = True) -> list[list[Expr]]:
    """The matrix of first partials, one row per expression.

    >>> x, y = Sym("x"), Sym("y")
    >>> jacobian([x*y, x + y], ["x", "y"])
    [[y, x], [1, 1]]
    """
    exprs = [expression(e, "jacobian") for e in exprs]
    if variables is None:
        variables = sorted(set().union(*(e.free for e in exprs)))
    return [gradient(e, variables, simplify=simplify) for e in exprs]


@bounded
def hessian(expr: Expr, variables: Sequence | None = None, *,
            simplify: bool = True) -> list[list[Expr]]:
    """The matrix of second partials: reverse mode over each first partial; mixed partials
    are computed once and mirrored.

    >>> x, y = Sym("x"), Sym("y")
    >>> hessian(x**2 * y, ["x", "y"])
    [[2*y, 2*x], [2*x, 0]]
    """
    expr = expression(expr, "hessian")
    names = _names(expr, variables)
    simplifiers: dict = {}             # one memo per regime: the rows share the first partials
    first = simplified_gradient(expr, names, simplify, simplifiers, forms=False)
    rows: list[list[Expr]] = [[ZERO] * len(names) for _ in names]
    for i, gi in enumerate(first):
        row = simplified_gradient(gi, names[i:], simplify, simplifiers, forms=False)
        for j, value in enumerate(row, start=i):
            rows[i][j] = rows[j][i] = value
    if not simplify:
        return rows
    upper = [(i, j) for i in range(len(names)) for j in range(i, len(names))]
    for (i, j), value in zip(upper, with_forms([rows[i][j] for i, j in upper])):
        rows[i][j] = rows[j][i] = value                 # the same forms, mirrored
    return rows


def _names(expr: Expr, variables) -> list[str]:
    if variables is None:
        return sorted(expr.free)
    if isinstance(variables, str):
        variables = variables.replace(",", " ").split()
    return [name for name, _ in _variables(variables)]
