"""The parse tables kept on disk (symdiff.parser._machine): never code, never a link followed.

Each case starts a fresh interpreter with its own XDG_CACHE_HOME and HOME under tmp_path,
so what a start does with the cache directory is seen from outside: which files exist
afterwards, what they hold, and whether a planted file did anything.
"""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
import textwrap
import zlib

import pytest

from symdiff.parser import _cache_name

EXPECTED = "2*x*sin(x)"
PARSE = """
    from symdiff import parse
    print(parse("2x sin(x)"))
"""
# A start that must take the tables from the file: building them is forbidden, and Lark,
# needed only to build them or to explain an error, is never imported.
FROM_FILE = """
    import sys
    import symdiff.parser as parser
    def refuse(grammar):
        raise AssertionError("the tables were built, not read")
    parser._build_lark = refuse
    print(parser.parse("2x sin(x)"))
    assert "lark" not in sys.modules, "Lark was imported"
"""


_DEFAULT = object()


def start(tmp_path, code=PARSE, *, xdg=_DEFAULT, home=_DEFAULT, cwd=None, **env):
    """Run ``code`` in a fresh interpreter.  XDG_CACHE_HOME is tmp_path/cache and HOME is
    tmp_path/home unless given (None leaves the variable unset)."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("XDG_CACHE_HOME", "HOME", "SYMDIFF_NO_CACHE")}
    xdg = str(tmp_path / "cache") if xdg is _DEFAULT else xdg
    home = str(tmp_path / "home") if home is _DEFAULT else home
    for name, value in (("XDG_CACHE_HOME", xdg), ("HOME", home)):
        if value is not None:
            environment[name] = value
    environment.update(env)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=environment, cwd=cwd or tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[0] == EXPECTED
    return done


@pytest.fixture
def cache(tmp_path):
    """tmp_path/cache (the XDG_CACHE_HOME of every start) and tmp_path/home/.cache exist;
    returns the symdiff directory a start will use."""
    (tmp_path / "cache").mkdir()
    (tmp_path / "home" / ".cache").mkdir(parents=True)
    return tmp_path / "cache" / "symdiff"


def tree(path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


# ------------------------------------------------------------------ the file and its round trip

def test_the_first_start_writes_the_tables_the_second_reads_them(tmp_path, cache):
    start(tmp_path)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    (table,) = cache.iterdir()
    assert table.name == _cache_name() and stat.S_IMODE(table.stat().st_mode) == 0o600
    before = table.stat()
    start(tmp_path, FROM_FILE)                      # no build, no Lark: the file was used
    after = table.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert list(cache.iterdir()) == [table]         # no temporary file left behind


def test_the_file_is_a_header_and_json_data(tmp_path, cache):
    start(tmp_path)
    head, body = (cache / _cache_name()).read_bytes().split(b"\n", 1)
    header = json.loads(head)
    assert header["crc32"] == zlib.crc32(body)
    assert set(header["key"]) == {"format", "options", "lark", "grammar"}
    tables = json.loads(body)
    assert set(tables) == {"terminals", "flags", "ignore", "tokens", "start", "end", "table",
                           "rules"}


def test_an_error_is_still_explained_when_the_tables_come_from_the_file(tmp_path, cache):
    start(tmp_path)
    done = start(tmp_path, textwrap.dedent(PARSE) + textwrap.dedent("""
        from symdiff import ParseError
        try:
            parse("sin(x")
        except ParseError as error:
            print(str(error).splitlines()[0])
    """))
    assert done.stdout.splitlines()[1] == ("line 1, column 6: unexpected end of input: "
                                           "'(' opened at column 4 is never closed")


# ------------------------------------------------------------------ planted and damaged files

class _Payload:
    """Unpickling this runs a shell command that leaves a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_never_runs(tmp_path, cache):
    marker = tmp_path / "pwned"
    cache.mkdir(mode=0o700)
    payload = pickle.dumps(_Payload(marker))
    (cache / _cache_name()).write_bytes(payload)
    for old in ("grammar-lark1.3.1.cache", "grammar-lark.cache"):     # where Lark's pickle was
        (cache / old).write_bytes(payload)
    start(tmp_path)
    start(tmp_path)
    assert not marker.exists()
    assert (cache / _cache_name()).read_bytes().startswith(b'{"key"')  # rebuilt as data


@pytest.mark.parametrize("damage", [
    b"",
    b"not a parse table\n",
    b"\x80\x04\x95garbage",
    b'{"key": 1}\n{}',
    b"[" * 100_000 + b"\n" + b"]" * 100_000,
])
def test_a_damaged_file_is_rebuilt_silently(tmp_path, cache, damage):
    cache.mkdir(mode=0o700)
    (cache / _cache_name()).write_bytes(damage)
    done = start(tmp_path)
    assert done.stderr == ""
    start(tmp_path, FROM_FILE)                      # and the rebuilt file is good


def _rewritten(cache, change):
    """Our file with its tables changed and its checksum made to match again."""
    head, body = (cache / _cache_name()).read_bytes().split(b"\n", 1)
    header, tables = json.loads(head), json.loads(body)
    change(header, tables)
    body = json.dumps(tables).encode()
    header["crc32"] = zlib.crc32(body)
    (cache / _cache_name()).write_bytes(json.dumps(header).encode() + b"\n" + body)


@pytest.mark.parametrize("change", [
    lambda h, t: t.__setitem__("table", t["table"][:3]),            # truncated, checksum right
    lambda h, t: t["rules"][2].__setitem__(3, "__class__"),         # calls only Build's rules
    lambda h, t: t["terminals"].__setitem__(0, ["X", "(?P<Y>"]),    # a broken expression
    lambda h, t: h["key"].__setitem__("lark", "0.0.1"),             # made by another Lark
    lambda h, t: h["key"].__setitem__("grammar", "start: NAME"),    # from another grammar
    lambda h, t: h["key"].__setitem__("format", 0),
])
def test_tables_that_are_not_ours_are_made_anew(tmp_path, cache, change):
    start(tmp_path)
    _rewritten(cache, change)
    start(tmp_path)
    start(tmp_path, FROM_FILE)


def test_a_damaged_body_fails_its_checksum(tmp_path, cache):
    start(tmp_path)
    data = bytearray((cache / _cache_name()).read_bytes())
    data[-10] ^= 1
    (cache / _cache_name()).write_bytes(bytes(data))
    start(tmp_path)
    start(tmp_path, FROM_FILE)


# ------------------------------------------------------------------ links, FIFOs, modes, owners

def test_a_symlink_at_the_file_is_not_followed_and_its_target_is_untouched(tmp_path, cache):
    cache.mkdir(mode=0o700)
    target = tmp_path / "precious"
    target.write_text("keep me\n")
    (cache / _cache_name()).symlink_to(target)
    start(tmp_path)
    assert target.read_text() == "keep me\n"
    assert not (cache / _cache_name()).is_symlink()      # replaced by our own file
    start(tmp_path, FROM_FILE)
    assert target.read_text() == "keep me\n"


def test_a_symlink_at_the_file_to_valid_tables_is_not_read(tmp_path, cache):
    start(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    (cache / _cache_name()).rename(elsewhere)
    (cache / _cache_name()).symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    start(tmp_path)
    assert not (cache / _cache_name()).is_symlink()
    assert elsewhere.read_bytes() == before


def test_a_symlinked_cache_directory_is_not_used(tmp_path, cache):
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    cache.symlink_to(other)
    start(tmp_path)
    assert list(other.iterdir()) == []
    assert cache.is_symlink()


def test_a_fifo_at_the_file_does_not_hang_a_start(tmp_path, cache):
    cache.mkdir(mode=0o700)
    os.mkfifo(cache / _cache_name())
    start(tmp_path)                                 # the timeout would catch a hang
    start(tmp_path, FROM_FILE)


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722, 0o702])
def test_a_directory_others_can_write_in_is_not_used(tmp_path, cache, mode):
    cache.mkdir()
    cache.chmod(mode)
    start(tmp_path)
    assert list(cache.iterdir()) == []
    assert stat.S_IMODE(cache.stat().st_mode) == mode       # and left as it was


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a directory to another user needs root")
def test_a_directory_of_another_user_is_not_used(tmp_path, cache):
    cache.mkdir(mode=0o700)
    os.chown(cache, 54321, 54321)
    start(tmp_path)
    assert list(cache.iterdir()) == []


# ------------------------------------------------------------------ where the directory may be

def test_a_relative_xdg_cache_home_is_ignored(tmp_path, cache):
    work = tmp_path / "work"
    work.mkdir()
    start(tmp_path, xdg="relative/cache", cwd=work)
    assert list(work.iterdir()) == []
    assert (tmp_path / "home" / ".cache" / "symdiff" / _cache_name()).is_file()  # ~/.cache instead


def test_an_empty_xdg_cache_home_means_home_cache(tmp_path, cache):
    start(tmp_path, xdg="")
    assert (tmp_path / "home" / ".cache" / "symdiff" / _cache_name()).is_file()


def test_a_home_that_does_not_exist_is_never_created(tmp_path):
    start(tmp_path, xdg=None, home=str(tmp_path / "nonexistent" / "dir"))
    assert tree(tmp_path) == []


def test_a_missing_home_cache_is_made_as_the_xdg_default(tmp_path):
    (tmp_path / "home").mkdir()
    start(tmp_path, xdg=None, home=str(tmp_path / "home"))
    made = tmp_path / "home" / ".cache"
    assert (made / "symdiff" / _cache_name()).is_file() and made.stat().st_mode & 0o777 == 0o700


def test_a_cache_base_that_does_not_exist_is_never_created(tmp_path):
    start(tmp_path, xdg=str(tmp_path / "no" / "such" / "cache"), home=str(tmp_path / "home"))
    assert tree(tmp_path) == []


def test_only_the_last_directory_is_made(tmp_path, cache):
    start(tmp_path, xdg=str(tmp_path / "cache"))
    assert tree(tmp_path / "cache") == ["symdiff", f"symdiff/{_cache_name()}"]


def test_symdiff_no_cache_writes_nothing(tmp_path, cache):
    start(tmp_path, SYMDIFF_NO_CACHE="1")
    assert tree(tmp_path) == ["cache", "home", "home/.cache"]
