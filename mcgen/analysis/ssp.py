"""The exact SSP coefficient of an explicit Runge-Kutta method (its radius of absolute
monotonicity).

Kraaijevanger (1991) and Ferracina-Spijker (2004): with ``K = [[A, 0], [b^T, 0]]`` (the Butcher
coefficients with the step as a last stage), the method is strong-stability preserving under
``dt <= r dt_FE`` iff it is absolutely monotonic at ``r``:

    K (I + r K)^{-1} >= 0   and   (I + r K)^{-1} e >= 0        (componentwise, e = ones),

and the set of such r >= 0 is an interval [0, C] (Kraaijevanger's lemma); C is the SSP
coefficient. For an explicit method K is nilpotent, so ``(I + r K)^{-1} = sum_k (-r K)^k`` is a
polynomial matrix and every condition is a polynomial inequality in r with the tableau's exact
coefficients. NodePy finds C by floating-point bisection; here the set where all polynomials are
non-negative is computed by exact real-root isolation, so C is a rational or a real algebraic
number (``CRootOf``).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError
from mcgen.model.runge_kutta import ButcherTableau, as_tableau
from mcgen.proof import Check, Derivation, DerivationBuilder, register_check
from mcgen.proof.farkas_check import solve_nonneg_conjunction

__all__ = ["ssp_coefficient", "ssp_derivation", "absolute_monotonicity_polynomials"]

R_SYM = sp.Symbol("r", nonnegative=True)


def _k_matrix(t: ButcherTableau) -> sp.Matrix:
    s = t.stages
    K = sp.zeros(s + 1, s + 1)
    K[:s, :s] = t.A
    K[s, :s] = t.b.T
    return K


def _neumann_inverse(K: sp.Matrix, r: sp.Symbol) -> sp.Matrix:
    """(I + r K)^{-1} for nilpotent K: the finite series sum_k (-r K)^k."""
    n = K.shape[0]
    out, term = sp.eye(n), sp.eye(n)
    for _ in range(n):
        term = (-r * term * K).applyfunc(sp.expand)
        if term.is_zero_matrix:
            break
        out += term
    return out


def absolute_monotonicity_polynomials(tableau: Any, r: sp.Symbol = R_SYM
                                      ) -> tuple[sp.Matrix, sp.Matrix, list[sp.Expr]]:
    """``(K, (I + r K)^{-1}, polys)``: the distinct non-constant-zero polynomials in r whose
    joint non-negativity is absolute monotonicity at r."""
    t = as_tableau(tableau)
    K = _k_matrix(t)
    P = _neumann_inverse(K, r)
    KP = (K * P).applyfunc(sp.expand)
    e = sp.ones(K.shape[0], 1)
    Pe = (P * e).applyfunc(sp.expand)
    polys: list[sp.Expr] = []
    for p in [*KP, *Pe]:
        if p != 0 and p not in polys:
            polys.append(p)
    return K, P, polys


def _component_from_zero(region: sp.Set) -> sp.Expr:
    parts = region.args if isinstance(region, sp.Union) else (region,)
    for part in parts:
        if isinstance(part, sp.Interval) and part.start == 0:
            return part.end
        if isinstance(part, sp.FiniteSet) and 0 in part:
            return sp.Integer(0)
    return sp.Integer(0)  # not absolutely monotonic even at r = 0: a negative coefficient


_MEMO: dict[str, Derivation] = {}


def ssp_derivation(tableau: Any) -> Derivation:
    """The SSP coefficient C of an explicit Runge-Kutta method with its proof (result: C).

    Memoised on the tableau's exact entries (a check re-running it in the same process
    reuses the exact computation, as :mod:`mcgen.proof.numflux_checks` does)."""
    t = as_tableau(tableau)
    key = sp.srepr((t.A, t.b))
    if key not in _MEMO:
        _MEMO[key] = _ssp_derivation(t)
    return _MEMO[key]


def _ssp_derivation(t: ButcherTableau) -> Derivation:
    r = R_SYM
    K, P, polys = absolute_monotonicity_polynomials(t, r)
    b = DerivationBuilder(f"SSP coefficient of {t.name}", meta={"tableau": t.name})
    i0 = b.define(sp.Eq(sp.Symbol("K"), sp.ImmutableMatrix(K), evaluate=False),
                  "K = [[A, 0], [b^T, 0]] (the step appended as a last stage)")
    i1 = b.identity(sp.ImmutableMatrix((sp.eye(K.shape[0]) + r * K) * P),
                    sp.ImmutableMatrix(sp.eye(K.shape[0])),
                    "(I + r K)^{-1} = sum_k (-r K)^k since K is strictly lower triangular "
                    "(nilpotent)", [i0],
                    claim=sp.Eq(sp.Symbol("(I + r K)^{-1}"), sp.ImmutableMatrix(P),
                                evaluate=False))
    i2 = b.define("absolute monotonicity at r >= 0 (Kraaijevanger 1991, Ferracina-Spijker "
                  "2004): K (I + r K)^{-1} >= 0 and (I + r K)^{-1} e >= 0 componentwise; the "
                  "set of such r is an interval [0, C], C the SSP coefficient",
                  "theorem (radius of absolute monotonicity)")
    region = solve_nonneg_conjunction(polys, r, 0, sp.oo)
    if region is None:
        raise AnalysisError(f"{t.name}: the tableau's entries are not rational or algebraic "
                            "numbers the exact root isolation can handle; give exact entries")
    region = sp.simplify(region) if not isinstance(region, sp.Set) else region
    i3 = b.step(sp.Eq(sp.Symbol("{r >= 0 : all >= 0}"), region, evaluate=False),
                f"exact real-root isolation of the {len(polys)} distinct polynomial entries",
                Check("nonneg_solution_set", (tuple(polys), r, 0, sp.oo, region)), [i1, i2])
    C = _component_from_zero(region)
    if C.is_number and C.free_symbols == set() and C != sp.oo:
        C = _plain(C)
    b.step(sp.Eq(sp.Symbol("C"), C, evaluate=False),
           "the connected part of the region that contains r = 0 is [0, C]", Check("follows"),
           [i3])
    return b.finish(C)


def _plain(C: sp.Expr) -> sp.Expr:
    """A CRootOf of degree <= 2 as radicals (same number); rationals stay rationals."""
    if isinstance(C, sp.CRootOf) and C.poly.degree() <= 2:
        for root in sp.roots(C.poly.as_expr(), C.poly.gens[0]):
            if sp.Abs(sp.N(root - C, 50)) < sp.Float(10) ** -40:
                return sp.nsimplify(root)
    return C


def ssp_coefficient(tableau: Any) -> sp.Expr:
    """The exact SSP coefficient (radius of absolute monotonicity) of an explicit Runge-Kutta
    method: ``1`` for forward Euler, SSPRK(2,2) and SSPRK(3,3), ``6`` for SSPRK(10,4), ``0`` for
    the classical RK4.

    >>> ssp_coefficient("ssprk104")
    6
    """
    return ssp_derivation(tableau).result


@register_check("ssp_coefficient",
                "the SSP coefficient of the explicit tableau (A, b) equals the claimed number "
                "(exact root isolation)")
def _ssp_check(A: Any, b: Any, C: Any) -> str:
    try:
        got = ssp_coefficient(ButcherTableau(A, b))
    except (AnalysisError, ValueError):
        return "unknown"
    d = sp.simplify(got - C)
    return "proved" if d == 0 else ("refuted" if d.is_number else "unknown")
