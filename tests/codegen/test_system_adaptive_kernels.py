"""Adaptive system kernels (issue 14): the kernel computes the wave speeds of each step's own
data, takes dt = cfl / sum_d S_d/dx_d clipped to the final time, redoes a step smaller while a
later stage breaks the bound, and so takes the NumPy ``SystemStepper.run(cfl=...)`` dt sequence
(restarts included); ``Simulation`` runs it when it chooses dt itself."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

import numpy as np
import pytest

from mcgen.codegen.system_frontend import SystemKernel, build_system
from mcgen.errors import CodegenError, StabilityError
from mcgen.model.catalogue.euler import euler_equations, shallow_water
from mcgen.run.simulation import Simulation
from mcgen.run.system_stepper import SystemStepper

SOD = euler_equations("hllc", "minmod", "primitive", "ssprk22")


def _sod(n: int = 100, boundary: str = "outflow"):
    st = SystemStepper(SOD, n, boundary=boundary)
    return st, st.conserved(np.where(st.x < 0.5, [[1.0], [0.0], [1.0]], [[0.125], [0.0], [0.1]]))


def _reference(st, U0, t_end, cfl, unsafe=False):
    """The NumPy adaptive run, its steps, and its restarts."""
    times: list[float] = []
    U = st.run(U0, t_end, cfl=cfl, unsafe=unsafe, callback=lambda t, _: times.append(t))
    return U, np.diff([0.0, *times]), st.stats["restarts"]


def _need_cc(backend):
    if backend == "c" and shutil.which("cc") is None:
        pytest.skip("no C compiler")


@pytest.mark.parametrize(("backend", "parallel"), [("c", False), ("llvm", False), ("c", True)])
def test_sod_takes_the_numpy_dt_sequence_restarts_included(backend, parallel, tmp_path):
    _need_cc(backend)
    st, U0 = _sod()
    cfl = 0.9 * st.bound
    ref, ref_dts, ref_restarts = _reference(st, U0, 0.2, cfl)
    assert ref_restarts > 0  # later stages' speeds broke the bound: the restart path runs
    kernel = SystemKernel(SOD, backend, tmp_path, "outflow", parallel, adaptive=True)
    got = kernel.run_adaptive(U0, 0.2, cfl, st.spacing, steps_per_call=37)  # several calls
    assert kernel.stats == {"steps": len(ref_dts), "restarts": ref_restarts}
    assert np.abs(kernel.last_dts - ref_dts).max() <= 1e-14 * ref_dts.max()
    assert kernel.last_dts.sum() == pytest.approx(0.2, rel=1e-14)  # the last step clipped
    assert np.abs(got - ref).max() <= 1e-13 * np.abs(ref).max()


@pytest.mark.parametrize(("scheme", "boundary", "backend", "unsafe"), [
    (euler_equations("roe", "van_leer", "characteristic", "ssprk33"), "reflecting", "llvm",
     True),
    (shallow_water("hll", None, stepper="euler"), "periodic", "numba", False)],
    ids=["roe-unsafe-walls", "sw-first-order-numba"])
def test_other_schemes_and_boundaries(scheme, boundary, backend, unsafe, tmp_path):
    st = SystemStepper(scheme, 40, boundary=boundary)
    W = [np.where(st.x < 0.5, 2.0, 1.0), 0.3 * np.sin(2 * np.pi * st.x)]
    if scheme.system == "euler":
        W.append(np.where(st.x < 0.5, 1.0, 0.2))
    U0 = st.conserved(np.array(W))
    cfl = 0.2 if unsafe else 0.9 * st.bound
    ref, ref_dts, _ = _reference(st, U0, 0.1, cfl, unsafe)
    kernel = SystemKernel(scheme, backend, tmp_path, boundary, adaptive=True)
    got = kernel.run_adaptive(U0, 0.1, cfl, st.spacing, unsafe=unsafe)
    assert len(kernel.last_dts) == len(ref_dts)
    assert np.abs(kernel.last_dts - ref_dts).max() <= 1e-14 * ref_dts.max()
    assert np.abs(got - ref).max() <= 1e-13 * np.abs(ref).max()


def test_2d_blast_between_walls_restarts_included(tmp_path):
    e = euler_equations("hllc", "minmod", "primitive", "ssprk22", dim=2)
    st = SystemStepper(e, (16, 10), ((0.0, 1.0), (0.0, 1.0)), boundary="reflecting")
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    inside = (X - 0.4) ** 2 + (Y - 0.5) ** 2 < 0.06
    U0 = st.conserved(np.array([np.where(inside, 1.0, 0.125), 0 * X, 0 * X,
                                np.where(inside, 1.0, 0.1)]))
    ref, ref_dts, ref_restarts = _reference(st, U0, 0.1, 0.9 * st.bound)
    assert ref_restarts > 0
    kernel = SystemKernel(e, "llvm", tmp_path, "reflecting", adaptive=True)
    got = kernel.run_adaptive(U0, 0.1, 0.9 * st.bound, st.spacing)
    assert kernel.stats == {"steps": len(ref_dts), "restarts": ref_restarts}
    assert np.abs(kernel.last_dts - ref_dts).max() <= 1e-14 * ref_dts.max()
    assert np.abs(got - ref).max() <= 1e-13 * np.abs(ref).max()
    assert abs(got[0].sum() - U0[0].sum()) < 1e-12  # walls: mass is conserved


def test_the_step_control_names_no_stage_local():
    # the adaptive step's own locals (dt, t, the stage rates ...) must not be names the stage
    # programs assign: a 2-D stage names its x and y rates rate0 and rate1
    from mcgen.codegen import ir

    scheme = euler_equations("roe", "minmod", "characteristic", "ssprk33", dim=2)
    stage_locals = {s.var.name for s in ir.walk(build_system(scheme, "outflow").kernels[0].body)
                    if isinstance(s, ir.Assign)}
    step = build_system(scheme, "outflow", adaptive=True).kernels[0]
    control = {"t", "h", "ok", "bad", "nst", "restarts", "failed", "tstop", "attempt",
               "rate_s0", "rate_s1", "rate_s2"}
    assert control <= {s.var.name for s in ir.walk(step.body) if isinstance(s, ir.Assign)} | \
        {"attempt"}
    assert not control & (stage_locals | {a.name for a in step.args})


def test_the_adaptive_kernel_refuses_what_the_reference_refuses(tmp_path):
    st, U0 = _sod(40)
    kernel = SystemKernel(SOD, "llvm", tmp_path, "outflow", adaptive=True)
    with pytest.raises(StabilityError, match="breaks the proved positivity bound"):
        kernel.run_adaptive(U0, 0.01, 1.1 * st.bound, st.spacing)
    at_bound = kernel.run_adaptive(U0, 0.05, None, st.spacing)  # cfl None: the bound itself
    assert np.abs(at_bound - st.run(U0, 0.05)).max() <= 1e-13 * np.abs(U0).max()
    with pytest.raises(CodegenError, match="chooses dt itself"):
        kernel.run(U0, 3, 0.001, st.spacing)
    with pytest.raises(CodegenError, match="adaptive=True"):
        SystemKernel(SOD, "llvm", tmp_path, "outflow").run_adaptive(U0, 0.01, 0.2, st.spacing)
    step = build_system(SOD, "outflow", adaptive=True).kernels[0]
    assert [a.name for a in step.args][-9:] == ["dts", "info", "nx", "maxsteps", "t0", "t_end",
                                                "cfl", "limit", "rdx"]


def test_simulation_runs_the_adaptive_kernel():
    gamma = 1.4
    init = {"rho": lambda x: np.where(x < 0.5, 1.0, 0.125), "m": lambda x: 0 * x,
            "E": lambda x: np.where(x < 0.5, 1.0, 0.1) / (gamma - 1)}
    a = Simulation(SOD, (80, (0.0, 1.0)), init, bc="outflow", backend="numpy")
    b = Simulation(SOD, (80, (0.0, 1.0)), init, bc="outflow")  # auto
    assert a.backend_used == "numpy" and b.backend_used == "c"
    assert b.stepper.kernel.adaptive and b.stepper.cfl == a.stepper.cfl == 0.9 * 0.25
    for sim in (a, b):  # two runs: each clips its last step to its end
        sim.run(0.1)
        sim.run(0.15)
    assert b.stepper.kernel.stats["steps"] == a.stepper.ref.stats["steps"] > b.step_count
    for f in a.fields:
        assert np.abs(a.state[f] - b.state[f]).max() <= 1e-13, f


def test_exported_adaptive_kernel_compiles_and_runs(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    from mcgen.codegen.export import export_kernel

    scheme = euler_equations("hll", None, stepper="euler")
    st, U0 = SystemStepper(scheme, 30, boundary="outflow"), None
    U0 = st.conserved(np.where(st.x < 0.5, [[1.0], [0.0], [1.0]], [[0.125], [0.0], [0.1]]))
    kernel = SystemKernel(scheme, "c", tmp_path / "cache", "outflow", adaptive=True)
    want = kernel.run_adaptive(U0, 0.05, None, st.spacing)
    folder = export_kernel(kernel, tmp_path / "exp", include_object=False)
    name = kernel.module.name
    assert "the time to reach" in (folder / "README.md").read_text()
    subprocess.run([cc, "-O2", "-fPIC", "-shared", "-o", str(folder / f"lib{name}.so"),
                    str(folder / f"{name}.c"), "-lm"], check=True)
    spec = importlib.util.spec_from_file_location(f"{name}_ctypes", folder / f"{name}_ctypes.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    g, n = kernel.ghost, 30
    q = np.zeros((3, n + 2 * g))
    q[:, g:-g] = U0
    # w, L0, sl like q; f with one more plane (the wave speed of each interface)
    scratch = [np.zeros_like(q) for _ in range(3)] + [np.zeros((4, n + 2 * g))]
    dts, info = np.zeros(500), np.zeros(3)
    t = mod.step(q.reshape(-1), *[s.reshape(-1) for s in scratch], dts, info, n, 500, 0.0, 0.05,
                 st.bound, st.bound * (1 + 1e-12), 1 / st.dx)
    assert t == pytest.approx(0.05, rel=1e-14) and info[0] == len(kernel.last_dts)
    assert np.array_equal(q[:, g:-g], want)
