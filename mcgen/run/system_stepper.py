"""NumPy reference stepper for the 1-D Euler and shallow-water schemes
(:class:`~mcgen.model.system_scheme.SystemScheme`): HLL (Einfeldt speeds), HLLC, Roe with the
Harten-Hyman entropy fix; MUSCL slopes limited in conserved, primitive or characteristic
variables and mapped to conserved slopes with the Jacobian frozen at the cell centre; the
Zhang-Shu scaling that keeps the interface states' density and pressure (depth) positive; an
explicit Runge-Kutta stepper.

The positivity-preserving bound (:func:`mcgen.analysis.positivity_systems.positivity_condition`)
is enforced on every stage: dt is chosen from the wave speeds of the interface states, and a
stage whose own speeds break the bound makes the step restart with half the step.
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
    """Advance a :class:`SystemScheme` on ``n`` cells of ``bounds``.

    ``boundary``: ``outflow`` (zero gradient), ``periodic`` or ``reflecting`` (solid wall: the
    mirrored state with the velocity negated).
    """

    scheme: SystemScheme
    n: int
    bounds: tuple[float, float] = (0.0, 1.0)
    boundary: str = "outflow"
    eps: float = 1e-13
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.boundary not in ("outflow", "periodic", "reflecting"):
            raise ModelError(f"boundary={self.boundary!r}: use 'outflow', 'periodic' or "
                             "'reflecting'")
        self.dx = (self.bounds[1] - self.bounds[0]) / self.n
        self.x = self.bounds[0] + (np.arange(self.n) + 0.5) * self.dx
        self.edges = self.bounds[0] + np.arange(self.n + 1) * self.dx
        self.par = float(self.scheme.parameter)
        self.euler = self.scheme.system == "euler"
        lim = self.scheme.limiter
        self._phi = None if lim is None else \
            sp.lambdify(lim.r, lim.phi + 0 * lim.r, _MODULES)
        self.bound = positivity_bound(self.scheme)  # None: positivity not proved (Roe)
        self.stats = {"restarts": 0, "steps": 0, "min_density": np.inf, "min_pressure": np.inf}

    # ------------------------------------------------------------------ state conversions
    def primitive(self, U: np.ndarray) -> np.ndarray:
        """(rho, u, p) or (h, u)."""
        if self.euler:
            r, m, E = U
            u = m / r
            return np.array([r, u, (self.par - 1) * (E - 0.5 * m * u)])
        h, q = U
        return np.array([h, q / h])

    def conserved(self, W: np.ndarray) -> np.ndarray:
        if self.euler:
            r, u, p = W
            return np.array([r, r * u, p / (self.par - 1) + 0.5 * r * u * u])
        h, u = W
        return np.array([h, h * u])

    def flux(self, U: np.ndarray, W: np.ndarray) -> np.ndarray:
        if self.euler:
            r, u, p = W
            return np.array([U[1], U[1] * u + p, (U[2] + p) * u])
        h, u = W
        return np.array([U[1], U[1] * u + 0.5 * self.par * h * h])

    def sound(self, W: np.ndarray) -> np.ndarray:
        if self.euler:
            return np.sqrt(self.par * W[2] / W[0])
        return np.sqrt(self.par * W[0])

    # ------------------------------------------------------------------ reconstruction
    def _pad(self, U: np.ndarray, g: int = 2) -> np.ndarray:
        if self.boundary == "periodic":
            return np.pad(U, ((0, 0), (g, g)), mode="wrap")
        P = np.pad(U, ((0, 0), (g, g)), mode="edge" if self.boundary == "outflow" else
                   "symmetric")
        if self.boundary == "reflecting":
            P[1, :g] *= -1
            P[1, -g:] *= -1
        return P

    def _jacobian_dU_dW(self, W: np.ndarray) -> np.ndarray:
        """dU/dW at each cell, shape (n, k, k)."""
        nc = W.shape[1]
        if self.euler:
            r, u, _ = W
            J = np.zeros((nc, 3, 3))
            J[:, 0, 0] = 1
            J[:, 1, 0], J[:, 1, 1] = u, r
            J[:, 2, 0], J[:, 2, 1], J[:, 2, 2] = 0.5 * u * u, r * u, 1 / (self.par - 1)
            return J
        h, u = W
        J = np.zeros((nc, 2, 2))
        J[:, 0, 0] = 1
        J[:, 1, 0], J[:, 1, 1] = u, h
        return J

    def _eigenvectors(self, U: np.ndarray, W: np.ndarray) -> np.ndarray:
        """Right eigenvectors of the conserved flux Jacobian, columns, shape (n, k, k)."""
        c = self.sound(W)
        u = W[1]
        if self.euler:
            Hh = (U[2] + W[2]) / W[0]
            R = np.empty((U.shape[1], 3, 3))
            R[:, 0, :] = 1
            R[:, 1, 0], R[:, 1, 1], R[:, 1, 2] = u - c, u, u + c
            R[:, 2, 0], R[:, 2, 1], R[:, 2, 2] = Hh - u * c, 0.5 * u * u, Hh + u * c
            return R
        R = np.empty((U.shape[1], 2, 2))
        R[:, 0, :] = 1
        R[:, 1, 0], R[:, 1, 1] = u - c, u + c
        return R

    def interface_states(self, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(U_L, U_R) at the n + 1 faces."""
        P = self._pad(U)
        if self._phi is None:
            return P[:, 1:-2], P[:, 2:-1]
        d = np.diff(P, axis=1)  # d[:, k] = P[:, k+1] - P[:, k]; cells 1..n+2 have both sides
        C = P[:, 1:-1]  # cells that own a face of the interior: padded 1 .. n + 2
        dm, dp = d[:, :-1], d[:, 1:]
        var = self.scheme.variables
        if var == "conserved":
            slope = _limited(self._phi, dm, dp)
        else:
            Wc = self.primitive(C)
            if var == "primitive":
                Wm, Wp = self.primitive(P[:, :-2]), self.primitive(P[:, 2:])
                sW = _limited(self._phi, Wc - Wm, Wp - Wc)
                J = self._jacobian_dU_dW(Wc)
                slope = np.einsum("nij,jn->in", J, sW)
            else:
                R = self._eigenvectors(C, Wc)
                L = np.linalg.inv(R)
                cm, cp = np.einsum("nij,jn->in", L, dm), np.einsum("nij,jn->in", L, dp)
                slope = np.einsum("nij,jn->in", R, _limited(self._phi, cm, cp))
        slope = self._positivity_scaling(C, slope)
        plus, minus = C + 0.5 * slope, C - 0.5 * slope
        return plus[:, :-1], minus[:, 1:]

    def _positivity_scaling(self, C: np.ndarray, slope: np.ndarray) -> np.ndarray:
        """Zhang-Shu: shrink each slope towards 0 until both interface states have density
        (depth) and pressure >= eps; the two states still average to the cell average."""
        eps = self.eps
        theta = np.ones(C.shape[1])
        for s in (1.0, -1.0):
            r = C[0] + 0.5 * s * slope[0]
            low = (r < eps) & (C[0] > r)
            t = np.where(low, (C[0] - eps) / np.where(low, C[0] - r, 1.0), 1.0)
            theta = np.minimum(theta, np.clip(t, 0.0, 1.0))
        slope = slope * theta
        if not self.euler:
            return slope
        pc = self.primitive(C)[2]
        theta = np.ones(C.shape[1])
        for s in (1.0, -1.0):
            p = self.primitive(C + 0.5 * s * slope)[2]
            low = (p < eps) & (pc > p)
            # p is concave in U: p(U + t (V - U)) >= (1 - t) p(U) + t p(V)
            t = np.where(low, (pc - eps) / np.where(low, pc - p, 1.0), 1.0)
            theta = np.minimum(theta, np.clip(t, 0.0, 1.0))
        return slope * theta

    # ------------------------------------------------------------------ Riemann solvers
    def _speeds(self, UL: np.ndarray, UR: np.ndarray, WL: np.ndarray, WR: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Einfeldt's S_L, S_R and the Roe averages (u~, c~)."""
        sl, sr = np.sqrt(WL[0]), np.sqrt(WR[0])
        ut = (sl * WL[1] + sr * WR[1]) / (sl + sr)
        if self.euler:
            HL, HR = (UL[2] + WL[2]) / WL[0], (UR[2] + WR[2]) / WR[0]
            Ht = (sl * HL + sr * HR) / (sl + sr)
            ct = np.sqrt(np.maximum((self.par - 1) * (Ht - 0.5 * ut * ut), 0.0))
        else:
            ct = np.sqrt(0.5 * self.par * (WL[0] + WR[0]))
        cL, cR = self.sound(WL), self.sound(WR)
        SL = np.minimum(WL[1] - cL, ut - ct)
        SR = np.maximum(WR[1] + cR, ut + ct)
        return SL, SR, ut, ct

    def numerical_flux(self, UL: np.ndarray, UR: np.ndarray) -> tuple[np.ndarray, float]:
        """(F at the faces, max |wave speed|)."""
        WL, WR = self.primitive(UL), self.primitive(UR)
        FL, FR = self.flux(UL, WL), self.flux(UR, WR)
        SL, SR, ut, ct = self._speeds(UL, UR, WL, WR)
        smax = float(np.max(np.maximum(np.abs(SL), np.abs(SR))))
        kind = self.scheme.flux
        if kind == "roe":
            return self._roe(UL, UR, WL, WR, FL, FR, ut, ct), smax
        hll = (SR * FL - SL * FR + SL * SR * (UR - UL)) / (SR - SL)
        if kind == "hll":
            F = np.where(SL >= 0, FL, np.where(SR <= 0, FR, hll))
            return F, smax
        rL, uL, rR, uR = WL[0], WL[1], WR[0], WR[1]
        if self.euler:
            pL, pR = WL[2], WR[2]
            Ss = (pR - pL + rL * uL * (SL - uL) - rR * uR * (SR - uR)) / \
                (rL * (SL - uL) - rR * (SR - uR))
        else:
            Ss = (SL * rR * (uR - SR) - SR * rL * (uL - SL)) / (rR * (uR - SR) - rL * (uL - SL))

        def star(U: np.ndarray, W: np.ndarray, S: np.ndarray) -> np.ndarray:
            f = W[0] * (S - W[1]) / (S - Ss)
            if self.euler:
                E = U[2] / W[0] + (Ss - W[1]) * (Ss + W[2] / (W[0] * (S - W[1])))
                return np.array([f, f * Ss, f * E])
            return np.array([f, f * Ss])

        FsL = FL + SL * (star(UL, WL, SL) - UL)
        FsR = FR + SR * (star(UR, WR, SR) - UR)
        F = np.where(SL >= 0, FL, np.where(Ss >= 0, FsL, np.where(SR > 0, FsR, FR)))
        return F, smax

    def _roe(self, UL: np.ndarray, UR: np.ndarray, WL: np.ndarray, WR: np.ndarray,
             FL: np.ndarray, FR: np.ndarray, ut: np.ndarray, ct: np.ndarray) -> np.ndarray:
        dU = UR - UL
        cL, cR = self.sound(WL), self.sound(WR)
        if self.euler:
            sl, sr = np.sqrt(WL[0]), np.sqrt(WR[0])
            HL, HR = (UL[2] + WL[2]) / WL[0], (UR[2] + WR[2]) / WR[0]
            Ht = (sl * HL + sr * HR) / (sl + sr)
            a2 = (self.par - 1) / ct**2 * ((Ht - ut**2) * dU[0] + ut * dU[1] - dU[2])
            a1 = (dU[0] * (ut + ct) - dU[1] - ct * a2) / (2 * ct)
            a3 = dU[0] - a1 - a2
            lam = [ut - ct, ut, ut + ct]
            vecs = [np.array([np.ones_like(ut), ut - ct, Ht - ut * ct]),
                    np.array([np.ones_like(ut), ut, 0.5 * ut * ut]),
                    np.array([np.ones_like(ut), ut + ct, Ht + ut * ct])]
            alphas = [a1, a2, a3]
            lamL = [WL[1] - cL, WL[1], WL[1] + cL]
            lamR = [WR[1] - cR, WR[1], WR[1] + cR]
        else:
            a1 = 0.5 * (dU[0] - (dU[1] - ut * dU[0]) / ct)
            a2 = 0.5 * (dU[0] + (dU[1] - ut * dU[0]) / ct)
            lam = [ut - ct, ut + ct]
            vecs = [np.array([np.ones_like(ut), ut - ct]), np.array([np.ones_like(ut), ut + ct])]
            alphas = [a1, a2]
            lamL, lamR = [WL[1] - cL, WL[1] + cL], [WR[1] - cR, WR[1] + cR]
        diss = np.zeros_like(dU)
        for k, (lk, rk, ak) in enumerate(zip(lam, vecs, alphas, strict=True)):
            # Harten-Hyman entropy fix: smooth |lambda| inside a transonic fan
            delta = np.maximum(0.0, np.maximum(lk - lamL[k], lamR[k] - lk)) * \
                float(self.scheme.entropy_fix)
            absl = np.abs(lk)
            fixed = np.where(absl < delta, 0.5 * (lk * lk / np.where(delta > 0, delta, 1.0)
                                                 + delta), absl)
            diss += fixed * ak * rk
        return 0.5 * (FL + FR) - 0.5 * diss

    # ------------------------------------------------------------------ time stepping
    def rhs(self, U: np.ndarray) -> tuple[np.ndarray, float]:
        # an inadmissible state (Roe run unsafe) gives NaN here; the step's admissibility check
        # reports it with its position
        with np.errstate(invalid="ignore", divide="ignore"):
            UL, UR = self.interface_states(U)
            F, smax = self.numerical_flux(UL, UR)
        return -(F[:, 1:] - F[:, :-1]) / self.dx, smax

    def _check_admissible(self, U: np.ndarray, where: str) -> None:
        W = self.primitive(U)
        bad = (W[0] <= 0) | (~np.isfinite(U).all(axis=0))
        if self.euler:
            bad |= W[2] <= 0
        if bad.any():
            j = int(np.argmax(bad))
            raise StabilityError(f"{where}: inadmissible state at x = {self.x[j]:.4g} "
                                 f"({W[:, j]}): negative density/pressure or NaN")

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
            k, smax = self.rhs(stage)
            if enforce and self.bound is not None and dt * smax > self.bound * self.dx * \
                    (1 + 1e-12):
                return None, smax  # this stage's speeds break the bound: restart smaller
            ks.append(k)
        out = U.copy()
        for i, bi in enumerate(b):
            if bi != 0:
                out = out + dt * bi * ks[i]
        return out, 0.0

    def run(self, U0: np.ndarray, t_end: float, cfl: float | None = None, unsafe: bool = False,
            callback: Callable[[float, np.ndarray], None] | None = None) -> np.ndarray:
        """Advance conserved cell averages ``U0`` (shape (k, n)) to ``t_end``.

        dt = ``cfl`` * dx / S with S the largest Einfeldt wave speed at the interface states;
        ``cfl`` defaults to the proved positivity bound, and a larger one is refused unless
        ``unsafe=True`` (needed for Roe, which has no positivity proof).
        """
        U = np.array(U0, dtype=float)
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
            _, smax = self.rhs(U)
            dt = min(cfl * self.dx / smax, t_end - t)
            for _ in range(60):
                new, s_bad = self._step(U, dt, enforce)
                if new is not None:
                    break
                # restart at the bound for the faster stage (and at least 10% smaller)
                dt = min(0.9 * dt, 0.999 * cfl * self.dx / s_bad)
                self.stats["restarts"] += 1
            else:  # pragma: no cover
                raise StabilityError("no admissible step found")
            U, t = new, t + dt
            self.stats["steps"] += 1
            self._check_admissible(U, f"t = {t:.6g}")
            W = self.primitive(U)
            self.stats["min_density"] = min(self.stats["min_density"], float(W[0].min()))
            if self.euler:
                self.stats["min_pressure"] = min(self.stats["min_pressure"], float(W[2].min()))
            if callback is not None:
                callback(t, U)
        return U
