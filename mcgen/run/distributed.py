"""Stencil runs on a chunked ``dask.array``: the generated kernel inside one task per chunk.

A run advances the grid in *exchanges* of ``k`` steps. Each exchange is two tasks per chunk:

* ``halo``: the strips of the chunk its neighbours need, one small array per neighbour
  direction: ``k * r`` cells deep along an axis where the neighbour's update reads ``r`` cells
  towards this chunk (:attr:`~mcgen.model.scheme.Scheme.reach`: a one-sided stencil such as
  donor cell reads, and is sent, one side only);
* ``step``: the chunk extended by its neighbours' strips, advanced ``k`` steps by the compiled
  nogil kernel, cut back to the chunk.

Sides of a chunk inside the domain (and every side along a periodic axis split into several
chunks, whose strips wrap around) are :class:`~mcgen.model.boundary.Halo` sides of the block
kernel: their ghost cells are the outermost ``g`` cells (``g`` the stencil radius) of the
strip, read and never filled (cells beyond a strip shallower than ``g`` are zeros the update
never reads). Values next to such a side go stale by ``r`` cells a step, so after ``k`` steps
exactly the ``k * r`` cells of the strip are stale and the chunk itself is exact. The true
domain edges keep their own condition, filled by the kernel every step as in the one-process
run; a periodic axis that is one chunk wide wraps inside the kernel. The corner ghosts the
kernel never fills (a true edge across a halo side) are filled once, before the first step, by
the same ghost rules.

Every cell is computed by the same floating-point operations on the same values as in the
one-process run, so the result is bitwise equal to it for any chunking. That holds for updates
that read the time or the coordinates too: the block kernel (``KernelConfig(grid_block=True)``)
is given the global index of its first cell and the steps done before the call, and computes
``x0 + j dx`` and ``t0 + (step0 + s) dt`` as the one-process kernel does (halo cells across a
periodic edge at the position of their image); exchanges never straddle two of the one-process
run's kernel calls (:data:`~mcgen.run.inputs.STEPS_PER_CALL` steps each), whose ``t0`` they
take. Refused (with the reason): the NumPy stepper, zero-flux walls (their flux form is chosen
for the whole grid), per-step boundary arrays, and a time-dependent Dirichlet value on a 2-D or
3-D grid whose update reads diagonal neighbours (the corner ghosts next to a halo would need
the kernel's boundary value at every exchange).
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from mcgen.codegen.stencil_layout import BlockPosition
from mcgen.errors import ModelError
from mcgen.model.boundary import (
    BoundaryCondition,
    BoundarySpec,
    Dirichlet,
    GhostCopy,
    GhostValue,
    Halo,
    Periodic,
)
from mcgen.model.read import reads_of
from mcgen.run.inputs import STEPS_PER_CALL

MAX_STEPS_PER_EXCHANGE = 64  # deeper halos cost more redundant work than the saved exchanges
#: the strips around a chunk for one exchange hold at most this fraction of its bytes. At the
#: peak the workers hold about three times that in strips (the next exchange's strips are cut
#: while neighbours still read the last ones, and a neighbour on another worker fetches a copy),
#: besides the field and a chunk in flight per worker: 1 + 3 x 0.12 + 1/8 <= 1.5 fields with
#: eight chunks per worker (measured by tests/run/test_distributed.py with HeldBytes)
HALO_MEMORY = 0.12
#: the fixed cost of one exchange for one chunk (scheduling its two tasks, moving its strips),
#: in cell updates of the kernel: about 2 ms at 1e9 cell updates/s (measured on 2 workers)
EXCHANGE_COST_CELLS = 2.0e6
WINDOW = 8  # exchanges per submitted graph

Delta = tuple[int, ...]


# ------------------------------------------------------------------------------ client


def get_client(client: Any = None) -> Any:
    """A ``dask.distributed.Client``: the one given, one connected to a scheduler address
    (``"tcp://host:8786"``), or (None or ``"local"``) a new local cluster of processes, one
    thread each."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the optional extra is missing
        raise ModelError("distributed runs need dask[distributed]: pip install "
                         "'mcgen[dask]'") from None
    if isinstance(client, Client):
        return client
    if client is None or client == "local":
        cluster = LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None)
        return Client(cluster)
    if isinstance(client, str):
        return Client(client)
    raise ModelError(f"client={client!r}: give a dask.distributed.Client, a scheduler address "
                     "such as 'tcp://127.0.0.1:8786', 'local' or None (a local cluster)")


# ------------------------------------------------------------------------------ plan


@dataclass(frozen=True)
class BlockContext:
    """What every step task needs besides its data (one graph key, sent once per worker)."""

    scheme: Any
    backend: str
    ghost: int
    params: tuple[tuple[str, float], ...]
    scheme_hash: str = ""  # computed once by the client (hashing a scheme costs ~1 ms)
    #: the grid's cells per axis and the first global index of every chunk along each axis
    #: (where a block lies: for updates that read coordinates)
    shape: tuple[int, ...] = ()
    starts: tuple[tuple[int, ...], ...] = ()
    #: per axis, the cells the update reads behind and ahead (default: ``ghost`` both ways)
    reach: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class GridPlan:
    """How a grid of ``shape`` is cut into ``chunks``, which sides of each chunk are halos and
    how deep the strips across each side are."""

    shape: tuple[int, ...]
    chunks: tuple[tuple[int, ...], ...]
    spec: BoundarySpec
    ghost: int
    #: per axis, the cells the update reads behind and ahead of its cell
    #: (:attr:`~mcgen.model.scheme.Scheme.reach`); default ``(ghost, ghost)`` on every axis
    reach: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not self.reach:
            object.__setattr__(self, "reach", ((self.ghost, self.ghost),) * len(self.shape))

    @property
    def nblocks(self) -> tuple[int, ...]:
        return tuple(len(c) for c in self.chunks)

    def side(self, axis: int, i: int, hi: bool) -> BoundaryCondition:
        """The block kernel's condition on one side of block ``i`` along ``axis``."""
        bc = self.spec[axis][int(hi)]
        inner = i < self.nblocks[axis] - 1 if hi else i > 0
        if inner or (isinstance(bc, Periodic) and self.nblocks[axis] > 1):
            return Halo()
        return bc

    def block_spec(self, idx: tuple[int, ...]) -> BoundarySpec:
        return tuple((self.side(a, i, False), self.side(a, i, True)) for a, i in enumerate(idx))

    def halo_axes(self) -> list[int]:
        """The axes along which some chunk has a halo side that the update reads across."""
        return [a for a, c in enumerate(self.chunks) if any(
            isinstance(self.side(a, i, hi), Halo) and self.reach[a][hi]
            for i in range(len(c)) for hi in (False, True))]

    def strip_fraction(self, k: int) -> float:
        """Bytes of the strips around the smallest chunk for ``k`` steps, over its own bytes."""
        grow = 1.0
        for a in self.halo_axes():
            c = min(self.chunks[a])
            grow *= (c + k * sum(self.reach[a])) / c
        return grow - 1.0

    def strip_cells(self, k: int) -> int:
        """Cells (per field) of all the strips one exchange of ``k`` steps sends: what the
        neighbours read, ``k * r`` deep on each side (0 where the update reads nothing)."""
        total = 0
        for idx in itertools.product(*(range(n) for n in self.nblocks)):
            for delta, nb in self.neighbours(idx):
                total += int(np.prod([self.chunks[a][nb[a]] if d == 0 else
                                      k * self.reach[a][int(d > 0)]
                                      for a, d in enumerate(delta)]))
        return total

    def max_steps(self) -> int:
        """Steps ``k`` per exchange, from a cost model (0: a chunk is narrower than ``g``).

        One step costs ``C / k + cells * (1 + k g sum_a 1/c_a)`` cell updates per chunk: the
        exchange's fixed cost ``C`` (:data:`EXCHANGE_COST_CELLS`) shared by ``k`` steps, and the
        cells recomputed in the shrinking halo (``k g`` wide on average on each side). Its
        minimum is at ``k* = sqrt(C / (cells g sum_a 1/c_a))``. ``k`` is also capped so that
        the strips fit in one neighbour chunk (``k r <= c``) and hold at most
        :data:`HALO_MEMORY` of the chunk's bytes (the peak memory bound). With a one-sided
        reach ``g`` is the mean of the two sides' reaches: ``(r_low + r_high) / 2``."""
        axes = self.halo_axes()
        if not axes:
            return MAX_STEPS_PER_EXCHANGE
        if any(min(self.chunks[a]) < max(self.reach[a]) for a in axes):
            return 0
        cells = float(np.prod([min(c) for c in self.chunks]))
        surface = sum(sum(self.reach[a]) / 2 / min(self.chunks[a]) for a in axes)
        k_opt = int(np.ceil(np.sqrt(EXCHANGE_COST_CELLS / (cells * surface))))
        k = max(1, min(MAX_STEPS_PER_EXCHANGE, k_opt,
                       *(min(self.chunks[a]) // max(self.reach[a]) for a in axes)))
        while k > 1 and self.strip_fraction(k) > HALO_MEMORY:
            k -= 1
        return k

    def owners(self, workers: list[str]) -> dict[tuple[int, ...], str]:
        """Each chunk's worker: contiguous runs of chunks in C order (slabs along the first
        axis), so most strips stay on their worker and no chunk ever moves."""
        blocks = list(itertools.product(*(range(n) for n in self.nblocks)))
        return {idx: workers[i * len(workers) // len(blocks)] for i, idx in enumerate(blocks)}

    def neighbours(self, idx: tuple[int, ...]) -> list[tuple[Delta, tuple[int, ...]]]:
        """``(direction, block index)`` of every block whose strip ``idx`` reads (none across a
        side the update does not read)."""
        spec = self.block_spec(idx)
        out = []
        for delta in itertools.product((-1, 0, 1), repeat=len(idx)):
            if not any(delta):
                continue
            if any(d and not (isinstance(spec[a][int(d > 0)], Halo) and self.reach[a][int(d > 0)])
                   for a, d in enumerate(delta)):
                continue
            out.append((delta, tuple((i + d) % n for i, d, n in
                                     zip(idx, delta, self.nblocks, strict=True))))
        return out


def kernel_call_steps(kernel: Any, nsteps: int) -> int:
    """Steps per kernel call of the one-process run of ``nsteps`` steps, as far as they matter:
    a kernel that reads the time computes ``t0 + s dt`` from the ``t0`` of its call, and the
    one-process run calls it every :data:`~mcgen.run.inputs.STEPS_PER_CALL` steps (from
    ``t0 + c dt``); for any other kernel the split changes nothing (``nsteps``)."""
    return STEPS_PER_CALL if kernel.layout.needs_time else max(nsteps, 1)


def exchange_sizes(nsteps: int, kmax: int, call: int) -> list[int]:
    """Steps of each exchange: at most ``kmax``, none straddling a multiple of ``call`` (an
    exchange starting at step ``done`` is then steps ``done % call ...`` of the one-process
    kernel call that starts at ``t0 + (done - done % call) dt``)."""
    out, done = [], 0
    while done < nsteps:
        out.append(min(kmax, nsteps - done, call - done % call))
        done += out[-1]
    return out


def _check_supported(sim: Any) -> None:
    scheme, spec = sim.scheme, sim.boundary
    why = None
    program = getattr(getattr(sim.stepper, "kernel", None), "program", None)
    if program is None:
        why = (f"the {sim.backend_used} stepper runs no compiled kernel (use backend='numba', "
               "'c' or 'llvm')")
    elif program.form.zero_flux_walls:
        why = ("zero-flux reflecting walls change the update's form on the whole grid; run "
               "this model in one process")
    elif program.layout.series:
        why = "per-step boundary arrays (DirichletSeries); run this model in one process"
    elif scheme.dim > 1 and any(isinstance(b, Dirichlet) and b.value.free_symbols
                                for pair in spec for b in pair) and \
            any(sum(1 for o in r.offset if o) > 1 for e in scheme.update.values()
                for r in reads_of(e)):
        why = ("a time-dependent Dirichlet value and an update that reads diagonal neighbours: "
               "the corner ghost cells next to a chunk's halo would need the boundary value of "
               "every step; run this model in one process, or use a stencil without diagonal "
               "terms")
    if why is not None:
        raise ModelError(f"cannot run {scheme.name or 'this scheme'} on Dask: {why}")


def normalize_chunks(chunks: Any, shape: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Dask's chunk normalisation, with a clear error."""
    import dask.array as da

    if isinstance(chunks, int):
        chunks = (chunks,) * len(shape)
    if not isinstance(chunks, (tuple, list)) or len(chunks) != len(shape):
        raise ModelError(f"chunks={chunks!r}: give one chunk size per grid axis, e.g. "
                         f"{tuple(max(1, n // 2) for n in shape)} for the grid {shape}")
    try:
        out = tuple(tuple(int(c) for c in axis)
                    for axis in da.core.normalize_chunks(tuple(chunks), shape))
    except (ValueError, TypeError, ZeroDivisionError) as err:
        raise ModelError(f"chunks={chunks!r} do not fit the grid {shape} ({err}): give "
                         "positive chunk sizes, one per axis") from None
    if any(c < 1 for axis in out for c in axis):
        raise ModelError(f"chunks={chunks!r}: chunk sizes must be positive")
    return out


# ------------------------------------------------------------------------------ tasks

_KERNELS: dict[tuple[str, str, str], Any] = {}


def _block_kernel(ctx: BlockContext, spec: BoundarySpec) -> Any:
    """The compiled kernel of one side pattern, built once per worker process."""
    key = (ctx.scheme_hash or ctx.scheme.hash, ctx.backend, repr(spec))
    kernel = _KERNELS.get(key)
    if kernel is None:
        from mcgen.codegen import compile as compile_kernel
        from mcgen.codegen.config import KernelConfig

        # temporal blocking as in one process (tiles load the Halo sides' given ghost cells):
        # a chunk with its strips is as far out of cache as the whole grid is
        kernel = compile_kernel(ctx.scheme, backend=ctx.backend, bc=spec, unsafe=True,
                                config=KernelConfig(grid_block=True))
        _KERNELS[key] = kernel
    return kernel


def _strip(block: np.ndarray, delta: Delta, reach: tuple[tuple[int, int], ...], k: int
           ) -> np.ndarray:
    """The part of ``block`` (fields first) a neighbour in direction ``-delta`` reads in ``k``
    steps: ``k * r`` cells along each axis of ``delta``, ``r`` that neighbour's reach towards
    this block."""
    sl: list[slice] = [slice(None)]
    for a, d in enumerate(delta):
        depth = k * reach[a][int(d > 0)]
        sl.append(slice(None) if d == 0 else slice(-depth, None) if d < 0 else slice(0, depth))
    return np.array(block[tuple(sl)], copy=True)  # a view would keep the whole chunk alive


def halo_task(block: np.ndarray, deltas: tuple[Delta, ...], reach: tuple[tuple[int, int], ...],
              k: int) -> dict[Delta, Any]:
    return {d: _strip(block, d, reach, k) for d in deltas}


def _prefill(padded: np.ndarray, spec: BoundarySpec, ghost: int, fields: tuple[str, ...],
             t: float = 0.0) -> None:
    """Ghost cells of the kernel-filled sides, by the conditions' own rules, axis by axis over
    the whole padded range of the other axes (so the corners across a halo side are right).
    A time-dependent value is taken at ``t``: the kernel fills it again before it is read
    (corners, which it does not fill, are refused with diagonal stencils)."""
    g = ghost
    for axis, pair in enumerate(spec):
        n = padded.shape[axis + 1] - 2 * g
        for hi, b in enumerate(pair):
            if isinstance(b, Halo):
                continue
            for f, name in enumerate(fields):
                rule = b.ghost("high" if hi else "low", name)
                view = np.moveaxis(padded[f], axis, 0)
                for k in range(g):
                    dst = g + n + k if hi else g - 1 - k
                    if isinstance(rule, GhostCopy):
                        src = view[g + rule.source(k, n)]
                        view[dst] = -src if rule.negate else src
                    elif isinstance(rule, GhostValue):
                        view[dst] = float(rule.value.xreplace(
                            {s: t for s in rule.value.free_symbols}))


def advance_padded(ctx: BlockContext, spec: BoundarySpec, padded: np.ndarray, k: int,
                   t0: float, dt: float, block: BlockPosition | None = None) -> np.ndarray:
    """``padded`` (fields first, ``g`` ghost cells on every side) ``k`` steps later, by the
    block kernel of ``spec``: Halo sides read their ghost cells, the others fill them;
    ``block`` says where it lies in the grid and the run (default: the whole grid, step 0)."""
    from mcgen.codegen.compiled_kernel import Buffers

    g = ctx.ghost
    kernel = _block_kernel(ctx, spec)
    flat = np.ascontiguousarray(padded, dtype=float).reshape(-1)  # no copy of a fresh block
    per_field = int(np.prod(padded.shape[1:]))
    # the ghost cells are part of the data here, so the buffers are laid out directly (as
    # ``prepare`` lays them out) rather than padded by ``prepare``
    bufs = Buffers(flat, flat.copy(), tuple(np.zeros(per_field) for _ in kernel.layout.scratch),
                   tuple(s - 2 * g for s in padded.shape[1:]), layout=kernel.layout)
    kernel.advance(bufs, k, t0=t0, dt=dt, block=block, **dict(ctx.params))
    return bufs.current.reshape(padded.shape)


def step_task(ctx: BlockContext, block: np.ndarray, *halos: dict[Delta, Any],
              idx: tuple[int, ...], spec: BoundarySpec, deltas: tuple[Delta, ...],
              fields: tuple[str, ...], k: int, t0: float, dt: float, step0: int = 0
              ) -> np.ndarray:
    """Advance one chunk ``k`` steps: assemble the chunk and its neighbours' strips into one
    padded block, run the block kernel, cut the chunk back out. ``t0`` and ``step0``: the
    first step is step ``step0`` of a one-process kernel call that starts at ``t0``."""
    g = ctx.ghost
    reach = ctx.reach or ((g, g),) * len(spec)
    # a halo side holds the strip (k r deep) and at least the kernel's g ghost cells
    ext = [tuple(max(k * r, g) if isinstance(side, Halo) else g
                 for side, r in zip(pair, rs, strict=True))
           for pair, rs in zip(spec, reach, strict=True)]
    n = block.shape[1:]
    padded = np.zeros((block.shape[0],) + tuple(m + lo + hi for m, (lo, hi) in zip(n, ext,
                                                                                     strict=True)))
    own = tuple(slice(lo, lo + m) for m, (lo, _) in zip(n, ext, strict=True))
    padded[(slice(None),) + own] = block
    for delta, strips in zip(deltas, halos, strict=True):
        sl = [slice(None)]
        for a, d in enumerate(delta):
            lo, _ = ext[a]
            depth = k * reach[a][int(d > 0)]
            sl.append(own[a] if d == 0 else slice(lo - depth, lo) if d < 0
                      else slice(lo + n[a], lo + n[a] + depth))
        padded[tuple(sl)] = strips[delta]
    first = tuple(s[i] - lo + g for s, i, (lo, _) in zip(ctx.starts, idx, ext, strict=True)) \
        if ctx.starts else (0,) * len(n)
    where = BlockPosition(step0, first, ctx.shape or tuple(n))
    _prefill(padded, spec, g, fields, t0 + step0 * dt)
    out = advance_padded(ctx, spec, padded, k, t0, dt, where)
    del padded  # when the newest values are in the other buffer, this one goes before the cut
    return np.ascontiguousarray(out[(slice(None),) + own])


# ------------------------------------------------------------------------------ graphs


Routes = tuple[dict[tuple[int, ...], list[tuple[Delta, tuple[int, ...]]]],
               dict[tuple[int, ...], tuple[Delta, ...]]]


def strip_routes(plan: GridPlan) -> Routes:
    """For every chunk: the ``(direction, neighbour)`` strips its step reads, and the
    directions of the strips its halo task cuts for its neighbours."""
    served: dict[tuple[int, ...], list[Delta]] = {}
    reads = {}
    for idx in itertools.product(*(range(n) for n in plan.nblocks)):
        reads[idx] = plan.neighbours(idx)
        for delta, nb in reads[idx]:
            served.setdefault(nb, []).append(delta)
    return reads, {idx: tuple(served.get(idx, ())) for idx in reads}


def exchange_tasks(dsk: dict[Any, Any], source: str, target: str, plan: GridPlan,
                   routes: Routes, ctx_key: str, fields: tuple[str, ...], k: int, t0: float,
                   dt: float, step0: int = 0) -> None:
    """Add one exchange to ``dsk``: chunks ``(target, 0, *idx)`` ``k`` steps after
    ``(source, 0, *idx)``, two tasks per chunk (its halo strips ``("halo-" + target, 0,
    *idx)``, its step); the first step is step ``step0`` of a kernel call that starts at
    ``t0``."""
    reads, served = routes
    halo_name = f"halo-{target}"
    for idx, nbs in reads.items():
        dsk[(halo_name, 0) + idx] = (partial(halo_task, deltas=served[idx], reach=plan.reach,
                                             k=k), (source, 0) + idx)
        dsk[(target, 0) + idx] = (
            partial(step_task, idx=idx, spec=plan.block_spec(idx), deltas=tuple(d for d, _ in nbs),
                    fields=fields, k=k, t0=t0, dt=dt, step0=step0),
            ctx_key, (source, 0, *idx), *[(halo_name, 0, *nb) for _, nb in nbs])


def exchange(arr: Any, plan: GridPlan, ctx: BlockContext, ctx_key: str,
             fields: tuple[str, ...], k: int, t0: float, dt: float, step0: int = 0) -> Any:
    """The array ``k`` steps later, as one dask graph of two tasks per chunk (halo strips,
    step); the first step is step ``step0`` of a kernel call that starts at ``t0``.
    :meth:`DaskGrid.advance` chains several of these in one graph."""
    import dask.array as da
    from dask.highlevelgraph import HighLevelGraph

    name = f"mcgen-step-{uuid.uuid4().hex[:12]}"
    dsk: dict[Any, Any] = {ctx_key: ctx}
    exchange_tasks(dsk, arr.name, name, plan, strip_routes(plan), ctx_key, fields, k, t0, dt,
                   step0)
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=[arr])
    return da.Array(graph, name, arr.chunks, dtype=arr.dtype)


def _identity(x: Any) -> Any:
    return x


INITIAL = "mcgen-initial-"  # the key prefix of the initial chunks (literal tasks)
PREFIXES = ("mcgen-", "halo-mcgen-")  # every key of a grid's graphs starts with one of these


def _drop_done_specs_plugin() -> Any:
    """A worker plugin (one per worker, by name) that lets go of the worker's copy of each task
    of a grid's graphs (initial chunks, strips, steps, block contexts) once its result is in
    memory.

    A worker keeps the record of a released task, with its spec, for as long as a task that
    descends from it is alive, i.e. for the whole run: the initial chunks' specs (the chunks
    themselves: :meth:`DaskGrid._scatter` makes them the literals of their tasks, which the
    scheduler keeps to recompute lost chunks) were one field held for good besides the current
    one, and every later task's spec added a few kB more per exchange (tracemalloc: receive
    buffers of the compute-task messages, unpickled partials). A worker asked to compute a task
    again is sent its spec again."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class DropDoneSpecs(WorkerPlugin):
        name = "mcgen-drop-done-specs"
        idempotent = True

        def setup(self, worker: Any) -> None:
            self.worker = worker

        def transition(self, key: Any, start: str, finish: str, *args: Any,
                       **kwargs: Any) -> None:
            name = key[0] if isinstance(key, tuple) and key else key  # the context: a str
            if finish == "memory" and str(name).startswith(PREFIXES):
                ts = self.worker.state.tasks.get(key)
                if ts is not None:
                    ts.run_spec = None

    return DropDoneSpecs()


# ------------------------------------------------------------------------------ the run


class DaskGrid:
    """The distributed state of a :class:`~mcgen.run.simulation.Simulation` run with
    ``chunks=``: the fields as one dask array (fields first), kept on the cluster."""

    def __init__(self, sim: Any, chunks: Any, client: Any = None) -> None:

        _check_supported(sim)
        self.client = get_client(client)
        self._owns_client = self.client is not client
        self.fields = tuple(sim.fields)
        kernel = sim.stepper.kernel
        self.plan = GridPlan(tuple(sim.grid.shape), normalize_chunks(chunks, sim.grid.shape),
                             sim.boundary, kernel.layout.ghost, sim.scheme.reach)
        if self.plan.max_steps() < 1:
            r = max(max(rs) for rs in self.plan.reach)
            raise ModelError(f"chunks {self.plan.chunks} are narrower than the stencil radius "
                             f"{r}: give chunks of at least {r} cells along every split or "
                             "periodic axis")
        self._sim = sim
        self._backend = sim.backend_used
        self.array = self._scatter(np.stack([sim.state[f] for f in self.fields]))
        self.tasks_per_chunk_per_exchange = 2

    def _blocks(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(n) for n in self.plan.nblocks)))

    def _submit(self, fn: Any, *args: Any, key: Any, owner: str, priority: int = 0) -> Any:
        """One task on the chunk's worker (loosely: another takes it over if that one dies),
        run in submission order within a priority, never stolen (no chunk moves)."""
        return self.client.submit(fn, *args, key=key, workers=[owner], allow_other_workers=True,
                                  pure=False, priority=priority)

    def _owners(self) -> dict[tuple[int, ...], str]:
        return self.plan.owners(sorted(self.client.scheduler_info(n_workers=-1)["workers"]))

    def _as_array(self, name: str, futures: dict[tuple[int, ...], Any]) -> Any:
        import dask.array as da

        chunks = ((len(self.fields),), *self.plan.chunks)
        return da.Array({(name, 0, *idx): f for idx, f in futures.items()}, name, chunks,
                        dtype=float)

    def _scatter(self, stacked: np.ndarray) -> Any:
        """The initial chunks, each the literal of one task on its owner: the scheduler keeps
        them as the root of the lineage it recomputes lost chunks from (a worker that dies
        loses nothing for good), and no worker holds the whole array."""
        self.client.register_plugin(_drop_done_specs_plugin())
        name = f"{INITIAL}{uuid.uuid4().hex[:12]}"
        starts = [np.cumsum((0,) + c) for c in self.plan.chunks]
        owners = self._owners()
        futures = {}
        for idx in self._blocks():
            block = np.ascontiguousarray(stacked[(slice(None),) + tuple(
                slice(s[i], s[i + 1]) for s, i in zip(starts, idx, strict=True))], dtype=float)
            futures[idx] = self._submit(_identity, block, key=(name, 0, *idx), owner=owners[idx])
        return self._as_array(name, futures)

    def context(self, dt: float) -> BlockContext:
        params = self._sim.stepper._params(dt)
        starts = tuple(tuple(int(s) for s in np.cumsum((0,) + c[:-1])) for c in self.plan.chunks)
        return BlockContext(self._sim.scheme, self._backend, self.plan.ghost,
                            tuple(sorted((k, float(v)) for k, v in params.items())),
                            self._sim.scheme.hash, self.plan.shape, starts, self.plan.reach)

    def advance(self, t0: float, dt: float, nsteps: int) -> int:
        """Advance ``nsteps`` steps of ``dt`` from time ``t0``; returns the exchanges made.

        The exchanges go to the scheduler :data:`WINDOW` at a time, each window one graph
        (no per-exchange graph building, submission or optimisation) whose tasks are pinned,
        loosely, to their chunk's worker (no chunk ever moves; another worker takes over if
        that one dies) and ordered by exchange. The client holds only each window's last
        chunks, so the scheduler frees every other chunk and strip as soon as the tasks that
        read it have run: at most the field, one generation of strips and a chunk in flight
        per worker are alive."""
        import dask.array as da
        from dask.highlevelgraph import HighLevelGraph, MaterializedLayer
        from distributed import wait

        call = kernel_call_steps(self._sim.stepper.kernel, nsteps)
        ks = exchange_sizes(nsteps, self.plan.max_steps(), call)
        owners, routes = self._owners(), strip_routes(self.plan)
        token = uuid.uuid4().hex[:12]
        ctx_key, ctx = f"mcgen-ctx-{token}", self.context(dt)
        first = owners[next(iter(owners))]
        arr, self.array = self.array, None
        done = 0
        for w0 in range(0, len(ks), WINDOW):
            dsk: dict[Any, Any] = {ctx_key: ctx}
            source = arr.name
            for e in range(w0, min(w0 + WINDOW, len(ks))):
                target = f"mcgen-step-{token}-{e}"
                exchange_tasks(dsk, source, target, self.plan, routes, ctx_key, self.fields,
                               ks[e], t0 + (done - done % call) * dt, dt, done % call)
                source, done = target, done + ks[e]
            # dict.get as the annotation: the scheduler calls it per key without mcgen
            workers: dict[Any, list[str]] = {key: [owners[key[2:]]] for key in dsk
                                             if isinstance(key, tuple)}
            priority: dict[Any, int] = {key: -int(key[0].rsplit("-", 1)[1]) for key in dsk
                                        if isinstance(key, tuple)}
            workers[ctx_key], priority[ctx_key] = [first], 0
            layer = MaterializedLayer(dsk, annotations={
                "workers": workers.get, "allow_other_workers": True, "priority": priority.get})
            graph = HighLevelGraph({**arr.dask.layers, source: layer},
                                   {**arr.dask.dependencies, source: {arr.name}})
            new = self.client.persist(da.Array(graph, source, arr.chunks, dtype=arr.dtype),
                                      optimize_graph=False)
            del graph, layer  # they hold the previous window's futures
            self._taken_in((source, 0, *next(iter(owners))))
            arr = new  # the previous window's last chunks: freed once read
        wait(arr)
        self.array = arr
        return len(ks)

    def _taken_in(self, key: Any, timeout: float = 60.0) -> None:
        """Wait until the scheduler knows ``key``: the scheduler takes graphs in
        asynchronously, and a future the client lets go of before the graph that reads it is
        taken in would be forgotten (its readers lost) or, in the other race, stay wanted."""
        deadline = time.monotonic() + timeout
        def knows(dask_scheduler: Any) -> bool:  # by value: the scheduler needs no mcgen
            return key in dask_scheduler.tasks

        while not self.client.run_on_scheduler(knows):
            if time.monotonic() > deadline:
                raise ModelError(f"the scheduler did not take in the graph of {key[0]} in "
                                 f"{timeout:.0f} s: is it overloaded or gone?")
            time.sleep(0.001)

    def close(self) -> None:
        """Close the client (and the local cluster) this grid started; a given one stays."""
        if self._owns_client:
            cluster = self.client.cluster
            self.client.close()
            if cluster is not None:
                cluster.close()

    def gather(self) -> dict[str, np.ndarray]:
        from distributed import futures_of

        # the chunks come to the client one by one (computing the array would first join
        # them into one more copy of the field on a worker)
        futures = {f.key: f for f in futures_of(self.array)}
        out = np.empty((len(self.fields), *self.plan.shape))
        starts = [np.cumsum((0,) + c) for c in self.plan.chunks]
        keys = [(self.array.name, 0, *idx)
                for idx in itertools.product(*(range(n) for n in self.plan.nblocks))]
        for key, block in zip(keys, self.client.gather([futures[k] for k in keys]),
                              strict=True):
            out[(slice(None),) + tuple(slice(s[i], s[i + 1]) for s, i in
                                       zip(starts, key[2:], strict=True))] = block
        return {f: out[i] for i, f in enumerate(self.fields)}

    def field(self, name: str | None = None) -> Any:
        i = 0 if name is None else self.fields.index(name)
        return self.array[i]


def run_distributed(sim: Any, t_end: float, max_steps: int | None = None) -> Any:
    """:meth:`Simulation.run` on the cluster: the same steps (``nsteps`` of ``dt`` planned as
    there), then the gathered state."""
    from mcgen.errors import StabilityError
    from mcgen.run.inputs import planned_steps
    from mcgen.run.simulation import RunRecord
    from mcgen.run.snapshots import Instant

    grid = sim.dask_grid()
    total = t_end - sim.t
    nsteps = planned_steps(total, sim.dt, max_steps)
    dt = total / nsteps if nsteps else sim.dt
    m0, t0, wall0 = sim.mass(), sim.t, time.perf_counter()
    scale0 = float(sum(np.sum(np.abs(a)) for a in sim.state.values()) * sim.grid.cell_volume)
    grid.advance(t0, dt, nsteps)
    new = grid.gather()
    if not sim._finite(new) or sim._out_of_range(new):
        raise StabilityError(f"non-finite values, or values outside the data range "
                             f"{sim.data_range}, after step {sim.step_count + nsteps} (t = "
                             f"{t_end:.6g}, dt = {dt:.6g}); rerun in one process to locate the "
                             "first bad step and cell")
    sim.now = Instant(new, t_end if nsteps else sim.t, sim.step_count + nsteps)
    rec = RunRecord(t0, sim.t, nsteps, dt, time.perf_counter() - wall0, m0, sim.mass(), scale0)
    sim.history.append(rec)
    return rec
