"""A NumPy stepper for explicit two-level schemes, built without the IR.

It evaluates the scheme's SymPy update on shifted views of a ghost-padded array, so it is
independent of the code generator and serves two purposes: the reference that generated kernels
are compared against, and the fallback :class:`~mcgen.run.simulation.Simulation` uses when no
compiled backend is available. Ghost cells follow ``mcgen/codegen/boundary_fill.py``: periodic
wraps, outflow copies the nearest interior value, reflecting is the even mirror about the face,
Dirichlet holds its value (a function of t allowed), absorbing holds 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from mcgen.errors import CodegenError, ModelError
from mcgen.model.boundary import (
    Absorbing,
    BoundaryCondition,
    Dirichlet,
    Outflow,
    Periodic,
    Reflecting,
)
from mcgen.model.read import Read, reads_of
from mcgen.model.symbols import t as T_SYM
from mcgen.run.grid import Grid

BoundarySpec = tuple[tuple[BoundaryCondition, BoundaryCondition], ...]


def normalize_boundary(bc: Any, dim: int) -> BoundarySpec:
    """One condition for every side, one per axis, or ``(low, high)`` pairs per axis (the same
    rules as the kernels: :func:`mcgen.codegen.boundary_fill.normalize_bc`)."""
    from mcgen.codegen.boundary_fill import normalize_bc

    try:
        return normalize_bc(bc, dim)
    except CodegenError as err:  # a model the user declared: report it as a model error
        raise ModelError(str(err)) from None


def substitute_definitions(expr: sp.Expr, definitions: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """Replace derived parameters (nu, r, lambda) by their physical definitions, matching by
    name so that symbols declared with different assumptions (nu >= 0, nu real) still match."""
    by_name = {k.name: v for k, v in definitions.items()}
    subs = {s: by_name[s.name] for s in expr.free_symbols
            if s.name in by_name and not isinstance(s, Read)}
    return expr.subs(subs) if subs else expr


class NumpyStepper:
    """Advance ``u`` by explicit two-level updates with NumPy.

    Parameters
    ----------
    scheme : an explicit two-level :class:`~mcgen.model.scheme.Scheme`.
    grid : the grid (its spacing supplies dx, dy, dz; its centres the coordinates).
    bc : boundary conditions (see :func:`normalize_boundary`).
    values : numbers for every remaining parameter (``{"a": 1.0}``), by name.
    """

    def __init__(self, scheme: Any, grid: Grid, bc: Any, values: dict[str, float]) -> None:
        if not scheme.is_two_level:
            raise ModelError(f"scheme {scheme.name!r} is not explicit two-level: the NumPy "
                             "stepper runs u^(n+1) = F(u^n) updates only")
        if scheme.dim != grid.dim:
            raise ModelError(f"scheme is {scheme.dim}-D but the grid is {grid.dim}-D")
        self.scheme, self.grid = scheme, grid
        self.bc = normalize_boundary(bc, grid.dim)
        self.ghost = max(scheme.radius, 1)
        self.fields = scheme.fields
        spacing = dict(zip([s.name for s in scheme.spacing], grid.spacing, strict=False))
        self._fns: dict[str, tuple[Callable[..., Any], list[Read], list[sp.Symbol]]] = {}
        for f, e in scheme.update.items():
            e = substitute_definitions(e, scheme.definitions)
            rds = sorted(reads_of(e), key=lambda r: r.name)
            rest = sorted(e.free_symbols - set(rds), key=lambda s: s.name)
            known = set(spacing) | {"dt", T_SYM.name} | {c.name for c in scheme.coords}
            missing = [s.name for s in rest if s.name not in known and s.name not in values]
            if missing:
                raise ModelError(f"scheme {scheme.name!r} needs values for {missing}: pass "
                                 f"params={{{', '.join(repr(m) + ': ...' for m in missing)}}}")
            fn = sp.lambdify([*rds, *rest], e, "numpy")
            self._fns[f] = (fn, rds, rest)
        self._spacing = spacing
        self._values = dict(values)
        self._coords = dict(zip([c.name for c in scheme.coords], grid.mesh(), strict=False))
        from mcgen.codegen.boundary_fill import needs_zero_flux_walls
        self._zero_flux_walls = needs_zero_flux_walls(
            scheme.reading, scheme.numerical_flux is not None, self.bc)

    # ------------------------------------------------------------------ ghost cells
    def pad(self, u: np.ndarray, t: float, field: str = "") -> np.ndarray:
        g = self.ghost
        out = u
        for axis, (lo, hi) in enumerate(self.bc):
            width = [(0, 0)] * u.ndim
            if isinstance(lo, Periodic):
                width[axis] = (g, g)
                out = np.pad(out, width, mode="wrap")
                continue
            parts = []
            for side, b in (("low", lo), ("high", hi)):
                w = [(0, 0)] * u.ndim
                w[axis] = (g, 0) if side == "low" else (0, g)
                if isinstance(b, Outflow):
                    parts.append(np.pad(out, w, mode="edge"))
                elif isinstance(b, Reflecting):
                    mirror = np.pad(out, w, mode="symmetric")
                    if field in b.odd:  # a solid wall: this field changes sign in the mirror
                        ghosts = [slice(None)] * u.ndim
                        ghosts[axis] = slice(0, g) if side == "low" else slice(-g, None)
                        mirror[tuple(ghosts)] *= -1
                    parts.append(mirror)
                elif isinstance(b, Dirichlet):
                    v = float(b.value.subs({s: t for s in b.value.free_symbols}))
                    parts.append(np.pad(out, w, mode="constant", constant_values=v))
                elif isinstance(b, Absorbing):
                    parts.append(np.pad(out, w, mode="constant", constant_values=0.0))
                else:
                    raise ModelError(f"boundary condition {b!r} is not supported by the NumPy "
                                     "stepper")
            low_part = np.take(parts[0], range(g), axis=axis)
            high_part = np.take(parts[1], range(parts[1].shape[axis] - g, parts[1].shape[axis]),
                                axis=axis)
            out = np.concatenate([low_part, out, high_part], axis=axis)
        return out

    # ------------------------------------------------------------------ stepping
    def _view(self, padded: np.ndarray, offset: tuple[int, ...]) -> np.ndarray:
        g = self.ghost
        idx = tuple(slice(g + k, g + k + n) for k, n in zip(offset, self.grid.shape, strict=False))
        return padded[idx]

    def step(self, state: dict[str, np.ndarray], t: float, dt: float) -> dict[str, np.ndarray]:
        """One step: returns the new fields (the input arrays are not modified)."""
        if self._zero_flux_walls:
            return self._zero_flux_step(state, t, dt)
        padded = {f: self.pad(state[f], t, f) for f in self.fields}
        env = {**self._spacing, **self._values, **self._coords, "dt": dt, T_SYM.name: t}
        new = {}
        for f, (fn, rds, rest) in self._fns.items():
            args = [self._view(padded[r.field], r.offset) for r in rds]
            args += [env[s.name] for s in rest]
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                val = fn(*args)  # blow-up is detected (and located) by the caller
            new[f] = np.broadcast_to(np.asarray(val, dtype=float), self.grid.shape).copy()
        return new

    def _zero_flux_step(self, state: dict[str, np.ndarray], t: float, dt: float
                        ) -> dict[str, np.ndarray]:
        # reflecting walls of densities and conservative schemes are zero-flux walls, not
        # mirrors: the codegen oracle (also IR-free) implements that meaning, so use it here
        from dataclasses import replace

        from mcgen.codegen.oracle import oracle_run
        physical = replace(self.scheme, params=(), definitions={}, update={
            f: substitute_definitions(e, self.scheme.definitions)
            for f, e in self.scheme.update.items()})
        origins = {f"{c.name}0": float(self.grid.centres()[d][0])
                   for d, c in enumerate(self.scheme.coords)}
        out = oracle_run(physical, dict(state), 1, bc=self.bc, t0=t, dt=dt,
                         **self._spacing, **self._values, **origins)
        return {f: np.asarray(v, dtype=float) for f, v in out.items()}

    def run(self, state: dict[str, np.ndarray], t: float, dt: float, nsteps: int
            ) -> dict[str, np.ndarray]:
        for n in range(nsteps):
            state = self.step(state, t + n * dt, dt)
        return state


def oracle_run(scheme: Any, u0: np.ndarray, grid: Grid, bc: Any, dt: float, nsteps: int,
               values: dict[str, float] | None = None, t0: float = 0.0) -> np.ndarray:
    """Convenience: ``nsteps`` steps of a scalar scheme from ``u0`` (a reference solution)."""
    st = NumpyStepper(scheme, grid, bc, dict(values or {}))
    return st.run({scheme.fields[0]: np.asarray(u0, dtype=float)}, t0, dt, nsteps)[
        scheme.fields[0]]


def as_float_values(values: dict[Any, Any] | None, names: Sequence[str] = ()) -> dict[str, float]:
    """``{"a": 1}`` or ``{a_symbol: 1}`` -> ``{"a": 1.0}``."""
    out = {}
    for k, v in (values or {}).items():
        name = k if isinstance(k, str) else k.name
        try:
            if np.ndim(v) != 0 or np.iscomplexobj(v):
                raise TypeError
            out[name] = float(v)
        except (TypeError, ValueError):
            raise ModelError(f"params[{name!r}] = {v!r}: give a real number") from None
    return out
