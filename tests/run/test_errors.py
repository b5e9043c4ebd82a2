"""Error norms and observed orders: order 1 / 2 on smooth data, about 1/2 on a step."""

import numpy as np
import pytest

from mcgen.model.catalogue.linear import lax_wendroff, upwind
from mcgen.run import Simulation, error_norms, observed_orders, refinement_study
from mcgen.run.exact_solutions import advected


def test_norms_of_a_known_error_field():
    x = (np.arange(100) + 0.5) / 100
    e = error_norms(np.where(x < 0.25, 2.0, 0.0), np.zeros(100), cell_volume=0.01)
    assert e.l1 == pytest.approx(0.5) and e.l2 == pytest.approx(np.sqrt(4 * 0.25))
    assert e.linf == 2.0


def test_observed_order_formula():
    h = [0.1, 0.05, 0.025]
    assert observed_orders(h, [3 * x**2 for x in h]) == pytest.approx([2.0, 2.0])


def _advection_solver(scheme, u0, nu, unsafe=False):
    def solve(n):
        dx = 1.0 / n
        sim = Simulation(scheme, (n, (0.0, 1.0)), u0, params={"a": 1.0}, dt=nu * dx,
                         unsafe=unsafe)
        sim.run(0.5)
        x = sim.grid.centres()[0]
        return sim.u, advected(u0, x, 0.5, 1.0, period=(0.0, 1.0)), dx
    return solve


def sine(x):
    return np.sin(2 * np.pi * x)


def step(x):
    return (np.abs(x - 0.5) < 0.25).astype(float)


def test_upwind_is_first_order_on_smooth_data():
    st = refinement_study(_advection_solver(upwind(), sine, 0.5), [64, 128, 256],
                          expected_order=1, expected_reason="proved order of accuracy")
    assert st.final_order == pytest.approx(1.0, abs=0.1)
    assert "observed order" in st.markdown()


def test_lax_wendroff_is_second_order_on_smooth_data():
    # nu = 0.8 lies in Lax-Wendroff's L2 region |nu| <= 1 (known result 5), which a simulation
    # enforces (it is positive only at nu in {-1, 0, 1})
    st = refinement_study(_advection_solver(lax_wendroff(), sine, 0.8),
                          [32, 64, 128], expected_order=2)
    assert st.final_order == pytest.approx(2.0, abs=0.1)


def test_upwind_converges_at_about_one_half_on_a_step():
    st = refinement_study(_advection_solver(upwind(), step, 0.5), [100, 200, 400, 800],
                          expected_order=0.5, expected_reason="discontinuous data")
    assert 0.4 < st.final_order < 0.6
