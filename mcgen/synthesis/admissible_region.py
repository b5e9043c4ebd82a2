"""The admissible (positive) part of a consistent family: all weights >= 0.

For fixed physical parameters the weights are affine in the free parameters, so the admissible
set is a polytope (bounded: the weights sum to one and the free parameters are moments of them);
its vertices are computed exactly by enumerating the sets of weights that vanish. With one free
parameter and one physical parameter the region is given in closed form,
``max(lower bounds) <= q <= min(upper bounds)`` (three points, first order:
``|nu| <= q <= 1``, non-empty iff ``|nu| <= 1``, the CFL condition), with its vertices (upwind
``q = |nu|`` and Lax-Friedrichs ``q = 1``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError, ModelError
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder
from mcgen.proof.farkas_check import signs_on_open_interval, solve_nonneg_conjunction
from mcgen.synthesis.family import Member, SchemeFamily
from mcgen.synthesis.farkas import infeasibility_derivation
from mcgen.synthesis.moment_conditions import moment_matrix


@dataclass(frozen=True)
class AdmissibleRegion:
    """The free-parameter values (for the given physical values) making every weight >= 0.

    Attributes
    ----------
    family : the family.
    values : the physical parameter values substituted (empty when symbolic).
    condition : the region as a Condition (a conjunction of ``w_k >= 0``, kind positivity).
    vertices : exact vertices, each ``{q: value}`` (closed-form bounds in the symbolic
        one-parameter case; empty when not computed).
    bounds : ``(lower, upper)`` of the single free parameter, when there is one.
    feasible : where the region is non-empty, as a Condition on the physical parameters
        (symbolic one-parameter case), else None.
    is_empty : True/False when decided, None when not.
    dimension : affine dimension of the polytope (numeric case), else None.
    certificate : the Farkas derivation when the region is empty.
    derivation : how the region was obtained, checked.
    """

    family: SchemeFamily
    values: dict[sp.Symbol, sp.Expr]
    condition: Condition
    vertices: tuple[dict[sp.Symbol, sp.Expr], ...]
    bounds: tuple[sp.Expr, sp.Expr] | None
    feasible: Condition | None
    is_empty: bool | None
    dimension: int | None
    certificate: Derivation | None
    derivation: Derivation
    gaps: tuple[sp.Expr, ...] = ()  # non-empty iff all gaps >= 0 (symbolic one-parameter case)

    def contains(self, **values: Any) -> bool:
        """Exact membership test of a point (free and physical values as keyword arguments)."""
        sub = self.family._subs({**{k.name: v for k, v in self.values.items()}, **values})
        ws = [sp.simplify(w.subs(sub)) for w in self.family.weights.values()]
        undecided = [w for w in ws if not w.is_number]
        if undecided:
            missing = sorted({str(s) for w in undecided for s in w.free_symbols})
            raise ModelError(f"give values for {missing}")
        return all(w >= 0 for w in ws)

    def vertex_members(self) -> list[Member]:
        """The family members at the vertices (upwind and Lax-Friedrichs on three points)."""
        return [self.family.member(**{k.name: v for k, v in self.values.items()},
                                   **{q.name: v for q, v in vert.items()})
                for vert in self.vertices]

    @property
    def description(self) -> str:
        if self.is_empty:
            return "empty: no non-negative member"
        if self.dimension == 0 and self.family.free:
            return "measure zero: a single point"
        return self.condition.description or str(self.condition.expr)


def _affine_parts(w: sp.Expr, free: tuple[sp.Symbol, ...]) -> tuple[sp.Expr, list[sp.Expr]]:
    w = sp.expand(w)
    lin = [w.coeff(q) for q in free]
    const = sp.expand(w - sum(c * q for c, q in zip(lin, free, strict=True)))
    return const, lin


def _solve_fraction(M: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Gauss-Jordan over the rationals; None when singular."""
    n = len(M)
    a = [row[:] + [r] for row, r in zip(M, rhs, strict=True)]
    for col in range(n):
        piv = next((i for i in range(col, n) if a[i][col] != 0), None)
        if piv is None:
            return None
        a[col], a[piv] = a[piv], a[col]
        p = a[col][col]
        a[col] = [v / p for v in a[col]]
        for i in range(n):
            if i != col and a[i][col] != 0:
                f = a[i][col]
                a[i] = [vi - f * vc for vi, vc in zip(a[i], a[col], strict=True)]
    return [a[i][n] for i in range(n)]


def polytope_vertices(consts: list[Fraction],
                      lins: list[list[Fraction]]) -> list[tuple[Fraction, ...]]:
    """Vertices of {q : consts[k] + lins[k] . q >= 0 for all k}, exactly (rows that vanish at a
    vertex are chosen in every possible way; fine for the small supports of stencils)."""
    n = len(consts)
    f = len(lins[0]) if lins else 0
    if f == 0:
        return [()] if all(c >= 0 for c in consts) else []
    seen: set[tuple[Fraction, ...]] = set()
    out = []
    for S in itertools.combinations(range(n), f):
        q = _solve_fraction([lins[k] for k in S], [-consts[k] for k in S])
        if q is None:
            continue
        tq = tuple(q)
        if tq in seen:
            continue
        if all(consts[k] + sum(l * v for l, v in zip(lins[k], q, strict=True)) >= 0
               for k in range(n)):
            seen.add(tq)
            out.append(tq)
    return sorted(out)


def _affine_dimension(points: list[tuple[Fraction, ...]]) -> int:
    if not points:
        return -1
    p0 = points[0]
    diffs = sp.Matrix([[sp.Rational(v.numerator, v.denominator) - sp.Rational(
        w.numerator, w.denominator) for v, w in zip(p, p0, strict=True)] for p in points[1:]])
    return diffs.rank() if points[1:] else 0


def _domain_of(sym: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    if sym.is_positive or sym.is_nonnegative:
        return sp.Integer(0), sp.oo
    if sym.is_negative or sym.is_nonpositive:
        return -sp.oo, sp.Integer(0)
    return -sp.oo, sp.oo


def _pretty_max(exprs: list[sp.Expr]) -> sp.Expr:
    """Max of bounds, with pairs e, -e merged into Abs(e)."""
    exprs = list(dict.fromkeys(sp.simplify(e) for e in exprs))
    out = []
    used = set()
    for i, e in enumerate(exprs):
        if i in used:
            continue
        j = next((j for j in range(i + 1, len(exprs)) if j not in used and
                  sp.simplify(exprs[j] + e) == 0), None)
        if j is not None:
            used.add(j)
            out.append(sp.Abs(e))
        else:
            out.append(e)
    return sp.Max(*out) if len(out) > 1 else out[0]


def admissible_region(family: SchemeFamily, **values: Any) -> AdmissibleRegion:
    """The admissible (non-negative) part of a consistent family.

    Parameters
    ----------
    family : from :func:`consistent_family`.
    values : physical parameters to fix (``nu=Rational(1, 2)``); keep them out for the
        symbolic region in (physical, free) parameters.
    """
    sub = family._subs(values)
    free = family.free
    ws = {k: sp.expand(w.subs(sub)) for k, w in family.weights.items()}
    phys = sorted(set().union(*[w.free_symbols for w in ws.values()]) - set(free),
                  key=lambda s: s.name)
    cond_expr = sp.And(*[sp.Ge(w, 0) for w in ws.values()])
    bld = DerivationBuilder(f"admissible region of {family.name or 'the family'}"
                            + (f" at {sub}" if sub else ""))
    i_w = bld.define(sp.Eq(sp.Symbol("w"), sp.ImmutableMatrix(list(ws.values())), evaluate=False),
                     f"weights of the consistent family on {list(family.support)}"
                     + (f" at {sub}" if sub else ""))
    if not phys:
        return _numeric_region(family, sub, ws, cond_expr, bld, i_w)
    if len(free) == 1 and len(phys) == 1:
        return _symbolic_one_parameter(family, sub, ws, phys[0], cond_expr, bld, i_w)
    if not free and len(phys) == 1:
        return _symbolic_single_member(family, sub, phys[0], cond_expr, bld, i_w)
    bld.step("region: every weight >= 0 (no closed form attempted for several free or "
             "physical parameters; fix the physical ones to get vertices)", "definition",
             Check("definition"), uses=[i_w])
    d = bld.finish_concluded(cond_expr)
    cond = Condition(cond_expr, tuple(phys) + free, "positivity", status="proved",
                     name="admissible weights", description="every weight >= 0")
    return AdmissibleRegion(family, sub, cond, (), None, None, None, None, None, d)


def _numeric_region(family: SchemeFamily, sub: dict, ws: dict, cond_expr: Any,
                    bld: DerivationBuilder, i_w: int) -> AdmissibleRegion:
    free = family.free
    consts, lins = [], []
    for w in ws.values():
        c, lin = _affine_parts(w, free)
        if not (c.is_Rational and all(li.is_Rational for li in lin)):
            raise AnalysisError(f"weight {w} is not affine with rational coefficients in "
                                f"{free}: give rational values for the physical parameters")
        consts.append(Fraction(int(c.p), int(c.q)))
        lins.append([Fraction(int(li.p), int(li.q)) for li in lin])
    verts = polytope_vertices(consts, lins)
    G = sp.ImmutableMatrix([[-sp.Rational(li.numerator, li.denominator) for li in row]
                            for row in lins]) if free else sp.ImmutableMatrix(0, 0, [])
    g = sp.ImmutableMatrix([sp.Rational(c.numerator, c.denominator) for c in consts])
    vertices = tuple({q: sp.Rational(v.numerator, v.denominator) for q, v in
                      zip(free, vt, strict=True)} for vt in verts)
    cert = None
    if not verts:
        supp = family.support
        A = moment_matrix(list(supp), list(family.constrained))
        b = sp.Matrix([family.target.moments[a].subs(sub) for a in family.constrained])
        cert = infeasibility_derivation(A, b, supp, list(family.constrained),
                                        title="the admissible region is empty")
        bld.step("no member has all weights >= 0 (Farkas certificate)",
                       "infeasibility certificate of the moment system, checked exactly",
                       Check("farkas_infeasible", cert.steps[2].check.args), uses=[i_w])
        result: Any = sp.false
        dim = -1
    else:
        for vt in vertices:
            point = sp.ImmutableMatrix([vt[q] for q in free])
            if free:
                bld.step(sp.Eq(sp.Symbol("vertex"), point, evaluate=False),
                         "the weights vanishing here have full rank: a vertex",
                         Check("polyhedron_vertex", (G, g, point)), uses=[i_w])
        dim = _affine_dimension(verts)
        result = cond_expr
        bld.step(f"the region is the convex hull of its {len(verts)} vertices (a bounded "
                 f"polytope: weights sum to one and the parameters are their moments); "
                 f"dimension {dim}", "Minkowski-Weyl", Check("follows"),
                 uses=list(range(1, len(bld.steps))))
    d = bld.finish_concluded(result)
    bounds = None
    if len(free) == 1 and vertices:
        vals = [v[free[0]] for v in vertices]
        bounds = (min(vals), max(vals))
    desc = ("empty" if not verts else "the single member is positive" if not free else
            "measure zero: a single point" if dim == 0
            else f"a polytope of dimension {dim} with {len(verts)} vertices")
    cond = Condition(cond_expr if verts else sp.false, free, "positivity", status="proved",
                     name="admissible weights", description=desc)
    return AdmissibleRegion(family, sub, cond, vertices, bounds, None, not verts, dim, cert, d)


def _symbolic_one_parameter(family: SchemeFamily, sub: dict, ws: dict, p: sp.Symbol,
                            cond_expr: Any, bld: DerivationBuilder, i_w: int) -> AdmissibleRegion:
    q = family.free[0]
    lo, hi = _domain_of(p)
    lower, upper, always = [], [], []
    for k, w in ws.items():
        c, (beta,) = _affine_parts(w, (q,))
        signs = signs_on_open_interval(beta, p, lo, hi)
        if signs is None or len(signs) > 1:
            bld.step(f"the coefficient of {q} in w_{k} changes sign", "no closed form",
                     Check("follows"), uses=[i_w])
            d = bld.finish_concluded(cond_expr)
            cond = Condition(cond_expr, (p, q), "positivity", name="admissible weights",
                             description="every weight >= 0")
            return AdmissibleRegion(family, sub, cond, (), None, None, None, None, None, d)
        s = signs.pop()
        rel = {1: ">", -1: "<", 0: "=="}[s]
        bld.step(f"coefficient of {q} in w_{k} is {sp.sstr(beta)} ({rel} 0 for {p} in "
                 f"({lo}, {hi}))", "exact sign", Check("sign_on_interval", (beta, rel, p, lo, hi)),
                 uses=[i_w])
        if s == 0:
            always.append(c)
        elif s > 0:
            lower.append(sp.simplify(-c / beta))
        else:
            upper.append(sp.simplify(-c / beta))
    lo_q = _pretty_max(lower) if lower else -sp.oo
    hi_q = sp.Min(*[sp.simplify(u) for u in upper]) if upper else sp.oo
    region = sp.And(sp.Le(lo_q, q), sp.Le(q, hi_q))
    feas_raw = sp.And(*[sp.Le(a, b) for a in lower for b in upper],
                      *[sp.Ge(c, 0) for c in always])
    gaps = tuple([sp.expand(b - a) for a in lower for b in upper] + list(always))
    feas_set = solve_nonneg_conjunction(gaps, p, lo, hi)
    if feas_set is None:
        feas = feas_raw
        bld.step(feas_raw, f"the region in {q} is non-empty iff every lower bound is <= "
                 "every upper bound", Check("follows"), uses=list(range(1, len(bld.steps))))
    else:
        feas = _pretty_interval(feas_set.as_relational(p) if feas_set is not sp.EmptySet
                                else sp.false, feas_set, p)
        bld.step(sp.Equivalent(feas_raw, feas, evaluate=False),
                 f"the region in {q} is non-empty iff every lower bound is <= every upper "
                 f"bound, i.e. iff {p} in {feas_set}",
                 Check("nonneg_solution_set", (gaps, p, lo, hi, feas_set)),
                 uses=list(range(1, len(bld.steps))))
    bld.step(region, f"w_k >= 0 for all k, solved for {q}", Check("follows"),
             uses=list(range(1, len(bld.steps))))
    d = bld.finish_concluded(region)
    vertices = tuple(v for v in ({q: lo_q}, {q: hi_q}) if v[q] not in (sp.oo, -sp.oo))
    feasible = Condition(feas, (p,), "positivity", status="proved",
                         name="non-empty admissible region",
                         description=f"some member is positive iff {sp.sstr(feas)}",
                         definitions=dict(family.target.definitions))
    cond = Condition(sp.And(region, feas), (p, q), "positivity", status="proved",
                     name="admissible weights",
                     description=f"{sp.sstr(lo_q)} <= {q} <= {sp.sstr(hi_q)} "
                                 f"(non-empty iff {sp.sstr(feas)})",
                     definitions=dict(family.target.definitions))
    return AdmissibleRegion(family, sub, cond, vertices, (lo_q, hi_q), feasible,
                            feas is sp.false, None, None, d, gaps)


def _symbolic_single_member(family: SchemeFamily, sub: dict, p: sp.Symbol, cond_expr: Any,
                            bld: DerivationBuilder, i_w: int) -> AdmissibleRegion:
    """No free parameter: the family is one scheme; its positivity set in the physical
    parameter (Lax-Wendroff: the measure-zero set nu in {-1, 0, 1})."""
    lo, hi = _domain_of(p)
    ws = tuple(family.weights_at(sub).values())
    pos_set = solve_nonneg_conjunction(ws, p, lo, hi)
    if pos_set is None:
        feas = cond_expr
        desc = "every weight >= 0"
        bld.step(cond_expr, "every weight >= 0 (not solved in closed form)", Check("follows"),
                 uses=[i_w])
    else:
        feas = _pretty_interval(pos_set.as_relational(p) if pos_set is not sp.EmptySet
                                else sp.false, pos_set, p)
        if pos_set is sp.EmptySet:
            desc = "empty: the member is positive for no value"
        elif isinstance(pos_set, sp.FiniteSet):
            desc = f"measure zero: {p} in {{{', '.join(map(str, sorted(pos_set)))}}}"
        else:
            desc = f"{sp.sstr(feas)}"
        bld.step(sp.Equivalent(cond_expr, feas, evaluate=False),
                 f"every weight >= 0, solved for {p} exactly: {p} in {pos_set}",
                 Check("nonneg_solution_set", (ws, p, lo, hi, pos_set)), uses=[i_w])
    d = bld.finish_concluded(feas)
    cond = Condition(feas, (p,), "positivity", status=d.status, name="admissible weights",
                     description=desc, definitions=dict(family.target.definitions))
    empty = pos_set is sp.EmptySet if pos_set is not None else None
    return AdmissibleRegion(family, sub, cond, (), None, cond, empty,
                            0 if isinstance(pos_set, sp.FiniteSet) else None, None, d, ws)


def _pretty_interval(feas: Any, s: sp.Set, p: sp.Symbol) -> Any:
    """-a <= p <= a reads as Abs(p) <= a."""
    if isinstance(s, sp.Interval) and s.start == -s.end and s.end.is_positive and \
            not s.left_open and not s.right_open:
        return sp.Le(sp.Abs(p), s.end)
    return feas
