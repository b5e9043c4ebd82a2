"""Certified coarse-grained schemes: a learned flux limiter, TVD and conservative by construction.

From fine-grid solutions (cell averages), block-averaged by ``factor`` in space and sampled every
``time_factor`` steps, learn the coarse scheme

    u_j^{n+1} = u_j - lam (F_{j+1/2} - F_{j-1/2}),
    F_{j+1/2} = f(u_j) + phi(theta_{j+1/2}) a_{j+1/2} (1 - lam a_{j+1/2}) (u_{j+1} - u_j) / 2,

(upwind flux plus a limited Lax-Wendroff correction, for f' >= 0 over the data range; ``a`` the
Roe speed, ``theta = (u_j - u_{j-1}) / (u_{j+1} - u_j)`` the smoothness feature). The limiter
``phi`` is piecewise linear on knots ``theta_i`` in [0, theta_max] (constant beyond, 0 for theta <=
0) and is the only thing learned: the update is linear in its knot values, so the fit is a
bound-constrained linear least-squares problem (``scipy.optimize.lsq_linear``). The bounds are
Sweby's TVD region ``0 <= phi(theta) <= min(2 theta, 2)`` (Harten's theorem under the CFL
condition lam max f' <= 1), imposed at the knots, which suffices because a piecewise-linear
interpolant of values under a concave function stays under it. The flux form makes the update
conservative. No penalty is involved: every admissible point is TVD, and the certificate checks the
rounded knot values exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import lsq_linear

from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder
from mcgen.proof.interval_max import max_abs_on_interval
from mcgen.train.exact_rounding import simplest_rational
from mcgen.train.snapshots import DataError

U = sp.Symbol("u", real=True)


def block_average(u: np.ndarray, factor: int) -> np.ndarray:
    """Cell averages on the grid ``factor`` times coarser (last axis)."""
    n = u.shape[-1]
    if n % factor:
        raise DataError(f"{n} fine cells are not a multiple of the coarsening factor {factor}")
    return u.reshape(*u.shape[:-1], n // factor, factor).mean(axis=-1)


@dataclass(frozen=True)
class CoarseScheme:
    """A learned TVD flux-limited scheme on the coarse grid (periodic), with its certificate."""

    flux: sp.Expr
    knots: tuple[sp.Rational, ...]
    values: tuple[sp.Rational, ...]
    lam: float
    dx: float
    dt: float
    factor: int
    data_range: tuple[float, float]
    certificate: Derivation

    def __post_init__(self) -> None:
        object.__setattr__(self, "_fns", (sp.lambdify(U, self.flux, "numpy"),
                                          sp.lambdify(U, sp.diff(self.flux, U), "numpy")))

    def _f(self) -> tuple[Any, Any]:
        return self._fns  # type: ignore[attr-defined, no-any-return]

    def limiter(self, theta: np.ndarray) -> np.ndarray:
        """phi(theta): piecewise linear on the knots, 0 for theta <= 0, constant beyond."""
        th = np.asarray(theta, dtype=float)
        phi = np.interp(th, [float(k) for k in self.knots], [float(v) for v in self.values])
        return np.where(th > 0, phi, 0.0)

    def step(self, u: np.ndarray, steps: int = 1, phi: Any = None) -> np.ndarray:
        """Advance the coarse solution (periodic) ``steps`` times; ``phi`` overrides the limiter
        (``lambda theta: 0`` gives the upwind / Godunov scheme)."""
        f, fp = self._f()
        lim = self.limiter if phi is None else phi
        lam = self.lam
        for _ in range(steps):
            F = _limited_flux(u, f, fp, lam, lim)
            u = u - lam * (F - np.roll(F, 1))
        return u

    def limited_increment(self, dm: sp.Expr, dp: sp.Expr) -> sp.Expr:
        """phi(theta) * dp with theta = dm / dp, written without the division (so that a
        constant state, dp = 0, gives 0 rather than 0/0): for dp > 0 the piece between knots
        t_i, t_(i+1) contributes slope_i (clamp(dm, t_i dp, t_(i+1) dp) - t_i dp); for dp < 0
        the clamp's bounds swap."""
        pos, neg = sp.S.Zero, sp.S.Zero
        for (t0, v0), (t1, v1) in zip(zip(self.knots, self.values, strict=True),
                                      zip(self.knots[1:], self.values[1:], strict=True),
                                      strict=False):
            slope = (v1 - v0) / (t1 - t0)
            if slope == 0:
                continue
            pos += slope * (sp.Min(sp.Max(dm, t0 * dp), t1 * dp) - t0 * dp)
            neg += slope * (sp.Max(sp.Min(dm, t0 * dp), t1 * dp) - t0 * dp)
        return sp.Piecewise((pos, dp > 0), (neg, True))

    @cached_property
    def scheme(self) -> Scheme:
        """The learned update as a :class:`~mcgen.model.scheme.Scheme` (conservative, forward
        reading) on the coarse grid, with ``lambda = dt/dx``: it runs through Simulation and
        the code generators like any other nonlinear scheme. It carries the certificate, whose
        proved condition (lambda max|f'| <= 1 on the data range, TVD by Harten/Sweby) is what
        Simulation, compile and the export enforce (no ``unsafe=True``)."""
        w = Field("u")
        lam_s = LAM

        def F(um: sp.Expr, u0: sp.Expr, up: sp.Expr) -> sp.Expr:
            uL, uR = sp.Dummy("uL"), sp.Dummy("uR")
            a = sp.cancel((self.flux.subs(U, uR) - self.flux.subs(U, uL)) / (uR - uL))
            a = a.subs({uL: u0, uR: up})
            return self.flux.subs(U, u0) + a * (1 - lam_s * a) / 2 * \
                self.limited_increment(u0 - um, up - u0)

        upd = w[0] - lam_s * (F(w[-1], w[0], w[1]) - F(w[-2], w[-1], w[0]))
        return Scheme(("u",), 1, {"u": upd}, params=(lam_s,), reading="forward",
                      name=f"learned TVD limiter scheme (factor {self.factor})",
                      definitions={lam_s: DT / DX}, certificate=self.certificate)

    def describe(self) -> str:
        pts = ", ".join(f"phi({k}) = {v}" for k, v in zip(self.knots, self.values, strict=True))
        return (f"learned flux limiter for f = {sp.sstr(self.flux)} at factor {self.factor}, "
                f"lam = {self.lam:.4g}: {pts}")


def _roe_speed(u: np.ndarray, f: Any, fp: Any) -> tuple[np.ndarray, np.ndarray]:
    up = np.roll(u, -1)
    du = up - u
    small = np.abs(du) < 1e-14
    a = np.where(small, fp(u) * np.ones_like(u), (f(up) - f(u)) / np.where(small, 1.0, du))
    return a, du


def _theta(du: np.ndarray) -> np.ndarray:
    dm = np.roll(du, 1)
    safe = np.where(du == 0, 1.0, du)
    return np.where(du == 0, 0.0, dm / safe)


def _limited_flux(u: np.ndarray, f: Any, fp: Any, lam: float, lim: Any) -> np.ndarray:
    a, du = _roe_speed(u, f, fp)
    return f(u) * np.ones_like(u) + lim(_theta(du)) * 0.5 * a * (1 - lam * a) * du


def _hat_basis(theta: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """B_i(theta) for i = 1..K-1 (the value at theta = 0 is pinned to 0)."""
    th = np.clip(theta, knots[0], knots[-1])
    out = np.zeros((theta.size, knots.size))
    for i in range(knots.size):
        e = np.zeros(knots.size)
        e[i] = 1.0
        out[:, i] = np.interp(th, knots, e)
    out[theta <= 0, :] = 0.0
    return out[:, 1:]


def coarse_scheme(fine: Any, dx: float, dt: float, factor: int, flux: Any,
                  time_factor: int | None = None, knots: int = 9, theta_max: float = 4.0
                  ) -> CoarseScheme:
    """Learn a TVD, conservative coarse scheme from fine-grid solutions.

    Parameters
    ----------
    fine : fine-grid snapshots ``(T, N)`` or a list of such arrays (one per trajectory),
        periodic in space.
    dx, dt : fine grid and time steps.
    factor : coarsening factor in space (2-8); ``time_factor`` in time (default: the same, so the
        Courant number is kept).
    flux : f(u), a SymPy expression in ``u`` (``a*u``, ``u**2/2``) with f' >= 0 on the data.
    knots, theta_max : the limiter's knots ``linspace(0, theta_max, knots)``.
    """
    trajs = [np.asarray(fine, dtype=float)] if not isinstance(fine, (list, tuple)) else \
        [np.asarray(t, dtype=float) for t in fine]
    if any(t.ndim != 2 or t.shape[0] < 2 for t in trajs):
        raise DataError("fine solutions: give (time, x) arrays with at least two snapshots")
    if any(not np.isfinite(t).all() for t in trajs):
        raise DataError("fine solutions contain NaN/inf")
    if not 1 <= factor:
        raise DataError(f"factor={factor}: give a positive integer")
    tf = factor if time_factor is None else int(time_factor)
    coarse = [block_average(t[::tf], factor) for t in trajs]
    dx_c, dt_c = dx * factor, dt * tf
    lam = dt_c / dx_c
    lo = min(float(c.min()) for c in coarse)
    hi = max(float(c.max()) for c in coarse)
    f_expr = sp.sympify(flux)
    fp_expr = sp.diff(f_expr, U)
    m_r, M_r = (sp.Rational(int(np.floor(lo * 1e6)), 10 ** 6),
                sp.Rational(int(np.ceil(hi * 1e6)), 10 ** 6))
    fmin = sp.minimum(fp_expr, U, sp.Interval(m_r, M_r)) if fp_expr.has(U) else fp_expr
    if fmin < 0:
        raise DataError(f"f'(u) = {fp_expr} takes negative values on the data range [{m_r}, "
                        f"{M_r}]: coarse_scheme handles f' >= 0 (mirror x for f' <= 0)")
    B = max_abs_on_interval(fp_expr, U, m_r, M_r)
    lam_r = simplest_rational(lam, 1e-15 * lam)
    if lam_r * B > 1:
        raise DataError(f"the coarse step breaks the CFL condition: lam max f' = "
                        f"{float(lam_r * B):.4g} > 1 (lower time_factor)")
    f = sp.lambdify(U, f_expr, "numpy")
    fp = sp.lambdify(U, fp_expr, "numpy")
    kn = np.linspace(0.0, theta_max, knots)
    rows, rhs = [], []
    for c in coarse:
        for n in range(c.shape[0] - 1):
            u, nxt = c[n], c[n + 1]
            a, du = _roe_speed(u, f, fp)
            G = 0.5 * a * (1 - lam * a) * du
            Bk = _hat_basis(_theta(du), kn) * G[:, None]
            Fu = f(u) * np.ones_like(u)
            rows.append(-lam * (Bk - np.roll(Bk, 1, axis=0)))
            rhs.append(nxt - (u - lam * (Fu - np.roll(Fu, 1))))
    X, y = np.vstack(rows), np.concatenate(rhs)
    if X.shape[0] < X.shape[1]:
        raise DataError(f"{X.shape[0]} equations for {X.shape[1]} limiter values: too few "
                        "snapshots for the unknowns")
    upper = np.minimum(2 * kn[1:], 2.0)
    res = lsq_linear(X, y, bounds=(np.zeros(kn.size - 1), upper), method="bvls")
    knots_q = tuple(simplest_rational(float(k), 1e-12) for k in kn)
    vals = [sp.Integer(0)]
    for k, v in zip(knots_q[1:], res.x, strict=True):
        q = simplest_rational(float(v), 1e-9)
        vals.append(min(max(q, sp.Integer(0)), sp.Min(2 * k, 2)))   # exactly inside Sweby's set
    cert = _certificate(f_expr, knots_q, tuple(vals), lam_r, B, m_r, M_r, factor)
    return CoarseScheme(f_expr, knots_q, tuple(vals), lam, dx_c, dt_c, factor, (lo, hi), cert)


def _certificate(f: sp.Expr, knots: tuple, vals: tuple, lam: sp.Rational, B: sp.Expr,
                 m: sp.Rational, M: sp.Rational, factor: int) -> Derivation:
    b = DerivationBuilder(f"Learned coarse scheme (factor {factor}) is conservative and TVD",
                          meta={"data_range": (m, M)})
    i0 = b.define(f"F_(j+1/2) = f(u_j) + phi(theta) a (1 - lam a)(u_(j+1) - u_j)/2, f = "
                  f"{sp.sstr(f)}, lam = {lam}, phi piecewise linear through "
                  + ", ".join(f"({k}, {v})" for k, v in zip(knots, vals, strict=True)),
                  "the learned scheme (upwind flux plus a limited Lax-Wendroff correction)")
    i1 = b.step("sum_j (F_(j+1/2) - F_(j-1/2)) = 0 on a periodic grid: mass is conserved",
                "flux form: the sum telescopes", Check("follows"), uses=[i0])
    stmt = sp.And(*[sp.And(v >= 0, v <= sp.Min(2 * k, 2)) for k, v in
                    zip(knots, vals, strict=True)])
    i2 = b.step("0 <= phi(theta_i) <= min(2 theta_i, 2) at every knot",
                "Sweby's TVD region, checked exactly at the rational knot values",
                Check("truth", (stmt,)), uses=[i0])
    i3 = b.step("0 <= phi(theta) <= min(2 theta, 2) for every theta",
                "a piecewise-linear interpolant of values under the concave min(2 theta, 2) "
                "stays under it; phi = 0 for theta <= 0 and constant beyond the last knot "
                "(bound 2 there)", Check("follows"), uses=[i2])
    i4 = b.step(sp.Eq(sp.Symbol("B"), B), f"B = max |f'| on the data range [{m}, {M}] (f' >= 0 "
                "there: the Roe speed a lies in [0, B])",
                Check("max_abs_on_interval", (sp.diff(f, U), U, m, M, B)), uses=[i0])
    cond = Condition(sp.Le(LAM * B, 1), (LAM,), "tvd", "proved", name="CFL (certified TVD)",
                     description=f"lambda * {B} <= 1: TVD and conservative for data in [{m}, "
                     f"{M}] (Harten/Sweby, limiter in the TVD region)",
                     definitions={LAM: DT / DX})
    b.step(cond, "Harten's theorem (Sweby 1984): a flux-limited upwind scheme with the limiter "
           "in the TVD region is TVD under the CFL condition lambda max|a| <= 1 (and keeps a "
           "local maximum principle: the update is a convex combination of u_(j-1), u_j, "
           "u_(j+1))", Check("follows"), uses=[i1, i3, i4])
    b.step(sp.Le(lam * B, 1), f"the data's own step lies in the region: lambda = {lam}",
           Check("truth", (sp.Le(lam * B, 1),)), uses=[i4])
    return b.finish(cond)


def total_variation(u: np.ndarray) -> float:
    """Periodic total variation."""
    return float(np.abs(np.roll(u, -1) - u).sum())
