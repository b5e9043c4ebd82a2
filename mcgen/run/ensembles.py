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


def reduce_parts(*parts: dict[str, Any]) -> dict[str, Any]:
    """Sum the integer counts of parts (exact: the order does not matter)."""
    out = {k: sum(p[k] for p in parts) for k in ("s1", "s2", "sites", "events")}
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
