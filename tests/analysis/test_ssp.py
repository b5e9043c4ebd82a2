"""Exact SSP coefficients against NodePy's bisection (issue 14: to 1e-10, exact where they are)."""

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.ssp import ssp_coefficient, ssp_derivation
from mcgen.errors import ModelError
from mcgen.model.runge_kutta import ButcherTableau, as_tableau
from mcgen.proof import Derivation

rk = pytest.importorskip("nodepy.runge_kutta_method")
R = sp.Rational

def nodepy_radius(method) -> float:
    # NodePy's bisection accepts r when every coefficient is >= -tol; its default tol (3e-16) is
    # below the rounding of SSP(10,4)'s float coefficients at r = 6 in NodePy 1.1.1 (5e-7 off)
    return method.absolute_monotonicity_radius(tol=1e-12)


STANDARD = [("euler", "FE", 1), ("ssprk22", "SSP22", 1), ("ssprk33", "SSP33", 1),
            ("ssprk104", "SSP104", 6), ("rk4", "RK44", 0)]


@pytest.mark.parametrize(("name", "nodepy_name", "exact"), STANDARD)
def test_standard_methods_exact_and_equal_to_nodepy(name, nodepy_name, exact):
    d = ssp_derivation(name)
    assert d.status == "proved"
    assert d.result == exact and d.result.is_Integer
    assert abs(float(d.result) - nodepy_radius(rk.loadRKM(nodepy_name))) < 1e-10


USER = {
    # Ralston's second-order method: b1 - r a21 b2 >= 0 binds at r = 1/2
    "ralston": (([[0, 0], [R(2, 3), 0]], [R(1, 4), R(3, 4)]), R(1, 2)),
    # the optimal three-stage second-order method SSPRK(3,2): C = 2
    "ssp32": (([[0, 0, 0], [R(1, 2), 0, 0], [R(1, 2), R(1, 2), 0]], [R(1, 3)] * 3), 2),
    # a first-order user method whose coefficient is the real root of a cubic
    "cubic": (([[0, 0, 0], [R(1, 3), 0, 0], [R(1, 5), R(1, 7), 0]],
               [R(1, 2), R(1, 8), R(3, 8)]), None),
}


@pytest.mark.parametrize("name", sorted(USER))
def test_user_tableaus_against_nodepy(name):
    (A, b), exact = USER[name]
    C = ssp_coefficient(ButcherTableau(A, b, name))
    ref = rk.ExplicitRungeKuttaMethod(np.array(A, dtype=object), np.array(b, dtype=object))
    assert abs(float(C) - nodepy_radius(ref)) < 1e-10
    if exact is not None:
        assert C == exact
    else:
        # algebraic, not rational: the smallest positive root of the binding cubic, exactly
        assert isinstance(C, sp.CRootOf) and C.poly.degree() == 3
        x = C.poly.gens[0]
        assert sp.Poly(15 * x**3 - 143 * x**2 + 840 * x - 840, x).monic() == C.poly.monic()


def test_nodepy_object_and_json_recheck():
    d = ssp_derivation(rk.loadRKM("SSP43"))  # NodePy's object is accepted as it is
    assert d.result == 2
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved" and again.result == 2


def test_wrong_claimed_region_is_refuted():
    # the proof's region step is a real check: a wrong claimed set fails it
    d = ssp_derivation("ssprk22")
    step = d.steps[3]
    polys, r, lo, hi, _ = step.check.args
    from mcgen.proof import Check
    assert Check("nonneg_solution_set", (polys, r, lo, hi, sp.Interval(0, 2))).run() == "refuted"


def test_bad_tableaus_are_refused_with_the_reason():
    with pytest.raises(ModelError, match="implicit"):
        ButcherTableau([[R(1, 2), 0], [0, R(1, 2)]], [R(1, 2), R(1, 2)])
    with pytest.raises(ModelError, match="sum to"):
        ButcherTableau([[0, 0], [1, 0]], [R(1, 2), R(1, 3)])
    with pytest.raises(ModelError, match="use one of"):
        as_tableau("ssprk99")
