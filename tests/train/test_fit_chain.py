"""fit_chain: maximum likelihood on a support, exact row, the limit, the invariance test."""

import numpy as np
import pytest
import sympy as sp

from mcgen.train import DataError, InfeasibleFit
from mcgen.train.fit_chain import fit_chain

K = np.array([-1, 0, 1])


def test_drift_and_diffusion_within_one_percent_from_a_million_jumps():
    rng = np.random.default_rng(0)
    p = np.array([0.2, 0.5, 0.3])
    dx, dt = 0.01, 1e-4
    res = fit_chain(rng.choice(K, size=10 ** 6, p=p), [-1, 0, 1], dx=dx, dt=dt)
    b_true = 0.1 * dx / dt                                  # mean jump 0.1 grid units
    D_true = (0.5 - 0.1 ** 2) * dx ** 2 / (2 * dt)          # variance 0.49
    assert res.drift == pytest.approx(b_true, rel=1e-2)
    assert res.diffusion == pytest.approx(D_true, rel=1e-2)
    assert sum(res.process.jumps.values()) == 1             # exact rationals
    for k, (lo, hi) in res.intervals.items():
        assert lo < p[k + 1] < hi
    assert res.derivations["constraints"].status == "proved"
    assert res.derivations["coefficients"].status == "proved"
    # the limit derivation's drift is the learned chain's first cumulant
    lim = res.derivations["limit"]
    assert lim.status == "proved"


def test_symmetric_constraint_and_count_matrix():
    C = np.zeros((50, 50), dtype=int)
    for i in range(1, 49):
        C[i, i - 1], C[i, i], C[i, i + 1] = 30, 40, 10     # drift left, translation invariant
    res = fit_chain(C, [-1, 0, 1], dx=1.0, dt=1.0, symmetric=True)
    # constrained MLE: p_-1 = p_1 = (n_-1 + n_1) / (2 N)
    assert res.process.jumps[(1,)] == sp.Rational(1, 4)
    assert res.process.jumps[(-1,)] == sp.Rational(1, 4)
    assert res.drift == 0


def test_invariance_test_detects_state_dependence():
    rng = np.random.default_rng(1)
    pos = rng.uniform(0, 1, 4000)
    left = pos < 0.5
    jumps = np.where(left, rng.choice(K, size=pos.size, p=[0.1, 0.5, 0.4]),
                     rng.choice(K, size=pos.size, p=[0.4, 0.5, 0.1]))
    assert fit_chain(jumps, 1, 1.0, 1.0, positions=pos).invariance["p_value"] < 1e-6
    same = rng.choice(K, size=pos.size, p=[0.3, 0.4, 0.3])
    assert fit_chain(same, 1, 1.0, 1.0, positions=pos).invariance["p_value"] > 1e-3


def test_bad_jumps():
    with pytest.raises(DataError, match="outside the support"):
        fit_chain(np.array([0, 1, 2]), [-1, 0, 1], 1.0, 1.0)
    with pytest.raises(DataError, match="NaN"):
        fit_chain(np.array([0.0, np.nan]), [-1, 0, 1], 1.0, 1.0)
    with pytest.raises(DataError, match="one start position per jump"):
        fit_chain(np.array([0, 1]), [-1, 0, 1], 1.0, 1.0, positions=[0.0])


def test_prescribed_mean_is_exact_and_the_constrained_mle():
    rng = np.random.default_rng(2)
    jumps = rng.choice(K, size=20000, p=[0.25, 0.5, 0.25])
    res = fit_chain(jumps, [-1, 0, 1], 1.0, 1.0, mean=0.1)
    assert sum(k[0] * v for k, v in res.process.jumps.items()) == sp.Rational(1, 10)
    # Lagrange: n_k / p_k = N + mu (k - m) (summing p_k times it gives N): linear in k
    n = np.array([res.counts[k] for k in (-1, 0, 1)], float)
    p = np.array([res.probabilities[k] for k in (-1, 0, 1)])
    mu = (n[2] / p[2] - n[0] / p[0]) / 2
    assert np.allclose(n / p, n.sum() + mu * (K - 0.1), rtol=1e-6)


# ---- 2-D lattices: jumps (dx, dy), drift vector and diffusion matrix (issue 13, item 2)

SUP2 = [(-1, 0), (1, 0), (0, -1), (0, 1), (0, 0), (1, 1)]
P2 = np.array([0.1, 0.2, 0.15, 0.25, 0.2, 0.1])


def _sample2(n, seed=0, p=P2):
    rng = np.random.default_rng(seed)
    return np.array(SUP2)[rng.choice(len(SUP2), size=n, p=p)]


def test_two_d_drift_vector_and_diffusion_matrix_within_one_percent_from_a_million_jumps():
    h, dt = np.array([0.01, 0.02]), 1e-3
    res = fit_chain(_sample2(10 ** 6), SUP2, dx=tuple(h), dt=dt)
    K = np.array(SUP2, float)
    m = P2 @ K
    cov = (K.T * P2) @ K - np.outer(m, m)               # jump covariance, grid units
    b_true, D_true = m * h / dt, cov * np.outer(h, h) / (2 * dt)
    assert np.allclose(res.drift, b_true, rtol=1e-2)
    assert np.linalg.norm(res.diffusion - D_true) <= 1e-2 * np.linalg.norm(D_true)
    assert sum(res.process.jumps.values()) == 1          # exact rationals
    for i, k in enumerate(SUP2):
        lo, hi = res.intervals[k]
        assert lo < P2[i] < hi
    for name in ("constraints", "limit", "coefficients"):
        assert res.derivations[name].status == "proved"
    # the limit law of the learned 2-D row: drift kappa_1 h / dt, diffusion kappa_2 h h^T/(2 dt)
    law = res.derivations["limit"].result
    q = {k: v for k, v in res.process.jumps.items()}
    k1 = [sum(k[i] * v for k, v in q.items()) for i in range(2)]
    h1, h2 = res.process.h
    k2xy = sum(k[0] * k[1] * v for k, v in q.items()) - k1[0] * k1[1]
    assert sp.simplify(law.diffusion[0, 1] - k2xy * h1 * h2 / (2 * res.process.dt)) == 0
    assert sp.simplify(law.flux[1] / law.fields[0] - k1[1] * h2 / res.process.dt) == 0


def test_two_d_symmetric_and_moment_constraints_hold_exactly():
    p = np.array([0.2, 0.2, 0.25, 0.25, 0.1, 0.0])
    res = fit_chain(_sample2(20000, 1, p)[:, :], [(-1, 0), (1, 0), (0, -1), (0, 1), (0, 0)],
                    1.0, 1.0, symmetric=True, moments={(2, 0): 0.4, (0, 2): 0.5})
    q = res.process.jumps
    assert q[(1, 0)] == q[(-1, 0)] == sp.Rational(1, 5)     # forced by the second moments
    assert q[(0, 1)] == q[(0, -1)] == sp.Rational(1, 4)
    assert np.allclose(res.drift, 0) and res.diffusion[0, 1] == 0
    assert res.derivations["constraints"].status == "proved"


def test_two_d_invariance_test_detects_state_dependence_along_y():
    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 1, (20000, 2))
    up = np.array([0.05, 0.05, 0.1, 0.5, 0.3, 0.0])
    down = np.array([0.05, 0.05, 0.5, 0.1, 0.3, 0.0])
    a, b = _sample2(20000, 4, up), _sample2(20000, 5, down)
    jumps = np.where((pos[:, 1] < 0.5)[:, None], a, b)
    assert fit_chain(jumps, SUP2, 1.0, 1.0, positions=pos).invariance["p_value"] < 1e-6
    same = _sample2(20000, 6)
    assert fit_chain(same, SUP2, 1.0, 1.0, positions=pos).invariance["p_value"] > 1e-3


def test_moments_that_cannot_hold_give_a_farkas_certificate_in_1d_and_2d():
    # regression: an impossible mean used to fail inside SLSQP with no certificate
    with pytest.raises(InfeasibleFit, match="Farkas") as err:
        fit_chain(np.array([0, 1, -1, 1]), [-1, 0, 1], 1.0, 1.0, mean=1.5)
    assert err.value.derivation.status == "proved"
    with pytest.raises(InfeasibleFit, match="Farkas") as err:
        fit_chain(_sample2(100), SUP2, 1.0, 1.0, mean=(0.5, 1.2))
    assert err.value.derivation.status == "proved"
    with pytest.raises(InfeasibleFit, match="symmetric"):
        fit_chain(np.array([0, 1, -1]), [-1, 0, 1], 1.0, 1.0, symmetric=True, mean=0.2)


def test_bad_two_d_jumps():
    with pytest.raises(DataError, match="outside the support"):
        fit_chain(_sample2(100), [(-1, 0), (1, 0), (0, 0)], 1.0, 1.0)
    bad = _sample2(10).astype(float)
    bad[3, 1] = np.nan
    with pytest.raises(DataError, match="NaN"):
        fit_chain(bad, SUP2, 1.0, 1.0)
    with pytest.raises(DataError, match="for a 1-D support"):
        fit_chain(_sample2(10), [-1, 0, 1], 1.0, 1.0)
    with pytest.raises(DataError, match="one start position per jump"):
        fit_chain(_sample2(10), SUP2, 1.0, 1.0, positions=np.zeros((10, 1)))
    with pytest.raises(DataError, match="positive lattice step"):
        fit_chain(_sample2(10), SUP2, (1.0, -1.0), 1.0)


def test_bad_one_d_inputs_name_the_problem():
    C = np.ones((4, 4))
    C[1, 2] = np.nan
    with pytest.raises(DataError, match="count matrix contains NaN"):
        fit_chain(C, [-1, 0, 1], 1.0, 1.0)
    with pytest.raises(DataError, match="no jumps"):
        fit_chain(np.array([], dtype=int), [-1, 0, 1], 1.0, 1.0)
    with pytest.raises(DataError, match="not integers"):
        fit_chain(np.array([0.5, 1.0]), [-1, 0, 1], 1.0, 1.0)
    with pytest.raises(DataError, match="moments key"):
        fit_chain(np.array([0, 1]), [-1, 0, 1], 1.0, 1.0, moments={0: 1.0})
