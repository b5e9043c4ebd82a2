"""Impossibility with a certificate: no non-negative weights meet the moment conditions.

Farkas' lemma: ``A w = b, w >= 0`` has no solution iff some y has ``A^T y >= 0`` and ``b^T y < 0``
(then ``0 <= (A^T y) . w = b^T y < 0`` for any candidate w). Read on moments, ``(A^T y)_k`` is the
polynomial ``p(k) = sum_alpha y_alpha k^alpha`` at the offset k, and ``b^T y`` is the expectation of
p under the target law: a polynomial non-negative on the support whose exact expectation is
negative. For three points and second order (Godunov's barrier, 0 < nu < 1): p(k) = k (k + 1)
vanishes at -1 and 0, is 2 at +1, and its expectation under the exact moments is
nu^2 - nu < 0.

On any 1-D support the same happens for every non-integer nu: exact second order forces zero
variance, and p(k) = (k - j)(k - j - 1) with j = floor(-nu) is >= 0 on the integers while its
expectation (-nu - j)(-nu - j - 1) is < 0 (five points, 1 < nu < 2: p = (k + 1)(k + 2)).

scipy's LP *finds* a candidate y at a rational sample point; the active set of that vertex is then
solved exactly (symbolically in the parameter), denominators of constant sign are cleared, and the
registered check ``farkas_infeasible`` re-verifies the certificate on the whole interval.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import linprog

from mcgen.errors import AnalysisError
from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.proof.farkas_check import sign_status, signs_on_open_interval
from mcgen.proof.sturm import rational_between
from mcgen.synthesis.moment_conditions import MultiIndex


def _float_matrix(M: sp.Matrix) -> np.ndarray:
    return np.array([[float(e) for e in M.row(i)] for i in range(M.rows)], dtype=float)


def independent_system(A: sp.Matrix, b: sp.Matrix) -> tuple[sp.Matrix, sp.Matrix]:
    """Drop moment rows that are combinations of earlier ones (keeps the dual LP pointed)."""
    _, pivots = A.T.rref()
    rows = list(pivots)
    return A.extract(rows, list(range(A.cols))), b.extract(rows, [0])


def _lp_dual_vertex(A: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """A vertex y of {A^T y >= 0, b^T y = -1}, or None when that set is empty (then A w = b has
    a non-negative solution)."""
    m, n = A.shape
    # minimise sum_k (A^T y)_k: bounded below by 0, so the simplex stops at a vertex
    res = linprog(c=A.sum(axis=1), A_ub=-A.T, b_ub=np.zeros(n), A_eq=b.reshape(1, m),
                  b_eq=[-1.0], bounds=[(None, None)] * m, method="highs-ds")
    if res.status != 0:
        return None
    return np.asarray(res.x)


def _exact_from_active_set(A: sp.Matrix, b: sp.Matrix, y_float: np.ndarray,
                           tol: float = 1e-9) -> sp.Matrix | None:
    """Solve exactly the equations active at a float vertex: (A^T y)_k = 0 on the active set,
    b^T y = -1. b may depend on a parameter; then y does too."""
    Af = _float_matrix(A.subs({s: 0 for s in A.free_symbols}))
    slack = Af.T @ y_float
    scale = max(1.0, float(np.abs(slack).max()))
    active = [k for k in range(A.cols) if abs(slack[k]) <= tol * scale]
    # a maximal independent subset of active rows together with b^T y = -1
    rows = [b.T]
    for k in active:
        cand = sp.Matrix.vstack(*rows, A.col(k).T)
        if cand.rank() > len(rows):
            rows.append(A.col(k).T)
    S = sp.Matrix.vstack(*rows)
    if S.rows < A.rows:
        return None
    rhs = sp.Matrix([-1] + [0] * (S.rows - 1))
    try:
        return sp.simplify(S.LUsolve(rhs))
    except (ValueError, ZeroDivisionError):
        return None


def _clear_denominators(y: sp.Matrix, var: sp.Symbol | None, lo: Any, hi: Any) -> sp.Matrix:
    """Multiply y by |common denominator| when that has constant sign on (lo, hi): a positive
    multiple of a certificate is a certificate, and polynomial certificates read better."""
    dens = [sp.fraction(sp.cancel(sp.together(e)))[1] for e in y]
    common = sp.lcm_list(dens) if dens else sp.Integer(1)
    signs = signs_on_open_interval(common, var, lo, hi)
    if signs == {1}:
        y = sp.Matrix([sp.expand(sp.cancel(e * common)) for e in y])
    elif signs == {-1}:
        y = sp.Matrix([sp.expand(sp.cancel(-e * common)) for e in y])
    else:
        return y
    # divide out the positive integer content, so k(k+1) reads as (0, 1, 1), not (0, 9, 9)
    gen = var if var is not None else sp.Dummy()
    coeffs = [c for e in y if e != 0 for c in sp.Poly(e, gen).coeffs()]
    if coeffs and all(c.is_Integer for c in coeffs):
        g = sp.igcd(*[int(c) for c in coeffs]) if len(coeffs) > 1 else abs(int(coeffs[0]))
        if g > 1:
            y = y / g
    return y


def find_certificate(A: Any, b: Any, var: sp.Symbol | None = None, lo: Any = None,
                     hi: Any = None) -> sp.Matrix | None:
    """An exact Farkas vector y (A^T y >= 0, b^T y < 0) valid for var in (lo, hi), or None.

    A is an exact numeric matrix; b may depend on ``var``. With ``var`` None, b is numeric.
    """
    A, b = sp.Matrix(A), sp.Matrix(b)
    A, b = independent_system(A, b)
    if var is None:
        yf = _lp_dual_vertex(_float_matrix(A), np.array([float(e) for e in b]))
        if yf is None:
            return None
        y = _exact_from_active_set(A, b, yf)
        if y is None:  # fall back on rationalising the float vertex
            y = sp.Matrix([sp.Rational(Fraction(v).limit_denominator(10 ** 6)) for v in yf])
        y = _clear_denominators(y, None, None, None)
        ok = Check("farkas_infeasible", (sp.ImmutableMatrix(A), sp.ImmutableMatrix(b),
                                         sp.ImmutableMatrix(y))).run()
        return y if ok == "proved" else None
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    t = rational_between(lo, hi)
    bt = b.subs(var, t)
    yf = _lp_dual_vertex(_float_matrix(A), np.array([float(e) for e in bt]))
    if yf is None:
        return None
    y = _exact_from_active_set(A, b, yf)
    if y is None:
        return None
    y = _clear_denominators(y, var, lo, hi)
    ok = Check("farkas_infeasible", (sp.ImmutableMatrix(A), sp.ImmutableMatrix(b),
                                     sp.ImmutableMatrix(y), var, lo, hi)).run()
    return y if ok == "proved" else None


def certificate_pieces(A: Any, b: Any, var: sp.Symbol, lo: Any, hi: Any,
                       depth: int = 4) -> list[tuple[sp.Expr, sp.Expr, sp.Matrix]] | None:
    """Certificates covering (lo, hi) piecewise, splitting at the midpoint when one y does not
    cover the whole interval. Interior split points are covered by their own numeric check."""
    y = find_certificate(A, b, var, lo, hi)
    if y is not None:
        return [(sp.sympify(lo), sp.sympify(hi), y)]
    if depth == 0:
        return None
    mid = rational_between(sp.sympify(lo), sp.sympify(hi))
    left = certificate_pieces(A, b, var, lo, mid, depth - 1)
    right = certificate_pieces(A, b, var, mid, hi, depth - 1)
    at_mid = find_certificate(A, sp.Matrix(b).subs(var, mid))
    if left is None or right is None or at_mid is None:
        return None
    return [*left, (mid, mid, at_mid), *right]


def infeasibility_derivation(A: Any, b: Any, support: tuple[MultiIndex, ...],
                             alphas: list[MultiIndex], *, var: sp.Symbol | None = None,
                             interval: tuple[Any, Any] | None = None, title: str = "",
                             theorem: str = "") -> Derivation:
    """A derivation proving that no w >= 0 on ``support`` meets ``A w = b`` (rows: moments
    ``alphas``), for fixed numbers or for ``var`` in the open ``interval``.

    Raises AnalysisError when no certificate is found (the system may well be feasible: check
    a sample point with :func:`nonneg_point`).
    """
    A, b = sp.Matrix(A), sp.Matrix(b)
    keep_rows = independent_system(A, b)
    A_i, b_i = keep_rows
    bld = DerivationBuilder(title or f"no non-negative weights on {list(support)} meet the "
                            "moment conditions", meta={"support": [list(k) for k in support]})
    bld.define(sp.Eq(sp.Symbol("A") * sp.Symbol("w"), sp.Symbol("b"), evaluate=False),
               f"moment equations, rows {alphas} (A_alpha,k = k^alpha); b = "
               f"{sp.sstr(list(b))}; sought: w >= 0")
    bld.define("Farkas' lemma: if y^T A >= 0 and y^T b < 0 then A w = b has no solution w >= 0 "
               "(y^T A w >= 0 > y^T b)", "theorem (Farkas 1902)")
    if var is None:
        y = find_certificate(A_i, b_i)
        if y is None:
            raise AnalysisError(f"no Farkas certificate found for support {list(support)}: the "
                                "moment system may have non-negative solutions there")
        pieces = [(None, None, y)]
    else:
        lo, hi = interval if interval is not None else (-sp.oo, sp.oo)
        pcs = certificate_pieces(A_i, b_i, var, lo, hi)
        if pcs is None:
            raise AnalysisError(f"no Farkas certificate found on {var} in ({lo}, {hi}): the "
                                "moment system may have non-negative solutions there; try a "
                                "smaller interval")
        pieces = pcs
    used = []
    rows_alpha = _rows_alpha(A, A_i, alphas)
    k_sym = sp.Symbol("k")
    for lo_, hi_, y in pieces:
        poly = sp.Add(*[yi * _mono_expr(a, k_sym) for yi, a in zip(y, rows_alpha, strict=True)])
        where = "" if lo_ is None else (f" at {var} = {lo_}" if lo_ == hi_ else
                                        f" for {var} in ({lo_}, {hi_})")
        args: tuple[Any, ...] = (sp.ImmutableMatrix(A_i), sp.ImmutableMatrix(
            b_i.subs(var, lo_) if lo_ is not None and lo_ == hi_ else b_i), sp.ImmutableMatrix(y))
        if lo_ is not None and lo_ != hi_:
            args = (*args, var, lo_, hi_)
        used.append(bld.step(
            sp.Eq(sp.Symbol("y"), sp.ImmutableMatrix(y), evaluate=False),
            f"certificate{where}: y^T A >= 0 and y^T b < 0 (p(k) = {sp.sstr(sp.factor(poly))} "
            "is >= 0 on the support, its expectation under the target moments is < 0)",
            Check("farkas_infeasible", args), uses=[0, 1]))
    span = "" if var is None else f" for every {var} in ({pieces[0][0]}, {pieces[-1][1]})"
    bld.step(f"no non-negative weights on {list(support)} meet these moment conditions{span}",
             (theorem + ": " if theorem else "") + "Farkas' lemma with the certificates above",
             Check("follows"), uses=used)
    return bld.finish_concluded(sp.false)


def _rows_alpha(A: sp.Matrix, A_i: sp.Matrix, alphas: list[MultiIndex]) -> list[MultiIndex]:
    out = []
    j = 0
    for i in range(A.rows):
        if j < A_i.rows and A.row(i) == A_i.row(j):
            out.append(alphas[i])
            j += 1
    return out


def _mono_expr(alpha: MultiIndex, k: sp.Symbol) -> sp.Expr:
    if len(alpha) == 1:
        return k ** alpha[0]
    ks = sp.symbols(f"k1:{len(alpha) + 1}")
    return sp.Mul(*[ki ** ai for ki, ai in zip(ks, alpha, strict=True)])


def nonneg_point(A: Any, b: Any) -> sp.Matrix | None:
    """An exact w >= 0 with A w = b (numeric A, b), found by LP and made exact on its basis."""
    A, b = independent_system(sp.Matrix(A), sp.Matrix(b))
    Af = _float_matrix(A)
    res = linprog(c=np.zeros(A.cols), A_eq=Af, b_eq=[float(e) for e in b],
                  bounds=[(0, None)] * A.cols, method="highs-ds")
    if res.status != 0:
        return None
    x = res.x
    basis = [k for k in range(A.cols) if x[k] > 1e-12]
    # extend the support columns to an independent set and solve exactly on it
    cols: list[int] = []
    for k in basis + [k for k in range(A.cols) if k not in basis]:
        if sp.Matrix.hstack(*[A.col(c) for c in [*cols, k]]).rank() > len(cols):
            cols.append(k)
        if len(cols) == A.rows:
            break
    B = sp.Matrix.hstack(*[A.col(c) for c in cols])
    try:
        xb = B.LUsolve(b)
    except ValueError:
        return None
    w = sp.zeros(A.cols, 1)
    for c, v in zip(cols, xb, strict=True):
        w[c] = v
    if all(sign_status(e, ">=") == "proved" for e in w) and (A * w - b).is_zero_matrix:
        return w
    return None
