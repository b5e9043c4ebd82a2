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
