"""The command line's calculus around the derivative: implicit derivatives, mixed partials,
Jacobians and Hessians, Taylor series, tangents and critical points, each computed by
:mod:`symdiff.calculus` and printed as labelled answers in text, LaTeX or JSON.

A :class:`Calculation` says what to compute; :func:`calculate` reads the formula and gives
the :class:`Answer` list that :func:`render_answers` prints.

>>> answers = calculate(Calculation("x^2 + y^2 = 1", "implicit", implicit="y", wrt=("x",)))
>>> print(render_answers(answers, "text"))
dy/dx = -x/y
>>> print(render_answers(calculate(Calculation("x^3", "series", point={"x": 1}, order=2)), "text"))
x^3 = 1 + 3*(x - 1) + 3*(x - 1)^2 + O((x - 1)^3)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import calculus
from .calculus import CriticalPoint, Series, exact_value
from .diff import diff, hessian, jacobian
from .errors import UsageError
from .evaluate import evaluate
from .expr import Expr, add, as_expr, neg
from .latex import matrix_latex, to_latex
from .matrix import Matrix
from .parser import parse, parse_equation, parse_list
from .printing import to_text

OPERATIONS = ("implicit", "mixed", "jacobian", "hessian", "series", "tangent", "critical")

Value = Expr | Matrix | Series | list[CriticalPoint]


@dataclass(frozen=True)
class Calculation:
    """What to compute: ``operation`` (one of :data:`OPERATIONS`) on ``formula``, with
    respect to ``wrt`` (variables; for ``mixed`` in the order of differentiation), of
    ``order``, at ``point`` (the series' centre, the tangent's point, or where to evaluate)."""

    formula: str
    operation: str
    wrt: tuple[str, ...] | None = None
    order: int = 1
    point: Mapping[str, object] | None = None
    implicit: str = ""                      # the dependent variable of an implicit equation
    functions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """One labelled result: its label in text and in LaTeX, and its value."""

    label: str
    latex_label: str
    value: Value
    notes: list[str] = field(default_factory=list)
    variable: str = "x"                     # the variable of critical points


def calculate(calculation: Calculation) -> list[Answer]:
    """The answers of one calculation (see the module docstring)."""
    operation = {"implicit": _implicit, "mixed": _mixed, "jacobian": _jacobian, "hessian": _hessian,
                 "series": _series, "tangent": _tangent, "critical": _critical}[calculation.operation]
    return operation(calculation)


def _read(calculation: Calculation) -> Expr:
    return parse(calculation.formula, functions=calculation.functions)


def _variables(expr_or_exprs: Expr | list[Expr], wrt: tuple[str, ...] | None) -> list[str]:
    exprs = expr_or_exprs if isinstance(expr_or_exprs, list) else [expr_or_exprs]
    return list(wrt) if wrt else sorted(set().union(*(e.free for e in exprs))) or ["x"]


def _at(value: Value, calculation: Calculation) -> Value:
    """The value at the calculation's point, exactly, if a point is given."""
    point = calculation.point
    if point is None:
        return value
    if isinstance(value, Matrix):
        return Matrix([[exact_value(e, point) for e in row] for row in value])
    assert isinstance(value, Expr)
    return exact_value(value, point)


def _point_text(point: Mapping[str, object]) -> str:
    return ", ".join(f"{name} = {to_text(as_expr(v))}" for name, v in point.items())


def _point_latex(point: Mapping[str, object]) -> str:
    return ", ".join(f"{name} = {to_latex(as_expr(v))}" for name, v in point.items())


def _implicit(calculation: Calculation) -> list[Answer]:
    equation, y, x = _implicit_parts(calculation)
    n = calculation.order
    label = f"d{y}/d{x}" if n == 1 else f"d^{n}{y}/d{x}^{n}"
    latex = rf"\frac{{d{y}}}{{d{x}}}" if n == 1 else rf"\frac{{d^{{{n}}}{y}}}{{d{x}^{{{n}}}}}"
    notes = []
    if calculation.point is not None:
        off = exact_value(add(equation.lhs, neg(equation.rhs)), calculation.point)
        if not off.free and abs(evaluate(off)) > 1e-9:
            notes.append(f"the point is not on the curve: lhs - rhs = {to_text(off)} there")
    return [Answer(label, latex, _at(calculus.implicit_diff(equation, y, x, n), calculation), notes)]


def implicit_steps(calculation: Calculation) -> list:
    """The derivation of dy/dx (and the higher derivatives up to the order) from the equation,
    step by step (:mod:`symdiff.explain`)."""
    from .explain import explain_implicit
    equation, y, x = _implicit_parts(calculation)
    results = [calculus.implicit_diff(equation, y, x, k) for k in range(1, calculation.order + 1)]
    return explain_implicit(equation.lhs, equation.rhs, y, x, results)


def _implicit_parts(calculation: Calculation):
    """The equation, the variable it defines, and the one that variable is a function of."""
    equation = parse_equation(calculation.formula, functions=calculation.functions)
    y = calculation.implicit
    free = sorted((equation.lhs.free | equation.rhs.free) - {y})
    if calculation.wrt:
        if len(calculation.wrt) != 1:
            raise UsageError("--implicit differentiates with respect to one variable: give one "
                             "with --wrt")
        x = calculation.wrt[0]
    elif len(free) == 1:
        x = free[0]
    else:
        raise UsageError(f"--implicit {y}: say which variable {y} is a function of, with "
                         f"--wrt (one of {', '.join(free) or 'x'})")
    return equation, y, x


def _mixed(calculation: Calculation) -> list[Answer]:
    f = _read(calculation)
    names = list(calculation.wrt or ())
    result = f
    for name in names:
        result = diff(result, name)
    n = len(names)
    label = f"d^{n}/{''.join('d' + v for v in reversed(names))}"
    latex = rf"\frac{{\partial^{{{n}}} f}}{{{r' '.join(chr(92) + 'partial ' + v for v in reversed(names))}}}"
    return [Answer(label, latex, _at(result, calculation))]


def _jacobian(calculation: Calculation) -> list[Answer]:
    exprs = parse_list(calculation.formula, functions=calculation.functions)
    names = _variables(exprs, calculation.wrt)
    value = Matrix(jacobian(exprs, names))
    return [Answer(f"Jacobian by ({', '.join(names)})", r"J", _at(value, calculation))]


def _hessian(calculation: Calculation) -> list[Answer]:
    f = _read(calculation)
    names = _variables(f, calculation.wrt)
    value = Matrix(hessian(f, names))
    return [Answer(f"Hessian by ({', '.join(names)})", r"H", _at(value, calculation))]


def _series(calculation: Calculation) -> list[Answer]:
    f = _read(calculation)
    point = calculation.point or {}
    if len(point) != 1:
        raise UsageError("--series takes one variable and its centre, as in --series x=0")
    (x, a), = point.items()
    others = sorted(f.free - {x})
    notes = [f"the other variables ({', '.join(others)}) are held constant"] if others else []
    value = calculus.series(f, x, as_expr(a), calculation.order)
    return [Answer(to_text(f), to_latex(f), value, notes)]


def _tangent(calculation: Calculation) -> list[Answer]:
    f = _read(calculation)
    point = calculation.point or {}
    names = sorted(point)
    value = calculus.tangent(f, point)
    left = "y" if len(names) == 1 and names != ["y"] else "z" if len(names) == 2 and "z" not in names else "f"
    kind = "line" if len(names) == 1 else "plane"
    return [Answer(f"tangent {kind} at {_point_text(point)}: {left}",
                   rf"\text{{tangent {kind} at }} {_point_latex(point)}\text{{:}}\quad {left}", value)]


def _critical(calculation: Calculation) -> list[Answer]:
    f = _read(calculation)
    names = _variables(f, calculation.wrt)
    if len(names) != 1:
        raise UsageError(f"--critical finds the critical points of a function of one variable; "
                         f"the formula has {', '.join(names)}: choose one with --wrt")
    found = calculus.critical_points(f, names[0])
    return [Answer(f"critical points of {to_text(f)}", to_latex(f), found,
                   [] if found else [f"{to_text(diff(f, names[0]))} = 0 has no real solution"], names[0])]


# ---------------------------------------------------------------- printing

def render_answers(answers: list[Answer], format: str, **options) -> str:
    """The answers as ``text``, ``latex`` or ``json``; ``options`` are LaTeX's ``ln`` and
    ``exp_power`` (see :func:`symdiff.to_latex`)."""
    options = {name: options[name] for name in ("ln", "exp_power") if name in options}
    if format == "json":
        return json.dumps({"schema": 1, "answers": [_json(a) for a in answers]}, ensure_ascii=False, indent=2)
    return "\n".join(_latex(a, **options) if format == "latex" else _text(a) for a in answers)


def _text(answer: Answer) -> str:
    value = answer.value
    if isinstance(value, Matrix):
        return f"{answer.label}:\n{value}"
    if isinstance(value, list):
        rows = [f"{answer.variable} = {to_text(p.where)}: {p.kind}, value {to_text(p.value)}" for p in value]
        return "\n".join([f"{answer.label}:"] + ["  " + row for row in rows + answer.notes])
    return f"{answer.label} = {value}"


def _latex(answer: Answer, **options) -> str:
    value = answer.value
    if isinstance(value, Matrix):
        shown = matrix_latex(value, **options)
    elif isinstance(value, Series):
        shown = value.latex(**options)
    elif isinstance(value, list):
        rows = [rf"{answer.variable} = {to_latex(p.where, **options)}\ \text{{({p.kind})}}, \quad "
                rf"f = {to_latex(p.value, **options)}" for p in value]
        return r" \\ ".join(rows) or r"\text{no real critical points}"
    else:
        shown = to_latex(value, **options)
    return f"{answer.latex_label} = {shown}"


def _json(answer: Answer) -> dict:
    value = answer.value
    item: dict = {"label": answer.label}
    if isinstance(value, Matrix):
        item["matrix"] = [[{"text": to_text(e), "latex": to_latex(e)} for e in row] for row in value]
        item["latex"] = matrix_latex(value)
    elif isinstance(value, Series):
        item.update(text=str(value), latex=value.latex(), polynomial=to_text(value.polynomial),
                    remainder=f"O({to_text(value.remainder)})")
    elif isinstance(value, list):
        item["variable"] = answer.variable
        item["points"] = [{"where": to_text(p.where), "value": to_text(p.value), "kind": p.kind}
                          for p in value]
    else:
        item.update(text=to_text(value), latex=to_latex(value))
    if answer.notes:
        item["notes"] = answer.notes
    return item
