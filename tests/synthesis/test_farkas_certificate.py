"""Godunov's barrier with an exact Farkas certificate, re-checked after a JSON round trip."""

import sympy as sp

from mcgen.model import scalar_law
from mcgen.model.symbols import a, nu
from mcgen.proof import Check, Derivation
from mcgen.synthesis import highest_positive_order, infeasibility_derivation

u = sp.Symbol("u")
ADV = scalar_law(u, a * u)
# moment rows k^0, k^1, k^2 on {-1, 0, 1}; exact second-order targets 1, -nu, nu^2
A = sp.ImmutableMatrix([[1, 1, 1], [-1, 0, 1], [1, 0, 1]])
B = sp.ImmutableMatrix([1, -nu, nu ** 2])
SUPPORT = ((-1,), (0,), (1,))


def _certificate(d):
    return [s for s in d.steps if s.check.kind == "farkas_infeasible"][0].check.args[2]


def test_godunov_certificate_is_k_times_k_plus_one():
    d = infeasibility_derivation(A, B, SUPPORT, [(0,), (1,), (2,)], var=nu, interval=(0, 1))
    assert d.status == "proved"
    y = _certificate(d)
    k = sp.Symbol("k")
    p = y[0] + y[1] * k + y[2] * k ** 2
    # a positive multiple of k(k + 1): zero at -1 and 0, and E[p] = nu^2 - nu < 0 on (0, 1)
    assert sp.simplify(p.subs(k, -1)) == 0 and sp.simplify(p.subs(k, 0)) == 0
    assert sp.simplify(p.subs(k, 1)) > 0


def test_certificate_rechecks_from_json():
    d = infeasibility_derivation(A, B, SUPPORT, [(0,), (1,), (2,)], var=nu, interval=(-1, 0))
    back = Derivation.from_json(d.render("json")).recheck()
    assert back.status == "proved"


def test_check_rejects_a_wrong_certificate_and_intervals_that_include_zero():
    good = sp.ImmutableMatrix([0, 1, 1])
    assert Check("farkas_infeasible", (A, B, good, nu, 0, 1)).run() == "proved"
    # nu = 0 lies in (-1, 1): the identity scheme is positive there, no certificate can hold
    assert Check("farkas_infeasible", (A, B, good, nu, -1, 1)).run() == "unknown"
    bad = sp.ImmutableMatrix([0, -1, 1])
    assert Check("farkas_infeasible", (A, B, bad, nu, 0, 1)).run() == "unknown"


def test_highest_positive_order_on_three_points_is_one():
    res = highest_positive_order(ADV, [-1, 0, 1], interval=(0, 1))
    assert res.order == 1
    assert res.impossibility.status == "proved"
    assert "Godunov" in res.impossibility.render("md")


def test_at_courant_number_one_every_order_is_positive():
    # the exact shift w_{-1} = 1 matches every moment
    res = highest_positive_order(ADV, [-1, 0, 1], values={"nu": 1})
    assert res.order == 3
    assert res.member.weights == {-1: 1}


def test_numeric_certificate_at_a_rational_courant_number():
    res = highest_positive_order(ADV, [-1, 0, 1], values={"nu": sp.Rational(2, 5)})
    assert res.order == 1
    y = _certificate(res.impossibility)
    b = B.subs(nu, sp.Rational(2, 5))
    assert all(c >= 0 for c in (y.T * A)) and (y.T * b)[0] < 0


def test_enough_diffusion_allows_a_positive_second_order_scheme():
    # u_t + a u_x = D u_xx at nu = 1/3, r = 1/4: exact second moment 2r + nu^2 = 11/18, so the
    # unique second-order weights are (17/36, 7/18, 5/36) >= 0; third order is inconsistent on
    # three points (k^3 = k there, but -nu^3 - 6 r nu != -nu)
    from mcgen.model.symbols import D
    law = scalar_law(u, a * u, D)
    res = highest_positive_order(law, [-1, 0, 1], values={"nu": sp.Rational(1, 3),
                                                         "r": sp.Rational(1, 4)})
    assert res.order == 2
    assert res.member.weights == {-1: sp.Rational(17, 36), 0: sp.Rational(7, 18),
                                  1: sp.Rational(5, 36)}
    assert res.impossibility is None and res.derivation.status == "proved"


def test_wider_stencil_barrier_certificate_is_next_integer_pair():
    # exact second order forces zero variance, so a positive w must sit on the point -nu;
    # for 1 < nu < 2 the certificate is p(k) = (k + 1)(k + 2): >= 0 on the integers,
    # expectation (1 - nu)(2 - nu) < 0
    res = highest_positive_order(ADV, [-2, -1, 0, 1, 2], interval=(1, 2))
    assert res.order == 1
    y = _certificate(res.impossibility)
    k = sp.Symbol("k")
    p = sp.expand(y[0] + y[1] * k + y[2] * k ** 2)
    assert sp.simplify(p / ((k + 1) * (k + 2))).is_positive
