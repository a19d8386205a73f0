"""symdiff: symbolic differentiation you can trust, read and use.

>>> import symdiff
>>> symdiff.diff("log(x) + x*y - sin(y)", "x")
y + 1/x
"""

from .matrix import Matrix
from .api import (cancel, collect, compile_function, critical_points, cse, curl, diff,
                  directional_derivative, divergence, evaluate, exact_value, expand, factor, gradient,
                  hessian, implicit_diff, jacobian, jvp, lambdify, laplacian, numeric_gradient, series,
                  simplify, singular_points, tangent, to_code, to_latex, together, vjp)
from .diff import derivative
from .errors import (CodegenError, DiffError, EvaluationError, LimitError, ParseError, SymdiffError,
                     SymdiffWarning, UnknownFunctionError)
from . import expr as _expr_module
from .expr import (Add, Call, Const, Expr, Mul, Num, Piecewise, Pow, Sym, Symbol, dag_size, piecewise,
                   substitute, symbols, tree_size)
from .functions import (FUNCTIONS, Abs, Ci, Ei, Heaviside, LambertW, Max, Min, Si, acos, acosh, acot,
                        acoth, acsc, acsch, asec, asech, asin, asinh, atan, atan2, atanh, besseli,
                        besselj, besselk, bessely, beta, cbrt, ceil, cos, cosh, cot, coth, csc, csch,
                        digamma, erf, erfc, erfi, exp, factorial, ff, floor, gamma, hypot, li, log,
                        log2, log10, loggamma, polygamma, sec, sech, sign, sin, sinc, sinh, sqrt,
                        tan, tanh, re, im, conj, arg)
from .limits import Limits, use_limits
from .parser import Equation, parse, parse_equation
from .printing import to_text

__version__ = "0.1.0"

# Whether the core runs compiled.  A wheel built where a C compiler is at hand compiles
# expr, diff, simplify and functions with Cython, all or none (see hatch_build.py); an
# editable install, or SYMDIFF_PURE_PYTHON=1, runs them as Python.  Same code, same results
# (only introspection differs: compiled functions are cyfunctions).
compiled_core: bool = not _expr_module.__file__.endswith(".py")

# How expressions show themselves: expr.py imports no printer (they import it).
_expr_module.show_with("text", to_text)


def _typeset(expr: Expr) -> str:
    from . import latex                        # loaded on first use, as below
    return latex.to_latex(expr)


_expr_module.show_with("latex", _typeset)


def _sympy(expr: Expr):
    from . import interop                      # loaded on first use: no SymPy at import
    return interop.to_sympy(expr)


_expr_module.convert_with("sympy", _sympy)

# Loaded on first use, so the command line starts fast.  (The functions of the API that
# need autodiff, numeric or latex load them when first called.)
_LAZY = {"Variable": "autodiff", "Traced": "autodiff", "Graph": "autodiff",
         "to_sympy": "interop", "from_sympy": "interop"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'symdiff' has no attribute {name!r}")

__all__ = [
    "parse", "parse_equation", "Equation", "diff", "derivative", "gradient", "jacobian", "hessian", "simplify",
    "expand", "together", "cancel", "factor", "collect",
    "evaluate", "exact_value", "implicit_diff", "series", "tangent", "critical_points", "laplacian", "divergence", "curl", "directional_derivative", "Matrix",
    "compile_function", "lambdify", "to_code", "numeric_gradient", "jvp", "vjp", "singular_points",
    "to_text", "to_latex", "cse", "substitute", "dag_size", "tree_size",
    "Expr", "Num", "Const", "Sym", "Add", "Mul", "Pow", "Call", "Piecewise", "piecewise", "Symbol", "symbols", "FUNCTIONS",
    "Limits", "use_limits",
    "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "acot", "asec", "acsc",
    "sinh", "cosh", "tanh", "coth", "sech", "csch", "asinh", "acosh", "atanh",
    "exp", "log", "log2", "log10", "sqrt", "cbrt", "sign",
    "Abs", "acoth", "asech", "acsch", "atan2", "hypot", "erf", "erfc", "erfi", "gamma", "loggamma",
    "digamma", "polygamma", "beta", "LambertW", "besselj", "bessely", "besseli", "besselk",
    "Ei", "Si", "Ci", "li", "sinc", "Heaviside", "floor", "ceil", "Min", "Max", "factorial", "ff",
    "re", "im", "conj", "arg",
    "SymdiffError", "ParseError", "UnknownFunctionError", "DiffError", "EvaluationError",
    "LimitError", "CodegenError", "SymdiffWarning",
    *_LAZY,
]
