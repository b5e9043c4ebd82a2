"""A forward-Euler high-resolution scheme written out as a Scheme goes through compile with its
proved TVD condition enforced, and gives the NumPy reference stepper's numbers (issue 14)."""

import shutil

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.tvd import tvd_condition
from mcgen.errors import ModelError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.model.highres_as_scheme import as_scheme
from mcgen.run.highres_stepper import HighResStepper

u = sp.Symbol("u")

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@pytest.mark.parametrize(("hs", "lo"), [
    (muscl(scalar_law(u, u), "minmod", "godunov", data_range=(0, 1)), 0.0),
    (flux_limited(scalar_law(u, u**2 / 2), "superbee", data_range=(-1, 1)), -1.0),
])
def test_compiled_forward_euler_scheme_matches_the_reference_and_enforces_tvd(hs, lo):
    from mcgen.codegen.compile import compile

    n = 48
    u0 = lo + (1 - lo) * np.random.default_rng(5).random(n)
    cond = tvd_condition(hs).result
    bound = float(cond.expr.rhs)
    kernel = compile(as_scheme(hs), backend="c", condition=cond)
    st = HighResStepper(hs, n)
    ref = st.run(u0, 8 * bound * st.dx, dt=bound * st.dx)
    out = kernel.run(u0, 8, **{"lambda": bound})
    assert np.abs(out - ref).max() < 1e-13
    with pytest.raises(StabilityError, match="TVD CFL"):
        kernel.run(u0, 1, **{"lambda": 1.05 * bound})


def test_limiters_outside_the_division_free_class_and_weno_are_refused():
    with pytest.raises(ModelError, match="division-free"):
        as_scheme(muscl(scalar_law(u, u), "van_leer", data_range=(0, 1)))
    with pytest.raises(ModelError, match="WENO5"):
        as_scheme(weno5(scalar_law(u, u), data_range=(0, 1)))
    with pytest.raises(ModelError, match="data_range"):
        as_scheme(muscl(scalar_law(u, u), "minmod"))


def test_two_stage_scheme_compiles_in_seconds_and_matches_the_reference():
    # shifting the terms of the SSPRK(2,2) update re-evaluated every Max/Min (9 s of the 9.5 s
    # compile); a shift is a renaming and now rebuilds them unevaluated
    from mcgen.codegen.compile import compile

    hs = muscl(scalar_law(u, u), "minmod", "godunov", stepper="ssprk22", data_range=(0, 1))
    cond = tvd_condition(hs).result
    kernel = compile(as_scheme(hs), backend="c", condition=cond)
    n = 48
    u0 = np.random.default_rng(5).random(n)
    st = HighResStepper(hs, n)
    ref = st.run(u0, 8 * (2 / 3) * st.dx, dt=(2 / 3) * st.dx)
    assert np.abs(kernel.run(u0, 8, **{"lambda": 2 / 3}) - ref).max() < 1e-13
