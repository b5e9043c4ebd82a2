"""Exact positivity of 2-D implicit schemes with B = c I + d A, A a symmetric five-point
operator (issue 12): the unfactored five-point Crank-Nicolson heat scheme is positive exactly for
r <= r* = 0.5881972836856..., the root of AGM(1 + 2r, sqrt(1 + 4r)) = 2 (a transcendental end
point, enclosed by interval arithmetic). Every decision is checked against A^{-1} B built with
NumPy on a periodic grid (the wrapped terms are below 1e-20 at these sizes)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from mpmath import agm, findroot, mp, sqrt

from mcgen.analysis import resolvent_positivity as rp
from mcgen.analysis.implicit_positivity import implicit_operators
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.safety_policy import safety_policy
from mcgen.model import Field, Scheme
from mcgen.proof.check import Check
from mcgen.proof.derivation import Derivation

u = Field("u", dim=2)
r = sp.Symbol("r", nonnegative=True)
Q = sp.Rational


def new(i: int, j: int):
    return u.at(i, j, level=1)


def old(i: int, j: int):
    return u.at(i, j)


def lap(f, ky: int = 1):  # delta_x^2 + ky delta_y^2
    return f(1, 0) - 2 * f(0, 0) + f(-1, 0) + ky * (f(0, 1) - 2 * f(0, 0) + f(0, -1))


def crank_nicolson_2d() -> Scheme:
    return Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - r / 2 * lap(new),
                                         old(0, 0) + r / 2 * lap(old))},
                  params=(r,), name="Crank-Nicolson, 2-D heat")


def theta_anisotropic() -> Scheme:
    # u_t = u_xx + 2 u_yy, theta-method at theta = 3/4
    theta = Q(3, 4)
    return Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - theta * r * lap(new, 2),
                                         old(0, 0) + (1 - theta) * r * lap(old, 2))},
                  params=(r,), name="theta-method, anisotropic 2-D heat")


def matrix(W, n: int, values) -> np.ndarray:
    M = np.zeros((n * n, n * n))
    for (i, j), w in W.items():
        v = float(sp.sympify(w).subs(values))
        for a in range(n):
            for b in range(n):
                M[a * n + b, ((a + i) % n) * n + (b + j) % n] += v
    return M


def solution_operator(A, B, values, n: int = 32) -> np.ndarray:
    return np.linalg.solve(matrix(A, n, values), matrix(B, n, values))


def test_diagonal_of_the_green_function_is_one_over_the_agm():
    # G_0 = 1/AGM(X, Y), X^2 = a0^2 - 4 (|a1| - |a2|)^2, Y^2 = a0^2 - 4 (|a1| + |a2|)^2
    mp.dps = 20
    for a0, a1, a2 in ((3, Q(1, 2), Q(1, 2)), (6, 1, Q(3, 2)), (3, Q(-1, 2), Q(1, 4)),
                       (-4, 1, Q(1, 2))):
        A = {(0, 0): a0, (1, 0): -a1, (-1, 0): -a1, (0, 1): -a2, (0, -1): -a2}
        G = np.linalg.inv(matrix(A, 28, {}))[0, 0]
        s = 1 if a0 > 0 else -1
        X = sqrt(a0**2 - 4 * (abs(a1) - abs(a2))**2)
        Y = sqrt(a0**2 - 4 * (abs(a1) + abs(a2))**2)
        assert abs(G - s / float(agm(X, Y))) < 1e-8, (a0, a1, a2)  # wrapped terms
    # the Crank-Nicolson form: (2/pi) K(k)/(1 + 2r), k = 2r/(1 + 2r) (parameter m = k^2)
    x = Q(3, 10)
    g0 = 1 / agm(1 + 2 * x, sqrt(1 + 4 * x))
    assert abs(float(g0 - 2 / mp.pi * mp.ellipk((2 * x / (1 + 2 * x))**2) / (1 + 2 * x))) \
        < 1e-15


def test_five_point_crank_nicolson_is_positive_exactly_up_to_the_agm_root():
    d = positivity_region(crank_nicolson_2d())
    c = d.result
    assert c.status == "proved" and c.necessary == c.expr
    assert c.expr.has(sp.elliptic_k)
    mp.dps = 30
    r_star = findroot(lambda x: agm(1 + 2 * x, sqrt(1 + 4 * x)) - 2, 0.58)
    (run,) = rp.decide(*_ops(crank_nicolson_2d()), r).runs
    ((a, b), end), = run.roots
    assert end == "upper" and a < r_star < b and b - a < Q(1, 10**15)
    assert c.holds(r=0.0) and c.holds(r=float(r_star) - 1e-9)
    assert not c.holds(r=float(r_star) + 1e-9)
    assert "only sufficient" in c.description and "0.58819728368" in c.description
    rec = Derivation.from_json(d.render("json")).recheck()
    assert rec.status == "proved"


def _ops(scheme):
    A, (B,) = implicit_operators(scheme)
    return A, B


@pytest.mark.parametrize("scheme, x", [
    (crank_nicolson_2d, Q(1, 2)), (crank_nicolson_2d, Q(29, 50)), (crank_nicolson_2d, Q(59, 100)),
    (crank_nicolson_2d, Q(2)), (theta_anisotropic, Q(1, 3)), (theta_anisotropic, Q(3, 5)),
    (theta_anisotropic, Q(1)), (theta_anisotropic, Q(3))])
def test_point_decisions_agree_with_numpy(scheme, x):
    A, B = _ops(scheme())
    got = rp.decide_at(rp.resolvent_form(A, B, r), x)
    S = solution_operator(A, B, {r: x})
    assert got.ok == (S.min() > -1e-13), (x, S.min())
    if got.diagonal is not None:  # the lattice diagonal; the ring's differs by wrapped terms
        assert abs(float(got.diagonal.mid) - S[0, 0]) < 1e-5
    assert _region(scheme).holds(r=float(x)) == got.ok


_REGIONS: dict = {}


def _region(scheme):
    if scheme not in _REGIONS:
        _REGIONS[scheme] = positivity_region(scheme()).result
    return _REGIONS[scheme]


def test_anisotropic_theta_method_region_and_its_end_point():
    d = positivity_region(theta_anisotropic())
    c = d.result
    assert c.status == "proved"
    (run,) = rp.decide(*_ops(theta_anisotropic()), r).runs
    ((a, b), _), = run.roots
    A, B = _ops(theta_anisotropic())
    assert solution_operator(A, B, {r: a}).min() > -1e-13
    assert solution_operator(A, B, {r: b + Q(1, 1000)}).min() < 0
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"


def test_a_lower_end_point_when_c_over_minus_d_increases():
    # B = p I - A with A fixed (a0 = 3, a1 = a2 = 1/2): S = p A^{-1} - I, positive iff
    # p >= 1/G_0 = AGM(3, sqrt(5)), g decreasing in p
    p = sp.Symbol("p", real=True)
    A = {(0, 0): 3, (1, 0): -Q(1, 2), (-1, 0): -Q(1, 2), (0, 1): -Q(1, 2), (0, -1): -Q(1, 2)}
    B = {k: -w for k, w in A.items()}
    B[(0, 0)] += p
    got = rp.decide(A, B, p)
    assert got.exact and got.algebraic.is_empty
    (run,) = got.runs
    ((a, b), end), = run.roots
    mp.dps = 30
    assert end == "lower" and a < agm(3, sqrt(5)) < b
    for x in (a - Q(1, 100), b, Q(3), Q(-1), Q(0)):
        S = solution_operator(A, B, {p: x}, 16)
        assert rp.decide_at(rp.resolvent_form(A, B, p), x).ok == (S.min() > -1e-13), x
    expr, _ = rp.present(got, p)
    assert Check("resolvent_diagonal_region", (A, B, p, expr, (run.roots[0][0],))).run() \
        == "proved"


def test_edited_region_or_enclosure_is_refuted():
    A, B = _ops(crank_nicolson_2d())
    got = rp.decide(A, B, r)
    expr, _ = rp.present(got, r)
    ((a, b), _), = got.runs[0].roots
    ok = Check("resolvent_diagonal_region", (A, B, r, expr, ((a, b),)))
    assert ok.run() == "proved"
    shifted = Check("resolvent_diagonal_region", (A, B, r, expr, ((b, b + Q(1, 10)),)))
    assert shifted.run() == "refuted"  # both ends outside: no sign change certified
    other = Check("resolvent_diagonal_region", (A, B, r, sp.Le(r, Q(3, 5)), ((a, b),)))
    assert other.run() == "refuted"
    assert Check("resolvent_point", (A, B, r, Q(3, 5), "diagonal")).run() == "proved"
    assert Check("resolvent_point", (A, B, r, Q(1, 2), "diagonal")).run() == "refuted"


def test_other_2d_schemes_keep_the_m_matrix_bound():
    # advection-diffusion (A not symmetric): not of the form, the sufficient set stays
    adv = r / 4 * (new(1, 0) - new(-1, 0))
    s = Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - r / 2 * lap(new) + adv,
                                      old(0, 0) + r / 2 * lap(old))}, params=(r,), name="adv")
    A, B = _ops(s)
    assert rp.resolvent_form(A, B, r) is None
    c = positivity_region(s).result
    assert c.status == "unknown" and "M-matrix" in c.description


def test_safety_policy_uses_the_exact_region():
    pos = safety_policy(crank_nicolson_2d()).positivity
    assert pos.status == "proved" and pos.holds(r=0.58) and not pos.holds(r=0.59)
