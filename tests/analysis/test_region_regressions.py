"""Regressions of issue 12: every crash and wrong answer of the region analyses, reproduced."""

import sys

import sympy as sp

from mcgen.analysis.positivity import INCONSISTENT, positivity_region
from mcgen.analysis.stability import stability_report
from mcgen.analysis.von_neumann import von_neumann
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.proof.sturm import negative_point, negative_point_at_algebraic

u, v = Field("u"), Field("v")
nu, mu = sp.symbols("nu mu", real=True)
C = sp.Symbol("c", real=True)


def _scheme(expr, *params, fields=("u",)):
    upd = expr if isinstance(expr, dict) else {"u": expr}
    return Scheme(fields, 1, upd, params=params)


def test_all_zero_update_is_refused_clearly_not_a_crash():
    # was GeneratorsNeeded inside the analyses; the model now refuses it with the fix named
    import pytest

    from mcgen.errors import ModelError
    with pytest.raises(ModelError, match="reads no field"):
        _scheme(0 * u[0])


def test_l2_region_empty_in_two_parameters():
    for a, b in ((nu, mu), sp.symbols("nu mu", nonnegative=True)):
        d = von_neumann(_scheme((1 + a**2) * u[-1] + (1 + b**2) * u[0], a, b))
        assert d.status == "proved" and d.result.expr is sp.false
        assert d.result.description.startswith(f"unstable for every {a}, {b}: |G(0)| =")


def test_l2_region_empty_by_declared_signs():
    a, b = sp.symbols("nu mu", positive=True)
    d = von_neumann(_scheme(u[0] - (a + b) * (u[1] - u[0]), a, b))  # downwind
    assert d.status == "proved" and d.result.expr is sp.false
    d = von_neumann(_scheme(u[0] - (a + b) * (u[1] - u[-1]) / 2, a, b))  # FTCS advection
    assert d.status == "proved" and d.result.expr is sp.false


def test_positivity_of_upwind_with_courant_number_a_sum():
    d = positivity_region(_scheme(u[0] - (nu + mu) * (u[0] - u[-1]), nu, mu))
    c = d.result
    assert d.status == "proved"
    for (x, y), inside in {(sp.Rational(1, 2), sp.Rational(1, 2)): True,
                           (sp.Rational(3, 2), -sp.Rational(1, 2)): True,
                           (1, sp.Rational(1, 10)): False, (-1, sp.Rational(1, 2)): False}.items():
        assert bool(c.expr.subs({nu: x, mu: y})) is inside


def test_positivity_with_quadratic_weights_in_two_parameters():
    q = mu**2 + nu**2
    d = positivity_region(_scheme((1 - q / 2) * u[-1] + (q + nu - 1) * u[0]
                                  + (1 - q / 2 - nu) * u[1], nu, mu))
    assert d.status == "proved"
    c = d.result
    for x in range(-12, 13):
        for y in range(-12, 13):
            pt = {nu: sp.Rational(x, 8), mu: sp.Rational(y, 8)}
            weights = [1 - q / 2, q + nu - 1, 1 - q / 2 - nu]
            assert bool(c.expr.subs(pt)) is all(w.subs(pt) >= 0 for w in weights)


def test_von_neumann_of_two_field_scheme_with_radical_eigenvalues():
    s = _scheme({"u": u[0] - nu * (v[1] - v[0]) + u[1] / 3, "v": v[0] - nu * (u[0] - u[-1])}, nu,
                fields=("u", "v"))
    d = von_neumann(s)  # was PolynomialError in laurent_to_c
    assert d.result.status != "proved"
    assert any("radicals" in st.reason for st in d.steps)


def test_weights_not_summing_to_one():
    s = _scheme(sp.Rational(11, 10) * u[0] - nu * (u[0] - u[-1]), nu)
    pos = positivity_region(s).result
    assert pos.status == "proved" and pos.name == INCONSISTENT
    assert pos.expr.subs(nu, 0) and pos.expr.subs(nu, sp.Rational(11, 10))
    assert not pos.expr.subs(nu, sp.Rational(111, 100))
    assert not pos.expr.subs(nu, -sp.Rational(1, 100))
    assert "sum to 11/10, not 1" in pos.description
    l2 = von_neumann(s)
    assert l2.status == "proved" and l2.result.expr is sp.false
    assert l2.result.description == "unstable for every nu: |G(0)| = 11/10"
    # and no "positivity implies L2" claim about it
    rep = stability_report(s)
    assert not any("inside the L2 region" in str(st.claim) for st in rep.steps)


def test_inconsistent_but_not_growing_is_said_first():
    d = von_neumann(_scheme(sp.Rational(1, 2) * u[0] + nu * (u[1] - u[-1]) / 4, nu))
    assert d.result.description.startswith("inconsistent: G(0) = 1/2, not 1")


def test_irrational_critical_value_decided_exactly():
    # a three-point stencil whose region ends at an irrational root: once status 'unknown' (an
    # irrational critical value between two unstable cells), now exact with its endpoint
    w = {-1: -nu**2 + nu / 2, 1: 2 * nu**2 + 3 * nu / 2, 0: -nu**2 - 2 * nu + 1}
    d = von_neumann(_scheme(sum(wk * u[k] for k, wk in w.items()), nu))
    assert d.status == "proved" and d.recheck().status == "proved"
    assert d.result.expr == sp.And(sp.Le(0, nu), sp.Le(nu, sp.sqrt(2) - 1))
    # the endpoint is stable, points 1e-12 beyond it are not (exact)
    P = sp.expand(1 - sum(a * b * sp.chebyshevt(abs(k - m), C) for k, a in w.items()
                          for m, b in w.items()))
    edge = sp.sqrt(2) - 1
    assert negative_point_at_algebraic(P, C, nu, edge) is None
    out = sp.nsimplify(sp.N(edge, 30), rational=True) + sp.Rational(1, 10**12)
    assert negative_point(sp.expand(P.subs(nu, out)), C) is not None


def test_reported_2d_region_contains_its_proved_sufficient_set(monkeypatch):
    import mcgen.analysis.von_neumann as vn_module
    from mcgen.model.catalogue import linear as cat
    monkeypatch.setitem(sys.modules, "clarabel", None)  # no SOS search: the sampled path
    monkeypatch.setattr(vn_module, "_RESULTS", {})  # analysed afresh, without it
    c = von_neumann(cat.lax_friedrichs_2d()).result
    assert c.status == "sampled"
    nx, ny = c.variables
    assert c.sufficient is not None
    half = sp.Rational(1, 2)
    for sx in (-1, 1):
        for sy in (-1, 1):  # the corners of the proved square, once excluded
            assert bool(c.expr.subs({nx: sx * half, ny: sy * half}))
    assert isinstance(c.expr, sp.Or) and c.sufficient in c.expr.args  # contained by construction


def test_crank_nicolson_positivity_is_exact_beyond_the_m_matrix_bound():
    import numpy as np

    from mcgen.model.catalogue import linear as cat
    from mcgen.proof.derivation import Derivation
    d = positivity_region(cat.LINEAR_SCHEMES["crank_nicolson"]())
    c = d.result
    (r,) = c.variables
    assert c.status == "proved" and d.status == "proved"
    # M-matrix gave r <= 1; exact: r <= 3/2
    assert [bool(c.expr.subs(r, v)) for v in (0, 1, sp.Rational(3, 2), sp.Rational(301, 200))] \
        == [True, True, True, False]
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"

    def kernel(rv: float, n: int = 400) -> np.ndarray:  # A^{-1} B on a long periodic grid
        e = np.eye(n)
        shift = np.roll(e, 1, axis=1) + np.roll(e, -1, axis=1)
        A = (1 + rv) * e - rv / 2 * shift
        B = (1 - rv) * e + rv / 2 * shift
        return np.linalg.solve(A, B)

    assert kernel(1.49).min() > -1e-14
    assert kernel(1.51).min() < -1e-4


def test_bilinear_weights_positivity_no_zoo():
    # was: isolation of real roots not supported over ZZ[zoo] (a bound 1/(mu - 2) sampled at 2)
    d = positivity_region(_scheme((mu * nu - 2 * nu) * u[-1] + (1 - mu * nu + 2 * nu) * u[0],
                                  nu, mu))
    c = d.result
    assert d.status == "proved"
    for x in range(-8, 9):
        for y in range(-8, 9):
            pt = {nu: sp.Rational(x, 4), mu: sp.Rational(y, 4)}
            w = [(mu * nu - 2 * nu).subs(pt), (1 - mu * nu + 2 * nu).subs(pt)]
            assert bool(c.expr.subs(pt)) is all(v >= 0 for v in w)


def test_weights_rational_in_the_parameter():
    # (u_j + r (u_{j+1} + u_{j-1})) / (1 + 2r) crashed (PolynomialError in the critical values);
    # multiplied through by 1 + 2r it is a scheme with a diagonal implicit operator
    import pytest

    from mcgen.errors import AnalysisError
    r = sp.Symbol("r", nonnegative=True)
    u = Field("u")
    d = von_neumann(Scheme(("u",), 1, {"u": (u[0] + r * (u[1] + u[-1])) / (1 + 2 * r)},
                           params=(r,)))
    assert d.result.status == "proved"
    assert d.result.holds(r=0.0) and d.result.holds(r=100.0)
    assert d.recheck().status == "proved"
    u2 = Field("u", dim=2)
    ring = u2.at(1, 0) + u2.at(-1, 0) + u2.at(0, 1) + u2.at(0, -1)
    with pytest.raises(AnalysisError, match="s = r/\\(1 \\+ 4 r\\)"):
        von_neumann(Scheme(("u",), 2, {"u": (u2.at(0, 0) + r * ring) / (1 + 4 * r)},
                           params=(r,)))
