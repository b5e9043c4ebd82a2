"""Initial data shared by the system-kernel tests (test_system_kernels*.py)."""

from __future__ import annotations

import numpy as np

from mcgen.run.system_stepper import SystemStepper


def case(scheme, boundary, n):
    """A stepper and smooth-plus-noise admissible data (flows through the walls)."""
    rng = np.random.default_rng(5)
    if scheme.dim == 1:
        st = SystemStepper(scheme, n, (0.0, 1.0), boundary=boundary)
        x = st.x
        W = [1 + 0.5 * rng.random(n), 0.6 * np.sin(2 * np.pi * x)]
        if scheme.system == "euler":
            W.append(1 + 0.3 * rng.random(n))
    else:
        st = SystemStepper(scheme, n, ((0.0, 1.0), (0.0, 1.0)), boundary=boundary)
        X, Y = np.meshgrid(*st.axes, indexing="ij")
        W = [1 + 0.5 * rng.random(X.shape), 0.5 * np.sin(2 * np.pi * Y),
             0.4 * np.cos(2 * np.pi * X)]
        if scheme.system == "euler":
            W.append(1 + 0.3 * rng.random(X.shape))
    return st, st.conserved(np.array(W))


def scaling_changes(st, U0) -> list[float]:
    """How far the Zhang-Shu positivity scaling moves each slope it is given in one evaluation
    of ``st.rhs(U0)`` (max |scaled - slope| per call)."""
    scaled = []
    scale = st._positivity_scaling

    def spy(C, slope):
        out = scale(C, slope)
        scaled.append(np.abs(out - slope).max())
        return out

    st._positivity_scaling = spy
    try:
        st.rhs(U0)
    finally:
        st._positivity_scaling = scale
    return scaled


def low_pressure_spike(st):
    """1-D Euler data on which the Zhang-Shu pressure scaling acts (checked here: a velocity
    spike inside a low-pressure region makes an extrapolated interface pressure negative)."""
    n = st.shape[0]
    rng = np.random.default_rng(2)
    p = 1 + 0.3 * rng.random(n)
    p[10:14] = 1e-6
    u = np.sin(2 * np.pi * st.x) + 2.0 * (np.arange(n) == 11)
    U0 = st.conserved(np.array([1 + 0.5 * rng.random(n), u, p]))
    assert max(scaling_changes(st, U0)) > 0.1
    return U0
