"""Generated kernels for high-resolution schemes with Runge-Kutta stage buffers in the IR
(issue 14 item 4): every backend gives the NumPy reference's numbers and refuses a mesh ratio
outside the proved TVD condition."""

import shutil

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import ir
from mcgen.codegen.highres_frontend import HighResKernel, build_highres
from mcgen.errors import ModelError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.run.highres_stepper import HighResStepper

u = sp.Symbol("u")
MUSCL2 = muscl(scalar_law(u, u), "minmod", "godunov", "ssprk22", data_range=(0, 1))


@pytest.mark.parametrize(("stepper", "scratch"), [
    ("ssprk104", ["w", *[f"L{i}" for i in range(10)]]),  # stage buffers
    ("ssprk33", ["w0", "w1"]),  # a two-register Shu-Osher chain: one fused pass per stage
    ("ssprk22", ["w0"])])
def test_ir_holds_the_stages_and_all_steps_in_one_call(stepper, scratch):
    k = build_highres(flux_limited(scalar_law(u, u**2 / 2), "mc", stepper,
                                   data_range=(-1, 1))).kernels[0]
    names = [a.name for a in k.args]
    assert names == ["u", *scratch, "n", "nsteps", "lam"]
    (outer,) = k.body
    assert isinstance(outer, ir.For) and outer.stop == ir.Var("nsteps", "i64")
    stored = {s.array for s in ir.walk(outer.body) if isinstance(s, ir.Store)}
    assert stored == {"u", *scratch}
    sweeps = [s for s in outer.body if isinstance(s, ir.For) and s.var.name == "c"]
    assert len(sweeps) == (2 * 10 if stepper == "ssprk104" else int(stepper[5]))


def _reference(scheme, u0, lam, steps):
    st = HighResStepper(scheme, len(u0))
    return st.run(u0, steps * lam * st.dx, dt=lam * st.dx)


@pytest.mark.parametrize("backend", ["c", "llvm", "numba"])
def test_muscl_minmod_ssprk2_on_every_backend(backend, tmp_path):
    if backend == "c" and shutil.which("cc") is None:
        pytest.skip("no C compiler")
    u0 = np.random.default_rng(11).random(50)
    kernel = HighResKernel(MUSCL2, backend, tmp_path)
    lam = float(kernel.condition.expr.rhs)
    assert lam == pytest.approx(2 / 3)
    out = kernel.run(u0, 12, lam)
    assert np.abs(out - _reference(MUSCL2, u0, lam, 12)).max() < 1e-13
    with pytest.raises(StabilityError, match="TVD CFL"):
        kernel.run(u0, 1, 1.01 * lam)
    with pytest.raises(ModelError, match="data_range"):
        kernel.run(u0 + 1.0, 1, lam)


def test_flux_limited_burgers_ssprk3(tmp_path):
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    s = flux_limited(scalar_law(u, u**2 / 2), "superbee", "ssprk33", data_range=(-1, 1))
    u0 = np.sin(2 * np.pi * (np.arange(40) + 0.5) / 40)
    kernel = HighResKernel(s, "c", tmp_path)
    lam = float(kernel.condition.expr.rhs)
    assert np.abs(kernel.run(u0, 15, lam) - _reference(s, u0, lam, 15)).max() < 1e-13


@pytest.mark.parametrize(("flux", "stepper"), [(u, "ssprk33"), (u**2 / 2, "ssprk33"),
                                               (u**2 / 2, "rk4")])
def test_weno5_kernel_matches_the_reference_and_needs_unsafe(flux, stepper):
    s = weno5(scalar_law(u, flux), stepper=stepper, data_range=(-1, 1))
    k = HighResKernel(s, "llvm")
    # each stage: a face loop stores F_(c+1/2) once in scratch f, the cell loop differences it
    kern = k.module.kernels[0]
    assert "f" in [a.name for a in kern.args]
    (outer,) = kern.body
    face_loops = [x for x in outer.body if isinstance(x, ir.For) and x.var.name == "c"
                  and any(isinstance(st, ir.Store) and st.array == "f" for st in x.body)]
    assert len(face_loops) == s.stepper.stages
    # a nonlinear flux: a cell pass first stores f+(u_c), f-(u_c) (ten reads per face)
    split_loops = [x for x in outer.body if isinstance(x, ir.For)
                   and {st.array for st in x.body if isinstance(st, ir.Store)} == {"fp", "fm"}]
    assert len(split_loops) == (s.stepper.stages if flux != u else 0)
    n = 64
    u0 = np.sin(2 * np.pi * (np.arange(n) + 0.5) / n)
    with pytest.raises(StabilityError, match="WENO5 has no proved bound"):
        k.run(u0, 1, 0.4)
    st = HighResStepper(s, n)
    ref = st.run(u0, 10 * 0.4 * st.dx, dt=0.4 * st.dx, unsafe=True)
    assert np.abs(k.run(u0, 10, 0.4, unsafe=True) - ref).max() < 1e-13


def test_threaded_kernel_and_export(tmp_path):
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    from mcgen.codegen.export import export_kernel

    u0 = np.random.default_rng(4).random(3000)
    serial = HighResKernel(MUSCL2, "c", tmp_path / "a").run(u0, 5, 0.6)
    threaded = HighResKernel(MUSCL2, "c", tmp_path / "b", parallel=True)
    assert ir.has_parallel_loop(threaded.module.kernels[0].body)
    assert np.array_equal(threaded.run(u0, 5, 0.6), serial)  # cells are independent per stage
    folder = export_kernel(threaded, tmp_path / "export", include_object=False)
    names = {p.suffix for p in folder.iterdir()}
    assert {".c", ".h", ".py"} <= names
    assert "TVD CFL" in (folder / "README.md").read_text()


def test_a_second_kernel_of_the_same_scheme_is_a_verified_cache_hit(tmp_path, monkeypatch):
    # issue 14: each HighResKernel compiled into a fresh temporary folder, outside the kernel
    # cache and its integrity checks; now the C library is a cache entry with its sha256
    # sidecar, and the second construction compiles nothing
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    import subprocess

    from mcgen.codegen import cache
    from mcgen.codegen.backends import c_backend

    monkeypatch.setenv("MCGEN_CACHE_DIR", str(tmp_path))
    u0 = np.random.default_rng(3).random(30)
    first = HighResKernel(MUSCL2, "c")
    (so,) = (tmp_path / "c").glob(f"{first.module.name}_*.so")
    assert cache.read_entry(so) is not None  # verified: owner, mode and recorded sha256

    def no_compiler(cmd, *a, **k):
        if "-o" in cmd:
            raise AssertionError(f"compiled again: {' '.join(map(str, cmd))}")
        return subprocess.run(cmd, *a, **k)
    monkeypatch.setattr(c_backend.subprocess, "run", no_compiler)
    second = HighResKernel(MUSCL2, "c")
    assert np.array_equal(second.run(u0, 5, 0.5), first.run(u0, 5, 0.5))


def test_export_checks_every_call_and_states_the_enforced_bound(tmp_path):
    # issue 14: the exported high-resolution kernel had no call contract (a short array with a
    # large n wrote outside it) and its header said "enforced condition: none"
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    import importlib
    import sys

    from mcgen.codegen import compile
    from mcgen.codegen.call_checks import KernelArgumentError
    from mcgen.codegen.export import export_kernel

    kernel = compile(MUSCL2, backend="c")
    folder = export_kernel(kernel, tmp_path / "out", include_object=False)
    name = kernel.module.name
    header = (folder / f"{name}.h").read_text()
    assert "enforced condition: TVD CFL: lam <= 2/3" in header
    assert "u: array of at least n + 4 double values" in header  # ghost width 2 each side
    assert "lam <= 2/3" in (folder / "README.md").read_text()
    short = [np.zeros(10) for _ in range(2)]  # u, w0 (SSPRK(2,2) is a Shu-Osher chain)
    with pytest.raises(KernelArgumentError, match="'u' has 10 elements.*n \\+ 4"):
        kernel._fn(*short, np.int64(1000), np.int64(1), 0.5)
    with pytest.raises(KernelArgumentError, match="n >= 2"):
        kernel._fn(*short, np.int64(1), np.int64(1), 0.5)
    sys.path.insert(0, str(folder))
    try:
        exported = importlib.import_module(name)
        # the standalone module's own KernelArgumentError (a ValueError; no mcgen needed)
        with pytest.raises(exported.KernelArgumentError, match="'u' has 10 elements"):
            exported.step(*short, np.int64(1000), np.int64(1), 0.5)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(name, None)
