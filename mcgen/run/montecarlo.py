"""Monte Carlo drivers: particle systems under Euler scaling, and exact lattice checks.

A particle system on ``n`` sites per unit length is compared with its hydrodynamic limit at
macroscopic position x = (i + 1/2)/n + x_start and time t = s/n (Euler scaling). Profiles are
averaged over replicas and over blocks of ``block`` sites; the reported standard error is the
spread of the block averages between replicas divided by sqrt(replicas).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mcgen.errors import ModelError
from mcgen.run.inputs import check_cells, check_fits_in_memory, real_number


def compile_particle_kernel(ps: Any, backend: str = "numba") -> Any:
    """The generated kernel for ``ps`` (``mcgen.codegen.montecarlo.compile_particles``)."""
    from mcgen.codegen.montecarlo import compile_particles  # numba/llvmlite load lazily

    return compile_particles(ps, backend=backend)


@dataclass
class ParticleProfile:
    """Replica- and block-averaged density of a particle system at one macroscopic time."""

    x: np.ndarray           # block centres (macroscopic coordinates)
    density: np.ndarray     # mean occupation per block
    stderr: np.ndarray      # standard error of the mean, per block
    t: float
    sites_per_unit: int
    replicas: int
    block: int
    seconds: float          # kernel time
    events: int             # attempted moves
    compile_seconds: float = 0.0
    kernel_source: str = ""
    site_density: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else math.inf


def particle_profile(ps: Any, initial_density: Callable[[np.ndarray], np.ndarray],
                     bounds: tuple[float, float], t: float, sites_per_unit: int = 200,
                     replicas: int = 100, block: int = 10, seed: int = 1,
                     backend: str = "numba", simulator: Any = None,
                     params: dict[str, float] | None = None,
                     initial_law: str | None = None, client: Any = None,
                     parts: int | None = None) -> ParticleProfile:
    """Density profile of ``ps`` on a ring covering ``bounds`` at macroscopic time ``t``.

    Each replica starts from independent occupations with mean ``initial_density(x_i)`` (a
    product Bernoulli measure for exclusion, Poisson for other kinds), the local-equilibrium
    data of the hydrodynamic limit. ``initial_law`` picks the occupation law of each site:
    ``"bernoulli"`` (default for exclusion), ``"geometric"`` (default otherwise: the invariant
    law of the zero-range process with g = 1) or ``"poisson"``.

    ``client`` (a ``dask.distributed.Client``, a scheduler address or ``"local"``) splits the
    replicas into ``parts`` (default: one per worker) run on the cluster
    (:mod:`mcgen.run.ensembles`); every replica, and the profile reduced from exact integer
    sums, is the same for any split.
    """
    a, b = (real_number(v, "bounds") for v in bounds)
    t = real_number(t, "t")
    for name, v in (("sites_per_unit", sites_per_unit), ("replicas", replicas), ("block", block)):
        check_cells(v, name)
    if t < 0 or not b > a:
        raise ModelError(f"t = {t:g}, bounds = ({a:g}, {b:g}): give t >= 0 and a < b")
    n_sites = int(round((b - a) * sites_per_unit))
    check_fits_in_memory((replicas, n_sites), 1, ghost=0, arrays_per_field=4)
    if n_sites % block:
        raise ModelError(f"{n_sites} sites are not a whole number of blocks of {block}: "
                         "choose sites_per_unit and block so that block divides the lattice")
    x_site = a + (np.arange(n_sites) + 0.5) / sites_per_unit
    rho0 = np.clip(np.asarray(initial_density(x_site), dtype=float), 0, None)
    rng = np.random.default_rng(seed)
    if ps.kind == "exclusion":
        if np.any(rho0 > 1):
            raise ModelError("exclusion densities must lie in [0, 1]")
        occ = (rng.random((replicas, n_sites)) < rho0).astype(np.int64)
    elif (initial_law or "geometric") == "geometric":
        # P(n) = (1 - z) z^n with mean z/(1 - z) = rho: z = rho/(1 + rho)
        z = rho0 / (1 + rho0)
        occ = (rng.geometric(1 - z, size=(replicas, n_sites)) - 1).astype(np.int64)
    elif initial_law == "poisson":
        occ = rng.poisson(rho0, size=(replicas, n_sites)).astype(np.int64)
    else:
        raise ModelError(f"initial_law={initial_law!r}: use 'bernoulli', 'geometric' or "
                         "'poisson'")
    xb = x_site.reshape(-1, block).mean(axis=1)
    if client is not None:
        from mcgen.run.ensembles import profile_from_sums, submit_ensemble
        _, reduced = submit_ensemble(client, ps, occ, t * sites_per_unit, seed, backend, params,
                                     block, parts)
        total = reduced.result()
        dens, err, site = profile_from_sums(total, replicas, block, n_sites)
        return ParticleProfile(xb, dens, err, t, sites_per_unit, replicas, block,
                               total["seconds"], total["events"], total["compile_seconds"], "",
                               site)
    sim = simulator if simulator is not None else compile_particle_kernel(ps, backend)
    res = sim.run(replicas, times=[t * sites_per_unit], L=n_sites, initial=occ, seed=seed,
                  params=params)
    final = res.state["occ"]
    blocks = final.reshape(replicas, n_sites // block, block).mean(axis=2)
    dens = blocks.mean(axis=0)
    err = blocks.std(axis=0, ddof=1) / math.sqrt(replicas) if replicas > 1 else \
        np.full_like(dens, np.nan)
    return ParticleProfile(xb, dens, err, t, sites_per_unit, replicas, block, res.seconds,
                           res.events, getattr(sim, "compile_seconds", 0.0),
                           getattr(sim, "source", ""), final.mean(axis=0))


def block_average(values: np.ndarray, block: int) -> np.ndarray:
    """Mean over consecutive blocks of ``block`` entries (for comparing with block profiles)."""
    v = np.asarray(values, dtype=float)
    return v.reshape(-1, block).mean(axis=1)


@dataclass
class RingCurrent:
    measured: float
    stderr: float
    exact: float
    sites: int
    particles: int


def ring_start(ps: Any, sites: int, particles: int, replicas: int, seed: int,
               first: int = 0) -> np.ndarray:
    """``replicas`` x ``sites`` occupations with ``particles`` particles each, replica r (numbered
    from ``first``) drawn with its own generator ``(seed, r)``, so a split of the replicas
    gives the same starts; uniform among the configurations the capacity allows: for exclusion
    the uniform measure on the ring, the stationary state of TASEP/ASEP, so the burn-in only has
    to remove
    the correlations an interacting rule builds (a few units of time, not ~L as from a block)."""
    cap = 1 if ps.kind == "exclusion" else ps.max_occupancy
    if cap is not None and particles > cap * sites:
        raise ModelError(f"{particles} particles do not fit on {sites} sites with at most {cap} "
                         "a site")
    occ = np.zeros((replicas, sites), dtype=np.int64)
    slots = np.arange(sites * (cap or particles)) % sites  # each site repeated cap times
    for r in range(replicas):
        rng = np.random.default_rng([seed, first + r])
        np.add.at(occ[r], rng.choice(slots, particles, replace=False), 1)
    return occ


def ring_current(ps: Any, sites: int, particles: int, t_burn: float, t_measure: float,
                 replicas: int = 200, seed: int = 3, simulator: Any = None, client: Any = None,
                 parts: int | None = None, start: str = "random") -> RingCurrent:
    """Stationary current per bond of an exclusion process on a ring, against the exact value
    N(L - N)/(L(L - 1)) (times the net rate p - q; known result 21).

    ``start="random"`` (default) starts every replica from a uniformly drawn configuration with
    ``particles`` particles (:func:`ring_start`, seeded by ``seed`` and the replica's index);
    ``start="block"`` packs them on sites 0..N-1, which needs a burn-in of the order of the
    ring length (a block of TASEP on 400 sites still carries a current 0.04 instead of 0.19
    after 20 units of time).

    ``client`` splits the replicas into ``parts`` on a Dask cluster
    (:func:`mcgen.run.ensembles.ring_current_on`): the same for any split."""
    if start not in ("random", "block"):
        raise ModelError(f"start={start!r}: use 'random' (uniform configuration) or 'block'")
    if client is not None:
        from mcgen.run.ensembles import ring_current_on
        rate, spread, _ = ring_current_on(client, ps, sites, particles, t_burn, t_measure,
                                          replicas, seed, parts=parts, start=start)
        return RingCurrent(rate, spread, ring_current_exact(ps, sites, particles), sites,
                           particles)
    sim = simulator if simulator is not None else compile_particle_kernel(ps)
    init: Any = particles if start == "block" else ring_start(ps, sites, particles, replicas,
                                                               seed)
    res = sim.run(replicas, times=[t_burn, t_burn + t_measure], L=sites, initial=init,
                  seed=seed)
    per_replica = (res.state["cur"].reshape(replicas, -1).mean(axis=1))
    # currents were accumulated from time 0: subtract the burn-in share via the mean curve
    rate = float(np.mean(res.current_rate(0, 1)))
    # error bar from the replica spread of the whole-run current, rescaled to the measuring
    # window (the variance of a time-averaged current falls like 1/time)
    total = t_burn + t_measure
    spread = float(np.std(per_replica, ddof=1) / math.sqrt(replicas) / total
                   * math.sqrt(total / t_measure))
    return RingCurrent(rate, spread, ring_current_exact(ps, sites, particles), sites, particles)


def ring_current_exact(ps: Any, sites: int, particles: int) -> float:
    """Exact stationary current per bond on a ring where it is known: exclusion with constant
    rates, (p - q) N(L - N)/(L(L - 1)) (uniform measure); zero-range with g(n) = g for n >= 1,
    (p - q) g N/(N + L - 1) (P(site occupied) = N/(N + L - 1) under the uniform measure on
    compositions). NaN otherwise."""
    from mcgen.model.symbols import N_FROM, N_TO
    L, N = sites, particles
    try:
        vals = {k: [float(v.subs({N_FROM: nf, N_TO: 0})) for nf in (1, 2, 3)]
                for k, v in ps.rates.items()}
    except TypeError:
        return math.nan
    if any(len(set(v)) > 1 for v in vals.values()):
        return math.nan  # rates depend on the occupation
    net = sum(k * v[0] for k, v in vals.items())
    if ps.kind == "exclusion":
        return net * N * (L - N) / (L * (L - 1))
    if ps.kind == "zero_range":
        return net * N / (N + L - 1)
    return math.nan


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0
