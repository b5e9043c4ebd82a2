"""The hand-written C baselines of bench/hand_euler2d.c and bench/hand_weno5.c compute the schemes
mcgen's NumPy references compute (so bench/hand_c_extra.py compares like with like): 2-D Euler
MUSCL-minmod (primitive) HLLC SSPRK(2,2) with the Zhang-Shu scaling acting, and WENO5
(Lax-Friedrichs splitting) SSPRK(3,3) for advection and Burgers in 1-D, 2-D and 3-D (dimension by
dimension), agree to rounding."""

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from system_kernel_cases import scaling_changes

from mcgen.model import scalar_law
from mcgen.model.catalogue.euler import euler_equations
from mcgen.model.catalogue.highres import weno5
from mcgen.run.highres_nd_stepper import HighResNDStepper
from mcgen.run.highres_stepper import HighResStepper
from mcgen.run.system_stepper import SystemStepper

BENCH = Path(__file__).resolve().parents[2] / "bench"
D = ctypes.POINTER(ctypes.c_double)


def _build(tmp_path_factory, name):
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler")
    out = tmp_path_factory.mktemp("hand") / f"{name}.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", str(BENCH / f"{name}.c"), "-o", str(out),
                    "-lm"], check=True)
    return ctypes.CDLL(str(out))


@pytest.fixture(scope="module")
def euler2d(tmp_path_factory):
    lib = _build(tmp_path_factory, "hand_euler2d")
    lib.euler2d_muscl_hllc_ssprk2.restype = ctypes.c_double
    return lib


@pytest.fixture(scope="module")
def weno(tmp_path_factory):
    return _build(tmp_path_factory, "hand_weno5")


def _low_pressure_spikes(st):
    """2-D Euler data on which the Zhang-Shu pressure scaling acts in both sweeps (velocity
    spikes inside a low-pressure block; checked with a spy on the reference's scaling)."""
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    rng = np.random.default_rng(6)
    p = 1 + 0.3 * rng.random(X.shape)
    p[4:9, 3:8] = 1e-6
    u = 0.4 * np.sin(2 * np.pi * Y)
    v = 0.3 * np.cos(2 * np.pi * X)
    u[6, 5] += 2.0
    v[6, 5] -= 2.0
    U0 = st.conserved(np.array([1 + 0.5 * rng.random(X.shape), u, v, p]))
    assert min(scaling_changes(st, U0)) > 0.1  # both directions
    return U0


def test_euler2d_muscl_hllc_ssprk2_matches_the_reference(euler2d):
    nx, ny, steps, dt = 14, 12, 6, 0.001
    st = SystemStepper(euler_equations("hllc", "minmod", "primitive", "ssprk22", dim=2),
                       (nx, ny), ((0.0, 1.0), (0.0, 1.0)), boundary="periodic")
    U0 = _low_pressure_spikes(st)
    ref = st.run(U0, steps * dt, dt=dt, unsafe=True)
    bufs = [np.zeros((4, ny + 4, nx + 4)) for _ in range(5)]
    bufs[0][:, 2:-2, 2:-2] = U0.transpose(0, 2, 1)
    rate = euler2d.euler2d_muscl_hllc_ssprk2(*[b.ctypes.data_as(D) for b in bufs],
                                             ctypes.c_long(nx), ctypes.c_long(ny),
                                             ctypes.c_long(steps),
                                             ctypes.c_double(dt / st.spacing[0]),
                                             ctypes.c_double(dt / st.spacing[1]))
    out = bufs[0][:, 2:-2, 2:-2].transpose(0, 2, 1)
    assert np.abs(out - ref).max() <= 1e-12 * np.abs(ref).max()
    assert rate >= dt * st.rhs(U0)[1] * (1 - 1e-12)  # the first stage's rate is among them


@pytest.mark.parametrize("burgers", [False, True], ids=["advection", "burgers"])
def test_weno5_ssprk3_matches_the_reference(weno, burgers):
    u = sp.Symbol("u")
    s = weno5(scalar_law(u, u**2 / 2 if burgers else u), data_range=(-1, 1))
    n, steps, lam = 50, 12, 0.4
    rng = np.random.default_rng(8)
    u0 = np.sin(2 * np.pi * (np.arange(n) + 0.5) / n) * (0.5 + 0.5 * rng.random(n))
    st = HighResStepper(s, n)
    ref = st.run(u0, steps * lam * st.dx, dt=lam * st.dx, unsafe=True)
    bufs = [np.zeros(n + 6) for _ in range(5 if burgers else 3)]
    bufs[0][3:-3] = u0
    args = [*[b.ctypes.data_as(D) for b in bufs], ctypes.c_long(n), ctypes.c_long(steps),
            ctypes.c_double(lam)]
    if burgers:  # alpha = max |u| on the data range (-1, 1)
        weno.weno5_burgers_ssprk3(*args, ctypes.c_double(1.0))
    else:
        weno.weno5_advection_ssprk3(*args)
    assert np.abs(bufs[0][3:-3] - ref).max() < 1e-13


@pytest.mark.parametrize("burgers", [False, True], ids=["advection", "burgers"])
def test_weno5_2d_ssprk3_matches_the_reference(weno, burgers):
    u = sp.Symbol("u")
    s = weno5(scalar_law(u, u**2 / 2 if burgers else u), data_range=(-1, 1))
    n, steps = (12, 10), 6
    rng = np.random.default_rng(9)
    u0 = 0.9 * rng.random(n) - 0.45
    st = HighResNDStepper([s, s], n, [(0.0, 1.0), (0.0, 1.0)])
    st.prepare(u0)
    dt = 0.2 * st.spacing[0]
    ref = u0
    for _ in range(steps):
        ref = st.step(ref, dt)
    shape = (n[1] + 6, n[0] + 6)  # x fastest
    bufs = [np.zeros(shape) for _ in range(6 if burgers else 4)]
    bufs[0][3:-3, 3:-3] = u0.T
    args = [*[b.ctypes.data_as(D) for b in bufs], ctypes.c_long(n[0]), ctypes.c_long(n[1]),
            ctypes.c_long(steps), *[ctypes.c_double(dt / h) for h in st.spacing]]
    if burgers:  # alpha = max |u| on the data range (-1, 1)
        weno.weno5_2d_burgers_ssprk3(*args, ctypes.c_double(1.0))
    else:
        weno.weno5_2d_advection_ssprk3(*args)
    assert np.abs(bufs[0][3:-3, 3:-3].T - ref).max() < 1e-13
    assert np.abs(ref - u0).max() > 1e-2


@pytest.mark.parametrize("burgers", [False, True], ids=["advection", "burgers"])
def test_weno5_3d_ssprk3_matches_the_reference(weno, burgers):
    u = sp.Symbol("u")
    s = weno5(scalar_law(u, u**2 / 2 if burgers else u), data_range=(-1, 1))
    n, steps = (10, 9, 8), 4
    rng = np.random.default_rng(10)
    u0 = 0.9 * rng.random(n) - 0.45
    st = HighResNDStepper([s, s, s], n, [(0.0, 1.0), (0.0, 2.0), (0.0, 1.5)])
    st.prepare(u0)
    dt = 0.15 * min(st.spacing)
    ref = u0
    for _ in range(steps):
        ref = st.step(ref, dt)
    shape = (n[2] + 6, n[1] + 6, n[0] + 6)  # x fastest
    bufs = [np.zeros(shape) for _ in range(7 if burgers else 5)]
    bufs[0][3:-3, 3:-3, 3:-3] = u0.T
    args = [*[b.ctypes.data_as(D) for b in bufs], *[ctypes.c_long(m) for m in n],
            ctypes.c_long(steps), *[ctypes.c_double(dt / h) for h in st.spacing]]
    if burgers:  # alpha = max |u| on the data range (-1, 1)
        weno.weno5_3d_burgers_ssprk3(*args, ctypes.c_double(1.0))
    else:
        weno.weno5_3d_advection_ssprk3(*args)
    assert np.abs(bufs[0][3:-3, 3:-3, 3:-3].T - ref).max() < 1e-13
    assert np.abs(ref - u0).max() > 1e-2
