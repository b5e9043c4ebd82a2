"""Limits of walks with an internal state (velocity), as checked derivations.

The position X_n of a :class:`~mcgen.model.multistate_walk.MultiStateWalk` is a Markov additive
process: its increments depend on the internal state chain P. The slow variable is the total
density (summed over states); the fast ones (fluxes, velocity moments) relax at the spectral gap
of P. Projecting on the slow variable (Kato's reduction of the Perron eigenvalue of the tilted
matrix P(z) = sum_k P_k e^{kz}, equivalently the Chapman-Enskog corrector g solving the Poisson
equation (I - P) g = v - mu) gives, per step, the mean velocity mu and the asymptotic variance

    sigma^2 = Var_pi(xi) + 2 sum_{n >= 1} Cov_pi(xi_0, xi_n)                    (Green-Kubo)
            = E_pi[(xi - mu)^2] + 2 pi (M_1 - mu P) (I - P + Pi)^{-1} (v - mu 1),

so that under diffusive scaling rho_t + b rho_x = D rho_xx with b = mu h/dt, D = sigma^2 h^2/(2 dt).
Under a kinetic scaling (switching probabilities ~ rate * dt, h = c dt) the state densities obey
f_t + V f_x = Q^T f, and the total density the hyperbolic equation det(d_t + V d_x - Q^T) rho = 0:
for the persistent walk, the Goldstein-Kac telegraph equation rho_tt + 2 lam rho_t = c^2 rho_xx.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sympy as sp

from mcgen.analysis.jump_limit import S, _limit0
from mcgen.errors import LimitError, ModelError
from mcgen.model.law import Law
from mcgen.model.multistate_walk import MultiStateWalk
from mcgen.model.symbols import t as T
from mcgen.model.symbols import x as X
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder

__all__ = ["stationary_distribution", "diffusive_limit", "telegraph_limit",
           "displacement_moments", "LAM", "C"]

LAM = sp.Symbol("lambda", positive=True)  # switching rate (per unit time)
C = sp.Symbol("c", positive=True)         # particle speed h/dt
_Z = sp.Symbol("z")
_SIG, _XI = sp.symbols("sigma xi")       # stand for d_t and d_x in operator symbols


def _check_walk(walk: Any) -> MultiStateWalk:
    if not isinstance(walk, MultiStateWalk):
        raise ModelError(f"expected a MultiStateWalk, got {type(walk).__name__}: build one "
                         "with mcgen.model.multistate_walk.MultiStateWalk or the catalogue "
                         "mcgen.model.catalogue.kinetic")
    return walk


def _solve_stationary(P: sp.Matrix) -> sp.Matrix:
    m = P.shape[0]
    pi = sp.symbols(f"pi0:{m}")
    eqs = list(sp.Matrix([pi]) * (P - sp.eye(m))) + [sum(pi) - 1]
    sol = sp.solve(eqs, pi, dict=True)
    if len(sol) != 1 or set(sol[0]) != set(pi):
        raise LimitError("the internal-state chain has no unique stationary law at generic "
                         "parameter values (it is reducible): the walk splits into separate "
                         "walks; model each one alone")
    return sp.Matrix([[sp.factor(sol[0][p]) for p in pi]])


def stationary_distribution(walk: MultiStateWalk) -> Derivation:
    """The stationary law pi of the internal-state chain (exact), checked pi P = pi, sum 1."""
    walk = _check_walk(walk)
    b = DerivationBuilder(f"Stationary law of the internal state of {walk.name or 'a walk'}",
                          meta={"model_hash": walk.hash})
    _stationary_steps(walk, b)
    pi = b.meta.pop("_pi")
    return b.finish_concluded(sp.ImmutableMatrix(pi))


def _stationary_steps(walk: MultiStateWalk, b: DerivationBuilder) -> list[int]:
    P = sp.Matrix(walk.state_matrix())
    m = P.shape[0]
    i0 = b.define(walk.describe(), "the declared walk: one step draws (offset, new state)")
    i1 = b.identity(P * sp.ones(m, 1), sp.ones(m, 1),
                    f"internal-state chain P = {sp.sstr(P)} (P[s, s'] = sum_k p(k, s'|s)) is "
                    "stochastic", uses=[i0])
    pi = _solve_stationary(P)
    i2 = b.identity(pi * P, pi, f"pi = {sp.sstr(pi)} is stationary: pi P = pi", uses=[i1])
    i3 = b.identity(sum(pi), 1, "pi is normalised", uses=[i2])
    b.meta["_pi"] = pi
    return [i2, i3]


def _ergodicity(walk: MultiStateWalk, P: sp.Matrix) -> sp.Expr:
    """c'(1) for the characteristic polynomial c of P: nonzero iff 1 is a simple eigenvalue
    (one closed class: the stationary law is unique and Z = (I - P + Pi)^{-1} exists)."""
    lam = sp.Symbol("mu_eig")
    cp = P.charpoly(lam).as_expr()
    return sp.factor(sp.diff(cp, lam).subs(lam, 1))


def diffusive_limit(walk: MultiStateWalk) -> Derivation:
    """The density limit of a multi-state walk, projected on the total density.

    Returns a :class:`Derivation` whose result is the law rho_t + (b rho)_x = (D rho)_xx (a
    :class:`~mcgen.model.Law`, forward reading) with b = mu h/dt, D = sigma^2 h^2/(2 dt) taken to
    the walk's scaling. ``meta`` holds ``pi``, ``mean_velocity`` (mu, sites per step),
    ``sigma2`` (asymptotic variance per step), ``D``, ``b``, ``validity`` (a
    :class:`~mcgen.proof.Condition`: the parameter range where the probabilities are valid and
    the internal chain has a unique stationary law) and ``nondegenerate`` (where also D > 0).

    Raises
    ------
    LimitError : reducible internal chain; a nonzero mean velocity under diffusive scaling.
    """
    walk = _check_walk(walk)
    b = DerivationBuilder(f"Diffusive limit of {walk.name or 'a multi-state walk'}",
                          meta={"model_hash": walk.hash, "scaling": walk.scaling,
                                "reading": "forward"})
    uses = _stationary_steps(walk, b)
    pi = b.meta.pop("_pi")
    P = sp.Matrix(walk.state_matrix())
    M1, M2 = sp.Matrix(walk.moment_matrix(1)), sp.Matrix(walk.moment_matrix(2))
    m = P.shape[0]
    one = sp.ones(m, 1)
    dc = _ergodicity(walk, P)
    # symbolic c'(1): decided for positive parameters where possible; otherwise the claim is
    # for generic values and the exact set where it holds is the validity condition below
    chk = Check("truth", (sp.Ne(dc, 0),)) if dc.is_number else \
        Check("nonzero_for_positive_symbols", (dc,))
    if not dc.is_number and chk.run() != "proved":
        chk = Check("follows")
    ie = b.step(sp.Ne(dc, 0, evaluate=False), "1 is a simple eigenvalue of P (c'(1) != 0 "
                "for its characteristic polynomial c)" + ("" if chk.kind != "follows" else
                                                  " for generic parameter values") +
                ": Pi = 1 pi is the spectral projection and I - P + Pi is invertible "
                "(Kemeny-Snell fundamental matrix)", chk, uses=uses)
    v = M1 * one  # mean displacement per step from each state
    mu = sp.factor((pi * v)[0])
    im = b.identity(mu, (pi * v)[0], f"mean velocity mu = pi v = {mu} sites per step, "
                    f"v(s) = sum p(k, s'|s) k = {sp.sstr(v.T)}", uses=uses)
    cvec = v - mu * one
    Pi = one * pi
    Zm = (sp.eye(m) - P + Pi).inv()
    g = (Zm * cvec).applyfunc(lambda e: sp.factor(sp.cancel(e)))
    ig = b.identity(((sp.eye(m) - P) * g).applyfunc(sp.cancel), cvec.applyfunc(sp.cancel),
                    f"Chapman-Enskog corrector g = (I - P + Pi)^(-1) (v - mu) = {sp.sstr(g.T)} "
                    "solves the Poisson equation (I - P) g = v - mu", uses=[ie, im])
    ig2 = b.identity((pi * g)[0], 0, "pi g = 0 (g has no component along the slow mode)",
                     uses=[ig])
    var = (pi * M2 * one)[0] - mu ** 2
    cov = (pi * (M1 - mu * P) * g)[0]
    sigma2 = sp.factor(sp.cancel(var + 2 * cov))
    i_gk = b.identity(sigma2, var + 2 * cov,
                      "Green-Kubo: sigma^2 = Var_pi(xi) + 2 sum_(n>=1) Cov_pi(xi_0, xi_n), the "
                      "covariance sum being pi (M_1 - mu P) sum_(n>=0) P^n (v - mu) = "
                      f"pi (M_1 - mu P) g; sigma^2 = {sigma2}", uses=[ig, ig2])
    # Kato: the Perron eigenvalue of P(z) is 1 + mu z + (sigma^2 + mu^2) z^2/2 + O(z^3)
    lam_z = 1 + mu * _Z + (sigma2 + mu ** 2) / 2 * _Z ** 2
    # e^(kz) = 1 + kz + k^2 z^2/2 + O(z^3), so P(z) = P + M_1 z + M_2 z^2/2 + O(z^3)
    Pz = P + M1 * _Z + M2 * _Z ** 2 / 2
    F = sp.expand((lam_z * sp.eye(m) - Pz).det(method="berkowitz"))
    coeffs = tuple(sp.cancel(F.coeff(_Z, j)) for j in range(3))
    ik = b.step(f"det(lambda(z) I - P(z)) = O(z^3) for lambda(z) = {sp.sstr(lam_z)}",
                "Kato's reduction (analytic perturbation of the simple eigenvalue 1 of "
                "P(z) = sum_k P_k e^(kz)): log lambda(z) is the cumulant generating function "
                "per step, so its z and z^2 coefficients are mu and sigma^2/2; an independent "
                "check of the Green-Kubo value", Check("identity", (coeffs, (0, 0, 0))),
                uses=[i_gk, ie])
    h, dt = walk.h, walk.dt
    bdrift, D = sp.factor(mu * h / dt), sp.factor(sigma2 * h ** 2 / (2 * dt))
    idd = b.step(f"b = mu h/dt = {bdrift}, D = sigma^2 h^2/(2 dt) = {D}: the density "
                 "rho = sum_s f_s obeys rho_t + b rho_x = D rho_xx + O(h^3/dt)",
                 "theorem: central limit theorem for Markov additive processes on a finite "
                 "internal chain (per-step mean mu, variance sigma^2); hypothesis: 1 is a "
                 "simple eigenvalue of P", Check("follows"), uses=[ie, i_gk, ik])
    b_lim, D_lim = _scaled(walk, b, bdrift, D, [ik, idd])
    validity, nondeg = _validity(walk, dc, D_lim if D_lim != 0 else D)
    b.step(f"validity: {validity.description}; D > 0: {nondeg.description}",
           "probabilities non-negative on the declared range (checked by the model), a unique "
           "stationary law (c'(1) != 0), and a positive diffusion coefficient",
           Check("follows"), uses=[ie, ik])
    rho = sp.Symbol("rho", real=True)
    law = Law((rho,), (b_lim * rho,), D_lim if D_lim != 0 else None,
              "ito" if D_lim != 0 else "none", coords=(X,), form="conservation",
              name=f"density limit of {walk.name}" if walk.name else "density limit")
    b.meta.update({"pi": sp.ImmutableMatrix(pi), "mean_velocity": mu, "sigma2": sigma2,
                   "D": D_lim, "b": b_lim, "validity": validity, "nondegenerate": nondeg})
    return b.finish_concluded(law)


def _scaled(walk: MultiStateWalk, b: DerivationBuilder, drift: sp.Expr, D: sp.Expr,
            uses: list[int]) -> tuple[sp.Expr, sp.Expr]:
    if walk.scaling == "none":
        return drift, D
    power = 1 if walk.scaling == "hyperbolic" else 2
    sub = {walk.h: S * walk.h, walk.dt: S ** power * walk.dt}
    out = []
    for what, c in (("drift", drift), ("diffusion", D)):
        cs = c.xreplace(sub)
        lim, ordr, lead = _limit0(cs)
        if lim is None:
            raise LimitError(f"no {walk.scaling} limit: the {what} coefficient {c} grows like "
                             f"s^{ordr} as h -> s h, dt -> s^{power} dt. "
                             + ("The mean velocity does not vanish, so under dt ~ h^2 the "
                                "drift h mu/dt diverges: use scaling='hyperbolic' (transport at "
                                "speed mu h/dt) or make the asymmetry O(h)"
                                if what == "drift" else "Scale the jumps with h."))
        rest = sp.cancel((cs - lim) / S)
        den0 = sp.factor(sp.fraction(sp.cancel(sp.together(rest)))[1].subs(S, 0))
        i = b.identity(cs, lim + S * rest, f"{walk.scaling} scaling h -> s h, dt -> "
                       f"s^{power} dt: the {what} coefficient is {lim} plus s times a "
                       "remainder", uses=uses)
        j = b.step(sp.Ne(den0, 0, evaluate=False), "the remainder is bounded as s -> 0",
                   Check("nonzero_for_positive_symbols", (den0,)))
        b.step(sp.Eq(sp.Symbol("b" if what == "drift" else "D"), lim, evaluate=False),
               f"limit of the {what} coefficient", Check("follows"), uses=[i, j])
        out.append(lim)
    return out[0], out[1]


def _validity(walk: MultiStateWalk, dc: sp.Expr, D: sp.Expr) -> tuple[Condition, Condition]:
    """The parameter set where the walk is a valid ergodic chain, and where also D > 0."""
    # real symbols of the same names: positive ones would drop bounds such as 0 < p
    real = {p: sp.Symbol(p.name, real=True) for p in walk.params}
    params = tuple(real.values())
    D1 = D.subs({walk.h: 1, walk.dt: 1})
    base = sp.And(*[r.as_relational(real[p]) for p, r in walk.ranges.items()])
    erg = sp.And(base, sp.Ne(dc.xreplace(real), 0))
    pos = sp.And(erg, sp.Gt(D1.xreplace(real), 0))
    status = "proved" if not params else "unknown"  # several parameters: not decided
    sets = (sp.sstr(erg), sp.sstr(pos))
    if len(walk.params) == 1:
        (p,) = walk.params
        erg_set = _set_of(sp.Ne(dc, 0), p, walk.ranges[p])
        pos_set = _set_of(sp.Gt(D1, 0), p, erg_set) if erg_set is not None else None
        if erg_set is not None and pos_set is not None:
            erg, pos = erg_set.as_relational(real[p]), pos_set.as_relational(real[p])
            sets = (f"{p} in {sp.sstr(erg_set)}", f"{p} in {sp.sstr(pos_set)}")
            status = "proved"
    v1 = Condition(erg, params, "validity", status, name="ergodic multi-state chain",
                   scope="whole line (periodic/Cauchy problem)",
                   description=f"{sets[0]} (non-negative probabilities, unique "
                               "stationary internal law)")
    v2 = Condition(pos, params, "validity", status, name="non-degenerate diffusion",
                   scope="whole line (periodic/Cauchy problem)",
                   description=f"{sets[1]} (D = {D} > 0)")
    return v1, v2


def _set_of(cond: sp.Boolean, p: sp.Symbol, dom: sp.Set) -> sp.Set | None:
    cond = sp.simplify(cond)
    if cond is sp.true:
        return dom
    if cond is sp.false:
        return sp.S.EmptySet
    q = sp.Symbol(p.name, real=True)
    try:
        return cond.xreplace({p: q}).as_set().intersect(dom.xreplace({p: q})).xreplace({q: p})
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None


def displacement_moments(walk: MultiStateWalk, n: int, initial: Any = None
                         ) -> tuple[sp.Expr, sp.Expr]:
    """Exact mean and variance of X_n (in sites) after ``n`` steps, the initial state drawn from
    ``initial`` (a row of probabilities; the stationary law by default), by the moment
    recursions u_(n+1) = v + P u_n, w_(n+1) = M_2 1 + 2 M_1 u_n + P w_n (no asymptotics)."""
    walk = _check_walk(walk)
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n = {n!r}: give a non-negative integer number of steps")
    P = sp.Matrix(walk.state_matrix())
    M1, M2 = sp.Matrix(walk.moment_matrix(1)), sp.Matrix(walk.moment_matrix(2))
    m = P.shape[0]
    one = sp.ones(m, 1)
    pi0 = _solve_stationary(P) if initial is None else sp.Matrix([list(initial)])
    if pi0.shape != (1, m):
        raise ValueError(f"initial law has {pi0.shape[1]} entries; the walk has {m} states")
    u, w = sp.zeros(m, 1), sp.zeros(m, 1)
    for _ in range(n):
        u, w = (M1 * one + P * u).applyfunc(sp.expand), \
            (M2 * one + 2 * M1 * u + P * w).applyfunc(sp.expand)
    mean = sp.factor(sp.expand((pi0 * u)[0]))
    return mean, sp.factor(sp.expand((pi0 * w)[0] - mean ** 2))


def telegraph_limit(walk: MultiStateWalk, switching: dict[sp.Symbol, Any],
                    speed: sp.Symbol = C) -> Derivation:
    """Kinetic (hyperbolic) limit: the state densities and the total density's equation.

    Parameters
    ----------
    walk : the chain, with switching probabilities written with a parameter (``r``).
    switching : ``{parameter: rate * dt}``: the parameter vanishes like dt (reversal rate ~ 1/h
        in lattice units), e.g. ``{r: lam*dt}``.
    speed : the speed c = h/dt held fixed as dt -> 0.

    Returns
    -------
    Derivation whose result is the equation det(d_t + V d_x - Q^T) rho = 0 (an ``sp.Eq`` in
    rho(x, t)); ``meta`` holds ``velocities``, ``rates`` (Q) and ``kinetic`` (the system
    f_t + V f_x = Q^T f), ``slow_drift`` and ``slow_diffusion`` (the small-wave-number branch
    of its dispersion relation, which the diffusive limit must match).
    """
    walk = _check_walk(walk)
    dt = walk.dt
    sub = {sp.sympify(k): sp.sympify(v) for k, v in switching.items()}
    for k, v in sub.items():
        if not isinstance(k, sp.Symbol) or k not in walk.ranges:
            raise ModelError(f"switching key {k}: give a parameter of the walk "
                             f"({list(map(str, walk.params))})")
        if sp.limit(v, dt, 0) != 0:
            raise LimitError(f"switching {k} = {v} does not vanish with dt: the velocity "
                             "relaxes in O(1) steps and the kinetic limit is the diffusion; "
                             "write it as rate*dt")
    b = DerivationBuilder(f"Kinetic (telegraph) limit of {walk.name or 'a multi-state walk'}",
                          meta={"model_hash": walk.hash})
    i0 = b.define(walk.describe(), "the declared walk")
    i1 = b.define(f"kinetic scaling: {', '.join(f'{k} = {v}' for k, v in sub.items())}, "
                  f"h = {speed} dt, dt -> 0", "switching per unit time stays finite")
    states = walk.states
    m = len(states)
    f = {s: sp.Symbol(f"f_{s}") for s in states}
    fx = {s: sp.Symbol(f"f_{s}_x") for s in states}
    V, Q = sp.zeros(m, m), sp.zeros(m, m)
    rhs_all, uses = [], []
    # forward reading: f_s'^(n+1)(x) = sum_(s, k) p(k, s'|s) f_s^n(x - k h), Taylor to first order
    for j, s2 in enumerate(states):
        new = sp.S.Zero
        for s, row in walk.table.items():
            for (k, t2), p in row.items():
                if t2 == s2:
                    new += p.xreplace(sub) * (f[s] - k * speed * dt * fx[s])
        rate = sp.expand(sp.cancel((new - f[s2]) / dt))
        lim, _, _ = _limit0(rate.xreplace({dt: S * dt}))
        if lim is None:
            raise LimitError(f"state {s2}: the probability of entering it from another state "
                             "does not vanish like dt: no kinetic limit (declare every "
                             "switching parameter in switching=)")
        lim = sp.expand(lim)
        rest = sp.cancel((rate.xreplace({dt: S * dt}) - lim) / S)
        uses.append(b.identity(rate.xreplace({dt: S * dt}), lim + S * rest,
                               f"d_t f_{s2} = {lim} + O(dt): one step Taylor-expanded to first "
                               "order in dt (dt -> s dt)", uses=[i0, i1]))
        rhs_all.append(lim)
        for i, s in enumerate(states):
            V[j, j] = V[j, j] if s != s2 else -lim.coeff(fx[s])
            Q[i, j] = lim.coeff(f[s])
        if any(lim.coeff(fx[s]) != 0 for s in states if s != s2):
            raise LimitError(f"state {s2}: a walker switching into it moves at leading order, "
                             "so the limit is not a kinetic system with one velocity per state")
    # a fresh check: with V and Q read off, f_t = -V f_x + Q^T f reproduces every equation
    fv, fxv = sp.Matrix([f[s] for s in states]), sp.Matrix([fx[s] for s in states])
    ik = b.identity(sp.Matrix(rhs_all), -V * fxv + Q.T * fv,
                    f"kinetic system f_t + V f_x = Q^T f with V = diag{tuple(V.diagonal())}, "
                    f"switching rates Q = {sp.sstr(Q)}", uses=uses)
    iq = b.identity(Q * sp.ones(m, 1), sp.zeros(m, 1), "Q is a rate matrix (rows sum to 0): "
                    "the total density is conserved", uses=[ik])
    moments = _two_state_moments(b, states, V, Q, f, fx, -V * fxv + Q.T * fv, [ik, iq]) \
        if m == 2 and V[0, 0] != V[1, 1] else None
    L = _SIG * sp.eye(m) + V * _XI - Q.T
    det = sp.expand(L.det(method="berkowitz"))
    ia = b.identity(L.adjugate() * L, det * sp.eye(m),
                    "adj(L) L = det(L) I for the constant-coefficient operator "
                    "L = d_t + V d_x - Q^T (sigma = d_t, xi = d_x commute), so det(L) f_s = 0 "
                    "for every s and det(L) rho = 0 for rho = sum_s f_s", uses=[ik, iq])
    rho = sp.Function("rho")(X, T)
    poly = sp.Poly(det, _SIG, _XI)
    pde = sp.Add(*[c * (rho.diff(*([T] * a + [X] * bb)) if a + bb else rho)
                   for (a, bb), c in poly.terms()])
    eq = sp.Eq(pde, 0)
    i_eq = b.step(eq, "the total density's equation (telegraph equation for two states)",
                  Check("follows"), uses=[ia])
    s1, s2c = sp.symbols("s1 s2")
    branch = sp.expand(det.subs(_SIG, s1 * _XI + s2c * _XI ** 2))
    e1, e2 = branch.coeff(_XI, 1), branch.coeff(_XI, 2)
    try:
        sol = sp.solve([e1, e2], [s1, s2c], dict=True)
    except NotImplementedError:
        sol = []
    meta: dict[str, Any] = {"velocities": tuple(V.diagonal()), "rates": sp.ImmutableMatrix(Q),
                            "kinetic": sp.ImmutableMatrix(-V * fxv + Q.T * fv),
                            "moments": moments}
    if len(sol) == 1 and s1 in sol[0] and s2c in sol[0]:
        drift, diff = sp.factor(-sol[0][s1]), sp.factor(sol[0][s2c])
        ser = sp.expand(det.subs(_SIG, -drift * _XI + diff * _XI ** 2))
        b.step(f"slow branch of det(L) = 0: sigma(xi) = -b xi + D xi^2 + O(xi^3) with "
               f"b = {drift}, D = {diff} (Hilbert expansion: rho_t + b rho_x = D rho_xx for "
               "slowly varying data, the diffusive limit of the kinetic system)",
               "coefficients of xi and xi^2 vanish",
               Check("identity", ((ser.coeff(_XI, 1), ser.coeff(_XI, 2)), (0, 0))),
               uses=[ia])
        meta.update({"slow_drift": drift, "slow_diffusion": diff})
    b.meta.update(meta)
    d = b.finish_concluded(eq)
    return replace(d, meta={**d.meta, "equation_step": i_eq})


def _two_state_moments(b: DerivationBuilder, states: tuple[str, ...], V: sp.Matrix,
                       Q: sp.Matrix, f: dict[str, sp.Symbol], fx: dict[str, sp.Symbol],
                       kinetic: sp.Matrix, uses: list[int]) -> sp.Tuple:
    """Two states with distinct velocities: the slow/fast moment system for the density
    rho = f_1 + f_2 and the flux j = v_1 f_1 + v_2 f_2 (the states are recovered from them)."""
    rho, j, rho_x, j_x = sp.symbols("rho j rho_x j_x")
    v1, v2 = V[0, 0], V[1, 1]
    s1, s2 = states
    back = {f[s1]: (j - v2 * rho) / (v1 - v2), f[s2]: (v1 * rho - j) / (v1 - v2),
            fx[s1]: (j_x - v2 * rho_x) / (v1 - v2), fx[s2]: (v1 * rho_x - j_x) / (v1 - v2)}
    rho_t = sp.factor(sp.cancel((kinetic[0] + kinetic[1]).xreplace(back)))
    j_t = sp.expand(sp.cancel((v1 * kinetic[0] + v2 * kinetic[1]).xreplace(back)))
    system = sp.Tuple(sp.Eq(sp.Symbol("rho_t"), rho_t), sp.Eq(sp.Symbol("j_t"), j_t))
    b.identity(((kinetic[0] + kinetic[1]).xreplace(back),
                (v1 * kinetic[0] + v2 * kinetic[1]).xreplace(back)), (rho_t, j_t),
               f"moment system for rho = f_{s1} + f_{s2} (slow) and j = {v1} f_{s1} + "
               f"{v2} f_{s2} (fast): rho_t = {rho_t}, j_t = {j_t}", uses=uses,
               claim=system)
    return system
