"""Hydrodynamic limits of interacting particle systems (DESIGN section 1: not stencils).

Under Euler scaling the density follows the entropy solution of rho_t + J(rho)_x = 0, where J is
the expected current under the translation-invariant stationary measure at density rho. The flux
is labelled ``exact`` only after the candidate measure (Bernoulli product for exclusion, the
fugacity product for zero-range, a pair measure for parallel-update TASEP) is checked stationary,
symbolically, on small rings; otherwise it is the product-measure current labelled
``mean-field``. Under diffusive scaling a symmetric system gives a (possibly nonlinear)
diffusion; a fixed asymmetry under diffusive scaling is refused.
"""

from __future__ import annotations

import logging
import time
from typing import Any, cast

import sympy as sp

from mcgen.errors import LimitError, ModelError
from mcgen.model.law import Law
from mcgen.model.particle_system import ParticleSystem
from mcgen.model.symbols import N_AHEAD, N_BEHIND, N_FROM, N_TO
from mcgen.model.symbols import x as X
from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.proof.stationarity import ETA, ETA_NEXT

RHO = sp.Symbol("rho", nonnegative=True)
PHI = sp.Symbol("phi", nonnegative=True)  # fugacity
_N = sp.Symbol("n", integer=True, nonnegative=True)
_K = sp.Symbol("k", integer=True, positive=True)

# rings on which stationarity is decided (L sites, N particles)
EXCLUSION_RINGS = ((3, 1), (3, 2), (4, 2), (5, 2))
ZERO_RANGE_RINGS = ((3, 2), (3, 3), (4, 3))
ENTROPY_NOTE = ("the density follows the ENTROPY solution of the conservation law under Euler "
                "scaling (Rezakhanlou 1991, attractive systems; Kipnis-Landim ch. 8)")

__all__ = ["hydrodynamic_limit", "ring_current", "RHO", "PHI"]


def hydrodynamic_limit(ps: ParticleSystem, rho: sp.Symbol = RHO) -> Derivation:
    """The macroscopic law of a particle system, as a checked derivation.

    Parameters
    ----------
    ps : the particle system (update rule and scaling are part of it).
    rho : the density symbol of the resulting law.

    Returns
    -------
    Derivation whose ``result`` is a :class:`~mcgen.model.Law` in conservation form; ``meta``
    holds ``flux_label`` (``exact`` or ``mean-field``), ``solution`` (``entropy`` under Euler
    scaling) and, for zero-range, ``condensation``.
    """
    if not isinstance(ps, ParticleSystem):
        raise ModelError(f"hydrodynamic_limit needs a ParticleSystem, got {type(ps).__name__}")
    t0 = time.perf_counter()
    if ps.scaling == "diffusive":
        d = _diffusive(ps, rho)
    elif ps.kind == "zero_range":
        d = _zero_range_euler(ps, rho)
    elif ps.max_occupancy == 1:
        d = _exclusion_euler(ps, rho)
    elif ps.max_occupancy is None:
        raise LimitError(f"{ps.describe()}: no invariant-measure candidate for a 'local' rule "
                         "with unbounded occupation; declare it as kind='zero_range' (rates of "
                         "n_from only) or bound the occupation (max_occupancy=1)")
    else:
        raise LimitError(f"{ps.describe()}: no invariant-measure candidate for a 'local' rule "
                         f"with up to {ps.max_occupancy} particles a site; its flux has no "
                         "closed form in mcgen: learn it from Monte Carlo currents "
                         "(mcgen.run.montecarlo.ring_current, then mcgen.train.learn_flux)")
    # wall time to the log, not into the derivation (its JSON stays deterministic)
    logging.getLogger(__name__).debug("%s: %.4f s", d.title, time.perf_counter() - t0)
    return d


def ring_current(ps: ParticleSystem, L: int, N: int) -> sp.Expr:
    """Exact stationary current across one bond of a ring of ``L`` sites with ``N`` particles
    (per unit time, or per step for parallel update), from the invariant measure that
    :func:`hydrodynamic_limit` uses, after checking it is stationary on that ring.

    TASEP: N(L-N)/(L(L-1)); zero-range with g = 1: N/(N+L-1) (DESIGN section 6).
    """
    from mcgen.proof.stationarity import config_weight, configurations

    if set(ps.rates) - {1, -1}:
        raise LimitError("ring_current: nearest-neighbour moves (+1, -1) only")
    if ps.kind == "zero_range":
        G, _ = _zero_range_parts(ps)
        W = sp.Product(1 / G.subs(N_FROM, _K), (_K, 1, ETA))
    elif ps.update == "parallel" and set(ps.rates) in ({1}, {-1}):
        (k, r), = ps.rates.items()
        p = r.subs({N_FROM: 1, N_TO: 0})
        W = (1 - p) ** (ETA * ETA_NEXT)
    else:
        W = sp.S.One
    status = Check("ring_stationary", (ps, W, L, N)).run()
    if status != "proved":
        raise LimitError(f"the candidate measure is not stationary for {ps.describe()} on a "
                         f"ring of {L} sites with {N} particles ({status}): no exact current")
    confs = configurations(int(L), int(N), ps.max_occupancy)
    w = [config_weight(W, c) for c in confs]
    Z = sp.Add(*w)
    J = sp.S.Zero
    for c, wc in zip(confs, w, strict=True):
        for k, r in ps.rates.items():
            src, dst = (0, 1) if k == 1 else (1, 0)
            if c[src] > 0:
                J += k * wc * r.subs({N_FROM: c[src], N_TO: c[dst]})
    return sp.simplify(J / Z)


# ---------------------------------------------------------------- exclusion, Euler scaling


def _neighbour_mean(r: sp.Expr, rho: sp.Expr) -> sp.Expr:
    """E[r] over independent Bernoulli(rho) occupations n_behind, n_ahead (nearest-neighbour
    rules; r unchanged when it reads neither)."""
    for s in (N_BEHIND, N_AHEAD):
        if s in r.free_symbols:
            r = rho * r.subs(s, 1) + (1 - rho) * r.subs(s, 0)
    return r


def _exclusion_current(ps: ParticleSystem, rho: sp.Expr) -> sp.Expr:
    """sum_k k E[r_k(eta_0, eta_k, ...)] under independent Bernoulli(rho) occupations."""
    J = sp.S.Zero
    for k, r in ps.rates.items():
        r = _neighbour_mean(r, rho)
        for b in (0, 1):
            pb = rho if b else 1 - rho
            J += k * rho * pb * r.subs({N_FROM: 1, N_TO: b})
    return sp.factor(J)


def _exclusion_euler(ps: ParticleSystem, rho: sp.Symbol) -> Derivation:
    b = DerivationBuilder(f"Hydrodynamic limit of {ps.name or ps.kind}",
                          meta={"model_hash": ps.hash})
    i0 = b.define(ps.describe(), "the model: particles on a ring, at most one per site")
    if ps.boundary == "open":
        return _open_exclusion(ps, rho, b, i0)
    if ps.update == "parallel" and set(ps.rates) in ({1}, {-1}):
        return _parallel_tasep(ps, rho, b, i0)
    if ps.update == "parallel" and len(ps.rates) > 1:
        raise LimitError(f"{ps.describe()}: parallel update with moves in several directions "
                         "lets two particles claim one empty site; the rule does not say who "
                         "wins. Use random_sequential or continuous update, or a single "
                         "direction")
    J = _exclusion_current(ps, rho)
    prod_cases = tuple((L, N) for L, N in EXCLUSION_RINGS)
    chk = Check("rings_stationary", (ps, sp.S.One, prod_cases))
    status = chk.run()
    if status == "proved":
        i1 = b.step(f"the Bernoulli product measure (uniform on each ring with fixed N) is "
                    f"stationary under the {ps.update} dynamics on rings (L, N) in {prod_cases}",
                    "pi Q = 0 decided exactly on the ring generator", chk, [i0])
        label = "exact"
    else:
        L, N = next(((L, N) for L, N in prod_cases
                     if Check("ring_not_stationary", (ps, sp.S.One, L, N)).run() == "proved"),
                    (4, 2))
        i1 = b.step(f"the Bernoulli product measure is NOT stationary under the {ps.update} "
                    f"dynamics (ring L={L}, N={N})", "an exact nonzero component of pi Q",
                    Check("ring_not_stationary", (ps, sp.S.One, L, N)), [i0])
        label = "mean-field"
    terms = sp.Add(*[k * rho * (rho * _neighbour_mean(r, rho).subs({N_FROM: 1, N_TO: 1}) +
                                (1 - rho) * _neighbour_mean(r, rho).subs({N_FROM: 1, N_TO: 0}))
                     for k, r in ps.rates.items()])
    i2 = b.identity(terms, J, "J(rho) = sum_k k E_rho[rate_k(eta_0, eta_k)] with independent "
                    "Bernoulli(rho) occupations", [i1])
    sites = f"{min(L for L, _ in prod_cases)}-{max(L for L, _ in prod_cases)}"
    b.define(f"flux label: {label}: " + (
        f"the product measure is stationary on rings of {sites} sites (checked exactly, "
        f"(L, N) in {prod_cases}); theorem: Rezakhanlou 1991 (Euler-scale hydrodynamic limit)"
        if label == "exact" else
        "product-measure current; the product measure is not invariant for this update rule, "
        "so J is an approximation"),
        "labelling rule: a flux is called exact only after the product measure is checked "
        "stationary on small rings, otherwise mean-field")
    law = Law((rho,), (J,), coords=(X,), name=f"hydrodynamic limit of {ps.name or ps.kind}")
    b.step(ENTROPY_NOTE, "Euler scaling x = i/L, t = s/L", Check("follows"), [i2])
    return _finish(b, law, label)


def _parallel_tasep(ps: ParticleSystem, rho: sp.Symbol, b: DerivationBuilder,
                    i0: int) -> Derivation:
    """Parallel-update TASEP: the product measure is not stationary; the pair measure
    W = (1-p)^{eta_i eta_{i+1}} is, and gives J = (1 - sqrt(1 - 4 p rho (1 - rho)))/2."""
    (k, r), = ps.rates.items()
    p = r.subs({N_FROM: 1, N_TO: 0})
    sgn = sp.sign(k) * abs(k)
    if abs(k) != 1:
        raise LimitError("parallel exclusion with a jump longer than one site: no exact "
                         "invariant measure is known to mcgen; use jumps of +-1")
    i1 = b.step("the Bernoulli product measure is NOT stationary under parallel update "
                "(ring L=4, N=2)", "an exact nonzero component of pi P - pi",
                Check("ring_not_stationary", (ps, sp.S.One, 4, 2)), [i0])
    left, right = (ETA, ETA_NEXT) if k > 0 else (ETA_NEXT, ETA)
    W = (1 - p) ** (left * right)
    cases = ((3, 1), (3, 2), (4, 2), (5, 2), (5, 3))
    i2 = b.step(f"the pair measure with weight prod_i (1-p)^(eta_i eta_(i+1)) (p = {p}) is "
                f"stationary on rings (L, N) in {cases}", "pi P = pi decided exactly",
                Check("rings_stationary", (ps, W, cases)), [i0])
    z = sp.Symbol("z", positive=True)
    T = sp.ImmutableMatrix([[1, z], [1, z * (1 - p)]])
    i3 = b.identity(T[1, 1] * T[0, 0] / (T[1, 0] * T[0, 1]), 1 - p,
                    "transfer matrix T[a, b] = z^b (1-p)^(ab) of the grand-canonical pair "
                    "measure: P(11) P(00) / (P(10) P(01)) = T11 T00 / (T10 T01)", [i2])
    y = (1 - sp.sqrt(1 - 4 * p * rho * (1 - rho))) / (2 * p)
    i4 = b.identity(sp.expand((rho - y) * (1 - rho - y) - (1 - p) * y ** 2), 0,
                    "y = P(10) solves (rho - y)(1 - rho - y) = (1 - p) y^2 (P(11) = rho - y, "
                    "P(00) = 1 - rho - y, P(01) = P(10)); the root in [0, min(rho, 1-rho)]",
                    [i3])
    J = sgn * (1 - sp.sqrt(1 - 4 * p * rho * (1 - rho))) / 2
    i5 = b.identity(sgn * p * y, J, "J = p P(particle followed by a hole)", [i4])
    b.define(f"flux label: exact (pair measure); the mean-field product current "
             f"{sgn * p * rho * (1 - rho)} is NOT the flux of the parallel update",
             "labelling rule: the pair measure is checked stationary on small rings above")
    b.step(ENTROPY_NOTE, "Euler scaling", Check("follows"), [i1, i5])
    law = Law((rho,), (J,), coords=(X,), name=f"hydrodynamic limit of {ps.name}")
    return _finish(b, law, "exact")


def _open_exclusion(ps: ParticleSystem, rho: sp.Symbol, b: DerivationBuilder,
                    i0: int) -> Derivation:
    """Open TASEP: bulk flux from the ring, boundary densities alpha and 1 - beta, the
    stationary current from the extremal-current principle (entropy boundary conditions)."""
    if set(ps.rates) != {1} or ps.update == "parallel":
        raise LimitError("open boundaries: mcgen derives the limit of the open TASEP "
                         "(rates {1: 1}, continuous or random-sequential update) only")
    res = ps.reservoirs or {}
    if "alpha" not in res or "beta" not in res:
        raise ModelError("open TASEP needs reservoirs={'alpha': entry rate, 'beta': exit rate}")
    alpha, beta = res["alpha"], res["beta"]
    ring = ParticleSystem("exclusion", ps.rates, update=ps.update, name="bulk ring")
    bulk = _exclusion_euler(ring, rho)
    J = bulk.result.flux[0]
    i1 = b.step(f"bulk flux J(rho) = {J}, exact (ring derivation: status {bulk.status})",
                "the bulk dynamics is the ring's", Check("rings_stationary",
                                                         (ring, sp.S.One, EXCLUSION_RINGS)),
                [i0])
    rl, rr = alpha, 1 - beta
    i2 = b.define(f"boundary densities rho(0) = {rl}, rho(1) = {rr} (reservoirs), imposed "
                  "in the Bardos-LeRoux-Nedelec (entropy) sense", "boundary reservoirs")
    f = sp.Lambda(RHO, J.subs(rho, RHO))
    # concave J with maximum at 1/2: max over [rr, rl] and min over [rl, rr] in closed form
    jmax = f(sp.Min(sp.Max(sp.Rational(1, 2), rr), rl))
    jmin = sp.Min(f(rl), f(rr))
    current = sp.Piecewise((jmax, rl >= rr), (jmin, True))
    b.step(sp.Eq(sp.Symbol("J_stationary"), current, evaluate=False),
           "extremal-current principle (Krug 1991; Popkov-Schuetz 1999): max of J over "
           "[rho_R, rho_L] if rho_L >= rho_R, min over [rho_L, rho_R] otherwise; phases: low "
           "density alpha < min(beta, 1/2), high density beta < min(alpha, 1/2), maximal "
           "current alpha, beta >= 1/2", Check("follows"), [i1, i2])
    b.step(ENTROPY_NOTE, "Euler scaling", Check("follows"), [i1])
    law = Law((rho,), (J,), coords=(X,), name=f"hydrodynamic limit of {ps.name}")
    d = _finish(b, law, "exact")
    from dataclasses import replace
    return replace(d, meta={**d.meta, "stationary_current": current,
                            "boundary_densities": (rl, rr)})


# ---------------------------------------------------------------- zero-range


def _zero_range_parts(ps: ParticleSystem) -> tuple[sp.Expr, dict[int, sp.Expr]]:
    """Total departure rate G(n) and the direction probabilities c_k = rate_k / G."""
    G = sp.simplify(sp.Add(*ps.rates.values()))
    cs = {}
    for k, r in ps.rates.items():
        c = sp.simplify(r / G)
        if N_FROM in c.free_symbols:
            raise LimitError(f"zero-range move {k:+d}: rate {r} is not (constant) x g(n); the "
                             "product measure needs rates c_k g(n_from)")
        cs[k] = c
    return G, cs


def _fugacity_series(G: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Z(phi) = sum_n phi^n / (G(1) ... G(n)) as a Sum, and its closed form when SymPy finds one."""
    gfac = sp.product(G.subs(N_FROM, _K), (_K, 1, _N))
    Zsum = sp.Sum(PHI ** _N / gfac, (_N, 0, sp.oo))
    try:
        Z = sp.summation(PHI ** _N / gfac, (_N, 0, sp.oo))
    except (NotImplementedError, ValueError, TypeError):
        Z = Zsum
    if isinstance(Z, sp.Piecewise):
        Z = Z.args[0][0]
    return Zsum, Z


def _condensation(G: sp.Expr) -> dict[str, Any]:
    """phi_c = lim G(n); at phi_c, Raabe's test on sum_n n phi_c^n / G!(n) decides whether the
    critical density is finite (condensation above it)."""
    n = sp.Symbol("n", positive=True)
    Gn = G.subs(N_FROM, n)
    phic = sp.limit(Gn, n, sp.oo)
    if phic is sp.oo or not phic.is_finite:
        return {"condenses": sp.false, "phi_c": phic, "reason": "g(n) -> oo: Z(phi) is entire"}
    raabe = sp.limit(n * (n * Gn.subs(n, n + 1) / ((n + 1) * phic) - 1), n, sp.oo)
    cond = sp.simplify(sp.Gt(raabe, 1))
    return {"condenses": cond, "phi_c": phic, "raabe": raabe,
            "reason": f"phi_c = lim g(n) = {phic}; Raabe's constant of sum n phi_c^n/g!(n) is "
                      f"{raabe}: the critical density is finite (condensation above it) iff "
                      f"{cond} (the test is inconclusive where it equals 1)"}


def _critical_density(G: sp.Expr, phic: sp.Expr) -> sp.Expr | None:
    gfac = sp.product(G.subs(N_FROM, _K), (_K, 1, _N))
    try:
        z0 = sp.summation(phic ** _N / gfac, (_N, 0, sp.oo))
        z1 = sp.summation(_N * phic ** _N / gfac, (_N, 0, sp.oo))
    except (NotImplementedError, ValueError, TypeError):
        return None
    out = []
    for z in (z0, z1):
        if isinstance(z, sp.Piecewise):
            z = z.args[0][0]
        z = sp.hyperexpand(z)
        if z.has(sp.Sum, sp.hyper):
            return None
        out.append(z)
    return sp.simplify(sp.gammasimp(out[1] / out[0]))


def _zero_range_euler(ps: ParticleSystem, rho: sp.Symbol) -> Derivation:
    if ps.update != "continuous":
        raise LimitError("zero-range: mcgen derives the continuous-time limit only; declare "
                         "update='continuous'")
    if ps.boundary != "periodic":
        raise LimitError("zero-range with open boundaries: not derived (the bulk law is the "
                         "ring's; declare boundary='periodic')")
    b = DerivationBuilder(f"Hydrodynamic limit of {ps.name or 'zero-range process'}",
                          meta={"model_hash": ps.hash})
    i0 = b.define(ps.describe(), "the model")
    G, cs = _zero_range_parts(ps)
    W = sp.Product(1 / G.subs(N_FROM, _K), (_K, 1, ETA))
    chk = Check("rings_stationary", (ps, W, ZERO_RANGE_RINGS))
    st = chk.run()
    label = "exact" if st == "proved" else "mean-field"
    i1 = b.step(f"the product measure with one-site weights phi^n / (g(1) ... g(n)), g = {G}, "
                f"is {'' if st == 'proved' else 'NOT (or not shown to be) '}stationary on rings "
                f"(L, N) in {ZERO_RANGE_RINGS}", "pi Q = 0 decided exactly (canonical form)",
                chk if st == "proved" else Check("sampled"), [i0])
    Zsum, Z = _fugacity_series(G)
    i2 = b.define(sp.Eq(sp.Symbol("Z"), Zsum, evaluate=False),
                  "partition function of the one-site marginal (fugacity phi)")
    drift = sp.Add(*[k * c for k, c in cs.items()])
    i3 = b.step(f"E_phi[g(eta_0)] = phi, so J = (sum_k k c_k) phi = {drift} phi",
                "E_phi[g(n)] = sum_n g(n) phi^n/g!(n) / Z = phi Z / Z", Check("follows"),
                [i1, i2])
    rho_of_phi = sp.simplify(PHI * sp.diff(Z, PHI) / Z) if not Z.has(sp.Sum) else None
    phi_expr = None
    if rho_of_phi is not None and not rho_of_phi.has(sp.hyper, sp.log):
        sols = [s for s in sp.solve(sp.Eq(rho, rho_of_phi), PHI)
                if sp.simplify(s.subs(rho, 1)).is_positive]
        if len(sols) == 1:
            phi_expr = sp.simplify(sols[0])
    if phi_expr is not None:
        i4 = b.identity(cast(sp.Expr, rho_of_phi).subs(PHI, phi_expr), rho,
                        f"rho(phi) = phi Z'(phi)/Z(phi) = {rho_of_phi}, inverted: "
                        f"phi(rho) = {phi_expr}", [i2])
        J = sp.simplify(drift * phi_expr)
        flux_form = "explicit"
    else:
        i4 = b.define("rho(phi) = phi Z'(phi)/Z(phi) (parametric form; no closed inverse)",
                      "density as a function of the fugacity")
        J = drift * sp.Function("phi")(rho)
        flux_form = "parametric"
    cond = _condensation(G)
    b.define(f"condensation: {cond['reason']}", "grand-canonical measures exist for "
             "phi < phi_c only")
    rho_c = None
    if cond["condenses"] is not sp.false:
        rho_c = _critical_density(G, cond["phi_c"])
        if rho_c is not None:
            b.define(f"critical density rho_c = rho(phi_c) = {rho_c} (where it is finite)",
                     "sums at phi_c evaluated in closed form")
    attractive = sp.simplify(G.subs(N_FROM, N_FROM + 1) - G)
    b.step(ENTROPY_NOTE + ("" if attractive.is_nonnegative else
                           "; here g is not non-decreasing, so the system is not attractive "
                           "and the entropy-solution theorem is not proved for it"),
           "Euler scaling", Check("follows"), [i3, i4])
    law = Law((rho,), (J,), coords=(X,), name=f"hydrodynamic limit of {ps.name}")
    d = _finish(b, law, label)
    from dataclasses import replace
    return replace(d, meta={**d.meta, "flux_form": flux_form, "rho_of_phi": rho_of_phi,
                            "condensation": cond["condenses"], "phi_c": cond["phi_c"],
                            "rho_c": rho_c})


# ---------------------------------------------------------------- diffusive scaling


def _diffusive(ps: ParticleSystem, rho: sp.Symbol) -> Derivation:
    if ps.lattice_size is not None:
        from mcgen.analysis.weak_asymmetry import weakly_asymmetric_limit
        return weakly_asymmetric_limit(ps, rho, EXCLUSION_RINGS)
    b = DerivationBuilder(f"Diffusive limit of {ps.name or ps.kind}", meta={"model_hash": ps.hash})
    i0 = b.define(ps.describe(), "the model, diffusive scaling x = i/L, t = s/L^2")
    if ps.kind == "zero_range":
        G, cs = _zero_range_parts(ps)
        drift = sp.simplify(sp.Add(*[k * c for k, c in cs.items()]))
    else:
        if ps.max_occupancy != 1:
            raise LimitError("diffusive limit: exclusion or zero-range systems only")
        rates0 = {k: r.subs({N_FROM: 1, N_TO: 0}) for k, r in ps.rates.items()}
        drift = sp.simplify(sp.Add(*[k * c for k, c in rates0.items()]))
    if drift != 0:
        raise LimitError(f"{ps.describe()}: mean drift {drift} != 0 under diffusive scaling: "
                         "the current diverges like L. Use scaling='euler' (hyperbolic limit) "
                         "or a weak asymmetry p - q = E/N (rates 1/2 +- E/(2N), declared with "
                         "lattice_size=N)")
    b.identity(drift, 0, "the mean drift vanishes (symmetric rates)", [i0])
    if ps.kind == "zero_range":
        D = sp.Rational(1, 2) * sp.Add(*[k ** 2 * c for k, c in cs.items()])
        _, Z = _fugacity_series(G)
        rho_of_phi = sp.simplify(PHI * sp.diff(Z, PHI) / Z)
        sols = [s for s in sp.solve(sp.Eq(rho, rho_of_phi), PHI)
                if sp.simplify(s.subs(rho, 1)).is_positive]
        phi = sp.simplify(sols[0]) if len(sols) == 1 else sp.Function("phi")(rho)
        b.step("gradient condition: E[current] = c(g(eta_x) - g(eta_(x+1))); E_phi[g] = phi",
               "zero-range is a gradient system", Check("follows"), [i0])
        law = Law((rho,), (0,), diffusion=sp.simplify(D * phi / rho), diffusion_form="ito",
                  coords=(X,), name=f"diffusive limit of {ps.name}")
        b.define(f"rho_t = {D} (phi(rho))_xx with phi(rho) = {phi}", "nonlinear diffusion "
                 "(Ito form (D(rho) rho)_xx with D(rho) rho = D phi(rho))")
        return _finish(b, law, "exact")
    a, c = sp.symbols("eta_a eta_b")
    i2 = b.identity(a * (1 - c) - c * (1 - a), a - c,
                    "the exclusion nonlinearity cancels: eta_a(1 - eta_b) - eta_b(1 - eta_a) "
                    "= eta_a - eta_b, so the expected current is linear (gradient system)", [i0])
    D = sp.Rational(1, 2) * sp.Add(*[k ** 2 * r for k, r in rates0.items()])
    i3 = b.identity(D, sp.Rational(1, 2) * sp.Add(*[k ** 2 * r for k, r in rates0.items()]),
                    "D = (1/2) sum_k k^2 c_k (second moment of the jump rates)", [i2])
    law = Law((rho,), (0,), diffusion=D, diffusion_form="fick", coords=(X,),
              name=f"diffusive limit of {ps.name}")
    b.step(f"rho_t = {D} rho_xx", "linear heat equation (Kipnis-Landim ch. 4)",
           Check("follows"), [i3])
    return _finish(b, law, "exact")


def _finish(b: DerivationBuilder, law: Law, label: str) -> Derivation:
    b.meta.update({"flux_label": label,
                   "solution": "entropy" if not law.diffusion or
                   all(e == 0 for e in law.diffusion) else "classical"})
    b.conclude(law, reason="the limit law: the flux and diffusion derived above")
    return b.finish(law)
