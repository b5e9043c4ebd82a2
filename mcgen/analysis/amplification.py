"""The symbol of a linear constant-coefficient scheme: its time levels, the amplification factor
G(theta), |G|^2 as a polynomial in c = cos(theta), and numeric growth of modes."""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import sympy as sp

from mcgen.errors import AnalysisError
from mcgen.model.read import reads_of
from mcgen.model.scheme import Scheme

THETA = sp.Symbol("theta", real=True)

THETAS = (sp.Symbol("theta_x", real=True), sp.Symbol("theta_y", real=True),
          sp.Symbol("theta_z", real=True))

C = sp.Symbol("c", real=True)       # cos(theta)

Z = sp.Symbol("z")                   # e^{i theta}, |z| = 1

Z2 = (sp.Symbol("z_x"), sp.Symbol("z_y"))


def scheme_levels(scheme: Scheme) -> dict[int, dict[tuple[int, ...], sp.Expr]]:
    """{level: {offset: coefficient}} with the update written as
    sum_{level 1} a_k u^{n+1} = sum_{level <= 0} b_k u (explicit: a_0 = 1)."""
    if len(scheme.fields) != 1:
        raise AnalysisError("scalar schemes only here; systems go through von_neumann_system")
    f = scheme.fields[0]
    e = scheme.update[f]
    if isinstance(e, sp.Equality):
        expr = sp.expand(e.lhs - e.rhs)
        sign = -1
    else:
        expr = sp.expand(e)
        sign = 1
    out: dict[int, dict[tuple[int, ...], sp.Expr]] = {}
    rds = sorted(reads_of(expr), key=lambda r: r.name)
    if not rds:
        if expr != 0 or isinstance(e, sp.Equality):
            raise AnalysisError(f"scheme {scheme.name!r}: the update {e} reads no field values")
        return {0: {}, 1: {(0,) * scheme.dim: sp.Integer(1)}}  # u^{n+1} = 0: G = 0
    poly = sp.Poly(expr, *rds)
    if poly.total_degree() > 1 or poly.coeff_monomial(1) != 0:
        raise AnalysisError(f"scheme {scheme.name!r} is not linear and homogeneous in its reads: "
                            "von Neumann analysis needs a linear constant-coefficient update")
    for rd in rds:
        w = poly.coeff_monomial(rd)
        if w.free_symbols & set(scheme.coords):
            raise AnalysisError(f"scheme {scheme.name!r} has variable coefficients: von Neumann "
                                "analysis is for constant coefficients (freeze them first)")
        lev = rd.level
        coef = sign * w if lev <= 0 else w
        out.setdefault(lev, {})[rd.offset] = sp.expand(coef)
    if not isinstance(e, sp.Equality):
        out[1] = {(0,) * scheme.dim: sp.Integer(1)}
    return out


def laurent(weights: dict[tuple[int, ...], sp.Expr], zs: tuple[sp.Symbol, ...]) -> sp.Expr:
    return sum(w * sp.Mul(*[z**k for z, k in zip(zs, off, strict=False)])
               for off, w in weights.items())


def abs2_in_c(weights: dict[int, sp.Expr], c: sp.Symbol = C) -> sp.Expr:
    """|sum_k w_k e^{i k theta}|^2 as a polynomial in c = cos(theta) (real weights)."""
    out = sp.Integer(0)
    for k, wk in weights.items():
        for m, wm in weights.items():
            out += wk * wm * sp.chebyshevt(abs(k - m), c)
    return sp.expand(out)


def amplification_factor(scheme: Scheme) -> sp.Expr:
    """G(theta) (1-D) or G(theta_x, theta_y, ...) for a two-level scalar scheme."""
    lv = scheme_levels(scheme)
    if set(lv) - {0, 1}:
        raise AnalysisError(f"{scheme.name!r} has {len(lv)} time levels: its amplification "
                            "factors are the roots of the characteristic polynomial "
                            "(von_neumann() computes them)")
    th = (THETA,) if scheme.dim == 1 else THETAS[:scheme.dim]
    ex = tuple(sp.exp(sp.I * t) for t in th)
    return laurent(lv.get(0, {}), ex) / laurent(lv[1], ex)


def split_powers(P: sp.Expr, c: sp.Symbol) -> tuple[int, sp.Expr]:
    """P = (1 - c)^m Q with m maximal (as polynomials in c over the parameters)."""
    m, Q = 0, sp.expand(P)
    if Q == 0:
        return 0, Q
    while sp.expand(Q.subs(c, 1)) == 0:  # (1 - c) divides Q iff Q(1) = 0
        m, Q = m + 1, sp.expand(sp.quo(Q, 1 - c, c))
    return m, Q


def one_d_weights(lv: dict[int, dict[tuple[int, ...], sp.Expr]]
                   ) -> tuple[dict[int, sp.Expr], dict[int, sp.Expr]]:
    a = {k[0]: w for k, w in lv.get(1, {}).items()}
    b = {k[0]: w for k, w in lv.get(0, {}).items()}
    return a, b


def _value_subs(scheme: Scheme, values: dict, exact: bool = False) -> dict[sp.Symbol, Any]:
    """Values by name for the parameters and for dt and the spacings (weights may be written
    in them: ``dt/dx``)."""
    syms = dict.fromkeys((*scheme.params, scheme.dt, *scheme.spacing))
    return {s: (sp.nsimplify(values[s.name], rational=True) if exact else values[s.name])
            for s in syms if s.name in values}


def _numeric_levels(scheme: Scheme, values: dict) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    lv = scheme_levels(scheme)
    subs = _value_subs(scheme, values)
    return {lev: (np.array(list(ws.keys()), dtype=float).reshape(len(ws), -1),
                  np.array([complex(sp.N(w.subs(subs))) for w in ws.values()]))
            for lev, ws in lv.items()}


def _growth_on(nl: dict, thetas: np.ndarray) -> np.ndarray:
    """max |g| at each mode (rows of ``thetas``), from numeric level weights."""
    def sym(level: int) -> np.ndarray:
        offs, ws = nl.get(level, (np.zeros((1, thetas.shape[1])), np.zeros(1, complex)))
        return np.exp(1j * thetas @ offs.T) @ ws

    if min(nl) < 0:
        b, a = sym(0), sym(-1)
        disc = np.sqrt(b * b + 4 * a + 0j)
        return np.maximum(np.abs((b + disc) / 2), np.abs((b - disc) / 2))
    return np.abs(sym(0) / sym(1))


def growth_factor(scheme: Scheme, theta: float | tuple[float, ...], **values: float) -> float:
    """max |g| over the amplification factors at a mode theta (numeric)."""
    th = np.atleast_1d(np.asarray(theta, dtype=float)).reshape(1, -1)
    return float(_growth_on(_numeric_levels(scheme, values), th)[0])


def unstable_mode(scheme: Scheme, **values: float) -> tuple[Any, float]:
    """The mode theta* that grows most at the given parameter values and |G(theta*)|.

    1-D two-level explicit: from the analysis' polynomial |G|^2 in c = cos(theta), maximised
    over c in [-1, 1] at its critical points and ends; otherwise on a grid of modes.
    """
    lv = scheme_levels(scheme)
    if scheme.dim == 1 and set(lv) <= {0, 1} and scheme.is_explicit:
        _, bw = one_d_weights(lv)
        subs = _value_subs(scheme, values, exact=True)
        g2 = sp.Poly(sp.expand(abs2_in_c({k: w.subs(subs) for k, w in bw.items()})), C)
        cands = [-1.0, 1.0]
        if g2.degree() > 1:
            cands += [float(sp.re(x)) for x in sp.Poly(g2.diff(C), C).nroots()
                      if abs(sp.im(x)) < 1e-12 and -1 <= sp.re(x) <= 1]
        best = max(cands, key=lambda c0: float(g2.eval(c0)))
        theta = math.acos(max(-1.0, min(1.0, best)))
        return theta, math.sqrt(max(float(g2.eval(best)), 0.0))
    return most_unstable_mode(scheme, **cast(dict[str, Any], values))


def most_unstable_mode(scheme: Scheme, n: int = 181, **values: float
                       ) -> tuple[tuple[float, ...] | float, float]:
    """(theta*, max |g|) maximising the growth on a grid of modes (numeric)."""
    nl = _numeric_levels(scheme, values)
    t = np.linspace(-math.pi, math.pi, n)
    grids = np.meshgrid(*([t] * scheme.dim), indexing="ij")
    thetas = np.stack([g.ravel() for g in grids], axis=1)
    gs = _growth_on(nl, thetas)
    i = int(np.argmax(gs))
    best = tuple(float(x) for x in thetas[i])
    return (best[0] if scheme.dim == 1 else best), float(gs[i])

