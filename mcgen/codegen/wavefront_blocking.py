"""Temporal blocking of 2-D and 3-D stencils by line-buffered wavefronts along axis 0.

The overlapped tiles of :func:`mcgen.codegen.temporal_blocking.build_blocked_nd` copy a square
(cubic) tile into an L2-sized buffer and sweep it ``k`` times: every in-tile sweep is an ordinary
L2-resident sweep, with its halo recomputed on every side. The wavefront variant instead cuts
only the axes after the first into strips of ``B`` cells (plus halos of ``k r``, overlapped and
recomputed as in the tiles) and *marches* along axis 0. Each of the ``k`` time levels keeps a
ring of ``R = 3 r + m`` rows (planes in 3-D) of its strip; for every ``m`` new input rows
``j..j+m-1`` (``m`` = :func:`jam_rows`: 2 in 2-D with C and LLVM, else 1) it computes level 1
at rows ``j - r..``, level 2 at ``j - 2 r..``, ..., level ``k`` at ``j - k r..`` and writes
level ``k``'s rows straight to ``nxt``; the ``m`` rows of a level are computed in one loop over
the columns, so the input rows they share are loaded once. A row of a level is read ``2 r + 1``
times within a few rows of being written (in L2: bench/README.md has the measured ceilings), the
rows are long (one strip spans ``B + 2 k r`` cells, ~1500 in 2-D), axis 0 has no halo at all on
a periodic grid beyond ``k r`` rows per sweep, and the memory traffic per step is ``16 / k``
bytes per cell.

Every cell is computed by the step-by-step kernel's own statements (the front-end's
``update_body``) from the same inputs, with only the array names and the row part of each index
changed (row ``i + c`` of a level lives in ring slot ``(i + c) mod R``), so results are **bitwise
identical** to step by step. Boundaries:

* a periodic axis is loaded wrapped (axis 0: row ``j`` of the input is row ``j mod n0``; the rows
  outside ``[g, n0 + g)`` evolve as their images);
* on a non-periodic axis 0 (outflow, constant or time-dependent Dirichlet, reflecting,
  absorbing) each level fills its own ghost rows with the step-by-step kernel's fill statements,
  its indices mapped into the ring: the low side once the level holds rows ``[g, 2 g]``, the high
  side after its last row (with ``m`` rows per pass: after the pass, row by row); the ring of
  ``3 r + m`` rows is what keeps every row a later level still reads when the high ghost rows
  are written;
* on a non-periodic axis after the first, an edge strip refills the ghost cells of every row of
  every level right after computing it (the fill of that axis, restricted to the row), and those
  of the ghost rows after axis 0's fill, so corner ghosts are the step-by-step kernel's too;
* level ``L`` computes sub-step ``L - 1`` of the sweep at time ``t0 + (step0 + L - 1) dt`` and
  fills its ghosts at ``t0 + (step0 + L) dt``, the step-by-step expression.

Not covered (the overlapped tiles run instead, chosen automatically: :func:`wavefront_unsupported`
says why): interface-flux scratch (nonlinear conservative schemes), Halo sides (blocks of a Dask
grid), boundary rules that read rows farther than ``r`` from the edge.

Levels alternate between the two ring arrays (even levels in ``tb_tile_a``, odd ones in
``tb_tile_b``), so every row sweep reads one array and writes another: with C's ``restrict``
the compiler needs no aliasing check between a level's rows and the next one's. In 2-D a ring
row is padded to whole 64-byte lines and shifted so that its columns that are multiples of a
line's cells lie on line starts (the ring arrays are line-aligned); each row loop runs single
columns up to the first such column and the compiler's vector loop from there, so its loads
and stores of the ring do not straddle lines (:data:`ALIGN_RING_ROWS`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mcgen.codegen import ir
from mcgen.codegen.boundary_fill import fill_statements
from mcgen.codegen.compiled_kernel import ALIGN_BYTES, itemsize_of
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.stencil_frontend import StencilProgram, grid_names
from mcgen.codegen.stencil_layout import CUR, NXT, time_at_step
from mcgen.codegen.temporal_blocking import (
    EXTRA_SCALARS,
    I64,
    ND_REDUNDANCY,
    ND_TILE_BYTES,
    TILE_A,
    TILE_B,
    _blocked_module,
    _fill_groups,
    add,
    blocked_requires,
    blocks_nd,
    bv,
    ci,
    iv,
    mn,
    mul,
    mx,
    sub,
    sweep_schedule,
)
from mcgen.errors import CodegenError
from mcgen.model.boundary import (
    Absorbing,
    Dirichlet,
    GhostCopy,
    Outflow,
    Periodic,
    Reflecting,
)

#: steps fused per sweep when the choice is automatic. Measured (C, 2000^2 periodic heat,
#: loaded machine, thread CPU time, interleaved): k = 16, B = 1024-2000 and k = 32, B = 1024
#: ran at 1.09-1.18x the overlapped 16 x 222 tiles; k = 8, B = 512 at 0.79x and k = 4 at 0.5x
#: (short rows and the memory traffic per step, 16 / k bytes per cell, dominate)
WAVE_STEPS = 16


#: rows of a level computed in one pass over a 2-D strip (one loop over the columns, the rows'
#: common loads shared; each cell's arithmetic unchanged). Measured (C, periodic, 6000^2, k = 16,
#: the generated kernels in one process, CPU time, load 4): 2 rows per pass ran 2-D heat at
#: 1.09-1.11x and 2-D donor cell at 1.22-1.23x one row per pass (B = 1000 and 2000); 4 rows
#: 1.03-1.09x and 1.18-1.23x, 8 rows 0.99-1.04x and 1.13-1.17x
JAM_ROWS = 2


#: the blocked module's meta key holding the rows of a level computed per pass
ROWS_PER_PASS = "rows_per_pass"


def jam_rows(dim: int) -> int:
    """Rows of a level computed per pass: :data:`JAM_ROWS` in 2-D, one plane in 3-D (numba
    kernels compute one row per pass, in rings of this size: numba's fastmath could round
    rows that share a loop differently)."""
    return JAM_ROWS if dim == 2 else 1


def ring_rows(ghost: int, dim: int = 2) -> int:
    """Rows (planes in 3-D) in each level's ring: ``3 r + m`` (``m`` = :func:`jam_rows`) keeps
    every row a later level still reads when a level writes its high ghost rows (``2 r + m``
    would do on a periodic axis 0)."""
    return 3 * ghost + jam_rows(dim)


def wavefront_unsupported(program: StencilProgram, config: KernelConfig) -> str | None:
    """Why the wavefront variant does not cover this kernel (None when it does); the caller
    has checked :func:`~mcgen.codegen.temporal_blocking.blocking_unsupported` first."""
    lay, g = program.layout, program.layout.ghost
    if lay.dim not in (2, 3):
        return "the wavefront variant is for 2-D and 3-D grids"
    if lay.scratch:
        return ("interface-flux scratch (a nonlinear conservative scheme) is computed by a "
                "sweep of its own: the overlapped tiles block it")
    for d, (lo, hi) in enumerate(config.bc):
        for side, b in (("low", lo), ("high", hi)):
            if isinstance(b, Periodic):
                continue
            if not isinstance(b, (Outflow, Dirichlet, Reflecting, Absorbing)):
                return f"boundary {b!r} has no ghost fill in the wavefront variant"
            if d > 0:
                continue
            for f in lay.fields:
                rule = b.ghost(side, f)
                if not isinstance(rule, GhostCopy):
                    continue
                src = [rule.offset + rule.step * k for k in range(g)]
                ok = (rule.from_end == 0 and all(0 <= s <= g for s in src)) if side == "low" \
                    else (rule.from_end == 1 and all(-1 - g <= s <= -1 for s in src))
                if not ok:
                    return (f"the {side} ghost rows of axis 0 ({b!r}) read rows more than "
                            f"{g} from the edge, which the ring of a level no longer holds")
    return None


def choose_wavefront(shape: tuple[int, ...], ghost: int, nfields: int = 1, itemsize: int = 8,
                     time_block: int = 0, tile: int = 0, chunks: int = 1) -> tuple[int, int]:
    """``(k, B)`` for the wavefront variant on a 2-D/3-D grid (``k = 1``: do not block): the
    rings of the ``k`` levels (``k nf R W^(dim-1)`` cells, ``W = B + 2 k r + 2 r``) take at most
    :data:`ND_TILE_BYTES` (one core's L2), with the widest strip axis cut into strips of equal
    width, their number in 2-D a multiple of ``chunks`` (the threads that share them: with 3 strips
    on 2 threads one thread would idle half the sweep); ``k`` = :data:`WAVE_STEPS` halved
    while the redundant
    strip halo ``((B + 2 k r) / B)^(dim-1)`` exceeds :data:`ND_REDUNDANCY`; off when the two
    global buffers fit in L2 and in 3-D (:data:`AUTO_3D`); a requested ``k`` is honoured when
    every axis holds ``2 k r`` cells and a strip at least ``k r``."""
    dim = len(shape)
    if not blocks_nd(shape, nfields, itemsize, time_block):
        return 1, 0
    auto = time_block == 0
    k = WAVE_STEPS if auto else time_block
    widest = max(shape[1:])

    def b_of(k: int) -> int:
        if tile:
            return tile
        per_level = nfields * ring_rows(ghost, dim) * itemsize * k
        w = int((ND_TILE_BYTES // per_level) ** (1.0 / (dim - 1)))
        most = w - 2 * k * ghost - 2 * ghost
        if most < 1:
            return most
        # strips of equal width (2000 cells at most 1000 wide: two of 1000, not 958 + 958 + 84)
        strips = -(-widest // most)
        if dim == 2:
            strips = -(-strips // chunks) * chunks
        return -(-widest // strips)

    b = b_of(k)
    while auto and k > 2 and (b < 1 or ((b + 2 * k * ghost) / b) ** (dim - 1) > ND_REDUNDANCY):
        k //= 2
        b = b_of(k)
    if b < max(1, k * ghost) or any(n < 2 * k * ghost for n in shape):
        return 1, 0
    return k, b


#: 2-D rings with their columns that are multiples of :func:`line_cells` on 64-byte line starts,
#: each row loop running single columns up to the first such column (so its vectors are
#: line-aligned in the ring). Measured (6000^2 periodic, k = 16, B = 1500, the generated kernels
#: with and without, interleaved in one process, CPU time, load 3-4, two runs): C heat
#: 1.13-1.14x, donor cell 1.05-1.08x; LLVM 1.04-1.07x and 1.09-1.31x; numba 1.07x and 1.13x
#: (bench/README.md, "2-D wavefront: ring rows on line starts")
ALIGN_RING_ROWS = True


def line_cells(itemsize: int) -> int:
    """Cells in one :data:`~mcgen.codegen.compiled_kernel.ALIGN_BYTES` line (8 float64) when
    :data:`ALIGN_RING_ROWS`, else 1 (rows as they fall)."""
    return ALIGN_BYTES // itemsize if ALIGN_RING_ROWS else 1


def ring_plane_cells(dim: int, ghost: int, k: int, b: int, itemsize: int = 8) -> int:
    """Cells of one ring plane: ``(b + 2 k r + 2 r)^(dim-1)``; in 2-D a row is ``V - 1`` cells
    wider, rounded up to ``V`` = :func:`line_cells` (``tb_P``), so that a ring row can start
    at a column that is a multiple of ``V`` (``tb_sh``) and those columns lie on line starts."""
    width = b + 2 * k * ghost + 2 * ghost
    if dim != 2:
        return width ** (dim - 1)
    vec = line_cells(itemsize)
    return -(-(width + vec - 1) // vec) * vec


def ring_scratch_size(dim: int, nfields: int, ghost: int, k: int, b: int, nchunk: int,
                      itemsize: int = 8) -> int:
    """Length of each ring array: ``nchunk`` chunks of ``ceil(k / 2)`` levels of ``nfields``
    fields of ``R`` planes of :func:`ring_plane_cells` cells."""
    plane = ring_plane_cells(dim, ghost, k, b, itemsize)
    return nchunk * ((k + 1) // 2) * nfields * ring_rows(ghost, dim) * plane


# ------------------------------------------------------------------ index arithmetic

def _lin(e: ir.Expr) -> dict[str | None, int]:
    """``e`` (sums, differences and constant multiples of i64 variables and constants) as
    {variable name (None: the constant): coefficient}; anything else raises."""
    if isinstance(e, ir.Const):
        return {None: int(e.value)}
    if isinstance(e, ir.Var):
        return {e.name: 1}
    if isinstance(e, ir.BinOp) and e.op in "+-":
        out = dict(_lin(e.a))
        for k, v in _lin(e.b).items():
            out[k] = out.get(k, 0) + (v if e.op == "+" else -v)
        return out
    if isinstance(e, ir.BinOp) and e.op == "*":
        a, b = _lin(e.a), _lin(e.b)
        if set(a) == {None}:
            a, b = b, a
        if set(b) == {None}:
            return {k: v * b[None] for k, v in a.items()}
    raise CodegenError(f"internal: the wavefront variant cannot map the index {e} into a ring")


def _sum(terms: list[ir.Expr]) -> ir.Expr:
    out = terms[0]
    for t in terms[1:]:
        out = add(out, t)
    return out


def _scaled(var: str, c: int) -> ir.Expr:
    return iv(var) if c == 1 else mul(ci(c), iv(var))


def _split_row(e: ir.Expr) -> tuple[ir.Expr | None, ir.Expr | None]:
    """``e = A * S0 + rest`` with ``A`` and ``rest`` free of ``S0`` (None: zero)."""
    def has_s0(x: Any) -> bool:
        return any(isinstance(n, ir.Var) and n.name == "S0" for n in ir._nodes(x))

    if isinstance(e, ir.Var) and e.name == "S0":
        return ci(1), None
    if not has_s0(e):
        return None, e
    if isinstance(e, ir.BinOp) and e.op in "+-":
        (a1, r1), (a2, r2) = _split_row(e.a), _split_row(e.b)

        def comb(x: ir.Expr | None, y: ir.Expr | None) -> ir.Expr | None:
            if y is None:
                return x
            if e.op == "+":
                return y if x is None else add(x, y)
            return sub(ci(0) if x is None else x, y)
        return comb(a1, a2), comb(r1, r2)
    if isinstance(e, ir.BinOp) and e.op == "*":
        (a1, r1), (a2, r2) = _split_row(e.a), _split_row(e.b)
        if a1 is not None and a2 is not None:
            raise CodegenError(f"internal: the index {e} is quadratic in the row stride")
        if a1 is None:  # r1 * (a2 S0 + r2)
            return (mul(r1, a2) if r1 is not None and a2 is not None else None,
                    mul(r1, r2) if r1 is not None and r2 is not None else None)
        return (mul(a1, r2) if r2 is not None else None,
                mul(r1, r2) if r1 is not None and r2 is not None else None)
    raise CodegenError(f"internal: the wavefront variant cannot map the index {e} into a ring")


def build_wavefront(program: StencilProgram, config: KernelConfig) -> ir.Module:
    """The wavefront-blocked kernel(s) of a 2-D/3-D ``program`` (same arguments as the tiled
    kernel without interface scratch; ``tb_tile_a``/``tb_tile_b`` are the level rings, of
    :func:`ring_scratch_size` cells). Call :func:`wavefront_unsupported` first."""
    lay, sweeps = program.layout, program.sweeps
    g, dt_, nf, dim = lay.ghost, lay.dtype, len(lay.fields), lay.dim
    # numba's fastmath ('reassoc', 'contract') may round rows sharing one loop differently
    R, M = ring_rows(g, dim), (1 if config.backend == "numba" else jam_rows(dim))
    n = [iv(f"n{a}") for a in range(dim)]
    periodic = [isinstance(config.bc[a][0], Periodic) for a in range(dim)]
    strip_axes = list(range(1, dim))
    last = dim - 1
    kblock, btile, nchunk = (iv(s) for s in EXTRA_SCALARS)
    # 2-D: ring rows padded to whole lines (ring_plane_cells), their columns that are multiples
    # of vec on line starts; each row loop runs single columns up to the first such column
    vec = line_cells(itemsize_of(dt_))

    def to_line(e: ir.Expr) -> ir.Expr:
        """``e`` rounded down to a multiple of vec (two's complement: also when negative)."""
        return ir.BinOp("&", e, ci(-vec), I64)

    width = add(btile, add(mul(ci(2 * g), kblock), ci(2 * g)))

    def padded(w: ir.Expr) -> ir.Expr:
        """A 2-D ring row's length: ``w + vec - 1`` rounded up to a multiple of vec."""
        if vec == 1:
            return w
        return mul(ir.BinOp("//", add(w, ci(2 * vec - 2)), ci(vec), I64), ci(vec))

    plane: ir.Expr = padded(width) if dim == 2 else mul(width, width)
    levels = ir.BinOp("//", add(kblock, ci(1)), ci(2), I64)
    ring_len = mul(mul(mul(nchunk, levels), ci(nf * R)), plane)
    args = list(lay.args)
    args[2:2] = [ir.Arg(TILE_A, dt_, True, "inout", ring_len),
                 ir.Arg(TILE_B, dt_, True, "inout", ring_len)]
    args += [ir.Arg(s, I64) for s in EXTRA_SCALARS]
    requires = blocked_requires(program, n, g)

    groups = [(d, side, body) for d, side, body in
              _fill_groups(fill_statements(config.bc, grid_names(lay, "TILE")))
              if not periodic[d] and body]
    row_fills = [(d, side, body) for d, side, body in groups if d == 0]
    col_fills = [(d, side, body) for d, side, body in groups if d > 0]

    def ring_index(base: str, row: ir.Expr | None, rest: ir.Expr | None) -> ir.Expr:
        """Index in a ring of padded row ``row`` (slot ``(row + roff) mod R``), ``rest`` being
        the padded in-plane and field offset (``S1``, ``PT`` of the ring)."""
        slot = ir.BinOp("%", add(row if row is not None else ci(0), iv("tb_roff")), ci(R), I64)
        out = add(iv(base), mul(slot, iv("tb_P")))
        if rest is not None:
            out = add(out, rest)
        return sub(out, iv("tb_sh"))

    def map_fill(body: tuple[ir.Stmt, ...], buf: str, base: str) -> tuple[ir.Stmt, ...]:
        """A fill statement on the padded buffer ``TILE`` as one on the ring ``buf``."""
        def fn(node: Any) -> Any:
            if isinstance(node, (ir.Load, ir.Store)) and node.array == "TILE":
                row, rest = _split_row(node.index)
                return replace(node, array=buf, index=ring_index(base, row, rest))
            return node
        return ir.map_nodes(body, fn)

    def restrict(body: tuple[ir.Stmt, ...], rows: tuple[ir.Expr, ir.Expr] | None
                 ) -> tuple[ir.Stmt, ...]:
        """A fill limited to the rows ``rows`` (axis 0; None: as it is) and, along the strip
        axes, to the columns the next level reads, [lo - r, hi + r) (within the original
        range on a non-periodic axis)."""
        def fn(node: Any) -> Any:
            if isinstance(node, ir.For) and node.var.name == "g0" and rows is not None:
                return replace(node, start=rows[0], stop=rows[1])
            if isinstance(node, ir.For) and node.var.name in {f"g{a}" for a in strip_axes}:
                a = int(node.var.name[1:])
                lo, hi = sub(iv(f"tb_lo{a}"), ci(g)), add(iv(f"tb_hi{a}"), ci(g))
                if not periodic[a]:
                    lo, hi = mx(node.start, lo), mn(node.stop, hi)
                return replace(node, start=lo, stop=hi)
            return node
        return ir.map_nodes(body, fn)

    def set_time(step_offset: ir.Expr) -> tuple[ir.Stmt, ...]:
        if not lay.needs_time:
            return ()
        step = iv("step")
        return (ir.Assign(step, add(iv("tb_step0"), step_offset)), time_at_step(lay, step))

    def col_ranges(level: ir.Expr) -> list[ir.Stmt]:
        """tb_lo/tb_hi of every strip axis: the columns level ``level + 1`` computes."""
        w = mul(sub(sub(iv("tb_kk"), ci(1)), level), ci(g))
        out: list[ir.Stmt] = []
        for a in strip_axes:
            lo: ir.Expr = sub(iv(f"tb_a{a}"), w)
            hi: ir.Expr = add(iv(f"tb_b{a}"), w)
            if not periodic[a]:
                lo = ir.Select(bv(f"tb_cl{a}"), ci(g), lo, I64)
                hi = ir.Select(bv(f"tb_ch{a}"), add(n[a], ci(g)), hi, I64)
            out += [ir.Assign(iv(f"tb_lo{a}"), lo), ir.Assign(iv(f"tb_hi{a}"), hi)]
        return out

    def fills_after_row(buf: str, base: str, level: ir.Expr) -> tuple[ir.Stmt, ...]:
        """Ghost fills of a level after it computed row ``i0``: the strip axes' ghost cells of
        that row; axis 0's ghost rows (then the strip axes' ghosts of those rows) once the level
        holds the rows they copy. ``tb_lo``/``tb_hi`` are those of the next level."""
        if not groups:
            return ()
        out: list[ir.Stmt] = [*set_time(level), *col_ranges(level)]
        i0 = iv("i0")

        def cols(rows: tuple[ir.Expr, ir.Expr]) -> list[ir.Stmt]:
            return [ir.If(bv(f"tb_cl{d}" if side == "low" else f"tb_ch{d}"),
                          map_fill(restrict(body, rows), buf, base))
                    for d, side, body in col_fills]

        out += cols((i0, add(i0, ci(1))))
        for d, side, body in row_fills:
            assert d == 0
            at, rows = ((ci(2 * g), (ci(0), ci(g))) if side == "low" else
                        (add(n[0], ci(g - 1)), (add(n[0], ci(g)), add(n[0], ci(2 * g)))))
            out.append(ir.If(ir.Cmp("==", i0, at),
                             map_fill(restrict(body, None), buf, base) + tuple(cols(rows))))
        return tuple(out)

    def rewrite_update(src: str, dst: str) -> tuple[ir.Stmt, ...]:
        """The update body reading ring ``src`` (row bases tb_q*), storing to ring ``dst``
        (base tb_o) or, when ``dst`` is nxt, to the grid (row base tb_o, global strides)."""
        def fn(node: Any) -> Any:
            if isinstance(node, ir.Load) and node.array == CUR:
                lin = _lin(node.index)
                c0 = lin.pop("S0", 0)
                if lin.pop("idx", 0) != 1 or abs(c0) > g:
                    raise CodegenError(f"internal: unexpected read index {node.index}")
                name = f"tb_q{c0}" if c0 >= 0 else f"tb_qm{-c0}"
                terms: list[ir.Expr] = [iv(name), iv("idx")]
                terms += [_scaled(v, c) if v is not None else ci(c)
                          for v, c in lin.items() if c != 0]
                return replace(node, array=src, index=_sum(terms))
            if isinstance(node, ir.Store) and node.array == NXT:
                lin = _lin(node.index)
                f = lin.pop("PT", 0)
                if lin != {"idx": 1}:
                    raise CodegenError(f"internal: unexpected store index {node.index}")
                if dst == NXT:
                    terms = [iv("tb_o"), iv("tb_gidx")] + ([_scaled("tb_GP", f)] if f else [])
                else:
                    terms = [iv("tb_o"), iv("idx")] + ([_scaled("PT", f)] if f else [])
                return replace(node, array=dst, index=_sum(terms))
            return node
        body = ir.map_nodes(sweeps.update_body, fn)
        if any(isinstance(x, ir.Var) and x.name == "S0" for x in ir._nodes(body)):
            raise CodegenError("internal: the update reads the row stride outside an index")
        return body

    update_locals = {x.var.name for st in sweeps.update_body for x in ir._nodes(st)
                     if isinstance(x, ir.Assign)}

    def update_row(src: str, dst: str, src_base: str, dst_base: str | None, rows: int = 1
                   ) -> tuple[ir.Stmt, ...]:
        """Compute rows [i0, i0 + rows) of a level from the ring ``src`` into ``dst``, in one
        loop over the columns (each row the update body with its own row bases and locals)."""
        st: list[ir.Stmt] = []
        body: tuple[ir.Stmt, ...] = ()

        def q_name(c: int, joint: bool) -> str:
            """Base of source row i0 + c: tb_q<c> / tb_qm<-c> (one row), tb_qr<c> / tb_qrm<-c>
            (rows sharing a loop: one name per row, so their common rows' loads are one)."""
            return ("tb_qr" if joint else "tb_q") + (f"{c}" if c >= 0 else f"m{-c}")

        for c in range(-g, rows + g):
            st.append(ir.Assign(iv(q_name(c, rows > 1)),
                                ring_index(src_base, add(iv("i0"), ci(c)), None)))
        for m in range(rows):
            row = add(iv("i0"), ci(m)) if m else iv("i0")
            sfx = f"_r{m}" if rows > 1 else ""
            if dst_base is None:
                st.append(ir.Assign(iv("tb_o" + sfx), mul(row, iv("tb_GS0"))))
            else:
                st.append(ir.Assign(iv("tb_o" + sfx), ring_index(dst_base, row, None)))
            if rows == 1:
                body += rewrite_update(src, dst)
                continue
            names = {"tb_o": "tb_o" + sfx, **{v: v + sfx for v in update_locals},
                     **{q_name(c, False): q_name(c + m, True) for c in range(-g, g + 1)}}

            def rename(node: Any, names: dict[str, str] = names, m: int = m) -> Any:
                """Row m's copy: its own row bases and locals; its row index i0 + m (an
                update that reads its coordinate)."""
                if isinstance(node, ir.Var) and node.name in names:
                    return replace(node, name=names[node.name])
                if isinstance(node, ir.Var) and node.name == "i0" and m:
                    return add(node, ci(m))
                return node
            body += ir.map_nodes(rewrite_update(src, dst), rename)
        # the in-plane loops: idx the ring's in-plane index, tb_gidx the grid's
        inner_idx: ir.Expr = iv(f"i{last}") if dim == 2 else add(iv("b1"), iv(f"i{last}"))
        inner: list[ir.Stmt] = [ir.Assign(iv("idx"), inner_idx)]
        if dst_base is None:
            inner.append(ir.Assign(iv("tb_gidx"), iv(f"i{last}") if dim == 2 else
                                   add(iv("tb_gb1"), iv(f"i{last}"))))
        start: ir.Expr = iv(f"tb_lo{last}")
        if dim == 2 and vec > 1:  # single columns up to the first on a line start, the rest
            first = mn(to_line(add(iv("tb_lo1"), ci(vec - 1))), iv("tb_hi1"))
            st += [ir.Assign(iv("tb_al"), first),
                   ir.For(iv("i1"), iv("tb_lo1"), iv("tb_al"), tuple(inner) + body)]
            start = iv("tb_al")
        loop: ir.Stmt = ir.For(iv(f"i{last}"), start, iv(f"tb_hi{last}"), tuple(inner) + body)
        if dim == 3:
            outer: list[ir.Stmt] = [ir.Assign(iv("b1"), mul(iv("i1"), iv("S1")))]
            if dst_base is None:
                outer.append(ir.Assign(iv("tb_gb1"), mul(iv("i1"), iv("tb_GS1"))))
            loop = ir.For(iv("i1"), iv("tb_lo1"), iv("tb_hi1"), (*outer, loop))
        st.append(loop)
        return tuple(st)

    def load_row() -> tuple[ir.Stmt, ...]:
        """Level 0 row i0 from cur: columns [a - h, b + h) of each strip axis, wrapped on a
        periodic axis (a wrapped run of the last axis as three plain runs), clipped to the
        interior on the others; axis 0's source row wrapped when periodic."""
        i0 = iv("i0")
        src_row: ir.Expr = i0
        if periodic[0]:
            src_row = ir.Select(ir.Cmp("<", i0, ci(g)), add(i0, n[0]),
                                ir.Select(ir.Cmp(">=", i0, add(n[0], ci(g))), sub(i0, n[0]),
                                          i0, I64), I64)
        st: list[ir.Stmt] = [ir.Assign(iv("tb_srow"), mul(src_row, iv("tb_GS0"))),
                             ir.Assign(iv("tb_o"), ring_index("tb_base0", i0, None))]
        ranges: list[tuple[ir.Expr, ir.Expr]] = []
        for a in strip_axes:
            lo_a, hi_a = sub(iv(f"tb_a{a}"), iv("tb_h")), add(iv(f"tb_b{a}"), iv("tb_h"))
            if not periodic[a]:
                lo_a, hi_a = mx(lo_a, ci(g)), mn(hi_a, add(n[a], ci(g)))
            ranges.append((lo_a, hi_a))

        def cell(ring_off: ir.Expr, grid_off: ir.Expr) -> tuple[ir.Stmt, ...]:
            out: list[ir.Stmt] = []
            for f in range(nf):
                t_f = ring_off if f == 0 else add(ring_off, _scaled("PT", f))
                g_f = grid_off if f == 0 else add(grid_off, _scaled("tb_GP", f))
                out.append(ir.Store(TILE_A, t_f, ir.Load(CUR, g_f, dt_)))
            return tuple(out)

        p = iv(f"tb_p{last}")
        if dim == 2:
            ring_base, grid_base = iv("tb_o"), iv("tb_srow")
        else:
            ring_base, grid_base = iv("tb_orow"), iv("tb_grow")
        lo_l, hi_l = ranges[-1]
        if periodic[last]:
            loops: tuple[ir.Stmt, ...] = (
                ir.For(p, lo_l, mn(hi_l, ci(g)), cell(add(ring_base, p),
                                                      add(grid_base, add(p, n[last])))),
                ir.For(p, mx(lo_l, ci(g)), mn(hi_l, add(n[last], ci(g))),
                       cell(add(ring_base, p), add(grid_base, p))),
                ir.For(p, mx(lo_l, add(n[last], ci(g))), hi_l,
                       cell(add(ring_base, p), add(grid_base, sub(p, n[last])))))
        else:
            loops = (ir.For(p, lo_l, hi_l, cell(add(ring_base, p), add(grid_base, p))),)
        if dim == 3:
            p1 = iv("tb_p1")
            src1: ir.Expr = p1
            if periodic[1]:
                src1 = ir.Select(ir.Cmp("<", p1, ci(g)), add(p1, n[1]),
                                 ir.Select(ir.Cmp(">=", p1, add(n[1], ci(g))), sub(p1, n[1]),
                                           p1, I64), I64)
            loops = (ir.For(p1, *ranges[0], (
                ir.Assign(iv("tb_orow"), add(iv("tb_o"), mul(p1, iv("S1")))),
                ir.Assign(iv("tb_grow"), add(iv("tb_srow"), mul(src1, iv("tb_GS1")))),
                *loops)),)
        return tuple(st) + loops

    def level_bases(level: ir.Expr, name: str) -> ir.Assign:
        """Start of level ``level``'s ring in its array (chunk base included)."""
        return ir.Assign(iv(name), add(iv("tb_cb"), mul(ir.BinOp("//", level, ci(2), I64),
                                                        iv("tb_LV"))))

    def strip_body() -> tuple[ir.Stmt, ...]:
        st: list[ir.Stmt] = [ir.Assign(iv("tb_rem"), iv("tb_tt"))]
        for a in reversed(strip_axes):
            st.append(ir.Assign(iv(f"tb_a{a}"), add(ci(g), mul(
                ir.BinOp("%", iv("tb_rem"), iv(f"tb_nt{a}"), I64), btile))))
            st.append(ir.Assign(iv("tb_rem"), ir.BinOp("//", iv("tb_rem"), iv(f"tb_nt{a}"), I64)))
            st.append(ir.Assign(iv(f"tb_b{a}"), mn(add(iv(f"tb_a{a}"), btile), add(n[a], ci(g)))))
        # ring in-plane index of padded (p1, ..) is sum p_a S_a - sh
        sh: ir.Expr = sub(iv(f"tb_a{last}"), add(iv("tb_KR"), ci(g)))
        if dim == 3:
            sh = add(sh, mul(sub(iv("tb_a1"), add(iv("tb_KR"), ci(g))), iv("S1")))
        elif vec > 1:
            sh = to_line(sh)
        st.append(ir.Assign(iv("tb_sh"), sh))
        for a in strip_axes:
            if not periodic[a]:
                st.append(ir.Assign(bv(f"tb_cl{a}"),
                                    ir.Cmp("<", sub(iv(f"tb_a{a}"), iv("tb_h")), ci(g))))
                st.append(ir.Assign(bv(f"tb_ch{a}"), ir.Cmp(
                    ">", add(iv(f"tb_b{a}"), iv("tb_h")), add(n[a], ci(g)))))
        st.append(level_bases(ci(0), "tb_base0"))
        # rows of level L: periodic axis 0 [g - (kk - L) r, n0 + g + (kk - L) r), else
        # [g, n0 + g); row i of level L is computed at iteration j = i + L r
        j0 = sub(ci(g), iv("tb_h")) if periodic[0] else ci(g)
        j1 = add(add(n[0], ci(g)), iv("tb_h"))
        level = iv("tb_L")
        w0 = mul(sub(iv("tb_kk"), level), ci(g))
        row_lo, row_hi = ((sub(ci(g), w0), add(add(n[0], ci(g)), w0)) if periodic[0] else
                          (ci(g), add(n[0], ci(g))))
        load_fill = fills_after_row(TILE_A, "tb_base0", ci(0))
        load_if = j1 if periodic[0] else add(n[0], ci(g))  # rows [j, j + M) past it: none
        load: list[ir.Stmt] = [
            ir.For(iv("tb_m"), ci(0), ci(M), (
                ir.Assign(iv("i0"), add(iv("tb_j"), iv("tb_m"))),
                ir.If(ir.Cmp("<", iv("i0"), load_if), (*load_row(), *load_fill))))]

        def level_rows(rows: int) -> tuple[ir.Stmt, ...]:
            """Rows [i0, i0 + rows) of level tb_L, then each row's ghost fills in turn."""
            def fills(buf: str) -> tuple[ir.Stmt, ...]:
                if rows == 1:
                    return fills_after_row(buf, "tb_bdst", level)
                out: tuple[ir.Stmt, ...] = ()
                for m in range(rows):
                    out += (ir.Assign(iv("i0"), add(iv("tb_i"), ci(m))),
                            *fills_after_row(buf, "tb_bdst", level))
                return out if groups else ()
            return (
                *set_time(sub(level, ci(1))),
                *col_ranges(sub(level, ci(1))),
                level_bases(sub(level, ci(1)), "tb_bsrc"),
                level_bases(level, "tb_bdst"),
                ir.If(ir.Cmp("<", level, iv("tb_kk")), (
                    ir.If(ir.Cmp("==", ir.BinOp("&", level, ci(1), I64), ci(1)),
                          update_row(TILE_A, TILE_B, "tb_bsrc", "tb_bdst", rows) + fills(TILE_B),
                          update_row(TILE_B, TILE_A, "tb_bsrc", "tb_bdst", rows)
                          + fills(TILE_A)),
                ), (
                    ir.If(ir.Cmp("==", ir.BinOp("&", level, ci(1), I64), ci(1)),
                          update_row(TILE_A, NXT, "tb_bsrc", None, rows),
                          update_row(TILE_B, NXT, "tb_bsrc", None, rows)),
                )))

        # level L computes rows [tb_i, tb_i + M), tb_i = j - L r: all M in one pass when they
        # are all in its range, else one at a time (the first and last passes)
        one_by_one = ir.For(iv("tb_m"), ci(0), ci(M), (
            ir.Assign(iv("i0"), add(iv("tb_i"), iv("tb_m"))),
            ir.If(ir.Cmp(">=", iv("i0"), row_lo), (ir.If(ir.Cmp("<", iv("i0"), row_hi),
                                                         level_rows(1)),))))
        compute: list[ir.Stmt] = [ir.Assign(iv("tb_i"), sub(iv("tb_j"), mul(level, ci(g))))]
        if M == 1:
            compute.append(one_by_one)
        else:
            whole = ir.Select(ir.Cmp(">=", iv("tb_i"), row_lo), ir.Select(
                ir.Cmp("<=", add(iv("tb_i"), ci(M)), row_hi), ci(1), ci(0), I64), ci(0), I64)
            compute += [ir.Assign(iv("tb_whole"), whole),
                        ir.If(ir.Cmp("==", iv("tb_whole"), ci(1)),
                              (ir.Assign(iv("i0"), iv("tb_i")), *level_rows(M)),
                              (one_by_one,))]
        passes = ir.BinOp("//", add(sub(j1, j0), ci(M - 1)), ci(M), I64)
        st.append(ir.For(iv("tb_jb"), ci(0), passes, (
            ir.Assign(iv("tb_j"), add(j0, mul(iv("tb_jb"), ci(M)))),
            *load,
            ir.For(level, ci(1), add(iv("tb_kk"), ci(1)), tuple(compute)))))
        return tuple(st)

    def kernel(name: str, parallel: bool) -> ir.Kernel:
        pre: list[ir.Stmt] = [
            *sweeps.prologue,
            ir.Comment(f"temporal blocking, wavefront along axis 0: kk <= kblock levels, each a "
                       f"ring of {R} planes of a strip of btile cells per strip axis"),
            ir.Assign(iv("tb_KR"), mul(kblock, ci(g))),
            ir.Assign(iv("tb_W"), add(add(btile, mul(ci(2), iv("tb_KR"))), ci(2 * g)))]
        if dim == 3:
            pre += [ir.Assign(iv("S1"), iv("tb_W")),
                    ir.Assign(iv("tb_P"), mul(iv("tb_W"), iv("tb_W"))),
                    ir.Assign(iv("tb_GS1"), add(n[2], ci(2 * g))),
                    ir.Assign(iv("tb_GS0"), mul(iv("tb_GS1"), add(n[1], ci(2 * g))))]
        else:
            pre += [ir.Assign(iv("tb_P"), padded(iv("tb_W"))),
                    ir.Assign(iv("tb_GS0"), add(n[1], ci(2 * g)))]
        pre += [ir.Assign(iv("PT"), mul(iv("tb_P"), ci(R))),
                ir.Assign(iv("tb_LV"), mul(iv("PT"), ci(nf))),
                ir.Assign(iv("tb_GP"), mul(iv("tb_GS0"), add(n[0], ci(2 * g)))),
                ir.Assign(iv("tb_roff"), mul(ci(R), add(iv("tb_KR"), ci(g)))),
                ir.Assign(iv("tb_ntiles"), ci(1))]
        for a in strip_axes:
            pre += [ir.Assign(iv(f"tb_nt{a}"), ir.BinOp("//", sub(add(n[a], btile), ci(1)),
                                                        btile, I64)),
                    ir.Assign(iv("tb_ntiles"), mul(iv("tb_ntiles"), iv(f"tb_nt{a}")))]
        setup, sweep = sweep_schedule(mul(mul(iv("tb_c"), iv("tb_LV")), levels),
                                      strip_body(), parallel, g)
        pre += setup
        doc = (f"Temporally blocked {name.removesuffix('_tb').removesuffix('_tb_par')} "
               f"({dim}-D, wavefront along axis 0): the same result as the step-by-step kernel, "
               "bit for bit, with kk <= kblock steps fused per sweep over strips of btile cells "
               f"per strip axis, each level a ring of {R} planes (nchunk chunks of strips, each "
               f"with its own part of {TILE_A} (even levels) and {TILE_B} (odd levels)).")
        return ir.Kernel(name, tuple(args), tuple(pre) + (sweep,), None, doc,
                         {"parallel": str(parallel).lower()}, requires)

    module = _blocked_module(program, config, kernel,
                             f"{dim}-D wavefront along axis 0, bitwise equal to step-by-step")
    # read by export_kernel: such an IR is bitwise only where no compiler reassociates
    module.meta[ROWS_PER_PASS] = str(M)
    return module
