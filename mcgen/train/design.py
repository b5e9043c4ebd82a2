"""Regression rows for a one-step lattice update: one row per interior site and step.

Only sites whose whole stencil lies inside the grid are used, so no boundary condition is
assumed. Three layers of unknowns:

* constant weights ``w_k`` (columns ``u^n_{j+k}``, target ``u^{n+1}_j``);
* weights that are polynomials in x, ``w_k(x) = sum_b c_kb xi^b`` with ``xi = (x - x_c)/half``
  (columns ``xi_j^b u^n_{j+k}``);
* a conservative numerical flux ``F(uL, uR) = sum c_ab uL^a uR^b`` (columns
  ``-lam (u_j^a u_{j+1}^b - u_{j-1}^a u_j^b)``, target ``u^{n+1}_j - u^n_j``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from mcgen.train.snapshots import DataError

Offset = tuple[int, ...]


def normalize_support(support: Any, dim: int) -> list[Offset]:
    """Offsets as tuples; an int r means every offset with |k_i| <= r."""
    if isinstance(support, (int, np.integer)):
        r = int(support)
        if r < 0:
            raise DataError(f"support radius {r} is negative")
        return [tuple(k) for k in itertools.product(range(-r, r + 1), repeat=dim)]
    out: list[Offset] = []
    for k in support:
        off = (int(k),) if isinstance(k, (int, np.integer)) else tuple(int(c) for c in k)
        if len(off) != dim:
            raise DataError(f"offset {k!r} has {len(off)} components but the data are {dim}-D: "
                            f"give {dim}-component offsets")
        if off in out:
            raise DataError(f"offset {off} is listed twice in the support")
        out.append(off)
    if not out:
        raise DataError("the support is empty: give the offsets the update may read")
    return sorted(out)


def interior(shape: tuple[int, ...], support: list[Offset]) -> tuple[slice, ...]:
    """The slice of sites whose stencil fits; raises when the grid is too small."""
    sl = []
    for ax, n in enumerate(shape):
        lo = -min(0, min(k[ax] for k in support))
        hi = max(0, max(k[ax] for k in support))
        if n - lo - hi < 1:
            raise DataError(f"the grid has {n} points along axis {ax} but the support spans "
                            f"{lo + hi + 1}: the grid does not match the support (use a "
                            "smaller support or more points)")
        sl.append(slice(lo, n - hi))
    return tuple(sl)


def _shifted(u: np.ndarray, inner: tuple[slice, ...], k: Offset) -> np.ndarray:
    """u[:, inner + k] (time axis first)."""
    sl = tuple(slice(s.start + kk, s.stop + kk) for s, kk in zip(inner, k, strict=True))
    return u[(slice(None),) + sl]


def stencil_rows(u: np.ndarray, support: list[Offset], x_degree: int = 0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, xi) for ``u^{n+1}_j = sum_k w_k(x_j) u^n_{j+k}``; xi is the scaled coordinate of
    each row (1-D), columns ordered (k, b)."""
    shape = u.shape[1:]
    inner = interior(shape, support)
    now, nxt = u[:-1], u[1:]
    y = nxt[(slice(None),) + inner].ravel()
    if x_degree:
        n = shape[0]
        idx = np.arange(n, dtype=float)[inner[0]]
        xi = (idx - (n - 1) / 2) / ((n - 1) / 2)
        xi_rows = np.broadcast_to(xi, (u.shape[0] - 1, xi.size)).ravel()
    else:
        xi_rows = np.zeros(y.size)
    cols = []
    for k in support:
        col = _shifted(now, inner, k).ravel()
        for b in range(x_degree + 1):
            cols.append(col * xi_rows ** b if b else col)
    return np.column_stack(cols), y, xi_rows


def flux_monomials(degree: int) -> list[tuple[int, int]]:
    """Exponents (a, b) of uL^a uR^b with 1 <= a + b <= degree (a constant flux cancels)."""
    return [(a, d - a) for d in range(1, degree + 1) for a in range(d, -1, -1)]


def flux_rows(u: np.ndarray, lam: float, degree: int) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) for ``u^{n+1}_j - u^n_j = -lam (F(u_j, u_{j+1}) - F(u_{j-1}, u_j))``."""
    if u.ndim != 2:
        raise DataError("a conservative flux is fitted to 1-D data (time, x)")
    inner = interior(u.shape[1:], [(-1,), (1,)])
    now = u[:-1]
    um, u0, up = (_shifted(now, inner, (k,)).ravel() for k in (-1, 0, 1))
    y = (u[1:, inner[0]] - now[:, inner[0]]).ravel()
    cols = [-lam * (u0 ** a * up ** b - um ** a * u0 ** b) for a, b in flux_monomials(degree)]
    return np.column_stack(cols), y


def flux_step(lam: float, degree: int) -> Any:
    """The conservative update with flux ``F = sum c_ab uL^a uR^b`` as a rollout step on states
    ``v[..., sites]``: ``v -> (v_next on sites 1..M-2, dS/dv_{j-1}, dS/dv_j, dS/dv_{j+1},
    dS/dc[..., sites, coefficient])``."""
    mons = flux_monomials(degree)

    def step(v: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, ...]:
        um, u0, up = v[..., :-2], v[..., 1:-1], v[..., 2:]
        dc = -lam * np.stack([u0 ** a * up ** b - um ** a * u0 ** b for a, b in mons], axis=-1)
        fl_r = np.zeros_like(u0)     # dF/duL at (u_j, u_j+1)
        fl_l = np.zeros_like(u0)     # dF/duL at (u_j-1, u_j)
        fr_r = np.zeros_like(u0)     # dF/duR at (u_j, u_j+1)
        fr_l = np.zeros_like(u0)     # dF/duR at (u_j-1, u_j)
        for ci, (a, b) in zip(c, mons, strict=True):
            if a:
                fl_r += ci * a * u0 ** (a - 1) * up ** b
                fl_l += ci * a * um ** (a - 1) * u0 ** b
            if b:
                fr_r += ci * b * u0 ** a * up ** (b - 1)
                fr_l += ci * b * um ** a * u0 ** (b - 1)
        return (u0 + dc @ c, lam * fl_l, 1 - lam * (fl_r - fr_l), -lam * fr_r, dc)

    return step
