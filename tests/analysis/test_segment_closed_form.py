"""Issue 12, "exact, readable proofs": when Q (1 - |G|^2 divided by (1 - c)^m) has degree <= 3
in c = cos(theta), {Q >= 0 on [-1, 1]} has a closed form in any number of parameters
(mcgen/proof/segment_closed_form.py). Checked here against exact root isolation on every
degenerate configuration of roots (double and triple roots, roots at +-1 and 0, complex pairs),
on radius-2 stencils with two parameters beyond the plane decomposition's reach and with three
parameters, and after a JSON round trip of the derivation."""

import itertools
import random

import pytest
import sympy as sp
from sympy.core.relational import Relational

from mcgen.analysis.amplification import abs2_in_c
from mcgen.analysis.von_neumann import von_neumann
from mcgen.errors import DerivationFileError
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.proof import Check, Derivation
from mcgen.proof.segment_closed_form import presented, segment_closed_form
from mcgen.proof.sturm import negative_point

c = sp.Symbol("c", real=True)
ROOTS = [sp.Integer(-1), sp.Rational(-1, 2), sp.Integer(0), sp.Rational(1, 3), sp.Integer(1),
         sp.Integer(2), sp.Integer(-3)]


def _truth(Q) -> bool:
    return negative_point(sp.expand(Q), c, sp.Integer(-1), sp.Integer(1)) is None


def _polynomials():
    for k in (1, -1):
        for x, y, z in itertools.combinations_with_replacement(ROOTS, 3):
            yield k * (c - x) * (c - y) * (c - z)           # three real roots, repeats
            yield k * (c - x) * ((c - y) ** 2 + sp.Rational(1, 4))  # a complex pair
        for x, y in itertools.combinations_with_replacement(ROOTS, 2):
            yield k * (c - x) * (c - y)
            yield k * ((c - x) ** 2 + sp.Rational(1, 9))
            yield k * (c - x) + 0 * y
    for co in itertools.product((-1, 0, 1), repeat=4):
        yield sum(a * c**i for i, a in enumerate(co))


@pytest.mark.parametrize("deg", [2, 3])
def test_closed_form_agrees_with_root_isolation_on_degenerate_polynomials(deg):
    """The formula with symbolic coefficients, evaluated at every polynomial of degree <= deg
    of the list (its atoms then decide themselves), against exact root isolation."""
    a = sp.symbols(f"a0:{deg + 1}", real=True)
    F = segment_closed_form(sum(a[i] * c**i for i in range(deg + 1)), c)
    atoms = [(rel, sp.Poly(rel.lhs - rel.rhs, *a)) for rel in F.atoms(Relational)]
    n = 0
    for Q in _polynomials():
        P = sp.Poly(sp.expand(Q), c)
        if P.degree() > deg:
            continue
        co = P.all_coeffs()[::-1] + [0] * (deg + 1 - len(P.all_coeffs()))
        at = {rel: type(rel)(P.eval(tuple(co)), 0) for rel, P in atoms}
        assert bool(F.xreplace(at)) is _truth(Q), Q
        n += 1
    assert n > 100


def test_closed_form_agrees_at_random_cubics():
    rng = random.Random(7)
    for _ in range(80):
        Q = sum(sp.Rational(rng.randint(-6, 6), rng.choice([1, 2, 3])) * c**i for i in range(4))
        assert bool(segment_closed_form(Q, c)) is _truth(Q), Q


u = Field("u")
nu = sp.Symbol("nu", real=True)
mu = sp.Symbol("mu", real=True)
d = sp.Symbol("d", nonnegative=True)
r = sp.Symbol("r", nonnegative=True)
D2 = {1: 1, 0: -2, -1: 1}
D4 = {2: 1, 1: -4, 0: 6, -1: -4, -2: 1}


def _scheme(w, params):
    return Scheme(("u",), 1, {"u": sum(wk * u[k] for k, wk in w.items())}, params=params)


def _stable(w, pt) -> bool:
    P = sp.expand(1 - abs2_in_c({k: sp.sympify(wk).subs(pt) for k, wk in w.items()}))
    return _truth(P)


def _points(params, rng, n):
    for _ in range(n):
        yield {p: sp.Rational(rng.randint(0 if p.is_nonnegative else -8, 8), rng.choice([4, 8, 16]))
               for p in params}


def _assert_exact(w, params, n=40):
    """Proved, by the closed form, agreeing with exact decisions at rational points, and the
    derivation re-checks after a JSON round trip (its claimed formula rebuilt from Q)."""
    dv = von_neumann(_scheme(w, params))
    res = dv.result
    assert res.status == "proved" and dv.status == "proved"
    kinds = {st.check.kind for st in dv.steps}
    assert "nonneg_on_segment_closed_form" in kinds
    rng = random.Random(3)
    inside = 0
    for pt in _points(params, rng, n):
        truth = _stable(w, pt)
        assert bool(res.expr.subs(pt)) is truth, pt
        inside += truth
    assert 0 < inside < n  # both sides of the boundary were visited
    again = Derivation.from_json(dv.render("json")).recheck()
    assert again.status == "proved" and again.result.status == "proved"
    return res


def test_two_parameter_radius_two_stencil_beyond_the_plane_decomposition():
    """A random radius-2 stencil (bench generator, seed 0) whose discriminant in c has degree 8
    in (nu, mu): the plane decomposition is not attempted (degree cap 6); the closed form is
    exact."""
    w = {-1: 3 * nu / 4 - 3 * mu / 4, 1: -nu / 2 + mu / 4 + nu * mu / 2,
         -2: nu / 4 + mu / 2 - nu * mu}
    w[0] = 1 - sum(w.values())
    _assert_exact(w, (nu, mu))


def test_three_parameter_stencil_upwind_diffusion_hyperdiffusion():
    """Upwind advection, second- and fourth-order dissipation: three parameters, Q cubic in c."""
    w = {k: d * D2.get(k, 0) - r * D4.get(k, 0) for k in range(-2, 3)}
    w[0] += 1 - nu
    w[-1] += nu
    res = _assert_exact(w, (nu, d, r), n=30)
    # at d = 0, nu = 0 the known bound r <= 1/8 of pure hyperdiffusion
    assert res.holds(nu=0, d=0, r=0.125) and not res.holds(nu=0, d=0, r=0.13)


def test_closed_form_check_does_not_accept_another_formula():
    Q = 1 - nu * c - mu * c**3
    F = segment_closed_form(Q, c)
    assert Check("nonneg_on_segment_closed_form", (Q, c, presented(F))).run() == "proved"
    wider = F.replace(lambda e: isinstance(e, sp.Le), lambda e: sp.Le(e.lhs - 1, e.rhs))
    assert Check("nonneg_on_segment_closed_form", (Q, c, wider)).run() == "unknown"


def test_closed_form_of_a_forged_huge_polynomial_is_refused():
    huge = sp.expand((1 + nu + mu + r + d) ** 8 * c**3)
    with pytest.raises(DerivationFileError, match="closed forms cover"):
        segment_closed_form(huge, c)
    with pytest.raises(DerivationFileError, match="closed forms cover"):
        segment_closed_form(c**4 - nu, c)
