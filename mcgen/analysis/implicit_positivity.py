"""Exact positivity of a two-level implicit 1-D scheme A u^{n+1} = B u^n (one parameter).

On the lattice (Cauchy problem) the solution operator is the convolution by h = A^{-1} B. For a
symmetric three-point A(z) = a0 - alpha (z + 1/z) with a0 > 2 alpha > 0, A^{-1} has the kernel
g_k = lambda^|k| / sqrt(a0^2 - 4 alpha^2), lambda in (0, 1) the small root of
F = alpha l^2 - a0 l + alpha. Hence, with B(z) = sum_j b_j z^j of radius R:

    h_k = g_0 lambda^k B(1/lambda)           (k >= R),
    h_k = g_0 lambda^-k B(lambda)            (k <= -R),
    h_k = g_0 sum_j b_j lambda^|k - j|       (|k| < R),

so u^{n+1} is a non-negative combination of u^n (positivity preservation; with equal row sums a
convex combination) iff finitely many polynomials E_i(p, lambda) are >= 0 at lambda = lambda(p).
The set of such p is decided exactly by cells in p: the sign of E_i(p, lambda(p)) can change only
at roots of the resultants res_l(E_i, F), of the discriminant of F, or of alpha; one rational
sample per cell (lambda there a quadratic irrationality, signed exactly by
:func:`mcgen.proof.sturm.sign_at`), and critical values by closure or exactly when rational.

Crank-Nicolson for the heat equation: positive exactly for r <= 3/2 (the M-matrix bound is r <= 1).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.proof.check import register_check
from mcgen.proof.sturm import _domain, rational_between, real_roots, relational_set, sign_at

LAM = sp.Symbol("lambda", positive=True)


def kernel_conditions(A: dict[int, sp.Expr], B: dict[int, sp.Expr]) -> list[sp.Expr] | None:
    """The polynomials E_i(p, lambda) (>= 0 wanted), or None when A is not a symmetric
    three-point operator."""
    if set(A) - {-1, 0, 1} or sp.simplify(A.get(-1, 0) - A.get(1, 0)) != 0 or A.get(1, 0) == 0:
        return None
    R = max(abs(j) for j in B)
    conds = [sp.expand(sum(b * LAM**(R + j) for j, b in B.items())),      # lambda^R B(lambda)
             sp.expand(sum(b * LAM**(R - j) for j, b in B.items()))]      # lambda^R B(1/lambda)
    for k in range(-R + 1, R):
        conds.append(sp.expand(sum(b * LAM**abs(k - j) for j, b in B.items())))
    return list(dict.fromkeys(c for c in conds if c != 0))


def exact_region(A: dict[int, sp.Expr], B: dict[int, sp.Expr], p: sp.Symbol
                 ) -> tuple[sp.Set, bool] | None:
    """(set of p where A^{-1} B >= 0 on the lattice, exact?) or None when out of reach."""
    conds = kernel_conditions(A, B)
    if conds is None:
        return None
    alpha, a0 = sp.expand(-A[1]), sp.expand(A[0])
    F = sp.expand(alpha * LAM**2 - a0 * LAM + alpha)
    if any(sp.expand(e).free_symbols - {p, LAM} for e in (*conds, F)):
        return None
    crit_polys = [alpha, a0, sp.expand(a0**2 - 4 * alpha**2)]
    crit_polys += [sp.resultant(e, F, LAM) if e.has(LAM) else e for e in conds]
    crit: set[Any] = set()
    for f in crit_polys:
        f = sp.expand(f)
        if f != 0 and f.has(p):
            crit |= set(real_roots(sp.Poly(f, p)))
    dom = _domain(p)
    crit = {x for x in crit if x in dom}
    edges = sorted({dom.inf, dom.sup, *crit} - {sp.oo, -sp.oo},
                   key=lambda x: sp.N(x, 50))
    edges = ([-sp.oo] if dom.inf == -sp.oo else []) + edges + ([sp.oo] if dom.sup == sp.oo else [])

    def positive_at(x: Any) -> bool | None:
        al, a = alpha.subs(p, x), a0.subs(p, x)
        if al == 0 and a != 0:  # A diagonal: h = B / a0
            return all(sp.sign(b.subs(p, x) / a) >= 0 for b in B.values())
        if not (al > 0 and a - 2 * al > 0):
            return False  # no decaying inverse kernel (not an M-matrix-like A): refused
        lam0 = min(real_roots(sp.Poly(F.subs(p, x), LAM)), key=lambda r: sp.N(r, 50))
        return all(sign_at(e.subs(p, x), LAM, lam0) >= 0 for e in conds)

    ok_cells = []
    pieces: list[sp.Set] = []
    for x0, x1 in zip(edges, edges[1:], strict=False):
        ok = positive_at(rational_between(x0, x1))
        ok_cells.append(ok)
        if ok:
            pieces.append(sp.Interval.open(x0, x1))
    exact = True
    for i, x in enumerate(edges):
        if not x.is_finite or x not in dom:
            continue
        if x.is_Rational:
            if positive_at(x):
                pieces.append(sp.FiniteSet(x))
            continue
        left = ok_cells[i - 1] if i > 0 else False
        right = ok_cells[i] if i < len(ok_cells) else False
        if left or right:
            pieces.append(sp.FiniteSet(x))  # every E_i is continuous in p: closed conditions
        else:
            exact = False
    return (sp.Union(*pieces) if pieces else sp.S.EmptySet), exact


@register_check("implicit_kernel_region",
                "the parameter set where A^{-1} B >= 0 on the lattice (three-point symmetric A; "
                "cells in the parameter, exact)")
def check_implicit_kernel_region(A: Any, B: Any, p: sp.Symbol, claimed: Any) -> str:
    got = exact_region({int(k): sp.sympify(v) for k, v in dict(A).items()},
                       {int(k): sp.sympify(v) for k, v in dict(B).items()}, p)
    if got is None:
        return "unknown"
    region, exact = got
    claimed = sp.sympify(claimed)
    cs = sp.S.Reals if claimed is sp.true else sp.S.EmptySet if claimed is sp.false else \
        relational_set(claimed, p)
    cs = cs.intersect(_domain(p))
    same = sp.Union(sp.Complement(region, cs), sp.Complement(cs, region)).is_empty
    if not exact:
        return "unknown"
    return "proved" if same else "refuted"
