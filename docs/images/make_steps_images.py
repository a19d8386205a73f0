"""Regenerate the step-by-step pictures (docs/images/steps-*.png) for docs/howto/steps.md.

    SYMDIFF_KATEX=/path/to/node_modules/katex python3 docs/images/make_steps_images.py

Each picture is the ``align*`` block that ``symdiff FORMULA --wrt x --steps --latex``
prints, rendered the way docs/images/make_images.py renders its pictures (KaTeX in
display mode, KaTeX's CSS and fonts, a headless Chromium screenshot, the white margin
trimmed); this script borrows that script's page, renderer and trimming.  The window
is wider, because a derivation carries its rules beside the formulas.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_images import PAGE, RENDER, latex, trim  # noqa: E402

EXAMPLES = {
    "steps-quotient.png": ["sin(x)/x", "--wrt", "x", "--steps", "--latex"],
    "steps-chain.png": ["sin(cos(exp(x)))", "--wrt", "x", "--steps", "--latex"],
}


def main() -> None:
    katex_dir = Path(os.environ.get("SYMDIFF_KATEX", "/tmp/katex/node_modules/katex"))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for tool, found in (("node", shutil.which("node")), ("chromium", chromium),
                        ("katex (SYMDIFF_KATEX)", (katex_dir / "package.json").exists() or None)):
        if not found:
            sys.exit(f"make_steps_images: {tool} is missing")
    css = katex_dir / "dist" / "katex.min.css"
    with tempfile.TemporaryDirectory() as work:
        for name, argv in EXAMPLES.items():
            block = latex(argv)                                    # one align* block
            html = subprocess.run(["node", "-e", RENDER, str(katex_dir)], input=json.dumps([block]),
                                  capture_output=True, text=True, check=True).stdout
            page = Path(work, name.replace(".png", ".html"))
            page.write_text(PAGE.format(css=css, body=html), encoding="utf-8")
            shot = Path(work, name)
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--no-first-run", "--hide-scrollbars",
                            "--force-device-scale-factor=2", f"--user-data-dir={Path(work, 'profile')}",
                            f"--screenshot={shot}", "--window-size=1900,520", str(page)],
                           check=True, capture_output=True, timeout=120)
            (HERE / name).write_bytes(trim(shot.read_bytes(), margin=32))
            print(f"{name}: symdiff {' '.join(repr(a) if ' ' in a else a for a in argv)}")


if __name__ == "__main__":
    main()
