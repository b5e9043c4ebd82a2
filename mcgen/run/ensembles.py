"""Monte Carlo ensembles on Dask: replicas of a particle system split across workers.

Replica ``r`` of the ensemble draws from the counter-based RNG stream ``r`` of the run's seed
(:mod:`mcgen.codegen.rng`; the kernel takes the global index of its first replica), and its
initial occupations are row ``r`` of one array drawn by the client, so every replica's history
is the same for any split: one part or many, one worker or four. Aggregates are reduced on the
cluster from integer sums (occupation counts per block and their squares), which are exact, so
the profile and its error bars are also bitwise the same for any split.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mcgen.errors import ModelError

_SIMULATORS: dict[tuple[str, str], Any] = {}


def _simulator(ps: Any, backend: str) -> Any:
    """The compiled particle kernel, built once per worker process."""
    key = (ps.hash if hasattr(ps, "hash") else repr(ps), backend)
    sim = _SIMULATORS.get(key)
    if sim is None:
        from mcgen.run.montecarlo import compile_particle_kernel

        sim = _SIMULATORS[key] = compile_particle_kernel(ps, backend)
    return sim


def run_part(ps: Any, occ: np.ndarray, first: int, time: float, seed: int, backend: str,
             params: dict[str, float] | None, block: int) -> dict[str, Any]:
    """Run replicas ``first .. first + len(occ) - 1`` to ``time`` (lattice units); their final
    occupations, integer block sums, and the counts to reduce."""
    sim = _simulator(ps, backend)
    res = sim.run(occ.shape[0], times=[time], L=occ.shape[1], initial=occ, seed=seed,
                  params=params, first_replica=first)
    final = res.state["occ"]
    sums = final.reshape(final.shape[0], -1, block).sum(axis=2)
    return {"final": final, "s1": sums.sum(axis=0), "s2": (sums * sums).sum(axis=0),
            "sites": final.sum(axis=0), "events": int(res.events), "seconds": res.seconds,
            "compile_seconds": float(getattr(sim, "compile_seconds", 0.0))}


def current_part(ps: Any, first: int, count: int, sites: int, particles: int, t_burn: float,
                 t_end: float, seed: int, backend: str, start: str = "random"
                 ) -> dict[str, Any]:
    """Replicas ``first .. first + count - 1`` of a ring: integer sums of the bond currents at
    ``t_burn`` and ``t_end``, and of each replica's whole-run current and its square."""
    from mcgen.run.montecarlo import ring_start
    sim = _simulator(ps, backend)
    init: Any = particles if start == "block" else ring_start(ps, sites, particles, count, seed,
                                                               first)
    res = sim.run(count, times=[t_burn], L=sites, initial=init, seed=seed,
                  first_replica=first)
    burn = res.state["cur"].sum(axis=0)
    res = sim.run(times=[t_end], state=res.state, first_replica=first)
    cur = res.state["cur"]
    per_replica = cur.reshape(count, -1).sum(axis=1)
    return {"burn": burn, "end": cur.sum(axis=0), "r1": int(per_replica.sum()),
            "r2": int((per_replica * per_replica).sum()), "events": int(res.events),
            "final": cur}


def reduce_parts(*parts: dict[str, Any]) -> dict[str, Any]:
    """Sum the integer counts of parts (exact: the order does not matter)."""
    keys = [k for k in parts[0] if k not in ("final", "seconds", "compile_seconds")]
    out = {k: sum(p[k] for p in parts) for k in keys}
    if "seconds" in parts[0]:
        out["seconds"] = sum(p["seconds"] for p in parts)
        out["compile_seconds"] = max(p["compile_seconds"] for p in parts)
    return out


def split(replicas: int, parts: int) -> list[tuple[int, int]]:
    """``(first, count)`` of ``parts`` nearly equal runs of replicas."""
    if parts < 1 or replicas < 1:
        raise ModelError(f"split {replicas} replicas into {parts} parts: both must be >= 1")
    parts = min(parts, replicas)
    edges = [replicas * i // parts for i in range(parts + 1)]
    return [(a, b - a) for a, b in zip(edges, edges[1:], strict=False)]


def submit_ensemble(client: Any, ps: Any, occ: np.ndarray, time: float, seed: int,
                    backend: str, params: dict[str, float] | None, block: int,
                    parts: int | None = None) -> tuple[list[Any], Any]:
    """Futures of the parts and of their reduction (computed on the cluster)."""
    from mcgen.run.distributed import get_client

    client = get_client(client)
    if parts is None:
        parts = max(1, len(client.scheduler_info()["workers"]))
    futures = [client.submit(run_part, ps, occ[a:a + n], a, time, seed, backend, params, block,
                             pure=False)
               for a, n in split(occ.shape[0], parts)]
    return futures, client.submit(reduce_parts, *futures, pure=False)


def ring_current_on(client: Any, ps: Any, sites: int, particles: int, t_burn: float,
                    t_measure: float, replicas: int, seed: int, backend: str = "numba",
                    parts: int | None = None, start: str = "random"
                    ) -> tuple[float, float, list[Any]]:
    """The stationary current per bond and its error bar (as
    :func:`mcgen.run.montecarlo.ring_current`), the replicas split into ``parts`` on the
    cluster and reduced there from exact integer sums; also the parts' futures."""
    from mcgen.run.distributed import get_client

    client = get_client(client)
    if parts is None:
        parts = max(1, len(client.scheduler_info()["workers"]))
    total_t = t_burn + t_measure
    futures = [client.submit(current_part, ps, a, n, sites, particles, t_burn, total_t, seed,
                             backend, start, pure=False) for a, n in split(replicas, parts)]
    tot = client.submit(reduce_parts, *futures, pure=False).result()
    nbond = len(tot["end"])
    rate = float((tot["end"] - tot["burn"]).sum()) / (replicas * nbond * t_measure)
    if replicas > 1:
        dev = (replicas * tot["r2"] - tot["r1"] ** 2) / replicas  # exact in Python integers
        std = math.sqrt(max(dev, 0) / (replicas - 1)) / nbond
        spread = std / math.sqrt(replicas) / total_t * math.sqrt(total_t / t_measure)
    else:
        spread = math.nan
    return rate, spread, futures


def profile_from_sums(total: dict[str, Any], replicas: int, block: int, n_sites: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Block densities, their standard errors (spread between replicas / sqrt(replicas)),
    and site densities, from exact integer sums."""
    s1 = np.asarray(total["s1"], dtype=np.int64)
    s2 = np.asarray(total["s2"], dtype=np.int64)
    dens = s1 / (replicas * block)
    if replicas > 1:
        # sum of squared deviations of the block sums, exact in integers: R*S2 - S1^2
        dev = (replicas * s2 - s1 * s1).astype(float) / replicas
        err = np.sqrt(np.maximum(dev, 0.0) / (replicas - 1)) / block / math.sqrt(replicas)
    else:
        err = np.full(s1.shape, np.nan)
    return dens, err, np.asarray(total["sites"]) / replicas
