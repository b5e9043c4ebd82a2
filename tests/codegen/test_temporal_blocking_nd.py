"""2-D and 3-D temporal blocking by overlapped tiles (tiles along every axis, halos of k r cells
recomputed; ``blocking_form="tiles"``, the wavefront variant is tested in
test_wavefront_blocking.py) gives
bitwise the step-by-step result: ``np.array_equal``, not a tolerance, on every boundary kind
(periodic, outflow, reflecting, constant and time-dependent Dirichlet, mixed), for step counts
that are not multiples of k, grids that are not multiples of the tile, and with threads."""

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.temporal_blocking import (
    ND_REDUNDANCY,
    ND_TILE_BYTES,
    choose_blocking_nd,
    tile_scratch_size_nd,
)
from mcgen.model import Dirichlet, Field, Scheme
from mcgen.model.catalogue.linear import donor_cell_2d, ftcs_heat_2d

t = sp.Symbol("t")
w3 = Field("u", dim=3)
w2 = Field("u", dim=2)
nu, lam = sp.Symbol("nu"), sp.Symbol("lam")

HEAT3 = Scheme(("u",), 3, {"u": w3[0, 0, 0] + nu * (
    w3[1, 0, 0] + w3[-1, 0, 0] + w3[0, 1, 0] + w3[0, -1, 0] + w3[0, 0, 1] + w3[0, 0, -1]
    - 6 * w3[0, 0, 0])}, name="tbnd_heat3")


def _godunov(a, b):
    """Godunov flux of Burgers f = u^2/2 (convex, minimum at 0)."""
    return sp.Max(sp.Max(a, 0) ** 2 / 2, sp.Min(b, 0) ** 2 / 2)


# dimension by dimension conservative Godunov for u_t + (u^2/2)_x + (u^2/2)_y = 0: nonlinear
# interface fluxes, which the front-end computes once per interface into scratch arrays
_DX = _godunov(w2[0, 0], w2[1, 0]) - _godunov(w2[-1, 0], w2[0, 0])
_DY = _godunov(w2[0, 0], w2[0, 1]) - _godunov(w2[0, -1], w2[0, 0])
BURGERS2 = Scheme(("u",), 2, {"u": w2[0, 0] - lam * _DX - lam * _DY},
                  name="tbnd_burgers2", params=(lam,))

HEAT2, DONOR2 = ftcs_heat_2d(), donor_cell_2d()
PARAMS = {id(HEAT2): {"r_x": 0.2, "r_y": 0.15}, id(DONOR2): {"nu_x": 0.3, "nu_y": 0.45},
          id(HEAT3): {"nu": 0.1}, id(BURGERS2): {"lam": 0.2}}
MIXED_T = [("periodic", "periodic"), (Dirichlet(sp.sin(3 * t)), "outflow")]


def _check(scheme, backend, bc, shape, nsteps, k=4, tile=8, threads=1, dt=None):
    cfg = KernelConfig(time_block=k, tile=tile, parallel_threshold=0, blocking_form="tiles")
    blk = compile(scheme, backend=backend, bc=bc, threads=threads, unsafe=True, config=cfg)
    ref = blk.with_blocking(1)
    x = np.random.default_rng(len(shape) + nsteps).uniform(-1, 1, shape)
    kw = dict(PARAMS[id(scheme)], **({"dt": dt} if dt is not None else {}))
    want = ref.run(x, nsteps, **kw)
    got = blk.run(x, nsteps, **kw)
    assert blk.last_call["time_block"] == k and blk.last_call["tile"] == tile, blk.last_call
    assert blk.last_call["form"] == "tiles"
    assert ref.last_call["time_block"] == 1
    assert np.array_equal(got, want), np.abs(got - want).max()
    return blk


@pytest.mark.parametrize("bc", ["periodic", "outflow", "reflecting", Dirichlet(0.25),
                                [(Dirichlet(0.25), "reflecting"), ("outflow", Dirichlet(-1))],
                                MIXED_T])
def test_heat_2d_numba_every_boundary(bc):
    # 37 x 29 cells, tiles of 8: edge tiles are short; 11 steps with k = 4: sweeps of 4, 4, 3
    _check(HEAT2, "numba", bc, (37, 29), 11, dt=0.01)


@pytest.mark.parametrize("backend,bc", [("numba", "periodic"), ("c", MIXED_T),
                                        ("llvm", [("outflow", "reflecting"), ("periodic",
                                                                              "periodic")])])
def test_donor_cell_2d(backend, bc):
    _check(DONOR2, backend, bc, (30, 21), 9, k=3, tile=7, dt=0.02)


@pytest.mark.parametrize("backend", ["c", "llvm"])
def test_burgers_godunov_2d_nonlinear_fluxes(backend):
    blk = _check(BURGERS2, backend, [("outflow", "outflow"), ("periodic", "periodic")],
                 (26, 19), 7, k=3, tile=6)
    assert blk.layout.scratch  # the interface fluxes went through tile-sized scratch


def test_numba_keeps_nonlinear_fluxes_unblocked():
    k = compile(BURGERS2, backend="numba", unsafe=True, config=KernelConfig(time_block=4))
    assert "fastmath" in k.blocking_unsupported
    assert k.blocking_for((400, 400), 64) == (1, 0)


@pytest.mark.parametrize("backend,bc", [("numba", "periodic"),
                                        ("c", [(Dirichlet(0.5), "reflecting"),
                                               ("periodic", "periodic"),
                                               ("outflow", Dirichlet(sp.cos(t)))])])
def test_heat_3d(backend, bc):
    _check(HEAT3, backend, bc, (13, 11, 10), 5, k=2, tile=5, dt=0.05)


@pytest.mark.parametrize("backend", ["numba", "c", "llvm"])
def test_threads_give_the_same_bits(backend):
    blk = _check(HEAT2, backend, [("reflecting", Dirichlet(0.5)), ("periodic", "periodic")],
                 (41, 33), 10, k=4, tile=8, threads=2)
    assert blk.last_call["nchunk"] == 2


def test_choose_blocking_nd():
    # small grids stay unblocked; a large 2-D grid gets square tiles within the redundancy bound
    assert choose_blocking_nd((100, 100), 1) == (1, 0)
    k, b = choose_blocking_nd((4000, 4000), 1)
    assert k > 1 and ((b + 2 * k) / b) ** 2 <= ND_REDUNDANCY
    assert tile_scratch_size_nd(2, 1, 1, k, b, 1) * 16 <= ND_TILE_BYTES
    # a requested k is honoured only when every axis holds two tiles of at least k r cells
    assert choose_blocking_nd((64, 64), 1, time_block=4, tile=8) == (4, 8)
    assert choose_blocking_nd((64, 12), 1, time_block=4, tile=8) == (1, 0)


@pytest.mark.parametrize("form", ["tiles", "wavefront"])
@pytest.mark.parametrize("scheme", [ftcs_heat_2d(), HEAT3], ids=["2d", "3d"])
def test_tile_load_innermost_loops_are_plain_runs(scheme, form):
    """Loading a tile of a periodic grid: the innermost loops index ``cur`` with no select
    (a wrapped row is three plain runs), so they vectorise; a select per cell there cost ~30 %
    of a blocked 2-D heat sweep. Each loaded row base is computed once per row."""
    from mcgen.codegen import ir

    kern = compile(scheme, backend="c", bc="periodic", config=KernelConfig(blocking_form=form))
    body = kern.blocked_ir().kernels[0].body
    dim = scheme.dim
    inner = [s for s in ir.walk(body)
             if isinstance(s, ir.For) and s.var.name == f"tb_p{dim - 1}"]
    loads = [s for s in inner if any(isinstance(n, ir.Load) and n.array == "cur"
                                     for n in ir._nodes(s))]
    assert len(loads) == 3  # low wrap, interior, high wrap
    assert not any(isinstance(n, ir.Select) for s in loads for n in ir._nodes(s))


def test_exported_blocked_kernel_runs_standalone(tmp_path):
    """``export_kernel(k.blocked_ir(), ...)``: the exported C, built with the command its
    loader documents and called through ctypes, gives the step-by-step bits."""
    import importlib.util
    import subprocess

    from mcgen.codegen.backends import DEFAULT_CFLAGS
    from mcgen.codegen.export import export_kernel
    from mcgen.codegen.temporal_blocking import blocked_kernel_name

    k = compile(HEAT2, backend="c", bc=[("outflow", Dirichlet(0.5)), ("reflecting", "outflow")],
                unsafe=True, config=KernelConfig(time_block=4, tile=8, blocking_form="tiles"))
    out = export_kernel(k.blocked_ir(), tmp_path / "exp", include_object=False)
    name = blocked_kernel_name(k.program)
    # the build line the exported source prints (its FMA contraction decides the bits)
    subprocess.run(["cc", *DEFAULT_CFLAGS, "-o", str(out / f"lib{name}.so"),
                    str(out / f"{name}.c"), "-lm"], check=True)
    spec = importlib.util.spec_from_file_location("tbnd_exp", out / f"{name}_ctypes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.load()
    x = np.random.default_rng(3).uniform(-1, 1, (35, 27))
    want = k.with_blocking(1).run(x, 9, r_x=0.2, r_y=0.15)
    bufs = k.prepare(x)
    size = tile_scratch_size_nd(2, 1, 1, 4, 8, 1)
    tiles = [np.zeros(size), np.zeros(size)]
    getattr(mod, name)(bufs.a, bufs.b, *tiles, 35, 27, 9, 0.0, 0.0, 0.2, 0.15, 4, 8, 1)
    bufs.parity = 1  # odd steps: the newest values are in the second buffer
    assert np.array_equal(k.interior(bufs), want)


@pytest.mark.parametrize("scheme", [HEAT2, DONOR2])
def test_halo_sides_bitwise(scheme):
    """Issue 15: a block of a Dask grid (Halo sides: ghost cells given, never filled) is
    blocked too, and every cell and the given ghost cells are the step-by-step kernel's, also
    next to a true edge (outflow) across a Halo side."""
    from mcgen.codegen.compiled_kernel import Buffers
    from mcgen.model import Outflow
    from mcgen.model.boundary import Halo

    bc = ((Halo(), Outflow()), (Halo(), Halo()))
    cfg = KernelConfig(time_block=4, tile=8, parallel_threshold=0)
    blk = compile(scheme, backend="c", bc=bc, unsafe=True, config=cfg)
    padded = np.random.default_rng(3).uniform(-1, 1, (37 + 2, 29 + 2))  # ghosts are data
    out = []
    for kern in (blk.with_blocking(1), blk):
        flat = padded.reshape(-1).copy()
        bufs = Buffers(flat, flat.copy(), (), (37, 29), layout=kern.layout)
        kern.advance(bufs, 11, **PARAMS[id(scheme)])
        out.append(bufs.current.copy())
    assert blk.last_call["time_block"] == 4
    # all but the outflow side's ghost row, which the kernels fill before they read it
    a, b = (o.reshape(padded.shape)[:-1] for o in out)
    assert np.array_equal(a, b)
    assert np.array_equal(a[0], padded[0]) and not np.array_equal(a[1:], padded[1:-1])
