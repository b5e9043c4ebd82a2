"""Monotone, TVD, E-scheme and entropy verdicts for conservative schemes, kept apart
(DESIGN section 1), and max |f'| in closed form."""

import time

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.flux_bounds import max_abs_derivative, max_abs_derivative_derivation
from mcgen.analysis.monotonicity import e_scheme, entropy_check, monotonicity, tvd
from mcgen.model.catalogue.conservative import conservative_scheme
from mcgen.model.law import scalar_law
from mcgen.model.symbols import lam
from mcgen.proof import Check, Derivation

u = sp.Symbol("u", real=True)
R = sp.Rational
BURGERS = scalar_law(u, u ** 2 / 2)
TASEP = scalar_law(u, u * (1 - u))


def _equiv(cond, expect):
    return Check("equivalent", (cond.expr, expect, lam, sp.Interval.open(0, sp.oo))).run() == \
        "proved"


@pytest.mark.parametrize("kind", ["lax_friedrichs", "godunov", "engquist_osher"])
@pytest.mark.parametrize("law,rng", [(BURGERS, (-1, 1)), (TASEP, (0, 1)), (BURGERS, (-1, 2))])
def test_monotone_iff_cfl(kind, law, rng):
    s = conservative_scheme(law, kind, data_range=rng)
    t0 = time.perf_counter()
    d = monotonicity(s, rng)
    elapsed = time.perf_counter() - t0
    B = max_abs_derivative(law.flux[0], u, *rng)
    assert d.status == "proved" and d.result.kind == "monotone" and d.result.name == "CFL"
    assert _equiv(d.result, lam * B <= 1)
    assert elapsed < 10  # "nonlinear analyses within a few seconds" (2 shared cores)


def test_rusanov_monotone_only_under_stricter_bound():
    s = conservative_scheme(BURGERS, "rusanov")
    mono = monotonicity(s, (-1, 1))
    assert mono.status == "proved" and _equiv(mono.result, lam <= R(1, 3))
    t = tvd(s, (-1, 1))
    assert t.status == "proved" and t.result.kind == "tvd" and _equiv(t.result, lam <= 1)
    e = e_scheme(s, (-1, 1))
    assert e.result.kind == "e-scheme" and _equiv(e.result, lam <= 1)
    # the three verdicts differ at lambda = 1/2: TVD and E-scheme, not monotone
    assert not mono.result.holds(**{"lambda": 0.5})
    assert t.result.holds(**{"lambda": 0.5}) and e.result.holds(**{"lambda": 0.5})
    # as a time step: dx = 0.1 on [-1, 1] gives dt = dx/3
    assert mono.result.max_stable_dt(dt="dt", dx=0.1) == pytest.approx(0.1 / 3, rel=1e-12)


def test_rusanov_on_positive_range():
    # f' >= 0 on [0, 1]: S = 2 (derived by hand from dF/du_L = (3b - c)/2, dF/du_R = (a - b)/2)
    d = monotonicity(conservative_scheme(BURGERS, "rusanov"), (0, 1))
    assert _equiv(d.result, lam <= R(1, 2))


def test_roe_not_monotone_across_sonic_point_and_entropy_flag():
    s = conservative_scheme(BURGERS, "roe")
    d = monotonicity(s, (-1, 1))
    assert d.result.expr is sp.false
    assert _equiv(monotonicity(s, (0, 1)).result, lam <= 1)
    assert e_scheme(s, (-1, 1)).result.expr is sp.false
    ent = entropy_check(s, (-1, 1))
    assert ent.meta["expansion_shock_kept"] is True and ent.status == "proved"
    assert "ENTROPY VIOLATION" in ent.render("md")
    for kind in ("godunov", "engquist_osher", "rusanov"):
        ok = entropy_check(conservative_scheme(BURGERS, kind), (-1, 1))
        assert ok.meta["expansion_shock_kept"] is False and ok.status == "proved"
    # concave flux: the expansion shock is (1, 0) for TASEP
    assert entropy_check(conservative_scheme(TASEP, "roe"), (0, 1)).meta[
        "expansion_shock_kept"] is True


def test_symbolic_range():
    m, M = sp.symbols("m M", real=True)
    d = monotonicity(conservative_scheme(BURGERS, "godunov"), (m, M))
    assert d.status == "proved"
    assert sp.simplify(d.result.expr.lhs - lam * sp.Max(sp.Abs(m), sp.Abs(M))) == 0
    # the symbolic theorem agrees with the exact decision at a numeric instance
    num = monotonicity(conservative_scheme(BURGERS, "godunov"), (-1, 2))
    assert _equiv(num.result, d.result.expr.subs({m: -1, M: 2}))
    r = monotonicity(conservative_scheme(BURGERS, "rusanov"), (m, M))
    assert r.result.status == "unknown"  # only the necessary CFL condition


def test_flux_bounds_closed_form():
    m, M = sp.symbols("m M", real=True)
    assert max_abs_derivative(u ** 3, u, -1, 2) == 12
    assert max_abs_derivative(u ** 3 - 3 * u, u, -1, 1) == 3  # interior extremum of f' at 0
    assert max_abs_derivative(u * (1 - u), u, R(1, 4), R(1, 2)) == R(1, 2)
    B = max_abs_derivative(u ** 2 / 2, u, m, M)
    assert B.subs({m: -3, M: 2}) == 3
    B3 = max_abs_derivative(u ** 3 - 3 * u, u, m, M)
    assert B3.subs({m: -R(1, 2), M: R(1, 2)}) == 3 and B3.subs({m: 1, M: 2}) == 9
    # rational (Buckley-Leverett) flux: exact value against dense sampling
    f = u ** 2 / (u ** 2 + (1 - u) ** 2)
    Bbl = max_abs_derivative(f, u, 0, 1)
    assert Bbl == 2  # f'(1/2) = 2 for the equal-viscosity Buckley-Leverett flux
    xs = np.linspace(0, 1, 200001)
    fp = sp.lambdify(u, sp.diff(f, u))(xs)
    assert float(Bbl) == pytest.approx(np.abs(fp).max(), rel=1e-8)
    d = max_abs_derivative_derivation(u ** 3 - 3 * u, u, -1, 1)
    assert d.status == "proved" and d.result == 3


def test_json_round_trip():
    d = monotonicity(conservative_scheme(BURGERS, "rusanov"), (-1, 1))
    d2 = Derivation.from_json(d.render("json")).recheck()
    assert d2.status == "proved"


def test_beyond_quadratic_fluxes():
    # f = u^4/4 (convex, not quadratic): Godunov/EO/LF by theorem (exact max|f'| = 1 on
    # [-1, 1]); local Rusanov only sampled, labelled so. By hand at (a, b, c) = (-1, 1, -1)
    # from the piece |b| >= |c|: dF/du_L = 1/2 + 1/2 + 3, dF/du_R = -3, so S = 7.
    law = scalar_law(u, u ** 4 / 4)
    for kind in ("godunov", "engquist_osher"):
        d = monotonicity(conservative_scheme(law, kind), (-1, 1))
        assert d.status == "proved" and _equiv(d.result, lam <= 1)
    r = monotonicity(conservative_scheme(law, "rusanov"), (-1, 1))
    assert r.result.status == "sampled" and _equiv(r.result, lam <= R(1, 7))
    assert r.status == "sampled"
