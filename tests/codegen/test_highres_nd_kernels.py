"""Scalar high-resolution kernels in 2-D and 3-D, dimension by dimension (issue 14 item 4): one
1-D scheme per axis, Runge-Kutta stage buffers in the IR, periodic; the same numbers as the NumPy
reference HighResNDStepper on every backend, threads, export, and the maximum principle at the
enforced bound sum_d lam_d / c_d <= 1."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import ir
from mcgen.codegen.highres_nd_frontend import HighResNDKernel, build_highres_nd
from mcgen.errors import CodegenError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.run.highres_nd_stepper import HighResNDStepper

U = sp.Symbol("u")
AXES = (muscl(scalar_law(U, U), "minmod", "godunov", "ssprk22", data_range=(0, 1)),
        muscl(scalar_law(U, U**2 / 2), "mc", "godunov", "ssprk22", data_range=(0, 1)),
        flux_limited(scalar_law(U, -U / 2), "superbee", "ssprk22", data_range=(0, 1)))
SIZES = (10, 9, 8)


def _compare(dim, backend, tmp_path, parallel=False, steps=5):
    if backend == "c" and shutil.which("cc") is None:
        pytest.skip("no C compiler")
    axes, n = AXES[:dim], SIZES[:dim]
    st = HighResNDStepper(axes, n, [(0.0, 1.0)] * dim)
    u0 = np.random.default_rng(dim).random(n)
    st.prepare(u0)
    kernel = HighResNDKernel(axes, backend, tmp_path, parallel)
    dt = 0.9 / sum(m / c for m, c in zip(n, kernel.bounds, strict=True))
    ref = u0.copy()
    for _ in range(steps):
        ref = st.step(ref, dt)
    got = kernel.run(u0, steps, [dt * m for m in n])
    assert np.abs(got - ref).max() <= 1e-14
    assert np.abs(got - u0).max() > 1e-2
    return kernel, u0, got, dt


@pytest.mark.parametrize(("dim", "backend"), [(2, "llvm"), (3, "llvm"), (3, "c"),
                                              (2, "numba")])
def test_kernels_match_the_reference(dim, backend, tmp_path):
    _compare(dim, backend, tmp_path)


def test_threaded_3d_kernel_equals_the_serial_one(tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    kernel, u0, got, dt = _compare(3, "c", tmp_path, parallel=True)
    serial = HighResNDKernel(AXES, "c", tmp_path).run(u0, 5, [dt * m for m in SIZES])
    assert np.array_equal(got, serial)


def test_maximum_principle_at_the_enforced_bound(tmp_path):
    # a 2-D square wave at sum_d lam_d/c_d = 1: no new extrema (data stay in [0, 1])
    n = (32, 32)
    kernel = HighResNDKernel(AXES[:2], "llvm", tmp_path)
    x = (np.arange(32) + 0.5) / 32
    u0 = np.where((np.abs(x[:, None] - 0.4) < 0.2) & (np.abs(x[None, :] - 0.6) < 0.25), 1.0,
                  0.0)
    dt = 1 / sum(m / c for m, c in zip(n, kernel.bounds, strict=True))
    u = kernel.run(u0, 60, [dt * m for m in n])
    assert u.min() >= -1e-14 and u.max() <= 1 + 1e-14
    assert abs(u.sum() - u0.sum()) < 1e-10  # conservative
    with pytest.raises(StabilityError, match="proved 1-D bound"):
        kernel.run(u0, 1, [1.01 * dt * m for m in n])
    with pytest.raises(Exception, match="data_range"):
        kernel.run(u0 + 0.5, 1, [dt * m for m in n])


def test_bad_axis_schemes_are_refused():
    with pytest.raises(CodegenError, match="2 .2-D. or 3"):
        build_highres_nd(AXES[:1])
    with pytest.raises(CodegenError, match="one Runge-Kutta stepper"):
        build_highres_nd((AXES[0], muscl(scalar_law(U, U), "minmod", "godunov", "euler",
                                         data_range=(0, 1))))


def test_export_round_trip(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    from mcgen.codegen.export import export_kernel

    kernel, u0, got, dt = _compare(2, "llvm", tmp_path)
    folder = export_kernel(kernel, tmp_path / "exp", include_object=False)
    name = kernel.module.name
    readme = (folder / "README.md").read_text()
    assert "periodic on every side" in readme
    assert "the interior cells along axis 1 (at least 2)" in readme  # argument meanings
    subprocess.run([cc, "-O2", "-fPIC", "-shared", "-o", str(folder / f"lib{name}.so"),
                    str(folder / f"{name}.c"), "-lm"], check=True)
    spec = importlib.util.spec_from_file_location(f"{name}_ctypes", folder / f"{name}_ctypes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    g = kernel.ghost
    u = np.zeros((9 + 2 * g, 10 + 2 * g))
    u[g:-g, g:-g] = u0.T
    bufs = [np.zeros_like(u)]  # SSPRK(2,2) is a two-register chain: one scratch w0
    mod.step(u.reshape(-1), *[b.reshape(-1) for b in bufs], 10, 9, 5, dt * 10, dt * 9)
    assert np.abs(u[g:-g, g:-g].T - got).max() <= 1e-14
    assert os.path.exists(folder / "manifest.json")


def test_hand_c_baseline_computes_the_reference(tmp_path):
    """bench/hand_highres3d.c (the baseline of bench/system_kernels.py) is the same scheme."""
    import ctypes
    from pathlib import Path

    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler")
    src = Path(__file__).resolve().parents[2] / "bench" / "hand_highres3d.c"
    lib = tmp_path / "h3.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", str(src), "-o", str(lib), "-lm"], check=True)
    fn = ctypes.CDLL(str(lib)).muscl3d_minmod_ssprk2
    axes = [AXES[0]] * 3
    n, steps = (8, 9, 10), 4
    st = HighResNDStepper(axes, n, [(0.0, 1.0)] * 3)
    u0 = np.random.default_rng(1).random(n)
    st.prepare(u0)
    dt = 0.2 / sum(n)
    ref = u0.copy()
    for _ in range(steps):
        ref = st.step(ref, dt)
    u = np.zeros((n[2] + 4, n[1] + 4, n[0] + 4))
    u[2:-2, 2:-2, 2:-2] = u0.T
    s1, s2 = np.zeros_like(u), np.zeros_like(u)
    D = ctypes.POINTER(ctypes.c_double)
    fn(u.ctypes.data_as(D), s1.ctypes.data_as(D), s2.ctypes.data_as(D),
       *[ctypes.c_long(m) for m in n],
       ctypes.c_long(steps), *[ctypes.c_double(dt * m) for m in n])
    assert np.abs(u[2:-2, 2:-2, 2:-2].T - ref).max() <= 1e-13


@pytest.mark.parametrize(("stepper", "scratch"), [("ssprk33", 2), ("ssprk104", 11),
                                                  ("euler", 2)])
def test_every_stepper_form_matches_the_reference(stepper, scratch, tmp_path):
    # SSPRK(3,3) runs as a two-register Shu-Osher chain (scratch w0, w1), SSPRK(10,4) and
    # forward Euler with stored stage derivatives (w, L0..): the same numbers as the reference
    axes = (muscl(scalar_law(U, U), "minmod", "godunov", stepper, data_range=(0, 1)),
            flux_limited(scalar_law(U, -U / 2), "superbee", stepper, data_range=(0, 1)))
    n = (10, 9)
    st = HighResNDStepper(axes, n, [(0.0, 1.0)] * 2)
    u0 = np.random.default_rng(7).random(n)
    st.prepare(u0)
    kernel = HighResNDKernel(axes, "llvm", tmp_path)
    assert sum(a.array for a in kernel.module.kernels[0].args) - 1 == scratch
    dt = 0.9 / sum(m / c for m, c in zip(n, kernel.bounds, strict=True))
    ref = u0.copy()
    for _ in range(4):
        ref = st.step(ref, dt)
    got = kernel.run(u0, 4, [dt * m for m in n])
    assert np.abs(got - ref).max() <= 1e-14 and np.abs(got - u0).max() > 1e-2


def test_kept_scratch_arrays_give_the_same_run_again(tmp_path):
    kernel, u0, got, dt = _compare(2, "llvm", tmp_path)
    lams = [dt * m for m in SIZES[:2]]
    assert np.array_equal(kernel.run(u0, 5, lams), got)
    kernel.run(u0[:6, :7], 5, [dt * 6, dt * 7])
    assert np.array_equal(kernel.run(u0, 5, lams), got)


def _passes(kernel, arrays):
    """The loop nests of one step that store exactly ``arrays``."""
    def stores(stmt):
        if isinstance(stmt, ir.For):
            return set().union(*[stores(s) for s in stmt.body])
        return {stmt.array} if isinstance(stmt, ir.Store) else set()
    (outer,) = [x for x in kernel.module.kernels[0].body if isinstance(x, ir.For)]
    return [x for x in outer.body if isinstance(x, ir.For) and stores(x) == set(arrays)]


@pytest.mark.parametrize(("fluxes", "stepper", "backend"), [
    ((U, U / 2), "ssprk33", "c"),                  # linear: faces read u, no split pass
    ((U**2 / 2, U**2 / 2), "ssprk33", "c"),        # one split pass for both axes
    ((U**2 / 2, U**2 / 4, U), "ssprk22", "llvm"),  # 3-D, two splittings: a pass per axis
    ((U**2 / 2, U), "rk4", "llvm")])               # stage buffers
def test_weno5_kernels_share_the_1d_face_passes_and_match_the_reference(fluxes, stepper,
                                                                         backend, tmp_path):
    if backend == "c" and shutil.which("cc") is None:
        pytest.skip("no C compiler")
    axes = [weno5(scalar_law(U, f), stepper=stepper, data_range=(0, 1)) for f in fluxes]
    dim, n = len(axes), SIZES[:len(axes)]
    kernel = HighResNDKernel(axes, backend, tmp_path)
    stages = axes[0].stepper.stages
    # each stage: one face pass per axis into f<d> (F_(c+1/2) once), the cell pass differences
    for d in range(dim):
        assert len(_passes(kernel, [f"f{d}"])) == stages
    nonlinear = [d for d, f in enumerate(fluxes) if sp.diff(f, U, 2) != 0]
    alike = len({fluxes[d] for d in nonlinear}) == 1
    splits = 0 if not nonlinear else 1 if alike else len(nonlinear)
    assert len(_passes(kernel, ["fp", "fm"])) == splits * stages
    assert ("fp" in [a.name for a in kernel.module.kernels[0].args]) == bool(nonlinear)
    u0 = 0.5 + 0.4 * np.random.default_rng(dim).random(n)
    st = HighResNDStepper(axes, n, [(0.0, 1.0)] * dim)
    st.prepare(u0)
    dt = 0.3 * st.spacing[0]
    lams = [dt / h for h in st.spacing]
    with pytest.raises(StabilityError, match="WENO5 has no proved bound"):
        kernel.run(u0, 1, lams)
    ref = u0.copy()
    for _ in range(3):
        ref = st.step(ref, dt)
    got = kernel.run(u0, 3, lams, unsafe=True)
    assert np.abs(got - ref).max() <= 1e-13
    assert np.abs(got - u0).max() > 1e-2
