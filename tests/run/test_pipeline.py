"""The pipeline: derive (limits, linear and nonlinear stability) and build (model -> condition ->
IR -> backend), checked against known results and the NumPy oracle; the lazy top-level names."""

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mcgen.errors import AnalysisError, StabilityError
from mcgen.model import JumpProcess, scalar_law
from mcgen.model.catalogue.conservative import conservative_scheme
from mcgen.model.catalogue.linear import upwind
from mcgen.model.catalogue.particles import tasep
from mcgen.run.numpy_stepper import oracle_run
from mcgen.run.pipeline import DerivationSkipped, build, derive, enforced_condition

CACHE = Path(tempfile.gettempdir()) / "mcgen-test-cache"
p, q = sp.symbols("p q", positive=True)
h, dt = sp.symbols("h dt", positive=True)
u = sp.Symbol("u", real=True)
BURGERS = scalar_law(u, u**2 / 2, name="Burgers")


def same_region(cond, expected: sp.Set, var, lo=-3, hi=3):
    """The condition's set of values of ``var`` in [lo, hi] is ``expected`` (exact sets)."""
    # a plain real symbol, so that assumptions on ``var`` (nu >= 0) cannot hide a bound
    y = sp.Symbol("y", real=True)
    window = sp.Interval(lo, hi)
    return sp.sympify(cond.expr).subs(var, y).as_set().intersect(window) == \
        expected.intersect(window)


def test_a_jump_process_derives_its_drift_and_diffusion():
    # known result 10: V = (p - q) h/dt, D = (p + q - (p - q)^2) h^2/(2 dt)
    [d] = derive(JumpProcess({1: p, -1: q}))
    assert d.recheck().status == "proved"
    law = d.result
    assert sp.simplify(law.flux[0] / law.fields[0] - (p - q) * h / dt) == 0
    assert sp.simplify(law.diffusion[0, 0] - (p + q - (p - q) ** 2) * h**2 / (2 * dt)) == 0


def test_tasep_derives_the_flux_rho_one_minus_rho():
    # known result 14
    [d] = derive(tasep())
    law = d.result
    rho = law.fields[0]
    assert sp.simplify(law.flux[0] - rho * (1 - rho)) == 0
    assert d.recheck().status == "proved"


def test_upwind_derives_positivity_l2_the_report_and_its_numerical_diffusion():
    scheme = upwind()
    nu = next(s for s in scheme.params if s.name == "nu")
    pos, l2, report, modified = derive(scheme)
    # known result 1: monotone iff L2-stable iff 0 <= nu <= 1
    for cond in (pos.result, l2.result):
        assert cond.status == "proved"
        assert same_region(cond, sp.Interval(0, 1), nu)
    assert (pos.result.kind, l2.result.kind) == ("positivity", "l2")
    assert report.result[0].kind == "positivity" and report.result[1].kind == "l2"
    # numerical diffusion of upwind: a dx/2 (1 - nu) = a dx/2 - a^2 dt/2
    diffusion = modified.result["numerical_diffusion"]
    a, dx, dtt = (next(s for s in diffusion.free_symbols if s.name == n)
                  for n in ("a", "dx", "dt"))
    assert sp.simplify(diffusion - (a * dx / 2 - a**2 * dtt / 2)) == 0


def test_burgers_rusanov_is_monotone_for_lambda_one_third_and_tvd_for_lambda_one():
    # Burgers on [-1, 1]: max|f'| = 1 gives the TVD (CFL) bound lambda <= 1, while local
    # Rusanov is monotone only for lambda S <= 1 with S = 3 (monotonicity module)
    scheme = conservative_scheme(BURGERS, flux="rusanov")
    derivations = derive(scheme, data_range=(-1, 1))
    kinds = [d.result.kind for d in derivations[:3]]
    assert kinds == ["monotone", "tvd", "e-scheme"]
    mono, tvd = derivations[0].result, derivations[1].result
    lam = mono.variables[0]
    assert mono.status == tvd.status == "proved"
    assert same_region(mono, sp.Interval(0, sp.Rational(1, 3)), lam, 0, 3)
    assert same_region(tvd, sp.Interval(0, 1), lam, 0, 3)
    assert "Entropy" in derivations[3].title and "Modified equation" in derivations[4].title
    # the condition a run enforces is the monotone one, on the same range
    assert enforced_condition(scheme, (-1.0, 1.0)).expr == mono.expr


def test_a_law_is_derived_through_its_godunov_scheme():
    godunov = conservative_scheme(BURGERS, flux="godunov")
    from_law = derive(BURGERS, data_range=(-1, 1))
    from_scheme = derive(godunov, data_range=(-1, 1))
    assert [d.render("json") for d in from_law] == [d.render("json") for d in from_scheme]


def test_an_analysis_that_does_not_apply_is_skipped_with_a_warning():
    from mcgen.model import Field, Scheme
    w = Field("u", dim=2)
    r = sp.Symbol("r", nonnegative=True)
    # DuFort-Frankel in 2-D: von Neumann takes three-level schemes in 1-D only
    new, old = w.at(0, 0, level=1), w.at(0, 0, level=-1)
    ring = w[1, 0] + w[-1, 0] + w[0, 1] + w[0, -1]
    df2 = Scheme(("u",), 2, {"u": sp.Eq((1 + 4 * r) * new, 2 * r * ring + (1 - 4 * r) * old)},
                 params=(r,), name="DuFort-Frankel 2-D")
    with pytest.warns(DerivationSkipped) as skipped:
        derivations = derive(df2)
    assert sorted(str(w.message).split(" not derived")[0] for w in skipped) == \
        ["stability report", "von neumann"]
    # the positivity region r <= 1/4 (exact: A is diagonal) survives, and is what a simulation
    # enforces
    assert derivations[0].result.status == "proved"
    assert same_region(derivations[0].result, sp.Interval(0, sp.Rational(1, 4)), r)
    assert "sufficient for L2" in enforced_condition(df2).description


def test_nonlinear_scheme_without_flux_or_range_is_refused_with_the_fix():
    from mcgen.model import Field, Scheme
    w = Field("u")
    lam = sp.Symbol("lambda", positive=True)
    raw = Scheme(("u",), 1, {"u": w[0] - lam * (w[0] ** 2 - w[-1] ** 2) / 2}, params=(lam,))
    with pytest.raises(AnalysisError, match="conservative_scheme"):
        derive(raw)
    # Rusanov's monotone bound depends on the range: none is proved without one
    with pytest.raises(StabilityError, match="no proved sufficient part"):
        enforced_condition(conservative_scheme(BURGERS, flux="rusanov"))


def test_build_upwind_runs_the_stages_and_matches_the_numpy_oracle():
    scheme = upwind()
    kernel = build(scheme, backend="numba", cache_dir=CACHE)
    for stage in ("model", "analysis", "IR", "backend"):
        assert kernel.timings[f"stage: {stage}"] >= 0
    nu = next(s for s in scheme.params if s.name == "nu")
    assert same_region(kernel.condition, sp.Interval(0, 1), nu)
    u0 = np.random.default_rng(3).uniform(-1, 1, 64)
    out = kernel.run(u0, 25, nu=0.7)
    np.testing.assert_allclose(out, oracle_run(scheme, u0, 25, nu=0.7), rtol=0, atol=1e-14)
    with pytest.raises(StabilityError):
        kernel.run(u0, 1, nu=1.2)


def test_build_a_law_enforces_monotonicity_on_the_data_range():
    # Burgers-Godunov on [-1, 1]: monotone iff lambda max|f'| = lambda <= 1
    kernel = build(BURGERS, backend="numba", data_range=(-1, 1), cache_dir=CACHE)
    lam = kernel.condition.variables[0]
    assert same_region(kernel.condition, sp.Interval(0, 1), lam, 0, 3)
    x = (np.arange(80) + 0.5) / 80
    u0 = np.where(x < 0.5, 0.7, -0.5) + 0.3 * np.sin(2 * np.pi * x)
    out = kernel.run(u0, 30, **{"lambda": 0.8})
    ref = oracle_run(kernel.scheme, u0, 30, **{"lambda": 0.8})
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-13)


def test_unknown_kernel_options_are_refused_by_name():
    with pytest.raises(Exception, match="unknown kernel option.*'dtyp'"):
        build(upwind(), dtyp="f32")


def test_import_mcgen_is_lazy_and_offers_the_pipeline():
    code = ("import sys, time; t = time.perf_counter(); import mcgen; "
            "t = time.perf_counter() - t; heavy = [m for m in ('sympy', 'numpy', 'numba') "
            "if m in sys.modules]; print(heavy, t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "[]"  # nothing heavy is imported by `import mcgen`
    import mcgen
    from mcgen.run import pipeline
    assert mcgen.derive is pipeline.derive and mcgen.build is pipeline.build
    assert mcgen.catalogue.linear.upwind().name == upwind().name
    assert {"compile", "Simulation", "stability_report", "ParticleSystem"} <= set(dir(mcgen))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        mcgen.nonsense  # noqa: B018
