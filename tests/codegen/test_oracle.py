"""The NumPy oracle (no IR) against facts it must reproduce independently of the kernels."""

import numpy as np
import pytest
import sympy as sp
from scipy.stats import binom

from mcgen.errors import ModelError
from mcgen.model import Absorbing, Dirichlet, Field, Outflow, Periodic, Reflecting, Scheme
from mcgen.model.boundary import DirichletSeries
from mcgen.run.numpy_stepper import oracle_run
from mcgen.run.numpy_stepper import pad_axis as _pad_axis

u = Field("u")
nu, r = sp.Symbol("nu"), sp.Symbol("r")
t = sp.Symbol("t", nonnegative=True)


@pytest.mark.parametrize("bc,mode,kw", [(Periodic(), "wrap", {}), (Outflow(), "edge", {}),
                                        (Reflecting(), "symmetric", {}),
                                        (Absorbing(), "constant", {"constant_values": 0})])
def test_ghost_layers_are_numpys_own_padding(bc, mode, kw):
    a = np.arange(30.0).reshape(5, 6)
    for axis in (0, 1):
        width = [(0, 0), (0, 0)]
        width[axis] = (3, 3)
        assert np.array_equal(_pad_axis(a, axis, 3, bc, bc, 0.0, 0.0),
                              np.pad(a, width, mode=mode, **kw))


def test_upwind_on_a_unit_mass_is_binomial():
    s = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])})
    u0 = np.zeros(40)
    u0[0] = 1.0
    out = oracle_run(s, u0, 12, nu=0.35)
    assert np.abs(out[:13] - binom.pmf(np.arange(13), 12, 0.35)).max() < 1e-15
    assert np.abs(out[13:]).max() == 0


def test_time_dependent_dirichlet_enters_at_the_step_time():
    heat = Scheme(("u",), 1, {"u": u[0] + r * (u[1] - 2 * u[0] + u[-1])})
    bc = [(Dirichlet(2 * t), Dirichlet(0))]
    out = oracle_run(heat, np.zeros(5), 2, bc=bc, t0=0.5, dt=0.25, r=0.25)
    # step 0 (t=0.5): u0 = r*1 = 0.25; step 1 (t=0.75): u0 = 0.25 + r*(1.5 - 0.5) + 0
    assert out[0] == pytest.approx(0.25 + 0.25 * (1.5 - 2 * 0.25))
    assert out[1] == pytest.approx(0.25 * 0.25)


def test_a_function_name_from_a_model_is_never_run_as_code(tmp_path):
    # issue 10, item 1: the reference lambdified the update, so an undefined function whose
    # name is Python code ran that code; it now evaluates the SymPy tree against an allow-list
    canary = tmp_path / "canary"
    evil = sp.Function(f"__import__('os').system('touch {canary}') or abs")
    s = Scheme(("u",), 1, {"u": u[0] + evil(u[0])})
    with pytest.raises(ModelError, match="is not a function mcgen evaluates"):
        oracle_run(s, np.ones(4), 1)
    assert not canary.exists()


def test_ghost_rules_of_solid_walls_and_series():
    a = np.arange(1.0, 6.0)
    wall = Reflecting(odd=("hu",))
    assert np.array_equal(_pad_axis(a, 0, 2, wall, wall, field="hu"),
                          [-2, -1, 1, 2, 3, 4, 5, -5, -4])
    assert np.array_equal(_pad_axis(a, 0, 2, wall, wall, field="h"),
                          [2, 1, 1, 2, 3, 4, 5, 5, 4])
    heat = Scheme(("u",), 1, {"u": u[0] + r * (u[1] - 2 * u[0] + u[-1])})
    out = oracle_run(heat, np.zeros(3), 2, bc=[(DirichletSeries("left"), Absorbing())], r=0.5,
                     left=np.array([2.0, 4.0]))
    # step 0: u0 = 0.5 * 2; step 1: u0 = 1 + 0.5 * (4 - 2 + 0), u1 = 0.5 * 1
    np.testing.assert_array_equal(out, [2.0, 0.5, 0.0])
