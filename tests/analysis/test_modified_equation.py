"""Modified equations: known results 1, 3, 4, 5, 6, 9 exactly; cumulant and Taylor routes agree
on constant-coefficient stencils; the Taylor route keeps the variable-coefficient and nonlinear
terms the cumulants cannot see."""

import pytest
import sympy as sp

from mcgen.analysis.modified_equation import modified_equation
from mcgen.errors import AnalysisError
from mcgen.model import Field, Law, Scheme, scalar_law
from mcgen.proof import Derivation

nu, r, a, D, lam = (sp.Symbol("nu", real=True), sp.Symbol("r", nonnegative=True),
                    sp.Symbol("a", real=True), sp.Symbol("D", positive=True),
                    sp.Symbol("lambda", positive=True))
dx, dt = sp.symbols("dx dt", positive=True)
x = sp.Symbol("x", real=True)
u = Field("u")
U = sp.Symbol("u")
NU, R = {nu: a * dt / dx}, {r: D * dt / dx ** 2}
n = a * dt / dx  # nu in physical terms


def scheme(update, name, defs, law=None, params=None):
    return Scheme(("u",), 1, {"u": update}, params=params or tuple(defs), name=name,
                  definitions=defs, law=law)


UPWIND = scheme(nu * u[-1] + (1 - nu) * u[0], "upwind", NU, scalar_law(U, a * U))
FTCS = scheme(nu / 2 * u[-1] + u[0] - nu / 2 * u[1], "FTCS", NU, scalar_law(U, a * U))
LF = scheme((1 + nu) / 2 * u[-1] + (1 - nu) / 2 * u[1], "Lax-Friedrichs", NU)
LW = scheme(nu * (1 + nu) / 2 * u[-1] + (1 - nu ** 2) * u[0] + nu * (nu - 1) / 2 * u[1],
            "Lax-Wendroff", NU, scalar_law(U, a * U))
HEAT = scheme(r * u[-1] + (1 - 2 * r) * u[0] + r * u[1], "FTCS heat", R,
              scalar_law(U, 0, D, "fick"))
UPWIND_AD = scheme((r + nu) * u[-1] + (1 - 2 * r - nu) * u[0] + r * u[1], "upwind + central",
                   {**NU, **R}, scalar_law(U, a * U, D, "fick"))
CONSTANT = [UPWIND, FTCS, LF, LW, HEAT, UPWIND_AD]


def coeffs(s, order=4, route="auto"):
    d = modified_equation(s, order, route)
    assert d.status == "proved"
    return d.result["coefficients_physical"], d


def zero(e):
    return sp.simplify(e) == 0


def test_known_result_1_upwind():
    c, d = coeffs(UPWIND, 3)
    assert zero(c[1] + a)
    assert zero(c[2] - a * dx / 2 * (1 - n))
    assert zero(c[3] + a * dx ** 2 / 6 * (1 - n) * (1 - 2 * n))
    assert d.result["order"] == 1


def test_known_result_3_ftcs_negative_diffusion():
    c, d = coeffs(FTCS, 3)
    assert zero(c[2] + a ** 2 * dt / 2)
    assert zero(d.result["numerical_diffusion"] + a ** 2 * dt / 2)


def test_known_result_4_lax_friedrichs_numerical_diffusion():
    c, d = coeffs(LF, 3)
    assert zero(c[2] - dx ** 2 * (1 - n ** 2) / (2 * dt))


def test_known_result_5_lax_wendroff_second_order_dispersive():
    c, d = coeffs(LW, 4)
    assert 2 not in c or zero(c[2])
    assert zero(c[3] + a * dx ** 2 / 6 * (1 - n ** 2))
    assert zero(d.result["dispersion"] + a * dx ** 2 / 6 * (1 - n ** 2))
    assert d.result["order"] == 2


def test_known_result_6_ftcs_heat():
    c, d = coeffs(HEAT, 4)
    assert zero(c[2] - D) and 3 not in c
    assert zero(c[4] - D * dx ** 2 / 12 * (1 - 6 * D * dt / dx ** 2))
    assert d.result["numerical_diffusion"] == 0


def test_known_result_9_upwind_advection_diffusion_effective_diffusion():
    c, d = coeffs(UPWIND_AD, 3)
    assert zero(c[2] - (D + a * dx / 2 * (1 - n)))
    assert zero(d.result["numerical_diffusion"] - a * dx / 2 * (1 - n))


@pytest.mark.parametrize("s", CONSTANT, ids=lambda s: s.name)
def test_cumulant_and_taylor_routes_agree(s):
    a1, _ = coeffs(s, 4, "cumulant")
    a2, _ = coeffs(s, 4, "taylor")
    assert all(zero(a1.get(k, 0) - a2.get(k, 0)) for k in set(a1) | set(a2))


def test_variable_coefficient_upwind_keeps_the_a_a_x_term():
    af = sp.Function("a")(x)
    s = Scheme(("u",), 1, {"u": u[0] - af * dt / dx * (u[0] - u[-1])}, name="upwind a(x)")
    with pytest.raises(AnalysisError, match="a a_x"):
        modified_equation(s, route="cumulant")
    d = modified_equation(s, 2)
    c = d.result["coefficients"]
    ap = sp.diff(af, x)
    # u_t = -a u_x + (a dx/2) u_xx - (dt/2) a (a u_x)_x + O(3)
    assert zero(c[1] - (-af - dt / 2 * af * ap))
    assert zero(c[2] - (af * dx / 2 - dt / 2 * af ** 2))
    # the cumulant formula with the frozen coefficient misses the -(dt/2) a a_x u_x term
    frozen = -af
    assert not zero(c[1] - frozen)


def test_nonlinear_lax_friedrichs_burgers_leading_viscosity():
    s = scheme((u[-1] + u[1]) / 2 - lam / 2 * (u[1] ** 2 / 2 - u[-1] ** 2 / 2), "LF Burgers",
               {lam: dt / dx}, scalar_law(U, U ** 2 / 2), params=(lam,))
    d = modified_equation(s, 2)
    assert d.status == "proved"
    visc = d.result["numerical_viscosity"]
    uu = sp.Symbol("u", real=True)
    assert zero(visc - dx ** 2 / (2 * dt) * (1 - (dt / dx) ** 2 * uu ** 2))
    assert d.result["viscosity_form"] == "(nu(u) u_x)_x"
    assert d.result["order"] == 1


def test_two_dimensional_five_point_heat():
    v = Field("u", dim=2)
    rx, ry = sp.symbols("r_x r_y", nonnegative=True)
    dy = sp.Symbol("dy", positive=True)
    s = Scheme(("u",), 2, {"u": (1 - 2 * rx - 2 * ry) * v[0, 0] + rx * (v[-1, 0] + v[1, 0])
                           + ry * (v[0, -1] + v[0, 1])}, params=(rx, ry),
               definitions={rx: D * dt / dx ** 2, ry: D * dt / dy ** 2})
    c = modified_equation(s, 2).result["coefficients_physical"]
    assert zero(c[(2, 0)] - D) and zero(c[(0, 2)] - D) and (1, 1) not in c


def test_derivation_round_trip_and_backward_law_variable_coefficient():
    d = modified_equation(UPWIND, 3)
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved"
    af = sp.Function("a")(x)
    law = Law((U,), drift=(-af,), form="backward")
    s = Scheme(("u",), 1, {"u": u[0] - af * dt / dx * (u[0] - u[-1])}, law=law)
    assert modified_equation(s, 2).result["order"] == 1


def test_engquist_osher_and_rusanov_burgers_viscosity_away_from_sonic_points():
    def flux_form(F):
        return u[0] - lam * (F(u[0], u[1]) - F(u[-1], u[0]))

    def eo(a_, b_):
        return sp.Max(a_, 0) ** 2 / 2 + sp.Min(b_, 0) ** 2 / 2

    def rusanov(a_, b_):
        return (a_ ** 2 + b_ ** 2) / 4 - sp.Max(sp.Abs(a_), sp.Abs(b_)) * (b_ - a_) / 2

    uu = sp.Symbol("u", real=True)
    for F in (eo, rusanov):
        s = scheme(flux_form(F), F.__name__, {lam: dt / dx}, scalar_law(U, U ** 2 / 2),
                   params=(lam,))
        d = modified_equation(s, 2)
        assert d.status == "proved" and d.result["signs"]
        # nu(u) = (dx/2)|u|(1 - lambda |u|): upwind viscosity, sign(u) held fixed
        assert zero(d.result["numerical_viscosity"] - (dx * sp.Abs(uu) / 2 - dt * uu ** 2 / 2))
        assert d.result["order"] == 1


def test_sign_split_upwind_effective_diffusion_for_either_sign():
    """Known result 2: the sign-split rule, u_j - nu^+ (u_j - u_{j-1}) - nu^- (u_{j+1} - u_j)."""
    upd = u[0] - sp.Max(nu, 0) * (u[0] - u[-1]) - sp.Min(nu, 0) * (u[1] - u[0])
    s = scheme(upd, "sign-split upwind", NU, scalar_law(U, a * U))
    c, d = coeffs(s, 2)
    assert zero(c[1] + a)
    assert zero(c[2] - sp.Abs(a) * dx / 2 * (1 - sp.Abs(n)))
    assert d.result["order"] == 1
