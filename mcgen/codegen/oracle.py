"""A reference stepper built without the IR: NumPy evaluates the SymPy update on whole arrays.

Periodic grids use ``np.roll`` (the value at ``j + k`` is ``np.roll(u, -k)``); other boundary
conditions pad each array axis by axis (the ghost values of :mod:`boundary_fill`, computed here
by slicing) and read shifted slices. Nothing here looks at the IR or a backend, so agreement
between a kernel and this oracle checks the whole code-generation path.

Reflecting walls follow the reading as in :mod:`boundary_fill`: the even mirror for expectations;
for densities and conservative schemes also zero flux; ``Reflecting(odd=...)`` (a solid wall of a
system) is the mirror with those fields negated, and nothing is zeroed. The oracle gets zero flux
by correcting the mirror update of the wall cells: with u^(n+1) = u^n + G(j) - G(j + e_d) + rest
(the SymPy split of the update into interface fluxes, checked here to add up to the update), the
wall flux G that the mirror lets through is taken back out of the first (or last) cell.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import sympy as sp

from mcgen.codegen.boundary_fill import (
    DirichletSeries,
    is_zero_flux_wall,
    needs_zero_flux_walls,
    normalize_bc,
)
from mcgen.errors import CodegenError
from mcgen.model.boundary import Absorbing, Dirichlet, Outflow, Periodic, Reflecting
from mcgen.model.read import Read
from mcgen.model.scheme import Scheme


def _pad_axis(a: np.ndarray, axis: int, g: int, lo: Any, hi: Any,
              value_lo: float, value_hi: float, field: str = "") -> np.ndarray:
    """``a`` (the values of ``field``) with ``g`` ghost layers added on both ends of ``axis``
    (sources: ``a`` only)."""
    n = a.shape[axis]

    def take(idx: list[int]) -> np.ndarray:
        return np.take(a, idx, axis=axis)

    def ghost(b: Any, side: str, value: float) -> np.ndarray:
        # ghost layers in array order (outermost first on the low side)
        if isinstance(b, Periodic):
            idx = list(range(n - g, n)) if side == "low" else list(range(g))
            return take(idx)
        if isinstance(b, Outflow):
            return take([0] * g if side == "low" else [n - 1] * g)
        if isinstance(b, Reflecting):
            idx = list(range(g - 1, -1, -1)) if side == "low" else \
                list(range(n - 1, n - 1 - g, -1))
            return -take(idx) if field in b.odd else take(idx)
        if isinstance(b, (Dirichlet, DirichletSeries, Absorbing)):
            shape = list(a.shape)
            shape[axis] = g
            return np.full(shape, value, dtype=a.dtype)
        raise CodegenError(f"the oracle has no ghost rule for {b!r}")

    return np.concatenate([ghost(lo, "low", value_lo), a, ghost(hi, "high", value_hi)],
                          axis=axis)


def _wall_fluxes(scheme: Scheme, spec: Any, args: list) -> list[tuple]:
    """(field, axis, side, G as a NumPy function, G's reads) per reflecting wall of a flux."""
    from mcgen.codegen.stencil_frontend import _shift_all, interface_quantities

    updates, groups, placeholders = interface_quantities(dict(scheme.update), scheme, True)
    for f in scheme.fields:  # the split must add up to the update (it is an identity)
        back = updates[f].xreplace({p: sp.Integer(0) for p in placeholders})
        for k, rel in placeholders.values():
            if groups[k].field == f:
                by = tuple(rel if d == groups[k].axis else 0 for d in range(scheme.dim))
                shifted = _shift_all(groups[k].base, by, scheme)
                back += shifted if rel == 0 else -shifted
        diff = sp.expand(back - scheme.update[f])
        # float weights that cancel up to rounding leave terms with tiny float coefficients
        if any(not (isinstance(c, sp.Float) and abs(c) <= 1e-13)
               for c in (t.as_coeff_Mul()[0] for t in sp.Add.make_args(diff) if t != 0)):
            raise CodegenError(f"internal: the flux split of field {f!r} does not add up")
    out = []
    for grp in groups:
        for side, b in zip(("low", "high"), spec[grp.axis], strict=True):
            if is_zero_flux_wall(b):
                greads = sorted(grp.base.atoms(Read), key=lambda r: r.name)
                fn = sp.lambdify(greads + args[len(scheme.reads):], grp.base, modules="numpy")
                out.append((grp.field, grp.axis, side, fn, greads))
    return out


@overload
def oracle_run(scheme: Scheme, u: dict[str, np.ndarray], nsteps: int,
               bc: Any = ..., t0: float = ..., dt: float | None = ...,
               dtype: Any = ..., **params: Any) -> dict[str, np.ndarray]: ...


@overload
def oracle_run(scheme: Scheme, u: np.ndarray, nsteps: int,
               bc: Any = ..., t0: float = ..., dt: float | None = ...,
               dtype: Any = ..., **params: Any) -> np.ndarray: ...


def oracle_run(scheme: Scheme, u: np.ndarray | dict[str, np.ndarray], nsteps: int,
               bc: Any = "periodic", t0: float = 0.0, dt: float | None = None,
               dtype: Any = np.float64, **params: Any) -> np.ndarray | dict[str, np.ndarray]:
    """Advance ``u`` (one array per field, or an array for a scalar scheme) ``nsteps`` steps.

    ``params`` give every scheme parameter by name, the spacings (``dx`` ...) and the origins
    (``x0`` ...) when the update uses coordinates, and the value arrays of DirichletSeries.
    """
    dim, fields = scheme.dim, scheme.fields
    spec = normalize_bc(bc, dim)
    if isinstance(u, dict):
        state = {f: np.array(u[f], dtype=dtype) for f in fields}
    elif len(fields) == 1:
        state = {fields[0]: np.array(u, dtype=dtype)}
    else:
        arr = np.asarray(u, dtype=dtype)
        state = {f: arr[i].copy() for i, f in enumerate(fields)}
    shape = state[fields[0]].shape
    g = max(scheme.radius, 1)
    all_periodic = all(isinstance(b, Periodic) for pair in spec for b in pair)
    reads = sorted(scheme.reads, key=lambda r: r.name)
    scalars = list(scheme.params) + list(scheme.spacing) + [scheme.dt]
    args = reads + scalars + list(scheme.coords)
    fns = {f: sp.lambdify(args, scheme.update[f], modules="numpy") for f in fields}
    values = {s: params.get(s.name) for s in scalars}
    if dt is not None:
        values[scheme.dt] = dt
    coord_vals = []
    for d, c in enumerate(scheme.coords):
        origin = params.get(f"{c.name}0", 0.0)
        h = values.get(scheme.spacing[d])
        if h is None:
            coord_vals.append(np.zeros(1))
            continue
        sh = [1] * dim
        sh[d] = shape[d]
        coord_vals.append((origin + np.arange(shape[d]) * h).reshape(sh))
    t_sym = [s for pair in spec for b in pair if isinstance(b, Dirichlet)
             for s in b.value.free_symbols]

    def bc_value(b: Any, step: int) -> float:
        if isinstance(b, Absorbing):
            return 0.0
        if isinstance(b, DirichletSeries):
            return float(params[b.name][step])
        if isinstance(b, Dirichlet):
            t = t0 + step * (dt if dt is not None else 0.0)
            return float(b.value.subs({s: t for s in t_sym}))
        return 0.0

    walls = _wall_fluxes(scheme, spec, args) if needs_zero_flux_walls(
        scheme.reading, scheme.numerical_flux is not None, spec) else []

    def coords_at(axis: int, i: int) -> list[np.ndarray]:
        """Coordinates of the cells whose index along ``axis`` is ``i`` (others interior)."""
        out = []
        for d, c in enumerate(coord_vals):
            spacing = values.get(scheme.spacing[d])
            if d != axis or spacing is None:
                out.append(c)
                continue
            origin = params.get(f"{scheme.coords[d].name}0", 0.0)
            sh = [1] * dim
            sh[d] = 1
            out.append(np.full(sh, origin + i * spacing))
        return out

    for step in range(nsteps):
        if all_periodic:
            def value_of(rd: Read, arrays: dict = state) -> np.ndarray:
                return np.roll(arrays[rd.field], tuple(-k for k in rd.offset),
                               axis=tuple(range(dim)))
        else:
            padded = {}
            for f in fields:
                a = state[f]
                for d, (lo, hi) in enumerate(spec):
                    a = _pad_axis(a, d, g, lo, hi, bc_value(lo, step), bc_value(hi, step),
                                  f)
                padded[f] = a

            def value_of(rd: Read, arrays: dict = padded) -> np.ndarray:
                sl = tuple(slice(g + k, g + k + n) for k, n in zip(rd.offset, shape, strict=True))
                return arrays[rd.field][sl]
        inputs = [value_of(r) for r in reads] + [values[s] for s in scalars] + coord_vals
        new = {}
        for f in fields:
            res = fns[f](*inputs)
            new[f] = np.broadcast_to(np.asarray(res, dtype=dtype), shape).copy()
        for f, axis, side, fn, greads in walls:
            # G at the wall interface j = 0 (low) or j = n (high), on mirror-padded data
            i = 0 if side == "low" else shape[axis]
            ins = []
            for r in greads:
                sl = [slice(g + k, g + k + n) for k, n in zip(r.offset, shape, strict=True)]
                sl[axis] = slice(g + r.offset[axis] + i, g + r.offset[axis] + i + 1)
                ins.append(padded[r.field][tuple(sl)])
            flux = np.asarray(fn(*ins, *[values[s] for s in scalars], *coords_at(axis, i)),
                              dtype=dtype)
            cell = [slice(None)] * dim
            cell[axis] = slice(0, 1) if side == "low" else slice(shape[axis] - 1, shape[axis])
            if side == "low":
                new[f][tuple(cell)] -= flux
            else:
                new[f][tuple(cell)] += flux
        state = new
    if isinstance(u, dict):
        return state
    if len(fields) == 1:
        return state[fields[0]]
    return np.stack([state[f] for f in fields])
