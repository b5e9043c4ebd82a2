"""Generated Euler and shallow-water kernels (issue 14 item 4): MUSCL in conserved, primitive or
characteristic variables with the Zhang-Shu scaling, HLL/HLLC/Roe fluxes, Runge-Kutta stages
inside one call, periodic / outflow / reflecting boundaries, 1-D and 2-D, each compared with the
NumPy reference stepper (mcgen.run.system_stepper) on small grids, on every backend; threads,
export, and the proved positivity bound checked on every stage the kernel ran."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess

import numpy as np
import pytest
from system_kernel_cases import case, low_pressure_spike

from mcgen.codegen.system_frontend import SystemKernel, build_system
from mcgen.codegen.system_programs import POSITIVITY_EPS
from mcgen.errors import CodegenError, StabilityError
from mcgen.model.catalogue.euler import euler_equations, shallow_water
from mcgen.run.system_stepper import SystemStepper

DT = 0.002
STEPS = 4


def _agree(scheme, boundary, backend, tmp_path, n, parallel=False):
    if backend == "c" and shutil.which("cc") is None:
        pytest.skip("no C compiler")
    st, U0 = case(scheme, boundary, n)
    unsafe = scheme.flux == "roe"
    ref = st.run(U0, STEPS * DT, dt=DT, unsafe=unsafe)
    kernel = SystemKernel(scheme, backend, tmp_path, boundary, parallel)
    got = kernel.run(U0, STEPS, DT, st.spacing, unsafe=unsafe)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-13 * np.abs(ref).max()
    assert np.abs(got - U0).max() > 1e-3  # the data moved
    return kernel, st, U0, got


# every flux, every variable set, every boundary, both systems and dimensions (LLVM: the
# backend with no compiler to install); C and numba below on a 1-D and a 2-D case each
MATRIX = [
    ("euler", 1, "hllc", "minmod", "primitive", "periodic", "ssprk22"),
    ("euler", 1, "roe", "van_leer", "characteristic", "reflecting", "ssprk33"),
    ("euler", 1, "hll", None, "conserved", "outflow", "euler"),
    ("shallow_water", 1, "hllc", "mc", "conserved", "outflow", "ssprk33"),
    ("shallow_water", 1, "roe", "minmod", "characteristic", "periodic", "ssprk22"),
    ("shallow_water", 2, "hll", "minmod", "primitive", "periodic", "ssprk22"),
    ("shallow_water", 2, "hllc", "superbee", "characteristic", "reflecting", "ssprk22"),
    ("euler", 2, "hllc", "minmod", "characteristic", "outflow", "ssprk22"),
    ("euler", 2, "roe", None, "primitive", "reflecting", "euler"),
]


def _scheme(system, dim, flux, limiter, variables, stepper):
    make = euler_equations if system == "euler" else shallow_water
    return make(flux, limiter, variables, stepper=stepper, dim=dim)


@pytest.mark.parametrize(("system", "dim", "flux", "limiter", "variables", "boundary",
                          "stepper"), MATRIX)
def test_llvm_kernels_match_the_reference(system, dim, flux, limiter, variables, boundary,
                                          stepper, tmp_path):
    scheme = _scheme(system, dim, flux, limiter, variables, stepper)
    _agree(scheme, boundary, "llvm", tmp_path, 20 if dim == 1 else (9, 7))


@pytest.mark.parametrize("backend", ["c", "numba"])
@pytest.mark.parametrize(("system", "dim", "flux", "boundary"), [
    ("euler", 1, "hllc", "outflow"), ("shallow_water", 2, "hll", "periodic")])
def test_c_and_numba_kernels_match_the_reference(backend, system, dim, flux, boundary,
                                                 tmp_path):
    if backend == "numba" and dim == 2 and not os.environ.get("MCGEN_SLOW"):
        pytest.skip("numba takes ~10 s to compile a 2-D system kernel: MCGEN_SLOW=1")
    scheme = _scheme(system, dim, flux, "minmod", "primitive", "ssprk22")
    _agree(scheme, boundary, backend, tmp_path, 20 if dim == 1 else (9, 7))


def test_threaded_c_kernel_equals_the_serial_one(tmp_path, monkeypatch):
    # each interface is computed by one thread and the speed maximum is reduced serially:
    # the threaded result is the serial one, bit for bit
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    scheme = _scheme("shallow_water", 2, "hllc", "minmod", "primitive", "ssprk22")
    kernel, st, U0, got = _agree(scheme, "outflow", "c", tmp_path, (12, 10), parallel=True)
    assert "omp parallel" in (tmp_path / "c").glob("*.c").__next__().read_text()
    one = SystemKernel(scheme, "c", tmp_path, "outflow")
    assert np.array_equal(got, one.run(U0, STEPS, DT, st.spacing))
    assert kernel.last_rate == one.last_rate > 0  # the serial reduction of the speeds
    # the rate is the reference's largest dt sum_d S_d/dx_d (first stage: the data's)
    assert one.last_rate >= DT * st.rhs(U0)[1] * (1 - 1e-12)


def test_roe_entropy_fix_on_transonic_data(tmp_path):
    # u - c changes sign (u = 1 + sin/2, c = sqrt(g h) = 1): the Harten-Hyman fix acts
    from dataclasses import replace

    runs = []
    for fix in (True, False):
        scheme = replace(_scheme("shallow_water", 1, "roe", "minmod", "conserved", "ssprk22"),
                         entropy_fix=fix)
        st = SystemStepper(scheme, 24, boundary="periodic")
        U0 = st.conserved(np.array([np.ones(24), 1 + 0.5 * np.sin(2 * np.pi * st.x)]))
        ref = st.run(U0, STEPS * DT, dt=DT, unsafe=True)
        got = SystemKernel(scheme, "llvm", tmp_path).run(U0, STEPS, DT, st.spacing,
                                                          unsafe=True)
        assert np.abs(got - ref).max() <= 1e-13
        runs.append(ref)
    assert np.abs(runs[0] - runs[1]).max() > 1e-9  # the fix acted (far above rounding)


def test_the_positivity_bound_is_checked_on_every_stage(tmp_path):
    scheme = _scheme("euler", 1, "hllc", "minmod", "primitive", "ssprk22")
    st, U0 = case(scheme, "periodic", 24)
    kernel = SystemKernel(scheme, "llvm", tmp_path)
    # the bound is 1/4 (MUSCL halves the first-order 1/2; SSPRK(2,2) has coefficient 1)
    assert kernel.bound == pytest.approx(0.25)
    with pytest.raises(StabilityError, match="proved positivity bound"):
        kernel.run(U0, 2, 10 * DT, st.spacing)
    kernel.run(U0, 2, 10 * DT, st.spacing, unsafe=True)  # refused only without unsafe
    roe = SystemKernel(_scheme("euler", 1, "roe", None, "primitive", "euler"), "llvm",
                       tmp_path)
    with pytest.raises(StabilityError, match="Roe"):
        roe.run(U0, 1, DT, st.spacing)


@pytest.mark.parametrize("dim", [1, 2])
def test_the_returned_rate_is_the_references(dim, tmp_path):
    # one forward-Euler step: the kernel's dt sum_d S_d/dx_d is the reference's rate of the data
    scheme = _scheme("shallow_water", dim, "hllc", "minmod", "primitive", "euler")
    st, U0 = case(scheme, "reflecting", 16 if dim == 1 else (8, 6))
    kernel = SystemKernel(scheme, "llvm", tmp_path, "reflecting")
    kernel.run(U0, 1, DT, st.spacing)
    assert kernel.last_rate == pytest.approx(DT * st.rhs(U0)[1], rel=1e-13)


def test_an_inadmissible_result_is_reported(tmp_path):
    scheme = _scheme("euler", 1, "roe", None, "primitive", "euler")
    st = SystemStepper(scheme, 32, (0.0, 1.0), boundary="outflow")
    # the 1-2-3 problem (two strong rarefactions): Roe's linearisation gives negative density
    U0 = st.conserved(np.array([np.ones(32), np.where(st.x < 0.5, -2.0, 2.0),
                                0.4 * np.ones(32)]))
    kernel = SystemKernel(scheme, "llvm", tmp_path, "outflow")
    with pytest.raises(StabilityError, match="inadmissible"):
        kernel.run(U0, 200, 0.5 * st.dx / 4, st.spacing, unsafe=True)


@pytest.mark.parametrize("boundary", ["periodic", "outflow"])
def test_the_zhang_shu_scaling_in_the_kernel(boundary, tmp_path):
    scheme = _scheme("euler", 1, "hllc", "minmod", "primitive", "ssprk22")
    st = SystemStepper(scheme, 40, boundary=boundary)
    U0 = low_pressure_spike(st)
    ref = st.run(U0, 12 * DT, dt=DT, unsafe=True)
    got = SystemKernel(scheme, "llvm", tmp_path, boundary).run(U0, 12, DT, st.spacing,
                                                               unsafe=True)
    assert np.abs(got - ref).max() <= 1e-12 * np.abs(ref).max()


def test_the_kernel_floor_is_the_reference_floor():
    st = SystemStepper(euler_equations(), 16)
    assert POSITIVITY_EPS == st.eps


def test_bad_requests_are_refused():
    with pytest.raises(CodegenError, match="boundary='wall'"):
        build_system(euler_equations(), "wall")
    with pytest.raises(CodegenError, match="SystemScheme"):
        build_system("euler")  # type: ignore[arg-type]


def test_export_round_trip_without_mcgen(tmp_path):
    """The exported C source, built into a library and called through the exported ctypes
    loader, gives the kernel's numbers."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    from mcgen.codegen.export import export_kernel

    scheme = _scheme("euler", 1, "hllc", "minmod", "primitive", "ssprk22")
    kernel, st, U0, got = _agree(scheme, "periodic", "llvm", tmp_path, 20)
    folder = export_kernel(kernel, tmp_path / "exp", include_object=False)
    name = kernel.module.name
    readme = (folder / "README.md").read_text()
    assert "lam * S <= 1/4" in readme  # the enforced condition travels with the kernel
    assert "| `lx` |" in readme and "dt/dx |" in readme
    assert "periodic on every side" in readme
    subprocess.run([cc, "-O2", "-fPIC", "-shared", "-o", str(folder / f"lib{name}.so"),
                    str(folder / f"{name}.c"), "-lm"], check=True)
    spec = importlib.util.spec_from_file_location(f"{name}_ctypes",
                                                  folder / f"{name}_ctypes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    n, g = U0.shape[1], 2
    q = np.zeros((3, n + 2 * g))
    q[:, g:-g] = U0
    # w, L0, L1, sl like q; f with one more plane (the wave speed of each interface)
    bufs = [np.zeros_like(q) for _ in range(4)] + [np.zeros((4, n + 2 * g))]
    rate = mod.step(q.reshape(-1), *[b.reshape(-1) for b in bufs], n, STEPS,
                    DT / st.spacing[0])
    assert np.abs(q[:, g:-g] - got).max() <= 1e-13
    assert 0 < rate <= kernel.bound


def test_simulation_and_compile_dispatch_to_the_system_kernel():
    from mcgen.codegen import compile as compile_kernel
    from mcgen.run.simulation import Simulation

    e = euler_equations("hllc", "minmod", "primitive", "ssprk22")
    sod = {"rho": lambda x: np.where(x < 0.5, 1.0, 0.125), "m": lambda x: 0 * x,
           "E": lambda x: np.where(x < 0.5, 1.0, 0.1) / 0.4}
    a = Simulation(e, (40, (0.0, 1.0)), sod, bc="outflow", backend="numpy", dt=0.003)
    b = Simulation(e, (40, (0.0, 1.0)), sod, bc="outflow", backend="llvm", dt=0.003)
    assert b.backend_used == "llvm" and a.backend_used == "numpy"
    a.run(0.06)
    b.run(0.06)
    for f in a.fields:
        assert np.max(np.abs(a.state[f] - b.state[f])) < 1e-13, f
    k = compile_kernel(shallow_water("hll", "minmod", dim=2), backend="llvm", bc="reflecting",
                       threads=2)
    assert isinstance(k, SystemKernel) and k.boundary == "reflecting" and k.parallel
    with pytest.raises(CodegenError, match="bc='dirichlet'"):
        compile_kernel(e, backend="llvm", bc="dirichlet")


def test_kept_scratch_arrays_give_the_same_run_again(tmp_path):
    # run keeps its arrays between runs of one shape: a second run, and a run after one on
    # another shape, equal a fresh kernel's
    scheme = shallow_water("hll", "minmod", "primitive", "ssprk22", dim=2)
    kernel, st, U0, got = _agree(scheme, "outflow", "llvm", tmp_path, (7, 6))
    assert np.array_equal(kernel.run(U0, STEPS, DT, st.spacing), got)
    st2, V0 = case(scheme, "outflow", (5, 8))
    kernel.run(V0, STEPS, DT, st2.spacing)
    assert np.array_equal(kernel.run(U0, STEPS, DT, st.spacing), got)


def test_exported_system_kernel_header_states_the_enforced_bound(tmp_path):
    """The exported C header said "enforced condition: none" for system kernels (their module
    carried no condition); it states the positivity-preserving bound run() enforces."""
    from mcgen.codegen import compile as compile_kernel
    from mcgen.codegen.export import export_kernel
    from mcgen.model.catalogue.euler import euler_equations

    k = compile_kernel(euler_equations("hll"), backend="c", bc="outflow")
    out = export_kernel(k, tmp_path / "exp")
    header = next(out.glob("*.h")).read_text()
    assert "enforced condition: positivity-preserving CFL" in header
    assert "enforced condition: none" not in header
