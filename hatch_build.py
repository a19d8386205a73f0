"""Build hook: compile symdiff's core modules with Cython when the wheel is built.

The modules stay plain Python; Cython compiles them as they are (no type declarations), which
makes differentiation and simplification about 1.5 times faster.  The ``.py`` files ship
beside the compiled ones, and Python imports the compiled module when both are present.

Pure Python instead, when:
- the install is editable (``pip install -e .``): the sources you edit are the code that runs;
- ``SYMDIFF_PURE_PYTHON=1`` is set (then Cython is not even installed for the build);
- compiling fails (no C compiler, say): the build says why on stderr, which pip shows with
  ``-v``, and goes on.

``symdiff.compiled_core`` tells at run time which of the two is installed.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# The hot path of differentiation: the DAG, the rules, the simplifier, the function table.
COMPILED_MODULES = ("expr", "diff", "simplify", "functions")

# What compiling needs at build time only (pip installs it into its build environment).
COMPILER_REQUIREMENTS = ["Cython>=3.3", "setuptools>=68"]


def pure_python_requested() -> bool:
    """Whether SYMDIFF_PURE_PYTHON asks for pure Python: 1, true, yes or on."""
    return os.environ.get("SYMDIFF_PURE_PYTHON", "").strip().lower() in ("1", "true", "yes", "on")


class CompileCore(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        return [] if pure_python_requested() else COMPILER_REQUIREMENTS

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        if pure_python_requested():
            self.app.display_info("symdiff: SYMDIFF_PURE_PYTHON is set; building pure Python")
            return
        self._work = Path(tempfile.mkdtemp(prefix="symdiff-build-"))
        # removed when the build process ends, whether the rest of the build succeeds or not
        atexit.register(shutil.rmtree, self._work, ignore_errors=True)
        try:
            built = self._compile()
        except Exception as error:                     # no compiler, no headers, ...
            reason = (str(error).splitlines() or [""])[0][:200]
            print(f"symdiff: compiling the core failed ({type(error).__name__}: {reason}); "
                  f"building pure Python instead", file=sys.stderr)
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        for path in built.values():
            build_data["force_include"][str(path)] = f"symdiff/{path.name}"
        self.app.display_info(f"symdiff: compiled {', '.join(built)}")

    def _compile(self) -> dict[str, Path]:
        """Cythonize and compile COMPILED_MODULES in a scratch directory; their paths by name."""
        from Cython.Build import cythonize
        from setuptools import Distribution
        from setuptools.command.build_ext import build_ext

        root = Path(self.root)
        sources = [str(root / "symdiff" / f"{name}.py") for name in COMPILED_MODULES]
        extensions = cythonize(
            sources, build_dir=str(self._work / "c"), quiet=True,
            # plain Python semantics: annotations are documentation, and no variable becomes a C
            # type (a C double ** double could be complex where Python gives a float)
            compiler_directives={"language_level": 3, "binding": True,
                                 "annotation_typing": False, "infer_types": False,
                                 "cpow": True})
        if sys.platform != "win32":
            for extension in extensions:
                extension.extra_compile_args = ["-g0"]     # no debug symbols: a fifth of the size
        command = build_ext(Distribution({"ext_modules": extensions}))
        command.build_lib = str(self._work / "lib")
        command.build_temp = str(self._work / "temp")
        command.parallel = os.cpu_count() or 1
        command.ensure_finalized()
        command.run()
        return {ext.name.rsplit(".", 1)[-1]: Path(command.get_ext_fullpath(ext.name))
                for ext in extensions}
