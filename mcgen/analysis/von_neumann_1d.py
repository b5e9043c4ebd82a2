"""von Neumann analysis of 1-D two-level scalar schemes (explicit or implicit).

|A|^2 - |B|^2 is a polynomial P(c) in c = cos(theta) (|B|^2 = sum_{k,l} b_k b_l T_{|k-l|}(c), T the
Chebyshev polynomials). A consistent scheme has P(1) = 0; dividing out the largest power
(1 - c)^m leaves Q(c) with P >= 0 on [-1, 1] iff Q >= 0 on [-1, 1]. Then:

* one parameter, any width: a cell decomposition in the parameter (:mod:`mcgen.proof.sturm`),
  exact, endpoints real algebraic numbers (irrational critical values decided in the field they
  generate), an explicit unstable mode (p0, theta*) in every unstable cell;
* Q of degree <= 1 in c (three-point stencils, several parameters): Q >= 0 on [-1, 1] iff
  Q(-1) >= 0 and Q(1) >= 0: a closed form, exact;
* two parameters, any width: a cylindrical decomposition of the parameter plane
  (:mod:`mcgen.proof.cad2`), exact, the region a Boolean of polynomial sign conditions checked
  at every cell; when no such formula separates the cells, the proved sufficient and necessary
  sets (status ``sampled``);
* Q of degree 2 or 3 in c (stencils of radius 2), any number of parameters, when the plane
  decomposition gives no exact region: a closed form in the signs of Q(+-1), of the
  coefficients of (1 + s)^n Q((1 - s)/(1 + s)) and of the discriminant
  (:mod:`mcgen.proof.segment_closed_form`), exact;
* otherwise (three or more parameters and degree >= 4 in c, or a decomposition out of reach):
  the necessary conditions Q(+-1) >= 0 (exact) and exact decisions at rational points (status
  ``sampled``).

Inconsistent input (G(0) != 1) is diagnosed first: when |G(0)| > 1 for every parameter value the
result is that one line.
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp

from mcgen.analysis.amplification import (
    THETA,
    C,
    Z,
    abs2_in_c,
    laurent,
    one_d_weights,
    split_powers,
)
from mcgen.analysis.positivity import sign_cases
from mcgen.analysis.region_presentation import (
    drop_redundant,
    plane_region,
    present_polynomial_region,
    region_name,
    set_to_condition,
)
from mcgen.model.read import reads_of
from mcgen.model.scheme import Scheme
from mcgen.proof.check import Check
from mcgen.proof.condition import Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder
from mcgen.proof.segment_closed_form import MAX_DEGREE_C as MAX_CLOSED_FORM_DEGREE
from mcgen.proof.segment_closed_form import (
    closed_form_words,
    presented,
    segment_closed_form,
)
from mcgen.proof.sturm import _domain, family_region, negative_point


def analyse_Q(Q: sp.Expr, params: tuple[sp.Symbol, ...], strict: bool = False,
               cells: bool = False) -> dict[str, Any]:
    """Decide {params : Q(c) >= 0 on [-1, 1]}: closed form or cells; with modes.

    ``cells``: one parameter always by cells (a set with exact algebraic endpoints, the 1-D
    result); otherwise Q of degree <= 1 keeps the polynomial form Q(+-1) >= 0 (used as
    necessary conditions by the 2-D and system analyses)."""
    deg = sp.degree(Q, C) if Q.has(C) else 0
    live = tuple(p for p in params if Q.has(p))
    if not live:
        ok = negative_point(Q, C, sp.Integer(-1), sp.Integer(1), strict) is None
        return {"method": "constant", "raw": sp.true if ok else sp.false,
                "expr": sp.true if ok else sp.false, "exact": True, "witnesses": [],
                "params": live}
    if deg <= 1 and not strict and (len(live) > 1 or not cells):
        ends = [sp.expand(Q.subs(C, 1)), sp.expand(Q.subs(C, -1))]
        raw = sp.And(*[sp.Ge(e, 0) for e in ends])
        return {"method": "ends", "raw": raw, "ends": ends, "exact": True, "witnesses": [],
                "params": live}
    if len(live) == 1:  # any width: exact cells, endpoints real algebraic numbers
        p = live[0]
        region, wit, exact = family_region(Q, C, p, strict)
        return {"method": "cells", "set": region, "exact": exact, "witnesses": wit,
                "params": live}
    ends = [sp.expand(Q.subs(C, 1)), sp.expand(Q.subs(C, -1))]
    plane = None
    if len(live) == 2 and cells:
        plane = plane_region(Q, C, live)
        if plane is not None and plane["exact"]:
            return {"method": "plane", **plane, "params": live}
    if cells and not strict and deg <= MAX_CLOSED_FORM_DEGREE:
        # degree 2 or 3 in c, any number of parameters: the closed form (exact, no cells)
        return {"method": "closed_form", "raw": segment_closed_form(Q, C), "params": live,
                "exact": True, "witnesses": []}
    if len(live) == 2 and cells and plane is not None:
        # proved inner and outer sets from the same cells
        return {"method": "plane_bounds", **plane, "params": live}
    return {"method": "necessary", "raw": sp.And(*[sp.Ge(e, 0) for e in ends]), "ends": ends,
            "exact": False, "witnesses": [], "params": live}


def inconsistent_input(scheme: Scheme, lv: dict) -> Derivation | None:
    """Inconsistent input, diagnosed before any region: G(0) = sum b_k / sum a_k is not 1.

    When |G(0)| > 1 for every parameter value the mode theta = 0 grows everywhere and that
    one line is the result; otherwise None (the analysis goes on, and the region it finds is
    then that of an inconsistent scheme, which the caller's description says).
    """
    sb = sp.Add(*lv.get(0, {}).values())
    sa = sp.Add(*lv[1].values())
    G0 = sp.cancel(sb / sa)
    if sp.simplify(G0 - 1) == 0:
        return None
    grows = bool(abs(G0) > 1) if G0.is_number else \
        (sp.factor(G0 - 1).is_positive or sp.factor(G0 + 1).is_negative or
         sp.factor(G0**2 - 1).is_positive)
    if not grows:
        return None
    who = ", ".join(map(str, scheme.params)) or "parameter value"
    shown = sp.sstr(abs(G0) if G0.is_number else G0, full_prec=False)  # 1.1, not 1.10000000000000
    words = f"unstable for every {who}: |G(0)| = {shown}"
    b = DerivationBuilder(f"von Neumann analysis of {scheme.name or 'scheme'}",
                          meta={"scheme_hash": scheme.hash})
    i0 = b.step(sp.Eq(sp.Symbol("G(0)"), G0, evaluate=False),
                "at theta = 0, G(0) = sum of the explicit weights / sum of the implicit ones: "
                "the factor applied to a constant", Check("identity", (sb / sa, G0)))
    if G0.is_number:
        chk = Check("truth", (sp.Gt(abs(G0), 1),))
    else:
        big = next(e for e in (sp.factor(G0 - 1), sp.factor(-1 - G0), sp.factor(G0**2 - 1))
                   if e.is_positive)
        chk = Check("manifestly_positive", (big,))
    b.step(f"inconsistent input: the weights do not preserve constants, and |G(0)| > 1 for "
           f"every parameter value, so the constant mode grows: {words}",
           "an explicit growing mode (theta = 0) at every parameter value", chk, uses=[i0])
    cond = Condition(sp.false, tuple(scheme.params), "l2", "proved", sufficient=sp.false,
                     necessary=sp.false, name=f"von Neumann {region_name(scheme)}",
                     description=words, definitions=dict(scheme.definitions))
    return b.finish_concluded(cond)


def two_level_1d(scheme: Scheme, lv: dict) -> Derivation:
    a, bw = one_d_weights(lv)
    name = scheme.name or "scheme"
    b = DerivationBuilder(f"von Neumann analysis of {name}", meta={"scheme_hash": scheme.hash})
    ex = sp.exp(sp.I * THETA)
    B = sp.Add(*[w * ex**k for k, w in bw.items()])
    A = sp.Add(*[w * ex**k for k, w in a.items()])
    explicit = scheme.is_explicit
    upd = scheme.update[scheme.fields[0]]
    if explicit:
        # checked with z = e^{i theta} as a symbol: a rational identity, decided by cancel
        subs = {rd: Z**rd.offset[0] for rd in reads_of(upd)}
        i_g = b.identity(upd.subs(subs), B.subs(ex, Z), "substitute u_j^n = G^n e^{i j theta}: "
                         "G(theta) is the update applied to e^{i j theta} (z = e^{i theta})",
                         claim=sp.Eq(sp.Symbol("G"), B, evaluate=False))
    else:
        i_g = b.step(sp.Eq(sp.Symbol("G"), B / A, evaluate=False),
                     "substitute u_j^n = G^n e^{i j theta} into the implicit update A G = B",
                     Check("identity", (sp.expand((upd.lhs - upd.rhs).subs(
                         {rd: (sp.Symbol("G") if rd.level == 1 else 1) * Z**rd.offset[0]
                          for rd in reads_of(upd)})),
                         sp.expand((sp.Symbol("G") * A - B).subs(ex, Z)))))
    B2, A2 = abs2_in_c(bw), abs2_in_c(a)
    P = sp.expand(A2 - B2)
    zlhs = sp.expand(laurent({(k,): w for k, w in a.items()}, (Z,)) *
                     laurent({(k,): w for k, w in a.items()}, (1 / Z,)) -
                     laurent({(k,): w for k, w in bw.items()}, (Z,)) *
                     laurent({(k,): w for k, w in bw.items()}, (1 / Z,)))
    what = "1 - |G|^2" if explicit else "|A|^2 - |B|^2 (|G| <= 1 iff it is >= 0)"
    i_p = b.step(sp.Eq(sp.Symbol("P"), P, evaluate=False),
                 f"{what} as a polynomial in c = cos(theta) (|sum w_k e^(ik theta)|^2 = "
                 "sum w_k w_l T_|k-l|(c))",
                 Check("identity", (zlhs, P.subs(C, (Z + 1 / Z) / 2))), uses=[i_g])
    if not explicit:
        A_real = sp.expand(A2.subs(C, 1 - sp.Symbol("y", nonnegative=True)) - 1)
        b.step("|A(theta)|^2 >= 1 > 0: the implicit system is solvable for every mode",
               "the implicit operator's symbol is bounded away from zero",
               Check("manifestly_nonneg", (A_real,)), uses=[i_p])
    m, Q = split_powers(P, C)
    i_q = b.identity(P, sp.expand((1 - C)**m * Q), f"divide out (1 - c)^{m}: P = (1 - c)^{m} Q, "
                     f"and (1 - c)^{m} >= 0 on [-1, 1], so P >= 0 there iff Q >= 0 there",
                     uses=[i_p], claim=sp.Eq(sp.Symbol("Q"), sp.factor(Q), evaluate=False))
    params = tuple(p for p in scheme.params if Q.has(p))
    cases = sign_cases([Q], params)
    if cases is not None:
        return _sign_split_1d(b, scheme, Q, cases, i_q)
    res = analyse_Q(Q, params, cells=True)
    return finish_1d(b, scheme, Q, res, i_q)


def finish_1d(b: DerivationBuilder, scheme: Scheme, Q: sp.Expr, res: dict, i_q: int,
               strict: bool = False) -> Derivation:
    params = res["params"]
    method = res["method"]
    if method == "constant":
        expr = res["expr"]
        words = "every parameter value" if expr is sp.true else "no parameter value"
        i_r = b.step(expr, "Q has no parameters: decided on [-1, 1] by exact root isolation",
                     Check("nonneg_on_segment", (Q, C, -1, 1, strict)) if expr is sp.true
                     else Check("truth", (sp.true,)), uses=[i_q])
        status, suff, nec = "proved", expr, expr
    elif method == "ends":
        i_d = b.step("Q has degree <= 1 in c, so Q >= 0 on [-1, 1] iff Q(-1) >= 0 and "
                     "Q(1) >= 0", "a linear function is non-negative on a segment iff it is at "
                     "both ends", Check("degree_at_most", (Q, C, 1)), uses=[i_q])
        raw = res["raw"]
        shown = sp.And(*[sp.Ge(sp.factor(e), 0) for e in res["ends"]])
        i_raw = b.step(shown, "Q(1) >= 0 (long waves, theta -> 0) and Q(-1) >= 0 (theta = pi)",
                       Check("identity", (tuple(res["ends"]), (Q.subs(C, 1), Q.subs(C, -1)))),
                       uses=[i_d])
        # an end that the declared signs decide (Q(1) = -2*(mu + nu) with mu, nu > 0) is true
        # (dropped) or false (the region is empty)
        rels = [sp.Ge(e, 0) for e in res["ends"]]
        ends = [r.lhs for r in rels if r not in (sp.true, sp.false)]
        if len(params) > 1 and sp.false not in rels:
            kept = drop_redundant([sp.Ge(e, 0) for e in ends], params)
            ends = [k.lhs for k in kept]
        if sp.false in rels:
            expr, words = sp.false, "empty: Q(1) or Q(-1) is negative for every parameter value"
            chk = Check("truth", (sp.Not(raw),))
        else:
            expr, words = present_polynomial_region(ends, params)
            chk = Check("region_equivalent", (raw, expr, params))
        if chk.run() != "proved":
            expr, words = raw, sp.sstr(raw)
            chk = Check("region_equivalent", (raw, expr, params))
        i_r = b.step(expr, f"plainest equivalent form: {words}", chk, uses=[i_raw])
        b.step("outside: if Q(-1) < 0 the mode theta* = pi grows (|G(pi)|^2 = 1 - 2^m Q(-1) "
               "> 1); if Q(1) < 0, Q < 0 near c = 1 and long waves theta* -> 0 grow",
               "explicit unstable modes: the conditions are necessary", Check("follows"),
               uses=[i_raw])
        status, suff, nec = "proved", expr, expr
    elif method == "cells":
        s = res["set"]
        p = params[0]
        expr, words = set_to_condition(s, p)
        if s == _domain(p):  # the whole declared range of the parameter
            expr, words = sp.true, f"every {p}" + ("" if s == sp.S.Reals else f" in {s}")
        i_r = b.step(expr, f"cell decomposition in {p} (critical values: roots of Q(+-1), of "
                     "the leading coefficient and of the discriminant in c); one exact "
                     f"decision per cell: {words}",
                     Check("family_nonneg_region", (Q, C, p, expr, strict)), uses=[i_q])
        for p0, c0 in res["witnesses"][:4]:
            th = sp.acos(c0)
            b.step(f"unstable cell: at {p} = {p0}, theta* = {th} gives Q = "
                   f"{sp.nsimplify(Q.subs({p: p0, C: c0}))} < 0",
                   "an explicit growing mode", Check("negative_at",
                                                     (Q if not strict else Q - 0 * C,
                                                      {p: p0, C: c0})) if
                   Q.subs({p: p0, C: c0}) < 0 else Check("follows"), uses=[i_q])
        status = "proved" if res["exact"] else "unknown"
        suff, nec = expr, expr
    elif method == "plane":
        expr, words = res["expr"], res["words"]
        i_r = b.step(expr, "cylindrical decomposition of the parameter plane (projection: "
                     "Q(+-1), the leading coefficient and the discriminant in c, then "
                     f"discriminants and resultants in {params[1]}); one exact decision per "
                     f"cell ({res['n_cells']} cells): {words}",
                     Check("plane_region", (Q, C, params[0], params[1], expr, res["polys"])),
                     uses=[i_q])
        for pt, c0 in res["witnesses"][:4]:
            b.step(f"unstable cell: at {pt}, theta* = {sp.acos(c0)} gives Q < 0",
                   "an explicit growing mode", Check("negative_at", (Q, {**pt, C: c0})),
                   uses=[i_q])
        status, suff, nec = "proved", expr, expr
    elif method == "closed_form":
        expr = presented(res["raw"])
        words = closed_form_words(Q, C)
        i_r = b.step(expr, f"Q has degree {sp.degree(Q, C)} in c: with c = (1 - s)/(1 + s), "
                     "Q >= 0 on [-1, 1] iff Q(-1) >= 0 and (1 + s)^n Q >= 0 for s >= 0, decided "
                     "by the signs of its coefficients and its discriminant (closed form, any "
                     f"number of parameters): {words}",
                     Check("nonneg_on_segment_closed_form", (Q, C, expr)), uses=[i_q])
        status, suff, nec = "proved", expr, expr
    elif method == "plane_bounds":
        (suff, s_words), (nec, n_words) = res["sufficient"], res["necessary"]
        p, q = params
        i_s = b.step(suff, "cylindrical decomposition of the parameter plane; the sign classes "
                     f"of the projection all of whose cells are stable: {s_words}",
                     Check("plane_region_sufficient", (Q, C, p, q, suff, res["polys"])),
                     uses=[i_q])
        i_n = b.step(nec, "the sign classes with a stable cell (every stable point lies in "
                     f"one): {n_words}",
                     Check("plane_region_necessary", (Q, C, p, q, nec, res["polys"])),
                     uses=[i_q])
        for pt, c0 in res["witnesses"][:4]:
            b.step(f"unstable cell: at {pt}, theta* = {sp.acos(c0)} gives Q < 0",
                   "an explicit growing mode", Check("negative_at", (Q, {**pt, C: c0})),
                   uses=[i_q])
        i_r = b.step(suff, "each stable and unstable cell is decided exactly, but no formula "
                     "over the projection's sign conditions separates them: the region "
                     "reported is the proved sufficient set, the necessary set beside it",
                     Check("sampled"), uses=[i_s, i_n])
        expr = suff
        words = (f"sufficient (proved, the region reported): {s_words}; necessary (proved): "
                 f"{n_words}; each of the {res['n_cells']} cells is decided exactly, but the "
                 "boundary between them is not written as a formula")
        status = "sampled"
    else:
        raw = res["raw"]
        expr, words = present_polynomial_region(res["ends"], params)
        if Check("region_equivalent", (raw, expr, params)).run() != "proved":
            expr, words = raw, sp.sstr(raw)
        i_r = b.step(expr, "necessary conditions Q(1) >= 0 and Q(-1) >= 0 (modes theta -> 0 "
                     "and theta = pi); sufficiency not decided in closed form",
                     Check("region_equivalent", (raw, expr, params)), uses=[i_q])
        stable, unstable = _certify_points_1d(Q, params, expr)
        b.meta["certified_points"] = {"stable": [tuple(pt[p] for p in params) for pt in stable],
                                      "unstable": [(tuple(pt[p] for p in params), c0)
                                                   for pt, c0 in unstable]}
        for pt in stable:
            b.step(f"stable at {pt}: Q >= 0 on [-1, 1]", "exact decision at a rational point",
                   Check("nonneg_on_segment", (Q.subs(pt), C, -1, 1)), uses=[i_q])
        for pt, c0 in unstable:
            b.step(f"unstable at {pt} although the necessary conditions hold: theta* = "
                   f"{sp.acos(c0)}", "explicit growing mode at a rational point",
                   Check("negative_at", (Q, {**pt, C: c0})), uses=[i_q])
        b.step("sufficiency between the certified points is not decided",
               "certified at points only", Check("sampled"), uses=[i_r])
        words = (f"necessary (proved): {words}; sufficiency certified at "
                 f"{len(stable)} rational points only"
                 + (f"; {len(unstable)} points satisfying the necessary conditions are "
                    "unstable" if unstable else ""))
        status, suff, nec = "sampled", None, expr
    cond = Condition(expr, params, "l2", status, sufficient=suff, necessary=nec,
                     name=f"von Neumann {region_name(scheme)}", description=words,
                     definitions=dict(scheme.definitions))
    b.step(f"{'proved' if status == 'proved' else 'not proved'}: the sufficient and necessary "
           "sets coincide" if status == "proved" else "the gap between sufficient and necessary "
           "sets is shown", "status of the region", Check("follows"), uses=[i_r])
    return b.finish_concluded(cond)


def _certify_points_1d(Q: sp.Expr, params: tuple, nec: sp.Basic, n: int = 4
                       ) -> tuple[list[dict], list[tuple[dict, sp.Expr]]]:
    """Exact decisions of Q >= 0 on [-1, 1] at rational points of the necessary region."""
    grid = [sp.Rational(k, n) for k in range(-n, n + 1)]
    stable, unstable = [], []
    for pt in itertools.product(grid, repeat=len(params)):
        sub = dict(zip(params, pt, strict=True))
        if any(sub[p] not in _domain(p) for p in params) or \
                sp.sympify(nec).subs(sub) is not sp.true:
            continue
        w = negative_point(sp.expand(Q.subs(sub)), C, sp.Integer(-1), sp.Integer(1))
        if w is None:
            stable.append(sub)
        else:
            unstable.append((sub, w))
    return stable[:: max(1, len(stable) // 6)], unstable[:6]


def _sign_split_1d(b: DerivationBuilder, scheme: Scheme, Q: sp.Expr, cases: list,
                   i_q: int) -> Derivation:
    total = sp.S.EmptySet
    p = cases[0][0]
    exact = True
    for _p, pc, (Qc,) in cases:
        region, wit, ex = family_region(sp.expand(Qc), C, pc)
        exact &= ex
        sub, _ = set_to_condition(region, pc)
        b.step(sub, f"case {pc} {'>= 0' if pc.is_nonnegative else '<= 0'}: Q = {sp.factor(Qc)};"
               " cell decomposition", Check("family_nonneg_region", (sp.expand(Qc), C, pc, sub)),
               uses=[i_q])
        total = sp.Union(total, region)
    expr, words = set_to_condition(total, p)
    i_r = b.step(expr, f"union of the sign cases: {words}", Check("follows"), uses=[i_q])
    cond = Condition(expr, (p,), "l2", "proved" if exact else "unknown", sufficient=expr,
                     necessary=expr, name=f"von Neumann {region_name(scheme)}",
                     description=words, definitions=dict(scheme.definitions))
    b.step("the sufficient and necessary sets coincide", "status of the region",
           Check("follows"), uses=[i_r])
    return b.finish_concluded(cond)

