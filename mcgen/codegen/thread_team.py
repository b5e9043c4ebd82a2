"""Thread teams: several steps per parallel region for backends without OpenMP (numba, LLVM).

numba's ``prange`` starts a parallel region per loop and has no barrier, and the LLVM JIT has no
thread runtime at all, so a kernel that threads each sweep with them pays a region start per
step: on grids that fit in L3 that cost more than the second core gave (measured: 2-D heat at
1000 x 1000, numba 2 threads per-step ``prange`` 0.55x hand OpenMP C). This module does what an
OpenMP compiler does with ``#pragma omp parallel`` around the time loop, in the IR itself:

* :func:`team_kernel` turns a kernel whose sequential loops hold parallel loops into a *team
  member* kernel with three more arguments (``team_member``, ``team_size``, ``team_flags``).
  Every member runs the whole body; a parallel loop is cut into ``team_size`` contiguous chunks
  (OpenMP's static schedule) and member ``m`` runs chunk ``m``, followed by an
  :class:`~mcgen.codegen.ir.Barrier`; statements that write memory outside parallel loops (ghost
  fills, wall fluxes) run on member 0 only, followed by a barrier; scalar assignments and buffer
  swaps run on every member, so each holds the same locals.
* :func:`run_team` calls a member kernel on ``size`` threads: member 0 on the calling thread,
  the others on a pool of Python threads (the numba functions are ``nogil`` and the LLVM ones are
  called through ctypes, so neither holds the GIL), all steps in one call.

Results are bitwise those of the serial kernel: every cell is computed by the same statements
from the same inputs, only by another thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np

from mcgen.codegen import ir
from mcgen.errors import CodegenError

MEMBER, SIZE, FLAGS, EPOCH = "team_member", "team_size", "team_flags", "team_epoch"
TEAM_ARGS = (ir.Arg(MEMBER, "i64"), ir.Arg(SIZE, "i64"), ir.Arg(FLAGS, "i64", True, "inout"))
_LO, _HI, _LEN = "team_lo", "team_hi", "team_len"


def team_kernel_name(name: str) -> str:
    """``<name>_team`` from the serial or ``_par`` kernel's name."""
    return f"{name.removesuffix('_par')}_team"


def _reads_memory(node: Any) -> bool:
    if isinstance(node, ir.Load):
        return True
    if isinstance(node, (ir.BinOp, ir.Cmp)):
        return _reads_memory(node.a) or _reads_memory(node.b)
    if isinstance(node, ir.Select):
        return any(_reads_memory(x) for x in (node.cond, node.a, node.b))
    if isinstance(node, (ir.UnOp, ir.Cast)):
        return _reads_memory(node.a)
    return False


def _writes_memory(stmts: Sequence[ir.Stmt]) -> bool:
    return any(isinstance(s, (ir.Store, ir.Barrier)) for s in ir.walk(stmts))


def _assigns(stmts: Sequence[ir.Stmt]) -> bool:
    for s in stmts:
        if isinstance(s, (ir.Assign, ir.SwapArrays)):
            return True
        if isinstance(s, ir.If) and (_assigns(s.then) or _assigns(s.orelse)):
            return True
    return False


def _i(name: str) -> ir.Var:
    return ir.Var(name, "i64")


def _barrier() -> tuple[ir.Stmt, ...]:
    epoch = _i(EPOCH)
    return (ir.Assign(epoch, ir.BinOp("+", epoch, ir.Const(1, "i64"), "i64")),
            ir.Barrier(FLAGS, _i(MEMBER), _i(SIZE), epoch))


def _chunked(loop: ir.For) -> tuple[ir.Stmt, ...]:
    """Member m's contiguous chunk of ``loop`` (static schedule), then a barrier."""
    t = loop.var.type
    start, n = ir.Var(_LO, t), ir.Var(_LEN, t)

    def bound(k: ir.Expr) -> ir.Expr:
        part = ir.BinOp("//", ir.BinOp("*", n, ir.Cast(k, t), t), ir.Cast(_i(SIZE), t), t)
        return ir.BinOp("+", start, part, t)

    member = _i(MEMBER)
    return (ir.Comment(f"member {MEMBER} of {SIZE} takes its chunk of the parallel loop"),
            ir.Assign(start, loop.start),
            ir.Assign(n, ir.BinOp("-", loop.stop, start, t)),
            ir.Assign(ir.Var(_HI, t), bound(ir.BinOp("+", member, ir.Const(1, "i64"), "i64"))),
            ir.For(loop.var, bound(member), ir.Var(_HI, t), loop.body, False)) + _barrier()


def _split(stmts: Sequence[ir.Stmt]) -> tuple[ir.Stmt, ...]:
    out: list[ir.Stmt] = []
    single: list[ir.Stmt] = []

    def flush() -> None:
        if any(not isinstance(s, ir.Comment) for s in single):
            out.append(ir.If(ir.Cmp("==", _i(MEMBER), ir.Const(0, "i64")), tuple(single)))
            out.extend(_barrier())
        else:
            out.extend(single)
        single.clear()

    for s in stmts:
        if isinstance(s, ir.For) and s.parallel:
            flush()
            if ir.has_parallel_loop(s.body):
                raise CodegenError("nested parallel loops cannot be split over a thread team")
            out.extend(_chunked(s))
        elif isinstance(s, ir.For) and ir.has_parallel_loop(s.body):
            flush()
            out.append(replace(s, body=_split(s.body)))
        elif isinstance(s, ir.If) and ir.has_parallel_loop(s.then + s.orelse):
            flush()
            out.append(ir.If(s.cond, _split(s.then), _split(s.orelse)))
        elif isinstance(s, ir.Comment):
            (single if single else out).append(s)
        elif isinstance(s, (ir.Assign, ir.SwapArrays)) or \
                (isinstance(s, (ir.If, ir.For)) and not _writes_memory((s,))):
            # every member keeps the same locals (scalar code, and ifs/loops of scalar code
            # only); keep program order with pending writes
            if single:
                flush()
            if isinstance(s, ir.Assign) and _reads_memory(s.value) and out \
                    and not isinstance(out[-1], ir.Barrier):
                out.extend(_barrier())
            out.append(s)
        else:
            if isinstance(s, ir.If) and (_assigns(s.then) or _assigns(s.orelse)):
                # member 0 alone would change locals every member needs
                raise CodegenError("an if that both writes arrays and assigns locals cannot be "
                                   "split over a thread team")
            single.append(s)
    flush()
    return tuple(out)


def team_kernel(kernel: ir.Kernel) -> ir.Kernel:
    """The thread-team member version of ``kernel`` (see the module docstring).

    ``kernel`` must return nothing and hold its parallel loops (not nested in one another)
    directly in its body or in sequential loops and ifs. Its argument names must not use the
    team's (``team_member``, ``team_size``, ``team_flags``)."""
    if kernel.returns is not None:
        raise CodegenError(f"kernel {kernel.name} returns a value: a thread team cannot run it")
    ir.internal_names(kernel, (MEMBER, SIZE, FLAGS, EPOCH, _LO, _HI, _LEN), "a thread team")
    body = (ir.Assign(_i(EPOCH), ir.Const(0, "i64")),) + _split(kernel.body)
    doc = (f"Thread-team member of {kernel.name}: call it on {SIZE} threads at once, member "
           f"{MEMBER} = 0 .. {SIZE} - 1, all with the same arguments and one {FLAGS} array of "
           f"{SIZE} * {ir.BARRIER_STRIDE} zeros (int64); each runs its chunk of every parallel "
           "loop and the members meet at a barrier after each. " + kernel.doc)
    meta = {**kernel.meta, "parallel": "team"}
    i64 = "i64"
    flags = replace(TEAM_ARGS[2], length=ir.BinOp("*", _i(SIZE), ir.Const(ir.BARRIER_STRIDE, i64),
                                                  i64))
    requires = kernel.requires + (ir.Cmp(">=", _i(SIZE), ir.Const(1, i64)),
                                  ir.Cmp(">=", _i(MEMBER), ir.Const(0, i64)),
                                  ir.Cmp("<", _i(MEMBER), _i(SIZE)))
    return ir.Kernel(team_kernel_name(kernel.name), kernel.args + TEAM_ARGS[:2] + (flags,), body,
                     None, doc, meta, requires)


# ---------------------------------------------------------------------- running a team

#: worker pools by (process id, workers): a forked child inherits the dict but not the threads,
#: and a task sent to such a pool would never start (member 0 would wait for it forever)
_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    key = (os.getpid(), workers)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = ThreadPoolExecutor(workers, thread_name_prefix="mcgen-team")
        return _pools[key]


def run_team(member: Callable[..., Any], args: Sequence[Any], size: int,
             warm_args: Sequence[Any] | None = None) -> None:
    """Run the member kernel ``member(*args, m, size, flags)`` for ``m = 0 .. size-1`` at once.

    ``warm_args``: arguments of a call that does no work (zero steps); it runs first as a team of
    one on this thread, so a dispatch or type error surfaces here instead of leaving the other
    members waiting at a barrier for a member that never started.
    """
    if size < 1:
        raise CodegenError(f"a thread team needs at least one member, not {size}")
    one = np.zeros(ir.BARRIER_STRIDE, np.int64)
    if warm_args is not None:
        member(*warm_args, np.int64(0), np.int64(1), one)
    if size == 1:
        member(*args, np.int64(0), np.int64(1), one)
        return
    flags = np.zeros(size * ir.BARRIER_STRIDE, np.int64)
    futures = [_pool(size - 1).submit(member, *args, np.int64(m), np.int64(size), flags)
               for m in range(1, size)]
    try:
        member(*args, np.int64(0), np.int64(size), flags)
    finally:
        for f in futures:
            f.result()
