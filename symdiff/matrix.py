"""A small immutable matrix of expressions: what a Jacobian or a Hessian comes back as.

It is a tuple of rows, each a tuple of expressions, so it indexes like nested lists
(``m[i][j]``), unpacks, pickles and compares equal to the nested lists of the same entries.
It prints with its columns aligned, as ``pmatrix`` in LaTeX (:func:`symdiff.to_latex`), and
typeset in Jupyter (``_repr_latex_``).

>>> from symdiff import parse
>>> m = Matrix([[parse("2*y"), parse("2*x")], [parse("2*x"), parse("0")]])
>>> m[0][1], m.shape, m == [[parse("2*y"), parse("2*x")], [parse("2*x"), parse("0")]]
(2*x, (2, 2), True)
>>> print(m)
[2*y  2*x]
[2*x    0]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .expr import Expr, as_expr


def _same(given: object, entry: Expr) -> bool:
    """An entry equals an expression, or a number that is that expression (0 and Num(0))."""
    if given is entry:
        return True
    try:
        return as_expr(given) is entry
    except (TypeError, ValueError):
        return False


class Matrix(tuple):
    """Rows of expressions, all of one length."""

    __slots__ = ()                       # no attributes to set: immutable as its rows are

    def __new__(cls, rows: Iterable[Iterable[Any]]) -> Matrix:
        built = tuple(tuple(as_expr(entry) for entry in row) for row in rows)
        if len({len(row) for row in built}) > 1:
            raise ValueError(f"a matrix needs rows of one length, not {[len(r) for r in built]}")
        return super().__new__(cls, built)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return len(self), len(self[0]) if self else 0

    @property
    def T(self) -> Matrix:
        """The transpose."""
        return Matrix(zip(*self)) if self else self

    def tolist(self) -> list[list[Expr]]:
        """The entries as nested lists."""
        return [list(row) for row in self]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str) or len(other) != len(self):
            return False
        return all(isinstance(o, Sequence) and not isinstance(o, str) and len(o) == len(row)
                   and all(_same(a, b) for a, b in zip(o, row)) for o, row in zip(other, self))

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__

    def __reduce__(self):
        return (Matrix, (tuple(self),))

    def __repr__(self) -> str:
        return f"Matrix({self.tolist()!r})"

    def __str__(self) -> str:
        from .printing import to_text
        cells = [[to_text(entry) for entry in row] for row in self]
        widths = [max(len(row[j]) for row in cells) for j in range(self.shape[1])]
        return "\n".join("[" + "  ".join(cell.rjust(width) for cell, width in zip(row, widths)) + "]"
                         for row in cells)

    def _repr_latex_(self) -> str:
        from .latex import matrix_latex
        return f"$\\displaystyle {matrix_latex(self)}$"
