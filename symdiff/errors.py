"""One small hierarchy of errors.

Every error symdiff raises on purpose is a :class:`SymdiffError`; each also
derives from the built-in it resembles, so ``except ValueError`` keeps working
for callers who do not know about symdiff.

    SymdiffError
    ├── ParseError(ValueError)            the text is not a formula
    │   └── UnknownFunctionError          name(...) with an unknown name
    ├── LimitError(ValueError)            a resource limit was reached
    ├── DiffError(ValueError)             the derivative cannot be formed
    ├── CodegenError(ValueError)          code cannot be written for these names, or an
    │                                     expression has no counterpart in SymPy (interop)
    ├── EvaluationError(ArithmeticError)  a number outside a function's domain
    └── UsageError                        a request that cannot be carried out as asked
                                          (the command line's options, symdiff.pipeline)

    SymdiffWarning(UserWarning)           text read, but perhaps not as meant (sinx, y = x^2)
"""

from __future__ import annotations


class SymdiffError(Exception):
    """Base of every error that symdiff raises on purpose."""


class _Positioned(Exception):
    """A message about a place in the text: ``line`` and ``column`` (1-based), the ``text``,
    what the parser ``expected`` there and a ``hint``; ``str()`` shows the line with a caret
    under the place."""

    def __init__(self, message: str, *, text: str = "", line: int = 1,
                 column: int = 1, expected: tuple[str, ...] = (),
                 hint: str = "") -> None:
        self.message = message
        self.text = text
        self.line = line
        self.column = column
        self.expected = tuple(expected)
        self.hint = hint
        super().__init__(self.render())

    def render(self, ascii_only: bool = False) -> str:
        """The message; ``ascii_only`` escapes the quoted text (and moves the caret with it)
        for terminals that cannot show it."""
        parts = [f"line {self.line}, column {self.column}: {self.message}"]
        lines = self.text.splitlines() or [""]
        if 1 <= self.line <= len(lines):
            source = lines[self.line - 1]
            # Long lines are cut to a window around the column so the caret stays visible.
            start = max(0, self.column - 60)
            shown = source[start:start + 120]
            prefix = "..." if start else ""
            suffix = "..." if start + 120 < len(source) else ""
            show = _escaped if ascii_only else _visible
            parts.append("  " + prefix + show(shown) + suffix)
            parts.append("  " + " " * (len(prefix) + len(show(shown[:self.column - 1 - start]))) + "^")
        if self.expected:
            parts.append("expected " + _one_of(self.expected))
        if self.hint:
            parts.append(self.hint)
        return "\n".join(parts)


class ParseError(_Positioned, SymdiffError, ValueError):
    """The input text is not a formula.

    Carries the position (1-based ``line`` and ``column``), the offending
    ``text`` and what the parser ``expected`` there; ``str()`` shows the line
    with a caret under the problem.

    >>> err = ParseError("unexpected ')'", text="x+1)", line=1, column=4)
    >>> print(err)
    line 1, column 4: unexpected ')'
      x+1)
         ^
    """


class SymdiffWarning(_Positioned, UserWarning):
    """The text was read, but perhaps not as its writer meant: ``sinx`` is a variable (did
    you mean ``sin(x)``?), ``y = x^2`` is read as its right-hand side.  Positioned like a
    :class:`ParseError`.  :func:`symdiff.parse` (and every function that reads text) issues
    it with :func:`warnings.warn`; the command line prints it as a note on stderr.

    >>> import warnings
    >>> from symdiff import parse
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     parse("sinx")
    sinx
    >>> print(caught[0].message)
    line 1, column 1: sinx is read as a variable; did you mean sin(x)?
      sinx
      ^
    """


class UnknownFunctionError(ParseError):
    """``name(...)`` where ``name`` is neither a built-in nor a declared function."""

    def __init__(self, name: str, *, suggestion: str | None = None, **where) -> None:
        self.name = name
        self.suggestion = suggestion
        hint = (f"did you mean {suggestion}?" if suggestion else
                f"declare it as a function (--func {name} on the command line, "
                f"functions=['{name}'] in Python) or write {name}*(...) for a product")
        super().__init__(f"unknown function '{name}'", hint=hint, **where)


class LimitError(SymdiffError, ValueError):
    """A configured resource limit was exceeded (see ``symdiff.Limits``); ``limit`` names
    the field of Limits that fired, where one did."""

    def __init__(self, message: str, *, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


class DiffError(SymdiffError, ValueError):
    """The derivative cannot be formed (bad variable name, bad order, ...)."""


class CodegenError(SymdiffError, ValueError):
    """``to_python`` cannot write the function: a bad ``name=`` or ``variables=``, a
    variable without an argument, or a function with no numeric value.  Also raised by
    :mod:`symdiff.interop` for what has no counterpart on the other side (SymPy's Integral,
    a function symdiff does not know, a symbol that cannot be a symdiff variable)."""


class EvaluationError(SymdiffError, ArithmeticError):
    """A numeric evaluation left a function's domain or the float range."""


class UsageError(SymdiffError):
    """A request that cannot be carried out as asked: a problem with the command line's
    options, or with a :class:`symdiff.pipeline.Request` (no value for a variable, no choice
    among several).  ``where`` = (the option as typed, index) puts a caret under the
    offending character."""

    def __init__(self, message: str, where: tuple[str, int] | None = None):
        self.message, self.where = message, where
        super().__init__(self.render())

    def render(self, ascii_only: bool = False) -> str:
        if self.where is None:
            return self.message
        line, index = self.where
        show = (lambda s: s.encode("ascii", "backslashreplace").decode()) if ascii_only else str
        return f"{self.message}\n  {show(line)}\n  {' ' * len(show(line[:index]))}^"


def _visible(text: str) -> str:
    """Replace characters that would hide the caret's true position (tabs, controls)."""
    return "".join(c if c.isprintable() and c != "\t" else " " for c in text)


def _escaped(text: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() else ascii(c)[1:-1] for c in text)


def _one_of(options: tuple[str, ...]) -> str:
    if len(options) == 1:
        return options[0]
    return ", ".join(options[:-1]) + " or " + options[-1]
