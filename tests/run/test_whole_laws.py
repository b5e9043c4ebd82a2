"""Whole laws: flux + diffusion + source run with all their terms (issue 11, defect 1), against
exact solutions: the viscous Burgers travelling wave, the drifting and spreading Gaussian, linear
decay."""

import math

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.monotonicity import monotonicity
from mcgen.analysis.safety_policy import safety_policy
from mcgen.errors import ModelError
from mcgen.model import scalar_law
from mcgen.model.boundary import Dirichlet
from mcgen.model.catalogue.conservative import law_scheme
from mcgen.run import Simulation
from mcgen.run.exact_solutions import gaussian, viscous_burgers_wave

U = sp.Symbol("U", real=True)
X = sp.Symbol("x", real=True)


def burgers(D=None, source=0):
    return scalar_law(U, U**2 / 2, diffusion=D, diffusion_form="fick" if D else "none",
                      source=source, name="Burgers")


def travelling_wave(x, t, D):
    """u_t + (u^2/2)_x = D u_xx: the viscous shock joining 1 > 0 at speed 1/2."""
    return viscous_burgers_wave(x, t, 1.0, 0.0, D)


def wave_error(n, D=0.1, t_end=1.0):
    bounds = (-2.0, 3.0)
    sim = Simulation(burgers(D), (n, bounds), lambda x: travelling_wave(x, 0.0, D),
                     bc=[(Dirichlet(1.0), Dirichlet(0.0))], backend="numpy")
    sim.run(t_end)
    x = sim.grid.centres()[0]
    return sim, float(np.max(np.abs(sim.u - travelling_wave(x, t_end, D))))


def test_the_combined_condition_is_proved_for_godunov_with_diffusion_and_decay():
    # monotone iff lambda max|f'| + 2 D dt/dx^2 + k dt <= 1 (the three coefficients of u_j)
    k = sp.Rational(1, 2)
    s = law_scheme(burgers(sp.Rational(1, 10), source=-k * U))
    d = monotonicity(s, (0, 1))
    cond = d.result
    assert d.status == "proved" and cond.status == "proved" and cond.kind == "monotone"
    lam, mu, dt, dx = (sp.Symbol(n, positive=True) for n in ("lambda", "mu", "dt", "dx"))
    assert sp.simplify(cond.expr.lhs - (lam + mu / 5 + dt / 2)) == 0 and cond.expr.rhs == 1
    # dx = 0.01: dt (1/dx + 0.2/dx^2 + 1/2) <= 1
    assert cond.max_stable_dt(dx=0.01) == pytest.approx(1 / (100 + 2000 + 0.5), rel=1e-12)
    # the diagonal coefficient at a constant state is exactly 1 - (that sum): necessary too
    h = s.update["U"]
    reads = sorted(h.free_symbols - {lam, mu, dt}, key=str)
    diag = sp.diff(h, next(r for r in reads if r.offset == (0,)))
    at = {r: sp.Rational(1) for r in reads}
    assert sp.simplify(diag.subs(at) - (1 - lam - mu / 5 - dt / 2)) == 0


def test_defect1_viscous_burgers_differs_from_inviscid_and_matches_the_travelling_wave():
    sim, err = wave_error(200)
    inviscid = Simulation(burgers(), (200, (-2.0, 3.0)), lambda x: travelling_wave(x, 0, 0.1),
                          bc=[(Dirichlet(1.0), Dirichlet(0.0))], dt=sim.dt, backend="numpy")
    inviscid.run(1.0)
    assert np.max(np.abs(sim.u - inviscid.u)) > 0.05  # the diffusion acts
    _, err2 = wave_error(400)
    order = math.log2(err / err2)
    assert err2 < 0.01 and 0.8 < order < 1.3  # first order (Godunov + explicit Euler)


def test_drifting_and_spreading_gaussian():
    a, D, t0, t_end = 1.0, 0.02, 0.05, 0.4

    def exact(x, t):  # u_t + a u_x = D u_xx on the periodic [0, 1]: a sum of images
        s0 = math.sqrt(2 * D * t0)
        return sum(gaussian(x, t, x0=0.3 - k, s0=s0, D=D, a=a) for k in (-2, -1, 0, 1))

    errs = []
    for n in (200, 400):
        law = scalar_law(U, a * U, diffusion=D, diffusion_form="fick")
        sim = Simulation(law, (n, (0.0, 1.0)), lambda x: exact(x, 0.0), backend="numpy")
        rec = sim.run(t_end)
        errs.append(float(np.max(np.abs(sim.u - exact(sim.grid.centres()[0], t_end)))))
        assert abs(rec.mass_drift) < 1e-12  # flux and diffusion both telescope
    assert errs[1] < 0.1 * np.max(exact(np.linspace(0, 1, 101), t_end))
    assert 0.8 < math.log2(errs[0] / errs[1]) < 1.3


def test_linear_decay_takes_the_mass_from_half_to_half_exp_minus_t():
    # source -u: d(mass)/dt = -mass, so 0.5 -> 0.5 e^{-0.3} = 0.370 (the numbers);
    # the explicit step gives exactly 0.5 (1 - dt)^n, since the flux differences telescope
    sim = Simulation(burgers(source=-U), (100, (0.0, 1.0)),
                     lambda x: 0.5 + 0.4 * np.sin(2 * np.pi * x), backend="numpy")
    rec = sim.run(0.3)
    assert rec.mass_end == pytest.approx(0.5 * (1 - rec.dt) ** rec.steps, rel=1e-12)
    assert rec.mass_end == pytest.approx(0.5 * math.exp(-0.3), abs=0.5 * rec.dt)
    assert round(rec.mass_end, 2) == 0.37


def test_variable_coefficient_diffusion_both_forms():
    # D(u) = u: Fick (u u_x)_x = (u^2/2)_xx, Ito (u u)_xx = (u^2)_xx: d = u and d = 2u
    for form, d in (("fick", U), ("ito", 2 * U)):
        s = law_scheme(scalar_law(U, 0, diffusion=U, diffusion_form=form))
        cond = monotonicity(s, (0, 1)).result
        mu = sp.Symbol("mu", positive=True)
        assert sp.simplify(cond.expr.lhs - 2 * mu * d.subs(U, 1)) == 0  # 2 mu max d <= 1
        assert cond.status == "proved"


def test_a_coefficient_of_position_in_both_forms_reaches_its_steady_state():
    # D(x) = 1 + sin(2 pi x)/2, u(0) = 0, u(1) = 1. Fick (D u_x)_x = 0: u = int_0^x 1/D over
    # int_0^1 1/D (inside [0, 1]); Ito (D u)_xx = 0: D u linear, u = x D(1)/D(x), which rises
    # above 1 (no maximum principle): the two forms are different laws
    from scipy.integrate import cumulative_trapezoid
    Dx = 1 + sp.sin(2 * sp.pi * X) / 2
    z = np.linspace(0.0, 1.0, 20001)
    inv = cumulative_trapezoid(1 / (1 + np.sin(2 * np.pi * z) / 2), z, initial=0)
    exact = {"fick": lambda x: np.interp(x, z, inv / inv[-1]),
             "ito": lambda x: x / (1 + np.sin(2 * np.pi * x) / 2)}
    for form in ("fick", "ito"):
        law = scalar_law(U, 0, diffusion=Dx, diffusion_form=form)
        cond = safety_policy(law).monotone((0, 1))  # the run below asks the same policy
        assert cond.sufficient is not None and "2 mu * 3/2" in cond.description  # sup D = 3/2
        errs = []
        for n in (12, 24):
            sim = Simulation(law, (n, (0.0, 1.0)), 0.0, bc=[(Dirichlet(0.0), Dirichlet(1.0))],
                             backend="numpy", progress=False)
            sim.run(1.0)
            errs.append(float(np.max(np.abs(sim.u - exact[form](sim.grid.centres()[0])))))
        assert errs[1] < 0.1 and 0.7 < math.log2(errs[0] / errs[1]) < 1.5
        assert (sim.u.max() > 1.4) == (form == "ito")


def test_a_term_the_scheme_cannot_discretise_is_refused_by_name_never_dropped():
    with pytest.raises(ModelError, match=r"diffusion coefficient .*depends on \['U', 'x'\]"):
        law_scheme(scalar_law(U, U**2 / 2, diffusion=1 + X**2 * U, diffusion_form="fick"))
    with pytest.raises(ModelError, match=r"source .*depends on \['x'\]"):
        law_scheme(scalar_law(U, U**2 / 2, source=sp.sin(X) * U))
    with pytest.raises(Exception, match=r"no finite bounds"):
        monotonicity(law_scheme(scalar_law(U, 0, diffusion=1 + X**2, diffusion_form="fick")),
                     (0, 1))
