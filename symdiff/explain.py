"""Step-by-step derivations, produced by the engine that computes the answer.

Each differentiation step applies the very rule function :mod:`symdiff.diff`
uses (:func:`differentiate_node`), with the children's derivatives left as
placeholders ``d/dx(u)``; the steps are listed outermost first, as a teacher
writes them.  A sub-derivative needed twice is explained once and referred to.
The simplification steps are the simplifier's own trace (rules, and the form chosen),
and the last step is exactly the result ``diff`` prints; when nothing was simplified, that
last step is the one that puts the sub-derivatives together, shown once.

>>> from symdiff import parse
>>> for step in explain(parse("x*sin(x)"), "x"):
...     print(step.number, step.rule, "|", step.before, "=", step.after)
1 product rule | d/dx(x*sin(x)) = d/dx(x)*sin(x) + x*d/dx(sin(x))
2 variable rule | d/dx(x) = 1
3 sine rule: d/du sin(u) = cos(u) | d/dx(sin(x)) = cos(x)*d/dx(x)
4 substitute the sub-derivatives | d/dx(x*sin(x)) = x*cos(x) + sin(x)
"""

from __future__ import annotations

import json
from typing import NamedTuple

from .diff import derivative, preserves_structure, regime, rule_for, rule_name, settle, with_forms
from .expr import Derivative, Expr, Mul, Num, Piecewise, Pow, Sym, add, expression, mul, neg, power
from .limits import bounded
from .simplify import Step, simplify

MAX_STEPS = 200          # beyond this many sub-derivatives, the rest are summarised in one step



class DerivationStep(NamedTuple):
    """One line of a derivation: ``before = after`` by ``rule``."""

    number: int
    rule: str
    before: Expr
    after: Expr
    kind: str                  # "differentiate", "substitute", "simplify" or "result"
    refers_to: tuple[int, ...] = ()   # earlier steps this one uses without repeating them


def placeholder(u: Expr, wrt: str) -> Expr:
    """``d/dx(u)``: a derivative not yet worked out."""
    return Derivative(u, wrt)


def quotient_parts(e: Expr, wrt: str) -> tuple[Expr, Expr] | None:
    """``N/D`` with a denominator that depends on ``wrt``, as (N, D); else None."""
    if type(e) is not Mul:
        return None
    above, below = [], []
    for f in e.factors:
        if type(f) is Pow and type(f.exp) is Num and f.exp.value < 0:
            below.append(power(f.base, Num(-f.exp.value)))
        else:
            above.append(f)
    if not below or not any(wrt in b.free for b in below) or not any(wrt in a.free for a in above):
        return None
    return mul(*above), mul(*below)


def rule_step(node: Expr, wrt: str) -> tuple[str, Expr, list[Expr]]:
    """(rule name, the rule's result with sub-derivatives as placeholders, those subexpressions)."""
    if wrt not in node.free:
        return "constant rule", Num(0), []
    quotient = quotient_parts(node, wrt)
    if quotient is not None:
        # (N/D)' = (N' D - N D') / D^2, as a teacher writes it
        n, d = quotient
        after = mul(add(mul(placeholder(n, wrt), d), neg(mul(n, placeholder(d, wrt)))),
                    power(d, Num(-2)))
        return "quotient rule", after, [n, d]
    children = node.children
    partials = {c: (placeholder(c, wrt) if wrt in c.free else Num(0)) for c in children}
    rule = rule_for(node, partials)              # the rule diff applies, and its name
    if type(node) is Piecewise:                  # the branches; conditions are not differentiated
        children = tuple(value for value, _ in node.branches)
    return rule_name(rule, node, wrt), rule(node, partials, wrt), list(children)


@bounded
def explain(expr: Expr, wrt: str, *, max_steps: int = MAX_STEPS) -> list[DerivationStep]:
    """The derivation of d(expr)/d(wrt) as data; see the module docstring."""
    expr = expression(expr, "explain", "api.explain")
    steps: list[DerivationStep] = []
    explained: dict[Expr, int] = {}          # sub-derivative -> the step that worked it out
    todo = [expr]
    summarised = 0
    while todo:
        node = todo.pop()
        if node in explained or wrt not in node.free and node is not expr:
            continue
        if len(steps) >= max_steps:
            summarised += 1
            continue
        rule, after, parts = rule_step(node, wrt)
        uses = tuple(explained[c] for c in parts if c in explained)
        number = len(steps) + 1
        explained[node] = number
        steps.append(DerivationStep(number, rule, placeholder(node, wrt), after, "differentiate",
                                    uses))
        # outermost first: push the parts so the first one is explained next
        todo.extend(c for c in reversed(parts) if wrt in c.free and c not in explained)
    preserve = preserves_structure(expr)
    with regime(preserve):                       # the regime diff works in
        raw = derivative(expr, wrt)
    trace: list[Step] = []
    with regime(preserve):
        result = simplify(raw, trace=trace)
    if preserve:
        (result,) = with_forms(settle([result], trace=trace), trace=trace)
    put_together: tuple[str, tuple[int, ...]] | None
    if summarised:
        put_together = (f"{summarised} further sub-derivatives, worked out the same way "
                        f"(steps are limited to {max_steps})", ())
    elif len(steps) > 1:
        put_together = ("substitute the sub-derivatives", tuple(range(1, len(steps) + 1)))
    else:
        put_together = None
    if put_together is not None and trace:
        steps.append(DerivationStep(len(steps) + 1, put_together[0], placeholder(expr, wrt), raw,
                                    "substitute", put_together[1]))
    for fired in trace:
        steps.append(DerivationStep(len(steps) + 1, fired.rule.replace("_", " "), fired.before,
                                    fired.after, "simplify"))
    # Nothing to simplify: putting the sub-derivatives together is the result, shown once.
    rule, uses = put_together if put_together is not None and not trace else ("result", ())
    steps.append(DerivationStep(len(steps) + 1, rule, placeholder(expr, wrt), result, "result",
                                uses))
    return steps


def renumbered(steps: list[DerivationStep], offset: int) -> list[DerivationStep]:
    """The steps numbered on from ``offset``, their references with them."""
    return [step._replace(number=step.number + offset,
                          refers_to=tuple(r + offset for r in step.refers_to)) for step in steps]


def _as_parts(steps: list[DerivationStep]) -> list[DerivationStep]:
    """A derivation that is one part of a larger one: its result is put together, not final."""
    return [step._replace(kind="substitute") if step.kind == "result" else step for step in steps]


def explain_order(expr: Expr, wrt: str, order: int) -> list[DerivationStep]:
    """The derivation of the ``order``-th derivative: the first derivative's steps, then those
    of the derivative of each result in turn, numbered on.

    >>> from symdiff import parse
    >>> steps = explain_order(parse("x^3"), "x", 2)
    >>> [(s.number, str(s.after), s.kind) for s in steps if s.rule == "substitute the sub-derivatives"]
    [(3, '3*x^2', 'substitute'), (7, '6*x', 'result')]
    """
    steps: list[DerivationStep] = []
    current = expr
    for _ in range(order):
        found = explain(current, wrt)
        steps += _as_parts(renumbered(found, len(steps)))
        current = found[-1].after
    steps[-1] = steps[-1]._replace(kind="result")
    return steps


def explain_implicit(lhs: Expr, rhs: Expr, y: str, x: str, results: list[Expr]) -> list[DerivationStep]:
    """The derivation of dy/dx and the higher derivatives (``results``, the 1st to the n-th as
    implicit_diff gives them) from lhs = rhs: F = lhs - rhs and its partials F_x and F_y
    worked out step by step, then dy/dx = -F_x/F_y; each next derivative is the total
    derivative g_x + g_y*dy/dx of the one before, g, its partials worked out the same way.

    >>> from symdiff import parse
    >>> steps = explain_implicit(parse("x^2 + y^2"), parse("1"), "y", "x", [parse("-x/y")])
    >>> print(steps[-1].rule)
    implicit differentiation: dy/dx = -F_x/F_y
    """
    difference = add(lhs, neg(rhs))
    steps = [DerivationStep(1, "write the equation as F = 0, with F = lhs - rhs", Sym("F"), difference,
                            "substitute")]
    f_x, f_y = _partials(steps, difference, x, y)
    target: Expr = Derivative(Sym(y), x)
    _combined(steps, target, neg(mul(f_x.after, power(f_y.after, Num(-1)))), results[0],
              "implicit differentiation: dy/dx = -F_x/F_y", (f_x.number, f_y.number))
    slope = len(steps)
    for before, after in zip(results, results[1:]):
        g_x, g_y = _partials(steps, before, x, y)
        target = Derivative(target, x)
        _combined(steps, target, add(g_x.after, mul(g_y.after, results[0])), after,
                  "total derivative: d/dx g(x, y) = g_x + g_y*dy/dx", (g_x.number, g_y.number, slope))
    steps[-1] = steps[-1]._replace(kind="result")
    return steps


def _partials(steps: list[DerivationStep], g: Expr, x: str, y: str) -> tuple[DerivationStep, DerivationStep]:
    """g's partial derivatives by x and by y, their steps added to ``steps``; their last steps."""
    by_x = _as_parts(renumbered(explain(g, x), len(steps)))
    by_y = _as_parts(renumbered(explain(g, y), len(steps) + len(by_x)))
    steps += by_x + by_y
    return by_x[-1], by_y[-1]


def _combined(steps: list[DerivationStep], target: Expr, combination: Expr, result: Expr, rule: str,
              uses: tuple[int, ...]) -> None:
    """The step putting partials together by ``rule``, then the simplifier's form of it."""
    steps.append(DerivationStep(len(steps) + 1, rule, target, combination, "substitute", uses))
    if combination is not result:
        steps.append(DerivationStep(len(steps) + 1, "simplify", target, result, "substitute"))


# ---------------------------------------------------------------- formats

def steps_text(steps: list[DerivationStep]) -> str:
    """Indented text: differentiation, then simplification, then the result."""
    from .printing import to_text
    lines = []
    heading = None
    headings = {"differentiate": "Differentiate:", "substitute": "Put together:",
                "simplify": "Simplify:", "result": "Result:"}
    for step in steps:
        if headings[step.kind] != heading:
            heading = headings[step.kind]
            lines.append(heading)
        uses = f" (by step{'s' if len(step.refers_to) > 1 else ''} " \
               f"{', '.join(map(str, step.refers_to))})" if step.refers_to and step.kind == "differentiate" else ""
        lines.append(f"  {step.number:>3}. {to_text(step.before)} = {to_text(step.after)}")
        lines.append(f"       {step.rule}{uses}")
    return "\n".join(lines)


def steps_latex(steps: list[DerivationStep]) -> str:
    r"""An ``align*`` block, one step a line, with the rule as a ``\text`` tag."""
    from .latex import to_latex
    lines = []
    for step in steps:
        rule = latex_text(step.rule)
        lines.append(f"{to_latex(step.before)} &= {to_latex(step.after)} "
                     rf"&& \text{{({step.number}) {rule}}}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


_TEXT_SPECIALS = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
                  "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&",
                  "_": r"\_"}


def latex_text(text: str) -> str:
    r"""Plain text made safe inside ``\text{...}``.

    >>> latex_text("d/du u^n = n*u^(n - 1)")
    'd/du u\\textasciicircum{}n = n*u\\textasciicircum{}(n - 1)'
    """
    return "".join(_TEXT_SPECIALS.get(c, c) for c in text)


def steps_json(steps: list[DerivationStep]) -> str:
    """A list of steps: number, kind, rule, before and after as text and LaTeX."""
    from .latex import to_latex
    from .printing import to_text
    return json.dumps([{"number": s.number, "kind": s.kind, "rule": s.rule,
                        "before": to_text(s.before), "after": to_text(s.after),
                        "latex": f"{to_latex(s.before)} = {to_latex(s.after)}",
                        "refers_to": list(s.refers_to)} for s in steps],
                      ensure_ascii=False, indent=2)
