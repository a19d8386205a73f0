"""Every way symdiff computes a derivative's value, checked against mpmath (Hypothesis).

The oracle is the derivative by differences at 50 digits (``slope`` in
tests/strategies.py), at points where it shows the function is smooth; a second oracle,
SymPy, checks gradients and Hessians symbolically.  Float results are allowed what
rounding explains: a multiple of ``float_noise``, the spread of the expression and of its
derivative evaluated with every operation perturbed by about an ulp.

1. The symbolic derivative (``diff`` then ``evaluate``), forward mode (``jvp``) and reverse
   mode (``vjp``, the whole gradient in one pass) agree with the oracle.
2. Central differences (``numeric.partial``) are within their own error estimate of it,
   where the estimate says they are accurate and no kink lies within the steps.
3. The complex step agrees with it where the expression is analytic (no abs, no sign).
4. ``gradient`` and ``hessian`` agree with SymPy's.

Each property counts the examples that reached their assert (``counted``).
"""

import math

import sympy
from hypothesis import given
from mpmath import mp, mpf

from strategies import (DIGITS, SYMPY_SYMBOLS, Ambiguous, Undefined, candidate_points, counted,
                        example, expression_slope, expressions, expressions_and_variable,
                        float_noise, magnitude, mp_value, mp_values, nodes, property_settings,
                        sympy_function, to_sympy, verdict)
from symdiff import EvaluationError, derivative, diff, evaluate, gradient, hessian, to_text
from symdiff.autodiff import jvp, vjp
from symdiff.expr import Call
from symdiff.numeric import partial

KINKS = {"abs", "sign", "acot", "cbrt"}     # not differentiable (or not continuous) at 0
NOT_ANALYTIC = {"abs", "sign"}               # no complex continuation the complex step can use
HUGE = mpf("1e300")
ROUNDING = 256                               # allowed multiple of the float noise


def float_friendly(point, values) -> bool:
    """No input in the float underflow range (y*y of a tiny y is 0 in floats) and no value
    beyond the float range: floats cannot follow the 50-digit oracle there."""
    return (all(v == 0 or abs(v) > 1e-8 for v in point.values())
            and magnitude(values) < HUGE)


def oracle(expr, point, wrt, extra=()):
    """The derivative at 50 digits and the float noise of ``expr`` and ``extra``; raises
    Ambiguous where the function is not smooth or rounding could leave the domain."""
    exact = expression_slope(expr, point, wrt)
    noise = float_noise([expr, *extra], point)
    if noise == math.inf:
        raise Ambiguous("rounding can leave the domain here")
    return exact, noise


def close(got, exact, noise) -> bool:
    with mp.workdps(DIGITS):
        return abs(mpf(got) - exact) <= mpf("1e-11") * max(1, abs(exact)) + ROUNDING * noise


# ---------------------------------------------------------------- 1. symbolic, forward, reverse

@counted(at_least=0.8)
@property_settings(150)
@given(expressions_and_variable(), candidate_points)
def test_symbolic_forward_and_reverse_agree_with_mpmath(pair, candidates):
    example()
    expr, wrt = pair
    raw, simplified = derivative(expr, wrt), diff(expr, wrt)
    for point in candidates:
        try:
            values = mp_values(expr, point)
            if not float_friendly(point, values):
                continue
            exact, noise = oracle(expr, point, wrt, [raw, simplified])
        except (Ambiguous, Undefined):
            continue
        try:
            got = {"symbolic": evaluate(simplified, point),
                   "forward": jvp(expr, point, {wrt: 1.0})[1],
                   "reverse": vjp(expr, point, [wrt])[1][wrt]}
        except EvaluationError as error:
            raise AssertionError(f"d/d{wrt} {to_text(expr)} at {point}: {error}, but its "
                                 f"value is {mp.nstr(exact, 17)}") from None
        for method, value in got.items():
            assert close(value, exact, noise), (
                f"{method}: d/d{wrt} {to_text(expr)} at {point} is {value!r}, "
                f"not {mp.nstr(exact, 17)} (noise {mp.nstr(noise, 3)})")
        verdict()
        return


@counted(at_least=0.8)
@property_settings(100)
@given(expressions(None), candidate_points)
def test_reverse_mode_gives_the_whole_gradient_in_one_pass(expr, candidates):
    example()
    names = sorted(expr.free)
    for point in candidates:
        try:
            values = mp_values(expr, point)
            if not float_friendly(point, values):
                continue
            exact = {n: oracle(expr, point, n, [derivative(expr, n)]) for n in names}
        except (Ambiguous, Undefined):
            continue
        value, grad = vjp(expr, point)
        assert sorted(grad) == names
        assert close(value, values[expr], float_noise([expr], point))
        for name in names:
            assert close(grad[name], *exact[name]), (
                f"reverse mode: d/d{name} {to_text(expr)} at {point} is {grad[name]!r}, "
                f"not {mp.nstr(exact[name][0], 17)}")
        verdict()
        return


# ---------------------------------------------------------------- 2. central differences

def kink_within(expr, point, wrt, reach) -> bool:
    """An argument of abs, sign, acot or cbrt that is 0 within ``reach`` of the point
    (compared at both ends and at the point itself, at 50 digits)."""
    arguments = [n.args[0] for n in nodes(expr) if type(n) is Call and n.fn in KINKS]
    if not arguments:
        return False
    ends = [mp_values(expr, {**point, wrt: point[wrt] + t}) for t in (-reach, 0.0, reach)]
    return any(min(e[a] for e in ends) <= 0 <= max(e[a] for e in ends) for a in arguments)


@counted(at_least=0.75)
@property_settings(150)
@given(expressions_and_variable(), candidate_points)
def test_central_differences_are_within_their_error_estimate(pair, candidates):
    example()
    expr, wrt = pair
    for point in candidates:
        try:
            values = mp_values(expr, point)
            if not float_friendly(point, values):
                continue
            exact, noise = oracle(expr, point, wrt)
            estimate = partial(expr, wrt, point, "central")
            if kink_within(expr, point, wrt, 2.5 * estimate.step):
                continue
        except (Ambiguous, Undefined, EvaluationError):
            continue            # not smooth, or a step leaves the domain: the next point
        if estimate.error > 1e-4 * max(1.0, abs(estimate.value)):
            continue            # the estimate itself says it is not accurate here
        with mp.workdps(DIGITS):
            bound = (10 * estimate.error + 10 * noise / estimate.step
                     + mpf("1e-9") * max(1, abs(exact)))
            assert abs(estimate.value - exact) <= bound, (
                f"central difference of {to_text(expr)} at {point}, d/d{wrt}: {estimate}, "
                f"but the derivative is {mp.nstr(exact, 17)}")
        verdict()
        return


# ---------------------------------------------------------------- 3. complex step

@counted(at_least=0.75)
@property_settings(150)
@given(expressions_and_variable(), candidate_points)
def test_complex_step_agrees_where_analytic(pair, candidates):
    example()
    expr, wrt = pair
    if any(type(n) is Call and n.fn in NOT_ANALYTIC for n in nodes(expr)):
        return                                          # counted: no verdict
    raw = derivative(expr, wrt)
    for point in candidates:
        try:
            values = mp_values(expr, point)
            if not float_friendly(point, values):
                continue
            exact, noise = oracle(expr, point, wrt, [raw])
        except (Ambiguous, Undefined):
            continue
        step = partial(expr, wrt, point, "complex").value
        assert close(step, exact, noise), (
            f"complex step of {to_text(expr)} at {point}, d/d{wrt}: {step!r}, "
            f"not {mp.nstr(exact, 17)}")
        verdict()
        return


# ---------------------------------------------------------------- 4. gradient and Hessian

@counted(at_least=0.8)
@property_settings(40)
@given(expressions("x", max_leaves=6), candidate_points)
def test_gradient_and_hessian_agree_with_sympy(expr, candidates):
    example()
    names = ["x", "y"]
    grad = gradient(expr, names)
    hess = hessian(expr, names)
    tree = to_sympy(expr)
    variables = [SYMPY_SYMBOLS[n] for n in names]
    first = [sympy.diff(tree, v) for v in variables]
    oracle_grad = [sympy_function(f) for f in first]
    oracle_hess = [[sympy_function(sympy.diff(f, v)) for v in variables] for f in first]
    for point in candidates:
        try:
            values = mp_values(expr, point)
            for n in names:                             # smooth in each variable
                expression_slope(expr, point, n)
            want = [g(point) for g in oracle_grad] + [h(point) for row in oracle_hess for h in row]
        except (Ambiguous, Undefined, ZeroDivisionError):
            continue
        results = list(grad) + [h for row in hess for h in row]
        try:
            got = [mp_value(r, point) for r in results]
        except Ambiguous:
            continue
        except Undefined as error:
            raise AssertionError(f"gradient/hessian of {to_text(expr)} undefined at {point}: "
                                 f"{error}") from None
        with mp.workdps(DIGITS):
            scale = max(magnitude(values), *(magnitude(mp_values(r, point)) for r in results))
            for result, value, wanted in zip(results, got, want):
                assert abs(value - wanted) <= mpf("1e-10") * max(1, abs(wanted), scale), (
                    f"{to_text(result)} from {to_text(expr)} is {mp.nstr(value, 17)} at "
                    f"{point}; SymPy says {mp.nstr(wanted, 17)}")
        assert to_text(hess[0][1]) == to_text(hess[1][0])      # one form for both mixed entries
        verdict()
        return
