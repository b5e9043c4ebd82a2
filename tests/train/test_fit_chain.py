"""fit_chain: maximum likelihood on a support, exact row, the limit, the invariance test."""

import numpy as np
import pytest
import sympy as sp

from mcgen.train import DataError
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
