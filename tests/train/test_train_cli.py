"""`mcgen train`: the learned model, its derivations and a report with plots."""

import json

import numpy as np
import sympy as sp
from click.testing import CliRunner
from train_data import heat_data

from mcgen.cli import cli
from mcgen.model.scheme import Scheme
from mcgen.proof import Derivation


def test_train_writes_model_derivations_and_report(tmp_path):
    U, dx, dt = heat_data()
    data = tmp_path / "heat.npz"
    np.savez(data, u=U, dx=dx, dt=dt)
    out = tmp_path / "learned"
    run = CliRunner().invoke(cli, ["train", str(data), "--support", "-1,0,1", "--order", "2",
                                   "--positive", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "FTCS heat with r = 3/10" in run.output
    for name in ("model.json", "derivations.md", "derivations.json", "report.md",
                 "residuals.png", "rollout.png"):
        assert (out / name).stat().st_size > 0
    scheme = Scheme.from_data(json.loads((out / "model.json").read_text()))
    assert scheme.linear_weights() is not None and scheme.linear_weights()[0] == sp.Rational(2, 5)
    ds = json.loads((out / "derivations.json").read_text())
    assert Derivation.from_data(ds["constraints"]).recheck().status == "proved"
    again = CliRunner().invoke(cli, ["train", str(data), "-o", str(out)])
    assert again.exit_code != 0 and "--force" in again.output       # nothing overwritten


def test_train_reports_bad_data_cleanly(tmp_path):
    U, dx, dt = heat_data()
    U[2, 5] = np.nan
    data = tmp_path / "bad.npz"
    np.savez(data, u=U, dx=dx, dt=dt)
    run = CliRunner().invoke(cli, ["train", str(data), "-o", str(tmp_path / "o")])
    assert run.exit_code != 0 and "NaN" in run.output and "Traceback" not in run.output


def _burgers(n=64, steps=40, noise=0.0, seed=0):
    x = np.arange(n) / n
    u = 1 + 0.3 * np.sin(2 * np.pi * x) + 0.1 * np.cos(6 * np.pi * x + 1)
    lam = 0.6 / 1.5
    us = [u]
    for _ in range(steps):
        v = us[-1]
        us.append(v - lam * (v ** 2 / 2 - np.roll(v, 1) ** 2 / 2))
    U = np.array(us)
    return U + noise * np.random.default_rng(seed).standard_normal(U.shape), 1 / n, lam / n


def test_train_report_has_plots_for_two_d_data(tmp_path):
    # regression: 2-D data got a report with no plots at all
    from train_data import roll_run
    w = {(0, 0): 0.4, (1, 0): 0.1, (-1, 0): 0.1, (0, 1): 0.2, (0, -1): 0.2}
    U = roll_run(w, np.random.default_rng(1).standard_normal((20, 20)), 4)
    data = tmp_path / "heat2d.npz"
    np.savez(data, u=U, dx=0.1, dt=0.001)
    out = tmp_path / "o"
    run = CliRunner().invoke(cli, ["train", str(data), "--support", "1", "--order", "2",
                                   "--positive", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "2-D five-point heat" in run.output
    report = (out / "report.md").read_text()
    for name in ("residuals.png", "rollout.png"):
        assert (out / name).stat().st_size > 0 and f"]({name})" in report


def test_train_flux_with_true_flux_and_rollout_options(tmp_path):
    # regression: no way to plot the learned flux against the true one, nor to use the noise
    # remedies (instruments, rollout) from the command line
    U, dx, dt = _burgers(noise=1e-3)
    data = tmp_path / "b.npz"
    np.savez(data, u=U, dx=dx, dt=dt)
    out = tmp_path / "o"
    run = CliRunner().invoke(cli, ["train", str(data), "--flux-degree", "2", "--rollout", "6",
                                   "--true-flux", "u**2/2", "-o", str(out)])
    assert run.exit_code == 0, run.output
    report = (out / "report.md").read_text()
    assert "Learned vs true flux u**2/2: max |difference|" in report
    assert "rollout fit: " in (out / "derivations.md").read_text()
    gap = float(report.split("max |difference| ")[1].split()[0])
    assert gap < 2e-2
    bad = CliRunner().invoke(cli, ["train", str(data), "--true-flux", "u**2/2", "-o",
                                   str(tmp_path / "p")])
    assert bad.exit_code != 0 and "--flux-degree" in bad.output
