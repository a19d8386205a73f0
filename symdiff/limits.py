"""Resource limits that keep hostile or accidental input from exhausting the machine.

Every surface (API, CLI, stdin) consults the same :class:`Limits`; the defaults
are generous for real formulas and small enough that exceeding one is refused
within about a second.

>>> Limits().max_order
10000
>>> with use_limits(Limits(max_order=3)):
...     current_limits().max_order
3
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, replace

from .errors import LimitError


@dataclass(frozen=True)
class Limits:
    """The limits in force; all sizes are counts, not bytes unless named so."""

    max_input_length: int = 2_000_000   # characters of formula text
    max_depth: int = 200_000            # nesting of round brackets (calls included)
    max_int_bits: int = 10_000          # integers folded exactly stay below this many bits
    max_order: int = 10_000             # derivative order
    max_output_nodes: int = 5_000_000   # distinct nodes in a result

    def __post_init__(self):
        # Python converts integers to and from text only up to 4300 digits (about 14 000 bits).
        if self.max_int_bits > 14_000:
            raise ValueError("max_int_bits can be at most 14,000 (Python's 4300-digit limit on "
                             "converting integers to text)")
        for name in ("max_input_length", "max_depth", "max_int_bits", "max_order", "max_output_nodes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")

    def with_(self, **changes) -> "Limits":
        return replace(self, **changes)


_current: contextvars.ContextVar[Limits] = contextvars.ContextVar("symdiff_limits", default=Limits())


def current_limits() -> Limits:
    return _current.get()


@contextlib.contextmanager
def use_limits(limits: Limits):
    """Run a block with other limits in force."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def check(value: int, limit: int, what: str, option: str) -> None:
    """Raise a LimitError naming the option that raises the limit."""
    if value > limit:
        raise LimitError(f"{what} ({value:,}) exceeds the limit of {limit:,}; "
                         f"raise it with {option} if you mean it")
