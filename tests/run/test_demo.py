"""The flagship demo at reduced size: its tables report Monte Carlo and PDE profiles within the
stated tolerances of the exact entropy solution, and the report folder is complete."""

import json

import numpy as np
import pytest
import sympy as sp

from mcgen.run.demo import CASES, DemoConfig, run_demo
from mcgen.run.exact_solutions import riemann
from mcgen.run.report import fresh_directory


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "mcgen-report"
    return run_demo(out, config=DemoConfig.quick(), quiet=True)


def test_demo_numbers_are_within_the_stated_tolerances(demo):
    assert [c.name for c in demo.cases] == ["rarefaction", "shock"]
    for c in demo.cases:
        assert c.mc_l1 <= c.mc_tol, c
        assert c.pde_l1 <= c.pde_tol, c
        assert abs(c.mass_drift) < 1e-12  # Godunov on a ring conserves mass to rounding
    assert demo.passed
    assert demo.condition_kind in ("monotone", "l2", "positivity")


def test_the_tolerances_can_fail(demo):
    # each tolerance is below the L1 distance between the exact solution and the initial step
    # (a run in which nothing moved), so a wrong flux or a frozen kernel fails the check
    cfg = DemoConfig.quick()
    rho = sp.Symbol("rho")
    x = np.linspace(-cfg.window, cfg.window, 20001)
    for c, (_, rl, rr, _) in zip(demo.cases, CASES, strict=False):
        sol = riemann(rho * (1 - rho), rl, rr)
        moved = np.trapezoid(np.abs(sol(x, cfg.t_end) - sol(x, 0.0)), x)
        assert c.mc_tol < moved and c.pde_tol < moved, (c.name, moved, c.mc_tol, c.pde_tol)
    # TASEP fan: int |rho - step| = t/2 (two triangles of area t/4)
    sol = riemann(rho * (1 - rho), 1, 0)
    moved = np.trapezoid(np.abs(sol(x, 0.5) - sol(x, 0.0)), x)
    assert moved == pytest.approx(0.5 / 2, abs=1e-3)


def test_report_folder_is_complete(demo):
    d = demo.directory
    for name in ("report.md", "report.html", "results.json", "rarefaction.png", "shock.png",
                 "kernels/tasep_monte_carlo.py"):
        assert (d / name).is_file(), name
    assert (d / "derivations" / "enforced_condition.json").is_file()
    data = json.loads((d / "results.json").read_text())
    for c in demo.cases:
        assert data["cases"][c.name]["mc_l1"] == pytest.approx(c.mc_l1)
    html = (d / "report.html").read_text()
    assert "<table>" in html and "rarefaction.png" in html
    md = (d / "report.md").read_text()
    assert "Hydrodynamic limit" in md or "hydrodynamic limit" in md


def test_an_existing_report_is_never_overwritten(tmp_path):
    base = tmp_path / "mcgen-report"
    assert fresh_directory(base) == base
    base.mkdir()
    assert fresh_directory(base) == tmp_path / "mcgen-report-2"
    (tmp_path / "mcgen-report-2").mkdir()
    assert fresh_directory(base) == tmp_path / "mcgen-report-3"
    assert fresh_directory(base, force=True) == base
