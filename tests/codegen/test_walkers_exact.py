"""Independent walkers against exact results: the upwind scheme's unit mass is Binomial(n, nu)
(known result 22), a symmetric walk's variance is 2 D t, the fixed-dt Kushner-Dupuis chain of an
Ornstein-Uhlenbeck process has time-weighted stationary variance near sigma^2 / (2 theta) (and
exactly its own birth-death stationary variance), gambler's ruin exit probabilities, and the
uniform stationary law of a reflected symmetric walk."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import stats

from mcgen.codegen.montecarlo import compile_walkers
from mcgen.codegen.montecarlo_frontend import kushner_dupuis_process
from mcgen.errors import StabilityError
from mcgen.model import Field, JumpProcess, Scheme
from mcgen.model.symbols import D, h, nu, x

THETA, SIGMA = sp.Symbol("theta", positive=True), sp.Symbol("sigma", positive=True)
# the statistical tests run on LLVM (fast to compile); numba is held to LLVM bit for bit below
FAST = "llvm"


def _zscore(sample_mean: float, exact: float, sd: float, n: int) -> float:
    return abs(sample_mean - exact) / (sd / np.sqrt(n))


def test_upwind_unit_mass_is_binomial():
    u = Field("u")
    upwind = Scheme(("u",), 1, {"u": nu * u[-1] + (1 - nu) * u[0]}, params=(nu,))
    # the scheme moves the mass at j + k to j with weight w_k: a walker of the mass jumps by -k
    walk = JumpProcess({(-k,): w for k, w in upwind.linear_weights().items()}, params=(nu,))
    sim = compile_walkers(walk)
    n_steps, nu_v, dx, n = 40, 0.3, 0.05, 100_000
    res = sim.run(n, steps=n_steps, params={"nu": nu_v}, h=dx, seed=1)
    k = res.positions[:, 0]
    assert res.events == n * n_steps and res.events_per_second > 0
    mean, var = n_steps * nu_v, n_steps * nu_v * (1 - nu_v)
    assert _zscore(k.mean(), mean, np.sqrt(var), n) < 5
    # mean position n nu dx = a t exactly, in physical units
    assert _zscore(res.x[:, 0].mean(), n_steps * nu_v * dx, np.sqrt(var) * dx, n) < 5
    var_sd = np.sqrt(stats.binom(n_steps, nu_v).moment(4) - var ** 2)  # 4th central moment
    assert abs(k.var() - var) < 5 * var_sd / np.sqrt(n)
    # the whole law: chi-square against the Binomial(n, nu) pmf on the cells with mass
    cells = np.arange(0, n_steps + 1)
    expected = n * stats.binom.pmf(cells, n_steps, nu_v)
    counts = np.bincount(k, minlength=n_steps + 1)
    keep = expected > 5
    chi2 = ((counts[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert chi2 < stats.chi2.ppf(1 - 1e-4, keep.sum() - 1)
    dens = res.histogram(0, n_steps)
    assert np.isclose(dens.sum() * dx, 1.0)


def test_symmetric_continuous_time_walk_variance_is_2Dt():
    walk = JumpProcess({1: D / h ** 2, -1: D / h ** 2}, time="continuous", params=(D,))
    sim = compile_walkers(walk, moments=False, backend=FAST)
    n, t, d_v, h_v = 20_000, 2.0, 0.3, 0.1
    res = sim.run(n, t=t, params={"D": d_v}, h=h_v, seed=7)
    xs = res.x[:, 0]
    assert np.all(res.time == t)
    # x = h (N+ - N-), N+- independent Poisson(D t / h^2): var 2 D t, 4th cumulant 2 D t h^2
    var = 2 * d_v * t
    m4 = 3 * var ** 2 + 2 * d_v * t * h_v ** 2
    assert abs(xs.var() - var) < 5 * np.sqrt((m4 - var ** 2) / n)
    assert _zscore(xs.mean(), 0.0, np.sqrt(var), n) < 5
    # uniformisation: events are Poisson(lam t) per walker, lam = 2 D / h^2
    lam = 2 * d_v / h_v ** 2
    assert _zscore(res.events / n, lam * t, np.sqrt(lam * t), n) < 5


def _chain_stationary_variance(h_v: float, dt_v: float, lo: int, hi: int) -> float:
    """Exact stationary variance of the reflected birth-death chain (detailed balance)."""
    xs = h_v * np.arange(lo, hi + 1)
    b = -1.0 * xs
    up = dt_v * (0.5 + h_v * np.maximum(b, 0)) / h_v ** 2
    down = dt_v * (0.5 + h_v * np.maximum(-b, 0)) / h_v ** 2
    logpi = np.concatenate([[0.0], np.cumsum(np.log(up[:-1]) - np.log(down[1:]))])
    pi = np.exp(logpi - logpi.max())
    pi /= pi.sum()
    m = (pi * xs).sum()
    return float((pi * xs ** 2).sum() - m ** 2)


def test_kushner_dupuis_ornstein_uhlenbeck_stationary_variance():
    chain = kushner_dupuis_process(-THETA * x, SIGMA)
    # E[step] = b dt and E[step^2] = (sigma^2 + h|b|) dt exactly (known result 13)
    p_up, p_dn = chain.jumps[(1,)], chain.jumps[(-1,)]
    b = -THETA * x
    assert sp.simplify((h * (p_up - p_dn) - b * chain.dt).subs(x, 0.7)) == 0
    assert sp.simplify((h ** 2 * (p_up + p_dn) - (SIGMA ** 2 + h * sp.Abs(b)) * chain.dt)
                       .subs(x, -0.4)) == 0
    sim = compile_walkers(chain, boundary="reflecting", backend=FAST)
    h_v, lo, hi = 0.1, -40, 40
    dt_v = 0.9 * h_v ** 2 / (1 + h_v * 4.0)  # dt <= h^2 / max Q on [-4, 4]
    n = 2000
    res = sim.run(n, steps=int(23 / dt_v), params={"theta": 1.0, "sigma": 1.0}, h=h_v,
                  dt=dt_v, lo=lo, hi=hi, burn_in=3.0, seed=3)
    exact_chain = _chain_stationary_variance(h_v, dt_v, lo, hi)
    # the chain's variance is sigma^2/(2 theta) = 1/2 up to O(h)
    assert abs(exact_chain - 0.5) < h_v
    # per-walker time averages of x^2 (the mean is 0 by symmetry) estimate it
    m2 = res.state["tsum2"][:, 0] / res.state["ttime"]
    assert _zscore(m2.mean(), exact_chain, m2.std(), n) < 5
    assert abs(res.time_variance()[0] - 0.5) < 0.05
    assert res.alive.all()


def test_kushner_dupuis_time_step_guard():
    sim = compile_walkers(kushner_dupuis_process(-THETA * x, SIGMA), boundary="reflecting",
                          backend=FAST)
    with pytest.raises(StabilityError, match="reduce dt"):
        sim.run(10, steps=5, params={"theta": 1.0, "sigma": 1.0}, h=0.1, dt=0.02, lo=-40,
                hi=40)


def test_gamblers_ruin_absorbing_boundaries():
    sim = compile_walkers(JumpProcess({1: sp.Rational(1, 2), -1: sp.Rational(1, 2)}),
                          boundary="absorbing", moments=False, backend=FAST)
    n, start, top = 20_000, 3, 10
    res = sim.run(n, steps=2000, start=start, lo=1, hi=top - 1, seed=5)
    assert (~res.alive).mean() > 0.999
    won = (res.positions[:, 0] == top).mean()
    p = start / top
    assert _zscore(won, p, np.sqrt(p * (1 - p)), n) < 5
    assert set(np.unique(res.positions[~res.alive, 0])) <= {0, top}


def test_reflected_2d_walk_is_uniform_on_the_box():
    q = sp.Rational(1, 5)
    walk = JumpProcess({(1, 0): q, (-1, 0): q, (0, 1): q, (0, -1): q})
    sim = compile_walkers(walk, boundary="reflecting", moments=False, backend=FAST)
    n = 25_000
    res = sim.run(n, steps=300, start=(0, 0), lo=(0, 0), hi=(4, 4), seed=9)
    assert res.alive.all()
    counts = res.histogram((0, 0), (4, 4)).ravel() * n  # h = 1: density = count / n
    chi2 = ((counts - n / 25) ** 2 / (n / 25)).sum()
    assert chi2 < stats.chi2.ppf(1 - 1e-4, 24)


def test_results_depend_only_on_seed():
    chain = kushner_dupuis_process(-THETA * x, SIGMA)
    kw = dict(params={"theta": 1.0, "sigma": 1.0}, h=0.1, dt=0.005, lo=-40, hi=40, seed=11)
    serial = compile_walkers(chain, boundary="reflecting")
    one = serial.run(300, steps=200, **kw)
    first = serial.run(300, steps=120, **kw)
    split = serial.run(steps=80, state=first.state, **{k: v for k, v in kw.items() if k != "seed"})
    assert np.array_equal(one.positions, split.positions)
    assert np.array_equal(one.state["tsum2"], split.state["tsum2"])
    threaded = compile_walkers(chain, boundary="reflecting", parallel=True).run(
        300, steps=200, **kw)
    assert np.array_equal(one.positions, threaded.positions)
    llvm = compile_walkers(chain, boundary="reflecting", backend=FAST).run(300, steps=200, **kw)
    assert np.array_equal(one.positions, llvm.positions)
    # numba may contract x*x*w + s into a fused multiply-add: equal to rounding, not bitwise
    assert np.allclose(one.state["tsum2"], llvm.state["tsum2"], rtol=1e-12, atol=0)
    assert not np.array_equal(one.positions, serial.run(300, steps=200, **{**kw, "seed": 12})
                              .positions)


def test_continuous_time_state_dependent_rates_stationary_law():
    # continuous-time chain of dX = -theta X dt + sigma dW: rates sigma^2/(2h^2) + b^+-/h,
    # simulated by uniformisation with thinning; its time-weighted stationary law is the
    # birth-death law pi_{i+1} / pi_i = rate_up(x_i) / rate_down(x_{i+1})
    b = -THETA * x
    walk = JumpProcess({1: SIGMA ** 2 / (2 * h ** 2) + sp.Max(b, 0) / h,
                        -1: SIGMA ** 2 / (2 * h ** 2) + sp.Max(-b, 0) / h},
                       time="continuous", params=(SIGMA, THETA))
    sim = compile_walkers(walk, boundary="reflecting", backend=FAST)
    h_v, lo, hi, n = 0.1, -30, 30, 2000
    res = sim.run(n, t=15.0, params={"theta": 1.0, "sigma": 1.0}, h=h_v, lo=lo, hi=hi,
                  burn_in=3.0, seed=21)
    xs = h_v * np.arange(lo, hi + 1)
    up = 0.5 / h_v ** 2 + np.maximum(-xs, 0) / h_v
    down = 0.5 / h_v ** 2 + np.maximum(xs, 0) / h_v
    logpi = np.concatenate([[0.0], np.cumsum(np.log(up[:-1]) - np.log(down[1:]))])
    pi = np.exp(logpi - logpi.max())
    pi /= pi.sum()
    exact = float((pi * xs ** 2).sum())
    assert abs(exact - 0.5) < h_v
    m2 = res.state["tsum2"][:, 0] / res.state["ttime"]
    assert np.allclose(res.state["ttime"], 12.0)
    assert _zscore(m2.mean(), exact, m2.std(), n) < 5


def test_three_dimensional_continuous_walk_covariance():
    walk = JumpProcess({(1, 0, 0): 1, (-1, 0, 0): 1, (0, 1, 0): 2, (0, -1, 0): 2,
                        (0, 0, 1): 3, (0, 0, -1): 3}, time="continuous")
    sim = compile_walkers(walk, moments=False, backend=FAST)
    n, t = 20_000, 1.5
    res = sim.run(n, t=t, seed=4)
    cov = np.cov(res.positions.T.astype(float))
    # independent axes, variance 2 * rate * t per axis (unit lattice)
    for a, rate in enumerate((1, 2, 3)):
        var = 2 * rate * t
        assert abs(cov[a, a] - var) < 5 * np.sqrt((2 * var ** 2 + var) / n)
    off = cov[~np.eye(3, dtype=bool)]
    assert np.all(np.abs(off) < 5 * np.sqrt(4.5 * 3 * 1.5 * 4 / n))


def test_compiled_walkers_equal_the_ir_interpreter():
    # the reference semantics of the IR (pure Python, no compiler) on a small state-dependent,
    # reflecting chain with moments: numba_ieee and LLVM agree with it bit for bit
    chain = kushner_dupuis_process(-THETA * x, SIGMA)
    kw = dict(params={"theta": 1.0, "sigma": 1.0}, h=0.1, dt=0.004, lo=-5, hi=5, seed=3,
              start=4, burn_in=0.02)
    ref = compile_walkers(chain, boundary="reflecting", backend="ir").run(6, steps=25, **kw)
    for backend in ("llvm", "numba_ieee"):
        got = compile_walkers(chain, boundary="reflecting", backend=backend).run(6, steps=25, **kw)
        assert np.array_equal(got.positions, ref.positions)
        assert np.array_equal(got.state["tsum2"], ref.state["tsum2"])
        assert np.array_equal(got.state["ctr"], ref.state["ctr"])
