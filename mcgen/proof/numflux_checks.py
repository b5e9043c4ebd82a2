"""Exact decisions about a numerical flux F(u_L, u_R) on a data range [lo, hi].

All go through :mod:`mcgen.proof.piecewise_max` (exact essential suprema of piecewise-quadratic
expressions on linear pieces), so they apply to quadratic fluxes with rational coefficients and
any of the catalogue fluxes built from Max/Min/Abs; outside that class they answer ``unknown``.

- monotonicity (update non-decreasing in each neighbour): ess inf dF/du_L >= 0,
  ess sup dF/du_R <= 0 and S = ess sup over [lo, hi]^3 of dF/du_L(b, c) - dF/du_R(a, b), so that
  dH/du_j = 1 - lam (dF/du_L(u_j, u_j+1) - dF/du_R(u_j-1, u_j)) >= 0 iff lam S <= 1;
- Harten's incremental coefficients C = (f(u_L) - F)/(u_R - u_L), D = (f(u_R) - F)/(u_R - u_L):
  C, D >= 0 and T = ess sup (C + D), TVD iff lam T <= 1 (sufficient);
- the E-flux property (Osher): sign(u_R - u_L) (F(u_L, u_R) - f(v)) <= 0 for v between them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, cast

import sympy as sp

from mcgen.proof.check import register_check
from mcgen.proof.piecewise_max import (
    NotPiecewiseQuadratic,
    Piece,
    _constraint_rows,
    _frac,
    _Quadratic,
    _rat,
    box_constraints,
    embed_rows,
    linear_pieces,
    max_on_polytope,
    max_rows,
)

_A, _B, _C, _V = sp.symbols("a_ b_ c_ v_", real=True)

_RowMax = tuple[Fraction, list[Fraction]]  # what max_rows returns for a piece with interior

# results of the (deterministic) exact computations, keyed by the srepr of their inputs, so a
# derivation's checks do not redo what the analysis that wrote them just computed
_MEMO: dict[tuple[str, str], Any] = {}


def _memo(name: str, fn: Any, *args: Any, **kw: Any) -> Any:
    key = (name, sp.srepr(tuple(sp.sympify(a) for a in args)) + repr(sorted(kw.items())))
    if key not in _MEMO:
        _MEMO[key] = fn(*args, **kw)
    return _MEMO[key]


def _pieces(F: sp.Expr, uL: sp.Symbol, uR: sp.Symbol, lo: Any, hi: Any) -> list[Piece]:
    pcs = linear_pieces(F, (uL, uR), box_constraints((uL, uR), lo, hi))
    # keep the full-dimensional ones only (a.e. derivatives)
    return [(e, c) for e, c in pcs if max_on_polytope(sp.S.Zero, c, (uL, uR)) is not None]


def _sup(pairs: list[tuple[sp.Expr, list[sp.Expr]]], vars_: tuple[sp.Symbol, ...]
         ) -> sp.Rational | None:
    best = None
    for e, c in pairs:
        r = max_on_polytope(e, c, vars_)
        if r is not None and (best is None or r[0] > best):
            best = r[0]
    return None if best is None else _rat(best)


def monotone_data(F: sp.Expr, uL: sp.Symbol, uR: sp.Symbol, lo: Any, hi: Any
                  ) -> tuple[sp.Rational, sp.Rational, sp.Rational]:
    """(ess inf dF/du_L, ess sup dF/du_R, S) exactly (memoised); raises NotPiecewiseQuadratic."""
    return _memo("mono", _monotone_data, F, uL, uR, lo, hi)


def _monotone_data(F: sp.Expr, uL: sp.Symbol, uR: sp.Symbol, lo: Any, hi: Any
                  ) -> tuple[sp.Rational, sp.Rational, sp.Rational]:
    """(ess inf dF/du_L, ess sup dF/du_R, S) exactly; raises NotPiecewiseQuadratic."""
    pcs = _pieces(F, uL, uR, lo, hi)
    v2 = (uL, uR)
    num = []
    for e, c in pcs:
        q = _Quadratic(e, v2)
        A, b = _constraint_rows(c, v2)
        num.append((q.partial(0), q.partial(1), A, b))
    # cast: a piece without interior makes max_rows None and the indexing below raise, as before
    inf_l = min(cast(_RowMax, max_rows(-dl, A, b))[0] * -1 for dl, _, A, b in num)
    sup_r = max(cast(_RowMax, max_rows(dr, A, b))[0] for _, dr, A, b in num)
    # S: a, b, c = variables 0, 1, 2; right interface (b, c) = (1, 2), left (a, b) = (0, 1)
    best: Fraction | None = None
    box_A = [[Fraction(int(i == j) * sgn) for j in range(3)] for i in range(3) for sgn in (1, -1)]
    box_b = [v for _ in range(3) for v in (_frac(hi), -_frac(lo))]
    for dl, _, A1, b1 in num:
        q1 = dl.embed([1, 2], 3)
        R1 = embed_rows(A1, [1, 2], 3)
        for _, dr, A2, b2 in num:
            q = q1 - dr.embed([0, 1], 3)
            r = max_rows(q, R1 + embed_rows(A2, [0, 1], 3) + box_A, b1 + b2 + box_b)
            if r is not None and (best is None or r[0] > best):
                best = r[0]
    return _rat(inf_l), _rat(sup_r), _rat(cast(Fraction, best))


def harten_data(F: sp.Expr, f: sp.Expr, u: sp.Symbol, uL: sp.Symbol, uR: sp.Symbol, lo: Any,
                hi: Any, fallback_T: Any = None) -> tuple[bool, bool, sp.Rational | None]:
    """(C >= 0 a.e., D >= 0 a.e., T = ess sup (C + D) or None when undecided), memoised."""
    return _memo("harten", _harten_data, F, f, u, uL, uR, lo, hi,
                 fallback_T=None if fallback_T is None else sp.nsimplify(fallback_T))


def _harten_data(F: sp.Expr, f: sp.Expr, u: sp.Symbol, uL: sp.Symbol, uR: sp.Symbol, lo: Any,
                hi: Any, fallback_T: Any = None) -> tuple[bool, bool, sp.Rational | None]:
    """(C >= 0 a.e., D >= 0 a.e., T = ess sup (C + D) or None when it cannot be decided)."""
    pcs = _pieces(F, uL, uR, lo, hi)
    fL, fR = f.subs(u, uL), f.subs(u, uR)
    delta = uR - uL
    c_ok = d_ok = True
    poly_pairs, rat_pieces = [], []
    for e, c in pcs:
        for s in (1, -1):
            half = [*c, s * delta]
            if max_on_polytope(sp.S.Zero, half, (uL, uR)) is None:
                continue
            for num, flag in ((fL - e, "C"), (fR - e, "D")):
                r = max_on_polytope(-s * sp.expand(num), half, (uL, uR))
                if r is not None and r[0] > 0:
                    if flag == "C":
                        c_ok = False
                    else:
                        d_ok = False
            N = sp.expand(fL + fR - 2 * e)
            q, rem = sp.div(sp.Poly(N, uL, uR), sp.Poly(delta, uL, uR))
            if rem.is_zero:
                poly_pairs.append((q.as_expr(), half))
            else:
                rat_pieces.append((N, half, s))
    T = _sup(poly_pairs, (uL, uR)) if poly_pairs else None
    for cand in ([T] if T is not None else []) + ([fallback_T] if fallback_T is not None else []):
        cand = sp.nsimplify(cand)
        ok = True
        for N, half, s in rat_pieces:
            r = max_on_polytope(s * sp.expand(N - cand * delta), half, (uL, uR))
            if r is not None and r[0] > 0:
                ok = False
                break
        if ok:
            return c_ok, d_ok, (cand if T is None else max(T, cand) if cand != T else T)
    return c_ok, d_ok, None if rat_pieces else T


def e_flux_violation(F: sp.Expr, f: sp.Expr, u: sp.Symbol, uL: sp.Symbol, uR: sp.Symbol,
                     lo: Any, hi: Any) -> sp.Rational:
    """ess sup of sign(u_R - u_L)(F - f(v)) for v between u_L and u_R (memoised)."""
    return _memo("eflux", _e_flux_violation, F, f, u, uL, uR, lo, hi)


def _e_flux_violation(F: sp.Expr, f: sp.Expr, u: sp.Symbol, uL: sp.Symbol, uR: sp.Symbol,
                     lo: Any, hi: Any) -> sp.Rational:
    """ess sup of sign(u_R - u_L)(F - f(v)) over v between u_L and u_R (<= 0 iff E-flux)."""
    pcs = _pieces(F, uL, uR, lo, hi)
    vars3 = (uL, uR, _V)
    fv = f.subs(u, _V)
    pairs = []
    for e, c in pcs:
        pairs.append((e - fv, [*c, _V - uL, uR - _V]))
        pairs.append((fv - e, [*c, uL - _V, _V - uR]))
    # pieces where v is pinned (u_L = u_R) have no interior in 3-D and are dropped: there the
    # claim is F(u, u) = f(u), consistency
    return _sup(pairs, vars3)


@register_check("numflux_partials_signed",
                "the numerical flux is non-decreasing in u_L and non-increasing in u_R almost "
                "everywhere on [lo, hi]^2 (exact)")
def _partials(F: sp.Expr, uL: sp.Symbol, uR: sp.Symbol, lo: Any, hi: Any) -> str:
    try:
        il, sr, _ = monotone_data(F, uL, uR, lo, hi)
    except NotPiecewiseQuadratic:
        return "unknown"
    return "proved" if il >= 0 and sr <= 0 else "refuted"


@register_check("numflux_diagonal_sup",
                "S = ess sup over [lo, hi]^3 of dF/du_L(b, c) - dF/du_R(a, b) (exact)")
def _diag(F: sp.Expr, uL: sp.Symbol, uR: sp.Symbol, lo: Any, hi: Any, S: Any) -> str:
    try:
        _, _, s = monotone_data(F, uL, uR, lo, hi)
    except NotPiecewiseQuadratic:
        return "unknown"
    return "proved" if s == sp.nsimplify(S) else "refuted"


@register_check("harten_coefficients",
                "Harten's C, D >= 0 a.e. and ess sup (C + D) <= T on [lo, hi]^2 (exact)")
def _harten(F: sp.Expr, f: sp.Expr, u: sp.Symbol, uL: sp.Symbol, uR: sp.Symbol, lo: Any,
            hi: Any, T: Any) -> str:
    try:
        c_ok, d_ok, t = harten_data(F, f, u, uL, uR, lo, hi, fallback_T=T)
    except NotPiecewiseQuadratic:
        return "unknown"
    if t is None:
        return "unknown"
    return "proved" if c_ok and d_ok and t <= sp.nsimplify(T) else "refuted"


@register_check("e_flux",
                "E-flux (Osher): sign(u_R - u_L)(F(u_L, u_R) - f(v)) <= 0 for every v between "
                "u_L and u_R in [lo, hi] (exact)")
def _e_flux(F: sp.Expr, f: sp.Expr, u: sp.Symbol, uL: sp.Symbol, uR: sp.Symbol, lo: Any,
            hi: Any) -> str:
    try:
        v = e_flux_violation(F, f, u, uL, uR, lo, hi)
    except NotPiecewiseQuadratic:
        return "unknown"
    return "proved" if v is None or v <= 0 else "refuted"
