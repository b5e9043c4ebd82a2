"""Every example runs (at reduced size) and its numbers agree with exact or derived values."""

import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcgen.run.demo import mc_tolerance, pde_tolerance

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_example_is_tested():
    tested = {"advection_schemes", "heat_random_walk", "lwr_traffic", "burgers_from_tasep",
              "ou_kushner_dupuis", "advection_diffusion_2d", "zero_range", "synthesized_scheme"}
    assert {p.stem for p in EXAMPLES.glob("*.py")} == tested


def test_advection_schemes_orders():
    out = load("advection_schemes").main(small=True)
    # orders proved by the consistency analysis are the textbook ones (known results 1, 4, 5)
    assert [r["proved_order"] for r in out.values()] == [1, 1, 2]
    for name, r in out.items():
        assert r["smooth_order"] == pytest.approx(r["proved_order"], abs=0.15), name
    assert 0.35 < out["upwind (a > 0)"]["step_order"] < 0.65
    assert 0.35 < out["Lax-Friedrichs"]["step_order"] < 0.65
    assert 0.45 < out["Lax-Wendroff"]["step_order"] < 0.8


def test_heat_from_a_random_walk():
    r = load("heat_random_walk").main(small=True)
    assert abs(r["walker_variance"] - r["exact_variance"]) < 4 * r["variance_se"]
    assert r["walkers_vs_pde_l1"] < 1.5 * r["mc_noise_l1"]
    assert r["pde_vs_exact_l1"] < 5e-3
    assert r["pde_mass"] == pytest.approx(1.0, abs=1e-12)


def test_lwr_traffic_at_a_red_light():
    mod = load("lwr_traffic")
    r = mod.main(small=True)
    assert r["shock_speed"] == -mod.rho_0  # 1 - rho_0 - 1, exact
    assert abs(r["queue_end"] - r["queue_end_exact"]) <= 2 * r["dx"]
    assert r["red_l1"] < pde_tolerance(1 - mod.rho_0, r["dx"])
    assert r["green_l1"] < pde_tolerance(1.0, r["dx"])


def test_burgers_from_tasep():
    r = load("burgers_from_tasep").main(small=True)
    assert abs(r["ring_current"] - r["ring_exact"]) < 4 * r["ring_se"]
    assert r["burgers_map"] == 1.0
    assert r["fan_l1"] < mc_tolerance(2.0, r["stderr"], 1.0, 0.0, r["t"], r["n"])


def test_ou_kushner_dupuis_stationary_variance():
    r = load("ou_kushner_dupuis").main(small=True)
    assert abs(r["mc_variance"] - r["chain_variance"]) < 4 * r["se"]
    assert r["bias_order"] == pytest.approx(1.0, abs=0.1)   # upwind drift: first order in h
    assert r["target"] == 0.5 and r["bias_h"] > 0


def test_advection_diffusion_2d():
    mod = load("advection_diffusion_2d")
    r = mod.main(small=True)
    assert r["errors"][1] < r["errors"][0] and r["order"] > 0.5
    p, dx = mod.params, r["dx"]
    # enforced: all weights non-negative, 1 - nu_x - nu_y - 2 r_x - 2 r_y >= 0
    assert r["max_dt"] == pytest.approx(1 / (p["a"] / dx + p["b"] / dx + 4 * p["D"] / dx**2),
                                        rel=1e-9)
    assert abs(r["mass_drift"]) < 1e-12


def test_zero_range_process():
    r = load("zero_range").main(small=True)
    assert abs(r["ring_current"] - r["ring_exact"]) < 4 * r["ring_se"]
    assert r["flux_ok"] == 1.0
    assert r["fan_l1"] < mc_tolerance(r["window"], r["stderr"], 2.0, 0.5, r["t"], r["n"])
    assert r["fan_l1"] < r["moved"] / 3


def test_synthesized_scheme_is_upwind_with_its_predicted_diffusion():
    r = load("synthesized_scheme").main(small=True)
    assert (r["w_minus1"], r["w_0"], r["w_plus1"]) == (0.25, 0.75, 0.0)
    assert r["kappa2"] == 3 / 16 and r["status"] == "proved"
    assert math.isclose(r["amplitude"], r["predicted"], rel_tol=1e-3)


def test_an_example_runs_as_a_script():
    env = {**os.environ, "MCGEN_EXAMPLE_SMALL": "1",
           "PYTHONPATH": str(EXAMPLES.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, str(EXAMPLES / "lwr_traffic.py")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "end of the queue" in proc.stdout
