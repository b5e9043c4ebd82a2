"""Stage 2 of the stencil front-end: the kernel's layout (fields, ghost width, arguments) and
the contract every call must meet.

Kernel arguments, in order: ``cur, nxt`` (padded flat buffers of all fields), one scratch array
per interface quantity, per-step Dirichlet value arrays, the interior sizes ``n0[, n1[, n2]]``,
``nsteps``, ``t0``, ``dt``, the scheme parameters, the grid spacings and the coordinates of the
first interior cell (``x0`` ...), when the update uses them; then, for a kernel that advances
one block of a larger grid (``KernelConfig.grid_block``), where the block lies in the grid
(:class:`BlockArgs`). After the call the newest values are in ``cur`` when ``nsteps`` is even, in
``nxt`` otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from mcgen.codegen import ir
from mcgen.codegen.boundary_fill import bc_needs_time, series_args
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.update_form import UpdateForm
from mcgen.errors import CodegenError
from mcgen.model.read import Read
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import t as T_SYM

CUR, NXT = "cur", "nxt"
#: names of the kernel's own variables (loop indices, strides, time)
INTERNAL = frozenset({CUR, NXT, "nsteps", "t0", "dt", "t", "step", "idx", "gk", "gf", "PT"})


@dataclass(frozen=True)
class BlockArgs:
    """The arguments of a kernel for one block of a larger grid (names in the reserved
    namespace, so no model name can clash): they make the block compute the times and cell
    positions of the whole grid's run, bit for bit."""

    #: steps done before this call (the time of step ``s`` is ``t0 + (step0 + s) dt``, as in a
    #: call of ``step0 + nsteps`` steps); None when nothing depends on time
    step0: str | None
    #: per axis whose coordinate the update reads: (axis, global index of the block's first
    #: interior cell, global number of cells along the axis). A cell outside ``[0, cells)``
    #: (a halo wrapped around a periodic axis) takes the position of its periodic image.
    axes: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class BlockPosition:
    """Where one call of a block kernel lies in the whole grid's run (values for
    :class:`BlockArgs`): ``step0`` steps done before it, ``first[d]`` the global index of its
    first interior cell and ``cells[d]`` the grid's number of cells along every axis ``d``."""

    step0: int
    first: tuple[int, ...]
    cells: tuple[int, ...]

    def arguments(self, block: BlockArgs) -> tuple[int, ...]:
        """The integer arguments of ``block``, in the kernel's order."""
        out = [self.step0] if block.step0 is not None else []
        for d, _, _ in block.axes:
            out += [self.first[d], self.cells[d]]
        return tuple(out)


@dataclass(frozen=True)
class StencilLayout:
    """What a caller needs to marshal data for a stencil kernel (mirrors the argument order)."""

    fields: tuple[str, ...]
    dim: int
    ghost: int
    dtype: str
    scratch: tuple[str, ...]                 # scratch array names (each one padded field)
    series: tuple[str, ...]                  # per-step Dirichlet arrays
    params: tuple[tuple[str, str], ...]      # (scheme parameter name, argument name)
    spacings: tuple[tuple[str, str], ...]    # (spacing symbol name, argument name)
    origins: tuple[tuple[str, str], ...]     # (coordinate name, argument name of its origin)
    needs_dt: bool                           # the update or a boundary value uses dt
    arg_names: tuple[str, ...]
    #: the kernel tracks the time t of each step (the update or a Dirichlet value reads it)
    needs_time: bool = False
    #: axes whose coordinate the update reads
    coords_used: tuple[int, ...] = ()
    #: the block arguments (None: a kernel for a whole grid)
    block: BlockArgs | None = None
    #: the IR arguments (names as in ``arg_names``, with types and lengths)
    args: tuple[ir.Arg, ...] = field(default=(), repr=False)
    #: identifiers the kernel already uses (later stages name their values outside them)
    taken: frozenset[str] = field(default=frozenset(), repr=False, compare=False)


def safe_name(name: str, taken: set[str], kernel: bool = False) -> str:
    """A model's name as an identifier of this front-end's kernels: sanitised, shortened and
    kept out of mcgen's reserved namespace (:func:`ir.user_ident` owns that rule) and out of
    this front-end's own names (cse0, flux1, i0, n2, ...)."""
    return ir.user_ident(name, taken, lambda c: re.match(r"^(cse|flux|[ibgnS])\d", c) is not None,
                         kernel)


def grid_contract(dim: int, ghost: int, bc: tuple) -> tuple[ir.Expr, tuple[ir.Expr, ...]]:
    """What every call of a stencil kernel must meet: the length of one padded field,
    ``(n0 + 2 g) * (n1 + 2 g) * ...``, and the conditions on the sizes (``n_d >= 1``; at least
    ``g`` cells on a periodic or reflecting axis, whose ghost cells are copied from the interior;
    ``nsteps >= 0``)."""
    from mcgen.model.boundary import Periodic, Reflecting

    def c(v: int) -> ir.Const:
        return ir.Const(v, "i64")

    length: ir.Expr | None = None
    requires: list[ir.Expr] = []
    for d in range(dim):
        n = ir.Var(f"n{d}", "i64")
        axis = ir.BinOp("+", n, c(2 * ghost), "i64")
        length = axis if length is None else ir.BinOp("*", length, axis, "i64")
        wraps = any(isinstance(b, (Periodic, Reflecting)) for b in bc[d])
        requires.append(ir.Cmp(">=", n, c(max(ghost, 1) if wraps else 1)))
    requires.append(ir.Cmp(">=", ir.Var("nsteps", "i64"), c(0)))
    assert length is not None, "a stencil has at least one axis"
    return length, tuple(requires)


def plan_layout(scheme: Scheme, cfg: KernelConfig, form: UpdateForm) -> StencilLayout:
    """Stage 2: the :class:`StencilLayout` of the kernel of ``scheme`` (``cfg`` validated),
    with ``form`` from :func:`~mcgen.codegen.update_form.analyse_update`."""
    dim, g, dt_ = scheme.dim, max(scheme.radius, 1), cfg.dtype
    taken = set(INTERNAL) | {f"{p}{d}" for p in "nibgS" for d in range(3)}
    used_syms = set().union(*[e.free_symbols for e in scheme.update.values()])
    for b in (b for pair in cfg.bc for b in pair):
        if getattr(b, "value", None) is not None and isinstance(b.value, sp.Basic):
            used_syms |= b.value.free_symbols - {s for s in b.value.free_symbols
                                                 if s.name == "t"}
    # the update's time t is the time of the step, t0 + step*dt (as in the NumPy reference
    # and the Monte Carlo kernels), never a constant argument
    time_syms = {s for s in used_syms if s.name == T_SYM.name and not isinstance(s, Read)}
    params = [(p.name, safe_name(p.name, taken)) for p in scheme.params
              if p in used_syms and p not in time_syms]
    coords_used = [d for d in range(dim) if scheme.coords[d] in used_syms]
    spacing_used = [d for d in range(dim)
                    if scheme.spacing[d] in used_syms or d in coords_used]
    spacings = [(scheme.spacing[d].name, safe_name(scheme.spacing[d].name, taken))
                for d in spacing_used]
    origins = [(scheme.coords[d].name, safe_name(scheme.coords[d].name + "0", taken))
               for d in coords_used]
    series = series_args(cfg.bc)
    for s in series:
        if s in taken:
            raise CodegenError(f"DirichletSeries name {s!r} clashes with a kernel argument")
        taken.add(s)
    needs_time = bc_needs_time(cfg.bc) or bool(time_syms)
    needs_dt = scheme.dt in used_syms or needs_time
    scratch = tuple(f"flux{k}" for k in range(len(form.interfaces)))

    field_len, _ = grid_contract(dim, g, cfg.bc)
    grid_len = ir.BinOp("*", ir.Const(len(scheme.fields), "i64"), field_len, "i64")
    args: list[ir.Arg] = [ir.Arg(CUR, dt_, True, "inout", grid_len),
                          ir.Arg(NXT, dt_, True, "inout", grid_len)]
    args += [ir.Arg(s, dt_, True, "inout", field_len) for s in scratch]
    args += [ir.Arg(s, dt_, True, "in", ir.Var("nsteps", "i64")) for s in series]
    args += [ir.Arg(f"n{d}", "i64") for d in range(dim)]
    args += [ir.Arg("nsteps", "i64"), ir.Arg("t0", dt_), ir.Arg("dt", dt_)]
    args += [ir.Arg(a, dt_) for _, a in params + spacings + origins]
    block = None
    if cfg.grid_block:
        block = BlockArgs("mcg_step0" if needs_time else None,
                          tuple((d, f"mcg_first{d}", f"mcg_cells{d}") for d in coords_used))
        names = ([block.step0] if block.step0 else []) + \
            [n for _, first, cells in block.axes for n in (first, cells)]
        args += [ir.Arg(n, "i64") for n in names]
        taken |= set(names)
    return StencilLayout(scheme.fields, dim, g, dt_, scratch, series, tuple(params),
                         tuple(spacings), tuple(origins), needs_dt, tuple(a.name for a in args),
                         needs_time, tuple(coords_used), block, tuple(args), frozenset(taken))


def time_at_step(layout: StencilLayout, step: ir.Expr) -> ir.Assign:
    """``t = t0 + step * dt``: the time of step ``step`` of a call (of ``step0 + step`` in a
    block kernel), the one expression of time every kernel (step by step, temporally blocked,
    block of a grid) uses, so they agree bit for bit."""
    dt_ = layout.dtype
    if layout.block is not None and layout.block.step0 is not None:
        step = ir.BinOp("+", ir.Var(layout.block.step0, "i64"), step, "i64")
    return ir.Assign(ir.Var("t", dt_), ir.BinOp(
        "+", ir.Var("t0", dt_), ir.BinOp("*", ir.Cast(step, dt_), ir.Var("dt", dt_), dt_), dt_))
