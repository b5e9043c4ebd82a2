"""learn_flux: TASEP's flux from mcgen's own Monte Carlo, against the derived rho(1 - rho)."""

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.particle_limit import hydrodynamic_limit
from mcgen.model.catalogue.particles import tasep
from mcgen.run.montecarlo import compile_particle_kernel, ring_current
from mcgen.train import DataError
from mcgen.train.learn_flux import RHO, learn_flux


@pytest.fixture(scope="module")
def tasep_currents():
    ps = tasep()
    sim = compile_particle_kernel(ps)
    L = 200
    rows = [ring_current(ps, L, n, 200.0, 400.0, replicas=20, simulator=sim)
            for n in range(10, L, 10)]
    return (np.array([r.particles / L for r in rows]), np.array([r.measured for r in rows]),
            np.array([r.stderr for r in rows]))


def test_tasep_flux_learned_within_1e_2_of_the_derived_flux(tasep_currents):
    rho, J, se = tasep_currents
    d = hydrodynamic_limit(tasep())
    derived = d.result.flux[0].subs(d.result.fields[0], RHO)
    assert sp.expand(derived - RHO * (1 - RHO)) == 0
    fit = learn_flux(rho, J, se, degree=2, vanishes_at=(0, 1), compare=derived)
    assert fit.max_error <= 1e-2
    f, lo, hi = fit.band(np.linspace(0.05, 0.95, 19))
    assert np.all(lo <= f) and np.all(f <= hi) and np.all(hi - lo < 0.02)
    assert fit.flux.subs(RHO, 0) == 0 and fit.flux.subs(RHO, 1) == 0   # exactly
    # the scheme from the learned flux: monotone condition proved on the data range
    assert fit.condition.status == "proved"
    c = float(fit.flux.coeff(RHO, 1))    # f = c rho (1 - rho): max|f'| = c (1 - 2 m)
    m = float(fit.data_range[0])
    assert fit.max_stable_lambda() == pytest.approx(1 / (c * (1 - 2 * m)), rel=1e-9)


def test_flux_errors():
    with pytest.raises(DataError, match="one current per density"):
        learn_flux([0.1, 0.2], [0.1])
    with pytest.raises(DataError, match="at least"):
        learn_flux([0.1, 0.2], [0.1, 0.2], degree=3)


def test_particle_hole_symmetry_is_exact(tasep_currents):
    rho, J, se = tasep_currents
    fit = learn_flux(rho, J, se, degree=4, particle_hole=True, compare=RHO * (1 - RHO))
    assert sp.expand(fit.flux.subs(RHO, 1 - RHO) - fit.flux) == 0
    assert fit.max_error <= 1e-2
    assert fit.derivations["fit"].status == "proved"
    assert fit.condition.status == "proved"
    with pytest.raises(DataError, match="even degree"):
        learn_flux(rho, J, se, degree=3, particle_hole=True)
