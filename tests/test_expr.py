"""The expression DAG: hash-consing, immutability, operators, substitution, sizes, depth."""

import ast
import copy
import math
import os
import pathlib
import pickle
import subprocess
import sys
from fractions import Fraction

import pytest

import symdiff
from symdiff import (Add, Call, Const, EvaluationError, Mul, Num, Pow, Sym, Symbol, dag_size, diff,
                     evaluate, parse, simplify, substitute, symbols, to_text, tree_size)
from symdiff.autodiff import Variable
from symdiff.expr import E, HALF, PI, call, postorder, power

x, y, z = symbols("x y z")


# ---------------------------------------------------------------- hash-consing

@pytest.mark.parametrize("one, other", [
    (lambda: Sym("x"),                 lambda: Symbol("x")),
    (lambda: Num(True),                lambda: Num(1)),
    (lambda: Num(False),               lambda: Num(0)),
    (lambda: Num(Fraction(4, 2)),      lambda: Num(2)),
    (lambda: Num(Fraction(2, 4)),      lambda: Num(Fraction(1, 2))),
    (lambda: Num(-0.0),                lambda: Num(0.0)),
    (lambda: Const("pi"),              lambda: PI),
    (lambda: x + y,                    lambda: y + x),
    (lambda: (x + y) + z,              lambda: x + (y + z)),
    (lambda: (x * y) * z,              lambda: z * (y * x)),
    (lambda: x ** 2 * 3,               lambda: 3 * x ** 2),
    (lambda: call("sin", x + 1),       lambda: call("sin", 1 + x)),
    (lambda: parse("2x sin(x) + 1"),   lambda: parse("1 + sin(x)*x*2")),
    (lambda: parse("e^x"),             lambda: call("exp", x)),
])
def test_equal_expressions_are_one_object(one, other):
    assert one() is other()


@pytest.mark.parametrize("one, other", [
    (lambda: Num(1),                   lambda: Num(1.0)),
    (lambda: Num(0),                   lambda: Num(0.0)),
    (lambda: Num(Fraction(1, 2)),      lambda: Num(0.5)),
    (lambda: Sym("x"),                 lambda: Sym("y")),
    (lambda: x - y,                    lambda: y - x),
    (lambda: x ** y,                   lambda: y ** x),
    (lambda: call("log", x, y),        lambda: call("log", y, x)),
])
def test_different_expressions_are_different_objects(one, other):
    assert one() is not other()


@pytest.mark.parametrize("value, normal", [
    (True,              1),
    (Fraction(6, 3),    2),
    (Fraction(3, 6),    Fraction(1, 2)),
    (2.0,               2.0),
    (-0.0,              0.0),
])
def test_numbers_are_normalised(value, normal):
    number = Num(value)
    assert number.value == normal and type(number.value) is type(normal)


@pytest.mark.parametrize("value, error", [
    (float("nan"),  EvaluationError),
    (float("inf"),  EvaluationError),
    ("1",           TypeError),
    (None,          TypeError),
])
def test_numbers_reject_non_numbers(value, error):
    with pytest.raises(error):
        Num(value)


@pytest.mark.parametrize("name", ["1x", "x y", "", "x-1"])
def test_variable_names_must_be_identifiers(name):
    with pytest.raises(ValueError):
        Sym(name)


def test_nodes_hash_and_compare_by_identity():
    table = {parse("x^2 + 1"): "a"}
    assert table[power(x, Num(2)) + 1] == "a"
    assert len({x + y, y + x, parse("x+y")}) == 1


def test_the_core_is_compiled_all_or_none_as_compiled_core_says():
    """The build hook compiles its list of modules, all or none; CI runs the suite once on
    each build and says which it expects (SYMDIFF_EXPECT_COMPILED)."""
    hook = pathlib.Path(__file__).parents[1] / "hatch_build.py"
    listed = next(ast.literal_eval(node.value) for node in ast.parse(hook.read_text()).body
                  if isinstance(node, ast.Assign) and node.targets[0].id == "COMPILED_MODULES")
    compiled = {name: not sys.modules[f"symdiff.{name}"].__file__.endswith(".py") for name in listed}
    assert compiled == {name: symdiff.compiled_core for name in listed}
    expected = os.environ.get("SYMDIFF_EXPECT_COMPILED")
    if expected is not None:
        assert symdiff.compiled_core == (expected == "1")


# The order of operands is decided by sort keys built from structural digests;
# (Num(-1) and Num(-2) once shared a digest because hash(-1) == hash(-2) in CPython.)
@pytest.mark.parametrize("one, other", [
    ("1/x + 1/x^2",           "1/x^2 + 1/x"),
    ("x^-1 * y * x^-2",       "x^-2 * y * x^-1"),
    ("sin(-1) + sin(-2)",     "sin(-2) + sin(-1)"),
])
def test_canonical_order_does_not_depend_on_the_order_of_operands(one, other):
    assert parse(one) is parse(other)


@pytest.mark.parametrize("text, printed", [
    ("x^3 + x + x^5 + x^2 + x^4",   "x^5 + x^4 + x^3 + x^2 + x"),     # powers beside their base, falling
    ("y*x^2",                       "x^2*y"),                         # x^2 sorts like x
    ("1 + 2*x + 3*x^2",             "3*x^2 + 2*x + 1"),               # c*t sorts like t
    ("cos(sin(x))*sin(x)*cos(x)^2", "cos(x)^2*sin(x)*cos(sin(x))"),   # simpler before deeper
    ("1/x + y",                     "y + 1/x"),                       # a reciprocal stays with powers
    ("x*y^2 + x^2*y",               "x^2*y + x*y^2"),                 # a product by its first factor
])
def test_canonical_order_reads_like_math(text, printed):
    assert to_text(parse(text)) == printed


def test_canonical_order_does_not_depend_on_the_hash_seed():
    program = ("import symdiff; print(symdiff.to_text(symdiff.parse("
               "'x^2 + x^3 + x^4 + x^5 + 2.5x + x/3 + sin(2x) + sin(x)')))")
    outputs = set()
    for seed in ("1", "2", "3"):
        run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


# ---------------------------------------------------------------- immutability

NODES = [Num(3), Num(Fraction(1, 3)), Num(2.5), PI, x, x + 1, 2 * x * y, x ** y, call("sin", x)]


@pytest.mark.parametrize("node", NODES, ids=map(repr, NODES))
@pytest.mark.parametrize("attribute", ["value", "name", "terms", "factors", "base", "fn", "free",
                                       "key", "anything"])
def test_nodes_cannot_be_changed(node, attribute):
    before = to_text(node)
    with pytest.raises(AttributeError):
        setattr(node, attribute, 0)
    assert to_text(node) == before


def test_node_attributes_cannot_be_deleted():
    with pytest.raises(AttributeError):
        del x.name


def test_node_attributes_survive_an_attempt_to_delete_them():
    with pytest.raises((AttributeError, TypeError)):
        del x.name
    assert x.name == "x"


# ---------------------------------------------------------------- operators

@pytest.mark.parametrize("built, text", [
    (lambda: x + 1,               "x + 1"),
    (lambda: 1 + x,               "x + 1"),
    (lambda: x - y,               "x - y"),
    (lambda: 1 - x,               "1 - x"),
    (lambda: 2 * x,               "2x"),
    (lambda: x * 2,               "2x"),
    (lambda: x / y,               "x/y"),
    (lambda: 1 / x,               "1/x"),
    (lambda: x ** 2,              "x^2"),
    (lambda: 2 ** x,              "2^x"),
    (lambda: x ** y ** z,         "x^y^z"),
    (lambda: -x,                  "-x"),
    (lambda: abs(x),              "abs(x)"),
    (lambda: x * x,               "x*x"),
    (lambda: E ** x,              "exp(x)"),
    (lambda: Fraction(1, 2) * x,  "x/2"),
    (lambda: 0.5 * x,             "0.5x"),
    (lambda: x + 0,               "x"),
    (lambda: x * 1,               "x"),
    (lambda: x * 0,               "0"),
    (lambda: x ** 0,              "1"),
    (lambda: x ** 1,              "x"),
    (lambda: -(-x),               "x"),    # noqa: B002 (a double negation, on purpose)
])
def test_operators_build_expressions(built, text):
    assert built() is parse(text)


def test_unary_plus_is_the_node_itself():
    assert +x is x


@pytest.mark.parametrize("other", ["y", None, [1], {"x": 1}])
def test_operators_refuse_non_numbers(other):
    with pytest.raises(TypeError):
        x + other
    with pytest.raises(TypeError):
        other * x


@pytest.mark.parametrize("name, args, message", [
    ("log",  (),           "log takes 1 or 2 arguments, got 0"),
    ("log",  (x, y, x),    "log takes 1 or 2 arguments, got 3"),
    ("sin",  (x, y),       "sin takes 1 argument, got 2"),
    ("sqrt", (),           "sqrt takes 1 argument, got 0"),
])
def test_function_builders_check_their_arity(name, args, message):
    with pytest.raises(TypeError, match=f"^{message}$"):
        getattr(symdiff, name)(*args)
    assert str(symdiff.log(x, 2)) == "log(x, 2)"


@pytest.mark.parametrize("node, kind, children", [
    (parse("x + y + 1"),    Add,   ("x", "y", "1")),
    (parse("3x y"),         Mul,   ("3", "x", "y")),
    (parse("x^y"),          Pow,   ("x", "y")),
    (parse("log(x, 2)"),    Call,  ("x", "2")),
])
def test_node_kinds_and_children(node, kind, children):
    assert type(node) is kind
    assert node.children == tuple(parse(c) for c in children)


# ---------------------------------------------------------------- square roots: one node, u^(1/2)

@pytest.mark.parametrize("built", [
    lambda: call("sqrt", x),
    lambda: symdiff.sqrt(x),
    lambda: power(x, HALF),
    lambda: x ** Fraction(1, 2),
    lambda: parse("sqrt(x)"),
    lambda: parse("√x"),
    lambda: parse("x^(1/2)"),
    lambda: parse("x**(2/4)"),
], ids=["call", "builder", "power", "operator", "sqrt(x)", "√x", "x^(1/2)", "x**(2/4)"])
def test_every_spelling_of_a_square_root_is_the_power_one_half(built):
    assert built() is Pow(x, HALF)


@pytest.mark.parametrize("text, expected", [
    ("sqrt(4)",        lambda: Num(2)),                          # fold_power takes the exact root
    ("sqrt(9/4)",      lambda: Num(Fraction(3, 2))),
    ("sqrt(0)",        lambda: Num(0)),
    ("sqrt(2.25)",     lambda: Num(1.5)),
    ("sqrt(2)",        lambda: Pow(Num(2), HALF)),               # no exact root: stays a power
    ("sqrt(-4)",       lambda: Pow(Num(-4), HALF)),              # not real: stays, for evaluate to refuse
    ("sqrt(x)^2",      lambda: x),
    ("√x^2",           lambda: x),
    ("sqrt(x)^3",      lambda: Pow(x, Num(Fraction(3, 2)))),
    ("1/sqrt(x)",      lambda: Pow(x, Num(Fraction(-1, 2)))),
    ("sqrt(x)^-3",     lambda: Pow(x, Num(Fraction(-3, 2)))),
    ("sqrt(x^2)",      lambda: Pow(Pow(x, Num(2)), HALF)),       # not |x|, and not x
    ("sqrt(x*y)",      lambda: Pow(Mul((x, y)), HALF)),          # not sqrt(x)*sqrt(y)
])
def test_square_roots_fold_as_powers(text, expected):
    assert parse(text) is expected()


def test_no_node_calls_sqrt():
    """Roots built anywhere, by the parser, the builders, Variables or the derivatives of the
    table's rows, are powers."""
    a = Variable(4.0, name="a")
    built = [parse("sqrt(x) + √(x+1) + sqrt(sqrt(x)) + 1/sqrt(y)"), symdiff.sqrt(x * y),
             symdiff.sqrt(a * a).to_expr(), symdiff.sqrt(2), symdiff.sqrt(Fraction(1, 2))]
    built += [diff(f"{fn}(x)", "x") for fn in ("asin", "acos", "asec", "acsc", "asinh", "acosh", "sqrt")]
    calls = [n for e in built for n in postorder(e) if type(n) is Call and n.fn == "sqrt"]
    assert calls == []
    assert symdiff.sqrt(a).value == 2.0


def test_call_sqrt_takes_one_argument():
    with pytest.raises(TypeError, match="^sqrt takes 1 argument, got 2$"):
        call("sqrt", x, y)


def test_one_node_so_the_two_spellings_cancel_and_merge():
    assert simplify("sqrt(x) - x^(1/2)") is Num(0)
    assert simplify("sqrt(x)*x") is parse("x^(3/2)")
    assert simplify("sqrt(x)*sqrt(x)") is x
    assert simplify("x/sqrt(x)") is parse("sqrt(x)")


# ---------------------------------------------------------------- substitute

@pytest.mark.parametrize("formula, mapping, expected", [
    ("x^2 + x",             {x: y + 1},                 "(y + 1)^2 + y + 1"),
    ("x*y + sin(x*y)",      {x * y: z},                 "z + sin(z)"),
    ("x^2 + 3x",            {x: Num(2)},                "10"),
    ("x/3",                 {x: Num(1)},                "1/3"),
    ("x - 2y",              {x: y, y: x},               "y - 2x"),
    ("sin(x)/x",            {x: Num(1)},                "sin(1)"),
    ("sin(x)/x",            {x: Num(2)},                "sin(2)/2"),
    ("f(x) + x",            {x: z},                     "f(z) + z"),
    ("log(x, y)",           {y: E},                     "log(x, e)"),
])
def test_substitute(formula, mapping, expected):
    assert substitute(parse(formula, functions=["f"]), mapping) is parse(expected, functions=["f"])


def test_substitute_without_a_match_returns_the_same_node():
    e = parse("x^2 + sin(y)")
    assert substitute(e, {Sym("q"): x}) is e
    assert substitute(e, {}) is e


def test_free_variables():
    assert parse("x^2 + sin(y) + pi + log(z, 2)").free == {"x", "y", "z"}
    assert parse("pi*e + 2").free == frozenset()
    assert substitute(parse("x + y"), {y: Num(1)}).free == {"x"}


# ---------------------------------------------------------------- sizes of a shared DAG

def test_sizes_of_a_small_shared_dag():
    e = parse("sin(x)*sin(x) + sin(x)")       # x, sin(x), sin(x)*sin(x), the sum
    assert dag_size(e) == 4
    assert tree_size(e) == 1 + (1 + 2 + 2) + 2


@pytest.mark.parametrize("levels", [1, 5, 60])
def test_sizes_of_a_power_tower(levels):
    e = x                                       # e_(k+1) = e_k ^ e_k: one new node per level,
    for _ in range(levels):                     # twice the tree per level
        e = e ** e
    assert dag_size(e) == levels + 1
    assert tree_size(e) == 2 ** (levels + 1) - 1


def test_postorder_lists_children_before_parents_once():
    e = parse("sin(x)^2 + x*sin(x)")
    order = postorder(e)
    assert len(order) == len(set(map(id, order))) == dag_size(e)
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        assert all(position[id(c)] < position[id(node)] for c in node.children)
    assert order[-1] is e


# ---------------------------------------------------------------- pickle and copy

EXPRESSIONS = [parse(text, functions=["f"]) for text in (
    "x^2 + 2.5y - 1/3", "sin(x)^cos(x)", "log(x, 2) + exp(-x)", "pi*e*theta", "f'(x^2) + f(x)",
    "abs(x) + sign(y) + cbrt(z)")] + [substitute(parse("x/y"), {x: Num(0), y: Num(0)})]   # 0/0


@pytest.mark.parametrize("e", EXPRESSIONS, ids=map(repr, EXPRESSIONS))
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip_keeps_identity(e, protocol):
    assert pickle.loads(pickle.dumps(e, protocol=protocol)) is e


@pytest.mark.parametrize("e", EXPRESSIONS, ids=map(repr, EXPRESSIONS))
def test_copies_are_the_node_itself(e):
    assert copy.copy(e) is e
    assert copy.deepcopy(e) is e
    assert copy.deepcopy([e, {"k": e}])[1]["k"] is e


def test_pickle_of_a_node_nobody_else_holds():
    data = pickle.dumps(parse("x^7 + sin(x^7 + 13)"))
    assert to_text(pickle.loads(data)) == to_text(parse("x^7 + sin(x^7 + 13)"))


# ---------------------------------------------------------------- very deep expressions

DEPTH = 100_000


@pytest.fixture(scope="module")
def deep_sine():
    e = x
    for _ in range(DEPTH):
        e = call("sin", e)
    return e


def test_deep_expression_is_traversed(deep_sine):
    order = postorder(deep_sine)
    assert len(order) == DEPTH + 1
    assert order[0] is x and order[-1] is deep_sine
    assert dag_size(deep_sine) == tree_size(deep_sine) == DEPTH + 1


def test_deep_expression_is_printed(deep_sine):
    assert to_text(deep_sine) == "sin(" * DEPTH + "x" + ")" * DEPTH


def test_deep_expression_is_evaluated(deep_sine):
    expected = 0.5
    for _ in range(DEPTH):
        expected = math.sin(expected)
    assert math.isclose(evaluate(deep_sine, x=0.5), expected, rel_tol=1e-9)


def test_deep_expression_is_differentiated(deep_sine):
    d = diff(deep_sine, "x", simplify=False)
    point, value, slope = 0.5, 0.5, 1.0       # the chain rule, numerically, level by level
    for _ in range(DEPTH):
        value, slope = math.sin(value), slope * math.cos(value)
    assert math.isclose(evaluate(d, x=point), slope, rel_tol=1e-6)


def test_deep_chain_with_sums_is_differentiated_and_simplified():
    e = x                                       # f_k = sin(x + f_(k-1))
    for _ in range(DEPTH // 4):
        e = call("sin", x + e)
    d = diff(e, "x")
    point, value, slope = 0.3, 0.3, 1.0
    for _ in range(DEPTH // 4):
        value, slope = math.sin(point + value), math.cos(point + value) * (1 + slope)
    assert math.isclose(evaluate(d, x=point), slope, rel_tol=1e-6)


class _Reflecting:
    """An operand of its own kind, as a NumPy array or an autodiff Variable is."""
    def __radd__(self, other):
        return ("radd", other)

    def __rmul__(self, other):
        return ("rmul", other)

    def __rpow__(self, other):
        return ("rpow", other)


def test_operators_leave_an_operand_they_do_not_know_to_its_own_type():
    x = Symbol("x")
    other = _Reflecting()
    assert x + other == ("radd", x) and x * other == ("rmul", x) and x ** other == ("rpow", x)
    with pytest.raises(TypeError, match="parse strings with symdiff.parse"):
        x + "y"                                 # no reflected method: the hint, at once
    with pytest.raises(TypeError, match="parse strings with symdiff.parse"):
        "y" - x


def test_an_expression_and_a_variable_combine_either_way_round():
    v, x = Variable(2.0, name="v"), Symbol("x")
    for combine in (lambda: v + x, lambda: x + v, lambda: x * v, lambda: x - v, lambda: x / v):
        with pytest.raises(EvaluationError, match="no value given for x") as refused:
            print(combine())                    # as a traced value, x needs a number
        assert refused.type is EvaluationError


def test_substitute_takes_names_and_numbers_and_refuses_the_rest():
    x, y, t = symbols("x y t")
    assert substitute(x**2 + y, {"x": call("sin", t)}) is call("sin", t)**2 + y
    assert substitute(x**2, {Symbol("x"): 2}) is Num(4)
    for mapping, message in [({"x y": 1}, "variable's name"), ({3: 1}, "not int 3"),
                             ({"x": "y"}, "parse strings with symdiff.parse")]:
        with pytest.raises(TypeError, match=message):
            substitute(x**2, mapping)
    with pytest.raises(TypeError, match="works on an expression, not str"):
        substitute("x^2", {"x": 1})
