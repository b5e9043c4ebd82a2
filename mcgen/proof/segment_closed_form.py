"""Closed forms of "Q(c) >= 0 for every c in [-1, 1]" when Q has degree <= 3 in c, with
coefficients polynomial in any number of parameters: a Boolean of polynomial sign conditions in
the parameters that holds exactly where Q >= 0 on [-1, 1] (no decomposition, no sampling).

The substitution c = (1 - s) / (1 + s) maps s in [0, oo) onto c in (-1, 1], and
R(s) = (1 + s)^n Q((1 - s) / (1 + s)) (n = 2 or 3) has the sign of Q there, so
Q >= 0 on [-1, 1] iff Q(-1) >= 0 and R >= 0 on [0, oo). R(0) = Q(1) and the coefficient of s^n
is Q(-1). With r_k the coefficients of R (r_0 = Q(1) >= 0, r_n = Q(-1) >= 0 assumed):

* n = 2: R >= 0 on [0, oo) iff r_1 >= 0 or r_1^2 <= 4 r_0 r_2 (with r_1 = 2 (q_0 - q_2),
  r_1^2 - 4 r_0 r_2 = 4 (q_1^2 - 4 q_0 q_2), the discriminant of Q). A quadratic with
  R(0) >= 0 and leading coefficient >= 0 dips below zero on (0, oo) iff its vertex lies there and
  it has two distinct real roots.
* n = 3: R >= 0 on [0, oo) iff
  (r_1 >= 0 and r_2 >= 0) or (r_3 > 0 and D <= 0 and (r_0 > 0 or r_1 != 0))
  or (r_3 = 0 and r_2 >= 0 and r_1^2 <= 4 r_0 r_2), D the discriminant of R as a cubic.
  Non-negative coefficients suffice. Otherwise, with r_3 > 0: the product of the roots is
  -r_0 / r_3 <= 0; D < 0 leaves one real root, <= 0; D = 0 a double root r and a simple t with
  r^2 t <= 0, so R = r_3 (s - r)^2 (s - t) >= 0 on [0, oo) unless r = 0 < t, that is
  r_0 = r_1 = 0 and r_2 < 0; D > 0 three distinct real roots, and unless all are <= 0 (then all
  coefficients are >= 0) two of them are positive and R < 0 between them. With r_3 = 0, R is the
  quadratic r_2 s^2 + r_1 s + r_0 of the case above (r_2 >= 0 needed for large s).

Each case is an equivalence, so the formula is the region itself; the check
``nonneg_on_segment_closed_form`` rebuilds it from Q and compares it with a claimed formula,
atom by atom up to positive factors and factoring (bounded by the size of Q).
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from mcgen.errors import DerivationFileError
from mcgen.proof.check import register_check

MAX_DEGREE_C = 3        # the closed forms below
MAX_TERMS = 400         # terms of Q (as in the plane decomposition's bounds)
MAX_COEFF_BITS = 256
# D has degree <= 4 dp in n parameters (dp the total degree of Q in them): at most
# binomial(4 dp + n, n) monomials, bounded so that building it stays well under a second
MAX_DISCRIMINANT_MONOMIALS = 2_000
MAX_FACTORED_TERMS = 200  # larger polynomials are shown expanded (factoring them takes seconds)


_NO_PARAMETER = sp.Dummy("k")


def _coefficients(Q: Any, c: sp.Symbol) -> list[Any]:
    """q_0..q_3 of Q in c as polynomials in its parameters (missing ones zero), within the work
    bounds, or a clear error."""
    Q = sp.sympify(Q)
    params = sorted(Q.free_symbols - {c}, key=lambda s: s.name)
    try:
        P = sp.Poly(Q, c, *params)
    except sp.PolynomialError as e:
        raise DerivationFileError(f"closed form on [-1, 1]: {sp.sstr(Q)[:80]} is not a "
                                  f"polynomial in {c} and its parameters") from e
    if not (P.domain.is_ZZ or P.domain.is_QQ):
        raise DerivationFileError("closed form on [-1, 1]: the polynomial has coefficients "
                                  f"outside the rationals ({P.domain})")
    big = max((max(abs(sp.Rational(a).p).bit_length(), sp.Rational(a).q.bit_length())
               for a in P.coeffs()), default=0)
    dp = max((sum(m[1:]) for m in P.monoms()), default=0)
    room = math.comb(4 * dp + len(params), len(params))
    if P.degree(c) > MAX_DEGREE_C or len(P.terms()) > MAX_TERMS or big > MAX_COEFF_BITS or \
            room > MAX_DISCRIMINANT_MONOMIALS:
        raise DerivationFileError(
            f"closed form on [-1, 1]: the polynomial has degree {P.degree(c)} in {c}, "
            f"{len(P.terms())} terms, {big}-bit coefficients and total degree {dp} in "
            f"{len(params)} parameters; the closed forms cover degree <= {MAX_DEGREE_C} in {c}, "
            f"{MAX_TERMS} terms, {MAX_COEFF_BITS}-bit coefficients, and binomial(4 * degree + "
            f"parameters, parameters) <= {MAX_DISCRIMINANT_MONOMIALS} (here {room})")
    # sparse arithmetic (the discriminant of dense coefficients is slow in dense form)
    ring = sp.ring(tuple(params) or (_NO_PARAMETER,), sp.QQ)[0]
    parts: list[dict] = [{} for _ in range(MAX_DEGREE_C + 1)]
    for (k, *m), a in P.terms():
        parts[k][tuple(m) if params else (0,)] = sp.QQ(a.p, a.q) if a.is_Rational else a
    return [ring.from_dict(d) for d in parts]


def _cubic_coefficients(q: list[Any]) -> tuple[Any, ...]:
    """r0, r1, r2, r3 of R(s) = (1 + s)^3 Q((1 - s)/(1 + s)) = sum r_k s^k, and D, the
    discriminant of R as a cubic in s, from the coefficients q0..q3 of Q."""
    q0, q1, q2, q3 = q
    r0, r3 = q0 + q1 + q2 + q3, q0 - q1 + q2 - q3
    r1 = 3 * q0 + q1 - q2 - 3 * q3
    r2 = 3 * q0 - q1 - q2 + 3 * q3
    D = r2**2 * r1**2 - 4 * r3 * r1**3 - 4 * r2**3 * r0 - 27 * r3**2 * r0**2 \
        + 18 * r3 * r2 * r1 * r0
    return r0, r1, r2, r3, D


def _rel(op: type, e: Any) -> sp.Basic:
    """op(e, 0), left to SymPy's assumptions (a parameter's declared sign decides it) only when
    e is small: asking them about a large polynomial takes seconds."""
    x = e.as_expr()
    return op(x, 0) if len(e.terms()) <= 6 else op(x, 0, evaluate=False)


def segment_closed_form(Q: Any, c: sp.Symbol) -> sp.Basic:
    """The Boolean of polynomial sign conditions in Q's parameters that holds exactly where
    Q(c) >= 0 for every c in [-1, 1] (Q of degree <= 3 in c; see the module docstring)."""
    q0, q1, q2, q3 = q = _coefficients(Q, c)
    ends = [_rel(sp.Ge, q0 + q1 + q2 + q3), _rel(sp.Ge, q0 - q1 + q2 - q3)]
    if not q3 and not q2:  # linear: the two ends
        return sp.And(*ends)
    if not q3:
        return sp.And(*ends, sp.Or(_rel(sp.Ge, q0 - q2), _rel(sp.Le, q1**2 - 4 * q0 * q2)))
    r0, r1, r2, r3, D = _cubic_coefficients(q)
    return sp.And(*ends, sp.Or(
        sp.And(_rel(sp.Ge, r1), _rel(sp.Ge, r2)),
        sp.And(_rel(sp.Gt, r3), _rel(sp.Le, D), sp.Or(_rel(sp.Gt, r0), _rel(sp.Ne, r1))),
        sp.And(_rel(sp.Eq, r3), _rel(sp.Ge, r2), _rel(sp.Le, r1**2 - 4 * r0 * r2))))


def closed_form_words(Q: Any, c: sp.Symbol) -> str:
    """The closed form of :func:`segment_closed_form` in words, its pieces named and factored."""
    q0, q1, q2, q3 = q = _coefficients(Q, c)

    def f(e: Any) -> str:
        return sp.sstr(sp.factor(e.as_expr()))

    head = f"Q(1) = {f(q0 + q1 + q2 + q3)} >= 0 and Q(-1) = {f(q0 - q1 + q2 - q3)} >= 0"
    if not q3 and not q2:
        return head
    if not q3:
        return (f"{head} and (q0 - q2 = {f(q0 - q2)} >= 0 or the discriminant q1^2 - 4 q0 q2 = "
                f"{f(q1**2 - 4 * q0 * q2)} <= 0), q_k the coefficients of c^k in Q")
    _, r1, r2, _, D = _cubic_coefficients(q)
    return (f"{head} and (r1 >= 0 and r2 >= 0, or Q(-1) > 0, D <= 0 and (Q(1) > 0 or "
            "r1 != 0), or Q(-1) = 0, r2 >= 0 and r1^2 <= 4 Q(1) r2), where r1 = "
            f"{f(r1)}, r2 = {f(r2)} are the coefficients of s and s^2 in "
            "(1 + s)^3 Q((1 - s)/(1 + s)) and D its discriminant (total degree "
            f"{max((sum(m) for m in D.monoms()), default=0)} in the parameters)")


_FLIP = {sp.GreaterThan: sp.LessThan, sp.LessThan: sp.GreaterThan,
         sp.StrictGreaterThan: sp.StrictLessThan, sp.StrictLessThan: sp.StrictGreaterThan,
         sp.Equality: sp.Equality, sp.Unequality: sp.Unequality}


def _primitive(r: Relational) -> tuple[type, sp.Poly] | None:
    """r as (op, a primitive integer polynomial with a positive leading coefficient) for
    ``op(poly, 0)``, the relation flipped when the polynomial was negated; None for a number."""
    e = r.lhs - r.rhs
    syms = sorted(e.free_symbols, key=lambda s: s.name)
    if not syms:
        return None
    P = sp.Poly(e, *syms)  # expanded in the polynomial ring, not as an expression (faster)
    if P.is_ground:
        return None
    _, P = P.clear_denoms()
    P = P.primitive()[1]
    op = type(r)
    if P.LC() < 0:
        P, op = -P, _FLIP[op]
    return op, P


def _canonical(region: sp.Basic) -> Any:
    """A comparable form of a Boolean of polynomial relations: And/Or as (kind, frozenset of
    parts), each relation as (op, the terms of its primitive polynomial) (positive scaling,
    negation with a flipped relation and factoring do not change it)."""
    if isinstance(region, (sp.And, sp.Or)):
        return (type(region).__name__, frozenset(_canonical(a) for a in region.args))
    if isinstance(region, Relational):
        n = _primitive(region)
        if n is None:
            return bool(region.func(sp.sympify(region.lhs - region.rhs), 0))
        op, P = n
        return (op.__name__, tuple(str(g) for g in P.gens), frozenset(P.terms()))
    if region in (sp.true, sp.false):
        return bool(region)
    raise DerivationFileError(f"closed form on [-1, 1]: {sp.sstr(region)[:80]} is not a "
                              "Boolean of polynomial relations")


def presented(region: sp.Basic) -> sp.Basic:
    """The same formula for reading: each relation's polynomial made primitive with a positive
    leading coefficient (the relation flipped as needed), then factored when it is small
    enough for factoring to be quick."""
    def fac(r: Relational) -> sp.Basic:
        n = _primitive(r)
        if n is None:
            return r
        op, P = n
        lhs = sp.factor(P.as_expr()) if len(P.terms()) <= MAX_FACTORED_TERMS else P.as_expr()
        return op(lhs, 0, evaluate=False)
    return region.replace(lambda e: isinstance(e, Relational), fac)


@register_check("nonneg_on_segment_closed_form",
                "the parameters where a polynomial of degree <= 3 in c is >= 0 on [-1, 1], by "
                "closed forms (c = (1 - s)/(1 + s), then the signs of the coefficients and the "
                "discriminant)")
def check_segment_closed_form(Q: Any, c: sp.Symbol, claimed: Any) -> str:
    truth = _canonical(segment_closed_form(Q, c))
    # a formula built otherwise may be equivalent: not decided here (never "refuted")
    return "proved" if _canonical(sp.sympify(claimed)) == truth else "unknown"
