"""Learn a Markov chain from observed jumps: constrained maximum likelihood on a support.

The jumps of walkers (integer offsets on ``Z^d``, d = 1, 2 or 3, one per transition) are a
multinomial sample of the chain's row ``p_k``. The maximum-likelihood estimate is the empirical
frequency; with linear constraints (symmetry ``p_k = p_-k``, a prescribed mean jump, prescribed
raw moments ``sum_k k^alpha p_k``) it is the maximiser of ``sum_k n_k log p_k`` on the constraint
set (``scipy.optimize.minimize``, SLSQP; feasibility first by ``scipy.optimize.linprog``, and a
Farkas certificate from the synthesis layer when the moments cannot hold). Positivity and
normalisation are part of the model: the estimate is rounded to rationals that sum to one exactly
and are non-negative, so the result is a valid :class:`~mcgen.model.jump_process.JumpProcess`
whose macroscopic limit (drift vector, diffusion matrix) is derived by the analysis layer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import stats
from scipy.optimize import linprog, minimize

from mcgen.analysis.jump_limit import jump_process_limit
from mcgen.errors import AnalysisError
from mcgen.model.jump_process import JumpProcess
from mcgen.model.symbols import dt as DT
from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.synthesis.farkas import infeasibility_derivation
from mcgen.synthesis.moment_conditions import monomial
from mcgen.train.exact_rounding import project_affine, rationalize, simplest_rational
from mcgen.train.fit_result import InfeasibleFit
from mcgen.train.snapshots import DataError

Z95 = float(stats.norm.ppf(0.975))
Offset = tuple[int, ...]


@dataclass(frozen=True)
class ChainFit:
    """A learned chain: ``process`` (exact rational probabilities), float ``probabilities``,
    95% ``intervals``, ``drift`` and ``diffusion`` (physical units: floats in 1-D; a vector and
    a d x d matrix in d-D), the ``invariance`` test (when positions were given) and
    ``derivations``. Keys are integer offsets in 1-D and tuples in d-D."""

    process: JumpProcess
    probabilities: dict[Any, float]
    intervals: dict[Any, tuple[float, float]]
    counts: dict[Any, int]
    drift: Any
    diffusion: Any
    log_likelihood: float
    invariance: dict[str, float] | None
    derivations: dict[str, Derivation]


def _support(support: Any, dim: int) -> list[Offset]:
    if isinstance(support, (int, np.integer)):
        r = int(support)
        if r < 0:
            raise DataError(f"support radius {r} is negative")
        return sorted(itertools.product(range(-r, r + 1), repeat=dim))
    out = [(int(k),) if isinstance(k, (int, np.integer)) else tuple(int(c) for c in k)
           for k in support]
    if not out:
        raise DataError("the support is empty: give the offsets the chain may take")
    bad = [k for k in out if len(k) != dim]
    if bad:
        raise DataError(f"offsets {bad[:3]} have {len(bad[0])} components but the jumps are "
                        f"{dim}-D: give {dim}-component offsets")
    if len(set(out)) != len(out):
        raise DataError(f"support {list(support)} lists an offset twice")
    return sorted(out)


def _dimension(arr: np.ndarray, support: Any, positions: Any) -> int:
    if not isinstance(support, (int, np.integer)):
        first = next(iter(support), None)
        if first is not None and not isinstance(first, (int, np.integer)):
            return len(tuple(first))
        return 1
    if arr.ndim == 2 and (arr.shape[0] != arr.shape[1] or positions is not None):
        return int(arr.shape[1])
    return 1


def _tally(jumps: Any, support: list[Offset], dim: int, positions: Any
           ) -> tuple[np.ndarray, np.ndarray | None]:
    """Offsets (one row per transition, shape (N, d)) and their start positions (N, d)."""
    arr = np.asarray(jumps)
    if dim == 1 and arr.ndim == 2 and arr.shape[0] == arr.shape[1] and positions is None:
        # a count matrix C[i, j]: transitions i -> j
        if not np.all(np.isfinite(arr)):
            raise DataError("the count matrix contains NaN/inf: counts are integers >= 0")
        if (arr < 0).any() or not np.allclose(arr, np.round(arr)):
            raise DataError("a count matrix holds non-negative integers C[i, j] (i -> j)")
        i, j = np.nonzero(arr)
        reps = np.round(arr[i, j]).astype(np.int64)
        return np.repeat(j - i, reps)[:, None], np.repeat(i, reps).astype(float)[:, None]
    if dim == 1 and arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise DataError(f"jumps of shape {arr.shape} for a {dim}-D support: give an integer array "
                        f"of offsets, one per transition ({'(N,)' if dim == 1 else f'(N, {dim})'})"
                        + (" or a square count matrix C[i, j]" if dim == 1 else ""))
    if arr.shape[0] == 0:
        raise DataError("no jumps were given")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)):
            raise DataError("jumps contain NaN/inf: offsets are integers")
        if not np.allclose(arr, np.round(arr)):
            raise DataError("jumps are not integers: give offsets in grid units")
        arr = np.round(arr).astype(np.int64)
    pos = None
    if positions is not None:
        pos = np.asarray(positions, dtype=float)
        pos = pos[:, None] if pos.ndim == 1 and dim == 1 else pos
        if pos.shape != arr.shape:
            raise DataError(f"positions has shape {np.asarray(positions).shape} but there are "
                            f"{arr.shape[0]} {dim}-D jumps: give one start position per jump")
        if not np.all(np.isfinite(pos)):
            raise DataError("positions contain NaN/inf: give the start site of every jump")
    seen = set(_distinct(arr)[0])
    outside = sorted(seen - set(support))
    if outside:
        shown = [k[0] for k in outside[:5]] if dim == 1 else outside[:5]
        raise DataError(f"observed jumps {shown} lie outside the support: widen the support (a "
                        "chain cannot make a jump it does not have)")
    return arr, pos


def _distinct(arr: np.ndarray) -> tuple[list[Offset], np.ndarray]:
    """The distinct offset rows and each row's index among them (a mixed-radix integer code:
    a 1-D sort, much faster than ``np.unique(axis=0)`` on 10^6 rows)."""
    lo = arr.min(axis=0)
    span = arr.max(axis=0) - lo + 1
    code = np.zeros(arr.shape[0], dtype=np.int64)
    for ax in range(arr.shape[1]):
        code = code * int(span[ax]) + (arr[:, ax] - lo[ax])
    vals, inverse = np.unique(code, return_inverse=True)
    rows = []
    for v in vals.tolist():
        digits = []
        for ax in reversed(range(arr.shape[1])):
            v, r = divmod(v, int(span[ax]))
            digits.append(r + int(lo[ax]))
        rows.append(tuple(reversed(digits)))
    return rows, inverse.ravel()


def _mle(n: np.ndarray, C: np.ndarray, d: np.ndarray) -> np.ndarray:
    """argmax sum n_k log p_k on {p >= 0, sum p = 1, C p = d} (feasibility checked before)."""
    K = n.size
    if C.shape[0] == 0:
        return n / n.sum()
    p0 = (n + 0.5) / (n.sum() + 0.5 * K)

    def f(p: np.ndarray) -> float:
        return -float(n @ np.log(np.clip(p, 1e-300, None)))

    def g(p: np.ndarray) -> np.ndarray:
        return -n / np.clip(p, 1e-300, None)

    cons = [{"type": "eq", "fun": lambda p: np.concatenate([[p.sum() - 1], C @ p - d]),
             "jac": lambda p: np.vstack([np.ones(K), C])}]
    res = minimize(f, p0, jac=g, constraints=cons, bounds=[(0, 1)] * K, method="SLSQP",
                   options={"ftol": 1e-15, "maxiter": 500})
    gap = np.abs(np.concatenate([[res.x.sum() - 1], C @ res.x - d])).max()
    if not res.success and gap > 1e-8:
        raise DataError(f"the constrained maximum likelihood did not converge ({res.message})")
    return np.clip(res.x, 0, None)


def _wilson(n_k: float, N: float) -> tuple[float, float]:
    ph = n_k / N
    den = 1 + Z95 ** 2 / N
    mid = (ph + Z95 ** 2 / (2 * N)) / den
    half = Z95 * np.sqrt(ph * (1 - ph) / N + Z95 ** 2 / (4 * N ** 2)) / den
    return float(mid - half), float(mid + half)


def _constraint_rows(sup: list[Offset], dim: int, symmetric: bool, mean: Any,
                     moments: dict[Any, float] | None
                     ) -> tuple[list[np.ndarray], list[float], list[tuple[int, ...]], int]:
    """Linear rows C p = d: moment rows first (with their multi-indices), then symmetry rows."""
    idx = {k: i for i, k in enumerate(sup)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    alphas: list[tuple[int, ...]] = []
    want: dict[tuple[int, ...], float] = {}
    if mean is not None:
        m = np.atleast_1d(np.asarray(mean, dtype=float))
        if m.shape != (dim,) or not np.all(np.isfinite(m)):
            raise DataError(f"mean={mean!r}: give {dim} finite number(s), the mean jump in grid "
                            "units")
        for i in range(dim):
            want[tuple(int(j == i) for j in range(dim))] = float(m[i])
    for al, v in (moments or {}).items():
        a = (int(al),) if isinstance(al, (int, np.integer)) else tuple(int(c) for c in al)
        if len(a) != dim or min(a) < 0 or sum(a) == 0:
            raise DataError(f"moments key {al!r}: give a multi-index of {dim} non-negative "
                            "integers, not all zero (the zeroth moment is the normalisation)")
        if a in want and want[a] != float(v):
            raise DataError(f"moment {a} is prescribed twice ({want[a]} and {v})")
        want[a] = float(v)
    for a, v in sorted(want.items(), key=lambda t: (sum(t[0]), t[0])):
        rows.append(np.array([float(monomial(k, a)) for k in sup]))
        rhs.append(v)
        alphas.append(a)
    n_moment = len(rows)
    if symmetric:
        for k in sup:
            if k > tuple(-c for c in k):
                mk = tuple(-c for c in k)
                if mk not in idx:
                    raise DataError(f"symmetric=True needs {mk} in the support with {k}")
                r = np.zeros(len(sup))
                r[idx[k]], r[idx[mk]] = 1, -1
                rows.append(r)
                rhs.append(0.0)
    return rows, rhs, alphas, n_moment


def _infeasible(sup: list[Offset], dim: int, C: np.ndarray, d: np.ndarray,
                alphas: list[tuple[int, ...]], n_moment: int) -> InfeasibleFit | None:
    """None when {p >= 0, sum p = 1, C p = d} has a point; else the error, with the Farkas
    certificate of the moment rows when they alone cannot hold."""
    A = np.vstack([np.ones(len(sup)), C])
    b = np.concatenate([[1.0], d])
    lp = linprog(np.zeros(len(sup)), A_eq=A, b_eq=b, bounds=[(0, None)] * len(sup),
                 method="highs")
    if lp.status == 0:
        return None
    zero = (0,) * dim
    al = [zero] + alphas
    A_ex = sp.Matrix([[monomial(k, a) for k in sup] for a in al])
    b_ex = sp.Matrix([1] + [simplest_rational(v, 1e-13) for v in d[:n_moment]])
    shown = [k[0] for k in sup] if dim == 1 else sup
    try:
        deriv = infeasibility_derivation(A_ex, b_ex, tuple(sup), al,
                                         title=f"no probability row on {shown} has the "
                                               "prescribed moments")
    except AnalysisError:   # the moments alone can hold: symmetry is what contradicts them
        return InfeasibleFit(f"no probability row on {shown} meets the prescribed moments "
                             "together with symmetric=True (symmetry forces every odd moment to "
                             "0): drop symmetric=True or the odd moments")
    cert = "; ".join(st.reason for st in deriv.steps if st.check.kind == "farkas_infeasible")
    return InfeasibleFit(f"no non-negative probabilities on {shown} have the prescribed "
                         f"moments {dict(zip(alphas, d[:n_moment].tolist(), strict=True))}: "
                         "widen the support or change the moments. Farkas certificate: " + cert,
                         deriv)


def fit_chain(jumps: Any, support: Any, dx: Any, dt: float, *, positions: Any = None,
              symmetric: bool = False, mean: Any = None,
              moments: dict[Any, float] | None = None, bins: int = 5) -> ChainFit:
    """Maximum-likelihood transition probabilities of a chain on ``support`` (1-D to 3-D).

    Parameters
    ----------
    jumps : integer offsets (grid units), one per observed transition: shape ``(N,)`` in 1-D,
        ``(N, d)`` in d-D; or, in 1-D, a square count matrix ``C[i, j]`` of transitions i -> j
        (positions then come from i).
    support : the offsets the chain may take (``[-1, 0, 1]``, ``[(0, 0), (1, 0), (0, 1)]``), or
        a radius (every offset with ``|k_i| <= r``; the dimension from ``jumps``).
    dx, dt : lattice step(s) (a number, or one per axis) and time step: the drift and diffusion
        in physical units.
    positions : start positions of the jumps (``(N,)`` or ``(N, d)``): enables the
        likelihood-ratio test of translation invariance (one multinomial for all) against state
        dependence (one per position cell).
    symmetric : impose ``p_k = p_-k`` (zero drift).
    mean : impose the mean jump (grid units; d numbers in d-D).
    moments : impose raw moments ``{alpha: sum_k k^alpha p_k}`` (alpha a multi-index, or an
        exponent in 1-D), e.g. ``{(2, 0): 0.5, (0, 2): 0.5}``.
    bins : equal-count position bins per axis for the invariance test (``bins**d`` cells).

    Raises
    ------
    DataError : jumps outside the support, NaN, a malformed support or constraint.
    InfeasibleFit : the constraints admit no probability row (with the Farkas certificate when
        the moments are what cannot hold).
    """
    arr0 = np.asarray(jumps)
    dim = _dimension(arr0, support, positions)
    if not 1 <= dim <= 3:
        raise DataError(f"{dim}-D jumps: fit_chain handles 1-3 D")
    sup = _support(support, dim)
    arr, pos = _tally(jumps, sup, dim, positions)
    dxs = np.atleast_1d(np.asarray(dx, dtype=float))
    dxs = np.repeat(dxs, dim) if dxs.size == 1 else dxs
    if dxs.shape != (dim,) or not np.all(dxs > 0) or not float(dt) > 0:
        raise DataError(f"dx={dx!r}, dt={dt!r}: give {dim} positive lattice step(s) and a "
                        "positive dt")
    idx = {k: i for i, k in enumerate(sup)}
    uniq, inverse = _distinct(arr)
    cnt = np.bincount(inverse, minlength=len(uniq))
    n = np.zeros(len(sup))
    for row, c_ in zip(uniq, cnt, strict=True):
        n[idx[row]] = c_
    N = float(n.sum())
    rows, rhs, alphas, n_moment = _constraint_rows(sup, dim, symmetric, mean, moments)
    C = np.array(rows) if rows else np.zeros((0, len(sup)))
    d = np.array(rhs)
    if C.shape[0]:
        err = _infeasible(sup, dim, C, d, alphas, n_moment)
        if err is not None:
            raise err
    p = _mle(n, C, d)
    key = (lambda k: k[0]) if dim == 1 else (lambda k: k)
    # ---- intervals: Wilson (unconstrained) or asymptotic on the constraint set
    if C.shape[0] == 0:
        intervals = {key(k): _wilson(n[i], N) for i, k in enumerate(sup)}
        se = np.sqrt(p * (1 - p) / N)
    else:
        import scipy.linalg as sla
        Zb = sla.null_space(np.vstack([np.ones(len(sup)), C]))
        info = N * np.diag(1 / np.clip(p, 1e-12, None))
        cov = Zb @ np.linalg.pinv(Zb.T @ info @ Zb) @ Zb.T
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        intervals = {key(k): (float(p[i] - Z95 * se[i]), float(p[i] + Z95 * se[i]))
                     for i, k in enumerate(sup)}
    # ---- exact probabilities: rounded, projected onto sum = 1 and the constraints
    A_ex = sp.Matrix([[1] * len(sup)] + [[simplest_rational(float(v), 1e-13) for v in r]
                                          for r in C])
    b_ex = sp.Matrix([1] + [simplest_rational(float(v), 1e-13) for v in d])
    q = None
    for rel in (0.25, 1e-3, 0.0):
        tols = np.maximum(1e-14, se * rel)
        if C.shape[0] == 0:   # normalisation only: the most likely jump takes the remainder
            big = int(np.argmax(p))
            rest = rationalize(np.delete(p, big), np.delete(tols, big))
            cand = sp.Matrix(rest[:big] + [1 - sum(rest)] + rest[big:])
        else:
            cand = project_affine(rationalize(p, tols), A_ex, b_ex)
        if all(v >= 0 for v in cand):
            q = cand
            break
    if q is None:
        raise DataError("the estimate could not be rounded to exact non-negative probabilities")
    zero = (0,) * dim
    probs = {k: sp.Rational(v) for k, v in zip(sup, q, strict=True) if v != 0 or k == zero}
    hs = [simplest_rational(float(v), 1e-14 * float(v)) for v in dxs]
    dt_val = simplest_rational(float(dt), 1e-14 * float(dt))
    jp = JumpProcess(dict(probs), time="discrete", scaling="none", reading="forward",
                     name="learned chain")
    derivs: dict[str, Derivation] = {}
    bld = DerivationBuilder("Learned chain: a valid transition row, exactly")
    i0 = bld.define(sp.And(*[sp.Eq(sp.Symbol(f"p_{key(k)}"), v) for k, v in probs.items()]),
                    f"maximum-likelihood estimate from {int(N)} transitions, rounded to "
                    "rationals and projected exactly onto the constraints")
    u1 = bld.identity(sum(probs.values()), 1, "normalisation: the probabilities sum to one",
                      uses=[i0], claim=sp.Eq(sp.Symbol("sum_k p_k"), 1, evaluate=False))
    u2 = bld.step("every probability is >= 0", "positivity",
                  Check("truth", (sp.And(*[v >= 0 for v in probs.values()]),)), uses=[i0])
    used = [u1, u2]
    for a, target in zip(alphas, b_ex[1:1 + n_moment], strict=True):
        used.append(bld.identity(sum(monomial(k, a) * v for k, v in probs.items()), target,
                                 f"the prescribed moment sum_k k^{list(a)} p_k", uses=[i0]))
    if symmetric:
        for k, v in probs.items():
            mk = tuple(-c for c in k)
            if k > mk:
                used.append(bld.identity(v, probs.get(mk, sp.S.Zero),
                                         f"symmetry p_{key(k)} = p_{key(mk)}", uses=[i0]))
    bld.step(jp, "a discrete-time jump process on the support", uses=used)
    derivs["constraints"] = bld.finish_concluded(jp)
    lim = jump_process_limit(jp, order=2)
    derivs["limit"] = lim
    drift_ex, diff_ex = _coefficients(jp, probs, hs, dt_val, lim, derivs)
    ll = float(np.sum(n[n > 0] * np.log(p[n > 0])))
    inv = None
    if pos is not None:
        inv = _invariance_test(arr, pos, sup, idx, bins)
        ib = DerivationBuilder("Likelihood-ratio test: translation invariance vs state dependence")
        ib.define(f"{inv['cells']:.0f} equal-count position cells; G = 2 (l_binned - l_pooled) = "
                  f"{inv['statistic']:.4g}, df = {int(inv['df'])}",
                  "Wilks: G is asymptotically chi-squared under translation invariance")
        ib.define(f"p-value {inv['p_value']:.4g}", "upper tail of chi-squared(df)")
        derivs["invariance"] = ib.finish_concluded("state dependent (reject invariance at 1%)"
                                                   if inv["p_value"] < 0.01 else
                                                   "consistent with translation invariance")
    if dim == 1:
        drift: Any = float(drift_ex[0])
        diffusion: Any = float(diff_ex[0, 0])
    else:
        drift = np.array([float(v) for v in drift_ex])
        diffusion = np.array(diff_ex.tolist(), dtype=float)
    return ChainFit(jp, {key(k): float(p[i]) for i, k in enumerate(sup)}, intervals,
                    {key(k): int(n[i]) for i, k in enumerate(sup)}, drift, diffusion, ll, inv,
                    derivs)


def _coefficients(jp: JumpProcess, probs: dict[Offset, sp.Rational], hs: list[sp.Rational],
                  dt_val: sp.Rational, lim: Derivation, derivs: dict[str, Derivation]
                  ) -> tuple[sp.Matrix, sp.Matrix]:
    """Drift vector and diffusion matrix at the data's steps: read off the derived limit law and
    checked, entry by entry, against the cumulants of the learned row (b = kappa_1 h / dt,
    D = kappa_2 h h^T / (2 dt))."""
    dim = jp.dim
    at = {DT: dt_val, **dict(zip(jp.h, hs, strict=True))}
    law = lim.result
    rho = law.fields[0]
    k1 = sp.Matrix([sum(k[i] * v for k, v in probs.items()) for i in range(dim)])
    k2 = sp.Matrix(dim, dim, lambda i, j: sum(k[i] * k[j] * v for k, v in probs.items())
                   - k1[i] * k1[j])
    drift = sp.Matrix([k1[i] * hs[i] / dt_val for i in range(dim)])
    diff = sp.Matrix(dim, dim, lambda i, j: k2[i, j] * hs[i] * hs[j] / (2 * dt_val))
    lb = DerivationBuilder("Drift and diffusion of the learned chain at the data's dx, dt")
    j0 = lb.step(law, lim.title, Check("derivation", (lim,)))
    names = "xyz"
    for i in range(dim):
        from_law = sp.cancel(sp.sympify(law.flux[i]).subs(at) / rho)
        lb.identity(from_law, drift[i],
                    f"drift b_{names[i]}: the limit law's flux / rho equals kappa_1 h / dt "
                    f"(kappa_1 = {k1[i]})", uses=[j0],
                    claim=sp.Eq(sp.Symbol(f"b_{names[i]}"), drift[i], evaluate=False))
    for i in range(dim):
        for j in range(i, dim):
            lb.identity(sp.sympify(law.diffusion[i, j]).subs(at), diff[i, j],
                        f"diffusion D_{names[i]}{names[j]}: the limit law's entry equals "
                        f"kappa_2 h h / (2 dt) (kappa_2 = {k2[i, j]})", uses=[j0],
                        claim=sp.Eq(sp.Symbol(f"D_{names[i]}{names[j]}"), diff[i, j],
                                    evaluate=False))
    derivs["coefficients"] = lb.finish_concluded((tuple(drift), diff))
    return drift, diff


def _invariance_test(arr: np.ndarray, pos: np.ndarray, sup: list[Offset], idx: dict[Offset, int],
                     bins: int) -> dict[str, float]:
    """G test of one multinomial for all start positions against one per position cell
    (equal-count bins per axis)."""
    cell = np.zeros(pos.shape[0], dtype=np.int64)
    ncell = 1
    for ax in range(pos.shape[1]):
        edges = np.unique(np.quantile(pos[:, ax], np.linspace(0, 1, bins + 1)))
        which = np.clip(np.searchsorted(edges, pos[:, ax], side="right") - 1, 0,
                        max(len(edges) - 2, 0))
        cell = cell * max(len(edges) - 1, 1) + which
        ncell *= max(len(edges) - 1, 1)
    uniq, inverse = _distinct(arr)
    code = np.array([idx[row] for row in uniq])[inverse]
    table = np.zeros((ncell, len(sup)))
    np.add.at(table, (cell, code), 1)
    table = table[table.sum(axis=1) > 0]
    ll_bins = 0.0
    for row in table:
        m = row.sum()
        nz = row > 0
        ll_bins += float(np.sum(row[nz] * np.log(row[nz] / m)))
    tot = table.sum(axis=0)
    nz = tot > 0
    ll_pool = float(np.sum(tot[nz] * np.log(tot[nz] / tot.sum())))
    G = 2 * (ll_bins - ll_pool)
    df = (table.shape[0] - 1) * (int(nz.sum()) - 1)
    return {"statistic": G, "df": float(df), "p_value": float(stats.chi2.sf(G, max(df, 1))),
            "cells": float(table.shape[0])}
