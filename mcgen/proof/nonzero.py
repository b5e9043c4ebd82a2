"""Decide that a polynomial has no zero when its symbols are positive (a denominator check).

Used by limit derivations: ``c(s) = L + s R(s)`` with ``R`` bounded as ``s -> 0`` needs the
denominator of ``R`` not to vanish at ``s = 0`` for every admissible (positive) grid step.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.proof.check import register_check


@register_check("nonzero_for_positive_symbols",
                "a polynomial has no zero when its (positive) symbols are positive: "
                "assumptions, one-signed coefficients, or Sturm counts of a binary form")
def nonzero_for_positive_symbols(expr: Any) -> str:
    e = sp.factor(sp.sympify(expr))
    if e.is_positive or e.is_negative:
        return "proved"
    if e == 0:
        return "refuted"
    syms = sorted(e.free_symbols, key=lambda s: s.name)
    if not all(s.is_positive for s in syms):
        return "unknown"
    factors = [f for f in sp.Mul.make_args(e) if not f.is_number]
    return "proved" if all(_factor_nonzero(f.as_base_exp()[0], syms) for f in factors) \
        else "unknown"


def _factor_nonzero(f: sp.Expr, syms: list[sp.Symbol]) -> bool:
    if f.is_positive or f.is_negative:
        return True
    try:
        poly = sp.Poly(f, *[s for s in syms if f.has(s)])
    except sp.PolynomialError:
        return False
    coeffs = poly.coeffs()
    if all(c.is_positive for c in coeffs) or all(c.is_negative for c in coeffs):
        return True
    gens = poly.gens
    if len(gens) == 2 and poly.is_homogeneous:
        t = sp.Dummy("t", positive=True)
        g = sp.Poly(poly.as_expr().subs({gens[0]: t, gens[1]: 1}), t)
        if g.degree() <= 0:
            return g.as_expr() != 0
        roots = g.count_roots(0, None) - (1 if g.eval(0) == 0 else 0)
        return roots == 0
    if len(gens) == 1:
        g = poly
        return g.count_roots(0, None) - (1 if g.eval(0) == 0 else 0) == 0
    return False
