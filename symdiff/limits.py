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
import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator
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
    max_seconds: float = 10.0           # time one call may take
    max_memory_mb: int = 1024           # memory one call may add to the process, in MB
    max_nodes: int = 5_000_000          # nodes one call may make

    def __post_init__(self):
        # Python converts integers to and from text only up to 4300 digits (about 14 000 bits).
        if self.max_int_bits > 14_000:
            raise ValueError("max_int_bits can be at most 14,000 (Python's 4300-digit limit on "
                             "converting integers to text)")
        for name in ("max_input_length", "max_depth", "max_int_bits", "max_order", "max_output_nodes",
                     "max_memory_mb", "max_nodes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")
        if not self.max_seconds > 0:
            raise ValueError("max_seconds must be positive")

    def with_(self, **changes) -> Limits:
        return replace(self, **changes)


# The limits of the work budget: they fire wherever the work happens to be, so no caller
# should dress them up as its own error (a parse error at some operator, say).
WORK = frozenset({"max_seconds", "max_memory_mb", "max_nodes"})

# The command-line option that sets each limit.
OPTIONS = {"max_input_length": "--max-length", "max_depth": "--max-depth",
           "max_int_bits": "--max-int-bits", "max_order": "--max-order",
           "max_output_nodes": "--max-output", "max_seconds": "--max-seconds",
           "max_memory_mb": "--max-memory", "max_nodes": "--max-nodes"}


_current: contextvars.ContextVar[Limits] = contextvars.ContextVar("symdiff_limits", default=Limits())  # noqa: B039 (frozen)


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


# ---------------------------------------------------------------- the work budget of a call

class _Budget:
    """What one call may still spend: it started at ``start`` (monotonic seconds), with the
    process at ``nodes`` nodes made; ``memory`` is the resident memory at the first check
    (reading it costs a system call, which most calls, done before a first check, never pay)."""

    __slots__ = ("start", "nodes", "memory")
    start: float
    nodes: int
    memory: int | None

    def __init__(self, nodes: int):
        self.start, self.nodes, self.memory = time.monotonic(), nodes, None


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("symdiff_budget", default=None)


@contextlib.contextmanager
def work_budget():
    """Bound the work of the block by the limits in force: time (``max_seconds``), memory
    added (``max_memory_mb``) and nodes made (``max_nodes``).  They are checked while the
    work goes on (see :func:`check_work`), and a limit that fires raises a LimitError naming
    itself.  Within a block that already has a budget, the outer one goes on counting, so a
    command line run or a gradient is one call however many steps it takes.

    >>> from symdiff import diff
    >>> with use_limits(Limits(max_nodes=1000)), work_budget():
    ...     diff("exp(x^2)", "x", 60)
    Traceback (most recent call last):
        ...
    symdiff.errors.LimitError: the computation made more than 1,000 nodes (Limits.max_nodes); raise it with --max-nodes if you mean it
    """
    token = _open_budget()
    try:
        yield
    finally:
        _close_budget(token)


def bounded(function):
    """Run every call of ``function`` within a :func:`work_budget`: the decorator of the
    public entry points."""
    @functools.wraps(function)
    def within_budget(*args, **kwargs):
        if _budget.get() is not None:         # inside a call that has its budget: go on
            return function(*args, **kwargs)
        token = _open_budget()
        try:
            return function(*args, **kwargs)
        finally:
            _close_budget(token)
    return within_budget


def _open_budget():
    """Start a budget if none is running; the token that ends it, or None."""
    if _budget.get() is not None:
        return None
    return _budget.set(_Budget(_nodes_made()))


def _no_nodes_counted() -> int:
    return 0


# The count of nodes made so far: expr.py, which imports this module, gives it.
_nodes_made: Callable[[], int] = _no_nodes_counted


def count_nodes_with(count: Callable[[], int]) -> None:
    global _nodes_made
    _nodes_made = count


def _close_budget(token) -> None:
    if token is not None:
        _budget.reset(token)


# How often the budget is checked: every CHECK_EVERY nodes made (expr.py), and every
# CHECK_EVERY nodes visited by a loop over a large DAG that makes none (:func:`checked`).
CHECK_EVERY = 4096


def checked(items: list) -> Iterable:
    """``items``, with the work budget checked every CHECK_EVERY of them: for loops over a
    large DAG that make no nodes (simplifying what is already simple, counting the written
    size), which the node maker's checks would not see.

    >>> list(checked([1, 2, 3]))
    [1, 2, 3]
    """
    if len(items) < CHECK_EVERY:
        return items
    return _checked(items)


def _checked(items: list) -> Iterator:
    for start in range(0, len(items), CHECK_EVERY):
        check_work()
        yield from items[start:start + CHECK_EVERY]


def check_work(made: int | None = None) -> None:
    """Raise a LimitError if the call in progress is over its budget; nothing outside a
    :func:`work_budget`.  The node maker calls it every few thousand nodes (``made`` is the
    process's count); loops that make no nodes call it now and then themselves.  Nodes and
    memory are the process's: threads working at once share what they count."""
    budget = _budget.get()
    if budget is None:
        return
    limits = current_limits()                 # the limits in force now, which diff(limits=) sets
    if made is not None and made - budget.nodes > limits.max_nodes:
        raise LimitError(f"the computation made more than {limits.max_nodes:,} nodes "
                         f"(Limits.max_nodes); raise it with --max-nodes if you mean it",
                         limit="max_nodes")
    if time.monotonic() - budget.start > limits.max_seconds:
        raise LimitError(f"the computation took more than {limits.max_seconds:g} s "
                         f"(Limits.max_seconds); raise it with --max-seconds if you mean it",
                         limit="max_seconds")
    if budget.memory is None:
        budget.memory = resident_memory()
    elif budget.memory and resident_memory() - budget.memory > limits.max_memory_mb << 20:
        raise LimitError(f"the computation needed more than {limits.max_memory_mb:,} MB of memory "
                         f"(Limits.max_memory_mb); raise it with --max-memory if you mean it",
                         limit="max_memory_mb")


def resident_memory() -> int:
    """The process's resident memory in bytes, or 0 where it cannot be read cheaply
    (only Linux's /proc is read; elsewhere the node and time limits bound memory)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
