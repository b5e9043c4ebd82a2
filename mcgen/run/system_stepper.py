"""NumPy reference stepper for the Euler and shallow-water schemes
(:class:`~mcgen.model.system_scheme.SystemScheme`) in 1-D and 2-D: HLL (Einfeldt speeds), HLLC,
Roe with the Harten-Hyman entropy fix; MUSCL slopes limited in conserved, primitive or
characteristic variables and mapped to conserved slopes with the Jacobian frozen at the cell
centre; the Zhang-Shu scaling that keeps the interface states' density and pressure (depth)
positive; an explicit Runge-Kutta stepper. 2-D is unsplit: each direction is a vectorised 1-D
sweep in the frame (normal, transverse) of that direction.

The positivity-preserving bound (:func:`mcgen.analysis.positivity_systems.positivity_condition`)
is enforced on every stage: dt (sum_d dt S_d / dx_d <= bound) is chosen from the wave speeds of
the interface states, and a stage whose own speeds break the bound restarts the step smaller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from mcgen.analysis.positivity_systems import positivity_bound
from mcgen.errors import ModelError, StabilityError
from mcgen.model.system_scheme import SystemScheme
from mcgen.run.highres_stepper import _MODULES, _limited

__all__ = ["SystemStepper"]


@dataclass
class SystemStepper:
    """Advance a :class:`SystemScheme` on a uniform grid.

    ``n`` cells per axis (an int in 1-D, a pair in 2-D) on ``bounds`` (a pair per axis);
    ``boundary``: ``outflow`` (zero gradient), ``periodic`` or ``reflecting`` (solid wall: the
    mirror state with the normal velocity negated). Arrays are (components, cells...) with x
    the last axis in 1-D and (components, nx, ny) in 2-D.
    """

    scheme: SystemScheme
    n: Any
    bounds: Any = (0.0, 1.0)
    boundary: str = "outflow"
    eps: float = 1e-13
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.boundary not in ("outflow", "periodic", "reflecting"):
            raise ModelError(f"boundary={self.boundary!r}: use 'outflow', 'periodic' or "
                             "'reflecting'")
        self.dim = self.scheme.dim
        shape = (self.n,) if np.isscalar(self.n) else tuple(self.n)
        bnds = (tuple(self.bounds),) if np.isscalar(self.bounds[0]) else tuple(self.bounds)
        if len(shape) != self.dim or len(bnds) != self.dim:
            raise ModelError(f"a {self.dim}-D scheme needs {self.dim} cell counts and bounds, "
                             f"got n={self.n}, bounds={self.bounds}")
        self.shape = tuple(int(v) for v in shape)
        self.spacing = tuple((b - a) / m for (a, b), m in zip(bnds, self.shape, strict=True))
        self.axes = tuple(a + (np.arange(m) + 0.5) * h
                          for (a, _), m, h in zip(bnds, self.shape, self.spacing, strict=True))
        self.dx = self.spacing[0]
        self.x = self.axes[0]
        self.edges = bnds[0][0] + np.arange(self.shape[0] + 1) * self.dx
        self.par = float(self.scheme.parameter)
        self.euler = self.scheme.system == "euler"
        self.k = len(self.scheme.law.fields)
        lim = self.scheme.limiter
        self._phi = None if lim is None else \
            sp.lambdify(lim.r, lim.phi + 0 * lim.r, _MODULES)
        self.bound = positivity_bound(self.scheme)  # None: positivity not proved (Roe)
        self.stats = {"restarts": 0, "steps": 0, "min_density": np.inf, "min_pressure": np.inf}

    # ------------------------------------------------------------------ state conversions
    # component 0 density (depth), 1 normal momentum, 2 transverse momentum (2-D), last energy
    @property
    def _t(self) -> bool:
        return self.dim == 2

    def primitive(self, U: np.ndarray) -> np.ndarray:
        """(rho, u[, v], p) or (h, u[, v])."""
        r = U[0]
        vel = [U[i] / r for i in range(1, 1 + self.dim)]
        if self.euler:
            kin = 0.5 * sum(U[i] * v for i, v in enumerate(vel, 1))
            return np.array([r, *vel, (self.par - 1) * (U[-1] - kin)])
        return np.array([r, *vel])

    def conserved(self, W: np.ndarray) -> np.ndarray:
        r = W[0]
        mom = [r * W[i] for i in range(1, 1 + self.dim)]
        if self.euler:
            kin = 0.5 * sum(m * W[i] for i, m in enumerate(mom, 1))
            return np.array([r, *mom, W[-1] / (self.par - 1) + kin])
        return np.array([r, *mom])

    def _flux(self, U: np.ndarray, W: np.ndarray) -> np.ndarray:
        """Flux in the normal direction (component 1)."""
        u = W[1]
        if self.euler:
            p = W[-1]
            rows = [U[1], U[1] * u + p] + ([U[2] * u] if self._t else []) + [(U[-1] + p) * u]
        else:
            rows = [U[1], U[1] * u + 0.5 * self.par * W[0] ** 2] + ([U[2] * u] if self._t
                                                                   else [])
        return np.array(rows)

    def _sound(self, W: np.ndarray) -> np.ndarray:
        if self.euler:
            return np.sqrt(self.par * W[-1] / W[0])
        return np.sqrt(self.par * W[0])

    # ------------------------------------------------------------------ reconstruction
    def _pad(self, U: np.ndarray, g: int = 2) -> np.ndarray:
        """Ghost cells along the last axis (the sweep direction, normal momentum = 1)."""
        width = [(0, 0)] * (U.ndim - 1) + [(g, g)]
        if self.boundary == "periodic":
            return np.pad(U, width, mode="wrap")
        P = np.pad(U, width, mode="edge" if self.boundary == "outflow" else "symmetric")
        if self.boundary == "reflecting":
            P[1, ..., :g] *= -1
            P[1, ..., -g:] *= -1
        return P

    def _dU_dW(self, W: np.ndarray) -> np.ndarray:
        """dU/dW, shape (..., k, k)."""
        k = self.k
        J = np.zeros(W.shape[1:] + (k, k))
        J[..., 0, 0] = 1
        for i in range(1, 1 + self.dim):
            J[..., i, 0], J[..., i, i] = W[i], W[0]
        if self.euler:
            J[..., -1, 0] = 0.5 * sum(W[i] ** 2 for i in range(1, 1 + self.dim))
            for i in range(1, 1 + self.dim):
                J[..., -1, i] = W[0] * W[i]
            J[..., -1, -1] = 1 / (self.par - 1)
        return J

    def _eigenvectors(self, U: np.ndarray, W: np.ndarray) -> np.ndarray:
        """Right eigenvectors (columns) of the normal flux Jacobian, shape (..., k, k)."""
        c, u = self._sound(W), W[1]
        k = self.k
        R = np.zeros(W.shape[1:] + (k, k))
        # acoustic columns first and last; shear (2-D) and entropy (Euler) in between
        R[..., 0, 0], R[..., 0, -1] = 1, 1
        R[..., 1, 0], R[..., 1, -1] = u - c, u + c
        if self._t:
            v = W[2]
            R[..., 2, 0], R[..., 2, -1] = v, v
        if self.euler:
            Hh = (U[-1] + W[-1]) / W[0]
            q2 = sum(W[i] ** 2 for i in range(1, 1 + self.dim))
            R[..., -1, 0], R[..., -1, -1] = Hh - u * c, Hh + u * c
            R[..., 0, 1], R[..., 1, 1], R[..., -1, 1] = 1, u, 0.5 * q2  # entropy wave
            if self._t:
                R[..., 2, 1] = W[2]
                R[..., 2, 2], R[..., -1, 2] = 1, W[2]  # shear wave
        elif self._t:
            R[..., 2, 1] = 1  # shear wave
        return R

    def _interface_states(self, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(U_L, U_R) at the faces along the last axis."""
        P = self._pad(U)
        if self._phi is None:
            return P[..., 1:-2], P[..., 2:-1]
        d = np.diff(P, axis=-1)
        C = P[..., 1:-1]
        dm, dp = d[..., :-1], d[..., 1:]
        var = self.scheme.variables
        if var == "conserved":
            slope = _limited(self._phi, dm, dp)
        else:
            Wc = self.primitive(C)
            if var == "primitive":
                Wm, Wp = self.primitive(P[..., :-2]), self.primitive(P[..., 2:])
                sW = _limited(self._phi, Wc - Wm, Wp - Wc)
                slope = np.einsum("...ij,j...->i...", self._dU_dW(Wc), sW)
            else:
                R = self._eigenvectors(C, Wc)
                L = np.linalg.inv(R)
                cm = np.einsum("...ij,j...->i...", L, dm)
                cp = np.einsum("...ij,j...->i...", L, dp)
                slope = np.einsum("...ij,j...->i...", R, _limited(self._phi, cm, cp))
        slope = self._positivity_scaling(C, slope)
        plus, minus = C + 0.5 * slope, C - 0.5 * slope
        return plus[..., :-1], minus[..., 1:]

    def _positivity_scaling(self, C: np.ndarray, slope: np.ndarray) -> np.ndarray:
        """Zhang-Shu: shrink each slope until both interface states have density (depth) and
        pressure >= eps; the two states still average to the cell average."""
        eps = self.eps
        theta = np.ones(C.shape[1:])
        for s in (1.0, -1.0):
            r = C[0] + 0.5 * s * slope[0]
            low = (r < eps) & (C[0] > r)
            t = np.where(low, (C[0] - eps) / np.where(low, C[0] - r, 1.0), 1.0)
            theta = np.minimum(theta, np.clip(t, 0.0, 1.0))
        slope = slope * theta
        if not self.euler:
            return slope
        pc = self.primitive(C)[-1]
        theta = np.ones(C.shape[1:])
        for s in (1.0, -1.0):
            p = self.primitive(C + 0.5 * s * slope)[-1]
            low = (p < eps) & (pc > p)
            # p is concave in U: p(U + t (V - U)) >= (1 - t) p(U) + t p(V)
            t = np.where(low, (pc - eps) / np.where(low, pc - p, 1.0), 1.0)
            theta = np.minimum(theta, np.clip(t, 0.0, 1.0))
        return slope * theta

    # ------------------------------------------------------------------ Riemann solvers
    def _roe_average(self, UL: np.ndarray, UR: np.ndarray, WL: np.ndarray, WR: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """(u~, c~, v~, H~) (H~ = 0 for shallow water)."""
        sl, sr = np.sqrt(WL[0]), np.sqrt(WR[0])
        ut = (sl * WL[1] + sr * WR[1]) / (sl + sr)
        vt = (sl * WL[2] + sr * WR[2]) / (sl + sr) if self._t else None
        if self.euler:
            HL, HR = (UL[-1] + WL[-1]) / WL[0], (UR[-1] + WR[-1]) / WR[0]
            Ht = (sl * HL + sr * HR) / (sl + sr)
            q2 = ut * ut + (vt * vt if vt is not None else 0.0)
            ct = np.sqrt(np.maximum((self.par - 1) * (Ht - 0.5 * q2), 0.0))
        else:
            Ht = np.zeros_like(ut)
            ct = np.sqrt(0.5 * self.par * (WL[0] + WR[0]))
        return ut, ct, vt, Ht

    def numerical_flux(self, UL: np.ndarray, UR: np.ndarray) -> tuple[np.ndarray, float]:
        """(F at the faces, max |Einfeldt wave speed|) in the sweep direction."""
        WL, WR = self.primitive(UL), self.primitive(UR)
        FL, FR = self._flux(UL, WL), self._flux(UR, WR)
        ut, ct, vt, Ht = self._roe_average(UL, UR, WL, WR)
        cL, cR = self._sound(WL), self._sound(WR)
        SL = np.minimum(WL[1] - cL, ut - ct)
        SR = np.maximum(WR[1] + cR, ut + ct)
        smax = float(np.max(np.maximum(np.abs(SL), np.abs(SR))))
        kind = self.scheme.flux
        if kind == "roe":
            return self._roe(UL, UR, WL, WR, FL, FR, ut, ct, vt, Ht), smax
        hll = (SR * FL - SL * FR + SL * SR * (UR - UL)) / (SR - SL)
        if kind == "hll":
            return np.where(SL >= 0, FL, np.where(SR <= 0, FR, hll)), smax
        rL, uL, rR, uR = WL[0], WL[1], WR[0], WR[1]
        if self.euler:
            pL, pR = WL[-1], WR[-1]
            Ss = (pR - pL + rL * uL * (SL - uL) - rR * uR * (SR - uR)) / \
                (rL * (SL - uL) - rR * (SR - uR))
        else:
            Ss = (SL * rR * (uR - SR) - SR * rL * (uL - SL)) / (rR * (uR - SR) - rL * (uL - SL))

        def star(U: np.ndarray, W: np.ndarray, S: np.ndarray) -> np.ndarray:
            f = W[0] * (S - W[1]) / (S - Ss)
            rows = [f, f * Ss] + ([f * W[2]] if self._t else [])
            if self.euler:
                E = U[-1] / W[0] + (Ss - W[1]) * (Ss + W[-1] / (W[0] * (S - W[1])))
                rows.append(f * E)
            return np.array(rows)

        FsL = FL + SL * (star(UL, WL, SL) - UL)
        FsR = FR + SR * (star(UR, WR, SR) - UR)
        F = np.where(SL >= 0, FL, np.where(Ss >= 0, FsL, np.where(SR > 0, FsR, FR)))
        return F, smax

    def _roe(self, UL: np.ndarray, UR: np.ndarray, WL: np.ndarray, WR: np.ndarray,
             FL: np.ndarray, FR: np.ndarray, ut: np.ndarray, ct: np.ndarray,
             vt: np.ndarray | None, Ht: np.ndarray) -> np.ndarray:
        dU = UR - UL
        cL, cR = self._sound(WL), self._sound(WR)
        one, zero = np.ones_like(ut), np.zeros_like(ut)
        tv = [vt] if vt is not None else []
        if self.euler:
            dE = dU[-1] - ((dU[2] - vt * dU[0]) * vt if vt is not None else 0.0)
            a2 = (self.par - 1) / ct**2 * ((Ht - ut**2) * dU[0] + ut * dU[1] - dE)
            a1 = (dU[0] * (ut + ct) - dU[1] - ct * a2) / (2 * ct)
            a4 = dU[0] - a1 - a2
            q2 = ut * ut + (vt * vt if vt is not None else 0.0)
            waves = [(ut - ct, np.array([one, ut - ct, *tv, Ht - ut * ct]), a1, 0),
                     (ut, np.array([one, ut, *tv, 0.5 * q2]), a2, None),
                     (ut + ct, np.array([one, ut + ct, *tv, Ht + ut * ct]), a4, 1)]
            if vt is not None:
                waves.append((ut, np.array([zero, zero, one, vt]), dU[2] - vt * dU[0], None))
        else:
            a1 = 0.5 * (dU[0] - (dU[1] - ut * dU[0]) / ct)
            a3 = 0.5 * (dU[0] + (dU[1] - ut * dU[0]) / ct)
            waves = [(ut - ct, np.array([one, ut - ct, *tv]), a1, 0),
                     (ut + ct, np.array([one, ut + ct, *tv]), a3, 1)]
            if vt is not None:
                waves.append((ut, np.array([zero, zero, one]), dU[2] - vt * dU[0], None))
        diss = np.zeros_like(dU)
        fix = float(self.scheme.entropy_fix)
        for lk, rk, ak, acoustic in waves:
            absl = np.abs(lk)
            if acoustic is not None and fix:
                # Harten-Hyman entropy fix on the acoustic fields: smooth |lambda| in a fan
                sgn = -1.0 if acoustic == 0 else 1.0
                lamL, lamR = WL[1] + sgn * cL, WR[1] + sgn * cR
                delta = np.maximum(0.0, np.maximum(lk - lamL, lamR - lk))
                absl = np.where(absl < delta, 0.5 * (lk * lk / np.where(delta > 0, delta, 1.0)
                                                     + delta), absl)
            diss += absl * ak * rk
        return 0.5 * (FL + FR) - 0.5 * diss

    # ------------------------------------------------------------------ the operator
    def _frame(self, U: np.ndarray, axis: int) -> np.ndarray:
        """U seen from direction ``axis``: normal momentum first, sweep axis last."""
        if self.dim == 1:
            return U
        if axis == 0:  # x: cells (nx, ny) -> sweep along x last
            return np.swapaxes(U, 1, 2)
        perm = [0, 2, 1] + list(range(3, self.k))
        return U[perm]

    def _unframe(self, V: np.ndarray, axis: int) -> np.ndarray:
        if self.dim == 1:
            return V
        if axis == 0:
            return np.swapaxes(V, 1, 2)
        perm = [0, 2, 1] + list(range(3, self.k))
        return V[perm]

    def rhs(self, U: np.ndarray) -> tuple[np.ndarray, float]:
        """(L(U), sum_d S_d / dx_d) with S_d the largest wave speed of direction d."""
        out = np.zeros_like(U)
        rate = 0.0
        # an inadmissible state (Roe run unsafe) gives NaN here; the step's admissibility
        # check reports it with its position
        with np.errstate(invalid="ignore", divide="ignore"):
            for axis in range(self.dim):
                V = self._frame(U, axis)
                UL, UR = self._interface_states(V)
                F, smax = self.numerical_flux(UL, UR)
                h = self.spacing[axis]
                out += self._unframe(-(F[..., 1:] - F[..., :-1]) / h, axis)
                rate += smax / h
        return out, rate

    # ------------------------------------------------------------------ time stepping
    def _check_admissible(self, U: np.ndarray, where: str) -> None:
        W = self.primitive(U)
        bad = (W[0] <= 0) | (~np.isfinite(U).all(axis=0))
        if self.euler:
            bad |= W[-1] <= 0
        if bad.any():
            idx = np.unravel_index(int(np.argmax(bad)), bad.shape)
            pos = tuple(float(ax[i]) for ax, i in zip(self.axes, idx, strict=True))
            state = W.reshape(W.shape[0], -1)[:, int(np.argmax(bad))]
            raise StabilityError(f"{where}: inadmissible state at x = {pos} ({state}): "
                                 "negative density/pressure or NaN")

    def _step(self, U: np.ndarray, dt: float, enforce: bool
              ) -> tuple[np.ndarray | None, float]:
        A = np.array(self.scheme.stepper.A, dtype=float)
        b = np.array(self.scheme.stepper.b, dtype=float)
        ks: list[np.ndarray] = []
        for i in range(len(b)):
            stage = U.copy()
            for j in range(i):
                if A[i, j] != 0:
                    stage = stage + dt * A[i, j] * ks[j]
            k, rate = self.rhs(stage)
            if enforce and self.bound is not None and dt * rate > self.bound * (1 + 1e-12):
                return None, rate  # this stage's speeds break the bound: restart smaller
            ks.append(k)
        out = U.copy()
        for i, bi in enumerate(b):
            if bi != 0:
                out = out + dt * bi * ks[i]
        return out, 0.0

    def run(self, U0: np.ndarray, t_end: float, cfl: float | None = None, unsafe: bool = False,
            callback: Callable[[float, np.ndarray], None] | None = None,
            dt: float | None = None) -> np.ndarray:
        """Advance conserved cell averages ``U0`` to ``t_end``.

        dt = ``cfl`` / sum_d (S_d / dx_d), S_d the largest Einfeldt wave speed at the
        interface states of direction d; ``cfl`` defaults to the proved positivity bound, and a
        larger one is refused unless ``unsafe=True`` (needed for Roe, which has no positivity
        proof). A fixed ``dt`` is checked against the bound on every stage instead (an error
        when a stage breaks it, unless ``unsafe=True``).
        """
        U = np.array(U0, dtype=float)
        if U.shape != (self.k, *self.shape):
            raise ModelError(f"initial data of shape {U.shape}: need {(self.k, *self.shape)}")
        self._check_admissible(U, "initial data")
        if self.bound is None and not unsafe:
            raise StabilityError(f"{self.scheme.name}: no positivity-preserving bound is "
                                 "proved (Roe's linearisation can give negative density or "
                                 "pressure); pass cfl= and unsafe=True")
        if cfl is None:
            cfl = self.bound if self.bound is not None else 0.5
        elif self.bound is not None and cfl > self.bound * (1 + 1e-12) and not unsafe:
            raise StabilityError(f"cfl = {cfl} breaks the proved positivity bound "
                                 f"{self.bound}; pass unsafe=True to run it anyway")
        enforce = not unsafe
        t = 0.0
        while t < t_end * (1 - 1e-14):
            if dt is None:
                _, rate = self.rhs(U)
                h = min(cfl / rate, t_end - t)
            else:
                h = min(dt, t_end - t)
            for _ in range(60):
                new, bad_rate = self._step(U, h, enforce)
                if new is not None:
                    break
                if dt is not None:
                    raise StabilityError(f"dt = {dt} breaks the proved positivity bound at "
                                         f"t = {t:.6g}: dt * sum S_d/dx_d = {dt * bad_rate:.4g}"
                                         f" > {self.bound}; pass unsafe=True to run it anyway")
                # restart at the bound for the faster stage (and at least 10% smaller)
                h = min(0.9 * h, 0.999 * cfl / bad_rate)
                self.stats["restarts"] += 1
            else:  # pragma: no cover
                raise StabilityError("no admissible step found")
            U, t = new, t + h
            self.stats["steps"] += 1
            self._check_admissible(U, f"t = {t:.6g}")
            W = self.primitive(U)
            self.stats["min_density"] = min(self.stats["min_density"], float(W[0].min()))
            if self.euler:
                self.stats["min_pressure"] = min(self.stats["min_pressure"], float(W[-1].min()))
            if callback is not None:
                callback(t, U)
        return U
