"""Other ways to the same derivative, about a computed result (:class:`symdiff.pipeline.Outcome`):
its values by automatic differentiation or by finite differences (``--method``), and a check
of the symbolic result against numerical derivatives at random points (``--check``).

>>> from symdiff.pipeline import Request, compute
>>> outcome = compute(Request("x^3", point={"x": 2}))
>>> method_values(outcome, {"x": 2.0}, "forward")
[12.0]
>>> check_derivatives(outcome)[1]
True
"""

from __future__ import annotations

from .diff import diff
from .errors import SymdiffError, UsageError
from .evaluate import evaluate_all
from .printing import Derivatives, derivative_label, number

# --method: the label of each way to compute a derivative's value
METHOD_NAMES = {
    "symbolic": "symbolic", "forward": "forward-mode AD", "reverse": "reverse-mode AD",
    "central": "central difference", "forward-difference": "forward difference",
    "backward-difference": "backward difference", "richardson": "Richardson extrapolation",
    "complex-step": "complex step",
}


def method_values(outcome: Derivatives, point: dict[str, float], method: str) -> list[float]:
    """d/dv at the point for each variable v, by one method."""
    from .autodiff import jvp, vjp
    from .numeric import partial as numerical_partial
    expr, names = outcome.expr, outcome.names
    if method == "symbolic":
        return _exact(outcome)
    if method == "forward":
        return [jvp(expr, point, {name: 1.0})[1] for name in names]
    if method == "reverse":
        gradient = vjp(expr, point, names)[1]
        return [gradient[name] for name in names]
    numeric = {"central": "central", "forward-difference": "forward",
               "backward-difference": "backward", "richardson": "richardson",
               "complex-step": "complex"}[method]
    return [numerical_partial(expr, name, point, numeric).value for name in names]


def _exact(outcome: Derivatives) -> list[float]:
    """The symbolic values at the point, which the other methods are compared with."""
    if outcome.values is None:
        raise UsageError("the methods are compared at a point: compute the outcome with one")
    return list(outcome.values)


def compare_methods(outcome: Derivatives, point: dict[str, float], method: str) -> str:
    """One method's values, or (``all``) a table of every method against the symbolic value."""
    if method != "all":
        values = method_values(outcome, point, method)
        if len(values) == 1:
            return number(values[0])
        return "\n".join(f"{derivative_label(n, 1)} = {number(v)}" for n, v in zip(outcome.names, values))
    header = ["method"]
    for name in outcome.names:
        header += [derivative_label(name, 1), "error"]
    rows = [header]
    exact = _exact(outcome)
    for key, label in METHOD_NAMES.items():
        try:
            values = method_values(outcome, point, key)
            row = [label]
            for v, e in zip(values, exact):
                row += [number(v), f"{abs(v - e):.1e}" if key != "symbolic" else "0"]
        except (SymdiffError, ArithmeticError, ValueError) as error:
            row = [label] + [f"({error})", ""] * len(exact)
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def check_derivatives(outcome: Derivatives, points: int = 20, seed: int = 0) -> tuple[str, bool]:
    """Compare the symbolic derivative with central differences and the complex step of the
    (order - 1)th derivative at random points where both are defined."""
    import random
    from .numeric import partial as numerical_partial
    rng = random.Random(seed)
    names = sorted(outcome.expr.free) or ["x"]
    worst = {"central difference": 0.0, "complex step": 0.0}
    checked, stepped, tries, failures = 0, 0, 0, []
    why_not_stepped = ""
    order = int(outcome.order)                 # a symbolic order is refused before (cli.py)
    lower = [diff(outcome.expr, n, order - 1) for n in outcome.names]
    while checked < points and tries < 50 * points:
        tries += 1
        point = {n: rng.uniform(-3, 3) for n in names}
        try:
            exact = evaluate_all(outcome.results, point)
            central = [numerical_partial(f, n, point, "central") for f, n in zip(lower, outcome.names)]
        except (SymdiffError, ArithmeticError, ValueError):
            continue                      # outside the domain: try another point
        step: list[float | None]
        try:
            step = [numerical_partial(f, n, point, "complex").value for f, n in zip(lower, outcome.names)]
        except (SymdiffError, ArithmeticError, ValueError, ZeroDivisionError) as error:
            step = [None] * len(exact)
            why_not_stepped = why_not_stepped or str(error).split("\n")[0]
        checked += 1
        stepped += step[0] is not None
        for e, c, z in zip(exact, central, step):
            scale = max(1.0, abs(e))
            relative = abs(e - c.value) / scale
            worst["central difference"] = max(worst["central difference"], relative)
            if relative > 1e-5 + 10 * c.error / scale:
                failures.append((point, e, c.value, "central difference"))
            if z is not None:
                relative = abs(e - z) / scale
                worst["complex step"] = max(worst["complex step"], relative)
                if relative > 1e-8:
                    failures.append((point, e, z, "complex step"))
    if checked == 0:                      # nothing to compare: the input's limit, not a bug
        raise UsageError("--check found no point in [-3, 3] where the formula and its derivative "
                         "are defined; compare the methods at a point of the domain with --at "
                         "and --method all")
    if stepped:
        against_step = (f"{worst['complex step']:.1e} against the complex step"
                        + (f" (at {stepped} of them)" if stepped < checked else ""))
    else:                                 # never ran: say so rather than report an error of 0
        against_step = f"no complex step ({why_not_stepped or 'it does not apply here'})"
    report = (f"check: {checked} random points; largest relative error "
              f"{worst['central difference']:.1e} against central differences, {against_step}")
    if failures:
        point, e, other, how = failures[0]
        where = ", ".join(f"{k}={v:.6g}" for k, v in point.items())
        return report + f"\ncheck: MISMATCH at {where}: symbolic {e!r}, {how} {other!r}", False
    return report + ": ok", True
