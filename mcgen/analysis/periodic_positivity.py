"""Exact positivity of a linear 1-D scheme on N periodic cells (two or three levels, implicit or
explicit): where the circulant solution operator is non-negative, for a given N.

On N cells the solution operator of A u^{n+1} = B_0 u^n (+ B_1 u^{n-1}) is the circulant whose
first row is the periodised lattice kernel, h^N_m = sum_q h_{m+qN}; with the kernel's geometric
tails summed each entry is a polynomial in the decay rate lambda
(:mod:`mcgen.analysis.implicit_kernel`), and the set of the parameter where all N entries of
every block are >= 0 is decided by the same exact cells as on the lattice
(:func:`mcgen.analysis.implicit_positivity.decide`). The wrapped terms are O(|lambda|^N), so the
region tends to the lattice one as N grows: Crank-Nicolson's r_N decreases to 3/2 (r_3 = 2,
r_4 = (1 + sqrt(5))/2, r_8 = 1.5012..., r_16 = 1.50000019...).

For every N (any banded A, any dimension) the N-cell kernel is the folded lattice kernel, so a
scheme positive on the lattice is positive on every ring: the lattice region lies in every
N-cell region, and a point outside it is outside the N-cell region for all large N. Only
R + 4 entries decide on N cells whatever N (:func:`mcgen.analysis.implicit_kernel.middle_range`),
so the decision at one parameter value is cheap for any N
(:func:`periodic_positivity_at`); the region in p is presented for N <= MAX_CELLS (its end
points are algebraic of degree ~N).

>>> from mcgen.model.catalogue.linear import crank_nicolson
>>> periodic_positivity_region(crank_nicolson(), 3).result.expr
(0 <= r) & (r <= 2)
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.analysis.implicit_kernel import LAM, entry_polys, entry_signs_at, tridiagonal
from mcgen.analysis.implicit_positivity import decide, implicit_operators
from mcgen.analysis.region_presentation import region_name, set_to_condition
from mcgen.errors import AnalysisError
from mcgen.model.scheme import Scheme
from mcgen.proof.check import Check, register_check
from mcgen.proof.condition import Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder
from mcgen.proof.sturm import _domain, relational_set

#: the largest grid decided exactly (the entries' degree in lambda grows like 2N)
MAX_CELLS = 32

_RESULTS: dict[tuple[str, int], Derivation] = {}


def periodic_positivity_region(scheme: Scheme, N: int) -> Derivation:
    """The exact parameter set where the scheme's solution operator on ``N`` periodic cells is
    non-negative (1-D, tridiagonal implicit operator or explicit, one parameter).

    Returns a Derivation whose result is a :class:`~mcgen.proof.Condition` of kind
    ``positivity`` scoped to the N-cell ring; its last steps compare it with the lattice
    (Cauchy problem) region of :func:`mcgen.analysis.positivity.positivity_region`.
    """
    if isinstance(N, bool) or not isinstance(N, int) or not 1 <= N <= MAX_CELLS:
        raise AnalysisError(f"N={N!r}: give the number of periodic cells as an int in "
                            f"1..{MAX_CELLS} (larger rings: the lattice region is sufficient on "
                            "every ring and their limit; periodic_positivity_at decides one "
                            "parameter value for any N)")
    key = (scheme.hash, N)
    if key not in _RESULTS:
        _RESULTS[key] = _periodic(scheme, N)
    return _RESULTS[key]


def _periodic(scheme: Scheme, N: int) -> Derivation:
    from mcgen.analysis.positivity import positivity_region
    name = scheme.name or "scheme"
    if scheme.dim != 1:
        raise AnalysisError(f"scheme {name!r} is {scheme.dim}-D: the periodic solution "
                            "operator is decided for 1-D schemes")
    A, blocks = implicit_operators(scheme)
    params = tuple(p for p in scheme.params if any(
        sp.sympify(w).has(p) for W in (A, *blocks) for w in W.values()))
    if len(params) != 1:
        raise AnalysisError(f"scheme {name!r} has {len(params)} parameters in its weights: "
                            "the periodic region is decided for one (substitute the others)")
    p = params[0]
    got = decide(A, blocks, p, N)
    if got is None:
        raise AnalysisError(f"scheme {name!r}: its implicit operator is not tridiagonal or its "
                            f"weights are not polynomials in {p} with rational coefficients")
    b = DerivationBuilder(f"Positivity of {name} on {N} periodic cells",
                          meta={"scheme_hash": scheme.hash, "cells": N})
    i_w = b.step({"A": A, **{f"B_{i}": B for i, B in enumerate(blocks)}},
                 "the weights of each level: A u^{n+1} = B_0 u^n" +
                 (" + B_1 u^{n-1}" if len(blocks) == 2 else ""), Check("definition"))
    i_k = _kernel_step(b, A, blocks, N, i_w)
    expr, words = set_to_condition(got.region, p)
    i_r = b.step(expr, f"cells in {p}, one exact decision per cell: {words}",
                 Check("periodic_kernel_region", (A, blocks, p, N, expr)), uses=[i_k])
    for x, i, m in got.witnesses[:2]:
        b.step(f"counterexample at {p} = {x}: entry {m} of the circulant A^(-1) B_{i} is < 0",
               "an exact entry of the solution operator",
               Check("implicit_negative_entry", (A, blocks[i], p, x, m, N)), uses=[i_r])
    lattice = positivity_region(scheme).result
    if lattice.status == "proved":
        for a, c, how in ((lattice.expr, expr, "lies in"), (expr, lattice.expr, "contains")):
            if check_set_implies(a, c, p) == "proved":
                b.step(sp.Implies(a, c), f"the lattice region ({lattice.description.split(';')[0]})"
                       f" {how} the {N}-cell region; the wrapped terms are O(|lambda|^N), so the "
                       "N-cell region tends to it as N grows", Check("set_implies", (a, c, p)),
                       uses=[i_r])
                break
    cond = Condition(expr, params, "positivity", "proved" if got.exact else "unknown",
                     sufficient=expr if got.exact else None,
                     necessary=expr if got.exact else None,
                     name=f"{region_name(scheme)} on {N} periodic cells",
                     scope=f"{N} periodic cells (circulant solution operator)",
                     description=f"exact on {N} periodic cells: {words}" if got.exact else
                     f"on {N} periodic cells: {words} (not decided at every critical value)",
                     definitions=dict(scheme.definitions))
    return b.finish_concluded(cond)


def _kernel_step(b: DerivationBuilder, A: dict, blocks: list[dict], N: int, i_w: int,
                 symbolic: bool = True) -> int:
    conds = sp.And(*[sp.Ge(E, 0) for B in blocks for _, E in entry_polys(A, B, N)]) \
        if symbolic else f"A^(-1) B_i >= 0 on {N} cells"
    return b.step(conds, f"on {N} cells the solution operator is the circulant of "
                  "h^N_m = sum_q h_(m+qN) (the lattice kernel folded: lattice-positive schemes "
                  "are positive on every ring); the kernel's geometric tails summed, (1 - lp^N)"
                  "(1 - lm^N) g^N_m / g_0 = lp^m (1 - lm^N) + lm^(N-m) (1 - lp^N), each entry has "
                  f"the sign of a polynomial in {LAM}; between the stencil's reach from 0 and N "
                  "the entries are K+ lp^m + K- lm^(N-m), per parity two exponentials with at "
                  "most one zero, so the entries that reach around and the two first and two "
                  "last of that range decide", Check("definition"), uses=[i_w])


def periodic_positivity_at(scheme: Scheme, N: int, value: Any) -> Derivation:
    """Whether the solution operator on ``N`` periodic cells is non-negative at one value of
    the scheme's parameter (exact; any N: R + 4 entries decide). The result is True or
    False; a failing decision names a negative entry."""
    if isinstance(N, bool) or not isinstance(N, int) or N < 1:
        raise AnalysisError(f"N={N!r}: give the number of periodic cells as a positive int")
    name = scheme.name or "scheme"
    A, blocks = implicit_operators(scheme)
    params = tuple(p for p in scheme.params if any(
        sp.sympify(w).has(p) for W in (A, *blocks) for w in W.values()))
    if scheme.dim != 1 or len(params) != 1:
        raise AnalysisError(f"scheme {name!r}: the periodic decision at a value is for 1-D "
                            "schemes in one parameter")
    p = params[0]
    x = sp.nsimplify(value) if not isinstance(value, sp.Basic) else value
    if not x.is_Rational:
        raise AnalysisError(f"value={value!r}: give an exact rational (or a float, read as the "
                            "decimal it prints as)")
    Ax = {k: sp.sympify(w).subs(p, x) for k, w in A.items()}
    if tridiagonal(Ax) is None:
        raise AnalysisError(f"scheme {name!r}: the periodic decision needs a tridiagonal "
                            "implicit operator (wider ones: the lattice region is sufficient "
                            "on every ring)")
    b = DerivationBuilder(f"Positivity of {name} on {N} periodic cells at {p} = {x}",
                          meta={"scheme_hash": scheme.hash, "cells": N})
    i_w = b.step({"A": A, **{f"B_{i}": B for i, B in enumerate(blocks)}},
                 "the weights of each level", Check("definition"))
    i_k = _kernel_step(b, A, blocks, N, i_w, symbolic=False)
    ok = True
    for i, B in enumerate(blocks):
        got = check_periodic_positive_at(A, B, p, x, N)
        if got == "unknown":
            raise AnalysisError(f"scheme {name!r} at {p} = {x}: no two-sided inverse kernel "
                                "(A singular on the unit circle or one-sided)")
        if got == "refuted":
            ok = False
            signs = entry_signs_at(Ax, [{k: sp.sympify(w).subs(p, x) for k, w in B.items()}], N)
            assert isinstance(signs, list)  # "refuted" means the kernel exists
            m = next(m for m, sg in signs[0] if sg < 0)
            b.step(f"entry {m} of the circulant A^(-1) B_{i} is < 0 at {p} = {x}",
                   "an exact entry of the solution operator",
                   Check("implicit_negative_entry", (A, B, p, x, m, N)), uses=[i_k])
        else:
            b.step(f"A^(-1) B_{i} >= 0 on {N} cells at {p} = {x}", "its decisive entries, "
                   "exactly", Check("periodic_positive_at", (A, B, p, x, N)), uses=[i_k])
    return b.finish_concluded(ok)


@register_check("periodic_positive_at",
                "the circulant A^{-1} B on N cells is >= 0 at one parameter value (its R + 4 "
                "decisive entries, exact algebraic signs)")
def check_periodic_positive_at(A: Any, B: Any, p: sp.Symbol, x: Any, N: Any) -> str:
    Ax = {int(k): sp.sympify(w).subs(p, x) for k, w in dict(A).items()}
    Bx = {int(k): sp.sympify(w).subs(p, x) for k, w in dict(B).items()}
    if tridiagonal(Ax) is None:
        return "unknown"
    signs = entry_signs_at(Ax, [Bx], int(N))
    if signs is None or isinstance(signs, str):
        return "unknown"
    return "refuted" if any(sg < 0 for _, sg in signs[0]) else "proved"


@register_check("set_implies",
                "one region of the real line lies in another (finite unions of intervals with "
                "exact real algebraic endpoints, compared exactly)")
def check_set_implies(a: Any, c: Any, p: sp.Symbol) -> str:
    sa = relational_set(sp.sympify(a), p).intersect(_domain(p))
    sc = relational_set(sp.sympify(c), p).intersect(_domain(p))
    left = sp.Complement(sa, sc)
    if left.is_empty is None:
        return "unknown"
    return "proved" if left.is_empty else "refuted"


__all__ = ["periodic_positivity_region", "periodic_positivity_at", "MAX_CELLS"]
