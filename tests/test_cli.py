"""The mcgen command: help, run, derive, generate, cache, and one-line errors."""

import textwrap

import pytest

from mcgen.cli import main

MODEL = textwrap.dedent("""
    import numpy as np
    from mcgen.model.catalogue.linear import upwind
    model = upwind()
    params = {"a": 1.0}
    initial = lambda x: np.sin(2 * np.pi * x)
    t_end = 0.25
""")


@pytest.fixture
def model_file(tmp_path):
    p = tmp_path / "upwind_model.py"
    p.write_text(MODEL)
    return p


def test_help_lists_every_command_with_examples(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for cmd in ("demo", "derive", "generate", "run", "bench", "cache"):
        assert cmd in out
    assert "Examples" in out and "executed as your own code" in out


def test_run_takes_the_largest_stable_step_times_safety(model_file, capsys, tmp_path):
    nc = tmp_path / "u.nc"
    assert main(["run", str(model_file), "--cells", "50", "--out", str(nc)]) == 0
    out = capsys.readouterr().out
    # upwind: nu = a dt/dx <= 1, dx = 1/50
    assert "dt         : 0.018 (largest allowed 0.02" in out
    assert nc.is_file()


def test_a_bad_step_is_one_clear_error(model_file, capsys):
    assert main(["run", str(model_file), "--cells", "50", "--dt", "0.5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mcgen: error: StabilityError") and "largest allowed step" in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(model_file):
    with pytest.raises(Exception, match="largest allowed step"):
        main(["--debug", "run", str(model_file), "--cells", "50", "--dt", "0.5"])


def test_derive_prints_the_proved_cfl_condition(model_file, capsys):
    assert main(["derive", str(model_file)]) == 0
    out = capsys.readouterr().out
    assert "0 <= nu <= 1" in out and "proved" in out


def test_missing_model_name_is_explained(tmp_path, capsys):
    p = tmp_path / "empty.py"
    p.write_text("x = 1\n")
    assert main(["derive", str(p)]) == 1
    assert "bind the model to the name `model`" in capsys.readouterr().err


def test_generate_exports_a_c_kernel(model_file, tmp_path, capsys):
    out = tmp_path / "kernel"
    assert main(["generate", str(model_file), "--backend", "c", "-o", str(out)]) == 0
    assert any(p.suffix == ".c" for p in out.iterdir())
    assert any(p.suffix == ".h" for p in out.iterdir())


def test_cache_info(capsys):
    assert main(["cache"]) == 0
    assert "directory" in capsys.readouterr().out



def test_derive_a_law_over_a_data_range_gives_the_monotone_bound(tmp_path, capsys):
    # Burgers discretised by Godunov on [-1, 1]: monotone iff lambda max|f'| = lambda <= 1
    import json

    import sympy as sp

    from mcgen.proof import Derivation
    p = tmp_path / "burgers.py"
    p.write_text("import sympy as sp\nfrom mcgen.model import scalar_law\n"
                 "u = sp.Symbol('u', real=True)\nmodel = scalar_law(u, u**2 / 2)\n")
    assert main(["derive", str(p), "--data-range", "-1", "1", "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)[0]
    mono = Derivation.from_json(json.dumps(first))
    assert mono.title.startswith("Monotonicity of godunov scheme")
    cond = mono.result
    lam = cond.variables[0]
    assert cond.status == "proved"
    assert sp.simplify(cond.expr.subs(lam, 1)) is sp.true
    assert sp.simplify(cond.expr.subs(lam, sp.Rational(101, 100))) is sp.false
