"""2-D / 3-D dimension-by-dimension scalar schemes declared with
``catalogue.highres.dimension_by_dimension`` go through ``compile``, ``Simulation`` and export
(issue 14 item 4): dt from the proved maximum-principle bound, a larger one refused, the kernel
equal to the NumPy reference."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile as mc_compile
from mcgen.codegen.highres_nd_frontend import HighResNDKernel
from mcgen.errors import CodegenError, ModelError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import dimension_by_dimension, flux_limited, muscl, weno5
from mcgen.run.simulation import Simulation

U = sp.Symbol("u")
A = muscl(scalar_law(U, U), "minmod", "godunov", "ssprk22", data_range=(0, 1))
B = flux_limited(scalar_law(U, -U / 2), "superbee", "ssprk22", data_range=(0, 1))
GRID2 = ((16, 12), ((0.0, 1.0), (0.0, 1.0)))


def box(x, y):
    return np.where((np.abs(x - 0.5) < 0.2) & (np.abs(y - 0.4) < 0.25), 1.0, 0.0)


def test_compile_gives_the_nd_kernel_with_the_derived_condition(tmp_path):
    s = dimension_by_dimension(A, B, A)
    k = mc_compile(s, backend="llvm")
    assert isinstance(k, HighResNDKernel) and k.condition.kind == "maximum_principle"
    # c = (2/3, 1, 2/3): superbee flux-limited (Lax-Friedrichs splitting, alpha = 1/2), nu_FE = 1/2
    assert k.admits([0.3, 0.2, 0.1])  # 0.45 + 0.2 + 0.15
    assert k.admits([0.3, 0.4, 0.1 * (1 - 1e-13)]) and not k.admits([0.3, 0.45, 0.1])
    with pytest.raises(CodegenError, match="'periodic', 'outflow'"):
        mc_compile(s, backend="c", bc="reflecting")  # no reference for scalar walls
    from mcgen.codegen.export import export_kernel
    folder = export_kernel(k, tmp_path / "exp", include_object=False)
    assert "sum_d lam_d / c_d <= 1" in (folder / "README.md").read_text()


@pytest.mark.parametrize("backend", ["c", "llvm"])
def test_simulation_takes_the_proved_step_and_matches_numpy(backend):
    s = dimension_by_dimension(A, B)
    sim = Simulation(s, GRID2, box, safety=1.0, backend=backend)
    # sum_d (dt/dx_d)/c_d = 1 with c = (2/3, 1): dt = 1 / (16 * 3/2 + 12)
    assert sim.max_dt == pytest.approx(1 / 36, rel=1e-12)
    assert sim.backend_used == backend and sim.condition.kind == "maximum_principle"
    ref = Simulation(s, GRID2, box, safety=1.0, backend="numpy")
    sim.run(0.3)
    ref.run(0.3)
    assert np.abs(sim.u - ref.u).max() <= 1e-13
    assert sim.u.min() >= -1e-13 and sim.u.max() <= 1 + 1e-13  # no new extrema at the bound
    assert sim.u.sum() == pytest.approx(box(*np.meshgrid((np.arange(16) + 0.5) / 16,
                                                         (np.arange(12) + 0.5) / 12,
                                                         indexing="ij")).sum(), rel=1e-12)


def test_simulation_refuses_a_step_above_the_bound_and_a_misplaced_range():
    s = dimension_by_dimension(A, B)
    with pytest.raises(StabilityError, match="maximum_principle"):
        Simulation(s, GRID2, box, dt=1.01 / 36, backend="numpy")
    with pytest.raises(ModelError, match="each axis scheme"):
        Simulation(s, GRID2, box, data_range=(0, 1), backend="numpy")


@pytest.mark.parametrize("dims", [2, 3])
def test_outflow_runs_the_kernel_and_matches_numpy(dims):
    # issue 14: bc="outflow" ran the NumPy reference; now the kernel fills the outflow ghosts
    s = dimension_by_dimension(*(A, B, A)[:dims])
    grid = ((16, 12), ((0.0, 1.0), (0.0, 1.0))) if dims == 2 else \
        ((10, 9, 8), ((0.0, 1.0),) * 3)
    blob = box if dims == 2 else (lambda x, y, z: box(x, y) * (np.abs(z - 0.5) < 0.3))
    out = Simulation(s, grid, blob, bc="outflow", backend="auto")
    ref = Simulation(s, grid, blob, bc="outflow", backend="numpy")
    assert out.backend_used == "c" and ref.backend_used == "numpy"
    out.run(0.4)  # the box leaves through the outflow sides: mass is not kept
    ref.run(0.4)
    assert np.abs(out.u - ref.u).max() <= 1e-13
    assert out.u.sum() < 0.95 * Simulation(s, grid, blob, bc="outflow").u.sum()


def test_weno5_in_2d_needs_unsafe_and_a_dt_and_the_kernel_matches_numpy():
    w = weno5(scalar_law(U, U**2 / 2), data_range=(0, 1))
    s = dimension_by_dimension(w, w)

    def smooth(x, y):
        return 0.5 + 0.3 * np.sin(2 * np.pi * x) * np.sin(2 * np.pi * y)

    with pytest.raises(StabilityError, match="WENO5 is not TVD"):
        Simulation(s, GRID2, smooth, backend="numpy")
    runs = [Simulation(s, GRID2, smooth, dt=0.005, unsafe=True, backend=b)
            for b in ("numpy", "c")]
    for sim in runs:
        sim.run(0.05)
    assert runs[1].backend_used == "c" and runs[0].backend_used == "numpy"
    assert np.max(np.abs(runs[0].u - runs[1].u)) < 1e-13
    assert np.max(np.abs(runs[0].u - smooth(*np.meshgrid(
        *runs[0].grid.centres(), indexing="ij")))) > 1e-3
