"""Schemes written in dt and the grid steps (no declared Courant number): the analyses decide the
region in the dimensionless groups and state it in dt and the spacings, and every path (derive,
build, Simulation, the CLI) enforces that one condition.

Regressions: ``u[0] - dt/dx*(u[0] - u[-1])`` crashed every analysis with a TypeError in
``proof/sturm.py`` (dt, dx reached the exact deciders as free symbols), and ``Simulation`` crashed
the same way even with ``unsafe=True``.
"""

import dataclasses
import textwrap
import warnings

import numpy as np
import pytest
import sympy as sp

import mcgen
import mcgen.analysis.von_neumann
from mcgen.analysis.amplification import unstable_mode
from mcgen.analysis.dimensionless import _parts, analysis_parameters
from mcgen.analysis.safety_policy import UndecidedConditionWarning, safety_policy
from mcgen.errors import StabilityError
from mcgen.model import Field, Scheme
from mcgen.model.symbols import D, dt, dx, dy, x
from mcgen.proof import Derivation
from mcgen.proof.check import Check
from mcgen.run import Simulation

u = Field("u")
a = sp.Symbol("a", real=True)
HALF = sp.Rational(1, 2)

UPWIND = Scheme(("u",), 1, {"u": u[0] - dt / dx * (u[0] - u[-1])})
FTCS = Scheme(("u",), 1, {"u": u[0] + dt / dx**2 * (u[1] - 2 * u[0] + u[-1])})
LAX_WENDROFF = Scheme(("u",), 1, {"u": u[0] - a * dt / (2 * dx) * (u[1] - u[-1])
                                  + a**2 * dt**2 / (2 * dx**2) * (u[1] - 2 * u[0] + u[-1])},
                      params=(a,))
# two groups: dt/dx and D*dt/dx**2
MIXED = Scheme(("u",), 1, {"u": u[0] - dt / dx * (u[0] - u[-1])
                           + D * dt / dx**2 * (u[1] - 2 * u[0] + u[-1])})


def results(scheme):
    ds = {d.title.split(" of ")[0]: d for d in mcgen.derive(scheme)}
    return ds["Positivity region"], ds["von Neumann analysis"]


def test_the_reproducer_derives_dt_over_dx_at_most_one_for_positivity_and_l2():
    assert UPWIND.params == ()
    for d in results(UPWIND):
        c = d.result
        assert d.status == c.status == "proved"
        assert c.expr == sp.Le(dt / dx, 1) and c.variables == (dt, dx)
        assert c.holds(dt=0.02, dx=0.02) and not c.holds(dt=0.0201, dx=0.02)
        # the substitution is a checked step, and the proof survives a JSON round trip
        assert [s.check.kind for s in d.steps] == ["identity", "region_in_groups"]
        assert Derivation.from_json(d.render("json")).recheck().status == "proved"


def test_the_reproducer_runs_at_nine_tenths_of_dx_and_unsafe_beyond_it():
    grid, u0 = (50, (0, 1)), np.linspace(0, 1, 50)
    sim = Simulation(UPWIND, grid, u0)
    assert sim.max_dt == pytest.approx(0.02, rel=1e-12)
    assert sim.dt == pytest.approx(0.9 * 0.02, rel=1e-12)
    with pytest.raises(StabilityError, match="dt/dx <= 1"):
        Simulation(UPWIND, grid, u0, dt=0.04)
    # outside the region the analysis names the growing mode: theta = pi, |G(pi)| = |1 - 2 dt/dx|
    theta, g = unstable_mode(UPWIND, dt=0.04, dx=0.02)
    assert theta == pytest.approx(np.pi) and g == pytest.approx(3.0)
    hot = Simulation(UPWIND, grid, np.cos(np.pi * np.arange(50)), dt=0.04, unsafe=True)
    hot.run(0.4)  # ten steps of the sawtooth (the mode theta = pi) grow like 3**n
    assert np.max(np.abs(hot.u)) == pytest.approx(3.0**10, rel=1e-9)


def test_ftcs_heat_written_with_dt_over_dx_squared():
    for d in results(FTCS):
        assert d.result.status == "proved" and d.result.expr == sp.Le(dt / dx**2, HALF)
    sim = Simulation(FTCS, (20, (0, 1)), 0.0, bc="periodic")
    assert sim.max_dt == pytest.approx(0.5 * 0.05**2, rel=1e-12)


def test_lax_wendroff_with_a_declared_advection_speed():
    assert [str(p) for p in analysis_parameters(LAX_WENDROFF)] == ["nu"]  # nu = a*dt/dx
    pos, l2 = (d.result for d in results(LAX_WENDROFF))
    assert l2.status == "proved" and l2.expr == sp.Le(sp.Abs(a) * dt / dx, 1)
    # positive only where the scheme is a pure shift: a*dt/dx in {-1, 0, 1}
    assert pos.holds(a=-2.0, dt=0.05, dx=0.1) and not pos.holds(a=-2.0, dt=0.04, dx=0.1)
    sim = Simulation(LAX_WENDROFF, (40, (0, 1)), 0.0, params={"a": -2.0})
    assert sim.max_dt == pytest.approx(0.025 / 2, rel=1e-12)


def _max_abs_g(dt_, dx_, D_):
    """max |G(theta)| of MIXED on a fine theta grid (an independent numeric check)."""
    th = np.linspace(0, np.pi, 2001)
    nu, r = dt_ / dx_, D_ * dt_ / dx_**2
    g = (nu + r) * np.exp(-1j * th) + (1 - nu - 2 * r) + r * np.exp(1j * th)
    return np.max(np.abs(g))


def test_two_groups_give_the_exact_region_in_dt_dx_and_d():
    assert [str(p) for p in analysis_parameters(MIXED)] == ["nu", "r"]
    exact = sp.Le(dt / dx + 2 * D * dt / dx**2, 1)
    pos, l2 = (d.result for d in results(MIXED))
    for c in (pos, l2):
        assert c.status == "proved" and c.expr == exact
    rng = np.random.default_rng(12)
    for _ in range(200):
        dx_, D_ = rng.uniform(0.01, 0.2), rng.uniform(0.0, 0.5)
        limit = 1 / (1 / dx_ + 2 * D_ / dx_**2)
        for dt_ in (0.9 * limit, 1.02 * limit):  # away from the boundary: no rounding question
            assert l2.holds(dt=dt_, dx=dx_, D=D_) == (_max_abs_g(dt_, dx_, D_) <= 1 + 1e-12)
    sim = Simulation(MIXED, (50, (0, 1)), 0.0, params={"D": 0.1})
    assert sim.max_dt == pytest.approx(1 / (50 + 0.2 * 2500), rel=1e-12)


def test_every_path_enforces_the_same_condition(tmp_path, capsys):
    from mcgen.cli import main
    l2 = results(UPWIND)[1].result
    assert safety_policy(UPWIND).condition() == l2
    assert mcgen.build(UPWIND).condition == l2
    assert mcgen.compile(UPWIND).condition == l2
    assert Simulation(UPWIND, (50, (0, 1)), 0.0).condition == l2
    model = tmp_path / "upwind_in_dt.py"
    model.write_text(textwrap.dedent("""
        import numpy as np
        from mcgen.model import Field, Scheme
        from mcgen.model.symbols import dt, dx
        u = Field("u")
        model = Scheme(("u",), 1, {"u": u[0] - dt / dx * (u[0] - u[-1])})
        initial = lambda x: np.sin(2 * np.pi * x)
        t_end = 0.1
    """))
    assert main(["derive", str(model)]) == 0
    assert "**Result.** von Neumann CFL condition: dt/dx <= 1" in capsys.readouterr().out
    assert main(["run", str(model), "--cells", "50"]) == 0
    out = capsys.readouterr().out
    assert "condition  : von Neumann CFL condition: dt/dx <= 1" in out
    assert "dt         : 0.018 (largest allowed 0.02" in out


def test_an_edited_result_does_not_recheck_as_proved():
    d = results(UPWIND)[0]
    forged = dataclasses.replace(d.result, expr=sp.Le(dt / dx, 2), sufficient=sp.Le(dt / dx, 2),
                                 necessary=sp.Le(dt / dx, 2))
    last = d.steps[-1]
    inner, defs = last.check.args[1:]
    steps = (*d.steps[:-1], dataclasses.replace(
        last, claim=forged, check=Check("region_in_groups", (_parts(forged), inner, defs))))
    assert dataclasses.replace(d, steps=steps, result=forged).recheck().status != "proved"


def test_unsafe_runs_warn_when_no_condition_can_be_decided():
    # position-dependent weights: neither positivity nor von Neumann applies
    vc = Scheme(("u",), 1, {"u": u[0] - (1 + sp.sin(x) ** 2) / 2 * dt / dx * (u[0] - u[-1])})
    with pytest.raises(StabilityError):
        Simulation(vc, (50, (0, 1)), 1.0, dt=0.01)
    with pytest.warns(UndecidedConditionWarning, match="nothing is enforced"):
        sim = Simulation(vc, (50, (0, 1)), 1.0, dt=0.01, unsafe=True)
    sim.run(0.05)
    assert np.allclose(sim.u, 1.0)
    with pytest.warns(UndecidedConditionWarning):
        mcgen.build(vc, unsafe=True)


def test_two_dimensional_heat_in_dt_dx_dy():
    v = Field("u", dim=2)
    heat = Scheme(("u",), 2, {"u": v[0, 0] + dt / dx**2 * (v[1, 0] - 2 * v[0, 0] + v[-1, 0])
                              + dt / dy**2 * (v[0, 1] - 2 * v[0, 0] + v[0, -1])})
    assert [str(p) for p in analysis_parameters(heat)] == ["r_x", "r_y"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no analysis skipped
        pos, l2 = results(heat)
    assert pos.result.expr == l2.result.expr == sp.Le(dt / dx**2 + dt / dy**2, HALF)
    sim = Simulation(heat, ((20, 40), ((0, 1), (0, 1))), 0.0)
    assert sim.max_dt == pytest.approx(0.5 / (20**2 + 40**2), rel=1e-12)


def _g_max(weights, nu_value):
    th = np.linspace(0, np.pi, 4001)
    g = sum(float(w.subs(NU, nu_value)) * np.exp(1j * k * th) for k, w in weights.items())
    return np.max(np.abs(g))


NU = sp.Symbol("nu", real=True)


@pytest.mark.parametrize("seed", range(6))
def test_random_stencils_in_dt_dx_agree_with_max_abs_g(seed):
    """Random three-point stencils with weights quadratic in dt/dx: the region stated in dt, dx
    is proved and agrees with a brute-force max |G| away from its boundary."""
    rng = np.random.default_rng(seed)
    p, q, r, s = (sp.Rational(int(v), 4) for v in rng.integers(-4, 5, size=4))
    weights = {-1: NU * (p + q * NU), 1: NU * (r + s * NU)}
    weights[0] = 1 - weights[-1] - weights[1]
    scheme = Scheme(("u",), 1, {"u": sum(w.subs(NU, dt / dx) * u[k]
                                         for k, w in weights.items())})
    l2 = mcgen.analysis.von_neumann.von_neumann(scheme).result
    assert l2.status == "proved" and set(l2.variables) <= {dt, dx}
    checked = 0
    for nu_value in np.linspace(0.01, 3.0, 60):
        g = _g_max(weights, nu_value)
        if abs(g - 1) < 1e-6:
            continue  # at the boundary: rounding decides, not the region
        for dx_ in (0.01, 0.3):
            assert l2.holds(dt=nu_value * dx_, dx=dx_) == (g < 1), (seed, nu_value, l2.expr)
            checked += 1
    assert checked > 60
