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

import math
from fractions import Fraction

import sympy as sp

from mcgen.analysis.region_presentation import present_polynomial_region, set_to_condition
from mcgen.analysis.region_presentation import relation as _rel
from mcgen.errors import AnalysisError
from mcgen.model.read import Read, reads_of
from mcgen.model.scheme import Scheme
from mcgen.proof import lp
from mcgen.proof.check import Check
from mcgen.proof.condition import Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder
from mcgen.proof.sturm import _domain, finite_region, relational_set

_PIECEWISE = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside)


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


def region_name(scheme: Scheme) -> str:
    """Name a positivity/stability region for what it is: CFL, cell-Peclet, diffusion number."""
    law = scheme.law
    adv = diff = False
    if law is not None:
        adv = any(f != 0 for f in law.flux) or any(b != 0 for b in law.drift)
        diff = law.diffusion is not None and any(e != 0 for e in law.diffusion)
    else:
        names = {p.name.split("_")[0] for p in scheme.params}
        adv, diff = "nu" in names, "r" in names
    if adv and diff:
        return "cell-Peclet and diffusion-number condition"
    if diff:
        return "diffusion-number condition"
    if adv:
        return "CFL condition"
    return "positivity condition"


# ---------------------------------------------------------------- presentation helpers


def _int_form(c: lp.Constraint, vs: tuple[sp.Symbol, ...]) -> tuple[sp.Expr, sp.Expr, bool]:
    """(variable part V, constant b, strict) with integer coefficients, meaning V + b >= 0."""
    a, b, s = c
    den = math.lcm(*[x.denominator for x in (*a, b)])
    ints = [int(x * den) for x in a]
    bi = int(b * den)
    g = math.gcd(*ints, bi) or 1
    V = sum(sp.Integer(k // g) * v for k, v in zip(ints, vs, strict=False))
    return V, sp.Integer(bi // g), s


def present_linear(cons: list[lp.Constraint], vs: tuple[sp.Symbol, ...]
                   ) -> tuple[sp.Basic, str]:
    """Plainest form of irredundant linear constraints: Abs pairs, chains, bounds."""
    forms = [_int_form(c, vs) for c in cons]
    used = [False] * len(forms)
    pieces: list[tuple[sp.Basic, str]] = []
    pairs = [(i, j) for i in range(len(forms)) for j in range(i + 1, len(forms))]
    for i, j in pairs:
        if used[i] or used[j] or forms[i][2] != forms[j][2]:
            continue
        Li, Lj = forms[i][0] + forms[i][1], forms[j][0] + forms[j][1]
        A, B = sp.expand((Li + Lj) / 2), sp.expand((Li - Lj) / 2)
        if len(B.free_symbols) != 1 or B.free_symbols & A.free_symbols:
            continue
        (v,) = B.free_symbols
        k = B.coeff(v)
        if B != k * v or not k.is_number:
            continue
        op = "<" if forms[i][2] else "<="
        used[i] = used[j] = True
        lhs = sp.Abs(v) if A.is_number else sp.Abs(k * v)
        rhs = A / abs(k) if A.is_number else A
        # a chain: another constraint bounding A from above, b - lam*A >= 0
        chain = ""
        chain_rel = None
        for m, (V, b, s) in enumerate(forms):
            if used[m] or A.is_number:
                continue
            lam = sp.simplify(-V / A)
            if lam.is_number and lam > 0:
                used[m] = True
                chain_rel = _rel(A, "<" if s else "<=", b / lam)
                chain = f" {'<' if s else '<='} {b / lam}"
                break
        rel = _rel(lhs, op, rhs)
        pieces.append((sp.And(rel, chain_rel) if chain_rel is not None else rel,
                       f"{sp.sstr(lhs)} {op} {sp.sstr(rhs)}{chain}"))
    bounds: dict[sp.Symbol, dict[str, list]] = {}
    others: list[tuple[sp.Basic, str]] = []
    for m, (V, b, s) in enumerate(forms):
        if used[m]:
            continue
        fs = V.free_symbols
        if len(fs) == 1:
            (v,) = fs
            k = V.coeff(v)
            bound = -b / k
            side = "lo" if k > 0 else "hi"
            bounds.setdefault(v, {"lo": [], "hi": []})[side].append((bound, s))
            continue
        # V + b >= 0 with several variables: write as (positive part) <= b or >= -b
        g = math.gcd(*[int(V.coeff(v)) for v in fs])
        Vn, bn = V / g, b / g
        op = "<" if s else "<="
        if bn > 0 or (bn == 0 and sum(Vn.coeff(v) < 0 for v in fs) > len(fs) / 2):
            pieces_rel = _rel(-Vn, op, bn)
            others.append((pieces_rel, f"{sp.sstr(-Vn)} {op} {bn}"))
        else:
            others.append((_rel(Vn, ">" if s else ">=", -bn), f"{sp.sstr(Vn)} "
                           f"{'>' if s else '>='} {-bn}"))
    for v, lh in bounds.items():
        lo = max(lh["lo"], key=lambda t: t[0]) if lh["lo"] else None
        hi = min(lh["hi"], key=lambda t: t[0]) if lh["hi"] else None
        rels, text = [], ""
        if lo is not None:
            rels.append(_rel(lo[0], "<" if lo[1] else "<=", v))
            text = f"{lo[0]} {'<' if lo[1] else '<='} {v}"
        if hi is not None:
            rels.append(_rel(v, "<" if hi[1] else "<=", hi[0]))
            text = (text or str(v)) + f" {'<' if hi[1] else '<='} {hi[0]}"
        if lo is not None and hi is not None and lo[0] == -hi[0] and lo[1] == hi[1]:
            rels = [_rel(sp.Abs(v), "<" if hi[1] else "<=", hi[0])]
            text = f"|{v}| {'<' if hi[1] else '<='} {hi[0]}"
        pieces.append((sp.And(*rels), text))
    pieces += others
    if not pieces:
        return sp.true, "every parameter value"
    return sp.And(*[p[0] for p in pieces]), ", ".join(p[1] for p in pieces)


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
        _RESULTS[scheme.hash] = _positivity_region(scheme)
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
    if sp.simplify(total - 1) == 0:
        i_sum = b.identity(sp.Add(*W.values(), evaluate=False), 1,
                           f"constant coefficients: the {sums} of the transition matrix "
                           f"({reading} reading) all equal sum_k w_k = 1", uses=[i_w])
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
    if not params and any(scheme.dt in sp.sympify(w).free_symbols for w in W.values()):
        params = (scheme.dt,)  # weights written in dt and the grid steps: solve for dt
    expr, words, check, extra = _solve(raw_parts, params)
    i_form = b.step(expr, f"plainest equivalent form: {words}", check, uses=[i_raw])
    if extra:
        b.step(extra, "the region's size", Check("follows"), uses=[i_form])
    name = region_name(scheme)
    full_dim = not (isinstance(expr, sp.Or) or isinstance(expr, sp.Eq) or expr is sp.false
                    or words.startswith("measure zero"))
    theorem = ("inside the region u^{n+1}_j is a convex combination of old values: "
               "min u <= u^{n+1} <= max u (maximum principle), ||u^{n+1}||_inf <= ||u^n||_inf "
               "(l-inf stability) and, with constant coefficients, |G(theta)| <= sum_k |w_k| "
               "= sum_k w_k = 1 (L2 stability)")
    b.step(theorem, "convexity of the update (triangle inequality for the Fourier symbol)",
           Check("follows"), uses=[i_sum, i_form])
    cond = Condition(expr, params, "positivity", "proved", sufficient=expr, necessary=expr,
                     name=name, description=words if full_dim or "measure" in words
                     or "empty" in words else words,
                     definitions=dict(scheme.definitions))
    return b.finish(cond)


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
        from mcgen.proof.sturm import check_region_equivalent
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
            V, b, _ = _int_form(allc[i], params)
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
    """Two-level implicit A u^{n+1} = B u^n: a sufficient condition by M-matrix theory.

    If A has a positive diagonal, non-positive off-diagonal weights and row sum > 0 (strict
    diagonal dominance), A^{-1} >= 0; with B >= 0 and equal row sums, A^{-1} B is stochastic and
    non-negative. Necessity is not analysed (Crank-Nicolson stays positive somewhat beyond r = 1 on
    the infinite lattice), so the condition's status is ``unknown`` with a proved sufficient set.
    """
    e = scheme.update[scheme.fields[0]]
    expr = sp.expand(e.lhs - e.rhs)
    full = scheme.linear_weights_full()
    if full is None or any(k[3] not in (0, 1) for k in full):
        raise AnalysisError(f"scheme {scheme.name!r}: only linear two-level implicit schemes")
    A = {k[2]: w for k, w in full.items() if k[3] == 1}
    B = {k[2]: -w for k, w in full.items() if k[3] == 0}
    zero = (0,) * scheme.dim
    b = DerivationBuilder(f"Positivity of {scheme.name or 'scheme'} (implicit)",
                          meta={"scheme_hash": scheme.hash})
    i_w = b.identity(expr, sp.expand(sum(w * Read(scheme.fields[0], k, 1) for k, w in A.items())
                                     - sum(w * Read(scheme.fields[0], k, 0)
                                           for k, w in B.items())),
                     "A u^{n+1} = B u^n: the weights of each level", claim={"A": A, "B": B})
    sa, sb = sp.simplify(sum(A.values())), sp.simplify(sum(B.values()))
    b.identity(sa, sb, "equal row sums of A and B: A^{-1} B has rows summing to one",
               uses=[i_w])
    parts = [sp.Ge(w, 0) for w in B.values()] + \
        [sp.Le(w, 0) for k, w in A.items() if k != zero] + [sp.Gt(A.get(zero, 0), 0), sp.Gt(sa, 0)]
    parts = [p for p in parts if p is not sp.true]
    if any(p is sp.false for p in parts):
        parts = [sp.false]
    raw = sp.And(*parts)
    i_raw = b.step(raw, "B >= 0 and A an M-matrix (positive diagonal, non-positive "
                   "off-diagonals, strictly diagonally dominant)", Check("definition"),
                   uses=[i_w])
    params = tuple(p for p in scheme.params if raw.has(p))
    ex, words, check, _ = _solve([p for p in (raw.args if isinstance(raw, sp.And) else (raw,))],
                                 params)
    i_f = b.step(ex, f"plainest equivalent form: {words}", check, uses=[i_raw])
    b.step("then A^{-1} >= 0 and u^{n+1} = A^{-1} B u^n is a convex combination (maximum "
           "principle); necessity is not analysed", "M-matrix theory (sufficient condition)",
           Check("follows"), uses=[i_f])
    cond = Condition(ex, params, "positivity", "unknown", sufficient=ex, necessary=None,
                     name=region_name(scheme),
                     description=f"sufficient (M-matrix): {words}; necessity not analysed",
                     definitions=dict(scheme.definitions))
    return b.finish(cond)
