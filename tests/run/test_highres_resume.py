"""Issue 14: ``Simulation.resume`` of high-resolution and system schemes (refused before: the
snapshot's model hash was compared with ``as_scheme(model)``, which takes no HighResScheme).
A resumed run gives bitwise the numbers of the same run never interrupted, and enforces the
same condition: the TVD bound on the writing run's data range (not the narrower range of the
snapshot's data), and a system run that takes the proved step of its data on every step goes
on doing so."""

import numpy as np
import pytest
import sympy as sp

from mcgen.model import scalar_law
from mcgen.model.catalogue.euler import euler_equations
from mcgen.model.catalogue.highres import muscl
from mcgen.run.simulation import Simulation
from mcgen.run.snapshots import SnapshotError

U = sp.Symbol("u")
BURGERS = scalar_law(U, U**2 / 2)


def _bump(x):
    return 0.25 + 0.75 * np.sin(2 * np.pi * x)  # limiting clips the extrema: the range shrinks


@pytest.mark.parametrize("backend", ["numpy", "auto"])  # auto: the generated C kernel
def test_scalar_resume_equals_the_uninterrupted_run_under_the_same_bound(tmp_path, backend):
    s = muscl(BURGERS, "minmod", "godunov", "ssprk22")  # range from the initial data
    grid = (80, (0.0, 1.0))
    whole = Simulation(s, grid, _bump, backend=backend)
    whole.run(0.15)
    whole.run(0.3)
    part = Simulation(s, grid, _bump, backend=backend)
    part.run(0.15)
    path = part.save(tmp_path / "half.nc")
    again = Simulation.resume(path, s, backend=backend)
    # the snapshot's data span less than the initial range; the condition stays the one of
    # the initial range (Burgers: S = max |u| on it)
    lo, hi = whole.data_range
    assert part.u.max() < hi - 1e-3 and part.u.min() > lo + 1e-3
    assert again.data_range == whole.data_range
    assert again.condition.describe() == whole.condition.describe()
    assert again.dt == whole.dt and again.step_count == part.step_count
    again.run(0.3)
    assert np.array_equal(again.u, whole.u)
    assert again.step_count == whole.step_count


def _sod():
    left = np.array([1.0, 0.0, 1.0 / 0.4])
    right = np.array([0.125, 0.0, 0.1 / 0.4])
    return {f: (lambda x, i=i: np.where(x < 0.5, left[i], right[i]))
            for i, f in enumerate(("rho", "m", "E"))}


def test_system_resume_keeps_taking_the_proved_step_of_its_data(tmp_path):
    e = euler_equations("hllc", "minmod", "primitive")
    grid = (60, (0.0, 1.0))
    whole = Simulation(e, grid, _sod(), bc="outflow")
    whole.run(0.05)
    whole.run(0.12)
    part = Simulation(e, grid, _sod(), bc="outflow")
    part.run(0.05)
    path = part.save(tmp_path / "sod.npz")
    again = Simulation.resume(path, e, bc="outflow")
    assert again.stepper.cfl == whole.stepper.cfl and again.dt == whole.dt
    again.run(0.12)
    for f in whole.fields:
        assert np.array_equal(again.state[f], whole.state[f]), f


def test_a_resume_that_would_enforce_another_condition_is_refused(tmp_path):
    s = muscl(BURGERS, "minmod", "godunov", "ssprk22")
    sim = Simulation(s, (40, (0.0, 1.0)), _bump, backend="numpy")
    sim.run(0.05)
    path = sim.save(tmp_path / "s.npz")
    with pytest.raises(SnapshotError, match="enforced"):
        Simulation.resume(path, s, backend="numpy", data_range=(-2.0, 2.0), dt=sim.dt / 4)
