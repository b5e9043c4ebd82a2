"""Unrolled refinement of a learned coarse scheme: fit psi's coefficients to multi-step rollouts.

The least-squares fit of :mod:`mcgen.train.coarse_scheme` matches one-step residuals on the
data, where every step starts from the true coarse state; a rollout starts each step from the
scheme's own previous output, and its errors compound. Here the coefficients are refined on the
rollout error itself: starting from the data at the beginning of each window of ``unroll``
steps, the scheme is stepped and its states are compared with the data at every step,

    L(c) = sum_windows sum_k |u^k(c) - ref^k|^2 + smoothing prior,

by projected Gauss-Newton: the sensitivities J_k = du^k/dc follow the forward recursion
J_(k+1) = A_k J_k + B_k (B_k = d step / dc, linear in c: the design matrix; A_k = d step / du,
a banded matrix taken by finite differences on ``2 width + 1``-periodic colour groups), each
linearised problem is a box QP (:func:`mcgen.train.box_qp.box_qp`) and a step is kept only if the
true rollout loss falls (backtracking along the segment, which stays in the box). Every iterate
lies in [0, 1]^n, where the certificate holds for every coefficient: the refinement changes which
certified scheme is returned, never whether it is certified.
"""

from __future__ import annotations

import numpy as np

from mcgen.train.box_qp import box_qp, single_blas_thread
from mcgen.train.coarse_basis import CoarseBasis

__all__ = ["unrolled_refinement"]


def _step(basis: CoarseBasis, u: np.ndarray, lam: float, c: np.ndarray) -> np.ndarray:
    F = basis.f(u) + basis.correction(u, lam, c)
    return u - lam * (F - np.roll(F, 1))


def _state_jacobian(basis: CoarseBasis, u: np.ndarray, lam: float, c: np.ndarray,
                    base: np.ndarray) -> np.ndarray:
    """d step / du (n x n, periodic band of half-width ``width``) by forward differences, one
    step evaluation per colour group of cells at least ``2 width + 1`` apart."""
    n, w = u.size, basis.width
    period = next((p for p in range(2 * w + 1, n + 1) if n % p == 0), n)
    eps = 1e-7 * max(float(np.abs(u).max()), 1e-3)
    A = np.zeros((n, n))
    rows = np.arange(n)
    for col in range(period):
        du = np.zeros(n)
        du[col::period] = eps
        delta = (_step(basis, u + du, lam, c) - base) / eps
        # the perturbed cell that row i reads: the one of this colour within w of i
        j = col + period * np.round((rows - col) / period).astype(int)
        j %= n
        near = np.abs((rows - j + n // 2) % n - n // 2) <= w
        A[rows[near], j[near]] = delta[near]
    return A


def _rollouts(basis: CoarseBasis, windows: list[np.ndarray], lam: float, c: np.ndarray,
              sensitivities: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Residuals u^k - ref^k of every window (stacked) and, if asked, their Jacobian in c."""
    res, jac = [], []
    for ref in windows:
        u = ref[0]
        J = np.zeros((u.size, c.size)) if sensitivities else None
        for k in range(1, ref.shape[0]):
            nxt = _step(basis, u, lam, c)
            if J is not None:
                Phi = basis.design(u, lam)
                J = _state_jacobian(basis, u, lam, c, nxt) @ J \
                    - lam * (Phi - np.roll(Phi, 1, axis=0))
                jac.append(J)
            u = nxt
            res.append(u - ref[k])
    return np.concatenate(res), (np.vstack(jac) if sensitivities else None)


def unrolled_refinement(basis: CoarseBasis, coarse: list[np.ndarray], lam: float,
                        c0: np.ndarray, unroll: int, roughness: np.ndarray,
                        smoothing: float, iterations: int = 6) -> tuple[np.ndarray, list[float]]:
    """Refine ``c0`` (in [0, 1]^n) on ``unroll``-step rollouts of the coarse trajectories.

    ``roughness`` is R with the prior ``smoothing * s * c'Rc / 2`` (the linear fit's smoothing
    prior; s the mean diagonal of J'J at ``c0``, so the weight is relative as there).
    Returns the refined coefficients (in the box) and the loss after each accepted iteration
    (the first entry: the loss at ``c0``)."""
    with single_blas_thread():     # small products: threads only contend on a busy machine
        return _refine(basis, coarse, lam, c0, unroll, roughness, smoothing, iterations)


def _refine(basis: CoarseBasis, coarse: list[np.ndarray], lam: float, c0: np.ndarray,
            unroll: int, roughness: np.ndarray, smoothing: float, iterations: int
            ) -> tuple[np.ndarray, list[float]]:
    windows = [t[s:s + unroll + 1] for t in coarse for s in range(0, t.shape[0] - 1, unroll)]
    windows = [w for w in windows if w.shape[0] > 1]

    def loss(c: np.ndarray, r: np.ndarray) -> float:
        return float(0.5 * r @ r + 0.5 * c @ prior @ c)

    c = np.clip(c0, 0.0, 1.0)
    r, J = _rollouts(basis, windows, lam, c, True)
    assert J is not None
    prior = smoothing * float(np.einsum("ij,ij->", J, J)) / c.size * roughness
    history = [loss(c, r)]
    for _ in range(iterations):
        assert J is not None
        JtJ = J.T @ J
        scale = float(np.trace(JtJ)) / c.size
        H = JtJ + prior + 1e-10 * max(scale, 1e-300) * np.eye(c.size)
        g = JtJ @ c - J.T @ r
        target = box_qp(H, g, 0.0, 1.0)
        t, accepted = 1.0, False
        while t > 1e-3:
            trial = c + t * (target - c)       # a convex combination: inside the box
            r_t, _ = _rollouts(basis, windows, lam, trial, False)
            if loss(trial, r_t) < history[-1]:
                accepted = True
                break
            t /= 2
        if not accepted:
            break
        c = trial
        r, J = _rollouts(basis, windows, lam, c, True)
        history.append(loss(c, r))
        if history[-2] - history[-1] <= 1e-4 * history[-2]:
            break
    return c, history
