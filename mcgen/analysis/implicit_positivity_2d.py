"""Exact positivity of an implicit 1-D scheme in two parameters (p, q): the theta-method in
(r, theta), say. Cylindrical cells over q on top of the one-parameter decision in p.

Every sign change of an entry E_m(p, q, lambda(p, q)) of the solution operator, and every jump of
the decay rate lambda, lies on the zero set of the polynomials f_i(p, q) of
:func:`mcgen.analysis.implicit_positivity._crit_polys` (resultants in lambda, A(1), A(-1), the
discriminant, the weights of A). Project them on q (leading coefficients and discriminants in p,
pairwise resultants in p): between consecutive real roots of the projection the roots in p of the
f_i are continuous, non-crossing branches, so the region's section at any q of a cell has the
same structure; one rational q per cell (and each rational critical q) is decided exactly in p.

The region is presented where every end point of a section is the root of a factor linear in p,
p = -c_0(q)/c_1(q): the section is then a Boolean formula in (p, q). The check re-runs the
decision with the claimed formula's polynomials added to the projection and compares the sections
exactly at every sample, so a claimed formula that agrees at the samples agrees everywhere.
Irrational critical q values are left undecided (status ``unknown``).

The theta-method for the heat equation: 4 (1 - theta)^2 r <= 2 - theta for 0 <= theta < 1, every
r for theta >= 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from mcgen.analysis.implicit_positivity import (
    Weights,
    _blocks,
    _crit_polys,
    _ints,
    decide,
    distinct_real_roots,
)
from mcgen.analysis.region_presentation import relation, set_to_condition
from mcgen.proof.check import register_check
from mcgen.proof.sturm import _domain, projection, rational_between, relational_set, sign_at


@dataclass(frozen=True)
class Sections:
    """The region's sections in p at sample values of q: ``[(q piece, q sample, set in p)]``
    (a piece is an open cell or a critical point), the factors f(p, q), and exactness."""

    pieces: tuple[tuple[sp.Set, Any, sp.Set], ...]
    factors: tuple[sp.Expr, ...]
    exact: bool


def _factors(polys: list[sp.Expr], p: sp.Symbol, q: sp.Symbol) -> list[sp.Expr]:
    out: set[sp.Expr] = set()
    for f in polys:
        f = sp.expand(f)
        if f == 0 or not f.free_symbols & {p, q}:
            continue
        for g, _ in sp.factor_list(f)[1]:
            if g.free_symbols & {p, q}:
                out.add(sp.expand(g))
    return sorted(out, key=sp.default_sort_key)


def sections(A: Weights, Bs: list[Weights], p: sp.Symbol, q: sp.Symbol,
             extra: tuple[sp.Expr, ...] = ()) -> Sections | None:
    """Decide the region's section in p at one q per cylindrical cell (None when the weights are
    not polynomials in (p, q) with rational coefficients or A is not tridiagonal)."""
    for w in (*A.values(), *(b for B in Bs for b in B.values())):
        w = sp.expand(sp.sympify(w))
        if w.free_symbols - {p, q} or not w.is_polynomial(p, q) or w.has(sp.Float):
            return None
    try:
        facs = _factors([*_crit_polys(A, Bs, None), *extra], p, q)
    except (sp.PolynomialError, TypeError):
        return None
    proj = projection(facs, p)
    crit = distinct_real_roots(proj, q)
    dom = _domain(q)
    crit = {x for x in crit if x in dom}
    edges = sorted({dom.inf, dom.sup, *crit} - {sp.oo, -sp.oo}, key=lambda x: sp.N(x, 50))
    edges = ([-sp.oo] if dom.inf == -sp.oo else []) + edges + ([sp.oo] if dom.sup == sp.oo else [])
    exact = True
    pieces: list[tuple[sp.Set, Any, sp.Set]] = []

    def section(x: Any) -> sp.Set | None:
        got = decide({k: sp.sympify(w).subs(q, x) for k, w in A.items()},
                     [{k: sp.sympify(w).subs(q, x) for k, w in B.items()} for B in Bs], p)
        return got.region if got is not None and got.exact else None

    for x0, x1 in zip(edges, edges[1:], strict=False):
        s = rational_between(x0, x1)
        sec = section(s)
        if sec is None:
            exact = False
            continue
        pieces.append((sp.Interval.open(x0, x1), s, sec))
    for x in edges:
        if not x.is_finite or x not in dom:
            continue
        if not x.is_Rational:
            exact = False
            continue
        sec = section(x)
        if sec is None:
            exact = False
            continue
        pieces.append((sp.FiniteSet(x), x, sec))
    # along q: a critical point before the cell that starts at it
    pieces.sort(key=lambda t: (float(sp.N(t[0].inf, 30)), not isinstance(t[0], sp.FiniteSet)))
    return Sections(tuple(pieces), tuple(facs), exact)


def _bound(e: Any, q0: Any, facs: tuple[sp.Expr, ...], p: sp.Symbol, q: sp.Symbol,
           op: str) -> sp.Basic | None:
    """``p op e`` at q = q0 as a polynomial relation in (p, q) through a factor linear in p."""
    for f in facs:
        if sp.degree(f, p) != 1:
            continue
        c1, c0 = sp.Poly(f, p).all_coeffs()
        c1_0 = c1.subs(q, q0)
        if c1_0 == 0 or sign_at(sp.expand(f.subs(q, q0)), p, e) != 0:
            continue
        # p op -c0/c1  <=>  c1 p + c0 op 0 (op flipped when c1 < 0 on this piece)
        flip = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "=="}
        shown = sp.factor(c1) * p + sp.factor(c0)  # 4*r*(theta - 1)**2 + theta - 2
        return relation(shown, op if c1_0 > 0 else flip[op], 0)
    return None


def _section_formula(s: sp.Set, q0: Any, facs: tuple[sp.Expr, ...], p: sp.Symbol,
                     q: sp.Symbol) -> sp.Basic | None:
    dom = _domain(p)
    if s.is_empty:
        return sp.false
    parts = s.args if isinstance(s, sp.Union) else (s,)
    out = []
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            eqs = [_bound(e, q0, facs, p, q, "==") for e in part]
            if any(e is None for e in eqs):
                return None
            out += eqs
            continue
        if not isinstance(part, sp.Interval):
            return None
        conds = []
        lo, hi = part.start, part.end
        if lo.is_finite and not (lo == dom.inf and part.left_open == dom.left_open):
            c = _bound(lo, q0, facs, p, q, ">" if part.left_open else ">=")
            if c is None:
                return None
            conds.append(c)
        if hi.is_finite and not (hi == dom.sup and part.right_open == dom.right_open):
            c = _bound(hi, q0, facs, p, q, "<" if part.right_open else "<=")
            if c is None:
                return None
            conds.append(c)
        out.append(sp.And(*conds))
    return sp.Or(*out)


def present(sec: Sections, p: sp.Symbol, q: sp.Symbol) -> tuple[sp.Basic, str] | None:
    """The region as a Boolean formula in (p, q), pieces with the same section merged, or None
    when an end point is not the root of a factor linear in p."""
    merged: list[tuple[sp.Set, sp.Basic]] = []
    for piece, q0, s in sec.pieces:
        form = _section_formula(s, q0, sec.factors, p, q)
        if form is None:
            return None
        if merged and merged[-1][1] == form:  # consecutive along q: one piece
            merged[-1] = (sp.Union(merged[-1][0], piece), form)
        else:
            merged.append((piece, form))
    terms, words = [], []
    for qs, form in merged:
        if form is sp.false:
            continue
        qc, qw = set_to_condition(qs, q)
        terms.append(sp.And(qc, form))
        words.append(f"{qw}: {sp.sstr(form)}" if form is not sp.true else f"{qw}: every {p}")
    if not terms:
        return sp.false, "empty"
    return sp.Or(*terms), "; ".join(words)


def _polys_of(expr: Any) -> tuple[sp.Expr, ...]:
    return tuple(sp.expand(a.lhs - a.rhs) for a in sp.sympify(expr).atoms(Relational))


@register_check("implicit_kernel_region_2d",
                "the (p, q) region where A^{-1} B >= 0 on the lattice (tridiagonal A; cylindrical "
                "cells over q, each section decided exactly in p)")
def check_implicit_kernel_region_2d(A: Any, B: Any, p: sp.Symbol, q: sp.Symbol,
                                    claimed: Any) -> str:
    sec = sections(_ints(A), _blocks(B), p, q, _polys_of(claimed))
    if sec is None:
        return "unknown"
    dom = _domain(p)
    for _, q0, s in sec.pieces:
        c = sp.sympify(claimed).subs(q, q0)
        cs = sp.S.Reals if c is sp.true else sp.S.EmptySet if c is sp.false else \
            relational_set(c, p)
        diff = sp.Union(sp.Complement(s, cs.intersect(dom)), sp.Complement(cs.intersect(dom), s))
        if not diff.is_empty:
            return "refuted"
    return "proved" if sec.exact else "unknown"


__all__ = ["Sections", "sections", "present"]
