"""Sweby's region decided exactly, and the exact TVD CFL bounds of high-resolution schemes
(issue 14, items 2-3)."""

import pytest
import sympy as sp

from mcgen.analysis.tvd import limiter_bounds, sweby_region, tvd_condition
from mcgen.errors import AnalysisError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.model.limiter import R
from mcgen.proof import Derivation

u = sp.Symbol("u")
ADV = scalar_law(u, u)
BURGERS = scalar_law(u, u**2 / 2)

# (a = sup phi/r, b = sup phi): LeVeque 2002, fig. 6.7 and section 6.12
TEXTBOOK = {"minmod": (1, 1), "superbee": (2, 2), "mc": (2, 2), "van_leer": (2, 2),
            "koren": (2, 2)}


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_limiters_in_both_regions(name):
    d = sweby_region(name)
    assert d.status == "proved"
    assert d.result.tvd and d.result.second_order
    bd = limiter_bounds(name)
    assert (bd["a"], bd["b"]) == TEXTBOOK[name] and bd["a0"] == 0 and bd["b0"] == 0


def test_van_albada_fails_exactly_on_the_negative_axis_except_minus_one():
    d = sweby_region("van_albada")
    assert d.status == "proved"
    # phi = (r^2 + r)/(r^2 + 1) vanishes at r = -1 and r = 0 only
    expect = sp.Union(sp.Interval.open(-sp.oo, -1), sp.Interval.open(-1, 0))
    assert d.result.tvd_fails_on == expect
    assert not d.result.tvd


def test_user_limiters_with_exact_failure_sets():
    # phi = min(3r, 1) clipped at 0: phi <= 2r fails exactly on (0, 1/2); phi(1) = 1
    d = sweby_region(sp.Max(0, sp.Min(3 * R, 1)))
    assert d.result.tvd_fails_on == sp.Interval.open(0, sp.Rational(1, 2))
    # Lax-Wendroff (phi = 1): TVD fails for r <= 0 and for 0 < r < 1/2 (phi > 2r)
    lw = sweby_region(sp.Integer(1) + 0 * R).result
    assert lw.tvd_fails_on == sp.Interval.open(-sp.oo, sp.Rational(1, 2))
    # Beam-Warming (phi = r): fails for r < 0 and r > 2, second order everywhere else
    bw = sweby_region(R).result
    assert bw.tvd_fails_on == sp.Union(sp.Interval.open(-sp.oo, 0), sp.Interval.open(2, sp.oo))
    # written with Piecewise: minmod again, decided the same way
    pw = sweby_region(sp.Piecewise((0, R <= 0), (R, R <= 1), (1, True))).result
    assert pw.tvd and pw.second_order
    # a first-order limiter phi = 0: TVD, not second order (phi(1) != 1)
    zero = sweby_region(0 * R + sp.Integer(0)).result
    assert zero.tvd and not zero.second_order and 1 in zero.second_order_fails_on


def test_derivation_rechecks_from_json():
    d = sweby_region("mc")
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved"


def _bound(cond):
    return cond.expr.rhs


@pytest.mark.parametrize(("scheme", "rng", "bound", "status"), [
    # MUSCL-minmod, Godunov, forward Euler, f' >= 0: 2/(2 + a) = 2/3, sharp
    (muscl(ADV, "minmod", "godunov"), (0, 1), sp.Rational(2, 3), "proved"),
    (muscl(BURGERS, "minmod", "godunov"), (0, 1), sp.Rational(2, 3), "proved"),
    # Godunov for Burgers on [-1, 1]: S = sup F_L + sup(-F_R) = 2, halving the bound
    (muscl(BURGERS, "minmod", "godunov"), (-1, 1), sp.Rational(1, 3), "unknown"),
    # SSPRK(2,2) and SSPRK(3,3) keep the forward-Euler bound (C = 1), SSPRK(10,4) takes 6x
    (muscl(ADV, "minmod", "godunov", "ssprk22"), (0, 1), sp.Rational(2, 3), "unknown"),
    (flux_limited(ADV, "superbee", "ssprk33"), (0, 1), sp.Rational(1, 2), "unknown"),
    (flux_limited(BURGERS, "van_leer", "ssprk104"), (-1, 1), 3, "unknown"),
    (flux_limited(BURGERS, "minmod", "euler"), (-1, 1), sp.Rational(2, 3), "proved"),
    (flux_limited(BURGERS, "mc", "euler", splitting="upwind"), (0, 2), sp.Rational(1, 4),
     "proved"),
])
def test_tvd_bounds(scheme, rng, bound, status):
    d = tvd_condition(scheme, data_range=rng)
    assert d.status == "proved"  # every step checked
    cond = d.result
    assert cond.kind == "tvd" and cond.status == status
    assert _bound(cond) == bound


def test_rk4_gets_no_proved_step_and_weno_is_refused():
    d = tvd_condition(muscl(ADV, "minmod", "godunov", "rk4"), data_range=(0, 1))
    assert d.result.expr is sp.false and "SSP coefficient" in d.result.description
    with pytest.raises(AnalysisError, match="not TVD"):
        tvd_condition(weno5(ADV), data_range=(0, 1))
    with pytest.raises(AnalysisError, match="data_range"):
        tvd_condition(muscl(ADV, "minmod"))


def test_tvd_derivation_rechecks_from_json_and_wrong_claims_are_refuted():
    from mcgen.proof import Check

    d = tvd_condition(muscl(BURGERS, "mc", "godunov", "ssprk33"), data_range=(0, 1))
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved" and again.result.expr == d.result.expr
    phi = sp.Max(0, sp.Min(2 * R, (1 + R) / 2, 2))
    assert Check("piecewise_supremum", (phi / R, R, sp.Interval.open(0, sp.oo), 2)).run() == \
        "proved"
    assert Check("piecewise_supremum", (phi / R, R, sp.Interval.open(0, sp.oo), 1)).run() == \
        "refuted"
    assert Check("piecewise_failure_set", (2 * R - phi, R, sp.Interval.open(0, sp.oo),
                                           sp.Symbol(">="), sp.Interval(0, 1))).run() == \
        "refuted"


def test_rational_flux_gets_a_clear_refusal_not_a_polynomial_error():
    """A MUSCL-Rusanov scheme for a Buckley-Leverett flux (rational) crashed with SymPy's
    PolynomialError in `mcgen derive` and `mcgen run`; the TVD bound is refused by name."""
    u = sp.Symbol("u")
    s = muscl(scalar_law(u, u**2 / (u**2 + (1 - u)**2 / 2)), "minmod", "rusanov",
              data_range=(0, 1))
    with pytest.raises(AnalysisError, match="piecewise polynomial.*unsafe=True"):
        tvd_condition(s)
