"""Numbers out: the code of every backend and the functions lambdify makes from it.

The oracle is symdiff's own ``evaluate`` (checked against mpmath and SymPy elsewhere): every
backend's value agrees with it to 1e-12 relative, on every function of the table that the
backend can write, on the benchmark families' gradients and Hessians, and on random
formulas (Hypothesis).  JAX's own ``grad`` of a generated derivative agrees with symdiff's
second derivative.  NumPy is a test dependency; JAX and PyTorch tests run where they are
installed (.ci/run installs them beside the compiled wheel).
"""

from __future__ import annotations

import ast
import math
import random
import re
import subprocess
import sys
import warnings

import pytest
from hypothesis import given
from strategies import counted, example, expressions, property_settings, verdict
from test_function_grid import ROWS, formula, point_for

import symdiff
from symdiff import (CodegenError, EvaluationError, FUNCTIONS, SymdiffWarning, diff, evaluate, gradient,
                     hessian, jacobian, lambdify, parse, to_code)
from symdiff.cli import main
from symdiff.codegen import ARRAY_BACKENDS, CODE_NAMES, c_compiler, c_name, python_name
from symdiff.functions import LOG_BASE

np = pytest.importorskip("numpy")

RELATIVE = 1e-12
SEED = "log(x) + x*y - sin(y)"


def installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


ARRAYS = [pytest.param(b, marks=pytest.mark.skipif(not installed(b), reason=f"{b} is not installed"))
          for b in ("numpy", "jax", "torch")]
HAS_CC = c_compiler() is not None
EVERY = [*ARRAYS, pytest.param("c", marks=pytest.mark.skipif(not HAS_CC, reason="no C compiler")), "python"]


@pytest.fixture(autouse=True, scope="module")
def jax_in_double_precision():
    """JAX computes in float32 unless asked; the agreement to 1e-12 needs float64."""
    if installed("jax"):
        import jax
        jax.config.update("jax_enable_x64", True)
    yield


def as_numpy(value) -> np.ndarray:
    if hasattr(value, "detach"):                       # a torch tensor
        value = value.detach().numpy()
    return np.asarray(value, dtype=float)


def agree(got, want, relative: float = RELATIVE) -> bool:
    got, want = as_numpy(got), np.asarray(want, dtype=float)
    both_nan = np.isnan(got) & np.isnan(want)
    close = np.abs(got - want) <= relative * np.maximum(np.abs(want), 1e-300) + 1e-300
    return got.shape == want.shape and bool(np.all(both_nan | close | (got == want)))


def values_at(exprs: list, names: list[str], points: list[dict]) -> np.ndarray:
    """evaluate's values, shaped (outputs, points)."""
    return np.array([[evaluate(e, p) for p in points] for e in exprs])


def call(function, backend: str, columns: list[np.ndarray]):
    if backend == "python":                            # numbers in, numbers out, point by point
        return np.moveaxis(np.array([function(*point) for point in zip(*columns)]), 0, -1)
    return function(*columns)


# ---------------------------------------------------------------- every function of the table

def _row(fn: str):
    return LOG_BASE if fn == "log/2" else FUNCTIONS[fn]


def _writes_all(exprs: list, backend: str) -> bool:
    """Whether ``backend`` can write every function the expressions call."""
    from symdiff.expr import Call, postorder_of
    return all(_writes("log/2" if n.fn == "log" and len(n.args) == 2 else n.fn, backend)
               for n in postorder_of(exprs) if type(n) is Call)


def _writes(fn: str, backend: str) -> bool:
    """Whether ``backend`` can write the function of row ``fn`` (its column, and names the
    backend has)."""
    row = _row(fn)
    if backend == "python":
        return row.python is not None
    if backend == "c":
        return row.c_code is not None
    code = row.array_code
    if code is None:
        return False
    have = ARRAY_BACKENDS[backend]
    import re
    return (all(n in have.special_names for n in re.findall(r"special\.(\w+)", code))
            and not any(n in have.lacks for n in re.findall(r"xp\.(\w+)", code)))


@pytest.mark.parametrize("backend", EVERY)
@pytest.mark.parametrize("fn", ROWS)
def test_every_function_in_every_backend_that_has_it(fn, backend):
    """y*f(x) and its derivative at 20 points inside the domain, against evaluate (enough
    points for the compiled path's vector loop, whose vector exp, sin, ... are libmvec's)."""
    expr = parse(formula(fn))
    exprs = [expr, diff(expr, "x")]
    if not _writes_all(exprs, backend):
        with pytest.raises(CodegenError, match="has no"):
            lambdify(["x", "y"], exprs, backend=backend)
        return
    x = point_for(fn)
    xs = x * np.linspace(0.99, 1.01, 20)
    ys = np.resize([1.3, -0.7, 2.1], 20)
    want = values_at(exprs, ["x", "y"], [{"x": a, "y": b} for a, b in zip(xs, ys)])
    # SciPy's and JAX's special functions are good to about 1e-13, not always to the last bit
    tolerance = RELATIVE if "special." not in (_row(fn).array_code or "") or backend in ("c", "python") else 1e-10
    got = call(lambdify(["x", "y"], exprs, backend=backend), backend, [xs, ys])
    assert agree(got, want, tolerance), (fn, backend, as_numpy(got), want)


def test_every_function_has_array_code():
    """Every row of the table is written for NumPy (SciPy's special functions where NumPy
    has none); C lacks what math.h lacks."""
    assert [fn for fn in ROWS if _row(fn).array_code is None] == []
    assert sorted(fn for fn in ROWS if _row(fn).c_code is None) == sorted(
        ["re", "im", "conj", "arg", "erfi", "digamma", "polygamma", "beta", "LambertW", "besselj",
         "bessely", "besseli", "besselk", "Ei", "Si", "Ci", "li", "ff"])


# ---------------------------------------------------------------- gradients, Jacobians, Hessians

def rosenbrock(n: int) -> str:
    return " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(n - 1))


def logsumexp(n: int) -> str:
    return "log(" + " + ".join(f"exp(x{i})" for i in range(n)) + ")"


def tanh_net(n: int) -> list[str]:
    return [f"tanh({' + '.join(f'{(i + j) % 5 - 2}*x{j}' for j in range(n))} + {i})" for i in range(n)]


FAMILIES = {
    "seed gradient": lambda: gradient(SEED),
    "seed hessian": lambda: hessian(SEED),
    "rosenbrock gradient": lambda: gradient(rosenbrock(6)),
    "rosenbrock hessian": lambda: hessian(rosenbrock(4)),
    "logsumexp gradient": lambda: gradient(logsumexp(8)),
    "logsumexp hessian": lambda: hessian(logsumexp(3)),
    "tanh network jacobian": lambda: jacobian(tanh_net(4)),
}


def _points(names: list[str], count: int, seed: int = 5) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.2, 2.0, count) for _ in names]


@pytest.mark.parametrize("backend", EVERY)
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_families_agree_with_evaluate(family, backend):
    result = FAMILIES[family]()
    flat = [e for row in result for e in (row if isinstance(row, (list, tuple)) else [row])]
    names = sorted(set().union(*(e.free for e in flat))) or ["x"]
    columns = _points(names, 20)
    want = values_at(flat, names, [dict(zip(names, p)) for p in zip(*columns)])
    got = as_numpy(call(lambdify(names, result, backend=backend), backend, columns))
    shape = (len(result), len(result[0])) if isinstance(result[0], (list, tuple)) else (len(result),)
    assert got.shape == (*shape, 20)
    assert agree(got.reshape(len(flat), 20), want)


# ---------------------------------------------------------------- random formulas

@counted(at_least=0.5)
@property_settings(40)
@given(expressions(wrt="x", floats=True, max_leaves=8))
def test_random_gradients_agree_with_evaluate_in_numpy_and_c(expr):
    example()
    names = sorted(expr.free | {"x"})
    partials = gradient(expr, names)
    rng = random.Random(hash(str(expr)) & 0xFFFF)
    points = [{n: rng.choice([0.7, 1.3, 0.45, 1.9, 2.6]) * rng.choice([1, -1]) for n in names}
              for _ in range(6)]
    try:
        want = values_at(partials, names, points)
    except (EvaluationError, CodegenError):
        # keep the points where every partial has a value
        points = [p for p in points if _defined(partials, p)]
        if not points:
            return
        want = values_at(partials, names, points)
    columns = [np.array([p[n] for p in points]) for n in names]
    backends = ["numpy", *(["c"] if HAS_CC else [])]
    for backend in backends:
        got = lambdify(names, partials, backend=backend)(*columns)
        assert agree(got, want, 1e-11), (str(expr), backend, got, want)
    verdict(len(points))


def _defined(exprs, point) -> bool:
    try:
        for e in exprs:
            evaluate(e, point)
    except EvaluationError:
        return False
    return True


# ---------------------------------------------------------------- shapes and broadcasting

@pytest.mark.parametrize("backend", [b for b in EVERY if b != "python"])
def test_output_shapes_follow_outputs_then_inputs(backend):
    g = lambdify(["x", "y"], gradient(SEED), backend=backend)
    h = lambdify(["x", "y"], hessian(SEED), backend=backend)
    one = lambdify(["x", "y"], parse(SEED), backend=backend)
    xs = np.linspace(0.5, 2, 5)
    assert as_numpy(g(xs, 2.0)).shape == (2, 5)                   # a scalar broadcasts
    assert as_numpy(h(xs, xs)).shape == (2, 2, 5)
    assert as_numpy(one(xs[:, None], xs[None, :])).shape == (5, 5)  # outer product of the grids
    assert as_numpy(g(1.5, 2.0)).shape == (2,)
    assert as_numpy(one(1.5, 2.0)).shape == ()
    # constant outputs fill the whole shape: d/dy of x*y + y is x + 1, d/dx of it ... 2 rows
    constant = lambdify(["x", "y"], gradient("2*x + 3*y"), backend=backend)
    assert agree(constant(xs, xs), np.array([[2.0] * 5, [3.0] * 5]))


@pytest.mark.parametrize("backend", ["numpy", *(["c"] if HAS_CC else [])])
def test_many_points_in_blocks_with_broadcasting(backend):
    """More points than a block (NumPy computes block by block), arguments broadcast."""
    from symdiff.codegen import BLOCK
    f = lambdify(["x", "y"], hessian(SEED), backend=backend)
    xs = np.linspace(0.5, 3.0, 2 * BLOCK + 123)
    ys = np.linspace(-1.0, 1.0, 7)[:, None]              # a (7, 1) column against (n,)
    got = as_numpy(f(xs, ys))
    assert got.shape == (2, 2, 7, xs.size)
    assert agree(got[0, 0], np.broadcast_to(-1 / xs**2, (7, xs.size)))
    assert agree(got[1, 1], np.broadcast_to(np.sin(ys), (7, xs.size)))
    assert agree(got[0, 1], np.ones((7, xs.size)))
    g = lambdify(["x", "y"], diff(SEED, "x"), backend=backend)   # one output, a scalar y
    assert agree(g(xs, 2.0), 2.0 + 1 / xs)


def test_the_numpy_function_writes_into_out():
    namespace: dict = {}
    exec(to_code(gradient(SEED), backend="numpy", name="gradient"), namespace)  # noqa: S102
    out = np.zeros((2, 3))
    namespace["gradient"](np.array([1.0, 2.0, 4.0]), 5.0, out=out)
    assert agree(out, [[6.0, 5.5, 5.25], [1 - math.cos(5.0), 2 - math.cos(5.0), 4 - math.cos(5.0)]])


# every kind of last operation an output can have, and outputs that are numbers or temporaries
LAST_OPERATIONS = ["-x*y*z", "-x", "-x^2", "-2*x/y", "-exp(x)", "3 - x", "x^3", "-sin(x)*cos(y)",
                   "abs(x)", "sqrt(x) + 1", "x + y + z - 2", "1/(x*y)", "exp(x)*z", "4", "log(x)"]


@pytest.mark.parametrize("points", [(1.5, 0.5, 2.0), (np.array([0.7, 1.5, 2.0]), 0.5, np.array([[2.0], [3.0]]))])
def test_numpy_writes_each_outputs_last_operation_into_out(points):
    """``np.add(a, b, out=out[k, ...])`` rather than ``out[k] = a + b``; the values stay
    evaluate's, for numbers (a 0-d view of out) and broadcast arrays alike."""
    exprs = [parse(t) for t in LAST_OPERATIONS]
    source = to_code(exprs, ["x", "y", "z"], backend="numpy")
    for ufunc in ("add", "subtract", "multiply", "divide", "negative", "exp", "abs", "log"):
        assert f"np.{ufunc}(" in source and ", out=out[" in source
    assert "np.multiply(-2 * x, " in source                # the minus stays on the first factor
    got = np.asarray(lambdify(["x", "y", "z"], exprs, backend="numpy")(*points))
    x, y, z = np.broadcast_arrays(*points)
    want = np.array([[evaluate(e, x=float(a), y=float(b), z=float(c)) for a, b, c in zip(x.flat, y.flat, z.flat)]
                     for e in exprs]).reshape(got.shape)
    assert agree(got, want)


def test_python_backend_gives_numbers_and_nested_lists():
    assert lambdify("x, y", hessian(SEED), backend="python")(2.0, 0.0) == [[-0.25, 1.0], [1.0, 0.0]]
    assert lambdify("x", "x^2", backend="python")(3.0) == 9.0
    assert lambdify(["x"], parse("x^2")).__name__ == "lambdified"          # numpy by default


def test_numpy_returns_a_number_for_numbers():
    value = lambdify(["x"], parse("x^2"), backend="numpy")(3.0)
    assert isinstance(value, np.floating) and value == 9.0


# ---------------------------------------------------------------- domain errors

def test_domain_errors_follow_each_backends_conventions():
    xs = np.array([-1.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # NumPy's own warnings are silenced
        got = lambdify(["x"], parse("log(x)"), backend="numpy")(xs)
    assert np.isnan(got[0]) and got[1] == -math.inf and got[2] == 0.0
    if HAS_CC:
        got = lambdify(["x"], parse("log(x)"), backend="c")(xs)
        assert np.isnan(got[0]) and got[1] == -math.inf and got[2] == 0.0
    with pytest.raises(EvaluationError, match="log"):
        lambdify(["x"], parse("log(x)"), backend="python")(-1.0)
    with pytest.raises(EvaluationError, match="division by zero"):
        lambdify(["x"], [parse("1/x"), parse("x")], backend="python")(0.0)


@pytest.mark.parametrize("backend", [b for b in EVERY if b != "python"])
def test_piecewise_picks_the_branch_elementwise(backend):
    f = lambdify(["x"], parse("Piecewise((x^2, x < 0), (sqrt(x), x < 4), (1, True))"), backend=backend)
    assert agree(f(np.array([-2.0, 1.0, 9.0])), np.array([4.0, 1.0, 1.0]))


def test_complex_formulas_in_numpy():
    got = lambdify(["x"], parse("exp(I*x)"), backend="numpy")(np.array([0.0, math.pi / 2]))
    assert np.allclose(got, [1.0, 1j])
    with pytest.raises(CodegenError, match="complex"):
        to_code(parse("exp(I*x)"), backend="jax")


# ---------------------------------------------------------------- JAX and PyTorch as themselves

@pytest.mark.skipif(not installed("jax"), reason="jax is not installed")
def test_jax_code_is_jit_compatible_and_differentiable():
    import jax
    f = parse("x^3*sin(x) + exp(-x^2) + Piecewise((x, x < 1), (x^2, True))")
    first = diff(f, "x")
    second = diff(f, "x", 2)
    function = lambdify(["x"], first, backend="jax")
    xs = np.array([0.3, 0.8, 1.7, 2.4])
    assert agree(jax.jit(function)(xs), function(xs))
    by_jax = jax.vmap(jax.grad(lambda x: function(x)))(xs)    # JAX differentiating our code
    assert agree(by_jax, [evaluate(second, x=float(x)) for x in xs], 1e-11)


@pytest.mark.skipif(not installed("torch"), reason="torch is not installed")
def test_torch_code_is_differentiable_by_autograd():
    import torch
    first = diff("x^3*sin(x) + exp(-x^2)", "x")
    second = diff(first, "x")
    x = torch.tensor([0.3, 0.8, 1.7], dtype=torch.float64, requires_grad=True)
    lambdify(["x"], first, backend="torch")(x).sum().backward()
    assert agree(x.grad, [evaluate(second, x=v) for v in (0.3, 0.8, 1.7)], 1e-11)


def test_torch_lacks_cbrt_and_says_so():
    with pytest.raises(CodegenError, match="torch lacks cbrt"):
        to_code(parse("cbrt(x)"), backend="torch")


# ---------------------------------------------------------------- the C path

@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_c_source_compiles_and_names_are_safe():
    source = to_code(gradient("double*y0 + sin(double)"), backend="c", name="gradient")
    assert "double double_" in source and "double y0_" in source
    assert c_name("double") == "double_"
    values = lambdify(["double", "y0"], gradient("double*y0 + sin(double)"), backend="c")(1.0, 2.0)
    assert agree(values, [2.0 + math.cos(1.0), 1.0])



@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
@pytest.mark.parametrize("term", ["(1 - x{i})^2", "exp(1 - x{i})"])
def test_c_loop_leaves_zero_outputs_to_the_zeroed_array(term):
    """A sparse Hessian: its zeros are not written point by point, and are 0 all the same;
    polynomial, it goes one point at a time; with exp, a block at a time (vectorised) where
    the build has glibc's vector functions, and one point at a time where it has not."""
    from symdiff.codegen import _c_source, _prepared
    from symdiff.expr import ZERO
    names = [f"x{i}" for i in range(6)]
    f = parse(" + ".join(f"100*(x{i + 1} - x{i}^2)^2 + {term.format(i=i)}" for i in range(5)))
    h = hessian(f, names)
    zeros = sum(entry is ZERO for row in h for entry in row)
    assert zeros > 10
    source = _c_source(*_prepared(h, names, "test"), "lambdified", loop=True)
    one_point_at_a_time = source[source.index("static inline void lambdified("):]
    assert one_point_at_a_time.count("    out[") == 36 - zeros
    if "exp" in term:
        written = re.search(r"written\[\] = \{([^}]*)\}", source).group(1).split(", ")
        assert len(written) == 36 - zeros        # the outputs the vector kernel computes
    else:
        assert "written" not in source
    rows = np.random.default_rng(3).uniform(-1.5, 1.5, (150, 6))      # blocks, the last one short
    compiled = lambdify(names, h, backend="c")
    for got in (compiled.at_points(rows), compiled(*rows.T)):
        assert agree(got, lambdify(names, h, backend="numpy").at_points(rows))
        assert np.all(got[np.array([[entry is ZERO for entry in row] for row in h])] == 0)


@pytest.mark.skipif(not HAS_CC or sys.platform != "linux", reason="no C compiler, or not Linux")
def test_c_with_glibcs_vector_functions_where_the_build_has_them():
    """On Linux with GCC and glibc's libmvec, a formula with exp is built with the vector
    functions and agrees with NumPy at points enough for several vector blocks."""
    import ctypes.util
    version = subprocess.run([c_compiler(), "--version"], capture_output=True, text=True).stdout
    if "clang" in version or ctypes.util.find_library("mvec") is None:
        pytest.skip("the vector functions need GCC and glibc's libmvec")
    names = ["x", "y"]
    g = gradient(parse("exp(x - y)/(1 + exp(x - y)) + cos(x*y)"), names)
    vectorised = lambdify(names, g, backend="c")
    assert "-DSYMDIFF_SIMD_MATH" in vectorised.flags and "-lmvec" in vectorised.flags
    rows = np.random.default_rng(9).uniform(-3, 3, (1000, 2))
    assert agree(vectorised.at_points(rows), lambdify(names, g, backend="numpy").at_points(rows))


@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_c_without_the_vector_functions_goes_one_point_at_a_time(monkeypatch):
    """A build without glibc's vector functions (another C library, clang) compiles the
    one-point-at-a-time branch of the same source, to the same values."""
    from symdiff import codegen
    monkeypatch.setattr(codegen, "C_BUILDS", codegen.C_BUILDS[1:])
    f = parse("exp(x*y)*tanh(x) + sin(y)^3")          # a formula no other test compiles
    names = ["x", "y"]
    plain = lambdify(names, gradient(f, names), backend="c")
    assert "SYMDIFF_SIMD_MATH" not in plain.flags and "#else" in plain.source
    rows = np.random.default_rng(8).uniform(-1, 1, (200, 2))
    assert agree(plain.at_points(rows), lambdify(names, gradient(f, names), backend="numpy").at_points(rows))


@pytest.mark.skipif(not HAS_CC, reason="no C compiler")
def test_variables_named_like_the_c_loops_locals():
    names = ["in", "n", "out", "row", "block", "point", "points", "free"]     # (i is the imaginary unit)
    values = lambdify(names, gradient(parse("in*row + n^2 - out + block*point*points*free"), names), backend="c")
    assert agree(values(3.0, 5.0, 7.0, 11.0, 2.0, 3.0, 5.0, 7.0), [11.0, 10.0, -1.0, 3.0, 105.0, 70.0, 42.0, 30.0])
    rows = np.random.default_rng(5).uniform(-1, 1, (300, 8))     # several blocks, the last one short
    assert agree(values.at_points(rows), lambdify(names, gradient(parse("in*row + n^2 - out + block*point*points*free"), names), backend="numpy").at_points(rows))


def test_without_a_compiler_c_falls_back_to_numpy_with_a_warning(monkeypatch):
    monkeypatch.setenv("CC", "/nonexistent/cc")
    assert c_compiler() is None
    with pytest.warns(SymdiffWarning, match="no C compiler found"):
        function = lambdify(["x"], parse("x^2"), backend="c")
    assert function(3.0) == 9.0


def test_a_function_without_c_code_is_refused_with_the_alternatives():
    with pytest.raises(CodegenError, match="besselj has no C code .* backend='numpy'"):
        to_code(parse("besselj(1, x)"), backend="c")


# ---------------------------------------------------------------- text and names

@pytest.mark.parametrize("backend", ["python", "numpy", "jax", "torch"])
def test_generated_code_reads_only_its_own_names(backend):
    names = ["np", "torch", "out", "shape", "x", "t1"]
    formula_ = " + ".join(f"{n}*sin({n})" for n in names) + " + exp(np*out)*exp(np*out)"
    source = to_code(gradient(formula_, names), names, backend=backend, name="gradient")
    tree = ast.parse(source)
    function = next(node for node in tree.body if isinstance(node, ast.FunctionDef))
    params = [a.arg for a in function.args.args]
    if backend == "numpy":                              # and where to put the values
        assert params.pop() == "out" and [d.value for d in function.args.defaults] == [None]
    assert params == [python_name(n) for n in names]
    assert not set(params) & CODE_NAMES
    read = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assert read <= set(params) | bound | CODE_NAMES, read - set(params) - bound - CODE_NAMES
    assert not bound & (CODE_NAMES - {"out", "shape"})


def test_readable_code():
    assert "y + 1 / x" in to_code(diff(SEED, "x"), backend="python")
    assert "return x - math.cos(y)" in to_code(diff(SEED, "y"), backend="python")
    c = to_code(parse("x^3 + x^(1/3) + sqrt(x)^3"), backend="c")
    assert "x * x * x" in c and "pow(x, 1.0 / 3)" in c


def test_shared_subexpressions_are_computed_once_for_all_outputs():
    source = to_code(gradient(logsumexp(5)), backend="numpy", name="gradient")
    assert source.count("np.exp(x0)") == 1 and source.count("np.log") == 0


def test_bad_requests_are_codegen_errors():
    with pytest.raises(CodegenError, match="unknown backend 'fortran'"):
        to_code("x", backend="fortran")
    with pytest.raises(CodegenError, match="unknown backend"):
        lambdify(["x"], "x", backend="fortran")
    with pytest.raises(CodegenError, match="f has no NumPy code"):
        to_code(parse("f(x)", functions=["f"]), backend="numpy")
    with pytest.raises(CodegenError, match="no argument for y"):
        lambdify(["x"], "x*y")
    with pytest.raises(CodegenError, match="one length"):
        lambdify(["x"], [["x", "x"], ["x"]])


# ---------------------------------------------------------------- the command line

@pytest.mark.parametrize("fmt", ["numpy", "jax", "torch", "c", "python"])
def test_cli_writes_one_function_for_a_gradient(fmt, capsys):
    code, out, err = run_cli(capsys, [SEED, "--wrt", "x,y", "--format", fmt])
    assert code == 0 and err == ""
    assert {"c": "void gradient(double x, double y, double *out)",
            "numpy": "def gradient(x, y, out=None):"}.get(fmt, "def gradient(x, y):") in out


def test_cli_exits_2_for_a_function_without_c_code(capsys):
    code, out, err = run_cli(capsys, ["besselj(1, x)", "--format", "c"])
    assert code == 2 and "besselj has no C code" in err and "Traceback" not in err


def run_cli(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_numpy_module_output_runs_as_written():
    completed = subprocess.run([sys.executable, "-m", "symdiff", SEED, "--wrt", "x,y", "--format", "numpy"],
                               capture_output=True, text=True, check=True)
    namespace: dict = {}
    exec(compile(completed.stdout, "<cli>", "exec"), namespace)  # noqa: S102
    assert agree(namespace["gradient"](np.array([2.0]), 0.0), [[0.5], [1.0]])


def test_package_names():
    assert symdiff.lambdify is lambdify and "lambdify" in symdiff.__all__ and "to_code" in symdiff.__all__


def test_evaluate_takes_arrays_and_compile_function_says_where_to_go():
    assert agree(evaluate("x*sin(x)", x=np.array([1.0, 2.0])), [math.sin(1.0), 2 * math.sin(2.0)])
    assert agree(evaluate("x*y", x=[1.0, 2.0], y=3), [3.0, 6.0])
    assert agree(evaluate("log(x)", x=np.array([-1.0])), [math.nan])       # the array convention
    compiled = symdiff.compile_function("x*sin(x)", ["x"])
    with pytest.raises(TypeError, match="lambdify"):
        compiled(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="takes 1 positional argument"):
        compiled(1.0, 2.0)


@pytest.mark.parametrize("backend", ["numpy", *(["c"] if HAS_CC else [])])
def test_points_given_as_rows(backend):
    """at_points takes SymEngine's layout, one row of arguments per point."""
    f = lambdify(["x", "y"], hessian(SEED), backend=backend)
    rows = np.random.default_rng(3).uniform(0.5, 2.0, (50, 2))
    assert agree(f.at_points(rows), f(rows[:, 0], rows[:, 1]))
    assert as_numpy(f.at_points(rows.reshape(5, 10, 2))).shape == (2, 2, 5, 10)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        f.at_points(np.ones((4, 3)))
