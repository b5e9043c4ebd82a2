"""The hand-written C baselines of bench/hand_systems.c compute the scheme mcgen's NumPy
reference computes (so bench/system_kernels.py compares like with like): 1-D Euler
MUSCL-minmod (primitive) HLLC SSPRK(2,2) and 2-D shallow water MUSCL-minmod HLL SSPRK(2,2),
with the Zhang-Shu scaling, agree to rounding, and return the stage rate the kernels return."""

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from system_kernel_cases import low_pressure_spike

from mcgen.model.catalogue.euler import euler_equations, shallow_water
from mcgen.run.system_stepper import SystemStepper

SRC = Path(__file__).resolve().parents[2] / "bench" / "hand_systems.c"
D = ctypes.POINTER(ctypes.c_double)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler")
    out = tmp_path_factory.mktemp("hand") / "hand_systems.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", str(SRC), "-o", str(out), "-lm"],
                   check=True)
    lib = ctypes.CDLL(str(out))
    lib.euler1d_muscl_hllc_ssprk2.restype = ctypes.c_double
    lib.sw2d_muscl_hll_ssprk2.restype = ctypes.c_double
    return lib


def test_euler1d_muscl_hllc_ssprk2_matches_the_reference(lib):
    n, steps, dt = 40, 12, 0.002
    st = SystemStepper(euler_equations("hllc", "minmod", "primitive", "ssprk22"), n,
                       boundary="periodic")
    U0 = low_pressure_spike(st)
    ref = st.run(U0, steps * dt, dt=dt, unsafe=True)
    bufs = [np.zeros((3, n + 4)) for _ in range(4)]
    bufs[0][:, 2:-2] = U0
    rate = lib.euler1d_muscl_hllc_ssprk2(*[b.ctypes.data_as(D) for b in bufs],
                                         ctypes.c_long(n), ctypes.c_long(steps),
                                         ctypes.c_double(dt / st.dx))
    assert np.abs(bufs[0][:, 2:-2] - ref).max() <= 1e-12 * np.abs(ref).max()
    assert rate == pytest.approx(dt * st.rhs(U0)[1], rel=0.2)


def test_sw2d_muscl_hll_ssprk2_matches_the_reference(lib):
    nx, ny, steps, dt = 12, 10, 8, 0.004
    st = SystemStepper(shallow_water("hll", "minmod", "primitive", "ssprk22", dim=2), (nx, ny),
                       ((0.0, 1.0), (0.0, 1.0)), boundary="periodic")
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    rng = np.random.default_rng(4)
    U0 = st.conserved(np.array([1 + 0.5 * rng.random(X.shape), 0.4 * np.sin(2 * np.pi * Y),
                                0.3 * np.cos(2 * np.pi * X)]))
    ref = st.run(U0, steps * dt, dt=dt, unsafe=True)
    bufs = [np.zeros((3, ny + 4, nx + 4)) for _ in range(5)]
    bufs[0][:, 2:-2, 2:-2] = U0.transpose(0, 2, 1)
    lib.sw2d_muscl_hll_ssprk2(*[b.ctypes.data_as(D) for b in bufs], ctypes.c_long(nx),
                              ctypes.c_long(ny), ctypes.c_long(steps),
                              ctypes.c_double(dt / st.spacing[0]),
                              ctypes.c_double(dt / st.spacing[1]))
    assert np.abs(bufs[0][:, 2:-2, 2:-2].transpose(0, 2, 1) - ref).max() <= 1e-12
