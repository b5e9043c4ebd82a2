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


def test_derived_sde_run_as_a_generated_monte_carlo_kernel():
    """The stochastic modified equation, discretised by the synthesis layer's Kushner-Dupuis
    chain and run by a generated LLVM walker kernel, has the derived stationary variance
    eta s2 / (2h + eta h^2) = 0.2: not the uncorrected 0.25, and (the SDE is a first-order
    model of the chain) not the SGD chain's own 1/3."""
    from mcgen.codegen.montecarlo import compile_walkers
    from mcgen.model.symbols import h as HH
    from mcgen.model.symbols import x as XX
    from mcgen.synthesis import kushner_dupuis_chain

    res = training_limit(H * (TH - 1) ** 2 / 2, TH, noise_cov=S2)
    vals = {H: 1, S2: 1, ETA: sp.Rational(1, 2)}
    drift = res.drift[0].subs(vals).subs(TH, XX)          # -(5/4)(x - 1)
    sigma = sp.sqrt(res.diffusion[0].subs(vals))           # sqrt(1/2)
    q_max = sp.Rational(1, 2) + HH * sp.Rational(5, 4) * sp.Rational(5, 2)   # on |x - 1| <= 2.5
    chain = kushner_dupuis_chain(drift, sigma).fixed_dt(max_rate=q_max / HH ** 2)
    sim = compile_walkers(chain.process, boundary="reflecting", backend="llvm")
    h_v = 0.02
    dt_v = 0.9 * h_v ** 2 / float(q_max.subs(HH, h_v))
    run = sim.run(2000, steps=int(16 / dt_v), h=h_v, dt=dt_v, lo=-75, hi=175, start=50,
                  burn_in=4.0, seed=1)
    v_sde = float(res.stationary_cov[0].subs(vals))
    assert v_sde == pytest.approx(0.2)
    assert run.time_mean()[0] == pytest.approx(1.0, abs=0.02)
    assert run.time_variance()[0] == pytest.approx(v_sde, rel=0.04)   # O(h) upwind bias
    assert abs(run.time_variance()[0] - 0.25) > 0.03


def test_no_stationary_law_for_a_loss_that_is_not_strictly_convex():
    # regression: a concave loss got a "stationary law" of negative variance, status proved
    res = training_limit(-H * (TH - 1) ** 2 / 2, TH, noise_cov=S2)
    assert res.stationary_cov is None and res.chain_stationary_cov is None
    st = res.derivations["stationary"]
    assert st.status == "proved" and "No stationary law" in st.title
    assert sp.simplify(res.drift[0] - H * (1 - ETA * H / 2) * (TH - 1)) == 0   # SDE still given
    t1, t2 = sp.symbols("t1 t2", real=True)
    for loss in (t1 ** 2 - t2 ** 2, (t1 - t2) ** 2 / 2):   # saddle; flat direction (used to raise)
        res = training_limit(loss, (t1, t2), noise_cov=1)
        assert res.stationary_cov is None and res.derivations["stationary"].status == "proved"


def test_chain_past_its_stability_step_has_no_stationary_law():
    # regression: eta h = 3 > 2 gave the chain a stationary variance of -3, status proved
    res = training_limit((TH - 1) ** 2 / 2, TH, lr=3, noise_cov=1)
    assert res.chain_stationary_cov is None and res.chain_condition is sp.false
    assert res.stationary_cov[0] == sp.Rational(3, 5)     # the SDE (H' = 5/2) still reverts
    assert res.derivations["stationary"].status == "proved"
    sym = training_limit(H * (TH - 1) ** 2 / 2, TH, noise_cov=S2)
    assert sym.chain_condition == (ETA * H < 2)
    assert training_limit((TH - 1) ** 2 / 2, TH, lr=sp.Rational(1, 10),
                          noise_cov=1).chain_condition is sp.true
