"""von Neumann (L2) stability of linear constant-coefficient schemes on the periodic/Cauchy problem.

Substituting u_j^n = G^n e^{i j theta} gives the amplification factor G(theta) = B/A (explicit
schemes: A = 1). L2 stability is |G| <= 1 for every theta.

1-D, two levels. |A|^2 - |B|^2 is a polynomial P(c) in c = cos(theta) (|B|^2 = sum_{k,l} b_k b_l
T_{|k-l|}(c), T the Chebyshev polynomials). A consistent scheme has P(1) = 0; dividing out the
largest power (1 - c)^m leaves Q(c) with P >= 0 on [-1, 1] iff Q >= 0 on [-1, 1]. Then:

* Q of degree <= 1 in c (every three-point stencil, any number of parameters): Q >= 0 on [-1, 1]
  iff Q(-1) >= 0 and Q(1) >= 0: a closed form, exact;
* one parameter, any width: a cell decomposition in the parameter (:mod:`mcgen.proof.sturm`),
  exact, with an explicit unstable mode (p0, theta*) in every unstable cell;
* otherwise: the necessary conditions Q(+-1) >= 0 (exact) and exact decisions at rational points
  (status ``sampled``).

Three levels: the roots g of the characteristic polynomial g^2 - b(theta) g - a(theta); when
|a| = 1 and b + a conj(b) = 0 (leapfrog) Miller's reduction leaves the root of g - b/2, so the
scheme is stable iff |b| < 2 for every theta (strict: at |b| = 2 the root is double on the unit
circle and grows linearly; such points are flagged).

2-D: exact necessary conditions (Hessian of 1 - |G|^2 at theta = 0, the corners {0, pi}^2, the
edges theta_y = 0 and theta_x = 0 by the 1-D analysis); sufficiency from the positivity region when
it coincides with them (then ``proved``), otherwise exact decisions at rational parameter points
(1 - |G|^2 >= 0 on the torus, via t = tan(theta/2) and a cylindrical decomposition) along rays,
the boundary traced numerically between certified points: status ``sampled``.

Linear systems: the amplification matrix; spectral radius <= 1 is necessary, and sufficient when
the matrix is normal for every theta (checked), which is said.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import sympy as sp

from mcgen.analysis.region_presentation import (
    drop_redundant,
    present_polynomial_region,
    set_to_condition,
)
from mcgen.errors import AnalysisError
from mcgen.model.read import reads_of
from mcgen.model.scheme import Scheme
from mcgen.proof.check import Check
from mcgen.proof.condition import Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder
from mcgen.proof.sturm import _domain, family_region, negative_point, nonneg_on_plane

THETA = sp.Symbol("theta", real=True)
THETAS = (sp.Symbol("theta_x", real=True), sp.Symbol("theta_y", real=True),
          sp.Symbol("theta_z", real=True))
C = sp.Symbol("c", real=True)       # cos(theta)
Z = sp.Symbol("z")                   # e^{i theta}, |z| = 1
Z2 = (sp.Symbol("z_x"), sp.Symbol("z_y"))


# ---------------------------------------------------------------- symbols of a scheme


def _levels(scheme: Scheme) -> dict[int, dict[tuple[int, ...], sp.Expr]]:
    """{level: {offset: coefficient}} with the update written as
    sum_{level 1} a_k u^{n+1} = sum_{level <= 0} b_k u (explicit: a_0 = 1)."""
    if len(scheme.fields) != 1:
        raise AnalysisError("scalar schemes only here; systems go through von_neumann_system")
    f = scheme.fields[0]
    e = scheme.update[f]
    if isinstance(e, sp.Equality):
        expr = sp.expand(e.lhs - e.rhs)
        sign = -1
    else:
        expr = sp.expand(e)
        sign = 1
    out: dict[int, dict[tuple[int, ...], sp.Expr]] = {}
    rds = sorted(reads_of(expr), key=lambda r: r.name)
    poly = sp.Poly(expr, *rds)
    if poly.total_degree() > 1 or poly.coeff_monomial(1) != 0:
        raise AnalysisError(f"scheme {scheme.name!r} is not linear and homogeneous in its reads: "
                            "von Neumann analysis needs a linear constant-coefficient update")
    for rd in rds:
        w = poly.coeff_monomial(rd)
        if w.free_symbols & set(scheme.coords):
            raise AnalysisError(f"scheme {scheme.name!r} has variable coefficients: von Neumann "
                                "analysis is for constant coefficients (freeze them first)")
        lev = rd.level
        coef = sign * w if lev <= 0 else w
        out.setdefault(lev, {})[rd.offset] = sp.expand(coef)
    if not isinstance(e, sp.Equality):
        out[1] = {(0,) * scheme.dim: sp.Integer(1)}
    return out


def laurent(weights: dict[tuple[int, ...], sp.Expr], zs: tuple[sp.Symbol, ...]) -> sp.Expr:
    return sum(w * sp.Mul(*[z**k for z, k in zip(zs, off, strict=False)])
               for off, w in weights.items())


def abs2_in_c(weights: dict[int, sp.Expr], c: sp.Symbol = C) -> sp.Expr:
    """|sum_k w_k e^{i k theta}|^2 as a polynomial in c = cos(theta) (real weights)."""
    out = sp.Integer(0)
    for k, wk in weights.items():
        for m, wm in weights.items():
            out += wk * wm * sp.chebyshevt(abs(k - m), c)
    return sp.expand(out)


def amplification_factor(scheme: Scheme) -> sp.Expr:
    """G(theta) (1-D) or G(theta_x, theta_y, ...) for a two-level scalar scheme."""
    lv = _levels(scheme)
    if set(lv) - {0, 1}:
        raise AnalysisError(f"{scheme.name!r} has {len(lv)} time levels: its amplification "
                            "factors are the roots of the characteristic polynomial "
                            "(von_neumann() computes them)")
    th = (THETA,) if scheme.dim == 1 else THETAS[:scheme.dim]
    ex = tuple(sp.exp(sp.I * t) for t in th)
    return laurent(lv.get(0, {}), ex) / laurent(lv[1], ex)


def _split_powers(P: sp.Expr, c: sp.Symbol) -> tuple[int, sp.Expr]:
    """P = (1 - c)^m Q with m maximal (as polynomials in c over the parameters)."""
    m, Q = 0, sp.expand(P)
    if Q == 0:
        return 0, Q
    while sp.expand(Q.subs(c, 1)) == 0:  # (1 - c) divides Q iff Q(1) = 0
        m, Q = m + 1, sp.expand(sp.quo(Q, 1 - c, c))
    return m, Q


# ---------------------------------------------------------------- 1-D two-level


def _one_d_weights(lv: dict[int, dict[tuple[int, ...], sp.Expr]]
                   ) -> tuple[dict[int, sp.Expr], dict[int, sp.Expr]]:
    a = {k[0]: w for k, w in lv.get(1, {}).items()}
    b = {k[0]: w for k, w in lv.get(0, {}).items()}
    return a, b


def _analyse_Q(Q: sp.Expr, params: tuple[sp.Symbol, ...], strict: bool = False
               ) -> dict[str, Any]:
    """Decide {params : Q(c) >= 0 on [-1, 1]}: closed form or cells; with modes."""
    deg = sp.degree(Q, C) if Q.has(C) else 0
    live = tuple(p for p in params if Q.has(p))
    if not live:
        ok = negative_point(Q, C, sp.Integer(-1), sp.Integer(1), strict) is None
        return {"method": "constant", "raw": sp.true if ok else sp.false,
                "expr": sp.true if ok else sp.false, "exact": True, "witnesses": [],
                "params": live}
    if deg <= 1 and not strict:
        ends = [sp.expand(Q.subs(C, 1)), sp.expand(Q.subs(C, -1))]
        raw = sp.And(*[sp.Ge(e, 0) for e in ends])
        return {"method": "ends", "raw": raw, "ends": ends, "exact": True, "witnesses": [],
                "params": live}
    if len(live) == 1:
        p = live[0]
        region, wit, exact = family_region(Q, C, p, strict)
        return {"method": "cells", "set": region, "exact": exact, "witnesses": wit,
                "params": live}
    ends = [sp.expand(Q.subs(C, 1)), sp.expand(Q.subs(C, -1))]
    return {"method": "necessary", "raw": sp.And(*[sp.Ge(e, 0) for e in ends]), "ends": ends,
            "exact": False, "witnesses": [], "params": live}


def von_neumann(scheme: Scheme, rays: int = 16) -> Derivation:
    """L2 (von Neumann) stability region of a linear constant-coefficient scheme.

    Returns a Derivation whose result is a :class:`Condition` of kind ``l2`` with proved
    ``sufficient`` and ``necessary`` sets; ``status`` is ``proved`` only when they coincide.
    """
    key = (scheme.hash, rays)
    if key not in _RESULTS:  # derivations are immutable: analyse each scheme once
        _RESULTS[key] = _von_neumann(scheme, rays)
    return _RESULTS[key]


_RESULTS: dict[tuple[str, int], Derivation] = {}


def _von_neumann(scheme: Scheme, rays: int) -> Derivation:
    if len(scheme.fields) > 1:
        return von_neumann_system(scheme)
    lv = _levels(scheme)
    if min(lv) < 0:
        if scheme.dim != 1 or min(lv) < -1:
            raise AnalysisError(f"multistep scheme {scheme.name!r}: only three-level 1-D "
                                "schemes are analysed (characteristic polynomial of degree 2)")
        return _three_level(scheme, lv)
    if scheme.dim == 1:
        return _two_level_1d(scheme, lv)
    return two_level_nd(scheme, lv, rays)


def _two_level_1d(scheme: Scheme, lv: dict) -> Derivation:
    a, bw = _one_d_weights(lv)
    name = scheme.name or "scheme"
    b = DerivationBuilder(f"von Neumann analysis of {name}", meta={"scheme_hash": scheme.hash})
    ex = sp.exp(sp.I * THETA)
    B = sum(w * ex**k for k, w in bw.items())
    A = sum(w * ex**k for k, w in a.items())
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
    m, Q = _split_powers(P, C)
    i_q = b.identity(P, sp.expand((1 - C)**m * Q), f"divide out (1 - c)^{m}: P = (1 - c)^{m} Q, "
                     f"and (1 - c)^{m} >= 0 on [-1, 1], so P >= 0 there iff Q >= 0 there",
                     uses=[i_p], claim=sp.Eq(sp.Symbol("Q"), sp.factor(Q), evaluate=False))
    params = tuple(p for p in scheme.params if Q.has(p))
    from mcgen.analysis.positivity import sign_cases
    cases = sign_cases([Q], params)
    if cases is not None:
        return _sign_split_1d(b, scheme, Q, cases, i_q)
    res = _analyse_Q(Q, params)
    return _finish_1d(b, scheme, Q, res, i_q)


def _finish_1d(b: DerivationBuilder, scheme: Scheme, Q: sp.Expr, res: dict, i_q: int,
               strict: bool = False) -> Derivation:
    from mcgen.analysis.positivity import region_name
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
        ends = [e for e in res["ends"]]
        if len(params) > 1:
            kept = drop_redundant([sp.Ge(e, 0) for e in ends], params)
            ends = [k.lhs for k in kept]
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
    return b.finish(cond)


def _certify_points_1d(Q: sp.Expr, params: tuple, nec: sp.Basic, n: int = 4
                       ) -> tuple[list[dict], list[tuple[dict, sp.Expr]]]:
    """Exact decisions of Q >= 0 on [-1, 1] at rational points of the necessary region."""
    import itertools
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
    from mcgen.analysis.positivity import region_name
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
    return b.finish(cond)


# ---------------------------------------------------------------- three levels


def _three_level(scheme: Scheme, lv: dict) -> Derivation:
    from mcgen.analysis.positivity import region_name
    name = scheme.name or "scheme"
    bld = DerivationBuilder(f"von Neumann analysis of {name} (three levels)",
                            meta={"scheme_hash": scheme.hash})
    bw = {k[0]: w for k, w in lv.get(0, {}).items()}
    aw = {k[0]: w for k, w in lv.get(-1, {}).items()}
    a1 = {k[0]: w for k, w in lv[1].items()}
    if set(a1) != {0} or a1[0] != 1:
        raise AnalysisError("three-level schemes must be explicit (u^{n+1} = ...)")
    g = sp.Symbol("g")
    bz = laurent({(k,): w for k, w in bw.items()}, (Z,))
    az = laurent({(k,): w for k, w in aw.items()}, (Z,))
    bzc = bz.subs(Z, 1 / Z)
    azc = az.subs(Z, 1 / Z)
    ex = sp.exp(sp.I * THETA)
    phi = g**2 - bz.subs(Z, ex) * g - az.subs(Z, ex)
    i_phi = bld.step(sp.Eq(phi, 0), "u_j^n = g^n e^{i j theta}: each amplification factor g is a "
                     "root of the characteristic polynomial phi(g) = g^2 - b g - a",
                     Check("definition"))
    abs_a = sp.cancel(az * azc)
    phi1 = sp.cancel(bz + az * bzc)
    i_a = bld.identity(abs_a, 1, "|a(theta)|^2 = 1 for every theta", uses=[i_phi],
                       claim="|a(theta)| = 1")
    if sp.simplify(abs_a - 1) != 0 or sp.simplify(phi1) != 0:
        raise AnalysisError(f"three-level scheme {name!r}: only the case |a| = 1, "
                            "b + a conj(b) = 0 (leapfrog type) is analysed; other cases need "
                            "the full Schur-Cohn recursion")
    i_m = bld.identity(phi1, 0, "Miller's reduced polynomial phi_1 = (phi*(0) phi - phi(0) phi*)"
                       "/g = (1 - |a|^2) g - (b + a conj(b)) vanishes identically",
                       uses=[i_a], claim="phi_1 = 0")
    b2 = abs2_in_c(bw)
    Qs = sp.expand(4 - b2)
    i_b = bld.step(sp.Eq(sp.Symbol("S"), Qs, evaluate=False),
                   "Miller's theorem: with phi_1 = 0, phi has its roots in the closed unit disc, "
                   "simple on the circle, iff phi'(g) = 2 g - b has its root inside the open "
                   "disc: |b|^2 < 4, i.e. S = 4 - |b|^2 > 0 on c in [-1, 1]",
                   Check("identity", (sp.expand(4 - bz * bzc), Qs.subs(C, (Z + 1 / Z) / 2))),
                   uses=[i_m])
    params = tuple(p for p in scheme.params if Qs.has(p))
    res = _analyse_Q(Qs, params, strict=True)
    dbl = ""
    if res["method"] == "cells":
        p = params[0]
        s = res["set"]
        bnd = [x for x in (s.boundary if hasattr(s, "boundary") else []) if x.is_finite]
        dbl_pts = []
        for x in bnd:
            c0 = negative_point(Qs.subs(p, x), C, sp.Integer(-1), sp.Integer(1), True)
            if c0 is not None and Qs.subs({p: x, C: c0}) == 0:
                dbl_pts.append((x, sp.acos(c0)))
        if dbl_pts:
            dbl = "; double root on the unit circle at " + ", ".join(
                f"{p} = {x}, theta = {t}" for x, t in dbl_pts) + " (linear growth ~ n: unstable)"
            bld.step(f"at the boundary: S = 0, so g = b/2 is a double root with |g| = 1{dbl}",
                     "a double root on the unit circle gives solutions growing like n g^n",
                     Check("follows"), uses=[i_b])
    out = _finish_1d(bld, scheme, Qs, res, i_b, strict=True)
    cond = out.result
    from dataclasses import replace
    cond = replace(cond, description=cond.description + (dbl and " (strict" + dbl + ")"),
                   name=f"von Neumann {region_name(scheme)}")
    return replace(out, result=cond)


# ---------------------------------------------------------------- systems


def laurent_to_c(expr: sp.Expr, z: sp.Symbol = Z, c: sp.Symbol = C) -> sp.Expr | None:
    """A Laurent polynomial in z symmetric under z -> 1/z as a polynomial in c = (z + 1/z)/2
    (z^k + z^-k = 2 T_k(c)); None when it is not symmetric."""
    e = sp.expand(expr)
    terms: dict[int, sp.Expr] = {}
    for t in sp.Add.make_args(e):
        coeff, k = t.as_independent(z, as_Add=False)
        deg = 0 if k == 1 else (sp.degree(k, z) if k.is_Pow and k.exp > 0 or k == z
                                else -sp.degree(1 / k, z))
        terms[int(deg)] = terms.get(int(deg), 0) + coeff
    out = sp.Integer(0)
    for k, a in terms.items():
        if k < 0:
            continue
        if sp.expand(a - terms.get(-k, 0)) != 0:
            return None
        out += a * (2 * sp.chebyshevt(k, c) if k > 0 else 1)
    return sp.expand(out)


def von_neumann_system(scheme: Scheme) -> Derivation:
    """Amplification matrix of a linear two-level explicit 1-D system.

    Spectral radius <= 1 for every theta is necessary; it is also sufficient when G(theta) is
    normal for every theta (then ||G^n|| = rho(G)^n), which is checked and said. Eigenvalues
    that are Laurent polynomials in e^{i theta} are analysed exactly by the 1-D machinery.
    """
    from mcgen.analysis.positivity import region_name
    if scheme.dim != 1 or not scheme.is_two_level:
        raise AnalysisError("systems: 1-D two-level explicit linear updates only")
    full = scheme.linear_weights_full()
    if full is None:
        raise AnalysisError(f"system {scheme.name!r} is not linear")
    fields = scheme.fields
    n = len(fields)
    Gz = sp.zeros(n, n)
    for (fo, fi, off, _lev), w in full.items():
        Gz[fields.index(fo), fields.index(fi)] += w * Z**off[0]
    bld = DerivationBuilder(f"von Neumann analysis of the system {scheme.name or ''}",
                            meta={"scheme_hash": scheme.hash})
    Gt = Gz.subs(Z, sp.exp(sp.I * THETA))
    i_g = bld.step(sp.ImmutableMatrix(Gt), "amplification matrix: u_j^n = G^n e^{i j theta} v",
                   Check("definition"))
    Gh = Gz.subs(Z, 1 / Z).T  # real weights: conj(e^{i k theta}) = e^{-i k theta}
    comm = (Gz * Gh - Gh * Gz).applyfunc(sp.cancel)
    normal = all(e == 0 for e in comm)
    i_n = bld.step("G(theta) is normal for every theta: rho(G) <= 1 is necessary and sufficient"
                   if normal else "G(theta) is not normal: rho(G) <= 1 is only necessary",
                   "normal matrices have ||G^n|| = rho(G)^n",
                   Check("identity", (sp.ImmutableMatrix(comm), sp.zeros(n, n))) if normal
                   else Check("follows"), uses=[i_g])
    eigs = list(sp.Matrix(Gz).eigenvals())
    params = tuple(p for p in scheme.params if any(e.has(p) for e in Gz))
    parts, exact = [], normal
    for lam in eigs:
        lam_c = sp.expand(lam.subs(sp.I, -sp.I).subs(Z, 1 / Z))
        P = laurent_to_c(sp.expand(1 - lam * lam_c))
        if P is None or P.has(Z):
            exact = False
            bld.step(f"eigenvalue {lam}: not a Laurent polynomial in e^(i theta); left to "
                     "sampling", "eigenvalue with radicals", Check("follows"), uses=[i_g])
            continue
        m, Q = _split_powers(P, C)
        res = _analyse_Q(Q, tuple(p for p in params if Q.has(p)))
        if res["method"] == "ends":
            e, _ = present_polynomial_region(res["ends"], res["params"])
        elif res["method"] == "cells":
            e = _set_rel(res["set"], res["params"][0])
        elif res["method"] == "constant":
            e = res["expr"]
        else:
            e, exact = res["raw"], False
        exact = exact and res["exact"]
        parts.append(e)
        bld.step(e, f"eigenvalue lambda = {sp.factor(lam)}: 1 - |lambda|^2 = (1 - c)^{m} "
                 f"({sp.factor(Q)}) >= 0 on [-1, 1]", Check("follows"), uses=[i_g])
    raw = sp.And(*parts)
    kept = drop_redundant(list(raw.args) if isinstance(raw, sp.And) else [raw], params) \
        if params else [raw]
    expr = sp.And(*kept)
    status = "proved" if exact else "unknown"
    bld.step(expr, "spectral radius condition" + ("" if normal else " (necessary only)"),
             Check("region_equivalent", (raw, expr, params)) if params else Check("follows"),
             uses=[i_n])
    cond = Condition(expr, params, "l2", status, sufficient=expr if normal else None,
                     necessary=expr, name=f"von Neumann {region_name(scheme)}",
                     description=sp.sstr(expr) + ("" if normal else
                                                  " (necessary: G is not normal)"),
                     definitions=dict(scheme.definitions))
    return bld.finish(cond)


# ---------------------------------------------------------------- numeric helpers


def _numeric_levels(scheme: Scheme, values: dict) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    lv = _levels(scheme)
    subs = {p: values[p.name] for p in scheme.params if p.name in values}
    return {lev: (np.array(list(ws.keys()), dtype=float).reshape(len(ws), -1),
                  np.array([complex(sp.N(w.subs(subs))) for w in ws.values()]))
            for lev, ws in lv.items()}


def _growth_on(nl: dict, thetas: np.ndarray) -> np.ndarray:
    """max |g| at each mode (rows of ``thetas``), from numeric level weights."""
    def sym(level: int) -> np.ndarray:
        offs, ws = nl.get(level, (np.zeros((1, thetas.shape[1])), np.zeros(1, complex)))
        return np.exp(1j * thetas @ offs.T) @ ws

    if min(nl) < 0:
        b, a = sym(0), sym(-1)
        disc = np.sqrt(b * b + 4 * a + 0j)
        return np.maximum(np.abs((b + disc) / 2), np.abs((b - disc) / 2))
    return np.abs(sym(0) / sym(1))


def growth_factor(scheme: Scheme, theta: float | tuple[float, ...], **values: float) -> float:
    """max |g| over the amplification factors at a mode theta (numeric)."""
    th = np.atleast_1d(np.asarray(theta, dtype=float)).reshape(1, -1)
    return float(_growth_on(_numeric_levels(scheme, values), th)[0])


def unstable_mode(scheme: Scheme, **values: float) -> tuple[Any, float]:
    """The mode theta* that grows most at the given parameter values and |G(theta*)|.

    1-D two-level explicit: from the analysis' polynomial |G|^2 in c = cos(theta), maximised
    over c in [-1, 1] at its critical points and ends; otherwise on a grid of modes.
    """
    lv = _levels(scheme)
    if scheme.dim == 1 and set(lv) <= {0, 1} and scheme.is_explicit:
        _, bw = _one_d_weights(lv)
        subs = {p: sp.nsimplify(values[p.name], rational=True) for p in scheme.params
                if p.name in values}
        g2 = sp.Poly(sp.expand(abs2_in_c({k: w.subs(subs) for k, w in bw.items()})), C)
        cands = [-1.0, 1.0]
        if g2.degree() > 1:
            cands += [float(sp.re(x)) for x in sp.Poly(g2.diff(C), C).nroots()
                      if abs(sp.im(x)) < 1e-12 and -1 <= sp.re(x) <= 1]
        best = max(cands, key=lambda c0: float(g2.eval(c0)))
        theta = math.acos(max(-1.0, min(1.0, best)))
        return theta, math.sqrt(max(float(g2.eval(best)), 0.0))
    return most_unstable_mode(scheme, **cast(dict[str, Any], values))


def most_unstable_mode(scheme: Scheme, n: int = 181, **values: float
                       ) -> tuple[tuple[float, ...] | float, float]:
    """(theta*, max |g|) maximising the growth on a grid of modes (numeric)."""
    nl = _numeric_levels(scheme, values)
    t = np.linspace(-math.pi, math.pi, n)
    grids = np.meshgrid(*([t] * scheme.dim), indexing="ij")
    thetas = np.stack([g.ravel() for g in grids], axis=1)
    gs = _growth_on(nl, thetas)
    i = int(np.argmax(gs))
    best = tuple(float(x) for x in thetas[i])
    return (best[0] if scheme.dim == 1 else best), float(gs[i])


__all__ = ["von_neumann", "von_neumann_system", "amplification_factor", "abs2_in_c",
           "unstable_mode", "plane_polynomial", "decide_at_point",
           "present_polynomial_region", "growth_factor", "most_unstable_mode", "nonneg_on_plane"]


# ---------------------------------------------------------------- 2-D two-level

T1, T2 = sp.Symbol("t_x", real=True), sp.Symbol("t_y", real=True)  # tan(theta/2)


def plane_polynomial(weights: dict[tuple[int, int], sp.Expr]) -> sp.Expr:
    """N(t_x, t_y) = (1 + t_x^2)^(2R) (1 + t_y^2)^(2R) (1 - |G|^2), t = tan(theta/2): a real
    polynomial with the sign of 1 - |G|^2 (e^{i theta} = (1 + i t)^2 / (1 + t^2))."""
    R = max(max(abs(k) for k in off) for off in weights)
    G = sp.Integer(0)
    for (k, m), w in weights.items():
        G += w * (1 + sp.I * T1)**(R + k) * (1 - sp.I * T1)**(R - k) * \
            (1 + sp.I * T2)**(R + m) * (1 - sp.I * T2)**(R - m)
    G = sp.expand(G)
    re = sp.expand(G.subs(sp.I, 0))
    im = sp.expand((G - re) / sp.I)
    return sp.expand((1 + T1**2)**(2 * R) * (1 + T2**2)**(2 * R) - re**2 - im**2)


def _numeric_negative(N: sp.Expr, n: int = 41) -> tuple | None:
    """A rational (t_x, t_y) where N < 0, found on a grid in theta and confirmed exactly."""
    f = sp.lambdify((T1, T2), N, "numpy")
    th = np.linspace(-math.pi * 0.999, math.pi * 0.999, n)
    tt = np.tan(th / 2)
    X, Y = np.meshgrid(tt, tt)
    vals = f(X, Y)
    for idx in np.argsort(vals, axis=None)[:5]:
        if vals.flat[idx] >= 0:
            break
        p = (sp.nsimplify(float(X.flat[idx]), rational=True, tolerance=1e-6),
             sp.nsimplify(float(Y.flat[idx]), rational=True, tolerance=1e-6))
        if N.subs({T1: p[0], T2: p[1]}) < 0:
            return p
    return None


def decide_at_point(Nsym: sp.Expr, point: dict) -> tuple[bool, tuple | None]:
    """Exact L2 decision of a 2-D scheme at rational parameter values: (stable, witness)."""
    N = sp.expand(Nsym.subs(point))
    w = _numeric_negative(N)
    if w is not None:
        return False, w
    return nonneg_on_plane(N, T1, T2)


def _hessian_conditions(weights: dict, params: tuple) -> list[sp.Expr]:
    """Hessian H of 1 - |G|^2 at theta = 0: H_ij = sum_{a,b} w_a w_b (a - b)_i (a - b)_j
    (from |G|^2 = sum w_a w_b e^{i (a - b).theta}); conditions H11, H22, det H >= 0."""
    H = [[sp.Integer(0)] * 2 for _ in range(2)]
    for a, wa in weights.items():
        for b_, wb in weights.items():
            d = (a[0] - b_[0], a[1] - b_[1])
            for i in range(2):
                for j in range(2):
                    H[i][j] += wa * wb * d[i] * d[j]
    H = [[sp.factor(sp.expand(h)) for h in row] for row in H]
    return [H[0][0], H[1][1], sp.factor(sp.expand(H[0][0] * H[1][1] - H[0][1] * H[1][0]))]


def two_level_nd(scheme: Scheme, lv: dict, rays: int = 16) -> Derivation:
    """2-D: exact necessary conditions, sufficiency from positivity or at rational points."""
    from mcgen.analysis.positivity import positivity_region, region_name
    from mcgen.proof.sturm import check_region_equivalent
    if scheme.dim != 2 or set(lv) != {0, 1} or lv[1] != {(0, 0): 1}:
        raise AnalysisError(f"{scheme.name!r}: multi-dimensional analysis is for explicit "
                            "two-level 2-D schemes")
    w = lv[0]
    params = tuple(p for p in scheme.params if any(e.has(p) for e in w.values()))
    name = scheme.name or "scheme"
    bld = DerivationBuilder(f"von Neumann analysis of {name} (2-D)",
                            meta={"scheme_hash": scheme.hash})
    Gx = sum(e * sp.exp(sp.I * (k * THETAS[0] + m * THETAS[1])) for (k, m), e in w.items())
    i_g = bld.step(sp.Eq(sp.Symbol("G"), Gx, evaluate=False),
                   "substitute u_jk^n = G^n e^{i (j theta_x + k theta_y)}", Check("definition"))
    necessary: list[sp.Basic] = []
    # corners {0, pi}^2: G is real there
    corner_steps = []
    for sx in (0, 1):
        for sy in (0, 1):
            Gc = sp.expand(sum(e * sp.Integer(-1)**(sx * k + sy * m) for (k, m), e in w.items()))
            conds = [c for c in (sp.factor(1 - Gc), sp.factor(1 + Gc)) if c != 0]
            for c in conds:
                if not (c.is_nonnegative or not c.free_symbols):
                    necessary.append(sp.Ge(c, 0))
            corner_steps.append(bld.step(
                f"corner theta = ({sx and 'pi' or 0}, {sy and 'pi' or 0}): G = {Gc}, so "
                f"-1 <= {Gc} <= 1", "|G| <= 1 at an explicit mode (necessary)",
                Check("follows"), uses=[i_g]))
    # edges: the 1-D schemes seen by modes with theta_y = 0 or theta_x = 0
    for axis in (0, 1):
        w1: dict[int, sp.Expr] = {}
        for off, e in w.items():
            w1[off[axis]] = sp.expand(w1.get(off[axis], 0) + e)
        P = sp.expand(1 - abs2_in_c(w1))
        m, Q = _split_powers(P, C)
        res = _analyse_Q(Q, tuple(p for p in params if Q.has(p)))
        if res["method"] == "ends":
            necessary += [sp.Ge(e, 0) for e in res["ends"] if sp.Ge(e, 0) is not sp.true]
        elif res["method"] == "cells":
            necessary.append(_set_rel(res["set"], res["params"][0]))
        bld.step(f"edge theta_{'yx'[axis]} = 0: the 1-D symbol with weights {w1}; "
                 f"Q = {sp.factor(Q)} must be >= 0 on [-1, 1]", "1-D analysis of an edge of "
                 "the torus (necessary)", Check("follows"), uses=[i_g])
    hc = _hessian_conditions(w, params)
    necessary += [sp.Ge(h, 0) for h in hc if sp.Ge(h, 0) is not sp.true]
    i_h = bld.step(f"Hessian of 1 - |G|^2 at theta = 0 must be positive semi-definite: "
                   f"H11 = {hc[0]}, H22 = {hc[1]}, det H = {sp.factor(hc[2])}",
                   "second-order expansion around theta = 0 (necessary)", Check("follows"),
                   uses=[i_g])
    necessary = [n for n in dict.fromkeys(necessary) if n is not sp.true]
    necessary = drop_redundant(necessary, params)
    nec_expr, nec_words = _present_relations(necessary, params)
    i_n = bld.step(nec_expr, f"necessary conditions, simplified: {nec_words}",
                   Check("region_equivalent", (sp.And(*necessary), nec_expr, params)),
                   uses=[*corner_steps, i_h])
    suff = None
    try:
        pos = positivity_region(scheme).result
        if pos.expr is not sp.false and "measure zero" not in pos.description:
            suff = pos.expr
    except AnalysisError:
        pos = None
    status = "sampled"
    meta_points: dict[str, list] = {"stable": [], "unstable": []}
    description = ""
    if suff is not None:
        i_s = bld.step(suff, "sufficient: the positivity region (convex combination, "
                       "|G| <= sum w_k = 1)", Check("follows"), uses=[i_g])
        same = check_region_equivalent(suff, nec_expr, params)
        if same == "proved":
            bld.step("the sufficient set (positivity) equals the necessary set",
                     "sufficient and necessary coincide: the region is exact",
                     Check("region_equivalent", (suff, nec_expr, params)), uses=[i_s, i_n])
            status = "proved"
        else:
            bld.step("positivity region (sufficient) inside the L2 region, inside the "
                     "necessary set; the gap between them is shown",
                     "sufficient implies necessary (convexity theorem, then the necessary "
                     "conditions of every L2-stable point)", Check("follows"), uses=[i_s, i_n])
    expr = nec_expr
    if status != "proved":
        Nsym = plane_polynomial(w)
        traced, meta_points, gap = _trace(scheme, w, params, Nsym, nec_expr, rays)
        for pt in meta_points["stable"]:
            sub = dict(zip(params, pt, strict=False))
            bld.step(f"stable at {sub}: N(t_x, t_y) >= 0 on the plane",
                     "exact decision at a rational parameter point (t = tan(theta/2))",
                     Check("nonneg_on_plane", (sp.expand(Nsym.subs(sub)), T1, T2)),
                     uses=[i_g])
        for pt, wit in meta_points["unstable"]:
            sub = dict(zip(params, pt, strict=False))
            th = tuple(2 * sp.atan(t) for t in wit)
            bld.step(f"unstable at {sub}: the mode theta* = {th} grows (N < 0)",
                     "explicit growing mode at a rational parameter point",
                     Check("negative_at", (Nsym, {**sub, T1: wit[0], T2: wit[1]})), uses=[i_g])
        if gap:
            bld.step(f"the necessary conditions are not sufficient: {gap}",
                     "an unstable point inside the necessary set", Check("follows"),
                     uses=[i_n])
        bld.step("between the certified points the boundary is traced numerically (max |G| on "
                 "a grid of modes, bisection along rays); the region used is the necessary set "
                 "cut by the traced star-shaped polygon", "certified at points only",
                 Check("sampled"), uses=[i_n])
        expr = sp.And(nec_expr, traced) if traced is not None else nec_expr
        description = (f"necessary (proved): {nec_words}; sufficient"
                       f"{' (proved): positivity region' if suff is not None else ''}; "
                       f"boundary traced along {rays} rays and certified at points only"
                       + (f"; {gap}" if gap else ""))
    else:
        description = nec_words
    cond = Condition(expr, params, "l2", status, sufficient=suff if status != "proved"
                     else nec_expr, necessary=nec_expr, name=f"von Neumann {region_name(scheme)}",
                     description=description, definitions=dict(scheme.definitions))
    out = bld.finish(cond)
    from dataclasses import replace
    return replace(out, meta={**out.meta, "certified_points": meta_points})


def _set_rel(s: sp.Set, v: sp.Symbol) -> sp.Basic:
    return set_to_condition(s, v)[0]


def _present_relations(rels: list[sp.Basic], params: tuple) -> tuple[sp.Basic, str]:
    polys, others = [], []
    for r in rels:
        if isinstance(r, sp.GreaterThan) and r.rhs == 0:
            polys.append(r.lhs)
        else:
            others.append(r)
    expr, words = present_polynomial_region(polys, params)
    if others:
        expr = sp.And(expr, *others)
        words = ", ".join([words] + [sp.sstr(o) for o in others])
    from mcgen.proof.sturm import check_region_equivalent
    if check_region_equivalent(sp.And(*rels), expr, params) != "proved":
        return sp.And(*rels), sp.sstr(sp.And(*rels))
    return expr, words


def _trace(scheme: Scheme, w: dict, params: tuple, Nsym: sp.Expr, nec: sp.Basic, rays: int,
           certify: int = 3) -> tuple[sp.Basic | None, dict, str]:
    """Trace the stability boundary along rays (numeric bisection on max |G|), then certify
    exactly a rational point inside (stable) and outside (unstable, with its mode)."""
    if len(params) != 2:
        return None, {"stable": [], "unstable": []}, ""
    f = sp.lambdify(params, [wk for wk in w.values()], "numpy")
    offs = np.array(list(w.keys()), dtype=float)
    th = np.linspace(-math.pi, math.pi, 73)
    TX, TY = np.meshgrid(th, th)
    phase = np.exp(1j * (offs[:, 0, None, None] * TX + offs[:, 1, None, None] * TY))

    def gmax(p: np.ndarray) -> float:
        ws = np.array(f(float(p[0]), float(p[1])), dtype=float)
        return float(np.abs(np.tensordot(ws, phase, axes=1)).max())

    lo_ang, hi_ang = 0.0, 2 * math.pi
    if all(p.is_nonnegative for p in params):
        hi_ang = math.pi / 2
    angles = np.linspace(lo_ang, hi_ang, rays, endpoint=hi_ang < 2 * math.pi)
    radii = []
    for ang in angles:
        d = np.array([math.cos(ang), math.sin(ang)])
        lo, hi = 0.0, 1.0
        while gmax(hi * d) <= 1 + 1e-12 and hi < 64:
            lo, hi = hi, hi * 2
        for _ in range(18):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if gmax(mid * d) <= 1 + 1e-12 else (lo, mid)
        radii.append(lo)
    pts: dict[str, list] = {"stable": [], "unstable": []}
    gap = ""
    nec_f = sp.lambdify(params, nec, "math") if nec not in (sp.true, sp.false) else None
    for k, (ang, rho) in enumerate(zip(angles, radii, strict=False)):
        u = (math.cos(ang), math.sin(ang))
        p_in = tuple(sp.Rational(round(0.9 * rho * x * 1000), 1000) for x in u)
        p_out = tuple(sp.Rational(round(1.1 * rho * x * 1000), 1000) for x in u)
        if k % max(1, len(angles) // certify) != 0:
            continue  # exact certification (above all of stable points) is the costly part
        ok, _ = decide_at_point(Nsym, dict(zip(params, p_in, strict=False)))
        if ok:
            pts["stable"].append(p_in)
        ok, wit = decide_at_point(Nsym, dict(zip(params, p_out, strict=False)))
        if not ok and wit is not None:
            pts["unstable"].append((p_out, wit))
            if not gap and nec_f is not None and bool(nec_f(*[float(x) for x in p_out])):
                where = dict(zip(map(str, params), p_out, strict=False))
                gap = (f"{where} satisfies them, yet the mode "
                       f"theta* = {tuple(float(2 * sp.atan(t)) for t in wit)} grows")
    # the traced region, kept on the safe side: in each sector between two rays, the triangle
    # spanned by the smaller of the two traced radii (a star-shaped region whose boundary
    # bulges inwards, like unsplit Lax-Wendroff's astroid, is not cut by its chords this way)
    closed = hi_ang >= 2 * math.pi
    tri = []
    x, y = params
    n_sec = len(angles) if closed else len(angles) - 1
    for i in range(n_sec):
        j = (i + 1) % len(angles)
        rho = 0.999 * min(radii[i], radii[j])
        (x1, y1), (x2, y2) = [(sp.Rational(round(rho * math.cos(a) * 10**6), 10**6),
                               sp.Rational(round(rho * math.sin(a) * 10**6), 10**6))
                              for a in (angles[i], angles[j])]
        c1 = x1 * y - y1 * x
        c2 = x * y2 - y * x2
        c3 = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        tri.append(sp.And(sp.Ge(c1, 0), sp.Ge(c2, 0), sp.Ge(c3, 0)))
    return sp.Or(*tri), pts, gap
