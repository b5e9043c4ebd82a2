"""The exact solution of the Riemann problem for the 1-D shallow-water equations with a wet
star state (Toro, Shock-Capturing Methods for Free-Surface Shallow Flows, chapter 5).

The star depth solves f_L(h) + f_R(h) + u_R - u_L = 0 with f_K = 2 (sqrt(g h) - sqrt(g h_K))
for h <= h_K (rarefaction) and (h - h_K) sqrt(g (h + h_K)/(2 h h_K)) otherwise (shock), by
Newton's method; dry-bed generation is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mcgen.errors import ModelError

__all__ = ["ShallowWaterRiemann"]


@dataclass(frozen=True)
class ShallowWaterRiemann:
    """Left and right states (h, u), gravity g and the jump position."""

    left: tuple[float, float]
    right: tuple[float, float]
    g: float = 1.0
    x0: float = 0.0

    def __post_init__(self) -> None:
        if not (self.left[0] > 0 and self.right[0] > 0):
            raise ModelError("both depths must be > 0 (dry beds are not handled here)")
        cl, cr = (math.sqrt(self.g * s[0]) for s in (self.left, self.right))
        if 2 * (cl + cr) <= self.right[1] - self.left[1]:
            raise ModelError("the data generate a dry bed; not handled by this solver")

    def _f(self, h: float, hk: float) -> tuple[float, float]:
        g = self.g
        if h <= hk:
            return 2 * (math.sqrt(g * h) - math.sqrt(g * hk)), math.sqrt(g / h)
        q = math.sqrt(0.5 * g * (h + hk) / (h * hk))
        return (h - hk) * q, q - g * (h - hk) / (4 * h * h * q)

    @property
    def star(self) -> tuple[float, float]:
        (hl, ul), (hr, ur) = self.left, self.right
        g = self.g
        h = (0.5 * (math.sqrt(g * hl) + math.sqrt(g * hr)) - 0.25 * (ur - ul)) ** 2 / g
        for _ in range(100):
            fl, dl = self._f(h, hl)
            fr, dr = self._f(h, hr)
            new = max(h - (fl + fr + ur - ul) / (dl + dr), 1e-14)
            if abs(new - h) <= 1e-14 * h:
                h = new
                break
            h = new
        fl, _ = self._f(h, hl)
        fr, _ = self._f(h, hr)
        return h, 0.5 * (ul + ur) + 0.5 * (fr - fl)

    def sample(self, xi: float) -> tuple[float, float]:
        hs, us = self.star
        g = self.g
        sgn = 1.0 if xi <= us else -1.0
        h, u = self.left if sgn > 0 else self.right
        u_, xi_, us_ = sgn * u, sgn * xi, sgn * us
        c, cs = math.sqrt(g * h), math.sqrt(g * hs)
        if hs > h:  # shock
            S = u_ - c * math.sqrt(0.5 * hs * (hs + h)) / h
            out = (h, u_) if xi_ <= S else (hs, us_)
        elif xi_ <= u_ - c:
            out = (h, u_)
        elif xi_ >= us_ - cs:
            out = (hs, us_)
        else:
            out = ((u_ + 2 * c - xi_) ** 2 / (9 * g), (u_ + 2 * c + 2 * xi_) / 3)
        return out[0], sgn * out[1]

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        """(h, u), shape (2, len(x)), at time t > 0."""
        return np.array([self.sample((xx - self.x0) / t) for xx in np.asarray(x, float)]).T

    def cell_averages(self, edges: np.ndarray, t: float, points: int = 40) -> np.ndarray:
        """Cell averages of (h, q) between ``edges``."""
        out = np.zeros((2, len(edges) - 1))
        for i in range(len(edges) - 1):
            xs = np.linspace(edges[i], edges[i + 1], points + 1)
            xs = 0.5 * (xs[1:] + xs[:-1])
            h, u = self(xs, t)
            out[:, i] = [h.mean(), (h * u).mean()]
        return out
