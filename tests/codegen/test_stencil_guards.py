"""Run-time guards: a kernel refuses parameters and time steps outside its enforced condition."""

import tempfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import KernelConfig, compile
from mcgen.errors import CodegenError, StabilityError
from mcgen.model import Field, Scheme
from mcgen.proof.condition import Condition

CFG = KernelConfig(cache_dir=Path(tempfile.gettempdir()) / "mcgen-test-cache")
u = Field("u")
nu, a = sp.Symbol("nu"), sp.Symbol("a", positive=True)
dt, dx = sp.Symbol("dt", positive=True), sp.Symbol("dx", positive=True)
UPWIND = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="upwind")
# upwind written in physical quantities: nu = a dt / dx appears through dt and dx
UPWIND_PHYS = Scheme(("u",), 1, {"u": u[0] - a * dt / dx * (u[0] - u[-1])}, name="upwind_phys",
                     params=(a,))
CFL = Condition(sp.And(nu >= 0, nu <= 1), (nu,), "positivity", name="CFL",
                definitions={nu: a * dt / dx})


def test_parameters_outside_the_condition_are_refused_with_the_condition_named():
    k = compile(UPWIND, backend="c", condition=CFL, config=CFG)
    u0 = np.ones(8)
    assert np.allclose(k.run(u0, 3, nu=1.0), 1.0)  # the endpoint nu = 1 is inside
    with pytest.raises(StabilityError, match="CFL") as err:
        k.run(u0, 3, nu=1.25)
    assert "nu=1.25" in str(err.value) and "unsafe=True" in str(err.value)
    with pytest.raises(StabilityError):
        k.run(u0, 3, nu=-0.1)


def test_unsafe_overrides_the_guard():
    k = compile(UPWIND, backend="c", condition=CFL, unsafe=True, config=CFG)
    out = k.run(np.eye(1, 6)[0], 1, nu=1.5)
    assert np.allclose(out[:2], [-0.5, 1.5])  # the negative weight 1 - nu shows


def test_time_step_is_checked_through_the_definitions_and_max_stable_dt_ships():
    k = compile(UPWIND_PHYS, backend="c", condition=CFL, config=CFG)
    assert k.max_stable_dt(a=2.0, dx=0.1) == pytest.approx(0.05)
    k.run(np.ones(10), 2, dt=0.05, a=2.0, dx=0.1)
    with pytest.raises(StabilityError, match="dt=0.06"):
        k.run(np.ones(10), 2, dt=0.06, a=2.0, dx=0.1)


def test_values_the_condition_needs_but_the_kernel_lacks_are_asked_for():
    k = compile(UPWIND_PHYS, backend="c", condition=CFL, config=CFG)
    with pytest.raises(CodegenError, match="needs a value for 'dx'"):
        k.run(np.ones(10), 2, dt=0.05, a=2.0)
    with pytest.raises(CodegenError, match="unknown keyword"):
        k.run(np.ones(10), 2, dt=0.05, a=2.0, dx=0.1, nonsense=1)


def test_the_enforced_condition_is_written_into_generated_headers():
    k = compile(UPWIND, backend="c", condition=CFL, config=CFG)
    assert "CFL" in k.source("c") and "CFL" in k.source("numba") and "CFL" in k.source("h")
    assert UPWIND.hash in k.source("numba")


def test_without_a_condition_the_analysis_layer_supplies_the_proved_one():
    pytest.importorskip("mcgen.analysis.stability")
    k = compile(UPWIND, backend="c", config=CFG)
    assert k.condition is not None and k.condition.status == "proved"
    assert k.condition.holds(nu=1.0) and not k.condition.holds(nu=1.01)
    with pytest.raises(StabilityError, match="nu=1.01"):
        k.run(np.ones(6), 1, nu=1.01)


def test_monotone_condition_on_the_data_range_is_checked_on_the_data():
    # Godunov for Burgers is monotone iff lambda * max|f'| <= 1 over the data range [m, M];
    # the kernel takes m, M from the data (an invariant range of a monotone scheme)
    pytest.importorskip("mcgen.analysis.stability")
    from mcgen.model import scalar_law
    from mcgen.model.catalogue.conservative import conservative_scheme

    w = sp.Symbol("u")
    k = compile(conservative_scheme(scalar_law(w, w**2 / 2, name="burgers"), "godunov"),
                backend="c", bc="outflow", config=CFG)
    step = np.where(np.arange(20) < 10, 1.0, 0.0)
    k.run(step, 3, **{"lambda": 1.0})
    with pytest.raises(StabilityError, match="M=2"):
        k.run(2 * step, 3, **{"lambda": 0.6})  # max|f'| = 2 on [0, 2]
    k.run(2 * step, 3, **{"lambda": 0.5})
