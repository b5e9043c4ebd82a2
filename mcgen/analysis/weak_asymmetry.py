"""Weakly asymmetric exclusion under diffusive scaling: viscous Burgers, as a checked derivation.

Rates r_k = c_k + a_k/N + O(1/N^2) with a symmetric part of zero drift (sum_k k c_k = 0), space
x = i/N and time sped up by N^2. Under the Bernoulli product measure with a slowly varying
profile rho(x) the expected lattice equation is exact:

    d/dt E[eta_x] = N^2 sum_k r_k [rho(x - k/N)(1 - rho(x)) - rho(x)(1 - rho(x + k/N))],

whose Taylor expansion in 1/N gives rho_t + A (rho(1 - rho))_x = D rho_xx with
D = (1/2) sum_k k^2 c_k and A = sum_k k a_k. For p = 1/2 + E/(2N), q = 1/2 - E/(2N) (to the right
and left): rho_t + E (rho(1 - rho))_x = (1/2) rho_xx. The step from this local-equilibrium
computation to the limit theorem is Gaertner (1988) and De Masi, Presutti, Scacciatelli (1989)
(Kipnis-Landim, ch. 4 and 5), whose hypothesis (the product measures are invariant for the
finite-N dynamics) is checked exactly on small rings.
"""

from __future__ import annotations

import sympy as sp

from mcgen.analysis.jump_limit import S, _limit0
from mcgen.errors import LimitError
from mcgen.model.law import Law
from mcgen.model.particle_system import ParticleSystem
from mcgen.model.symbols import N_FROM, N_TO
from mcgen.model.symbols import x as X
from mcgen.proof import Check, Derivation, DerivationBuilder

__all__ = ["weakly_asymmetric_limit"]

THEOREM = ("hydrodynamic limit of weakly asymmetric exclusion: viscous Burgers (Gaertner 1988; "
           "De Masi-Presutti-Scacciatelli 1989; Kipnis-Landim ch. 4-5); hypothesis: Bernoulli "
           "product measures invariant")


def weakly_asymmetric_limit(ps: ParticleSystem, rho: sp.Symbol,
                            rings: tuple[tuple[int, int], ...]) -> Derivation:
    """Diffusive limit of an exclusion process whose rates depend on the lattice size N.

    ``rings`` are the (sites, particles) on which product-measure stationarity is decided.
    The result is a :class:`~mcgen.model.Law` rho_t + (A rho(1-rho))_x = D rho_xx.
    """
    N = ps.lattice_size
    if N is None or ps.scaling != "diffusive":
        raise LimitError("weak asymmetry needs scaling='diffusive' and lattice_size=N")
    if ps.kind != "exclusion" or ps.update != "continuous" or ps.boundary != "periodic":
        raise LimitError(f"{ps.describe()}: mcgen derives the weakly asymmetric limit for "
                         "continuous-time exclusion on a ring; declare kind='exclusion', "
                         "update='continuous', boundary='periodic'")
    for k, r in ps.rates.items():
        if sp.cancel(r - r.subs(N_TO, 0) * (1 - N_TO)) != 0:
            raise LimitError(f"move {k:+d}: rate {r} depends on the target beyond the "
                             "exclusion factor: not a simple exclusion rule")
    b = DerivationBuilder(f"Diffusive limit of {ps.name or 'weakly asymmetric exclusion'}",
                          meta={"model_hash": ps.hash})
    i0 = b.define(ps.describe(), f"the model, x = i/{N}, time sped up by {N}^2")
    c, a, uses = {}, {}, []
    for k, r in ps.rates.items():
        r0 = r.subs({N_FROM: 1, N_TO: 0}).xreplace({N: 1 / S})
        lim, ordr, lead = _limit0(r0)
        if lim is None:
            raise LimitError(f"rate of move {k:+d} grows like N^{-ordr}: rates must stay "
                             "bounded as N -> oo")
        a1 = _limit0(sp.cancel((r0 - lim) / S))[0]
        if a1 is None:
            raise LimitError(f"rate of move {k:+d} is {r}: its deviation from {lim} decays "
                             f"slower than 1/{N}; weak asymmetry needs rates c + a/{N} + "
                             f"O(1/{N}^2)")
        rest = sp.cancel((r0 - lim - a1 * S) / S ** 2)
        den0 = sp.factor(sp.fraction(sp.together(rest))[1].subs(S, 0))
        i = b.identity(r0, lim + a1 * S + S ** 2 * rest,
                       f"rate of move {k:+d} with 1/{N} = s: c = {lim}, a = {a1}, plus "
                       "s^2 times a remainder", uses=[i0])
        j = b.step(sp.Ne(den0, 0, evaluate=False), "the remainder is bounded as s -> 0",
                   Check("nonzero_for_positive_symbols", (den0,)))
        uses += [i, j]
        c[k], a[k] = lim, a1
    drift0 = sp.factor(sp.Add(*[k * v for k, v in c.items()]))
    if drift0 != 0:
        raise LimitError(f"{ps.describe()}: the O(1) part of the rates has drift {drift0} != 0 "
                         "under diffusive scaling: the current diverges like N. Make the "
                         f"asymmetry O(1/{N}) (rates 1/2 +- E/(2*{N})) or use scaling='euler'")
    i1 = b.identity(drift0, 0, "the symmetric part has no drift: sum_k k c_k = 0", uses=uses)
    chk = Check("rings_stationary", (ps, sp.S.One, rings))
    i2 = b.step(f"the Bernoulli product measure is stationary for the finite-{N} dynamics on "
                f"rings (sites, particles) in {rings}, for every value of the rates",
                "pi Q = 0 decided exactly on the ring generator", chk, [i0])
    D = sp.factor(sp.Rational(1, 2) * sp.Add(*[k ** 2 * v for k, v in c.items()]))
    A = sp.factor(sp.Add(*[k * v for k, v in a.items()]))
    # Taylor expansion of the expected lattice equation under the local product measure
    r0_, r1, r2, r3 = sp.symbols("rho0 rho_x rho_xx rho_xxx")

    def shifted(dx: sp.Expr) -> sp.Expr:
        return r0_ + dx * r1 + dx ** 2 / 2 * r2 + dx ** 3 / 6 * r3

    lattice = sp.S.Zero
    for k, r in ps.rates.items():
        rk = r.subs({N_FROM: 1, N_TO: 0}).xreplace({N: 1 / S})
        lattice += rk * (shifted(-k * S) * (1 - r0_) - r0_ * (1 - shifted(k * S)))
    lattice = sp.expand(lattice / S ** 2)
    rhs = D * r2 - A * (1 - 2 * r0_) * r1
    rest = sp.cancel((lattice - rhs) / S)
    den0 = sp.factor(sp.fraction(sp.together(rest))[1].subs(S, 0))
    i3 = b.identity(lattice, rhs + S * rest,
                    f"N^2 sum_k r_k [rho(x-k/N)(1-rho(x)) - rho(x)(1-rho(x+k/N))] (the exact "
                    f"expected lattice equation under a product measure, Taylor-expanded, "
                    f"s = 1/N) = D rho_xx - A (rho(1-rho))_x + s (...) with D = (1/2) sum k^2 c_k "
                    f"= {D}, A = sum k a_k = {A}", uses=[i1, i2])
    i4 = b.step(sp.Ne(den0, 0, evaluate=False), "the O(s) remainder is bounded as s -> 0",
                Check("nonzero_for_positive_symbols", (den0,)), uses=[i3])
    law = Law((rho,), (A * rho * (1 - rho),), diffusion=D, diffusion_form="fick", coords=(X,),
              name=f"diffusive limit of {ps.name or 'weakly asymmetric exclusion'}")
    b.step(f"rho_t + {A} (rho (1 - rho))_x = {D} rho_xx (viscous Burgers)", THEOREM,
           Check("follows"), [i3, i4])
    b.meta.update({"flux_label": "exact", "solution": "classical", "D": D, "asymmetry": A})
    return b.finish_concluded(law)
