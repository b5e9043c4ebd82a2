"""Exact positivity of 2-D implicit heat schemes (issue 12): backward Euler (an M-matrix for every
r: exact), the factored Crank-Nicolson / ADI scheme (a tensor product of 1-D Crank-Nicolson
operators: exactly r <= 3/2), and the unfactored five-point Crank-Nicolson (not separable, but
B = 2 I - A: exactly r <= r* = 0.58820, a transcendental end point). Checked against A^{-1} B
built with NumPy on a periodic grid."""

from __future__ import annotations

import numpy as np
import sympy as sp

from mcgen.analysis.implicit_positivity import implicit_operators
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.safety_policy import safety_policy
from mcgen.analysis.separable_positivity import check_separable_operator
from mcgen.model import Field, Scheme
from mcgen.proof.derivation import Derivation

u = Field("u", dim=2)
r = sp.Symbol("r", nonnegative=True)
Q = sp.Rational


def new(i: int, j: int):
    return u.at(i, j, level=1)


def old(i: int, j: int):
    return u.at(i, j)


def dxx(f):
    return f(1, 0) - 2 * f(0, 0) + f(-1, 0)


def dyy(f):
    return f(0, 1) - 2 * f(0, 0) + f(0, -1)


def dxxyy(f):  # delta_x^2 delta_y^2: the term the factorisation adds
    w = ((1, 1), (0, -2), (-1, 1))
    return sum(cx * cy * f(i, j) for i, cx in w for j, cy in w)


def backward_euler_2d() -> Scheme:
    return Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - r * (dxx(new) + dyy(new)), old(0, 0))},
                  params=(r,), name="backward Euler, 2-D heat")


def crank_nicolson_2d() -> Scheme:
    return Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - r / 2 * (dxx(new) + dyy(new)),
                                         old(0, 0) + r / 2 * (dxx(old) + dyy(old)))},
                  params=(r,), name="Crank-Nicolson, 2-D heat")


def adi_2d() -> Scheme:
    # (1 - r/2 dxx)(1 - r/2 dyy) u^{n+1} = (1 + r/2 dxx)(1 + r/2 dyy) u^n
    return Scheme(("u",), 2, {"u": sp.Eq(
        new(0, 0) - r / 2 * (dxx(new) + dyy(new)) + r**2 / 4 * dxxyy(new),
        old(0, 0) + r / 2 * (dxx(old) + dyy(old)) + r**2 / 4 * dxxyy(old))},
        params=(r,), name="Crank-Nicolson, 2-D heat, factored (ADI)")


def min_entry_2d(scheme: Scheme, x, n: int = 24) -> float:
    """The smallest entry of A^{-1} B on n x n periodic cells (NumPy, dense)."""
    A, (B,) = implicit_operators(scheme)

    def matrix(W):
        M = np.zeros((n * n, n * n))
        for (i, j), w in W.items():
            v = float(sp.sympify(w).subs(r, x))
            for a in range(n):
                for b in range(n):
                    M[a * n + b, ((a + i) % n) * n + (b + j) % n] += v
        return M
    return np.linalg.solve(matrix(A), matrix(B)).min()


def test_backward_euler_2d_is_positive_for_every_r():
    d = positivity_region(backward_euler_2d())
    c = d.result
    assert c.status == "proved" and c.expr is sp.true and c.necessary is sp.true
    for x in (Q(1, 10), Q(10)):
        assert min_entry_2d(backward_euler_2d(), x) > -1e-14
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"


def test_factored_crank_nicolson_2d_is_the_1d_region():
    d = positivity_region(adi_2d())
    c = d.result
    assert c.status == "proved" and c.necessary == c.expr
    assert c.holds(r=1.5) and not c.holds(r=1.5 + 1e-9) and c.holds(r=0.0)
    assert "tensor product" in c.description and "only sufficient" in c.description
    for x, inside in ((Q(7, 5), True), (Q(3, 2), True), (Q(8, 5), False), (Q(3), False)):
        m = min_entry_2d(adi_2d(), x)
        assert (m > -1e-13) if inside else (m < -1e-4), (x, m)
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"
    (step,) = [st for st in d.steps if st.check.kind == "separable_operator"]
    assert step.check.run() == "proved"
    A, (B,) = implicit_operators(crank_nicolson_2d())
    assert check_separable_operator(A, B) == "refuted"  # the five-point CN is not a product


def test_unfactored_crank_nicolson_2d_is_decided_up_to_its_transcendental_end_point():
    # A^{-1} B = 2 A^{-1} - I with A an M-matrix, so positivity is g_0 >= 1/2 for the diagonal
    # entry g_0 = 1/AGM(1 + 2r, sqrt(1 + 4r)) of A^{-1}: r <= r* = 0.58820, decided by
    # mcgen.analysis.resolvent_positivity (tests/analysis/test_resolvent_positivity.py)
    c = positivity_region(crank_nicolson_2d()).result
    assert c.status == "proved" and c.necessary == c.expr
    assert "only sufficient" in c.description and "M-matrix" in c.description
    from mpmath import agm, findroot, mp, sqrt
    mp.dps = 30
    r_star = float(findroot(lambda x: agm(1 + 2 * x, sqrt(1 + 4 * x)) - 2, 0.58))
    assert abs(r_star - 0.5882) < 1e-4
    assert c.holds(r=0.5) and c.holds(r=r_star * (1 - 1e-9)) and not c.holds(r=r_star * (1 + 1e-9))
    assert min_entry_2d(crank_nicolson_2d(), Q(1, 2)) > -1e-14  # the sufficient bound holds
    assert min_entry_2d(crank_nicolson_2d(), r_star * (1 - 1e-3)) > -1e-12
    assert min_entry_2d(crank_nicolson_2d(), r_star * (1 + 1e-3)) < -1e-6


def test_safety_policy_enforces_the_exact_2d_positivity_when_it_is_proved():
    pos = safety_policy(adi_2d()).positivity
    assert pos.status == "proved" and pos.holds(r=1.5) and not pos.holds(r=1.6)
