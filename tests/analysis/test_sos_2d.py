"""Exact 2-D von Neumann regions by sum-of-squares certificates (mcgen/proof/sos_certificate.py):
found numerically (Clarabel), checked exactly; tampered and forged certificates; no Clarabel."""

import dataclasses
import math
import sys
import time

import numpy as np
import pytest
import sympy as sp

import mcgen.analysis.von_neumann as vn_module
from mcgen.analysis.amplification import THETAS
from mcgen.analysis.von_neumann import decide_at_point, plane_polynomial, von_neumann
from mcgen.errors import DerivationFileError
from mcgen.model.catalogue import linear as cat
from mcgen.proof.check import Check
from mcgen.proof.derivation import Derivation
from mcgen.proof.sos_certificate import (
    S_X,
    S_Y,
    U_X,
    U_Y,
    psd_exact,
    symbol_weights,
    torus_polynomial,
)
from mcgen.proof.sturm import check_region_equivalent

half = sp.Rational(1, 2)
try:
    import clarabel  # noqa: F401
    HAVE_CLARABEL = True
except ImportError:
    HAVE_CLARABEL = False
needs_clarabel = pytest.mark.skipif(not HAVE_CLARABEL, reason="the SOS search needs clarabel")


def _lagrange_args():
    """Lax-Friedrichs' certificate written by hand (Lagrange's identity), as check arguments:
    1 - |G|^2 = (u_y - u_x)^2/4 + (nu_y s_x - nu_x s_y)^2
                + (1/2 - nu_x^2 - nu_y^2)(s_x^2 + s_y^2)."""
    w = cat.lax_friedrichs_2d().linear_weights()
    nx, ny = sorted({p for e in w.values() for p in e.free_symbols}, key=str)
    G = sum(e * sp.exp(sp.I * (k * THETAS[0] + m * THETAS[1])) for (k, m), e in w.items())
    q = sp.Rational(1, 4)
    Q0 = sp.ImmutableMatrix([[1, 0, -1, 0], [0, q, 0, -q], [-1, 0, 1, 0], [0, -q, 0, q]])
    g = half - nx**2 - ny**2
    blocks = ((sp.Integer(1), (nx * S_Y, U_Y, ny * S_X, U_X), Q0),
              (g, (S_Y, S_X), sp.ImmutableMatrix(sp.eye(2))))
    return G, THETAS[:2], (nx, ny), nx**2 + ny**2 <= half, blocks


def _sos_step(d):
    return next(s for s in d.steps if s.check.kind == "sos_on_torus")


@needs_clarabel
def test_lax_friedrichs_2d_proved_disc_with_exact_point_checks():
    s = cat.lax_friedrichs_2d()
    t0 = time.monotonic()
    d = von_neumann(s)
    took = time.monotonic() - t0
    c = d.result
    nx, ny = c.variables
    assert d.status == c.status == "proved"
    assert check_region_equivalent(c.expr, nx**2 + ny**2 <= half, (nx, ny)) == "proved"
    step = _sos_step(d)
    assert "SOS certificate (degree 4" in step.reason and "checked exactly" in \
        step.reason
    # exact decisions at rational points, independent of the certificate: the plane polynomial
    N = plane_polynomial(s.linear_weights())
    for pt, stable in [((half, half), True), ((sp.Rational(7, 10), 0), True),
                       ((sp.Rational(3, 4), 0), False),
                       ((sp.Rational(3, 10), sp.Rational(-3, 5)), True),
                       ((sp.Rational(1, 2), sp.Rational(51, 100)), False),
                       ((sp.Rational(-3, 5), sp.Rational(-2, 5)), False)]:
        ok, _ = decide_at_point(N, {nx: pt[0], ny: pt[1]})
        assert ok is stable and bool(c.expr.subs({nx: pt[0], ny: pt[1]})) is stable
    assert took < 30  # target 10 s on one core; the suite shares 2 cores
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved" and again.result.status == "proved"


def test_lagranges_identity_is_a_certificate_and_the_search_finds_it():
    args = _lagrange_args()
    assert Check("sos_on_torus", args).run() == "proved"
    if HAVE_CLARABEL:
        step = _sos_step(von_neumann(cat.lax_friedrichs_2d()))
        G, thetas, params, region, blocks = step.check.args
        total = sum(g * (sp.Matrix([b]) * Q * sp.Matrix(b))[0] for g, b, Q in blocks)
        mine = sum(g * (sp.Matrix([b]) * Q * sp.Matrix(b))[0] for g, b, Q in args[4])
        assert sp.expand(total - mine) == 0  # the very same decomposition


def test_torus_polynomial_is_one_minus_abs_g_squared():
    w = cat.lax_wendroff_2d().linear_weights()
    nx, ny = sorted({p for e in w.values() for p in e.free_symbols}, key=str)
    N = torus_polynomial(w, (nx, ny))
    rng = np.random.default_rng(1)
    for _ in range(5):
        tx, ty, a, b = rng.uniform(-3, 3, 4)
        G = sum(float(e.subs({nx: a, ny: b})) * np.exp(1j * (k * tx + m * ty))
                for (k, m), e in w.items())
        val = sum(float(c) * (1 - math.cos(tx))**mo[0] * math.sin(tx)**mo[1]
                  * (1 - math.cos(ty))**mo[2] * math.sin(ty)**mo[3] * a**mo[4] * b**mo[5]
                  for mo, c in N.items())
        assert val == pytest.approx(1 - abs(G)**2, abs=1e-9)
    G = sum(e * sp.exp(sp.I * (k * THETAS[0] + m * THETAS[1])) for (k, m), e in w.items())
    assert {k: sp.expand(v) for k, v in symbol_weights(G, THETAS[:2]).items()} == \
        {k: sp.expand(v) for k, v in w.items()}


def test_a_tampered_certificate_is_refuted():
    G, thetas, params, region, blocks = _lagrange_args()
    g0, basis0, Q0 = blocks[0]
    bumped = Q0.as_mutable()
    bumped[0, 0] += sp.Rational(1, 1000)  # still PSD, the identity fails
    forged = ((g0, basis0, sp.ImmutableMatrix(bumped)), *blocks[1:])
    assert Check("sos_on_torus", (G, thetas, params, region, forged)).run() == "refuted"
    # a wider region (nu_x^2 + nu_y^2 <= 1) with the same multiplier: not one of its g_i
    wide = params[0]**2 + params[1]**2 <= 1
    assert Check("sos_on_torus", (G, thetas, params, wide, blocks)).run() == "refuted"
    # a recorded derivation whose certificate was edited fails recheck
    if not HAVE_CLARABEL:
        return
    d = von_neumann(cat.lax_friedrichs_2d())
    step = _sos_step(d)
    i = d.steps.index(step)
    steps = list(d.steps)
    steps[i] = dataclasses.replace(step, check=Check("sos_on_torus",
                                                     (G, thetas, params, region, forged)))
    again = Derivation(d.title, tuple(steps), d.result, d.status, meta=d.meta).recheck()
    assert again.status == "refuted"


def test_exact_psd_decision():
    f = sp.Rational
    assert psd_exact([[f(1), f(-1)], [f(-1), f(1)]])           # singular, PSD
    assert not psd_exact([[f(1), f(2)], [f(2), f(1)]])         # eigenvalue -1
    assert not psd_exact([[f(0), f(1)], [f(1), f(5)]])         # zero pivot, nonzero row
    assert not psd_exact([[f(1), f(0)], [f(1), f(1)]])         # not symmetric
    from fractions import Fraction as F
    eps = F(1, 10**30)  # one part in 1e30 below semi-definite: still seen
    assert not psd_exact([[F(1), F(1)], [F(1), F(1) - eps]])


def test_a_forged_huge_certificate_is_refused_quickly():
    G, thetas, params, region, _ = _lagrange_args()
    n = 200
    basis = tuple(U_X**(k % 8) * S_X for k in range(n))
    big = ((sp.Integer(1), basis, sp.ImmutableMatrix(sp.eye(n))),)
    t0 = time.monotonic()
    with pytest.raises(DerivationFileError, match="bounded to side"):
        Check("sos_on_torus", (G, thetas, params, region, big)).run()
    wide = ((sp.Integer(1), (U_X,), sp.ImmutableMatrix([[sp.Integer(3)**400]])),)
    with pytest.raises(DerivationFileError, match="bits"):
        Check("sos_on_torus", (G, thetas, params, region, wide)).run()
    # the same through a derivation file: it loads (plain matrices), recheck refuses it
    from mcgen.proof.condition import Condition
    from mcgen.proof.derivation import Step
    step = Step(region, "sufficient: SOS certificate",
                Check("sos_on_torus", (G, thetas, params, region, big)))
    text = Derivation("forged", (step,), Condition(region, params, "l2", "proved"),
                      "proved").render("json")
    with pytest.raises(DerivationFileError, match="bounded to side"):
        Derivation.from_json(text).recheck()
    assert time.monotonic() - t0 < 5


def test_without_clarabel_the_region_stays_sampled_and_says_why(monkeypatch):
    monkeypatch.setitem(sys.modules, "clarabel", None)
    monkeypatch.setattr(vn_module, "_RESULTS", {})
    c = von_neumann(cat.lax_friedrichs_2d()).result
    nx, ny = c.variables
    assert c.status == "sampled"
    assert "clarabel" in c.description and "mcgen[sos]" in c.description
    assert check_region_equivalent(c.necessary, nx**2 + ny**2 <= half, (nx, ny)) == "proved"


@needs_clarabel
def test_unsplit_lax_wendroff_2d_is_proved_by_a_certificate_in_cube_roots():
    """Its necessary set is the astroid (the long-wave directional condition), the true region;
    the natural basis is beyond the plain search's bound, the reduced search in cube roots
    finds a certificate (details: tests/analysis/test_long_wave_condition.py)."""
    d = von_neumann(cat.lax_wendroff_2d())
    assert d.result.status == "proved"
    assert "odd roots" in _sos_step(d).reason
    assert not any(s.check.kind in ("nonneg_on_plane", "sampled") for s in d.steps)


def test_heat_and_donor_cell_remain_proved_by_positivity():
    for s in (cat.ftcs_heat_2d(), cat.donor_cell_2d()):
        d = von_neumann(s)
        assert d.status == "proved" and not any(st.check.kind == "sos_on_torus"
                                                for st in d.steps)


@needs_clarabel
def test_a_user_stencil_with_weaker_viscosity_is_proved_exactly():
    """u + (1/8)(D_xx + D_yy) u - central differences: G = 1 - (u_x + u_y)/4 - i (nu.s); the
    Hessian gives nu_x^2 + nu_y^2 <= 1/4 and the SOS certificate proves it sufficient."""
    from mcgen.model.read import Field
    from mcgen.model.scheme import Scheme
    nx, ny = sp.symbols("nu_x nu_y", real=True)
    u = Field("u", dim=2)
    upd = (u[0, 0] + sp.Rational(1, 8) * (u[1, 0] + u[-1, 0] + u[0, 1] + u[0, -1] - 4 * u[0, 0])
           - nx / 2 * (u[1, 0] - u[-1, 0]) - ny / 2 * (u[0, 1] - u[0, -1]))
    s = Scheme(("u",), 2, {"u": upd}, params=(nx, ny), name="weak viscosity")
    d = von_neumann(s)
    assert d.status == "proved" and _sos_step(d)
    assert check_region_equivalent(d.result.expr, nx**2 + ny**2 <= sp.Rational(1, 4),
                                   (nx, ny)) == "proved"
    N = plane_polynomial(s.linear_weights())
    for pt, stable in [((half, 0), True), ((sp.Rational(3, 10), sp.Rational(2, 5)), True),
                       ((sp.Rational(51, 100), 0), False),
                       ((sp.Rational(-2, 5), sp.Rational(-1, 3)), False)]:
        ok, _ = decide_at_point(N, {nx: pt[0], ny: pt[1]})
        assert ok is stable and bool(d.result.expr.subs({nx: pt[0], ny: pt[1]})) is stable


@needs_clarabel
def test_a_basis_beyond_the_search_bound_is_not_searched_and_says_so(monkeypatch):
    import mcgen.proof.sos_certificate as sos
    monkeypatch.setattr(sos, "SEARCH_SIDE", 3)  # LF's natural basis has 12 monomials
    monkeypatch.setattr(vn_module, "_RESULTS", {})
    c = von_neumann(cat.lax_friedrichs_2d()).result
    assert c.status == "sampled" and "beyond the search's bound (3)" in c.description


@needs_clarabel
@pytest.mark.parametrize("kx, ky", [(sp.Rational(1, 8), sp.Rational(3, 32)),
                                    (sp.Rational(1, 4), sp.Rational(5, 32)),
                                    (sp.Rational(1, 16), sp.Rational(1, 32))])
def test_anisotropic_viscosity_regions_proved_and_agree_with_exact_decisions(kx, ky):
    """u + k_x D_xx u + k_y D_yy u - central differences: proved (the first two needed the
    facial reduction of the rounding: their Gram matrices are singular), and the region agrees
    with exact decisions at rational points 10 % inside and outside its boundary."""
    from mcgen.model.read import Field
    from mcgen.model.scheme import Scheme
    nx, ny = sp.symbols("nu_x nu_y", real=True)
    u = Field("u", dim=2)
    upd = (u[0, 0] + kx * (u[1, 0] - 2 * u[0, 0] + u[-1, 0])
           + ky * (u[0, 1] - 2 * u[0, 0] + u[0, -1])
           - nx / 2 * (u[1, 0] - u[-1, 0]) - ny / 2 * (u[0, 1] - u[0, -1]))
    s = Scheme(("u",), 2, {"u": upd}, params=(nx, ny), name="anisotropic viscosity")
    d = von_neumann(s)
    assert d.status == "proved" and _sos_step(d)
    c = d.result
    inside = sp.lambdify((nx, ny), c.expr)
    N = plane_polynomial(s.linear_weights())
    for ang in (0.3, 2.0, 4.4):
        lo, hi = 0.0, 4.0
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if inside(mid * math.cos(ang), mid * math.sin(ang)) else (lo, mid)
        for f, stable in ((0.9, True), (1.1, False)):
            pt = {nx: sp.Rational(round(f * lo * math.cos(ang) * 1000), 1000),
                  ny: sp.Rational(round(f * lo * math.sin(ang) * 1000), 1000)}
            assert bool(c.expr.subs(pt)) is stable
            assert decide_at_point(N, pt)[0] is stable
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved"
