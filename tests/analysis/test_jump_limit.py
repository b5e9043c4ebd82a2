"""Macroscopic limits of jump processes: known results 10-12, scalings, refusals, both routes."""

import time

import pytest
import sympy as sp

from mcgen.analysis.jump_limit import jump_process_limit
from mcgen.analysis.limits import macroscopic_limit
from mcgen.errors import LimitError
from mcgen.model import Field, JumpProcess, Scheme
from mcgen.proof import Derivation

p, q, c, beta = sp.symbols("p q c beta", positive=True)
h, dt = sp.symbols("h dt", positive=True)
x = sp.Symbol("x", real=True)


def flux_and_diffusion(law):
    d = law.diffusion[0, 0] if law.diffusion is not None else sp.S.Zero
    return law.flux[0], d


def test_known_result_10_fixed_lattice_coefficients_exact():
    jp = JumpProcess({1: 0.6, -1: 0.2}, scaling="none")
    d = jump_process_limit(jp)
    assert d.status == "proved"
    law = d.result
    assert law.form == "conservation" and law.diffusion_form == "ito"
    rho = law.fields[0]
    flux, diff = flux_and_diffusion(law)
    v = sp.simplify(flux / rho).subs({h: sp.Rational(1, 10), dt: sp.Rational(1, 100)})
    dd = diff.subs({h: sp.Rational(1, 10), dt: sp.Rational(1, 100)})
    assert v == 4 and dd == sp.Rational(32, 100)


def test_known_result_10_symbolic():
    law = jump_process_limit(JumpProcess({1: p, -1: q})).result
    flux, diff = flux_and_diffusion(law)
    assert sp.simplify(flux / law.fields[0] - (p - q) * h / dt) == 0
    assert sp.simplify(diff - (p + q - (p - q) ** 2) * h ** 2 / (2 * dt)) == 0


def test_known_result_11_hyperbolic_scaling_transport_and_vanishing_diffusion():
    d = jump_process_limit(JumpProcess({1: p, -1: q}, scaling="hyperbolic", time_step=h / c))
    law = d.result
    flux, diff = flux_and_diffusion(law)
    assert sp.simplify(flux - c * (p - q) * law.fields[0]) == 0
    assert diff == 0 and law.diffusion_form == "none"
    assert any("vanishes" in str(s.claim) and "O(h^1)" in str(s.claim) for s in d.steps)
    # with dt free the ratio h/dt is held fixed
    law2 = jump_process_limit(JumpProcess({1: p, -1: q}, scaling="hyperbolic")).result
    assert sp.simplify(law2.flux[0].subs(dt, h / c) - flux) == 0


def test_known_result_12_continuous_time_state_dependent_rates():
    lp, lm = sp.Function("lp")(x), sp.Function("lm")(x)
    d = jump_process_limit(JumpProcess({1: lp, -1: lm}, time="continuous"))
    assert d.status == "proved"
    law = d.result
    rho = sp.Function("rho")(x, law.t)
    expected = -sp.diff((lp - lm) * h * rho, x) + sp.diff((lp + lm) * h ** 2 * rho, x, 2) / 2
    eq = law.pde()
    assert sp.simplify((eq.rhs - (eq.lhs - sp.diff(rho, law.t))).doit() - expected) == 0


def test_diffusive_scaling_with_order_h_asymmetry_gives_drift_diffusion():
    jp = JumpProcess({1: (1 + beta * h) / 4, -1: (1 - beta * h) / 4}, scaling="diffusive",
                     asymmetry_order=1)
    law = jump_process_limit(jp).result
    flux, diff = flux_and_diffusion(law)
    gamma = h ** 2 / dt  # held fixed
    assert sp.simplify(flux / law.fields[0] - beta * gamma / 2) == 0  # mean jump beta h^2/2
    assert sp.simplify(diff - gamma / 4) == 0


def test_diffusive_scaling_with_fixed_asymmetry_is_refused_with_reason_and_fix():
    with pytest.raises(LimitError) as err:
        jump_process_limit(JumpProcess({1: p, -1: q}, scaling="diffusive"))
    msg = str(err.value)
    assert "fixed asymmetry" in msg and "hyperbolic" in msg and "O(h)" in msg
    with pytest.raises(LimitError, match="hyperbolic"):
        jump_process_limit(JumpProcess({1: sp.Rational(2, 3), -1: sp.Rational(1, 3)},
                                       scaling="diffusive", asymmetry_order=1))


def test_backward_reading_is_a_backward_kolmogorov_equation_with_coefficients_outside():
    b0 = sp.Function("b")(x)
    jp = JumpProcess({1: (1 + b0 * h) / 4, -1: (1 - b0 * h) / 4}, scaling="diffusive",
                     reading="backward")
    law = jump_process_limit(jp).result
    assert law.form == "backward"
    assert sp.simplify(law.drift[0] - b0 * h ** 2 / (2 * dt)) == 0
    assert sp.simplify(law.diffusion[0, 0] - h ** 2 / (4 * dt)) == 0


def test_state_dependent_density_is_conservative_with_ito_diffusion():
    b0 = sp.Function("b")(x)
    jp = JumpProcess({1: (1 + b0 * h) / 4, -1: (1 - b0 * h) / 4}, scaling="diffusive")
    law = jump_process_limit(jp).result
    assert law.form == "conservation" and law.diffusion_form == "ito"
    assert sp.simplify(law.flux[0] - b0 * h ** 2 / (2 * dt) * law.fields[0]) == 0


CONSTANT = [
    JumpProcess({1: p, -1: q}),
    JumpProcess({1: p, -1: q}, reading="backward"),
    JumpProcess({2: sp.Rational(1, 5), -1: sp.Rational(1, 3)}),
    JumpProcess({1: p, -1: q}, scaling="hyperbolic"),
    JumpProcess({1: (1 + beta * h) / 3, -1: (1 - beta * h) / 3}, scaling="diffusive"),
    JumpProcess({(1, 0): p, (0, 1): q, (-1, -1): sp.Rational(1, 10)}),
    JumpProcess({(1, 0): sp.Rational(1, 4), (-1, 0): sp.Rational(1, 4), (0, 1): sp.Rational(1, 8),
                 (0, -1): sp.Rational(1, 8), (1, 1): sp.Rational(1, 8)}, scaling="hyperbolic",
                reading="backward"),
    JumpProcess({(1, 0, 0): p, (0, -1, 1): q}, scaling="none"),
    JumpProcess({1: p, -1: q}, time="continuous"),
    JumpProcess({1: 3 / h ** 2 + beta / h, -1: 3 / h ** 2}, time="continuous",
                scaling="diffusive"),
]


@pytest.mark.parametrize("jp", CONSTANT, ids=lambda j: j.describe()[:60])
def test_cumulant_and_taylor_routes_agree_for_constant_coefficients(jp):
    a = jump_process_limit(jp, route="cumulant")
    b = jump_process_limit(jp, route="taylor")
    assert a.status == b.status == "proved"
    ea, eb = a.result.pde(), b.result.pde()
    assert sp.simplify((ea.lhs - eb.lhs) - (ea.rhs - eb.rhs)) == 0


def test_continuous_time_rates_that_do_not_scale_are_refused():
    with pytest.raises(LimitError, match="rates do not depend on h"):
        jump_process_limit(JumpProcess({1: p, -1: q}, time="continuous", scaling="hyperbolic"))


def test_json_round_trip_rechecks_and_dispatcher_and_timing():
    jp = JumpProcess({1: p, -1: q}, scaling="hyperbolic", time_step=h / c)
    t0 = time.perf_counter()
    d = macroscopic_limit(jp)
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.0  # well under a second on an idle core; loose under shared load
    again = Derivation.from_json(d.render("json")).recheck()
    assert again.status == "proved" and again.result.hash == d.result.hash
    assert "Macroscopic limit" in d.render("md") and "\\begin{enumerate}" in d.render("latex")
    u = Field("u")
    nu = sp.Symbol("nu", positive=True)
    upwind = Scheme(("u",), 1, {"u": nu * u[-1] + (1 - nu) * u[0]}, params=(nu,))
    law = macroscopic_limit(upwind).result
    assert law.form == "backward"
    assert sp.simplify(law.drift[0] + nu * sp.Symbol("dx", positive=True) / dt) == 0


def test_dispatcher_sends_particle_systems_to_the_hydrodynamic_limit():
    from mcgen.model import ParticleSystem
    d = macroscopic_limit(ParticleSystem("exclusion", {1: 1}))  # TASEP, known result 14
    rho = d.result.fields[0]
    assert sp.simplify(d.result.flux[0] - rho * (1 - rho)) == 0
