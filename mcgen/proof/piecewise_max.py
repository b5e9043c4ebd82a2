"""Exact extrema of piecewise-polynomial functions (Max, Min, Abs) over boxes.

An expression built from polynomials with ``Max``, ``Min`` and ``Abs`` is split into pieces, each
a polynomial valid on a polytope (branch conditions that are products of linear factors are split
by sign). On each full-dimensional piece the maximum of a polynomial of degree <= 2 is attained
at a KKT point of some face: the linear system "active constraints hold, the gradient lies in
the span of their normals" is solved for every set of at most ``n`` active constraints.
Candidates are screened in floating point and the winners recomputed in exact rational
arithmetic, so the reported value is exact. The supremum over pieces is the essential supremum
(pieces of measure zero are dropped), which is what a.e. derivatives of Lipschitz updates need.

Anything outside this class (degree > 2 pieces, nonlinear branch conditions that do not factor,
irrational coefficients) raises :class:`NotPiecewiseQuadratic`; callers fall back to sampling
and say so.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, cast

import numpy as np
import sympy as sp

from mcgen.proof.check import register_check


class NotPiecewiseQuadratic(ValueError):
    """The expression is not piecewise quadratic on linear pieces (the exact method does not
    apply)."""


Piece = tuple[sp.Expr, list[sp.Expr]]  # (polynomial, constraints g >= 0)


# ---------------------------------------------------------------- splitting into pieces


def _branch_node(expr: sp.Expr) -> sp.Basic | None:
    """An innermost Max/Min/Abs/Piecewise node of ``expr`` (None when there is none)."""
    for node in sp.postorder_traversal(expr):
        if isinstance(node, (sp.Max, sp.Min, sp.Abs, sp.Piecewise)):
            return node
    return None


def _branches(node: sp.Basic) -> list[tuple[sp.Expr, list[sp.Expr]]]:
    if isinstance(node, (sp.Max, sp.Min)):
        out = []
        for i, ei in enumerate(node.args):
            cons = [ei - ej if isinstance(node, sp.Max) else ej - ei
                    for j, ej in enumerate(node.args) if j != i]
            out.append((ei, cons))
        return out
    if isinstance(node, sp.Abs):
        a = node.args[0]
        return [(a, [a]), (-a, [-a])]
    out = []
    prior: list[sp.Expr] = []
    for e, cond in node.args:
        if cond is sp.true:
            gs: list[sp.Expr] = []
        elif isinstance(cond, (sp.GreaterThan, sp.StrictGreaterThan)):
            gs = [cond.lhs - cond.rhs]
        elif isinstance(cond, (sp.LessThan, sp.StrictLessThan)):
            gs = [cond.rhs - cond.lhs]
        else:
            raise NotPiecewiseQuadratic(f"Piecewise condition {cond}")
        out.append((e, [*gs, *[-g for g in prior]]))
        prior += gs
    return out


def branch_pieces(expr: sp.Expr) -> list[Piece]:
    """Pieces ``(poly, [g >= 0 ...])`` of an expression in Max/Min/Abs/Piecewise.

    Each distinct branch node is resolved once and substituted everywhere, so repeated
    occurrences (``Max(u, s)*(1 - Max(u, s))``) take the same branch.
    """
    expr = sp.sympify(expr)
    node = _branch_node(expr)
    if node is None:
        return [(expr, [])]
    out = []
    for e, cons in _branches(node):
        for pe, pc in branch_pieces(expr.xreplace({node: e})):
            out.append((pe, [*cons, *pc]))
    return out


def _linear_cases(g: sp.Expr, vars_: tuple[sp.Symbol, ...]) -> list[list[sp.Expr]]:
    """``g >= 0`` as a union of conjunctions of linear inequalities (sign patterns of its
    linear factors)."""
    g = sp.expand(g)
    if g.is_number:
        return [[]] if g >= 0 else []
    if not g.is_polynomial(*vars_):
        raise NotPiecewiseQuadratic(f"branch condition {g} >= 0 is not polynomial in "
                                    f"{', '.join(map(str, vars_))}")
    poly = sp.Poly(g, *vars_)
    if poly.total_degree() <= 1:
        return [[g]]
    c, facs = sp.factor_list(g, *vars_)
    lin = []
    for f, mult in facs:
        if sp.Poly(f, *vars_).total_degree() > 1:
            raise NotPiecewiseQuadratic(f"branch condition {g} >= 0 has a nonlinear factor {f}")
        if mult % 2 == 1:
            lin.append(f)
    sign = 1 if c > 0 else -1
    if not lin:
        # c * (square) >= 0: everything when c > 0, a set of measure zero otherwise (dropped:
        # the suprema computed here are essential suprema)
        return [[]] if sign > 0 else []
    out = []
    for signs in itertools.product((1, -1), repeat=len(lin)):
        if sign * int(np.prod(signs)) > 0:
            out.append([s * f for s, f in zip(signs, lin, strict=False)])
    return out


def linear_pieces(expr: sp.Expr, vars_: tuple[sp.Symbol, ...],
                  extra: Sequence[sp.Expr] = ()) -> list[Piece]:
    """Pieces whose constraints are all linear (nonlinear conditions split by factor signs)."""
    out: list[Piece] = []
    for e, cons in branch_pieces(expr):
        cases: list[list[sp.Expr]] = [list(extra)]
        for g in cons:
            cases = [a + b for a in cases for b in _linear_cases(g, vars_)]
        out.extend((e, c) for c in cases)
    return out


# ---------------------------------------------------------------- exact linear algebra


def _frac(v: Any) -> Fraction:
    if isinstance(v, sp.Rational):
        return Fraction(int(v.p), int(v.q))
    v = sp.nsimplify(v)
    if not v.is_Rational:
        raise NotPiecewiseQuadratic(f"coefficient {v} is not rational")
    return Fraction(int(v.p), int(v.q))


def _solve_exact(A: list[list[Fraction]], b: list[Fraction]) -> list[Fraction] | None:
    n = len(A[0])
    M = [row[:] + [bb] for row, bb in zip(A, b, strict=False)]
    r = 0
    piv = []
    for col in range(n):
        p = next((i for i in range(r, len(M)) if M[i][col] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        for i in range(len(M)):
            if i != r and M[i][col] != 0:
                f = M[i][col] / M[r][col]
                M[i] = [a - f * c for a, c in zip(M[i], M[r], strict=False)]
        piv.append(col)
        r += 1
    if any(all(v == 0 for v in row[:-1]) and row[-1] != 0 for row in M):
        return None
    if len(piv) < n:
        return None
    x = [Fraction(0)] * n
    for i, col in enumerate(piv):
        x[col] = M[i][-1] / M[i][col]
    return x


class _Quadratic:
    """q(x) = x^T Q x / 2 + c.x + k with rational data."""

    def __init__(self, expr: sp.Expr | None, vars_: tuple[sp.Symbol, ...]) -> None:
        n = len(vars_)
        self.n = n
        self.Q = [[Fraction(0)] * n for _ in range(n)]
        self.c = [Fraction(0)] * n
        self.k = Fraction(0)
        self.linear = True
        if expr is None:
            return
        poly = sp.Poly(sp.expand(expr), *vars_)
        if poly.total_degree() > 2:
            raise NotPiecewiseQuadratic(f"piece {expr} has degree {poly.total_degree()} > 2")
        for mon, co in poly.as_dict().items():
            co = _frac(co)
            deg = sum(mon)
            if deg == 0:
                self.k = co
            elif deg == 1:
                self.c[mon.index(1)] = co
            else:
                idx = [i for i, e in enumerate(mon) for _ in range(e)]
                i, j = idx
                if i == j:
                    self.Q[i][i] += 2 * co
                else:
                    self.Q[i][j] += co
                    self.Q[j][i] += co
        self.linear = all(v == 0 for row in self.Q for v in row)

    @classmethod
    def make(cls, Q: list[list[Fraction]], c: list[Fraction], k: Fraction) -> _Quadratic:
        q = cls(None, tuple(range(len(c))))
        q.Q, q.c, q.k = Q, c, k
        q.linear = all(v == 0 for row in Q for v in row)
        return q

    def partial(self, i: int) -> _Quadratic:
        """d q / d x_i (linear)."""
        n = self.n
        return _Quadratic.make([[Fraction(0)] * n for _ in range(n)], list(self.Q[i]),
                               self.c[i])

    def embed(self, idx: list[int], n: int) -> _Quadratic:
        """The same function of x[idx] in an n-variable space."""
        Q = [[Fraction(0)] * n for _ in range(n)]
        c = [Fraction(0)] * n
        for a, ia in enumerate(idx):
            c[ia] += self.c[a]
            for b, ib in enumerate(idx):
                Q[ia][ib] += self.Q[a][b]
        return _Quadratic.make(Q, c, self.k)

    def __sub__(self, other: _Quadratic) -> _Quadratic:
        n = self.n
        return _Quadratic.make([[self.Q[i][j] - other.Q[i][j] for j in range(n)]
                                for i in range(n)],
                               [a - b for a, b in zip(self.c, other.c, strict=False)],
                               self.k - other.k)

    def __neg__(self) -> _Quadratic:
        return _Quadratic.make([[-v for v in r] for r in self.Q], [-v for v in self.c],
                               -self.k)

    def value(self, x: list[Fraction]) -> Fraction:
        n = self.n
        return cast(Fraction,
                    sum(x[i] * self.Q[i][j] * x[j] for i in range(n) for j in range(n)) / 2 +
                    sum(ci * xi for ci, xi in zip(self.c, x, strict=False)) + self.k)


def _constraint_rows(cons: list[sp.Expr], vars_: tuple[sp.Symbol, ...]
                     ) -> tuple[list[list[Fraction]], list[Fraction]]:
    """``g >= 0`` -> rows of ``A x <= b`` (``-grad g . x <= g(0)``)."""
    A, b = [], []
    seen = set()
    for g in cons:
        p = sp.Poly(sp.expand(g), *vars_)
        if p.total_degree() > 1:
            raise NotPiecewiseQuadratic(f"constraint {g} is not linear")
        d = p.as_dict()
        n = len(vars_)
        row = [Fraction(0)] * n
        rhs = Fraction(0)
        for mon, co in d.items():
            if sum(mon) == 0:
                rhs = _frac(co)
            else:
                row[mon.index(1)] = -_frac(co)
        if all(r == 0 for r in row):
            if rhs < 0:
                return [[Fraction(0)] * len(vars_)], [Fraction(-1)]  # infeasible
            continue
        key = (tuple(row), rhs)
        if key not in seen:
            seen.add(key)
            A.append(row)
            b.append(rhs)
    return A, b


def embed_rows(A: list[list[Fraction]], idx: list[int], n: int) -> list[list[Fraction]]:
    out = []
    for r in A:
        row = [Fraction(0)] * n
        for a, ia in enumerate(idx):
            row[ia] += r[a]
        out.append(row)
    return out


def max_on_polytope(obj: sp.Expr, cons: list[sp.Expr], vars_: tuple[sp.Symbol, ...]
                    ) -> tuple[Fraction, list[Fraction]] | None:
    """Exact max of a polynomial of degree <= 2 over the bounded polytope ``{g >= 0}``; None
    when the polytope is empty or not full-dimensional."""
    q = _Quadratic(obj, vars_)
    A, b = _constraint_rows(cons, vars_)
    return max_rows(q, A, b)


def _batched(Af: np.ndarray, bf: np.ndarray, Qf: np.ndarray, cf: np.ndarray, linear: bool,
             s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """KKT points for every set of ``s`` active rows: (subsets, points, feasible mask)."""
    m, n = Af.shape
    S = np.array(list(itertools.combinations(range(m), s)), dtype=int).reshape(-1, s) if s \
        else np.zeros((1, 0), dtype=int)
    if len(S) == 0:
        return S, np.zeros((0, n)), np.zeros(0, bool)
    As = Af[S]  # (K, s, n)
    if linear:
        K = As
        rhs = bf[S]
    else:
        K = np.zeros((len(S), n + s, n + s))
        if s:
            K[:, :s, :n] = As
        K[:, s:, :n] = Qf
        K[:, s:, n:] = -np.transpose(As, (0, 2, 1))
        rhs = np.zeros((len(S), n + s))
        if s:
            rhs[:, :s] = bf[S]
        rhs[:, s:] = -cf
    det = np.linalg.det(K) if K.shape[1] else np.ones(len(S))
    ok = np.abs(det) > 1e-12
    X = np.full((len(S), n), np.nan)
    if ok.any():
        sol = np.linalg.solve(K[ok], rhs[ok][..., None])[..., 0] if K.shape[1] else \
            np.zeros((int(ok.sum()), 0))
        X[ok] = sol[:, :n]
    feas = ok & np.all(X @ Af.T <= bf + 1e-9, axis=1)
    return S, X, feas


def max_rows(q: _Quadratic, A: list[list[Fraction]], b: list[Fraction]
             ) -> tuple[Fraction, list[Fraction]] | None:
    """Exact max of ``q`` over ``{A x <= b}`` (bounded); None when empty or without interior."""
    n, m = q.n, len(A)
    if m < n:
        return None
    Af = np.array([[float(v) for v in r] for r in A])
    bf = np.array([float(v) for v in b])
    Qf = np.array([[float(v) for v in r] for r in q.Q])
    cf = np.array([float(v) for v in q.c])
    Sv, Xv, fv = _batched(Af, bf, Qf, cf, True, n)
    verts = Xv[fv]
    if len(verts) == 0 or np.linalg.matrix_rank(verts - verts[0], tol=1e-9) < n:
        return None  # empty, or measure zero: no interior
    cands: list[tuple[float, tuple[Any, ...], tuple[Any, ...]]] = []
    val = verts @ cf + 0.5 * np.einsum("ki,ij,kj->k", verts, Qf, verts) + float(q.k)
    cands += [(float(v), tuple(S), tuple(np.round(x, 9))) for v, S, x in
              zip(val, Sv[fv], verts, strict=False)]
    if not q.linear:
        for s in range(0, n):
            S_, X_, f_ = _batched(Af, bf, Qf, cf, False, s)
            if f_.any():
                Xf = X_[f_]
                vv = Xf @ cf + 0.5 * np.einsum("ki,ij,kj->k", Xf, Qf, Xf) + float(q.k)
                cands += [(float(v), ("kkt",) + tuple(S), tuple(np.round(x, 9)))
                          for v, S, x in zip(vv, S_[f_], Xf, strict=False)]
    cands.sort(key=lambda c: -c[0])
    best: tuple[Fraction, list[Fraction]] | None = None
    seen: set[tuple[float, ...]] = set()
    for val_, S, key in cands:
        # float screening: a candidate more than 1e-9 below the exact best cannot beat it
        # (the float values carry errors far below that for these small systems)
        if best is not None and val_ < float(best[0]) - 1e-9:
            break
        if key in seen:
            continue
        seen.add(key)
        if S and S[0] == "kkt":
            x = _exact_kkt(q, A, b, tuple(S[1:]), force_kkt=True)
        else:
            x = _solve_exact([A[i] for i in S], [b[i] for i in S])
        if x is None or any(sum(a * xi for a, xi in zip(A[i], x, strict=False)) > b[i]
                            for i in range(m)):
            continue
        v = q.value(x)
        if best is None or v > best[0]:
            best = (v, x)
    return best


def _exact_kkt(q: _Quadratic, A: list[list[Fraction]], b: list[Fraction],
               S: tuple[int, ...], force_kkt: bool = False) -> list[Fraction] | None:
    n, s = q.n, len(S)
    if q.linear and not force_kkt:
        return _solve_exact([A[i] for i in S], [b[i] for i in S])
    rows = [A[i] + [Fraction(0)] * s for i in S]
    rhs = [b[i] for i in S]
    for r in range(n):
        rows.append(q.Q[r] + [-A[i][r] for i in S])
        rhs.append(-q.c[r])
    sol = _solve_exact(rows, rhs)
    return None if sol is None else sol[:n]


def box_constraints(vars_: tuple[sp.Symbol, ...], lo: Any, hi: Any) -> list[sp.Expr]:
    return [c for v in vars_ for c in (v - lo, hi - v)]


def ess_sup(pieces: list[Piece], vars_: tuple[sp.Symbol, ...]) -> Fraction | None:
    """Essential supremum over full-dimensional pieces (None when every piece is empty)."""
    best = None
    for e, cons in pieces:
        r = max_on_polytope(e, cons, vars_)
        if r is not None and (best is None or r[0] > best):
            best = r[0]
    return best


def _rat(v: Fraction) -> sp.Rational:
    return sp.Rational(v.numerator, v.denominator)


def piecewise_sup(expr: sp.Expr, vars_: tuple[sp.Symbol, ...], lo: Any, hi: Any,
                  extra: Sequence[sp.Expr] = ()) -> sp.Rational | None:
    """Exact essential supremum of a Max/Min/Abs expression over the box ``[lo, hi]^n``
    (intersected with ``extra`` linear constraints ``g >= 0``)."""
    pcs = linear_pieces(expr, vars_, [*box_constraints(vars_, lo, hi), *extra])
    v = ess_sup(pcs, vars_)
    return None if v is None else _rat(v)


# ---------------------------------------------------------------- registered checks


@register_check("piecewise_sup_on_box",
                "the essential supremum of a piecewise-quadratic expression over a box equals "
                "the value (exact KKT enumeration on every linear piece)")
def _sup_on_box(expr: sp.Expr, vars_: Any, lo: Any, hi: Any, value: Any,
                extra: Any = ()) -> str:
    try:
        v = piecewise_sup(expr, tuple(vars_), lo, hi, list(extra))
    except NotPiecewiseQuadratic:
        return "unknown"
    if v is None:
        return "unknown"
    return "proved" if v == sp.nsimplify(value) else "refuted"


@register_check("piecewise_le_on_box",
                "a piecewise-quadratic expression is <= a bound almost everywhere on a box "
                "(exact KKT enumeration)")
def _le_on_box(expr: sp.Expr, vars_: Any, lo: Any, hi: Any, bound: Any,
               extra: Any = ()) -> str:
    try:
        v = piecewise_sup(expr, tuple(vars_), lo, hi, list(extra))
    except NotPiecewiseQuadratic:
        return "unknown"
    if v is None:
        return "proved"  # the region has measure zero
    return "proved" if v <= sp.nsimplify(bound) else "refuted"
