"""The maximum-principle bound of 2-D / 3-D dimension-by-dimension scalar schemes as a checked
derivation (issue 14 item 4): sum_d lam_d / c_d <= 1 with c_d the proved 1-D bounds, enforced by
the safety policy (largest dt = 1 / sum_d 1/(c_d dx_d))."""

from __future__ import annotations

import pytest
import sympy as sp

from mcgen.analysis.highres_nd import axis_ratios, dimensional_condition
from mcgen.analysis.highres_safety import highres_condition
from mcgen.analysis.safety_policy import safety_policy
from mcgen.analysis.tvd import tvd_condition
from mcgen.errors import AnalysisError, ModelError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import dimension_by_dimension, flux_limited, muscl, weno5
from mcgen.proof import Derivation

U = sp.Symbol("u")
A = muscl(scalar_law(U, U), "minmod", "godunov", "ssprk22", data_range=(0, 1))
B = flux_limited(scalar_law(U, U**2 / 2), "van_leer", "ssprk22", data_range=(0, 1))


def _c(scheme):
    return tvd_condition(scheme).result.sufficient.rhs


def test_derivation_is_checked_and_gives_the_sum_of_the_1d_ratios():
    d = dimensional_condition([A, B, A])
    assert d.status == "proved" and all(s.status == "proved" for s in d.steps)
    cond = d.result
    lam = axis_ratios(3)
    # the 1-D bounds: MUSCL-minmod/Godunov/SSPRK(2,2) c = 2/3 (nu_FE = 2/3, C = 1, S = 1);
    # van Leer flux-limited Burgers on [0, 1] c = 1/2
    assert [_c(A), _c(B)] == [sp.Rational(2, 3), sp.Rational(1, 2)]
    assert cond.kind == "maximum_principle" and cond.variables == lam
    assert sp.simplify(cond.sufficient.lhs - (lam[0] * sp.Rational(3, 2) + 2 * lam[1]
                                              + lam[2] * sp.Rational(3, 2))) == 0
    assert cond.sufficient.rhs == 1
    # the convex-combination identities are real checks: recheck after a round trip
    again = Derivation.from_data(d.to_data()).recheck()
    assert again.status == "proved"


def test_safety_policy_enforces_it_with_the_exact_largest_dt():
    s = dimension_by_dimension(A, B)
    pol = safety_policy(s)
    dx, dy = 0.1, 0.05
    expect = 1 / (1 / (sp.Rational(2, 3) * dx) + 1 / (sp.Rational(1, 2) * dy))
    assert pol.max_dt({"dx": dx, "dy": dy}) == pytest.approx(float(expect), rel=1e-12)
    pol.check({"dx": dx, "dy": dy, "dt": float(expect)})
    with pytest.raises(StabilityError, match="maximum_principle"):
        pol.check({"dx": dx, "dy": dy, "dt": 1.01 * float(expect)})


def test_bad_declarations_are_refused_with_the_fix():
    with pytest.raises(ModelError, match="2 .2-D. or 3"):
        dimension_by_dimension(A)
    # a WENO5 axis has no 1-D bound to build on: the scheme is declared, nothing is proved
    with pytest.raises(StabilityError, match="WENO5"):
        highres_condition(dimension_by_dimension(A, weno5(scalar_law(U, U), stepper="ssprk22",
                                                          data_range=(0, 1))))
    with pytest.raises(ModelError, match="one Runge-Kutta stepper"):
        dimension_by_dimension(A, muscl(scalar_law(U, U), stepper="ssprk33", data_range=(0, 1)))
    V = sp.Symbol("v")
    with pytest.raises(ModelError, match="one field"):
        dimension_by_dimension(A, muscl(scalar_law(V, V), stepper="ssprk22", data_range=(0, 1)))
    with pytest.raises(AnalysisError, match="data range"):
        dimensional_condition([A, muscl(scalar_law(U, U), stepper="ssprk22")])


def test_derive_gives_the_bound_of_a_dimension_by_dimension_scheme():
    """mcgen.derive / `mcgen derive` on a HighResNDScheme: its maximum-principle bound (was
    'expected a Scheme or a Law')."""
    from mcgen.run.pipeline import derive
    (d,) = derive(dimension_by_dimension(A, B))
    assert d.status == "proved"
    assert d.result.sufficient == dimensional_condition([A, B]).result.sufficient
