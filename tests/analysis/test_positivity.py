"""Positivity regions against known-results.md (entries 1-9) and derived 2-D cases.

Each region is compared with the textbook one twice: by the exact region procedure and by an
independent numeric test on a grid of parameter values (textbook predicate written in NumPy).
"""

import functools
import itertools

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.positivity import positivity_region
from mcgen.errors import AnalysisError
from mcgen.model.catalogue import linear as cat
from mcgen.proof.derivation import Derivation
from mcgen.proof.sturm import check_region_equivalent


@functools.cache
def region(name: str):
    return positivity_region(cat.LINEAR_SCHEMES[name]())


def _p(cond, name):
    return next(v for v in cond.variables if v.name == name)


def _agrees_on_grid(cond, predicate, names, lo=-1.5, hi=1.5, n=25):
    vals = np.linspace(lo, hi, n)
    for pt in itertools.product(vals, repeat=len(names)):
        kw = dict(zip(names, pt, strict=False))
        if any(v.is_nonnegative and kw[v.name] < 0 or v.is_nonpositive and kw[v.name] > 0
               for v in cond.variables):
            continue  # outside the parameter's declared sign
        if abs(cond.holds(**kw) - bool(predicate(*pt))) and \
                min(abs(x) for x in pt) > 1e-9:
            return False
    return True


@pytest.mark.parametrize("name, textbook, names, pred", [
    ("upwind", lambda nu: sp.And(nu >= 0, nu <= 1), ("nu",), lambda nu: 0 <= nu <= 1),
    ("upwind_negative", lambda nu: sp.And(nu >= -1, nu <= 0), ("nu",), lambda nu: -1 <= nu <= 0),
    ("upwind_sign_split", lambda nu: sp.Abs(nu) <= 1, ("nu",), lambda nu: abs(nu) <= 1),
    ("lax_friedrichs", lambda nu: sp.Abs(nu) <= 1, ("nu",), lambda nu: abs(nu) <= 1),
    ("ftcs_heat", lambda r: sp.And(r >= 0, r <= sp.Rational(1, 2)), ("r",),
     lambda r: 0 <= r <= 0.5),
])
def test_one_parameter_regions(name, textbook, names, pred):
    d = region(name)
    c = d.result
    assert d.status == "proved" and c.kind == "positivity" and c.status == "proved"
    v = _p(c, names[0])
    assert check_region_equivalent(c.expr, textbook(v), (v,)) == "proved"
    assert _agrees_on_grid(c, pred, names)


def test_measure_zero_regions_in_words():
    lw = region("lax_wendroff").result
    nu = _p(lw, "nu")
    assert "measure zero" in lw.description
    assert sp.FiniteSet(-1, 0, 1) == sp.FiniteSet(*[x for x in range(-3, 4)
                                                   if lw.expr.subs(nu, x) is sp.true])
    assert not lw.holds(nu=0.5) and lw.holds(nu=1.0)
    ftcs = region("ftcs_advection").result  # never positive for nu != 0
    assert "measure zero" in ftcs.description and not ftcs.holds(nu=1e-3)
    bw = region("beam_warming").result  # derived: a shift by 0, 1 or 2 cells only
    assert sp.FiniteSet(0, 1, 2) == sp.FiniteSet(
        *[x for x in range(-3, 5) if bw.expr.subs(_p(bw, "nu"), x) is sp.true])


def test_advection_diffusion_regions_are_cell_peclet():
    c = region("central_advection_diffusion").result
    nu, r = _p(c, "nu"), _p(c, "r")
    assert c.description == "Abs(nu) <= 2*r <= 1"
    assert "cell-Peclet" in c.name
    ref = sp.And(sp.Abs(nu) <= 2 * r, 2 * r <= 1)
    assert check_region_equivalent(c.expr, ref, (nu, r)) == "proved"
    assert _agrees_on_grid(c, lambda n, rr: abs(n) <= 2 * rr <= 1, ("nu", "r"))
    c = region("upwind_advection_diffusion").result
    nu, r = _p(c, "nu"), _p(c, "r")
    ref = sp.And(2 * r + nu <= 1, nu >= 0, r >= 0)
    assert check_region_equivalent(c.expr, ref, (nu, r)) == "proved"
    assert _agrees_on_grid(c, lambda n, rr: 2 * rr + n <= 1 and n >= 0 and rr >= 0,
                           ("nu", "r"))


def test_three_point_family_chain():
    c = region("three_point_family").result
    assert c.description == "Abs(nu) <= q <= 1"
    nu, q = _p(c, "nu"), _p(c, "q")
    assert check_region_equivalent(c.expr, sp.And(sp.Abs(nu) <= q, q <= 1), (nu, q)) == "proved"
    assert _agrees_on_grid(c, lambda n, qq: abs(n) <= qq <= 1, ("nu", "q"))


def test_two_d_regions():
    c = region("ftcs_heat_2d").result
    rx, ry = _p(c, "r_x"), _p(c, "r_y")
    assert check_region_equivalent(c.expr, rx + ry <= sp.Rational(1, 2), (rx, ry)) == "proved"
    c = region("donor_cell_2d").result
    nx, ny = _p(c, "nu_x"), _p(c, "nu_y")
    assert check_region_equivalent(c.expr, nx + ny <= 1, (nx, ny)) == "proved"
    c = region("lax_friedrichs_2d").result
    nx, ny = _p(c, "nu_x"), _p(c, "nu_y")
    half = sp.Rational(1, 2)
    assert check_region_equivalent(c.expr, sp.And(sp.Abs(nx) <= half, sp.Abs(ny) <= half),
                                   (nx, ny)) == "proved"
    c = region("lax_wendroff_2d").result  # five points: the shifts by one cell and rest
    nx, ny = _p(c, "nu_x"), _p(c, "nu_y")
    pts = {(x, y) for x in range(-2, 3) for y in range(-2, 3)
           if c.expr.subs({nx: x, ny: y}) is sp.true}
    assert pts == {(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)}
    assert "measure zero" in c.description


def test_derivation_states_the_convex_combination_and_rechecks_from_json():
    d = region("central_advection_diffusion")
    text = d.render("md")
    assert "maximum principle" in text and "L2" in text
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved"
    assert check_region_equivalent(again.result.expr, d.result.expr,
                                   d.result.variables) == "proved"


def test_region_names():
    assert "CFL" in region("lax_friedrichs").result.name
    assert "diffusion number" in region("ftcs_heat").result.name.replace("-", " ")


def test_implicit_schemes_get_an_exact_region_beyond_the_m_matrix_bound():
    c = region("crank_nicolson").result  # M-matrix: r <= 1; the lattice kernel: r <= 3/2
    r = _p(c, "r")
    assert c.status == "proved"
    assert check_region_equivalent(c.expr, sp.And(r >= 0, r <= sp.Rational(3, 2)),
                                   (r,)) == "proved"
    assert "M-matrix bound 0 <= r <= 1 is only sufficient" in c.description
    th = region("theta_method").result  # two parameters: cylindrical cells over theta
    r, theta = _p(th, "r"), _p(th, "theta")
    assert th.status == "proved"
    assert check_region_equivalent(th.expr, sp.Or(theta >= 1, 4 * (1 - theta)**2 * r <= 2 - theta),
                                   (r, theta)) == "proved"


def test_crank_nicolson_sufficient_condition_by_run():
    # inside r <= 1 the FFT-free periodic solve keeps the maximum principle
    import numpy as np
    N, r = 64, 1.0
    A = np.eye(N) * (1 + r) - r / 2 * (np.roll(np.eye(N), 1, 1) + np.roll(np.eye(N), -1, 1))
    B = np.eye(N) * (1 - r) + r / 2 * (np.roll(np.eye(N), 1, 1) + np.roll(np.eye(N), -1, 1))
    M = np.linalg.solve(A, B)
    assert M.min() >= -1e-14 and np.allclose(M.sum(axis=1), 1)


def test_refusals_name_the_problem():
    from mcgen.model import Field, Scheme
    u = Field("u")
    s = Scheme(("u",), 1, {"u": u[0] - u[0] ** 2}, name="quadratic")
    with pytest.raises(AnalysisError, match="not linear"):
        positivity_region(s)


def test_linear_program_detects_empty_and_measure_zero_regions():
    from mcgen.model import Field, Scheme
    u = Field("u")
    p, q = sp.symbols("p q", real=True)
    line = Scheme(("u",), 1, {"u": (p - q) * u[-1] + u[0] + (q - p) * u[1]}, params=(p, q),
                  name="line")
    c = positivity_region(line).result
    assert c.description.startswith("measure zero")
    assert check_region_equivalent(c.expr, sp.Eq(p, q), (p, q)) == "proved"
    empty = Scheme(("u",), 1, {"u": (p - q - 1) * u[-1] + 2 * u[0] + (q - p) * u[1]},
                   params=(p, q), name="empty")
    c = positivity_region(empty).result
    assert c.expr is sp.false and c.description.startswith("empty")
    # rows that do not sum to one for every parameter: the sum becomes a constraint
    off = Scheme(("u",), 1, {"u": p * u[-1] + (1 - p - q) * u[0] + q * u[1] + p * u[2]},
                 params=(p, q), name="not stochastic")
    c = positivity_region(off).result
    assert check_region_equivalent(c.expr, sp.And(sp.Eq(p, 0), q >= 0, q <= 1), (p, q)) \
        == "proved"
