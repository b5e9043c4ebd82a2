"""Temporal blocking of 1-D, 2-D and 3-D explicit stencils by overlapped (trapezoidal) tiles.

The description below is of 1-D (:func:`build_blocked`); 2-D and 3-D grids
(:func:`build_blocked_nd`) cut every axis into tiles of ``B`` cells the same way (square or
cubic tiles, halos of ``k r`` cells on every side), load periodic axes wrapped, restrict the ghost
fills of a clipped side to the tile's rows, and track each sub-step's time, so time-dependent
Dirichlet values block too; :func:`choose_blocking_nd` bounds the redundant halo work instead of
the 2% of 1-D (it is ``((B + 2kr)/B)^dim - 1`` there). In 2-D/3-D these overlapped tiles are
one of two forms (``KernelConfig.blocking_form``, :func:`blocking_form`): the default wherever it
applies is the wavefront of :mod:`mcgen.codegen.wavefront_blocking` (strips marched along axis 0,
a ring of rows per time level), the tiles run the rest (interface-flux scratch, Halo sides).

Out of cache a one-sweep-per-step kernel is capped by memory bandwidth (read ``cur``, write
``nxt``: 16 bytes per cell update in f64), while in cache the same update runs R times faster
(R ~ 3 here). Fusing ``k`` steps per sweep divides the memory traffic by ``k``:

* the interior is cut into tiles of ``B`` cells; a tile copies its cells plus a halo of ``k*r``
  cells on each side (``r`` = the stencil radius, the ghost width) from ``cur`` into a small
  scratch buffer that stays in L1/L2;
* it then does ``k`` sub-steps there, sub-step ``s`` (0-based) computing the cells the remaining
  steps still need, ``[a - (k-1-s) r, b + (k-1-s) r)``: the trapezoid of tile ``[a, b)``;
* and writes its own ``B`` cells to ``nxt``. Tiles read only ``cur`` and write disjoint parts of
  ``nxt``, so they are independent: one parallel loop covers ``k`` steps (numba's ``prange`` has
  no barrier, so this is how several steps share one parallel region).

Every cell value is computed by the very statements of the step-by-step kernel (the front-end's
``update_body`` and interface-flux bodies, with only the array names changed), from the same
inputs, so results are **bitwise identical** to step-by-step, whatever ``k``, ``B`` and the thread
count. Boundaries:

* periodic: the halo of an edge tile is loaded wrapped around the ring; the cells outside
  ``[0, n)`` then evolve exactly as their images (the update does not depend on position; a
  scheme that reads the coordinates falls back to unblocked);
* outflow, constant Dirichlet, reflecting, absorbing: an edge tile is clipped at the boundary and
  refills its own ``r`` ghost cells before every sub-step with the same IR the step-by-step
  kernel uses (:func:`mcgen.codegen.boundary_fill.fill_statements`, indices shifted into the
  tile); a ghost value is a function of the current interior only, so this is exact;
* time-dependent Dirichlet values: sub-step ``s`` of a sweep starting at step ``step0`` sets
  ``step = step0 + s`` and ``t = t0 + step dt`` (the step-by-step expression) before its fills;
  per-step series (DirichletSeries) are not passed to the blocked kernel: not blocked
  (``blocking_unsupported`` says why; the kernel then runs unblocked);
* numba compiles with fastmath ``reassoc``/``contract``: linear stencils come out bitwise equal
  (tested), but a nonlinear interface flux (Burgers/Rusanov) differed in the last bit, so with
  numba only schemes without interface scratch are blocked; C and LLVM (no fastmath) block
  both.

Steps are split into ``S`` sweeps of ``k`` or fewer steps with ``S`` of the parity of
``nsteps`` (one sweep more when needed), so the newest values end in the same buffer as in the
step-by-step kernel (``cur`` for even ``nsteps``) and ``advance`` needs no special case.

Choice of ``k`` and ``B`` (:func:`choose_blocking`), measured on this machine (2-core Zen 3, 64 KiB
L1d, 1 MiB L2 per core; the measurements are in ``bench/README.md``): the tile buffers
(two, plus one per interface flux) of ``B + 2 k r + 2 r`` cells per field take at most
``TILE_BYTES`` = 128 KiB, an eighth of L2, so they stay in L2 next to the streams of
``cur``/``nxt``; ``k = 32`` steps per sweep (memory traffic per step divided by 32, far more than
R ~ 3 needs, so the sweep runs near the in-cache rate), halved while the redundant halo work
``2 k r / B`` exceeds 2%. Measured out of cache (N = 1e7, upwind, C): k = 8, B = 2030 (L1)
gave 2.2 G/s, k = 32, B = 8000 3.3 G/s, B = 32000 2.4 G/s. Blocking is off when the two global
buffers fit in L2 (1 MiB) or the grid is shorter than four tiles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from mcgen.codegen import ir
from mcgen.codegen.boundary_fill import fill_statements
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.stencil_frontend import StencilProgram, grid_names
from mcgen.codegen.stencil_layout import CUR, NXT, StencilLayout, time_at_step
from mcgen.codegen.thread_team import team_kernel
from mcgen.errors import CodegenError
from mcgen.model.boundary import Absorbing, Dirichlet, Halo, Outflow, Periodic, Reflecting

#: bytes the tile buffers of one thread may take (an eighth of the 1 MiB L2 of this machine)
TILE_BYTES = 128 * 1024
#: below this many bytes in the two global buffers the grid stays in L2: blocking gains nothing
MIN_GRID_BYTES = 1 << 20
DEFAULT_STEPS = 32
#: automatic blocking needs at least this many steps per call: at 4 steps (2 per sweep) a blocked
#: call ran at 0.79-0.85x of one sweep per step (1-D upwind and Lax-Wendroff, N = 1e7)
MIN_AUTO_STEPS = 8
#: the blocked kernel's extra arguments, after the step-by-step kernel's
TILE_A, TILE_B = "tb_tile_a", "tb_tile_b"
EXTRA_SCALARS = ("tb_kblock", "tb_btile", "tb_nchunk")


I64 = "i64"


def iv(name: str) -> ir.Var:
    return ir.Var(name, I64)


def ci(v: int) -> ir.Const:
    return ir.Const(int(v), I64)


def bv(name: str) -> ir.Var:
    return ir.Var(name, "bool")


def add(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.BinOp("+", a, b, I64)


def sub(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.BinOp("-", a, b, I64)


def mul(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.BinOp("*", a, b, I64)


def mn(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.BinOp("min", a, b, I64)


def mx(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.BinOp("max", a, b, I64)


def blocking_unsupported(program: StencilProgram, config: KernelConfig) -> str | None:
    """Why this kernel cannot be temporally blocked (None when it can)."""
    lay = program.layout
    if lay.dim > 3:
        return f"temporal blocking is implemented for 1-D to 3-D grids (this scheme is {lay.dim}-D)"
    if config.backend == "numba" and lay.scratch:
        return ("numba compiles with fastmath 'reassoc'/'contract', and a nonlinear flux "
                "computed over a tile's shorter loop is rounded differently in the last bit "
                "(measured on Burgers/Rusanov): blocked only with the C and LLVM backends")
    if program.sweeps.wall_zeros:
        return ("a reflecting wall of a density or conservative scheme sets the wall's interface "
                "flux to 0 each step, which the tile sweeps do not reproduce: run unblocked")
    if lay.series:
        return ("a DirichletSeries boundary reads per-step arrays the blocked kernel is not "
                "given: run unblocked")
    # a Halo side (a block of a Dask grid) has given ghost cells: 2-D/3-D tiles load them (the
    # blocks of updates that read the time or the coordinates stay step by step: not tested)
    halo_ok = lay.dim > 1 and not (lay.needs_time or lay.coords_used)
    for lo, hi in config.bc:
        for b in (lo, hi):
            if not isinstance(b, (Periodic, Outflow, Dirichlet, Reflecting, Absorbing)) and \
                    not (isinstance(b, Halo) and halo_ok):
                return f"boundary {b!r} has no in-tile ghost fill"
        if isinstance(lo, Periodic) and lay.coords_used:
            return ("the update reads the coordinates: on a ring a halo cell outside [0, n) "
                    "would be computed at a shifted position")
    return None


def blocking_form(program: StencilProgram, config: KernelConfig) -> str:
    """``"wavefront"``, ``"tiles"`` (2-D/3-D) or ``"trapezoid"`` (1-D): the variant
    :func:`build_blocked` generates. ``config.blocking_form="auto"`` takes the wavefront where
    :func:`~mcgen.codegen.wavefront_blocking.wavefront_unsupported` allows it; asking for the
    wavefront where it does not apply is refused with the reason."""
    from mcgen.codegen.wavefront_blocking import wavefront_unsupported

    if program.layout.dim == 1:
        return "trapezoid"
    if config.blocking_form == "tiles":
        return "tiles"
    why = wavefront_unsupported(program, config)
    if why is None:
        return "wavefront"
    if config.blocking_form == "wavefront":
        raise CodegenError(f"blocking_form='wavefront' does not apply to this kernel: {why}; "
                           "use blocking_form='tiles' or 'auto'")
    return "tiles"


def blocked_buffer_sizes(program: StencilProgram, config: KernelConfig, k: int, b: int,
                         nchunk: int) -> tuple[int, ...]:
    """Lengths of the blocked kernel's tile (or ring) buffer arguments, in order."""
    from mcgen.codegen.compiled_kernel import itemsize_of
    from mcgen.codegen.wavefront_blocking import ring_scratch_size

    lay = program.layout
    nf, g = len(lay.fields), lay.ghost
    form = blocking_form(program, config)
    if form == "wavefront":
        return (ring_scratch_size(lay.dim, nf, g, k, b, nchunk,
                                  itemsize_of(lay.dtype)),) * 2
    if form == "tiles":
        size = tile_scratch_size_nd(lay.dim, nf, g, k, b, nchunk)
    else:
        size = tile_scratch_size(nf, g, k, b, nchunk)
    return (size,) * (2 + len(lay.scratch))


def choose_blocking(n: int, ghost: int, nfields: int = 1, nflux: int = 0, itemsize: int = 8,
                    time_block: int = 0, tile: int = 0) -> tuple[int, int]:
    """``(k, B)`` for a grid of ``n`` interior cells; ``k = 1`` means "do not block".

    ``time_block``/``tile`` as in :class:`KernelConfig` (0: by the rule in the module docstring).
    A requested ``k`` is honoured when the grid holds at least four tiles of at least ``k*r``
    cells each (the halo of a tile must not reach past its neighbour).
    """
    if time_block == 1:
        return 1, 0
    auto = time_block == 0
    if auto and 2 * n * nfields * itemsize < MIN_GRID_BYTES:
        return 1, 0
    k = DEFAULT_STEPS if auto else time_block
    if tile:
        b = tile
    else:
        per_cell = (2 + nflux) * nfields * itemsize
        b = TILE_BYTES // per_cell - 2 * k * ghost - 2 * ghost
        # redundant halo work 2 k r / B under 2%: shrink k rather than grow the tile
        while auto and k > 2 and 2 * k * ghost * 50 > b:
            k //= 2
            b = TILE_BYTES // per_cell - 2 * k * ghost - 2 * ghost
    if b < k * ghost or n < 4 * b or n < 2 * k * ghost:
        return 1, 0
    return k, b


def tile_scratch_size(nfields: int, ghost: int, k: int, b: int, nchunk: int) -> int:
    """Length of each tile buffer argument: ``nchunk`` chunks of ``nfields`` fields of
    ``b + 2 k r + 2 r`` cells."""
    return nchunk * nfields * (b + 2 * k * ghost + 2 * ghost)


def _rewrite(node: Any, arrays: dict[str, str]) -> Any:
    """``node`` with every Load/Store of an array in ``arrays`` renamed (nothing else changes,
    so the arithmetic is the same expression tree)."""
    return ir.map_nodes(node, lambda n: replace(n, array=arrays[n.array])
                        if isinstance(n, (ir.Load, ir.Store)) and n.array in arrays else n)


def _shift_index(node: Any, buffer: str, new: str, shift: ir.Expr) -> Any:
    """Loads/stores of ``buffer`` become loads/stores of ``new`` at ``index - shift``."""
    return ir.map_nodes(node, lambda n: replace(
        n, array=new, index=ir.BinOp("-", n.index, shift, "i64"))
        if isinstance(n, (ir.Load, ir.Store)) and n.array == buffer else n)


def _step_time(layout: StencilLayout) -> tuple[ir.Stmt, ...]:
    """Sub-step ``tb_s`` of a sweep that starts at step ``tb_step0``: ``step`` and ``t`` by the
    step-by-step kernel's very expression (:func:`time_at_step`, so Dirichlet(t) is exact)."""
    if not layout.needs_time:
        return ()
    step = ir.Var("step", "i64")
    return (ir.Assign(step, ir.BinOp("+", ir.Var("tb_step0", "i64"), ir.Var("tb_s", "i64"),
                                     "i64")),
            time_at_step(layout, step))


def _check_own_names(program: StencilProgram, blocked: ir.Kernel) -> None:
    """The reserved names the blocked kernel adds (the step-by-step kernel's own arguments,
    such as a block kernel's ``mcg_step0``, are shared, not added) are unused in the
    step-by-step kernel."""
    ir.internal_names(program.module.kernels[0],
                      sorted(n for n in ir.var_names(blocked)
                             if ir.is_reserved(n) and n not in program.layout.arg_names),
                      "temporal blocking")



def blocked_requires(program: StencilProgram, n: Any, ghost: int) -> tuple[ir.Expr, ...]:
    """The call contract of every blocked form: the step-by-step kernel's, plus kblock >= 1,
    nchunk >= 1, a tile (strip) at least kblock * r wide and every axis of ``n`` (size vars) at
    least 2 kblock r (a halo never reaches past the grid's far side)."""
    kblock, btile, nchunk = (iv(s) for s in EXTRA_SCALARS)
    return program.module.kernels[0].requires + (
        ir.Cmp(">=", kblock, ci(1)), ir.Cmp(">=", nchunk, ci(1)),
        ir.Cmp(">=", btile, mul(kblock, ci(ghost))),
        *(ir.Cmp(">=", na, mul(ci(2 * ghost), kblock)) for na in n))


def sweep_schedule(chunk_base: ir.Expr, body: tuple[ir.Stmt, ...], parallel: bool,
                   ghost: int) -> tuple[list[ir.Stmt], ir.For]:
    """The sweeps every blocked form runs (1-D tiles, n-D tiles, the wavefront's strips).

    S = ceil(nsteps / kblock) sweeps, one more when S and nsteps differ in parity, so the newest
    values end in the array where step-by-step puts them; sweep s fuses kk = nsteps // S steps
    (one more for the first nsteps % S). Each sweep runs tiles 0..tb_ntiles-1 as tb_nchunk
    contiguous chunks (the parallel loop), chunk c's scratch starting at ``chunk_base`` (an
    expression in tb_c). Returns the statements that set the schedule up and the sweep loop.
    """
    kblock, _, nchunk = (iv(s) for s in EXTRA_SCALARS)
    pre: list[ir.Stmt] = [
        ir.Assign(iv("tb_nsw"), ir.BinOp("//", sub(add(iv("nsteps"), kblock), ci(1)),
                                         kblock, I64)),
        ir.If(ir.Cmp("==", ir.BinOp("&", add(iv("tb_nsw"), iv("nsteps")), ci(1), I64), ci(1)),
              (ir.Assign(iv("tb_nsw"), add(iv("tb_nsw"), ci(1))),)),
        ir.Assign(iv("tb_step0"), ci(0)),
    ]
    chunk = ir.For(iv("tb_c"), ci(0), nchunk, (
        ir.Assign(iv("tb_cb"), chunk_base),
        ir.Assign(iv("tb_t_lo"), ir.BinOp("//", mul(iv("tb_c"), iv("tb_ntiles")), nchunk, I64)),
        ir.Assign(iv("tb_t_hi"), ir.BinOp("//", mul(add(iv("tb_c"), ci(1)), iv("tb_ntiles")),
                                          nchunk, I64)),
        ir.For(iv("tb_tt"), iv("tb_t_lo"), iv("tb_t_hi"), body),
    ), parallel)
    sweep = ir.For(iv("tb_sw"), ci(0), iv("tb_nsw"), (
        ir.Assign(iv("tb_kk"), add(ir.BinOp("//", iv("nsteps"), iv("tb_nsw"), I64),
                                   ir.Select(ir.Cmp("<", iv("tb_sw"), ir.BinOp(
                                       "%", iv("nsteps"), iv("tb_nsw"), I64)),
                                       ci(1), ci(0), I64))),
        ir.Assign(iv("tb_h"), mul(iv("tb_kk"), ci(ghost))),
        chunk,
        ir.Assign(iv("tb_step0"), add(iv("tb_step0"), iv("tb_kk"))),
        ir.SwapArrays(CUR, NXT),
    ))
    return pre, sweep


def blocked_kernel_name(program: StencilProgram) -> str:
    return f"{program.name}_tb"


def _blocked_module(program: StencilProgram, config: KernelConfig,
                    kernel: Callable[[str, bool], ir.Kernel], how: str) -> ir.Module:
    """The blocked module: the serial kernel, and with threads its parallel variant and the
    thread-team form LLVM runs (no thread runtime there)."""
    base = blocked_kernel_name(program)
    kernels = [kernel(base, False)]
    # the blocked sweep's own names (tb_*) must not alias a name of the step-by-step kernel
    _check_own_names(program, kernels[0])
    if config.threads > 1:
        kernels.append(kernel(f"{base}_par", True))
        kernels.append(team_kernel(kernels[-1]))
    meta = dict(program.meta)
    meta["temporal_blocking"] = how
    return ir.Module(base, tuple(kernels), meta)


def build_blocked(program: StencilProgram, config: KernelConfig) -> ir.Module:
    """The IR module of the temporally blocked kernel(s) of ``program`` (serial ``<name>_tb``
    and, when ``config.threads > 1``, ``<name>_tb_par`` threading over tile chunks).

    Arguments: those of the step-by-step kernel, with the interface scratch arrays replaced by
    tile-sized ones, then ``tile_a, tile_b`` and finally ``kblock`` (steps fused per sweep, at
    most), ``btile`` (cells per tile) and ``nchunk`` (tile chunks = threads; each chunk owns
    ``nfields * (btile + 2 kblock r + 2 r)`` cells of every tile array). Call
    :func:`blocking_unsupported` first.
    """
    lay, sweeps = program.layout, program.sweeps
    if lay.dim > 1:
        if blocking_form(program, config) == "wavefront":
            from mcgen.codegen.wavefront_blocking import build_wavefront

            return build_wavefront(program, config)
        return build_blocked_nd(program, config)
    g, dt_, nf = lay.ghost, lay.dtype, len(lay.fields)
    def fld(f: int, stride: str) -> ir.Expr:
        return ci(0) if f == 0 else mul(ci(f), iv(stride))

    tflux = tuple(f"tb_{s}" for s in lay.scratch)
    args = [a for a in lay.args if a.name not in lay.scratch]
    pos = 2
    kblock, btile, nchunk = (iv(s) for s in EXTRA_SCALARS)
    # tile_scratch_size, as an expression of the arguments
    tile_len = mul(mul(nchunk, ci(nf)), add(btile, add(mul(ci(2 * g), kblock), ci(2 * g))))
    args[pos:pos] = [ir.Arg(t, dt_, True, "inout", tile_len) for t in tflux]
    args[pos:pos] = [ir.Arg(TILE_A, dt_, True, "inout", tile_len),
                     ir.Arg(TILE_B, dt_, True, "inout", tile_len)]
    args += [ir.Arg(s, I64) for s in EXTRA_SCALARS]
    # what choose_blocking guarantees: a tile's halo never reaches past its neighbour
    requires = blocked_requires(program, (iv("n0"),), g)

    lo_bc, hi_bc = config.bc[0]
    periodic = isinstance(lo_bc, Periodic)
    fills = fill_statements(config.bc, grid_names(lay, "TILE")) if not periodic else ()

    def step_time() -> tuple[ir.Stmt, ...]:
        return _step_time(lay)
    # 1-D: [comment, low fill(s), comment, high fill(s)] (a solid wall fills field by field);
    # shifted into the tile per direction
    cuts = [i for i, st in enumerate(fills) if isinstance(st, ir.Comment)]
    low_fill, high_fill = (fills[:cuts[1]], fills[cuts[1]:]) if fills else ((), ())

    def substep(src: str, dst: str) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = list(step_time())
        if not periodic:
            out.append(ir.If(bv("tb_clip_lo"), _shift_index(low_fill, "TILE", src, iv("tb_sh"))))
            out.append(ir.If(bv("tb_clip_hi"), _shift_index(high_fill, "TILE", src, iv("tb_sh"))))
        ren = {CUR: src, NXT: dst, **dict(zip(lay.scratch, tflux, strict=True))}
        set_idx = ir.Assign(iv("idx"), sub(iv("i0"), iv("tb_sh")))
        for flux in sweeps.fluxes:
            assert flux.axis == 0
            out.append(ir.For(iv("i0"), iv("tb_lo"), add(iv("tb_hi"), ci(1)),
                              (set_idx,) + _rewrite(flux.body, ren)))
        out.append(ir.For(iv("i0"), iv("tb_lo"), iv("tb_hi"),
                          (set_idx,) + _rewrite(sweeps.update_body, ren)))
        return tuple(out)

    def copy(dst: str, dst_stride: str, dst_shift: ir.Expr | None, src: str, src_stride: str,
             src_shift: ir.Expr | None, start: ir.Expr, stop: ir.Expr,
             wrap: int) -> ir.Stmt:
        """for p in [start, stop): dst[p - dst_shift] = src[p + wrap*n0 - src_shift], per field."""
        p = iv("tb_p")
        s_idx: ir.Expr = p if wrap == 0 else (add(p, iv("n0")) if wrap > 0 else sub(p, iv("n0")))
        d_idx: ir.Expr = p
        if src_shift is not None:
            s_idx = sub(s_idx, src_shift)
        if dst_shift is not None:
            d_idx = sub(d_idx, dst_shift)
        body = tuple(ir.Store(dst, add(fld(f, dst_stride), d_idx) if f else d_idx,
                              ir.Load(src, add(fld(f, src_stride), s_idx) if f else s_idx, dt_))
                     for f in range(nf))
        return ir.For(p, start, stop, body)

    def tile_body() -> tuple[ir.Stmt, ...]:
        a, b, h = iv("tb_a"), iv("tb_b"), iv("tb_h")
        st: list[ir.Stmt] = [
            ir.Assign(a, add(ci(g), mul(iv("tb_tt"), iv("tb_btile")))),
            ir.Assign(b, ir.BinOp("min", add(a, iv("tb_btile")), add(iv("n0"), ci(g)), I64)),
            # tile index of padded cell p is p - sh (chunk base included)
            ir.Assign(iv("tb_sh"), sub(sub(a, add(iv("tb_KR"), ci(g))), iv("tb_cb"))),
        ]
        if periodic:
            st += [
                ir.Comment("load the tile and its halo from cur, wrapped around the ring"),
                copy(TILE_A, "PT", iv("tb_sh"), CUR, "tb_GP", None, sub(a, h),
                     ir.BinOp("min", ci(g), add(b, h), I64), +1),
                copy(TILE_A, "PT", iv("tb_sh"), CUR, "tb_GP", None,
                     ir.BinOp("max", sub(a, h), ci(g), I64),
                     ir.BinOp("min", add(b, h), add(iv("n0"), ci(g)), I64), 0),
                copy(TILE_A, "PT", iv("tb_sh"), CUR, "tb_GP", None,
                     ir.BinOp("max", sub(a, h), add(iv("n0"), ci(g)), I64), add(b, h), -1),
            ]
        else:
            st += [
                ir.Assign(bv("tb_clip_lo"), ir.Cmp("<", sub(a, h), ci(g))),
                ir.Assign(bv("tb_clip_hi"), ir.Cmp(">", add(b, h), add(iv("n0"), ci(g)))),
                ir.Comment("load the tile and its halo from cur, clipped at the boundary"),
                copy(TILE_A, "PT", iv("tb_sh"), CUR, "tb_GP", None,
                     ir.BinOp("max", sub(a, h), ci(g), I64),
                     ir.BinOp("min", add(b, h), add(iv("n0"), ci(g)), I64), 0),
            ]
        # sub-step s computes [a - (kk-1-s) r, b + (kk-1-s) r), clipped tiles from the boundary
        w = mul(sub(sub(iv("tb_kk"), ci(1)), iv("tb_s")), ci(g))
        lo: ir.Expr = sub(a, w)
        hi: ir.Expr = add(b, w)
        if not periodic:
            lo = ir.Select(bv("tb_clip_lo"), ci(g), lo, I64)
            hi = ir.Select(bv("tb_clip_hi"), add(iv("n0"), ci(g)), hi, I64)
        st.append(ir.For(iv("tb_s"), ci(0), iv("tb_kk"), (
            ir.Assign(iv("tb_lo"), lo), ir.Assign(iv("tb_hi"), hi),
            ir.If(ir.Cmp("==", ir.BinOp("&", iv("tb_s"), ci(1), I64), ci(0)),
                  substep(TILE_A, TILE_B), substep(TILE_B, TILE_A)))))
        st.append(ir.Comment("the tile's own cells, after kk steps, to nxt"))
        st.append(ir.If(ir.Cmp("==", ir.BinOp("&", iv("tb_kk"), ci(1), I64), ci(1)),
                        (copy(NXT, "tb_GP", None, TILE_B, "PT", iv("tb_sh"), a, b, 0),),
                        (copy(NXT, "tb_GP", None, TILE_A, "PT", iv("tb_sh"), a, b, 0),)))
        return tuple(st)

    def kernel(name: str, parallel: bool) -> ir.Kernel:
        setup, sweep = sweep_schedule(mul(mul(iv("tb_c"), iv("tb_W")), ci(nf)), tile_body(),
                                      parallel, g)
        # the front-end's once-per-call assignments (weights of a linear update) come first
        pre: list[ir.Stmt] = [*sweeps.prologue,
            ir.Comment("temporal blocking: kk <= kblock steps per sweep, tiles of btile cells"),
            ir.Assign(iv("tb_KR"), mul(iv("tb_kblock"), ci(g))),
            ir.Assign(iv("tb_W"), add(add(iv("tb_btile"), mul(ci(2), iv("tb_KR"))), ci(2 * g))),
            ir.Assign(iv("tb_ntiles"), ir.BinOp("//", sub(add(iv("n0"), iv("tb_btile")), ci(1)),
                                             iv("tb_btile"), I64)),
            *setup,
        ]
        if nf > 1:
            pre += [ir.Assign(iv("PT"), iv("tb_W")),
                    ir.Assign(iv("tb_GP"), add(iv("n0"), ci(2 * g)))]
        doc = (f"Temporally blocked {name.removesuffix('_tb').removesuffix('_tb_par')}: "
               "the same result as the step-by-step kernel, bit for bit, with kk <= kblock "
               "steps fused per sweep over tiles of btile cells (nchunk chunks of tiles, "
               f"each with its own part of {TILE_A}, {TILE_B}"
               + (", " + ", ".join(tflux) if tflux else "") + ").")
        return ir.Kernel(name, tuple(args), tuple(pre) + (sweep,), None, doc,
                         {"parallel": str(parallel).lower()}, requires)

    return _blocked_module(program, config, kernel,
                           "overlapped tiles, bitwise equal to step-by-step")


# --------------------------------------------------------------------------- 2-D and 3-D grids
#: in 2-D/3-D the redundant halo work is ((B + 2kr) / B)^dim - 1: automatic blocking halves k
#: (from DEFAULT_STEPS) until ((B + 2kr) / B)^dim is at most ND_REDUNDANCY
ND_REDUNDANCY = 1.5
#: automatic blocking in 3-D, both forms (``time_block=k`` still blocks): off, measured (C,
#: periodic 7-point heat, 250^3 and 330^3, loaded machine, CPU time, interleaved): the
#: one-sweep kernel ran at 0.57x the STREAM bound out of cache and only 1.4-1.9x faster in
#: cache, and the blocked kernels stayed near or below it: wavefront k = 4, B = 66 0.87-0.90x,
#: k = 8, B = 125 1.08x, k = 16, B = 250 0.95x; cubic tiles k = 2, B = 34 0.46x
AUTO_3D = False
#: bytes of one thread's tile buffers in 2-D/3-D: one core's 1 MiB L2. Measured (C, 2000^2,
#: AMD EPYC, loaded machine, bench/temporal_blocking.py --quick, 6 runs), after the tile load
#: stopped selecting per cell: 1 MiB tiles (k = 16, B = 222) beat 512 KiB ones (k = 16,
#: B = 147) in 10 of 12 pairs (heat, donor cell; 6 runs), by -8 % to +17 %: about the load's
#: noise, so 1 MiB is no worse, not proven better; k = 32, B = 400 (3.3 MiB, in L3) was 5-20 %
#: faster for heat, -3 to +11 % for donor cell (to confirm on a quiet machine); 2.9 MiB
#: tiles (k = 16, B = 400) were no faster; 128 KiB tiles (k = 8, B = 72) ran at 0.7-1.0x one
#: sweep per step (short rows, 49 % halo work)
ND_TILE_BYTES = 1024 * 1024


def blocks_nd(shape: tuple[int, ...], nfields: int, itemsize: int, time_block: int) -> bool:
    """Whether a 2-D/3-D grid is blocked at all, in either form: not with ``time_block=1``, and
    automatically (``time_block=0``) neither in 3-D (:data:`AUTO_3D`) nor when the two global
    buffers fit in L2 (:data:`MIN_GRID_BYTES`)."""
    if time_block == 1:
        return False
    return time_block != 0 or not ((len(shape) > 2 and not AUTO_3D) or
                                   2 * int(np.prod(shape)) * nfields * itemsize < MIN_GRID_BYTES)


def choose_blocking_nd(shape: tuple[int, ...], ghost: int, nfields: int = 1, nflux: int = 0,
                       itemsize: int = 8, time_block: int = 0, tile: int = 0) -> tuple[int, int]:
    """``(k, B)`` for a 2-D/3-D grid: square/cubic tiles of ``B`` interior cells per axis with
    halos of ``k r`` cells; ``k = 1`` means "do not block" (same rules as
    :func:`choose_blocking`: off when the two global buffers fit in L2; a requested ``k`` is
    honoured when every axis holds at least two tiles of at least ``k r`` cells; automatic
    blocking is off in 3-D, :data:`AUTO_3D`)."""
    dim = len(shape)
    if not blocks_nd(shape, nfields, itemsize, time_block):
        return 1, 0
    auto = time_block == 0
    k = DEFAULT_STEPS if auto else time_block
    per_cell = (2 + nflux) * nfields * itemsize
    edge = int((ND_TILE_BYTES // per_cell) ** (1.0 / dim))  # tile buffer edge W

    def b_of(k: int) -> int:
        return tile or edge - 2 * k * ghost - 2 * ghost

    b = b_of(k)
    while auto and k > 2 and (b < 1 or ((b + 2 * k * ghost) / b) ** dim > ND_REDUNDANCY):
        k //= 2
        b = b_of(k)
    if b < max(1, k * ghost) or any(n < 2 * b or n < 2 * k * ghost for n in shape):
        return 1, 0
    return k, b


def tile_scratch_size_nd(dim: int, nfields: int, ghost: int, k: int, b: int, nchunk: int) -> int:
    """Length of each tile buffer of a ``dim``-D blocked kernel: ``nchunk`` chunks of
    ``nfields`` fields of ``(b + 2 k r + 2 r)^dim`` cells."""
    return nchunk * nfields * (b + 2 * k * ghost + 2 * ghost) ** dim


def _fill_groups(fills: tuple[ir.Stmt, ...]) -> list[tuple[int, str, tuple[ir.Stmt, ...]]]:
    """``fill_statements`` output cut at its comments into (axis, side, statements)."""
    out: list[tuple[int, str, list[ir.Stmt]]] = []
    for st in fills:
        if isinstance(st, ir.Comment):
            words = st.text.replace(",", "").split()  # "ghost cells axis d side side: ..."
            out.append((int(words[words.index("axis") + 1]), words[words.index("axis") + 2], []))
        else:
            out[-1][2].append(st)
    return [(d, side, tuple(body)) for d, side, body in out]


def build_blocked_nd(program: StencilProgram, config: KernelConfig) -> ir.Module:
    """The blocked kernel(s) of a 2-D or 3-D ``program``: as :func:`build_blocked`, with tiles
    of ``btile`` cells along every axis (a tile buffer holds ``W^dim`` cells per field,
    ``W = btile + 2 kblock r + 2 r``) and the ghost fills of a clipped side restricted to the
    tile. Each tile reads the global ``cur`` only, wrapped around periodic axes, clipped at the
    others, so tiles are independent and one parallel loop over chunks of tiles covers ``kk``
    steps. Time-dependent boundary values are exact too: sub-step ``s`` of a sweep that starts
    at step ``step0`` sets ``step = step0 + s`` and ``t = t0 + step dt``, the step-by-step
    kernel's very expression."""
    lay, sweeps = program.layout, program.sweeps
    g, dt_, nf, dim = lay.ghost, lay.dtype, len(lay.fields), lay.dim
    n = [iv(f"n{a}") for a in range(dim)]
    periodic = [isinstance(config.bc[a][0], Periodic) for a in range(dim)]
    tflux = tuple(f"tb_{s}" for s in lay.scratch)
    args = [a for a in lay.args if a.name not in lay.scratch]
    kblock, btile, nchunk = (iv(s) for s in EXTRA_SCALARS)
    width = add(btile, add(mul(ci(2 * g), kblock), ci(2 * g)))
    cube: ir.Expr = width
    for _ in range(dim - 1):
        cube = mul(cube, width)
    tile_len = mul(mul(nchunk, ci(nf)), cube)
    args[2:2] = [ir.Arg(t, dt_, True, "inout", tile_len) for t in tflux]
    args[2:2] = [ir.Arg(TILE_A, dt_, True, "inout", tile_len),
                 ir.Arg(TILE_B, dt_, True, "inout", tile_len)]
    args += [ir.Arg(s, I64) for s in EXTRA_SCALARS]
    requires = blocked_requires(program, n, g)

    # tile strides are named S0.. (the names the front-end's bodies and fills index with)
    # a periodic axis is loaded wrapped instead; a Halo side's ghost cells are loaded as given
    groups = [(d, side, body) for d, side, body in
              _fill_groups(fill_statements(config.bc, grid_names(lay, "TILE")))
              if not periodic[d] and body]
    given = [(isinstance(config.bc[a][0], Halo), isinstance(config.bc[a][1], Halo))
             for a in range(dim)]

    def restrict(body: tuple[ir.Stmt, ...], d: int) -> tuple[ir.Stmt, ...]:
        """A fill of axis ``d``: loops over another axis a only over the rows this sub-step
        reads, [lo_a - r, hi_a + r) (within the original range when a is not periodic)."""
        def fn(node: Any) -> Any:
            if isinstance(node, ir.For) and node.var.name in {f"g{a}" for a in range(dim)}:
                a = int(node.var.name[1:])
                lo, hi = sub(iv(f"tb_lo{a}"), ci(g)), add(iv(f"tb_hi{a}"), ci(g))
                if not periodic[a]:
                    lo, hi = mx(node.start, lo), mn(node.stop, hi)
                return replace(node, start=lo, stop=hi)
            return node
        return ir.map_nodes(body, fn)

    def nest(body: tuple[ir.Stmt, ...], ranges: list[tuple[ir.Expr, ir.Expr]]) -> ir.Stmt:
        """Loops over padded coordinates i0.. with idx the tile index of the cell."""
        last = dim - 1
        idx = add(iv(f"b{last - 1}"), iv(f"i{last}"))
        loop: ir.For = ir.For(iv(f"i{last}"), *ranges[last],
                              (ir.Assign(iv("idx"), sub(idx, iv("tb_sh"))),) + body)
        for d in reversed(range(last)):
            row = mul(iv(f"i{d}"), iv(f"S{d}"))
            bval = add(iv(f"b{d - 1}"), row) if d > 0 else row
            loop = ir.For(iv(f"i{d}"), *ranges[d], (ir.Assign(iv(f"b{d}"), bval), loop))
        return loop

    def substep(src: str, dst: str) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = list(_step_time(lay))
        for d, side, body in groups:
            flag = f"tb_cl{d}" if side == "low" else f"tb_ch{d}"
            out.append(ir.If(bv(flag), _shift_index(restrict(body, d), "TILE", src,
                                                    iv("tb_sh"))))
        ren = {CUR: src, NXT: dst, **dict(zip(lay.scratch, tflux, strict=True))}
        rng: list[tuple[ir.Expr, ir.Expr]] = [(iv(f"tb_lo{a}"), iv(f"tb_hi{a}"))
                                              for a in range(dim)]
        for flux in sweeps.fluxes:
            fr = list(rng)
            fr[flux.axis] = (rng[flux.axis][0], add(rng[flux.axis][1], ci(1)))
            out.append(nest(_rewrite(flux.body, ren), fr))
        out.append(nest(_rewrite(sweeps.update_body, ren), rng))
        return tuple(out)

    def copy(to_tile: bool, buf: str) -> ir.Stmt:
        """Load the tile and its halo from cur (``to_tile``) or store its own cells to nxt."""
        p = [iv(f"tb_p{a}") for a in range(dim)]
        src: list[ir.Expr] = list(p)
        ranges: list[tuple[ir.Expr, ir.Expr]] = []
        for a in range(dim):
            lo_a, hi_a = iv(f"tb_a{a}"), iv(f"tb_b{a}")
            if not to_tile:
                ranges.append((lo_a, hi_a))
            elif periodic[a]:
                ranges.append((sub(lo_a, iv("tb_h")), add(hi_a, iv("tb_h"))))
                src[a] = ir.Select(ir.Cmp("<", p[a], ci(g)), add(p[a], n[a]),
                                   ir.Select(ir.Cmp(">=", p[a], add(n[a], ci(g))),
                                             sub(p[a], n[a]), p[a], I64), I64)
            else:  # clipped to the grid, or to its ghost cells on a Halo side
                ranges.append((mx(sub(lo_a, iv("tb_h")), ci(0 if given[a][0] else g)),
                               mn(add(hi_a, iv("tb_h")),
                                  add(n[a], ci(2 * g if given[a][1] else g)))))
        last = dim - 1

        # the row's tile and grid offsets, once per row (the wraps of outer axes included)
        trow: ir.Expr = mul(p[0], iv("S0"))
        grow: ir.Expr = mul(src[0], iv("tb_GS0"))
        for a in range(1, last):
            trow = add(trow, mul(p[a], iv(f"S{a}")))
            grow = add(grow, mul(src[a], iv(f"tb_GS{a}")))
        bases = (ir.Assign(iv("tb_trow"), sub(trow, iv("tb_sh"))), ir.Assign(iv("tb_grow"), grow))

        def row(inner: ir.Expr) -> tuple[ir.Stmt, ...]:
            tidx, gidx = add(iv("tb_trow"), p[last]), add(iv("tb_grow"), inner)
            body: list[ir.Stmt] = []
            for f in range(nf):
                t_f = tidx if f == 0 else add(tidx, mul(ci(f), iv("PT")))
                g_f = gidx if f == 0 else add(gidx, mul(ci(f), iv("tb_GP")))
                if to_tile:
                    body.append(ir.Store(buf, t_f, ir.Load(CUR, g_f, dt_)))
                else:
                    body.append(ir.Store(NXT, g_f, ir.Load(buf, t_f, dt_)))
            return tuple(body)

        lo_l, hi_l = ranges[last]
        if to_tile and periodic[last]:
            # a wrapped row is three plain runs (low wrap, interior, high wrap): a select per
            # cell in the innermost loop kept it from vectorising (30 % of a blocked sweep)
            pl = p[last]
            loop: tuple[ir.Stmt, ...] = (
                ir.For(pl, lo_l, mn(hi_l, ci(g)), row(add(pl, n[last]))),
                ir.For(pl, mx(lo_l, ci(g)), mn(hi_l, add(n[last], ci(g))), row(pl)),
                ir.For(pl, mx(lo_l, add(n[last], ci(g))), hi_l, row(sub(pl, n[last]))))
        else:
            loop = (ir.For(p[last], lo_l, hi_l, row(src[last])),)
        loop = bases + loop
        for a in reversed(range(last)):
            loop = (ir.For(p[a], ranges[a][0], ranges[a][1], loop),)
        return loop[0]

    def tile_body() -> tuple[ir.Stmt, ...]:
        st: list[ir.Stmt] = [ir.Assign(iv("tb_rem"), iv("tb_tt"))]
        for a in reversed(range(dim)):
            st.append(ir.Assign(iv(f"tb_a{a}"), add(ci(g), mul(
                ir.BinOp("%", iv("tb_rem"), iv(f"tb_nt{a}"), I64), btile))))
            st.append(ir.Assign(iv("tb_rem"), ir.BinOp("//", iv("tb_rem"), iv(f"tb_nt{a}"), I64)))
            st.append(ir.Assign(iv(f"tb_b{a}"), mn(add(iv(f"tb_a{a}"), btile), add(n[a], ci(g)))))
        # tile index of padded cell (p0, ..) is sum p_a S_a - sh (chunk base included)
        sh: ir.Expr = sub(iv(f"tb_a{dim - 1}"), add(iv("tb_KR"), ci(g)))
        for a in range(dim - 1):
            sh = add(sh, mul(sub(iv(f"tb_a{a}"), add(iv("tb_KR"), ci(g))), iv(f"S{a}")))
        st.append(ir.Assign(iv("tb_sh"), sub(sh, iv("tb_cb"))))
        for a in range(dim):
            if not periodic[a]:
                st.append(ir.Assign(bv(f"tb_cl{a}"),
                                    ir.Cmp("<", sub(iv(f"tb_a{a}"), iv("tb_h")), ci(g))))
                st.append(ir.Assign(bv(f"tb_ch{a}"), ir.Cmp(
                    ">", add(iv(f"tb_b{a}"), iv("tb_h")), add(n[a], ci(g)))))
        st.append(ir.Comment("load the tile and its halo from cur (wrapped on periodic axes)"))
        st.append(copy(True, TILE_A))
        if any(lo or hi for lo, hi in given):  # given ghost cells are read from both buffers
            st.append(copy(True, TILE_B))
        w = mul(sub(sub(iv("tb_kk"), ci(1)), iv("tb_s")), ci(g))
        bounds: list[ir.Stmt] = []
        for a in range(dim):
            lo: ir.Expr = sub(iv(f"tb_a{a}"), w)
            hi: ir.Expr = add(iv(f"tb_b{a}"), w)
            if not periodic[a]:
                lo = ir.Select(bv(f"tb_cl{a}"), ci(g), lo, I64)
                hi = ir.Select(bv(f"tb_ch{a}"), add(n[a], ci(g)), hi, I64)
            bounds += [ir.Assign(iv(f"tb_lo{a}"), lo), ir.Assign(iv(f"tb_hi{a}"), hi)]
        st.append(ir.For(iv("tb_s"), ci(0), iv("tb_kk"), (
            *bounds,
            ir.If(ir.Cmp("==", ir.BinOp("&", iv("tb_s"), ci(1), I64), ci(0)),
                  substep(TILE_A, TILE_B), substep(TILE_B, TILE_A)))))
        st.append(ir.Comment("the tile's own cells, after kk steps, to nxt"))
        st.append(ir.If(ir.Cmp("==", ir.BinOp("&", iv("tb_kk"), ci(1), I64), ci(1)),
                        (copy(False, TILE_B),), (copy(False, TILE_A),)))
        return tuple(st)

    def kernel(name: str, parallel: bool) -> ir.Kernel:
        pre: list[ir.Stmt] = [
            *sweeps.prologue,
            ir.Comment("temporal blocking: kk <= kblock steps per sweep, tiles of btile^dim "
                       "cells; S0.. are the strides of a tile buffer, tb_GS0.. the grid's"),
            ir.Assign(iv("tb_KR"), mul(kblock, ci(g))),
            ir.Assign(iv("tb_W"), add(add(btile, mul(ci(2), iv("tb_KR"))), ci(2 * g)))]
        for a in reversed(range(dim - 1)):
            gw = add(n[a + 1], ci(2 * g))
            pre.append(ir.Assign(iv(f"tb_GS{a}"), gw if a == dim - 2 else
                                 mul(iv(f"tb_GS{a + 1}"), gw)))
            pre.append(ir.Assign(iv(f"S{a}"), iv("tb_W") if a == dim - 2 else
                                 mul(iv(f"S{a + 1}"), iv("tb_W"))))
        pre += [ir.Assign(iv("PT"), mul(iv("S0"), iv("tb_W"))),
                ir.Assign(iv("tb_GP"), mul(iv("tb_GS0"), add(n[0], ci(2 * g)))),
                ir.Assign(iv("tb_ntiles"), ci(1))]
        for a in range(dim):
            pre += [ir.Assign(iv(f"tb_nt{a}"), ir.BinOp("//", sub(add(n[a], btile), ci(1)),
                                                        btile, I64)),
                    ir.Assign(iv("tb_ntiles"), mul(iv("tb_ntiles"), iv(f"tb_nt{a}")))]
        setup, sweep = sweep_schedule(mul(mul(iv("tb_c"), iv("PT")), ci(nf)), tile_body(),
                                      parallel, g)
        pre += setup
        doc = (f"Temporally blocked {name.removesuffix('_tb').removesuffix('_tb_par')} "
               f"({dim}-D): the same result as the step-by-step kernel, bit for bit, with "
               "kk <= kblock steps fused per sweep over tiles of btile cells per axis "
               f"(nchunk chunks of tiles, each with its own part of {TILE_A}, {TILE_B}"
               + (", " + ", ".join(tflux) if tflux else "") + ").")
        return ir.Kernel(name, tuple(args), tuple(pre) + (sweep,), None, doc,
                         {"parallel": str(parallel).lower()}, requires)

    return _blocked_module(program, config, kernel,
                           f"overlapped {dim}-D tiles, bitwise equal to step-by-step")
