"""From a request to its result: what the command line computes, usable from Python.

A :class:`Request` says what to compute (the formula, the variables, the order, the form,
a point); :func:`compute` parses, checks the point, differentiates, evaluates and decides on
shared subexpressions, and returns an :class:`Outcome`, which the renderers print
(``render_text`` in :mod:`symdiff.printing`, ``render_latex`` in :mod:`symdiff.latex`,
``render_json``, ``render_tree``, ``render_python`` and ``render_mathml`` in
:mod:`symdiff.formats`).  Nothing here prints: warnings go to ``warn`` as they arise and are
kept in ``Outcome.warnings``; so are the parser's notes (each a :class:`symdiff.SymdiffWarning`,
rendered): ``sinx`` read as a variable, ``y = ...`` read as its right-hand side.

>>> from symdiff.pipeline import Request, compute
>>> from symdiff.printing import render_text
>>> outcome = compute(Request("log(x)+x*y-sin(y)", wrt=("x", "y"), point={"x": 2, "y": 5}))
>>> outcome.names, outcome.values
(['x', 'y'], [5.5, 1.7163378145367738])
>>> print(render_text(outcome))
d/dx = y + 1/x = 11/2 = 5.5
d/dy = x - cos(y) = 2 - cos(5) ≈ 1.7163378145367738
>>> compute(Request("x^3", order=2, form="factored")).results
[6*x]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .calculus import exact_value, shown_exactly
from .cases import has_cases
from .diff import diff, gradient, singular_points
from .errors import DiffError, EvaluationError, UsageError
from .evaluate import evaluate, evaluate_all, precise_value
from .expr import Call, Expr, Sym, dag_larger_than, postorder
from .functions import is_unknown_call, unknown_functions
from .limits import checked
from .parser import parse
from .printing import cse, render_text
from .simplify import cancel, expand, factor

CSE_THRESHOLD = 5_000     # written-out nodes above which shared subexpressions are named
EXACT_WORK = 20_000       # distinct nodes of the results above which no exact value is sought
SHOWN_NAMES = 20          # variables a message lists before it says "..."

# Request.form: each normal form on request (auto is simplify's own choice, raw no simplification)
FORMS = {"expanded": expand, "factored": factor, "together": cancel}

Warn = Callable[[str, str], None]
"""Told each warning as it arises: ``warn(message, kind)``, kind "warning" or "note"."""


@dataclass(frozen=True)
class Request:
    """What to compute: the derivatives of ``formula`` of the given ``order`` with respect to
    each of ``wrt`` (None: the formula's only variable), simplified (``simplify``) into a
    ``form`` (auto, expanded, factored, together, or raw: not simplified), with their values
    at ``point`` if given.  ``functions`` declares unknown functions; ``cse`` names shared
    subexpressions (True), never does (False), or does when the result written out would be
    large (None)."""

    formula: str
    wrt: tuple[str, ...] | None = None
    order: int | str = 1                       # a name: the n-th derivative (symdiff.nth)
    simplify: bool = True
    form: str = "auto"
    point: Mapping[str, float | Expr] | None = None   # exact constants give exact values too
    functions: tuple[str, ...] = ()
    cse: bool | None = None
    imaginary: str = "i"                       # the reading of i: see symdiff.parse
    digits: int | None = None                  # the values at the point to this many digits

    def __post_init__(self) -> None:           # lists are welcome; kept as tuples
        if self.wrt is not None:
            object.__setattr__(self, "wrt", tuple(self.wrt))
        object.__setattr__(self, "functions", tuple(self.functions))


@dataclass(frozen=True)
class Outcome:
    """Everything one formula produced, for the renderers."""

    formula: str
    expr: Expr                       # the formula parsed
    names: list[str]                 # the variables, one derivative for each
    order: int | str                 # a name for a symbolic order
    results: list[Expr]
    values: list[float] | None       # the results' values at the point
    shared: tuple[list[tuple[Sym, Expr]], list[Expr]] | None  # (bindings, results using them)
    warnings: list[str] = field(default_factory=list)
    exact: list[Expr | None] | None = None   # the values exactly, where the point is exact and
                                             # the value small enough to print (symdiff.calculus)
    precise: list[str] | None = None         # the values to Request.digits digits (mpmath)


def renderer(format: str) -> Callable[..., str]:
    """The renderer of an output format: ``render_text`` (:mod:`symdiff.printing`),
    ``render_latex`` (:mod:`symdiff.latex`), or ``render_json``, ``render_tree``,
    ``render_python`` or ``render_mathml`` (:mod:`symdiff.formats`), each a function of an
    :class:`Outcome`.  A printer module is loaded when its format is first asked for."""
    if format == "text":
        return render_text
    if format == "latex":
        from .latex import render_latex
        return render_latex
    from . import formats
    return getattr(formats, f"render_{format}")


def compute(request: Request, warn: Warn | None = None) -> Outcome:
    """Parse, check the point, differentiate, and decide on shared subexpressions."""
    warnings: list[str] = []

    def tell(message: str, kind: str = "warning") -> None:
        warnings.append(message)
        if warn is not None:
            warn(message, kind)
    expr = parse(request.formula, functions=request.functions, imaginary=request.imaginary,
                 warn=lambda note: tell(note.render(), "note"))
    point = None if request.point is None else {name: evaluate(value) if isinstance(value, Expr) else value
                                                for name, value in request.point.items()}
    if point is not None and unknown_functions(expr):
        raise UsageError(f"--at evaluates the derivative, and {unknown_functions(expr)[0]} is an "
                         f"unknown function without a numeric value; drop --at (and --method)")
    if point is not None:
        missing = sorted(expr.free - point.keys())
        if missing:
            raise UsageError(f"--at gives no value for {', '.join(missing)}")
        try:
            evaluate(expr, point)             # the point must lie in the formula's own domain
        except EvaluationError as error:
            raise EvaluationError(f"the formula is undefined at the point: {error}") from None
    targets = applications(request.wrt, request.functions)
    names = choose_variables(expr, request.wrt, tell, targets)
    if targets and isinstance(request.order, str):
        raise UsageError(f"--order {request.order}: a symbolic order is taken with respect to a "
                         f"variable, not {next(iter(targets))}")
    if isinstance(request.order, str) and request.order in expr.free:
        raise DiffError(f"--order {request.order}: {request.order} is a variable of the formula; "
                         f"name the order with a letter the formula does not use")
    simplified = request.simplify and request.form != "raw"
    if request.order == 1 and len(names) > 1 and not targets:   # one reverse pass for the gradient
        results = gradient(expr, names, simplify=simplified)
    else:
        results = [diff(expr, targets.get(name, name), request.order, simplify=simplified)
                   for name in names]
    if isinstance(request.order, str):
        tell(f"the {request.order}-th derivative, for every whole {request.order} >= 1", "note")
    elif request.order >= 1 and has_cases(expr):
        for name in names:                 # kinks, jumps, the boundaries of piecewise parts
            if name not in targets:
                for singularity in derivative_fails(expr, name, request.order, simplified):
                    tell(str(singularity), "note")
    names = [str(targets[name]) if name in targets else name for name in names]
    if request.form in FORMS:
        results = [FORMS[request.form](r) for r in results]
    # one walk over all results: the components of a gradient share most of their nodes
    values = evaluate_all(results, point) if point is not None else None
    exact = exact_values(results, request.point, values) \
        if request.point is not None and values is not None else None
    if exact is not None and values is not None:     # cos(pi/3) = 1/2 is 0.5, not 0.5000000000000001
        values = [v if e is None else evaluate(e) for e, v in zip(exact, values)]
    precise = [precise_value(exact_value(r, request.point), request.digits) for r in results] \
        if request.digits is not None and request.point is not None else None
    shared = cse(results) if share(results, request.cse, tell) else None
    return Outcome(request.formula, expr, names, request.order, results, values,
                   shared, warnings, exact, precise)  # type: ignore[arg-type]  # cse of a list gives a list


def exact_values(results: list[Expr], point: Mapping[str, object], values: list) -> list[Expr | None] | None:
    """Each result's exact value at the point, where it is worth printing beside its float
    (:func:`symdiff.calculus.shown_exactly`); None for results too large to go through."""
    if dag_larger_than(results, EXACT_WORK):
        return None
    return [shown_exactly(exact_value(result, point), value) for result, value in zip(results, values)]


def applications(wrt: tuple[str, ...] | None, functions: tuple[str, ...]) -> dict[str, Call]:
    """The applications of unknown functions among ``wrt`` (``f(x)``), read as formulas
    with the declared ``functions``."""
    found = {}
    for item in wrt or ():
        if "(" in item or "[" in item:
            target = parse(item, functions=functions, warn=lambda note: None)
            if not is_unknown_call(target):
                raise UsageError(f"--wrt takes variables and applications of unknown functions, "
                                 f"such as f(x); {item} is neither")
            found[item] = target
    return found


def derivative_fails(expr: Expr, name: str, order: int, simplified: bool) -> list:
    """Where the ``order``-th derivative by ``name`` does not (or may not) exist: where the
    first does not, and where the one before the last has no derivative (x*|x| has a first
    derivative everywhere, but not a second at 0)."""
    found = singular_points(expr, name)
    if order > 1:
        before = diff(expr, name, order - 1, simplify=simplified)
        found += [s for s in singular_points(before, name) if all(s.where != f.where for f in found)]
    return found


def choose_variables(expr: Expr, wrt: tuple[str, ...] | None, warn: Warn,
                     targets: Mapping[str, Call] | None = None) -> list[str]:
    """The variables to differentiate by: ``wrt`` (warning of those not in the formula), or
    the formula's only variable (x for a constant); several without ``wrt`` is an error.
    ``targets`` are the applications of unknown functions among ``wrt``, parsed."""
    if wrt is not None:
        free = expr.free
        present = {node for node in postorder(expr) if node in targets.values()} if targets else set()
        for name in wrt:
            if name not in free and (targets is None or targets.get(name) not in present):
                warn(f"{name} does not occur in the formula; its derivative is 0", "warning")
        return list(wrt)
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


def share(results: list[Expr], policy: bool | None, warn: Warn) -> bool:
    """Name shared subexpressions when asked (``policy``), or, with no policy, when writing
    them out would be large (with a note to ``warn``)."""
    if policy is not None:
        return policy
    written, distinct = sizes(results)
    if written > CSE_THRESHOLD and written > 2 * distinct:
        warn(f"the result has {written:,} nodes written out; printing each shared "
             f"subexpression once (--no-cse prints it whole)", "note")
        return True
    return False


def sizes(results: list[Expr]) -> tuple[int, int]:
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


def steps(request: Request, warn: Warn | None = None) -> list[list]:
    """The derivation of the derivative of the request's order by each variable, step by
    step (:func:`symdiff.explain.explain`, :func:`symdiff.explain.explain_order` for a higher
    order); with ``simplify`` off or the raw form, the steps up to the raw first derivative."""
    from .explain import explain, explain_order
    order = request.order
    if not isinstance(order, int) or order < 1:
        raise UsageError(f"--steps explains derivatives of a whole order of 1 or more, not {order}")
    raw = not request.simplify or request.form == "raw"
    if raw and order > 1:
        raise UsageError("--steps of a higher order simplifies each derivative before the next: "
                         "drop --no-simplify (or --form raw)")
    tell = warn or (lambda message, kind: None)
    expr = parse(request.formula, functions=request.functions, imaginary=request.imaginary,
                 warn=lambda note: tell(note.render(), "note"))
    derivations = []
    if applications(request.wrt, request.functions):
        raise UsageError("--steps explains derivatives with respect to variables; drop --steps "
                         "to differentiate with respect to an application such as f(x)")
    for name in choose_variables(expr, request.wrt, tell):
        found = explain(expr, name) if order == 1 else explain_order(expr, name, order)
        if raw:
            # the steps up to the raw derivative (the last one, if nothing was simplified)
            simplified = any(s.kind == "simplify" for s in found)
            found = [s for s in found if s.kind in ("differentiate", "substitute")
                     or s.kind == "result" and not simplified]
        derivations.append(found)
    return derivations
