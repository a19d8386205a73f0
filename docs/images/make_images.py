"""Regenerate the pictures in docs/images/ from symdiff's own LaTeX output.

    SYMDIFF_KATEX=/path/to/node_modules/katex python3 docs/images/make_images.py

Each example runs the symdiff command, renders its LaTeX with KaTeX
(katex.renderToString, display mode) into an HTML page that uses KaTeX's CSS and
fonts, screenshots the page with headless Chromium, and trims the white margin with
a few lines of standard-library Python (:func:`trim`).  Needs node and chromium.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import struct
import tempfile
import zlib
from pathlib import Path

from symdiff.cli import run

HERE = Path(__file__).resolve().parent

EXAMPLES = {
    "gradient.png": ["log(x)+x*y-sin(y)", "--wrt", "x,y", "--latex", "--equation"],
    "quotient.png": ["sin(x)/(1+x^2)", "--latex", "--equation"],
    "chain.png": ["exp(sin(sqrt(x)))", "--latex", "--equation"],
    "equation.png": ["x^2*exp(-x^2/2)", "--latex", "--equation", "--order", "2"],
    "cse.png": ["exp(sin(x))*sin(x)", "--latex", "--cse", "--equation"],
    # docs/howto/steps.md: derivations carry their rules beside the formulas, so they are wider
    "steps-quotient.png": ["sin(x)/x", "--wrt", "x", "--steps", "--latex"],
    "steps-chain.png": ["sin(cos(exp(x)))", "--wrt", "x", "--steps", "--latex"],
}

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://{css}">
<style>
  html, body {{ margin: 0; background: white; }}
  body {{ padding: 24px 32px; font-size: 22px; }}
  .katex-display {{ margin: 0.9em 0; text-align: left; }}
  .katex-display > .katex {{ text-align: left; }}
</style></head>
<body>{body}</body></html>
"""

RENDER = """
const katex = require(process.argv[1]);
const lines = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(lines.map((s) => katex.renderToString(s,
    {throwOnError: true, displayMode: true})).join("\\n"));
"""


def latex(argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    if run(argv, io.StringIO(), out, err) != 0:
        sys.exit(f"symdiff {' '.join(argv)} failed: {err.getvalue()}")
    return out.getvalue().strip()


def displayed(text: str) -> list[str]:
    """One displayed formula per line; an aligned block is one formula."""
    return [text] if text.startswith(r"\begin") else text.splitlines()


# ---------------------------------------------------------------- PNG trimming (stdlib only)

def _read_png(data: bytes) -> tuple[int, int, int, list[bytearray]]:
    """Width, height, bytes per pixel and unfiltered rows of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and not interlace, "unsupported PNG"
    bpp = 3 if colour == 2 else 4
    raw, stride, rows = zlib.decompress(idat), width * bpp, []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, bpp, rows


def _write_png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def trim(png: bytes, margin: int) -> bytes:
    """The picture cut to its non-white content plus a white margin, as RGB."""
    width, height, bpp, rows = _read_png(png)
    rgb = [bytes(b for i, b in enumerate(r) if i % bpp < 3) for r in rows]
    inked = lambda y, x: min(rgb[y][3 * x:3 * x + 3]) < 250      # noqa: E731
    ys = [y for y in range(height) if min(rgb[y]) < 250]
    xs = [x for x in range(width) if any(inked(y, x) for y in ys)]
    top, bottom, left, right = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
    white = b"\xff" * 3
    w = right - left + 2 * margin
    out = [white * w] * margin
    out += [white * margin + rgb[y][3 * left:3 * right] + white * margin for y in range(top, bottom)]
    out += [white * w] * margin
    return _write_png(w, len(out), out)


def main() -> None:
    katex_dir = Path(os.environ.get("SYMDIFF_KATEX", "/tmp/katex/node_modules/katex"))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for tool, found in (("node", shutil.which("node")), ("chromium", chromium),
                        ("katex (SYMDIFF_KATEX)", (katex_dir / "package.json").exists() or None)):
        if not found:
            sys.exit(f"make_images: {tool} is missing")
    css = katex_dir / "dist" / "katex.min.css"
    with tempfile.TemporaryDirectory() as work:
        for name, argv in EXAMPLES.items():
            source = latex(argv)
            html = subprocess.run(["node", "-e", RENDER, str(katex_dir)],
                                  input=json.dumps(displayed(source)), capture_output=True,
                                  text=True, check=True).stdout
            page = Path(work, name.replace(".png", ".html"))
            page.write_text(PAGE.format(css=css, body=html), encoding="utf-8")
            shot = Path(work, name)
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=2",
                            f"--user-data-dir={Path(work, 'profile')}",
                            f"--screenshot={shot}",
                            "--window-size=1900,520" if "--steps" in argv else "--window-size=1400,400",
                            str(page)],
                           check=True, capture_output=True, timeout=120)
            (HERE / name).write_bytes(trim(shot.read_bytes(), margin=32))
            print(f"{name}: symdiff {' '.join(repr(a) if ' ' in a else a for a in argv)}")


if __name__ == "__main__":
    main()
