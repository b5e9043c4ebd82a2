"""Stage 3 of the stencil front-end: the statements computed for one cell.

From the :class:`~mcgen.codegen.update_form.UpdateForm` and the
:class:`~mcgen.codegen.stencil_layout.StencilLayout`: the update sweep's body (``sympy.cse``
on each update, or its weight form), one body per interface quantity, the *prologue* (values
that depend on the parameters only, computed once per call before the step loop) and the
interface fluxes a reflecting wall sets to zero. Every derived kernel (step by step, threaded,
temporally blocked, block of a grid) runs these very statements, with only array names and
index offsets changed, so they compute every cell alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import sympy as sp
from sympy.logic.boolalg import Boolean

from mcgen.codegen import ir
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.ir import index_product as _mul
from mcgen.codegen.ir import index_sum as _add
from mcgen.codegen.stencil_layout import CUR, NXT, StencilLayout, safe_name
from mcgen.codegen.sympy_to_ir import sympy_to_ir
from mcgen.codegen.update_form import UpdateForm, WeightedUpdate, factored_interface_quantity
from mcgen.errors import CodegenError
from mcgen.model.read import Read
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import t as T_SYM

I64 = "i64"
#: (start, stop) of each axis of a loop nest, in padded indices
Ranges = tuple[tuple[ir.Expr, ir.Expr], ...]


class WallZero(NamedTuple):
    """The interface flux ``scratch`` (index into the layout's scratch arrays) that a reflecting
    wall on ``side`` (``"low"``/``"high"``) of ``axis`` sets to 0 every step."""

    scratch: int
    axis: int
    side: str


@dataclass(frozen=True)
class FluxSweep:
    """One interface quantity: computed once per interface, into scratch array ``scratch``."""

    scratch: int
    field: str
    axis: int
    ranges: Ranges               # the interior, one interface more along ``axis``
    body: tuple[ir.Stmt, ...]    # the statements for the cell at ``idx``


@dataclass(frozen=True)
class StencilSweeps:
    """The result of :func:`lower_sweeps`."""

    update_body: tuple[ir.Stmt, ...]   # stores of every field's new value into ``nxt`` at idx
    fluxes: tuple[FluxSweep, ...]
    prologue: tuple[ir.Stmt, ...]      # parameter-only values, once per call (may be empty)
    wall_zeros: tuple[WallZero, ...]
    interior: Ranges                   # the update sweep's loop ranges


def _iv(name: str) -> ir.Var:
    return ir.Var(name, I64)


def _ci(v: int) -> ir.Const:
    return ir.Const(int(v), I64)


def offset_index(offset: tuple[int, ...], fidx: int) -> ir.Expr:
    """The flat index of the cell at ``offset`` from ``idx`` in field ``fidx``:
    ``idx + fidx*PT + sum_d offset_d * S_d`` (the innermost stride is 1)."""
    dim = len(offset)
    out: ir.Expr = _iv("idx")
    if fidx:
        out = _add(out, _iv("PT") if fidx == 1 else _mul(_ci(fidx), _iv("PT")))
    for d, k in enumerate(offset):
        if k == 0:
            continue
        term = _ci(abs(k)) if d == dim - 1 else \
            _iv(f"S{d}") if abs(k) == 1 else _mul(_ci(abs(k)), _iv(f"S{d}"))
        out = _add(out, term) if k > 0 else ir.BinOp("-", out, term, I64)
    return out


def loop_nest(body: tuple[ir.Stmt, ...], ranges: Ranges, parallel: bool) -> ir.Stmt:
    """Loop nest over axes 0..dim-1 (innermost last, unit stride) around ``body``, with
    ``idx = b_{dim-2} + i_{dim-1}`` and ``b_d = b_{d-1} + i_d S_d``; the outermost loop
    parallel when ``parallel``."""
    dim = len(ranges)
    last = dim - 1
    prev = f"b{last - 1}" if dim > 1 else None
    idx_val = _add(_iv(prev), _iv(f"i{last}")) if prev else _iv(f"i{last}")
    stmts: list[ir.Stmt] = [ir.Assign(_iv("idx"), idx_val), *body]
    loop: ir.For = ir.For(_iv(f"i{last}"), ranges[last][0], ranges[last][1], tuple(stmts))
    for d in reversed(range(dim - 1)):
        prevb = _iv(f"b{d - 1}") if d > 0 else None
        row = _mul(_iv(f"i{d}"), _iv(f"S{d}"))
        bval = _add(prevb, row) if prevb is not None else row
        loop = ir.For(_iv(f"i{d}"), ranges[d][0], ranges[d][1],
                      (ir.Assign(_iv(f"b{d}"), bval), loop), parallel and d == 0)
    if dim == 1 and parallel:
        loop = ir.For(loop.var, loop.start, loop.stop, loop.body, True)
    return loop


def interior_ranges(dim: int, ghost: int) -> Ranges:
    """``[g, n_d + g)`` along every axis: the interior cells in padded indices."""
    return tuple((_ci(ghost), _add(_iv(f"n{d}"), _ci(ghost))) for d in range(dim))


def coordinate_value(layout: StencilLayout, axis: int, origin: ir.Expr, spacing: ir.Expr
                     ) -> ir.Expr:
    """The coordinate of the cell at padded index ``i<axis>``: ``x0 + (i - g) dx``; in a
    block kernel ``x0 + j dx`` with ``j`` the cell's global index, wrapped into
    ``[0, cells)`` (a halo cell across a periodic edge sits where its image does), so a block
    computes positions exactly as the whole grid."""
    dt_ = layout.dtype
    cell: ir.Expr = ir.BinOp("-", _iv(f"i{axis}"), _ci(layout.ghost), I64)
    block = layout.block
    axes = {d: (first, cells) for d, first, cells in block.axes} if block else {}
    if axis in axes:
        first, cells = (_iv(n) for n in axes[axis])
        j = _add(cell, first)
        cell = ir.Select(ir.Cmp("<", j, _ci(0)), _add(j, cells),
                         ir.Select(ir.Cmp(">=", j, cells), ir.BinOp("-", j, cells, I64), j,
                                   I64), I64)
    return ir.BinOp("+", origin, ir.BinOp("*", ir.Cast(cell, dt_), spacing, dt_), dt_)


class _Lowering:
    """SymPy expressions of one scheme -> IR, with the kernel's values of its symbols, the
    prologue it collects and the CSE temporaries that hold booleans."""

    def __init__(self, scheme: Scheme, cfg: KernelConfig, form: UpdateForm,
                 layout: StencilLayout) -> None:
        self.scheme, self.cfg, self.form, self.layout = scheme, cfg, form, layout
        self.dt_ = layout.dtype
        self.taken = set(layout.taken)
        self.prologue: list[ir.Stmt] = []
        self.hoisted: dict[sp.Expr, ir.Var] = {}
        # values that depend on the parameters only, computed once per call before the step
        # loop; in SymPy expressions each stands as a Dummy (never equal to a model's symbol)
        self.hoisted_syms: dict[sp.Basic, ir.Expr] = {}
        self.boolean_cse: set[str] = set()
        self.env = self._symbol_values()

    def _symbol_values(self) -> dict[sp.Basic, ir.Expr]:
        scheme, lay, dt_ = self.scheme, self.layout, self.dt_
        env: dict[sp.Basic, ir.Expr] = {}
        for p in scheme.params:
            for name, arg in lay.params:
                if p.name == name:
                    env[p] = ir.Var(arg, dt_)
        spacing_arg = dict(lay.spacings)
        for s in scheme.spacing:
            if s.name in spacing_arg:
                env[s] = ir.Var(spacing_arg[s.name], dt_)
        for d, (_, arg) in zip(lay.coords_used, lay.origins, strict=True):
            env[scheme.coords[d]] = coordinate_value(lay, d, ir.Var(arg, dt_),
                                                     env[scheme.spacing[d]])
        env[scheme.dt] = ir.Var("dt", dt_)
        used = set().union(*[e.free_symbols for e in scheme.update.values()])
        for s_t in used:
            if s_t.name == T_SYM.name and not isinstance(s_t, Read):
                env[s_t] = ir.Var("t", dt_)
        return env

    def lookup(self, s: sp.Basic) -> ir.Expr:
        if isinstance(s, Read):
            return ir.Load(CUR, offset_index(s.offset, self.scheme.fields.index(s.field)),
                           self.dt_)
        if s in self.hoisted_syms:
            return self.hoisted_syms[s]
        if s in self.form.placeholders:
            k, rel = self.form.placeholders[s]
            off = [0] * self.scheme.dim
            off[self.form.interfaces[k].axis] = rel
            return ir.Load(self.layout.scratch[k], offset_index(tuple(off), 0), self.dt_)
        if s in self.env:
            return self.env[s]
        if isinstance(s, sp.Symbol) and s.name.startswith("cse"):
            return ir.Var(s.name, "bool" if s.name in self.boolean_cse else self.dt_)
        raise CodegenError(f"symbol {s} of scheme {self.scheme.name!r} has no value in the "
                           "kernel: list it in the scheme's params")

    def invariant(self, w: sp.Expr) -> ir.Expr:
        """``w`` (parameters only) as a constant, a parameter or a variable of the prologue."""
        if w.is_number:
            return ir.Const(float(w), self.dt_)
        if isinstance(w, sp.Symbol):
            return self.lookup(w)  # a parameter itself: no copy
        if w not in self.hoisted:
            var = ir.Var(safe_name(f"wt{len(self.hoisted)}", self.taken), self.dt_)
            self.prologue.append(ir.Assign(var, sympy_to_ir(w, self.lookup, self.dt_)))
            self.hoisted[w] = var
        return self.hoisted[w]

    def invariant_symbol(self, w: sp.Expr) -> sp.Dummy:
        d = sp.Dummy("wt", real=True)
        self.hoisted_syms[d] = self.invariant(w)
        return d

    def cell_body(self, exprs: list[sp.Expr], stores: list[tuple[str, int]], tag: str
                  ) -> tuple[ir.Stmt, ...]:
        """Assignments for the CSE temporaries and one store per expression."""
        if self.cfg.cse:
            reps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols(f"cse{tag}_"),
                                   order="canonical")
        else:
            reps, reduced = [], exprs
        body: list[ir.Stmt] = []
        for sym, val in reps:
            if isinstance(val, Boolean):  # a condition shared by several Piecewise branches
                self.boolean_cse.add(sym.name)
            body.append(ir.Assign(
                ir.Var(sym.name, "bool" if sym.name in self.boolean_cse else self.dt_),
                sympy_to_ir(val, self.lookup, self.dt_)))
        zero = (0,) * self.scheme.dim
        for (arr, fidx), e in zip(stores, reduced, strict=True):
            body.append(ir.Store(arr, offset_index(zero, fidx),
                                 sympy_to_ir(e, self.lookup, self.dt_)))
        return tuple(body)

    def weighted_body(self, form: Mapping[str, WeightedUpdate]) -> tuple[ir.Stmt, ...]:
        """The sweep's stores in weight form (the weights go to the prologue)."""
        dt_ = self.dt_
        stores: list[ir.Stmt] = []
        for fidx, f in enumerate(self.scheme.fields):
            terms, const = form[f]
            value: ir.Expr | None = None
            for w, group in terms:
                reads = self.lookup(group[0])
                for rd in group[1:]:
                    reads = ir.BinOp("+", reads, self.lookup(rd), dt_)
                term = reads if w == 1 else ir.BinOp("*", self.invariant(w), reads, dt_)
                value = term if value is None else ir.BinOp("+", value, term, dt_)
            assert value is not None  # linear_weight_form returns no update without a read
            if const != 0:
                value = ir.BinOp("+", value, self.invariant(const), dt_)
            stores.append(ir.Store(NXT, offset_index((0,) * self.scheme.dim, fidx), value))
        return tuple(stores)


def lower_sweeps(scheme: Scheme, cfg: KernelConfig, form: UpdateForm, layout: StencilLayout
                 ) -> StencilSweeps:
    """Stage 3: the :class:`StencilSweeps` of ``scheme`` (``cfg`` validated; ``form`` and
    ``layout`` from stages 1 and 2)."""
    low = _Lowering(scheme, cfg, form, layout)
    g, dim = layout.ghost, layout.dim
    interior = interior_ranges(dim, g)
    fluxes = []
    for k, grp in enumerate(form.interfaces):
        ranges = list(interior)
        ranges[grp.axis] = (_ci(g), _add(_iv(f"n{grp.axis}"), _ci(g + 1)))
        coef, rest = (factored_interface_quantity(grp.base, scheme) if cfg.factored_fluxes
                      else (sp.Integer(1), grp.base))
        value = rest if coef == 1 else low.invariant_symbol(coef) * rest
        fluxes.append(FluxSweep(k, grp.field, grp.axis, tuple(ranges),
                                low.cell_body([value], [(layout.scratch[k], 0)], f"f{k}")))
    wall_zeros = tuple(WallZero(k, grp.axis, side)
                       for k, grp in enumerate(form.interfaces) if form.zero_flux_walls
                       for side, b in zip(("low", "high"), cfg.bc[grp.axis], strict=True)
                       if b.zero_flux)
    if form.weights is not None:
        update_body = low.weighted_body(form.weights)
    else:
        update_body = low.cell_body([form.updates[f] for f in scheme.fields],
                                    [(NXT, i) for i in range(len(scheme.fields))], "u")
    prologue: tuple[ir.Stmt, ...] = ()
    if low.prologue:
        prologue = (ir.Comment("values that depend on the parameters only, once per call"),
                    *low.prologue)
    return StencilSweeps(update_body, tuple(fluxes), prologue, wall_zeros, interior)


def wall_zero_nest(wall: WallZero, layout: StencilLayout) -> ir.Stmt:
    """G = 0 at the wall interface: padded index g (low) or n + g (high) along its axis."""
    g = layout.ghost
    ranges = list(interior_ranges(layout.dim, g))
    at = _ci(g) if wall.side == "low" else _add(_iv(f"n{wall.axis}"), _ci(g))
    ranges[wall.axis] = (at, _add(at, _ci(1)))
    return loop_nest((ir.Store(layout.scratch[wall.scratch], offset_index((0,) * layout.dim, 0),
                               ir.Const(0.0, layout.dtype)),), tuple(ranges), False)
