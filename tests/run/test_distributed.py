"""Grids on Dask: a real local cluster of processes; results bitwise equal to one process."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

pytest.importorskip("distributed")

from mcgen.errors import ModelError  # noqa: E402
from mcgen.model import Dirichlet, Outflow  # noqa: E402
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
    assert one.history[-1].steps > 16  # several exchanges (at most 8 steps each)
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
    assert plan.max_steps() == 8  # the halo of k steps fits in the narrowest chunk


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
