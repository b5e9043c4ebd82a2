"""Ghost-cell fill for stencil kernels: boundary conditions become IR loops run once per step,
outside the hot sweep, so the sweep itself never wraps or branches.

Layout (shared with the stencil front-end): every field lives in a padded array with ``g`` ghost
cells on each side of each axis (``g`` = the scheme's radius). Interior cell ``i`` of axis ``d``
sits at padded index ``g + i``. Which value a ghost cell gets is the boundary condition's own
rule (:meth:`mcgen.model.boundary.BoundaryCondition.ghost`, tabulated in
``mcgen/model/boundary.py``); this module only lowers those rules to IR loops. The NumPy
reference (``mcgen/run/numpy_stepper.py``) reads the same rules.

Axes are filled in order 0, 1, 2; when axis ``d`` is filled, axes before it run over their full
padded range and axes after it over their interior, so corner ghosts are the ones an axis-by-axis
padding of the array gives (the NumPy reference pads the same way, without the IR).

Reflecting follows the reading (DESIGN.md section 1). For expectations (backward reading) it is
the even mirror, v_x = 0. For densities (forward reading) and for every scheme with a
``numerical_flux`` it is zero flux, b rho - (D rho)_x = 0: the ghost cells are still the even
mirror (interfaces near the wall read them), and the stencil front-end also writes the update as
u_j + G(j) - G(j + e_d) (:func:`~mcgen.model.boundary.needs_zero_flux_walls`) and stores exactly
0 into the interface flux G at each reflecting wall after the fluxes of a step are computed, so
no mass crosses the wall even with drift (the mirror alone lets the advective flux through). A
scheme in which no part of u^(n+1) - u^n telescopes into differences of fluxes keeps the mirror
alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.codegen import ir
from mcgen.codegen.ir import index_const as _i
from mcgen.codegen.ir import index_product as _mul
from mcgen.codegen.ir import index_sum as _add
from mcgen.errors import CodegenError, ModelError
from mcgen.model.boundary import (
    SIDES,
    BoundaryCondition,
    BoundarySpec,
    Dirichlet,
    DirichletSeries,
    GhostCopy,
    GhostGiven,
    GhostSeries,
    GhostValue,
    Reflecting,
    needs_zero_flux_walls,
)
from mcgen.model.boundary import normalize_bc as _normalize_model_bc

__all__ = ["BoundarySpec", "DirichletSeries", "GridNames", "bc_needs_time", "describe_bc",
           "fill_statements", "needs_zero_flux_walls", "normalize_bc", "series_args"]


def normalize_bc(bc: Any, dim: int) -> BoundarySpec:
    """:func:`mcgen.model.boundary.normalize_bc`, its refusals raised as CodegenError (the
    error a caller of the code generator catches)."""
    try:
        return _normalize_model_bc(bc, dim)
    except ModelError as err:
        raise CodegenError(str(err)) from None


def bc_needs_time(spec: BoundarySpec) -> bool:
    """Whether some Dirichlet value depends on t (the kernel then tracks t = t0 + step*dt)."""
    return any(isinstance(b, Dirichlet) and b.value.free_symbols
               for pair in spec for b in pair)


def series_args(spec: BoundarySpec) -> tuple[str, ...]:
    """Names of the per-step value arrays, in a fixed order (axis, side)."""
    names: list[str] = []
    for pair in spec:
        for b in pair:
            if isinstance(b, DirichletSeries) and b.name not in names:
                names.append(ir.ident(b.name))
    return tuple(names)


def describe_bc(spec: BoundarySpec) -> str:
    """One line per axis, for the header of generated code."""
    def word(b: BoundaryCondition) -> str:
        if isinstance(b, Dirichlet):
            return f"Dirichlet({b.value})"
        if isinstance(b, DirichletSeries):
            return f"DirichletSeries({b.name})"
        return type(b).__name__
    return "; ".join(f"axis {d}: low {word(lo)}, high {word(hi)}"
                     for d, (lo, hi) in enumerate(spec))


# ------------------------------------------------------------------------------ IR


@dataclass(frozen=True)
class GridNames:
    """The IR names the front-end uses for the padded layout (so the fill and the sweep agree)."""

    buffer: str            # the array holding the current values
    sizes: tuple[str, ...]     # interior sizes n0, n1, n2
    strides: tuple[str, ...]   # strides S0, S1, S2 (S_last = 1)
    field_stride: str      # PT: cells per field (padded)
    nfields: int
    ghost: int
    dtype: str
    time: str | None       # name of the current time t, when a Dirichlet value needs it
    step: str              # the step counter
    fields: tuple[str, ...] = ()  # field names in layout order (Reflecting(odd=...) walls)


def _value_ir(rule: GhostValue | GhostSeries, names: GridNames) -> ir.Expr:
    """The IR of a value-type ghost rule."""
    from mcgen.codegen.sympy_to_ir import sympy_to_ir

    if isinstance(rule, GhostSeries):
        return ir.Load(rule.name, ir.Var(names.step, "i64"), names.dtype)
    env: dict[sp.Basic, ir.Expr] = {}
    for s in rule.value.free_symbols:
        if names.time is None:
            raise CodegenError("internal: a time-dependent Dirichlet value without t")
        env[s] = ir.Var(names.time, names.dtype)
    return sympy_to_ir(rule.value, env, names.dtype)


def _source_index(rule: GhostCopy, k: ir.Expr, n: ir.Expr, g: int) -> ir.Expr:
    """Padded index along the axis that ghost layer ``k`` copies from: g + offset + step*k +
    from_end*n."""
    out: ir.Expr = _i(g + rule.offset)
    if rule.step == -1:
        out = ir.BinOp("-", out, k, "i64")
    elif rule.step:
        out = _add(out, k if rule.step == 1 else _mul(_i(rule.step), k))
    if rule.from_end:
        out = _add(out, n if rule.from_end == 1 else _mul(_i(rule.from_end), n))
    return out


def _ghost_index(side: str, k: ir.Expr, n: ir.Expr, g: int) -> ir.Expr:
    if side == "low":
        return ir.BinOp("-", _i(g - 1), k, "i64")
    return _add(_add(_i(g), n), k)


def fill_statements(spec: BoundarySpec, names: GridNames) -> tuple[ir.Stmt, ...]:
    """IR that fills every ghost cell of every field for the current step."""
    g = names.ghost
    dim = len(spec)
    if g == 0:
        return ()
    out: list[ir.Stmt] = []
    for d, pair in enumerate(spec):
        for side, b in zip(SIDES, pair, strict=True):
            out.append(ir.Comment(f"ghost cells, axis {d}, {side} side: {type(b).__name__}"))
            k = ir.Var("gk", "i64")
            n_d = ir.Var(names.sizes[d], "i64")
            fields = names.fields or ("",)
            _check_odd(b, fields)
            rules = [b.ghost(side, f) for f in fields]
            if isinstance(rules[0], GhostGiven):  # a Halo side: the caller supplies them
                continue
            copy = rules[0] if isinstance(rules[0], GhostCopy) else None
            # Loop nest: field, then axes in order; axis d runs over the ghost layers.
            loop_vars = [ir.Var(f"g{a}", "i64") for a in range(dim)]
            pos: list[ir.Expr] = []
            for a in range(dim):
                if a == d:
                    pos.append(_ghost_index(side, k, n_d, g))
                else:
                    pos.append(loop_vars[a])
            fvar = ir.Var("gf", "i64")

            def flat(p: list[ir.Expr], fvar: ir.Var = fvar) -> ir.Expr:
                idx: ir.Expr | None = None
                if names.nfields > 1:  # one field: no field loop, no field offset
                    idx = _mul(fvar, ir.Var(names.field_stride, "i64"))
                for a in range(dim):
                    term = p[a] if a == dim - 1 else _mul(p[a], ir.Var(names.strides[a], "i64"))
                    idx = term if idx is None else _add(idx, term)
                assert idx is not None
                return idx

            odd = {i for i, r in enumerate(rules) if isinstance(r, GhostCopy) and r.negate}
            if copy is not None:
                src = list(pos)
                src[d] = _source_index(copy, k, n_d, g)
                body: tuple[ir.Stmt, ...] = (
                    ir.Store(names.buffer, flat(pos),
                             ir.Load(names.buffer, flat(src), names.dtype)),)
            else:
                assert isinstance(rules[0], (GhostValue, GhostSeries))
                body = (ir.Store(names.buffer, flat(pos), _value_ir(rules[0], names)),)
            # innermost first when wrapping
            for a in reversed(range(dim)):
                if a == d:
                    body = (ir.For(k, _i(0), _i(g), body),)
                elif a < d:  # full padded range (corners from earlier axes)
                    body = (ir.For(loop_vars[a], _i(0),
                                   _add(ir.Var(names.sizes[a], "i64"), _i(2 * g)), body),)
                else:
                    body = (ir.For(loop_vars[a], _i(g),
                                   _add(ir.Var(names.sizes[a], "i64"), _i(g)), body),)
            if odd:
                # a solid wall: one nest per field, the odd ones negated in the mirror
                for f in range(names.nfields):
                    one = _bind_field(body, fvar, f) if names.nfields > 1 else body
                    out.extend(_negate_loads(one) if f in odd else one)
                continue
            if names.nfields > 1:
                body = (ir.For(fvar, _i(0), _i(names.nfields), body),)
            out.extend(body)
    return tuple(out)


def _check_odd(b: BoundaryCondition, fields: tuple[str, ...]) -> None:
    """A Reflecting(odd=...) side must name fields of the scheme."""
    if not isinstance(b, Reflecting) or not b.odd:
        return
    unknown = [f for f in b.odd if f not in fields]
    if unknown:
        raise CodegenError(f"Reflecting(odd={b.odd!r}): {unknown} is not a field of the scheme "
                           f"(fields: {[f for f in fields if f]})")


def _bind_field(body: tuple[ir.Stmt, ...], fvar: ir.Var, f: int) -> tuple[ir.Stmt, ...]:
    """``body`` with the field loop variable replaced by the constant ``f``."""
    out: tuple[ir.Stmt, ...] = ir.map_nodes(body, lambda n: _i(f) if n == fvar else n)
    return out


def _negate_loads(body: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    """Mirror copies ``dst = src`` become ``dst = -src``."""
    def negate(n: Any) -> Any:
        if isinstance(n, ir.Store):
            return ir.Store(n.array, n.index, ir.UnOp("neg", n.value, n.value.type))
        return n

    out: tuple[ir.Stmt, ...] = ir.map_nodes(body, negate)
    return out
