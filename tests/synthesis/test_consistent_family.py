"""Consistent families contain the textbook schemes at the parameter values the theory predicts
(known-results 1, 4, 5, 6)."""

import pytest
import sympy as sp

from mcgen.errors import AnalysisError, ModelError
from mcgen.model import Law, scalar_law
from mcgen.model.symbols import D, a, dt, dx, nu, r
from mcgen.proof import Derivation
from mcgen.synthesis import consistent_family, second_cumulant

u = sp.Symbol("u")
ADV = scalar_law(u, a * u)
HEAT = scalar_law(u, 0, D)

# textbook weights, written out here independently of the library
UPWIND_POS = {-1: nu, 0: 1 - nu}
UPWIND_SPLIT = {-1: (nu + sp.Abs(nu)) / 2, 0: 1 - sp.Abs(nu), 1: (sp.Abs(nu) - nu) / 2}
LAX_FRIEDRICHS = {-1: (1 + nu) / 2, 1: (1 - nu) / 2}
LAX_WENDROFF = {-1: nu * (1 + nu) / 2, 0: 1 - nu ** 2, 1: nu * (nu - 1) / 2}
FTCS_ADVECTION = {-1: nu / 2, 0: 1, 1: -nu / 2}
FTCS_HEAT = {-1: r, 0: 1 - 2 * r, 1: r}


@pytest.fixture(scope="module")
def advection3():
    return consistent_family(ADV, [-1, 0, 1], 1)


def test_three_point_first_order_family_has_one_parameter(advection3):
    assert len(advection3.free) == 1
    assert advection3.derivation.status == "proved"


@pytest.mark.parametrize("weights, q", [(UPWIND_POS, nu), (UPWIND_SPLIT, sp.Abs(nu)),
                                        (LAX_FRIEDRICHS, 1), (LAX_WENDROFF, nu ** 2),
                                        (FTCS_ADVECTION, 0)])
def test_textbook_schemes_are_members_at_their_parameter(advection3, weights, q):
    (qsym,) = advection3.free
    vals = advection3.identify(weights)
    assert sp.simplify(vals[qsym] - q) == 0
    member = advection3.member(q=q)
    assert member.derivation.status == "proved"
    got = member.scheme.linear_weights()
    for k in (-1, 0, 1):
        assert sp.simplify(got.get(k, 0) - weights.get(k, 0)) == 0


def test_numerical_diffusion_is_the_second_cumulant(advection3):
    # known-results 4: LF diffusion dx^2 (1 - nu^2)/(2 dt); 1: upwind (a dx/2)(1 - nu)
    (q,) = advection3.free
    k2 = second_cumulant(advection3)
    lf = k2.subs(q, 1) * dx ** 2 / (2 * dt)
    assert sp.simplify(lf - dx ** 2 * (1 - nu ** 2) / (2 * dt)) == 0
    up = (k2.subs(q, nu) * dx ** 2 / (2 * dt)).subs(nu, a * dt / dx)
    assert sp.simplify(up - a * dx / 2 * (1 - a * dt / dx)) == 0
    assert sp.simplify(k2.subs(q, nu ** 2)) == 0  # Lax-Wendroff: no u_xx term


def test_member_order_is_the_number_of_exact_moments(advection3):
    assert advection3.member(q=nu ** 2).order == 2   # Lax-Wendroff, second order
    assert advection3.member(q=1).order == 1         # Lax-Friedrichs
    assert advection3.member(q=1).derivation.status == "proved"


def test_non_member_is_refused_with_the_violated_moment(advection3):
    with pytest.raises(ModelError, match="moment"):
        advection3.identify({-1: nu, 0: 1 - nu, 1: nu})


def test_ftcs_heat_is_the_unique_second_order_three_point_member():
    fam = consistent_family(HEAT, [-1, 0, 1], 2)
    assert fam.free == ()
    for k, w in FTCS_HEAT.items():
        assert sp.simplify(fam.weights[(k,)] - w) == 0
    assert fam.member().order == 3                       # symmetric: m3 = 0 for free
    assert fam.member(r=sp.Rational(1, 6)).order == 4    # ME coefficient (1 - 6r) vanishes


def test_ftcs_heat_in_the_five_point_family():
    fam = consistent_family(HEAT, [-2, -1, 0, 1, 2], 2)
    vals = fam.identify(FTCS_HEAT)
    assert {str(k): sp.simplify(v) for k, v in vals.items()} == {"q3": 0, "q4": 2 * r}


def test_support_too_small_for_the_order_is_an_error():
    with pytest.raises(AnalysisError, match="widen the support"):
        consistent_family(ADV, [-1, 0], 2)


def test_two_dimensional_family_contains_dimension_split_upwind():
    law = scalar_law(u, (a * u, 2 * a * u))
    supp = [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)]
    fam = consistent_family(law, supp, 1)
    nx, ny = sp.symbols("nu_x nu_y", real=True)
    split = {(-1, -1): nx * ny, (-1, 0): nx * (1 - ny), (0, -1): (1 - nx) * ny,
             (0, 0): (1 - nx) * (1 - ny)}
    vals = fam.identify(split)
    assert len(vals) == 6 and fam.derivation.status == "proved"


def test_backward_law_with_position_dependent_drift():
    x = sp.Symbol("x", real=True)
    sigma = sp.Symbol("sigma", positive=True)
    law = Law((u,), drift=(-x,), diffusion=sigma ** 2 / 2, diffusion_form="ito",
              form="backward", coords=(x,))
    fam = consistent_family(law, [-1, 0, 1], 1)
    (q,) = fam.free
    w = fam.weights
    assert sp.simplify(w[(1,)] - w[(-1,)] - (-x) * dt / dx) == 0  # mean b dt / dx
    assert fam.member(q=sigma ** 2 * dt / dx ** 2).scheme.is_variable_coefficient


def test_family_derivation_survives_json(advection3):
    d = Derivation.from_json(advection3.derivation.render("json")).recheck()
    assert d.status == "proved"


def test_members_are_ordinary_schemes(advection3):
    chain = advection3.member(q=1).scheme.as_chain(nu=0.5)
    assert sp.simplify(sum(chain.jumps.values()) - 1) == 0
    with pytest.raises(ModelError, match="negative"):
        advection3.member(q=nu ** 2).scheme.as_chain(nu=0.5)  # Lax-Wendroff is no chain
