"""Bad input a user really gives: each error is one line naming the offending part and the fix.

Command line first (model files that are missing, raise or define no model, a step that breaks
the proved condition, an output folder that exists, a 4-D scheme ...), then the same care in the
Python API (``mcgen.compile(...).run`` and ``Simulation``).
"""

import textwrap

import numpy as np
import pytest

import mcgen
from mcgen.cli import main
from mcgen.errors import CodegenError, ModelError, StabilityError
from mcgen.model.catalogue.linear import upwind
from mcgen.run import Simulation

UPWIND = textwrap.dedent("""
    import numpy as np
    from mcgen.model.catalogue.linear import upwind
    model = upwind()
    params = {"a": 1.0}
    initial = lambda x: np.sin(2 * np.pi * x)
    t_end = 0.1
""")


def write(tmp_path, text, name="model.py"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def one_line_error(capsys, argv):
    """Run the command, expect failure, and return its single error line."""
    assert main([str(a) for a in argv]) != 0
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("mcgen: error: ")
    return err


# ---------------------------------------------------------------- model files


def test_missing_model_file_is_named(tmp_path, capsys):
    err = one_line_error(capsys, ["derive", tmp_path / "nope.py"])
    assert "nope.py" in err and "does not exist" in err


def test_model_file_that_raises_is_named_with_its_line(tmp_path, capsys):
    p = write(tmp_path, "import numpy\nx = 1 / 0\n")
    err = one_line_error(capsys, ["derive", p])
    assert f"{p}, line 2" in err and "ZeroDivisionError" in err


def test_model_file_with_a_syntax_error_is_named_with_its_line(tmp_path, capsys):
    p = write(tmp_path, "model = (\n")
    err = one_line_error(capsys, ["derive", p])
    assert f"{p}, line 1" in err and "SyntaxError" in err


def test_debug_shows_the_model_file_traceback(tmp_path):
    p = write(tmp_path, "x = 1 / 0\n")
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "derive", str(p)])


def test_model_file_without_a_model_says_how_to_bind_one(tmp_path, capsys):
    p = write(tmp_path, "x = 3\n")
    assert "bind the model to the name `model`" in one_line_error(capsys, ["derive", p])


def test_an_unknown_name_lists_the_models_the_file_defines(tmp_path, capsys):
    p = write(tmp_path, """
        from mcgen.model.catalogue.linear import lax_wendroff, upwind
        first, second = upwind(), lax_wendroff()
    """)
    err = one_line_error(capsys, ["derive", p, "--name", "zz"])
    assert "defines no name 'zz'" in err and "first, second" in err


def test_negative_probability_names_the_jump(tmp_path, capsys):
    p = write(tmp_path, """
        import sympy as sp
        from mcgen.model import JumpProcess
        model = JumpProcess({1: sp.Rational(6, 5), -1: sp.Rational(-1, 5)})
    """)
    err = one_line_error(capsys, ["derive", p])
    assert "line 4" in err and "jump (-1,) is -1/5" in err and "negative" in err


def test_probabilities_summing_past_one_say_so(tmp_path, capsys):
    p = write(tmp_path, """
        import sympy as sp
        from mcgen.model import JumpProcess
        model = JumpProcess({1: sp.Rational(3, 5), -1: sp.Rational(3, 5)})
    """)
    err = one_line_error(capsys, ["derive", p])
    # the self-loop 1 - 6/5 is the negative one: the message says the sum is the problem
    assert "sum to 6/5 > 1" in err and "self-loop" in err and "time='continuous'" in err


def test_flux_not_of_the_field_is_named(tmp_path, capsys):
    p = write(tmp_path, """
        import sympy as sp
        from mcgen.model import scalar_law
        u, v = sp.symbols("u v")
        model = scalar_law(u, v**2 / 2)
    """)
    err = one_line_error(capsys, ["derive", p])
    assert "line 5" in err and "flux v**2/2 is not a function of the field" in err


def test_undefined_symbol_in_a_scheme_is_named(tmp_path, capsys):
    p = write(tmp_path, """
        import sympy as sp
        from mcgen.model import Field, Scheme
        from mcgen.model.symbols import nu
        u, k = Field("u"), sp.Symbol("k")
        model = Scheme(("u",), 1, {"u": u[0] - k * (u[0] - u[-1])}, params=(nu,))
    """)
    err = one_line_error(capsys, ["derive", p])
    assert "undefined symbols ['k'] in the scheme" in err and "params=" in err


def test_four_d_scheme_is_refused_with_the_supported_range(tmp_path, capsys):
    p = write(tmp_path, """
        from mcgen.model import Field, Scheme
        from mcgen.model.symbols import nu
        u = Field("u", dim=4)
        model = Scheme(("u",), 4, {"u": u[0, 0, 0, 0] - nu * (u[0, 0, 0, 0] - u[-1, 0, 0, 0])},
                       params=(nu,))
    """)
    assert "dim=4" in one_line_error(capsys, ["derive", p])


def test_four_offsets_on_a_one_d_field_say_how_to_declare_it(tmp_path, capsys):
    p = write(tmp_path, """
        from mcgen.model import Field
        u = Field("u")
        model = u[0, 0, 0, 0]
    """)
    assert "Field('u', dim=4)" in one_line_error(capsys, ["derive", p])


# ---------------------------------------------------------------- mcgen run


def test_a_step_that_breaks_the_condition_names_the_cli_option(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    err = one_line_error(capsys, ["run", p, "--cells", "50", "--dt", "0.5"])
    assert "largest allowed step is 0.02" in err and "--unsafe" in err
    assert "unsafe=True" not in err


def test_unknown_boundary_condition_suggests_the_closest(tmp_path, capsys):
    p = write(tmp_path, UPWIND + 'bc = "periodc"\n')
    err = one_line_error(capsys, ["run", p])
    assert "'periodc' is not known" in err and "did you mean 'periodic'" in err


def test_zero_cells_is_refused_not_replaced_by_the_default(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    assert "--cells 0" in one_line_error(capsys, ["run", p, "--cells", "0"])


def test_a_given_dt_is_reported_as_given_not_as_a_safety_factor(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    assert main(["run", str(p), "--cells", "50", "--dt", "0.01"]) == 0
    assert "dt         : 0.01 (largest allowed 0.02, given)" in capsys.readouterr().out


def test_the_dt_symbol_imported_into_a_model_file_is_not_taken_for_a_step(tmp_path, capsys):
    # `from mcgen.model.symbols import dt` binds the name dt to the SymPy symbol of the model
    p = write(tmp_path, UPWIND + "from mcgen.model.symbols import dt, dx\n")
    assert main(["run", str(p), "--cells", "50"]) == 0
    assert "dt         : 0.018 (largest allowed 0.02" in capsys.readouterr().out


def test_a_model_file_dt_that_is_not_a_number_is_named(tmp_path, capsys):
    p = write(tmp_path, UPWIND + 'dt = "small"\n')
    err = one_line_error(capsys, ["run", p])
    assert "sets dt = 'small': give a number" in err and "--dt" in err


def test_plot_of_a_two_d_model_is_refused_before_the_run(tmp_path, capsys):
    p = write(tmp_path, """
        import numpy as np
        from mcgen.model.catalogue.linear import ftcs_heat_2d
        model = ftcs_heat_2d()
        params = {"D_x": 1.0, "D_y": 1.0}
        initial = lambda x, y: np.sin(2 * np.pi * x) * np.sin(2 * np.pi * y)
        t_end = 0.01
    """)
    out = tmp_path / "state.npz"
    err = one_line_error(capsys, ["run", p, "--cells", "8", "--plot", tmp_path / "u.png",
                                  "--out", out])
    assert "--plot draws 1-D profiles" in err and "2-D" in err
    assert not out.exists()  # nothing ran, nothing half-written


def test_an_error_in_the_model_files_initial_names_its_line(tmp_path, capsys):
    p = write(tmp_path, UPWIND + "def initial(x):\n    return np.sin(2 * np.pi * y)\n")
    err = one_line_error(capsys, ["run", p])
    assert f"{p}, line 9: NameError" in err


def test_initial_of_the_wrong_arity_says_what_it_is_called_with(tmp_path, capsys):
    p = write(tmp_path, """
        import numpy as np
        from mcgen.model.catalogue.linear import ftcs_heat_2d
        model = ftcs_heat_2d()
        params = {"D_x": 1.0, "D_y": 1.0}
        initial = lambda x: np.sin(2 * np.pi * x)
        t_end = 0.01
    """)
    err = one_line_error(capsys, ["run", p, "--cells", "8"])
    assert "coordinate array(s) (x, y) of the 2-D grid" in err


LWR = textwrap.dedent("""
    import sympy as sp
    from mcgen.model import scalar_law
    rho = sp.Symbol("rho")
    model = scalar_law(rho, rho * (1 - rho))
    initial = lambda x: 0 * x + 0.25
    t_end = 0.1
""")


def test_constant_data_for_a_nonlinear_scheme_ask_for_a_data_range(tmp_path, capsys):
    p = write(tmp_path, LWR)
    err = one_line_error(capsys, ["run", p, "--cells", "20"])
    assert "default data range" in err and "(0.25, 0.25)" in err and "--data-range" in err
    # Godunov for f = rho (1 - rho) on [0, 1]: lambda max|f'| = lambda <= 1, dt <= dx = 1/20
    assert main(["run", str(p), "--cells", "20", "--data-range", "0", "1"]) == 0
    assert "largest allowed 0.05" in capsys.readouterr().out


def test_derive_output_in_a_missing_folder_is_named(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    err = one_line_error(capsys, ["derive", p, "-o", tmp_path / "no" / "such" / "d.md"])
    assert "does not exist (create it first)" in err


def test_running_a_particle_system_points_to_montecarlo(tmp_path, capsys):
    p = write(tmp_path, "from mcgen.model.catalogue.particles import tasep\nmodel = tasep()\n")
    err = one_line_error(capsys, ["run", p, "--t-end", "1"])
    assert "ParticleSystem" in err and "mcgen.run.montecarlo" in err


def test_backend_typo_lists_the_choices(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    err = one_line_error(capsys, ["generate", p, "--backend", "cc", "-o", tmp_path / "k"])
    assert "'cc' is not one of" in err and "'numba'" in err


# ---------------------------------------------------------------- mcgen generate


def test_existing_output_folder_is_kept_without_force(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    out = tmp_path / "kernels"
    out.mkdir()
    (out / "mine.txt").write_text("my notes")
    err = one_line_error(capsys, ["generate", p, "-o", out])
    assert "exists and is not empty" in err and "--force" in err
    assert "overwrite=True" not in err
    assert (out / "mine.txt").read_text() == "my notes"
    assert sorted(f.name for f in out.iterdir()) == ["mine.txt"]
    assert main(["generate", str(p), "-o", str(out), "--force"]) == 0
    assert (out / "manifest.json").is_file()


def test_an_explicit_bc_option_wins_over_the_model_files_bc(tmp_path):
    p = write(tmp_path, UPWIND + 'bc = "outflow"\n')
    assert main(["generate", str(p), "-o", str(tmp_path / "given"), "--bc", "periodic"]) == 0
    assert main(["generate", str(p), "-o", str(tmp_path / "file")]) == 0
    given = (tmp_path / "given" / "upwind_a_0_.c").read_text()
    from_file = (tmp_path / "file" / "upwind_a_0_.c").read_text()
    assert "low Periodic, high Periodic" in given
    assert "low Outflow, high Outflow" in from_file


def test_generating_a_jump_process_says_what_generate_takes(tmp_path, capsys):
    p = write(tmp_path, """
        import sympy as sp
        from mcgen.model import JumpProcess
        model = JumpProcess({1: sp.Rational(1, 2)})
    """)
    err = one_line_error(capsys, ["generate", p, "-o", tmp_path / "k"])
    assert "JumpProcess" in err and "Scheme" in err


# ---------------------------------------------------------------- mcgen cache and bench


def test_cache_clear_of_an_unknown_backend_lists_the_known_ones(capsys):
    err = one_line_error(capsys, ["cache", "clear", "--backend", "cc"])
    assert "--backend cc" in err and "'c'" in err and "'numba'" in err


def test_bench_refuses_an_unknown_backend_before_timing_anything(capsys):
    err = one_line_error(capsys, ["bench", "--cells", "100", "--backends", "numpy,cuda"])
    assert "--backends numpy,cuda" in err and "numpy, numba, c, llvm" in err


def test_bench_times_no_kernel_build(monkeypatch, capsys):
    """The timed call must find every kernel it runs built (at 10^5 cells the upwind kernel
    runs time-blocked, and those kernels are built on their first call)."""
    from mcgen.codegen.compiled_kernel import CompiledKernel
    built_during: list[bool] = []
    blocked: list[bool] = []
    original = CompiledKernel.run

    def recording_run(self, u, nsteps, **kw):
        before = "blocked_build" in self.timings
        out = original(self, u, nsteps, **kw)
        built_during.append(before != ("blocked_build" in self.timings))
        blocked.append(self.last_call.get("time_block", 1) > 1)
        return out

    monkeypatch.setattr(CompiledKernel, "run", recording_run)
    assert main(["bench", "--cells", "100000", "--steps", "8", "--backends", "c"]) == 0
    assert "c " in capsys.readouterr().out
    assert blocked[-1], "the timed call should run the time-blocked kernel"
    assert built_during and built_during[-1] is False


# ---------------------------------------------------------------- Python API


@pytest.fixture(scope="module")
def kernel():
    return mcgen.compile(upwind(), backend="c", bc="periodic")


def test_kernel_run_names_a_misspelt_parameter(kernel):
    with pytest.raises(CodegenError, match=r"unknown keyword\(s\) \['nuu'\].*takes \['nu'\]"):
        kernel.run(np.zeros(8), 2, nuu=0.5)


def test_kernel_run_names_a_missing_parameter(kernel):
    with pytest.raises(CodegenError, match=r"needs a value for 'nu': pass nu=\.\.\.$"):
        kernel.run(np.zeros(8), 2)


@pytest.mark.parametrize("value", ["fast", np.ones(3), 1 + 2j])
def test_kernel_run_refuses_a_parameter_that_is_not_one_real_number(kernel, value):
    with pytest.raises(CodegenError, match="give a real number"):
        kernel.run(np.zeros(8), 2, nu=value)


@pytest.mark.parametrize("u", [np.array(["a"] * 8), np.zeros(8) + 1j])
def test_kernel_run_refuses_data_that_are_not_real(kernel, u):
    with pytest.raises(CodegenError, match=f"dtype {u.dtype}: give real numbers"):
        kernel.run(u, 2, nu=0.5)


def test_kernel_run_refuses_a_wrong_shape_and_wrong_field_names(kernel):
    with pytest.raises(CodegenError, match=r"shape \(4, 4\).*1-D"):
        kernel.run(np.zeros((4, 4)), 2, nu=0.5)
    with pytest.raises(CodegenError, match=r"keys \['v'\].*keyed \['u'\]"):
        kernel.run({"v": np.zeros(8)}, 2, nu=0.5)
    with pytest.raises(CodegenError, match="0 cells on axis 0: give at least one cell"):
        kernel.run(np.zeros(0), 2, nu=0.5)


def test_kernel_run_refuses_a_fractional_step_count(kernel):
    with pytest.raises(CodegenError, match="nsteps=2.5 must be a whole number"):
        kernel.run(np.zeros(8), 2.5, nu=0.5)


def test_kernel_run_accepts_exact_and_numpy_scalars(kernel):
    import sympy as sp
    u = np.eye(1, 8)[0]
    want = kernel.run(u, 1, nu=0.25)
    assert np.array_equal(kernel.run(u, np.int64(1), nu=sp.Rational(1, 4)), want)
    assert np.array_equal(kernel.run(u, 1, nu=np.float32(0.25)), want)


def sine(x):
    return np.sin(2 * np.pi * x)


def test_simulation_names_a_misspelt_parameter_and_the_closest():
    with pytest.raises(ModelError, match=r"params \['aa'\] are not parameters of upwind .*"
                                         r"did you mean 'a'.*remove them from params="):
        Simulation(upwind(), (50, (0.0, 1.0)), sine, params={"aa": 1.0}, backend="numpy")


def test_missing_parameter_in_a_model_file_says_where_to_give_it(tmp_path, capsys):
    p = write(tmp_path, UPWIND.replace('params = {"a": 1.0}', 'params = {"A": 1.0}'))
    err = one_line_error(capsys, ["run", p])
    assert "params ['A'] are not parameters" in err and "model file's params" in err
    assert "did you mean 'a'" in err


def test_simulation_refuses_a_parameter_that_is_not_a_number():
    with pytest.raises(ModelError, match=r"params\['a'\] = 'fast': give a real number"):
        Simulation(upwind(), (50, (0.0, 1.0)), sine, params={"a": "fast"}, backend="numpy")


@pytest.mark.parametrize("initial, what", [
    (lambda x: np.ones(3), r"initial\(x\) for field 'u' has shape \(3,\)"),
    (np.ones(49), r"the initial array for field 'u' has shape \(49,\)"),
    (lambda x: x + 1j, "dtype complex128: give real numbers"),
])
def test_simulation_refuses_initial_data_of_the_wrong_shape_or_kind(initial, what):
    with pytest.raises(ModelError, match=what):
        Simulation(upwind(), (50, (0.0, 1.0)), initial, params={"a": 1.0}, backend="numpy")


def test_simulation_refuses_a_grid_of_another_dimension():
    with pytest.raises(ModelError, match="grid is 2-D and upwind .* is 1-D"):
        Simulation(upwind(), ((8, 8), ((0.0, 1.0), (0.0, 1.0))), sine, params={"a": 1.0},
                   backend="numpy")


def test_simulation_without_a_stable_step_names_the_condition():
    # upwind (a > 0) with a < 0: 0 <= nu = a dt/dx <= 1 holds for no dt > 0
    with pytest.raises(StabilityError, match=r"0 <= nu <= 1.*a=-1"):
        Simulation(upwind(), (50, (0.0, 1.0)), sine, params={"a": -1.0}, backend="numpy")


def test_resume_takes_the_snapshots_params_and_refuses_another_boundary(tmp_path):
    sim = Simulation(upwind(), (50, (0.0, 1.0)), sine, params={"a": 1.0}, backend="numpy")
    sim.run(0.1)
    path = sim.save(tmp_path / "state.npz")
    again = Simulation.resume(path, upwind(), backend="numpy")
    assert again.params == {"a": 1.0} and again.t == sim.t and again.dt == sim.dt
    with pytest.raises(ModelError, match="written with boundary conditions .*Periodic.* "
                                         "but resume got .*Outflow.*: pass bc="):
        Simulation.resume(path, upwind(), bc="outflow", backend="numpy")


def test_derive_json_rechecks_in_a_fresh_process(tmp_path):
    import subprocess
    import sys
    p = write(tmp_path, UPWIND)
    out = tmp_path / "d.json"
    assert main(["derive", str(p), "--format", "json", "-o", str(out)]) == 0
    code = ("import json, sys\n"
            "from mcgen.proof.derivation import Derivation\n"
            "for e in json.load(open(sys.argv[1])):\n"
            "    print(Derivation.from_json(json.dumps(e)).recheck().status)\n")
    run = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["proved"] * 4


def test_existing_output_files_are_never_overwritten_without_force(tmp_path):
    p = write(tmp_path, UPWIND)
    keep = tmp_path / "mine.md"
    keep.write_text("the user's notes")
    assert main(["derive", str(p), "-o", str(keep)]) != 0
    assert keep.read_text() == "the user's notes"
    assert main(["derive", str(p), "-o", str(keep), "--force"]) == 0
    assert keep.read_text() != "the user's notes"
    state = tmp_path / "state.npz"
    state.write_bytes(b"precious")
    assert main(["run", str(p), "--t-end", "0.01", "--out", str(state)]) != 0
    assert state.read_bytes() == b"precious"


# ---------------------------------------------------------------- issue 10 item 5, issue 11


@pytest.mark.parametrize("option, value, what", [
    ("--dt", "inf", "--dt inf: dt = inf: give a finite number"),
    ("--dt", "nan", "--dt nan: dt = nan: give a finite number"),
    ("--dt", "0", "--dt 0.0: dt = 0: the time step must be positive"),
    ("--t-end", "nan", "--t-end nan: t_end = nan: give a finite number"),
    ("--t-end", "inf", "--t-end inf: t_end = inf: give a finite number"),
    ("--t-end", "-1", "--t-end -1.0: t_end = -1 is before the current time 0"),
])
def test_non_finite_steps_and_end_times_exit_non_zero(tmp_path, capsys, option, value, what):
    # old main: --dt inf ran zero steps and --t-end nan ran nothing, both with exit code 0
    p = write(tmp_path, UPWIND)
    assert what in one_line_error(capsys, ["run", p, option, value])


def test_a_model_files_nan_end_time_is_refused(tmp_path, capsys):
    p = write(tmp_path, UPWIND.replace("t_end = 0.1", "t_end = float('nan')"))
    assert "t_end = nan: give a finite number" in one_line_error(capsys, ["run", p])


def test_an_unsupported_out_extension_is_refused_before_the_model_runs(tmp_path, capsys):
    # the model file raises when executed: the --out error proves the check came first
    p = write(tmp_path, "raise RuntimeError('the model file was executed')\n")
    err = one_line_error(capsys, ["run", p, "--t-end", "0.1", "--out", tmp_path / "u.txt"])
    assert "--out" in err and "extension '.txt' is not one mcgen writes" in err
    assert "executed" not in err


def test_max_steps_bounds_a_run_and_names_the_count(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    err = one_line_error(capsys, ["run", p, "--dt", "0.001", "--max-steps", "10"])
    assert "takes 100 steps, more than max_steps = 10" in err and "--max-steps" in err


def test_run_out_with_force_replaces_the_file(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    state = tmp_path / "state.npz"
    state.write_bytes(b"old")
    assert main(["run", str(p), "--out", str(state), "--force", "--backend", "numpy"]) == 0
    from mcgen.run.snapshots import load_snapshot
    assert load_snapshot(state).t == pytest.approx(0.1)


def test_demo_out_an_existing_folder_is_refused_and_kept(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("the user's notes")
    err = one_line_error(capsys, ["demo", "--quick", "--out", mine])
    assert f"--out {mine}: it exists" in err and "--force" in err
    assert [f.name for f in mine.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("command", ["derive", "run"])
def test_a_non_finite_data_range_is_named(tmp_path, capsys, command):
    # old main: derive gave "TypeError: Invalid NaN comparison"
    p = write(tmp_path, UPWIND)
    err = one_line_error(capsys, [command, p, "--data-range", "nan", "1"])
    assert "--data-range nan 1.0: data_range = nan: give a finite number" in err


def test_a_grid_larger_than_memory_is_refused_before_allocating(tmp_path, capsys):
    p = write(tmp_path, UPWIND)
    err = one_line_error(capsys, ["run", p, "--cells", str(10**13)])
    assert "cells with 1 field(s) needs about" in err and "use fewer cells" in err
