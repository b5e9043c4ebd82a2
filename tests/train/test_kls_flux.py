"""A local rule without a product-measure flux: the Katz-Lebowitz-Spohn lattice gas.

mcgen's limit labels the product current mean-field (the product measure is refuted on a small
ring); the flux learned from mcgen's own Monte Carlo is checked against the exact KLS flux, built
here independently from the Ising pair measure that mcgen proves stationary on small rings
(Katz-Lebowitz-Spohn 1984; Hager, Krug, Popkov, Schuetz 2001).
"""

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.particle_limit import hydrodynamic_limit
from mcgen.model.catalogue.particles import kls
from mcgen.proof import Check
from mcgen.proof.stationarity import ETA, ETA_NEXT
from mcgen.run.montecarlo import compile_particle_kernel, ring_current
from mcgen.train.learn_flux import RHO, learn_flux

DELTA = sp.Rational(9, 10)   # strong repulsion: a two-humped flux (not concave)


def ising_weight(delta):
    return ((1 - delta) / (1 + delta)) ** (ETA * ETA_NEXT)


def kls_exact_flux(delta, epsilon, rho=RHO):
    """J(rho) under the grand-canonical Ising pair measure with P11 P00 / P10^2 = w: the
    Markov chain of occupations gives P(a 1 0 b) = P(a1) P(10) P(0b) / (rho (1 - rho))."""
    w = (1 - delta) / (1 + delta)
    y = (1 - sp.sqrt(1 - 4 * (1 - w) * rho * (1 - rho))) / (2 * (1 - w))   # P(10)
    P = {(1, 1): rho - y, (0, 1): y, (1, 0): y, (0, 0): 1 - rho - y}
    r = {(1, 0): 1 + delta, (0, 1): 1 - delta, (0, 0): 1 + epsilon, (1, 1): 1 - epsilon}
    return y / (rho * (1 - rho)) * sum(r[a, b] * P[a, 1] * P[0, b] for a in (0, 1) for b in (0, 1))


def test_kls_product_measure_is_refuted_and_the_ising_measure_is_proved():
    ps = kls(DELTA)
    d = hydrodynamic_limit(ps)
    assert d.meta["flux_label"] == "mean-field"       # no closed-form product-measure flux
    mean_field = d.result.flux[0].subs(d.result.fields[0], RHO)
    assert sp.expand(mean_field - RHO * (1 - RHO)) == 0   # the (wrong) mean field
    assert "NOT stationary" in d.render("md")
    cases = ((4, 2), (5, 2), (6, 3))
    assert Check("rings_stationary", (ps, ising_weight(DELTA), cases)).run() == "proved"
    # the coupling matters: the inverse weight is refuted
    assert Check("rings_stationary", (ps, 1 / ising_weight(DELTA), cases)).run() == "refuted"
    # with delta = epsilon = 0 KLS is TASEP and the exact flux is rho (1 - rho)
    x = sp.Rational(3, 10)
    assert sp.nsimplify(kls_exact_flux(sp.Rational(1, 10**9), 0).subs(RHO, x), tolerance=1e-6) \
        == x * (1 - x)


def test_kls_bad_parameters():
    from mcgen.errors import ModelError
    from mcgen.model.particle_system import ParticleSystem
    from mcgen.model.symbols import N_AHEAD, N_BEHIND

    with pytest.raises(ModelError, match="delta"):
        kls(2)
    with pytest.raises(ModelError, match="ring"):
        ParticleSystem("exclusion", kls(DELTA).rates, boundary="open",
                       reservoirs={"alpha": 1, "beta": 1})
    with pytest.raises(ModelError, match="other than n_from"):
        ParticleSystem("zero_range", {1: 1 + N_AHEAD})
    with pytest.raises(ModelError, match="n_behind=1, n_ahead=1"):
        ParticleSystem("exclusion", {1: 1 - 2 * N_BEHIND * N_AHEAD})


@pytest.fixture(scope="module")
def kls_currents():
    ps, L = kls(DELTA), 200
    sim = compile_particle_kernel(ps)
    rows = [ring_current(ps, L, n, 50.0, 200.0, replicas=16, simulator=sim)
            for n in range(10, L, 10)]
    return (np.array([r.particles / L for r in rows]), np.array([r.measured for r in rows]),
            np.array([r.stderr for r in rows]))


def test_generated_kls_kernel_matches_the_exact_flux(kls_currents):
    rho, J, se = kls_currents
    exact = sp.lambdify(RHO, kls_exact_flux(DELTA, 0))(rho)
    # L = 200 ring against the infinite-volume flux: within 4 standard errors + O(1/L)
    assert np.all(np.abs(J - exact) <= 4 * se + 2e-3)
    # the mean field is far off at half filling (0.25 against 0.177)
    assert abs(J[rho == 0.5][0] - 0.25) > 0.05


@pytest.fixture(scope="module")
def kls_fit(kls_currents):
    rho, J, se = kls_currents
    return learn_flux(rho, J, se, degree=8, particle_hole=True, compare=kls_exact_flux(DELTA, 0))


def test_kls_flux_learned_with_band_and_a_proved_monotone_scheme(kls_currents, kls_fit):
    rho, J, se = kls_currents
    fit = kls_fit
    assert fit.max_error <= 1e-2                     # measured 4.7e-3
    f, lo, hi = fit.band(rho)
    assert np.all(hi - lo < 5e-3)
    assert sp.expand(fit.flux.subs(RHO, 1 - RHO) - fit.flux) == 0
    # two humps: f is not concave on the data range, so the scheme is not Godunov's closed form
    assert float(sp.diff(fit.flux, RHO, 2).subs(RHO, sp.Rational(1, 2))) > 0
    assert fit.condition.status == "proved"
    assert fit.scheme.name.startswith("engquist_osher")  # general form, exact sonic points
    fp = sp.lambdify(RHO, sp.diff(fit.flux, RHO))(np.linspace(*map(float, fit.data_range), 4001))
    assert fit.max_stable_lambda() == pytest.approx(1 / np.abs(fp).max(), rel=1e-3)


def test_learned_kls_scheme_runs_through_simulation_without_unsafe(kls_fit):
    from mcgen.model.catalogue.conservative import UL, UR
    from mcgen.model.numeric import numpy_function
    from mcgen.run import Simulation
    from mcgen.run.grid import Grid

    fit = kls_fit
    F = numpy_function(fit.scheme.numerical_flux[0], [UL, UR])
    f = sp.lambdify(RHO, fit.flux)
    fp = sp.lambdify(RHO, sp.diff(fit.flux, RHO))
    x = np.linspace(float(fit.data_range[0]), float(fit.data_range[1]), 301)
    X, Y = np.meshgrid(x, x, indexing="ij")
    h = 1e-6
    assert np.max(np.abs(F(x, x) - f(x))) < 1e-10                       # consistent
    # dF/du_L = f'(u_L)^+ >= 0 and dF/du_R = f'(u_R)^- <= 0: the Engquist-Osher splitting
    assert np.allclose((F(X + h, Y) - F(X - h, Y)) / (2 * h), np.maximum(fp(X), 0), atol=1e-4)
    assert np.allclose((F(X, Y + h) - F(X, Y - h)) / (2 * h), np.minimum(fp(Y), 0), atol=1e-4)
    # a Riemann problem across the two humps, at the step the proved condition allows
    lo, hi = 0.1, 0.9
    sim = Simulation(fit.scheme, Grid((400,), ((-1.0, 1.0),)),
                     lambda x: np.where(np.abs(x) < 0.5, hi, lo), bc="periodic",
                     data_range=(float(fit.data_range[0]), float(fit.data_range[1])),
                     backend="numpy", progress=False)
    assert sim.dt == pytest.approx(0.9 * fit.max_stable_lambda() * 2.0 / 400, rel=1e-6)
    m0 = sim.u.sum()
    sim.run(0.5)
    assert abs(sim.u.sum() - m0) < 1e-9 * m0                            # conservative
    # maximum principle, to the rounding of a degree-8 flux with coefficients ~ 10^2
    assert sim.u.min() >= lo - 1e-9 and sim.u.max() <= hi + 1e-9
