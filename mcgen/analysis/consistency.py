"""Consistency of a scheme with a law: orders in space and time and the leading truncation term.

The truncation error is read off the modified equation: ``u_t = F[u]`` (the scheme, time
derivatives eliminated) minus ``u_t = G[u]`` (the law), written in jets with the scheme's
``definitions`` substituted so that both speak of the same physical parameters. Each remaining
term is ``C dx^i dt^j`` times derivatives of ``u``; along the refinement path ``dt ~ dx^q``
(``q = 1`` for laws with transport, ``q = 2`` for pure diffusion) it is of order ``i + q j``.
The scheme is consistent when every term vanishes along the path, i.e. ``i + q j > 0``.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.analysis.modified_equation import derive_modified_equation
from mcgen.analysis.taylor_expansion import JetSpace, algebraic_parts, law_rhs_jets
from mcgen.errors import AnalysisError
from mcgen.model.law import Law
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import t as T_SYM
from mcgen.proof import Check, Derivation, DerivationBuilder


def refinement_power(law: Law) -> int:
    """``q`` in ``dt ~ dx^q``: 1 when the law transports (flux or drift), 2 for pure diffusion."""
    moving = any(sp.sympify(f) != 0 for f in law.flux) or any(b != 0 for b in law.drift)
    diffusing = law.diffusion is not None and any(e != 0 for e in law.diffusion)
    return 2 if diffusing and not moving else 1


def _exponents(term: sp.Expr, spacing: tuple[sp.Symbol, ...], dt: sp.Symbol) -> tuple[Any, Any]:
    pw = term.as_powers_dict()
    return sum((pw.get(h, 0) for h in spacing), sp.S.Zero), pw.get(dt, sp.S.Zero)


def truncation_orders(scheme: Scheme, law: Law, ut: sp.Expr, jets: JetSpace) -> dict[str, Any]:
    """Group ``F - G`` by powers of the grid steps and dt; orders and the leading term."""
    f = sp.sympify(ut).subs(scheme.definitions) if scheme.definitions else sp.sympify(ut)
    f = algebraic_parts(f)  # sign-split schemes: nu^+ + nu^- = nu
    g = law_rhs_jets(law, jets)
    residual = sp.expand(f - g)
    q = refinement_power(law)
    groups: dict[tuple[Any, Any], sp.Expr] = {}
    for term in sp.Add.make_args(residual):
        if term == 0:
            continue
        groups.setdefault(_exponents(term, scheme.spacing, scheme.dt), []).append(term)  # type: ignore[arg-type]
    groups = {k: sp.Add(*v) for k, v in groups.items()}  # type: ignore[misc]
    groups = {k: v for k, v in groups.items() if sp.expand(v) != 0}
    if not groups:
        return {"residual": residual, "groups": {}, "order": sp.oo, "order_space": sp.oo,
                "order_time": sp.oo, "q": q, "leading": sp.S.Zero}
    combined = {k: k[0] + q * k[1] for k in groups}
    order = min(combined.values())
    space = [k[0] for k in groups if k[1] == 0 and k[0] > 0]
    time = [k[1] for k in groups if k[0] == 0 and k[1] > 0]
    leading = sp.Add(*[v for k, v in groups.items() if combined[k] == order])
    return {"residual": residual, "groups": groups, "order": order,
            "order_space": min(space) if space else None,
            "order_time": min(time) if time else None, "q": q, "leading": leading,
            "combined": combined}


def consistency(scheme: Scheme, law: Law | None = None, order: int | None = None
                ) -> Derivation:
    """Is ``scheme`` consistent with ``law`` (default: the law the scheme names)?

    Returns a Derivation whose result is a dict: ``consistent`` (bool), ``reason``, ``order``
    (along ``dt ~ dx^q``), ``order_space``, ``order_time``, ``leading_term`` (as a PDE term),
    ``refinement`` and the truncation terms grouped by ``(power of dx, power of dt)``.
    """
    law = law if law is not None else scheme.law
    if law is None:
        raise AnalysisError(f"scheme {scheme.name!r} names no law: pass consistency(scheme, "
                            "law) or build the scheme with law=...")
    if not law.is_scalar:
        raise AnalysisError("consistency is implemented for scalar laws")
    q = refinement_power(law)
    diffusing = law.diffusion is not None and any(e != 0 for e in law.diffusion)
    keep = order if order is not None else (4 if diffusing else 3)
    if order is None and not scheme.is_two_level and diffusing:
        # implicit/multistep diffusion schemes (Crank-Nicolson): the first pure-dt term can
        # sit at u_xxxxxx (D^3 dt^2/12), so keep degree 6 to see the order in time
        keep = 6
    b = DerivationBuilder(f"Consistency of {scheme.name or 'a scheme'} with "
                          f"{law.name or 'the law'}",
                          meta={"model_hash": scheme.hash, "law_hash": law.hash})
    me = derive_modified_equation(scheme, keep, "auto", b)
    jets = JetSpace(scheme.fields[0], scheme.coords, T_SYM)
    lawj = law_rhs_jets(law, jets)
    i_law = b.define(sp.Eq(sp.Symbol("G"), lawj, evaluate=False),
                     f"the law {law.describe()} written as u_t = G[u] in jets")
    tr = truncation_orders(scheme, law, me["jets"], jets)
    f = sp.sympify(me["jets"]).subs(scheme.definitions) if scheme.definitions else me["jets"]
    f = algebraic_parts(f)
    i_res = b.identity(sp.expand(f - lawj), tr["residual"],
                       "truncation error F - G with the scheme's definitions "
                       f"{scheme.definitions or '(none)'} substituted", uses=[i_law - 1, i_law])
    groups = tr["groups"]
    refinement = f"dt ~ dx^{q}" if q > 1 else "dt ~ dx"
    bad = {k: v for k, v in groups.items() if tr["combined"][k] <= 0} if groups else {}
    if bad:
        parts = "; ".join(f"{sp.sstr(jets.to_functions(v))} (dx^{k[0]} dt^{k[1]})"
                          for k, v in bad.items())
        reason = (f"not consistent: the truncation term(s) {parts} do not vanish as dx, dt -> 0 "
                  f"with {refinement}")
        undefined = set(scheme.params) - set(scheme.definitions)
        if undefined and any(sp.sympify(v).free_symbols & undefined for v in bad.values()):
            reason += (f"; the scheme's parameters {sorted(map(str, undefined))} have no "
                       "definitions: give definitions={nu: a*dt/dx, ...} so they can be "
                       "compared with the law")
        consistent = False
    else:
        consistent = True
        reason = (f"consistent: every truncation term vanishes with {refinement}; leading "
                  f"term of order {tr['order']}" if groups else
                  "consistent: the scheme reproduces the law exactly to the kept order")
    b.step(sp.Tuple(*[sp.Eq(sp.Symbol(f"T_dx^{k[0]}_dt^{k[1]}"), v, evaluate=False)
                      for k, v in groups.items()]) if groups else sp.S.Zero,
           "truncation terms grouped by powers of dx and dt", Check("follows"), uses=[i_res])
    result = {"consistent": consistent, "reason": reason, "order": tr["order"],
              "order_space": tr["order_space"], "order_time": tr["order_time"],
              "leading_term": jets.to_functions(tr["leading"]), "refinement": refinement,
              "truncation_terms": {k: jets.to_functions(v) for k, v in groups.items()},
              "modified_equation": me["pde"]}
    b.define(reason, "verdict")
    b.conclude(result, reason="the verdict with the truncation terms and orders derived above",
               uses=range(len(b.steps)))
    return b.finish(result)
