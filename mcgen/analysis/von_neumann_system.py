"""von Neumann analysis of linear 1-D systems: the amplification matrix.

Spectral radius <= 1 is necessary, and sufficient when the matrix is normal for every theta
(checked), which is said. Eigenvalues that are Laurent polynomials in e^{i theta} are decided
exactly by the 1-D machinery; eigenvalues with radicals are reported as such (status unknown).
"""

from __future__ import annotations

import sympy as sp

from mcgen.analysis.amplification import THETA, C, Z, split_powers
from mcgen.analysis.region_presentation import (
    drop_redundant,
    present_polynomial_region,
    region_name,
    set_relation,
)
from mcgen.analysis.von_neumann_1d import analyse_Q
from mcgen.errors import AnalysisError
from mcgen.model.scheme import Scheme
from mcgen.proof.check import Check
from mcgen.proof.condition import Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder


def laurent_to_c(expr: sp.Expr, z: sp.Symbol = Z, c: sp.Symbol = C) -> sp.Expr | None:
    """A Laurent polynomial in z symmetric under z -> 1/z as a polynomial in c = (z + 1/z)/2
    (z^k + z^-k = 2 T_k(c)); None when it is not symmetric or not a Laurent polynomial (an
    eigenvalue with radicals)."""
    num, den = sp.fraction(sp.together(sp.expand(expr)))
    try:
        pn, pd = sp.Poly(num, z), sp.Poly(den, z)
    except sp.PolynomialError:
        return None
    if len(pd.terms()) != 1 or pn.free_symbols_in_domain & {z} or \
            any(a.has(z) for a in (*pn.coeffs(), *pd.coeffs())):
        return None
    ((shift,), dc) = pd.terms()[0]
    terms: dict[int, sp.Expr] = {}
    for (k,), a in pn.terms():
        terms[k - shift] = terms.get(k - shift, 0) + sp.expand(a / dc)
    out = sp.Integer(0)
    for k, a in terms.items():
        if k < 0:
            continue
        if sp.expand(a - terms.get(-k, 0)) != 0:
            return None
        out += a * (2 * sp.chebyshevt(k, c) if k > 0 else 1)
    return sp.expand(out)


def von_neumann_system(scheme: Scheme) -> Derivation:
    """Amplification matrix of a linear two-level explicit 1-D system.

    Spectral radius <= 1 for every theta is necessary; it is also sufficient when G(theta) is
    normal for every theta (then ||G^n|| = rho(G)^n), which is checked and said. Eigenvalues
    that are Laurent polynomials in e^{i theta} are analysed exactly by the 1-D machinery.
    """
    if scheme.dim != 1 or not scheme.is_two_level:
        raise AnalysisError("systems: 1-D two-level explicit linear updates only")
    full = scheme.linear_weights_full()
    if full is None:
        raise AnalysisError(f"system {scheme.name!r} is not linear")
    fields = scheme.fields
    n = len(fields)
    Gz = sp.zeros(n, n)
    for (fo, fi, off, _lev), w in full.items():
        Gz[fields.index(fo), fields.index(fi)] += w * Z**off[0]
    bld = DerivationBuilder(f"von Neumann analysis of the system {scheme.name or ''}",
                            meta={"scheme_hash": scheme.hash})
    Gt = Gz.subs(Z, sp.exp(sp.I * THETA))
    i_g = bld.step(sp.ImmutableMatrix(Gt), "amplification matrix: u_j^n = G^n e^{i j theta} v",
                   Check("definition"))
    Gh = Gz.subs(Z, 1 / Z).T  # real weights: conj(e^{i k theta}) = e^{-i k theta}
    comm = (Gz * Gh - Gh * Gz).applyfunc(sp.cancel)
    normal = all(e == 0 for e in comm)
    i_n = bld.step("G(theta) is normal for every theta: rho(G) <= 1 is necessary and sufficient"
                   if normal else "G(theta) is not normal: rho(G) <= 1 is only necessary",
                   "normal matrices have ||G^n|| = rho(G)^n",
                   Check("identity", (sp.ImmutableMatrix(comm), sp.zeros(n, n))) if normal
                   else Check("follows"), uses=[i_g])
    eigs = list(sp.Matrix(Gz).eigenvals())
    params = tuple(p for p in scheme.params if any(e.has(p) for e in Gz))
    parts, exact = [], normal
    for lam in eigs:
        lam_c = sp.expand(lam.subs(sp.I, -sp.I).subs(Z, 1 / Z))
        P = laurent_to_c(sp.expand(1 - lam * lam_c))
        if P is None or P.has(Z):
            exact = False
            bld.step(f"eigenvalue {lam}: not a Laurent polynomial in e^(i theta); left to "
                     "sampling", "eigenvalue with radicals", Check("follows"), uses=[i_g])
            continue
        m, Q = split_powers(P, C)
        res = analyse_Q(Q, tuple(p for p in params if Q.has(p)))
        if res["method"] == "ends":
            e, _ = present_polynomial_region(res["ends"], res["params"])
        elif res["method"] == "cells":
            e = set_relation(res["set"], res["params"][0])
        elif res["method"] == "constant":
            e = res["expr"]
        else:
            e, exact = res["raw"], False
        exact = exact and res["exact"]
        parts.append(e)
        bld.step(e, f"eigenvalue lambda = {sp.factor(lam)}: 1 - |lambda|^2 = (1 - c)^{m} "
                 f"({sp.factor(Q)}) >= 0 on [-1, 1]", Check("follows"), uses=[i_g])
    raw = sp.And(*parts)
    kept = drop_redundant(list(raw.args) if isinstance(raw, sp.And) else [raw], params) \
        if params else [raw]
    expr = sp.And(*kept)
    status = "proved" if exact else "unknown"
    bld.step(expr, "spectral radius condition" + ("" if normal else " (necessary only)"),
             Check("region_equivalent", (raw, expr, params)) if params else Check("follows"),
             uses=[i_n])
    cond = Condition(expr, params, "l2", status, sufficient=expr if normal else None,
                     necessary=expr, name=f"von Neumann {region_name(scheme)}",
                     description=sp.sstr(expr) + ("" if normal else
                                                  " (necessary: G is not normal)"),
                     definitions=dict(scheme.definitions))
    return bld.finish_concluded(cond)

