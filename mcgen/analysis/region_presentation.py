"""Regions in parameter space, presented: the plainest equivalent form of a conjunction of
polynomial or linear inequalities, named for what it is (CFL, cell-Peclet, diffusion number).

Shared by the positivity and von Neumann analyses (one place for the presentation rules: bounds
of one variable merged into chains, pairs symmetric under a sign flip merged into ``Abs``, factors
of known sign dropped, redundant conjuncts removed by exact region checks).
"""

from __future__ import annotations

import math
from typing import Any, cast

import sympy as sp
from sympy.core.relational import Relational

from mcgen.model.scheme import Scheme
from mcgen.proof import cad2, lp
from mcgen.proof.sturm import _domain, check_region_equivalent, check_region_implies, relational_set


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


def relation(lhs: Any, op: str, rhs: Any) -> sp.Basic:
    # unevaluated, so that a bound implied by a symbol's declared sign stays visible (and is
    # still tested by Condition.holds for values outside the declared domain)
    return {"<=": sp.Le, "<": sp.Lt, ">=": sp.Ge, ">": sp.Gt, "==": sp.Eq}[op](lhs, rhs,
                                                                           evaluate=False)


def set_to_condition(s: sp.Set, v: sp.Symbol) -> tuple[sp.Basic, str]:
    """(Boolean, plain words) for a subset of the real line, e.g. ``Abs(nu) <= 1``."""
    if s.is_empty:
        return sp.false, f"empty: no value of {v} qualifies"
    if isinstance(s, sp.FiniteSet):
        pts = sorted(s, key=lambda x: sp.N(x))
        expr = sp.Or(*[sp.Eq(v, p) for p in pts])
        return expr, f"measure zero: {v} in {{{', '.join(map(str, pts))}}}"
    if isinstance(s, sp.Interval):
        lo, hi = s.start, s.end
        lop = "<" if s.left_open else "<="
        hop = "<" if s.right_open else "<="
        dom = _domain(v)
        if lo.is_finite and hi.is_finite and lo == -hi and lop == hop:
            return relation(sp.Abs(v), hop, hi), f"|{v}| {hop} {hi}"
        lo_shown = lo.is_finite and not (lo == dom.inf and s.left_open == dom.left_open)
        parts, words = [], []
        if lo.is_finite and (lo_shown or lo == 0):
            parts.append(relation(lo, lop, v))
        if hi.is_finite:
            parts.append(relation(v, hop, hi))
        if not parts:
            return sp.true, f"every {v}"
        if len(parts) == 2:
            words.append(f"{lo} {lop} {v} {hop} {hi}")
        elif hi.is_finite:
            words.append(f"{v} {hop} {hi}")
        else:
            words.append(f"{v} {'>' if s.left_open else '>='} {lo}")
        return sp.And(*parts), words[0]
    if isinstance(s, sp.Union):
        items = [set_to_condition(a, v) for a in s.args]
        return sp.Or(*[i[0] for i in items]), " or ".join(i[1] for i in items)
    return s.as_relational(v), sp.sstr(s.as_relational(v))


def int_form(c: lp.Constraint, vs: tuple[sp.Symbol, ...]) -> tuple[sp.Expr, sp.Expr, bool]:
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
    forms = [int_form(c, vs) for c in cons]
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
                chain_rel = relation(A, "<" if s else "<=", b / lam)
                chain = f" {'<' if s else '<='} {b / lam}"
                break
        rel = relation(lhs, op, rhs)
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
        if bn > 0 or (bn == 0 and sum(bool(Vn.coeff(v) < 0) for v in fs) > len(fs) / 2):
            pieces_rel = relation(-Vn, op, bn)
            others.append((pieces_rel, f"{sp.sstr(-Vn)} {op} {bn}"))
        else:
            others.append((relation(Vn, ">" if s else ">=", -bn), f"{sp.sstr(Vn)} "
                           f"{'>' if s else '>='} {-bn}"))
    for v, lh in bounds.items():
        lo = max(lh["lo"], key=lambda t: t[0]) if lh["lo"] else None
        hi = min(lh["hi"], key=lambda t: t[0]) if lh["hi"] else None
        rels, text = [], ""
        if lo is not None:
            rels.append(relation(lo[0], "<" if lo[1] else "<=", v))
            text = f"{lo[0]} {'<' if lo[1] else '<='} {v}"
        if hi is not None:
            rels.append(relation(v, "<" if hi[1] else "<=", hi[0]))
            text = (text or str(v)) + f" {'<' if hi[1] else '<='} {hi[0]}"
        if lo is not None and hi is not None and lo[0] == -hi[0] and lo[1] == hi[1]:
            rels = [relation(sp.Abs(v), "<" if hi[1] else "<=", hi[0])]
            text = f"|{v}| {'<' if hi[1] else '<='} {hi[0]}"
        pieces.append((sp.And(*rels), text))
    pieces += others
    if not pieces:
        return sp.true, "every parameter value"
    return sp.And(*[p[0] for p in pieces]), ", ".join(p[1] for p in pieces)



def _solve_factor(h: sp.Expr, params: tuple[sp.Symbol, ...]) -> list[tuple[Any, ...]]:
    """h >= 0 as bounds ('lo'|'hi', var, bound) or ('rel', Boolean, words)."""
    fs = [p for p in params if h.has(p)]
    if len(fs) == 1:
        v = fs[0]
        s = relational_set(sp.Ge(h, 0), v).intersect(_domain(v))
        if isinstance(s, sp.Interval) and not s.left_open and not s.right_open and \
                not (s.start.is_finite and s.end.is_finite and s.start == -s.end):
            out = []
            if s.start.is_finite:
                out.append(("lo", v, s.start))
            if s.end.is_finite:
                out.append(("hi", v, s.end))
            return out
        return [("rel", *set_to_condition(s, v))]
    poly = sp.Poly(h, *fs)
    if poly.total_degree() == 1:
        g = sp.gcd_list([abs(poly.coeff_monomial(v)) for v in fs])
        poly = sp.Poly(sp.expand(h / g), *fs)
        const = poly.coeff_monomial(1)
        V = sp.expand(h / g - const)
        if const >= 0:
            return [("rel", sp.Le(-V, const), f"{sp.sstr(-V)} <= {const}")]
        return [("rel", sp.Ge(V, -const), f"{sp.sstr(V)} >= {-const}")]
    terms = sp.Add.make_args(sp.expand(h))
    const = sum((t for t in terms if not t.free_symbols), sp.Integer(0))
    mons = [t for t in terms if t.free_symbols]
    if const > 0 and all(len(t.free_symbols) == 1 and t.as_coeff_Mul()[0] < 0 and
                         t.as_coeff_Mul()[1].is_Pow or t.as_coeff_Mul()[1].is_Symbol
                         for t in mons) and all(t.as_coeff_Mul()[0] < 0 for t in mons):
        lhs = sp.Add(*[-t for t in mons])
        g = sp.gcd_list([t.as_coeff_Mul()[0] for t in mons])
        return [("rel", sp.Le(lhs / g, const / g), f"{sp.sstr(lhs / g)} <= {const / g}")]
    for v in fs:
        if sp.degree(h, v) == 1:
            k = h.coeff(v)
            rest = sp.expand(h - k * v)
            if k.is_number:
                return [("lo" if k > 0 else "hi", v, sp.factor(-rest / k))]
    for v in fs:
        if sp.degree(h, v) == 1 and v.is_nonnegative:
            k = h.coeff(v)
            rest = sp.expand(h - k * v)
            others = k.free_symbols & set(params)
            if rest.is_number and rest > 0 and len(others) == 1:
                (w,) = others
                kset = relational_set(sp.Ge(k, 0), w).intersect(_domain(w))
                kc, kw = set_to_condition(kset, w)
                bound = rest / sp.expand(-k)  # 1/(2 - 4*theta) rather than -1/(2*(2*theta - 1))
                # k v + rest >= 0 with rest > 0 and v >= 0: automatic where k >= 0
                return [("rel", sp.Or(kc, sp.Le(v, bound)),
                         f"{kw} (every {v}), or else {v} <= {sp.sstr(bound)}")]
    return [("rel", sp.Ge(h, 0), f"{sp.sstr(h)} >= 0")]


def present_polynomial_region(conds: list[sp.Expr], params: tuple[sp.Symbol, ...]
                              ) -> tuple[sp.Basic, str]:
    """Plain form of a conjunction of ``f >= 0`` (polynomials in the parameters): factors of
    known sign dropped, one-variable factors solved, linear ones solved for a variable, bounds
    of one variable merged into a chain (``nu**2 <= 2*r <= 1``)."""
    items: list[tuple[Any, ...]] = []
    for f in conds:
        f = sp.factor(f)
        if f.is_nonnegative:
            continue
        if len(f.free_symbols & set(params)) == 1:
            items += _solve_factor(f, params)
            continue
        const, facs = sp.factor_list(f)
        keep = [(g, e) for g, e in facs if not (g.is_positive or (e % 2 == 0) or
                                                 (g.is_nonnegative and len(facs) > 1))]
        h = sp.sign(const) * sp.Mul(*[g ** (e % 2 or 1) for g, e in keep])
        if h.is_nonnegative or h == 1:
            continue
        if not h.free_symbols:  # only factors of known sign were left: keep f as it is
            items.append(("rel", sp.Ge(f, 0), f"{sp.sstr(f)} >= 0"))
            continue
        items += _solve_factor(sp.expand(h) if len(h.free_symbols) > 1 and
                               sp.Poly(h, *h.free_symbols).total_degree() == 1 else h, params)
    by_var: dict[sp.Symbol, dict[str, list[sp.Expr]]] = {}
    exprs, texts = [], []
    for it in items:
        if it[0] == "rel":
            exprs.append(it[1])
            texts.append(it[2])
        else:
            by_var.setdefault(it[1], {"lo": [], "hi": []})[it[0]].append(it[2])
    for v, lh in by_var.items():
        lo = _tightest(lh["lo"], +1)
        hi = _tightest(lh["hi"], -1)
        den = sp.ilcm(1, 1, *[sp.fraction(sp.together(x))[1] for x in lo + hi if
                              sp.fraction(sp.together(x))[1].is_number])
        if len(lo) == 1 and len(hi) == 1 and lo[0] == -hi[0]:
            exprs.append(sp.Le(sp.Abs(v), hi[0]))
            texts.append(f"|{v}| <= {hi[0]}")
            continue
        parts = [sp.Le(x, v, evaluate=False) for x in lo] + \
            [sp.Le(v, x, evaluate=False) for x in hi]
        exprs += parts
        if len(lo) <= 1 and len(hi) <= 1:
            texts.append("".join(f"{sp.sstr(sp.expand(den * x))} <= " for x in lo)
                         + sp.sstr(den * v)
                         + "".join(f" <= {sp.sstr(sp.expand(den * x))}" for x in hi))
        else:
            texts += [sp.sstr(p) for p in parts]
    if not exprs:
        return sp.true, "every parameter value"
    return sp.And(*exprs), ", ".join(dict.fromkeys(texts))


def drop_redundant(conds: list[sp.Basic], params: tuple[sp.Symbol, ...]) -> list[sp.Basic]:
    """Remove conjuncts implied by the others: linear ones by Fourier-Motzkin (with the
    symbols' signs), then each non-linear one if the rest implies it (exact region checks)."""
    lin: list[sp.Basic] = []
    nonlin: list[sp.Basic] = []
    for c in conds:
        (lin if lp.boolean_to_constraints(c, params) is not None else nonlin).append(c)
    if lin:
        cons = [cast(list[lp.Constraint], lp.boolean_to_constraints(c, params)) for c in lin]
        flat = [(i, k) for i, cs in enumerate(cons) for k in cs]
        n = len(params)
        bg = [k for i, v in enumerate(params) for k in lp.domain_constraints(v, i, n)]
        allc = bg + [k for _, k in flat]
        keep = lp.irredundant(allc, n, list(range(len(allc))))
        kept_idx = {flat[j - len(bg)][0] for j in keep if j >= len(bg)}
        lin = [c for i, c in enumerate(lin) if i in kept_idx]
    out = lin + nonlin
    for c in nonlin:
        rest = [x for x in out if x is not c]
        if rest and check_region_implies(sp.And(*rest), c, params) == "proved":
            out = rest
    return out


def _tightest(bounds: list[sp.Expr], direction: int) -> list[sp.Expr]:
    """Drop a lower (upper) bound that another dominates by the symbols' signs."""
    out = list(dict.fromkeys(bounds))
    changed = True
    while changed and len(out) > 1:
        changed = False
        for a in out:
            for b in out:
                if a is b:
                    continue
                if sp.factor(direction * (a - b)).is_nonnegative:
                    out.remove(b)
                    changed = True
                    break
            if changed:
                break
    return out


def set_relation(s: sp.Set, v: sp.Symbol) -> sp.Basic:
    return set_to_condition(s, v)[0]


def present_relations(rels: list[sp.Basic], params: tuple) -> tuple[sp.Basic, str]:
    polys, others = [], []
    for r in rels:
        if isinstance(r, sp.GreaterThan) and r.rhs == 0:
            polys.append(r.lhs)
        else:
            others.append(r)
    expr, words = present_polynomial_region(polys, params)
    if others:
        expr = sp.And(expr, *others)
        words = ", ".join([words] + [sp.sstr(o) for o in others])
    if check_region_equivalent(sp.And(*rels), expr, params) != "proved":
        return sp.And(*rels), sp.sstr(sp.And(*rels))
    return expr, words



def single_relation_form(region: sp.Basic, params: tuple[sp.Symbol, ...]
                         ) -> tuple[sp.Basic, str] | None:
    """One closed relation among the region's atoms that describes it exactly (an exact region
    check), or None. Unions of chart-wise regions often collapse so: unsplit 2-D Lax-Wendroff's
    long-wave charts to the astroid (polynomial atoms, highest degree tried first)."""
    if not isinstance(region, (sp.And, sp.Or)):
        return None
    polys: dict[sp.Expr, None] = {}
    others: dict[sp.Basic, None] = {}
    for a in region.atoms(Relational):
        if isinstance(a, (sp.GreaterThan, sp.StrictGreaterThan)):
            g = sp.expand(a.lhs - a.rhs)
        elif isinstance(a, (sp.LessThan, sp.StrictLessThan)):
            g = sp.expand(a.rhs - a.lhs)
        else:
            continue
        if g.free_symbols and g.is_polynomial(*params):
            polys[g] = None
        elif g.free_symbols:
            others[a] = None
    cands = [(sp.Ge(g, 0), g) for g in sorted(polys, key=lambda e: (
        -sp.Poly(e, *params).total_degree(), sp.default_sort_key(e)))]
    cands += [(a, None) for a in sorted(others, key=sp.default_sort_key)]
    for cand, g in cands:
        if cand in (sp.true, sp.false) or \
                check_region_equivalent(region, cand, params) != "proved":
            continue
        if g is None:
            return cand, sp.sstr(cand)
        lead = sp.Poly(g, *params).LC()
        return cand, f"{sp.sstr(-g)} <= 0" if lead < 0 else f"{sp.sstr(g)} >= 0"
    return None


def plane_region(Q: sp.Expr, c: sp.Symbol, params: tuple[sp.Symbol, ...],
                 budget_s: float = 20.0) -> dict[str, Any] | None:
    """{params : Q >= 0 on [-1, 1]} in two parameters, exact (a cylindrical decomposition of the
    parameter plane, :mod:`mcgen.proof.cad2`), presented plainly; None when it is out of reach
    (time budget, a cell not decided, or no formula over sign conditions separates the cells).

    Returns ``expr`` (the region, checked against every cell), ``words``, ``n_cells`` and
    ``witnesses`` (rational parameter points outside with a growing mode c0)."""
    p, q = params
    try:
        with cad2.budget(budget_s):
            cells, formula = cad2.decide_region(Q, c, p, q, budget_s)
            wit = [({p: cl.sample[0], q: cl.sample[1]}, cl.mode) for cl in cells.cells
                   if cl.inside is False and cl.dim == 2 and cl.mode is not None]
            base = cells.polys
            if formula is not None:
                expr, words = _presented(Q, c, params, formula, "equal", budget_s, base)
                return {"expr": expr, "words": words, "n_cells": len(cells.cells),
                        "witnesses": wit, "exact": True, "polys": base}
            bounds = cad2.region_bounds(cells, p, q)
            if bounds is None:
                return None
            inner = _presented(Q, c, params, bounds[0], "inside", budget_s, base)
            outer = _presented(Q, c, params, bounds[1], "contains", budget_s, base)
    except cad2.BudgetExceeded:
        return None
    return {"sufficient": inner, "necessary": outer, "n_cells": len(cells.cells),
            "witnesses": wit, "exact": False, "polys": base}


def _presented(Q: sp.Expr, c: sp.Symbol, params: tuple[sp.Symbol, ...], formula: sp.Basic,
               relation: str, budget_s: float, base: tuple[sp.Expr, ...]
               ) -> tuple[sp.Basic, str]:
    """The plainest form of a region formula that still passes the exact cell check."""
    expr, words = formula, sp.sstr(formula)
    closed = formula.replace(sp.StrictLessThan, sp.LessThan).replace(
        sp.StrictGreaterThan, sp.GreaterThan)
    if closed != formula:  # the region is closed: its formula's closure often describes it
        bad, exact = cad2.disagreements(Q, c, params[0], params[1], closed, budget_s, relation,
                                        base)
        if not bad and exact:
            formula = closed
            expr, words = formula, sp.sstr(formula)
    nice = _present_formula(formula, params)
    if nice is not None and nice[0] != formula:
        bad, exact = cad2.disagreements(Q, c, params[0], params[1], nice[0], budget_s,
                                        relation, base)
        if not bad and exact:
            expr, words = nice
    if expr is sp.true:
        words = "every parameter value"
    elif expr is sp.false:
        words = "empty: no parameter value qualifies"
    return expr, words


def _present_formula(formula: sp.Basic, params: tuple[sp.Symbol, ...]
                     ) -> tuple[sp.Basic, str] | None:
    """Plain form of a conjunction (or a disjunction of conjunctions) of closed polynomial
    relations: each conjunction through :func:`present_polynomial_region`."""
    terms = formula.args if isinstance(formula, sp.Or) else (formula,)
    out = []
    for t in terms:
        atoms = t.args if isinstance(t, sp.And) else (t,)
        conds = []
        for a in atoms:
            if isinstance(a, sp.GreaterThan):
                conds.append(sp.expand(a.lhs - a.rhs))
            elif isinstance(a, sp.LessThan):
                conds.append(sp.expand(a.rhs - a.lhs))
            else:
                return None
        out.append(present_polynomial_region(conds, params))
    if len(out) == 1:
        return out[0]
    return sp.Or(*[o[0] for o in out]), " or ".join(f"({o[1]})" for o in out)
