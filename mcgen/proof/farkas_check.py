"""Exact checks for linear feasibility: Farkas certificates, non-negative solutions, polyhedron
vertices, and sign conditions of rational functions of one parameter on an interval.

Farkas' lemma: exactly one of {A w = b, w >= 0} and {A^T y >= 0, b^T y < 0} is solvable. A vector
y of the second kind is therefore a certificate that no non-negative weights meet the equations
(Godunov's barrier for positive second-order schemes is one such certificate). Every check here
works on exact SymPy numbers or on rational functions of one parameter ``var`` over an open
interval ``(lo, hi)``; the sign of a rational function is decided exactly by isolating the real
roots of its numerator and denominator and evaluating at rational points between them.
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp

from mcgen.proof.check import is_zero, register_check, weakest
from mcgen.proof.sturm import rational_between

# ------------------------------------------------------------------ sign decisions




def _real_roots_inside(p: sp.Poly, lo: sp.Expr, hi: sp.Expr) -> list[sp.Expr]:
    if p.degree() <= 0:
        return []
    return sorted({r for r in sp.real_roots(p) if bool(r > lo) and bool(r < hi)},
                  key=lambda r: sp.N(r, 50))


def signs_on_open_interval(expr: Any, var: sp.Symbol | None, lo: Any = -sp.oo,
                           hi: Any = sp.oo) -> set[int] | None:
    """The set of signs (-1, 0, 1) that the rational function ``expr`` of ``var`` takes on the
    open interval (lo, hi); None when it has a pole inside or another free symbol.

    Between consecutive real roots of numerator and denominator the sign is constant, so one
    rational test point per gap and the roots themselves decide it exactly.
    """
    expr = sp.cancel(sp.together(sp.sympify(expr)))
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    if var is None or var not in expr.free_symbols:
        if expr.free_symbols or expr.has(sp.nan, sp.zoo):
            return None
        return {int(sp.sign(expr))}
    if expr.free_symbols - {var}:
        return None
    num, den = sp.fraction(expr)
    try:
        pn, pd = sp.Poly(num, var), sp.Poly(den, var)
    except sp.PolynomialError:
        return None
    if pn.domain.is_Numerical is False or pd.domain.is_Numerical is False:
        return None
    if _real_roots_inside(pd, lo, hi):
        return None
    roots = _real_roots_inside(pn, lo, hi)
    signs = {0} if roots else set()
    points = [lo, *roots, hi]
    for a, b in zip(points, points[1:], strict=False):
        t = rational_between(a, b)
        v = pn.eval(t) / pd.eval(t)
        signs.add(int(sp.sign(v)))
    return signs


_RELATIONS = {">=": {0, 1}, ">": {1}, "<=": {-1, 0}, "<": {-1}, "==": {0}}


def sign_status(expr: Any, relation: str, var: sp.Symbol | None = None, lo: Any = -sp.oo,
                hi: Any = sp.oo) -> str:
    """``proved`` when ``expr relation 0`` on all of (lo, hi), ``refuted`` when it fails somewhere,
    ``unknown`` when undecidable here (poles, other symbols)."""
    signs = signs_on_open_interval(expr, var, lo, hi)
    if signs is None:
        return "unknown"
    return "proved" if signs <= _RELATIONS[relation] else "refuted"


@register_check("sign_on_interval",
                "a rational function of one parameter has a sign on an open interval (exact "
                "real-root isolation)", text_args=(1,))
def _sign_on_interval(expr: Any, relation: str | sp.Symbol, var: Any = None, lo: Any = -sp.oo,
                      hi: Any = sp.oo) -> str:
    rel = relation.name if isinstance(relation, sp.Symbol) else str(relation)
    if rel not in _RELATIONS:
        return "unknown"
    return sign_status(expr, rel, var, lo, hi)


# ------------------------------------------------------------------ Farkas certificates


def _as_matrix(m: Any) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(m)


@register_check("farkas_infeasible",
                "Farkas certificate: y^T A >= 0 and y^T b < 0, so A w = b has no solution w >= 0 "
                "(exact; for a parameter, on an open interval)")
def _farkas_infeasible(A: Any, b: Any, y: Any, var: Any = None, lo: Any = -sp.oo,
                       hi: Any = sp.oo) -> str:
    A, b, y = _as_matrix(A), _as_matrix(b).reshape(A.rows, 1), _as_matrix(y).reshape(A.rows, 1)
    combo = (y.T * A)
    statuses = [sign_status(c, ">=", var, lo, hi) for c in combo]
    statuses.append(sign_status((y.T * b)[0, 0], "<", var, lo, hi))
    # a certificate that does not verify proves nothing either way about feasibility
    return "proved" if all(s == "proved" for s in statuses) else "unknown"


@register_check("nonneg_solution",
                "w solves A w = b exactly and every entry of w is >= 0 (for a parameter, on an "
                "open interval)")
def _nonneg_solution(A: Any, b: Any, w: Any, var: Any = None, lo: Any = -sp.oo,
                     hi: Any = sp.oo) -> str:
    A, w = _as_matrix(A), _as_matrix(w).reshape(A.cols, 1)
    b = _as_matrix(b).reshape(A.rows, 1)
    eq = is_zero(A * w - b)
    signs = [sign_status(e, ">=", var, lo, hi) for e in w]
    return weakest([eq, *signs])


@register_check("polyhedron_vertex",
                "a point satisfies G q <= g exactly and the rows active there have full rank "
                "(so it is a vertex of the polyhedron)")
def _polyhedron_vertex(G: Any, g: Any, point: Any) -> str:
    G, point = _as_matrix(G), _as_matrix(point).reshape(G.cols, 1)
    g = _as_matrix(g).reshape(G.rows, 1)
    if (G.free_symbols | g.free_symbols | point.free_symbols):
        return "unknown"
    slack = g - G * point
    if any(s < 0 for s in slack):
        return "refuted"
    active = [i for i in range(G.rows) if slack[i] == 0]
    if not active:
        return "refuted" if G.cols else "proved"
    return "proved" if G.extract(active, list(range(G.cols))).rank() == G.cols else "refuted"


# ------------------------------------------------------------------ identities with Max/Abs


@register_check("identity_by_sign_cases",
                "an identity involving Max/Abs of real symbols, checked by cancel on every sign "
                "case of those symbols (each symbol replaced by +p, -p and 0 with p > 0)")
def _identity_by_sign_cases(lhs: Any, rhs: Any, symbols: Any) -> str:
    syms = tuple(symbols) if isinstance(symbols, (tuple, list)) else (symbols,)
    diff = sp.sympify(lhs) - sp.sympify(rhs)
    cases = []
    for choice in itertools.product((1, -1, 0), repeat=len(syms)):
        sub = {s: c * sp.Symbol(f"_p{i}", positive=True) for i, (s, c) in
               enumerate(zip(syms, choice, strict=True))}
        cases.append(is_zero(diff.subs(sub)))
    return weakest(cases)


@register_check("nonneg_by_assumptions",
                "an expression is >= 0 from the declared signs of its symbols (SymPy assumptions)")
def _nonneg_by_assumptions(expr: Any) -> str:
    e = sp.sympify(expr)
    if e.is_nonnegative:
        return "proved"
    s = sp.simplify(e)
    if s.is_nonnegative:
        return "proved"
    if s.is_negative:
        return "refuted"
    return "unknown"


@register_check("full_rank", "an exact matrix has full column rank (rank computed exactly)")
def _full_rank(M: Any) -> str:
    M = _as_matrix(M)
    if M.free_symbols:
        return "unknown"
    from sympy.polys.matrices import DomainMatrix
    try:
        rank = DomainMatrix.from_Matrix(sp.Matrix(M)).convert_to(sp.QQ).rank()
    except (sp.polys.polyerrors.CoercionFailed, ValueError, TypeError):
        rank = M.rank()
    return "proved" if rank == M.cols else "refuted"


def _evaluated(e: sp.Expr) -> sp.Expr:
    """Rebuild sums and products written with evaluate=False (for display) so they combine."""
    if e.is_Add:
        return sp.Add(*[_evaluated(a) for a in e.args])
    if e.is_Mul:
        return sp.Mul(*[_evaluated(a) for a in e.args])
    return e


@register_check("polynomial_identity",
                "a polynomial identity, decided by expanding lhs - rhs (cancel as fallback)")
def _polynomial_identity(lhs: Any, rhs: Any) -> str:
    diff = sp.expand(_evaluated(sp.sympify(lhs)) - _evaluated(sp.sympify(rhs)))
    if diff == 0:
        return "proved"
    return is_zero(diff)


# ------------------------------------------------------------------ solution sets in one variable


def nonneg_set(expr: Any, var: sp.Symbol, lo: Any = -sp.oo, hi: Any = sp.oo) -> sp.Set | None:
    """The exact set of var in [lo, hi] (closed at finite ends) where the rational function
    ``expr >= 0``; None when undecidable here (other symbols)."""
    expr = sp.cancel(sp.together(sp.sympify(expr)))
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    domain = sp.Interval(lo, hi)
    if var not in expr.free_symbols:
        signs = signs_on_open_interval(expr, None)
        if signs is None:
            return None
        return domain if signs <= {0, 1} else sp.S.EmptySet
    if expr.free_symbols - {var}:
        return None
    num, den = sp.fraction(expr)
    pn, pd = sp.Poly(num, var), sp.Poly(den, var)
    zeros = _real_roots_inside(pn, lo, hi)
    poles = _real_roots_inside(pd, lo, hi)
    points = sorted(set(zeros) | set(poles), key=lambda r: sp.N(r, 50))
    pieces: list[sp.Set] = []
    cuts = [lo, *points, hi]
    for a, b in zip(cuts, cuts[1:], strict=False):
        t = rational_between(a, b)
        if pn.eval(t) / pd.eval(t) > 0:
            pieces.append(sp.Interval.open(a, b))
    for z in zeros:
        if z not in poles:
            pieces.append(sp.FiniteSet(z))
    for end in (lo, hi):
        if end.is_finite and pd.eval(end) != 0 and pn.eval(end) / pd.eval(end) >= 0:
            pieces.append(sp.FiniteSet(end))
    return sp.Union(*pieces) if pieces else sp.S.EmptySet


def solve_nonneg_conjunction(exprs: Any, var: sp.Symbol, lo: Any = -sp.oo,
                             hi: Any = sp.oo) -> sp.Set | None:
    """Exact set where every expr >= 0 (var in [lo, hi]); None when undecidable."""
    out: sp.Set = sp.Interval(sp.sympify(lo), sp.sympify(hi))
    for e in exprs:
        s = nonneg_set(e, var, lo, hi)
        if s is None:
            return None
        out = sp.Intersection(out, s)
    return out


@register_check("nonneg_solution_set",
                "the set where several rational functions of one variable are all >= 0 equals "
                "the claimed set (exact real-root isolation)")
def _nonneg_solution_set(exprs: Any, var: Any, lo: Any, hi: Any, claimed: Any) -> str:
    got = solve_nonneg_conjunction(tuple(exprs), var, lo, hi)
    if got is None:
        return "unknown"
    diff = sp.Union(sp.Complement(got, claimed), sp.Complement(claimed, got))
    if diff is sp.S.EmptySet or diff.is_empty:
        return "proved"
    if diff.is_empty is False:
        return "refuted"
    return "unknown"


@register_check("not_identically_equal",
                "two rational expressions differ as functions (their difference does not cancel "
                "to zero)")
def _not_identically_equal(lhs: Any, rhs: Any) -> str:
    diff = sp.cancel(sp.together(_evaluated(sp.sympify(lhs)) - _evaluated(sp.sympify(rhs))))
    if diff == 0:
        return "refuted"
    if diff.has(sp.Max, sp.Min, sp.Piecewise, sp.sign):
        return "unknown"  # may vanish identically once signs are fixed
    inside = sorted({x for ab in diff.atoms(sp.Abs) for x in ab.free_symbols},
                    key=lambda x: x.name)
    if not inside:
        return "proved"
    # nonzero on one sign orthant (an open set) is enough to differ as functions
    for choice in itertools.product((1, -1), repeat=len(inside)):
        sub = {x: c * sp.Symbol(f"_p{i}", positive=True) for i, (x, c) in
               enumerate(zip(inside, choice, strict=True))}
        if sp.cancel(sp.together(diff.subs(sub))) != 0:
            return "proved"
    return "refuted"
