"""Exact positivity of implicit schemes with B = c I + d A beyond the five-point operator
(issue 12): the compact nine-point Crank-Nicolson scheme in 2-D (G_0 = 1/AGM(1 + 2r,
sqrt(1 + 8r/3)): r <= r* = 0.67698...), a mixed derivative in M-matrix form (unequal diagonal
pairs: r <= 0.75247...) and the seven-point Crank-Nicolson and theta-method schemes
in 3-D (G_0 = (1/pi) int_0^pi dtheta / AGM(X(theta), Y(theta)), enclosed by the trapezoid rule
with its analytic error bound: r <= r* = 0.36813...). Every value is checked against NumPy: the
lattice G_0 by the trapezoid rule on a large periodic grid (spectrally accurate), the solution
operator's entries by the FFT of B(theta)/A(theta) on a periodic grid (its wrapped terms are
below 1e-20 at these sizes)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from mpmath import agm, iv, mp, mpf, sqrt

from mcgen.analysis import lattice_green as green
from mcgen.analysis import resolvent_positivity as rp
from mcgen.analysis.implicit_positivity import implicit_operators
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.safety_policy import safety_policy
from mcgen.errors import DerivationFileError
from mcgen.model import Field, Scheme
from mcgen.proof.check import Check
from mcgen.proof.derivation import Derivation

r = sp.Symbol("r", nonnegative=True)
Q = sp.Rational
u2, u3 = Field("u", dim=2), Field("u", dim=3)


def lap9(f):  # the compact isotropic nine-point Laplacian (1/6) [1 4 1; 4 -20 4; 1 4 1]
    edges = f(1, 0) + f(-1, 0) + f(0, 1) + f(0, -1)
    corners = f(1, 1) + f(-1, -1) + f(1, -1) + f(-1, 1)
    return (4 * edges + corners - 20 * f(0, 0)) / 6


def lap7(f, k=(1, 1, 1)):  # k_x delta_x^2 + k_y delta_y^2 + k_z delta_z^2
    out = 0
    for axis in range(3):
        e = [0, 0, 0]
        e[axis] = 1
        out += k[axis] * (f(*e) + f(*(-i for i in e)) - 2 * f(0, 0, 0))
    return out


def nine_point_cn() -> Scheme:
    def new(i, j):
        return u2.at(i, j, level=1)
    return Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - r / 2 * lap9(new),
                                         u2.at(0, 0) + r / 2 * lap9(u2.at))},
                  params=(r,), name="Crank-Nicolson, nine-point")


def seven_point(theta=None, k=(1, 1, 1), name="Crank-Nicolson, seven-point") -> Scheme:
    theta = Q(1, 2) if theta is None else theta

    def new(i, j, m):
        return u3.at(i, j, m, level=1)
    return Scheme(("u",), 3, {"u": sp.Eq(new(0, 0, 0) - theta * r * lap7(new, k),
                                         u3.at(0, 0, 0) + (1 - theta) * r * lap7(u3.at, k))},
                  params=(r,), name=name)


def theta_anisotropic_3d() -> Scheme:  # u_t = u_xx + 2 u_yy + 3 u_zz, theta = 3/4
    return seven_point(Q(3, 4), (1, 2, 3), "theta-method, anisotropic 3-D heat")


def rotated_cn() -> Scheme:
    """Crank-Nicolson for u_t = div(D grad u), D = [[1, 1/2], [1/2, 1]], in the M-matrix form
    (1/2) delta_x^2 + (1/2) delta_y^2 + (1/2) delta_(1,1)^2: unequal diagonal pairs."""
    def new(i, j):
        return u2.at(i, j, level=1)

    def L(f):
        return (f(1, 0) + f(-1, 0) + f(0, 1) + f(0, -1) + f(1, 1) + f(-1, -1)
                - 6 * f(0, 0)) / 2
    return Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - r / 2 * L(new), u2.at(0, 0) + r / 2 *
                                         L(u2.at))}, params=(r,), name="Crank-Nicolson, rotated")


def _ops(scheme):
    A, (B,) = implicit_operators(scheme)
    return A, B


def symbol(W, x, n: int) -> np.ndarray:
    """W(theta) on the n^d grid of the torus (W even: real)."""
    dim = len(next(iter(W)))
    th = np.meshgrid(*[2 * np.pi * np.arange(n) / n] * dim, indexing="ij")
    return sum(float(sp.sympify(w).subs(r, x)) * np.cos(sum(k[i] * th[i] for i in range(dim)))
               for k, w in W.items())


def solution_kernel(A, B, x, n: int) -> np.ndarray:
    """The entries of A^{-1} B on the periodic n^d grid (FFT: the operators are circulant)."""
    return np.real(np.fft.ifftn(symbol(B, x, n) / symbol(A, x, n)))


def green_diagonal(A, x, n: int) -> float:
    """G_0 of the lattice by the trapezoid rule on n^d points (spectrally accurate)."""
    return float(np.mean(1 / symbol(A, x, n)))


def numpy_root(A, rho: float, lo: float, hi: float, n: int) -> float:
    """The r where 1/G_0 = rho, by bisection on the NumPy G_0 (1/G_0 increasing in r)."""
    for _ in range(45):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 1 / green_diagonal(A, mid, n) < rho else (lo, mid)
    return (lo + hi) / 2


_DERIVED: dict = {}


def derived(scheme):
    if scheme not in _DERIVED:
        _DERIVED[scheme] = positivity_region(scheme())
    return _DERIVED[scheme]


def the_root(scheme):
    (run,) = rp.decide(*_ops(scheme()), r).runs
    ((a, b), end), = run.roots
    return a, b, end


def test_nine_point_green_function_is_one_over_the_agm():
    # X^2 = (m0 + 4 m3)^2 - 4 (m1 - m2)^2, Y^2 = (m0 - 4 m3)^2 - 4 (m1 + m2)^2
    mp.dps = 20
    for m0, m1, m2, m3 in ((Q(7, 2), Q(1, 2), Q(1, 2), Q(1, 4)), (5, 1, Q(1, 2), Q(3, 10)),
                           (4, Q(3, 10), Q(7, 10), Q(1, 10)), (1, 0, 0, Q(1, 5))):
        A = {(0, 0): m0, (1, 0): -m1, (-1, 0): -m1, (0, 1): -m2, (0, -1): -m2,
             (1, 1): -m3, (-1, -1): -m3, (1, -1): -m3, (-1, 1): -m3}
        x2, y2 = green.planar_squares(*(mpf(sp.Rational(v).p) / sp.Rational(v).q
                                        for v in (m0, m1, m2, m3)))
        assert abs(green_diagonal(A, 0, 512) - 1 / agm(sqrt(x2), sqrt(y2))) < 1e-13
        iv.prec = 80
        enc = green.planar_inverse(*(iv.mpf(int(sp.Rational(v).p)) / int(sp.Rational(v).q)
                                     for v in (m0, m1, m2, m3)))
        assert 1 / green_diagonal(A, 0, 512) in iv.mpf([enc.a - 1e-12, enc.b + 1e-12])


def test_seven_point_green_function_enclosure_contains_the_lattice_value():
    for m0, m1, m2, m3 in (("2.2", "0.2", "0.2", "0.2"), ("4", "0.3", "0.5", "0.7"),
                           ("2", "0.5", "0.25", "0.125")):
        iv.prec = 64
        enc = green.cubic_inverse(*(iv.mpf(v) for v in (m0, m1, m2, m3)), 64)
        assert enc.delta < 1e-15
        A = {(0, 0, 0): float(m0)}
        for axis, m in enumerate((m1, m2, m3)):
            e = [0, 0, 0]
            e[axis] = 1
            A[tuple(e)] = A[tuple(-i for i in e)] = -float(m)
        value = 1 / green_diagonal(A, 0, 96)  # decays fast: 96 points are exact to ~1e-15
        assert enc.a - 1e-13 < value < enc.b + 1e-13


def test_nine_point_crank_nicolson_is_positive_exactly_up_to_its_agm_root():
    d = derived(nine_point_cn)
    c = d.result
    assert c.status == "proved" and c.necessary == c.expr and c.expr.has(sp.elliptic_k)
    A, B = _ops(nine_point_cn())
    a, b, end = the_root(nine_point_cn)
    assert end == "upper" and b - a < Q(1, 10**15)
    mp.dps = 30
    assert a < mp.findroot(lambda x: agm(1 + 2 * x, sqrt(1 + 8 * x / 3)) - 2, 0.5) < b
    r_np = numpy_root(A, 2.0, 0.3, 0.7, 256)  # the lattice G_0 by NumPy
    assert abs(r_np - float(a)) < 1e-10
    assert c.holds(r=0.5) and c.holds(r=float(a)) and not c.holds(r=float(b) + 1e-9)
    below, above = solution_kernel(A, B, float(a) - 1e-3, 64), \
        solution_kernel(A, B, float(b) + 1e-3, 64)
    assert below.min() > -1e-14 and above[0, 0] < -1e-5
    assert "M-matrix bound" in c.description and "nine-point" in d.render("md")
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"


def test_unequal_diagonal_pairs_mixed_derivative_in_m_matrix_form():
    # the theta_2 integral is 1/sqrt(q(cos theta_1)) with q's roots complex: 1/G_0 = AGM(U, V)
    for m in ((4, Q(1, 2), Q(1, 2), Q(2, 5), Q(1, 10)), (Q(7, 2), 1, Q(3, 10), 0, Q(1, 5)),
              (Q(11, 5), 0, 0, Q(1, 2), Q(1, 25))):
        A = {(0, 0): m[0], (1, 0): -m[1], (-1, 0): -m[1], (0, 1): -m[2], (0, -1): -m[2],
             (1, 1): -m[3], (-1, -1): -m[3], (1, -1): -m[4], (-1, 1): -m[4]}
        iv.prec = 80
        enc = green.mixed_inverse(*(iv.mpf(int(Q(v).p)) / int(Q(v).q) for v in m))
        assert enc.a - 1e-12 < 1 / green_diagonal(A, 0, 512) < enc.b + 1e-12
    d = derived(rotated_cn)
    c = d.result
    assert c.status == "proved" and c.expr.has(sp.elliptic_k)
    A, B = _ops(rotated_cn())
    a, b, end = the_root(rotated_cn)
    assert end == "upper" and b - a < Q(1, 10**15)
    r_np = numpy_root(A, 2.0, 0.1, 2.0, 256)
    assert abs(r_np - float(a)) < 1e-10
    assert solution_kernel(A, B, float(a) * (1 - 1e-3), 64).min() > -1e-14
    assert solution_kernel(A, B, float(b) * (1 + 1e-3), 64)[0, 0] < 0
    assert c.holds(r=float(a)) and not c.holds(r=float(b) * (1 + 1e-6))
    assert "unequal diagonal pairs" in d.render("md")
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"


@pytest.mark.parametrize("x", [Q(1, 4), Q(1, 2), Q(51, 100), Q(2), Q(-1, 10)])
def test_nine_point_point_decisions_agree_with_the_fft(x):
    A, B = _ops(nine_point_cn())
    got = rp.decide_at(rp.resolvent_form(A, B, r), x)
    S = solution_kernel(A, B, float(x), 64)
    if x < 0:  # a1, a2, a3 < 0: no checkerboard flip gives an M-matrix, left undecided
        assert got.ok is None and got.why == "not an M-matrix" and S.min() < 0
        return
    assert got.ok == (S.min() > -1e-13), (x, S.min())
    if got.diagonal is not None:
        assert abs(float(got.diagonal.mid) - S[0, 0]) < 1e-10


def test_seven_point_crank_nicolson_is_decided_by_its_green_integral():
    d = derived(seven_point)
    c = d.result
    assert c.status == "proved" and c.necessary == c.expr and c.expr.has(sp.Integral)
    A, B = _ops(seven_point())
    a, b, end = the_root(seven_point)
    assert end == "upper" and b - a < Q(1, 10**15)
    r_np = numpy_root(A, 2.0, 0.3, 0.4, 48)  # the lattice G_0 by NumPy on 48^3 points
    assert a - Q(1, 10**11) < r_np < b + Q(1, 10**11)
    assert abs(r_np - 0.36813071200) < 1e-9
    # the Integral condition evaluates by quadrature
    assert c.holds(r=0.1) and c.holds(r=float(a)) and not c.holds(r=float(b) + 1e-8)
    assert not c.holds(r=1.0)
    below, above = solution_kernel(A, B, float(a) - 1e-3, 24), \
        solution_kernel(A, B, float(b) + 1e-3, 24)
    assert below.min() > -1e-14 and above[0, 0, 0] < -1e-4
    assert "only sufficient" in c.description or "is sufficient" in c.description
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"


def test_anisotropic_theta_method_in_3d():
    c = derived(theta_anisotropic_3d).result
    assert c.status == "proved"
    A, B = _ops(theta_anisotropic_3d())
    a, b, end = the_root(theta_anisotropic_3d)
    assert end == "upper"
    # rho = c/(-d) = 1/(1 - theta) = 4: the root of 1/G_0 = 4, found by NumPy
    r_np = numpy_root(A, 4.0, float(a) / 2, float(b) * 2, 48)
    assert a - Q(1, 10**10) < r_np < b + Q(1, 10**10)
    assert solution_kernel(A, B, float(a) * (1 - 1e-3), 24).min() > -1e-14
    assert solution_kernel(A, B, float(b) * (1 + 1e-3), 24)[0, 0, 0] < 0
    assert c.holds(r=float(a)) and not c.holds(r=float(b) * (1 + 1e-6))


def test_a_tampered_3d_enclosure_fails_recheck():
    d = derived(seven_point)
    data = json.loads(d.render("json"))
    (step,) = [st for st in data["steps"] if "resolvent_diagonal_region" in json.dumps(st)]
    a, b, _ = the_root(seven_point)
    text = json.dumps(step)
    edited = text.replace(json.dumps({"rat": [str(a.p), str(a.q)]}),
                          json.dumps({"rat": [str(b.p), str(b.q)]}))
    edited = edited.replace(json.dumps({"rat": [str(b.p), str(b.q)]}) + "]",
                            json.dumps({"rat": [str(b.p + 1), str(b.q)]}) + "]")
    assert edited != text
    data["steps"][data["steps"].index(step)] = json.loads(edited)
    with pytest.raises(DerivationFileError, match="digest"):
        Derivation.from_json(json.dumps(data)).recheck()
    # and the check itself refutes it (a file re-signed by hand would not pass)
    (st,) = [s for s in d.steps if s.check.kind == "resolvent_diagonal_region"]
    A, B, p, claimed, enc = st.check.args
    assert Check(st.check.kind, (A, B, p, claimed, enc)).run() == "proved"
    assert Check(st.check.kind, (A, B, p, claimed, ((b, b + Q(1, b.q)),))).run() == "refuted"


def test_operators_out_of_reach_keep_the_m_matrix_set():
    def new(i, j):
        return u2.at(i, j, level=1)

    def mixed(f):  # a positive corner weight on one diagonal only: u_xy (a3 != a4)
        return f(1, 1) + f(-1, -1) - f(1, -1) - f(-1, 1)

    def lap5(f):
        return f(1, 0) + f(-1, 0) + f(0, 1) + f(0, -1) - 4 * f(0, 0)

    rotated = Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - r / 2 * (lap5(new) + mixed(new) / 4),
                                            u2.at(0, 0) + r / 2 * (lap5(u2.at) +
                                                                   mixed(u2.at) / 4))},
                     params=(r,), name="rotated diffusion")
    f = rp.resolvent_form(*_ops(rotated), r)  # a positive weight at (1, -1), no flip helps
    assert f is not None and f.mixed and rp.decide_at(f, Q(1, 2)).why == "not an M-matrix"
    A, B = _ops(nine_point_cn())  # an odd weight: (1, -1) and (-1, 1) differ
    A[(-1, 1)] = A[(-1, 1)] * 2
    B[(-1, 1)] = -A[(-1, 1)]  # still B = 2 I - A
    assert rp.resolvent_form(A, B, r) is None
    # even, both diagonals equal, but positive corners with positive edges: no flip gives an
    # M-matrix (sign(a3) != sign(a1) sign(a2))
    corners = lambda f: f(1, 1) + f(-1, -1) + f(1, -1) + f(-1, 1) - 4 * f(0, 0)  # noqa: E731
    odd = Scheme(("u",), 2, {"u": sp.Eq(new(0, 0) - r / 2 * (lap5(new) - corners(new) / 8),
                                        u2.at(0, 0) + r / 2 * (lap5(u2.at) -
                                                               corners(u2.at) / 8))},
                 params=(r,), name="non-M-matrix nine-point")
    f = rp.resolvent_form(*_ops(odd), r)
    assert f is not None and rp.decide_at(f, Q(1, 2)).why == "not an M-matrix"
    for s in (rotated, odd):
        c = positivity_region(s).result
        assert c.status == "unknown" and "sufficient (M-matrix)" in c.description
    assert "no checkerboard flip makes A an M-matrix" in positivity_region(odd).result.description


def test_safety_policy_enforces_the_exact_region():
    pos = safety_policy(seven_point()).positivity
    assert pos.status == "proved" and pos.holds(r=0.368) and not pos.holds(r=0.369)
    pos = safety_policy(nine_point_cn()).positivity
    assert pos.status == "proved" and pos.holds(r=0.6769) and not pos.holds(r=0.677)


def test_integral_conditions_round_trip_and_evaluate():
    from mcgen.proof import serialize
    from mcgen.proof.condition import Condition
    t = sp.Symbol("theta_3", real=True)
    e = sp.Ge(sp.Integral(sp.elliptic_k(r / (2 + sp.cos(t))) / (2 + sp.cos(t)), (t, 0, sp.pi)),
              1)
    assert serialize.from_data(serialize.to_data(e)) == e
    with pytest.raises(DerivationFileError, match="one definite range"):
        serialize.from_data({"f": "Integral", "args": [{"sym": "x"}]})
    c = Condition(e, (r,), "positivity", "proved")
    mp.dps = 20
    value = mp.quad(lambda x: mp.ellipk(mpf("0.5") / (2 + mp.cos(x))) / (2 + mp.cos(x)),
                    [0, mp.pi])
    assert abs(float(value) - 1) > 1e-3  # not a boundary case
    assert c.holds(r=0.5) == (value >= 1)


def test_operator_and_ratio_both_varying_decided_through_homogeneity():
    # S = 3r A^{-1} - I, A = (1 + 4r) I - r (five-point): 1/G_0 and c/(-d) = 3r both increase
    # with r, but 1/G_0(A/rho) has the weights eps/rho = 1/(3r) (down) and a_i/rho = 1/3: g's
    # sign is that of a decreasing function, one root, the region above it
    A = {(0, 0): 1 + 4 * r, (1, 0): -r, (-1, 0): -r, (0, 1): -r, (0, -1): -r}
    B = {k: -w for k, w in A.items()}
    B[(0, 0)] += 3 * r
    got = rp.decide(A, B, r)
    assert got is not None and got.exact and got.algebraic.is_empty
    (run,) = got.runs
    ((a, b), end), = run.roots
    assert end == "lower" and b - a < Q(1, 10**15)
    assert solution_kernel(A, B, float(a) * (1 - 1e-3), 64)[0, 0] < 0
    assert solution_kernel(A, B, float(b) * (1 + 1e-3), 64).min() > -1e-14
    lo, hi = 0.5, 10.0
    for _ in range(45):  # the root of 3r G_0 = 1 by NumPy
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 3 * mid * green_diagonal(A, mid, 256) < 1 else (lo, mid)
    assert abs((lo + hi) / 2 - float(a)) < 1e-9
