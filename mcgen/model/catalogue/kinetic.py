"""Catalogue of velocity-carrying walks: persistent random walk, two- and three-velocity chains.

Each constructor returns a :class:`~mcgen.model.multistate_walk.MultiStateWalk`; the diffusive
and telegraph limits are derived by :mod:`mcgen.analysis.multistate_limit`, never declared here.
In every chain one step first updates the velocity, then moves the walker by the new velocity.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.multistate_walk import MultiStateWalk

__all__ = ["persistent_random_walk", "two_velocity", "three_velocity", "R", "OMEGA"]

R = sp.Symbol("r", positive=True)          # reversal probability
OMEGA = sp.Symbol("omega", positive=True)  # BGK relaxation parameter 1/tau
D1Q3_REST = sp.Rational(2, 3)  # rest weight of D1Q3: lattice sound speed c_s^2 = 1/3


def persistent_random_walk(r: Any = R) -> MultiStateWalk:
    """Velocity +-1; each step the velocity reverses with probability ``r``, then the walker
    moves one site along it. ``r`` in (0, 1]: r = 1/2 is the simple walk, r -> 0 ballistic."""
    r = sp.sympify(r)
    ranges = {r: sp.Interval.Lopen(0, 1)} if isinstance(r, sp.Symbol) else {}
    return MultiStateWalk({"right": {(1, "right"): 1 - r, (-1, "left"): r},
                           "left": {(-1, "left"): 1 - r, (1, "right"): r}},
                          ranges=ranges, name="persistent random walk")


def two_velocity(omega: Any = OMEGA) -> MultiStateWalk:
    """D1Q2 BGK chain for one particle: velocities +-1, relaxation ``omega`` = 1/tau towards
    the equilibrium (1/2, 1/2): keep the velocity with probability 1 - omega/2, take either
    with probability omega/2 each. The persistent walk with r = omega/2; omega in (0, 2]."""
    omega = sp.sympify(omega)
    ranges = {omega: sp.Interval.Lopen(0, 2)} if isinstance(omega, sp.Symbol) else {}
    keep, flip = 1 - omega / 2, omega / 2
    return MultiStateWalk({"right": {(1, "right"): keep, (-1, "left"): flip},
                           "left": {(-1, "left"): keep, (1, "right"): flip}},
                          ranges=ranges, name="two-velocity (D1Q2) chain")


def three_velocity(omega: Any = OMEGA, rest_weight: Any = D1Q3_REST) -> MultiStateWalk:
    """D1Q3 BGK chain for one particle: velocities -1, 0, +1 with equilibrium weights
    (w, w0, w), w = (1 - w0)/2 (w0 = 2/3: lattice sound speed c_s^2 = 1/3). Each step the
    velocity is kept with probability 1 - omega and redrawn from the weights with probability
    omega. As a Markov chain this needs 0 < omega <= 1/(1 - min weight) (6/5 for w0 = 2/3),
    narrower than the lattice-Boltzmann stability range omega < 2."""
    omega, w0 = sp.sympify(omega), sp.sympify(rest_weight)
    if not w0.is_number or not 0 < w0 < 1:
        raise ModelError(f"rest_weight = {w0}: give a number in (0, 1)")
    w = {"left": (1 - w0) / 2, "rest": w0, "right": (1 - w0) / 2}
    v = {"left": -1, "rest": 0, "right": 1}
    hi = 1 / (1 - min(w.values()))
    ranges = {omega: sp.Interval.Lopen(0, hi)} if isinstance(omega, sp.Symbol) else {}
    table = {s: {(v[s2], s2): (1 - omega if s2 == s else 0) + omega * w[s2] for s2 in v}
             for s in v}
    return MultiStateWalk(table, ranges=ranges, name="three-velocity (D1Q3) chain")
