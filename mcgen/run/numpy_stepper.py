"""The NumPy reference: explicit two-level schemes stepped with NumPy, built without the IR.

The scheme's SymPy update is evaluated (by :func:`mcgen.model.numeric.numpy_function`, from the
tree, never ``lambdify``) on shifted views of ghost-padded arrays. It serves two purposes: the
reference that generated kernels are compared against (:func:`oracle_run`), and the fallback
:class:`~mcgen.run.simulation.Simulation` uses when no compiled backend is available
(:class:`NumpyStepper`).

Why it lives in ``run/`` and imports nothing from ``mcgen.codegen``: it is a way to run a scheme
(its users are ``Simulation``, the CLI and the tests), and a reference for the code generator
must not share the code generator's code. What it shares with the kernels are facts of the
model: the ghost-cell rule of each boundary condition (:meth:`BoundaryCondition.ghost`), which
walls are zero-flux walls (:func:`~mcgen.model.boundary.needs_zero_flux_walls`), the flux split
(:mod:`mcgen.model.flux_split`) and what each function means (:mod:`mcgen.model.numeric`).

Zero-flux walls (a Reflecting side of a density or of a conservative scheme) are taken by
correcting the mirror update of the wall cells: with u^(n+1) = u^n + G(j) - G(j + e_d) + rest
(the flux split, checked to add up to the update), the wall flux G that the mirror lets through
is taken back out of the first (or last) cell. The update's time ``t`` is the time of the step
(t0 + n dt), as in the kernels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.boundary import (
    BoundaryCondition,
    GhostCopy,
    GhostGiven,
    GhostSeries,
    GhostValue,
    needs_zero_flux_walls,
    normalize_bc,
)
from mcgen.model.flux_split import check_flux_split, interface_quantities
from mcgen.model.numeric import numpy_function
from mcgen.model.read import Read, reads_of
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import t as T_SYM
from mcgen.run.grid import Grid

BoundarySpec = tuple[tuple[BoundaryCondition, BoundaryCondition], ...]


def normalize_boundary(bc: Any, dim: int) -> BoundarySpec:
    """One ``(low, high)`` pair per axis (:func:`mcgen.model.boundary.normalize_bc`)."""
    return normalize_bc(bc, dim)


def substitute_definitions(expr: sp.Expr, definitions: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """Replace derived parameters (nu, r, lambda) by their physical definitions, matching by
    name so that symbols declared with different assumptions (nu >= 0, nu real) still match."""
    by_name = {k.name: v for k, v in definitions.items()}
    subs = {s: by_name[s.name] for s in expr.free_symbols
            if s.name in by_name and not isinstance(s, Read)}
    return expr.subs(subs) if subs else expr


def pad_axis(a: np.ndarray, axis: int, g: int, lo: BoundaryCondition, hi: BoundaryCondition,
             value_lo: float = 0.0, value_hi: float = 0.0, field: str = "") -> np.ndarray:
    """``a`` (the values of ``field``) with ``g`` ghost layers added on both ends of ``axis``,
    by the boundary conditions' own ghost rules; ``value_lo``/``value_hi`` are the values of
    value-type rules (Dirichlet, Absorbing, DirichletSeries) at this step."""
    n = a.shape[axis]
    parts = []
    for side, b, value in (("low", lo, value_lo), ("high", hi, value_hi)):
        rule = b.ghost(side, field)
        if isinstance(rule, GhostGiven):
            raise ModelError(f"{b!r} marks the inner side of a block whose ghost cells are "
                             "given (mcgen.run.distributed): the NumPy reference pads whole "
                             "grids only; give a physical boundary condition")
        if isinstance(rule, GhostCopy):
            # ghost layers in array order: outermost first on the low side
            ks = range(g - 1, -1, -1) if side == "low" else range(g)
            idx = [rule.source(k, n) for k in ks]
            if min(idx) < 0 or max(idx) >= n:
                raise ModelError(f"{b!r} needs at least {g} cells along axis {axis} (has {n})")
            block = np.take(a, idx, axis=axis)
            parts.append(-block if rule.negate else block)
        else:
            shape = list(a.shape)
            shape[axis] = g
            parts.append(np.full(shape, value, dtype=a.dtype))
    return np.concatenate([parts[0], a, parts[1]], axis=axis)


@dataclass(frozen=True)
class _WallFlux:
    """The interface quantity G of ``field`` along ``axis`` at a zero-flux wall on ``side``."""

    field: str
    axis: int
    side: str
    fn: Callable[..., Any]
    args: tuple[sp.Basic, ...]     # reads (sorted by name), then the other symbols


class NumpyStepper:
    """Advance fields by an explicit two-level scheme with NumPy (the reference).

    Parameters
    ----------
    scheme : an explicit two-level :class:`~mcgen.model.scheme.Scheme`.
    grid : the grid (its spacing supplies dx, dy, dz; its cell centres the coordinates).
    bc : boundary conditions (see :func:`mcgen.model.boundary.normalize_bc`).
    values : numbers for the parameters, by name (``{"a": 1.0}`` or ``{"nu": 0.5}``); a
        parameter without a value is computed from its definition (``nu = a dt/dx``) each step.
    dtype : the floating type to compute in.
    series : the per-step arrays of DirichletSeries sides, by name.
    """

    def __init__(self, scheme: Scheme, grid: Grid, bc: Any, values: dict[str, float],
                 dtype: Any = np.float64, series: dict[str, Any] | None = None) -> None:
        origins = tuple(float(c[0]) for c in grid.centres())
        self._setup(scheme, grid.shape, grid.spacing, origins, bc, values, dtype, series)

    @classmethod
    def on_lattice(cls, scheme: Scheme, shape: tuple[int, ...], bc: Any,
                   values: dict[str, float], spacing: Sequence[float | None] | None = None,
                   origins: Sequence[float] | None = None, dtype: Any = np.float64,
                   series: dict[str, Any] | None = None) -> NumpyStepper:
        """The reference on ``shape`` cells whose first cell sits at ``origins`` with
        ``spacing`` (None: the update does not use that spacing), as the kernels see them."""
        self = cls.__new__(cls)
        dim = len(shape)
        self._setup(scheme, tuple(shape), tuple(spacing or (None,) * dim),
                    tuple(origins or (0.0,) * dim), bc, values, dtype, series)
        return self

    def _setup(self, scheme: Scheme, shape: tuple[int, ...], spacing: tuple[float | None, ...],
               origins: tuple[float, ...], bc: Any, values: dict[str, float], dtype: Any,
               series: dict[str, Any] | None) -> None:
        if not scheme.is_two_level:
            raise ModelError(f"scheme {scheme.name!r} is not explicit two-level: the NumPy "
                             "reference runs u^(n+1) = F(u^n) updates only")
        if scheme.dim != len(shape):
            raise ModelError(f"scheme is {scheme.dim}-D but the grid is {len(shape)}-D")
        self.scheme, self.shape, self.dtype = scheme, shape, dtype
        self.bc = normalize_bc(bc, scheme.dim)
        self.ghost = max(scheme.radius, 1)
        self.fields = scheme.fields
        self._series = dict(series or {})
        for pair in self.bc:
            for b in pair:
                rule = b.ghost("low")
                if isinstance(rule, GhostSeries) and rule.name not in self._series:
                    raise ModelError(f"the DirichletSeries side needs its per-step values: "
                                     f"pass {rule.name}=array")
        # scalars by name: parameters, spacings, dt and the time t (current step)
        self._values = {k: float(v) for k, v in values.items()}
        self._spacing = {s.name: h for s, h in zip(scheme.spacing, spacing, strict=True)
                         if h is not None}
        defs = {k.name: v for k, v in scheme.definitions.items()}
        self._defined: list[tuple[str, Callable[..., Any], list[str]]] = []
        for p in scheme.params:
            if p.name in self._values or p.name == T_SYM.name or p.name not in defs:
                continue
            names = sorted(s.name for s in defs[p.name].free_symbols)
            expr = defs[p.name].xreplace({s: sp.Symbol(s.name) for s in defs[p.name].free_symbols})
            fn = numpy_function(expr, [sp.Symbol(n) for n in names],
                                where=f"the definition of {p.name}")
            self._defined.append((p.name, fn, names))
        # coordinates of the cells (origin + i h), broadcastable to the grid
        self._coords: dict[str, np.ndarray] = {}
        self._origins = dict(zip([c.name for c in scheme.coords], origins, strict=True))
        for d, c in enumerate(scheme.coords):
            h = spacing[d]
            if h is None:
                continue
            sh = [1] * scheme.dim
            sh[d] = shape[d]
            self._coords[c.name] = (origins[d] + np.arange(shape[d]) * h).reshape(sh)
        self._fns: dict[str, tuple[Callable[..., Any], list[sp.Basic]]] = {}
        for f, e in scheme.update.items():
            self._fns[f] = self._compile(e, f"the update of {f}")
        self._walls: list[_WallFlux] = []
        if needs_zero_flux_walls(scheme.reading, scheme.numerical_flux is not None, self.bc):
            updates, groups, placeholders = interface_quantities(dict(scheme.update), scheme,
                                                                 True)
            check_flux_split(scheme, updates, groups, placeholders)
            for grp in groups:
                for side, b in zip(("low", "high"), self.bc[grp.axis], strict=True):
                    if b.zero_flux:
                        fn, args = self._compile(grp.base, f"the flux of {grp.field}")
                        self._walls.append(_WallFlux(grp.field, grp.axis, side, fn,
                                                     tuple(args)))

    def _compile(self, e: sp.Expr, where: str) -> tuple[Callable[..., Any], list[sp.Basic]]:
        """``e`` as a NumPy function of its reads (sorted by name) then its other symbols."""
        rds: list[sp.Basic] = sorted(reads_of(e), key=lambda r: r.name)
        rest = sorted(e.free_symbols - set(rds), key=lambda s: s.name)
        known = set(self._values) | set(self._spacing) | {"dt", T_SYM.name} | \
            set(self._coords) | {n for n, _, _ in self._defined}
        missing = [s.name for s in rest if s.name not in known]
        if missing:
            raise ModelError(f"scheme {self.scheme.name!r} needs values for {missing} in "
                             f"{where}: pass params={{"
                             f"{', '.join(repr(m) + ': ...' for m in missing)}}}")
        return numpy_function(e, [*rds, *rest], where=where), [*rds, *rest]

    # ------------------------------------------------------------------ ghost cells
    def _ghost_value(self, b: BoundaryCondition, side: str, t: float, index: int) -> float:
        rule = b.ghost(side)
        if isinstance(rule, GhostSeries):
            return float(self._series[rule.name][index])
        if isinstance(rule, GhostValue):
            v = rule.value
            if not v.free_symbols:
                return float(v)
            syms = sorted(v.free_symbols, key=lambda s: s.name)
            return float(numpy_function(v, syms, where=f"{b!r}")(*[t] * len(syms)))
        return 0.0

    def pad(self, u: np.ndarray, t: float, field: str = "", index: int = 0) -> np.ndarray:
        """``u`` with the ghost cells of step ``index`` (at time ``t``) around it."""
        out = np.asarray(u, dtype=self.dtype)
        for axis, (lo, hi) in enumerate(self.bc):
            out = pad_axis(out, axis, self.ghost, lo, hi, self._ghost_value(lo, "low", t, index),
                           self._ghost_value(hi, "high", t, index), field)
        return out

    # ------------------------------------------------------------------ stepping
    def _env(self, t: float, dt: float) -> dict[str, Any]:
        env: dict[str, Any] = {**self._spacing, **self._values, "dt": dt, T_SYM.name: t}
        for name, fn, names in self._defined:
            miss = [n for n in names if n not in env]
            if miss:
                raise ModelError(f"parameter {name!r} needs values for {miss}: pass them in "
                                 "params=")
            env[name] = float(fn(*[env[n] for n in names]))
        return env

    def _view(self, padded: np.ndarray, offset: tuple[int, ...], axis: int | None = None,
              at: int = 0) -> np.ndarray:
        g = self.ghost
        idx = [slice(g + k, g + k + n) for k, n in zip(offset, self.shape, strict=True)]
        if axis is not None:  # one layer: the cells whose index along axis is ``at``
            idx[axis] = slice(g + offset[axis] + at, g + offset[axis] + at + 1)
        return padded[tuple(idx)]

    def step(self, state: dict[str, np.ndarray], t: float, dt: float, index: int = 0
             ) -> dict[str, np.ndarray]:
        """One step at time ``t`` (step ``index`` of a run, for DirichletSeries values): the
        new fields (the input arrays are not modified)."""
        padded = {f: self.pad(state[f], t, f, index) for f in self.fields}
        env = {**self._env(t, dt), **self._coords}
        new = {}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # blow-up is detected (and located) by the caller
            for f, (fn, args) in self._fns.items():
                vals = [self._view(padded[a.field], a.offset) if isinstance(a, Read)
                        else env[a.name] for a in args]
                out = np.asarray(fn(*vals), dtype=self.dtype)
                # a fresh array of the grid's shape is kept; a view or a constant is copied
                new[f] = out if out.shape == self.shape and out.base is None else \
                    np.broadcast_to(out, self.shape).copy()
            for wall in self._walls:
                self._take_out_wall_flux(new, padded, env, wall)
        return new

    def _take_out_wall_flux(self, new: dict[str, np.ndarray], padded: dict[str, np.ndarray],
                            env: dict[str, Any], wall: _WallFlux) -> None:
        # G at the wall interface j = 0 (low) or j = n (high), on mirror-padded data
        axis, n = wall.axis, self.shape[wall.axis]
        at = 0 if wall.side == "low" else n
        vals = []
        for a in wall.args:
            if isinstance(a, Read):
                vals.append(self._view(padded[a.field], a.offset, axis, at))
            elif a.name in self._coords and a.name == self.scheme.coords[axis].name:
                vals.append(np.float64(self._origins[a.name] + at * self._spacing[
                    self.scheme.spacing[axis].name]))
            else:
                vals.append(env[a.name])
        flux = np.asarray(wall.fn(*vals), dtype=self.dtype)
        cell = [slice(None)] * len(self.shape)
        cell[axis] = slice(0, 1) if wall.side == "low" else slice(n - 1, n)
        if wall.side == "low":
            new[wall.field][tuple(cell)] -= flux
        else:
            new[wall.field][tuple(cell)] += flux

    def run(self, state: dict[str, np.ndarray], t: float, dt: float, nsteps: int
            ) -> dict[str, np.ndarray]:
        for n in range(nsteps):
            state = self.step(state, t + n * dt, dt, n)
        return state


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
    """Advance ``u`` (one array per field, or an array for a scalar scheme) ``nsteps`` steps
    with the NumPy reference, with the arguments a kernel's ``run`` takes.

    ``params`` give every scheme parameter by name, the spacings (``dx`` ...) and the origins
    (``x0`` ..., the coordinates of the first interior cell) when the update uses coordinates,
    and the value arrays of DirichletSeries sides.
    """
    fields = scheme.fields
    if isinstance(u, dict):
        state = {f: np.array(u[f], dtype=dtype) for f in fields}
    elif len(fields) == 1:
        state = {fields[0]: np.array(u, dtype=dtype)}
    else:
        arr = np.asarray(u, dtype=dtype)
        state = {f: arr[i].copy() for i, f in enumerate(fields)}
    shape = state[fields[0]].shape
    spacing = [params.get(s.name) for s in scheme.spacing]
    origins = [float(params.get(f"{c.name}0", 0.0)) for c in scheme.coords]
    series = {k: v for k, v in params.items() if np.ndim(v) == 1}
    values = {k: float(v) for k, v in params.items()
              if np.ndim(v) == 0 and k not in {s.name for s in scheme.spacing}}
    stepper = NumpyStepper.on_lattice(scheme, shape, bc, values,
                                      [None if h is None else float(h) for h in spacing],
                                      origins, dtype, series)
    state = stepper.run(state, t0, 0.0 if dt is None else float(dt), nsteps)
    if isinstance(u, dict):
        return state
    if len(fields) == 1:
        return state[fields[0]]
    return np.stack([state[f] for f in fields])
