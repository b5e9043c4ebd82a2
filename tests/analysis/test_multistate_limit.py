"""Limits of velocity-carrying walks against textbook results.

Persistent random walk (reversal probability r): sigma^2 = (1 - r)/r per step, so
D = h^2 (1 - r)/(2 r dt); exact Var X_n = n (1 - r)/r - (1 - 2r)(1 - (1 - 2r)^n)/(2 r^2)
(sum of the velocity correlations (1 - 2r)^|i-j|). Lattice Boltzmann: D = c_s^2 (1/omega - 1/2)
h^2/dt (D1Q2: c_s^2 = 1; D1Q3: c_s^2 = 1 - w0). Goldstein-Kac: rho_tt + 2 lam rho_t = c^2 rho_xx.
"""

import itertools

import pytest
import sympy as sp

from mcgen.analysis.multistate_limit import (
    LAM,
    C,
    diffusive_limit,
    displacement_moments,
    stationary_distribution,
    telegraph_limit,
)
from mcgen.errors import LimitError
from mcgen.model.catalogue.kinetic import (
    OMEGA,
    R,
    persistent_random_walk,
    three_velocity,
    two_velocity,
)
from mcgen.model.multistate_walk import MultiStateWalk
from mcgen.model.symbols import dt, h, t, x
from mcgen.proof import Derivation

HALF = sp.Rational(1, 2)


def _var_closed_form(n, r):
    a = 1 - 2 * r
    return n * (1 - r) / r - a * (1 - a ** n) / (2 * r ** 2)


def test_persistent_walk_diffusion_coefficient_exact():
    d = diffusive_limit(persistent_random_walk())
    assert d.status == "proved"
    assert sp.cancel(d.meta["D"] - h ** 2 * (1 - R) / (2 * R * dt)) == 0
    assert sp.cancel(d.meta["sigma2"] - (1 - R) / R) == 0
    assert d.meta["mean_velocity"] == 0 and d.meta["pi"] == sp.Matrix([[HALF, HALF]])
    assert sp.cancel(d.result.diffusion[0] - d.meta["D"]) == 0
    # validity: r in (0, 1]; non-degenerate (D > 0) only for r < 1 (r = 1 oscillates)
    val, nd = d.meta["validity"], d.meta["nondegenerate"]
    (rv,) = val.variables

    def at(c, v):  # exact membership (holds() allows a few ulp at the boundary)
        return bool(c.expr.subs(rv, v))

    assert at(val, 1) and at(val, sp.Rational(1, 1000)) and not at(val, 0)
    assert at(nd, HALF) and not at(nd, 1) and not at(nd, 0) and not at(val, sp.Rational(11, 10))
    assert val.status == nd.status == "proved"


def test_exact_finite_n_variance_matches_the_correlation_sum():
    """Moment recursions (matrix powers) against the closed form, symbolically in r."""
    w = persistent_random_walk()
    for n in (1, 2, 3, 7, 12):
        mean, var = displacement_moments(w, n)
        assert mean == 0
        assert sp.cancel(var - _var_closed_form(n, R)) == 0


def test_finite_n_variance_by_path_enumeration():
    """An independent check of displacement_moments: all 2^n velocity histories at r = 1/3."""
    r = sp.Rational(1, 3)
    w = persistent_random_walk(r)
    n = 8
    m2 = sp.S.Zero
    for v0 in (1, -1):
        for flips in itertools.product((0, 1), repeat=n):
            p, v, X = HALF, v0, 0
            for f in flips:
                p *= r if f else 1 - r
                v = -v if f else v
                X += v
            m2 += p * X ** 2
    assert displacement_moments(w, n) == (0, m2)


def test_variance_grows_like_n_sigma2_with_a_bounded_correction():
    r = sp.Rational(1, 5)
    w = persistent_random_walk(r)
    sigma2 = diffusive_limit(w).meta["sigma2"]
    assert sigma2 == 4
    _, var = displacement_moments(w, 200)
    # Var_n - n sigma^2 -> -(1 - 2r)/(2 r^2) = -15/2, the gap shrinks like (1 - 2r)^n
    assert abs(var - 200 * sigma2 + sp.Rational(15, 2)) < sp.Rational(1, 10) ** 40


@pytest.mark.parametrize("make, cs2", [(two_velocity, 1), (three_velocity, sp.Rational(1, 3))])
def test_lattice_boltzmann_diffusivity(make, cs2):
    d = diffusive_limit(make())
    assert d.status == "proved"
    assert sp.cancel(d.meta["D"] - cs2 * (1 / OMEGA - HALF) * h ** 2 / dt) == 0


def test_three_velocity_rest_weight_sets_the_sound_speed():
    w0 = sp.Rational(1, 2)
    d = diffusive_limit(three_velocity(rest_weight=w0))
    assert sp.cancel(d.meta["D"] - (1 - w0) * (1 / OMEGA - HALF) * h ** 2 / dt) == 0
    assert d.meta["validity"].holds(omega=4 / 3) and not d.meta["validity"].holds(omega=1.34)


def test_goldstein_kac_telegraph_equation():
    d = telegraph_limit(persistent_random_walk(), {R: LAM * dt})
    assert d.status == "proved"
    rho = sp.Function("rho")(x, t)
    expected = rho.diff(t, 2) + 2 * LAM * rho.diff(t) - C ** 2 * rho.diff(x, 2)
    assert sp.simplify(d.result.lhs - expected) == 0 and d.result.rhs == 0
    assert d.meta["velocities"] == (C, -C)
    # the moment system: density slow, flux relaxing at rate 2 lam
    rho_t, j_t = d.meta["moments"]
    j, j_x, rho_x = sp.symbols("j j_x rho_x")
    assert rho_t.rhs == -j_x and sp.expand(j_t.rhs - (-C ** 2 * rho_x - 2 * LAM * j)) == 0
    # the slow branch is the diffusive limit of the chain with r = lam dt, h = c dt, dt -> 0
    D_chain = diffusive_limit(persistent_random_walk()).meta["D"]
    lim = sp.limit(D_chain.subs({R: LAM * dt, h: C * dt}), dt, 0)
    assert sp.cancel(d.meta["slow_diffusion"] - lim) == 0
    assert sp.cancel(lim - C ** 2 / (2 * LAM)) == 0


def test_three_velocity_kinetic_limit_is_third_order_and_matches():
    d = telegraph_limit(three_velocity(), {OMEGA: LAM * dt})
    assert d.status == "proved"
    assert d.result.lhs.has(sp.Derivative(sp.Function("rho")(x, t), (t, 3)))
    D_chain = diffusive_limit(three_velocity()).meta["D"]
    lim = sp.limit(D_chain.subs({OMEGA: LAM * dt, h: C * dt}), dt, 0)
    assert sp.cancel(d.meta["slow_diffusion"] - lim) == 0
    assert sp.cancel(lim - C ** 2 / (3 * LAM)) == 0  # c_s^2 c^2 / lam


def test_switching_that_does_not_vanish_is_refused():
    with pytest.raises(LimitError, match="rate\\*dt"):
        telegraph_limit(persistent_random_walk(), {R: HALF + dt})


def _biased():
    q = sp.Rational
    return MultiStateWalk({"right": {(1, "right"): q(3, 4), (-1, "left"): q(1, 4)},
                           "left": {(-1, "left"): q(1, 2), (1, "right"): q(1, 2)}},
                          name="biased persistent walk")


def test_drift_under_diffusive_scaling_is_refused_and_hyperbolic_gives_transport():
    with pytest.raises(LimitError, match="mean velocity does not vanish"):
        diffusive_limit(_biased())
    from dataclasses import replace
    d = diffusive_limit(replace(_biased(), scaling="hyperbolic"))
    assert d.meta["pi"] == sp.Matrix([[sp.Rational(2, 3), sp.Rational(1, 3)]])
    assert d.meta["mean_velocity"] == sp.Rational(1, 3)
    assert sp.cancel(d.meta["b"] - h / (3 * dt)) == 0 and d.meta["D"] == 0


def test_reducible_internal_chain_is_refused():
    w = MultiStateWalk({"right": {(1, "right"): 1}, "left": {(-1, "left"): 1}})
    with pytest.raises(LimitError, match="reducible"):
        stationary_distribution(w)


def test_derivation_rechecks_from_json():
    d = diffusive_limit(persistent_random_walk())
    back = Derivation.from_json(d.render("json")).recheck()
    assert back.status == "proved" and back.result == d.result


def test_macroscopic_limit_dispatches_multistate_walks():
    from mcgen.analysis.limits import macroscopic_limit
    d = macroscopic_limit(two_velocity(HALF))  # omega = 1/2: r = 1/4, D = (3/2) h^2/dt
    assert d.status == "proved"
    assert sp.cancel(d.result.diffusion[0] - sp.Rational(3, 2) * h ** 2 / dt) == 0


@pytest.mark.parametrize("make, param", [(persistent_random_walk, R), (three_velocity, OMEGA)])
def test_kinetic_equation_matches_the_chain_spectrum(make, param):
    """Independent of the Taylor steps: for a Fourier mode exp(i xi x) the chain's per-step
    eigenvalues mu (of the tilted matrix at z = -i xi h) give log(mu)/dt -> the roots sigma of
    the derived equation's symbol, as dt -> 0 with the switching parameter = lam dt, h = c dt."""
    import numpy as np
    d = telegraph_limit(make(), {param: LAM * dt})
    lam, c, xi, step = 1.3, 0.8, 2.1, 1e-5
    sig = sp.Symbol("sig")
    rho = sp.Function("rho")(x, t)
    mode = sp.exp(sig * t + sp.I * xi * x)
    symbol = sp.simplify(d.result.lhs.subs(rho, mode).doit() / mode).subs({LAM: lam, C: c})
    roots = np.roots([complex(a) for a in sp.Poly(symbol, sig).all_coeffs()])
    z = sp.Symbol("z")
    G = make().tilted_matrix(z).subs({param: lam * step, z: -sp.I * xi * c * step})
    mu = np.linalg.eigvals(np.array(G.evalf(), dtype=complex))
    chain = np.log(mu) / step
    assert len(chain) == len(roots) == len(make().states)
    # each chain rate is within O(dt) of a root, and each root is met (distinct roots here)
    dist = np.abs(chain[:, None] - roots[None, :])
    assert dist.min(axis=1).max() < 1e-3 and dist.min(axis=0).max() < 1e-3, (chain, roots)


def test_two_parameter_persistent_walk_transport_and_variance():
    """Reversal probabilities a (from right) and b (from left): pi = (b, a)/(a + b), mean
    velocity (b - a)/(a + b), sigma^2 = 4ab(2 - a - b)/(a + b)^3 (a = b = r: (1 - r)/r); the
    variance increments of the exact finite-n walk converge to it."""
    from dataclasses import replace
    a, b = sp.symbols("a b", positive=True)
    w = MultiStateWalk({"right": {(1, "right"): 1 - a, (-1, "left"): a},
                        "left": {(-1, "left"): 1 - b, (1, "right"): b}},
                       ranges={a: (0, 1), b: (0, 1)}, scaling="hyperbolic")
    d = diffusive_limit(w)
    assert d.status == "proved"
    assert sp.cancel(d.meta["mean_velocity"] - (b - a) / (a + b)) == 0
    s2 = 4 * a * b * (2 - a - b) / (a + b) ** 3
    assert sp.cancel(d.meta["sigma2"] - s2) == 0
    # several parameters: the region is stated, not decided
    assert d.meta["validity"].status == "unknown"
    assert d.meta["validity"].holds(a=0.5, b=0.0) and not d.meta["validity"].holds(a=0.5, b=1.5)
    vals = {a: sp.Rational(1, 3), b: sp.Rational(1, 5)}
    num = MultiStateWalk({s: {m: p.subs(vals) for m, p in row.items()}
                          for s, row in w.table.items()})
    _, v60 = displacement_moments(num, 60)
    _, v61 = displacement_moments(num, 61)
    assert abs(v61 - v60 - s2.subs(vals)) < sp.Rational(1, 10) ** 10
    with pytest.raises(LimitError, match="mean velocity"):
        diffusive_limit(replace(w, scaling="diffusive"))


def test_one_state_walk_agrees_with_the_jump_process_limit():
    """With one internal state the walk is an ordinary chain: the same law as the cumulant
    route of jump_process_limit (an independent implementation)."""
    from mcgen.analysis.jump_limit import jump_process_limit
    from mcgen.model.jump_process import JumpProcess
    a = sp.Symbol("a", positive=True)
    jumps = {-1: a / 2, 0: 1 - 3 * a / 4, 2: a / 4}  # mean 0, second moment 3a/2
    w = MultiStateWalk({"only": {(k, "only"): p for k, p in jumps.items()}},
                       ranges={a: sp.Interval(0, 1)})
    ours = diffusive_limit(w)
    ref = jump_process_limit(JumpProcess(jumps, scaling="diffusive", reading="forward")).result
    assert ours.status == "proved"
    assert sp.cancel(ours.result.diffusion[0] - ref.diffusion[0]) == 0
    assert sp.cancel(ours.meta["D"] - 3 * a * h ** 2 / (4 * dt)) == 0
