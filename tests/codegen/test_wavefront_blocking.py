"""The wavefront variant of 2-D/3-D temporal blocking (strips marched along axis 0, a ring of
rows per time level) gives bitwise the step-by-step result: ``np.array_equal`` on every boundary
kind (periodic, outflow, reflecting, constant and time-dependent Dirichlet, mixed per side),
schemes that read the corner ghosts (Lax-Wendroff's mixed term), radius 2 (rings of 8 rows), a
system of two fields, 3-D, threads, every backend, float32 and the exported C, with the 2-D
ring rows on 64-byte line starts and without; schemes it does not cover run the overlapped
tiles instead."""

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile, wavefront_blocking
from mcgen.codegen.backends.c_backend import render_c
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.wavefront_blocking import (
    choose_wavefront,
    line_cells,
    ring_plane_cells,
    ring_rows,
    ring_scratch_size,
)
from mcgen.errors import CodegenError
from mcgen.model import Dirichlet, Field, Scheme
from mcgen.model.boundary import Halo, Outflow
from mcgen.model.catalogue.linear import donor_cell_2d, ftcs_heat_2d, lax_wendroff_2d

t = sp.Symbol("t")
u2, u3 = Field("u", dim=2), Field("u", dim=3)
v2, w2 = Field("v", dim=2), Field("w", dim=2)
nu, a = sp.Symbol("nu"), sp.Symbol("a")

HEAT3 = Scheme(("u",), 3, {"u": u3[0, 0, 0] + nu * (
    u3[1, 0, 0] + u3[-1, 0, 0] + u3[0, 1, 0] + u3[0, -1, 0] + u3[0, 0, 1] + u3[0, 0, -1]
    - 6 * u3[0, 0, 0])}, name="tbw_heat3")
# fourth-order heat: radius 2 (two ghost layers, rings of 3 r + 2 = 8 rows)
HEAT4 = Scheme(("u",), 2, {"u": u2[0, 0] + nu * (
    -u2[2, 0] + 16 * u2[1, 0] - 30 * u2[0, 0] + 16 * u2[-1, 0] - u2[-2, 0]
    - u2[0, 2] + 16 * u2[0, 1] - 30 * u2[0, 0] + 16 * u2[0, -1] - u2[0, -2]) / 12},
    name="tbw_heat4")
# two coupled fields (the ring's field stride)
WAVE2 = Scheme(("v", "w"), 2, {
    "v": v2[0, 0] + a * (w2[1, 0] - w2[-1, 0] + w2[0, 1] - w2[0, -1]) / 4,
    "w": w2[0, 0] + a * (v2[1, 0] - v2[-1, 0] + v2[0, 1] - v2[0, -1]) / 4
    + nu * (w2[1, 1] + w2[-1, -1] - 2 * w2[0, 0])}, name="tbw_wave2")
HEAT2, DONOR2, LW2 = ftcs_heat_2d(), donor_cell_2d(), lax_wendroff_2d()
PARAMS = {id(HEAT2): {"r_x": 0.2, "r_y": 0.15}, id(DONOR2): {"nu_x": 0.3, "nu_y": 0.45},
          id(LW2): {"nu_x": 0.3, "nu_y": 0.4}, id(HEAT3): {"nu": 0.1},
          id(HEAT4): {"nu": 0.05}, id(WAVE2): {"a": 0.2, "nu": 0.1}}
MIXED = [(Dirichlet(0.25), "reflecting"), ("outflow", Dirichlet(-1))]
T_ROWS = [(Dirichlet(sp.sin(3 * t)), "outflow"), ("periodic", "periodic")]
T_COLS = [("periodic", "periodic"), (Dirichlet(sp.cos(2 * t)), "reflecting")]


def _check(scheme, backend, bc, shape, nsteps, k=4, tile=8, threads=1, dtype="f64"):
    cfg = KernelConfig(time_block=k, tile=tile, parallel_threshold=0, blocking_form="wavefront")
    blk = compile(scheme, backend=backend, bc=bc, threads=threads, unsafe=True, config=cfg,
                  dtype=dtype)
    x = np.random.default_rng(len(shape) + nsteps).uniform(-1, 1, shape).astype(
        np.float32 if dtype == "f32" else np.float64)
    if len(scheme.fields) > 1:
        x = {f: x * (i + 1) for i, f in enumerate(scheme.fields)}
    want = blk.with_blocking(1).run(x, nsteps, dt=0.01, **PARAMS[id(scheme)])
    got = blk.run(x, nsteps, dt=0.01, **PARAMS[id(scheme)])
    assert blk.last_call["form"] == "wavefront" and blk.last_call["time_block"] == k
    for f in scheme.fields if len(scheme.fields) > 1 else ():
        assert np.array_equal(got[f], want[f]), f
    if len(scheme.fields) == 1:
        assert np.array_equal(got, want), np.abs(got - want).max()
    return blk


@pytest.mark.parametrize("bc", ["periodic", "outflow", "reflecting", Dirichlet(0.25), MIXED,
                                T_ROWS, T_COLS])
@pytest.mark.parametrize("scheme", [HEAT2, LW2], ids=["heat", "lax_wendroff"])
def test_2d_every_boundary_c(scheme, bc):
    # 37 x 29 cells, strips of 8 (a short edge strip); 11 steps with k = 4: sweeps of 4, 4, 3
    _check(scheme, "c", bc, (37, 29), 11)


@pytest.mark.parametrize("bc", ["periodic", MIXED, T_ROWS])
def test_radius_two_and_two_fields(bc):
    _check(HEAT4, "c", bc, (41, 34), 9, k=3, tile=7)
    _check(WAVE2, "c", bc, (33, 27), 7, k=3, tile=6)


def test_update_reading_coordinates_and_time():
    """A source term in x, y and t: each level's row is computed at its own position (the
    padded row index i0 of the marching axis) and at its sub-step's time."""
    r = sp.Symbol("r")
    base = Scheme(("u",), 2, {"u": u2[0, 0]}, name="tbw_src")
    x, y = base.coords
    src = Scheme(("u",), 2, {"u": u2[0, 0] + r * (u2[1, 0] + u2[-1, 0] + u2[0, 1] + u2[0, -1]
                                                  - 4 * u2[0, 0])
                             + base.dt * sp.sin(3 * x) * sp.cos(y + t)},
                 params=(r, t), name="tbw_src")
    k = compile(src, backend="c", bc=[(Dirichlet(sp.sin(t)), "reflecting"), ("outflow", "outflow")],
                unsafe=True, config=KernelConfig(time_block=4, tile=8))
    z = np.random.default_rng(5).uniform(-1, 1, (37, 29))
    kw = dict(r=0.2, dt=0.01, dx=0.1, dy=0.2, x0=0.3, y0=-0.5, t0=0.7)
    got = k.run(z, 11, **kw)
    assert k.last_call["form"] == "wavefront"
    assert np.array_equal(got, k.with_blocking(1).run(z, 11, **kw))


@pytest.mark.parametrize("backend,bc", [("numba", MIXED), ("numba", T_ROWS),
                                        ("llvm", "periodic"), ("llvm", T_COLS)])
def test_numba_and_llvm(backend, bc):
    _check(DONOR2 if backend == "numba" else LW2, backend, bc, (30, 21), 9, k=3, tile=7)


@pytest.mark.parametrize("bc", ["periodic", [(Dirichlet(0.5), "reflecting"),
                                             ("periodic", "periodic"),
                                             ("outflow", Dirichlet(sp.cos(t)))],
                                [("periodic", "periodic"), ("outflow", "reflecting"),
                                 (Dirichlet(sp.cos(t)), "outflow")]])
def test_3d(bc):
    _check(HEAT3, "c", bc, (13, 11, 10), 5, k=2, tile=5)


@pytest.mark.parametrize("dtype", ["f64", "f32"])
def test_ring_rows_on_line_starts(dtype, monkeypatch):
    """2-D rings: each row padded to whole 64-byte lines (8 float64, 16 float32) with its columns
    that are multiples of a line on line starts, each row loop single columns up to the first
    such column; strips of 37 (several lines per row, every level's first column at another
    offset) on every boundary kind of one sweep, bitwise; without the alignment the same bits."""
    vec = line_cells(8 if dtype == "f64" else 4)
    assert vec == (8 if dtype == "f64" else 16)
    width = 37 + 2 * 5 * 1 + 2
    plane = ring_plane_cells(2, 1, 5, 37, 8 if dtype == "f64" else 4)
    assert plane % vec == 0 and width + vec - 1 <= plane < width + 2 * vec - 1
    bcs = [(Dirichlet(0.25), "reflecting"), ("periodic", "periodic")]
    for backend in ("c", "llvm"):
        blk = _check(DONOR2, backend, bcs, (61, 111), 12, k=5, tile=37, dtype=dtype)
    src = render_c(blk.blocked_ir()).source
    assert f"tb_al = mc_min_i64(tb_lo1 + {vec - 1} & -{vec}, tb_hi1)" in src
    assert "for (int64_t i1 = tb_lo1; i1 < tb_al; ++i1)" in src
    _check(HEAT4, "c", "periodic", (41, 70), 9, k=3, tile=29, dtype=dtype)
    monkeypatch.setattr(wavefront_blocking, "ALIGN_RING_ROWS", False)
    assert line_cells(8) == 1 and ring_plane_cells(2, 1, 5, 37) == width
    blk = _check(DONOR2, "c", bcs, (61, 111), 12, k=5, tile=37, dtype=dtype)
    assert "tb_al" not in render_c(blk.blocked_ir()).source


@pytest.mark.parametrize("backend", ["numba", "c", "llvm"])
def test_threads_give_the_same_bits(backend):
    blk = _check(HEAT2, backend, [("reflecting", Dirichlet(0.5)), ("periodic", "periodic")],
                 (41, 33), 10, k=4, tile=8, threads=2)
    assert blk.last_call["nchunk"] == 2


def test_auto_form_and_fallback_to_tiles():
    """"auto" takes the wavefront where it applies; a Halo side (a Dask block) and interface
    fluxes run the tiles; asking for the wavefront there is refused with the reason."""
    assert compile(HEAT2, backend="c", unsafe=True).blocked_form == "wavefront"
    assert compile(HEAT2, backend="c", unsafe=True,
                   config=KernelConfig(blocking_form="tiles")).blocked_form == "tiles"
    halo = compile(HEAT2, backend="c", unsafe=True, bc=((Halo(), Outflow()), (Halo(), Halo())))
    assert halo.blocked_form == "tiles"
    forced = compile(HEAT2, backend="c", unsafe=True, bc=((Halo(), Outflow()), (Halo(), Halo())),
                     config=KernelConfig(blocking_form="wavefront"))
    with pytest.raises(CodegenError, match="Halo"):
        forced.blocked_ir()
    with pytest.raises(CodegenError, match="blocking_form"):
        KernelConfig(blocking_form="rows").validated(2)


def test_choose_wavefront():
    # small grids stay unblocked; a large 2-D grid gets long strips within the L2 budget
    assert choose_wavefront((100, 100), 1) == (1, 0)
    k, b = choose_wavefront((6000, 6000), 1)
    assert (k, b) == (16, 1500)  # four strips of 1500 cells (rings of 3 r + 2 rows)
    assert choose_wavefront((6000, 6000), 1, chunks=2) == (16, 1500)  # two per thread
    assert ring_scratch_size(2, 1, 1, k, b, 1) * 8 * 2 <= 2 * 1024 * 1024
    # 2-D: 3 r + 2 rows (two rows per pass), 3-D: 3 r + 1 planes
    assert ring_rows(1) == 5 and ring_rows(2) == 8 and ring_rows(1, 3) == 4
    # automatic blocking is off in 3-D (measured slower than one sweep per step); k = 8 asked
    # for gets strips of equal width whose rings fit the budget
    assert choose_wavefront((300, 300, 300), 1) == (1, 0)
    k3, b3 = choose_wavefront((300, 300, 300), 1, time_block=8)
    assert k3 == 8 and b3 == 43 and ring_scratch_size(3, 1, 1, 8, 43, 1) * 8 <= 1024 * 1024
    # a strip never exceeds the grid's width; a requested k needs 2 k r cells per axis
    assert choose_wavefront((4000, 500), 1)[1] == 500
    assert choose_wavefront((64, 64), 1, time_block=4, tile=8) == (4, 8)
    assert choose_wavefront((64, 6), 1, time_block=4, tile=8) == (1, 0)


def test_exported_wavefront_kernel_runs_standalone(tmp_path):
    """``export_kernel(k.blocked_ir(), ...)`` of the wavefront kernel, built with the command
    its loader documents and called through ctypes, gives the step-by-step bits."""
    import importlib.util
    import subprocess

    from mcgen.codegen.backends import DEFAULT_CFLAGS
    from mcgen.codegen.export import export_kernel
    from mcgen.codegen.temporal_blocking import blocked_kernel_name

    k = compile(HEAT2, backend="c", bc=[("outflow", Dirichlet(0.5)), ("reflecting", "outflow")],
                unsafe=True, config=KernelConfig(time_block=4, tile=8))
    assert k.blocked_form == "wavefront"
    out = export_kernel(k.blocked_ir(), tmp_path / "exp", include_object=False)
    name = blocked_kernel_name(k.program)
    # two rows per pass (the C form): numba's fastmath could round it differently, so no .py
    assert not (out / f"{name}.py").exists()
    assert "no numba module" in (out / "README.md").read_text()
    subprocess.run(["cc", *DEFAULT_CFLAGS, "-o", str(out / f"lib{name}.so"),
                    str(out / f"{name}.c"), "-lm"], check=True)
    spec = importlib.util.spec_from_file_location("tbw_exp", out / f"{name}_ctypes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.load()
    x = np.random.default_rng(3).uniform(-1, 1, (35, 27))
    want = k.with_blocking(1).run(x, 9, r_x=0.2, r_y=0.15)
    bufs = k.prepare(x)
    size = ring_scratch_size(2, 1, 1, 4, 8, 1)
    rings = [np.zeros(size), np.zeros(size)]
    getattr(mod, name)(bufs.a, bufs.b, *rings, 35, 27, 9, 0.0, 0.0, 0.2, 0.15, 4, 8, 1)
    bufs.parity = 1  # odd steps: the newest values are in the second buffer
    assert np.array_equal(k.interior(bufs), want)
