"""The C backend: C99 source and header from the IR, built with the system compiler; systems,
time-dependent boundaries, 3-D grids and OpenMP threads agree with the oracle."""

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import KernelConfig, compile
from mcgen.codegen.backends.c_backend import render_c
from mcgen.codegen.stencil_frontend import build_stencil
from mcgen.model import Dirichlet, Field, Scheme
from mcgen.model.boundary import DirichletSeries
from mcgen.model.symbols import dt, x
from mcgen.run.numpy_stepper import oracle_run

CFG = KernelConfig(cache_dir=Path(tempfile.gettempdir()) / "mcgen-test-cache")
t = sp.Symbol("t", nonnegative=True)
u, p, q = Field("u"), Field("p"), Field("q")
nu, c = sp.Symbol("nu"), sp.Symbol("c")
UPWIND = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="upwind")
# a 1-D system (Lax-Friedrichs for the wave equation p_t + c q_x = 0, q_t + c p_x = 0) with a
# variable-coefficient source and a nonlinear conservative coupling
WAVE = Scheme(("p", "q"), 1, {
    "p": (p[-1] + p[1]) / 2 - c * (q[1] - q[-1]) / 2 + dt * sp.sin(x) * p[0],
    "q": (q[-1] + q[1]) / 2 - c * (p[1] - p[-1]) / 2 - c * (p[0] * q[0] - p[-1] * q[-1])},
    name="wave_system")


def test_system_with_variable_coefficients_and_time_dependent_dirichlet():
    bc = [(Dirichlet(sp.sin(3 * t)), DirichletSeries("right_values"))]
    k = compile(WAVE, backend="c", bc=bc, config=CFG, unsafe=True)
    rng = np.random.default_rng(0)
    state = {"p": rng.random(17), "q": rng.random(17)}
    kw = dict(c=0.4, dx=0.1, x0=0.05, right_values=np.linspace(0, 1, 6))
    out = k.run(state, 6, dt=0.03, t0=0.2, **kw)
    ref = oracle_run(WAVE, state, 6, bc=k.config.bc, dt=0.03, t0=0.2, **kw)
    for f in ("p", "q"):
        assert np.abs(out[f] - ref[f]).max() < 1e-14
    assert k.layout.scratch == ("flux0",)  # the product flux p*q, once per interface


def test_three_dimensional_grid_with_mixed_boundaries():
    w = Field("w", 3)
    a = sp.Symbol("a")
    s = Scheme(("w",), 3, {"w": w[0, 0, 0] + a * (w[1, 0, 0] + w[0, -2, 0] + w[0, 0, 1]
                                                  - 3 * w[0, 0, 0])
                           + a * (w[1, 1, 1] * w[0, 0, 0] - w[0, 0, 0] * w[-1, -1, -1])})
    k = compile(s, backend="c", bc=["outflow", "reflecting", (Dirichlet(2), "absorbing")],
                config=CFG, unsafe=True)
    w0 = np.random.default_rng(1).random((4, 5, 6))
    ref = oracle_run(s, w0, 3, bc=k.config.bc, a=0.1)
    assert np.abs(k.run(w0, 3, a=0.1) - ref).max() < 1e-14


def test_openmp_threads_give_the_serial_bits_with_one_region_for_all_steps():
    cfg = KernelConfig(cache_dir=CFG.cache_dir, parallel_threshold=100)
    k = compile(WAVE, backend="c", threads=2, bc="outflow", config=cfg, unsafe=True)
    src = k.source("c").split("wave_system_par(")[1]
    # one parallel region around the step loop; sweeps work-shared; ghost fill on one thread
    assert src.count("#pragma omp parallel firstprivate(cur, nxt)") == 1
    assert src.count("#pragma omp for schedule(static)") == 2
    assert "#pragma omp single" in src
    rng = np.random.default_rng(2)
    state = {"p": rng.random(1000), "q": rng.random(1000)}
    kw = dict(c=0.4, dx=0.1, x0=0.0, dt=0.01)
    serial, threaded = k.run(state, 7, threads=1, **kw), k.run(state, 7, **kw)
    assert all(np.array_equal(serial[f], threaded[f]) for f in ("p", "q"))


def test_source_uses_restrict_and_compiles_against_its_header(tmp_path):
    module = build_stencil(UPWIND, CFG).module
    src = render_c(module)
    assert "double *restrict cur" in src.header and "double *restrict nxt" in src.source
    (tmp_path / "upwind.c").write_text(src.source)
    (tmp_path / "upwind.h").write_text(src.header)
    (tmp_path / "main.c").write_text(
        '#include <stdio.h>\n#include "upwind.h"\n'
        "int main(void) { double a[12] = {0}, b[12] = {0}; a[3] = 1.0;\n"
        "  upwind(a, b, 10, 1, 0.0, 0.0, 0.25); printf(\"%.17g %.17g\\n\", b[3], b[4]);"
        " return 0; }\n")
    subprocess.run(["cc", "-std=c99", "-Wall", "-Werror", "-O2", "-o", "prog", "main.c",
                    "upwind.c", "-lm"], cwd=tmp_path, check=True, capture_output=True)
    out = subprocess.run(["./prog"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert [float(v) for v in out.stdout.split()] == [0.75, 0.25]


def test_compiler_errors_are_reported_with_the_command():
    bad = KernelConfig(cache_dir=CFG.cache_dir, cflags=("-O3", "-fPIC", "-shared",
                                                        "--no-such-flag"))
    from mcgen.errors import CodegenError
    with pytest.raises(CodegenError, match="C compiler failed"):
        compile(UPWIND, backend="c", config=bad, unsafe=True)


def test_kernel_exports_a_folder_whose_c_source_is_the_printed_one(tmp_path):
    k = compile(UPWIND, backend="c", config=CFG, unsafe=True)
    folder = Path(k.export(tmp_path / "upwind", include_object=False))
    c_files = list(folder.glob("*.c"))
    assert len(c_files) == 1 and c_files[0].read_text() == k.source("c")


def test_passes_can_be_switched_off_without_changing_the_numbers():
    from dataclasses import replace
    plain = replace(CFG, interface_scratch=False, cse=False)
    k_opt = compile(WAVE, backend="c", bc="outflow", config=CFG, unsafe=True)
    k_plain = compile(WAVE, backend="c", bc="outflow", config=plain, unsafe=True)
    assert k_plain.layout.scratch == () and "cse" not in k_plain.source("c")
    rng = np.random.default_rng(5)
    state = {"p": rng.random(30), "q": rng.random(30)}
    kw = dict(c=0.4, dx=0.1, x0=0.0, dt=0.01)
    a, b = k_opt.run(state, 4, **kw), k_plain.run(state, 4, **kw)
    assert all(np.abs(a[f] - b[f]).max() < 1e-14 for f in ("p", "q"))
