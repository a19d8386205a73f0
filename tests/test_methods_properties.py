"""The three methods agree on random expressions (Hypothesis).

1. Forward- and reverse-mode AD agree with the symbolic derivative to 1e-10, relative
   to the scale of the computation (the largest intermediate value).
2. Central differences agree to 1e-6 relative, where the point is well conditioned:
   two step sizes agree, the error estimate is small, and no argument of a
   non-smooth function (abs, sign, acot, cbrt) is near its kink at 0.
3. The complex step agrees to 1e-10 where the expression is analytic (no abs, sign).

Points where the expression or a derivative is undefined (an EvaluationError)
are rejected, so each property is checked on 200 expressions where it applies.
"""

import math

from hypothesis import HealthCheck, assume, given, settings

from strategies import expressions, points
from symdiff import EvaluationError, diff, evaluate
from symdiff.autodiff import Graph, jvp, vjp
from symdiff.expr import Call, Pow, postorder
from symdiff.numeric import partial

VARIABLES = ("x", "y")
KINKS = {"abs", "sign", "acot", "cbrt"}     # not differentiable (or not continuous) at 0
NOT_ANALYTIC = {"abs", "sign"}               # no complex continuation that the complex step can use

# Points away from the float underflow range, where y*y of a tiny y is 0 and every
# method computes something else.
points = points.filter(lambda v: v == 0 or abs(v) > 1e-8)

checked = settings(max_examples=200, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def defined(compute):
    """compute(), or reject the example where it raises EvaluationError."""
    try:
        result = compute()
    except EvaluationError:
        assume(False)
    assume(math.isfinite(result))
    return result


def scale(expr, point) -> float:
    """The largest |value| among the nodes of ``expr`` and the contributions of its
    backward pass: the size of the rounding errors of every method."""
    graph = Graph(expr)
    values = graph.forward(point)
    sizes = [1.0, *(abs(v) for v in values.values())]
    try:
        graph.backward(values, on_contribution=lambda child, parent, c: sizes.append(abs(c)))
    except EvaluationError:
        pass
    return max(sizes)


def symbolic(expr, name, point):
    derivative = diff(expr, name)
    return derivative, defined(lambda: evaluate(derivative, point))


def near_kink(expr, point, width=1e-3) -> bool:
    """An argument of abs, sign, acot or cbrt within ``width`` of 0."""
    values = Graph(expr).forward(point)
    return any(type(n) is Call and n.fn in KINKS and abs(values[n.args[0]]) < width
               for n in postorder(expr))


def near_branch_point(expr, point, width=1e-6) -> bool:
    """An argument of a function, or a power's base, within ``width`` of 0 or ±1,
    where the branch points of sqrt, log, acos, atanh, ... lie."""
    values = Graph(expr).forward(point)
    arguments = [a for n in postorder(expr) if type(n) is Call for a in n.args]
    arguments += [n.base for n in postorder(expr) if type(n) is Pow]
    return any(abs(abs(values[a]) - c) < width for a in arguments for c in (0.0, 1.0))


@checked
@given(expressions(), points, points)
def test_forward_and_reverse_ad_agree_with_the_symbolic_derivative(expr, x, y):
    point = {"x": x, "y": y}
    defined(lambda: evaluate(expr, point))
    for name in VARIABLES:
        derivative, exact = symbolic(expr, name, point)
        forward = defined(lambda: jvp(expr, point, {name: 1.0})[1])
        reverse = defined(lambda: vjp(expr, point, [name])[1][name])
        size = max(scale(expr, point), scale(derivative, point))
        for method, value in (("forward", forward), ("reverse", reverse)):
            assert math.isclose(value, exact, rel_tol=1e-10, abs_tol=1e-10 * size), \
                f"{method}-mode AD of {expr} at {point}, d/d{name}: {value!r} != {exact!r}"


@checked
@given(expressions(), points, points)
def test_reverse_mode_gives_the_whole_gradient_in_one_pass(expr, x, y):
    point = {"x": x, "y": y}
    defined(lambda: evaluate(expr, point))
    both = defined(lambda: sum(vjp(expr, point)[1].values()))
    one_by_one = defined(lambda: sum(vjp(expr, point, [n])[1][n] for n in sorted(expr.free)))
    assert both == one_by_one


@checked
@given(expressions(), points, points)
def test_central_differences_agree_where_well_conditioned(expr, x, y):
    point = {"x": x, "y": y}
    defined(lambda: evaluate(expr, point))
    assume(not near_kink(expr, point))
    for name in sorted(expr.free):
        _, exact = symbolic(expr, name, point)
        bound = 1e-6 * max(1.0, abs(exact))
        try:
            estimate = partial(expr, name, point, "central")
            halved = partial(expr, name, point, "central", h=estimate.step / 2)
            one_sided = partial(expr, name, point, "forward")
        except EvaluationError:
            continue                       # a step leaves the domain: too close to its edge
        if estimate.error > bound / 10 or abs(estimate.value - halved.value) > bound / 10:
            continue                       # ill-conditioned: the steps disagree
        if abs(one_sided.value - estimate.value) > 1e-4 * max(1.0, abs(estimate.value)):
            continue                       # a symmetric step straddles a pole (cot at 1e-19)
        assert abs(estimate.value - exact) <= bound, \
            f"central difference of {expr} at {point}, d/d{name}: {estimate} vs {exact!r}"


@checked
@given(expressions(), points, points)
def test_complex_step_agrees_where_analytic(expr, x, y):
    assume(not any(type(n) is Call and n.fn in NOT_ANALYTIC for n in postorder(expr)))
    point = {"x": x, "y": y}
    defined(lambda: evaluate(expr, point))
    # The step h = 1e-20 (and the rounding of the imaginary part) must be small beside
    # the distance to a branch point: sqrt(x) at x = 1e-120, acos(x/x) with x/x = 1 + 1e-16.
    assume(not near_branch_point(expr, point))
    for name in sorted(expr.free):
        derivative, exact = symbolic(expr, name, point)
        size = max(scale(expr, point), scale(derivative, point))
        step = partial(expr, name, point, "complex").value
        assert math.isclose(step, exact, rel_tol=1e-10, abs_tol=1e-10 * size), \
            f"complex step of {expr} at {point}, d/d{name}: {step!r} != {exact!r}"
