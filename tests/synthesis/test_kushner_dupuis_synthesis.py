"""Kushner-Dupuis chains, 1-D and 2-D, against hand-derived values (known-results 13)."""

import pytest
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model import Law
from mcgen.model.symbols import dt, dx, x
from mcgen.proof import Derivation
from mcgen.synthesis import (
    consistent_family,
    kushner_dupuis_chain,
    kushner_dupuis_chain_2d,
    positive_aspect_ratios,
)

R = sp.Rational


def test_textbook_example_b_one_sigma_one_h_tenth():
    c = kushner_dupuis_chain(1, 1, h=R(1, 10))
    assert c.probabilities == {(1,): R(6, 11), (-1,): R(5, 11)}
    assert c.interval == R(1, 110)
    assert c.derivation.status == "proved"


@pytest.mark.parametrize("bval", [R(3, 2), R(-2, 3), 0])
def test_moments_are_local_consistency(bval):
    h, s = sp.Symbol("h", positive=True), sp.Symbol("s", positive=True)
    c = kushner_dupuis_chain(bval, s, h=h)
    p, m = c.probabilities[(1,)], c.probabilities[(-1,)]
    Q = s ** 2 + h * abs(bval)
    assert sp.simplify(h * (p - m) - bval * h ** 2 / Q) == 0          # E = b dt
    assert sp.simplify(h ** 2 * (p + m) - Q * h ** 2 / Q) == 0        # E^2 = Q dt
    assert sp.simplify(c.interval - h ** 2 / Q) == 0


def test_derivation_survives_json():
    c = kushner_dupuis_chain(-x, 1)
    assert Derivation.from_json(c.derivation.render("json")).recheck().status == "proved"


def test_fixed_dt_bound_for_ornstein_uhlenbeck_on_unit_interval():
    h = sp.Symbol("h", positive=True)
    c = kushner_dupuis_chain(-x, 1, h=h)
    f = c.fixed_dt(domain=(-1, 1))
    # max over |x| <= 1 of Q = 1 + h|x| is 1 + h
    assert sp.simplify(f.condition.expr.rhs - h ** 2 / (1 + h)) == 0
    w = f.scheme.linear_weights()
    assert sp.simplify(sum(w.values()) - 1) == 0
    assert f.scheme.reading == "backward" and f.scheme.is_variable_coefficient


def test_fixed_dt_chain_is_a_member_of_the_drift_diffusion_family():
    # backward law v_t = b v_x + (sigma^2/2) v_xx, b = 1, sigma = 1: first-order family on
    # three points; the fixed-dt chain is q = (sigma^2 + h|b|) dt / h^2
    v = sp.Symbol("v")
    law = Law((v,), drift=(1,), diffusion=R(1, 2), diffusion_form="ito", form="backward")
    fam = consistent_family(law, [-1, 0, 1], 1)
    chain = kushner_dupuis_chain(1, 1, h=dx).fixed_dt(dt)
    (q,) = fam.free
    vals = fam.identify(chain.scheme.linear_weights())
    assert sp.simplify(vals[q] - (1 + dx) * dt / dx ** 2) == 0


def test_nine_point_chain_hand_values():
    c = kushner_dupuis_chain_2d((1, -1), a=[[2, 1], [1, 1]], h=(R(1, 10), R(1, 10)))
    assert c.interval == R(1, 220)
    assert c.probabilities == {(1, 0): R(3, 11), (-1, 0): R(5, 22), (0, -1): R(1, 22),
                               (1, 1): R(5, 22), (-1, -1): R(5, 22)}
    assert c.derivation.status == "proved"


def test_aspect_ratio_range_and_refusal_naming_it():
    cond = positive_aspect_ratios([[1, R(3, 2)], [R(3, 2), 4]])
    rho = cond.variables[0]
    assert cond.expr.as_set() == sp.Interval(R(3, 2), R(8, 3))
    assert cond.expr.subs(rho, 2) and not cond.expr.subs(rho, 1)
    with pytest.raises(ModelError, match="3/2 <= h2/h1 <= 8/3"):
        kushner_dupuis_chain_2d((0, 0), a=[[1, R(3, 2)], [R(3, 2), 4]], h=(1, 1), widen=False)
    ok = kushner_dupuis_chain_2d((0, 0), a=[[1, R(3, 2)], [R(3, 2), 4]], h=(1, 2), widen=False)
    assert all(p >= 0 for p in ok.probabilities.values())


def test_wider_support_when_the_square_grid_cannot():
    A = sp.Matrix([[1, R(3, 2)], [R(3, 2), 4]])
    b = (1, 0)
    c = kushner_dupuis_chain_2d(b, a=A, h=(1, 1))
    probs = c.probabilities
    assert max(max(abs(k[0]), abs(k[1])) for k in probs) == 2   # left the nine points
    assert all(p >= 0 for p in probs.values())
    assert sum(probs.values()) + c.process.jumps.get((0, 0), 0) == 1
    dtc = c.interval
    mean = [sum(p * k[i] for k, p in probs.items()) for i in range(2)]
    cov = [[sum(p * k[i] * k[j] for k, p in probs.items()) for j in range(2)] for i in range(2)]
    assert mean == [b[0] * dtc, b[1] * dtc]
    # upwind drift adds h|b| dt on the diagonal
    assert cov == [[(A[0, 0] + 1) * dtc, A[0, 1] * dtc], [A[1, 0] * dtc, A[1, 1] * dtc]]
    assert c.derivation.status == "proved"


def test_indefinite_covariance_is_refused():
    with pytest.raises(ModelError, match="positive semidefinite"):
        kushner_dupuis_chain_2d((0, 0), a=[[1, 2], [2, 1]], h=(1, 1))


def test_sigma_matrix_gives_covariance_and_symbolic_steps_give_the_ratio_condition():
    s = sp.Matrix([[1, 0], [1, 1]])           # a = s s^T = [[1, 1], [1, 2]]
    c = kushner_dupuis_chain_2d((0, 0), sigma=s)
    rho = c.condition.variables[0]
    assert c.condition.expr.as_set() == sp.Interval(1, 2)
    assert c.covariance == sp.ImmutableMatrix([[1, 1], [1, 2]])
    assert c.derivation.status == "proved"
    _ = rho


def test_fixed_dt_nine_point_chain_and_step_bound():
    c = kushner_dupuis_chain_2d((1, -1), a=[[2, 1], [1, 1]], h=(R(1, 10), R(1, 10)))
    f = c.fixed_dt(R(1, 440))                      # half the interval 1/220
    w = f.scheme.linear_weights()
    assert w[(0, 0)] == R(1, 2) and w[(1, 0)] == R(3, 22)
    assert sum(w.values()) == 1
    with pytest.raises(ModelError, match="exceeds the largest step 1/220"):
        c.fixed_dt(R(1, 200))
