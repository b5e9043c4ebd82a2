"""Exact L2 regions of mirror-symmetric explicit schemes in 2-D and 3-D (the symbol is real and
affine in each cosine: the corners decide), and 3-D von Neumann analysis in general."""

import itertools
import random
import re

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.cosine_symbol import multiaffine_region
from mcgen.analysis.safety_policy import SafetyPolicy
from mcgen.analysis.von_neumann import von_neumann
from mcgen.errors import DerivationFileError
from mcgen.model import Field, Scheme
from mcgen.proof.check import Check
from mcgen.proof.derivation import Derivation

r = sp.Symbol("r", nonnegative=True)


def _scheme(d: int, weights: dict, params: tuple, name: str) -> Scheme:
    u = Field("u", dim=d)
    centre = (0,) * d
    body = sum(w * u.at(*k) for k, w in weights.items()) + \
        (1 - sum(weights.values())) * u.at(*centre)
    return Scheme(("u",), d, {"u": body}, params=params, name=name)


def _max_abs_G(weights: dict, values: dict, n: int = 17) -> float:
    """max |G| on a grid of modes that contains the corners {0, pi}^d."""
    d = len(next(iter(weights)))
    th = np.linspace(-np.pi, np.pi, n)
    grids = np.meshgrid(*([th] * d), indexing="ij")
    centre = 1 - sum(float(sp.sympify(w).subs(values)) for w in weights.values())
    G = np.full(grids[0].shape, centre, dtype=complex)
    for k, w in weights.items():
        G += float(sp.sympify(w).subs(values)) * np.exp(1j * sum(ki * g for ki, g in
                                                              zip(k, grids, strict=True)))
    return float(np.abs(G).max())


def _mirror(d: int, rng: random.Random) -> dict:
    """Random weights, even in every axis, inside the 3^d box, affine or quadratic in r."""
    w = {}
    for shell in itertools.product((0, 1), repeat=d):
        if not any(shell):
            continue
        a, b = sp.Rational(rng.randint(-2, 6), 4), sp.Rational(rng.randint(-3, 3), 8)
        coeff = a * r + b * r**2
        for signs in itertools.product((1, -1), repeat=d):
            k = tuple(s * x for s, x in zip(signs, shell, strict=True))
            w[k] = coeff
    return w


def test_nine_point_heat_is_proved():
    lap9 = {(1, 0): 4, (-1, 0): 4, (0, 1): 4, (0, -1): 4, (1, 1): 1, (1, -1): 1, (-1, 1): 1,
            (-1, -1): 1}
    s = _scheme(2, {k: r * sp.Rational(v, 6) for k, v in lap9.items()}, (r,), "nine-point heat")
    c = von_neumann(s).result
    assert c.status == "proved"
    assert sp.simplify(c.expr.subs(r, sp.Rational(3, 8))) is sp.true
    assert sp.simplify(c.expr.subs(r, sp.Rational(3, 8) + sp.Rational(1, 10**9))) is sp.false
    w = {k: r * sp.Rational(v, 6) for k, v in lap9.items()}
    assert _max_abs_G(w, {r: sp.Rational(3, 8)}) <= 1 + 1e-12
    assert _max_abs_G(w, {r: sp.Rational(3, 8) + sp.Rational(1, 100)}) > 1 + 1e-3


@pytest.mark.parametrize("d", [2, 3])
def test_random_mirror_symmetric_stencils_agree_with_brute_force(d):
    rng = random.Random(7 + d)
    for trial in range(5 if d == 2 else 2):
        w = _mirror(d, rng)
        der = von_neumann(_scheme(d, w, (r,), f"mirror{d}-{trial}"))
        c = der.result
        assert c.status == "proved", (w, c.description)
        for x in np.linspace(0, 1.5, 16)[1:]:
            g = _max_abs_G(w, {r: sp.Float(x)})
            if abs(g - 1) > 1e-9:
                assert c.holds(r=float(x)) == (g < 1), (w, x, g)


def test_3d_heat_and_anisotropic_diffusion():
    seven = {k: r for k in [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]}
    d = von_neumann(_scheme(3, seven, (r,), "seven-point heat"))
    assert d.result.status == "proved" and d.recheck().status == "proved"
    assert d.result.holds(r=1 / 6) and not d.result.holds(r=1 / 6 + 1e-9)
    a, b, c = sp.symbols("a b c", nonnegative=True)
    ani = {(1, 0, 0): a, (-1, 0, 0): a, (0, 1, 0): b, (0, -1, 0): b, (0, 0, 1): c,
           (0, 0, -1): c}
    cond = von_neumann(_scheme(3, ani, (a, b, c), "anisotropic heat")).result
    assert cond.status == "proved"  # three parameters: the corner conditions, as they are
    assert cond.holds(a=0.2, b=0.2, c=0.1) and not cond.holds(a=0.2, b=0.2, c=0.11)


def test_policy_enforces_the_3d_l2_region():
    seven = {k: r for k in [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]}
    edges = {k: r / 4 for k in itertools.product((-1, 0, 1), repeat=3)
             if sum(map(abs, k)) == 2}
    pol = SafetyPolicy(_scheme(3, {**seven, **edges}, (r,), "19-point heat"))
    cond = pol.condition()
    assert cond.kind == "l2" and cond.status == "proved"
    assert sp.simplify(cond.expr.subs(r, sp.Rational(1, 6))) is sp.true
    assert sp.simplify(cond.expr.subs(r, sp.Rational(1, 6) + sp.Rational(1, 10**6))) is sp.false


def test_3d_donor_cell_is_exact_and_3d_lax_wendroff_reports_its_sufficient_set():
    a, b, c = sp.symbols("a b c", nonnegative=True)
    donor = {(-1, 0, 0): a, (0, -1, 0): b, (0, 0, -1): c}
    d = von_neumann(_scheme(3, donor, (a, b, c), "donor cell 3-D"))
    # three parameters: the linear necessary condition a + b + c <= 1 (corner (pi, pi, pi))
    # implies the positivity region (LP, exact), so the two coincide
    assert d.result.status == "proved" and d.recheck().status == "proved"
    assert d.result.holds(a=0.3, b=0.3, c=0.4) and not d.result.holds(a=0.3, b=0.3, c=0.41)
    assert any(st.check.kind == "linear_implies" for st in d.steps)
    nu = sp.Symbol("nu")
    lw = {(1, 0, 0): (nu**2 - nu) / 2, (-1, 0, 0): (nu**2 + nu) / 2}
    cond = von_neumann(_scheme(3, lw, (nu,), "Lax-Wendroff along x")).result
    # nothing sufficient is proved in 3-D for it: the reported region is empty, the necessary
    # set (|nu| <= 1, from the edge theta_y = theta_z = 0) beside it
    assert cond.status == "unknown" and cond.expr is sp.false
    assert cond.necessary.subs(nu, 1) is sp.true and cond.necessary.subs(nu, 1.01) is sp.false


def test_a_tampered_corner_region_fails_recheck():
    w = {(1, 0): r, (-1, 0): r, (0, 1): r / 2, (0, -1): r / 2, (1, 1): r / 8, (1, -1): r / 8,
         (-1, 1): r / 8, (-1, -1): r / 8}
    d = von_neumann(_scheme(2, w, (r,), "mirror"))
    assert d.result.status == "proved"
    assert d.result.holds(r=1 / 3) and not d.result.holds(r=1 / 3 + 1e-9)  # G(pi, pi) = 1 - 6r
    text = d.render("json")
    assert Derivation.from_json(text).recheck().status == "proved"
    third = re.compile(r'"rat": \[\s*"1",\s*"3"\s*\]')
    assert third.search(text)
    with pytest.raises(DerivationFileError, match="digest"):
        Derivation.from_json(third.sub('"rat": ["1", "2"]', text)).recheck()
    # and the check itself refutes the edited claim (a file re-signed by hand would not pass)
    (step,) = [st for st in d.steps if st.check.kind == "cosine_corners"]
    G, thetas, params, claimed = step.check.args
    assert Check("cosine_corners", (G, thetas, params, claimed)).run() == "proved"
    assert Check("cosine_corners", (G, thetas, params, r <= sp.Rational(1, 2))).run() == "refuted"


def test_only_mirror_symmetric_symbols_take_the_corner_route():
    tx, ty = sp.symbols("theta_x theta_y", real=True)
    donor = 1 - r + r * sp.exp(-sp.I * tx)
    assert multiaffine_region(donor, (tx, ty)) is None
    wide = 1 - 2 * r + r * (sp.exp(2 * sp.I * tx) + sp.exp(-2 * sp.I * tx))
    assert multiaffine_region(wide, (tx, ty)) is None  # cos 2 theta: quadratic in the cosine


def test_a_finite_necessary_set_is_decided_point_by_point():
    # a random 3 x 3 stencil whose necessary conditions leave only nu = 0 (nu >= 0): was
    # `sampled` (the set is no conjunction of inequalities the SOS search takes)
    nu = sp.Symbol("nu", nonnegative=True)
    w = {(-1, -1): nu**2 / 2 + 3 * nu / 4, (0, 1): nu**2 / 2 + nu / 2,
         (0, -1): nu**2 / 2 - nu / 4, (1, -1): nu**2 / 2 - nu / 2}
    d = von_neumann(_scheme(2, w, (nu,), "finite"))
    assert d.result.status == "proved" and d.recheck().status == "proved"
    assert d.result.holds(nu=0) and not d.result.holds(nu=0.01)
    assert _max_abs_G(w, {nu: sp.Rational(1, 100)}, n=73) > 1


def test_the_numeric_screen_respects_the_parameter_domain():
    # max |G| > 1 only at negative nu: the screen must not call the necessary set
    # insufficient there (nu is declared non-negative)
    nu = sp.Symbol("nu", nonnegative=True)
    w = {(1, 1): nu**2 / 2 + 3 * nu / 4, (1, 0): nu**2 / 4 - nu / 4, (0, -1): nu / 2,
         (-1, 0): 3 * nu / 4}
    c = von_neumann(_scheme(2, w, (nu,), "screen")).result
    assert c.status == "sampled"
    where = re.search(r"at nu = (-?[0-9.]+)", c.description)
    assert where is not None and float(where.group(1)) >= 0


def test_weights_affine_in_one_parameter_decide_the_interval_by_its_ends():
    # |G|^2 is convex in nu at every mode: the region is an interval; both ends of the
    # necessary interval [0, 1/3] are stable, so it is the region (was `sampled`)
    nu = sp.Symbol("nu", nonnegative=True)
    w = {(-1, 1): nu / 2, (0, -1): 3 * nu / 4, (1, -1): -nu / 4}
    d = von_neumann(_scheme(2, w, (nu,), "affine"))
    assert d.result.status == "proved" and d.recheck().status == "proved"
    assert d.result.holds(nu=1 / 3) and not d.result.holds(nu=1 / 3 + 1e-9)
    assert _max_abs_G(w, {nu: sp.Rational(1, 3)}, n=145) <= 1 + 1e-12
    assert any(st.check.kind == "affine_in_parameters" for st in d.steps)


def test_an_end_inside_the_necessary_interval_is_bracketed_exactly():
    # the necessary interval is [0, 2/5], but a mode off the corners and axes grows first: the
    # true end is irrational; it is enclosed between a stable and an unstable rational less
    # than 1e-9 apart, each decided exactly, and the stable side is what is enforced
    nu = sp.Symbol("nu", nonnegative=True)
    w = {(0, 1): 3 * nu / 4, (-1, -1): 3 * nu / 4, (1, 1): nu / 2, (-1, 0): 5 * nu / 4}
    d = von_neumann(_scheme(2, w, (nu,), "bracketed"))
    c = d.result
    assert c.status == "unknown" and d.recheck().status == "proved"
    assert isinstance(c.sufficient, sp.LessThan) and c.sufficient.lhs == nu
    a = c.sufficient.rhs
    assert 0.396 < a < 0.3963
    assert c.holds(nu=float(a)) and not c.holds(nu=0.3963)
    # brute force: stable just inside, unstable just outside, and the corners and axes are not
    # where it fails (max |G| at nu = 2/5 exceeds 1 off them)
    assert _max_abs_G(w, {nu: a}, n=361) <= 1 + 1e-9
    assert _max_abs_G(w, {nu: sp.Rational(3963, 10000)}, n=361) > 1
    assert not c.necessary.subs(nu, sp.Rational(3963, 10000))
    assert SafetyPolicy(_scheme(2, w, (nu,), "bracketed")).condition().holds(nu=float(a))


def test_a_diagonal_implicit_operator_gives_the_exact_positivity_region():
    # DuFort-Frankel in 3-D: (1 + 6r) u^{n+1} = 2r (six neighbours) + (1 - 6r) u^{n-1}; A is
    # diagonal, so the M-matrix set r <= 1/6 is exact (it was `unknown`, necessity not analysed)
    from mcgen.analysis.positivity import positivity_region
    u = Field("u", dim=3)
    ring = sum(u.at(*k) for k in [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1),
                                  (0, 0, -1)])
    s = Scheme(("u",), 3, {"u": sp.Eq((1 + 6 * r) * u.at(0, 0, 0, level=1),
                                      2 * r * ring + (1 - 6 * r) * u.at(0, 0, 0, level=-1))},
               params=(r,), name="DuFort-Frankel 3-D")
    d = positivity_region(s)
    assert d.result.status == "proved" and d.recheck().status == "proved"
    assert d.result.holds(r=1 / 6) and not d.result.holds(r=1 / 6 + 1e-9)


def test_random_affine_plane_stencils_agree_with_exact_point_decisions():
    # one parameter, 3 x 3, weights affine in nu: every answer (proved, or unknown with an end
    # enclosed) against exact decisions at rational points (N >= 0 on the plane)
    from mcgen.analysis.von_neumann_2d import decide_at_point, plane_polynomial
    nu = sp.Symbol("nu", nonnegative=True)
    rng = random.Random(1)
    offs = [k for k in itertools.product((-1, 0, 1), repeat=2) if k != (0, 0)]
    seen = set()
    for trial in range(5):
        w = {k: sp.Rational(rng.randint(-1, 6), 4) * nu for k in rng.sample(offs, 4)}
        c = von_neumann(_scheme(2, w, (nu,), f"affine-{trial}")).result
        seen.add(c.status)
        assert c.status in ("proved", "unknown")
        full = {**w, (0, 0): 1 - sum(w.values())}
        N = plane_polynomial(full)
        for x in (sp.Rational(1, 20), sp.Rational(1, 7), sp.Rational(1, 4), sp.Rational(2, 5)):
            stable = decide_at_point(N, {nu: x})[0]
            if c.status == "proved":
                assert bool(c.expr.subs(nu, x)) == stable, (w, x)
            else:
                assert not c.sufficient.subs(nu, x) or stable, (w, x)
                assert c.necessary.subs(nu, x) or not stable, (w, x)
    assert seen == {"proved", "unknown"}


def test_a_one_parameter_necessary_set_reads_as_its_intervals():
    # unsplit Lax-Wendroff along the diagonal (nu_x = nu_y = nu): corners, edges, Hessian and
    # the long-wave condition repeated themselves (five conjuncts, `sampled`); the astroid gives
    # |nu| <= 2^(-3/2), checked as the same subset of the line, stated as 8 nu^2 <= 1 (rational
    # coefficients), which the cube-root SOS search then proves sufficient
    from mcgen.model.catalogue import linear as cat
    lw = cat.lax_wendroff_2d()
    nx, ny = lw.params
    nu = sp.Symbol("nu", real=True)
    f = lw.fields[0]
    s = Scheme(lw.fields, 2, {f: lw.update[f].subs({nx: nu, ny: nu})}, params=(nu,),
               name="Lax-Wendroff along the diagonal")
    d = von_neumann(s)
    c = d.result
    assert c.status == "proved" and d.recheck().status == "proved"
    assert c.holds(nu=2**-1.5 - 1e-12) and not c.holds(nu=2**-1.5 + 1e-9)
    assert "|nu| <= sqrt(2)/4" in c.description
    assert {"same_real_set", "sos_on_torus"} <= {st.check.kind for st in d.steps}


def test_a_finite_necessary_set_in_two_parameters():
    # the corner (0, pi) gives -(nu_x + nu_y)/2 >= 0: with nu_x, nu_y >= 0 only the origin is
    # left (was `sampled` after a 40 s trace)
    a, b = sp.symbols("nu_x nu_y", nonnegative=True)
    w = {(1, -1): 3 * a / 2 - b / 4, (0, 1): -a / 4 - b / 4, (1, 1): a + 3 * b / 4,
         (-1, 1): 3 * a / 2 + 3 * b / 4}
    d = von_neumann(_scheme(2, w, (a, b), "origin only"))
    assert d.result.status == "proved" and d.recheck().status == "proved"
    assert d.result.holds(nu_x=0, nu_y=0) and not d.result.holds(nu_x=0.01, nu_y=0)
