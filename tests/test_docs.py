"""Keep the documentation honest: its examples are run and their output compared.

* Every ``>>>`` example in README.md, docs/*.md and docs/*/*.md runs as a doctest, one test per file.
  Each page imports what it uses, so a page reads (and runs) on its own.
* Every ``$ ...`` line in a ```console block runs, and the lines printed to stdout and
  stderr must be the lines the page shows below it (up to the next ``$`` line).  The page
  shows the two streams interleaved as a terminal does; the test accepts any interleaving
  that keeps each stream's own order.
  - ``symdiff ...`` runs in-process through ``symdiff.cli.main``.
  - ``printf '...' | symdiff ...`` and ``echo '...' | symdiff ...`` run in-process with
    the printf/echo text as stdin.
  - ``echo $?`` shows the exit status of the previous command.
  - Anything else (environment variables, redirections, longer pipelines) runs in bash.
  Blocks marked ```text or ```sh are not run.
"""

from __future__ import annotations

import doctest
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from symdiff import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LIMITS_PAGE = DOCS / "reference" / "limits.md"    # being written separately; may be missing

README = ROOT / "README.md"                        # where a user looks first: its examples run too

PAGES = sorted({*DOCS.glob("*.md"), *DOCS.glob("*/*.md"), LIMITS_PAGE}) + [README]


def _id(path: Path) -> str:
    return "README.md" if path == README else str(path.relative_to(DOCS))


# ---------------------------------------------------------------- (a) Python examples

class MarkdownParser(doctest.DocTestParser):
    """Doctest on Markdown: only ```python blocks are examples.

    Everything outside them becomes blank lines (so line numbers stay right), which also
    makes a closing fence end an expected output, as a blank line does.
    """

    def parse(self, string, name="<string>"):
        kept, inside = [], False
        for line in string.splitlines():
            fence = line.strip()
            if fence.startswith("```"):
                inside = fence == "```python" if not inside else False
                kept.append("")
            else:
                kept.append(line if inside else "")
        return super().parse("\n".join(kept) + "\n", name)


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_python_examples(page: Path) -> None:
    if not page.exists():
        pytest.skip(f"{_id(page)} does not exist yet")
    result = doctest.testfile(str(page), module_relative=False, globs={},
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                              parser=MarkdownParser(), report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {_id(page)} failed (see stdout)"


# ---------------------------------------------------------------- (b) console examples

@dataclass
class Example:
    page: Path
    line: int              # 1-based line of the `$` command in the page
    command: str
    expected: list[str]

    def __str__(self) -> str:
        return f"{_id(self.page)}:{self.line}: $ {self.command}"


def console_examples(page: Path) -> list[Example]:
    examples: list[Example] = []
    block = None                        # None outside a fence, else the fence's language
    for number, text in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        fence = text.strip()
        if fence.startswith("```"):
            block = fence[3:] or "plain" if block is None else None
            continue
        if block != "console":
            continue
        if text.startswith("$ "):
            examples.append(Example(page, number, text[2:], []))
        elif examples and examples[-1].page == page:
            examples[-1].expected.append(text)
    return examples


def _sessions() -> list[list[Example]]:
    """The console examples of each block, in order (``echo $?`` refers to the one before)."""
    found = []
    for page in PAGES:
        if page.exists():
            found.extend(console_examples(page))
    return found


EXAMPLES = _sessions()


def _interleaves(shown: list[str], out: list[str], err: list[str]) -> bool:
    """Is ``shown`` a merge of ``out`` and ``err`` that keeps each one's order?"""
    reachable = {(0, 0)}
    for line in shown:
        reachable = {(i + 1, j) for i, j in reachable if i < len(out) and out[i] == line} | \
                    {(i, j + 1) for i, j in reachable if j < len(err) and err[j] == line}
        if not reachable:
            return False
    return (len(out), len(err)) in reachable


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


_STDIN = re.compile(r"^(printf|echo) (?P<text>.+?) \| (?P<command>symdiff .*)$")


def _printf(text: str) -> str:
    return text.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def _in_process(argv: list[str], stdin: str, capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def run_example(example: Example, previous_status: int | None, capsys, monkeypatch):
    """(status, stdout, stderr) of one command."""
    command = example.command
    monkeypatch.setenv("COLUMNS", "80")               # argparse wraps --help to the terminal width
    if command == "echo $?":
        assert previous_status is not None, f"{example}: no command before it"
        return previous_status, f"{previous_status}\n", ""
    piped = _STDIN.match(command)
    if piped:
        words = shlex.split(piped["text"])
        text = _printf(words[0]) if piped[1] == "printf" else " ".join(words) + "\n"
        return _in_process(shlex.split(piped["command"])[1:], text, capsys, monkeypatch)
    words = shlex.split(command)
    if words[0] == "symdiff" and not any(w in command for w in ("|", ">", "<", ";", "&")):
        return _in_process(words[1:], "", capsys, monkeypatch)
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "COLUMNS": "80"})
    return done.returncode, done.stdout, done.stderr


def _sequence_ids() -> list[str]:
    return [f"{_id(e.page)}:{e.line}" for e in EXAMPLES]


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=_sequence_ids())
def test_console_example(index: int, capsys, monkeypatch) -> None:
    example = EXAMPLES[index]
    previous = None
    if example.command == "echo $?":
        before = EXAMPLES[index - 1]
        assert before.page == example.page, f"{example}: no command before it"
        previous, _, _ = run_example(before, None, capsys, monkeypatch)
    status, out, err = run_example(example, previous, capsys, monkeypatch)
    out_lines, err_lines = _lines(out), _lines(err)
    shown = [line.rstrip() for line in example.expected]
    assert _interleaves(shown, out_lines, err_lines), (
        f"{example}\n--- the page shows:\n" + "\n".join(shown)
        + "\n--- stdout:\n" + "\n".join(out_lines) + "\n--- stderr:\n" + "\n".join(err_lines)
        + f"\n--- exit status {status}")


def test_console_examples_found() -> None:
    """The parser of console blocks still finds the examples (a guard against a silent pass)."""
    assert len(EXAMPLES) > 50
    assert all(e.command for e in EXAMPLES)
    assert sum(e.page == README for e in EXAMPLES) >= 4        # the README's own examples run


# ---------------------------------------------------------------- copies of the source

def _block(text: str, opening: str, after: int = 0) -> str:
    start = text.index(opening, after) + len(opening)
    return text[start:text.index("\n```", start) + 1]


def test_grammar_page_shows_the_grammar_file() -> None:
    page = (DOCS / "reference" / "grammar.md").read_text(encoding="utf-8")
    grammar = (ROOT / "grammar" / "symdiff.lark").read_text(encoding="utf-8")
    assert _block(page, "```lark\n") == grammar


def test_function_table_is_current(capsys) -> None:
    """The table of built-in functions is what the script on the same page prints."""
    page = (DOCS / "reference" / "grammar.md").read_text(encoding="utf-8")
    script = _block(page, "```python\n", page.rindex("```python\n", 0, page.index('"""Print the function table')))
    exec(compile(script, "grammar.md table script", "exec"), {"__name__": "table"})
    printed = capsys.readouterr().out.splitlines()
    table = page[page.index("### Built-in functions"):page.index("That is ")]
    shown = [line.replace("\\|", "|") for line in table.splitlines() if line.startswith("| `")]
    assert shown == [line for line in printed if line.startswith("| `")]
