"""Hydrodynamic limits against known results 14-17 (exact), and the labelling rule."""

import pytest
import sympy as sp

from mcgen.analysis.particle_limit import RHO, hydrodynamic_limit
from mcgen.errors import LimitError
from mcgen.model.catalogue.particles import asep, open_tasep, ssep, tasep, zero_range
from mcgen.model.particle_system import ParticleSystem
from mcgen.model.symbols import N_FROM
from mcgen.proof import Check, Derivation

rho = RHO


def _flux(d):
    return d.result.flux[0]


@pytest.mark.parametrize("update", ["continuous", "random_sequential"])
def test_tasep_flux_exact(update):  # known result 14
    d = hydrodynamic_limit(tasep(update))
    assert d.status == "proved" and d.meta["flux_label"] == "exact"
    assert sp.simplify(_flux(d) - rho * (1 - rho)) == 0
    assert d.result.form == "conservation" and d.meta["solution"] == "entropy"
    assert "ENTROPY" in d.render("md")


def test_asep_flux():  # known result 14
    p, q = sp.symbols("p q", positive=True)
    d = hydrodynamic_limit(asep(p, q))
    assert d.meta["flux_label"] == "exact"
    assert sp.simplify(_flux(d) - (p - q) * rho * (1 - rho)) == 0


def test_parallel_tasep_product_measure_not_stationary_and_exact_flux():
    p = sp.Symbol("p", positive=True)
    ps = tasep("parallel", p)
    # the stationarity check must fail for the product measure under parallel update
    assert Check("ring_stationary", (ps, sp.S.One, 4, 2)).run() == "refuted"
    d = hydrodynamic_limit(ps)
    assert d.status == "proved" and d.meta["flux_label"] == "exact"
    J = _flux(d)
    assert sp.simplify(J - (1 - sp.sqrt(1 - 4 * p * rho * (1 - rho))) / 2) == 0
    assert sp.simplify(J - p * rho * (1 - rho)) != 0  # not the mean-field product current
    # deterministic limit p = 1: J = min(rho, 1 - rho)
    assert sp.simplify(J.subs(p, 1).subs(rho, sp.Rational(1, 3)) - sp.Rational(1, 3)) == 0


def test_mean_field_label_when_product_measure_fails():
    # parallel update with jumps of two sites: the product measure is not stationary, so the
    # product current is reported, labelled mean-field (not exact)
    ps = ParticleSystem("exclusion", {2: sp.Rational(1, 2)}, update="parallel")
    d = hydrodynamic_limit(ps)
    assert d.meta["flux_label"] == "mean-field"
    assert sp.simplify(_flux(d) - rho * (1 - rho)) == 0
    assert "mean-field" in d.render("md") or "NOT" in d.render("md")


def test_ambiguous_parallel_rule_refused():
    ps = ParticleSystem("exclusion", {1: sp.Rational(1, 2), -1: sp.Rational(1, 4)},
                        update="parallel")
    with pytest.raises(LimitError, match="claim one empty site"):
        hydrodynamic_limit(ps)


def test_ssep_diffusive_limit():  # known result 16
    d = hydrodynamic_limit(ssep())
    law = d.result
    assert d.status == "proved"
    assert sp.simplify(law.diffusion[0, 0] - sp.Rational(1, 2)) == 0 and law.flux[0] == 0


def test_asymmetry_under_diffusive_scaling_refused():
    ps = ParticleSystem("exclusion", {1: 1, -1: sp.Rational(1, 2)}, scaling="diffusive")
    with pytest.raises(LimitError, match="euler"):
        hydrodynamic_limit(ps)


def test_zero_range_g1_flux():  # known result 17
    d = hydrodynamic_limit(zero_range(1))
    assert d.meta["flux_label"] == "exact" and d.meta["flux_form"] == "explicit"
    assert sp.simplify(_flux(d) - rho / (1 + rho)) == 0
    assert d.meta["condensation"] is sp.false


def test_zero_range_condensation():
    # g(k) = 1 + b/k: phi_c = 1, critical density finite iff b > 2, rho_c = 1/(b - 2)
    b = sp.Symbol("b", positive=True)
    d = hydrodynamic_limit(zero_range(1 + b / N_FROM))
    assert d.meta["flux_label"] == "exact" and d.meta["flux_form"] == "parametric"
    cond = d.meta["condensation"]
    assert cond.subs(b, 3) is sp.true and cond.subs(b, sp.Rational(3, 2)) is sp.false
    assert sp.simplify(d.meta["rho_c"] - 1 / (b - 2)) == 0
    assert d.meta["rho_c"].subs(b, 3) == 1
    # g = 1 (b = 0): phi_c = 1 but the density diverges there: no condensation (see
    # test_zero_range_g1_flux)


def test_open_tasep_phases():
    d = hydrodynamic_limit(open_tasep())
    J = d.meta["stationary_current"]
    a, bb = sp.symbols("alpha beta", positive=True)
    third, half = sp.Rational(1, 3), sp.Rational(1, 2)
    cases = {(third, 2 * third): third * (1 - third), (3 * half / 2, 3 * half / 2): half / 2,
             (3 * half / 2, half / 2): (half / 2) * (1 - half / 2)}
    for (av, bv), expect in cases.items():
        assert sp.simplify(J.subs({a: av, bb: bv}) - expect) == 0


def test_json_round_trip_recheck():
    d = hydrodynamic_limit(tasep("parallel", sp.Symbol("p", positive=True)))
    d2 = Derivation.from_json(d.render("json")).recheck()
    assert d2.status == "proved" and d2.result.flux == d.result.flux


def test_tasep_riemann_problems_from_derived_flux():  # known result 15
    J = _flux(hydrodynamic_limit(tasep()))
    x, t = sp.symbols("x t", positive=True)
    rl, rr = sp.symbols("rho_L rho_R", positive=True)
    # shock (rho_L < rho_R for the concave flux): Rankine-Hugoniot speed 1 - rho_L - rho_R
    s = (J.subs(rho, rl) - J.subs(rho, rr)) / (rl - rr)
    assert sp.simplify(s - (1 - rl - rr)) == 0
    # Lax entropy condition J'(rho_L) > s > J'(rho_R) holds exactly when rho_L < rho_R
    Jp = sp.diff(J, rho)
    assert sp.simplify(Jp.subs(rho, rl) - s - (rr - rl)) == 0
    # step data (1, 0): fan J'(rho) = x/t, i.e. rho = (1 - x/t)/2, current 1/4 at x = 0
    fan = sp.solve(sp.Eq(Jp, x / t), rho)
    assert len(fan) == 1 and sp.simplify(fan[0] - (1 - x / t) / 2) == 0
    assert J.subs(rho, fan[0].subs(x, 0)) == sp.Rational(1, 4)


def test_hyperbolic_and_zero_range_json():
    d = hydrodynamic_limit(zero_range(1))
    d2 = Derivation.from_json(d.render("json")).recheck()
    assert d2.status == "proved" and sp.simplify(d2.result.flux[0] - rho / (1 + rho)) == 0


def test_exact_ring_currents():  # known result 21; zero-range g = 1 (DESIGN section 6)
    from mcgen.analysis.particle_limit import ring_current

    for L, N in ((5, 2), (6, 3)):
        assert ring_current(tasep(), L, N) == sp.Rational(N * (L - N), L * (L - 1))
    assert ring_current(zero_range(1), 4, 3) == sp.Rational(3, 3 + 4 - 1)
    p, q = sp.symbols("p q", positive=True)
    assert sp.simplify(ring_current(asep(p, q), 5, 2) - (p - q) * sp.Rational(3, 10)) == 0


def test_capacity_two_local_rule_is_refused_as_bounded_not_unbounded():
    from mcgen.model.symbols import N_TO

    ps = ParticleSystem("local", {1: N_FROM * (2 - N_TO)}, max_occupancy=2, name="cap2")
    with pytest.raises(LimitError, match="up to 2 particles a site") as err:
        hydrodynamic_limit(ps)
    assert "unbounded" not in str(err.value) and "learn_flux" in str(err.value)
