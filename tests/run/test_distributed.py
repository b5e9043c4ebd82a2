"""Grids on Dask: a real local cluster of processes; results bitwise equal to one process."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

pytest.importorskip("distributed")

from mcgen.errors import ModelError  # noqa: E402
from mcgen.model import Dirichlet, Outflow, Periodic  # noqa: E402
from mcgen.model.catalogue.linear import donor_cell_2d, ftcs_heat_2d, upwind  # noqa: E402
from mcgen.model.law import scalar_law  # noqa: E402
from mcgen.run.distributed import GridPlan, exchange, normalize_chunks  # noqa: E402
from mcgen.run.simulation import Simulation  # noqa: E402

BACKEND = "c"  # one build shared through the on-disk cache by the worker processes


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                           dashboard_address=None)
    with Client(cluster) as c:
        yield c
    cluster.close()


def _pair(model, grid, initial, t_end, chunks, client, **kw):
    one = Simulation(model, grid, initial, backend=BACKEND, **kw)
    one.run(t_end)
    many = Simulation(model, grid, initial, backend=BACKEND, chunks=chunks, client=client, **kw)
    rec = many.run(t_end)
    return one, many, rec


def bump(x):
    return np.exp(-80 * (x - 0.3) ** 2)


@pytest.mark.parametrize("chunks", [(20,), (7,)])
def test_1d_periodic_upwind_bitwise(client, chunks):
    one, many, rec = _pair(upwind(), (60, (0.0, 1.0)), bump, 0.4, chunks, client,
                           params={"a": 1.0})
    assert rec.steps == one.history[-1].steps > 20
    assert np.array_equal(many.u, one.u)
    assert np.array_equal(many.field.compute(), one.u)
    assert many.field.chunks == (normalize_chunks(chunks, (60,))[0],)


def test_1d_burgers_godunov_dirichlet_outflow_bitwise(client):
    """Nonlinear: Burgers with the Godunov flux, a held inflow value and an outflow edge."""
    u = sp.Symbol("u")
    law = scalar_law(u, u ** 2 / 2)
    one, many, _ = _pair(law, (50, (0.0, 1.0)), lambda x: 0.2 + 0.8 * (x < 0.4), 0.3, (12,),
                         client, bc=[(Dirichlet(1.0), Outflow())])
    assert np.array_equal(many.u, one.u)
    assert not np.allclose(one.u, 0.2 + 0.8 * (one.grid.centres()[0] < 0.4))  # it moved


def test_2d_periodic_heat_bitwise(client):
    init = lambda x, y: np.sin(2 * np.pi * x) * np.cos(4 * np.pi * y) + (x > 0.5)  # noqa: E731
    one, many, _ = _pair(ftcs_heat_2d(), ((24, 30), ((0, 1), (0, 1))), init, 0.01, (8, 12),
                         client, params={"D_x": 1.0, "D_y": 0.5})
    assert one.history[-1].steps > 16  # several exchanges (one step each: chunks of 8)
    assert np.array_equal(many.u, one.u)


def test_2d_dirichlet_outflow_corners_bitwise(client):
    """Donor cell with Dirichlet inflow on one axis and outflow on the other: the corner ghost
    cells across a true edge and a halo side are the one-process ones."""
    init = lambda x, y: np.exp(-40 * ((x - 0.3) ** 2 + (y - 0.4) ** 2))  # noqa: E731
    one, many, _ = _pair(donor_cell_2d(), ((20, 18), ((0, 1), (0, 1))), init, 0.2, (6, 5),
                         client, params={"a": 1.0, "b": 0.7},
                         bc=[(Dirichlet(0.5), Outflow()), Outflow()])
    assert np.array_equal(many.u, one.u)
    assert one.u[0].min() > 0.4  # the inflow value came in


def test_two_tasks_per_chunk_per_exchange(client):
    import dask.array as da

    from mcgen.run.distributed import BlockContext

    plan = GridPlan((24, 30), normalize_chunks((8, 10), (24, 30)),
                    ((Outflow(), Outflow()), (Outflow(), Outflow())), 1)
    arr = da.zeros((1, 24, 30), chunks=(1, 8, 10))
    ctx = BlockContext(ftcs_heat_2d(), BACKEND, 1, ())
    out = exchange(arr, plan, ctx, "ctx", ("u",), 3, 0.0, 1e-3)
    layer = out.dask.layers[out.name]
    assert len(layer) == 2 * 9 + 1  # halo and step for each of 9 chunks, one shared context
    assert plan.max_steps() == 1  # 10 x 12 cells of strips around 8 x 10: already 1.5 x


def test_steps_per_exchange_from_the_cost_model():
    """k is the cost model's optimum sqrt(C / (cells g sum 1/c)) unless the strips would
    exceed HALO_MEMORY of the chunk (the memory bound) or a neighbour chunk."""
    from mcgen.run.distributed import EXCHANGE_COST_CELLS, HALO_MEMORY

    edges = ((Outflow(), Outflow()), (Outflow(), Outflow()))
    wide = GridPlan((240, 300), normalize_chunks((80, 100), (240, 300)), edges, 2)
    assert wide.max_steps() == 1  # (80 + 4)(100 + 4) / 8000 = 1.09; with k = 2: 1.19
    big = GridPlan((2048, 2048), normalize_chunks((512, 512), (2048, 2048)), edges, 1)
    k = big.max_steps()
    assert big.strip_fraction(k) <= HALO_MEMORY < big.strip_fraction(k + 1)
    assert k == 14  # 540^2 / 512^2 = 1.112; 542^2 / 512^2 = 1.121
    # one long 1-D chunk per worker: the memory cap is far away, the optimum decides
    line = GridPlan((2_000_000,), normalize_chunks((1_000_000,), (2_000_000,)), edges[:1], 1)
    k_opt = np.sqrt(EXCHANGE_COST_CELLS / (1e6 * 1 / 1e6))
    assert line.max_steps() == min(64, int(np.ceil(k_opt)))
    # no halo side at all (one chunk, outflow edges): nothing to exchange, the cap
    one = GridPlan((50,), normalize_chunks((50,), (50,)), edges[:1], 1)
    assert one.max_steps() == 64


def test_refusals(client):
    from mcgen.model.catalogue.linear import beam_warming

    with pytest.raises(ModelError, match="positive"):
        Simulation(upwind(), (8, (0.0, 1.0)), bump, params={"a": 1.0}, backend=BACKEND,
                   chunks=(0,), client=client)
    with pytest.raises(ModelError, match="narrower than the stencil radius 2"):
        Simulation(beam_warming(), (8, (0.0, 1.0)), bump, params={"a": 1.0}, backend=BACKEND,
                   chunks=(1,), client=client)
    with pytest.raises(ModelError, match="numpy stepper runs no compiled kernel"):
        Simulation(upwind(), (8, (0.0, 1.0)), bump, params={"a": 1.0}, backend="numpy",
                   chunks=(4,), client=client)


def test_a_killed_worker_changes_nothing(client):
    """A worker process killed between exchanges loses its chunks; the scheduler recomputes
    them from the graph and the result is still bitwise the one-process run."""
    import os
    import signal

    kw = dict(params={"a": 1.0}, backend=BACKEND)
    one = Simulation(upwind(), (48, (0.0, 1.0)), bump, **kw)
    one.run(0.25)
    one.run(0.5)
    many = Simulation(upwind(), (48, (0.0, 1.0)), bump, chunks=(8,), client=client, **kw)
    many.run(0.25)
    held = client.who_has(many.dask_grid().array)
    victim = next(iter(next(iter(v for v in held.values() if v))))
    pids = client.run(os.getpid)
    client.run(lambda: os.kill(os.getpid(), signal.SIGKILL), workers=[victim], nanny=False,
               on_error="ignore")
    import time

    deadline = time.monotonic() + 60  # the scheduler notices the death, the nanny restarts it
    while victim in client.scheduler_info()["workers"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert victim not in client.scheduler_info()["workers"]
    client.wait_for_workers(2, timeout=60)
    many.run(0.5)
    assert np.array_equal(many.u, one.u)
    assert set(client.run(os.getpid).values()) != set(pids.values())  # a new process


def test_save_zarr_in_parallel_and_atomically(client, tmp_path):
    import dask.array as da

    from mcgen.run.zarr_io import load_zarr, save_zarr

    init = lambda x, y: np.cos(2 * np.pi * x) * np.sin(2 * np.pi * y)  # noqa: E731
    sim = Simulation(ftcs_heat_2d(), ((16, 12), ((0, 1), (0, 1))), init, backend=BACKEND,
                     params={"D_x": 1.0, "D_y": 1.0}, chunks=(8, 6), client=client)
    sim.run(0.01)
    out = sim.save(tmp_path / "heat.zarr")
    fields, attrs = load_zarr(out)
    assert np.array_equal(fields["u"], sim.u)
    assert attrs["step"] == sim.step_count and attrs["t"] == sim.t
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heat.zarr"]
    # a write that fails half-way leaves the earlier store as it was, and no temporary files
    poison = float(sim.u[8, 6])  # the first value of one chunk: that chunk's write fails
    bad = da.map_blocks(lambda b: b if b[0, 0] != poison else 1 / np.zeros(()).item(),
                        sim.field, dtype=float)
    with pytest.raises(ZeroDivisionError):
        save_zarr(out, {"u": bad}, sim.grid, 1.0, 99, client=client, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heat.zarr"]
    assert load_zarr(out)[1]["step"] == sim.step_count


def test_cli_run_connects_to_a_running_scheduler(client, tmp_path, capsys):
    from mcgen.cli import main

    model = tmp_path / "m.py"
    model.write_text("import numpy as np\nfrom mcgen.model.catalogue.linear import upwind\n"
                     "model = upwind()\nparams = {'a': 1.0}\n"
                     "initial = lambda x: np.sin(2 * np.pi * x)\nt_end = 0.25\n")
    args = ["run", str(model), "--cells", "40", "--backend", BACKEND]
    assert main([*args, "--out", str(tmp_path / "one.npz")]) == 0
    assert main([*args, "--dask", client.scheduler.address, "--chunks", "10",
                 "--out", str(tmp_path / "many.zarr")]) == 0
    from mcgen.run.snapshots import load_snapshot
    from mcgen.run.zarr_io import load_zarr

    assert np.array_equal(load_zarr(tmp_path / "many.zarr")[0]["u"],
                          load_snapshot(tmp_path / "one.npz").fields["u"])


def test_ensemble_replicas_do_not_depend_on_the_split(client):
    """Replica r draws stream r: one part, three parts and one in-process call give the same
    final occupations bit for bit; the profile reduced on the cluster is bitwise the same for
    every split and matches the in-process profile."""
    from mcgen.model.catalogue.particles import tasep
    from mcgen.run.ensembles import submit_ensemble
    from mcgen.run.montecarlo import compile_particle_kernel, particle_profile

    ps, R, L = tasep(), 24, 60
    occ = (np.random.default_rng(5).random((R, L)) < 0.4).astype(np.int64)
    finals = []
    for parts in (1, 3):
        futures, _ = submit_ensemble(client, ps, occ, 6.0, 11, "numba", None, 10, parts)
        finals.append(np.concatenate([f.result()["final"] for f in futures]))
    local = compile_particle_kernel(ps).run(R, times=[6.0], L=L, initial=occ, seed=11)
    assert np.array_equal(finals[0], finals[1])
    assert np.array_equal(finals[0], local.state["occ"])
    assert not np.array_equal(finals[0], occ)  # particles moved

    def rho(x):
        return 0.5 + 0.3 * np.sin(np.pi * x)

    args = (ps, rho, (-1.0, 1.0), 0.1)
    kw = dict(sites_per_unit=30, replicas=R, block=10, seed=2)
    one, three = (particle_profile(*args, **kw, client=client, parts=p) for p in (1, 3))
    assert np.array_equal(one.density, three.density)
    assert np.array_equal(one.stderr, three.stderr)
    here = particle_profile(*args, **kw)
    assert np.allclose(one.density, here.density, rtol=0, atol=1e-12)
    assert np.allclose(one.stderr, here.stderr, rtol=1e-9, atol=1e-12)
    assert one.events == here.events > 0


def test_ring_current_on_the_cluster_does_not_depend_on_the_split(client):
    """Every replica's bond currents are the in-process ones; the current and its error bar,
    reduced from integer sums, are bitwise the same for 1 and 3 parts and agree with the
    in-process estimate and with the exact value N(L - N)/(L(L - 1))."""
    from mcgen.model.catalogue.particles import tasep
    from mcgen.run.ensembles import ring_current_on
    from mcgen.run.montecarlo import compile_particle_kernel, ring_current, ring_start

    ps, R = tasep(), 30
    one = ring_current_on(client, ps, 10, 4, 5.0, 40.0, R, 3, parts=1)
    three = ring_current_on(client, ps, 10, 4, 5.0, 40.0, R, 3, parts=3)
    assert one[:2] == three[:2]
    cur = np.concatenate([f.result()["final"] for f in three[2]])
    local = compile_particle_kernel(ps).run(R, times=[5.0, 45.0], L=10, seed=3,
                                            initial=ring_start(ps, 10, 4, R, 3))
    assert np.array_equal(cur, local.state["cur"])
    here = ring_current(ps, 10, 4, 5.0, 40.0, replicas=R, seed=3)
    assert abs(one[0] - here.measured) < 1e-12 and abs(one[1] - here.stderr) < 1e-9
    assert abs(one[0] - 4 * 6 / 90) < 5 * one[1]


def test_two_field_system_bitwise(client):
    """Fields travel together (fields first in every chunk): a coupled pair of updates."""
    from mcgen.model import Field, Scheme

    u, v, nu = Field("u"), Field("v"), sp.Symbol("nu")
    scheme = Scheme(("u", "v"), 1, {"u": u[0] - nu * (u[0] - u[-1]),
                                    "v": v[0] - nu * (v[0] - v[-1]) + nu / 8 * (u[1] - u[-1])},
                    params=(nu,), name="coupled pair")
    init = {"u": bump, "v": lambda x: np.cos(2 * np.pi * x)}
    one, many, _ = _pair(scheme, (40, (0.0, 1.0)), init, 0.5, (9,), client, params={"nu": 0.5},
                         dt=0.01, unsafe=True, bc=[(Dirichlet(0.25), Outflow())])
    assert np.array_equal(many.state["u"], one.state["u"])
    assert np.array_equal(many.state["v"], one.state["v"])


# ---------------------------------------------------------------- time and position on Dask


def _plain(dim=1):
    from mcgen.model import Field, Scheme

    u = Field("u", dim=dim)
    return Scheme(("u",), dim, {"u": u[(0,) * dim]})  # for its coordinate symbols


def test_variable_velocity_on_a_split_ring_bitwise(client):
    """Upwind advection with a(x) = 1 + sin(2 pi x)/2 on a periodic grid cut into chunks: each
    block computes x_j = x0 + j dx from its global index j (halo cells across the periodic edge
    at the position of their image), so the run is bitwise the one-process one; before, a
    scheme that reads x was refused on Dask."""
    from mcgen.model import Field, Scheme

    u, base = Field("u"), _plain()
    x, dx, dt = base.coords[0], base.spacing[0], base.dt
    speed = 1 + sp.sin(2 * sp.pi * x) / 2
    scheme = Scheme(("u",), 1, {"u": u[0] - dt / dx * speed * (u[0] - u[-1])}, name="a(x) upwind")
    one, many, rec = _pair(scheme, (64, (0.0, 1.0)), bump, 0.2, (16,), client, dt=0.005,
                           unsafe=True)
    assert rec.steps == 40
    assert np.array_equal(many.u, one.u)
    # the velocity field mattered: constant speed 1 gives another profile
    ref = Simulation(upwind(), (64, (0.0, 1.0)), bump, backend=BACKEND, dt=0.005,
                     params={"a": 1.0})
    ref.run(0.2)
    assert not np.allclose(ref.u, one.u, atol=1e-3)


def test_source_in_time_and_space_with_time_dependent_inflow_2d_bitwise(client):
    """2-D heat with a source s(t, y) = cos(7 t) y and a Dirichlet inflow 1 + t/3 on one edge:
    the block kernels compute t = t0 + (step0 + s) dt and y from the global cell index, as the
    one-process kernel calls do (70 steps: two calls of at most 64, exchanges inside them)."""
    from mcgen.model import Field, Scheme

    base = _plain(2)
    w = Field("u", dim=2)
    y, (hx, hy), dt = base.coords[1], base.spacing, base.dt
    t = sp.Symbol("t")
    lap = ((w[1, 0] - 2 * w[0, 0] + w[-1, 0]) / hx ** 2
           + (w[0, 1] - 2 * w[0, 0] + w[0, -1]) / hy ** 2)
    scheme = Scheme(("u",), 2, {"u": w[0, 0] + dt / 10 * lap + dt * sp.cos(7 * t) * y},
                    params=(t,), name="heat with source")
    init = lambda x, y: np.exp(-30 * ((x - 0.4) ** 2 + (y - 0.6) ** 2))  # noqa: E731
    one, many, rec = _pair(scheme, ((16, 14), ((0, 1), (0, 1))), init, 0.35, (8, 7), client,
                           dt=0.005, unsafe=True,
                           bc=[(Dirichlet(1 + t / 3), Outflow()), Outflow()])
    assert rec.steps == 70
    assert np.array_equal(many.u, one.u)
    assert one.u[0].min() > 0.9  # the inflow value came in (the initial bump is ~0 there)


def test_time_dependent_dirichlet_with_diagonal_reads_is_refused(client):
    """The corner ghosts next to a chunk's halo are read by a diagonal stencil and would need
    the boundary value of every step: refused with the reason (not run wrong)."""
    from mcgen.model import Field, Scheme

    w, r, t = Field("u", dim=2), sp.Symbol("r"), sp.Symbol("t")
    cross = Scheme(("u",), 2, {"u": w[0, 0] + r * (w[1, 1] + w[-1, -1] + w[1, -1] + w[-1, 1]
                                                  - 4 * w[0, 0])}, params=(r,), name="cross")
    with pytest.raises(ModelError, match="diagonal neighbours"):
        Simulation(cross, ((12, 12), ((0, 1), (0, 1))), lambda x, y: np.ones_like(x),
                   backend=BACKEND, chunks=(6, 6), client=client, params={"r": 0.1}, dt=0.01,
                   unsafe=True, bc=[(Dirichlet(1 + t), Outflow()), Outflow()])


def test_exchanges_never_straddle_a_one_process_kernel_call():
    from mcgen.run.distributed import exchange_sizes

    sizes = exchange_sizes(150, 5, 64)
    ends = np.cumsum(sizes)
    assert ends[-1] == 150 and max(sizes) == 5
    assert 64 in ends and 128 in ends  # every call boundary is an exchange boundary
    assert exchange_sizes(10, 4, 10) == [4, 4, 2] and exchange_sizes(0, 4, 1) == []


def test_peak_memory_at_most_one_and_a_half_fields(client):
    """Issue 15: the workers held 2.4-3.6 fields at once (whole generations of chunks kept
    by the graph and the client). Now a chunk is freed once its step and halo have run: the
    exact peak (every task transition, every copy of a strip on another worker counted) is
    at most 1.5 fields, and the result is still the one-process one."""
    from mcgen.run.dask_memory import HeldBytes

    init = lambda x, y: np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y)  # noqa: E731
    kw = dict(params={"D_x": 1.0, "D_y": 1.0}, backend=BACKEND)
    grid = ((256, 256), ((0, 1), (0, 1)))
    one = Simulation(ftcs_heat_2d(), grid, init, **kw)
    many = Simulation(ftcs_heat_2d(), grid, init, chunks=(64, 64), client=client, **kw)
    k = many.dask_grid().plan.max_steps()
    t_end = 10 * k * one.dt  # ten exchanges: two graphs of WINDOW exchanges
    one.run(t_end)
    with HeldBytes.on(client) as held:
        many.run(t_end)
    field = 256 * 256 * 8
    assert np.array_equal(many.u, one.u)
    assert held.peak <= 1.5 * field, (held.peak / field, held.strips_at_peak / field)
    assert held.peak >= field  # the tracker saw the field


def test_chunks_out_of_cache_run_the_blocked_kernel_bitwise(client):
    """A chunk with its strips is as far out of cache as a whole grid: the workers run the
    temporally blocked kernel (its tiles load the Halo sides' given ghost cells), and the
    result is still the one-process one bit for bit."""
    from mcgen.run import distributed as dist

    init = lambda x, y: np.sin(2 * np.pi * x) * np.cos(4 * np.pi * y) + (y > 0.5)  # noqa: E731
    one, many, _ = _pair(ftcs_heat_2d(), ((1024, 1024), ((0, 1), (0, 1))), init, 0.0, (512, 512),
                         client, params={"D_x": 1.0, "D_y": 0.5})
    t_end = 28 * one.dt  # two exchanges of 14 steps
    one.run(t_end)
    many.run(t_end)
    assert np.array_equal(many.u, one.u)
    calls = client.run(lambda: [k.last_call for k in dist._KERNELS.values() if k.last_call])
    assert any(c["time_block"] > 1 for per_worker in calls.values() for c in per_worker), calls


def test_chunks_stay_on_their_worker(client):
    """Issue 15: chunks travelled between workers (work stealing, free placement), each move a
    copy of a chunk. Now every task is pinned to its chunk's worker: after a run each chunk is
    held by exactly the worker GridPlan.owners gives it, and only strips (halo keys) moved."""
    from distributed import get_task_stream

    init = lambda x, y: np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y)  # noqa: E731
    sim = Simulation(ftcs_heat_2d(), ((96, 96), ((0, 1), (0, 1))), init, backend=BACKEND,
                     params={"D_x": 1.0, "D_y": 1.0}, chunks=(24, 24), client=client)
    grid = sim.dask_grid()
    owners = grid._owners()
    with get_task_stream(client) as ts:
        sim.run(12 * sim.dt)
    held = client.who_has(grid.array)
    assert {key: set(w) for key, w in held.items()} == {
        (grid.array.name, 0, *idx): {w} for idx, w in owners.items()}
    assert len(set(owners.values())) == 2  # both workers have chunks
    # every step and halo task ran on its chunk's worker: a chunk never had to travel
    ran = [(r["key"][2:], r["worker"]) for r in ts.data
           if isinstance(r["key"], tuple) and "mcgen-step" in r["key"][0]]
    assert len(ran) == 2 * len(owners) * 12 // grid.plan.max_steps()  # halo and step each
    assert all(owners[idx] == w for idx, w in ran), ran


# ---------------------------------------------------------------- per-side halo depths


def _skewed():
    """A 2-D stencil that reads two cells behind and one ahead along x, one either way along y
    and one diagonal neighbour (x ahead, y behind): reach ((2, 1), (1, 1))."""
    from mcgen.model import Field, Scheme

    w, r = Field("u", dim=2), sp.Symbol("r")
    return Scheme(("u",), 2, {"u": w[0, 0] + r * (w[-2, 0] + w[-1, 0] + w[1, 0] + w[0, 1]
                                                  + w[0, -1] + w[1, -1] - 6 * w[0, 0])},
                  params=(r,), name="skewed")


def test_strips_are_as_deep_as_the_update_reads_on_each_side():
    """Issue 15: every strip was k g deep on both sides. Donor cell reads one side per axis:
    per chunk and exchange it now gets k c_y + k c_x + k^2 cells (the low x and y strips and
    their corner) instead of 2 k c_y + 2 k c_x + 4 k^2, and the halo tasks of an exchange
    cut exactly the cells GridPlan.strip_cells counts."""
    import dask
    import dask.array as da

    from mcgen.run.distributed import BlockContext

    assert donor_cell_2d().reach == ((1, 0), (1, 0)) and _skewed().reach == ((2, 1), (1, 1))
    ring = ((Periodic(), Periodic()),) * 2
    shape, c, k = (24, 30), (8, 10), 3
    one_sided = GridPlan(shape, normalize_chunks(c, shape), ring, 1, donor_cell_2d().reach)
    both = GridPlan(shape, normalize_chunks(c, shape), ring, 1)
    assert one_sided.strip_cells(k) == 9 * (k * c[1] + k * c[0] + k * k)
    assert both.strip_cells(k) == 9 * (2 * k * c[1] + 2 * k * c[0] + 4 * k * k)
    skew = GridPlan(shape, normalize_chunks(c, shape), ring, 2, _skewed().reach)
    for plan in (one_sided, both, skew):
        arr = da.zeros((1, *shape), chunks=(1, *c))
        ctx = BlockContext(ftcs_heat_2d(), BACKEND, plan.ghost, (), reach=plan.reach)
        out = exchange(arr, plan, ctx, "ctx", ("u",), k, 0.0, 1e-3)
        graph = dict(out.__dask_graph__())
        halos = [key for key in out.dask.layers[out.name] if str(key[0]).startswith("halo-")]
        cut = dask.get(graph, halos)  # the synchronous scheduler
        assert sum(s.size for strips in cut for s in strips.values()) == plan.strip_cells(k)


@pytest.mark.parametrize("chunks", [(5, 4), (7, 18), (3, 9)])
def test_one_sided_and_skewed_stencils_bitwise(client, chunks):
    """Donor cell (one side per axis) with a Dirichlet inflow and outflow edges, and a skewed
    2-D stencil on a ring, both with strips only as deep as each side is read: bitwise the
    one-process runs for chunkings with and without chunks narrower than k r."""
    init = lambda x, y: np.exp(-40 * ((x - 0.3) ** 2 + (y - 0.4) ** 2))  # noqa: E731
    grid = ((20, 18), ((0, 1), (0, 1)))
    one, many, rec = _pair(donor_cell_2d(), grid, init, 0.15, chunks, client,
                           params={"a": 1.0, "b": 0.7},
                           bc=[(Dirichlet(0.5), Outflow()), Outflow()])
    assert np.array_equal(many.u, one.u) and rec.steps > 3
    one, many, rec = _pair(_skewed(), grid, init, 0.05, chunks, client, params={"r": 0.1},
                           dt=0.005, unsafe=True)
    assert np.array_equal(many.u, one.u) and rec.steps == 10
    start = Simulation(_skewed(), grid, init, backend=BACKEND, params={"r": 0.1}, dt=0.005,
                       unsafe=True).u
    assert not np.allclose(one.u, start, atol=1e-3)  # it moved


def test_workers_keep_no_copy_of_the_initial_field(client):
    """Issue 15 (worker RSS 2.2-3.7x the field while held bytes were <= 1.5x): a worker keeps
    the record of every released task that a live chunk descends from, with its spec, and the
    initial chunks' specs are the chunks themselves: each worker kept its share of the initial
    field for the whole run. Now the records the workers keep after a run hold (pickled) less
    than 2 % of the field, and the result is still the one-process one."""
    from distributed.protocol.pickle import dumps

    init = lambda x, y: np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y)  # noqa: E731
    kw = dict(params={"D_x": 1.0, "D_y": 1.0}, backend=BACKEND)
    grid = ((128, 128), ((0, 1), (0, 1)))
    one = Simulation(ftcs_heat_2d(), grid, init, **kw)
    many = Simulation(ftcs_heat_2d(), grid, init, chunks=(32, 32), client=client, **kw)
    one.run(20 * one.dt)
    many.run(20 * one.dt)
    assert np.array_equal(many.u, one.u)

    def kept_spec_bytes(dask_worker) -> int:
        return sum(len(dumps(ts.run_spec)) for key, ts in dask_worker.state.tasks.items()
                   if ts.run_spec is not None and ts.state in ("memory", "released")
                   and "mcgen" in str(key))

    held = client.run(kept_spec_bytes)
    assert sum(held.values()) < 0.02 * 128 * 128 * 8, held
