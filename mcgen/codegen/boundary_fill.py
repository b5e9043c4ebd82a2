"""Ghost-cell fill for stencil kernels: boundary conditions become IR loops run once per step,
outside the hot sweep, so the sweep itself never wraps or branches.

Layout (shared with the stencil front-end): every field lives in a padded array with ``g`` ghost
cells on each side of each axis (``g`` = the scheme's radius). Interior cell ``i`` of axis ``d``
sits at padded index ``g + i``. Ghost values, per side (``n`` interior cells, ghost layer
``k = 0 .. g-1`` counted outward from the face):

===============  =========================  ================================================
condition        low-side ghost ``g-1-k``   meaning
===============  =========================  ================================================
Periodic         interior ``n-1-k``         the lattice is a ring (both sides periodic)
Dirichlet(v)     ``v`` (a number or ``v(t)``) the value held in the ghost cells (cell-centred)
DirichletSeries  ``values[step]``           a value per step, passed at run time as an array
Outflow          interior ``0``             zero gradient: copy the nearest interior value
Reflecting       interior ``k``             even mirror about the face (v_x = 0); for
                                            densities also zero wall flux (see below)
Absorbing        ``0``                      the value vanishes outside (rho = 0 / payoff 0)
===============  =========================  ================================================

Axes are filled in order 0, 1, 2; when axis ``d`` is filled, axes before it run over their full
padded range and axes after it over their interior, so corner ghosts are the ones an axis-by-axis
padding of the array gives (the oracle pads the same way, without the IR).

Reflecting follows the reading (DESIGN.md section 1). For expectations (backward reading) it is
the even mirror, v_x = 0. For densities (forward reading) and for every scheme with a
``numerical_flux`` it is zero flux, b rho - (D rho)_x = 0: the ghost cells are still the even
mirror (interfaces near the wall read them), and the stencil front-end also writes the update as
u_j + G(j) - G(j + e_d) (:func:`needs_zero_flux_walls`) and stores exactly 0 into the interface
flux G at each reflecting wall after the fluxes of a step are computed, so no mass crosses the
wall even with drift (the mirror alone lets the advective flux through). A scheme in which no
part of u^(n+1) - u^n telescopes into differences of fluxes keeps the mirror alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.codegen import ir
from mcgen.errors import CodegenError
from mcgen.model.boundary import (
    Absorbing,
    BoundaryCondition,
    Dirichlet,
    Outflow,
    Periodic,
    Reflecting,
    as_boundary,
)

SIDES = ("low", "high")


@dataclass(frozen=True)
class DirichletSeries(BoundaryCondition):
    """A Dirichlet value given per step at run time: ``kernel.run(..., **{name: values})`` with
    ``values[n]`` the ghost value during step ``n`` (an array of at least ``nsteps`` numbers)."""

    name: str = "bc_values"

    def __post_init__(self) -> None:
        ir.ident(self.name)

    def meaning(self, reading: str) -> str:
        return f"Dirichlet: the boundary value at step n is {self.name}[n], given at run time"


BoundarySpec = tuple[tuple[BoundaryCondition, BoundaryCondition], ...]


def normalize_bc(bc: Any, dim: int) -> BoundarySpec:
    """One ``(low, high)`` pair of conditions per axis.

    Accepts a single condition or its name (every side), a sequence of ``dim`` entries (each a
    condition for both sides of that axis, or a ``(low, high)`` pair), or a dict keyed by axis
    number or ``(axis, "low"|"high")`` (unnamed sides default to periodic).
    """
    def one(b: Any) -> BoundaryCondition:
        return b if isinstance(b, BoundaryCondition) else as_boundary(b)

    if isinstance(bc, dict):
        sides: list[list[BoundaryCondition]] = [[Periodic(), Periodic()] for _ in range(dim)]
        for key, val in bc.items():
            if isinstance(key, tuple):
                axis, side = key
                if side not in SIDES:
                    raise CodegenError(f"boundary side {side!r}: use 'low' or 'high'")
                _check_axis(axis, dim)
                sides[axis][SIDES.index(side)] = one(val)
            else:
                _check_axis(key, dim)
                sides[key] = [one(val), one(val)]
        spec = tuple((lo, hi) for lo, hi in sides)
    elif isinstance(bc, (str, BoundaryCondition)):
        b = one(bc)
        spec = tuple((b, b) for _ in range(dim))
    elif isinstance(bc, Sequence):
        if len(bc) != dim:
            raise CodegenError(f"bc gives {len(bc)} entries for a {dim}-D scheme: give one "
                               "condition (or a (low, high) pair) per axis")
        out: list[tuple[BoundaryCondition, BoundaryCondition]] = []
        for entry in bc:
            if isinstance(entry, (tuple, list)):
                if len(entry) != 2:
                    raise CodegenError(f"boundary pair {entry!r} must be (low, high)")
                out.append((one(entry[0]), one(entry[1])))
            else:
                out.append((one(entry), one(entry)))
        spec = tuple(out)
    else:
        raise CodegenError(f"bc={bc!r} is not understood: give a condition, its name, one per "
                           "axis, or (low, high) pairs per axis")
    for d, (lo, hi) in enumerate(spec):
        if isinstance(lo, Periodic) != isinstance(hi, Periodic):
            raise CodegenError(f"axis {d} is periodic on one side only ({lo}, {hi}): a ring "
                               "needs both sides periodic")
        for b in (lo, hi):
            if not isinstance(b, (Periodic, Dirichlet, DirichletSeries, Outflow, Reflecting,
                                  Absorbing)):
                raise CodegenError(f"boundary condition {b!r} has no ghost-cell fill")
    return spec


def needs_zero_flux_walls(reading: str, has_numerical_flux: bool,
                          spec: BoundarySpec) -> bool:
    """Whether a Reflecting side of ``spec`` means zero flux through the wall (set the wall's
    interface flux to 0) rather than the even mirror alone: densities (forward reading) and
    schemes in conservative form (a numerical flux); expectations keep v_x = 0."""
    from mcgen.model.readings import FORWARD, normalize_reading

    if not any(is_zero_flux_wall(b) for pair in spec for b in pair):
        return False
    return has_numerical_flux or normalize_reading(reading) == FORWARD


def is_zero_flux_wall(b: Any) -> bool:
    """A Reflecting side without odd fields (a solid wall with odd fields is a mirror image
    whose own flux at the wall is right: nothing is zeroed there)."""
    return isinstance(b, Reflecting) and not b.odd


def _check_axis(axis: Any, dim: int) -> None:
    if not isinstance(axis, int) or not 0 <= axis < dim:
        raise CodegenError(f"boundary axis {axis!r} is not an axis of a {dim}-D scheme")


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
                names.append(b.name)
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


def _i(v: int) -> ir.Const:
    return ir.Const(int(v), "i64")


def _add(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.BinOp("+", a, b, "i64")


def _mul(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.BinOp("*", a, b, "i64")


def _value_ir(b: BoundaryCondition, names: GridNames) -> ir.Expr | None:
    """The ghost value of a value-type condition (None for copy-type conditions)."""
    from mcgen.codegen.sympy_to_ir import sympy_to_ir

    if isinstance(b, Absorbing):
        return ir.Const(0.0, names.dtype)
    if isinstance(b, DirichletSeries):
        return ir.Load(b.name, ir.Var(names.step, "i64"), names.dtype)
    if isinstance(b, Dirichlet):
        env: dict[sp.Symbol, ir.Expr] = {}
        for s in b.value.free_symbols:
            if names.time is None:
                raise CodegenError("internal: a time-dependent Dirichlet value without t")
            env[s] = ir.Var(names.time, names.dtype)
        return sympy_to_ir(b.value, env, names.dtype)
    return None


def _source_index(b: BoundaryCondition, side: str, k: ir.Expr, n: ir.Expr,
                  g: int) -> ir.Expr:
    """Padded index along the axis that ghost layer ``k`` copies from (copy-type conditions)."""
    if side == "low":
        ghost: ir.Expr = ir.BinOp("-", _i(g - 1), k, "i64")
        if isinstance(b, Periodic):
            return _add(ghost, n)
        if isinstance(b, Outflow):
            return _i(g)
        if isinstance(b, Reflecting):
            return _add(_i(g), k)
    else:
        ghost = _add(_add(_i(g), n), k)
        if isinstance(b, Periodic):
            return ir.BinOp("-", ghost, n, "i64")
        if isinstance(b, Outflow):
            return ir.BinOp("-", _add(_i(g), n), _i(1), "i64")
        if isinstance(b, Reflecting):
            return ir.BinOp("-", ir.BinOp("-", _add(_i(g), n), _i(1), "i64"), k, "i64")
    raise CodegenError(f"internal: no source index for {b!r}")


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
            value = _value_ir(b, names)
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

            odd = _odd_fields(b, names)
            if value is None:
                src = list(pos)
                src[d] = _source_index(b, side, k, n_d, g)
                body: tuple[ir.Stmt, ...] = (
                    ir.Store(names.buffer, flat(pos),
                             ir.Load(names.buffer, flat(src), names.dtype)),)
            else:
                body = (ir.Store(names.buffer, flat(pos), value),)
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


def _odd_fields(b: BoundaryCondition, names: GridNames) -> set[int]:
    """Layout indices of the fields a Reflecting(odd=...) side negates."""
    if not isinstance(b, Reflecting) or not b.odd:
        return set()
    fields = names.fields or ()
    unknown = [f for f in b.odd if f not in fields]
    if unknown:
        raise CodegenError(f"Reflecting(odd={b.odd!r}): {unknown} is not a field of the scheme "
                           f"(fields: {list(fields)})")
    return {fields.index(f) for f in b.odd}


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
