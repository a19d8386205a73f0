"""symdiff: symbolic differentiation you can trust, read and use.

>>> import symdiff
>>> symdiff.diff("log(x) + x*y - sin(y)", "x")
y + 1/x
"""

from .diff import derivative, diff, gradient, hessian, jacobian
from .errors import (CodegenError, DiffError, EvaluationError, LimitError, ParseError, SymdiffError,
                     UnknownFunctionError)
from .evaluate import compile_function, evaluate
from . import expr as _expr_module
from .expr import (Add, Call, Const, Expr, Mul, Num, Pow, Sym, Symbol, dag_size, substitute,
                   symbols, tree_size)
from .functions import (FUNCTIONS, acos, acosh, acot, acsc, asec, asin, asinh, atan, atanh, cbrt,
                        cos, cosh, cot, coth, csc, csch, exp, log, log2, log10, sec, sech, sign,
                        sin, sinh, sqrt, tan, tanh)
from .limits import Limits, use_limits
from .parser import parse
from .printing import to_text
from .simplify import cancel, collect, expand, factor, simplify, together

__version__ = "0.1.0"

# Whether the core runs compiled.  A wheel built where a C compiler is at hand compiles
# expr, diff, simplify and functions with Cython, all or none (see hatch_build.py); an
# editable install, or SYMDIFF_PURE_PYTHON=1, runs them as Python.  Same code, same results
# (only introspection differs: compiled functions are cyfunctions).
compiled_core: bool = not _expr_module.__file__.endswith(".py")

# How expressions show themselves: expr.py imports no printer (they import it).
_expr_module.show_with("text", to_text)


def _typeset(expr: Expr) -> str:
    from .latex import to_latex                # loaded on first use, as below
    return to_latex(expr)


_expr_module.show_with("latex", _typeset)

# Loaded on first use, so the command line starts fast.
_LAZY = {
    "Variable": "autodiff", "Traced": "autodiff", "Graph": "autodiff", "jvp": "autodiff",
    "vjp": "autodiff", "to_latex": "latex", "numeric_gradient": "numeric", "cse": "printing",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'symdiff' has no attribute {name!r}")

__all__ = [
    "parse", "diff", "derivative", "gradient", "jacobian", "hessian", "simplify",
    "expand", "together", "cancel", "factor", "collect",
    "evaluate", "compile_function", "to_text", "substitute", "dag_size", "tree_size",
    "Expr", "Num", "Const", "Sym", "Add", "Mul", "Pow", "Call", "Symbol", "symbols", "FUNCTIONS",
    "Limits", "use_limits",
    "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "acot", "asec", "acsc",
    "sinh", "cosh", "tanh", "coth", "sech", "csch", "asinh", "acosh", "atanh",
    "exp", "log", "log2", "log10", "sqrt", "cbrt", "sign",
    "SymdiffError", "ParseError", "UnknownFunctionError", "DiffError", "EvaluationError",
    "LimitError", "CodegenError",
    *_LAZY,
]
