"""The linear catalogue: weights derived from each update equal the textbook stencils."""

import sympy as sp

from mcgen.model.catalogue import linear as cat
from mcgen.model.symbols import D, a, dt, dx


def _same(w: dict, expected: dict) -> bool:
    keys = set(w) | set(expected)
    return all(sp.simplify(w.get(k, 0) - expected.get(k, 0)) == 0 for k in keys)


def _p(s, name):
    return next(p for p in s.params if p.name == name)


def test_one_d_advection_stencils_match_known_results():
    s = cat.upwind()
    nu = _p(s, "nu")
    assert _same(s.linear_weights(), {-1: nu, 0: 1 - nu})
    s = cat.upwind(-1)
    nu = _p(s, "nu")
    assert _same(s.linear_weights(), {0: 1 - abs(nu), 1: abs(nu)})
    s = cat.lax_friedrichs()
    nu = _p(s, "nu")
    assert _same(s.linear_weights(), {-1: (1 + nu) / 2, 1: (1 - nu) / 2})
    s = cat.lax_wendroff()
    assert _same(s.linear_weights(), {-1: nu * (1 + nu) / 2, 0: 1 - nu**2, 1: nu * (nu - 1) / 2})
    s = cat.ftcs_advection()
    assert _same(s.linear_weights(), {-1: nu / 2, 0: 1, 1: -nu / 2})
    s = cat.beam_warming()
    n = _p(s, "nu")
    assert _same(s.linear_weights(), {-2: n * (n - 1) / 2, -1: n * (2 - n),
                                      0: (1 - n) * (2 - n) / 2})


def test_sign_split_upwind_is_upwind_for_either_sign():
    s = cat.upwind_sign_split()
    nu = _p(s, "nu")
    w = s.linear_weights()
    for val in (sp.Rational(3, 5), sp.Rational(-2, 5)):
        got = {k: e.subs(nu, val) for k, e in w.items()}
        ref = cat.upwind(1 if val > 0 else -1)
        r = {k: e.subs(_p(ref, "nu"), val) for k, e in ref.linear_weights().items()}
        assert _same(got, r)


def test_three_point_family_contains_upwind_lf_and_lw():
    s = cat.three_point_family()
    nu, q = _p(s, "nu"), _p(s, "q")
    w = s.linear_weights()
    lw = cat.lax_wendroff().linear_weights()
    assert _same({k: e.subs(q, nu**2) for k, e in w.items()}, lw)
    lf = cat.lax_friedrichs().linear_weights()
    assert _same({k: e.subs(q, 1) for k, e in w.items()}, lf)
    up = cat.upwind_sign_split()
    for val in (sp.Rational(3, 5), sp.Rational(-2, 5)):
        fam = {k: e.subs({q: abs(val), nu: val}) for k, e in w.items()}
        ref = {k: e.subs(_p(up, "nu"), val) for k, e in up.linear_weights().items()}
        assert _same(fam, ref)


def test_diffusion_stencils_and_definitions():
    s = cat.ftcs_heat()
    r = _p(s, "r")
    assert _same(s.linear_weights(), {-1: r, 0: 1 - 2 * r, 1: r})
    assert sp.simplify(s.definitions[r] - D * dt / dx**2) == 0
    s = cat.central_advection_diffusion()
    nu, r = _p(s, "nu"), _p(s, "r")
    assert _same(s.linear_weights(), {-1: r + nu / 2, 0: 1 - 2 * r, 1: r - nu / 2})
    assert sp.simplify(s.definitions[nu] - a * dt / dx) == 0
    s = cat.upwind_advection_diffusion()
    nu, r = _p(s, "nu"), _p(s, "r")
    assert _same(s.linear_weights(), {-1: r + nu, 0: 1 - 2 * r - nu, 1: r})
    assert s.law is not None and s.law.diffusion_form == "fick"


def test_two_d_stencils():
    s = cat.ftcs_heat_2d()
    rx, ry = _p(s, "r_x"), _p(s, "r_y")
    assert _same(s.linear_weights(), {(1, 0): rx, (-1, 0): rx, (0, 1): ry, (0, -1): ry,
                                      (0, 0): 1 - 2 * rx - 2 * ry})
    s = cat.donor_cell_2d()
    nx, ny = _p(s, "nu_x"), _p(s, "nu_y")
    assert _same(s.linear_weights(), {(-1, 0): nx, (0, -1): ny, (0, 0): 1 - nx - ny})
    w = cat.lax_wendroff_2d().linear_weights()
    assert len(w) == 9 and sp.simplify(sum(w.values()) - 1) == 0


def test_multilevel_and_implicit_schemes():
    lf = cat.leapfrog()
    assert lf.levels == (-1, 0) and lf.linear_weights() is None
    cn = cat.crank_nicolson()
    assert not cn.is_explicit and cn.levels == (0, 1)
    th = cat.theta_method()
    assert {p.name for p in th.params} == {"r", "theta"}


def test_every_catalogue_scheme_sums_to_one():
    for name, make in cat.LINEAR_SCHEMES.items():
        s = make()
        full = s.linear_weights_full()
        assert full is not None, name
        sums: dict[int, sp.Expr] = {}
        for (_, _, _, lev), w in full.items():
            sums[lev] = sums.get(lev, 0) + w
        if s.is_explicit:
            assert sp.simplify(sum(sums.values()) - 1) == 0, name
        else:  # lhs - rhs: the new level's weights sum to 1, the old level's to -1
            assert sp.simplify(sums[1] - 1) == 0 and sp.simplify(sums[0] + 1) == 0, name
