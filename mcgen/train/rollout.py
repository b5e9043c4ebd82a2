"""Errors-in-variables fit of a 3-point update by multi-step (rollout) least squares.

With noise on every snapshot, the one-step equations ``u^{n+1} = S_c(u^n)`` have noise in the
regressors ``u^n`` too, which biases ordinary least squares; instruments remove the bias but
not the variance. Here the clean states are unknowns: the data are cut into disjoint windows of
``s + 1`` snapshots, and the update's parameters ``c`` and each window's clean first state ``v``
are fitted jointly to every snapshot of the window,

    min_{c, v_1..v_W}  sum_w sum_{m=0..s} | S_c^m(v_w) - u^{n_w + m} |^2   (on the sites whose
                                                                            domain of dependence
                                                                            lies in the grid),

which is the maximum-likelihood estimate for independent Gaussian noise of one variance (the
trajectory of an exact update is determined by its first state). No noise level is needed: the
residual rms estimates it. Solver: Gauss-Newton with forward sensitivities (the update's
Jacobian in the state is tridiagonal), the window states eliminated by their Schur complement
(Cholesky, SciPy), so each iteration solves a small problem in ``c``; inequalities ``G c >= h`` go
through :func:`~mcgen.train.constrained_lsq.solve` on that reduced problem (sequential QP with
an exact active-set re-solve). No boundary condition is assumed: a window's step m compares
only the sites ``m .. N-1-m``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla

from mcgen.train import constrained_lsq
from mcgen.train.snapshots import DataError

# step(v, c) -> (v_next on sites 1..M-2, dS/dv_{j-1}, dS/dv_j, dS/dv_{j+1}, dS/dc (M-2, p))
Step = Callable[[np.ndarray, np.ndarray],
                tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class RolloutResult:
    c: np.ndarray
    cov_unit: np.ndarray       # (reduced Hessian in c)^-1 on the active constraints' nullspace
    cov: np.ndarray            # cov_unit * sigma^2 (residual variance)
    rss: float
    observations: int
    dof: int
    residual_max: float
    ss_tot: float
    iterations: int
    active: tuple[int, ...]
    notes: list[str] = field(default_factory=list)

    @property
    def sigma(self) -> float:
        return float(np.sqrt(self.rss / self.dof)) if self.dof > 0 else float("nan")


def windows(steps: int, window: int, n_sites: int) -> list[int]:
    """Start snapshots of the disjoint windows of ``window + 1`` snapshots."""
    if window < 1:
        raise DataError(f"rollout={window}: give a number of steps >= 1")
    if n_sites - 2 * window < 1:
        raise DataError(f"rollout={window} steps on {n_sites} points: a window's last step "
                        f"compares only the {n_sites - 2 * window} sites whose domain of "
                        f"dependence lies in the grid; use rollout <= {(n_sites - 1) // 2}")
    starts = list(range(0, steps - window, window + 1))
    if not starts:
        raise DataError(f"rollout={window} needs at least {window + 1} snapshots, the data have "
                        f"{steps}: give more snapshots or a shorter rollout")
    return starts


def _window_system(u: np.ndarray, v: np.ndarray, c: np.ndarray, step: Step, s: int
                   ) -> tuple[np.ndarray, ...]:
    """Normal-equation blocks of every window at (v, c), batched over windows: ``u`` is
    (W, s+1, N), ``v`` (W, N). Returns Hvv (W, 2s+1, N; upper banded storage), Hvc (W, N, p),
    Hcc (W, p, p), gv (W, N), gc (W, p), rss, max|r|.

    The sensitivity of step m to the first state is banded (site j of step m reads the first
    state's sites j .. j + 2m): it is kept as ``B[w, j, d] = dS^m_j / dv_{j+d}``, so a step costs
    O(N m^2), not O(N^3)."""
    W, n = v.shape
    p = c.size
    B = np.ones((W, n, 1))
    Jc = np.zeros((W, n, p))
    r = v - u[:, 0]
    Hb = np.zeros((W, n, 4 * s + 1))    # Hvv[a, a + e] at Hb[a, e + 2 s]
    Hb[:, :, 2 * s] = 1.0
    Hvc, Hcc = np.zeros((W, n, p)), np.zeros((W, p, p))
    gv, gc = r.copy(), np.zeros((W, p))
    rss, rmax = float((r * r).sum()), float(np.abs(r).max())
    state = v
    for m in range(1, s + 1):
        state, al, a0, ar, dc = step(state, c)
        rows = state.shape[1]
        Bn = np.zeros((W, rows, 2 * m + 1))
        Bn[:, :, :2 * m - 1] += al[..., None] * B[:, :-2]
        Bn[:, :, 1:2 * m] += a0[..., None] * B[:, 1:-1]
        Bn[:, :, 2:] += ar[..., None] * B[:, 2:]
        B = Bn
        Jc = al[..., None] * Jc[:, :-2] + a0[..., None] * Jc[:, 1:-1] + \
            ar[..., None] * Jc[:, 2:] + dc
        r = state - u[:, m, m:n - m]
        for d1 in range(2 * m + 1):
            col = B[:, :, d1:d1 + 1]
            Hb[:, d1:d1 + rows, 2 * s - d1:2 * s - d1 + 2 * m + 1] += col * B
            Hvc[:, d1:d1 + rows] += col * Jc
            gv[:, d1:d1 + rows] += col[..., 0] * r
        Hcc += np.einsum("wjp,wjq->wpq", Jc, Jc)
        gc += np.einsum("wjp,wj->wp", Jc, r)
        rss += float((r * r).sum())
        rmax = max(rmax, float(np.abs(r).max()))
    # upper banded storage for scipy.linalg.cholesky_banded: ab[2s - e, a + e] = Hvv[a, a + e]
    Hvv = np.zeros((W, 2 * s + 1, n))
    for e in range(0, min(2 * s, n - 1) + 1):
        Hvv[:, 2 * s - e, e:] = Hb[:, :n - e, e + 2 * s]
    return Hvv, Hvc, Hcc, gv, gc, np.array(rss), np.array(rmax)


def _cost(u: np.ndarray, v: np.ndarray, c: np.ndarray, step: Step, s: int) -> float:
    n = v.shape[1]
    r = v - u[:, 0]
    tot = float((r * r).sum())
    state = v
    for m in range(1, s + 1):
        state = step(state, c)[0]
        d = state - u[:, m, m:n - m]
        tot += float((d * d).sum())
    return tot


def rollout_fit(u: np.ndarray, step: Step, c0: np.ndarray, window: int,
                G: np.ndarray | None = None, h: np.ndarray | None = None,
                rel_step: float = 1e-3, max_iter: int = 60) -> RolloutResult:
    """Fit ``c`` (and each window's clean first state) to snapshots ``u`` (time, x); see the
    module docstring. ``c0`` starts Gauss-Newton (the one-step fit); it stops when the step in
    every coefficient is below ``rel_step`` of its standard error."""
    steps, n = u.shape
    s = window
    starts = windows(steps, s, n)
    uw = np.stack([u[n0:n0 + s + 1] for n0 in starts]).astype(float)
    p = c0.size
    c = np.asarray(c0, float).copy()
    v = uw[:, 0].copy()
    cost = _cost(uw, v, c, step, s)
    obs = sum(n - 2 * m for m in range(s + 1)) * len(starts)
    active: tuple[int, ...] = ()
    cov_unit = np.zeros((p, p))
    it = 0
    notes: list[str] = []
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        Hvv, Hvc, Hcc, gv, gc, _, _ = _window_system(uw, v, c, step, s)
        H, g = Hcc.sum(axis=0), gc.sum(axis=0)
        # the windows' systems are independent: one block-diagonal banded factorisation
        # (upper storage puts no entry across blocks, so the bands concatenate)
        W = len(starts)
        fac = sla.cholesky_banded(np.concatenate(list(Hvv), axis=1))   # banded, >= I
        sol_v = sla.cho_solve_banded((fac, False), np.concatenate(
            [Hvc.reshape(W * n, p), gv.reshape(W * n, 1)], axis=1))
        Hi_vc, Hi_gv = sol_v[:, :p].reshape(W, n, p), sol_v[:, p].reshape(W, n)
        H -= np.einsum("wnp,wnq->pq", Hvc, Hi_vc)
        g -= np.einsum("wnp,wn->p", Hvc, Hi_gv)
        # reduced problem in c: min 1/2 dc^T H dc + g^T dc (s.t. G (c + dc) >= h), as least
        # squares |L^T c - (L^T c_k - L^-1 g)| with H = L L^T
        try:
            L = np.linalg.cholesky(H)
        except np.linalg.LinAlgError:
            raise DataError("the rollout fit's reduced problem is singular: the windows do not "
                            "determine every flux coefficient (too smooth or too little data); "
                            "use a lower flux degree, longer windows or more snapshots") from None
        sol = constrained_lsq.solve(L.T, L.T @ c - np.linalg.solve(L, g), G=G, h=h)
        dc = sol.c - c
        active, cov_unit = sol.active, sol.cov_unit[:p, :p]
        dv = -(Hi_gv + Hi_vc @ dc)
        t = 1.0
        while True:  # backtracking keeps Gauss-Newton monotone far from the optimum
            c_new, v_new = c + t * dc, v + t * dv
            new = _cost(uw, v_new, c_new, step, s)
            if new <= cost or t < 1e-4:
                break
            t /= 2
        se = np.sqrt(np.clip(np.diag(cov_unit), 0, None) * new / max(obs - p, 1))
        done = bool(np.all(np.abs(t * dc) <= rel_step * np.maximum(se, 1e-15)))
        c, v, cost = c_new, v_new, new
        if done:
            break
    else:
        notes.append(f"rollout Gauss-Newton stopped after {max_iter} iterations")
    rmax = float(_window_system(uw, v, c, step, s)[6])
    block = np.concatenate([uw[:, m, m:n - m].ravel() for m in range(s + 1)])
    ss = float(((block - block.mean()) ** 2).sum())
    k = p - len(active) + n * len(starts)
    dof = obs - k
    notes.append(f"rollout fit: {len(starts)} windows of {s} steps, {obs} observations, "
                 f"{k} unknowns (flux and each window's clean first state), {it} Gauss-Newton "
                 f"iterations; noise estimate sigma = {np.sqrt(cost / max(dof, 1)):.3e}")
    return RolloutResult(c, cov_unit, cov_unit * (cost / dof if dof > 0 else 0.0), cost, obs,
                         dof, rmax, ss, it, active, notes)
