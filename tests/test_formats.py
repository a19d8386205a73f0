"""Output formats for other programs: JSON, tree, Python source, MathML.

* JSON: the CLI's document validates against the schema printed in
  docs/reference/formats.md (the test reads the schema from the page), and every
  tree rebuilds the expression it describes.
* tree: shared nodes are marked once and referred to afterwards.
* python: the function is exec'd in a fresh namespace and compared with
  symdiff.evaluate at random points, for table and random expressions and gradients.
* mathml: well-formed XML in the MathML namespace.
"""

from __future__ import annotations

import io
import json
import math
import random
import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from symdiff import EvaluationError, SymdiffError, diff, evaluate, parse, to_text
from symdiff.cli import run
from symdiff.expr import Num, Sym, add, call, mul, power
from symdiff.formats import to_mathml, to_python, to_tree, tree_data

from strategies import expressions

DOCS = Path(__file__).resolve().parent.parent / "docs" / "reference" / "formats.md"
MATHML = "{http://www.w3.org/1998/Math/MathML}"

FORMULAS = [
    "x^2", "log(x)+x*y-sin(y)", "sin(x)^2*cos(x)", "x/(1+x^2)", "exp(-x^2)", "sqrt(x^2+1)",
    "cbrt(x)+abs(x)", "log(x, 2) + log2(x) + log10(x)", "atan(x/y)", "x^y", "tanh(x)*sech(x)",
    "cot(x)+sec(x)+csc(x)", "asin(x/2)+acos(x/3)", "asinh(x)",
    "acot(x)+asec(x)+acsc(x)", "acosh(x+3)", "atanh(x/5)", "coth(x)+csch(x)", "sign(x)*x", "pi*x^(1/3)", "e^(x*y)",
    "(x+1)^(-3/2)", "1.5*x^2.5", "theta^2 + lambda", "x_1*x_2", "2^x", "(x-y)^3/(x+y)",
]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), io.StringIO(), out, err)
    return status, out.getvalue(), err.getvalue()


def random_expressions(count: int, floats: bool = True):
    found: dict = {}

    @settings(max_examples=count * 3, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(expressions(floats=floats))
    def collect(e):
        if len(found) < count:
            found[e] = None

    collect()
    return list(found)


# ---------------------------------------------------------------- JSON

def schema() -> dict:
    """The JSON Schema shown on docs/reference/formats.md (the first ```json block)."""
    page = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)\n```", page, re.S)
    assert block, "docs/reference/formats.md shows no JSON schema"
    return json.loads(block.group(1))


TYPES = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float),
         "null": type(None), "boolean": bool}


def validate(value, rule: dict, root: dict, where: str = "$") -> None:
    """The subset of JSON Schema the page uses: $ref, type, enum, const, properties,
    required, additionalProperties, items, minimum, oneOf."""
    if "$ref" in rule:
        rule = root["$defs"][rule["$ref"].rsplit("/", 1)[1]]
    if "oneOf" in rule:
        matches = 0
        for option in rule["oneOf"]:
            try:
                validate(value, option, root, where)
                matches += 1
            except AssertionError:
                pass
        assert matches == 1, f"{where}: {value!r} matches {matches} of the oneOf choices"
        return
    if "type" in rule:
        kinds = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
        assert any(isinstance(value, TYPES[k]) and not (k in ("integer", "number") and
                                                        isinstance(value, bool)) for k in kinds), \
            f"{where}: {value!r} is not {kinds}"
    if "const" in rule:
        assert value == rule["const"], f"{where}: {value!r} != {rule['const']!r}"
    if "enum" in rule:
        assert value in rule["enum"], f"{where}: {value!r} not in {rule['enum']}"
    if "minimum" in rule:
        assert value >= rule["minimum"], f"{where}: {value} < {rule['minimum']}"
    if isinstance(value, dict):
        for key in rule.get("required", []):
            assert key in value, f"{where}: missing {key!r}"
        properties = rule.get("properties", {})
        if rule.get("additionalProperties") is False:
            extra = set(value) - set(properties)
            assert not extra, f"{where}: unexpected keys {sorted(extra)}"
        for key, item in value.items():
            if key in properties:
                validate(item, properties[key], root, f"{where}.{key}")
    if isinstance(value, list) and "items" in rule:
        for i, item in enumerate(value):
            validate(item, rule["items"], root, f"{where}[{i}]")


def rebuild(tree: dict):
    """The expression a JSON tree describes; children must come before their parents."""
    built = []
    for i, node in enumerate(tree["nodes"]):
        args = node.get("args", [])
        assert all(0 <= a < i for a in args), f"node {i} refers to a later node: {node}"
        kids = [built[a] for a in args]
        match node["type"]:
            case "Num":
                text = node["value"]
                value = float(text) if any(c in text for c in ".en") else Fraction(text)
                built.append(Num(value.numerator if isinstance(value, Fraction)
                                 and value.denominator == 1 else value))
            case "Sym":
                built.append(Sym(node["name"]))
            case "Const":
                built.append(parse(node["name"]))
            case "Call":
                built.append(call(node["fn"], *kids))
            case "Add":
                built.append(add(*kids))
            case "Mul":
                built.append(mul(*kids))
            case "Pow":
                built.append(power(*kids))
    assert tree["root"] == len(built) - 1
    return built[-1]


JSON_RUNS = [
    ["x^2", "--format", "json"],
    ["log(x)+x*y-sin(y)", "--wrt", "x,y", "--format", "json"],
    ["log(x)+x*y-sin(y)", "--wrt", "x,y", "--format", "json", "--at", "x=2,y=5"],
    ["sin(x)^2", "--order", "3", "--format", "json"],
    ["x^2", "--wrt", "z", "--format", "json"],                 # a warning
    ["f(x^2)", "--func", "f", "--format", "json"],
    ["1.5*x^(1/3) + pi", "--format", "json"],
]


@pytest.mark.parametrize("argv", JSON_RUNS, ids=[" ".join(a) for a in JSON_RUNS])
def test_json_matches_the_documented_schema(argv):
    status, out, _ = cli(*argv)
    assert status == 0
    document = json.loads(out)
    root = schema()
    validate(document, root, root)
    assert document["input"] == argv[0]
    assert to_text(rebuild(document["expression"]["tree"])) == document["expression"]["text"]
    for item in document["derivatives"]:
        assert to_text(rebuild(item["tree"])) == item["text"]
        assert ("value" in item) == ("--at" in argv)


def test_json_content():
    _, out, _ = cli("log(x)+x*y-sin(y)", "--wrt", "x,y", "--format", "json", "--at", "x=2,y=5")
    document = json.loads(out)
    assert document["schema"] == 1
    assert [(d["wrt"], d["order"], d["text"], d["latex"]) for d in document["derivatives"]] == [
        ("x", 1, "y + 1/x", r"y + \frac{1}{x}"),
        ("y", 1, "x - cos(y)", r"x - \cos\!\left(y\right)")]
    assert document["derivatives"][0]["value"] == 5.5
    assert document["warnings"] == []
    _, out, _ = cli("x^2", "--wrt", "z", "--format", "json")
    assert json.loads(out)["warnings"] == ["z does not occur in the formula; its derivative is 0"]


def test_json_one_line_per_input_in_stdin_mode():
    out, err = io.StringIO(), io.StringIO()
    assert run(["-", "--format", "json"], io.StringIO("x^2\nsin(x)\n"), out, err) == 0
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["derivatives"][0]["text"] for line in lines] == ["2*x", "cos(x)"]


def test_json_tree_shares_nodes():
    data = tree_data(parse("sin(x)*sin(x) + sin(x)"))
    assert [n for n in data["nodes"] if n.get("fn") == "sin"] == [{"type": "Call", "fn": "sin",
                                                                   "args": [0]}]


@pytest.mark.parametrize("seed", range(3))
def test_json_trees_of_random_expressions_rebuild(seed):
    for e in random_expressions(40)[seed::3]:
        assert rebuild(tree_data(e)) == e


# ---------------------------------------------------------------- tree

def test_tree_marks_shared_nodes():
    status, out, _ = cli("sin(x^2)^2", "--format", "tree")
    assert status == 0
    lines = out.splitlines()
    shared = [line for line in lines if "[shared #" in line]
    later = [line for line in lines if "see above)" in line]
    assert shared and later
    for number in re.findall(r"\(#(\d+), see above\)", out):
        first = out.index(f"[shared #{number}]")
        assert first < out.index(f"(#{number}, see above)")


def test_tree_drawing():
    assert to_tree(parse("sin(x)*sin(x) + x")) == (
        "Add\n"
        "├── Sym x\n"
        "└── Mul\n"
        "    ├── Call sin  [shared #1]\n"
        "    │   └── Sym x\n"
        "    └── Call sin  (#1, see above)")
    assert "shared" not in to_tree(parse("x^2 + y"))


def test_tree_for_a_gradient_is_labelled():
    _, out, _ = cli("x*y", "--wrt", "x,y", "--format", "tree")
    assert out == "d/dx:\nSym y\nd/dy:\nSym x\n"


# ---------------------------------------------------------------- python

def python_function(source: str, name: str = "derivative"):
    namespace: dict = {"__name__": "generated"}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace[name]


def same_value(expr, function, variables, rng, points: int = 4) -> int:
    """Compare at random points; returns how many points were in the domain."""
    checked = 0
    for _ in range(points):
        point = {v: rng.uniform(-3, 3) for v in variables}
        try:
            expected = evaluate(expr, point)
        except (EvaluationError, ArithmeticError, ValueError):
            continue
        if not math.isfinite(expected):
            continue
        got = function(*[point[v] for v in variables])
        assert isinstance(got, (int, float)), f"{expr} at {point}: {got!r}"
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9), \
            f"{expr} at {point}: python {got!r}, evaluate {expected!r}"
        checked += 1
    return checked


@pytest.mark.parametrize("formula", FORMULAS)
def test_python_matches_evaluate(formula):
    rng = random.Random(formula)
    e = parse(formula)
    variables = sorted(e.free)
    for target in (e, *(diff(e, v) for v in variables)):
        source = to_python(target, variables)
        compile(source, "<generated>", "exec")
        same_value(target, python_function(source), variables, rng, points=6)


@pytest.mark.parametrize("formula", ["asec(x+2)", "acsc(x-3)", "acot(2*x)"])
def test_python_inverse_functions_of_a_compound_argument(formula):
    e = parse(formula)
    assert same_value(e, python_function(to_python(e)), ["x"], random.Random(1), points=20) > 0


def test_python_random_expressions():
    rng = random.Random(4)
    checked = 0
    for e in random_expressions(150):
        variables = ["x", "y"]
        targets = [e]
        try:
            targets.append(diff(e, "x"))
        except (SymdiffError, ArithmeticError):
            pass
        for target in targets:
            try:
                source = to_python(target, variables)
            except ValueError:
                continue
            checked += same_value(target, python_function(source), variables, rng)
    assert checked > 300


@pytest.mark.parametrize(("formula", "wrt"), [
    ("log(x)+x*y-sin(y)", "x,y"), ("x^3*y^2 + exp(x*y)", "x,y"), ("atan(y/x)", "x,y"),
    ("sqrt(x^2+y^2+z^2)", "x,y,z"),
])
def test_python_gradient_from_the_cli(formula, wrt):
    status, source, _ = cli(formula, "--wrt", wrt, "--format", "python")
    assert status == 0
    e = parse(formula)
    variables = sorted(e.free)
    namespace: dict = {}
    exec(compile(source, "<cli>", "exec"), namespace)
    rng = random.Random(formula)
    gradient = namespace["gradient"]                    # one function for all the derivatives
    for k, name in enumerate(wrt.split(",")):
        def component(*point, k=k):
            return gradient(*point)[k]
        assert same_value(diff(e, name), component, variables, rng, points=5) > 0


def test_python_from_the_cli_is_importable(tmp_path, monkeypatch):
    _, source, _ = cli("x^2*sin(x)", "--format", "python")
    (tmp_path / "generated_derivative.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib
    module = importlib.import_module("generated_derivative")
    assert math.isclose(module.derivative(1.3), evaluate(diff(parse("x^2*sin(x)"), "x"), x=1.3))


def test_python_names_shared_subexpressions_once():
    source = to_python(parse("sin(x)^2 + sin(x)"))
    assert source.count("math.sin(x)") == 1


@pytest.mark.parametrize("formula, code", [
    ("sqrt(x + 1)",      "math.sqrt(x + 1)"),
    ("1/sqrt(x)",        "1 / math.sqrt(x)"),
    ("x^(3/2)",          "math.sqrt(x)**3"),
    ("x^(-3/2)",         "1 / math.sqrt(x)**3"),
    ("3*sqrt(x)/2",      "3 * math.sqrt(x) / 2"),
    ("sqrt(x)^y",        "math.sqrt(x)**y"),
    ("x^(1/3)",          "x**(1/3)"),
])
def test_python_writes_square_roots_with_math_sqrt(formula, code):
    e = parse(formula)
    source = to_python(e, ["x", "y"])
    assert source.endswith(f"    return {code}\n")
    function = python_function(source)
    assert math.isclose(function(2.25, 1.5), evaluate(e, x=2.25, y=1.5), rel_tol=1e-15)


@pytest.mark.parametrize("formula, code", [
    ("1/x",              "1 / x"),
    ("(x+y)^-1",         "1 / (x + y)"),
    ("y/x^2",            "y / x**2"),
    ("x/(2*y)",          "x / (2 * y)"),
    ("-3*x/2",           "-3 * x / 2"),
    ("-1/x^2",           "-1 / x**2"),
    ("1.5*x^-2.5",       "1.5 / x**2.5"),
    ("-x",               "-x"),
    ("-x^2",             "-x**2"),
    ("x - cos(y)",       "x - math.cos(y)"),
    ("-cos(x)-sin(y)",   "-math.cos(x) - math.sin(y)"),
    ("2^(-x)",           "2**(-x)"),
    ("cot(x)^2",         "(1 / math.tan(x))**2"),
])
def test_python_reads_like_the_formula(formula, code):
    """Quotients and differences, not x**(-1) and (-1) * math.cos(y)."""
    e = parse(formula)
    source = to_python(e, ["x", "y"])
    assert source.endswith(f"    return {code}\n")
    assert math.isclose(python_function(source)(0.7, 1.3), evaluate(e, x=0.7, y=1.3), rel_tol=1e-14)


def test_python_square_root_of_a_negative_number_stays_real():
    function = python_function(to_python(parse("x^(3/2)")))
    with pytest.raises(ValueError, match="math domain error"):   # never a complex number
        function(-1.0)


def test_tree_and_json_show_a_square_root_as_the_power_it_is():
    assert to_tree(parse("sqrt(x)")) == "Pow\n├── Sym x\n└── Num 1/2"
    assert tree_data(parse("1/sqrt(x)"))["nodes"] == [
        {"type": "Sym", "name": "x"}, {"type": "Num", "value": "-1/2"}, {"type": "Pow", "args": [0, 1]}]


# ---------------------------------------------------------------- MathML

def well_formed(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == MATHML + "math"
    return root


@pytest.mark.parametrize("formula", FORMULAS)
def test_mathml_is_well_formed(formula):
    e = parse(formula)
    well_formed(to_mathml(e))
    for v in sorted(e.free):
        well_formed(to_mathml(diff(e, v)))


def test_mathml_random_expressions():
    for e in random_expressions(100):
        well_formed(to_mathml(e))


def test_mathml_from_the_cli():
    status, out, _ = cli("x^2*sin(x)", "--format", "mathml")
    assert status == 0
    root = well_formed(out.strip())
    assert root.get("display") == "block"
    assert root.find(f".//{MATHML}mi").text in {"x", "sin"}


def test_mathml_content():
    assert to_mathml(parse("x^2")) == ('<math xmlns="http://www.w3.org/1998/Math/MathML">'
                                       "<msup><mrow><mi>x</mi></mrow><mrow><mn>2</mn></mrow></msup></math>")
    root = well_formed(to_mathml(parse("sqrt(theta)/2")))
    assert root.find(f".//{MATHML}msqrt") is not None
    assert root.find(f".//{MATHML}mfrac") is not None
    assert "θ" in ET.tostring(root, encoding="unicode")


@pytest.mark.parametrize("formula, mathml", [
    ("sqrt(x)",     "<msqrt><mi>x</mi></msqrt>"),
    ("x^(1/2)",     "<msqrt><mi>x</mi></msqrt>"),
    ("1/sqrt(x)",   "<mrow><mfrac><mrow><mn>1</mn></mrow><mrow><msqrt><mi>x</mi></msqrt></mrow></mfrac></mrow>"),
    ("x^(3/2)",     "<msup><mrow><mi>x</mi></mrow><mrow><mfrac><mn>3</mn><mn>2</mn></mfrac></mrow></msup>"),
])
def test_mathml_square_roots(formula, mathml):
    assert to_mathml(parse(formula)) == f'<math xmlns="http://www.w3.org/1998/Math/MathML">{mathml}</math>'
