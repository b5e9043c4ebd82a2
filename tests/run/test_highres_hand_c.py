"""mcgen's NumPy reference steppers against independent hand-written C (bench/hand_highres.c):
MUSCL-minmod-SSPRK(2,2) for advection and a 2-D Euler HLLC step agree to rounding."""

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mcgen.model import scalar_law
from mcgen.model.catalogue.euler import euler_equations
from mcgen.model.catalogue.highres import muscl
from mcgen.run.highres_stepper import HighResStepper
from mcgen.run.system_stepper import SystemStepper

SRC = Path(__file__).resolve().parents[2] / "bench" / "hand_highres.c"
D = ctypes.POINTER(ctypes.c_double)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    out = tmp_path_factory.mktemp("hand") / "hand_highres.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", str(SRC), "-o", str(out), "-lm"],
                   check=True)
    return ctypes.CDLL(str(out))


def _ptr(a):
    return a.ctypes.data_as(D)


def test_muscl_minmod_ssprk2_matches_hand_c(lib):
    n, steps, nu = 64, 20, 0.6
    rng = np.random.default_rng(7)
    u0 = rng.random(n)
    u = sp.Symbol("u")
    st = HighResStepper(muscl(scalar_law(u, u), "minmod", "godunov", "ssprk22"), n,
                        data_range=(0, 1))
    ours = st.run(u0, steps * nu * st.dx, dt=nu * st.dx)
    buf, stage, face = np.zeros(n + 4), np.zeros(n + 4), np.zeros(n + 4)
    buf[2:-2] = u0
    lib.muscl_minmod_ssprk2(_ptr(buf), _ptr(stage), _ptr(face), ctypes.c_long(n),
                            ctypes.c_long(steps), ctypes.c_double(nu))
    assert np.abs(ours - buf[2:-2]).max() < 1e-13


def test_euler2d_hllc_matches_hand_c(lib):
    nx, ny, steps, dt = 24, 16, 10, 0.004
    st = SystemStepper(euler_equations("hllc", None, stepper="euler", dim=2), (nx, ny),
                       ((0.0, 1.0), (0.0, 1.0)), boundary="periodic")
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    rng = np.random.default_rng(3)
    W = np.array([1 + 0.5 * rng.random(X.shape), np.sin(2 * np.pi * Y), 0.5 * np.cos(
        2 * np.pi * X), 1 + 0.3 * rng.random(X.shape)])
    U0 = st.conserved(W)
    ours = st.run(U0, steps * dt, dt=dt, unsafe=True)
    q = np.zeros((4, ny + 2, nx + 2))
    q[:, 1:-1, 1:-1] = U0.transpose(0, 2, 1)
    out = np.zeros_like(q)
    lib.euler2d_hllc(_ptr(q), _ptr(out), ctypes.c_long(nx), ctypes.c_long(ny),
                     ctypes.c_long(steps), ctypes.c_double(dt / st.spacing[0]),
                     ctypes.c_double(dt / st.spacing[1]))
    assert np.abs(ours - q[:, 1:-1, 1:-1].transpose(0, 2, 1)).max() < 1e-12
