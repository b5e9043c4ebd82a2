"""The wide-stencil TVD flux of a learned coarse scheme: its features and hat basis, in NumPy
(for fitting and fast rollouts) and in SymPy (for the ``Scheme`` that Simulation and the code
generators run).

For f' >= 0 on the data, the coarse update is u_j' = u_j - lam (F_{j+1/2} - F_{j-1/2}) with

    F_{j+1/2} = f(u_j) + psi_{j+1/2} m_{j+1/2},
    m_{j+1/2} = minmod(a_{j+1/2} D_{j+1/2}, (1 - lam a_{j-1/2}) D_{j-1/2} / lam),

D_{j+1/2} = u_{j+1} - u_j and a_{j+1/2} the Roe speed (the secant slope of f). Whatever
psi_{j+1/2} in [0, 1] is, the update is u_j' = u_j - D_{j-1/2} Delta_{j-1/2} with Harten's
coefficient D in [0, 1] under lam max f' <= 1 (:mod:`mcgen.train.coarse_certificate`): TVD and a
local maximum principle for *every* psi in [0, 1]. The bound m is the largest anti-diffusive flux
Harten's conditions allow at the Courant number (the CFL-dependent TVD region, wider than
Sweby's CFL-free one); Lax-Wendroff is psi = (1 - nu) / 2 on smooth data.

psi is the learned part. It is a function of features read from ``width`` points on each side of
the updated cell, all scale-free:

* the smoothness ratios s(D_k, D_0) = (D_k - D_0) / (|D_k| + |D_0|) in [-1, 1] for the
  differences D_k = u_{j+k+1} - u_{j+k}, k = -(width-1) .. width-1 (k = -1 is the central one,
  Sweby's r: s = 0 for r = 1, s = +-1 for r <= 0);
* for a nonlinear flux, the local Courant number nu = lam a_{j+1/2} and the compressions
  lam (a_{j-1/2} - a_{j+1/2}) and lam (a_{j+1/2} - a_{j+3/2}) (converging characteristics: a
  front), which tell a steep front from a smooth wave with the same ratios.

psi = (1/P) sum_p sum_{i,m,l} c_{p,i,m,l} H_i(s_central) N_m(nu) H_l(e_p): one block per extra
feature e_p, each a tensor product of hat functions (non-negative, summing to at most 1 for every
feature value). With every coefficient c in [0, 1], psi is a convex combination of numbers in
[0, 1] for every feature value: the constraint set is the box [0, 1]^n, linear in c, and the
update is linear in c for given data (a bound-constrained least-squares fit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from mcgen.model.symbols import lam as LAM

U = sp.Symbol("u", real=True)
_UL, _UR = sp.Symbol("uL", real=True), sp.Symbol("uR", real=True)
EPS = 1e-30          # keeps 0/0 ratios (flat data) at 0; any feature value is admissible
WIDTHS = (2, 3, 4, 5)


def minmod(x: Any, y: Any) -> Any:
    """minmod(x, y) written with max/min only (works on arrays and SymPy expressions)."""
    if isinstance(x, sp.Basic) or isinstance(y, sp.Basic):
        return (sp.Max(0, sp.Min(x, y, evaluate=False), evaluate=False)
                + sp.Min(0, sp.Max(x, y, evaluate=False), evaluate=False))
    return np.maximum(0.0, np.minimum(x, y)) + np.minimum(0.0, np.maximum(x, y))


def _ratio(a: Any, b: Any) -> Any:
    if isinstance(a, sp.Basic) or isinstance(b, sp.Basic):
        return (a - b) / (sp.Abs(a) + sp.Abs(b) + sp.Float(EPS))
    return (a - b) / (np.abs(a) + np.abs(b) + EPS)


def _hats_np(s: np.ndarray, k: int) -> np.ndarray:
    """Hat functions on ``k`` uniform knots of [-1, 1] (rows: points; columns: knots)."""
    knots = np.linspace(-1.0, 1.0, k)
    return np.maximum(0.0, 1.0 - np.abs(s[:, None] - knots[None, :]) * ((k - 1) / 2))


def _hat_cell(s: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(i, w): the hats i and i + 1 carry 1 - w and w at s (the others are 0)."""
    pos = np.clip((s + 1.0) * ((k - 1) / 2), 0.0, k - 1.0)
    i = np.minimum(np.floor(pos).astype(int), k - 2)
    return i, pos - i


def _hats_sp(s: sp.Expr, k: int) -> list[sp.Expr]:
    # unevaluated: SymPy's pairwise simplification of Max arguments cost seconds per scheme
    return [sp.Max(0, 1 - sp.Abs(s - sp.Rational(2 * i, k - 1) + 1) * sp.Rational(k - 1, 2),
                   evaluate=False) for i in range(k)]


@dataclass(frozen=True)
class CoarseBasis:
    """The feature map and hat basis of psi (see the module docstring)."""

    flux: sp.Expr
    width: int = 3
    center_knots: int = 9
    feature_knots: int = 5
    nu_range: tuple[sp.Rational, sp.Rational] | None = None   # None: linear flux (nu constant)
    kappa_scale: sp.Rational | None = None                    # None: no compression features

    @cached_property
    def ratio_offsets(self) -> tuple[int, ...]:
        return tuple(k for k in range(1 - self.width, self.width) if k not in (-1, 0))

    @cached_property
    def compression_pairs(self) -> tuple[tuple[int, int], ...]:
        return ((-1, 0), (0, 1)) if self.kappa_scale is not None else ()

    @property
    def blocks(self) -> int:
        return len(self.ratio_offsets) + len(self.compression_pairs)

    @property
    def nu_knots(self) -> int:
        return 1 if self.nu_range is None else 2

    @property
    def size(self) -> int:
        return self.blocks * self.center_knots * self.nu_knots * self.feature_knots

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (self.blocks, self.center_knots, self.nu_knots, self.feature_knots)

    @cached_property
    def roe_expr(self) -> sp.Expr:
        """The Roe speed a(uL, uR) = (f(uR) - f(uL)) / (uR - uL), cancelled."""
        f = sp.sympify(self.flux)
        return sp.cancel((f.subs(U, _UR) - f.subs(U, _UL)) / (_UR - _UL))

    @cached_property
    def _np(self) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any] | None]:
        f = sp.sympify(self.flux)
        fn = sp.lambdify(U, f, "numpy")
        fp = sp.lambdify(U, sp.diff(f, U), "numpy")
        roe = None if sp.fraction(sp.together(self.roe_expr))[1].has(_UL, _UR) else \
            sp.lambdify((_UL, _UR), self.roe_expr, "numpy")
        return fn, fp, roe

    def f(self, u: np.ndarray) -> np.ndarray:
        return self._np[0](u) * np.ones_like(u)

    def roe(self, u: np.ndarray) -> np.ndarray:
        """a_{j+1/2} for every j (periodic)."""
        fn, fp, roe = self._np
        up = np.roll(u, -1)
        if roe is not None:
            return roe(u, up) * np.ones_like(u)
        du = up - u
        small = np.abs(du) < 1e-14
        return np.where(small, fp(u) * np.ones_like(u), (fn(up) - fn(u)) / np.where(small, 1, du))

    def _features(self, u: np.ndarray, lam: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, list[np.ndarray]]:
        """(m, central ratio, nu position t in [0, 1] or None, further features), per row j."""
        d = np.roll(u, -1) - u                      # D_0 at row j
        a = self.roe(u)

        def sh(v: np.ndarray, k: int) -> np.ndarray:   # the value at offset k from row j
            return np.roll(v, -k)

        m = minmod(a * d, (1 - lam * sh(a, -1)) * sh(d, -1) / lam)
        t = None
        if self.nu_range is not None:
            n0, n1 = (float(v) for v in self.nu_range)
            t = np.clip((lam * a - n0) / (n1 - n0), 0.0, 1.0)
        feats = [_ratio(sh(d, k), d) for k in self.ratio_offsets]
        if self.kappa_scale is not None:
            ks = float(self.kappa_scale)
            feats += [np.clip(lam * (sh(a, p) - sh(a, q)) / ks, -1.0, 1.0)
                      for p, q in self.compression_pairs]
        return m, _ratio(sh(d, -1), d), t, feats

    def design(self, u: np.ndarray, lam: float) -> np.ndarray:
        """Phi with the anti-diffusive flux psi_{j+1/2} m_{j+1/2} = (Phi @ c)_j (periodic u)."""
        n = u.size
        m, sc, t, feats = self._features(u, lam)
        hc = _hats_np(sc, self.center_knots)
        hn = np.ones((n, 1)) if t is None else np.stack([1 - t, t], axis=1)
        base = (hc[:, :, None] * hn[:, None, :]).reshape(n, -1)
        cols = [(base[:, :, None] * _hats_np(e, self.feature_knots)[:, None, :]).reshape(n, -1)
                for e in feats]
        return np.hstack(cols) * (m / self.blocks)[:, None]

    def correction(self, u: np.ndarray, lam: float, c: np.ndarray) -> np.ndarray:
        """``design(u, lam) @ c`` from the (at most 8) hats that are non-zero at each row: the
        same numbers without the n x size matrix (rollouts)."""
        m, sc, t, feats = self._features(u, lam)
        cc = c.reshape(self.shape)
        i, fi = _hat_cell(sc, self.center_knots)
        tn = np.zeros_like(sc) if t is None else t
        psi = np.zeros_like(sc)
        for p, e in enumerate(feats):
            l_, fl = _hat_cell(e, self.feature_knots)
            for di, wi in ((0, 1 - fi), (1, fi)):
                for dm, wm in ((0, 1 - tn), (1, tn)) if t is not None else ((0, 1.0),):
                    for dl, wl in ((0, 1 - fl), (1, fl)):
                        psi += wi * wm * wl * cc[p, i + di, dm, l_ + dl]
        return psi * m / self.blocks

    def flux_expr(self, read: Callable[[int], sp.Expr], coeffs: tuple[sp.Rational, ...],
                  lam: sp.Expr = LAM) -> sp.Expr:
        """F_{j+1/2} as a SymPy expression of ``read(k)`` = u_{j+k}, the same formula as
        :meth:`design` (so the generated kernels and the NumPy rollout agree to rounding)."""
        f = sp.sympify(self.flux)

        def d(k: int) -> sp.Expr:
            return read(k + 1) - read(k)

        def a(k: int) -> sp.Expr:
            return self.roe_expr.subs({_UL: read(k), _UR: read(k + 1)}, simultaneous=True)

        m = minmod(a(0) * d(0), (1 - lam * a(-1)) * d(-1) / lam)
        hc = _hats_sp(_ratio(d(-1), d(0)), self.center_knots)
        if self.nu_range is None:
            hn: list[sp.Expr] = [sp.Integer(1)]
        else:
            n0, n1 = self.nu_range
            t = sp.Min(1, sp.Max(0, (lam * a(0) - n0) / (n1 - n0), evaluate=False),
                       evaluate=False)
            hn = [1 - t, t]
        feats = [_ratio(d(k), d(0)) for k in self.ratio_offsets]
        if self.kappa_scale is not None:
            feats += [sp.Min(1, sp.Max(-1, lam * (a(p) - a(q)) / self.kappa_scale,
                                       evaluate=False), evaluate=False)
                      for p, q in self.compression_pairs]
        c = np.array(coeffs, dtype=object).reshape(self.shape)
        psi = sp.S.Zero
        for p, e in enumerate(feats):
            he = _hats_sp(e, self.feature_knots)
            for i, h_i in enumerate(hc):
                inner = sp.Add(*[n_m * sp.Add(*[c[p, i, mm, ll] * h_l
                                                for ll, h_l in enumerate(he)
                                                if c[p, i, mm, ll] != 0])
                                 for mm, n_m in enumerate(hn)])
                psi += h_i * inner
        return f.subs(U, read(0)) + psi * m / self.blocks

    def describe(self) -> str:
        feats = [f"s(D_{k}, D_0)" for k in self.ratio_offsets] + \
            [f"lam (a_{p} - a_{q})" for p, q in self.compression_pairs]
        nu = "" if self.nu_range is None else f" x nu on {list(self.nu_range)} (2 knots)"
        return (f"{self.width} points per side; psi = mean over {self.blocks} blocks of hats in "
                f"s(D_-1, D_0) ({self.center_knots} knots){nu} x one of "
                f"{', '.join(feats)} ({self.feature_knots} knots): {self.size} coefficients")
