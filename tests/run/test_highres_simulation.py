"""High-resolution schemes through Simulation: the proved TVD / positivity condition chooses dt,
a larger dt is refused, kernels where they exist and the NumPy steppers otherwise."""

import numpy as np
import pytest
import sympy as sp

from mcgen.errors import CodegenError, ModelError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.catalogue.euler import euler_equations
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.model.symbols import lam as LAM
from mcgen.run.euler_exact import EulerRiemann
from mcgen.run.highres_stepper import HighResStepper, total_variation
from mcgen.run.simulation import Simulation

U = sp.Symbol("u")
ADV = scalar_law(U, U)
GAMMA = 1.4


def square(x):
    return np.where(np.abs(x - 0.5) < 0.2, 1.0, 0.0)


def test_muscl_ssprk22_takes_the_proved_tvd_step_and_keeps_tv():
    s = muscl(ADV, limiter="minmod", flux="godunov", stepper="ssprk22")
    sim = Simulation(s, (100, (0.0, 1.0)), square, safety=1.0, backend="numpy")
    # minmod: a = 1, b0 = 0, nu_FE = 2/(2 + 1) = 2/3; SSPRK(2,2): C = 1; S = |f'| = 1
    assert sim.max_dt == pytest.approx((2 / 3) / 100, rel=1e-14)
    assert sim.dt == sim.max_dt and sim.condition.kind == "tvd"
    tv0 = total_variation(sim.u)
    sim.run(0.5)
    assert total_variation(sim.u) <= tv0 * (1 + 1e-12)
    assert sim.u.min() >= -1e-12 and sim.u.max() <= 1 + 1e-12  # no new extrema
    # the same numbers as the reference stepper run directly
    ref = HighResStepper(s, 100).run(square, 0.5)
    assert np.max(np.abs(sim.u - ref)) < 1e-13


def test_a_dt_above_the_tvd_bound_is_refused_unless_unsafe():
    s = flux_limited(ADV, limiter="superbee", stepper="euler")
    sim = Simulation(s, (50, (0.0, 1.0)), square, safety=1.0, backend="numpy")
    with pytest.raises(StabilityError, match="breaks the enforced tvd condition"):
        Simulation(s, (50, (0.0, 1.0)), square, dt=1.01 * sim.max_dt, backend="numpy")
    bad = Simulation(s, (50, (0.0, 1.0)), square, dt=1.5 * sim.max_dt, unsafe=True,
                     backend="numpy")
    tv0 = total_variation(bad.u)
    bad.run(0.5)
    assert total_variation(bad.u) > tv0 * 1.01  # above the bound TV grows


def test_initial_data_outside_the_declared_range_are_refused():
    s = muscl(ADV, limiter="mc", flux="godunov", data_range=(0, 1))
    with pytest.raises(ModelError, match="leave the data range"):
        Simulation(s, (50, (0.0, 1.0)), lambda x: 2 * square(x), backend="numpy")


def test_weno5_needs_unsafe_and_a_dt():
    s = weno5(ADV)
    with pytest.raises(StabilityError, match="WENO5 is not TVD"):
        Simulation(s, (50, (0.0, 1.0)), square, backend="numpy")
    sim = Simulation(s, (50, (0.0, 1.0)), lambda x: np.sin(2 * np.pi * x), dt=0.008,
                     unsafe=True, backend="numpy")
    sim.run(1.0)
    assert np.max(np.abs(sim.u - np.sin(2 * np.pi * sim.grid.centres()[0]))) < 1e-3
    fast = Simulation(s, (50, (0.0, 1.0)), lambda x: np.sin(2 * np.pi * x), dt=0.008,
                      unsafe=True, backend="c")
    fast.run(1.0)
    assert fast.backend_used == "c" and np.max(np.abs(fast.u - sim.u)) < 1e-12


def test_kernel_and_numpy_agree_through_simulation(tmp_path):
    s = muscl(ADV, limiter="minmod", flux="godunov", stepper="ssprk22", data_range=(0, 1))
    a = Simulation(s, (64, (0.0, 1.0)), square, backend="numpy")
    b = Simulation(s, (64, (0.0, 1.0)), square, backend="c")
    assert b.backend_used == "c" and a.backend_used == "numpy"
    a.run(0.3)
    b.run(0.3)
    assert np.max(np.abs(a.u - b.u)) < 1e-13


def _sod():
    return {"rho": lambda x: np.where(x < 0.5, 1.0, 0.125), "m": lambda x: 0 * x,
            "E": lambda x: np.where(x < 0.5, 1.0, 0.1) / (GAMMA - 1)}


def test_sod_through_simulation_at_the_positivity_bound():
    e = euler_equations("hllc", "minmod", "primitive")
    sim = Simulation(e, (100, (0.0, 1.0)), _sod(), bc="outflow")
    assert sim.condition.kind == "positivity"
    # bound 1/4 (MUSCL: 1/2 x 1/2, SSPRK(2,2) C = 1) over the initial rate sum S/dx
    rate = sim.stepper.rate(sim.state)
    assert sim.max_dt == pytest.approx(0.25 / rate, rel=1e-12)
    sim.run(0.2)
    ref = EulerRiemann((1.0, 0.0, 1.0), (0.125, 0.0, 0.1), GAMMA, 0.5)
    edges = np.linspace(0.0, 1.0, 101)
    err = np.abs(sim.state["rho"] - ref.cell_averages(edges, 0.2)[0]).mean()
    assert err < 0.0085  # MUSCL-minmod ~ 0.0075 (tests/run/test_system_runs.py)
    with pytest.raises(StabilityError, match="positivity"):
        Simulation(e, (100, (0.0, 1.0)), _sod(), bc="outflow", dt=1.2 * sim.max_dt)


def test_roe_needs_unsafe():
    with pytest.raises(StabilityError, match="Roe"):
        Simulation(euler_equations("roe"), (50, (0.0, 1.0)), _sod(), bc="outflow")


def test_euler2d_kernel_through_simulation_equals_numpy():
    e = euler_equations("hllc", None, stepper="ssprk22", dim=2)

    def rho(x, y):
        return 1 + 0.2 * np.sin(2 * np.pi * (x + y))

    init = {"rho": rho, "m_x": rho, "m_y": lambda x, y: 0.5 * rho(x, y),
            "E": lambda x, y: 1 / (GAMMA - 1) + 0.625 * rho(x, y)}
    grid = ((24, 16), ((0.0, 1.0), (0.0, 1.0)))
    a = Simulation(e, grid, init, backend="numpy", dt=0.004)
    b = Simulation(e, grid, init, backend="c", dt=0.004)
    assert b.backend_used == "c"
    a.run(0.04)
    b.run(0.04)
    for f in a.fields:
        assert np.max(np.abs(a.state[f] - b.state[f])) < 1e-12, f
    assert abs(b.mass() - Simulation(e, grid, init, backend="numpy", dt=0.004).mass()) < 1e-12


def test_compile_and_export_a_highres_kernel(tmp_path):
    from mcgen.codegen import compile as compile_kernel
    from mcgen.codegen.export import export_kernel

    s = muscl(ADV, limiter="minmod", flux="godunov", stepper="ssprk22", data_range=(0, 1))
    k = compile_kernel(s, backend="c")
    u0 = square(np.linspace(0.0, 1.0, 64, endpoint=False) + 0.5 / 64)
    with pytest.raises(StabilityError, match="TVD"):
        k.run(u0, 10, 0.7)  # lam = 0.7 > 2/3
    ref = HighResStepper(s, 64).run(u0, 10 * 0.6 / 64, dt=0.6 / 64)
    assert np.max(np.abs(k.run(u0, 10, 0.6) - ref)) < 1e-13
    folder = export_kernel(k, tmp_path / "muscl", include_object=False)
    text = (folder / "README.md").read_text()
    assert "lambda <= 2/3" in text or "lam <= 2/3" in text
    assert s.hash in (folder / "manifest.json").read_text()
    with pytest.raises(CodegenError, match="'periodic', 'outflow'"):
        compile_kernel(s, backend="c", bc="reflecting")  # the reference has no scalar walls


def test_the_safety_policy_answers_for_highres_schemes():
    from mcgen.analysis.safety_policy import safety_policy

    s = muscl(ADV, limiter="minmod", flux="godunov", stepper="ssprk22")
    pol = safety_policy(s)
    assert pol.condition((0, 1)).expr == sp.Le(LAM, sp.Rational(2, 3))
    assert pol.max_dt({"dx": 0.01}, (0, 1)) == pytest.approx(0.02 / 3, rel=1e-14)
    with pytest.raises(StabilityError, match="tvd"):
        pol.check({"dx": 0.01, "dt": 0.0068}, (0, 1))
    e = safety_policy(euler_equations("hll", None, dim=2))
    assert e.max_dt({"dx": 0.1, "dy": 0.1, "rate": 10.0}) == pytest.approx(0.05)


def test_a_system_given_one_stacked_initial_is_told_to_give_one_per_field():
    """`initial = lambda x: np.array([h, q])` for shallow water said only "give the grid's
    shape"; the error names the fields and the dict form."""
    import numpy as np
    import pytest

    from mcgen.errors import ModelError
    from mcgen.model.catalogue.euler import shallow_water
    from mcgen.run import Simulation
    with pytest.raises(ModelError, match=r"2 fields \['h', 'q'\].*\{'h': \.\.\., 'q': \.\.\.\}"):
        Simulation(shallow_water("hll", "minmod"), (50, (0.0, 1.0)),
                   lambda x: np.array([np.where(x < 0.5, 2.0, 0.5), 0 * x]), backend="numpy")
