"""The expression DAG: immutable, hash-consed nodes and their smart constructors.

Schema::

    expr ::= Num(value)          exact int or Fraction; float only if the user wrote a decimal
           | Const(name)         'pi', 'e' or 'I' (the imaginary unit)
           | Sym(name)           a variable
           | Add(terms)          n >= 2 terms, flat, canonical order, numeric term last
           | Mul(factors)        n >= 2 factors, flat, canonical order, numeric coefficient first
           | Pow(base, exp)
           | Call(fn, args)      a function from the table, or a declared unknown function
           | Piecewise(args)     a Call "Piecewise" of (value, condition) pairs, flat:
                                 (v1, c1, v2, c2, ...); the first branch whose condition
                                 holds gives the value.  A condition is a Call of
                                 functions.CONDITIONS (Lt, Le, Gt, Ge, Eq, Ne, And, Or,
                                 Not), or 1 (True)

Nodes are interned: building an expression equal to a live one returns that very
object, so equality is identity, hashing is free and memoising on nodes is a
dict lookup.  Positions from the parser never enter a node.

The lower-case constructors (``add``, ``mul``, ``power``, ``call``) are the only
way nodes are built.  Like SICP's ``make-sum`` they keep every node canonical:
they flatten nested sums and products, fold numbers exactly, drop ``0`` terms and
``1`` factors, apply ``x^0 = 1``, ``x^1 = x``, ``0*x = 0`` and sort operands.
Collecting like terms and like factors is left to :mod:`symdiff.simplify`.

>>> x, y = Symbol("x"), Symbol("y")
>>> x + y is y + x
True
>>> (x + 1) * 2
2*(x + 1)
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import operator
import threading
import weakref
import zlib
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import TypeGuard

from .errors import EvaluationError, LimitError
from .limits import CHECK_EVERY, check_work, checked, count_nodes_with, current_limits

Number = int | Fraction | float

# One table for every live node, keyed by (class, fields), holding weak references:
# a node lives exactly as long as someone holds it, and its entry goes with it, so
# the table never grows unbounded.  (A plain dict of weak references is about twice
# as fast to look up as weakref.WeakValueDictionary, and lookups are the hot path.)
#
# Threads: looking a node up takes no lock (a dict read is atomic), nor does adding a new
# entry (dict.setdefault is atomic); replacing or removing one takes _TABLE_LOCK.  A node
# made by two threads at once is kept once: the thread that comes second gets the first
# one's node.  The lock is re-entrant because a node that dies while the lock is held
# removes its entry from within (a weak-reference callback).  (_made, the count of nodes
# made, is not locked: a count lost to a race only delays a budget check.)
_INTERNED: dict[tuple, _Entry] = {}
_TABLE_LOCK = threading.RLock()

# Nodes made since the process started; every CHECK_EVERY nodes the work budget of the call
# in progress is checked (time, memory, nodes: see limits.check_work).
_made = 0

# The variables that occur in a node are a bit mask of fixed width: each of the first
# EXACT_BITS live variables owns one bit, and a node's mask is the union (|) of its
# children's, so "does this node depend on x" is one AND.  Every further variable shares
# the bit OVERFLOW, which means "maybe"; :func:`dependence` settles it by a walk.  Masks
# stay one machine word whatever the number of variables: a set of names per node made the
# product rule on n factors cost n^2 (its n prefix products hold 1, 2, ..., n names), and
# a bit per variable made each of n variables cost n bits.  A variable's bit is freed when
# the variable dies.
EXACT_BITS = 62
OVERFLOW = 1 << EXACT_BITS
# One more bit, above the variables', marks the nodes in which the imaginary unit I occurs:
# "is this formula complex" is one AND, so the real paths pay nothing for complex numbers.
IMAGINARY = OVERFLOW << 1
_VARIABLE_NAMES: list = []          # bit -> name of the live variable that owns it, or None
_BIT_OF: dict[str, int] = {}        # name -> bit of the live variable (EXACT_BITS: overflow)
_FREED_BITS: list[int] = []         # bits of dead variables, given out again first


class _Entry(weakref.ref):
    """A weak reference to an interned node that removes its table entry when the node dies."""

    __slots__ = ("ident",)
    ident: tuple        # the node's key in _INTERNED

    # No __init__ of its own: weakref.ref's accepts (node, ident) as it is, and a Python-level
    # one would cost a third of making an entry.
    def __new__(cls, node, ident):
        entry = super().__new__(cls, node, _forget)
        entry.ident = ident
        return entry


class _VariableEntry(_Entry):
    """The entry of a variable, which also gives its bit back when the variable dies."""

    __slots__ = ("bit",)
    bit: int            # the variable's bit in the masks


def live_nodes() -> int:
    """How many nodes exist right now: a bound on the size of any DAG.

    >>> live_nodes() > 0
    True
    """
    return len(_INTERNED)


def nodes_made() -> int:
    """How many nodes the process has made so far (a measure of work done)."""
    return _made


count_nodes_with(nodes_made)                 # the work budget counts the nodes made


# How a node shows itself (repr, and typeset in Jupyter).  The printers import this module,
# so it imports none of them: the package registers them as it loads (symdiff/__init__.py).
_SHOW: dict[str, Callable[[Expr], str]] = {}


def show_with(kind: str, printer: Callable[[Expr], str]) -> None:
    """Use ``printer`` for ``kind``: "text" (repr and str) or "latex" (Jupyter)."""
    _SHOW[kind] = printer


# How a node becomes another system's expression: "sympy" (sympy.sympify calls Expr._sympy_).
# The converter (symdiff.interop) imports this module, so the package registers it, loaded on
# first use (symdiff/__init__.py).
_CONVERT: dict[str, Callable[[Expr], object]] = {}


def convert_with(kind: str, converter: Callable[[Expr], object]) -> None:
    """Use ``converter`` to make ``kind`` ("sympy") of a node."""
    _CONVERT[kind] = converter


def _forget(entry: _Entry) -> None:
    with _TABLE_LOCK:
        if _INTERNED.get(entry.ident) is entry:
            del _INTERNED[entry.ident]
        if type(entry) is _VariableEntry:
            name = entry.ident[1]
            if _BIT_OF.get(name) == entry.bit:
                del _BIT_OF[name]
            if entry.bit < EXACT_BITS:
                _VARIABLE_NAMES[entry.bit] = None
                _FREED_BITS.append(entry.bit)


def _new_bit(name: str) -> int:
    """A bit for a new variable: a freed one, the next one, or OVERFLOW's (called locked)."""
    if _FREED_BITS:
        bit = _FREED_BITS.pop()
    elif len(_VARIABLE_NAMES) < EXACT_BITS:
        bit = len(_VARIABLE_NAMES)
        _VARIABLE_NAMES.append(None)
    else:
        bit = EXACT_BITS
    if bit < EXACT_BITS:
        _VARIABLE_NAMES[bit] = name
    _BIT_OF[name] = bit
    return bit


def variable_bits(names: Iterable[str]) -> int:
    """The mask of the live variables among ``names``.  ``node.mask & variable_bits(names)``
    is zero when none of them occurs in ``node``; nonzero means one occurs, unless the only
    common bit is OVERFLOW (see :func:`dependence`).  A name no live variable has gives no
    bit, and no node can contain it.

    >>> x = Symbol("x")
    >>> bool((x * 2).mask & variable_bits(["x"])), bool(x.mask & variable_bits(["y"]))
    (True, False)
    """
    bits = 0
    for name in names:
        bit = _BIT_OF.get(name)
        if bit is not None:
            bits |= 1 << bit
    return bits


def dependence(root: Expr, names: Iterable[str]):
    """A test ``depends(node)``: whether any of ``names`` occurs in ``node``, exact for every
    node of ``root``'s DAG.  One AND per node when the names own bits of their own; past
    EXACT_BITS live variables, one walk over the nodes that may depend settles them.

    >>> e = Symbol("x") * Symbol("y") + 1
    >>> depends = dependence(e, ["x"])
    >>> depends(e), depends(Symbol("y"))
    (True, False)
    """
    bits = variable_bits(names)
    if not bits & OVERFLOW:
        return lambda node: node.mask & bits != 0
    exact, wanted = bits & ~OVERFLOW, frozenset(names)
    settled: dict[Expr, bool] = {}
    for node in postorder(root, stop=lambda n: not n.mask & bits):
        if not node.mask & bits:
            settled[node] = False
        elif node.mask & exact:
            settled[node] = True
        elif type(node) is Sym:
            settled[node] = node.name in wanted
        else:
            settled[node] = any([settled[c] for c in node.children])
    return lambda node: settled[node] if node in settled else node.mask & exact != 0


def _free_names(node: Expr) -> frozenset:
    """The names of the variables in ``node``: those of its own bits, and past OVERFLOW those
    found by a walk."""
    mask = node.mask & ~IMAGINARY
    if not mask:
        return _NO_FREE
    if type(node) is Sym:
        return frozenset((node.name,))
    bits = bin(mask & ~OVERFLOW)[:1:-1]                         # lowest bit first
    names = [_VARIABLE_NAMES[i] for i, b in enumerate(bits) if b == "1"]
    if mask & OVERFLOW:
        names += [n.name for n in postorder(node, stop=lambda n: not n.mask & OVERFLOW)
                  if type(n) is Sym and n.mask & OVERFLOW]
    return frozenset(names)


# Rank of each node kind in the canonical order of operands (numbers first in
# products; symbols before powers before calls, which reads like math).
_RANK_NUM, _RANK_CONST, _RANK_SYM, _RANK_POW, _RANK_MUL, _RANK_CALL, _RANK_ADD = range(7)
_LABEL_LENGTH = 24

# Sums and products absorb operands that are themselves sums or products of at most
# this many operands; larger ones stay one shared operand.  Flattening a large shared
# node into every parent would copy it each time and turn a DAG of size n into a
# result of size n^2 (the derivative of sin(sin(...sin(x))) is such a chain).
FLATTEN_LIMIT = 16

# The limit in force: FLATTEN_LIMIT, or 0 inside ``preserving_structure()``, where only a
# numeric coefficient (2*t) or a numeric term (t + 1) is absorbed.  Differentiation works
# there, so that the derivative of a shared node stays one shared node order after order.
_flatten_limit: contextvars.ContextVar[int] = contextvars.ContextVar("flatten_limit",
                                                                    default=FLATTEN_LIMIT)


def flatten_limit() -> int:
    """The flattening limit in force (FLATTEN_LIMIT, or 0 when preserving structure)."""
    return _flatten_limit.get()


@contextlib.contextmanager
def preserving_structure():
    """Within the block, sums and products are not flattened into larger ones; only their
    numbers join the outer sum or product: the DAG keeps the shape it was built with.

    >>> x, y, z = symbols("x y z")
    >>> with preserving_structure():
    ...     print(add(x + y, z), mul(Num(2), x * Num(3)), mul(Num(2), x * y * Num(3)))
    z + (x + y) 6*x 6*(x*y)
    """
    token = _flatten_limit.set(0)
    try:
        yield
    finally:
        _flatten_limit.reset(token)


class Expr:
    """Base of all nodes.  Build with the constructors or Python operators."""

    __slots__ = ("key", "mask", "_free", "children", "__weakref__")
    key: tuple          # (rank, height, label, -exponent, digest): the canonical sort key, flat
                        # and cheap to compare (see _setup)
    mask: int           # the bits of the variables that occur (see variable_bits)
    children: tuple     # the operands, in order ((): a leaf)
    _free: frozenset    # the names of the variables, once asked for (see free)

    @property
    def free(self) -> frozenset:
        """The names of the variables that occur, worked out from ``mask`` when first asked."""
        try:
            return self._free
        except AttributeError:
            names = _free_names(self)
            _set_names(self, names)
            return names

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} nodes are immutable")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} nodes are immutable")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    # ----- Python operators build expressions -----
    # An operand that is neither an expression nor a number gives NotImplemented when its
    # type has the reflected method (so a Variable, or a NumPy array, has its say), and a
    # TypeError with a hint otherwise (a string: parse it first).
    def __add__(self, other): return _either(self, other, "__radd__", add)
    def __radd__(self, other): return add(_operand(other), self)
    def __sub__(self, other): return _either(self, other, "__rsub__", _minus)
    def __rsub__(self, other): return _minus(_operand(other), self)
    def __mul__(self, other): return _either(self, other, "__rmul__", mul)
    def __rmul__(self, other): return mul(_operand(other), self)
    def __truediv__(self, other): return _either(self, other, "__rtruediv__", _over)
    def __rtruediv__(self, other): return _over(_operand(other), self)
    def __pow__(self, other): return _either(self, other, "__rpow__", power)
    def __rpow__(self, other): return power(_operand(other), self)

    def __neg__(self):
        return neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return call("abs", self)

    def __repr__(self) -> str:
        return _SHOW["text"](self)

    __str__ = __repr__

    def _repr_latex_(self) -> str:
        """Jupyter shows expressions typeset."""
        return r"$\displaystyle " + _SHOW["latex"](self) + "$"

    def _sympy_(self):
        """SymPy's expression of the same value: ``sympy.sympify(expr)`` and SymPy's functions
        given an expression call this (see :func:`symdiff.interop.to_sympy`)."""
        return _CONVERT["sympy"](self)



def _setup(node: Expr, rank: int, label: str, digest: int, mask: int,
           children: tuple = (), like: Expr | None = None, power_key: Number = -1) -> None:
    """Give a new node its sort key, variables (as a mask) and children.

    The key orders operands by kind (rank), then simpler before deeper (height), then by
    name (label: x before y), then higher powers first: x^3, x^2, x; the digest only breaks the
    remaining ties.  A node that decorates another (2*x, x^3, sin(x)^2) sorts ``like`` it,
    beside it.  The order is the same in every product, so printed results share their
    leading factors (a*b*c and a*b*d both begin with a*b).  ``power_key`` is the exponent
    negated, -1 unless the node is a power or begins with one.
    """
    if like is not None:
        rank, height, label = like.key[0], like.key[1], like.key[2]
    else:
        height = 1 + max([c.key[1] for c in children]) if children else 0
    _set_key(node, (rank, height, label[:_LABEL_LENGTH], power_key, digest))
    _set_mask(node, mask)
    _set_children(node, children)


# The slots' own setters: Expr.__setattr__ refuses every assignment, so nodes are filled in
# through these (faster than object.__setattr__, which looks the name up each time).
_set_key, _set_mask, _set_children = Expr.key.__set__, Expr.mask.__set__, Expr.children.__set__  # type: ignore[misc,attr-defined]  # slot descriptors, read off the class
_set_names = Expr._free.__set__  # type: ignore[misc,attr-defined]  # slot descriptors, read off the class


def _intern(ident: tuple):
    """The live node with this identity, or None."""
    entry = _INTERNED.get(ident)
    return entry() if entry is not None else None


def _remember(ident: tuple, node: Expr) -> Expr:
    """Enter a new node in the table and return it, or return the equal node another
    thread entered first.  Every CHECK_EVERY nodes, the work budget is checked."""
    global _made
    entry = _Entry(node, ident)
    if _INTERNED.setdefault(ident, entry) is not entry:      # atomic: the key was taken
        with _TABLE_LOCK:
            taken = _INTERNED.get(ident)
            first = taken() if taken is not None else None
            if first is not None:
                return first                                   # another thread's node
            _INTERNED[ident] = entry                           # a dead node's entry, not yet gone
    _made += 1
    if not _made % CHECK_EVERY:
        check_work(_made)
    return node


def _digest(*parts) -> int:
    """A structural hash that is the same in every process (str hashes are salted)."""
    return hash(parts)


def _name_digest(name: str) -> int:
    return zlib.crc32(name.encode("utf-8", "surrogatepass"))


_NO_FREE: frozenset = frozenset()
_NUMBER_TAGS = {int: 1, Fraction: 2, float: 3}

# Greek letters typed in Unicode are the same variable as their spelled names: θ is theta.
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau",
    "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Α": "Alpha", "Β": "Beta", "Γ": "Gamma", "Δ": "Delta", "Ε": "Epsilon", "Ζ": "Zeta",
    "Η": "Eta", "Θ": "Theta", "Ι": "Iota", "Κ": "Kappa", "Λ": "Lambda", "Μ": "Mu", "Ν": "Nu",
    "Ξ": "Xi", "Ο": "Omicron", "Π": "Pi", "Ρ": "Rho", "Σ": "Sigma", "Τ": "Tau",
    "Υ": "Upsilon", "Φ": "Phi", "Χ": "Chi", "Ψ": "Psi", "Ω": "Omega",
}


def spell(name: str) -> str:
    """Greek letters in a name spelled out: θ1 -> theta1.

    >>> spell("θ_0")
    'theta_0'
    """
    if name.isascii():
        return name
    return "".join(GREEK.get(c, c) for c in name)


class Num(Expr):
    """A number: ``int`` or ``Fraction`` (exact), or ``float`` (a decimal the user wrote).

    >>> Num(Fraction(4, 2)).value, Num(True).value, Num(1.0).value
    (2, 1, 1.0)
    """

    __slots__ = ("value",)
    __match_args__ = ("value",)
    value: Number

    def __new__(cls, value: Number):
        kind = type(value)
        if kind is not int:
            value = normalize_number(value)
            kind = type(value)
        # 1, 1.0 and Fraction(1) are equal keys in a dict, so the type is part of the identity;
        # a fraction is keyed by its two integers, which hash much faster than a Fraction.
        ident = (cls, value.numerator, value.denominator) if kind is Fraction else (cls, kind, value)  # type: ignore[union-attr]  # kind is Fraction
        node = _intern(ident)
        if node is None:
            node = object.__new__(cls)
            object.__setattr__(node, "value", value)
            # CPython hashes -1 and -2 alike, so the digest and label come from the text.
            text = repr(value) if len(str(value)) < 64 else str(value)[:64]
            _setup(node, _RANK_NUM, text, _digest(1, _NUMBER_TAGS[type(value)], _name_digest(text)), 0)
            node = _remember(ident, node)
        return node

    def __reduce__(self):
        return (Num, (self.value,))


def _named(cls, name: str, rank: int, tag: int, variable: bool = False):
    """The interned leaf of class ``cls`` called ``name`` (a constant, variable or bound name);
    a variable gets a bit of its own."""
    ident = (cls, name)
    node = _intern(ident)
    if node is None:
        with _TABLE_LOCK:
            node = _intern(ident)                      # another thread's, made meanwhile
            if node is None:
                node = object.__new__(cls)
                object.__setattr__(node, "name", name)
                entry: _Entry
                if variable:
                    bit = _new_bit(name)
                    entry = _VariableEntry(node, ident)
                    entry.bit = bit
                else:
                    entry = _Entry(node, ident)
                mask = 1 << bit if variable else IMAGINARY if name == "I" else 0
                _setup(node, rank, name, _digest(tag, _name_digest(name)), mask)
                _INTERNED[ident] = entry
    return node


class Const(Expr):
    """A named mathematical constant: ``pi``, ``e``, or ``I``, the imaginary unit.

    ``VALUES`` holds the real constants; ``I``'s value is ``1j`` (:data:`COMPLEX_VALUES`).
    """

    __slots__ = ("name",)
    __match_args__ = ("name",)
    name: str
    VALUES = {"pi": math.pi, "e": math.e}
    COMPLEX_VALUES = {"pi": complex(math.pi), "e": complex(math.e), "I": 1j}

    def __new__(cls, name: str):
        if name not in cls.COMPLEX_VALUES:
            raise ValueError(f"unknown constant {name!r}")
        return _named(cls, name, _RANK_CONST, 2)

    def __reduce__(self):
        return (Const, (self.name,))


class Sym(Expr):
    """A variable, named by an identifier.

    >>> Sym("x").free
    frozenset({'x'})
    """

    __slots__ = ("name",)
    __match_args__ = ("name",)
    name: str

    def __new__(cls, name: str):
        if isinstance(name, str) and not name.isascii():
            name = spell(name)
        if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
            raise ValueError(f"a variable name must be an identifier, not {name!r}")
        if name in _RESERVED:
            raise ValueError(f"{name!r} names a constant or a function, not a variable: "
                             "no formula could spell it back")
        return _named(cls, name, _RANK_SYM, 3, variable=True)

    def __reduce__(self):
        return (type(self), (self.name,))


# The names the grammar gives a meaning: the constants, and the names and aliases of the
# function table (functions.py reserves them as it builds the table).
_RESERVED: set[str] = {"pi", "e", "I"}


def reserve_names(names: Iterable[str]) -> None:
    _RESERVED.update(names)


def is_reserved(name: str) -> bool:
    """Whether ``name`` is a constant's or a function's, so no variable can have it.

    >>> is_reserved("pi"), is_reserved("ln"), is_reserved("x")
    (True, True, False)
    """
    return name in _RESERVED


class Bound(Sym):
    """A name standing for a shared subexpression in output (``u1 = ...``).

    It prints like a variable but is not one: its ``free`` set is empty, so a
    chain of bindings costs memory linear in its length.
    """

    __slots__ = ()

    def __new__(cls, name: str):
        return _named(cls, name, _RANK_SYM, 8)


def Symbol(name: str) -> Sym:
    """A variable; the public spelling of ``Sym``.

    >>> Symbol("theta") is Symbol("theta")
    True
    """
    return Sym(name)


def symbols(names: str) -> tuple[Sym, ...]:
    """Several variables at once: ``x, y = symbols("x y")`` (commas also separate)."""
    return tuple(Sym(n) for n in names.replace(",", " ").split())


def _union(children: Iterable[Expr]) -> int:
    """The mask of the variables in any of ``children``."""
    mask = 0
    for c in children:
        mask |= c.mask
    return mask


def _new_sum(cls: type, terms: tuple[Expr, ...]) -> Expr:
    """A new Add node, not yet interned."""
    node: Expr = object.__new__(cls)
    _set_terms(node, terms)
    _setup(node, _RANK_ADD, terms[0].key[2], _digest(4, *[t.key[4] for t in terms]), _union(terms), terms)
    return node


def _new_product(cls: type, factors: tuple[Expr, ...]) -> Expr:
    """A new Mul node, not yet interned.  c*x sorts beside x, so 2*x + y reads in the same
    order as x + y."""
    node: Expr = object.__new__(cls)
    _set_factors(node, factors)
    symbolic = factors[1:] if type(factors[0]) is Num else factors
    alone = symbolic[0] if len(symbolic) == 1 else None
    _setup(node, _RANK_MUL, symbolic[0].key[2], _digest(5, *[f.key[4] for f in factors]),
           _union(factors), factors, like=alone, power_key=symbolic[0].key[3])
    return node


class _Nary(Expr):
    """A sum or a product: one interned node per (kind, operands), built by the kind's
    ``_build`` when new."""

    __slots__ = ()
    _build: Callable[[type, tuple[Expr, ...]], Expr]

    def __new__(cls, operands: tuple[Expr, ...]):
        ident = (cls, operands)
        node = _intern(ident)
        return node if node is not None else _remember(ident, cls._build(cls, operands))

    @property
    def operands(self) -> tuple[Expr, ...]:
        return self.children

    def __reduce__(self):
        return (type(self), (self.operands,))


class Add(_Nary):
    """A flat sum of at least two terms; build it with ``add``."""

    __slots__ = ("terms",)
    __match_args__ = ("terms",)
    terms: tuple[Expr, ...]
    _build = staticmethod(_new_sum)


class Mul(_Nary):
    """A flat product of at least two factors; build it with ``mul``."""

    __slots__ = ("factors",)
    __match_args__ = ("factors",)
    factors: tuple[Expr, ...]
    _build = staticmethod(_new_product)


def _new_power(cls: type, base: Expr, exp: Expr) -> Expr:
    """A new Pow node, not yet interned.  x^2 sorts beside x; a reciprocal x^-1 sorts with
    the powers, so y + 1/x."""
    node: Expr = object.__new__(cls)
    _set_base(node, base)
    _set_exp(node, exp)
    numeric = type(exp) is Num and exp.value > 0
    _setup(node, _RANK_POW, base.key[2], _digest(6, base.key[4], exp.key[4]),
           _union((base, exp)), (base, exp), like=base if numeric else None,
           power_key=-exp.value if numeric else -1)  # type: ignore[attr-defined]  # numeric: exp is a Num
    return node


class Pow(Expr):
    """``base ^ exp``; build it with ``power``."""

    __slots__ = ("base", "exp")
    __match_args__ = ("base", "exp")
    base: Expr
    exp: Expr

    def __new__(cls, base: Expr, exp: Expr):
        ident = (cls, base, exp)
        node = _intern(ident)
        return node if node is not None else _remember(ident, _new_power(cls, base, exp))

    def __reduce__(self):
        return (Pow, (self.base, self.exp))


def _new_call(cls: type, fn: str, args: tuple[Expr, ...]) -> Expr:
    """A new Call node, not yet interned."""
    node: Expr = object.__new__(cls)
    _set_fn(node, fn)
    _set_args(node, args)
    first = args[0].key if args else ("", "", "", -1)            # f(): no argument
    _setup(node, _RANK_CALL, fn + "(" + first[2],
           _digest(7, _name_digest(fn), *[a.key[4] for a in args]), _union(args), args,
           power_key=first[3])
    return node


class Call(Expr):
    """``fn(args...)``: a function of the table or an unknown function.

    The derivative of an unknown function ``f`` of one argument is the function ``f'``;
    the partial derivatives of one of several arguments are ``D[1](f)``, ``D[1,2](f)``, ...
    (see :func:`symdiff.functions.unknown_partial`).  An unknown function may take no
    argument: ``f()`` is a constant.
    """

    __slots__ = ("fn", "args")
    __match_args__ = ("fn", "args")
    fn: str
    args: tuple[Expr, ...]

    def __new__(cls, fn: str, args: tuple[Expr, ...]):
        ident = (cls, fn, args)
        node = _intern(ident)
        return node if node is not None else _remember(ident, _new_call(cls, fn, args))

    def __reduce__(self):
        return (Call, (self.fn, self.args))


class Derivative(Call):
    """``d/dx(u)``: the derivative of ``u`` by ``x``, not worked out yet; the steps show it
    (:mod:`symdiff.explain`) until they replace it by its value.  It has no numeric value.

    >>> d = Derivative(Symbol("x") ** 2, "x")
    >>> d, d.of, d.wrt
    (d/dx(x^2), x^2, 'x')
    """

    __slots__ = ()

    def __new__(cls, of: Expr, wrt: str):
        return Call.__new__(cls, f"d/d{wrt}", (of,))

    @property
    def of(self) -> Expr:
        return self.args[0]

    @property
    def wrt(self) -> str:
        return self.fn[len("d/d"):]

    def __reduce__(self):
        return (Derivative, (self.of, self.wrt))


class Piecewise(Call):
    """``Piecewise((v1, c1), (v2, c2), ...)``: the value of the first branch whose condition
    holds; a condition ``1`` is True (the default branch).  Built by :func:`piecewise`.

    >>> x = Symbol("x")
    >>> p = piecewise((x**2, call("Lt", x, ZERO)), (x, ONE))
    >>> p, p.branches[1]
    (Piecewise((x^2, x < 0), (x, True)), (x, 1))
    """

    __slots__ = ()

    def __new__(cls, args: tuple[Expr, ...]):
        return Call.__new__(cls, PIECEWISE, args)

    @property
    def branches(self) -> tuple[tuple[Expr, Expr], ...]:
        """The (value, condition) pairs, in order."""
        args = self.args
        return tuple(zip(args[::2], args[1::2]))

    def __reduce__(self):
        return (Piecewise, (self.args,))


PIECEWISE = "Piecewise"


def piecewise(*branches: tuple[Expr, Expr]) -> Expr:
    """The piecewise function of (value, condition) pairs, folded: a branch whose condition
    is 0 (false) is dropped, the branches after one whose condition is 1 (true) can never be
    taken, and a first branch that always holds is the value itself.  No branch left means
    a function defined nowhere, an :class:`EvaluationError`.

    >>> x = Symbol("x")
    >>> piecewise((x, ZERO), (x**2, ONE), (x**3, call("Lt", x, ZERO)))
    x^2
    >>> piecewise((x, call("Lt", x, ZERO)), (0, True))
    Piecewise((x, x < 0), (0, True))
    """
    kept: list[Expr] = []
    for value, condition in branches:
        value, condition = as_expr(value), as_expr(condition)     # True is 1, False is 0
        if condition is ZERO:
            continue
        kept += (value, condition)
        if condition is ONE:
            break
    if not kept:
        raise EvaluationError("no condition of the piecewise function can hold: it is "
                              "defined nowhere")
    if kept[1] is ONE:
        return kept[0]
    if kept[-1] is ONE and all(v is kept[0] for v in kept[::2]):
        return kept[0]                              # the same value on every branch
    return Piecewise(tuple(kept))


# The operands' slot setters, used when a node is made (see _set_key).
_set_terms, _set_factors = Add.terms.__set__, Mul.factors.__set__  # type: ignore[misc,attr-defined]  # slot descriptors, read off the class
_set_base, _set_exp = Pow.base.__set__, Pow.exp.__set__  # type: ignore[misc,attr-defined]  # slot descriptors, read off the class
_set_fn, _set_args = Call.fn.__set__, Call.args.__set__  # type: ignore[misc,attr-defined]  # slot descriptors, read off the class


# ---------------------------------------------------------------- numbers

def normalize_number(value) -> Number:
    """One spelling per number: bool -> int, integral Fraction -> int, -0.0 -> 0.0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EvaluationError(f"{value} is not a finite number")
        return value + 0.0   # turns -0.0 into 0.0
    raise TypeError(f"not a number: {value!r}")


def is_integer(e: Expr) -> TypeGuard[Num]:
    return type(e) is Num and type(e.value) is int


def is_number(e: Expr) -> bool:
    return type(e) is Num


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise EvaluationError(f"{what} overflows the float range")
    return value


def _bounded(value: int | Fraction, what: str) -> None:
    """Exact numbers stay below Limits.max_int_bits however they were combined."""
    limit = current_limits().max_int_bits
    if isinstance(value, int):
        if value.bit_length() > limit:
            raise LimitError(f"{what} gives an integer of {value.bit_length():,} bits, more than "
                             f"the limit of {limit:,}; raise it with --max-int-bits if you mean it",
                             limit="max_int_bits")
    elif max(value.numerator.bit_length(), value.denominator.bit_length()) > limit:
        raise LimitError(f"{what} gives a fraction beyond {limit:,} bits; raise the limit "
                         f"with --max-int-bits if you mean it", limit="max_int_bits")


def _check_number(value: Number, what: str) -> None:
    """A number made by folding others stays finite (floats) or within the size limit (exact)."""
    if isinstance(value, float):
        _finite(value, what)
    else:
        _bounded(value, what)


def _integer_root(n: int, q: int) -> int | None:
    """The exact q-th root of n >= 0 if it is an integer."""
    if n < 2:
        return n
    if n.bit_length() > 1000:
        return None
    r = round(n ** (1.0 / q))
    for c in (r - 1, r, r + 1):
        if c >= 0 and c ** q == n:
            return c
    return None


def fold_power(base: Number, exp: Number) -> Number | None:
    """``base ** exp`` as an exact or float number, or None to keep it symbolic.

    Exact results are refused (None) above ``Limits.max_int_bits``, so ``9^9^9^9``
    stays a power instead of filling the memory.

    >>> fold_power(2, 10), fold_power(Fraction(1, 2), -2), fold_power(8, Fraction(2, 3))
    (1024, 4, 4)
    >>> fold_power(2, Fraction(1, 2)) is None, fold_power(0, -1) is None
    (True, True)
    """
    if base == 0 and exp < 0:
        return None                                      # a division by zero stays visible
    if isinstance(base, float) or isinstance(exp, float):
        try:                                             # float(2^5000) overflows too
            if base < 0 and not float(exp).is_integer():
                return None                              # not real
            result = float(base) ** float(exp)
        except (OverflowError, ZeroDivisionError):
            return None
        return result if math.isfinite(result) else None
    if isinstance(exp, int):
        size = max(abs(Fraction(base).numerator).bit_length(), Fraction(base).denominator.bit_length())
        if abs(exp) * size > current_limits().max_int_bits:
            return None
        return normalize_number(Fraction(base) ** exp if exp < 0 else base ** exp)
    # A rational exponent p/q: exact only when the q-th root is exact.
    if base < 0:
        return None
    p, q = exp.numerator, exp.denominator
    b = Fraction(base)
    num, den = _integer_root(b.numerator, q), _integer_root(b.denominator, q)
    if num is None or den is None:
        return None
    return fold_power(Fraction(num, den), p)


# ---------------------------------------------------------------- constructors

ZERO, ONE, TWO, MINUS_ONE, HALF = Num(0), Num(1), Num(2), Num(-1), Num(Fraction(1, 2))
PI, E, I = Const("pi"), Const("e"), Const("I")  # noqa: E741 (I is the imaginary unit, as in SymPy)


def has_imaginary(e: Expr) -> bool:
    """Whether the imaginary unit occurs in ``e``: one AND (see :data:`IMAGINARY`).

    >>> has_imaginary(Symbol("x") * I + 1), has_imaginary(Symbol("x") + 1)
    (True, False)
    """
    return e.mask & IMAGINARY != 0


# I^n for n = 0, 1, 2, 3 (mod 4), filled in below once neg is defined.
_POWERS_OF_I: list[Expr] = []


def _operand(value, reflected: str = ""):
    """The expression an operator's operand stands for; None (the operator then returns
    NotImplemented) for an object whose type has the ``reflected`` method."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, (int, float, Fraction)):
        return Num(value)
    if reflected and hasattr(type(value), reflected):
        return None
    return as_expr(value)                      # raises the TypeError with its hint


def _either(left: Expr, right, reflected: str, build: Callable[[Expr, Expr], Expr]):
    """``build(left, right)``, or NotImplemented for a right operand whose type has the
    ``reflected`` method, so that it has its say."""
    operand = _operand(right, reflected)
    return NotImplemented if operand is None else build(left, operand)


# The operators' arithmetic that is not one constructor.
def _minus(a: Expr, b: Expr) -> Expr: return add(a, neg(b))
def _over(a: Expr, b: Expr) -> Expr: return mul(a, power(b, MINUS_ONE))


def as_expr(value) -> Expr:
    """Numbers become ``Num``; expressions pass through."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, (int, float, Fraction)):
        return Num(value)
    raise TypeError(f"cannot use {type(value).__name__} {value!r} in an expression; "
                    f"parse strings with symdiff.parse")


def _join(operands: list[Expr], kind: type, rest: tuple[Expr, ...], limit: int) -> None:
    """The rest of a sum (product) kept whole once its number is taken out joins ``operands``:
    flattened if short enough, as it would be if given alone, else as one node."""
    if len(rest) <= limit:
        operands.extend(rest)
    else:
        operands.append(kind(rest))


def expression(value, taker: str, reader: str = "") -> Expr:
    """``value``, which the function ``taker`` takes as an expression: text is read only at the
    public API (:mod:`symdiff.api`), by ``symdiff.<reader>`` (by default the function of the
    same name), which the TypeError for anything else names.

    >>> expression(Symbol("x"), "diff")
    x
    >>> expression("x^2", "diff")
    Traceback (most recent call last):
        ...
    TypeError: diff takes an expression (an Expr), not str; symdiff.diff reads text
    """
    if isinstance(value, Expr):
        return value
    raise TypeError(f"{taker} takes an expression (an Expr), not {type(value).__name__}; "
                    f"symdiff.{reader or taker} reads text")


def add(*terms: Expr) -> Expr:
    """The canonical sum: flattened, numbers folded, zeros dropped, terms sorted.

    Sums of more than ``FLATTEN_LIMIT`` terms given as one operand stay one operand.

    >>> x = Symbol("x")
    >>> add(x, Num(2), Num(-2))
    x
    """
    symbolic: list[Expr] = []
    constant: Number = 0
    numbers = 0
    limit = _flatten_limit.get()
    try:                               # a float with an integer beyond the float range
        for t in terms:
            kind = type(t)
            if kind is Num:
                constant = constant + t.value if numbers else t.value  # type: ignore[attr-defined]  # kind is type(...)
                numbers += 1
            elif kind is Add and (len(t.terms) <= limit or _number_and_one(t.terms[-1], t.terms)):  # type: ignore[attr-defined]  # kind is type(...)
                for u in t.terms:  # type: ignore[attr-defined]  # kind is type(...)
                    if type(u) is Num:
                        constant = constant + u.value if numbers else u.value
                        numbers += 1
                    else:
                        symbolic.append(u)
            elif kind is Add and type(t.terms[-1]) is Num:  # type: ignore[attr-defined]  # kind is type(...)
                # kept whole, but its number joins ours: (a + b + 1) + 2 is (a + b) + 3
                constant = constant + t.terms[-1].value if numbers else t.terms[-1].value  # type: ignore[attr-defined]  # kind is type(...)
                numbers += 1
                _join(symbolic, Add, t.terms[:-1], limit)  # type: ignore[attr-defined]  # kind is type(...)
            else:
                symbolic.append(t)
    except OverflowError:
        raise EvaluationError("a sum overflows the float range") from None
    if numbers > 1:                    # a new number: check its size
        _check_number(constant, "a sum")
    if not symbolic:
        return Num(constant)
    if len(symbolic) > 1:
        symbolic.sort(key=_sort_key)
    if numbers and constant != 0:
        symbolic.append(Num(constant))
    if len(symbolic) == 1:
        return symbolic[0]
    return Add(tuple(symbolic))


def _number_and_one(number: Expr, operands: tuple) -> bool:
    """``2*t`` or ``t + 1``: a number decorating one operand, absorbed even when
    structure is preserved."""
    return len(operands) == 2 and type(number) is Num


_sort_key = operator.attrgetter("key")       # a node's sort key, fetched in C


def is_singular(e: Expr) -> bool:
    """``0^-n``: a literal division by zero, which ``0*x = 0`` must not swallow."""
    return type(e) is Pow and type(e.base) is Num and e.base.value == 0


def mul(*factors: Expr) -> Expr:
    """The canonical product: flattened, numbers folded, ones dropped, factors sorted.

    ``0*x`` is ``0`` unless a factor is a literal division by zero (``0/0`` stays).

    >>> x = Symbol("x")
    >>> mul(Num(2), x, Num(3))
    6*x
    >>> mul(Num(0), x)
    0
    """
    coefficient: Number = 1
    numbers = 0
    symbolic: list[Expr] = []
    limit = _flatten_limit.get()
    try:                               # a float with an integer beyond the float range
        for f in factors:
            kind = type(f)
            if kind is Num:
                coefficient = coefficient * f.value if numbers else f.value  # type: ignore[attr-defined]  # kind is type(...)
                numbers += 1
                number = f
            elif kind is Mul and (len(f.factors) <= limit or _number_and_one(f.factors[0], f.factors)):  # type: ignore[attr-defined]  # kind is type(...)
                for p in f.factors:  # type: ignore[attr-defined]  # kind is type(...)
                    if type(p) is Num:
                        coefficient = coefficient * p.value if numbers else p.value
                        numbers += 1
                        number = p
                    else:
                        symbolic.append(p)
            elif kind is Mul and type(f.factors[0]) is Num:  # type: ignore[attr-defined]  # kind is type(...)
                # kept whole, but its coefficient joins ours: -(2*a*b*c) is -2*(a*b*c), never -(2*...)
                p = f.factors[0]  # type: ignore[attr-defined]  # kind is type(...)
                coefficient = coefficient * p.value if numbers else p.value
                numbers += 1
                number = p
                _join(symbolic, Mul, f.factors[1:], limit)  # type: ignore[attr-defined]  # kind is type(...)
            else:
                symbolic.append(f)
    except OverflowError:
        raise EvaluationError("a product overflows the float range") from None
    if not symbolic and numbers == 1:
        return number                  # the one number given, as it was
    if numbers > 1:                    # a new number: check its size
        _check_number(coefficient, "a product")
    if not symbolic:
        return Num(coefficient)
    if numbers and coefficient == 0 and not any(is_singular(f) for f in symbolic):
        return Num(coefficient)
    if len(symbolic) > 1:
        symbolic.sort(key=_sort_key)
    if type(coefficient) is Fraction:
        coefficient = normalize_number(coefficient)       # Fraction(2, 2) is the int 1
    if type(coefficient) is int and coefficient == 1:      # 1.0*x keeps the decimal the user wrote
        if len(symbolic) == 1:
            return symbolic[0]
        return Mul(tuple(symbolic))
    return Mul((number if numbers == 1 else Num(coefficient), *symbolic))


def neg(e: Expr) -> Expr:
    """``-e`` as ``(-1)*e``."""
    return mul(MINUS_ONE, e)


_POWERS_OF_I.extend([ONE, I, MINUS_ONE, neg(I)])


def power(base: Expr, exp: Expr) -> Expr:
    """The canonical power.

    ``x^0 = 1`` (including ``0^0``, the convention of combinatorics and of
    Python), ``x^1 = x``, ``1^x = 1``, ``(x^a)^n = x^(a*n)`` and
    ``(x*y)^n = x^n*y^n`` for integer ``n``, ``e^x = exp(x)``; numbers fold when
    the result is exact and not too large.

    >>> x = Symbol("x")
    >>> power(power(x, Num(2)), Num(3))
    x^6
    >>> power(Num(2), Num(-2))
    1/4
    """
    if type(exp) is Num:
        if exp.value == 0:
            return Num(1.0) if isinstance(exp.value, float) else ONE
        if exp.value == 1 and type(exp.value) is int:
            return base
    if type(base) is Num:
        if base.value == 1 and type(base.value) is int:
            return ONE
        if type(exp) is Num:
            if base.value == 0 and exp.value > 0:
                return base
            folded = fold_power(base.value, exp.value)
            if folded is not None:
                return Num(folded)
    if base is E:
        return call("exp", exp)
    if base is I and is_integer(exp) and type(exp.value) is int:
        return _POWERS_OF_I[exp.value % 4]                # I^2 = -1, I^-1 = -I
    if is_integer(exp):
        if type(base) is Pow:
            return power(base.base, mul(base.exp, exp))
        if type(base) is Mul and (len(base.factors) <= _flatten_limit.get()
                                  or _number_and_one(base.factors[0], base.factors)):
            return mul(*[power(f, exp) for f in base.factors])
    return Pow(base, exp)


def call(fn: str, *args: Expr) -> Expr:
    """A function application; ``exp(x)`` is the canonical spelling of ``e^x``.

    A square root has one node, the power: ``call("sqrt", u)`` is ``power(u, 1/2)``, so
    ``sqrt(x)`` and ``x^(1/2)`` are one expression and no ``Call("sqrt")`` node exists.

    >>> x = Symbol("x")
    >>> call("sqrt", x) is power(x, HALF), call("sqrt", Num(4)), power(call("sqrt", x), Num(3))
    (True, 2, x^(3/2))
    """
    if fn == "sqrt":
        if len(args) != 1:
            raise TypeError(f"sqrt takes 1 argument, got {len(args)}")
        return power(args[0], HALF)
    if fn == PIECEWISE:
        return piecewise(*zip(args[::2], args[1::2]))
    constructor = _CONSTRUCTORS.get(fn)
    if constructor is not None:
        return constructor(*args)
    return Call(fn, tuple(args))


# Smart constructors of calls that fold (the conditions of piecewise forms: 1 < 2 is 1), given
# by the module that knows them (functions.py); this module imports none.
_CONSTRUCTORS: dict[str, Callable[..., Expr]] = {}


def construct_with(fn: str, constructor: Callable[..., Expr]) -> None:
    """Build every call of ``fn`` with ``constructor`` (which must make its node with ``Call``)."""
    _CONSTRUCTORS[fn] = constructor


# ---------------------------------------------------------------- traversal

def postorder(root: Expr, stop=None) -> list[Expr]:
    """Every distinct node of the DAG, children before parents, without recursion.

    ``stop(node)`` true means: list the node but do not descend into it.

    >>> [str(n) for n in postorder(Symbol("x") * 2 + 1)]
    ['2', 'x', '2*x', '1', '2*x + 1']
    """
    order: list[Expr] = []
    seen: set[Expr] = set()                 # nodes are interned: identity is equality
    stack: list[tuple[Expr, bool]] = [(root, False)]
    pop, push, visit, emit = stack.pop, stack.append, seen.add, order.append
    while stack:
        node, expanded = pop()
        if expanded:
            emit(node)
            continue
        if node in seen:
            continue
        visit(node)
        children = node.children
        if not children or (stop is not None and stop(node)):
            emit(node)                      # a leaf, or not descended into: done at once
            continue
        push((node, True))
        for child in reversed(children):
            if child not in seen:
                push((child, False))
    return order


def postorder_of(roots: Sequence[Expr]) -> list[Expr]:
    """The distinct nodes of several roots, children first, each once.

    >>> x = Symbol("x")
    >>> [str(n) for n in postorder_of([x + 1, 2 * (x + 1)])]
    ['x', '1', 'x + 1', '2', '2*(x + 1)']
    """
    nodes: list[Expr] = []
    seen: set[Expr] = set()
    for root in roots:
        for node in postorder(root, stop=seen.__contains__):
            if node not in seen:
                seen.add(node)
                nodes.append(node)
    return nodes


def shares_subexpressions(root: Expr) -> bool:
    """Whether some subexpression other than a number or a variable occurs twice in ``root``
    (the DAG is not a tree above its leaves).

    >>> x = Symbol("x")
    >>> s = x + 1
    >>> shares_subexpressions(call("sin", x) * x), shares_subexpressions(s * call("sin", s))
    (False, True)
    """
    seen: set[Expr] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in seen:
            if node.children:
                return True
            continue
        seen.add(node)
        stack.extend(node.children)
    return False


def dag_size(root: Expr) -> int:
    """Number of distinct nodes (the size of the DAG)."""
    return len(postorder(root))


def dag_larger_than(roots: Iterable[Expr], bound: int) -> bool:
    """Whether the DAG of all ``roots`` together has more than ``bound`` distinct nodes;
    stops counting as soon as it has.

    >>> x = Symbol("x")
    >>> dag_larger_than([x + 1, x + 2], 4), dag_larger_than([x + 1, x + 2], 5)
    (True, False)
    """
    seen: set[Expr] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if len(seen) > bound:
            return True
        stack.extend(node.children)
    return False


def tree_size(root: Expr) -> int:
    """Number of nodes if every shared subexpression were written out again."""
    sizes: dict[int, int] = {}
    for node in checked(postorder(root)):
        sizes[id(node)] = 1 + sum(sizes[id(c)] for c in node.children)
    return sizes[id(root)]


def flattened(roots: Iterable[Expr]) -> list[Expr]:
    """The roots rebuilt bottom-up with the usual flattening, each distinct node once: a
    DAG built while preserving structure becomes the canonical one that its text reads back
    to (``a*(b*c)`` is ``a*b*c``), with the same sharing.

    >>> x, y, z = symbols("x y z")
    >>> with preserving_structure():
    ...     kept = mul(x, mul(y, z))
    >>> kept, flattened([kept])[0], flattened([kept])[0] is x*y*z
    (x*(y*z), x*y*z, True)
    """
    roots = list(roots)
    done: dict[Expr, Expr] = {}
    token = _flatten_limit.set(FLATTEN_LIMIT)
    try:
        for root in roots:
            for node in postorder(root, stop=done.__contains__):
                if node not in done:
                    done[node] = rebuild(node, [done[c] for c in node.children]) if node.children else node
    finally:
        _flatten_limit.reset(token)
    return [done[root] for root in roots]


def substitute(root: Expr, mapping: dict) -> Expr:
    """Replace subexpressions (keys) by values, rebuilding canonically.  A key may be a
    variable's name, and a value a number.

    >>> x, y = symbols("x y")
    >>> substitute(x**2 + x, {x: y + 1})
    y + (y + 1)^2 + 1
    >>> substitute(x**2 + y, {"x": 3})
    y + 9
    """
    if not isinstance(root, Expr):
        raise TypeError(f"substitute works on an expression, not {type(root).__name__} "
                        f"{root!r}; parse strings with symdiff.parse")
    mapping = {_substitution_key(key): as_expr(value) for key, value in mapping.items()}
    done: dict[Expr, Expr] = {}
    for node in postorder(root, stop=lambda n: n in mapping):
        if node in mapping:
            done[node] = mapping[node]
        else:
            done[node] = rebuild(node, [done[c] for c in node.children])
    return done[root]


def _substitution_key(key) -> Expr:
    if isinstance(key, Expr):
        return key
    if isinstance(key, str):
        try:
            return Sym(key)
        except ValueError as error:
            raise TypeError(f"a key of the substitution must be an expression or a variable's "
                            f"name: {error}; parse other text with symdiff.parse") from None
    raise TypeError(f"a key of the substitution must be an expression or a variable's name, "
                    f"not {type(key).__name__} {key!r}")


def rebuild(node: Expr, children: Sequence[Expr]) -> Expr:
    """The node with new children, through the canonical constructors."""
    match node:
        case Add():
            return add(*children)
        case Mul():
            return mul(*children)
        case Pow():
            return power(*children)
        case Call(fn):
            return call(fn, *children)
        case _:
            return node
