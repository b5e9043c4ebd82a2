"""2-D Euler and shallow-water schemes (unsplit, issue 14 item 3): exact reduction to 1-D in both
orientations, symmetry, conservation, positivity at the proved 2-D bound."""

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.positivity_systems import positivity_condition
from mcgen.errors import StabilityError
from mcgen.model.catalogue.euler import euler_equations, shallow_water
from mcgen.run.system_stepper import SystemStepper

SQUARE = ((0.0, 1.0), (0.0, 1.0))


@pytest.mark.parametrize("flux", ["hll", "hllc", "roe"])
@pytest.mark.parametrize(("lim", "var"), [(None, "conserved"), ("minmod", "primitive"),
                                          ("mc", "characteristic")])
def test_planar_sod_in_2d_equals_1d_along_both_axes(flux, lim, var):
    s1, s2 = euler_equations(flux, lim, var), euler_equations(flux, lim, var, dim=2)
    st1 = SystemStepper(s1, 40)
    W0 = np.where(st1.x < 0.5, np.array([[1.0], [0.0], [1.0]]), np.array([[0.125], [0.0],
                                                                          [0.1]]))
    U1 = st1.run(st1.conserved(W0), 0.1, dt=0.0025, unsafe=True)
    for axis in (0, 1):
        shape = (40, 3) if axis == 0 else (3, 40)
        st2 = SystemStepper(s2, shape, SQUARE)
        W2 = np.zeros((4, *shape))
        W2[0] = W0[0][:, None] if axis == 0 else W0[0][None, :]
        W2[3] = W0[2][:, None] if axis == 0 else W0[2][None, :]
        U2 = st2.run(st2.conserved(W2), 0.1, dt=0.0025, unsafe=True)
        line = U2[:, :, 1] if axis == 0 else U2[:, 1, :]
        normal, other = (1, 2) if axis == 0 else (2, 1)
        assert np.abs(line[[0, normal, 3]] - U1).max() < 1e-13
        assert np.abs(line[other]).max() == 0.0


def _explosion(st):
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    inside = (X - 0.5) ** 2 + (Y - 0.5) ** 2 < 0.4**2
    W = np.array([np.where(inside, 1.0, 0.125), 0 * X, 0 * X, np.where(inside, 1.0, 0.1)])
    return st.conserved(W)


@pytest.mark.parametrize("flux", ["hll", "hllc"])
def test_cylindrical_explosion_symmetric_and_conservative(flux):
    st = SystemStepper(euler_equations(flux, "mc", "characteristic", dim=2), (32, 32), SQUARE,
                       boundary="reflecting")
    U0 = _explosion(st)
    U = st.run(U0, 0.1)
    assert np.abs(U[0] - U[0].T).max() < 1e-12  # mirror symmetry x <-> y
    assert np.abs(U[1] - U[2].T).max() < 1e-12
    assert np.abs(U[0] - U[0][::-1, :]).max() < 1e-12
    # solid walls: mass and energy conserved to rounding
    assert abs(U[0].sum() - U0[0].sum()) < 1e-11 * U0[0].sum()
    assert abs(U[3].sum() - U0[3].sum()) < 1e-11 * U0[3].sum()


def _four_jets(st):
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    W = np.array([1 + 0 * X, 2 * np.sign(X - 0.5), 2 * np.sign(Y - 0.5), 0.4 + 0 * X])
    return st.conserved(W)


@pytest.mark.parametrize("flux", ["hll", "hllc"])
def test_2d_near_vacuum_stays_positive_at_the_bound(flux):
    st = SystemStepper(euler_equations(flux, "minmod", "primitive", dim=2), (30, 30), SQUARE)
    assert positivity_condition(st.scheme).result.expr.rhs == sp.Rational(1, 4)
    st.run(_four_jets(st), 0.1)
    assert st.stats["min_density"] > 0 and st.stats["min_pressure"] > 0


def test_2d_fixed_step_above_the_bound_is_refused_and_roe_breaks_down():
    st = SystemStepper(euler_equations("hll", "minmod", dim=2), (20, 20), SQUARE)
    with pytest.raises(StabilityError, match="breaks the proved positivity bound"):
        st.run(_four_jets(st), 0.05, dt=0.02)
    roe = SystemStepper(euler_equations("roe", None, dim=2), (30, 30), SQUARE)
    with pytest.raises(StabilityError, match="inadmissible"):
        roe.run(_four_jets(roe), 0.1, unsafe=True, cfl=0.4)


def test_shallow_water_circular_dam_break():
    st = SystemStepper(shallow_water("hllc", "mc", "characteristic", dim=2), (32, 32), SQUARE,
                       boundary="reflecting")
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    h0 = np.where((X - 0.5) ** 2 + (Y - 0.5) ** 2 < 0.2**2, 2.0, 1.0)
    U0 = st.conserved(np.array([h0, 0 * X, 0 * X]))
    U = st.run(U0, 0.15)
    assert np.abs(U[0] - U[0].T).max() < 1e-12 and np.abs(U[1] - U[2].T).max() < 1e-12
    assert abs(U[0].sum() - U0[0].sum()) < 1e-12 * U0[0].sum()
    assert U[0].min() > 0.5 and U[0].max() < 2.0  # the column spreads out
