"""von Neumann regions against known-results.md and derived textbook cases (Strikwerda,
LeVeque, Morton & Mayers)."""

import functools
import importlib.util
import itertools

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.amplification import C, abs2_in_c
from mcgen.analysis.von_neumann import (
    amplification_factor,
    decide_at_point,
    plane_polynomial,
    unstable_mode,
    von_neumann,
)
from mcgen.model.catalogue import linear as cat
from mcgen.proof.derivation import Derivation
from mcgen.proof.sturm import check_region_equivalent, check_region_implies

HAVE_CLARABEL = importlib.util.find_spec("clarabel") is not None

TH = sp.Symbol("theta", real=True)
Z = sp.Symbol("z")


@functools.cache
def vn(name: str):
    return von_neumann(cat.LINEAR_SCHEMES[name]())


def _p(cond, name):
    return next(v for v in cond.variables if v.name == name)


def _abs2_equals(scheme, textbook) -> bool:
    """|G|^2 == textbook(theta) exactly (e^{i theta} -> z, cos/sin through z, then cancel)."""
    G = amplification_factor(scheme)
    Gz = G.subs(sp.exp(sp.I * TH), Z).subs(sp.exp(-sp.I * TH), 1 / Z)
    lhs = Gz * Gz.subs(Z, 1 / Z)
    rhs = textbook.subs({sp.cos(TH): (Z + 1 / Z) / 2, sp.sin(TH): (Z - 1 / Z) / (2 * sp.I)})
    return sp.cancel(sp.expand(lhs - rhs)) == 0


def test_amplification_factors_of_known_results():
    c, s = sp.cos(TH), sp.sin(TH)
    up = cat.upwind()
    nu = up.params[0]
    assert _abs2_equals(up, 1 - 2 * nu * (1 - nu) * (1 - c))
    ft = cat.ftcs_advection()
    nu = ft.params[0]
    assert _abs2_equals(ft, 1 + nu**2 * s**2)
    assert _abs2_equals(cat.lax_friedrichs(), c**2 + nu**2 * s**2)
    assert _abs2_equals(cat.lax_wendroff(), 1 - nu**2 * (1 - nu**2) * (1 - c)**2)
    heat = cat.ftcs_heat()
    r = heat.params[0]
    G = amplification_factor(heat)
    assert sp.simplify((G - (1 - 4 * r * sp.sin(TH / 2)**2)).rewrite(sp.exp)) == 0


@pytest.mark.parametrize("name, textbook, var", [
    ("upwind", lambda nu: sp.And(nu >= 0, nu <= 1), "nu"),
    ("upwind_negative", lambda nu: sp.And(nu >= -1, nu <= 0), "nu"),
    ("upwind_sign_split", lambda nu: sp.Abs(nu) <= 1, "nu"),
    ("lax_friedrichs", lambda nu: sp.Abs(nu) <= 1, "nu"),
    ("lax_wendroff", lambda nu: sp.Abs(nu) <= 1, "nu"),
    ("ftcs_advection", lambda nu: sp.Eq(nu, 0), "nu"),
    ("ftcs_heat", lambda r: sp.And(r >= 0, r <= sp.Rational(1, 2)), "r"),
    ("beam_warming", lambda nu: sp.And(nu >= 0, nu <= 2), "nu"),   # derived: 0 <= nu <= 2
    ("leapfrog", lambda nu: sp.Abs(nu) < 1, "nu"),                  # strict
])
def test_one_parameter_l2_regions_are_exact(name, textbook, var):
    d = vn(name)
    c = d.result
    assert d.status == "proved" and c.status == "proved" and c.kind == "l2"
    v = _p(c, var)
    assert check_region_equivalent(c.expr, textbook(v), (v,)) == "proved"
    assert c.sufficient is not None and c.necessary is not None
    # independent numeric check: max |G| over modes against the region
    for x in np.linspace(-2.5, 2.5, 41):
        if (v.is_nonnegative and x < 0) or (v.is_nonpositive and x > 0) or abs(abs(x) - 1) < 1e-9:
            continue
        _, g = unstable_mode(cat.LINEAR_SCHEMES[name](), **{var: float(x)}) \
            if name != "leapfrog" else (0, _leapfrog_growth(x))
        assert (g <= 1 + 1e-12) == c.holds(**{var: float(x)}), (name, x)


def _leapfrog_growth(nu):
    s = np.sin(np.linspace(-np.pi, np.pi, 721)).astype(complex)
    disc = np.sqrt(1 - nu**2 * s**2)
    return float(max(np.abs(-1j * nu * s + disc).max(), np.abs(-1j * nu * s - disc).max()))


def test_two_parameter_closed_forms():
    c = vn("central_advection_diffusion").result  # known result 8: nu^2 <= 2r <= 1
    nu, r = _p(c, "nu"), _p(c, "r")
    assert c.status == "proved" and c.description == "nu**2 <= 2*r <= 1"
    assert check_region_equivalent(c.expr, sp.And(nu**2 <= 2 * r, 2 * r <= 1), (nu, r)) \
        == "proved"
    c = vn("upwind_advection_diffusion").result  # known result 9: 2r + nu <= 1
    nu, r = _p(c, "nu"), _p(c, "r")
    assert check_region_equivalent(c.expr, 2 * r + nu <= 1, (nu, r)) == "proved"
    c = vn("three_point_family").result  # derived: nu^2 <= q <= 1
    nu, q = _p(c, "nu"), _p(c, "q")
    assert check_region_equivalent(c.expr, sp.And(nu**2 <= q, q <= 1), (nu, q)) == "proved"


def test_implicit_schemes():
    cn = vn("crank_nicolson").result
    assert cn.status == "proved" and cn.expr is sp.true  # unconditionally stable
    th = vn("theta_method").result
    r, theta = _p(th, "r"), _p(th, "theta")
    ref = sp.Or(theta >= sp.Rational(1, 2), r <= 1 / (2 * (1 - 2 * theta)))
    assert th.status == "proved"
    assert check_region_equivalent(th.expr, ref, (r, theta)) == "proved"
    assert th.holds(r=100.0, theta=0.5) and th.holds(r=0.5, theta=0.0)
    assert not th.holds(r=0.51, theta=0.0) and th.holds(r=0.99, theta=0.25)
    assert not th.holds(r=1.01, theta=0.25)


def test_leapfrog_flags_double_root_on_the_unit_circle():
    d = vn("leapfrog")
    assert "double root" in d.result.description
    assert not d.result.holds(rtol=0.0, nu=1.0) and d.result.holds(nu=0.999)


def test_two_d_proved_when_positivity_meets_necessary():
    c = vn("ftcs_heat_2d").result  # known result 7
    rx, ry = _p(c, "r_x"), _p(c, "r_y")
    assert c.status == "proved"
    assert check_region_equivalent(c.expr, rx + ry <= sp.Rational(1, 2), (rx, ry)) == "proved"
    c = vn("donor_cell_2d").result  # derived: nu_x + nu_y <= 1
    nx, ny = _p(c, "nu_x"), _p(c, "nu_y")
    assert c.status == "proved"
    assert check_region_equivalent(c.expr, nx + ny <= 1, (nx, ny)) == "proved"


def test_two_d_lax_friedrichs_proved_disc():
    """The textbook disc nu_x^2 + nu_y^2 <= 1/2: necessary (Hessian at theta = 0), sufficient by
    an exact SOS certificate (tests/analysis/test_sos_2d.py covers it and its absence)."""
    pytest.importorskip("clarabel")
    d = vn("lax_friedrichs_2d")
    c = d.result
    nx, ny = _p(c, "nu_x"), _p(c, "nu_y")
    assert c.status == "proved" and d.status == "proved"
    assert check_region_equivalent(c.expr, nx**2 + ny**2 <= sp.Rational(1, 2),
                                   (nx, ny)) == "proved"


def test_unsplit_lax_wendroff_2d_is_not_the_disc():
    d = vn("lax_wendroff_2d")
    c = d.result
    nx, ny = _p(c, "nu_x"), _p(c, "nu_y")
    # proved (the astroid) when the SOS search can run: tests/analysis/test_long_wave_condition.py
    assert c.status == ("proved" if HAVE_CLARABEL else "sampled")
    # the corners, edges and Hessian give the disc; the long-wave directional condition cuts
    # it to the astroid (tests/analysis/test_long_wave_condition.py)
    assert check_region_equivalent(c.necessary, nx**2 + ny**2 <= 1, (nx, ny)) == "refuted"
    assert check_region_implies(c.necessary, nx**2 + ny**2 <= 1, (nx, ny)) == "proved"
    assert not c.necessary.subs({nx: sp.Rational(1, 2), ny: sp.Rational(1, 2)})
    # an exact decision inside the disc: (1/2, 1/2) is unstable, with an explicit mode
    N = plane_polynomial(cat.lax_wendroff_2d().linear_weights())
    h = sp.Rational(1, 2)
    unstable, (tx, ty) = decide_at_point(N, {nx: h, ny: h})
    assert unstable is False and N.subs({nx: h, ny: h, sp.Symbol("t_x", real=True): tx,
                                         sp.Symbol("t_y", real=True): ty}) < 0
    # the traced region stays inside the astroid |nu_x|^(2/3) + |nu_y|^(2/3) <= 1 (Turkel's
    # region for this scheme) and, being conservative at the cusps, fills half of it at least
    for ang in np.linspace(0.05, 2 * np.pi, 23):
        rho_astroid = (abs(np.cos(ang)) ** (2 / 3) + abs(np.sin(ang)) ** (2 / 3)) ** (-1.5)
        d_ = np.array([np.cos(ang), np.sin(ang)])
        assert c.holds(nu_x=0.5 * rho_astroid * d_[0], nu_y=0.5 * rho_astroid * d_[1])
        assert not c.holds(nu_x=1.02 * rho_astroid * d_[0], nu_y=1.02 * rho_astroid * d_[1])
    if c.status == "sampled":
        pts = d.meta["certified_points"]
        assert pts["stable"] and pts["unstable"]


def test_json_round_trip_rechecks():
    for name in ("central_advection_diffusion", "leapfrog", "theta_method"):
        d = vn(name)
        again = Derivation.from_json(d.render("json")).recheck()
        assert again.status == "proved", name


def test_markdown_reads_like_a_proof():
    text = vn("lax_wendroff").render("md")
    assert "cos(theta)" in text and "(1 - c)" in text
    assert "theta* = pi" in text


def test_sampled_points_are_exact_decisions(monkeypatch):
    # every certified point's step has an exact check: stable points nonneg_on_plane (unsplit
    # 2-D Lax-Wendroff without the SOS search, which would prove it)
    import sys

    import mcgen.analysis.von_neumann as vn_module
    monkeypatch.setitem(sys.modules, "clarabel", None)
    monkeypatch.setattr(vn_module, "_RESULTS", {})
    d = von_neumann(cat.lax_wendroff_2d())
    assert d.result.status == "sampled"
    kinds = {s.check.kind for s in d.steps}
    assert "nonneg_on_plane" in kinds and "negative_at" in kinds
    for s in d.steps:
        if s.check.kind in ("nonneg_on_plane", "negative_at"):
            assert s.status == "proved"


@pytest.mark.parametrize("vals", list(itertools.product([0.3, 0.9], repeat=2)))
def test_lf2d_holds_matches_textbook_disc_where_certified(vals):
    c = vn("lax_friedrichs_2d").result
    inside = vals[0] ** 2 + vals[1] ** 2 <= 0.5
    if c.holds(nu_x=vals[0], nu_y=vals[1]):
        assert inside


def test_linear_system_normal_amplification_matrix():
    from mcgen.model import Field, Scheme
    u, v = Field("u"), Field("v")
    nu = sp.Symbol("nu", real=True)
    # Lax-Friedrichs for the wave system u_t + v_x = 0, v_t + u_x = 0 (nu = c dt/dx)
    lf = Scheme(("u", "v"), 1, {"u": (u[-1] + u[1]) / 2 - nu / 2 * (v[1] - v[-1]),
                                "v": (v[-1] + v[1]) / 2 - nu / 2 * (u[1] - u[-1])},
                params=(nu,), name="LF wave system")
    d = von_neumann(lf)
    c = d.result
    assert c.status == "proved" and "normal for every theta" in d.render("md")
    assert check_region_equivalent(c.expr, sp.Abs(nu) <= 1, (nu,)) == "proved"


def test_linear_system_non_normal_is_only_necessary():
    from mcgen.model import Field, Scheme
    u, v = Field("u"), Field("v")
    nu = sp.Symbol("nu", real=True)
    # upwind for u_t + A u_x = 0 with the Jordan block A = [[1, 1], [0, 1]]
    up = Scheme(("u", "v"), 1, {"u": u[0] - nu * (u[0] - u[-1]) - nu * (v[0] - v[-1]),
                                "v": v[0] - nu * (v[0] - v[-1])}, params=(nu,), name="Jordan")
    c = von_neumann(up).result
    assert c.status != "proved" and c.sufficient is None and "not normal" in c.description
    assert check_region_equivalent(c.necessary, sp.And(nu >= 0, nu <= 1), (nu,)) == "proved"


def test_wide_stencil_two_parameters_exact_region():
    """Issue 12: a five-point stencil in two parameters (was: necessary conditions plus
    certified points) gets its exact region from the plane decomposition."""
    from mcgen.model import Field, Scheme
    from mcgen.proof.sturm import negative_point
    u = Field("u")
    nu = sp.Symbol("nu", nonnegative=True)
    r = sp.Symbol("r", nonnegative=True)
    w = {0: 1 - nu - sp.Rational(5, 2) * r, -1: nu + sp.Rational(4, 3) * r,
         1: sp.Rational(4, 3) * r, -2: -r / 12, 2: -r / 12}
    s = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1]) + r * (
        -u[-2] + 16 * u[-1] - 30 * u[0] + 16 * u[1] - u[2]) / 12}, params=(nu, r),
        name="upwind + fourth-order diffusion")
    d = von_neumann(s)
    c = d.result
    assert c.status == "proved" and d.status == "proved"
    # at nu = 0 the textbook r <= 3/8 of the fourth-order heat scheme; at r = 0 upwind's nu <= 1
    assert check_region_equivalent(c.expr, 3 * nu + 8 * r <= 3, (nu, r)) == "proved"
    assert c.holds(nu=0.0, r=0.375) and not c.holds(nu=0.0, r=0.38)
    for a in [sp.Rational(k, 8) for k in range(0, 11)]:
        for b in [sp.Rational(k, 16) for k in range(0, 9)]:
            P = sp.expand(1 - abs2_in_c({k: wk.subs({nu: a, r: b}) for k, wk in w.items()}))
            stable = negative_point(P, C, sp.Integer(-1), sp.Integer(1)) is None
            assert bool(c.expr.subs({nu: a, r: b})) is stable, (a, b)


def test_transcendental_weights_are_refused_by_name():
    """Weights exp(-nu) crashed with SymPy's PolynomialError deep in the root isolation; they
    are refused with the fix (declare exp(-nu) as the parameter)."""
    from mcgen.errors import AnalysisError
    from mcgen.model import Field, Scheme
    nu = sp.Symbol("nu", positive=True)
    u = Field("u")
    s = Scheme(("u",), 1, {"u": sp.exp(-nu) * u[0] + (1 - sp.exp(-nu)) * u[-1]}, params=(nu,))
    with pytest.raises(AnalysisError, match="transcendental.*w = exp"):
        von_neumann(s)
