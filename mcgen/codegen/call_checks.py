"""Checks of every call into compiled code, against what the kernel was built for.

A compiled kernel trusts its arguments: an array shorter than the grid, a negative or huge cell
count, a float32 array where float64 was built, a 2-D array, a strided view or two arguments that
overlap (the code assumes ``restrict``/``noalias``) make it read or write outside the arrays.
Each :class:`~mcgen.codegen.ir.Kernel` therefore states its contract in the IR: the fewest
elements of each array argument (``Arg.length``, an expression of the integer arguments) and
conditions on those integers (``Kernel.requires``). Before any compiled code runs,

- every integer argument is a whole number in the range of its type, every float a real number;
- every requirement holds (``n0 >= 1``, ``nsteps >= 0``, ``team_member < team_size``, ...);
- every array is a 1-D, C-contiguous NumPy array of the kernel's dtype, writeable when the
  kernel writes it, with at least ``length`` elements (evaluated with Python integers, so a
  huge cell count cannot wrap around);
- no array the kernel writes overlaps another array argument.

A failure raises :class:`KernelArgumentError` naming the kernel, the argument, what was expected
and what was given. mcgen's C and LLVM wrappers hold a :class:`CallContract`; the numba module
prints the same checks as Python in front of each compiled function (the runtime helpers
between the ``RUNTIME CHECKS`` markers below are copied into every generated module, which
needs only NumPy for them), so exported modules check their callers too.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from mcgen.codegen import ir
from mcgen.errors import CodegenError


class KernelArgumentError(CodegenError, ValueError):
    """An argument of a call into compiled code does not fit what the kernel was built for."""


# BEGIN RUNTIME CHECKS (copied verbatim into generated modules: numpy only, names _mcg_*)
_MCG_INT_RANGE = {"i64": (-(2**63), 2**63 - 1), "i32": (-(2**31), 2**31 - 1),
                  "u64": (0, 2**64 - 1), "u32": (0, 2**32 - 1)}


def _mcg_int(kernel, name, value, type_):
    """``value`` as a Python int, after checking it is a whole number in the range of type_."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise KernelArgumentError(
            f"{kernel}: argument {name!r} must be an integer ({type_}), got {value!r} of type "
            f"{type(value).__name__}")
    v = int(value)
    lo, hi = _MCG_INT_RANGE[type_]
    if not lo <= v <= hi:
        raise KernelArgumentError(f"{kernel}: argument {name!r} = {v} is outside the range of "
                                  f"{type_} [{lo}, {hi}]")
    return v


def _mcg_real(kernel, name, value, type_):
    """Check that ``value`` is one real number (a float argument of type_)."""
    if type_ == "bool":
        ok = isinstance(value, (bool, np.bool_))
    else:
        ok = isinstance(value, (int, float, np.integer, np.floating)) and \
            not isinstance(value, (bool, np.bool_))
    if not ok:
        raise KernelArgumentError(f"{kernel}: argument {name!r} must be one {type_} number, got "
                                  f"{type(value).__name__}")


def _mcg_require(kernel, ok, text, values):
    """Raise unless the requirement ``text`` holds for the integer arguments ``values``."""
    if not ok:
        shown = ", ".join(f"{k} = {v}" for k, v in values.items())
        raise KernelArgumentError(f"{kernel}: the call needs {text}, got {shown}")


def _mcg_array(kernel, name, value, dtype, written, length, text):
    """Check one array argument: a flat, C-contiguous array of ``dtype``, writeable when
    ``written``, of at least ``length`` elements (``text``: the length's formula)."""
    want = np.dtype(dtype)
    if not isinstance(value, np.ndarray):
        raise KernelArgumentError(f"{kernel}: argument {name!r} must be a numpy array of {want}, "
                                  f"got {type(value).__name__}")
    if value.ndim != 1:
        raise KernelArgumentError(f"{kernel}: argument {name!r} must be a flat (1-D) array, got "
                                  f"shape {value.shape}: pass a C-contiguous array's "
                                  ".reshape(-1)")
    if value.dtype != want:
        raise KernelArgumentError(f"{kernel}: argument {name!r} must have dtype {want}, got "
                                  f"{value.dtype}: use np.ascontiguousarray(x, dtype=np.{want})")
    if not value.flags.c_contiguous:
        raise KernelArgumentError(f"{kernel}: argument {name!r} must be C-contiguous, got strides "
                                  f"{value.strides}: use np.ascontiguousarray(x)")
    if written and not value.flags.writeable:
        raise KernelArgumentError(f"{kernel}: argument {name!r} is written to: pass a writeable "
                                  "array")
    if length is not None and value.shape[0] < length:
        raise KernelArgumentError(f"{kernel}: argument {name!r} has {value.shape[0]} elements, the "
                                  f"call needs at least {length} ({text})")


def _mcg_disjoint(kernel, arrays):
    """Refuse overlapping arrays where one is written (the code assumes they are distinct):
    ``arrays`` holds (name, array, written) triples."""
    for i, (na, a, wa) in enumerate(arrays):
        for nb, b, wb in arrays[i + 1:]:
            if (wa or wb) and np.may_share_memory(a, b):
                raise KernelArgumentError(f"{kernel}: arguments {na!r} and {nb!r} overlap in "
                                          "memory: pass distinct arrays")
# END RUNTIME CHECKS


_NP = {"f64": np.float64, "f32": np.float32, "i64": np.int64, "i32": np.int32,
       "u64": np.uint64, "u32": np.uint32, "bool": np.bool_}


def runtime_source() -> str:
    """The text of the runtime helpers, as copied into generated modules."""
    return _runtime_source(str(Path(__file__)))


@lru_cache(maxsize=1)
def _runtime_source(path: str) -> str:
    text = Path(path).read_text()
    start = text.index("# BEGIN RUNTIME CHECKS")
    end = text.index("# END RUNTIME CHECKS")
    return text[text.index("\n", start) + 1:end].rstrip() + "\n"


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.floordiv,
    "//": operator.floordiv, "%": operator.mod, "min": min, "max": max,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne}


def compile_expr(expr: ir.Expr) -> Callable[[dict[str, int]], Any]:
    """A length or requirement as a Python function of the integer arguments, evaluated with
    Python integers (no wrap-around); built once per kernel, called on every call."""
    if isinstance(expr, ir.Const):
        value = expr.value if isinstance(expr.value, bool) else int(expr.value)
        return lambda env: value
    if isinstance(expr, ir.Var):
        name = expr.name
        return lambda env: env[name]
    if isinstance(expr, ir.Cast):
        inner = compile_expr(expr.a)
        return lambda env: int(inner(env))
    if isinstance(expr, ir.UnOp) and expr.op in ("neg", "abs"):
        inner, f = compile_expr(expr.a), (operator.neg if expr.op == "neg" else abs)
        return lambda env: f(inner(env))
    if isinstance(expr, (ir.BinOp, ir.Cmp)) and expr.op in _BINOPS:
        a, b, op = compile_expr(expr.a), compile_expr(expr.b), _BINOPS[expr.op]
        return lambda env: op(a(env), b(env))
    raise CodegenError(f"cannot evaluate {expr!r} in a call contract")


def expr_text(expr: ir.Expr) -> str:
    """A length or requirement as text (C and Python read it the same way)."""
    if isinstance(expr, ir.Const):
        return str(int(expr.value))
    if isinstance(expr, ir.Var):
        return expr.name
    if isinstance(expr, ir.Cast):
        return expr_text(expr.a)
    if isinstance(expr, ir.UnOp):
        return f"-({expr_text(expr.a)})" if expr.op == "neg" else f"abs({expr_text(expr.a)})"
    if isinstance(expr, (ir.BinOp, ir.Cmp)):
        if expr.op in ("min", "max"):
            return f"{expr.op}({expr_text(expr.a)}, {expr_text(expr.b)})"
        op = "/" if expr.op == "//" else expr.op
        return f"{_wrap(expr.a, op, False)} {op} {_wrap(expr.b, op, True)}"
    raise CodegenError(f"cannot print {expr!r} in a call contract")


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2}


def _wrap(e: ir.Expr, op: str, right: bool) -> str:
    text = expr_text(e)
    if isinstance(e, ir.BinOp) and e.op in _PREC and op in _PREC and (
            _PREC[e.op] < _PREC[op] or (right and _PREC[e.op] == _PREC[op] and op in "-/%")):
        return f"({text})"
    return text


_C_NAME = {"f64": "double", "f32": "float", "i64": "int64_t", "i32": "int32_t",
           "u64": "uint64_t", "u32": "uint32_t", "bool": "bool"}


def length_doc(arg: ir.Arg, c: bool = False) -> str:
    """``array of at least <formula> <dtype> values`` for an array argument (comments of
    generated code; ``c``: the C type's name instead of NumPy's)."""
    dtype = _C_NAME[arg.type] if c else np.dtype(_NP[arg.type]).name
    if arg.length is None:
        return f"array of {dtype}"
    return f"array of at least {expr_text(arg.length)} {dtype} values"


class CallContract:
    """The checks of one kernel's calls, prepared once (formulas printed, dtypes resolved):
    ``contract(args)`` raises :class:`KernelArgumentError` naming the first argument that
    does not fit."""

    def __init__(self, kernel: ir.Kernel) -> None:
        self.name = kernel.name
        self.nargs = len(kernel.args)
        self.arg_names = ", ".join(a.name for a in kernel.args)
        self.scalars = [(i, a.name, a.type, a.type in ir.INTS)
                        for i, a in enumerate(kernel.args) if not a.array]
        self.requires = [(compile_expr(r), expr_text(r),
                          sorted({v.name for v in contract_vars(r)})) for r in kernel.requires]
        self.arrays = [(i, a.name, np.dtype(_NP[a.type]), a.intent != "in",
                        None if a.length is None else compile_expr(a.length),
                        "" if a.length is None else expr_text(a.length))
                       for i, a in enumerate(kernel.args) if a.array]

    def __call__(self, args: Sequence[Any]) -> None:
        name = self.name
        if len(args) != self.nargs:
            raise KernelArgumentError(f"{name} takes {self.nargs} arguments ({self.arg_names}), "
                                      f"got {len(args)}")
        env: dict[str, int] = {}
        for i, arg, type_, integer in self.scalars:
            if integer:
                env[arg] = _mcg_int(name, arg, args[i], type_)
            else:
                _mcg_real(name, arg, args[i], type_)
        for req, text, used in self.requires:
            if not req(env):
                _mcg_require(name, False, text, {k: env[k] for k in used})
        for i, arg, dtype, written, length, text in self.arrays:
            _mcg_array(name, arg, args[i], dtype, written,
                       None if length is None else length(env), text)
        if len(self.arrays) > 1:
            _mcg_disjoint(name, [(arg, args[i], written)
                                 for i, arg, _, written, _, _ in self.arrays])


def check_call(kernel: ir.Kernel, args: Sequence[Any]) -> None:
    """Check a call of ``kernel`` with ``args`` (in the IR's order); raise
    :class:`KernelArgumentError` naming the first argument that does not fit. (Wrappers that
    call a kernel often keep a :class:`CallContract` instead.)"""
    CallContract(kernel)(args)


def checked(kernel: ir.Kernel, fn: Any) -> Any:
    """``fn`` (a compiled ``kernel``) behind its :class:`CallContract`."""

    contract = CallContract(kernel)

    def call(*args: Any) -> Any:
        contract(args)
        return fn(*args)

    call.__name__ = call.__qualname__ = kernel.name
    return call


def contract_vars(expr: ir.Expr) -> list[ir.Var]:
    """The integer arguments a length or requirement reads."""
    if isinstance(expr, ir.Var):
        return [expr]
    out: list[ir.Var] = []
    for attr in ("a", "b"):
        child = getattr(expr, attr, None)
        if child is not None:
            out += contract_vars(child)
    return out


def check_buffers(layout: Any, bufs: Any) -> None:
    """Refuse buffers that were not prepared for a kernel of this ``layout`` (another kernel's,
    or ones whose arrays were replaced): same layout, grid shape and sizes, distinct arrays."""
    owner = getattr(bufs, "layout", None)
    if owner != layout:
        raise KernelArgumentError(
            "these buffers were prepared by a kernel of another layout "
            f"({_describe(owner)}), not this one ({_describe(layout)}): call this kernel's "
            "prepare(u)")
    shape = tuple(int(n) for n in bufs.shape)
    if len(shape) != layout.dim or any(n < 1 for n in shape):
        raise KernelArgumentError(f"buffer grid shape {shape} does not fit a {layout.dim}-D "
                                  "kernel: call prepare(u)")
    field = int(np.prod([n + 2 * layout.ghost for n in shape], dtype=object))
    grid = len(layout.fields) * field
    dtype = np.dtype(_NP[layout.dtype])
    for label, arr, size in [("a", bufs.a, grid), ("b", bufs.b, grid)] + [
            (f"scratch[{i}]", s, field) for i, s in enumerate(bufs.scratch)]:
        if not isinstance(arr, np.ndarray) or arr.shape != (size,) or arr.dtype != dtype:
            got = (arr.shape, str(arr.dtype)) if isinstance(arr, np.ndarray) else type(arr)
            raise KernelArgumentError(f"buffer {label} must be a flat {dtype} array of {size} "
                                      f"values for grid {shape}, got {got}: call prepare(u)")
    if len(bufs.scratch) != len(layout.scratch):
        raise KernelArgumentError(f"the buffers hold {len(bufs.scratch)} scratch arrays, the "
                                  f"kernel needs {len(layout.scratch)}: call prepare(u)")


def _describe(layout: Any) -> str:
    if layout is None:
        return "unknown"
    return (f"fields {list(layout.fields)}, {layout.dim}-D, ghost {layout.ghost}, "
            f"{layout.dtype}")
