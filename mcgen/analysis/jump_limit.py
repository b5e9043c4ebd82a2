"""Macroscopic limits of jump processes (random walks on ``h Z^d``), as checked derivations.

Two routes (DESIGN section 1):

* **cumulants** (constant coefficients): the per-step cumulants of the jump give the exact
  modified-equation coefficients ``c_alpha = kappa_alpha h^alpha / (alpha! dt)`` (discrete time)
  or the rate moments ``sum_k lambda_k (k h)^alpha / alpha!`` (continuous time: the cumulants per
  unit time of a compound Poisson process);
* **Taylor / Kramers-Moyal** (state-dependent jumps): drift ``b = sum_k k h p_k / dt``, diffusion
  ``D = sum_k (k h)(k h)^T p_k / (2 dt)``; the density obeys the conservation law
  ``rho_t + div(b rho) = d_i d_j (D_ij rho)`` (Ito form, coefficients inside the derivatives), an
  expectation the backward equation ``v_t = b . grad v + D : Hess v`` (coefficients outside).

Under a scaling the surviving terms give the limit: hyperbolic (``dt ~ h``) keeps the drift and
states the O(h) diffusion as vanishing; diffusive (``dt ~ h^2``) needs the mean jump to be O(h)
and gives drift-diffusion. A diffusive scaling with fixed asymmetry has no limit and is refused
with the reason and the fix. ``scaling="none"`` gives the fixed-lattice coefficients.
"""

from __future__ import annotations

from typing import cast

import sympy as sp

from mcgen.analysis.cumulants import cumulants, cumulants_by_recursion, factorial, multi_indices
from mcgen.analysis.taylor_expansion import (
    EPS,
    JetSpace,
    algebraic_parts,
    eliminate_time_derivatives,
    join,
    law_rhs_jets,
    shifted_taylor,
    split,
)
from mcgen.errors import LimitError
from mcgen.model.jump_process import JumpProcess
from mcgen.model.law import Law
from mcgen.model.readings import FORWARD
from mcgen.proof import Check, Derivation, DerivationBuilder

S = sp.Symbol("s", positive=True)  # the scaling parameter: h -> s h, s -> 0
MultiIndex = tuple[int, ...]


def jump_process_limit(jp: JumpProcess, route: str = "auto", order: int = 2) -> Derivation:
    """The macroscopic law of a jump process, as a checked :class:`Derivation`.

    Parameters
    ----------
    jp : the process (its ``scaling``, ``time``, ``reading`` and ``time_step`` decide the law).
    route : ``"auto"`` (cumulants for constant coefficients polynomial in h, Taylor/Kramers-Moyal
        otherwise),
        ``"cumulant"`` or ``"taylor"`` (to compare the routes where both apply).
    order : derivative order kept in the fixed-lattice (``scaling="none"``) expansion; under a
        scaling the terms of order three and four are shown to vanish.

    Returns
    -------
    Derivation whose ``result`` is a :class:`~mcgen.model.Law`: conservation form (Ito
    diffusion) for the forward reading, backward Kolmogorov form for the backward reading.

    Raises
    ------
    LimitError : when the declared scaling has no limit (fixed asymmetry under diffusive scaling,
        rates that do not scale), naming the reason and the fix.
    """
    if route not in ("auto", "cumulant", "taylor"):
        raise ValueError(f"route={route!r}: use 'auto', 'cumulant' or 'taylor'")
    jp = _exact(jp)
    if route == "auto":
        # cumulants of probabilities rational in h (Kushner-Dupuis) need large gcds: their
        # moments give the same limit much faster (both routes are tested to agree)
        polynomial = all(v.is_polynomial(*jp.h) for v in jp.jumps.values())
        route = "taylor" if jp.is_state_dependent or not polynomial else "cumulant"
    if route == "cumulant" and jp.is_state_dependent:
        raise LimitError("the cumulant route needs constant coefficients, but the jumps depend on "
                         f"{sorted(map(str, _state_syms(jp)))}: use route='taylor'")
    b = DerivationBuilder(f"Macroscopic limit of {jp.name or 'a jump process'}",
                          meta={"model_hash": jp.hash, "route": route, "scaling": jp.scaling,
                                "reading": jp.reading, "time": jp.time})
    b.define(jp, "the declared jump process (probabilities per step or rates per unit time)")
    keep = max(order, 2) if jp.scaling == "none" else 3
    if route == "cumulant":
        coeffs, uses = _cumulant_coefficients(jp, b, keep)
    elif jp.scaling == "none" and jp.time == "discrete":
        coeffs, uses = _taylor_coefficients_discrete(jp, b, keep)
    else:
        coeffs, uses = _kramers_moyal_coefficients(jp, b, keep)
    if jp.scaling != "none":
        coeffs, uses = _scaled_limit(jp, b, coeffs, uses)
    law = _law_from_coefficients(jp, b, coeffs, uses)
    b.conclude(law, reason="the limit law: drift and diffusion from the coefficients above",
               uses=range(len(b.steps)))
    return b.finish(law)


# ---------------------------------------------------------------------------- helpers


def _exact(jp: JumpProcess) -> JumpProcess:
    """Floats in the jumps become rationals and positive parts Max(v, 0) become (v + |v|)/2,
    so that every identity is exact and decided by cancel."""
    from dataclasses import replace

    if not any(v.has(sp.Float, sp.Max, sp.Min) for v in jp.jumps.values()) and \
            (jp.time_step is None or not jp.time_step.has(sp.Max, sp.Min)):
        return jp
    jumps = {k: algebraic_parts(sp.nsimplify(v, rational=True) if v.has(sp.Float) else v)
             for k, v in jp.jumps.items()}
    ts = algebraic_parts(jp.time_step) if jp.time_step is not None else None
    return replace(jp, jumps=jumps, time_step=ts)


def _state_syms(jp: JumpProcess) -> set[sp.Symbol]:
    return set().union(*[v.free_symbols for v in jp.jumps.values()]) & \
        (set(jp.coords) | {jp.t})


def _rates(jp: JumpProcess) -> dict[MultiIndex, sp.Expr]:
    """Jump intensities per unit time (probabilities/dt in discrete time), self-loop dropped."""
    zero = (0,) * jp.dim
    tau = jp.time_step
    out = {}
    for k, v in jp.jumps.items():
        if k == zero:
            continue
        if jp.time == "discrete":
            out[k] = v / (tau if tau is not None else jp.dt)
        else:
            out[k] = v / tau if tau is not None else v
    return out


def _sign(jp: JumpProcess, alpha: MultiIndex) -> int:
    return -1 if jp.reading == FORWARD and sum(alpha) % 2 else 1


def _hpow(jp: JumpProcess, alpha: MultiIndex) -> sp.Expr:
    return sp.Mul(*[hi ** a for hi, a in zip(jp.h, alpha, strict=False)])


def _cumulant_coefficients(jp: JumpProcess, b: DerivationBuilder, keep: int
                           ) -> tuple[dict[MultiIndex, sp.Expr], list[int]]:
    dim = jp.dim
    z = sp.symbols(f"z1:{dim + 1}")
    form = "backward (expectation) reading" if jp.reading != FORWARD else \
        "forward (density) reading: the density sees the offset -k, odd orders change sign"
    if jp.time == "discrete":
        dt = jp.time_step if jp.time_step is not None else jp.dt
        m = sum((w * sp.exp(sum((ki * zi for ki, zi in zip(k, z, strict=False)), sp.S.Zero))
                 for k, w in jp.jumps.items()), sp.S.Zero)
        i0 = b.define(sp.Eq(sp.Symbol("M"), m, evaluate=False),
                      "symbol of one step: M(z) = sum_k p_k exp(k.z)")
        kap = cumulants(jp.jumps, keep)
        rec = cumulants_by_recursion(jp.jumps, keep)
        uses = []
        for a in multi_indices(dim, keep):
            uses.append(b.identity(kap[a], rec[a], f"cumulant kappa_{a} of the jump agrees "
                                   "with the moment-cumulant recursion", uses=[i0]))
        i1 = b.define(f"exp(dt d_t) = M(h d_x) gives u_t = sum_alpha kappa_alpha h^alpha/"
                      f"(alpha! dt) d^alpha u (constant coefficients; {form})",
                      "cumulant expansion of the modified equation (Warming-Hyett)")
        coeffs = {a: _sign(jp, a) * kap[a] * _hpow(jp, a) / (factorial(a) * dt)
                  for a in multi_indices(dim, keep)}
        uses.append(i1)
    else:
        rates = _rates(jp)
        i1 = b.define(f"a continuous-time walk is compound Poisson: its cumulants per unit time "
                      f"are the rate moments sum_k lambda_k (k h)^alpha ({form})",
                      "Levy-Khintchine exponent sum_k lambda_k (exp(k h . xi) - 1)")
        coeffs = {}
        uses = [i1]
        for a in multi_indices(dim, keep):
            mom = sum((lam * sp.Mul(*[ki ** ai for ki, ai in zip(k, a, strict=False)])
                       for k, lam in rates.items()), sp.S.Zero)
            coeffs[a] = _sign(jp, a) * mom * _hpow(jp, a) / factorial(a)
    coeffs = {a: sp.cancel(c) for a, c in coeffs.items()}
    return coeffs, uses


def _kramers_moyal_coefficients(jp: JumpProcess, b: DerivationBuilder, keep: int
                                ) -> tuple[dict[MultiIndex, sp.Expr], list[int]]:
    """Per-unit-time moments M_alpha(x) = sum_k lambda_k (k h)^alpha (Kramers-Moyal)."""
    rates = _rates(jp)
    dim = jp.dim
    moms: dict[MultiIndex, sp.Expr] = {}
    for a in multi_indices(dim, keep):
        moms[a] = sp.factor(sp.cancel(sum((lam * sp.Mul(*[(ki * hi) ** ai for ki, hi, ai in
                                                             zip(k, jp.h, a, strict=False)])
                                           for k, lam in rates.items()), sp.S.Zero)))
    i0 = b.define(sp.Tuple(*[sp.Eq(sp.Symbol(f"M_{a}"), moms[a], evaluate=False)
                             for a in multi_indices(dim, 2)]),
                  "Kramers-Moyal moments per unit time: M_alpha(x) = sum_k lambda_k(x) (k h)^alpha"
                  + (" with lambda_k = p_k/dt" if jp.time == "discrete" else ""))
    # check the expansion against a Taylor expansion of the generator in jet space
    jets = JetSpace("rho" if jp.reading == FORWARD else "v", jp.coords)
    gen = _generator_jets(jp, jets, rates, 2)
    km = sp.S.Zero
    for a in multi_indices(dim, 2):
        if jp.reading == FORWARD:
            km += (-1) ** sum(a) * jets.derivative(moms[a] * jets.u, a) / factorial(a) * \
                EPS ** sum(a)
        else:
            km += moms[a] / factorial(a) * jets.sym(a) * EPS ** sum(a)
    i1 = b.identity(gen, sp.expand(km), "Taylor expansion of the generator to second order "
                    "equals the Kramers-Moyal form (" + ("coefficients inside the derivatives"
                                                         if jp.reading == FORWARD else
                                                         "coefficients outside") + ")",
                    uses=[i0])
    uses = [i0, i1]
    if jp.time == "discrete":
        uses.append(_time_correction_vanishes(jp, b, i1))
    coeffs = {a: _sign(jp, a) * moms[a] / factorial(a) for a in multi_indices(dim, keep)}
    # the state-dependent forward coefficients are kept as moments; _law_from_coefficients
    # puts them inside the derivatives
    return coeffs, uses


def _time_correction_vanishes(jp: JumpProcess, b: DerivationBuilder, uses: int) -> int:
    """Discrete time: u_t = F - (dt/2) d_t^2 u + ... with d_t^2 u = F[F]. The coefficients of F
    stay bounded under the scaling (shown coefficient by coefficient below) and derivatives in
    x do not change orders in s, so the correction is O(dt); show that dt -> 0."""
    dt = jp.time_step if jp.time_step is not None else jp.dt
    scale: dict[sp.Expr, sp.Expr] = {hi: S * hi for hi in jp.h}
    if jp.time_step is None:
        scale[jp.dt] = S ** (1 if jp.scaling == "hyperbolic" else 2) * jp.dt
    lim, ordr, _ = _limit0(dt.xreplace(scale))
    if lim != 0:
        raise LimitError(f"the time step {dt} does not vanish under the {jp.scaling} scaling, "
                         "so the discrete-time correction (dt/2) d_t^2 u survives: take "
                         "dt ~ h (hyperbolic) or dt ~ h^2 (diffusive)")
    return b.step(sp.Eq(sp.Symbol("dt/2 d_t^2 u"), dt / 2 * sp.Symbol("F[F]"), evaluate=False),
                  "discrete time: the Warming-Hyett correction (dt/2) F[F] of the Kramers-Moyal "
                  f"form is O(dt) = O(s^{ordr}) (F has bounded coefficients) and vanishes under "
                  f"the {jp.scaling} scaling", Check("follows"), uses=[uses])


def _generator_jets(jp: JumpProcess, jets: JetSpace, rates: dict[MultiIndex, sp.Expr],
                    order: int) -> sp.Expr:
    """The generator (forward: adjoint) applied to a smooth field, Taylor-expanded in jets."""
    out = sp.S.Zero
    for k, lam in rates.items():
        shift = tuple(ki * hi for ki, hi in zip(k, jp.h, strict=False))
        if jp.reading == FORWARD:
            prod = lam * jets.u
            out += shifted_taylor(jets, prod, tuple(-c for c in shift), order) - prod
        else:
            out += lam * (shifted_taylor(jets, jets.u, shift, order) - jets.u)
    return join(split(out, order))


def _taylor_coefficients_discrete(jp: JumpProcess, b: DerivationBuilder, keep: int
                                  ) -> tuple[dict[MultiIndex, sp.Expr], list[int]]:
    """Fixed lattice, discrete time: Taylor expansion with Warming-Hyett elimination."""
    dt = jp.time_step if jp.time_step is not None else jp.dt
    jets = JetSpace("rho" if jp.reading == FORWARD else "v", jp.coords)
    new = sp.S.Zero
    for k, p in jp.jumps.items():
        shift = tuple(ki * hi for ki, hi in zip(k, jp.h, strict=False))
        if jp.reading == FORWARD:  # rho^{n+1}(x) = sum_k p_k(x - k h) rho^n(x - k h)
            new += shifted_taylor(jets, p * jets.u, tuple(-c for c in shift), keep)
        else:  # v^{n+1}(x) = sum_k p_k(x) v^n(x + k h)
            new += p * shifted_taylor(jets, jets.u, shift, keep)
    new = join(split(new, keep))
    i0 = b.define(sp.Eq(sp.Symbol("R"), new.subs(EPS, 1), evaluate=False),
                  "one step of the chain applied to a smooth field, Taylor-expanded "
                  "(eps counts spatial derivatives)")
    ut, tds = eliminate_time_derivatives(jets, (new - jets.u) / dt, dt, keep)
    lhs = ut + sum((dt ** (m - 1) / sp.factorial(m) * tds[m] for m in tds), sp.S.Zero)
    i1 = b.identity(join(split(lhs, keep)), join(split((new - jets.u) / dt, keep)),
                    "Warming-Hyett: sum_m dt^(m-1)/m! d_t^m u = (R - u)/dt with the time "
                    "derivatives eliminated, to the kept order", uses=[i0])
    coeffs = _linear_coeffs(jets, ut.subs(EPS, 1))
    coeffs.setdefault((0,) * jp.dim, sp.S.Zero)
    return coeffs, [i1]


def _linear_coeffs(jets: JetSpace, expr: sp.Expr) -> dict[MultiIndex, sp.Expr]:
    expr = sp.expand(expr)
    out: dict[MultiIndex, sp.Expr] = {}
    for term in sp.Add.make_args(expr):
        js = [s for s in term.free_symbols if jets.alpha_of(s) is not None]
        if len(js) != 1 or sp.degree(term, js[0]) != 1:
            raise LimitError(f"term {term} is not linear in the field: a jump process gives a "
                             "linear equation")
        a = cast(MultiIndex, jets.alpha_of(js[0]))  # not None: js[0] passed the filter above
        out[a] = out.get(a, sp.S.Zero) + term / js[0]
    return out


def _limit0(expr: sp.Expr) -> tuple[sp.Expr | None, int, sp.Expr]:
    """(limit as S -> 0 or None when it diverges, order of the leading term, its coefficient)."""
    e = sp.cancel(sp.together(expr))
    if e == 0:
        return sp.S.Zero, 10**6, sp.S.Zero
    num, den = sp.fraction(e)
    try:
        pn, pd = sp.Poly(num, S), sp.Poly(den, S)
    except sp.PolynomialError:
        lim = sp.limit(e, S, 0)
        if lim.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
            return None, -1, lim
        return lim, (0 if lim != 0 else 1), lim
    ln = min(m[0] for m in pn.monoms())
    ld = min(m[0] for m in pd.monoms())
    cn = pn.as_expr().coeff(S, ln) if ln else pn.as_expr().subs(S, 0)
    cd = pd.as_expr().coeff(S, ld) if ld else pd.as_expr().subs(S, 0)
    lead = sp.factor(cn / cd)
    if ln > ld:
        return sp.S.Zero, ln - ld, lead
    if ln == ld:
        return lead, 0, lead
    return None, ln - ld, lead


def _scaled_limit(jp: JumpProcess, b: DerivationBuilder, coeffs: dict[MultiIndex, sp.Expr],
                  uses: list[int]) -> tuple[dict[MultiIndex, sp.Expr], list[int]]:
    power = 1 if jp.scaling == "hyperbolic" else 2
    subs: dict[sp.Expr, sp.Expr] = {hi: S * hi for hi in jp.h}
    if jp.time == "discrete" and jp.time_step is None:
        subs[jp.dt] = S ** power * jp.dt
        how = (f"h -> s h and dt -> s^{power} dt, s -> 0 (the ratio "
               f"{'h/dt' if power == 1 else 'h^2/dt'} is held fixed)")
    elif jp.time_step is not None:
        how = f"dt = {jp.time_step}, h -> s h, s -> 0"
    else:
        how = "h -> s h, s -> 0 (the rates carry the scaling)"
    i0 = b.define(f"{jp.scaling} scaling: {how}", "declared scaling of the process")
    out: dict[MultiIndex, sp.Expr] = {}
    new_uses = [i0]
    vanish = []
    for a, c in coeffs.items():
        cs = c.xreplace(subs)
        lim, ordr, lead = _limit0(cs)
        if lim is None:
            raise LimitError(_divergence_message(jp, a, c, lead, ordr))
        if sum(a) == 0 and lim == 0:
            continue
        rest = sp.cancel((cs - lim) / S)
        num, den = sp.fraction(sp.cancel(sp.together(rest)))
        i = b.identity(cs, lim + S * rest, f"coefficient of d^{a}: limit {lim} plus s times a "
                       "remainder", uses=uses)
        den0 = sp.factor(den.subs(S, 0))
        j = b.step(sp.Ne(den0, 0), "the remainder is bounded as s -> 0 (its denominator does "
                   "not vanish at s = 0 for positive grid steps)",
                   Check("nonzero_for_positive_symbols", (den0,)))
        k = b.step(sp.Eq(sp.Symbol(f"c_{a}"), lim, evaluate=False),
                   f"limit of the coefficient of d^{a}" +
                   (f" (vanishes like s^{ordr})" if lim == 0 and ordr < 10**6 else ""),
                   Check("follows"), uses=[i, j])
        new_uses.append(k)
        if lim == 0 and c != 0:
            vanish.append((a, ordr, c))
        out[a] = lim
    for a, ordr, c in vanish:
        if sum(a) == 2:
            b.define(f"the diffusion term d^{a} ({c}) is O(h^{ordr}) under the {jp.scaling} "
                     "scaling and vanishes in the limit", "stated vanishing term")
    if all(v == 0 for a, v in out.items() if 1 <= sum(a) <= 2) and \
            not any(v.has(*jp.h) for v in jp.jumps.values()) and jp.time_step is None and \
            jp.time == "continuous":
        raise LimitError("the rates do not depend on h, so under the scaling the walker does not "
                         "move macroscopically: give rates that scale like 1/h (hyperbolic) or "
                         "1/h**2 (diffusive), or time_step=h (hyperbolic) / h**2 (diffusive) to "
                         "speed up time")
    for a, v in out.items():
        if sum(a) >= 3 and v != 0:
            raise LimitError(f"the order-{sum(a)} term {v} survives the {jp.scaling} scaling: "
                             "the jumps do not shrink with h, so the limit is not a "
                             "drift-diffusion; scale the jumps with h")
    return out, new_uses


def _divergence_message(jp: JumpProcess, a: MultiIndex, c: sp.Expr, lead: sp.Expr,
                        ordr: int) -> str:
    what = "drift" if sum(a) == 1 else f"order-{sum(a)} term"
    mean = sum((w * k[a.index(1)] for k, w in jp.jumps.items()), sp.S.Zero) \
        if sum(a) == 1 else None
    msg = (f"no {jp.scaling} limit: the {what} coefficient {c} of d^{a} grows like "
           f"s^{ordr} (leading factor {lead}) as h -> s h, s -> 0.")
    if sum(a) == 1 and jp.scaling == "diffusive":
        msg += (f" The mean jump {sp.factor(mean)} does not vanish as h -> 0 (fixed asymmetry"
                f"{'' if jp.asymmetry_order is None else ', although asymmetry_order=' + str(jp.asymmetry_order) + ' was declared'}"  # noqa: E501
                "), so under diffusive scaling dt ~ h^2 the drift (mean jump) h/dt ~ 1/h "
                "diverges. Fix: use scaling='hyperbolic' (dt ~ h), which gives a transport "
                "equation, or make the asymmetry O(h) (e.g. probabilities (1 +- beta*h)/2, "
                "asymmetry_order=1), which gives drift-diffusion"
                + (f"; or, if the asymmetry is meant to vanish, {sp.factor(mean)} = 0." if
                   mean is not None and mean.free_symbols else "."))
    return msg


def _law_from_coefficients(jp: JumpProcess, b: DerivationBuilder,
                           coeffs: dict[MultiIndex, sp.Expr], uses: list[int]) -> Law:
    dim = jp.dim
    e = [tuple(1 if j == i else 0 for j in range(dim)) for i in range(dim)]
    field = sp.Symbol("rho" if jp.reading == FORWARD else "v", real=True)
    jets = JetSpace(field.name, jp.coords)
    c = {a: coeffs.get(a, sp.S.Zero) for a in multi_indices(dim, 2)}
    c[(0,) * dim] = coeffs.get((0,) * dim, sp.S.Zero)
    dmat = sp.zeros(dim, dim)
    for i in range(dim):
        for j in range(dim):
            a = tuple(x + y for x, y in zip(e[i], e[j], strict=False))
            dmat[i, j] = c[a] if i == j else c[a] / 2
    # state-dependent forward laws from moments are already in conservation form
    # (coefficients inside); fixed-lattice Taylor coefficients are converted below
    from_moments = jp.reading == FORWARD and jp.is_state_dependent and not (
        jp.scaling == "none" and jp.time == "discrete")
    forward = jp.reading == FORWARD
    if forward and from_moments:
        drift = [-c[e[i]] for i in range(dim)]  # c_{e_i} = -M_{e_i}
    elif forward:
        drift = [sp.expand(2 * sum((sp.diff(dmat[i, j], jp.coords[j]) for j in range(dim)),
                                   sp.S.Zero) - c[e[i]]) for i in range(dim)]
    else:
        drift = [c[e[i]] for i in range(dim)]
    drift = [sp.factor(sp.cancel(v)) for v in drift]
    dmat = sp.ImmutableMatrix(dmat.applyfunc(lambda v: sp.factor(sp.cancel(v))))
    has_diff = any(v != 0 for v in dmat)
    dform = "ito" if has_diff else "none"
    if forward:
        law = Law((field,), tuple(v * field for v in drift), dmat if has_diff else None, dform,
                  coords=jp.coords, form="conservation",
                  name=f"density limit of {jp.name}" if jp.name else "density limit")
    else:
        law = Law((field,), (), dmat if has_diff else None, dform, drift=tuple(drift),
                  coords=jp.coords, form="backward",
                  name=f"backward limit of {jp.name}" if jp.name else "backward limit")
    # the law, written in jets, must reproduce the derived operator
    derived = sum((c[a] * jets.sym(a) for a in multi_indices(dim, 2)), sp.S.Zero)
    if forward and from_moments:
        derived = sum(((-1) ** sum(a) * jets.derivative(
            (-1) ** sum(a) * c[a] * jets.u, a) for a in multi_indices(dim, 2)), sp.S.Zero)
    elif forward:
        derived += c[(0,) * dim] * jets.u
    form = ("conservation form rho_t + div(b rho) = d_i d_j (D_ij rho) (Ito: coefficients "
            "inside the derivatives)" if forward else
            "backward Kolmogorov form v_t = b . grad v + D : Hess v (coefficients outside)")
    b.identity(law_rhs_jets(law, jets), sp.expand(derived),
               f"the derived operator written as a law in {form}", uses=uses)
    b.meta["form"] = law.form
    b.meta["diffusion_form"] = law.diffusion_form
    return law
