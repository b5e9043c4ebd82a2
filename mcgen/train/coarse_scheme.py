"""Certified coarse-grained schemes: a learned wide-stencil flux, TVD and conservative by
construction.

From fine-grid solutions (cell averages), block-averaged by ``factor`` in space and sampled every
``time_factor`` steps, learn the coarse scheme u_j' = u_j - lam (F_{j+1/2} - F_{j-1/2}) with
F = f(u_j) + psi m (:mod:`mcgen.train.coarse_basis`): an upwind flux plus an anti-diffusive flux
bounded by Harten's conditions, scaled by psi in [0, 1], a hat-basis function of scale-free
features read from ``width`` (2-5) points on each side. The update is linear in psi's
coefficients, so the fit is a bound-constrained linear least-squares problem
(the normal equations minimised on the box [0, 1]^n by projected Newton,
:mod:`mcgen.train.box_qp`): every admissible point is TVD, conservative
and keeps a local maximum principle, with no penalty involved. The fitted coefficients are rounded
to rationals inside the box and the certificate (:mod:`mcgen.train.coarse_certificate`) checks
them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp
from scipy import sparse

from mcgen.model.flux_split import shift
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.model.symbols import x as X
from mcgen.proof import Derivation
from mcgen.proof.interval_max import max_abs_on_interval
from mcgen.train.box_qp import box_qp
from mcgen.train.coarse_basis import WIDTHS, CoarseBasis, U
from mcgen.train.coarse_certificate import coarse_certificate
from mcgen.train.coarse_unroll import unrolled_refinement
from mcgen.train.exact_rounding import simplest_rational
from mcgen.train.snapshots import DataError

DYADIC = 2 ** 24

__all__ = ["CoarseScheme", "U", "block_average", "coarse_scheme", "total_variation"]


def block_average(u: np.ndarray, factor: int) -> np.ndarray:
    """Cell averages on the grid ``factor`` times coarser (last axis)."""
    n = u.shape[-1]
    if n % factor:
        raise DataError(f"{n} fine cells are not a multiple of the coarsening factor {factor}")
    return u.reshape(*u.shape[:-1], n // factor, factor).mean(axis=-1)


def total_variation(u: np.ndarray) -> float:
    """Periodic total variation."""
    return float(np.abs(np.roll(u, -1) - u).sum())


@dataclass(frozen=True)
class CoarseScheme:
    """A learned TVD scheme on the coarse grid (periodic), with its certificate."""

    basis: CoarseBasis
    coeffs: tuple[sp.Rational, ...]
    lam: float
    dx: float
    dt: float
    factor: int
    data_range: tuple[float, float]
    certificate: Derivation

    @property
    def flux(self) -> sp.Expr:
        return self.basis.flux

    @property
    def width(self) -> int:
        return self.basis.width

    @cached_property
    def _c(self) -> np.ndarray:
        return np.array([float(c) for c in self.coeffs])

    def psi(self, u: np.ndarray) -> np.ndarray:
        """psi_{j+1/2} for every j: the learned fraction of the largest TVD anti-diffusive
        flux (0: upwind / Godunov; in [0, 1] everywhere by construction)."""
        phi = self.basis.design(np.asarray(u, dtype=float), self.lam)
        num = phi @ self._c
        den = phi @ np.ones_like(self._c)        # psi = 1: the bound itself
        return np.where(den != 0, num / np.where(den == 0, 1.0, den), 0.0)

    def step(self, u: np.ndarray, steps: int = 1) -> np.ndarray:
        """Advance the coarse solution (periodic) ``steps`` times at the data's lam."""
        u = np.asarray(u, dtype=float)
        for _ in range(steps):
            F = self.basis.f(u) + self.basis.correction(u, self.lam, self._c)
            u = u - self.lam * (F - np.roll(F, 1))
        return u

    @cached_property
    def scheme(self) -> Scheme:
        """The learned update as a :class:`~mcgen.model.scheme.Scheme` (conservative, forward
        reading) on the coarse grid, with ``lambda = dt/dx``: it runs through Simulation and
        the code generators like any other nonlinear scheme. It carries the certificate, whose
        proved condition (lambda max|f'| <= 1 on the data range, TVD by Harten's theorem) is
        what Simulation, compile and the export enforce (no ``unsafe=True``)."""
        w = Field("u")
        F = self.basis.flux_expr(lambda k: w[k], self.coeffs, LAM)
        # F_(j-1/2) as the renamed F_(j+1/2) (not rebuilt from shifted reads, which SymPy may
        # canonicalise into a different tree): the code generators then find the interface
        # flux by matching the two copies instead of expanding hundreds of hat-basis terms
        upd = w[0] - LAM * (F - shift(F, 0, -1, (X,), (DX,)))
        return Scheme(("u",), 1, {"u": upd}, params=(LAM,), reading="forward",
                      name=f"learned TVD coarse scheme (factor {self.factor}, {self.width} "
                      "points per side)", definitions={LAM: DT / DX},
                      certificate=self.certificate)

    def describe(self) -> str:
        return (f"learned TVD coarse scheme for f = {sp.sstr(self.flux)} at factor "
                f"{self.factor}, lam = {self.lam:.4g}: {self.basis.describe()}")


def _trajectories(fine: Any) -> list[np.ndarray]:
    trajs = [np.asarray(fine, dtype=float)] if not isinstance(fine, (list, tuple)) else \
        [np.asarray(t, dtype=float) for t in fine]
    if any(t.ndim != 2 or t.shape[0] < 2 for t in trajs):
        raise DataError("fine solutions: give (time, x) arrays with at least two snapshots")
    if any(not np.isfinite(t).all() for t in trajs):
        raise DataError("fine solutions contain NaN/inf")
    return trajs


def _smoothing_operator(shape: tuple[int, ...]) -> np.ndarray:
    """First differences between neighbouring knots along every hat axis (rows of D)."""
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    rows = []
    for ax in range(1, len(shape)):
        a = np.moveaxis(idx, ax, -1).reshape(-1, shape[ax])
        rows += [(r[i], r[i + 1]) for r in a for i in range(len(r) - 1)]
    D = np.zeros((len(rows), idx.size))
    for k, (i, j) in enumerate(rows):
        D[k, i], D[k, j] = -1.0, 1.0
    return D


def coarse_scheme(fine: Any, dx: float, dt: float, factor: int, flux: Any,
                  time_factor: int | None = None, width: int = 3, knots: int = 9,
                  feature_knots: int = 5, smoothing: float = 1e-3, horizon: int = 4,
                  unroll: int = 0) -> CoarseScheme:
    """Learn a TVD, conservative coarse scheme from fine-grid solutions.

    Parameters
    ----------
    fine : fine-grid snapshots ``(T, N)`` or a list of such arrays (one per trajectory),
        periodic in space.
    dx, dt : fine grid and time steps.
    factor : coarsening factor in space (2-8); ``time_factor`` in time (default: the same, so the
        Courant number is kept).
    flux : f(u), a SymPy expression in ``u`` (``a*u``, ``u**2/2``) with f' >= 0 on the data.
    width : points on each side of the updated cell that the learned update reads (2-5).
    knots, feature_knots : hat knots on [-1, 1] for the central smoothness ratio and for each
        further feature.
    smoothing : weight of the first-difference prior between neighbouring coefficients (a
        fitting prior for knots the data hardly visit; the TVD constraint is the box, exactly).

    horizon : besides each step's residual, fit the sum of the residuals of ``horizon``
        consecutive steps (1: one-step residuals only). A one-step fit lets errors of one sign
        accumulate over a rollout; the summed rows penalise that drift (in the benchmark,
        horizon 4 lowered the rollout error by 4-22 % against horizon 1).

    unroll : if positive, refine the fitted coefficients on the error of ``unroll``-step
        rollouts of the learned scheme itself (projected Gauss-Newton inside the box,
        :mod:`mcgen.train.coarse_unroll`; every iterate is certified). 0: the linear fit only.

    Each cell's residual is weighted by 1 / (its local variation)^2, so that steep fronts (few
    cells with large residuals) do not set the coefficients that smooth flow uses.
    """
    trajs = _trajectories(fine)
    if not isinstance(factor, (int, np.integer)) or factor < 1:
        raise DataError(f"factor={factor}: give a positive integer")
    if width not in WIDTHS:
        raise DataError(f"width={width}: the learned stencil reads 2 to 5 points per side")
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise DataError(f"horizon={horizon}: give a positive number of steps")
    if not isinstance(unroll, (int, np.integer)) or unroll < 0:
        raise DataError(f"unroll={unroll}: give a number of rollout steps (0: no refinement)")
    if knots < 2 or feature_knots < 2:
        raise DataError("knots and feature_knots: give at least 2 (the hats' end points)")
    tf = factor if time_factor is None else int(time_factor)
    coarse = [block_average(t[::tf], factor) for t in trajs]
    dx_c, dt_c = dx * factor, dt * tf
    lam = dt_c / dx_c
    lo = min(float(c.min()) for c in coarse)
    hi = max(float(c.max()) for c in coarse)
    f_expr = sp.sympify(flux)
    if f_expr.free_symbols - {U}:
        raise DataError(f"flux {f_expr}: write it in the symbol u alone (substitute numbers "
                        f"for {sorted(map(str, f_expr.free_symbols - {U}))})")
    fp_expr = sp.diff(f_expr, U)
    m_r = sp.Rational(int(np.floor(lo * 1e6)), 10 ** 6)
    M_r = sp.Rational(int(np.ceil(hi * 1e6)), 10 ** 6)
    fmin = sp.minimum(fp_expr, U, sp.Interval(m_r, M_r)) if fp_expr.has(U) else fp_expr
    if fmin < 0:
        raise DataError(f"f'(u) = {fp_expr} takes negative values on the data range [{m_r}, "
                        f"{M_r}]: coarse_scheme handles f' >= 0 (mirror x for f' <= 0)")
    B = max_abs_on_interval(fp_expr, U, m_r, M_r)
    lam_r = simplest_rational(lam, 1e-15 * lam)
    if lam_r * B > 1:
        raise DataError(f"the coarse step breaks the CFL condition: lam max f' = "
                        f"{float(lam_r * B):.4g} > 1 (lower time_factor)")
    nonlinear = fp_expr.has(U)
    nu_range = kappa = None
    if nonlinear:
        n0 = simplest_rational(float(lam_r * fmin), 1e-3)
        n1 = simplest_rational(float(lam_r * B), 1e-3)
        nu_range = (n0, n1) if n1 > n0 else None
    basis = CoarseBasis(f_expr, width, knots, feature_knots, nu_range, None)
    if nonlinear:      # the compressions' scale: the largest one in the data
        kmax = max(float(np.abs(lam * (basis.roe(c) - np.roll(basis.roe(c), -1))).max())
                   for c in coarse)
        kappa = simplest_rational(max(kmax, 1e-6), 1e-3 * max(kmax, 1e-6))
        basis = CoarseBasis(f_expr, width, knots, feature_knots, nu_range, kappa)
    Xs, ys, ws = [], [], []
    delta = 1e-3 * max(hi - lo, 1e-12)
    for c in coarse:
        Xt, yt, wt = [], [], []
        for n in range(c.shape[0] - 1):
            u = c[n]
            Phi = basis.design(u, lam)
            Fu = basis.f(u)
            Xt.append(sparse.csr_matrix(-lam * (Phi - np.roll(Phi, 1, axis=0))))
            yt.append(c[n + 1] - (u - lam * (Fu - np.roll(Fu, 1))))
            d = np.abs(np.roll(u, -1) - u)
            wt.append((np.maximum.reduce([d, np.roll(d, 1), np.roll(d, 2)]) + delta) ** -2)
        Xs += Xt
        ys += yt
        ws += wt
        for n in range(len(Xt) - horizon + 1 if horizon > 1 else 0):   # drift rows
            Xs.append(sum(Xt[n:n + horizon], sparse.csr_matrix(Xt[n].shape)))
            ys.append(np.sum(yt[n:n + horizon], axis=0))
            ws.append(wt[n])
    n_eq = sum(y.size for y in ys)
    if n_eq < basis.size:
        raise DataError(f"{n_eq} equations for {basis.size} coefficients: too few "
                        "snapshots for the unknowns (give more data, or lower width / knots)")
    X, y, w = sparse.vstack(Xs).tocsr(), np.concatenate(ys), np.concatenate(ws)
    H = (X.T @ X.multiply(w[:, None])).toarray()
    g = X.T @ (w * y)
    scale = float(np.trace(H)) / basis.size
    if not scale > 0:
        raise DataError("the coarse snapshots have no differences between neighbouring cells "
                        "(constant data): nothing fixes the anti-diffusive flux; give "
                        "solutions with structure")
    Dm = _smoothing_operator(basis.shape)
    H += smoothing * scale * (Dm.T @ Dm) + 1e-10 * scale * np.eye(basis.size)
    c_fit = box_qp(H, g, 0.0, 1.0)       # min c'Hc/2 - g'c on the box [0, 1]^n
    if unroll:
        c_fit, _ = unrolled_refinement(basis, coarse, lam, c_fit, unroll, Dm.T @ Dm, smoothing)
    # on the dyadic grid k / 2^24: exactly inside the box, exact as binary floats (the NumPy
    # rollout and the kernels use the certified numbers), one common denominator
    coeffs = tuple(sp.Rational(int(k), DYADIC) for k in
                   np.clip(np.rint(c_fit * DYADIC), 0, DYADIC))
    cert = coarse_certificate(basis, coeffs, lam_r, B, m_r, M_r, factor)
    return CoarseScheme(basis, coeffs, lam, dx_c, dt_c, factor, (lo, hi), cert)
