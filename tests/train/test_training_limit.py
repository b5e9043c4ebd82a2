"""training_limit: the stochastic modified equation of SGD, checked against the chain itself."""

import numpy as np
import pytest
import sympy as sp

from mcgen.train.training_limit import ETA, training_limit

TH = sp.Symbol("theta", real=True)
H, S2 = sp.Symbol("h", positive=True), sp.Symbol("sigma2", positive=True)


def test_sgd_quadratic_limit_and_stationary_law():
    res = training_limit(H * (TH - 1) ** 2 / 2, TH, noise_cov=S2)
    # drift -grad(L + eta/4 |grad L|^2) = -h (1 + eta h / 2)(theta - 1)
    assert sp.simplify(res.drift[0] + H * (1 + ETA * H / 2) * (TH - 1)) == 0
    assert sp.simplify(res.diffusion[0] - ETA * S2) == 0
    assert sp.simplify(res.stationary_cov[0] - ETA * S2 / (2 * H + ETA * H ** 2)) == 0
    # the chain theta' = (1 - eta h) theta - eta xi: variance eta^2 s2 / (1 - (1 - eta h)^2)
    assert sp.simplify(res.chain_stationary_cov[0] - ETA * S2 / (2 * H - ETA * H ** 2)) == 0
    assert all(d.status == "proved" for d in res.derivations.values())


def test_stationary_variance_by_running_the_chain():
    h, s2, eta = 2.0, 1.0, 0.05
    res = training_limit(H * (TH - 1) ** 2 / 2, TH, noise_cov=S2)
    vals = {H: h, S2: s2, ETA: eta}
    v_chain = float(res.chain_stationary_cov[0].subs(vals))
    v_sde = float(res.stationary_cov[0].subs(vals))
    rng = np.random.default_rng(0)
    walkers, steps = 20000, 400
    th = np.zeros(walkers)
    for _ in range(steps):            # minibatch noise: the mean of 4 draws of variance 4 s2
        noise = rng.standard_normal((4, walkers)).mean(axis=0) * np.sqrt(4 * s2)
        th = th - eta * (h * (th - 1) + noise)
    assert th.mean() == pytest.approx(1.0, abs=0.01)
    assert th.var() == pytest.approx(v_chain, rel=0.03)
    assert abs(v_chain - v_sde) / v_chain < 2 * eta * h     # agree to O(eta h)


def test_correction_is_a_gradient_for_a_non_quadratic_loss():
    a, b = sp.symbols("a b", real=True)
    L = a ** 4 / 4 + a ** 2 * b ** 2 / 2 + b ** 2
    res = training_limit(L, (a, b), noise_cov=[[1, 0], [0, 2]])
    g = sp.Matrix([sp.diff(L, v) for v in (a, b)])
    corr = sp.Matrix([sp.diff(g.dot(g), v) for v in (a, b)]) / 4
    assert sp.simplify(res.drift + g + ETA * corr) == sp.zeros(2, 1)
    assert res.stationary_cov is None
    assert res.derivations["sde"].status == "proved"


def test_langevin_leading_order_is_gibbs():
    a, b = sp.symbols("a b", real=True)
    T = sp.Symbol("T", positive=True)
    res = training_limit((a ** 2 + 3 * b ** 2 + a * b) / 2, (a, b), noise="langevin")
    Hm = sp.Matrix([[1, sp.Rational(1, 2)], [sp.Rational(1, 2), 3]])
    lead = res.stationary_cov.applyfunc(lambda e: sp.limit(e, ETA, 0))
    assert sp.simplify(lead - T * Hm.inv()) == sp.zeros(2, 2)
