"""Exact linear regions: Fourier-Motzkin elimination over the rationals.

A region is a conjunction of linear constraints ``a . x + b >= 0`` (or ``> 0``) with rational
coefficients. Fourier-Motzkin elimination decides feasibility exactly (with strict inequalities
tracked), and from it: whether a constraint is implied (the system with its negation is empty),
which constraints are implicit equalities (the region is then of measure zero), and which are
redundant. Sizes in mcgen are small (a handful of parameters, a stencil's worth of weights), where
elimination is exact, simple and fast.

Booleans are converted to such conjunctions when they are: relationals with linear sides,
``Abs(f) <= g`` (two constraints), ``Eq`` (two), and powers ``v**k`` of a single variable that
occur only as that power in every constraint (``nu**2 <= 2*r``): substituting ``s = v**k`` (with
``s >= 0`` for even k) maps the region onto a linear one exactly, because v -> v**k is onto the
domain of s.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from mcgen.proof.check import register_check

# a constraint: (coefficients, constant, strict) meaning sum(a_i x_i) + b > 0 (strict) or >= 0
Constraint = tuple[tuple[Fraction, ...], Fraction, bool]


def _normalise(c: Constraint) -> Constraint:
    a, b, s = c
    scale = next((abs(v) for v in (*a, b) if v != 0), Fraction(1))
    return tuple(v / scale for v in a), b / scale, s


def feasible(constraints: list[Constraint], nvars: int) -> bool:
    """Exact feasibility of a conjunction of linear constraints (Fourier-Motzkin)."""
    cons = {_normalise(c) for c in constraints}
    for i in range(nvars):
        pos: list[Constraint] = []
        neg: list[Constraint] = []
        rest: list[Constraint] = []
        for c in cons:
            (pos if c[0][i] > 0 else neg if c[0][i] < 0 else rest).append(c)
        new = set(rest)
        for p in pos:
            for n in neg:
                lp, ln = p[0][i], -n[0][i]
                a = tuple(ln * x + lp * y for x, y in zip(p[0], n[0], strict=False))
                new.add(_normalise((a, ln * p[1] + lp * n[1], p[2] or n[2])))
        # a non-strict copy of a strict constraint is implied by it: keep the stronger one
        cons = {c for c in new if not (not c[2] and (c[0], c[1], True) in new)}
    return all((b > 0) if s else (b >= 0) for _, b, s in cons)


def negate(c: Constraint) -> Constraint:
    """not (a.x + b >= 0) is -a.x - b > 0; not (a.x + b > 0) is -a.x - b >= 0."""
    a, b, s = c
    return tuple(-v for v in a), -b, not s


def implies(constraints: list[Constraint], c: Constraint, nvars: int) -> bool:
    """Every point satisfying ``constraints`` satisfies ``c``."""
    return not feasible([*constraints, negate(c)], nvars)


def implicit_equalities(constraints: list[Constraint], nvars: int) -> list[int]:
    """Indices of non-strict constraints that hold with equality on the whole (non-empty) region."""
    out = []
    for i, (a, b, s) in enumerate(constraints):
        if not s and not feasible([*constraints, (a, b, True)], nvars):
            out.append(i)
    return out


def irredundant(constraints: list[Constraint], nvars: int, order: list[int] | None = None,
                keep_last: int = 0) -> list[int]:
    """Indices of constraints left after removing, in ``order``, each one the others imply."""
    alive = list(range(len(constraints)))
    for i in (order if order is not None else alive[:]):
        rest = [constraints[j] for j in alive if j != i]
        if i in alive and implies(rest, constraints[i], nvars):
            alive.remove(i)
    return alive


# ---------------------------------------------------------------- SymPy <-> constraints


def domain_constraints(var: sp.Symbol, k: int = 0, nvars: int = 1) -> list[Constraint]:
    """Sign constraints that the symbol's assumptions put on variable number ``k``."""
    e = tuple(Fraction(int(i == k)) for i in range(nvars))
    m = tuple(-v for v in e)
    z = Fraction(0)
    if var.is_positive:
        return [(e, z, True)]
    if var.is_nonnegative:
        return [(e, z, False)]
    if var.is_negative:
        return [(m, z, True)]
    if var.is_nonpositive:
        return [(m, z, False)]
    return []


def _linear(expr: sp.Expr, variables: tuple[sp.Symbol, ...]) -> tuple[tuple[Fraction, ...],
                                                                        Fraction] | None:
    try:
        p = sp.Poly(sp.expand(expr), *variables)
    except sp.PolynomialError:
        return None
    if p.total_degree() > 1:
        return None
    coeffs = []
    for v in variables:
        c = p.coeff_monomial(v)
        if not c.is_Rational:
            return None
        coeffs.append(Fraction(int(c.p), int(c.q)))
    b = p.coeff_monomial(1)
    if not b.is_Rational:
        return None
    return tuple(coeffs), Fraction(int(b.p), int(b.q))


def _abs_split(e: sp.Expr) -> list[sp.Expr] | None:
    """``e >= 0`` with e = g - sum c_i Abs(f_i), c_i > 0, as the conjunction over all signs."""
    e = sp.expand(e)
    absv = [t for t in e.atoms(sp.Abs)]
    if not absv:
        return [e]
    out = [e]
    for ab in absv:
        nxt = []
        for x in out:
            c = sp.expand(x).coeff(ab)
            if c.free_symbols or not (c.is_number and c < 0):
                return None  # Abs on the 'large' side: a union, not a convex set
            nxt += [x.subs(ab, ab.args[0]), x.subs(ab, -ab.args[0])]
        out = nxt
    return out


def boolean_to_constraints(expr: Any, variables: tuple[sp.Symbol, ...]
                           ) -> list[Constraint] | None:
    """A conjunction of linear constraints equivalent to ``expr``, or None when it is not one."""
    expr = sp.sympify(expr)
    if expr is sp.true:
        return []
    if expr is sp.false:
        z = tuple(Fraction(0) for _ in variables)
        return [(z, Fraction(-1), False)]
    parts = expr.args if isinstance(expr, sp.And) else (expr,)
    out: list[Constraint] = []
    for rel in parts:
        if not isinstance(rel, Relational):
            return None
        op, d = rel.rel_op, rel.lhs - rel.rhs
        if op in ("<=", "<"):
            items = [(-d, op == "<")]
        elif op in (">=", ">"):
            items = [(d, op == ">")]
        elif op == "==":
            items = [(d, False), (-d, False)]
        else:
            return None
        for e, strict in items:
            split = _abs_split(e)
            if split is None:
                return None
            for s in split:
                lin = _linear(s, variables)
                if lin is None:
                    return None
                out.append((lin[0], lin[1], strict))
    return out


def linearise(exprs: list[Any], variables: tuple[sp.Symbol, ...]
              ) -> tuple[list[Any], tuple[sp.Symbol, ...], list[Constraint]] | None:
    """Substitute ``s = v**k`` for variables that occur only as a fixed power k > 1.

    Returns the rewritten Booleans, the new variables and the domain constraints of the new
    variables (``s >= 0`` for even k plus the variables' own sign assumptions), or None.
    """
    exprs = [sp.sympify(e) for e in exprs]
    if any(e.has(sp.Max, sp.Min, sp.sign, sp.Heaviside, sp.Piecewise) for e in exprs):
        return None
    subs, kpow, newvars, doms = {}, {}, [], []
    for v in variables:
        powers = set()
        for e in exprs:
            for rel in e.atoms(Relational):
                for side in (rel.lhs, rel.rhs):
                    for term in sp.Add.make_args(sp.expand(side.replace(sp.Abs, lambda x: x))):
                        try:
                            powers.add(sp.degree(term, v) if term.has(v) else 0)
                        except sp.PolynomialError:
                            return None
        powers.discard(0)
        k = powers.pop() if len(powers) == 1 else 1
        if len(powers) > 0 or k == 1:
            newvars.append(v)
            continue
        s = sp.Symbol(f"{v.name}__pow{k}", nonnegative=(k % 2 == 0) or bool(v.is_nonnegative),
                      real=True)
        subs[v], kpow[v] = s, k
        newvars.append(s)
    if not subs:
        out = exprs
    else:
        out = [e.replace(lambda x: x.is_Pow and x.base in subs and x.exp.is_Integer,
                         lambda x: subs[x.base] ** (x.exp // kpow[x.base]))
               for e in exprs]
        if any(v in e.free_symbols for e in out for v in subs):
            return None
    nv = tuple(newvars)
    for i, v in enumerate(nv):
        doms += domain_constraints(v, i, len(nv))
    return out, nv, doms


def constraint_to_sympy(c: Constraint, variables: tuple[sp.Symbol, ...]) -> sp.Basic:
    a, b, s = c
    e = sum(sp.Rational(v.numerator, v.denominator) * x
            for v, x in zip(a, variables, strict=False)) + \
        sp.Rational(b.numerator, b.denominator)
    return sp.Gt(e, 0) if s else sp.Ge(e, 0)


# ---------------------------------------------------------------- checks


def _prepare(a: Any, b: Any, variables: tuple[sp.Symbol, ...]):
    lin = linearise([a, b], tuple(variables))
    if lin is None:
        return None
    (a2, b2), nv, doms = lin
    ca, cb = boolean_to_constraints(a2, nv), boolean_to_constraints(b2, nv)
    if ca is None or cb is None:
        return None
    return ca, cb, doms, len(nv)


@register_check("linear_implies",
                "a conjunction of linear constraints implies another (Fourier-Motzkin, exact)")
def check_linear_implies(a: Any, b: Any, variables: tuple[sp.Symbol, ...]) -> str:
    prep = _prepare(a, b, variables)
    if prep is None:
        return "unknown"
    ca, cb, doms, n = prep
    return "proved" if all(implies([*ca, *doms], c, n) for c in cb) else "refuted"


@register_check("linear_equivalent",
                "two conjunctions of linear constraints define the same region (Fourier-Motzkin)")
def check_linear_equivalent(a: Any, b: Any, variables: tuple[sp.Symbol, ...]) -> str:
    prep = _prepare(a, b, variables)
    if prep is None:
        return "unknown"
    ca, cb, doms, n = prep
    ok = all(implies([*ca, *doms], c, n) for c in cb) and \
        all(implies([*cb, *doms], c, n) for c in ca)
    return "proved" if ok else "refuted"


@register_check("linear_empty", "a conjunction of linear constraints is empty (Fourier-Motzkin)")
def check_linear_empty(a: Any, variables: tuple[sp.Symbol, ...]) -> str:
    prep = _prepare(a, sp.true, variables)
    if prep is None:
        return "unknown"
    ca, _, doms, n = prep
    return "refuted" if feasible([*ca, *doms], n) else "proved"
