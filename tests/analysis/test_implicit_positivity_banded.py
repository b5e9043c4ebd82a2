"""Exact positivity of 1-D implicit schemes whose A is banded and not symmetric (issue 12): an
upwind-biased third-order implicit advection operator (A at offsets -2..1), alone, with
Crank-Nicolson, and with implicit diffusion. Every decision is checked against A^{-1} B built
with NumPy on a periodic grid of 300 cells (the wrapped terms are far below the entries
compared)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis import banded_kernel as bk
from mcgen.analysis.implicit_positivity import decide, implicit_operators
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.safety_policy import safety_policy
from mcgen.model import Field, Scheme
from mcgen.proof.derivation import Derivation

Q = sp.Rational
nu = sp.Symbol("nu", real=True)
# u_x to third order, upwind-biased (a > 0): (2 u_(j+1) + 3 u_j - 6 u_(j-1) + u_(j-2)) / 6
D3 = {1: Q(1, 3), 0: Q(1, 2), -1: -1, -2: Q(1, 6)}


def backward_euler(c=nu, r=0):
    A = {k: c * w for k, w in D3.items()}
    A[0] += 1 + 2 * r
    A[1] -= r
    A[-1] -= r
    return A, {0: 1}


def crank_nicolson(c=nu):
    A = {k: c / 2 * w for k, w in D3.items()}
    B = {k: -c / 2 * w for k, w in D3.items()}
    A[0] += 1
    B[0] += 1
    return A, B


def matrix(W, n: int = 300) -> np.ndarray:
    M = np.zeros((n, n))
    for k, w in W.items():
        for a in range(n):
            M[a, (a + k) % n] += float(w)
    return M


def numpy_positive(A, B, x, p=nu) -> bool:
    Ax = {k: sp.sympify(w).subs(p, x) for k, w in A.items()}
    Bx = {k: sp.sympify(w).subs(p, x) for k, w in B.items()}
    S = np.linalg.solve(matrix(Ax), matrix(Bx))
    return bool(S.min() > -1e-14)  # the alternating tails reach -1e-13 near the ends


def test_upwind_biased_backward_euler_region_and_numpy():
    A, B = backward_euler()
    got = decide(A, [B], nu)
    assert got.exact
    assert got.region == sp.Union(sp.FiniteSet(0), sp.Interval(-sp.oo, Q(-9, 5)))
    for x in (Q(-3), Q(-9, 5), Q(-7, 4), Q(-1), Q(-1, 2), Q(1, 10), Q(1), Q(5)):
        assert numpy_positive(A, B, x) == bool(got.region.contains(x)), x


def test_upwind_biased_crank_nicolson_is_positive_only_at_zero():
    A, B = crank_nicolson()
    got = decide(A, [B], nu)
    assert got.exact and got.region == sp.FiniteSet(0)
    for x in (Q(-4), Q(-3), Q(-1, 2), Q(1, 4), Q(1), Q(3)):
        assert not numpy_positive(A, B, x), x


def test_with_implicit_diffusion_the_region_has_algebraic_end_points():
    A, B = backward_euler(r=Q(1, 2))
    got = decide(A, [B], nu)
    assert got.exact
    lo = Q(-39, 20) + 3 * sp.sqrt(89) / 20
    assert got.region == sp.Union(sp.Interval(-sp.oo, Q(-39, 20) - 3 * sp.sqrt(89) / 20),
                                  sp.Interval(lo, Q(3, 2)))
    for x in (Q(-5), Q(-1), Q(-53, 100), Q(-54, 100), Q(0), Q(3, 2), Q(151, 100), Q(2)):
        assert numpy_positive(A, B, x) == bool(got.region.contains(x)), x


@pytest.mark.parametrize("x", [Q(-3), Q(-1, 2), Q(1, 2), Q(2)])
def test_entries_and_point_decisions_agree_with_numpy(x):
    A, B = crank_nicolson(x)
    S = np.linalg.solve(matrix(A), matrix(B))
    for m in range(-4, 5):
        h = bk.entry_interval(A, B, m)
        assert abs(float(h.mid) - S[0, m % 300]) < 1e-12, (x, m)
    got = bk.decide_at(A, [B])
    assert got.ok is not None and got.ok == (S.min() > -1e-12)


def _scheme() -> Scheme:
    u = Field("u")
    c = sp.Symbol("nu", nonnegative=True)

    def new(k):
        return u.at(k, level=1)

    adv = sum(w * new(k) for k, w in D3.items())
    dif = new(1) - 2 * new(0) + new(-1)
    return Scheme(("u",), 1, {"u": sp.Eq(new(0) + c * adv - dif / 2, u[0])}, params=(c,),
                  name="implicit upwind-biased advection-diffusion")


def test_positivity_region_is_proved_where_the_m_matrix_test_fails():
    s = _scheme()
    d = positivity_region(s)
    c = d.result
    assert c.status == "proved"
    assert str(c.expr) == "(0 <= nu) & (nu <= 3/2)"
    assert c.holds(nu=0.0) and c.holds(nu=1.5) and not c.holds(nu=1.51)
    assert "only sufficient" in c.description  # the M-matrix bound is nu = 0 alone
    A, (B,) = implicit_operators(s)
    c_sym = sorted(s.params, key=str)[0]
    for x in (Q(1, 4), Q(3, 2), Q(8, 5)):
        assert numpy_positive(A, B, x, c_sym) == (x <= Q(3, 2))
    assert any(st.check.kind == "implicit_negative_entry" and st.check.run() == "proved"
               for st in d.steps)
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"
    pos = safety_policy(s).positivity
    assert pos.status == "proved" and pos.holds(nu=1.0) and not pos.holds(nu=2.0)


# Two roots of P on each side of the unit circle: fourth-order central advection (offsets
# -2..2) with a wide diffusion, A = 1 + nu D_4 + W (issue 12: the entries are sums over a pair
# of roots, signed from P's real quadratic factors).
D4 = {-2: Q(1, 12), -1: Q(-2, 3), 1: Q(2, 3), 2: Q(-1, 12)}
W4 = {-2: Q(-1, 4), -1: Q(-1, 2), 0: Q(5, 2), 1: Q(-1, 2), 2: Q(-1, 4)}


def paired(c=nu):
    return {k: W4.get(k, 0) + c * D4.get(k, 0) for k in range(-2, 3)}


def test_two_roots_on_each_side_region_is_exact():
    A, B = paired(), {0: 1}
    got = decide(A, [B], nu)
    assert got.exact
    end = 3 * sp.sqrt(21) / 14  # the two right-hand rates of equal modulus there
    assert got.region == sp.Interval(-end, end)
    for x in (Q(-5), Q(-2), Q(-1, 3), Q(0), Q(1, 3), Q(49, 50), Q(2), Q(5)):
        assert numpy_positive(A, B, x) == bool(got.region.contains(x)), x
    # just outside the dominant right rate is negative: a tail entry far out, certified < 0,
    # below double precision (NumPy sees the operator as positive there)
    Ax = {k: sp.sympify(w).subs(nu, 1) for k, w in A.items()}
    assert bk.split_of(bk.symbol_poly(Ax)[0]).paired
    assert bk.decide_at(Ax, [B]).fails == ((0, "tail"),)
    m = bk.first_negative_entry(Ax, B)
    assert m == 31 and bk.entry_interval(Ax, B, m) < 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_paired_entries_and_decisions_agree_with_numpy(seed):
    rng = np.random.default_rng(seed)
    done = 0
    while done < 2:
        A = {k: Q(int(rng.integers(-6, 7)), int(rng.integers(1, 5))) for k in range(-2, 3)}
        A[0] = Q(int(rng.integers(8, 21)), 2)
        if any(v == 0 for v in A.values()):
            continue
        s = bk.split_of(bk.symbol_poly(A)[0])
        if s is None or not s.paired:
            continue
        B = {k: Q(int(rng.integers(-1, 7)), int(rng.integers(1, 4))) for k in range(-1, 2)}
        S = np.linalg.solve(matrix(A), matrix(B))
        for m in range(-6, 7):
            assert abs(float(bk.entry_interval(A, B, m).mid) - S[0, m % 300]) < 1e-9, (A, m)
        got = bk.decide_at(A, [B])
        assert got.ok is not None
        if S.min() < -1e-13:
            assert got.ok is False
        if got.ok:
            assert S.min() > -1e-14
        for _, m in got.fails:
            if isinstance(m, int):
                assert S[0, m % 300] < 0
        done += 1


def test_paired_entry_polynomial_vanishes_where_an_entry_does():
    # B = P's own quadratic factor times z^-2... simpler: an entry that is exactly 0 for
    # B = A (A^{-1} A = I: every entry off the diagonal is 0)
    A = paired(Q(1, 3))
    P, L = bk.symbol_poly(A)
    assert bk.split_of(P).paired
    assert bk.pair_entry_poly(P, L, A, 1) == 0 and bk.pair_entry_poly(P, L, A, -1) == 0
    assert bk.pair_entry_poly(P, L, {0: 1}, 1) != 0
    got = bk.decide_at(A, [A])
    assert got.ok is None or got.ok  # zeros are never mistaken for signs


def _paired_scheme() -> Scheme:
    u = Field("u")
    c = sp.Symbol("nu", real=True)

    def new(k):
        return u.at(k, level=1)

    lhs = sum(w * new(k) for k, w in paired(c).items())
    return Scheme(("u",), 1, {"u": sp.Eq(lhs, u[0])}, params=(c,),
                  name="implicit fourth-order advection, wide diffusion")


def test_paired_positivity_region_is_proved_and_rechecks():
    d = positivity_region(_paired_scheme())
    c = d.result
    assert c.status == "proved"
    assert c.holds(nu=0.98) and not c.holds(nu=0.99) and c.holds(nu=-0.98)
    assert "only sufficient" in c.description  # the M-matrix bound is |nu| <= 3/4
    assert any(st.check.kind == "implicit_negative_entry" and st.check.run() == "proved"
               for st in d.steps)
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"
