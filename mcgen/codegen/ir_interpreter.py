"""A slow, pure-Python interpreter of the loop IR: the reference semantics of every node.

It runs a :class:`~mcgen.codegen.ir.Kernel` on NumPy arrays exactly as the backends should:
integers wrap (u64 arithmetic modulo 2**64, as C's unsigned types), floats are IEEE doubles
without fused or reassociated operations, ``min(a, b) = a < b ? a : b``, ``Select`` evaluates both
sides. No compiler is involved, so a difference between a backend and this interpreter points at
the backend. It is thousands of times slower than a compiled kernel: use it on small inputs.

>>> from mcgen.codegen import ir
>>> k = ir.Kernel("twice", (ir.Arg("a", "f64", True, "inout"), ir.Arg("n", "i64")),
...               (ir.For(ir.Var("i", "i64"), ir.Const(0, "i64"), ir.Var("n", "i64"),
...                       (ir.Store("a", ir.Var("i", "i64"),
...                                 ir.BinOp("*", ir.Load("a", ir.Var("i", "i64")),
...                                          ir.Const(2.0))),)),))
>>> import numpy as np; a = np.arange(3.0); IRInterpreter(k)(a, 3); a
array([0., 2., 4.])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mcgen.codegen import ir
from mcgen.errors import CodegenError

_NP = {"f64": np.float64, "f32": np.float32, "i64": np.int64, "i32": np.int32,
       "u64": np.uint64, "u32": np.uint32, "bool": np.bool_}
_BITS = {"i64": 64, "i32": 32, "u64": 64, "u32": 32}


def _cast(value: Any, t: str) -> Any:
    """``value`` as IR type ``t``: wrapping for integers (C semantics), IEEE for floats."""
    if t == "bool":
        return bool(value)
    if t in ir.FLOATS:
        return _NP[t](value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise CodegenError(f"cast of {value} to {t}: not a finite number")
        value = math.trunc(float(value))  # C truncates toward zero
    v = int(value) % (1 << _BITS[t])
    if t in ("i64", "i32") and v >= 1 << (_BITS[t] - 1):
        v -= 1 << _BITS[t]
    return _NP[t](v)


def _binop(op: str, a: Any, b: Any, t: str) -> Any:
    if op == "min":
        return a if a < b else b
    if op == "max":
        return a if a > b else b
    if t in ir.FLOATS:
        a, b = _NP[t](a), _NP[t](b)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            with np.errstate(divide="ignore", invalid="ignore"):
                return a / b
        if op == "pow":
            return _NP[t](math.pow(a, b))
        raise CodegenError(f"operator {op!r} is not defined on {t}")
    x, y = int(a), int(b)
    if op == "+":
        r = x + y
    elif op == "-":
        r = x - y
    elif op == "*":
        r = x * y
    elif op in ("/", "//"):
        r = x // y  # the front-ends divide non-negative integers only
    elif op == "%":
        r = x % y
    elif op == "&":
        r = x & y
    elif op == "|":
        r = x | y
    elif op == "^":
        r = x ^ y
    elif op == "<<":
        r = x << y
    elif op == ">>":
        r = (x % (1 << _BITS[t])) >> y if t.startswith("u") else x >> y
    elif op == "mulhi":
        r = ((x % (1 << 64)) * (y % (1 << 64))) >> 64
    else:
        raise CodegenError(f"operator {op!r} is not defined on {t}")
    return _cast(r, t)


_UN: dict[str, Callable[[Any], Any]] = {
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "sin": math.sin, "cos": math.cos,
    "tanh": math.tanh, "floor": lambda v: float(math.floor(v)),
}


class IRInterpreter:
    """Call a kernel like a compiled one: arrays (NumPy, the IR's dtype, modified in place for
    ``out``/``inout``) and scalars, in the IR's argument order."""

    def __init__(self, kernel: ir.Kernel) -> None:
        self.kernel = kernel

    def __call__(self, *args: Any) -> Any:
        k = self.kernel
        if len(args) != len(k.args):
            raise CodegenError(f"{k.name} takes {len(k.args)} arguments, got {len(args)}")
        self.arrays: dict[str, np.ndarray] = {}
        self.env: dict[str, Any] = {}
        for spec, value in zip(k.args, args, strict=True):
            if spec.array:
                if not isinstance(value, np.ndarray) or value.dtype != np.dtype(_NP[spec.type]):
                    raise CodegenError(f"argument {spec.name} must be a NumPy array of "
                                       f"{np.dtype(_NP[spec.type]).name}")
                self.arrays[spec.name] = value.reshape(-1)
            else:
                self.env[spec.name] = _cast(value, spec.type)
        self.block(k.body)
        return self.env.get("result") if k.returns else None

    # -- expressions
    def expr(self, e: ir.Expr) -> Any:
        if isinstance(e, ir.Const):
            return _cast(e.value, e.type)
        if isinstance(e, ir.Var):
            if e.name not in self.env:
                raise CodegenError(f"{e.name} is read before it is assigned")
            return self.env[e.name]
        if isinstance(e, ir.Load):
            return _cast(self.arrays[e.array][int(self.expr(e.index))], e.type)
        if isinstance(e, ir.BinOp):
            return _binop(e.op, self.expr(e.a), self.expr(e.b), e.type)
        if isinstance(e, ir.UnOp):
            a = self.expr(e.a)
            if e.op == "neg":
                return _cast(-a, e.type) if e.type not in ir.FLOATS else -a
            if e.op == "not":
                return not a
            if e.op == "abs":
                return abs(a)
            with np.errstate(all="ignore"):
                return _NP[e.type](_UN[e.op](float(a)))
        if isinstance(e, ir.Cmp):
            a, b = self.expr(e.a), self.expr(e.b)
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b,
                    "!=": a != b}[e.op]
        if isinstance(e, ir.Select):
            c, a, b = self.expr(e.cond), self.expr(e.a), self.expr(e.b)
            return a if c else b
        if isinstance(e, ir.Cast):
            return _cast(self.expr(e.a), e.type)
        raise CodegenError(f"the IR interpreter has no rule for {type(e).__name__}")

    # -- statements
    def block(self, body: tuple[ir.Stmt, ...]) -> None:
        for s in body:
            self.stmt(s)

    def stmt(self, s: ir.Stmt) -> None:
        if isinstance(s, ir.Assign):
            self.env[s.var.name] = _cast(self.expr(s.value), s.var.type)
        elif isinstance(s, ir.Store):
            arr = self.arrays[s.array]
            arr[int(self.expr(s.index))] = self.expr(s.value)
        elif isinstance(s, ir.For):
            for v in range(int(self.expr(s.start)), int(self.expr(s.stop))):
                self.env[s.var.name] = _cast(v, s.var.type)
                self.block(s.body)
        elif isinstance(s, ir.If):
            self.block(s.then if self.expr(s.cond) else s.orelse)
        elif isinstance(s, ir.SwapArrays):
            self.arrays[s.a], self.arrays[s.b] = self.arrays[s.b], self.arrays[s.a]
        elif isinstance(s, ir.Comment):
            pass
        else:
            raise CodegenError(f"the IR interpreter has no rule for {type(s).__name__}")
