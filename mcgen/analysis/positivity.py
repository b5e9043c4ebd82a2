"""Positivity region of a linear scheme: where its weights are transition probabilities.

A linear explicit update u_j^{n+1} = sum_k w_k u_{j+k} (reads of several time levels allowed) is a
convex combination of old values exactly when the reading's stochasticity holds (rows sum to one
for the backward reading, columns for the forward one; the same sums for constant coefficients)
and every weight is non-negative. Then min u <= u^{n+1} <= max u (maximum principle), the l-inf
norm does not grow and, with constant coefficients, |G(theta)| <= sum |w_k| = 1 (L2 stability).

How the region is computed, exactly in every case:

* one parameter: each ``w_k >= 0`` is solved as a set on the real line and the sets intersected
  (weights with ``Max``/``Min``/``Abs`` are split into the cases p >= 0 and p <= 0 first);
* several parameters, weights linear in them: Fourier-Motzkin elimination over the rationals
  (:mod:`mcgen.proof.lp`) decides emptiness, finds implicit equalities (measure-zero regions) and
  removes redundant inequalities; what is left is written in the plainest form (pairs symmetric
  under a sign flip merged into ``Abs``, chains such as ``Abs(nu) <= 2*r <= 1``);
* several parameters, weights non-linear (Lax-Wendroff type): constraints in one variable are
  solved exactly; when they confine every variable to a finite set, the product is enumerated
  exactly (unsplit 2-D Lax-Wendroff: five points); otherwise the raw conjunction, which *is* the
  exact region, is reported unsimplified and said to be so.

The presented form is checked equivalent to the raw conjunction by an exact procedure
(``region_equivalent`` or ``finite_region``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from mcgen.analysis import banded_kernel, symmetric_kernel
from mcgen.analysis import resolvent_positivity as resolvent
from mcgen.analysis.dimensionless import in_groups
from mcgen.analysis.implicit_kernel import entry_value, tridiagonal
from mcgen.analysis.implicit_positivity import (
    LAM,
    decide,
    implicit_operators,
    kernel_conditions,
)
from mcgen.analysis.implicit_positivity_2d import present, sections
from mcgen.analysis.region_presentation import (
    int_form,
    present_linear,
    present_polynomial_region,
    region_name,
    set_to_condition,
)
from mcgen.analysis.separable_positivity import separable_factors
from mcgen.errors import AnalysisError
from mcgen.model.read import Read, reads_of
from mcgen.model.scheme import Scheme
from mcgen.proof import lp
from mcgen.proof.check import Check
from mcgen.proof.condition import Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder
from mcgen.proof.sturm import _domain, check_region_equivalent, finite_region, relational_set

_PIECEWISE = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside)
INCONSISTENT = "positivity preservation (inconsistent scheme)"  # the name of such regions


# ---------------------------------------------------------------- weights of a scheme


def stencil_weights(scheme: Scheme) -> dict[Read, sp.Expr]:
    """``{read: weight}`` of a linear explicit scalar update (all time levels <= 0)."""
    if len(scheme.fields) != 1:
        raise AnalysisError(f"positivity of the system {scheme.name!r}: analyse each field's "
                            "scalar update, or use von_neumann() for the amplification matrix")
    if not scheme.is_explicit:
        raise AnalysisError(f"scheme {scheme.name!r} is implicit: its positivity needs the "
                            "inverse of the implicit operator (M-matrix theory), not analysed "
                            "here; von_neumann() analyses its L2 stability")
    e = sp.expand(scheme.update[scheme.fields[0]])
    rds = sorted(reads_of(e), key=lambda r: r.name)
    if not rds and e == 0:
        return {}  # u^{n+1} = 0: no weights (the sum 0 is diagnosed by the caller)
    try:
        poly = sp.Poly(e, *rds)
    except sp.PolynomialError:
        poly = None
    if poly is None or poly.total_degree() > 1 or poly.coeff_monomial(1) != 0 or \
            any(poly.coeff_monomial(rd).free_symbols & set(rds) for rd in rds):
        raise AnalysisError(f"scheme {scheme.name!r} is not linear in its reads: use "
                            "mcgen.analysis.monotonicity for nonlinear schemes")
    # expand, not simplify: the weights are polynomials (or Max/Min) in the parameters
    return {rd: sp.expand(poly.coeff_monomial(rd)) for rd in rds}




# ---------------------------------------------------------------- presentation helpers










# ---------------------------------------------------------------- sign cases


def sign_cases(exprs: list[sp.Expr], params: tuple[sp.Symbol, ...]
               ) -> list[tuple[sp.Symbol, sp.Symbol, list[sp.Expr]]] | None:
    """Split weights with Max/Min/Abs of one parameter p into the cases p >= 0 and p <= 0.

    Returns ``[(p, p_case, exprs_case)]`` with p_case a symbol of the case's sign, or None when
    the weights have no such functions.
    """
    pw = [a for e in exprs for a in e.atoms(*_PIECEWISE)]
    if not pw:
        return None
    syms = set().union(*[a.free_symbols for a in pw]) & set(params)
    if len(syms) != 1:
        raise AnalysisError("weights with Max/Min/Abs of several parameters: split the scheme "
                            "into sign cases by hand (one scheme per sign)")
    (p,) = syms
    out = []
    for kw in ({"nonnegative": True}, {"nonpositive": True}):
        pc = sp.Symbol(p.name, real=True, **kw)
        out.append((p, pc, [sp.simplify(e.subs(p, pc)) for e in exprs]))
    return out


# ---------------------------------------------------------------- the analysis


def positivity_region(scheme: Scheme) -> Derivation:
    """The exact region where the scheme's weights are non-negative and stochastic.

    Returns a Derivation whose result is a :class:`Condition` of kind ``positivity``.
    """
    if scheme.hash not in _RESULTS:  # derivations are immutable: analyse each scheme once
        # weights written in dt and the spacings: decided in their dimensionless groups
        _RESULTS[scheme.hash] = in_groups(scheme, positivity_region) or \
            _positivity_region(scheme)
    return _RESULTS[scheme.hash]


_RESULTS: dict[str, Derivation] = {}


def _positivity_region(scheme: Scheme) -> Derivation:
    if not scheme.is_explicit and len(scheme.fields) == 1:
        return _implicit_positivity(scheme)
    W = stencil_weights(scheme)
    reading = scheme.reading
    b = DerivationBuilder(f"Positivity region of {scheme.name or 'scheme'}",
                          meta={"scheme_hash": scheme.hash})
    lhs = sum(w * rd for rd, w in W.items())
    i_w = b.identity(scheme.update[scheme.fields[0]], lhs,
                     "the update is linear in the reads; its weights are the coefficients",
                     claim={rd: w for rd, w in W.items()})
    if scheme.is_variable_coefficient:
        raise AnalysisError(f"scheme {scheme.name!r} has position-dependent weights: its "
                            f"positivity region depends on x; substitute a position or use "
                            "the chain analysis of the synthesis layer")
    total = sp.simplify(sum(W.values()))
    sums = "rows" if reading == "backward" else "columns"
    equalities = []
    inconsistent = ""
    if sp.simplify(total - 1) == 0:
        i_sum = b.identity(sp.Add(*W.values(), evaluate=False), 1,
                           f"constant coefficients: the {sums} of the transition matrix "
                           f"({reading} reading) all equal sum_k w_k = 1", uses=[i_w])
    elif total.is_number:
        # diagnosed first: no parameter value makes the update preserve constants, so the
        # region is that of a positivity-preserving (non-negative) update, said to be so
        shown = sp.sstr(total, full_prec=False)  # 1.1, not 1.10000000000000
        inconsistent = (f"the weights sum to {shown}, not 1, for every parameter value: the "
                        f"update does not preserve constants (|G(0)| = "
                        f"{sp.sstr(abs(total), full_prec=False)}); "
                        "non-negative weights make it positivity-preserving, not a convex "
                        "combination (no maximum principle)")
        i_sum = b.identity(sp.Add(*W.values(), evaluate=False), total,
                           f"inconsistent input: {inconsistent}", uses=[i_w])
    else:
        equalities.append(sp.Eq(total, 1))
        i_sum = b.step(sp.Eq(total, 1), f"the {sums} of the transition matrix ({reading} "
                       "reading) sum to sum_k w_k, which must equal 1: a constraint on the "
                       "parameters", Check("definition"), uses=[i_w])
    # weights non-negative by the symbols' declared signs evaluate to True and drop out
    raw_parts = [g for g in (sp.Ge(w, 0) for w in W.values()) if g is not sp.true] + equalities
    if any(g is sp.false for g in raw_parts):
        raw_parts = [sp.false]
    raw = sp.And(*raw_parts)
    i_raw = b.step(raw, "non-negative weights (and stochastic sums): the raw conjunction",
                   Check("definition"), uses=[i_w, i_sum])
    params = tuple(p for p in scheme.params
                   if any(p in sp.sympify(w).free_symbols for w in W.values()))
    expr, words, check, extra = _solve(raw_parts, params)
    i_form = b.step(expr, f"plainest equivalent form: {words}", check, uses=[i_raw])
    if extra:
        b.step(extra, "the region's size", Check("follows"), uses=[i_form])
    name = region_name(scheme)
    if inconsistent:
        b.step("inside the region the update maps non-negative data to non-negative data; "
               f"it is not a convex combination: {inconsistent}", "non-negative weights "
               "(positivity preservation only)", Check("follows"), uses=[i_sum, i_form])
        where = "every parameter value" if words == "always" else words
        words = f"inconsistent: {inconsistent}; non-negative weights for {where}"
        name = INCONSISTENT
    else:
        theorem = ("inside the region u^{n+1}_j is a convex combination of old values: "
                   "min u <= u^{n+1} <= max u (maximum principle), ||u^{n+1}||_inf <= "
                   "||u^n||_inf (l-inf stability) and, with constant coefficients, "
                   "|G(theta)| <= sum_k |w_k| = sum_k w_k = 1 (L2 stability)")
        b.step(theorem, "convexity of the update (triangle inequality for the Fourier symbol)",
               Check("follows"), uses=[i_sum, i_form])
    cond = Condition(expr, params, "positivity", "proved", sufficient=expr, necessary=expr,
                     name=name, description=words, definitions=dict(scheme.definitions))
    return b.finish_concluded(cond)


def _solve(raw_parts: list[sp.Basic], params: tuple[sp.Symbol, ...]
           ) -> tuple[sp.Basic, str, Check, str]:
    raw = sp.And(*raw_parts)
    if not params:
        val = sp.simplify(raw)
        return val, ("always" if val is sp.true else "never"), Check("truth", (sp.Equivalent(
            raw, val),)), ""
    if raw is sp.false:
        return sp.false, "empty: a weight is negative for every parameter value", \
            Check("truth", (sp.Not(raw),)), "empty"
    cases = sign_cases([sp.sympify(r.lhs - r.rhs) for r in raw_parts], params)
    if len(params) == 1:
        v = params[0]
        if cases is None:
            s = _univariate(raw_parts, v)
        else:
            s = sp.S.EmptySet
            for p, pc, es in cases:
                part = _univariate([sp.Ge(e, 0) for e in es], pc)
                s = sp.Union(s, part.subs(pc, p) if part.free_symbols else part)
        expr, words = set_to_condition(s, v)
        return expr, words, Check("region_equivalent", (raw, expr, (v,))), ""
    if cases is not None:
        raise AnalysisError("Max/Min/Abs weights with several parameters: split by sign")
    cons = lp.boolean_to_constraints(raw, params)
    if cons is not None:
        return _solve_linear(raw, cons, params)
    pts = finite_region(raw, params)
    if pts is not None:
        pairs = [list(zip(params, p, strict=True)) for p in pts]
        expr = sp.Or(*[sp.And(*[sp.Eq(v, x) for v, x in pr]) for pr in pairs]) \
            if pts else sp.false
        words = ("measure zero: " + ", ".join(
            "(" + ", ".join(f"{v} = {x}" for v, x in pr) + ")" for pr in pairs)
                 if pts else "empty")
        return expr, words, Check("finite_region", (raw, params, tuple(pts))), ""
    if all(isinstance(r, sp.GreaterThan) for r in raw_parts):
        expr, words = present_polynomial_region([r.lhs - r.rhs for r in raw_parts], params)
        if check_region_equivalent(raw, expr, params) == "proved":
            return expr, words, Check("region_equivalent", (raw, expr, params)), ""
    return raw, ("the conjunction itself (exact; weights non-linear in several parameters, no "
                 "simpler form derived)"), Check("definition"), ""


def _univariate(parts: list[sp.Basic], v: sp.Symbol) -> sp.Set:
    s = _domain(v)
    for rel in parts:
        r = sp.simplify(rel)
        if r is sp.true:
            continue
        if r is sp.false:
            return sp.S.EmptySet
        s = s.intersect(relational_set(r, v))
    return s


def _solve_linear(raw: sp.Basic, cons: list[lp.Constraint], params: tuple[sp.Symbol, ...]
                  ) -> tuple[sp.Basic, str, Check, str]:
    n = len(params)
    bg: list[lp.Constraint] = []
    for i, v in enumerate(params):
        bg += lp.domain_constraints(v, i, n)
    allc = [*bg, *cons]
    if not lp.feasible(allc, n):
        return sp.false, "empty: no parameter values make every weight non-negative", \
            Check("linear_empty", (raw, params)), "empty"
    eqs = lp.implicit_equalities(allc, n)
    order = list(range(len(bg))) + list(range(len(bg), len(allc)))
    keep = lp.irredundant(allc, n, order)
    if eqs:
        # measure zero: the implicit equalities cut out a lower-dimensional set
        eq_rels = []
        for i in eqs:
            V, b, _ = int_form(allc[i], params)
            lead = next(V.coeff(v) for v in params if V.coeff(v) != 0)
            rel = sp.Eq(V, -b) if lead > 0 else sp.Eq(-V, b)  # one sign per equality
            if rel not in eq_rels:
                eq_rels.append(rel)
        rest = [allc[i] for i in keep if i not in eqs]
        rest_expr, rest_words = present_linear(rest, params) if rest else (sp.true, "")
        expr = sp.And(*eq_rels, rest_expr)
        words = "measure zero: " + ", ".join(f"{e.lhs} = {e.rhs}" for e in eq_rels) + \
            (f", {rest_words}" if rest_words else "")
        return expr, words, Check("region_equivalent", (raw, expr, params)), "measure zero"
    expr, words = present_linear([allc[i] for i in keep], params)
    return expr, words, Check("region_equivalent", (raw, expr, params)), ""


__all__ = ["positivity_region", "stencil_weights", "region_name", "set_to_condition",
           "present_linear", "sign_cases", "Fraction"]


def _implicit_positivity(scheme: Scheme) -> Derivation:
    """Implicit A u^{n+1} = B_0 u^n (+ B_1 u^{n-1}): the exact region where the solution operator
    is non-negative (1-D, tridiagonal A, one parameter:
    :mod:`mcgen.analysis.implicit_positivity`), else a sufficient condition by M-matrix theory.

    If A has a positive diagonal, non-positive off-diagonal weights and row sum > 0 (strict
    diagonal dominance), A^{-1} >= 0; with every B_i >= 0 and equal row sums, the solution
    operator is stochastic and non-negative. That alone says nothing about necessity (status
    ``unknown`` with a proved sufficient set) where the exact decision is out of reach.
    """
    A, blocks = implicit_operators(scheme)
    zero: Any = 0 if scheme.dim == 1 else (0,) * scheme.dim
    f = scheme.fields[0]
    e = scheme.update[f]
    expr = sp.expand(e.lhs - e.rhs)
    b = DerivationBuilder(f"Positivity of {scheme.name or 'scheme'} (implicit)",
                          meta={"scheme_hash": scheme.hash})

    def off(k: int | tuple[int, ...]) -> tuple[int, ...]:
        return (k,) if isinstance(k, int) else k

    rebuilt = sum(w * Read(f, off(k), 1) for k, w in A.items()) - sum(
        w * Read(f, off(k), -lev) for lev, B in enumerate(blocks) for k, w in B.items())
    three = len(blocks) == 2
    i_w = b.identity(expr, sp.expand(rebuilt), "A u^{n+1} = B_0 u^n" +
                     (" + B_1 u^{n-1}" if three else "") + ": the weights of each level",
                     claim={"A": A, **{f"B_{i}": B for i, B in enumerate(blocks)}})
    sa = sp.simplify(sum(A.values()))
    sb = sp.simplify(sum(w for B in blocks for w in B.values()))
    b.identity(sa, sb, "equal row sums of A and of the B_i: the solution operator's rows sum "
               "to one", uses=[i_w])
    parts = [sp.Ge(w, 0) for B in blocks for w in B.values()] + \
        [sp.Le(w, 0) for k, w in A.items() if k != zero] + [sp.Gt(A.get(zero, 0), 0), sp.Gt(sa, 0)]
    parts = [p for p in parts if p is not sp.true]
    if any(p is sp.false for p in parts):
        parts = [sp.false]
    raw = sp.And(*parts)
    i_raw = b.step(raw, "every B_i >= 0 and A an M-matrix (positive diagonal, non-positive "
                   "off-diagonals, strictly diagonally dominant)", Check("definition"),
                   uses=[i_w])
    params = tuple(p for p in scheme.params if raw.has(p))
    ex, words, check, _ = _solve([p for p in (raw.args if isinstance(raw, sp.And) else (raw,))],
                                 params)
    i_f = b.step(ex, f"plainest equivalent form: {words}", check, uses=[i_raw])
    b.step("then A^{-1} >= 0 and u^{n+1} is a convex combination of old values (maximum "
           "principle)", "M-matrix theory (sufficient condition)", Check("follows"), uses=[i_f])
    exact = _exact_implicit(b, scheme, A, blocks, i_w, ex, words)
    if isinstance(exact, Derivation):
        return exact
    beyond = f" (the exact decision is out of reach: {exact})" if exact else ""
    if ex is sp.true:  # sufficient on the whole parameter domain: nothing left to decide
        b.step(ex, "the sufficient set is the whole parameter domain, so it is the region",
               Check("follows"), uses=[i_f])
        cond = Condition(ex, params, "positivity", "proved", sufficient=ex, necessary=ex,
                         name=region_name(scheme),
                         description="every parameter value (A an M-matrix, B >= 0 "
                         "throughout)", definitions=dict(scheme.definitions))
        return b.finish_concluded(cond)
    cond = Condition(ex, params, "positivity", "unknown", sufficient=ex, necessary=None,
                     name=region_name(scheme),
                     description=f"sufficient (M-matrix): {words}; necessity not analysed"
                     f"{beyond}",
                     definitions=dict(scheme.definitions))
    return b.finish_concluded(cond)


def _exact_diagonal(b: DerivationBuilder, scheme: Scheme, a0: sp.Expr, blocks: list[dict],
                    i_w: int) -> Derivation:
    """A = a0 I (an explicit three-level scheme written with a factor on u^{n+1}, such as
    DuFort-Frankel in 2-D or 3-D): the blocks of the solution operator are B_i / a0 entry by
    entry, so it is non-negative iff every w / a0 is: exact."""
    parts = [sp.Ge(sp.cancel(w / a0), 0) for B in blocks for w in B.values()]
    parts = [q for q in parts if q is not sp.true]
    params = tuple(p for p in scheme.params if any(q.has(p) for q in parts))
    ex, words, check, _ = _solve(parts, params)
    i_d = b.step(sp.And(*parts), "A = a0 I is diagonal: the solution operator's blocks are the "
                 "B_i / a0, entry by entry, so each entry's sign is its weight's over a0 "
                 "(necessary and sufficient)", Check("follows"), uses=[i_w])
    b.step(ex, f"plainest equivalent form: {words}", check, uses=[i_d])
    cond = Condition(ex, params, "positivity", "proved", sufficient=ex, necessary=ex,
                     name=region_name(scheme), description=f"{words} (A diagonal: exact)",
                     definitions=dict(scheme.definitions))
    return b.finish_concluded(cond)


def _exact_implicit(b: DerivationBuilder, scheme: Scheme, A: dict, blocks: list[dict], i_w: int,
                    suff: sp.Basic, suff_words: str) -> Derivation | str | None:
    """The exact region of a 1-D one-parameter scheme with a tridiagonal or symmetric
    pentadiagonal implicit operator (:mod:`mcgen.analysis.implicit_positivity`), or why it is out
    of reach when that is known (a 2-D or 3-D resolvent form), else None."""
    zero = (0,) * scheme.dim
    if scheme.dim > 1 and set(A) == {zero}:
        return _exact_diagonal(b, scheme, A[zero], blocks, i_w)
    if scheme.dim == 2 and len(blocks) == 1:
        done = _exact_separable(b, scheme, A, blocks[0], i_w, suff)
        if done is None and suff is not sp.true:
            return _exact_resolvent(b, scheme, A, blocks[0], i_w, suff, suff_words)
        return done
    if scheme.dim == 3 and len(blocks) == 1 and suff is not sp.true:
        return _exact_resolvent(b, scheme, A, blocks[0], i_w, suff, suff_words)
    if scheme.dim != 1:
        return None
    params = tuple(p for p in scheme.params if any(
        sp.sympify(w).has(p) for W in (A, *blocks) for w in W.values()))
    if len(params) == 2:
        return _exact_implicit_2d(b, scheme, A, blocks, i_w, params, suff)
    if len(params) != 1:
        return None
    p = params[0]
    got = decide(A, blocks, p)
    if got is None or (not got.exact and suff is sp.true):
        return None  # (a sufficient set that is the whole domain decides it)
    expr, words = set_to_condition(got.region, p)
    three = len(blocks) == 2
    wide = tridiagonal(A) is None
    symmetric = symmetric_kernel.t_polynomial(A) is not None
    if not wide:
        i_k = _kernel_step(b, A, blocks, i_w)
    else:
        i_k = _wide_kernel_step(b, blocks, i_w) if symmetric else \
            _banded_kernel_step(b, blocks, i_w)
    crit = ("norms of the decisive entries and tail coefficients over Q(sqrt(disc Q), "
            "zeta_1 - 1/zeta_1, zeta_2 - 1/zeta_2), the coefficients and discriminant of Q, "
            "Q(2), Q(-2), res_t(Rm, Q)" if symmetric else
            "the end coefficients of P, A(1), A(-1), res_c(Re A, Im A / sin), disc P, "
            "res(P(z), P(-z)), res(P, B) and the resultants of the decisive entries with P "
            "in the lone root; with three or more roots on a side also res_w(S, Q2) (a "
            "product of two roots equal to a squared root: a real rate and a pair of equal "
            "modulus), each such cell's tails certified over the closed cell") \
        if wide else f"resultants in {LAM} of the entries with " \
        "the polynomial of the decay rate, its discriminant, A(1), A(-1), the weights of A"
    i_r = b.step(expr, f"cells in {p} (critical values: {crit}), one exact decision per "
                 f"cell: {words}", Check("implicit_kernel_region", (A, blocks, p, expr)),
                 uses=[i_k])
    for x, i, m in got.witnesses[:3]:
        _counterexample(b, A, blocks, p, x, i, m, three, i_r)
    same = check_region_equivalent(suff, expr, (p,)) == "proved"
    shown = {"never": "(empty)", "always": "(every value)"}.get(suff_words, suff_words)
    bound = f"the M-matrix bound {shown} " + ("coincides with it" if same else
                                                      "is only sufficient")
    cond = Condition(expr, params, "positivity", "proved" if got.exact else "unknown",
                     sufficient=expr if got.exact else suff,
                     necessary=expr if got.exact else None,
                     name=region_name(scheme),
                     description=f"exact on the lattice (Cauchy problem): {words}; {bound}",
                     definitions=dict(scheme.definitions))
    return b.finish_concluded(cond)


def _exact_separable(b: DerivationBuilder, scheme: Scheme, A: dict, B: dict, i_w: int,
                     suff: sp.Basic) -> Derivation | None:
    """A separable 2-D scheme (:mod:`mcgen.analysis.separable_positivity`): the intersection of
    the exact regions of its two 1-D factors, each in (at most) one parameter; None otherwise."""
    factors = separable_factors(A, B)
    if factors is None:
        return None
    i_s = b.step("A(z1, z2) A(1, 1) = A(z1, 1) A(1, z2), the same for B, A(1, 1) = B(1, 1): "
                 "A^(-1) B = (A_x^(-1) B_x) (x) (A_y^(-1) B_y), each factor's rows summing to 1",
                 "rank one: the symbols factor, so the solution operator is a tensor product; "
                 "it is >= 0 iff both factors are (a negative entry of one times a positive "
                 "entry of the other is a negative entry)", Check("separable_operator", (A, B)),
                 uses=[i_w])
    parts, names, used = [], [], []
    for axis, (Ax, Bx) in zip("xy", factors, strict=True):
        ps = sorted({s for w in (*Ax.values(), *Bx.values()) for s in sp.sympify(w).free_symbols}
                    & set(scheme.params), key=str)
        if len(ps) > 1:
            return None
        p = ps[0] if ps else sp.Dummy("p", real=True)
        got = decide(Ax, [Bx], p)
        if got is None or not got.exact:
            return None
        expr, words = set_to_condition(got.region, p)
        if not ps:
            expr, words = (sp.true, "always") if got.region == _domain(p) else (sp.false,
                                                                                 "never")
        parts.append(expr)
        names.append(f"{axis}: {words}")
        used.append(b.step(expr, f"the {axis}-factor A_{axis} u^(n+1) = B_{axis} u^n, decided "
                           f"exactly in 1-D: {words}",
                           Check("implicit_kernel_region", (Ax, [Bx], p, expr)) if ps else
                           Check("follows"), uses=[i_s]))
    expr = sp.And(*parts)
    params = tuple(p for p in scheme.params if expr.has(p))
    same = check_region_equivalent(suff, expr, params) == "proved" if params else suff == expr
    bound = "coincides with it" if same else "is only sufficient"
    words = "; ".join(names)
    b.step(expr, "both factors >= 0", Check("follows"), uses=used)
    cond = Condition(expr, params, "positivity", "proved", sufficient=expr, necessary=expr,
                     name=region_name(scheme),
                     description=f"exact on the lattice (Cauchy problem), a tensor product of "
                     f"1-D solution operators: {words}; the M-matrix bound {sp.sstr(suff)} "
                     f"{bound}", definitions=dict(scheme.definitions))
    return b.finish_concluded(cond)


def _exact_resolvent(b: DerivationBuilder, scheme: Scheme, A: dict, B: dict, i_w: int,
                     suff: sp.Basic, suff_words: str) -> Derivation | str | None:
    """A 2-D or 3-D scheme with B = c I + d A, A a symmetric five- or nine-point (2-D) or
    seven-point (3-D) operator, one parameter (:mod:`mcgen.analysis.resolvent_positivity`):
    S = c A^(-1) + d I, decided exactly (its end points may be transcendental, roots of
    1/G_0 = c/(-d), enclosed); why not when the form holds but the decision is out of reach;
    None otherwise."""
    params = tuple(p for p in scheme.params if any(
        sp.sympify(w).has(p) for W in (A, B) for w in W.values()))
    if len(params) != 1:
        return None
    p = params[0]
    got = resolvent.decide(A, B, p)
    if got is None or not got.exact:
        return (got.reason or None) if got is not None else None
    f = resolvent.resolvent_form(A, B, p)
    assert f is not None
    cn, dn, den = f.c_d
    c, d = sp.factor(cn / den), sp.factor(dn / den)
    if f.dim == 2 and f.mixed:
        shape = ("a0 I - a1 (E_x + E_x^-1) - a2 (E_y + E_y^-1) - a3 (E_x E_y + E_x^-1 E_y^-1) "
                 "- a4 (E_x E_y^-1 + E_x^-1 E_y)")
        green = ("G_0 = s/AGM(U, V), U^2 = (S + 2 sqrt(P))/4, V^2 = sqrt(P), P = q(1) q(-1), "
                 "S = q(1) + q(-1) - 4 c, q(x) = (|a0| - 2 |a1| x)^2 - (2 |a2| + 2 (|a3| + "
                 "|a4|) x)^2 - 4 (|a3| - |a4|)^2 (1 - x^2), c = 4 a1^2 - 16 |a3 a4| (the theta_2 "
                 "integral is 1/sqrt(q(cos theta_1)), then a complete elliptic integral, "
                 "Byrd-Friedman 259.00, K(k) = pi/(2 AGM(1, k')))")
        flips = ("s a1, s a2, s a3, s a4 >= 0 up to a checkerboard flip (E_x -> -E_x maps "
                 "(a1, a2, a3, a4) to (-a1, a2, -a3, -a4)); a pattern no flip fixes is out of "
                 "reach")
    elif f.dim == 2:
        shape = "a0 I - a1 (E_x + E_x^-1) - a2 (E_y + E_y^-1)" + (
            " - a3 (E_x + E_x^-1)(E_y + E_y^-1)" if f.a[2] != 0 else "")
        green = ("G_0 = s/AGM(X, Y), X^2 = (a0 + 4 |a3|)^2 - 4 (|a1| - |a2|)^2, "
                 "Y^2 = (a0 - 4 |a3|)^2 - 4 (|a1| + |a2|)^2 (the theta_2 integral, then an "
                 "elliptic integral in cos theta_1 with four real branch points, "
                 "Byrd-Friedman 254.00, K(k) = pi/(2 AGM(1, k')))")
        flips = ("s a1, s a2, s a3 >= 0 up to a checkerboard flip (E_x -> -E_x maps "
                 "(a1, a2, a3) to (-a1, a2, -a3)); a pattern no flip fixes is out of reach")
    else:
        shape = "a0 I - a1 (E_x + E_x^-1) - a2 (E_y + E_y^-1) - a3 (E_z + E_z^-1)"
        green = ("G_0 = (s/pi) int_0^pi dtheta / AGM(X(theta), Y(theta)) (the 2-D formula "
                 "with a0 -> a0 - 2 a3 cos theta), enclosed by the trapezoid rule with the "
                 "error bound 2 M/(e^(eta N) - 1) of a function analytic in |Im theta| < eta "
                 "(Trefethen-Weideman)")
        flips = "s a1, s a2, s a3 >= 0 up to checkerboard flips"
    shown = (f.a0, *f.a) if f.mixed else (f.a0, *f.a[:3])
    weights = ", ".join(f"a{i} = {w}" for i, w in enumerate(shown) if i < 3 or w != 0)
    i_f = b.step(f"A = {shape} with {weights}; B = c I + d A with c = {c}, d = {d}",
                 "so A^(-1) B = c A^(-1) + d I: off the diagonal c times the lattice Green's "
                 "function of A, on it c G_0 + d", Check("resolvent_form", (A, B, p)),
                 uses=[i_w])
    i_k = b.step(f"with s = sign(a0) and {flips}: A is an M-matrix, invertible iff "
                 "eps = s A(theta = 0) > 0, and A^(-1) > 0 off the diagonal, so those entries "
                 "are >= 0 iff s c >= 0; a flip makes A^(-1) alternate in sign (checkerboard). "
                 f"The diagonal of A^(-1) is {green}: >= 0 iff 1/G_0 <= s c/(-d) when d < 0",
                 f"the lattice Green's function of a {f.name} operator",
                 Check("definition"), uses=[i_f])
    expr, words = resolvent.present(got, p)
    encl = tuple((a, bb) for run in got.runs for (a, bb), _ in run.roots)
    movers = "X^2/rho^2, Y^2/rho^2" if f.dim == 2 and not f.mixed else \
        "eps/rho, |a1|/rho, |a2|/rho, |a3|/rho" + (", |a4|/rho" if f.mixed else "")
    i_r = b.step(expr, f"cells in {p} (roots of the weights, of X^2, Y^2 and eps for every sign "
                 f"pattern and of the derivatives of {movers}, rho = s c/(-d)), one exact "
                 "decision per cell; 1/G_0 - rho has the sign of 1/G_0(A/rho) - 1 (1/G_0 is "
                 f"homogeneous of degree 1 in A), monotone where {movers} move one way: there "
                 "it has at most one root, enclosed by bisection over rationals with "
                 f"outward-rounded interval arithmetic: {words}",
                 Check("resolvent_diagonal_region", (A, B, p, expr, encl)), uses=[i_k])
    what = {"diagonal": "the diagonal entry c G_0 + d is < 0, so data u^n = 1 at cell j, 0 "
            "elsewhere, give u_j^(n+1) < 0",
            "off-diagonal": "an off-diagonal entry of c A^(-1) is < 0, so data u^n = 1 at "
            "one cell next to j give u_j^(n+1) < 0",
            "weights": "A = a0 I there and a weight of B/a0 is < 0",
            "singular": "A is not invertible on the lattice"}
    for x, why in got.witnesses[:3]:
        b.step(f"counterexample at {p} = {x}: {what[why]}", "an exact entry of the solution "
               "operator", Check("resolvent_point", (A, B, p, x, why)), uses=[i_r])
    outside = next((x for x in _inner_points(got) if suff.subs(p, x) is sp.false and
                    resolvent.decide_at(f, x).ok), None)
    if outside is not None:
        bound = (f"the M-matrix bound {suff_words} is only sufficient ({p} = {outside} is "
                 "positive, outside it)")
    elif not got.runs:
        same = check_region_equivalent(suff, expr, (p,)) == "proved"
        bound = f"the M-matrix bound {suff_words} " + ("coincides with it" if same else
                                                     "is only sufficient")
    else:
        bound = f"the M-matrix bound {suff_words} is sufficient"
    cond = Condition(expr, params, "positivity", "proved", sufficient=expr, necessary=expr,
                     name=region_name(scheme),
                     description=f"exact on the lattice (Cauchy problem): {words}; {bound}",
                     definitions=dict(scheme.definitions))
    return b.finish_concluded(cond)


def _inner_points(got: Any) -> list[sp.Rational]:
    """Short rationals inside the region next to each transcendental end point (in the last
    tenth and hundredth of its run)."""
    out = []
    for run in got.runs:
        for (a, bb), end in run.roots:
            for share in (10, 100):
                x = resolvent._short_rational(run.lo, a, False, share) if end == "upper" else \
                    resolvent._short_rational(bb, run.hi, True, share)
                if x is not None and x not in out:
                    out.append(x)
    return out


def _counterexample(b: DerivationBuilder, A: dict, blocks: list[dict], p: sp.Symbol, x: Any,
                    i: int, m: Any, three: bool, i_r: int) -> None:
    """A step naming the unit data that make u^{n+1} < 0 at p = x (or, for non-real decay
    rates of a wide A, the oscillating tail that is negative infinitely often)."""
    Ax = {k: sp.sympify(w).subs(p, x) for k, w in A.items()}
    Bx = {k: sp.sympify(w).subs(p, x) for k, w in blocks[i].items()}
    level = "u^n" if i == 0 else "u^(n-1)"
    if m == "oscillating":
        b.step(f"at {p} = {x} the dominant decay rates of A^(-1) on one side are not real: "
               f"they are conjugate, zeta and conj(zeta), and the entries of "
               f"A^(-1) B_{i} are 2 |c| |zeta|^m cos(m arg zeta + phi) far out, c != 0: "
               "negative for infinitely many offsets m (no maximum principle)",
               "the oscillating tail of the inverse kernel",
               Check("oscillating_kernel", (A, blocks[i], p, x)), uses=[i_r])
        return
    kernel = symmetric_kernel if symmetric_kernel.t_polynomial(Ax) is not None else \
        banded_kernel
    if m == "tail":
        m = kernel.first_negative_entry(Ax, Bx)
        if m is None:
            return
    if tridiagonal(Ax) is None:
        h = kernel.entry_interval(Ax, Bx, m)
        value = sp.Float(float(h.mid.a), 6) if h is not None else "< 0"
    else:
        value = sp.N(entry_value(Ax, Bx, m), 6)
    data = f"{level} = 1 at cell j{m:+d}" if m else f"{level} = 1 at cell j"
    b.step(f"counterexample at {p} = {x}: entry {m} of A^(-1) B_{i} is "
           f"{value} < 0, so the data {data}, 0 elsewhere"
           f"{' (and at the other level)' if three else ''}, give u_j^(n+1) < 0",
           "an exact entry of the solution operator",
           Check("implicit_negative_entry", (A, blocks[i], p, x, m, 0)), uses=[i_r])


def _wide_kernel_step(b: DerivationBuilder, blocks: list[dict], i_w: int) -> int:
    three = len(blocks) == 2
    return b.step("A(z) = Q(t), B_i(z) = Bq_i(t) with t = z + 1/z; Bq_i = Qp_i Q + Rm_i",
                  ("the companion operator on (u^n, u^{n-1}) is >= 0 iff both blocks are. "
                   if three else "") +
                  "A symmetric and pentadiagonal: A^(-1) B has the entries h_m = [Qp]_m + "
                  "c_1 zeta_1^|m| + c_2 zeta_2^|m|, c_i = Rm(t_i) / (Q'(t_i) (zeta_i - "
                  "1/zeta_i)), t_i the roots of Q, zeta_i + 1/zeta_i = t_i, |zeta_i| < 1. "
                  "Non-real t_i: the tail oscillates (never >= 0 unless c = 0). Real t_i: per "
                  "parity of m the tail is C_1 nu_1^k + C_2 nu_2^k (nu_i = zeta_i^2), >= 0 for "
                  "all k iff its first term and its dominant coefficient are, so A^(-1) B >= 0 "
                  "iff h_0, ..., h_(M+1) >= 0 and the dominant decay rate is > 0 with c >= 0",
                  Check("definition"), uses=[i_w])


def _banded_kernel_step(b: DerivationBuilder, blocks: list[dict], i_w: int) -> int:
    three = len(blocks) == 2
    return b.step("P(z) = z^L A(z); 1/P = (a/(z - zeta) + W(z)/Q(z))/lc, zeta the lone root on "
                  "one side of the unit circle, Q the others; with two roots on each side "
                  "1/P = (U/Pin + V/Pout)/lc, Pin and Pout the real quadratic factors",
                  ("the companion operator on (u^n, u^{n-1}) is >= 0 iff both blocks are. "
                   if three else "") +
                  "A banded, not symmetric: A^(-1) B has the entries h_m = sum_k b_k g_(m-k), "
                  "g the Laurent coefficients of z^L/P on the unit circle (roots inside reach "
                  "left, roots outside right); beyond the stencil each side's entries are "
                  "sum C lambda^n over its roots. One root: x_0, x_1 >= 0 decide. Two: a "
                  "conjugate pair oscillates (never >= 0 unless B cancels it); real rates are "
                  ">= 0 for all n iff x_0, x_1 >= 0 and the dominant rate is > 0 with C >= 0. "
                  "Two on each side: the entries are sums over a pair of roots, each side "
                  "decided as above (signs by interval arithmetic, a zero excluded by a "
                  "resultant). Three or more on a side: with no positive real rate among "
                  "the dominant ones the tail is negative infinitely often (Pringsheim); a "
                  "strictly dominant rate lambda_1 > 0 with C_1 > 0 makes x_n > 0 for n >= "
                  "N0 (the other roots' sum bounded by a contour integral or by their "
                  "boxes), the entries before N0 signed one by one; a cell's verdict holds "
                  "all over it where N0 is certified uniformly on the closed cell",
                  Check("definition"), uses=[i_w])


def _kernel_step(b: DerivationBuilder, A: dict, blocks: list[dict], i_w: int) -> int:
    conds = [sp.Ge(E, 0) for B in blocks for E in kernel_conditions(A, B) or []]
    three = len(blocks) == 2
    return b.step(sp.And(*conds),
                  ("the companion operator on (u^n, u^{n-1}) is [[A^{-1} B_0, A^{-1} B_1], "
                   "[I, 0]]: it is >= 0 iff both blocks are (u^{n+1} >= 0 for every "
                   "non-negative pair of old levels is the first step's requirement). "
                   if three else "") +
                  "A^{-1} has the kernel g_m = g_0 lp^m (m >= 0), g_0 lm^-m (m < 0), the decay "
                  f"rates roots of modulus < 1 tied by a_1 lm = a_(-1) lp ({LAM} stands for "
                  "them); A^{-1} B >= 0 on the lattice iff the entries h_m, |m| <= R + 1, are "
                  "(beyond the stencil h_(m+2) = lp^2 h_m): these polynomials in "
                  f"{LAM} carry their signs", Check("definition"), uses=[i_w])


def _exact_implicit_2d(b: DerivationBuilder, scheme: Scheme, A: dict, blocks: list[dict],
                       i_w: int, params: tuple[sp.Symbol, ...], suff: sp.Basic
                       ) -> Derivation | None:
    """Two parameters: cylindrical cells over the second, exact sections in the first
    (:mod:`mcgen.analysis.implicit_positivity_2d`), presented when every end point is the root
    of a factor linear in the inner parameter; None otherwise."""
    for p, q in (params, params[::-1]):
        sec = sections(A, blocks, p, q)
        if sec is None or not sec.exact:
            continue
        shown = present(sec, p, q)
        if shown is None:
            continue
        expr, words = shown
        i_k = _kernel_step(b, A, blocks, i_w)
        b.step(expr, f"cylindrical cells over {q} (the critical polynomials projected: leading "
               f"coefficients, discriminants and resultants in {p}), each section decided "
               f"exactly in {p}: {words}",
               Check("implicit_kernel_region_2d", (A, blocks, p, q, expr)), uses=[i_k])
        same = check_region_equivalent(suff, expr, params) == "proved"
        bound = "coincides with it" if same else "is only sufficient"
        cond = Condition(expr, params, "positivity", "proved", sufficient=expr, necessary=expr,
                         name=region_name(scheme),
                         description=f"exact on the lattice (Cauchy problem): {words}; the "
                         f"M-matrix bound {sp.sstr(suff)} {bound}",
                         definitions=dict(scheme.definitions))
        return b.finish_concluded(cond)
    return None
