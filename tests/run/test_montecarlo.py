"""Monte Carlo against exact lattice results: the binomial law of the upwind walk (known result
22) and stationary ring currents (result 21 and the zero-range analogue)."""

import numpy as np
import pytest
from scipy.stats import binom

from mcgen.errors import ModelError
from mcgen.model.catalogue.linear import upwind
from mcgen.model.catalogue.particles import tasep, zero_range
from mcgen.run import Simulation
from mcgen.run.montecarlo import particle_profile, ring_current, ring_current_exact

montecarlo = pytest.importorskip("mcgen.codegen.montecarlo")


def test_upwind_walkers_follow_the_binomial_law_of_the_scheme():
    nu, steps, walkers = 0.3, 40, 40_000
    chain = upwind().as_chain(nu=nu)            # backward reading: a jump to j-1 w.p. nu
    res = montecarlo.compile_walkers(chain).run(walkers, steps=steps, seed=5)
    k = -res.positions[:, 0]                    # the density moves by +1 w.p. nu
    hist = np.bincount(k, minlength=steps + 1)[:steps + 1] / walkers
    pmf = binom.pmf(np.arange(steps + 1), steps, nu)
    se = np.sqrt(pmf * (1 - pmf) / walkers)
    assert np.all(np.abs(hist - pmf) <= 5 * se + 1e-12)
    # and the scheme applied to a unit mass is that same binomial law (exactly)
    u0 = np.zeros(100)
    u0[0] = 1.0
    sim = Simulation(upwind(), (100, (0.0, 1.0)), u0, params={"a": 1.0}, dt=nu / 100,
                     backend="numpy")
    sim.run(steps * nu / 100)
    np.testing.assert_allclose(sim.u[:steps + 1], pmf, atol=1e-14)


def test_tasep_ring_current_is_n_l_minus_n_over_l_l_minus_1():
    r = ring_current(tasep(), sites=10, particles=4, t_burn=20.0, t_measure=300.0,
                     replicas=200)
    assert r.exact == pytest.approx(4 * 6 / 90)
    assert abs(r.measured - r.exact) < 4 * r.stderr


def test_zero_range_ring_current_is_n_over_n_plus_l_minus_1():
    assert ring_current_exact(zero_range(), 10, 8) == pytest.approx(8 / 17)
    r = ring_current(zero_range(), sites=10, particles=8, t_burn=20.0, t_measure=300.0,
                     replicas=200)
    assert abs(r.measured - r.exact) < 4 * r.stderr


def test_particle_profile_conserves_particles_on_the_ring():
    prof = particle_profile(tasep(), lambda x: 0.5 + 0.3 * np.sin(np.pi * x), (-1.0, 1.0), 0.2,
                            sites_per_unit=50, replicas=20, block=5, seed=2)
    assert prof.density.shape == (20,)
    # every replica keeps its particles: the block means average to the initial mean density
    assert prof.site_density.mean() == pytest.approx(0.5, abs=0.05)
    assert np.all(prof.stderr >= 0)


def test_ring_current_default_start_needs_no_long_burn_in():
    # a block start on 400 sites still carries ~0.04 after 20 units of time (exact 0.193)
    ps = tasep()
    r = ring_current(ps, sites=400, particles=104, t_burn=20.0, t_measure=20.0, replicas=10)
    assert abs(r.measured - r.exact) < 4 * r.stderr + 5e-3
    block = ring_current(ps, sites=400, particles=104, t_burn=20.0, t_measure=20.0, replicas=10,
                         start="block")
    assert block.measured < 0.1      # documented reason for the random default
    with pytest.raises(ModelError, match="start="):
        ring_current(ps, 10, 4, 1.0, 1.0, start="packed")


def test_capacity_two_local_rule_runs_at_its_own_rate_bound():
    from mcgen.model.particle_system import ParticleSystem
    from mcgen.model.symbols import N_FROM, N_TO
    from mcgen.run.montecarlo import compile_particle_kernel

    # (2 - n_to) is negative only at n_to = 3, which a capacity of 2 excludes: accepted
    ps = ParticleSystem("local", {1: N_FROM * (2 - N_TO)}, max_occupancy=2, name="cap2")
    sim = compile_particle_kernel(ps)
    R, L, T = 4, 20, 50.0
    res = sim.run(R, times=[T], L=L, initial=30, seed=1)
    assert res.state["occ"].sum(axis=1).tolist() == [30] * R and res.state["occ"].max() <= 2
    # uniformised at rmax = max rate over occupations <= 2 (= 4), not over n <= N = 30
    per = res.events / (R * T * L)
    assert per == pytest.approx(4.0, rel=0.05)
