"""Exact sign decisions for polynomials: on an interval, over a one-parameter family, on the plane,
and the equivalence of two regions in two variables (cylindrical cells).

Everything rests on exact real-root isolation of univariate polynomials with rational
coefficients (SymPy's ``Poly.intervals``, a Sturm/Descartes procedure): between consecutive real
roots a polynomial keeps its sign, so testing one rational point per gap decides its sign
everywhere. Families are handled by a cell decomposition in the parameter: the sign pattern of
``Q(c; p)`` on ``[-1, 1]`` can change only where a root crosses an endpoint (``Q(+-1; p) = 0``),
two roots meet (the discriminant in c vanishes) or the degree drops (the leading coefficient
vanishes); between such parameter values one rational sample decides the whole open cell.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from mcgen.proof.check import register_check

# ---------------------------------------------------------------- univariate


def rational_between(a: Any, b: Any) -> sp.Rational:
    """A rational strictly between a < b (either may be infinite, or a real algebraic number)."""
    a, b = sp.sympify(a), sp.sympify(b)
    if a == -sp.oo and b == sp.oo:
        return sp.Integer(0)
    if a == -sp.oo:
        return sp.floor(b) - 1
    if b == sp.oo:
        return sp.ceiling(a) + 1
    if a.is_Rational and b.is_Rational:
        return (a + b) / 2
    # the dyadic rational of smallest denominator above a (short witnesses); a and b are
    # distinct algebraic numbers, so some precision separates them
    for k in range(0, 2000, 2):
        a_hi = sp.Rational(sp.floor(sp.N(a, 30 + k // 3) * 2**k)) / 2**k  # <= a, up to rounding
        m = a_hi + sp.Rational(1, 2**k)
        if bool(a < m) and bool(m < b):
            return m
        m = a_hi + sp.Rational(2, 2**k)  # a_hi rounded one step low
        if bool(a < m) and bool(m < b):
            return m
    raise ValueError(f"cannot separate {a} and {b}")


def real_roots(p: sp.Poly) -> list[sp.Expr]:
    """Distinct real roots, exact (rationals or CRootOf), sorted."""
    if p.is_zero or p.degree() <= 0:
        return []
    return sorted(set(sp.real_roots(sp.Poly(sp.sqf_part(p.as_expr()), *p.gens))),
                  key=lambda x: sp.N(x, 50))


def negative_point(expr: Any, var: sp.Symbol, lo: Any = -1, hi: Any = 1,
                   strict: bool = False) -> sp.Expr | None:
    """A point of [lo, hi] where ``expr`` < 0 (<= 0 when ``strict``), or None when there is none.

    ``expr`` is a polynomial in ``var`` with rational coefficients; bounds may be infinite (then
    the interval is open at that end).
    """
    p = sp.Poly(sp.expand(expr), var)
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    if p.is_zero:
        return lo if strict and lo.is_finite else (sp.Integer(0) if strict else None)
    roots = [x for x in real_roots(p) if bool(x >= lo) and bool(x <= hi)]
    pts: list[Any] = []
    edges = [lo, *roots, hi]
    for x0, x1 in zip(edges, edges[1:], strict=False):
        if bool(x0 < x1):
            pts.append(rational_between(x0, x1))
    pts += [x for x in (lo, hi) if x.is_finite]  # interior witnesses first (they are modes)
    for x in pts:
        v = p.eval(x)
        if v < 0 or (strict and v == 0):
            return x
    if strict and roots:
        return roots[0]
    return None


def nonneg_on(expr: Any, var: sp.Symbol, lo: Any = -1, hi: Any = 1, strict: bool = False) -> bool:
    """``expr >= 0`` (``> 0`` when strict) on [lo, hi], decided exactly."""
    return negative_point(expr, var, sp.sympify(lo), sp.sympify(hi), strict) is None


def sign_set(expr: Any, var: sp.Symbol, op: str = ">=") -> sp.Set:
    """{var real : expr op 0} for a polynomial expr (exact roots, one sign test per gap)."""
    p = sp.Poly(sp.expand(expr), var)
    test = {">=": lambda x: x >= 0, ">": lambda x: x > 0, "<=": lambda x: x <= 0,
            "<": lambda x: x < 0, "==": lambda x: x == 0}[op]
    if p.is_zero or p.degree() <= 0:
        return sp.S.Reals if test(p.as_expr()) else sp.S.EmptySet
    roots = real_roots(p)
    edges = [-sp.oo, *roots, sp.oo]
    pieces: list[sp.Set] = []
    for x0, x1 in zip(edges, edges[1:], strict=False):
        if test(p.eval(rational_between(x0, x1))):
            pieces.append(sp.Interval.open(x0, x1))
    if test(0):
        pieces.append(sp.FiniteSet(*roots))
    return sp.Union(*pieces) if pieces else sp.S.EmptySet


def relational_set(rel: Any, var: sp.Symbol) -> sp.Set:
    """The subset of the real line where a relational in one variable holds (exact)."""
    rel = sp.sympify(rel)
    if rel is sp.true:
        return sp.S.Reals
    if rel is sp.false:
        return sp.S.EmptySet
    if isinstance(rel, sp.And):
        return sp.Intersection(*[relational_set(a, var) for a in rel.args])
    if isinstance(rel, sp.Or):
        return sp.Union(*[relational_set(a, var) for a in rel.args])
    if isinstance(rel, Relational) and rel.rel_op != "!=":
        d = sp.expand(rel.lhs - rel.rhs)
        if d.has(sp.Abs, sp.Max, sp.Min, sp.sign):
            # piecewise in var: decide on var >= 0 and var <= 0 separately
            out = []
            for kw, half in (({"nonnegative": True}, sp.Interval(0, sp.oo)),
                             ({"nonpositive": True}, sp.Interval(-sp.oo, 0))):
                pc = sp.Symbol(var.name, real=True, **kw)
                dc = sp.simplify(d.subs(var, pc))
                if dc.has(sp.Abs, sp.Max, sp.Min, sp.sign):
                    return rel.as_set()
                out.append(relational_set(type(rel)(dc, 0), pc).intersect(half))
            return sp.Union(*out)
        if d.free_symbols - {var}:
            # symbolic coefficients (grid steps): SymPy solves using their declared signs
            from sympy.solvers.inequalities import solve_univariate_inequality
            return solve_univariate_inequality(rel, var, relational=False)
        if d.is_polynomial(var) and sp.degree(d, var) == 1 and not (
                sp.Poly(d, var).domain.is_QQ or sp.Poly(d, var).domain.is_ZZ):
            # var op x with x a real algebraic number (CRootOf): compared exactly
            k, x = sp.Poly(d, var).all_coeffs()
            x = -x / k
            op = rel.rel_op if k > 0 else {">=": "<=", "<=": ">=", ">": "<", "<": ">",
                                            "==": "=="}[rel.rel_op]
            return {">=": sp.Interval(x, sp.oo), ">": sp.Interval.open(x, sp.oo),
                    "<=": sp.Interval(-sp.oo, x), "<": sp.Interval.open(-sp.oo, x),
                    "==": sp.FiniteSet(x)}[op]
        if d.is_polynomial(var):
            return sign_set(d, var, rel.rel_op)
    return rel.as_set()


# ---------------------------------------------------------------- real algebraic numbers


def _min_poly(x: Any, p: sp.Symbol) -> sp.Poly:
    """The (irreducible) defining polynomial of a real algebraic number, in ``p``."""
    if isinstance(x, sp.CRootOf):
        return sp.Poly(x.poly.as_expr().subs(x.poly.gen, p), p)
    return sp.Poly(sp.minimal_polynomial(x, p), p)


def _isolating(x: Any) -> tuple[sp.Rational, sp.Rational]:
    """Rationals a <= x <= b with x the only root of its polynomial in [a, b]."""
    if isinstance(x, sp.CRootOf):
        iv = x._get_interval()
        return sp.Rational(iv.a), sp.Rational(iv.b)
    f = _min_poly(x, sp.Dummy("p"))
    for (a, b), _ in f.intervals():
        if bool(a <= x) and bool(x <= b):
            return sp.Rational(a), sp.Rational(b)
    raise ValueError(f"{x} is not a real algebraic number")


def sign_at(g: Any, p: sp.Symbol, x: Any) -> int:
    """The sign of the polynomial g(p) (rational coefficients) at a real algebraic number x,
    exactly: 0 iff the minimal polynomial of x divides g, else the isolating interval of x is
    refined until g has no root in it and g is evaluated at a rational point there."""
    g = sp.Poly(sp.expand(g), p)
    if g.is_zero:
        return 0
    if g.degree() <= 0:
        return int(sp.sign(g.LC()))
    x = sp.sympify(x)
    if x.is_Rational:
        return int(sp.sign(g.eval(x)))
    f = _min_poly(x, p)
    if g.rem(f).is_zero:
        return 0
    a, b = _isolating(x)
    while a != b and g.count_roots(a, b) > 0:
        a, b = f.refine_root(a, b, steps=1)
    return int(sp.sign(g.eval((a + b) / 2)))


def negative_point_at_algebraic(Q: Any, c: sp.Symbol, p: sp.Symbol, x: Any, lo: Any = -1,
                                hi: Any = 1) -> sp.Rational | None | str:
    """A rational c0 in [lo, hi] with Q(c0; x) < 0 for a real algebraic parameter value x, or
    None when Q(.; x) >= 0 on [lo, hi] (exact).

    The roots in c of Q(c; x) are among those of R(c) = res_p(Q(c, p), f(p)), f the minimal
    polynomial of x (a polynomial with rational coefficients); between consecutive roots of R,
    Q(.; x) keeps its sign, so one rational sample per gap, signed by :func:`sign_at`, decides.
    """
    x = sp.sympify(x)
    Q = sp.expand(Q)
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    if x.is_Rational:
        return negative_point(Q.subs(p, x), c, lo, hi)
    # first a numeric guess of the minimum, confirmed exactly at nearby rationals (cheap);
    # the resultant below is the exact fallback (an isolated stable point, or a tie)
    import numpy as np
    coeffs = [float(a) for a in sp.Poly(sp.expand(Q.subs(p, sp.N(x, 30))), c).all_coeffs()]
    grid = np.linspace(float(lo), float(hi), 801)
    crit = [r.real for r in np.roots(np.polyder(coeffs)) if abs(r.imag) < 1e-9
            and float(lo) <= r.real <= float(hi)] if len(coeffs) > 2 else []
    pts = np.concatenate([grid, np.array(crit, dtype=float)])
    vals = np.polyval(coeffs, pts)
    for i in np.argsort(vals)[:3]:
        if vals[i] >= 0:
            break
        for k in (2, 4, 8, 12):
            c0 = min(max(sp.Rational(round(float(pts[i]) * 10**k), 10**k), lo), hi)
            if sign_at(Q.subs(c, c0), p, x) < 0:
                return c0
    f = _min_poly(x, p)
    R = sp.Poly(sp.resultant(sp.Poly(Q, p).as_expr(), f.as_expr(), p), c) if Q.has(p) else \
        sp.Poly(Q, c)
    roots = [r for r in real_roots(R) if bool(r > lo) and bool(r < hi)] if \
        not R.is_zero else []
    edges = [lo, *roots, hi]
    samples = [rational_between(x0, x1) for x0, x1 in zip(edges, edges[1:], strict=False)]
    samples += [e for e in (lo, hi) if e.is_Rational]
    for s in samples:
        if sign_at(Q.subs(c, s), p, x) < 0:
            return s
    return None


# ---------------------------------------------------------------- one-parameter families


def _domain(p: sp.Symbol) -> sp.Interval:
    if p.is_positive:
        return sp.Interval.open(0, sp.oo)
    if p.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if p.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    if p.is_nonpositive:
        return sp.Interval(-sp.oo, 0)
    return sp.S.Reals


def family_critical_values(Q: Any, c: sp.Symbol, p: sp.Symbol) -> list[sp.Expr]:
    """Parameter values where the sign pattern of Q(., p) on [-1, 1] can change."""
    P = sp.Poly(sp.expand(Q), c)
    polys = [sp.expand(Q.subs(c, 1)), sp.expand(Q.subs(c, -1)), P.LC()]
    sq = sp.Poly(sp.sqf_part(sp.expand(Q), c, p), c) if P.degree() >= 2 else None
    if sq is not None and sq.degree() >= 2:
        polys.append(sp.discriminant(sq.as_expr(), c))
    out: set[sp.Expr] = set()
    for f in polys:
        f = sp.expand(f)
        if f == 0 or not f.has(p):
            continue
        out |= set(real_roots(sp.Poly(f, p)))
    dom = _domain(p)
    out |= {x for x in (dom.inf, dom.sup) if x.is_finite}
    return sorted((x for x in out if x in dom), key=lambda x: sp.N(x, 50))


def family_region(Q: Any, c: sp.Symbol, p: sp.Symbol, strict: bool = False
                  ) -> tuple[sp.Set, list[tuple[sp.Expr, sp.Expr]], bool]:
    key = "family" + sp.srepr((Q, c, p, bool(strict)))
    if key not in _MEMO:
        _MEMO[key] = _family_region(Q, c, p, strict)
    return _MEMO[key]


def _family_region(Q: Any, c: sp.Symbol, p: sp.Symbol, strict: bool = False
                   ) -> tuple[sp.Set, list[tuple[sp.Expr, sp.Expr]], bool]:
    """The set of p (within p's declared domain) for which Q(c; p) >= 0 (> 0) for all c in [-1, 1].

    Returns ``(region, witnesses, exact)``: witnesses are pairs (p0, c0) with Q(c0; p0) < 0 (the
    unstable modes found, one per unstable cell); ``exact`` is False when an irrational critical
    value had to be decided by closure and could not be.
    """
    dom = _domain(p)
    crit = family_critical_values(Q, c, p)
    edges = [dom.inf if dom.inf.is_finite else -sp.oo, *[x for x in crit if x not in
                                                           (dom.inf, dom.sup)],
             dom.sup if dom.sup.is_finite else sp.oo]
    edges = sorted(set(edges), key=lambda x: sp.N(x, 50) if x.is_finite else
                   (-1e300 if x == -sp.oo else 1e300))
    pieces: list[sp.Set] = []
    witnesses = []
    exact = True
    cell_ok: list[bool] = []
    for x0, x1 in zip(edges, edges[1:], strict=False):
        s = rational_between(x0, x1)
        w = negative_point(Q.subs(p, s), c, sp.Integer(-1), sp.Integer(1), strict)
        cell_ok.append(w is None)
        if w is None:
            pieces.append(sp.Interval.open(x0, x1))
        else:
            witnesses.append((s, w))
    for i, x in enumerate(edges):
        if not x.is_finite or x not in dom:
            continue
        if x.is_Rational:
            w = negative_point(Q.subs(p, x), c, sp.Integer(-1), sp.Integer(1), strict)
            if w is None:
                pieces.append(sp.FiniteSet(x))
            else:
                witnesses.append((x, w))
            continue
        left = cell_ok[i - 1] if i > 0 else False
        right = cell_ok[i] if i < len(cell_ok) else False
        if not strict:
            # closed condition: a limit of stable parameters is stable; else an irrational
            # critical value between two unstable cells, decided exactly in the field Q(x)
            if left or right or negative_point_at_algebraic(Q, c, p, x) is None:
                pieces.append(sp.FiniteSet(x))
        elif left and right:
            # Q(.; x) >= 0 by continuity; strictly positive unless Q and Q_c share a root c0
            # in [-1, 1] at p = x (a candidate c0 is a root of both resultants)
            f = _min_poly(x, p).as_expr()
            ends = [sign_at(sp.expand(Q.subs(c, e)), p, x) for e in (-1, 1)]
            common = sp.gcd(sp.resultant(sp.expand(Q), f, p),
                            sp.resultant(sp.expand(sp.diff(Q, c)), f, p))
            inner = sp.Poly(common, c).count_roots(-1, 1) if sp.sympify(common).has(c) else 0
            if 0 not in ends and inner == 0:
                pieces.append(sp.FiniteSet(x))
            else:
                exact = False
        # strict, and a neighbouring cell unstable: the strict region is open, so x is outside
    region = sp.Union(*pieces) if pieces else sp.S.EmptySet
    return region, witnesses, exact


@register_check("family_nonneg_region",
                "the parameter set where a polynomial is >= 0 on [-1, 1] (cell decomposition)")
def check_family_region(Q: Any, c: sp.Symbol, p: sp.Symbol, claimed: Any,
                        strict: bool = False) -> str:
    region, _, exact = family_region(sp.sympify(Q), c, p, bool(strict))
    claimed = sp.sympify(claimed)
    claimed_set = relational_set(claimed, p) if isinstance(claimed, sp.Basic) and \
        not isinstance(claimed, sp.Set) else claimed
    claimed_set = claimed_set.intersect(_domain(p))
    diff = sp.Union(sp.Complement(region, claimed_set), sp.Complement(claimed_set, region))
    if diff.is_empty:
        return "proved" if exact else "unknown"
    return "refuted" if exact else "unknown"


@register_check("nonneg_on_segment",
                "a univariate polynomial is >= 0 (or > 0) on [lo, hi] (exact root isolation)")
def check_nonneg_on_segment(expr: Any, var: sp.Symbol, lo: Any, hi: Any,
                            strict: bool = False) -> str:
    expr = sp.sympify(expr)
    if expr.free_symbols - {var}:
        return "unknown"
    return "proved" if nonneg_on(expr, var, lo, hi, bool(strict)) else "refuted"


@register_check("negative_at", "a closed expression is negative at a given point (exact)")
def check_negative_at(expr: Any, point: dict) -> str:
    v = sp.nsimplify(sp.sympify(expr).subs(point))
    if not v.is_number:
        return "unknown"
    v = sp.simplify(v)
    return "proved" if v < 0 else "refuted"


@register_check("degree_at_most", "a polynomial has degree at most n in a variable")
def check_degree(expr: Any, var: sp.Symbol, n: Any) -> str:
    return "proved" if sp.degree(sp.expand(expr), var) <= int(n) else "refuted"


# ---------------------------------------------------------------- the plane


def nonneg_on_plane(N: Any, t1: sp.Symbol, t2: sp.Symbol) -> tuple[bool, tuple | None]:
    key = "plane" + sp.srepr((sp.expand(N), t1, t2))
    if key not in _MEMO:
        _MEMO[key] = _nonneg_on_plane(N, t1, t2)
    return _MEMO[key]


def _nonneg_on_plane(N: Any, t1: sp.Symbol, t2: sp.Symbol) -> tuple[bool, tuple | None]:
    """Decide N(t1, t2) >= 0 for all real t1, t2 (rational coefficients) exactly.

    Cells in t1 from the leading coefficient, content and discriminant in t2 of the square-free
    part; in each open cell one rational t1 and an exact univariate decision in t2. Open cells
    are dense and the condition is closed, so they decide it. Returns (holds, a point where
    N < 0 or None).
    """
    N = sp.expand(N)
    P = sp.Poly(N, t2)
    if P.degree() <= 0:
        w = negative_point(N, t1, -sp.oo, sp.oo)
        return (w is None), (None if w is None else (w, sp.Integer(0)))
    sq = sp.Poly(sp.sqf_part(N, t1, t2), t2)
    crit_polys = [P.LC(), sq.LC()]
    if sq.degree() >= 2:
        crit_polys.append(sp.discriminant(sq.as_expr(), t2))
    roots: set[sp.Expr] = set()
    for f in crit_polys:
        f = sp.expand(f)
        if f.has(t1):
            roots |= set(real_roots(sp.Poly(f, t1)))
    edges = [-sp.oo, *sorted(roots, key=lambda x: sp.N(x, 50)), sp.oo]
    for x0, x1 in zip(edges, edges[1:], strict=False):
        s = rational_between(x0, x1)
        w = negative_point(N.subs(t1, s), t2, -sp.oo, sp.oo)
        if w is not None:
            return False, (s, w)
    return True, None


# The plane decision's cost grows steeply with the degree (a discriminant of the square-free
# part): degree 8 in each variable (2-D stencils of radius <= 2) takes seconds, degree 12 minutes.
# A derivation file asking for more is refused, so that recheck's work stays bounded.
PLANE_MAX_DEGREE = 8
PLANE_MAX_COEFF_BITS = 256


def plane_size_ok(N: Any, t1: sp.Symbol, t2: sp.Symbol) -> None:
    """Refuse a plane polynomial beyond the decision's work bounds (a clear error)."""
    from mcgen.errors import DerivationFileError
    P = sp.Poly(sp.expand(N), t1, t2)
    d1, d2 = P.degree(t1), P.degree(t2)
    bits = max((max(abs(sp.Rational(a).p).bit_length(), sp.Rational(a).q.bit_length())
                for a in P.coeffs()), default=0)
    if max(d1, d2) > PLANE_MAX_DEGREE or bits > PLANE_MAX_COEFF_BITS:
        raise DerivationFileError(
            f"nonneg_on_plane: the polynomial has degree ({d1}, {d2}) in ({t1}, {t2}) and "
            f"{bits}-bit coefficients; the exact plane decision is bounded to degree "
            f"{PLANE_MAX_DEGREE} in each variable and {PLANE_MAX_COEFF_BITS}-bit coefficients "
            "(2-D stencils of radius <= 2); a derivation file asking for more is refused")


@register_check("nonneg_on_plane",
                "a bivariate polynomial is >= 0 on R^2 (cylindrical cells, exact)")
def check_nonneg_on_plane(N: Any, t1: sp.Symbol, t2: sp.Symbol) -> str:
    N = sp.sympify(N)
    if N.free_symbols - {t1, t2}:
        return "unknown"
    plane_size_ok(N, t1, t2)
    return "proved" if nonneg_on_plane(N, t1, t2)[0] else "refuted"


# ---------------------------------------------------------------- regions in two variables


def abs_free(expr: Any) -> sp.Basic:
    """Rewrite relationals with Abs/Max/Min into Boolean combinations of polynomial ones."""
    expr = sp.sympify(expr)
    if isinstance(expr, (sp.And, sp.Or, sp.Not)):
        return type(expr)(*[abs_free(a) for a in expr.args])
    if not isinstance(expr, Relational):
        return expr
    pw = [a for a in expr.atoms(sp.Abs, sp.Max, sp.Min)]
    if not pw:
        return expr
    a = pw[0]
    if isinstance(a, sp.Abs):
        f = a.args[0]
        return sp.Or(sp.And(sp.Ge(f, 0), abs_free(expr.subs(a, f))),
                     sp.And(sp.Lt(f, 0), abs_free(expr.subs(a, -f))))
    x, y = a.args[0], sp.Max(*a.args[1:]) if isinstance(a, sp.Max) else sp.Min(*a.args[1:])
    first = sp.Ge(x, y) if isinstance(a, sp.Max) else sp.Le(x, y)
    return sp.Or(sp.And(first, abs_free(expr.subs(a, x))),
                 sp.And(sp.Not(first), abs_free(expr.subs(a, y))))


def _atoms(expr: Any) -> list[Relational]:
    return list(sp.sympify(expr).atoms(Relational))


def _num_den(rel: Relational) -> tuple[sp.Expr, sp.Expr]:
    n, d = sp.fraction(sp.together(rel.lhs - rel.rhs))
    return sp.expand(n), sp.expand(d)


_SIGN_OK = {">=": lambda s: s >= 0, ">": lambda s: s > 0, "<=": lambda s: s <= 0,
            "<": lambda s: s < 0, "==": lambda s: s == 0, "!=": lambda s: s != 0}


def _truths(formulas: list[sp.Basic], v: sp.Symbol) -> list[tuple[bool, ...]]:
    """Truth values of univariate formulas (polynomial relationals in v) at every point class of
    the real line: each real root of any atom polynomial and one rational per gap (exact)."""
    atoms = sorted({r for f in formulas for r in _atoms(f)}, key=sp.default_sort_key)
    nd = {r: _num_den(r) for r in atoms}
    polys = {sp.Poly(q, v) for n, d in nd.values() for q in (n, d) if q.has(v)}
    dom = _domain(v)
    for end in (dom.inf, dom.sup):
        if end.is_finite:
            polys.add(sp.Poly(v - end, v))
    prod = sp.Integer(1)
    for p in polys:
        prod *= p.as_expr()
    points: list[tuple[Any, Any]] = []   # (exact point or isolating interval, kind)
    if prod.has(v):
        P = sp.Poly(sp.sqf_part(sp.expand(prod)), v)
        ivs = _separated_intervals(P)
        for (a, b) in ivs:
            points.append(((a, b), "root"))
        edges = [-sp.oo] + [x for (a, b) in ivs for x in (a, b)] + [sp.oo]
        gaps = [(edges[2 * i], edges[2 * i + 1]) for i in range(len(ivs) + 1)]
    else:
        gaps = [(-sp.oo, sp.oo)]
    for a, b in gaps:
        if a != b:
            points.append((rational_between(a, b), "gap"))

    def in_domain(a: Any, b: Any) -> bool:
        # the root in [a, b] is the only root of prod there; domain ends are roots of prod
        for end, below in ((dom.inf, True), (dom.sup, False)):
            if not end.is_finite:
                continue
            if a <= end <= b:
                if end not in dom:
                    return False
            elif (b < end) if below else (a > end):
                return False
        return True

    out = []
    for pt, kind in points:
        if kind == "gap":
            if pt not in dom:
                continue
            signs = {r: (sp.sign(n.subs(v, pt)) * sp.sign(d.subs(v, pt)) if d.subs(v, pt) != 0
                         else None) for r, (n, d) in nd.items()}
        else:
            a, b = pt
            mid = a if a == b else (a + b) / 2
            if not in_domain(a, b):
                continue

            signs = {}
            for r, (n, d) in nd.items():
                sd = _sign_at_root(d, v, a, b, mid)
                signs[r] = None if sd == 0 else _sign_at_root(n, v, a, b, mid) * sd
        vals = []
        for f in formulas:
            sub = {r: (False if signs[r] is None else _SIGN_OK[r.rel_op](signs[r]))
                   for r in _atoms(f)}
            vals.append(bool(sp.sympify(f).xreplace({r: sp.true if t else sp.false
                                                     for r, t in sub.items()})))
        out.append(tuple(vals))
    return out


def _sign_at_root(q: sp.Expr, v: sp.Symbol, a: Any, b: Any, mid: Any) -> int:
    """Sign of q at the one root (of a product q divides) isolated in [a, b]."""
    if not q.has(v):
        return int(sp.sign(q))
    if a == b:
        return int(sp.sign(q.subs(v, a)))
    return 0 if sp.Poly(q, v).count_roots(a, b) > 0 else int(sp.sign(q.subs(v, mid)))


def _separated_intervals(P: sp.Poly) -> list[tuple[Any, Any]]:
    """Isolating intervals of the real roots of a square-free P, refined until no two touch and
    no endpoint of a proper interval is a root (so each closed interval holds exactly one)."""
    ivs = sorted((iv for iv, _ in P.intervals()), key=lambda t: (t[0], t[1]))
    changed = True
    while changed:
        changed = False
        for i, (a, b) in enumerate(ivs):
            if a == b:
                continue
            touch = P.eval(a) == 0 or P.eval(b) == 0 or any(
                j != i and max(a, c) <= min(b, d) for j, (c, d) in enumerate(ivs))
            if touch:
                ivs[i] = tuple(P.refine_root(a, b, steps=1))
                changed = True
    return sorted(ivs, key=lambda t: t[0])


def projection(polys: Iterable[sp.Expr], v: sp.Symbol,
               tick: Callable[[], None] | None = None) -> list[sp.Expr]:
    """Eliminate ``v``: the polynomials free of ``v``, and of the others their leading
    coefficients and discriminants in ``v`` and their pairwise resultants in ``v``. Where the
    real roots in ``v`` change number or order as the other variables move, one of these
    vanishes (Collins/McCallum projection). ``tick`` is called after each costly step."""
    polys = list(polys)
    out: list[sp.Expr] = []
    withv = [f for f in polys if f.has(v)]
    for f in polys:
        if not f.has(v):
            out.append(f)
            continue
        pf = sp.Poly(f, v)
        out.append(pf.LC())
        if pf.degree() >= 2:
            out.append(sp.discriminant(f, v))
        if tick is not None:
            tick()
    for f, g in itertools.combinations(withv, 2):
        out.append(sp.resultant(f, g, v))
        if tick is not None:
            tick()
    return out


def compare_regions(a: Any, b: Any, v: sp.Symbol, w: sp.Symbol | None = None) -> str:
    """'equal', 'a_in_b', 'b_in_a', 'other' or 'unknown' for two regions in (v[, w])."""
    A, B = abs_free(a), abs_free(b)
    samples: list[Any] = [None]
    unknown = False
    if w is not None:
        polys = {q for f in (A, B) for r in _atoms(f) for q in _num_den(r) if q.free_symbols}
        crit = projection(polys, v)
        roots: set[sp.Expr] = set()
        for f in crit:
            f = sp.expand(f)
            if f != 0 and f.has(w):
                roots |= set(real_roots(sp.Poly(f, w)))
        dom = _domain(w)
        roots |= {x for x in (dom.inf, dom.sup) if x.is_finite}
        roots = {x for x in roots if x in dom}
        edges = [dom.inf if dom.inf.is_finite else -sp.oo, *sorted(
            (x for x in roots if x not in (dom.inf, dom.sup)), key=lambda x: sp.N(x, 50)),
            dom.sup if dom.sup.is_finite else sp.oo]
        samples = [rational_between(x0, x1) for x0, x1 in zip(edges, edges[1:], strict=False)]
        for x in roots:
            if x.is_Rational:
                samples.append(x)
            else:
                unknown = True
    a_in_b = b_in_a = True
    for s in samples:
        fa, fb = (A, B) if s is None else (A.subs(w, s), B.subs(w, s))
        for ta, tb in _truths([fa, fb], v):
            if ta and not tb:
                a_in_b = False
            if tb and not ta:
                b_in_a = False
    if a_in_b and b_in_a:
        return "unknown" if unknown else "equal"
    if unknown:
        return "unknown"
    return "a_in_b" if a_in_b else "b_in_a" if b_in_a else "other"


_CACHE: dict[str, str] = {}  # results of exact region checks (pure functions of their args)


def _two_vars(variables: Any) -> tuple[sp.Symbol, sp.Symbol] | None:
    vs = tuple(variables)
    return (vs[0], vs[1]) if len(vs) == 2 else None


@register_check("region_equivalent",
                "two semi-algebraic regions coincide (exact: linear by Fourier-Motzkin, else "
                "cylindrical cells in <= 2 variables)")
def check_region_equivalent(a: Any, b: Any, variables: Any) -> str:
    return _region_relation(a, b, variables, "equivalent")


@register_check("region_implies",
                "one semi-algebraic region lies inside another (exact, as region_equivalent)")
def check_region_implies(a: Any, b: Any, variables: Any) -> str:
    return _region_relation(a, b, variables, "implies")


def _region_relation(a: Any, b: Any, variables: Any, what: str) -> str:
    from mcgen.proof.lp import check_linear_equivalent, check_linear_implies
    a, b = sp.sympify(a), sp.sympify(b)
    vs = tuple(variables)
    key = what + sp.srepr((a, b, vs))
    if key in _CACHE:
        return _CACHE[key]
    if a == b:
        res = "proved"
    else:
        lin = (check_linear_equivalent if what == "equivalent" else check_linear_implies)(a, b, vs)
        if lin != "unknown":
            res = lin
        elif len(vs) in (1, 2):
            try:
                rel = compare_regions(a, b, *vs)
            except (sp.polys.polyerrors.BasePolynomialError, NotImplementedError, TypeError,
                    ValueError):
                # not polynomial (radicals, transcendental functions), or a bound whose
                # denominator vanishes at a sample (zoo): not decided here
                rel = "unknown"
            if rel == "unknown":
                res = "unknown"
            elif what == "equivalent":
                res = "proved" if rel == "equal" else "refuted"
            else:
                res = "proved" if rel in ("equal", "a_in_b") else "refuted"
        else:
            res = "unknown"
    _CACHE[key] = res
    return res


@register_check("same_real_set",
                "two conditions in one variable define the same subset of its domain (each "
                "turned into its union of intervals with exact algebraic end points)")
def check_same_real_set(a: Any, b: Any, v: Any) -> str:
    try:
        dom = _domain(v)
        sa = relational_set(sp.sympify(a), v).intersect(dom)
        sb = relational_set(sp.sympify(b), v).intersect(dom)
    except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
        return "unknown"
    same = sa.symmetric_difference(sb)
    if same.is_empty is True:
        return "proved"
    return "refuted" if same.is_empty is False else "unknown"


@register_check("manifestly_nonneg",
                "an expression is >= 0 by the sign assumptions of its symbols")
def check_manifestly_nonneg(expr: Any) -> str:
    e = sp.factor(sp.sympify(expr))
    return "proved" if e.is_nonnegative else "unknown"


@register_check("manifestly_positive",
                "an expression is > 0 by the sign assumptions of its symbols")
def check_manifestly_positive(expr: Any) -> str:
    e = sp.factor(sp.sympify(expr))
    return "proved" if e.is_positive else "unknown"


@register_check("finite_region",
                "a conjunction of polynomial inequalities is a given finite set of points "
                "(one-variable consequences solved exactly, the finite product enumerated)")
def check_finite_region(conj: Any, variables: Any, points: Any) -> str:
    found = finite_region(sp.sympify(conj), tuple(variables))
    if found is None:
        return "unknown"
    return "proved" if set(found) == {tuple(p) for p in points} else "refuted"


def _sup_on(poly: sp.Expr, v: sp.Symbol, s: sp.Set) -> sp.Expr | None:
    """sup of a univariate polynomial over a finite union of intervals (None: unbounded)."""
    parts = s.args if isinstance(s, sp.Union) else (s,)
    cands = []
    dp = sp.Poly(sp.diff(poly, v), v)
    crit = real_roots(dp) if not dp.is_zero else []
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            cands += [poly.subs(v, x) for x in part]
            continue
        if not isinstance(part, sp.Interval):
            return None
        for end in (part.start, part.end):
            if end.is_finite:
                cands.append(poly.subs(v, end))
            elif sp.limit(poly, v, end) == sp.oo:
                return None
        cands += [poly.subs(v, x) for x in crit if x in part]
    return sp.Max(*cands) if cands else None


def finite_region(conj: Any, variables: tuple[sp.Symbol, ...]) -> list[tuple] | None:
    key = "finite" + sp.srepr((conj, variables))
    if key not in _MEMO:
        _MEMO[key] = _finite_region(conj, variables)
    return _MEMO[key]


_MEMO: dict[str, Any] = {}


def _finite_region(conj: Any, variables: tuple[sp.Symbol, ...]) -> list[tuple] | None:
    """The points of a region whose one-variable constraints (and the one-variable consequences
    of separable ones: f(x) + g(y) >= 0 gives f(x) + sup g >= 0) confine every variable to a
    finite set (exact), or None when some variable is not so confined."""
    parts = conj.args if isinstance(conj, sp.And) else (conj,)
    per_var: dict[sp.Symbol, sp.Set] = {v: _domain(v) for v in variables}
    for _ in range(3):
        before = dict(per_var)
        for rel in parts:
            if not isinstance(rel, Relational) or rel.rel_op not in (">=", "<="):
                continue
            e = sp.expand(rel.lhs - rel.rhs if rel.rel_op == ">=" else rel.rhs - rel.lhs)
            fs = e.free_symbols & set(variables)
            if len(fs) == 1:
                (v,) = fs
                per_var[v] = per_var[v].intersect(sign_set(e, v, ">="))
                continue
            terms: dict[Any, sp.Expr] = {}
            for t in sp.Add.make_args(e):
                ts = t.free_symbols & set(variables)
                if len(ts) > 1:
                    break
                key = next(iter(ts)) if ts else None
                terms[key] = terms.get(key, 0) + t
            else:
                for v in fs:
                    bound = terms.get(None, 0) + terms[v]
                    ok = True
                    for u in fs - {v}:
                        sup = _sup_on(terms[u], u, per_var[u])
                        if sup is None:
                            ok = False
                            break
                        bound += sup
                    # a consequence with an irrational sup (a Max of algebraic values) is
                    # skipped: it only sharpens, and the root isolation needs rationals
                    if ok and sp.Poly(sp.expand(bound), v).domain.is_QQ or \
                            ok and sp.Poly(sp.expand(bound), v).domain.is_ZZ:
                        per_var[v] = per_var[v].intersect(relational_set(sp.Ge(bound, 0), v))
        if per_var == before:
            break
    if not all(isinstance(s, sp.FiniteSet) or s.is_empty for s in per_var.values()):
        return None
    pts = []
    for combo in itertools.product(*[sorted(per_var[v], key=lambda x: sp.N(x)) if
                                     not per_var[v].is_empty else [] for v in variables]):
        val = conj.subs(dict(zip(variables, combo, strict=False)))
        if sp.simplify(val) is sp.true:
            pts.append(tuple(combo))
    return pts
