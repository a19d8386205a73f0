"""The command line's streams: stdout that reports a failed write, stderr that never fails,
stdin read line by line, and messages that fit the terminal's encoding.

A failed write to stdout raises :class:`OutputFailed` (exit status 74); a closed pipe stays a
``BrokenPipeError``, which ends the run quietly.  Messages to stderr are best effort, so a
closed or full stderr never hides the exit status.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Protocol, TextIO

from .errors import ParseError, SymdiffError, UsageError


class Writer(Protocol):
    """What the commands write to: a text stream, or :class:`Stdout` or :class:`Stderr`."""

    @property
    def encoding(self) -> str: ...
    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...


class OutputFailed(Exception):
    """The output could not be written (stdout closed, disk full, ...): exit status 74."""


class _Wrapped:
    """A text stream as the commands write to it; ``_do`` says what a failure does."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        return self._do("write", text)

    def flush(self) -> None:
        self._do("flush")

    def _do(self, method: str, *args):
        raise NotImplementedError


class Stdout(_Wrapped):
    """stdout as the commands write to it: a failed write raises :class:`OutputFailed` with
    the reason (a closed pipe stays a BrokenPipeError, which ends the run quietly)."""

    def _do(self, method: str, *args):
        if self.stream is None:
            raise OutputFailed("stdout is closed")
        try:
            return getattr(self.stream, method)(*args)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputFailed(error.strerror or str(error)) from None


class Stderr(_Wrapped):
    """stderr for messages: best effort, so a closed or full stderr never hides the status."""

    def _do(self, method: str, *args):
        try:
            if self.stream is not None:
                getattr(self.stream, method)(*args)
        except (OSError, ValueError):
            discard(self.stream)             # give up on it (and on Python's flush at exit)
            self.stream = None
        return len(args[0]) if args else None


def discard(stream: TextIO | None) -> None:
    """Point the stream's file descriptor at /dev/null, so that what is still buffered for it
    goes nowhere instead of failing again when Python flushes it at exit."""
    if stream is None:
        return
    with contextlib.suppress(AttributeError, OSError, ValueError):
        target = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, target)
        finally:
            os.close(devnull)


def read_lines(stdin: TextIO | None) -> Iterator[str]:
    """The lines of stdin; a stdin that is closed or cannot be read is bad input (exit 2)."""
    if stdin is None:
        raise SymdiffError("cannot read the formulas: stdin is closed ('-' reads one formula "
                           "per line from stdin)")
    while True:
        try:
            line = stdin.readline()
        except OSError as error:
            raise SymdiffError(f"cannot read stdin: {error.strerror or error}") from None
        if not line:
            return
        yield line


def message(error: Exception, stream: Writer) -> str:
    """The error text; on a terminal that cannot show the user's characters, escape
    them and keep the caret under the right one."""
    text = str(error)
    try:
        text.encode(stream.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        if isinstance(error, (ParseError, UsageError)):
            return error.render(ascii_only=True)
    return text
