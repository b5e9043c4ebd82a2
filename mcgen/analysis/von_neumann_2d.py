"""von Neumann analysis of 2-D two-level explicit scalar schemes.

Exact necessary conditions (Hessian of 1 - |G|^2 at theta = 0, the corners {0, pi}^2, the edges
theta_y = 0 and theta_x = 0 by the 1-D analysis); sufficiency from the positivity region when it
coincides with them (then ``proved``), otherwise exact decisions at rational parameter points
(1 - |G|^2 >= 0 on the torus, via t = tan(theta/2) and a cylindrical decomposition) along rays,
the boundary traced numerically between certified points: status ``sampled``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import sympy as sp
from scipy.optimize import minimize
from sympy.core.relational import Relational

from mcgen.analysis.amplification import THETAS, C, abs2_in_c, split_powers
from mcgen.analysis.convex_region import affine_in, decide_interval, necessary_interval
from mcgen.analysis.cosine_symbol import cosine_corners, multiaffine_region
from mcgen.analysis.long_wave_condition import long_wave_condition
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.region_presentation import (
    drop_redundant,
    present_relations,
    region_name,
    set_relation,
    set_to_condition,
    single_relation_form,
)
from mcgen.analysis.von_neumann_1d import analyse_Q
from mcgen.errors import AnalysisError
from mcgen.model.scheme import Scheme
from mcgen.proof.check import Check
from mcgen.proof.condition import Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder
from mcgen.proof.lp import check_linear_implies
from mcgen.proof.sos_certificate import SOSUnavailable, find_sos_certificate, region_polynomials
from mcgen.proof.sos_reduced_search import find_reduced_sos_certificate
from mcgen.proof.sturm import (
    PLANE_MAX_DEGREE,
    _domain,
    check_region_equivalent,
    check_region_implies,
    check_same_real_set,
    finite_region,
    nonneg_on_plane,
    relational_set,
)

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
    vals = np.broadcast_to(f(X, Y), X.shape)  # a constant N gives a scalar
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
    (from |G|^2 = sum w_a w_b e^{i (a - b).theta}); it is positive semi-definite iff all its
    principal minors are >= 0: H11, H22, det H in 2-D (then H33 and the other minors in 3-D)."""
    d = len(next(iter(weights)))
    H = sp.zeros(d, d)
    for a, wa in weights.items():
        for b_, wb in weights.items():
            for i in range(d):
                for j in range(d):
                    H[i, j] += wa * wb * (a[i] - b_[i]) * (a[j] - b_[j])
    H = H.applyfunc(lambda h: sp.factor(sp.expand(h)))
    return [sp.factor(sp.expand(H.extract(list(idx), list(idx)).det())) for idx in _minors(d)]


def _minors(d: int) -> list[tuple[int, ...]]:
    """The principal minors' index sets, by size."""
    return [idx for n in range(1, d + 1) for idx in itertools.combinations(range(d), n)]


def _minor_names(d: int) -> list[str]:
    return [f"H{idx[0] + 1}{idx[0] + 1}" if len(idx) == 1 else
            ("det H" if len(idx) == d else f"det H[{','.join(str(i + 1) for i in idx)}]")
            for idx in _minors(d)]


def two_level_nd(scheme: Scheme, lv: dict, rays: int = 16) -> Derivation:
    """2-D and 3-D: exact necessary conditions; sufficiency from positivity, from the corners
    (a real symbol affine in each cosine), by an SOS certificate (2-D) or at rational points
    (2-D)."""
    d = scheme.dim
    if d not in (2, 3) or set(lv) != {0, 1} or lv[1] != {(0,) * d: 1}:
        raise AnalysisError(f"{scheme.name!r}: multi-dimensional analysis is for explicit "
                            "two-level 2-D and 3-D schemes")
    w = lv[0]
    thetas = THETAS[:d]
    params = tuple(p for p in scheme.params if any(e.has(p) for e in w.values()))
    name = scheme.name or "scheme"
    bld = DerivationBuilder(f"von Neumann analysis of {name} ({d}-D)",
                            meta={"scheme_hash": scheme.hash})
    Gx = sum(e * sp.exp(sp.I * sum(k * t for k, t in zip(off, thetas, strict=True)))
             for off, e in w.items())
    idx = "jkl"[:d]
    i_g = bld.step(sp.Eq(sp.Symbol("G"), Gx, evaluate=False),
                   f"substitute u_{idx}^n = G^n e^{{i ("
                   + " + ".join(f"{j} theta_{a}" for j, a in zip(idx, "xyz", strict=False))
                   + ")}", Check("definition"))
    necessary: list[sp.Basic] = []
    # corners {0, pi}^d: G is real there
    corner_steps = []
    for corner in itertools.product((0, 1), repeat=d):
        Gc = sp.expand(sum(e * sp.Integer(-1)**sum(s * k for s, k in zip(corner, off,
                                                                           strict=True))
                           for off, e in w.items()))
        conds = [c for c in (sp.factor(1 - Gc), sp.factor(1 + Gc)) if c != 0]
        for c in conds:
            if not (c.is_nonnegative or not c.free_symbols):
                necessary.append(sp.Ge(c, 0))
        corner_steps.append(bld.step(
            f"corner theta = ({', '.join(s and 'pi' or '0' for s in corner)}): G = {Gc}, so "
            f"-1 <= {Gc} <= 1", "|G| <= 1 at an explicit mode (necessary)",
            Check("follows"), uses=[i_g]))
    # edges: the 1-D schemes seen by modes along one axis
    for axis in range(d):
        w1: dict[int, sp.Expr] = {}
        for off, e in w.items():
            w1[off[axis]] = sp.expand(w1.get(off[axis], 0) + e)
        P = sp.expand(1 - abs2_in_c(w1))
        m, Q = split_powers(P, C)
        res = analyse_Q(Q, tuple(p for p in params if Q.has(p)))
        if res["method"] == "ends":
            necessary += [sp.Ge(e, 0) for e in res["ends"] if sp.Ge(e, 0) is not sp.true]
        elif res["method"] == "cells":
            necessary.append(set_relation(res["set"], res["params"][0]))
        others = " = ".join(f"theta_{a}" for i, a in enumerate("xyz"[:d]) if i != axis)
        bld.step(f"edge {others} = 0: the 1-D symbol with weights {w1}; "
                 f"Q = {sp.factor(Q)} must be >= 0 on [-1, 1]", "1-D analysis of an edge of "
                 "the torus (necessary)", Check("follows"), uses=[i_g])
    hc = _hessian_conditions(w, params)
    necessary += [sp.Ge(h, 0) for h in hc if sp.Ge(h, 0) is not sp.true]
    i_h = bld.step("Hessian of 1 - |G|^2 at theta = 0 must be positive semi-definite: "
                   + ", ".join(f"{n} = {h}" for n, h in zip(_minor_names(d), hc, strict=True)),
                   "second-order expansion around theta = 0 (necessary)", Check("follows"),
                   uses=[i_g])
    lw_steps = _long_wave_steps(bld, Gx, w, params, i_g) if d == 2 else []
    necessary += [e for e, _ in lw_steps]
    necessary = [n for n in dict.fromkeys(necessary) if n is not sp.true]
    # the charts' formulas often reduce the whole set to one relation (LW: the astroid): tried
    # first (one exact region check), since then no conjunct needs to be shown redundant
    single = single_relation_form(sp.And(*necessary), params) if lw_steps else None
    if single is not None:
        nec_expr, nec_words = single
    else:
        necessary = drop_redundant(necessary, params)
        nec_expr, nec_words = present_relations(necessary, params)
        if lw_steps:
            nec_expr, nec_words = single_relation_form(nec_expr, params) or (nec_expr,
                                                                             nec_words)
    simplified = Check("region_equivalent", (sp.And(*necessary), nec_expr, params))
    intervals = _as_intervals(sp.And(*necessary), params[0]) if len(params) == 1 else None
    if intervals is not None:
        nec_expr, nec_words = intervals
        simplified = Check("same_real_set", (sp.And(*necessary), nec_expr, params[0]))
    i_n = bld.step(nec_expr, f"necessary conditions, simplified: {nec_words}", simplified,
                   uses=[*corner_steps, i_h, *[i for _, i in lw_steps]])
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
        elif (linear := _linear_conjuncts(nec_expr, params)) is not None and \
                check_linear_implies(linear, suff, params) == "proved":
            # (three or more parameters, where regions are compared by LP only)
            i_l = bld.step(linear, "the necessary conditions linear in the parameters",
                           Check("follows"), uses=[i_n])
            bld.step(suff, "they imply the sufficient set (positivity): sufficient and "
                     "necessary coincide, the region is exact",
                     Check("linear_implies", (linear, suff, params)), uses=[i_s, i_l])
            nec_expr, nec_words = suff, f"the positivity region {sp.sstr(suff)}"
            status = "proved"
        else:
            bld.step("positivity region (sufficient) inside the L2 region, inside the "
                     "necessary set; the gap between them is shown",
                     "sufficient implies necessary (convexity theorem, then the necessary "
                     "conditions of every L2-stable point)", Check("follows"), uses=[i_s, i_n])
    expr = nec_expr
    why_not = ""
    corners = multiaffine_region(Gx, thetas) if status != "proved" else None
    if corners is not None:
        # the corner conditions are the region; stated as the simplified necessary set when
        # the two are shown equivalent (at most two parameters), else as they are
        if cosine_corners(Gx, thetas, params, nec_expr) == "proved":
            words = "whose conditions give the necessary set"
        else:
            nec_expr, words = corners, "whose conditions are the region"
        bld.step(nec_expr, "sufficient: the weights are even in every axis and reach one cell, so "
                 "G = sum_k w_k prod_i cos(k_i theta_i) is real and affine in each cos theta_i; "
                 f"its extremes over the torus are at the corners {{0, pi}}^{d}, {words}",
                 Check("cosine_corners", (Gx, thetas, params, nec_expr)), uses=[i_g, i_n])
        nec_words = str(nec_expr) if words.endswith("the region") else nec_words
        status = "proved"
    points = _finite_necessary_set(nec_expr, params) if status != "proved" and d == 2 else None
    if points is not None:
        expr = _decide_points(bld, w, params, nec_expr, points, i_g, i_n)
        nec_words = f"{nec_words}; decided at each of its {len(points)} point(s)"
        status = "proved"
    if status != "proved" and d == 2 and len(params) == 1 and affine_in(Gx, params):
        got = _convex_decision(bld, Gx, w, params[0], nec_expr, suff, i_g, i_n)
        if got is not None:
            status, expr, suff, nec_expr, description = got
            if status == "proved":
                nec_words = description
    if status not in ("proved", "unknown") and d == 2:
        cert, why_not = _sos_sufficiency(Gx, w, params, nec_expr)
        if cert is not None:
            sizes = ", ".join(str(Q.rows) for _, _, Q in cert)
            deg = 2 * max(sp.Poly(b, *b.free_symbols).total_degree() if b.free_symbols else 0
                          for _, basis, _ in cert for b in basis)
            bld.step(nec_expr, f"sufficient: SOS certificate (degree {deg}, Gram sizes {sizes}) "
                     "checked exactly: 1 - |G|^2 = sigma_0 + sum_i g_i sigma_i modulo "
                     "cos^2 + sin^2 = 1, every g_i >= 0 on the necessary set",
                     Check("sos_on_torus", (Gx, THETAS[:2], params, nec_expr, cert)),
                     uses=[i_g, i_n])
            status = "proved"
        elif lw_steps:
            status, why_not = _odd_root_sufficiency(bld, Gx, w, params, nec_expr, i_g, i_n,
                                                    why_not)
    if status != "proved" and d == 3:
        # no 3-D sufficiency test beyond positivity and the corners: the proved sufficient set
        # is what is reported, the necessary set beside it
        status = "unknown"
        expr = suff if suff is not None else sp.false
        description = (f"necessary (proved): {nec_words}; sufficient (proved): "
                       + ("the positivity region" if suff is not None else "none")
                       + "; region used: the sufficient set (3-D: beyond positivity, only "
                       "symbols that are real and affine in each cosine are decided)")
    elif status not in ("proved", "unknown"):
        Nsym = plane_polynomial(w)
        traced, meta_points, gap = _trace(scheme, w, params, Nsym, nec_expr, rays)
        for pt in meta_points["stable"]:
            _point_step(bld, Nsym, dict(zip(params, pt, strict=False)), True, None, i_g)
        for pt, wit in meta_points["unstable"]:
            _point_step(bld, Nsym, dict(zip(params, pt, strict=False)), False, wit, i_g)
        if gap:
            bld.step(f"the necessary conditions are not sufficient: {gap}",
                     "an unstable point inside the necessary set", Check("follows"),
                     uses=[i_n])
        bld.step("between the certified points the boundary is traced numerically (max |G| on "
                 "a grid of modes, bisection along rays); the region used is the necessary set "
                 "cut by the traced star-shaped polygon", "certified at points only",
                 Check("sampled"), uses=[i_n])
        expr = sp.And(nec_expr, traced) if traced is not None else nec_expr
        if suff is not None and traced is not None:
            # the reported region never excludes a point of its own proved sufficient set
            # (without a trace it is the necessary set, which contains it)
            expr = sp.Or(suff, expr)
        description = (f"necessary (proved): {nec_words}"
                       + (" (it includes the long-wave directional condition)" if lw_steps
                          else "")
                       + ("; sufficient (proved): positivity region; " if suff is not None
                          else "; sufficient: none proved; ")
                       + "region used: "
                       + (f"{'the sufficient set joined with ' if suff is not None else ''}"
                          f"the necessary set cut by the boundary traced along {rays} rays, "
                          "certified at points only" if traced is not None else
                          "the necessary set, decided exactly at a run's values")
                       + (f"; {gap}" if gap else "")
                       + (f"; sufficiency of the necessary set not proved: {why_not}"
                          if why_not else ""))
    elif status == "proved":
        description = nec_words
    cond = Condition(expr, params, "l2", status, sufficient=suff if status != "proved"
                     else expr, necessary=nec_expr, name=f"von Neumann {region_name(scheme)}",
                     description=description, definitions=dict(scheme.definitions))
    out = bld.finish_concluded(cond)
    return replace(out, meta={**out.meta, "certified_points": meta_points})


def _as_intervals(nec: sp.Basic, p: sp.Symbol) -> tuple[sp.Basic, str] | None:
    """A one-parameter necessary set as its union of intervals (the conjunction of corner,
    edge, Hessian and long-wave conditions often repeats itself), or None."""
    try:
        s = relational_set(nec, p).intersect(_domain(p))
        expr, words = set_to_condition(s, p)
    except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
        return None
    if isinstance(s, sp.Interval) and s.start.is_finite and s.end.is_finite and \
            not (s.start.is_Rational and s.end.is_Rational):
        # conjugate irrational ends (|nu| <= sqrt(2)/4): one quadratic with rational
        # coefficients, which the SOS search can take
        quad = sp.expand((p - s.start) * (p - s.end))
        if all(c.is_Rational for c in sp.Poly(quad, p).all_coeffs()):
            expr = sp.Le(sp.Poly(quad, p).clear_denoms()[1].as_expr(), 0)
        else:  # both ends roots of one rational polynomial m, the set {m <= 0} (or >= 0)
            ends = {sp.minimal_polynomial(x, p) for x in (s.start, s.end)}
            m = sp.expand(sp.Mul(*ends))
            for cand in (sp.Le(m, 0), sp.Ge(m, 0)):
                if check_same_real_set(cand, expr, p) == "proved":
                    expr = cand
                    break
    if check_same_real_set(nec, expr, p) != "proved":
        return None
    return expr, words


def _linear_conjuncts(nec: sp.Basic, params: tuple) -> sp.Basic | None:
    """The conjuncts of the necessary set that are linear inequalities in the parameters."""
    out = []
    for rel in (nec.args if isinstance(nec, sp.And) else (nec,)):
        if not isinstance(rel, Relational) or rel.rel_op not in (">=", "<=", ">", "<"):
            continue
        try:
            deg = sp.Poly(sp.expand(rel.lhs - rel.rhs), *params).total_degree()
        except sp.PolynomialError:
            continue
        if deg <= 1:
            out.append(rel)
    return sp.And(*out) if out else None


def _finite_necessary_set(nec: sp.Basic, params: tuple) -> list[tuple] | None:
    """The points of a necessary set that is finite and rational (None otherwise): each is then
    decided exactly."""
    if len(params) == 2:
        try:
            found = finite_region(nec, params)
        except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
            return None
        if not found or not all(x.is_Rational for pt in found for x in pt):
            return None
        return found
    if len(params) != 1:
        return None
    try:
        pts = relational_set(nec, params[0]).intersect(_domain(params[0]))
    except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
        return None
    if not isinstance(pts, sp.FiniteSet) or not all(x.is_Rational for x in pts):
        return None
    return [(x,) for x in sorted(pts)]


def _decide_points(bld: DerivationBuilder, w: dict, params: tuple, nec: sp.Basic,
                   points: list[tuple], i_g: int, i_n: int) -> sp.Basic:
    """A finite necessary set: each point decided exactly (N >= 0 on the plane, or a growing
    mode); the region is the stable points."""
    listed = sp.Or(*[sp.And(*[sp.Eq(p, x) for p, x in zip(params, pt, strict=True)])
                     for pt in points])
    same = Check("region_equivalent", (nec, listed, params)) if len(params) == 1 else \
        Check("finite_region", (nec, params, tuple(points)))
    i_f = bld.step(listed, "the necessary set is these finitely many points", same, uses=[i_n])
    Nsym = plane_polynomial(w)
    stable, uses = [], [i_f]
    for pt in points:
        sub = dict(zip(params, pt, strict=True))
        ok, wit = decide_at_point(Nsym, sub)
        if ok:
            stable.append(pt)
        uses.append(_point_step(bld, Nsym, sub, ok, wit, i_g))
    region = sp.Or(*[sp.And(*[sp.Eq(p, x) for p, x in zip(params, pt, strict=True)])
                     for pt in stable]) if stable else sp.false
    bld.step(region, "the stable points of the finite necessary set: the region is exact",
             Check("follows"), uses=uses)
    return region


def _point_step(bld: DerivationBuilder, Nsym: sp.Expr, sub: dict, ok: bool, wit: tuple | None,
                i_g: int) -> int:
    """The step recording an exact decision at a rational parameter point."""
    if ok:
        return bld.step(f"stable at {sub}: N(t_x, t_y) >= 0 on the plane",
                        "exact decision at a rational parameter point (t = tan(theta/2))",
                        Check("nonneg_on_plane", (sp.expand(Nsym.subs(sub)), T1, T2)),
                        uses=[i_g])
    assert wit is not None
    th = tuple(2 * sp.atan(t) for t in wit)
    return bld.step(f"unstable at {sub}: the mode theta* = {th} grows (N < 0)",
                    "explicit growing mode at a rational parameter point",
                    Check("negative_at", (Nsym, {**sub, T1: wit[0], T2: wit[1]})), uses=[i_g])


def _convex_decision(bld: DerivationBuilder, Gx: sp.Expr, w: dict, p: sp.Symbol,
                     nec: sp.Basic, suff: sp.Basic | None, i_g: int, i_n: int
                     ) -> tuple[str, sp.Basic, sp.Basic, sp.Basic, str] | None:
    """Weights affine in the one parameter: the region is an interval
    (:mod:`mcgen.analysis.convex_region`). (status, region, sufficient, necessary, words), or
    None when the necessary set is no bounded rational interval or no stable point is found."""
    ends = necessary_interval(nec, p)
    if ends is None:
        return None
    Nsym = plane_polynomial(w)
    offs, TX, TY, phase = _mode_grid(w, 97)
    f = sp.lambdify(p, list(w.values()), "numpy")
    decided: dict[sp.Rational, tuple[bool, tuple | None]] = {}

    def decide(x: sp.Rational) -> tuple[bool, tuple | None]:
        if x not in decided:
            decided[x] = decide_at_point(Nsym, {p: x})
        return decided[x]

    def max_abs_G(x: float) -> float:
        # the grid's best modes, refined by a local search: the bracket's points are then
        # decided exactly, so only its width depends on this
        ws = np.array(np.broadcast_arrays(*f(x), x), dtype=float)[:-1]
        grid = np.abs(np.tensordot(ws, phase, axes=1))

        def neg_abs2(t: np.ndarray) -> float:
            return -float(abs(np.dot(ws, np.exp(1j * (offs @ t)))) ** 2)

        best = float(grid.max())
        for idx in np.argsort(grid, axis=None)[-3:]:
            start = np.array([TX.flat[idx], TY.flat[idx]])
            got = minimize(neg_abs2, start, method="Nelder-Mead",
                           options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 400})
            best = max(best, math.sqrt(max(-got.fun, 0.0)))
        return best

    got = decide_interval(*ends, decide, max_abs_G)
    if got is None:
        return None
    i_a = bld.step("G is affine in the parameter: |G|^2 is convex in it at every mode, so the L2 "
                   "region is an interval", "a convex function's sublevel set is convex",
                   Check("affine_in_parameters", (Gx, (p,))), uses=[i_g])
    uses = [i_a, i_n] + [_point_step(bld, Nsym, {p: x}, *decide(x), i_g)
                         for x in sorted(decided)]
    if got.low_bracket is None and got.high_bracket is None:
        bld.step(nec, f"both ends of the necessary interval [{got.lo}, {got.hi}] are stable, so "
                 "the whole interval is (convexity): the necessary set is the region",
                 Check("follows"), uses=uses)
        return "proved", nec, nec, nec, f"{p} in [{got.lo}, {got.hi}] (its ends decided exactly)"
    lo_in = got.lo if got.low_bracket is None else got.low_bracket[0]
    hi_in = got.hi if got.high_bracket is None else got.high_bracket[0]
    sufficient = sp.And(p >= lo_in, p <= hi_in)
    if suff is not None:
        sufficient = set_relation(relational_set(sufficient, p) | relational_set(suff, p), p)
    necessary = sp.And(nec, *([p > got.low_bracket[1]] if got.low_bracket else []),
                       *([p < got.high_bracket[1]] if got.high_bracket else []))
    i_s = bld.step(sufficient, "sufficient: the convex hull of stable points (and the positivity "
                   "region)", Check("follows"), uses=uses)
    bld.step(necessary, "necessary: an unstable point excludes every point beyond it (it would "
             "lie between two stable points otherwise)", Check("follows"), uses=[i_s, *uses])
    brackets = "; ".join(f"the {side} end lies in ({float(min(a, b)):.12g}, "
                         f"{float(max(a, b)):.12g}) = ({min(a, b)}, {max(a, b)}) "
                         f"(width {float(abs(b - a)):.1g})"
                         for side, br in (("lower", got.low_bracket), ("upper", got.high_bracket))
                         if br is not None for a, b, _ in [br])
    words = (f"the region is an interval (G affine in {p}); {brackets}: the necessary interval "
             f"[{got.lo}, {got.hi}] is not sufficient; region used: the proved sufficient "
             f"interval {sp.sstr(sufficient)}")
    return "unknown", sufficient, sufficient, necessary, words


def _long_wave_steps(bld: DerivationBuilder, Gx: sp.Expr, w: dict, params: tuple, i_g: int
                     ) -> list[tuple[sp.Basic, int]]:
    """The long-wave directional condition (when the Hessian vanishes identically): its form,
    then one exact region per chart; (region, step) pairs, [] when it does not apply."""
    lw = long_wave_condition(w, params)
    if lw is None:
        return []
    dx, dy = lw.direction
    i_f = bld.step(f"the Hessian vanishes identically; along theta = t ({dx}, {dy}), "
                   f"1 - |G|^2 = t^{lw.order} F + O(t^{lw.order + 2}) with F = {lw.form}",
                   "Taylor expansion of |G|^2 = sum_(k,l) w_k w_l cos(t (k - l).d); if "
                   "F(d) < 0 for one direction d the modes t d grow for small t, so F >= 0 for "
                   "every d is necessary",
                   Check("long_wave_form", (Gx, THETAS[:2], (dx, dy), lw.order,
                                            sp.expand(lw.form))), uses=[i_g])
    out = []
    for ch in lw.charts:
        d = f"({ch.chart[0]}, {ch.chart[1]})"
        i_q = bld.step(f"on the directions d = {d}, c in [-1, 1]: F = {sp.factor(ch.Q)}",
                       "F is an even form: these two charts and d -> -d give every direction",
                       Check("identity", (ch.Q, lw.form.subs({dx: ch.chart[0], dy: ch.chart[1]},
                                                             simultaneous=True))), uses=[i_f])
        how = "exact" if ch.exact else "a proved superset (the sign classes with a stable cell)"
        i_r = bld.step(ch.expr, f"F >= 0 on the directions d = {d} ({how}): {ch.words}",
                       ch.check, uses=[i_q])
        out.append((ch.expr, i_r))
    return out


def _sos_sufficiency(Gx: sp.Expr, w: dict, params: tuple, nec: sp.Basic
                     ) -> tuple[tuple | None, str]:
    """An exact SOS certificate that the necessary set is sufficient, or (None, why not)."""
    if region_polynomials(nec, params) is None:
        return None, "the necessary set is not a conjunction of polynomial inequalities"
    bad = _numeric_gap(w, params, nec)
    if bad:
        return None, bad
    try:
        cert = find_sos_certificate(Gx, THETAS[:2], params, nec)
    except SOSUnavailable as err:
        return None, str(err)
    except ValueError:
        return None, ("the necessary set's bounds are not polynomial inequalities with rational "
                      "coefficients (irrational algebraic end points)")
    if cert is None:
        return None, ("no sum-of-squares certificate of the natural degree was found (or it "
                      "did not round to an exact one)")
    return cert, ""


def _odd_root_sufficiency(bld: DerivationBuilder, Gx: sp.Expr, w: dict, params: tuple,
                          nec: sp.Basic, i_g: int, i_n: int, why_not: str) -> tuple[str, str]:
    """Sufficiency of a long-wave necessary set through odd roots p = r^3 (a bijection of the
    reals): when the necessary polynomial composed with it has a lower-degree factor g whose
    set {g >= 0} contains it (checked exactly), an SOS certificate in r on {g >= 0} (reduced
    bases) proves the necessary set. (status, why not) with the steps recorded when proved."""
    gs = region_polynomials(nec, params)
    if why_not.startswith("it is not sufficient") or gs is None or len(gs) != 1 or not params:
        return "sampled", why_not
    power = 3
    roots = tuple(sp.Symbol(f"{p.name}_cbrt", real=True) for p in params)
    sub = {p: r**power for p, r in zip(params, roots, strict=True)}
    h = sp.expand(gs[0].subs(sub, simultaneous=True))
    factors = sorted((f for f, _ in sp.factor_list(h)[1] if f.free_symbols),
                     key=lambda f: sp.Poly(f, *roots).total_degree())
    for f in factors:
        if sp.Poly(f, *roots).total_degree() >= sp.Poly(h, *roots).total_degree():
            break
        for g in (sp.expand(f), sp.expand(-f)):
            if check_region_implies(h >= 0, g >= 0, roots) != "proved":
                continue
            G_r = sp.expand(Gx.subs(sub, simultaneous=True))
            try:
                cert = find_reduced_sos_certificate(G_r, THETAS[:2], roots, g >= 0)
            except SOSUnavailable as err:
                return "sampled", f"{why_not}; in cube roots: {err}"
            if cert is None:
                return "sampled", (f"{why_not}; in cube roots no certificate on {g} >= 0 was "
                                   "found")
            names = ", ".join(f"{p} = {r}^{power}" for p, r in zip(params, roots, strict=True))
            i_r = bld.step(g >= 0, f"in odd roots {names} (a bijection of the reals) the "
                           f"necessary set reads {sp.factor(h)} >= 0, which implies {g} >= 0",
                           Check("region_implies", (h >= 0, g >= 0, roots)), uses=[i_n])
            i_s = bld.step(sp.Eq(sp.Symbol("G"), G_r, evaluate=False),
                           f"G with {names}", Check("identity", (G_r, Gx.subs(sub))),
                           uses=[i_g])
            sizes = ", ".join(str(Q.rows) for _, _, Q in cert)
            bld.step(nec, f"sufficient: SOS certificate in odd roots (Gram sizes {sizes}, "
                     "bases reduced by the lower Newton hull, sign symmetries and facial "
                     f"reduction) checked exactly: 1 - |G|^2 = sigma_0 + ({g}) sigma_1 modulo "
                     "cos^2 + sin^2 = 1", Check("sos_on_torus", (G_r, THETAS[:2], roots,
                                                                  g >= 0, cert)),
                     uses=[i_s, i_r])
            return "proved", ""
    return "sampled", why_not


def _mode_grid(w: dict, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The offsets, an n x n grid of modes on the torus and e^{i k.theta} on it (per offset),
    for numeric screens and traces."""
    offs = np.array(list(w.keys()), dtype=float)
    th = np.linspace(-math.pi, math.pi, n)
    TX, TY = np.meshgrid(th, th)
    return offs, TX, TY, np.exp(1j * (offs[:, 0, None, None] * TX + offs[:, 1, None, None] * TY))


def _numeric_gap(w: dict, params: tuple, nec: sp.Basic, n: int = 25) -> str:
    """A numeric screen before the SOS search (which cannot succeed then): a parameter point
    inside the necessary set where max |G| > 1 on a grid of modes. No claim rests on it."""
    if not params or len(params) > 2:
        return ""
    f = sp.lambdify(params, list(w.values()), "numpy")
    # (algebraic end points as floats: a numeric screen)
    inside = sp.lambdify(params, nec.xreplace({x: sp.Float(x.evalf(30)) for x in
                                               nec.atoms(sp.CRootOf)}), "numpy")
    offs, TX, TY, phase = _mode_grid(w, 49)
    axes = [np.linspace(0 if p.is_nonnegative else -2, 2, n) for p in params]
    pts = [pt for pt in itertools.product(*axes) if bool(inside(*pt))]
    if not pts:
        return ""
    cols = np.array(pts, dtype=float).T  # all points at once: weights (terms, points)
    ws = np.array(np.broadcast_arrays(*f(*cols), cols[0]), dtype=float)[:-1]
    gs = np.abs(np.tensordot(ws.T, phase, axes=1)).max(axis=(1, 2))
    for pt, g in zip(pts, gs, strict=True):
        if g > 1 + 1e-9:
            where = ", ".join(f"{p} = {x:.3g}" for p, x in zip(params, pt, strict=True))
            return f"it is not sufficient (numerically, max |G| = {g:.6g} at {where})"
    return ""


def _trace(scheme: Scheme, w: dict, params: tuple, Nsym: sp.Expr, nec: sp.Basic, rays: int,
           certify: int = 3) -> tuple[sp.Basic | None, dict, str]:
    """Trace the stability boundary along rays (numeric bisection on max |G|), then certify
    exactly a rational point inside (stable) and outside (unstable, with its mode)."""
    if len(params) != 2:
        return None, {"stable": [], "unstable": []}, ""
    tdeg = max(sp.degree(Nsym, T1), sp.degree(Nsym, T2))
    if tdeg > PLANE_MAX_DEGREE:
        certify = 0  # beyond the exact plane decision's bounds: traced, not certified
    f = sp.lambdify(params, [wk for wk in w.values()], "numpy")
    offs, TX, TY, phase = _mode_grid(w, 73)

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
        if not certify or k % max(1, len(angles) // certify) != 0:
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

