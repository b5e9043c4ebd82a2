"""Modified equations of implicit (Crank-Nicolson, theta-method) and three-level (leapfrog)
schemes by Taylor expansion of every read u[k, l] = u(x + k dx, t + l dt) and Warming-Hyett
elimination, checked against an independent route: the symbol. For a linear constant-coefficient
scheme a Fourier mode exp(i k x) with theta = k dx grows by the (principal) amplification factor G
per step, so u_t = sum_m c_m d_x^m u must satisfy sum_m c_m (i theta/dx)^m = ln G / dt as power
series in theta (Warming & Hyett 1974)."""

import time

import pytest
import sympy as sp

from mcgen.analysis.consistency import consistency
from mcgen.analysis.modified_equation import modified_equation, scheme_relation
from mcgen.analysis.taylor_expansion import (
    EPS,
    JetSpace,
    collect_linear,
    eliminate_time_derivatives_in_relation,
    expand_relation,
)
from mcgen.errors import AnalysisError
from mcgen.model import Field, Scheme, scalar_law
from mcgen.model.catalogue.linear import crank_nicolson, leapfrog, theta_method
from mcgen.model.symbols import t as T_SYM
from mcgen.proof import Derivation

a, D = sp.Symbol("a", real=True), sp.Symbol("D", positive=True)
dx, dt = sp.symbols("dx dt", positive=True)
th = sp.Symbol("vartheta", real=True)  # Fourier angle k dx
x = sp.Symbol("x", real=True)
u = Field("u")


def zero(e):
    return sp.simplify(e) == 0


def symbol_coefficients(log_g_over_dt, order):
    """c_m from sum_m c_m (i theta/dx)^m = ln G/dt, up to m = order."""
    ser = sp.expand(sp.series(log_g_over_dt, th, 0, order + 1).removeO())
    return {m: sp.simplify(ser.coeff(th, m) * (dx / sp.I) ** m) for m in range(1, order + 1)}


def physical(d):
    assert d.status == "proved"
    return d.result["coefficients_physical"]


def theta_symbol(theta_value):
    r = D * dt / dx ** 2
    s = sp.sin(th / 2) ** 2
    return sp.log((1 - 4 * (1 - theta_value) * r * s) / (1 + 4 * theta_value * r * s)) / dt


def test_crank_nicolson_second_order_and_symbol():
    c = physical(modified_equation(crank_nicolson(), 6))
    assert zero(c[2] - D)
    assert zero(c[4] - D * dx ** 2 / 12)
    assert zero(c[6] - (D * dx ** 4 / 360 + D ** 3 * dt ** 2 / 12))
    ref = symbol_coefficients(theta_symbol(sp.Rational(1, 2)), 6)
    for m in range(1, 7):
        assert zero(c.get(m, 0) - ref[m]), m


@pytest.mark.parametrize("value", [sp.Symbol("theta", nonnegative=True), sp.Integer(1),
                                   sp.Integer(0)], ids=str)
def test_theta_method_leading_term_and_symbol(value):
    s = theta_method() if isinstance(value, sp.Symbol) else theta_method(value)
    theta_sym = next((p for p in s.params if p.name == "theta"), value)
    c = physical(modified_equation(s, 4))
    assert zero(c[2] - D) and 1 not in c and 3 not in c
    # first order in time unless theta = 1/2: (theta - 1/2) D^2 dt u_xxxx
    assert zero(c[4] - ((theta_sym - sp.Rational(1, 2)) * D ** 2 * dt + D * dx ** 2 / 12))
    ref = symbol_coefficients(theta_symbol(theta_sym), 4)
    for m in range(1, 5):
        assert zero(c.get(m, 0) - ref[m]), m


def test_explicit_theta_zero_is_ftcs_heat():
    # theta = 0 is the FTCS heat scheme: ME (D dx^2/12)(1 - 6 r) u_xxxx (known result 6)
    c = physical(modified_equation(theta_method(0), 4))
    assert zero(c[4] - D * dx ** 2 / 12 * (1 - 6 * D * dt / dx ** 2))


def test_leapfrog_principal_root():
    d = modified_equation(leapfrog(), 5)
    c = physical(d)
    n = a * dt / dx
    assert zero(c[1] + a) and 2 not in c and 4 not in c
    assert zero(c[3] - a * dx ** 2 / 6 * (n ** 2 - 1))
    assert "principal root" in d.result["note"]
    nu = sp.Symbol("nu", real=True)
    g = -sp.I * nu * sp.sin(th) + sp.sqrt(1 - nu ** 2 * sp.sin(th) ** 2)  # principal root
    assert zero(g ** 2 + 2 * sp.I * nu * sp.sin(th) * g - 1)  # of G^2 + 2 i nu sin G - 1 = 0
    ref = symbol_coefficients(sp.log(g) / dt, 5)
    for m in range(1, 6):
        assert zero(c.get(m, 0) - ref[m].subs(nu, n)), m


def test_consistency_orders_in_space_and_time():
    cn = consistency(crank_nicolson()).result
    assert cn["consistent"] and cn["order_space"] == 2 and cn["order_time"] == 2
    th_ = consistency(theta_method()).result
    theta_sym = sp.Symbol("theta", nonnegative=True)
    assert th_["order_space"] == 2 and th_["order_time"] == 1
    uf = sp.Function("u")(x, T_SYM)
    lead = (theta_sym - sp.Rational(1, 2)) * D ** 2 * dt + D * dx ** 2 / 12
    assert zero(th_["leading_term"] - lead * sp.Derivative(uf, (x, 4)))
    lf = consistency(leapfrog()).result
    assert lf["consistent"] and lf["order_space"] == 2 and lf["order_time"] == 2
    n = a * dt / dx
    assert zero(lf["leading_term"] - a * dx ** 2 / 6 * (n ** 2 - 1) * sp.Derivative(uf, (x, 3)))


def _relation_coefficients(s, order):
    jets = JetSpace("u", s.coords, T_SYM)
    e = sp.expand(expand_relation(jets, scheme_relation(s), s.spacing, s.dt, order) / s.dt)
    f, c, _ = eliminate_time_derivatives_in_relation(jets, e, order)
    assert c == 1
    return f.subs(EPS, 1), jets


U = sp.Symbol("u")
nu, r = sp.Symbol("nu", real=True), sp.Symbol("r", nonnegative=True)
af = sp.Function("a")(x)
EXPLICIT = [
    Scheme(("u",), 1, {"u": nu * (1 + nu) / 2 * u[-1] + (1 - nu ** 2) * u[0]
                       + nu * (nu - 1) / 2 * u[1]}, params=(nu,), name="Lax-Wendroff"),
    Scheme(("u",), 1, {"u": r * u[-1] + (1 - 2 * r) * u[0] + r * u[1]}, params=(r,),
           name="FTCS heat"),
    Scheme(("u",), 1, {"u": u[0] - af * dt / dx * (u[0] - u[-1])}, name="upwind a(x)"),
    Scheme(("u",), 1, {"u": (u[-1] + u[1]) / 2 - dt / dx / 2 * (u[1] ** 2 / 2 - u[-1] ** 2 / 2)},
           name="LF Burgers"),
]


@pytest.mark.parametrize("s", EXPLICIT, ids=lambda s: s.name)
def test_relation_route_reproduces_the_explicit_route(s):
    # u^{n+1} - R = 0 through the general route gives what the explicit route gives
    order = 4 if s.name != "LF Burgers" else 3
    f, jets = _relation_coefficients(s, order)
    old = modified_equation(s, order)
    assert old.status == "proved"
    assert sp.expand(f - old.result["jets"]) == 0
    if collect_linear(jets, f) is None:
        assert s.name == "LF Burgers"


def test_implicit_refusals_and_round_trip():
    with pytest.raises(AnalysisError, match="cumulant"):
        modified_equation(crank_nicolson(), 4, route="cumulant")
    bad = Scheme(("u",), 1, {"u": sp.Eq(u.at(0, level=1), 2 * u[0])}, name="doubling")
    with pytest.raises(AnalysisError, match="constants"):
        modified_equation(bad, 3)
    d = modified_equation(crank_nicolson(), 6)
    assert Derivation.from_json(d.render("json")).recheck().status == "proved"
    law = scalar_law(U, a * U)
    lf = Scheme(("u",), 1, {"u": u.at(0, level=-1) - nu * (u[1] - u[-1])}, params=(nu,),
                definitions={nu: a * dt / dx}, law=law)
    assert modified_equation(lf, 3).result["order"] == 2


@pytest.mark.parametrize("make,order", [(crank_nicolson, 6), (theta_method, 6), (leapfrog, 5)])
def test_each_derivation_is_fast(make, order):
    t0 = time.perf_counter()
    modified_equation(make(), order)
    assert time.perf_counter() - t0 < 2.0


def test_backward_euler_burgers_viscosity():
    # backward Euler for u_t + f(u)_x = 0: u_t + f_x = (dt/2) u_tt + ... = (dt/2)(f'(u)^2 u_x)_x,
    # since u_tt = (f'(u)^2 u_x)_x; for Burgers f' = u: viscosity dt u^2/2, conservative
    lam = sp.Symbol("lambda", positive=True)
    new = [u.at(k, level=1) for k in (-1, 0, 1)]
    s = Scheme(("u",), 1, {"u": sp.Eq(new[1] + lam / 2 * (new[2] ** 2 / 2 - new[0] ** 2 / 2),
                                      u[0])},
               params=(lam,), definitions={lam: dt / dx}, law=scalar_law(U, U ** 2 / 2),
               name="backward Euler Burgers")
    d = modified_equation(s, 2)
    assert d.status == "proved"
    uu = sp.Symbol("u", real=True)
    assert zero(d.result["numerical_viscosity"] - dt * uu ** 2 / 2)
    assert d.result["viscosity_form"] == "(nu(u) u_x)_x"
    assert d.result["order"] == 1


def test_variable_coefficient_crank_nicolson_matches_the_spatial_operator():
    # CN is second order in time, so to derivative order 4 the modified equation is the Taylor
    # expansion of the conservative operator [k_{j+1/2}(u_{j+1} - u_j) - k_{j-1/2}(...)]/dx^2
    k = sp.Function("k")
    lev = [lambda j, lv=lv: u.at(j, level=lv) for lv in (0, 1)]

    def op(rd):
        return k(x + dx / 2) * (rd(1) - rd(0)) - k(x - dx / 2) * (rd(0) - rd(-1))

    rr = dt / dx ** 2
    s = Scheme(("u",), 1, {"u": sp.Eq(lev[1](0) - rr / 2 * op(lev[1]), lev[0](0)
                                      + rr / 2 * op(lev[0]))}, name="CN k(x)")
    d = modified_equation(s, 4)
    assert d.status == "proved"
    uf = sp.Function("u")
    direct = (k(x + dx / 2) * (uf(x + dx) - uf(x)) - k(x - dx / 2) * (uf(x) - uf(x - dx))) / dx ** 2
    ser = sp.series(direct, dx, 0, 3).removeO().doit()
    ut = d.result["pde"].rhs.subs(sp.Function("u")(x, T_SYM), uf(x)).doit()
    assert zero(sp.expand(ut - ser))
