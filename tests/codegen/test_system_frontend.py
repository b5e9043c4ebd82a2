"""Generated 2-D Euler kernels (first-order HLL/HLLC, Runge-Kutta stage buffers in the IR; the
general system kernels are tested in test_system_kernels.py):
the NumPy reference's numbers (LLVM here; C and numba in bench/highres_kernels.py), and the
positivity bound checked on every stage the kernel ran (issue 14 item 4)."""

import shutil

import numpy as np
import pytest

from mcgen.codegen.system_frontend import Euler2DKernel, SystemKernel, build_euler2d, build_system
from mcgen.errors import CodegenError, StabilityError
from mcgen.model.catalogue.euler import euler_equations
from mcgen.run.system_stepper import SystemStepper


def _case(scheme):
    st = SystemStepper(scheme, (20, 12), ((0.0, 1.0), (0.0, 1.0)), boundary="periodic")
    X, Y = np.meshgrid(*st.axes, indexing="ij")
    rng = np.random.default_rng(3)
    W = np.array([1 + 0.5 * rng.random(X.shape), np.sin(2 * np.pi * Y),
                  0.5 * np.cos(2 * np.pi * X), 1 + 0.3 * rng.random(X.shape)])
    return st, st.conserved(W)


@pytest.mark.parametrize(("flux", "stepper", "backend"), [
    ("hllc", "euler", "llvm"), ("hll", "ssprk22", "llvm")])  # C: bench/highres_kernels.py
def test_generated_euler2d_matches_the_reference(flux, stepper, backend, tmp_path):
    if backend == "c" and shutil.which("cc") is None:
        pytest.skip("no C compiler")
    scheme = euler_equations(flux, None, stepper=stepper, dim=2)
    st, U0 = _case(scheme)
    dt = 0.004
    ref = st.run(U0, 8 * dt, dt=dt, unsafe=True)
    kernel = Euler2DKernel(scheme, backend, tmp_path)
    assert np.abs(kernel.run(U0, 8, dt, st.spacing) - ref).max() < 1e-12
    # a step 10x larger breaks the proved bound on some stage: reported, not returned
    with pytest.raises(StabilityError, match="proved positivity bound"):
        kernel.run(U0, 1, 10 * dt, st.spacing)


def test_2d_euler_builder_is_the_system_builder():
    # the first 2-D Euler kernel's names stay; they build the general system kernel
    s = euler_equations("hllc", "minmod", dim=2)
    assert Euler2DKernel is SystemKernel
    assert build_euler2d(s) == build_system(s, "periodic")
    with pytest.raises(CodegenError, match="1-D"):
        build_euler2d(euler_equations("hllc", "minmod"))


@pytest.mark.parametrize("flux", ["hll", "hllc"])
def test_flux_loop_does_the_operations_of_the_hand_c(flux):
    # regression: one CSE'd expression let SymPy re-derive S_R for the speed with pow(rho, 1.5)
    # and extra square roots (0.6x hand C); the straight-line program has the hand C's five
    # square roots per interface (c_L, c_R, sqrt(rho_L), sqrt(rho_R), the Roe sound speed)
    from mcgen.codegen.backends.c_backend import render_c
    src = render_c(build_euler2d(euler_equations(flux, None, stepper="euler", dim=2))).source
    assert "pow(" not in src
    assert src.count("sqrt(") == 2 * 5  # x and y sweeps
