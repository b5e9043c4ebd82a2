"""Positivity of consistent families: the region, its exact vertices, measure-zero and empty
cases (known-results 1, 4, 5, 8)."""

import sympy as sp

from mcgen.model import scalar_law
from mcgen.model.symbols import D, a, nu
from mcgen.proof import Derivation
from mcgen.synthesis import admissible_region, consistent_family

u = sp.Symbol("u")
ADV = scalar_law(u, a * u)


def test_three_point_region_is_abs_nu_to_one_and_needs_cfl():
    fam = consistent_family(ADV, [-1, 0, 1], 1)
    (q,) = fam.free
    reg = admissible_region(fam)
    lo, hi = reg.bounds
    assert sp.simplify(lo - sp.Abs(nu)) == 0 and hi == 1
    # non-empty iff |nu| <= 1 (CFL): same set as the textbook condition
    s = reg.feasible.expr.as_set()
    assert s == sp.Interval(-1, 1)
    # vertices: upwind (q = |nu|) and Lax-Friedrichs (q = 1)
    qs = {sp.simplify(v[q]) for v in reg.vertices}
    assert qs == {sp.Abs(nu), sp.Integer(1)}
    assert reg.derivation.status == "proved"
    assert Derivation.from_json(reg.derivation.render("json")).recheck().status == "proved"


def test_region_at_a_fixed_courant_number_is_exact_polytope():
    fam = consistent_family(ADV, [-1, 0, 1], 1)
    (q,) = fam.free
    reg = admissible_region(fam, nu=sp.Rational(1, 3))
    assert [v[q] for v in reg.vertices] == [sp.Rational(1, 3), 1]
    assert reg.dimension == 1 and reg.derivation.status == "proved"
    assert reg.contains(q=sp.Rational(1, 2)) and not reg.contains(q=sp.Rational(1, 9))  # LW out


def test_lax_wendroff_region_has_measure_zero():
    fam = consistent_family(ADV, [-1, 0, 1], 2)
    reg = admissible_region(fam)
    assert reg.condition.expr.as_set() == sp.FiniteSet(-1, 0, 1)
    assert "measure zero" in reg.condition.description


def test_second_order_region_is_empty_with_certificate_at_half():
    fam = consistent_family(ADV, [-1, 0, 1], 2)
    reg = admissible_region(fam, nu=sp.Rational(1, 2))
    assert reg.is_empty
    assert reg.certificate.status == "proved"
    assert reg.derivation.status == "proved"


def test_central_advection_diffusion_member_is_positive_inside_cell_peclet():
    # known-results 8: {r + nu/2, 1 - 2r, r - nu/2} is the member q = 2r (first order fixes
    # only the mean, so r enters through q), positive iff |nu| <= 2r <= 1
    law = scalar_law(u, a * u, D)
    fam = consistent_family(law, [-1, 0, 1], 1)
    r = sp.Symbol("r", nonnegative=True)
    central = {-1: r + nu / 2, 0: 1 - 2 * r, 1: r - nu / 2}
    (q,) = fam.free
    assert sp.simplify(fam.identify(central)[q] - 2 * r) == 0
    for nv, rv in [(sp.Rational(1, 3), sp.Rational(1, 4)), (sp.Rational(1, 2), sp.Rational(1, 5)),
                   (sp.Rational(1, 5), sp.Rational(3, 5)), (-sp.Rational(1, 2), sp.Rational(1, 4))]:
        reg = admissible_region(fam, nu=nv)
        assert reg.contains(q=2 * rv) == (abs(nv) <= 2 * rv <= 1)


def test_nine_point_region_vertices_are_checked_vertices():
    law = scalar_law(u, (a * u, a * u))
    fam = consistent_family(law, [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)], 1)
    reg = admissible_region(fam, nu_x=sp.Rational(1, 3), nu_y=sp.Rational(1, 4))
    assert reg.vertices and reg.derivation.status == "proved"
    for v in reg.vertices:  # every vertex is a positive consistent member
        w = fam.weights_at({**{k.name: val for k, val in v.items()},
                            "nu_x": sp.Rational(1, 3), "nu_y": sp.Rational(1, 4)})
        assert all(x >= 0 for x in w.values())
        assert sum(k[0] * x for k, x in w.items()) == -sp.Rational(1, 3)
