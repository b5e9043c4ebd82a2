"""A scheme written directly in dt and the grid step (no dimensionless parameter)."""

import sympy as sp

from mcgen.analysis.positivity import positivity_region
from mcgen.model import Field, Scheme

u = Field("u")
dt = sp.Symbol("dt", positive=True)
h = sp.Symbol("h", positive=True)


def test_region_is_stated_in_dt_and_the_step_and_never_claims_more_than_its_derivation():
    s = Scheme(("u",), 1, {"u": u[-1] * dt / h**2 + u[0] * (1 - 2 * dt / h**2)
                           + u[1] * dt / h**2}, spacing=(h,))
    d = positivity_region(s)
    cond = d.result
    # decided in the group r = dt/h**2 (mcgen.analysis.dimensionless), stated back in dt, h
    assert cond.variables == (dt, h)
    assert cond.expr == sp.Le(dt / h**2, sp.Rational(1, 2))
    assert cond.status == d.status  # the condition is no stronger than its proof
    assert cond.holds(dt=0.005, h=0.1) and not cond.holds(dt=0.0051, h=0.1)
