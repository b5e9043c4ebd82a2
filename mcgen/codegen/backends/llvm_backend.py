"""LLVM backend: print the loop IR as LLVM IR with llvmlite, optimise it at O3 with loop and SLP
vectorisation (new pass manager), and JIT-compile it for the host in-process.

Three products come from one printer:

- ``build_llvm(module)``: a :class:`LLVMKernels` object whose attributes are ctypes-wrapped
  kernels callable with NumPy arrays (host CPU, object cache on disk);
- ``emit_object(module, cpu="x86-64-v3")``: position-independent ``.o`` bytes for a named
  baseline CPU (llvmlite cannot link, and ctypes cannot load a ``.o``: the object is for export);
- ``emit_ll(module)``: LLVM IR text.

Semantics chosen to agree with the numba and C backends (and with x86 ``minpd``/``maxpd``):
``min(a, b) = a < b ? a : b`` and ``max(a, b) = a > b ? a : b``; floating-point arithmetic is
IEEE (no fast-math flags), so results agree with NumPy to rounding. ``For(parallel=True)`` runs
serially here (the JIT has no thread runtime); kernels thread as a team instead
(:mod:`mcgen.codegen.thread_team`): ``Barrier`` is printed as atomic release/acquire operations,
and the members run on Python threads that call the JIT-compiled code without the GIL.
"""

from __future__ import annotations

import ctypes
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import llvmlite.binding as llvm
import numpy as np
from llvmlite import ir as ll

from mcgen.codegen import ir
from mcgen.codegen.call_checks import CallContract
from mcgen.errors import CodegenError

BASELINE_CPU = "x86-64-v3"

_I1 = ll.IntType(1)
_I8 = ll.IntType(8)
_I32 = ll.IntType(32)
_I64 = ll.IntType(64)
_I128 = ll.IntType(128)
_F32 = ll.FloatType()
_F64 = ll.DoubleType()

_LLTYPE = {"f64": _F64, "f32": _F32, "i64": _I64, "i32": _I32, "u64": _I64, "u32": _I32,
           "bool": _I1}
_CTYPE: dict[str, type[ctypes._SimpleCData[Any]]] = {
    "f64": ctypes.c_double, "f32": ctypes.c_float, "i64": ctypes.c_int64,
    "i32": ctypes.c_int32, "u64": ctypes.c_uint64, "u32": ctypes.c_uint32,
    "bool": ctypes.c_bool}
NUMPY_DTYPE = {"f64": np.float64, "f32": np.float32, "i64": np.int64, "i32": np.int32,
               "u64": np.uint64, "u32": np.uint32, "bool": np.bool_}
_FCMP = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}

_init_lock = threading.Lock()
_initialised = False


def _init_llvm() -> None:
    """Initialise the native target once (llvmlite 0.50 does the rest automatically)."""
    global _initialised
    with _init_lock:
        if not _initialised:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            _initialised = True


def _is_float(t: str) -> bool:
    return t in ir.FLOATS


def _is_unsigned(t: str) -> bool:
    return t in ("u64", "u32")


# ---------------------------------------------------------------------- the printer

class LLVMPrinter:
    """Print an :class:`ir.Module` as an llvmlite module: one ``_emit_<Node>`` per IR node.

    Scalars (arguments, locals, loop indices) and array pointers live in stack slots created in
    the entry block; LLVM's SROA pass turns them into registers, so the slots cost nothing and
    ``SwapArrays`` is a plain exchange of two pointer slots.
    """

    def __init__(self, module: ir.Module, triple: str = "", data_layout: str = "") -> None:
        self.source = module
        self.llmodule = ll.Module(name=module.name)
        if triple:
            self.llmodule.triple = triple
        if data_layout:
            self.llmodule.data_layout = data_layout
        self._intrinsics: dict[tuple[str, str], ll.Function] = {}

    # -- entry points ---------------------------------------------------------------------

    def print_module(self) -> ll.Module:
        for kernel in self.source.kernels:
            self._emit_Kernel(kernel)
        return self.llmodule

    def emit(self, node: Any) -> Any:
        """Dispatch on the node's class; a node without an ``_emit_`` method raises."""
        method = getattr(self, "_emit_" + type(node).__name__, None)
        if method is None:
            raise CodegenError(f"the LLVM backend has no rule for IR node {type(node).__name__!r}"
                               f" ({node!r}); add an _emit_{type(node).__name__} method")
        return method(node)

    # -- kernels --------------------------------------------------------------------------

    def _emit_Kernel(self, k: ir.Kernel) -> None:
        argtypes = [ll.PointerType(_LLTYPE[a.type]) if a.array else _LLTYPE[a.type]
                    for a in k.args]
        rettype = _LLTYPE[k.returns] if k.returns else ll.VoidType()
        fn = ll.Function(self.llmodule, ll.FunctionType(rettype, argtypes), name=k.name)
        fn.attributes.add("nounwind")
        self.fn = fn
        entry = fn.append_basic_block("entry")
        self.alloca_builder = ll.IRBuilder(entry)
        body = fn.append_basic_block("body")
        self.b = ll.IRBuilder(body)
        self.slots: dict[str, tuple[ll.Value, str, bool]] = {}  # name -> (slot, type, is_array)
        for a, v in zip(k.args, fn.args, strict=True):
            v.name = a.name
            if a.array:
                # Distinct arrays never overlap: this is what lets the vectoriser skip most
                # run-time alias checks.
                v.add_attribute("noalias")
            elif a.type == "bool":
                v.add_attribute("zeroext")
            slot = self._slot(a.name, v.type)
            self.alloca_builder.store(v, slot)
            self.slots[a.name] = (slot, a.type, a.array)
        for stmt in k.body:
            self.emit(stmt)
        if k.returns:
            if "result" not in self.slots:
                raise CodegenError(f"kernel {k.name} declares returns={k.returns!r} but never "
                                   "assigns a Var named 'result'")
            slot, t, _ = self.slots["result"]
            self.b.ret(self._convert(self.b.load(slot), t, k.returns))
        else:
            self.b.ret_void()
        self.alloca_builder.branch(body)

    def _slot(self, name: str, lltype: ll.Type) -> ll.Value:
        return self.alloca_builder.alloca(lltype, name=name + ".slot")

    def _array(self, name: str) -> tuple[ll.Value, str]:
        if name not in self.slots or not self.slots[name][2]:
            raise CodegenError(f"array {name!r} is not an array argument of kernel "
                               f"{self.fn.name}: declare it as Arg({name!r}, array=True)")
        slot, t, _ = self.slots[name]
        return self.b.load(slot), t

    def _index(self, expr: ir.Expr) -> ll.Value:
        v = self.emit(expr)
        if v.type == _I64:
            return v
        if v.type == _I32:
            return self.b.sext(v, _I64)
        raise CodegenError(f"array index {expr!r} has type {v.type}; use an integer expression")

    # -- expressions ------------------------------------------------------------------------

    def _emit_Const(self, c: ir.Const) -> ll.Value:
        if c.type == "bool":
            return ll.Constant(_I1, int(bool(c.value)))
        if _is_float(c.type):
            return ll.Constant(_LLTYPE[c.type], float(c.value))
        value = int(c.value)
        bits = 64 if c.type in ("i64", "u64") else 32
        return ll.Constant(_LLTYPE[c.type], value & ((1 << bits) - 1))

    def _emit_Var(self, v: ir.Var) -> ll.Value:
        if v.name not in self.slots:
            raise CodegenError(f"variable {v.name!r} is read before it is assigned in kernel "
                               f"{self.fn.name}")
        slot, t, is_array = self.slots[v.name]
        if is_array:
            raise CodegenError(f"{v.name!r} is an array: read it with Load, not Var")
        return self._convert(self.b.load(slot), t, v.type)

    def _emit_Load(self, node: ir.Load) -> ll.Value:
        ptr, t = self._array(node.array)
        addr = self.b.gep(ptr, [self._index(node.index)], inbounds=True)
        return self._convert(self.b.load(addr), t, node.type)

    def _emit_BinOp(self, node: ir.BinOp) -> ll.Value:
        t = node.type
        a = self._convert_expr(node.a, t)
        b = self._convert_expr(node.b, t)
        op, bld = node.op, self.b
        if _is_float(t):
            simple = {"+": bld.fadd, "-": bld.fsub, "*": bld.fmul, "/": bld.fdiv}
            if op in simple:
                return simple[op](a, b)
            if op == "min":
                return bld.select(bld.fcmp_ordered("<", a, b), a, b)
            if op == "max":
                return bld.select(bld.fcmp_ordered(">", a, b), a, b)
            if op == "pow":
                return bld.call(self._intrinsic("llvm.pow", t, 2), [a, b])
            if op == "%":
                return bld.frem(a, b)
            if op == "//":
                return bld.call(self._intrinsic("llvm.floor", t, 1), [bld.fdiv(a, b)])
            raise CodegenError(f"operator {op!r} is not defined on {t}")
        if t == "bool":
            logic = {"&": bld.and_, "|": bld.or_, "^": bld.xor}
            if op in logic:
                return logic[op](a, b)
            raise CodegenError(f"operator {op!r} is not defined on bool; cast to an integer")
        unsigned = _is_unsigned(t)
        simple = {"+": bld.add, "-": bld.sub, "*": bld.mul, "&": bld.and_, "|": bld.or_,
                  "^": bld.xor, "<<": bld.shl,
                  ">>": bld.lshr if unsigned else bld.ashr,
                  "/": bld.udiv if unsigned else bld.sdiv,
                  "//": bld.udiv if unsigned else bld.sdiv,
                  "%": bld.urem if unsigned else bld.srem}
        if op in simple:
            return simple[op](a, b)
        cmp = bld.icmp_unsigned if unsigned else bld.icmp_signed
        if op == "min":
            return bld.select(cmp("<", a, b), a, b)
        if op == "max":
            return bld.select(cmp(">", a, b), a, b)
        if op == "mulhi":
            if t != "u64":
                raise CodegenError("mulhi is defined on u64 only")
            wide = bld.mul(bld.zext(a, _I128), bld.zext(b, _I128))
            return bld.trunc(bld.lshr(wide, ll.Constant(_I128, 64)), _I64)
        if op == "pow":
            if isinstance(node.b, ir.Const) and int(node.b.value) >= 0:
                result = ll.Constant(a.type, 1)
                for _ in range(int(node.b.value)):
                    result = bld.mul(result, a)
                return result
            raise CodegenError("integer pow needs a non-negative constant exponent")
        raise CodegenError(f"operator {op!r} is not defined on {t}")

    def _emit_UnOp(self, node: ir.UnOp) -> ll.Value:
        t, op, bld = node.type, node.op, self.b
        a = self._convert_expr(node.a, t)
        if op == "neg":
            return bld.fneg(a) if _is_float(t) else bld.neg(a)
        if op == "not":
            return bld.not_(a)
        if op == "abs":
            if _is_float(t):
                return bld.call(self._intrinsic("llvm.fabs", t, 1), [a])
            if _is_unsigned(t):
                return a
            return bld.select(bld.icmp_signed("<", a, ll.Constant(a.type, 0)), bld.neg(a), a)
        if not _is_float(t):
            raise CodegenError(f"{op} is defined on floating-point types only, not {t}")
        if op in ("sqrt", "exp", "log", "floor", "sin", "cos"):
            return bld.call(self._intrinsic("llvm." + op, t, 1), [a])
        if op == "tanh":
            return bld.call(self._libm("tanh" if t == "f64" else "tanhf", t), [a])
        raise CodegenError(f"unary operator {op!r} has no LLVM rule")

    def _emit_Cmp(self, node: ir.Cmp) -> ll.Value:
        ta, tb = _expr_type(node.a), _expr_type(node.b)
        t = _common_type(ta, tb)
        a, b = self._convert_expr(node.a, t), self._convert_expr(node.b, t)
        if _is_float(t):
            # C semantics: every comparison with NaN is false except '!='.
            if node.op == "!=":
                return self.b.fcmp_unordered("!=", a, b)
            return self.b.fcmp_ordered(_FCMP[node.op], a, b)
        if _is_unsigned(t) or t == "bool":
            return self.b.icmp_unsigned(node.op, a, b)
        return self.b.icmp_signed(node.op, a, b)

    def _emit_Select(self, node: ir.Select) -> ll.Value:
        cond = self._convert_expr(node.cond, "bool")
        return self.b.select(cond, self._convert_expr(node.a, node.type),
                             self._convert_expr(node.b, node.type))

    def _emit_Cast(self, node: ir.Cast) -> ll.Value:
        return self._convert_expr(node.a, node.type)

    # -- statements -------------------------------------------------------------------------

    def _emit_Assign(self, node: ir.Assign) -> None:
        name, t = node.var.name, node.var.type
        if name not in self.slots:
            self.slots[name] = (self._slot(name, _LLTYPE[t]), t, False)
        slot, slot_type, is_array = self.slots[name]
        if is_array:
            raise CodegenError(f"cannot assign a scalar to array argument {name!r}")
        self.b.store(self._convert_expr(node.value, slot_type), slot)

    def _emit_Store(self, node: ir.Store) -> None:
        ptr, t = self._array(node.array)
        addr = self.b.gep(ptr, [self._index(node.index)], inbounds=True)
        self.b.store(self._convert_expr(node.value, t), addr)

    def _emit_For(self, node: ir.For) -> None:
        t = node.var.type
        if t not in ir.INTS:
            raise CodegenError(f"loop variable {node.var.name!r} must be an integer, not {t}")
        start = self._convert_expr(node.start, t)
        stop = self._convert_expr(node.stop, t)  # evaluated once, like Python's range
        name = node.var.name
        if name not in self.slots:
            self.slots[name] = (self._slot(name, _LLTYPE[t]), t, False)
        slot = self.slots[name][0]
        self.b.store(start, slot)
        head = self.fn.append_basic_block(name + ".head")
        body = self.fn.append_basic_block(name + ".body")
        done = self.fn.append_basic_block(name + ".done")
        self.b.branch(head)
        self.b.position_at_end(head)
        cmp = self.b.icmp_unsigned if _is_unsigned(t) else self.b.icmp_signed
        self.b.cbranch(cmp("<", self.b.load(slot), stop), body, done)
        self.b.position_at_end(body)
        for stmt in node.body:
            self.emit(stmt)
        # Re-read the index: the body may not assign it (the IR forbids it), so this is i + 1.
        self.b.store(self.b.add(self.b.load(slot), ll.Constant(_LLTYPE[t], 1)), slot)
        self.b.branch(head)
        self.b.position_at_end(done)

    def _emit_If(self, node: ir.If) -> None:
        cond = self._convert_expr(node.cond, "bool")
        then = self.fn.append_basic_block("if.then")
        orelse = self.fn.append_basic_block("if.else")
        done = self.fn.append_basic_block("if.done")
        self.b.cbranch(cond, then, orelse)
        for block, stmts in ((then, node.then), (orelse, node.orelse)):
            self.b.position_at_end(block)
            for stmt in stmts:
                self.emit(stmt)
            self.b.branch(done)
        self.b.position_at_end(done)

    def _emit_SwapArrays(self, node: ir.SwapArrays) -> None:
        pa, ta = self._array(node.a)
        pb, tb = self._array(node.b)
        if ta != tb:
            raise CodegenError(f"cannot swap arrays {node.a!r} ({ta}) and {node.b!r} ({tb})")
        self.b.store(pb, self.slots[node.a][0])
        self.b.store(pa, self.slots[node.b][0])

    def _emit_Comment(self, node: ir.Comment) -> None:
        return None

    def _emit_Barrier(self, node: ir.Barrier) -> None:
        """Release-store this member's epoch, then acquire-load every member's slot until it
        reaches the epoch (after 100 polls each poll first yields the core: sched_yield)."""
        ptr, t = self._array(node.flags)
        if t not in ("i64", "u64"):
            raise CodegenError(f"barrier flags {node.flags!r} must be an i64 array, not {t}")
        stride = ll.Constant(_I64, ir.BARRIER_STRIDE)
        member = self._convert_expr(node.member, "i64")
        size = self._convert_expr(node.size, "i64")
        epoch = self._convert_expr(node.epoch, "i64")
        b = self.b
        b.store_atomic(epoch, b.gep(ptr, [b.mul(member, stride)], inbounds=True), "release", 8)
        j_slot, polls_slot = self._slot("barrier.j", _I64), self._slot("barrier.polls", _I64)
        b.store(ll.Constant(_I64, 0), j_slot)
        head, poll, wait, nxt, done = (self.fn.append_basic_block(f"barrier.{s}")
                                       for s in ("head", "poll", "wait", "next", "done"))
        b.branch(head)
        b.position_at_end(head)
        j = b.load(j_slot)
        b.store(ll.Constant(_I64, 0), polls_slot)
        b.cbranch(b.icmp_signed("<", j, size), poll, done)
        b.position_at_end(poll)
        seen = b.load_atomic(b.gep(ptr, [b.mul(b.load(j_slot), stride)], inbounds=True),
                             "acquire", 8)
        b.cbranch(b.icmp_signed("<", seen, epoch), wait, nxt)
        b.position_at_end(wait)
        polls = b.add(b.load(polls_slot), ll.Constant(_I64, 1))
        b.store(polls, polls_slot)
        with b.if_then(b.icmp_signed(">", polls, ll.Constant(_I64, 100))):
            b.call(self._sched_yield(), [])
        b.branch(poll)
        b.position_at_end(nxt)
        b.store(b.add(b.load(j_slot), ll.Constant(_I64, 1)), j_slot)
        b.branch(head)
        b.position_at_end(done)

    def _sched_yield(self) -> ll.Function:
        key = ("sched_yield", "i32")
        if key not in self._intrinsics:
            self._intrinsics[key] = ll.Function(self.llmodule, ll.FunctionType(_I32, []),
                                                "sched_yield")
        return self._intrinsics[key]

    # -- helpers ----------------------------------------------------------------------------

    def _convert_expr(self, expr: ir.Expr, t: str) -> ll.Value:
        return self._convert(self.emit(expr), _expr_type(expr), t)

    def _convert(self, v: ll.Value, src: str, dst: str) -> ll.Value:
        """Numeric conversion with C semantics (the IR's ``Cast``)."""
        if src == dst or _LLTYPE[src] == _LLTYPE[dst] and _is_float(src) == _is_float(dst) \
                and src != "bool" and dst != "bool":
            return v
        bld, dt = self.b, _LLTYPE[dst]
        if dst == "bool":
            if _is_float(src):
                return bld.fcmp_unordered("!=", v, ll.Constant(v.type, 0.0))
            return bld.icmp_unsigned("!=", v, ll.Constant(v.type, 0))
        if src == "bool":
            return bld.uitofp(v, dt) if _is_float(dst) else bld.zext(v, dt)
        if _is_float(src) and _is_float(dst):
            return bld.fpext(v, dt) if dst == "f64" else bld.fptrunc(v, dt)
        if _is_float(src):
            return bld.fptoui(v, dt) if _is_unsigned(dst) else bld.fptosi(v, dt)
        if _is_float(dst):
            return bld.uitofp(v, dt) if _is_unsigned(src) else bld.sitofp(v, dt)
        if dt.width > v.type.width:
            return bld.zext(v, dt) if _is_unsigned(src) else bld.sext(v, dt)
        if dt.width < v.type.width:
            return bld.trunc(v, dt)
        return v

    def _intrinsic(self, name: str, t: str, nargs: int) -> ll.Function:
        key = (name, t)
        if key not in self._intrinsics:
            lt = _LLTYPE[t]
            fn = ll.Function(self.llmodule, ll.FunctionType(lt, [lt] * nargs),
                             name=f"{name}.{'f64' if t == 'f64' else 'f32'}")
            self._intrinsics[key] = fn
        return self._intrinsics[key]

    def _libm(self, name: str, t: str) -> ll.Function:
        key = (name, t)
        if key not in self._intrinsics:
            lt = _LLTYPE[t]
            self._intrinsics[key] = ll.Function(self.llmodule, ll.FunctionType(lt, [lt]), name)
        return self._intrinsics[key]


def _expr_type(e: ir.Expr) -> str:
    return e.type


def _common_type(a: str, b: str) -> str:
    if a == b:
        return a
    if _is_float(a) or _is_float(b):
        return "f64" if "f64" in (a, b) else "f32"
    return "i64"


# ---------------------------------------------------------------------- compilation

_KNOWN_CPUS = {"x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4", "generic"}
_CPU_PROBE = (
    "import sys, llvmlite.binding as l\n"
    "l.initialize_native_target(); l.initialize_native_asmprinter()\n"
    "tm = l.Target.from_default_triple().create_target_machine(cpu=sys.argv[1])\n"
    "tm.emit_object(l.parse_assembly('define void @f() {\\n ret void\\n}'))\n"
)


def check_cpu(cpu: str) -> str:
    """Return ``cpu`` if LLVM knows it for the host's target, else raise CodegenError.

    LLVM does not refuse an unknown CPU name: it prints a warning and later aborts the whole
    process. Names outside the common baselines are therefore tried once in a child process.
    """
    import subprocess
    import sys

    if cpu in _KNOWN_CPUS or cpu == llvm.get_host_cpu_name():
        return cpu
    if not cpu or not all(ch.isalnum() or ch in "-_." for ch in cpu):
        raise CodegenError(f"CPU name {cpu!r} is not a CPU name: use e.g. 'x86-64-v3'")
    res = subprocess.run([sys.executable, "-c", _CPU_PROBE, cpu], capture_output=True,
                         text=True, timeout=60)
    if res.returncode != 0 or "not a recognized processor" in res.stderr:
        raise CodegenError(f"LLVM does not know the CPU {cpu!r} for this target: use a baseline "
                           "('x86-64', 'x86-64-v2', 'x86-64-v3', 'x86-64-v4'), a CPU name "
                           "that `llc -mcpu=help` lists, or None for the host")
    _KNOWN_CPUS.add(cpu)
    return cpu


def _target_machine(cpu: str | None, features: str | None, jit: bool) -> llvm.TargetMachine:
    _init_llvm()
    if cpu is not None:
        check_cpu(cpu)
    if cpu is None:
        cpu = llvm.get_host_cpu_name()
        features = llvm.get_host_cpu_features().flatten() if features is None else features
    target = llvm.Target.from_default_triple()
    # The small code model for the JIT too: its default on x86-64 is the large one, where every
    # constant-pool operand is a movabs of a GOT offset plus a base register, and register
    # pressure puts those in the hot loops (WENO5 SSPRK(3,3) ran at 0.86-0.89x the same IR as
    # a shared object). llvmlite's MCJIT memory manager reserves one block for all sections of
    # an object, so the 32-bit PC-relative references of the small model reach.
    return target.create_target_machine(cpu=cpu, features=features or "", opt=3, reloc="pic",
                                        codemodel="default", jit=jit)


def _optimise(mod: llvm.ModuleRef, tm: llvm.TargetMachine) -> None:
    """O3 with loop and SLP vectorisation, through the new pass manager."""
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)


def _print(module: ir.Module, tm: llvm.TargetMachine) -> str:
    return str(LLVMPrinter(module, tm.triple, str(tm.target_data)).print_module())


def _optimised_module(module: ir.Module, tm: llvm.TargetMachine) -> llvm.ModuleRef:
    mod = llvm.parse_assembly(_print(module, tm))
    mod.verify()
    _optimise(mod, tm)
    return mod


def emit_ll(module: ir.Module, cpu: str = BASELINE_CPU, optimise: bool = False) -> str:
    """LLVM IR text of ``module`` for the triple and data layout of ``cpu``.

    Parameters
    ----------
    module : ir.Module
    cpu : str
        LLVM CPU name used for the data layout (and for optimisation, if asked).
    optimise : bool
        Run the O3 pipeline first (the text is then specific to ``cpu``).
    """
    tm = _target_machine(cpu, "", jit=False)
    if optimise:
        return str(_optimised_module(module, tm))
    text = _print(module, tm)
    llvm.parse_assembly(text).verify()  # never export IR that LLVM rejects
    # llvmlite's typed-pointer syntax (`double*`): LLVM 14 (Debian's llc) reads it as it is,
    # and LLVM 17+ reads it as opaque pointers, so the file works with old and new toolchains.
    return text


def render_llvm(module: ir.Module) -> str:
    """The LLVM IR text of ``module`` for the host (what ``CompiledKernel.source('llvm')``
    shows)."""
    return _print(module, _target_machine(None, None, jit=True))


def emit_object(module: ir.Module, cpu: str = BASELINE_CPU, features: str = "") -> bytes:
    """Position-independent ELF object code for ``cpu`` (default: the x86-64-v3 baseline).

    The object defines one external function per kernel with the C signature that
    :func:`mcgen.codegen.export.c_header` prints; link it with any C toolchain.
    """
    tm = _target_machine(cpu, features, jit=False)
    return tm.emit_object(_optimised_module(module, tm))


def emit_assembly(module: ir.Module, cpu: str | None = None) -> str:
    """Assembly for ``cpu`` (the host when None): to check that the inner loops vectorised."""
    tm = _target_machine(cpu, None if cpu is None else "", jit=False)
    return tm.emit_assembly(_optimised_module(module, tm))


# ---------------------------------------------------------------------- the JIT and ctypes

@dataclass
class LLVMKernel:
    """A JIT-compiled kernel: call it with NumPy arrays (C-contiguous, the IR's dtype) and
    scalars, in the order of the IR's arguments."""

    kernel: ir.Kernel
    cfunc: Any
    owner: Any = field(repr=False)  # keeps the execution engine alive
    contract: CallContract | None = field(default=None, repr=False)

    def __call__(self, *args: Any) -> Any:
        k = self.kernel
        if self.contract is None:
            self.contract = CallContract(k)
        self.contract(args)  # shapes, lengths, dtypes, sizes: before any compiled code runs
        cargs = [value.ctypes.data if spec.array else _CTYPE[spec.type](value)
                 for spec, value in zip(k.args, args, strict=True)]
        return self.cfunc(*cargs)


@dataclass
class LLVMKernels:
    """The compiled module: ``kernels[name]`` (also an attribute), the LLVM IR text, the
    optimised IR (when compiled now rather than read from the cache), and per-stage times."""

    module: ir.Module
    kernels: dict[str, LLVMKernel]
    llvm_ir: str
    timings: dict[str, float]
    from_cache: bool
    engine: Any = field(repr=False)
    cache_key: str = ""

    def __getattr__(self, name: str) -> LLVMKernel:
        kernels = self.__dict__.get("kernels", {})
        if name in kernels:
            return kernels[name]
        raise AttributeError(name)


def _config_flag(config: Any, name: str, default: Any) -> Any:
    return getattr(config, name, default) if config is not None else default


def build_llvm(module: ir.Module, config: Any = None, *, cache: bool | None = None
               ) -> LLVMKernels:
    """Print, optimise (O3, loop + SLP vectorisation) and JIT-compile ``module`` for the host.

    Parameters
    ----------
    module : ir.Module
        The kernels to compile.
    config : object, optional
        A codegen config (``KernelConfig``): ``config.cache_dir`` is where the object cache
        lives (default :func:`mcgen.codegen.cache.cache_dir`); ``config.cache`` (bool), where
        present, switches it.
    cache : bool, optional
        Overrides ``config.cache``. The cache key is the sha256 of the printed LLVM IR, the
        host CPU name and features, and mcgen's code-generation sources
        (:func:`mcgen.codegen.cache.cache_key`).

    Returns
    -------
    LLVMKernels
        ``result.<kernel name>(*arrays_and_scalars)`` runs a kernel.
    """
    from mcgen.codegen import cache as kcache

    use_cache = _config_flag(config, "cache", True) if cache is None else cache
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    tm = _target_machine(None, None, jit=True)
    text = _print(module, tm)
    timings["print"] = time.perf_counter() - t0
    cpu = llvm.get_host_cpu_name()
    features = llvm.get_host_cpu_features().flatten()
    key = kcache.cache_key(hashlib.sha256(text.encode()).hexdigest(), "llvm",
                           flags="O3,loop-vectorize,slp-vectorize,pic,small-code-model",
                           cpu=cpu + ":" + features)

    def compile_object() -> bytes:
        t = time.perf_counter()
        mod = llvm.parse_assembly(text)
        mod.verify()
        timings["parse"] = time.perf_counter() - t
        t = time.perf_counter()
        _optimise(mod, tm)
        timings["optimise"] = time.perf_counter() - t
        t = time.perf_counter()
        obj = tm.emit_object(mod)
        timings["codegen"] = time.perf_counter() - t
        return obj

    from_cache = False
    if use_cache:
        root = _config_flag(config, "cache_dir", None)  # KernelConfig.cache_dir, if given
        obj, from_cache = kcache.get_or_build(key, ".o", compile_object, backend="llvm",
                                              root=root)
    else:
        obj = compile_object()
    t = time.perf_counter()
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    kernels = {}
    for k in module.kernels:
        address = engine.get_function_address(k.name)
        if not address:
            raise CodegenError(f"the JIT found no symbol {k.name!r} in the compiled object")
        restype = _CTYPE[k.returns] if k.returns else None
        argtypes = [ctypes.c_void_p if a.array else _CTYPE[a.type] for a in k.args]
        cfunc = ctypes.CFUNCTYPE(restype, *argtypes)(address)
        kernels[k.name] = LLVMKernel(k, cfunc, engine)
    timings["load"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return LLVMKernels(module, kernels, text, timings, from_cache, engine, key)
