"""Numeric values of expressions, over the reals.

Conventions, shared by every numeric path: ``0^0 = 1``; ``0^-n`` (a division by
zero), ``log`` of a non-positive number, a negative number to a non-integer
power, an argument outside a function's domain and a result beyond the float
range are each an :class:`EvaluationError` naming the operation and the value.
NaN given as input propagates.

>>> evaluate("log(x) + x*y - sin(y)", x=2, y=5)  # doctest: +ELLIPSIS
11.652...
>>> evaluate("1/x", x=0)
Traceback (most recent call last):
    ...
symdiff.errors.EvaluationError: division by zero: 0^-1
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Mapping, Sequence

from .errors import EvaluationError
from .expr import HALF, Add, Call, Const, Expr, Mul, Num, Pow, Sym, postorder
from .functions import lookup
from .parser import parse


def real_power(base: float, exponent: float) -> float:
    """base^exponent over the reals, with the conventions above."""
    if base == 0 and exponent < 0:
        raise EvaluationError(f"division by zero: 0^{_show(exponent)}")
    if base < 0 and not float(exponent).is_integer():
        raise EvaluationError(f"({_show(base)})^{_show(exponent)} is not a real number "
                              f"(a negative base needs an integer exponent; cbrt(x) is the real cube root)")
    try:
        result = base ** exponent
    except OverflowError:
        raise EvaluationError(f"{_show(base)}^{_show(exponent)} overflows the float range") from None
    if math.isinf(result) and math.isfinite(base) and math.isfinite(exponent):
        raise EvaluationError(f"{_show(base)}^{_show(exponent)} overflows the float range")
    return result


def real_root(base: float, exponent: float) -> float:
    """base^(1/2) or base^(-1/2), the nodes printed ``sqrt(u)`` and ``1/sqrt(u)``: by
    ``math.sqrt``, with errors that speak of sqrt.

    >>> real_root(2.25, 0.5), real_root(4.0, -0.5)
    (1.5, 0.5)
    >>> real_root(-1.0, 0.5)
    Traceback (most recent call last):
        ...
    symdiff.errors.EvaluationError: sqrt(-1) is undefined: sqrt needs a non-negative argument
    """
    if base < 0:
        raise EvaluationError(f"sqrt({_show(base)}) is undefined: sqrt needs a non-negative argument")
    if exponent > 0:
        return math.sqrt(base)
    if base == 0:
        raise EvaluationError("division by zero: 1/sqrt(0)")
    return 1.0 / math.sqrt(base)


# The exponents of a square root and of its reciprocal: exact, so a decimal x^0.5 is not one.
ROOT_EXPONENTS = (HALF, Num(Fraction(-1, 2)))


def power_function(exponent: Expr) -> Callable[[float, float], float]:
    """How every numeric path raises to the power ``exponent`` (a node): :func:`real_root`
    for ``sqrt(u)`` and ``1/sqrt(u)``, :func:`real_power` otherwise."""
    return real_root if exponent in ROOT_EXPONENTS else real_power


def _show(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(x)


def _numeric(fn: str, arity: int) -> Callable[..., float]:
    function = lookup(fn, arity)
    if function is None:
        raise EvaluationError(f"{fn} is a declared function without a numeric value")
    return function.numeric


def _as_float(value) -> float:
    try:
        return float(value)
    except OverflowError:
        raise EvaluationError(f"the number {str(value)[:20]}... is beyond the float range") from None


def evaluate(expr, values: Mapping[str, float] | None = None, /, **kwargs: float) -> float:
    """The value of ``expr`` at the given point, as a float.

    >>> evaluate("x^2 + y", {"x": 3}, y=1)
    10.0
    """
    expr = parse(expr)
    point = {**(values or {}), **kwargs}
    value: dict[Expr, float] = {}
    for node in postorder(expr):
        match node:
            case Num(v):
                result = _as_float(v)
            case Const(name):
                result = Const.VALUES[name]
            case Sym(name):
                if name not in point:
                    raise EvaluationError(f"no value given for {name}")
                result = float(point[name])
            case Add(terms):
                result = sum(value[t] for t in terms)
                if math.isinf(result) and all(math.isfinite(value[t]) for t in terms):
                    raise EvaluationError("a sum overflows the float range")
            case Mul(factors):
                result = 1.0
                for f in factors:
                    result *= value[f]
                if math.isinf(result) and all(math.isfinite(value[f]) for f in factors):
                    raise EvaluationError("a product overflows the float range")
            case Pow(base, exp):
                result = power_function(exp)(value[base], value[exp])
            case Call(fn, args):
                result = _numeric(fn, len(args))(*(value[a] for a in args))
        value[node] = result
    return value[expr]


def _overflowed(*operands: float) -> None:
    if all(math.isfinite(v) for v in operands):
        raise EvaluationError("an intermediate result overflows the float range")


def compile_function(expr, variables: Sequence[str] | None = None) -> Callable[..., float]:
    """A fast Python function of ``variables`` (default: sorted free variables).

    The code is generated from the expression tree (never from the user's text):
    one local per distinct subexpression, so shared work is done once.

    >>> f = compile_function("x*sin(x) + sin(x)^2", ["x"])
    >>> round(f(1.0), 6)
    1.549544
    """
    expr = parse(expr)
    names = sorted(expr.free) if variables is None else list(variables)
    missing = expr.free - set(names)
    if missing:
        raise EvaluationError(f"no argument for {', '.join(sorted(missing))}")
    arguments = {name: f"a{i}" for i, name in enumerate(names)}
    env: dict[str, object] = {"real_power": real_power, "real_root": real_root,
                              "EvaluationError": EvaluationError,
                              "INFINITIES": (math.inf, -math.inf), "overflowed": _overflowed}
    local: dict[Expr, str] = {}
    lines = []
    for i, node in enumerate(postorder(expr)):
        target = f"t{i}"
        match node:
            case Num(v):
                env[target] = _as_float(v)
                local[node] = target
                continue
            case Const(name):
                env[target] = Const.VALUES[name]
                local[node] = target
                continue
            case Sym(name):
                local[node] = arguments[name]
                continue
            case Add(terms) | Mul(terms):
                operator = " + " if type(node) is Add else " * "
                lines.append(f"    {target} = {operator.join(local[t] for t in terms)}")
                # as in evaluate: finite operands giving an infinity is an overflow
                lines.append(f"    if {target} in INFINITIES: overflowed({', '.join(local[t] for t in terms)})")
                local[node] = target
                continue
            case Pow(base, exp):
                code = f"{power_function(exp).__name__}({local[base]}, {local[exp]})"
            case Call(fn, args):
                env[f"f{i}"] = _numeric(fn, len(args))
                code = f"f{i}({', '.join(local[a] for a in args)})"
        lines.append(f"    {target} = {code}")
        local[node] = target
    lines.append(f"    result = float({local[expr]})")
    lines.append("    if result - result != 0 and all(a - a == 0 for a in arguments):")
    lines.append("        raise EvaluationError('the result overflows the float range')")
    lines.append("    return result")
    signature = ", ".join(arguments.values())
    lines.insert(0, f"    arguments = ({signature}{',' if len(arguments) == 1 else ''})")
    source = f"def compiled({signature}):\n" + "\n".join(lines) + "\n"
    namespace: dict[str, object] = dict(env)
    exec(compile(source, "<symdiff>", "exec"), namespace)     # our own generated code only
    function = namespace["compiled"]
    function.__doc__ = f"{expr} as a function of ({', '.join(names)})"
    return function
