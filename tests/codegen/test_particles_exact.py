"""Particle-system kernels against exact lattice results: ring TASEP/ASEP current
N(L-N)/(L(L-1)) (known result 21) under random-sequential and continuous-time updates; ring
zero-range with g = 1 (site occupied with probability N/(N+L-1), current the same) and with
g(n) = n (independent particles: multinomial law); parallel-update TASEP against the exact
stationary current of its finite chain (which differs from the random-sequential one); open
TASEP against the exact stationary current of its 2^L-state generator."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen.montecarlo import compile_particles
from mcgen.errors import CodegenError
from mcgen.model import ParticleSystem
from mcgen.model.symbols import N_FROM

P, Q = sp.symbols("p q", positive=True)
BACKEND = "llvm"  # compiles in a fraction of a second; numba is held to it bit for bit below


def _stationary(T: np.ndarray, generator: bool) -> np.ndarray:
    """The stationary law of a transition matrix (rows: from) or a generator."""
    A = T.T.copy() if generator else (T - np.eye(len(T))).T
    A[-1, :] = 1.0
    rhs = np.zeros(len(T))
    rhs[-1] = 1.0
    return np.linalg.solve(A, rhs)


def _per_replica_current(sim, replicas, L, initial, t0, t1, seed, **kw):
    warm = sim.run(replicas, times=[t0], L=L, initial=initial, seed=seed, **kw)
    c0 = warm.state["cur"].astype(float)
    res = sim.run(times=[t1], state=warm.state, **kw)
    per = (res.state["cur"] - c0).mean(1) / (t1 - t0)
    return per, res


def _z(sample: np.ndarray, exact: float) -> float:
    return abs(sample.mean() - exact) / (sample.std(ddof=1) / np.sqrt(len(sample)))


@pytest.mark.parametrize("update", ["random_sequential", "continuous"])
def test_ring_tasep_current(update):
    L, N = 10, 4
    sim = compile_particles(ParticleSystem("exclusion", {1: 1}, update=update),
                            backend=BACKEND)
    per, res = _per_replica_current(sim, 300, L, N, 20.0, 220.0, seed=1)
    exact = sp.Rational(N * (L - N), L * (L - 1))
    assert _z(per, float(exact)) < 5
    # the mean-field value rho (1 - rho) = 6/25 is 10% lower, far outside the error
    assert _z(per, N * (L - N) / L ** 2) > 10
    assert np.array_equal(res.state["occ"].sum(1), np.full(300, N))  # particles conserved
    assert res.events_per_second > 0
    if update == "random_sequential":  # L attempts per unit time
        assert res.events == 300 * L * 200


def test_ring_asep_current_with_two_rates():
    L, N, p, q = 9, 3, 0.8, 0.3
    sim = compile_particles(ParticleSystem("exclusion", {1: P, -1: Q}, update="continuous"),
                            backend=BACKEND)
    per, _ = _per_replica_current(sim, 300, L, N, 10.0, 160.0, seed=2,
                                  params={"p": p, "q": q})
    assert _z(per, (p - q) * N * (L - N) / (L * (L - 1))) < 5


def test_ring_zero_range_constant_rate():
    L, N, R = 8, 6, 300
    sim = compile_particles(ParticleSystem("zero_range", {1: 1}, update="continuous"),
                            backend=BACKEND)
    per, res = _per_replica_current(sim, R, L, N, 20.0, 220.0, seed=3)
    # g = 1: uniform law over the C(N+L-1, L-1) configurations, so a site is empty with
    # probability (L-1)/(N+L-1); the current through a bond is g P(occupied) = N/(N+L-1)
    p_occ = sp.Rational(N, N + L - 1)
    assert sp.simplify(1 - sp.binomial(N + L - 2, L - 2) / sp.binomial(N + L - 1, L - 1)
                       - p_occ) == 0
    assert _z(per, float(p_occ)) < 5
    occ, st = [], res.state
    for t in np.arange(225.0, 325.0, 5.0):
        r = sim.run(times=[t], state=st)
        st = r.state
        occ.append((st["occ"] > 0).mean(1))
    assert _z(np.mean(occ, axis=0), float(p_occ)) < 5
    assert np.allclose(r.profile.mean(), N / L)


def test_ring_zero_range_linear_rate_is_independent_walkers():
    L, N, R = 5, 8, 300
    sim = compile_particles(ParticleSystem("zero_range", {1: N_FROM}, update="continuous"),
                            backend=BACKEND)
    per, res = _per_replica_current(sim, R, L, N, 5.0, 55.0, seed=4)
    assert _z(per, N / L) < 5  # E[g(n)] = E[n] = N / L
    occ, st = [], res.state
    for t in np.arange(56.0, 96.0, 2.0):
        st = sim.run(times=[t], state=st).state
        occ.append((st["occ"] > 0).mean(1))
    assert _z(np.mean(occ, axis=0), 1 - (1 - 1 / L) ** N) < 5


def _parallel_tasep_exact_current(L: int, N: int, p: float) -> float:
    configs = [c for c in itertools.product((0, 1), repeat=L) if sum(c) == N]
    index = {c: i for i, c in enumerate(configs)}
    T = np.zeros((len(configs), len(configs)))
    movers = []
    for c in configs:
        m = [i for i in range(L) if c[i] == 1 and c[(i + 1) % L] == 0]
        movers.append(len(m))
        for moved in itertools.product((0, 1), repeat=len(m)):
            new = list(c)
            for i, go in zip(m, moved, strict=True):
                if go:
                    new[i], new[(i + 1) % L] = 0, 1
            k = sum(moved)
            T[index[c], index[tuple(new)]] += p ** k * (1 - p) ** (len(m) - k)
    pi = _stationary(T, generator=False)
    return float(pi @ (p * np.array(movers)) / L)


def test_parallel_tasep_current_differs_from_random_sequential():
    L, N, p = 8, 4, 0.5
    sim = compile_particles(ParticleSystem("exclusion", {1: P}, update="parallel"),
                            backend=BACKEND)
    per, _ = _per_replica_current(sim, 300, L, N, 20.0, 220.0, seed=5, params={"p": p})
    exact = _parallel_tasep_exact_current(L, N, p)
    random_sequential = p * N * (L - N) / (L * (L - 1))
    assert abs(exact - random_sequential) > 0.01  # the update rule changes the current
    assert _z(per, exact) < 5
    assert _z(per, random_sequential) > 10


def test_open_tasep_current():
    L, alpha, beta = 5, 0.7, 0.4
    system = ParticleSystem("exclusion", {1: 1}, update="continuous", boundary="open",
                            reservoirs={"alpha": alpha, "beta": beta})
    configs = list(itertools.product((0, 1), repeat=L))
    index = {c: i for i, c in enumerate(configs)}
    G = np.zeros((2 ** L, 2 ** L))
    for c in configs:
        def add(new, rate, c=c):
            G[index[c], index[tuple(new)]] += rate
        if c[0] == 0:
            add((1,) + c[1:], alpha)
        if c[-1] == 1:
            add(c[:-1] + (0,), beta)
        for i in range(L - 1):
            if c[i] == 1 and c[i + 1] == 0:
                add(c[:i] + (0, 1) + c[i + 2:], 1.0)
    np.fill_diagonal(G, -G.sum(1))
    pi = _stationary(G, generator=True)
    exact = alpha * sum(pi[index[c]] for c in configs if c[0] == 0)
    sim = compile_particles(system, backend=BACKEND)
    per, res = _per_replica_current(sim, 300, L, 0, 20.0, 220.0, seed=6)
    assert _z(per, exact) < 5
    density = np.array([sum(pi[index[c]] * c[i] for c in configs) for i in range(L)])
    assert res.current.shape == (1, L + 1)
    assert np.all(np.abs(res.profile[0] - density) < 0.1)


def test_replicas_equal_on_every_backend_and_split_run():
    # thread-count independence is tested on walkers; the RNG makes replicas independent alike
    system = ParticleSystem("exclusion", {1: P, -1: Q}, update="random_sequential")
    kw = dict(L=12, initial=5, seed=8, params={"p": 1.0, "q": 0.5})
    a = compile_particles(system, backend="numba").run(40, times=[5.0, 10.0], **kw)
    b = compile_particles(system, backend=BACKEND).run(40, times=[5.0], **kw)
    b = compile_particles(system, backend=BACKEND).run(times=[10.0], state=b.state,
                                                       params=kw["params"])
    for other in (b,):
        assert np.array_equal(a.state["occ"], other.state["occ"])
        assert np.array_equal(a.state["cur"], other.state["cur"])


def test_parallel_exclusion_with_two_moves_is_refused():
    with pytest.raises(CodegenError, match="single move"):
        compile_particles(ParticleSystem("exclusion", {1: P, -1: Q}, update="parallel"))


@pytest.mark.parametrize("update", ["continuous", "parallel"])
def test_compiled_particles_equal_the_ir_interpreter(update):
    system = ParticleSystem("zero_range", {1: P * N_FROM / (1 + N_FROM), -1: Q},
                            update=update, boundary="open",
                            reservoirs={"alpha": 0.3, "beta": 0.4, "delta": 0.1})
    kw = dict(times=[3.0, 6.0], L=5, initial=[1, 0, 2, 0, 1], seed=5,
              params={"p": 0.5, "q": 0.25}, rate_bound=1.0)
    ref = compile_particles(system, backend="ir").run(3, **kw)
    got = compile_particles(system, backend=BACKEND).run(3, **kw)
    assert ref.events > 0
    for key in ("occ", "cur", "ctr", "att", "clock"):
        assert np.array_equal(got.state[key], ref.state[key])


def test_capped_occupancy_ring_is_uniform():
    # symmetric hops (rate 1 each way) with at most 2 particles a site: the generator is
    # symmetric, so the uniform law over admissible configurations is stationary. On a ring of
    # L = 3 with N = 3 these are (1,1,1) and the 6 orderings of (2,1,0): a site is empty with
    # probability 2/7
    L, N, cap = 3, 3, 2
    configs = [c for c in itertools.product(range(cap + 1), repeat=L) if sum(c) == N]
    p_empty = sum(c[0] == 0 for c in configs) / len(configs)
    assert sp.Rational(sum(c[0] == 0 for c in configs), len(configs)) == sp.Rational(2, 7)
    system = ParticleSystem("local", {1: 1, -1: 1}, update="continuous", max_occupancy=cap)
    sim = compile_particles(system, backend=BACKEND)
    res = sim.run(400, times=[5.0], L=L, initial=[1, 1, 1], seed=9)
    empty, st = [], res.state
    for t in np.arange(6.0, 46.0, 2.0):
        st = sim.run(times=[t], state=st).state
        assert st["occ"].max() <= cap
        empty.append((st["occ"] == 0).mean(1))
    assert _z(np.mean(empty, axis=0), p_empty) < 5
