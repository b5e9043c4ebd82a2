"""Plain presentation of parameter regions: a set of the real line or a conjunction of
polynomial inequalities as the simplest equivalent Boolean and words (``Abs(nu) <= 1``,
``nu**2 <= 2*r <= 1``), with redundant conjuncts dropped.

Shared by the positivity and the von Neumann analyses (it was split between them, each
importing the other).
"""

from __future__ import annotations

from typing import Any, cast

import sympy as sp

from mcgen.proof.sturm import _domain


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


def _solve_factor(h: sp.Expr, params: tuple[sp.Symbol, ...]) -> list[tuple[Any, ...]]:
    """h >= 0 as bounds ('lo'|'hi', var, bound) or ('rel', Boolean, words)."""
    from mcgen.proof.sturm import relational_set
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
    from mcgen.proof import lp
    from mcgen.proof.sturm import check_region_implies
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
