"""Least-squares plumbing shared by the scheme fits: rows (windowed, instrumented), checks of
the design, residual statistics and intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from mcgen.train import constrained_lsq
from mcgen.train.exact_rounding import simplest_rational
from mcgen.train.snapshots import DataError, Snapshots

INSTRUMENT_LAGS = 2  # instruments from the two windows before: a stronger first stage


def ci_half(cov: np.ndarray, dof: int) -> np.ndarray:
    tq = float(stats.t.ppf(0.975, max(dof, 1)))
    return tq * np.sqrt(np.clip(np.diag(cov), 0, None))


def check_rows(X: np.ndarray, n_unknowns: int, snap: Snapshots) -> None:
    rows = X.shape[0]
    if rows < n_unknowns:
        per_step = rows // max(snap.steps - 1, 1)
        need = -(-n_unknowns // max(per_step, 1)) + 1
        raise DataError(f"{snap.steps} snapshots give {rows} equations for {n_unknowns} "
                        f"unknowns: too few snapshots for the unknowns (give at least {need}, or "
                        "a smaller support)")
    rank = np.linalg.matrix_rank(X)
    if rank < n_unknowns:
        raise DataError(f"the data determine only {rank} of the {n_unknowns} unknowns (rank-"
                        "deficient design: e.g. constant or too smooth data, or too few "
                        "snapshots): use richer initial data, more snapshots, or a smaller "
                        "support")


def rows_with_instruments(build: Any, u: np.ndarray, instruments: bool, window: int = 1
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X, y) of the data and (X_fit, y_fit) the solver sees.

    ``window = s > 1`` sums the one-step equations over non-overlapping windows of s steps (an
    exact identity of the update, linear in the unknowns: the signal grows like s, independent
    noise like sqrt(s)). With ``instruments`` the rows are projected (2SLS) onto the same
    columns of the window before, whose noise is independent of this window's.
    """
    X1, y1 = build(u)
    steps = u.shape[0] - 1
    if window > 1:
        sites = X1.shape[0] // steps
        nwin = steps // window
        if nwin < 1 + int(instruments):
            raise DataError(f"window={window} leaves {nwin} window(s) in {steps} steps: give "
                            "more snapshots or a shorter window")
        use = nwin * window
        X3 = X1[:use * sites].reshape(nwin, window, sites, -1).sum(axis=1)
        y3 = y1[:use * sites].reshape(nwin, window, sites).sum(axis=1)
    else:
        sites = X1.shape[0] // steps
        X3 = X1.reshape(steps, sites, -1)
        y3 = y1.reshape(steps, sites)
    if not instruments:
        X, y = X3.reshape(-1, X3.shape[-1]), y3.ravel()
        return X, y, X, y
    lags = INSTRUMENT_LAGS if X3.shape[0] > INSTRUMENT_LAGS + 1 else 1
    X, y = X3[lags:].reshape(-1, X3.shape[-1]), y3[lags:].ravel()
    Z = np.hstack([X3[lags - m: X3.shape[0] - m].reshape(-1, X3.shape[-1])
                   for m in range(1, lags + 1)])
    Xf, yf = constrained_lsq.instrument(X, y, Z)
    return X, y, Xf, yf


def residual_stats(sol: constrained_lsq.LsqResult, X: np.ndarray, y: np.ndarray
                    ) -> constrained_lsq.LsqResult:
    """Residual sum, degrees of freedom and covariance on the data rows (under 2SLS the solver
    saw projected rows only)."""
    from dataclasses import replace
    r = X @ sol.c - y
    rss = float(r @ r)
    k = int(np.linalg.matrix_rank(sol.cov_unit)) if sol.cov_unit.any() else 0
    dof = X.shape[0] - k
    return replace(sol, rss=rss, dof=dof, cov=sol.cov_unit * (rss / dof if dof > 0 else 0.0))


def rational_matrix(A: np.ndarray) -> sp.Matrix:
    return sp.Matrix([[simplest_rational(float(v), 1e-13) for v in row] for row in A]) \
        if A.size else sp.zeros(0, A.shape[1])


def rounding_floor(X: np.ndarray, c: np.ndarray) -> float:
    """The float error a least-squares solution can carry from rounding alone, about
    cond(X) * eps * |c| (times a safety factor): clean data get no smaller rounding
    tolerance than this, so a fit of 0.4999999999995 still rounds to 1/2."""
    cond = float(np.linalg.cond(X)) if X.size else 1.0
    return 10.0 * min(cond, 1e8) * float(np.finfo(float).eps) * max(1.0, float(np.abs(c).max()))
