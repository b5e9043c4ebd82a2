"""Issue 10 item 5 and issue 11 (resources, clear errors): every number a run is given is
checked where it enters, with the number in the message, before anything is allocated,
compiled or stepped. On the old main these gave raw TypeErrors, ran zero steps for dt = inf,
ran nothing for t_end = nan, started 10^299 steps, or crashed half-way for lack of memory."""

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen.config import MAX_THREADS_PER_CPU, KernelConfig
from mcgen.errors import CodegenError, ModelError
from mcgen.model import Field, Scheme
from mcgen.model.catalogue.linear import upwind
from mcgen.run import Grid, Simulation, inputs


def sine(x):
    return np.sin(2 * np.pi * x)


def sim(**kw):
    kw.setdefault("params", {"a": 1.0})
    return Simulation(upwind(), (50, (0.0, 1.0)), sine, backend="numpy", **kw)


@pytest.mark.parametrize("params, what", [
    ({"a": float("nan")}, r"params\['a'\] = nan: give a finite number"),
    ({"a": float("inf")}, r"params\['a'\] = inf: give a finite number"),
    ({"a": "1.0"}, r"params\['a'\] = '1.0': give a real number"),
    ({"a": [1.0]}, r"params\['a'\] = \[1.0\]: give a real number"),
    ([1.0], r"params = \[1.0\] is a list: give a dict"),
    ({"a": 1.0, "speed": 2.0}, r"params \['speed'\] are not parameters of upwind.*remove them"),
])
def test_bad_params_are_named(params, what):
    with pytest.raises(ModelError, match=what):
        sim(params=params)


@pytest.mark.parametrize("dt, what", [
    (float("inf"), "dt = inf: give a finite number"),
    (float("nan"), "dt = nan: give a finite number"),
    (0.0, "dt = 0: the time step must be positive"),
    (-0.01, "dt = -0.01: the time step must be positive"),
])
def test_a_non_finite_or_non_positive_step_is_refused_even_when_unsafe(dt, what):
    with pytest.raises(ModelError, match=what):
        sim(dt=dt, unsafe=True)


@pytest.mark.parametrize("t_end, what", [
    (float("nan"), "t_end = nan: give a finite number"),
    (float("inf"), "t_end = inf: give a finite number"),
    (-1.0, "t_end = -1 is before the current time 0"),
])
def test_run_to_a_non_finite_or_past_time_is_refused(t_end, what):
    s = sim()
    with pytest.raises(ModelError, match=what):
        s.run(t_end)
    assert s.t == 0.0 and s.step_count == 0


def test_a_tiny_step_is_refused_with_the_step_count_and_the_override():
    s = sim(dt=1e-300)
    with pytest.raises(ModelError, match=r"takes 1e\+299 steps, more than max_steps = "
                                         r"1000000000: give a larger dt, or raise the limit "
                                         r"\(run\(t_end, max_steps=\.\.\.\)"):
        s.run(0.1)
    s = sim(dt=0.001)
    with pytest.raises(ModelError, match="takes 100 steps, more than max_steps = 50"):
        s.run(0.1, max_steps=50)
    assert s.run(0.1, max_steps=100).steps == 100


@pytest.mark.parametrize("grid, what", [
    ((50.5, (0.0, 1.0)), "grid cells = 50.5: give a whole number of cells"),
    ((0, (0.0, 1.0)), "grid cells = 0"),
    ((50, (0.0, float("inf"))), "grid bound = inf: give a finite number"),
    ((50, (0.0, float("nan"))), "grid bound = nan"),
])
def test_bad_grids_are_named(grid, what):
    with pytest.raises(ModelError, match=what):
        Grid.uniform(*grid)


def test_a_grid_that_does_not_fit_in_memory_is_refused_before_allocating(monkeypatch):
    monkeypatch.setattr(inputs, "available_memory", lambda: 2**30)
    with pytest.raises(ModelError, match=r"a grid of 100000000 = 1e\+08 cells with 1 field\(s\) "
                                         r"needs about 3\.73 GiB .* 1 GiB available: use fewer"):
        Simulation(upwind(), (10**8, (0.0, 1.0)), 0.0, params={"a": 1.0}, backend="numpy")


def test_a_real_oversized_grid_is_refused_not_a_numpy_memory_error():
    with pytest.raises(ModelError, match="needs about .* GiB"):
        Simulation(upwind(), (10**14, (0.0, 1.0)), 0.0, params={"a": 1.0}, backend="numpy")


def test_more_threads_than_the_machine_can_use_are_refused(monkeypatch):
    import os
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert KernelConfig(threads=2 * MAX_THREADS_PER_CPU).validated(1).threads == 8
    with pytest.raises(CodegenError, match=r"threads=9 is more than 4 per CPU of this machine "
                                           r"\(2 CPUs, at most 8\): give at most 2"):
        KernelConfig(threads=9).validated(1)
    with pytest.raises(CodegenError, match="threads=10000 is more than"):
        KernelConfig(threads=10000).validated(1)


def test_a_parameter_named_nsteps_reaches_the_compiled_kernel():
    from mcgen.codegen import compile as compile_kernel
    u = Field("u")
    c = sp.Symbol("nsteps", positive=True)  # a user's name that is also run()'s argument
    k = compile_kernel(Scheme(("u",), 1, {"u": u[0] - c * (u[0] - u[-1])}), backend="c",
                       unsafe=True)
    u0 = np.arange(8.0)
    assert np.array_equal(k.run(u0, 3, nsteps=1.0), np.roll(u0, 3))


@pytest.mark.parametrize("kw, what", [
    ({"t": float("nan")}, "t = nan: give a finite number"),
    ({"replicas": 0}, "replicas = 0: give a whole number"),
    ({"sites_per_unit": 10**9, "replicas": 10**6}, "needs about .* GiB"),
])
def test_monte_carlo_profiles_check_their_sizes_before_compiling(kw, what):
    from mcgen.model.catalogue.particles import tasep
    from mcgen.run.montecarlo import particle_profile
    args = {"t": 0.1, **kw}
    with pytest.raises(ModelError, match=what):
        particle_profile(tasep(), lambda x: 0.5 + 0 * x, (0.0, 1.0), **args,
                         simulator=object())  # never reached: checked before any kernel


@pytest.mark.parametrize("rng, what", [
    ((0.0, float("nan")), "data_range = nan: give a finite number"),
    ((0.0,), r"data_range = \(0.0,\): give two numbers"),
])
def test_a_data_range_of_non_finite_numbers_is_refused(rng, what):
    with pytest.raises(ModelError, match=what):
        sim(data_range=rng)
