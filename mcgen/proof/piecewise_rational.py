"""Exact decomposition of a piecewise-rational function of one real variable.

An expression in ``x`` built from rational functions with ``Max``, ``Min``, ``Abs``,
``Piecewise`` (relational conditions) and ``Heaviside``/``sign`` is split into open intervals
on each of which it equals one rational function, separated by finitely many break points
(exact rationals or real algebraic numbers). Every branch switch happens at a real root of the
numerator of a difference of two branches (Max/Min), of an argument (Abs, sign, Heaviside) or
of a condition's two sides (Piecewise), so between consecutive roots one rational sample point
decides which branch is active on the whole interval. The pieces give exact sign sets and exact
suprema (critical points and one-sided limits).
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from mcgen.proof.check import register_check
from mcgen.proof.farkas_check import nonneg_set
from mcgen.proof.sturm import rational_between, real_roots

__all__ = ["NotPiecewiseRational", "Piece", "decompose", "sign_failure_set", "supremum",
           "evaluate_at"]

Piece = tuple[sp.Expr, sp.Expr, sp.Expr]  # (lo, hi, rational function valid on (lo, hi))


class NotPiecewiseRational(ValueError):
    """The expression is not piecewise rational in the variable (exact decomposition fails)."""


def _key(v: sp.Expr) -> Any:
    return sp.N(v, 50) if v.is_finite else (-sp.oo if v == -sp.oo else sp.oo)


def _roots(expr: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    """Real roots of the numerator of a rational function (and of its denominator)."""
    e = sp.cancel(sp.together(expr))
    if x not in e.free_symbols:
        return []
    num, den = sp.fraction(e)
    out: list[sp.Expr] = []
    for part in (num, den):
        if x not in part.free_symbols:
            continue
        try:
            p = sp.Poly(part, x)
        except sp.PolynomialError as err:
            raise NotPiecewiseRational(f"{expr} is not rational in {x}") from err
        if not p.domain.is_Numerical and p.free_symbols - {x}:
            raise NotPiecewiseRational(f"{expr} has other symbols {p.free_symbols - {x}}")
        out.extend(real_roots(p))
    return out


def _refine(pieces_list: list[list[Piece]]) -> list[tuple[sp.Expr, sp.Expr, list[sp.Expr]]]:
    cuts = {v for pieces in pieces_list for lo, hi, _ in pieces for v in (lo, hi)}
    pts = sorted(cuts, key=_key)
    out = []
    for lo, hi in zip(pts, pts[1:], strict=False):
        t = rational_between(lo, hi)
        exprs = []
        for pieces in pieces_list:
            for plo, phi, e in pieces:
                if bool(plo <= lo) and bool(hi <= phi):
                    exprs.append(e)
                    break
            else:  # pragma: no cover - the union of cuts covers every piece
                raise AssertionError((lo, hi, t))
        out.append((lo, hi, exprs))
    return out


def _split_by(pieces: list[Piece], x: sp.Symbol, choose: Any, extra: Any) -> list[Piece]:
    """Split each piece at the roots of ``extra(e)`` (a list of expressions) and replace its
    expression by ``choose(e, t)`` at a rational sample t of each sub-interval."""
    out: list[Piece] = []
    for lo, hi, e in pieces:
        roots = sorted({z for g in extra(e) for z in _roots(g, x)
                        if bool(z > lo) and bool(z < hi)}, key=_key)
        pts = [lo, *roots, hi]
        for a, b in zip(pts, pts[1:], strict=False):
            out.append((a, b, choose(e, rational_between(a, b))))
    return out


@functools.lru_cache(maxsize=512)
def _decompose(expr: sp.Expr, x: sp.Symbol) -> tuple[Piece, ...]:
    if x not in expr.free_symbols:
        if expr.free_symbols:
            raise NotPiecewiseRational(f"{expr} has symbols {sorted(map(str, expr.free_symbols))}"
                                       f" other than {x}: give them values")
        return ((-sp.oo, sp.oo, expr),)
    if expr == x:
        return ((-sp.oo, sp.oo, x),)
    if isinstance(expr, (sp.Max, sp.Min)):
        pick = max if isinstance(expr, sp.Max) else min
        args = list(expr.args)
        refined = _refine([list(_decompose(a, x)) for a in args])
        pieces = [(lo, hi, tuple(es)) for lo, hi, es in refined]

        def extra(es: tuple[sp.Expr, ...]) -> list[sp.Expr]:
            return [a - b for i, a in enumerate(es) for b in es[i + 1:]]

        def choose(es: tuple[sp.Expr, ...], t: sp.Expr) -> sp.Expr:
            return pick(es, key=lambda e: e.subs(x, t))

        return tuple(_split_by(pieces, x, choose, extra))  # type: ignore[arg-type]
    if isinstance(expr, (sp.Abs, sp.sign, sp.Heaviside)):
        inner = list(_decompose(expr.args[0], x))

        def choose1(e: sp.Expr, t: sp.Expr) -> sp.Expr:
            s = sp.sign(e.subs(x, t))
            if isinstance(expr, sp.Abs):
                return s * e
            if isinstance(expr, sp.sign):
                return s
            return sp.Integer(1) if s > 0 else sp.Integer(0)

        return tuple(_split_by(inner, x, choose1, lambda e: [e]))
    if isinstance(expr, sp.Piecewise):
        conds = [c for _, c in expr.args]
        rels = {a for c in conds for a in
                (c.atoms(Relational) if isinstance(c, sp.Basic) else ())}
        parts = [list(_decompose(e, x)) for e, _ in expr.args]
        refined = _refine(parts)
        pieces = [(lo, hi, tuple(es)) for lo, hi, es in refined]

        def extra_pw(_: Any) -> list[sp.Expr]:
            return [r.lhs - r.rhs for r in rels]

        def choose_pw(es: tuple[sp.Expr, ...], t: sp.Expr) -> sp.Expr:
            for e, c in zip(es, conds, strict=True):
                v = sp.sympify(c).subs(x, t) if c is not sp.true else sp.true
                if v is sp.true:
                    return e
            raise NotPiecewiseRational(f"Piecewise {expr} is undefined at {x} = {t}")

        return tuple(_split_by(pieces, x, choose_pw, extra_pw))  # type: ignore[arg-type]
    if isinstance(expr, (sp.Add, sp.Mul)) or (isinstance(expr, sp.Pow)
                                              and expr.exp.is_Integer):
        args = list(expr.args)
        refined = _refine([list(_decompose(a, x)) for a in args])
        return tuple((lo, hi, expr.func(*es)) for lo, hi, es in refined)
    raise NotPiecewiseRational(f"{expr} is not built from rational functions with Max, Min, Abs, "
                               f"sign, Heaviside and Piecewise in {x}")


def decompose(expr: Any, x: sp.Symbol) -> list[Piece]:
    """Pieces ``(lo, hi, e)``: on the open interval (lo, hi) the expression equals the rational
    function ``e``; consecutive pieces with equal ``e`` are merged."""
    pieces = list(_decompose(sp.sympify(expr), x))
    merged: list[Piece] = []
    for lo, hi, e in pieces:
        e = sp.cancel(sp.together(e))
        if merged and sp.cancel(merged[-1][2] - e) == 0:
            merged[-1] = (merged[-1][0], hi, merged[-1][2])
        else:
            merged.append((lo, hi, e))
    return merged


def evaluate_at(expr: Any, x: sp.Symbol, point: sp.Expr) -> sp.Expr:
    """The exact value at a break point (the original expression, evaluated exactly)."""
    v = sp.sympify(expr).subs(x, point)
    return sp.nsimplify(v) if v.is_Rational else v


def sign_failure_set(expr: Any, x: sp.Symbol, domain: sp.Interval,
                     relation: str = ">=") -> sp.Set:
    """The exact subset of ``domain`` where ``expr >= 0`` (or ``== 0``) fails."""
    pieces = decompose(expr, x)
    bad: list[sp.Set] = []
    points: set[sp.Expr] = set()
    for lo, hi, e in pieces:
        piece = sp.Intersection(sp.Interval.open(lo, hi), domain)
        if piece.is_empty:
            continue
        a, b = max(lo, domain.start, key=_key), min(hi, domain.end, key=_key)
        if relation == "==":
            ok: sp.Set = sp.Interval(a, b) if sp.cancel(e) == 0 else \
                sp.FiniteSet(*[z for z in _roots(e, x)])
        else:
            ok = nonneg_set(e, x, a, b) or sp.S.EmptySet
        bad.append(sp.Complement(piece, ok))
        points.update(v for v in (lo, hi) if v.is_finite)
    for p in points:
        if p in domain:
            v = evaluate_at(expr, x, p)
            fails = (v != 0) if relation == "==" else bool(v < 0)
            if fails:
                bad.append(sp.FiniteSet(p))
    return sp.Union(*bad) if bad else sp.S.EmptySet


def supremum(expr: Any, x: sp.Symbol, domain: sp.Interval) -> sp.Expr:
    """sup of ``expr`` over ``domain`` (open ends approached by one-sided limits)."""
    cands: list[sp.Expr] = []
    for lo, hi, e in decompose(expr, x):
        a, b = max(lo, domain.start, key=_key), min(hi, domain.end, key=_key)
        if not bool(a < b):
            continue
        cands.append(sp.limit(e, x, a, "+"))
        cands.append(sp.limit(e, x, b, "-"))
        crit = _roots(sp.diff(e, x), x)
        cands.extend(e.subs(x, c) for c in crit if bool(c > a) and bool(c < b))
        for p in (a, b):
            if p.is_finite and p in domain:
                cands.append(evaluate_at(expr, x, p))
    return sp.Max(*[sp.nsimplify(c) if c.is_Rational else c for c in cands])


@register_check("piecewise_failure_set",
                "the set where a piecewise-rational function of one variable violates "
                "'>= 0' (or '== 0') on an interval equals the claimed set (exact decomposition "
                "and real-root isolation)")
def _failure_set_check(expr: Any, x: Any, domain: Any, relation: Any, claimed: Any) -> str:
    rel = relation.name if isinstance(relation, sp.Symbol) else str(relation)
    try:
        got = sign_failure_set(expr, x, domain, rel)
    except NotPiecewiseRational:
        return "unknown"
    diff = sp.Union(sp.Complement(got, claimed), sp.Complement(claimed, got))
    if diff is sp.S.EmptySet or diff.is_empty:
        return "proved"
    return "refuted" if diff.is_empty is False else "unknown"


@register_check("piecewise_supremum",
                "sup of a piecewise-rational function of one variable over an interval equals "
                "the claimed value (pieces, critical points, one-sided limits)")
def _sup_check(expr: Any, x: Any, domain: Any, claimed: Any) -> str:
    try:
        got = supremum(expr, x, domain)
    except NotPiecewiseRational:
        return "unknown"
    if got == claimed:
        return "proved"
    d = sp.simplify(got - claimed)
    if d == 0:
        return "proved"
    return "refuted" if d.is_number else "unknown"
