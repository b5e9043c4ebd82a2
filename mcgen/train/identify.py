"""Name a learned stencil: the catalogue scheme (and parameter values) whose weights it has.

Exact first: the catalogue weights are set equal to the rational learned weights and solved
exactly (SymPy), respecting each parameter's declared sign. Failing that (noisy data), the
catalogue parameters are fitted to the float weights and accepted when every weight lies inside
its confidence interval. Among matches the scheme with fewest parameters wins (FTCS heat before
central advection-diffusion at nu = 0).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import least_squares

from mcgen.model.catalogue import linear as cat
from mcgen.model.scheme import Scheme

Offset = tuple[int, ...]

CATALOGUE_1D: tuple[Callable[[], Scheme], ...] = (
    cat.ftcs_heat, lambda: cat.upwind(1), lambda: cat.upwind(-1), cat.lax_friedrichs,
    cat.lax_wendroff, cat.beam_warming, cat.ftcs_advection, cat.upwind_advection_diffusion,
    cat.central_advection_diffusion)
CATALOGUE_2D: tuple[Callable[[], Scheme], ...] = (
    cat.ftcs_heat_2d, cat.donor_cell_2d, cat.lax_friedrichs_2d, cat.lax_wendroff_2d)


@dataclass(frozen=True)
class CatalogueMatch:
    """A catalogue scheme whose weights equal the learned ones at ``values``."""

    scheme: Scheme
    values: dict[sp.Symbol, sp.Expr]
    physical: dict[str, float]      # physical coefficients (``{"D": 0.7}``) at the data's dx, dt
    exact: bool                     # exact rational equality (else: within the intervals)
    law_name: str

    def describe(self) -> str:
        vals = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        phys = ", ".join(f"{k} = {v:.10g}" for k, v in self.physical.items())
        how = "exactly" if self.exact else "within the 95% confidence intervals"
        return (f"{self.scheme.name} with {vals} ({how}); it approximates the {self.law_name} "
                f"with {phys}")


@functools.cache
def _catalogue(dim: int) -> tuple[tuple[Scheme, dict[Offset, sp.Expr]], ...]:
    """The catalogue schemes of this dimension with their weights (built once)."""
    return tuple((s, _weights(s)) for s in (make() for make in (CATALOGUE_1D if dim == 1
                                                                  else CATALOGUE_2D)))


def _weights(s: Scheme) -> dict[Offset, sp.Expr]:
    w = s.linear_weights() or {}
    return {(k,) if isinstance(k, int) else k: v for k, v in w.items()}


def _physical(s: Scheme, values: dict[sp.Symbol, sp.Expr], dx: tuple[float, ...], dt: float
              ) -> dict[str, float]:
    grid = {s.dt: dt, **{h: v for h, v in zip(s.spacing, dx, strict=False)}}
    out: dict[str, float] = {}
    for p, defn in s.definitions.items():
        if p not in values:
            continue
        phys = sorted(defn.free_symbols - set(grid), key=lambda q: q.name)
        if len(phys) != 1:
            continue
        sol = sp.solve(sp.Eq(values[p], defn.subs(grid)), phys[0])
        if len(sol) == 1:
            out[phys[0].name] = float(sol[0])
    return out


def match_catalogue(weights: dict[Offset, sp.Rational], float_w: dict[Offset, float],
                    halfwidth: dict[Offset, float], dx: tuple[float, ...], dt: float
                    ) -> CatalogueMatch | None:
    """The simplest catalogue scheme with these weights (see the module docstring)."""
    dim = len(next(iter(weights)))
    found: list[CatalogueMatch] = []
    for s, cw in _catalogue(dim):
        offsets = sorted(set(cw) | set(weights))
        eqs = [cw.get(k, sp.S.Zero) - weights.get(k, sp.S.Zero) for k in offsets]
        params = list(s.params)
        sols = sp.solve(eqs, params, dict=True) if params else ([{}] if all(
            e == 0 for e in eqs) else [])
        sols = [d for d in sols if len(d) == len(params) and all(
            v.is_number and v.is_real and _sign_ok(p, v) for p, v in d.items())]
        exact = bool(sols)
        if not exact:
            near = _float_match(s, cw, offsets, float_w, halfwidth)
            if near is None:
                continue
            sols = [near]
        vals = sols[0]
        law = s.law.name if s.law is not None else "law"
        found.append(CatalogueMatch(s, vals, _physical(s, vals, dx, dt), exact, law))
    if not found:
        return None
    return min(found, key=lambda m: (not m.exact, len(m.scheme.params)))


def _sign_ok(p: sp.Symbol, v: Any) -> bool:
    return not ((p.is_nonnegative and v < 0) or (p.is_nonpositive and v > 0))


def _float_match(s: Scheme, cw: dict[Offset, sp.Expr], offsets: list[Offset],
                 float_w: dict[Offset, float], halfwidth: dict[Offset, float]
                 ) -> dict[sp.Symbol, sp.Expr] | None:
    params = list(s.params)
    if not params:
        return None
    fns = [sp.lambdify(params, cw.get(k, sp.S.Zero), "numpy") for k in offsets]
    target = np.array([float_w.get(k, 0.0) for k in offsets])
    tol = np.array([halfwidth.get(k, 0.0) for k in offsets]) + 1e-12
    if tol.max() <= 1e-11:
        return None  # clean data: only an exact match names a scheme

    def resid(p: np.ndarray) -> np.ndarray:
        return (np.array([float(f(*p)) for f in fns]) - target) / tol

    best = least_squares(resid, x0=np.full(len(params), 0.3))
    if np.abs(resid(best.x)).max() > 1.0:
        return None
    vals = dict(zip(params, (sp.Float(v, 12) for v in best.x), strict=True))
    return vals if all(_sign_ok(p, v) for p, v in vals.items()) else None
