"""Conditions: numeric predicates with endpoint tolerance, and the largest stable dt."""

import pytest
import sympy as sp

from mcgen.errors import StabilityError
from mcgen.proof import Condition

nu = sp.Symbol("nu", real=True)
a, dt, dx, D = sp.symbols("a dt dx D", positive=True)
r = sp.Symbol("r", nonnegative=True)


def test_holds_tolerates_a_few_ulp_at_the_boundary_only():
    c = Condition(sp.And(nu >= 0, nu <= 1), (nu,), "positivity")
    assert c.holds(nu=1.0) and c.holds(nu=1.0 + 2.0**-52)
    assert not c.holds(nu=1.001) and not c.holds(nu=-0.01)


def test_max_stable_dt_from_definitions():
    c = Condition(sp.And(nu >= 0, nu <= 1), (nu,), "positivity", definitions={nu: a * dt / dx})
    assert c.max_stable_dt(a=2.0, dx=0.1) == pytest.approx(0.05)
    heat = Condition(sp.And(r >= 0, r <= sp.Rational(1, 2)), (r,), "l2",
                     definitions={r: D * dt / dx**2})
    assert heat.max_stable_dt(D=1.0, dx=0.1) == pytest.approx(0.005)


def test_no_stable_dt_is_an_error():
    c = Condition(sp.Eq(nu, 0), (nu,), "l2", definitions={nu: a * dt / dx})
    with pytest.raises(StabilityError):
        c.max_stable_dt(a=1.0, dx=0.1)


def test_round_trip():
    c = Condition(sp.Abs(nu) <= 1, (nu,), "l2", name="CFL", definitions={nu: a * dt / dx})
    assert Condition.from_data(c.to_data()) == c


def test_measure_zero_region_gives_no_time_step_even_through_bisection():
    # an expression SymPy cannot turn into a set forces the numeric path
    lw = Condition(sp.Or(sp.Eq(nu, 0), sp.Eq(sp.Abs(nu), 1)) & (sp.sin(nu) ** 2 >= 0), (nu,),
                   "positivity", definitions={nu: a * dt / dx})
    with pytest.raises(StabilityError):
        lw.max_stable_dt(a=1.0, dx=0.1)
