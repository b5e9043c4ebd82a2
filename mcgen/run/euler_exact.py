"""The exact solution of the Riemann problem for the 1-D Euler equations of an ideal gas
(Toro, Riemann Solvers and Numerical Methods for Fluid Dynamics, 3rd ed., chapter 4).

The star pressure solves f_L(p) + f_R(p) + u_R - u_L = 0 (shock branches for p > p_K,
rarefaction branches otherwise) by Newton's method from the two-rarefaction guess; the solution
is sampled at x/t. Vacuum generation (2 (c_L + c_R)/(gamma - 1) <= u_R - u_L) is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mcgen.errors import ModelError

__all__ = ["EulerRiemann"]


@dataclass(frozen=True)
class EulerRiemann:
    """Left and right primitive states (rho, u, p), gamma and the initial jump position."""

    left: tuple[float, float, float]
    right: tuple[float, float, float]
    gamma: float = 1.4
    x0: float = 0.0

    def __post_init__(self) -> None:
        for side, (r, _, p) in (("left", self.left), ("right", self.right)):
            if not (r > 0 and p > 0):
                raise ModelError(f"{side} state {(r, p)}: density and pressure must be > 0")
        g = self.gamma
        cl, cr = self._c(self.left), self._c(self.right)
        if 2 * (cl + cr) / (g - 1) <= self.right[1] - self.left[1]:
            raise ModelError("the data generate vacuum; this solver handles non-vacuum "
                             "Riemann problems only")

    def _c(self, s: tuple[float, float, float]) -> float:
        return math.sqrt(self.gamma * s[2] / s[0])

    def _f(self, p: float, s: tuple[float, float, float]) -> tuple[float, float]:
        r, _, pk = s
        g = self.gamma
        if p > pk:  # shock
            A, B = 2 / ((g + 1) * r), (g - 1) / (g + 1) * pk
            q = math.sqrt(A / (p + B))
            return (p - pk) * q, q * (1 - 0.5 * (p - pk) / (p + B))
        c = self._c(s)
        f = 2 * c / (g - 1) * ((p / pk) ** ((g - 1) / (2 * g)) - 1)
        return f, (p / pk) ** (-(g + 1) / (2 * g)) / (r * c)

    @property
    def star(self) -> tuple[float, float]:
        """(p*, u*) of the star region."""
        g = self.gamma
        L, R = self.left, self.right
        cl, cr = self._c(L), self._c(R)
        z = (g - 1) / (2 * g)
        p = ((cl + cr - 0.5 * (g - 1) * (R[1] - L[1])) /
             (cl / L[2] ** z + cr / R[2] ** z)) ** (1 / z)
        p = max(p, 1e-14)
        for _ in range(100):
            fl, dl = self._f(p, L)
            fr, dr = self._f(p, R)
            step = (fl + fr + R[1] - L[1]) / (dl + dr)
            new = max(p - step, 1e-14 * p)
            if abs(new - p) <= 1e-14 * (new + p):
                p = new
                break
            p = new
        fl, _ = self._f(p, L)
        fr, _ = self._f(p, R)
        return p, 0.5 * (L[1] + R[1]) + 0.5 * (fr - fl)

    def sample(self, xi: float) -> tuple[float, float, float]:
        """(rho, u, p) at x/t = xi."""
        g = self.gamma
        ps, us = self.star
        if xi <= us:
            s, sgn = self.left, 1.0
        else:
            s, sgn = self.right, -1.0
        r, u, p = s
        c = self._c(s)
        # mirror the right side onto the left-side formulas: u -> -u, xi -> -xi
        u_, xi_, us_ = sgn * u, sgn * xi, sgn * us
        if ps > p:  # shock
            rs = r * ((ps / p + (g - 1) / (g + 1)) / ((g - 1) / (g + 1) * ps / p + 1))
            S = u_ - c * math.sqrt((g + 1) / (2 * g) * ps / p + (g - 1) / (2 * g))
            out = (r, u_, p) if xi_ <= S else (rs, us_, ps)
        else:
            rs = r * (ps / p) ** (1 / g)
            cs = c * (ps / p) ** ((g - 1) / (2 * g))
            head, tail = u_ - c, us_ - cs
            if xi_ <= head:
                out = (r, u_, p)
            elif xi_ >= tail:
                out = (rs, us_, ps)
            else:
                k = 2 / (g + 1) + (g - 1) / ((g + 1) * c) * (u_ - xi_)
                out = (r * k ** (2 / (g - 1)),
                       2 / (g + 1) * (c + (g - 1) / 2 * u_ + xi_),
                       p * k ** (2 * g / (g - 1)))
        return out[0], sgn * out[1], out[2]

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        """Primitive states, shape (3, len(x)), at time t > 0."""
        xs = np.asarray(x, dtype=float)
        return np.array([self.sample((xx - self.x0) / t) for xx in xs]).T

    def cell_averages(self, edges: np.ndarray, t: float, points: int = 40) -> np.ndarray:
        """Cell averages of the conserved variables (rho, m, E) between ``edges``."""
        g = self.gamma
        out = np.zeros((3, len(edges) - 1))
        for i in range(len(edges) - 1):
            xs = np.linspace(edges[i], edges[i + 1], points + 1)
            xs = 0.5 * (xs[1:] + xs[:-1])
            r, u, p = self(xs, t)
            out[:, i] = [r.mean(), (r * u).mean(), (p / (g - 1) + 0.5 * r * u * u).mean()]
        return out
