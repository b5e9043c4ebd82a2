"""Both stability verdicts side by side, the condition a kernel enforces, and the largest time step.

For a linear constant-coefficient scheme, positivity (non-negative stochastic weights) implies L2
stability: |G(theta)| <= sum_k |w_k| = sum_k w_k = 1. The reverse fails: Lax-Wendroff is L2-stable
for |nu| <= 1 but positive only at nu in {-1, 0, 1}. Godunov's barrier explains why: a positive
linear scheme is at most first order, since with w_k >= 0 and sum w_k = 1 the variance
sum k^2 w_k - (sum k w_k)^2 (the scheme's numerical diffusion) vanishes only when one weight is
1, a pure shift. Every statement is for the periodic/Cauchy problem; boundary stability is not
analysed.
"""

from __future__ import annotations

from typing import Any, cast

import sympy as sp

from mcgen.errors import AnalysisError
from mcgen.model.scheme import Scheme
from mcgen.proof.check import Check, register_check
from mcgen.proof.condition import CAUCHY_LABEL, Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder


@register_check("derivation", "a nested derivation re-checked step by step")
def _check_derivation(d: Any) -> str:
    return d.recheck().status


def stability_report(scheme: Scheme) -> Derivation:
    """Positivity and L2 regions of a linear scheme side by side, with the step relating them."""
    from mcgen.analysis.dimensionless import in_groups
    grouped = in_groups(scheme, stability_report)  # weights in dt and the spacings
    if grouped is not None:
        return grouped
    from mcgen.analysis.positivity import INCONSISTENT, positivity_region
    from mcgen.analysis.von_neumann import von_neumann
    b = DerivationBuilder(f"Stability of {scheme.name or 'scheme'}: positivity and L2",
                          meta={"scheme_hash": scheme.hash, "scope": CAUCHY_LABEL})
    try:
        pos_d: Derivation | None = positivity_region(scheme)
        why = ""
    except AnalysisError as e:
        pos_d, why = None, str(e)
    l2_d = von_neumann(scheme)
    l2 = l2_d.result
    i_l2 = b.step(l2, f"von Neumann analysis ({l2_d.title})", Check("derivation", (l2_d,)))
    if pos_d is None:
        b.step(f"positivity not analysed: {why}", "no positivity region", Check("follows"))
        return b.finish((None, l2))
    pos = pos_d.result
    i_pos = b.step(pos, f"positivity analysis ({pos_d.title})", Check("derivation", (pos_d,)))
    vars_ = tuple(dict.fromkeys((*pos.variables, *l2.variables)))
    if pos.name.startswith(INCONSISTENT):
        b.step("the weights do not sum to one: the update is not a convex combination, and the "
               "step from positivity to L2 stability is not made", "inconsistent scheme",
               Check("follows"), uses=[i_pos, i_l2])
        return b.finish((pos, l2))
    imp = Check("region_implies", (pos.expr, l2.expr, vars_))
    if imp.run() not in ("proved",):
        imp = Check("follows")
    i_imp = b.step("positivity region is inside the L2 region",
                   "constant coefficients: a convex combination has |G| <= sum w_k = 1 (triangle "
                   "inequality), so no positive scheme is L2-unstable", imp, uses=[i_pos, i_l2])
    witness = _point_in_difference(l2, pos) if pos.necessary is not None else None
    if pos.necessary is None:
        b.step("positivity is known here only through a sufficient condition: whether the "
               "scheme is positive beyond it is not decided", "no claim about the reverse",
               Check("follows"), uses=[i_imp])
    elif witness is not None:
        stmt = sp.And(l2.expr.subs(witness), sp.Not(pos.expr.subs(witness)))
        b.step(f"the reverse fails: at {witness} the scheme is L2-stable but not positive",
               "positivity is sufficient, not necessary, for L2 stability",
               Check("truth", (stmt,)), uses=[i_imp])
    elif l2.status == "proved":
        b.step("the two regions coincide here", "positive exactly where L2-stable",
               Check("region_equivalent", (pos.expr, l2.expr, vars_)), uses=[i_imp])
    else:
        b.step("no point of the search grid is L2-stable but not positive; whether the two "
               "regions coincide is not decided (the L2 region is not proved)",
               "positive exactly where L2-stable, if the regions coincide",
               Check("region_equivalent", (pos.expr, l2.expr, vars_)), uses=[i_imp])
    _godunov(b, scheme, pos, i_pos)
    return b.finish((pos, l2))


def _point_in_difference(l2: Condition, pos: Condition) -> dict | None:
    """A rational parameter point inside the L2 region and outside the positivity region.

    Candidates are screened with the fast numeric predicates (a few thousand points at most,
    whatever the number of parameters) and only the winner is decided exactly.
    """
    import itertools
    vs = l2.variables
    per_axis = max(3, min(33, int(4000 ** (1 / max(len(vs), 1)))))
    half = per_axis // 2
    grid = [sp.Rational(2 * k, half) for k in range(-half, half + 1)]  # [-2, 2]
    for pt in itertools.product(grid, repeat=len(vs)):
        sub = dict(zip(vs, pt, strict=True))
        if any((v.is_nonnegative and x < 0) or (v.is_nonpositive and x > 0)
               for v, x in sub.items()):
            continue
        vals = {v.name: float(x) for v, x in sub.items()}
        try:
            if not l2.holds(rtol=0.0, **vals) or pos.holds(rtol=0.0, **vals):
                continue
            if sp.simplify(l2.expr.subs(sub)) is sp.true and \
                    sp.simplify(pos.expr.subs(sub)) is sp.false:
                return sub
        except (TypeError, ValueError):
            continue
    return None


def _godunov(b: DerivationBuilder, scheme: Scheme, pos: Condition, i_pos: int) -> None:
    w = scheme.linear_weights()
    if w is None or scheme.dim != 1:
        return
    m1 = sp.expand(sum(k * wk for k, wk in w.items()))
    var = sp.expand(sum(cast(int, k)**2 * wk for k, wk in w.items()) - m1**2)  # 1-D: int offsets
    if var == 0:
        b.step(f"the numerical diffusion sum k^2 w_k - (sum k w_k)^2 vanishes identically "
               f"(second order for advection): by Godunov's barrier the scheme is positive only "
               f"where it is a pure shift: {pos.description}",
               "Godunov: a positive linear scheme is at most first order (a non-negative "
               "distribution has zero variance only at a point mass)",
               Check("identity", (var, 0)), uses=[i_pos])
    else:
        b.step(f"numerical diffusion sum k^2 w_k - (sum k w_k)^2 = {sp.factor(var)}: "
               "positive only where this is a variance of non-negative weights (first order)",
               "Godunov's barrier: a positive linear scheme is at most first order",
               Check("follows"), uses=[i_pos])


def enforced_condition(scheme: Scheme, allow_sampled: bool = False,
                       data_range: tuple[Any, Any] | None = None) -> Condition:
    """The condition a kernel or run of ``scheme`` enforces: the answer of its
    :class:`~mcgen.analysis.safety_policy.SafetyPolicy` (L2 for linear schemes, monotonicity on
    ``data_range`` for conservative ones; a sampled region only with ``allow_sampled=True``,
    and then its proved part)."""
    from mcgen.analysis.safety_policy import safety_policy
    return safety_policy(scheme, allow_sampled).condition(data_range)


def max_stable_dt(scheme: Scheme, allow_sampled: bool = False,
                  data_range: tuple[Any, Any] | None = None, **physical_values: float) -> float:
    """The largest time step the enforced condition allows for the given physical values
    (``a=1.0, dx=0.01`` for ``nu = a*dt/dx``): the policy's answer."""
    from mcgen.analysis.safety_policy import safety_policy
    return safety_policy(scheme, allow_sampled).max_dt(physical_values, data_range)


__all__ = ["stability_report", "enforced_condition", "max_stable_dt"]
