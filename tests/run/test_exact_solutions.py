"""Exact solutions against known results 15, 18, 19, 20 and the conservation they must obey."""

import numpy as np
import pytest
import sympy as sp

from mcgen.run.exact_solutions import (
    breaking_time,
    characteristics_solution,
    gaussian,
    riemann,
    viscous_burgers_wave,
    viscous_burgers_wave_expr,
)

rho, u = sp.symbols("rho u", real=True)


def test_tasep_step_opens_the_fan_of_result_15():
    sol = riemann(rho * (1 - rho), 1, 0)
    x = np.linspace(-0.9, 0.9, 37)
    np.testing.assert_allclose(sol(x, 1.0), (1 - x) / 2, rtol=0, atol=1e-14)
    assert sol(np.array([-1.5]), 1.0)[0] == 1 and sol(np.array([1.5]), 1.0)[0] == 0
    # the current through the origin is f(rho(0, t)) = 1/4 at every t > 0
    r0 = sol(np.array([0.0]), 3.0)[0]
    assert r0 * (1 - r0) == pytest.approx(0.25, abs=1e-15)
    (wave,) = sol.waves
    assert wave.kind == "fan" and wave.speed == (-1, 1)


@pytest.mark.parametrize("rl, rr", [(sp.Rational(1, 5), sp.Rational(3, 5)), (0, 1),
                                    (sp.Rational(1, 10), sp.Rational(1, 3))])
def test_tasep_shock_speed_is_one_minus_both_densities(rl, rr):
    sol = riemann(rho * (1 - rho), rl, rr)
    (wave,) = sol.waves
    assert wave.kind == "shock"
    assert sp.simplify(wave.speed - (1 - rl - rr)) == 0
    s = float(1 - rl - rr)
    assert sol(np.array([s - 1e-9]), 1.0)[0] == pytest.approx(float(rl))
    assert sol(np.array([s + 1e-9]), 1.0)[0] == pytest.approx(float(rr))


def test_burgers_riemann_problems_of_result_18():
    (shock,) = riemann(u**2 / 2, 2, -1).waves
    assert shock.kind == "shock" and sp.simplify(shock.speed - sp.Rational(1, 2)) == 0
    fan = riemann(u**2 / 2, -1, 2)
    assert fan.waves[0].kind == "fan"
    x = np.linspace(-0.99, 1.99, 50)
    np.testing.assert_allclose(fan(x, 1.0), x, atol=1e-14)  # u = x/t on [u_L t, u_R t]


def test_buckley_leverett_welge_tangent():
    m = sp.Rational(1, 2)
    f = u**2 / (u**2 + m * (1 - u) ** 2)
    sol = riemann(f, 1, 0, var=u)
    assert not sol.is_convex_case
    fan, shock = sol.waves
    assert (fan.kind, shock.kind) == ("fan", "shock")
    # the shock leaves the fan tangentially: f'(u*) = f(u*)/u*, whose root in (0, 1) is
    # sqrt(m/(1+m)) (solve the tangency exactly and compare)
    tangency = sp.numer(sp.together(sp.diff(f, u) - f / u))
    roots = [r for r in sp.solve(tangency, u) if r.is_real and 0 < r < 1]
    (u_star,) = roots
    assert sp.simplify(u_star - sp.sqrt(m / (1 + m))) == 0
    assert shock.left == pytest.approx(float(u_star), abs=1e-12) and shock.right == 0
    assert shock.speed == pytest.approx(float((f / u).subs(u, u_star)), abs=1e-12)


@pytest.mark.parametrize("flux, ul, ur", [(u**3, -1, 1), (u**3, 1, -0.5),
                                           (rho * (1 - rho), 0.9, 0.1)])
def test_riemann_solution_conserves_mass(flux, ul, ur):
    # d/dt int u dx = f(u_L) - f(u_R) on a window wider than every wave
    sol = riemann(flux, ul, ur)
    x = np.linspace(-5, 5, 200001)
    t = 1.0
    mass = np.trapezoid(sol(x, t) - sol(x, 0.0), x)
    fl = float(flux.subs(sol.var, ul)) - float(flux.subs(sol.var, ur))
    assert mass == pytest.approx(t * fl, abs=2e-4)


def test_sin_breaks_at_t_equal_1():
    x = sp.Symbol("x", real=True)
    assert breaking_time(u**2 / 2, sp.sin(x), x, var=u) == 1
    assert breaking_time(u**2 / 2, sp.sin(2 * x), x, var=u) == sp.Rational(1, 2)


def test_characteristics_solution_satisfies_the_implicit_relation():
    xs = np.linspace(0, 2 * np.pi, 101)
    ut = characteristics_solution(u**2 / 2, np.sin, xs, 0.8, var=u)
    np.testing.assert_allclose(ut, np.sin(xs - ut * 0.8), atol=1e-12)


def test_viscous_burgers_wave_solves_the_pde():
    x, t = sp.symbols("x t", real=True)
    eps = sp.Rational(1, 20)
    w = viscous_burgers_wave_expr(x, t, 1, -sp.Rational(1, 2), eps)
    residual = sp.diff(w, t) + w * sp.diff(w, x) - eps * sp.diff(w, x, 2)
    assert sp.simplify(residual.rewrite(sp.exp)) == 0
    xs = np.linspace(-1, 1, 11)
    wf = sp.lambdify(x, w.subs(t, 0.3))
    np.testing.assert_allclose(viscous_burgers_wave(xs, 0.3, 1, -0.5, 0.05), wf(xs), atol=1e-14)


def test_gaussian_solves_advection_diffusion():
    x, t = sp.symbols("x t", real=True)
    a, D, s0, x0 = sp.Rational(3, 2), sp.Rational(1, 4), sp.Rational(1, 3), sp.Rational(1, 5)
    var = s0**2 + 2 * D * t
    g = s0 / sp.sqrt(var) * sp.exp(-(x - x0 - a * t) ** 2 / (2 * var))
    assert sp.simplify(sp.diff(g, t) + a * sp.diff(g, x) - D * sp.diff(g, x, 2)) == 0
    xs = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(gaussian(xs, 0.7, float(x0), float(s0), float(D), float(a)),
                               sp.lambdify(x, g.subs(t, sp.Rational(7, 10)))(xs), atol=1e-14)
