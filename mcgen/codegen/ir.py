"""A small typed loop IR. Front-ends (stencil sweeps, Monte Carlo event loops) build it; every
backend (numba, LLVM, C) prints only it, and an unknown node raises.

Arrays are flat and indexed by an explicit integer expression: front-ends compute strides, so
backends never guess layouts. Every name is validated as a plain identifier (no keyword of C or
Python), so no model name can inject code into a generated module.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from mcgen.errors import CodegenError

TYPES = ("f64", "f32", "i64", "i32", "u64", "u32", "bool")
FLOATS = ("f64", "f32")
INTS = ("i64", "i32", "u64", "u32")

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_C_RESERVED = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "_Bool", "main", "np", "nb", "numba",
    "math", "prange",
    # functions, macros and types the printed code calls or names (a parameter of that name
    # would shadow them inside a kernel): C99 <math.h>/<stdint.h>/<stdbool.h>, libc, Python
    # builtins the numba printer uses
    "exp", "log", "sqrt", "sin", "cos", "tanh", "floor", "pow", "fabs", "fmod", "fmin",
    "fmax", "expf", "logf", "sqrtf", "sinf", "cosf", "tanhf", "floorf", "powf", "fabsf",
    "fmodf", "abs", "llabs", "sched_yield", "INFINITY", "NAN", "INT64_C", "UINT64_C",
    "UINT32_C", "bool", "true", "false", "int64_t", "int32_t", "uint64_t", "uint32_t",
    "size_t", "range", "min", "max", "len", "isinstance",
}


#: Prefixes of the names mcgen's own code generation introduces *after* a model's names are
#: placed (thread teams: ``team_``; temporal blocking: ``tb_``; printer helpers and module
#: globals: ``mcg_``, ``mcgen_``, ``mc_min_``/``mc_max_`` and a leading underscore, e.g.
#: ``_team_barrier``). A name derived from a model never starts with one of them
#: (:func:`user_ident` renames it), so no model name can alias a generated local. This is the
#: one place that owns the rule; the passes check their names with :func:`internal_names`.
RESERVED_PREFIXES = ("team_", "tb_", "mcg_", "mcgen_", "mc_min_", "mc_max_", "_")
#: the part of it that holds module-level names (a kernel's own name may use the rest)
MODULE_PREFIXES = ("mcg_", "mcgen_", "mc_min_", "mc_max_", "_")


def is_reserved(name: str, prefixes: tuple[str, ...] = RESERVED_PREFIXES) -> bool:
    """Whether ``name`` lies in the namespace of mcgen's internal identifiers."""
    return name.startswith(prefixes)


def user_ident(name: str, taken: set[str], avoid: Callable[[str], bool] | None = None,
               kernel: bool = False) -> str:
    """A safe, unused identifier for a name taken from a model (a parameter, a spacing, or a
    kernel's name when ``kernel``): ``name`` in ASCII (``mcgen.model.names.safe_identifier``, at
    most 48 characters) when it is a valid identifier outside the reserved namespace
    (:data:`RESERVED_PREFIXES`; :data:`MODULE_PREFIXES` for a kernel name), not in ``taken`` and
    not refused by ``avoid``; else ``p_<name>`` (``p1_<name>``, ... when taken). The result is
    added to ``taken``."""
    from mcgen.model.names import safe_identifier  # non-ASCII letters mapped (alpha for α)

    base = safe_identifier(name)[:48]
    cand = base
    try:
        ident(cand)
        ok = cand not in taken and not is_reserved(
            cand, MODULE_PREFIXES if kernel else RESERVED_PREFIXES) and not (avoid and avoid(cand))
    except CodegenError:
        ok = False
    if not ok:
        stem = base.lstrip("_")
        cand = f"p_{stem}"
        k = 0
        while cand in taken:
            k += 1
            cand = f"p{k}_{stem}"
        ident(cand)
    taken.add(cand)
    return cand


def internal_names(kernel: Kernel, names: Sequence[str], what: str) -> None:
    """Check that the ``names`` a pass (``what``) adds to ``kernel`` are reserved and that the
    kernel does not use any of them yet; raise CodegenError naming the clash otherwise."""
    bad = [n for n in names if not is_reserved(n)]
    if bad:
        raise CodegenError(f"{what} would add the names {bad} outside mcgen's reserved "
                           f"namespace {RESERVED_PREFIXES}: an internal error, please report it")
    clash = sorted(var_names(kernel) & set(names))
    if clash:
        raise CodegenError(f"kernel {kernel.name} already uses {clash}, which {what} needs for "
                           "its own variables: rename them (names starting with "
                           f"{', '.join(RESERVED_PREFIXES)} are mcgen's)")


def var_names(kernel: Kernel) -> set[str]:
    """Every argument, loop index and local variable name of ``kernel``."""
    return {a.name for a in kernel.args} | {
        n.name for s in kernel.body for n in _nodes(s) if isinstance(n, Var)}


def _nodes(node: Any) -> Iterator[Any]:
    """``node`` and every IR node inside it."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if is_dataclass(n) and not isinstance(n, type):
            for f in fields(n):
                v = getattr(n, f.name)
                for x in (v if isinstance(v, tuple) else (v,)):
                    if is_dataclass(x) and not isinstance(x, (Kernel, Module)):
                        stack.append(x)


def ident(name: str) -> str:
    """Validate ``name`` as an identifier safe in C, Python and LLVM; return it unchanged."""
    if not isinstance(name, str) or not _IDENT.match(name) or keyword.iskeyword(name) \
            or name in _C_RESERVED or name.startswith("__"):
        raise CodegenError(f"{name!r} cannot be an identifier in generated code: use letters, "
                           "digits and underscores (starting with a letter, at most 63 "
                           "characters), not a C or Python keyword")
    return name


def _type(t: str) -> str:
    if t not in TYPES:
        raise CodegenError(f"IR type {t!r} is not one of {TYPES}")
    return t


# ---------------------------------------------------------------------- expressions

@dataclass(frozen=True)
class Const:
    value: float | int | bool
    type: str = "f64"

    def __post_init__(self) -> None:
        _type(self.type)


@dataclass(frozen=True)
class Var:
    """A scalar: a kernel argument, a loop index or a local."""

    name: str
    type: str = "f64"

    def __post_init__(self) -> None:
        ident(self.name)
        _type(self.type)


@dataclass(frozen=True)
class Load:
    """``array[index]`` of a flat array argument."""

    array: str
    index: Expr
    type: str = "f64"

    def __post_init__(self) -> None:
        ident(self.array)
        _type(self.type)


BINOPS = ("+", "-", "*", "/", "min", "max", "pow", "%", "//", "&", "|", "^", "<<", ">>",
          "mulhi")


@dataclass(frozen=True)
class BinOp:
    """Arithmetic on two operands of the same type (``mulhi``: high 64 bits of a u64 product;
    ``%`` and ``//`` on integers follow Python's floored semantics only for non-negative
    operands, which is all the front-ends emit)."""

    op: str
    a: Expr
    b: Expr
    type: str = "f64"

    def __post_init__(self) -> None:
        if self.op not in BINOPS:
            raise CodegenError(f"unknown binary operator {self.op!r}")
        _type(self.type)


UNOPS = ("neg", "abs", "sqrt", "exp", "log", "floor", "not", "sin", "cos", "tanh")


@dataclass(frozen=True)
class UnOp:
    op: str
    a: Expr
    type: str = "f64"

    def __post_init__(self) -> None:
        if self.op not in UNOPS:
            raise CodegenError(f"unknown unary operator {self.op!r}")
        _type(self.type)


CMPOPS = ("<", "<=", ">", ">=", "==", "!=")


@dataclass(frozen=True)
class Cmp:
    op: str
    a: Expr
    b: Expr
    type: str = "bool"

    def __post_init__(self) -> None:
        if self.op not in CMPOPS:
            raise CodegenError(f"unknown comparison {self.op!r}")


@dataclass(frozen=True)
class Select:
    """``cond ? a : b`` without a branch (both sides are evaluated)."""

    cond: Expr
    a: Expr
    b: Expr
    type: str = "f64"


@dataclass(frozen=True)
class Cast:
    a: Expr
    type: str = "f64"

    def __post_init__(self) -> None:
        _type(self.type)


Expr = Const | Var | Load | BinOp | UnOp | Cmp | Select | Cast


# ---------------------------------------------------------------------- statements

@dataclass(frozen=True)
class Assign:
    """``var = value`` (a local is declared on first assignment)."""

    var: Var
    value: Expr


@dataclass(frozen=True)
class Store:
    array: str
    index: Expr
    value: Expr

    def __post_init__(self) -> None:
        ident(self.array)


@dataclass(frozen=True)
class For:
    """``for var in range(start, stop)``; ``parallel`` asks backends to thread this loop."""

    var: Var
    start: Expr
    stop: Expr
    body: tuple[Stmt, ...]
    parallel: bool = False


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@dataclass(frozen=True)
class SwapArrays:
    """Exchange two array arguments of the same type (pointer swap: two buffers, many steps)."""

    a: str
    b: str

    def __post_init__(self) -> None:
        ident(self.a)
        ident(self.b)


@dataclass(frozen=True)
class Comment:
    text: str

    def __post_init__(self) -> None:
        if "\n" in self.text or "*/" in self.text or "\r" in self.text:
            raise CodegenError("a comment in generated code must be one line without '*/'")


@dataclass(frozen=True)
class Barrier:
    """Wait until every member of a thread team has reached its ``epoch``-th barrier.

    Member ``m`` of ``size`` members publishes ``epoch`` in ``flags[m * BARRIER_STRIDE]`` (an
    atomic store with release order; one 64-byte line per member, so the slots do not share a
    cache line) and then waits until every slot holds at least ``epoch`` (atomic loads with
    acquire order): every write made before the barrier by any member is then visible to all.
    ``flags`` (an i64 array of ``size * BARRIER_STRIDE`` zeros) belongs to one call.
    """

    flags: str
    member: Expr
    size: Expr
    epoch: Expr

    def __post_init__(self) -> None:
        ident(self.flags)


#: i64 slots between two members' barrier flags (64 bytes: one cache line each)
BARRIER_STRIDE = 8

Stmt = Assign | Store | For | If | SwapArrays | Comment | Barrier


# ---------------------------------------------------------------------- kernels

@dataclass(frozen=True)
class Arg:
    """A kernel argument: a scalar, or a flat array (``array=True``) of ``type``.

    ``length`` (arrays): the fewest elements the kernel may touch, an i64 expression over the
    kernel's integer scalar arguments (``nf * (n0 + 2 g)``). Every call is checked against it
    (:mod:`mcgen.codegen.call_checks`) and the exported headers print it.
    """

    name: str
    type: str = "f64"
    array: bool = False
    intent: str = "in"  # "in" | "out" | "inout"
    length: Expr | None = None

    def __post_init__(self) -> None:
        ident(self.name)
        _type(self.type)
        if self.intent not in ("in", "out", "inout"):
            raise CodegenError(f"argument intent {self.intent!r}: use 'in', 'out' or 'inout'")
        if self.length is not None and not self.array:
            raise CodegenError(f"scalar argument {self.name} cannot have a length")


@dataclass(frozen=True)
class Kernel:
    """One generated function: arguments, body, and a docstring-worthy provenance."""

    name: str
    args: tuple[Arg, ...]
    body: tuple[Stmt, ...]
    returns: str | None = None  # type of a returned scalar (a Var named ``result``), if any
    doc: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    #: conditions on the integer scalar arguments every call must meet (``Cmp`` nodes such as
    #: ``n0 >= 1``), checked with the array lengths before the compiled code runs
    requires: tuple[Expr, ...] = ()

    def __post_init__(self) -> None:
        ident(self.name)
        names = [a.name for a in self.args]
        if len(set(names)) != len(names):
            raise CodegenError(f"duplicate argument names in kernel {self.name}: {names}")
        ints = {a.name for a in self.args if not a.array and a.type in INTS}
        for e in [a.length for a in self.args if a.length is not None] + list(self.requires):
            free = {n.name for n in _nodes(e) if isinstance(n, Var)} - ints
            if free or any(isinstance(n, Load) for n in _nodes(e)):
                raise CodegenError(f"kernel {self.name}: a length or requirement may use only "
                                   f"integer scalar arguments, not {sorted(free) or 'arrays'}")


@dataclass(frozen=True)
class Module:
    """Several kernels generated together (a stepper and its helpers)."""

    name: str
    kernels: tuple[Kernel, ...]
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ident(self.name)


# ---------------------------------------------------------------------- traversals

# index arithmetic (64-bit integers): one set of builders for every front-end
def index_const(v: int) -> Const:
    return Const(int(v), "i64")


def index_sum(*xs: Expr) -> Expr:
    out = xs[0]
    for x in xs[1:]:
        out = BinOp("+", out, x, "i64")
    return out


def index_product(a: Expr, b: Expr) -> Expr:
    return BinOp("*", a, b, "i64")


def walk(stmts: Sequence[Stmt]) -> Iterator[Stmt]:
    """Every statement of ``stmts``, nested loop and if bodies included (pre-order)."""
    for s in stmts:
        yield s
        if isinstance(s, For):
            yield from walk(s.body)
        elif isinstance(s, If):
            yield from walk(s.then)
            yield from walk(s.orelse)


def has_parallel_loop(stmts: Sequence[Stmt]) -> bool:
    """Whether a ``For(parallel=True)`` occurs anywhere in ``stmts``."""
    return any(isinstance(s, For) and s.parallel for s in walk(stmts))


def map_nodes(node: Any, fn: Callable[[Any], Any]) -> Any:
    """``node`` rebuilt bottom-up with ``fn`` applied to every IR node (children first; tuples
    stay tuples, anything that is not an IR node is kept as it is)."""
    if isinstance(node, tuple):
        return tuple(map_nodes(x, fn) for x in node)
    if not is_dataclass(node) or isinstance(node, type):
        return node
    changes = {f.name: map_nodes(getattr(node, f.name), fn) for f in fields(node)}
    return fn(replace(node, **changes))
