"""Scalar high-resolution kernels on the non-periodic boundaries of their NumPy references
(issue 14): outflow and constant Dirichlet (inflow) sides, their ghost cells each condition's
own rule lowered by the stencil kernels' fill (mcgen.codegen.boundary_fill); every backend gives
the reference's numbers, ``Simulation(backend="auto")`` takes the kernel, and the exported C
compiles and runs."""

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
from mcgen.errors import CodegenError, ModelError
from mcgen.model import scalar_law
from mcgen.model.boundary import Dirichlet, Outflow
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.run.highres_nd_stepper import HighResNDStepper
from mcgen.run.highres_stepper import HighResStepper
from mcgen.run.simulation import Simulation

u = sp.Symbol("u")
MUSCL2 = muscl(scalar_law(u, u), "minmod", "godunov", "ssprk22", data_range=(0, 1))
N = 40
# a bump that reaches both ends, so the ghost cells matter on both sides within a few steps
U0 = 0.5 + 0.45 * np.cos(2 * np.pi * (np.arange(N) + 0.5) / N + 0.3)
INFLOW = (Dirichlet(0.9), Outflow())  # an inflow state on the left, outflow on the right
BOUNDARIES = {"outflow": "outflow", "inflow": INFLOW}


def _need_cc(backend: str) -> None:
    if backend == "c" and shutil.which("cc") is None:
        pytest.skip("no C compiler")


def _reference(scheme, boundary, lam, steps, unsafe=False):
    st = HighResStepper(scheme, N, boundary=boundary)
    return st.run(U0, steps * lam * st.dx, dt=lam * st.dx, unsafe=unsafe)


@pytest.mark.parametrize("backend", ["c", "llvm", "numba"])
@pytest.mark.parametrize("kind", ["outflow", "inflow"])  # periodic: test_highres_frontend.py
def test_every_boundary_on_every_backend_matches_the_reference(kind, backend, tmp_path):
    _need_cc(backend)
    boundary = BOUNDARIES[kind]
    kernel = HighResKernel(MUSCL2, backend, tmp_path, boundary=boundary)
    got = kernel.run(U0, 20, 0.6)
    ref = _reference(MUSCL2, boundary, 0.6, 20)
    assert np.abs(got - ref).max() <= 1e-13
    assert np.abs(got - U0).max() > 0.1  # the data moved
    # mass enters and leaves: not the periodic run
    assert abs(got.sum() - U0.sum()) > 1e-2
    assert np.abs(got - _reference(MUSCL2, "periodic", 0.6, 20)).max() > 1e-2
    if kind == "inflow":  # the inflow state has entered the first cells
        assert np.abs(got[:5] - 0.9).max() < 1e-3
        assert "x: low Dirichlet 0.9 (inflow), high outflow" in kernel.boundary_text
    else:
        assert "outflow on every side" in kernel.boundary_text


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
    inflow = build_highres(MUSCL2, boundary=INFLOW)
    assert inflow.name != build_highres(MUSCL2, boundary=(Dirichlet(0.8), Outflow())).name
    with pytest.raises(CodegenError, match="'periodic', 'outflow' or Dirichlet.*zero flux"):
        build_highres(MUSCL2, boundary="reflecting")
    with pytest.raises(CodegenError, match="'periodic', 'outflow' or Dirichlet"):
        mc_compile(MUSCL2, backend="llvm", bc="absorbing")
    with pytest.raises(CodegenError, match="constant real inflow value"):
        build_highres(MUSCL2, boundary=Dirichlet(sp.Symbol("t")))
    kernel = HighResKernel(MUSCL2, "llvm", boundary=(Dirichlet(1.5), Outflow()))
    with pytest.raises(ModelError, match="inflow values included"):
        kernel.run(U0, 1, 0.5)  # 1.5 leaves the data range (0, 1) of the proved bound


@pytest.mark.parametrize("boundary", ["outflow", [INFLOW, "periodic"]], ids=["outflow", "mixed"])
def test_2d_kernel_matches_the_reference(boundary, tmp_path):
    axes = [MUSCL2, flux_limited(scalar_law(u, -u / 2), "superbee", "ssprk22", data_range=(0, 1))]
    n = (12, 9)
    kernel = HighResNDKernel(axes, "llvm", tmp_path, boundary=boundary)
    st = HighResNDStepper(axes, n, [(0.0, 1.0), (0.0, 1.0)], boundary)
    u0 = np.random.default_rng(1).random(n)
    st.prepare(u0)
    dt = 0.9 / sum(m / c for m, c in zip(n, kernel.bounds, strict=True))
    ref = u0.copy()
    for _ in range(8):
        ref = st.step(ref, dt)
    got = kernel.run(u0, 8, [dt * n[0], dt * n[1]])
    assert np.abs(got - ref).max() <= 1e-14 and np.abs(got - u0).max() > 0.1
    assert ("outflow on every side" if boundary == "outflow" else
            "x: low Dirichlet 0.9 (inflow), high outflow; y: low periodic") in kernel.boundary_text


@pytest.mark.parametrize(("backend", "bc"), [("auto", "outflow"), ("llvm", [INFLOW])])
def test_simulation_runs_the_outflow_and_inflow_kernels(backend, bc):
    def bump(x):
        return 0.5 + 0.45 * np.cos(2 * np.pi * x + 0.3)

    sim = Simulation(MUSCL2, (N, (0.0, 1.0)), bump, bc=bc, backend=backend)
    ref = Simulation(MUSCL2, (N, (0.0, 1.0)), bump, bc=bc, backend="numpy")
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
    assert "outflow on every side" in (folder / "README.md").read_text()
    assert "outflow on every side" in (folder / f"{name}.h").read_text()
    subprocess.run([cc, "-O2", "-fPIC", "-shared", "-o", str(folder / f"lib{name}.so"),
                    str(folder / f"{name}.c"), "-lm"], check=True)
    spec = importlib.util.spec_from_file_location(f"{name}_ctypes", folder / f"{name}_ctypes.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    g = kernel.ghost
    arrays = [np.zeros(N + 2 * g) for _ in range(2)]  # u, w0: SSPRK(2,2) as a Shu-Osher chain
    arrays[0][g:-g] = U0
    mod.step(*arrays, N, 20, 0.6)
    assert np.abs(arrays[0][g:-g] - kernel.run(U0, 20, 0.6)).max() == 0.0
