"""symdiff: symbolic differentiation you can trust, read and use.

>>> import symdiff
>>> symdiff.diff("log(x) + x*y - sin(y)", "x")
y + 1/x
"""

from .diff import derivative, diff, gradient, hessian, jacobian
from .errors import (DiffError, EvaluationError, LimitError, ParseError, SymdiffError,
                     UnknownFunctionError)
from .evaluate import compile_function, evaluate
from .expr import (Add, Call, Const, Expr, Mul, Num, Pow, Sym, Symbol, dag_size, substitute,
                   symbols, tree_size)
from .functions import FUNCTIONS
from .limits import Limits, use_limits
from .parser import parse
from .printing import to_text
from .simplify import simplify

__version__ = "0.1.0"

__all__ = [
    "parse", "diff", "derivative", "gradient", "jacobian", "hessian", "simplify",
    "evaluate", "compile_function", "to_text", "substitute", "dag_size", "tree_size",
    "Expr", "Num", "Const", "Sym", "Add", "Mul", "Pow", "Call", "Symbol", "symbols", "FUNCTIONS",
    "Limits", "use_limits",
    "SymdiffError", "ParseError", "UnknownFunctionError", "DiffError", "EvaluationError",
    "LimitError",
]
