"""A second search for ``sos_on_torus`` certificates, with bases reduced before the solve.

The natural bases of :func:`mcgen.proof.sos_certificate.find_sos_certificate` grow quickly with
the degree (unsplit 2-D Lax-Wendroff in cube roots: 336 and 252 monomials). Three reductions
make such programs small, then the rounding keeps denominators small:

* lower Newton hull: with u of weight 2 and s of weight 1 (s^2 = 2u - u^2 at lowest order) and
  positive weights on the parameters, the lowest part of each sigma_b is a sum of squares that
  cannot cancel (a multiplier g with g(0) > 0 keeps its sign there), so a basis monomial m with
  nonzero diagonal has 2 phi(m) in conv(phi(supp N)) + R_+^k, phi = (2 u_x + s_x, 2 u_y + s_y,
  parameter exponents). Others are dropped (a search heuristic: the exact check decides);
* sign symmetries: flips of a subset of (s_x, s_y, parameters) under which N and every g are
  invariant split each Gram matrix by parity classes (block-diagonal without loss);
* facial reduction: a feasibility solve; a Gram matrix's numerical kernel (cut at a gap of more
  than three decades in its spectrum) with a rational basis of small denominators is removed
  (Q = C^T Q' C) and the program solved again, until every block is positive definite.

The rounding sets the free variables of the exact constraints (reduced echelon form, pivots on
the largest coefficients) to the rounded numbers and solves for the pivots exactly, which keeps
the common denominator small where a least-norm projection does not.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import sympy as sp

from mcgen.errors import DerivationFileError
from mcgen.proof.sos_certificate import (
    MAX_BLOCKS,
    SEARCH_SIDE,
    Poly,
    SOSUnavailable,
    _bases,
    _mul,
    _to_poly,
    check_sos_on_torus,
    normal_form,
    psd_exact,
    search_problem,
)

FACIAL_ROUNDS = 4
KERNEL_DENOMINATOR = 4   # a kernel vector with larger denominators is not taken as exact
DENOMINATORS = (12, 24, 60, 120, 360)


def _phi(m: tuple[int, ...]) -> tuple[int, ...]:
    return (2 * m[0] + m[1], 2 * m[2] + m[3], *m[4:])


def lower_hull_filter(N: Poly, basis: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The monomials m of ``basis`` with 2 phi(m) in conv(phi(supp N)) + R_+^k (a feasibility
    LP each, solved by Clarabel: the search's solver, and far less overhead per small LP)."""
    import clarabel
    import numpy as np
    from scipy import sparse

    P = np.array([_phi(m) for m in N], dtype=float)
    k, d = P.shape
    n = k + d  # convex weights on the points, then the slack along R_+^d
    A = sparse.vstack([sparse.csc_matrix(np.vstack([np.hstack([P.T, np.eye(d)]),
                                                    np.r_[np.ones(k), np.zeros(d)]])),
                       -sparse.identity(n)]).tocsc()
    cones = [clarabel.ZeroConeT(d + 1), clarabel.NonnegativeConeT(n)]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    zero = sparse.csc_matrix((n, n))
    inside: dict[tuple[int, ...], bool] = {}
    out = []
    for m in basis:
        x = _phi(m)
        if x not in inside:
            b = np.r_[2 * np.array(x, dtype=float), 1.0, np.zeros(n)]
            sol = clarabel.DefaultSolver(zero, np.zeros(n), A, b, cones, settings).solve()
            inside[x] = str(sol.status) in ("Solved", "AlmostSolved")
        if inside[x]:
            out.append(m)
    return out


def sign_symmetries(polys: list[Poly], n_par: int) -> list[tuple[int, ...]]:
    """Index sets of variables (among s_x, s_y and the parameters) whose joint sign flip leaves
    every polynomial invariant (the non-empty ones)."""
    cand = [1, 3, *range(4, 4 + n_par)]
    out = []
    for r in range(1, len(cand) + 1):
        for sub in itertools.combinations(cand, r):
            if all(sum(m[i] for i in sub) % 2 == 0 for p in polys for m in p):
                out.append(sub)
    return out


def _split(bases: list[list[tuple[int, ...]]], syms: list[tuple[int, ...]]
           ) -> list[tuple[int, list[tuple[int, ...]]]]:
    """(sigma index, class basis): parity classes under the pair of symmetries (or the single
    one) that gives the smallest largest block within MAX_BLOCKS."""
    best: list[tuple[int, list[tuple[int, ...]]]] = [(b, B) for b, B in enumerate(bases) if B]
    best_side = max(len(B) for _, B in best)
    for r in (1, 2, 3):
        for gens in itertools.combinations(syms, r):
            out: list[tuple[int, list[tuple[int, ...]]]] = []
            for b, B in enumerate(bases):
                classes: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
                for m in B:
                    classes.setdefault(tuple(sum(m[i] for i in s) % 2 for s in gens),
                                       []).append(m)
                out += [(b, c) for _, c in sorted(classes.items())]
            side = max(len(c) for _, c in out)
            if len(out) <= MAX_BLOCKS and side < best_side:
                best, best_side = out, side
    return best


def find_reduced_sos_certificate(G: Any, thetas: tuple, params: tuple[sp.Symbol, ...],
                                 region: Any) -> tuple | None:
    """A checked certificate's blocks, or None; SOSUnavailable when Clarabel is missing or a
    reduced block is still beyond the search's size bound."""
    problem = search_problem(G, thetas, params, region)
    if problem is None:
        return None
    gs, gens, N, th, ph = problem
    n_par = len(params)
    one: Poly = {(0,) * len(gens): Fraction(1)}
    mults: list[tuple[Poly, sp.Expr]] = [(one, sp.Integer(1))]
    bases = [_bases(n_par, th, ph)]
    for g in gs:
        gp = _to_poly(g, gens)
        dg = max(sum(m) for m in gp)
        if dg > 2 * ph:
            continue
        mults.append((gp, g))
        bases.append(_bases(n_par, th, (2 * ph - dg) // 2))
    if all(gp.get((0,) * len(gens), 0) > 0 for gp, _ in mults):
        kept = set(lower_hull_filter(N, list(dict.fromkeys(m for B in bases for m in B))))
        bases = [[m for m in B if m in kept] for B in bases]
    syms = sign_symmetries([N, *(gp for gp, _ in mults)], n_par)
    split = _split(bases, syms)
    if max(len(B) for _, B in split) > SEARCH_SIDE:
        raise SOSUnavailable(f"the reduced SOS basis has a block of "
                             f"{max(len(B) for _, B in split)} monomials, beyond the search's "
                             f"bound ({SEARCH_SIDE})")
    blocks: list[tuple[int, list[tuple[int, ...]], list[Poly]]] = [
        (b, B, [{m: Fraction(1)} for m in B]) for b, B in split]
    products: dict[tuple[int, tuple[int, ...]], Poly] = {}  # this search's g_b m in normal form
    for _ in range(FACIAL_ROUNDS):
        sol = _solve(N, mults, blocks, products)
        if sol is None:
            return None
        changed = False
        for k, (b, B, P) in enumerate(blocks):
            C = _reduce_face(sol[0][k], P)
            if C is not None:
                blocks[k] = (b, B, C)
                changed = True
        if not changed:
            break  # sol is the solution over the final blocks
    else:
        sol = _solve(N, mults, blocks, products)
        if sol is None:
            return None
    x, rows, rhs = sol
    flat = [(k, i, j) for k, (_, _, P) in enumerate(blocks) for j in range(len(P))
            for i in range(j + 1)]
    echelon = _echelon(rows, rhs)
    if echelon is None:
        return None
    for den in DENOMINATORS:
        q0 = [Fraction(round(float(x[k][i, j]) * den), den) for k, i, j in flat]
        q = _back_substitute(echelon, q0)
        cert = _certificate(blocks, mults, gens, flat, q)
        if cert is None:
            continue
        try:
            if check_sos_on_torus(G, thetas, params, region, cert) == "proved":
                return cert
        except DerivationFileError:
            continue
    return None


def _solve(N: Poly, mults: list, blocks: list,
           products: dict[tuple[int, tuple[int, ...]], Poly]) -> tuple | None:
    """Feasibility solve over the blocks' polynomial bases: (Gram matrices, exact rows, rhs).
    ``products`` holds normal_form(g_b m) per multiplier b and monomial m (filled here, kept
    by the caller between the facial-reduction rounds of one search)."""
    import clarabel
    import numpy as np
    from scipy import sparse

    def reduced(b: int, m: tuple[int, ...]) -> Poly:
        key = (b, m)
        if key not in products:
            products[key] = normal_form(_mul(mults[b][0], {m: Fraction(1)}))
        return products[key]

    rows: dict[tuple[int, ...], int] = {m: i for i, m in enumerate(N)}
    entries: list[tuple[int, int, Fraction]] = []
    var: list[tuple[int, int, int]] = []
    for k, (b, _, P) in enumerate(blocks):
        for j in range(len(P)):
            for i in range(j + 1):
                v = len(var)
                var.append((k, i, j))
                prod: Poly = {}  # normal_form(g_b P_i P_j), term by term of P_i P_j
                for m, c in _mul(P[i], P[j]).items():
                    for mm, cm in reduced(b, m).items():
                        t = cm if c == 1 else c * cm
                        prod[mm] = prod[mm] + t if mm in prod else t
                for mm, c in prod.items():
                    if not c:
                        continue
                    if mm not in rows:
                        rows[mm] = len(rows)
                    entries.append((rows[mm], v, c + c if i != j else c))
    n_rows, n_vars = len(rows), len(var)
    rhs = [Fraction(0)] * n_rows
    for m, c in N.items():
        rhs[rows[m]] = c
    scale = np.array([1.0 if i == j else 1 / np.sqrt(2) for _, i, j in var])
    A_eq = sparse.csc_matrix(([float(c) * scale[v] for _, v, c in entries],
                              ([r for r, _, _ in entries], [v for _, v, _ in entries])),
                             shape=(n_rows, n_vars))
    A = sparse.vstack([A_eq, -sparse.identity(n_vars)]).tocsc()
    cones = [clarabel.ZeroConeT(n_rows)] + [clarabel.PSDTriangleConeT(len(P))
                                             for _, _, P in blocks]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = 1e-12
    sol = clarabel.DefaultSolver(sparse.csc_matrix((n_vars, n_vars)), np.zeros(n_vars), A,
                                 np.concatenate([[float(c) for c in rhs], np.zeros(n_vars)]),
                                 cones, settings).solve()
    if str(sol.status) not in ("Solved", "AlmostSolved"):
        return None
    xs = np.array(sol.x) * scale
    Qs = [np.zeros((len(P), len(P))) for _, _, P in blocks]
    for v, (k, i, j) in enumerate(var):
        Qs[k][i, j] = Qs[k][j, i] = xs[v]
    exact: list[dict[int, Fraction]] = [{} for _ in range(n_rows)]
    for r, v, c in entries:  # one entry per (row, variable)
        exact[r][v] = c
    return Qs, exact, rhs


def _reduce_face(Q: Any, P: list[Poly]) -> list[Poly] | None:
    """New basis polynomials spanning the complement of Q's rational numerical kernel, or None
    when Q shows no clear kernel with small denominators."""
    import numpy as np

    vals, vecs = np.linalg.eigh(Q)
    top = float(np.abs(vals).max())
    if top == 0:
        return None
    lev = np.log10(np.maximum(vals / top, 1e-16))
    gaps = np.diff(lev)
    k = int(np.argmax(gaps))
    if gaps[k] <= 3 or lev[k] >= -4:
        return None
    A = vecs[:, :k + 1].T.copy()
    R: list[Any] = []
    for _ in range(A.shape[0]):  # reduced echelon form, full pivoting on the largest entry
        i, j = np.unravel_index(int(np.argmax(np.abs(A))), A.shape)
        r = A[i] / A[i, j]
        A = np.delete(A - np.outer(A[:, j], r), i, 0)
        R = [rr - rr[j] * r for rr in R]
        R.append(r)
    kern = []
    for r in R:
        r = np.where(np.abs(r) < 1e-3, 0.0, r)
        fr = [Fraction(float(e)).limit_denominator(100) for e in r]
        if all(e.denominator <= KERNEL_DENOMINATOR for e in fr) and \
                np.abs(Q @ np.array([float(e) for e in fr])).max() < 1e-4 * max(1.0, top):
            kern.append([sp.Rational(e.numerator, e.denominator) for e in fr])
    if not kern:
        return None
    out = []
    for c in sp.Matrix(kern).nullspace():
        c = c * sp.ilcm(*[sp.Rational(e).q for e in c])
        poly: Poly = {}
        for ci, pi in zip(c, P, strict=True):
            if ci:
                for m, v in pi.items():
                    poly[m] = poly.get(m, Fraction(0)) + v * int(ci)
        out.append({m: v for m, v in poly.items() if v})
    return out


Echelon = tuple[dict[int, tuple[dict[int, Fraction], Fraction]], list[int]]


def _echelon(rows: list[dict[int, Fraction]], rhs: list[Fraction]) -> Echelon | None:
    """Echelon form of rows . x = rhs, the pivot of each row its largest coefficient, or None
    when the rows are inconsistent (computed once per search: it does not depend on the
    rounded values)."""
    piv: dict[int, tuple[dict[int, Fraction], Fraction]] = {}
    order = []
    for row, b in zip(rows, rhs, strict=True):
        r = dict(row)
        while hit := [v for v in r if v in piv]:
            for v in hit:
                c = r.get(v)
                if not c:
                    continue
                pr, pb = piv[v]
                for w, cw in pr.items():
                    nv = r.get(w, Fraction(0)) - c * cw
                    if nv:
                        r[w] = nv
                    else:
                        r.pop(w, None)
                b -= c * pb
        if not r:
            if b:
                return None
            continue
        v = max(r, key=lambda w: (abs(r[w]), w))
        c = r[v]
        piv[v] = ({w: cw / c for w, cw in r.items()}, b / c)
        order.append(v)
    return piv, order


def _back_substitute(echelon: Echelon, q: list[Fraction]) -> list[Fraction]:
    """The exact solution of the echelon system equal to q on the free variables."""
    piv, order = echelon
    x = list(q)
    for v in reversed(order):
        r, b = piv[v]
        x[v] = b - sum(cw * x[w] for w, cw in r.items() if w != v)
    return x


def _certificate(blocks: list, mults: list, gens: tuple, flat: list, q: list[Fraction]
                 ) -> tuple | None:
    """The blocks over monomials (Q = C^T Q' C) when every Q' is exactly PSD, else None."""
    grams = [[[Fraction(0)] * len(P) for _ in P] for _, _, P in blocks]
    for v, (k, i, j) in enumerate(flat):
        grams[k][i][j] = grams[k][j][i] = q[v]
    if not all(psd_exact(Qp) for Qp in grams):
        return None
    out = []
    for (b, B, P), Qp in zip(blocks, grams, strict=True):
        idx = {m: a for a, m in enumerate(B)}
        cols = [{idx[m]: c for m, c in p.items()} for p in P]  # row a of C, sparse
        Q = [[Fraction(0)] * len(B) for _ in B]
        for a, ca in enumerate(cols):
            for c, cc in enumerate(cols):
                if not Qp[a][c]:
                    continue
                for i, x in ca.items():
                    xq = x * Qp[a][c]
                    row = Q[i]
                    for j, y in cc.items():
                        row[j] += xq * y
        keep = [i for i in range(len(B)) if any(Q[i])]
        if not keep:
            continue
        out.append((mults[b][1],
                    tuple(sp.Mul(*[s**e for s, e in zip(gens, B[i], strict=True)])
                          for i in keep),
                    sp.ImmutableMatrix([[sp.Rational(Q[i][j].numerator, Q[i][j].denominator)
                                         for j in keep] for i in keep])))
    return tuple(out)
