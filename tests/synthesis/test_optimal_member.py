"""Optimal members: least diffusion is upwind, the largest step is the CFL / diffusion-number
bound (known-results 1, 6, 7)."""

import sympy as sp

from mcgen.model import scalar_law
from mcgen.model.symbols import D, a, nu
from mcgen.synthesis import consistent_family, optimal_member

u = sp.Symbol("u")
ADV = scalar_law(u, a * u)
HEAT = scalar_law(u, 0, D)


def test_least_diffusion_member_is_upwind_for_every_nu():
    fam = consistent_family(ADV, [-1, 0, 1], 1)
    opt = optimal_member(fam, "least_diffusion")
    (q,) = fam.free
    assert sp.simplify(opt.at[q] - sp.Abs(nu)) == 0
    assert sp.simplify(opt.value - sp.Abs(nu) * (1 - sp.Abs(nu))) == 0
    w = opt.member.scheme.linear_weights()
    pos = sp.Symbol("p", positive=True)   # a > 0: the weights of known-results 1
    assert sp.simplify(w[-1].subs(nu, pos) - pos) == 0 and sp.simplify(w[1].subs(nu, pos)) == 0
    assert opt.derivation.status == "proved"


def test_least_diffusion_at_fixed_nu_compares_vertices():
    fam = consistent_family(ADV, [-1, 0, 1], 1)
    opt = optimal_member(fam, "least_diffusion", nu=sp.Rational(1, 3))
    assert opt.value == sp.Rational(2, 9)   # nu (1 - nu)
    assert opt.derivation.status == "proved"


def test_largest_courant_number_is_one():
    fam = consistent_family(ADV, [-1, 0, 1], 1)
    opt = optimal_member(fam, "largest_time_step")
    assert opt.value == 1 and opt.derivation.status == "proved"


def test_ftcs_heat_largest_diffusion_number_is_one_half():
    fam = consistent_family(HEAT, [-1, 0, 1], 2)
    opt = optimal_member(fam, "largest_time_step")
    assert opt.value == sp.Rational(1, 2) and opt.derivation.status == "proved"


def test_two_dimensional_heat_step_bound_is_rx_plus_ry_one_half():
    law = scalar_law(u, (0, 0), D)
    fam = consistent_family(law, [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)], 2)
    for ry in (sp.Rational(1, 8), sp.Rational(1, 5)):
        opt = optimal_member(fam, "largest_time_step", variable="r_x", r_y=ry)
        assert opt.value == sp.Rational(1, 2) - ry


def test_highest_order_criterion_at_half():
    fam = consistent_family(ADV, [-1, 0, 1], 1)
    opt = optimal_member(fam, "highest_order", nu=sp.Rational(1, 2))
    assert opt.value == 1


def test_three_dimensional_seven_point_heat_bound():
    # w_0 = 1 - 2 (r_x + r_y + r_z): the largest r_x is 1/2 - r_y - r_z
    law = scalar_law(u, (0, 0, 0), D)
    supp = [(0, 0, 0)] + [tuple(s if i == j else 0 for i in range(3)) for j in range(3)
                          for s in (1, -1)]
    fam = consistent_family(law, supp, 2)
    assert fam.free == ()
    opt = optimal_member(fam, "largest_time_step", variable="r_x", r_y=sp.Rational(1, 10),
                         r_z=sp.Rational(1, 5))
    assert opt.value == sp.Rational(1, 5)


def test_five_point_first_order_family_reaches_courant_number_two():
    fam = consistent_family(ADV, [-2, -1, 0, 1, 2], 1)
    opt = optimal_member(fam, "largest_time_step")
    assert opt.value == 2 and opt.member.weights == {-2: 1}   # the exact shift by two cells
    least = optimal_member(fam, "least_diffusion", nu=sp.Rational(3, 2))
    # least diffusion splits the jump between the two nearest cells
    assert least.member.weights == {-2: sp.Rational(1, 2), -1: sp.Rational(1, 2)}
    assert least.value == sp.Rational(1, 4)


def test_synthesize_chains_the_stages_to_upwind():
    from mcgen.synthesis import synthesize
    best = synthesize(ADV, [-1, 0, 1], nu=sp.Rational(1, 4))
    assert best.member.weights == {-1: sp.Rational(1, 4), 0: sp.Rational(3, 4)}  # known-results 1
    neg = synthesize(ADV, [-1, 0, 1], nu=-sp.Rational(1, 4))
    assert neg.member.weights == {0: sp.Rational(3, 4), 1: sp.Rational(1, 4)}    # known-results 2
