"""Numeric values of expressions, over the reals.

Conventions, shared by every numeric path: ``0^0 = 1``; ``0^-n`` (a division by
zero), ``log`` of a non-positive number, a negative number to a non-integer
power and an argument outside a function's domain are each an
:class:`EvaluationError` naming the operation and the value.  NaN given as input
propagates.

Overflow is judged by what it does to the result.  A step whose finite operands give
a value beyond the float range goes on with the infinity of that sign (a
:class:`FloatOverflow`, noted by :class:`Overflows`).  A later step that has such an
infinity as an operand keeps its IEEE result only where that result is right for
*every* value beyond the range (:func:`trusted`): a power -1 or lower of it
underflows to 0 (1/cosh(1000), cosh(x)^-2), a function that saturates gives its
limit (tanh, atan: +-1, pi/2; sech, exp(-u): 0), and a sum, product or power that
stays beyond the range stays an overflow.  Where the true value is an ordinary
number the infinity has lost (log(cosh(1000)) = 999.3, 1/sqrt(cosh(1000))), and
where the result itself is not finite (exp(1000)), the first overflow is the error.
A table function whose computation overflows inside at a finite argument gives its
finite limit there (sech(1000) = 1/cosh(1000) = 0.0).

>>> from symdiff import parse
>>> evaluate(parse("log(x) + x*y - sin(y)"), x=2, y=5)  # doctest: +ELLIPSIS
11.652...
>>> evaluate(parse("1/x"), x=0)
Traceback (most recent call last):
    ...
symdiff.errors.EvaluationError: division by zero: 0^-1
>>> evaluate(parse("1/cosh(x)"), x=1000), evaluate(parse("sech(x)^2"), x=-1000)
(0.0, 0.0)
>>> evaluate(parse("cosh(x)"), x=1000)
Traceback (most recent call last):
    ...
symdiff.errors.EvaluationError: cosh(1000) overflows the float range
"""

from __future__ import annotations

import cmath
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any, NamedTuple, NoReturn

from .errors import EvaluationError
from .expr import (HALF, Add, Call, Const, Expr, Mul, Num, Piecewise, Pow, Sym, expression, has_imaginary,
                   postorder,
                   postorder_of)
from .expr import call  # noqa: F401 (the docstring examples use it)
from .functions import FunctionOverflow, lookup, show_complex
from .limits import bounded, checked


class FloatOverflow(EvaluationError):
    """A step whose finite operands give a value beyond the float range.  ``value`` is the
    signed infinity the computation goes on with; see the module docstring.  The walks
    catch it; what reaches a caller of evaluate, compile_function or autodiff is a plain
    :class:`EvaluationError` with the same message."""

    def __init__(self, message: str, value: float):
        super().__init__(message)
        self.value = value


class Overflows:
    """The first overflow of one numeric walk, and the rules for it: a step that overflows
    goes on with its infinity (:meth:`note`); a later step on an infinity keeps its result
    only if :func:`trusted` (:meth:`trust`); a result that is not finite raises the first
    overflow (:meth:`check`); so does a later step that fails on a non-finite operand, since
    the overflow is the cause (:meth:`failed`)."""

    __slots__ = ("first",)

    def __init__(self):
        self.first: FloatOverflow | None = None

    def note(self, error: FloatOverflow) -> float:
        if self.first is None:
            self.first = error
        return error.value

    def trust(self, node: Expr, result, operands: Sequence):
        """``result`` of the step ``node``, or (after an overflow) the overflow as the error
        if the result is not right for every value the operands' infinities stand for."""
        if self.first is not None and not trusted(node, result, operands):
            raise EvaluationError(str(self.first)) from None
        return result

    def failed(self, error: BaseException, operands) -> NoReturn:
        if self.first is not None and not all(map(math.isfinite, operands)):
            raise EvaluationError(str(self.first)) from None
        raise error

    def check(self, value):
        """``value`` (a float or complex result), or the first overflow if it is not finite."""
        if self.first is not None and not cmath.isfinite(value):
            raise EvaluationError(str(self.first)) from None
        return value


LARGEST, SMALLEST_NORMAL = sys.float_info.max, sys.float_info.min


def trusted(node: Expr, result, operands: Sequence) -> bool:
    """Whether the IEEE ``result`` of the step ``node`` is right for every value that its
    infinite ``operands`` stand for: values beyond the float range, of unknown size
    (complex values are judged by their real parts, as the complex step needs).

    >>> x = Sym("x")
    >>> trusted(x**-1, 0.0, [math.inf, -1.0]), trusted(x**-0.5, 0.0, [math.inf, -0.5])
    (True, False)
    >>> trusted(call("atan", x), math.pi / 2, [math.inf]), trusted(call("log", x), math.inf, [math.inf])
    (True, False)
    """
    real = [complex(v).real for v in operands]
    if all(map(math.isfinite, real)):
        return True
    result = complex(result).real
    finite = [v for v in real if math.isfinite(v)]
    match node:
        case Add():              # beyond the range, and every finite term pushes the same way
            return math.isinf(result) and all(v == 0 or (v > 0) == (result > 0) for v in finite)
        case Mul():              # beyond the range, times finite factors of size 1 or more
            try:
                size = product_of([abs(v) for v in finite])
            except FloatOverflow:
                size = math.inf
            return math.isinf(result) and size >= 1
        case Pow():
            base, exponent = real
            if not math.isfinite(exponent):
                return True      # b^(+-inf) is 0, 1 or beyond the range, whatever the size
            return exponent == 0 or abs(exponent) >= 1      # X^e for e in (-1, 1) is ordinary
        case Call(fn, args) if len(args) == 1 and not math.isnan(real[0]):
            try:                 # a monotonic function at the largest float and beyond it
                at_largest = apply_function(fn, [math.copysign(LARGEST, real[0])])
            except FloatOverflow:
                at_largest = math.inf
            except EvaluationError:
                return False
            if abs(at_largest) >= LARGEST:
                return math.isinf(result)                    # it grows past the range too
            return at_largest == result or (result == 0 and abs(at_largest) < SMALLEST_NORMAL)
    return False


def real_power(base: float, exponent: float) -> float:
    """base^exponent over the reals, with the conventions above; a finite power beyond the
    float range raises :class:`FloatOverflow` with its signed infinity."""
    if base == 0 and exponent < 0:
        raise EvaluationError(f"division by zero: 0^{_show(exponent)}")
    if base < 0 and not float(exponent).is_integer():
        raise EvaluationError(f"({_show(base)})^{_show(exponent)} is not a real number "
                              f"(a negative base needs an integer exponent; cbrt(x) is the real cube root)")
    try:
        result = base ** exponent
    except OverflowError:
        odd = base < 0 and int(exponent) % 2 == 1
        result = -math.inf if odd else math.inf
    if math.isinf(result) and math.isfinite(base) and math.isfinite(exponent):
        raise FloatOverflow(f"{_show(base)}^{_show(exponent)} overflows the float range", result)
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
        raise EvaluationError(f"{fn} is an unknown function without a numeric value")
    return function.numeric


def beyond_range(error: EvaluationError, numeric: Callable[..., float], args) -> float:
    """What a numeric walk goes on with after ``numeric(*args)``, a function of the table,
    raised ``error``.

    An overflow at a finite argument (the table's FunctionOverflow) gives the function's own value at the infinity on the argument's
    side: a finite limit is the answer (sech(1000) is 0.0: only cosh inside it
    overflowed), an infinite one is a true overflow, raised as :class:`FloatOverflow`
    carrying that infinity.  Any other error is raised as it is.
    """
    if (isinstance(error, FloatOverflow) or len(args) != 1 or not math.isfinite(args[0])
            or not isinstance(error, FunctionOverflow)):
        raise error
    try:
        limit = numeric(math.copysign(math.inf, args[0]))
    except EvaluationError:
        raise error from None
    if math.isfinite(limit):
        return limit
    raise FloatOverflow(str(error), limit) from None


def apply_function(fn: str, args: Sequence[float]) -> float:
    """``fn`` of the table at ``args``, as every numeric path calls it (with
    :func:`beyond_range` after an overflow).

    >>> apply_function("tanh", [1000.0]), apply_function("csch", [-1000.0])
    (1.0, -0.0)
    """
    numeric = _numeric(fn, len(args))
    try:
        return numeric(*args)
    except EvaluationError as error:
        return beyond_range(error, numeric, args)


def _settle(error: EvaluationError, numeric: Callable[..., float], args,
            first: FloatOverflow | None) -> tuple[float, FloatOverflow | None]:
    """Compiled code's :meth:`Overflows.note` and :meth:`Overflows.failed` in one call: the
    value to go on with and the first overflow so far."""
    try:
        return beyond_range(error, numeric, args), first
    except FloatOverflow as overflow:
        return overflow.value, first or overflow
    except EvaluationError as failure:
        if first is not None and not all(map(math.isfinite, args)):
            raise EvaluationError(str(first)) from None
        raise failure from None


def _trust(first: FloatOverflow, node: Expr, result: float, operands) -> None:
    """Compiled code's :meth:`Overflows.trust`."""
    if not trusted(node, result, operands):
        raise EvaluationError(str(first))


def _overflow_error(raises: type[EvaluationError]) -> Callable[[FloatOverflow, float], EvaluationError]:
    """Compiled code's error for a result that is not finite after the overflow ``first``."""
    if raises is FloatOverflow:
        return lambda first, result: FloatOverflow(str(first), result)
    return lambda first, result: raises(str(first))


def sum_of(terms: Sequence[float]) -> float:
    """The sum; one that is beyond the float range raises :class:`FloatOverflow`, but a
    running sum that overflows on the way to a finite total does not.

    >>> sum_of([1e308, 1e308, -1e308])
    1e+308
    """
    result = sum(terms)
    if math.isinf(result) and all(map(math.isfinite, terms)):
        return _rescaled(Add, terms)
    return result


def product_of(factors: Sequence[float]) -> float:
    """The product, as :func:`sum_of` is the sum; nor does a running product that
    underflows to 0 on the way to a number in range.

    >>> product_of([1e200, 1e200, 1e-300]), product_of([1e-200, 1e-200, 1e300])
    (1e+100, 1e-100)
    """
    result = math.prod(factors)
    if (math.isinf(result) or result == 0) and all(map(math.isfinite, factors)) and all(factors):
        return _rescaled(Mul, factors)
    return result


def _rescaled(kind: type, operands: Sequence[float]) -> float:
    """A sum or product of finite operands that left the float range in running order,
    computed again with scaled operands: its value if that is finite, else a FloatOverflow."""
    if kind is Add:                   # terms scaled by a power of two, so partials stay finite
        scale = len(operands).bit_length() + 1
        total = math.fsum(math.ldexp(t, -scale) for t in operands)
    else:                             # mantissas and exponents apart
        total, scale = 1.0, 0
        for factor in operands:
            mantissa, exponent = math.frexp(factor)
            total, carry = math.frexp(total * mantissa)
            scale += exponent + carry
    try:
        return math.ldexp(total, scale)
    except OverflowError:
        what = "a sum" if kind is Add else "a product"
        raise FloatOverflow(f"{what} overflows the float range", math.copysign(math.inf, total)) from None


def _rescaled_step(node: Expr, result: float, operands) -> tuple[float, FloatOverflow | None]:
    """Compiled code's :func:`sum_of` and :func:`product_of`, for a sum or product that came
    out infinite (or a product 0): its value, and the overflow if it is one."""
    if not all(map(math.isfinite, operands)) or not all(operands):
        return result, None
    try:
        return _rescaled(type(node), operands), None
    except FloatOverflow as overflow:
        return overflow.value, overflow


def _as_float(value) -> float:
    try:
        return float(value)
    except OverflowError:
        raise EvaluationError(f"the number {str(value)[:20]}... is beyond the float range") from None


@bounded
def evaluate(expr: Expr, values: Mapping[str, float] | None = None, /, **kwargs: float) -> float:
    """The value of ``expr`` at the given point, as a float.

    >>> x, y = Sym("x"), Sym("y")
    >>> evaluate(x**2 + y, {"x": 3}, y=1)
    10.0
    """
    return evaluate_all([expression(expr, "evaluate")], values, **kwargs)[0]


@bounded
def evaluate_all(exprs: Sequence[Expr], values: Mapping[str, float] | None = None, /,
                 **kwargs: float) -> list[Any]:
    """The values of several expressions at one point, in one walk: a subexpression they
    share (as the components of a gradient do) is computed once.

    >>> x, y = Sym("x"), Sym("y")
    >>> evaluate_all([x*y, x*y + 1, y], x=2, y=3)
    [6.0, 7.0, 3.0]
    """
    roots = [expression(e, "evaluate_all", "evaluate") for e in exprs]
    point = {**(values or {}), **kwargs}
    if any(map(has_imaginary, roots)) or any(isinstance(v, complex) for v in point.values()):
        return complex_values(roots, point)
    overflows = Overflows()
    value = interpret(postorder_of(roots), REAL, point, overflows)
    return [overflows.check(walk_into(r, REAL, point, overflows, value)) for r in roots]


# ---------------------------------------------------------------- complex values

def complex_values(roots: Sequence[Expr], point: Mapping[str, complex]) -> list[complex | float]:
    """The values of ``roots`` in complex arithmetic, principal branches, each function at
    its true complex value (``Function.value_at_complex``: abs(3 + 4i) = 5, not the complex
    step's continuation); a value whose imaginary part is 0 is a float.

    >>> from symdiff import parse
    >>> complex_values([parse("exp(I*x)"), parse("abs(x + I)")], {"x": 1})
    [(0.5403023058681398+0.8414709848078965j), 1.4142135623730951]
    """
    overflows = Overflows()
    value = interpret(postorder_of(roots), COMPLEX_VALUE, point, overflows)
    results: list[complex | float] = []
    for root in roots:
        z = complex(walk_into(root, COMPLEX_VALUE, point, overflows, value))
        if not cmath.isfinite(z):
            raise EvaluationError("the result overflows the float range")
        results.append(z.real if z.imag == 0 else z)
    return results


def _complex_function(roots: list[Expr], names: list[str], one: bool) -> Callable[..., Any]:
    """compile_function of a formula with I: its complex values, interpreted (the generated
    code of the real paths is written for floats); the value of the one root, or the list."""
    def complex_function(*arguments: complex) -> Any:
        if len(arguments) != len(names):
            raise TypeError(f"the function takes {len(names)} arguments ({', '.join(names)}), "
                            f"got {len(arguments)}")
        values = complex_values(roots, dict(zip(names, arguments)))
        return values[0] if one else values
    complex_function.__doc__ = f"{', '.join(map(str, roots))} as a function of ({', '.join(names)}), complex-valued"
    return complex_function


def _complex_value_node(node: Expr, value: Mapping[Expr, complex], point: Mapping[str, complex]) -> complex:
    """One node's complex value from its children's."""
    match node:
        case Num(v):
            return complex(_as_float(v))
        case Const(name):
            return Const.COMPLEX_VALUES[name]
        case Sym(name):
            if name not in point:
                raise EvaluationError(f"no value given for {name}")
            return complex(point[name])
        case Add(terms):
            return sum([value[t] for t in terms], 0j)
        case Mul(factors):
            return math.prod([value[f] for f in factors], start=1 + 0j)
        case Pow(base, exp):
            b, e = value[base], value[exp]
            if b == 0 and e.imag == 0 and e.real < 0:
                raise EvaluationError(f"division by zero: 0^{_show(e.real)}")
            try:
                if e.imag == 0 and float(e.real).is_integer() and abs(e.real) <= 1024:
                    return b ** int(e.real)               # exact for Gaussian integers
                return cmath.sqrt(b) if exp is HALF else b ** e     # principal branch
            except OverflowError:
                raise EvaluationError("a power overflows the float range") from None
        case Call(fn, args):
            function = lookup(fn, len(args))
            if function is None or function.value_at_complex is None:
                raise EvaluationError(f"{fn} has no complex value in the function table")
            arguments = [value[a] for a in args]
            try:
                return complex(function.value_at_complex(*arguments))
            except (ValueError, ZeroDivisionError, OverflowError):
                shown = ", ".join(map(show_complex, arguments))
                raise EvaluationError(f"{fn}({shown}) is undefined") from None
    raise TypeError(node)



class Algebra(NamedTuple):
    """What :func:`interpret` computes with: one node's value from its children's values and
    the point, the errors that mean "undefined here", and the real part of a value (which
    the overflow rules judge)."""

    node_value: Callable[[Expr, Mapping[Expr, Any], Mapping[str, Any]], Any]
    undefined: tuple[type[BaseException], ...]
    real: Callable[[Any], float]
    picks_branches: bool = True     # False: node_value is given piecewise nodes as they are


def interpret(nodes: list[Expr], algebra: Algebra, point: Mapping[str, Any],
              overflows: Overflows, value: dict[Expr, Any] | None = None) -> dict[Expr, Any]:
    """The value of every node, children first, in ``algebra``: the one walk of the numeric
    paths (evaluate, the complex step, forward-mode duals, the tape of reverse mode) and of
    the code writers (compile_function, to_python), with the overflow rules of
    :class:`Overflows` applied the same way in each.  The dict's order is the order of the
    walk: reverse mode sweeps it backwards.

    >>> x = Sym("x")
    >>> interpret(postorder(x * x + 1), REAL, {"x": 3.0}, Overflows())[x * x + 1]
    10.0
    """
    value = {} if value is None else value
    guarded = branch_only(nodes) if algebra.picks_branches else frozenset()
    for node in checked(nodes):
        if guarded:
            if node in guarded:
                continue                       # computed if its branch is taken
            if type(node) is Piecewise:
                value[node] = pick_branch(node, algebra, point, overflows, value)
                continue
        try:
            result = algebra.node_value(node, value, point)
        except FloatOverflow as error:
            result = overflows.note(error)
        except algebra.undefined as error:
            overflows.failed(error, [algebra.real(value[c]) for c in node.children])
        else:
            if overflows.first is not None:        # judged by real parts (Overflows.trust)
                overflows.trust(node, algebra.real(result),
                                [algebra.real(value[c]) for c in node.children])
        value[node] = result
    return value


def branch_only(nodes: list[Expr]) -> frozenset[Expr]:
    """The nodes of a walk (children first) that only the branches and conditions of its
    piecewise nodes need: :func:`interpret` computes them when a branch is taken, so that a
    branch that is not taken (log(x) where x <= 0) raises nothing."""
    if not any(type(n) is Piecewise for n in nodes):
        return frozenset()
    has_parent = {c for n in nodes for c in n.children}
    needed: set[Expr] = set()
    for node in reversed(nodes):                       # parents first
        if node not in has_parent or node is nodes[-1]:
            needed.add(node)                           # a root
        if node in needed and type(node) is not Piecewise:
            needed.update(node.children)
    return frozenset(n for n in nodes if n not in needed)


def walk_into(root: Expr, algebra: Algebra, point: Mapping[str, Any], overflows: Overflows,
              value: dict[Expr, Any]) -> Any:
    """``root``'s value, computing the nodes below it that ``value`` lacks."""
    if root not in value:
        nodes = [n for n in postorder(root, stop=value.__contains__) if n not in value]
        interpret(nodes, algebra, point, overflows, value)
    return value[root]


def pick_branch(node: Piecewise, algebra: Algebra, point: Mapping[str, Any],
                overflows: Overflows, value: dict[Expr, Any]) -> Any:
    """The value of the first branch whose condition holds (its real part is 1), computing
    conditions in order and only the branch taken."""
    for branch, condition in node.branches:
        if algebra.real(walk_into(condition, algebra, point, overflows, value)) > 0:
            return walk_into(branch, algebra, point, overflows, value)
    raise no_branch(node, point)


def no_branch(node: Piecewise, point: Mapping[str, Any]) -> EvaluationError:
    """The error for a point where no condition of ``node`` holds (its variables' values named)."""
    shown = ", ".join(f"{name} = {_show(complex(v).real)}" for name, v in sorted(point.items())
                      if name in node.free)
    return EvaluationError(f"{node} is not defined at {shown or 'this point'}: no condition "
                           f"holds there")


def _node_value(node: Expr, value: Mapping[Expr, float], point: Mapping[str, float]) -> float:
    """One node's value from its children's."""
    match node:
        case Num(v):
            return _as_float(v)
        case Const(name):
            return Const.VALUES[name]
        case Sym(name):
            if name not in point:
                raise EvaluationError(f"no value given for {name}")
            return float(point[name])
        case Add(terms):
            return sum_of([value[t] for t in terms])
        case Mul(factors):
            return product_of([value[f] for f in factors])
        case Pow(base, exp):
            return power_function(exp)(value[base], value[exp])
        case Call(fn, args):
            return apply_function(fn, [value[a] for a in args])
    raise TypeError(node)


REAL = Algebra(_node_value, (EvaluationError,), float)


# ---------------------------------------------------------------- any precision (mpmath)

def precise_value(expr: Expr, digits: int) -> str:
    """A constant expression's value to ``digits`` significant digits, computed with mpmath at
    that precision and a guard of 10 digits more, and checked against the float value.

    >>> from symdiff import parse
    >>> precise_value(parse("sqrt(2)/2 + pi"), 30)
    '3.84869943477634076286348774538'
    """
    import mpmath
    if expr.free:
        raise EvaluationError(f"no value without values for {', '.join(sorted(expr.free))}")
    with mpmath.workdps(digits + 10):
        algebra = Algebra(_precise_node, (EvaluationError, ValueError, ZeroDivisionError),
                          lambda v: float(mpmath.re(v)))
        overflows = Overflows()
        value = interpret(postorder(expr), algebra, {}, overflows)[expr]
        if overflows.first is not None:
            raise EvaluationError(str(overflows.first))
        if isinstance(value, mpmath.mpc):             # exp(I*pi): an imaginary part at the noise level
            if abs(value.imag) > mpmath.mpf(10) ** -(digits + 5) * max(1, abs(value.real)):
                raise EvaluationError(f"the value is not real: {mpmath.nstr(value, 10)}")
            value = value.real
        value = mpmath.mpf(value)
        if not mpmath.isfinite(value):
            raise EvaluationError("the value is not finite")
        try:
            approximate: float | None = complex(evaluate(expr)).real   # a check on the two paths
        except (EvaluationError, TypeError):     # beyond the float range (exp(1000)), or complex
            approximate = None                   # on the way (exp(I*pi)): mpmath's value alone
        if approximate is not None and not math.isclose(float(value), approximate, rel_tol=1e-9,
                                                        abs_tol=1e-300):
            raise EvaluationError(f"the value at {digits} digits ({mpmath.nstr(value, 15)}) "
                                  f"disagrees with the float one ({approximate!r})")
        return mpmath.nstr(value, digits, strip_zeros=False)


def _precise_node(node: Expr, value: Mapping[Expr, Any], point: Mapping[str, Any]) -> Any:
    """One node's value at mpmath's working precision."""
    import mpmath
    match node:
        case Num(v):
            return mpmath.mpf(v) if not isinstance(v, Fraction) else mpmath.mpf(v.numerator) / v.denominator
        case Const(name):
            return {"pi": mpmath.pi, "e": mpmath.e, "I": mpmath.mpc(0, 1)}[name] + 0
        case Add(terms):
            return mpmath.fsum(value[t] for t in terms)
        case Mul(factors):
            return mpmath.fprod(value[f] for f in factors)
        case Pow(base, exp):
            b, x = value[base], value[exp]
            if b == 0 and mpmath.re(x) < 0:
                raise EvaluationError(f"division by zero: 0^{mpmath.nstr(x, 5)}")
            return mpmath.power(b, x)
        case Call(fn, args):
            row = lookup(fn, len(args))
            operands = [value[a] for a in args]
            precise = row.mpmath if row is not None else ""
            if callable(precise):
                return precise(mpmath, *operands)
            function = getattr(mpmath, precise or fn, None)
            if function is not None:
                return function(*operands)
            if row is not None and row.exact is not None:
                exact = row.exact(*operands)          # Heaviside, min, max: comparisons
                return mpmath.mpf(exact.numerator) / exact.denominator if isinstance(exact, Fraction) else exact
            raise EvaluationError(f"{fn} has no value at arbitrary precision")
    raise EvaluationError(f"no value at arbitrary precision for {node}")
COMPLEX_VALUE = Algebra(_complex_value_node, (EvaluationError,), lambda z: complex(z).real)


def _is_piecewise(node: Expr) -> bool:
    return type(node) is Piecewise


def _compiled_branches(node: Piecewise, names: list[str],
                       raises: type[EvaluationError]) -> Callable[..., float]:
    """A piecewise node as compiled code: its conditions tried in order, and only the branch
    taken computed (a branch not taken may be undefined at the point)."""
    branches = [(compile_overflowing(condition, names, raises), compile_overflowing(value, names, raises))
                for value, condition in node.branches]

    def piecewise_value(*arguments: float) -> float:
        for condition, value in branches:
            if condition(*arguments) > 0:
                return value(*arguments)
        raise no_branch(node, dict(zip(names, arguments)))
    return piecewise_value


def compile_function(expr: Expr, variables: Sequence[str] | None = None) -> Callable[..., float]:
    """A fast Python function of ``variables`` (default: sorted free variables).

    The code is generated from the expression tree (never from the user's text):
    one local per distinct subexpression, so shared work is done once.

    >>> from symdiff import parse
    >>> f = compile_function(parse("x*sin(x) + sin(x)^2"), ["x"])
    >>> round(f(1.0), 6)
    1.549544
    """
    return compile_overflowing(expression(expr, "compile_function"), variables, EvaluationError)


def compile_overflowing(exprs: Expr | Sequence[Expr], variables: Sequence[str] | None,
                        raises: type[EvaluationError]) -> Callable[..., Any]:
    """:func:`compile_function`, whose function raises ``raises`` for a result that overflows:
    :class:`FloatOverflow` (carrying the infinity or NaN) for callers that go on with it,
    as the local partials of :mod:`symdiff.autodiff` do.  Given a list of expressions, the
    function returns the list of their values, computing what they share once
    (:func:`symdiff.codegen.lambdify`)."""
    if not isinstance(exprs, Expr):
        return _compile_all([expression(e, "compile_overflowing", "compile_function") for e in exprs],
                            variables, raises)
    return _compile_all([expression(exprs, "compile_overflowing", "compile_function")], variables,
                        raises, one=True)


def _compile_all(roots: list[Expr], variables: Sequence[str] | None, raises: type[EvaluationError],
                 one: bool = False) -> Callable[..., Any]:
    """The generated function of :func:`compile_overflowing`: the value of the one root, or
    the list of the roots' values."""
    free = frozenset().union(*(r.free for r in roots))
    names = sorted(free) if variables is None else list(variables)
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise EvaluationError(f"each argument is named once; {', '.join(twice)} is named twice")
    missing = free - set(names)
    if missing:
        raise EvaluationError(f"no argument for {', '.join(sorted(missing))}")
    if any(map(has_imaginary, roots)):
        return _complex_function(roots, names, one)
    arguments = {name: f"a{i}" for i, name in enumerate(names)}
    env: dict[str, object] = {"real_power": real_power, "real_root": real_root,
                              "EvaluationError": EvaluationError, "settle": _settle,
                              "trust": _trust,
                              "overflow_error": _overflow_error(raises),
                              "INFINITIES": (math.inf, -math.inf), "rescaled": _rescaled_step}
    lines: list[str] = []

    def write(node: Expr, local: Mapping[Expr, str], point: Mapping[str, str]) -> str:
        """The name that holds ``node``'s value in the generated function, after the lines
        that compute it: the source-code algebra of :func:`interpret`."""
        i = len(local)
        target = f"t{i}"
        match node:
            case Num(v):
                env[target] = _as_float(v)
                return target
            case Const(name):
                env[target] = Const.VALUES[name]
                return target
            case Sym(name):
                return point[name]
            case Add(terms) | Mul(terms):
                operator = " + " if type(node) is Add else " * "
                operands = ", ".join(local[t] for t in terms)
                env[f"n{i}"] = node
                # as in evaluate: after an overflow the step must be trusted; else a sum or
                # product that left the range on the way is computed again (sum_of, product_of)
                left = f"{target} in INFINITIES" + (f" or {target} == 0" if type(node) is Mul else "")
                lines.extend([f"    {target} = {operator.join(local[t] for t in terms)}",
                              f"    if overflow is not None: trust(overflow, n{i}, {target}, ({operands},))",
                              f"    elif {left}: {target}, overflow = rescaled(n{i}, {target}, ({operands},))"])
                return target
            case Pow(_, exp):
                env[f"f{i}"] = power_function(exp)
            case Piecewise():
                # each branch and condition compiled on its own, run only when reached
                env[f"f{i}"] = _compiled_branches(node, names, raises)
                lines.append(f"    {target} = f{i}({signature})")
                return target
            case Call(fn, args):
                env[f"f{i}"] = _numeric(fn, len(args))
        # as in evaluate: an overflow goes on with its infinity (or the function's limit)
        env[f"n{i}"] = node
        operands = ", ".join(local[a] for a in node.children)
        lines.extend(["    try:",
                      f"        {target} = f{i}({operands})",
                      "    except EvaluationError as error:",
                      f"        {target}, overflow = settle(error, f{i}, ({operands},), overflow)",
                      "    else:",
                      f"        if overflow is not None: trust(overflow, n{i}, {target}, ({operands},))"])
        return target

    # writing code raises nothing, so no error is "undefined" and no real part is asked for
    signature = ", ".join(arguments.values())
    nodes = list(dict.fromkeys(n for r in roots for n in postorder(r, stop=_is_piecewise)))
    local = interpret(nodes, Algebra(write, (), float, False), arguments, Overflows())
    for k, root in enumerate(roots):
        lines.append(f"    result{k} = float({local[root]})")
        lines.append(f"    if result{k} - result{k} != 0:")
        lines.append("        if overflow is not None:")
        lines.append(f"            raise overflow_error(overflow, result{k})")
        lines.append("        if all(a - a == 0 for a in arguments):")
        lines.append("            raise EvaluationError('the result overflows the float range')")
    results = ", ".join(f"result{k}" for k in range(len(roots)))
    lines.append(f"    return {results if one else '[' + results + ']'}")
    lines.insert(0, "    overflow = None")
    lines.insert(0, f"    arguments = ({signature}{',' if len(arguments) == 1 else ''})")
    source = f"def compiled({signature}):\n" + "\n".join(lines) + "\n"
    namespace: dict[str, Any] = dict(env)
    exec(compile(source, "<symdiff>", "exec"), namespace)     # our own generated code only
    function = namespace["compiled"]
    function.__doc__ = f"{', '.join(map(str, roots))} as a function of ({', '.join(names)})"
    return function
