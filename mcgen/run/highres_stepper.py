"""The NumPy reference stepper for high-resolution schemes (flux-limited, MUSCL, WENO5) with an
explicit Runge-Kutta stepper: vectorised, built without the IR.

It takes its time step from the proved TVD bound (:func:`mcgen.analysis.tvd.tvd_condition`),
refuses a larger one unless ``unsafe=True``, and checks the declared data range against the
data (never trusted): the global Lax-Friedrichs alpha and the bound are taken over that range.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from mcgen.analysis.flux_bounds import max_abs_derivative
from mcgen.analysis.tvd import muscl_flux, tvd_condition
from mcgen.errors import ModelError, StabilityError
from mcgen.model.boundary import Dirichlet
from mcgen.model.catalogue.conservative import UL, UR
from mcgen.model.highres_boundary import highres_boundary, inflow_values
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.symbols import lam as LAM
from mcgen.proof import Condition
from mcgen.run.numpy_stepper import pad_axis

__all__ = ["HighResStepper", "total_variation", "WENO_EPS"]

WENO_EPS = 1e-6
_MODULES: list[Any] = [{"Max": lambda *a: functools.reduce(np.maximum, a),
                        "Min": lambda *a: functools.reduce(np.minimum, a)}, "numpy"]


def total_variation(u: np.ndarray, periodic: bool = True) -> float:
    """sum |u_{j+1} - u_j| (with the wrap-around difference when periodic)."""
    d = np.diff(np.append(u, u[0])) if periodic else np.diff(u)
    return float(np.abs(d).sum())


def _limited(phi: Callable[[np.ndarray], np.ndarray], num: np.ndarray,
             den: np.ndarray) -> np.ndarray:
    """phi(num/den) * den, with the limit 0 where den = 0 (phi bounded at infinity)."""
    ok = den != 0
    safe = np.where(ok, den, 1.0)
    return np.where(ok, phi(num / safe) * den, 0.0)


def _weno5(v1: np.ndarray, v2: np.ndarray, v3: np.ndarray, v4: np.ndarray,
           v5: np.ndarray) -> np.ndarray:
    """Jiang-Shu fifth-order value at the right face of the v3 cell (upwind from the left)."""
    q0 = (2 * v1 - 7 * v2 + 11 * v3) / 6
    q1 = (-v2 + 5 * v3 + 2 * v4) / 6
    q2 = (2 * v3 + 5 * v4 - v5) / 6
    b0 = 13 / 12 * (v1 - 2 * v2 + v3) ** 2 + 0.25 * (v1 - 4 * v2 + 3 * v3) ** 2
    b1 = 13 / 12 * (v2 - 2 * v3 + v4) ** 2 + 0.25 * (v2 - v4) ** 2
    b2 = 13 / 12 * (v3 - 2 * v4 + v5) ** 2 + 0.25 * (3 * v3 - 4 * v4 + v5) ** 2
    a0 = 0.1 / (WENO_EPS + b0) ** 2
    a1 = 0.6 / (WENO_EPS + b1) ** 2
    a2 = 0.3 / (WENO_EPS + b2) ** 2
    return (a0 * q0 + a1 * q1 + a2 * q2) / (a0 + a1 + a2)


_CONDITIONS: dict[tuple[str, float, float], Condition] = {}


def _proved_condition(scheme: HighResScheme, m: float, M: float) -> Condition:
    """tvd_condition's result, memoised per scheme and range (runs at several sizes share it)."""
    key = (scheme.hash, m, M)
    if key not in _CONDITIONS:
        _CONDITIONS[key] = tvd_condition(scheme, (m, M)).result
    return _CONDITIONS[key]


@dataclass
class HighResStepper:
    """Advance a :class:`HighResScheme` on ``n`` cells of ``[x0, x1]``.

    Parameters
    ----------
    scheme : the scheme.
    n, bounds : the grid (cell centres ``x0 + (j + 1/2) dx``).
    boundary : ``periodic``, ``outflow`` (zero-gradient ghost cells) or ``Dirichlet(v)`` (an
        inflow state v inside the data range), or a ``(low, high)`` pair of them
        (:func:`mcgen.model.highres_boundary.highres_boundary`).
    data_range : (m, M) the data stay in; default the scheme's, else the initial data's range.
    """

    scheme: HighResScheme
    n: int
    bounds: tuple[float, float] = (0.0, 1.0)
    boundary: Any = "periodic"
    data_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        ((self._lo, self._hi),) = highres_boundary(self.boundary, 1)
        if self.n < 8:
            raise ModelError(f"n={self.n}: use at least 8 cells")
        self.dx = (self.bounds[1] - self.bounds[0]) / self.n
        self.x = self.bounds[0] + (np.arange(self.n) + 0.5) * self.dx
        law = self.scheme.law
        self._u = law.fields[0]
        self._f = law.flux[0]
        self.f = sp.lambdify(self._u, self._f + 0 * self._u, "numpy")
        self.ghost = self.scheme.radius
        self._condition: Condition | None = None
        if self.data_range is None and self.scheme.data_range is not None:
            self.data_range = tuple(float(v) for v in self.scheme.data_range)  # type: ignore

    # ------------------------------------------------------------------ set-up from the data
    def _prepare(self, u0: np.ndarray) -> None:
        lo, hi = float(np.min(u0)), float(np.max(u0))
        inflow = inflow_values(((self._lo, self._hi),))
        if self.data_range is None:
            lo_, hi_ = min([lo, *inflow]), max([hi, *inflow])
            self.data_range = (lo_, hi_) if hi_ > lo_ else (lo_ - 1.0, hi_ + 1.0)
        m, M = self.data_range
        tol = 1e-12 * max(1.0, abs(m), abs(M))
        if lo < m - tol or hi > M + tol:
            raise ModelError(f"initial data span [{lo}, {hi}] leaves data_range ({m}, {M}); "
                             "widen data_range (the proved bound holds on that range only)")
        for v in inflow:
            if not m - tol <= v <= M + tol:
                raise ModelError(f"the inflow value {v} leaves data_range ({m}, {M}); widen "
                                 "data_range (the proved bound holds on that range only)")
        mq, Mq = (sp.nsimplify(v, rational=True) for v in (m, M))
        s = self.scheme
        alpha = float(max_abs_derivative(self._f, self._u, mq, Mq))
        if s.reconstruction == "muscl":
            F = muscl_flux(s, mq, Mq)
            self._F = sp.lambdify((UL, UR), F + 0 * UL, _MODULES)
        else:
            fp = sp.diff(self._f, self._u)
            if s.flux == "upwind":
                probe = np.linspace(m, M, 257)
                slope = np.asarray(sp.lambdify(self._u, fp + 0 * self._u)(probe))
                plus = bool(np.all(slope >= 0))
                if not plus and not np.all(slope <= 0):
                    raise ModelError(f"{s.name}: f' changes sign on the data range; use the "
                                     "lax_friedrichs splitting")
                f = self.f
                self._fp = f if plus else (lambda v: 0.0 * v)
                self._fm = (lambda v: 0.0 * v) if plus else f
            else:
                f = self.f
                self._fp = lambda v: 0.5 * (f(v) + alpha * v)
                self._fm = lambda v: 0.5 * (f(v) - alpha * v)
        if s.limiter is not None:
            self._phi = sp.lambdify(s.limiter.r, s.limiter.phi + 0 * s.limiter.r, _MODULES)

    @property
    def condition(self) -> Condition | None:
        """The proved TVD condition on lam = dt/dx (None for WENO5, which has none)."""
        if self._condition is None and self.scheme.reconstruction != "weno5":
            if self.data_range is None:
                raise ModelError("the TVD bound needs the data range: call run() or give "
                                 "data_range=")
            self._condition = _proved_condition(self.scheme, *self.data_range)
        return self._condition

    def max_dt(self) -> float:
        """The largest time step the proved TVD condition allows."""
        cond = self.condition
        if cond is None:
            raise StabilityError(f"{self.scheme.name}: no proved bound (WENO5 is not TVD); "
                                 "give dt= with unsafe=True")
        return cond.max_stable_dt(dx=self.dx)

    # ------------------------------------------------------------------ the operator
    def _pad(self, u: np.ndarray) -> np.ndarray:
        """``u`` with its ghost cells: each side's own ghost rule (mcgen.model.boundary)."""
        lo, hi = (float(b.value) if isinstance(b, Dirichlet) else 0.0
                  for b in (self._lo, self._hi))
        return pad_axis(u, 0, self.ghost, self._lo, self._hi, lo, hi)

    def interface_fluxes(self, u: np.ndarray) -> np.ndarray:
        """F_{j-1/2} for j = 0..n (n + 1 values)."""
        g, n = self.ghost, self.n
        up = self._pad(u)
        k = np.arange(g - 1, g + n)  # interface k + 1/2 between padded cells k and k + 1
        rec = self.scheme.reconstruction
        if rec == "muscl":
            d = np.diff(up)  # d[k] = u[k+1] - u[k]
            left = up[k] + 0.5 * _limited(self._phi, d[k - 1], d[k])
            right = up[k + 1] - 0.5 * _limited(self._phi, d[k + 1], d[k])
            return np.asarray(self._F(left, right), dtype=float) + 0.0 * left
        fp, fm = self._fp(up), self._fm(up)
        if rec == "flux_limited":
            dp, dm = np.diff(fp), np.diff(fm)
            plus = fp[k] + 0.5 * _limited(self._phi, dp[k - 1], dp[k])
            minus = fm[k + 1] - 0.5 * _limited(self._phi, dm[k + 1], dm[k])
            return plus + minus
        plus = _weno5(fp[k - 2], fp[k - 1], fp[k], fp[k + 1], fp[k + 2])
        minus = _weno5(fm[k + 3], fm[k + 2], fm[k + 1], fm[k], fm[k - 1])
        return plus + minus

    def rhs(self, u: np.ndarray) -> np.ndarray:
        """L(u) = -(F_{j+1/2} - F_{j-1/2}) / dx."""
        F = self.interface_fluxes(u)
        return -(F[1:] - F[:-1]) / self.dx

    def step(self, u: np.ndarray, dt: float) -> np.ndarray:
        """One Runge-Kutta step (stage by stage, explicit)."""
        return runge_kutta_step(self.rhs, self.scheme.stepper, u, dt)

    # ------------------------------------------------------------------ driving
    def run(self, u0: Any, t_end: float, cfl: float = 1.0, dt: float | None = None,
            unsafe: bool = False, callback: Callable[[float, np.ndarray], None] | None = None
            ) -> np.ndarray:
        """Advance ``u0`` (array or function of x) to ``t_end``.

        ``dt`` defaults to ``cfl`` times the proved bound; a step above the bound (``cfl > 1``,
        or a ``dt`` that breaks the condition) is refused unless ``unsafe=True``.
        """
        u = np.asarray(u0(self.x) if callable(u0) else u0, dtype=float).copy()
        if u.shape != (self.n,):
            raise ModelError(f"initial data of shape {u.shape}: need ({self.n},)")
        self._prepare(u)
        if dt is None:
            if self.scheme.reconstruction == "weno5":
                raise StabilityError("WENO5 has no proved TVD bound: give dt= and unsafe=True")
            dt = cfl * self.max_dt()
        cond = self.condition
        if not unsafe:
            if cond is None:
                raise StabilityError("WENO5 has no proved TVD bound: pass unsafe=True to run "
                                     "it at a chosen dt")
            if not cond.holds(rtol=1e-12, **{LAM.name: dt / self.dx}):
                raise StabilityError(f"dt = {dt} breaks the proved condition {cond.describe()} "
                                     f"(dx = {self.dx}; the largest dt is {self.max_dt()}); "
                                     "pass unsafe=True to run it anyway")
        if not dt > 0:
            raise StabilityError(f"dt = {dt}: no positive time step ({cond})")
        t = 0.0
        nsteps = max(1, math.ceil(t_end / dt - 1e-12))
        for i in range(nsteps):
            h = min(dt, t_end - t)
            u = self.step(u, h)
            t = t_end if i == nsteps - 1 else t + h
            if not np.all(np.isfinite(u)):
                raise StabilityError(f"non-finite values at t = {t}")
            if callback is not None:
                callback(t, u)
        return u

    def cell_averages(self, fn: Callable[[np.ndarray], np.ndarray], points: int = 5
                      ) -> np.ndarray:
        """Cell averages of ``fn`` by Gauss-Legendre quadrature (for convergence studies)."""
        xg, wg = np.polynomial.legendre.leggauss(points)
        vals = sum(w * np.asarray(fn(self.x + 0.5 * self.dx * xi), dtype=float)
                   for xi, w in zip(xg, wg, strict=True))
        return 0.5 * np.asarray(vals)


def runge_kutta_step(rhs: Callable[[np.ndarray], np.ndarray], stepper: Any, u: np.ndarray,
                     dt: float) -> np.ndarray:
    """One explicit Runge-Kutta step of u' = rhs(u) with ``stepper``'s Butcher tableau (A, b),
    stage by stage; zero coefficients are skipped (the kernels skip them too, so the numbers
    agree to the last bit where the operations do)."""
    A = np.array(stepper.A, dtype=float)
    b = np.array(stepper.b, dtype=float)
    ks: list[np.ndarray] = []
    for i in range(len(b)):
        stage = u.copy()
        for j in range(i):
            if A[i, j] != 0:
                stage += dt * A[i, j] * ks[j]
        ks.append(rhs(stage))
    out = u.copy()
    for i, bi in enumerate(b):
        if bi != 0:
            out += dt * bi * ks[i]
    return out
