"""Hyperbolic systems U_t + F(U)_x = 0: characteristic speeds, hyperbolicity, local CFL.

The speeds are the eigenvalues of the flux Jacobian A = dF/dU (linear systems: A constant;
shallow water; 1-D Euler). Hyperbolic: real eigenvalues and a complete set of eigenvectors;
strictly hyperbolic: distinct real eigenvalues. The CFL condition is stated in the local state:
lambda * max_i |lambda_i(U)| <= 1 with lambda = dt/dx.

Eigenvalues are similarity invariants, so they may be presented in other variables: ``state``
maps the conserved symbols to expressions of primitive ones (``{m: rho*v, E: p/(gamma-1) +
rho*v**2/2}``), and the signs needed to decide reality and distinctness come from the
assumptions on those symbols.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError
from mcgen.model.law import Law
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder

__all__ = ["flux_jacobian", "characteristic_speeds", "hyperbolicity", "cfl_condition"]


def flux_jacobian(law: Law, axis: int = 0) -> sp.ImmutableMatrix:
    """A = dF/dU along ``axis`` (a 1x1 matrix for a scalar law)."""
    if not isinstance(law, Law) or law.form != "conservation":
        raise AnalysisError("flux_jacobian needs a Law in conservation form")
    J = law.flux_derivative(axis)
    return sp.ImmutableMatrix([[J]]) if law.is_scalar else sp.ImmutableMatrix(J)


def characteristic_speeds(law: Law, state: dict[sp.Symbol, Any] | None = None,
                          axis: int = 0) -> list[sp.Expr]:
    """The eigenvalues of the flux Jacobian, with multiplicity, in the variables of ``state``."""
    return [_tidy(e.subs(state or {})) for e in _eigen(flux_jacobian(law, axis))]


def _eigen(A: sp.ImmutableMatrix) -> list[sp.Expr]:
    out = []
    for e, mult in sp.Matrix(A).eigenvals().items():
        out += [e] * int(mult)
    return out


def _tidy(e: sp.Expr) -> sp.Expr:
    """Cancel the radicands first (substituted states leave them unsimplified), then merge."""
    e = e.replace(lambda x: x.is_Pow and x.exp == sp.Rational(1, 2),
                  lambda x: sp.sqrt(sp.factor(sp.cancel(x.base))))
    e = sp.powsimp(sp.expand(e), force=False)
    e = sp.simplify(e)
    return e


def _diagonalisable(A: sp.Matrix) -> bool | None:
    try:
        return bool(A.is_diagonalizable())
    except (NotImplementedError, ValueError, TypeError):
        return None


def hyperbolicity(law: Law, state: dict[sp.Symbol, Any] | None = None,
                  axis: int = 0) -> Derivation:
    """Eigenvalues of the flux Jacobian and whether the system is (strictly) hyperbolic.

    ``result`` is a dict: ``eigenvalues``, ``hyperbolic`` (``strict``, ``hyperbolic``,
    ``weak`` (real but not diagonalisable), ``no`` or ``unknown``) and ``condition`` (a
    :class:`Condition` of kind ``hyperbolicity`` on the state: the radicands >= 0).
    """
    t0 = time.perf_counter()
    A = flux_jacobian(law, axis)
    b = DerivationBuilder(f"Hyperbolicity of {law.name or 'the system'}",
                          meta={"model_hash": law.hash})
    i0 = b.define(sp.Eq(sp.Symbol("A"), A, evaluate=False), "flux Jacobian dF/dU")
    lamb = sp.Symbol("mu")
    cp = sp.Matrix(A).charpoly(lamb).as_expr()
    raw = _eigen(A)
    speeds = sorted((_tidy(e.subs(state or {})) for e in raw), key=sp.default_sort_key)
    i1 = b.identity(sp.expand(sp.prod([lamb - e for e in raw]) - cp), 0,
                    "the eigenvalues are the roots of det(mu I - A)", [i0])
    if state:
        prim = sorted(map(str, set().union(*[sp.sympify(v).free_symbols
                                              for v in state.values()])))
        b.define(f"presented in the variables {prim} "
                 f"({', '.join(f'{k} = {v}' for k, v in state.items())})",
                 "eigenvalues are similarity invariants")
    b.step(f"characteristic speeds: {speeds}", "eigenvalues of A", Check("follows"), [i1])
    real = [e.is_real for e in speeds]
    radicands = sorted({p.base for e in speeds for p in e.atoms(sp.Pow)
                        if p.exp == sp.Rational(1, 2)}, key=sp.default_sort_key)
    cond_expr = sp.And(*[sp.Ge(r, 0) for r in radicands]) if radicands else sp.true
    n = len(speeds)
    distinct = all(sp.simplify(speeds[i] - speeds[j]).is_zero is False
                   for i in range(n) for j in range(i + 1, n))
    if all(r is True for r in real):
        if distinct:
            kind = "strict"
        else:
            diag = _diagonalisable(sp.Matrix(A))
            kind = "hyperbolic" if diag else ("weak" if diag is False else "unknown")
    elif any(r is False for r in real):
        kind = "no"
    else:
        kind = "unknown"
    words = {"strict": "strictly hyperbolic: real, distinct speeds",
             "hyperbolic": "hyperbolic (real speeds, complete eigenvectors; some coincide)",
             "weak": "only weakly hyperbolic: real speeds but A is not diagonalisable",
             "no": "not hyperbolic: complex speeds", "unknown":
             f"hyperbolic where {cond_expr} (reality not decidable from the assumptions)"}[kind]
    status = "proved" if kind != "unknown" else "unknown"
    cond = Condition(cond_expr if kind != "no" else sp.false,
                     tuple(sorted(cond_expr.free_symbols, key=lambda s: s.name)),
                     "hyperbolicity", status, name="hyperbolicity", description=words)
    b.step(cond, "reality decided from the symbols' assumptions; distinctness from nonzero "
           "differences", Check("follows"), [i1])
    res = {"eigenvalues": tuple(speeds), "hyperbolic": kind, "condition": cond}
    b.conclude(res, reason="the eigenvalues and the verdict derived above",
               uses=range(len(b.steps)))
    d = b.finish(res)
    logging.getLogger(__name__).debug("%s: %.4f s", d.title, time.perf_counter() - t0)
    return d


def cfl_condition(law: Law, state: dict[sp.Symbol, Any] | None = None, lam: sp.Symbol = LAM,
                  axis: int = 0) -> Condition:
    """lambda * max_i |lambda_i(U)| <= 1 in the local state (kind ``cfl``).

    Necessary for every explicit three-point scheme (domain of dependence); for the monotone
    schemes of the catalogue it is the stability bound with the maximum over the data.
    """
    speeds = characteristic_speeds(law, state, axis)
    smax = sp.Max(*[sp.Abs(e) for e in speeds])
    expr = sp.Le(lam * smax, 1)
    vars_ = (lam, *sorted(smax.free_symbols, key=lambda s: s.name))
    return Condition(expr, vars_, "cfl", "proved", name="CFL (local state)",
                     description=f"lambda * max(|{'|, |'.join(map(str, speeds))}|) <= 1; "
                                 "necessary for explicit three-point schemes",
                     definitions={lam: DT / DX})
