"""Exact stationarity of a candidate measure for a particle system on a small ring.

The candidate is given by a pair weight ``W(eta_i, eta_{i+1})`` (a product measure uses only
``eta_i``): a configuration on the ring of ``L`` sites with ``N`` particles has weight
``prod_i W(eta_i, eta_{i+1})``. The procedure builds the generator (continuous time,
random-sequential update) or the transition matrix (parallel update) on that ring and decides
``pi Q = 0`` (resp. ``pi P = pi``) exactly, component by component, with ``cancel``.

The system is passed as data (a ``ParticleSystem`` is serializable); it is read by duck typing
so this module imports nothing from the model layer.
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp

from mcgen.proof.check import is_zero, register_check

# the occupation symbols the model layer uses (same names and assumptions -> the same symbols)
N_FROM = sp.Symbol("n_from", integer=True, nonnegative=True)
N_TO = sp.Symbol("n_to", integer=True, nonnegative=True)
N_BEHIND = sp.Symbol("n_behind", integer=True, nonnegative=True)
N_AHEAD = sp.Symbol("n_ahead", integer=True, nonnegative=True)
# the symbols a candidate weight is written in
ETA = sp.Symbol("eta_i", integer=True, nonnegative=True)
ETA_NEXT = sp.Symbol("eta_next", integer=True, nonnegative=True)
# bounds on what a re-checked file may ask for (mcgen's own rings: L <= 5, at most 256 vectors)
MAX_RING_SITES = 8
MAX_STATES = 4096  # occupation vectors enumerated before the particle-number filter
MAX_RINGS = 32


def configurations(L: int, N: int, max_occupancy: int | None) -> list[tuple[int, ...]]:
    """All occupation vectors of ``N`` particles on ``L`` sites (at most ``max_occupancy`` each)."""
    cap = N if max_occupancy is None else max_occupancy
    out = []
    for c in itertools.product(range(cap + 1), repeat=L):
        if sum(c) == N:
            out.append(c)
    return out


def config_weight(weight: sp.Expr, c: tuple[int, ...]) -> sp.Expr:
    """``prod_i W(c_i, c_{i+1})`` on the ring (indices mod L)."""
    L = len(c)
    out = sp.S.One
    for i in range(L):
        w = sp.sympify(weight).subs({ETA: c[i], ETA_NEXT: c[(i + 1) % L]})
        out *= w.doit() if isinstance(w, sp.Basic) else w
    return out


def _rate(system: Any, k: int, c: tuple[int, ...], i: int) -> sp.Expr:
    """Rate of the move of a particle at site i by k in configuration c (ring indices), with
    the neighbour occupations n_behind = c[i - sign k] and n_ahead = c[i + k + sign k]."""
    L, s = len(c), (1 if k > 0 else -1)
    if c[i] == 0:
        return sp.S.Zero
    r = sp.sympify(system.rates[k]).subs({N_FROM: c[i], N_TO: c[(i + k) % L],
                                          N_BEHIND: c[(i - s) % L], N_AHEAD: c[(i + k + s) % L]})
    return r.doit() if isinstance(r, sp.Basic) else sp.sympify(r)


def _moves_continuous(system: Any, c: tuple[int, ...]) -> list[tuple[tuple[int, ...], sp.Expr]]:
    L, out = len(c), []
    for i in range(L):
        for k in system.rates:
            j = (i + k) % L
            if j == i:
                continue
            r = _rate(system, k, c, i)
            if r == 0:
                continue
            new = list(c)
            new[i] -= 1
            new[j] += 1
            if system.max_occupancy is not None and new[j] > system.max_occupancy:
                continue
            out.append((tuple(new), r))
    return out


def _moves_parallel(system: Any, c: tuple[int, ...]
                    ) -> list[tuple[tuple[int, ...], sp.Expr]] | None:
    """Every site acts at once with the probabilities read from the configuration at the start
    of the step; None when two particles can claim one target (the rule is then ambiguous)."""
    L = len(c)
    choices = []
    for i in range(L):
        opts: list[tuple[int | None, sp.Expr]] = []
        stay = sp.S.One
        for k in system.rates:
            j = (i + k) % L
            r = _rate(system, k, c, i)
            if r != 0:
                opts.append((j, r))
                stay -= r
        opts.append((None, stay))
        choices.append(opts)
    out = []
    for combo in itertools.product(*choices):
        prob = sp.S.One
        new = list(c)
        targets = []
        for i, (j, pr) in enumerate(combo):
            prob *= pr
            if j is not None:
                new[i] -= 1
                new[j] += 1
                targets.append(j)
        if system.max_occupancy is not None and len(targets) != len(set(targets)):
            return None
        if system.max_occupancy is not None and any(n > system.max_occupancy for n in new):
            return None
        out.append((tuple(new), prob))
    return out


def stationarity_residuals(system: Any, weight: sp.Expr, L: int, N: int) -> list[sp.Expr] | None:
    """``(pi Q)(c)`` (continuous, random-sequential) or ``(pi P - pi)(c)`` (parallel) for every
    configuration ``c``; None when the parallel rule has conflicting moves."""
    confs = configurations(int(L), int(N), system.max_occupancy)
    index = {c: n for n, c in enumerate(confs)}
    pi = [config_weight(weight, c) for c in confs]
    res = [sp.S.Zero] * len(confs)
    for n, c in enumerate(confs):
        if system.update == "parallel":
            moves = _moves_parallel(system, c)
            if moves is None:
                return None
            res[n] -= pi[n]
            for new, pr in moves:
                res[index[new]] += pi[n] * pr
        else:
            # random-sequential: P = I + Q/L has the same stationary measures as Q
            for new, r in _moves_continuous(system, c):
                res[index[new]] += pi[n] * r
                res[n] -= pi[n] * r
    return res


@register_check("ring_stationary",
                "the candidate measure is stationary on a ring of L sites with N particles "
                "(generator or transition matrix built exactly, pi Q = 0 decided by cancel)")
def _ring_stationary(system: Any, weight: sp.Expr, L: Any, N: Any) -> str:
    L, N = int(L), int(N)
    cap = getattr(system, "max_occupancy", None)
    cap = N if cap is None else int(cap)
    # the ring's state space is enumerated: a re-checked file cannot ask for an enormous one
    if not (1 <= L <= MAX_RING_SITES and 0 <= N and 0 <= cap and (cap + 1) ** L <= MAX_STATES):
        return "unknown"
    res = stationarity_residuals(system, weight, L, N)
    if res is None:
        return "unknown"
    statuses = [is_zero(r) for r in res]
    if all(s == "proved" for s in statuses):
        return "proved"
    if any(s == "refuted" for s in statuses):
        return "refuted"
    return "unknown"


@register_check("ring_not_stationary",
                "the candidate measure is NOT stationary on a ring of L sites with N particles "
                "(an exact nonzero component of pi Q is exhibited)")
def _ring_not_stationary(system: Any, weight: sp.Expr, L: Any, N: Any) -> str:
    s = _ring_stationary(system, weight, L, N)
    return "proved" if s == "refuted" else "unknown"


@register_check("rings_stationary",
                "the candidate measure is stationary on every ring of the listed sizes, for "
                "every particle number listed (each decided exactly)")
def _rings_stationary(system: Any, weight: sp.Expr, cases: Any) -> str:
    if len(cases) > MAX_RINGS:
        return "unknown"
    out = [_ring_stationary(system, weight, L, N) for L, N in cases]
    if all(s == "proved" for s in out):
        return "proved"
    if any(s == "refuted" for s in out):
        return "refuted"
    return "unknown"
