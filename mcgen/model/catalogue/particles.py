"""Catalogue of interacting particle systems: TASEP, ASEP, SSEP, zero-range, open TASEP, KLS.

Each constructor returns a :class:`~mcgen.model.ParticleSystem`; the macroscopic law is derived
by :func:`mcgen.analysis.particle_limit.hydrodynamic_limit`, never declared here.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.particle_system import ParticleSystem
from mcgen.model.symbols import N_AHEAD, N_BEHIND, N_FROM

__all__ = ["tasep", "asep", "ssep", "wasep", "zero_range", "open_tasep", "kls", "P", "Q",
           "ALPHA", "BETA", "E", "N"]

P = sp.Symbol("p", positive=True)
Q = sp.Symbol("q", nonnegative=True)
ALPHA = sp.Symbol("alpha", positive=True)
BETA = sp.Symbol("beta", positive=True)
HALF = sp.Rational(1, 2)
E = sp.Symbol("E", real=True)        # strength of the weak asymmetry
N = sp.Symbol("N", positive=True)    # sites per unit length


def tasep(update: str = "continuous", p: Any = 1) -> ParticleSystem:
    """Totally asymmetric simple exclusion: jump right with rate (or probability) ``p`` when the
    target is empty. ``update`` is ``continuous``, ``random_sequential`` or ``parallel``."""
    return ParticleSystem("exclusion", {1: p}, update=update, scaling="euler",
                          name=f"TASEP ({update})")


def asep(p: Any = P, q: Any = Q, update: str = "continuous") -> ParticleSystem:
    """Asymmetric simple exclusion: rate ``p`` to the right, ``q`` to the left."""
    return ParticleSystem("exclusion", {1: p, -1: q}, update=update, scaling="euler",
                          name="ASEP")


def ssep(rate: Any = HALF) -> ParticleSystem:
    """Symmetric simple exclusion, ``rate`` to each side (1/2 by default), diffusive scaling."""
    return ParticleSystem("exclusion", {1: rate, -1: rate}, scaling="diffusive", name="SSEP")


def wasep(E: Any = E, N: sp.Symbol = N) -> ParticleSystem:
    """Weakly asymmetric simple exclusion: rate 1/2 + E/(2N) to the right, 1/2 - E/(2N) to the
    left, diffusive scaling (x = i/N, time sped up by N^2). The limit is derived, not declared
    (:func:`mcgen.analysis.particle_limit.hydrodynamic_limit`)."""
    return ParticleSystem("exclusion", {1: HALF + E / (2 * N), -1: HALF - E / (2 * N)},
                          scaling="diffusive", lattice_size=N, name="WASEP")


def zero_range(g: Any = 1, p: Any = 1, q: Any = 0, update: str = "continuous",
               scaling: str = "euler") -> ParticleSystem:
    """Zero-range process: a site with ``n`` particles sends one to the right at rate
    ``p g(n)`` and to the left at rate ``q g(n)``; ``g`` is a SymPy expression of ``N_FROM``
    (``1`` for independent-queue servers, ``1 + b/N_FROM`` for the condensing family)."""
    g = sp.sympify(g)
    if g.free_symbols - {N_FROM} and not all(s.is_positive or s.is_nonnegative
                                              for s in g.free_symbols - {N_FROM}):
        raise ModelError(f"zero-range departure rate g = {g}: declare its parameters with "
                         "sign assumptions (sp.Symbol('b', positive=True))")
    rates = {}
    if sp.sympify(p) != 0:
        rates[1] = sp.sympify(p) * g
    if sp.sympify(q) != 0:
        rates[-1] = sp.sympify(q) * g
    if not rates:
        raise ModelError("zero_range with p = q = 0 has no moves: give p (right) or q (left)")
    return ParticleSystem("zero_range", rates, update=update, scaling=scaling,
                          name=f"zero-range g={sp.sstr(g)}")


def open_tasep(alpha: Any = ALPHA, beta: Any = BETA) -> ParticleSystem:
    """TASEP on a segment: particles enter at the left at rate ``alpha`` (when site 1 is empty)
    and leave at the right at rate ``beta``."""
    return ParticleSystem("exclusion", {1: 1}, boundary="open",
                          reservoirs={"alpha": alpha, "beta": beta}, name="open TASEP")


def kls(delta: Any, epsilon: Any = 0) -> ParticleSystem:
    """Katz-Lebowitz-Spohn driven lattice gas: TASEP with nearest-neighbour interaction. A
    particle jumps to the empty site on its right with a rate set by the site behind it and the
    site beyond the target (Hager, Krug, Popkov, Schuetz 2001)::

        1100 -> 1010: 1 + delta    0101 -> 0011: 1 - delta
        0100 -> 0010: 1 + epsilon  1101 -> 1011: 1 - epsilon

    with |delta|, |epsilon| <= 1. The Bernoulli product measure is not stationary (unless
    delta = epsilon = 0); the hydrodynamic limit labels its product current ``mean-field``.
    """
    d, e = sp.sympify(delta), sp.sympify(epsilon)
    for name, v in (("delta", d), ("epsilon", e)):
        if v.is_number and abs(v) > 1:
            raise ModelError(f"KLS {name} = {v}: rates 1 +- {name} need |{name}| <= 1")
    b, a = N_BEHIND, N_AHEAD
    rate = ((1 + d) * b * (1 - a) + (1 - d) * (1 - b) * a
            + (1 + e) * (1 - b) * (1 - a) + (1 - e) * b * a)
    return ParticleSystem("exclusion", {1: rate}, scaling="euler",
                          name=f"KLS (delta={sp.sstr(d)}, epsilon={sp.sstr(e)})")
