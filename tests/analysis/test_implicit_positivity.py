"""Exact positivity of implicit and three-level schemes: the solution operator A^{-1} B (the
companion operator for three levels) is non-negative exactly on the decided region, on the
lattice and on N periodic cells. Each region is checked against its closed form and against the
operator built with NumPy (inside: no negative entry; just outside: a negative one)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from dense_operators import circulant

from mcgen.analysis.implicit_kernel import entry_value
from mcgen.analysis.implicit_positivity import decide, implicit_operators
from mcgen.analysis.periodic_positivity import (
    check_set_implies,
    periodic_positivity_at,
    periodic_positivity_region,
)
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.safety_policy import safety_policy
from mcgen.errors import AnalysisError, DerivationFileError
from mcgen.model import Field, Scheme
from mcgen.model.catalogue import linear as cat
from mcgen.proof.check import Check
from mcgen.proof.derivation import Derivation
from mcgen.proof.sturm import check_region_equivalent

u = Field("u")
r = sp.Symbol("r", nonnegative=True)
nu = sp.Symbol("nu", nonnegative=True)
nu_real = sp.Symbol("nu", real=True)
Q = sp.Rational


def new(k: int):
    return u.at(k, level=1)


def old(k: int):
    return u.at(k, level=-1)


def solution_operator(A: dict, blocks: list[dict], n: int = 64) -> np.ndarray:
    """[A^{-1} B_0, A^{-1} B_1] on n periodic cells (the companion operator's first row)."""
    An = circulant(A, n)
    return np.hstack([np.linalg.solve(An, circulant(B, n)) for B in blocks])


def same(expr, expected, var) -> bool:
    """The regions coincide on the variable's declared domain (exact, algebraic end points)."""
    return check_set_implies(expr, expected, var) == check_set_implies(expected, expr, var) \
        == "proved"


def at(W: dict, p: sp.Symbol, x) -> dict:
    return {k: sp.sympify(w).subs(p, x) for k, w in W.items()}


def min_entry(scheme: Scheme, p: sp.Symbol, x, n: int = 64) -> float:
    A, blocks = implicit_operators(scheme)
    return solution_operator(at(A, p, x), [at(B, p, x) for B in blocks], n).min()


def dufort_frankel() -> Scheme:
    return Scheme(("u",), 1, {"u": sp.Eq((1 + 2 * r) * new(0),
                                         2 * r * (u[1] + u[-1]) + (1 - 2 * r) * old(0))},
                  params=(r,), name="DuFort-Frankel")


def bdf2_heat() -> Scheme:
    return Scheme(("u",), 1, {"u": sp.Eq(Q(3, 2) * new(0) - r * (new(1) - 2 * new(0) + new(-1)),
                                         2 * u[0] - old(0) / 2)}, params=(r,), name="BDF2")


@pytest.mark.parametrize("theta", [Q(1, 4), Q(1, 2), Q(3, 4)])
def test_theta_method_exact_region_is_the_closed_form_beyond_the_m_matrix_bound(theta):
    # derived by hand: the diagonal entry h_0 = g_0 (1 - 2 (1 - theta) r (1 - lambda)) vanishes
    # where theta r (1 - lambda)^2 = lambda, i.e. at r* = (2 - theta) / (4 (1 - theta)^2)
    s = cat.theta_method(theta)
    d = positivity_region(s)
    c = d.result
    r_star = (2 - theta) / (4 * (1 - theta) ** 2)
    m_matrix = 1 / (2 * (1 - theta))
    assert c.status == "proved" and d.recheck().status == "proved"
    assert same(c.expr, r <= r_star, r)
    assert r_star > m_matrix and f"M-matrix bound 0 <= r <= {m_matrix}" in c.description
    # exact at the boundary: the diagonal entry of A^{-1} B is zero at r*, negative beyond
    A, (B,) = implicit_operators(s)
    assert sp.simplify(entry_value(at(A, r, r_star), at(B, r, r_star), 0)) == 0
    assert sp.N(entry_value(at(A, r, r_star + Q(1, 100)), at(B, r, r_star + Q(1, 100)), 0)) < 0
    # NumPy on 64 periodic cells, inside and outside
    assert min_entry(s, r, 0.99 * r_star) > -1e-13
    assert min_entry(s, r, 1.01 * r_star) < -1e-6


def test_fully_implicit_and_beyond_positive_for_every_r():
    for theta in (1, Q(3, 2)):  # theta = 3/2: derived here, confirmed by NumPy
        c = positivity_region(cat.theta_method(theta)).result
        assert c.status == "proved" and same(c.expr, sp.true, r)
        for x in (Q(1, 10), 10, 1000):
            assert min_entry(cat.theta_method(theta), r, x) > -1e-13


def test_implicit_upwind_positive_for_every_courant_number():
    s = Scheme(("u",), 1, {"u": sp.Eq(new(0) + nu * (new(0) - new(-1)), u[0])}, params=(nu,),
               name="implicit upwind")
    c = positivity_region(s).result
    assert c.status == "proved" and same(c.expr, sp.true, nu)
    assert min_entry(s, nu, 50) > -1e-13


def test_crank_nicolson_advection_is_never_positive_with_counterexamples():
    # second order and linear, so by Godunov's theorem not monotone for any nu != 0
    s = Scheme(("u",), 1, {"u": sp.Eq(new(0) + nu_real / 4 * (new(1) - new(-1)),
                                      u[0] - nu_real / 4 * (u[1] - u[-1]))},
               params=(nu_real,), name="CN advection")
    d = positivity_region(s)
    assert d.result.status == "proved" and d.result.expr == sp.Eq(nu_real, 0)
    counter = [st for st in d.steps if str(st.claim).startswith("counterexample")]
    assert counter and all(st.check.run() == "proved" for st in counter)
    for x in (Q(-1, 2), Q(1, 10), 3):
        assert min_entry(s, nu_real, x) < -1e-6


def test_dufort_frankel_three_level_positive_exactly_for_r_at_most_one_half():
    s = dufort_frankel()
    d = positivity_region(s)
    c = d.result
    assert c.status == "proved" and same(c.expr, r <= Q(1, 2), r)
    assert "companion operator" in d.render("md")
    counter = [st for st in d.steps if str(st.claim).startswith("counterexample")]
    assert counter and "u^(n-1)" in str(counter[0].claim)  # the u^{n-1} block fails
    assert min_entry(s, r, Q(1, 2)) > -1e-13 and min_entry(s, r, Q(51, 100)) < -1e-3


def test_bdf2_is_positive_for_no_r_and_says_why():
    s = bdf2_heat()
    d = positivity_region(s)
    assert d.result.status == "proved" and d.result.expr is sp.false
    counter = [st for st in d.steps if str(st.claim).startswith("counterexample")]
    assert counter and counter[0].check.run() == "proved"
    A, blocks = implicit_operators(s)
    for x in (0, Q(1, 10), 5):  # -A^{-1}/2 on u^{n-1}: negative diagonal for every r
        assert sp.N(entry_value(at(A, r, x), at(blocks[1], r, x), 0)) < 0
        assert min_entry(s, r, x) < -1e-3


def test_explicit_leapfrog_agrees_with_the_companion_decision():
    A, blocks = implicit_operators(cat.leapfrog())
    nuc = cat.leapfrog().params[0]
    got = decide(A, blocks, nuc)
    assert got.exact and got.region == sp.FiniteSet(0)
    assert positivity_region(cat.leapfrog()).result.expr == sp.Eq(nuc, 0)


def test_periodic_grid_regions_decrease_to_the_lattice_bound():
    cn = cat.crank_nicolson()
    ends = {}
    for n in (3, 4, 8):
        d = periodic_positivity_region(cn, n)
        c = d.result
        assert c.status == "proved" and "periodic cells" in c.scope
        (interval,) = [c.expr]
        ends[n] = max((a.rhs for a in interval.args if a.lhs == r), key=lambda e: sp.N(e))
        assert any(st.check.kind == "set_implies" for st in d.steps)  # contains the lattice one
    assert ends[3] == 2 and sp.simplify(ends[4] - (1 + sp.sqrt(5)) / 2) == 0
    assert ends[3] > ends[4] > ends[8] > Q(3, 2) and ends[8] - Q(3, 2) < Q(2, 1000)
    # NumPy on 8 cells just inside and outside the exact endpoint
    e8 = float(sp.N(ends[8], 30))
    assert min_entry(cn, r, e8 * (1 - 1e-6), n=8) > -1e-12
    assert min_entry(cn, r, e8 * (1 + 1e-4), n=8) < 0
    d = periodic_positivity_region(cn, 4)
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"


def test_periodic_refusals():
    for bad in (0, True, 10**6, 2.5):
        with pytest.raises(AnalysisError, match="periodic cells"):
            periodic_positivity_region(cat.crank_nicolson(), bad)
    with pytest.raises(AnalysisError, match="parameters"):
        periodic_positivity_region(cat.theta_method(), 4)


def test_round_trip_and_tampered_region_is_refuted():
    import json
    d = positivity_region(dufort_frankel())
    text = d.render("json")
    assert Derivation.from_json(text).recheck().status == "proved"
    data = json.loads(text)
    steps = [st for st in data["steps"] if "implicit_kernel_region" in json.dumps(st["check"])]
    assert len(steps) == 1
    edited = json.dumps(steps[0]).replace('{"rat": ["1", "2"]}', '{"rat": ["3", "4"]}')
    assert edited != json.dumps(steps[0])  # the claimed end point r <= 1/2 becomes 3/4
    data["steps"][data["steps"].index(steps[0])] = json.loads(edited)
    with pytest.raises(DerivationFileError, match="digest"):
        Derivation.from_json(json.dumps(data)).recheck()
    # and the check itself refutes the edited claim (a file re-signed by hand would not pass)
    (step,) = [st for st in d.steps if st.check.kind == "implicit_kernel_region"]
    A, blocks, p, claimed = step.check.args
    assert Check(step.check.kind, (A, blocks, p, claimed)).run() == "proved"
    assert Check(step.check.kind, (A, blocks, p, p <= Q(3, 4))).run() == "refuted"


def test_safety_policy_uses_the_exact_implicit_regions():
    pol = safety_policy(dufort_frankel())
    assert pol.positivity.status == "proved"
    assert same(pol.positivity.expr, r <= Q(1, 2), r)
    cn = safety_policy(cat.crank_nicolson()).positivity
    assert cn.status == "proved" and cn.holds(r=1.5) and not cn.holds(r=1.51)


def test_wide_implicit_operators_exact_where_decided_else_the_m_matrix_set():
    # u_{j+-2} only: the even sublattice's tridiagonal M-matrix, positive for every r (was
    # M-matrix 'unknown' before symmetric pentadiagonal operators were decided)
    s = Scheme(("u",), 1, {"u": sp.Eq(new(0) - r * (new(2) - 2 * new(0) + new(-2)) / 4,
                                      u[0])}, params=(r,), name="wide implicit")
    c = positivity_region(s).result
    assert c.status == "proved" and same(c.expr, sp.true, r)
    assert min_entry(s, r, 7) > -1e-13
    # a non-symmetric pentadiagonal A that is an M-matrix for every r: exact (every r)
    s = Scheme(("u",), 1, {"u": sp.Eq(new(0) - r * (new(2) - 2 * new(0) + new(-2)) / 4
                                      + r * (new(0) - new(-1)), u[0])}, params=(r,),
               name="wide implicit with upwind")
    c = positivity_region(s).result
    assert c.status == "proved" and same(c.expr, sp.true, r) and min_entry(s, r, 5) > -1e-13
    # non-symmetric, pentadiagonal and not an M-matrix: positive only at r = 0 (the critical
    # values between oscillating cells were out of reach before the dominant rates' failure
    # was certified on an interval around them)
    s = Scheme(("u",), 1, {"u": sp.Eq(new(0) + r * (new(2) - 4 * new(1) + 6 * new(0)
                                                    - 4 * new(-1) + new(-2))
                                      + r * (new(0) - new(-1)), u[0])}, params=(r,),
               name="biharmonic with upwind")
    c = positivity_region(s).result
    assert c.status == "proved" and same(c.expr, sp.Eq(r, 0), r) and min_entry(s, r, 1) < -1e-3
    # three roots inside with a positive sample in the unbounded cell r > e (no uniform N0
    # there): the M-matrix set (here r = 0) is kept as the sufficient part, status 'unknown'
    d4u = {-3: Q(-1, 12), -2: Q(1, 2), -1: Q(-3, 2), 0: Q(5, 6), 1: Q(1, 4)}
    s = Scheme(("u",), 1, {"u": sp.Eq(new(0) + r * sum(w * new(k) for k, w in d4u.items())
                                      - r * (new(1) - 2 * new(0) + new(-1)), u[0])},
               params=(r,), name="fourth-order upwind-biased, diffusion ~ r")
    c = positivity_region(s).result
    assert c.status == "unknown" and c.necessary is None and "M-matrix" in c.description


def test_theta_method_in_both_parameters_is_the_closed_form():
    s = cat.theta_method()
    d = positivity_region(s)
    c = d.result
    rr, th = s.params
    closed = sp.Or(th >= 1, 4 * (1 - th) ** 2 * rr <= 2 - th)
    assert c.status == "proved" and d.recheck().status == "proved"
    assert check_region_equivalent(c.expr, closed, (rr, th)) == "proved"
    (step,) = [st for st in d.steps if st.check.kind == "implicit_kernel_region_2d"]
    A, blocks, p, q, _ = step.check.args
    wrong = sp.Or(th >= 1, 4 * (1 - th) ** 2 * rr <= 3 - th)
    assert Check(step.check.kind, (A, blocks, p, q, wrong)).run() == "refuted"
    for tv in (Q(1, 5), Q(3, 5), Q(9, 10)):  # NumPy on 64 cells across the curve
        r_star = (2 - tv) / (4 * (1 - tv) ** 2)
        for x, inside in ((r_star * Q(98, 100), True), (r_star * Q(102, 100), False)):
            pt = {rr: x, th: tv}
            m = solution_operator({k: sp.sympify(w).subs(pt) for k, w in A.items()},
                                  [{k: sp.sympify(w).subs(pt) for k, w in B.items()}
                                   for B in blocks]).min()
            assert bool(c.expr.subs(pt)) is inside and bool(m > -1e-13) is inside
    assert c.holds(r=1e6, theta=1.0) and c.holds(r=1e6, theta=2.5)


def test_crank_nicolson_advection_diffusion_nonsymmetric_operator():
    # cell Peclet number 1 (r = nu): A is not symmetric; exact nu <= 2 sqrt(7) - 4 = 1.2915...,
    # the M-matrix bound gives nu <= 1
    s = Scheme(("u",), 1, {"u": sp.Eq(new(0) + nu / 4 * (new(1) - new(-1))
                                      - nu / 2 * (new(1) - 2 * new(0) + new(-1)),
                                      u[0] - nu / 4 * (u[1] - u[-1])
                                      + nu / 2 * (u[1] - 2 * u[0] + u[-1]))},
               params=(nu,), name="CN advection-diffusion")
    c = positivity_region(s).result
    end = 2 * sp.sqrt(7) - 4
    assert c.status == "proved" and same(c.expr, nu <= end, nu)
    assert "M-matrix bound 0 <= nu <= 1 is only sufficient" in c.description
    e = float(end)
    assert min_entry(s, nu, e * (1 - 1e-4), n=200) > -1e-13
    assert min_entry(s, nu, e * (1 + 1e-3), n=200) < 0


def _random_schemes(count: int, seed: int = 7):
    import random
    rng = random.Random(seed)
    p = sp.Symbol("p", real=True)

    def rq():
        return Q(rng.randint(-4, 4), rng.randint(1, 4))

    for _ in range(count):
        A = {-1: rq() + rq() * p, 0: 2 + abs(rq()) + abs(rq()) * p ** 2, 1: rq() + rq() * p}
        B = {j: rq() + rq() * p for j in range(-rng.randint(0, 2), rng.randint(0, 2) + 1)}
        yield p, A, B


@pytest.mark.parametrize("count", [1, pytest.param(12, marks=pytest.mark.skipif(
    not __import__("os").environ.get("MCGEN_SLOW"), reason="MCGEN_SLOW=1"))])
def test_random_tridiagonal_schemes_agree_with_numpy(count):
    """Random non-symmetric A (one parameter, possibly one-sided kernels): wherever a cell is
    decided, the region agrees with A^{-1} B built by NumPy on 200 cells."""
    checked = 0
    for p, A, B in _random_schemes(count):
        got = decide(A, [B], p)
        assert got is not None
        ends = [float(b) for b in got.region.boundary if b.is_finite]
        for x in np.linspace(-3, 3, 25):
            xq = Q(round(x * 8), 8)
            Ax = {k: float(w.subs(p, xq)) for k, w in A.items()}
            if sum(Ax.values()) * (Ax[0] - Ax[-1] - Ax[1]) <= 0 or \
                    any(abs(e - float(xq)) < 1e-3 for e in ends):
                continue  # one-sided kernel (not decided) or at an end point
            m = solution_operator(Ax, [{k: w.subs(p, xq) for k, w in B.items()}], 200).min()
            inside = bool(got.region.contains(xq))
            assert (m > -1e-9) if inside else (m < -1e-12), (A, B, xq)
            checked += 1
    assert checked >= 20 * count * 0.6


def test_periodic_grid_for_explicit_and_three_level_schemes():
    up = periodic_positivity_region(cat.upwind(), 5).result
    assert same(up.expr, up.variables[0] <= 1, up.variables[0])
    df = periodic_positivity_region(dufort_frankel(), 2)  # u_{j+1} = u_{j-1} on two cells
    assert df.status == "proved" and same(df.result.expr, r <= Q(1, 2), r)
    assert same(periodic_positivity_region(cat.crank_nicolson(), 1).result.expr, sp.true, r)


def _circulant_entry(r_value, n: int, m: int):
    """Crank-Nicolson's circulant entry h^N_m by the discrete Fourier sum, at 80 digits: an
    independent check of the exact periodic decision beyond double precision."""
    from mpmath import cos, mp, mpf, pi
    mp.dps = 80
    x = mpf(r_value.p) / r_value.q
    return sum(((1 - x * (1 - cos(2 * pi * k / n))) / (1 + x * (1 - cos(2 * pi * k / n)))
                * cos(2 * pi * k * m / n) for k in range(n)), mpf(0)) / n


def test_periodic_decision_at_a_value_for_64_cells():
    # on 64 cells r_64 - 3/2 is about 3^-64 (the wrapped terms): r = 3/2 + 10^-32 is positive
    # there though not on the lattice, r = 3/2 + 10^-28 is not; the mpmath Fourier sum agrees
    cn = cat.crank_nicolson()
    inside, outside = Q(3, 2) + Q(1, 10**32), Q(3, 2) + Q(1, 10**28)
    d = periodic_positivity_at(cn, 64, inside)
    assert d.result is True and d.recheck().status == "proved"
    assert min(_circulant_entry(inside, 64, m) for m in range(64)) > 0
    d = periodic_positivity_at(cn, 64, outside)
    assert d.result is False
    (neg,) = [st for st in d.steps if st.check.kind == "implicit_negative_entry"]
    assert neg.check.run() == "proved" and _circulant_entry(outside, 64, neg.check.args[4]) < 0
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"
    assert positivity_region(cn).result.holds(r=1.5) and not \
        positivity_region(cn).result.expr.subs(r, inside)  # the lattice region excludes it
    with pytest.raises(AnalysisError, match="positive int"):
        periodic_positivity_at(cn, 0, 1)


def test_periodic_decisive_entries_do_not_grow_with_n():
    from mcgen.analysis.implicit_kernel import middle_range, offsets
    B = {-1: 1, 0: 1, 1: 1}
    assert middle_range(B, 64) == (1, 62)
    assert offsets(B, 64) == [0, 1, 2, 61, 62, 63] and len(offsets(B, 1000)) == 6
    assert offsets(B, 5) == list(range(5))  # short rings: every entry
