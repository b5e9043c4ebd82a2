"""Constrained least squares: min |X c - y|^2 subject to A c = b(theta), G c >= 0.

``b`` may depend polynomially on a few free parameters ``theta`` (the coefficients of the law the
moment conditions refer to, e.g. the Courant number); they are fitted together with ``c``.

Solver (SciPy + NumPy, no penalties):

1. equality constraints by nullspace parametrisation ``x = x_p + N z`` (``scipy.linalg.null_space``,
   an exact KKT solve of the linearised problem); a polynomial ``b(theta)`` is linearised and the
   solve repeated (Gauss-Newton / SQP), which converges quadratically at small residual;
2. inequality constraints by an active set: when the equality solution violates ``G c >= 0``,
   ``scipy.optimize.minimize(method="SLSQP")`` finds the constrained optimum, the constraints
   active there are added as equalities and step 1 is re-run, so the returned point solves its
   KKT system to rounding (not only to the QP solver's tolerance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla
from scipy.optimize import minimize


class InfeasibleConstraints(ValueError):
    """The constraints admit no point (``derivation`` holds a Farkas certificate when found)."""

    def __init__(self, message: str, derivation: object = None) -> None:
        super().__init__(message)
        self.derivation = derivation


@dataclass
class LsqResult:
    c: np.ndarray
    theta: np.ndarray
    cov: np.ndarray                 # covariance of (c, theta), linearised, from the residual
    cov_unit: np.ndarray            # the same for unit residual variance: N (M^T M)^+ N^T
    active: tuple[int, ...]         # rows of G active at the solution (held as equalities)
    rss: float
    dof: int
    iterations: int
    notes: list[str] = field(default_factory=list)

    @property
    def sigma2(self) -> float:
        return self.rss / self.dof if self.dof > 0 else float("nan")


def _eq_lsq(Xe: np.ndarray, y: np.ndarray, C: np.ndarray, d: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """min |Xe x - y| s.t. C x = d, via x = x_p + N z. Returns (x, N)."""
    n = Xe.shape[1]
    if C.shape[0] == 0:
        N = np.eye(n)
        x_p = np.zeros(n)
    else:
        x_p = np.linalg.lstsq(C, d, rcond=None)[0]
        if np.linalg.norm(C @ x_p - d) > 1e-9 * max(1.0, float(np.linalg.norm(d))):
            raise InfeasibleConstraints("the equality constraints contradict each other")
        N = sla.null_space(C)
    if N.shape[1] == 0:
        return x_p, N
    M = Xe @ N
    z = np.linalg.lstsq(M, y - Xe @ x_p, rcond=None)[0]
    return x_p + N @ z, N


def solve(X: np.ndarray, y: np.ndarray, A: np.ndarray | None = None,
          b: Callable[[np.ndarray], np.ndarray] | None = None,
          Jb: Callable[[np.ndarray], np.ndarray] | None = None, theta0: np.ndarray | None = None,
          G: np.ndarray | None = None, h: np.ndarray | None = None, tol: float = 1e-12,
          max_iter: int = 60) -> LsqResult:
    """Solve the constrained least-squares problem (inequalities ``G c >= h``, h = 0 by
    default; see the module docstring)."""
    n = X.shape[1]
    A = np.zeros((0, n)) if A is None else np.asarray(A, float)
    theta = np.zeros(0) if theta0 is None else np.asarray(theta0, float)
    p = theta.size
    if b is None:
        def b(_t: np.ndarray) -> np.ndarray:
            return np.zeros(A.shape[0])
    if Jb is None:
        def Jb(_t: np.ndarray) -> np.ndarray:
            return np.zeros((A.shape[0], p))
    G = np.zeros((0, n)) if G is None else np.asarray(G, float)
    h = np.zeros(G.shape[0]) if h is None else np.asarray(h, float)
    Xe = np.hstack([X, np.zeros((X.shape[0], p))])
    scale = max(1.0, float(np.abs(X).max()))

    def eq_solve(active: tuple[int, ...], th: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        it = 0
        x = np.concatenate([np.zeros(n), th])
        while it < max_iter:
            it += 1
            J = Jb(th)
            C = np.vstack([np.hstack([A, -J]), np.hstack([G[list(active)],
                                                          np.zeros((len(active), p))])])
            d = np.concatenate([b(th) - J @ th, h[list(active)]])
            x_new, N = _eq_lsq(Xe, y, C, d)
            step = np.linalg.norm(x_new - x)
            x, th = x_new, x_new[n:]
            if p == 0 or step <= tol * max(1.0, float(np.linalg.norm(x))):
                break
        return x, N, it

    active: tuple[int, ...] = ()
    x, N, its = eq_solve(active, theta)
    notes: list[str] = []
    if G.shape[0] and (G @ x[:n] - h).min() < -1e-12 * scale:
        def fun(v: np.ndarray) -> float:
            r = Xe @ v - y
            return float(r @ r)

        def jac(v: np.ndarray) -> np.ndarray:
            return 2.0 * Xe.T @ (Xe @ v - y)

        cons = [{"type": "ineq", "fun": lambda v: G @ v[:n] - h, "jac": lambda v: np.hstack(
            [G, np.zeros((G.shape[0], p))])}]
        if A.shape[0]:
            cons.append({"type": "eq", "fun": lambda v: A @ v[:n] - b(v[n:]),
                         "jac": lambda v: np.hstack([A, -Jb(v[n:])])})
        start = x.copy()
        res = minimize(fun, start, jac=jac, constraints=cons, method="SLSQP",
                       options={"maxiter": 500, "ftol": 1e-16})
        v = res.x
        feas_eq = np.abs(A @ v[:n] - b(v[n:])).max() if A.shape[0] else 0.0
        if (G @ v[:n] - h).min() < -1e-7 or feas_eq > 1e-7:
            raise InfeasibleConstraints("no point satisfies the equality constraints together "
                                        f"with the inequalities (SLSQP: {res.message})")
        gv = G @ v[:n] - h
        active = tuple(int(i) for i in np.flatnonzero(gv <= 1e-7 * max(1.0, np.abs(gv).max())))
        # keep an independent subset (sampled constraints are often dependent)
        keep: list[int] = []
        for i in active:
            if np.linalg.matrix_rank(G[keep + [i]]) > len(keep):
                keep.append(i)
        active = tuple(keep)
        x, N, its2 = eq_solve(active, v[n:])
        its += its2
        notes.append(f"inequalities active at the optimum: rows {list(active)} of G "
                     "(held as equalities in the exact solve)")
    c, th = x[:n], x[n:]
    r = X @ c - y
    rss = float(r @ r)
    dof = X.shape[0] - N.shape[1]
    if N.shape[1]:
        M = Xe @ N
        s2 = rss / dof if dof > 0 else 0.0
        unit = N @ np.linalg.pinv(M.T @ M) @ N.T
    else:
        s2, unit = 0.0, np.zeros((n + p, n + p))
    return LsqResult(c, th, unit * s2, unit, active, rss, dof, its, notes)


def instrument(X: np.ndarray, y: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-stage least squares: (Q^T X, Q^T y) with Q an orthonormal basis of the instruments
    Z. Minimising |Q^T (X c - y)| is the IV estimator, free of the bias that noise in the
    regressors X gives ordinary least squares, when Z is correlated with X but not with its
    noise (the snapshot before, under noise independent in time)."""
    if Z.shape[1] < X.shape[1]:
        raise ValueError("fewer instruments than unknowns")
    Q, _ = np.linalg.qr(Z)
    return Q.T @ X, Q.T @ y
