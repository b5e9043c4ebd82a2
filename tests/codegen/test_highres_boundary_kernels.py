"""Scalar high-resolution kernels on the non-periodic boundaries of their NumPy references
(issue 14): the outflow ghost cells are the boundary condition's own rule lowered by the
stencil kernels' fill (mcgen.codegen.boundary_fill), every backend gives the reference's
numbers, ``Simulation(backend="auto")`` takes the kernel, and the exported C compiles and runs."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile as mc_compile
from mcgen.codegen.highres_frontend import HighResKernel, build_highres
from mcgen.codegen.highres_nd_frontend import HighResNDKernel
from mcgen.errors import CodegenError
from mcgen.model import scalar_law
from mcgen.model.boundary import Outflow
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.run.highres_nd_stepper import HighResNDStepper
from mcgen.run.highres_stepper import HighResStepper
from mcgen.run.simulation import Simulation

u = sp.Symbol("u")
MUSCL2 = muscl(scalar_law(u, u), "minmod", "godunov", "ssprk22", data_range=(0, 1))
N = 40
# a bump that reaches both ends, so the ghost cells matter on both sides within a few steps
U0 = 0.5 + 0.45 * np.cos(2 * np.pi * (np.arange(N) + 0.5) / N + 0.3)


def _need_cc(backend: str) -> None:
    if backend == "c" and shutil.which("cc") is None:
        pytest.skip("no C compiler")


def _reference(scheme, boundary, lam, steps, unsafe=False):
    st = HighResStepper(scheme, N, boundary=boundary)
    return st.run(U0, steps * lam * st.dx, dt=lam * st.dx, unsafe=unsafe)


@pytest.mark.parametrize("backend", ["c", "llvm", "numba"])
@pytest.mark.parametrize("boundary", ["periodic", "outflow"])
def test_every_boundary_on_every_backend_matches_the_reference(boundary, backend, tmp_path):
    _need_cc(backend)
    kernel = HighResKernel(MUSCL2, backend, tmp_path, boundary=boundary)
    assert kernel.boundary == boundary and boundary in kernel.boundary_text
    got = kernel.run(U0, 20, 0.6)
    ref = _reference(MUSCL2, boundary, 0.6, 20)
    assert np.abs(got - ref).max() <= 1e-13
    assert np.abs(got - U0).max() > 0.1  # the data moved
    if boundary == "outflow":  # the inflow side holds its value, mass leaves at the right
        assert abs(got.sum() - U0.sum()) > 1e-2
        assert np.abs(got - _reference(MUSCL2, "periodic", 0.6, 20)).max() > 1e-2


@pytest.mark.parametrize("scheme", [
    flux_limited(scalar_law(u, u**2 / 2), "superbee", "ssprk33", data_range=(0, 1)),
    muscl(scalar_law(u, -u), "mc", "godunov", "euler", data_range=(0, 1)),
    weno5(scalar_law(u, u**2 / 2), data_range=(0, 1))], ids=["fl-burgers", "muscl-left", "weno5"])
def test_outflow_for_every_reconstruction(scheme, tmp_path):
    unsafe = scheme.reconstruction == "weno5"
    kernel = HighResKernel(scheme, "llvm", tmp_path, boundary="outflow")
    assert kernel.module.name.endswith("_o")  # its own cache entry, apart from the periodic one
    got = kernel.run(U0, 15, 0.4, unsafe=unsafe)
    assert np.abs(got - _reference(scheme, "outflow", 0.4, 15, unsafe)).max() <= 1e-13


def test_the_fill_is_the_boundary_conditions_own_rule():
    from mcgen.codegen import ir

    step = build_highres(MUSCL2, boundary="outflow").kernels[0]
    notes = [s.text for s in ir.walk(step.body) if isinstance(s, ir.Comment)]
    assert "ghost cells, axis 0, low side: Outflow" in notes
    assert "ghost cells, axis 0, high side: Outflow" in notes
    assert build_highres(MUSCL2, boundary=Outflow()) == build_highres(MUSCL2, boundary="outflow")
    with pytest.raises(CodegenError, match="'periodic', 'outflow'.*NumPy reference"):
        build_highres(MUSCL2, boundary="reflecting")
    with pytest.raises(CodegenError, match="'periodic', 'outflow'"):
        mc_compile(MUSCL2, backend="llvm", bc="dirichlet")


def test_2d_outflow_kernel_matches_the_reference(tmp_path):
    axes = [MUSCL2, flux_limited(scalar_law(u, -u / 2), "superbee", "ssprk22", data_range=(0, 1))]
    n = (12, 9)
    kernel = HighResNDKernel(axes, "llvm", tmp_path, boundary="outflow")
    st = HighResNDStepper(axes, n, [(0.0, 1.0), (0.0, 1.0)], "outflow")
    u0 = np.random.default_rng(1).random(n)
    st.prepare(u0)
    dt = 0.9 / sum(m / c for m, c in zip(n, kernel.bounds, strict=True))
    ref = u0.copy()
    for _ in range(8):
        ref = st.step(ref, dt)
    got = kernel.run(u0, 8, [dt * n[0], dt * n[1]])
    assert np.abs(got - ref).max() <= 1e-14
    assert "outflow" in kernel.boundary_text


@pytest.mark.parametrize("backend", ["auto", "llvm"])
def test_simulation_runs_the_outflow_kernel(backend):
    def bump(x):
        return 0.5 + 0.45 * np.cos(2 * np.pi * x + 0.3)

    sim = Simulation(MUSCL2, (N, (0.0, 1.0)), bump, bc="outflow", backend=backend)
    ref = Simulation(MUSCL2, (N, (0.0, 1.0)), bump, bc="outflow", backend="numpy")
    assert sim.backend_used == ("c" if backend == "auto" else backend)
    sim.run(0.3)
    ref.run(0.3)
    assert np.abs(sim.u - ref.u).max() <= 1e-13


def test_exported_outflow_kernel_compiles_and_runs(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    from mcgen.codegen.export import export_kernel

    kernel = mc_compile(MUSCL2, backend="c", bc="outflow")
    folder = export_kernel(kernel, tmp_path / "exp", include_object=False)
    name = kernel.module.name
    assert "outflow (zero gradient)" in (folder / "README.md").read_text()
    assert "outflow (zero gradient)" in (folder / f"{name}.h").read_text()
    subprocess.run([cc, "-O2", "-fPIC", "-shared", "-o", str(folder / f"lib{name}.so"),
                    str(folder / f"{name}.c"), "-lm"], check=True)
    spec = importlib.util.spec_from_file_location(f"{name}_ctypes", folder / f"{name}_ctypes.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    g = kernel.ghost
    arrays = [np.zeros(N + 2 * g) for _ in range(2 + MUSCL2.stepper.stages)]
    arrays[0][g:-g] = U0
    mod.step(*arrays, N, 20, 0.6)
    assert np.abs(arrays[0][g:-g] - kernel.run(U0, 20, 0.6)).max() == 0.0
