"""Learn a Markov chain from observed jumps: constrained maximum likelihood on a support.

The jumps of walkers (integer offsets, one per transition) are a multinomial sample of the
chain's row ``p_k``. The maximum-likelihood estimate is the empirical frequency; with linear
constraints (symmetry ``p_k = p_-k``, a prescribed mean) it is the maximiser of
``sum_k n_k log p_k`` on the constraint set (``scipy.optimize.minimize``, SLSQP). Positivity and
normalisation are part of the model: the estimate is rounded to rationals that sum to one exactly
and are non-negative, so the result is a valid :class:`~mcgen.model.jump_process.JumpProcess` whose
macroscopic limit is derived by the analysis layer (cumulants).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import stats
from scipy.optimize import minimize

from mcgen.analysis.jump_limit import jump_process_limit
from mcgen.model.jump_process import JumpProcess
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import h as H
from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.train.exact_rounding import project_affine, rationalize, simplest_rational
from mcgen.train.snapshots import DataError

Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class ChainFit:
    """A learned chain: ``process`` (exact rational probabilities), float ``probabilities``,
    95% ``intervals``, ``drift`` and ``diffusion`` (physical units), the ``invariance`` test
    (when positions were given) and ``derivations``."""

    process: JumpProcess
    probabilities: dict[int, float]
    intervals: dict[int, tuple[float, float]]
    counts: dict[int, int]
    drift: float
    diffusion: float
    log_likelihood: float
    invariance: dict[str, float] | None
    derivations: dict[str, Derivation]


def _tally(jumps: Any, support: list[int], positions: Any
           ) -> tuple[np.ndarray, np.ndarray | None]:
    """Offsets (one per transition) and their start positions, from either input form."""
    arr = np.asarray(jumps)
    if arr.ndim == 2 and arr.shape[0] == arr.shape[1] and positions is None:
        # a count matrix C[i, j]: transitions i -> j
        if (arr < 0).any() or not np.allclose(arr, np.round(arr)):
            raise DataError("a count matrix holds non-negative integers C[i, j] (i -> j)")
        i, j = np.nonzero(arr)
        reps = arr[i, j].astype(np.int64)
        return np.repeat(j - i, reps), np.repeat(i, reps)
    if arr.ndim != 1:
        raise DataError(f"jumps of shape {arr.shape}: give a 1-D integer array of offsets (one "
                        "per transition) or a square count matrix C[i, j]")
    if arr.size == 0:
        raise DataError("no jumps were given")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)):
            raise DataError("jumps contain NaN/inf: offsets are integers")
        if not np.allclose(arr, np.round(arr)):
            raise DataError("jumps are not integers: give offsets in grid units")
        arr = np.round(arr).astype(np.int64)
    pos = None if positions is None else np.asarray(positions, dtype=float)
    if pos is not None and pos.shape != arr.shape:
        raise DataError(f"positions has shape {pos.shape} but jumps {arr.shape}: give one start "
                        "position per jump")
    outside = sorted(set(np.unique(arr).tolist()) - set(support))
    if outside:
        raise DataError(f"observed jumps {outside[:5]} lie outside the support {support}: widen "
                        "the support (a chain cannot make a jump it does not have)")
    return arr, pos


def _mle(n: np.ndarray, C: np.ndarray, d: np.ndarray) -> np.ndarray:
    """argmax sum n_k log p_k on {p >= 0, sum p = 1, C p = d}."""
    K = n.size
    p0 = (n + 0.5) / (n.sum() + 0.5 * K)
    if C.shape[0] == 0:
        return n / n.sum()

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
        raise DataError("the constraints admit no probability vector on the support "
                        f"({res.message})")
    return np.clip(res.x, 0, None)


def _wilson(n_k: float, N: float) -> tuple[float, float]:
    ph = n_k / N
    den = 1 + Z95 ** 2 / N
    mid = (ph + Z95 ** 2 / (2 * N)) / den
    half = Z95 * np.sqrt(ph * (1 - ph) / N + Z95 ** 2 / (4 * N ** 2)) / den
    return float(mid - half), float(mid + half)


def fit_chain(jumps: Any, support: Any, dx: float, dt: float, *, positions: Any = None,
              symmetric: bool = False, mean: float | None = None, bins: int = 5) -> ChainFit:
    """Maximum-likelihood transition probabilities of a chain on ``support``.

    Parameters
    ----------
    jumps : integer offsets (grid units), one per observed transition, or a square count matrix
        ``C[i, j]`` of transitions i -> j (positions then come from i).
    support : the offsets the chain may take (``[-1, 0, 1]``, or a radius).
    dx, dt : lattice step and time step (for the drift and diffusion in physical units).
    positions : start positions of the jumps: enables the likelihood-ratio test of translation
        invariance (one multinomial for all) against state dependence (one per position bin).
    symmetric : impose ``p_k = p_-k`` (zero drift).
    mean : impose the mean jump (grid units).
    bins : number of equal-count position bins for the invariance test.
    """
    sup = sorted(range(-int(support), int(support) + 1)) if isinstance(support, int) \
        else sorted(int(k) for k in support)
    if len(set(sup)) != len(sup):
        raise DataError(f"support {support} lists an offset twice")
    arr, pos = _tally(jumps, sup, positions)
    idx = {k: i for i, k in enumerate(sup)}
    n = np.bincount(np.array([idx[int(k)] for k in np.unique(arr)]).repeat(
        np.unique(arr, return_counts=True)[1]), minlength=len(sup)).astype(float)
    N = float(n.sum())
    rows, rhs = [], []
    if symmetric:
        for k in sup:
            if k > 0:
                if -k not in idx:
                    raise DataError(f"symmetric=True needs -{k} in the support with {k}")
                r = np.zeros(len(sup))
                r[idx[k]], r[idx[-k]] = 1, -1
                rows.append(r)
                rhs.append(0.0)
    if mean is not None:
        rows.append(np.array(sup, dtype=float))
        rhs.append(float(mean))
    C = np.array(rows) if rows else np.zeros((0, len(sup)))
    d = np.array(rhs)
    p = _mle(n, C, d)
    # ---- intervals: Wilson (unconstrained) or asymptotic on the constraint set
    if C.shape[0] == 0:
        intervals = {k: _wilson(n[i], N) for i, k in enumerate(sup)}
        se = np.sqrt(p * (1 - p) / N)
    else:
        import scipy.linalg as sla
        Zb = sla.null_space(np.vstack([np.ones(len(sup)), C]))
        info = N * np.diag(1 / np.clip(p, 1e-12, None))
        cov = Zb @ np.linalg.pinv(Zb.T @ info @ Zb) @ Zb.T
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        intervals = {k: (float(p[i] - Z95 * se[i]), float(p[i] + Z95 * se[i]))
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
    probs = {k: sp.Rational(v) for k, v in zip(sup, q, strict=True) if v != 0 or k == 0}
    h_val = simplest_rational(dx, 1e-14 * dx)
    dt_val = simplest_rational(dt, 1e-14 * dt)
    jp = JumpProcess({(k,): v for k, v in probs.items()}, time="discrete", scaling="none",
                     reading="forward", name="learned chain")
    derivs: dict[str, Derivation] = {}
    bld = DerivationBuilder("Learned chain: a valid transition row, exactly")
    i0 = bld.define(sp.And(*[sp.Eq(sp.Symbol(f"p_{k}"), v) for k, v in probs.items()]),
                    f"maximum-likelihood estimate from {int(N)} transitions, rounded to "
                    "rationals and projected exactly onto the constraints")
    u1 = bld.identity(sum(probs.values()), 1, "normalisation: the probabilities sum to one",
                      uses=[i0], claim=sp.Eq(sp.Symbol("sum_k p_k"), 1, evaluate=False))
    u2 = bld.step("every probability is >= 0", "positivity",
                  Check("truth", (sp.And(*[v >= 0 for v in probs.values()]),)), uses=[i0])
    used = [u1, u2]
    if symmetric:
        used.append(bld.identity(sum(k * v for k, v in probs.items()), 0,
                                 "symmetry p_k = p_-k: zero mean jump", uses=[i0]))
    if mean is not None:
        used.append(bld.identity(sum(k * v for k, v in probs.items()), b_ex[-1],
                                 "the prescribed mean jump", uses=[i0]))
    bld.step(jp, "a discrete-time jump process on the support", uses=used)
    derivs["constraints"] = bld.finish_concluded(jp)
    lim = jump_process_limit(jp, order=2)
    derivs["limit"] = lim
    m1 = sum(k * v for k, v in probs.items())
    var = sum(k * k * v for k, v in probs.items()) - m1 ** 2
    drift = float(m1 * h_val / dt_val)
    diffusion = float(var * h_val ** 2 / (2 * dt_val))
    lb = DerivationBuilder("Drift and diffusion of the learned chain at the data's dx, dt")
    j0 = lb.step(lim.result, lim.title, Check("derivation", (lim,)))
    b_sym, d_sym = sp.symbols("b D")
    lb.identity((m1 * H / DT).subs({H: h_val, DT: dt_val}), m1 * h_val / dt_val,
                f"drift b = kappa_1 h / dt, kappa_1 = {m1}, at h = {h_val}, dt = {dt_val}",
                uses=[j0], claim=sp.Eq(b_sym, m1 * h_val / dt_val, evaluate=False))
    lb.identity((var * H ** 2 / (2 * DT)).subs({H: h_val, DT: dt_val}),
                var * h_val ** 2 / (2 * dt_val),
                f"diffusion D = kappa_2 h^2 / (2 dt), kappa_2 = {var}", uses=[j0],
                claim=sp.Eq(d_sym, var * h_val ** 2 / (2 * dt_val), evaluate=False))
    derivs["coefficients"] = lb.finish_concluded((drift, diffusion))
    ll = float(np.sum(n[n > 0] * np.log(p[n > 0])))
    inv = None
    if pos is not None:
        inv = _invariance_test(arr, pos, sup, idx, p, bins)
        ib = DerivationBuilder("Likelihood-ratio test: translation invariance vs state dependence")
        ib.define(f"{bins} equal-count position bins; G = 2 (l_binned - l_pooled) = "
                  f"{inv['statistic']:.4g}, df = {int(inv['df'])}",
                  "Wilks: G is asymptotically chi-squared under translation invariance")
        ib.define(f"p-value {inv['p_value']:.4g}",
                  "upper tail of chi-squared(df)")
        derivs["invariance"] = ib.finish_concluded("state dependent (reject invariance at 1%)"
                                         if inv["p_value"] < 0.01 else
                                         "consistent with translation invariance")
    return ChainFit(jp, {k: float(p[i]) for i, k in enumerate(sup)}, intervals,
                    {k: int(n[i]) for i, k in enumerate(sup)}, drift, diffusion, ll, inv, derivs)


def _invariance_test(arr: np.ndarray, pos: np.ndarray, sup: list[int], idx: dict[int, int],
                     p_pooled: np.ndarray, bins: int) -> dict[str, float]:
    edges = np.unique(np.quantile(pos, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, pos, side="right") - 1, 0, len(edges) - 2)
    code = np.array([idx[int(k)] for k in sup])[np.searchsorted(sup, arr)]
    table = np.zeros((len(edges) - 1, len(sup)))
    np.add.at(table, (which, code), 1)
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
    return {"statistic": G, "df": float(df), "p_value": float(stats.chi2.sf(G, max(df, 1)))}
