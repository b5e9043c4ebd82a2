"""Simulation: time steps from the enforced condition, refusal, blow-up detection, snapshots."""

import math

import numpy as np
import pytest
from scipy.stats import binom

from mcgen.errors import StabilityError
from mcgen.model.boundary import Dirichlet
from mcgen.model.catalogue.linear import ftcs_heat, ftcs_heat_2d, upwind
from mcgen.run import Grid, Simulation
from mcgen.run.snapshots import load_snapshot


def sine(x):
    return np.sin(2 * np.pi * x)


def test_dt_is_safety_times_the_cfl_limit():
    # upwind is monotone and L2-stable iff 0 <= nu = a dt/dx <= 1 (known result 1)
    sim = Simulation(upwind(), (50, (0.0, 1.0)), sine, params={"a": 2.0}, safety=0.8)
    assert sim.max_dt == pytest.approx(1 / 50 / 2.0, rel=1e-12)
    assert sim.dt == pytest.approx(0.8 / 100, rel=1e-12)


def test_ftcs_heat_2d_takes_r_x_plus_r_y_at_most_one_half():
    # known result 7: r_x + r_y <= 1/2; with dx = dy: dt <= dx^2 / (4 D)
    sim = Simulation(ftcs_heat_2d(), Grid.uniform((16, 16), (0.0, 1.0)),
                     lambda x, y: np.sin(2 * np.pi * x) * np.sin(2 * np.pi * y),
                     params={"D_x": 1.0, "D_y": 1.0}, safety=1.0)
    assert sim.max_dt == pytest.approx((1 / 16) ** 2 / 4, rel=1e-9)


def test_a_step_that_breaks_the_condition_is_refused_with_the_limit():
    with pytest.raises(StabilityError, match=r"largest allowed step is 0\.01\b"):
        Simulation(upwind(), (100, (0.0, 1.0)), sine, params={"a": 1.0}, dt=0.011)
    sim = Simulation(upwind(), (100, (0.0, 1.0)), sine, params={"a": 1.0}, dt=0.011, unsafe=True)
    assert sim.dt == 0.011


def test_blow_up_is_reported_at_the_step_the_amplification_factor_predicts():
    # FTCS heat at r = 2: the mode theta = pi has G = 1 - 4r = -7, so data (-1)^j reach
    # |u| >= 1e300 first at n = ceil(300 / log10 7)
    n = 32
    dx = 1.0 / n
    r = 2.0
    sim = Simulation(ftcs_heat(), (n, (0.0, 1.0)), (-1.0) ** np.arange(n), params={"D": 1.0},
                     dt=r * dx**2, unsafe=True)
    expected = math.ceil(300 / math.log10(7))
    with pytest.raises(StabilityError, match=f"at step {expected} "):
        sim.run(1.0)


def test_upwind_moves_a_unit_mass_as_a_binomial_walk():
    # known result 22: after n steps the mass is Binomial(n, nu) in units of dx
    n_cells, nu, steps = 200, 0.3, 40
    dx = 1.0 / n_cells
    u0 = np.zeros(n_cells)
    u0[10] = 1.0
    sim = Simulation(upwind(), (n_cells, (0.0, 1.0)), u0, params={"a": 1.0}, dt=nu * dx)
    sim.run(steps * nu * dx)
    assert sim.step_count == steps
    np.testing.assert_allclose(sim.u[10:10 + steps + 1], binom.pmf(np.arange(steps + 1), steps, nu),
                               atol=1e-14)


def test_godunov_for_a_law_conserves_mass_and_stays_in_range():
    import sympy as sp

    from mcgen.model import scalar_law
    rho = sp.Symbol("rho", real=True)
    law = scalar_law(rho, rho * (1 - rho), name="TASEP")
    sim = Simulation(law, (200, (-1.0, 1.0)), lambda x: 0.2 + 0.6 * (np.abs(x) < 0.4))
    rec = sim.run(0.5)
    assert abs(rec.mass_drift) < 1e-13
    assert sim.condition.kind == "monotone"
    # monotone scheme: the maximum principle holds
    assert sim.u.min() >= 0.2 - 1e-14 and sim.u.max() <= 0.8 + 1e-14


@pytest.mark.parametrize("suffix", [".npz", ".nc"])
def test_snapshot_round_trip_and_resume(tmp_path, suffix):
    args = (upwind(), (64, (0.0, 1.0)), sine)
    kw = {"params": {"a": 1.0}, "bc": "periodic"}
    ref = Simulation(*args, **kw)
    ref.run(0.5)
    sim = Simulation(*args, **kw)
    sim.run(0.25)
    path = sim.save(tmp_path / f"snap{suffix}")
    snap = load_snapshot(path)
    assert snap.t == pytest.approx(0.25) and snap.step == sim.step_count
    assert snap.attrs["model_hash"] == upwind().hash
    np.testing.assert_array_equal(snap.fields["u"], sim.u)
    resumed = Simulation.resume(path, upwind(), **kw)
    resumed.run(0.5)
    np.testing.assert_allclose(resumed.u, ref.u, atol=1e-13)


def test_dirichlet_boundary_keeps_its_value():
    # heat on [0, 1] with u = 1 at both ends tends to the steady state u = 1
    sim = Simulation(ftcs_heat(), (20, (0.0, 1.0)), np.zeros(20), bc=Dirichlet(1.0),
                     params={"D": 1.0})
    sim.run(2.0)
    # the slowest mode decays like exp(-pi^2 D t) (ghost values sit at the cell centres
    # outside, so the effective interval is slightly longer)
    assert np.max(np.abs(sim.u - 1)) < 2 * np.exp(-np.pi**2 * 2.0 / 1.1**2)


@pytest.mark.parametrize("bc", ["periodic", "reflecting", "outflow_dirichlet"])
def test_compiled_kernel_agrees_with_the_numpy_stepper(bc):
    pytest.importorskip("mcgen.codegen.compile")
    import sympy as sp

    from mcgen.model import Outflow, scalar_law
    rho = sp.Symbol("rho", real=True)
    law = scalar_law(rho, rho * (1 - rho))
    spec = ((Outflow(), Dirichlet(1)),) if bc == "outflow_dirichlet" else bc
    runs = {}
    for backend in ("numpy", "numba"):
        sim = Simulation(law, (80, (-1.0, 1.0)),
                         lambda x: 0.3 + 0.5 * (x > 0) + 0.1 * np.sin(3 * x),
                         bc=spec, backend=backend, data_range=(0.0, 1.0))
        sim.run(0.5)
        assert sim.backend_used == backend
        runs[backend] = sim.u
    np.testing.assert_allclose(runs["numba"], runs["numpy"], rtol=0, atol=1e-14)


def test_three_dimensional_heat_and_the_progress_bar(capsys):
    import sympy as sp

    from mcgen.model import Field, Scheme
    from mcgen.model.symbols import D, dt, dx
    u = Field("u", dim=3)
    r = sp.Symbol("r", nonnegative=True)
    lap = sum(u[tuple(s if i == ax else 0 for i in range(3))] for ax in range(3)
              for s in (-1, 1)) - 6 * u[0, 0, 0]
    scheme = Scheme(("u",), 3, {"u": u[0, 0, 0] + r * lap}, params=(r,), name="heat 3-D",
                    definitions={r: D * dt / dx**2})
    g = Grid.uniform((8, 8, 8), (0.0, 1.0))
    sim = Simulation(scheme, g, lambda x, y, z: np.sin(2 * np.pi * x) * np.sin(2 * np.pi * y)
                     * np.sin(2 * np.pi * z), params={"D": 1.0}, backend="numpy",
                     progress=True)
    # weights non-negative iff 1 - 6 r >= 0: dt <= dx^2/6
    assert sim.max_dt == pytest.approx((1 / 8) ** 2 / 6, rel=1e-9)
    rec = sim.run(0.01)
    assert rec.steps >= 1 and abs(rec.mass_drift) < 1e-12
    assert "step" in capsys.readouterr().err  # tqdm wrote its bar


def test_mass_drift_is_not_claimed_with_open_boundaries():
    import sympy as sp

    from mcgen.model import scalar_law
    rho = sp.Symbol("rho", real=True)
    law = scalar_law(rho, rho * (1 - rho))
    sim = Simulation(law, (50, (0.0, 1.0)), 0.5, bc=("outflow",), data_range=(0.0, 1.0),
                     backend="numpy")
    assert not sim.is_conservative
    periodic = Simulation(law, (50, (0.0, 1.0)), 0.5, data_range=(0.0, 1.0), backend="numpy")
    assert periodic.is_conservative


def test_default_data_range_covers_constant_dirichlet_values():
    # LWR flux rho(1 - rho) on [0.4, 0.9] (initial 0.4, inflow 0.9): max|f'| = |1 - 1.8| = 0.8,
    # so Godunov is monotone for dt <= dx / 0.8
    import sympy as sp

    from mcgen.model import scalar_law
    rho = sp.Symbol("rho", real=True)
    sim = Simulation(scalar_law(rho, rho * (1 - rho)), (50, (0.0, 1.0)), 0.4,
                     bc=(("outflow", Dirichlet(0.9)),), backend="numpy")
    assert sim.data_range == (0.4, 0.9)
    assert sim.max_dt == pytest.approx((1 / 50) / 0.8, rel=1e-12)
