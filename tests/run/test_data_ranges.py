"""Data ranges that cannot lie (issue 11, defects 2 and 5): taken from the initial and boundary
data when not given, refused when the data are outside a given one, checked during the run."""

import numpy as np
import pytest
import sympy as sp

from mcgen.errors import ModelError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.boundary import Absorbing, Dirichlet
from mcgen.run import Simulation

U = sp.Symbol("U", real=True)
BURGERS = scalar_law(U, U**2 / 2, name="Burgers")
LWR = scalar_law(U, U * (1 - U), name="LWR")  # f' = 1 - 2u: largest at u = 0


def test_defect2_data_outside_a_given_range_are_refused_before_the_run():
    # data in [0, 1] with data_range=(0, 0.1): the old code took a dt nine times too large
    # and returned max|u| = 1.8e80 without a word
    with pytest.raises(ModelError, match=r"lie in \[0.0002.*, 0.9997.*\], outside "
                                         r"data_range=\(0, 0\.1\)"):
        Simulation(BURGERS, (100, (0.0, 1.0)), lambda x: 0.5 + 0.5 * np.sin(2 * np.pi * x),
                   data_range=(0.0, 0.1), backend="numpy")
    # a range that holds the data is used as given
    sim = Simulation(BURGERS, (100, (0.0, 1.0)), lambda x: 0.5 + 0.5 * np.sin(2 * np.pi * x),
                     data_range=(-1.0, 1.0), backend="numpy", safety=1.0)
    assert sim.data_range == (-1.0, 1.0) and sim.max_dt == pytest.approx(0.01, rel=1e-12)


def test_defect5_absorbing_walls_put_their_zero_into_the_range():
    # LWR data in [0.6, 0.9]: max|f'| = 0.8 on the data, but the absorbing wall's ghost value 0
    # has |f'(0)| = 1; the old range ignored it (dt 1.25 times too large, a new minimum below
    # the wall's 0 appeared: a monotone scheme cannot do that)
    sim = Simulation(LWR, (100, (0.0, 1.0)), lambda x: 0.75 + 0.15 * np.sin(2 * np.pi * x),
                     bc=Absorbing(), backend="numpy", safety=1.0)
    assert sim.data_range[0] == 0.0
    assert sim.max_dt == pytest.approx(0.01, rel=1e-12)  # lambda * max|f'| = lambda <= 1
    u_max = float(sim.u.max())
    sim.run(0.5)
    assert sim.u.min() >= 0.0 and sim.u.max() <= u_max  # maximum principle


def test_the_run_stops_when_the_data_leave_the_range_naming_step_and_cell():
    # a time-dependent Dirichlet value is not in the range taken from the data: the run says so
    # up front and stops, with the step and cell, once the data leave the range
    sim = Simulation(BURGERS, (50, (0.0, 1.0)), 0.5, bc=Dirichlet(0.5 + 2 * sp.Symbol("t")),
                     backend="numpy", data_range=(0.0, 1.0))
    assert any("time-dependent Dirichlet" in n for n in sim.notes)
    with pytest.raises(StabilityError, match=r"left the data range \[0, 1\].* at step \d+ "
                                             r"\(t = .*cell \((0|49),\)"):
        sim.run(1.0)


def test_a_growing_source_has_no_invariant_range_and_the_run_says_so():
    law = scalar_law(U, U**2 / 2, source=U)  # u grows like e^t: out of any range
    sim = Simulation(law, (40, (0.0, 1.0)), lambda x: 0.5 + 0.2 * np.sin(2 * np.pi * x),
                     backend="numpy")
    assert any("may carry the data beyond" in n for n in sim.notes)
    with pytest.raises(StabilityError, match="left the data range"):
        sim.run(1.0)
