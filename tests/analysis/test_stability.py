"""Positivity and L2 side by side; the enforced condition; the largest stable time step."""

import functools
import importlib.util
import math

import pytest
import sympy as sp

from mcgen.analysis.stability import enforced_condition, max_stable_dt, stability_report
from mcgen.errors import StabilityError
from mcgen.model.catalogue import linear as cat
from mcgen.proof.condition import CAUCHY_LABEL


@functools.cache
def report(name):
    return stability_report(cat.LINEAR_SCHEMES[name]())


def test_lax_wendroff_l2_stable_but_not_positive():
    d = report("lax_wendroff")
    pos, l2 = d.result
    assert d.status == "proved"
    text = d.render("md")
    assert "the reverse fails" in text and "Godunov" in text
    assert l2.holds(nu=0.5) and not pos.holds(nu=0.5)
    assert CAUCHY_LABEL in l2.describe()


def test_regions_coincide_for_upwind_and_heat():
    for name in ("upwind", "ftcs_heat"):
        d = report(name)
        assert d.status == "proved"
        assert "coincide" in d.render("md")


def test_advection_diffusion_l2_strictly_larger():
    d = report("central_advection_diffusion")
    pos, l2 = d.result
    # nu = 0.6, r = 0.2: nu^2 <= 2r <= 1 but |nu| > 2r
    assert l2.holds(nu=0.6, r=0.2) and not pos.holds(nu=0.6, r=0.2)
    assert d.status == "proved"


def test_positivity_implies_l2_step_is_exact():
    d = report("central_advection_diffusion")
    step = next(s for s in d.steps if "inside the L2 region" in str(s.claim))
    assert step.check.kind == "region_implies" and step.status == "proved"


def test_enforced_condition_and_max_dt():
    up = cat.upwind()
    assert enforced_condition(up).kind == "l2"
    assert max_stable_dt(up, a=2.0, dx=0.1) == pytest.approx(0.05, rel=1e-12)
    assert max_stable_dt(cat.ftcs_heat(), D=1.0, dx=0.1) == pytest.approx(0.005, rel=1e-12)
    # nu^2 <= 2r <= 1 with a = 1, D = 0.1, dx = 0.1: r <= 1/2 binds (dt <= 0.05)
    assert max_stable_dt(cat.central_advection_diffusion(), a=1.0, D=0.1, dx=0.1) == \
        pytest.approx(0.05, rel=1e-12)
    # theta-method at theta = 1/4: r <= 1, D = 1, dx = 0.1: dt <= 0.01
    assert max_stable_dt(cat.theta_method(sp.Rational(1, 4)), D=1.0, dx=0.1) == \
        pytest.approx(0.01, rel=1e-12)
    assert max_stable_dt(cat.crank_nicolson(), D=1.0, dx=0.1) == float("inf")


def test_strict_bound_steps_below_the_double_root():
    dt = max_stable_dt(cat.leapfrog(), a=1.0, dx=0.1)
    assert dt < 0.1 and dt == pytest.approx(0.1, rel=1e-12)


def test_sampled_regions_need_opt_in(monkeypatch):
    # 2-D Lax-Friedrichs: the disc nu_x^2 + nu_y^2 <= 1/2, proved (SOS certificate) when
    # clarabel is installed; else the proved sufficient part (positivity, |nu| <= 1/2)
    c = enforced_condition(cat.lax_friedrichs_2d())
    assert c.status == "proved"
    disc = importlib.util.find_spec("clarabel") is not None
    assert max_stable_dt(cat.lax_friedrichs_2d(), a=1.0, b=0.5, dx=0.1, dy=0.1) == \
        pytest.approx(0.1 * math.sqrt(0.4) if disc else 0.05, rel=1e-9)
    # unsplit 2-D Lax-Wendroff: the astroid, proved (SOS certificate in cube roots) when
    # clarabel is installed; on the diagonal nu_x = nu_y <= 2^(-3/2)
    if disc:
        assert enforced_condition(cat.lax_wendroff_2d()).status == "proved"
        assert max_stable_dt(cat.lax_wendroff_2d(), a=1.0, b=1.0, dx=0.1, dy=0.1) == \
            pytest.approx(0.1 * 2**-1.5, rel=1e-9)
    # without the SOS search it is sampled: nothing proved beyond measure zero -> refused
    # without opt-in
    import sys

    import mcgen.analysis.safety_policy as policy_module
    import mcgen.analysis.von_neumann as vn_module
    monkeypatch.setitem(sys.modules, "clarabel", None)
    monkeypatch.setattr(vn_module, "_RESULTS", {})
    monkeypatch.setattr(policy_module, "_POLICIES", {})
    with pytest.raises(StabilityError, match="allow_sampled"):
        enforced_condition(cat.lax_wendroff_2d())
    # with the opt-in, only what is proved is enforced, never the sampled (necessary) set:
    # here nothing beyond the measure-zero positivity set, so no time step is offered
    from mcgen.analysis.safety_policy import SampledRegionWarning
    with pytest.raises(StabilityError, match="no positive time step|no interval"), \
            pytest.warns(SampledRegionWarning):
        max_stable_dt(cat.lax_wendroff_2d(), allow_sampled=True, a=1.0, b=1.0, dx=0.1, dy=0.1)


def test_nonlinear_schemes_enforce_monotonicity():
    pytest.importorskip("mcgen.analysis.monotonicity")
    from mcgen.model import scalar_law
    from mcgen.model.catalogue.conservative import conservative_scheme
    u = sp.Symbol("u", real=True)
    s = conservative_scheme(scalar_law(u, u**2 / 2, name="Burgers"), "lax_friedrichs")
    c = enforced_condition(s)
    assert c.kind == "monotone"
    # lambda max|f'| <= 1 with data in [-1, 1], dx = 0.1: dt <= 0.1
    assert max_stable_dt(s, m=-1.0, M=1.0, dx=0.1) == pytest.approx(0.1, rel=1e-9)
