"""The long-wave directional condition of 2-D schemes (mcgen/analysis/long_wave_condition.py):
unsplit 2-D Lax-Wendroff's necessary set is the astroid |nu_x|^(2/3) + |nu_y|^(2/3) <= 1, the
true region (Turkel), where the corners, edges and Hessian give only the disc."""

import dataclasses
import importlib.util

import pytest
import sympy as sp

from mcgen.analysis.amplification import THETAS
from mcgen.analysis.long_wave_condition import long_wave_condition, long_wave_form
from mcgen.analysis.von_neumann import decide_at_point, plane_polynomial, von_neumann
from mcgen.model.catalogue import linear as cat
from mcgen.proof.check import Check
from mcgen.proof.derivation import Derivation
from mcgen.proof.sturm import check_region_equivalent

R = sp.Rational
HAVE_CLARABEL = importlib.util.find_spec("clarabel") is not None


@pytest.fixture(scope="module")
def lw():
    """One derivation for the module (about 15 s of CPU with the SOS search)."""
    return von_neumann(cat.lax_wendroff_2d())


def _nu(c):
    return tuple(sorted(c.variables, key=str))


def test_the_form_is_the_t4_coefficient_of_one_minus_abs_g_squared():
    w = cat.lax_wendroff_2d().linear_weights()
    nx, ny = sorted({p for e in w.values() for p in e.free_symbols}, key=str)
    order, F, (dx, dy) = long_wave_form(w, (nx, ny))
    assert order == 4
    assert sp.expand(F - (dx**4 * nx**2 + dy**4 * ny**2 - (dx * nx + dy * ny)**4) / 4) == 0
    t = sp.Symbol("t")
    for d in ((3, -2),):  # the Taylor series of 1 - |G(t d)|^2 itself, to t^5
        G = sum(e * sp.exp(sp.I * t * (k * d[0] + m * d[1])) for (k, m), e in w.items())
        Gc = sum(e * sp.exp(-sp.I * t * (k * d[0] + m * d[1])) for (k, m), e in w.items())
        series = sp.expand(sp.series(1 - G * Gc, t, 0, 6).removeO())
        assert sp.expand(series - t**4 * F.subs({dx: d[0], dy: d[1]})) == 0


def test_dissipative_schemes_have_no_long_wave_condition():
    for s in (cat.lax_friedrichs_2d(), cat.ftcs_heat_2d(), cat.donor_cell_2d()):
        w = s.linear_weights()
        params = tuple(sorted({p for e in w.values() for p in e.free_symbols}, key=str))
        assert long_wave_form(w, params) is None and long_wave_condition(w, params) is None


def test_lax_wendroff_2d_necessary_set_is_exactly_the_astroid(lw):
    c = lw.result
    nx, ny = _nu(c)
    astroid = (nx**2 + ny**2 - 1)**3 + 27 * nx**2 * ny**2
    assert check_region_equivalent(c.necessary, astroid <= 0, (nx, ny)) == "proved"
    assert sp.expand(c.necessary.lhs + astroid) == 0  # presented as one relation, -astroid >= 0
    kinds = [s.check.kind for s in lw.steps]
    # the second chart is the first with one velocity's sign flipped: read off it, checked
    assert kinds.count("long_wave_form") == 1 and kinds.count("plane_region") == 1
    assert kinds.count("plane_region_mirrored") == 1
    if not HAVE_CLARABEL:
        assert c.status == "sampled" and "sufficient: none proved" in c.description
        return
    # sufficient too: an SOS certificate in cube roots nu = r^3, on the disc r_x^2 + r_y^2 <= 1
    assert c.status == "proved"
    assert check_region_equivalent(c.expr, astroid <= 0, (nx, ny)) == "proved"
    step = next(s for s in lw.steps if s.check.kind == "sos_on_torus")
    assert "odd roots" in step.reason
    G, _, roots, region, blocks = step.check.args
    assert sp.expand(region.lhs - region.rhs - (1 - roots[0]**2 - roots[1]**2)) == 0
    assert len(blocks) <= 8 and max(Q.rows for _, _, Q in blocks) <= 40
    imp = next(s for s in lw.steps if s.check.kind == "region_implies")
    assert imp.check.run() == "proved"


@pytest.mark.parametrize("inside, outside", [
    ((R(99, 100), 0), (R(101, 100), 0)),                      # on an axis (a cusp)
    ((0, R(-99, 100)), (0, R(-101, 100))),
    ((R(7, 20), R(7, 20)), (R(9, 25), R(9, 25))),             # the diagonal: 2^(-3/2) = 0.3536
    ((R(4, 5), R(1, 20)), (R(4, 5), R(53, 1000))),            # near a cusp
    ((R(-1, 20), R(4, 5)), (R(-53, 1000), R(4, 5))),
])
def test_necessary_set_agrees_with_exact_decisions_just_inside_and_outside(lw, inside, outside):
    c = lw.result
    nx, ny = _nu(c)
    N = plane_polynomial(cat.lax_wendroff_2d().linear_weights())
    for pt, stable in ((inside, True), (outside, False)):
        sub = {nx: pt[0], ny: pt[1]}
        assert bool(c.necessary.subs(sub)) is stable
        assert decide_at_point(N, sub)[0] is stable   # exact: N >= 0 on the plane, or a mode
    # the region used never claims a point outside the proved necessary set
    assert not c.holds(nu_x=float(outside[0]), nu_y=float(outside[1]))
    if c.status == "proved":
        assert c.holds(nu_x=float(inside[0]), nu_y=float(inside[1]))


def test_json_round_trip_rechecks(lw):
    again = Derivation.from_json(lw.render("json")).recheck()
    assert again.status == lw.status
    assert all(s.status == "proved" for s in again.steps
               if s.check.kind in ("long_wave_form", "plane_region", "plane_region_mirrored",
                                   "region_equivalent"))
    assert again.result.necessary == lw.result.necessary
    if lw.result.status == "proved":
        assert again.result.status == "proved"
        assert all(s.status == "proved" for s in again.steps
                   if s.check.kind in ("sos_on_torus", "region_implies", "identity"))


@pytest.mark.skipif(not HAVE_CLARABEL, reason="the SOS search needs clarabel")
def test_a_tampered_gram_entry_of_the_found_certificate_fails_the_recheck(lw):
    i = next(k for k, s in enumerate(lw.steps) if s.check.kind == "sos_on_torus")
    G, th, ps, reg, blocks = lw.steps[i].check.args
    (g0, m0, Q0), *rest = blocks
    bumped = Q0.as_mutable()
    bumped[0, 1] += R(1, 1000)
    bumped[1, 0] += R(1, 1000)
    forged = Check("sos_on_torus", (G, th, ps, reg, ((g0, m0, sp.ImmutableMatrix(bumped)),
                                                      *rest)))
    assert forged.run() == "refuted"
    steps = list(lw.steps)
    steps[i] = dataclasses.replace(steps[i], check=forged)
    again = Derivation(lw.title, tuple(steps), lw.result, lw.status, meta=lw.meta)
    assert Derivation.from_json(again.render("json")).recheck().status == "refuted"


def _args(d, kind):
    return next(s.check.args for s in d.steps if s.check.kind == kind)


def test_a_tampered_long_wave_form_or_chart_region_is_refuted(lw):
    nx, ny = _nu(lw.result)
    # a form with nu_x^2 d_x^4 doubled (not the Taylor coefficient): the recorded derivation,
    # edited so, fails its recheck
    a = _args(lw, "long_wave_form")
    forged = Check("long_wave_form", (*a[:4], a[4] + a[2][0]**4 * nx**2 / 4))
    i = next(k for k, s in enumerate(lw.steps) if s.check.kind == "long_wave_form")
    steps = list(lw.steps)
    steps[i] = dataclasses.replace(steps[i], check=forged)
    again = Derivation(lw.title, tuple(steps), lw.result, lw.status, meta=lw.meta).recheck()
    assert again.status == "refuted"
    # the wrong order
    assert Check("long_wave_form", (*a[:3], 6, a[4])).run() == "refuted"
    # a chart region widened to the disc nu_x^2 + nu_y^2 <= 1
    b = _args(lw, "plane_region")
    assert Check("plane_region", (*b[:4], nx**2 + ny**2 <= 1, b[5])).run() == "refuted"
    # the check itself, on a hand-written G: Lax-Friedrichs is dissipative (t^2 term)
    w = cat.lax_friedrichs_2d().linear_weights()
    G = sum(e * sp.exp(sp.I * (k * THETAS[0] + m * THETAS[1])) for (k, m), e in w.items())
    d = sp.symbols("d_x d_y", real=True)
    assert Check("long_wave_form", (G, THETAS[:2], d, 4, d[0]**4)).run() == "refuted"


def test_a_tampered_mirrored_chart_region_is_refuted(lw):
    """The second chart's check reads its region off the first chart's cells; a claim that is
    not the mirror image of the source region is decided on its own cells."""
    nx, ny = _nu(lw.result)
    a = _args(lw, "plane_region_mirrored")
    Q, c, p, q, claimed, source, source_region, flips, base = a
    assert Check("plane_region_mirrored", a).run() == "proved"
    # the claim widened to the disc: refuted by Q's own cells
    assert Check("plane_region_mirrored", (*a[:4], nx**2 + ny**2 <= 1, *a[5:])).run() == \
        "refuted"
    # the source region widened too (still mirror images of each other): the source's cells
    # refute it, and so the claim
    from mcgen.proof.cad2 import mirror_region
    wide = nx**2 + ny**2 <= 1
    assert Check("plane_region_mirrored", (*a[:4], mirror_region(wide, flips), source, wide,
                                           flips, base)).run() == "refuted"
    # a flip of something that is not a parameter: not decided
    assert Check("plane_region_mirrored", (*a[:7], (c,), base)).run() == "unknown"
    # and the recorded derivation, with the claim widened, fails its recheck
    i = next(k for k, s in enumerate(lw.steps) if s.check.kind == "plane_region_mirrored")
    steps = list(lw.steps)
    steps[i] = dataclasses.replace(steps[i], check=Check("plane_region_mirrored", (
        *a[:4], nx**2 + ny**2 <= 1, *a[5:])))
    again = Derivation(lw.title, tuple(steps), lw.result, lw.status, meta=lw.meta).recheck()
    assert again.status == "refuted"


def _cube_root_certificate():
    """Unsplit 2-D LW in cube roots nu = (alpha^3, beta^3), rho = alpha^2 + beta^2, written
    by hand: with V = sum nu_i^2 u_i^2, W = (sum nu_i s_i)^2, L = alpha^4 u_x + beta^4 u_y,
    1 - |G|^2 = V - (W + V)^2 / 4 and, modulo s^2 = 2u - u^2 (Lagrange's identity twice),
    4 (1 - |G|^2) = 4 (1 - rho) V + 4 (alpha beta^3 u_y - alpha^3 beta u_x)^2
      + [2 (1 - rho) L + alpha^4 beta^2 u_x^2 + alpha^2 beta^4 u_y^2
         + (alpha beta^2 s_y - alpha^2 beta s_x)^2] (2 L + W + V),
    every bracket a sum of squares (2 u = u^2 + s^2), so the products are too."""
    from mcgen.proof.sos_certificate import S_X, S_Y, U_X, U_Y
    al, be = sp.symbols("alpha beta", real=True)
    ux, sx, uy, sy = U_X, S_X, U_Y, S_Y
    gens = (ux, sx, uy, sy, al, be)
    b = [al**2 * ux, al**2 * sx, be**2 * uy, be**2 * sy, al**3 * sx + be**3 * sy, al**3 * ux,
         be**3 * uy]                                               # 2 L + W + V = sum b_j^2
    q = R(1, 4)
    sig1 = [(1, b[5]), (1, b[6])] + [(q, a * bj) for a in b[:4] for bj in b]
    sig0 = [(1, al * be**3 * uy - al**3 * be * ux)] + \
        [(q, a * bj) for a in (al**2 * be * ux, al * be**2 * uy, al * be**2 * sy - al**2 * be * sx)
         for bj in b]

    def gram(terms):
        polys = [(c, sp.Poly(sp.expand(p), *gens)) for c, p in terms]
        monos = list(dict.fromkeys(m for _, P in polys for m in P.monoms()))
        Q = sp.zeros(len(monos))
        for c, P in polys:
            v = sp.Matrix([P.coeff_monomial(m) for m in monos])
            Q += c * v * v.T
        basis = tuple(sp.Mul(*[g**e for g, e in zip(gens, m, strict=True)]) for m in monos)
        return basis, sp.ImmutableMatrix(Q)

    w = cat.lax_wendroff_2d().linear_weights()
    nx, ny = sorted({p for e in w.values() for p in e.free_symbols}, key=str)
    G = sum(e.subs({nx: al**3, ny: be**3}) * sp.exp(sp.I * (k * THETAS[0] + m * THETAS[1]))
            for (k, m), e in w.items())
    g = 1 - al**2 - be**2
    blocks = ((sp.Integer(1), *gram(sig0)), (g, *gram(sig1)))
    return (G, THETAS[:2], (al, be), g >= 0, blocks), (nx, ny)


def test_the_astroid_is_sufficient_by_a_hand_written_certificate_in_cube_roots():
    """The necessary set is the true region: a certificate written by hand (the analysis finds
    its own with reduced bases), checked exactly here."""
    from mcgen.proof.sturm import check_region_implies
    args, (nx, ny) = _cube_root_certificate()
    assert Check("sos_on_torus", args).run() == "proved"    # stable wherever rho <= 1
    al, be = args[2]
    astroid = (nx**2 + ny**2 - 1)**3 + 27 * nx**2 * ny**2
    # every nu in the astroid has its (real, odd) cube roots in the disc rho <= 1
    in_roots = sp.expand(astroid.subs({nx: al**3, ny: be**3}, simultaneous=True)) <= 0
    assert check_region_implies(in_roots, args[3], (al, be)) == "proved"
    # and a perturbed certificate is refuted
    G, th, ps, reg, ((g0, m0, Q0), rest) = args
    bumped = Q0.as_mutable()
    bumped[0, 0] += R(1, 1000)
    assert Check("sos_on_torus", (G, th, ps, reg, ((g0, m0, sp.ImmutableMatrix(bumped)), rest))
                 ).run() == "refuted"


def test_one_parameter_diagonal_lax_wendroff_gets_the_astroid_point_by_sturm_cells():
    """nu_x = nu_y = nu: the long-wave chart is decided in one parameter (check
    family_nonneg_region); the necessary set becomes |nu| <= 2^(-3/2), the astroid's diagonal
    point, where the edges and Hessian give |nu| <= 1/sqrt(2)."""
    from mcgen.model import Field, Scheme
    nu = sp.Symbol("nu", real=True)
    u = Field("u", dim=2)
    upd = (u[0, 0] - nu / 2 * (u[1, 0] - u[-1, 0] + u[0, 1] - u[0, -1])
           + nu**2 / 2 * (u[1, 0] + u[-1, 0] + u[0, 1] + u[0, -1] - 4 * u[0, 0])
           + nu**2 / 4 * (u[1, 1] - u[1, -1] - u[-1, 1] + u[-1, -1]))
    s = Scheme(("u",), 2, {"u": upd}, params=(nu,), name="diagonal Lax-Wendroff")
    d = von_neumann(s)
    assert "family_nonneg_region" in {st.check.kind for st in d.steps}
    N = plane_polynomial(s.linear_weights())
    for x, stable in ((R(35, 100), True), (R(36, 100), False), (R(-36, 100), False)):
        assert bool(d.result.necessary.subs(nu, x)) is stable
        assert decide_at_point(N, {nu: x})[0] is stable


def test_reduced_bases_contain_the_hand_certificate_and_are_small():
    """The lower Newton hull keeps every monomial the hand certificate needs (in normal form)
    and drops about two thirds of the natural bases; the sign symmetries (s_x, r_x) and (s_y,
    r_y) leave N and the disc invariant."""
    from fractions import Fraction

    from mcgen.proof.sos_certificate import (
        TRIG,
        _bases,
        normal_form,
        symbol_weights,
        torus_polynomial,
    )
    from mcgen.proof.sos_reduced_search import lower_hull_filter, sign_symmetries
    args, _ = _cube_root_certificate()
    G, th, roots, _, blocks = args
    N = torus_polynomial(symbol_weights(G, th), roots)
    disc = {(0,) * 6: Fraction(1), (0, 0, 0, 0, 2, 0): Fraction(-1),
            (0, 0, 0, 0, 0, 2): Fraction(-1)}
    for (_, basis, _), half in zip(blocks, (6, 5), strict=True):
        natural = _bases(2, 2, half)
        kept = lower_hull_filter(N, natural)
        need = set()
        for b in basis:
            need |= set(normal_form({sp.Poly(b, *TRIG, *roots).monoms()[0]: Fraction(1)}))
        assert need <= set(kept) and 3 * len(kept) < len(natural) + 20
    syms = sign_symmetries([N, disc], 2)
    assert (1, 4) in syms and (3, 5) in syms and (4,) not in syms and (1,) not in syms
