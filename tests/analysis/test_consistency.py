"""Consistency: orders in space and time, the leading truncation term, and refusals with reasons."""

import pytest
import sympy as sp

from mcgen.analysis.consistency import consistency
from mcgen.errors import AnalysisError
from mcgen.model import Field, Scheme, scalar_law

nu, r, a, D, lam = (sp.Symbol("nu", real=True), sp.Symbol("r", nonnegative=True),
                    sp.Symbol("a", real=True), sp.Symbol("D", positive=True),
                    sp.Symbol("lambda", positive=True))
dx, dt = sp.symbols("dx dt", positive=True)
x = sp.Symbol("x", real=True)
t = sp.Symbol("t", nonnegative=True)
u = Field("u")
U = sp.Symbol("u")
ADV = scalar_law(U, a * U)
HEAT = scalar_law(U, 0, D, "fick")
uf = sp.Function("u")(x, t)


def s(update, defs, law=None, params=None, name=""):
    return Scheme(("u",), 1, {"u": update}, params=params or tuple(defs), definitions=defs,
                  law=law, name=name)


def test_upwind_first_order_with_its_leading_term():
    d = consistency(s(nu * u[-1] + (1 - nu) * u[0], {nu: a * dt / dx}, ADV))
    res = d.result
    assert d.status == "proved" and res["consistent"]
    assert (res["order"], res["order_space"], res["order_time"]) == (1, 1, 1)
    expected = a * dx / 2 * (1 - a * dt / dx) * sp.Derivative(uf, (x, 2))
    assert sp.simplify(res["leading_term"] - expected) == 0


def test_lax_wendroff_second_order_and_ftcs_heat_second_in_space_first_in_time():
    lw = s(nu * (1 + nu) / 2 * u[-1] + (1 - nu ** 2) * u[0] + nu * (nu - 1) / 2 * u[1],
           {nu: a * dt / dx}, ADV)
    res = consistency(lw).result
    assert res["consistent"] and res["order"] == 2 and res["order_space"] == 2
    heat = s(r * u[-1] + (1 - 2 * r) * u[0] + r * u[1], {r: D * dt / dx ** 2}, HEAT)
    res = consistency(heat).result
    assert res["consistent"] and res["refinement"] == "dt ~ dx^2"
    assert (res["order"], res["order_space"], res["order_time"]) == (2, 2, 1)
    lead = (D * dx ** 2 / 12 - D ** 2 * dt / 2) * sp.Derivative(uf, (x, 4))
    assert sp.simplify(res["leading_term"] - lead) == 0


def test_wrong_law_is_not_consistent_and_the_reason_names_the_term():
    heat = s(r * u[-1] + (1 - 2 * r) * u[0] + r * u[1], {r: D * dt / dx ** 2})
    d = consistency(heat, ADV)
    assert d.result["consistent"] is False
    assert "do not vanish" in d.result["reason"] and "Derivative" in d.result["reason"]


def test_missing_definitions_are_named_in_the_reason():
    up = Scheme(("u",), 1, {"u": nu * u[-1] + (1 - nu) * u[0]}, params=(nu,), law=ADV)
    res = consistency(up).result
    assert res["consistent"] is False and "definitions" in res["reason"]
    with pytest.raises(AnalysisError, match="names no law"):
        consistency(Scheme(("u",), 1, {"u": u[0]}))


def test_nonlinear_lax_friedrichs_is_first_order_for_burgers():
    lf = s((u[-1] + u[1]) / 2 - lam / 2 * (u[1] ** 2 / 2 - u[-1] ** 2 / 2), {lam: dt / dx},
           scalar_law(U, U ** 2 / 2), params=(lam,))
    res = consistency(lf).result
    assert res["consistent"] and res["order"] == 1


def test_variable_coefficient_conservative_upwind_against_its_conservation_law():
    af = sp.Function("a")(x)
    # flux form with the speed at the cell: u_j - dt/dx (a_j u_j - a_{j-1} u_{j-1}), a > 0
    am = af.subs(x, x - dx)
    up = Scheme(("u",), 1, {"u": u[0] - dt / dx * (af * u[0] - am * u[-1])},
                reading="forward", law=scalar_law(U, af * U))
    res = consistency(up).result
    assert res["consistent"] and res["order"] == 1
