"""The positivity-preserving CFL bound for Euler and shallow-water schemes (issue 14, item 3)."""

import pytest
import sympy as sp

from mcgen.analysis.positivity_systems import positivity_bound, positivity_condition
from mcgen.errors import AnalysisError
from mcgen.model.catalogue.euler import euler_equations, euler_law, shallow_water
from mcgen.proof import Derivation


@pytest.mark.parametrize(("scheme", "bound"), [
    (euler_equations("hll", None, stepper="euler"), sp.Rational(1, 2)),
    (euler_equations("hllc", "minmod", "primitive", "ssprk22"), sp.Rational(1, 4)),
    (euler_equations("hllc", "mc", "characteristic", "ssprk104"), sp.Rational(3, 2)),
    (shallow_water("hll", "minmod", stepper="ssprk33"), sp.Rational(1, 4)),
])
def test_bounds(scheme, bound):
    d = positivity_condition(scheme)
    assert d.status == "proved"  # every step checked (Hessian, decompositions, SSP)
    assert d.result.kind == "positivity" and d.result.expr.rhs == bound
    assert positivity_bound(scheme) == float(bound)
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved"


def test_pressure_is_concave_so_the_admissible_set_is_convex():
    law = euler_law(sp.Rational(7, 5))
    rho, m, E = law.fields
    p = sp.Rational(2, 5) * (E - m**2 / (2 * rho))
    H = sp.hessian(p, (rho, m, E))
    # negative semidefinite for rho > 0: every principal minor of -H has the sign of a PSD one
    assert sp.simplify((-H).det()) == 0
    assert sp.simplify(-H[1, 1]) == sp.Rational(2, 5) / rho


def test_roe_gets_no_bound_and_non_schemes_are_refused():
    d = positivity_condition(euler_equations("roe", "minmod"))
    assert d.result.expr is sp.false and positivity_bound(euler_equations("roe")) is None
    with pytest.raises(AnalysisError, match="SystemScheme"):
        positivity_condition(euler_law())
