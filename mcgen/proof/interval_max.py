"""max |g(u)| over an interval [m, M], in closed form (g polynomial or rational in u).

|g| is maximal at an end point or at an interior critical point (a real root of g'). With a
numeric interval the candidates are evaluated exactly; with a symbolic one the result is
``Max(|g(m)|, |g(M)|, Piecewise((|g(c)|, m <= c <= M), (0, True)), ...)`` over the real critical
points c (which must not depend on m, M). Used for max |f'| of a flux (CFL bounds).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError
from mcgen.proof.check import register_check

__all__ = ["critical_points", "max_abs_on_interval"]


def critical_points(g: sp.Expr, u: sp.Symbol) -> list[sp.Expr]:
    """Real roots of g' (of its numerator, for rational g): where |g| can peak inside."""
    gp = sp.together(sp.diff(g, u))
    num = sp.expand(sp.fraction(gp)[0])
    if num == 0 or u not in num.free_symbols:
        return []
    try:
        poly = sp.Poly(num, u)
    except sp.PolynomialError as e:
        raise AnalysisError(f"{gp} is not rational in {u}: max |g| in closed form needs a "
                            "polynomial or rational function") from e
    if poly.free_symbols - {u}:
        roots = [r for r in sp.solve(num, u) if r.is_real is not False]
    else:
        roots = list(sp.real_roots(poly))
    return sorted(set(roots), key=sp.default_sort_key)


def _poles_in(g: sp.Expr, u: sp.Symbol, m: Any, M: Any) -> list[sp.Expr]:
    den = sp.fraction(sp.together(g))[1]
    if u not in sp.sympify(den).free_symbols:
        return []
    return [r for r in sp.real_roots(sp.Poly(den, u)) if m <= r <= M]


def max_abs_on_interval(g: sp.Expr, u: sp.Symbol, m: Any, M: Any) -> sp.Expr:
    """max over u in [m, M] of |g(u)| (closed form; an exact number for a numeric interval)."""
    g, m, M = sp.sympify(g), sp.sympify(m), sp.sympify(M)
    crit = critical_points(g, u)
    if m.is_number and M.is_number:
        if m > M:
            raise AnalysisError(f"interval [{m}, {M}] is empty: give (min, max)")
        if not g.free_symbols - {u}:
            poles = _poles_in(g, u, m, M)
            if poles:
                raise AnalysisError(f"{g} has a pole at {poles} inside [{m}, {M}]: it is "
                                    "unbounded there; restrict the range")
        cands = [m, M] + [c for c in crit if c.is_number and m <= c <= M]
        return sp.Max(*[sp.nsimplify(sp.Abs(g.subs(u, c))) for c in cands])
    terms = [sp.Abs(g.subs(u, m)), sp.Abs(g.subs(u, M))]
    for c in crit:
        if c.free_symbols & (m.free_symbols | M.free_symbols):
            raise AnalysisError(f"critical point {c} depends on the interval")
        terms.append(sp.Piecewise((sp.Abs(g.subs(u, c)), sp.And(m <= c, c <= M)), (0, True)))
    return sp.Max(*terms)


@register_check("max_abs_on_interval",
                "B = max |g| over [m, M] (end points and real critical points, exact)")
def _max_abs_check(g: sp.Expr, u: sp.Symbol, m: Any, M: Any, B: Any) -> str:
    try:
        v = max_abs_on_interval(g, u, m, M)
    except (AnalysisError, NotImplementedError):
        return "unknown"
    d = sp.simplify(v - sp.sympify(B))
    if d == 0:
        return "proved"
    return "refuted" if d.is_number else "unknown"
