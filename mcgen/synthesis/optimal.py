"""The best admissible member for a stated criterion, with the reason it is best.

Criteria
--------
``least_diffusion``
    minimise the numerical diffusion, the second cumulant of the jump law (trace of its
    covariance in grid units): on three points, first order, ``kappa_2 = q - nu^2`` is
    increasing in q, so the optimum is the lower vertex ``q = |nu|``: upwind.
``largest_time_step``
    the largest value of a physical parameter (nu, r) for which some member is positive:
    ``|nu| <= 1`` for advection on three points, ``r <= 1/2`` for FTCS heat.
``highest_order``
    the highest order of consistency a positive member reaches (see
    :func:`highest_positive_order`), with a Farkas certificate for the next order.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

import sympy as sp

from mcgen.errors import AnalysisError, ModelError
from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.proof.farkas_check import signs_on_open_interval
from mcgen.proof.sturm import rational_between
from mcgen.synthesis.admissible_region import (
    AdmissibleRegion,
    _affine_parts,
    _domain_of,
    admissible_region,
    polytope_vertices,
)
from mcgen.synthesis.family import Member, SchemeFamily, consistent_family
from mcgen.synthesis.farkas import certificate_pieces, infeasibility_derivation, nonneg_point
from mcgen.synthesis.moment_conditions import MomentTarget, moment_matrix, moment_target

CRITERIA = ("least_diffusion", "largest_time_step", "highest_order")


@dataclass(frozen=True)
class OptimalMember:
    """The optimum: which criterion, its value, the member, and why."""

    criterion: str
    value: sp.Expr
    member: Member | None
    region: AdmissibleRegion | None
    derivation: Derivation
    at: dict[sp.Symbol, sp.Expr]


def second_cumulant(family: SchemeFamily) -> sp.Expr:
    """Trace of the covariance of the jump law (grid units), as a function of the parameters.

    In 1-D, ``kappa_2 dx^2 / (2 dt)`` is the numerical diffusion coefficient of the modified
    equation (DESIGN section 1)."""
    total = sp.Integer(0)
    for i in range(family.dim):
        m1 = sum(family.weights[k] * k[i] for k in family.support)
        m2 = sum(family.weights[k] * k[i] ** 2 for k in family.support)
        total += m2 - m1 ** 2
    return sp.expand(total)


def optimal_member(family: SchemeFamily, criterion: str, *, variable: sp.Symbol | str | None = None,
                   **values: Any) -> OptimalMember:
    """The member of ``family`` that is best for ``criterion`` among the positive ones.

    Parameters
    ----------
    criterion : ``least_diffusion``, ``largest_time_step`` or ``highest_order``.
    variable : for ``largest_time_step``, the physical parameter to maximise (default: the
        family's only physical parameter).
    values : physical parameters fixed (``nu=Rational(1, 3)``); keep a single one symbolic
        for closed forms.
    """
    if criterion == "least_diffusion":
        return _least_diffusion(family, values)
    if criterion == "largest_time_step":
        return _largest_step(family, variable, values)
    if criterion == "highest_order":
        res = highest_positive_order(family.target, family.support, values=values)
        return OptimalMember("highest_order", sp.Integer(res.order), res.member, None,
                             res.derivation, family._subs(values))
    raise ModelError(f"criterion {criterion!r}: use one of {CRITERIA}")


def _least_diffusion(family: SchemeFamily, values: dict[str, Any]) -> OptimalMember:
    if family.order < 1:
        raise AnalysisError("least diffusion needs the mean fixed: build the family with "
                            "order >= 1")
    region = admissible_region(family, **values)
    sub = region.values
    obj = sp.expand(second_cumulant(family).subs(sub))
    bld = DerivationBuilder("least numerical diffusion (second cumulant) over the admissible "
                            "region")
    i_obj = bld.identity(second_cumulant(family).subs(sub), obj,
                         "kappa_2 = sum_i (m_2ei - m_ei^2), affine in the free parameters since "
                         "the first moments are fixed by consistency")
    i_reg = bld.step(region.condition.expr, f"admissible region ({region.derivation.status})",
                     Check("follows"))
    if region.is_empty:
        raise AnalysisError("the admissible region is empty: no positive member to optimise "
                            "(see admissible_region(...).certificate)")
    free = family.free
    if not free:
        opt: dict[sp.Symbol, sp.Expr] = {}
        bld.step("the family has a single member", "no free parameter", Check("follows"))
    elif region.vertices and all(v.is_Rational for vt in region.vertices for v in vt.values()):
        vals = [obj.subs(vt) for vt in region.vertices]
        best = min(vals)
        opt = region.vertices[vals.index(best)]
        bld.step(sp.And(*[sp.Le(best, v) for v in vals]),
                 "a linear objective on a polytope is least at a vertex; compared at all of them",
                 Check("truth", (sp.And(*[sp.Le(best, v) for v in vals]),)), uses=[i_obj, i_reg])
    elif len(free) == 1 and region.bounds is not None:
        q = free[0]
        p = [s for s in obj.free_symbols | set().union(*[sp.sympify(b).free_symbols
                                                            for b in region.bounds]) if s != q]
        _, (slope,) = _affine_parts(obj, (q,))
        var = p[0] if p else None
        lo, hi = _domain_of(var) if var is not None else (-sp.oo, sp.oo)
        signs = signs_on_open_interval(slope, var, lo, hi)
        if signs == {1}:
            opt = {q: region.bounds[0]}
            rel = ">"
        elif signs == {-1}:
            opt = {q: region.bounds[1]}
            rel = "<"
        else:
            raise AnalysisError(f"d kappa_2 / d{q} = {slope} changes sign: no single optimum "
                                "in closed form; fix the physical parameters")
        bld.step(f"d kappa_2/d{q} = {sp.sstr(slope)} {rel} 0", "exact sign",
                 Check("sign_on_interval", (slope, rel, var, lo, hi)), uses=[i_obj])
    else:
        raise AnalysisError("fix the physical parameters (give values) to optimise a family "
                            "with several free parameters")
    best_val = sp.simplify(obj.subs(opt))
    member = family.member(name="least-diffusion member", **{k.name: v for k, v in sub.items()},
                           **{k.name: v for k, v in opt.items()})
    bld.step(sp.Eq(sp.Symbol("kappa_2"), best_val, evaluate=False),
             f"optimum at {opt}", Check("follows"), uses=list(range(len(bld.steps))))
    return OptimalMember("least_diffusion", best_val, member, region,
                         bld.finish_concluded(opt), opt)


def _largest_step(family: SchemeFamily, variable: Any, values: dict[str, Any]) -> OptimalMember:
    sub = family._subs(values)
    phys = [p for p in family.params if p not in sub]
    if variable is not None:
        name = variable.name if isinstance(variable, sp.Symbol) else str(variable)
        cand = [p for p in phys if p.name == name]
        if not cand:
            raise ModelError(f"{name!r} is not a free physical parameter; choose from "
                             f"{[p.name for p in phys]}")
        p = cand[0]
    elif len(phys) == 1:
        p = phys[0]
    else:
        raise ModelError(f"several physical parameters {[s.name for s in phys]}: name one with "
                         "variable= and fix the others with values")
    others = [s for s in phys if s != p]
    if others:
        raise ModelError(f"fix {[s.name for s in others]} with values to maximise {p}")
    bld = DerivationBuilder(f"largest {p} for which a positive member exists")
    ws = {k: sp.expand(w.subs(sub)) for k, w in family.weights.items()}
    if not any(p in w.free_symbols for w in ws.values()):
        raise ModelError(f"{p} does not enter the moment conditions to order {family.order}: "
                         "raise the order so that it does")
    lo, hi = _domain_of(p)
    jointly_affine = all(sp.Poly(w, p, *family.free).total_degree() <= 1 for w in ws.values())
    if jointly_affine and all(c.is_Rational for w in ws.values()
                              for c in sp.Poly(w, p, *family.free).coeffs()):
        vars_ = (p, *family.free)
        consts, lins = [], []
        for w in ws.values():
            c, lin = _affine_parts(w, vars_)
            consts.append(Fraction(int(c.p), int(c.q)))
            lins.append([Fraction(int(v.p), int(v.q)) for v in lin])
        extra = []
        if lo != -sp.oo:  # the parameter's own domain (r >= 0)
            extra.append((Fraction(-int(lo)), [Fraction(1)] + [Fraction(0)] * len(family.free)))
        for c, lin in extra:
            consts.append(c)
            lins.append(lin)
        verts = polytope_vertices(consts, lins)
        if not verts:
            raise AnalysisError(f"no positive member for any {p}")
        best = max(v[0] for v in verts)
        pstar = sp.Rational(best.numerator, best.denominator)
        at = next(v for v in verts if v[0] == best)
        opt = {q: sp.Rational(v.numerator, v.denominator) for q, v in
               zip(family.free, at[1:], strict=True)}
        G = sp.ImmutableMatrix([[-sp.Rational(x.numerator, x.denominator) for x in row]
                                for row in lins])
        g = sp.ImmutableMatrix([sp.Rational(c.numerator, c.denominator) for c in consts])
        shown = [tuple(map(str, v)) for v in verts]
        bld.step(f"the positive (p, q) form a polytope with vertices {shown}",
                 "vertex enumeration (weights affine in the parameter and the free ones)",
                 Check("polyhedron_vertex", (G, g, sp.ImmutableMatrix([pstar, *opt.values()]))))
        bld.step(sp.Eq(sp.Symbol(f"{p}_max"), pstar, evaluate=False),
                 "a linear objective on a polytope is largest at a vertex; compared at all",
                 Check("truth", (sp.And(*[sp.Le(sp.Rational(v[0].numerator, v[0].denominator),
                                                  pstar) for v in verts]),)), uses=[0])
    else:
        region = admissible_region(family, **values)
        feas = region.feasible
        if feas is None:
            raise AnalysisError("no closed-form feasibility set; fix more parameters")
        s = feas.expr.as_set().intersect(sp.Interval(lo, hi))
        pstar = sp.sup(s)
        if pstar in (sp.oo, -sp.oo) or s is sp.EmptySet:
            raise AnalysisError(f"positive members exist for unbounded {p} (or none): {s}")
        i_r = bld.step(feas.expr, f"some member is positive iff this holds "
                       f"({region.derivation.status})", Check("follows"))
        bld.step(sp.Implies(feas.expr, sp.Le(p, pstar)), f"the largest such {p} is {pstar}",
                 Check("implies", (feas.expr, sp.Le(p, pstar), p, sp.Interval(lo, hi))),
                 uses=[i_r])
        bld.step(feas.expr.subs(p, pstar), f"and it is attained at {p} = {pstar}",
                 Check("truth", (feas.expr.subs(p, pstar),)), uses=[i_r])
        opt = {}
        if family.free:
            at_region = admissible_region(family, **{**values, p.name: pstar})
            opt = dict(at_region.vertices[0]) if at_region.vertices else {}
    member = family.member(name=f"largest {p}", **{k.name: v for k, v in sub.items()},
                           **{p.name: pstar}, **{k.name: v for k, v in opt.items()})
    return OptimalMember("largest_time_step", pstar, member, None,
                         bld.finish_concluded(sp.Eq(p, pstar)), {p: pstar, **opt})


@dataclass(frozen=True)
class HighestOrder:
    """The highest order a positive member reaches, the family at that order, and the proof
    (a Farkas certificate) that the next order has no positive member."""

    order: int
    family: SchemeFamily | None
    member: Member | None
    impossibility: Derivation | None
    derivation: Derivation


def highest_positive_order(law_or_moments: Any, support: Any, *, values: dict[str, Any] | None
                           = None, interval: tuple[Any, Any] | None = None,
                           variable: sp.Symbol | str | None = None,
                           max_order: int | None = None) -> HighestOrder:
    """The highest consistency order a non-negative scheme on ``support`` reaches.

    Give ``values`` for fixed (rational) physical parameters, or ``interval=(lo, hi)`` with the
    one symbolic ``variable`` (default: the only one) to prove the result for every value in the
    open interval (Godunov: three points, advection, ``interval=(0, 1)``: order 1, with the
    certificate y = (0, 1, 1), i.e. p(k) = k (k + 1), for order 2).
    """
    values = dict(values or {})
    base = law_or_moments if isinstance(law_or_moments, MomentTarget) else \
        moment_target(law_or_moments, 1)
    n_pts = len(set(support))
    top = max_order if max_order is not None else n_pts
    try:
        full = base.up_to(top)
    except ModelError:
        full = base
    var = None
    if interval is not None:
        ps = [s for s in full.params if s.name not in values]
        if variable is not None:
            vn = variable.name if isinstance(variable, sp.Symbol) else str(variable)
            ps = [s for s in ps if s.name == vn]
        if len(ps) != 1:
            raise ModelError(f"interval= needs exactly one symbolic parameter; have "
                             f"{[s.name for s in ps]} (fix the others with values=)")
        var = ps[0]
    sub = {s: sp.sympify(values[s.name]) for s in full.params if s.name in values}
    unknown = set(values) - {s.name for s in full.params}
    if unknown:
        raise ModelError(f"{sorted(unknown)} are not parameters of the moment conditions "
                         f"(those are {[s.name for s in full.params]})")
    bld = DerivationBuilder("highest order of a positive scheme on "
                            f"{sorted(set(support))}")
    best: tuple[int, SchemeFamily, Member | None] | None = None
    impossibility = None
    for order in range(0, top + 1):
        try:
            tgt = base.up_to(order).subs(sub)
            fam = consistent_family(tgt, support, order)
        except AnalysisError as exc:
            bld.step(f"order {order}: no weights at all on this support ({exc})",
                     "the moment system is inconsistent", Check("follows"))
            break
        supp = fam.support
        A = moment_matrix(list(supp), list(fam.constrained))
        b = sp.Matrix([fam.target.moments[a] for a in fam.constrained])
        if var is None:
            w = nonneg_point(A, b)
            if w is not None:
                bld.step(sp.Eq(sp.Symbol(f"w_{order}"), sp.ImmutableMatrix(w), evaluate=False),
                         f"order {order}: a non-negative consistent weight vector",
                         Check("nonneg_solution", (A, sp.ImmutableMatrix(b),
                                                   sp.ImmutableMatrix(w))))
                best = (order, fam, _member_from_weights(fam, w, sub))
                continue
            impossibility = infeasibility_derivation(
                A, b, supp, list(fam.constrained),
                title=f"no positive scheme of order {order} on {list(supp)}")
        else:
            lo, hi = cast(tuple[Any, Any], interval)  # var is set only when interval is
            t = rational_between(sp.sympify(lo), sp.sympify(hi))
            pcs = certificate_pieces(A, b, var, lo, hi)
            if pcs is None:
                gaps = _positive_on_interval(fam, var, lo, hi)
                if gaps is not None:
                    for gap in gaps:
                        bld.step(sp.Ge(gap, 0), f"order {order}: holds for every {var} in ({lo}, "
                                 f"{hi}), so a positive member exists there (all lower bounds "
                                 "of the free parameter are below all upper bounds)",
                                 Check("sign_on_interval", (gap, ">=", var, lo, hi)))
                    best = (order, fam, None)
                    continue
                w = nonneg_point(A, b.subs(var, t))
                if w is None:
                    raise AnalysisError(f"order {order}: positivity holds for part of {var} in "
                                        f"({lo}, {hi}) only; split the interval")
                bld.step(f"order {order}: no infeasibility certificate on ({lo}, {hi}); "
                         f"a non-negative member exists at {var} = {t}",
                         "exact non-negative solution at a sample point",
                         Check("nonneg_solution", (A, sp.ImmutableMatrix(b.subs(var, t)),
                                                   sp.ImmutableMatrix(w))))
                best = (order, fam, None)
                continue
            impossibility = infeasibility_derivation(
                A, b, supp, list(fam.constrained), var=var, interval=(lo, hi),
                title=f"no positive scheme of order {order} on {list(supp)} for {var} in "
                      f"({lo}, {hi})",
                theorem="Godunov's barrier" if order == 2 and len(supp) == 3 else "")
        for st in impossibility.steps:
            if st.check.kind == "farkas_infeasible":
                bld.step(f"order {order}: no non-negative weights (Farkas certificate "
                         f"{sp.sstr(st.claim.rhs.T)})", st.reason, st.check)
        break
    if best is None:
        raise AnalysisError("not even order 0 is reachable with non-negative weights")
    order, fam, member = best
    bld.step(f"highest order with a positive member: {order}", "the steps above",
             Check("follows"), uses=list(range(len(bld.steps))))
    return HighestOrder(order, fam, member, impossibility, bld.finish_concluded(sp.Integer(order)))


def _positive_on_interval(fam: SchemeFamily, var: sp.Symbol, lo: Any,
                          hi: Any) -> tuple[sp.Expr, ...] | None:
    """The family's feasibility gaps when all are >= 0 on (lo, hi) (closed-form case), else
    None."""
    if len(fam.free) > 1 or set(fam.params) != {var}:
        return None
    try:
        region = admissible_region(fam)
    except (AnalysisError, ModelError):
        return None
    if not region.gaps:
        return None
    from mcgen.proof.farkas_check import sign_status
    if all(sign_status(g, ">=", var, lo, hi) == "proved" for g in region.gaps):
        return region.gaps
    return None


def _member_from_weights(fam: SchemeFamily, w: sp.Matrix, sub: dict) -> Member:
    vals = fam.identify({k: w[i] for i, k in enumerate(fam.support)})
    return fam.member(name=f"positive member of order {fam.order}",
                      **{k.name: v for k, v in vals.items()})
